/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * reply.c — every answer judged when it is sent, for the client it is sent to.
 *
 * Unbound hands a module's callbacks each answer on its way out (registered
 * through dynlib's inplace_cb_register_wrapped; Unbound 1.17 ignores what they
 * return, so they act on the answer itself):
 *
 *   inplace_cb_reply        mesh_send_reply, once per client of a query state:
 *                           that client's address, EDNS and option list, and
 *                           the reply about to be encoded, which lives in the
 *                           query's own region.  The client gets a block or the
 *                           real answer by what this client may see: the
 *                           reply's fields are switched between the two
 *                           (struct dnsrep_rep_view) before it is encoded, and
 *                           switched back for the next client.  So a client that
 *                           joined an exempt client's lookup is blocked, an
 *                           exempt client that joined a blocked one gets the real
 *                           answer, and a lookup in flight when a new blocklist
 *                           came is judged by the new one.
 *   inplace_cb_reply_cache  answer_from_cache, for answers from the message
 *                           cache, with the cache entry locked: it must not be
 *                           changed.  Cached block answers (dnsrep_block_cacheable)
 *                           and log-only answers are logged here per client, and
 *                           blocks get their EDE.  A cached answer that gives a
 *                           blocked name away cannot happen but by a race with a
 *                           new blocklist (README: what the caches can still do):
 *                           it is logged as "escaped" and removed right after.
 *   inplace_cb_reply_servfail  a SERVFAIL to a client: when the plugin chose it
 *                           (on-no-blocklist: servfail), EDE 14 says why.
 *   inplace_cb_query_response
 *                           the iterator, for every answer from upstream: a query
 *                           state that touches a blocked name — its own name, the
 *                           name it chases, a CNAME target — is told not to store
 *                           its answer in the message cache (no_cache_store).  This
 *                           covers the iterator's own lookups, which start below
 *                           this module: name server addresses, the per-class
 *                           queries of a class-ANY lookup.
 */
#include "config.h"            /* Unbound's: fixes the layout of its structs */
#include "util/module.h"
#include "util/log.h"
#include "util/netevent.h"
#include "util/net_help.h"
#include "services/mesh.h"
#include "sldns/sbuffer.h"
#include "sldns/pkthdr.h"
#include "util/regional.h"
#include "util/data/dname.h"
#include "util/data/msgreply.h"
#include "util/data/packed_rrset.h"
#include "services/cache/dns.h"
#include "sldns/rrdef.h"
#include "dynlibmod/dynlibmod.h"

#include <stddef.h>
#include <string.h>

#include "plugin.h"

/* ---- switching a reply between two answers ------------------------------------ */

static void view_save(const struct reply_info *rep, struct dnsrep_rep_view *v)
{
	v->flags = rep->flags;
	v->qdcount = rep->qdcount;
	v->ttl = rep->ttl;
	v->prefetch_ttl = rep->prefetch_ttl;
	v->serve_expired_ttl = rep->serve_expired_ttl;
	v->security = rep->security;
	v->an_numrrsets = rep->an_numrrsets;
	v->ns_numrrsets = rep->ns_numrrsets;
	v->ar_numrrsets = rep->ar_numrrsets;
	v->rrset_count = rep->rrset_count;
	v->rrsets = rep->rrsets;
	v->authoritative = rep->authoritative;
}

static void view_apply(struct reply_info *rep, const struct dnsrep_rep_view *v)
{
	rep->flags = v->flags;
	rep->qdcount = v->qdcount;
	rep->ttl = v->ttl;
	rep->prefetch_ttl = v->prefetch_ttl;
	rep->serve_expired_ttl = v->serve_expired_ttl;
	rep->security = v->security;
	rep->an_numrrsets = v->an_numrrsets;
	rep->ns_numrrsets = v->ns_numrrsets;
	rep->ar_numrrsets = v->ar_numrrsets;
	rep->rrset_count = v->rrset_count;
	rep->rrsets = v->rrsets;
	rep->authoritative = v->authoritative;
}

