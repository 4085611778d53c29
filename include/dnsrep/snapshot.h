/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dnsrep/snapshot.h — an immutable blocklist: built once, matched by many threads.
 *
 * A snapshot holds the domain set (block and allow entries, see blocklist/set.h)
 * and the metadata of each entry (feed, category, reason, date, source, action),
 * interned.  It is one contiguous block of memory with offsets, never pointers,
 * laid out exactly as the snapshot file, so saving writes it and loading reads
 * it back and checks it.  Nothing in it changes after it is built: resolver
 * threads match against it without locks, and a refresh builds a new one.
 *
 * Building: a builder takes feeds one at a time (begin, add entries, commit or
 * roll back, so a rejected feed leaves no trace), merges duplicates, and
 * finishes into a snapshot.
 */
#ifndef DNSREP_SNAPSHOT_H
#define DNSREP_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

#include "dnsrep/config.h"
#include "dnsrep/entry.h"
#include "dnsrep/lookalike.h"

struct dnsrep_snapshot;
struct dnsrep_snapshot_builder;

/** The answer of a match. */
enum dnsrep_verdict {
	DNSREP_VERDICT_PASS = 0, /**< no entry covers the name */
	DNSREP_VERDICT_BLOCK,    /**< a block entry decided */
	DNSREP_VERDICT_ALLOW     /**< an allow entry decided */
};

/** An entry's metadata, as stored (strings point into the snapshot). */
struct dnsrep_meta {
	const char *feed;
	const char *category;
	const char *reason;   /**< "" when none */
	const char *date;     /**< "" when none */
	const char *source;   /**< "" when none */
	enum dnsrep_action action; /**< the feed's action, DNSREP_ACTION_INHERIT for the global one */
	int lookalike;        /**< the feed has lookalike protection on */
	enum dnsrep_action lookalike_action; /**< for lookalikes of its names (log-only by default) */
	struct dnsrep_lookalike_tuning lookalike_tuning; /**< which techniques, from which label length */
};

/** A match result. */
struct dnsrep_match {
	enum dnsrep_verdict verdict;
	enum dnsrep_match_kind kind;
	const uint8_t *rule;     /**< the deciding entry's wire name (in the snapshot), or NULL */
	struct dnsrep_meta meta; /**< its metadata (valid when verdict is not PASS) */
	uint64_t name_hash;      /**< a 64-bit hash of the whole name, case folded (0: malformed) */
};

/** A feed as the builder is told of it. */
struct dnsrep_feed_meta {
	const char *feed;          /**< name */
	const char *category;      /**< default category of its entries */
	const char *reason;        /**< default reason, or NULL */
	enum dnsrep_action action; /**< DNSREP_ACTION_INHERIT: the global one */
	int lookalike;
	enum dnsrep_action lookalike_action; /**< DNSREP_ACTION_INHERIT: log-only */
	struct dnsrep_lookalike_tuning lookalike_tuning; /**< all zero: every technique */
};

/* ---- building ------------------------------------------------------------- */

/** A new builder, or NULL when out of memory. */
struct dnsrep_snapshot_builder *dnsrep_snapshot_builder_new(void);

/** Start a feed: the entries added next belong to it. @return 0, or -1 out of memory. */
int dnsrep_snapshot_builder_feed_begin(struct dnsrep_snapshot_builder *b, const struct dnsrep_feed_meta *feed);

/**
 * Add one entry of the current feed.  The signature is dnsrep_entry_fn's, with the
 * builder as ctx, so a feed parser can feed the builder directly.
 * @return 0, or -1 out of memory or too many names.
 */
int dnsrep_snapshot_builder_add(void *builder, const struct dnsrep_entry *e);

/** Keep the current feed's entries. */
void dnsrep_snapshot_builder_feed_commit(struct dnsrep_snapshot_builder *b);

/** Drop every entry added since dnsrep_snapshot_builder_feed_begin. */
void dnsrep_snapshot_builder_feed_rollback(struct dnsrep_snapshot_builder *b);

/**
 * Drop the entries of the feed begun last, even when it was committed (a feed that
 * loaded but that the caller decides not to take after all).  Nothing may have been
 * begun since.
 */
void dnsrep_snapshot_builder_feed_undo(struct dnsrep_snapshot_builder *b);

/**
 * Build the snapshot from the committed feeds, merging duplicate names: the scopes
 * are joined, and the first feed's metadata is kept for block and for allow.
 * The builder is freed, whether it succeeds or not (as with the lookalike
 * builder: a finish function always consumes its builder).
 * @param version: an opaque version to record (e.g. the Redis version).
 * @return the snapshot, or NULL with err set.
 */
struct dnsrep_snapshot *dnsrep_snapshot_builder_finish(struct dnsrep_snapshot_builder *b, uint64_t version,
	char *err, size_t errlen);

/** Free a builder that was not finished.  NULL is fine. */
void dnsrep_snapshot_builder_free(struct dnsrep_snapshot_builder *b);

/* ---- matching ---------------------------------------------------------------- */

