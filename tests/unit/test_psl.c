/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_psl.c — dnsrep's own table of the Public Suffix List (blocklist/psl.c)
 * gives libpsl's answers: dnsrep_name_registrable, _is_public_suffix and
 * _is_listed_suffix are computed for the same names with the same list file,
 * once through the table and once through libpsl, and must agree on every name:
 *
 *   - every rule of the list, and the names one and two labels below it and
 *     below a "www" (wildcards, exceptions, rules inside rules);
 *   - 200,000 generated names: a rule of the list (or an unlisted TLD) with up to
 *     twelve random labels before it, some of any octets (binary, '.', UTF-8);
 *   - the ~100k names of EasyList and EasyPrivacy when contrib/fetch-test-data.sh
 *     has put them in build/testdata (else that part is skipped and says so).
 *
 * Then the table's answers for a few names are checked against the list's own
 * meaning, so that the two cannot agree on something wrong, and a file that is
 * missing or holds no rules falls back to libpsl.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dnsrep/name.h"

#define PSL_DAT "/usr/share/publicsuffix/public_suffix_list.dat"

/** Names as wire bytes, one after the other. */
struct names {
	uint8_t *wire;
	size_t len, cap;
	size_t n;
};

static void names_add(struct names *ns, const struct dnsrep_name *n)
{
	if (ns->len + n->len > ns->cap) {
		ns->cap = ns->cap ? ns->cap * 2 : 1 << 20;
		ns->wire = realloc(ns->wire, ns->cap);
		assert_non_null(ns->wire);
	}
	memcpy(ns->wire + ns->len, n->wire, n->len);
	ns->len += n->len;
	ns->n++;
}

static void names_add_text(struct names *ns, const char *text)
{
	struct dnsrep_name n;
	char err[256];
	if (dnsrep_name_from_text(&n, text, strlen(text), err, sizeof(err)) == 0)
		names_add(ns, &n);
}

/** Every rule of the list, and names around it. */
static void add_rules(struct names *ns, FILE *f)
{
	char line[512], buf[600];
	while (fgets(line, sizeof(line), f)) {
		char *r = line + strspn(line, " \t");
		r[strcspn(r, " \t\r\n")] = '\0';
		if (!r[0] || (r[0] == '/' && r[1] == '/'))
			continue;
		if (r[0] == '!')
			r++;
		else if (r[0] == '*' && r[1] == '.')
			r += 2;
		names_add_text(ns, r);
		const char *pre[] = { "a.", "b.a.", "www.", "x.www.", "c.b.a." };
		for (size_t i = 0; i < sizeof(pre) / sizeof(pre[0]); i++) {
			snprintf(buf, sizeof(buf), "%s%s", pre[i], r);
			names_add_text(ns, buf);
		}
		/* the rule's parent and the rule without its TLD */
		const char *dot = strchr(r, '.');
		if (dot)
			names_add_text(ns, dot + 1);
	}
}

static uint64_t rnd_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

/** Generated names below the rules of the list (given as wire names). */
static void add_generated(struct names *ns, const struct names *rules, size_t count)
{
	/* the start of each rule name */
	size_t *start = malloc(rules->n * sizeof(*start));
	assert_non_null(start);
	size_t pos = 0;
	for (size_t i = 0; i < rules->n; i++) {
		start[i] = pos;
		while (rules->wire[pos] != 0)
			pos += 1u + rules->wire[pos];
		pos++;
	}
	static const char ldh[] = "abcdefghijklmnopqrstuvwxyz0123456789-_";
	for (size_t k = 0; k < count; k++) {
		uint8_t w[600];
		size_t o = 0;
		unsigned labels = (unsigned)(rnd() % 13);
		for (unsigned l = 0; l < labels && o < 200; l++) {
			unsigned len = 1 + (unsigned)(rnd() % 12);
			int binary = rnd() % 8 == 0;
			w[o++] = (uint8_t)len;
			for (unsigned i = 0; i < len; i++)
				w[o++] = binary ? (uint8_t)rnd() : (uint8_t)ldh[rnd() % (sizeof(ldh) - 1)];
		}
		if (rnd() % 16 == 0) {
			/* an unlisted TLD */
			w[o++] = 5;
			memcpy(w + o, "zzqxj", 5);
			o += 5;
			w[o++] = 0;
		} else {
			const uint8_t *r = rules->wire + start[rnd() % rules->n];
			size_t rl = 0;
			while (r[rl] != 0)
				rl += 1u + r[rl];
			rl++;
			if (o + rl > 255) /* keep the name within 255 octets */
				o = 0;
			memcpy(w + o, r, rl);
			o += rl;
		}
		struct dnsrep_name n;
		char err[256];
		if (dnsrep_name_from_wire(&n, w, o, err, sizeof(err)) == 0)
			names_add(ns, &n);
	}
	free(start);
}

