/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_blocklog.c — unit tests of the block log: the exact JSON of every field and
 * kind of record, hostile names and strings (every line one line of valid JSON),
 * and the queue and writer thread: order, drops counted and logged, many
 * producers, records of the largest and smallest sizes packed into the queue's
 * cells and back byte for byte (the smallest queue too), rotation by rename and
 * by removal, open and write errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dnsrep/blocklog.h"
#include "dnsrep/lookalike.h"

/* ---- a strict JSON checker ----------------------------------------------------------- */

/*
 * RFC 8259, strictly: no raw control bytes in strings, only the defined escapes,
 * valid UTF-8, no trailing commas, numbers in JSON's grammar.  A line is valid when
 * it is exactly one object followed by "\n" and nothing else.
 */
struct jp {
	const unsigned char *s;
	size_t i, n;
	int depth;
};

static int jp_value(struct jp *p);

static void jp_ws(struct jp *p)
{
	while (p->i < p->n && (p->s[p->i] == ' ' || p->s[p->i] == '\t'))
		p->i++;
}

static int jp_lit(struct jp *p, const char *lit)
{
	size_t l = strlen(lit);
	if (p->n - p->i < l || memcmp(p->s + p->i, lit, l) != 0)
		return 0;
	p->i += l;
	return 1;
}

