/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * plugin.h — what the plugin's files share: the module's state between init and
 * deinit, the per-query state, and the functions of judge.c, synth.c, reply.c,
 * flush.c and record.c.
 *
 * Include after Unbound's config.h and util/module.h.
 */
#ifndef DNSREP_PLUGIN_MODULE_H
#define DNSREP_PLUGIN_MODULE_H

#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>

#include "dnsrep/blocklog.h"
#include "dnsrep/config.h"
#include "dnsrep/current.h"
#include "dnsrep/logstream.h"
#include "dnsrep/lookalike.h"
#include "dnsrep/memo.h"
#include "dnsrep/refresher.h"
#include "dnsrep/store.h"
#include "dnsrep/snapshot.h"
#include "dnsrep/stats.h"

struct module_env;
struct module_qstate;
struct dns_msg;
struct reply_info;
struct query_info;
struct regional;
struct comm_reply;
struct edns_data;
struct edns_option;

/** Answers whose removal from the cache waits for a thread that may touch it. */
#define DNSREP_EVICT_MAX 64

/** One message to remove from Unbound's message cache later. */
struct dnsrep_evict {
	uint8_t qname[256];
	size_t qname_len;
	uint16_t qtype, qclass;
};

/** Keys copied out of Unbound's caches by the walk (flush.c: k is its own key array). */
struct dnsrep_batch {
	void *k;
	size_t n, cap;
};

/**
 * A walk of Unbound's caches after a swap (flush.c): published by the refresher,
 * done by the resolver threads a slab at a time.  Fields under lock unless said.
 */
struct dnsrep_walk {
	pthread_mutex_t lock;
	pthread_cond_t done;                /**< signalled when a walk finishes or aborts */
	uint64_t gen, finished_gen;         /**< the walk published last, and the last finished */
	_Atomic uint64_t live_gen;          /**< gen while there is walking to do (read without the lock) */
	int abort;                          /**< deinit: no more walks, nobody waits */
	int walked_once;                    /**< the first walk of a module also drops negative answers */
	const struct dnsrep_snapshot *old, *now, *delta; /**< the refresher's, while it waits */
	int all;                            /**< no delta: judge every name with both snapshots */
	int init_clean;                     /**< drop every negative message too */
	size_t changed;                     /**< names that changed, for the log */
	struct dnsrep_snapshot *next_delta; /**< built before the swap (refresher thread only) */
	int next_all;
	size_t next_changed;
	struct { size_t pos; int busy, done; } *slabs; /**< per slab: RRset cache's, then message cache's */
	size_t n_slabs, slabs_done;
	_Atomic size_t seen, judged, removed;
	int oom;
	int64_t started_ns;
};

struct dnsrep_thread;
struct dnsrep_metrics_http;

/** The module's state (kept in dynlibmod_env.dyn_env). */
struct dnsrep_module {
	uint64_t id;                       /**< unique in the process: keys thread-local state */
	struct dnsrep_config *cfg;         /**< dnsrep.conf as read at init */
	const char *cfg_path;              /**< which file that was */
	char resolver_id[256];             /**< resolver-id, or the host name */
	struct module_env *env;            /**< the daemon's env: its caches, for flushing */
	int module_id;                     /**< this module's place in the module stack */
	struct dnsrep_lookalike_opts lookalike; /**< as the refresher protects snapshots */
	struct dnsrep_current *current;    /**< the snapshot resolver threads match against */
	struct dnsrep_blocklog *log;       /**< the block log */
	struct dnsrep_refresher *refresher;/**< keeps current up to date */
	struct dnsrep_store_opts stream_opts; /**< where the block log stream goes */
	char stream_host[512];
	struct dnsrep_logstream *stream;   /**< the block log's Redis stream, or NULL */
	struct dnsrep_metrics_http *http;  /**< the metrics endpoint, or NULL */
	int counting;                      /**< lookups are counted: someone reads the counts
					        (metrics-listen, or Redis heartbeats) */
	int callbacks;                     /**< the reply callbacks are registered */
	pthread_t init_thread;             /**< the thread init ran on (Unbound's main thread) */
	/* per resolver thread state (thread.c), freed at deinit */
	pthread_mutex_t threads_lock;
	struct dnsrep_thread **threads;
	size_t n_threads, cap_threads;
	atomic_int serving_threads;        /**< threads whose walk timer runs */
	struct dnsrep_walk walk;           /**< the cache walk after a swap (flush.c) */
	/* answers to take out of the message cache, found where the cache is locked */
	pthread_mutex_t evict_lock;
	atomic_int evict_pending;          /**< entries in evict (a hint read without the lock) */
	struct dnsrep_evict evict[DNSREP_EVICT_MAX];
	int n_evict;
	unsigned long evict_overflow;      /**< entries that found the queue full (under evict_lock) */
	atomic_ulong escaped;              /**< cache answers that gave a blocked name away */
};

