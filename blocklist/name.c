/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * name.c — domain names in canonical form: parsing, printing, IDNA, public suffixes.
 *
 * Every name the engine holds is uncompressed DNS wire format with ASCII letters
 * folded to lower case (see dnsrep/name.h), so matching compares bytes.  This file
 * is the only way in:
 *
 *   from_text   presentation format from feeds and the command line.  A small
 *               lexer reads one label at a time, resolving \DDD and \X escapes,
 *               and refuses white space, control bytes and invalid UTF-8 with the
 *               label number and an escaped copy of the label in the message.
 *               Labels holding UTF-8 (U-labels) and labels starting "xn--"
 *               (A-labels) go through libidn2 (IDNA2008, UTS #46 mapping,
 *               non-transitional); every other label is taken as octets, since
 *               DNS allows any octet and feeds contain names like _dmarc.x.
 *   from_wire   query names as Unbound hands them over.
 *   to_text     the reverse of from_text, always printable ASCII.
 *   registrable public suffix + 1 through libpsl, loaded once.
 *
 * Where this file does a library's job, and why:
 *  - The UTF-8 check is our own (strict: no overlong forms, surrogates, or code
 *    points above U+10FFFF): libidn2 only reports a generic encoding error, and
 *    we want "label N contains invalid UTF-8" before any library sees the bytes.
 *  - IDNA is applied label by label, not to the whole name, because a name may
 *    mix U-labels with labels holding escaped binary octets that libidn2 cannot
 *    take (a NUL, a dot).  The cost: RFC 5893's Bidi rule, which looks across
 *    labels, is only checked within each label.  UTS #46 maps the ideographic
 *    and full-width full stops to '.', so one U-label may become several labels;
 *    we split libidn2's output on '.' for that.
 *  - An A-label must come back from libidn2 unchanged (libidn2 decodes and
 *    checks it, but we do not rely on it refusing a non-canonical encoding).
 *    UTS #46 without STD3 rules lets '_' into U-labels, so A-labels may hold '_'.
 *  - from_wire takes any label, as queries may hold anything; from_text checks
 *    xn-- labels, so a query name with a bad xn-- label prints as text that
 *    from_text refuses.  Every name from_text accepts prints and parses back.
 *  - libpsl works on text.  A label with an octet outside [a-z0-9_-] (a dot, a
 *    NUL, binary) cannot be handed to it, so we walk the labels ourselves: such
 *    a label is never part of a public suffix, and the registrable domain is the
 *    longest all-text suffix's registrable domain, or that suffix plus one label.
 */
#include "dnsrep_config.h"
#include "dnsrep/err.h"
#include "dnsrep/name.h"
#include "psl.h"

#include <idn2.h>
#include <libpsl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/** Room for one label's octets as written, before IDNA (U-labels are longer). */
#define RAW_LABEL_MAX 1024
/** How many characters of a label an error message quotes. */
#define QUOTE_MAX 32
/** The most labels a wire name can have: 127 one-octet labels and the root. */
#define NAME_MAXLABELS DNSREP_NAME_MAXLABELS

/* ---- errors ------------------------------------------------------------------ */

/**
 * Copy source text into dst for an error message: printable ASCII as it is,
 * everything else (control bytes, '"', non-ASCII) as \DDD, so a message never
 * carries raw control bytes, quotes or bytes a terminal or log might misread.
 * Cut after QUOTE_MAX source bytes with "...".
 */
static void name_quote(char *dst, size_t dstlen, const char *src, size_t n)
{
	size_t o = 0;
	size_t shown = n > QUOTE_MAX ? QUOTE_MAX : n;
	for (size_t i = 0; i < shown && o + 5 < dstlen; i++) {
		unsigned char c = (unsigned char)src[i];
		if (c >= 0x20 && c < 0x7f && c != '"')
			dst[o++] = (char)c;
		else
			o += (size_t)snprintf(dst + o, dstlen - o, "\\%03u", c);
	}
	if (shown < n && o + 4 < dstlen) {
		memcpy(dst + o, "...", 3);
		o += 3;
	}
	if (dstlen > 0)
		dst[o < dstlen ? o : dstlen - 1] = '\0';
}

