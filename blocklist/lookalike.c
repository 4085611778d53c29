/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lookalike.c — lookalikes of protected names (see dnsrep/lookalike.h).
 *
 * What: an index over the protected registrable domains that answers, for a
 * query name, "is its registrable domain a sibling of a protected one?" by five
 * techniques (tld-swap, homoglyph, typo, affix, contains), in that order.
 *
 * How: every question is turned into exact hash lookups, so a check costs a few
 * dozen probes whatever the number of protected names:
 *
 *   label      each distinct protected label (the leftmost label of the
 *              registrable domain): tld-swap, and the remainders of affix
 *   skeleton   each distinct confusable skeleton of a label: homoglyph
 *   deletions  every 1-deletion variant of the labels of at least min_len (and
 *              the 2-deletion variants of the labels of at least
 *              two_edit_min_len when two_edits is on): typo, after the
 *              symmetric-deletion idea of SymSpell — a query's own deletion
 *              variants meet a protected label's when the two are one (two)
 *              edits apart; every candidate is then verified with the real
 *              Damerau-Levenshtein distance (optimal string alignment)
 *   gram       one min_len-gram of each label of at least min_len, the rarest
 *              of its grams among all labels (counted in a sketch at finish): a
 *              protected label that occurs inside the query label has that gram
 *              at some position of it, and the query's grams are all looked up;
 *              candidates are verified by comparing the label at each position
 *              (a full n-gram index would cost a key per position and find
 *              nothing more; the rarest gram keeps candidate lists short when
 *              many labels share words)
 *   domain     each protected registrable domain: a query for a protected
 *              domain (or below it) is no lookalike
 *
 * All of them are keys in ONE open-addressing table of {32-bit fingerprint,
 * entry} slots (the key's kind is mixed into its hash), linear probing, sized at
 * finish for the keys it will hold (no power of two, so no wasted half).  A key
 * may have several slots (a deletion variant shared by several labels): a probe
 * visits every slot with its fingerprint until an empty one.  In front of the
 * table sits a blocked Bloom filter (one 64-bit word per key, 2 bits, 12 to 24
 * bits per key: a power of two of words, so a key's top bits pick its word): the
 * common query, no lookalike, is answered mostly from the filter, whose words
 * are all prefetched before the first is tested.  (Two bits rather than three:
 * a check tests some 30 keys, and the third bit cost more instructions than the
 * few more table probes it saves.)  The label hashes are
 * polynomial (mod 2^64), so that the hash of every deletion variant and every
 * gram of a query label comes from its prefix hashes in O(1).
 *
 * A deletion variant or gram shared by more than MAX_PER_KEY labels keeps only
 * the first MAX_PER_KEY (a label is still found through its other variants);
 * protected domains and labels are never dropped.  Memory: about 250 bytes per
 * protected name (1M generated names; tests/bench/bench_lookalike), about five
 * times that with two_edits, whose 2-deletion variants grow with the square of
 * the label's length.
 *
 * A check allocates nothing and takes no lock: the query's registrable domain
 * comes from a struct dnsrep_name on the stack, and everything else is stack
 * buffers of at most a label's size.
 *
 * Skeletons (homoglyph) come from confusable.c, the one table of look-alike
 * characters, which `dnsrepctl variants` draws its homoglyphs from too.
 *
 * Names spread over several labels (level-squat, dot-insertion, tld-split) are
 * checked last, with keys prepared and prefetched at the start (struct la_spread).
 *
 * Why one file of ~1,300 lines: it is one index; building it and every check
 * share the private table, filter, probe and hash helpers above, which a split
 * would turn into a header of internals.
 */
#include "dnsrep/confusable.h"
#include "dnsrep/err.h"
#include "dnsrep/lookalike.h"
#include "set.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- options and names ----------------------------------------------------------- */

static const char *const default_affixes[] = {
	"my", "the", "get", "go", "hub", "group", "app", "apps", "llc", "inc", "ltd",
	"tech", "techs", "soft", "lab", "labs", "studio", "studios", "team", "global",
	"online", "web", "net", "it", "io", "pro", "dev", "cloud", "hq", "co", "corp",
	"official", "support", "login", "secure",
};

#define N_DEFAULT_AFFIXES (sizeof(default_affixes) / sizeof(default_affixes[0]))

void dnsrep_lookalike_opts_init(struct dnsrep_lookalike_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->min_len = 6;
	o->two_edits = 0;
	o->two_edit_min_len = 10;
	o->affixes = NULL;
	o->n_affixes = 0;
}

const char *const *dnsrep_lookalike_default_affixes(size_t *n)
{
	if (n)
		*n = N_DEFAULT_AFFIXES;
	return default_affixes;
}

const char *dnsrep_lookalike_technique_name(enum dnsrep_technique t)
{
	switch (t) {
	case DNSREP_LOOKALIKE_TLD_SWAP: return "tld-swap";
	case DNSREP_LOOKALIKE_HOMOGLYPH: return "homoglyph";
	case DNSREP_LOOKALIKE_TYPO: return "typo";
	case DNSREP_LOOKALIKE_AFFIX: return "affix";
	case DNSREP_LOOKALIKE_CONTAINS: return "contains";
	case DNSREP_LOOKALIKE_LEVEL_SQUAT: return "level-squat";
	case DNSREP_LOOKALIKE_DOT_INSERTION: return "dot-insertion";
	case DNSREP_LOOKALIKE_TLD_SPLIT: return "tld-split";
	case DNSREP_LOOKALIKE_NONE: break;
	}
	return "none";
}

/* ---- hashing ----------------------------------------------------------------------- */

/** The base of the polynomial label hash (odd, so invertible mod 2^64). */
#define POLY_B 0x9e3779b97f4a7c15ull

/** What a key stands for; mixed into its hash so the kinds never meet. */
enum key_kind { KEY_DOMAIN = 1, KEY_LABEL = 2, KEY_SKELETON = 3, KEY_GRAM = 4 };


/** The polynomial hash of n octets: sum of p[j] * B^(n-1-j). */
static inline uint64_t poly(const uint8_t *p, size_t n)
{
	uint64_t h = 0;
	for (size_t i = 0; i < n; i++)
		h = h * POLY_B + p[i];
	return h;
}

/**
 * A hash of n octets eight at a time, for the keys no prefix hash is derived
 * from (domains, skeletons): a third of the polynomial's instructions.
 */
static inline uint64_t whash(const uint8_t *p, size_t n)
{
	uint64_t h = 0x9ae16a3b2f90404full;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t w;
		memcpy(&w, p + i, 8);
		h = (h ^ w) * 0xc6a4a7935bd1e995ull;
		h ^= h >> 29;
	}
	if (i < n) {
		uint64_t w = 0;
		memcpy(&w, p + i, n - i);
		h = (h ^ w) * 0xc6a4a7935bd1e995ull;
		h ^= h >> 29;
	}
	return h;
}

/** The table key of a string of n octets with polynomial hash h. */
static inline uint64_t key_of(uint64_t h, size_t n, enum key_kind kind)
{
	/* one multiply and a fold of the high half into the low: the slot, the
	 * filter word and the fingerprint take the high bits, the filter's bits the
	 * low ones (the full 64-bit finalizer cost twice as much on ~30 keys a check) */
	uint64_t x = (h ^ ((uint64_t)n * 0xd6e8feb86659fd93ull + (uint64_t)kind * 0xa0761d6478bd642full)) *
		     0x9fb21c651e98df25ull;
	return x ^ (x >> 29);
}

/** The key of a skeleton. */
static inline uint64_t skeleton_key(const char *sk, int sn)
{
	return key_of(whash((const uint8_t *)sk, (size_t)sn), (size_t)sn, KEY_SKELETON);
}

/* ---- the index ----------------------------------------------------------------------- */

/** A protected registrable domain: its wire name in the names arena, and its metadata. */
struct la_ent {
	uint32_t off;
	uint32_t meta;
	uint8_t tun;  /**< its tuning, an index into the index's tunings */
};

/** Most distinct tunings in one index. */
#define MAX_TUNINGS 256

/** A table slot: the key's high 32 bits and the entry + 1 (0: empty). */
struct la_slot {
	uint32_t fp;
	uint32_t ent;
};

/** Bits per key of the Bloom filter. */
#define FILTER_BITS_PER_KEY 12
/** Keys per 100 slots, at most. */
#define TABLE_LOAD_PCT 70

struct dnsrep_lookalike {
	unsigned min_len;             /**< typo/affix/contains: protected labels this long */
	unsigned gram;                /**< the gram length: min_len, at least 1 */
	int two_edits;
	unsigned two_edit_min_len;
	const char *const *affixes;   /**< borrowed from the options */
	uint8_t *affix_len;           /**< their lengths */
	size_t n_affixes;
	uint32_t *aff_first;          /**< affix indexes ordered by first octet */
	uint32_t *aff_last;           /**< affix indexes ordered by last octet */
	uint32_t first_at[257];       /**< aff_first[first_at[c] .. first_at[c+1]): first octet c */
	uint32_t last_at[257];        /**< the same for the last octet */
	uint8_t *names;               /**< wire names of the protected domains */
	size_t names_len;
	struct la_ent *ents;
	uint32_t n;
	struct la_slot *slots;
	uint32_t cap;
	uint64_t *filter;
	uint32_t fwords;              /**< a power of two */
	unsigned fshift;              /**< 64 - log2(fwords): a key's top bits pick its word */
	uint64_t pw[DNSREP_LABEL_MAX + 2]; /**< POLY_B^i */
	/* bounds that let the checks across labels skip what cannot match */
	unsigned lab_min, lab_max;    /**< shortest and longest protected label */
	unsigned skel_min;            /**< shortest protected skeleton */
	uint64_t typo_lens;           /**< bit L: a protected label of L octets, L >= min_len */
	uint64_t typo_ok;             /**< bit n: a query label of n octets may be a typo */
	uint64_t contains_ok;         /**< bit n: one of n octets may contain a protected label */
	struct dnsrep_lookalike_tuning *tun; /**< the distinct tunings */
	unsigned n_tun;
	uint8_t on;                   /**< techniques some tuning has on: bit t-1 */
};

struct dnsrep_lookalike_builder {
	struct dnsrep_lookalike_opts o;
	uint8_t *names;
	size_t names_len, names_cap;
	struct la_ent *ents;
	uint32_t n, ents_cap;
	uint32_t *dedup;              /**< entry + 1 by domain hash; 0 empty */
	uint32_t dmask;
	struct dnsrep_lookalike_tuning tun[MAX_TUNINGS];
	unsigned n_tun;
};

static inline const uint8_t *ent_name(const struct dnsrep_lookalike *lk, uint32_t e)
{
	return lk->names + lk->ents[e].off;
}

/** The first slot a key probes: multiply-shift of its low half onto [0, cap). */
static inline uint32_t slot_start(uint32_t cap, uint64_t key)
{
	return (uint32_t)(((uint64_t)(uint32_t)key * cap) >> 32);
}

/* The filter word comes from the key's high half and the bits from its low
 * octets: keys are fmix64 outputs, every bit of which is well mixed. */
static inline uint32_t filter_word(const struct dnsrep_lookalike *lk, uint64_t key)
{
	return (uint32_t)(key >> lk->fshift);
}

static inline uint64_t filter_bits(uint64_t key)
{
	return (1ull << (key & 63)) | (1ull << ((key >> 6) & 63));
}

/** Whether a key may be in the table (0: certainly not). */
static inline int filter_maybe(const struct dnsrep_lookalike *lk, uint64_t key)
{
	uint64_t bits = filter_bits(key);
	return (lk->filter[filter_word(lk, key)] & bits) == bits;
}

/** Prefetch filter word w. */
static inline void word_prefetch(const struct dnsrep_lookalike *lk, uint32_t w)
{
#if defined(__GNUC__)
	__builtin_prefetch(&lk->filter[w]);
#else
	(void)lk;
	(void)w;
#endif
}

static inline void filter_prefetch(const struct dnsrep_lookalike *lk, uint64_t key)
{
	word_prefetch(lk, filter_word(lk, key));
}

/** A key with its filter word's index, computed once (and the word prefetched). */
struct la_key {
	uint64_t key;  /**< 0: none (nothing to look up) */
	uint32_t w;
};

static inline struct la_key key_prepare(const struct dnsrep_lookalike *lk, uint64_t key)
{
	struct la_key k = { key, filter_word(lk, key) };
	word_prefetch(lk, k.w);
	return k;
}

/** filter_maybe for a prepared key. */
static inline int filter_maybe_at(const struct dnsrep_lookalike *lk, const struct la_key *k)
{
	uint64_t bits = filter_bits(k->key);
	return (lk->filter[k->w] & bits) == bits;
}

/** Walks the slots of one key: init, then next() until it returns -1. */
struct la_probe {
	uint64_t key;
	uint32_t i;
	uint32_t fp;
};

static inline void probe_init(const struct dnsrep_lookalike *lk, struct la_probe *p, uint64_t key)
{
	p->key = key;
	p->i = slot_start(lk->cap, key);
	p->fp = (uint32_t)(key >> 32);
}

/** The next entry whose slot carries the key's fingerprint, or -1. */
static inline int64_t probe_next(const struct dnsrep_lookalike *lk, struct la_probe *p)
{
	for (;;) {
		const struct la_slot *s = &lk->slots[p->i];
		if (s->ent == 0)
			return -1;
		if (++p->i == lk->cap)
			p->i = 0;
		if (s->fp == p->fp)
			return (int64_t)s->ent - 1;
	}
}

/**
 * Put a key's slot for entry e.  With limit > 0, a key that already has limit
 * slots gets no more (the entry is then not found through this key): a variant
 * or gram shared by very many labels would make every probe that meets it walk
 * them all.
 */
static void table_place(struct dnsrep_lookalike *lk, uint64_t key, uint32_t e, unsigned limit)
{
	uint32_t i = slot_start(lk->cap, key), fp = (uint32_t)(key >> 32);
	unsigned same = 0;
	while (lk->slots[i].ent != 0) {
		if (lk->slots[i].fp == fp && ++same == limit && limit > 0)
			return;
		if (++i == lk->cap)
			i = 0;
	}
	lk->slots[i].fp = fp;
	lk->slots[i].ent = e + 1;
	lk->filter[filter_word(lk, key)] |= filter_bits(key);
}

/* ---- edit distance ------------------------------------------------------------------ */

/**
 * The optimal-string-alignment distance (Damerau-Levenshtein with adjacent
 * transpositions, no substring edited twice) of a and b, or k + 1 when it is
 * over k.  Both at most DNSREP_LABEL_MAX octets.
 */
static unsigned osa_distance(const uint8_t *a, unsigned n, const uint8_t *b, unsigned m, unsigned k)
{
	if ((n > m ? n - m : m - n) > k)
		return k + 1;
	unsigned r0[DNSREP_LABEL_MAX + 1], r1[DNSREP_LABEL_MAX + 1], r2[DNSREP_LABEL_MAX + 1];
	unsigned *prev2 = r0, *prev = r1, *cur = r2;
	for (unsigned j = 0; j <= m; j++)
		prev[j] = j;
	for (unsigned i = 1; i <= n; i++) {
		cur[0] = i;
		unsigned rowmin = i;
		for (unsigned j = 1; j <= m; j++) {
			unsigned v = prev[j - 1] + (a[i - 1] != b[j - 1]);
			if (prev[j] + 1 < v)
				v = prev[j] + 1;
			if (cur[j - 1] + 1 < v)
				v = cur[j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    prev2[j - 2] + 1 < v)
				v = prev2[j - 2] + 1;
			cur[j] = v;
			if (v < rowmin)
				rowmin = v;
		}
		if (rowmin > k)
			return k + 1;
		unsigned *t = prev2;
		prev2 = prev;
		prev = cur;
		cur = t;
	}
	return prev[m] > k ? k + 1 : prev[m];
}

/**
 * The distance of a and b when it is at most 1 (0 or 1), else 2: the same as
 * osa_distance(a, n, b, m, 1) in one pass over the common prefix and suffix.
 */
static unsigned within_one(const uint8_t *a, unsigned n, const uint8_t *b, unsigned m)
{
	if (n > m + 1 || m > n + 1)
		return 2;
	unsigned short_len = n < m ? n : m, p = 0, s = 0;
	while (p < short_len && a[p] == b[p])
		p++;
	while (s < short_len - p && a[n - 1 - s] == b[m - 1 - s])
		s++;
	if (n != m) /* one insertion: everything else common */
		return p + s >= short_len ? 1 : 2;
	unsigned r = n - p - s;
	if (r == 0)
		return 0;
	if (r == 1)
		return 1;
	return r == 2 && a[p] == b[p + 1] && a[p + 1] == b[p] ? 1 : 2;
}

/* ---- building ------------------------------------------------------------------------ */

struct dnsrep_lookalike_builder *dnsrep_lookalike_builder_new(const struct dnsrep_lookalike_opts *o)
{
	struct dnsrep_lookalike_builder *b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	if (o)
		b->o = *o;
	else
		dnsrep_lookalike_opts_init(&b->o);
	b->dmask = 63;
	b->dedup = calloc((size_t)b->dmask + 1, sizeof(*b->dedup));
	if (!b->dedup) {
		free(b);
		return NULL;
	}
	return b;
}

void dnsrep_lookalike_builder_free(struct dnsrep_lookalike_builder *b)
{
	if (!b)
		return;
	free(b->names);
	free(b->ents);
	free(b->dedup);
	free(b);
}

/** The length of the wire name at p (root label included). */
static size_t wire_len(const uint8_t *p)
{
	size_t k = 0;
	while (p[k] != 0)
		k += 1u + p[k];
	return k + 1;
}

static int builder_grow_dedup(struct dnsrep_lookalike_builder *b)
{
	uint32_t newmask = b->dmask * 2 + 1;
	uint32_t *t = calloc((size_t)newmask + 1, sizeof(*t));
	if (!t)
		return -1;
	for (uint32_t e = 0; e < b->n; e++) {
		const uint8_t *nm = b->names + b->ents[e].off;
		uint32_t i = (uint32_t)dnsrep_hash_mix64(poly(nm, wire_len(nm))) & newmask;
		while (t[i])
			i = (i + 1) & newmask;
		t[i] = e + 1;
	}
	free(b->dedup);
	b->dedup = t;
	b->dmask = newmask;
	return 0;
}

/** The index of tuning t among the builder's (added if new), or -1: too many. */
static int builder_tuning(struct dnsrep_lookalike_builder *b, const struct dnsrep_lookalike_tuning *t)
{
	static const struct dnsrep_lookalike_tuning all_on;
	if (!t)
		t = &all_on;
	for (unsigned i = 0; i < b->n_tun; i++)
		if (memcmp(&b->tun[i], t, sizeof(*t)) == 0)
			return (int)i;
	if (b->n_tun == MAX_TUNINGS)
		return -1;
	b->tun[b->n_tun] = *t;
	return (int)b->n_tun++;
}

int dnsrep_lookalike_builder_add(struct dnsrep_lookalike_builder *b, const struct dnsrep_name *name,
	uint32_t meta)
{
	return dnsrep_lookalike_builder_add_tuned(b, name, meta, NULL);
}

int dnsrep_lookalike_builder_add_tuned(struct dnsrep_lookalike_builder *b, const struct dnsrep_name *name,
	uint32_t meta, const struct dnsrep_lookalike_tuning *tuning)
{
	int r = dnsrep_name_registrable(name);
	if (r < 0 || r >= name->len)
		return 0;
	const uint8_t *reg = name->wire + r;
	size_t rlen = (size_t)name->len - (size_t)r;
	if (reg[0] == 0)
		return 0;
	/* grow first, so that a failed growth leaves the builder as it was */
	if ((uint64_t)(b->n + 1) * 2 > b->dmask && builder_grow_dedup(b) < 0)
		return -1;
	uint32_t i = (uint32_t)dnsrep_hash_mix64(poly(reg, rlen)) & b->dmask;
	for (; b->dedup[i]; i = (i + 1) & b->dmask) {
		const uint8_t *nm = b->names + b->ents[b->dedup[i] - 1].off;
		if (wire_len(nm) == rlen && memcmp(nm, reg, rlen) == 0)
			return 0;
	}
	if (b->n >= UINT32_MAX / 4 || b->names_len + rlen > UINT32_MAX)
		return -1;
	if (b->names_len + rlen > b->names_cap) {
		size_t cap = b->names_cap ? b->names_cap * 2 : 4096;
		uint8_t *p = realloc(b->names, cap);
		if (!p)
			return -1;
		b->names = p;
		b->names_cap = cap;
	}
	if (b->n == b->ents_cap) {
		uint32_t cap = b->ents_cap ? b->ents_cap * 2 : 256;
		struct la_ent *p = realloc(b->ents, (size_t)cap * sizeof(*p));
		if (!p)
			return -1;
		b->ents = p;
		b->ents_cap = cap;
	}
	memcpy(b->names + b->names_len, reg, rlen);
	int tun = builder_tuning(b, tuning);
	if (tun < 0)
		return -1;
	b->ents[b->n].off = (uint32_t)b->names_len;
	b->ents[b->n].meta = meta;
	b->ents[b->n].tun = (uint8_t)tun;
	b->names_len += rlen;
	b->dedup[i] = ++b->n;
	return 0;
}

/** Whether some entry already stored under key has exactly this label and tuning. */
static int has_label(const struct dnsrep_lookalike *lk, uint64_t key, const uint8_t *lab, unsigned n,
	uint8_t tun)
{
	struct la_probe p;
	int64_t e;
	probe_init(lk, &p, key);
	while ((e = probe_next(lk, &p)) >= 0) {
		const uint8_t *nm = ent_name(lk, (uint32_t)e);
		if (nm[0] == n && memcmp(nm + 1, lab, n) == 0 && lk->ents[e].tun == tun)
			return 1;
	}
	return 0;
}

/** Whether some entry already stored under key has this skeleton and tuning. */
static int has_skeleton(const struct dnsrep_lookalike *lk, uint64_t key, const char *sk, int sn,
	uint8_t tun)
{
	struct la_probe p;
	int64_t e;
	char other[DNSREP_SKELETON_MAX];
	probe_init(lk, &p, key);
	while ((e = probe_next(lk, &p)) >= 0) {
		const uint8_t *nm = ent_name(lk, (uint32_t)e);
		if (lk->ents[e].tun == tun &&
		    dnsrep_confusable_skeleton(nm + 1, nm[0], other, sizeof(other)) == sn &&
		    memcmp(other, sk, (size_t)sn) == 0)
			return 1;
	}
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/** Prefix hashes of a label: h[i] = poly(s, i), i = 0..n. */
static void prefix_hashes(const uint8_t *s, unsigned n, uint64_t *h)
{
	h[0] = 0;
	for (unsigned i = 0; i < n; i++)
		h[i + 1] = h[i] * POLY_B + s[i];
}

/** The hash of s[a..b) from the prefix hashes. */
static inline uint64_t sub_hash(const struct dnsrep_lookalike *lk, const uint64_t *h, unsigned a, unsigned b)
{
	return h[b] - h[a] * lk->pw[b - a];
}

/** The hash of s (n octets) with s[i] deleted. */
static inline uint64_t del1_hash(const struct dnsrep_lookalike *lk, const uint64_t *h, unsigned n, unsigned i)
{
	return h[i] * lk->pw[n - 1 - i] + sub_hash(lk, h, i + 1, n);
}

/** The hash of s (n octets) with s[i] and s[j] deleted, i < j. */
static inline uint64_t del2_hash(const struct dnsrep_lookalike *lk, const uint64_t *h, unsigned n,
	unsigned i, unsigned j)
{
	return (h[i] * lk->pw[j - i - 1] + sub_hash(lk, h, i + 1, j)) * lk->pw[n - 1 - j] +
	       sub_hash(lk, h, j + 1, n);
}

/** The number of table keys entry e may need, at most. */
static uint64_t keys_for(const struct dnsrep_lookalike *lk, unsigned n)
{
	uint64_t k = 3; /* domain, label, skeleton */
	if (n >= lk->min_len)
		k += n + 1; /* deletions, gram */
	if (lk->two_edits && n >= lk->two_edit_min_len && n >= lk->min_len)
		k += (uint64_t)n * (n - 1) / 2;
	return k;
}

/** The most slots one deletion variant or gram may have (see table_place). */
#define MAX_PER_KEY 64

/** The gram-frequency sketch's counter for a gram hash. */
static inline uint8_t *gram_counter(uint8_t *counts, uint64_t mask, uint64_t h, unsigned g)
{
	return &counts[key_of(h, g, KEY_GRAM) & mask];
}

/**
 * Pass 1 for entry e: its domain, and its label when no earlier entry has the
 * same label and tuning (under another suffix: the first entry stands for it;
 * a label in feeds tuned differently is indexed once per tuning).  These keys
 * are never limited, so tld-swap and affix always find every protected label.
 */
static void index_domain_and_label(struct dnsrep_lookalike *lk, uint32_t e)
{
	const uint8_t *nm = ent_name(lk, e);
	size_t nlen = wire_len(nm);
	if (nm[0] < lk->lab_min)
		lk->lab_min = nm[0];
	if (nm[0] > lk->lab_max)
		lk->lab_max = nm[0];
	if (nm[0] >= lk->min_len)
		lk->typo_lens |= 1ull << nm[0];
	table_place(lk, key_of(whash(nm, nlen), nlen, KEY_DOMAIN), e, 0);
	uint64_t lkey = key_of(poly(nm + 1, nm[0]), nm[0], KEY_LABEL);
	if (!has_label(lk, lkey, nm + 1, nm[0], lk->ents[e].tun))
		table_place(lk, lkey, e, 0);
}

/** Whether entry e is the first with its label (pass 1 indexed its label). */
static int is_label_leader(const struct dnsrep_lookalike *lk, uint32_t e)
{
	const uint8_t *nm = ent_name(lk, e);
	uint64_t key = key_of(poly(nm + 1, nm[0]), nm[0], KEY_LABEL);
	struct la_probe p;
	int64_t f;
	probe_init(lk, &p, key);
	while ((f = probe_next(lk, &p)) >= 0) {
		const uint8_t *other = ent_name(lk, (uint32_t)f);
		if (other[0] == nm[0] && memcmp(other + 1, nm + 1, nm[0]) == 0 &&
		    lk->ents[f].tun == lk->ents[e].tun)
			return f == e;
	}
	return 0;
}

/**
 * Pass 2 for a label leader: skeleton, deletion variants, and the label's
 * rarest gram (by the sketch's counts), so that the candidates a query's gram
 * finds are few even when many labels start with the same word.
 */
static void index_variants(struct dnsrep_lookalike *lk, uint32_t e, uint64_t *scratch,
	uint8_t *gcounts, uint64_t gmask)
{
	const uint8_t *nm = ent_name(lk, e);
	const uint8_t *lab = nm + 1;
	unsigned n = nm[0], g = lk->gram;
	uint64_t h[DNSREP_LABEL_MAX + 1];
	prefix_hashes(lab, n, h);

	char sk[DNSREP_SKELETON_MAX];
	int sn = dnsrep_confusable_skeleton(lab, n, sk, sizeof(sk));
	if (sn > 0 && (unsigned)sn < lk->skel_min)
		lk->skel_min = (unsigned)sn;
	if (sn > 0) {
		uint64_t skey = skeleton_key(sk, sn);
		if (!has_skeleton(lk, skey, sk, sn, lk->ents[e].tun))
			table_place(lk, skey, e, 0);
	}
	if (n < lk->min_len)
		return;
	for (unsigned i = 0; i < n; i++)
		if (i == 0 || lab[i] != lab[i - 1]) /* deleting any octet of a run gives one variant */
			table_place(lk, key_of(del1_hash(lk, h, n, i), n - 1, KEY_LABEL), e, MAX_PER_KEY);
	if (g <= n) {
		unsigned best = 0, best_count = 256;
		for (unsigned j = 0; j + g <= n; j++) {
			unsigned c = gcounts ? *gram_counter(gcounts, gmask, sub_hash(lk, h, j, j + g), g) : 0;
			if (c < best_count) {
				best_count = c;
				best = j;
			}
		}
		table_place(lk, key_of(sub_hash(lk, h, best, best + g), g, KEY_GRAM), e, MAX_PER_KEY);
	}
	if (lk->two_edits && n >= lk->two_edit_min_len) {
		size_t k = 0;
		for (unsigned i = 0; i < n; i++)
			for (unsigned j = i + 1; j < n; j++)
				scratch[k++] = key_of(del2_hash(lk, h, n, i, j), n - 2, KEY_LABEL);
		qsort(scratch, k, sizeof(*scratch), cmp_u64);
		for (size_t j = 0; j < k; j++)
			if (j == 0 || scratch[j] != scratch[j - 1])
				table_place(lk, scratch[j], e, MAX_PER_KEY);
	}
}

/**
 * Count every gram of every label into a sketch of saturating 8-bit counters
 * (one per power-of-two slot, about two per gram; collisions only overcount).
 * NULL when there is no memory: then each label's first gram is taken.
 */
static uint8_t *count_grams(const struct dnsrep_lookalike *lk, uint64_t *maskp)
{
	uint64_t grams = 0;
	unsigned g = lk->gram;
	for (uint32_t e = 0; e < lk->n; e++) {
		unsigned n = ent_name(lk, e)[0];
		if (n >= lk->min_len && n >= g)
			grams += n - g + 1;
	}
	uint64_t size = 4096;
	while (size < grams * 2)
		size <<= 1;
	uint8_t *counts = calloc(size, 1);
	if (!counts)
		return NULL;
	for (uint32_t e = 0; e < lk->n; e++) {
		const uint8_t *nm = ent_name(lk, e);
		unsigned n = nm[0];
		if (n < lk->min_len || n < g)
			continue;
		uint64_t h[DNSREP_LABEL_MAX + 1];
		prefix_hashes(nm + 1, n, h);
		for (unsigned j = 0; j + g <= n; j++) {
			uint8_t *c = gram_counter(counts, size - 1, sub_hash(lk, h, j, j + g), g);
			if (*c < 255)
				(*c)++;
		}
	}
	*maskp = size - 1;
	return counts;
}

/** Whether some protected label of a length in [lo, hi] (clamped to 0..63) is in mask. */
static inline int lens_any(uint64_t mask, int lo, int hi)
{
	if (lo < 0)
		lo = 0;
	if (hi > DNSREP_LABEL_MAX)
		hi = DNSREP_LABEL_MAX;
	if (lo > hi)
		return 0;
	uint64_t window = (hi - lo == 63) ? ~0ull : ((1ull << (hi - lo + 1)) - 1) << lo;
	return (mask & window) != 0;
}

/** Order the affixes by first and by last octet (stable: the list's order within each). */
static void affix_buckets(struct dnsrep_lookalike *lk)
{
	memset(lk->first_at, 0, sizeof(lk->first_at));
	memset(lk->last_at, 0, sizeof(lk->last_at));
	for (size_t i = 0; i < lk->n_affixes; i++) {
		lk->first_at[(uint8_t)lk->affixes[i][0] + 1]++;
		lk->last_at[(uint8_t)lk->affixes[i][lk->affix_len[i] - 1] + 1]++;
	}
	for (int c = 0; c < 256; c++) {
		lk->first_at[c + 1] += lk->first_at[c];
		lk->last_at[c + 1] += lk->last_at[c];
	}
	uint32_t fpos[256], lpos[256];
	memcpy(fpos, lk->first_at, sizeof(fpos));
	memcpy(lpos, lk->last_at, sizeof(lpos));
	for (size_t i = 0; i < lk->n_affixes; i++) {
		lk->aff_first[fpos[(uint8_t)lk->affixes[i][0]]++] = (uint32_t)i;
		lk->aff_last[lpos[(uint8_t)lk->affixes[i][lk->affix_len[i] - 1]]++] = (uint32_t)i;
	}
}

struct dnsrep_lookalike *dnsrep_lookalike_builder_finish(struct dnsrep_lookalike_builder *b,
	char *err, size_t errlen)
{
	if (!b) {
		dnsrep_err(err, errlen, "lookalike index: no builder");
		return NULL;
	}
	struct dnsrep_lookalike *lk = calloc(1, sizeof(*lk));
	uint64_t *scratch = NULL;
	if (!lk)
		goto nomem;
	lk->min_len = b->o.min_len;
	lk->gram = b->o.min_len ? b->o.min_len : 1;
	lk->two_edits = b->o.two_edits != 0;
	lk->two_edit_min_len = b->o.two_edit_min_len;
	lk->affixes = b->o.affixes ? b->o.affixes : default_affixes;
	lk->n_affixes = b->o.affixes ? b->o.n_affixes : N_DEFAULT_AFFIXES;
	if (lk->n_affixes) {
		lk->affix_len = malloc(lk->n_affixes);
		if (!lk->affix_len)
			goto nomem;
	}
	for (size_t i = 0; i < lk->n_affixes; i++) {
		const char *a = lk->affixes[i];
		size_t al = a ? strlen(a) : 0;
		if (al == 0 || al > DNSREP_LABEL_MAX) {
			dnsrep_err(err, errlen, "lookalike index: affix %zu is empty or longer than 63", i + 1);
			goto fail;
		}
		for (size_t j = 0; j < al; j++)
			if (!((a[j] >= 'a' && a[j] <= 'z') || (a[j] >= '0' && a[j] <= '9') || a[j] == '-')) {
				dnsrep_err(err, errlen, "lookalike index: affix '%.63s' is not lower-case letters, digits and '-'", a);
				goto fail;
			}
		lk->affix_len[i] = (uint8_t)al;
	}
	if (lk->n_affixes) {
		lk->aff_first = malloc(lk->n_affixes * sizeof(*lk->aff_first));
		lk->aff_last = malloc(lk->n_affixes * sizeof(*lk->aff_last));
		if (!lk->aff_first || !lk->aff_last)
			goto nomem;
	}
	affix_buckets(lk);
	lk->pw[0] = 1;
	for (size_t i = 1; i < sizeof(lk->pw) / sizeof(lk->pw[0]); i++)
		lk->pw[i] = lk->pw[i - 1] * POLY_B;

	/* take the names and entries, trimmed */
	lk->n = b->n;
	lk->names_len = b->names_len;
	lk->names = b->names;
	lk->ents = b->ents;
	b->names = NULL;
	b->ents = NULL;
	lk->tun = malloc((b->n_tun ? b->n_tun : 1) * sizeof(*lk->tun));
	if (!lk->tun)
		goto nomem;
	memcpy(lk->tun, b->tun, b->n_tun * sizeof(*lk->tun));
	lk->n_tun = b->n_tun;
	for (unsigned i = 0; i < lk->n_tun; i++)
		lk->on |= (uint8_t)~lk->tun[i].off;
	if (lk->names_len) {
		uint8_t *p = realloc(lk->names, lk->names_len);
		if (p)
			lk->names = p;
	}
	if (lk->n) {
		struct la_ent *p = realloc(lk->ents, (size_t)lk->n * sizeof(*p));
		if (p)
			lk->ents = p;
	}

	uint64_t keys = 0;
	for (uint32_t e = 0; e < lk->n; e++)
		keys += keys_for(lk, ent_name(lk, e)[0]);
	uint64_t cap = keys * 100 / TABLE_LOAD_PCT + 1;
	if (cap > UINT32_MAX) {
		dnsrep_err(err, errlen, "lookalike index: %llu keys are too many", (unsigned long long)keys);
		goto fail;
	}
	lk->cap = (uint32_t)cap;
	uint64_t fwords = (keys * FILTER_BITS_PER_KEY + 63) / 64;
	lk->fwords = 2; /* at least two words: a shift by 64 is undefined */
	lk->fshift = 63;
	while (lk->fwords < fwords && lk->fwords < (1u << 31)) {
		lk->fwords <<= 1;
		lk->fshift--;
	}
	lk->slots = calloc(lk->cap, sizeof(*lk->slots));
	lk->filter = calloc(lk->fwords, sizeof(*lk->filter));
	if (lk->two_edits)
		scratch = malloc(sizeof(*scratch) * DNSREP_LABEL_MAX * DNSREP_LABEL_MAX / 2);
	if (!lk->slots || !lk->filter || (lk->two_edits && !scratch))
		goto nomem;
	lk->lab_min = lk->skel_min = UINT8_MAX;
	lk->lab_max = 0;
	for (uint32_t e = 0; e < lk->n; e++)
		index_domain_and_label(lk, e);
	for (int n = 1; n <= DNSREP_LABEL_MAX; n++) {
		int k = lk->two_edits ? 2 : 1;
		if (lens_any(lk->typo_lens, n - k, n + k))
			lk->typo_ok |= 1ull << n;
		if (lk->gram <= DNSREP_LABEL_MAX && (unsigned)n > lk->gram &&
		    lens_any(lk->typo_lens, (int)lk->gram, n - 1))
			lk->contains_ok |= 1ull << n;
	}
	uint64_t gmask = 0;
	uint8_t *gcounts = count_grams(lk, &gmask);
	for (uint32_t e = 0; e < lk->n; e++)
		if (is_label_leader(lk, e))
			index_variants(lk, e, scratch, gcounts, gmask);
	free(gcounts);
	free(scratch);
	dnsrep_lookalike_builder_free(b);
	return lk;
nomem:
	dnsrep_err(err, errlen, "lookalike index: out of memory");
fail:
	free(scratch);
	dnsrep_lookalike_free(lk);
	dnsrep_lookalike_builder_free(b);
	return NULL;
}

void dnsrep_lookalike_free(struct dnsrep_lookalike *lk)
{
	if (!lk)
		return;
	free(lk->affix_len);
	free(lk->aff_first);
	free(lk->aff_last);
	free(lk->names);
	free(lk->ents);
	free(lk->tun);
	free(lk->slots);
	free(lk->filter);
	free(lk);
}

size_t dnsrep_lookalike_count(const struct dnsrep_lookalike *lk)
{
	return lk ? lk->n : 0;
}

size_t dnsrep_lookalike_bytes(const struct dnsrep_lookalike *lk)
{
	if (!lk)
		return 0;
	return sizeof(*lk) + lk->n_affixes * (1 + 2 * sizeof(uint32_t)) + lk->names_len + (size_t)lk->n * sizeof(*lk->ents) +
	       lk->n_tun * sizeof(*lk->tun) + (size_t)lk->cap * sizeof(*lk->slots) + (size_t)lk->fwords * sizeof(*lk->filter);
}

/* ---- checking ----------------------------------------------------------------------- */

/** A query's registrable domain, its label and the label's prefix hashes. */
struct la_query {
	const uint8_t *reg;   /**< the registrable domain, wire form */
	size_t reglen;
	const uint8_t *lab;   /**< its label */
	unsigned n;
	uint64_t h[DNSREP_LABEL_MAX + 1];
};

static int hit_set(const struct dnsrep_lookalike *lk, struct dnsrep_lookalike_hit *hit,
	enum dnsrep_technique t, uint32_t e, unsigned distance)
{
	hit->technique = t;
	hit->protected_name = ent_name(lk, e);
	hit->meta = lk->ents[e].meta;
	hit->distance = distance;
	return 1;
}

/** The bit of a technique in a tuning's off mask and the index's on mask. */
#define TBIT(t) (1u << ((t) - 1))

/** Whether entry e's tuning lets technique t match it (NONE: always). */
static inline int allowed(const struct dnsrep_lookalike *lk, uint32_t e, enum dnsrep_technique t)
{
	if (t == DNSREP_LOOKALIKE_NONE)
		return 1;
	const struct dnsrep_lookalike_tuning *u = &lk->tun[lk->ents[e].tun];
	return !(u->off & TBIT(t)) && ent_name(lk, e)[0] >= u->min_len[t - 1];
}

/** The entry with exactly the label s (n octets, hash h), at least minlen long, that t may match, or -1. */
static int64_t find_label_at(const struct dnsrep_lookalike *lk, const uint8_t *s, unsigned n,
	const struct la_key *k, enum dnsrep_technique t)
{
	if (!filter_maybe_at(lk, k))
		return -1;
	struct la_probe p;
	int64_t e;
	probe_init(lk, &p, k->key);
	while ((e = probe_next(lk, &p)) >= 0) {
		const uint8_t *nm = ent_name(lk, (uint32_t)e);
		if (nm[0] == n && memcmp(nm + 1, s, n) == 0 && allowed(lk, (uint32_t)e, t))
			return e;
	}
	return -1;
}

static int64_t find_label(const struct dnsrep_lookalike *lk, const uint8_t *s, unsigned n, uint64_t h,
	unsigned minlen, enum dnsrep_technique t)
{
	if (n < minlen)
		return -1;
	struct la_key k = { key_of(h, n, KEY_LABEL), 0 };
	k.w = filter_word(lk, k.key);
	return find_label_at(lk, s, n, &k, t);
}

/** find_domain with its key already computed (and its filter word perhaps prefetched). */
static int64_t find_domain_keyed(const struct dnsrep_lookalike *lk, uint64_t key, const uint8_t *wire,
	size_t len, enum dnsrep_technique t)
{
	if (!filter_maybe(lk, key))
		return -1;
	struct la_probe p;
	int64_t e;
	probe_init(lk, &p, key);
	while ((e = probe_next(lk, &p)) >= 0) {
		const uint8_t *nm = ent_name(lk, (uint32_t)e);
		if (wire_len(nm) == len && memcmp(nm, wire, len) == 0)
			return allowed(lk, (uint32_t)e, t) ? e : -1; /* one entry a domain */
	}
	return -1;
}

/** The entry of exactly the protected domain wire[0..len) (wire form, lower case) that t may match, or -1. */
static int64_t find_domain(const struct dnsrep_lookalike *lk, const uint8_t *wire, size_t len,
	enum dnsrep_technique t)
{
	return find_domain_keyed(lk, key_of(whash(wire, len), len, KEY_DOMAIN), wire, len, t);
}

/** Whether the query's registrable domain is itself protected. */
static int is_protected(const struct dnsrep_lookalike *lk, const struct la_query *q)
{
	return find_domain(lk, q->reg, q->reglen, DNSREP_LOOKALIKE_NONE) >= 0;
}

static int suffix_follows(const uint8_t *nm, const uint8_t *after, size_t after_len);

/**
 * The first protected entry whose label has the confusable skeleton of lab (n
 * octets), or -1.  same_ok: an identical label counts too (else it is tld-swap's);
 * after non-NULL: the entry's suffix must begin the labels `after` (level-squat).
 */
static int64_t find_skeleton_keyed(const struct dnsrep_lookalike *lk, uint64_t key, const char *sk,
	int sn, const uint8_t *lab, unsigned n, int same_ok, const uint8_t *after, size_t after_len,
	enum dnsrep_technique t)
{
	char other[DNSREP_SKELETON_MAX];
	if (!filter_maybe(lk, key))
		return -1;
	struct la_probe p;
	int64_t e;
	probe_init(lk, &p, key);
	while ((e = probe_next(lk, &p)) >= 0) {
		const uint8_t *nm = ent_name(lk, (uint32_t)e);
		if ((after && !suffix_follows(nm, after, after_len)) || !allowed(lk, (uint32_t)e, t))
			continue;
		if (nm[0] == n && memcmp(nm + 1, lab, n) == 0) {
			if (same_ok)
				return e;
			continue;
		}
		if (dnsrep_confusable_skeleton(nm + 1, nm[0], other, sizeof(other)) == sn &&
		    memcmp(other, sk, (size_t)sn) == 0)
			return e;
	}
	return -1;
}


static int64_t find_skeleton(const struct dnsrep_lookalike *lk, const uint8_t *lab, unsigned n,
	int same_ok, const uint8_t *after, size_t after_len, enum dnsrep_technique t)
{
	char sk[DNSREP_SKELETON_MAX];
	int sn = dnsrep_confusable_skeleton(lab, n, sk, sizeof(sk));
	if (sn <= 0)
		return -1;
	return find_skeleton_keyed(lk, skeleton_key(sk, sn), sk, sn, lab, n, same_ok, after, after_len, t);
}

static int check_homoglyph(const struct dnsrep_lookalike *lk, const struct la_query *q,
	struct dnsrep_lookalike_hit *hit)
{
	int64_t e = find_skeleton(lk, q->lab, q->n, 0, NULL, 0, DNSREP_LOOKALIKE_HOMOGLYPH);
	return e >= 0 ? hit_set(lk, hit, DNSREP_LOOKALIKE_HOMOGLYPH, (uint32_t)e, 0) : 0;
}

/** The most edits a typo of protected label of length n may have. */
static inline unsigned max_edits(const struct dnsrep_lookalike *lk, unsigned n)
{
	if (lk->two_edits && n >= lk->two_edit_min_len && n >= lk->min_len)
		return 2;
	return n >= lk->min_len ? 1 : 0;
}

/**
 * Visit the candidates of one deletion-variant key: a distance-1 typo returns
 * 1 at once; a distance-2 typo is remembered in *best (the first one found).
 */
static int typo_probe(const struct dnsrep_lookalike *lk, const struct la_query *q, uint64_t key,
	int filtered, int64_t *best, struct dnsrep_lookalike_hit *hit)
{
	if (!filtered && !filter_maybe(lk, key))
		return 0;
	struct la_probe p;
	int64_t e;
	probe_init(lk, &p, key);
	while ((e = probe_next(lk, &p)) >= 0) {
		const uint8_t *nm = ent_name(lk, (uint32_t)e);
		unsigned k = max_edits(lk, nm[0]);
		if (k == 0 || !allowed(lk, (uint32_t)e, DNSREP_LOOKALIKE_TYPO))
			continue;
		unsigned d = k == 1 ? within_one(q->lab, q->n, nm + 1, nm[0]) :
				      osa_distance(q->lab, q->n, nm + 1, nm[0], k);
		if (d == 1)
			return hit_set(lk, hit, DNSREP_LOOKALIKE_TYPO, (uint32_t)e, 1);
		if (d == 2 && d <= k && *best < 0)
			*best = e;
	}
	return 0;
}


/** Whether a query label of n octets can be a typo of some protected label. */
static inline int typo_possible(const struct dnsrep_lookalike *lk, unsigned n)
{
	return (lk->typo_ok >> n) & 1;
}

static int check_typo(const struct dnsrep_lookalike *lk, const struct la_query *q,
	const struct la_key *del, struct dnsrep_lookalike_hit *hit)
{
	unsigned n = q->n;
	int64_t best = -1;
	if (!typo_possible(lk, n))
		return 0;
	/* the label itself meets the protected labels' deletions; its deletions meet both */
	for (unsigned i = 0; i <= n; i++)
		if (del[i].key && filter_maybe_at(lk, &del[i]) && typo_probe(lk, q, del[i].key, 1, &best, hit))
			return 1;
	if (lk->two_edits && n >= 2 && n + 2 >= lk->two_edit_min_len) {
		for (unsigned i = 0; i < n; i++) {
			if (i > 0 && q->lab[i] == q->lab[i - 1])
				continue;
			for (unsigned j = i + 1; j < n; j++) {
				if (j > i + 1 && q->lab[j] == q->lab[j - 1])
					continue;
				uint64_t key = key_of(del2_hash(lk, q->h, n, i, j), n - 2, KEY_LABEL);
				if (typo_probe(lk, q, key, 0, &best, hit))
					return 1;
			}
		}
	}
	if (best >= 0)
		return hit_set(lk, hit, DNSREP_LOOKALIKE_TYPO, (uint32_t)best, 2);
	return 0;
}

#define AF DNSREP_LOOKALIKE_AFFIX

static int check_affix(const struct dnsrep_lookalike *lk, const struct la_query *q,
	struct dnsrep_lookalike_hit *hit)
{
	const uint8_t *s = q->lab;
	unsigned n = q->n;
	unsigned minlen = lk->min_len ? lk->min_len : 1;
	int64_t e;
	if (n <= minlen)
		return 0;
	/* affix + label, affix + '-' + label: only the affixes starting with the label's first octet */
	for (uint32_t k = lk->first_at[s[0]]; k < lk->first_at[s[0] + 1]; k++) {
		uint32_t a = lk->aff_first[k];
		unsigned al = lk->affix_len[a];
		if (al + minlen > n || memcmp(s, lk->affixes[a], al) != 0)
			continue;
		if ((e = find_label(lk, s + al, n - al, sub_hash(lk, q->h, al, n), minlen, AF)) >= 0)
			return hit_set(lk, hit, DNSREP_LOOKALIKE_AFFIX, (uint32_t)e, 0);
		if (s[al] == '-' &&
		    (e = find_label(lk, s + al + 1, n - al - 1, sub_hash(lk, q->h, al + 1, n), minlen, AF)) >= 0)
			return hit_set(lk, hit, DNSREP_LOOKALIKE_AFFIX, (uint32_t)e, 0);
	}
	/* label + affix, label + '-' + affix */
	for (uint32_t k = lk->last_at[s[n - 1]]; k < lk->last_at[s[n - 1] + 1]; k++) {
		uint32_t a = lk->aff_last[k];
		unsigned al = lk->affix_len[a], r = n - al;
		if (al + minlen > n || memcmp(s + r, lk->affixes[a], al) != 0)
			continue;
		if ((e = find_label(lk, s, r, q->h[r], minlen, AF)) >= 0)
			return hit_set(lk, hit, DNSREP_LOOKALIKE_AFFIX, (uint32_t)e, 0);
		if (r > 1 && s[r - 1] == '-' && (e = find_label(lk, s, r - 1, q->h[r - 1], minlen, AF)) >= 0)
			return hit_set(lk, hit, DNSREP_LOOKALIKE_AFFIX, (uint32_t)e, 0);
	}
	return 0;
}

/** Whether a query label of n octets can contain some protected label (of min_len on, shorter). */
static inline int contains_possible(const struct dnsrep_lookalike *lk, unsigned n)
{
	return (lk->contains_ok >> n) & 1;
}

static int check_contains(const struct dnsrep_lookalike *lk, const struct la_query *q,
	const struct la_key *grams, struct dnsrep_lookalike_hit *hit)
{
	unsigned g = lk->gram, n = q->n;
	if (!contains_possible(lk, n))
		return 0;
	for (unsigned j = 0; j + g <= n; j++) {
		if (!filter_maybe_at(lk, &grams[j]))
			continue;
		struct la_probe p;
		int64_t e;
		probe_init(lk, &p, grams[j].key);
		while ((e = probe_next(lk, &p)) >= 0) {
			const uint8_t *nm = ent_name(lk, (uint32_t)e);
			unsigned pl = nm[0];
			if (pl < lk->min_len || pl >= n || !allowed(lk, (uint32_t)e, DNSREP_LOOKALIKE_CONTAINS))
				continue;
			/* the gram is one of the label's; where the label would start is not kept */
			for (unsigned at = 0; at + pl <= n; at++)
				if (q->lab[at] == nm[1] && memcmp(q->lab + at, nm + 1, pl) == 0)
					return hit_set(lk, hit, DNSREP_LOOKALIKE_CONTAINS, (uint32_t)e, 0);
		}
	}
	return 0;
}

/* ---- names spread over several labels -------------------------------------------------- */

/** Whether the protected name nm's suffix (its labels after the first) starts `after`. */
static int suffix_follows(const uint8_t *nm, const uint8_t *after, size_t after_len)
{
	const uint8_t *suf = nm + 1 + nm[0];
	size_t slen = wire_len(suf) - 1; /* without the root */
	return slen > 0 && after_len > slen && memcmp(after, suf, slen) == 0;
}

/** Labels left of the registrable domain prepared (and prefetched) for level-squat,
 * the nearest ones; labels further left are checked without prefetching. */
#define SQUAT_LABELS 8

/**
 * What the checks across labels look up, computed before the single-label checks
 * run so that every filter word is prefetched while they do (as for the others).
 */
struct la_spread {
	/* tld-split: the registrable label and its suffix, the dots dropped */
	uint8_t tl[DNSREP_NAME_MAXWIRE];
	unsigned tl_n;               /**< 0: out of the protected labels' lengths */
	uint64_t tl_h;               /**< its polynomial hash */
	/* dot-insertion: the registrable label joined with the 1 and 2 labels before it */
	uint8_t dw[2][DNSREP_NAME_MAXWIRE + 1];
	size_t dw_len[2];            /**< 0: out of the protected labels' lengths */
	uint64_t dw_key[2];
	/* level-squat: the labels left of the registrable domain, nearest first */
	unsigned n_sq;
	size_t sq_off[SQUAT_LABELS]; /**< the label's length octet in the query */
	char sq_sk[SQUAT_LABELS][DNSREP_SKELETON_MAX];
	int sq_sn[SQUAT_LABELS];     /**< 0: shorter than any protected skeleton */
	uint64_t sq_key[SQUAT_LABELS];
};

/** Fill sp for the query name qn whose registrable domain starts at r, the label
 * after the ns labels at starts[]; prefetch. */
static void spread_prepare(const struct dnsrep_lookalike *lk, const struct dnsrep_name *qn, size_t r,
	const uint8_t *starts, size_t ns, const struct la_query *q, struct la_spread *sp)
{
	/* tld-split */
	size_t ll = 0;
	for (size_t i = 0; i < q->reglen && q->reg[i]; i += 1 + q->reg[i]) {
		memcpy(sp->tl + ll, q->reg + i + 1, q->reg[i]);
		ll += q->reg[i];
	}
	sp->tl_n = ll >= lk->lab_min && ll <= lk->lab_max ? (unsigned)ll : 0;
	if (sp->tl_n) {
		/* the label's hash carried on over the suffix's octets */
		sp->tl_h = q->h[q->n] * lk->pw[ll - q->n] + poly(sp->tl + q->n, ll - q->n);
		filter_prefetch(lk, key_of(sp->tl_h, ll, KEY_LABEL));
	}
	/* dot-insertion */
	for (size_t back = 1; back <= 2; back++) {
		uint8_t *w = sp->dw[back - 1];
		size_t wl = 1;
		sp->dw_len[back - 1] = 0;
		if (back > ns)
			continue;
		for (size_t i = starts[ns - back]; i <= r; i += 1 + (size_t)qn->wire[i]) {
			memcpy(w + wl, qn->wire + i + 1, qn->wire[i]);
			wl += qn->wire[i];
		}
		if (wl - 1 < lk->lab_min || wl - 1 > lk->lab_max)
			continue;
		w[0] = (uint8_t)(wl - 1);
		memcpy(w + wl, q->reg + 1 + q->n, q->reglen - 1 - q->n); /* the suffix, root included */
		wl += q->reglen - 1 - q->n;
		sp->dw_len[back - 1] = wl;
		sp->dw_key[back - 1] = key_of(whash(w, wl), wl, KEY_DOMAIN);
		filter_prefetch(lk, sp->dw_key[back - 1]);
	}
	/* level-squat, by skeleton */
	sp->n_sq = 0;
	for (size_t k = ns; k > 0 && sp->n_sq < SQUAT_LABELS; k--) {
		size_t off = starts[k - 1];
		const uint8_t *lab = qn->wire + off + 1;
		unsigned n = qn->wire[off];
		unsigned x = sp->n_sq++;
		int idn = n > 4 && (lab[0] | 0x20) == 'x' && (lab[1] | 0x20) == 'n' && lab[2] == '-' &&
			  lab[3] == '-';
		sp->sq_off[x] = off;
		sp->sq_sn[x] = 0;
		if (!idn && n < lk->skel_min) /* an ASCII skeleton is never longer than its label */
			continue;
		int sn = dnsrep_confusable_skeleton(lab, n, sp->sq_sk[x], sizeof(sp->sq_sk[x]));
		if (sn <= 0)
			continue;
		sp->sq_sn[x] = sn;
		sp->sq_key[x] = skeleton_key(sp->sq_sk[x], sn);
		filter_prefetch(lk, sp->sq_key[x]);
	}
}

/** Most hyphens of one label tried as dots (babyboxtech-com, login-babyboxtech-com). */
#define SQUAT_HYPHENS_MAX 8

/**
 * level-squat with the dots written as hyphens: a run of the label's hyphen-
 * separated parts, read with dots, is a protected domain
 * (babyboxtech-com.hiring-portal.com, login-foxysunstudio-com.example.net).
 */
static int squat_hyphens(const struct dnsrep_lookalike *lk, const uint8_t *lab, unsigned n,
	struct dnsrep_lookalike_hit *hit)
{
	unsigned cut[SQUAT_HYPHENS_MAX + 2], k = 0; /* part boundaries: -1 (start), hyphens, n */
	cut[k++] = 0;
	for (unsigned i = 0; i < n && k <= SQUAT_HYPHENS_MAX; i++)
		if (lab[i] == '-')
			cut[k++] = i + 1;
	if (k == 1)
		return 0;
	cut[k] = n + 1;
	/* parts a..b (at least two), as labels: each part starts at cut[x], ends at cut[x+1]-1 */
	for (unsigned a = 0; a + 1 < k; a++) {
		for (unsigned b = a + 1; b < k; b++) {
			uint8_t w[DNSREP_LABEL_MAX + SQUAT_HYPHENS_MAX + 2];
			size_t wl = 0;
			int empty = 0;
			for (unsigned x = a; x <= b; x++) {
				unsigned s = cut[x], e = cut[x + 1] - 1;
				empty |= e == s;
				w[wl++] = (uint8_t)(e - s);
				memcpy(w + wl, lab + s, e - s);
				wl += e - s;
			}
			w[wl++] = 0;
			int64_t ent;
			if (!empty && (ent = find_domain(lk, w, wl, DNSREP_LOOKALIKE_LEVEL_SQUAT)) >= 0)
				return hit_set(lk, hit, DNSREP_LOOKALIKE_LEVEL_SQUAT, (uint32_t)ent, 0);
		}
	}
	return 0;
}

/**
 * level-squat: a protected domain in the labels left of the registrable domain —
 * a label with the confusable skeleton of a protected label, followed by that
 * name's suffix (cloudfox.cloud.secure-login.com, cl0udfox.cloud..., ktsolution.tech.co,
 * registrable tech.co), or with hyphens for the dots.
 */
static int check_level_squat(const struct dnsrep_lookalike *lk, const struct dnsrep_name *qn,
	const struct la_spread *sp, struct dnsrep_lookalike_hit *hit)
{
	for (unsigned x = 0; x < sp->n_sq; x++) {
		size_t off = sp->sq_off[x], next = off + 1 + qn->wire[off];
		const uint8_t *lab = qn->wire + off + 1;
		unsigned n = qn->wire[off];
		int64_t e = sp->sq_sn[x] ? find_skeleton_keyed(lk, sp->sq_key[x], sp->sq_sk[x], sp->sq_sn[x],
				lab, n, 1, qn->wire + next, (size_t)qn->len - next, DNSREP_LOOKALIKE_LEVEL_SQUAT) : -1;
		if (e >= 0)
			return hit_set(lk, hit, DNSREP_LOOKALIKE_LEVEL_SQUAT, (uint32_t)e, 0);
		if (n >= lk->lab_min + 2 && memchr(lab, '-', n) && squat_hyphens(lk, lab, n, hit))
			return 1;
	}
	/* labels further left than the prepared ones (padding does not hide a name) */
	for (size_t off = 0; sp->n_sq == SQUAT_LABELS && off < sp->sq_off[SQUAT_LABELS - 1];
	     off += 1 + (size_t)qn->wire[off]) {
		size_t next = off + 1 + qn->wire[off];
		const uint8_t *lab = qn->wire + off + 1;
		unsigned n = qn->wire[off];
		int64_t e = find_skeleton(lk, lab, n, 1, qn->wire + next, (size_t)qn->len - next,
					  DNSREP_LOOKALIKE_LEVEL_SQUAT);
		if (e >= 0)
			return hit_set(lk, hit, DNSREP_LOOKALIKE_LEVEL_SQUAT, (uint32_t)e, 0);
		if (n >= lk->lab_min + 2 && memchr(lab, '-', n) && squat_hyphens(lk, lab, n, hit))
			return 1;
	}
	return 0;
}

/**
 * dot-insertion: the registrable label and the one or two labels before it, read
 * as one label under the same suffix, are a protected domain (clou.dfox.cloud,
 * foxysun.studio.com: registrable studio.com).
 */
static int check_dot_insertion(const struct dnsrep_lookalike *lk, const struct la_spread *sp,
	struct dnsrep_lookalike_hit *hit)
{
	for (unsigned b = 0; b < 2; b++) {
		int64_t e = sp->dw_len[b] ? find_domain_keyed(lk, sp->dw_key[b], sp->dw[b], sp->dw_len[b],
							      DNSREP_LOOKALIKE_DOT_INSERTION) : -1;
		if (e >= 0)
			return hit_set(lk, hit, DNSREP_LOOKALIKE_DOT_INSERTION, (uint32_t)e, 0);
	}
	return 0;
}

/**
 * tld-split: the registrable label followed by its public suffix without the
 * dots is a protected label, under any suffix (babybox.tech for babyboxtech.com,
 * foxysun.studio for foxysunstudio.com, wkj.llc for wkjllc.com).
 */
static int check_tld_split(const struct dnsrep_lookalike *lk, const struct la_spread *sp,
	struct dnsrep_lookalike_hit *hit)
{
	if (!sp->tl_n)
		return 0;
	int64_t e = find_label(lk, sp->tl, sp->tl_n, sp->tl_h, 0, DNSREP_LOOKALIKE_TLD_SPLIT);
	return e >= 0 ? hit_set(lk, hit, DNSREP_LOOKALIKE_TLD_SPLIT, (uint32_t)e, 0) : 0;
}

int dnsrep_lookalike_check(const struct dnsrep_lookalike *lk, const uint8_t *wire, size_t len,
	struct dnsrep_lookalike_hit *hit)
{
	struct dnsrep_name qn;
	struct la_query q;
	struct dnsrep_lookalike_hit scratch_hit;
	if (!hit)
		hit = &scratch_hit;
	memset(hit, 0, sizeof(*hit));
	if (!lk || !wire || lk->n == 0)
		return 0;
	if (dnsrep_name_from_wire(&qn, wire, len, NULL, 0) != 0)
		return 0;
	uint8_t off[DNSREP_NAME_MAXLABELS];
	unsigned count = dnsrep_name_label_offsets(&qn, off);
	int r = dnsrep_name_registrable_at(&qn, off, count);
	if (r < 0 || r >= qn.len || qn.wire[r] == 0)
		return 0;
	unsigned ri = 0; /* the registrable domain's first label */
	while (ri < count && off[ri] != r)
		ri++;
	q.reg = qn.wire + r;
	q.reglen = (size_t)qn.len - (size_t)r;
	q.lab = q.reg + 1;
	q.n = q.reg[0];
	prefix_hashes(q.lab, q.n, q.h);

	/* every key the common case (no lookalike) tests, its filter word prefetched:
	 * the label's (tld-swap, and typo's first), its deletions (typo) and grams
	 * (contains), those two only when a protected label's length allows them */
	unsigned n = q.n, g = lk->gram;
	struct la_key del[DNSREP_LABEL_MAX + 1];
	struct la_key grams[DNSREP_LABEL_MAX + 1];
	del[0] = key_prepare(lk, key_of(q.h[n], n, KEY_LABEL));
	unsigned ndel = (lk->on & TBIT(DNSREP_LOOKALIKE_TYPO)) && typo_possible(lk, n) ? n : 0;
	for (unsigned i = 0; i < ndel; i++) {
		/* a run of equal octets gives one variant: probe it once */
		if (i > 0 && q.lab[i] == q.lab[i - 1])
			del[i + 1].key = 0;
		else
			del[i + 1] = key_prepare(lk, key_of(del1_hash(lk, q.h, n, i), n - 1, KEY_LABEL));
	}
	unsigned ngrams = (lk->on & TBIT(DNSREP_LOOKALIKE_CONTAINS)) && contains_possible(lk, n) ? n - g + 1 : 0;
	for (unsigned j = 0; j < ngrams; j++)
		grams[j] = key_prepare(lk, key_of(sub_hash(lk, q.h, j, j + g), g, KEY_GRAM));

	struct la_spread sp;
	spread_prepare(lk, &qn, (size_t)r, off, ri, &q, &sp);

	if (is_protected(lk, &q))
		return 0;
	/* tld-swap: the same label under another suffix (the domain itself is not protected) */
	int64_t e = (lk->on & TBIT(DNSREP_LOOKALIKE_TLD_SWAP)) ?
		find_label_at(lk, q.lab, n, &del[0], DNSREP_LOOKALIKE_TLD_SWAP) : -1;
	if (e >= 0)
		return hit_set(lk, hit, DNSREP_LOOKALIKE_TLD_SWAP, (uint32_t)e, 0);
	/* each only when some feed's tuning has it on */
	unsigned on = lk->on;
	if ((on & TBIT(DNSREP_LOOKALIKE_HOMOGLYPH)) && check_homoglyph(lk, &q, hit))
		return 1;
	if (ndel && check_typo(lk, &q, del, hit))
		return 1;
	if ((on & TBIT(DNSREP_LOOKALIKE_AFFIX)) && check_affix(lk, &q, hit))
		return 1;
	if (ngrams && check_contains(lk, &q, grams, hit))
		return 1;
	/* names spread over several labels: level-squat, dot-insertion, tld-split */
	if ((on & TBIT(DNSREP_LOOKALIKE_LEVEL_SQUAT)) && check_level_squat(lk, &qn, &sp, hit))
		return 1;
	if ((on & TBIT(DNSREP_LOOKALIKE_DOT_INSERTION)) && check_dot_insertion(lk, &sp, hit))
		return 1;
	if ((on & TBIT(DNSREP_LOOKALIKE_TLD_SPLIT)) && check_tld_split(lk, &sp, hit))
		return 1;
	memset(hit, 0, sizeof(*hit));
	return 0;
}
