/*
 * flush.c — keeping Unbound's caches in step with the blocklist.
 *
 * The worker answers from its message cache before any module runs.  So after a
 * swap every cached entry whose name the new snapshot judges differently from the
 * old one must go: a real answer of a name now blocked, a block answer of a name
 * no longer blocked (or blocked with another action).  A cached message refers to
 * its RRsets by id, and a removed RRset fails that check, so removing the RRsets
 * of a changed name also retires every cached CNAME chain that runs through it.
 *
 * The walk takes each slab's table lock only while it copies the keys of a few
 * bins (Unbound's own lookups hold the same locks for as long), never for a whole
 * slab: resolver threads get the lock between every handful of bins.  The copied
 * names are judged outside every lock: first against the delta (dnsrep/delta.h, a
 * small snapshot of the names that changed), and only the names it covers with
 * both snapshots.  Removals then go through Unbound's own remove functions.
 *
 * Entries stored while the walk runs were judged with the new snapshot already:
 * the swap returned only after every resolver thread had left the old one, and
 * the plugin stores its block answers inside its reader section.  Answers the
 * iterator stores for lookups that were in flight are judged again when they come
 * back (operate, module_event_moddone) and when they are sent (reply.c).
 *
 * Also here: answers found in the cache where it is locked (reply.c) are queued
 * and removed by the next operate call on any thread.
 */
#include "config.h"
#include "util/module.h"
#include "util/log.h"
#include "util/locks.h"
#include "util/net_help.h"
#include "util/data/msgreply.h"
#include "util/data/packed_rrset.h"
#include "util/storage/lruhash.h"
#include "util/storage/slabhash.h"
#include "services/cache/dns.h"
#include "services/cache/rrset.h"

#include <stdlib.h>
#include <string.h>

#include "dnsrep/delta.h"
#include "module.h"

/** Bins whose keys are copied under one hold of a slab's table lock. */
#define BINS_PER_HOLD 32

/** One cache entry's key, copied out of the cache. */
struct key {
	uint8_t name[LDNS_MAX_DOMAINLEN + 1];
	uint8_t len;
	uint16_t type, dclass;  /**< host order */
	uint32_t flags;         /**< the RRset key's flags */
};

/** Keys copied under one lock hold; grows when a bin is crowded. */
struct batch {
	struct key *k;
	size_t n, cap;
	int oom;
};

struct walk {
	const struct dnsrep_module *mod;
	const struct dnsrep_snapshot *old, *now, *delta;
	int all;                 /**< no delta: every name may have changed */
	struct batch b;
	size_t removed;
};

static void batch_add(struct batch *b, const uint8_t *name, size_t len, uint16_t type,
	uint16_t dclass, uint32_t flags)
{
	if (len > LDNS_MAX_DOMAINLEN + 1 || b->oom)
		return;
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 256;
		struct key *k = realloc(b->k, cap * sizeof(*k));
		if (!k) {
			b->oom = 1;
			return;
		}
		b->k = k;
		b->cap = cap;
	}
	struct key *k = &b->k[b->n++];
	memcpy(k->name, name, len);
	k->len = (uint8_t)len;
	k->type = type;
	k->dclass = dclass;
	k->flags = flags;
}

/** What a snapshot does with a name: 0 nothing, else 1 + the action (log-only included). */
static int state_of(const struct dnsrep_module *mod, const struct dnsrep_snapshot *s,
	const uint8_t *name, size_t len)
{
	struct dnsrep_ruling v;
	if (!s || dnsrep_judge_name(mod, s, NULL, name, len, &v) == DNSREP_EFFECT_PASS)
		return 0;
	return 1 + (int)v.action;
}

/** Whether the two snapshots judge a name differently. */
static int changed(const struct walk *w, const uint8_t *name, size_t len)
{
	if (!w->all && !dnsrep_delta_covers(w->delta, name, len))
		return 0;
	return state_of(w->mod, w->old, name, len) != state_of(w->mod, w->now, name, len);
}

/** Copy the keys of bins [from, from + BINS_PER_HOLD) of one slab; 0 past its end. */
static int copy_bins(struct lruhash *h, size_t from, int is_msg, struct batch *b)
{
	lock_quick_lock(&h->lock);
	size_t size = h->size; /* the table may have grown since the last hold */
	if (from >= size) {
		lock_quick_unlock(&h->lock);
		return 0;
	}
	for (size_t i = from; i < from + BINS_PER_HOLD && i < size; i++) {
		struct lruhash_bin *bin = &h->array[i];
		lock_quick_lock(&bin->lock);
		for (struct lruhash_entry *e = bin->overflow_list; e; e = e->overflow_next) {
			if (is_msg) {
				const struct msgreply_entry *m = (const struct msgreply_entry *)e->key;
				batch_add(b, m->key.qname, m->key.qname_len, m->key.qtype,
					  m->key.qclass, 0);
			} else {
				const struct ub_packed_rrset_key *k = (const struct ub_packed_rrset_key *)e->key;
				batch_add(b, k->rk.dname, k->rk.dname_len, ntohs(k->rk.type),
					  ntohs(k->rk.rrset_class), k->rk.flags);
			}
		}
		lock_quick_unlock(&bin->lock);
	}
	lock_quick_unlock(&h->lock);
	return 1;
}

