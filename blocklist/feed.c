/*
 * feed.c — feed formats: turn a feed's text into blocklist entries.
 *
 * A feed is read line by line from memory.  Every line is first measured and
 * checked (longer than 4096 bytes, or holding a NUL byte: rejected without
 * looking further), then handed to the line parser of its format:
 *
 *     plain    example.com            the name and everything below it
 *              *.example.com          only the names below it
 *     hosts    0.0.0.0 a.example b.example   each name exactly
 *     adblock  ||example.com^  @@||example.com^   a subtree, blocked or allowed
 *     rpz      an RPZ zone file; records are assembled across parentheses and
 *              parsed one by one with ldns, so a bad record is reported with
 *              the line it starts on and parsing goes on
 *     csv      domain,category,reason,date,source (RFC 4180 quoting), the
 *              only format that carries per-line provenance
 *
 * Names are decoded by name.c (dnsrep_name_from_text, or _from_wire for RPZ),
 * whose reasons are passed on as they are.  Entries for the root or a bare
 * public suffix are refused unless the feed allows them: one such line would
 * block (or unblock) everything.
 *
 * Why it is strict: a blocklist line that does not mean exactly one DNS rule
 * (a URL, a path rule, a cosmetic rule, an RPZ action we cannot carry out) is
 * rejected with a reason rather than guessed at, and when too large a share of
 * a feed is rejected the whole feed is refused, so that a broken download never
 * replaces a good blocklist.  Nothing here prints: lines go to the reject
 * callback, the feed's fate to the caller's error buffer.
 */
#include "dnsrep_config.h"
#include "dnsrep/feed.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ldns/ldns.h>

/** A line longer than this (CR and LF not counted) is rejected unread. */
#define FEED_LINE_MAX 4096
/** An RPZ record assembled from several lines may not grow beyond this. */
#define RPZ_RECORD_MAX 65536
/** The TTL of RPZ records when there is no $TTL (it does not matter to us). */
#define RPZ_DEFAULT_TTL 3600
/** Quoted excerpts of bad input in reasons are cut to this many bytes. */
#define SHOW_MAX 64

/** What the RPZ parser carries from one record to the next. */
struct rpz_state {
	ldns_rdf *origin;  /**< completes relative names ($ORIGIN, else the SOA owner) */
	ldns_rdf *apex;    /**< the zone's name, stripped from owners to get triggers */
	int apex_from_soa; /**< the apex is the SOA's owner (a later $ORIGIN does not move it) */
	ldns_rdf *prev;    /**< the previous record's owner, for records without one */
	uint32_t ttl;      /**< $TTL */
	char *rec;         /**< the record being assembled (parentheses spanning lines) */
	size_t reclen, reccap;
	unsigned rec_line; /**< the line the record started on */
	int depth;         /**< open parentheses */
	int too_long;      /**< the record outgrew RPZ_RECORD_MAX: drop it when it ends */
};

/** A sorted set of rule keys: "FLAGS name" (flags: a allow, i important). */
struct adset {
	char **keys;
	size_t n, cap;
	int oom;
};

/** What the prescan learned: the rules that override others. */
struct adblock_state {
	int prescanned;
	struct adset cancelled;  /**< rules a $badfilter names */
	struct adset rules;      /**< every rule that is not cancelled (exceptions and
				      $important blocks are what is asked of it) */
};

/** One parse of one feed. */
struct parser {
	const struct dnsrep_feed_opts *opts;
	const char *feed;
	enum dnsrep_format format;
	dnsrep_entry_fn on_entry;
	dnsrep_reject_fn on_reject;
	void *ctx;
	struct dnsrep_feed_stats *st;
	char *err;
	size_t errlen;
	unsigned line;         /**< the current line, from 1 */
	int csv_header_seen;
	struct rpz_state rpz;
	struct adblock_state ad; /**< adblock: the rules that override others */
	int ad_oom;
};

/* ---- messages ------------------------------------------------------------------ */

