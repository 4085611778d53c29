/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * variants.c — `dnsrepctl variants`: a domain's lookalike candidates,
 * optionally looked up to see which of them someone has registered.
 *
 *   dnsrepctl variants DOMAIN [--resolve] [--resolver IP[@PORT]] [--json]
 *                      [--concurrency N] [--limit N] [--registered]
 *
 * Why: the front companies behind seized domains register near-identical siblings
 * (foxysunstudio.com -> foxysunstudios.com, jinyang.asia -> jinyang.services).
 * An admin protecting a name wants to see the siblings that could exist and, with
 * --resolve, the ones that do, to feed them to the blocklist before they are used.
 *
 * The candidates come from the engine's generator (blocklist/variants.c, the
 * techniques and why); this file asks the resolver about them and prints them.
 *
 * --resolve asks NS, A and MX of each candidate through libunbound, at most
 * --concurrency queries in flight (ub_resolve_async, ub_fd + poll, ub_process).
 * A candidate is registered when an answer has data or the name exists (NOERROR),
 * not registered on NXDOMAIN, and unknown (counted) on SERVFAIL, REFUSED or errors.
 * Exit: 0 done (whatever was found), 1 resolver setup errors, 2 usage errors.
 */
#include "dnsrep_config.h"
#include "dnsrep/json.h"
#include "dnsrep/name.h"
#include "dnsrep/variants.h"
#include "ctl.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unbound.h>
#include <unistd.h>

/** Default queries in flight with --resolve. */
#define DEFAULT_CONCURRENCY 32

/* ---- candidates ------------------------------------------------------------------ */

/** What one lookup (NS, A or MX) of a candidate gave. */
struct answer {
	int done;      /**< the callback ran */
	int err;       /**< libunbound's error code, 0 when resolved */
	int rcode;
	int havedata;
	int nxdomain;
	struct dnsrep_buf data; /**< the records as text, each followed by a NUL */
};

/** The record types asked with --resolve, in output order. */
enum { Q_NS, Q_A, Q_MX, Q_COUNT };
static const int q_types[Q_COUNT] = { 2, 1, 15 };
static const char *const q_keys[Q_COUNT] = { "ns", "a", "mx" };
static const char *const q_words[Q_COUNT] = { "NS", "A", "MX" };

/** Whether a candidate exists. */
enum existence { EXIST_UNASKED, EXIST_YES, EXIST_NO, EXIST_UNKNOWN };

/** A candidate and what looking it up found. */
struct cand {
	const struct dnsrep_variant *v; /**< in gen */
	struct answer ans[Q_COUNT];
	enum existence exists;
};

/** The command's state. */
struct variants {
	struct dnsrep_variants *gen; /**< the candidates */
	struct cand *c;              /**< one per candidate, in generation order */
	size_t n;
	int nomem;
	/* resolving */
	struct ub_ctx *ub;
	size_t inflight, queries_done, queries_total;
	int progress;               /**< draw a progress bar on stderr */
};

/** The mydata of one query. */
struct query {
	struct variants *v;
	size_t cand;
	int q;
};

/* ---- resolving ------------------------------------------------------------------- */

/** A record's data as text (dig's presentation for A, NS and MX); empty when malformed. */
static void rdata_text(int type, const char *data, int len, char *out, size_t outlen)
{
	uint8_t wire[DNSREP_NAME_MAXWIRE + 1];
	const unsigned char *d = (const unsigned char *)data;
	out[0] = 0;
	if (len < 0)
		return;
	if (type == 1) {
		if (len == 4)
			inet_ntop(AF_INET, data, out, (socklen_t)outlen);
		return;
	}
	size_t skip = type == 15 ? 2 : 0;
	if ((size_t)len <= skip)
		return;
	/* a zero-filled copy: the name ends within the buffer whatever the data says */
	memset(wire, 0, sizeof(wire));
	size_t n = (size_t)len - skip;
	memcpy(wire, d + skip, n < DNSREP_NAME_MAXWIRE ? n : DNSREP_NAME_MAXWIRE);
	char name[DNSREP_NAME_MAXTEXT];
	if (dnsrep_name_to_text(wire, name, sizeof(name)) < 0)
		return;
	const char *dot = strcmp(name, ".") == 0 ? "" : ".";
	if (type == 15)
		snprintf(out, outlen, "%u %s%s", (unsigned)(d[0] << 8 | d[1]), name, dot);
	else
		snprintf(out, outlen, "%s%s", name, dot);
}

