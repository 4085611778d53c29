/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * report_count.c — `dnsrepctl report`'s counting: reading block logs (files,
 * gzipped or not, standard input, the fleet's Redis stream), adding each line
 * up into the report's tables, and sorting the tables for output.
 *
 * Each file is read through zlib (gzopen/gzread read plain files transparently,
 * so one code path serves .jsonl and .jsonl.2.gz) in REPORT_CHUNK pieces; lines
 * are cut with memchr and scanned in place (report_scan.c).  Damaged lines are
 * counted, the first REPORT_DAMAGED_SHOWN named as FILE:LINE: reason, and
 * skipped; the rest of the file still counts.
 *
 * Filters: --since and --client/--rule select lookups; drop events
 * ({"event":"dropped","count":N}) are resolver-wide, so only --since applies to
 * them.  A client's and a rule name's verdict is taken once, when the table
 * first meets it.
 */
#include "report.h"
#include "dnsrep/config.h"
#include "dnsrep/store.h"
#include "dnsrep/store_config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <zlib.h>

const char *const report_action_names[A_N] = {
	"nxdomain", "nodata", "refused", "sinkhole", "log-only", "exempt", "escaped", "other"
};

/* ---- one lookup -------------------------------------------------------------- */

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
		if (len[a] == s->n && memcmp(report_action_names[a], s->p, s->n) == 0)
			return (enum action_kind)a;
	return A_OTHER;
}

uint64_t report_blocked(const struct report *r)
{
	return r->lookups - r->actions[A_LOGONLY] - r->actions[A_EXEMPT] - r->actions[A_ESCAPED] -
	       r->actions[A_OTHER];
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

/** The category of a rule row's latest lookup; interned only when it changes.  -1: out of memory. */
static int set_category(struct report *r, struct rule_stats *row, int isnew, int64_t ts, struct slice cat)
{
	uint32_t catid;
	if (!isnew && ts < row->c.last)
		return 0;
	const struct strent *e = isnew ? NULL : &r->categories_t.ent[row->category];
	if (!e || e->len != cat.n || memcmp(e->s, cat.p, cat.n) != 0) {
		if (!report_keytab_str(&r->categories_t, cat.p, cat.n, &catid, &isnew))
			return -1;
		row->category = catid;
	}
	return 0;
}

/** Count one lookup that passed the time filter.  @return -1 when out of memory. */
static int account_lookup(struct report *r, const struct rec *rec, int64_t ts)
{
	uint32_t cid, rid, fid, rowid, pid, hid;
	int isnew;
	struct slice cl = or_dash(rec->v[F_CLIENT]);
	struct slice rl = or_dash(rec->v[F_RULE]);
	struct slice fd = or_dash(rec->v[F_FEED]);

	struct client_stats *c = report_keytab_str(&r->clients_t, cl.p, cl.n, &cid, &isnew);
	if (!c)
		return -1;
	if (isnew)
		c->pass = !r->n_client_filters || client_passes(r, cl.p, cl.n);
	if (!c->pass) {
		r->filtered++;
		return 0;
	}
	struct rulename_stats *rn = report_keytab_str(&r->rulenames_t, rl.p, rl.n, &rid, &isnew);
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
	struct feed_stats *f = report_keytab_str(&r->feeds_t, fd.p, fd.n, &fid, &isnew);
	if (!f)
		return -1;
	struct rule_stats *row = report_keytab_key(&r->rules_t, (uint64_t)rid << 32 | fid, &rowid, &isnew);
	if (!row)
		return -1;
	if (isnew) {
		row->rule = rid;
		row->feed = fid;
	}
	if (set_category(r, row, isnew, ts, or_dash(rec->v[F_CATEGORY])) < 0)
		return -1;

	enum action_kind a = action_of(&rec->v[F_ACTION]);
	r->lookups++;
	r->actions[a]++;
	span_add(r, ts);
	if (c->c.lookups == 0)
		r->clients++;
	counts_add(&c->c, ts, a);
	counts_add(&f->c, ts, a);
	counts_add(&row->c, ts, a);

	struct pair_stats *pr = report_keytab_key(&r->pairs_t, (uint64_t)cid << 32 | rowid, &pid, &isnew);
	if (!pr)
		return -1;
	if (isnew) {
		/* row, c: other tables, still valid */
		row->clients++;
		c->rules++;
	}
	pr->lookups++;

	struct hour_stats *h = report_keytab_key(&r->hours_t, (uint64_t)report_hour_of(ts), &hid, &isnew);
	if (!h)
		return -1;
	h->lookups++;
	if (a <= A_SINKHOLE)
		h->blocked++;
	return 0;
}

/* ---- one line ---------------------------------------------------------------- */

/** Count a damaged line; name the first few. */
static void damaged(struct report *r, const char *file, uint64_t line, const char *why)
{
	if (r->damaged++ < REPORT_DAMAGED_SHOWN)
		fprintf(stderr, "dnsrepctl: %s:%" PRIu64 ": %s\n", file, line, why);
}

/** An event line: a drop event is summed, others only counted.  NULL, or why it is damaged. */
static const char *account_event(struct report *r, const struct rec *rec, int64_t ts)
{
	const struct slice *ev = &rec->v[F_EVENT];
	if (ev->n != 7 || memcmp(ev->p, "dropped", 7) != 0) {
		r->other_events++;
		return NULL;
	}
	if (!rec->has_count)
		return "dropped event without a count";
	if (r->has_since && ts < r->since) {
		r->filtered++;
		return NULL;
	}
	r->drops += rec->count;
	r->drop_events++;
	span_add(r, ts);
	return NULL;
}

/** Scan a line and read its time.  @return NULL, or why the line is damaged. */
static const char *scan_timed(struct report *r, const char *p, size_t n, struct rec *rec, int64_t *ts)
{
	const char *why;
	if (n > REPORT_MAX_LINE)
		return "line longer than 64 KiB";
	if ((why = report_scan_line(&r->scan, p, p + n, rec)) != NULL)
		return why;
	if (!rec->v[F_TS].p)
		return "missing ts";
	if (report_parse_time(rec->v[F_TS].p, rec->v[F_TS].n, 0, ts) < 0)
		return "ts is not an RFC 3339 time";
	return NULL;
}

/** One line (newline excluded).  @return -1 when out of memory. */
static int process_line(struct report *r, const char *file, uint64_t lineno, const char *p, size_t n)
{
	struct rec rec;
	int64_t ts;
	r->lines++;
	const char *why = scan_timed(r, p, n, &rec, &ts);
	if (!why) {
		if (rec.v[F_EVENT].p)
			why = account_event(r, &rec, ts);
		else if (!rec.v[F_QNAME].p)
			why = "missing qname";
		else if (r->has_since && ts < r->since)
			r->filtered++;
		else
			return account_lookup(r, &rec, ts);
	}
	if (why)
		damaged(r, file, lineno, why);
	return 0;
}

/* ---- reading ----------------------------------------------------------------- */

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

int report_read_redis(struct report *r, const char *config)
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

/** Open a log (name: what to call it) for gzread; NULL, said on stderr, when it cannot be. */
static gzFile open_log(const char *path, const char *name)
{
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
		return NULL;
	}
	gzbuffer(gz, 256 * 1024);
	return gz;
}

