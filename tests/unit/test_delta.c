/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_delta.c — unit tests of the delta between two snapshots (dnsrep/delta.h):
 * no delta for equal blocklists; each kind of change (a name added or removed,
 * another scope, action, category or lookalike setting, an allow entry added or
 * removed, a protected name added or removed) covers the name, the names below
 * it and its lookalikes, and nothing unrelated; no old snapshot; and a property
 * test: for random pairs of overlapping blocklists, every name the two judge
 * differently (match, then lookalike) is covered by the delta.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnsrep/delta.h"
#include "dnsrep/name.h"
#include "dnsrep/snapshot.h"

/* ---- blocklists as data ---------------------------------------------------------------- */

/** One entry: a name, its scope, allow or block, and a category of its own or NULL. */
struct ent {
	const char *name;
	unsigned scope;
	int allow;
	const char *category;
};

/** One feed and its entries (up to a NULL name). */
struct feed {
	const char *name, *category;
	enum dnsrep_action action;
	int lookalike;
	enum dnsrep_action lookalike_action;
	const struct ent *ents;
};

#define SELF DNSREP_SCOPE_SELF
#define BELOW DNSREP_SCOPE_BELOW
#define TREE DNSREP_SCOPE_SUBTREE

static void to_name(struct dnsrep_name *n, const char *text)
{
	char err[DNSREP_ERRLEN];
	if (dnsrep_name_from_text(n, text, strlen(text), err, sizeof(err)) < 0)
		fail_msg("bad test name %s: %s", text, err);
}

static struct dnsrep_lookalike_opts lookalike_opts(void)
{
	struct dnsrep_lookalike_opts o;
	dnsrep_lookalike_opts_init(&o);
	return o;
}

/** Build feeds (up to one with a NULL name) into a protected snapshot, the
 * lookalike feeds tuned with tuning (lookalike-techniques; NULL: all). */
static struct dnsrep_snapshot *build_tuned(const struct feed *feeds, const char *tuning)
{
	char err[DNSREP_ERRLEN];
	struct dnsrep_snapshot_builder *b = dnsrep_snapshot_builder_new();
	assert_non_null(b);
	for (const struct feed *f = feeds; f->name; f++) {
		struct dnsrep_feed_meta fm = { .feed = f->name, .category = f->category,
					       .action = f->action, .lookalike = f->lookalike,
					       .lookalike_action = f->lookalike_action };
		if (tuning && dnsrep_lookalike_tuning_parse(&fm.lookalike_tuning, tuning, err, sizeof(err)) < 0)
			fail_msg("tuning %s: %s", tuning, err);
		assert_int_equal(dnsrep_snapshot_builder_feed_begin(b, &fm), 0);
		for (const struct ent *e = f->ents; e && e->name; e++) {
			struct dnsrep_entry en;
			memset(&en, 0, sizeof(en));
			to_name(&en.name, e->name);
			en.scope = e->scope;
			en.allow = e->allow;
			en.category = e->category;
			assert_int_equal(dnsrep_snapshot_builder_add(b, &en), 0);
		}
		dnsrep_snapshot_builder_feed_commit(b);
	}
	struct dnsrep_snapshot *s = dnsrep_snapshot_builder_finish(b, 1, err, sizeof(err));
	if (!s)
		fail_msg("finish: %s", err);
	struct dnsrep_lookalike_opts lo = lookalike_opts();
	size_t before = dnsrep_snapshot_memory(s);
	assert_int_equal(before, dnsrep_snapshot_bytes(s));
	if (dnsrep_snapshot_protect(s, &lo, err, sizeof(err)) < 0)
		fail_msg("protect: %s", err);
	/* the memory Unbound is told of (get_mem) counts the lookalike index too */
	if (dnsrep_snapshot_protected(s) > 0)
		assert_true(dnsrep_snapshot_memory(s) > before);
	return s;
}

static struct dnsrep_snapshot *build(const struct feed *feeds)
{
	return build_tuned(feeds, NULL);
}

/** The delta of two snapshots; changed is how many names it says differ. */
static struct dnsrep_snapshot *delta(const struct dnsrep_snapshot *old,
	const struct dnsrep_snapshot *now, size_t *changed)
{
	char err[DNSREP_ERRLEN] = "";
	struct dnsrep_snapshot *d = (struct dnsrep_snapshot *)0x1;
	struct dnsrep_lookalike_opts lo = lookalike_opts();
	*changed = 12345;
	if (dnsrep_delta_build(old, now, &lo, &d, changed, err, sizeof(err)) < 0)
		fail_msg("delta: %s", err);
	assert_true(d != (struct dnsrep_snapshot *)0x1);
	return d;
}