static void on_result(void *mydata, int err, struct ub_result *result)
{
	struct query *q = mydata;
	struct variants *v = q->v;
	struct answer *a = &v->c[q->cand].ans[q->q];
	a->done = 1;
	a->err = err;
	if (err == 0 && result) {
		a->rcode = result->rcode;
		a->havedata = result->havedata;
		a->nxdomain = result->nxdomain;
		for (int i = 0; result->havedata && result->data[i]; i++) {
			char text[DNSREP_NAME_MAXTEXT + 8];
			rdata_text(q_types[q->q], result->data[i], result->len[i], text, sizeof(text));
			if (*text)
				dnsrep_buf_add(&a->data, text, strlen(text) + 1);
		}
	}
	ub_resolve_free(result);
	v->inflight--;
	v->queries_done++;
}

/** Whether the candidate exists, from its three answers. */
static enum existence judge(const struct cand *c)
{
	int nx = 0, noerror = 0;
	for (int q = 0; q < Q_COUNT; q++) {
		const struct answer *a = &c->ans[q];
		if (!a->done || a->err)
			continue;
		if (a->havedata)
			return EXIST_YES;
		if (a->nxdomain || a->rcode == 3)
			nx = 1;
		else if (a->rcode == 0)
			noerror = 1;
	}
	if (nx)
		return EXIST_NO;
	return noerror ? EXIST_YES : EXIST_UNKNOWN;
}

