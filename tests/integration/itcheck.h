/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * itcheck.h — the integration tests' assertions on answers (cmocka): ask the
 * resolver under test and insist on an rcode, an EDE, an answer's content.
 */
#ifndef DNSREP_TEST_ITCHECK_H
#define DNSREP_TEST_ITCHECK_H

#include <ldns/ldns.h>

/** The resolver under test: 127.0.0.1@port. */
void itcheck_port(int port);

/** Ask (from src, or the default address when NULL) and insist on an answer. */
ldns_pkt *itcheck_ask_from(const char *src, const char *name, ldns_rr_type type, int opts);
ldns_pkt *itcheck_ask(const char *name, ldns_rr_type type, int opts);

/** Fail unless the answer's rcode is rc. */
void itcheck_rcode(ldns_pkt *p, ldns_pkt_rcode rc, const char *what);

/** Fail unless the answer carries EDE code (-1: none) with text (NULL: any text). */
void itcheck_ede(ldns_pkt *p, int code, const char *text);

/** Fail unless the answer section (sorted text, TTLs zeroed) contains want. */
void itcheck_answer_has(ldns_pkt *p, const char *want, const char *what);

/**
 * Run fn on n threads at once (arg: the thread's number, 0..n-1, as a pointer) and
 * sum what they return (each a count of failures, as a pointer-sized integer).
 */
long itcheck_threads(int n, void *(*fn)(void *));

/** The answer section as text (free it). */
char *itcheck_answer_text(ldns_pkt *p);

#endif
