/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * metrics.c — the plugin's figures: gathered from the resolver threads' counters,
 * the block log, its Redis stream, the refresher and the snapshot in place, and
 * written as Prometheus text (the metrics endpoint, metrics_http.c) or as one JSON
 * object (the Redis heartbeat, which `dnsrepctl status` shows per resolver).
 *
 * Runs on the endpoint's thread or the refresher's, never on a resolver thread:
 * the threads' counters are read while they count (dnsrep/stats.h).
 */
#include "config.h"            /* Unbound's: fixes the layout of its structs */
#include "util/module.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dnsrep/json.h"
#include "dnsrep/prom.h"
#include "dnsrep/version.h"
#include "plugin.h"

/** Feeds whose figures are shown at most (a dnsrep.conf holds a handful). */
#define MAX_FEEDS 256

/** Everything a scrape or a heartbeat shows. */
struct figures {
	struct dnsrep_stats_total t;
	uint64_t by_outcome[4];                 /**< lookups by enum dnsrep_log_kind */
	uint64_t log_written, log_dropped;
	int stream;                             /**< a Redis stream is configured */
	uint64_t stream_sent, stream_missed;
	struct dnsrep_refresher_stats rs;
	struct dnsrep_refresher_feed_stats feeds[MAX_FEEDS];
	size_t n_feeds;
	int have_snapshot;
	uint64_t version;
	uint32_t names;
	size_t bytes;
	int64_t now;
};

static const char *const outcome_names[] = {
	[DNSREP_LOG_BLOCKED] = "blocked",
	[DNSREP_LOG_LOGONLY] = "log_only",
	[DNSREP_LOG_EXEMPT] = "exempt",
	[DNSREP_LOG_ESCAPED] = "escaped",
};

/**
 * Gather the figures (r: the refresher, which the heartbeat passes before init has
 * stored it in mod).  0, or -1 out of memory (f->t must be freed either way).
 */
static int gather(struct dnsrep_module *mod, const struct dnsrep_refresher *r, struct figures *f)
{
	memset(f, 0, sizeof(*f));
	int rc = dnsrep_threads_stats(mod, &f->t) < 0 ? -1 : 0;
	for (size_t i = 0; i < f->t.n; i++)
		if (f->t.series[i].l.outcome < 4)
			f->by_outcome[f->t.series[i].l.outcome] += f->t.series[i].count;
	if (mod->log) {
		f->log_written = dnsrep_blocklog_written(mod->log);
		f->log_dropped = dnsrep_blocklog_dropped(mod->log);
	}
	if (mod->stream) {
		f->stream = 1;
		f->stream_sent = dnsrep_logstream_sent(mod->stream);
		f->stream_missed = dnsrep_logstream_dropped(mod->stream);
	}
	if (r)
		f->n_feeds = dnsrep_refresher_stats(r, &f->rs, f->feeds, MAX_FEEDS);
	const struct dnsrep_snapshot *s = dnsrep_current_enter(mod->current);
	if (s) {
		f->have_snapshot = 1;
		f->version = dnsrep_snapshot_version(s);
		f->names = dnsrep_snapshot_names(s);
		f->bytes = dnsrep_snapshot_memory(s);
	}
	dnsrep_current_leave(mod->current);
	f->now = (int64_t)time(NULL);
	return rc;
}

static double age(const struct figures *f)
{
	return f->rs.installed_at > 0 && f->now >= f->rs.installed_at
		? (double)(f->now - f->rs.installed_at) : 0;
}

/** The lookups by their labels: one sample per series (technique summed away). */
static void lookups(struct dnsrep_buf *b, const struct figures *f)
{
	const char *name = "dnsrep_lookups_total";
	dnsrep_prom_family(b, name, "counter", "Client lookups of listed names, by outcome "
		"(blocked, log_only, exempt, escaped), the deciding entry's feed and category, the "
		"action and the match kind.");
	for (size_t i = 0; i < f->t.n; i++) {
		const struct dnsrep_stats_labels *l = &f->t.series[i].l;
		uint64_t sum = 0;
		size_t j = 0;
		for (; j < f->t.n; j++) {
			const struct dnsrep_stats_labels *m = &f->t.series[j].l;
			if (m->outcome != l->outcome || m->action != l->action || m->match != l->match ||
			    strcmp(m->feed, l->feed) != 0 || strcmp(m->category, l->category) != 0)
				continue;
			if (j < i)
				break; /* shown with an earlier series */
			sum += f->t.series[j].count;
		}
		if (j < i)
			continue;
		struct dnsrep_prom_label lab[] = {
			{ "outcome", l->outcome < 4 ? outcome_names[l->outcome] : "unknown" },
			{ "feed", l->feed },
			{ "category", l->category },
			{ "action", dnsrep_action_name((enum dnsrep_action)l->action) },
			{ "match", dnsrep_blocklog_match_name(l->match) },
		};
		dnsrep_prom_u64(b, name, lab, 5, sum);
	}
}

