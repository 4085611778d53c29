/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dnsrep/version.h — the version of libdnsrep, for the plugin's log and dnsrepctl.
 */
#ifndef DNSREP_VERSION_H
#define DNSREP_VERSION_H

/** "0.1.0": the package version libdnsrep was built as. */
const char *dnsrep_version(void);

#endif /* DNSREP_VERSION_H */