static void set_err(struct parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void set_err(struct parser *p, const char *fmt, ...)
{
	if (!p->err || p->errlen == 0)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(p->err, p->errlen, fmt, ap);
	va_end(ap);
}

static void reject_at(struct parser *p, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/** Report a rejected line (or name, or record) and count it; parsing goes on. */
static void reject_at(struct parser *p, unsigned line, const char *fmt, ...)
{
	char reason[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	p->st->rejected++;
	if (p->on_reject)
		p->on_reject(p->ctx, p->feed, line, reason);
}

/**
 * Write bad input for a message: printable ASCII as it is, every other byte as
 * \xNN, cut after SHOW_MAX bytes with "...".  buf must hold 4 * SHOW_MAX + 4.
 */
static const char *show(char *buf, size_t buflen, const char *s, size_t n)
{
	size_t o = 0;
	for (size_t i = 0; i < n && i < SHOW_MAX && o + 5 < buflen; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c < 0x7f && c != '\'')
			buf[o++] = (char)c;
		else
			o += (size_t)snprintf(buf + o, buflen - o, "\\x%02x", c);
	}
	if (n > SHOW_MAX && o + 4 <= buflen) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o < buflen ? o : buflen - 1] = '\0';
	return buf;
}
#define SHOWBUF (4 * SHOW_MAX + 4)

/* ---- small text helpers ------------------------------------------------------- */

static int is_space(char c)
{
	return c == ' ' || c == '\t';
}

/** Trim white space at both ends, in place; returns the new start, *n the new length. */
static char *trim(char *s, size_t *n)
{
	size_t len = *n;
	while (len > 0 && is_space(*s)) {
		s++;
		len--;
	}
	while (len > 0 && is_space(s[len - 1]))
		len--;
	s[len] = '\0';
	*n = len;
	return s;
}

/** Cut a line at the first c (a comment), in place. */
static void cut_at(char *s, size_t *n, char c)
{
	char *hash = memchr(s, c, *n);
	if (hash) {
		*hash = '\0';
		*n = (size_t)(hash - s);
	}
}

/** The next white-space separated token at or after *pos; NULL at the end. */
static char *next_token(char **pos, size_t *toklen)
{
	char *s = *pos;
	while (*s && is_space(*s))
		s++;
	if (!*s)
		return NULL;
	char *t = s;
	while (*s && !is_space(*s))
		s++;
	*toklen = (size_t)(s - t);
	if (*s)
		*s++ = '\0';
	*pos = s;
	return t;
}

static int starts_with_nocase(const char *s, const char *prefix)
{
	return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

/* ---- entries -------------------------------------------------------------------- */

/** Provenance a line may carry (CSV); NULLs elsewhere. */
struct extras {
	const char *category, *reason, *date, *source;
	int action; /**< enum dnsrep_action the line says, or 0 */
};

/**
 * Hand one entry to the caller, unless it is for the root or a bare public
 * suffix (then the line is rejected, unless the feed allows those).
 * @return 0, or -1 when the callback failed (err set).
 */
static int emit(struct parser *p, unsigned line, const struct dnsrep_name *name,
	unsigned scope, int allow, const struct extras *x)
{
	/* an entry for a public suffix itself only (a hosts line, an RPZ exact trigger)
	 * covers that one name: legitimate (a host named like a suffix: PSL wildcard
	 * rules make every ec2-….compute-1.amazonaws.com one); an entry covering the
	 * names below one covers everybody's names */
	if (!p->opts->allow_public_suffix && (name->labels == 0 || (scope & DNSREP_SCOPE_BELOW)) &&
	    dnsrep_name_is_public_suffix(name)) {
		const char *verb = allow ? "allow" : "block";
		const char *what = allow ? "unblock" : "block";
		if (name->labels == 0) {
			reject_at(p, line, "refusing to %s the root: one line would %s everything "
				"(set allow-public-suffix)", verb, what);
		} else {
			char text[DNSREP_NAME_MAXTEXT];
			if (dnsrep_name_to_text(name->wire, text, sizeof(text)) < 0)
				strcpy(text, "?");
			reject_at(p, line, "refusing to %s \"%s\", a public suffix: one line would "
				"%s everything (set allow-public-suffix)", verb, text, what);
		}
		return 0;
	}
	struct dnsrep_entry e;
	memset(&e, 0, sizeof(e));
	e.name = *name;
	e.scope = scope;
	e.allow = allow;
	if (x) {
		e.category = x->category;
		e.reason = x->reason;
		e.date = x->date;
		e.source = x->source;
		e.action = x->action;
	}
	e.line = line;
	if (p->on_entry(p->ctx, &e) != 0) {
		set_err(p, "feed %s: out of memory at line %u", p->feed, line);
		return -1;
	}
	p->st->entries++;
	if (allow)
		p->st->allows++;
	return 0;
}

/**
 * Check that a name's text holds only what domain names in feeds hold: letters,
 * digits, '-', '_', '.', backslash escapes and UTF-8 (which name.c checks).
 * Printable punctuation (':', '/', '@', '*', …) means the line is not a plain
 * name — a URL, a pattern — and is refused here, with a reason that says so.
 * @return NULL when fine, else the offending byte.
 */
static const char *bad_name_char(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\\') {
			i++;
			continue;
		}
		if (c <= 0x20 || c >= 0x7f)
			continue; /* white space, controls, UTF-8: name.c's reasons */
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.')
			continue;
		return s + i;
	}
	return NULL;
}

static int is_address(const char *s, size_t n);

/**
 * Decode a name given as text ("*." already removed) and emit it.  An IPv4
 * address in dotted quads is a valid host name by syntax, but no list that writes
 * one means the name: it is refused.
 * @return 0 (entry taken or line rejected), or -1 when the callback failed.
 */
static int take_text_name(struct parser *p, const char *text, size_t n, unsigned scope,
	int allow, const struct extras *x)
{
	if (is_address(text, n)) {
		char buf[SHOWBUF];
		reject_at(p, p->line, "'%s' is an IP address, not a domain name: dnsrep blocks "
			"names, not addresses in answers", show(buf, sizeof(buf), text, n));
		return 0;
	}
	const char *bad = bad_name_char(text, n);
	if (bad && *bad == '*') {
		reject_at(p, p->line, "'*' is only allowed as a leading \"*.\"");
		return 0;
	}
	if (bad) {
		char buf[SHOWBUF];
		reject_at(p, p->line, "character '%c' not allowed in a domain name: '%s'", *bad,
			show(buf, sizeof(buf), text, n));
		return 0;
	}
	struct dnsrep_name name;
	char why[DNSREP_ERRLEN] = "";
	if (dnsrep_name_from_text(&name, text, n, why, sizeof(why)) != 0) {
		reject_at(p, p->line, "%s", why[0] ? why : "not a domain name");
		return 0;
	}
	return emit(p, p->line, &name, scope, allow, x);
}

/**
 * A name as plain and CSV write it: "name" (the name and everything below) or
 * "*.name": the same by default, as dnscrypt-proxy and the wildcard lists made for
 * it mean it ("*.example.com matches example.com and all names within that zone");
 * only the names below with wildcard: below.
 */
static int take_pattern(struct parser *p, const char *text, size_t n, int allow,
	const struct extras *x)
{
	if (n >= 2 && text[0] == '*' && text[1] == '.')
		return take_text_name(p, text + 2, n - 2,
			p->opts->wildcard_below ? DNSREP_SCOPE_BELOW : DNSREP_SCOPE_SUBTREE, allow, x);
	return take_text_name(p, text, n, DNSREP_SCOPE_SUBTREE, allow, x);
}

