/*
 * dnsrep.c — the Unbound dynlib module: the six entry points Unbound looks up.
 *
 * Unbound's dynlib module dlopen()s this file and calls init/deinit once per
 * module stack setup (again on every `unbound-control reload`), operate for
 * every query event, and clear when a query is done.  This file is the glue:
 *
 *   init      read dnsrep.conf (a bad one fails init: Unbound refuses to start),
 *             open the block log, start the refresher (snapshot file first,
 *             then the feeds), which keeps the current snapshot up to date
 *   operate   new query: match the name; block (synth.c), log (record.c) or pass
 *             on; back from the modules below: check the answer and its chain
 *   deinit    stop the refresher and the log writer, free everything
 *
 * operate never waits: matching is lock-free against an immutable snapshot, and
 * logging pushes on a lock-free queue.
 */
#include "config.h"            /* Unbound's: fixes the layout of its structs */
#include "util/module.h"
#include "util/log.h"
#include "util/net_help.h"
#include "util/regional.h"
#include "util/data/dname.h"
#include "util/data/msgparse.h"
#include "util/data/msgreply.h"
#include "util/data/packed_rrset.h"
#include "services/cache/dns.h"
#include "sldns/rrdef.h"
#include "dynlibmod/dynlibmod.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dnsrep/store_config.h"
#include "dnsrep/version.h"
#include "module.h"

/* Unbound finds these by name; declared here so -Wmissing-prototypes is happy. */
int init(struct module_env *env, int id);
void deinit(struct module_env *env, int id);
void operate(struct module_qstate *qstate, enum module_ev event, int id,
	struct outbound_entry *entry);
void inform_super(struct module_qstate *qstate, int id, struct module_qstate *super);
void clear(struct module_qstate *qstate, int id);
size_t get_mem(struct module_env *env, int id);

static void on_msg(void *ctx, enum dnsrep_log_level level, const char *msg)
{
	(void)ctx;
	if (level == DNSREP_ERR)
		log_err("dnsrep: %s", msg);
	else if (level == DNSREP_WARN)
		log_warn("dnsrep: %s", msg);
	else
		log_info("dnsrep: %s", msg);
}

static void on_swap(void *ctx, const struct dnsrep_snapshot *old, const struct dnsrep_snapshot *now)
{
	struct dnsrep_module *mod = ctx;
	size_t n = dnsrep_flush_newly_blocked(mod, old, now);
	if (n)
		log_info("dnsrep: removed %zu newly blocked entries from the cache", n);
}

static void module_free(struct dnsrep_module *mod)
{
	if (!mod)
		return;
	dnsrep_refresher_stop(mod->refresher);
	dnsrep_blocklog_close(mod->log);      /* stops the writer, the stream's only user */
	dnsrep_logstream_free(mod->stream);
	dnsrep_current_free(mod->current);
	dnsrep_config_free(mod->cfg);
	free(mod);
}

/** Read dnsrep.conf, open the log, start the refresher; any failure fails init. */
int init(struct module_env *env, int id)
{
	struct dynlibmod_env *de = env->modinfo[id];
	char err[DNSREP_ERRLEN];
	struct dnsrep_module *mod = calloc(1, sizeof(*mod));
	if (!mod) {
		log_err("dnsrep: out of memory");
		return 0;
	}
	mod->env = env;
	mod->cfg_path = dnsrep_config_default_path();
	if (dnsrep_config_load(mod->cfg_path, &mod->cfg, err, sizeof(err)) < 0) {
		log_err("dnsrep: %s", err);
		log_err("dnsrep: refusing to start with a broken configuration "
			"(set DNSREP_CONF to use another file)");
		free(mod);
		return 0;
	}
	if (mod->cfg->resolver_id)
		snprintf(mod->resolver_id, sizeof(mod->resolver_id), "%s", mod->cfg->resolver_id);
	else if (gethostname(mod->resolver_id, sizeof(mod->resolver_id) - 1) < 0)
		snprintf(mod->resolver_id, sizeof(mod->resolver_id), "unbound");
	mod->log = dnsrep_blocklog_open(mod->cfg->log_file, mod->resolver_id, mod->cfg->log_queue,
					err, sizeof(err));
	if (!mod->log) {
		log_err("dnsrep: %s", err);
		log_err("dnsrep: the block log is opened after Unbound has changed root and "
			"dropped privileges: the path is inside the chroot, and the directory must "
			"be writable by Unbound's user");
		module_free(mod);
		return 0;
	}
	if (mod->cfg->redis && mod->cfg->redis_stream) {
		if (dnsrep_store_primary_opts_from_config(&mod->stream_opts, mod->cfg, mod->stream_host,
						  sizeof(mod->stream_host), err, sizeof(err)) < 0 ||
		    !(mod->stream = dnsrep_logstream_new(&mod->stream_opts, mod->cfg->redis_stream_maxlen,
							 on_msg, mod))) {
			log_err("dnsrep: block log stream: %s", mod->stream ? "out of memory" : err);
			module_free(mod);
			return 0;
		}
		dnsrep_blocklog_set_sink(mod->log, dnsrep_logstream_sink, mod->stream);
	}
	mod->current = dnsrep_current_new();
	if (!mod->current) {
		log_err("dnsrep: out of memory");
		module_free(mod);
		return 0;
	}
	de->dyn_env = mod;
	struct dnsrep_refresher_opts ro = { .cfg = mod->cfg, .current = mod->current,
					    .on_swap = on_swap, .on_msg = on_msg, .ctx = mod,
					    .resolver_id = mod->resolver_id };
	mod->refresher = dnsrep_refresher_start(&ro, err, sizeof(err));
	if (!mod->refresher) {
		log_err("dnsrep: %s", err);
		de->dyn_env = NULL;
		module_free(mod);
		return 0;
	}
	log_info("dnsrep %s: init, module %d, config %s (%zu feeds), log %s",
		 dnsrep_version(), id, mod->cfg_path, mod->cfg->n_feeds, mod->cfg->log_file);
	return 1;
}