static void walk_table(struct walk *w, struct module_env *env, struct slabhash *sh, int is_msg)
{
	for (size_t slab = 0; slab < sh->size; slab++) {
		for (size_t from = 0;; from += BINS_PER_HOLD) {
			w->b.n = 0;
			if (!copy_bins(sh->array[slab], from, is_msg, &w->b))
				break;
			for (size_t i = 0; i < w->b.n; i++) {
				struct key *k = &w->b.k[i];
				if (!changed(w, k->name, k->len))
					continue;
				if (is_msg)
					dnsrep_forget_msg(env, k->name, k->len, k->type, k->dclass);
				else
					rrset_cache_remove(env->rrset_cache, k->name, k->len, k->type,
							   k->dclass, k->flags);
				w->removed++;
			}
		}
	}
}

size_t dnsrep_flush_changed(struct dnsrep_module *mod, const struct dnsrep_snapshot *old,
	const struct dnsrep_snapshot *now)
{
	struct module_env *env = mod->env;
	char err[DNSREP_ERRLEN];
	struct walk w = { .mod = mod, .old = old, .now = now };
	struct dnsrep_snapshot *delta = NULL;
	if (!env || !now)
		return 0;
	size_t n_changed = 0;
	if (!old) {
		w.all = 1; /* the first blocklist: whatever the cache holds was never judged */
	} else if (dnsrep_delta_build(old, now, &mod->lookalike, &delta, &n_changed, err,
				      sizeof(err)) < 0) {
		log_warn("dnsrep: %s: checking every cached name against both blocklists", err);
		w.all = 1;
	} else if (!delta) {
		return 0; /* no name is judged differently */
	}
	w.delta = delta;
	if (env->rrset_cache)
		walk_table(&w, env, &env->rrset_cache->table, 0);
	if (env->msg_cache)
		walk_table(&w, env, env->msg_cache, 1);
	if (w.b.oom)
		log_err("dnsrep: out of memory walking the cache: some cached answers of changed "
			"names may be served until their TTL ends");
	free(w.b.k);
	dnsrep_snapshot_free(delta);
	return w.removed;
}

void dnsrep_forget_msg(struct module_env *env, const uint8_t *name, size_t len, uint16_t qtype,
	uint16_t qclass)
{
	/* the message cache keys on the query's CD bit too */
	msg_cache_remove(env, (uint8_t *)name, len, qtype, qclass, 0);
	msg_cache_remove(env, (uint8_t *)name, len, qtype, qclass, BIT_CD);
}

void dnsrep_evict_later(struct dnsrep_module *mod, const uint8_t *qname, size_t len,
	uint16_t qtype, uint16_t qclass)
{
	if (len > sizeof(mod->evict[0].qname))
		return;
	pthread_mutex_lock(&mod->evict_lock);
	if (mod->n_evict < DNSREP_EVICT_MAX) {
		struct dnsrep_evict *e = &mod->evict[mod->n_evict++];
		memcpy(e->qname, qname, len);
		e->qname_len = len;
		e->qtype = qtype;
		e->qclass = qclass;
		atomic_store(&mod->evict_pending, mod->n_evict);
	} else {
		log_err("dnsrep: too many cached answers of blocked names waiting to be removed: "
			"one stays until its TTL ends");
	}
	pthread_mutex_unlock(&mod->evict_lock);
}

void dnsrep_evict_now(struct dnsrep_module *mod, struct module_env *env)
{
	struct dnsrep_evict e[DNSREP_EVICT_MAX];
	int n;
	if (atomic_load_explicit(&mod->evict_pending, memory_order_relaxed) == 0)
		return;
	pthread_mutex_lock(&mod->evict_lock);
	n = mod->n_evict;
	memcpy(e, mod->evict, (size_t)n * sizeof(e[0]));
	mod->n_evict = 0;
	atomic_store(&mod->evict_pending, 0);
	pthread_mutex_unlock(&mod->evict_lock);
	for (int i = 0; i < n; i++)
		dnsrep_forget_msg(env, e[i].qname, e[i].qname_len, e[i].qtype, e[i].qclass);
}