static int covers(const struct dnsrep_snapshot *d, const char *text)
{
	struct dnsrep_name n;
	to_name(&n, text);
	return dnsrep_delta_covers(d, n.wire, n.len);
}

/** Every name in the NULL-terminated list is covered / none is. */
static void expect_covered(const struct dnsrep_snapshot *d, const char *const *names, int want)
{
	for (const char *const *n = names; *n; n++)
		if (covers(d, *n) != want)
			fail_msg("%s: covered %d, expected %d", *n, !want, want);
}

/** old and now differ in exactly `changed` names; check what the delta covers. */
static void case_of(const struct feed *old_feeds, const struct feed *now_feeds, size_t changed,
	const char *const *in, const char *const *out)
{
	struct dnsrep_snapshot *old = build(old_feeds), *now = build(now_feeds);
	size_t n;
	struct dnsrep_snapshot *d = delta(old, now, &n);
	assert_non_null(d);
	assert_int_equal(n, changed);
	expect_covered(d, in, 1);
	expect_covered(d, out, 0);
	/* the other way round: the same names */
	dnsrep_snapshot_free(d);
	d = delta(now, old, &n);
	assert_non_null(d);
	assert_int_equal(n, changed);
	expect_covered(d, in, 1);
	expect_covered(d, out, 0);
	dnsrep_snapshot_free(d);
	dnsrep_snapshot_free(old);
	dnsrep_snapshot_free(now);
}

/* ---- each kind of change ------------------------------------------------------------------ */

static const struct ent base_ents[] = {
	{ "a.example", TREE, 0, NULL },
	{ "b.example", SELF, 0, NULL },
	{ "c.example", BELOW, 0, NULL },
	{ "ok.a.example", TREE, 1, NULL },
	{ "deep.x.y.example", TREE, 0, "other" },
	{ NULL, 0, 0, NULL }
};
static const struct feed base[] = {
	{ "f1", "cat", DNSREP_ACTION_NXDOMAIN, 0, 0, base_ents },
	{ NULL, NULL, 0, 0, 0, NULL }
};

/* names no change below touches */
static const char *const unrelated[] = {
	"example", "z.example", "aa.example", "x.y.example", "y.example", "a.example.org",
	"example.com", "b.a", NULL
};

/** How a variant of the base blocklist differs from it. */
enum edit { ADD, REMOVE, REPLACE };

/**
 * The base blocklist with one entry added, removed or replaced (by name): the
 * delta covers the names in `in` and none in `out`.
 */
static void case_edit(enum edit op, struct ent e, const char *const *in, const char *const *out)
{
	struct ent ents[sizeof(base_ents) / sizeof(base_ents[0]) + 1];
	size_t n = 0;
	for (const struct ent *b = base_ents; b->name; b++) {
		if (op != ADD && strcmp(b->name, e.name) == 0) {
			if (op == REPLACE)
				ents[n++] = e;
			continue;
		}
		ents[n++] = *b;
	}
	if (op == ADD)
		ents[n++] = e;
	ents[n] = (struct ent){ NULL, 0, 0, NULL };
	struct feed now[] = {
		{ "f1", "cat", DNSREP_ACTION_NXDOMAIN, 0, 0, ents },
		{ NULL, NULL, 0, 0, 0, NULL }
	};
	case_of(base, now, 1, in, out);
}

/** Two blocklists that judge every name alike: no delta, both ways. */
static void expect_no_delta(const struct feed *a_feeds, const struct feed *b_feeds)
{
	struct dnsrep_snapshot *a = build(a_feeds), *b = build(b_feeds);
	size_t n;
	assert_null(delta(a, b, &n));
	assert_int_equal(n, 0);
	assert_null(delta(b, a, &n));
	assert_int_equal(n, 0);
	assert_null(delta(a, a, &n));
	assert_int_equal(n, 0);
	dnsrep_snapshot_free(a);
	dnsrep_snapshot_free(b);
}

static void test_identical_no_delta(void **state)
{
	(void)state;
	expect_no_delta(base, base);
	/* the same names in other feeds, in another order: still nothing */
	static const struct ent first[] = { { "a.example", TREE, 0, NULL }, { NULL, 0, 0, NULL } };
	static const struct ent rest[] = {
		{ "ok.a.example", TREE, 1, NULL }, { "c.example", BELOW, 0, NULL },
		{ "b.example", SELF, 0, NULL }, { "deep.x.y.example", TREE, 0, "other" },
		{ NULL, 0, 0, NULL }
	};
	static const struct feed split[] = {
		{ "f1", "cat", DNSREP_ACTION_NXDOMAIN, 0, 0, first },
		{ "f2", "cat", DNSREP_ACTION_NXDOMAIN, 0, 0, rest },
		{ NULL, NULL, 0, 0, 0, NULL }
	};
	expect_no_delta(base, split);
}

