/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * confusable.c — characters that look alike: the one table the lookalike
 * detector (lookalike.c) folds names with and the variants generator
 * (variants.c, `dnsrepctl variants`) draws lookalikes from; and the small
 * Unicode tools both need (Punycode decoding, UTF-8).  See dnsrep/confusable.h.
 *
 * The Unicode part is a curated subset of Unicode TR39's confusables.txt
 * (Cyrillic, Greek, Armenian letters whose skeleton is a Latin letter) plus
 * Latin letters with marks folded to their base letter (TR39 keeps the marks;
 * in a domain name a mark is easily missed).  A library could do this: ICU's
 * uspoof_getSkeleton (libicu-dev) implements TR39 in full.  It is not used
 * because it allocates internally (UnicodeString), pulls in ICU's 30 MB data
 * library for one function, maps to other canonical forms (m -> rn, marks
 * kept), and the resolver's check must stay allocation-free.  Punycode: our own
 * RFC 3492 decoder, as libidn2's decoder is not public API and its
 * idn2_to_unicode_* allocate.
 */
#include "dnsrep/confusable.h"

#include <string.h>

/* ---- ASCII look-alikes --------------------------------------------------------------- */

/*
 * The ASCII classes: 0 and o look alike; 1, i and l; rn and m; vv and w; cl
 * and d.  One list, in two parts: single octets that fold to another, and
 * pairs that merge into one octet.  The skeleton compiles them into a table of
 * 256 octets and a test of three pairs (a check must stay cheap); the generator
 * swaps any two members of a class.  (Each X gets the argument z, for the
 * table's constant expressions below.)
 */
#define ASCII_FOLDS(X, z) X(z, '0', 'o') X(z, '1', 'l') X(z, 'i', 'l')
#define ASCII_MERGES(X, z) X(z, 'r', 'n', 'm') X(z, 'v', 'v', 'w') X(z, 'c', 'l', 'd')

#define FOLD_ENTRY(z, a, b) { { a, 0 }, { b, 0 } },
#define MERGE_ENTRY(z, a, b, c) { { a, b, 0 }, { c, 0 } },
static const struct dnsrep_ascii_confusable ascii_confusables[] = {
	ASCII_FOLDS(FOLD_ENTRY, 0) ASCII_MERGES(MERGE_ENTRY, 0)
};
#define N_ASCII (sizeof(ascii_confusables) / sizeof(ascii_confusables[0]))

const struct dnsrep_ascii_confusable *dnsrep_confusable_ascii(size_t *n)
{
	*n = N_ASCII;
	return ascii_confusables;
}

/* ---- Unicode look-alikes ------------------------------------------------------------ */

/** A range of code points and the Latin octets each maps to. */
struct confusable {
	uint32_t lo, hi;
	char to[3];
};

/*
 * Sorted by lo, ranges disjoint.  Latin letters with marks fold to the base
 * letter; the Cyrillic, Greek and Armenian entries are those of TR39's
 * confusables.txt (or close: ε -> e, γ -> y, η -> n, υ -> u, ω -> w) whose
 * skeleton is a Latin letter.  Upper case is included for xn-- labels that
 * were not produced by IDNA (which would have folded it).
 */
