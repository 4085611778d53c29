/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * report_count.c — `dnsrepctl report`'s counting: reading block logs (files,
 * gzipped or not, standard input, the fleet's Redis stream) and adding each
 * line up into the report's tables (with --csv: writing it as a row instead).
 *
 * Each file is read through zlib (gzopen/gzread read plain files transparently,
 * so one code path serves .jsonl and .jsonl.2.gz) in REPORT_CHUNK pieces; lines
 * are cut with memchr and scanned in place (report_scan.c).  Damaged lines are
 * counted, the first REPORT_DAMAGED_SHOWN named as FILE:LINE: reason, and
 * skipped; the rest of the file still counts.  A file's last line without a
 * newline that is cut short is the writer at work: counted as partial.  A file
 * is read once, however often it is named (the same inode).
 *
 * Filters (report_filter.c): --since and the others select lookups; drop
 * events ({"event":"dropped","count":N}) are resolver-wide, so only --since
 * applies to them.  A client's and a rule name's verdict is taken once, when
 * the table first meets it.
 *
 * Per lookup, besides the totals: its client, feed, (rule, feed) row, (client,
 * row) pair and hour; its asked name (lower case, no trailing dot) with the
 * name's latest rule, match and technique; its query type; (client, name) and
 * (name, query type) pairs; with drill-down ((client, name), query type).
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
#include <sys/stat.h>
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

const char *const report_match_names[M_N] = { "exact", "subdomain", "lookalike", "cname", "other" };

enum action_kind report_action_of(const char *s, size_t n)
{
	static const unsigned char len[A_OTHER] = { 8, 6, 7, 8, 8, 6, 7 };
	if (!s)
		return A_OTHER;
	for (int a = 0; a < A_OTHER; a++)
		if (len[a] == n && memcmp(report_action_names[a], s, n) == 0)
			return (enum action_kind)a;
	return A_OTHER;
}

enum match_kind report_match_of(const char *s, size_t n)
{
	if (!s)
		return M_OTHER;
	for (int m = 0; m < M_OTHER; m++)
		if (strlen(report_match_names[m]) == n && memcmp(report_match_names[m], s, n) == 0)
			return (enum match_kind)m;
	return M_OTHER;
}

uint64_t report_blocked(const struct report *r)
{
	return r->lookups - r->actions[A_LOGONLY] - r->actions[A_EXEMPT] - r->actions[A_ESCAPED] -
	       r->actions[A_OTHER];
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

/** A slice folded to lower case (ASCII) in r->lower, a trailing dot dropped; or upper case. */
static struct slice folded(struct report *r, struct slice v, int upper)
{
	size_t n = v.n;
	if (!upper && n > 1 && v.p[n - 1] == '.' && v.p[n - 2] != '\\')
		n--;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v.p[i];
		if (upper && c >= 'a' && c <= 'z')
			c = (unsigned char)(c - 32);
		else if (!upper && c >= 'A' && c <= 'Z')
			c = (unsigned char)(c + 32);
		r->lower[i] = (char)c;
	}
	return (struct slice){ r->lower, n };
}

/** Count a pair (a << 32 | b) in an integer table; *isnew when it is new.  -1: out of memory. */
static int count_pair(struct keytab *t, uint32_t a, uint32_t b, uint32_t *id, int *isnew)
{
	struct pair_stats *p = report_keytab_key(t, (uint64_t)a << 32 | b, id, isnew);
	if (!p)
		return -1;
	p->lookups++;
	return 0;
}

