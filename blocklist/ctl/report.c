/*
 * report.c — `dnsrepctl report`: what the block logs say.
 *
 *   dnsrepctl report [--since DURATION|TIMESTAMP] [--client CIDR] [--rule NAME]
 *                    [--json] [--top N] [FILE...]
 *
 * Reads block logs (JSON Lines, as blocklog.c writes them; rotated and gzipped
 * files too) and prints what an admin asks first: how many lookups were
 * blocked, logged or exempt, per feed and per rule, which clients asked most and
 * for what, first and last seen, and counts per hour.  Damaged lines are
 * counted, the first few named as FILE:LINE: reason, and skipped; the rest of
 * the file still counts.
 *
 * How: one pass over every file.  Each file is read through zlib (gzopen/gzread
 * read plain files transparently, so one code path serves .jsonl and .jsonl.2.gz)
 * in 1 MiB chunks; lines are cut with memchr and scanned in place.  Strings are
 * used where they lie in the read buffer and only decoded (into a per-line
 * scratch buffer) when they hold escapes.  Clients, rules, feeds and categories
 * are interned into open-addressing hash tables whose values are the counters
 * themselves; (rule, feed), (client, rule) and hours are keyed by integers in a
 * second kind of table.  Nothing is allocated per line: memory grows only with
 * the number of distinct keys.
 *
 * Why a small JSON scanner was written here instead of using a JSON library:
 * the log's shape is fixed — one flat object per line whose values are strings,
 * numbers, null or arrays of strings — and reading a 1 GB log is dominated by
 * parsing.  A general library (json-c, jansson) builds a tree of allocated
 * nodes per line, which would dominate the time, and would add a dependency for
 * one command.  The scanner below is strict (a line is either valid JSON or
 * counted as damaged), skips keys it does not know (any valid JSON value, nested
 * at most 32 deep) so that new fields in the log do not break old reports, and
 * only decodes the fields the report uses.  This is a "wrote something a
 * library could do" decision, recorded deliberately.
 *
 * Filters: --since and --client/--rule select lookups; drop events
 * ({"event":"dropped","count":N}) are resolver-wide, so only --since applies to
 * them.
 */
#include "dnsrep_config.h"
#include "dnsrep/config.h"
#include "dnsrep/duration.h"
#include "dnsrep/json.h"
#include "dnsrep/store.h"
#include "dnsrep/store_config.h"
#include "ctl.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <zlib.h>

/** The log read when no FILE is given. */
#define REPORT_DEFAULT_LOG "/var/log/unbound/dnsrep-blocks.jsonl"
/** Lines longer than this (newline excluded) are damaged. */
#define REPORT_MAX_LINE (64 * 1024)
/** Bytes asked of gzread at a time. */
#define REPORT_CHUNK (1024 * 1024)
/** Damaged lines named on stderr; the rest are only counted. */
#define REPORT_DAMAGED_SHOWN 5
/** Rows per table when --top is not given. */
#define REPORT_TOP_DEFAULT 10
/** Rules listed per client in the top clients table. */
#define REPORT_CLIENT_RULES 3
/** How deep unknown values may nest. */
#define REPORT_MAX_DEPTH 32
/** Filters of one kind (--client, --rule) that may be given. */
#define REPORT_MAX_FILTERS 64

#define MS_PER_HOUR INT64_C(3600000)

/* ---- hashing ---------------------------------------------------------------- */

static uint64_t mix64(uint64_t h)
{
	h ^= h >> 33;
	h *= UINT64_C(0xff51afd7ed558ccd);
	h ^= h >> 33;
	h *= UINT64_C(0xc4ceb9fe1a85ec53);
	h ^= h >> 33;
	return h;
}

/** A 64-bit hash of n bytes, eight at a time. */
static uint64_t hash_bytes(const char *s, size_t n)
{
	uint64_t h = UINT64_C(0x9e3779b97f4a7c15) ^ n;
	while (n >= 8) {
		uint64_t w;
		memcpy(&w, s, 8);
		h ^= w * UINT64_C(0x87c37b91114253d5);
		h = ((h << 31) | (h >> 33)) * UINT64_C(0x4cf5ad432745937f);
		s += 8;
		n -= 8;
	}
	if (n) {
		uint64_t w = 0;
		memcpy(&w, s, n);
		h ^= w * UINT64_C(0x87c37b91114253d5);
		h = ((h << 31) | (h >> 33)) * UINT64_C(0x4cf5ad432745937f);
	}
	return mix64(h);
}

/* ---- growing a dense array -------------------------------------------------- */

/** Make room for `need` elements of `size` bytes in *arr (new ones zeroed); -1 when out of memory. */
static int grow(void *arrp, size_t *cap, size_t need, size_t size)
{
	void **arr = arrp;
	if (need <= *cap)
		return 0;
	size_t ncap = *cap ? *cap : 16;
	while (ncap < need)
		ncap *= 2;
	if (ncap > SIZE_MAX / size)
		return -1;
	char *p = realloc(*arr, ncap * size);
	if (!p)
		return -1;
	memset(p + *cap * size, 0, (ncap - *cap) * size);
	*arr = p;
	*cap = ncap;
	return 0;
}

/* ---- an arena for interned strings ------------------------------------------ */

#define ARENA_CHUNK (64 * 1024)

struct arena_chunk {
	struct arena_chunk *next;
	char data[];
};

/** Strings that live as long as the report; freed all at once. */
struct arena {
	struct arena_chunk *head;
	char *cur;
	size_t left;
};

/** Copy n bytes (plus a NUL) into the arena; NULL when out of memory. */
static const char *arena_copy(struct arena *a, const char *s, size_t n)
{
	if (n + 1 > a->left) {
		size_t size = n + 1 > ARENA_CHUNK ? n + 1 : ARENA_CHUNK;
		struct arena_chunk *c = malloc(sizeof(*c) + size);
		if (!c)
			return NULL;
		c->next = a->head;
		a->head = c;
		a->cur = c->data;
		a->left = size;
	}
	char *d = a->cur;
	memcpy(d, s, n);
	d[n] = 0;
	a->cur += n + 1;
	a->left -= n + 1;
	return d;
}

static void arena_free(struct arena *a)
{
	while (a->head) {
		struct arena_chunk *next = a->head->next;
		free(a->head);
		a->head = next;
	}
}

/* ---- interned strings with a value each ------------------------------------- */

/** One interned string. */
struct strent {
	const char *s;   /**< in the arena, NUL-terminated (may hold NULs itself) */
	uint32_t len;
	uint64_t hash;
};

/**
 * Strings to dense ids 0, 1, 2, … and a zeroed value of `elsize` bytes per id.
 * Open addressing with linear probing; a slot holds the hash's high 32 bits and
 * id + 1 (0: empty), so most mismatches are rejected without touching the string.
 */
struct strtab {
	uint64_t *slots;
	size_t mask;             /**< slots - 1; a power of two minus one */
	struct strent *ent;      /**< by id */
	unsigned char *val;      /**< by id, elsize bytes each */
	size_t elsize, n, cap, valcap;
	struct arena *arena;
};

static int strtab_init(struct strtab *t, size_t elsize, struct arena *arena)
{
	memset(t, 0, sizeof(*t));
	t->elsize = elsize;
	t->arena = arena;
	t->mask = 1023;
	t->slots = calloc(t->mask + 1, sizeof(*t->slots));
	return t->slots ? 0 : -1;
}

static void strtab_free(struct strtab *t)
{
	free(t->slots);
	free(t->ent);
	free(t->val);
}

static void *strtab_val(const struct strtab *t, uint32_t id)
{
	return t->val + (size_t)id * t->elsize;
}

/** Double the slots and place every entry again. */
static int strtab_rehash(struct strtab *t)
{
	size_t nmask = t->mask * 2 + 1;
	uint64_t *ns = calloc(nmask + 1, sizeof(*ns));
	if (!ns)
		return -1;
	for (size_t id = 0; id < t->n; id++) {
		uint64_t h = t->ent[id].hash;
		size_t i = (size_t)h & nmask;
		while (ns[i])
			i = (i + 1) & nmask;
		ns[i] = (h & UINT64_C(0xffffffff00000000)) | (uint64_t)(id + 1);
	}
	free(t->slots);
	t->slots = ns;
	t->mask = nmask;
	return 0;
}

/**
 * The value of string s (n bytes), added (zeroed) when new.
 * @return the value (valid until the next call on this table), or NULL when out of memory.
 */
static void *strtab_get(struct strtab *t, const char *s, size_t n, uint32_t *id, int *isnew)
{
	uint64_t h = hash_bytes(s, n);
	uint64_t tag = h & UINT64_C(0xffffffff00000000);
	size_t i = (size_t)h & t->mask;
	for (uint64_t sl; (sl = t->slots[i]) != 0; i = (i + 1) & t->mask) {
		if ((sl & UINT64_C(0xffffffff00000000)) != tag)
			continue;
		uint32_t k = (uint32_t)sl - 1;
		if (t->ent[k].len == n && memcmp(t->ent[k].s, s, n) == 0) {
			*id = k;
			*isnew = 0;
			return strtab_val(t, k);
		}
	}
	if (t->n >= UINT32_MAX - 1 || n > UINT32_MAX)
		return NULL;
	if ((t->n + 1) * 2 > t->mask + 1) {
		if (strtab_rehash(t) < 0)
			return NULL;
		i = (size_t)h & t->mask;
		while (t->slots[i])
			i = (i + 1) & t->mask;
	}
	if (grow(&t->ent, &t->cap, t->n + 1, sizeof(*t->ent)) < 0 ||
	    grow(&t->val, &t->valcap, t->n + 1, t->elsize) < 0)
		return NULL;
	const char *copy = arena_copy(t->arena, s, n);
	if (!copy)
		return NULL;
	uint32_t k = (uint32_t)t->n++;
	t->ent[k].s = copy;
	t->ent[k].len = (uint32_t)n;
	t->ent[k].hash = h;
	t->slots[i] = tag | (uint64_t)(k + 1);
	*id = k;
	*isnew = 1;
	return strtab_val(t, k);
}

/* ---- 64-bit keys with a value each ------------------------------------------ */

/** A slot of an idtab: the key beside its id, so a probe touches one cache line. */
struct idslot {
	uint64_t key;
	uint32_t id1;            /**< id + 1; 0: empty */
};

/** Integer keys to dense ids and a zeroed value of `elsize` bytes per id; as strtab. */
struct idtab {
	struct idslot *slots;
	size_t mask;
	uint64_t *keys;          /**< by id */
	unsigned char *val;
	size_t elsize, n, cap, valcap;
};

