/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * report_layout.c — `dnsrepctl report` laid out as titled tables of cells:
 * totals, per feed, per rule, top clients, names asked, query types, the
 * per-client drill-down and per hour.  The text report (report_text.c) and the
 * HTML page (report_html.c) show the same tables, each escaping the cells its
 * own way: cells hold the log's bytes as they are.
 */
#include "report.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void table_init(struct rtable *t, const char *id, int ncols, const char *const *head, const char *align)
{
	memset(t, 0, sizeof(*t));
	t->id = id;
	t->ncols = ncols;
	t->head = head;
	t->align = align;
}

static void table_str(struct rtable *t, const char *s, size_t n)
{
	if (report_grow(&t->offs, &t->cap, t->ncells + 1, sizeof(*t->offs)) < 0 ||
	    report_grow(&t->lens, &t->ncap, t->ncells + 1, sizeof(*t->lens)) < 0) {
		t->failed = 1;
		return;
	}
	t->offs[t->ncells] = t->cells.len;
	t->lens[t->ncells++] = n;
	dnsrep_buf_add(&t->cells, s, n);
}

static void table_num(struct rtable *t, uint64_t v)
{
	char num[24];
	int n = snprintf(num, sizeof(num), "%" PRIu64, v);
	table_str(t, num, (size_t)n);
}

static void table_time(struct rtable *t, int64_t ms)
{
	char when[40];
	report_format_time(ms, 0, when, sizeof(when));
	table_str(t, when, strlen(when));
}

/** LOOKUPS, BLOCKED, LOG-ONLY, EXEMPT. */
static void table_counts(struct rtable *t, const struct counts *c)
{
	table_num(t, c->lookups);
	table_num(t, c->blocked);
	table_num(t, c->logonly);
	table_num(t, c->exempt);
}

static void table_buf(struct rtable *t, const struct dnsrep_buf *b)
{
	if (b->failed)
		t->failed = 1;
	table_str(t, b->data ? b->data : "", b->len);
}

/** A parent's query types as "A 3, MX 1" (g: name_qtypes or client_name_qtypes). */
static void put_qtypes(const struct groups *g, uint32_t parent, struct dnsrep_buf *b)
{
	for (size_t i = g->start[parent]; i < g->start[parent + 1]; i++) {
		char cnt[32];
		snprintf(cnt, sizeof(cnt), " %" PRIu64, g->rows[i].lookups);
		if (i > g->start[parent])
			dnsrep_buf_puts(b, ", ");
		dnsrep_buf_add(b, g->rows[i].name, g->rows[i].len);
		dnsrep_buf_puts(b, cnt);
	}
}

size_t report_rows(const struct rtable *t)
{
	return t->ncells / (size_t)t->ncols;
}

const char *report_cell(const struct rtable *t, size_t i, int k, size_t *len)
{
	size_t c = i * (size_t)t->ncols + (size_t)k;
	*len = t->lens[c];
	return t->cells.data + t->offs[c];
}

/** A table's title: "Per feed (top 10 of 20, by lookups)". */
static void table_title(struct rtable *t, const char *title, size_t n, size_t of)
{
	if (n < of)
		snprintf(t->title, sizeof(t->title), "%s (top %zu of %zu, by lookups)", title, n, of);
	else
		snprintf(t->title, sizeof(t->title), "%s (%zu, by lookups)", title, of);
}

/* ---- totals ------------------------------------------------------------------- */

static void total(struct rtable *t, const char *label, uint64_t v)
{
	table_str(t, label, strlen(label));
	table_num(t, v);
}

/** The time span: first .. last record. */
static void total_span(const struct report *r, struct rtable *t)
{
	char a[40], b[40], span[90] = "-";
	if (r->has_span) {
		report_format_time(r->first, 0, a, sizeof(a));
		report_format_time(r->last, 0, b, sizeof(b));
		snprintf(span, sizeof(span), "%s .. %s", a, b);
	}
	table_str(t, "time span", 9);
	table_str(t, span, strlen(span));
}

