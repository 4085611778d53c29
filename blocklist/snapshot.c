/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * snapshot.c — build, match, save and load immutable blocklist snapshots
 * (see dnsrep/snapshot.h).
 *
 * Memory and file share one layout, every part at an 8-byte aligned offset:
 *
 *     header   magic "DNSREPSN", format, sizes, offsets, CRC-32s (zlib)
 *     filter   the domain set's Bloom filter (blocklist/set.h)
 *     slots    the domain set's table (blocklist/set.h)
 *     arena    records: DNSREP_REC_HEADER (14) bytes of header + canonical wire name (set.h)
 *     metas    metadata records: string offsets + action + lookalike and its
 *              tuning (format 3; format 2's records, without the tuning, are
 *              still read and widened on load)
 *     strings  interned strings, each NUL-terminated
 *
 * The builder stages records in feed order (so a feed can be rolled back by
 * truncation), interns strings and metadata tuples, then at finish dedupes the
 * staged records through a temporary table, sizes the block exactly, and lays
 * it out.  Loading reads the whole file into one allocation and checks the
 * checksums and every offset before anything uses it.
 */
#include "dnsrep/err.h"
#include "dnsrep/snapshot.h"
#include "intern.h"
#include "set.h"

#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#define SNAP_MAGIC "DNSREPSN"
#define SNAP_FORMAT 3u
/** The format before the lookalike tunings: metadata records of 24 bytes, still read. */
#define SNAP_FORMAT_2 2u
/** At most this many distinct names (offsets are 32-bit). */
#define MAX_NAMES (64u * 1024 * 1024)
/** A snapshot file larger than this is refused. */
#define MAX_FILE ((uint64_t)4 << 30)

/** The file and memory header. */
struct snap_header {
	char magic[8];
	uint32_t format;
	uint32_t header_size;
	uint64_t version;
	uint64_t created;
	uint64_t total_len;
	uint64_t slots_off;
	uint64_t arena_off;
	uint64_t arena_len;
	uint64_t metas_off;
	uint64_t strings_off;
	uint64_t strings_len;
	uint64_t filter_off;
	uint32_t n_filter;   /**< filter words, a power of two */
	uint32_t n_slots;
	uint32_t n_names;
	uint32_t n_metas;
	uint32_t n_blocks;
	uint32_t n_allows;
	uint32_t body_crc;   /**< CRC-32 of everything after the header */
	uint32_t header_crc; /**< CRC-32 of the header with this field 0 */
};

/** One metadata record: string offsets into the strings part. */
struct meta_rec {
	uint32_t feed, category, reason, date, source;
	uint8_t action;
	uint8_t lookalike;
	uint8_t lookalike_action;  /**< 0: log-only */
	uint8_t lookalike_off;     /**< the tuning's techniques off (format 2: a reserved 0) */
	uint8_t lookalike_min[DNSREP_LOOKALIKE_TECHNIQUES]; /**< format 3 on */
};
_Static_assert(sizeof(struct meta_rec) == 32, "meta_rec is 32 bytes");
/** A format 2 record: the first 24 bytes of one. */
#define META_REC_2 24u

struct dnsrep_snapshot {
	uint8_t *base;                 /**< the one block: header first */
	const struct snap_header *h;
	struct dnsrep_set set;
	const struct meta_rec *metas;
	struct meta_rec *metas_own;     /**< a format 2 file's records widened, or NULL */
	const char *strings;
	struct dnsrep_lookalike *lk;    /**< built by dnsrep_snapshot_protect, or NULL */
	uint64_t serial;                /**< unique in the process (dnsrep_snapshot_serial) */
};

/** The last serial handed out: one counter for the process, never reset. */
static _Atomic uint64_t last_serial;

struct dnsrep_snapshot_builder {
	uint8_t *stage;          /**< staged records, in the arena's record layout */
	size_t stage_len, stage_cap;
	uint32_t n_stage;
	size_t feed_start_len;   /**< where the current feed's records start */
	uint32_t feed_start_n;
	int in_feed;
	struct dnsrep_intern strings; /**< NUL-terminated strings */
	struct dnsrep_intern metas;   /**< struct meta_rec values */
	struct meta_rec cur;     /**< the current feed's defaults */
	uint32_t cur_meta;       /**< the index of cur itself, once interned */
};

static size_t align8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

/**
 * Memory for a snapshot block.  A large one is aligned to 2 MiB and marked for
 * transparent huge pages: matching touches random slots of a table of tens of
 * megabytes, and with 4 KiB pages nearly every probe also misses the TLB.
 */
static void *block_alloc(size_t size)
{
	const size_t huge = (size_t)2 << 20;
	if (size < 2 * huge)
		return calloc(1, size);
	void *p = NULL;
	size_t rounded = (size + huge - 1) & ~(huge - 1);
	if (posix_memalign(&p, huge, rounded) != 0)
		return NULL;
#ifdef MADV_HUGEPAGE
	(void)madvise(p, rounded, MADV_HUGEPAGE); /* advice only: fine if refused */
#endif
	memset(p, 0, size);
	return p;
}

/** The size of a metadata record in the block's format. */
static size_t meta_size(const struct snap_header *h)
{
	return h->format == SNAP_FORMAT_2 ? META_REC_2 : sizeof(struct meta_rec);
}