static int jp_hex(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/** A valid UTF-8 sequence of 2 to 4 bytes at s; its length or 0. */
static size_t jp_utf8(const unsigned char *s, size_t n)
{
	unsigned c = s[0], cp, min;
	size_t len;
	if (c >= 0xc2 && c <= 0xdf) { len = 2; min = 0x80; cp = c & 0x1f; }
	else if (c >= 0xe0 && c <= 0xef) { len = 3; min = 0x800; cp = c & 0x0f; }
	else if (c >= 0xf0 && c <= 0xf4) { len = 4; min = 0x10000; cp = c & 0x07; }
	else return 0;
	if (len > n)
		return 0;
	for (size_t k = 1; k < len; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[k] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

static int jp_string(struct jp *p)
{
	if (p->i >= p->n || p->s[p->i] != '"')
		return 0;
	p->i++;
	while (p->i < p->n) {
		unsigned char c = p->s[p->i];
		if (c == '"') {
			p->i++;
			return 1;
		}
		if (c < 0x20 || c == 0x7f)
			return 0;
		if (c == '\\') {
			if (p->i + 1 >= p->n)
				return 0;
			unsigned char e = p->s[p->i + 1];
			if (e == 'u') {
				if (p->i + 6 > p->n)
					return 0;
				for (int k = 2; k < 6; k++)
					if (!jp_hex(p->s[p->i + k]))
						return 0;
				p->i += 6;
			} else if (strchr("\"\\/bfnrt", e) && e) {
				p->i += 2;
			} else {
				return 0;
			}
		} else if (c < 0x80) {
			p->i++;
		} else {
			size_t l = jp_utf8(p->s + p->i, p->n - p->i);
			if (!l)
				return 0;
			p->i += l;
		}
	}
	return 0;
}

static int jp_digits(struct jp *p)
{
	size_t start = p->i;
	while (p->i < p->n && p->s[p->i] >= '0' && p->s[p->i] <= '9')
		p->i++;
	return p->i > start;
}

static int jp_number(struct jp *p)
{
	if (p->i < p->n && p->s[p->i] == '-')
		p->i++;
	if (p->i < p->n && p->s[p->i] == '0')
		p->i++;
	else if (!(p->i < p->n && p->s[p->i] >= '1' && p->s[p->i] <= '9') || !jp_digits(p))
		return 0;
	if (p->i < p->n && p->s[p->i] == '.') {
		p->i++;
		if (!jp_digits(p))
			return 0;
	}
	if (p->i < p->n && (p->s[p->i] == 'e' || p->s[p->i] == 'E')) {
		p->i++;
		if (p->i < p->n && (p->s[p->i] == '+' || p->s[p->i] == '-'))
			p->i++;
		if (!jp_digits(p))
			return 0;
	}
	return 1;
}

static int jp_object(struct jp *p)
{
	p->i++; /* '{' */
	jp_ws(p);
	if (p->i < p->n && p->s[p->i] == '}') {
		p->i++;
		return 1;
	}
	for (;;) {
		jp_ws(p);
		if (!jp_string(p))
			return 0;
		jp_ws(p);
		if (p->i >= p->n || p->s[p->i] != ':')
			return 0;
		p->i++;
		if (!jp_value(p))
			return 0;
		jp_ws(p);
		if (p->i >= p->n)
			return 0;
		if (p->s[p->i] == '}') {
			p->i++;
			return 1;
		}
		if (p->s[p->i] != ',')
			return 0;
		p->i++;
	}
}

static int jp_array(struct jp *p)
{
	p->i++; /* '[' */
	jp_ws(p);
	if (p->i < p->n && p->s[p->i] == ']') {
		p->i++;
		return 1;
	}
	for (;;) {
		if (!jp_value(p))
			return 0;
		jp_ws(p);
		if (p->i >= p->n)
			return 0;
		if (p->s[p->i] == ']') {
			p->i++;
			return 1;
		}
		if (p->s[p->i] != ',')
			return 0;
		p->i++;
	}
}

static int jp_value(struct jp *p)
{
	int ok;
	jp_ws(p);
	if (p->i >= p->n || ++p->depth > 32)
		return 0;
	switch (p->s[p->i]) {
	case '{': ok = jp_object(p); break;
	case '[': ok = jp_array(p); break;
	case '"': ok = jp_string(p); break;
	case 't': ok = jp_lit(p, "true"); break;
	case 'f': ok = jp_lit(p, "false"); break;
	case 'n': ok = jp_lit(p, "null"); break;
	default: ok = jp_number(p); break;
	}
	p->depth--;
	return ok;
}

/** Whether s[0..n) is one JSON object and a newline, nothing more. */
static int json_line_ok(const char *s, size_t n)
{
	struct jp p = { (const unsigned char *)s, 0, n, 0 };
	if (n == 0 || s[0] != '{' || !jp_value(&p))
		return 0;
	return p.i + 1 == n && s[p.i] == '\n';
}

/* The checker itself must be able to say no. */
static void test_json_checker(void **state)
{
	(void)state;
	static const char *good[] = {
		"{}\n", "{\"a\":1}\n", "{\"a\":[\"x\",null,true,false,-0.5e+3]}\n",
		"{\"a\":\"\\u00e9\\n\\\"\\\\\\/\"}\n", "{\"a\":\"\xc3\xa9\"}\n",
	};
	static const char *bad[] = {
		"{}", "{}\n\n", "{}\n{}\n", "{\"a\":1,}\n", "{\"a\":\"\n\"}\n",
		"{\"a\":\"\x01\"}\n", "{\"a\":\"\\x41\"}\n", "{\"a\":\"\\u12\"}\n",
		"{\"a\":\"\xff\"}\n", "{\"a\":\"\xc3\"}\n", "{\"a\":01}\n", "{\"a\":1.}\n",
		"{\"a\" 1}\n", "{a:1}\n", "[1]\n", "{\"a\":\"x}\n", "{\"a\":nul}\n",
		"{\"a\":\"\xed\xa0\x80\"}\n",
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!json_line_ok(good[i], strlen(good[i])))
			fail_msg("valid JSON refused: %s", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (json_line_ok(bad[i], strlen(bad[i])))
			fail_msg("invalid JSON accepted: %s", bad[i]);
}

/* ---- records -------------------------------------------------------------------------- */

/** Wire form of a dotted name without escapes ("" or "." is the root). */
static uint8_t wire_of(const char *text, uint8_t *w)
{
	size_t o = 0;
	const char *p = text;
	if (strcmp(text, ".") == 0)
		p = "";
	while (*p) {
		const char *dot = strchr(p, '.');
		size_t l = dot ? (size_t)(dot - p) : strlen(p);
		w[o++] = (uint8_t)l;
		memcpy(w + o, p, l);
		o += l;
		p += l + (dot ? 1 : 0);
	}
	w[o++] = 0;
	return (uint8_t)o;
}

/** Append one label of raw bytes to a wire name being built (no root yet). */
static void add_label(uint8_t *w, size_t *len, const void *bytes, size_t n)
{
	w[(*len)++] = (uint8_t)n;
	memcpy(w + *len, bytes, n);
	*len += n;
}

static void set_ipv4(struct dnsrep_log_record *r, const char *addr, uint16_t port)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&r->client;
	memset(&r->client, 0, sizeof(r->client));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	assert_int_equal(inet_pton(AF_INET, addr, &sin->sin_addr), 1);
}

static void set_ipv6(struct dnsrep_log_record *r, const char *addr, uint16_t port)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&r->client;
	memset(&r->client, 0, sizeof(r->client));
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(port);
	assert_int_equal(inet_pton(AF_INET6, addr, &sin6->sin6_addr), 1);
}

/** A blocked exact match, every field set. */
static void rec_base(struct dnsrep_log_record *r)
{
	memset(r, 0, sizeof(*r));
	r->ts_ms = 1795259340123; /* 2026-11-21T11:09:00.123Z */
	set_ipv4(r, "192.0.2.1", 53000);
	r->qname_len = wire_of("Front-Co.example", r->qname);
	r->qtype = 1;
	r->rule_len = wire_of("front-co.example", r->rule);
	r->kind = DNSREP_LOG_BLOCKED;
	r->match = DNSREP_MATCH_EXACT;
	r->ede = 15;
	strcpy(r->action, "nxdomain");
	strcpy(r->feed, "ofac");
	strcpy(r->category, "seized");
	strcpy(r->reason, "DOJ seizure 2023-10-18");
}

/** Format r; the result must be one valid JSON line.  Free it. */
static char *fmt(const struct dnsrep_log_record *r, const char *resolver)
{
	struct dnsrep_buf b = { 0 };
	dnsrep_blocklog_format(&b, resolver, r);
	assert_int_equal(b.failed, 0);
	assert_non_null(b.data);
	assert_int_equal(strlen(b.data), b.len);
	if (memchr(b.data, '\n', b.len) != b.data + b.len - 1)
		fail_msg("not exactly one line: %s", b.data);
	if (!json_line_ok(b.data, b.len))
		fail_msg("not valid JSON: %s", b.data);
	return b.data;
}

/** s with every '|' turned into a backslash: keeps expected escapes readable. */
static char *bs(const char *s)
{
	char *o = strdup(s);
	assert_non_null(o);
	for (char *p = o; *p; p++)
		if (*p == '|')
			*p = '\\';
	return o;
}

/** The JSON value of key in a formatted line (up to the next ,"): freed by caller. */
static char *field(const char *line, const char *key)
{
	char pat[64];
	snprintf(pat, sizeof(pat), "\"%s\":", key);
	const char *p = strstr(line, pat);
	if (!p)
		return NULL;
	p += strlen(pat);
	const char *e = p;
	/* a string (escapes skipped), an array of strings without ']', null or a number */
	if (*e == '"') {
		for (e++; *e && *e != '"'; e++)
			if (*e == '\\' && e[1])
				e++;
		if (*e)
			e++;
	} else if (*e == '[') {
		e = strchr(e, ']') + 1;
	} else {
		while (*e && *e != ',' && *e != '}')
			e++;
	}
	return strndup(p, (size_t)(e - p));
}

static void expect_field(const char *line, const char *key, const char *want_bs)
{
	char *got = field(line, key);
	char *want = bs(want_bs);
	if (!got || strcmp(got, want) != 0)
		fail_msg("%s: got %s, want %s\nline: %s", key, got ? got : "(none)", want, line);
	free(got);
	free(want);
}

/* ---- format: each field and kind -------------------------------------------------- */

static void test_format_blocked_ipv4(void **state)
{
	(void)state;
	struct dnsrep_log_record r;
	rec_base(&r);
	char *s = fmt(&r, "res1");
	assert_string_equal(s,
		"{\"ts\":\"2026-11-21T11:09:00.123Z\",\"resolver\":\"res1\",\"client\":\"192.0.2.1\","
		"\"qname\":\"Front-Co.example\",\"qtype\":\"A\",\"action\":\"nxdomain\","
		"\"match\":\"exact\",\"rule\":\"front-co.example\",\"feed\":\"ofac\","
		"\"category\":\"seized\",\"reason\":\"DOJ seizure 2023-10-18\",\"ede\":15}\n");
	free(s);
}

static void test_format_exempt_ipv6(void **state)
{
	(void)state;
	struct dnsrep_log_record r;
	rec_base(&r);
	r.kind = DNSREP_LOG_EXEMPT; /* the action string says nxdomain; exempt wins */
	set_ipv6(&r, "2001:db8::1", 40000);
	r.qtype = 28;
	r.match = DNSREP_MATCH_SUBDOMAIN;
	r.qname_len = wire_of("www.front-co.example", r.qname);
	r.reason[0] = 0;
	r.ede = 0;
	char *s = fmt(&r, "res1");
	assert_string_equal(s,
		"{\"ts\":\"2026-11-21T11:09:00.123Z\",\"resolver\":\"res1\",\"client\":\"2001:db8::1\","
		"\"qname\":\"www.front-co.example\",\"qtype\":\"AAAA\",\"action\":\"exempt\","
		"\"match\":\"subdomain\",\"rule\":\"front-co.example\",\"feed\":\"ofac\","
		"\"category\":\"seized\",\"reason\":null,\"ede\":null}\n");
	free(s);
}

static void test_format_logonly_v4mapped(void **state)
{
	(void)state;
	struct dnsrep_log_record r;
	rec_base(&r);
	r.kind = DNSREP_LOG_LOGONLY;
	strcpy(r.action, "log-only");
	set_ipv6(&r, "::ffff:198.51.100.7", 5353);
	r.qtype = 65534;
	r.match = DNSREP_MATCH_LOOKALIKE;
	r.technique = DNSREP_LOOKALIKE_TYPO;
	r.distance = 1;
	r.ede = 0;
	char *s = fmt(&r, "res-2.example");
	assert_string_equal(s,
		"{\"ts\":\"2026-11-21T11:09:00.123Z\",\"resolver\":\"res-2.example\","
		"\"client\":\"198.51.100.7\",\"qname\":\"Front-Co.example\",\"qtype\":\"TYPE65534\","
		"\"action\":\"log-only\",\"match\":\"lookalike\",\"rule\":\"front-co.example\","
		"\"feed\":\"ofac\",\"category\":\"seized\",\"reason\":\"DOJ seizure 2023-10-18\","
		"\"ede\":null,\"technique\":\"typo\",\"distance\":1}\n");
	free(s);
}

static void test_format_cname_chain(void **state)
{
	(void)state;
	struct dnsrep_log_record r;
	rec_base(&r);
	r.match = DNSREP_MATCH_CNAME;
	r.qname_len = wire_of("innocent.example.org", r.qname);
	r.chain_n = 2;
	r.chain_len[0] = wire_of("cdn.example.net", r.chain[0]);
	r.chain_len[1] = wire_of("Front-Co.example", r.chain[1]);
	r.ede = 65535;
	char *s = fmt(&r, "res1");
	assert_string_equal(s,
		"{\"ts\":\"2026-11-21T11:09:00.123Z\",\"resolver\":\"res1\",\"client\":\"192.0.2.1\","
		"\"qname\":\"innocent.example.org\",\"qtype\":\"A\",\"action\":\"nxdomain\","
		"\"match\":\"cname\",\"rule\":\"front-co.example\",\"feed\":\"ofac\","
		"\"category\":\"seized\",\"reason\":\"DOJ seizure 2023-10-18\",\"ede\":65535,"
		"\"chain\":[\"cdn.example.net\",\"Front-Co.example\"]}\n");
	free(s);

	/* an empty chain is still written for a cname match */
	r.chain_n = 0;
	s = fmt(&r, "res1");
	expect_field(s, "chain", "[]");
	free(s);

	/* more names than the record holds: only the ones it holds */
	r.chain_n = 200;
	for (int i = 0; i < DNSREP_LOG_CHAIN; i++)
		r.chain_len[i] = wire_of(i % 2 ? "b" : "a", r.chain[i]);
	s = fmt(&r, "res1");
	expect_field(s, "chain", "[\"a\",\"b\",\"a\",\"b\"]");
	free(s);

	/* no chain key for any other match, whatever chain_n says */
	r.match = DNSREP_MATCH_SUBDOMAIN;
	r.chain_n = 2;
	s = fmt(&r, "res1");
	assert_null(strstr(s, "chain"));
	const char *tail = ",\"ede\":65535}\n";
	assert_string_equal(s + strlen(s) - strlen(tail), tail);
	free(s);
}

static void test_format_qtypes(void **state)
{
	(void)state;
	static const struct { uint16_t t; const char *want; } cases[] = {
		{ 1, "\"A\"" }, { 2, "\"NS\"" }, { 5, "\"CNAME\"" }, { 6, "\"SOA\"" },
		{ 12, "\"PTR\"" }, { 15, "\"MX\"" }, { 16, "\"TXT\"" }, { 28, "\"AAAA\"" },
		{ 33, "\"SRV\"" }, { 64, "\"SVCB\"" }, { 65, "\"HTTPS\"" }, { 255, "\"ANY\"" },
		{ 0, "\"TYPE0\"" }, { 65534, "\"TYPE65534\"" }, { 65280, "\"TYPE65280\"" },
	};
	struct dnsrep_log_record r;
	rec_base(&r);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		r.qtype = cases[i].t;
		char *s = fmt(&r, "res1");
		expect_field(s, "qtype", cases[i].want);
		free(s);
	}
}

static void test_format_times(void **state)
{
	(void)state;
	static const struct { int64_t ms; const char *want; } cases[] = {
		{ 0, "\"1970-01-01T00:00:00.000Z\"" },
		{ 1, "\"1970-01-01T00:00:00.001Z\"" },
		{ 999, "\"1970-01-01T00:00:00.999Z\"" },
		{ -1, "\"1969-12-31T23:59:59.999Z\"" },
		{ 951782400000, "\"2000-02-29T00:00:00.000Z\"" },
		{ 1795259340123, "\"2026-11-21T11:09:00.123Z\"" },
		{ 4102444799999, "\"2099-12-31T23:59:59.999Z\"" },
	};
	struct dnsrep_log_record r;
	rec_base(&r);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		r.ts_ms = cases[i].ms;
		char *s = fmt(&r, "res1");
		expect_field(s, "ts", cases[i].want);
		free(s);
	}
	/* times outside RFC 3339's four-digit years are clamped */
	static const struct { int64_t ms; const char *want; } clamped[] = {
		{ 253402300800000, "\"9999-12-31T23:59:59.999Z\"" },  /* 10000-01-01 */
		{ INT64_MAX, "\"9999-12-31T23:59:59.999Z\"" },
		{ -62167219200001, "\"0000-01-01T00:00:00.000Z\"" }, /* just before year 0 */
		{ INT64_MIN, "\"0000-01-01T00:00:00.000Z\"" },
		{ 253402300799999, "\"9999-12-31T23:59:59.999Z\"" },  /* the last that fits */
		{ -62167219200000, "\"0000-01-01T00:00:00.000Z\"" },  /* the first that fits */
	};
	for (size_t i = 0; i < sizeof(clamped) / sizeof(clamped[0]); i++) {
		r.ts_ms = clamped[i].ms;
		char *s = fmt(&r, "res1");
		expect_field(s, "ts", clamped[i].want);
		free(s);
	}
	/* every ede number */
	static const struct { uint16_t ede; const char *want; } edes[] = {
		{ 1, "1" }, { 9, "9" }, { 10, "10" }, { 99, "99" }, { 100, "100" }, { 999, "999" },
		{ 1000, "1000" }, { 9999, "9999" }, { 10000, "10000" }, { 65535, "65535" },
	};
	for (size_t i = 0; i < sizeof(edes) / sizeof(edes[0]); i++) {
		r.ede = edes[i].ede;
		char *s = fmt(&r, "res1");
		expect_field(s, "ede", edes[i].want);
		free(s);
	}
}

