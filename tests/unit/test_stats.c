/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_stats.c — unit tests of the per-thread lookup counters (dnsrep/stats.h) and
 * the Prometheus text writer (dnsrep/prom.h): series by labels, the same text at
 * other addresses and in another snapshot, a full table spilling into "_other",
 * sums over threads, a writer counting while a reader sums (run under
 * ThreadSanitizer as test_stats_tsan), and label values that would break a scrape.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnsrep/config.h" /* enum dnsrep_action */
#include "dnsrep/entry.h"
#include "dnsrep/prom.h"
#include "dnsrep/stats.h"

/** The total of the series with these labels in a sum (0 when absent). */
static uint64_t total_of(const struct dnsrep_stats_total *t, int outcome, int match,
	const char *feed, const char *category)
{
	uint64_t n = 0;
	for (size_t i = 0; i < t->n; i++)
		if (t->series[i].l.outcome == outcome && t->series[i].l.match == match &&
		    strcmp(t->series[i].l.feed, feed) == 0 &&
		    strcmp(t->series[i].l.category, category) == 0)
			n += t->series[i].count;
	return n;
}

static void test_series_by_labels(void **state)
{
	(void)state;
	struct dnsrep_stats *st = dnsrep_stats_new();
	assert_non_null(st);
	char feed_a[] = "seized", cat_a[] = "seized";
	char feed_b[] = "seized", cat_b[] = "seized"; /* the same text, elsewhere */
	for (int i = 0; i < 5; i++)
		dnsrep_stats_count(st, DNSREP_LOG_BLOCKED, DNSREP_ACTION_NXDOMAIN, DNSREP_MATCH_EXACT,
				   0, 7, feed_a, cat_a);
	for (int i = 0; i < 3; i++)
		dnsrep_stats_count(st, DNSREP_LOG_BLOCKED, DNSREP_ACTION_NXDOMAIN, DNSREP_MATCH_EXACT,
				   0, 7, feed_b, cat_b);
	/* a new snapshot, whose text sits where the old one's other text was */
	strcpy(feed_a, "threat");
	dnsrep_stats_count(st, DNSREP_LOG_BLOCKED, DNSREP_ACTION_NXDOMAIN, DNSREP_MATCH_EXACT, 0, 8,
			   feed_a, cat_a);
	dnsrep_stats_count(st, DNSREP_LOG_LOGONLY, DNSREP_ACTION_LOG_ONLY, DNSREP_MATCH_LOOKALIKE,
			   3, 8, feed_b, cat_b);
	for (int i = 0; i < 10; i++)
		dnsrep_stats_judged(st);
	struct dnsrep_stats_total t = { 0 };
	assert_int_equal(dnsrep_stats_sum(&t, st), 0);
	assert_int_equal(t.judged, 10);
	assert_int_equal(t.n, 3);
	assert_int_equal(total_of(&t, DNSREP_LOG_BLOCKED, DNSREP_MATCH_EXACT, "seized", "seized"), 8);
	assert_int_equal(total_of(&t, DNSREP_LOG_BLOCKED, DNSREP_MATCH_EXACT, "threat", "seized"), 1);
	assert_int_equal(total_of(&t, DNSREP_LOG_LOGONLY, DNSREP_MATCH_LOOKALIKE, "seized", "seized"), 1);
	for (size_t i = 0; i < t.n; i++)
		if (t.series[i].l.match == DNSREP_MATCH_LOOKALIKE)
			assert_int_equal(t.series[i].l.technique, 3);
	/* a second thread's table adds to the same series */
	struct dnsrep_stats *st2 = dnsrep_stats_new();
	assert_non_null(st2);
	dnsrep_stats_count(st2, DNSREP_LOG_BLOCKED, DNSREP_ACTION_NXDOMAIN, DNSREP_MATCH_EXACT, 0, 9,
			   "seized", "seized");
	dnsrep_stats_judged(st2);
	assert_int_equal(dnsrep_stats_sum(&t, st2), 0);
	assert_int_equal(t.judged, 11);
	assert_int_equal(t.n, 3);
	assert_int_equal(total_of(&t, DNSREP_LOG_BLOCKED, DNSREP_MATCH_EXACT, "seized", "seized"), 9);
	dnsrep_stats_total_free(&t);
	free(st);
	free(st2);
}

static void test_long_text_is_cut(void **state)
{
	(void)state;
	struct dnsrep_stats *st = dnsrep_stats_new();
	assert_non_null(st);
	char lng[300];
	memset(lng, 'c', sizeof(lng) - 1);
	lng[sizeof(lng) - 1] = 0;
	dnsrep_stats_count(st, DNSREP_LOG_BLOCKED, DNSREP_ACTION_NXDOMAIN, DNSREP_MATCH_EXACT, 0, 1,
			   "f", lng);
	dnsrep_stats_count(st, DNSREP_LOG_BLOCKED, DNSREP_ACTION_NXDOMAIN, DNSREP_MATCH_EXACT, 0, 2,
			   "f", lng);
	struct dnsrep_stats_total t = { 0 };
	assert_int_equal(dnsrep_stats_sum(&t, st), 0);
	assert_int_equal(t.n, 1);
	assert_int_equal(t.series[0].count, 2);
	assert_int_equal(strlen(t.series[0].l.category), DNSREP_LOG_CATEGORY - 1);
	dnsrep_stats_total_free(&t);
	free(st);
}