/** Record i of records msize bytes long, in *out (format 2's widened with zeros). */
static const struct meta_rec *meta_read(const uint8_t *metas, size_t msize, uint32_t i, struct meta_rec *out)
{
	memset(out, 0, sizeof(*out));
	memcpy(out, metas + (size_t)i * msize, msize);
	return out;
}

/**
 * Point a snapshot's views into its block (built or loaded: the same layout), once
 * the block is checked.  -1: out of memory (widening a format 2 file's records).
 */
static int attach(struct dnsrep_snapshot *s, uint8_t *base)
{
	const struct snap_header *h = (const struct snap_header *)base;
	if (h->format == SNAP_FORMAT_2) {
		s->metas_own = calloc(h->n_metas ? h->n_metas : 1, sizeof(*s->metas_own));
		if (!s->metas_own)
			return -1;
		for (uint32_t i = 0; i < h->n_metas; i++)
			meta_read(base + h->metas_off, META_REC_2, i, &s->metas_own[i]);
	}
	s->base = base;
	s->h = h;
	s->set.slots = (const struct dnsrep_slot *)(base + h->slots_off);
	s->set.mask = h->n_slots - 1;
	s->set.arena = base + h->arena_off;
	s->set.arena_len = h->arena_len;
	s->set.filter = (const uint64_t *)(base + h->filter_off);
	s->set.filter_mask = h->n_filter - 1;
	s->metas = s->metas_own ? s->metas_own : (const struct meta_rec *)(base + h->metas_off);
	s->strings = (const char *)(base + h->strings_off);
	s->serial = atomic_fetch_add(&last_serial, 1) + 1;
	return 0;
}

/* ---- building ------------------------------------------------------------- */

struct dnsrep_snapshot_builder *dnsrep_snapshot_builder_new(void)
{
	struct dnsrep_snapshot_builder *b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	if (dnsrep_intern_init(&b->strings) < 0 || dnsrep_intern_init(&b->metas) < 0 ||
	    dnsrep_intern_add(&b->strings, "", 1) < 0) {
		dnsrep_snapshot_builder_free(b);
		return NULL;
	}
	return b;
}

void dnsrep_snapshot_builder_free(struct dnsrep_snapshot_builder *b)
{
	if (!b)
		return;
	free(b->stage);
	dnsrep_intern_free(&b->strings);
	dnsrep_intern_free(&b->metas);
	free(b);
}

/** Intern a string (NULL as ""); its offset, or -1. */
static int64_t intern_str(struct dnsrep_snapshot_builder *b, const char *s)
{
	if (!s)
		s = "";
	return dnsrep_intern_add(&b->strings, s, strlen(s) + 1);
}

/** Intern a metadata record; its index, or -1. */
static int64_t intern_meta(struct dnsrep_snapshot_builder *b, const struct meta_rec *m)
{
	int64_t off = dnsrep_intern_add(&b->metas, m, sizeof(*m));
	if (off < 0)
		return -1;
	/* only meta_recs go into this pool, each behind a 4-byte length */
	return (off - 4) / (int64_t)(4 + sizeof(*m));
}

int dnsrep_snapshot_builder_feed_begin(struct dnsrep_snapshot_builder *b, const struct dnsrep_feed_meta *feed)
{
	if (b->in_feed)
		dnsrep_snapshot_builder_feed_rollback(b);
	memset(&b->cur, 0, sizeof(b->cur));
	int64_t f = intern_str(b, feed->feed), c = intern_str(b, feed->category),
		r = intern_str(b, feed->reason), none = intern_str(b, NULL);
	if (f < 0 || c < 0 || r < 0 || none < 0)
		return -1;
	b->cur.feed = (uint32_t)f;
	b->cur.category = (uint32_t)c;
	b->cur.reason = (uint32_t)r;
	b->cur.date = (uint32_t)none;
	b->cur.source = (uint32_t)none;
	b->cur.action = (uint8_t)feed->action;
	b->cur.lookalike = feed->lookalike ? 1 : 0;
	b->cur.lookalike_action = (uint8_t)feed->lookalike_action;
	b->cur.lookalike_off = feed->lookalike_tuning.off;
	memcpy(b->cur.lookalike_min, feed->lookalike_tuning.min_len, sizeof(b->cur.lookalike_min));
	int64_t idx = intern_meta(b, &b->cur);
	if (idx < 0)
		return -1;
	b->cur_meta = (uint32_t)idx;
	b->feed_start_len = b->stage_len;
	b->feed_start_n = b->n_stage;
	b->in_feed = 1;
	return 0;
}

/** The metadata index of an entry: the feed's own, or a tuple with the line's fields. */
static int64_t entry_meta(struct dnsrep_snapshot_builder *b, const struct dnsrep_entry *e)
{
	/* the line's own action, where the feed leaves it open */
	int own_action = e->action != DNSREP_ACTION_INHERIT && b->cur.action == DNSREP_ACTION_INHERIT;
	if (!e->category && !e->reason && !e->date && !e->source && !own_action)
		return b->cur_meta;
	struct meta_rec m = b->cur;
	if (own_action)
		m.action = (uint8_t)e->action;
	const struct { const char *text; uint32_t *field; } own[] = {
		{ e->category, &m.category }, { e->reason, &m.reason },
		{ e->date, &m.date }, { e->source, &m.source },
	};
	for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++) {
		if (!own[i].text)
			continue;
		int64_t v = intern_str(b, own[i].text);
		if (v < 0)
			return -1;
		*own[i].field = (uint32_t)v;
	}
	return intern_meta(b, &m);
}

