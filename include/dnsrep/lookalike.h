/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dnsrep/lookalike.h — lookalikes of protected names: the siblings of seized domains.
 *
 * Feeds marked `lookalike: yes` protect their names' registrable domains (public
 * suffix + 1, the Public Suffix List's ICANN and private sections).  The registrable
 * domain of a query is a lookalike of a protected one when, after folding case:
 *
 *   tld-swap   its label is a protected label under another public suffix
 *              (jinyang.asia -> jinyang.services)
 *   homoglyph  its confusable skeleton equals a protected label's: ASCII look-alikes
 *              (0/o, 1/l/i, rn/m, vv/w, cl/d), and for xn-- labels the decoded
 *              Unicode mapped to Latin skeletons (Cyrillic, Greek, Latin with marks)
 *              in the manner of Unicode TR39; hyphens ignored
 *   typo       one edit away (insertion, deletion, substitution, adjacent
 *              transposition) for labels of at least min_len (default 6); two edits
 *              for labels of at least two_edit_min_len when two_edits is on
 *   affix      the protected label with an affix word before or after it
 *              (myfoo, foohub, foo-group, ...), for protected labels of at least min_len
 *   contains   the protected label inside a longer label, for protected labels of at
 *              least min_len
 *
 * and over several labels (only when none of the above matched):
 *
 *   level-squat    the protected domain spelled in the labels left of the query's
 *                  registrable domain: its label (or a homoglyph of it) followed by
 *                  its suffix (cloudfox.cloud.secure-login.com, ktsolution.tech.co),
 *                  or with hyphens for the dots (babyboxtech-com.hiring-portal.com)
 *   dot-insertion  the registrable label with the one or two labels before it is a
 *                  protected label under the same suffix (clou.dfox.cloud)
 *   tld-split      the registrable label with its suffix, dots dropped, is a
 *                  protected label (babybox.tech for babyboxtech.com)
 *
 * The index is built once with the snapshot (everything precomputed); a check
 * allocates nothing and takes no lock.
 */
#ifndef DNSREP_LOOKALIKE_H
#define DNSREP_LOOKALIKE_H

#include <stddef.h>
#include <stdint.h>

#include "dnsrep/name.h"

/** The techniques, in the order a check tries them (the first that matches wins). */
enum dnsrep_technique {
	DNSREP_LOOKALIKE_NONE = 0,
	DNSREP_LOOKALIKE_TLD_SWAP,
	DNSREP_LOOKALIKE_HOMOGLYPH,
	DNSREP_LOOKALIKE_TYPO,
	DNSREP_LOOKALIKE_AFFIX,
	DNSREP_LOOKALIKE_CONTAINS,
	DNSREP_LOOKALIKE_LEVEL_SQUAT,    /**< the protected domain in the labels left of the registrable one */
	DNSREP_LOOKALIKE_DOT_INSERTION,  /**< the registrable label split by dots: clou.dfox.cloud */
	DNSREP_LOOKALIKE_TLD_SPLIT       /**< the label's tail made the suffix: babybox.tech */
};

/** How many techniques there are (the enum's values 1..this). */
#define DNSREP_LOOKALIKE_TECHNIQUES 8

/**
 * A feed's tuning of the techniques for its names: which are off, and the
 * shortest protected label (octets) each one applies to.  All zero: every
 * technique on, with only the index's own limits (min_len for typo, affix and
 * contains).
 */
struct dnsrep_lookalike_tuning {
	uint8_t off;                                  /**< bit t-1 set: technique t is off */
	uint8_t min_len[DNSREP_LOOKALIKE_TECHNIQUES]; /**< [t-1]: shorter protected labels are not matched by t */
};

/**
 * Parse a feed's `lookalike-techniques:` value: the techniques on, separated by
 * white space, each maybe with ":N", the shortest protected label it applies to
 * (1-63) — "tld-swap:8 homoglyph typo affix contains:10".  Those not listed are off.
 * "all" alone: every technique with no floor of its own (the default).
 * @return 0, or -1 with err naming the word and why.
 */
