/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dnsrep/refresher.h — keeps the current snapshot up to date, off the resolver threads.
 *
 * At start it installs the last-known-good snapshot file (so blocking works from
 * the first query), then builds from the feeds and installs that.  Its thread
 * then watches the feeds — in Redis (the change notice, and the version polled
 * every poll-interval), or without Redis the local files named by file://
 * sources — and, when one changes, builds a new snapshot, swaps it in, tells the
 * caller (which flushes newly blocked names from the resolver's caches), writes
 * the snapshot file, and frees the old snapshot.
 *
 * A feed that fails to load (unreadable, rejected by the parser, or suddenly
 * empty) keeps its last good version: a broken feed never empties the blocklist.
 */
#ifndef DNSREP_REFRESHER_H
#define DNSREP_REFRESHER_H

#include <stddef.h>
#include <stdint.h>

#include "dnsrep/buf.h"
#include "dnsrep/config.h"
#include "dnsrep/current.h"
#include "dnsrep/err.h"
#include "dnsrep/snapshot.h"

/**
 * Called after a new snapshot is in place and no reader can see the old one, before
 * the old one is freed.  old is NULL for the first snapshot.
 */
typedef void (*dnsrep_swap_fn)(void *ctx, const struct dnsrep_snapshot *old,
	const struct dnsrep_snapshot *now);

struct dnsrep_refresher;

struct dnsrep_refresher_opts {
	const struct dnsrep_config *cfg; /**< borrowed: must outlive the refresher */
	struct dnsrep_current *current;  /**< where snapshots are installed */
	dnsrep_swap_fn on_prepare;       /**< before a swap: (the current snapshot or NULL, the next); or NULL */
	dnsrep_swap_fn on_swap;          /**< or NULL */
	dnsrep_msg_fn on_msg;            /**< or NULL */
	void *ctx;                       /**< for the callbacks */
	const char *resolver_id;         /**< names this resolver in its Redis heartbeats, or NULL */
	/** The resolver's counters for its heartbeats, as one JSON object into out (on the
	 * refresher's thread, which passes itself); 0, or -1.  NULL: heartbeats carry none. */
	int (*on_figures)(void *ctx, const struct dnsrep_refresher *r, struct dnsrep_buf *out);
};

struct dnsrep_refresher;

/**
 * Install the snapshot file's blocklist if it loads, build from the feeds and
 * install that, then start the watching thread.  Feed failures are reported
 * through on_msg and do not fail the start.
 * @return the refresher, or NULL with err set (out of memory, no thread).
 */
struct dnsrep_refresher *dnsrep_refresher_start(const struct dnsrep_refresher_opts *o,
	char *err, size_t errlen);

/** Stop the thread and wait for it; free the refresher.  NULL is fine. */
void dnsrep_refresher_stop(struct dnsrep_refresher *r);

/** A feed's figures, for the metrics. */
struct dnsrep_refresher_feed_stats {
	const char *name;        /**< borrowed from the configuration */
	uint64_t refreshes;      /**< new versions taken */
	uint64_t failures;       /**< new versions refused or unreadable (the last good kept) */
	int64_t last_ok;         /**< Unix time a new version was last taken, or 0 */
};

/** The refresher's figures, for the metrics. */
struct dnsrep_refresher_stats {
	unsigned long swaps;     /**< snapshots installed */
	double last_swap_seconds; /**< the last swap, the caller's flush included */
	int64_t installed_at;    /**< Unix time the blocklist in place was installed, or 0 */
	int redis;               /**< following Redis (else files) */
	int redis_connected;     /**< its connections are up */
	uint64_t redis_reconnects; /**< connections made after the first */
	size_t n_feeds;          /**< feeds configured */
};

/**
 * The refresher's figures, and the first max_feeds feeds' into feeds (any thread).
 * @return how many feeds were written.
 */
size_t dnsrep_refresher_stats(const struct dnsrep_refresher *r, struct dnsrep_refresher_stats *st,
	struct dnsrep_refresher_feed_stats *feeds, size_t max_feeds);

/** How many snapshots it has installed (the snapshot file's counts). */
unsigned long dnsrep_refresher_swaps(const struct dnsrep_refresher *r);

#endif /* DNSREP_REFRESHER_H */
