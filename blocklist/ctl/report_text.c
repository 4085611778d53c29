/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * report_text.c — `dnsrepctl report`'s text report: totals, then tables per
 * feed, per rule, of the top clients and per hour, for a terminal.
 *
 * Every string from the log is cleaned before it is shown (control bytes, DEL,
 * C1 controls and invalid UTF-8 as \DDD), so a hostile qname or client cannot
 * drive the terminal; columns are as wide as their widest cell in characters.
 */
#include "ctl.h"
#include "report.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	if (report_grow(&t->offs, &t->cap, t->ncells + 1, sizeof(*t->offs)) < 0) {
		t->failed = 1;
		return;
	}
	t->offs[t->ncells++] = t->cells.len;
	ctl_put_clean(&t->cells, s, n);
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
	report_format_time(ms, 0, when, sizeof(when));
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

/** A table's heading ("Per feed (top 10 of 20, by lookups)") and the empty table under it. */
static void table_open(struct table *t, struct dnsrep_buf *out, const char *title, size_t n, size_t of,
		       int ncols, const char *const *head, const char *align)
{
	char line[128];
	if (n < of)
		snprintf(line, sizeof(line), "\n%s (top %zu of %zu, by lookups)\n", title, n, of);
	else
		snprintf(line, sizeof(line), "\n%s (%zu, by lookups)\n", title, of);
	dnsrep_buf_puts(out, line);
	table_init(t, ncols, head, align);
}

/** The filters line, when any filter was given. */
static void print_filters(const struct report *r, struct dnsrep_buf *out)
{
	char since[40];
	if (!r->has_since && !r->n_client_filters && !r->n_rule_filters)
		return;
	dnsrep_buf_puts(out, "  filters:");
	if (r->has_since) {
		report_format_time(r->since, 0, since, sizeof(since));
		dnsrep_buf_puts(out, " since ");
		dnsrep_buf_puts(out, since);
	}
	for (size_t i = 0; i < r->n_client_filters; i++) {
		dnsrep_buf_puts(out, " client ");
		ctl_put_clean(out, r->client_filter_text[i], strlen(r->client_filter_text[i]));
	}
	for (size_t i = 0; i < r->n_rule_filters; i++) {
		dnsrep_buf_puts(out, " rule ");
		ctl_put_clean(out, r->rule_filter[i], strlen(r->rule_filter[i]));
	}
	dnsrep_buf_puts(out, "\n");
}

/** The time span line: first .. last record. */
static void print_span(const struct report *r, struct dnsrep_buf *out)
{
	char a[40], b[40], line[200];
	if (r->has_span) {
		report_format_time(r->first, 0, a, sizeof(a));
		report_format_time(r->last, 0, b, sizeof(b));
		snprintf(line, sizeof(line), "  %-18s %s .. %s\n", "time span", a, b);
	} else {
		snprintf(line, sizeof(line), "  %-18s %s\n", "time span", "-");
	}
	dnsrep_buf_puts(out, line);
}

static void print_totals(const struct report *r, const struct sorted *s, struct dnsrep_buf *out)
{
	char label[40];
	dnsrep_buf_puts(out, "\nTotals\n");
	put_total(out, "lookups", r->lookups);
	put_total(out, "blocked", report_blocked(r));
	for (int k = A_NXDOMAIN; k <= A_SINKHOLE; k++) {
		if (r->actions[k]) {
			snprintf(label, sizeof(label), "  %s", report_action_names[k]);
			put_total(out, label, r->actions[k]);
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
	print_span(r, out);
}

static void print_feeds(const struct report *r, const struct sorted *s, struct dnsrep_buf *out, int *failed)
{
	static const char *const head[] = { "FEED", "LOOKUPS", "BLOCKED", "LOG-ONLY", "EXEMPT",
		"RULES", "FIRST SEEN", "LAST SEEN" };
	struct table t;
	size_t n = report_shown(r, s->n_feeds);
	table_open(&t, out, "Per feed", n, s->n_feeds, 8, head, "lrrrrrll");
	for (size_t i = 0; i < n; i++) {
		const struct feed_stats *f = report_keytab_val(&r->feeds_t, s->feeds[i].id);
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
}

static void print_rules(const struct report *r, const struct sorted *s, struct dnsrep_buf *out, int *failed)
{
	static const char *const head[] = { "RULE", "CATEGORY", "FEED", "LOOKUPS", "BLOCKED",
		"CLIENTS", "FIRST SEEN", "LAST SEEN" };
	struct table t;
	size_t n = report_shown(r, s->n_rules);
	table_open(&t, out, "Per rule", n, s->n_rules, 8, head, "lllrrrll");
	for (size_t i = 0; i < n; i++) {
		const struct rule_stats *row = report_keytab_val(&r->rules_t, s->rules[i].id);
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
}

/** The i-th shown client's top rules as one cell: "rule (N), rule (N)". */
static void top_rules_cell(const struct report *r, const struct sorted *s, size_t i, struct table *t,
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
	if (tops->failed)
		t->failed = 1;
	table_str(t, tops->data ? tops->data : "", tops->len);
}

static void print_clients(const struct report *r, const struct sorted *s, struct dnsrep_buf *out, int *failed)
{
	static const char *const head[] = { "CLIENT", "LOOKUPS", "BLOCKED", "RULES",
		"FIRST SEEN", "LAST SEEN", "TOP RULES" };
	struct table t;
	size_t n = report_shown(r, s->n_clients);
	table_open(&t, out, "Top clients", n, s->n_clients, 7, head, "lrrrlll");
	struct dnsrep_buf tops = { 0 };
	for (size_t i = 0; i < n; i++) {
		const struct client_stats *c = report_keytab_val(&r->clients_t, s->clients[i].id);
		table_str(&t, s->clients[i].name, s->clients[i].len);
		table_num(&t, c->c.lookups);
		table_num(&t, c->c.blocked);
		table_num(&t, c->rules);
		table_time(&t, c->c.first);
		table_time(&t, c->c.last);
		top_rules_cell(r, s, i, &t, &tops);
	}
	dnsrep_buf_free(&tops);
	table_print(&t, out, failed);
}

static void print_hours(const struct report *r, const struct sorted *s, struct dnsrep_buf *out, int *failed)
{
	static const char *const head[] = { "HOUR (UTC)", "LOOKUPS", "BLOCKED" };
	char hour[40], line[64];
	struct table t;
	snprintf(line, sizeof(line), "\nPer hour (%zu)\n", s->n_hours);
	dnsrep_buf_puts(out, line);
	table_init(&t, 3, head, "lrr");
	for (size_t i = 0; i < s->n_hours; i++) {
		const struct hour_stats *h = report_keytab_val(&r->hours_t, s->hour_ids[i]);
		report_format_hour(s->hours[i], hour, sizeof(hour));
		table_str(&t, hour, strlen(hour));
		table_num(&t, h->lookups);
		table_num(&t, h->blocked);
	}
	table_print(&t, out, failed);
}

void report_print_text(const struct report *r, const struct sorted *s, struct dnsrep_buf *out, int *failed)
{
	dnsrep_buf_puts(out, "dnsrep block log report\n");
	print_filters(r, out);
	print_totals(r, s, out);
	print_feeds(r, s, out, failed);
	print_rules(r, s, out, failed);
	print_clients(r, s, out, failed);
	print_hours(r, s, out, failed);
}
