/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * variants.c — a domain's lookalike candidates, the way typosquatters make
 * them (see dnsrep/variants.h).  `dnsrepctl variants` lists them; the tests
 * check that the detector catches every one whose technique it claims.
 *
 * The techniques are modeled on dnstwist's fuzzers (github.com/elceef/dnstwist),
 * applied to the registrable domain's label (public suffix + 1, libpsl) with the
 * suffix kept: omission, repetition, transposition, replacement and insertion
 * (QWERTY neighbours), bitsquatting, vowel-swap, hyphenation, homoglyph (the
 * ASCII classes and every Unicode look-alike of confusable.c — the detector's
 * own table — one letter at a time, encoded to xn-- by libidn2), plural, affix
 * (the detector's default affix words), tld-swap, dot-insertion (a dot inside the
 * label: foxysun.studio.com) and tld-split (the tail read as the suffix:
 * foxysun.studio).  A label that is
 * an A-label (xn--) is decoded first and edited as Unicode.
 *
 * The suffixes are not chosen per name: tld-swap tries the generic TLDs with the
 * most registrations and the ccTLDs sold as generic ones (SWAP_SUFFIXES), the
 * suffix with an "s" added or dropped (studio <-> studios, game <-> games) and,
 * under a country code, the bare code and its com/co/net/org second levels —
 * each kept only when the Public Suffix List lists it (not by its "*" rule).
 *
 * Every candidate goes through dnsrep_name_from_text, must be a host name (LDH
 * labels, no hyphen at either end, "--" in positions 3-4 only for xn--), must be
 * a registrable domain (dot-insertion candidates excepted), and is kept once, with
 * the first technique that produced it; the domain itself is never listed.
 */
#include "dnsrep/confusable.h"
#include "dnsrep/lookalike.h"
#include "dnsrep/name.h"
#include "dnsrep/variants.h"

#include <idn2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/** Code points of a label being edited: a 63-octet label and room for an affix. */
#define LABEL_CP_MAX 96
/** A candidate's text (UTF-8 label, dots, suffix) always fits in this. */
#define CAND_TEXT_MAX 1024
/** Does not fit. */
#define NOFIT DNSREP_UTF8_NOFIT

/* ---- the tables ----------------------------------------------------------------- */

/** QWERTY neighbours (dnstwist's keyboard map), indexed by the key. */
static const char *qwerty_neighbours(uint32_t c)
{
	static const char *const digits[10] = {
		"po9", "2q", "3wq1", "4ew2", "5re3", "6tr4", "7yt5", "8uy6", "9iu7", "0oi8",
	};
	static const char *const letters[26] = {
		"qwsz", "vghn", "xdfv", "rfcxse", "4rdsw3", "tgvcdr", "yhbvft", "ujnbgy",
		"9okju8", "ikmnhu", "olmji", "kop", "njk", "bhjm", "0plki9", "lo0",
		"12wa", "5tfde4", "edxzaw", "6ygfr5", "8ijhy7", "cfgb", "3esaq2", "zsdc",
		"7uhgt6", "asx",
	};
	if (c >= '0' && c <= '9')
		return digits[c - '0'];
	if (c >= 'a' && c <= 'z')
		return letters[c - 'a'];
	return "";
}

/**
 * The suffixes every domain is tried under: the generic TLDs with the most
 * registered names (com, net, org, info, xyz, top, online, site, shop, store,
 * biz) and the ccTLDs marketed as generic (co, io, me, cc, app is a gTLD).  The
 * same for every name: no entry was chosen for a name the project protects.
 */
static const char *const swap_suffixes[] = {
	"com", "net", "org", "info", "biz", "xyz", "top", "online", "site", "shop", "store",
	"app", "co", "io", "me", "cc",
};

/** Second-level labels tried under a country code (kept when the PSL lists them). */
static const char *const cc_second_levels[] = { "com", "co", "net", "org" };

/* ---- candidates ------------------------------------------------------------------ */

struct dnsrep_variants {
	struct dnsrep_name input;   /**< as given */
	struct dnsrep_name domain;  /**< its registrable domain */
	char suffix[DNSREP_NAME_MAXTEXT]; /**< the public suffix, as text */
	uint32_t label[LABEL_CP_MAX];     /**< the registrable label, code points */
	size_t label_len;
	struct dnsrep_variant *c;   /**< candidates in generation order */
	size_t n, cap;
	uint32_t *slots;            /**< open addressing: index + 1, 0 empty */
	size_t nslots;
	int nomem;
	size_t dropped;             /**< generated but invalid (not a host name, not registrable, IDNA) */
};

