/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sync.c — `dnsrepctl sync`: the feeder.  Fetches every configured feed,
 * checks it, and publishes it to Redis, where the resolvers pick it up.
 *
 *   dnsrepctl sync [--config FILE] [--every DURATION] [--force] [--feed NAME]...
 *
 * A feed is published only when it is good: fetched (an HTTP error, a timeout, an
 * HTML page, an oversized or truncated body is not), accepted by its parser (at most
 * max-rejected of its lines bad), and not shrunk by more than max-shrink since its
 * last published version (--force overrides only this).  Otherwise the last good
 * version stays in Redis and the error is recorded beside it (dnsrepctl status shows
 * it).  An unchanged feed (same SHA-256) is not rewritten; a 304 answer to a
 * conditional GET costs nothing.  Each run logs one line per feed: entries, added,
 * removed, duration, result.
 */
#include "dnsrep_config.h"
#include "dnsrep/config.h"
#include "dnsrep/digest.h"
#include "dnsrep/duration.h"
#include "dnsrep/feed.h"
#include "dnsrep/fetch.h"
#include "dnsrep/load.h"
#include "dnsrep/store.h"
#include "dnsrep/store_config.h"
#include "ctl.h"

#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/** A line of the run's log: time, then the message (stdout, flushed). */
static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	char ts[32];
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	printf("%s ", ts);
	va_list ap;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/* ---- the names of a feed, for counting what was added and removed ---------- */

/** Every entry as one sortable key: a kind byte, then the wire name. */
struct names {
	char **keys;
	size_t n, cap;
	int oom;
	const char *say_feed;   /**< say the first rejected lines under this feed name, or NULL */
	char rejects[1024];     /**< the first rejected lines, "LINE: reason\n" each */
	unsigned n_rejects;
};

/** Rejected lines shown and kept in the feed's metadata. */
#define SHOW_REJECTS 5

static int collect(void *ctx, const struct dnsrep_entry *e)
{
	struct names *nm = ctx;
	if (nm->n == nm->cap) {
		size_t cap = nm->cap ? nm->cap * 2 : 1024;
		char **k = realloc(nm->keys, cap * sizeof(*k));
		if (!k) {
			nm->oom = 1;
			return -1;
		}
		nm->keys = k;
		nm->cap = cap;
	}
	char *key = malloc(2u + e->name.len);
	if (!key) {
		nm->oom = 1;
		return -1;
	}
	key[0] = (char)(1 + e->scope + (e->allow ? 4 : 0)); /* never 0: keys are C strings of bytes */
	key[1] = (char)e->name.len;
	memcpy(key + 2, e->name.wire, e->name.len);
	nm->keys[nm->n++] = key;
	return 0;
}

/** The first SHOW_REJECTS rejected lines: said (feed:line: reason) and kept. */
static void note_reject(void *ctx, const char *feed, unsigned line, const char *reason)
{
	struct names *nm = ctx;
	(void)feed;
	if (!nm->say_feed || nm->n_rejects++ >= SHOW_REJECTS)
		return;
	say("feed %s:%u: %s", nm->say_feed, line, reason);
	size_t used = strlen(nm->rejects);
	if (used < sizeof(nm->rejects) - 1)
		snprintf(nm->rejects + used, sizeof(nm->rejects) - used, "%u: %s\n", line, reason);
}

static int key_cmp(const void *a, const void *b)
{
	const unsigned char *x = *(const unsigned char *const *)a, *y = *(const unsigned char *const *)b;
	size_t lx = 2u + x[1], ly = 2u + y[1];
	int c = memcmp(x, y, lx < ly ? lx : ly);
	return c ? c : (lx > ly) - (lx < ly);
}

static void names_free(struct names *nm)
{
	for (size_t i = 0; i < nm->n; i++)
		free(nm->keys[i]);
	free(nm->keys);
	memset(nm, 0, sizeof(*nm));
}

/** Count keys of a not in b (both sorted, duplicates counted once). */
static size_t only_in(const struct names *a, const struct names *b)
{
	size_t i = 0, j = 0, count = 0;
	while (i < a->n) {
		if (i > 0 && key_cmp(&a->keys[i], &a->keys[i - 1]) == 0) {
			i++;
			continue;
		}
		while (j < b->n && key_cmp(&b->keys[j], &a->keys[i]) < 0)
			j++;
		if (j >= b->n || key_cmp(&b->keys[j], &a->keys[i]) != 0)
			count++;
		i++;
	}
	return count;
}

