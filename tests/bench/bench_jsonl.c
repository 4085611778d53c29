/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_jsonl.c — `dnsrepctl report`'s JSON-lines scanner (blocklist/ctl/report_scan.c)
 * against a well-kept JSON library (jansson) on the same block log: how many MB/s each
 * turns into the fields the report counts.
 *
 *   bench_jsonl [--mb N] [--write FILE] [LOG]
 *
 * Without LOG it generates about N MB (default 500) of block log in memory, line by
 * line through the plugin's own formatter (dnsrep_blocklog_format, so the records
 * are exactly what blocklog.c writes): 50k clients (IPv4 and IPv6, a few asking
 * most), 20k rules from the seeded name generator (namegen.c, seed 1) with a skewed
 * popularity, a lookup every 0.1 s or so (500 MB: two days), subdomain, exact,
 * CNAME (with a chain) and lookalike matches, every action, 8 feeds with their
 * categories and reasons (quotes and UTF-8 in some, null in others), qnames with
 * odd octets (written as \DDD, so JSON escapes), four resolvers, and a drop event
 * every 200k lines.  --write saves it (for `dnsrepctl report FILE`).  With LOG it
 * reads that file instead (plain JSON lines).
 *
 * Then it times, over every line held in memory (cut beforehand, so neither side
 * pays for I/O or line splitting), best of 3 rounds with CLOCK_MONOTONIC:
 *   (a) report_scan_line: the fields ts, client, qname, action, rule, feed,
 *       category, event, resolver, qtype, match, technique, reason (strings,
 *       escapes decoded) and count;
 *   (b) jansson: json_loadb of the line, json_object_get of the same fourteen keys,
 *       json_string_length / json_integer_value, json_decref.
 * Both sum the decoded lengths of the fields they found, so each is seen to do the
 * same work; the sums are printed and must agree.
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <jansson.h>

#include "dnsrep/blocklog.h"
#include "dnsrep/buf.h"
#include "dnsrep/lookalike.h"
#include "dnsrep/name.h"
#include "namegen.h"
#include "report.h"

#define ROUNDS 3
#define N_RULES 20000
#define N_CLIENTS 50000
#define DROP_EVERY 200000

/** The log: the text and where each line starts. */
struct lines {
	char *text;
	size_t len;
	size_t *start;      /**< line i is text[start[i] .. start[i + 1] - 1), newline excluded */
	size_t n;
};