int dnsrep_lookalike_tuning_parse(struct dnsrep_lookalike_tuning *t, const char *text,
	char *err, size_t errlen);

/** Write a tuning in the form parse reads ("all" when everything is on without limits). */
void dnsrep_lookalike_tuning_format(const struct dnsrep_lookalike_tuning *t, char *buf, size_t len);

/** How the index is built. */
struct dnsrep_lookalike_opts {
	unsigned min_len;            /**< typo/affix/contains need labels this long; default 6 */
	int two_edits;               /**< also two edits away; default off */
	unsigned two_edit_min_len;   /**< for labels this long; default 10 */
	const char *const *affixes;  /**< affix words (lower case ASCII); NULL: the defaults */
	size_t n_affixes;
};

/** What a check found. */
struct dnsrep_lookalike_hit {
	enum dnsrep_technique technique;
	const uint8_t *protected_name; /**< the protected registrable domain, wire form (in the index) */
	uint32_t meta;                 /**< the metadata index given with it to the builder */
	unsigned distance;             /**< edits for typo (1 or 2); 0 otherwise */
};

struct dnsrep_lookalike;
struct dnsrep_lookalike_builder;

/** Options with the defaults. */
void dnsrep_lookalike_opts_init(struct dnsrep_lookalike_opts *o);

/** The default affix words (my, the, get, hub, group, app, llc, tech, ...). */
const char *const *dnsrep_lookalike_default_affixes(size_t *n);

/** The keyword of a technique: "tld-swap", "homoglyph", "typo", "affix", "contains", ... */
const char *dnsrep_lookalike_technique_name(enum dnsrep_technique t);

/** The technique with keyword name (len octets), or DNSREP_LOOKALIKE_NONE. */
enum dnsrep_technique dnsrep_lookalike_technique_of(const char *name, size_t len);

/** A new builder (copies the options; the affix strings must outlive the index). NULL: no memory. */
struct dnsrep_lookalike_builder *dnsrep_lookalike_builder_new(const struct dnsrep_lookalike_opts *o);

/**
 * Protect a name: its registrable domain is computed here; names that are public
 * suffixes are ignored.  Duplicates (the same registrable domain) keep the first meta
 * and tuning.  The default tuning (every technique on).
 * @return 0, or -1 out of memory.
 */
int dnsrep_lookalike_builder_add(struct dnsrep_lookalike_builder *b, const struct dnsrep_name *name,
	uint32_t meta);

/**
 * The same with a tuning (NULL: the default).  An index holds at most 256
 * distinct tunings (one per feed is the use).
 * @return 0, or -1 out of memory or with too many distinct tunings.
 */
int dnsrep_lookalike_builder_add_tuned(struct dnsrep_lookalike_builder *b, const struct dnsrep_name *name,
	uint32_t meta, const struct dnsrep_lookalike_tuning *tuning);

/** Build the index; the builder is freed.  NULL with err set on failure. */
struct dnsrep_lookalike *dnsrep_lookalike_builder_finish(struct dnsrep_lookalike_builder *b,
	char *err, size_t errlen);

/** Free a builder that was not finished.  NULL is fine. */
void dnsrep_lookalike_builder_free(struct dnsrep_lookalike_builder *b);

/**
 * Check a query name (wire form, any case).  Its registrable domain is compared
 * with the protected ones; a registrable domain that is itself protected is not a
 * lookalike (exact and subdomain blocks cover it).
 * @return 1 with hit filled, 0 when it is no lookalike (or malformed).  Thread-safe,
 *   allocation-free.
 */
int dnsrep_lookalike_check(const struct dnsrep_lookalike *lk, const uint8_t *wire, size_t len,
	struct dnsrep_lookalike_hit *hit);

/** Protected registrable domains in the index. */
size_t dnsrep_lookalike_count(const struct dnsrep_lookalike *lk);

/** Bytes the index occupies. */
size_t dnsrep_lookalike_bytes(const struct dnsrep_lookalike *lk);

/** Free the index.  NULL is fine. */
void dnsrep_lookalike_free(struct dnsrep_lookalike *lk);

#endif /* DNSREP_LOOKALIKE_H */
