/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_snapshot.c — unit tests of snapshots: building (feeds, rollback, duplicate
 * merging), matching (exact, subdomain, below-only, allow over block, case), the
 * memory budget, and the snapshot file (round trip, corruption, truncation,
 * wrong version).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dnsrep/name.h"
#include "dnsrep/snapshot.h"

static char tmpdir[256];

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "%s/dnsrep-test-snapshot-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void name(struct dnsrep_name *n, const char *text)
{
	char err[DNSREP_ERRLEN];
	if (dnsrep_name_from_text(n, text, strlen(text), err, sizeof(err)) < 0)
		fail_msg("bad test name %s: %s", text, err);
}

/** Add one entry to the builder's current feed. */
static void add(struct dnsrep_snapshot_builder *b, const char *text, unsigned scope, int allow)
{
	struct dnsrep_entry e;
	memset(&e, 0, sizeof(e));
	name(&e.name, text);
	e.scope = scope;
	e.allow = allow;
	assert_int_equal(dnsrep_snapshot_builder_add(b, &e), 0);
}

static void begin(struct dnsrep_snapshot_builder *b, const char *feed, const char *category)
{
	struct dnsrep_feed_meta m = { .feed = feed, .category = category,
				      .reason = "test reason", .action = DNSREP_ACTION_INHERIT };
	assert_int_equal(dnsrep_snapshot_builder_feed_begin(b, &m), 0);
}

static struct dnsrep_snapshot *finish(struct dnsrep_snapshot_builder *b)
{
	char err[DNSREP_ERRLEN];
	struct dnsrep_snapshot *s = dnsrep_snapshot_builder_finish(b, 42, err, sizeof(err));
	if (!s)
		fail_msg("finish: %s", err);
	return s;
}

/** Match a text name; return the verdict and fill the match. */
static enum dnsrep_verdict match(const struct dnsrep_snapshot *s, const char *text,
	struct dnsrep_match *m)
{
	struct dnsrep_name n;
	name(&n, text);
	assert_int_equal(dnsrep_snapshot_match(s, n.wire, n.len, m), 0);
	return m->verdict;
}

/** Assert the verdict, the kind, and the deciding rule's presentation form. */
static void expect(const struct dnsrep_snapshot *s, const char *qname, enum dnsrep_verdict v,
	enum dnsrep_match_kind kind, const char *rule)
{
	struct dnsrep_match m;
	enum dnsrep_verdict got = match(s, qname, &m);
	if (got != v)
		fail_msg("%s: verdict %d, expected %d", qname, (int)got, (int)v);
	assert_int_equal(m.kind, kind);
	if (!rule) {
		assert_null(m.rule);
		return;
	}
	char text[DNSREP_NAME_MAXTEXT];
	assert_non_null(m.rule);
	assert_true(dnsrep_name_to_text(m.rule, text, sizeof(text)) >= 0);
	assert_string_equal(text, rule);
}

static struct dnsrep_snapshot *generated(unsigned n, size_t *name_octets);

/* ---- matching ----------------------------------------------------------------- */

static struct dnsrep_snapshot *sample(void)
{
	struct dnsrep_snapshot_builder *b = dnsrep_snapshot_builder_new();
	assert_non_null(b);
	begin(b, "seized", "seized");
	add(b, "silverstarchina.com", DNSREP_SCOPE_SUBTREE, 0);
	add(b, "exact.example", DNSREP_SCOPE_SELF, 0);
	add(b, "wild.example", DNSREP_SCOPE_BELOW, 0);
	add(b, "corp.example", DNSREP_SCOPE_SUBTREE, 0);
	add(b, "ok.corp.example", DNSREP_SCOPE_SUBTREE, 1);     /* allow below a block */
	add(b, "bad.ok.corp.example", DNSREP_SCOPE_SELF, 0);    /* block below that allow */
	add(b, "both.example", DNSREP_SCOPE_SUBTREE, 0);
	add(b, "both.example", DNSREP_SCOPE_SELF, 1);           /* same name: allow wins */
	dnsrep_snapshot_builder_feed_commit(b);
	return finish(b);
}

