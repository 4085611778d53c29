/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * feed.c — feed formats: turn a feed's text into blocklist entries.
 * The plain, hosts and CSV formats, detection and the driver are here; AdBlock
 * rules are in feed_adblock.c, RPZ zones in feed_rpz.c (feed_parser.h between).
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
#include "feed_parser.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>



/* ---- messages ------------------------------------------------------------------ */

void dnsrep_feedp_err(struct parser *p, const char *fmt, ...)
{
	if (!p->err || p->errlen == 0)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(p->err, p->errlen, fmt, ap);
	va_end(ap);
}

/** Report a rejected line (or name, or record) and count it; parsing goes on. */
void dnsrep_feedp_reject(struct parser *p, unsigned line, const char *fmt, ...)
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
const char *dnsrep_feedp_show(char *buf, size_t buflen, const char *s, size_t n)
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

/* ---- small text helpers ------------------------------------------------------- */

int dnsrep_feedp_is_space(char c)
{
	return c == ' ' || c == '\t';
}

/** Trim white space at both ends, in place; returns the new start, *n the new length. */
char *dnsrep_feedp_trim(char *s, size_t *n)
{
	size_t len = *n;
	while (len > 0 && dnsrep_feedp_is_space(*s)) {
		s++;
		len--;
	}
	while (len > 0 && dnsrep_feedp_is_space(s[len - 1]))
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
char *dnsrep_feedp_token(char **pos, size_t *toklen)
{
	char *s = *pos;
	while (*s && dnsrep_feedp_is_space(*s))
		s++;
	if (!*s)
		return NULL;
	char *t = s;
	while (*s && !dnsrep_feedp_is_space(*s))
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

/**
 * Hand one entry to the caller, unless it is for the root or a bare public
 * suffix (then the line is rejected, unless the feed allows those).
 * @return 0, or -1 when the callback failed (err set).
 */
int dnsrep_feedp_emit(struct parser *p, unsigned line, const struct dnsrep_name *name,
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
			dnsrep_feedp_reject(p, line, "refusing to %s the root: one line would %s everything "
				"(set allow-public-suffix)", verb, what);
		} else {
			char text[DNSREP_NAME_MAXTEXT];
			if (dnsrep_name_to_text(name->wire, text, sizeof(text)) < 0)
				strcpy(text, "?");
			dnsrep_feedp_reject(p, line, "refusing to %s \"%s\", a public suffix: one line would "
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
		dnsrep_feedp_err(p, "feed %s: out of memory at line %u", p->feed, line);
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
const char *dnsrep_feedp_bad_name_char(const char *s, size_t n)
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


/**
 * Decode a name given as text ("*." already removed) and emit it.  An IPv4
 * address in dotted quads is a valid host name by syntax, but no list that writes
 * one means the name: it is refused.
 * @return 0 (entry taken or line rejected), or -1 when the callback failed.
 */
int dnsrep_feedp_take_name(struct parser *p, const char *text, size_t n, unsigned scope,
	int allow, const struct extras *x)
{
	if (dnsrep_feedp_is_address(text, n)) {
		char buf[SHOWBUF];
		dnsrep_feedp_reject(p, p->line, "'%s' is an IP address, not a domain name: dnsrep blocks "
			"names, not addresses in answers", dnsrep_feedp_show(buf, sizeof(buf), text, n));
		return 0;
	}
	const char *bad = dnsrep_feedp_bad_name_char(text, n);
	if (bad && *bad == '*') {
		dnsrep_feedp_reject(p, p->line, "'*' is only allowed as a leading \"*.\"");
		return 0;
	}
	if (bad) {
		char buf[SHOWBUF];
		dnsrep_feedp_reject(p, p->line, "character '%c' not allowed in a domain name: '%s'", *bad,
			dnsrep_feedp_show(buf, sizeof(buf), text, n));
		return 0;
	}
	struct dnsrep_name name;
	char why[DNSREP_ERRLEN] = "";
	if (dnsrep_name_from_text(&name, text, n, why, sizeof(why)) != 0) {
		dnsrep_feedp_reject(p, p->line, "%s", why[0] ? why : "not a domain name");
		return 0;
	}
	return dnsrep_feedp_emit(p, p->line, &name, scope, allow, x);
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
		return dnsrep_feedp_take_name(p, text + 2, n - 2,
			p->opts->wildcard_below ? DNSREP_SCOPE_BELOW : DNSREP_SCOPE_SUBTREE, allow, x);
	return dnsrep_feedp_take_name(p, text, n, DNSREP_SCOPE_SUBTREE, allow, x);
}

/* ---- plain ------------------------------------------------------------------------ */

/** "example.com", "*.example.com", "# comment", "! comment", "name # comment". */
static int parse_plain_line(struct parser *p, char *s, size_t n)
{
	cut_at(s, &n, '#');
	s = dnsrep_feedp_trim(s, &n);
	if (n == 0 || s[0] == '!')
		return 0;
	char *pos = s;
	size_t len, extra_len;
	char *name = dnsrep_feedp_token(&pos, &len);
	char *extra = dnsrep_feedp_token(&pos, &extra_len);
	if (extra) {
		char buf[SHOWBUF];
		dnsrep_feedp_reject(p, p->line, "unexpected text after the name: '%s'",
			dnsrep_feedp_show(buf, sizeof(buf), extra, extra_len));
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
int dnsrep_feedp_is_address(const char *s, size_t n)
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
	s = dnsrep_feedp_trim(s, &n);
	if (n == 0 || s[0] == '!')
		return 0;
	char *pos = s;
	size_t len;
	char *addr = dnsrep_feedp_token(&pos, &len);
	char buf[SHOWBUF];
	if (!dnsrep_feedp_is_address(addr, len)) {
		dnsrep_feedp_reject(p, p->line, "not a hosts line: '%s' is not an IP address",
			dnsrep_feedp_show(buf, sizeof(buf), addr, len));
		return 0;
	}
	int names = 0;
	char *name;
	while ((name = dnsrep_feedp_token(&pos, &len)) != NULL) {
		names++;
		if (is_hosts_own_name(name, len))
			continue;
		if (memchr(name, '*', len)) {
			dnsrep_feedp_reject(p, p->line, "wildcards are not allowed in hosts files: '%s'",
				dnsrep_feedp_show(buf, sizeof(buf), name, len));
			continue;
		}
		if (dnsrep_feedp_take_name(p, name, len, DNSREP_SCOPE_SELF, 0, NULL) != 0)
			return -1;
	}
	if (names == 0)
		dnsrep_feedp_reject(p, p->line, "no name after the address");
	return 0;
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
		dnsrep_feedp_err(p, "feed %s:%u: CSV header must be domain,category,reason,date,source: "
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
	while (lead < n && dnsrep_feedp_is_space(s[lead]))
		lead++;
	if (lead == n || s[lead] == '#')
		return 0;
	const char *why = csv_split(s, n, out, f, CSV_FIELDS, &nf);
	if (!p->csv_header_seen)
		return csv_header(p, f, nf, why);
	if (why) {
		dnsrep_feedp_reject(p, p->line, "%s", why);
		return 0;
	}
	if (nf < CSV_FIELDS) {
		dnsrep_feedp_reject(p, p->line, "%d field%s, expected 5 (domain,category,reason,date,source)",
			nf, nf == 1 ? "" : "s");
		return 0;
	}
	struct extras x = { f[1][0] ? f[1] : NULL, f[2][0] ? f[2] : NULL,
		f[3][0] ? f[3] : NULL, f[4][0] ? f[4] : NULL, DNSREP_ACTION_INHERIT };
	if (x.date && !is_date(x.date)) {
		dnsrep_feedp_reject(p, p->line, "date must be YYYY-MM-DD, not '%s'",
			dnsrep_feedp_show(buf, sizeof(buf), x.date, strlen(x.date)));
		return 0;
	}
	if (x.source && !is_url(x.source)) {
		dnsrep_feedp_reject(p, p->line, "source must be a URL, not '%s'",
			dnsrep_feedp_show(buf, sizeof(buf), x.source, strlen(x.source)));
		return 0;
	}
	if (f[0][0] == '\0') {
		dnsrep_feedp_reject(p, p->line, "empty domain");
		return 0;
	}
	int allow = x.category && strcasecmp(x.category, "allow") == 0;
	if (allow)
		x.category = NULL;
	return take_pattern(p, f[0], strlen(f[0]), allow, &x);
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
			dnsrep_feedp_reject(p, p->line, "%s (the record from line %u is dropped)", why,
				p->rpz.rec_line);
			dnsrep_feedp_rpz_abandon(p);
		} else {
			dnsrep_feedp_reject(p, p->line, "%s", why);
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
		return dnsrep_feedp_adblock_line(p, line, n);
	case DNSREP_FORMAT_RPZ:
		return dnsrep_feedp_rpz_line(p, line, n);
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
	dnsrep_feedp_err(p, "feed %s: %u of %u lines rejected (%.1f%%, more than %.1f%%): feed rejected",
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
	char *first = dnsrep_feedp_token(&pos, &len);
	if (!first)
		return DNSREP_FORMAT_PLAIN;
	int second = 0;
	char *tok;
	while ((tok = dnsrep_feedp_token(&pos, &len)) != NULL) {
		if (strcasecmp(tok, "SOA") == 0 || strcasecmp(tok, "CNAME") == 0)
			return DNSREP_FORMAT_RPZ;
		second = 1;
	}
	if (second && dnsrep_feedp_is_address(first, strlen(first)))
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
		while (start < stop && dnsrep_feedp_is_space(*start))
			start++;
		while (stop > start && (stop[-1] == '\r' || dnsrep_feedp_is_space(stop[-1])))
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
		dnsrep_feedp_adblock_prescan(&p, data, len);
	int rc = 0;
	if (p.ad_oom) {
		dnsrep_feedp_err(&p, "feed %s: out of memory reading its exceptions", p.feed);
		rc = -1;
	} else {
		rc = for_each_line(&p, data, len);
	}
	if (rc == 0 && p.format == DNSREP_FORMAT_RPZ)
		dnsrep_feedp_rpz_finish(&p);
	dnsrep_feedp_rpz_free(&p.rpz);
	dnsrep_feedp_adblock_free(&p.ad);
	if (rc != 0)
		return -1;
	return too_many_rejected(&p) ? -1 : 0;
}