static void test_format_clients_and_matches(void **state)
{
	(void)state;
	struct dnsrep_log_record r;
	rec_base(&r);
	char *s;

	set_ipv6(&r, "::1", 53);
	s = fmt(&r, "res1");
	expect_field(s, "client", "\"::1\"");
	free(s);
	set_ipv6(&r, "fe80::1:2", 53);
	s = fmt(&r, "res1");
	expect_field(s, "client", "\"fe80::1:2\"");
	free(s);
	set_ipv6(&r, "::ffff:0.0.0.1", 53); /* v4-mapped: shown as IPv4 */
	s = fmt(&r, "res1");
	expect_field(s, "client", "\"0.0.0.1\"");
	free(s);
	set_ipv6(&r, "::1.2.3.4", 53); /* v4-compatible (deprecated) is not v4-mapped */
	s = fmt(&r, "res1");
	expect_field(s, "client", "\"::1.2.3.4\"");
	free(s);
	set_ipv4(&r, "255.255.255.255", 1);
	s = fmt(&r, "res1");
	expect_field(s, "client", "\"255.255.255.255\"");
	free(s);
	memset(&r.client, 0, sizeof(r.client)); /* no family */
	s = fmt(&r, "res1");
	expect_field(s, "client", "null");
	free(s);

	static const char *matches[] = { "\"exact\"", "\"subdomain\"", "\"lookalike\"", "\"cname\"",
					 "\"unknown\"", "\"unknown\"" };
	static const uint8_t kinds[] = { DNSREP_MATCH_EXACT, DNSREP_MATCH_SUBDOMAIN, DNSREP_MATCH_LOOKALIKE,
					 DNSREP_MATCH_CNAME, DNSREP_MATCH_NONE, 77 };
	for (int m = 0; m < 6; m++) {
		r.match = kinds[m];
		s = fmt(&r, "res1");
		expect_field(s, "match", matches[m]);
		free(s);
	}
}

/* ---- format: hostile input ------------------------------------------------------------ */

static void expect_qname(const uint8_t *wire, size_t len, const char *want_bs)
{
	struct dnsrep_log_record r;
	rec_base(&r);
	memcpy(r.qname, wire, len);
	r.qname_len = (uint8_t)len;
	char *s = fmt(&r, "res1");
	expect_field(s, "qname", want_bs);
	/* the same name as the rule and in a chain */
	memcpy(r.rule, wire, len);
	r.rule_len = (uint8_t)len;
	r.match = DNSREP_MATCH_CNAME;
	r.chain_n = 1;
	memcpy(r.chain[0], wire, len);
	r.chain_len[0] = (uint8_t)len;
	char *s2 = fmt(&r, "res1");
	expect_field(s2, "rule", want_bs);
	char *want = bs(want_bs);
	char *chain = field(s2, "chain");
	assert_non_null(chain);
	assert_int_equal(strlen(chain), strlen(want) + 2);
	assert_memory_equal(chain + 1, want, strlen(want));
	free(chain);
	free(want);
	free(s2);
	free(s);
}

static void test_format_hostile_names(void **state)
{
	(void)state;
	uint8_t w[300];
	size_t n;

	/* a quote, a backslash and a dot inside labels */
	n = 0;
	add_label(w, &n, "a\"b", 3);
	add_label(w, &n, "c\\d", 3);
	add_label(w, &n, "e.f", 3);
	w[n++] = 0;
	expect_qname(w, n, "\"a||034b.c||||d.e||.f\"");

	/* control bytes, DEL, a space, a NUL inside a label */
	n = 0;
	add_label(w, &n, "\x01\n\x7f \0x", 6);
	w[n++] = 0;
	expect_qname(w, n, "\"||001||010||127||032||000x\"");

	/* bytes that are not UTF-8, and some that are */
	n = 0;
	add_label(w, &n, "\xff\xfe" "A", 3);
	add_label(w, &n, "\xc3\xa9", 2);
	w[n++] = 0;
	expect_qname(w, n, "\"||255||254A.||195||169\"");

	/* case kept; underscore and hyphen as they are */
	n = wire_of("_dmarc.WwW.x-Y.COM", w);
	expect_qname(w, n, "\"_dmarc.WwW.x-Y.COM\"");

	/* the root */
	w[0] = 0;
	expect_qname(w, 1, "\".\"");

	/* 255 octets, every one 0xff: 63+63+63+61 octets of labels */
	n = 0;
	uint8_t ff[63];
	memset(ff, 0xff, sizeof(ff));
	add_label(w, &n, ff, 63);
	add_label(w, &n, ff, 63);
	add_label(w, &n, ff, 63);
	add_label(w, &n, ff, 61);
	w[n++] = 0;
	assert_int_equal(n, 255);
	{
		struct dnsrep_log_record r;
		rec_base(&r);
		memcpy(r.qname, w, n);
		r.qname_len = (uint8_t)n;
		char *s = fmt(&r, "res1");
		char *q = field(s, "qname");
		assert_int_equal(strlen(q), 250 * 5 + 3 + 2); /* \\255 each, 3 dots, quotes */
		char *want = bs("\"||255||255");
		assert_memory_equal(q, want, strlen(want));
		free(want);
		free(q);
		free(s);
	}
}

