/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * block.c — blocking inside the real Unbound, checked with raw packets (ldns).
 *
 * Run by block.test, which starts NSD and an Unbound with the plugin, configured
 * by the files of tests/integration/fixtures/block/ (dnsrep.conf and its feeds).
 * Environment: PORT, DIR (the test's temp dir), UNBOUND_LOG.
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
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "dnsclient.h"
#include "itcheck.h"
#include "itfeed.h"
#include "dnsrep/name.h"

static int port;
static const char *dir, *unbound_log;

/** The block answer's SOA: owner, TTL and minimum, in the authority section. */
static void expect_soa(ldns_pkt *p, const char *owner)
{
	ldns_rr_list *auth = ldns_pkt_authority(p);
	assert_int_equal(ldns_rr_list_rr_count(auth), 1);
	ldns_rr *soa = ldns_rr_list_rr(auth, 0);
	assert_int_equal(ldns_rr_get_type(soa), LDNS_RR_TYPE_SOA);
	/* the owner may come compressed against the question, in the client's case */
	char *o = ldns_rdf2str(ldns_rr_owner(soa));
	if (strcasecmp(o, owner) != 0)
		fail_msg("SOA owner %s, expected %s", o, owner);
	free(o);
	assert_int_equal(ldns_rr_ttl(soa), 42);
	assert_int_equal(ldns_rdf2native_int32(ldns_rr_rdf(soa, 6)), 42);
}

/* ---- the actions -------------------------------------------------------------- */

static void test_nxdomain_with_soa_and_ede(void **state)
{
	(void)state;
	ldns_pkt *p = itcheck_ask("silverstarchina.com", LDNS_RR_TYPE_A, DNSCLIENT_EDNS);
	itcheck_rcode(p, LDNS_RCODE_NXDOMAIN, "silverstarchina.com");
	assert_int_equal(ldns_rr_list_rr_count(ldns_pkt_answer(p)), 0);
	expect_soa(p, "silverstarchina.com.");
	itcheck_ede(p, 15, "dnsrep: silverstarchina.com (seized, seized)");
	assert_int_equal(ldns_pkt_ad(p), 0);
	assert_int_equal(ldns_pkt_ra(p), 1);
	assert_int_equal(ldns_pkt_qr(p), 1);
	ldns_pkt_free(p);
	/* every type is blocked, over TCP as well */
	p = itcheck_ask("silverstarchina.com", LDNS_RR_TYPE_MX, DNSCLIENT_TCP | DNSCLIENT_EDNS);
	itcheck_rcode(p, LDNS_RCODE_NXDOMAIN, "silverstarchina.com MX");
	itcheck_ede(p, 15, NULL);
	ldns_pkt_free(p);
}

static void test_no_ede_without_edns(void **state)
{
	(void)state;
	ldns_pkt *p = itcheck_ask("jinyang.asia", LDNS_RR_TYPE_A, 0);
	itcheck_rcode(p, LDNS_RCODE_NXDOMAIN, "jinyang.asia");
	assert_int_equal(ldns_pkt_edns(p), 0);
	itcheck_ede(p, -1, NULL);
	expect_soa(p, "jinyang.asia.");
	ldns_pkt_free(p);
}

static void test_subdomains_are_blocked(void **state)
{
	(void)state;
	ldns_pkt *p = itcheck_ask("www.CloudFox.cloud", LDNS_RR_TYPE_AAAA, DNSCLIENT_EDNS);
	itcheck_rcode(p, LDNS_RCODE_NXDOMAIN, "www.cloudfox.cloud");
	expect_soa(p, "cloudfox.cloud.");
	itcheck_ede(p, 15, "dnsrep: cloudfox.cloud (seized, seized)");
	ldns_pkt_free(p);
	p = itcheck_ask("a.b.c.foxysunstudio.com", LDNS_RR_TYPE_A, DNSCLIENT_EDNS);
	itcheck_rcode(p, LDNS_RCODE_NXDOMAIN, "a.b.c.foxysunstudio.com");
	ldns_pkt_free(p);
	/* a listed name inside a longer label is not a match */
	p = itcheck_ask("www.test", LDNS_RR_TYPE_A, 0);
	itcheck_rcode(p, LDNS_RCODE_NOERROR, "www.test");
	ldns_pkt_free(p);
}

static void test_nodata(void **state)
{
	(void)state;
	ldns_pkt *p = itcheck_ask("nodatablock.test", LDNS_RR_TYPE_A, DNSCLIENT_EDNS);
	itcheck_rcode(p, LDNS_RCODE_NOERROR, "nodatablock.test");
	assert_int_equal(ldns_rr_list_rr_count(ldns_pkt_answer(p)), 0);
	expect_soa(p, "nodatablock.test.");
	itcheck_ede(p, 15, "dnsrep: nodatablock.test (nodata-feed, threat)");
	ldns_pkt_free(p);
}

static void test_refused(void **state)
{
	(void)state;
	ldns_pkt *p = itcheck_ask("refusedblock.test", LDNS_RR_TYPE_A, DNSCLIENT_EDNS);
	itcheck_rcode(p, LDNS_RCODE_REFUSED, "refusedblock.test");
	assert_int_equal(ldns_rr_list_rr_count(ldns_pkt_answer(p)), 0);
	itcheck_ede(p, 15, "dnsrep: refusedblock.test (refused-feed, threat)");
	ldns_pkt_free(p);
}

static void test_sinkhole(void **state)
{
	(void)state;
	ldns_pkt *p = itcheck_ask("sinkblock.test", LDNS_RR_TYPE_A, DNSCLIENT_EDNS);
	itcheck_rcode(p, LDNS_RCODE_NOERROR, "sinkblock.test A");
	char *t = itcheck_answer_text(p);
	assert_string_equal(t, "sinkblock.test.\t0\tIN\tA\t198.18.0.1\n");
	free(t);
	assert_int_equal(ldns_rr_ttl(ldns_rr_list_rr(ldns_pkt_answer(p), 0)), 42);
	itcheck_ede(p, 15, NULL);
	ldns_pkt_free(p);
	p = itcheck_ask("www.sinkblock.test", LDNS_RR_TYPE_AAAA, DNSCLIENT_EDNS);
	t = itcheck_answer_text(p);
	assert_string_equal(t, "www.sinkblock.test.\t0\tIN\tAAAA\t2001:db8:dead::1\n");
	free(t);
	ldns_pkt_free(p);
	p = itcheck_ask("sinkblock.test", LDNS_RR_TYPE_MX, DNSCLIENT_EDNS);
	itcheck_rcode(p, LDNS_RCODE_NOERROR, "sinkblock.test MX");
	assert_int_equal(ldns_rr_list_rr_count(ldns_pkt_answer(p)), 0);
	expect_soa(p, "sinkblock.test.");
	ldns_pkt_free(p);
}

static void test_log_only_resolves(void **state)
{
	(void)state;
	ldns_pkt *p = itcheck_ask("monitor.test", LDNS_RR_TYPE_A, DNSCLIENT_EDNS);
	itcheck_rcode(p, LDNS_RCODE_NOERROR, "monitor.test");
	itcheck_answer_has(p, "192.0.2.63", "monitor.test");
	itcheck_ede(p, -1, NULL);
	ldns_pkt_free(p);
	/* log-only by its category (category-action), the feed setting no action */
	p = itcheck_ask("quiet.test", LDNS_RR_TYPE_A, DNSCLIENT_EDNS);
	itcheck_rcode(p, LDNS_RCODE_NOERROR, "quiet.test");
	itcheck_answer_has(p, "192.0.2.68", "quiet.test");
	ldns_pkt_free(p);
}

static void test_allow_entry_wins(void **state)
{
	(void)state;
	ldns_pkt *p = itcheck_ask("mail.foxysunstudio.com", LDNS_RR_TYPE_A, DNSCLIENT_EDNS);
	itcheck_rcode(p, LDNS_RCODE_NOERROR, "mail.foxysunstudio.com");
	itcheck_answer_has(p, "198.51.100.25", "mail.foxysunstudio.com");
	ldns_pkt_free(p);
	p = itcheck_ask("www.foxysunstudio.com", LDNS_RR_TYPE_A, DNSCLIENT_EDNS);
	itcheck_rcode(p, LDNS_RCODE_NXDOMAIN, "www.foxysunstudio.com");
	ldns_pkt_free(p);
}

static void test_exempt_client(void **state)
{
	(void)state;
	ldns_pkt *p = dnsclient_query_from("127.0.0.2", port, "exemptable.test", LDNS_RR_TYPE_A,
					   DNSCLIENT_EDNS);
	assert_non_null(p);
	itcheck_rcode(p, LDNS_RCODE_NOERROR, "exemptable.test from 127.0.0.2");
	itcheck_answer_has(p, "192.0.2.67", "exemptable.test from 127.0.0.2");
	ldns_pkt_free(p);
	p = itcheck_ask("exemptable.test", LDNS_RR_TYPE_A, DNSCLIENT_EDNS);
	itcheck_rcode(p, LDNS_RCODE_NXDOMAIN, "exemptable.test from 127.0.0.1");
	ldns_pkt_free(p);
}

/* ---- chains and the validator ---------------------------------------------------- */

static void test_cname_chain_to_blocked_name(void **state)
{
	(void)state;
	for (int round = 0; round < 3; round++) { /* the second and third from Unbound's caches */
		ldns_pkt *p = itcheck_ask("innocent.test", LDNS_RR_TYPE_A, DNSCLIENT_EDNS);
		itcheck_rcode(p, LDNS_RCODE_NXDOMAIN, "innocent.test");
		assert_int_equal(ldns_rr_list_rr_count(ldns_pkt_answer(p)), 0);
		itcheck_ede(p, 15, "dnsrep: cloudfox.cloud (seized, seized) via CNAME");
		ldns_pkt_free(p);
	}
	/* the chain's target, asked for directly, is blocked too (never served from cache) */
	ldns_pkt *p = itcheck_ask("cloudfox.cloud", LDNS_RR_TYPE_A, DNSCLIENT_EDNS);
	itcheck_rcode(p, LDNS_RCODE_NXDOMAIN, "cloudfox.cloud");
	ldns_pkt_free(p);
	/* a chain that does not reach a blocked name resolves */
	p = itcheck_ask("chain1.test", LDNS_RR_TYPE_A, DNSCLIENT_EDNS);
	itcheck_rcode(p, LDNS_RCODE_NOERROR, "chain1.test");
	itcheck_answer_has(p, "192.0.2.10", "chain1.test");
	ldns_pkt_free(p);
}

static void test_lookalikes(void **state)
{
	(void)state;
	/* the seized feed has lookalike: yes and lookalike-action: nxdomain here */
	ldns_pkt *p = itcheck_ask("foxysunstudios.com", LDNS_RR_TYPE_A, DNSCLIENT_EDNS);
	itcheck_rcode(p, LDNS_RCODE_NXDOMAIN, "foxysunstudios.com");
	itcheck_ede(p, 15, "dnsrep: lookalike of foxysunstudio.com (seized, seized, typo)");
	ldns_pkt_free(p);
	p = itcheck_ask("www.jinyang.services", LDNS_RR_TYPE_A, DNSCLIENT_EDNS);
	itcheck_rcode(p, LDNS_RCODE_NXDOMAIN, "www.jinyang.services");
	itcheck_ede(p, 15, "dnsrep: lookalike of jinyang.asia (seized, seized, tld-swap)");
	ldns_pkt_free(p);
	/* names read across their labels: a level-squat (with a homoglyph), a dot
	 * inserted, the label's tail made the suffix */
	static const struct { const char *q, *protected, *technique; } spread[] = {
		{ "cl0udfox.cloud.secure-login.test", "cloudfox.cloud", "level-squat" },
		{ "login-foxysunstudio-com.hiring.test", "foxysunstudio.com", "level-squat" },
		{ "clou.dfox.cloud", "cloudfox.cloud", "dot-insertion" },
		{ "www.foxysun.studio", "foxysunstudio.com", "tld-split" },
	};
	for (size_t i = 0; i < sizeof(spread) / sizeof(spread[0]); i++) {
		char ede[256];
		p = itcheck_ask(spread[i].q, LDNS_RR_TYPE_A, DNSCLIENT_EDNS);
		itcheck_rcode(p, LDNS_RCODE_NXDOMAIN, spread[i].q);
		snprintf(ede, sizeof(ede), "dnsrep: lookalike of %s (seized, seized, %s)",
			 spread[i].protected, spread[i].technique);
		itcheck_ede(p, 15, ede);
		ldns_pkt_free(p);
	}
	/* an allow entry is never second-guessed, and ordinary names are no lookalikes */
	p = itcheck_ask("mail.foxysunstudio.com", LDNS_RR_TYPE_A, DNSCLIENT_EDNS);
	itcheck_rcode(p, LDNS_RCODE_NOERROR, "mail.foxysunstudio.com");
	ldns_pkt_free(p);
	p = itcheck_ask("www.test", LDNS_RR_TYPE_A, DNSCLIENT_EDNS);
	itcheck_rcode(p, LDNS_RCODE_NOERROR, "www.test");
	ldns_pkt_free(p);
}

static void test_validator_in_the_stack(void **state)
{
	(void)state;
	/* a blocked name in a signed zone: NXDOMAIN, never AD, never SERVFAIL */
	ldns_pkt *p = itcheck_ask("alias.signed.test", LDNS_RR_TYPE_A, DNSCLIENT_DO);
	itcheck_rcode(p, LDNS_RCODE_NXDOMAIN, "alias.signed.test");
	assert_int_equal(ldns_pkt_ad(p), 0);
	ldns_pkt_free(p);
	/* the rest of the signed zone still validates */
	p = itcheck_ask("www.signed.test", LDNS_RR_TYPE_A, DNSCLIENT_DO);
	itcheck_rcode(p, LDNS_RCODE_NOERROR, "www.signed.test");
	assert_int_equal(ldns_pkt_ad(p), 1);
	ldns_pkt_free(p);
	/* asked with DO: still blocked, no AD */
	p = itcheck_ask("silverstarchina.com", LDNS_RR_TYPE_A, DNSCLIENT_DO);
	itcheck_rcode(p, LDNS_RCODE_NXDOMAIN, "silverstarchina.com with DO");
	assert_int_equal(ldns_pkt_ad(p), 0);
	ldns_pkt_free(p);
}

/* ---- many clients, hostile names --------------------------------------------------- */

#define THREADS 8
#define PER_THREAD 40

static void *client_thread(void *arg)
{
	long t = (long)arg, bad = 0;
	for (int i = 0; i < PER_THREAD; i++) {
		char name[80];
		snprintf(name, sizeof(name), "c%ld-%d.silverstarchina.com", t, i);
		ldns_pkt *p = dnsclient_query(port, name, LDNS_RR_TYPE_A, i % 2 ? DNSCLIENT_EDNS : 0);
		if (!p || ldns_pkt_get_rcode(p) != LDNS_RCODE_NXDOMAIN)
			bad++;
		ldns_pkt_free(p);
	}
	return (void *)bad;
}

static void test_many_concurrent_clients(void **state)
{
	(void)state;
	assert_int_equal(itcheck_threads(THREADS, client_thread), 0);
}

static void test_hostile_qnames(void **state)
{
	(void)state;
	/* labels with quotes, backslashes, control bytes, 0xff, a dot, a NUL; and a
	 * 255-octet name; all under a blocked name.  block.test then checks that each
	 * log line parses and gives back the name written here. */
	static const uint8_t labels[][12] = {
		{ 5, '"', 'q', '"', '\\', '"' },
		{ 4, '\\', '\\', 'x', '\\' },
		{ 6, 0x01, 0x0a, 0x0d, 0x1b, 0x7f, 0x00 },
		{ 4, 0xff, 0xfe, 0xc3, 0x28 },
		{ 5, 'a', '.', 'b', '.', ' ' },
		{ 10, '{', '}', ',', ':', '[', ']', '<', '>', '&', '\'' },
	};
	static const uint8_t suffix[] = "\017silverstarchina\003com";
	char path[512];
	snprintf(path, sizeof(path), "%s/hostile.expected", dir);
	FILE *out = fopen(path, "w");
	assert_non_null(out);
	for (size_t i = 0; i <= sizeof(labels) / sizeof(labels[0]); i++) {
		uint8_t wire[255];
		size_t len = 0;
		if (i < sizeof(labels) / sizeof(labels[0])) {
			memcpy(wire, labels[i], labels[i][0] + 1u);
			len = labels[i][0] + 1u;
		} else {
			/* the longest name there is: 255 octets */
			while (len + 64 + sizeof(suffix) <= 255) {
				wire[len++] = 63;
				memset(wire + len, 'x', 63);
				len += 63;
			}
			size_t last = 255 - sizeof(suffix) - len - 1;
			wire[len++] = (uint8_t)last;
			memset(wire + len, 'y', last);
			len += last;
		}
		memcpy(wire + len, suffix, sizeof(suffix));
		len += sizeof(suffix);
		ldns_pkt *p = dnsclient_query_wire(port, wire, len, LDNS_RR_TYPE_A, DNSCLIENT_EDNS);
		if (!p)
			fail_msg("no answer for hostile name %zu", i);
		itcheck_rcode(p, LDNS_RCODE_NXDOMAIN, "a hostile name");
		ldns_pkt_free(p);
		char text[DNSREP_NAME_MAXTEXT];
		assert_true(dnsrep_name_to_text(wire, text, sizeof(text)) > 0);
		fprintf(out, "%s\n", text);
	}
	assert_int_equal(fclose(out), 0);
}

static void *ask_twoclients(void *arg)
{
	const char *src = arg;
	ldns_pkt *p = dnsclient_query_from(src, port, "twoclients.test", LDNS_RR_TYPE_A, DNSCLIENT_EDNS);
	long ok = p && ldns_pkt_get_rcode(p) == LDNS_RCODE_NXDOMAIN;
	ldns_pkt_free(p);
	return (void *)ok;
}

static void test_two_clients_one_name(void **state)
{
	(void)state;
	pthread_t a, b;
	void *ra, *rb;
	assert_int_equal(pthread_create(&a, NULL, ask_twoclients, "127.0.0.1"), 0);
	assert_int_equal(pthread_create(&b, NULL, ask_twoclients, "127.0.0.3"), 0);
	pthread_join(a, &ra);
	pthread_join(b, &rb);
	assert_true((long)ra);
	assert_true((long)rb);
}

/* ---- a changing blocklist and Unbound's caches ------------------------------------ */

/** Replace a feed file atomically and wait until the new blocklist is in place. */
static void change_feed(const char *file, const char *content)
{
	if (itfeed_change(dir, unbound_log, file, content) < 0)
		fail_msg("changing %s did not put a new blocklist in place", file);
}

static void test_cached_name_blocked_after_swap(void **state)
{
	(void)state;
	ldns_pkt *p = itcheck_ask("late.test", LDNS_RR_TYPE_A, 0);
	itcheck_rcode(p, LDNS_RCODE_NOERROR, "late.test before");
	itcheck_answer_has(p, "192.0.2.60", "late.test before");
	ldns_pkt_free(p);
	p = itcheck_ask("late.test", LDNS_RR_TYPE_A, 0); /* now surely in the cache */
	itcheck_rcode(p, LDNS_RCODE_NOERROR, "late.test cached");
	ldns_pkt_free(p);
	change_feed("late.txt", "late.test\n");
	p = itcheck_ask("late.test", LDNS_RR_TYPE_A, DNSCLIENT_EDNS);
	itcheck_rcode(p, LDNS_RCODE_NXDOMAIN, "late.test after the swap");
	itcheck_ede(p, 15, "dnsrep: late.test (late-feed, blocklist)");
	ldns_pkt_free(p);
}

static void test_cached_chain_blocked_after_swap(void **state)
{
	(void)state;
	for (int i = 0; i < 2; i++) {
		ldns_pkt *p = itcheck_ask("latechain.test", LDNS_RR_TYPE_A, 0);
		itcheck_rcode(p, LDNS_RCODE_NOERROR, "latechain.test before");
		itcheck_answer_has(p, "192.0.2.61", "latechain.test before");
		ldns_pkt_free(p);
	}
	change_feed("late.txt", "late.test\nlatetarget.test\n");
	ldns_pkt *p = itcheck_ask("latechain.test", LDNS_RR_TYPE_A, DNSCLIENT_EDNS);
	itcheck_rcode(p, LDNS_RCODE_NXDOMAIN, "latechain.test after the swap");
	itcheck_ede(p, 15, "dnsrep: latetarget.test (late-feed, blocklist) via CNAME");
	ldns_pkt_free(p);
}

static void test_unblocked_name_resolves_at_once(void **state)
{
	(void)state;
	ldns_pkt *p = itcheck_ask("unblock.test", LDNS_RR_TYPE_A, 0);
	itcheck_rcode(p, LDNS_RCODE_NXDOMAIN, "unblock.test while blocked");
	ldns_pkt_free(p);
	/* seized.csv without unblock.test: block.test left a copy beside it */
	char path[512];
	snprintf(path, sizeof(path), "%s/seized-without-unblock.csv", dir);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	static char content[65536];
	size_t n = fread(content, 1, sizeof(content) - 1, f);
	fclose(f);
	content[n] = 0;
	change_feed("seized.csv", content);
	p = itcheck_ask("unblock.test", LDNS_RR_TYPE_A, 0);
	itcheck_rcode(p, LDNS_RCODE_NOERROR, "unblock.test after the swap");
	itcheck_answer_has(p, "192.0.2.62", "unblock.test after the swap");
	ldns_pkt_free(p);
	/* the rest of the feed still blocks */
	p = itcheck_ask("silverstarchina.com", LDNS_RR_TYPE_A, 0);
	itcheck_rcode(p, LDNS_RCODE_NXDOMAIN, "silverstarchina.com after the swap");
	ldns_pkt_free(p);
}

static void test_broken_feed_keeps_last_good(void **state)
{
	(void)state;
	/* a feed that turns into garbage keeps its last good version */
	if (itfeed_change_refused(dir, unbound_log, "late.txt",
				  "<html><body>502 Bad Gateway</body></html>\n<p>try later</p>\n") < 0)
		fail_msg("a broken late.txt was not refused (or a new blocklist went in)");
	ldns_pkt *p = itcheck_ask("late.test", LDNS_RR_TYPE_A, 0);
	itcheck_rcode(p, LDNS_RCODE_NXDOMAIN, "late.test after a broken update");
	ldns_pkt_free(p);
}

int main(void)
{
	port = dnsclient_env_int("PORT");
	itcheck_port(port);
	dir = getenv("DIR");
	unbound_log = getenv("UNBOUND_LOG");
	if (!dir || !unbound_log) {
		printf("Bail out! DIR and UNBOUND_LOG must be set\n");
		return 1;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nxdomain_with_soa_and_ede),
		cmocka_unit_test(test_no_ede_without_edns),
		cmocka_unit_test(test_subdomains_are_blocked),
		cmocka_unit_test(test_nodata),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_sinkhole),
		cmocka_unit_test(test_log_only_resolves),
		cmocka_unit_test(test_allow_entry_wins),
		cmocka_unit_test(test_exempt_client),
		cmocka_unit_test(test_cname_chain_to_blocked_name),
		cmocka_unit_test(test_lookalikes),
		cmocka_unit_test(test_validator_in_the_stack),
		cmocka_unit_test(test_many_concurrent_clients),
		cmocka_unit_test(test_hostile_qnames),
		cmocka_unit_test(test_two_clients_one_name),
		cmocka_unit_test(test_cached_name_blocked_after_swap),
		cmocka_unit_test(test_cached_chain_blocked_after_swap),
		cmocka_unit_test(test_unblocked_name_resolves_at_once),
		cmocka_unit_test(test_broken_feed_keeps_last_good),
	};
	return cmocka_run_group_tests_name("block", tests, NULL, NULL);
}