static void test_exact_and_subdomain(void **state)
{
	(void)state;
	struct dnsrep_snapshot *s = sample();
	expect(s, "silverstarchina.com", DNSREP_VERDICT_BLOCK, DNSREP_MATCH_EXACT, "silverstarchina.com");
	expect(s, "www.silverstarchina.com", DNSREP_VERDICT_BLOCK, DNSREP_MATCH_SUBDOMAIN, "silverstarchina.com");
	expect(s, "a.b.c.silverstarchina.com.", DNSREP_VERDICT_BLOCK, DNSREP_MATCH_SUBDOMAIN, "silverstarchina.com");
	expect(s, "silverstarchina.com.cn", DNSREP_VERDICT_PASS, DNSREP_MATCH_NONE, NULL);
	expect(s, "xsilverstarchina.com", DNSREP_VERDICT_PASS, DNSREP_MATCH_NONE, NULL);
	expect(s, "com", DNSREP_VERDICT_PASS, DNSREP_MATCH_NONE, NULL);
	expect(s, ".", DNSREP_VERDICT_PASS, DNSREP_MATCH_NONE, NULL);
	/* exact-only and below-only scopes */
	expect(s, "exact.example", DNSREP_VERDICT_BLOCK, DNSREP_MATCH_EXACT, "exact.example");
	expect(s, "www.exact.example", DNSREP_VERDICT_PASS, DNSREP_MATCH_NONE, NULL);
	expect(s, "wild.example", DNSREP_VERDICT_PASS, DNSREP_MATCH_NONE, NULL);
	expect(s, "a.wild.example", DNSREP_VERDICT_BLOCK, DNSREP_MATCH_SUBDOMAIN, "wild.example");
	dnsrep_snapshot_free(s);
}

static void test_case_is_folded(void **state)
{
	(void)state;
	struct dnsrep_snapshot *s = sample();
	/* a query in 0x20 mixed case, as wire bytes (name_from_text would fold it) */
	static const uint8_t q[] = "\3WwW\017SilverStarChina\3CoM";
	struct dnsrep_match m;
	assert_int_equal(dnsrep_snapshot_match(s, q, sizeof(q), &m), 0);
	assert_int_equal(m.verdict, DNSREP_VERDICT_BLOCK);
	assert_int_equal(m.kind, DNSREP_MATCH_SUBDOMAIN);
	dnsrep_snapshot_free(s);
}

static void test_allow_over_block(void **state)
{
	(void)state;
	struct dnsrep_snapshot *s = sample();
	expect(s, "corp.example", DNSREP_VERDICT_BLOCK, DNSREP_MATCH_EXACT, "corp.example");
	expect(s, "x.corp.example", DNSREP_VERDICT_BLOCK, DNSREP_MATCH_SUBDOMAIN, "corp.example");
	/* an allow entry wins over a block entry for a less specific name */
	expect(s, "ok.corp.example", DNSREP_VERDICT_ALLOW, DNSREP_MATCH_EXACT, "ok.corp.example");
	expect(s, "www.ok.corp.example", DNSREP_VERDICT_ALLOW, DNSREP_MATCH_SUBDOMAIN, "ok.corp.example");
	/* a block entry for a more specific name wins over the allow entry */
	expect(s, "bad.ok.corp.example", DNSREP_VERDICT_BLOCK, DNSREP_MATCH_EXACT, "bad.ok.corp.example");
	expect(s, "x.bad.ok.corp.example", DNSREP_VERDICT_ALLOW, DNSREP_MATCH_SUBDOMAIN, "ok.corp.example");
	/* the same name: allow wins; below it, only the block covers */
	expect(s, "both.example", DNSREP_VERDICT_ALLOW, DNSREP_MATCH_EXACT, "both.example");
	expect(s, "www.both.example", DNSREP_VERDICT_BLOCK, DNSREP_MATCH_SUBDOMAIN, "both.example");
	assert_int_equal(dnsrep_snapshot_names(s), 7);
	assert_int_equal(dnsrep_snapshot_blocks(s), 6);
	assert_int_equal(dnsrep_snapshot_allows(s), 2);
	dnsrep_snapshot_free(s);
}