static int idtab_init(struct idtab *t, size_t elsize)
{
	memset(t, 0, sizeof(*t));
	t->elsize = elsize;
	t->mask = 1023;
	t->slots = calloc(t->mask + 1, sizeof(*t->slots));
	return t->slots ? 0 : -1;
}

static void idtab_free(struct idtab *t)
{
	free(t->slots);
	free(t->keys);
	free(t->val);
}

static void *idtab_val(const struct idtab *t, uint32_t id)
{
	return t->val + (size_t)id * t->elsize;
}

static int idtab_rehash(struct idtab *t)
{
	size_t nmask = t->mask * 2 + 1;
	struct idslot *ns = calloc(nmask + 1, sizeof(*ns));
	if (!ns)
		return -1;
	for (size_t id = 0; id < t->n; id++) {
		size_t i = (size_t)mix64(t->keys[id]) & nmask;
		while (ns[i].id1)
			i = (i + 1) & nmask;
		ns[i].key = t->keys[id];
		ns[i].id1 = (uint32_t)(id + 1);
	}
	free(t->slots);
	t->slots = ns;
	t->mask = nmask;
	return 0;
}

/** The value of key, added (zeroed) when new; NULL when out of memory. */
static void *idtab_get(struct idtab *t, uint64_t key, uint32_t *id, int *isnew)
{
	size_t i = (size_t)mix64(key) & t->mask;
	for (; t->slots[i].id1 != 0; i = (i + 1) & t->mask) {
		if (t->slots[i].key == key) {
			*id = t->slots[i].id1 - 1;
			*isnew = 0;
			return idtab_val(t, *id);
		}
	}
	if (t->n >= UINT32_MAX - 1)
		return NULL;
	if ((t->n + 1) * 2 > t->mask + 1) {
		if (idtab_rehash(t) < 0)
			return NULL;
		i = (size_t)mix64(key) & t->mask;
		while (t->slots[i].id1)
			i = (i + 1) & t->mask;
	}
	if (grow(&t->keys, &t->cap, t->n + 1, sizeof(*t->keys)) < 0 ||
	    grow(&t->val, &t->valcap, t->n + 1, t->elsize) < 0)
		return NULL;
	uint32_t k = (uint32_t)t->n++;
	t->keys[k] = key;
	t->slots[i].key = key;
	t->slots[i].id1 = k + 1;
	*id = k;
	*isnew = 1;
	return idtab_val(t, k);
}

/* ---- time ------------------------------------------------------------------- */

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

/** Floor division, for times before 1970. */
static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/** n decimal digits at s as a number, or -1. */
static int digits(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static unsigned days_in_month(int64_t y, unsigned m)
{
	static const unsigned char dm[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : dm[m - 1];
}

/**
 * Parse an RFC 3339 time ("2026-11-21T11:09:00.123Z", "…+01:00") into Unix
 * milliseconds.  With date_ok, a bare date ("2026-11-21") means its midnight UTC.
 * @return 0, or -1 when s is not such a time.
 */
static int parse_time(const char *s, size_t n, int date_ok, int64_t *ms)
{
	if (n < 10 || s[4] != '-' || s[7] != '-')
		return -1;
	int y = digits(s, 4), mo = digits(s + 5, 2), d = digits(s + 8, 2);
	if (y < 0 || mo < 1 || mo > 12 || d < 1 || (unsigned)d > days_in_month(y, (unsigned)mo))
		return -1;
	int64_t days = days_from_civil(y, (unsigned)mo, (unsigned)d);
	if (n == 10) {
		if (!date_ok)
			return -1;
		*ms = days * 86400000;
		return 0;
	}
	if (n < 20 || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || s[13] != ':' || s[16] != ':')
		return -1;
	int hh = digits(s + 11, 2), mi = digits(s + 14, 2), ss = digits(s + 17, 2);
	if (hh < 0 || hh > 23 || mi < 0 || mi > 59 || ss < 0 || ss > 60)
		return -1;
	size_t i = 19;
	int64_t frac = 0;
	if (s[i] == '.') {
		size_t start = ++i;
		int64_t scale = 100;
		while (i < n && s[i] >= '0' && s[i] <= '9') {
			frac += (s[i] - '0') * scale;
			scale /= 10;
			i++;
		}
		if (i == start)
			return -1;
	}
	int64_t offset = 0;
	if (i + 1 == n && (s[i] == 'Z' || s[i] == 'z')) {
		i++;
	} else if (i + 6 == n && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':') {
		int oh = digits(s + i + 1, 2), om = digits(s + i + 4, 2);
		if (oh < 0 || oh > 23 || om < 0 || om > 59)
			return -1;
		offset = (int64_t)(oh * 60 + om) * 60000;
		if (s[i] == '-')
			offset = -offset;
		i += 6;
	} else {
		return -1;
	}
	*ms = ((days * 24 + hh) * 60 + mi) * 60000 + (int64_t)ss * 1000 + frac - offset;
	return 0;
}

/** Format Unix milliseconds as "2026-11-21T11:09:00Z" (with_ms: "…00.123Z"). */
static void format_time(int64_t ms, int with_ms, char *out, size_t outlen)
{
	int64_t days = floor_div(ms, 86400000);
	int64_t rest = ms - days * 86400000;
	int64_t y;
	unsigned m, d;
	civil_from_days(days, &y, &m, &d);
	unsigned secs = (unsigned)(rest / 1000);
	if (with_ms)
		snprintf(out, outlen, "%04" PRId64 "-%02u-%02uT%02u:%02u:%02u.%03uZ", y, m, d,
			 secs / 3600, secs / 60 % 60, secs % 60, (unsigned)(rest % 1000));
	else
		snprintf(out, outlen, "%04" PRId64 "-%02u-%02uT%02u:%02u:%02uZ", y, m, d,
			 secs / 3600, secs / 60 % 60, secs % 60);
}

/** Format an hour number (Unix ms / 3600000) as "2026-11-21T11:00Z". */
static void format_hour(int64_t hour, char *out, size_t outlen)
{
	int64_t days = floor_div(hour, 24);
	int64_t y;
	unsigned m, d;
	civil_from_days(days, &y, &m, &d);
	snprintf(out, outlen, "%04" PRId64 "-%02u-%02uT%02u:00Z", y, m, d, (unsigned)(hour - days * 24));
}

/* ---- the line scanner ------------------------------------------------------- */

/** The fields the report uses; every other key is checked and skipped. */
enum field {
	F_NONE = -1,
	F_TS = 0,
	F_CLIENT,
	F_QNAME,
	F_ACTION,
	F_RULE,
	F_FEED,
	F_CATEGORY,
	F_EVENT,
	F_COUNT,
	F_N
};

/** A piece of text: in the read buffer, or in the line's scratch buffer when decoded. */
struct slice {
	const char *p;   /**< NULL: absent or null */
	size_t n;
};

/** What one line says. */
struct rec {
	struct slice v[F_N];  /**< string fields (F_COUNT unused) */
	int has_count;
	uint64_t count;
};

/** The scanner's state for one line: where decoded strings go. */
struct scan {
	char *scratch;        /**< at least the line's length */
	size_t used;
};

static const char *const TRUNCATED = "truncated line";

/** Bytes that end a run of plain string characters: quote, backslash, control. */
static const unsigned char str_stop[256] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	['"'] = 1, ['\\'] = 1,
};

static enum field field_of(const char *k, size_t n)
{
	switch (n) {
	case 2:
		return memcmp(k, "ts", 2) == 0 ? F_TS : F_NONE;
	case 4:
		if (memcmp(k, "rule", 4) == 0)
			return F_RULE;
		return memcmp(k, "feed", 4) == 0 ? F_FEED : F_NONE;
	case 5:
		if (memcmp(k, "qname", 5) == 0)
			return F_QNAME;
		if (memcmp(k, "event", 5) == 0)
			return F_EVENT;
		return memcmp(k, "count", 5) == 0 ? F_COUNT : F_NONE;
	case 6:
		if (memcmp(k, "client", 6) == 0)
			return F_CLIENT;
		return memcmp(k, "action", 6) == 0 ? F_ACTION : F_NONE;
	case 8:
		return memcmp(k, "category", 8) == 0 ? F_CATEGORY : F_NONE;
	default:
		return F_NONE;
	}
}

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	return p;
}

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/**
 * Scan a string's body; *pp points after the opening quote and, on success,
 * after the closing one.  *esc says whether it holds escapes.
 * @return NULL, or why the line is damaged.
 */
static const char *scan_string(const char **pp, const char *end, int *esc)
{
	const unsigned char *p = (const unsigned char *)*pp, *e = (const unsigned char *)end;
	*esc = 0;
	for (;;) {
		while (p < e && !str_stop[*p])
			p++;
		if (p >= e)
			return TRUNCATED;
		if (*p == '"') {
			*pp = (const char *)p + 1;
			return NULL;
		}
		if (*p != '\\')
			return "invalid JSON: control character in a string";
		*esc = 1;
		if (++p >= e)
			return TRUNCATED;
		switch (*p) {
		case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
			p++;
			break;
		case 'u':
			for (int i = 1; i <= 4; i++) {
				if (p + i >= e)
					return TRUNCATED;
				if (hexval(p[i]) < 0)
					return "invalid JSON: bad \\u escape";
			}
			p += 5;
			break;
		default:
			return "invalid JSON: bad escape in a string";
		}
	}
}

static unsigned hex4(const char *s)
{
	return (unsigned)(hexval((unsigned char)s[0]) << 12 | hexval((unsigned char)s[1]) << 8 |
			  hexval((unsigned char)s[2]) << 4 | hexval((unsigned char)s[3]));
}

