/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * feed_adblock.c — AdBlock-syntax feeds (AdGuard, uBlock Origin, ABP): the DNS
 * rules (||name^, @@||name^, with $important and $badfilter), every other kind
 * of rule rejected with a reason.  Called by feed.c (feed_parser.h).
 */
#include "dnsrep_config.h"
#include "feed_parser.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/*
 * AdGuard's and uBlock's DNS rules combine as those tools combine them, within a
 * feed: an exception (@@) overrides a blocking rule for its name and every name
 * below it, however specific the blocking rule; $important lifts a blocking rule
 * above exceptions that are not $important themselves; $badfilter cancels the
 * rule that is the same without it.  dnsrep's own precedence is "the most specific
 * entry decides", so a prescan of the feed finds the $important, exception and
 * $badfilter rules first, and the rules another rule overrides are left out
 * (neither taken nor rejected: read as their format means them).
 */

/** Markers of cosmetic (element hiding, CSS, scriptlet) rules. */
static const char *const cosmetic_markers[] = {
	"##", "#@#", "#?#", "#@?#", "#$#", "#@$#", "#%#", "#@%#", NULL
};

/** One adblock rule, split. */
struct adrule {
	int allow;          /**< @@ */
	int important;      /**< $important */
	int badfilter;      /**< $badfilter */
	char *name;         /**< in the line's buffer, NUL-terminated */
	size_t namelen;
	int valid;          /**< the name would be taken (adblock_key): key is set */
	char key[DNSREP_NAME_MAXTEXT]; /**< the name as compared: A-labels, lower case */
};

/** What adblock_split found. */
enum adkind { AD_SKIP, AD_REJECT, AD_RULE };

/**
 * Split a line (NUL-terminated, trimmed) into a rule; on AD_REJECT, why holds
 * the reason.  Writes NULs into the line.
 */
static enum adkind adblock_split(char *s, size_t n, struct adrule *r, char *why, size_t whylen)
{
	char buf[SHOWBUF];
	memset(r, 0, sizeof(*r));
	if (n == 0 || s[0] == '!' || s[0] == '[')
		return AD_SKIP;
	for (const char *const *m = cosmetic_markers; *m; m++) {
		if (strstr(s, *m)) {
			snprintf(why, whylen, "not a DNS rule: a cosmetic rule ('%s')",
				 dnsrep_feedp_show(buf, sizeof(buf), s, n));
			return AD_REJECT;
		}
	}
	if (s[0] == '#')
		return AD_SKIP; /* a hosts-style comment, as some DNS lists carry */
	const char *rule = s;
	if (s[0] == '@' && s[1] == '@') {
		r->allow = 1;
		s += 2;
	}
	if (s[0] == '/') {
		snprintf(why, whylen, "not a DNS rule: a regular expression ('%s')",
			 dnsrep_feedp_show(buf, sizeof(buf), rule, n));
		return AD_REJECT;
	}
	if (s[0] != '|' || s[1] != '|') {
		snprintf(why, whylen, "not a DNS rule: only ||name^ rules are supported ('%s')",
			 dnsrep_feedp_show(buf, sizeof(buf), rule, n));
		return AD_REJECT;
	}
	s += 2;
	size_t namelen = strcspn(s, "^$/|");
	char *after = s + namelen;
	if (*after == '/') {
		snprintf(why, whylen, "not a DNS rule: a path rule ('%s')", dnsrep_feedp_show(buf, sizeof(buf), rule, n));
		return AD_REJECT;
	}
	if (memchr(s, '*', namelen)) {
		snprintf(why, whylen, "not a DNS rule: a wildcard pattern ('%s')",
			 dnsrep_feedp_show(buf, sizeof(buf), rule, n));
		return AD_REJECT;
	}
	if (dnsrep_feedp_is_address(s, namelen)) {
		snprintf(why, whylen, "an IP rule ('%s'): AdGuard blocks answers that contain "
			 "this address; dnsrep blocks names only", dnsrep_feedp_show(buf, sizeof(buf), rule, n));
		return AD_REJECT;
	}
	if (*after != '^') {
		snprintf(why, whylen, "not a DNS rule: no '^' after the name, so it would match "
			 "longer names too ('%s')", dnsrep_feedp_show(buf, sizeof(buf), rule, n));
		return AD_REJECT;
	}
	char *caret = after++;
	if (*after == '|')
		after++;
	if (*after == '$') {
		char *mods = after + 1;
		for (;;) {
			char *comma = strchr(mods, ',');
			size_t len = comma ? (size_t)(comma - mods) : strlen(mods);
			mods[len] = '\0';
			char *m = dnsrep_feedp_trim(mods, &len);
			if (len == 0) {
				snprintf(why, whylen, "empty '$' modifier");
				return AD_REJECT;
			}
			if (strcasecmp(m, "important") == 0) {
				r->important = 1;
			} else if (strcasecmp(m, "badfilter") == 0) {
				r->badfilter = 1;
			} else {
				snprintf(why, whylen, "unsupported modifier '$%s': only $important and "
					 "$badfilter have a meaning for DNS", dnsrep_feedp_show(buf, sizeof(buf), m, len));
				return AD_REJECT;
			}
			if (!comma)
				break;
			mods = comma + 1;
		}
	} else if (*after == '/') {
		snprintf(why, whylen, "not a DNS rule: a path rule ('%s')", dnsrep_feedp_show(buf, sizeof(buf), rule, n));
		return AD_REJECT;
	} else if (*after != '\0') {
		snprintf(why, whylen, "not a DNS rule: unexpected text after '^' ('%s')",
			 dnsrep_feedp_show(buf, sizeof(buf), rule, n));
		return AD_REJECT;
	}
	*caret = '\0';
	r->name = s;
	r->namelen = namelen;
	for (size_t i = 0; i < namelen; i++) /* keys compare without case */
		if (s[i] >= 'A' && s[i] <= 'Z')
			s[i] = (char)(s[i] - 'A' + 'a');
	if (namelen > 0 && s[namelen - 1] == '.')
		s[--r->namelen] = '\0';
	return AD_RULE;
}