static uint32_t hash_wire(const uint8_t *w, size_t len)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < len; i++) {
		h ^= w[i];
		h *= 16777619u;
	}
	return h;
}

/** Find a name in the table: the slot holding it, or the empty slot where it goes. */
static size_t slot_of(const struct dnsrep_variants *v, const struct dnsrep_name *n)
{
	size_t mask = v->nslots - 1, i = hash_wire(n->wire, n->len) & mask;
	while (v->slots[i] && !dnsrep_name_equal(&v->c[v->slots[i] - 1].name, n))
		i = (i + 1) & mask;
	return i;
}

/** Double the table (or make the first one). */
static int slots_grow(struct dnsrep_variants *v)
{
	size_t nslots = v->nslots ? v->nslots * 2 : 1024;
	uint32_t *old = v->slots;
	size_t oldn = v->nslots;
	v->slots = calloc(nslots, sizeof(*v->slots));
	if (!v->slots) {
		v->slots = old;
		return -1;
	}
	v->nslots = nslots;
	for (size_t i = 0; i < oldn; i++)
		if (old[i])
			v->slots[slot_of(v, &v->c[old[i] - 1].name)] = old[i];
	free(old);
	return 0;
}

/** Whether each label of a canonical name is a host name label. */
static int is_host_name(const struct dnsrep_name *n)
{
	size_t pos = 0;
	while (pos < n->len && n->wire[pos] != 0) {
		size_t len = n->wire[pos];
		const uint8_t *l = n->wire + pos + 1;
		if (l[0] == '-' || l[len - 1] == '-')
			return 0;
		for (size_t i = 0; i < len; i++)
			if (!((l[i] >= 'a' && l[i] <= 'z') || (l[i] >= '0' && l[i] <= '9') || l[i] == '-'))
				return 0;
		/* "ab--" labels are reserved for IDNA prefixes; only xn-- is real */
		if (len >= 4 && l[2] == '-' && l[3] == '-' && !(l[0] == 'x' && l[1] == 'n'))
			return 0;
		pos += 1 + len;
	}
	return 1;
}

/**
 * Add a candidate given as text (UTF-8 labels allowed): encode it with libidn2,
 * parse and check it, and keep it unless it is the domain itself or known.
 * subdomain: the candidate need not be a registrable domain itself.
 */
static void add_text(struct dnsrep_variants *v, const char *technique, const char *text, int subdomain)
{
	struct dnsrep_name n;
	char err[256];
	char *ascii = NULL;
	const char *s = text;
	if (v->nomem)
		return;
	for (const char *p = text; *p; p++) {
		if ((unsigned char)*p >= 0x80) {
			/* no UTS #46 mapping: a look-alike must be encoded as it is, not lower-cased
			 * into another character */
			int rc = idn2_to_ascii_8z(text, &ascii, IDN2_NFC_INPUT | IDN2_NO_TR46);
			if (rc != IDN2_OK) {
				if (rc == IDN2_MALLOC)
					v->nomem = 1;
				v->dropped++;
				return;
			}
			s = ascii;
			break;
		}
	}
	int bad = dnsrep_name_from_text(&n, s, strlen(s), err, sizeof(err)) < 0;
	idn2_free(ascii);
	if (bad || n.labels == 0 || !is_host_name(&n)) {
		v->dropped++;
		return;
	}
	int reg = dnsrep_name_registrable(&n);
	if (subdomain ? reg < 0 : reg != 0) {
		v->dropped++;
		return;
	}
	if (dnsrep_name_equal(&n, &v->domain) || dnsrep_name_equal(&n, &v->input))
		return;
	if ((v->n + 1) * 2 > v->nslots && slots_grow(v) < 0) {
		v->nomem = 1;
		return;
	}
	size_t slot = slot_of(v, &n);
	if (v->slots[slot])
		return; /* the first technique that produced it keeps it */
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 256;
		struct dnsrep_variant *c = realloc(v->c, cap * sizeof(*c));
		if (!c) {
			v->nomem = 1;
			return;
		}
		v->c = c;
		v->cap = cap;
	}
	struct dnsrep_variant *c = &v->c[v->n];
	memset(c, 0, sizeof(*c));
	c->name = n;
	c->technique = technique;
	v->n++;
	v->slots[slot] = (uint32_t)v->n;
}