/* ---- plain ------------------------------------------------------------------------ */

/** "example.com", "*.example.com", "# comment", "! comment", "name # comment". */
static int parse_plain_line(struct parser *p, char *s, size_t n)
{
	cut_at(s, &n, '#');
	s = trim(s, &n);
	if (n == 0 || s[0] == '!')
		return 0;
	char *pos = s;
	size_t len, extra_len;
	char *name = next_token(&pos, &len);
	char *extra = next_token(&pos, &extra_len);
	if (extra) {
		char buf[SHOWBUF];
		reject_at(p, p->line, "unexpected text after the name: '%s'",
			show(buf, sizeof(buf), extra, extra_len));
		return 0;
	}
	return take_pattern(p, name, len, 0, NULL);
}

/* ---- hosts ------------------------------------------------------------------------ */

/** Names hosts files carry for the machine itself: skipped, not rejected. */
static const char *const hosts_own_names[] = {
	"localhost", "localhost.localdomain", "localhost4", "localhost4.localdomain4",
	"localhost6", "localhost6.localdomain6", "broadcasthost", "local", "ip6-localhost",
	"ip6-loopback", "ip6-localnet", "ip6-mcastprefix", "ip6-allnodes", "ip6-allrouters",
	"ip6-allhosts", "0.0.0.0", NULL
};

static int is_hosts_own_name(const char *s, size_t n)
{
	if (n > 0 && s[n - 1] == '.')
		n--;
	for (const char *const *h = hosts_own_names; *h; h++)
		if (strlen(*h) == n && strncasecmp(*h, s, n) == 0)
			return 1;
	return 0;
}

/** Whether a token is an IPv4 or IPv6 address (an IPv6 zone, "%eth0", allowed). */
static int is_address(const char *s, size_t n)
{
	char buf[INET6_ADDRSTRLEN + 1];
	uint8_t addr[16];
	const char *zone = memchr(s, '%', n);
	if (zone)
		n = (size_t)(zone - s);
	if (n == 0 || n >= sizeof(buf))
		return 0;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (!zone && inet_pton(AF_INET, buf, addr) == 1)
		return 1;
	return inet_pton(AF_INET6, buf, addr) == 1;
}

/** "0.0.0.0 a.example b.example # comment": each name exactly.  "! comment" too,
 * as lists published in several formats carry. */
static int parse_hosts_line(struct parser *p, char *s, size_t n)
{
	cut_at(s, &n, '#');
	s = trim(s, &n);
	if (n == 0 || s[0] == '!')
		return 0;
	char *pos = s;
	size_t len;
	char *addr = next_token(&pos, &len);
	char buf[SHOWBUF];
	if (!is_address(addr, len)) {
		reject_at(p, p->line, "not a hosts line: '%s' is not an IP address",
			show(buf, sizeof(buf), addr, len));
		return 0;
	}
	int names = 0;
	char *name;
	while ((name = next_token(&pos, &len)) != NULL) {
		names++;
		if (is_hosts_own_name(name, len))
			continue;
		if (memchr(name, '*', len)) {
			reject_at(p, p->line, "wildcards are not allowed in hosts files: '%s'",
				show(buf, sizeof(buf), name, len));
			continue;
		}
		if (take_text_name(p, name, len, DNSREP_SCOPE_SELF, 0, NULL) != 0)
			return -1;
	}
	if (names == 0)
		reject_at(p, p->line, "no name after the address");
	return 0;
}