static void test_metadata(void **state)
{
	(void)state;
	struct dnsrep_snapshot_builder *b = dnsrep_snapshot_builder_new();
	assert_non_null(b);
	struct dnsrep_feed_meta fm = { .feed = "doj-2023-10-17", .category = "seized",
				       .reason = "seized 17 Oct 2023", .action = DNSREP_ACTION_REFUSED,
				       .lookalike = 1 };
	assert_int_equal(dnsrep_snapshot_builder_feed_begin(b, &fm), 0);
	struct dnsrep_entry e;
	memset(&e, 0, sizeof(e));
	name(&e.name, "cloudfox.cloud");
	e.scope = DNSREP_SCOPE_SUBTREE;
	e.category = "threat";
	e.reason = "line reason";
	e.date = "2023-10-17";
	e.source = "https://www.justice.gov/opa/pr/x";
	assert_int_equal(dnsrep_snapshot_builder_add(b, &e), 0);
	add(b, "jinyang.asia", DNSREP_SCOPE_SUBTREE, 0);
	dnsrep_snapshot_builder_feed_commit(b);
	struct dnsrep_snapshot *s = finish(b);
	struct dnsrep_match m;
	assert_int_equal(match(s, "www.cloudfox.cloud", &m), DNSREP_VERDICT_BLOCK);
	assert_string_equal(m.meta.feed, "doj-2023-10-17");
	assert_string_equal(m.meta.category, "threat");
	assert_string_equal(m.meta.reason, "line reason");
	assert_string_equal(m.meta.date, "2023-10-17");
	assert_string_equal(m.meta.source, "https://www.justice.gov/opa/pr/x");
	assert_int_equal(m.meta.action, DNSREP_ACTION_REFUSED);
	assert_int_equal(m.meta.lookalike, 1);
	assert_int_equal(match(s, "jinyang.asia", &m), DNSREP_VERDICT_BLOCK);
	assert_string_equal(m.meta.category, "seized");
	assert_string_equal(m.meta.reason, "seized 17 Oct 2023");
	assert_string_equal(m.meta.date, "");
	assert_string_equal(m.meta.source, "");
	assert_int_equal(dnsrep_snapshot_version(s), 42);
	dnsrep_snapshot_free(s);
}

static void test_duplicates_merge_first_feed_wins(void **state)
{
	(void)state;
	struct dnsrep_snapshot_builder *b = dnsrep_snapshot_builder_new();
	assert_non_null(b);
	begin(b, "first", "seized");
	add(b, "dup.example", DNSREP_SCOPE_SELF, 0);
	add(b, "dup.example", DNSREP_SCOPE_SELF, 0);
	dnsrep_snapshot_builder_feed_commit(b);
	begin(b, "second", "threat");
	add(b, "dup.example", DNSREP_SCOPE_BELOW, 0);
	dnsrep_snapshot_builder_feed_commit(b);
	struct dnsrep_snapshot *s = finish(b);
	assert_int_equal(dnsrep_snapshot_names(s), 1);
	struct dnsrep_match m;
	assert_int_equal(match(s, "dup.example", &m), DNSREP_VERDICT_BLOCK);
	assert_string_equal(m.meta.feed, "first");
	/* the scopes are joined: the second feed's "below" counts too, and names below
	 * are attributed to the feed that lists them */
	assert_int_equal(match(s, "a.dup.example", &m), DNSREP_VERDICT_BLOCK);
	assert_string_equal(m.meta.feed, "second");
	dnsrep_snapshot_free(s);
}

