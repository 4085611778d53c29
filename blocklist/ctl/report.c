/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * report.c — `dnsrepctl report`: what the block logs say.
 *
 *   dnsrepctl report [--since DURATION|TIMESTAMP] [--client CIDR] [--rule NAME]
 *                    [--json] [--top N] [--redis [--config FILE]] [FILE...]
 *
 * Reads block logs (JSON Lines, as blocklog.c writes them; rotated and gzipped
 * files too, or the fleet's Redis stream) and prints what an admin asks first:
 * how many lookups were blocked, logged or exempt, per feed and per rule, which
 * clients asked most and for what, first and last seen, and counts per hour.
 * Damaged lines are counted, the first few named as FILE:LINE: reason, and
 * skipped; the rest of the file still counts.
 *
 * How: one pass over every file.  Each line is scanned in place
 * (report_scan.c) and counted (report_count.c) into hash tables whose values
 * are the counters themselves (report_table.c); nothing is allocated per line,
 * memory grows only with the number of distinct keys.  At the end the tables
 * are sorted and printed as text (report_text.c) or JSON (report_json.c).
 * This file holds the options, the usage text and the command.
 */
#include "dnsrep_config.h"
#include "dnsrep/config.h"
#include "dnsrep/duration.h"
#include "report.h"
#include "ctl.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/** The log read when no FILE is given. */
#define REPORT_DEFAULT_LOG "/var/log/unbound/dnsrep-blocks.jsonl"
/** Rows per table when --top is not given. */
#define REPORT_TOP_DEFAULT 10

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: dnsrepctl report [--since DURATION|TIME] [--client CIDR] [--rule NAME]\n"
		"                        [--json] [--top N] [--redis [--config FILE]] [FILE...]\n"
		"\n"
		"What the block logs say: totals, lookups per feed and per rule, the clients\n"
		"that asked most and the rules they hit, first and last seen, counts per hour.\n"
		"FILE defaults to " REPORT_DEFAULT_LOG "; - is standard input.\n"
		"Rotated and gzipped logs are read as they are (dnsrep-blocks.jsonl*).\n"
		"\n"
		"Options:\n"
		"  --since D|TIME  only lookups from the last D (30s, 90m, 24h, 7d, 2w) or since\n"
		"                  an RFC 3339 time (2026-11-21T11:00:00Z, 2026-11-21)\n"
		"  --client CIDR   only lookups by clients in CIDR (192.0.2.0/24, 2001:db8::/32,\n"
		"                  or one address); may be repeated\n"
		"  --rule NAME     only lookups decided by the rule NAME (case and a trailing\n"
		"                  dot ignored); may be repeated\n"
		"  --top N         rows per table (default %d; 0: all); per hour lists all\n"
		"  --json          one JSON object instead of text\n"
		"  --redis         read the fleet's log from the Redis stream (redis-stream: yes)\n"
		"                  named by the configuration, as well as any FILE given\n"
		"  --config FILE   the configuration for --redis (default $DNSREP_CONF or\n"
		"                  /etc/unbound/dnsrep.conf)\n"
		"  -h, --help      this text\n"
		"\n"
		"Drop events count whatever --client and --rule say (they are resolver-wide).\n"
		"Damaged lines (not JSON, truncated, no ts or qname, over 64 KiB) are counted,\n"
		"the first %d named on stderr as FILE:LINE: reason, and skipped.\n"
		"\n"
		"--json prints one object (times as \"2026-11-21T11:09:00.123Z\", null if none):\n"
		"  {\"filters\": {\"since\": TIME|null, \"client\": [CIDR...], \"rule\": [NAME...]},\n"
		"   \"totals\": {\"lookups\", \"blocked\", \"log_only\", \"exempt\",\n"
		"              \"actions\": {\"nxdomain\", \"nodata\", \"refused\", \"sinkhole\",\n"
		"                          \"log-only\", \"exempt\", \"escaped\", \"other\"},\n"
		"              \"clients\", \"rules\", \"feeds\" (distinct), \"drops\" (records lost),\n"
		"              \"drop_events\", \"other_events\", \"damaged\", \"filtered\", \"lines\",\n"
		"              \"files_read\", \"files_unreadable\", \"first\", \"last\"},\n"
		"   \"feeds\":   [{\"feed\", COUNTS, \"rules\"}...],\n"
		"   \"rules\":   [{\"rule\", \"feed\", \"category\", COUNTS, \"clients\"}...],\n"
		"   \"clients\": [{\"client\", COUNTS, \"rules\",\n"
		"                \"top_rules\": [{\"rule\", \"feed\", \"lookups\"}...]}...],\n"
		"   \"hours\":   [{\"hour\": \"2026-11-21T11:00Z\", \"lookups\", \"blocked\"}...]}\n"
		"  COUNTS is \"lookups\", \"blocked\", \"log_only\", \"exempt\", \"first\", \"last\".\n"
		"  feeds, rules and clients are sorted by lookups (most first) and cut to --top;\n"
		"  a rule row is one rule name in one feed; hours are in order, UTC.\n"
		"\n"
		"Exit status: 0 success; 1 a file could not be opened or read to its end (what\n"
		"could be read of a cut .gz is counted; the other files are still reported);\n"
		"2 usage error.\n",
		REPORT_TOP_DEFAULT, REPORT_DAMAGED_SHOWN);
}

