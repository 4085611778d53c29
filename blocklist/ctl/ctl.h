/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl.h — the commands of dnsrepctl, one file each in blocklist/ctl/.
 * Each takes the arguments after the command name (argv[0] is the command)
 * and returns the exit status.
 */
#ifndef DNSREPCTL_H
#define DNSREPCTL_H

#include <stddef.h>

#include "dnsrep/buf.h"

/**
 * Append text for a terminal: printable ASCII and valid UTF-8 as they are; control
 * bytes, DEL, C1 controls and invalid UTF-8 as \DDD (clean.c).
 */
void ctl_put_clean(struct dnsrep_buf *b, const char *s, size_t n);

/** dnsrepctl checkconf: read dnsrep.conf and print what it configures. */
int dnsrepctl_checkconf(int argc, char **argv);

/** dnsrepctl check: what the resolver would do with names, and why. */
int dnsrepctl_check(int argc, char **argv);

/** dnsrepctl report: what the block logs say (per feed and rule, top clients, per hour). */
int dnsrepctl_report(int argc, char **argv);

/** dnsrepctl sync: fetch the feeds and publish the good ones to Redis. */
int dnsrepctl_sync(int argc, char **argv);

/** dnsrepctl status: the feeds in Redis and the resolvers that follow them. */
int dnsrepctl_status(int argc, char **argv);

/** dnsrepctl variants: a domain's lookalike candidates, optionally resolved. */
int dnsrepctl_variants(int argc, char **argv);

#endif