/* ---- UTF-8 ------------------------------------------------------------------- */

/**
 * The length of the well-formed UTF-8 sequence at s (at most n bytes), or 0 when
 * it is not one: a stray continuation byte, an overlong form, a surrogate, a code
 * point above U+10FFFF, or a sequence cut short.
 */
static size_t name_utf8_sequence(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t need;
	unsigned long cp, min;

	if (c < 0x80)
		return 1;
	if (c < 0xc2)
		return 0; /* continuation byte, or the overlong leads C0 and C1 */
	if (c < 0xe0) {
		need = 2; cp = c & 0x1fu; min = 0x80;
	} else if (c < 0xf0) {
		need = 3; cp = c & 0x0fu; min = 0x800;
	} else if (c < 0xf5) {
		need = 4; cp = c & 0x07u; min = 0x10000;
	} else {
		return 0;
	}
	if (n < need)
		return 0;
	for (size_t i = 1; i < need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3fu);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return need;
}

/* ---- building a wire name ------------------------------------------------------ */

/** A name under construction; copied to the caller only when complete. */
struct name_builder {
	uint8_t wire[DNSREP_NAME_MAXWIRE];
	size_t len;      /**< octets used, the root label not yet written */
	unsigned labels;
};

static int name_is_upper(uint8_t c)
{
	return c >= 'A' && c <= 'Z';
}

static uint8_t name_fold(uint8_t c)
{
	return name_is_upper(c) ? (uint8_t)(c - 'A' + 'a') : c;
}

/** Append a label (folding case); fails when it or the whole name is too long. */
static int name_append(struct name_builder *b, const uint8_t *oct, size_t n,
	unsigned labelno, char *err, size_t errlen)
{
	if (n > DNSREP_LABEL_MAX)
		return dnsrep_err(err, errlen, "label %u longer than 63 octets", labelno);
	/* this label's length octet and octets, then the root label */
	if (b->len + 1 + n + 1 > DNSREP_NAME_MAXWIRE)
		return dnsrep_err(err, errlen, "name longer than 255 octets in wire form");
	b->wire[b->len++] = (uint8_t)n;
	for (size_t i = 0; i < n; i++)
		b->wire[b->len++] = name_fold(oct[i]);
	b->labels++;
	return 0;
}

/** Finish: the root label, then copy out. */
static void name_finish(const struct name_builder *b, struct dnsrep_name *out)
{
	memcpy(out->wire, b->wire, b->len);
	out->wire[b->len] = 0;
	out->len = (uint8_t)(b->len + 1);
	out->labels = (uint8_t)b->labels;
}

/* ---- reading one label of presentation text -------------------------------------- */

/** One label as written, escapes resolved, not yet converted or checked for length. */
struct raw_label {
	char oct[RAW_LABEL_MAX + 1]; /**< NUL after the last octet, for libidn2 */
	size_t n;
	int utf8;    /**< holds a multi-byte UTF-8 character: a U-label */
	int binary;  /**< holds an escaped octet other than a letter, digit, '-' or '_' */
};

static int name_is_plain(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_';
}

static int name_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/** Where the label starting at text[start] ends (at its '.' or at len). */
static size_t name_label_end(const char *text, size_t len, size_t start)
{
	size_t p = start;
	while (p < len && text[p] != '.')
		p += (text[p] == '\\' && p + 1 < len) ? 2 : 1;
	return p < len ? p : len;
}

/** Fail with "label N ("...") <what>", quoting the label's source text. */
static int name_fail_label(const char *text, size_t len, size_t start, unsigned labelno,
	const char *what, char *err, size_t errlen)
{
	char q[QUOTE_MAX * 4 + 8];
	name_quote(q, sizeof(q), text + start, name_label_end(text, len, start) - start);
	return dnsrep_err(err, errlen, "label %u (\"%s\") %s", labelno, q, what);
}

static int name_raw_put(struct raw_label *rl, const char *src, size_t n)
{
	if (rl->n + n > RAW_LABEL_MAX)
		return -1;
	memcpy(rl->oct + rl->n, src, n);
	rl->n += n;
	return 0;
}