/** The three answers for one name, packed. */
struct answers {
	int16_t reg;
	int8_t suffix, listed;
};

static struct answers *answer_all(const struct names *ns)
{
	struct answers *a = malloc(ns->n * sizeof(*a));
	assert_non_null(a);
	size_t pos = 0;
	for (size_t i = 0; i < ns->n; i++) {
		struct dnsrep_name n;
		size_t len = 0;
		while (ns->wire[pos + len] != 0)
			len += 1u + ns->wire[pos + len];
		len++;
		assert_int_equal(dnsrep_name_from_wire(&n, ns->wire + pos, len, NULL, 0), 0);
		a[i].reg = (int16_t)dnsrep_name_registrable(&n);
		a[i].suffix = (int8_t)dnsrep_name_is_public_suffix(&n);
		a[i].listed = (int8_t)dnsrep_name_is_listed_suffix(&n);
		pos += len;
	}
	return a;
}

/** Compare the table's answers with libpsl's; print the first disagreements. */
static size_t compare(const char *what, const struct names *ns)
{
	dnsrep_name_psl_use(PSL_DAT, 1);
	struct answers *t = answer_all(ns);
	dnsrep_name_psl_use(PSL_DAT, 0);
	struct answers *l = answer_all(ns);
	dnsrep_name_psl_use(PSL_DAT, 1);
	size_t bad = 0, pos = 0;
	for (size_t i = 0; i < ns->n; i++) {
		if (memcmp(&t[i], &l[i], sizeof(t[i])) != 0 && bad++ < 10) {
			char text[DNSREP_NAME_MAXTEXT];
			dnsrep_name_to_text(ns->wire + pos, text, sizeof(text));
			print_message("# %s: %s: table reg %d suffix %d listed %d, libpsl %d %d %d\n",
				      what, text, t[i].reg, t[i].suffix, t[i].listed, l[i].reg,
				      l[i].suffix, l[i].listed);
		}
		while (ns->wire[pos] != 0)
			pos += 1u + ns->wire[pos];
		pos++;
	}
	print_message("# %s: %zu names, %zu disagree\n", what, ns->n, bad);
	free(t);
	free(l);
	return bad;
}

static int have_list(void)
{
	if (access(PSL_DAT, R_OK) == 0)
		return 1;
	print_message("# %s is not installed (Debian's publicsuffix package)\n", PSL_DAT);
	return 0;
}

/** The list's rules and the names around them (add_rules). */
static struct names read_rules(void)
{
	struct names ns = { 0 };
	FILE *f = fopen(PSL_DAT, "r");
	assert_non_null(f);
	add_rules(&ns, f);
	fclose(f);
	return ns;
}

static void test_rules_agree(void **state)
{
	(void)state;
	if (!have_list()) {
		skip();
		return;
	}
	struct names ns = read_rules();
	assert_true(ns.n > 30000);
	assert_int_equal(compare("rules", &ns), 0);
	free(ns.wire);
}

static void test_generated_agree(void **state)
{
	(void)state;
	if (!have_list()) {
		skip();
		return;
	}
	struct names rules = read_rules(), ns = { 0 };
	add_generated(&ns, &rules, 200000);
	assert_true(ns.n > 190000);
	assert_int_equal(compare("generated", &ns), 0);
	free(rules.wire);
	free(ns.wire);
}

static void test_easylist_agree(void **state)
{
	(void)state;
	const char *path = TEST_SRCDIR "/build/testdata/easylist-names.txt";
	FILE *f = have_list() ? fopen(path, "r") : NULL;
	if (!f) {
		print_message("# %s: not there (contrib/fetch-test-data.sh makes it)\n", path);
		skip();
		return;
	}
	struct names ns = { 0 };
	char line[1100];
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		names_add_text(&ns, line);
	}
	fclose(f);
	assert_true(ns.n > 50000);
	assert_int_equal(compare("easylist", &ns), 0);
	free(ns.wire);
}

