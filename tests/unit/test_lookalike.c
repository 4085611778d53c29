/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_lookalike.c — unit tests of dnsrep/lookalike.h: each technique on its own
 * with the exact hit (technique, protected name, distance), skeletons and
 * Punycode homoglyphs, what is NOT a lookalike (the protected names themselves,
 * short labels, two edits by default), false positives over a list of benign
 * domains against the bundled DPRK feed, and leave-one-out over that feed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <idn2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnsrep/feed.h"
#include "dnsrep/confusable.h"
#include "dnsrep/lookalike.h"
#include "dnsrep/name.h"

/* ---- helpers ---------------------------------------------------------------- */

static struct dnsrep_name parse(const char *text)
{
	struct dnsrep_name n;
	char err[256] = "";
	if (dnsrep_name_from_text(&n, text, strlen(text), err, sizeof(err)) != 0)
		fail_msg("'%s' did not parse: %s", text, err);
	return n;
}

/** An index of the names (meta = position in the list), with the given options or the defaults. */
static struct dnsrep_lookalike *build_opts(const char *const *names, size_t n,
	const struct dnsrep_lookalike_opts *o)
{
	struct dnsrep_lookalike_builder *b = dnsrep_lookalike_builder_new(o);
	assert_non_null(b);
	for (size_t i = 0; i < n; i++) {
		struct dnsrep_name nm = parse(names[i]);
		assert_int_equal(dnsrep_lookalike_builder_add(b, &nm, (uint32_t)i), 0);
	}
	char err[256] = "";
	struct dnsrep_lookalike *lk = dnsrep_lookalike_builder_finish(b, err, sizeof(err));
	if (!lk)
		fail_msg("finish failed: %s", err);
	return lk;
}

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define BUILD(names) build_opts((names), N(names), NULL)

static const char *text_of(const uint8_t *wire)
{
	static char buf[DNSREP_NAME_MAXTEXT];
	assert_true(dnsrep_name_to_text(wire, buf, sizeof(buf)) >= 0);
	return buf;
}

static int check(const struct dnsrep_lookalike *lk, const char *query, struct dnsrep_lookalike_hit *hit)
{
	struct dnsrep_name q = parse(query);
	return dnsrep_lookalike_check(lk, q.wire, q.len, hit);
}

/** query must be a lookalike by technique t of protected, at distance d. */
static void expect_hit(const struct dnsrep_lookalike *lk, const char *query, enum dnsrep_technique t,
	const char *protected, unsigned d)
{
	struct dnsrep_lookalike_hit hit;
	if (check(lk, query, &hit) != 1)
		fail_msg("%s: no lookalike, expected %s of %s", query, dnsrep_lookalike_technique_name(t),
			 protected);
	if (hit.technique != t || strcmp(text_of(hit.protected_name), protected) != 0 || hit.distance != d)
		fail_msg("%s: %s of %s at distance %u, expected %s of %s at distance %u", query,
			 dnsrep_lookalike_technique_name(hit.technique), text_of(hit.protected_name),
			 hit.distance, dnsrep_lookalike_technique_name(t), protected, d);
}

static void expect_miss(const struct dnsrep_lookalike *lk, const char *query)
{
	struct dnsrep_lookalike_hit hit;
	if (check(lk, query, &hit) != 0)
		fail_msg("%s: %s of %s (distance %u), expected no lookalike", query,
			 dnsrep_lookalike_technique_name(hit.technique), text_of(hit.protected_name),
			 hit.distance);
	assert_int_equal(hit.technique, DNSREP_LOOKALIKE_NONE);
	assert_null(hit.protected_name);
}

/** The A-label form of a UTF-8 name, made by libidn2 (freed by the caller with idn2_free). */
static char *to_ascii(const char *utf8)
{
	char *out = NULL;
	int rc = idn2_to_ascii_8z(utf8, &out, IDN2_NONTRANSITIONAL);
	if (rc != IDN2_OK)
		fail_msg("idn2_to_ascii_8z(%s): %s", utf8, idn2_strerror(rc));
	return out;
}

static const char *const foxysun[] = { "foxysunstudio.com" };
static const char *const cloudfox[] = { "cloudfox.cloud" };

/* ---- each technique ------------------------------------------------------------ */

static void test_technique_names(void **state)
{
	(void)state;
	assert_string_equal(dnsrep_lookalike_technique_name(DNSREP_LOOKALIKE_TLD_SWAP), "tld-swap");
	assert_string_equal(dnsrep_lookalike_technique_name(DNSREP_LOOKALIKE_HOMOGLYPH), "homoglyph");
	assert_string_equal(dnsrep_lookalike_technique_name(DNSREP_LOOKALIKE_TYPO), "typo");
	assert_string_equal(dnsrep_lookalike_technique_name(DNSREP_LOOKALIKE_AFFIX), "affix");
	assert_string_equal(dnsrep_lookalike_technique_name(DNSREP_LOOKALIKE_CONTAINS), "contains");
	assert_string_equal(dnsrep_lookalike_technique_name(DNSREP_LOOKALIKE_LEVEL_SQUAT), "level-squat");
	assert_string_equal(dnsrep_lookalike_technique_name(DNSREP_LOOKALIKE_DOT_INSERTION),
			    "dot-insertion");
	assert_string_equal(dnsrep_lookalike_technique_name(DNSREP_LOOKALIKE_TLD_SPLIT), "tld-split");
	size_t n = 0;
	const char *const *a = dnsrep_lookalike_default_affixes(&n);
	assert_true(n >= 30);
	assert_string_equal(a[0], "my");
	struct dnsrep_lookalike_opts o;
	dnsrep_lookalike_opts_init(&o);
	assert_int_equal(o.min_len, 6);
	assert_int_equal(o.two_edits, 0);
	assert_int_equal(o.two_edit_min_len, 10);
	assert_null(o.affixes);
}