/** Decode a scanned string body (n bytes, escapes checked) into out; returns the length. */
static size_t decode_string(const char *s, size_t n, char *out)
{
	size_t o = 0;
	for (size_t i = 0; i < n;) {
		if (s[i] != '\\') {
			out[o++] = s[i++];
			continue;
		}
		char c = s[i + 1];
		i += 2;
		switch (c) {
		case 'b': out[o++] = '\b'; continue;
		case 'f': out[o++] = '\f'; continue;
		case 'n': out[o++] = '\n'; continue;
		case 'r': out[o++] = '\r'; continue;
		case 't': out[o++] = '\t'; continue;
		case 'u': break;
		default: out[o++] = c; continue;
		}
		unsigned cp = hex4(s + i);
		i += 4;
		if (cp >= 0xd800 && cp <= 0xdbff && i + 6 <= n && s[i] == '\\' && s[i + 1] == 'u') {
			unsigned lo = hex4(s + i + 2);
			if (lo >= 0xdc00 && lo <= 0xdfff) {
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				i += 6;
			}
		}
		if (cp >= 0xd800 && cp <= 0xdfff)
			cp = 0xfffd; /* a lone surrogate */
		/* at most 4 bytes out for at least 6 in: out never overtakes the input */
		if (cp < 0x80) {
			out[o++] = (char)cp;
		} else if (cp < 0x800) {
			out[o++] = (char)(0xc0 | cp >> 6);
			out[o++] = (char)(0x80 | (cp & 0x3f));
		} else if (cp < 0x10000) {
			out[o++] = (char)(0xe0 | cp >> 12);
			out[o++] = (char)(0x80 | (cp >> 6 & 0x3f));
			out[o++] = (char)(0x80 | (cp & 0x3f));
		} else {
			out[o++] = (char)(0xf0 | cp >> 18);
			out[o++] = (char)(0x80 | (cp >> 12 & 0x3f));
			out[o++] = (char)(0x80 | (cp >> 6 & 0x3f));
			out[o++] = (char)(0x80 | (cp & 0x3f));
		}
	}
	return o;
}

/** Scan a number; with val, it must be a whole number ≥ 0 that fits in 63 bits. */
static const char *scan_number(const char **pp, const char *end, uint64_t *val, int *whole)
{
	const char *p = *pp;
	int ok = 1;
	uint64_t v = 0;
	if (*p == '-') {
		ok = 0;
		if (++p >= end)
			return TRUNCATED;
	}
	if (*p == '0') {
		p++;
	} else if (*p >= '1' && *p <= '9') {
		while (p < end && *p >= '0' && *p <= '9') {
			unsigned dgt = (unsigned)(*p - '0');
			if (v > (UINT64_C(1) << 62) / 10)
				ok = 0;
			else
				v = v * 10 + dgt;
			p++;
		}
	} else {
		return "invalid JSON: bad number";
	}
	if (p < end && *p == '.') {
		ok = 0;
		if (++p >= end)
			return TRUNCATED;
		if (*p < '0' || *p > '9')
			return "invalid JSON: bad number";
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		ok = 0;
		if (++p < end && (*p == '+' || *p == '-'))
			p++;
		if (p >= end)
			return TRUNCATED;
		if (*p < '0' || *p > '9')
			return "invalid JSON: bad number";
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	*pp = p;
	if (val) {
		*val = v;
		*whole = ok;
	}
	return NULL;
}

static const char *scan_literal(const char **pp, const char *end, const char *lit, size_t n)
{
	size_t have = (size_t)(end - *pp);
	if (have < n)
		return memcmp(*pp, lit, have) == 0 ? TRUNCATED : "invalid JSON: unexpected character";
	if (memcmp(*pp, lit, n) != 0)
		return "invalid JSON: unexpected character";
	*pp += n;
	return NULL;
}

/** Check and skip any JSON value (an unknown key's). */
static const char *skip_value(const char **pp, const char *end, int depth)
{
	const char *why;
	int esc;
	if (*pp >= end)
		return TRUNCATED;
	char c = **pp;
	if (c == '"') {
		(*pp)++;
		return scan_string(pp, end, &esc);
	}
	if (c == 't')
		return scan_literal(pp, end, "true", 4);
	if (c == 'f')
		return scan_literal(pp, end, "false", 5);
	if (c == 'n')
		return scan_literal(pp, end, "null", 4);
	if (c == '-' || (c >= '0' && c <= '9'))
		return scan_number(pp, end, NULL, NULL);
	if (c != '[' && c != '{')
		return "invalid JSON: unexpected character";
	if (depth >= REPORT_MAX_DEPTH)
		return "invalid JSON: nested too deeply";
	char close = c == '[' ? ']' : '}';
	const char *p = skip_ws(*pp + 1, end);
	if (p < end && *p == close) {
		*pp = p + 1;
		return NULL;
	}
	for (;;) {
		if (c == '{') {
			if (p >= end)
				return TRUNCATED;
			if (*p != '"')
				return "invalid JSON: expected a key";
			p++;
			if ((why = scan_string(&p, end, &esc)) != NULL)
				return why;
			p = skip_ws(p, end);
			if (p >= end)
				return TRUNCATED;
			if (*p != ':')
				return "invalid JSON: expected ':'";
			p = skip_ws(p + 1, end);
		}
		if ((why = skip_value(&p, end, depth + 1)) != NULL)
			return why;
		p = skip_ws(p, end);
		if (p >= end)
			return TRUNCATED;
		if (*p == close) {
			*pp = p + 1;
			return NULL;
		}
		if (*p != ',')
			return c == '[' ? "invalid JSON: expected ',' or ']'" : "invalid JSON: expected ',' or '}'";
		p = skip_ws(p + 1, end);
	}
}

static const char *const field_type_errors[F_N] = {
	[F_TS] = "ts is not a string",
	[F_CLIENT] = "client is not a string",
	[F_QNAME] = "qname is not a string",
	[F_ACTION] = "action is not a string",
	[F_RULE] = "rule is not a string",
	[F_FEED] = "feed is not a string",
	[F_CATEGORY] = "category is not a string",
	[F_EVENT] = "event is not a string",
	[F_COUNT] = "count is not a number",
};

/**
 * Scan one line: a JSON object and nothing else.  Fields the report uses are
 * recorded in rec; strings with escapes are decoded into sc->scratch.
 * @return NULL, or why the line is damaged.
 */
static const char *scan_line(struct scan *sc, const char *p, const char *end, struct rec *rec)
{
	const char *why;
	int esc;
	memset(rec, 0, sizeof(*rec));
	sc->used = 0;
	p = skip_ws(p, end);
	if (p >= end)
		return "empty line";
	if (*p != '{')
		return "not a JSON object";
	p = skip_ws(p + 1, end);
	if (p < end && *p == '}') {
		p++;
		goto after;
	}
	for (;;) {
		if (p >= end)
			return TRUNCATED;
		if (*p != '"')
			return "invalid JSON: expected a key";
		const char *key = ++p;
		if ((why = scan_string(&p, end, &esc)) != NULL)
			return why;
		size_t klen = (size_t)(p - 1 - key);
		enum field f;
		if (!esc) {
			f = field_of(key, klen);
		} else {
			char kbuf[16];
			f = klen <= sizeof(kbuf) ? field_of(kbuf, decode_string(key, klen, kbuf)) : F_NONE;
		}
		p = skip_ws(p, end);
		if (p >= end)
			return TRUNCATED;
		if (*p != ':')
			return "invalid JSON: expected ':'";
		p = skip_ws(p + 1, end);
		if (p >= end)
			return TRUNCATED;
		if (f == F_NONE) {
			if ((why = skip_value(&p, end, 1)) != NULL)
				return why;
		} else if (*p == 'n') {
			if ((why = scan_literal(&p, end, "null", 4)) != NULL)
				return why;
			rec->v[f].p = NULL;
			if (f == F_COUNT)
				rec->has_count = 0;
		} else if (f == F_COUNT) {
			int whole = 0;
			if (*p != '-' && (*p < '0' || *p > '9'))
				return field_type_errors[f];
			if ((why = scan_number(&p, end, &rec->count, &whole)) != NULL)
				return why;
			if (!whole)
				return "count is not a whole number";
			rec->has_count = 1;
		} else if (*p == '"') {
			const char *s = ++p;
			if ((why = scan_string(&p, end, &esc)) != NULL)
				return why;
			size_t n = (size_t)(p - 1 - s);
			if (esc) {
				char *out = sc->scratch + sc->used;
				n = decode_string(s, n, out);
				sc->used += n;
				s = out;
			}
			rec->v[f].p = s;
			rec->v[f].n = n;
		} else {
			/* still check the value: a broken line says "truncated" first */
			if ((why = skip_value(&p, end, 1)) != NULL)
				return why;
			return field_type_errors[f];
		}
		p = skip_ws(p, end);
		if (p >= end)
			return TRUNCATED;
		if (*p == '}') {
			p++;
			break;
		}
		if (*p != ',')
			return "invalid JSON: expected ',' or '}'";
		p = skip_ws(p + 1, end);
	}
after:
	if (skip_ws(p, end) != end)
		return "invalid JSON: text after the object";
	return NULL;
}

/* ---- aggregation ------------------------------------------------------------ */

/** What a set of lookups adds up to. */
struct counts {
	uint64_t lookups, blocked, logonly, exempt;
	int64_t first, last;   /**< Unix ms; valid when lookups > 0 */
};

/** Per client (value of the clients table). */
struct client_stats {
	struct counts c;
	uint32_t rules;        /**< distinct (rule, feed) asked for */
	uint8_t pass;          /**< passes the --client filter */
	int32_t top;           /**< its row in the top clients table + 1; 0: not shown */
};

/** Per rule name (value of the rule names table). */
struct rulename_stats {
	uint8_t pass;          /**< passes the --rule filter */
	uint8_t counted;       /**< counted in the distinct rules */
};

/** Per feed. */
struct feed_stats {
	struct counts c;
	uint32_t rules;        /**< (rule, feed) rows with this feed, counted at the end */
};

/** Per (rule, feed): a rule row. */
struct rule_stats {
	struct counts c;
	uint32_t rule, feed;   /**< ids in the rule names and feeds tables */
	uint32_t category;     /**< id in the categories table, of the latest lookup */
	uint32_t clients;      /**< distinct clients */
};

/** Per (client, rule row). */
struct pair_stats {
	uint64_t lookups;
};

/** Per hour. */
struct hour_stats {
	uint64_t lookups, blocked;
};

/** Action of a lookup, as counted. */
enum action_kind {
	A_NXDOMAIN, A_NODATA, A_REFUSED, A_SINKHOLE, A_LOGONLY, A_EXEMPT, A_ESCAPED, A_OTHER, A_N
};

static const char *const action_names[A_N] = {
	"nxdomain", "nodata", "refused", "sinkhole", "log-only", "exempt", "escaped", "other"
};

/** The whole report as it is being gathered. */
struct report {
	/* options */
	int json;
	size_t top;                      /**< rows per table; 0: all */
	int has_since;
	int64_t since;                   /**< Unix ms */
	struct dnsrep_cidr client_filter[REPORT_MAX_FILTERS];
	const char *client_filter_text[REPORT_MAX_FILTERS];
	size_t n_client_filters;
	const char *rule_filter[REPORT_MAX_FILTERS];
	size_t n_rule_filters;

	/* totals */
	uint64_t lines, lookups, actions[A_N];
	uint64_t clients, rules;         /**< distinct, among the counted lookups */
	uint64_t drops, drop_events, other_events;
	uint64_t damaged, filtered;
	unsigned files_read, files_unreadable;
	int has_span;
	int64_t first, last;

	/* tables */
	struct arena arena;
	struct strtab clients_t, rulenames_t, feeds_t, categories_t;
	struct idtab rules_t, pairs_t, hours_t;

	/* reading */
	char *buf;                       /**< REPORT_CHUNK + REPORT_MAX_LINE + 1 */
	struct scan scan;
	int oom;
};

static void counts_add(struct counts *c, int64_t ts, enum action_kind a)
{
	if (c->lookups == 0 || ts < c->first)
		c->first = ts;
	if (c->lookups == 0 || ts > c->last)
		c->last = ts;
	c->lookups++;
	if (a <= A_SINKHOLE)
		c->blocked++;
	else if (a == A_LOGONLY)
		c->logonly++;
	else if (a == A_EXEMPT)
		c->exempt++;
}

static enum action_kind action_of(const struct slice *s)
{
	static const unsigned char len[A_OTHER] = { 8, 6, 7, 8, 8, 6, 7 };
	if (!s->p)
		return A_OTHER;
	for (int a = 0; a < A_OTHER; a++)
		if (len[a] == s->n && memcmp(action_names[a], s->p, s->n) == 0)
			return (enum action_kind)a;
	return A_OTHER;
}

/** Whether the client text names an address inside one of the --client prefixes. */
static int client_passes(const struct report *r, const char *s, size_t n)
{
	char text[INET6_ADDRSTRLEN + 16];
	uint8_t addr[16];
	int family;
	if (n == 0 || n >= sizeof(text) || memchr(s, 0, n))
		return 0;
	memcpy(text, s, n);
	text[n] = 0;
	if (inet_pton(AF_INET, text, addr) == 1) {
		family = AF_INET;
	} else if (inet_pton(AF_INET6, text, addr) == 1) {
		family = AF_INET6;
	} else {
		return 0;
	}
	for (size_t i = 0; i < r->n_client_filters; i++) {
		const struct dnsrep_cidr *c = &r->client_filter[i];
		if (dnsrep_cidr_contains(c, family, addr))
			return 1;
		/* ::ffff:192.0.2.1 is the IPv4 client 192.0.2.1 */
		static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
		if (family == AF_INET6 && memcmp(addr, mapped, 12) == 0 &&
		    dnsrep_cidr_contains(c, AF_INET, addr + 12))
			return 1;
	}
	return 0;
}

/** Rule names compare case-insensitively (ASCII), a trailing dot ignored. */
static int rule_equal(const char *a, size_t an, const char *b, size_t bn)
{
	if (an > 1 && a[an - 1] == '.' && !(an > 1 && a[an - 2] == '\\'))
		an--;
	if (bn > 1 && b[bn - 1] == '.' && !(bn > 1 && b[bn - 2] == '\\'))
		bn--;
	if (an != bn)
		return 0;
	for (size_t i = 0; i < an; i++) {
		unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];
		if (x >= 'A' && x <= 'Z')
			x = (unsigned char)(x + 32);
		if (y >= 'A' && y <= 'Z')
			y = (unsigned char)(y + 32);
		if (x != y)
			return 0;
	}
	return 1;
}