int dnsrep_snapshot_builder_add(void *builder, const struct dnsrep_entry *e)
{
	struct dnsrep_snapshot_builder *b = builder;
	if (!b->in_feed || b->n_stage >= MAX_NAMES * 4u ||
	    b->stage_len + DNSREP_REC_HEADER + DNSREP_NAME_MAXWIRE >= UINT32_MAX)
		return -1;
	int64_t meta = entry_meta(b, e);
	if (meta < 0)
		return -1;
	size_t need = b->stage_len + DNSREP_REC_HEADER + e->name.len;
	if (need > b->stage_cap) {
		size_t cap = b->stage_cap ? b->stage_cap * 2 : 1 << 16;
		while (cap < need)
			cap *= 2;
		uint8_t *p = realloc(b->stage, cap);
		if (!p)
			return -1;
		b->stage = p;
		b->stage_cap = cap;
	}
	uint8_t *rec = b->stage + b->stage_len;
	uint32_t metas[3] = { DNSREP_META_NONE, DNSREP_META_NONE, DNSREP_META_NONE };
	uint8_t flags = 0;
	if (e->allow) {
		metas[DNSREP_REC_META_ALLOW] = (uint32_t)meta;
		flags |= (e->scope & DNSREP_SCOPE_SELF) ? DNSREP_REC_ALLOW_SELF : 0;
		flags |= (e->scope & DNSREP_SCOPE_BELOW) ? DNSREP_REC_ALLOW_BELOW : 0;
	} else {
		if (e->scope & DNSREP_SCOPE_SELF) {
			flags |= DNSREP_REC_BLOCK_SELF;
			metas[DNSREP_REC_META_SELF] = (uint32_t)meta;
		}
		if (e->scope & DNSREP_SCOPE_BELOW) {
			flags |= DNSREP_REC_BLOCK_BELOW;
			metas[DNSREP_REC_META_BELOW] = (uint32_t)meta;
		}
	}
	memcpy(rec, metas, sizeof(metas));
	rec[12] = flags;
	rec[13] = e->name.len;
	memcpy(rec + DNSREP_REC_HEADER, e->name.wire, e->name.len);
	b->stage_len = need;
	b->n_stage++;
	return 0;
}

void dnsrep_snapshot_builder_feed_commit(struct dnsrep_snapshot_builder *b)
{
	b->in_feed = 0;
}

void dnsrep_snapshot_builder_feed_rollback(struct dnsrep_snapshot_builder *b)
{
	if (!b->in_feed)
		return;
	b->stage_len = b->feed_start_len;
	b->n_stage = b->feed_start_n;
	b->in_feed = 0;
}

void dnsrep_snapshot_builder_feed_undo(struct dnsrep_snapshot_builder *b)
{
	b->stage_len = b->feed_start_len;
	b->n_stage = b->feed_start_n;
	b->in_feed = 0;
}

/** The action of an interned metadata record. */
static uint8_t meta_action(const struct dnsrep_snapshot_builder *b, uint32_t idx)
{
	const uint8_t *m = b->metas.pool + 4 + (size_t)idx * (4 + sizeof(struct meta_rec));
	return m[offsetof(struct meta_rec, action)];
}

/**
 * Join a duplicate staged record into the first one, scope by scope: a scope only
 * the duplicate covers takes the duplicate's metadata; a scope both cover keeps
 * the first feed's, unless that one only logs and the duplicate blocks (a
 * monitoring feed must not weaken a blocking one).
 */
static void merge_into(const struct dnsrep_snapshot_builder *b, uint8_t *first, const uint8_t *dup)
{
	for (int n = 0; n < 3; n++) {
		uint32_t mf = dnsrep_rec_meta(first, n), md = dnsrep_rec_meta(dup, n);
		if (md == DNSREP_META_NONE)
			continue;
		if (mf == DNSREP_META_NONE ||
		    (n != DNSREP_REC_META_ALLOW && meta_action(b, mf) == DNSREP_ACTION_LOG_ONLY &&
		     meta_action(b, md) != DNSREP_ACTION_LOG_ONLY))
			memcpy(first + 4 * n, &md, 4);
	}
	first[12] |= dup[12];
}

/* Long (~130 lines) for a reason: the layout is computed, allocated and filled in
 * one pass whose offsets depend on each other; split, the offsets would travel
 * between functions in a struct of their own. */