/**
 * Read an escape at text[*pos] (the backslash) into rl.  \DDD is exactly three
 * decimal digits up to 255; \X is X itself, a whole UTF-8 character when X
 * starts one.
 */
static int name_read_escape(const char *text, size_t len, size_t start, size_t *pos,
	struct raw_label *rl, unsigned labelno, char *err, size_t errlen)
{
	size_t p = *pos;
	char q[QUOTE_MAX];

	if (p + 1 >= len)
		return dnsrep_err(err, errlen, "label %u: bad escape \"\\\" at the end", labelno);
	if (name_is_digit(text[p + 1])) {
		size_t digits = 0;
		unsigned value = 0;
		while (digits < 3 && p + 1 + digits < len && name_is_digit(text[p + 1 + digits])) {
			value = value * 10 + (unsigned)(text[p + 1 + digits] - '0');
			digits++;
		}
		if (digits < 3 || value > 255) {
			name_quote(q, sizeof(q), text + p, 1 + digits);
			return dnsrep_err(err, errlen, "label %u: bad escape \"%s\"%s", labelno, q,
				digits < 3 ? " (\\DDD needs 3 digits)" : " (over 255)");
		}
		char c = (char)value;
		if (name_raw_put(rl, &c, 1) != 0)
			return dnsrep_err(err, errlen, "label %u longer than 63 octets", labelno);
		if (!name_is_plain((uint8_t)value))
			rl->binary = 1;
		*pos = p + 4;
		return 0;
	}
	size_t seq = name_utf8_sequence((const unsigned char *)text + p + 1, len - p - 1);
	if (seq == 0)
		return name_fail_label(text, len, start, labelno, "contains invalid UTF-8",
			err, errlen);
	if (name_raw_put(rl, text + p + 1, seq) != 0)
		return dnsrep_err(err, errlen, "label %u longer than 63 octets", labelno);
	if (seq > 1)
		rl->utf8 = 1;
	else if (!name_is_plain((uint8_t)text[p + 1]))
		rl->binary = 1;
	*pos = p + 1 + seq;
	return 0;
}

static int name_is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

/**
 * Read the label starting at text[*pos] into rl, up to the next unescaped '.' or
 * the end; *pos is left there.  Checks what can be checked per byte.
 */
static int name_read_label(const char *text, size_t len, size_t *pos, struct raw_label *rl,
	unsigned labelno, char *err, size_t errlen)
{
	size_t start = *pos, p = *pos;

	rl->n = 0;
	rl->utf8 = rl->binary = 0;
	while (p < len && text[p] != '.') {
		unsigned char c = (unsigned char)text[p];
		if (c == '\\') {
			if (name_read_escape(text, len, start, &p, rl, labelno, err, errlen) != 0)
				return -1;
			continue;
		}
		if (name_is_space(c))
			return name_fail_label(text, len, start, labelno, "contains white space",
				err, errlen);
		if (c < 0x20 || c == 0x7f)
			return name_fail_label(text, len, start, labelno, "contains a control byte",
				err, errlen);
		size_t seq = name_utf8_sequence((const unsigned char *)text + p, len - p);
		if (seq == 0)
			return name_fail_label(text, len, start, labelno, "contains invalid UTF-8",
				err, errlen);
		if (name_raw_put(rl, text + p, seq) != 0)
			return dnsrep_err(err, errlen, "label %u longer than 63 octets", labelno);
		if (seq > 1)
			rl->utf8 = 1;
		p += seq;
	}
	rl->oct[rl->n] = '\0';
	*pos = p;
	return 0;
}

/* ---- IDNA --------------------------------------------------------------------- */

/** libidn2's flags: IDNA2008 with UTS #46 mapping, non-transitional (ß stays ß). */
#define NAME_IDN2_FLAGS (IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT)

/** Fail with "label N: invalid IDN label "...": why". */
static int name_fail_idn(const struct raw_label *rl, unsigned labelno, const char *why,
	char *err, size_t errlen)
{
	char q[QUOTE_MAX * 4 + 8];
	name_quote(q, sizeof(q), rl->oct, rl->n);
	return dnsrep_err(err, errlen, "label %u: invalid IDN label \"%s\": %s", labelno, q, why);
}

