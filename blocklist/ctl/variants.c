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
 * The techniques are modeled on dnstwist's fuzzers (github.com/elceef/dnstwist),
 * applied to the registrable domain's label (public suffix + 1, libpsl) with the
 * suffix kept: omission, repetition, transposition, replacement and insertion
 * (QWERTY neighbours), bitsquatting, vowel-swap, hyphenation, homoglyph (ASCII
 * look-alikes, and Cyrillic/Greek letters one at a time encoded to xn-- by
 * libidn2), plural, affix (the lookalike detector's default affix words, so the
 * list is the one the resolver matches), tld-swap (the label
 * under common and related public suffixes) and subdomain (a dot inside the
 * label: foxysun.studio.com, and foxysun.studio when the tail is a public suffix).
 * A label that is an A-label (xn--) is decoded first and edited as Unicode.
 *
 * Every candidate goes through dnsrep_name_from_text, must be a host name (LDH
 * labels, no hyphen at either end, "--" in positions 3-4 only for xn--), must be
 * a registrable domain (subdomain candidates excepted), and is kept once, with
 * the first technique that produced it; the domain itself is never listed.
 *
 * --resolve asks NS, A and MX of each candidate through libunbound, at most
 * --concurrency queries in flight (ub_resolve_async, ub_fd + poll, ub_process).
 * A candidate is registered when an answer has data or the name exists (NOERROR),
 * not registered on NXDOMAIN, and unknown (counted) on SERVFAIL, REFUSED or errors.
 * Exit: 0 done (whatever was found), 1 resolver setup errors, 2 usage errors.
 */
#include "dnsrep_config.h"
#include "dnsrep/json.h"
#include "dnsrep/lookalike.h"
#include "dnsrep/name.h"
#include "ctl.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <idn2.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unbound.h>
#include <unistd.h>

/** Code points of a label being edited: a 63-octet label and room for an affix. */
#define LABEL_CP_MAX 96
/** A candidate's text (UTF-8 label, dots, suffix) always fits in this. */
#define CAND_TEXT_MAX 1024
/** Default queries in flight with --resolve. */
#define DEFAULT_CONCURRENCY 32

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

/** An ASCII look-alike: one sequence read as another. */
struct ascii_glyph {
	const char *from, *to;
};

static const struct ascii_glyph ascii_glyphs[] = {
	{ "o", "0" }, { "0", "o" },
	{ "l", "1" }, { "l", "i" }, { "1", "l" }, { "1", "i" }, { "i", "1" }, { "i", "l" },
	{ "m", "rn" }, { "rn", "m" },
	{ "w", "vv" }, { "vv", "w" },
	{ "d", "cl" }, { "cl", "d" },
};

/** Cyrillic and Greek letters that look like a Latin one (substituted one at a time). */
struct idn_glyph {
	char latin;
	uint32_t cp[3]; /**< look-alikes, 0 ends the list */
};

static const struct idn_glyph idn_glyphs[] = {
	{ 'a', { 0x0430, 0x03B1, 0 } }, /* Cyrillic a, Greek alpha */
	{ 'c', { 0x0441, 0x03F2, 0 } }, /* Cyrillic es, Greek lunate sigma */
	{ 'd', { 0x0501, 0, 0 } },      /* Cyrillic komi de */
	{ 'e', { 0x0435, 0, 0 } },      /* Cyrillic ie */
	{ 'h', { 0x04BB, 0, 0 } },      /* Cyrillic shha */
	{ 'i', { 0x0456, 0x03B9, 0 } }, /* Cyrillic byelorussian-ukrainian i, Greek iota */
	{ 'j', { 0x0458, 0, 0 } },      /* Cyrillic je */
	{ 'k', { 0x03BA, 0, 0 } },      /* Greek kappa */
	{ 'l', { 0x04CF, 0, 0 } },      /* Cyrillic palochka */
	{ 'o', { 0x043E, 0x03BF, 0 } }, /* Cyrillic o, Greek omicron */
	{ 'p', { 0x0440, 0x03C1, 0 } }, /* Cyrillic er, Greek rho */
	{ 'q', { 0x051B, 0, 0 } },      /* Cyrillic qa */
	{ 's', { 0x0455, 0, 0 } },      /* Cyrillic dze */
	{ 'u', { 0x03C5, 0, 0 } },      /* Greek upsilon */
	{ 'v', { 0x03BD, 0x0475, 0 } }, /* Greek nu, Cyrillic izhitsa */
	{ 'w', { 0x051D, 0, 0 } },      /* Cyrillic we */
	{ 'x', { 0x0445, 0, 0 } },      /* Cyrillic ha */
	{ 'y', { 0x0443, 0, 0 } },      /* Cyrillic u */
};