/** The snapshot of the committed feeds (dnsrep_snapshot_builder_finish, which frees b). */
static struct dnsrep_snapshot *build(struct dnsrep_snapshot_builder *b, uint64_t version,
	char *err, size_t errlen)
{
	dnsrep_snapshot_builder_feed_rollback(b);
	uint32_t cap = dnsrep_set_capacity(b->n_stage);
	uint32_t mask = cap - 1;
	uint32_t *tmp = calloc(cap, sizeof(*tmp));     /* staged offset + 1 */
	uint64_t *hashes = malloc((size_t)cap * sizeof(*hashes));
	struct dnsrep_snapshot *s = NULL;
	if (!tmp || !hashes) {
		dnsrep_err(err, errlen, "out of memory building a snapshot of %u entries", b->n_stage);
		goto out;
	}

	/* 1. dedupe staged records, joining duplicates into the first */
	uint32_t n_names = 0, n_blocks = 0, n_allows = 0;
	uint64_t arena_len = 0;
	struct dnsrep_labels l;
	for (size_t off = 0; off < b->stage_len;) {
		uint8_t *rec = b->stage + off;
		size_t reclen = DNSREP_REC_HEADER + dnsrep_rec_len(rec);
		if (dnsrep_set_labels(dnsrep_rec_name(rec), dnsrep_rec_len(rec), &l) < 0) {
			dnsrep_err(err, errlen, "internal error: malformed staged name");
			goto out;
		}
		uint64_t h = l.hash[0];
		uint32_t i = (uint32_t)h & mask;
		for (;; i = (i + 1) & mask) {
			if (tmp[i] == 0) {
				tmp[i] = (uint32_t)off + 1;
				hashes[i] = h;
				n_names++;
				arena_len += reclen;
				break;
			}
			uint8_t *other = b->stage + tmp[i] - 1;
			if (hashes[i] == h && dnsrep_rec_len(other) == dnsrep_rec_len(rec) &&
			    memcmp(dnsrep_rec_name(other), dnsrep_rec_name(rec), dnsrep_rec_len(rec)) == 0) {
				merge_into(b, other, rec);
				break;
			}
		}
		off += reclen;
	}
	if (n_names > MAX_NAMES || arena_len >= UINT32_MAX) {
		dnsrep_err(err, errlen, "too many names for one snapshot (%u)", n_names);
		goto out;
	}

	/* 2. lay out the block, the table sized for the distinct names */
	if (b->strings.len >= UINT32_MAX) {
		dnsrep_err(err, errlen, "too much metadata text for one snapshot");
		goto out;
	}
	uint32_t fcap = dnsrep_set_capacity(n_names);
	uint32_t n_metas = b->metas.count;
	uint32_t n_filter = dnsrep_set_filter_words(n_names);
	size_t filter_off = align8(sizeof(struct snap_header));
	size_t slots_off = filter_off + (size_t)n_filter * sizeof(uint64_t);
	size_t arena_off = align8(slots_off + (size_t)fcap * sizeof(struct dnsrep_slot));
	size_t metas_off = align8(arena_off + arena_len);
	size_t strings_off = align8(metas_off + (size_t)n_metas * sizeof(struct meta_rec));
	size_t total = align8(strings_off + b->strings.len);
	if ((uint64_t)total > MAX_FILE) {
		dnsrep_err(err, errlen, "a snapshot of %u names would be larger than 4 GiB", n_names);
		goto out;
	}
	s = calloc(1, sizeof(*s));
	uint8_t *base = s ? block_alloc(total) : NULL;
	if (!base) {
		free(s);
		s = NULL;
		dnsrep_err(err, errlen, "out of memory: a snapshot of %u names needs %zu bytes", n_names, total);
		goto out;
	}
	s->base = base;
	struct dnsrep_slot *slots = (struct dnsrep_slot *)(base + slots_off);
	uint64_t *filter = (uint64_t *)(base + filter_off);
	uint8_t *arena = base + arena_off;
	uint64_t apos = 0;
	for (uint32_t i = 0; i < cap; i++) {
		if (!tmp[i])
			continue;
		const uint8_t *rec = b->stage + tmp[i] - 1;
		size_t reclen = DNSREP_REC_HEADER + dnsrep_rec_len(rec);
		memcpy(arena + apos, rec, reclen);
		dnsrep_set_place(slots, fcap - 1, hashes[i], (uint32_t)apos);
		dnsrep_set_filter_add(filter, n_filter - 1, hashes[i]);
		uint8_t fl = dnsrep_rec_flags(rec);
		n_blocks += (fl & (DNSREP_REC_BLOCK_SELF | DNSREP_REC_BLOCK_BELOW)) != 0;
		n_allows += (fl & (DNSREP_REC_ALLOW_SELF | DNSREP_REC_ALLOW_BELOW)) != 0;
		apos += reclen;
	}
	struct meta_rec *metas = (struct meta_rec *)(base + metas_off);
	for (uint32_t i = 0; i < n_metas; i++)
		memcpy(&metas[i], b->metas.pool + 4 + (size_t)i * (4 + sizeof(struct meta_rec)),
		       sizeof(struct meta_rec));
	memcpy(base + strings_off, b->strings.pool, b->strings.len);

	struct snap_header *h = (struct snap_header *)base;
	memcpy(h->magic, SNAP_MAGIC, 8);
	h->format = SNAP_FORMAT;
	h->header_size = sizeof(*h);
	h->version = version;
	h->created = (uint64_t)time(NULL);
	h->total_len = total;
	h->slots_off = slots_off;
	h->arena_off = arena_off;
	h->arena_len = arena_len;
	h->metas_off = metas_off;
	h->strings_off = strings_off;
	h->strings_len = b->strings.len;
	h->filter_off = filter_off;
	h->n_filter = n_filter;
	h->n_slots = fcap;
	h->n_names = n_names;
	h->n_metas = n_metas;
	h->n_blocks = n_blocks;
	h->n_allows = n_allows;
	h->body_crc = (uint32_t)crc32_z(crc32_z(0, NULL, 0), base + sizeof(*h), total - sizeof(*h));
	h->header_crc = 0;
	h->header_crc = (uint32_t)crc32_z(crc32_z(0, NULL, 0), base, sizeof(*h));

	attach(s, base); /* format 3: nothing to allocate */
out:
	free(tmp);
	free(hashes);
	return s;
}

