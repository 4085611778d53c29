/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * report.c — `dnsrepctl report`: what the block logs say.
 *
 *   dnsrepctl report [--since DURATION|TIMESTAMP] [--client CIDR] [--rule NAME]
 *                    [--category C] [--action A] [--feed F] [--match M]
 *                    [--qname NAME] [--by-client] [--top N]
 *                    [--json | --csv | --html FILE] [--redis [--config FILE]] [FILE...]
 *
 * Reads block logs (JSON Lines, as blocklog.c writes them; with their rotated
 * and gzipped files, or the fleet's Redis stream) and prints what an admin
 * asks: how many lookups were blocked, logged or exempt, per feed and per
 * rule, which clients asked most and for what, the names actually asked (a
 * lookalike beside the name it resembles), query types, a per-client
 * drill-down, first and last seen, and counts per hour.  Damaged lines are
 * counted, the first few named as FILE:LINE: reason, and skipped; the rest of
 * the file still counts.
 *
 * How: one pass over every file.  Each line is scanned in place
 * (report_scan.c), filtered (report_filter.c) and counted (report_count.c)
 * into hash tables whose values are the counters themselves (report_table.c);
 * nothing is allocated per line, memory grows only with the number of
 * distinct keys.  At the end the tables are sorted (report_sort.c), laid out
 * (report_layout.c) and printed as text, JSON or HTML; --csv writes the
 * lookups themselves as they are read.  This file holds the options, the
 * usage text and the command.
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
#include <unistd.h>

/** The log read when no FILE is given. */
#define REPORT_DEFAULT_LOG "/var/log/unbound/dnsrep-blocks.jsonl"
/** Rows per table when --top is not given. */
#define REPORT_TOP_DEFAULT 10

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: dnsrepctl report [--since DURATION|TIME] [--client CIDR] [--rule NAME]\n"
		"                        [--category C] [--action A] [--feed F] [--match M]\n"
		"                        [--qname NAME] [--by-client] [--top N]\n"
		"                        [--json | --csv | --html FILE] [--redis] [--config FILE]\n"
		"                        [FILE...]\n"
		"\n"
		"What the block logs say: totals, lookups per feed and per rule, the clients\n"
		"that asked most and the rules they hit, the names asked (and for lookalikes\n"
		"the protected name they resemble), query types, first and last seen, counts\n"
		"per hour.  FILE defaults to the configuration's log-file (else\n"
		REPORT_DEFAULT_LOG "); - is standard input.  Gzipped logs are read as\n"
		"they are.  Each FILE but - is read with its rotations (FILE.1, FILE.2.gz,\n"
		"FILE-YYYYMMDD, FILE-YYYYMMDD.gz): all of them without --since; with --since,\n"
		"newest first, each only while the newer file's oldest record is after --since.\n"
		"The files read and skipped are named in the report.\n"
		"\n"
		"Filters (each may be repeated or take comma-separated values: a lookup passes\n"
		"a filter when it matches any value, and counts when it passes them all):\n"
		"  --since D|TIME  only lookups from the last D (30s, 90m, 24h, 7d, 2w) or since\n"
		"                  an RFC 3339 time (2026-11-21T11:00:00Z, 2026-11-21)\n"
		"  --client CIDR   clients in CIDR (192.0.2.0/24, 2001:db8::/32, or an address)\n"
		"  --rule NAME     decided by the rule NAME (case and a trailing dot ignored)\n"
		"  --category C    of the category C (seized, …)\n"
		"  --action A      nxdomain, nodata, refused, sinkhole, log-only, exempt,\n"
		"                  escaped, or blocked (the first four)\n"
		"  --feed F        decided by an entry of the feed F\n"
		"  --match M       exact, subdomain, lookalike, cname\n"
		"  --qname NAME    the name asked is NAME or below it (case, a trailing dot\n"
		"                  ignored; a U-label is taken as its xn-- form)\n"
		"\n"
		"Output:\n"
		"  --by-client     add the drill-down: each shown client, the names it asked,\n"
		"                  their query types (on whenever --client is given)\n"
		"  --top N         rows per table (default %d; 0: all); per hour lists all\n"
		"  --json          one JSON object instead of text\n"
		"  --csv           the lookups that pass the filters, one CSV row each:\n"
		"                  ts,resolver,client,qname,qtype,action,match,rule,feed,\n"
		"                  category,technique,reason (RFC 4180; a field starting with\n"
		"                  = + - @ gets a leading ')\n"
		"  --html FILE     the report as one self-contained HTML page (sortable tables,\n"
		"                  a chart per hour) written to FILE (- for standard output)\n"
		"  --redis         read the fleet's log from the Redis stream (redis-stream: yes)\n"
		"                  named by the configuration, as well as any FILE given\n"
		"  --config FILE   the configuration for --redis and the default log (default\n"
		"                  $DNSREP_CONF or /etc/unbound/dnsrep.conf)\n"
		"  -h, --help      this text\n"
		"\n"
		"Drop events count whatever the filters but --since say (they are resolver-wide).\n"
		"Damaged lines (not JSON, truncated, no ts or qname, over 64 KiB) are counted,\n"
		"the first %d named on stderr as FILE:LINE: reason, and skipped; a last line\n"
		"cut short (still being written) is counted as partial, not damaged.\n"
		"\n"
		"--json prints one object (times as \"2026-11-21T11:09:00.123Z\", null if none):\n"
		"  {\"filters\": {\"since\": TIME|null, \"client\": [CIDR...], \"rule\": [NAME...],\n"
		"               \"category\", \"action\", \"feed\", \"match\", \"qname\": [...]},\n"
		"   \"files\":   [{\"path\", \"status\": \"read\"|\"skipped\"|\"unreadable\"|\"missing\"}...],\n"
		"   \"totals\": {\"lookups\", \"blocked\", \"log_only\", \"exempt\",\n"
		"              \"actions\": {\"nxdomain\", \"nodata\", \"refused\", \"sinkhole\",\n"
		"                          \"log-only\", \"exempt\", \"escaped\", \"other\"},\n"
		"              \"clients\", \"rules\", \"feeds\", \"names\", \"qtypes\" (distinct),\n"
		"              \"drops\" (records lost), \"drop_events\", \"other_events\",\n"
		"              \"damaged\", \"partial\", \"filtered\", \"lines\",\n"
		"              \"files_read\", \"files_unreadable\", \"first\", \"last\"},\n"
		"   \"feeds\":   [{\"feed\", COUNTS, \"rules\"}...],\n"
		"   \"rules\":   [{\"rule\", \"feed\", \"category\", COUNTS, \"clients\"}...],\n"
		"   \"clients\": [{\"client\", COUNTS, \"rules\",\n"
		"                \"top_rules\": [{\"rule\", \"feed\", \"lookups\"}...]}...],\n"
		"   \"names\":   [{\"qname\", COUNTS, \"clients\", \"qtypes\": {\"A\": N...},\n"
		"                \"match\", \"rule\", \"feed\", \"technique\"|null}...],\n"
		"   \"qtypes\":  [{\"qtype\", COUNTS}...],\n"
		"   \"by_client\": [{\"client\", \"lookups\",\n"
		"                  \"names\": [{\"qname\", \"lookups\", \"qtypes\": {...}}...]}...],\n"
		"   \"hours\":   [{\"hour\": \"2026-11-21T11:00Z\", \"lookups\", \"blocked\"}...]}\n"
		"  COUNTS is \"lookups\", \"blocked\", \"log_only\", \"exempt\", \"first\", \"last\".\n"
		"  Tables are sorted by lookups (most first) and cut to --top; a rule row is\n"
		"  one rule name in one feed; a name's rule, match and technique are its latest\n"
		"  lookup's; by_client is [] without drill-down; hours are in order, UTC.\n"
		"\n"
		"Exit status: 0 success; 1 a file could not be opened or read to its end (what\n"
		"could be read of a cut .gz is counted; the other files are still reported),\n"
		"or the report could not be written; 2 usage error.\n",
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
	int config_given;      /**< --config (its log-file must then be readable) */
};

