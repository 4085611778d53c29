/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * version.c — the package version, from configure, behind a function so that
 * the plugin (which includes Unbound's config.h, not ours) can ask for it.
 */
#include "dnsrep_config.h"
#include "dnsrep/version.h"

const char *dnsrep_version(void)
{
	return PACKAGE_VERSION;
}