/** --since: a duration back from now, or an RFC 3339 time.  -1 when neither. */
static int parse_since(const char *v, int64_t now_ms, int64_t *since)
{
	if (dnsrep_duration_has_unit(v)) {
		uint64_t secs;
		if (dnsrep_parse_duration(v, UINT64_C(1) << 40, &secs) < 0)
			return -1;
		*since = now_ms - (int64_t)(secs * 1000);
		return 0;
	}
	return report_parse_time(v, strlen(v), 1, since);
}

/** --client CIDR.  @return 0, or 2 (a usage error, said on stderr). */
static int add_client_filter(struct report *r, const char *v)
{
	const char *why;
	if (r->n_client_filters == REPORT_MAX_FILTERS) {
		fprintf(stderr, "dnsrepctl report: at most %d --client options\n", REPORT_MAX_FILTERS);
		return 2;
	}
	if (dnsrep_cidr_parse(v, &r->client_filter[r->n_client_filters], &why) < 0) {
		fprintf(stderr, "dnsrepctl report: --client '%s': %s\n", v, why);
		return 2;
	}
	r->client_filter_text[r->n_client_filters++] = v;
	return 0;
}

/** --rule NAME.  @return 0, or 2 (a usage error, said on stderr). */
static int add_rule_filter(struct report *r, const char *v)
{
	if (r->n_rule_filters == REPORT_MAX_FILTERS) {
		fprintf(stderr, "dnsrepctl report: at most %d --rule options\n", REPORT_MAX_FILTERS);
		return 2;
	}
	if (!*v) {
		fprintf(stderr, "dnsrepctl report: --rule needs a name\n");
		return 2;
	}
	r->rule_filter[r->n_rule_filters++] = v;
	return 0;
}

/** --top N.  @return 0, or 2 (a usage error, said on stderr). */
static int set_top(struct report *r, const char *v)
{
	char *end;
	errno = 0;
	unsigned long long n = strtoull(v, &end, 10);
	r->top = (size_t)n;
	if (*v < '0' || *v > '9' || *end || errno || n > 1000000) {
		fprintf(stderr, "dnsrepctl report: --top '%s': not a number from 0 to 1000000\n", v);
		return 2;
	}
	return 0;
}

/** Where to read from, besides the options kept in struct report. */
struct sources {
	int from_redis;
	const char *config;
};

/**
 * Parse the options into r and src.
 * @return 0, 2 on a usage error (said on stderr), or -1 for --help.
 */
static int parse_options(int argc, char **argv, struct report *r, struct sources *src)
{
	static const struct option opts[] = {
		{ "since", required_argument, NULL, 's' },
		{ "client", required_argument, NULL, 'c' },
		{ "rule", required_argument, NULL, 'r' },
		{ "top", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ "redis", no_argument, NULL, 'R' },
		{ "config", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	int64_t now_ms = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
	int opt, rc = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "s:c:r:t:jh", opts, NULL)) != -1) {
		int bad = 0;
		switch (opt) {
		case 'R':
			src->from_redis = 1;
			break;
		case 'C':
			src->config = optarg;
			break;
		case 's':
			if (parse_since(optarg, now_ms, &r->since) < 0) {
				fprintf(stderr, "dnsrepctl report: --since '%s': not a duration (24h, 90m, 7d, 30s) "
					"or an RFC 3339 time (2026-11-21T11:00:00Z)\n", optarg);
				bad = 2;
			}
			r->has_since = 1;
			break;
		case 'c':
			bad = add_client_filter(r, optarg);
			break;
		case 'r':
			bad = add_rule_filter(r, optarg);
			break;
		case 't':
			bad = set_top(r, optarg);
			break;
		case 'j':
			r->json = 1;
			break;
		case 'h':
			return -1;
		default:
			bad = 2;
			break;
		}
		if (bad)
			rc = bad;
	}
	return rc;
}