/** Append libidn2's output, which UTS #46 mapping may have split at dots. */
static int name_append_mapped(struct name_builder *b, const char *ace, unsigned labelno,
	const struct raw_label *rl, char *err, size_t errlen)
{
	const char *p = ace;
	for (;;) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);
		if (n == 0)
			return name_fail_idn(rl, labelno, "maps to an empty label", err, errlen);
		if (name_append(b, (const uint8_t *)p, n, labelno, err, errlen) != 0)
			return -1;
		if (!dot)
			return 0;
		p = dot + 1;
	}
}

/** Convert a U-label to its A-label(s) and append. */
static int name_append_ulabel(struct name_builder *b, const struct raw_label *rl,
	unsigned labelno, char *err, size_t errlen)
{
	uint8_t *ace = NULL;
	int rc;

	if (rl->binary)
		return name_fail_idn(rl, labelno, "escaped octets in a UTF-8 label", err, errlen);
	rc = idn2_lookup_u8((const uint8_t *)rl->oct, &ace, NAME_IDN2_FLAGS);
	if (rc == IDN2_TOO_BIG_LABEL || rc == IDN2_PUNYCODE_BIG_OUTPUT)
		return dnsrep_err(err, errlen, "label %u longer than 63 octets", labelno);
	if (rc == IDN2_TOO_BIG_DOMAIN)
		return dnsrep_err(err, errlen, "name longer than 255 octets in wire form");
	if (rc != IDN2_OK)
		return name_fail_idn(rl, labelno, idn2_strerror(rc), err, errlen);
	if (!ace)
		return dnsrep_err(err, errlen, "out of memory");
	rc = name_append_mapped(b, (const char *)ace, labelno, rl, err, errlen);
	idn2_free(ace);
	return rc;
}

/** Whether a label (as written) starts with the ACE prefix, in any case. */
static int name_has_ace_prefix(const struct raw_label *rl)
{
	return rl->n >= 4 && name_fold((uint8_t)rl->oct[0]) == 'x' &&
	       name_fold((uint8_t)rl->oct[1]) == 'n' && rl->oct[2] == '-' && rl->oct[3] == '-';
}

/** Check an A-label (xn--...) with libidn2: valid Punycode, a valid U-label, canonical. */
static int name_append_alabel(struct name_builder *b, struct raw_label *rl,
	unsigned labelno, char *err, size_t errlen)
{
	uint8_t *ace = NULL;
	int rc;

	for (size_t i = 0; i < rl->n; i++) {
		uint8_t c = (uint8_t)rl->oct[i];
		/* '_' too: without STD3 rules UTS #46 allows it, so a U-label
		 * like "\u00e2_" becomes "xn--_-vfa", which must parse back */
		if (!name_is_plain(c))
			return name_fail_idn(rl, labelno, "not letters, digits, '-' or '_'",
				err, errlen);
	}
	if (rl->n > DNSREP_LABEL_MAX)
		return dnsrep_err(err, errlen, "label %u longer than 63 octets", labelno);
	for (size_t i = 0; i < rl->n; i++)
		rl->oct[i] = (char)name_fold((uint8_t)rl->oct[i]);
	rc = idn2_lookup_u8((const uint8_t *)rl->oct, &ace, NAME_IDN2_FLAGS);
	if (rc != IDN2_OK)
		return name_fail_idn(rl, labelno, idn2_strerror(rc), err, errlen);
	if (!ace)
		return dnsrep_err(err, errlen, "out of memory");
	rc = strcmp((const char *)ace, rl->oct);
	idn2_free(ace);
	if (rc != 0)
		return name_fail_idn(rl, labelno, "not in canonical form", err, errlen);
	return name_append(b, (const uint8_t *)rl->oct, rl->n, labelno, err, errlen);
}

/* ---- presentation format in ---------------------------------------------------- */

/*
 * UTS #46 maps three more full stops to '.', and a label separator must be one
 * before the name is split: U+3002 IDEOGRAPHIC FULL STOP, U+FF0E FULLWIDTH FULL
 * STOP, U+FF61 HALFWIDTH IDEOGRAPHIC FULL STOP (UTF-8 below).  Writes the text with
 * them as '.' into buf and returns its length, or 0 when there is none.
 */
