/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dnsclient.c — DNS clients for the integration tests (see dnsclient.h).
 */
#include "dnsclient.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/** Send a query for an owned qname rdf; frees it. */
static ldns_pkt *send_query(const char *src, int port, ldns_rdf *qname, ldns_rr_type type, int opts)
{
	ldns_resolver *res = ldns_resolver_new();
	ldns_rdf *ns = ldns_rdf_new_frm_str(LDNS_RDF_TYPE_A, "127.0.0.1");
	ldns_rdf *from = src ? ldns_rdf_new_frm_str(LDNS_RDF_TYPE_A, src) : NULL;
	ldns_pkt *answer = NULL;
	if (!res || !ns || !qname || (src && !from)) {
		fprintf(stderr, "dnsclient: out of memory or bad name\n");
		goto out;
	}
	if (ldns_resolver_push_nameserver(res, ns) != LDNS_STATUS_OK)
		goto out;
	if (from)
		ldns_resolver_set_source(res, from); /* the resolver takes it */
	from = NULL;
	ldns_resolver_set_port(res, (uint16_t)port);
	/* patient: one try that waits long, for lookups the tests keep in flight */
	ldns_resolver_set_retry(res, (opts & DNSCLIENT_PATIENT) ? 1 : 2);
	ldns_resolver_set_timeout(res, (struct timeval){ .tv_sec = (opts & DNSCLIENT_PATIENT) ? 15 : 3 });
	ldns_resolver_set_recursive(res, true);
	ldns_resolver_set_usevc(res, (opts & DNSCLIENT_TCP) != 0);
	ldns_resolver_set_fail(res, true);
	if (opts & (DNSCLIENT_EDNS | DNSCLIENT_DO))
		ldns_resolver_set_edns_udp_size(res, 1232);
	ldns_resolver_set_dnssec(res, (opts & DNSCLIENT_DO) != 0);
	ldns_rr_class cls = (opts & DNSCLIENT_CLASS_ANY) ? LDNS_RR_CLASS_ANY
			  : (opts & DNSCLIENT_CLASS_CH) ? LDNS_RR_CLASS_CH : LDNS_RR_CLASS_IN;
	ldns_status st = ldns_resolver_send(&answer, res, qname, type, cls,
					    LDNS_RD | ((opts & DNSCLIENT_CD) ? LDNS_CD : 0));
	if (st != LDNS_STATUS_OK) {
		fprintf(stderr, "dnsclient: type %d to port %d: %s\n", (int)type, port,
			ldns_get_errorstr_by_id(st));
		answer = NULL;
	}
out:
	ldns_rdf_deep_free(qname);
	ldns_rdf_deep_free(ns); /* the resolver keeps its own copy */
	ldns_rdf_deep_free(from);
	if (res)
		ldns_resolver_deep_free(res);
	return answer;
}

ldns_pkt *dnsclient_query(int port, const char *name, ldns_rr_type type, int opts)
{
	return send_query(NULL, port, ldns_dname_new_frm_str(name), type, opts);
}

ldns_pkt *dnsclient_query_from(const char *src, int port, const char *name, ldns_rr_type type,
	int opts)
{
	return send_query(src, port, ldns_dname_new_frm_str(name), type, opts);
}

ldns_pkt *dnsclient_query_wire(int port, const uint8_t *wire, size_t len, ldns_rr_type type,
	int opts)
{
	return send_query(NULL, port, ldns_rdf_new_frm_data(LDNS_RDF_TYPE_DNAME, len, wire), type, opts);
}

int dnsclient_ede(ldns_pkt *p, char *text, size_t textlen)
{
	ldns_rdf *data = ldns_pkt_edns_data(p);
	text[0] = 0;
	if (!data)
		return -1;
	const uint8_t *d = ldns_rdf_data(data);
	size_t n = ldns_rdf_size(data);
	for (size_t i = 0; i + 4 <= n;) {
		unsigned code = (unsigned)(d[i] << 8 | d[i + 1]);
		size_t len = (size_t)(d[i + 2] << 8 | d[i + 3]);
		if (i + 4 + len > n)
			return -1;
		if (code == 15 && len >= 2) {
			size_t tl = len - 2 < textlen - 1 ? len - 2 : textlen - 1;
			memcpy(text, d + i + 6, tl);
			text[tl] = 0;
			return d[i + 4] << 8 | d[i + 5];
		}
		i += 4 + len;
	}
	return -1;
}

static int cmp_lines(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char *dnsclient_section_text(const ldns_rr_list *rrs)
{
	size_t n = rrs ? ldns_rr_list_rr_count(rrs) : 0;
	char **lines = calloc(n + 1, sizeof(*lines));
	size_t total = 1;
	if (!lines)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		ldns_rr *rr = ldns_rr_clone(ldns_rr_list_rr(rrs, i));
		if (!rr)
			return NULL;
		ldns_rr_set_ttl(rr, 0);
		lines[i] = ldns_rr2str(rr);
		ldns_rr_free(rr);
		if (!lines[i])
			return NULL;
		total += strlen(lines[i]);
	}
	qsort(lines, n, sizeof(*lines), cmp_lines);
	char *text = malloc(total);
	if (!text)
		return NULL;
	text[0] = 0;
	for (size_t i = 0; i < n; i++) {
		strcat(text, lines[i]);
		free(lines[i]);
	}
	free(lines);
	return text;
}

struct ub_ctx *dnsclient_ub(int port, const char *trust_anchor)
{
	struct ub_ctx *ctx = ub_ctx_create();
	char addr[64];
	if (!ctx)
		return NULL;
	snprintf(addr, sizeof(addr), "127.0.0.1@%d", port);
	/* libunbound, like Unbound, answers test. itself unless told otherwise */
	if (ub_ctx_set_option(ctx, "do-not-query-localhost:", "no") != 0 ||
	    ub_ctx_set_option(ctx, "local-zone:", "test. transparent") != 0 ||
	    ub_ctx_set_fwd(ctx, addr) != 0 ||
	    (trust_anchor && ub_ctx_add_ta_file(ctx, trust_anchor) != 0)) {
		ub_ctx_delete(ctx);
		return NULL;
	}
	return ctx;
}

int dnsclient_env_int(const char *name)
{
	const char *v = getenv(name);
	if (!v || !*v) {
		fprintf(stderr, "Bail out! %s is not set: run through make check\n", name);
		exit(1);
	}
	return atoi(v);
}