static void test_tld_swap(void **state)
{
	(void)state;
	static const char *const names[] = { "cloudfox.cloud", "jinyang.asia", "wkjllc.com" };
	struct dnsrep_lookalike *lk = BUILD(names);
	assert_int_equal(dnsrep_lookalike_count(lk), 3);
	struct dnsrep_lookalike_hit hit;
	assert_int_equal(check(lk, "jinyang.services", &hit), 1);
	assert_int_equal(hit.meta, 1);
	expect_hit(lk, "jinyang.services", DNSREP_LOOKALIKE_TLD_SWAP, "jinyang.asia", 0);
	expect_hit(lk, "JinYang.Services", DNSREP_LOOKALIKE_TLD_SWAP, "jinyang.asia", 0);
	expect_hit(lk, "jinyang.com.cn", DNSREP_LOOKALIKE_TLD_SWAP, "jinyang.asia", 0);
	expect_hit(lk, "cloudfox.com", DNSREP_LOOKALIKE_TLD_SWAP, "cloudfox.cloud", 0);
	expect_hit(lk, "wkjllc.co.uk", DNSREP_LOOKALIKE_TLD_SWAP, "wkjllc.com", 0);
	/* the protected domain spelled out below another registrable domain is no
	 * tld-swap (the label is example's) but a level-squat */
	expect_hit(lk, "jinyang.asia.example.org", DNSREP_LOOKALIKE_LEVEL_SQUAT, "jinyang.asia", 0);
	dnsrep_lookalike_free(lk);
}

static void test_typo_one_edit(void **state)
{
	(void)state;
	struct dnsrep_lookalike *lk = BUILD(foxysun);
	expect_hit(lk, "foxysunstudios.com", DNSREP_LOOKALIKE_TYPO, "foxysunstudio.com", 1); /* plural */
	expect_hit(lk, "foxysunstudoi.com", DNSREP_LOOKALIKE_TYPO, "foxysunstudio.com", 1);  /* transposition */
	expect_hit(lk, "foxysunstuio.com", DNSREP_LOOKALIKE_TYPO, "foxysunstudio.com", 1);   /* omission */
	expect_hit(lk, "foxysunsstudio.com", DNSREP_LOOKALIKE_TYPO, "foxysunstudio.com", 1); /* repetition */
	expect_hit(lk, "foxysunstudip.com", DNSREP_LOOKALIKE_TYPO, "foxysunstudio.com", 1);  /* o -> p: keyboard */
	expect_hit(lk, "fixysunstudio.com", DNSREP_LOOKALIKE_TYPO, "foxysunstudio.com", 1);  /* o -> i: keyboard */
	/* bitsquat: one bit of one octet flipped, still a letter ('s' ^ 2 = 'q') */
	assert_int_equal('s' ^ 0x02, 'q');
	expect_hit(lk, "foxysunqtudio.com", DNSREP_LOOKALIKE_TYPO, "foxysunstudio.com", 1);
	assert_int_equal('o' ^ 0x01, 'n');
	expect_hit(lk, "fnxysunstudio.com", DNSREP_LOOKALIKE_TYPO, "foxysunstudio.com", 1);
	/* first and last octets, under another suffix */
	expect_hit(lk, "oxysunstudio.net", DNSREP_LOOKALIKE_TYPO, "foxysunstudio.com", 1);
	expect_hit(lk, "foxysunstudi.org", DNSREP_LOOKALIKE_TYPO, "foxysunstudio.com", 1);
	expect_hit(lk, "afoxysunstudio.com", DNSREP_LOOKALIKE_TYPO, "foxysunstudio.com", 1);
	expect_hit(lk, "ofxysunstudio.com", DNSREP_LOOKALIKE_TYPO, "foxysunstudio.com", 1);
	/* two edits are not one: off by default */
	expect_miss(lk, "foxysunxtudia.com");
	expect_miss(lk, "ofxysunstudoi.com");
	/* two insertions at the end: not a typo, but contains */
	expect_hit(lk, "foxysunstudioxx.com", DNSREP_LOOKALIKE_CONTAINS, "foxysunstudio.com", 0);
	dnsrep_lookalike_free(lk);
}

static void test_typo_two_edits(void **state)
{
	(void)state;
	static const char *const names[] = { "foxysunstudio.com", "jinyang.asia" };
	struct dnsrep_lookalike_opts o;
	dnsrep_lookalike_opts_init(&o);
	o.two_edits = 1;
	struct dnsrep_lookalike *lk = build_opts(names, N(names), &o);
	expect_hit(lk, "foxysunxtudia.com", DNSREP_LOOKALIKE_TYPO, "foxysunstudio.com", 2);  /* 2 substitutions */
	expect_hit(lk, "ofxysunstudoi.com", DNSREP_LOOKALIKE_TYPO, "foxysunstudio.com", 2);  /* 2 transpositions */
	expect_hit(lk, "foxysunstudioxx.com", DNSREP_LOOKALIKE_TYPO, "foxysunstudio.com", 2); /* 2 insertions */
	expect_hit(lk, "fxysunstudi.com", DNSREP_LOOKALIKE_TYPO, "foxysunstudio.com", 2);    /* 2 deletions */
	expect_hit(lk, "xfoxysunstudo.com", DNSREP_LOOKALIKE_TYPO, "foxysunstudio.com", 2);  /* insert + delete */
	/* one edit is still reported as one */
	expect_hit(lk, "foxysunstudios.com", DNSREP_LOOKALIKE_TYPO, "foxysunstudio.com", 1);
	/* three edits are not two */
	expect_miss(lk, "foxysunxtudiaa.com");
	/* jinyang (7) is shorter than two_edit_min_len (10): one edit only */
	expect_hit(lk, "jinyanq.com", DNSREP_LOOKALIKE_TYPO, "jinyang.asia", 1);
	expect_miss(lk, "jinyxnx.com");
	dnsrep_lookalike_free(lk);

	/* two_edit_min_len lowered to 7 takes jinyang in */
	o.two_edit_min_len = 7;
	lk = build_opts(names, N(names), &o);
	expect_hit(lk, "jinyxnx.com", DNSREP_LOOKALIKE_TYPO, "jinyang.asia", 2);
	dnsrep_lookalike_free(lk);
}

