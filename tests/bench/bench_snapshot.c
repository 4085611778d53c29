/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_snapshot.c — the blocklist engine's benchmark (not a test): builds a
 * snapshot from a generated feed of N names (default 1M) through the real feed
 * parser and builder, and prints build time, bytes per name, snapshot save and
 * load times, and nanoseconds per lookup for exact hits, subdomain hits and misses.
 *
 *   tests/bench/bench_snapshot [N] [SEED]
 *
 * Times are medians of 5 rounds; the machine is shared, so compare figures taken
 * in one run (see tests/bench/README.md).
 */
#include "namegen.h"

#include "dnsrep/feed.h"
#include "dnsrep/name.h"
#include "dnsrep/snapshot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/** Query names in wire form, back to back. */
struct qset {
	uint8_t *wire;
	size_t len, cap;
	size_t *off;
	size_t n;
};

static void qset_add(struct qset *q, const char *text)
{
	struct dnsrep_name nm;
	char err[DNSREP_ERRLEN];
	if (dnsrep_name_from_text(&nm, text, strlen(text), err, sizeof(err)) < 0)
		return;
	if (q->len + nm.len > q->cap) {
		q->cap = q->cap ? q->cap * 2 : 1 << 20;
		q->wire = realloc(q->wire, q->cap);
		if (!q->wire) {
			perror("realloc");
			exit(1);
		}
	}
	memcpy(q->wire + q->len, nm.wire, nm.len);
	q->off[q->n++] = q->len;
	q->len += nm.len;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/** Median ns per lookup over 5 rounds; counts the verdicts of the last round. */
static double time_lookups(const struct dnsrep_snapshot *s, const struct qset *q, unsigned *blocked)
{
	double t[5];
	for (int r = 0; r < 5; r++) {
		unsigned hits = 0;
		struct dnsrep_match m;
		double t0 = now();
		for (size_t i = 0; i < q->n; i++) {
			const uint8_t *w = q->wire + q->off[i];
			size_t len = (i + 1 < q->n ? q->off[i + 1] : q->len) - q->off[i];
			dnsrep_snapshot_match(s, w, len, &m);
			hits += m.verdict == DNSREP_VERDICT_BLOCK;
		}
		t[r] = (now() - t0) * 1e9 / (double)q->n;
		*blocked = hits;
	}
	qsort(t, 5, sizeof(t[0]), cmp_double);
	return t[2];
}

static int on_entry(void *ctx, const struct dnsrep_entry *e)
{
	return dnsrep_snapshot_builder_add(ctx, e);
}

static void on_reject(void *ctx, const char *feed, unsigned line, const char *reason)
{
	(void)ctx;
	(void)feed;
	(void)line;
	(void)reason;
}

int main(int argc, char **argv)
{
	unsigned n = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 1000000;
	uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 10) : 20231017;
	struct namegen g;
	char name[300];

	/* the feed: n names, one per line (plain format: each blocks its subtree) */
	size_t cap = (size_t)n * 40 + 1, len = 0, octets = 0;
	char *feed = malloc(cap);
	if (!feed)
		return 1;
	namegen_init(&g, seed);
	for (unsigned i = 0; i < n; i++) {
		size_t l = namegen_next(&g, name, sizeof(name));
		if (len + l + 2 > cap) {
			cap *= 2;
			feed = realloc(feed, cap);
			if (!feed)
				return 1;
		}
		memcpy(feed + len, name, l);
		feed[len + l] = '\n';
		len += l + 1;
		octets += l + 2; /* wire form: one length octet per label replaces the dots, plus the root */
	}

	struct dnsrep_snapshot_builder *b = dnsrep_snapshot_builder_new();
	struct dnsrep_feed_opts o;
	struct dnsrep_feed_stats st;
	struct dnsrep_feed_meta fm = { .feed = "bench", .category = "seized", .reason = "benchmark" };
	char err[DNSREP_ERRLEN];
	double t0 = now();
	if (!b || dnsrep_snapshot_builder_feed_begin(b, &fm) < 0)
		return 1;
	dnsrep_feed_opts_init(&o, "bench");
	o.format = DNSREP_FORMAT_PLAIN;
	if (dnsrep_feed_parse(&o, feed, len, on_entry, on_reject, b, &st, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	dnsrep_snapshot_builder_feed_commit(b);
	double t_parse = now() - t0;
	struct dnsrep_snapshot *s = dnsrep_snapshot_builder_finish(b, 1, err, sizeof(err));
	double t_build = now() - t0;
	if (!s) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	uint32_t names = dnsrep_snapshot_names(s);
	size_t bytes = dnsrep_snapshot_bytes(s);
	double avg_octets = (double)octets / n;

	char path[] = "/tmp/dnsrep-bench-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		return 1;
	close(fd);
	t0 = now();
	if (dnsrep_snapshot_save(s, path, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	double t_save = now() - t0;
	t0 = now();
	struct dnsrep_snapshot *loaded = dnsrep_snapshot_load(path, err, sizeof(err));
	double t_load = now() - t0;
	unlink(path);
	if (!loaded) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	dnsrep_snapshot_free(loaded);

	/* queries: listed names, names below them, and names not listed */
	struct qset exact = { 0 }, sub = { 0 }, miss = { 0 };
	unsigned nq = n < 1000000 ? n : 1000000;
	exact.off = malloc(nq * sizeof(size_t));
	sub.off = malloc(nq * sizeof(size_t));
	miss.off = malloc(nq * sizeof(size_t));
	if (!exact.off || !sub.off || !miss.off)
		return 1;
	namegen_init(&g, seed);
	for (unsigned i = 0; i < nq; i++) {
		namegen_next(&g, name + 4, sizeof(name) - 4);
		qset_add(&exact, name + 4);
		memcpy(name, "www.", 4);
		qset_add(&sub, name);
	}
	namegen_init(&g, seed ^ 0x5eed);
	for (unsigned i = 0; i < nq; i++) {
		namegen_next(&g, name + 4, sizeof(name) - 4);
		memcpy(name, "api.", 4);  /* a typical query: a host under a registrable name */
		qset_add(&miss, name);
	}
	/* a realistic mix: Zipf-distributed popularity (s = 1), 98% names not listed,
	 * 2% listed, as a resolver sees: the popular names' slots stay in cache */
	struct qset mix = { 0 };
	mix.off = malloc(nq * sizeof(size_t));
	double *cdf = malloc(nq * sizeof(double));
	if (!mix.off || !cdf)
		return 1;
	double sum = 0;
	for (unsigned i = 0; i < nq; i++)
		cdf[i] = (sum += 1.0 / (i + 1));
	namegen_init(&g, seed ^ 0x21f);
	for (unsigned i = 0; i < nq; i++) {
		double u = (double)namegen_below(&g, 1u << 30) / (double)(1u << 30) * sum;
		unsigned lo = 0, hi = nq - 1;
		while (lo < hi) {
			unsigned mid = (lo + hi) / 2;
			if (cdf[mid] < u)
				lo = mid + 1;
			else
				hi = mid;
		}
		const struct qset *from = namegen_below(&g, 50) == 0 ? &sub : &miss;
		size_t end = lo + 1 < from->n ? from->off[lo + 1] : from->len;
		char text[DNSREP_NAME_MAXTEXT];
		if (dnsrep_name_to_text(from->wire + from->off[lo], text, sizeof(text)) >= 0)
			qset_add(&mix, text);
		(void)end;
	}
	free(cdf);
	unsigned b_exact, b_sub, b_miss, b_mix;
	double ns_exact = time_lookups(s, &exact, &b_exact);
	double ns_sub = time_lookups(s, &sub, &b_sub);
	double ns_miss = time_lookups(s, &miss, &b_miss);
	double ns_mix = time_lookups(s, &mix, &b_mix);

	printf("names generated          %u (seed %llu), %u distinct after merging\n", n,
	       (unsigned long long)seed, names);
	printf("feed text                %.1f MB, %u lines rejected (public suffixes)\n",
	       (double)len / 1e6, st.rejected);
	printf("parse                    %.3f s\n", t_parse);
	printf("parse + build            %.3f s (%.0f ns per name)\n", t_build, t_build * 1e9 / n);
	printf("snapshot size            %zu bytes, %.1f bytes per name\n", bytes, (double)bytes / names);
	printf("beyond the name octets   %.1f bytes per name (budget 40; average name %.1f octets)\n",
	       (double)bytes / names - avg_octets, avg_octets);
	printf("snapshot save / load     %.3f s / %.3f s\n", t_save, t_load);
	printf("lookup, exact hit        %.1f ns (%u of %zu blocked)\n", ns_exact, b_exact, exact.n);
	printf("lookup, subdomain hit    %.1f ns (%u of %zu blocked)\n", ns_sub, b_sub, sub.n);
	printf("lookup, miss             %.1f ns (%u of %zu blocked)\n", ns_miss, b_miss, miss.n);
	printf("  (the three above: uniformly random names over the whole table, the worst case)\n");
	printf("lookup, realistic mix    %.1f ns (Zipf popularity, 2%% listed; %u of %zu blocked)\n",
	       ns_mix, b_mix, mix.n);
	dnsrep_snapshot_free(s);
	free(feed);
	free(exact.wire); free(sub.wire); free(miss.wire);
	free(exact.off); free(sub.off); free(miss.off);
	free(mix.wire); free(mix.off);
	return 0;
}