/** Lookalike hits by technique and feed (every outcome). */
static void lookalike_hits(struct dnsrep_buf *b, const struct figures *f)
{
	const char *name = "dnsrep_lookalike_hits_total";
	dnsrep_prom_family(b, name, "counter", "Client lookups of lookalike names, by technique "
		"and the protected name's feed (every outcome).");
	for (size_t i = 0; i < f->t.n; i++) {
		const struct dnsrep_stats_labels *l = &f->t.series[i].l;
		if (l->match != DNSREP_MATCH_LOOKALIKE)
			continue;
		uint64_t sum = 0;
		size_t j = 0;
		for (; j < f->t.n; j++) {
			const struct dnsrep_stats_labels *m = &f->t.series[j].l;
			if (m->match != DNSREP_MATCH_LOOKALIKE || m->technique != l->technique ||
			    strcmp(m->feed, l->feed) != 0)
				continue;
			if (j < i)
				break;
			sum += f->t.series[j].count;
		}
		if (j < i)
			continue;
		struct dnsrep_prom_label lab[] = {
			{ "technique", dnsrep_lookalike_technique_name((enum dnsrep_technique)l->technique) },
			{ "feed", l->feed },
		};
		dnsrep_prom_u64(b, name, lab, 2, sum);
	}
}

static void one(struct dnsrep_buf *b, const char *name, const char *type, const char *help,
	uint64_t v)
{
	dnsrep_prom_family(b, name, type, help);
	dnsrep_prom_u64(b, name, NULL, 0, v);
}

static void one_f(struct dnsrep_buf *b, const char *name, const char *help, double v)
{
	dnsrep_prom_family(b, name, "gauge", help);
	dnsrep_prom_f64(b, name, NULL, 0, v);
}

/** One family with a sample per feed; which: 0 refreshes, 1 failures, 2 last success. */
static void per_feed(struct dnsrep_buf *b, const struct figures *f, const char *name,
	const char *type, const char *help, int which)
{
	dnsrep_prom_family(b, name, type, help);
	for (size_t i = 0; i < f->n_feeds; i++) {
		struct dnsrep_prom_label lab = { "feed", f->feeds[i].name };
		uint64_t v = which == 0 ? f->feeds[i].refreshes : which == 1 ? f->feeds[i].failures
			   : (uint64_t)(f->feeds[i].last_ok > 0 ? f->feeds[i].last_ok : 0);
		dnsrep_prom_u64(b, name, &lab, 1, v);
	}
}

