/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_config.c — unit tests of the dnsrep.conf parser: every key kind, every error.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dnsrep/config.h"
#include "dnsrep/duration.h"

/* ---- helpers ---------------------------------------------------------------- */

static struct dnsrep_config *parse_ok(const char *text)
{
	struct dnsrep_config *cfg = NULL;
	char err[DNSREP_ERRLEN] = "";
	int rc = dnsrep_config_parse("t.conf", text, strlen(text), &cfg, err, sizeof(err));
	if (rc != 0)
		fail_msg("unexpected error: %s", err);
	assert_non_null(cfg);
	return cfg;
}

/** Parse text that must fail; the message must contain want. */
static void parse_err(const char *text, const char *want)
{
	struct dnsrep_config *cfg = (struct dnsrep_config *)0x1;
	char err[DNSREP_ERRLEN] = "";
	int rc = dnsrep_config_parse("t.conf", text, strlen(text), &cfg, err, sizeof(err));
	if (rc == 0)
		fail_msg("parsed, but expected an error containing '%s' for:\n%s", want, text);
	assert_ptr_equal(cfg, (struct dnsrep_config *)0x1); /* untouched on failure */
	if (!strstr(err, want))
		fail_msg("error '%s' does not contain '%s'", err, want);
}

static char tmpdir[256];