static void test_added_and_removed(void **state)
{
	(void)state;
	/* the delta covers the name and every name below it, whatever its scope */
	static const char *const in[] = { "new.example", "www.new.example", "a.b.new.example", NULL };
	case_edit(ADD, (struct ent){ "new.example", SELF, 0, NULL }, in, unrelated);
	static const char *const in2[] = { "b.example", "x.b.example", NULL };
	case_edit(REMOVE, (struct ent){ "b.example", 0, 0, NULL }, in2, unrelated);

	/* covers takes a query's wire name in any case */
	static const struct ent more[] = { { "new.example", SELF, 0, NULL }, { NULL, 0, 0, NULL } };
	static const struct feed added[] = {
		{ "f1", "cat", DNSREP_ACTION_NXDOMAIN, 0, 0, base_ents },
		{ "f2", "cat", DNSREP_ACTION_NXDOMAIN, 0, 0, more },
		{ NULL, NULL, 0, 0, 0, NULL }
	};
	struct dnsrep_snapshot *old = build(base), *now = build(added);
	size_t n;
	struct dnsrep_snapshot *d = delta(old, now, &n);
	static const uint8_t upper[] = "\3WwW\3NEW\7ExAmPlE";
	assert_int_equal(dnsrep_delta_covers(d, upper, sizeof(upper)), 1);
	dnsrep_snapshot_free(d);
	dnsrep_snapshot_free(old);
	dnsrep_snapshot_free(now);
}

static void test_scope_changed(void **state)
{
	(void)state;
	static const unsigned scopes[] = { SELF, BELOW, TREE };
	for (int from = 0; from < 3; from++) {
		for (int to = 0; to < 3; to++) {
			if (from == to)
				continue;
			struct ent o[] = { { "a.example", TREE, 0, NULL },
					   { "s.example", scopes[from], 0, NULL },
					   { NULL, 0, 0, NULL } };
			struct ent n[] = { { "a.example", TREE, 0, NULL },
					   { "s.example", scopes[to], 0, NULL },
					   { NULL, 0, 0, NULL } };
			struct feed fo[] = { { "f", "c", 0, 0, 0, o }, { NULL, NULL, 0, 0, 0, NULL } };
			struct feed fn[] = { { "f", "c", 0, 0, 0, n }, { NULL, NULL, 0, 0, 0, NULL } };
			static const char *const in[] = { "s.example", "www.s.example", NULL };
			static const char *const out[] = { "a.example", "www.a.example", "ss.example",
							   "example", NULL };
			case_of(fo, fn, 1, in, out);
		}
	}
}

static void test_action_category_changed(void **state)
{
	(void)state;
	/* the feed's action: every name of the feed changed, the other feed's did not */
	static const struct ent mine[] = { { "m1.example", TREE, 0, NULL },
					   { "m2.example", SELF, 0, NULL }, { NULL, 0, 0, NULL } };
	static const struct ent theirs[] = { { "t.example", TREE, 0, NULL }, { NULL, 0, 0, NULL } };
	static const struct feed nx[] = {
		{ "mine", "c", DNSREP_ACTION_NXDOMAIN, 0, 0, mine },
		{ "theirs", "c", DNSREP_ACTION_NXDOMAIN, 0, 0, theirs },
		{ NULL, NULL, 0, 0, 0, NULL }
	};
	static const struct feed refused[] = {
		{ "mine", "c", DNSREP_ACTION_REFUSED, 0, 0, mine },
		{ "theirs", "c", DNSREP_ACTION_NXDOMAIN, 0, 0, theirs },
		{ NULL, NULL, 0, 0, 0, NULL }
	};
	static const char *const in[] = { "m1.example", "x.m1.example", "m2.example", NULL };
	static const char *const out[] = { "t.example", "x.t.example", "example", NULL };
	case_of(nx, refused, 2, in, out);

	/* one entry's own category */
	static const struct ent cat2[] = { { "m1.example", TREE, 0, "gambling" },
					   { "m2.example", SELF, 0, NULL }, { NULL, 0, 0, NULL } };
	static const struct feed recat[] = {
		{ "mine", "c", DNSREP_ACTION_NXDOMAIN, 0, 0, cat2 },
		{ "theirs", "c", DNSREP_ACTION_NXDOMAIN, 0, 0, theirs },
		{ NULL, NULL, 0, 0, 0, NULL }
	};
	static const char *const in2[] = { "m1.example", "x.m1.example", NULL };
	static const char *const out2[] = { "m2.example", "t.example", "example", NULL };
	case_of(nx, recat, 1, in2, out2);

	/* the feed's name alone (what is logged, not what is answered): no delta */
	static const struct feed renamed[] = {
		{ "mine-renamed", "c", DNSREP_ACTION_NXDOMAIN, 0, 0, mine },
		{ "theirs", "c", DNSREP_ACTION_NXDOMAIN, 0, 0, theirs },
		{ NULL, NULL, 0, 0, 0, NULL }
	};
	expect_no_delta(nx, renamed);
}

