/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * report_filter.c — `dnsrepctl report`'s filters: which lookups count.
 *
 *   --client CIDR  --rule NAME  --category C  --action A  --feed F  --match M
 *   --qname NAME
 *
 * Each may be repeated and takes comma-separated values: a lookup passes a
 * filter when it matches any of its values, and is counted when it passes
 * every filter given (--since is report.c's).  --action and --match know their
 * values and refuse others, naming the valid ones; --rule and --qname compare
 * names case-insensitively with a trailing dot ignored, and --qname also
 * accepts a U-label (bücher.example) and matches the name and its subdomains.
 */
#include "report.h"
#include "dnsrep/config.h"
#include "dnsrep/name.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static const char *const option_names[REPORT_N_FILTERS] = {
	"client", "rule", "category", "action", "feed", "match", "qname"
};

void report_filter_views(const struct report *r, struct filter_view *v)
{
	for (int k = 0; k < REPORT_N_FILTERS; k++)
		v[k] = (struct filter_view){ option_names[k], &r->filter[k] };
}

int report_describe_filters(const struct report *r, struct dnsrep_buf *out)
{
	struct filter_view v[REPORT_N_FILTERS];
	char since[40];
	if (!r->has_since && !report_filtered(r))
		return 0;
	if (r->has_since) {
		report_format_time(r->since, 0, since, sizeof(since));
		dnsrep_buf_puts(out, "since ");
		dnsrep_buf_puts(out, since);
	}
	report_filter_views(r, v);
	for (int k = 0; k < REPORT_N_FILTERS; k++) {
		for (size_t i = 0; i < v[k].f->n; i++) {
			if (out->len)
				dnsrep_buf_puts(out, " ");
			dnsrep_buf_puts(out, v[k].name);
			dnsrep_buf_puts(out, " ");
			dnsrep_buf_puts(out, v[k].f->v[i]);
		}
	}
	return 1;
}

int report_filtered(const struct report *r)
{
	struct filter_view v[REPORT_N_FILTERS];
	report_filter_views(r, v);
	for (int k = 0; k < REPORT_N_FILTERS; k++)
		if (v[k].f->n)
			return 1;
	return 0;
}

void report_filter_free(struct report *r)
{
	for (int k = 0; k < REPORT_N_FILTERS; k++) {
		struct strfilter *f = &r->filter[k];
		for (size_t i = 0; i < f->n; i++)
			free(f->v[i]);
		f->n = 0;
	}
}

/* ---- values in ------------------------------------------------------------------- */

/** --action A: a name of the log's, or "blocked" (the four blocking actions). */
static int check_action(struct report *r, const char *v)
{
	if (strcmp(v, "blocked") == 0) {
		r->action_mask |= 1u << A_NXDOMAIN | 1u << A_NODATA | 1u << A_REFUSED | 1u << A_SINKHOLE;
		return 0;
	}
	enum action_kind a = report_action_of(v, strlen(v));
	if (a == A_OTHER) {
		fprintf(stderr, "dnsrepctl report: --action '%s': not one of nxdomain, nodata, refused, "
			"sinkhole, log-only, exempt, escaped, blocked\n", v);
		return 2;
	}
	r->action_mask |= 1u << a;
	return 0;
}

static int check_match(struct report *r, const char *v)
{
	enum match_kind m = report_match_of(v, strlen(v));
	if (m == M_OTHER) {
		fprintf(stderr, "dnsrepctl report: --match '%s': not one of exact, subdomain, lookalike, cname\n", v);
		return 2;
	}
	r->match_mask |= 1u << m;
	return 0;
}

/** --qname NAME: kept as the log writes names (A-labels, lower case, no trailing dot). */
static int check_qname(struct report *r, const char *v, size_t i)
{
	struct dnsrep_name n;
	char err[256];
	if (dnsrep_name_from_text(&n, v, strlen(v), err, sizeof(err)) < 0 || n.labels == 0) {
		fprintf(stderr, "dnsrepctl report: --qname '%s': %s\n", v, n.labels == 0 ? "the root" : err);
		return 2;
	}
	if (dnsrep_name_to_text(n.wire, r->qname_norm[i], REPORT_MAX_NAME) < 0) {
		fprintf(stderr, "dnsrepctl report: --qname '%s': too long\n", v);
		return 2;
	}
	return 0;
}

/** Check one value of filter k (the i-th) and note what it means.  0, or 2. */
static int check_value(struct report *r, enum filter_kind k, const char *v, size_t i)
{
	const char *why;
	switch (k) {
	case FK_CLIENT:
		if (dnsrep_cidr_parse(v, &r->client_filter[i], &why) < 0) {
			fprintf(stderr, "dnsrepctl report: --client '%s': %s\n", v, why);
			return 2;
		}
		return 0;
	case FK_ACTION:
		return check_action(r, v);
	case FK_MATCH:
		return check_match(r, v);
	case FK_QNAME:
		return check_qname(r, v, i);
	default:
		return 0;
	}
}