static size_t map_full_stops(const char *text, size_t len, char *buf, size_t buflen)
{
	static const char *const stops[] = { "\xe3\x80\x82", "\xef\xbc\x8e", "\xef\xbd\xa1" };
	int any = 0;
	for (size_t i = 0; i + 2 < len && !any; i++)
		for (size_t k = 0; k < 3; k++)
			if (memcmp(text + i, stops[k], 3) == 0)
				any = 1;
	if (!any || len > buflen)
		return 0;
	size_t n = 0;
	for (size_t i = 0; i < len;) {
		size_t k = 0;
		while (k < 3 && (i + 2 >= len || memcmp(text + i, stops[k], 3) != 0))
			k++;
		if (k < 3 && !(i > 0 && text[i - 1] == '\\')) {
			buf[n++] = '.';
			i += 3;
		} else {
			buf[n++] = text[i++];
		}
	}
	return n;
}

int dnsrep_name_from_text(struct dnsrep_name *out, const char *text, size_t len,
	char *err, size_t errlen)
{
	struct name_builder b = { .len = 0, .labels = 0 };
	struct raw_label rl;
	size_t pos = 0;
	unsigned labelno = 0;
	char mapped[4 * DNSREP_NAME_MAXWIRE + 8];

	if (!text || len == 0)
		return dnsrep_err(err, errlen, "empty name");
	size_t mlen = map_full_stops(text, len, mapped, sizeof(mapped));
	if (mlen) {
		text = mapped;
		len = mlen;
	}
	if (len == 1 && text[0] == '.') {
		name_finish(&b, out);
		return 0;
	}
	for (;;) {
		size_t start = pos;
		int rc;
		labelno++;
		if (name_read_label(text, len, &pos, &rl, labelno, err, errlen) != 0)
			return -1;
		if (pos == start)
			return dnsrep_err(err, errlen, "label %u is empty", labelno);
		if (rl.utf8)
			rc = name_append_ulabel(&b, &rl, labelno, err, errlen);
		else if (name_has_ace_prefix(&rl))
			rc = name_append_alabel(&b, &rl, labelno, err, errlen);
		else
			rc = name_append(&b, (const uint8_t *)rl.oct, rl.n, labelno, err, errlen);
		if (rc != 0)
			return -1;
		if (pos == len)
			break;
		pos++; /* the dot */
		if (pos == len)
			break; /* a trailing dot */
	}
	name_finish(&b, out);
	return 0;
}

/* ---- wire format in ----------------------------------------------------------- */

/** Fold the ASCII capitals of 8 octets at once (bytes over 0x7f stay). */
static inline uint64_t name_fold8(uint64_t w)
{
	const uint64_t hi = 0x8080808080808080ull;
	uint64_t x = w & ~hi;
	uint64_t ge_a = x + 0x3f3f3f3f3f3f3f3full; /* high bit: x >= 'A' */
	uint64_t gt_z = x + 0x2525252525252525ull; /* high bit: x > 'Z' */
	return w | (((ge_a & ~gt_z & ~w) & hi) >> 2);
}

int dnsrep_name_from_wire(struct dnsrep_name *out, const uint8_t *wire, size_t len,
	char *err, size_t errlen)
{
	/* on every query that reaches the lookalike check: the labels walked, then
	 * every octet folded eight at a time (length octets are below 'A') */
	size_t pos = 0;
	unsigned labels = 0;
	if (!wire || len == 0)
		return dnsrep_err(err, errlen, "empty wire name");
	for (;;) {
		if (pos >= len)
			return dnsrep_err(err, errlen, "name runs past its %zu octets", len);
		uint8_t n = wire[pos];
		if (n == 0)
			break;
		if ((n & 0xc0) == 0xc0)
			return dnsrep_err(err, errlen, "label %u is a compression pointer", labels + 1);
		if (n > DNSREP_LABEL_MAX)
			return dnsrep_err(err, errlen, "label %u has unknown type 0x%02x", labels + 1, n);
		if (pos + 1 + n > len)
			return dnsrep_err(err, errlen, "label %u runs past the end of the name", labels + 1);
		/* this label's length octet and octets, then the root label */
		if (pos + 1 + n + 1 > DNSREP_NAME_MAXWIRE)
			return dnsrep_err(err, errlen, "name longer than 255 octets in wire form");
		pos += 1 + (size_t)n;
		labels++;
	}
	size_t i = 0;
	for (; i + 8 <= pos; i += 8) {
		uint64_t w;
		memcpy(&w, wire + i, 8);
		w = name_fold8(w);
		memcpy(out->wire + i, &w, 8);
	}
	for (; i < pos; i++)
		out->wire[i] = name_fold(wire[i]);
	out->wire[pos] = 0;
	out->len = (uint8_t)(pos + 1);
	out->labels = (uint8_t)labels;
	return 0;
}