/** What the blocklist says about one name. */
struct dnsrep_ruling {
	struct dnsrep_match m;            /**< the deciding match, entry or lookalike */
	struct dnsrep_lookalike_hit hit;  /**< how, for lookalike matches */
	enum dnsrep_action action;        /**< the action when m.verdict is BLOCK */
};

/** Lookalike hits a resolver thread keeps (judge.c): four ways a bucket. */
#define DNSREP_HIT_SLOTS 4096

/** One kept lookalike hit: under the snapshot and for the name its key says. */
struct dnsrep_hit_slot {
	uint64_t key;                      /**< dnsrep_memo_key of the name and serial; 0: empty */
	const uint8_t *protected_name;     /**< in that snapshot's index */
	uint32_t meta;
	uint8_t technique, distance;
};

/**
 * What a resolver thread keeps to judge names fast (thread.c owns it): the memo of
 * names found passing, the last lookalike rulings, and its lookup counters.  Only
 * that thread writes it.
 */
struct dnsrep_judge_cache {
	struct dnsrep_memo *memo;
	struct dnsrep_hit_slot *hits;      /**< DNSREP_HIT_SLOTS of them */
	struct dnsrep_stats *stats;        /**< counted here, summed by the metrics */
};

/** The effect of a verdict or a judgement. */
enum dnsrep_effect {
	DNSREP_EFFECT_PASS = 0,  /**< nothing to do */
	DNSREP_EFFECT_LOG,       /**< log-only: the lookup resolves and is logged */
	DNSREP_EFFECT_BLOCK      /**< the client gets a block answer */
};

/** What the blocklist says about an answer: its query name and its CNAME/DNAME chain. */
struct dnsrep_judgement {
	enum dnsrep_effect effect;
	struct dnsrep_ruling v;          /**< the deciding name's verdict */
	int match;                        /**< enum dnsrep_match_kind: how v decided */
	int chain_n;                      /**< chain targets kept for the log (at most DNSREP_LOG_CHAIN) */
	const uint8_t *chain[DNSREP_LOG_CHAIN]; /**< the first targets, wire form (in the answer) */
	size_t chain_len[DNSREP_LOG_CHAIN];
};

/** Fields of a reply_info that make up what a client is sent (see reply.c). */
struct dnsrep_rep_view {
	uint16_t flags;
	size_t qdcount;
	time_t ttl, prefetch_ttl, serve_expired_ttl;
	enum sec_status security;
	size_t an_numrrsets, ns_numrrsets, ar_numrrsets, rrset_count;
	struct ub_packed_rrset_key **rrsets;
	int authoritative;
};

/**
 * The plugin's state of one query (qstate->minfo[id], in the query's region): what
 * it decided, so that each client's answer can be judged when it is sent.
 */
struct dnsrep_query {
	uint64_t serial;                  /**< the snapshot qv was judged with (0: not judged) */
	struct dnsrep_ruling qv;         /**< the query name's verdict (pointers into that snapshot) */
	int exempt_pass;                  /**< listed, passed on because its client was exempt */
	int no_blocklist;                 /**< SERVFAIL: no blocklist loaded (on-no-blocklist) */
	struct dns_msg *block;            /**< the block answer made for this query, or NULL */
	uint64_t block_serial;            /**< the snapshot it was made with */
	struct reply_info *shown;         /**< a reply whose fields show another answer now */
	struct dnsrep_rep_view saved;     /**< shown's own fields */
};

/** What to answer for a blocked lookup, and why. */
struct dnsrep_block {
	enum dnsrep_action action;       /**< nxdomain, nodata, refused, sinkhole (never log-only) */
	const uint8_t *rule;             /**< the deciding entry's wire name */
	const struct dnsrep_meta *meta;  /**< its metadata */
	int match;                       /**< enum dnsrep_match_kind */
	const struct dnsrep_lookalike_hit *hit; /**< for lookalike matches: how, or NULL */
};

/* ---- judge.c ------------------------------------------------------------------- */

/**
 * Judge one name (wire form) against a snapshot: its entry match, and for names
 * no entry covers, the lookalike check.  A resolver thread passes its cache (c):
 * names found passing, and lookalike rulings, are kept there for this snapshot;
 * NULL off the resolver threads.
 * @return the effect.
 */