static int rule_passes(const struct report *r, const char *s, size_t n)
{
	for (size_t i = 0; i < r->n_rule_filters; i++)
		if (rule_equal(s, n, r->rule_filter[i], strlen(r->rule_filter[i])))
			return 1;
	return 0;
}

/** A missing or null string field counts as "-". */
static struct slice or_dash(struct slice s)
{
	if (!s.p) {
		s.p = "-";
		s.n = 1;
	}
	return s;
}

static void span_add(struct report *r, int64_t ts)
{
	if (!r->has_span || ts < r->first)
		r->first = ts;
	if (!r->has_span || ts > r->last)
		r->last = ts;
	r->has_span = 1;
}

/** Count one lookup that passed the time filter.  @return -1 when out of memory. */
static int account_lookup(struct report *r, const struct rec *rec, int64_t ts)
{
	uint32_t cid, rid, fid, rowid, pid, hid, catid;
	int isnew;
	struct slice cl = or_dash(rec->v[F_CLIENT]);
	struct slice rl = or_dash(rec->v[F_RULE]);
	struct slice fd = or_dash(rec->v[F_FEED]);
	struct slice cat = or_dash(rec->v[F_CATEGORY]);

	struct client_stats *c = strtab_get(&r->clients_t, cl.p, cl.n, &cid, &isnew);
	if (!c)
		return -1;
	if (isnew)
		c->pass = !r->n_client_filters || client_passes(r, cl.p, cl.n);
	if (!c->pass) {
		r->filtered++;
		return 0;
	}
	struct rulename_stats *rn = strtab_get(&r->rulenames_t, rl.p, rl.n, &rid, &isnew);
	if (!rn)
		return -1;
	if (isnew)
		rn->pass = !r->n_rule_filters || rule_passes(r, rl.p, rl.n);
	if (!rn->pass) {
		r->filtered++;
		return 0;
	}
	if (!rn->counted) {
		rn->counted = 1;
		r->rules++;
	}
	struct feed_stats *f = strtab_get(&r->feeds_t, fd.p, fd.n, &fid, &isnew);
	if (!f)
		return -1;
	struct rule_stats *row = idtab_get(&r->rules_t, (uint64_t)rid << 32 | fid, &rowid, &isnew);
	if (!row)
		return -1;
	if (isnew) {
		row->rule = rid;
		row->feed = fid;
	}
	/* the category of the latest lookup; interned only when it changes */
	if (isnew || ts >= row->c.last) {
		const struct strent *e = isnew ? NULL : &r->categories_t.ent[row->category];
		if (!e || e->len != cat.n || memcmp(e->s, cat.p, cat.n) != 0) {
			if (!strtab_get(&r->categories_t, cat.p, cat.n, &catid, &isnew))
				return -1;
			row->category = catid;
		}
	}

	enum action_kind a = action_of(&rec->v[F_ACTION]);
	r->lookups++;
	r->actions[a]++;
	span_add(r, ts);
	if (c->c.lookups == 0)
		r->clients++;
	counts_add(&c->c, ts, a);
	counts_add(&f->c, ts, a);
	counts_add(&row->c, ts, a);

	struct pair_stats *pr = idtab_get(&r->pairs_t, (uint64_t)cid << 32 | rowid, &pid, &isnew);
	if (!pr)
		return -1;
	if (isnew) {
		/* row, c: other tables, still valid */
		row->clients++;
		c->rules++;
	}
	pr->lookups++;

	struct hour_stats *h = idtab_get(&r->hours_t, (uint64_t)floor_div(ts, MS_PER_HOUR), &hid, &isnew);
	if (!h)
		return -1;
	h->lookups++;
	if (a <= A_SINKHOLE)
		h->blocked++;
	return 0;
}

/** Count a damaged line; name the first few. */
static void damaged(struct report *r, const char *file, uint64_t line, const char *why)
{
	if (r->damaged++ < REPORT_DAMAGED_SHOWN)
		fprintf(stderr, "dnsrepctl: %s:%" PRIu64 ": %s\n", file, line, why);
}

/** One line (newline excluded).  @return -1 when out of memory. */
static int process_line(struct report *r, const char *file, uint64_t lineno, const char *p, size_t n)
{
	struct rec rec;
	r->lines++;
	if (n > REPORT_MAX_LINE) {
		damaged(r, file, lineno, "line longer than 64 KiB");
		return 0;
	}
	const char *why = scan_line(&r->scan, p, p + n, &rec);
	if (why) {
		damaged(r, file, lineno, why);
		return 0;
	}
	int64_t ts;
	if (!rec.v[F_TS].p) {
		damaged(r, file, lineno, "missing ts");
		return 0;
	}
	if (parse_time(rec.v[F_TS].p, rec.v[F_TS].n, 0, &ts) < 0) {
		damaged(r, file, lineno, "ts is not an RFC 3339 time");
		return 0;
	}
	if (rec.v[F_EVENT].p) {
		const struct slice *ev = &rec.v[F_EVENT];
		if (ev->n == 7 && memcmp(ev->p, "dropped", 7) == 0) {
			if (!rec.has_count) {
				damaged(r, file, lineno, "dropped event without a count");
				return 0;
			}
			if (r->has_since && ts < r->since) {
				r->filtered++;
				return 0;
			}
			r->drops += rec.count;
			r->drop_events++;
			span_add(r, ts);
		} else {
			r->other_events++;
		}
		return 0;
	}
	if (!rec.v[F_QNAME].p) {
		damaged(r, file, lineno, "missing qname");
		return 0;
	}
	if (r->has_since && ts < r->since) {
		r->filtered++;
		return 0;
	}
	return account_lookup(r, &rec, ts);
}

/** Reading the stream: each entry's line is one log line. */
struct stream_read {
	struct report *r;
	uint64_t lineno;
	int oom;
};

static void stream_line(void *ctx, const char *line, size_t len)
{
	struct stream_read *sr = ctx;
	if (sr->oom)
		return;
	sr->lineno++;
	if (len > REPORT_MAX_LINE) {
		sr->r->lines++;
		damaged(sr->r, "redis stream", sr->lineno, "line longer than 64 KiB");
		return;
	}
	/* process_line may write into the line while decoding: give it a copy */
	memcpy(sr->r->buf, line, len);
	sr->r->buf[len] = 0;
	if (process_line(sr->r, "redis stream", sr->lineno, sr->r->buf, len) < 0)
		sr->oom = 1;
}

/**
 * Read the fleet's block log from the Redis stream that dnsrep.conf names.
 * @return 0, 1 when Redis could not be read, -1 when out of memory.
 */