/** Begin a feed with an action of its own. */
static void begin_action(struct dnsrep_snapshot_builder *b, const char *feed, enum dnsrep_action a)
{
	struct dnsrep_feed_meta m = { .feed = feed, .category = feed, .action = a };
	assert_int_equal(dnsrep_snapshot_builder_feed_begin(b, &m), 0);
}

static void test_merge_keeps_each_feeds_scope(void **state)
{
	(void)state;
	/* a monitoring feed lists the names below, a blocking feed the name itself */
	struct dnsrep_snapshot_builder *b = dnsrep_snapshot_builder_new();
	assert_non_null(b);
	begin_action(b, "monitor", DNSREP_ACTION_LOG_ONLY);
	add(b, "example.com", DNSREP_SCOPE_BELOW, 0);
	add(b, "both.example", DNSREP_SCOPE_SUBTREE, 0);
	dnsrep_snapshot_builder_feed_commit(b);
	begin_action(b, "seized", DNSREP_ACTION_NXDOMAIN);
	add(b, "example.com", DNSREP_SCOPE_SELF, 0);
	add(b, "both.example", DNSREP_SCOPE_SUBTREE, 0);
	dnsrep_snapshot_builder_feed_commit(b);
	struct dnsrep_snapshot *s = finish(b);
	struct dnsrep_match m;
	assert_int_equal(match(s, "example.com", &m), DNSREP_VERDICT_BLOCK);
	assert_string_equal(m.meta.feed, "seized");
	assert_int_equal(match(s, "www.example.com", &m), DNSREP_VERDICT_BLOCK);
	assert_string_equal(m.meta.feed, "monitor");
	assert_int_equal(m.meta.action, DNSREP_ACTION_LOG_ONLY);
	/* both cover the same scope: the blocking feed wins over the monitoring one */
	assert_int_equal(match(s, "both.example", &m), DNSREP_VERDICT_BLOCK);
	assert_string_equal(m.meta.feed, "seized");
	assert_int_equal(match(s, "www.both.example", &m), DNSREP_VERDICT_BLOCK);
	assert_string_equal(m.meta.feed, "seized");
	dnsrep_snapshot_free(s);
}

static void test_duplicates_do_not_grow_the_table(void **state)
{
	(void)state;
	size_t octets;
	struct dnsrep_snapshot *once = generated(20000, &octets);
	struct dnsrep_snapshot_builder *b = dnsrep_snapshot_builder_new();
	assert_non_null(b);
	for (int copy = 0; copy < 4; copy++) {
		char feed[16];
		snprintf(feed, sizeof(feed), "copy%d", copy);
		begin(b, feed, "threat");
		for (unsigned i = 0; i < 20000; i++) {
			char text[64];
			snprintf(text, sizeof(text), "host%u.zone%u.gen-example.com", i, i % 97);
			add(b, text, DNSREP_SCOPE_SUBTREE, 0);
		}
		dnsrep_snapshot_builder_feed_commit(b);
	}
	struct dnsrep_snapshot *four = finish(b);
	assert_int_equal(dnsrep_snapshot_names(four), 20000);
	/* the same names: the same table, only the extra feeds' metadata added */
	assert_true(dnsrep_snapshot_bytes(four) < dnsrep_snapshot_bytes(once) + 1024);
	dnsrep_snapshot_free(once);
	dnsrep_snapshot_free(four);
}

static void test_rollback_leaves_no_trace(void **state)
{
	(void)state;
	struct dnsrep_snapshot_builder *b = dnsrep_snapshot_builder_new();
	assert_non_null(b);
	begin(b, "good", "seized");
	add(b, "kept.example", DNSREP_SCOPE_SUBTREE, 0);
	dnsrep_snapshot_builder_feed_commit(b);
	begin(b, "broken", "seized");
	add(b, "dropped.example", DNSREP_SCOPE_SUBTREE, 0);
	add(b, "kept.example", DNSREP_SCOPE_SUBTREE, 1);
	dnsrep_snapshot_builder_feed_rollback(b);
	/* a feed begun and never committed is dropped at finish as well */
	begin(b, "unfinished", "seized");
	add(b, "unfinished.example", DNSREP_SCOPE_SUBTREE, 0);
	struct dnsrep_snapshot *s = finish(b);
	struct dnsrep_match m;
	assert_int_equal(match(s, "kept.example", &m), DNSREP_VERDICT_BLOCK);
	assert_string_equal(m.meta.feed, "good");
	assert_int_equal(match(s, "dropped.example", &m), DNSREP_VERDICT_PASS);
	assert_int_equal(match(s, "unfinished.example", &m), DNSREP_VERDICT_PASS);
	assert_int_equal(dnsrep_snapshot_names(s), 1);
	dnsrep_snapshot_free(s);
}

