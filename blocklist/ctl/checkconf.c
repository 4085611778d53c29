/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * checkconf.c — `dnsrepctl checkconf`: read dnsrep.conf as the plugin
 * would and print what it configures, or the error (file:line: reason).
 */
#include "dnsrep_config.h"
#include "dnsrep/config.h"
#include "ctl.h"

#include <getopt.h>
#include <stdio.h>

int dnsrepctl_checkconf(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = dnsrep_config_default_path();
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': path = optarg; break;
		case 'h':
			printf("Usage: dnsrepctl checkconf [--config FILE]\n");
			return 0;
		default: return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "dnsrepctl checkconf: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	struct dnsrep_config *cfg;
	char err[DNSREP_ERRLEN];
	if (dnsrep_config_load(path, &cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "dnsrepctl: %s\n", err);
		return 1;
	}
	printf("%s: ok\n", path);
	printf("  action: %s, ede: %u, negative-ttl: %us\n", dnsrep_action_name(cfg->action),
	       cfg->ede, (unsigned)cfg->negative_ttl);
	printf("  log-file: %s\n  snapshot-file: %s\n", cfg->log_file, cfg->snapshot_file);
	printf("  exempt clients: %zu\n", cfg->n_exempt_clients);
	printf("  feeds: %zu\n", cfg->n_feeds);
	for (size_t i = 0; i < cfg->n_feeds; i++) {
		const struct dnsrep_feed_config *f = &cfg->feeds[i];
		char la[200] = "no";
		if (f->lookalike) {
			char tun[160];
			dnsrep_lookalike_tuning_format(&f->lookalike_tuning, tun, sizeof(tun));
			snprintf(la, sizeof(la), "yes: %s, action %s", tun,
				 dnsrep_action_name(f->lookalike_action));
		}
		printf("    %s: %s (format %s, category %s, action %s, lookalike %s, refresh %us)\n",
		       f->name, f->source, dnsrep_format_name(f->format), f->category,
		       dnsrep_action_name(f->action ? f->action : cfg->action), la, (unsigned)f->refresh);
	}
	dnsrep_config_free(cfg);
	return 0;
}