static int read_redis(struct report *r, const char *config)
{
	struct dnsrep_config *cfg = NULL;
	struct dnsrep_store_opts so;
	struct dnsrep_store *st = NULL;
	char err[DNSREP_ERRLEN], host[512], last_id[64] = "";
	int rc = 1;
	if (dnsrep_config_load(config, &cfg, err, sizeof(err)) < 0 ||
	    dnsrep_store_primary_opts_from_config(&so, cfg, host, sizeof(host), err, sizeof(err)) < 0 ||
	    !(st = dnsrep_store_connect(&so, err, sizeof(err)))) {
		fprintf(stderr, "dnsrepctl: %s\n", err);
		goto out;
	}
	struct stream_read sr = { .r = r };
	for (;;) {
		long got = dnsrep_store_read_log(st, last_id, 10000, stream_line, &sr, err, sizeof(err));
		if (got < 0) {
			fprintf(stderr, "dnsrepctl: %s\n", err);
			goto out;
		}
		if (sr.oom) {
			rc = -1;
			goto out;
		}
		if (got == 0)
			break;
	}
	r->files_read++;
	rc = 0;
out:
	dnsrep_store_close(st);
	dnsrep_config_free(cfg);
	if (rc == 1)
		r->files_unreadable++;
	return rc;
}

/**
 * Read one file (or "-": standard input) and count its lines.
 * @return 0, 1 when it could not be read (fully), -1 when out of memory.
 */
static int read_file(struct report *r, const char *path)
{
	const char *name = strcmp(path, "-") == 0 ? "<stdin>" : path;
	gzFile gz;
	if (strcmp(path, "-") == 0) {
		int fd = dup(STDIN_FILENO);
		gz = fd < 0 ? NULL : gzdopen(fd, "rb");
		if (!gz && fd >= 0)
			close(fd);
	} else {
		errno = 0;
		gz = gzopen(path, "rb");
	}
	if (!gz) {
		fprintf(stderr, "dnsrepctl: cannot open %s: %s\n", name,
			errno ? strerror(errno) : "out of memory");
		r->files_unreadable++;
		return 1;
	}
	gzbuffer(gz, 256 * 1024);

	char *buf = r->buf;
	size_t start = 0, end = 0;
	uint64_t lineno = 0;
	int skipping = 0;   /* inside a line already known to be too long */
	int rc = 0;
	for (;;) {
		char *nl;
		while ((nl = memchr(buf + start, '\n', end - start)) != NULL) {
			size_t len = (size_t)(nl - (buf + start));
			lineno++;
			if (skipping) {
				skipping = 0;
				r->lines++;
				damaged(r, name, lineno, "line longer than 64 KiB");
			} else if (process_line(r, name, lineno, buf + start, len) < 0) {
				rc = -1;
				goto out;
			}
			start += len + 1;
		}
		if (!skipping && end - start > REPORT_MAX_LINE)
			skipping = 1;
		if (skipping) {
			start = end = 0;
		} else {
			memmove(buf, buf + start, end - start);
			end -= start;
			start = 0;
		}
		int got = gzread(gz, buf + end, REPORT_CHUNK);
		if (got <= 0) {
			int errnum = Z_OK;
			const char *msg = gzerror(gz, &errnum);
			if (got < 0 || errnum != Z_OK) {
				/* zlib's message starts with the path: do not say it twice */
				size_t plen = strlen(path);
				if (strncmp(msg, path, plen) == 0 && strncmp(msg + plen, ": ", 2) == 0)
					msg += plen + 2;
				fprintf(stderr, "dnsrepctl: %s: read error: %s\n", name,
					errnum == Z_ERRNO ? strerror(errno) : msg);
				rc = 1;
			}
			/* the last line, without a newline */
			if (skipping) {
				r->lines++;
				damaged(r, name, lineno + 1, "line longer than 64 KiB");
			} else if (end > 0 && process_line(r, name, lineno + 1, buf, end) < 0) {
				rc = -1;
			}
			break;
		}
		end += (size_t)got;
	}
out:
	gzclose(gz);
	if (rc == 1)
		r->files_unreadable++;
	else if (rc == 0)
		r->files_read++;
	return rc;
}

/* ---- output: shared --------------------------------------------------------- */

/** A row to sort: its count, its name (for ties), its id. */
struct sortrow {
	uint64_t lookups;
	const char *name;
	size_t len;
	const char *name2;      /**< a second name for ties (the feed of a rule row) */
	size_t len2;
	uint32_t id;
};

static int cmp_bytes(const char *a, size_t an, const char *b, size_t bn)
{
	int c = memcmp(a, b, an < bn ? an : bn);
	if (c)
		return c;
	return an < bn ? -1 : an > bn;
}

/** Most lookups first; then by name, so the order does not depend on the hash. */
static int cmp_rows(const void *x, const void *y)
{
	const struct sortrow *a = x, *b = y;
	if (a->lookups != b->lookups)
		return a->lookups > b->lookups ? -1 : 1;
	int c = cmp_bytes(a->name, a->len, b->name, b->len);
	if (c)
		return c;
	if (a->name2 && b->name2)
		return cmp_bytes(a->name2, a->len2, b->name2, b->len2);
	return 0;
}

/** The rows of each table, sorted. */
struct sorted {
	struct sortrow *feeds, *rules, *clients;
	size_t n_feeds, n_rules, n_clients;
	int64_t *hours;
	uint32_t *hour_ids;
	size_t n_hours;
	/** top rules of the shown clients: REPORT_CLIENT_RULES pair ids each, UINT32_MAX: none */
	uint32_t *client_rules;
};

static size_t shown(const struct report *r, size_t n)
{
	return r->top && r->top < n ? r->top : n;
}

static int cmp_hours(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
	return a < b ? -1 : a > b;
}

/** Whether pair a beats pair b for a client's top rules. */
static int pair_beats(const struct report *r, uint32_t a, uint32_t b)
{
	const struct pair_stats *pa = idtab_val(&r->pairs_t, a), *pb = idtab_val(&r->pairs_t, b);
	if (pa->lookups != pb->lookups)
		return pa->lookups > pb->lookups;
	const struct rule_stats *ra = idtab_val(&r->rules_t, (uint32_t)r->pairs_t.keys[a]);
	const struct rule_stats *rb = idtab_val(&r->rules_t, (uint32_t)r->pairs_t.keys[b]);
	const struct strent *na = &r->rulenames_t.ent[ra->rule], *nb = &r->rulenames_t.ent[rb->rule];
	int c = cmp_bytes(na->s, na->len, nb->s, nb->len);
	if (c)
		return c < 0;
	const struct strent *fa = &r->feeds_t.ent[ra->feed], *fb = &r->feeds_t.ent[rb->feed];
	return cmp_bytes(fa->s, fa->len, fb->s, fb->len) < 0;
}

static void sorted_free(struct sorted *s)
{
	free(s->feeds);
	free(s->rules);
	free(s->clients);
	free(s->hours);
	free(s->hour_ids);
	free(s->client_rules);
}

/** Sort every table and find the shown clients' top rules.  -1 when out of memory. */
static int sort_report(struct report *r, struct sorted *s)
{
	memset(s, 0, sizeof(*s));
	size_t nf = r->feeds_t.n, nr = r->rules_t.n, nc = r->clients_t.n, nh = r->hours_t.n;
	s->feeds = calloc(nf + 1, sizeof(*s->feeds));
	s->rules = calloc(nr + 1, sizeof(*s->rules));
	s->clients = calloc(nc + 1, sizeof(*s->clients));
	s->hours = calloc(nh + 1, sizeof(*s->hours));
	s->hour_ids = calloc(nh + 1, sizeof(*s->hour_ids));
	if (!s->feeds || !s->rules || !s->clients || !s->hours || !s->hour_ids)
		return -1;

	for (uint32_t i = 0; i < nr; i++) {
		struct rule_stats *row = idtab_val(&r->rules_t, i);
		const struct strent *rn = &r->rulenames_t.ent[row->rule], *fn = &r->feeds_t.ent[row->feed];
		s->rules[s->n_rules++] = (struct sortrow){ row->c.lookups, rn->s, rn->len, fn->s, fn->len, i };
		((struct feed_stats *)strtab_val(&r->feeds_t, row->feed))->rules++;
	}
	for (uint32_t i = 0; i < nf; i++) {
		const struct feed_stats *f = strtab_val(&r->feeds_t, i);
		if (f->c.lookups)
			s->feeds[s->n_feeds++] = (struct sortrow){ f->c.lookups, r->feeds_t.ent[i].s,
				r->feeds_t.ent[i].len, NULL, 0, i };
	}
	for (uint32_t i = 0; i < nc; i++) {
		const struct client_stats *c = strtab_val(&r->clients_t, i);
		if (c->c.lookups)
			s->clients[s->n_clients++] = (struct sortrow){ c->c.lookups, r->clients_t.ent[i].s,
				r->clients_t.ent[i].len, NULL, 0, i };
	}
	qsort(s->feeds, s->n_feeds, sizeof(*s->feeds), cmp_rows);
	qsort(s->rules, s->n_rules, sizeof(*s->rules), cmp_rows);
	qsort(s->clients, s->n_clients, sizeof(*s->clients), cmp_rows);

	for (uint32_t i = 0; i < nh; i++)
		s->hours[i] = (int64_t)r->hours_t.keys[i];
	qsort(s->hours, nh, sizeof(*s->hours), cmp_hours);
	for (size_t i = 0; i < nh; i++) {
		int isnew;
		idtab_get(&r->hours_t, (uint64_t)s->hours[i], &s->hour_ids[i], &isnew);
	}
	s->n_hours = nh;

	/* the shown clients' top rules: one pass over the (client, rule) pairs */
	size_t ncs = shown(r, s->n_clients);
	s->client_rules = malloc((ncs + 1) * REPORT_CLIENT_RULES * sizeof(*s->client_rules));
	if (!s->client_rules)
		return -1;
	memset(s->client_rules, 0xff, (ncs + 1) * REPORT_CLIENT_RULES * sizeof(*s->client_rules));
	for (size_t i = 0; i < ncs; i++)
		((struct client_stats *)strtab_val(&r->clients_t, s->clients[i].id))->top = (int32_t)i + 1;
	for (uint32_t p = 0; p < r->pairs_t.n; p++) {
		uint32_t cid = (uint32_t)(r->pairs_t.keys[p] >> 32);
		const struct client_stats *c = strtab_val(&r->clients_t, cid);
		if (!c->top)
			continue;
		uint32_t *top = s->client_rules + (size_t)(c->top - 1) * REPORT_CLIENT_RULES;
		/* insertion into a short sorted list */
		uint32_t cur = p;
		for (int k = 0; k < REPORT_CLIENT_RULES; k++) {
			if (top[k] == UINT32_MAX) {
				top[k] = cur;
				break;
			}
			if (pair_beats(r, cur, top[k])) {
				uint32_t t = top[k];
				top[k] = cur;
				cur = t;
			}
		}
	}
	return 0;
}