/* ---- presentation format out --------------------------------------------------- */

/** How many characters an octet takes in presentation format. */
static size_t name_text_width(uint8_t c)
{
	if (name_is_plain(c))
		return 1;
	if (c == '.' || c == '\\')
		return 2;
	return 4;
}

/** Write one octet at buf (room checked by the caller). */
static size_t name_text_put(char *buf, uint8_t c)
{
	if (name_is_plain(c)) {
		buf[0] = (char)c;
		return 1;
	}
	if (c == '.' || c == '\\') {
		buf[0] = '\\';
		buf[1] = (char)c;
		return 2;
	}
	buf[0] = '\\';
	buf[1] = (char)('0' + c / 100);
	buf[2] = (char)('0' + c / 10 % 10);
	buf[3] = (char)('0' + c % 10);
	return 4;
}

int dnsrep_name_to_text(const uint8_t *wire, char *buf, size_t buflen)
{
	size_t o = 0, pos = 0;

	if (!wire || !buf || buflen == 0)
		return -1;
	if (wire[0] == 0) {
		if (buflen < 2)
			return -1;
		memcpy(buf, ".", 2);
		return 1;
	}
	while (wire[pos] != 0) {
		uint8_t n = wire[pos];
		if (n > DNSREP_LABEL_MAX || pos + 1 + n >= DNSREP_NAME_MAXWIRE)
			return -1; /* not a name: refuse rather than read on */
		if (pos > 0) {
			if (o + 1 >= buflen)
				return -1;
			buf[o++] = '.';
		}
		for (size_t i = 1; i <= n; i++) {
			uint8_t c = wire[pos + i];
			if (o + name_text_width(c) >= buflen)
				return -1;
			o += name_text_put(buf + o, c);
		}
		pos += 1 + (size_t)n;
	}
	buf[o] = '\0';
	return (int)o;
}

/* ---- equality ----------------------------------------------------------------- */

int dnsrep_name_equal(const struct dnsrep_name *a, const struct dnsrep_name *b)
{
	return a->len == b->len && memcmp(a->wire, b->wire, a->len) == 0;
}

/* ---- public suffixes ------------------------------------------------------------ */

/*
 * The list is loaded once, on first use, and never changed; the plugin frees it in
 * deinit (dnsrep_name_shutdown), when no thread of its own uses it any more and
 * the library is about to be unloaded, so a reload does not leak a list.  It is
 * dnsrep's own table of the list's text file (psl.c: a few probes a name) when
 * that file can be read, else libpsl's newest list (psl_latest).
 */
static _Atomic(const psl_ctx_t *) name_psl;
static _Atomic(const struct dnsrep_psl *) name_table;
static _Atomic int name_psl_tried;  /**< a load was attempted (even if it found none) */
static int name_psl_owned;          /**< from psl_latest (ours to free), not psl_builtin */
static const char *name_psl_path = DNSREP_PSL_FILE;
static int name_psl_table = 1;      /**< read name_psl_path into a table (else: libpsl) */
static pthread_mutex_t name_psl_lock = PTHREAD_MUTEX_INITIALIZER;

