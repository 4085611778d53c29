/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * main.c — the admin CLI: entry point and command dispatch.
 * Each command lives in its own file here, <command>.c.
 */
#include "dnsrep_config.h"
#include "dnsrep/config.h"
#include "dnsrep/version.h"
#include "ctl.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: dnsrepctl COMMAND [OPTIONS]\n"
		"\n"
		"dnsrep blocks and logs lookups of seized or lookalike domains in Unbound.\n"
		"dnsrepctl is its admin tool.\n"
		"\n"
		"Commands:\n"
		"  check [--config FILE] [--feed FILE]... [--allow FILE]... [--json] NAME...\n"
		"                             what the resolver would do with each name, and why\n"
		"                             (NAME - reads names from stdin, one per line)\n"
		"  checkconf [--config FILE]  check dnsrep.conf and print what it configures\n"
		"  sync [--config FILE] [--every DURATION] [--force] [--feed NAME]...\n"
		"                             fetch the feeds and publish the good ones to Redis\n"
		"  status [--config FILE] [--json]\n"
		"                             the feeds in Redis and the resolvers following them\n"
		"  report [--since 24h] [--category C] [--action A] [--qname NAME] [--client CIDR]\n"
		"         [--by-client] [--json | --csv | --html FILE] [FILE...]  (--help: all)\n"
		"                             what the block logs say: per feed and rule, top\n"
		"                             clients, names asked, query types, per hour\n"
		"\n"
		"Options:\n"
		"  -h, --help     this text\n"
		"  -V, --version  the version\n"
		"\n"
		"The configuration file is $DNSREP_CONF, or %s.\n",
		DNSREP_CONF_DEFAULT);
}

int main(int argc, char **argv)
{
	/* a Redis or HTTP peer that closes its side must be an error, not a kill */
	signal(SIGPIPE, SIG_IGN);
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(cmd, "-V") == 0 || strcmp(cmd, "--version") == 0) {
		printf("dnsrepctl %s\n", dnsrep_version());
		return 0;
	}
	if (strcmp(cmd, "checkconf") == 0)
		return dnsrepctl_checkconf(argc - 1, argv + 1);
	if (strcmp(cmd, "check") == 0)
		return dnsrepctl_check(argc - 1, argv + 1);
	if (strcmp(cmd, "report") == 0)
		return dnsrepctl_report(argc - 1, argv + 1);
	if (strcmp(cmd, "sync") == 0)
		return dnsrepctl_sync(argc - 1, argv + 1);
	if (strcmp(cmd, "status") == 0)
		return dnsrepctl_status(argc - 1, argv + 1);
	if (strcmp(cmd, "variants") == 0)
		return dnsrepctl_variants(argc - 1, argv + 1);
	fprintf(stderr, "dnsrepctl: unknown command '%s' (see dnsrepctl --help)\n", cmd);
	return 2;
}