/** A feed's lookalike tuning changed: its protected names (and their lookalikes) changed. */
static void test_lookalike_tuning_changed(void **state)
{
	(void)state;
	static const struct ent seized[] = { { "foxysunstudio.com", TREE, 0, NULL }, { NULL, 0, 0, NULL } };
	static const struct feed feeds[] = {
		{ "seized", "seized", DNSREP_ACTION_NXDOMAIN, 1, DNSREP_ACTION_NXDOMAIN, seized },
		{ NULL, NULL, 0, 0, 0, NULL }
	};
	static const char *const in[] = { "foxysunstudio.com", "foxysunstudios.com", "foxysunstudio.net",
					  "myfoxysunstudio.com", NULL };
	static const char *const out[] = { "example.org", "studio.com", NULL };
	struct dnsrep_snapshot *all = build_tuned(feeds, NULL), *some = build_tuned(feeds, "homoglyph"),
			       *same = build_tuned(feeds, "homoglyph");
	size_t n;
	for (int way = 0; way < 2; way++) {
		struct dnsrep_snapshot *d = way ? delta(some, all, &n) : delta(all, some, &n);
		assert_non_null(d);
		assert_int_equal(n, 1);
		expect_covered(d, in, 1);
		expect_covered(d, out, 0);
		dnsrep_snapshot_free(d);
	}
	assert_null(delta(some, same, &n));
	assert_int_equal(n, 0);
	dnsrep_snapshot_free(all);
	dnsrep_snapshot_free(some);
	dnsrep_snapshot_free(same);
}

static void test_allow_added_and_removed(void **state)
{
	(void)state;
	/* an allow entry below a block */
	static const char *const in[] = { "pass.c.example", "x.pass.c.example", NULL };
	static const char *const out[] = { "c.example", "other.c.example", "a.example", NULL };
	case_edit(ADD, (struct ent){ "pass.c.example", SELF, 1, NULL }, in, out);

	/* the allow entry ok.a.example removed: its names are blocked by a.example again */
	static const char *const in2[] = { "ok.a.example", "www.ok.a.example", NULL };
	static const char *const out2[] = { "a.example", "www.a.example", "b.example", NULL };
	case_edit(REMOVE, (struct ent){ "ok.a.example", 0, 0, NULL }, in2, out2);

	/* an allow entry turned into a block entry of the same name */
	case_edit(REPLACE, (struct ent){ "ok.a.example", TREE, 0, NULL }, in2, out2);
}

/* A protected name added: the name, the names below it, and its lookalikes. */
static void test_protected_name_added(void **state)
{
	(void)state;
	static const struct ent seized[] = { { "foxysunstudio.com", TREE, 0, NULL },
					     { NULL, 0, 0, NULL } };
	static const struct ent plain[] = { { "a.example", TREE, 0, NULL }, { NULL, 0, 0, NULL } };
	static const struct feed before[] = {
		{ "plain", "c", 0, 0, 0, plain },
		{ NULL, NULL, 0, 0, 0, NULL }
	};
	static const struct feed after[] = {
		{ "plain", "c", 0, 0, 0, plain },
		{ "seized", "seized", DNSREP_ACTION_NXDOMAIN, 1, DNSREP_ACTION_NXDOMAIN, seized },
		{ NULL, NULL, 0, 0, 0, NULL }
	};
	static const char *const in[] = {
		"foxysunstudio.com", "www.foxysunstudio.com",
		"foxysunstudios.com",       /* typo: one insertion */
		"www.foxysunstudios.com",   /* below a typo */
		"foxysunstudio.net",        /* tld-swap */
		"f0xysunstudio.com",        /* homoglyph */
		"myfoxysunstudio.com",      /* affix */
		NULL
	};
	static const char *const out[] = { "a.example", "example.org", "studio.com", "sunstudio.com",
					   "com", NULL };
	case_of(before, after, 1, in, out);

	/* the same name in a feed without lookalike protection: no lookalikes covered */
	static const struct feed unprotected[] = {
		{ "plain", "c", 0, 0, 0, plain },
		{ "seized", "seized", DNSREP_ACTION_NXDOMAIN, 0, 0, seized },
		{ NULL, NULL, 0, 0, 0, NULL }
	};
	static const char *const in2[] = { "foxysunstudio.com", "www.foxysunstudio.com", NULL };
	static const char *const out2[] = { "foxysunstudios.com", "foxysunstudio.net", NULL };
	case_of(before, unprotected, 1, in2, out2);

	/* protection turned on for a name listed before: the lookalikes move */
	static const char *const in3[] = { "foxysunstudios.com", "foxysunstudio.net", NULL };
	case_of(unprotected, after, 1, in3, out);
	/* and its lookalike action changed */
	static const struct feed refused[] = {
		{ "plain", "c", 0, 0, 0, plain },
		{ "seized", "seized", DNSREP_ACTION_NXDOMAIN, 1, DNSREP_ACTION_REFUSED, seized },
		{ NULL, NULL, 0, 0, 0, NULL }
	};
	case_of(after, refused, 1, in3, out);
}