static const struct confusable confusables[] = {
	{ 0x00C0, 0x00C5, "a" }, { 0x00C6, 0x00C6, "ae" }, { 0x00C7, 0x00C7, "c" },
	{ 0x00C8, 0x00CB, "e" }, { 0x00CC, 0x00CF, "i" }, { 0x00D0, 0x00D0, "d" },
	{ 0x00D1, 0x00D1, "n" }, { 0x00D2, 0x00D6, "o" }, { 0x00D8, 0x00D8, "o" },
	{ 0x00D9, 0x00DC, "u" }, { 0x00DD, 0x00DD, "y" }, { 0x00DF, 0x00DF, "ss" },
	{ 0x00E0, 0x00E5, "a" }, { 0x00E6, 0x00E6, "ae" }, { 0x00E7, 0x00E7, "c" },
	{ 0x00E8, 0x00EB, "e" }, { 0x00EC, 0x00EF, "i" }, { 0x00F0, 0x00F0, "d" },
	{ 0x00F1, 0x00F1, "n" }, { 0x00F2, 0x00F6, "o" }, { 0x00F8, 0x00F8, "o" },
	{ 0x00F9, 0x00FC, "u" }, { 0x00FD, 0x00FD, "y" }, { 0x00FF, 0x00FF, "y" },
	/* Latin Extended-A */
	{ 0x0100, 0x0105, "a" }, { 0x0106, 0x010D, "c" }, { 0x010E, 0x0111, "d" },
	{ 0x0112, 0x011B, "e" }, { 0x011C, 0x0123, "g" }, { 0x0124, 0x0127, "h" },
	{ 0x0128, 0x0131, "i" }, { 0x0132, 0x0133, "ij" }, { 0x0134, 0x0135, "j" },
	{ 0x0136, 0x0138, "k" }, { 0x0139, 0x0142, "l" }, { 0x0143, 0x014B, "n" },
	{ 0x014C, 0x0151, "o" }, { 0x0152, 0x0153, "oe" }, { 0x0154, 0x0159, "r" },
	{ 0x015A, 0x0161, "s" }, { 0x0162, 0x0167, "t" }, { 0x0168, 0x0173, "u" },
	{ 0x0174, 0x0175, "w" }, { 0x0176, 0x0178, "y" }, { 0x0179, 0x017E, "z" },
	{ 0x017F, 0x017F, "f" },
	/* Latin Extended-B and IPA: the common look-alikes */
	{ 0x0180, 0x0180, "b" }, { 0x0188, 0x0188, "c" }, { 0x018C, 0x018C, "d" },
	{ 0x0192, 0x0192, "f" }, { 0x0199, 0x0199, "k" }, { 0x019A, 0x019A, "l" },
	{ 0x01A1, 0x01A1, "o" }, { 0x01B0, 0x01B0, "u" }, { 0x01B4, 0x01B4, "y" },
	{ 0x01B6, 0x01B6, "z" }, { 0x01CE, 0x01CE, "a" }, { 0x01D0, 0x01D0, "i" },
	{ 0x01D2, 0x01D2, "o" }, { 0x01D4, 0x01D4, "u" }, { 0x0219, 0x0219, "s" },
	{ 0x021B, 0x021B, "t" }, { 0x0251, 0x0251, "a" }, { 0x0261, 0x0261, "g" },
	{ 0x0269, 0x0269, "i" },
	/* Greek */
	{ 0x0390, 0x0390, "i" }, { 0x0391, 0x0391, "a" }, { 0x0392, 0x0392, "b" },
	{ 0x0395, 0x0395, "e" }, { 0x0396, 0x0396, "z" }, { 0x0397, 0x0397, "h" },
	{ 0x0399, 0x0399, "l" }, { 0x039A, 0x039A, "k" }, { 0x039C, 0x039C, "m" },
	{ 0x039D, 0x039D, "n" }, { 0x039F, 0x039F, "o" }, { 0x03A1, 0x03A1, "p" },
	{ 0x03A4, 0x03A4, "t" }, { 0x03A5, 0x03A5, "y" }, { 0x03A7, 0x03A7, "x" },
	{ 0x03AC, 0x03AC, "a" }, { 0x03AD, 0x03AD, "e" }, { 0x03AE, 0x03AE, "n" },
	{ 0x03AF, 0x03AF, "i" }, { 0x03B0, 0x03B0, "u" }, { 0x03B1, 0x03B1, "a" },
	{ 0x03B2, 0x03B2, "b" }, { 0x03B3, 0x03B3, "y" }, { 0x03B5, 0x03B5, "e" },
	{ 0x03B7, 0x03B7, "n" }, { 0x03B9, 0x03B9, "i" }, { 0x03BA, 0x03BA, "k" },
	{ 0x03BD, 0x03BD, "v" }, { 0x03BF, 0x03BF, "o" }, { 0x03C1, 0x03C1, "p" },
	{ 0x03C3, 0x03C3, "o" }, { 0x03C4, 0x03C4, "t" }, { 0x03C5, 0x03C5, "u" },
	{ 0x03C7, 0x03C7, "x" }, { 0x03C9, 0x03C9, "w" }, { 0x03CA, 0x03CA, "i" },
	{ 0x03CB, 0x03CB, "u" }, { 0x03CC, 0x03CC, "o" }, { 0x03CD, 0x03CD, "u" },
	{ 0x03CE, 0x03CE, "w" }, { 0x03F2, 0x03F2, "c" }, { 0x03F3, 0x03F3, "j" },
	/* Cyrillic */
	{ 0x0405, 0x0405, "s" }, { 0x0406, 0x0406, "l" }, { 0x0408, 0x0408, "j" },
	{ 0x0410, 0x0410, "a" }, { 0x0412, 0x0412, "b" }, { 0x0415, 0x0415, "e" },
	{ 0x041A, 0x041A, "k" }, { 0x041C, 0x041C, "m" }, { 0x041D, 0x041D, "h" },
	{ 0x041E, 0x041E, "o" }, { 0x0420, 0x0420, "p" }, { 0x0421, 0x0421, "c" },
	{ 0x0422, 0x0422, "t" }, { 0x0423, 0x0423, "y" }, { 0x0425, 0x0425, "x" },
	{ 0x0430, 0x0430, "a" }, { 0x0433, 0x0433, "r" }, { 0x0435, 0x0435, "e" },
	{ 0x043A, 0x043A, "k" }, { 0x043E, 0x043E, "o" }, { 0x043F, 0x043F, "n" },
	{ 0x0440, 0x0440, "p" }, { 0x0441, 0x0441, "c" }, { 0x0443, 0x0443, "y" },
	{ 0x0445, 0x0445, "x" }, { 0x044C, 0x044C, "b" }, { 0x0450, 0x0451, "e" },
	{ 0x0454, 0x0454, "e" }, { 0x0455, 0x0455, "s" }, { 0x0456, 0x0457, "i" },
	{ 0x0458, 0x0458, "j" }, { 0x045B, 0x045B, "h" }, { 0x045C, 0x045C, "k" },
	{ 0x045E, 0x045E, "y" }, { 0x0461, 0x0461, "w" }, { 0x0475, 0x0475, "v" },
	{ 0x04AB, 0x04AB, "c" }, { 0x04AF, 0x04AF, "y" }, { 0x04BB, 0x04BB, "h" },
	{ 0x04BD, 0x04BD, "e" }, { 0x04C0, 0x04C0, "l" }, { 0x04CF, 0x04CF, "l" },
	{ 0x04D1, 0x04D1, "a" }, { 0x04D3, 0x04D3, "a" }, { 0x04D5, 0x04D5, "ae" },
	{ 0x04D7, 0x04D7, "e" }, { 0x04E7, 0x04E7, "o" }, { 0x04E9, 0x04E9, "o" },
	{ 0x0501, 0x0501, "d" }, { 0x051B, 0x051B, "q" }, { 0x051D, 0x051D, "w" },
	/* Armenian */
	{ 0x0561, 0x0561, "w" }, { 0x0563, 0x0563, "q" }, { 0x0566, 0x0566, "q" },
	{ 0x0570, 0x0570, "h" }, { 0x0578, 0x0578, "n" }, { 0x057C, 0x057C, "n" },
	{ 0x057D, 0x057D, "u" }, { 0x0581, 0x0581, "g" }, { 0x0584, 0x0584, "f" },
	{ 0x0585, 0x0585, "o" },
	/* Latin Extended Additional: dotted and hooked letters (Vietnamese and others) */
	{ 0x1E01, 0x1E01, "a" }, { 0x1E03, 0x1E03, "b" }, { 0x1E0B, 0x1E0B, "d" },
	{ 0x1E0D, 0x1E0D, "d" }, { 0x1E1F, 0x1E1F, "f" }, { 0x1E25, 0x1E25, "h" },
	{ 0x1E37, 0x1E37, "l" }, { 0x1E41, 0x1E41, "m" }, { 0x1E43, 0x1E43, "m" },
	{ 0x1E45, 0x1E45, "n" }, { 0x1E47, 0x1E47, "n" }, { 0x1E57, 0x1E57, "p" },
	{ 0x1E59, 0x1E59, "r" }, { 0x1E5B, 0x1E5B, "r" }, { 0x1E61, 0x1E61, "s" },
	{ 0x1E63, 0x1E63, "s" }, { 0x1E6B, 0x1E6B, "t" }, { 0x1E6D, 0x1E6D, "t" },
	{ 0x1E7D, 0x1E7D, "v" }, { 0x1E81, 0x1E89, "w" }, { 0x1E8B, 0x1E8D, "x" },
	{ 0x1E8F, 0x1E8F, "y" }, { 0x1E93, 0x1E93, "z" }, { 0x1EA1, 0x1EB7, "a" },
	{ 0x1EB9, 0x1EC7, "e" }, { 0x1EC9, 0x1ECB, "i" }, { 0x1ECD, 0x1EE3, "o" },
	{ 0x1EE5, 0x1EF1, "u" }, { 0x1EF3, 0x1EF9, "y" },
};