static void test_empty_and_malformed(void **state)
{
	(void)state;
	struct dnsrep_snapshot_builder *b = dnsrep_snapshot_builder_new();
	assert_non_null(b);
	struct dnsrep_snapshot *s = finish(b);
	struct dnsrep_match m;
	assert_int_equal(match(s, "anything.example", &m), DNSREP_VERDICT_PASS);
	assert_int_equal(dnsrep_snapshot_names(s), 0);
	/* a label running past the end, a compression pointer, no root label */
	static const uint8_t past[] = { 5, 'a', 'b', 0 };
	static const uint8_t ptr[] = { 0xc0, 12 };
	static const uint8_t noroot[] = { 1, 'a' };
	assert_int_equal(dnsrep_snapshot_match(s, past, sizeof(past), &m), -1);
	assert_int_equal(m.verdict, DNSREP_VERDICT_PASS);
	assert_int_equal(dnsrep_snapshot_match(s, ptr, sizeof(ptr), &m), -1);
	assert_int_equal(dnsrep_snapshot_match(s, noroot, sizeof(noroot), &m), -1);
	dnsrep_snapshot_free(s);
}

/** Build n generated names (feed "gen"); names are "nNNN.gen-example.com" with a few labels. */
static struct dnsrep_snapshot *generated(unsigned n, size_t *name_octets)
{
	struct dnsrep_snapshot_builder *b = dnsrep_snapshot_builder_new();
	assert_non_null(b);
	begin(b, "gen", "threat");
	*name_octets = 0;
	for (unsigned i = 0; i < n; i++) {
		char text[64];
		snprintf(text, sizeof(text), "host%u.zone%u.gen-example.com", i, i % 97);
		struct dnsrep_entry e;
		memset(&e, 0, sizeof(e));
		name(&e.name, text);
		e.scope = DNSREP_SCOPE_SUBTREE;
		*name_octets += e.name.len;
		assert_int_equal(dnsrep_snapshot_builder_add(b, &e), 0);
	}
	dnsrep_snapshot_builder_feed_commit(b);
	return finish(b);
}

static void test_many_names_and_memory_budget(void **state)
{
	(void)state;
	const unsigned n = 200000;
	size_t octets;
	struct dnsrep_snapshot *s = generated(n, &octets);
	assert_int_equal(dnsrep_snapshot_names(s), n);
	struct dnsrep_match m;
	for (unsigned i = 0; i < n; i += 997) {
		char text[80];
		snprintf(text, sizeof(text), "www.host%u.zone%u.gen-example.com", i, i % 97);
		assert_int_equal(match(s, text, &m), DNSREP_VERDICT_BLOCK);
		snprintf(text, sizeof(text), "host%u.zone%u.gen-example.com", i, (i + 1) % 97);
		assert_int_equal(match(s, text, &m), DNSREP_VERDICT_PASS);
	}
	/* the budget: at most 40 bytes per name beyond the name's own octets */
	double overhead = ((double)dnsrep_snapshot_bytes(s) - (double)octets) / n;
	print_message("# snapshot of %u names: %zu bytes, %.1f bytes per name beyond its octets\n",
		      n, dnsrep_snapshot_bytes(s), overhead);
	assert_true(overhead <= 40.0);
	dnsrep_snapshot_free(s);
}

/* ---- the snapshot file ------------------------------------------------------------ */