/*
 * A protected name's registrable domain is not a lookalike of other protected
 * names: adding or removing sub.foxysunstudios.com (protected) moves the verdict of
 * every other name under foxysunstudios.com, a typo of foxysunstudio.com.
 */
static void test_protected_registrable_domain(void **state)
{
	(void)state;
	static const struct ent seized[] = { { "foxysunstudio.com", TREE, 0, NULL },
					     { NULL, 0, 0, NULL } };
	static const struct ent sub[] = { { "sub.foxysunstudios.com", SELF, 0, NULL },
					  { NULL, 0, 0, NULL } };
	static const struct feed before[] = {
		{ "seized", "seized", DNSREP_ACTION_NXDOMAIN, 1, DNSREP_ACTION_NXDOMAIN, seized },
		{ NULL, NULL, 0, 0, 0, NULL }
	};
	static const struct feed after[] = {
		{ "seized", "seized", DNSREP_ACTION_NXDOMAIN, 1, DNSREP_ACTION_NXDOMAIN, seized },
		{ "more", "seized", DNSREP_ACTION_NXDOMAIN, 1, DNSREP_ACTION_NXDOMAIN, sub },
		{ NULL, NULL, 0, 0, 0, NULL }
	};
	struct dnsrep_snapshot *old = build(before), *now = build(after);
	struct dnsrep_name q;
	struct dnsrep_match m;
	struct dnsrep_lookalike_hit hit;
	to_name(&q, "www.foxysunstudios.com");
	/* what the two say: a lookalike before, nothing after */
	assert_int_equal(dnsrep_snapshot_match(old, q.wire, q.len, &m), 0);
	assert_int_equal(m.verdict, DNSREP_VERDICT_PASS);
	assert_int_equal(dnsrep_snapshot_lookalike(old, q.wire, q.len, &m, &hit), 1);
	assert_int_equal(dnsrep_snapshot_match(now, q.wire, q.len, &m), 0);
	assert_int_equal(m.verdict, DNSREP_VERDICT_PASS);
	assert_int_equal(dnsrep_snapshot_lookalike(now, q.wire, q.len, &m, &hit), 0);
	dnsrep_snapshot_free(old);
	dnsrep_snapshot_free(now);
	static const char *const in[] = { "sub.foxysunstudios.com", "www.foxysunstudios.com",
					  "foxysunstudios.com", NULL };
	static const char *const out[] = { "example.com", NULL };
	case_of(before, after, 1, in, out);
}

/** The action a snapshot gives a name by lookalike (0: none). */
static enum dnsrep_action lookalike_action(const struct dnsrep_snapshot *s, const char *text)
{
	struct dnsrep_name q;
	struct dnsrep_match m;
	struct dnsrep_lookalike_hit hit;
	to_name(&q, text);
	assert_int_equal(dnsrep_snapshot_match(s, q.wire, q.len, &m), 0);
	assert_int_equal(m.verdict, DNSREP_VERDICT_PASS);
	return dnsrep_snapshot_lookalike(s, q.wire, q.len, &m, &hit) ? m.meta.lookalike_action : 0;
}

/*
 * When a name is a lookalike of several protected names, or a registrable domain
 * is protected by several names, one of them decides the action.  Which one must
 * depend on those names alone: unrelated names added (the table grows and its
 * order changes) change nothing, and the delta of the two is empty of them.
 */
