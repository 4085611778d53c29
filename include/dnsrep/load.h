/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dnsrep/load.h — load feeds into a snapshot builder: one feed at a time, from
 * memory or from a file, committed only when the feed is accepted.
 *
 * This is the step that dnsrepctl check, the plugin's local-file mode and the
 * Redis refresher share: parse the feed's bytes with its format straight into
 * the builder, and on any failure roll the feed back so that it leaves no trace.
 */
#ifndef DNSREP_LOAD_H
#define DNSREP_LOAD_H

#include <stddef.h>

#include "dnsrep/config.h"
#include "dnsrep/feed.h"
#include "dnsrep/lookalike.h"
#include "dnsrep/snapshot.h"

/** One feed to load. */
struct dnsrep_load {
	struct dnsrep_feed_meta meta;   /**< name, category, reason, action, lookalike */
	struct dnsrep_feed_opts opts;   /**< format, reject threshold, public suffixes */
	int force_allow;                /**< make every entry an allow entry (an allowlist file) */
	dnsrep_reject_fn on_reject;     /**< hears of each rejected line, or NULL */
	void *ctx;                      /**< for on_reject */
};

/** A load description for a configured feed (name, category, reason, action, lookalike, format). */
void dnsrep_load_from_config(struct dnsrep_load *l, const struct dnsrep_feed_config *f);

/**
 * Parse data (len bytes) as one feed into the builder.
 * @return 0 when the feed was accepted and committed, -1 when it was rejected and
 *   rolled back, with err saying why.
 */
int dnsrep_load_data(struct dnsrep_snapshot_builder *b, const struct dnsrep_load *l, const char *data,
	size_t len, struct dnsrep_feed_stats *stats, char *err, size_t errlen);

/**
 * Load a feed's entries as a snapshot holds them (the blocklist in place, or the
 * snapshot file): for a feed whose source has nothing to give now (missing from
 * Redis, unreadable) and whose bytes this process never had, so that it keeps the
 * version it had rather than vanishing.  A name listed by several feeds carries the
 * first feed's metadata in a snapshot: it comes back with the feed that owns it.
 * @return 0 with entries set (0 when the snapshot holds none of the feed), -1 out of
 *   memory (rolled back).
 */
int dnsrep_load_carry(struct dnsrep_snapshot_builder *b, const struct dnsrep_load *l,
	const struct dnsrep_snapshot *from, unsigned *entries, char *err, size_t errlen);

/** The same, reading the feed from a file (at most 1 GiB). */
int dnsrep_load_file(struct dnsrep_snapshot_builder *b, const struct dnsrep_load *l, const char *path,
	struct dnsrep_feed_stats *stats, char *err, size_t errlen);

/** The lookalike options a config asks for (lookalike-min-length, -two-edits, -affix). */
void dnsrep_load_lookalike_opts(struct dnsrep_lookalike_opts *o, const struct dnsrep_config *cfg);

/**
 * The path of a file:/// source ("file:///etc/x" → "/etc/x"), or NULL when the
 * source is not a local file.
 */
const char *dnsrep_load_local_path(const char *source);

#endif /* DNSREP_LOAD_H */