/** The suffixes every domain is tried under. */
static const char *const common_suffixes[] = {
	"com", "net", "org", "info", "biz", "co", "io", "app", "dev", "tech", "cloud",
	"online", "site", "xyz", "top", "services", "asia", "us", "uk", "co.uk", "de",
	"cn", "ru", "in", "group", "studio", "llc", "ltd", "solutions",
};

/** Suffixes commonly registered along with a given one. */
struct related_suffixes {
	const char *suffix;
	const char *related[10]; /**< NULL ends the list */
};

static const struct related_suffixes related_suffixes[] = {
	{ "com", { "cc", "me", "ai", "company", "global", "network", NULL } },
	{ "net", { "cc", "me", "network", "host", NULL } },
	{ "org", { "foundation", "ngo", "community", NULL } },
	{ "asia", { "hk", "com.hk", "com.cn", "jp", "kr", "tw", "sg", "com.sg", "my", NULL } },
	{ "cn", { "com.cn", "net.cn", "org.cn", "hk", "com.hk", "tw", NULL } },
	{ "cloud", { "host", "hosting", "systems", "digital", "network", "software", NULL } },
	{ "studio", { "studios", "design", "media", "art", "agency", "digital", "games", NULL } },
	{ "studios", { "design", "media", "art", "agency", "digital", "games", NULL } },
	{ "services", { "company", "consulting", "agency", "business", "work", "works", NULL } },
	{ "solutions", { "company", "consulting", "business", "systems", "software", NULL } },
	{ "tech", { "ai", "systems", "software", "technology", "digital", NULL } },
	{ "io", { "ai", "sh", "so", "software", NULL } },
	{ "app", { "ai", "software", "page", NULL } },
	{ "dev", { "ai", "software", "page", NULL } },
	{ "uk", { "org.uk", "ltd.uk", "plc.uk", "london", NULL } },
	{ "co.uk", { "org.uk", "ltd.uk", "plc.uk", "london", NULL } },
	{ "ru", { "su", "com.ru", "xn--p1ai", "by", "kz", NULL } },
	{ "llc", { "inc", "company", "ltd", NULL } },
	{ "ltd", { "inc", "company", "limited", NULL } },
};

/** Second-level labels tried under a country code (kept when the PSL lists them). */
static const char *const cc_second_levels[] = { "com", "co", "net", "org" };

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

struct cand {
	struct dnsrep_name name;
	const char *technique;
	struct answer ans[Q_COUNT];
	enum existence exists;
};