/** Undo a switch: the reply shows its own answer again. */
static void restore(struct dnsrep_query *q)
{
	if (q && q->shown) {
		view_apply(q->shown, &q->saved);
		q->shown = NULL;
	}
}

/** Make rep show another view until restore(). */
static void show_view(struct dnsrep_query *q, struct reply_info *rep, const struct dnsrep_rep_view *v)
{
	view_save(rep, &q->saved);
	view_apply(rep, v);
	q->shown = rep;
}

/** Make rep show other's answer until restore(). */
static void show(struct dnsrep_query *q, struct reply_info *rep, const struct reply_info *other)
{
	struct dnsrep_rep_view v;
	view_save(other, &v);
	show_view(q, rep, &v);
}

/** Make rep a SERVFAIL (no records) until restore(); allocates nothing. */
static void show_servfail(struct dnsrep_query *q, struct reply_info *rep)
{
	struct dnsrep_rep_view v;
	view_save(rep, &v);
	v.flags = (uint16_t)(BIT_QR | BIT_RA | LDNS_RCODE_SERVFAIL);
	v.an_numrrsets = v.ns_numrrsets = v.ar_numrrsets = v.rrset_count = 0;
	v.security = sec_status_insecure;
	v.authoritative = 0;
	show_view(q, rep, &v);
}

/**
 * Before the query's reply is switched for the first time: the query states that
 * wait for this one (mesh_walk_supers, after the clients are answered) read its
 * return_msg, so they get an unswitched copy of it, whatever the last client saw.
 */
static void shield_supers(struct module_qstate *qstate, struct reply_info *rep, struct regional *region)
{
	struct dns_msg *m = qstate->return_msg, *copy;
	if (!m || m->rep != rep || !(copy = regional_alloc_init(region, m, sizeof(*m))))
		return;
	if (!(copy->rep = regional_alloc_init(region, rep, sizeof(*rep))))
		return;
	qstate->return_msg = copy;
}

/** Whether a reply must not reach a client that did not set CD (Unbound's own test). */
static int bogus_for(const struct module_qstate *qstate, const struct mesh_reply *r,
	const struct reply_info *rep)
{
	return qstate->env->need_to_validate && (!(r->qflags & BIT_CD) || qstate->env->cfg->ignore_cd) &&
	       (rep->security <= sec_status_bogus || rep->security == sec_status_secure_sentinel_fail);
}

/* ---- answers from query states -------------------------------------------------- */

/** The query's state, made when the callback needs one and operate made none. */
static struct dnsrep_query *query_of(struct module_qstate *qstate, int id)
{
	struct dnsrep_query *q = qstate->minfo[id];
	if (!q && (q = regional_alloc_zero(qstate->region, sizeof(*q))))
		qstate->minfo[id] = q;
	return q;
}

/**
 * A SERVFAIL on its way to a client of a query state (inplace_cb_reply_servfail):
 * when it is the plugin's own (on-no-blocklist: servfail), EDE 14 says why.
 */
static int on_servfail(struct query_info *qinfo, struct module_qstate *qstate,
	struct reply_info *rep, int rcode, struct edns_data *edns, struct edns_option **opt_list_out,
	struct comm_reply *repinfo, struct regional *region, struct timeval *start_time, int id,
	void *arg)
{
	(void)qinfo, (void)rep, (void)rcode, (void)repinfo, (void)start_time, (void)arg;
	struct dnsrep_query *q = qstate ? qstate->minfo[id] : NULL;
	if (q && q->no_blocklist && edns && edns->edns_present && region)
		(void)edns_opt_list_append_ede(opt_list_out, region, LDNS_EDE_NOT_READY,
					       "dnsrep: no blocklist loaded yet");
	return 1;
}