static void test_affix(void **state)
{
	(void)state;
	struct dnsrep_lookalike *lk = BUILD(cloudfox);
	expect_hit(lk, "mycloudfox.com", DNSREP_LOOKALIKE_AFFIX, "cloudfox.cloud", 0);
	expect_hit(lk, "cloudfoxhub.com", DNSREP_LOOKALIKE_AFFIX, "cloudfox.cloud", 0);
	expect_hit(lk, "cloudfox-group.com", DNSREP_LOOKALIKE_AFFIX, "cloudfox.cloud", 0);
	expect_hit(lk, "my-cloudfox.net", DNSREP_LOOKALIKE_AFFIX, "cloudfox.cloud", 0);
	expect_hit(lk, "getcloudfox.cloud", DNSREP_LOOKALIKE_AFFIX, "cloudfox.cloud", 0);
	expect_hit(lk, "cloudfoxsecure.io", DNSREP_LOOKALIKE_AFFIX, "cloudfox.cloud", 0);
	expect_hit(lk, "cloudfoxstudios.com", DNSREP_LOOKALIKE_AFFIX, "cloudfox.cloud", 0);
	/* an affix word that is not in the list: contains, not affix */
	expect_hit(lk, "thecloudfoxsite.com", DNSREP_LOOKALIKE_CONTAINS, "cloudfox.cloud", 0);
	expect_hit(lk, "cloudfoxzz.com", DNSREP_LOOKALIKE_CONTAINS, "cloudfox.cloud", 0);
	dnsrep_lookalike_free(lk);
}

static void test_affix_custom(void **state)
{
	(void)state;
	static const char *const words[] = { "zz", "best" };
	struct dnsrep_lookalike_opts o;
	dnsrep_lookalike_opts_init(&o);
	o.affixes = words;
	o.n_affixes = N(words);
	struct dnsrep_lookalike *lk = build_opts(cloudfox, N(cloudfox), &o);
	expect_hit(lk, "zzcloudfox.com", DNSREP_LOOKALIKE_AFFIX, "cloudfox.cloud", 0);
	expect_hit(lk, "cloudfox-best.com", DNSREP_LOOKALIKE_AFFIX, "cloudfox.cloud", 0);
	/* "my" is no affix now: still caught, as contains */
	expect_hit(lk, "mycloudfox.com", DNSREP_LOOKALIKE_CONTAINS, "cloudfox.cloud", 0);
	dnsrep_lookalike_free(lk);

	/* bad affix words are refused */
	static const char *const bad1[] = { "ok", "Upper" };
	static const char *const bad2[] = { "" };
	o.affixes = bad1;
	o.n_affixes = N(bad1);
	struct dnsrep_lookalike_builder *b = dnsrep_lookalike_builder_new(&o);
	assert_non_null(b);
	char err[256] = "";
	assert_null(dnsrep_lookalike_builder_finish(b, err, sizeof(err)));
	assert_non_null(strstr(err, "affix 'Upper'"));
	o.affixes = bad2;
	o.n_affixes = N(bad2);
	b = dnsrep_lookalike_builder_new(&o);
	assert_non_null(b);
	assert_null(dnsrep_lookalike_builder_finish(b, err, sizeof(err)));
	assert_non_null(strstr(err, "affix 1 is empty"));
}

static void test_contains(void **state)
{
	(void)state;
	static const char *const names[] = { "cloudfox.cloud", "edenprogram.com" };
	struct dnsrep_lookalike *lk = BUILD(names);
	expect_hit(lk, "thecloudfoxsite.com", DNSREP_LOOKALIKE_CONTAINS, "cloudfox.cloud", 0);
	expect_hit(lk, "xcloudfoxy.org", DNSREP_LOOKALIKE_CONTAINS, "cloudfox.cloud", 0);
	expect_hit(lk, "login-edenprogram-verify.com", DNSREP_LOOKALIKE_CONTAINS, "edenprogram.com", 0);
	expect_hit(lk, "zzzzzzzzzzedenprogram.com", DNSREP_LOOKALIKE_CONTAINS, "edenprogram.com", 0);
	/* the protected label must be inside; a part of it is not enough */
	expect_miss(lk, "thecloudfo.com");
	expect_miss(lk, "edenprogr.com");
	expect_miss(lk, "cloud-fox-x.com"); /* hyphens break the label (no homoglyph: "x" added) */
	dnsrep_lookalike_free(lk);
}

/* ---- homoglyphs ------------------------------------------------------------------- */

static void skel_is(const char *label, const char *want)
{
	char out[256];
	int n = dnsrep_confusable_skeleton((const uint8_t *)label, strlen(label), out, sizeof(out));
	if (n < 0 || strcmp(out, want) != 0)
		fail_msg("skeleton(%s) = '%s' (%d), expected '%s'", label, n < 0 ? "" : out, n, want);
	assert_int_equal((size_t)n, strlen(want));
}

/** The skeleton of the A-label of a UTF-8 label. */
static void skel_utf8_is(const char *utf8, const char *want)
{
	char *a = to_ascii(utf8);
	assert_memory_equal(a, "xn--", 4);
	skel_is(a, want);
	idn2_free(a);
}

static void test_skeleton(void **state)
{
	(void)state;
	skel_is("cloudfox", "doudfox");
	skel_is("C1oud-Fox", "doudfox");
	skel_is("cl0udf0x", "doudfox");
	skel_is("rnicrosoft", "mlcrosoft");
	skel_is("microsoft", "mlcrosoft");
	skel_is("vvkjllc", "wkjllc");
	skel_is("paypa1", "paypal");
	skel_is("paypai", "paypal");
	skel_is("", "");
	skel_is("---", "");
	/* xn--: decoded and mapped */
	skel_utf8_is("сloudfox", "doudfox");     /* Cyrillic es */
	skel_utf8_is("clоudfоx", "doudfox");     /* Cyrillic o, twice */
	skel_utf8_is("jinyаng", "jlnyang");      /* Cyrillic a */
	skel_utf8_is("ϳіnуаng", "jlnyang");      /* Greek yot, Cyrillic i, u, a */
	skel_utf8_is("clοudfοx", "doudfox");     /* Greek omicron */
	skel_utf8_is("clöudfóx", "doudfox");     /* Latin with marks */
	skel_utf8_is("ԁanielliu", "danlelllu");   /* Cyrillic komi de */
	skel_utf8_is("wkjllç", "wkjllc");
	/* a character without a Latin skeleton stays itself (UTF-8) */
	skel_utf8_is("fox狐", "fox\xe7\x8b\x90");
	/* invalid Punycode: the label as it is */
	skel_is("xn--!!", "xn!!");
	skel_is("xn--a-", "xna");           /* decodes to ASCII only: no A-label */
	skel_is("xn--cloudfox-", "xndoudfox");
	/* too small a buffer */
	char out[4];
	assert_int_equal(dnsrep_confusable_skeleton((const uint8_t *)"cloudfox", 8, out, sizeof(out)), -1);
	assert_int_equal(dnsrep_confusable_skeleton((const uint8_t *)"fox", 3, out, sizeof(out)), 3);
	assert_int_equal(dnsrep_confusable_skeleton((const uint8_t *)"fox", 3, out, 0), -1);
}