static void path_of(char *buf, size_t len, const char *file)
{
	snprintf(buf, len, "%s/%s", tmpdir, file);
}

static void test_save_load_round_trip(void **state)
{
	(void)state;
	char path[512], err[DNSREP_ERRLEN];
	path_of(path, sizeof(path), "round.snap");
	struct dnsrep_snapshot *s = sample();
	assert_int_equal(dnsrep_snapshot_save(s, path, err, sizeof(err)), 0);
	struct dnsrep_snapshot *l = dnsrep_snapshot_load(path, err, sizeof(err));
	if (!l)
		fail_msg("load: %s", err);
	assert_int_equal(dnsrep_snapshot_names(l), dnsrep_snapshot_names(s));
	assert_int_equal(dnsrep_snapshot_version(l), 42);
	assert_int_equal(dnsrep_snapshot_bytes(l), dnsrep_snapshot_bytes(s));
	expect(l, "www.silverstarchina.com", DNSREP_VERDICT_BLOCK, DNSREP_MATCH_SUBDOMAIN, "silverstarchina.com");
	expect(l, "www.ok.corp.example", DNSREP_VERDICT_ALLOW, DNSREP_MATCH_SUBDOMAIN, "ok.corp.example");
	expect(l, "wild.example", DNSREP_VERDICT_PASS, DNSREP_MATCH_NONE, NULL);
	struct dnsrep_match m;
	assert_int_equal(match(l, "silverstarchina.com", &m), DNSREP_VERDICT_BLOCK);
	assert_string_equal(m.meta.feed, "seized");
	assert_string_equal(m.meta.reason, "test reason");
	/* saving again replaces the file atomically, leaving no temporary behind */
	assert_int_equal(dnsrep_snapshot_save(l, path, err, sizeof(err)), 0);
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "test $(ls '%s' | grep -c tmp) -eq 0", tmpdir);
	assert_int_equal(system(cmd), 0);
	dnsrep_snapshot_free(l);
	dnsrep_snapshot_free(s);
}

/** A feed's lookalike tuning is kept through save and load, and used by the index. */
static void test_tuning_round_trip(void **state)
{
	(void)state;
	char path[512], err[DNSREP_ERRLEN];
	path_of(path, sizeof(path), "tuned.snap");
	struct dnsrep_snapshot_builder *b = dnsrep_snapshot_builder_new();
	assert_non_null(b);
	struct dnsrep_feed_meta fm = { .feed = "seized", .category = "seized", .lookalike = 1 };
	assert_int_equal(dnsrep_lookalike_tuning_parse(&fm.lookalike_tuning, "tld-swap:9 homoglyph", err,
						       sizeof(err)), 0);
	assert_int_equal(dnsrep_snapshot_builder_feed_begin(b, &fm), 0);
	add(b, "cloudfox.cloud", DNSREP_SCOPE_SUBTREE, 0);
	add(b, "jinyang.asia", DNSREP_SCOPE_SUBTREE, 0);
	dnsrep_snapshot_builder_feed_commit(b);
	struct dnsrep_snapshot *s = dnsrep_snapshot_builder_finish(b, 3, err, sizeof(err));
	assert_non_null(s);
	assert_int_equal(dnsrep_snapshot_save(s, path, err, sizeof(err)), 0);
	dnsrep_snapshot_free(s);
	struct dnsrep_snapshot *l = dnsrep_snapshot_load(path, err, sizeof(err));
	if (!l)
		fail_msg("load: %s", err);
	assert_int_equal(dnsrep_snapshot_protect(l, NULL, err, sizeof(err)), 0);
	struct dnsrep_match m;
	struct dnsrep_lookalike_hit hit;
	struct dnsrep_name q;
	const char *cases[][2] = {
		{ "cl0udfox.cloud", "homoglyph" }, /* on */
		{ "jinyang.services", NULL },      /* tld-swap: 7 octets, under 9 */
		{ "cloudfox.net", NULL },          /* tld-swap: 8 octets, under 9 */
		{ "mycloudfox.com", NULL },        /* affix: off */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(dnsrep_name_from_text(&q, cases[i][0], strlen(cases[i][0]), err, sizeof(err)), 0);
		int r = dnsrep_snapshot_lookalike(l, q.wire, q.len, &m, &hit);
		if (r != (cases[i][1] != NULL))
			fail_msg("%s: lookalike %d", cases[i][0], r);
		if (r) {
			assert_string_equal(dnsrep_lookalike_technique_name(hit.technique), cases[i][1]);
			assert_int_equal(m.meta.lookalike_tuning.min_len[0], 9);
			assert_int_equal(m.meta.lookalike_tuning.off, fm.lookalike_tuning.off);
		}
	}
	dnsrep_snapshot_free(l);
}

