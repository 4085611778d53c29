/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * escape.c — the lookups that used to get past the plugin, tried as an attacker
 * would, through the real Unbound (escape.test starts it, NSD and the slow proxy).
 *
 *   escape exempt   Unbound with exempt-client 127.0.0.2 and one thread (so that
 *                   clients that ask the same name meet in one query state):
 *                   class ANY and CH, qtype ANY and DS, the CD bit, chains of
 *                   eight hops, allow entries on hops, DNAME, lookups in flight
 *                   while the blocklist changes, clients joining an exempt
 *                   client's lookup and each other's, log-only answers from the cache
 *   escape cache    Unbound without exempt clients (block answers are cached),
 *                   four threads, DNS64, serve-expired and prefetch on: cached
 *                   block answers per client, blocks that end, expired answers of
 *                   names blocked since, many clients at once
 *
 * Names (tests/integration/zones): slow.test. names "slow6000-…" are held six
 * seconds by the slow proxy; *.esc.test. hold the chains.  The feeds are those
 * escape.test writes; "late.txt" is changed here.  The block log is checked by
 * escape.test afterwards; this program writes the lookups it expects logged to
 * DIR/expected.* for that.
 * Environment: PORT, DIR (the instance's feeds), UNBOUND_LOG, UPSTREAM_LOG (the
 * slow proxy's list of queries).
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
#include <time.h>
#include <unistd.h>

#include "dnsclient.h"
#include "itcheck.h"
#include "itfeed.h"

static int port;
static const char *dir, *unbound_log, *upstream_log;

static const char seized_ede[] = "dnsrep: cloudfox.cloud (seized, seized)";

static void nap_ms(long ms)
{
	struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&t, NULL);
}

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/** How many times the slow proxy passed a name (lower case, with the dot) upstream. */
static int upstream_count(const char *name)
{
	char line[1024];
	FILE *f = fopen(upstream_log, "r");
	int n = 0;
	size_t len = strlen(name);
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		n += strncmp(line, name, len) == 0 && line[len] == ' ';
	fclose(f);
	return n;
}

/** Ask and expect NXDOMAIN with no answer records. */
static void expect_blocked_from(const char *src, const char *name, ldns_rr_type type, int opts)
{
	ldns_pkt *p = itcheck_ask_from(src, name, type, opts);
	itcheck_rcode(p, LDNS_RCODE_NXDOMAIN, name);
	assert_int_equal(ldns_rr_list_rr_count(ldns_pkt_answer(p)), 0);
	assert_int_equal(ldns_pkt_ad(p), 0);
	ldns_pkt_free(p);
}

static void expect_blocked(const char *name, ldns_rr_type type, int opts)
{
	expect_blocked_from(NULL, name, type, opts);
}

/** Ask and expect NOERROR with an answer that holds want. */
static void expect_resolves_from(const char *src, const char *name, ldns_rr_type type,
	const char *want)
{
	ldns_pkt *p = itcheck_ask_from(src, name, type, DNSCLIENT_EDNS);
	itcheck_rcode(p, LDNS_RCODE_NOERROR, name);
	itcheck_answer_has(p, want, name);
	itcheck_ede(p, -1, NULL);
	ldns_pkt_free(p);
}

/* ---- lookups on threads of their own ------------------------------------------------- */

/** A lookup in flight; static storage: a failed test must not leave a thread writing
 * into a stack frame that is gone. */
struct lookup {
	const char *src, *name;
	pthread_t th;
	int running;
	ldns_pkt *answer;
};

static struct lookup lookups[8];

static void *lookup_run(void *arg)
{
	struct lookup *l = arg;
	l->answer = dnsclient_query_from(l->src, port, l->name, LDNS_RR_TYPE_A,
					 DNSCLIENT_EDNS | DNSCLIENT_PATIENT);
	return NULL;
}

static void lookup_start(int i, const char *src, const char *name)
{
	struct lookup *l = &lookups[i];
	l->src = src;
	l->name = name;
	l->answer = NULL;
	assert_int_equal(pthread_create(&l->th, NULL, lookup_run, l), 0);
	l->running = 1;
}

