/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_feed.c — unit tests of the feed parsers: every format, its good lines and
 * each kind of bad line with its exact reason and line number, the line-level
 * checks (NUL, overlong lines, CRLF, BOM, no final newline), the rejected-share
 * threshold, public suffix refusal, and format recognition.
 *
 * Entries are recorded by the callback (names as text through
 * dnsrep_name_to_text, and compared as wire names too), rejections with their
 * line and reason; the assertions then compare them one by one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnsrep/feed.h"

#ifndef TEST_DATA_DIR
#error "TEST_DATA_DIR must name tests/data"
#endif

/* ---- recording what a parse produced --------------------------------------------- */

#define MAX_GOT 64

struct got_entry {
	struct dnsrep_name name;
	char text[DNSREP_NAME_MAXTEXT];
	unsigned scope;
	int allow;
	char *category, *reason, *date, *source;
	unsigned line;
	int action;
};

struct got_reject {
	char feed[64];
	unsigned line;
	char reason[1024];
};

struct result {
	int rc;
	char err[DNSREP_ERRLEN];
	struct dnsrep_feed_stats st;
	struct got_entry e[MAX_GOT];
	unsigned ne;
	struct got_reject r[MAX_GOT];
	unsigned nr;
	int fail_at; /**< make the entry callback fail at this entry (1-based), 0: never */
};

static char *dup_or_null(const char *s)
{
	if (!s)
		return NULL;
	char *d = strdup(s);
	assert_non_null(d);
	return d;
}

static int on_entry(void *ctx, const struct dnsrep_entry *e)
{
	struct result *res = ctx;
	if (res->fail_at && res->ne + 1 == (unsigned)res->fail_at)
		return -1;
	if (res->ne >= MAX_GOT)
		return 0; /* counted in stats, not kept */
	struct got_entry *g = &res->e[res->ne++];
	g->name = e->name;
	assert_true(dnsrep_name_to_text(e->name.wire, g->text, sizeof(g->text)) >= 0);
	g->scope = e->scope;
	g->allow = e->allow;
	g->category = dup_or_null(e->category);
	g->reason = dup_or_null(e->reason);
	g->date = dup_or_null(e->date);
	g->source = dup_or_null(e->source);
	g->line = e->line;
	g->action = e->action;
	return 0;
}

static void on_reject(void *ctx, const char *feed, unsigned line, const char *reason)
{
	struct result *res = ctx;
	if (res->nr >= MAX_GOT)
		return;
	struct got_reject *g = &res->r[res->nr++];
	snprintf(g->feed, sizeof(g->feed), "%s", feed);
	g->line = line;
	snprintf(g->reason, sizeof(g->reason), "%s", reason);
}

static void result_free(struct result *res)
{
	for (unsigned i = 0; i < res->ne; i++) {
		free(res->e[i].category);
		free(res->e[i].reason);
		free(res->e[i].date);
		free(res->e[i].source);
	}
	free(res);
}

/** Parse len bytes with the given format and share; the result is for result_free. */
static struct result *run_opts(enum dnsrep_format fmt, const char *data, size_t len,
	double share, int allow_ps, int fail_at)
{
	struct result *res = calloc(1, sizeof(*res));
	assert_non_null(res);
	struct dnsrep_feed_opts o;
	dnsrep_feed_opts_init(&o, "t");
	o.format = fmt;
	o.max_reject_share = share;
	o.allow_public_suffix = allow_ps;
	res->fail_at = fail_at;
	res->rc = dnsrep_feed_parse(&o, data, len, on_entry, on_reject, res, &res->st,
		res->err, sizeof(res->err));
	for (unsigned i = 0; i < res->nr; i++)
		assert_string_equal(res->r[i].feed, "t");
	return res;
}

/** Parse text, every rejected line tolerated (share 1.0): for checking each line. */
static struct result *run_all(enum dnsrep_format fmt, const char *text)
{
	return run_opts(fmt, text, strlen(text), 1.0, 0, 0);
}

/** Parse text with the default options (5%). */
static struct result *run_default(enum dnsrep_format fmt, const char *text)
{
	return run_opts(fmt, text, strlen(text), 0.05, 0, 0);
}

