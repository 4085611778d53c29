/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dnsrep/duration.h — the one grammar for durations, in dnsrep.conf and on
 * dnsrepctl's command line: digits, then an optional unit s, m, h, d or w
 * (seconds when none): 90, 90s, 15m, 12h, 7d, 2w.  No sign, no spaces, no
 * fractions, no mixing (1h30m is refused: write 90m).
 */
#ifndef DNSREP_DURATION_H
#define DNSREP_DURATION_H

#include <stdint.h>

/**
 * Parse a duration into seconds.
 * @return 0 with *secs set, or -1: not the grammar above, or more than max seconds.
 */
int dnsrep_parse_duration(const char *text, uint64_t max, uint64_t *secs);

/** Whether text ends in one of the unit letters (to tell "15m" from a date). */
int dnsrep_duration_has_unit(const char *text);

#endif /* DNSREP_DURATION_H */
