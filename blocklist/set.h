/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * set.h — private to libdnsrep: the domain set: names in one arena, found by open addressing.
 *
 * A record in the arena is a small fixed header (flags, two metadata indexes)
 * followed by the name in canonical wire form.  The table is an array of slots,
 * each the record's arena offset plus 32 bits of the name's hash (the
 * fingerprint), so a probe touches the record only when the fingerprint agrees.
 * Hashes are computed label by label from the right, so that the hashes of every
 * suffix of a query name come from one pass over it: matching costs one probe
 * per label, folds case on the fly, and allocates nothing.
 *
 * The set holds only offsets, never pointers, so a snapshot can be written to a
 * file and read back without fixing anything up.
 */
#ifndef DNSREP_SET_H
#define DNSREP_SET_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dnsrep/entry.h"   /* the record flags, DNSREP_REC_* */
#include "hash.h"           /* dnsrep_hash_mix64 */

/** A name has at most 127 labels (255 octets, 2 per label at least). */
#define DNSREP_SET_MAXLABELS 128

/** The fixed part of a record; the wire name (len octets) follows it in the arena. */
#define DNSREP_REC_HEADER 14
/* layout: u32 self_meta, u32 below_meta, u32 allow_meta, u8 flags, u8 len (unaligned:
 * read with memcpy).  A name listed by several feeds keeps, for blocking the name
 * itself and for blocking the names below it, the metadata of the feed that
 * covers each, so one feed's action never spreads to names only another lists. */

/** No metadata index. */
#define DNSREP_META_NONE UINT32_MAX

/** A slot: the record's arena offset + 1 (0: empty) and the hash's high 32 bits. */
struct dnsrep_slot {
	uint32_t rec;
	uint32_t fp;
};

/** A read-only view of a built set: what matching needs. */
struct dnsrep_set {
	const struct dnsrep_slot *slots;
	uint32_t mask;          /**< number of slots - 1; a power of two minus one */
	const uint8_t *arena;
	uint64_t arena_len;
	const uint64_t *filter; /**< a blocked Bloom filter of the names' hashes */
	uint32_t filter_mask;   /**< number of filter words - 1 */
};

/*
 * The filter: one 64-bit word per hash, two bits set in it.  At 8 bits per name
 * it answers "certainly not in the set" for about 95% of absent suffixes from a
 * table small enough to stay in the CPU cache (1 MiB per million names), so a
 * query that matches nothing, the common case, rarely touches the slots at all.
 */

/** The number of filter words for n names: a power of two, 8 bits per name or more. */
uint32_t dnsrep_set_filter_words(uint32_t n);

/** Add a hash to a filter. */
static inline void dnsrep_set_filter_add(uint64_t *filter, uint32_t mask, uint64_t hash)
{
	filter[(hash >> 40) & mask] |= (1ull << (hash & 63)) | (1ull << ((hash >> 6) & 63));
}

/** Whether a hash may be in the set (false: certainly not). */
static inline int dnsrep_set_filter_maybe(const struct dnsrep_set *s, uint64_t hash)
{
	uint64_t bits = (1ull << (hash & 63)) | (1ull << ((hash >> 6) & 63));
	return (s->filter[(hash >> 40) & s->filter_mask] & bits) == bits;
}

/** Where each label of a name starts and the hash of the suffix from there. */
struct dnsrep_labels {
	int n;                                   /**< labels, the root not counted */
	uint8_t off[DNSREP_SET_MAXLABELS + 1];   /**< off[i]: start of label i; off[n]: the root */
	uint64_t hash[DNSREP_SET_MAXLABELS + 1]; /**< hash of the suffix starting at off[i] */
};

/**
 * Split a wire name into labels and hash every suffix, folding ASCII case.
 * @return 0, or -1 when the name is malformed (a label runs past len, a
 *   compression pointer, over 255 octets).
 */
int dnsrep_set_labels(const uint8_t *wire, size_t len, struct dnsrep_labels *l);

/**
 * Find the record whose name equals (ignoring ASCII case) the wire name at
 * name (len octets, root label included) with the given suffix hash.
 * @return the record's offset in the arena, or -1.
 */
int64_t dnsrep_set_find(const struct dnsrep_set *s, uint64_t hash, const uint8_t *name, size_t len);

/** Put a record at arena offset rec into the slots (no duplicate check). */
void dnsrep_set_place(struct dnsrep_slot *slots, uint32_t mask, uint64_t hash, uint32_t rec);

/** The number of slots for n names: a power of two, at most 70% full. */
uint32_t dnsrep_set_capacity(uint32_t n);  /* n at most 2^30 */

/** A record's fields. */
static inline uint8_t dnsrep_rec_flags(const uint8_t *rec) { return rec[12]; }
static inline uint8_t dnsrep_rec_len(const uint8_t *rec) { return rec[13]; }
static inline const uint8_t *dnsrep_rec_name(const uint8_t *rec) { return rec + DNSREP_REC_HEADER; }
/** Metadata index n of a record: 0 blocks the name, 1 blocks below it, 2 allows. */
static inline uint32_t dnsrep_rec_meta(const uint8_t *rec, int n)
{
	uint32_t v;
	memcpy(&v, rec + 4 * n, 4);
	return v;
}
enum { DNSREP_REC_META_SELF = 0, DNSREP_REC_META_BELOW = 1, DNSREP_REC_META_ALLOW = 2 };

#endif /* DNSREP_SET_H */