/** The asked name, its query type and, with drill-down, who asked: counted.  -1: out of memory. */
static int account_name(struct report *r, const struct rec *rec, int64_t ts, enum action_kind a,
			uint32_t cid, uint32_t rid, uint32_t fid)
{
	uint32_t qid, tid, techid, pid, other;
	int isnew, cnew;
	struct slice qt = folded(r, or_dash(rec->v[F_QTYPE]), 1);
	const struct strent *last = r->last_qtype ? &r->qtypes_t.ent[r->last_qtype - 1] : NULL;
	struct qtype_stats *t;
	if (last && last->len == qt.n && memcmp(last->s, qt.p, qt.n) == 0) {
		/* most lookups are of the type before them: no hashing */
		tid = r->last_qtype - 1;
		t = report_keytab_val(&r->qtypes_t, tid);
	} else if ((t = report_keytab_str(&r->qtypes_t, qt.p, qt.n, &tid, &isnew)) != NULL) {
		r->last_qtype = tid + 1;
	} else {
		return -1;
	}
	counts_add(&t->c, ts, a);
	const struct slice *te = &rec->v[F_TECHNIQUE];
	techid = 0; /* "-", interned first (report.c) */
	if (te->p && !report_keytab_str(&r->techniques_t, te->p, te->n, &techid, &isnew))
		return -1;
	struct slice qn = folded(r, rec->v[F_QNAME], 0);
	struct qname_stats *q = report_keytab_str(&r->qnames_t, qn.p, qn.n, &qid, &isnew);
	if (!q)
		return -1;
	if (isnew || ts >= q->c.last) {
		const struct slice *m = &rec->v[F_MATCH];
		q->rule = rid;
		q->feed = fid;
		q->technique = techid;
		q->match = (uint8_t)report_match_of(m->p, m->n);
	}
	counts_add(&q->c, ts, a);
	if (count_pair(&r->client_names_t, cid, qid, &pid, &cnew) < 0 ||
	    count_pair(&r->name_qtypes_t, qid, tid, &other, &isnew) < 0)
		return -1;
	if (cnew) /* q: another table's value, still valid */
		q->clients++;
	if (r->drilldown && count_pair(&r->client_name_qtypes_t, pid, tid, &other, &isnew) < 0)
		return -1;
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

	if (!report_rec_passes(r, rec)) {
		r->filtered++;
		return 0;
	}
	struct client_stats *c = report_keytab_str(&r->clients_t, cl.p, cl.n, &cid, &isnew);
	if (!c)
		return -1;
	if (isnew)
		c->pass = report_client_passes(r, cl.p, cl.n);
	if (!c->pass) {
		r->filtered++;
		return 0;
	}
	struct rulename_stats *rn = report_keytab_str(&r->rulenames_t, rl.p, rl.n, &rid, &isnew);
	if (!rn)
		return -1;
	if (isnew)
		rn->pass = report_rule_passes(r, rl.p, rl.n);
	if (!rn->pass) {
		r->filtered++;
		return 0;
	}
	enum action_kind a = report_action_of(rec->v[F_ACTION].p, rec->v[F_ACTION].n);
	r->lookups++;
	r->actions[a]++;
	span_add(r, ts);
	if (r->format == OUT_CSV) {
		report_csv_row(&r->csv, rec);
		report_csv_flush(r, 0);
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

	if (c->c.lookups == 0)
		r->clients++;
	counts_add(&c->c, ts, a);
	counts_add(&f->c, ts, a);
	counts_add(&row->c, ts, a);

	if (count_pair(&r->pairs_t, cid, rowid, &pid, &isnew) < 0)
		return -1;
	if (isnew) {
		/* row, c: other tables, still valid */
		row->clients++;
		c->rules++;
	}
	struct hour_stats *h = report_keytab_key(&r->hours_t, (uint64_t)report_hour_of(ts), &hid, &isnew);
	if (!h)
		return -1;
	h->lookups++;
	if (a <= A_SINKHOLE)
		h->blocked++;
	return account_name(r, rec, ts, a, cid, rid, fid);
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

/**
 * One line (newline excluded; last: the file's last line, without one).
 * @return -1 when out of memory.
 */
static int process_line(struct report *r, const char *file, uint64_t lineno, const char *p, size_t n, int last)
{
	struct rec rec;
	int64_t ts;
	r->lines++;
	const char *why = scan_timed(r, p, n, &rec, &ts);
	if (last && why && strcmp(why, "truncated line") == 0) {
		/* the writer is still writing it: not damage */
		r->partial++;
		return 0;
	}
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
	if (process_line(sr->r, "redis stream", sr->lineno, sr->r->buf, len, 0) < 0)
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
			} else if (process_line(r, name, lineno, buf + start, len, 0) < 0) {
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
		} else if (end > 0 && process_line(r, name, lineno + 1, buf, end, 1) < 0) {
			rc = -1;
		}
		return rc;
	}
}

int report_add_file(struct report *r, const char *path, enum file_status st)
{
	char *copy = strdup(path);
	if (!copy || report_grow(&r->files, &r->files_cap, r->n_files + 1, sizeof(*r->files)) < 0) {
		free(copy);
		return -1;
	}
	r->files[r->n_files++] = (struct report_file){ copy, st };
	return 0;
}

/**
 * Whether the file was read already (the same inode); else remember it.  Only
 * stat(): opening a FIFO to look at it would lose what its writer sends.
 * @return 1, 0, or -1 when out of memory.
 */
static int seen_before(struct report *r, const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return 0;
	for (size_t i = 0; i < r->n_seen; i++)
		if (r->seen[i].dev == (uint64_t)st.st_dev && r->seen[i].ino == (uint64_t)st.st_ino)
			return 1;
	if (report_grow(&r->seen, &r->seen_cap, r->n_seen + 1, sizeof(*r->seen)) < 0)
		return -1;
	r->seen[r->n_seen].dev = (uint64_t)st.st_dev;
	r->seen[r->n_seen].ino = (uint64_t)st.st_ino;
	r->n_seen++;
	return 0;
}

int report_read_file(struct report *r, const char *path, int optional)
{
	const char *name = strcmp(path, "-") == 0 ? "<stdin>" : path;
	struct stat st;
	if (optional && strcmp(path, "-") != 0 && stat(path, &st) < 0 && errno == ENOENT)
		return report_add_file(r, path, RF_MISSING);
	int seen = strcmp(path, "-") == 0 ? 0 : seen_before(r, path);
	if (seen != 0)
		return seen < 0 ? -1 : 0;
	gzFile gz = open_log(path, name);
	if (!gz) {
		r->files_unreadable++;
		return report_add_file(r, name, RF_UNREADABLE) < 0 ? -1 : 1;
	}
	int rc = read_lines(r, gz, path, name);
	gzclose(gz);
	if (rc == 1)
		r->files_unreadable++;
	else if (rc == 0)
		r->files_read++;
	if (rc >= 0 && report_add_file(r, name, rc == 0 ? RF_READ : RF_UNREADABLE) < 0)
		return -1;
	return rc;
}
