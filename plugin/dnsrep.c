/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dnsrep.c — the Unbound dynlib module: the six entry points Unbound looks up.
 *
 * Unbound's dynlib module dlopen()s this file and calls init/deinit once per
 * module stack setup (again on every `unbound-control reload`), operate for
 * every query event, and clear when a query is done.  This file is the glue:
 *
 *   init      read dnsrep.conf (a bad one fails init: Unbound refuses to start),
 *             open the block log, register the reply callbacks (reply.c), start
 *             the refresher (snapshot file first, then the feeds), which keeps
 *             the current snapshot up to date and, on every swap, takes from
 *             Unbound's caches what the new snapshot judges differently (flush.c)
 *   operate   new query: match the name; a blocked one is answered here
 *             (synth.c), and the block answer kept in the message cache where
 *             that is safe; back from the modules below: judge the answer again
 *             (its chain, and the snapshot may be newer), and replace it with the
 *             block answer when it must not go out
 *   deinit    stop the refresher and the log writer, unregister, free everything
 *
 * What each client is sent is decided when it is sent (reply.c), with the
 * decisions made here: operate prepares the answers, the callbacks choose per
 * client and log.  operate never waits: matching is lock-free against an
 * immutable snapshot, and logging pushes on a lock-free queue.
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
#include "services/mesh.h"
#include "sldns/rrdef.h"
#include "dynlibmod/dynlibmod.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dnsrep/load.h"
#include "dnsrep/store_config.h"
#include "ubcheck.h"
#include "dnsrep/version.h"
#include "plugin.h"

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

static void on_prepare(void *ctx, const struct dnsrep_snapshot *current,
	const struct dnsrep_snapshot *next)
{
	dnsrep_flush_prepare(ctx, current, next);
}

static void on_swap(void *ctx, const struct dnsrep_snapshot *old, const struct dnsrep_snapshot *now)
{
	dnsrep_flush_changed(ctx, old, now); /* it says what it did */
}

static int on_figures(void *ctx, const struct dnsrep_refresher *r, struct dnsrep_buf *out)
{
	return dnsrep_metrics_json(ctx, r, out);
}

/** Module ids: one counter for the process (see thread.c). */
static _Atomic uint64_t last_module_id;

static void module_free(struct dnsrep_module *mod)
{
	if (!mod)
		return;
	dnsrep_metrics_http_stop(mod->http);  /* no scrape reads what is freed below */
	dnsrep_walk_abort(&mod->walk);        /* the refresher may wait for a walk */
	dnsrep_refresher_stop(mod->refresher);
	dnsrep_blocklog_close(mod->log);      /* stops the writer, the stream's only user */
	dnsrep_logstream_free(mod->stream);
	dnsrep_current_free(mod->current);
	dnsrep_threads_free(mod);
	dnsrep_walk_destroy(&mod->walk);
	pthread_mutex_destroy(&mod->threads_lock);
	pthread_mutex_destroy(&mod->evict_lock);
	dnsrep_config_free(mod->cfg);
	free(mod);
}

/* The Unbound build the plugin expects: the one whose config.h it was compiled with
 * (tests build a copy that expects another, DNSREP_EXPECT_CONFCMDLINE). */
#ifdef DNSREP_EXPECT_CONFCMDLINE
#define EXPECT_CONFCMDLINE DNSREP_EXPECT_CONFCMDLINE
#else
#define EXPECT_CONFCMDLINE CONFCMDLINE
#endif

