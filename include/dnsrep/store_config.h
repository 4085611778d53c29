/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dnsrep/store_config.h — where Redis is, as dnsrep.conf says it.
 */
#ifndef DNSREP_STORE_CONFIG_H
#define DNSREP_STORE_CONFIG_H

#include <stddef.h>

#include "dnsrep/config.h"
#include "dnsrep/store.h"

/**
 * Fill store options from the config's redis* keys.  `redis:` is "host", "host:port",
 * "[v6addr]:port" or "/path/to/socket".  host points into buf (of size buflen).
 * @return 0, or -1 with err set (no redis: line, or a bad one).
 */
int dnsrep_store_opts_from_config(struct dnsrep_store_opts *o, const struct dnsrep_config *cfg,
	char *buf, size_t buflen, char *err, size_t errlen);

/** The same for writes: redis-primary: when set, else redis:. */
int dnsrep_store_primary_opts_from_config(struct dnsrep_store_opts *o,
	const struct dnsrep_config *cfg, char *buf, size_t buflen, char *err, size_t errlen);

#endif