struct dnsrep_snapshot *dnsrep_snapshot_builder_finish(struct dnsrep_snapshot_builder *b,
	uint64_t version, char *err, size_t errlen)
{
	struct dnsrep_snapshot *s = build(b, version, err, errlen);
	dnsrep_snapshot_builder_free(b);
	return s;
}

/* ---- matching ---------------------------------------------------------------- */

static void fill_meta(const struct dnsrep_snapshot *s, uint32_t idx, struct dnsrep_meta *m)
{
	const struct meta_rec *r = &s->metas[idx];
	m->feed = s->strings + r->feed;
	m->category = s->strings + r->category;
	m->reason = s->strings + r->reason;
	m->date = s->strings + r->date;
	m->source = s->strings + r->source;
	m->action = (enum dnsrep_action)r->action;
	m->lookalike = r->lookalike;
	m->lookalike_action = r->lookalike_action ? (enum dnsrep_action)r->lookalike_action
						  : DNSREP_ACTION_LOG_ONLY;
	m->lookalike_tuning.off = r->lookalike_off;
	memcpy(m->lookalike_tuning.min_len, r->lookalike_min, sizeof(r->lookalike_min));
}

int dnsrep_snapshot_match(const struct dnsrep_snapshot *s, const uint8_t *wire, size_t len,
	struct dnsrep_match *m)
{
	struct dnsrep_labels l;
	m->verdict = DNSREP_VERDICT_PASS;
	m->kind = DNSREP_MATCH_NONE;
	m->rule = NULL;
	m->name_hash = 0;
	if (dnsrep_set_labels(wire, len, &l) < 0)
		return -1;
	m->name_hash = dnsrep_hash_mix64(l.hash[0]) | 1;
	if (s->h->n_names == 0)
		return 0;
	size_t end = (size_t)l.off[l.n] + 1;
	/* the filter rules out most suffixes from the cache; the slots of the others
	 * are likely cache misses in a large table: ask for them all at once so the
	 * misses overlap instead of queueing one after another */
	uint8_t maybe[DNSREP_SET_MAXLABELS + 1];
	int any = 0;
	for (int i = 0; i <= l.n; i++) {
		maybe[i] = (uint8_t)dnsrep_set_filter_maybe(&s->set, l.hash[i]);
		if (maybe[i]) {
			any = 1;
			__builtin_prefetch(&s->set.slots[l.hash[i] & s->set.mask]);
		}
	}
	if (!any)
		return 0;
	for (int i = 0; i <= l.n; i++) {
		if (!maybe[i])
			continue;
		int64_t r = dnsrep_set_find(&s->set, l.hash[i], wire + l.off[i], end - l.off[i]);
		if (r < 0)
			continue;
		const uint8_t *rec = s->set.arena + r;
		uint8_t fl = dnsrep_rec_flags(rec);
		uint8_t allow = i == 0 ? DNSREP_REC_ALLOW_SELF : DNSREP_REC_ALLOW_BELOW;
		uint8_t block = i == 0 ? DNSREP_REC_BLOCK_SELF : DNSREP_REC_BLOCK_BELOW;
		if (fl & allow) {
			m->verdict = DNSREP_VERDICT_ALLOW;
			fill_meta(s, dnsrep_rec_meta(rec, DNSREP_REC_META_ALLOW), &m->meta);
		} else if (fl & block) {
			m->verdict = DNSREP_VERDICT_BLOCK;
			fill_meta(s, dnsrep_rec_meta(rec, i == 0 ? DNSREP_REC_META_SELF
								 : DNSREP_REC_META_BELOW), &m->meta);
		} else {
			continue;
		}
		m->kind = i == 0 ? DNSREP_MATCH_EXACT : DNSREP_MATCH_SUBDOMAIN;
		m->rule = dnsrep_rec_name(rec);
		return 0;
	}
	return 0;
}

/* ---- lookalikes ----------------------------------------------------------------- */

/** Whether a record's block metadata (scope n) belongs to a lookalike feed. */
static int protects(const struct dnsrep_snapshot *s, const uint8_t *rec, int n)
{
	uint32_t m = dnsrep_rec_meta(rec, n);
	return m != DNSREP_META_NONE && s->metas[m].lookalike;
}

/** A protected record and the metadata it protects with. */
struct protected_rec {
	const uint8_t *rec;
	uint32_t meta;
};

/** The canonical order of the records' names (their octets, then their lengths). */
static int protected_cmp(const void *a, const void *b)
{
	const uint8_t *x = ((const struct protected_rec *)a)->rec;
	const uint8_t *y = ((const struct protected_rec *)b)->rec;
	uint8_t xl = dnsrep_rec_len(x), yl = dnsrep_rec_len(y);
	int c = memcmp(dnsrep_rec_name(x), dnsrep_rec_name(y), xl < yl ? xl : yl);
	return c ? c : (int)xl - (int)yl;
}