int report_filter_add(struct report *r, enum filter_kind k, const char *value)
{
	struct strfilter *f = &r->filter[k];
	const char *p = value;
	for (;;) {
		size_t n = strcspn(p, ",");
		if (n == 0) {
			fprintf(stderr, "dnsrepctl report: --%s '%s': an empty value\n", option_names[k], value);
			return 2;
		}
		if (f->n == REPORT_MAX_FILTERS) {
			fprintf(stderr, "dnsrepctl report: at most %d --%s values\n", REPORT_MAX_FILTERS, option_names[k]);
			return 2;
		}
		char *v = strndup(p, n);
		if (!v)
			return -1;
		f->v[f->n] = v;
		int rc = check_value(r, k, v, f->n);
		f->n++;
		if (rc)
			return rc;
		if (!p[n])
			return 0;
		p += n + 1;
	}
}

/* ---- the verdict ------------------------------------------------------------------ */

int report_client_passes(const struct report *r, const char *s, size_t n)
{
	char text[INET6_ADDRSTRLEN + 16];
	uint8_t addr[16];
	int family;
	if (!r->filter[FK_CLIENT].n)
		return 1;
	if (n == 0 || n >= sizeof(text) || memchr(s, 0, n))
		return 0;
	memcpy(text, s, n);
	text[n] = 0;
	if (inet_pton(AF_INET, text, addr) == 1) {
		family = AF_INET;
	} else if (inet_pton(AF_INET6, text, addr) == 1) {
		family = AF_INET6;
	} else {
		return 0;
	}
	for (size_t i = 0; i < r->filter[FK_CLIENT].n; i++) {
		const struct dnsrep_cidr *c = &r->client_filter[i];
		if (dnsrep_cidr_contains(c, family, addr))
			return 1;
		/* ::ffff:192.0.2.1 is the IPv4 client 192.0.2.1 */
		static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
		if (family == AF_INET6 && memcmp(addr, mapped, 12) == 0 &&
		    dnsrep_cidr_contains(c, AF_INET, addr + 12))
			return 1;
	}
	return 0;
}

static unsigned char fold(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

/** n bytes equal, ASCII case ignored. */
static int equal_fold(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (fold((unsigned char)a[i]) != fold((unsigned char)b[i]))
			return 0;
	return 1;
}

/** A name's length without its trailing dot (an escaped dot, "\.", stays). */
static size_t without_dot(const char *a, size_t an)
{
	if (an > 1 && a[an - 1] == '.' && a[an - 2] != '\\')
		an--;
	return an;
}

/** Names compare case-insensitively (ASCII), a trailing dot ignored. */
static int name_equal(const char *a, size_t an, const char *b, size_t bn)
{
	an = without_dot(a, an);
	bn = without_dot(b, bn);
	return an == bn && equal_fold(a, b, an);
}

int report_rule_passes(const struct report *r, const char *s, size_t n)
{
	if (!r->filter[FK_RULE].n)
		return 1;
	for (size_t i = 0; i < r->filter[FK_RULE].n; i++)
		if (name_equal(s, n, r->filter[FK_RULE].v[i], strlen(r->filter[FK_RULE].v[i])))
			return 1;
	return 0;
}

/** Whether a string field (absent: "-") is one of the filter's values. */
static int str_passes(const struct strfilter *f, const struct slice *v)
{
	const char *s = v->p ? v->p : "-";
	size_t n = v->p ? v->n : 1;
	for (size_t i = 0; i < f->n; i++)
		if (strlen(f->v[i]) == n && equal_fold(f->v[i], s, n))
			return 1;
	return 0;
}

/** Whether the asked name is a --qname name or below one. */
static int qname_passes(const struct report *r, const struct slice *q)
{
	if (!q->p)
		return 0;
	size_t n = without_dot(q->p, q->n);
	for (size_t i = 0; i < r->filter[FK_QNAME].n; i++) {
		const char *f = r->qname_norm[i];
		size_t fn = strlen(f);
		if (n < fn || !equal_fold(q->p + n - fn, f, fn))
			continue;
		/* the whole name, or a label boundary (a dot that is not escaped) */
		if (n == fn || (q->p[n - fn - 1] == '.' && (n - fn < 2 || q->p[n - fn - 2] != '\\')))
			return 1;
	}
	return 0;
}

int report_rec_passes(const struct report *r, const struct rec *rec)
{
	const struct slice *a = &rec->v[F_ACTION], *m = &rec->v[F_MATCH];
	if (r->action_mask && !(r->action_mask & 1u << report_action_of(a->p, a->p ? a->n : 0)))
		return 0;
	if (r->match_mask && !(r->match_mask & 1u << report_match_of(m->p, m->p ? m->n : 0)))
		return 0;
	if (r->filter[FK_CATEGORY].n && !str_passes(&r->filter[FK_CATEGORY], &rec->v[F_CATEGORY]))
		return 0;
	if (r->filter[FK_FEED].n && !str_passes(&r->filter[FK_FEED], &rec->v[F_FEED]))
		return 0;
	return !r->filter[FK_QNAME].n || qname_passes(r, &rec->v[F_QNAME]);
}