/* ---- adblock ---------------------------------------------------------------------- */

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
				 show(buf, sizeof(buf), s, n));
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
			 show(buf, sizeof(buf), rule, n));
		return AD_REJECT;
	}
	if (s[0] != '|' || s[1] != '|') {
		snprintf(why, whylen, "not a DNS rule: only ||name^ rules are supported ('%s')",
			 show(buf, sizeof(buf), rule, n));
		return AD_REJECT;
	}
	s += 2;
	size_t namelen = strcspn(s, "^$/|");
	char *after = s + namelen;
	if (*after == '/') {
		snprintf(why, whylen, "not a DNS rule: a path rule ('%s')", show(buf, sizeof(buf), rule, n));
		return AD_REJECT;
	}
	if (memchr(s, '*', namelen)) {
		snprintf(why, whylen, "not a DNS rule: a wildcard pattern ('%s')",
			 show(buf, sizeof(buf), rule, n));
		return AD_REJECT;
	}
	if (is_address(s, namelen)) {
		snprintf(why, whylen, "an IP rule ('%s'): AdGuard blocks answers that contain "
			 "this address; dnsrep blocks names only", show(buf, sizeof(buf), rule, n));
		return AD_REJECT;
	}
	if (*after != '^') {
		snprintf(why, whylen, "not a DNS rule: no '^' after the name, so it would match "
			 "longer names too ('%s')", show(buf, sizeof(buf), rule, n));
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
			char *m = trim(mods, &len);
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
					 "$badfilter have a meaning for DNS", show(buf, sizeof(buf), m, len));
				return AD_REJECT;
			}
			if (!comma)
				break;
			mods = comma + 1;
		}
	} else if (*after == '/') {
		snprintf(why, whylen, "not a DNS rule: a path rule ('%s')", show(buf, sizeof(buf), rule, n));
		return AD_REJECT;
	} else if (*after != '\0') {
		snprintf(why, whylen, "not a DNS rule: unexpected text after '^' ('%s')",
			 show(buf, sizeof(buf), rule, n));
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
	r->valid = !bad_name_char(r->name, r->namelen) &&
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
static void adblock_prescan(struct parser *p, const char *data, size_t len)
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
				char *t = trim(line, &tl);
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
static int parse_adblock_line(struct parser *p, char *s, size_t n)
{
	char why[DNSREP_ERRLEN];
	struct adrule r;
	s = trim(s, &n);
	switch (adblock_split(s, n, &r, why, sizeof(why))) {
	case AD_SKIP:
		return 0;
	case AD_REJECT:
		reject_at(p, p->line, "%s", why);
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
	return take_text_name(p, r.name, r.namelen, DNSREP_SCOPE_SUBTREE, r.allow, NULL);
}

/* ---- csv -------------------------------------------------------------------------- */

#define CSV_FIELDS 5
static const char *const csv_columns[CSV_FIELDS] = {
	"domain", "category", "reason", "date", "source"
};

/**
 * Split a CSV line (RFC 4180: "a, b" quoted, "" for a quote; white space around
 * fields is dropped) into NUL-terminated fields written to out (at least n + 1
 * bytes).  The first max fields are pointed to from fields; *nf counts them all.
 * A quoted field cannot span lines.
 * @return NULL, or why the line cannot be split.
 */
static const char *csv_split(const char *s, size_t n, char *out, const char **fields,
	int max, int *nf)
{
	size_t i = 0, o = 0;
	*nf = 0;
	for (;;) {
		while (i < n && (s[i] == ' ' || s[i] == '\t'))
			i++;
		size_t start = o;
		if (i < n && s[i] == '"') {
			i++;
			for (;;) {
				if (i >= n)
					return "unterminated quoted field";
				if (s[i] == '"') {
					if (i + 1 < n && s[i + 1] == '"') {
						out[o++] = '"';
						i += 2;
						continue;
					}
					i++;
					break;
				}
				out[o++] = s[i++];
			}
			while (i < n && (s[i] == ' ' || s[i] == '\t'))
				i++;
			if (i < n && s[i] != ',')
				return "text after a closing quote";
		} else {
			while (i < n && s[i] != ',') {
				if (s[i] == '"')
					return "a quote inside an unquoted field";
				out[o++] = s[i++];
			}
			while (o > start && (out[o - 1] == ' ' || out[o - 1] == '\t'))
				o--;
		}
		out[o++] = '\0';
		if (*nf < max)
			fields[*nf] = out + start;
		(*nf)++;
		if (i >= n)
			return NULL;
		i++; /* the comma */
	}
}

/** YYYY-MM-DD with month 1-12 and day 1-31. */
static int is_date(const char *s)
{
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return 0;
	int month = (s[5] - '0') * 10 + (s[6] - '0');
	int day = (s[8] - '0') * 10 + (s[9] - '0');
	return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

/** scheme://something, with no white space or control bytes. */
static int is_url(const char *s)
{
	const char *p = s;
	if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
		return 0;
	while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
	       (*p >= '0' && *p <= '9') || *p == '+' || *p == '-' || *p == '.')
		p++;
	if (strncmp(p, "://", 3) != 0 || p[3] == '\0')
		return 0;
	for (; *p; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f)
			return 0;
	return 1;
}

/** The header line: domain,category,reason,date,source (+ columns ignored). */
static int csv_header(struct parser *p, const char **fields, int nf, const char *why)
{
	int ok = !why && nf >= CSV_FIELDS;
	for (int i = 0; ok && i < CSV_FIELDS; i++)
		ok = strcasecmp(fields[i], csv_columns[i]) == 0;
	if (!ok) {
		set_err(p, "feed %s:%u: CSV header must be domain,category,reason,date,source: "
			"feed rejected", p->feed, p->line);
		return -1;
	}
	p->csv_header_seen = 1;
	return 0;
}

/** "evil.example,seized,\"seized, 2023\",2023-10-17,https://…" */
static int parse_csv_line(struct parser *p, char *s, size_t n)
{
	char out[FEED_LINE_MAX + 1];
	const char *f[CSV_FIELDS];
	int nf;
	char buf[SHOWBUF];
	size_t lead = 0;
	while (lead < n && is_space(s[lead]))
		lead++;
	if (lead == n || s[lead] == '#')
		return 0;
	const char *why = csv_split(s, n, out, f, CSV_FIELDS, &nf);
	if (!p->csv_header_seen)
		return csv_header(p, f, nf, why);
	if (why) {
		reject_at(p, p->line, "%s", why);
		return 0;
	}
	if (nf < CSV_FIELDS) {
		reject_at(p, p->line, "%d field%s, expected 5 (domain,category,reason,date,source)",
			nf, nf == 1 ? "" : "s");
		return 0;
	}
	struct extras x = { f[1][0] ? f[1] : NULL, f[2][0] ? f[2] : NULL,
		f[3][0] ? f[3] : NULL, f[4][0] ? f[4] : NULL, DNSREP_ACTION_INHERIT };
	if (x.date && !is_date(x.date)) {
		reject_at(p, p->line, "date must be YYYY-MM-DD, not '%s'",
			show(buf, sizeof(buf), x.date, strlen(x.date)));
		return 0;
	}
	if (x.source && !is_url(x.source)) {
		reject_at(p, p->line, "source must be a URL, not '%s'",
			show(buf, sizeof(buf), x.source, strlen(x.source)));
		return 0;
	}
	if (f[0][0] == '\0') {
		reject_at(p, p->line, "empty domain");
		return 0;
	}
	int allow = x.category && strcasecmp(x.category, "allow") == 0;
	if (allow)
		x.category = NULL;
	return take_pattern(p, f[0], strlen(f[0]), allow, &x);
}

/* ---- rpz -------------------------------------------------------------------------- */

/** RPZ trigger kinds other than QNAME: the label just below the zone apex. */
static const char *const rpz_other_triggers[] = {
	"rpz-ip", "rpz-nsdname", "rpz-nsip", "rpz-client-ip", NULL
};

static void rpz_free(struct rpz_state *r)
{
	if (r->origin)
		ldns_rdf_deep_free(r->origin);
	if (r->apex)
		ldns_rdf_deep_free(r->apex);
	if (r->prev)
		ldns_rdf_deep_free(r->prev);
	free(r->rec);
	memset(r, 0, sizeof(*r));
}

static void rpz_unsupported(struct parser *p, unsigned line, const char *what, const char *detail)
{
	p->st->unsupported++;
	reject_at(p, line, "unsupported RPZ %s: %s", what, detail);
}

/** A name in presentation format (with its final dot, for messages), into buf. */
static const char *rdf_text(char *buf, size_t buflen, const ldns_rdf *rdf)
{
	char *s = ldns_rdf2str(rdf);
	snprintf(buf, buflen, "%s", s ? s : "?");
	free(s);
	return buf;
}

/** Whether n bytes are equal, ASCII letters compared without case. */
static int mem_equal_nocase(const uint8_t *a, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t x = a[i], y = b[i];
		if (x >= 'A' && x <= 'Z')
			x = (uint8_t)(x + 32);
		if (y >= 'A' && y <= 'Z')
			y = (uint8_t)(y + 32);
		if (x != y)
			return 0;
	}
	return 1;
}

/** Whether a wire name equals a wire constant (blen counts the final 0). */
static int wire_equal(const uint8_t *a, size_t alen, const char *b, size_t blen)
{
	return alen == blen && mem_equal_nocase(a, (const uint8_t *)b, alen);
}

/**
 * Where the apex starts in an owner name (wire), or -1 when the owner is not
 * at or below the apex.  Case is ignored.
 */
static int apex_offset(const ldns_rdf *owner, const ldns_rdf *apex)
{
	const uint8_t *w = ldns_rdf_data(owner);
	size_t n = ldns_rdf_size(owner), an = ldns_rdf_size(apex);
	const uint8_t *a = ldns_rdf_data(apex);
	for (size_t off = 0; off < n; off += (size_t)w[off] + 1) {
		if (n - off == an)
			return mem_equal_nocase(w + off, a, an) ? (int)off : -1;
		if (w[off] == 0)
			break;
	}
	return -1;
}

/** A $ORIGIN or $TTL line (or another directive, which is refused). */
static int rpz_directive(struct parser *p, char *rec, unsigned line)
{
	struct rpz_state *r = &p->rpz;
	char buf[SHOWBUF];
	char *pos = rec;
	size_t len, arglen = 0;
	char *dir = next_token(&pos, &len);
	char *arg = next_token(&pos, &arglen);
	size_t extralen;
	char *extra = next_token(&pos, &extralen);
	if (strcasecmp(dir, "$INCLUDE") == 0) {
		reject_at(p, line, "$INCLUDE is not supported: an RPZ feed must be one file");
		return 0;
	}
	if (strcasecmp(dir, "$ORIGIN") != 0 && strcasecmp(dir, "$TTL") != 0) {
		reject_at(p, line, "unknown directive '%s'", show(buf, sizeof(buf), dir, len));
		return 0;
	}
	if (!arg || extra) {
		reject_at(p, line, "%s takes one value",
			strcasecmp(dir, "$TTL") == 0 ? "$TTL" : "$ORIGIN");
		return 0;
	}
	if (strcasecmp(dir, "$TTL") == 0) {
		const char *end = NULL;
		uint32_t ttl = ldns_str2period(arg, &end);
		if (arg[0] < '0' || arg[0] > '9' || (end && *end)) {
			reject_at(p, line, "bad $TTL '%s'", show(buf, sizeof(buf), arg, arglen));
			return 0;
		}
		r->ttl = ttl;
		return 0;
	}
	/* ldns makes every name absolute: a relative one is completed here */
	int relative = arg[arglen - 1] != '.' || (arglen >= 2 && arg[arglen - 2] == '\\');
	if (relative && !r->origin) {
		reject_at(p, line, "$ORIGIN '%s' is relative and there is no origin to complete it",
			show(buf, sizeof(buf), arg, arglen));
		return 0;
	}
	char full[2 * DNSREP_NAME_MAXTEXT + 2], otext[DNSREP_NAME_MAXTEXT] = "";
	if (relative && strcmp(rdf_text(otext, sizeof(otext), r->origin), ".") == 0)
		otext[0] = '\0';
	ldns_rdf *o = NULL;
	if (arglen >= DNSREP_NAME_MAXTEXT ||
	    snprintf(full, sizeof(full), "%s%s%s", arg, relative ? "." : "", otext) < 0 ||
	    ldns_str2rdf_dname(&o, full) != LDNS_STATUS_OK || !o) {
		reject_at(p, line, "bad $ORIGIN '%s'", show(buf, sizeof(buf), arg, arglen));
		return 0;
	}
	if (r->origin)
		ldns_rdf_deep_free(r->origin);
	r->origin = o;
	if (!r->apex) {
		r->apex = ldns_rdf_clone(o);
		if (!r->apex) {
			set_err(p, "feed %s: out of memory", p->feed);
			return -1;
		}
	}
	return 0;
}

/**
 * What a record's action is: 1 block (NXDOMAIN), 3 block (NODATA), 2 allow; 0
 * when it is unsupported (reported).
 */
static int rpz_action(struct parser *p, unsigned line, const ldns_rr *rr)
{
	char buf[DNSREP_NAME_MAXTEXT + 64], name[DNSREP_NAME_MAXTEXT];
	if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_CNAME || ldns_rr_rd_count(rr) != 1) {
		char *type = ldns_rr_type2str(ldns_rr_get_type(rr));
		snprintf(buf, sizeof(buf), "local data (%s record)", type ? type : "?");
		free(type);
		rpz_unsupported(p, line, "action", buf);
		return 0;
	}
	const ldns_rdf *t = ldns_rr_rdf(rr, 0);
	const uint8_t *w = ldns_rdf_data(t);
	size_t n = ldns_rdf_size(t);
	if (wire_equal(w, n, "", 1))
		return 1; /* CNAME . : NXDOMAIN */
	if (wire_equal(w, n, "\001*", 3))
		return 3; /* CNAME *. : NODATA */
	if (wire_equal(w, n, "\014rpz-passthru", 14))
		return 2;
	if (wire_equal(w, n, "\010rpz-drop", 10) || wire_equal(w, n, "\014rpz-tcp-only", 14)) {
		rpz_unsupported(p, line, "action", rdf_text(name, sizeof(name), t));
		return 0;
	}
	snprintf(buf, sizeof(buf), "local data (CNAME to %s)", rdf_text(name, sizeof(name), t));
	rpz_unsupported(p, line, "action", buf);
	return 0;
}