#define N_CONFUSABLES (sizeof(confusables) / sizeof(confusables[0]))

const char *dnsrep_confusable_of(uint32_t cp)
{
	size_t lo = 0, hi = N_CONFUSABLES;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (cp < confusables[mid].lo)
			hi = mid;
		else if (cp > confusables[mid].hi)
			lo = mid + 1;
		else
			return confusables[mid].to;
	}
	return NULL;
}

size_t dnsrep_confusable_lookalikes(char latin, uint32_t *out, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < N_CONFUSABLES; i++) {
		if (confusables[i].to[0] != latin || confusables[i].to[1] != 0)
			continue;
		for (uint32_t cp = confusables[i].lo; cp <= confusables[i].hi && n < max; cp++)
			out[n++] = cp;
	}
	return n;
}

/* ---- Punycode and UTF-8 ---------------------------------------------------------------- */

/** RFC 3492 bias adaptation. */
static uint32_t puny_adapt(uint32_t delta, uint32_t numpoints, int first)
{
	uint32_t k = 0;
	delta = first ? delta / 700 : delta / 2;
	delta += delta / numpoints;
	while (delta > ((36 - 1) * 26) / 2) {
		delta /= 36 - 1;
		k += 36;
	}
	return k + (36 * delta) / (delta + 38);
}

