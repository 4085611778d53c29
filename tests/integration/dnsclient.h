/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dnsclient.h — the integration tests' DNS clients: raw packets with ldns (to see
 * flags, sections and EDNS options exactly) and libunbound (to see what a
 * validating stub makes of the answers).
 */
#ifndef DNSREP_TEST_DNSCLIENT_H
#define DNSREP_TEST_DNSCLIENT_H

#include <ldns/ldns.h>
#include <unbound.h>

/** Query options for dnsclient_query(). */
enum {
	DNSCLIENT_EDNS = 1, /**< send an OPT record (EDNS0, 1232-byte buffer) */
	DNSCLIENT_DO = 2,   /**< set the DO bit (implies EDNS) */
	DNSCLIENT_TCP = 4,  /**< over TCP instead of UDP */
	DNSCLIENT_CD = 8,   /**< set the CD (checking disabled) bit */
	DNSCLIENT_CLASS_ANY = 16, /**< ask in class ANY instead of IN */
	DNSCLIENT_CLASS_CH = 32,  /**< ask in class CH instead of IN */
	DNSCLIENT_PATIENT = 64    /**< one try, waiting 15 s (not 2 tries of 3 s) */
};

/**
 * Send one query with RD set to 127.0.0.1@port and return the answer packet
 * (for ldns_pkt_free), or NULL with a message on stderr.
 */
ldns_pkt *dnsclient_query(int port, const char *name, ldns_rr_type type, int opts);

/** The same, from a chosen source address (e.g. "127.0.0.2"), or NULL for the default. */
ldns_pkt *dnsclient_query_from(const char *src, int port, const char *name, ldns_rr_type type,
	int opts);

/** The same with the query name given in wire form (any octets). */
ldns_pkt *dnsclient_query_wire(int port, const uint8_t *wire, size_t len, ldns_rr_type type,
	int opts);

/**
 * The Extended DNS Error option of an answer: its info code (or -1 when there is
 * none) and its text, NUL-terminated, in text (of size textlen).
 */
int dnsclient_ede(ldns_pkt *p, char *text, size_t textlen);

/** The answer section as sorted presentation lines, one per RR, TTLs zeroed. */
char *dnsclient_section_text(const ldns_rr_list *rrs);

/** A libunbound context that forwards to 127.0.0.1@port; trust_anchor may be NULL. */
struct ub_ctx *dnsclient_ub(int port, const char *trust_anchor);

/** An integer from the environment; aborts the test run when unset. */
int dnsclient_env_int(const char *name);

#endif