int dnsrep_snapshot_protect(struct dnsrep_snapshot *s, const struct dnsrep_lookalike_opts *o,
	char *err, size_t errlen)
{
	struct dnsrep_lookalike_builder *b = NULL;
	struct protected_rec *p = NULL;
	size_t n_p = 0;
	char nerr[DNSREP_ERRLEN];
	dnsrep_lookalike_free(s->lk);
	s->lk = NULL;
	/* The index is given the names in their canonical order, not the table's:
	 * which protected name stands for a label and whose metadata a registrable
	 * domain keeps (the first one's) must not move when unrelated names change
	 * the table's layout, or a lookalike's action would change with them. */
	for (int pass = 0; pass < 2; pass++) {
		for (uint32_t i = 0; i <= s->set.mask; i++) {
			if (!s->set.slots[i].rec)
				continue;
			const uint8_t *rec = s->set.arena + s->set.slots[i].rec - 1;
			uint8_t fl = dnsrep_rec_flags(rec);
			int n = (fl & DNSREP_REC_BLOCK_SELF) && protects(s, rec, DNSREP_REC_META_SELF)
				? DNSREP_REC_META_SELF
				: (fl & DNSREP_REC_BLOCK_BELOW) && protects(s, rec, DNSREP_REC_META_BELOW)
				? DNSREP_REC_META_BELOW : -1;
			if (n < 0)
				continue;
			if (pass == 1)
				p[n_p] = (struct protected_rec){ rec, dnsrep_rec_meta(rec, n) };
			n_p++;
		}
		if (n_p == 0)
			return 0;
		if (pass == 0 && !(p = malloc(n_p * sizeof(*p))))
			return dnsrep_err(err, errlen, "out of memory building the lookalike index");
		if (pass == 0)
			n_p = 0;
	}
	qsort(p, n_p, sizeof(*p), protected_cmp);
	if (!(b = dnsrep_lookalike_builder_new(o))) {
		free(p);
		return dnsrep_err(err, errlen, "out of memory building the lookalike index");
	}
	for (size_t i = 0; i < n_p; i++) {
		struct dnsrep_name name;
		if (dnsrep_name_from_wire(&name, dnsrep_rec_name(p[i].rec), dnsrep_rec_len(p[i].rec),
					  nerr, sizeof(nerr)) < 0)
			continue;
		const struct meta_rec *m = &s->metas[p[i].meta];
		struct dnsrep_lookalike_tuning t = { .off = m->lookalike_off };
		memcpy(t.min_len, m->lookalike_min, sizeof(t.min_len));
		if (dnsrep_lookalike_builder_add_tuned(b, &name, p[i].meta, &t) < 0) {
			dnsrep_lookalike_builder_free(b);
			free(p);
			return dnsrep_err(err, errlen, "out of memory (or over 256 lookalike tunings) "
					  "building the lookalike index");
		}
	}
	free(p);
	s->lk = dnsrep_lookalike_builder_finish(b, err, errlen);
	return s->lk ? 0 : -1;
}

int dnsrep_snapshot_lookalike(const struct dnsrep_snapshot *s, const uint8_t *wire, size_t len,
	struct dnsrep_match *m, struct dnsrep_lookalike_hit *hit)
{
	if (!s->lk || !dnsrep_lookalike_check(s->lk, wire, len, hit))
		return 0;
	dnsrep_snapshot_lookalike_match(s, hit, m);
	return 1;
}

void dnsrep_snapshot_lookalike_match(const struct dnsrep_snapshot *s,
	const struct dnsrep_lookalike_hit *hit, struct dnsrep_match *m)
{
	m->verdict = DNSREP_VERDICT_BLOCK;
	m->kind = DNSREP_MATCH_LOOKALIKE;
	m->rule = hit->protected_name;
	fill_meta(s, hit->meta, &m->meta);
}

size_t dnsrep_snapshot_protected(const struct dnsrep_snapshot *s)
{
	return s->lk ? dnsrep_lookalike_count(s->lk) : 0;
}

/* ---- inspecting ---------------------------------------------------------------- */

uint32_t dnsrep_snapshot_names(const struct dnsrep_snapshot *s) { return s->h->n_names; }
uint32_t dnsrep_snapshot_blocks(const struct dnsrep_snapshot *s) { return s->h->n_blocks; }
uint32_t dnsrep_snapshot_allows(const struct dnsrep_snapshot *s) { return s->h->n_allows; }
uint64_t dnsrep_snapshot_version(const struct dnsrep_snapshot *s) { return s->h->version; }
size_t dnsrep_snapshot_bytes(const struct dnsrep_snapshot *s) { return (size_t)s->h->total_len; }
size_t dnsrep_snapshot_memory(const struct dnsrep_snapshot *s)
{
	return (size_t)s->h->total_len + (s->lk ? dnsrep_lookalike_bytes(s->lk) : 0);
}
uint64_t dnsrep_snapshot_serial(const struct dnsrep_snapshot *s) { return s->serial; }