static char *read_data(const char *name, size_t *len)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/feeds/%s", TEST_DATA_DIR, name);
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	char *buf = malloc(1 << 16);
	assert_non_null(buf);
	*len = fread(buf, 1, (1 << 16) - 1, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

static struct result *run_file(enum dnsrep_format fmt, const char *name)
{
	size_t len;
	char *data = read_data(name, &len);
	struct result *res = run_opts(fmt, data, len, 0.05, 0, 0);
	free(data);
	return res;
}

/* ---- assertions -------------------------------------------------------------------- */

/** Entry i is name (as text; also compared in wire form) with scope, allow flag and line. */
static void expect_entry(const struct result *res, unsigned i, const char *name,
	unsigned scope, int allow, unsigned line)
{
	if (i >= res->ne)
		fail_msg("entry %u (%s) missing: only %u entries", i, name, res->ne);
	const struct got_entry *g = &res->e[i];
	assert_string_equal(g->text, name);
	struct dnsrep_name want;
	char err[DNSREP_ERRLEN];
	assert_int_equal(dnsrep_name_from_text(&want, name, strlen(name), err, sizeof(err)), 0);
	assert_true(dnsrep_name_equal(&want, &g->name));
	assert_int_equal(g->scope, scope);
	assert_int_equal(g->allow, allow);
	assert_int_equal(g->line, line);
}

/** Entry i's provenance strings (NULL for absent). */
static void expect_extras(const struct result *res, unsigned i, const char *category,
	const char *reason, const char *date, const char *source)
{
	const struct got_entry *g = &res->e[i];
	const char *want[4] = { category, reason, date, source };
	const char *got[4] = { g->category, g->reason, g->date, g->source };
	for (int k = 0; k < 4; k++) {
		if (!want[k] && got[k])
			fail_msg("entry %u field %d: expected NULL, got '%s'", i, k, got[k]);
		if (want[k] && !got[k])
			fail_msg("entry %u field %d: expected '%s', got NULL", i, k, want[k]);
		if (want[k])
			assert_string_equal(got[k], want[k]);
	}
}

/** Rejection i is at line with exactly reason. */
static void expect_reject(const struct result *res, unsigned i, unsigned line, const char *reason)
{
	if (i >= res->nr)
		fail_msg("rejection %u (line %u: %s) missing: only %u", i, line, reason, res->nr);
	if (strcmp(res->r[i].reason, reason) != 0)
		fail_msg("rejection %u: got '%s', expected '%s'", i, res->r[i].reason, reason);
	assert_int_equal(res->r[i].line, line);
}

/** The reason name.c gives for text (the feed passes it on as it is). */
static const char *name_reason(const char *text, size_t len, char *buf, size_t buflen)
{
	struct dnsrep_name n;
	buf[0] = '\0';
	assert_int_equal(dnsrep_name_from_text(&n, text, len, buf, buflen), -1);
	assert_true(buf[0] != '\0');
	return buf;
}

static void expect_counts(const struct result *res, unsigned lines, unsigned entries,
	unsigned allows, unsigned rejected, unsigned unsupported)
{
	if (res->st.lines != lines || res->st.entries != entries || res->st.allows != allows ||
	    res->st.rejected != rejected || res->st.unsupported != unsupported) {
		print_message("got lines %u entries %u allows %u rejected %u unsupported %u\n",
			res->st.lines, res->st.entries, res->st.allows, res->st.rejected,
			res->st.unsupported);
		for (unsigned i = 0; i < res->ne; i++)
			print_message("  entry %s line %u\n", res->e[i].text, res->e[i].line);
		for (unsigned i = 0; i < res->nr; i++)
			print_message("  reject %u: %s\n", res->r[i].line, res->r[i].reason);
	}
	assert_int_equal(res->st.lines, lines);
	assert_int_equal(res->st.entries, entries);
	assert_int_equal(res->st.allows, allows);
	assert_int_equal(res->st.rejected, rejected);
	assert_int_equal(res->st.unsupported, unsupported);
	assert_int_equal(res->ne, entries < MAX_GOT ? entries : MAX_GOT);
	assert_int_equal(res->nr, rejected < MAX_GOT ? rejected : MAX_GOT);
}

/* ---- plain --------------------------------------------------------------------------- */

static void test_plain_good(void **state)
{
	(void)state;
	struct result *res = run_file(DNSREP_FORMAT_PLAIN, "sample.txt");
	assert_int_equal(res->rc, 0);
	assert_int_equal(res->st.format, DNSREP_FORMAT_PLAIN);
	expect_counts(res, 6, 3, 0, 0, 0);
	expect_entry(res, 0, "silverstarchina.com", DNSREP_SCOPE_SUBTREE, 0, 3);
	expect_entry(res, 1, "wildcard.example", DNSREP_SCOPE_SUBTREE, 0, 4);
	expect_entry(res, 2, "bad-case.example.net", DNSREP_SCOPE_SUBTREE, 0, 6);
	expect_extras(res, 0, NULL, NULL, NULL, NULL);
	result_free(res);
}

static void test_plain_bad_lines(void **state)
{
	(void)state;
	char why[DNSREP_ERRLEN];
	char label64[100];
	memset(label64, 'a', 64);
	strcpy(label64 + 64, ".example");
	char text[512];
	snprintf(text, sizeof(text),
		"%s\n"                       /* 1 */
		"a.example b.example\n"      /* 2 */
		"http://x.example/path\n"    /* 3 */
		"ads*.example\n"             /* 4 */
		"a..example\n"               /* 5 */
		"ok.example\n"               /* 6 */
		"*\n"                        /* 7 */
		"0.0.0.0 a.example\n",       /* 8 */
		label64);
	struct result *res = run_all(DNSREP_FORMAT_PLAIN, text);
	assert_int_equal(res->rc, 0);
	expect_counts(res, 8, 1, 0, 7, 0);
	expect_reject(res, 0, 1, name_reason(label64, strlen(label64), why, sizeof(why)));
	assert_non_null(strstr(res->r[0].reason, "longer than 63 octets"));
	expect_reject(res, 1, 2, "unexpected text after the name: 'b.example'");
	expect_reject(res, 2, 3, "character ':' not allowed in a domain name: 'http://x.example/path'");
	expect_reject(res, 3, 4, "'*' is only allowed as a leading \"*.\"");
	expect_reject(res, 4, 5, name_reason("a..example", 10, why, sizeof(why)));
	assert_non_null(strstr(res->r[4].reason, "empty"));
	expect_reject(res, 5, 7, "'*' is only allowed as a leading \"*.\"");
	expect_reject(res, 6, 8, "unexpected text after the name: 'a.example'");
	expect_entry(res, 0, "ok.example", DNSREP_SCOPE_SUBTREE, 0, 6);
	result_free(res);
}

static void test_long_lines(void **state)
{
	(void)state;
	char why[DNSREP_ERRLEN];
	/* a 1 MB line between two good ones, and lines of exactly 4096 and 4097 bytes */
	size_t big = 1024 * 1024;
	size_t len = 0;
	char *data = malloc(big + 3 * 5000);
	assert_non_null(data);
	len += (size_t)sprintf(data + len, "a.example\n");
	memset(data + len, 'x', big);
	len += big;
	len += (size_t)sprintf(data + len, "\nb.example\n");
	memset(data + len, 'y', 4096);
	size_t at4096 = len;
	len += 4096;
	data[len++] = '\r'; /* the CR is not part of the line */
	data[len++] = '\n';
	memset(data + len, 'z', 4097);
	len += 4097;
	len += (size_t)sprintf(data + len, "\nc.example");
	struct result *res = run_opts(DNSREP_FORMAT_PLAIN, data, len, 1.0, 0, 0);
	assert_int_equal(res->rc, 0);
	expect_counts(res, 6, 3, 0, 3, 0);
	expect_entry(res, 0, "a.example", DNSREP_SCOPE_SUBTREE, 0, 1);
	expect_entry(res, 1, "b.example", DNSREP_SCOPE_SUBTREE, 0, 3);
	expect_entry(res, 2, "c.example", DNSREP_SCOPE_SUBTREE, 0, 6);
	expect_reject(res, 0, 2, "line longer than 4096 bytes");
	/* 4096 bytes is read: name.c refuses the one long label */
	expect_reject(res, 1, 4, name_reason(data + at4096, 4096, why, sizeof(why)));
	expect_reject(res, 2, 5, "line longer than 4096 bytes");
	result_free(res);

	/* the same 1 MB line in every other format */
	static const enum dnsrep_format fmts[] = { DNSREP_FORMAT_HOSTS, DNSREP_FORMAT_ADBLOCK,
		DNSREP_FORMAT_RPZ, DNSREP_FORMAT_CSV };
	for (size_t i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		len = (size_t)sprintf(data, "domain,category,reason,date,source\n");
		memset(data + len, '0', big);
		len += big;
		res = run_opts(fmts[i], data, len, 1.0, 0, 0);
		assert_int_equal(res->rc, 0);
		expect_reject(res, fmts[i] == DNSREP_FORMAT_CSV ? 0 : res->nr - 1, 2,
			"line longer than 4096 bytes");
		result_free(res);
	}
	free(data);
}

static void test_nul_bytes(void **state)
{
	(void)state;
	static const char data[] = "a.example\nb\0x.example\nc.example\n\0\n";
	struct result *res = run_opts(DNSREP_FORMAT_PLAIN, data, sizeof(data) - 1, 1.0, 0, 0);
	assert_int_equal(res->rc, 0);
	expect_counts(res, 4, 2, 0, 2, 0);
	expect_entry(res, 0, "a.example", DNSREP_SCOPE_SUBTREE, 0, 1);
	expect_entry(res, 1, "c.example", DNSREP_SCOPE_SUBTREE, 0, 3);
	expect_reject(res, 0, 2, "NUL byte in line");
	expect_reject(res, 1, 4, "NUL byte in line");
	result_free(res);

	/* a NUL in a hosts line and in a CSV row */
	static const char hosts[] = "0.0.0.0 a.example\0\n";
	res = run_opts(DNSREP_FORMAT_HOSTS, hosts, sizeof(hosts) - 1, 1.0, 0, 0);
	expect_counts(res, 1, 0, 0, 1, 0);
	expect_reject(res, 0, 1, "NUL byte in line");
	result_free(res);
}

static void test_utf8(void **state)
{
	(void)state;
	char why[DNSREP_ERRLEN];
	const char *text = "b\xc3\xbc" "cher.example\n"   /* bücher.example: an IDN */
		"bad\xff.example\n"                        /* invalid UTF-8 */
		"bad\xc3.example\n";                       /* a cut sequence */
	struct result *res = run_all(DNSREP_FORMAT_PLAIN, text);
	assert_int_equal(res->rc, 0);
	expect_counts(res, 3, 1, 0, 2, 0);
	expect_entry(res, 0, "xn--bcher-kva.example", DNSREP_SCOPE_SUBTREE, 0, 1);
	expect_reject(res, 0, 2, name_reason("bad\xff.example", 12, why, sizeof(why)));
	expect_reject(res, 1, 3, name_reason("bad\xc3.example", 12, why, sizeof(why)));
	result_free(res);
}

static void test_crlf_bom_last_line(void **state)
{
	(void)state;
	struct result *res = run_default(DNSREP_FORMAT_PLAIN,
		"\xef\xbb\xbf" "a.example\r\n# c\r\n\r\nb.example\r\nc.example");
	assert_int_equal(res->rc, 0);
	expect_counts(res, 5, 3, 0, 0, 0);
	expect_entry(res, 0, "a.example", DNSREP_SCOPE_SUBTREE, 0, 1);
	expect_entry(res, 1, "b.example", DNSREP_SCOPE_SUBTREE, 0, 4);
	expect_entry(res, 2, "c.example", DNSREP_SCOPE_SUBTREE, 0, 5);
	result_free(res);

	/* a CR inside a line is not a line end: name.c refuses the control byte */
	char why[DNSREP_ERRLEN];
	res = run_all(DNSREP_FORMAT_PLAIN, "a\rb.example\n");
	expect_counts(res, 1, 0, 0, 1, 0);
	expect_reject(res, 0, 1, name_reason("a\rb.example", 11, why, sizeof(why)));
	result_free(res);
}

static void test_empty_feeds(void **state)
{
	(void)state;
	static const enum dnsrep_format fmts[] = { DNSREP_FORMAT_AUTO, DNSREP_FORMAT_PLAIN,
		DNSREP_FORMAT_HOSTS, DNSREP_FORMAT_ADBLOCK, DNSREP_FORMAT_RPZ, DNSREP_FORMAT_CSV };
	for (size_t i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		struct result *res = run_default(fmts[i], "");
		assert_int_equal(res->rc, 0);
		expect_counts(res, 0, 0, 0, 0, 0);
		assert_string_equal(res->err, "");
		result_free(res);
		res = run_opts(fmts[i], NULL, 0, 0.05, 0, 0);
		assert_int_equal(res->rc, 0);
		result_free(res);
		res = run_default(fmts[i], "\n\n");
		assert_int_equal(res->rc, 0);
		expect_counts(res, 2, 0, 0, 0, 0);
		result_free(res);
	}
	/* comments only */
	struct result *res = run_default(DNSREP_FORMAT_AUTO, "# nothing yet\n! still nothing\n");
	assert_int_equal(res->rc, 0);
	expect_counts(res, 2, 0, 0, 0, 0);
	result_free(res);
}

/* ---- hosts ------------------------------------------------------------------------------ */

static void test_hosts_good(void **state)
{
	(void)state;
	struct result *res = run_file(DNSREP_FORMAT_HOSTS, "sample.hosts");
	assert_int_equal(res->rc, 0);
	assert_int_equal(res->st.format, DNSREP_FORMAT_HOSTS);
	expect_counts(res, 13, 5, 0, 0, 0);
	expect_entry(res, 0, "seized-one.example", DNSREP_SCOPE_SELF, 0, 10);
	expect_entry(res, 1, "seized-two.example", DNSREP_SCOPE_SELF, 0, 11);
	expect_entry(res, 2, "seized-three.example", DNSREP_SCOPE_SELF, 0, 11);
	expect_entry(res, 3, "seized-four.example", DNSREP_SCOPE_SELF, 0, 12);
	expect_entry(res, 4, "seized-five.example", DNSREP_SCOPE_SELF, 0, 13);
	result_free(res);
}

static void test_hosts_bad_lines(void **state)
{
	(void)state;
	char why[DNSREP_ERRLEN];
	struct result *res = run_all(DNSREP_FORMAT_HOSTS,
		"a.example\n"                          /* 1: no address */
		"0.0.0.0\n"                            /* 2: no name */
		"999.1.1.1 x.example\n"                /* 3: not an address */
		"0.0.0.0 *.x.example\n"                /* 4: wildcard */
		"0.0.0.0 good.example bad..example\n"  /* 5: one good, one bad */
		"0.0.0.0 http://x.example\n"           /* 6: a URL */
		"0.0.0.0 com\n"                        /* 7: a public suffix, exactly: taken */
		"0.0.0.0 LOCALHOST Local.\n");         /* 8: the machine's own names, skipped */
	assert_int_equal(res->rc, 0);
	expect_counts(res, 8, 2, 0, 6, 0);
	expect_reject(res, 0, 1, "not a hosts line: 'a.example' is not an IP address");
	expect_reject(res, 1, 2, "no name after the address");
	expect_reject(res, 2, 3, "not a hosts line: '999.1.1.1' is not an IP address");
	expect_reject(res, 3, 4, "wildcards are not allowed in hosts files: '*.x.example'");
	expect_entry(res, 0, "good.example", DNSREP_SCOPE_SELF, 0, 5);
	expect_reject(res, 4, 5, name_reason("bad..example", 12, why, sizeof(why)));
	expect_reject(res, 5, 6, "character ':' not allowed in a domain name: 'http://x.example'");
	expect_entry(res, 1, "com", DNSREP_SCOPE_SELF, 0, 7);
	result_free(res);
}

/* ---- adblock ------------------------------------------------------------------------------ */

static void test_adblock_good(void **state)
{
	(void)state;
	struct result *res = run_file(DNSREP_FORMAT_ADBLOCK, "sample.adblock");
	assert_int_equal(res->rc, 0);
	/* the exception under a $important block is overridden (AdGuard: $important
	 * rules beat exceptions that are not $important themselves) */
	expect_counts(res, 7, 3, 0, 0, 0);
	assert_int_equal(res->st.overridden, 1);
	expect_entry(res, 0, "seized-one.example", DNSREP_SCOPE_SUBTREE, 0, 4);
	expect_entry(res, 1, "seized-two.example", DNSREP_SCOPE_SUBTREE, 0, 5);
	expect_entry(res, 2, "seized-three.example", DNSREP_SCOPE_SUBTREE, 0, 7);
	result_free(res);

	res = run_default(DNSREP_FORMAT_ADBLOCK,
		"@@||a.example^$important\n  ||B.Example^  \n# a hosts-style comment\n"
		"||c.example^$IMPORTANT\n");
	assert_int_equal(res->rc, 0);
	expect_counts(res, 4, 3, 1, 0, 0);
	expect_entry(res, 0, "a.example", DNSREP_SCOPE_SUBTREE, 1, 1);
	expect_entry(res, 1, "b.example", DNSREP_SCOPE_SUBTREE, 0, 2);
	expect_entry(res, 2, "c.example", DNSREP_SCOPE_SUBTREE, 0, 4);
	result_free(res);
}

static void test_adblock_bad_lines(void **state)
{
	(void)state;
	struct result *res = run_all(DNSREP_FORMAT_ADBLOCK,
		"example.com##.ad\n"                         /* 1 */
		"example.com#@#.ad\n"                        /* 2 */
		"##.banner\n"                                /* 3 */
		"||a.example/ads\n"                          /* 4 */
		"||a.example^/ads\n"                         /* 5 */
		"/ads[0-9]+\\./\n"                           /* 6 */
		"||a.example^$third-party\n"                 /* 7 */
		"||a.example^$domain=x.example\n"            /* 8 */
		"||a.example^$important,third-party\n"       /* 9 */
		"||ads*.example^\n"                          /* 10 */
		"||a.example\n"                              /* 11 */
		"example.com\n"                              /* 12 */
		"|http://a.example|\n"                       /* 13 */
		"||a.example^$\n"                            /* 14 */
		"||a.example^$important,\n"                  /* 15 */
		"||a.example^x\n"                            /* 16 */
		"@@example.com\n"                            /* 17 */
		"@@||com^\n"                                 /* 18 */
		"||ok.example^\n");                          /* 19 */
	assert_int_equal(res->rc, 0);
	expect_counts(res, 19, 1, 0, 18, 0);
	expect_reject(res, 0, 1, "not a DNS rule: a cosmetic rule ('example.com##.ad')");
	expect_reject(res, 1, 2, "not a DNS rule: a cosmetic rule ('example.com#@#.ad')");
	expect_reject(res, 2, 3, "not a DNS rule: a cosmetic rule ('##.banner')");
	expect_reject(res, 3, 4, "not a DNS rule: a path rule ('||a.example/ads')");
	expect_reject(res, 4, 5, "not a DNS rule: a path rule ('||a.example^/ads')");
	expect_reject(res, 5, 6, "not a DNS rule: a regular expression ('/ads[0-9]+\\./')");
	expect_reject(res, 6, 7, "unsupported modifier '$third-party': only $important and "
		"$badfilter have a meaning for DNS");
	expect_reject(res, 7, 8, "unsupported modifier '$domain=x.example': only $important and "
		"$badfilter have a meaning for DNS");
	expect_reject(res, 8, 9, "unsupported modifier '$third-party': only $important and "
		"$badfilter have a meaning for DNS");
	expect_reject(res, 9, 10, "not a DNS rule: a wildcard pattern ('||ads*.example^')");
	expect_reject(res, 10, 11, "not a DNS rule: no '^' after the name, so it would match "
		"longer names too ('||a.example')");
	expect_reject(res, 11, 12, "not a DNS rule: only ||name^ rules are supported ('example.com')");
	expect_reject(res, 12, 13, "not a DNS rule: only ||name^ rules are supported "
		"('|http://a.example|')");
	expect_reject(res, 13, 14, "empty '$' modifier");
	expect_reject(res, 14, 15, "empty '$' modifier");
	expect_reject(res, 15, 16, "not a DNS rule: unexpected text after '^' ('||a.example^x')");
	expect_reject(res, 16, 17, "not a DNS rule: only ||name^ rules are supported "
		"('@@example.com')");
	expect_reject(res, 17, 18, "refusing to allow \"com\", a public suffix: one line would "
		"unblock everything (set allow-public-suffix)");
	expect_entry(res, 0, "ok.example", DNSREP_SCOPE_SUBTREE, 0, 19);
	result_free(res);
}

/*
 * AdGuard's DNS filtering syntax (adguard-dns.io/kb/general/dns-filtering-syntax):
 * "@@" exceptions unblock the name and its subdomains whatever blocks them;
 * $important raises a blocking rule above exceptions that are not $important;
 * $badfilter disables the rule that is the same without it.
 */
static void test_adblock_precedence(void **state)
{
	(void)state;
	/* an exception above a block wins over the more specific block */
	struct result *res = run_all(DNSREP_FORMAT_ADBLOCK,
		"||ads.example.com^\n@@||example.com^\n||tracker.other.example^\n");
	expect_counts(res, 3, 2, 1, 0, 0);
	assert_int_equal(res->st.overridden, 1);
	expect_entry(res, 0, "example.com", DNSREP_SCOPE_SUBTREE, 1, 2);
	expect_entry(res, 1, "tracker.other.example", DNSREP_SCOPE_SUBTREE, 0, 3);
	result_free(res);

	/* $important beats the exception, at the same name and above it */
	res = run_all(DNSREP_FORMAT_ADBLOCK,
		"||ads.example.com^$important\n@@||ads.example.com^\n@@||x.ads.example.com^\n"
		"@@||example.com^\n");
	expect_counts(res, 4, 2, 1, 0, 0);
	assert_int_equal(res->st.overridden, 2);
	expect_entry(res, 0, "ads.example.com", DNSREP_SCOPE_SUBTREE, 0, 1);
	expect_entry(res, 1, "example.com", DNSREP_SCOPE_SUBTREE, 1, 4);
	result_free(res);

	/* an $important exception beats an $important block */
	res = run_all(DNSREP_FORMAT_ADBLOCK,
		"||ads.example.com^$important\n@@||example.com^$important\n");
	expect_counts(res, 2, 1, 1, 0, 0);
	expect_entry(res, 0, "example.com", DNSREP_SCOPE_SUBTREE, 1, 2);
	result_free(res);

	/* $badfilter cancels the identical rule, in either order, and only that one */
	res = run_all(DNSREP_FORMAT_ADBLOCK,
		"||linksprf.com^$badfilter\n||linksprf.com^\n||LinksPrf.com^$important\n"
		"||keep.example^\n@@||keep.example^$badfilter\n");
	expect_counts(res, 5, 2, 0, 0, 0);
	expect_entry(res, 0, "linksprf.com", DNSREP_SCOPE_SUBTREE, 0, 3);
	expect_entry(res, 1, "keep.example", DNSREP_SCOPE_SUBTREE, 0, 4);
	result_free(res);
	res = run_all(DNSREP_FORMAT_ADBLOCK, "||linksprf.com^\n||linksprf.com^$badfilter\n");
	expect_counts(res, 2, 0, 0, 0, 0);
	assert_int_equal(res->st.overridden, 2);
	result_free(res);
	/* a rule the real pass rejects overrides nothing: @@||com^ (everything below a
	 * public suffix) is rejected, and the block under it stays */
	res = run_all(DNSREP_FORMAT_ADBLOCK, "||ads.example.com^\n@@||com^\n||x.com^$important\n"
		"@@||y.x.com^\n");
	expect_counts(res, 4, 2, 0, 1, 0);
	expect_entry(res, 0, "ads.example.com", DNSREP_SCOPE_SUBTREE, 0, 1);
	expect_entry(res, 1, "x.com", DNSREP_SCOPE_SUBTREE, 0, 3);
	assert_int_equal(res->st.overridden, 1);
	result_free(res);
	/* names compare as decoded: a U-label exception covers its A-label's subdomains */
	res = run_all(DNSREP_FORMAT_ADBLOCK, "@@||b\xc3\xbc" "cher.de^\n||x.xn--bcher-kva.de^\n");
	expect_counts(res, 2, 1, 1, 0, 0);
	expect_entry(res, 0, "xn--bcher-kva.de", DNSREP_SCOPE_SUBTREE, 1, 1);
	result_free(res);
}

/* IP rules and names that are IP addresses are refused, never read as names. */
static void test_ip_rules_refused(void **state)
{
	(void)state;
	struct result *res = run_all(DNSREP_FORMAT_ADBLOCK, "||103.179.189.35^\n||ok.example^\n");
	expect_counts(res, 2, 1, 0, 1, 0);
	expect_reject(res, 0, 1, "an IP rule ('||103.179.189.35^'): AdGuard blocks answers that "
		"contain this address; dnsrep blocks names only");
	result_free(res);
	res = run_all(DNSREP_FORMAT_PLAIN, "10.0.0.1\n*.192.0.2.1\n1.2.3.4.example\n");
	expect_counts(res, 3, 1, 0, 2, 0);
	expect_reject(res, 0, 1, "'10.0.0.1' is an IP address, not a domain name: dnsrep blocks "
		"names, not addresses in answers");
	expect_entry(res, 0, "1.2.3.4.example", DNSREP_SCOPE_SUBTREE, 0, 3);
	result_free(res);
	res = run_all(DNSREP_FORMAT_HOSTS, "0.0.0.0 198.51.100.7 good.example\n");
	expect_counts(res, 1, 1, 0, 1, 0);
	result_free(res);
	res = run_all(DNSREP_FORMAT_CSV, "domain,category,reason,date,source\n203.0.113.9,seized,,,\n");
	expect_counts(res, 2, 0, 0, 1, 0);
	result_free(res);
}

/* A hosts entry or an exact RPZ trigger for a public suffix covers that one name:
 * taken.  Only entries covering the names below a public suffix are refused. */
static void test_exact_public_suffix_entries(void **state)
{
	(void)state;
	struct result *res = run_all(DNSREP_FORMAT_HOSTS,
		"0.0.0.0 ec2-34-195-40-20.compute-1.amazonaws.com\n0.0.0.0 com\n! a comment\n");
	expect_counts(res, 3, 2, 0, 0, 0);
	expect_entry(res, 0, "ec2-34-195-40-20.compute-1.amazonaws.com", DNSREP_SCOPE_SELF, 0, 1);
	expect_entry(res, 1, "com", DNSREP_SCOPE_SELF, 0, 2);
	result_free(res);
	res = run_all(DNSREP_FORMAT_PLAIN, "ec2-34-195-40-20.compute-1.amazonaws.com\n");
	expect_counts(res, 1, 0, 0, 1, 0);
	expect_reject(res, 0, 1, "refusing to block \"ec2-34-195-40-20.compute-1.amazonaws.com\", "
		"a public suffix: one line would block everything (set allow-public-suffix)");
	result_free(res);
}

/* "*.name" in plain and CSV feeds: name and below by default (dnscrypt-proxy's
 * meaning, the wildcard lists' consumers), only below with wildcard: below. */
static void test_wildcard_choice(void **state)
{
	(void)state;
	const char *text = "*.front.example\nplain.example\n";
	struct result *res = run_all(DNSREP_FORMAT_PLAIN, text);
	expect_entry(res, 0, "front.example", DNSREP_SCOPE_SUBTREE, 0, 1);
	expect_entry(res, 1, "plain.example", DNSREP_SCOPE_SUBTREE, 0, 2);
	result_free(res);
	struct result *r2 = calloc(1, sizeof(*r2));
	assert_non_null(r2);
	struct dnsrep_feed_opts o;
	dnsrep_feed_opts_init(&o, "t");
	o.format = DNSREP_FORMAT_PLAIN;
	o.wildcard_below = 1;
	r2->rc = dnsrep_feed_parse(&o, text, strlen(text), on_entry, on_reject, r2, &r2->st,
		r2->err, sizeof(r2->err));
	assert_int_equal(r2->rc, 0);
	expect_entry(r2, 0, "front.example", DNSREP_SCOPE_BELOW, 0, 1);
	expect_entry(r2, 1, "plain.example", DNSREP_SCOPE_SUBTREE, 0, 2);
	result_free(r2);
}

/* RPZ (draft-vixie-dnsop-dns-rpz): CNAME . is NXDOMAIN, CNAME *. is NODATA. */
static void test_rpz_actions_kept(void **state)
{
	(void)state;
	struct result *res = run_all(DNSREP_FORMAT_RPZ,
		"$ORIGIN rpz.example.\na.example CNAME .\nb.example CNAME *.\nc.example CNAME rpz-passthru.\n");
	expect_counts(res, 4, 3, 1, 0, 0);
	expect_entry(res, 0, "a.example", DNSREP_SCOPE_SELF, 0, 2);
	assert_int_equal(res->e[0].action, DNSREP_ACTION_NXDOMAIN);
	expect_entry(res, 1, "b.example", DNSREP_SCOPE_SELF, 0, 3);
	assert_int_equal(res->e[1].action, DNSREP_ACTION_NODATA);
	expect_entry(res, 2, "c.example", DNSREP_SCOPE_SELF, 1, 4);
	assert_int_equal(res->e[2].action, DNSREP_ACTION_INHERIT);
	result_free(res);
}

/* ---- rpz ------------------------------------------------------------------------------------ */

static void test_rpz_origin_multiline_soa(void **state)
{
	(void)state;
	struct result *res = run_file(DNSREP_FORMAT_RPZ, "sample.rpz");
	if (res->rc != 0 || res->nr)
		fail_msg("rc %d, %u rejected, first: %u: %s", res->rc, res->nr,
			res->nr ? res->r[0].line : 0, res->nr ? res->r[0].reason : "");
	assert_int_equal(res->st.format, DNSREP_FORMAT_RPZ);
	expect_counts(res, 18, 7, 2, 0, 0);
	expect_entry(res, 0, "seized-one.example", DNSREP_SCOPE_SELF, 0, 12);
	expect_entry(res, 1, "seized-one.example", DNSREP_SCOPE_BELOW, 0, 13);
	expect_entry(res, 2, "nodata.example", DNSREP_SCOPE_SELF, 0, 14);
	expect_entry(res, 3, "ok.seized-one.example", DNSREP_SCOPE_SELF, 1, 15);
	expect_entry(res, 4, "okwild.example", DNSREP_SCOPE_BELOW, 1, 16);
	expect_entry(res, 5, "mixed.case.example", DNSREP_SCOPE_SELF, 0, 17);
	expect_entry(res, 6, "abs.example", DNSREP_SCOPE_SELF, 0, 18);
	result_free(res);
}

static void test_rpz_soa_owner_as_origin(void **state)
{
	(void)state;
	/* no $ORIGIN: the SOA's owner is the zone; relative and absolute owners */
	struct result *res = run_default(DNSREP_FORMAT_RPZ,
		"rpz.example. 300 IN SOA ns.rpz.example. h.rpz.example. 1 3600 600 86400 60\n"
		"rpz.example. IN NS ns.rpz.example.\n"
		"bad.example.rpz.example. CNAME .\n"
		"rel.example CNAME .\n"
		"@ NS ns2.rpz.example.\n");
	assert_int_equal(res->rc, 0);
	expect_counts(res, 5, 2, 0, 0, 0);
	expect_entry(res, 0, "bad.example", DNSREP_SCOPE_SELF, 0, 3);
	expect_entry(res, 1, "rel.example", DNSREP_SCOPE_SELF, 0, 4);
	result_free(res);

	/* no $ORIGIN and no SOA: a fragment, names taken as written */
	res = run_default(DNSREP_FORMAT_RPZ,
		"bad.example CNAME .\n*.wild.example. 60 IN CNAME .\n");
	assert_int_equal(res->rc, 0);
	expect_counts(res, 2, 2, 0, 0, 0);
	expect_entry(res, 0, "bad.example", DNSREP_SCOPE_SELF, 0, 1);
	expect_entry(res, 1, "wild.example", DNSREP_SCOPE_BELOW, 0, 2);
	result_free(res);

	/* the SOA decides the zone even after another $ORIGIN; an owner-less record
	 * takes the previous owner */
	res = run_default(DNSREP_FORMAT_RPZ,
		"$ORIGIN rpz.example.\n"
		"@ SOA ns. h. 1 2 3 4 5\n"
		"$ORIGIN sub.rpz.example.\n"
		"x CNAME .\n"
		"  TXT \"note\"\n");
	expect_counts(res, 5, 1, 0, 1, 1);
	expect_entry(res, 0, "x.sub", DNSREP_SCOPE_SELF, 0, 4);
	expect_reject(res, 0, 5, "unsupported RPZ action: local data (TXT record)");
	result_free(res);
}

static void test_rpz_unsupported(void **state)
{
	(void)state;
	struct result *res = run_all(DNSREP_FORMAT_RPZ,
		"$ORIGIN rpz.example.\n"                               /* 1 */
		"@ SOA ns. h. 1 2 3 4 5\n"                             /* 2 */
		"drop.example CNAME rpz-drop.\n"                       /* 3 */
		"tcp.example CNAME rpz-tcp-only.\n"                    /* 4 */
		"local.example A 192.0.2.1\n"                          /* 5 */
		"local.example AAAA 2001:db8::1\n"                     /* 6 */
		"text.example TXT \"hello ; world\"\n"                 /* 7 */
		"redirect.example CNAME www.elsewhere.example.\n"      /* 8 */
		"32.1.2.0.192.rpz-ip CNAME .\n"                        /* 9 */
		"ns.evil.example.rpz-nsdname CNAME .\n"                /* 10 */
		"32.1.2.0.192.rpz-nsip CNAME .\n"                      /* 11 */
		"24.0.2.0.192.rpz-client-ip CNAME .\n"                 /* 12 */
		"@ TXT \"zone metadata\"\n"                            /* 13 */
		"rel.example CNAME rpz-passthru\n"                     /* 14 */
		"ok.example CNAME .\n");                               /* 15 */
	assert_int_equal(res->rc, 0);
	expect_counts(res, 15, 1, 0, 12, 12);
	expect_reject(res, 0, 3, "unsupported RPZ action: rpz-drop.");
	expect_reject(res, 1, 4, "unsupported RPZ action: rpz-tcp-only.");
	expect_reject(res, 2, 5, "unsupported RPZ action: local data (A record)");
	expect_reject(res, 3, 6, "unsupported RPZ action: local data (AAAA record)");
	expect_reject(res, 4, 7, "unsupported RPZ action: local data (TXT record)");
	expect_reject(res, 5, 8, "unsupported RPZ action: local data (CNAME to "
		"www.elsewhere.example.)");
	expect_reject(res, 6, 9, "unsupported RPZ trigger: rpz-ip (only QNAME triggers are supported)");
	expect_reject(res, 7, 10, "unsupported RPZ trigger: rpz-nsdname (only QNAME triggers are "
		"supported)");
	expect_reject(res, 8, 11, "unsupported RPZ trigger: rpz-nsip (only QNAME triggers are "
		"supported)");
	expect_reject(res, 9, 12, "unsupported RPZ trigger: rpz-client-ip (only QNAME triggers are "
		"supported)");
	expect_reject(res, 10, 13, "unsupported RPZ trigger: TXT record at the zone apex");
	expect_reject(res, 11, 14, "unsupported RPZ action: local data (CNAME to "
		"rpz-passthru.rpz.example.)");
	expect_entry(res, 0, "ok.example", DNSREP_SCOPE_SELF, 0, 15);
	result_free(res);

	/* with the default 5%, such a feed is rejected whole */
	res = run_default(DNSREP_FORMAT_RPZ, "a.example CNAME rpz-drop.\nb.example CNAME .\n");
	assert_int_equal(res->rc, -1);
	assert_string_equal(res->err, "feed t: 1 of 2 lines rejected (50.0%, more than 5.0%): "
		"feed rejected");
	result_free(res);
}

static void test_rpz_bad_records(void **state)
{
	(void)state;
	struct result *res = run_all(DNSREP_FORMAT_RPZ,
		"  CNAME .\n"                                  /* 1 */
		"@ CNAME .\n"                                  /* 2 */
		"x.example CNAME\n"                            /* 3 */
		"$INCLUDE other.zone\n"                        /* 4 */
		"$GENERATE 1-10 x$ CNAME .\n"                  /* 5 */
		"$TTL soon\n"                                  /* 6 */
		"$ORIGIN\n"                                    /* 7 */
		"$ORIGIN relative\n"                           /* 8 */
		"$ORIGIN rpz.example.\n"                       /* 9 */
		"outside.example. CNAME .\n"                   /* 10 */
		"x.example CNAME . )\n"                        /* 11 */
		"*.rpz.example. CNAME .\n"                     /* 12 */
		"com CNAME .\n"                                /* 13 */
		"y.example CNAME . ; fine\n"                   /* 14 */
		"z.example CNAME ( .\n");                      /* 15: never closed */
	assert_int_equal(res->rc, 0);
	expect_counts(res, 15, 2, 0, 12, 0);
	expect_reject(res, 0, 1, "a record without an owner name and no record before it");
	expect_reject(res, 1, 2, "'@' but no $ORIGIN or SOA record before it");
	expect_reject(res, 2, 3, "bad record: Syntax error, value expected");
	expect_reject(res, 3, 4, "$INCLUDE is not supported: an RPZ feed must be one file");
	expect_reject(res, 4, 5, "unknown directive '$GENERATE'");
	expect_reject(res, 5, 6, "bad $TTL 'soon'");
	expect_reject(res, 6, 7, "$ORIGIN takes one value");
	expect_reject(res, 7, 8, "$ORIGIN 'relative' is relative and there is no origin to "
		"complete it");
	expect_reject(res, 8, 10, "outside.example. is outside the zone rpz.example.");
	expect_reject(res, 9, 11, "')' without '('");
	expect_reject(res, 10, 12, "refusing to block the root: one line would block everything "
		"(set allow-public-suffix)");
	/* an exact trigger for a public suffix covers that one name: taken */
	expect_entry(res, 0, "com", DNSREP_SCOPE_SELF, 0, 13);
	expect_entry(res, 1, "y.example", DNSREP_SCOPE_SELF, 0, 14);
	expect_reject(res, 11, 15, "'(' without ')': the record never ends");
	result_free(res);
}

static void test_rpz_directives_and_quotes(void **state)
{
	(void)state;
	/* a relative $ORIGIN is completed by the current one; $TTL with units; a parenthesis
	 * and a ';' inside quotes are text; comments may hold parentheses */
	struct result *res = run_all(DNSREP_FORMAT_RPZ,
		"$TTL 1h\n"                                   /* 1 */
		"$ORIGIN rpz.example.\n"                      /* 2 */
		"@ SOA ns. h. 1 2 3 4 5 ; (not open\n"        /* 3 */
		"$ORIGIN sub\n"                               /* 4 */
		"a CNAME .\n"                                 /* 5 */
		"t TXT \"( ; \\\" )\"\n"                        /* 6 */
		"$TTL 5m30s\n"                                /* 7 */
		"b.* CNAME .\n"                               /* 8 */
		"c ( CNAME\n"                                 /* 9 */
		"  ; a comment line inside the record )\n"    /* 10 */
		"  . )\n");                                   /* 11 */
	assert_int_equal(res->rc, 0);
	expect_counts(res, 11, 2, 0, 2, 1);
	expect_entry(res, 0, "a.sub", DNSREP_SCOPE_SELF, 0, 5);
	expect_reject(res, 0, 6, "unsupported RPZ action: local data (TXT record)");
	expect_reject(res, 1, 8, "'*' is only allowed as the first label of a trigger");
	expect_entry(res, 1, "c.sub", DNSREP_SCOPE_SELF, 0, 9);
	result_free(res);
}

static void test_rpz_record_too_long(void **state)
{
	(void)state;
	/* every line is short, but the record they make is over 64 KiB */
	size_t cap = 25 * 4000 + 200, len = 0;
	char *data = malloc(cap);
	assert_non_null(data);
	len += (size_t)sprintf(data + len, "long.example TXT (\n");
	for (int i = 0; i < 25; i++) {
		len += (size_t)sprintf(data + len, "\"");
		memset(data + len, 'x', 3000);
		len += 3000;
		len += (size_t)sprintf(data + len, "\"\n");
	}
	len += (size_t)sprintf(data + len, ")\nok.example CNAME .\n");
	struct result *res = run_opts(DNSREP_FORMAT_RPZ, data, len, 1.0, 0, 0);
	assert_int_equal(res->rc, 0);
	expect_counts(res, 28, 1, 0, 1, 0);
	expect_reject(res, 0, 1, "record longer than 65536 bytes");
	expect_entry(res, 0, "ok.example", DNSREP_SCOPE_SELF, 0, 28);
	result_free(res);
	free(data);
}

static void test_rpz_bad_line_inside_record(void **state)
{
	(void)state;
	/* a NUL byte inside a multi-line record drops the record; parsing goes on */
	static const char data[] =
		"$ORIGIN rpz.example.\n"
		"@ SOA ns. h. (\n"
		"  1 2 \0 3\n"
		"  4 5 )\n"
		"a.example CNAME .\n";
	struct result *res = run_opts(DNSREP_FORMAT_RPZ, data, sizeof(data) - 1, 1.0, 0, 0);
	assert_int_equal(res->rc, 0);
	expect_counts(res, 5, 1, 0, 2, 0);
	expect_reject(res, 0, 3, "NUL byte in line (the record from line 2 is dropped)");
	expect_reject(res, 1, 4, "')' without '('");
	expect_entry(res, 0, "a.example", DNSREP_SCOPE_SELF, 0, 5);
	result_free(res);
}

/* ---- csv --------------------------------------------------------------------------------------- */

static void test_csv_good(void **state)
{
	(void)state;
	struct result *res = run_file(DNSREP_FORMAT_CSV, "sample.csv");
	assert_int_equal(res->rc, 0);
	expect_counts(res, 6, 4, 1, 0, 0);
	expect_entry(res, 0, "silverstarchina.com", DNSREP_SCOPE_SUBTREE, 0, 3);
	expect_extras(res, 0, "seized", "seized by the US DOJ, 17 Oct 2023", "2023-10-17",
		"https://www.justice.gov/opa/pr/example");
	expect_entry(res, 1, "wildcard.example", DNSREP_SCOPE_SUBTREE, 0, 4);
	expect_extras(res, 1, "threat", "a \"quoted\" reason", NULL, NULL);
	expect_entry(res, 2, "allowed.example", DNSREP_SCOPE_SUBTREE, 1, 5);
	expect_extras(res, 2, NULL, NULL, NULL, NULL);
	expect_entry(res, 3, "plain.example", DNSREP_SCOPE_SUBTREE, 0, 6);
	expect_extras(res, 3, NULL, NULL, NULL, NULL);
	result_free(res);

	/* header in any case, extra columns ignored, CRLF, spaces around fields, "" alone */
	res = run_default(DNSREP_FORMAT_CSV,
		"\"Domain\",CATEGORY,Reason,date,Source,notes\r\n"
		" a.example , seized , \"\" , 2024-02-29 , http://x.example/a ,whatever\r\n"
		"b.example,\"multi\"\"\"\"quote\",\"ends with comma,\",,,\r\n");
	assert_int_equal(res->rc, 0);
	expect_counts(res, 3, 2, 0, 0, 0);
	expect_entry(res, 0, "a.example", DNSREP_SCOPE_SUBTREE, 0, 2);
	expect_extras(res, 0, "seized", NULL, "2024-02-29", "http://x.example/a");
	expect_entry(res, 1, "b.example", DNSREP_SCOPE_SUBTREE, 0, 3);
	expect_extras(res, 1, "multi\"\"quote", "ends with comma,", NULL, NULL);
	result_free(res);
}

static void test_csv_bad_rows(void **state)
{
	(void)state;
	char why[DNSREP_ERRLEN];
	struct result *res = run_all(DNSREP_FORMAT_CSV,
		"domain,category,reason,date,source\n"       /* 1 */
		"a.example,seized,,2023-13-01,\n"            /* 2 */
		"a.example,seized,,2023-02-32,\n"            /* 3 */
		"a.example,seized,,2023/10/17,\n"            /* 4 */
		"a.example,seized,,23-10-17,\n"              /* 5 */
		"a.example,seized,,,not a url\n"             /* 6 */
		"a.example,seized,,,ftp:/x\n"                /* 7 */
		"a.example,seized\n"                         /* 8 */
		"a.example,\"unterminated\n"                 /* 9 */
		"a.example,\"closed\"x,,,\n"                 /* 10 */
		"a.example,sei\"zed,,,\n"                    /* 11 */
		",seized,,,\n"                               /* 12 */
		"bad..example,seized,,,\n"                   /* 13 */
		"co.uk,seized,,,\n"                          /* 14 */
		"a.example,seized,,2023-00-10,\n"            /* 15 */
		"a.example,seized,,2023-10-00,\n"            /* 16 */
		"ok.example,seized,,2023-12-31,\n");         /* 17 */
	assert_int_equal(res->rc, 0);
	expect_counts(res, 17, 1, 0, 15, 0);
	expect_reject(res, 0, 2, "date must be YYYY-MM-DD, not '2023-13-01'");
	expect_reject(res, 1, 3, "date must be YYYY-MM-DD, not '2023-02-32'");
	expect_reject(res, 2, 4, "date must be YYYY-MM-DD, not '2023/10/17'");
	expect_reject(res, 3, 5, "date must be YYYY-MM-DD, not '23-10-17'");
	expect_reject(res, 4, 6, "source must be a URL, not 'not a url'");
	expect_reject(res, 5, 7, "source must be a URL, not 'ftp:/x'");
	expect_reject(res, 6, 8, "2 fields, expected 5 (domain,category,reason,date,source)");
	expect_reject(res, 7, 9, "unterminated quoted field");
	expect_reject(res, 8, 10, "text after a closing quote");
	expect_reject(res, 9, 11, "a quote inside an unquoted field");
	expect_reject(res, 10, 12, "empty domain");
	expect_reject(res, 11, 13, name_reason("bad..example", 12, why, sizeof(why)));
	expect_reject(res, 12, 14, "refusing to block \"co.uk\", a public suffix: one line would "
		"block everything (set allow-public-suffix)");
	expect_reject(res, 13, 15, "date must be YYYY-MM-DD, not '2023-00-10'");
	expect_reject(res, 14, 16, "date must be YYYY-MM-DD, not '2023-10-00'");
	expect_entry(res, 0, "ok.example", DNSREP_SCOPE_SUBTREE, 0, 17);
	expect_extras(res, 0, "seized", NULL, "2023-12-31", NULL);
	result_free(res);
}

static void test_csv_bad_header(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"domain,category,reason,date\na.example,x,,,\n",
		"name,category,reason,date,source\n",
		"domain,reason,category,date,source\n",
		"a.example,seized,,,\n",
		"domain,category,reason,date,\"source\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct result *res = run_default(DNSREP_FORMAT_CSV, bad[i]);
		assert_int_equal(res->rc, -1);
		assert_string_equal(res->err, "feed t:1: CSV header must be "
			"domain,category,reason,date,source: feed rejected");
		assert_int_equal(res->st.entries, 0);
		result_free(res);
	}
	/* comments and blank lines may come first; the line number follows */
	struct result *res = run_default(DNSREP_FORMAT_CSV, "# c\n\nfoo,bar\n");
	assert_int_equal(res->rc, -1);
	assert_string_equal(res->err, "feed t:3: CSV header must be "
		"domain,category,reason,date,source: feed rejected");
	result_free(res);
}