/** Write code points as UTF-8 at buf[pos]; returns the new length, NOFIT when it does not fit. */
static size_t put_cps(char *buf, size_t pos, size_t cap, const uint32_t *cp, size_t n)
{
	for (size_t i = 0; i < n && pos != NOFIT; i++)
		pos = dnsrep_utf8_put(buf, pos, cap, cp[i]);
	return pos;
}

/** Add label.suffix for an edited label (code points). */
static void add_label(struct dnsrep_variants *v, const char *technique, const uint32_t *cp, size_t n)
{
	char text[CAND_TEXT_MAX];
	if (n == 0)
		return;
	size_t pos = put_cps(text, 0, sizeof(text), cp, n);
	if (pos == NOFIT || pos + 1 + strlen(v->suffix) + 1 > sizeof(text)) {
		v->dropped++;
		return;
	}
	text[pos++] = '.';
	strcpy(text + pos, v->suffix);
	add_text(v, technique, text, 0);
}

/** Add the label (unchanged) under another suffix. */
static void add_suffix(struct dnsrep_variants *v, const char *suffix)
{
	char text[CAND_TEXT_MAX];
	size_t pos = put_cps(text, 0, sizeof(text), v->label, v->label_len);
	if (pos == NOFIT || pos + 1 + strlen(suffix) + 1 > sizeof(text))
		return;
	text[pos++] = '.';
	strcpy(text + pos, suffix);
	add_text(v, "tld-swap", text, 0);
}

/* ---- the techniques ------------------------------------------------------------ */

/** The label with code points [at, at+cut) replaced by ins[0..nins). */
static void add_splice(struct dnsrep_variants *v, const char *technique, size_t at, size_t cut,
	const uint32_t *ins, size_t nins)
{
	uint32_t w[LABEL_CP_MAX];
	const uint32_t *l = v->label;
	size_t n = v->label_len;
	if (at + cut > n || n - cut + nins > LABEL_CP_MAX)
		return;
	memcpy(w, l, at * sizeof(*w));
	if (nins)
		memcpy(w + at, ins, nins * sizeof(*w));
	memcpy(w + at + nins, l + at + cut, (n - at - cut) * sizeof(*w));
	add_label(v, technique, w, n - cut + nins);
}

/** Add the label under suffix when the Public Suffix List lists it. */
static void add_listed_suffix(struct dnsrep_variants *v, const char *suffix)
{
	struct dnsrep_name n;
	if (dnsrep_name_from_text(&n, suffix, strlen(suffix), NULL, 0) == 0 &&
	    dnsrep_name_is_listed_suffix(&n))
		add_suffix(v, suffix);
}

static void tech_tld_swap(struct dnsrep_variants *v)
{
	char s[DNSREP_NAME_MAXTEXT + 2];
	for (size_t i = 0; i < sizeof(swap_suffixes) / sizeof(*swap_suffixes); i++)
		add_suffix(v, swap_suffixes[i]);
	/* the suffix's last label with an "s" added or dropped: studio <-> studios */
	const char *dot = strrchr(v->suffix, '.');
	const char *tld = dot ? dot + 1 : v->suffix;
	size_t tl = strlen(tld), head = (size_t)(tld - v->suffix);
	if (tl > 2 && tld[tl - 1] == 's')
		snprintf(s, sizeof(s), "%.*s%.*s", (int)head, v->suffix, (int)(tl - 1), tld);
	else
		snprintf(s, sizeof(s), "%ss", v->suffix);
	add_listed_suffix(v, s);
	/* a country code (cc, or xx.cc): the bare code and its usual second levels */
	if (tl == 2) {
		add_suffix(v, tld);
		for (size_t i = 0; i < sizeof(cc_second_levels) / sizeof(*cc_second_levels); i++) {
			snprintf(s, sizeof(s), "%s.%s", cc_second_levels[i], tld);
			add_listed_suffix(v, s);
		}
	}
}

/** Replace each occurrence of from (ASCII) in the label by to, one at a time. */
static void swap_ascii(struct dnsrep_variants *v, const char *from, const char *to)
{
	const uint32_t *l = v->label;
	size_t fl = strlen(from), tl = strlen(to), n = v->label_len;
	uint32_t ins[2];
	for (size_t k = 0; k < tl; k++)
		ins[k] = (unsigned char)to[k];
	for (size_t i = 0; i + fl <= n; i++) {
		size_t k = 0;
		while (k < fl && l[i + k] == (unsigned char)from[k])
			k++;
		if (k == fl)
			add_splice(v, "homoglyph", i, fl, ins, tl);
	}
}