/* ---- output: text ----------------------------------------------------------- */

/** Append text for a terminal: control bytes, DEL, C1 controls and invalid UTF-8 as \DDD. */
static void put_clean(struct dnsrep_buf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; i < n;) {
		unsigned c = p[i];
		size_t len = 0;
		if (c >= 0x20 && c < 0x7f) {
			len = 1;
		} else if (c >= 0xc2 && c <= 0xf4) {
			size_t want = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
			int ok = i + want <= n;
			for (size_t k = 1; ok && k < want; k++)
				ok = (p[i + k] & 0xc0) == 0x80;
			if (ok && c == 0xc2 && p[i + 1] < 0xa0)
				ok = 0; /* U+0080..U+009F: C1 controls */
			if (ok && c == 0xe0 && p[i + 1] < 0xa0)
				ok = 0; /* overlong */
			if (ok && c == 0xed && p[i + 1] >= 0xa0)
				ok = 0; /* surrogates */
			if (ok && c == 0xf0 && p[i + 1] < 0x90)
				ok = 0; /* overlong */
			if (ok && c == 0xf4 && p[i + 1] >= 0x90)
				ok = 0; /* beyond U+10FFFF */
			len = ok ? want : 0;
		}
		if (len) {
			dnsrep_buf_add(b, s + i, len);
			i += len;
		} else {
			char esc[8];
			snprintf(esc, sizeof(esc), "\\%03u", c);
			dnsrep_buf_add(b, esc, 4);
			i++;
		}
	}
}

/** Columns a cleaned string takes: its bytes that do not continue a UTF-8 character. */
static size_t display_width(const char *s, size_t n)
{
	size_t w = 0;
	for (size_t i = 0; i < n; i++)
		w += ((unsigned char)s[i] & 0xc0) != 0x80;
	return w;
}

#define TABLE_MAX_COLS 10

/** A text table: cells are kept cleaned, NUL-separated, in one buffer. */
struct table {
	int ncols;
	const char *const *head;
	const char *align;        /**< 'l' or 'r' per column */
	struct dnsrep_buf cells;
	size_t *offs;             /**< start of each cell in cells.data */
	size_t ncells, cap;
	int failed;
};

static void table_init(struct table *t, int ncols, const char *const *head, const char *align)
{
	memset(t, 0, sizeof(*t));
	t->ncols = ncols;
	t->head = head;
	t->align = align;
}

static void table_str(struct table *t, const char *s, size_t n)
{
	if (grow(&t->offs, &t->cap, t->ncells + 1, sizeof(*t->offs)) < 0) {
		t->failed = 1;
		return;
	}
	t->offs[t->ncells++] = t->cells.len;
	put_clean(&t->cells, s, n);
	dnsrep_buf_add(&t->cells, "", 1); /* the NUL separator: the buffer keeps one after it */
}

static void table_num(struct table *t, uint64_t v)
{
	char num[24];
	int n = snprintf(num, sizeof(num), "%" PRIu64, v);
	table_str(t, num, (size_t)n);
}

static void table_time(struct table *t, int64_t ms)
{
	char when[40];
	format_time(ms, 0, when, sizeof(when));
	table_str(t, when, strlen(when));
}

/** Print the table, indented by two spaces, columns two apart; free it. */
static void table_print(struct table *t, struct dnsrep_buf *out, int *failed)
{
	size_t width[TABLE_MAX_COLS] = { 0 };
	if (t->failed || t->cells.failed)
		*failed = 1;
	for (int c = 0; c < t->ncols; c++)
		width[c] = strlen(t->head[c]);
	for (size_t i = 0; !*failed && i < t->ncells; i++) {
		const char *s = t->cells.data + t->offs[i];
		size_t w = display_width(s, strlen(s));
		if (w > width[i % (size_t)t->ncols])
			width[i % (size_t)t->ncols] = w;
	}
	size_t nrows = *failed ? 0 : t->ncells / (size_t)t->ncols;
	for (size_t row = 0; row <= nrows; row++) {
		dnsrep_buf_puts(out, " ");
		for (int c = 0; c < t->ncols; c++) {
			const char *s = row == 0 ? t->head[c] : t->cells.data + t->offs[(row - 1) * (size_t)t->ncols + (size_t)c];
			size_t w = display_width(s, strlen(s));
			size_t pad = width[c] - w;
			dnsrep_buf_puts(out, " ");
			if (t->align[c] == 'r')
				for (size_t k = 0; k < pad; k++)
					dnsrep_buf_add(out, " ", 1);
			dnsrep_buf_puts(out, s);
			if (t->align[c] == 'l' && c + 1 < t->ncols)
				for (size_t k = 0; k < pad; k++)
					dnsrep_buf_add(out, " ", 1);
			if (c + 1 < t->ncols)
				dnsrep_buf_add(out, " ", 1);
		}
		dnsrep_buf_puts(out, "\n");
	}
	if (nrows == 0 && !*failed)
		dnsrep_buf_puts(out, "  (none)\n");
	dnsrep_buf_free(&t->cells);
	free(t->offs);
}

static void put_total(struct dnsrep_buf *out, const char *label, uint64_t v)
{
	char line[96];
	snprintf(line, sizeof(line), "  %-18s %12" PRIu64 "\n", label, v);
	dnsrep_buf_puts(out, line);
}

static void put_heading(struct dnsrep_buf *out, const char *title, size_t n, size_t of)
{
	char line[128];
	if (n < of)
		snprintf(line, sizeof(line), "\n%s (top %zu of %zu, by lookups)\n", title, n, of);
	else
		snprintf(line, sizeof(line), "\n%s (%zu, by lookups)\n", title, of);
	dnsrep_buf_puts(out, line);
}

static void print_text(const struct report *r, const struct sorted *s, struct dnsrep_buf *out, int *failed)
{
	char a[40], b[40], line[200];
	dnsrep_buf_puts(out, "dnsrep block log report\n");
	if (r->has_since || r->n_client_filters || r->n_rule_filters) {
		dnsrep_buf_puts(out, "  filters:");
		if (r->has_since) {
			format_time(r->since, 0, a, sizeof(a));
			dnsrep_buf_puts(out, " since ");
			dnsrep_buf_puts(out, a);
		}
		for (size_t i = 0; i < r->n_client_filters; i++) {
			dnsrep_buf_puts(out, " client ");
			put_clean(out, r->client_filter_text[i], strlen(r->client_filter_text[i]));
		}
		for (size_t i = 0; i < r->n_rule_filters; i++) {
			dnsrep_buf_puts(out, " rule ");
			put_clean(out, r->rule_filter[i], strlen(r->rule_filter[i]));
		}
		dnsrep_buf_puts(out, "\n");
	}
	dnsrep_buf_puts(out, "\nTotals\n");
	put_total(out, "lookups", r->lookups);
	put_total(out, "blocked", r->lookups - r->actions[A_LOGONLY] - r->actions[A_EXEMPT] -
		  r->actions[A_ESCAPED] - r->actions[A_OTHER]);
	for (int k = A_NXDOMAIN; k <= A_SINKHOLE; k++) {
		if (r->actions[k]) {
			snprintf(b, sizeof(b), "  %s", action_names[k]);
			put_total(out, b, r->actions[k]);
		}
	}
	put_total(out, "log-only", r->actions[A_LOGONLY]);
	put_total(out, "exempt", r->actions[A_EXEMPT]);
	if (r->actions[A_ESCAPED]) /* a blocked name answered from Unbound's cache: say so */
		put_total(out, "escaped (real answers)", r->actions[A_ESCAPED]);
	if (r->actions[A_OTHER])
		put_total(out, "other action", r->actions[A_OTHER]);
	put_total(out, "clients", r->clients);
	put_total(out, "rules", r->rules);
	put_total(out, "feeds", s->n_feeds);
	put_total(out, "drops", r->drops);
	put_total(out, "damaged lines", r->damaged);
	if (r->has_since || r->n_client_filters || r->n_rule_filters)
		put_total(out, "filtered out", r->filtered);
	if (r->other_events)
		put_total(out, "other events", r->other_events);
	put_total(out, "lines", r->lines);
	put_total(out, "files read", r->files_read);
	if (r->files_unreadable)
		put_total(out, "files unreadable", r->files_unreadable);
	if (r->has_span) {
		format_time(r->first, 0, a, sizeof(a));
		format_time(r->last, 0, b, sizeof(b));
		snprintf(line, sizeof(line), "  %-18s %s .. %s\n", "time span", a, b);
	} else {
		snprintf(line, sizeof(line), "  %-18s %s\n", "time span", "-");
	}
	dnsrep_buf_puts(out, line);

	/* per feed */
	static const char *const feed_head[] = { "FEED", "LOOKUPS", "BLOCKED", "LOG-ONLY", "EXEMPT",
		"RULES", "FIRST SEEN", "LAST SEEN" };
	struct table t;
	size_t n = shown(r, s->n_feeds);
	put_heading(out, "Per feed", n, s->n_feeds);
	table_init(&t, 8, feed_head, "lrrrrrll");
	for (size_t i = 0; i < n; i++) {
		const struct feed_stats *f = strtab_val(&r->feeds_t, s->feeds[i].id);
		table_str(&t, s->feeds[i].name, s->feeds[i].len);
		table_num(&t, f->c.lookups);
		table_num(&t, f->c.blocked);
		table_num(&t, f->c.logonly);
		table_num(&t, f->c.exempt);
		table_num(&t, f->rules);
		table_time(&t, f->c.first);
		table_time(&t, f->c.last);
	}
	table_print(&t, out, failed);

	/* per rule */
	static const char *const rule_head[] = { "RULE", "CATEGORY", "FEED", "LOOKUPS", "BLOCKED",
		"CLIENTS", "FIRST SEEN", "LAST SEEN" };
	n = shown(r, s->n_rules);
	put_heading(out, "Per rule", n, s->n_rules);
	table_init(&t, 8, rule_head, "lllrrrll");
	for (size_t i = 0; i < n; i++) {
		const struct rule_stats *row = idtab_val(&r->rules_t, s->rules[i].id);
		const struct strent *cat = &r->categories_t.ent[row->category];
		table_str(&t, s->rules[i].name, s->rules[i].len);
		table_str(&t, cat->s, cat->len);
		table_str(&t, s->rules[i].name2, s->rules[i].len2);
		table_num(&t, row->c.lookups);
		table_num(&t, row->c.blocked);
		table_num(&t, row->clients);
		table_time(&t, row->c.first);
		table_time(&t, row->c.last);
	}
	table_print(&t, out, failed);

	/* top clients */
	static const char *const client_head[] = { "CLIENT", "LOOKUPS", "BLOCKED", "RULES",
		"FIRST SEEN", "LAST SEEN", "TOP RULES" };
	n = shown(r, s->n_clients);
	put_heading(out, "Top clients", n, s->n_clients);
	table_init(&t, 7, client_head, "lrrrlll");
	struct dnsrep_buf tops = { 0 };
	for (size_t i = 0; i < n; i++) {
		const struct client_stats *c = strtab_val(&r->clients_t, s->clients[i].id);
		table_str(&t, s->clients[i].name, s->clients[i].len);
		table_num(&t, c->c.lookups);
		table_num(&t, c->c.blocked);
		table_num(&t, c->rules);
		table_time(&t, c->c.first);
		table_time(&t, c->c.last);
		dnsrep_buf_reset(&tops);
		for (int k = 0; k < REPORT_CLIENT_RULES; k++) {
			uint32_t p = s->client_rules[i * REPORT_CLIENT_RULES + (size_t)k];
			if (p == UINT32_MAX)
				break;
			const struct pair_stats *ps = idtab_val(&r->pairs_t, p);
			const struct rule_stats *row = idtab_val(&r->rules_t, (uint32_t)r->pairs_t.keys[p]);
			const struct strent *rn = &r->rulenames_t.ent[row->rule];
			char cnt[32];
			snprintf(cnt, sizeof(cnt), " (%" PRIu64 ")", ps->lookups);
			if (k)
				dnsrep_buf_puts(&tops, ", ");
			dnsrep_buf_add(&tops, rn->s, rn->len);
			dnsrep_buf_puts(&tops, cnt);
		}
		if (tops.failed)
			*failed = 1;
		table_str(&t, tops.data ? tops.data : "", tops.len);
	}
	dnsrep_buf_free(&tops);
	table_print(&t, out, failed);

	/* per hour */
	static const char *const hour_head[] = { "HOUR (UTC)", "LOOKUPS", "BLOCKED" };
	snprintf(line, sizeof(line), "\nPer hour (%zu)\n", s->n_hours);
	dnsrep_buf_puts(out, line);
	table_init(&t, 3, hour_head, "lrr");
	for (size_t i = 0; i < s->n_hours; i++) {
		const struct hour_stats *h = idtab_val(&r->hours_t, s->hour_ids[i]);
		format_hour(s->hours[i], a, sizeof(a));
		table_str(&t, a, strlen(a));
		table_num(&t, h->lookups);
		table_num(&t, h->blocked);
	}
	table_print(&t, out, failed);
}

