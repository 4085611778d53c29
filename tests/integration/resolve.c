/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * resolve.c — names resolve through Unbound + plugin exactly as through Unbound alone.
 *
 * Run by resolve.test with two Unbounds in front of one NSD: PLUGIN_PORT
 * (module-config "dynlib validator iterator") and PLAIN_PORT ("validator
 * iterator").  Each case asks both and compares rcode, flags and sections, and
 * also checks the answer against what the zone says, so two equally broken
 * resolvers cannot pass.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnsclient.h"

static int plugin_port, plain_port;
static const char *trust_anchor;

/** One question and what the zone data says its answer is. */
struct qcase {
	const char *name;
	ldns_rr_type type;
	ldns_pkt_rcode rcode;
	const char *answer_has; /**< a substring of the answer section, or NULL for an empty one */
};

static const struct qcase cases[] = {
	{ "www.test.", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR, "192.0.2.10" },
	{ "www.test.", LDNS_RR_TYPE_AAAA, LDNS_RCODE_NOERROR, "2001:db8::10" },
	{ "test.", LDNS_RR_TYPE_MX, LDNS_RCODE_NOERROR, "10 mail.test." },
	{ "txt.test.", LDNS_RR_TYPE_TXT, LDNS_RCODE_NOERROR, "\"hello from nsd\" \"second string\"" },
	{ "multi.test.", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR, "192.0.2.3" },
	{ "alias.test.", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR, "alias.test.\t0\tIN\tCNAME\twww.test." },
	{ "chain1.test.", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR, "chain3.test.\t0\tIN\tCNAME\twww.test." },
	{ "dangling.test.", LDNS_RR_TYPE_A, LDNS_RCODE_NXDOMAIN, "CNAME\tnowhere.test." },
	{ "innocent.test.", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR, "198.51.100.7" },
	{ "deep.sub.test.", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR, "192.0.2.30" },
	{ "sub.test.", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR, NULL },   /* empty non-terminal */
	{ "anything.wild.test.", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR, "192.0.2.40" },
	{ "www.test.", LDNS_RR_TYPE_MX, LDNS_RCODE_NOERROR, NULL },   /* NODATA */
	{ "nonexistent.test.", LDNS_RR_TYPE_A, LDNS_RCODE_NXDOMAIN, NULL },
	{ "silverstarchina.com.", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR, "198.51.100.7" },
	{ "www.cloudfox.cloud.", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR, "198.51.100.7" },
	{ "careers.foxysunstudio.com.", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR, "198.51.100.7" },
	{ "jinyang.asia.", LDNS_RR_TYPE_AAAA, LDNS_RCODE_NOERROR, "2001:db8:bad::7" },
	{ "www.signed.test.", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR, "192.0.2.50" },
	{ "alias.signed.test.", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR, "192.0.2.50" },
	{ "none.signed.test.", LDNS_RR_TYPE_A, LDNS_RCODE_NXDOMAIN, NULL },
};

/** Ask one resolver; check rcode and answer against the zone; return the packet. */
static ldns_pkt *ask(int port, const struct qcase *c, int opts)
{
	ldns_pkt *p = dnsclient_query(port, c->name, c->type, opts);
	if (!p)
		fail_msg("no answer from port %d for %s", port, c->name);
	if (ldns_pkt_get_rcode(p) != c->rcode)
		fail_msg("%s type %d from port %d: rcode %d, expected %d", c->name, (int)c->type,
			 port, (int)ldns_pkt_get_rcode(p), (int)c->rcode);
	char *ans = dnsclient_section_text(ldns_pkt_answer(p));
	assert_non_null(ans);
	if (c->answer_has ? !strstr(ans, c->answer_has) : *ans != 0)
		fail_msg("%s type %d from port %d: answer\n%s\nexpected %s", c->name,
			 (int)c->type, port, ans, c->answer_has ? c->answer_has : "an empty answer");
	free(ans);
	return p;
}

static void assert_same_section(const ldns_rr_list *a, const ldns_rr_list *b, const char *what,
	const char *name)
{
	char *ta = dnsclient_section_text(a), *tb = dnsclient_section_text(b);
	assert_non_null(ta);
	assert_non_null(tb);
	if (strcmp(ta, tb) != 0)
		fail_msg("%s: %s section differs\nwith plugin:\n%s\nwithout:\n%s", name, what, ta, tb);
	free(ta);
	free(tb);
}

/** Every case, over UDP with and without EDNS/DO and over TCP: identical packets. */
static void compare_all(int opts)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct qcase *c = &cases[i];
		ldns_pkt *with = ask(plugin_port, c, opts);
		ldns_pkt *without = ask(plain_port, c, opts);
		assert_int_equal(ldns_pkt_qr(with), 1);
		assert_int_equal(ldns_pkt_rd(with), 1);
		assert_int_equal(ldns_pkt_ra(with), ldns_pkt_ra(without));
		assert_int_equal(ldns_pkt_aa(with), ldns_pkt_aa(without));
		assert_int_equal(ldns_pkt_tc(with), ldns_pkt_tc(without));
		if (ldns_pkt_ad(with) != ldns_pkt_ad(without))
			fail_msg("%s: AD %d with plugin, %d without", c->name, ldns_pkt_ad(with),
				 ldns_pkt_ad(without));
		assert_int_equal(ldns_pkt_edns(with), ldns_pkt_edns(without));
		assert_int_equal(ldns_pkt_edns_do(with), ldns_pkt_edns_do(without));
		assert_same_section(ldns_pkt_answer(with), ldns_pkt_answer(without), "answer", c->name);
		assert_same_section(ldns_pkt_authority(with), ldns_pkt_authority(without), "authority", c->name);
		ldns_pkt_free(with);
		ldns_pkt_free(without);
	}
}

