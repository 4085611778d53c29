/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dnsrep/feed.h — feed formats: parse a feed's text into entries.
 *
 * Formats: plain lists, hosts files, AdBlock-style rules, RPZ zone files (read
 * with ldns) and CSV with provenance; `auto` recognizes which.  Each entry goes
 * to a callback as soon as it is parsed (no copy of the feed is kept); each
 * rejected line goes to another callback as "feed:line: reason" and is counted.
 * When the share of rejected lines is over a threshold the whole feed is
 * rejected: the caller then drops what the entry callback took (the snapshot
 * builder rolls the feed back), so a broken feed never replaces a good one.
 */
#ifndef DNSREP_FEED_H
#define DNSREP_FEED_H

#include <stddef.h>

#include "dnsrep/config.h"
#include "dnsrep/entry.h"

/** Takes one entry; returns 0, or -1 to stop parsing (out of memory). */
typedef int (*dnsrep_entry_fn)(void *ctx, const struct dnsrep_entry *e);

/** Hears of one rejected line: feed name, line number, reason (e.g. "label longer than 63 octets"). */
typedef void (*dnsrep_reject_fn)(void *ctx, const char *feed, unsigned line, const char *reason);

/** How to parse one feed. */
struct dnsrep_feed_opts {
	const char *feed;          /**< the feed's name, for messages */
	enum dnsrep_format format; /**< DNSREP_FORMAT_AUTO: recognize it */
	double max_reject_share;   /**< reject the feed when rejected/(entries+rejected) exceeds this; 0.05 by default */
	int allow_public_suffix;   /**< accept entries for the root or a bare public suffix */
	int wildcard_below;        /**< plain and CSV "*.name": only the names below name (as
				        RPZ means it); 0: name and the names below, as the
				        wildcard lists' own consumers (dnscrypt-proxy) read it */
};

/** What parsing one feed found. */
struct dnsrep_feed_stats {
	enum dnsrep_format format; /**< the format used (recognized, for auto) */
	unsigned lines;            /**< lines read */
	unsigned entries;          /**< entries passed to the callback (duplicates included) */
	unsigned allows;           /**< of which allow entries */
	unsigned rejected;         /**< lines rejected (each reported) */
	unsigned unsupported;      /**< RPZ records with triggers/actions not supported (also reported, also counted in rejected) */
	unsigned overridden;       /**< adblock rules left out because another rule of the feed
				        overrides them: $badfilter, an exception, $important */
};

/** Options with the defaults: auto format, 5% rejected lines at most, no public suffixes. */
void dnsrep_feed_opts_init(struct dnsrep_feed_opts *o, const char *feed);

/**
 * Recognize a feed's format from its first lines (comments and blank lines skipped):
 * a CSV header starting "domain," → csv; "$ORIGIN", "$TTL", an SOA record or
 * "name CNAME ." records → rpz; "||" or "@@||" rules, or "[Adblock" → adblock;
 * an address followed by names → hosts; else plain.
 */
enum dnsrep_format dnsrep_feed_detect(const char *data, size_t len);

/**
 * Parse a feed held in memory (any bytes: NUL, invalid UTF-8, CRLF, a BOM, a 1 MB
 * line are handled line by line).
 * @return 0 when the feed is accepted (some lines may have been rejected and
 *   reported), -1 when it is rejected whole (too many bad lines, not the stated
 *   format, or the entry callback failed), with err saying why, e.g.
 *   "feed seized: 12 of 40 lines rejected (30.0%, more than 5.0%): feed rejected".
 */
int dnsrep_feed_parse(const struct dnsrep_feed_opts *opts, const char *data, size_t len,
	dnsrep_entry_fn on_entry, dnsrep_reject_fn on_reject, void *ctx,
	struct dnsrep_feed_stats *stats, char *err, size_t errlen);

#endif /* DNSREP_FEED_H */