/* ---- output: JSON ----------------------------------------------------------- */

static void json_num(struct dnsrep_buf *b, const char *key, uint64_t v)
{
	char num[64];
	snprintf(num, sizeof(num), "\"%s\":%" PRIu64, key, v);
	dnsrep_buf_puts(b, num);
}

static void json_time(struct dnsrep_buf *b, const char *key, int has, int64_t ms)
{
	char when[40];
	if (has)
		format_time(ms, 1, when, sizeof(when));
	dnsrep_json_kv(b, key, has ? when : NULL);
}

static void json_counts(struct dnsrep_buf *b, const struct counts *c)
{
	json_num(b, "lookups", c->lookups);
	dnsrep_buf_puts(b, ",");
	json_num(b, "blocked", c->blocked);
	dnsrep_buf_puts(b, ",");
	json_num(b, "log_only", c->logonly);
	dnsrep_buf_puts(b, ",");
	json_num(b, "exempt", c->exempt);
	dnsrep_buf_puts(b, ",");
	json_time(b, "first", 1, c->first);
	dnsrep_buf_puts(b, ",");
	json_time(b, "last", 1, c->last);
}

static void print_json(const struct report *r, const struct sorted *s, struct dnsrep_buf *b)
{
	char hour[40];
	dnsrep_buf_puts(b, "{\"filters\":{");
	json_time(b, "since", r->has_since, r->since);
	dnsrep_buf_puts(b, ",\"client\":[");
	for (size_t i = 0; i < r->n_client_filters; i++) {
		if (i)
			dnsrep_buf_puts(b, ",");
		dnsrep_json_str(b, r->client_filter_text[i], strlen(r->client_filter_text[i]));
	}
	dnsrep_buf_puts(b, "],\"rule\":[");
	for (size_t i = 0; i < r->n_rule_filters; i++) {
		if (i)
			dnsrep_buf_puts(b, ",");
		dnsrep_json_str(b, r->rule_filter[i], strlen(r->rule_filter[i]));
	}
	dnsrep_buf_puts(b, "]},\"totals\":{");
	json_num(b, "lookups", r->lookups);
	dnsrep_buf_puts(b, ",");
	json_num(b, "blocked", r->lookups - r->actions[A_LOGONLY] - r->actions[A_EXEMPT] -
		 r->actions[A_ESCAPED] - r->actions[A_OTHER]);
	dnsrep_buf_puts(b, ",");
	json_num(b, "log_only", r->actions[A_LOGONLY]);
	dnsrep_buf_puts(b, ",");
	json_num(b, "exempt", r->actions[A_EXEMPT]);
	dnsrep_buf_puts(b, ",\"actions\":{");
	for (int k = 0; k < A_N; k++) {
		if (k)
			dnsrep_buf_puts(b, ",");
		json_num(b, action_names[k], r->actions[k]);
	}
	dnsrep_buf_puts(b, "},");
	json_num(b, "clients", r->clients);
	dnsrep_buf_puts(b, ",");
	json_num(b, "rules", r->rules);
	dnsrep_buf_puts(b, ",");
	json_num(b, "feeds", s->n_feeds);
	dnsrep_buf_puts(b, ",");
	json_num(b, "drops", r->drops);
	dnsrep_buf_puts(b, ",");
	json_num(b, "drop_events", r->drop_events);
	dnsrep_buf_puts(b, ",");
	json_num(b, "other_events", r->other_events);
	dnsrep_buf_puts(b, ",");
	json_num(b, "damaged", r->damaged);
	dnsrep_buf_puts(b, ",");
	json_num(b, "filtered", r->filtered);
	dnsrep_buf_puts(b, ",");
	json_num(b, "lines", r->lines);
	dnsrep_buf_puts(b, ",");
	json_num(b, "files_read", r->files_read);
	dnsrep_buf_puts(b, ",");
	json_num(b, "files_unreadable", r->files_unreadable);
	dnsrep_buf_puts(b, ",");
	json_time(b, "first", r->has_span, r->first);
	dnsrep_buf_puts(b, ",");
	json_time(b, "last", r->has_span, r->last);

	dnsrep_buf_puts(b, "},\"feeds\":[");
	for (size_t i = 0; i < shown(r, s->n_feeds); i++) {
		const struct feed_stats *f = strtab_val(&r->feeds_t, s->feeds[i].id);
		dnsrep_buf_puts(b, i ? ",{\"feed\":" : "{\"feed\":");
		dnsrep_json_str(b, s->feeds[i].name, s->feeds[i].len);
		dnsrep_buf_puts(b, ",");
		json_counts(b, &f->c);
		dnsrep_buf_puts(b, ",");
		json_num(b, "rules", f->rules);
		dnsrep_buf_puts(b, "}");
	}
	dnsrep_buf_puts(b, "],\"rules\":[");
	for (size_t i = 0; i < shown(r, s->n_rules); i++) {
		const struct rule_stats *row = idtab_val(&r->rules_t, s->rules[i].id);
		const struct strent *cat = &r->categories_t.ent[row->category];
		dnsrep_buf_puts(b, i ? ",{\"rule\":" : "{\"rule\":");
		dnsrep_json_str(b, s->rules[i].name, s->rules[i].len);
		dnsrep_buf_puts(b, ",\"feed\":");
		dnsrep_json_str(b, s->rules[i].name2, s->rules[i].len2);
		dnsrep_buf_puts(b, ",\"category\":");
		dnsrep_json_str(b, cat->s, cat->len);
		dnsrep_buf_puts(b, ",");
		json_counts(b, &row->c);
		dnsrep_buf_puts(b, ",");
		json_num(b, "clients", row->clients);
		dnsrep_buf_puts(b, "}");
	}
	dnsrep_buf_puts(b, "],\"clients\":[");
	for (size_t i = 0; i < shown(r, s->n_clients); i++) {
		const struct client_stats *c = strtab_val(&r->clients_t, s->clients[i].id);
		dnsrep_buf_puts(b, i ? ",{\"client\":" : "{\"client\":");
		dnsrep_json_str(b, s->clients[i].name, s->clients[i].len);
		dnsrep_buf_puts(b, ",");
		json_counts(b, &c->c);
		dnsrep_buf_puts(b, ",");
		json_num(b, "rules", c->rules);
		dnsrep_buf_puts(b, ",\"top_rules\":[");
		for (int k = 0; k < REPORT_CLIENT_RULES; k++) {
			uint32_t p = s->client_rules[i * REPORT_CLIENT_RULES + (size_t)k];
			if (p == UINT32_MAX)
				break;
			const struct pair_stats *ps = idtab_val(&r->pairs_t, p);
			const struct rule_stats *row = idtab_val(&r->rules_t, (uint32_t)r->pairs_t.keys[p]);
			const struct strent *rn = &r->rulenames_t.ent[row->rule];
			const struct strent *fn = &r->feeds_t.ent[row->feed];
			dnsrep_buf_puts(b, k ? ",{\"rule\":" : "{\"rule\":");
			dnsrep_json_str(b, rn->s, rn->len);
			dnsrep_buf_puts(b, ",\"feed\":");
			dnsrep_json_str(b, fn->s, fn->len);
			dnsrep_buf_puts(b, ",");
			json_num(b, "lookups", ps->lookups);
			dnsrep_buf_puts(b, "}");
		}
		dnsrep_buf_puts(b, "]}");
	}
	dnsrep_buf_puts(b, "],\"hours\":[");
	for (size_t i = 0; i < s->n_hours; i++) {
		const struct hour_stats *h = idtab_val(&r->hours_t, s->hour_ids[i]);
		format_hour(s->hours[i], hour, sizeof(hour));
		dnsrep_buf_puts(b, i ? ",{" : "{");
		dnsrep_json_kv(b, "hour", hour);
		dnsrep_buf_puts(b, ",");
		json_num(b, "lookups", h->lookups);
		dnsrep_buf_puts(b, ",");
		json_num(b, "blocked", h->blocked);
		dnsrep_buf_puts(b, "}");
	}
	dnsrep_buf_puts(b, "]}\n");
}

