/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * thread.c — what the plugin keeps per resolver thread: the memo of names found
 * harmless (dnsrep/memo.h), its lookup counters (dnsrep/stats.h, summed when the
 * metrics are read) and the timer that walks Unbound's caches after a swap.
 *
 * Why the walk runs on the resolver threads: Unbound's caches may only be touched
 * while its resolver threads run.  On `unbound-control reload` Unbound stops them,
 * clears the caches and, when their sizes changed, frees and recreates them —
 * all before the old plugin's deinit runs — so the refresher thread could be
 * walking a freed cache.  The resolver threads are stopped before any of that.
 *
 * So each resolver thread, the first time it calls into the plugin with its
 * environment (operate, or the reply callback of a query state), adds a timer to
 * its own event base (libevent, which Unbound's event loop is built on; called
 * directly: Unbound's comm_timer accepts only callbacks on its whitelist).  The
 * timer looks for a walk to do every few milliseconds, and while there is one it
 * walks a slice of at most about 0.2 ms, then lets the thread serve lookups for
 * a quarter of a millisecond before the next: lookups wait at most a slice for it,
 * and the walk takes at most about half of each thread (flush.c).
 *
 * A thread is registered once per module instance: thread-local storage keyed by
 * the module's id (not its address, which a reload may reuse).  Everything is
 * freed at deinit, when Unbound has already deleted the threads' event bases: the
 * timers' memory is ours, and nothing of the deleted base refers to it.
 */
#include "config.h"            /* Unbound's: fixes the layout of its structs */
#include "util/module.h"
#include "util/log.h"
#include "util/netevent.h"

#include <event2/event.h>
#include <stdlib.h>
#include <string.h>

#include "plugin.h"

#ifdef USE_MINI_EVENT
#error "dnsrep needs an Unbound built with libevent (--with-libevent), as Debian's is"
#endif

/** log2 of a thread memo's keys: 32768 names, 256 KiB a thread. */
#define MEMO_BITS 15
/** How often an idle thread looks for a walk to do, microseconds. */
#define IDLE_TICK_US 5000
/** The pause between two slices of a walk, microseconds (the thread's lookups are
 * served in between: libevent runs the ready events before a due timer). */
#define WALK_PAUSE_US 0

struct dnsrep_thread {
	struct dnsrep_module *mod;
	struct dnsrep_judge_cache cache; /**< memo, lookalike rulings (judge.c), counters (record.c) */
	struct module_env *env;     /**< the thread's environment (its worker), once seen */
	struct event *timer;        /**< on the thread's event base, once env is known */
	struct dnsrep_batch batch;  /**< the cache walk's keys (flush.c) */
};

static _Thread_local struct {
	uint64_t owner;             /**< the module id the pointer belongs to */
	struct dnsrep_thread *t;
} mine;

/** Record a thread in the module's list (freed at deinit). 0, or -1 out of memory. */
static int remember(struct dnsrep_module *mod, struct dnsrep_thread *t)
{
	pthread_mutex_lock(&mod->threads_lock);
	if (mod->n_threads == mod->cap_threads) {
		size_t cap = mod->cap_threads ? mod->cap_threads * 2 : 8;
		struct dnsrep_thread **a = realloc(mod->threads, cap * sizeof(*a));
		if (!a) {
			pthread_mutex_unlock(&mod->threads_lock);
			return -1;
		}
		mod->threads = a;
		mod->cap_threads = cap;
	}
	mod->threads[mod->n_threads++] = t;
	pthread_mutex_unlock(&mod->threads_lock);
	return 0;
}

/** This thread's state, made on first use; NULL when out of memory. */
static struct dnsrep_thread *thread_of(struct dnsrep_module *mod)
{
	if (mine.owner == mod->id)
		return mine.t;
	struct dnsrep_thread *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->mod = mod;
	t->cache.memo = dnsrep_memo_new(MEMO_BITS);
	t->cache.hits = calloc(DNSREP_HIT_SLOTS, sizeof(*t->cache.hits));
	t->cache.stats = dnsrep_stats_new();
	if (!t->cache.memo || !t->cache.hits || !t->cache.stats || remember(mod, t) < 0) {
		dnsrep_memo_free(t->cache.memo);
		free(t->cache.hits);
		free(t->cache.stats);
		free(t);
		return NULL; /* tried again next time */
	}
	mine.owner = mod->id;
	mine.t = t;
	return t;
}

struct dnsrep_judge_cache *dnsrep_thread_cache(struct dnsrep_module *mod)
{
	struct dnsrep_thread *t = thread_of(mod);
	return t ? &t->cache : NULL;
}

int dnsrep_threads_stats(struct dnsrep_module *mod, struct dnsrep_stats_total *total)
{
	int rc = 0;
	pthread_mutex_lock(&mod->threads_lock);
	for (size_t i = 0; i < mod->n_threads && rc == 0; i++)
		rc = dnsrep_stats_sum(total, mod->threads[i]->cache.stats);
	size_t n = mod->n_threads;
	pthread_mutex_unlock(&mod->threads_lock);
	return rc < 0 ? -1 : (int)n;
}

static void tick(evutil_socket_t fd, short what, void *arg);

/** Arm the timer: soon while a walk has work for this thread, else a little later. */
static void arm(struct dnsrep_thread *t, int busy)
{
	struct timeval tv = { 0, busy ? WALK_PAUSE_US : IDLE_TICK_US };
	if (event_add(t->timer, &tv) != 0)
		log_err("dnsrep: cannot arm the cache walk timer of a resolver thread");
}

static void tick(evutil_socket_t fd, short what, void *arg)
{
	struct dnsrep_thread *t = arg;
	(void)fd;
	(void)what;
	arm(t, dnsrep_walk_slice(t->mod, t->env, &t->batch));
}

void dnsrep_thread_serve(struct dnsrep_module *mod, struct module_env *env)
{
	struct dnsrep_thread *t = thread_of(mod);
	if (!t || t->timer || !env || !env->worker_base)
		return;
	struct event_base *base = (struct event_base *)comm_base_internal(env->worker_base);
	struct event *ev = calloc(1, event_get_struct_event_size());
	if (!base || !ev || event_assign(ev, base, -1, 0, tick, t) != 0) {
		free(ev);
		log_err("dnsrep: cannot add the cache walk timer to a resolver thread");
		return;
	}
	t->env = env;
	t->timer = ev;
	arm(t, 0);
	atomic_fetch_add(&mod->serving_threads, 1);
}

void dnsrep_threads_free(struct dnsrep_module *mod)
{
	/* Unbound deleted the threads' event bases before deinit: the timers are
	 * no longer in any base, their memory is ours alone */
	for (size_t i = 0; i < mod->n_threads; i++) {
		dnsrep_memo_free(mod->threads[i]->cache.memo);
		free(mod->threads[i]->cache.hits);
		free(mod->threads[i]->cache.stats);
		free(mod->threads[i]->batch.k);
		free(mod->threads[i]->timer);
		free(mod->threads[i]);
	}
	free(mod->threads);
	mod->threads = NULL;
	mod->n_threads = mod->cap_threads = 0;
}

size_t dnsrep_threads_bytes(struct dnsrep_module *mod)
{
	size_t n = 0;
	pthread_mutex_lock(&mod->threads_lock);
	for (size_t i = 0; i < mod->n_threads; i++)
		n += sizeof(struct dnsrep_thread) + dnsrep_memo_bytes(mod->threads[i]->cache.memo) +
		     DNSREP_HIT_SLOTS * sizeof(struct dnsrep_hit_slot) + sizeof(struct dnsrep_stats) +
		     dnsrep_batch_bytes(&mod->threads[i]->batch);
	pthread_mutex_unlock(&mod->threads_lock);
	return n;
}