static void lay_totals(const struct report *r, const struct sorted *s, struct rtable *t)
{
	static const char *const head[] = { "TOTAL", "" };
	char label[40];
	table_init(t, "totals", 2, head, "lr");
	snprintf(t->title, sizeof(t->title), "Totals");
	total(t, "lookups", r->lookups);
	total(t, "blocked", report_blocked(r));
	for (int k = A_NXDOMAIN; k <= A_SINKHOLE; k++) {
		if (r->actions[k]) {
			snprintf(label, sizeof(label), "  %s", report_action_names[k]);
			total(t, label, r->actions[k]);
		}
	}
	total(t, "log-only", r->actions[A_LOGONLY]);
	total(t, "exempt", r->actions[A_EXEMPT]);
	if (r->actions[A_ESCAPED]) /* a blocked name answered from Unbound's cache: say so */
		total(t, "escaped (real answers)", r->actions[A_ESCAPED]);
	if (r->actions[A_OTHER])
		total(t, "other action", r->actions[A_OTHER]);
	total(t, "clients", r->clients);
	total(t, "rules", r->rules);
	total(t, "feeds", s->n_feeds);
	total(t, "names", s->n_names);
	total(t, "query types", s->n_qtypes);
	total(t, "drops", r->drops);
	total(t, "damaged lines", r->damaged);
	if (r->partial)
		total(t, "partial last lines", r->partial);
	if (r->has_since || report_filtered(r))
		total(t, "filtered out", r->filtered);
	if (r->other_events)
		total(t, "other events", r->other_events);
	total(t, "lines", r->lines);
	total(t, "files read", r->files_read);
	if (r->files_unreadable)
		total(t, "files unreadable", r->files_unreadable);
	total_span(r, t);
}

/* ---- the tables ------------------------------------------------------------------ */

static void lay_feeds(const struct report *r, const struct sorted *s, struct rtable *t)
{
	static const char *const head[] = { "FEED", "LOOKUPS", "BLOCKED", "LOG-ONLY", "EXEMPT",
		"RULES", "FIRST SEEN", "LAST SEEN" };
	size_t n = report_shown(r, s->n_feeds);
	table_init(t, "feeds", 8, head, "lrrrrrll");
	table_title(t, "Per feed", n, s->n_feeds);
	for (size_t i = 0; i < n; i++) {
		const struct feed_stats *f = report_keytab_val(&r->feeds_t, s->feeds[i].id);
		table_str(t, s->feeds[i].name, s->feeds[i].len);
		table_counts(t, &f->c);
		table_num(t, f->rules);
		table_time(t, f->c.first);
		table_time(t, f->c.last);
	}
}

static void lay_rules(const struct report *r, const struct sorted *s, struct rtable *t)
{
	static const char *const head[] = { "RULE", "CATEGORY", "FEED", "LOOKUPS", "BLOCKED",
		"CLIENTS", "FIRST SEEN", "LAST SEEN" };
	size_t n = report_shown(r, s->n_rules);
	table_init(t, "rules", 8, head, "lllrrrll");
	table_title(t, "Per rule", n, s->n_rules);
	for (size_t i = 0; i < n; i++) {
		const struct rule_stats *row = report_keytab_val(&r->rules_t, s->rules[i].id);
		const struct strent *cat = &r->categories_t.ent[row->category];
		table_str(t, s->rules[i].name, s->rules[i].len);
		table_str(t, cat->s, cat->len);
		table_str(t, s->rules[i].name2, s->rules[i].len2);
		table_num(t, row->c.lookups);
		table_num(t, row->c.blocked);
		table_num(t, row->clients);
		table_time(t, row->c.first);
		table_time(t, row->c.last);
	}
}

/** The i-th shown client's top rules as one cell: "rule (N), rule (N)". */
static void top_rules_cell(const struct report *r, const struct sorted *s, size_t i, struct rtable *t,
			   struct dnsrep_buf *tops)
{
	struct top_rule tr;
	dnsrep_buf_reset(tops);
	for (int k = 0; k < REPORT_CLIENT_RULES && report_top_rule(r, s, i, k, &tr); k++) {
		char cnt[32];
		snprintf(cnt, sizeof(cnt), " (%" PRIu64 ")", tr.lookups);
		if (k)
			dnsrep_buf_puts(tops, ", ");
		dnsrep_buf_add(tops, tr.rule->s, tr.rule->len);
		dnsrep_buf_puts(tops, cnt);
	}
	table_buf(t, tops);
}

static void lay_clients(const struct report *r, const struct sorted *s, struct rtable *t, struct dnsrep_buf *tmp)
{
	static const char *const head[] = { "CLIENT", "LOOKUPS", "BLOCKED", "RULES",
		"FIRST SEEN", "LAST SEEN", "TOP RULES" };
	size_t n = report_shown(r, s->n_clients);
	table_init(t, "clients", 7, head, "lrrrlll");
	table_title(t, "Top clients", n, s->n_clients);
	for (size_t i = 0; i < n; i++) {
		const struct client_stats *c = report_keytab_val(&r->clients_t, s->clients[i].id);
		table_str(t, s->clients[i].name, s->clients[i].len);
		table_num(t, c->c.lookups);
		table_num(t, c->c.blocked);
		table_num(t, c->rules);
		table_time(t, c->c.first);
		table_time(t, c->c.last);
		top_rules_cell(r, s, i, t, tmp);
	}
}

