/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ubcheck.h — the plugin refuses an Unbound it was not compiled against.
 */
#ifndef DNSREP_UBCHECK_H
#define DNSREP_UBCHECK_H

#include <stddef.h>

/**
 * Whether the running program carries exactly this configure line (Unbound's
 * CONFCMDLINE, which `unbound -V` prints) among its read-only strings.
 * @return 1 if it does; 0 with err naming both builds (version: the plugin's).
 */
int dnsrep_unbound_is(const char *configure_line, const char *version, char *err, size_t errlen);

#endif /* DNSREP_UBCHECK_H */