/**
 * One client of a query state is about to be sent rep (the query's own reply, or an
 * expired one from the cache): judge it for this client and switch rep to what the
 * client may see.  Unbound has checked rep's security for this client before this
 * call, on the view the previous client left; so a block never keeps AD (the
 * client's AD and DO bits are cleared), and a bogus real answer becomes SERVFAIL here.
 */
static int on_reply(struct query_info *qinfo, struct module_qstate *qstate, struct reply_info *rep,
	int rcode, struct edns_data *edns, struct edns_option **opt_list_out,
	struct comm_reply *repinfo, struct regional *region, struct timeval *start_time, int id,
	void *arg)
{
	struct dnsrep_module *mod = arg;
	/* no client (Unbound's own lookups), or an error rcode (nothing is given away) */
	if (!qstate || !repinfo || !rep || rcode != LDNS_RCODE_NOERROR)
		return 1;
	/* mesh_send_reply passes &r->query_reply: its mesh_reply holds the client's flags */
	struct mesh_reply *r = (struct mesh_reply *)((char *)repinfo - offsetof(struct mesh_reply, query_reply));
	dnsrep_thread_serve(mod, qstate->env);
	struct dnsrep_query *q = query_of(qstate, id);
	if (!q)
		return 1; /* out of memory: the answer operate chose goes out */
	restore(q);
	int is_block = q->block && rep == q->block->rep;  /* blocked when asked: nothing real */
	struct reply_info *real = is_block ? NULL : rep;
	const struct dnsrep_snapshot *s = dnsrep_current_enter(mod->current);
	if (!s) {
		dnsrep_current_leave(mod->current);
		return 1;
	}
	uint64_t serial = dnsrep_snapshot_serial(s);
	struct dnsrep_judgement j;
	struct dnsrep_judge_cache *c = dnsrep_thread_cache(mod);
	dnsrep_count_judged(mod, c);
	enum dnsrep_effect e = dnsrep_judge_answer(mod, s, c, qinfo->qname,
		qinfo->qname_len, q->serial == serial ? &q->qv : NULL, real, &j);
	struct dnsrep_block blk;
	dnsrep_judgement_block(&j, &blk);
	int exempt = e == DNSREP_EFFECT_BLOCK && dnsrep_client_exempt(mod, &repinfo->client_addr);
	enum dnsrep_log_kind kind = DNSREP_LOG_BLOCKED;
	int logged = 1, listed = 1;
	uint16_t ede = 0;
	if (e == DNSREP_EFFECT_BLOCK && !exempt) {
		if (!is_block) {
			if (!q->block || q->block_serial != serial) {
				q->block = dnsrep_synth_block(mod, region, qinfo, &blk);
				q->block_serial = serial;
			}
			if (!q->block) {
				log_err("dnsrep: out of memory blocking an answer: SERVFAIL instead");
				shield_supers(qstate, rep, region);
				show_servfail(q, rep);
				dnsrep_current_leave(mod->current);
				return 1;
			}
			shield_supers(qstate, rep, region);
			show(q, rep, q->block->rep);
		}
		/* the real answer's security was read before this call (RFC 4035: AD needs
		 * DO or AD in the query) */
		r->qflags &= ~BIT_AD;
		edns->bits &= ~EDNS_DO;
		if (edns->edns_present && dnsrep_synth_ede(mod, &blk, opt_list_out, region))
			ede = (uint16_t)mod->cfg->ede;
	} else {
		/* the real answer (rep shows it), or — blocked when asked — the block */
		if (real && bogus_for(qstate, r, real)) {
			shield_supers(qstate, rep, region);
			show_servfail(q, rep);
		}
		if (e == DNSREP_EFFECT_BLOCK && real) {
			kind = DNSREP_LOG_EXEMPT;
			logged = mod->cfg->log_exempt;
		} else if (e == DNSREP_EFFECT_LOG && real) {
			kind = DNSREP_LOG_LOGONLY;
		} else {
			/* nothing listed; or a block that a new blocklist ended a moment ago,
			 * with nothing real to send instead: it goes out */
			logged = listed = 0;
		}
	}
	if (listed)
		dnsrep_count_lookup(mod, c, kind, &blk, serial);
	if (logged)
		dnsrep_record_client(mod, kind, &blk, &j, &repinfo->client_addr,
			repinfo->client_addrlen, qinfo->qname, qinfo->qname_len, qinfo->qtype, ede,
			start_time);
	dnsrep_current_leave(mod->current);
	return 1;
}