/** One parsed record: a trigger and an action, or skipped, or reported. */
static int rpz_record(struct parser *p, const ldns_rr *rr, unsigned line)
{
	struct rpz_state *r = &p->rpz;
	const ldns_rdf *owner = ldns_rr_owner(rr);
	ldns_rr_type type = ldns_rr_get_type(rr);
	char buf[DNSREP_NAME_MAXTEXT + 64], text[DNSREP_NAME_MAXTEXT], ztext[DNSREP_NAME_MAXTEXT];
	if (type == LDNS_RR_TYPE_SOA && !r->apex_from_soa) {
		ldns_rdf *a = ldns_rdf_clone(owner), *o = r->origin ? NULL : ldns_rdf_clone(owner);
		if (!a || (!r->origin && !o)) {
			if (a)
				ldns_rdf_deep_free(a);
			set_err(p, "feed %s: out of memory", p->feed);
			return -1;
		}
		if (r->apex)
			ldns_rdf_deep_free(r->apex);
		r->apex = a;
		r->apex_from_soa = 1;
		if (o)
			r->origin = o;
	}
	const uint8_t *w = ldns_rdf_data(owner);
	size_t rel = ldns_rdf_size(owner);
	if (rel > 0 && w[rel - 1] == 0)
		rel--; /* the root label */
	if (r->apex) {
		int off = apex_offset(owner, r->apex);
		if (off < 0) {
			reject_at(p, line, "%s is outside the zone %s", rdf_text(text, sizeof(text), owner),
				rdf_text(ztext, sizeof(ztext), r->apex));
			return 0;
		}
		rel = (size_t)off;
		if (rel == 0) {
			if (type == LDNS_RR_TYPE_SOA || type == LDNS_RR_TYPE_NS)
				return 0;
			char *ts = ldns_rr_type2str(type);
			snprintf(buf, sizeof(buf), "%s record at the zone apex", ts ? ts : "?");
			free(ts);
			rpz_unsupported(p, line, "trigger", buf);
			return 0;
		}
	}
	/* the trigger kind: the last label of the relative name */
	size_t last = 0;
	for (size_t off = 0; off < rel; off += (size_t)w[off] + 1)
		last = off;
	for (const char *const *k = rpz_other_triggers; *k; k++) {
		if (rel > 0 && w[last] == strlen(*k) &&
		    mem_equal_nocase(w + last + 1, (const uint8_t *)*k, w[last])) {
			snprintf(buf, sizeof(buf), "%s (only QNAME triggers are supported)", *k);
			rpz_unsupported(p, line, "trigger", buf);
			return 0;
		}
	}
	int action = rpz_action(p, line, rr);
	if (action == 0)
		return 0;
	unsigned scope = DNSREP_SCOPE_SELF;
	if (rel >= 2 && w[0] == 1 && w[1] == '*') {
		scope = DNSREP_SCOPE_BELOW;
		w += 2;
		rel -= 2;
	}
	for (size_t off = 0; off < rel; off += (size_t)w[off] + 1) {
		if (w[off] == 1 && w[off + 1] == '*') {
			reject_at(p, line, "'*' is only allowed as the first label of a trigger");
			return 0;
		}
	}
	uint8_t wire[DNSREP_NAME_MAXWIRE + 1];
	if (rel + 1 > DNSREP_NAME_MAXWIRE) {
		reject_at(p, line, "name too long");
		return 0;
	}
	memcpy(wire, w, rel);
	wire[rel] = 0;
	struct dnsrep_name name;
	char why[DNSREP_ERRLEN] = "";
	if (dnsrep_name_from_wire(&name, wire, rel + 1, why, sizeof(why)) != 0) {
		reject_at(p, line, "%s", why[0] ? why : "bad name");
		return 0;
	}
	/* the record's own action, which a feed's action: line overrides */
	struct extras x = { .action = action == 1 ? DNSREP_ACTION_NXDOMAIN
				    : action == 3 ? DNSREP_ACTION_NODATA : DNSREP_ACTION_INHERIT };
	return emit(p, line, &name, scope, action == 2, &x);
}