/** Wait for every lookup started; then the answers can be checked. */
static void lookups_wait(void)
{
	for (size_t i = 0; i < sizeof(lookups) / sizeof(lookups[0]); i++)
		if (lookups[i].running) {
			pthread_join(lookups[i].th, NULL);
			lookups[i].running = 0;
		}
}

/** The answer of lookup i (after lookups_wait), insisting on one. */
static ldns_pkt *lookup_answer(int i)
{
	if (!lookups[i].answer)
		fail_msg("no answer for %s from %s", lookups[i].name, lookups[i].src);
	return lookups[i].answer;
}

/** Free the answers (the tests call it at the end; a failed test leaks them). */
static void lookups_free(void)
{
	for (size_t i = 0; i < sizeof(lookups) / sizeof(lookups[0]); i++) {
		ldns_pkt_free(lookups[i].answer);
		lookups[i].answer = NULL;
	}
}

/* ---- exempt: classes, types, chains ------------------------------------------------ */

static void test_class_any_and_ch(void **state)
{
	(void)state;
	/* the iterator splits class ANY into per-class lookups below this module:
	 * the class-ANY lookup itself must be judged */
	expect_blocked("www.cloudfox.cloud", LDNS_RR_TYPE_A, DNSCLIENT_EDNS | DNSCLIENT_CLASS_ANY);
	expect_blocked("www.cloudfox.cloud", LDNS_RR_TYPE_A, DNSCLIENT_CLASS_ANY | DNSCLIENT_TCP);
	expect_blocked("silverstarchina.com", LDNS_RR_TYPE_TXT, DNSCLIENT_EDNS | DNSCLIENT_CLASS_CH);
	/* and class IN after them: the per-class answers were not cached for it */
	expect_blocked("www.cloudfox.cloud", LDNS_RR_TYPE_A, DNSCLIENT_EDNS);
}

static void test_qtypes_and_cd(void **state)
{
	(void)state;
	static const ldns_rr_type types[] = { LDNS_RR_TYPE_ANY, LDNS_RR_TYPE_DS, LDNS_RR_TYPE_NS,
		LDNS_RR_TYPE_SOA, LDNS_RR_TYPE_MX, LDNS_RR_TYPE_TXT, LDNS_RR_TYPE_HTTPS,
		LDNS_RR_TYPE_CNAME, LDNS_RR_TYPE_DNSKEY };
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		expect_blocked("cloudfox.cloud", types[i], DNSCLIENT_EDNS);
		expect_blocked("careers.cloudfox.cloud", types[i], DNSCLIENT_CD | DNSCLIENT_DO);
	}
	/* checking disabled, over TCP, with DO: still blocked, never AD */
	expect_blocked("www.cloudfox.cloud", LDNS_RR_TYPE_A, DNSCLIENT_CD | DNSCLIENT_DO | DNSCLIENT_TCP);
}

static void test_eight_hop_chain(void **state)
{
	(void)state;
	for (int round = 0; round < 3; round++) { /* then from Unbound's caches */
		ldns_pkt *p = itcheck_ask("hop1.esc.test", LDNS_RR_TYPE_A,
					  DNSCLIENT_EDNS | (round == 2 ? DNSCLIENT_TCP : 0));
		itcheck_rcode(p, LDNS_RCODE_NXDOMAIN, "hop1.esc.test");
		assert_int_equal(ldns_rr_list_rr_count(ldns_pkt_answer(p)), 0);
		itcheck_ede(p, 15, "dnsrep: cloudfox.cloud (seized, seized) via CNAME");
		ldns_pkt_free(p);
	}
	/* every hop of the chain, asked for directly */
	for (int h = 2; h <= 8; h++) {
		char name[64];
		snprintf(name, sizeof(name), "hop%d.esc.test", h);
		expect_blocked(name, LDNS_RR_TYPE_A, DNSCLIENT_EDNS);
	}
	/* AAAA walks the same chain */
	expect_blocked("hop1.esc.test", LDNS_RR_TYPE_AAAA, DNSCLIENT_EDNS);
}

