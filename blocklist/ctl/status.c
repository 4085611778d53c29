/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * status.c — `dnsrepctl status`: what is in Redis, and who follows it.
 *
 *   dnsrepctl status [--config FILE] [--json]
 *
 * For each feed (configured or published): entries, last successful sync, the last
 * error if the latest sync failed, its version; then each resolver that sent a
 * heartbeat: the version it runs, its names, when it loaded it, its last heartbeat
 * (or that it went silent).  Exit status 1 when a configured feed is missing from
 * Redis or its last sync failed, or a resolver is behind, silent, or cannot read
 * the data in Redis (its heartbeat says why): usable from
 * monitoring.  Each resolver's heartbeat also carries its counters — the same
 * figures its metrics endpoint serves, in total — shown under its line.
 */
#include "dnsrep_config.h"
#include "dnsrep/config.h"
#include "dnsrep/json.h"
#include "dnsrep/store.h"
#include "dnsrep/store_config.h"
#include "ctl.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/** "2026-11-21T11:09:00Z (5m ago)" or "never". */
static void when(int64_t t, char *buf, size_t len)
{
	if (t <= 0) {
		snprintf(buf, len, "never");
		return;
	}
	time_t tt = (time_t)t;
	struct tm tm;
	char ts[32];
	gmtime_r(&tt, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	long ago = (long)(time(NULL) - t);
	if (ago < 120)
		snprintf(buf, len, "%s (%lds ago)", ts, ago);
	else if (ago < 7200)
		snprintf(buf, len, "%s (%ldm ago)", ts, ago / 60);
	else
		snprintf(buf, len, "%s (%ldh ago)", ts, ago / 3600);
}

static void json_num(struct dnsrep_buf *o, const char *key, int64_t v, int comma)
{
	char b[64];
	snprintf(b, sizeof(b), "%s\"%s\":%" PRId64, comma ? "," : "", key, v);
	dnsrep_buf_puts(o, b);
}

/** One feed's line (text) or object (JSON into o); m NULL: not in Redis. */
static void show_feed(struct dnsrep_buf *o, int json, int first, const char *name,
	const struct dnsrep_store_feedmeta *m, int configured, const char *state)
{
	int have = m != NULL;
	if (json) {
		dnsrep_buf_puts(o, first ? "{" : ",{");
		dnsrep_json_kv(o, "name", name);
		dnsrep_buf_puts(o, ",");
		dnsrep_json_kv(o, "state", state);
		json_num(o, "configured", configured, 1);
		json_num(o, "published", have, 1);
		json_num(o, "entries", have ? (int64_t)m->entries : 0, 1);
		json_num(o, "version", have ? (int64_t)m->version : 0, 1);
		json_num(o, "synced_at", have ? m->synced_at : 0, 1);
		dnsrep_buf_puts(o, ",");
		dnsrep_json_kv(o, "last_error", have && m->last_error[0] ? m->last_error : NULL);
		json_num(o, "last_error_at", have ? m->last_error_at : 0, 1);
		dnsrep_buf_puts(o, ",\"rejected_lines\":[");
		for (const char *r = have ? m->rejects : "", *nl; *r; r = nl + 1) {
			if (!(nl = strchr(r, '\n')))
				break;
			if (r != m->rejects)
				dnsrep_buf_puts(o, ",");
			dnsrep_json_str(o, r, (size_t)(nl - r));
		}
		dnsrep_buf_puts(o, "]}");
		return;
	}
	char synced[64];
	when(have ? m->synced_at : 0, synced, sizeof(synced));
	printf("%-24s %10" PRIu64 " %8" PRIu64 "  %-32s %s\n", name, have ? m->entries : 0,
	       have ? m->version : 0, synced, state);
	if (have && m->last_error[0]) {
		char at[64];
		when(m->last_error_at, at, sizeof(at));
		printf("%24s   error %s: %s\n", "", at, m->last_error);
	}
	for (const char *r = have ? m->rejects : "", *nl; *r && (nl = strchr(r, '\n')); r = nl + 1)
		printf("%24s   rejected line %.*s\n", "", (int)(nl - r), r);
}

/** The figures a heartbeat carries, in the order shown. */
static const char *const figure_keys[] = {
	"judged", "blocked", "log_only", "exempt", "escaped", "log_written", "log_dropped",
	"stream_sent", "stream_missed", "refreshes", "refresh_failures", "swaps",
	"last_swap_ms", "bytes", "redis_reconnects",
};
#define N_FIGURES (sizeof(figure_keys) / sizeof(figure_keys[0]))

/**
 * Read a heartbeat's figures: a flat JSON object of whole numbers, as the plugin
 * writes it.  Keys not known are skipped; values missing stay -1.
 * @return 1, or 0 when there are none or they are not such an object.
 */
static int figures_read(const char *s, int64_t v[N_FIGURES])
{
	for (size_t i = 0; i < N_FIGURES; i++)
		v[i] = -1;
	if (*s++ != '{')
		return 0;
	while (*s == '"') {
		const char *k = ++s;
		while (*s && *s != '"')
			s++;
		size_t klen = (size_t)(s - k);
		if (*s++ != '"' || *s++ != ':' || *s < '0' || *s > '9')
			return 0;
		int64_t n = 0;
		for (; *s >= '0' && *s <= '9'; s++)
			n = n > (INT64_MAX - 9) / 10 ? INT64_MAX : n * 10 + (*s - '0');
		for (size_t i = 0; i < N_FIGURES; i++)
			if (strlen(figure_keys[i]) == klen && strncmp(figure_keys[i], k, klen) == 0)
				v[i] = n;
		if (*s == ',')
			s++;
	}
	return s[0] == '}' && s[1] == 0;
}

/** The figures as a JSON object (or null) into o. */
static void figures_json(struct dnsrep_buf *o, const char *s)
{
	int64_t v[N_FIGURES];
	if (!figures_read(s, v)) {
		dnsrep_buf_puts(o, ",\"figures\":null");
		return;
	}
	dnsrep_buf_puts(o, ",\"figures\":{");
	for (size_t i = 0, n = 0; i < N_FIGURES; i++)
		if (v[i] >= 0)
			json_num(o, figure_keys[i], v[i], n++ > 0);
	dnsrep_buf_puts(o, "}");
}

/** The figures as text lines under a resolver's line. */
static void figures_text(const char *s)
{
	int64_t v[N_FIGURES];
	if (!figures_read(s, v))
		return;
	printf("%32s   lookups judged %" PRId64 ": blocked %" PRId64 ", log-only %" PRId64
	       ", exempt %" PRId64 ", escaped %" PRId64 "\n", "", v[0], v[1], v[2], v[3], v[4]);
	printf("%32s   block log written %" PRId64 ", dropped %" PRId64 "; stream sent %" PRId64
	       ", missed %" PRId64 "\n", "", v[5], v[6], v[7], v[8]);
	printf("%32s   feed refreshes %" PRId64 ", failed %" PRId64 "; swaps %" PRId64
	       " (last %" PRId64 " ms); blocklist %" PRId64 " bytes; Redis reconnects %" PRId64 "\n",
	       "", v[9], v[10], v[11], v[12], v[13], v[14]);
}

/** One resolver's line (text) or object (JSON into o). */
static void show_resolver(struct dnsrep_buf *o, int json, int first,
	const struct dnsrep_store_resolver *r, const char *state)
{
	if (json) {
		dnsrep_buf_puts(o, first ? "{" : ",{");
		dnsrep_json_kv(o, "id", r->id);
		dnsrep_buf_puts(o, ",");
		dnsrep_json_kv(o, "state", state);
		json_num(o, "version", (int64_t)r->version, 1);
		json_num(o, "names", (int64_t)r->names, 1);
		json_num(o, "loaded_at", r->loaded_at, 1);
		json_num(o, "heartbeat", r->heartbeat, 1);
		dnsrep_buf_puts(o, ",");
		dnsrep_json_kv(o, "error", r->heartbeat && r->error[0] ? r->error : NULL);
		figures_json(o, r->heartbeat ? r->figures : "");
		dnsrep_buf_puts(o, "}");
		return;
	}
	char hb[64];
	when(r->heartbeat, hb, sizeof(hb));
	printf("%-32s %8" PRIu64 " %10" PRIu64 "  %-32s %s\n", r->id, r->version, r->names, hb, state);
	if (r->heartbeat && r->error[0])
		printf("%32s   error: %s\n", "", r->error);
	if (r->heartbeat)
		figures_text(r->figures);
}

/* Options, then the feeds (configured first, then those only in Redis) and the
 * resolvers, each row by show_feed / show_resolver. */
int dnsrepctl_status(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config = dnsrep_config_default_path();
	int json = 0, opt, rc = 1, trouble = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "c:jh", opts, NULL)) != -1) {
		switch (opt) {
		case 'c': config = optarg; break;
		case 'j': json = 1; break;
		case 'h':
			printf("Usage: dnsrepctl status [--config FILE] [--json]\n"
			       "  the feeds in Redis and the resolvers that follow them\n");
			return 0;
		default: return 2;
		}
	}
	struct dnsrep_config *cfg = NULL;
	struct dnsrep_store *st = NULL;
	struct dnsrep_store_opts so;
	struct dnsrep_store_resolver *res = NULL;
	char **names = NULL;
	size_t n_names = 0, n_res = 0;
	char err[DNSREP_ERRLEN], hostbuf[512];
	struct dnsrep_buf o = { 0 };
	if (dnsrep_config_load(config, &cfg, err, sizeof(err)) < 0 ||
	    dnsrep_store_opts_from_config(&so, cfg, hostbuf, sizeof(hostbuf), err, sizeof(err)) < 0 ||
	    !(st = dnsrep_store_connect(&so, err, sizeof(err)))) {
		fprintf(stderr, "dnsrepctl: %s\n", err);
		goto out;
	}
	uint64_t version = 0;
	if (dnsrep_store_version(st, &version, err, sizeof(err)) < 0 ||
	    dnsrep_store_feeds(st, &names, &n_names, err, sizeof(err)) < 0 ||
	    dnsrep_store_resolvers(st, &res, &n_res, err, sizeof(err)) < 0) {
		fprintf(stderr, "dnsrepctl: %s\n", err);
		goto out;
	}

	/* the feeds: configured ones first, then any others found in Redis */
	size_t n_all = cfg->n_feeds + n_names;
	const char **all = calloc(n_all ? n_all : 1, sizeof(*all));
	if (!all) {
		fprintf(stderr, "dnsrepctl: out of memory\n");
		goto out;
	}
	size_t k = 0;
	for (size_t i = 0; i < cfg->n_feeds; i++)
		all[k++] = cfg->feeds[i].name;
	for (size_t i = 0; i < n_names; i++)
		if (!dnsrep_config_feed(cfg, names[i]))
			all[k++] = names[i];

	if (json) {
		dnsrep_buf_puts(&o, "{");
		json_num(&o, "version", (int64_t)version, 0);
		dnsrep_buf_puts(&o, ",\"feeds\":[");
	} else {
		printf("Redis %s, prefix %s: version %" PRIu64 "\n\n", cfg->redis, cfg->redis_prefix, version);
		printf("%-24s %10s %8s  %-32s %s\n", "FEED", "ENTRIES", "VERSION", "LAST SYNC", "STATE");
	}
	for (size_t i = 0; i < k; i++) {
		struct dnsrep_store_feedmeta m;
		int have = dnsrep_store_feedmeta(st, all[i], &m, err, sizeof(err));
		if (have < 0) {
			fprintf(stderr, "dnsrepctl: %s\n", err);
			free(all);
			goto out;
		}
		int configured = dnsrep_config_feed(cfg, all[i]) != NULL;
		const char *state = !have ? "not in Redis" : m.last_error[0] ? "last sync failed"
				  : configured ? "ok" : "not configured here";
		trouble |= configured && (!have || m.last_error[0]);
		show_feed(&o, json, i == 0, all[i], have ? &m : NULL, configured, state);
	}
	free(all);

	/* the resolvers */
	if (json) {
		dnsrep_buf_puts(&o, "],\"resolvers\":[");
	} else {
		printf("\n%-32s %8s %10s  %-32s %s\n", "RESOLVER", "VERSION", "NAMES", "HEARTBEAT", "STATE");
	}
	for (size_t i = 0; i < n_res; i++) {
		const struct dnsrep_store_resolver *r = &res[i];
		const char *state = r->heartbeat == 0 ? "silent"
				  : r->error[0] ? "cannot read Redis"
				  : r->version < version ? "behind" : "current";
		trouble |= r->heartbeat != 0 && (r->version < version || r->error[0]);
		show_resolver(&o, json, i == 0, r, state);
	}
	if (json) {
		dnsrep_buf_puts(&o, "]}\n");
		if (o.failed) {
			fprintf(stderr, "dnsrepctl: out of memory\n");
			goto out;
		}
		fwrite(o.data, 1, o.len, stdout);
	}
	rc = trouble ? 1 : 0;
out:
	dnsrep_buf_free(&o);
	free(res);
	dnsrep_store_free_names(names, n_names);
	dnsrep_store_close(st);
	dnsrep_config_free(cfg);
	return rc;
}