static void lay_names(const struct report *r, const struct sorted *s, struct rtable *t, struct dnsrep_buf *tmp)
{
	static const char *const head[] = { "NAME ASKED", "LOOKUPS", "BLOCKED", "CLIENTS", "QUERY TYPES",
		"MATCH", "RULE", "TECHNIQUE", "LAST SEEN" };
	size_t n = report_shown(r, s->n_names);
	table_init(t, "names", 9, head, "lrrrlllll");
	table_title(t, "Names asked", n, s->n_names);
	for (size_t i = 0; i < n; i++) {
		const struct qname_stats *q = report_keytab_val(&r->qnames_t, s->names[i].id);
		const struct strent *rule = &r->rulenames_t.ent[q->rule], *tech = &r->techniques_t.ent[q->technique];
		const char *m = report_match_names[q->match];
		table_str(t, s->names[i].name, s->names[i].len);
		table_num(t, q->c.lookups);
		table_num(t, q->c.blocked);
		table_num(t, q->clients);
		dnsrep_buf_reset(tmp);
		put_qtypes(&s->name_qtypes, s->names[i].id, tmp);
		table_buf(t, tmp);
		table_str(t, m, strlen(m));
		table_str(t, rule->s, rule->len);
		table_str(t, tech->s, tech->len);
		table_time(t, q->c.last);
	}
}

static void lay_qtypes(const struct report *r, const struct sorted *s, struct rtable *t)
{
	static const char *const head[] = { "QUERY TYPE", "LOOKUPS", "BLOCKED", "LOG-ONLY", "EXEMPT" };
	size_t n = report_shown(r, s->n_qtypes);
	table_init(t, "qtypes", 5, head, "lrrrr");
	table_title(t, "Query types", n, s->n_qtypes);
	for (size_t i = 0; i < n; i++) {
		const struct qtype_stats *q = report_keytab_val(&r->qtypes_t, s->qtypes[i].id);
		table_str(t, s->qtypes[i].name, s->qtypes[i].len);
		table_counts(t, &q->c);
	}
}

/** Per shown client, its --top names with their query types. */
static void lay_drill(const struct report *r, const struct sorted *s, struct rtable *t, struct dnsrep_buf *tmp)
{
	static const char *const head[] = { "CLIENT", "NAME ASKED", "LOOKUPS", "QUERY TYPES" };
	size_t n = report_shown(r, s->n_clients);
	table_init(t, "by-client", 4, head, "llrl");
	snprintf(t->title, sizeof(t->title), "By client: names asked and query types (%zu clients)",
		 r->drilldown ? n : 0);
	for (size_t i = 0; r->drilldown && i < n; i++) {
		uint32_t cid = s->clients[i].id;
		const struct groups *g = &s->client_names;
		size_t first = g->start[cid], shown = report_shown(r, g->start[cid + 1] - first);
		for (size_t k = first; k < first + shown; k++) {
			table_str(t, s->clients[i].name, s->clients[i].len);
			table_str(t, g->rows[k].name, g->rows[k].len);
			table_num(t, g->rows[k].lookups);
			dnsrep_buf_reset(tmp);
			put_qtypes(&s->client_name_qtypes, g->rows[k].id, tmp);
			table_buf(t, tmp);
		}
	}
}

static void lay_hours(const struct report *r, const struct sorted *s, struct rtable *t)
{
	static const char *const head[] = { "HOUR (UTC)", "LOOKUPS", "BLOCKED" };
	char hour[40];
	table_init(t, "hours", 3, head, "lrr");
	snprintf(t->title, sizeof(t->title), "Per hour (%zu)", s->n_hours);
	for (size_t i = 0; i < s->n_hours; i++) {
		const struct hour_stats *h = report_keytab_val(&r->hours_t, s->hour_ids[i]);
		report_format_hour(s->hours[i], hour, sizeof(hour));
		table_str(t, hour, strlen(hour));
		table_num(t, h->lookups);
		table_num(t, h->blocked);
	}
}

void report_layout_free(struct rtable *t)
{
	for (int i = 0; i < RT_N; i++) {
		dnsrep_buf_free(&t[i].cells);
		free(t[i].offs);
		free(t[i].lens);
	}
}

int report_layout(const struct report *r, const struct sorted *s, struct rtable *t)
{
	struct dnsrep_buf tmp = { 0 };
	lay_totals(r, s, &t[RT_TOTALS]);
	lay_feeds(r, s, &t[RT_FEEDS]);
	lay_rules(r, s, &t[RT_RULES]);
	lay_clients(r, s, &t[RT_CLIENTS], &tmp);
	lay_names(r, s, &t[RT_NAMES], &tmp);
	lay_qtypes(r, s, &t[RT_QTYPES]);
	lay_drill(r, s, &t[RT_DRILL], &tmp);
	lay_hours(r, s, &t[RT_HOURS]);
	dnsrep_buf_free(&tmp);
	for (int i = 0; i < RT_N; i++) {
		if (t[i].failed || t[i].cells.failed) {
			report_layout_free(t);
			return -1;
		}
	}
	return 0;
}