static void draw_progress(struct variants *v, int final)
{
	if (!v->progress)
		return;
	if (final) {
		fputs("\r\033[K", stderr);
		return;
	}
	size_t total = v->queries_total ? v->queries_total : 1, width = 40;
	size_t fill = v->queries_done * width / total;
	char bar[64];
	for (size_t i = 0; i < width; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[width] = 0;
	fprintf(stderr, "\r[%s] %zu/%zu candidates", bar, v->queries_done / Q_COUNT, v->n);
}

/** Whether an address (no port) is a loopback address. */
static int is_loopback(const char *ip)
{
	struct in_addr a4;
	struct in6_addr a6;
	if (inet_pton(AF_INET, ip, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, ip, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6);
	return 0;
}

/**
 * Check --resolver: "IP" or "IP@PORT".  Fills ip (the address alone).
 * Returns 0, or -1 with err set.
 */
static int parse_resolver(const char *arg, char *ip, size_t iplen, char *err, size_t errlen)
{
	const char *at = strchr(arg, '@');
	size_t n = at ? (size_t)(at - arg) : strlen(arg);
	unsigned char tmp[sizeof(struct in6_addr)];
	if (n == 0 || n >= iplen) {
		snprintf(err, errlen, "--resolver \"%s\": expected IP or IP@PORT", arg);
		return -1;
	}
	memcpy(ip, arg, n);
	ip[n] = 0;
	if (inet_pton(AF_INET, ip, tmp) != 1 && inet_pton(AF_INET6, ip, tmp) != 1) {
		snprintf(err, errlen, "--resolver \"%s\": \"%s\" is not an IP address", arg, ip);
		return -1;
	}
	if (at) {
		char *end;
		errno = 0;
		long port = strtol(at + 1, &end, 10);
		if (errno || end == at + 1 || *end || port < 1 || port > 65535) {
			snprintf(err, errlen, "--resolver \"%s\": the port must be 1-65535", arg);
			return -1;
		}
	}
	return 0;
}

/** Set up libunbound.  Returns 0, or -1 with a message printed. */
static int resolver_setup(struct variants *v, const char *resolver, const char *resolver_ip)
{
	int rc;
	v->ub = ub_ctx_create();
	if (!v->ub) {
		fprintf(stderr, "dnsrepctl variants: cannot create a libunbound context\n");
		return -1;
	}
	if ((rc = ub_ctx_async(v->ub, 1)) != 0) {
		fprintf(stderr, "dnsrepctl variants: libunbound: %s\n", ub_strerror(rc));
		return -1;
	}
	if (resolver) {
		if (is_loopback(resolver_ip) &&
		    (rc = ub_ctx_set_option(v->ub, "do-not-query-localhost:", "no")) != 0) {
			fprintf(stderr, "dnsrepctl variants: libunbound: %s\n", ub_strerror(rc));
			return -1;
		}
		if ((rc = ub_ctx_set_fwd(v->ub, resolver)) != 0) {
			fprintf(stderr, "dnsrepctl variants: --resolver %s: %s\n", resolver, ub_strerror(rc));
			return -1;
		}
		return 0;
	}
	if ((rc = ub_ctx_resolvconf(v->ub, NULL)) != 0) {
		fprintf(stderr, "dnsrepctl variants: /etc/resolv.conf: %s\n", ub_strerror(rc));
		return -1;
	}
	if ((rc = ub_ctx_hosts(v->ub, NULL)) != 0)
		fprintf(stderr, "dnsrepctl variants: /etc/hosts: %s (ignored)\n", ub_strerror(rc));
	return 0;
}

/**
 * Ask NS, A and MX of every candidate, at most concurrency queries in flight.
 * Returns 0, or -1 with a message printed.
 */
static int resolve_all(struct variants *v, size_t concurrency)
{
	struct query *qs = calloc(v->n * Q_COUNT + 1, sizeof(*qs));
	size_t next = 0;
	int rc = 0;
	if (!qs) {
		fprintf(stderr, "dnsrepctl variants: out of memory\n");
		return -1;
	}
	v->queries_total = v->n * Q_COUNT;
	int fd = ub_fd(v->ub);
	draw_progress(v, 0);
	while (v->queries_done < v->queries_total) {
		while (v->inflight < concurrency && next < v->queries_total) {
			struct query *q = &qs[next];
			char name[DNSREP_NAME_MAXTEXT];
			q->v = v;
			q->cand = next / Q_COUNT;
			q->q = (int)(next % Q_COUNT);
			next++;
			dnsrep_name_to_text(v->c[q->cand].v->name.wire, name, sizeof(name));
			int r = ub_resolve_async(v->ub, name, q_types[q->q], 1, q, on_result, NULL);
			if (r != 0) {
				struct answer *a = &v->c[q->cand].ans[q->q];
				a->done = 1;
				a->err = r;
				v->queries_done++;
				continue;
			}
			v->inflight++;
		}
		if (v->inflight == 0)
			continue;
		struct pollfd p = { .fd = fd, .events = POLLIN, .revents = 0 };
		int pr = poll(&p, 1, 1000);
		if (pr < 0 && errno != EINTR) {
			fprintf(stderr, "dnsrepctl variants: poll: %s\n", strerror(errno));
			rc = -1;
			break;
		}
		if (pr > 0) {
			int r = ub_process(v->ub);
			if (r != 0) {
				fprintf(stderr, "dnsrepctl variants: libunbound: %s\n", ub_strerror(r));
				rc = -1;
				break;
			}
			draw_progress(v, 0);
		}
	}
	draw_progress(v, 1);
	/* on an error, queries still in flight point into qs: drop the context first */
	ub_ctx_delete(v->ub);
	v->ub = NULL;
	free(qs);
	for (size_t i = 0; i < v->n; i++) {
		v->c[i].exists = judge(&v->c[i]);
		for (int q = 0; q < Q_COUNT; q++)
			if (v->c[i].ans[q].data.failed)
				v->nomem = 1;
	}
	return rc;
}

/* ---- output ----------------------------------------------------------------------- */

/** Append the records of one answer as a JSON array of strings. */
static void json_records(struct dnsrep_buf *o, const struct answer *a)
{
	dnsrep_buf_puts(o, "[");
	int first = 1;
	for (size_t p = 0; p < a->data.len; p += strlen(a->data.data + p) + 1) {
		if (!first)
			dnsrep_buf_puts(o, ",");
		first = 0;
		dnsrep_json_str(o, a->data.data + p, strlen(a->data.data + p));
	}
	dnsrep_buf_puts(o, "]");
}

static void print_one(struct dnsrep_buf *o, const struct cand *c, int json, int resolved)
{
	char name[DNSREP_NAME_MAXTEXT];
	dnsrep_name_to_text(c->v->name.wire, name, sizeof(name));
	if (json) {
		dnsrep_buf_puts(o, "{");
		dnsrep_json_kv(o, "name", name);
		dnsrep_buf_puts(o, ",");
		dnsrep_json_kv(o, "technique", c->v->technique);
		dnsrep_buf_puts(o, ",\"registered\":");
		dnsrep_buf_puts(o, c->exists == EXIST_YES ? "true" : c->exists == EXIST_NO ? "false" : "null");
		for (int q = 0; q < Q_COUNT; q++) {
			dnsrep_buf_puts(o, ",\"");
			dnsrep_buf_puts(o, q_keys[q]);
			dnsrep_buf_puts(o, "\":");
			json_records(o, &c->ans[q]);
		}
		dnsrep_buf_puts(o, "}\n");
		return;
	}
	char line[2 * DNSREP_NAME_MAXTEXT];
	if (resolved) {
		const char *word = c->exists == EXIST_YES ? "registered"
				   : c->exists == EXIST_NO ? "-" : "unknown";
		snprintf(line, sizeof(line), "%-11s %-14s %s", word, c->v->technique, name);
	} else {
		snprintf(line, sizeof(line), "%-14s %s", c->v->technique, name);
	}
	dnsrep_buf_puts(o, line);
	/* the records, A first as an admin reads them */
	static const int order[Q_COUNT] = { Q_A, Q_NS, Q_MX };
	for (int k = 0; k < Q_COUNT; k++) {
		const struct answer *a = &c->ans[order[k]];
		for (size_t p = 0; p < a->data.len; p += strlen(a->data.data + p) + 1) {
			dnsrep_buf_puts(o, "  ");
			dnsrep_buf_puts(o, q_words[order[k]]);
			dnsrep_buf_puts(o, " ");
			dnsrep_buf_puts(o, a->data.data + p);
		}
	}
	dnsrep_buf_puts(o, "\n");
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: dnsrepctl variants DOMAIN [--resolve] [--resolver IP[@PORT]] [--json]\n"
		   "                          [--concurrency N] [--limit N] [--registered]\n"
		   "  Lookalike candidates of DOMAIN's registrable domain, as dnstwist makes them:\n"
		   "  omission, repetition, transposition, replacement, insertion, bitsquatting,\n"
		   "  vowel-swap, hyphenation, homoglyph, plural, affix, tld-swap, subdomain.\n"
		   "  --resolve          look each candidate up (NS, A, MX) to see which exist\n"
		   "  --resolver IP[@PORT]  ask this resolver (default: /etc/resolv.conf)\n"
		   "  --json             one JSON object per candidate per line\n"
		   "  --concurrency N    queries in flight with --resolve (default %d)\n"
		   "  --limit N          the first N candidates only (0: all)\n"
		   "  --registered       with --resolve, print only the candidates that exist\n",
		DEFAULT_CONCURRENCY);
}

/** Parse a count option: 0..max.  Returns 0 or -1. */
static int parse_count(const char *opt, const char *arg, unsigned long min, unsigned long max,
	size_t *out)
{
	char *end;
	errno = 0;
	unsigned long n = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || arg[0] == '-' || n < min || n > max) {
		fprintf(stderr, "dnsrepctl variants: %s \"%s\": expected a number %lu-%lu\n", opt, arg,
			min, max);
		return -1;
	}
	*out = n;
	return 0;
}

