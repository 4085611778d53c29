/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * duration.c — durations: digits and an optional unit (see dnsrep/duration.h).
 */
#include "dnsrep/duration.h"

#include <string.h>

/** Seconds per unit letter, or 0 for a letter that is no unit. */
static uint64_t unit_seconds(char c)
{
	switch (c) {
	case 's': return 1;
	case 'm': return 60;
	case 'h': return 3600;
	case 'd': return 86400;
	case 'w': return 604800;
	default: return 0;
	}
}

int dnsrep_duration_has_unit(const char *text)
{
	size_t n = strlen(text);
	return n > 0 && unit_seconds(text[n - 1]) != 0;
}

int dnsrep_parse_duration(const char *text, uint64_t max, uint64_t *secs)
{
	const char *p = text;
	uint64_t n = 0;
	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		uint64_t d = (uint64_t)(*p - '0');
		if (n > UINT64_MAX / 10 || (n == UINT64_MAX / 10 && d > UINT64_MAX % 10))
			return -1;
		n = n * 10 + d;
	}
	uint64_t unit = 1;
	if (*p) {
		if (!(unit = unit_seconds(*p)) || p[1])
			return -1;
	}
	if (n > max / unit)
		return -1;
	*secs = n * unit;
	return 0;
}