/* ---- the threshold, public suffixes, the entry callback ------------------------------------------ */

/** n good plain lines and k bad ones. */
static char *plain_feed(unsigned good, unsigned bad)
{
	char *s = malloc((good + bad) * 32 + 1);
	assert_non_null(s);
	size_t len = 0;
	for (unsigned i = 0; i < good; i++)
		len += (size_t)sprintf(s + len, "good%u.example\n", i);
	for (unsigned i = 0; i < bad; i++)
		len += (size_t)sprintf(s + len, "bad%u..example\n", i);
	s[len] = '\0';
	return s;
}

static void test_threshold(void **state)
{
	(void)state;
	/* exactly 5%: accepted */
	char *text = plain_feed(19, 1);
	struct result *res = run_default(DNSREP_FORMAT_PLAIN, text);
	assert_int_equal(res->rc, 0);
	expect_counts(res, 20, 19, 0, 1, 0);
	assert_string_equal(res->err, "");
	result_free(res);
	free(text);

	text = plain_feed(57, 3);
	res = run_default(DNSREP_FORMAT_PLAIN, text);
	assert_int_equal(res->rc, 0);
	result_free(res);
	free(text);

	/* just over: rejected */
	text = plain_feed(18, 1);
	res = run_default(DNSREP_FORMAT_PLAIN, text);
	assert_int_equal(res->rc, -1);
	assert_string_equal(res->err,
		"feed t: 1 of 19 lines rejected (5.3%, more than 5.0%): feed rejected");
	expect_counts(res, 19, 18, 0, 1, 0); /* the caller drops what it took */
	result_free(res);
	free(text);

	/* the example of the header */
	text = plain_feed(28, 12);
	struct dnsrep_feed_opts o;
	dnsrep_feed_opts_init(&o, "seized");
	assert_int_equal(o.format, DNSREP_FORMAT_AUTO);
	assert_true(o.max_reject_share == 0.05);
	assert_int_equal(o.allow_public_suffix, 0);
	char err[DNSREP_ERRLEN];
	struct dnsrep_feed_stats st;
	res = calloc(1, sizeof(*res));
	assert_non_null(res);
	assert_int_equal(dnsrep_feed_parse(&o, text, strlen(text), on_entry, on_reject, res, &st,
		err, sizeof(err)), -1);
	assert_string_equal(err,
		"feed seized: 12 of 40 lines rejected (30.0%, more than 5.0%): feed rejected");
	assert_string_equal(res->r[0].feed, "seized");
	result_free(res);
	free(text);

	/* a share of 0: one bad line rejects the feed; a feed of bad lines only, too */
	res = run_opts(DNSREP_FORMAT_PLAIN, "a.example\nb..example\n", 21, 0.0, 0, 0);
	assert_int_equal(res->rc, -1);
	result_free(res);
	res = run_default(DNSREP_FORMAT_PLAIN, "a..example\n");
	assert_int_equal(res->rc, -1);
	assert_string_equal(res->err,
		"feed t: 1 of 1 lines rejected (100.0%, more than 5.0%): feed rejected");
	result_free(res);

	/* NULL stats and a small error buffer are fine */
	dnsrep_feed_opts_init(&o, "t");
	char small[8];
	assert_int_equal(dnsrep_feed_parse(&o, "a..example\n", 11, on_entry, NULL, NULL, NULL,
		small, sizeof(small)), -1);
	assert_string_equal(small, "feed t:");
}