static void tech_homoglyph(struct dnsrep_variants *v)
{
	const uint32_t *l = v->label;
	size_t n = v->label_len, na;
	/* the ASCII classes: any member for any other (0/o, 1/i/l, rn/m, vv/w, cl/d) */
	const struct dnsrep_ascii_confusable *a = dnsrep_confusable_ascii(&na);
	for (size_t i = 0; i < na; i++) {
		swap_ascii(v, a[i].from, a[i].to);
		swap_ascii(v, a[i].to, a[i].from);
		for (size_t j = 0; j < na; j++) /* two members folding to the same octet */
			if (j != i && strcmp(a[i].to, a[j].to) == 0)
				swap_ascii(v, a[i].from, a[j].from);
	}
	/* an IDN label: all of it back to Latin, then each letter back alone */
	uint32_t skel[LABEL_CP_MAX];
	size_t mapped = 0;
	for (size_t i = 0; i < n; i++) {
		const char *to = l[i] >= 0x80 ? dnsrep_confusable_of(l[i]) : NULL;
		skel[i] = to && !to[1] ? (unsigned char)to[0] : l[i];
		if (skel[i] != l[i]) {
			mapped++;
			add_splice(v, "homoglyph", i, 1, &skel[i], 1);
		}
	}
	if (mapped > 1)
		add_label(v, "homoglyph", skel, n);
	/* each Latin letter replaced by each of its look-alikes, one at a time */
	for (size_t i = 0; i < n; i++) {
		uint32_t alike[256];
		if (l[i] < 'a' || l[i] > 'z')
			continue;
		size_t m = dnsrep_confusable_lookalikes((char)l[i], alike, 256);
		for (size_t k = 0; k < m; k++)
			add_splice(v, "homoglyph", i, 1, &alike[k], 1);
	}
}

static void tech_plural(struct dnsrep_variants *v)
{
	size_t n = v->label_len;
	uint32_t s = 's';
	if (n > 1 && v->label[n - 1] == 's')
		add_splice(v, "plural", n - 1, 1, NULL, 0);
	else
		add_splice(v, "plural", n, 0, &s, 1);
}

static int is_vowel(uint32_t c)
{
	return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
}

static void tech_vowel_swap(struct dnsrep_variants *v)
{
	static const uint32_t vowels[] = { 'a', 'e', 'i', 'o', 'u' };
	for (size_t i = 0; i < v->label_len; i++) {
		if (!is_vowel(v->label[i]))
			continue;
		for (size_t k = 0; k < 5; k++)
			if (vowels[k] != v->label[i])
				add_splice(v, "vowel-swap", i, 1, &vowels[k], 1);
	}
}

static void tech_transposition(struct dnsrep_variants *v)
{
	for (size_t i = 0; i + 1 < v->label_len; i++) {
		if (v->label[i] == v->label[i + 1])
			continue;
		uint32_t sw[2] = { v->label[i + 1], v->label[i] };
		add_splice(v, "transposition", i, 2, sw, 2);
	}
}

static void tech_omission(struct dnsrep_variants *v)
{
	for (size_t i = 0; i < v->label_len; i++)
		add_splice(v, "omission", i, 1, NULL, 0);
}

static void tech_repetition(struct dnsrep_variants *v)
{
	for (size_t i = 0; i < v->label_len; i++)
		if (v->label[i] != '-')
			add_splice(v, "repetition", i, 0, &v->label[i], 1);
}

static void tech_hyphenation(struct dnsrep_variants *v)
{
	uint32_t h = '-';
	for (size_t i = 1; i < v->label_len; i++)
		add_splice(v, "hyphenation", i, 0, &h, 1);
}

static void tech_replacement(struct dnsrep_variants *v)
{
	for (size_t i = 0; i < v->label_len; i++)
		for (const char *k = qwerty_neighbours(v->label[i]); *k; k++) {
			uint32_t c = (unsigned char)*k;
			add_splice(v, "replacement", i, 1, &c, 1);
		}
}