static void test_allow_entries_in_chains(void **state)
{
	(void)state;
	/* an allow entry on a hop in the middle: the blocked end is not reachable */
	expect_blocked("ah1.esc.test", LDNS_RR_TYPE_A, DNSCLIENT_EDNS);
	/* nor through the allowed name itself, nor an allowed query name */
	expect_blocked("ah2.esc.test", LDNS_RR_TYPE_A, DNSCLIENT_EDNS);
	expect_blocked("qa1.esc.test", LDNS_RR_TYPE_A, DNSCLIENT_EDNS);
	/* an allow entry on the final name lets the chain through a blocked hop ... */
	expect_resolves_from(NULL, "fa1.esc.test", LDNS_RR_TYPE_A, "192.0.2.77");
	expect_resolves_from(NULL, "fa1.esc.test", LDNS_RR_TYPE_A, "192.0.2.77");
	/* ... and without it the blocked hop blocks */
	ldns_pkt *p = itcheck_ask("fb1.esc.test", LDNS_RR_TYPE_A, DNSCLIENT_EDNS);
	itcheck_rcode(p, LDNS_RCODE_NXDOMAIN, "fb1.esc.test");
	itcheck_ede(p, 15, "dnsrep: blockedcdn.esc.test (cdn, threat) via CNAME");
	ldns_pkt_free(p);
	/* a DNAME into a blocked domain */
	expect_blocked("www.dn.esc.test", LDNS_RR_TYPE_A, DNSCLIENT_EDNS);
	expect_blocked("x.y.dn.esc.test", LDNS_RR_TYPE_TXT, DNSCLIENT_EDNS);
}

/* ---- exempt: lookups in flight ------------------------------------------------------- */

/*
 * Five lookups go out (held six seconds upstream); while they are in flight the
 * blocklist lists their names; every answer sent after that is judged by it:
 *   slow6000-swap      one client                        -> blocked
 *   slow6000-join      two clients (.1, .3) in one query  -> both blocked, both logged
 *   slow6000-chain     CNAME to a name listed meanwhile   -> blocked, via CNAME
 *   slow6000-newfront  the exempt client (.2)             -> the real answer, and
 *                      it is not left in the cache for others
 */
static void test_lookups_in_flight_during_a_swap(void **state)
{
	(void)state;
	lookup_start(0, "127.0.0.1", "slow6000-swap.slow.test");
	lookup_start(1, "127.0.0.1", "slow6000-join.slow.test");
	nap_ms(300);
	lookup_start(2, "127.0.0.3", "slow6000-join.slow.test");
	lookup_start(3, "127.0.0.1", "slow6000-chain.slow.test");
	lookup_start(4, "127.0.0.2", "slow6000-newfront.slow.test");
	nap_ms(300);
	double asked = now_s();
	int changed = itfeed_change(dir, unbound_log, "late.txt",
		"slow6000-exjoin.slow.test\nslow6000-swap.slow.test\nslow6000-join.slow.test\n"
		"late-target.esc.test\nslow6000-newfront.slow.test\n");
	double swapped = now_s();
	lookups_wait();
	if (changed < 0)
		fail_msg("the new blocklist did not come");
	if (swapped - asked > 4.5)
		fail_msg("the swap took %.1f s: the lookups may have come back before it "
			 "(a machine too slow for this test)", swapped - asked);
	for (int i = 0; i < 4; i++) {
		ldns_pkt *p = lookup_answer(i);
		itcheck_rcode(p, LDNS_RCODE_NXDOMAIN, lookups[i].name);
		assert_int_equal(ldns_rr_list_rr_count(ldns_pkt_answer(p)), 0);
		itcheck_ede(p, 15, NULL);
	}
	ldns_pkt *p = lookup_answer(4);
	itcheck_rcode(p, LDNS_RCODE_NOERROR, "slow6000-newfront from the exempt client");
	itcheck_answer_has(p, "192.0.2.117", "slow6000-newfront from the exempt client");
	lookups_free();
	/* the two clients of slow6000-join shared one lookup upstream */
	assert_int_equal(upstream_count("slow6000-join.slow.test."), 1);
	/* later lookups: blocked, none of the real answers came from the cache */
	expect_blocked("slow6000-swap.slow.test", LDNS_RR_TYPE_A, DNSCLIENT_EDNS);
	/* a block decided by a CNAME target is not cached: this one goes upstream again,
	 * and the slow proxy holds it six seconds */
	expect_blocked("slow6000-chain.slow.test", LDNS_RR_TYPE_A, DNSCLIENT_EDNS | DNSCLIENT_PATIENT);
	expect_blocked("slow6000-newfront.slow.test", LDNS_RR_TYPE_A, DNSCLIENT_EDNS);
	expect_blocked_from("127.0.0.3", "slow6000-newfront.slow.test", LDNS_RR_TYPE_A, 0);
	/* a new name below a newly listed one */
	expect_blocked("www.slow6000-newfront.slow.test", LDNS_RR_TYPE_A, DNSCLIENT_EDNS);
}

