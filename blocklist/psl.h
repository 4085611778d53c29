/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * psl.h — private: the Public Suffix List as a hash table over wire names, which
 * name.c asks instead of libpsl when the list's text file can be read.
 *
 * The answers are libpsl's (psl_is_public_suffix2 with PSL_TYPE_ANY, and
 * psl_registrable_domain with its limit of nine labels), for names in the
 * engine's canonical wire form, any octets in their labels; tests/unit/test_psl
 * compares the two on every name of Debian's test vectors, ~100k real names and
 * generated ones.
 */
#ifndef DNSREP_PSL_H
#define DNSREP_PSL_H

#include <stddef.h>
#include <stdint.h>

/** Where Debian's publicsuffix package puts the list. */
#define DNSREP_PSL_FILE "/usr/share/publicsuffix/public_suffix_list.dat"

struct dnsrep_psl;

/**
 * Read the list (the publicsuffix.org text format; U-label rules become A-labels).
 * @return the table, or NULL with err set (cannot read the file, no rules in it,
 *   out of memory).
 */
struct dnsrep_psl *dnsrep_psl_load(const char *path, char *err, size_t errlen);

/** Free the table.  NULL is fine. */
void dnsrep_psl_free(struct dnsrep_psl *p);

/**
 * The registrable domain of a wire name (lower case) whose count labels start at
 * the offsets off[0..count): the index of its first label, or -1 when the name
 * is a public suffix (or, as libpsl, when its nine rightmost labels are one).
 */
int dnsrep_psl_registrable(const struct dnsrep_psl *p, const uint8_t *wire, const uint8_t *off,
	unsigned count);

/**
 * Whether the wire name is a public suffix; with star, a lone label is one (the
 * list's default rule "*"), without it only a listed rule counts.
 */
int dnsrep_psl_is_suffix(const struct dnsrep_psl *p, const uint8_t *wire, const uint8_t *off,
	unsigned count, int star);

#endif /* DNSREP_PSL_H */