static void name_psl_drop(void)
{
	const psl_ctx_t *p = atomic_load(&name_psl);
	if (p && name_psl_owned)
		psl_free((psl_ctx_t *)p);
	dnsrep_psl_free((struct dnsrep_psl *)atomic_load(&name_table));
	atomic_store(&name_psl, NULL);
	atomic_store(&name_table, NULL);
	atomic_store(&name_psl_tried, 0); /* a later use loads it again */
	name_psl_owned = 0;
}

void dnsrep_name_shutdown(void)
{
	pthread_mutex_lock(&name_psl_lock);
	name_psl_drop();
	pthread_mutex_unlock(&name_psl_lock);
}

void dnsrep_name_psl_use(const char *path, int table)
{
	pthread_mutex_lock(&name_psl_lock);
	name_psl_drop();
	name_psl_path = path;
	name_psl_table = table;
	pthread_mutex_unlock(&name_psl_lock);
}

/** Load the list once: the table, or libpsl's. */
static void name_psl_load(void)
{
	if (atomic_load_explicit(&name_psl_tried, memory_order_acquire))
		return;
	pthread_mutex_lock(&name_psl_lock);
	if (!atomic_load(&name_psl_tried)) {
		char err[DNSREP_ERRLEN];
		const struct dnsrep_psl *t = NULL;
		const psl_ctx_t *p = NULL;
		if (name_psl_table && name_psl_path)
			t = dnsrep_psl_load(name_psl_path, err, sizeof(err));
		if (!t) {
			/* the newer of the system's list (package publicsuffix) and libpsl's own */
			p = name_psl_path && !name_psl_table ? psl_load_file(name_psl_path) : psl_latest(NULL);
			name_psl_owned = p != NULL;
			if (!p)
				p = psl_builtin();
		}
		atomic_store_explicit(&name_table, t, memory_order_release);
		atomic_store_explicit(&name_psl, p, memory_order_release);
		atomic_store_explicit(&name_psl_tried, 1, memory_order_release);
	}
	pthread_mutex_unlock(&name_psl_lock);
}

/** The table, or NULL when libpsl answers. */
static const struct dnsrep_psl *name_table_get(void)
{
	name_psl_load();
	return atomic_load_explicit(&name_table, memory_order_acquire);
}

/** libpsl's list, or NULL when none could be loaded (then only the "*" rule applies). */
static const psl_ctx_t *name_psl_get(void)
{
	name_psl_load();
	return atomic_load_explicit(&name_psl, memory_order_acquire);
}

/** Fill off[] with the offset of each label's length octet; return the count. */
unsigned dnsrep_name_label_offsets(const struct dnsrep_name *n, uint8_t off[DNSREP_NAME_MAXLABELS])
{
	unsigned count = 0;
	size_t pos = 0;
	while (pos < n->len && n->wire[pos] != 0 && count < NAME_MAXLABELS) {
		off[count++] = (uint8_t)pos;
		pos += 1 + (size_t)n->wire[pos];
	}
	return count;
}