enum dnsrep_effect dnsrep_judge_name(const struct dnsrep_module *mod,
	const struct dnsrep_snapshot *s, struct dnsrep_judge_cache *c, const uint8_t *wire,
	size_t len, struct dnsrep_ruling *v);

/**
 * Judge an answer: its query name (qv when already judged with s, else NULL) and
 * every CNAME/DNAME target in rep's answer section (rep may be NULL).
 *   - the query name blocked: blocked;
 *   - a target blocked: blocked (match cname), unless the chain's final name is
 *     covered by an allow entry (an allow on the query name or a hop in the
 *     middle lets nothing through);
 *   - else the query name log-only, or a target log-only (the final name not
 *     allowed): log-only;
 *   - else pass.
 */
enum dnsrep_effect dnsrep_judge_answer(const struct dnsrep_module *mod,
	const struct dnsrep_snapshot *s, struct dnsrep_judge_cache *c, const uint8_t *qname,
	size_t qname_len, const struct dnsrep_ruling *qv, const struct reply_info *rep,
	struct dnsrep_judgement *j);

/** The block a judgement asks for (its pointers borrow from j). */
void dnsrep_judgement_block(const struct dnsrep_judgement *j, struct dnsrep_block *blk);


/** The action for a match: a lookalike's is its feed's lookalike-action. */
enum dnsrep_action dnsrep_match_action(const struct dnsrep_module *mod, const struct dnsrep_match *m);

/* ---- thread.c ---------------------------------------------------------------- */

/** This thread's judging cache for the module, made on first use; NULL when out of memory. */
struct dnsrep_judge_cache *dnsrep_thread_cache(struct dnsrep_module *mod);

/**
 * A resolver thread calls into the plugin with its environment: from now on it
 * walks the caches after swaps, on a timer of its own event base (once per thread).
 */
void dnsrep_thread_serve(struct dnsrep_module *mod, struct module_env *env);

/**
 * Add every resolver thread's counters to total (any thread).
 * @return the number of threads, or -1 out of memory.
 */
int dnsrep_threads_stats(struct dnsrep_module *mod, struct dnsrep_stats_total *total);

/** Free every thread's state (deinit: Unbound has deleted the threads' event bases). */
void dnsrep_threads_free(struct dnsrep_module *mod);

/** Bytes the threads' state occupies (memos, walk batches). */
size_t dnsrep_threads_bytes(struct dnsrep_module *mod);

/* ---- synth.c ---------------------------------------------------------------- */

/**
 * A block answer for a query (qname, qtype, qclass of q), in region: NXDOMAIN or
 * NODATA with a synthesized SOA, REFUSED, or sinkhole addresses; never AD, marked
 * insecure so that the validator in the stack leaves it alone.  No EDE: that is
 * added per client when the answer is sent (dnsrep_synth_ede).
 * @return the message, or NULL out of memory.
 */
struct dns_msg *dnsrep_synth_block(const struct dnsrep_module *mod, struct regional *region,
	const struct query_info *q, const struct dnsrep_block *blk);

/**
 * Whether a block answer may be kept in Unbound's message cache: the next lookup is
 * then answered from the cache and judged (and logged) by the cache callback.  Not
 * with exempt clients (the cache cannot tell clients apart), not for CNAME blocks
 * (the cached answer would not show why), not for sinkhole addresses (the RRset
 * cache could hold a real address for that name), not with negative-ttl 0.
 */
int dnsrep_block_cacheable(const struct dnsrep_module *mod, const struct dnsrep_block *blk,
	uint16_t qtype);

/**
 * Add the block's Extended DNS Error to a client's option list, copying the list
 * first (it may be shared by the other clients of the query).
 * @return 1, or 0 out of memory (the answer goes without it).
 */
int dnsrep_synth_ede(const struct dnsrep_module *mod, const struct dnsrep_block *blk,
	struct edns_option **list, struct regional *region);

/* ---- reply.c ---------------------------------------------------------------- */

/** Register the reply and upstream-response callbacks. @return 1, or 0 on failure. */
int dnsrep_reply_register(struct dnsrep_module *mod, struct module_env *env, int id);

/** Remove them (deinit). */
void dnsrep_reply_unregister(struct dnsrep_module *mod, struct module_env *env, int id);

/* ---- flush.c ---------------------------------------------------------------- */

/**
 * Before a swap (refresher thread): find the names the next snapshot judges
 * differently from the current one (the delta), for the walk after the swap.
 */