static void tech_insertion(struct dnsrep_variants *v)
{
	for (size_t i = 0; i < v->label_len; i++)
		for (const char *k = qwerty_neighbours(v->label[i]); *k; k++) {
			uint32_t c = (unsigned char)*k;
			add_splice(v, "insertion", i, 0, &c, 1);     /* before the key */
			add_splice(v, "insertion", i + 1, 0, &c, 1); /* after it */
		}
}

static void tech_bitsquatting(struct dnsrep_variants *v)
{
	for (size_t i = 0; i < v->label_len; i++) {
		if (v->label[i] >= 0x80)
			continue;
		for (unsigned bit = 0; bit < 8; bit++) {
			uint32_t c = v->label[i] ^ (1u << bit);
			if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')
				add_splice(v, "bitsquatting", i, 1, &c, 1);
		}
	}
}

/* the lookalike detector's affix words: the siblings it would catch */
static void tech_affix(struct dnsrep_variants *v)
{
	size_t n_words;
	const char *const *words = dnsrep_lookalike_default_affixes(&n_words);
	for (size_t i = 0; i < n_words; i++) {
		uint32_t w[LABEL_CP_MAX];
		const char *a = words[i];
		size_t al = strlen(a), n = v->label_len;
		if (n + al + 1 > LABEL_CP_MAX)
			continue;
		for (int hyphen = 0; hyphen <= 1; hyphen++) {
			size_t m = 0;
			for (size_t k = 0; k < al; k++)
				w[m++] = (unsigned char)a[k];
			if (hyphen)
				w[m++] = '-';
			memcpy(w + m, v->label, n * sizeof(*w));
			add_label(v, "affix", w, m + n);
			memcpy(w, v->label, n * sizeof(*w));
			m = n;
			if (hyphen)
				w[m++] = '-';
			for (size_t k = 0; k < al; k++)
				w[m++] = (unsigned char)a[k];
			add_label(v, "affix", w, m);
		}
	}
}

static void tech_dot_split(struct dnsrep_variants *v)
{
	const uint32_t *l = v->label;
	for (size_t i = 1; i < v->label_len; i++) {
		char text[CAND_TEXT_MAX];
		if (l[i - 1] == '-' || l[i] == '-')
			continue;
		size_t pos = put_cps(text, 0, sizeof(text), l, i);
		pos = dnsrep_utf8_put(text, pos, sizeof(text), '.');
		pos = put_cps(text, pos, sizeof(text), l + i, v->label_len - i);
		if (pos == NOFIT || pos + 1 + strlen(v->suffix) + 1 > sizeof(text))
			continue;
		text[pos] = 0;
		/* foxysun.studio: the tail read as a public suffix (only the ones the
		 * Public Suffix List lists: its "*" rule makes any unknown word one) */
		struct dnsrep_name tail;
		const char *t = strchr(text, '.') + 1;
		if (dnsrep_name_from_text(&tail, t, strlen(t), NULL, 0) == 0 &&
		    dnsrep_name_is_listed_suffix(&tail))
			add_text(v, "tld-split", text, 0);
		/* foxysun.studio.com: a dot inserted (a subdomain of studio.com) */
		text[pos] = '.';
		strcpy(text + pos + 1, v->suffix);
		add_text(v, "dot-insertion", text, 1);
	}
}

/** Generate every candidate, specific techniques first (the first to produce a name names it). */
static void generate(struct dnsrep_variants *v)
{
	tech_tld_swap(v);
	tech_homoglyph(v);
	tech_plural(v);
	tech_vowel_swap(v);
	tech_transposition(v);
	tech_omission(v);
	tech_repetition(v);
	tech_hyphenation(v);
	tech_replacement(v);
	tech_insertion(v);
	tech_bitsquatting(v);
	tech_affix(v);
	tech_dot_split(v);
}

/* ---- the input -------------------------------------------------------------------- */

/**
 * Parse DOMAIN: its registrable domain, the label (decoded when it is an A-label)
 * and the suffix.  Returns 0, -1 with the message in err, -2 when out of memory.
 */