static void test_public_suffix(void **state)
{
	(void)state;
	const char *text = "com\nco.uk\n.\n*.com\nexample.com\nCOM.\n";
	struct result *res = run_all(DNSREP_FORMAT_PLAIN, text);
	assert_int_equal(res->rc, 0);
	expect_counts(res, 6, 1, 0, 5, 0);
	expect_reject(res, 0, 1, "refusing to block \"com\", a public suffix: one line would block "
		"everything (set allow-public-suffix)");
	expect_reject(res, 1, 2, "refusing to block \"co.uk\", a public suffix: one line would block "
		"everything (set allow-public-suffix)");
	expect_reject(res, 2, 3, "refusing to block the root: one line would block everything "
		"(set allow-public-suffix)");
	expect_reject(res, 3, 4, "refusing to block \"com\", a public suffix: one line would block "
		"everything (set allow-public-suffix)");
	expect_reject(res, 4, 6, "refusing to block \"com\", a public suffix: one line would block "
		"everything (set allow-public-suffix)");
	expect_entry(res, 0, "example.com", DNSREP_SCOPE_SUBTREE, 0, 5);
	result_free(res);

	/* the override */
	res = run_opts(DNSREP_FORMAT_PLAIN, text, strlen(text), 0.05, 1, 0);
	assert_int_equal(res->rc, 0);
	expect_counts(res, 6, 6, 0, 0, 0);
	expect_entry(res, 0, "com", DNSREP_SCOPE_SUBTREE, 0, 1);
	expect_entry(res, 1, "co.uk", DNSREP_SCOPE_SUBTREE, 0, 2);
	expect_entry(res, 2, ".", DNSREP_SCOPE_SUBTREE, 0, 3);
	expect_entry(res, 3, "com", DNSREP_SCOPE_SUBTREE, 0, 4);
	result_free(res);

	/* allow entries too: an allow for com would unblock everything */
	res = run_all(DNSREP_FORMAT_CSV, "domain,category,reason,date,source\nuk,allow,,,\n");
	expect_counts(res, 2, 0, 0, 1, 0);
	expect_reject(res, 0, 2, "refusing to allow \"uk\", a public suffix: one line would "
		"unblock everything (set allow-public-suffix)");
	result_free(res);
	res = run_opts(DNSREP_FORMAT_RPZ, "com CNAME rpz-passthru.\n", 24, 1.0, 1, 0);
	expect_counts(res, 1, 1, 1, 0, 0);
	expect_entry(res, 0, "com", DNSREP_SCOPE_SELF, 1, 1);
	result_free(res);
}