static void test_homoglyph_ascii(void **state)
{
	(void)state;
	static const char *const names[] = { "cloudfox.cloud", "moonstudio.com", "wkjllc.com",
		"danielliu.info" };
	struct dnsrep_lookalike *lk = BUILD(names);
	/* under the same suffix and under another one */
	expect_hit(lk, "c1oudfox.cloud", DNSREP_LOOKALIKE_HOMOGLYPH, "cloudfox.cloud", 0);
	expect_hit(lk, "cl0udf0x.com", DNSREP_LOOKALIKE_HOMOGLYPH, "cloudfox.cloud", 0);
	expect_hit(lk, "cloud-fox.cloud", DNSREP_LOOKALIKE_HOMOGLYPH, "cloudfox.cloud", 0);
	expect_hit(lk, "rnoonstudio.com", DNSREP_LOOKALIKE_HOMOGLYPH, "moonstudio.com", 0);   /* rn / m */
	expect_hit(lk, "vvkjllc.com", DNSREP_LOOKALIKE_HOMOGLYPH, "wkjllc.com", 0);           /* vv / w */
	expect_hit(lk, "wkj1lc.net", DNSREP_LOOKALIKE_HOMOGLYPH, "wkjllc.com", 0);            /* 1 / l */
	expect_hit(lk, "wkjiic.com", DNSREP_LOOKALIKE_HOMOGLYPH, "wkjllc.com", 0);            /* i / l */
	expect_hit(lk, "clanielliu.info", DNSREP_LOOKALIKE_HOMOGLYPH, "danielliu.info", 0);   /* cl / d */
	/* c1oudfox.cloud above is one edit too: homoglyph is tried before typo.  Two
	 * edits that are not look-alikes are neither. */
	expect_miss(lk, "c2oudfax.com");
	dnsrep_lookalike_free(lk);
}

static void test_homoglyph_punycode(void **state)
{
	(void)state;
	static const char *const names[] = { "cloudfox.cloud", "jinyang.asia", "danielliu.info" };
	struct dnsrep_lookalike *lk = BUILD(names);
	static const char *const cases[][2] = {
		{ "clоudfоx.cloud", "cloudfox.cloud" }, /* Cyrillic o */
		{ "сlоudfох.com", "cloudfox.cloud" },   /* Cyrillic es, o, ha */
		{ "clοudfοx.net", "cloudfox.cloud" },   /* Greek omicron */
		{ "cloüdfox.cloud", "cloudfox.cloud" }, /* Latin u with diaeresis */
		{ "jinyаng.com", "jinyang.asia" },      /* Cyrillic a */
		{ "www.jіnyang.asia", "jinyang.asia" }, /* Cyrillic i, below */
		{ "ԁanielliu.info", "danielliu.info" }, /* Cyrillic komi de */
	};
	for (size_t i = 0; i < N(cases); i++) {
		char *a = to_ascii(cases[i][0]);
		assert_non_null(strstr(a, "xn--"));
		expect_hit(lk, a, DNSREP_LOOKALIKE_HOMOGLYPH, cases[i][1], 0);
		idn2_free(a);
	}
	/* a script with no Latin skeleton is no homoglyph */
	char *a = to_ascii("狐狸云.com");
	expect_miss(lk, a);
	idn2_free(a);
	dnsrep_lookalike_free(lk);
}

/* ---- what is not a lookalike -------------------------------------------------------- */

static void test_protected_and_subdomains(void **state)
{
	(void)state;
	static const char *const names[] = { "foxysunstudio.com", "foxysunstudios.com", "cloudfox.cloud",
		"mycloudfox.com", "jinyang.asia", "jinyang.services" };
	struct dnsrep_lookalike *lk = BUILD(names);
	for (size_t i = 0; i < N(names); i++) {
		char www[300];
		snprintf(www, sizeof(www), "www.%s", names[i]);
		expect_miss(lk, names[i]);
		expect_miss(lk, www);
	}
	expect_miss(lk, "a.b.c.mycloudfox.com");
	/* subdomains of lookalikes are caught */
	expect_hit(lk, "www.cloudfoxhub.com", DNSREP_LOOKALIKE_AFFIX, "cloudfox.cloud", 0);
	expect_hit(lk, "a.b.jinyang.org", DNSREP_LOOKALIKE_TLD_SWAP, "jinyang.asia", 0);
	dnsrep_lookalike_free(lk);

	lk = BUILD(foxysun);
	expect_hit(lk, "www.foxysunstudios.com", DNSREP_LOOKALIKE_TYPO, "foxysunstudio.com", 1);
	expect_hit(lk, "mail.eu.foxysunstudios.com", DNSREP_LOOKALIKE_TYPO, "foxysunstudio.com", 1);
	expect_miss(lk, "foxysunstudio.com");
	expect_miss(lk, "FoxySunStudio.COM");
	expect_miss(lk, "www.foxysunstudio.com");
	/* the protected label as a subdomain of something else: not its registrable domain */
	expect_miss(lk, "foxysunstudio.example.com");
	dnsrep_lookalike_free(lk);
}

static void test_min_len(void **state)
{
	(void)state;
	static const char *const names[] = { "abcde.com", "abcdef.com" };
	struct dnsrep_lookalike *lk = BUILD(names);
	/* a 5-octet label: no typo, affix or contains */
	expect_miss(lk, "abcdx.com");
	expect_miss(lk, "myabcde.com");
	expect_miss(lk, "xabcdex.com");
	/* but tld-swap and homoglyph have no minimum */
	expect_hit(lk, "abcde.net", DNSREP_LOOKALIKE_TLD_SWAP, "abcde.com", 0);
	expect_hit(lk, "a-bcde.com", DNSREP_LOOKALIKE_HOMOGLYPH, "abcde.com", 0);
	/* 6 octets: the minimum */
	expect_hit(lk, "abcdeg.com", DNSREP_LOOKALIKE_TYPO, "abcdef.com", 1);
	expect_hit(lk, "myabcdef.com", DNSREP_LOOKALIKE_AFFIX, "abcdef.com", 0);
	expect_hit(lk, "xabcdefx.com", DNSREP_LOOKALIKE_CONTAINS, "abcdef.com", 0);
	dnsrep_lookalike_free(lk);

	struct dnsrep_lookalike_opts o;
	dnsrep_lookalike_opts_init(&o);
	o.min_len = 8;
	static const char *const names2[] = { "foxvsun.com", "cloudfox.cloud" };
	lk = build_opts(names2, N(names2), &o);
	expect_miss(lk, "foxvsum.com");
	expect_miss(lk, "myfoxvsun.com");
	expect_miss(lk, "xfoxvsunx.com");
	expect_hit(lk, "cloudfix.com", DNSREP_LOOKALIKE_TYPO, "cloudfox.cloud", 1);
	expect_hit(lk, "xcloudfoxx.com", DNSREP_LOOKALIKE_CONTAINS, "cloudfox.cloud", 0);
	dnsrep_lookalike_free(lk);
}