static void test_format_malformed_names(void **state)
{
	(void)state;
	uint8_t w[300] = { 0 };

	/* no name at all */
	expect_qname(w, 0, "\"\"");

	/* no root label */
	memcpy(w, "\003abc", 4);
	expect_qname(w, 4, "\"||003||097||098||099\"");

	/* a label running past the end */
	memcpy(w, "\005ab\0", 4);
	expect_qname(w, 4, "\"||005||097||098||000\"");

	/* octets after the root */
	memcpy(w, "\001a\000x", 4);
	expect_qname(w, 4, "\"||001||097||000||120\"");

	/* a compression pointer */
	memcpy(w, "\001a\xc0\x0c", 4);
	expect_qname(w, 4, "\"||001||097||192||012\"");

	/* a 64-octet label */
	w[0] = 64;
	memset(w + 1, 'a', 64);
	w[65] = 0;
	{
		struct dnsrep_log_record r;
		rec_base(&r);
		memcpy(r.qname, w, 66);
		r.qname_len = 66;
		char *s = fmt(&r, "res1");
		char *q = field(s, "qname");
		assert_int_equal(strlen(q), 66 * 5 + 2);
		char *want = bs("\"||064||097||097");
		assert_memory_equal(q, want, strlen(want));
		free(want);
		free(q);
		free(s);
	}

	/* 255 octets of 63-octet labels: no root within the name's length */
	for (int i = 0; i < 4; i++) {
		w[i * 64] = 63;
		memset(w + i * 64 + 1, 'z', 63);
	}
	{
		struct dnsrep_log_record r;
		rec_base(&r);
		memcpy(r.qname, w, 256);
		r.qname_len = 255;
		char *s = fmt(&r, "res1");
		char *q = field(s, "qname");
		assert_int_equal(strlen(q), 255 * 5 + 2);
		free(q);
		free(s);
	}
}

static void test_format_hostile_strings(void **state)
{
	(void)state;
	struct dnsrep_log_record r;
	rec_base(&r);
	strcpy(r.action, "a\"\\\n");
	strcpy(r.feed, "\xff" "x\x1f");
	strcpy(r.category, "caf\xc3\xa9 \xe2\x80\xa8"); /* valid UTF-8 kept, U+2028 too */
	strcpy(r.reason, "a\x01\"},{\"x\":1");
	char *s = fmt(&r, "r\"1\\\n\t\x7f");
	expect_field(s, "resolver", "\"r|\"1|||u000a|u0009|u007f\"");
	expect_field(s, "action", "\"a|\"|||u000a\"");
	expect_field(s, "feed", "\"|ufffdx|u001f\"");
	expect_field(s, "category", "\"caf\xc3\xa9 \xe2\x80\xa8\"");
	expect_field(s, "reason", "\"a|u0001|\"},{|\"x|\":1\"");
	free(s);

	/* text fields filling their arrays, without a NUL: cut at the array's end */
	memset(r.feed, 'f', sizeof(r.feed));
	memset(r.category, 'c', sizeof(r.category));
	memset(r.reason, 'r', sizeof(r.reason));
	memset(r.action, 'a', sizeof(r.action));
	s = fmt(&r, NULL);
	expect_field(s, "resolver", "\"\"");
	char *f = field(s, "feed");
	assert_int_equal(strlen(f), DNSREP_LOG_FEED + 2);
	free(f);
	f = field(s, "reason");
	assert_int_equal(strlen(f), DNSREP_LOG_REASON + 2);
	free(f);
	f = field(s, "action");
	assert_int_equal(strlen(f), DNSREP_LOG_ACTION + 2);
	free(f);
	free(s);

	/* every byte value in every text field: still one valid line */
	for (int c = 1; c < 256; c++) {
		memset(r.reason, c, 40);
		r.reason[40] = 0;
		memset(r.feed, c, 10);
		r.feed[10] = 0;
		char resolver[4] = { (char)c, (char)c, 'x', 0 };
		free(fmt(&r, resolver));
	}
}

/* A pseudo-random record of any bytes at all must still give one valid JSON line. */
static void test_format_random_records(void **state)
{
	(void)state;
	uint64_t x = 0x9e3779b97f4a7c15u;
	struct dnsrep_log_record r;
	for (int round = 0; round < 3000; round++) {
		uint8_t *p = (uint8_t *)&r;
		for (size_t i = 0; i < sizeof(r); i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			p[i] = (uint8_t)x;
		}
		if (round % 2)
			r.client.ss_family = round % 4 == 1 ? AF_INET : AF_INET6;
		r.match = (uint8_t)(r.match % 5);
		free(fmt(&r, "res1"));
	}
}

/*
 * Decode a qname field as a reader must: the JSON string (\" and \\), then the
 * presentation escapes (\DDD, \X) and the dots between labels.  Returns the wire
 * length, or 0 when it does not decode.
 */
static size_t decode_qname(const char *q, uint8_t *w)
{
	size_t qlen = strlen(q), n = 0, lab = 0;
	char text[2048];
	size_t t = 0;
	if (qlen < 2 || q[0] != '"' || q[qlen - 1] != '"')
		return 0;
	for (size_t i = 1; i + 1 < qlen; i++) { /* JSON */
		if (q[i] == '\\') {
			i++;
			if (q[i] != '"' && q[i] != '\\')
				return 0; /* the log escapes nothing else at this level */
		}
		text[t++] = q[i];
	}
	if (t == 1 && text[0] == '.') {
		w[0] = 0;
		return 1;
	}
	w[n++] = 0; /* the first label's length, filled in below */
	for (size_t i = 0; i < t; i++) {
		uint8_t c = (uint8_t)text[i];
		if (c == '.') {
			w[lab] = (uint8_t)(n - lab - 1);
			lab = n;
			w[n++] = 0;
			continue;
		}
		if (c == '\\') {
			if (i + 3 < t && isdigit((unsigned char)text[i + 1])) {
				c = (uint8_t)((text[i + 1] - '0') * 100 + (text[i + 2] - '0') * 10 +
					      (text[i + 3] - '0'));
				i += 3;
			} else {
				c = (uint8_t)text[++i];
			}
		}
		w[n++] = c;
	}
	w[lab] = (uint8_t)(n - lab - 1);
	w[n++] = 0;
	return n;
}

/* Property: any qname, formatted into a record, is one JSON line whose qname field
 * decodes to exactly the wire name asked, octet for octet (case kept). */
static void test_format_qname_property(void **state)
{
	(void)state;
	static const uint8_t alphabet[] = { 'a', 'Z', '0', '-', '_', '.', '\\', '"', ' ', 0, 0x7f,
					    0x80, 0xc3, 0xff, '\n', '{', '}', ',', ':' };
	uint64_t x = 0x2545f4914f6cdd1du;
	for (int round = 0; round < 20000; round++) {
		uint8_t w[256], back[256];
		size_t n = 0;
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		int labels = (int)(x % 7);
		for (int l = 0; l < labels; l++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			size_t len = 1 + (size_t)(x % 63);
			if (n + 1 + len + 1 > 255)
				break;
			w[n++] = (uint8_t)len;
			for (size_t i = 0; i < len; i++) {
				x ^= x << 13, x ^= x >> 7, x ^= x << 17;
				w[n++] = (x >> 8) % 3 ? alphabet[x % sizeof(alphabet)] : (uint8_t)(x >> 16);
			}
		}
		w[n++] = 0;
		struct dnsrep_log_record r;
		rec_base(&r);
		memcpy(r.qname, w, n);
		r.qname_len = (uint8_t)n;
		char *line = fmt(&r, "res1"); /* one line, valid JSON */
		char *q = field(line, "qname");
		assert_non_null(q);
		size_t m = decode_qname(q, back);
		if (m != n || memcmp(back, w, n) != 0)
			fail_msg("round %d: qname %s does not decode to the name asked", round, q);
		free(q);
		free(line);
	}
}