int dnsrep_punycode_decode(const uint8_t *in, size_t len, uint32_t *out, size_t outmax)
{
	size_t nout = 0, start = 0;
	for (size_t j = len; j > 0; j--)
		if (in[j - 1] == '-') {
			if (j - 1 > outmax)
				return -1;
			for (size_t b = 0; b < j - 1; b++) {
				if (in[b] >= 0x80)
					return -1;
				out[nout++] = in[b];
			}
			start = j;
			break;
		}
	uint64_t n = 128, i = 0;
	uint32_t bias = 72;
	for (size_t pos = start; pos < len;) {
		uint64_t oldi = i, w = 1;
		for (uint32_t k = 36;; k += 36) {
			if (pos >= len)
				return -1;
			uint8_t c = in[pos++];
			uint32_t digit;
			if (c >= 'a' && c <= 'z')
				digit = c - 'a';
			else if (c >= 'A' && c <= 'Z')
				digit = c - 'A';
			else if (c >= '0' && c <= '9')
				digit = c - '0' + 26;
			else
				return -1;
			i += digit * w;
			if (i > 0xffffffffull)
				return -1;
			uint32_t t = k <= bias ? 1 : k >= bias + 26 ? 26 : k - bias;
			if (digit < t)
				break;
			w *= 36 - t;
			if (w > 0xffffffffull)
				return -1;
		}
		bias = puny_adapt((uint32_t)(i - oldi), (uint32_t)nout + 1, oldi == 0);
		n += i / (nout + 1);
		i %= nout + 1;
		if (n > 0x10FFFF || (n >= 0xD800 && n <= 0xDFFF) || nout >= outmax)
			return -1;
		memmove(out + i + 1, out + i, (nout - (size_t)i) * sizeof(*out));
		out[i] = (uint32_t)n;
		nout++;
		i++;
	}
	return (int)nout;
}

size_t dnsrep_utf8_put(char *buf, size_t pos, size_t cap, uint32_t cp)
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
	if (pos == DNSREP_UTF8_NOFIT || pos + k >= cap)
		return DNSREP_UTF8_NOFIT;
	memcpy(buf + pos, b, k);
	return pos + k;
}

int dnsrep_utf8_decode(const char *s, uint32_t *out, size_t max)
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

/* ---- skeletons ------------------------------------------------------------------------ */

/** ASCII lower case of one octet. */
static inline uint8_t lower(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
}