static void test_lookalike_winner_is_stable(void **state)
{
	(void)state;
	enum { FILLERS = 40 };
	static const struct ent com[] = { { "foxysunstudio.com", TREE, 0, NULL },
					  { "a.moonbeamstudio.com", SELF, 0, NULL },
					  { NULL, 0, 0, NULL } };
	static const struct ent net[] = { { "foxysunstudio.net", TREE, 0, NULL },
					  { "b.moonbeamstudio.com", SELF, 0, NULL },
					  { NULL, 0, 0, NULL } };
	static char names[FILLERS * 8][32];
	static struct ent fill[FILLERS * 8 + 1];
	struct feed feeds[] = {
		{ "net", "c", DNSREP_ACTION_NXDOMAIN, 1, DNSREP_ACTION_REFUSED, net },
		{ "com", "c", DNSREP_ACTION_NXDOMAIN, 1, DNSREP_ACTION_NXDOMAIN, com },
		{ "fill", "c", DNSREP_ACTION_NXDOMAIN, 0, 0, fill },
		{ NULL, NULL, 0, 0, 0, NULL }
	};
	struct dnsrep_snapshot *first = build(feeds);
	/* a tld-swap of both protected labels, and a typo of the domain both protect */
	enum dnsrep_action swap = lookalike_action(first, "foxysunstudio.org");
	enum dnsrep_action typo = lookalike_action(first, "moonbeamstudios.com");
	assert_true(swap == DNSREP_ACTION_NXDOMAIN || swap == DNSREP_ACTION_REFUSED);
	assert_true(typo == DNSREP_ACTION_NXDOMAIN || typo == DNSREP_ACTION_REFUSED);
	for (int k = 1; k <= FILLERS; k++) {
		for (int i = 0; i < k * 8; i++) {
			snprintf(names[i], sizeof(names[i]), "filler%d.example", i);
			fill[i] = (struct ent){ names[i], TREE, 0, NULL };
		}
		fill[k * 8].name = NULL;
		struct dnsrep_snapshot *s = build(feeds);
		if (lookalike_action(s, "foxysunstudio.org") != swap ||
		    lookalike_action(s, "moonbeamstudios.com") != typo)
			fail_msg("with %d unrelated names, a lookalike gets another action", k * 8);
		size_t n;
		struct dnsrep_snapshot *d = delta(first, s, &n);
		assert_int_equal(n, (size_t)k * 8);
		assert_int_equal(covers(d, "foxysunstudio.org"), 0);
		assert_int_equal(covers(d, "moonbeamstudios.com"), 0);
		dnsrep_snapshot_free(d);
		dnsrep_snapshot_free(s);
	}
	dnsrep_snapshot_free(first);
}

/* No old snapshot: everything is new; and everything removed. */
static void test_no_old_snapshot(void **state)
{
	(void)state;
	struct dnsrep_snapshot *now = build(base);
	size_t n;
	struct dnsrep_snapshot *d = delta(NULL, now, &n);
	assert_non_null(d);
	assert_int_equal(n, dnsrep_snapshot_names(now));
	static const char *const in[] = { "a.example", "ok.a.example", "b.example", "x.b.example",
					  "c.example", "x.c.example", "deep.x.y.example", NULL };
	static const char *const out[] = { "example", "x.y.example", "z.example", NULL };
	expect_covered(d, in, 1);
	expect_covered(d, out, 0);
	dnsrep_snapshot_free(d);
	/* an empty blocklist after nothing: nothing changed */
	static const struct feed none[] = { { NULL, NULL, 0, 0, 0, NULL } };
	struct dnsrep_snapshot *empty = build(none);
	assert_null(delta(NULL, empty, &n));
	assert_int_equal(n, 0);
	/* everything removed */
	d = delta(now, empty, &n);
	assert_non_null(d);
	assert_int_equal(n, dnsrep_snapshot_names(now));
	expect_covered(d, in, 1);
	expect_covered(d, out, 0);
	/* a malformed name is covered: the full comparison decides */
	static const uint8_t past[] = { 5, 'a', 'b', 0 };
	static const uint8_t noroot[] = { 1, 'a' };
	assert_int_equal(dnsrep_delta_covers(d, past, sizeof(past)), 1);
	assert_int_equal(dnsrep_delta_covers(d, noroot, sizeof(noroot)), 1);
	dnsrep_snapshot_free(d);
	dnsrep_snapshot_free(empty);
	dnsrep_snapshot_free(now);
}

/* ---- the property: whatever the two judge differently, the delta covers ------------------ */

/*
 * Names from a small alphabet, so that random blocklists overlap, nest and hold
 * lookalikes of each other (typos, tld-swaps, homoglyphs, affixes, a public suffix
 * of two labels).
 */
static const char *const labels[] = {
	"a", "b", "www", "foxysun", "foxysum", "foxysuns", "f0xysun", "myfoxysun", "foxysunhub",
	"studio", "studi0", "xfoxysunx",
};
static const char *const suffixes[] = { "com", "net", "co.uk" };
#define N_LABELS (sizeof(labels) / sizeof(labels[0]))
#define N_SUFFIXES (sizeof(suffixes) / sizeof(suffixes[0]))

static uint64_t rnd_state;

static unsigned rnd(unsigned n)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return (unsigned)(rnd_state % n);
}