void deinit(struct module_env *env, int id)
{
	struct dynlibmod_env *de = env->modinfo[id];
	struct dnsrep_module *mod = de->dyn_env;
	if (!mod)
		return;
	de->dyn_env = NULL;
	module_free(mod);
	dnsrep_name_shutdown(); /* dlclose follows: nothing uses names any more */
	log_info("dnsrep: deinit, module %d", id);
}

/**
 * Marks a query whose name is listed but passes (exempt client, log-only): its
 * answer must not stay in Unbound's message cache (see check_answer).
 */
static int listed_marker;

/** Block, log-only or exempt: what to do with a matched lookup; 1 when answered. */
static int act(struct dnsrep_module *mod, struct module_qstate *qstate, int id,
	const struct dnsrep_match *m, struct dnsrep_block *blk,
	const uint8_t *const *chain, const size_t *chain_len, int chain_n)
{
	enum dnsrep_action a = dnsrep_match_action(mod, m);
	const char *name = dnsrep_action_name(a);
	blk->action = a;
	blk->rule = m->rule;
	blk->meta = &m->meta;
	if (dnsrep_all_clients_exempt(mod, qstate)) {
		if (mod->cfg->log_exempt)
			dnsrep_record_lookup(mod, qstate, DNSREP_LOG_EXEMPT, name, blk, chain,
					     chain_len, chain_n);
		qstate->minfo[id] = &listed_marker;
		return 0;
	}
	if (a == DNSREP_ACTION_LOG_ONLY) {
		dnsrep_record_lookup(mod, qstate, DNSREP_LOG_LOGONLY, name, blk, chain, chain_len, chain_n);
		qstate->minfo[id] = &listed_marker;
		return 0;
	}
	if (!dnsrep_synth_block(mod, qstate, blk)) {
		log_err("dnsrep: out of memory answering a blocked lookup");
		qstate->ext_state[id] = module_error;
		return 1;
	}
	dnsrep_record_lookup(mod, qstate, DNSREP_LOG_BLOCKED, name, blk, chain, chain_len, chain_n);
	qstate->ext_state[id] = module_finished;
	return 1;
}

/** A new query: match its name. 1 when it was answered here. */
static int check_query(struct dnsrep_module *mod, struct module_qstate *qstate, int id)
{
	if (qstate->qinfo.qclass != LDNS_RR_CLASS_IN)
		return 0;
	int answered = 0;
	const struct dnsrep_snapshot *s = dnsrep_current_enter(mod->current);
	struct dnsrep_match m;
	struct dnsrep_lookalike_hit hit;
	if (s && dnsrep_snapshot_match(s, qstate->qinfo.qname, qstate->qinfo.qname_len, &m) == 0) {
		if (m.verdict == DNSREP_VERDICT_BLOCK) {
			struct dnsrep_block blk = { .match = m.kind == DNSREP_MATCH_EXACT
				? DNSREP_LOG_MATCH_EXACT : DNSREP_LOG_MATCH_SUBDOMAIN };
			answered = act(mod, qstate, id, &m, &blk, NULL, NULL, 0);
		} else if (m.verdict == DNSREP_VERDICT_PASS &&
			   dnsrep_snapshot_lookalike(s, qstate->qinfo.qname, qstate->qinfo.qname_len,
						     &m, &hit)) {
			/* allow entries are never second-guessed: only names that passed */
			struct dnsrep_block blk = { .match = DNSREP_LOG_MATCH_LOOKALIKE, .hit = &hit };
			answered = act(mod, qstate, id, &m, &blk, NULL, NULL, 0);
		}
	}
	dnsrep_current_leave(mod->current);
	return answered;
}