static void die(const char *what)
{
	fprintf(stderr, "bench_jsonl: %s\n", what);
	exit(1);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- generating a log ------------------------------------------------------------ */

/** The wire form of a generated name (plain text: no escapes). */
static uint8_t wire_of(const char *text, uint8_t *wire)
{
	struct dnsrep_name nm;
	if (dnsrep_name_from_text(&nm, text, strlen(text), NULL, 0) < 0)
		die("a generated name does not parse");
	memcpy(wire, nm.wire, nm.len);
	return nm.len;
}

/** A label of raw bytes (case and odd octets kept, as a client may ask) in front of a wire name. */
static uint8_t below(const char *label, const uint8_t *parent, uint8_t parent_len, uint8_t *wire)
{
	size_t n = strlen(label);
	if (n > 63 || 1 + n + parent_len > 255) {
		memcpy(wire, parent, parent_len);
		return parent_len;
	}
	wire[0] = (uint8_t)n;
	memcpy(wire + 1, label, n);
	memcpy(wire + 1 + n, parent, parent_len);
	return (uint8_t)(1 + n + parent_len);
}

/** A skewed pick below n, n·u³ for a uniform u: 0 comes 2.7% of the time when n is 50k. */
static uint32_t skewed(struct namegen *g, uint32_t n)
{
	double u = namegen_below(g, 1u << 30) / (double)(1u << 30);
	return (uint32_t)(n * u * u * u);
}

struct feed_kind {
	const char *feed, *category, *reason;   /* reason NULL: none */
};

static const struct feed_kind feeds[] = {
	{ "dprk-it-fronts", "seized", "Seized \"by\" the FBI (IC3 notice 2026-11)" },
	{ "fbi-seized", "seized", "Domain seized pursuant to a warrant" },
	{ "urlhaus", "malware", "Malware distribution site" },
	{ "phishing-army", "phishing", "Phishing – Zugangsdaten abgefragt" },
	{ "ads-trackers", "ads", NULL },
	{ "monitor", "watch", "new sibling of a seized name" },
	{ "local-policy", "policy", "Bloqué par la politique « sécurité »" },
	{ "lookalikes", "lookalike", NULL },
};

static const char *const sublabels[] = { "www", "api", "cdn", "mail", "login", "m", "static", "img",
	"auth", "portal", "Www", "update" };

/** Fill one lookup record. */
static void gen_record(struct namegen *g, uint64_t i, const uint8_t (*rules)[256], const uint8_t *rule_len,
		       const struct sockaddr_storage *clients, struct dnsrep_log_record *r)
{
	char text[300];
	memset(r, 0, offsetof(struct dnsrep_log_record, chain));
	r->ts_ms = INT64_C(1795000000000) + (int64_t)i * 97 + namegen_below(g, 90);
	r->client = clients[skewed(g, N_CLIENTS)];
	uint32_t ri = skewed(g, N_RULES);
	memcpy(r->rule, rules[ri], rule_len[ri]);
	r->rule_len = rule_len[ri];
	static const uint16_t qtypes[] = { 1, 1, 1, 1, 1, 28, 28, 28, 65, 15, 16 };
	r->qtype = qtypes[namegen_below(g, sizeof(qtypes) / sizeof(qtypes[0]))];

	uint32_t m = namegen_below(g, 100);
	r->match = m < 70 ? DNSREP_MATCH_SUBDOMAIN : m < 95 ? DNSREP_MATCH_EXACT : m < 98 ? DNSREP_MATCH_CNAME
		: DNSREP_MATCH_LOOKALIKE;
	if (r->match == DNSREP_MATCH_SUBDOMAIN) {
		uint32_t odd = namegen_below(g, 200);
		char label[64];
		if (odd == 0)
			snprintf(label, sizeof(label), "we ird\"%u\\x", (unsigned)namegen_below(g, 1000));
		else if (odd < 40)
			snprintf(label, sizeof(label), "h%u", (unsigned)namegen_below(g, 100000));
		else
			snprintf(label, sizeof(label), "%s", sublabels[namegen_below(g, 12)]);
		r->qname_len = below(label, r->rule, r->rule_len, r->qname);
	} else if (r->match == DNSREP_MATCH_CNAME) {
		namegen_next(g, text, 64);
		r->qname_len = wire_of(text, r->qname);
		r->chain_n = 2;
		namegen_next(g, text, 64);
		r->chain_len[0] = wire_of(text, r->chain[0]);
		memcpy(r->chain[1], r->rule, r->rule_len);
		r->chain_len[1] = r->rule_len;
	} else {
		memcpy(r->qname, r->rule, r->rule_len);
		r->qname_len = r->rule_len;
	}

	uint32_t a = namegen_below(g, 100);
	static const char *const blocked[] = { "nxdomain", "refused", "sinkhole", "nodata" };
	r->kind = a < 80 ? DNSREP_LOG_BLOCKED : a < 90 ? DNSREP_LOG_LOGONLY : a < 98 ? DNSREP_LOG_EXEMPT
		: DNSREP_LOG_ESCAPED;
	strcpy(r->action, r->kind == DNSREP_LOG_LOGONLY ? "log-only"
		: a < 70 ? "nxdomain" : blocked[namegen_below(g, 4)]);
	const struct feed_kind *fk = &feeds[r->match == DNSREP_MATCH_LOOKALIKE ? 7 : ri % 7];
	strcpy(r->feed, fk->feed);
	strcpy(r->category, fk->category);
	if (fk->reason)
		strcpy(r->reason, fk->reason);
	r->ede = r->kind == DNSREP_LOG_BLOCKED ? (namegen_below(g, 10) ? 15 : 0) : 0;
	r->technique = DNSREP_LOOKALIKE_TYPO;
	r->distance = 1;
}

/** Append to the log, growing it. */
static void put(struct lines *L, size_t *cap, const char *s, size_t n)
{
	if (L->len + n > *cap) {
		*cap = *cap * 2 + n;
		L->text = realloc(L->text, *cap);
		if (!L->text)
			die("out of memory");
	}
	memcpy(L->text + L->len, s, n);
	L->len += n;
}

static void generate(struct lines *L, size_t bytes)
{
	static uint8_t rules[N_RULES][256];
	static uint8_t rule_len[N_RULES];
	static struct sockaddr_storage clients[N_CLIENTS];
	struct namegen g;
	char text[300];
	namegen_init(&g, 1);
	for (uint32_t i = 0; i < N_RULES; i++) {
		namegen_next(&g, text, sizeof(text));
		rule_len[i] = wire_of(text, rules[i]);
	}
	for (uint32_t i = 0; i < N_CLIENTS; i++) {
		if (i % 5 == 4) {
			struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&clients[i];
			s6->sin6_family = AF_INET6;
			snprintf(text, sizeof(text), "2001:db8:%x:%x::%x", i % 7, i / 256, i % 1000);
			inet_pton(AF_INET6, text, &s6->sin6_addr);
		} else {
			struct sockaddr_in *s4 = (struct sockaddr_in *)&clients[i];
			s4->sin_family = AF_INET;
			s4->sin_addr.s_addr = htonl(0x0a000000u + i * 37u);
		}
	}
	static const char *const resolvers[] = { "r1", "r2", "resolver-3.example", "r4" };
	struct dnsrep_log_record *r = malloc(sizeof(*r));
	struct dnsrep_buf out = { 0 };
	size_t cap = bytes + 4096;
	L->text = malloc(cap);
	if (!r || !L->text)
		die("out of memory");
	for (uint64_t i = 0; L->len < bytes; i++) {
		dnsrep_buf_reset(&out);
		if (i % DROP_EVERY == DROP_EVERY - 1) {
			int n = snprintf(text, sizeof(text), "{\"event\":\"dropped\",\"count\":%u,\"ts\":"
				"\"2026-11-21T11:00:00.000Z\",\"resolver\":\"r1\"}\n", (unsigned)namegen_below(&g, 5000));
			put(L, &cap, text, (size_t)n);
		}
		gen_record(&g, i, (const uint8_t (*)[256])rules, rule_len, clients, r);
		dnsrep_blocklog_format(&out, resolvers[i % 4], r);
		if (out.failed)
			die("out of memory");
		put(L, &cap, out.data, out.len);
	}
	dnsrep_buf_free(&out);
	free(r);
}

static void read_log(struct lines *L, const char *path)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 1 << 20;
	char chunk[1 << 16];
	size_t got;
	if (!f)
		die("cannot open the log");
	L->text = malloc(cap);
	if (!L->text)
		die("out of memory");
	while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
		put(L, &cap, chunk, got);
	fclose(f);
}