/**
 * Match a wire name (as a query's qname: any case, uncompressed, root label
 * included) against the snapshot.  Walks the name's suffixes from the name
 * itself up to the root, one probe each; the most specific entry that covers
 * the name decides, and at the same name an allow entry wins over a block entry.
 * No allocation, no lock; safe from any number of threads.
 * @return 0, or -1 when the name is malformed (m->verdict is then PASS).
 */
int dnsrep_snapshot_match(const struct dnsrep_snapshot *s, const uint8_t *wire, size_t len,
	struct dnsrep_match *m);

/**
 * Build the lookalike index of a snapshot from the names of its lookalike feeds
 * (see dnsrep/lookalike.h).  Call it before the snapshot is shared (it is then
 * immutable again); a snapshot file does not hold the index, so a loaded
 * snapshot needs this too.  A snapshot without lookalike feeds gets no index.
 * @return 0, or -1 with err set.
 */
int dnsrep_snapshot_protect(struct dnsrep_snapshot *s, const struct dnsrep_lookalike_opts *o,
	char *err, size_t errlen);

/**
 * Whether a name (wire form) is a lookalike of a protected name.  Call it when
 * dnsrep_snapshot_match passed: the match is then filled with verdict block, kind
 * lookalike, the protected name as rule and its feed's metadata; hit says how.
 * @return 1 on a lookalike, 0 otherwise.  Lock-free, allocation-free.
 */
int dnsrep_snapshot_lookalike(const struct dnsrep_snapshot *s, const uint8_t *wire, size_t len,
	struct dnsrep_match *m, struct dnsrep_lookalike_hit *hit);

/**
 * The match a lookalike hit of this snapshot makes (as dnsrep_snapshot_lookalike
 * fills it): for a caller that kept the hit and meets the name again.
 */
void dnsrep_snapshot_lookalike_match(const struct dnsrep_snapshot *s,
	const struct dnsrep_lookalike_hit *hit, struct dnsrep_match *m);

/** Protected names in the lookalike index (0 when there is none). */
size_t dnsrep_snapshot_protected(const struct dnsrep_snapshot *s);

/* ---- inspecting ---------------------------------------------------------------- */

/** Distinct names in the snapshot. */
uint32_t dnsrep_snapshot_names(const struct dnsrep_snapshot *s);

/** Names with block entries / with allow entries. */
uint32_t dnsrep_snapshot_blocks(const struct dnsrep_snapshot *s);
uint32_t dnsrep_snapshot_allows(const struct dnsrep_snapshot *s);

/** The version given to dnsrep_snapshot_builder_finish. */
uint64_t dnsrep_snapshot_version(const struct dnsrep_snapshot *s);

/**
 * A number no other snapshot of this process has had (built or loaded), never 0:
 * lets a reader tell whether a verdict it remembered came from the snapshot it
 * holds now, without comparing pointers (a freed snapshot's address can be reused).
 */
uint64_t dnsrep_snapshot_serial(const struct dnsrep_snapshot *s);

/** One distinct name of a snapshot and what its entries say. */
struct dnsrep_record {
	const uint8_t *name;       /**< canonical wire form (lower case), in the snapshot */
	size_t len;
	unsigned flags;            /**< DNSREP_REC_* bits (dnsrep/entry.h) */
	struct dnsrep_meta self;   /**< blocking the name itself: valid with DNSREP_REC_BLOCK_SELF */
	struct dnsrep_meta below;  /**< blocking below it: valid with DNSREP_REC_BLOCK_BELOW */
	struct dnsrep_meta allow;  /**< allowing: valid with either allow flag */
};

/**
 * Call fn for every distinct name, in no particular order; stops early when fn
 * returns non-zero.  @return what fn returned last (0 when every name was seen).
 */
int dnsrep_snapshot_each(const struct dnsrep_snapshot *s,
	int (*fn)(void *ctx, const struct dnsrep_record *r), void *ctx);

/**
 * The record of exactly this name (wire form, any case), if the snapshot has one.
 * @return 1 and r filled, or 0 (none, or a malformed name).
 */
int dnsrep_snapshot_record(const struct dnsrep_snapshot *s, const uint8_t *wire, size_t len,
	struct dnsrep_record *r);

/** Bytes the snapshot occupies (one block). */
size_t dnsrep_snapshot_bytes(const struct dnsrep_snapshot *s);

/** Bytes of memory it holds: the block and its lookalike index, if any. */
size_t dnsrep_snapshot_memory(const struct dnsrep_snapshot *s);

/** Free a snapshot.  NULL is fine. */
void dnsrep_snapshot_free(struct dnsrep_snapshot *s);

/* ---- the snapshot file ---------------------------------------------------------- */

/**
 * Write the snapshot to path atomically: a temporary file beside it, fsync, rename.
 * @return 0, or -1 with err set (the old file, if any, is untouched).
 */
int dnsrep_snapshot_save(const struct dnsrep_snapshot *s, const char *path, char *err, size_t errlen);

/**
 * Read a snapshot file and check it whole: magic, format version, sizes, checksum,
 * and that every offset and index inside stays in bounds.  A corrupt, truncated
 * or wrong-version file fails with the reason and returns NULL.
 */
struct dnsrep_snapshot *dnsrep_snapshot_load(const char *path, char *err, size_t errlen);

#endif /* DNSREP_SNAPSHOT_H */