static void test_entry_callback_fails(void **state)
{
	(void)state;
	const char *text = "a.example\nb.example\nc.example\n";
	struct result *res = run_opts(DNSREP_FORMAT_PLAIN, text, strlen(text), 0.05, 0, 2);
	assert_int_equal(res->rc, -1);
	assert_string_equal(res->err, "feed t: out of memory at line 2");
	assert_int_equal(res->st.entries, 1);
	assert_int_equal(res->st.lines, 2); /* stopped there */
	result_free(res);

	res = run_opts(DNSREP_FORMAT_RPZ, "a.example CNAME .\n", 18, 0.05, 0, 1);
	assert_int_equal(res->rc, -1);
	assert_string_equal(res->err, "feed t: out of memory at line 1");
	result_free(res);
}

static void test_duplicates_passed_on(void **state)
{
	(void)state;
	struct result *res = run_default(DNSREP_FORMAT_PLAIN, "a.example\nA.EXAMPLE.\na.example\n");
	assert_int_equal(res->rc, 0);
	expect_counts(res, 3, 3, 0, 0, 0);
	for (unsigned i = 0; i < 3; i++)
		expect_entry(res, i, "a.example", DNSREP_SCOPE_SUBTREE, 0, i + 1);
	result_free(res);
}

/* ---- recognizing the format ------------------------------------------------------------------------ */