/*
 * The exempt client asks a listed name; while its lookup is in flight other
 * clients ask the same name and join that lookup: they must get the block, each
 * with its own log record; the exempt client the real answer, which must not then
 * be served to anyone from the cache.
 */
static void test_client_joins_exempt_lookup(void **state)
{
	(void)state;
	lookup_start(0, "127.0.0.2", "slow6000-exjoin.slow.test");
	nap_ms(500);
	lookup_start(1, "127.0.0.1", "slow6000-exjoin.slow.test");
	lookup_start(2, "127.0.0.3", "slow6000-exjoin.slow.test");
	lookups_wait();
	ldns_pkt *p = lookup_answer(1);
	itcheck_rcode(p, LDNS_RCODE_NXDOMAIN, "slow6000-exjoin from a client that joined");
	itcheck_ede(p, 15, "dnsrep: slow6000-exjoin.slow.test (late, blocklist)");
	assert_int_equal(ldns_rr_list_rr_count(ldns_pkt_answer(p)), 0);
	p = lookup_answer(2);
	itcheck_rcode(p, LDNS_RCODE_NXDOMAIN, "slow6000-exjoin from a second client that joined");
	p = lookup_answer(0);
	itcheck_rcode(p, LDNS_RCODE_NOERROR, "slow6000-exjoin from the exempt client");
	itcheck_answer_has(p, "192.0.2.113", "slow6000-exjoin from the exempt client");
	lookups_free();
	/* one lookup upstream served all three: they met in one query state */
	assert_int_equal(upstream_count("slow6000-exjoin.slow.test."), 1);
	/* the exempt answer is not in the cache for a later client */
	expect_blocked_from("127.0.0.4", "slow6000-exjoin.slow.test", LDNS_RR_TYPE_A, DNSCLIENT_EDNS);
	expect_blocked_from("127.0.0.1", "slow6000-exjoin.slow.test", LDNS_RR_TYPE_A, DNSCLIENT_TCP);
}

/* ---- exempt: log-only answers from the cache ----------------------------------------- */

static void test_log_only_answers_are_cached_and_logged(void **state)
{
	(void)state;
	static const char *clients[] = { "127.0.0.1", "127.0.0.1", "127.0.0.3", "127.0.0.1",
		"127.0.0.3", "127.0.0.1", "127.0.0.3", "127.0.0.1" };
	for (size_t i = 0; i < sizeof(clients) / sizeof(clients[0]); i++)
		expect_resolves_from(clients[i], "fast-logonly.slow.test", LDNS_RR_TYPE_A, "192.0.2.115");
	/* one lookup upstream: the seven others came from Unbound's cache */
	assert_int_equal(upstream_count("fast-logonly.slow.test."), 1);
	/* a lookalike (log-only) from the cache, and a chain into a log-only name */
	for (int i = 0; i < 4; i++) {
		expect_resolves_from("127.0.0.4", "foxysunstudios.com", LDNS_RR_TYPE_A, "198.51.100");
		expect_resolves_from("127.0.0.4", "logchain.esc.test", LDNS_RR_TYPE_A, "192.0.2.79");
	}
	/* the exempt client's lookups of blocked names go on being exempt */
	expect_resolves_from("127.0.0.2", "silverstarchina.com", LDNS_RR_TYPE_A, "198.51.100.7");
	expect_blocked("silverstarchina.com", LDNS_RR_TYPE_A, DNSCLIENT_EDNS);
	expect_resolves_from("127.0.0.2", "silverstarchina.com", LDNS_RR_TYPE_A, "198.51.100.7");
}