static void write_file(const char *name, const char *text)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static int setup_tmpdir(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "%s/dnsrep-test-config-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_tmpdir(void **state)
{
	(void)state;
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* ---- defaults and each kind of key -------------------------------------------- */

static void test_defaults(void **state)
{
	(void)state;
	struct dnsrep_config *cfg = parse_ok("");
	assert_string_equal(cfg->log_file, "/var/log/unbound/dnsrep-blocks.jsonl");
	assert_string_equal(cfg->snapshot_file, "/var/lib/unbound/dnsrep.snapshot");
	assert_null(cfg->resolver_id);
	assert_int_equal(cfg->action, DNSREP_ACTION_NXDOMAIN);
	assert_int_equal(cfg->ede, 15);
	assert_int_equal(cfg->negative_ttl, 60);
	assert_int_equal(cfg->n_feeds, 0);
	assert_int_equal(cfg->n_exempt_clients, 0);
	assert_int_equal(cfg->log_exempt, 0);
	assert_int_equal(cfg->poll_interval, 30);
	assert_int_equal(cfg->log_queue, 4096);
	static const uint8_t zero[16];
	assert_memory_equal(cfg->sinkhole_a, zero, 4);
	assert_memory_equal(cfg->sinkhole_aaaa, zero, 16);
	dnsrep_config_free(cfg);
}

static void test_strings_bare_and_quoted(void **state)
{
	(void)state;
	struct dnsrep_config *cfg = parse_ok(
		"dnsrep:\n"
		"  resolver-id: \"resolver 1 # not a comment\"\n"
		"  log-file: '/var/log/unbound/blocks.jsonl'   # a comment\n"
		"  snapshot-file: /var/lib/unbound/s.snap\n");
	assert_string_equal(cfg->resolver_id, "resolver 1 # not a comment");
	assert_string_equal(cfg->log_file, "/var/log/unbound/blocks.jsonl");
	assert_string_equal(cfg->snapshot_file, "/var/lib/unbound/s.snap");
	dnsrep_config_free(cfg);
}

static void test_later_value_replaces_earlier(void **state)
{
	(void)state;
	struct dnsrep_config *cfg = parse_ok(
		"dnsrep:\n log-file: /a\n"
		"dnsrep:\n log-file: /b\n");
	assert_string_equal(cfg->log_file, "/b");
	dnsrep_config_free(cfg);
}

static void test_actions(void **state)
{
	(void)state;
	static const struct { const char *word; enum dnsrep_action a; } cases[] = {
		{ "nxdomain", DNSREP_ACTION_NXDOMAIN }, { "nodata", DNSREP_ACTION_NODATA },
		{ "refused", DNSREP_ACTION_REFUSED }, { "sinkhole", DNSREP_ACTION_SINKHOLE },
		{ "log-only", DNSREP_ACTION_LOG_ONLY },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[128];
		snprintf(text, sizeof(text), "dnsrep:\n action: %s\n", cases[i].word);
		struct dnsrep_config *cfg = parse_ok(text);
		assert_int_equal(cfg->action, cases[i].a);
		assert_string_equal(dnsrep_action_name(cfg->action), cases[i].word);
		dnsrep_config_free(cfg);
	}
	parse_err("dnsrep:\n action: drop\n", "t.conf:2: 'action' must be nxdomain, nodata, refused, sinkhole or log-only, not 'drop'");
	parse_err("dnsrep:\n action: inherit\n", "not 'inherit'");
	parse_err("dnsrep:\n action: NXDOMAIN\n", "not 'NXDOMAIN'");
}

static void test_ede(void **state)
{
	(void)state;
	static const struct { const char *word; unsigned code; } cases[] = {
		{ "15", 15 }, { "blocked", 15 }, { "16", 16 }, { "censored", 16 },
		{ "17", 17 }, { "filtered", 17 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[128];
		snprintf(text, sizeof(text), "dnsrep:\n ede: %s\n", cases[i].word);
		struct dnsrep_config *cfg = parse_ok(text);
		assert_int_equal(cfg->ede, cases[i].code);
		dnsrep_config_free(cfg);
	}
	parse_err("dnsrep:\n ede: 18\n", "'ede' must be 15 (blocked), 16 (censored) or 17 (filtered), not '18'");
	parse_err("dnsrep:\n ede: 0x0f\n", "not '0x0f'");
}

static void test_durations(void **state)
{
	(void)state;
	static const struct { const char *word; uint32_t secs; } cases[] = {
		{ "0", 0 }, { "90", 90 }, { "90s", 90 }, { "15m", 900 }, { "1h", 3600 },
		{ "1d", 86400 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[128];
		snprintf(text, sizeof(text), "dnsrep:\n negative-ttl: %s\n", cases[i].word);
		struct dnsrep_config *cfg = parse_ok(text);
		assert_int_equal(cfg->negative_ttl, cases[i].secs);
		dnsrep_config_free(cfg);
	}
	parse_err("dnsrep:\n negative-ttl: 2d\n", "'negative-ttl' must be between 0s and 86400s, not 2d");
	parse_err("dnsrep:\n negative-ttl: -1\n", "must be a duration (90, 90s, 15m, 1h, 1d, 1w), not '-1'");
	parse_err("dnsrep:\n negative-ttl: 10w\n", "must be between 0s and 86400s, not 10w");
	parse_err("dnsrep:\n negative-ttl: 1h30m\n", "not '1h30m'");
	parse_err("dnsrep:\n negative-ttl: +5\n", "not '+5'");
	parse_err("dnsrep:\n negative-ttl: 10mm\n", "not '10mm'");
	parse_err("dnsrep:\n negative-ttl: m\n", "not 'm'");
	parse_err("dnsrep:\n negative-ttl: 99999999999999999999\n", "must be a duration");
	parse_err("dnsrep:\n negative-ttl: 4294967295d\n", "must be a duration");
	parse_err("feed:\n name: a\n source: file:///x\n refresh: 59s\n", "t.conf:4: 'refresh' must be between 60s and 604800s, not 59s");
}

/* The one duration grammar (config, sync --every, report --since): every unit,
 * the bounds, and overflow at each step (digits, then digits times the unit). */
static void test_duration_grammar(void **state)
{
	(void)state;
	uint64_t s = 7;
	assert_int_equal(dnsrep_parse_duration("2w", UINT64_MAX, &s), 0);
	assert_int_equal(s, 1209600);
	assert_int_equal(dnsrep_parse_duration("0", UINT64_MAX, &s), 0);
	assert_int_equal(s, 0);
	assert_int_equal(dnsrep_parse_duration("18446744073709551615", UINT64_MAX, &s), 0);
	assert_true(s == UINT64_MAX);
	s = 7;
	assert_int_equal(dnsrep_parse_duration("18446744073709551616", UINT64_MAX, &s), -1);
	assert_int_equal(dnsrep_parse_duration("30500568904944w", UINT64_MAX, &s), -1);
	assert_int_equal(dnsrep_parse_duration("30500568904943w", UINT64_MAX, &s), 0);
	assert_int_equal(dnsrep_parse_duration("4294967296", UINT32_MAX, &s), -1);
	assert_int_equal(dnsrep_parse_duration("71582789m", UINT32_MAX, &s), -1);
	assert_int_equal(dnsrep_parse_duration("71582788m", UINT32_MAX, &s), 0);
	assert_true(s == 4294967280u);
	assert_int_equal(dnsrep_parse_duration("71582788m", 4294967279u, &s), -1);
	static const char *const bad[] = { "", "s", "-1", " 1", "1 ", "1x", "1ss", "1.5h", "0x10", "1h30m" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(dnsrep_parse_duration(bad[i], UINT64_MAX, &s), -1);
	assert_true(dnsrep_duration_has_unit("15m"));
	assert_false(dnsrep_duration_has_unit("2026-11-30"));
	assert_false(dnsrep_duration_has_unit(""));
}

static void test_category_actions(void **state)
{
	(void)state;
	struct dnsrep_config *cfg = parse_ok(
		"dnsrep:\n action: refused\n"
		" category-action: \"threat log-only\"\n"
		" category-action: 'seized  nxdomain'\n"
		" category-action: \"threat sinkhole\"\n");
	assert_int_equal(cfg->n_category_actions, 3);
	/* a feed's own action first, then the category's (the last line wins), then the global */
	assert_int_equal(dnsrep_config_action(cfg, NULL, DNSREP_ACTION_NODATA, "threat"), DNSREP_ACTION_NODATA);
	assert_int_equal(dnsrep_config_action(cfg, NULL, DNSREP_ACTION_INHERIT, "threat"), DNSREP_ACTION_SINKHOLE);
	assert_int_equal(dnsrep_config_action(cfg, NULL, DNSREP_ACTION_INHERIT, "seized"), DNSREP_ACTION_NXDOMAIN);
	assert_int_equal(dnsrep_config_action(cfg, NULL, DNSREP_ACTION_INHERIT, "other"), DNSREP_ACTION_REFUSED);
	assert_int_equal(dnsrep_config_action(cfg, NULL, DNSREP_ACTION_INHERIT, NULL), DNSREP_ACTION_REFUSED);
	dnsrep_config_free(cfg);

	/* an RPZ record's own NODATA (its feed sets no action) refines a block by NXDOMAIN,
	 * and never overrides a category's or the global action */
	cfg = parse_ok("dnsrep:\n category-action: \"watch log-only\"\n"
		       "feed:\n name: rpz\n source: \"file:///x\"\n"
		       "feed:\n name: fixed\n source: \"file:///y\"\n action: refused\n");
	assert_int_equal(dnsrep_config_action(cfg, "rpz", DNSREP_ACTION_NODATA, "seized"),
			 DNSREP_ACTION_NODATA);
	assert_int_equal(dnsrep_config_action(cfg, "rpz", DNSREP_ACTION_NXDOMAIN, "seized"),
			 DNSREP_ACTION_NXDOMAIN);
	assert_int_equal(dnsrep_config_action(cfg, "rpz", DNSREP_ACTION_NODATA, "watch"),
			 DNSREP_ACTION_LOG_ONLY);
	/* the feed's own action (stored as the entries' action) stands */
	assert_int_equal(dnsrep_config_action(cfg, "fixed", DNSREP_ACTION_REFUSED, "watch"),
			 DNSREP_ACTION_REFUSED);
	dnsrep_config_free(cfg);
	cfg = parse_ok("dnsrep:\n action: log-only\nfeed:\n name: rpz\n source: \"file:///x\"\n");
	assert_int_equal(dnsrep_config_action(cfg, "rpz", DNSREP_ACTION_NODATA, NULL),
			 DNSREP_ACTION_LOG_ONLY);
	dnsrep_config_free(cfg);
	parse_err("dnsrep:\n category-action: threat\n",
		  "t.conf:2: 'category-action' must be \"CATEGORY ACTION\"");
	parse_err("dnsrep:\n category-action: \"threat drop\"\n", "not 'threat drop'");
	parse_err("dnsrep:\n category-action: \" nxdomain\"\n", "must be \"CATEGORY ACTION\"");
}

static void test_redis_and_feeder_keys(void **state)
{
	(void)state;
	struct dnsrep_config *cfg = parse_ok("");
	assert_null(cfg->redis);
	assert_string_equal(cfg->redis_prefix, "dnsrep:");
	assert_int_equal(cfg->redis_timeout, 2);
	assert_int_equal(cfg->redis_stream, 0);
	assert_int_equal(cfg->redis_stream_maxlen, 1000000);
	assert_int_equal(cfg->fetch_timeout, 300);
	assert_int_equal(cfg->max_size_mib, 256);
	assert_true(cfg->max_shrink == 0.5);
	dnsrep_config_free(cfg);
	cfg = parse_ok("dnsrep:\n redis: 127.0.0.1:6380\n redis-user: resolver\n"
		       " redis-password: \"s3cret pass\"\n redis-prefix: fleet1:\n"
		       " redis-timeout: 5s\n redis-stream: yes\n redis-stream-maxlen: 5000\n"
		       " ca-file: /etc/ssl/certs/ca-certificates.crt\n fetch-timeout: 1m\n"
		       " max-size: 64\n max-shrink: 25%\n");
	assert_string_equal(cfg->redis, "127.0.0.1:6380");
	assert_string_equal(cfg->redis_user, "resolver");
	assert_string_equal(cfg->redis_password, "s3cret pass");
	assert_string_equal(cfg->redis_prefix, "fleet1:");
	assert_int_equal(cfg->redis_timeout, 5);
	assert_int_equal(cfg->redis_stream, 1);
	assert_int_equal(cfg->redis_stream_maxlen, 5000);
	assert_string_equal(cfg->ca_file, "/etc/ssl/certs/ca-certificates.crt");
	assert_int_equal(cfg->fetch_timeout, 60);
	assert_int_equal(cfg->max_size_mib, 64);
	assert_true(cfg->max_shrink == 0.25);
	dnsrep_config_free(cfg);
	parse_err("dnsrep:\n redis-timeout: 2m\n", "'redis-timeout' must be between 1s and 60s, not 2m");
	parse_err("dnsrep:\n max-size: 0\n", "'max-size' must be a whole number from 1 to 4096, not '0'");
	parse_err("feed:\n name: a\n source: file:///a\n redis: x\n", "'redis' does not belong in a feed: clause");
}

static void test_lookalike_keys(void **state)
{
	(void)state;
	struct dnsrep_config *cfg = parse_ok(
		"dnsrep:\n lookalike-min-length: 7\n lookalike-two-edits: yes\n"
		" lookalike-affix: my\n lookalike-affix: hub2\n"
		"feed:\n name: a\n source: file:///a\n lookalike: yes\n lookalike-action: nxdomain\n"
		"feed:\n name: b\n source: file:///b\n");
	assert_int_equal(cfg->lookalike_min_length, 7);
	assert_int_equal(cfg->lookalike_two_edits, 1);
	assert_int_equal(cfg->n_lookalike_affixes, 2);
	assert_string_equal(cfg->lookalike_affixes[1], "hub2");
	assert_int_equal(cfg->feeds[0].lookalike, 1);
	assert_int_equal(cfg->feeds[0].lookalike_action, DNSREP_ACTION_NXDOMAIN);
	assert_int_equal(cfg->feeds[1].lookalike_action, DNSREP_ACTION_LOG_ONLY);
	dnsrep_config_free(cfg);
	cfg = parse_ok("");
	assert_int_equal(cfg->lookalike_min_length, 6);
	assert_null(cfg->lookalike_affixes);
	dnsrep_config_free(cfg);
	parse_err("dnsrep:\n lookalike-affix: Hub\n", "t.conf:2: 'lookalike-affix' must be lower-case letters and digits, not 'Hub'");
	parse_err("dnsrep:\n lookalike-min-length: 2\n", "'lookalike-min-length' must be a whole number from 3 to 63");
	parse_err("feed:\n name: a\n source: file:///a\n lookalike-action: ban\n", "'lookalike-action' must be nxdomain");
	/* a feed's techniques: quoted when more than one; those not listed are off */
	cfg = parse_ok("feed:\n name: a\n source: file:///a\n lookalike: yes\n"
		       " lookalike-techniques: \"tld-swap:8 typo:10 level-squat\"\n"
		       "feed:\n name: b\n source: file:///b\n lookalike: yes\n lookalike-techniques: homoglyph\n"
		       "feed:\n name: c\n source: file:///c\n lookalike: yes\n");
	const struct dnsrep_lookalike_tuning *t = &cfg->feeds[0].lookalike_tuning;
	assert_int_equal(t->off, (uint8_t)~(1u | 4u | 32u));
	assert_int_equal(t->min_len[DNSREP_LOOKALIKE_TLD_SWAP - 1], 8);
	assert_int_equal(t->min_len[DNSREP_LOOKALIKE_TYPO - 1], 10);
	assert_int_equal(cfg->feeds[1].lookalike_tuning.off, (uint8_t)~2u);
	assert_int_equal(cfg->feeds[2].lookalike_tuning.off, 0); /* the default: all on */
	dnsrep_config_free(cfg);
	parse_err("feed:\n name: a\n source: file:///a\n lookalike-techniques: tld-swap typo\n",
		  "t.conf:4: unexpected text after the value: 'typo' (quote a value with spaces)");
	parse_err("feed:\n name: a\n source: file:///a\n lookalike-techniques: \"tld-swap:8 tyop\"\n",
		  "t.conf:4: 'lookalike-techniques': unknown technique 'tyop' (one of: tld-swap, homoglyph, typo,");
	parse_err("feed:\n name: a\n source: file:///a\n lookalike-techniques: typo:64\n",
		  "'typo:64': the shortest label must be a number from 1 to 63");
}

static void test_counts_and_poll(void **state)
{
	(void)state;
	struct dnsrep_config *cfg = parse_ok("dnsrep:\n log-queue: 64\n poll-interval: 1s\n");
	assert_int_equal(cfg->log_queue, 64);
	assert_int_equal(cfg->poll_interval, 1);
	dnsrep_config_free(cfg);
	parse_err("dnsrep:\n log-queue: 63\n", "t.conf:2: 'log-queue' must be a whole number from 64 to 1048576, not '63'");
	parse_err("dnsrep:\n log-queue: -5\n", "not '-5'");
	parse_err("dnsrep:\n log-queue: 1k\n", "not '1k'");
	parse_err("dnsrep:\n poll-interval: 0\n", "'poll-interval' must be between 1s and 86400s, not 0");
}

static void test_bools(void **state)
{
	(void)state;
	struct dnsrep_config *cfg = parse_ok("dnsrep:\n log-exempt: yes\n");
	assert_int_equal(cfg->log_exempt, 1);
	dnsrep_config_free(cfg);
	cfg = parse_ok("dnsrep:\n log-exempt: yes\n log-exempt: no\n");
	assert_int_equal(cfg->log_exempt, 0);
	dnsrep_config_free(cfg);
	parse_err("dnsrep:\n log-exempt: true\n", "'log-exempt' must be yes or no, not 'true'");
	parse_err("dnsrep:\n log-exempt: YES\n", "not 'YES'");
	cfg = parse_ok("dnsrep:\n log-exempt: no\n");
	assert_int_equal(cfg->no_blocklist_servfail, 0); /* the default: resolve */
	dnsrep_config_free(cfg);
	cfg = parse_ok("dnsrep:\n on-no-blocklist: servfail\n");
	assert_int_equal(cfg->no_blocklist_servfail, 1);
	dnsrep_config_free(cfg);
	cfg = parse_ok("dnsrep:\n on-no-blocklist: servfail\n on-no-blocklist: resolve\n");
	assert_int_equal(cfg->no_blocklist_servfail, 0);
	dnsrep_config_free(cfg);
	parse_err("dnsrep:\n on-no-blocklist: refuse\n",
		  "'on-no-blocklist' must be resolve or servfail, not 'refuse'");
	cfg = parse_ok("dnsrep:\nfeed:\n name: a\n source: \"file:///x\"\n wildcard: below\n");
	assert_int_equal(cfg->feeds[0].wildcard_below, 1);
	dnsrep_config_free(cfg);
	cfg = parse_ok("dnsrep:\nfeed:\n name: a\n source: \"file:///x\"\n");
	assert_int_equal(cfg->feeds[0].wildcard_below, 0); /* the default: subtree */
	dnsrep_config_free(cfg);
	parse_err("dnsrep:\nfeed:\n name: a\n source: \"file:///x\"\n wildcard: all\n",
		  "'wildcard' must be subtree or below, not 'all'");
}

static void test_addresses(void **state)
{
	(void)state;
	struct dnsrep_config *cfg = parse_ok(
		"dnsrep:\n sinkhole-a: 192.0.2.1\n sinkhole-aaaa: 2001:db8::1\n");
	uint8_t a[4], aaaa[16];
	inet_pton(AF_INET, "192.0.2.1", a);
	inet_pton(AF_INET6, "2001:db8::1", aaaa);
	assert_memory_equal(cfg->sinkhole_a, a, 4);
	assert_memory_equal(cfg->sinkhole_aaaa, aaaa, 16);
	dnsrep_config_free(cfg);
	parse_err("dnsrep:\n sinkhole-a: 2001:db8::1\n", "'sinkhole-a' must be an IPv4 address, not '2001:db8::1'");
	parse_err("dnsrep:\n sinkhole-a: 256.1.1.1\n", "must be an IPv4 address");
	parse_err("dnsrep:\n sinkhole-aaaa: 192.0.2.1\n", "'sinkhole-aaaa' must be an IPv6 address");
}

static void test_exempt_clients_repeat(void **state)
{
	(void)state;
	struct dnsrep_config *cfg = parse_ok(
		"dnsrep:\n"
		" exempt-client: 10.0.0.0/8\n"
		" exempt-client: 192.0.2.7\n"
		" exempt-client: 2001:db8::/32\n"
		" exempt-client: 0.0.0.0/0\n");
	assert_int_equal(cfg->n_exempt_clients, 4);
	uint8_t in[16], out[16];
	inet_pton(AF_INET, "10.200.3.4", in);
	inet_pton(AF_INET, "11.0.0.1", out);
	assert_true(dnsrep_cidr_contains(&cfg->exempt_clients[0], AF_INET, in));
	assert_false(dnsrep_cidr_contains(&cfg->exempt_clients[0], AF_INET, out));
	assert_int_equal(cfg->exempt_clients[1].prefix, 32);
	inet_pton(AF_INET, "192.0.2.7", in);
	inet_pton(AF_INET, "192.0.2.8", out);
	assert_true(dnsrep_cidr_contains(&cfg->exempt_clients[1], AF_INET, in));
	assert_false(dnsrep_cidr_contains(&cfg->exempt_clients[1], AF_INET, out));
	inet_pton(AF_INET6, "2001:db8:ffff::1", in);
	inet_pton(AF_INET6, "2001:db9::1", out);
	assert_true(dnsrep_cidr_contains(&cfg->exempt_clients[2], AF_INET6, in));
	assert_false(dnsrep_cidr_contains(&cfg->exempt_clients[2], AF_INET6, out));
	assert_false(dnsrep_cidr_contains(&cfg->exempt_clients[2], AF_INET, in));
	assert_true(dnsrep_cidr_contains(&cfg->exempt_clients[3], AF_INET, out));
	dnsrep_config_free(cfg);

	/* an odd prefix length: /20 */
	cfg = parse_ok("dnsrep:\n exempt-client: 172.16.16.0/20\n");
	inet_pton(AF_INET, "172.16.31.255", in);
	inet_pton(AF_INET, "172.16.32.0", out);
	assert_true(dnsrep_cidr_contains(&cfg->exempt_clients[0], AF_INET, in));
	assert_false(dnsrep_cidr_contains(&cfg->exempt_clients[0], AF_INET, out));
	dnsrep_config_free(cfg);

	parse_err("dnsrep:\n exempt-client: 10.1.2.3/8\n", "t.conf:2: 'exempt-client: 10.1.2.3/8': address has bits set beyond the prefix length");
	parse_err("dnsrep:\n exempt-client: 10.0.0.0/33\n", "prefix length must be 0..32");
	parse_err("dnsrep:\n exempt-client: ::/129\n", "prefix length must be 0..128");
	parse_err("dnsrep:\n exempt-client: 10.0.0.0/\n", "prefix length is not a number");
	parse_err("dnsrep:\n exempt-client: 10.0.0.0/x\n", "prefix length is not a number");
	parse_err("dnsrep:\n exempt-client: corp.example\n", "not an IPv4 or IPv6 address");
}

static void test_feeds(void **state)
{
	(void)state;
	struct dnsrep_config *cfg = parse_ok(
		"dnsrep:\n action: refused\n"
		"feed:\n"
		"  name: doj-2023-10-17\n"
		"  source: file:///etc/unbound/feeds/seized.csv\n"
		"  format: csv\n"
		"  category: seized\n"
		"  reason: \"seized by the US DOJ, 17 Oct 2023\"\n"
		"  lookalike: yes\n"
		"  refresh: 15m\n"
		"feed:\n"
		"  name: threat_list.v2\n"
		"  source: https://feeds.example/list.txt\n"
		"  action: log-only\n");
	assert_int_equal(cfg->n_feeds, 2);
	const struct dnsrep_feed_config *f = dnsrep_config_feed(cfg, "doj-2023-10-17");
	assert_non_null(f);
	assert_string_equal(f->source, "file:///etc/unbound/feeds/seized.csv");
	assert_int_equal(f->format, DNSREP_FORMAT_CSV);
	assert_string_equal(f->category, "seized");
	assert_string_equal(f->reason, "seized by the US DOJ, 17 Oct 2023");
	assert_int_equal(f->lookalike, 1);
	assert_int_equal(f->refresh, 900);
	assert_int_equal(f->action, DNSREP_ACTION_INHERIT);
	assert_int_equal(f->decl_line, 3);
	f = dnsrep_config_feed(cfg, "threat_list.v2");
	assert_non_null(f);
	assert_int_equal(f->format, DNSREP_FORMAT_AUTO);
	assert_string_equal(f->category, "blocklist");
	assert_null(f->reason);
	assert_int_equal(f->lookalike, 0);
	assert_int_equal(f->refresh, 3600);
	assert_int_equal(f->action, DNSREP_ACTION_LOG_ONLY);
	assert_true(f->max_rejected == 0.05);
	assert_int_equal(f->allow_public_suffix, 0);
	assert_null(dnsrep_config_feed(cfg, "nope"));
	assert_int_equal(cfg->action, DNSREP_ACTION_REFUSED);
	dnsrep_config_free(cfg);
}

static void test_percent_and_public_suffix(void **state)
{
	(void)state;
	struct dnsrep_config *cfg = parse_ok("feed:\n name: a\n source: file:///a\n max-rejected: 12.5%\n"
					     " allow-public-suffix: yes\n"
					     "feed:\n name: b\n source: file:///b\n max-rejected: 0\n");
	assert_true(cfg->feeds[0].max_rejected == 0.125);
	assert_int_equal(cfg->feeds[0].allow_public_suffix, 1);
	assert_true(cfg->feeds[1].max_rejected == 0.0);
	dnsrep_config_free(cfg);
	parse_err("feed:\n name: a\n source: file:///a\n max-rejected: 101%\n",
		  "t.conf:4: 'max-rejected' must be a percentage from 0 to 100 (5%), not '101%'");
	parse_err("feed:\n name: a\n source: file:///a\n max-rejected: five\n", "not 'five'");
	parse_err("feed:\n name: a\n source: file:///a\n max-rejected: 5%%\n", "not '5%%'");
	parse_err("feed:\n name: a\n source: file:///a\n max-rejected: nan\n", "not 'nan'");
	parse_err("dnsrep:\n max-rejected: 5\n", "'max-rejected' does not belong in a dnsrep: clause");
}

static void test_feed_formats(void **state)
{
	(void)state;
	const char *formats[] = { "auto", "plain", "hosts", "adblock", "rpz", "csv" };
	for (size_t i = 0; i < 6; i++) {
		char text[200];
		snprintf(text, sizeof(text), "feed:\n name: f\n source: file:///f\n format: %s\n", formats[i]);
		struct dnsrep_config *cfg = parse_ok(text);
		assert_int_equal(cfg->feeds[0].format, (enum dnsrep_format)i);
		assert_string_equal(dnsrep_format_name(cfg->feeds[0].format), formats[i]);
		dnsrep_config_free(cfg);
	}
	parse_err("feed:\n name: f\n source: file:///f\n format: json\n",
		  "t.conf:4: 'format' must be auto, plain, hosts, adblock, rpz or csv, not 'json'");
}

static void test_feed_errors(void **state)
{
	(void)state;
	parse_err("feed:\n source: file:///f\n", "t.conf:1: feed: clause has no 'name:'");
	parse_err("feed:\n name: f\n", "t.conf:1: feed 'f' has no 'source:'");
	parse_err("feed:\n name: f\n feed:\n name: g\n source: file:///g\n", "t.conf:1: feed 'f' has no 'source:'");
	parse_err("feed:\n name: f\n source: file:///a\nfeed:\n name: f\n source: file:///b\n",
		  "t.conf:4: feed 'f' is declared twice (first at t.conf:1)");
	parse_err("feed:\n name: a/b\n", "t.conf:2: feed name 'a/b' may hold only letters, digits, '.', '_' and '-'");
	parse_err("feed:\n name: \"a b\"\n", "may hold only");
	parse_err("feed:\n name: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
		  "is longer than 64 characters");
	parse_err("feed:\n name: f\n source: /etc/feed.txt\n", "source '/etc/feed.txt' must start with file:///, https:// or http://");
	parse_err("feed:\n name: f\n source: ftp://x/y\n", "must start with file:///");
	parse_err("feed:\n name: f\n source: https://\n", "source 'https://' names no file or host");
	parse_err("feed:\n name: f\n source: file:///f\n lookalike: maybe\n", "'lookalike' must be yes or no");
}

/* ---- grammar ------------------------------------------------------------------ */

static void test_comments_blank_crlf_bom(void **state)
{
	(void)state;
	struct dnsrep_config *cfg = parse_ok(
		"\xef\xbb\xbf# dnsrep.conf\r\n"
		"\r\n"
		"   \t\r\n"
		"dnsrep:   # the clause\r\n"
		"\tlog-file: /x\r\n"
		"\tresolver-id: r1#no space before the hash\r\n");
	assert_string_equal(cfg->log_file, "/x");
	assert_string_equal(cfg->resolver_id, "r1");
	dnsrep_config_free(cfg);
	/* no newline at the end */
	cfg = parse_ok("dnsrep:\n log-file: /y");
	assert_string_equal(cfg->log_file, "/y");
	dnsrep_config_free(cfg);
}

static void test_grammar_errors(void **state)
{
	(void)state;
	parse_err("log-file: /x\n", "t.conf:1: 'log-file' outside a clause: put it under 'dnsrep:'");
	parse_err("name: f\n", "'name' outside a clause: put it under 'feed:'");
	parse_err("dnsrep:\n name: f\n", "t.conf:2: 'name' does not belong in a dnsrep: clause (it goes under 'feed:')");
	parse_err("feed:\n log-file: /x\n", "'log-file' does not belong in a feed: clause (it goes under 'dnsrep:')");
	parse_err("dnsrep:\n colour: blue\n", "t.conf:2: unknown key 'colour'");
	parse_err("dnsrep:\n log-file /x\n", "t.conf:2: expected ':' after 'log-file'");
	parse_err("dnsrep:\n = 3\n", "t.conf:2: expected 'key: value', found '= 3'");
	parse_err("dnsrep:\n log-file: \"/x\n", "t.conf:2: unterminated double quote");
	parse_err("dnsrep:\n log-file: '/x\n", "unterminated single quote");
	parse_err("dnsrep:\n log-file: /x /y\n", "t.conf:2: unexpected text after the value: '/y' (quote a value with spaces)");
	parse_err("dnsrep:\n log-file: \"/x\" y\n", "unexpected text after the value");
	parse_err("dnsrep:\n log-file:\n", "t.conf:2: 'log-file' needs a value");
	parse_err("dnsrep:\n log-file: \"\"\n", "'log-file' needs a value");
	parse_err("dnsrep: log-file: /x\n", "t.conf:1: 'dnsrep:' starts a clause and stands alone on its line");
	parse_err("server:\n verbosity: 1\n", "t.conf:1: 'server:' belongs in unbound.conf, not in dnsrep.conf");
	parse_err("dnsrep:\n reason: because\n", "t.conf:2: 'reason' does not belong in a dnsrep: clause");
	parse_err("feed:\n name: f\n source: file:///f\n reason: \"a\x01 b\"\n", "t.conf:4: control character (0x01) in value");
	parse_err("dnsrep:\n aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa: 1\n", "unknown key 'aaaa");
	parse_err("include:\n", "'include' needs a file name or pattern");
}

static void test_nul_byte(void **state)
{
	(void)state;
	const char text[] = "dnsrep:\n log-file: /x\0y\n";
	struct dnsrep_config *cfg = NULL;
	char err[DNSREP_ERRLEN];
	assert_int_equal(dnsrep_config_parse("t.conf", text, sizeof(text) - 1, &cfg, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "NUL byte"));
	assert_null(cfg);
}

static void test_long_value(void **state)
{
	(void)state;
	size_t n = 10000;
	char *text = malloc(n + 64);
	assert_non_null(text);
	strcpy(text, "dnsrep:\n log-file: ");
	size_t off = strlen(text);
	memset(text + off, 'a', n);
	strcpy(text + off + n, "\n");
	parse_err(text, "t.conf:2: value longer than 4095 characters");
	free(text);
}

static void test_error_buffer_truncates_safely(void **state)
{
	(void)state;
	struct dnsrep_config *cfg = NULL;
	char err[16];
	memset(err, 'x', sizeof(err));
	const char *text = "dnsrep:\n colour: blue\n";
	assert_int_equal(dnsrep_config_parse("t.conf", text, strlen(text), &cfg, err, sizeof(err)), -1);
	assert_int_equal(strlen(err), sizeof(err) - 1);
}

/* ---- files and include ---------------------------------------------------------- */

static void test_load_missing_file(void **state)
{
	(void)state;
	struct dnsrep_config *cfg = NULL;
	char err[DNSREP_ERRLEN];
	assert_int_equal(dnsrep_config_load("/nonexistent/dnsrep.conf", &cfg, err, sizeof(err)), -1);
	assert_string_equal(err, "/nonexistent/dnsrep.conf: cannot open /nonexistent/dnsrep.conf: No such file or directory");
	assert_int_equal(dnsrep_config_load(tmpdir, &cfg, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "it is a directory"));
}

static void test_include_relative_glob_and_clause_carry(void **state)
{
	(void)state;
	char sub[400];
	snprintf(sub, sizeof(sub), "%s/dnsrep.d", tmpdir);
	mkdir(sub, 0755);
	write_file("main.conf",
		   "dnsrep:\n"
		   "  action: nodata\n"
		   "  include: \"dnsrep.d/*.conf\"\n"
		   "  log-file: /after-include\n");
	/* both files continue the clause they are included in, feeds start their own */
	write_file("dnsrep.d/a.conf", "  exempt-client: 10.0.0.0/8\n");
	write_file("dnsrep.d/b.conf", "feed:\n  name: b\n  source: file:///b\ndnsrep:\n");
	write_file("dnsrep.d/ignored.txt", "garbage\n");
	char path[512];
	snprintf(path, sizeof(path), "%s/main.conf", tmpdir);
	struct dnsrep_config *cfg = NULL;
	char err[DNSREP_ERRLEN] = "";
	if (dnsrep_config_load(path, &cfg, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(cfg->action, DNSREP_ACTION_NODATA);
	assert_int_equal(cfg->n_exempt_clients, 1);
	assert_int_equal(cfg->n_feeds, 1);
	assert_non_null(strstr(cfg->feeds[0].decl_file, "dnsrep.d/b.conf"));
	assert_int_equal(cfg->feeds[0].decl_line, 1);
	assert_string_equal(cfg->log_file, "/after-include");
	dnsrep_config_free(cfg);
}

static void test_include_errors(void **state)
{
	(void)state;
	char path[512], err[DNSREP_ERRLEN];
	struct dnsrep_config *cfg = NULL;

	/* an error inside an included file names that file and its line */
	write_file("bad-inner.conf", "dnsrep:\n\n  action: drop\n");
	write_file("outer.conf", "include: bad-inner.conf\n");
	snprintf(path, sizeof(path), "%s/outer.conf", tmpdir);
	assert_int_equal(dnsrep_config_load(path, &cfg, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "bad-inner.conf:3: 'action' must be"));

	/* a missing plain include is an error; an empty glob is not */
	write_file("missing.conf", "dnsrep:\ninclude: nothere.conf\n");
	snprintf(path, sizeof(path), "%s/missing.conf", tmpdir);
	assert_int_equal(dnsrep_config_load(path, &cfg, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "missing.conf:2: cannot open included file"));
	assert_non_null(strstr(err, "nothere.conf"));
	write_file("emptyglob.conf", "include: \"none.d/*.conf\"\n");
	snprintf(path, sizeof(path), "%s/emptyglob.conf", tmpdir);
	assert_int_equal(dnsrep_config_load(path, &cfg, err, sizeof(err)), 0);
	dnsrep_config_free(cfg);

	/* a file that includes itself */
	write_file("loop.conf", "include: loop.conf\n");
	snprintf(path, sizeof(path), "%s/loop.conf", tmpdir);
	assert_int_equal(dnsrep_config_load(path, &cfg, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "include nested more than 16 deep"));

	/* a feed left incomplete at the end of an included file is caught at its start line */
	write_file("halffeed.conf", "feed:\n name: half\n");
	write_file("uses-half.conf", "include: halffeed.conf\n");
	snprintf(path, sizeof(path), "%s/uses-half.conf", tmpdir);
	assert_int_equal(dnsrep_config_load(path, &cfg, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "halffeed.conf:1: feed 'half' has no 'source:'"));
}

static void test_default_path_env(void **state)
{
	(void)state;
	unsetenv("DNSREP_CONF");
	assert_string_equal(dnsrep_config_default_path(), "/etc/unbound/dnsrep.conf");
	setenv("DNSREP_CONF", "", 1);
	assert_string_equal(dnsrep_config_default_path(), "/etc/unbound/dnsrep.conf");
	setenv("DNSREP_CONF", "/tmp/other.conf", 1);
	assert_string_equal(dnsrep_config_default_path(), "/tmp/other.conf");
	unsetenv("DNSREP_CONF");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_strings_bare_and_quoted),
		cmocka_unit_test(test_later_value_replaces_earlier),
		cmocka_unit_test(test_actions),
		cmocka_unit_test(test_ede),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_duration_grammar),
		cmocka_unit_test(test_category_actions),
		cmocka_unit_test(test_redis_and_feeder_keys),
		cmocka_unit_test(test_lookalike_keys),
		cmocka_unit_test(test_counts_and_poll),
		cmocka_unit_test(test_bools),
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_exempt_clients_repeat),
		cmocka_unit_test(test_feeds),
		cmocka_unit_test(test_percent_and_public_suffix),
		cmocka_unit_test(test_feed_formats),
		cmocka_unit_test(test_feed_errors),
		cmocka_unit_test(test_comments_blank_crlf_bom),
		cmocka_unit_test(test_grammar_errors),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_long_value),
		cmocka_unit_test(test_error_buffer_truncates_safely),
		cmocka_unit_test(test_load_missing_file),
		cmocka_unit_test(test_include_relative_glob_and_clause_carry),
		cmocka_unit_test(test_include_errors),
		cmocka_unit_test(test_default_path_env),
	};
	return cmocka_run_group_tests_name("config", tests, setup_tmpdir, teardown_tmpdir);
}