/** A whole record (its lines joined, comments and parentheses gone). */
static int rpz_text(struct parser *p, char *rec, size_t n, unsigned line)
{
	struct rpz_state *r = &p->rpz;
	size_t tn = n;
	char *t = trim(rec, &tn);
	if (tn == 0)
		return 0;
	if (t[0] == '$')
		return rpz_directive(p, t, line);
	if (is_space(rec[0]) && !r->prev) {
		reject_at(p, line, "a record without an owner name and no record before it");
		return 0;
	}
	if (!r->origin && t[0] == '@' && (t[1] == '\0' || is_space(t[1]))) {
		reject_at(p, line, "'@' but no $ORIGIN or SOA record before it");
		return 0;
	}
	ldns_rr *rr = NULL;
	ldns_status s = ldns_rr_new_frm_str(&rr, rec, r->ttl, r->origin, &r->prev);
	if (s != LDNS_STATUS_OK || !rr) {
		if (s == LDNS_STATUS_MEM_ERR) {
			set_err(p, "feed %s: out of memory", p->feed);
			return -1;
		}
		reject_at(p, line, "bad record: %s", ldns_get_errorstr_by_id(s));
		return 0;
	}
	int rc = rpz_record(p, rr, line);
	ldns_rr_free(rr);
	return rc;
}