/* ---- cache: block answers from the cache ---------------------------------------------- */

static void test_cached_blocks_per_client(void **state)
{
	(void)state;
	static const struct { const char *src; int opts; } asks[] = {
		{ "127.0.0.1", DNSCLIENT_EDNS }, { "127.0.0.1", DNSCLIENT_EDNS }, { "127.0.0.3", DNSCLIENT_EDNS },
		{ "127.0.0.1", DNSCLIENT_EDNS }, { "127.0.0.4", 0 }, { "127.0.0.3", DNSCLIENT_EDNS | DNSCLIENT_TCP },
	};
	for (size_t i = 0; i < sizeof(asks) / sizeof(asks[0]); i++) {
		ldns_pkt *p = itcheck_ask_from(asks[i].src, "cloudfox.cloud", LDNS_RR_TYPE_MX, asks[i].opts);
		itcheck_rcode(p, LDNS_RCODE_NXDOMAIN, "cloudfox.cloud MX");
		itcheck_ede(p, asks[i].opts ? 15 : -1, asks[i].opts ? seized_ede : NULL);
		ldns_rr_list *auth = ldns_pkt_authority(p);
		assert_int_equal(ldns_rr_list_rr_count(auth), 1);
		assert_int_equal(ldns_rr_get_type(ldns_rr_list_rr(auth, 0)), LDNS_RR_TYPE_SOA);
		assert_true(ldns_rr_ttl(ldns_rr_list_rr(auth, 0)) <= 30);
		assert_int_equal(ldns_pkt_ad(p), 0);
		ldns_pkt_free(p);
	}
	/* the cached block is the block's, not a zone's: the real SOA is still real */
	ldns_pkt *p = itcheck_ask("plain.esc.test", LDNS_RR_TYPE_A, DNSCLIENT_EDNS);
	itcheck_rcode(p, LDNS_RCODE_NOERROR, "plain.esc.test");
	ldns_pkt_free(p);
}

static void test_block_that_ends_is_not_served_from_cache(void **state)
{
	(void)state;
	if (itfeed_change(dir, unbound_log, "late.txt", "fast-unblock.slow.test\n") < 0)
		fail_msg("the new blocklist did not come");
	for (int i = 0; i < 3; i++)
		expect_blocked("fast-unblock.slow.test", LDNS_RR_TYPE_A, DNSCLIENT_EDNS);
	/* (not an empty file: the refresher keeps the last good version of a feed that
	 * suddenly lists nothing) */
	if (itfeed_change(dir, unbound_log, "late.txt", "never-asked.esc.test\n") < 0)
		fail_msg("the new blocklist did not come");
	expect_resolves_from(NULL, "fast-unblock.slow.test", LDNS_RR_TYPE_A, "192.0.2.119");
}

static void test_expired_and_prefetched_answers(void **state)
{
	(void)state;
	/* TTL 2: cached, then expired (serve-expired would serve it), then listed */
	expect_resolves_from(NULL, "fast-stale.slow.test", LDNS_RR_TYPE_A, "192.0.2.120");
	for (int i = 0; i < 6; i++) { /* prefetch: asked again and again as its TTL runs out */
		expect_resolves_from(NULL, "fast-prefetch.slow.test", LDNS_RR_TYPE_A, "192.0.2.121");
		nap_ms(500);
	}
	if (itfeed_change(dir, unbound_log, "late.txt",
			  "fast-stale.slow.test\nfast-prefetch.slow.test\n") < 0)
		fail_msg("the new blocklist did not come");
	for (int i = 0; i < 3; i++) {
		expect_blocked("fast-stale.slow.test", LDNS_RR_TYPE_A, DNSCLIENT_EDNS);
		expect_blocked("fast-prefetch.slow.test", LDNS_RR_TYPE_A, DNSCLIENT_EDNS);
		nap_ms(1000);
	}
}