/* ---- the command ------------------------------------------------------------ */

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: dnsrepctl report [--since DURATION|TIME] [--client CIDR] [--rule NAME]\n"
		"                        [--json] [--top N] [--redis [--config FILE]] [FILE...]\n"
		"\n"
		"What the block logs say: totals, lookups per feed and per rule, the clients\n"
		"that asked most and the rules they hit, first and last seen, counts per hour.\n"
		"FILE defaults to " REPORT_DEFAULT_LOG "; - is standard input.\n"
		"Rotated and gzipped logs are read as they are (dnsrep-blocks.jsonl*).\n"
		"\n"
		"Options:\n"
		"  --since D|TIME  only lookups from the last D (30s, 90m, 24h, 7d, 2w) or since\n"
		"                  an RFC 3339 time (2026-11-21T11:00:00Z, 2026-11-21)\n"
		"  --client CIDR   only lookups by clients in CIDR (192.0.2.0/24, 2001:db8::/32,\n"
		"                  or one address); may be repeated\n"
		"  --rule NAME     only lookups decided by the rule NAME (case and a trailing\n"
		"                  dot ignored); may be repeated\n"
		"  --top N         rows per table (default %d; 0: all); per hour lists all\n"
		"  --json          one JSON object instead of text\n"
		"  --redis         read the fleet's log from the Redis stream (redis-stream: yes)\n"
		"                  named by the configuration, as well as any FILE given\n"
		"  --config FILE   the configuration for --redis (default $DNSREP_CONF or\n"
		"                  /etc/unbound/dnsrep.conf)\n"
		"  -h, --help      this text\n"
		"\n"
		"Drop events count whatever --client and --rule say (they are resolver-wide).\n"
		"Damaged lines (not JSON, truncated, no ts or qname, over 64 KiB) are counted,\n"
		"the first %d named on stderr as FILE:LINE: reason, and skipped.\n"
		"\n"
		"--json prints one object (times as \"2026-11-21T11:09:00.123Z\", null if none):\n"
		"  {\"filters\": {\"since\": TIME|null, \"client\": [CIDR...], \"rule\": [NAME...]},\n"
		"   \"totals\": {\"lookups\", \"blocked\", \"log_only\", \"exempt\",\n"
		"              \"actions\": {\"nxdomain\", \"nodata\", \"refused\", \"sinkhole\",\n"
		"                          \"log-only\", \"exempt\", \"escaped\", \"other\"},\n"
		"              \"clients\", \"rules\", \"feeds\" (distinct), \"drops\" (records lost),\n"
		"              \"drop_events\", \"other_events\", \"damaged\", \"filtered\", \"lines\",\n"
		"              \"files_read\", \"files_unreadable\", \"first\", \"last\"},\n"
		"   \"feeds\":   [{\"feed\", COUNTS, \"rules\"}...],\n"
		"   \"rules\":   [{\"rule\", \"feed\", \"category\", COUNTS, \"clients\"}...],\n"
		"   \"clients\": [{\"client\", COUNTS, \"rules\",\n"
		"                \"top_rules\": [{\"rule\", \"feed\", \"lookups\"}...]}...],\n"
		"   \"hours\":   [{\"hour\": \"2026-11-21T11:00Z\", \"lookups\", \"blocked\"}...]}\n"
		"  COUNTS is \"lookups\", \"blocked\", \"log_only\", \"exempt\", \"first\", \"last\".\n"
		"  feeds, rules and clients are sorted by lookups (most first) and cut to --top;\n"
		"  a rule row is one rule name in one feed; hours are in order, UTC.\n"
		"\n"
		"Exit status: 0 success; 1 a file could not be opened or read to its end (what\n"
		"could be read of a cut .gz is counted; the other files are still reported);\n"
		"2 usage error.\n",
		REPORT_TOP_DEFAULT, REPORT_DAMAGED_SHOWN);
}

/** --since: a duration back from now, or an RFC 3339 time.  -1 when neither. */
static int parse_since(const char *v, int64_t now_ms, int64_t *since)
{
	if (dnsrep_duration_has_unit(v)) {
		uint64_t secs;
		if (dnsrep_parse_duration(v, UINT64_C(1) << 40, &secs) < 0)
			return -1;
		*since = now_ms - (int64_t)(secs * 1000);
		return 0;
	}
	return parse_time(v, strlen(v), 1, since);
}

static void report_free(struct report *r)
{
	strtab_free(&r->clients_t);
	strtab_free(&r->rulenames_t);
	strtab_free(&r->feeds_t);
	strtab_free(&r->categories_t);
	idtab_free(&r->rules_t);
	idtab_free(&r->pairs_t);
	idtab_free(&r->hours_t);
	arena_free(&r->arena);
	free(r->buf);
	free(r->scan.scratch);
}

int dnsrepctl_report(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "since", required_argument, NULL, 's' },
		{ "client", required_argument, NULL, 'c' },
		{ "rule", required_argument, NULL, 'r' },
		{ "top", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ "redis", no_argument, NULL, 'R' },
		{ "config", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int from_redis = 0;
	const char *config = dnsrep_config_default_path();
	struct report *r = calloc(1, sizeof(*r));
	if (!r) {
		fprintf(stderr, "dnsrepctl: out of memory\n");
		return 1;
	}
	r->top = REPORT_TOP_DEFAULT;
	int opt, rc = 0;
	const char *why;
	char *end;
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	int64_t now_ms = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "s:c:r:t:jh", opts, NULL)) != -1) {
		switch (opt) {
		case 'R':
			from_redis = 1;
			break;
		case 'C':
			config = optarg;
			break;
		case 's':
			if (parse_since(optarg, now_ms, &r->since) < 0) {
				fprintf(stderr, "dnsrepctl report: --since '%s': not a duration (24h, 90m, 7d, 30s) "
					"or an RFC 3339 time (2026-11-21T11:00:00Z)\n", optarg);
				rc = 2;
			}
			r->has_since = 1;
			break;
		case 'c':
			if (r->n_client_filters == REPORT_MAX_FILTERS) {
				fprintf(stderr, "dnsrepctl report: at most %d --client options\n", REPORT_MAX_FILTERS);
				rc = 2;
			} else if (dnsrep_cidr_parse(optarg, &r->client_filter[r->n_client_filters], &why) < 0) {
				fprintf(stderr, "dnsrepctl report: --client '%s': %s\n", optarg, why);
				rc = 2;
			} else {
				r->client_filter_text[r->n_client_filters++] = optarg;
			}
			break;
		case 'r':
			if (r->n_rule_filters == REPORT_MAX_FILTERS) {
				fprintf(stderr, "dnsrepctl report: at most %d --rule options\n", REPORT_MAX_FILTERS);
				rc = 2;
			} else if (!*optarg) {
				fprintf(stderr, "dnsrepctl report: --rule needs a name\n");
				rc = 2;
			} else {
				r->rule_filter[r->n_rule_filters++] = optarg;
			}
			break;
		case 't': {
			errno = 0;
			unsigned long long v = strtoull(optarg, &end, 10);
			if (*optarg < '0' || *optarg > '9' || *end || errno || v > 1000000) {
				fprintf(stderr, "dnsrepctl report: --top '%s': not a number from 0 to 1000000\n", optarg);
				rc = 2;
			}
			r->top = (size_t)v;
			break;
		}
		case 'j':
			r->json = 1;
			break;
		case 'h':
			usage(stdout);
			free(r);
			return 0;
		default:
			rc = 2;
			break;
		}
	}
	if (rc) {
		usage(stderr);
		free(r);
		return rc;
	}

	r->buf = malloc(REPORT_CHUNK + REPORT_MAX_LINE + 1);
	r->scan.scratch = malloc(REPORT_MAX_LINE + 1); /* decoded text never outgrows its line */
	if (!r->buf || !r->scan.scratch || strtab_init(&r->clients_t, sizeof(struct client_stats), &r->arena) < 0 ||
	    strtab_init(&r->rulenames_t, sizeof(struct rulename_stats), &r->arena) < 0 ||
	    strtab_init(&r->feeds_t, sizeof(struct feed_stats), &r->arena) < 0 ||
	    strtab_init(&r->categories_t, 1, &r->arena) < 0 ||
	    idtab_init(&r->rules_t, sizeof(struct rule_stats)) < 0 ||
	    idtab_init(&r->pairs_t, sizeof(struct pair_stats)) < 0 ||
	    idtab_init(&r->hours_t, sizeof(struct hour_stats)) < 0) {
		fprintf(stderr, "dnsrepctl: out of memory\n");
		report_free(r);
		free(r);
		return 1;
	}

	int nfiles = optind < argc ? argc - optind : from_redis ? 0 : 1;
	if (from_redis) {
		int got = read_redis(r, config);
		if (got < 0)
			r->oom = 1;
		else if (got > 0)
			rc = 1;
	}
	for (int i = 0; i < nfiles && !r->oom; i++) {
		int got = read_file(r, optind < argc ? argv[optind + i] : REPORT_DEFAULT_LOG);
		if (got < 0) {
			r->oom = 1;
			break;
		}
		if (got > 0)
			rc = 1;
	}
	if (r->damaged > REPORT_DAMAGED_SHOWN)
		fprintf(stderr, "dnsrepctl: %" PRIu64 " damaged lines in all (the first %d shown)\n",
			r->damaged, REPORT_DAMAGED_SHOWN);

	struct sorted s;
	struct dnsrep_buf out = { 0 };
	int failed = r->oom;
	if (!failed && sort_report(r, &s) < 0)
		failed = 1;
	else if (!failed) {
		if (r->json)
			print_json(r, &s, &out);
		else
			print_text(r, &s, &out, &failed);
	}
	if (!r->oom)
		sorted_free(&s);
	if (failed || out.failed) {
		fprintf(stderr, "dnsrepctl: out of memory\n");
		rc = 1;
	} else if (fwrite(out.data, 1, out.len, stdout) != out.len || fflush(stdout) != 0) {
		fprintf(stderr, "dnsrepctl: writing the report: %s\n", strerror(errno));
		rc = 1;
	}
	dnsrep_buf_free(&out);
	report_free(r);
	free(r);
	return rc;
}