static int take_input(struct dnsrep_variants *v, const char *text, char *err, size_t errlen)
{
	char e[256];
	if (dnsrep_name_from_text(&v->input, text, strlen(text), e, sizeof(e)) < 0) {
		snprintf(err, errlen, "invalid domain \"%s\": %s", text, e);
		return -1;
	}
	int reg = dnsrep_name_registrable(&v->input);
	if (v->input.labels == 0 || reg < 0) {
		snprintf(err, errlen, "\"%s\" is a public suffix, not a domain", text);
		return -1;
	}
	const uint8_t *w = v->input.wire + reg;
	size_t rest = v->input.len - (size_t)reg;
	memcpy(v->domain.wire, w, rest);
	v->domain.len = (uint8_t)rest;
	v->domain.labels = 0;
	for (size_t p = 0; w[p]; p += 1 + (size_t)w[p])
		v->domain.labels++;

	size_t ll = w[0];
	char label[DNSREP_LABEL_MAX + 1];
	memcpy(label, w + 1, ll);
	label[ll] = 0;
	for (size_t i = 0; i < ll; i++) {
		unsigned char c = (unsigned char)label[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
			snprintf(err, errlen, "\"%s\": the label \"%s\" is not a host name label "
				 "(letters, digits, hyphens)", text, label);
			return -1;
		}
	}
	if (dnsrep_name_to_text(w + 1 + ll, v->suffix, sizeof(v->suffix)) < 0) {
		snprintf(err, errlen, "\"%s\": cannot write its suffix", text);
		return -1;
	}
	int n = -1;
	if (strncmp(label, "xn--", 4) == 0) {
		char *u = NULL;
		int rc = idn2_to_unicode_8z8z(label, &u, 0);
		if (rc == IDN2_MALLOC)
			return -2;
		if (rc == IDN2_OK)
			n = dnsrep_utf8_decode(u, v->label, LABEL_CP_MAX);
		idn2_free(u);
	}
	if (n < 0) {
		n = (int)ll;
		for (size_t i = 0; i < ll; i++)
			v->label[i] = (unsigned char)label[i];
	}
	v->label_len = (size_t)n;
	return 0;
}

/* ---- the interface ---------------------------------------------------------------- */

int dnsrep_variants_generate(const char *domain, struct dnsrep_variants **out, char *err, size_t errlen)
{
	struct dnsrep_variants *v = calloc(1, sizeof(*v));
	*out = NULL;
	if (!v)
		return -2;
	int rc = take_input(v, domain, err, errlen);
	if (rc == 0) {
		generate(v);
		if (v->nomem)
			rc = -2;
	}
	if (rc == -2)
		snprintf(err, errlen, "out of memory");
	if (rc < 0) {
		dnsrep_variants_free(v);
		return rc;
	}
	*out = v;
	return 0;
}

size_t dnsrep_variants_count(const struct dnsrep_variants *v)
{
	return v->n;
}

const struct dnsrep_variant *dnsrep_variants_get(const struct dnsrep_variants *v, size_t i)
{
	return i < v->n ? &v->c[i] : NULL;
}

size_t dnsrep_variants_dropped(const struct dnsrep_variants *v)
{
	return v->dropped;
}

const struct dnsrep_name *dnsrep_variants_domain(const struct dnsrep_variants *v)
{
	return &v->domain;
}

enum dnsrep_technique dnsrep_variant_detected_as(const char *technique)
{
	static const struct { const char *gen; enum dnsrep_technique det; } map[] = {
		{ "tld-swap", DNSREP_LOOKALIKE_TLD_SWAP }, { "homoglyph", DNSREP_LOOKALIKE_HOMOGLYPH },
		{ "affix", DNSREP_LOOKALIKE_AFFIX }, { "plural", DNSREP_LOOKALIKE_TYPO },
		{ "vowel-swap", DNSREP_LOOKALIKE_TYPO }, { "transposition", DNSREP_LOOKALIKE_TYPO },
		{ "omission", DNSREP_LOOKALIKE_TYPO }, { "repetition", DNSREP_LOOKALIKE_TYPO },
		{ "hyphenation", DNSREP_LOOKALIKE_TYPO }, { "replacement", DNSREP_LOOKALIKE_TYPO },
		{ "insertion", DNSREP_LOOKALIKE_TYPO }, { "bitsquatting", DNSREP_LOOKALIKE_TYPO },
		{ "dot-insertion", DNSREP_LOOKALIKE_DOT_INSERTION },
		{ "tld-split", DNSREP_LOOKALIKE_TLD_SPLIT },
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i].gen, technique) == 0)
			return map[i].det;
	return DNSREP_LOOKALIKE_NONE;
}

void dnsrep_variants_free(struct dnsrep_variants *v)
{
	if (!v)
		return;
	free(v->c);
	free(v->slots);
	free(v);
}