/** The command's state. */
struct variants {
	struct dnsrep_name input;   /**< as given */
	struct dnsrep_name domain;  /**< its registrable domain */
	char suffix[DNSREP_NAME_MAXTEXT]; /**< the public suffix, as text */
	uint32_t label[LABEL_CP_MAX];     /**< the registrable label, code points */
	size_t label_len;
	struct cand *c;             /**< candidates in generation order */
	size_t n, cap;
	uint32_t *slots;            /**< open addressing: index + 1, 0 empty */
	size_t nslots;
	int nomem;
	size_t dropped;             /**< generated but invalid (not a host name, not registrable, IDNA) */
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
static size_t slot_of(const struct variants *v, const struct dnsrep_name *n)
{
	size_t mask = v->nslots - 1, i = hash_wire(n->wire, n->len) & mask;
	while (v->slots[i] && !dnsrep_name_equal(&v->c[v->slots[i] - 1].name, n))
		i = (i + 1) & mask;
	return i;
}

/** Double the table (or make the first one). */
static int slots_grow(struct variants *v)
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
static void add_text(struct variants *v, const char *technique, const char *text, int subdomain)
{
	struct dnsrep_name n;
	char err[256];
	char *ascii = NULL;
	const char *s = text;
	if (v->nomem)
		return;
	for (const char *p = text; *p; p++) {
		if ((unsigned char)*p >= 0x80) {
			int rc = idn2_to_ascii_8z(text, &ascii, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT);
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
		struct cand *c = realloc(v->c, cap * sizeof(*c));
		if (!c) {
			v->nomem = 1;
			return;
		}
		v->c = c;
		v->cap = cap;
	}
	struct cand *c = &v->c[v->n];
	memset(c, 0, sizeof(*c));
	c->name = n;
	c->technique = technique;
	v->n++;
	v->slots[slot] = (uint32_t)v->n;
}

/** Does not fit (put_utf8, put_cps). */
#define NOFIT ((size_t)-1)

/** Append one code point as UTF-8; returns the new length, or NOFIT when it does not fit. */
static size_t put_utf8(char *buf, size_t pos, size_t cap, uint32_t cp)
{
	unsigned char b[4];
	size_t k;
	if (cp < 0x80) {
		b[0] = (unsigned char)cp;
		k = 1;
	} else if (cp < 0x800) {
		b[0] = (unsigned char)(0xC0 | (cp >> 6));
		b[1] = (unsigned char)(0x80 | (cp & 0x3F));
		k = 2;
	} else if (cp < 0x10000) {
		b[0] = (unsigned char)(0xE0 | (cp >> 12));
		b[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		b[2] = (unsigned char)(0x80 | (cp & 0x3F));
		k = 3;
	} else {
		b[0] = (unsigned char)(0xF0 | (cp >> 18));
		b[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
		b[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		b[3] = (unsigned char)(0x80 | (cp & 0x3F));
		k = 4;
	}
	if (pos == NOFIT || pos + k >= cap)
		return NOFIT;
	memcpy(buf + pos, b, k);
	return pos + k;
}

/** Write code points as UTF-8 at buf[pos]; returns the new length, NOFIT when it does not fit. */
static size_t put_cps(char *buf, size_t pos, size_t cap, const uint32_t *cp, size_t n)
{
	for (size_t i = 0; i < n && pos != NOFIT; i++)
		pos = put_utf8(buf, pos, cap, cp[i]);
	return pos;
}

/** Add label.suffix for an edited label (code points). */
static void add_label(struct variants *v, const char *technique, const uint32_t *cp, size_t n)
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
static void add_suffix(struct variants *v, const char *suffix)
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
static void add_splice(struct variants *v, const char *technique, size_t at, size_t cut,
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

static void tech_tld_swap(struct variants *v)
{
	for (size_t i = 0; i < sizeof(common_suffixes) / sizeof(*common_suffixes); i++)
		add_suffix(v, common_suffixes[i]);
	for (size_t i = 0; i < sizeof(related_suffixes) / sizeof(*related_suffixes); i++) {
		if (strcmp(related_suffixes[i].suffix, v->suffix) != 0)
			continue;
		for (const char *const *r = related_suffixes[i].related; *r; r++)
			add_suffix(v, *r);
	}
	/* a country code (cc, or xx.cc): the bare code and its usual second levels */
	const char *dot = strrchr(v->suffix, '.');
	const char *cc = dot ? dot + 1 : v->suffix;
	if (strlen(cc) == 2) {
		char s[16];
		add_suffix(v, cc);
		for (size_t i = 0; i < sizeof(cc_second_levels) / sizeof(*cc_second_levels); i++) {
			snprintf(s, sizeof(s), "%s.%s", cc_second_levels[i], cc);
			add_suffix(v, s);
		}
	}
}

static void tech_homoglyph(struct variants *v)
{
	const uint32_t *l = v->label;
	size_t n = v->label_len;
	/* ASCII look-alikes, one occurrence at a time */
	for (size_t g = 0; g < sizeof(ascii_glyphs) / sizeof(*ascii_glyphs); g++) {
		const char *from = ascii_glyphs[g].from, *to = ascii_glyphs[g].to;
		size_t fl = strlen(from), tl = strlen(to);
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
	/* an IDN label of look-alikes: all of them back to Latin (xn--80ak6aa92e -> apple) */
	uint32_t skel[LABEL_CP_MAX];
	size_t mapped = 0;
	for (size_t i = 0; i < n; i++) {
		skel[i] = l[i];
		for (size_t g = 0; g < sizeof(idn_glyphs) / sizeof(*idn_glyphs); g++)
			for (size_t k = 0; k < 3 && idn_glyphs[g].cp[k]; k++)
				if (l[i] == idn_glyphs[g].cp[k]) {
					skel[i] = (unsigned char)idn_glyphs[g].latin;
					mapped++;
				}
	}
	if (mapped > 1)
		add_label(v, "homoglyph", skel, n);
	/* Cyrillic and Greek look-alikes, one letter at a time, and back to Latin */
	for (size_t i = 0; i < n; i++) {
		for (size_t g = 0; g < sizeof(idn_glyphs) / sizeof(*idn_glyphs); g++) {
			for (size_t k = 0; k < 3 && idn_glyphs[g].cp[k]; k++) {
				if (l[i] == (unsigned char)idn_glyphs[g].latin)
					add_splice(v, "homoglyph", i, 1, &idn_glyphs[g].cp[k], 1);
				else if (l[i] == idn_glyphs[g].cp[k]) {
					uint32_t latin = (unsigned char)idn_glyphs[g].latin;
					add_splice(v, "homoglyph", i, 1, &latin, 1);
				}
			}
		}
	}
}

static void tech_plural(struct variants *v)
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

static void tech_vowel_swap(struct variants *v)
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

static void tech_transposition(struct variants *v)
{
	for (size_t i = 0; i + 1 < v->label_len; i++) {
		if (v->label[i] == v->label[i + 1])
			continue;
		uint32_t sw[2] = { v->label[i + 1], v->label[i] };
		add_splice(v, "transposition", i, 2, sw, 2);
	}
}

static void tech_omission(struct variants *v)
{
	for (size_t i = 0; i < v->label_len; i++)
		add_splice(v, "omission", i, 1, NULL, 0);
}

static void tech_repetition(struct variants *v)
{
	for (size_t i = 0; i < v->label_len; i++)
		if (v->label[i] != '-')
			add_splice(v, "repetition", i, 0, &v->label[i], 1);
}

static void tech_hyphenation(struct variants *v)
{
	uint32_t h = '-';
	for (size_t i = 1; i < v->label_len; i++)
		add_splice(v, "hyphenation", i, 0, &h, 1);
}

static void tech_replacement(struct variants *v)
{
	for (size_t i = 0; i < v->label_len; i++)
		for (const char *k = qwerty_neighbours(v->label[i]); *k; k++) {
			uint32_t c = (unsigned char)*k;
			add_splice(v, "replacement", i, 1, &c, 1);
		}
}

static void tech_insertion(struct variants *v)
{
	for (size_t i = 0; i < v->label_len; i++)
		for (const char *k = qwerty_neighbours(v->label[i]); *k; k++) {
			uint32_t c = (unsigned char)*k;
			add_splice(v, "insertion", i, 0, &c, 1);     /* before the key */
			add_splice(v, "insertion", i + 1, 0, &c, 1); /* after it */
		}
}

static void tech_bitsquatting(struct variants *v)
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
static void tech_affix(struct variants *v)
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

/** Whether a suffix is one of the tables' (common or related). */
static int is_known_suffix(const char *s)
{
	for (size_t i = 0; i < sizeof(common_suffixes) / sizeof(*common_suffixes); i++)
		if (strcmp(common_suffixes[i], s) == 0)
			return 1;
	for (size_t i = 0; i < sizeof(related_suffixes) / sizeof(*related_suffixes); i++)
		for (const char *const *r = related_suffixes[i].related; *r; r++)
			if (strcmp(*r, s) == 0)
				return 1;
	return 0;
}

static void tech_subdomain(struct variants *v)
{
	const uint32_t *l = v->label;
	for (size_t i = 1; i < v->label_len; i++) {
		char text[CAND_TEXT_MAX];
		if (l[i - 1] == '-' || l[i] == '-')
			continue;
		size_t pos = put_cps(text, 0, sizeof(text), l, i);
		pos = put_utf8(text, pos, sizeof(text), '.');
		pos = put_cps(text, pos, sizeof(text), l + i, v->label_len - i);
		if (pos == NOFIT || pos + 1 + strlen(v->suffix) + 1 > sizeof(text))
			continue;
		text[pos] = 0;
		/* foxysun.studio: the tail read as a public suffix (only the known ones:
		 * the Public Suffix List's "*" rule makes any unknown word one) */
		if (is_known_suffix(strchr(text, '.') + 1))
			add_text(v, "subdomain", text, 0);
		/* foxysun.studio.com: a subdomain of studio.com */
		text[pos] = '.';
		strcpy(text + pos + 1, v->suffix);
		add_text(v, "subdomain", text, 1);
	}
}

/** Generate every candidate, specific techniques first (the first to produce a name names it). */
static void generate(struct variants *v)
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
	tech_subdomain(v);
}

/* ---- the input -------------------------------------------------------------------- */

/** Decode UTF-8 (from libidn2, so valid) into code points; returns the count or -1. */
static int utf8_decode(const char *s, uint32_t *out, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;
	while (*p) {
		uint32_t cp;
		int more;
		if (*p < 0x80) { cp = *p; more = 0; }
		else if ((*p & 0xE0) == 0xC0) { cp = *p & 0x1F; more = 1; }
		else if ((*p & 0xF0) == 0xE0) { cp = *p & 0x0F; more = 2; }
		else if ((*p & 0xF8) == 0xF0) { cp = *p & 0x07; more = 3; }
		else return -1;
		p++;
		for (int k = 0; k < more; k++, p++) {
			if ((*p & 0xC0) != 0x80)
				return -1;
			cp = (cp << 6) | (*p & 0x3F);
		}
		if (n == max)
			return -1;
		out[n++] = cp;
	}
	return (int)n;
}

/**
 * Parse DOMAIN: its registrable domain, the label (decoded when it is an A-label)
 * and the suffix.  Returns 0, -1 with the message in err, -2 when out of memory.
 */
static int take_input(struct variants *v, const char *text, char *err, size_t errlen)
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
			n = utf8_decode(u, v->label, LABEL_CP_MAX);
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
			dnsrep_name_to_text(v->c[q->cand].name.wire, name, sizeof(name));
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
	dnsrep_name_to_text(c->name.wire, name, sizeof(name));
	if (json) {
		dnsrep_buf_puts(o, "{");
		dnsrep_json_kv(o, "name", name);
		dnsrep_buf_puts(o, ",");
		dnsrep_json_kv(o, "technique", c->technique);
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
		snprintf(line, sizeof(line), "%-11s %-14s %s", word, c->technique, name);
	} else {
		snprintf(line, sizeof(line), "%-14s %s", c->technique, name);
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
	free(v->slots);
	free(v);
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
	struct dnsrep_buf out = { 0 };
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
	int t = take_input(v, argv[optind], err, sizeof(err));
	if (t == -2) {
		fprintf(stderr, "dnsrepctl variants: out of memory\n");
		goto out;
	}
	if (t < 0) {
		fprintf(stderr, "dnsrepctl variants: %s\n", err);
		rc = 2;
		goto out;
	}

	generate(v);
	if (v->nomem) {
		fprintf(stderr, "dnsrepctl variants: out of memory\n");
		goto out;
	}
	if (limit && v->n > limit)
		v->n = limit; /* nothing past n holds memory yet */

	size_t nreg = 0, nunknown = 0;
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
	if (out.failed) {
		fprintf(stderr, "dnsrepctl variants: out of memory\n");
		goto out;
	}
	fwrite(out.data ? out.data : "", 1, out.len, stdout);
	if (fflush(stdout) != 0) {
		fprintf(stderr, "dnsrepctl variants: writing: %s\n", strerror(errno));
		goto out;
	}
	if (resolve)
		fprintf(stderr, "%zu candidates, %zu registered, %zu unknown\n", v->n, nreg, nunknown);
	else
		fprintf(stderr, "%zu candidates\n", v->n);
	rc = 0;
	goto out;
usage_error:
	usage(stderr);
	rc = 2;
out:
	dnsrep_buf_free(&out);
	variants_free(v);
	return rc;
}