/*
 * A snapshot file in format 2 (before the tunings; tests/data/snapshot-format2.bin,
 * written by dnsrep of 2026-11-30: feed "seized" with lookalike protection and
 * lookalike-action nxdomain, cloudfox.cloud, foxysunstudio.com, babyboxtech.com;
 * feed "plain", example-threat.net) still loads, every technique on.
 */
static void test_loads_format_2(void **state)
{
	(void)state;
	char err[DNSREP_ERRLEN];
	struct dnsrep_snapshot *l = dnsrep_snapshot_load(TEST_DATA_DIR "/snapshot-format2.bin", err, sizeof(err));
	if (!l)
		fail_msg("load: %s", err);
	assert_int_equal(dnsrep_snapshot_version(l), 7);
	assert_int_equal(dnsrep_snapshot_names(l), 4);
	struct dnsrep_match m;
	assert_int_equal(match(l, "www.example-threat.net", &m), DNSREP_VERDICT_BLOCK);
	assert_string_equal(m.meta.feed, "plain");
	assert_false(m.meta.lookalike);
	assert_int_equal(match(l, "foxysunstudio.com", &m), DNSREP_VERDICT_BLOCK);
	assert_string_equal(m.meta.feed, "seized");
	assert_string_equal(m.meta.reason, "v2 fixture");
	assert_true(m.meta.lookalike);
	assert_int_equal(m.meta.lookalike_action, DNSREP_ACTION_NXDOMAIN);
	assert_int_equal(dnsrep_snapshot_protect(l, NULL, err, sizeof(err)), 0);
	assert_int_equal(dnsrep_snapshot_protected(l), 3);
	const char *q[] = { "cloudfox.net", "cl0udfox.cloud", "foxysunstudios.com", "mycloudfox.com",
			    "cloudfox.cloud.secure-login.com", "babybox.tech" };
	for (size_t i = 0; i < sizeof(q) / sizeof(q[0]); i++) {
		struct dnsrep_name n;
		struct dnsrep_lookalike_hit hit;
		assert_int_equal(dnsrep_name_from_text(&n, q[i], strlen(q[i]), err, sizeof(err)), 0);
		if (dnsrep_snapshot_lookalike(l, n.wire, n.len, &m, &hit) != 1)
			fail_msg("%s: no lookalike in the format 2 snapshot", q[i]);
	}
	/* saved again, it is written as it was read (format 2) and reads back the same */
	char path[512];
	path_of(path, sizeof(path), "again2.snap");
	assert_int_equal(dnsrep_snapshot_save(l, path, err, sizeof(err)), 0);
	dnsrep_snapshot_free(l);
	l = dnsrep_snapshot_load(path, err, sizeof(err));
	assert_non_null(l);
	assert_int_equal(match(l, "foxysunstudio.com", &m), DNSREP_VERDICT_BLOCK);
	assert_true(m.meta.lookalike);
	dnsrep_snapshot_free(l);
}