static void report_free(struct report *r)
{
	report_keytab_free(&r->clients_t);
	report_keytab_free(&r->rulenames_t);
	report_keytab_free(&r->feeds_t);
	report_keytab_free(&r->categories_t);
	report_keytab_free(&r->rules_t);
	report_keytab_free(&r->pairs_t);
	report_keytab_free(&r->hours_t);
	report_arena_free(&r->arena);
	free(r->buf);
	free(r->scan.scratch);
}

/** The read buffer, the scratch buffer and the tables.  -1 when out of memory. */
static int report_alloc(struct report *r)
{
	r->buf = malloc(REPORT_CHUNK + REPORT_MAX_LINE + 1);
	r->scan.scratch = malloc(REPORT_MAX_LINE + 1); /* decoded text never outgrows its line */
	if (!r->buf || !r->scan.scratch ||
	    report_keytab_init(&r->clients_t, sizeof(struct client_stats), &r->arena) < 0 ||
	    report_keytab_init(&r->rulenames_t, sizeof(struct rulename_stats), &r->arena) < 0 ||
	    report_keytab_init(&r->feeds_t, sizeof(struct feed_stats), &r->arena) < 0 ||
	    report_keytab_init(&r->categories_t, 1, &r->arena) < 0 ||
	    report_keytab_init(&r->rules_t, sizeof(struct rule_stats), NULL) < 0 ||
	    report_keytab_init(&r->pairs_t, sizeof(struct pair_stats), NULL) < 0 ||
	    report_keytab_init(&r->hours_t, sizeof(struct hour_stats), NULL) < 0)
		return -1;
	return 0;
}

/**
 * Read the Redis stream (with --redis) and the files (FILE..., or the default
 * log when neither is given).  Out of memory sets r->oom.
 * @return 0, or 1 when something could not be read.
 */
static int read_all(struct report *r, const struct sources *src, int nargs, char **args)
{
	int rc = 0;
	int nfiles = nargs > 0 ? nargs : src->from_redis ? 0 : 1;
	if (src->from_redis) {
		int got = report_read_redis(r, src->config);
		if (got < 0)
			r->oom = 1;
		else if (got > 0)
			rc = 1;
	}
	for (int i = 0; i < nfiles && !r->oom; i++) {
		int got = report_read_file(r, nargs > 0 ? args[i] : REPORT_DEFAULT_LOG);
		if (got < 0) {
			r->oom = 1;
			break;
		}
		if (got > 0)
			rc = 1;
	}
	if (r->damaged > REPORT_DAMAGED_SHOWN)
		fprintf(stderr, "dnsrepctl: %" PRIu64 " damaged lines in all (the first %d shown)\n",
			r->damaged, REPORT_DAMAGED_SHOWN);
	return rc;
}

/** Sort, format and write the report.  @return 0, or 1 when out of memory or writing failed. */
static int write_report(struct report *r)
{
	struct sorted s;
	struct dnsrep_buf out = { 0 };
	int failed = r->oom, rc = 0;
	if (!failed && report_sort(r, &s) < 0)
		failed = 1;
	else if (!failed && r->json)
		report_print_json(r, &s, &out);
	else if (!failed)
		report_print_text(r, &s, &out, &failed);
	if (!r->oom)
		report_sorted_free(&s);
	if (failed || out.failed) {
		fprintf(stderr, "dnsrepctl: out of memory\n");
		rc = 1;
	} else if (fwrite(out.data, 1, out.len, stdout) != out.len || fflush(stdout) != 0) {
		fprintf(stderr, "dnsrepctl: writing the report: %s\n", strerror(errno));
		rc = 1;
	}
	dnsrep_buf_free(&out);
	return rc;
}

int dnsrepctl_report(int argc, char **argv)
{
	struct sources src = { 0, dnsrep_config_default_path() };
	struct report *r = calloc(1, sizeof(*r));
	if (!r) {
		fprintf(stderr, "dnsrepctl: out of memory\n");
		return 1;
	}
	r->top = REPORT_TOP_DEFAULT;
	int rc = parse_options(argc, argv, r, &src);
	if (rc != 0) {
		usage(rc < 0 ? stdout : stderr);
		free(r);
		return rc < 0 ? 0 : rc;
	}
	if (report_alloc(r) < 0) {
		fprintf(stderr, "dnsrepctl: out of memory\n");
		rc = 1;
	} else {
		rc = read_all(r, &src, argc - optind, argv + optind);
		if (write_report(r) != 0)
			rc = 1;
	}
	report_free(r);
	free(r);
	return rc;
}