static void variants_free(struct variants *v)
{
	if (v->ub)
		ub_ctx_delete(v->ub);
	for (size_t i = 0; i < v->n; i++)
		for (int q = 0; q < Q_COUNT; q++)
			dnsrep_buf_free(&v->c[i].ans[q].data);
	free(v->c);
	dnsrep_variants_free(v->gen);
	free(v);
}

/**
 * Generate the candidates of domain (the first limit of them, 0: all).
 * @return 0; 1 out of memory; 2 DOMAIN is no domain (said on stderr).
 */
static int take_candidates(struct variants *v, const char *domain, size_t limit)
{
	char err[512];
	int t = dnsrep_variants_generate(domain, &v->gen, err, sizeof(err));
	if (t < 0) {
		fprintf(stderr, "dnsrepctl variants: %s\n", err);
		return t == -2 ? 1 : 2;
	}
	v->n = dnsrep_variants_count(v->gen);
	if (limit && v->n > limit)
		v->n = limit;
	v->c = calloc(v->n + 1, sizeof(*v->c));
	if (!v->c) {
		fprintf(stderr, "dnsrepctl variants: out of memory\n");
		return 1;
	}
	for (size_t i = 0; i < v->n; i++)
		v->c[i].v = dnsrep_variants_get(v->gen, i);
	return 0;
}

