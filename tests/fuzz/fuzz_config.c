/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_config.c — libFuzzer harness for dnsrep.conf: any text an admin (or an
 * editor crash) can leave in the file.  Parses it, and frees what it made.
 * Includes are resolved against a directory that does not exist.
 */
#include "dnsrep/config.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dnsrep_config *cfg = NULL;
	char err[512];
	if (dnsrep_config_parse("/nonexistent/dnsrep-fuzz/dnsrep.conf", (const char *)data, size,
				&cfg, err, sizeof(err)) == 0)
		dnsrep_config_free(cfg);
	return 0;
}