/* ---- answers from the message cache ---------------------------------------------- */

/** Whether an answer gives anything of its name away: records, or a referral. */
static int gives_data(const struct reply_info *rep)
{
	if (rep->an_numrrsets > 0)
		return 1;
	for (size_t i = rep->an_numrrsets; i < rep->an_numrrsets + rep->ns_numrrsets &&
	     i < rep->rrset_count; i++)
		if (ntohs(rep->rrsets[i]->rk.type) == LDNS_RR_TYPE_NS)
			return 1;
	return 0;
}

static int on_cache_reply(struct query_info *qinfo, struct module_qstate *qstate,
	struct reply_info *rep, int rcode, struct edns_data *edns, struct edns_option **opt_list_out,
	struct comm_reply *repinfo, struct regional *region, struct timeval *start_time, int id,
	void *arg)
{
	struct dnsrep_module *mod = arg;
	(void)rcode;
	(void)id;
	if (qstate || !repinfo || !rep)
		return 1;
	/* a non-recursive query (allow_snoop clients) answered with a referral from the
	 * RRset cache: name servers of a zone, not an answer for the name */
	if (!LDNS_RD_WIRE(sldns_buffer_begin(repinfo->c->buffer)) && rep->an_numrrsets == 0 &&
	    gives_data(rep))
		return 1;
	const struct dnsrep_snapshot *s = dnsrep_current_enter(mod->current);
	struct dnsrep_judgement j;
	struct dnsrep_judge_cache *c = dnsrep_thread_cache(mod);
	if (s)
		dnsrep_count_judged(mod, c);
	if (!s || dnsrep_judge_answer(mod, s, c, qinfo->qname,
				      qinfo->qname_len, NULL, rep, &j) == DNSREP_EFFECT_PASS) {
		dnsrep_current_leave(mod->current);
		return 1;
	}
	struct dnsrep_block blk;
	dnsrep_judgement_block(&j, &blk);
	enum dnsrep_log_kind kind = DNSREP_LOG_LOGONLY;
	uint16_t ede = 0;
	if (j.effect == DNSREP_EFFECT_BLOCK) {
		if (dnsrep_client_exempt(mod, &repinfo->client_addr)) {
			kind = DNSREP_LOG_EXEMPT;
		} else if (gives_data(rep)) {
			/* the cache is locked here: the entry goes from operate */
			kind = DNSREP_LOG_ESCAPED;
			dnsrep_evict_later(mod, qinfo->qname, qinfo->qname_len, qinfo->qtype,
					   qinfo->qclass);
			if (atomic_fetch_add(&mod->escaped, 1) < 10)
				log_warn("dnsrep: a blocked name was answered from Unbound's cache "
					 "(a lookup that raced a new blocklist); removing it, logged as "
					 "\"escaped\"");
		} else {
			kind = DNSREP_LOG_BLOCKED;
			if (edns->edns_present && dnsrep_synth_ede(mod, &blk, opt_list_out, region))
				ede = (uint16_t)mod->cfg->ede;
		}
	}
	dnsrep_count_lookup(mod, c, kind, &blk, dnsrep_snapshot_serial(s));
	if (kind != DNSREP_LOG_EXEMPT || mod->cfg->log_exempt)
		dnsrep_record_client(mod, kind, &blk, &j, &repinfo->client_addr,
			repinfo->client_addrlen, qinfo->qname, qinfo->qname_len, qinfo->qtype, ede,
			start_time);
	dnsrep_current_leave(mod->current);
	return 1;
}

