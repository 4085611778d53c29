/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dnsrep/stats.h — the lookup counters one resolver thread keeps, summed on scrape.
 *
 * Each resolver thread owns a struct dnsrep_stats and is its only writer: a count
 * is a relaxed load and store of its own cache lines, no lock, no atomic
 * read-modify-write, nothing shared between threads.  Another thread (the metrics
 * endpoint, the heartbeat) reads every thread's counters at any time and sums them
 * (dnsrep_stats_sum): a count it reads may be a moment old, never torn.
 *
 * A lookup is counted under its series: outcome (blocked, log-only, exempt,
 * escaped), the deciding entry's feed and category, the action, the match kind,
 * and for lookalikes the technique.  A thread's table has room for
 * DNSREP_STATS_SERIES series; once full, further label sets are counted under feed
 * and category "_other" (and the overflow count says how many label sets went there).
 */
#ifndef DNSREP_STATS_H
#define DNSREP_STATS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "dnsrep/blocklog.h" /* enum dnsrep_log_kind, DNSREP_LOG_FEED, DNSREP_LOG_CATEGORY */

/** Series a thread's table holds (a power of two). */
#define DNSREP_STATS_SERIES 256

/** What a series counts: its labels. */
struct dnsrep_stats_labels {
	uint8_t outcome;                    /**< enum dnsrep_log_kind */
	uint8_t action;                     /**< enum dnsrep_action */
	uint8_t match;                      /**< enum dnsrep_match_kind */
	uint8_t technique;                  /**< enum dnsrep_technique, lookalikes; else 0 */
	char feed[DNSREP_LOG_FEED];
	char category[DNSREP_LOG_CATEGORY];
};

/** One series of a thread's table. */
struct dnsrep_stats_series {
	_Atomic uint64_t key;               /**< a hash of the labels; 0: free.  Set last */
	struct dnsrep_stats_labels l;
	_Atomic uint64_t count;
};

/** A recently used series, found by the text pointers it was found for. */
struct dnsrep_stats_recent {
	const char *feed, *category;
	uint64_t serial;                    /**< the snapshot the text belongs to */
	uint32_t small;                     /**< outcome, action, match, technique */
	uint32_t slot;
};

/** One thread's counters (a single writer: that thread), on cache lines of its own. */
struct dnsrep_stats {
	_Alignas(64) _Atomic uint64_t judged; /**< client answers judged */
	_Atomic uint64_t overflow;          /**< label sets that found the table full */
	uint32_t used;                      /**< series made (the writer's own) */
	struct dnsrep_stats_recent recent[64];
	struct dnsrep_stats_series series[DNSREP_STATS_SERIES];
};

/** A zeroed table, on cache lines no other data shares; NULL when out of memory.
 * Free with free(). */
struct dnsrep_stats *dnsrep_stats_new(void);

/** The writer: one more client answer judged. */
static inline void dnsrep_stats_judged(struct dnsrep_stats *st)
{
	atomic_store_explicit(&st->judged,
		atomic_load_explicit(&st->judged, memory_order_relaxed) + 1, memory_order_relaxed);
}

/**
 * The writer: count one lookup under its labels.  feed and category are text that
 * stays at its address while the snapshot serial is in place (a snapshot's
 * interned metadata): the next lookup with the same pointers and serial finds its
 * series without reading the text.
 */
void dnsrep_stats_count(struct dnsrep_stats *st, enum dnsrep_log_kind outcome, int action,
	int match, int technique, uint64_t serial, const char *feed, const char *category);

/** A sum over threads: every series seen, with its total. */
struct dnsrep_stats_total {
	uint64_t judged, overflow;
	size_t n;
	struct { struct dnsrep_stats_labels l; uint64_t count; } *series; /**< malloc'd */
	size_t cap;
};

/**
 * Add one thread's counters to a sum (a reader, any thread).  @return 0, or -1
 * out of memory (the sum lacks some series).
 */
int dnsrep_stats_sum(struct dnsrep_stats_total *t, const struct dnsrep_stats *st);

/** Free a sum's series. */
void dnsrep_stats_total_free(struct dnsrep_stats_total *t);

#endif /* DNSREP_STATS_H */
