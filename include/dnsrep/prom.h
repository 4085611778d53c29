/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dnsrep/prom.h — writing Prometheus's text exposition format (version 0.0.4).
 *
 * A family is its # HELP and # TYPE lines, then its samples; label values are
 * escaped as the format says (backslash, double quote, newline) and bytes that are
 * not UTF-8 become U+FFFD, so a hostile category in a feed cannot break a scrape.
 */
#ifndef DNSREP_PROM_H
#define DNSREP_PROM_H

#include <stddef.h>
#include <stdint.h>

#include "dnsrep/buf.h"

/** A label: its name (a Prometheus label name) and value (any text). */
struct dnsrep_prom_label {
	const char *name;
	const char *value;
};

/** "# HELP name help" and "# TYPE name type" (type: "counter" or "gauge"). */
void dnsrep_prom_family(struct dnsrep_buf *b, const char *name, const char *type, const char *help);

/** One sample: name{labels} value, a whole number. */
void dnsrep_prom_u64(struct dnsrep_buf *b, const char *name, const struct dnsrep_prom_label *l,
	size_t n, uint64_t value);

/** One sample with a fractional value (seconds). */
void dnsrep_prom_f64(struct dnsrep_buf *b, const char *name, const struct dnsrep_prom_label *l,
	size_t n, double value);

/** Append a label value escaped (exposed for tests). */
void dnsrep_prom_escape(struct dnsrep_buf *b, const char *value);

#endif /* DNSREP_PROM_H */