static void test_full_table_spills_into_other(void **state)
{
	(void)state;
	struct dnsrep_stats *st = dnsrep_stats_new();
	assert_non_null(st);
	/* text stays where it is while its snapshot is in place: one string each */
	static char cats[2 * DNSREP_STATS_SERIES][16];
	size_t n = 2 * DNSREP_STATS_SERIES;
	for (size_t i = 0; i < n; i++) {
		snprintf(cats[i], sizeof(cats[i]), "cat%zu", i);
		dnsrep_stats_count(st, DNSREP_LOG_BLOCKED, DNSREP_ACTION_NXDOMAIN, DNSREP_MATCH_EXACT,
				   0, 1, "feed", cats[i]);
		dnsrep_stats_count(st, DNSREP_LOG_EXEMPT, DNSREP_ACTION_NXDOMAIN, DNSREP_MATCH_EXACT,
				   0, 1, "feed", cats[i]);
	}
	struct dnsrep_stats_total t = { 0 };
	assert_int_equal(dnsrep_stats_sum(&t, st), 0);
	/* nothing lost: every lookup is in some series, each outcome has its "_other" */
	uint64_t all = 0;
	for (size_t i = 0; i < t.n; i++)
		all += t.series[i].count;
	assert_int_equal(all, 2 * n);
	assert_true(total_of(&t, DNSREP_LOG_BLOCKED, 0, "_other", "_other") > 0);
	assert_true(total_of(&t, DNSREP_LOG_EXEMPT, 0, "_other", "_other") > 0);
	assert_true(t.n <= DNSREP_STATS_SERIES);
	assert_true(t.overflow > 0);
	dnsrep_stats_total_free(&t);
	free(st);
}

/* ---- one writer, one reader at once ---------------------------------------------- */

#define ROUNDS 200000

static void *writer(void *arg)
{
	struct dnsrep_stats *st = arg;
	static char cats[40][16];
	for (int i = 0; i < 40; i++)
		snprintf(cats[i], sizeof(cats[i]), "c%d", i);
	for (int i = 0; i < ROUNDS; i++) {
		dnsrep_stats_judged(st);
		dnsrep_stats_count(st, DNSREP_LOG_BLOCKED, DNSREP_ACTION_NXDOMAIN, DNSREP_MATCH_EXACT,
				   0, (uint64_t)(i / 1000) + 1, "f", cats[i % 40]);
	}
	return NULL;
}

static void test_reader_while_writing(void **state)
{
	(void)state;
	struct dnsrep_stats *st = dnsrep_stats_new();
	assert_non_null(st);
	pthread_t w;
	assert_int_equal(pthread_create(&w, NULL, writer, st), 0);
	uint64_t last = 0;
	for (int i = 0; i < 200; i++) {
		struct dnsrep_stats_total t = { 0 };
		assert_int_equal(dnsrep_stats_sum(&t, st), 0);
		uint64_t all = 0;
		for (size_t j = 0; j < t.n; j++) {
			assert_true(t.series[j].l.feed[0] == 'f'); /* labels whole once seen */
			all += t.series[j].count;
		}
		assert_true(t.judged >= last); /* counts only grow */
		assert_true(all <= ROUNDS);
		last = t.judged;
		dnsrep_stats_total_free(&t);
	}
	pthread_join(w, NULL);
	struct dnsrep_stats_total t = { 0 };
	assert_int_equal(dnsrep_stats_sum(&t, st), 0);
	assert_int_equal(t.judged, ROUNDS);
	assert_int_equal(t.n, 40);
	uint64_t all = 0;
	for (size_t j = 0; j < t.n; j++)
		all += t.series[j].count;
	assert_int_equal(all, ROUNDS);
	dnsrep_stats_total_free(&t);
	free(st);
}

/* ---- the text format --------------------------------------------------------------- */

static void test_prom_escapes(void **state)
{
	(void)state;
	struct dnsrep_buf b = { 0 };
	dnsrep_prom_escape(&b, "a\"b\\c\nd");
	assert_string_equal(b.data, "a\\\"b\\\\c\\nd");
	dnsrep_buf_reset(&b);
	/* UTF-8 kept; a lone continuation byte, an overlong form, a surrogate, a cut
	 * sequence: each becomes U+FFFD */
	dnsrep_prom_escape(&b, "\xc3\xa9-\x80-\xc0\xaf-\xed\xa0\x80-\xe2\x82");
	assert_string_equal(b.data, "\xc3\xa9-\xef\xbf\xbd-\xef\xbf\xbd\xef\xbf\xbd-"
				    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd-\xef\xbf\xbd\xef\xbf\xbd");
	dnsrep_buf_reset(&b);
	dnsrep_prom_escape(&b, NULL);
	assert_int_equal(b.len, 0);
	dnsrep_buf_free(&b);
}

static void test_prom_samples(void **state)
{
	(void)state;
	struct dnsrep_buf b = { 0 };
	struct dnsrep_prom_label l[] = { { "feed", "se\"ized" }, { "category", "x" } };
	dnsrep_prom_family(&b, "dnsrep_x_total", "counter", "Things.");
	dnsrep_prom_u64(&b, "dnsrep_x_total", l, 2, 18446744073709551615ULL);
	dnsrep_prom_u64(&b, "dnsrep_y", NULL, 0, 0);
	dnsrep_prom_f64(&b, "dnsrep_z_seconds", l, 1, 0.25);
	assert_false(b.failed);
	assert_string_equal(b.data,
		"# HELP dnsrep_x_total Things.\n# TYPE dnsrep_x_total counter\n"
		"dnsrep_x_total{feed=\"se\\\"ized\",category=\"x\"} 18446744073709551615\n"
		"dnsrep_y 0\n"
		"dnsrep_z_seconds{feed=\"se\\\"ized\"} 0.250000\n");
	dnsrep_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_series_by_labels),
		cmocka_unit_test(test_long_text_is_cut),
		cmocka_unit_test(test_full_table_spills_into_other),
		cmocka_unit_test(test_reader_while_writing),
		cmocka_unit_test(test_prom_escapes),
		cmocka_unit_test(test_prom_samples),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