/** Whether libpsl can be asked about a label: only [a-z0-9_-]. */
static int name_label_is_psl_text(const uint8_t *label)
{
	for (size_t i = 1; i <= label[0]; i++) {
		uint8_t c = label[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return 0;
	}
	return 1;
}

/**
 * The wire name from wire[0] as a dotted string (no trailing dot).  Only for
 * labels that passed name_label_is_psl_text.  A label starts at the same offset
 * in both forms (its length octet becomes the previous label's dot).
 */
static void name_to_dotted(const uint8_t *wire, char *s)
{
	size_t pos = 0;
	while (wire[pos] != 0) {
		uint8_t n = wire[pos];
		if (pos > 0)
			s[pos - 1] = '.';
		memcpy(s + pos, wire + pos + 1, n);
		pos += 1 + (size_t)n;
	}
	s[pos > 0 ? pos - 1 : 0] = '\0';
}

/** The index of the first label of the longest suffix libpsl can be asked about. */
static unsigned name_text_tail(const struct dnsrep_name *n, const uint8_t *off, unsigned count)
{
	unsigned first = count;
	while (first > 0 && name_label_is_psl_text(n->wire + off[first - 1]))
		first--;
	return first;
}

/** Offset of the registrable domain in the dotted text s, or -1 if s is a suffix. */
static int name_psl_registrable(const char *s, unsigned labels)
{
	const psl_ctx_t *psl = name_psl_get();
	if (!psl) {
		/* no list: the "*" rule, every TLD a public suffix */
		const char *dot = strrchr(s, '.');
		if (labels < 2 || !dot)
			return -1;
		while (dot > s && dot[-1] != '.')
			dot--;
		return (int)(dot - s);
	}
	const char *r = psl_registrable_domain(psl, s);
	return r ? (int)(r - s) : -1;
}

int dnsrep_name_registrable(const struct dnsrep_name *n)
{
	uint8_t off[NAME_MAXLABELS] = { 0 }; /* zeroed for GCC's maybe-uninitialized */
	return dnsrep_name_registrable_at(n, off, dnsrep_name_label_offsets(n, off));
}

int dnsrep_name_registrable_at(const struct dnsrep_name *n, const uint8_t *off, unsigned count)
{
	if (count == 0)
		return -1;
	const struct dnsrep_psl *t = name_table_get();
	if (t) {
		int i = dnsrep_psl_registrable(t, n->wire, off, count);
		return i < 0 ? -1 : (int)off[i];
	}
	unsigned first = name_text_tail(n, off, count);
	char s[DNSREP_NAME_MAXWIRE + 64] = "";
	if (first < count) {
		name_to_dotted(n->wire + off[first], s);
		int r = name_psl_registrable(s, count - first);
		if (r >= 0)
			return (int)off[first] + r;
	}
	/*
	 * The text tail is a public suffix (or empty), and label first-1 is one libpsl
	 * cannot be asked about (bytes outside LDH).  Such a label is no explicit rule,
	 * but it does match a wildcard rule ("*.ck") or the default rule "*" (an
	 * unknown TLD): ask about a stand-in label in its place, and again one label
	 * up, while the result is a public suffix.
	 */
	unsigned k = first;
	const psl_ctx_t *psl = name_psl_get();
	while (psl && k > 0) {
		char probe[sizeof(s)];
		int len = snprintf(probe, sizeof(probe), "dnsrep-stand-in%s%s", s[0] ? "." : "", s);
		if (len < 0 || (size_t)len >= sizeof(probe) ||
		    !psl_is_public_suffix2(psl, probe, PSL_TYPE_ANY))
			break;
		memcpy(s, probe, (size_t)len + 1);
		k--;
	}
	return k > 0 ? (int)off[k - 1] : -1;
}

/**
 * Whether the name is a public suffix (star: the default rule "*" counts).  A
 * leftmost label libpsl cannot be asked about may still be one below a wildcard
 * ("*.ck"): a stand-in label is asked about in its place.  No rule holds such a
 * label, so one further right makes the name no suffix.
 */
static int name_is_suffix(const struct dnsrep_name *n, int star)
{
	uint8_t off[NAME_MAXLABELS] = { 0 }; /* zeroed for GCC's maybe-uninitialized */
	unsigned count = dnsrep_name_label_offsets(n, off);
	if (count == 0)
		return star;
	const struct dnsrep_psl *t = name_table_get();
	if (t)
		return dnsrep_psl_is_suffix(t, n->wire, off, count, star);
	const psl_ctx_t *psl = name_psl_get();
	if (!psl)
		return star && count == 1;
	unsigned first = name_text_tail(n, off, count);
	if (first > 1)
		return 0;
	if (first == 1 && count == 1)
		return star;
	char s[DNSREP_NAME_MAXWIRE + 64];
	size_t at = 0;
	if (first == 1)
		at = (size_t)snprintf(s, sizeof(s), "dnsrep-stand-in.");
	name_to_dotted(n->wire + off[first], s + at);
	return psl_is_public_suffix2(psl, s, PSL_TYPE_ANY | (star ? 0 : PSL_TYPE_NO_STAR_RULE)) ? 1 : 0;
}

int dnsrep_name_is_public_suffix(const struct dnsrep_name *n)
{
	return name_is_suffix(n, 1);
}

int dnsrep_name_is_listed_suffix(const struct dnsrep_name *n)
{
	return name_is_suffix(n, 0);
}