/* ---- one feed ------------------------------------------------------------------ */

struct sync {
	const struct dnsrep_config *cfg;
	struct dnsrep_store *store;
	int force;
	int tty;
	unsigned failed;    /**< feeds that failed this run */
};

/** A progress bar on a terminal for large feeds. */
static void progress(void *ctx, uint64_t got, uint64_t total)
{
	const char *feed = ctx;
	if (total < 2u * 1024 * 1024 && got < 2u * 1024 * 1024)
		return; /* about 100k lines and more get a bar */
	int width = 40, done = total ? (int)(got * (uint64_t)width / total) : 0;
	fprintf(stderr, "\r%-24.24s [", feed);
	for (int i = 0; i < width; i++)
		fputc(i < done ? '#' : (total ? '.' : ' '), stderr);
	fprintf(stderr, "] %6.1f MB", (double)got / 1e6);
	fflush(stderr);
}

/** Record and report a failure; the last good version stays. */
static void fail_feed(struct sync *s, const struct dnsrep_feed_config *f, double t0, const char *why)
{
	char err[DNSREP_ERRLEN];
	s->failed++;
	if (dnsrep_store_record_error(s->store, f->name, why, err, sizeof(err)) < 0)
		say("feed %s: cannot record the error in Redis: %s", f->name, err);
	say("feed %s: FAILED after %.2fs: %s; the last good version stays", f->name, now_s() - t0, why);
}

/**
 * What the resolvers read must be readable: a published copy that is not (a key
 * of the wrong type, written by hand or by another tool) is published again,
 * which rewrites it, or the feed fails saying why.
 * @return 1 publish again whatever changed, 0 fine, -1 failed (counted and said).
 */
static int needs_repair(struct sync *s, const struct dnsrep_feed_config *f)
{
	char err[DNSREP_ERRLEN];
	int ok = dnsrep_store_feed_readable(s->store, f->name, err, sizeof(err));
	if (ok < 0) {
		s->failed++;
		say("feed %s: FAILED: %s", f->name, err);
		return -1;
	}
	if (!ok)
		say("feed %s: the resolvers cannot read its published copy (%s); publishing it "
		    "again", f->name, err);
	return !ok;
}

/** What was added and removed, against the published version (left as they are when it cannot be read). */
static void diff_published(struct sync *s, const char *feed, const struct dnsrep_feed_opts *po,
	struct names *now, struct names *before, size_t *added, size_t *removed)
{
	char *odata = NULL, err[DNSREP_ERRLEN];
	size_t olen = 0;
	uint64_t over;
	if (dnsrep_store_get_feed(s->store, feed, &odata, &olen, &over, err, sizeof(err)) == 1) {
		struct dnsrep_feed_opts oo = *po;
		oo.max_reject_share = 1.0;
		struct dnsrep_feed_stats ost;
		(void)dnsrep_feed_parse(&oo, odata, olen, collect, note_reject, before, &ost,
					err, sizeof(err));
		qsort(now->keys, now->n, sizeof(*now->keys), key_cmp);
		qsort(before->keys, before->n, sizeof(*before->keys), key_cmp);
		*added = only_in(now, before);
		*removed = only_in(before, now);
	}
	free(odata);
}

/* Long (~120 lines) for a reason: the four steps of a feed (fetch, check, guard,
 * publish) read top to bottom, sharing the fetch result and the parsed names. */