/*
 * A rule's key: its name decoded as the real pass decodes it (escapes, IDNA, the
 * full stops UTS #46 maps), printed.  Only a rule whose name would be taken has
 * one: a line the real pass rejects — a bad name, a public suffix with everything
 * below it — overrides nothing.
 */
static void adblock_key(const struct parser *p, struct adrule *r)
{
	struct dnsrep_name n;
	char why[DNSREP_ERRLEN];
	r->valid = !dnsrep_feedp_bad_name_char(r->name, r->namelen) &&
		   dnsrep_name_from_text(&n, r->name, r->namelen, why, sizeof(why)) == 0 &&
		   (p->opts->allow_public_suffix || !dnsrep_name_is_public_suffix(&n)) &&
		   dnsrep_name_to_text(n.wire, r->key, sizeof(r->key)) >= 0;
}

static void adset_add(struct adset *set, const struct adrule *r)
{
	if (set->n == set->cap) {
		size_t cap = set->cap ? set->cap * 2 : 64;
		char **k = realloc(set->keys, cap * sizeof(*k));
		if (!k) {
			set->oom = 1;
			return;
		}
		set->keys = k;
		set->cap = cap;
	}
	size_t len = strlen(r->key);
	char *key = malloc(len + 4);
	if (!key) {
		set->oom = 1;
		return;
	}
	key[0] = r->allow ? 'a' : 'b';
	key[1] = r->important ? 'i' : '-';
	key[2] = ' ';
	memcpy(key + 3, r->key, len + 1);
	set->keys[set->n++] = key;
}

static int key_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int adset_has(const struct adset *set, int allow, int important, const char *name)
{
	if (!set->n)
		return 0;
	char key[DNSREP_NAME_MAXTEXT + 8];
	snprintf(key, sizeof(key), "%c%c %s", allow ? 'a' : 'b', important ? 'i' : '-', name);
	const char *k = key;
	return bsearch(&k, set->keys, set->n, sizeof(*set->keys), key_cmp) != NULL;
}

/** Whether the set holds a rule of this kind for name or a name above it. */
static int adset_covers(const struct adset *set, int allow, int important, const char *name)
{
	for (const char *s = name; s; s = strchr(s, '.') ? strchr(s, '.') + 1 : NULL)
		if (*s && adset_has(set, allow, important, s))
			return 1;
	return 0;
}

static void adset_free(struct adset *set)
{
	for (size_t i = 0; i < set->n; i++)
		free(set->keys[i]);
	free(set->keys);
	memset(set, 0, sizeof(*set));
}

static int mem_has_nocase(const char *data, size_t len, const char *word)
{
	size_t w = strlen(word);
	for (size_t i = 0; i + w <= len; i++)
		if (strncasecmp(data + i, word, w) == 0)
			return 1;
	return 0;
}