/** A record's fields as the public struct. */
static void fill_record(const struct dnsrep_snapshot *s, const uint8_t *rec, struct dnsrep_record *r)
{
	memset(r, 0, sizeof(*r));
	r->name = dnsrep_rec_name(rec);
	r->len = dnsrep_rec_len(rec);
	r->flags = dnsrep_rec_flags(rec);
	if (r->flags & DNSREP_REC_BLOCK_SELF)
		fill_meta(s, dnsrep_rec_meta(rec, DNSREP_REC_META_SELF), &r->self);
	if (r->flags & DNSREP_REC_BLOCK_BELOW)
		fill_meta(s, dnsrep_rec_meta(rec, DNSREP_REC_META_BELOW), &r->below);
	if (r->flags & (DNSREP_REC_ALLOW_SELF | DNSREP_REC_ALLOW_BELOW))
		fill_meta(s, dnsrep_rec_meta(rec, DNSREP_REC_META_ALLOW), &r->allow);
}

int dnsrep_snapshot_each(const struct dnsrep_snapshot *s,
	int (*fn)(void *ctx, const struct dnsrep_record *r), void *ctx)
{
	struct dnsrep_record r;
	for (uint32_t i = 0; i <= s->set.mask; i++) {
		if (!s->set.slots[i].rec)
			continue;
		fill_record(s, s->set.arena + s->set.slots[i].rec - 1, &r);
		int rc = fn(ctx, &r);
		if (rc)
			return rc;
	}
	return 0;
}

int dnsrep_snapshot_record(const struct dnsrep_snapshot *s, const uint8_t *wire, size_t len,
	struct dnsrep_record *r)
{
	struct dnsrep_labels l;
	if (s->h->n_names == 0 || dnsrep_set_labels(wire, len, &l) < 0)
		return 0;
	int64_t off = dnsrep_set_find(&s->set, l.hash[0], wire, (size_t)l.off[l.n] + 1);
	if (off < 0)
		return 0;
	fill_record(s, s->set.arena + off, r);
	return 1;
}

void dnsrep_snapshot_free(struct dnsrep_snapshot *s)
{
	if (!s)
		return;
	dnsrep_lookalike_free(s->lk);
	free(s->metas_own);
	free(s->base);
	free(s);
}

/* ---- the snapshot file ---------------------------------------------------------- */

int dnsrep_snapshot_save(const struct dnsrep_snapshot *s, const char *path, char *err, size_t errlen)
{
	char tmp[4096];
	if (snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path) >= (int)sizeof(tmp))
		return dnsrep_err(err, errlen, "snapshot %s: path too long", path);
	int fd = mkstemp(tmp);
	if (fd < 0)
		return dnsrep_err(err, errlen, "snapshot %s: cannot create a temporary file beside it: %s",
			    path, strerror(errno));
	const uint8_t *p = s->base;
	size_t left = (size_t)s->h->total_len;
	while (left > 0) {
		ssize_t w = write(fd, p, left);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int e = errno;
			close(fd);
			unlink(tmp);
			return dnsrep_err(err, errlen, "snapshot %s: write failed: %s", path, strerror(e));
		}
		p += w;
		left -= (size_t)w;
	}
	if (fchmod(fd, 0644) < 0 || fsync(fd) < 0) {
		int e = errno;
		close(fd);
		unlink(tmp);
		return dnsrep_err(err, errlen, "snapshot %s: %s", path, strerror(e));
	}
	if (close(fd) < 0 || rename(tmp, path) < 0) {
		int e = errno;
		unlink(tmp);
		return dnsrep_err(err, errlen, "snapshot %s: cannot put it in place: %s", path, strerror(e));
	}
	return 0;
}

/** Check that [off, off+len) lies inside [0, total). */
static int in_bounds(uint64_t off, uint64_t len, uint64_t total)
{
	return off <= total && len <= total - off;
}