static void sync_feed(struct sync *s, const struct dnsrep_feed_config *f)
{
	double t0 = now_s();
	char err[DNSREP_ERRLEN], why[600];
	struct dnsrep_store_feedmeta old;
	int have_old = dnsrep_store_feedmeta(s->store, f->name, &old, err, sizeof(err));
	if (have_old < 0) {
		s->failed++;
		say("feed %s: FAILED: %s", f->name, err);
		return;
	}
	int repair = have_old ? needs_repair(s, f) : 0;
	if (repair < 0)
		return;

	/* 1. fetch, conditionally when a version was published from the same source */
	struct dnsrep_fetch_opts fo;
	struct dnsrep_fetch_result fr;
	dnsrep_fetch_opts_init(&fo);
	fo.ca_file = s->cfg->ca_file;
	fo.total_timeout_ms = (long)s->cfg->fetch_timeout * 1000;
	fo.max_size = (uint64_t)s->cfg->max_size_mib << 20;
	if (have_old && strcmp(old.source, f->source) == 0 && !s->force && !repair) {
		fo.etag = old.etag[0] ? old.etag : NULL;
		fo.last_modified = old.last_modified[0] ? old.last_modified : NULL;
	}
	if (s->tty) {
		fo.progress = progress;
		fo.progress_ctx = (void *)f->name;
	}
	memset(&fr, 0, sizeof(fr));
	int rc = dnsrep_fetch(f->source, &fo, &fr, err, sizeof(err));
	if (s->tty)
		fprintf(stderr, "\r\033[K");
	if (rc < 0) {
		fail_feed(s, f, t0, err);
		return;
	}
	if (fr.not_modified) {
		say("feed %s: not modified (%s), %llu entries, version %llu, %.2fs", f->name,
		    fr.status == 304 ? "HTTP 304" : "unchanged", (unsigned long long)old.entries,
		    (unsigned long long)old.version, now_s() - t0);
		return;
	}

	/* 2. check it as the resolvers will read it */
	struct dnsrep_feed_opts po;
	struct dnsrep_feed_stats st;
	struct names now = { 0 }, before = { 0 };
	dnsrep_feed_opts_init(&po, f->name);
	po.format = f->format;
	po.max_reject_share = f->max_rejected;
	po.allow_public_suffix = f->allow_public_suffix;
	now.say_feed = f->name;
	if (dnsrep_feed_parse(&po, fr.data, fr.len, collect, note_reject, &now, &st, err,
			      sizeof(err)) < 0) {
		fail_feed(s, f, t0, now.oom ? "out of memory" : err);
		goto out;
	}
	if (now.n_rejects > SHOW_REJECTS)
		say("feed %s: %u more rejected lines not shown (dnsrepctl check --feed shows them "
		    "all)", f->name, now.n_rejects - SHOW_REJECTS);
	char digest[65];
	if (dnsrep_digest_hex(fr.data, fr.len, digest) < 0) {
		fail_feed(s, f, t0, "cannot compute the digest");
		goto out;
	}
	if (have_old && strcmp(digest, old.digest) == 0 && !repair) {
		/* not rewritten (the resolvers would reload it for nothing); a stale
		 * error from an earlier run is cleared */
		if (old.last_error[0] && dnsrep_store_record_error(s->store, f->name, "", err, sizeof(err)) < 0)
			say("feed %s: cannot clear its last error: %s", f->name, err);
		say("feed %s: unchanged, %u entries, version %llu, %.2fs", f->name, st.entries,
		    (unsigned long long)old.version, now_s() - t0);
		goto out;
	}

	/* 3. the shrink guard: a feed that lost most of its entries is far more likely
	 * broken upstream than pruned on purpose */
	if (have_old && old.entries > 0 && !s->force &&
	    (double)st.entries < (double)old.entries * (1.0 - s->cfg->max_shrink)) {
		snprintf(why, sizeof(why), "shrank from %llu to %u entries, more than %.0f%%; "
			 "not published (dnsrepctl sync --force publishes it)",
			 (unsigned long long)old.entries, st.entries, s->cfg->max_shrink * 100);
		fail_feed(s, f, t0, why);
		goto out;
	}

	/* what was added and removed, against the published version */
	size_t added = st.entries, removed = 0;
	if (have_old)
		diff_published(s, f->name, &po, &now, &before, &added, &removed);

	/* 4. publish */
	struct dnsrep_store_feedmeta meta;
	memset(&meta, 0, sizeof(meta));
	meta.entries = st.entries;
	meta.rejected = st.rejected;
	meta.bytes = fr.len;
	meta.synced_at = (int64_t)time(NULL);
	snprintf(meta.format, sizeof(meta.format), "%s", dnsrep_format_name(st.format));
	memcpy(meta.digest, digest, sizeof(meta.digest));
	snprintf(meta.source, sizeof(meta.source), "%s", f->source);
	snprintf(meta.etag, sizeof(meta.etag), "%s", fr.etag);
	snprintf(meta.last_modified, sizeof(meta.last_modified), "%s", fr.last_modified);
	snprintf(meta.rejects, sizeof(meta.rejects), "%s", now.rejects);
	uint64_t v = dnsrep_store_publish(s->store, f->name, fr.data, fr.len, &meta, err, sizeof(err));
	if (!v) {
		s->failed++;
		say("feed %s: FAILED to publish: %s", f->name, err);
		goto out;
	}
	say("feed %s: published version %llu: %u entries (+%zu -%zu), %u lines rejected, %s, %.2fs",
	    f->name, (unsigned long long)v, st.entries, added, removed, st.rejected,
	    dnsrep_format_name(st.format), now_s() - t0);
out:
	names_free(&now);
	names_free(&before);
	free(fr.data);
}