int dnsrep_metrics_render(struct dnsrep_module *mod, struct dnsrep_buf *b)
{
	struct figures *f = malloc(sizeof(*f));
	if (!f)
		return -1;
	int rc = gather(mod, mod->refresher, f);
	struct dnsrep_prom_label info[] = { { "resolver", mod->resolver_id },
					    { "version", dnsrep_version() } };
	dnsrep_prom_family(b, "dnsrep_info", "gauge", "The resolver's id and dnsrep's version.");
	dnsrep_prom_u64(b, "dnsrep_info", info, 2, 1);
	one(b, "dnsrep_lookups_judged_total", "counter",
	    "Client answers the plugin judged (resolved and from Unbound's message cache).",
	    f->t.judged);
	lookups(b, f);
	lookalike_hits(b, f);
	one(b, "dnsrep_log_records_written_total", "counter",
	    "Block log records written to the log file.", f->log_written);
	one(b, "dnsrep_log_records_dropped_total", "counter",
	    "Block log records dropped: the log queue was full (a slow or failing disk, or a small log-queue).",
	    f->log_dropped);
	one(b, "dnsrep_log_stream_records_sent_total", "counter",
	    "Block log records appended to the Redis stream.", f->stream_sent);
	one(b, "dnsrep_log_stream_records_missed_total", "counter",
	    "Block log records the Redis stream missed (Redis away or slow; the file has them).",
	    f->stream_missed);
	one(b, "dnsrep_snapshot_version", "gauge",
	    "The Redis blocklist version in place (0: built from the feed files).", f->version);
	one(b, "dnsrep_snapshot_names", "gauge", "Names in the blocklist in place.", f->names);
	one(b, "dnsrep_snapshot_bytes", "gauge", "Memory of the blocklist in place, bytes.", f->bytes);
	one_f(b, "dnsrep_snapshot_age_seconds",
	      "Seconds since the blocklist in place was installed.", age(f));
	one_f(b, "dnsrep_snapshot_last_swap_duration_seconds",
	      "How long the last swap took, the flush of Unbound's caches included.",
	      f->rs.last_swap_seconds);
	one(b, "dnsrep_snapshot_swaps_total", "counter", "Blocklists installed.", f->rs.swaps);
	per_feed(b, f, "dnsrep_feed_refreshes_total", "counter",
		 "New versions of a feed the resolver took.", 0);
	per_feed(b, f, "dnsrep_feed_refresh_failures_total", "counter",
		 "New versions of a feed refused or unreadable (its last good version kept).", 1);
	per_feed(b, f, "dnsrep_feed_last_success_timestamp_seconds", "gauge",
		 "When the resolver last took a new version of the feed (Unix time; 0: never).", 2);
	if (f->rs.redis) {
		one(b, "dnsrep_redis_connected", "gauge",
		    "Whether the resolver's connections to Redis are up (1) or not (0).",
		    (uint64_t)f->rs.redis_connected);
		one(b, "dnsrep_redis_reconnects_total", "counter",
		    "Connections to Redis made again after the first.", f->rs.redis_reconnects);
	}
	dnsrep_stats_total_free(&f->t);
	free(f);
	return rc < 0 || b->failed ? -1 : 0;
}

static void kv(struct dnsrep_buf *b, const char *key, uint64_t v, int first)
{
	char t[96];
	snprintf(t, sizeof(t), "%s\"%s\":%" PRIu64, first ? "" : ",", key, v);
	dnsrep_buf_puts(b, t);
}

int dnsrep_metrics_json(struct dnsrep_module *mod, const struct dnsrep_refresher *r,
	struct dnsrep_buf *b)
{
	struct figures *f = malloc(sizeof(*f));
	if (!f)
		return -1;
	int rc = gather(mod, r, f);
	dnsrep_buf_puts(b, "{");
	kv(b, "judged", f->t.judged, 1);
	kv(b, "blocked", f->by_outcome[DNSREP_LOG_BLOCKED], 0);
	kv(b, "log_only", f->by_outcome[DNSREP_LOG_LOGONLY], 0);
	kv(b, "exempt", f->by_outcome[DNSREP_LOG_EXEMPT], 0);
	kv(b, "escaped", f->by_outcome[DNSREP_LOG_ESCAPED], 0);
	kv(b, "log_written", f->log_written, 0);
	kv(b, "log_dropped", f->log_dropped, 0);
	kv(b, "stream_sent", f->stream_sent, 0);
	kv(b, "stream_missed", f->stream_missed, 0);
	kv(b, "swaps", f->rs.swaps, 0);
	kv(b, "last_swap_ms", (uint64_t)(f->rs.last_swap_seconds * 1000 + 0.5), 0);
	kv(b, "bytes", f->bytes, 0);
	kv(b, "redis_reconnects", f->rs.redis_reconnects, 0);
	uint64_t ok = 0, failed = 0;
	for (size_t i = 0; i < f->n_feeds; i++) {
		ok += f->feeds[i].refreshes;
		failed += f->feeds[i].failures;
	}
	kv(b, "refreshes", ok, 0);
	kv(b, "refresh_failures", failed, 0);
	dnsrep_buf_puts(b, "}");
	dnsrep_stats_total_free(&f->t);
	free(f);
	return rc < 0 || b->failed ? -1 : 0;
}
