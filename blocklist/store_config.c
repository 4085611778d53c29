/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * store_config.c — dnsrep.conf's redis* keys as store options (see dnsrep/store_config.h).
 */
#include "dnsrep/store_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/** Options for the server named by where (redis: or redis-primary:). */
static int opts_for(struct dnsrep_store_opts *o, const struct dnsrep_config *cfg,
	const char *where, char *buf, size_t buflen, char *err, size_t errlen)
{
	dnsrep_store_opts_init(o);
	if (!where) {
		snprintf(err, errlen, "no redis: line in the configuration");
		return -1;
	}
	o->user = cfg->redis_user;
	o->password = cfg->redis_password;
	o->prefix = cfg->redis_prefix;
	o->connect_timeout_ms = (long)cfg->redis_timeout * 1000;
	o->timeout_ms = (long)cfg->redis_timeout * 1000;
	const char *r = where;
	if (r[0] == '/') {
		o->unix_path = r;
		o->host = NULL;
		return 0;
	}
	if (snprintf(buf, buflen, "%s", r) >= (int)buflen) {
		snprintf(err, errlen, "redis: '%s' is too long", r);
		return -1;
	}
	char *port = NULL;
	if (buf[0] == '[') {
		char *close = strchr(buf, ']');
		if (!close || (close[1] && close[1] != ':')) {
			snprintf(err, errlen, "redis: '%s' must be [address]:port", r);
			return -1;
		}
		*close = 0;
		port = close[1] == ':' ? close + 2 : NULL;
		o->host = buf + 1;
	} else {
		char *colon = strchr(buf, ':');
		if (colon && strchr(colon + 1, ':')) {
			snprintf(err, errlen, "redis: write an IPv6 address as [address]:port, not '%s'", r);
			return -1;
		}
		if (colon) {
			*colon = 0;
			port = colon + 1;
		}
		o->host = buf;
	}
	if (!*o->host) {
		snprintf(err, errlen, "redis: '%s' names no host", r);
		return -1;
	}
	if (port) {
		char *end;
		long p = strtol(port, &end, 10);
		if (!*port || *end || p < 1 || p > 65535) {
			snprintf(err, errlen, "redis: bad port in '%s'", r);
			return -1;
		}
		o->port = (int)p;
	}
	return 0;
}

int dnsrep_store_opts_from_config(struct dnsrep_store_opts *o, const struct dnsrep_config *cfg,
	char *buf, size_t buflen, char *err, size_t errlen)
{
	return opts_for(o, cfg, cfg->redis, buf, buflen, err, errlen);
}

int dnsrep_store_primary_opts_from_config(struct dnsrep_store_opts *o,
	const struct dnsrep_config *cfg, char *buf, size_t buflen, char *err, size_t errlen)
{
	return opts_for(o, cfg, cfg->redis_primary ? cfg->redis_primary : cfg->redis, buf, buflen,
			err, errlen);
}