/** Append bytes to the record being assembled. */
static int rpz_append(struct parser *p, const char *s, size_t n)
{
	struct rpz_state *r = &p->rpz;
	if (r->too_long)
		return 0;
	if (r->reclen + n + 2 > RPZ_RECORD_MAX) {
		r->too_long = 1;
		return 0;
	}
	if (r->reclen + n + 2 > r->reccap) {
		size_t cap = r->reccap ? r->reccap : 256;
		while (cap < r->reclen + n + 2)
			cap *= 2;
		char *nrec = realloc(r->rec, cap);
		if (!nrec) {
			set_err(p, "feed %s: out of memory", p->feed);
			return -1;
		}
		r->rec = nrec;
		r->reccap = cap;
	}
	memcpy(r->rec + r->reclen, s, n);
	r->reclen += n;
	r->rec[r->reclen] = '\0';
	return 0;
}

/**
 * One line of a zone file: comments (';') dropped, parentheses counted and
 * replaced by spaces (quotes and escapes respected); when no parenthesis is
 * left open the record is complete.
 */
static int parse_rpz_line(struct parser *p, char *s, size_t n)
{
	struct rpz_state *r = &p->rpz;
	if (r->depth == 0) {
		r->reclen = 0;
		r->too_long = 0;
		r->rec_line = p->line;
	} else if (rpz_append(p, " ", 1) != 0) {
		return -1;
	}
	int quoted = 0;
	size_t i;
	for (i = 0; i < n; i++) {
		char c = s[i];
		if (c == '\\' && i + 1 < n) {
			i++;
			continue;
		}
		if (c == '"')
			quoted = !quoted;
		if (quoted)
			continue;
		if (c == ';')
			break;
		if (c == '(') {
			r->depth++;
			s[i] = ' ';
		} else if (c == ')') {
			if (r->depth == 0) {
				reject_at(p, r->rec_line, "')' without '('");
				return 0;
			}
			r->depth--;
			s[i] = ' ';
		}
	}
	if (rpz_append(p, s, i) != 0)
		return -1;
	if (r->depth > 0)
		return 0;
	if (r->too_long) {
		reject_at(p, r->rec_line, "record longer than %d bytes", RPZ_RECORD_MAX);
		return 0;
	}
	if (r->reclen == 0)
		return 0;
	return rpz_text(p, r->rec, r->reclen, r->rec_line);
}

/** A line that could not be read (too long, NUL) ends the record it was in. */
static void rpz_abandon_record(struct parser *p)
{
	p->rpz.depth = 0;
	p->rpz.reclen = 0;
	p->rpz.too_long = 0;
}

/** The end of the zone file: a record still open is reported. */
static void rpz_finish(struct parser *p)
{
	if (p->rpz.depth > 0)
		reject_at(p, p->rpz.rec_line, "'(' without ')': the record never ends");
}

/* ---- lines and the whole feed ------------------------------------------------------ */

/** One line as read: measured and checked, then given to the format's parser. */
static int parse_line(struct parser *p, const char *s, size_t n)
{
	const char *why = NULL;
	if (n > FEED_LINE_MAX)
		why = "line longer than 4096 bytes";
	else if (memchr(s, '\0', n))
		why = "NUL byte in line";
	if (why) {
		if (p->format == DNSREP_FORMAT_RPZ && p->rpz.depth > 0) {
			reject_at(p, p->line, "%s (the record from line %u is dropped)", why,
				p->rpz.rec_line);
			rpz_abandon_record(p);
		} else {
			reject_at(p, p->line, "%s", why);
		}
		return 0;
	}
	char line[FEED_LINE_MAX + 1];
	memcpy(line, s, n);
	line[n] = '\0';
	switch (p->format) {
	case DNSREP_FORMAT_HOSTS:
		return parse_hosts_line(p, line, n);
	case DNSREP_FORMAT_ADBLOCK:
		return parse_adblock_line(p, line, n);
	case DNSREP_FORMAT_RPZ:
		return parse_rpz_line(p, line, n);
	case DNSREP_FORMAT_CSV:
		return parse_csv_line(p, line, n);
	case DNSREP_FORMAT_PLAIN:
	case DNSREP_FORMAT_AUTO:
	default:
		return parse_plain_line(p, line, n);
	}
}

/** Skip a UTF-8 byte order mark. */
static const char *skip_bom(const char *data, size_t *len)
{
	if (*len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0) {
		*len -= 3;
		return data + 3;
	}
	return data;
}