/** After gzread gave got ≤ 0: say so if that was an error.  @return 1 on an error, else 0. */
static int read_error(gzFile gz, int got, const char *path, const char *name)
{
	int errnum = Z_OK;
	const char *msg = gzerror(gz, &errnum);
	if (got == 0 && errnum == Z_OK)
		return 0;
	/* zlib's message starts with the path: do not say it twice */
	size_t plen = strlen(path);
	if (strncmp(msg, path, plen) == 0 && strncmp(msg + plen, ": ", 2) == 0)
		msg += plen + 2;
	fprintf(stderr, "dnsrepctl: %s: read error: %s\n", name, errnum == Z_ERRNO ? strerror(errno) : msg);
	return 1;
}

/** Count the lines of one opened log.  @return 0, 1 on a read error, -1 when out of memory. */
static int read_lines(struct report *r, gzFile gz, const char *path, const char *name)
{
	char *buf = r->buf;
	size_t start = 0, end = 0;
	uint64_t lineno = 0;
	int skipping = 0;   /* inside a line already known to be too long */
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
				return -1;
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
		if (got > 0) {
			end += (size_t)got;
			continue;
		}
		int rc = read_error(gz, got, path, name);
		/* the last line, without a newline */
		if (skipping) {
			r->lines++;
			damaged(r, name, lineno + 1, "line longer than 64 KiB");
		} else if (end > 0 && process_line(r, name, lineno + 1, buf, end) < 0) {
			rc = -1;
		}
		return rc;
	}
}

int report_read_file(struct report *r, const char *path)
{
	const char *name = strcmp(path, "-") == 0 ? "<stdin>" : path;
	gzFile gz = open_log(path, name);
	if (!gz) {
		r->files_unreadable++;
		return 1;
	}
	int rc = read_lines(r, gz, path, name);
	gzclose(gz);
	if (rc == 1)
		r->files_unreadable++;
	else if (rc == 0)
		r->files_read++;
	return rc;
}

/* ---- sorting ----------------------------------------------------------------- */

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

size_t report_shown(const struct report *r, size_t n)
{
	return r->top && r->top < n ? r->top : n;
}

static int cmp_hours(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
	return a < b ? -1 : a > b;
}

/** The rule row of a (client, rule row) pair. */
static const struct rule_stats *pair_row(const struct report *r, uint32_t pair)
{
	return report_keytab_val(&r->rules_t, (uint32_t)r->pairs_t.keys[pair]);
}