/** The table's answers mean what the list says (both could agree on a wrong one). */
static void test_table_meaning(void **state)
{
	(void)state;
	if (!have_list()) {
		skip();
		return;
	}
	dnsrep_name_psl_use(PSL_DAT, 1);
	static const struct {
		const char *name, *reg;
	} cases[] = {
		{ "www.example.com", "example.com" },
		{ "a.b.example.co.uk", "example.co.uk" },
		{ "co.uk", NULL },
		{ "foo.ck", NULL },                 /* *.ck */
		{ "x.foo.ck", "x.foo.ck" },
		{ "www.ck", "www.ck" },             /* !www.ck */
		{ "a.www.ck", "www.ck" },
		{ "city.kawasaki.jp", "city.kawasaki.jp" }, /* !city.kawasaki.jp under *.kawasaki.jp */
		{ "foo.kawasaki.jp", NULL },
		{ "b.foo.kawasaki.jp", "b.foo.kawasaki.jp" },
		{ "example.zzqxj", "example.zzqxj" }, /* the default rule */
		{ "zzqxj", NULL },
		{ "x.xn--fiqs8s", "x.xn--fiqs8s" }, /* 中国: a U-label rule, held as its A-label */
		{ "a.b.c.d.e.f.g.h.i.j.k.com", "k.com" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct dnsrep_name n;
		char err[256], got[DNSREP_NAME_MAXTEXT] = "-";
		assert_int_equal(dnsrep_name_from_text(&n, cases[i].name, strlen(cases[i].name), err,
						       sizeof(err)), 0);
		int off = dnsrep_name_registrable(&n);
		if (off >= 0)
			dnsrep_name_to_text(n.wire + off, got, sizeof(got));
		if (strcmp(got, cases[i].reg ? cases[i].reg : "-") != 0)
			fail_msg("%s: registrable %s, want %s", cases[i].name, got,
				 cases[i].reg ? cases[i].reg : "-");
	}
	/* a binary label under a wildcard is below it like any other */
	const uint8_t bin[] = { 1, 0, 2, 'c', 'k', 0 }, below[] = { 1, '.', 1, 0, 2, 'c', 'k', 0 };
	struct dnsrep_name n;
	assert_int_equal(dnsrep_name_from_wire(&n, bin, sizeof(bin), NULL, 0), 0);
	assert_int_equal(dnsrep_name_registrable(&n), -1);
	assert_true(dnsrep_name_is_public_suffix(&n));
	assert_true(dnsrep_name_is_listed_suffix(&n));
	assert_int_equal(dnsrep_name_from_wire(&n, below, sizeof(below), NULL, 0), 0);
	assert_int_equal(dnsrep_name_registrable(&n), 0);
	assert_false(dnsrep_name_is_public_suffix(&n));
	const uint8_t tld[] = { 5, 'z', 'z', 'q', 'x', 'j', 0 };
	assert_int_equal(dnsrep_name_from_wire(&n, tld, sizeof(tld), NULL, 0), 0);
	assert_true(dnsrep_name_is_public_suffix(&n));
	assert_false(dnsrep_name_is_listed_suffix(&n));
}

/** A list that cannot be read, or holds no rules, leaves libpsl answering. */
static void test_fallback(void **state)
{
	(void)state;
	char empty[] = "/tmp/dnsrep-test-psl-XXXXXX";
	int fd = mkstemp(empty);
	assert_true(fd >= 0);
	assert_true(write(fd, "// nothing but a comment\n\n", 26) == 26);
	close(fd);
	const char *paths[] = { "/nonexistent/public_suffix_list.dat", empty };
	for (size_t i = 0; i < 2; i++) {
		dnsrep_name_psl_use(paths[i], 1);
		struct dnsrep_name n;
		char err[256], got[DNSREP_NAME_MAXTEXT] = "-";
		assert_int_equal(dnsrep_name_from_text(&n, "a.b.example.co.uk", 17, err, sizeof(err)), 0);
		int off = dnsrep_name_registrable(&n);
		assert_true(off >= 0);
		dnsrep_name_to_text(n.wire + off, got, sizeof(got));
		assert_string_equal(got, "example.co.uk");
	}
	unlink(empty);
	dnsrep_name_psl_use(PSL_DAT, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rules_agree),
		cmocka_unit_test(test_generated_agree),
		cmocka_unit_test(test_easylist_agree),
		cmocka_unit_test(test_table_meaning),
		cmocka_unit_test(test_fallback),
	};
	int r = cmocka_run_group_tests(tests, NULL, NULL);
	dnsrep_name_shutdown();
	return r;
}