static void test_dns64(void **state)
{
	(void)state;
	/* an A-only name gets a synthesized AAAA; blocked names and chains do not */
	ldns_pkt *p = itcheck_ask("plain.esc.test", LDNS_RR_TYPE_AAAA, DNSCLIENT_EDNS);
	itcheck_rcode(p, LDNS_RCODE_NOERROR, "plain.esc.test AAAA");
	itcheck_answer_has(p, "64:ff9b::c000:251", "plain.esc.test AAAA (DNS64)");
	ldns_pkt_free(p);
	expect_blocked("www.cloudfox.cloud", LDNS_RR_TYPE_AAAA, DNSCLIENT_EDNS);
	expect_blocked("innocent2.test", LDNS_RR_TYPE_AAAA, DNSCLIENT_EDNS);
	expect_blocked("hop1.esc.test", LDNS_RR_TYPE_AAAA, DNSCLIENT_EDNS);
}

/* Many clients at once, four resolver threads: every answer blocked, each logged. */
#define THREADS 8
#define PER_THREAD 60

static void *many_run(void *arg)
{
	long t = (long)arg, bad = 0;
	char src[32];
	snprintf(src, sizeof(src), "127.0.0.%ld", 1 + t % 4);
	for (int i = 0; i < PER_THREAD; i++) {
		char name[80];
		/* a new name (the mesh) or the same one (the cache), by turns */
		if (i % 2)
			snprintf(name, sizeof(name), "m%ld-%d.silverstarchina.com", t, i);
		else
			snprintf(name, sizeof(name), "silverstarchina.com");
		ldns_pkt *p = dnsclient_query_from(src, port, name, LDNS_RR_TYPE_AAAA, DNSCLIENT_EDNS);
		if (!p || ldns_pkt_get_rcode(p) != LDNS_RCODE_NXDOMAIN ||
		    ldns_rr_list_rr_count(ldns_pkt_answer(p)) != 0)
			bad++;
		ldns_pkt_free(p);
	}
	return (void *)bad;
}

static void test_many_clients_four_threads(void **state)
{
	(void)state;
	assert_int_equal(itcheck_threads(THREADS, many_run), 0);
	/* what escape.test expects in the log: per client, the AAAA lookups of the plain name */
	char path[1024];
	snprintf(path, sizeof(path), "%s/expected.many", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	for (int c = 1; c <= 4; c++)
		fprintf(f, "127.0.0.%d %d\n", c, (THREADS / 4) * (PER_THREAD / 2));
	assert_int_equal(fclose(f), 0);
}

int main(int argc, char **argv)
{
	port = dnsclient_env_int("PORT");
	itcheck_port(port);
	dir = getenv("DIR");
	unbound_log = getenv("UNBOUND_LOG");
	upstream_log = getenv("UPSTREAM_LOG");
	if (!dir || !unbound_log || !upstream_log || argc != 2) {
		printf("Bail out! usage: escape exempt|cache, with PORT, DIR, UNBOUND_LOG and "
		       "UPSTREAM_LOG set\n");
		return 1;
	}
	const struct CMUnitTest exempt[] = {
		cmocka_unit_test(test_class_any_and_ch),
		cmocka_unit_test(test_qtypes_and_cd),
		cmocka_unit_test(test_eight_hop_chain),
		cmocka_unit_test(test_allow_entries_in_chains),
		cmocka_unit_test(test_client_joins_exempt_lookup),
		cmocka_unit_test(test_lookups_in_flight_during_a_swap),
		cmocka_unit_test(test_log_only_answers_are_cached_and_logged),
	};
	const struct CMUnitTest cache[] = {
		cmocka_unit_test(test_cached_blocks_per_client),
		cmocka_unit_test(test_block_that_ends_is_not_served_from_cache),
		cmocka_unit_test(test_expired_and_prefetched_answers),
		cmocka_unit_test(test_dns64),
		cmocka_unit_test(test_many_clients_four_threads),
	};
	if (strcmp(argv[1], "exempt") == 0)
		return cmocka_run_group_tests_name("escape-exempt", exempt, NULL, NULL);
	if (strcmp(argv[1], "cache") == 0)
		return cmocka_run_group_tests_name("escape-cache", cache, NULL, NULL);
	printf("Bail out! unknown group %s\n", argv[1]);
	return 1;
}