/** Call fn for every line of data (LF or CRLF, the last may lack its LF); stops on -1. */
static int for_each_line(struct parser *p, const char *data, size_t len)
{
	const char *pos = data, *end = data + len;
	while (pos < end) {
		const char *nl = memchr(pos, '\n', (size_t)(end - pos));
		const char *stop = nl ? nl : end;
		size_t n = (size_t)(stop - pos);
		if (n > 0 && pos[n - 1] == '\r')
			n--;
		p->line++;
		p->st->lines++;
		if (parse_line(p, pos, n) != 0)
			return -1;
		pos = nl ? nl + 1 : end;
	}
	return 0;
}

/** Whether too many lines were rejected; sets err. */
static int too_many_rejected(struct parser *p)
{
	unsigned rejected = p->st->rejected;
	unsigned total = p->st->entries + rejected;
	if (rejected == 0)
		return 0;
	double share = (double)rejected / (double)total;
	double max = p->opts->max_reject_share;
	if (!(share > max))
		return 0;
	set_err(p, "feed %s: %u of %u lines rejected (%.1f%%, more than %.1f%%): feed rejected",
		p->feed, rejected, total, share * 100.0, max * 100.0);
	return 1;
}

void dnsrep_feed_opts_init(struct dnsrep_feed_opts *o, const char *feed)
{
	memset(o, 0, sizeof(*o));
	o->feed = feed;
	o->format = DNSREP_FORMAT_AUTO;
	o->max_reject_share = 0.05;
	o->allow_public_suffix = 0;
}

/* ---- recognizing a format ------------------------------------------------------------- */

/** What one significant line says about the format. */
static enum dnsrep_format detect_line(char *s, size_t n)
{
	if (starts_with_nocase(s, "domain,") || starts_with_nocase(s, "\"domain\","))
		return DNSREP_FORMAT_CSV;
	if (starts_with_nocase(s, "$ORIGIN") || starts_with_nocase(s, "$TTL"))
		return DNSREP_FORMAT_RPZ;
	if (strncmp(s, "||", 2) == 0 || strncmp(s, "@@||", 4) == 0 ||
	    starts_with_nocase(s, "[Adblock"))
		return DNSREP_FORMAT_ADBLOCK;
	cut_at(s, &n, '#');
	cut_at(s, &n, ';');
	char *pos = s;
	size_t len;
	char *first = next_token(&pos, &len);
	if (!first)
		return DNSREP_FORMAT_PLAIN;
	int second = 0;
	char *tok;
	while ((tok = next_token(&pos, &len)) != NULL) {
		if (strcasecmp(tok, "SOA") == 0 || strcasecmp(tok, "CNAME") == 0)
			return DNSREP_FORMAT_RPZ;
		second = 1;
	}
	if (second && is_address(first, strlen(first)))
		return DNSREP_FORMAT_HOSTS;
	return DNSREP_FORMAT_PLAIN;
}

enum dnsrep_format dnsrep_feed_detect(const char *data, size_t len)
{
	data = skip_bom(data, &len);
	const char *pos = data, *end = data + len;
	while (pos < end) {
		const char *nl = memchr(pos, '\n', (size_t)(end - pos));
		const char *stop = nl ? nl : end;
		const char *start = pos;
		pos = nl ? nl + 1 : end;
		while (start < stop && is_space(*start))
			start++;
		while (stop > start && (stop[-1] == '\r' || is_space(stop[-1])))
			stop--;
		size_t n = (size_t)(stop - start);
		if (n == 0)
			continue;
		if (n > FEED_LINE_MAX)
			continue; /* the parser will reject it */
		char line[FEED_LINE_MAX + 1];
		memcpy(line, start, n);
		line[n] = '\0';
		if (starts_with_nocase(line, "[Adblock"))
			return DNSREP_FORMAT_ADBLOCK;
		if (line[0] == '#' || line[0] == '!' || line[0] == ';')
			continue;
		return detect_line(line, strlen(line));
	}
	return DNSREP_FORMAT_PLAIN;
}

/* ---- the entry point -------------------------------------------------------------------- */

int dnsrep_feed_parse(const struct dnsrep_feed_opts *opts, const char *data, size_t len,
	dnsrep_entry_fn on_entry, dnsrep_reject_fn on_reject, void *ctx,
	struct dnsrep_feed_stats *stats, char *err, size_t errlen)
{
	struct dnsrep_feed_stats local;
	if (!stats)
		stats = &local;
	memset(stats, 0, sizeof(*stats));
	if (err && errlen)
		err[0] = '\0';
	if (!data)
		len = 0;
	data = data ? skip_bom(data, &len) : "";

	struct parser p;
	memset(&p, 0, sizeof(p));
	p.opts = opts;
	p.feed = opts->feed ? opts->feed : "(unnamed)";
	p.format = opts->format == DNSREP_FORMAT_AUTO ? dnsrep_feed_detect(data, len) : opts->format;
	p.on_entry = on_entry;
	p.on_reject = on_reject;
	p.ctx = ctx;
	p.st = stats;
	p.err = err;
	p.errlen = errlen;
	p.rpz.ttl = RPZ_DEFAULT_TTL;
	stats->format = p.format;

	if (p.format == DNSREP_FORMAT_ADBLOCK)
		adblock_prescan(&p, data, len);
	int rc = 0;
	if (p.ad_oom) {
		set_err(&p, "feed %s: out of memory reading its exceptions", p.feed);
		rc = -1;
	} else {
		rc = for_each_line(&p, data, len);
	}
	if (rc == 0 && p.format == DNSREP_FORMAT_RPZ)
		rpz_finish(&p);
	rpz_free(&p.rpz);
	adset_free(&p.ad.cancelled);
	adset_free(&p.ad.rules);
	if (rc != 0)
		return -1;
	return too_many_rejected(&p) ? -1 : 0;
}