/** An xn-- label mapped to Latin: decoded and mapped, or as it is when it is no A-label.  Returns the length. */
static size_t skeleton_map(const uint8_t *label, size_t len, char *buf, size_t cap)
{
	uint32_t cps[DNSREP_LABEL_MAX];
	int m = dnsrep_punycode_decode(label + 4, len - 4, cps, DNSREP_LABEL_MAX);
	int wide = 0;
	for (int j = 0; j < m; j++)
		wide |= cps[j] >= 0x80;
	size_t k = 0;
	if (!wide) { /* an A-label always holds a non-ASCII character; else it is no A-label */
		for (size_t j = 0; j < len; j++)
			buf[k++] = (char)lower(label[j]);
		return k;
	}
	for (int j = 0; j < m; j++) {
		uint32_t cp = cps[j];
		if (cp >= 0xFF01 && cp <= 0xFF5E) /* full-width ASCII */
			cp -= 0xFEE0;
		if (cp < 0x80) {
			buf[k++] = (char)lower((uint8_t)cp);
			continue;
		}
		const char *to = dnsrep_confusable_of(cp);
		if (to) {
			for (; *to; to++)
				buf[k++] = *to;
		} else {
			k = dnsrep_utf8_put(buf, k, cap, cp); /* 63 code points of 4 octets fit */
		}
	}
	return k;
}

/*
 * What an octet becomes in a skeleton, for every octet: lower case, then the
 * single-octet folds; SKEL_DROP (0, as the NUL octet) for the hyphen.  And which
 * octets end a pair.
 */
#define SKEL_DROP 0
#define SKEL_LOWER(c) ((c) >= 'A' && (c) <= 'Z' ? (c) + 32 : (c))
#define SKEL_FOLD_T(c, a, b) SKEL_LOWER(c) == (a) ? (b) :
#define SKEL_OF(c) (uint8_t)((c) == '-' ? SKEL_DROP : (ASCII_FOLDS(SKEL_FOLD_T, c) SKEL_LOWER(c)))
#define SKEL_ENDS_T(c, a, b, m) SKEL_OF(c) == (b) ? 1 :
#define SKEL_ENDS(c) (uint8_t)(ASCII_MERGES(SKEL_ENDS_T, c) 0)
#define SKEL_T4(f, i) f(i), f(i + 1), f(i + 2), f(i + 3)
#define SKEL_T16(f, i) SKEL_T4(f, i), SKEL_T4(f, i + 4), SKEL_T4(f, i + 8), SKEL_T4(f, i + 12)
#define SKEL_T64(f, i) SKEL_T16(f, i), SKEL_T16(f, i + 16), SKEL_T16(f, i + 32), SKEL_T16(f, i + 48)
#define SKEL_T256(f) SKEL_T64(f, 0), SKEL_T64(f, 64), SKEL_T64(f, 128), SKEL_T64(f, 192)
static const uint8_t skel_of[256] = { SKEL_T256(SKEL_OF) };
static const uint8_t skel_ends_pair[256] = { SKEL_T256(SKEL_ENDS) };
#define MERGE_TEST(z, a, b, c_) p == a && c == b ? c_ :

int dnsrep_confusable_skeleton(const uint8_t *label, size_t len, char *out, size_t outlen)
{
	char mapped[DNSREP_SKELETON_MAX];
	const uint8_t *src = label;
	size_t m = len;
	if (len > DNSREP_LABEL_MAX || outlen == 0)
		return -1;
	if (len > 4 && lower(label[0]) == 'x' && lower(label[1]) == 'n' && label[2] == '-' &&
	    label[3] == '-') {
		m = skeleton_map(label, len, mapped, sizeof(mapped));
		src = (const uint8_t *)mapped;
	}
	/* one pass: lower case, hyphens out, the single-octet folds, and the pairs
	 * merged greedily from the left (a merged octet starts no pair, so merging
	 * with the last octet written is the same) */
	size_t k = 0;
	for (size_t j = 0; j < m; j++) {
		uint8_t c = skel_of[src[j]];
		if (c == SKEL_DROP || skel_ends_pair[c]) { /* rare: the hyphen, n, v, l */
			if (c == SKEL_DROP && src[j] == '-') /* a NUL octet stays */
				continue;
			if (k > 0) {
				uint8_t p = (uint8_t)out[k - 1];
				uint8_t merged = ASCII_MERGES(MERGE_TEST, 0) 0;
				if (merged) {
					out[k - 1] = (char)merged;
					continue;
				}
			}
		}
		if (k + 1 >= outlen)
			return -1;
		out[k++] = (char)c;
	}
	out[k] = '\0';
	return (int)k;
}
