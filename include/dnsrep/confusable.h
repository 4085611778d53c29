/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dnsrep/confusable.h — characters that look alike, and the skeleton of a label.
 *
 * One table serves both sides: the lookalike detector folds every label to its
 * skeleton with it, and the variants generator (`dnsrepctl variants`) draws its
 * homoglyphs from it, so every homoglyph `variants` lists is one the resolver
 * catches.  Also the Unicode tools both need: Punycode decoding and UTF-8.
 */
#ifndef DNSREP_CONFUSABLE_H
#define DNSREP_CONFUSABLE_H

#include <stddef.h>
#include <stdint.h>

#include "dnsrep/name.h"  /* DNSREP_LABEL_MAX */

/** Room for a skeleton: every character of a 63-octet label as 4 UTF-8 octets. */
#define DNSREP_SKELETON_MAX (4 * DNSREP_LABEL_MAX + 4)

/** An ASCII look-alike: the sequence `from` reads as `to` (1 -> l, rn -> m). */
struct dnsrep_ascii_confusable {
	char from[3], to[2];
};

/** The ASCII look-alikes (0/o, 1/i/l, rn/m, vv/w, cl/d); *n gets their number. */
const struct dnsrep_ascii_confusable *dnsrep_confusable_ascii(size_t *n);

/** The Latin skeleton of a non-ASCII code point ("a", "ae"), or NULL when it has none. */
const char *dnsrep_confusable_of(uint32_t cp);

/**
 * The code points whose skeleton is exactly the one ASCII letter `latin`
 * (Cyrillic а, Greek α, à, ... for 'a'), at most max, in table order.
 * @return how many were written.
 */
size_t dnsrep_confusable_lookalikes(char latin, uint32_t *out, size_t max);

/**
 * The confusable skeleton of one label (wire octets, no length byte): lower case,
 * hyphens dropped, ASCII look-alikes folded (0->o, 1/l/i->l, rn->m, vv->w, cl->d),
 * and an xn-- label decoded and its characters mapped to Latin skeletons.  Writes
 * at most outlen-1 bytes and a NUL; returns the length, or -1 when it does not fit.
 * Allocation-free.
 */
int dnsrep_confusable_skeleton(const uint8_t *label, size_t len, char *out, size_t outlen);

/**
 * Decode Punycode (the part after "xn--") into at most outmax code points.
 * @return the number of code points, or -1 when it is not valid Punycode.
 */
int dnsrep_punycode_decode(const uint8_t *in, size_t len, uint32_t *out, size_t outmax);

/** What dnsrep_utf8_put returns when the character does not fit (and passes on). */
#define DNSREP_UTF8_NOFIT ((size_t)-1)

/**
 * Append one code point as UTF-8 at buf[pos], keeping room for a NUL within cap.
 * @return the new length, or DNSREP_UTF8_NOFIT (also when pos already is).
 */
size_t dnsrep_utf8_put(char *buf, size_t pos, size_t cap, uint32_t cp);

/** Decode valid UTF-8 (NUL-terminated) into at most max code points; the count, or -1. */
int dnsrep_utf8_decode(const char *s, uint32_t *out, size_t max);

#endif /* DNSREP_CONFUSABLE_H */