/** Each line of data, as the line parser sees it (no checks: the real pass rejects). */
void dnsrep_feedp_adblock_prescan(struct parser *p, const char *data, size_t len)
{
	struct adblock_state *a = &p->ad;
	a->prescanned = 1;
	if (!mem_has_nocase(data, len, "@@") && !mem_has_nocase(data, len, "important") &&
	    !mem_has_nocase(data, len, "badfilter"))
		return; /* nothing overrides anything: the rules go in as they are */
	struct adset all = { 0 };
	for (int pass = 0; pass < 2; pass++) {
		for (const char *q = data, *end = data + len; q < end;) {
			const char *nl = memchr(q, '\n', (size_t)(end - q));
			size_t n = (size_t)((nl ? nl : end) - q);
			if (n > 0 && q[n - 1] == '\r')
				n--;
			char line[FEED_LINE_MAX + 1], why[DNSREP_ERRLEN];
			struct adrule r;
			if (n <= FEED_LINE_MAX && !memchr(q, '\0', n)) {
				memcpy(line, q, n);
				line[n] = '\0';
				size_t tl = n;
				char *t = dnsrep_feedp_trim(line, &tl);
				if (adblock_split(t, tl, &r, why, sizeof(why)) == AD_RULE &&
				    (pass == 1 || r.badfilter)) {
					adblock_key(p, &r); /* pass 0 wants only the $badfilter rules */
					if (!r.valid) {
						/* rejected by the real pass: overrides nothing */
					} else if (pass == 0 && r.badfilter) {
						r.badfilter = 0;
						adset_add(&a->cancelled, &r);
					} else if (pass == 1 && !r.badfilter &&
						   !adset_has(&a->cancelled, r.allow, r.important, r.key)) {
						adset_add(&all, &r);
					}
				}
			}
			q = nl ? nl + 1 : end;
		}
		if (pass == 0 && a->cancelled.n)
			qsort(a->cancelled.keys, a->cancelled.n, sizeof(char *), key_cmp);
	}
	if (all.n)
		qsort(all.keys, all.n, sizeof(char *), key_cmp);
	a->rules = all;
	if (a->cancelled.oom || a->rules.oom)
		p->ad_oom = 1;
}

/**
 * Whether a rule is overridden by others of the feed, and how (for nothing but the
 * caller's choice to leave it out): a $badfilter'd rule; an exception under a
 * $important block (unless $important itself); a block under an exception at least
 * as important.
 */
static int adblock_overridden(const struct adblock_state *a, const struct adrule *r)
{
	if (adset_has(&a->cancelled, r->allow, r->important, r->key))
		return 1;
	const struct adset *all = &a->rules;
	if (r->allow)
		return !r->important && adset_covers(all, 0, 1, r->key);
	/* a block: an exception above it wins unless this one is $important and that
	 * one is not; an exception that is itself overridden does not count */
	for (int imp = 1; imp >= r->important; imp--) {
		for (const char *s = r->key; s; s = strchr(s, '.') ? strchr(s, '.') + 1 : NULL) {
			if (!*s || !adset_has(all, 1, imp, s))
				continue;
			if (imp || !adset_covers(all, 0, 1, s))
				return 1;
		}
	}
	return 0;
}

/** "||example.com^", "@@||example.com^", "||example.com^$important", "! comment". */
int dnsrep_feedp_adblock_line(struct parser *p, char *s, size_t n)
{
	char why[DNSREP_ERRLEN];
	struct adrule r;
	s = dnsrep_feedp_trim(s, &n);
	switch (adblock_split(s, n, &r, why, sizeof(why))) {
	case AD_SKIP:
		return 0;
	case AD_REJECT:
		dnsrep_feedp_reject(p, p->line, "%s", why);
		return 0;
	case AD_RULE:
		break;
	}
	adblock_key(p, &r);
	if (r.valid && (r.badfilter || adblock_overridden(&p->ad, &r))) {
		p->st->overridden++;
		return 0;
	}
	/* taken, or rejected with the reason (a rule with an invalid name, $badfilter or
	 * not, is a bad line) */
	return dnsrep_feedp_take_name(p, r.name, r.namelen, DNSREP_SCOPE_SUBTREE, r.allow, NULL);
}

void dnsrep_feedp_adblock_free(struct adblock_state *a)
{
	adset_free(&a->cancelled);
	adset_free(&a->rules);
}