/** The target name of a CNAME or DNAME RRset's first record, or NULL. */
static uint8_t *alias_target(struct ub_packed_rrset_key *k, size_t *len)
{
	struct packed_rrset_data *d = (struct packed_rrset_data *)k->entry.data;
	if (!d || d->count < 1 || d->rr_len[0] < 3)
		return NULL;
	uint8_t *t = d->rr_data[0] + 2;
	*len = dname_valid(t, d->rr_len[0] - 2);
	return *len ? t : NULL;
}

/** Remove one name's cached messages of the query's type (both CD variants). */
static void forget_msg(struct module_qstate *qstate, uint8_t *name, size_t len)
{
	msg_cache_remove(qstate->env, name, len, qstate->qinfo.qtype, qstate->qinfo.qclass, 0);
	msg_cache_remove(qstate->env, name, len, qstate->qinfo.qtype, qstate->qinfo.qclass, BIT_CD);
}

/**
 * The answer came back from the modules below.  If the query name is listed (it
 * passed because its client is exempt or its feed only logs), or its CNAME/DNAME
 * chain reaches a listed name, the iterator has just cached the answer: remove
 * it, so that the next client (maybe not exempt) comes through this module
 * instead of being answered from the cache, and every lookup of a listed name
 * is seen and logged.  If the chain reaches a blocked name, the client gets the
 * block answer instead.
 */
static void check_answer(struct dnsrep_module *mod, struct module_qstate *qstate, int id)
{
	struct reply_info *rep = qstate->return_msg ? qstate->return_msg->rep : NULL;
	if (!rep || qstate->qinfo.qclass != LDNS_RR_CLASS_IN)
		return;
	const uint8_t *chain[DNSREP_LOG_CHAIN + 1];
	size_t chain_len[DNSREP_LOG_CHAIN + 1];
	int n = 0;
	for (size_t i = 0; i < rep->an_numrrsets && n <= DNSREP_LOG_CHAIN; i++) {
		struct ub_packed_rrset_key *k = rep->rrsets[i];
		uint16_t type = ntohs(k->rk.type);
		if (type != LDNS_RR_TYPE_CNAME && type != LDNS_RR_TYPE_DNAME)
			continue;
		size_t len;
		uint8_t *t = alias_target(k, &len);
		if (t) {
			chain[n] = t;
			chain_len[n++] = len;
		}
	}
	if (qstate->minfo[id] == &listed_marker)
		forget_msg(qstate, qstate->qinfo.qname, qstate->qinfo.qname_len);
	if (n == 0)
		return;
	const struct dnsrep_snapshot *s = dnsrep_current_enter(mod->current);
	struct dnsrep_match m;
	for (int i = 0; s && i < n; i++) {
		if (dnsrep_snapshot_match(s, chain[i], chain_len[i], &m) < 0)
			continue;
		if (m.verdict == DNSREP_VERDICT_ALLOW)
			break;
		if (m.verdict != DNSREP_VERDICT_BLOCK)
			continue;
		forget_msg(qstate, qstate->qinfo.qname, qstate->qinfo.qname_len);
		for (int j = 0; j < n; j++)
			forget_msg(qstate, (uint8_t *)chain[j], chain_len[j]);
		struct dnsrep_block blk = { .match = DNSREP_LOG_MATCH_CNAME };
		act(mod, qstate, id, &m, &blk, chain, chain_len, n);
		break;
	}
	dnsrep_current_leave(mod->current);
}

void operate(struct module_qstate *qstate, enum module_ev event, int id,
	struct outbound_entry *entry)
{
	struct dynlibmod_env *de = qstate->env->modinfo[id];
	struct dnsrep_module *mod = de->dyn_env;
	(void)entry;
	switch (event) {
	case module_event_new:
		if (mod && check_query(mod, qstate, id))
			return;
		qstate->ext_state[id] = module_wait_module;
		return;
	case module_event_pass:
		qstate->ext_state[id] = module_wait_module;
		return;
	case module_event_moddone:
		qstate->ext_state[id] = module_finished;
		if (mod)
			check_answer(mod, qstate, id);
		return;
	default:
		log_err("dnsrep: unexpected module event %d", (int)event);
		qstate->ext_state[id] = module_error;
		return;
	}
}

void inform_super(struct module_qstate *qstate, int id, struct module_qstate *super)
{
	(void)qstate;
	(void)id;
	(void)super;
}

void clear(struct module_qstate *qstate, int id)
{
	qstate->minfo[id] = NULL;
}

size_t get_mem(struct module_env *env, int id)
{
	struct dynlibmod_env *de = env->modinfo[id];
	struct dnsrep_module *mod = de ? de->dyn_env : NULL;
	if (!mod || !mod->current)
		return 0;
	const struct dnsrep_snapshot *s = dnsrep_current_peek(mod->current);
	return s ? dnsrep_snapshot_bytes(s) : 0;
}