/* ---- files ------------------------------------------------------------------------------ */

static char tmpdir[256];

static int setup_tmpdir(void **state)
{
	(void)state;
	umask(022);
	snprintf(tmpdir, sizeof(tmpdir), "%s/dnsrep-test-blocklog-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_tmpdir(void **state)
{
	(void)state;
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void tmp_path(char *out, size_t size, const char *name)
{
	snprintf(out, size, "%s/%s", tmpdir, name);
}

/** The whole file (NUL-terminated), or NULL when it does not exist. */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0;
	char *d = malloc(cap);
	assert_non_null(d);
	size_t got;
	while ((got = fread(d + n, 1, cap - n - 1, f)) > 0) {
		n += got;
		if (cap - n - 1 == 0) {
			cap *= 2;
			d = realloc(d, cap);
			assert_non_null(d);
		}
	}
	fclose(f);
	d[n] = 0;
	*len = n;
	return d;
}

static size_t count_lines(const char *path)
{
	size_t len, n = 0;
	char *d = slurp(path, &len);
	if (!d)
		return 0;
	for (size_t i = 0; i < len; i++)
		n += d[i] == '\n';
	free(d);
	return n;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

/** Wait (at most 20 s, polling) until the file at path has at least want lines. */
static int wait_lines(const char *path, size_t want)
{
	for (int i = 0; i < 2000; i++) {
		if (count_lines(path) >= want)
			return 1;
		sleep_ms(10);
	}
	return 0;
}

/** A record whose qname says which producer and which of its records it is. */
static void rec_numbered(struct dnsrep_log_record *r, int producer, int seq)
{
	char text[64];
	rec_base(r);
	snprintf(text, sizeof(text), "t%d-%d.example", producer, seq);
	r->qname_len = wire_of(text, r->qname);
}

/** Parse a record line's qname "t<producer>-<seq>.example"; -1 when not one. */
static int line_numbers(const char *line, int *producer, int *seq)
{
	const char *q = strstr(line, "\"qname\":\"t");
	if (!q || sscanf(q + 10, "%d-%d", producer, seq) != 2)
		return -1;
	return 0;
}

/** Parse {"event":"dropped","count":N,...}; -1 when the line is not one. */
static int line_dropped(const char *line, uint64_t *count)
{
	static const char pre[] = "{\"event\":\"dropped\",\"count\":";
	if (strncmp(line, pre, sizeof(pre) - 1) != 0)
		return -1;
	char *end;
	unsigned long long v = strtoull(line + sizeof(pre) - 1, &end, 10);
	if (strncmp(end, ",\"ts\":\"", 7) != 0 || !strstr(end, ",\"resolver\":\"res1\"}\n"))
		return -1;
	*count = v;
	return 0;
}

/** What a log's file says: every line checked as JSON, records and drops counted. */
struct scan {
	size_t records;
	size_t events;
	uint64_t dropped;   /* the sum of the dropped lines' counts */
	int *last;          /* per producer: the last seq seen */
	int producers;
	int order_ok;
};

static void scan_text(struct scan *sc, char *d, size_t len)
{
	if (len)
		assert_int_equal(d[len - 1], '\n');
	for (size_t i = 0; i < len;) {
		char *nl = memchr(d + i, '\n', len - i);
		assert_non_null(nl);
		size_t l = (size_t)(nl - (d + i)) + 1;
		if (!json_line_ok(d + i, l))
			fail_msg("bad line: %.*s", (int)l, d + i);
		char save = nl[1];
		nl[1] = 0;
		uint64_t c;
		int p, s;
		if (line_dropped(d + i, &c) == 0) {
			sc->events++;
			sc->dropped += c;
			if (c == 0)
				fail_msg("a dropped line with count 0");
		} else if (line_numbers(d + i, &p, &s) == 0) {
			assert_true(p >= 0 && p < sc->producers);
			if (s <= sc->last[p])
				sc->order_ok = 0;
			sc->last[p] = s;
			sc->records++;
		} else {
			fail_msg("unexpected line: %s", d + i);
		}
		nl[1] = save;
		i += l;
	}
}

static void scan_init(struct scan *sc, int producers)
{
	memset(sc, 0, sizeof(*sc));
	sc->producers = producers;
	sc->last = malloc(sizeof(int) * (size_t)producers);
	assert_non_null(sc->last);
	for (int i = 0; i < producers; i++)
		sc->last[i] = -1;
	sc->order_ok = 1;
}

static void scan_file(struct scan *sc, const char *path)
{
	size_t len;
	char *d = slurp(path, &len);
	assert_non_null(d);
	scan_text(sc, d, len);
	free(d);
}

/* ---- the queue and the writer ----------------------------------------------------------- */

static void test_open_close_at_once(void **state)
{
	(void)state;
	char path[512], err[256] = "";
	tmp_path(path, sizeof(path), "empty.jsonl");
	struct dnsrep_blocklog *log = dnsrep_blocklog_open(path, "res1", 0, err, sizeof(err));
	if (!log)
		fail_msg("open: %s", err);
	dnsrep_blocklog_close(log);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 0);
	assert_int_equal(st.st_mode & 0777, 0640); /* umask 022 (set up) keeps 0640 */
	dnsrep_blocklog_close(NULL);
}

static void test_writes_all_in_order(void **state)
{
	(void)state;
	char path[512], err[256] = "";
	tmp_path(path, sizeof(path), "order.jsonl");
	/* an existing file is appended to */
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("{\"old\":1}\n", f);
	fclose(f);

	struct dnsrep_blocklog *log = dnsrep_blocklog_open(path, "res1", 0, err, sizeof(err));
	if (!log)
		fail_msg("open: %s", err);
	struct dnsrep_buf want = { 0 };
	dnsrep_buf_puts(&want, "{\"old\":1}\n");
	struct dnsrep_log_record r;
	for (int i = 0; i < 3000; i++) {
		rec_numbered(&r, 0, i);
		if (i % 3 == 0)
			r.kind = DNSREP_LOG_EXEMPT;
		assert_int_equal(dnsrep_blocklog_push(log, &r), 0);
		dnsrep_blocklog_format(&want, "res1", &r);
		if (i == 1000)
			sleep_ms(30); /* let the writer go idle once in between */
	}
	dnsrep_blocklog_close(log);
	assert_int_equal(want.failed, 0);
	size_t len;
	char *got = slurp(path, &len);
	assert_non_null(got);
	assert_int_equal(len, want.len);
	assert_string_equal(got, want.data);
	free(got);
	dnsrep_buf_free(&want);
}

/* Close writes everything still queued: a full queue of long lines, pushed at once. */
static void test_close_drains(void **state)
{
	(void)state;
	enum { N = 4096 };
	char path[512], err[256] = "";
	tmp_path(path, sizeof(path), "drain.jsonl");
	struct dnsrep_blocklog *log = dnsrep_blocklog_open(path, "res1", N, err, sizeof(err));
	if (!log)
		fail_msg("open: %s", err);
	struct dnsrep_log_record r;
	for (int i = 0; i < N; i++) {
		rec_numbered(&r, 0, i);
		/* a typical record (two cells packed), its reason 6 bytes a character in JSON:
		 * a queue for N of them never fills */
		memset(r.reason, '\x01', 40);
		r.reason[40] = 0;
		assert_int_equal(dnsrep_blocklog_push(log, &r), 0);
	}
	dnsrep_blocklog_close(log);
	struct scan sc;
	scan_init(&sc, 1);
	scan_file(&sc, path);
	assert_int_equal(sc.records, N);
	assert_int_equal(sc.events, 0);
	assert_int_equal(sc.last[0], N - 1);
	assert_true(sc.order_ok);
	free(sc.last);
}

static void test_counters(void **state)
{
	(void)state;
	char path[512], err[256] = "";
	tmp_path(path, sizeof(path), "counters.jsonl");
	struct dnsrep_blocklog *log = dnsrep_blocklog_open(path, "res1", 100, err, sizeof(err));
	if (!log)
		fail_msg("open: %s", err);
	struct dnsrep_log_record r;
	rec_numbered(&r, 0, 0);
	assert_int_equal(dnsrep_blocklog_push(log, &r), 0);
	assert_true(wait_lines(path, 1));
	/* written is counted once the line is out, which may be just after it is seen */
	for (int i = 0; i < 2000 && dnsrep_blocklog_written(log) < 1; i++)
		sleep_ms(10);
	assert_int_equal(dnsrep_blocklog_written(log), 1);
	assert_int_equal(dnsrep_blocklog_dropped(log), 0);
	assert_int_equal(dnsrep_blocklog_errors(log), 0);
	dnsrep_blocklog_close(log);
}

/* A reader of the FIFO the log writes to: reads everything until end of file. */
struct fifo_reader {
	int fd;
	struct dnsrep_buf got;
};

static void *fifo_read_all(void *arg)
{
	struct fifo_reader *fr = arg;
	char chunk[65536];
	ssize_t n;
	while ((n = read(fr->fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		dnsrep_buf_add(&fr->got, chunk, (size_t)n);
	}
	return NULL;
}

/*
 * A full queue drops and counts.  The log writes to a FIFO nobody reads yet, so
 * the writer blocks in write(2) — a stalled disk — and the queue must fill while
 * producers go on without waiting.  Then a reader drains the FIFO: every record
 * pushed is there, and the dropped lines add up to the drops.  fill(r, seq)
 * makes record seq, numbered as rec_numbered does.
 */
static void full_queue_case(const char *fifo, unsigned capacity,
	void (*fill)(struct dnsrep_log_record *r, int seq))
{
	char path[512], err[256] = "";
	tmp_path(path, sizeof(path), fifo);
	assert_int_equal(mkfifo(path, 0600), 0);
	struct fifo_reader fr = { -1, { 0 } };
	fr.fd = open(path, O_RDONLY | O_NONBLOCK);
	assert_true(fr.fd >= 0);
	struct dnsrep_blocklog *log = dnsrep_blocklog_open(path, "res1", capacity, err, sizeof(err));
	if (!log)
		fail_msg("open: %s", err);

	struct dnsrep_log_record r;
	size_t ok = 0, failed = 0, pushes = 0;
	/* a stalled writer: once the FIFO and the queue are full, every push fails */
	while (failed < 5000 && pushes < 50000000) {
		fill(&r, (int)pushes);
		if (dnsrep_blocklog_push(log, &r) == 0)
			ok++;
		else
			failed++;
		pushes++;
	}
	assert_int_equal(failed, 5000);
	assert_true(ok > 0);
	assert_int_equal(dnsrep_blocklog_dropped(log), failed);

	int fl = fcntl(fr.fd, F_GETFL);
	assert_int_equal(fcntl(fr.fd, F_SETFL, fl & ~O_NONBLOCK), 0);
	pthread_t reader;
	assert_int_equal(pthread_create(&reader, NULL, fifo_read_all, &fr), 0);
	dnsrep_blocklog_close(log);
	assert_int_equal(pthread_join(reader, NULL), 0);
	close(fr.fd);
	assert_int_equal(fr.got.failed, 0);

	struct scan sc;
	scan_init(&sc, 1);
	scan_text(&sc, fr.got.data ? fr.got.data : (char *)"", fr.got.len);
	assert_int_equal(sc.records, ok);
	assert_true(sc.events >= 1);
	assert_int_equal(sc.dropped, failed);
	assert_true(sc.order_ok);
	free(sc.last);
	dnsrep_buf_free(&fr.got);
}

/** A numbered record with a 200-byte reason. */
static void rec_long_reason(struct dnsrep_log_record *r, int seq)
{
	rec_numbered(r, 0, seq);
	memset(r->reason, 'x', 200);
	r->reason[200] = 0;
}

static void test_full_queue_drops(void **state)
{
	(void)state;
	full_queue_case("stalled.fifo", 3, rec_long_reason);
}

/** A producer thread: pushes count records made by make(r, id, seq). */
struct producer {
	struct dnsrep_blocklog *log;
	int id, count;
	void (*make)(struct dnsrep_log_record *r, int producer, int seq);
	int pace;          /**< sleep 1 ms after every pace records (0: never) */
	uint8_t *ok;       /**< if not NULL: per record, pushed (1) or dropped (0) */
	size_t pushed, failed;
};

static void *produce(void *arg)
{
	struct producer *p = arg;
	struct dnsrep_log_record r;
	for (int i = 0; i < p->count; i++) {
		p->make(&r, p->id, i);
		int ok = dnsrep_blocklog_push(p->log, &r) == 0;
		if (p->ok)
			p->ok[i] = (uint8_t)ok;
		p->pushed += (size_t)ok;
		p->failed += (size_t)!ok;
		if (p->pace && i % p->pace == p->pace - 1)
			sleep_ms(1);
	}
	return NULL;
}

/** Run the producers, all at once, until each has pushed its records; the drops. */
static size_t run_producers(struct producer *pr, int n)
{
	pthread_t th[16];
	size_t failed = 0;
	assert_true(n <= 16);
	for (int i = 0; i < n; i++)
		assert_int_equal(pthread_create(&th[i], NULL, produce, &pr[i]), 0);
	for (int i = 0; i < n; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		failed += pr[i].failed;
	}
	assert_int_equal(dnsrep_blocklog_dropped(pr[0].log), failed);
	return failed;
}

/** Open the log at file in the test directory (its path in path) with a queue of capacity. */
static struct dnsrep_blocklog *open_log(const char *file, unsigned capacity, char *path, size_t len)
{
	char err[256] = "";
	tmp_path(path, len, file);
	struct dnsrep_blocklog *log = dnsrep_blocklog_open(path, "res1", capacity, err, sizeof(err));
	if (!log)
		fail_msg("open: %s", err);
	return log;
}

/** A numbered record; every seventh a cname match with a chain (lines of two lengths). */
static void rec_varied(struct dnsrep_log_record *r, int producer, int seq)
{
	rec_numbered(r, producer, seq);
	if (seq % 7 == 0) {
		r->match = DNSREP_MATCH_CNAME;
		r->chain_n = 2;
		r->chain_len[0] = wire_of("a-rather-long-cdn-name.example.net", r->chain[0]);
		r->chain_len[1] = wire_of("front-co.example", r->chain[1]);
	}
}

static void test_many_producers(void **state)
{
	(void)state;
	enum { THREADS = 8, EACH = 20000 };
	char path[512];
	struct dnsrep_blocklog *log = open_log("many.jsonl", 64, path, sizeof(path));
	struct producer pr[THREADS];
	for (int i = 0; i < THREADS; i++)
		pr[i] = (struct producer){ log, i, EACH, rec_varied, 0, NULL, 0, 0 };
	size_t failed = run_producers(pr, THREADS), ok = 0;
	for (int i = 0; i < THREADS; i++)
		ok += pr[i].pushed;
	assert_int_equal(ok + failed, (size_t)THREADS * EACH);
	dnsrep_blocklog_close(log);

	struct scan sc;
	scan_init(&sc, THREADS);
	scan_file(&sc, path);
	assert_int_equal(sc.records, ok);
	assert_int_equal(sc.dropped, failed);
	assert_true(sc.order_ok); /* each producer's records in the order it pushed them */
	if (failed)
		assert_true(sc.events >= 1);
	free(sc.last);
	print_message("# %zu written, %zu dropped in %zu dropped lines\n", ok, failed, sc.events);
}

/* ---- records of the largest and the smallest size, through the queue --------------------- */

/**
 * A wire name of exactly len octets (at least the first label and the root): the
 * label first, then labels of any octets (from seed), the last ones sized so that
 * the name ends exactly at len.
 */
static uint8_t wire_long(uint8_t *w, size_t len, const char *first, unsigned seed)
{
	size_t o = 0;
	add_label(w, &o, first, strlen(first));
	assert_true(o + 1 <= len);
	size_t room = len - 1 - o; /* octets for more labels, their length octets included */
	assert_true(room != 1);
	while (room > 0) {
		size_t l = room - 1 > DNSREP_LABEL_MAX ? DNSREP_LABEL_MAX : room - 1;
		if (room - (l + 1) == 1) /* leave two octets: one more label of one octet */
			l--;
		uint8_t bytes[DNSREP_LABEL_MAX];
		for (size_t i = 0; i < l; i++)
			bytes[i] = (uint8_t)(seed + i * 37 + room);
		add_label(w, &o, bytes, l);
		room -= l + 1;
	}
	w[o++] = 0;
	assert_int_equal(o, len);
	return (uint8_t)o;
}

/** size-1 bytes of any value but NUL (from seed), and the NUL. */
static void text_full(char *dst, size_t size, unsigned seed)
{
	for (size_t i = 0; i + 1 < size; i++)
		dst[i] = (char)(1 + (seed + i * 13) % 255);
	dst[size - 1] = 0;
}

/** A record as large as a record gets: every name 255 octets, every text field full. */
static void rec_max(struct dnsrep_log_record *r, int producer, int seq)
{
	char first[32];
	unsigned seed = (unsigned)(producer * 7919 + seq);
	memset(r, 0, sizeof(*r));
	r->ts_ms = 1700000000000 + producer * 1000000LL + seq;
	set_ipv6(r, "2001:db8:ffff:ffff:ffff:ffff:ffff:fffe", 65535);
	((struct sockaddr_in6 *)&r->client)->sin6_scope_id = 7;
	snprintf(first, sizeof(first), "t%d-%d", producer, seq);
	r->qname_len = wire_long(r->qname, DNSREP_NAME_MAXWIRE, first, seed);
	r->qtype = 65535;
	r->rule_len = wire_long(r->rule, DNSREP_NAME_MAXWIRE, "rule", seed + 1);
	r->kind = (uint8_t)(seq % 4);
	r->match = DNSREP_MATCH_CNAME;
	r->ede = 65535;
	r->technique = DNSREP_LOOKALIKE_CONTAINS;
	r->distance = 255;
	text_full(r->action, sizeof(r->action), seed + 2);
	text_full(r->feed, sizeof(r->feed), seed + 3);
	text_full(r->category, sizeof(r->category), seed + 4);
	text_full(r->reason, sizeof(r->reason), seed + 5);
	r->chain_n = DNSREP_LOG_CHAIN;
	for (int i = 0; i < DNSREP_LOG_CHAIN; i++)
		r->chain_len[i] = wire_long(r->chain[i], DNSREP_NAME_MAXWIRE, "hop", seed + 6 + (unsigned)i);
}

static void rec_max_numbered(struct dnsrep_log_record *r, int seq)
{
	rec_max(r, 0, seq);
}

/**
 * Record seq of a producer, in turn: the largest (a cname match: its chain is
 * written), the smallest (no names, no text, no address), the largest again as a
 * lookalike (its chain is packed, not written), and a small one (an IPv4 client,
 * the root as its name).
 */
static void rec_extreme(struct dnsrep_log_record *r, int producer, int seq)
{
	switch (seq % 4) {
	case 0:
		rec_max(r, producer, seq);
		break;
	case 2:
		rec_max(r, producer, seq);
		r->match = DNSREP_MATCH_LOOKALIKE;
		r->technique = DNSREP_LOOKALIKE_TYPO;
		r->distance = 1;
		break;
	default:
		memset(r, 0, sizeof(*r));
		r->ts_ms = 1700000000000 + producer * 1000000LL + seq;
		if (seq % 4 == 3) {
			set_ipv4(r, "0.0.0.0", 0);
			r->qname_len = 1; /* the root */
			r->kind = DNSREP_LOG_ESCAPED;
		}
	}
}

/** The JSON line of a record, NUL-terminated; free it. */
static char *line_of(const struct dnsrep_log_record *r)
{
	struct dnsrep_buf b = { 0 };
	dnsrep_blocklog_format(&b, "res1", r);
	assert_int_equal(b.failed, 0);
	return b.data;
}

/** The length of the common prefix of two strings. */
static size_t common_prefix(const char *a, const char *b)
{
	size_t i = 0;
	while (a[i] && a[i] == b[i])
		i++;
	return i;
}

/** Fail, showing where got first differs from want. */
static void fail_diff(const char *what, const char *got, const char *want)
{
	size_t i = common_prefix(got, want), from = i > 60 ? i - 60 : 0;
	fail_msg("%s: differs at byte %zu of %zu (want %zu)\n  got:  ...%.100s\n  want: ...%.100s",
		 what, i, strlen(got), strlen(want), got + from, want + from);
}

/*
 * The largest and the smallest records, pushed from several threads at once and
 * read back from the file: each line is exactly the line of the record pushed, in
 * each producer's order — no field cut, shifted or taken from another record.
 */
static void test_extreme_records_round_trip(void **state)
{
	(void)state;
	enum { THREADS = 4, EACH = 400 };
	char path[512];
	/* a small queue (256 cells, about 15 of the largest records): records wrap
	 * around its end, and some are dropped; the producers pause now and then, so
	 * that not all are */
	struct dnsrep_blocklog *log = open_log("extremes.jsonl", 64, path, sizeof(path));
	struct producer pr[THREADS];
	for (int i = 0; i < THREADS; i++) {
		pr[i] = (struct producer){ log, i, EACH, rec_extreme, 8, calloc(EACH, 1), 0, 0 };
		assert_non_null(pr[i].ok);
	}
	size_t failed = run_producers(pr, THREADS);
	dnsrep_blocklog_close(log);

	size_t len;
	char *d = slurp(path, &len);
	assert_non_null(d);
	int next[THREADS] = { 0 };
	size_t records = 0, events = 0;
	uint64_t dropped = 0;
	for (char *line = d; *line;) {
		char *nl = strchr(line, '\n');
		assert_non_null(nl);
		char save = nl[1];
		nl[1] = 0;
		if (!json_line_ok(line, (size_t)(nl + 1 - line)))
			fail_msg("bad line: %s", line);
		uint64_t c;
		int matched = 0;
		if (line_dropped(line, &c) == 0) {
			events++;
			dropped += c;
			matched = 1;
		}
		for (int p = 0; p < THREADS && !matched; p++) {
			while (next[p] < EACH && !pr[p].ok[next[p]])
				next[p]++;
			if (next[p] == EACH)
				continue;
			struct dnsrep_log_record r;
			rec_extreme(&r, p, next[p]);
			char *want = line_of(&r);
			if (strcmp(want, line) == 0) {
				matched = 1;
				next[p]++;
				records++;
			}
			free(want);
		}
		if (!matched) { /* show it against the producers' next record most like it */
			char *closest = NULL;
			for (int p = 0; p < THREADS; p++) {
				if (next[p] == EACH)
					continue;
				struct dnsrep_log_record r;
				rec_extreme(&r, p, next[p]);
				char *want = line_of(&r);
				if (!closest || common_prefix(line, want) > common_prefix(line, closest)) {
					free(closest);
					closest = want;
				} else {
					free(want);
				}
			}
			fail_diff("a line that is no producer's next record", line,
				  closest ? closest : "(none left)");
		}
		nl[1] = save;
		line = nl + 1;
	}
	for (int p = 0; p < THREADS; p++) {
		while (next[p] < EACH && !pr[p].ok[next[p]])
			next[p]++;
		assert_int_equal(next[p], EACH); /* every record pushed was written */
		free(pr[p].ok);
	}
	assert_int_equal(records + failed, (size_t)THREADS * EACH);
	assert_true(records >= THREADS);
	assert_int_equal(dropped, failed);
	print_message("# %zu records written, %zu dropped in %zu dropped lines\n", records, failed,
		      events);
	free(d);
}

/* The smallest queue still takes the largest record, and drops and counts when full. */
static void test_smallest_queue_largest_records(void **state)
{
	(void)state;
	char path[512];
	struct dnsrep_blocklog *log = open_log("smallest.jsonl", 1, path, sizeof(path));
	struct dnsrep_log_record r;
	rec_max(&r, 0, 0);
	assert_int_equal(dnsrep_blocklog_push(log, &r), 0);
	dnsrep_blocklog_close(log);
	size_t len;
	char *got = slurp(path, &len);
	assert_non_null(got);
	char *want = line_of(&r);
	if (strcmp(got, want) != 0)
		fail_diff("the largest record through the smallest queue", got, want);
	free(want);
	free(got);

	full_queue_case("smallest.fifo", 1, rec_max_numbered);
}

/** Rotate with rotate(path, old) while records go on, and check where they went. */
static void rotation_case(const char *name, int by_rename)
{
	char path[512], old[600], err[256] = "";
	tmp_path(path, sizeof(path), name);
	snprintf(old, sizeof(old), "%s.1", path);
	struct dnsrep_blocklog *log = dnsrep_blocklog_open(path, "res1", 0, err, sizeof(err));
	if (!log)
		fail_msg("open: %s", err);
	struct dnsrep_log_record r;
	int n = 0;
	rec_numbered(&r, 0, n++);
	assert_int_equal(dnsrep_blocklog_push(log, &r), 0);
	assert_true(wait_lines(path, 1));

	if (by_rename) {
		assert_int_equal(rename(path, old), 0);
	} else {
		assert_int_equal(unlink(path), 0);
	}
	/* push until a record shows up in a new file at the path (at most 20 s) */
	int appeared = 0;
	for (int i = 0; i < 1000 && !appeared; i++) {
		rec_numbered(&r, 0, n++);
		assert_int_equal(dnsrep_blocklog_push(log, &r), 0);
		sleep_ms(20);
		appeared = count_lines(path) > 0;
	}
	assert_true(appeared);
	for (int i = 0; i < 5; i++) {
		rec_numbered(&r, 0, n++);
		assert_int_equal(dnsrep_blocklog_push(log, &r), 0);
	}
	dnsrep_blocklog_close(log);

	struct scan sc;
	scan_init(&sc, 1);
	if (by_rename)
		scan_file(&sc, old);  /* the rotated file first, then the new one */
	size_t before = sc.records;
	scan_file(&sc, path);
	assert_true(sc.records - before >= 6);
	assert_true(sc.order_ok);
	if (by_rename) {
		assert_int_equal(sc.records, (size_t)n); /* none lost, none twice */
		assert_int_equal(sc.last[0], n - 1);
	} else {
		assert_int_equal(sc.last[0], n - 1);  /* lines written to the removed file are gone */
	}
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640);
	free(sc.last);
}

static void test_rotation_rename(void **state)
{
	(void)state;
	rotation_case("rotated.jsonl", 1);
}

static void test_rotation_remove(void **state)
{
	(void)state;
	rotation_case("removed.jsonl", 0);
}

static void test_open_errors(void **state)
{
	(void)state;
	char path[512], err[256] = "";
	tmp_path(path, sizeof(path), "no/such/dir/x.jsonl");
	assert_null(dnsrep_blocklog_open(path, "res1", 0, err, sizeof(err)));
	char want[700];
	snprintf(want, sizeof(want), "block log %s: cannot open: No such file or directory", path);
	assert_string_equal(err, want);

	/* a directory: refused even for root */
	assert_null(dnsrep_blocklog_open(tmpdir, "res1", 0, err, sizeof(err)));
	snprintf(want, sizeof(want), "block log %s: cannot open: Is a directory", tmpdir);
	assert_string_equal(err, want);

	/* a file we may not write: as root, asked by a child that became nobody
	 * (root may write anything, so root itself would prove nothing) */
	tmp_path(path, sizeof(path), "readonly.jsonl");
	int fd = open(path, O_CREAT | O_WRONLY, 0444);
	assert_true(fd >= 0);
	close(fd);
	snprintf(want, sizeof(want), "block log %s: cannot open: Permission denied", path);
	if (geteuid() != 0) {
		assert_null(dnsrep_blocklog_open(path, "res1", 0, err, sizeof(err)));
		assert_string_equal(err, want);
	} else {
		assert_int_equal(chmod(tmpdir, 0755), 0); /* nobody may look into the directory */
		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			if (setgid(65534) != 0 || setuid(65534) != 0)
				_exit(3);
			struct dnsrep_blocklog *l = dnsrep_blocklog_open(path, "res1", 0, err, sizeof(err));
			_exit(l ? 1 : strcmp(err, want) != 0 ? 2 : 0);
		}
		int st = 0;
		assert_int_equal(waitpid(pid, &st, 0), pid);
		assert_true(WIFEXITED(st));
		assert_int_equal(WEXITSTATUS(st), 0);
	}

	assert_null(dnsrep_blocklog_open("", "res1", 0, err, sizeof(err)));
	assert_non_null(strstr(err, "no file name"));
	tmp_path(path, sizeof(path), "huge.jsonl");
	assert_null(dnsrep_blocklog_open(path, "res1", 0x7fffffffu, err, sizeof(err)));
	assert_non_null(strstr(err, path));

	/* a short error buffer is cut, still terminated */
	char small[16];
	memset(small, 'x', sizeof(small));
	assert_null(dnsrep_blocklog_open(tmpdir, "res1", 0, small, sizeof(small)));
	assert_int_equal(strlen(small), sizeof(small) - 1);
}

/* A file that refuses every write (/dev/full): counted, nothing hangs or crashes. */
static void test_write_errors(void **state)
{
	(void)state;
	char err[256] = "";
	if (access("/dev/full", W_OK) != 0)
		skip(); /* no /dev/full here (a container without it): reported as SKIP */
	struct dnsrep_blocklog *log = dnsrep_blocklog_open("/dev/full", "res1", 8, err, sizeof(err));
	if (!log)
		fail_msg("open: %s", err);
	struct dnsrep_log_record r;
	rec_base(&r);
	for (int i = 0; i < 4; i++)
		assert_int_equal(dnsrep_blocklog_push(log, &r), 0);
	for (int i = 0; i < 2000 && dnsrep_blocklog_errors(log) == 0; i++)
		sleep_ms(10);
	assert_true(dnsrep_blocklog_errors(log) >= 1);
	/* records keep being accepted (or dropped and counted) while the disk refuses */
	size_t ok = 0, failed = 0;
	for (int i = 0; i < 100; i++) {
		if (dnsrep_blocklog_push(log, &r) == 0)
			ok++;
		else
			failed++;
	}
	assert_int_equal(dnsrep_blocklog_dropped(log), failed);

	/* lines waiting for the disk fill the buffer, then the queue: the writer
	 * must wait for its retry, not spin (a CPU time check with a wide margin) */
	memset(r.reason, '\x01', sizeof(r.reason) - 1);
	for (int i = 0; i < 5000; i++) {
		if (dnsrep_blocklog_push(log, &r) == 0)
			ok++;
		else
			failed++;
		if (i % 100 == 0)
			sleep_ms(1);
	}
	assert_true(failed > 0); /* the buffer's limit was reached */
	struct rusage before, after;
	assert_int_equal(getrusage(RUSAGE_SELF, &before), 0);
	sleep_ms(500);
	assert_int_equal(getrusage(RUSAGE_SELF, &after), 0);
	long cpu_us = (after.ru_utime.tv_sec - before.ru_utime.tv_sec) * 1000000L
		+ (after.ru_utime.tv_usec - before.ru_utime.tv_usec)
		+ (after.ru_stime.tv_sec - before.ru_stime.tv_sec) * 1000000L
		+ (after.ru_stime.tv_usec - before.ru_stime.tv_usec);
	if (cpu_us > 250000)
		fail_msg("the writer spun: %ld us of CPU in 500 ms", cpu_us);
	assert_int_equal(dnsrep_blocklog_written(log), 0);
	dnsrep_blocklog_close(log);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_checker),
		cmocka_unit_test(test_format_blocked_ipv4),
		cmocka_unit_test(test_format_exempt_ipv6),
		cmocka_unit_test(test_format_logonly_v4mapped),
		cmocka_unit_test(test_format_cname_chain),
		cmocka_unit_test(test_format_qtypes),
		cmocka_unit_test(test_format_times),
		cmocka_unit_test(test_format_clients_and_matches),
		cmocka_unit_test(test_format_hostile_names),
		cmocka_unit_test(test_format_malformed_names),
		cmocka_unit_test(test_format_hostile_strings),
		cmocka_unit_test(test_format_random_records),
		cmocka_unit_test(test_format_qname_property),
		cmocka_unit_test(test_open_close_at_once),
		cmocka_unit_test(test_writes_all_in_order),
		cmocka_unit_test(test_close_drains),
		cmocka_unit_test(test_counters),
		cmocka_unit_test(test_full_queue_drops),
		cmocka_unit_test(test_many_producers),
		cmocka_unit_test(test_extreme_records_round_trip),
		cmocka_unit_test(test_smallest_queue_largest_records),
		cmocka_unit_test(test_rotation_rename),
		cmocka_unit_test(test_rotation_remove),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_write_errors),
	};
	return cmocka_run_group_tests_name("blocklog", tests, setup_tmpdir, teardown_tmpdir);
}