static void test_detect_files(void **state)
{
	(void)state;
	static const struct { const char *file; enum dnsrep_format f; unsigned entries; } files[] = {
		{ "sample.txt", DNSREP_FORMAT_PLAIN, 3 },
		{ "sample.hosts", DNSREP_FORMAT_HOSTS, 5 },
		{ "sample.adblock", DNSREP_FORMAT_ADBLOCK, 3 }, /* one exception overridden */
		{ "sample.rpz", DNSREP_FORMAT_RPZ, 7 },
		{ "sample.csv", DNSREP_FORMAT_CSV, 4 },
	};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		size_t len;
		char *data = read_data(files[i].file, &len);
		assert_int_equal(dnsrep_feed_detect(data, len), files[i].f);
		free(data);
		struct result *res = run_file(DNSREP_FORMAT_AUTO, files[i].file);
		assert_int_equal(res->rc, 0);
		assert_int_equal(res->st.format, files[i].f);
		assert_int_equal(res->st.entries, files[i].entries);
		assert_int_equal(res->st.rejected, 0);
		result_free(res);
	}
}

static void test_detect_lines(void **state)
{
	(void)state;
	static const struct { const char *text; enum dnsrep_format f; } cases[] = {
		{ "", DNSREP_FORMAT_PLAIN },
		{ "# only a comment\n", DNSREP_FORMAT_PLAIN },
		{ "example.com\n", DNSREP_FORMAT_PLAIN },
		{ "*.example.com\n", DNSREP_FORMAT_PLAIN },
		{ "! comment\n\nexample.com # x\n", DNSREP_FORMAT_PLAIN },
		{ "domain,category,reason,date,source\n", DNSREP_FORMAT_CSV },
		{ "\xef\xbb\xbf" "Domain,Category,Reason,Date,Source\r\n", DNSREP_FORMAT_CSV },
		{ "# provenance\n\"domain\",\"category\",reason,date,source\n", DNSREP_FORMAT_CSV },
		{ "$ORIGIN rpz.example.\n", DNSREP_FORMAT_RPZ },
		{ "; zone\n$TTL 60\n", DNSREP_FORMAT_RPZ },
		{ "rpz.example. IN SOA ns. h. ( 1\n 2 3 4 5 )\n", DNSREP_FORMAT_RPZ },
		{ "bad.example CNAME .\n", DNSREP_FORMAT_RPZ },
		{ "bad.example 300 IN cname rpz-passthru.\n", DNSREP_FORMAT_RPZ },
		{ "||example.com^\n", DNSREP_FORMAT_ADBLOCK },
		{ "! Title: list\n@@||example.com^\n", DNSREP_FORMAT_ADBLOCK },
		{ "[Adblock Plus 2.0]\nexample.com\n", DNSREP_FORMAT_ADBLOCK },
		{ "0.0.0.0 example.com\n", DNSREP_FORMAT_HOSTS },
		{ "# hosts\n127.0.0.1\tlocalhost\n", DNSREP_FORMAT_HOSTS },
		{ "::1 localhost\n", DNSREP_FORMAT_HOSTS },
		{ "0.0.0.0\n", DNSREP_FORMAT_PLAIN },
		{ "  \t\r\n  example.com\n", DNSREP_FORMAT_PLAIN },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum dnsrep_format got = dnsrep_feed_detect(cases[i].text, strlen(cases[i].text));
		if (got != cases[i].f)
			fail_msg("case %zu: detected %d, expected %d", i, (int)got, (int)cases[i].f);
	}
	/* a 1 MB first line is skipped, not copied */
	size_t big = 1024 * 1024;
	char *data = malloc(big + 64);
	assert_non_null(data);
	memset(data, 'x', big);
	strcpy(data + big, "\n||example.com^\n");
	assert_int_equal(dnsrep_feed_detect(data, strlen(data)), DNSREP_FORMAT_ADBLOCK);
	free(data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_good),
		cmocka_unit_test(test_plain_bad_lines),
		cmocka_unit_test(test_long_lines),
		cmocka_unit_test(test_nul_bytes),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_crlf_bom_last_line),
		cmocka_unit_test(test_empty_feeds),
		cmocka_unit_test(test_hosts_good),
		cmocka_unit_test(test_hosts_bad_lines),
		cmocka_unit_test(test_adblock_good),
		cmocka_unit_test(test_adblock_bad_lines),
		cmocka_unit_test(test_adblock_precedence),
		cmocka_unit_test(test_ip_rules_refused),
		cmocka_unit_test(test_exact_public_suffix_entries),
		cmocka_unit_test(test_rpz_actions_kept),
		cmocka_unit_test(test_wildcard_choice),
		cmocka_unit_test(test_rpz_origin_multiline_soa),
		cmocka_unit_test(test_rpz_soa_owner_as_origin),
		cmocka_unit_test(test_rpz_unsupported),
		cmocka_unit_test(test_rpz_bad_records),
		cmocka_unit_test(test_rpz_directives_and_quotes),
		cmocka_unit_test(test_rpz_record_too_long),
		cmocka_unit_test(test_rpz_bad_line_inside_record),
		cmocka_unit_test(test_csv_good),
		cmocka_unit_test(test_csv_bad_rows),
		cmocka_unit_test(test_csv_bad_header),
		cmocka_unit_test(test_threshold),
		cmocka_unit_test(test_public_suffix),
		cmocka_unit_test(test_entry_callback_fails),
		cmocka_unit_test(test_duplicates_passed_on),
		cmocka_unit_test(test_detect_files),
		cmocka_unit_test(test_detect_lines),
	};
	return cmocka_run_group_tests_name("feed", tests, NULL, NULL);
}