/* ---- answers from upstream ---------------------------------------------------------- */

/** Whether a name is blocked (its own entry, or as a lookalike). */
static int blocked(struct dnsrep_module *mod, const struct dnsrep_snapshot *s, const uint8_t *name,
	size_t len)
{
	struct dnsrep_ruling v;
	return dnsrep_judge_name(mod, s, dnsrep_thread_cache(mod), name, len, &v) == DNSREP_EFFECT_BLOCK;
}

static int on_upstream_response(struct module_qstate *qstate, struct dns_msg *response, int id,
	void *arg)
{
	struct dnsrep_module *mod = arg;
	(void)id;
	if (!qstate || qstate->no_cache_store)
		return 1;
	const struct dnsrep_snapshot *s = dnsrep_current_enter(mod->current);
	int touch = 0;
	if (s) {
		touch = blocked(mod, s, qstate->qinfo.qname, qstate->qinfo.qname_len);
		if (!touch && response) {
			struct dnsrep_judgement j;
			touch = blocked(mod, s, response->qinfo.qname, response->qinfo.qname_len) ||
				dnsrep_judge_answer(mod, s, dnsrep_thread_cache(mod), response->qinfo.qname,
					response->qinfo.qname_len, NULL, response->rep, &j) ==
					DNSREP_EFFECT_BLOCK;
		}
	}
	dnsrep_current_leave(mod->current);
	if (touch)
		qstate->no_cache_store = 1;
	return 1;
}

/* ---- registration ------------------------------------------------------------------ */

int dnsrep_reply_register(struct dnsrep_module *mod, struct module_env *env, int id)
{
	struct dynlibmod_env *de = env->modinfo[id];
	if (!de->inplace_cb_register_wrapped((void *)&on_reply, inplace_cb_reply, mod, env, id))
		return 0;
	if (!de->inplace_cb_register_wrapped((void *)&on_cache_reply, inplace_cb_reply_cache, mod,
					     env, id)) {
		de->inplace_cb_delete_wrapped(env, inplace_cb_reply, id);
		return 0;
	}
	/* only with on-no-blocklist: servfail (a SERVFAIL callback costs Unbound its reuse
	 * of one encoded SERVFAIL for every client of a query) */
	if (mod->cfg->no_blocklist_servfail &&
	    !de->inplace_cb_register_wrapped((void *)&on_servfail, inplace_cb_reply_servfail, mod,
					     env, id)) {
		de->inplace_cb_delete_wrapped(env, inplace_cb_reply, id);
		de->inplace_cb_delete_wrapped(env, inplace_cb_reply_cache, id);
		return 0;
	}
	if (!de->inplace_cb_register_wrapped((void *)&on_upstream_response, inplace_cb_query_response,
					     mod, env, id)) {
		de->inplace_cb_delete_wrapped(env, inplace_cb_reply, id);
		de->inplace_cb_delete_wrapped(env, inplace_cb_reply_cache, id);
		de->inplace_cb_delete_wrapped(env, inplace_cb_reply_servfail, id);
		return 0;
	}
	mod->callbacks = 1;
	return 1;
}

void dnsrep_reply_unregister(struct dnsrep_module *mod, struct module_env *env, int id)
{
	struct dynlibmod_env *de = env->modinfo[id];
	if (!mod->callbacks)
		return;
	de->inplace_cb_delete_wrapped(env, inplace_cb_reply, id);
	de->inplace_cb_delete_wrapped(env, inplace_cb_reply_cache, id);
	de->inplace_cb_delete_wrapped(env, inplace_cb_reply_servfail, id);
	de->inplace_cb_delete_wrapped(env, inplace_cb_query_response, id);
	mod->callbacks = 0;
}