static void test_builder_dedup_and_suffixes(void **state)
{
	(void)state;
	static const char *const names[] = { "cloudfox.cloud", "www.cloudfox.cloud", "CLOUDFOX.cloud",
		"com", "co.uk", "jinyang.asia" };
	struct dnsrep_lookalike *lk = BUILD(names);
	assert_int_equal(dnsrep_lookalike_count(lk), 2); /* public suffixes ignored, duplicates merged */
	assert_true(dnsrep_lookalike_bytes(lk) > 0);
	struct dnsrep_lookalike_hit hit;
	assert_int_equal(check(lk, "mycloudfox.com", &hit), 1);
	assert_int_equal(hit.meta, 0); /* the first meta stays */
	assert_int_equal(check(lk, "jinyang.info", &hit), 1);
	assert_int_equal(hit.meta, 5);
	dnsrep_lookalike_free(lk);

	/* many names: the builder grows */
	struct dnsrep_lookalike_builder *b = dnsrep_lookalike_builder_new(NULL);
	assert_non_null(b);
	for (unsigned i = 0; i < 5000; i++) {
		char t[64];
		snprintf(t, sizeof(t), "name%u-example.com", i);
		struct dnsrep_name nm = parse(t);
		assert_int_equal(dnsrep_lookalike_builder_add(b, &nm, i), 0);
		assert_int_equal(dnsrep_lookalike_builder_add(b, &nm, i + 1), 0);
	}
	char err[256];
	lk = dnsrep_lookalike_builder_finish(b, err, sizeof(err));
	assert_non_null(lk);
	assert_int_equal(dnsrep_lookalike_count(lk), 5000);
	expect_hit(lk, "name4321-example.net", DNSREP_LOOKALIKE_TLD_SWAP, "name4321-example.com", 0);
	assert_int_equal(check(lk, "name4321-example.net", &hit), 1);
	assert_int_equal(hit.meta, 4321);
	expect_miss(lk, "name4321-example.com");
	dnsrep_lookalike_free(lk);
	dnsrep_lookalike_builder_free(NULL);
	dnsrep_lookalike_free(NULL);
}

static void test_malformed_and_empty(void **state)
{
	(void)state;
	struct dnsrep_lookalike *lk = BUILD(cloudfox);
	struct dnsrep_lookalike_hit hit;
	static const uint8_t bad1[] = { 9, 'c', 'l', 'o' };              /* label past the end */
	static const uint8_t bad2[] = { 0xc0, 0x0c };                    /* a compression pointer */
	static const uint8_t root[] = { 0 };
	static const uint8_t tld[] = { 3, 'c', 'o', 'm', 0 };
	static const uint8_t nul[] = { 8, 'c', 'l', 'o', 'u', 'd', 0, 'o', 'x', 3, 'c', 'o', 'm', 0 };
	assert_int_equal(dnsrep_lookalike_check(lk, bad1, sizeof(bad1), &hit), 0);
	assert_int_equal(dnsrep_lookalike_check(lk, bad2, sizeof(bad2), &hit), 0);
	assert_int_equal(dnsrep_lookalike_check(lk, root, sizeof(root), &hit), 0);
	assert_int_equal(dnsrep_lookalike_check(lk, tld, sizeof(tld), &hit), 0);
	/* any octet may be in a query label: a NUL for the f is one substitution */
	assert_int_equal(dnsrep_lookalike_check(lk, nul, sizeof(nul), &hit), 1);
	assert_int_equal(hit.technique, DNSREP_LOOKALIKE_TYPO);
	assert_int_equal(hit.distance, 1);
	assert_string_equal(text_of(hit.protected_name), "cloudfox.cloud");
	assert_int_equal(dnsrep_lookalike_check(lk, tld, 0, &hit), 0);
	/* a 63-octet label of the protected one's letters */
	char big[100];
	memset(big, 'c', 63);
	strcpy(big + 63, ".com");
	assert_int_equal(check(lk, big, &hit), 0);
	dnsrep_lookalike_free(lk);

	struct dnsrep_lookalike_builder *b = dnsrep_lookalike_builder_new(NULL);
	char err[256];
	lk = dnsrep_lookalike_builder_finish(b, err, sizeof(err));
	assert_non_null(lk);
	assert_int_equal(dnsrep_lookalike_count(lk), 0);
	expect_miss(lk, "cloudfox.cloud");
	dnsrep_lookalike_free(lk);
}

/* ---- the bundled feed: false positives and leave-one-out ------------------------------ */

#define MAX_FEED 64

struct feed_names {
	char names[MAX_FEED][DNSREP_NAME_MAXTEXT];
	size_t n;
};

static int on_entry(void *ctx, const struct dnsrep_entry *e)
{
	struct feed_names *f = ctx;
	if (f->n >= MAX_FEED)
		return -1;
	if (dnsrep_name_to_text(e->name.wire, f->names[f->n], sizeof(f->names[0])) < 0)
		return -1;
	f->n++;
	return 0;
}