/** Set the output format; a second one is a usage error.  @return 0, or 2. */
static int set_format(struct report *r, enum report_format f)
{
	if (r->format != OUT_TEXT && r->format != f) {
		fprintf(stderr, "dnsrepctl report: --json, --csv and --html exclude each other\n");
		return 2;
	}
	r->format = f;
	return 0;
}

/** The filter an option letter fills. */
static enum filter_kind filter_of_option(int opt)
{
	switch (opt) {
	case 'c': return FK_CLIENT;
	case 'r': return FK_RULE;
	case 'g': return FK_CATEGORY;
	case 'a': return FK_ACTION;
	case 'f': return FK_FEED;
	case 'm': return FK_MATCH;
	default: return FK_QNAME;
	}
}

/**
 * Parse the options into r and src.
 * @return 0, 2 on a usage error (said on stderr), 1 when out of memory, or -1 for --help.
 */
static int parse_options(int argc, char **argv, struct report *r, struct sources *src)
{
	static const struct option opts[] = {
		{ "since", required_argument, NULL, 's' },
		{ "client", required_argument, NULL, 'c' },
		{ "rule", required_argument, NULL, 'r' },
		{ "category", required_argument, NULL, 'g' },
		{ "action", required_argument, NULL, 'a' },
		{ "feed", required_argument, NULL, 'f' },
		{ "match", required_argument, NULL, 'm' },
		{ "qname", required_argument, NULL, 'q' },
		{ "by-client", no_argument, NULL, 'B' },
		{ "top", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ "csv", no_argument, NULL, 'V' },
		{ "html", required_argument, NULL, 'H' },
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
			src->config_given = 1;
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
		case 'r':
		case 'g':
		case 'a':
		case 'f':
		case 'm':
		case 'q':
			bad = report_filter_add(r, filter_of_option(opt), optarg);
			if (opt == 'c')
				r->drilldown = 1;
			break;
		case 'B':
			r->drilldown = 1;
			break;
		case 'V':
			bad = set_format(r, OUT_CSV);
			break;
		case 'H':
			bad = set_format(r, OUT_HTML);
			r->html_path = optarg;
			break;
		case 't':
			bad = set_top(r, optarg);
			break;
		case 'j':
			bad = set_format(r, OUT_JSON);
			break;
		case 'h':
			return -1;
		default:
			bad = 2;
			break;
		}
		if (bad < 0) {
			fprintf(stderr, "dnsrepctl: out of memory\n");
			return 1;
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
	report_keytab_free(&r->qnames_t);
	report_keytab_free(&r->qtypes_t);
	report_keytab_free(&r->techniques_t);
	report_keytab_free(&r->name_qtypes_t);
	report_keytab_free(&r->client_names_t);
	report_keytab_free(&r->client_name_qtypes_t);
	report_arena_free(&r->arena);
	report_filter_free(r);
	for (size_t i = 0; i < r->n_files; i++)
		free(r->files[i].path);
	free(r->files);
	free(r->seen);
	dnsrep_buf_free(&r->csv);
	free(r->buf);
	free(r->lower);
	free(r->scan.scratch);
}

/** The read buffer, the scratch buffer and the tables.  -1 when out of memory. */
static int report_alloc(struct report *r)
{
	r->buf = malloc(REPORT_CHUNK + REPORT_MAX_LINE + 1);
	r->scan.scratch = malloc(REPORT_MAX_LINE + 1); /* decoded text never outgrows its line */
	r->lower = malloc(REPORT_MAX_LINE + 1);
	if (!r->buf || !r->scan.scratch || !r->lower ||
	    report_keytab_init(&r->clients_t, sizeof(struct client_stats), &r->arena) < 0 ||
	    report_keytab_init(&r->rulenames_t, sizeof(struct rulename_stats), &r->arena) < 0 ||
	    report_keytab_init(&r->feeds_t, sizeof(struct feed_stats), &r->arena) < 0 ||
	    report_keytab_init(&r->categories_t, 1, &r->arena) < 0 ||
	    report_keytab_init(&r->rules_t, sizeof(struct rule_stats), NULL) < 0 ||
	    report_keytab_init(&r->pairs_t, sizeof(struct pair_stats), NULL) < 0 ||
	    report_keytab_init(&r->hours_t, sizeof(struct hour_stats), NULL) < 0 ||
	    report_keytab_init(&r->qnames_t, sizeof(struct qname_stats), &r->arena) < 0 ||
	    report_keytab_init(&r->qtypes_t, sizeof(struct qtype_stats), &r->arena) < 0 ||
	    report_keytab_init(&r->techniques_t, 1, &r->arena) < 0 ||
	    report_keytab_init(&r->name_qtypes_t, sizeof(struct pair_stats), NULL) < 0 ||
	    report_keytab_init(&r->client_names_t, sizeof(struct pair_stats), NULL) < 0 ||
	    report_keytab_init(&r->client_name_qtypes_t, sizeof(struct pair_stats), NULL) < 0)
		return -1;
	uint32_t none;
	int isnew;
	/* id 0: no technique (most lookups are no lookalike's) */
	return report_keytab_str(&r->techniques_t, "-", 1, &none, &isnew) ? 0 : -1;
}

/**
 * The log to read when no FILE is given: the configuration's log-file when
 * there is a configuration (a broken one given with --config is an error),
 * else the default.  The path is copied into buf.  @return 0, or 1.
 */
static int default_log(const struct sources *src, char *buf, size_t len)
{
	struct dnsrep_config *cfg = NULL;
	char err[DNSREP_ERRLEN];
	snprintf(buf, len, "%s", REPORT_DEFAULT_LOG);
	if (!src->config_given && access(src->config, F_OK) != 0)
		return 0;
	if (dnsrep_config_load(src->config, &cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "dnsrepctl: %s\n", err);
		return 1;
	}
	snprintf(buf, len, "%s", cfg->log_file);
	dnsrep_config_free(cfg);
	return 0;
}

/**
 * Read the Redis stream (with --redis) and the files with their rotations
 * (FILE..., or the default log when neither is given).  Out of memory sets r->oom.
 * @return 0, or 1 when something could not be read.
 */
static int read_all(struct report *r, const struct sources *src, int nargs, char **args)
{
	char deflog[4096];
	int rc = 0;
	int nfiles = nargs > 0 ? nargs : src->from_redis ? 0 : 1;
	if (src->from_redis) {
		int got = report_read_redis(r, src->config);
		if (got < 0)
			r->oom = 1;
		else if (got > 0)
			rc = 1;
	}
	if (nargs == 0 && nfiles && default_log(src, deflog, sizeof(deflog)) != 0)
		return 1;
	for (int i = 0; i < nfiles && !r->oom; i++) {
		int got = report_read_rotated(r, nargs > 0 ? args[i] : deflog);
		if (got < 0) {
			r->oom = 1;
			break;
		}
		if (got > 0)
			rc = 1;
	}
	if (r->format == OUT_CSV)
		report_csv_flush(r, 1);
	if (r->damaged > REPORT_DAMAGED_SHOWN)
		fprintf(stderr, "dnsrepctl: %" PRIu64 " damaged lines in all (the first %d shown)\n",
			r->damaged, REPORT_DAMAGED_SHOWN);
	return rc;
}

/** Write the formatted report to standard output, or the --html file.  @return 0, or 1. */
static int write_out(const struct report *r, const struct dnsrep_buf *out)
{
	int to_file = r->format == OUT_HTML && strcmp(r->html_path, "-") != 0;
	FILE *f = to_file ? fopen(r->html_path, "w") : stdout;
	const char *what = to_file ? r->html_path : "the report";
	if (!f) {
		fprintf(stderr, "dnsrepctl: cannot write %s: %s\n", what, strerror(errno));
		return 1;
	}
	int bad = fwrite(out->data, 1, out->len, f) != out->len || fflush(f) != 0;
	if (bad)
		fprintf(stderr, "dnsrepctl: writing %s: %s\n", what, strerror(errno));
	if (to_file && fclose(f) != 0 && !bad) {
		fprintf(stderr, "dnsrepctl: writing %s: %s\n", what, strerror(errno));
		bad = 1;
	}
	return bad;
}

/** Sort, format and write the report.  @return 0, or 1 when out of memory or writing failed. */
static int write_report(struct report *r)
{
	struct sorted s;
	struct dnsrep_buf out = { 0 };
	int failed = r->oom, rc = 0;
	if (r->format == OUT_CSV)
		return r->oom ? (fprintf(stderr, "dnsrepctl: out of memory\n"), 1) : r->csv_failed;
	if (!failed && report_sort(r, &s) < 0)
		failed = 1;
	else if (!failed && r->format == OUT_JSON)
		report_print_json(r, &s, &out);
	else if (!failed && r->format == OUT_HTML)
		report_print_html(r, &s, &out, &failed);
	else if (!failed)
		report_print_text(r, &s, &out, &failed);
	if (!r->oom)
		report_sorted_free(&s);
	if (failed || out.failed) {
		fprintf(stderr, "dnsrepctl: out of memory\n");
		rc = 1;
	} else {
		rc = write_out(r, &out);
	}
	dnsrep_buf_free(&out);
	return rc;
}

int dnsrepctl_report(int argc, char **argv)
{
	struct sources src = { 0, dnsrep_config_default_path(), 0 };
	struct report *r = calloc(1, sizeof(*r));
	if (!r) {
		fprintf(stderr, "dnsrepctl: out of memory\n");
		return 1;
	}
	r->top = REPORT_TOP_DEFAULT;
	int rc = parse_options(argc, argv, r, &src);
	if (rc != 0) {
		if (rc != 1)
			usage(rc < 0 ? stdout : stderr);
		report_filter_free(r);
		free(r);
		return rc < 0 ? 0 : rc;
	}
	if (report_alloc(r) < 0) {
		fprintf(stderr, "dnsrepctl: out of memory\n");
		rc = 1;
	} else {
		if (r->format == OUT_CSV)
			report_csv_header(&r->csv);
		rc = read_all(r, &src, argc - optind, argv + optind);
		if (write_report(r) != 0)
			rc = 1;
	}
	report_free(r);
	free(r);
	return rc;
}