/** Save the sample, let damage() change the file's bytes, and expect a load error. */
static void damaged(const char *file, void (*damage)(uint8_t *buf, size_t *len), const char *want)
{
	char path[512], err[DNSREP_ERRLEN] = "";
	path_of(path, sizeof(path), file);
	struct dnsrep_snapshot *s = sample();
	assert_int_equal(dnsrep_snapshot_save(s, path, err, sizeof(err)), 0);
	size_t len = dnsrep_snapshot_bytes(s);
	dnsrep_snapshot_free(s);
	uint8_t *buf = malloc(len);
	assert_non_null(buf);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fread(buf, 1, len, f), len);
	fclose(f);
	damage(buf, &len);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, len, f), len);
	fclose(f);
	free(buf);
	assert_null(dnsrep_snapshot_load(path, err, sizeof(err)));
	if (!strstr(err, want))
		fail_msg("load error '%s' does not contain '%s'", err, want);
}

static void flip_body_byte(uint8_t *buf, size_t *len) { buf[*len - 3] ^= 0x40; }
static void flip_header_byte(uint8_t *buf, size_t *len) { (void)len; buf[20] ^= 1; }
static void truncate_half(uint8_t *buf, size_t *len) { (void)buf; *len /= 2; }
static void truncate_header(uint8_t *buf, size_t *len) { (void)buf; *len = 10; }
static void empty(uint8_t *buf, size_t *len) { (void)buf; *len = 0; }
static void wrong_magic(uint8_t *buf, size_t *len) { (void)len; memcpy(buf, "GARBAGE!", 8); }
static void wrong_format(uint8_t *buf, size_t *len) { (void)len; buf[8] = 99; }

static void test_load_rejects_damage(void **state)
{
	(void)state;
	damaged("body.snap", flip_body_byte, "checksum mismatch (corrupt)");
	damaged("header.snap", flip_header_byte, "header checksum mismatch");
	damaged("half.snap", truncate_half, "truncated or extended");
	damaged("short.snap", truncate_header, "truncated (10 bytes, shorter than its header)");
	damaged("empty.snap", empty, "truncated (0 bytes");
	damaged("magic.snap", wrong_magic, "not a dnsrep snapshot file");
	damaged("format.snap", wrong_format, "format 99, this dnsrep reads formats 2 and 3");
}

static void test_load_missing_or_not_a_file(void **state)
{
	(void)state;
	char path[512], err[DNSREP_ERRLEN];
	path_of(path, sizeof(path), "nothere.snap");
	assert_null(dnsrep_snapshot_load(path, err, sizeof(err)));
	assert_non_null(strstr(err, "cannot open: No such file or directory"));
	assert_null(dnsrep_snapshot_load(tmpdir, err, sizeof(err)));
	assert_non_null(strstr(err, "not a regular file"));
}

static void test_save_failure_keeps_old_file(void **state)
{
	(void)state;
	char path[512], err[DNSREP_ERRLEN];
	struct dnsrep_snapshot *s = sample();
	path_of(path, sizeof(path), "no-such-dir/x.snap");
	assert_int_equal(dnsrep_snapshot_save(s, path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot create a temporary file beside it"));
	dnsrep_snapshot_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact_and_subdomain),
		cmocka_unit_test(test_case_is_folded),
		cmocka_unit_test(test_allow_over_block),
		cmocka_unit_test(test_metadata),
		cmocka_unit_test(test_duplicates_merge_first_feed_wins),
		cmocka_unit_test(test_merge_keeps_each_feeds_scope),
		cmocka_unit_test(test_duplicates_do_not_grow_the_table),
		cmocka_unit_test(test_rollback_leaves_no_trace),
		cmocka_unit_test(test_empty_and_malformed),
		cmocka_unit_test(test_many_names_and_memory_budget),
		cmocka_unit_test(test_save_load_round_trip),
		cmocka_unit_test(test_tuning_round_trip),
		cmocka_unit_test(test_loads_format_2),
		cmocka_unit_test(test_load_rejects_damage),
		cmocka_unit_test(test_load_missing_or_not_a_file),
		cmocka_unit_test(test_save_failure_keeps_old_file),
	};
	return cmocka_run_group_tests_name("snapshot", tests, setup, teardown);
}