/** A random name of 1 to `most` labels before a suffix. */
static void rnd_name(char *buf, size_t len, int most)
{
	int n = 1 + (int)rnd((unsigned)most);
	size_t o = 0;
	for (int i = 0; i < n; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s.", labels[rnd(N_LABELS)]);
	snprintf(buf + o, len - o, "%s", suffixes[rnd(N_SUFFIXES)]);
}

enum { MAX_FEEDS = 4, MAX_ENTS = 120 };

/** A random blocklist, kept as data so that it can be changed a little. */
struct rfeed {
	char name[16], category[8];
	enum dnsrep_action action, lookalike_action;
	int lookalike;
	int n;
	char names[MAX_ENTS][64];
	struct ent ents[MAX_ENTS + 1];
};

struct rlist {
	int n;
	struct rfeed feeds[MAX_FEEDS];
};

static const char *const categories[] = { "c1", "c2", NULL };

static void rnd_ent(struct rfeed *f, int i)
{
	rnd_name(f->names[i], sizeof(f->names[i]), 2);
	f->ents[i].name = f->names[i];
	f->ents[i].scope = 1 + rnd(3);
	f->ents[i].allow = rnd(6) == 0;
	f->ents[i].category = categories[rnd(3)];
}

static void rnd_feed_meta(struct rfeed *f)
{
	snprintf(f->category, sizeof(f->category), "%s", categories[rnd(2)]);
	f->action = (enum dnsrep_action)rnd(6);
	f->lookalike = rnd(2);
	f->lookalike_action = (enum dnsrep_action)rnd(6);
}

static void rnd_list(struct rlist *l)
{
	l->n = 1 + (int)rnd(MAX_FEEDS);
	for (int k = 0; k < l->n; k++) {
		struct rfeed *f = &l->feeds[k];
		snprintf(f->name, sizeof(f->name), "f%d", k);
		rnd_feed_meta(f);
		f->n = 10 + (int)rnd(MAX_ENTS - 10);
		for (int i = 0; i < f->n; i++)
			rnd_ent(f, i);
	}
}

/** Change a few things: entries added, removed, rescoped, flipped; a feed's settings. */
static void rnd_change(struct rlist *l)
{
	int changes = 1 + (int)rnd(4);
	for (int c = 0; c < changes; c++) {
		struct rfeed *f = &l->feeds[rnd((unsigned)l->n)];
		int i = (int)rnd((unsigned)f->n);
		switch (rnd(7)) {
		case 0: /* added */
			if (f->n < MAX_ENTS)
				rnd_ent(f, f->n++);
			break;
		case 1: /* removed */
			if (f->n > 1) {
				memcpy(f->names[i], f->names[f->n - 1], sizeof(f->names[i]));
				f->ents[i] = f->ents[f->n - 1];
				f->ents[i].name = f->names[i];
				f->n--;
			}
			break;
		case 2:
			f->ents[i].scope = 1 + rnd(3);
			break;
		case 3:
			f->ents[i].allow = !f->ents[i].allow;
			break;
		case 4:
			f->ents[i].category = categories[rnd(3)];
			break;
		case 5: /* one setting of the whole feed */
			switch (rnd(4)) {
			case 0: f->action = (enum dnsrep_action)rnd(6); break;
			case 1: f->lookalike = !f->lookalike; break;
			case 2: f->lookalike_action = (enum dnsrep_action)rnd(6); break;
			default: snprintf(f->category, sizeof(f->category), "%s", categories[rnd(2)]);
			}
			break;
		default: /* many unrelated names added: the tables grow and reorder */
			for (int k = 0; k < 40 && f->n < MAX_ENTS; k++) {
				struct ent *e = &f->ents[f->n];
				snprintf(f->names[f->n], sizeof(f->names[f->n]), "filler%d-%u.example",
					 f->n, rnd(1000000));
				*e = (struct ent){ f->names[f->n], TREE, 0, NULL };
				f->n++;
			}
		}
	}
}

static struct dnsrep_snapshot *build_list(const struct rlist *l)
{
	struct feed feeds[MAX_FEEDS + 1];
	struct rlist *w = (struct rlist *)l;
	for (int k = 0; k < l->n; k++) {
		struct rfeed *f = &w->feeds[k];
		f->ents[f->n].name = NULL;
		feeds[k] = (struct feed){ f->name, f->category, f->action, f->lookalike,
					  f->lookalike_action, f->ents };
	}
	feeds[l->n] = (struct feed){ NULL, NULL, 0, 0, 0, NULL };
	return build(feeds);
}

/** What a snapshot answers for a name: verdict, whether a lookalike, action, category. */
struct judged {
	enum dnsrep_verdict verdict;
	int lookalike;
	enum dnsrep_action action;
	char category[16];
	char why[DNSREP_NAME_MAXTEXT + 32]; /**< the rule and its feed, for messages */
};

static void judge(const struct dnsrep_snapshot *s, const struct dnsrep_name *q, struct judged *j)
{
	struct dnsrep_match m;
	struct dnsrep_lookalike_hit hit;
	memset(j, 0, sizeof(*j));
	assert_int_equal(dnsrep_snapshot_match(s, q->wire, q->len, &m), 0);
	if (m.verdict == DNSREP_VERDICT_PASS && dnsrep_snapshot_lookalike(s, q->wire, q->len, &m, &hit))
		j->lookalike = 1;
	j->verdict = m.verdict;
	/* as the plugin acts: a lookalike by its feed's lookalike action; a block by
	 * its feed's action, or when it inherits, by its category's */
	if (m.verdict == DNSREP_VERDICT_BLOCK && j->lookalike) {
		j->action = m.meta.lookalike_action;
	} else if (m.verdict == DNSREP_VERDICT_BLOCK) {
		j->action = m.meta.action;
		snprintf(j->category, sizeof(j->category), "%s", m.meta.category);
	}
	if (m.rule) {
		char rule[DNSREP_NAME_MAXTEXT];
		if (dnsrep_name_to_text(m.rule, rule, sizeof(rule)) < 0)
			snprintf(rule, sizeof(rule), "?");
		snprintf(j->why, sizeof(j->why), "%s in %s", rule, m.meta.feed);
	}
}

static int same_judgement(const struct judged *a, const struct judged *b)
{
	return a->verdict == b->verdict && a->lookalike == b->lookalike && a->action == b->action &&
	       strcmp(a->category, b->category) == 0;
}

static void test_property_delta_covers_every_difference(void **state)
{
	(void)state;
	enum { TRIALS = 300, QUERIES = 400 };
	static struct rlist old_list, now_list;
	size_t differing = 0, covered = 0, queries = 0;
	rnd_state = 0x2545f4914f6cdd1du;
	for (int t = 0; t < TRIALS; t++) {
		rnd_list(&old_list);
		now_list = old_list;
		rnd_change(&now_list);
		struct dnsrep_snapshot *old = build_list(&old_list), *now = build_list(&now_list);
		size_t changed;
		struct dnsrep_snapshot *d = delta(old, now, &changed);
		assert_true((d == NULL) == (changed == 0));
		for (int i = 0; i < QUERIES; i++) {
			char text[128];
			if (i % 4 == 0)   /* a name of the blocklists, or one below it */
				snprintf(text, sizeof(text), "%s%s", i % 8 ? "" : "x.",
					 old_list.feeds[0].names[rnd((unsigned)old_list.feeds[0].n)]);
			else
				rnd_name(text, sizeof(text), 3);
			struct dnsrep_name q;
			to_name(&q, text);
			struct judged jo, jn;
			judge(old, &q, &jo);
			judge(now, &q, &jn);
			int cov = d ? dnsrep_delta_covers(d, q.wire, q.len) : 0;
			queries++;
			covered += (size_t)cov;
			if (same_judgement(&jo, &jn))
				continue;
			differing++;
			if (!cov)
				fail_msg("trial %d: %s is judged differently (verdict %d/%d, lookalike "
					 "%d/%d, action %d/%d, category %s/%s, rule %s / %s) but the "
					 "delta (%zu names) does not cover it", t, text, jo.verdict,
					 jn.verdict, jo.lookalike, jn.lookalike, (int)jo.action,
					 (int)jn.action, jo.category, jn.category, jo.why, jn.why, changed);
		}
		dnsrep_snapshot_free(d);
		dnsrep_snapshot_free(old);
		dnsrep_snapshot_free(now);
	}
	print_message("# %zu queries: %zu judged differently, %zu covered\n", queries, differing,
		      covered);
	/* the property must have been put to the test, and the delta must filter */
	assert_true(differing > 100);
	assert_true(covered < queries / 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_identical_no_delta),
		cmocka_unit_test(test_added_and_removed),
		cmocka_unit_test(test_scope_changed),
		cmocka_unit_test(test_action_category_changed),
		cmocka_unit_test(test_lookalike_tuning_changed),
		cmocka_unit_test(test_allow_added_and_removed),
		cmocka_unit_test(test_protected_name_added),
		cmocka_unit_test(test_protected_registrable_domain),
		cmocka_unit_test(test_lookalike_winner_is_stable),
		cmocka_unit_test(test_no_old_snapshot),
		cmocka_unit_test(test_property_delta_covers_every_difference),
	};
	return cmocka_run_group_tests_name("delta", tests, NULL, NULL);
}