/** Whether pair a beats pair b for a client's top rules. */
static int pair_beats(const struct report *r, uint32_t a, uint32_t b)
{
	const struct pair_stats *pa = report_keytab_val(&r->pairs_t, a), *pb = report_keytab_val(&r->pairs_t, b);
	if (pa->lookups != pb->lookups)
		return pa->lookups > pb->lookups;
	const struct rule_stats *ra = pair_row(r, a), *rb = pair_row(r, b);
	const struct strent *na = &r->rulenames_t.ent[ra->rule], *nb = &r->rulenames_t.ent[rb->rule];
	int c = cmp_bytes(na->s, na->len, nb->s, nb->len);
	if (c)
		return c < 0;
	const struct strent *fa = &r->feeds_t.ent[ra->feed], *fb = &r->feeds_t.ent[rb->feed];
	return cmp_bytes(fa->s, fa->len, fb->s, fb->len) < 0;
}

void report_sorted_free(struct sorted *s)
{
	free(s->feeds);
	free(s->rules);
	free(s->clients);
	free(s->hours);
	free(s->hour_ids);
	free(s->client_rules);
}

/** The rows of the feeds, rules and clients tables, sorted; and the feeds' rule counts. */
static void sort_rows(struct report *r, struct sorted *s)
{
	for (uint32_t i = 0; i < r->rules_t.n; i++) {
		struct rule_stats *row = report_keytab_val(&r->rules_t, i);
		const struct strent *rn = &r->rulenames_t.ent[row->rule], *fn = &r->feeds_t.ent[row->feed];
		s->rules[s->n_rules++] = (struct sortrow){ row->c.lookups, rn->s, rn->len, fn->s, fn->len, i };
		((struct feed_stats *)report_keytab_val(&r->feeds_t, row->feed))->rules++;
	}
	for (uint32_t i = 0; i < r->feeds_t.n; i++) {
		const struct feed_stats *f = report_keytab_val(&r->feeds_t, i);
		if (f->c.lookups)
			s->feeds[s->n_feeds++] = (struct sortrow){ f->c.lookups, r->feeds_t.ent[i].s,
				r->feeds_t.ent[i].len, NULL, 0, i };
	}
	for (uint32_t i = 0; i < r->clients_t.n; i++) {
		const struct client_stats *c = report_keytab_val(&r->clients_t, i);
		if (c->c.lookups)
			s->clients[s->n_clients++] = (struct sortrow){ c->c.lookups, r->clients_t.ent[i].s,
				r->clients_t.ent[i].len, NULL, 0, i };
	}
	qsort(s->feeds, s->n_feeds, sizeof(*s->feeds), cmp_rows);
	qsort(s->rules, s->n_rules, sizeof(*s->rules), cmp_rows);
	qsort(s->clients, s->n_clients, sizeof(*s->clients), cmp_rows);
}

/** The hours in order, with their ids. */
static void sort_hours(struct report *r, struct sorted *s)
{
	size_t nh = r->hours_t.n;
	for (uint32_t i = 0; i < nh; i++)
		s->hours[i] = (int64_t)r->hours_t.keys[i];
	qsort(s->hours, nh, sizeof(*s->hours), cmp_hours);
	for (size_t i = 0; i < nh; i++) {
		int isnew;
		report_keytab_key(&r->hours_t, (uint64_t)s->hours[i], &s->hour_ids[i], &isnew);
	}
	s->n_hours = nh;
}

/** The shown clients' top rules: one pass over the (client, rule) pairs.  -1 when out of memory. */
static int find_client_rules(struct report *r, struct sorted *s)
{
	size_t ncs = report_shown(r, s->n_clients);
	s->client_rules = malloc((ncs + 1) * REPORT_CLIENT_RULES * sizeof(*s->client_rules));
	if (!s->client_rules)
		return -1;
	memset(s->client_rules, 0xff, (ncs + 1) * REPORT_CLIENT_RULES * sizeof(*s->client_rules));
	for (size_t i = 0; i < ncs; i++)
		((struct client_stats *)report_keytab_val(&r->clients_t, s->clients[i].id))->top = (int32_t)i + 1;
	for (uint32_t p = 0; p < r->pairs_t.n; p++) {
		uint32_t cid = (uint32_t)(r->pairs_t.keys[p] >> 32);
		const struct client_stats *c = report_keytab_val(&r->clients_t, cid);
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

int report_sort(struct report *r, struct sorted *s)
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
	sort_rows(r, s);
	sort_hours(r, s);
	return find_client_rules(r, s);
}

int report_top_rule(const struct report *r, const struct sorted *s, size_t i, int k, struct top_rule *tr)
{
	uint32_t p = s->client_rules[i * REPORT_CLIENT_RULES + (size_t)k];
	if (p == UINT32_MAX)
		return 0;
	const struct rule_stats *row = pair_row(r, p);
	tr->rule = &r->rulenames_t.ent[row->rule];
	tr->feed = &r->feeds_t.ent[row->feed];
	tr->lookups = ((const struct pair_stats *)report_keytab_val(&r->pairs_t, p))->lookups;
	return 1;
}