/* Options, connection, then the feeds once or --every DURATION until stopped. */
int dnsrepctl_sync(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "every", required_argument, NULL, 'e' },
		{ "force", no_argument, NULL, 'f' },
		{ "feed", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config = dnsrep_config_default_path();
	uint64_t every = 0;
	int force = 0, opt, rc = 1;
	char **only = calloc((size_t)argc + 1, sizeof(*only));
	size_t n_only = 0;
	if (!only)
		return 1;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "c:e:fn:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'c': config = optarg; break;
		case 'e':
			/* at most a year: sleeping longer is a typo, not a schedule */
			if (dnsrep_parse_duration(optarg, 366 * 86400, &every) < 0 || every == 0) {
				fprintf(stderr, "dnsrepctl sync: --every takes a duration from 1s to 366d "
					"(90s, 15m, 1h), not '%s'\n", optarg);
				free(only);
				return 2;
			}
			break;
		case 'f': force = 1; break;
		case 'n': only[n_only++] = optarg; break;
		case 'h':
			printf("Usage: dnsrepctl sync [--config FILE] [--every DURATION] [--force] [--feed NAME]...\n"
			       "  fetch the configured feeds and publish the good ones to Redis\n"
			       "  --every  repeat every DURATION (15m, 1h) until stopped\n"
			       "  --force  publish even a feed that shrank by more than max-shrink\n"
			       "  --feed   only this feed (repeatable)\n");
			free(only);
			return 0;
		default: free(only); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "dnsrepctl sync: unexpected argument '%s'\n", argv[optind]);
		free(only);
		return 2;
	}
	struct dnsrep_config *cfg = NULL;
	char err[DNSREP_ERRLEN], hostbuf[512];
	struct dnsrep_store_opts so;
	if (dnsrep_config_load(config, &cfg, err, sizeof(err)) < 0 ||
	    dnsrep_store_opts_from_config(&so, cfg, hostbuf, sizeof(hostbuf), err, sizeof(err)) < 0) {
		fprintf(stderr, "dnsrepctl: %s\n", err);
		dnsrep_config_free(cfg);
		free(only);
		return 1;
	}
	for (size_t i = 0; i < n_only; i++) {
		if (!dnsrep_config_feed(cfg, only[i])) {
			fprintf(stderr, "dnsrepctl sync: no feed '%s' in %s\n", only[i], config);
			goto out;
		}
	}
	if (dnsrep_fetch_global_init() != 0) {
		fprintf(stderr, "dnsrepctl: cannot initialize libcurl\n");
		goto out;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	struct sync s = { .cfg = cfg, .force = force, .tty = isatty(2) };
	do {
		double t0 = now_s();
		s.failed = 0;
		s.store = dnsrep_store_connect(&so, err, sizeof(err));
		if (!s.store) {
			say("run: FAILED: %s", err);
			s.failed = 1;
		} else {
			for (size_t i = 0; i < cfg->n_feeds && !stopping; i++) {
				const struct dnsrep_feed_config *f = &cfg->feeds[i];
				int wanted = n_only == 0;
				for (size_t j = 0; j < n_only && !wanted; j++)
					wanted = strcmp(only[j], f->name) == 0;
				if (wanted)
					sync_feed(&s, f);
			}
			dnsrep_store_close(s.store);
			s.store = NULL;
			say("run: %zu feeds, %u failed, %.2fs", n_only ? n_only : cfg->n_feeds, s.failed,
			    now_s() - t0);
		}
		rc = s.failed ? 1 : 0;
		for (uint64_t left = every; left > 0 && !stopping; left--)
			sleep(1);
	} while (every && !stopping);
	if (stopping && every)
		rc = 0; /* stopped on request: not a failure */
out:
	dnsrep_config_free(cfg);
	free(only);
	return rc;
}