void dnsrep_flush_prepare(struct dnsrep_module *mod, const struct dnsrep_snapshot *old,
	const struct dnsrep_snapshot *now);

/**
 * After a swap (no reader sees old any more): have every entry of Unbound's
 * message and RRset caches whose name the two snapshots judge differently removed
 * — newly blocked names (a real answer cached), block answers whose block ended
 * or changed — and wait until it is done: by the resolver threads (their timers),
 * or at once on this thread while the module starts.
 */
void dnsrep_flush_changed(struct dnsrep_module *mod, const struct dnsrep_snapshot *old,
	const struct dnsrep_snapshot *now);

/**
 * A resolver thread's share of a walk: at most about 0.2 ms of it.
 * @return 1 when there is more for this thread to do (come back at once).
 */
int dnsrep_walk_slice(struct dnsrep_module *mod, struct module_env *env, struct dnsrep_batch *b);

/** Bytes a walk batch occupies. */
size_t dnsrep_batch_bytes(const struct dnsrep_batch *b);

void dnsrep_walk_init(struct dnsrep_walk *w);
/** Deinit: end any walk and release whoever waits for it. */
void dnsrep_walk_abort(struct dnsrep_walk *w);
void dnsrep_walk_destroy(struct dnsrep_walk *w);

/** Remove a query's cached messages (both CD variants) of one name and type. */
void dnsrep_forget_msg(struct module_env *env, const uint8_t *name, size_t len, uint16_t qtype,
	uint16_t qclass);

/**
 * Queue a message for removal by a thread that may touch the cache (called where
 * the cache is locked: the cache reply callback).  Full: the entry stays until it
 * expires, and the log says so.
 */
void dnsrep_evict_later(struct dnsrep_module *mod, const uint8_t *qname, size_t len,
	uint16_t qtype, uint16_t qclass);

/** Remove what was queued (from operate, where no cache lock is held). */
void dnsrep_evict_now(struct dnsrep_module *mod, struct module_env *env);

/* ---- metrics.c, metrics_http.c ------------------------------------------------- */

/** The module's figures in Prometheus text format.  0, or -1 (out of memory). */
int dnsrep_metrics_render(struct dnsrep_module *mod, struct dnsrep_buf *out);

/** The main figures as one JSON object (for the heartbeat, from r's thread).  0, or -1. */
int dnsrep_metrics_json(struct dnsrep_module *mod, const struct dnsrep_refresher *r,
	struct dnsrep_buf *out);

/**
 * Serve the metrics on metrics-listen (when set) from a thread of libmicrohttpd's.
 * NULL when off, or when it cannot start (said in Unbound's log: DNS goes on).
 */
struct dnsrep_metrics_http *dnsrep_metrics_http_start(struct dnsrep_module *mod);

/** Stop the endpoint and wait for its thread (before the module is freed).  NULL is fine. */
void dnsrep_metrics_http_stop(struct dnsrep_metrics_http *h);

/* ---- record.c ---------------------------------------------------------------- */

/**
 * Log one client's lookup: kind, the action, the deciding entry, the EDE code the
 * client gets (0: none), and the chain for CNAME matches.
 */
void dnsrep_record_client(struct dnsrep_module *mod, enum dnsrep_log_kind kind,
	const struct dnsrep_block *blk, const struct dnsrep_judgement *j,
	const struct sockaddr_storage *client, socklen_t client_len, const uint8_t *qname,
	size_t qname_len, uint16_t qtype, uint16_t ede, const struct timeval *when);

/** Count one client answer judged in this thread's counters (c: its cache, or NULL),
 * when mod->counting. */
void dnsrep_count_judged(const struct dnsrep_module *mod, struct dnsrep_judge_cache *c);

/**
 * Count one client's lookup of a listed name under its outcome, the block's feed,
 * category, action, match kind and technique (serial: the snapshot of blk->meta).
 * Exempt lookups are counted whether log-exempt logs them or not.
 */
void dnsrep_count_lookup(const struct dnsrep_module *mod, struct dnsrep_judge_cache *c,
	enum dnsrep_log_kind kind, const struct dnsrep_block *blk, uint64_t serial);

/** Whether a client address is exempt (exempt-client). */
int dnsrep_client_exempt(const struct dnsrep_module *mod, const struct sockaddr_storage *ss);

/** Whether every client of the query is exempt; 0 when it has none. */
int dnsrep_all_clients_exempt(const struct dnsrep_module *mod, struct module_qstate *qstate);

#endif /* DNSREP_PLUGIN_MODULE_H */
