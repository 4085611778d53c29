/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * itcheck.c — assertions on answers for the integration tests (see itcheck.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "dnsclient.h"
#include "itcheck.h"

static int itcheck_resolver_port;

void itcheck_port(int port)
{
	itcheck_resolver_port = port;
}

ldns_pkt *itcheck_ask_from(const char *src, const char *name, ldns_rr_type type, int opts)
{
	ldns_pkt *p = dnsclient_query_from(src, itcheck_resolver_port, name, type, opts);
	if (!p)
		fail_msg("no answer for %s from %s", name, src ? src : "the default address");
	return p;
}

ldns_pkt *itcheck_ask(const char *name, ldns_rr_type type, int opts)
{
	return itcheck_ask_from(NULL, name, type, opts);
}

void itcheck_rcode(ldns_pkt *p, ldns_pkt_rcode rc, const char *what)
{
	if (ldns_pkt_get_rcode(p) != rc) {
		char *t = itcheck_answer_text(p);
		fail_msg("%s: rcode %d, expected %d; answer:\n%s", what, (int)ldns_pkt_get_rcode(p),
			 (int)rc, t);
	}
}

char *itcheck_answer_text(ldns_pkt *p)
{
	char *t = dnsclient_section_text(ldns_pkt_answer(p));
	assert_non_null(t);
	return t;
}

void itcheck_answer_has(ldns_pkt *p, const char *want, const char *what)
{
	char *t = itcheck_answer_text(p);
	if (!strstr(t, want))
		fail_msg("%s: answer\n%s\nlacks %s", what, t, want);
	free(t);
}

void itcheck_ede(ldns_pkt *p, int code, const char *text)
{
	char got[512];
	int c = dnsclient_ede(p, got, sizeof(got));
	if (c != code)
		fail_msg("EDE code %d, expected %d (text '%s')", c, code, got);
	if (text && strcmp(got, text) != 0)
		fail_msg("EDE text '%s', expected '%s'", got, text);
}

long itcheck_threads(int n, void *(*fn)(void *))
{
	pthread_t th[64];
	long bad = 0;
	assert_true(n > 0 && n <= 64);
	for (long t = 0; t < n; t++)
		assert_int_equal(pthread_create(&th[t], NULL, fn, (void *)t), 0);
	for (int t = 0; t < n; t++) {
		void *r;
		pthread_join(th[t], &r);
		bad += (long)r;
	}
	return bad;
}
