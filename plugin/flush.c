/* SPDX-License-Identifier: BSD-3-Clause */
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
 * The walk.  The refresher builds the delta (dnsrep/delta.h: a small snapshot of
 * the names that changed) before the swap, and after it publishes a walk and
 * waits.  The resolver threads do the walking, each on its own timer (thread.c),
 * never on the refresher thread: Unbound may free its caches on a reload, and
 * only its resolver threads are sure to be stopped by then.  One thread at a time
 * walks, a slab at a time, in slices of at most about 0.3 ms; its own lookups are
 * served between slices, the other threads' undisturbed.  It takes a cache's locks
 * as Unbound's lookups do — the table lock just to find a bin, the bin's lock
 * while it copies that bin's keys — then judges the copied names outside every
 * lock: first against the delta, and only the names it covers with both
 * snapshots; the changed ones go through Unbound's remove functions.
 * When the last slab is done, the refresher frees the old snapshot.
 *
 * While a module starts (init), before any resolver thread runs, the walk runs at
 * once on the thread that starts it: after `reload_keep_cache` the caches still
 * hold the previous module's answers, so that first walk also removes every
 * negative answer (the previous module's block answers among them).
 *
 * Entries stored while the walk runs were judged with the new snapshot already:
 * the swap returned only after every resolver thread had left the old one, and
 * the plugin stores its block answers inside its reader section.  Answers for
 * lookups in flight are judged again when they come back and when they are sent.
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
#include "sldns/rrdef.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dnsrep/delta.h"
#include "plugin.h"

/** Bins whose keys are copied under one hold of a slab's table lock. */
#define BINS_PER_HOLD 32
/** Bytes a batch holds at first; it grows (outside every lock) when a hold needs more. */
#define BATCH_START (64 * 1024)
/** A slice of the walk on a resolver thread, nanoseconds. */
#define SLICE_NS 300000L

/**
 * The keys copied out of the cache under one lock hold, packed into a byte array
 * (struct dnsrep_batch: k the bytes, n the bytes used, cap their room): per entry
 * a header (struct key) and its name's octets.  Names are short, the walk touches
 * a million entries: the copies must be small.
 */
struct key {
	uint8_t len;            /**< the name's octets, following the header */
	uint8_t negative;       /**< a message whose answer is negative (init walk only) */
	uint16_t type, dclass;  /**< host order */
	uint32_t flags;         /**< the RRset key's flags */
};
#define batch dnsrep_batch
/** Room one entry needs at most. */
#define KEY_MAX (sizeof(struct key) + LDNS_MAX_DOMAINLEN + 1)

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
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

/** Whether a message's answer is negative: NXDOMAIN, REFUSED, or no answer records. */
static int negative_answer(const struct reply_info *rep)
{
	int rcode = FLAGS_GET_RCODE(rep->flags);
	return rcode == LDNS_RCODE_NXDOMAIN || rcode == LDNS_RCODE_REFUSED ||
	       (rcode == LDNS_RCODE_NOERROR && rep->an_numrrsets == 0);
}

/** The n-th slab of the walk: the RRset cache's slabs, then the message cache's. */
static struct lruhash *slab_of(struct module_env *env, size_t n, int *is_msg)
{
	struct slabhash *rr = env->rrset_cache ? &env->rrset_cache->table : NULL;
	size_t n_rr = rr ? rr->size : 0;
	*is_msg = n >= n_rr;
	if (!*is_msg)
		return rr->array[n];
	n -= n_rr;
	return env->msg_cache && n < env->msg_cache->size ? env->msg_cache->array[n] : NULL;
}

static size_t slabs_of(struct module_env *env)
{
	return (env->rrset_cache ? env->rrset_cache->table.size : 0) +
	       (env->msg_cache ? env->msg_cache->size : 0);
}

/** Append one key to a batch that has room for it. */
static void put_key(struct batch *b, const uint8_t *name, size_t len, uint16_t type,
	uint16_t dclass, uint32_t flags, int negative)
{
	struct key k = { .len = (uint8_t)len, .negative = (uint8_t)negative, .type = type,
			 .dclass = dclass, .flags = flags };
	uint8_t *p = (uint8_t *)b->k + b->n;
	memcpy(p, &k, sizeof(k));
	memcpy(p + sizeof(k), name, len);
	b->n += sizeof(k) + len;
}

/**
 * Copy the keys of bins [*from, *from + BINS_PER_HOLD) of one slab, taking the
 * locks as Unbound's own lookups do (lruhash_lookup): the slab's table lock only
 * to find a bin, then that bin's lock while its few entries are copied.  These
 * are spinlocks: held longer, a resolver thread whose lookup waits for one spins
 * for as long as the holder's CPU is taken from it (seen on a virtual machine:
 * milliseconds).  Stops early, before a bin, when the batch has no room for it
 * (*from then says where to go on).
 * @return 0 when the slab is done, 1 when there is more, -1 when the batch must grow.
 */
static int copy_bins(struct lruhash *h, size_t *from, int is_msg, int negatives, struct batch *b)
{
	size_t i = *from;
	int rc = 1;
	for (; i < *from + BINS_PER_HOLD; i++) {
		lock_quick_lock(&h->lock);
		if (i >= h->size) { /* the table may have grown since: its size is read each time */
			lock_quick_unlock(&h->lock);
			rc = 0;
			break;
		}
		struct lruhash_bin *bin = &h->array[i];
		lock_quick_lock(&bin->lock);
		lock_quick_unlock(&h->lock); /* a resize waits for this bin's lock to split it */
		size_t in_bin = 0;
		for (struct lruhash_entry *e = bin->overflow_list; e; e = e->overflow_next)
			in_bin++;
		if (b->n + in_bin * KEY_MAX > b->cap) {
			lock_quick_unlock(&bin->lock);
			rc = i == *from ? -1 : 1; /* a bin that does not fit an empty batch: grow */
			break;
		}
		for (struct lruhash_entry *e = bin->overflow_list; e; e = e->overflow_next) {
			if (is_msg) {
				const struct msgreply_entry *m = (const struct msgreply_entry *)e->key;
				int negative = 0;
				if (m->key.qname_len > LDNS_MAX_DOMAINLEN + 1)
					continue;
				if (negatives) { /* the order of Unbound's lookups: bin, then entry */
					lock_rw_rdlock(&e->lock);
					negative = e->data && negative_answer((const struct reply_info *)e->data);
					lock_rw_unlock(&e->lock);
				}
				put_key(b, m->key.qname, m->key.qname_len, m->key.qtype, m->key.qclass, 0,
					negative);
			} else {
				const struct ub_packed_rrset_key *r = (const struct ub_packed_rrset_key *)e->key;
				if (r->rk.dname_len > LDNS_MAX_DOMAINLEN + 1)
					continue;
				put_key(b, r->rk.dname, r->rk.dname_len, ntohs(r->rk.type),
					ntohs(r->rk.rrset_class), r->rk.flags, 0);
			}
		}
		lock_quick_unlock(&bin->lock);
	}
	*from = i;
	return rc;
}

/** Grow a batch (outside every lock). 0, or -1 out of memory. */
static int batch_grow(struct batch *b)
{
	size_t cap = b->cap ? b->cap * 2 : BATCH_START;
	void *k = realloc(b->k, cap);
	if (!k)
		return -1;
	b->k = k;
	b->cap = cap;
	return 0;
}

size_t dnsrep_batch_bytes(const struct dnsrep_batch *b)
{
	return b->cap;
}

/** Judge a batch's names and remove the changed ones. */
static void judge_batch(struct dnsrep_module *mod, struct module_env *env, struct dnsrep_walk *w,
	const struct batch *b, int is_msg)
{
	size_t judged = 0, removed = 0, seen = 0;
	for (size_t off = 0; off < b->n; seen++) {
		struct key k;
		memcpy(&k, (const uint8_t *)b->k + off, sizeof(k));
		const uint8_t *name = (const uint8_t *)b->k + off + sizeof(k);
		off += sizeof(k) + k.len;
		int drop = w->init_clean && k.negative;
		if (!drop && (w->all || dnsrep_delta_covers(w->delta, name, k.len))) {
			judged++;
			drop = state_of(mod, w->old, name, k.len) != state_of(mod, w->now, name, k.len);
		}
		if (!drop)
			continue;
		if (is_msg)
			dnsrep_forget_msg(env, name, k.len, k.type, k.dclass);
		else
			rrset_cache_remove(env->rrset_cache, (uint8_t *)name, k.len, k.type, k.dclass,
					   k.flags);
		removed++;
	}
	atomic_fetch_add(&w->seen, seen);
	atomic_fetch_add(&w->judged, judged);
	atomic_fetch_add(&w->removed, removed);
}

/**
 * Walk one slab from *pos for at most until (a monotonic time in ns; 0: to its end).
 * @return 1 when the slab is done.
 */
static int walk_slab(struct dnsrep_module *mod, struct module_env *env, struct dnsrep_walk *w,
	struct batch *b, size_t slab, size_t *pos, int64_t until)
{
	int is_msg;
	struct lruhash *h = slab_of(env, slab, &is_msg);
	if (!h)
		return 1;
	for (;;) {
		b->n = 0;
		int rc = b->cap ? copy_bins(h, pos, is_msg, w->init_clean && is_msg, b) : -1;
		if (rc < 0) {
			if (batch_grow(b) < 0) {
				w->oom = 1;
				return 1; /* said once when the walk ends */
			}
			continue;
		}
		judge_batch(mod, env, w, b, is_msg);
		if (rc == 0)
			return 1;
		if (until && now_ns() >= until)
			return 0;
	}
}

/** The walk is over: say what it did, wake the refresher.  Under w->lock. */
static void walk_finished(struct dnsrep_walk *w)
{
	int64_t ms = (now_ns() - w->started_ns) / 1000000;
	log_info("dnsrep: cache walk after the swap (%zu names changed): %zu entries seen, %zu "
		 "judged by both blocklists, %zu removed, in %lld ms", w->changed,
		 (size_t)atomic_load(&w->seen), (size_t)atomic_load(&w->judged),
		 (size_t)atomic_load(&w->removed), (long long)ms);
	if (w->oom)
		log_err("dnsrep: out of memory walking the cache: some cached answers of changed "
			"names may be served until their TTL ends");
	w->finished_gen = w->gen;
	atomic_store(&w->live_gen, 0);
	pthread_cond_broadcast(&w->done);
}

int dnsrep_walk_slice(struct dnsrep_module *mod, struct module_env *env, struct dnsrep_batch *b)
{
	struct dnsrep_walk *w = &mod->walk;
	if (atomic_load_explicit(&w->live_gen, memory_order_acquire) == 0 || !env)
		return 0;
	pthread_mutex_lock(&w->lock);
	if (w->finished_gen == w->gen || w->abort) {
		pthread_mutex_unlock(&w->lock);
		return 0;
	}
	if (!w->slabs) { /* the first thread to walk sizes it, from a thread that may read the caches */
		w->n_slabs = slabs_of(env);
		w->slabs = calloc(w->n_slabs ? w->n_slabs : 1, sizeof(*w->slabs));
		if (!w->slabs) {
			w->oom = 1;
			walk_finished(w);
			pthread_mutex_unlock(&w->lock);
			return 0;
		}
		if (w->n_slabs == 0) {
			walk_finished(w);
			pthread_mutex_unlock(&w->lock);
			return 0;
		}
	}
	/* one thread walks at a time, so that the others serve lookups undisturbed (on a
	 * machine with few cores, walking on all of them at once starves the rest) */
	size_t s = w->n_slabs;
	for (size_t i = 0; i < w->n_slabs; i++) {
		if (w->slabs[i].busy) {
			pthread_mutex_unlock(&w->lock);
			return 0;
		}
		if (!w->slabs[i].done && s == w->n_slabs)
			s = i;
	}
	if (s == w->n_slabs) {
		pthread_mutex_unlock(&w->lock);
		return 0;
	}
	w->slabs[s].busy = 1;
	size_t pos = w->slabs[s].pos;
	pthread_mutex_unlock(&w->lock);

	int done = walk_slab(mod, env, w, b, s, &pos, now_ns() + SLICE_NS);

	pthread_mutex_lock(&w->lock);
	w->slabs[s].busy = 0;
	w->slabs[s].pos = pos;
	if (done) {
		w->slabs[s].done = 1;
		if (++w->slabs_done == w->n_slabs)
			walk_finished(w);
	}
	int more = w->finished_gen != w->gen && !w->abort;
	pthread_mutex_unlock(&w->lock);
	return more;
}

/** Reset the walk for a new generation.  Under w->lock. */
static void walk_reset(struct dnsrep_walk *w)
{
	free(w->slabs);
	w->slabs = NULL;
	w->n_slabs = w->slabs_done = 0;
	atomic_store(&w->seen, 0);
	atomic_store(&w->judged, 0);
	atomic_store(&w->removed, 0);
	w->oom = 0;
	w->started_ns = now_ns();
}

/** The whole walk on this thread (init: no resolver thread runs yet). */
static void walk_here(struct dnsrep_module *mod, struct module_env *env)
{
	struct dnsrep_walk *w = &mod->walk;
	struct batch b = { 0 };
	size_t n = slabs_of(env);
	for (size_t s = 0; s < n; s++) {
		size_t pos = 0;
		walk_slab(mod, env, w, &b, s, &pos, 0);
	}
	free(b.k);
	pthread_mutex_lock(&w->lock);
	walk_finished(w);
	pthread_mutex_unlock(&w->lock);
}

void dnsrep_flush_prepare(struct dnsrep_module *mod, const struct dnsrep_snapshot *old,
	const struct dnsrep_snapshot *now)
{
	struct dnsrep_walk *w = &mod->walk;
	char err[DNSREP_ERRLEN];
	dnsrep_snapshot_free(w->next_delta);
	w->next_delta = NULL;
	w->next_all = 0;
	w->next_changed = 0;
	if (!old) {
		w->next_all = 1; /* the first blocklist: whatever the cache holds was never judged */
		w->next_changed = dnsrep_snapshot_names(now);
	} else if (dnsrep_delta_build(old, now, &mod->lookalike, &w->next_delta, &w->next_changed,
				      err, sizeof(err)) < 0) {
		log_warn("dnsrep: %s: checking every cached name against both blocklists", err);
		w->next_all = 1;
	}
}

void dnsrep_flush_changed(struct dnsrep_module *mod, const struct dnsrep_snapshot *old,
	const struct dnsrep_snapshot *now)
{
	struct dnsrep_walk *w = &mod->walk;
	int first = !w->walked_once;
	if (!now || (!w->next_all && !w->next_delta && !first))
		return; /* no name is judged differently */
	pthread_mutex_lock(&w->lock);
	if (w->abort) {
		pthread_mutex_unlock(&w->lock);
		return;
	}
	walk_reset(w);
	w->old = old;
	w->now = now;
	w->delta = w->next_delta;
	w->all = w->next_all;
	w->changed = w->next_changed;
	w->init_clean = first;
	w->walked_once = 1;
	w->next_delta = NULL;
	w->gen++;
	/* in init (the module starting, on Unbound's main thread): no resolver thread runs */
	int here = pthread_equal(pthread_self(), mod->init_thread);
	if (!here)
		atomic_store_explicit(&w->live_gen, w->gen, memory_order_release);
	pthread_mutex_unlock(&w->lock);

	if (here) {
		walk_here(mod, mod->env);
	} else {
		/* the resolver threads walk; old must live until they are done */
		int said = 0;
		pthread_mutex_lock(&w->lock);
		while (w->finished_gen != w->gen && !w->abort) {
			struct timespec until;
			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_sec += 1;
			pthread_cond_timedwait(&w->done, &w->lock, &until);
			if (!said && (now_ns() - w->started_ns) > 10000000000LL) {
				log_warn("dnsrep: the cache walk after the swap waits for resolver threads "
					 "(%d serve lookups)", atomic_load(&mod->serving_threads));
				said = 1;
			}
		}
		atomic_store(&w->live_gen, 0);
		pthread_mutex_unlock(&w->lock);
	}
	pthread_mutex_lock(&w->lock);
	dnsrep_snapshot_free((struct dnsrep_snapshot *)w->delta);
	w->delta = NULL;
	w->old = w->now = NULL;
	pthread_mutex_unlock(&w->lock);
}

void dnsrep_walk_init(struct dnsrep_walk *w)
{
	memset(w, 0, sizeof(*w));
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->done, NULL);
}

void dnsrep_walk_abort(struct dnsrep_walk *w)
{
	pthread_mutex_lock(&w->lock);
	w->abort = 1;
	atomic_store(&w->live_gen, 0);
	pthread_cond_broadcast(&w->done);
	pthread_mutex_unlock(&w->lock);
}

void dnsrep_walk_destroy(struct dnsrep_walk *w)
{
	free(w->slabs);
	dnsrep_snapshot_free(w->next_delta);
	dnsrep_snapshot_free((struct dnsrep_snapshot *)w->delta);
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->done);
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
	} else if (mod->evict_overflow++ % 1000 == 0) {
		log_err("dnsrep: too many cached answers of blocked names waiting to be removed: "
			"some stay until the next lookup that misses the cache (%lu so far)",
			mod->evict_overflow);
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