/** Check a loaded block: sections, offsets, records, metadata, strings. */
static int check_block(const uint8_t *base, uint64_t size, const char *path, char *err, size_t errlen)
{
	const struct snap_header *h = (const struct snap_header *)base;
	struct snap_header copy;
	if (size < sizeof(*h))
		return dnsrep_err(err, errlen, "snapshot %s: truncated (%llu bytes, shorter than its header)",
			    path, (unsigned long long)size);
	if (memcmp(h->magic, SNAP_MAGIC, 8) != 0)
		return dnsrep_err(err, errlen, "snapshot %s: not a dnsrep snapshot file", path);
	if ((h->format != SNAP_FORMAT && h->format != SNAP_FORMAT_2) || h->header_size != sizeof(*h))
		return dnsrep_err(err, errlen, "snapshot %s: format %u, this dnsrep reads formats %u and %u",
			    path, h->format, SNAP_FORMAT_2, SNAP_FORMAT);
	size_t msize = meta_size(h);
	memcpy(&copy, h, sizeof(copy));
	copy.header_crc = 0;
	if ((uint32_t)crc32_z(crc32_z(0, NULL, 0), (const uint8_t *)&copy, sizeof(copy)) != h->header_crc)
		return dnsrep_err(err, errlen, "snapshot %s: header checksum mismatch (corrupt)", path);
	if (h->total_len != size)
		return dnsrep_err(err, errlen, "snapshot %s: truncated or extended: %llu bytes, header says %llu",
			    path, (unsigned long long)size, (unsigned long long)h->total_len);
	if ((uint32_t)crc32_z(crc32_z(0, NULL, 0), base + sizeof(*h), size - sizeof(*h)) != h->body_crc)
		return dnsrep_err(err, errlen, "snapshot %s: checksum mismatch (corrupt)", path);
	/* the checksums say the bytes are as written; the rest guards against a
	 * file written wrong, so that matching can never read out of bounds */
	if (h->n_slots < 16 || (h->n_slots & (h->n_slots - 1)) != 0 || h->n_names >= h->n_slots ||
	    h->n_filter == 0 || (h->n_filter & (h->n_filter - 1)) != 0 || h->filter_off % 8 ||
	    !in_bounds(h->filter_off, (uint64_t)h->n_filter * sizeof(uint64_t), size) ||
	    !in_bounds(h->slots_off, (uint64_t)h->n_slots * sizeof(struct dnsrep_slot), size) ||
	    !in_bounds(h->arena_off, h->arena_len, size) || h->arena_len >= UINT32_MAX ||
	    !in_bounds(h->metas_off, (uint64_t)h->n_metas * msize, size) ||
	    !in_bounds(h->strings_off, h->strings_len, size) || h->strings_len == 0 ||
	    h->slots_off % 8 || h->metas_off % 8 ||
	    base[h->strings_off + h->strings_len - 1] != 0)
		return dnsrep_err(err, errlen, "snapshot %s: inconsistent layout", path);
	const struct dnsrep_slot *slots = (const struct dnsrep_slot *)(base + h->slots_off);
	const uint8_t *arena = base + h->arena_off;
	uint32_t used = 0;
	struct dnsrep_labels l;
	for (uint32_t i = 0; i < h->n_slots; i++) {
		if (!slots[i].rec)
			continue;
		used++;
		uint64_t r = slots[i].rec - 1;
		if (!in_bounds(r, DNSREP_REC_HEADER, h->arena_len) ||
		    !in_bounds(r + DNSREP_REC_HEADER, dnsrep_rec_len(arena + r), h->arena_len))
			return dnsrep_err(err, errlen, "snapshot %s: slot %u points outside the arena", path, i);
		const uint8_t *rec = arena + r;
		if (dnsrep_set_labels(dnsrep_rec_name(rec), dnsrep_rec_len(rec), &l) < 0 ||
		    (size_t)l.off[l.n] + 1 != dnsrep_rec_len(rec))
			return dnsrep_err(err, errlen, "snapshot %s: malformed name in slot %u", path, i);
		uint8_t fl = dnsrep_rec_flags(rec);
		if ((fl & DNSREP_REC_BLOCK_SELF && dnsrep_rec_meta(rec, DNSREP_REC_META_SELF) >= h->n_metas) ||
		    (fl & DNSREP_REC_BLOCK_BELOW && dnsrep_rec_meta(rec, DNSREP_REC_META_BELOW) >= h->n_metas) ||
		    (fl & (DNSREP_REC_ALLOW_SELF | DNSREP_REC_ALLOW_BELOW) &&
		     dnsrep_rec_meta(rec, DNSREP_REC_META_ALLOW) >= h->n_metas))
			return dnsrep_err(err, errlen, "snapshot %s: bad metadata index in slot %u", path, i);
	}
	if (used != h->n_names)
		return dnsrep_err(err, errlen, "snapshot %s: %u names in the table, header says %u",
			    path, used, h->n_names);
	for (uint32_t i = 0; i < h->n_metas; i++) {
		struct meta_rec rec_i;
		const struct meta_rec *m = meta_read(base + h->metas_off, msize, i, &rec_i);
		if (m->feed >= h->strings_len || m->category >= h->strings_len ||
		    m->reason >= h->strings_len || m->date >= h->strings_len ||
		    m->source >= h->strings_len || m->action > DNSREP_ACTION_LOG_ONLY ||
		    m->lookalike_action > DNSREP_ACTION_LOG_ONLY)
			return dnsrep_err(err, errlen, "snapshot %s: bad metadata record %u", path, i);
	}
	return 0;
}

struct dnsrep_snapshot *dnsrep_snapshot_load(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		dnsrep_err(err, errlen, "snapshot %s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	struct stat st;
	if (fstat(fileno(f), &st) < 0 || !S_ISREG(st.st_mode)) {
		fclose(f);
		dnsrep_err(err, errlen, "snapshot %s: not a regular file", path);
		return NULL;
	}
	if ((uint64_t)st.st_size > MAX_FILE) {
		fclose(f);
		dnsrep_err(err, errlen, "snapshot %s: larger than 4 GiB", path);
		return NULL;
	}
	size_t size = (size_t)st.st_size;
	struct dnsrep_snapshot *s = calloc(1, sizeof(*s));
	uint8_t *base = s ? block_alloc(size ? size : 1) : NULL;
	if (!base) {
		fclose(f);
		free(s);
		dnsrep_err(err, errlen, "snapshot %s: out of memory (%zu bytes)", path, size);
		return NULL;
	}
	size_t got = fread(base, 1, size, f);
	fclose(f);
	if (got != size || check_block(base, got, path, err, errlen) < 0) {
		if (got != size)
			dnsrep_err(err, errlen, "snapshot %s: read %zu of %zu bytes", path, got, size);
		free(base);
		free(s);
		return NULL;
	}
	if (attach(s, base) < 0) {
		dnsrep_err(err, errlen, "snapshot %s: out of memory", path);
		free(base);
		free(s);
		return NULL;
	}
	return s;
}