/** Read dnsrep.conf, open the log, start the refresher; any failure fails init. */
int init(struct module_env *env, int id)
{
	/* before anything reads Unbound's structs: is this the Unbound we were built for? */
	char uberr[2048];
	if (!dnsrep_unbound_is(EXPECT_CONFCMDLINE, PACKAGE_VERSION, uberr, sizeof(uberr))) {
		log_err("dnsrep: %s", uberr);
		log_err("dnsrep: refusing to load into an Unbound it was not built for");
		return 0;
	}
	struct dynlibmod_env *de = env->modinfo[id];
	char err[DNSREP_ERRLEN];
	struct dnsrep_module *mod = calloc(1, sizeof(*mod));
	if (!mod) {
		log_err("dnsrep: out of memory");
		return 0;
	}
	mod->env = env;
	mod->module_id = id;
	mod->id = atomic_fetch_add(&last_module_id, 1) + 1;
	mod->init_thread = pthread_self();
	pthread_mutex_init(&mod->threads_lock, NULL);
	pthread_mutex_init(&mod->evict_lock, NULL);
	dnsrep_walk_init(&mod->walk);
	mod->cfg_path = dnsrep_config_default_path();
	if (dnsrep_config_load(mod->cfg_path, &mod->cfg, err, sizeof(err)) < 0) {
		log_err("dnsrep: %s", err);
		log_err("dnsrep: refusing to start with a broken configuration "
			"(set DNSREP_CONF to use another file)");
		module_free(mod);
		return 0;
	}
	dnsrep_load_lookalike_opts(&mod->lookalike, mod->cfg);
	mod->counting = mod->cfg->metrics_listen || mod->cfg->redis;
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
	dnsrep_blocklog_set_msg(mod->log, on_msg, mod);
	if (mod->cfg->redis && mod->cfg->redis_stream) {
		if (dnsrep_store_primary_opts_from_config(&mod->stream_opts, mod->cfg, mod->stream_host,
						  sizeof(mod->stream_host), err, sizeof(err)) < 0) {
			log_err("dnsrep: block log stream: %s", err);
			module_free(mod);
			return 0;
		}
		mod->stream = dnsrep_logstream_new(&mod->stream_opts, mod->cfg->redis_stream_maxlen,
						   on_msg, mod);
		if (!mod->stream) {
			log_err("dnsrep: block log stream: out of memory or no thread");
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
	if (!dnsrep_reply_register(mod, env, id)) {
		log_err("dnsrep: cannot register the reply callbacks");
		de->dyn_env = NULL;
		module_free(mod);
		return 0;
	}
	struct dnsrep_refresher_opts ro = { .cfg = mod->cfg, .current = mod->current,
					    .on_prepare = on_prepare, .on_swap = on_swap,
					    .on_msg = on_msg, .ctx = mod,
					    .resolver_id = mod->resolver_id,
					    .on_figures = on_figures };
	mod->refresher = dnsrep_refresher_start(&ro, err, sizeof(err));
	if (!mod->refresher) {
		log_err("dnsrep: %s", err);
		dnsrep_reply_unregister(mod, env, id);
		de->dyn_env = NULL;
		module_free(mod);
		return 0;
	}
	log_info("dnsrep %s: init, module %d, config %s (%zu feeds), log %s",
		 dnsrep_version(), id, mod->cfg_path, mod->cfg->n_feeds, mod->cfg->log_file);
	mod->http = dnsrep_metrics_http_start(mod);
	if (id != 0)
		log_warn("dnsrep: dynlib is module %d, not the first in module-config: lookups of "
			 "blocked names reach the modules before it (they are still blocked when "
			 "answered); put dynlib first", id);
	return 1;
}

void deinit(struct module_env *env, int id)
{
	struct dynlibmod_env *de = env->modinfo[id];
	struct dnsrep_module *mod = de->dyn_env;
	if (!mod)
		return;
	de->dyn_env = NULL;
	dnsrep_reply_unregister(mod, env, id);
	module_free(mod);
	dnsrep_name_shutdown(); /* dlclose follows: nothing uses names any more */
	log_info("dnsrep: deinit, module %d", id);
}

/** Keep a block answer in the message cache, judged again by reply.c at every hit. */
static void keep_block(struct dnsrep_module *mod, struct module_qstate *qstate,
	const struct dnsrep_block *blk, struct dns_msg *msg)
{
	if (!dnsrep_block_cacheable(mod, blk, qstate->qinfo.qtype))
		return;
	/* inside the reader section: a swap waits for it, and its flush then sees this */
	(void)dns_cache_store(qstate->env, &qstate->qinfo, msg->rep, 0, 0, 0, NULL,
			      qstate->query_flags, qstate->qstarttime);
}

/** A new query: judge its name.  1 when it was answered (or failed) here. */
static int check_query(struct dnsrep_module *mod, struct module_qstate *qstate, int id)
{
	struct dnsrep_query *q = regional_alloc_zero(qstate->region, sizeof(*q));
	if (!q) {
		log_err("dnsrep: out of memory judging a query: SERVFAIL");
		qstate->ext_state[id] = module_error;
		return 1;
	}
	qstate->minfo[id] = q;
	int answered = 0;
	const struct dnsrep_snapshot *s = dnsrep_current_enter(mod->current);
	if (!s) {
		/* no blocklist loaded yet (no snapshot file, Redis not answering) */
		if (mod->cfg->no_blocklist_servfail && qstate->mesh_info &&
		    qstate->mesh_info->reply_list) {
			q->no_blocklist = 1; /* the SERVFAIL callback adds the EDE */
			qstate->return_msg = NULL;
			qstate->return_rcode = LDNS_RCODE_SERVFAIL;
			qstate->ext_state[id] = module_finished;
			answered = 1;
		}
		goto out;
	}
	struct dnsrep_judge_cache *memo = dnsrep_thread_cache(mod);
	q->serial = dnsrep_snapshot_serial(s);
	if (dnsrep_judge_name(mod, s, memo, qstate->qinfo.qname, qstate->qinfo.qname_len,
			      &q->qv) != DNSREP_EFFECT_BLOCK)
		goto out;
	if (qstate->mesh_info && qstate->mesh_info->super_set.count > 0 &&
	    !qstate->mesh_info->reply_list) {
		/* a lookup another query needs (the validator's keys, an alias's target):
		 * resolved, not cached; clients that join it are judged when answered */
		qstate->no_cache_store = 1;
		goto out;
	}
	if (dnsrep_all_clients_exempt(mod, qstate)) {
		/* resolved for this client; its answer must not reach others from the cache */
		q->exempt_pass = 1;
		qstate->no_cache_store = 1;
		goto out;
	}
	struct dnsrep_judgement j;
	struct dnsrep_block blk;
	dnsrep_judge_answer(mod, s, memo, qstate->qinfo.qname, qstate->qinfo.qname_len, &q->qv,
			    NULL, &j);
	dnsrep_judgement_block(&j, &blk);
	answered = 1;
	if (!(q->block = dnsrep_synth_block(mod, qstate->region, &qstate->qinfo, &blk))) {
		log_err("dnsrep: out of memory answering a blocked lookup: SERVFAIL");
		qstate->ext_state[id] = module_error;
		goto out;
	}
	qstate->return_msg = q->block;
	qstate->return_rcode = LDNS_RCODE_NOERROR;
	qstate->ext_state[id] = module_finished;
	keep_block(mod, qstate, &blk, q->block);
out:
	dnsrep_current_leave(mod->current);
	return answered;
}

/** Remove the cached messages of an answer's query name and every chain target. */
static void forget_answer(struct module_qstate *qstate, const struct reply_info *rep)
{
	struct query_info *qi = &qstate->qinfo;
	dnsrep_forget_msg(qstate->env, qi->qname, qi->qname_len, qi->qtype, qi->qclass);
	for (size_t i = 0; i < rep->an_numrrsets && i < rep->rrset_count; i++) {
		struct ub_packed_rrset_key *k = rep->rrsets[i];
		uint16_t type = ntohs(k->rk.type);
		struct packed_rrset_data *d = (struct packed_rrset_data *)k->entry.data;
		if ((type != LDNS_RR_TYPE_CNAME && type != LDNS_RR_TYPE_DNAME) || !d)
			continue;
		for (size_t r = 0; r < d->count; r++) {
			size_t len;
			if (d->rr_len[r] < 3 || !(len = dname_valid(d->rr_data[r] + 2, d->rr_len[r] - 2)))
				continue;
			dnsrep_forget_msg(qstate->env, d->rr_data[r] + 2, len, qi->qtype, qi->qclass);
		}
	}
}

/**
 * The answer came back from the modules below.  Judge it again, by the current
 * snapshot (a new one may have come while it was resolved) and with its chain.
 * When it must not go out, the modules below may have cached it: it is removed
 * from the message cache with every chain target's message, and a block answer
 * is made, which reply.c shows to each client that may not see the real one (the
 * real one stays the query's answer: exempt clients, and the queries waiting for
 * this one inside Unbound, get it), and which is cached where that is safe.
 */
static void check_answer(struct dnsrep_module *mod, struct module_qstate *qstate, int id)
{
	struct reply_info *rep = qstate->return_msg ? qstate->return_msg->rep : NULL;
	struct dnsrep_query *q = qstate->minfo[id];
	if (!rep || (q && q->block && qstate->return_msg == q->block))
		return;
	const struct dnsrep_snapshot *s = dnsrep_current_enter(mod->current);
	struct dnsrep_judgement j;
	int same = s && q && q->serial == dnsrep_snapshot_serial(s);
	if (!s || dnsrep_judge_answer(mod, s, dnsrep_thread_cache(mod), qstate->qinfo.qname,
				      qstate->qinfo.qname_len, same ? &q->qv : NULL, rep, &j) !=
			  DNSREP_EFFECT_BLOCK) {
		dnsrep_current_leave(mod->current);
		return;
	}
	forget_answer(qstate, rep);
	if (!q && (q = regional_alloc_zero(qstate->region, sizeof(*q))))
		qstate->minfo[id] = q;
	struct dnsrep_block blk;
	dnsrep_judgement_block(&j, &blk);
	struct dns_msg *msg = dnsrep_synth_block(mod, qstate->region, &qstate->qinfo, &blk);
	if (q && msg) {
		q->block = msg;
		q->block_serial = dnsrep_snapshot_serial(s);
		keep_block(mod, qstate, &blk, msg);
	} /* out of memory: reply.c makes the block per client, or SERVFAILs */
	dnsrep_current_leave(mod->current);
}

void operate(struct module_qstate *qstate, enum module_ev event, int id,
	struct outbound_entry *entry)
{
	struct dynlibmod_env *de = qstate->env->modinfo[id];
	struct dnsrep_module *mod = de->dyn_env;
	(void)entry;
	if (mod)
		dnsrep_thread_serve(mod, qstate->env);
	switch (event) {
	case module_event_new:
		if (mod)
			dnsrep_evict_now(mod, qstate->env);
		if (mod && check_query(mod, qstate, id))
			return;
		qstate->ext_state[id] = module_wait_module;
		return;
	case module_event_pass:
		qstate->ext_state[id] = module_wait_module;
		return;
	case module_event_moddone:
		qstate->ext_state[id] = module_finished;
		if (mod) {
			dnsrep_evict_now(mod, qstate->env);
			check_answer(mod, qstate, id);
		}
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
	/* a reader section: the refresher may swap and free meanwhile */
	const struct dnsrep_snapshot *s = dnsrep_current_enter(mod->current);
	size_t n = s ? dnsrep_snapshot_memory(s) : 0;
	dnsrep_current_leave(mod->current);
	return n + dnsrep_threads_bytes(mod);
}
