/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lookalike_tuning.c — a feed's `lookalike-techniques:` value: which techniques
 * are on for its names, and the shortest protected label each applies to
 * (see dnsrep/lookalike.h).  Read from dnsrep.conf, carried in the snapshot's
 * metadata records, printed by `dnsrepctl checkconf`.
 */
#include "dnsrep/err.h"
#include "dnsrep/lookalike.h"

#include <stdio.h>
#include <string.h>

enum dnsrep_technique dnsrep_lookalike_technique_of(const char *name, size_t len)
{
	for (int t = 1; t <= DNSREP_LOOKALIKE_TECHNIQUES; t++) {
		const char *k = dnsrep_lookalike_technique_name((enum dnsrep_technique)t);
		if (strlen(k) == len && memcmp(k, name, len) == 0)
			return (enum dnsrep_technique)t;
	}
	return DNSREP_LOOKALIKE_NONE;
}

/** The techniques' keywords, for an error message. */
static void technique_list(char *buf, size_t len)
{
	size_t o = 0;
	buf[0] = '\0';
	for (int t = 1; t <= DNSREP_LOOKALIKE_TECHNIQUES && o < len; t++) {
		int w = snprintf(buf + o, len - o, "%s%s", t > 1 ? ", " : "",
				 dnsrep_lookalike_technique_name((enum dnsrep_technique)t));
		if (w < 0)
			break;
		o += (size_t)w;
	}
}

int dnsrep_lookalike_tuning_parse(struct dnsrep_lookalike_tuning *t, const char *text,
	char *err, size_t errlen)
{
	struct dnsrep_lookalike_tuning r;
	memset(&r, 0, sizeof(r));
	uint8_t on = 0;
	const char *p = text + strspn(text, " \t");
	if (strncmp(p, "all", 3) == 0 && p[3 + strspn(p + 3, " \t")] == '\0') {
		memset(t, 0, sizeof(*t)); /* every technique, no floor of its own */
		return 0;
	}
	for (;;) {
		p += strspn(p, " \t");
		if (*p == '\0')
			break;
		size_t wl = strcspn(p, " \t");
		size_t nl = strcspn(p, ": \t");
		enum dnsrep_technique k = dnsrep_lookalike_technique_of(p, nl);
		if (k == DNSREP_LOOKALIKE_NONE) {
			char list[200];
			technique_list(list, sizeof(list));
			return dnsrep_err(err, errlen, "unknown technique '%.*s' (one of: %s)",
					  (int)(nl > 40 ? 40 : nl), p, list);
		}
		uint8_t bit = (uint8_t)(1u << (k - 1));
		if (on & bit)
			return dnsrep_err(err, errlen, "technique '%.*s' given twice", (int)nl, p);
		on |= bit;
		if (nl < wl) {
			/* ":N", N in 1..63, digits only */
			unsigned v = 0;
			size_t i = nl + 1;
			for (; i < wl && p[i] >= '0' && p[i] <= '9' && v <= 63; i++)
				v = v * 10 + (unsigned)(p[i] - '0');
			if (i == nl + 1 || i < wl || v < 1 || v > 63)
				return dnsrep_err(err, errlen,
						  "'%.*s': the shortest label must be a number from 1 to 63 ('%.*s:N')",
						  (int)(wl > 40 ? 40 : wl), p, (int)nl, p);
			r.min_len[k - 1] = (uint8_t)v;
		}
		p += wl;
	}
	if (on == 0)
		return dnsrep_err(err, errlen, "no technique given (to turn lookalikes off: lookalike: no)");
	r.off = (uint8_t)~on;
	*t = r;
	return 0;
}

void dnsrep_lookalike_tuning_format(const struct dnsrep_lookalike_tuning *t, char *buf, size_t len)
{
	size_t o = 0;
	int all = t->off == 0;
	for (int k = 0; k < DNSREP_LOOKALIKE_TECHNIQUES; k++)
		all &= t->min_len[k] == 0;
	if (len == 0)
		return;
	buf[0] = '\0';
	if (all) {
		snprintf(buf, len, "all");
		return;
	}
	for (int k = 1; k <= DNSREP_LOOKALIKE_TECHNIQUES && o < len; k++) {
		if (t->off & (1u << (k - 1)))
			continue;
		const char *name = dnsrep_lookalike_technique_name((enum dnsrep_technique)k);
		int w = t->min_len[k - 1]
			? snprintf(buf + o, len - o, "%s%s:%u", o ? " " : "", name, t->min_len[k - 1])
			: snprintf(buf + o, len - o, "%s%s", o ? " " : "", name);
		if (w < 0)
			break;
		o += (size_t)w;
	}
}
