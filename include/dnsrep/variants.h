/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dnsrep/variants.h — a domain's lookalike candidates, as typosquatters make them.
 *
 * `dnsrepctl variants` lists them (and looks them up); the tests hold the
 * detector (dnsrep/lookalike.h) to catching each one whose technique it claims
 * (dnsrep_variant_detected_as).  Homoglyphs come from the detector's own table
 * (dnsrep/confusable.h), affixes from its default affix words.
 */
#ifndef DNSREP_VARIANTS_H
#define DNSREP_VARIANTS_H

#include <stddef.h>

#include "dnsrep/lookalike.h"
#include "dnsrep/name.h"

/** One candidate. */
struct dnsrep_variant {
	struct dnsrep_name name;  /**< canonical (A-labels, lower case) */
	const char *technique;    /**< how it was made: "omission", "homoglyph", ... (static) */
};

struct dnsrep_variants;

/**
 * Every candidate of DOMAIN's registrable domain (the first technique that
 * produces a name keeps it; the domain itself is never one).
 * @return 0 with *out set; -1 DOMAIN is not a domain (err says why); -2 out of memory.
 */
int dnsrep_variants_generate(const char *domain, struct dnsrep_variants **out, char *err,
	size_t errlen);

/** How many candidates. */
size_t dnsrep_variants_count(const struct dnsrep_variants *v);

/** Candidate i (generation order: the more specific techniques first), or NULL. */
const struct dnsrep_variant *dnsrep_variants_get(const struct dnsrep_variants *v, size_t i);

/** Candidates generated but dropped: not a host name, not registrable, not valid IDNA. */
size_t dnsrep_variants_dropped(const struct dnsrep_variants *v);

/** The registrable domain the candidates are siblings of. */
const struct dnsrep_name *dnsrep_variants_domain(const struct dnsrep_variants *v);

/**
 * Which detector technique catches candidates made by a generator technique (with
 * the detector's defaults: typo for labels of 6 or more), or DNSREP_LOOKALIKE_NONE
 * for a technique the detector does not claim (every generator technique is claimed
 * today; level-squat has no generator: it can sit under any registrable domain).
 */
enum dnsrep_technique dnsrep_variant_detected_as(const char *technique);

/** Free.  NULL is fine. */
void dnsrep_variants_free(struct dnsrep_variants *v);

#endif /* DNSREP_VARIANTS_H */