static void on_reject(void *ctx, const char *feed, unsigned line, const char *reason)
{
	(void)ctx;
	fail_msg("%s:%u: %s", feed, line, reason);
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	char *buf = malloc(1 << 20);
	assert_non_null(buf);
	*len = fread(buf, 1, (1 << 20) - 1, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

static struct feed_names *load_dprk_feed(void)
{
	size_t len;
	char *data = read_file(TOP_SRCDIR "/contrib/feeds/dprk-it-fronts.csv", &len);
	struct feed_names *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	struct dnsrep_feed_opts o;
	dnsrep_feed_opts_init(&o, "dprk-it-fronts");
	struct dnsrep_feed_stats st;
	char err[256] = "";
	if (dnsrep_feed_parse(&o, data, len, on_entry, on_reject, f, &st, err, sizeof(err)) != 0)
		fail_msg("feed: %s", err);
	free(data);
	assert_int_equal(f->n, 22);
	return f;
}

/** An index of every name of the feed but skip (SIZE_MAX: all). */
static struct dnsrep_lookalike *build_feed(const struct feed_names *f, size_t skip)
{
	const char *names[MAX_FEED];
	size_t n = 0;
	for (size_t i = 0; i < f->n; i++)
		if (i != skip)
			names[n++] = f->names[i];
	return build_opts(names, n, NULL);
}

/* The seized names the issue names, over several labels. */
static const char *const spread[] = {
	"cloudfox.cloud", "ktsolution.tech", "foxysunstudio.com", "babyboxtech.com", "wkjllc.com",
	"thefoxesgroup.com",
};

static void test_level_squat(void **state)
{
	(void)state;
	struct dnsrep_lookalike *lk = BUILD(spread);
	expect_hit(lk, "cloudfox.cloud.secure-login.com", DNSREP_LOOKALIKE_LEVEL_SQUAT, "cloudfox.cloud", 0);
	expect_hit(lk, "ktsolution.tech.co", DNSREP_LOOKALIKE_LEVEL_SQUAT, "ktsolution.tech", 0);
	expect_hit(lk, "login.foxysunstudio.com.verify-id.net", DNSREP_LOOKALIKE_LEVEL_SQUAT,
		   "foxysunstudio.com", 0);
	expect_hit(lk, "babyboxtech-com.hiring-portal.com", DNSREP_LOOKALIKE_LEVEL_SQUAT,
		   "babyboxtech.com", 0);
	expect_hit(lk, "login-babyboxtech-com-secure.hiring-portal.com", DNSREP_LOOKALIKE_LEVEL_SQUAT,
		   "babyboxtech.com", 0);
	/* combined with a homoglyph, in any case, deep below */
	expect_hit(lk, "cl0udfox.cloud.secure-login.com", DNSREP_LOOKALIKE_LEVEL_SQUAT, "cloudfox.cloud", 0);
	expect_hit(lk, "A.B.C.CLOUDF0X.CLOUD.x.y.example.org", DNSREP_LOOKALIKE_LEVEL_SQUAT,
		   "cloudfox.cloud", 0);
	/* padded with many labels between it and the registrable domain */
	expect_hit(lk, "cloudfox.cloud.a.b.c.d.e.f.g.h.i.j.k.l.example.org", DNSREP_LOOKALIKE_LEVEL_SQUAT,
		   "cloudfox.cloud", 0);
	expect_hit(lk, "x.babyboxtech-com.1.2.3.4.5.6.7.8.9.example.org", DNSREP_LOOKALIKE_LEVEL_SQUAT,
		   "babyboxtech.com", 0);
	char *idn = to_ascii("сloudfox.cloud.secure-login.com"); /* Cyrillic es */
	expect_hit(lk, idn, DNSREP_LOOKALIKE_LEVEL_SQUAT, "cloudfox.cloud", 0);
	idn2_free(idn);
	/* the label without its suffix, or with another one, is not spelled out */
	expect_miss(lk, "cloudfox.secure-login.com");
	expect_miss(lk, "cloudfox.net.secure-login.com");
	expect_miss(lk, "cloud.fox-fans.com");
	expect_miss(lk, "foxysunstudio.co.example.com");
	/* the protected domain itself and names below it are no lookalikes */
	expect_miss(lk, "www.cloudfox.cloud");
	expect_miss(lk, "cloudfox.cloud.cloudfox.cloud");
	/* a label of hyphens, empty parts and 63-octet labels break nothing */
	expect_miss(lk, "a---b.example.com");
	expect_miss(lk, "-.example.com");
	expect_miss(lk, "a-b-c-d-e-f-g-h-i-j-k-l-m-n-o-p.example.com");
	expect_miss(lk, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example.com");
	dnsrep_lookalike_free(lk);
}

static void test_dot_insertion_and_tld_split(void **state)
{
	(void)state;
	struct dnsrep_lookalike *lk = BUILD(spread);
	expect_hit(lk, "clou.dfox.cloud", DNSREP_LOOKALIKE_DOT_INSERTION, "cloudfox.cloud", 0);
	expect_hit(lk, "www.clou.dfox.cloud", DNSREP_LOOKALIKE_DOT_INSERTION, "cloudfox.cloud", 0);
	expect_hit(lk, "cl.ou.dfox.cloud", DNSREP_LOOKALIKE_DOT_INSERTION, "cloudfox.cloud", 0);
	expect_hit(lk, "foxysun.studio.com", DNSREP_LOOKALIKE_DOT_INSERTION, "foxysunstudio.com", 0);
	expect_hit(lk, "babybox.tech", DNSREP_LOOKALIKE_TLD_SPLIT, "babyboxtech.com", 0);
	expect_hit(lk, "wkj.llc", DNSREP_LOOKALIKE_TLD_SPLIT, "wkjllc.com", 0);
	expect_hit(lk, "thefoxes.group", DNSREP_LOOKALIKE_TLD_SPLIT, "thefoxesgroup.com", 0);
	expect_hit(lk, "foxysun.studio", DNSREP_LOOKALIKE_TLD_SPLIT, "foxysunstudio.com", 0);
	expect_hit(lk, "www.foxysun.studio", DNSREP_LOOKALIKE_TLD_SPLIT, "foxysunstudio.com", 0);
	/* the pieces must make the whole label, under the same suffix for dot-insertion */
	expect_miss(lk, "clou.dfox.com");
	expect_miss(lk, "cloud.fox.example");
	expect_miss(lk, "babybox.team");
	expect_miss(lk, "box.tech");
	dnsrep_lookalike_free(lk);
}

static void test_benign_domains(void **state)
{
	(void)state;
	struct feed_names *f = load_dprk_feed();
	struct dnsrep_lookalike *lk = build_feed(f, SIZE_MAX);
	assert_int_equal(dnsrep_lookalike_count(lk), 22);
	size_t len;
	char *data = read_file(TEST_DATA_DIR "/benign-domains.txt", &len);
	unsigned checked = 0, hits = 0;
	for (char *line = strtok(data, "\n"); line; line = strtok(NULL, "\n")) {
		if (line[0] == '#' || line[0] == '\0')
			continue;
		struct dnsrep_lookalike_hit hit;
		checked++;
		if (check(lk, line, &hit)) {
			hits++;
			printf("# false positive: %s is a %s lookalike of %s (distance %u)\n", line,
			       dnsrep_lookalike_technique_name(hit.technique), text_of(hit.protected_name),
			       hit.distance);
		}
	}
	printf("# benign domains: %u checked, %u false positives\n", checked, hits);
	assert_true(checked >= 300);
	assert_int_equal(hits, 0);
	free(data);
	dnsrep_lookalike_free(lk);
	free(f);
}

static void test_leave_one_out(void **state)
{
	(void)state;
	struct feed_names *f = load_dprk_feed();
	/* left out -> the technique and protected name that must catch it */
	static const struct {
		const char *name;
		enum dnsrep_technique t;
		const char *by;
		unsigned d;
	} must[] = {
		{ "foxysunstudios.com", DNSREP_LOOKALIKE_TYPO, "foxysunstudio.com", 1 },
		{ "foxysunstudio.com", DNSREP_LOOKALIKE_TYPO, "foxysunstudios.com", 1 },
		{ "mycloudfox.com", DNSREP_LOOKALIKE_AFFIX, "cloudfox.cloud", 0 },
		{ "cloudfoxhub.com", DNSREP_LOOKALIKE_AFFIX, "cloudfox.cloud", 0 },
		{ "jinyang.asia", DNSREP_LOOKALIKE_TLD_SWAP, "jinyang.services", 0 },
		{ "jinyang.services", DNSREP_LOOKALIKE_TLD_SWAP, "jinyang.asia", 0 },
	};
	unsigned caught = 0, required = 0;
	for (size_t i = 0; i < f->n; i++) {
		struct dnsrep_lookalike *lk = build_feed(f, i);
		struct dnsrep_lookalike_hit hit;
		if (check(lk, f->names[i], &hit)) {
			caught++;
			printf("# leave-one-out: %s caught: %s of %s (distance %u)\n", f->names[i],
			       dnsrep_lookalike_technique_name(hit.technique), text_of(hit.protected_name),
			       hit.distance);
		} else {
			printf("# leave-one-out: %s not caught\n", f->names[i]);
		}
		for (size_t k = 0; k < N(must); k++)
			if (strcmp(must[k].name, f->names[i]) == 0) {
				expect_hit(lk, f->names[i], must[k].t, must[k].by, must[k].d);
				required++;
			}
		dnsrep_lookalike_free(lk);
	}
	printf("# leave-one-out: %u of %zu caught\n", caught, f->n);
	assert_int_equal(required, N(must));
	assert_true(caught >= N(must));
	free(f);
}

/* ---- per-feed tuning ---------------------------------------------------------------- */

/** An index of names each with its own tuning (NULL: the default), meta = position. */
static struct dnsrep_lookalike *build_tuned(const char *const *names, const char *const *tunings, size_t n)
{
	struct dnsrep_lookalike_builder *b = dnsrep_lookalike_builder_new(NULL);
	assert_non_null(b);
	for (size_t i = 0; i < n; i++) {
		struct dnsrep_name nm = parse(names[i]);
		struct dnsrep_lookalike_tuning t;
		char err[256];
		if (tunings[i] && dnsrep_lookalike_tuning_parse(&t, tunings[i], err, sizeof(err)) < 0)
			fail_msg("tuning '%s': %s", tunings[i], err);
		assert_int_equal(dnsrep_lookalike_builder_add_tuned(b, &nm, (uint32_t)i,
								    tunings[i] ? &t : NULL), 0);
	}
	char err[256];
	struct dnsrep_lookalike *lk = dnsrep_lookalike_builder_finish(b, err, sizeof(err));
	if (!lk)
		fail_msg("finish failed: %s", err);
	return lk;
}

/** Each technique can be turned off for a feed, and only for that feed's names. */
static void test_tuning_techniques_off(void **state)
{
	(void)state;
	/* one query per technique, each caught with every technique on */
	static const struct {
		const char *tech, *query;
	} q[] = {
		{ "tld-swap", "cloudfox.net" },
		{ "homoglyph", "cl0udfox.cloud" },
		{ "typo", "foxysunstudios.com" },
		{ "affix", "mycloudfox.com" },
		{ "contains", "bestcloudfoxdeals.com" },
		{ "level-squat", "cloudfox.cloud.secure-login.com" },
		{ "dot-insertion", "clou.dfox.cloud" },
		{ "tld-split", "babybox.tech" },
	};
	const char *names[] = { "cloudfox.cloud", "foxysunstudio.com", "babyboxtech.com" };
	const char *all[] = { NULL, NULL, NULL };
	struct dnsrep_lookalike *lk = build_tuned(names, all, N(names));
	for (size_t i = 0; i < N(q); i++) {
		struct dnsrep_lookalike_hit hit;
		if (check(lk, q[i].query, &hit) != 1)
			fail_msg("%s: not caught with every technique on", q[i].query);
		assert_string_equal(dnsrep_lookalike_technique_name(hit.technique), q[i].tech);
	}
	dnsrep_lookalike_free(lk);
	/* each technique off in turn: its query passes (or is caught by another technique, never by it) */
	for (size_t k = 0; k < N(q); k++) {
		char tun[200] = "";
		for (size_t j = 0; j < N(q); j++)
			if (j != k) {
				strcat(tun, q[j].tech);
				strcat(tun, " ");
			}
		const char *t3[] = { tun, tun, tun };
		lk = build_tuned(names, t3, N(names));
		for (size_t i = 0; i < N(q); i++) {
			struct dnsrep_lookalike_hit hit;
			int r = check(lk, q[i].query, &hit);
			if (i == k && r == 1 && strcmp(dnsrep_lookalike_technique_name(hit.technique), q[k].tech) == 0)
				fail_msg("%s: caught by %s, which is off", q[i].query, q[k].tech);
			if (i != k && (r != 1 ||
				       strcmp(dnsrep_lookalike_technique_name(hit.technique), q[i].tech) != 0))
				fail_msg("%s: not caught by %s with only %s off", q[i].query, q[i].tech, q[k].tech);
		}
		dnsrep_lookalike_free(lk);
	}
}

/** The shortest label: a technique skips the protected labels shorter than it. */
static void test_tuning_min_length(void **state)
{
	(void)state;
	const char *names[] = { "kt.tech", "cloudfox.cloud" };
	const char *t[] = { "tld-swap:3 homoglyph", "tld-swap:3 homoglyph" };
	struct dnsrep_lookalike *lk = build_tuned(names, t, N(names));
	expect_miss(lk, "kt.net");                  /* 2 octets: under 3 */
	expect_hit(lk, "cloudfox.net", DNSREP_LOOKALIKE_TLD_SWAP, "cloudfox.cloud", 0);
	expect_hit(lk, "cl0udfox.cloud", DNSREP_LOOKALIKE_HOMOGLYPH, "cloudfox.cloud", 0);
	expect_miss(lk, "mycloudfox.com");          /* affix off */
	dnsrep_lookalike_free(lk);
	const char *t2[] = { "tld-swap:2", "tld-swap:9" };
	lk = build_tuned(names, t2, N(names));
	expect_hit(lk, "kt.net", DNSREP_LOOKALIKE_TLD_SWAP, "kt.tech", 0);
	expect_miss(lk, "cloudfox.net");            /* 8 octets: under 9 */
	dnsrep_lookalike_free(lk);
}

/** A label protected by two feeds tuned differently: each feed's names get their own tuning. */
static void test_tuning_two_feeds_one_label(void **state)
{
	(void)state;
	/* canonical order puts cloudfox.cloud first; its feed has tld-swap off */
	const char *names[] = { "cloudfox.cloud", "cloudfox.io" };
	const char *t[] = { "homoglyph typo", NULL };
	struct dnsrep_lookalike *lk = build_tuned(names, t, N(names));
	struct dnsrep_lookalike_hit hit;
	assert_int_equal(check(lk, "cloudfox.net", &hit), 1);
	assert_int_equal(hit.technique, DNSREP_LOOKALIKE_TLD_SWAP);
	assert_string_equal(text_of(hit.protected_name), "cloudfox.io");
	assert_int_equal(hit.meta, 1);
	/* both feeds: affix on only for the second */
	assert_int_equal(check(lk, "mycloudfox.com", &hit), 1);
	assert_int_equal(hit.meta, 1);
	dnsrep_lookalike_free(lk);
	/* the other way round: the second feed has everything off but typo */
	const char *t2[] = { NULL, "typo" };
	lk = build_tuned(names, t2, N(names));
	assert_int_equal(check(lk, "cloudfox.net", &hit), 1);
	assert_int_equal(hit.meta, 0);
	dnsrep_lookalike_free(lk);
}

/** The tuning's text: what parse accepts and refuses, and format's round trip. */
static void test_tuning_text(void **state)
{
	(void)state;
	struct dnsrep_lookalike_tuning t, u;
	char err[256], buf[200];
	assert_int_equal(dnsrep_lookalike_tuning_parse(&t, "tld-swap:8 homoglyph\ttypo:10 level-squat", err,
						       sizeof(err)), 0);
	assert_int_equal(t.off, (uint8_t)~(1u | 2u | 4u | 32u));
	assert_int_equal(t.min_len[0], 8);
	assert_int_equal(t.min_len[2], 10);
	dnsrep_lookalike_tuning_format(&t, buf, sizeof(buf));
	assert_string_equal(buf, "tld-swap:8 homoglyph typo:10 level-squat");
	assert_int_equal(dnsrep_lookalike_tuning_parse(&u, buf, err, sizeof(err)), 0);
	assert_memory_equal(&t, &u, sizeof(t));
	memset(&t, 0, sizeof(t));
	dnsrep_lookalike_tuning_format(&t, buf, sizeof(buf));
	assert_string_equal(buf, "all");
	memset(&u, 0x5a, sizeof(u));
	assert_int_equal(dnsrep_lookalike_tuning_parse(&u, " all ", err, sizeof(err)), 0);
	assert_memory_equal(&t, &u, sizeof(t)); /* "all" reads back as the default */
	static const struct {
		const char *text, *want;
	} bad[] = {
		{ "", "no technique" },
		{ "   ", "no technique" },
		{ "typos", "unknown technique 'typos'" },
		{ "typo typo", "given twice" },
		{ "typo:0", "1 to 63" },
		{ "typo:64", "1 to 63" },
		{ "typo:", "1 to 63" },
		{ "typo:6x", "1 to 63" },
		{ "typo:-1", "1 to 63" },
		{ "typo:99999999999999999999", "1 to 63" },
		{ "all typo", "unknown technique 'all'" },
	};
	for (size_t i = 0; i < N(bad); i++) {
		err[0] = '\0';
		memset(&t, 0x5a, sizeof(t));
		struct dnsrep_lookalike_tuning before = t;
		if (dnsrep_lookalike_tuning_parse(&t, bad[i].text, err, sizeof(err)) == 0)
			fail_msg("'%s' parsed", bad[i].text);
		if (!strstr(err, bad[i].want))
			fail_msg("'%s': '%s' does not say '%s'", bad[i].text, err, bad[i].want);
		assert_memory_equal(&t, &before, sizeof(t)); /* untouched on error */
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_technique_names),
		cmocka_unit_test(test_tld_swap),
		cmocka_unit_test(test_typo_one_edit),
		cmocka_unit_test(test_typo_two_edits),
		cmocka_unit_test(test_affix),
		cmocka_unit_test(test_affix_custom),
		cmocka_unit_test(test_contains),
		cmocka_unit_test(test_skeleton),
		cmocka_unit_test(test_homoglyph_ascii),
		cmocka_unit_test(test_homoglyph_punycode),
		cmocka_unit_test(test_protected_and_subdomains),
		cmocka_unit_test(test_min_len),
		cmocka_unit_test(test_builder_dedup_and_suffixes),
		cmocka_unit_test(test_malformed_and_empty),
		cmocka_unit_test(test_level_squat),
		cmocka_unit_test(test_dot_insertion_and_tld_split),
		cmocka_unit_test(test_benign_domains),
		cmocka_unit_test(test_leave_one_out),
		cmocka_unit_test(test_tuning_techniques_off),
		cmocka_unit_test(test_tuning_min_length),
		cmocka_unit_test(test_tuning_two_feeds_one_label),
		cmocka_unit_test(test_tuning_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