static void test_same_packets_udp(void **state)
{
	(void)state;
	compare_all(0);
}

static void test_same_packets_edns_do(void **state)
{
	(void)state;
	compare_all(DNSCLIENT_DO);
}

static void test_same_packets_tcp(void **state)
{
	(void)state;
	compare_all(DNSCLIENT_TCP | DNSCLIENT_EDNS);
}

/** The validator below the plugin still validates: the signed zone answers AD. */
static void test_signed_zone_is_validated(void **state)
{
	(void)state;
	const int ports[] = { plugin_port, plain_port };
	for (int i = 0; i < 2; i++) {
		ldns_pkt *p = dnsclient_query(ports[i], "www.signed.test.", LDNS_RR_TYPE_A, DNSCLIENT_DO);
		assert_non_null(p);
		if (!ldns_pkt_ad(p))
			fail_msg("www.signed.test. from port %d: AD not set", ports[i]);
		ldns_pkt_free(p);
		/* the unsigned zone is insecure: never AD */
		p = dnsclient_query(ports[i], "www.test.", LDNS_RR_TYPE_A, DNSCLIENT_DO);
		assert_non_null(p);
		assert_int_equal(ldns_pkt_ad(p), 0);
		ldns_pkt_free(p);
	}
}

/** libunbound as a validating stub sees the same data, and the same security. */
static void test_libunbound_agrees(void **state)
{
	(void)state;
	struct ub_ctx *with = dnsclient_ub(plugin_port, trust_anchor);
	struct ub_ctx *without = dnsclient_ub(plain_port, trust_anchor);
	assert_non_null(with);
	assert_non_null(without);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct qcase *c = &cases[i];
		struct ub_result *a = NULL, *b = NULL;
		assert_int_equal(ub_resolve(with, c->name, c->type, LDNS_RR_CLASS_IN, &a), 0);
		assert_int_equal(ub_resolve(without, c->name, c->type, LDNS_RR_CLASS_IN, &b), 0);
		if (a->rcode != (int)c->rcode || b->rcode != (int)c->rcode)
			fail_msg("%s type %d: libunbound rcode %d with the plugin, %d without, expected %d",
				 c->name, (int)c->type, a->rcode, b->rcode, (int)c->rcode);
		assert_int_equal(a->havedata, b->havedata);
		assert_int_equal(a->nxdomain, b->nxdomain);
		assert_int_equal(a->secure, b->secure);
		assert_int_equal(a->bogus, 0);
		assert_int_equal(b->bogus, 0);
		if (strstr(c->name, "signed.test.") && c->rcode == LDNS_RCODE_NOERROR)
			assert_int_equal(a->secure, 1);
		size_t n = 0;
		while (a->data[n] && b->data[n]) {
			assert_int_equal(a->len[n], b->len[n]);
			n++;
		}
		assert_null(a->data[n]);
		assert_null(b->data[n]);
		/* the same records, maybe in another order (round robin) */
		for (size_t j = 0; j < n; j++) {
			int found = 0;
			for (size_t k = 0; k < n && !found; k++)
				found = a->len[j] == b->len[k] && memcmp(a->data[j], b->data[k], (size_t)a->len[j]) == 0;
			if (!found)
				fail_msg("%s: record %zu with the plugin is not in the answer without it", c->name, j);
		}
		ub_resolve_free(a);
		ub_resolve_free(b);
	}
	ub_ctx_delete(with);
	ub_ctx_delete(without);
}

int main(void)
{
	plugin_port = dnsclient_env_int("PLUGIN_PORT");
	plain_port = dnsclient_env_int("PLAIN_PORT");
	trust_anchor = getenv("TRUST_ANCHOR");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_packets_udp),
		cmocka_unit_test(test_same_packets_edns_do),
		cmocka_unit_test(test_same_packets_tcp),
		cmocka_unit_test(test_signed_zone_is_validated),
		cmocka_unit_test(test_libunbound_agrees),
	};
	return cmocka_run_group_tests_name("resolve", tests, NULL, NULL);
}