/** Cut the log into lines (a last line without a newline counts). */
static void cut_lines(struct lines *L)
{
	size_t cap = 1 << 20;
	L->start = malloc((cap + 1) * sizeof(*L->start));
	for (size_t p = 0; L->start && p < L->len;) {
		const char *nl = memchr(L->text + p, '\n', L->len - p);
		size_t next = nl ? (size_t)(nl - L->text) + 1 : L->len + 1;
		if (L->n == cap) {
			cap *= 2;
			L->start = realloc(L->start, (cap + 1) * sizeof(*L->start));
			if (!L->start)
				break;
		}
		L->start[L->n++] = p;
		p = next;
	}
	if (!L->start)
		die("out of memory");
	L->start[L->n] = L->len + 1;
}

/* ---- the two readers --------------------------------------------------------------- */

/** The keys both readers look up; F_COUNT last. */
static const char *const keys[F_N] = {
	[F_TS] = "ts", [F_CLIENT] = "client", [F_QNAME] = "qname", [F_ACTION] = "action",
	[F_RULE] = "rule", [F_FEED] = "feed", [F_CATEGORY] = "category", [F_EVENT] = "event",
	[F_RESOLVER] = "resolver", [F_QTYPE] = "qtype", [F_MATCH] = "match",
	[F_TECHNIQUE] = "technique", [F_REASON] = "reason", [F_COUNT] = "count",
};