/** Print the candidates (only the registered ones with registered_only) and the summary. */
static int print_all(const struct variants *v, int json, int resolve, int registered_only)
{
	struct dnsrep_buf out = { 0 };
	size_t nreg = 0, nunknown = 0;
	for (size_t i = 0; i < v->n; i++) {
		const struct cand *c = &v->c[i];
		nreg += c->exists == EXIST_YES;
		nunknown += c->exists == EXIST_UNKNOWN;
		if (registered_only && c->exists != EXIST_YES)
			continue;
		print_one(&out, c, json, resolve);
		if (out.len > 65536) {
			if (!out.failed)
				fwrite(out.data, 1, out.len, stdout);
			dnsrep_buf_reset(&out);
		}
	}
	int failed = out.failed;
	if (!failed)
		fwrite(out.data ? out.data : "", 1, out.len, stdout);
	dnsrep_buf_free(&out);
	if (failed) {
		fprintf(stderr, "dnsrepctl variants: out of memory\n");
		return -1;
	}
	if (fflush(stdout) != 0) {
		fprintf(stderr, "dnsrepctl variants: writing: %s\n", strerror(errno));
		return -1;
	}
	if (resolve)
		fprintf(stderr, "%zu candidates, %zu registered, %zu unknown\n", v->n, nreg, nunknown);
	else
		fprintf(stderr, "%zu candidates\n", v->n);
	return 0;
}

int dnsrepctl_variants(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "resolve", no_argument, NULL, 'r' },
		{ "resolver", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "concurrency", required_argument, NULL, 'c' },
		{ "limit", required_argument, NULL, 'l' },
		{ "registered", no_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int resolve = 0, json = 0, registered_only = 0, opt, rc = 1;
	size_t concurrency = DEFAULT_CONCURRENCY, limit = 0;
	const char *resolver = NULL;
	char resolver_ip[64], err[512];
	struct variants *v = calloc(1, sizeof(*v));
	if (!v) {
		fprintf(stderr, "dnsrepctl variants: out of memory\n");
		return 1;
	}
	optind = 1;
	while ((opt = getopt_long(argc, argv, "rs:jc:l:Rh", opts, NULL)) != -1) {
		switch (opt) {
		case 'r': resolve = 1; break;
		case 's': resolver = optarg; break;
		case 'j': json = 1; break;
		case 'c':
			if (parse_count("--concurrency", optarg, 1, 4096, &concurrency) < 0)
				goto usage_error;
			break;
		case 'l':
			if (parse_count("--limit", optarg, 0, 1000000, &limit) < 0)
				goto usage_error;
			break;
		case 'R': registered_only = 1; break;
		case 'h': usage(stdout); rc = 0; goto out;
		default: goto usage_error;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "dnsrepctl variants: %s\n",
			optind >= argc ? "no domain given" : "give one domain");
		goto usage_error;
	}
	if ((resolver || registered_only) && !resolve) {
		fprintf(stderr, "dnsrepctl variants: %s needs --resolve\n",
			resolver ? "--resolver" : "--registered");
		goto usage_error;
	}
	if (resolver && parse_resolver(resolver, resolver_ip, sizeof(resolver_ip), err, sizeof(err)) < 0) {
		fprintf(stderr, "dnsrepctl variants: %s\n", err);
		goto usage_error;
	}
	if ((rc = take_candidates(v, argv[optind], limit)) != 0)
		goto out;
	rc = 1;
	if (resolve) {
		if (resolver_setup(v, resolver, resolver_ip) < 0)
			goto out;
		v->progress = isatty(2);
		if (resolve_all(v, concurrency) < 0)
			goto out;
		if (v->nomem) {
			fprintf(stderr, "dnsrepctl variants: out of memory\n");
			goto out;
		}
	}
	if (print_all(v, json, resolve, registered_only) < 0)
		goto out;
	rc = 0;
	goto out;
usage_error:
	usage(stderr);
	rc = 2;
out:
	variants_free(v);
	return rc;
}
