/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_refresher.c — unit tests of the refresher in file mode (no redis: line):
 * the first blocklist built and saved to the snapshot file; the snapshot file
 * installed first on the next start (and kept when a feed is missing); a feed
 * file that changes picked up within a few poll intervals, with old and new
 * snapshot handed to on_swap; a feed turned to garbage, emptied or removed keeps
 * its last good version and says so (once); stop returns promptly.  Poll
 * interval 1 s: the whole file runs in about ten seconds.
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
#include <sys/stat.h>
#include <unistd.h>

#include "dnsrep/config.h"
#include "dnsrep/current.h"
#include "dnsrep/name.h"
#include "dnsrep/refresher.h"
#include "dnsrep/snapshot.h"
#include "testutil.h"

/* ---- files in a directory of the test's own --------------------------------------------- */

static int setup(void **state)
{
	(void)state;
	return testutil_tmpdir_make("refresher");
}

static int teardown(void **state)
{
	(void)state;
	return testutil_tmpdir_remove();
}

/** Replace a file with text (len bytes) as a feeder does: a new file renamed over it. */
static void put_file(const char *file, const char *text, size_t len)
{
	char path[512], tmp[600];
	testutil_path(path, sizeof(path), file);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	FILE *f = fopen(tmp, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(rename(tmp, path), 0);
}

static void put_text(const char *file, const char *text)
{
	put_file(file, text, strlen(text));
}

static void remove_file(const char *file)
{
	char path[512];
	testutil_path(path, sizeof(path), file);
	assert_int_equal(unlink(path), 0);
}

/** The config: two plain feeds, alpha.txt and beta.txt, polled every second. */
static struct dnsrep_config *config(void)
{
	char text[2048], err[DNSREP_ERRLEN], path[512];
	snprintf(text, sizeof(text),
		 "dnsrep:\n"
		 "  poll-interval: 1s\n"
		 "  snapshot-file: %s/dnsrep.snapshot\n"
		 "  log-file: %s/blocks.jsonl\n"
		 "feed:\n"
		 "  name: alpha\n"
		 "  source: file://%s/alpha.txt\n"
		 "  format: plain\n"
		 "feed:\n"
		 "  name: beta\n"
		 "  source: file://%s/beta.txt\n"
		 "  format: plain\n", testutil_tmpdir, testutil_tmpdir, testutil_tmpdir,
		 testutil_tmpdir);
	testutil_path(path, sizeof(path), "dnsrep.conf");
	put_text("dnsrep.conf", text);
	struct dnsrep_config *cfg = NULL;
	if (dnsrep_config_load(path, &cfg, err, sizeof(err)) < 0)
		fail_msg("config: %s", err);
	assert_null(cfg->redis);
	return cfg;
}

static const char alpha3[] = "one.alpha.example\ntwo.alpha.example\nthree.alpha.example\n";
static const char alpha4[] = "one.alpha.example\ntwo.alpha.example\nthree.alpha.example\n"
			     "four.alpha.example\n";
static const char beta2[] = "one.beta.example\ntwo.beta.example\n";

/* ---- what the refresher says ---------------------------------------------------------- */

enum { MAX_SWAPS = 32, MAX_MSGS = 256 };

/** The callbacks' record (they run on the starting thread and on the refresher's). */
struct heard {
	pthread_mutex_t mu;
	int swaps;
	long old_names[MAX_SWAPS];  /**< -1: old was NULL */
	long now_names[MAX_SWAPS];
	int msgs;
	enum dnsrep_log_level level[MAX_MSGS];
	char msg[MAX_MSGS][512];
};

static void on_swap(void *ctx, const struct dnsrep_snapshot *old, const struct dnsrep_snapshot *now)
{
	struct heard *h = ctx;
	pthread_mutex_lock(&h->mu);
	if (h->swaps < MAX_SWAPS) {
		h->old_names[h->swaps] = old ? (long)dnsrep_snapshot_names(old) : -1;
		h->now_names[h->swaps] = (long)dnsrep_snapshot_names(now);
	}
	h->swaps++;
	pthread_mutex_unlock(&h->mu);
}

static void on_msg(void *ctx, enum dnsrep_log_level level, const char *msg)
{
	struct heard *h = ctx;
	pthread_mutex_lock(&h->mu);
	if (h->msgs < MAX_MSGS) {
		h->level[h->msgs] = level;
		snprintf(h->msg[h->msgs], sizeof(h->msg[h->msgs]), "%s", msg);
	}
	h->msgs++;
	pthread_mutex_unlock(&h->mu);
}

/** A count of the record's, read under its lock. */
static int count_of(struct heard *h, const int *count)
{
	pthread_mutex_lock(&h->mu);
	int n = *count;
	pthread_mutex_unlock(&h->mu);
	return n;
}

static int swaps_of(struct heard *h)
{
	return count_of(h, &h->swaps);
}

static int msgs_of(struct heard *h)
{
	return count_of(h, &h->msgs);
}

/** Wait (at most 5 s: five poll intervals) until there have been n swaps. */
static void wait_swaps(struct heard *h, int n)
{
	for (int i = 0; i < 500 && swaps_of(h) < n; i++)
		testutil_sleep_ms(10);
	if (swaps_of(h) < n)
		fail_msg("%d swaps after 5 s, waited for %d", swaps_of(h), n);
}

/** The index of the first message from `from` on with every given part in it, or -1. */
static int find_msg(struct heard *h, int from, enum dnsrep_log_level level, const char *part1,
	const char *part2)
{
	int found = -1;
	pthread_mutex_lock(&h->mu);
	for (int i = from; i < h->msgs && i < MAX_MSGS && found < 0; i++)
		if (h->level[i] == level && strstr(h->msg[i], part1) &&
		    (!part2 || strstr(h->msg[i], part2)))
			found = i;
	pthread_mutex_unlock(&h->mu);
	return found;
}

static int expect_msg(struct heard *h, int from, enum dnsrep_log_level level, const char *part1,
	const char *part2)
{
	int i = find_msg(h, from, level, part1, part2);
	if (i < 0) {
		pthread_mutex_lock(&h->mu);
		for (int k = 0; k < h->msgs && k < MAX_MSGS; k++)
			print_message("#   [%d] %s\n", (int)h->level[k], h->msg[k]);
		pthread_mutex_unlock(&h->mu);
		fail_msg("no message (level %d) with '%s'%s%s", (int)level, part1,
			 part2 ? " and " : "", part2 ? part2 : "");
	}
	return i;
}

/** Wait (at most 5 s) for a message from `from` on with the given parts; its index. */
static int wait_msg(struct heard *h, int from, enum dnsrep_log_level level, const char *part1,
	const char *part2)
{
	for (int i = 0; i < 500 && find_msg(h, from, level, part1, part2) < 0; i++)
		testutil_sleep_ms(10);
	return expect_msg(h, from, level, part1, part2);
}

/** Whether the current snapshot blocks a name. */
static int blocks(struct dnsrep_current *c, const char *text)
{
	char err[DNSREP_ERRLEN];
	struct dnsrep_name n;
	struct dnsrep_match m;
	if (dnsrep_name_from_text(&n, text, strlen(text), err, sizeof(err)) < 0)
		fail_msg("%s: %s", text, err);
	const struct dnsrep_snapshot *s = dnsrep_current_enter(c);
	int blocked = s && dnsrep_snapshot_match(s, n.wire, n.len, &m) == 0 &&
		      m.verdict == DNSREP_VERDICT_BLOCK;
	dnsrep_current_leave(c);
	return blocked;
}

/** One refresher under test, with its config, holder and what it said. */
struct rig {
	struct dnsrep_config *cfg;
	struct dnsrep_current *current;
	struct heard heard;
	struct dnsrep_refresher *r;
};

static void rig_start(struct rig *g)
{
	char err[DNSREP_ERRLEN] = "";
	memset(g, 0, sizeof(*g));
	assert_int_equal(pthread_mutex_init(&g->heard.mu, NULL), 0);
	g->cfg = config();
	g->current = dnsrep_current_new();
	assert_non_null(g->current);
	struct dnsrep_refresher_opts o;
	memset(&o, 0, sizeof(o));
	o.cfg = g->cfg;
	o.current = g->current;
	o.on_swap = on_swap;
	o.on_msg = on_msg;
	o.ctx = &g->heard;
	g->r = dnsrep_refresher_start(&o, err, sizeof(err));
	if (!g->r)
		fail_msg("start: %s", err);
}

/** No snapshot file: a first start. */
static void no_snapshot_file(void)
{
	char path[512];
	testutil_path(path, sizeof(path), "dnsrep.snapshot");
	assert_true(unlink(path) == 0 || access(path, F_OK) != 0);
}

/**
 * A first start (no snapshot file) with alpha (3 names) and beta (2): the feeds'
 * blocklist is in place when start returns.
 */
static void rig_start_fresh(struct rig *g)
{
	no_snapshot_file();
	put_text("alpha.txt", alpha3);
	put_text("beta.txt", beta2);
	rig_start(g);
	assert_int_equal(swaps_of(&g->heard), 1);
	assert_int_equal(g->heard.old_names[0], -1);
	assert_int_equal(g->heard.now_names[0], 5);
}

/**
 * Stop, which must take well under the poll interval of a second (the thread waits
 * on a condition, not a sleep).  0.7 s leaves room for a snapshot being saved on a
 * loaded two-core machine.
 */
static void rig_stop(struct rig *g)
{
	double t0 = testutil_now_s();
	dnsrep_refresher_stop(g->r);
	double took = testutil_now_s() - t0;
	if (took > 0.7)
		fail_msg("stop took %.3f s", took);
	dnsrep_current_free(g->current);
	dnsrep_config_free(g->cfg);
	pthread_mutex_destroy(&g->heard.mu);
}

/** The snapshot file's names, or -1 when it does not load. */
static long saved_names(void)
{
	char path[512], err[DNSREP_ERRLEN];
	testutil_path(path, sizeof(path), "dnsrep.snapshot");
	struct dnsrep_snapshot *s = dnsrep_snapshot_load(path, err, sizeof(err));
	if (!s)
		return -1;
	long n = (long)dnsrep_snapshot_names(s);
	dnsrep_snapshot_free(s);
	return n;
}

/** Wait (at most 5 s) until the snapshot file holds n names: it is written after the swap. */
static void wait_saved(long n)
{
	for (int i = 0; i < 500 && saved_names() != n; i++)
		testutil_sleep_ms(10);
	if (saved_names() != n)
		fail_msg("the snapshot file holds %ld names, not %ld", saved_names(), n);
}

/** A feed's refreshes and failures as the metrics read them. */
static void feed_stats(struct dnsrep_refresher *r, const char *feed, uint64_t *ok, uint64_t *failed)
{
	struct dnsrep_refresher_stats st;
	struct dnsrep_refresher_feed_stats f[8];
	size_t n = dnsrep_refresher_stats(r, &st, f, 8);
	assert_int_equal(st.n_feeds, n);
	for (size_t i = 0; i < n; i++)
		if (strcmp(f[i].name, feed) == 0) {
			*ok = f[i].refreshes;
			*failed = f[i].failures;
			if (f[i].refreshes)
				assert_true(f[i].last_ok > 0);
			return;
		}
	fail_msg("no feed %s in the refresher's figures", feed);
}

static void expect_feed_stats(struct dnsrep_refresher *r, const char *feed, uint64_t ok,
	uint64_t failed)
{
	uint64_t o, f;
	feed_stats(r, feed, &o, &f);
	if (o != ok || f != failed)
		fail_msg("feed %s: %llu refreshes, %llu failures; expected %llu, %llu", feed,
			 (unsigned long long)o, (unsigned long long)f, (unsigned long long)ok,
			 (unsigned long long)failed);
}

/* ---- the tests ------------------------------------------------------------------------- */

/* The first start: no snapshot file yet; the feeds are built, installed and saved. */
static void test_first_start_builds_and_saves(void **state)
{
	(void)state;
	struct rig g;
	rig_start_fresh(&g); /* in place when start returns: blocking works from the first query */
	assert_int_equal(dnsrep_refresher_swaps(g.r), 1);
	expect_feed_stats(g.r, "alpha", 1, 0);
	expect_feed_stats(g.r, "beta", 1, 0);
	struct dnsrep_refresher_stats st;
	dnsrep_refresher_stats(g.r, &st, NULL, 0);
	assert_int_equal(st.swaps, 1);
	assert_true(st.installed_at > 0 && st.last_swap_seconds >= 0 && st.last_swap_seconds < 5);
	assert_false(st.redis);
	assert_true(blocks(g.current, "www.two.alpha.example"));
	assert_true(blocks(g.current, "one.beta.example"));
	assert_false(blocks(g.current, "alpha.example"));
	expect_msg(&g.heard, 0, DNSREP_INFO, "dnsrep.snapshot", "starting without it");
	expect_msg(&g.heard, 0, DNSREP_INFO, "blocklist in place: 5 names from 2 feeds", NULL);
	assert_int_equal(saved_names(), 5);
	/* nothing changes: no rebuild on the polls that follow */
	testutil_sleep_ms(1500);
	assert_int_equal(swaps_of(&g.heard), 1);
	rig_stop(&g);
}

/*
 * The next start installs the snapshot file first, then what the feeds say now.
 * A feed missing at a start is reported, and the snapshot file stays in place
 * until the feed is back.
 */
static void test_snapshot_file_first_then_missing_feed(void **state)
{
	(void)state;
	struct rig g;
	rig_start_fresh(&g);
	rig_stop(&g);
	assert_int_equal(saved_names(), 5);

	/* a feed changed while it was stopped: the file's 5 names, then the feeds' 6 */
	put_text("alpha.txt", alpha4);
	rig_start(&g);
	assert_int_equal(swaps_of(&g.heard), 2);
	assert_int_equal(g.heard.old_names[0], -1);
	assert_int_equal(g.heard.now_names[0], 5);
	assert_int_equal(g.heard.old_names[1], 5);
	assert_int_equal(g.heard.now_names[1], 6);
	int loaded = expect_msg(&g.heard, 0, DNSREP_INFO, "dnsrep.snapshot: 5 names", NULL);
	int built = expect_msg(&g.heard, 0, DNSREP_INFO, "blocklist in place: 6 names", NULL);
	assert_true(loaded < built);
	assert_int_equal(saved_names(), 6);
	rig_stop(&g);

	remove_file("alpha.txt");
	rig_start(&g);
	/* the snapshot file, and no blocklist built without alpha */
	assert_int_equal(swaps_of(&g.heard), 1);
	assert_int_equal(g.heard.old_names[0], -1);
	assert_int_equal(g.heard.now_names[0], 6);
	loaded = expect_msg(&g.heard, 0, DNSREP_INFO, "dnsrep.snapshot: 6 names", NULL);
	int missing = expect_msg(&g.heard, 0, DNSREP_ERR, "feed alpha", "No such file or directory");
	assert_true(loaded < missing);
	expect_msg(&g.heard, 0, DNSREP_ERR, "feed alpha", "there is none yet");
	expect_msg(&g.heard, 0, DNSREP_WARN, "blocking from the snapshot file", NULL);
	assert_true(blocks(g.current, "four.alpha.example"));
	assert_true(blocks(g.current, "two.beta.example"));
	assert_int_equal(saved_names(), 6);

	/* alpha comes back: built and swapped in, old and new handed over */
	put_text("alpha.txt", alpha3);
	wait_swaps(&g.heard, 2);
	assert_int_equal(g.heard.old_names[1], 6);
	assert_int_equal(g.heard.now_names[1], 5);
	assert_false(blocks(g.current, "four.alpha.example"));
	wait_saved(5);
	rig_stop(&g);
}

/* A feed file removed while it runs: its last good version stays, said once. */
static void test_feed_removed_while_running(void **state)
{
	(void)state;
	struct rig g;
	rig_start_fresh(&g);
	int from = msgs_of(&g.heard);
	remove_file("beta.txt");
	int said = wait_msg(&g.heard, from, DNSREP_ERR, "feed beta", "keeping the last good version");
	assert_null(strstr(g.heard.msg[said], "none yet"));
	assert_true(blocks(g.current, "one.beta.example"));
	uint64_t ok, failed;
	feed_stats(g.r, "beta", &ok, &failed);
	assert_int_equal(ok, 1);
	assert_true(failed >= 1); /* each poll that finds it missing */
	/* two more polls: not said again, nothing rebuilt (nothing new to take) */
	testutil_sleep_ms(2200);
	assert_int_equal(find_msg(&g.heard, said + 1, DNSREP_ERR, "feed beta", NULL), -1);
	assert_int_equal(swaps_of(&g.heard), 1);
	/* back, changed: taken */
	put_text("beta.txt", "only.beta.example\n");
	wait_swaps(&g.heard, 2);
	assert_int_equal(g.heard.now_names[1], 4);
	assert_false(blocks(g.current, "one.beta.example"));
	wait_saved(4); /* the save after the swap is done: stop is measured alone */
	rig_stop(&g);
}

/*
 * Changes while it runs: a changed feed is taken; a feed turned to garbage, and
 * one suddenly empty, keep their last good version, and a message says so.
 */
static void test_changes_garbage_and_empty(void **state)
{
	(void)state;
	struct rig g;
	rig_start_fresh(&g);

	double t0 = testutil_now_s();
	put_text("alpha.txt", alpha4);
	wait_swaps(&g.heard, 2);
	print_message("# a changed feed took %.2f s to be in place (poll interval 1 s)\n",
		      testutil_now_s() - t0);
	assert_int_equal(g.heard.old_names[1], 5);
	assert_int_equal(g.heard.now_names[1], 6);
	assert_true(blocks(g.current, "four.alpha.example"));
	expect_msg(&g.heard, 0, DNSREP_INFO, "feed alpha: 4 entries", NULL);
	expect_feed_stats(g.r, "alpha", 2, 0);
	expect_feed_stats(g.r, "beta", 1, 0);

	/* garbage: most lines no name at all */
	int from = msgs_of(&g.heard);
	put_text("alpha.txt", "<html>\n<body>not a \x01 feed</body>\n\xff\xfe\n!!! ???\n"
			      "one.alpha.example\n");
	wait_msg(&g.heard, from, DNSREP_ERR, "alpha", "keeping the last good version");
	assert_int_equal(swaps_of(&g.heard), 2); /* nothing new went in: no swap */
	expect_feed_stats(g.r, "alpha", 2, 1);
	assert_true(blocks(g.current, "four.alpha.example"));
	assert_true(blocks(g.current, "one.beta.example"));

	/* emptied: a truncated file far more likely than a feed with nothing in it */
	from = msgs_of(&g.heard);
	put_file("alpha.txt", "", 0);
	wait_msg(&g.heard, from, DNSREP_ERR, "feed alpha", "is empty now; keeping the last good "
		 "version (4 entries)");
	assert_int_equal(swaps_of(&g.heard), 2);
	expect_feed_stats(g.r, "alpha", 2, 2);
	assert_true(blocks(g.current, "three.alpha.example"));

	/* cut mid-line (a write in progress): held back one poll, not swapped */
	from = msgs_of(&g.heard);
	put_file("alpha.txt", "one.alpha.example\ntwo.alpha.exa", 31);
	wait_msg(&g.heard, from, DNSREP_WARN, "feed alpha", "looks unfinished (its last line has "
		 "no newline)");
	assert_int_equal(swaps_of(&g.heard), 2);
	assert_true(blocks(g.current, "four.alpha.example"));

	/* a good version again: taken */
	put_text("alpha.txt", "only.alpha.example\n");
	wait_swaps(&g.heard, 3);
	expect_feed_stats(g.r, "alpha", 3, 2); /* held back is not a failure */
	expect_feed_stats(g.r, "beta", 1, 0);
	assert_int_equal(g.heard.now_names[2], 3);
	assert_false(blocks(g.current, "four.alpha.example"));
	assert_true(blocks(g.current, "only.alpha.example"));
	/* the cut version was never taken */
	assert_int_equal(find_msg(&g.heard, from, DNSREP_INFO, "taken as it is", NULL), -1);
	wait_saved(3);
	assert_int_equal(dnsrep_refresher_swaps(g.r), 3);
	rig_stop(&g);
}

/* A file held back as unfinished that then turns empty (or bad) is reported once,
 * not read again every poll. */
static void test_held_back_then_empty(void **state)
{
	(void)state;
	struct rig g;
	rig_start_fresh(&g);
	int from = msgs_of(&g.heard);
	put_file("alpha.txt", "one.alpha.example\ntwo.alpha.exa", 31);
	wait_msg(&g.heard, from, DNSREP_WARN, "feed alpha", "looks unfinished");
	from = msgs_of(&g.heard);
	put_file("alpha.txt", "", 0);
	int said = wait_msg(&g.heard, from, DNSREP_ERR, "feed alpha", "is empty now");
	testutil_sleep_ms(2200); /* two more polls */
	assert_int_equal(find_msg(&g.heard, said + 1, DNSREP_ERR, "feed alpha", NULL), -1);
	assert_int_equal(swaps_of(&g.heard), 1);
	assert_true(blocks(g.current, "three.alpha.example"));
	rig_stop(&g);
}

/* Stop in the middle of a poll wait: it does not wait for the interval to end. */
static void test_stop_mid_wait(void **state)
{
	(void)state;
	struct rig g;
	rig_start_fresh(&g);
	testutil_sleep_ms(400);
	rig_stop(&g);
	rig_start(&g);
	rig_stop(&g); /* at once */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_start_builds_and_saves),
		cmocka_unit_test(test_snapshot_file_first_then_missing_feed),
		cmocka_unit_test(test_changes_garbage_and_empty),
		cmocka_unit_test(test_feed_removed_while_running),
		cmocka_unit_test(test_held_back_then_empty),
		cmocka_unit_test(test_stop_mid_wait),
	};
	return cmocka_run_group_tests_name("refresher", tests, setup, teardown);
}