static double run_scanner(const struct lines *L, uint64_t *ok, uint64_t *sum)
{
	struct scan sc = { malloc(REPORT_MAX_LINE + 1), 0 };
	struct rec rec;
	if (!sc.scratch)
		die("out of memory");
	*ok = *sum = 0;
	double t0 = now();
	for (size_t i = 0; i < L->n; i++) {
		const char *p = L->text + L->start[i];
		size_t n = L->start[i + 1] - 1 - L->start[i];
		if (n > REPORT_MAX_LINE || report_scan_line(&sc, p, p + n, &rec) != NULL)
			continue;
		++*ok;
		for (int f = 0; f < F_COUNT; f++)
			if (rec.v[f].p)
				*sum += rec.v[f].n;
		if (rec.has_count)
			*sum += rec.count;
	}
	double t = now() - t0;
	free(sc.scratch);
	return t;
}

static double run_jansson(const struct lines *L, uint64_t *ok, uint64_t *sum)
{
	json_error_t err;
	*ok = *sum = 0;
	double t0 = now();
	for (size_t i = 0; i < L->n; i++) {
		const char *p = L->text + L->start[i];
		size_t n = L->start[i + 1] - 1 - L->start[i];
		json_t *root = json_loadb(p, n, 0, &err);
		if (!json_is_object(root)) {
			json_decref(root);
			continue;
		}
		++*ok;
		for (int f = 0; f < F_COUNT; f++) {
			const json_t *v = json_object_get(root, keys[f]);
			if (json_is_string(v))
				*sum += json_string_length(v);
		}
		const json_t *c = json_object_get(root, keys[F_COUNT]);
		if (json_is_integer(c))
			*sum += (uint64_t)json_integer_value(c);
		json_decref(root);
	}
	return now() - t0;
}

/** Best of ROUNDS; prints the rate.  @return the best time. */
static double measure(const char *label, double (*run)(const struct lines *, uint64_t *, uint64_t *),
		      const struct lines *L)
{
	double best = 0;
	uint64_t ok = 0, sum = 0;
	for (int k = 0; k < ROUNDS; k++) {
		double t = run(L, &ok, &sum);
		if (k == 0 || t < best)
			best = t;
	}
	printf("%-44s %7.3f s  %7.1f MB/s  %6.0f ns/line  (%" PRIu64 " lines parsed, checksum %" PRIu64 ")\n",
	       label, best, (double)L->len / 1e6 / best, best * 1e9 / (double)L->n, ok, sum);
	return best;
}

int main(int argc, char **argv)
{
	size_t mb = 500;
	const char *write_to = NULL, *log = NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--mb") == 0 && i + 1 < argc)
			mb = strtoul(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--write") == 0 && i + 1 < argc)
			write_to = argv[++i];
		else if (argv[i][0] != '-')
			log = argv[i];
		else
			die("usage: bench_jsonl [--mb N] [--write FILE] [LOG]");
	}
	struct lines L = { 0 };
	double t0 = now();
	if (log)
		read_log(&L, log);
	else
		generate(&L, mb * 1000 * 1000);
	cut_lines(&L);
	printf("log: %s, %.1f MB, %zu lines (%.0f bytes a line), ready in %.1f s\n",
	       log ? log : "generated (seed 1)", (double)L.len / 1e6, L.n, (double)L.len / (double)L.n,
	       now() - t0);
	if (write_to) {
		FILE *f = fopen(write_to, "wb");
		if (!f || fwrite(L.text, 1, L.len, f) != L.len || fclose(f) != 0)
			die("cannot write the log");
	}
	double a = measure("(a) report_scan_line (hand-written)", run_scanner, &L);
	double b = measure("(b) jansson " JANSSON_VERSION " json_loadb + json_object_get", run_jansson, &L);
	printf("the hand-written scanner is %.1fx as fast as jansson\n", b / a);
	free(L.text);
	free(L.start);
	return 0;
}
