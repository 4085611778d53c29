/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * report_html.c — `dnsrepctl report --html FILE`: the report as one
 * self-contained HTML page, to mail or archive and open anywhere.
 *
 * The same tables as the text report (report_layout.c), a chart of lookups
 * (and blocked lookups) per hour drawn here as inline SVG, and a few lines of
 * inline JavaScript that sort a table when its header is clicked (numbers as
 * numbers; a second click the other way).  When the address ends in
 * #sort=TABLE:COLUMN:asc|desc (TABLE: feeds, rules, clients, names, qtypes,
 * by-client, hours; COLUMN from 0) the page clicks that header on load, once
 * or twice: a link to a sorted view, and how the tests drive the sorting.
 *
 * Nothing is fetched when the page is opened: no external script, style, font
 * or image, and a Content-Security-Policy that forbids them (default-src
 * 'none'), so a page opened from a mail client cannot call home.  Every string
 * from the log is chosen by whoever sent the query: it is cleaned as for the
 * terminal (control bytes as \DDD) and then HTML-escaped (& < > " '), so a
 * qname holding <script> shows as text.
 */
#include "ctl.h"
#include "report.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/** Hours the chart draws one bar each, gaps included; a longer span draws only hours with lookups. */
#define CHART_MAX_SPAN (24 * 62)
#define CHART_W 900
#define CHART_H 220
#define CHART_LEFT 60
#define CHART_BOTTOM 30
#define CHART_TOP 24
/** The widest bar, in pixels. */
#define CHART_MAX_BAR 40.0

static const char page_head[] =
	"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
	"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	"style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n"
	"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	"<title>dnsrep block log report</title>\n<style>\n"
	"body{font:14px/1.4 sans-serif;margin:1.5em;color:#222;background:#fff}\n"
	"h1{font-size:1.5em}h2{font-size:1.15em;margin-top:1.6em}\n"
	"table{border-collapse:collapse;margin:.4em 0}\n"
	"th,td{border:1px solid #ccc;padding:2px 8px;text-align:left;vertical-align:top}\n"
	"td.n,th.n{text-align:right}td{font-family:monospace;white-space:pre-wrap;overflow-wrap:anywhere}\n"
	"table.sortable th{cursor:pointer;background:#eef;user-select:none}\n"
	"th[aria-sort=ascending]::after{content:\" \\25B2\"}th[aria-sort=descending]::after{content:\" \\25BC\"}\n"
	"svg text{font:11px sans-serif;fill:#333}.lk{fill:#4a7ebb}.bl{fill:#c0392b}\n"
	"</style></head>\n<body>\n<h1>dnsrep block log report</h1>\n";

/* Sort a table by a column when its header is clicked (again: the other way). */
static const char page_script[] =
	"<script>\n(function () {\n"
	"function key(cell, num) { var t = cell.textContent; return num ? (parseFloat(t) || 0) : t.toLowerCase(); }\n"
	"function sort(table, col, dir) {\n"
	"  var body = table.tBodies[0], heads = table.tHead.rows[0].cells, num = heads[col].className === 'n';\n"
	"  var rows = Array.prototype.slice.call(body.rows);\n"
	"  rows.sort(function (a, b) { var x = key(a.cells[col], num), y = key(b.cells[col], num);\n"
	"    return (x < y ? -1 : x > y ? 1 : 0) * dir; });\n"
	"  rows.forEach(function (r) { body.appendChild(r); });\n"
	"  for (var i = 0; i < heads.length; i++) heads[i].removeAttribute('aria-sort');\n"
	"  heads[col].setAttribute('aria-sort', dir > 0 ? 'ascending' : 'descending');\n"
	"}\n"
	"document.querySelectorAll('table.sortable').forEach(function (table) {\n"
	"  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {\n"
	"    th.addEventListener('click', function () {\n"
	"      sort(table, col, th.getAttribute('aria-sort') === 'ascending' ? -1 : 1); });\n"
	"  });\n"
	"});\n"
	"/* #sort=TABLE:COLUMN:asc|desc: click that header once (ascending) or twice */\n"
	"var m = /#sort=([a-z-]+):([0-9]+):(asc|desc)$/.exec(location.hash);\n"
	"var t = m && document.getElementById(m[1]);\n"
	"var th = t && t.tHead && t.tHead.rows[0].cells[+m[2]];\n"
	"if (th) { th.click(); if (m[3] === 'desc') th.click(); }\n"
	"document.body.setAttribute('data-sortable', 'ready');\n"
	"})();\n</script>\n";

/** Text from the log: cleaned of control bytes, then HTML-escaped. */
static void put_html(struct dnsrep_buf *out, const char *s, size_t n, struct dnsrep_buf *tmp)
{
	dnsrep_buf_reset(tmp);
	ctl_put_clean(tmp, s, n);
	if (tmp->failed)
		out->failed = 1;
	for (size_t i = 0; i < tmp->len; i++) {
		switch (tmp->data[i]) {
		case '&': dnsrep_buf_puts(out, "&amp;"); break;
		case '<': dnsrep_buf_puts(out, "&lt;"); break;
		case '>': dnsrep_buf_puts(out, "&gt;"); break;
		case '"': dnsrep_buf_puts(out, "&quot;"); break;
		case '\'': dnsrep_buf_puts(out, "&#39;"); break;
		default: dnsrep_buf_add(out, tmp->data + i, 1); break;
		}
	}
}

static void put_html_str(struct dnsrep_buf *out, const char *s, struct dnsrep_buf *tmp)
{
	put_html(out, s, strlen(s), tmp);
}

static void print_files(const struct report *r, struct dnsrep_buf *out, struct dnsrep_buf *tmp)
{
	static const char *const status[] = { "read", "skipped (older than --since)", "unreadable", "missing" };
	dnsrep_buf_puts(out, "<ul id=\"files\">\n");
	for (size_t i = 0; i < r->n_files; i++) {
		dnsrep_buf_puts(out, "<li>");
		dnsrep_buf_puts(out, status[r->files[i].status]);
		dnsrep_buf_puts(out, ": ");
		put_html_str(out, r->files[i].path, tmp);
		dnsrep_buf_puts(out, "</li>\n");
	}
	dnsrep_buf_puts(out, "</ul>\n");
}

static void print_filters(const struct report *r, struct dnsrep_buf *out, struct dnsrep_buf *tmp)
{
	struct dnsrep_buf desc = { 0 };
	if (report_describe_filters(r, &desc)) {
		dnsrep_buf_puts(out, "<p id=\"filters\">filters: ");
		put_html(out, desc.data, desc.len, tmp);
		dnsrep_buf_puts(out, "</p>\n");
	}
	if (desc.failed)
		out->failed = 1;
	dnsrep_buf_free(&desc);
}

/** A table: its title, headers (click to sort), rows; "(none)" when empty. */
static void print_table(const struct rtable *t, int sortable, struct dnsrep_buf *out, struct dnsrep_buf *tmp)
{
	dnsrep_buf_puts(out, "<h2>");
	put_html_str(out, t->title, tmp);
	dnsrep_buf_puts(out, "</h2>\n<table id=\"");
	dnsrep_buf_puts(out, t->id);
	dnsrep_buf_puts(out, sortable ? "\" class=\"sortable\">\n<thead><tr>" : "\">\n<thead><tr>");
	for (int c = 0; c < t->ncols; c++) {
		dnsrep_buf_puts(out, t->align[c] == 'r' ? "<th class=\"n\">" : "<th>");
		put_html_str(out, t->head[c], tmp);
		dnsrep_buf_puts(out, "</th>");
	}
	dnsrep_buf_puts(out, "</tr></thead>\n<tbody>\n");
	for (size_t i = 0; i < report_rows(t); i++) {
		dnsrep_buf_puts(out, "<tr>");
		for (int c = 0; c < t->ncols; c++) {
			size_t n;
			const char *s = report_cell(t, i, c, &n);
			dnsrep_buf_puts(out, t->align[c] == 'r' ? "<td class=\"n\">" : "<td>");
			put_html(out, s, n, tmp);
			dnsrep_buf_puts(out, "</td>");
		}
		dnsrep_buf_puts(out, "</tr>\n");
	}
	dnsrep_buf_puts(out, "</tbody></table>\n");
	if (report_rows(t) == 0)
		dnsrep_buf_puts(out, "<p class=\"none\">(none)</p>\n");
}

/** printf into the page (numbers and fixed text only). */
__attribute__((format(printf, 2, 3)))
static void putf(struct dnsrep_buf *out, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	dnsrep_buf_puts(out, line);
}

/** One bar of the chart: lookups, and blocked over it, with a tooltip. */
static void chart_bar(struct dnsrep_buf *out, double x, double w, int64_t hour, uint64_t lookups,
		      uint64_t blocked, uint64_t max)
{
	char label[40];
	double plot = CHART_H - CHART_BOTTOM - CHART_TOP;
	double hl = plot * (double)lookups / (double)max, hb = plot * (double)blocked / (double)max;
	double base = CHART_H - CHART_BOTTOM;
	report_format_hour(hour, label, sizeof(label));
	putf(out, "<g><title>%s: %" PRIu64 " lookups, %" PRIu64 " blocked</title>", label, lookups, blocked);
	putf(out, "<rect class=\"lk\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\"/>", x, base - hl, w, hl);
	putf(out, "<rect class=\"bl\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\"/></g>\n", x, base - hb, w, hb);
}

/** Lookups per hour as inline SVG: one bar an hour (gaps as gaps, unless the span is too long). */
static void print_chart(const struct report *r, const struct sorted *s, struct dnsrep_buf *out)
{
	char first[40], last[40];
	uint64_t max = 1;
	dnsrep_buf_puts(out, "<h2>Lookups per hour (UTC)</h2>\n");
	if (s->n_hours == 0) {
		dnsrep_buf_puts(out, "<p class=\"none\">(none)</p>\n");
		return;
	}
	for (size_t i = 0; i < s->n_hours; i++) {
		const struct hour_stats *h = report_keytab_val(&r->hours_t, s->hour_ids[i]);
		if (h->lookups > max)
			max = h->lookups;
	}
	int64_t span = s->hours[s->n_hours - 1] - s->hours[0] + 1;
	int gaps = span <= CHART_MAX_SPAN;
	size_t nbars = gaps ? (size_t)span : s->n_hours;
	double w = (double)(CHART_W - CHART_LEFT - 10) / (double)nbars;
	if (w > CHART_MAX_BAR)
		w = CHART_MAX_BAR;
	putf(out, "<svg id=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		  "viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"lookups per hour\">\n",
	     CHART_W, CHART_H, CHART_W, CHART_H);
	putf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>\n", CHART_LEFT,
	     CHART_H - CHART_BOTTOM, CHART_W - 10, CHART_H - CHART_BOTTOM);
	putf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%" PRIu64 "</text>\n", CHART_LEFT - 6, CHART_TOP + 4, max);
	putf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">0</text>\n", CHART_LEFT - 6, CHART_H - CHART_BOTTOM);
	for (size_t i = 0; i < s->n_hours; i++) {
		const struct hour_stats *h = report_keytab_val(&r->hours_t, s->hour_ids[i]);
		size_t slot = gaps ? (size_t)(s->hours[i] - s->hours[0]) : i;
		chart_bar(out, CHART_LEFT + w * (double)slot + w * 0.1, w * 0.8, s->hours[i], h->lookups, h->blocked, max);
	}
	report_format_hour(s->hours[0], first, sizeof(first));
	report_format_hour(s->hours[s->n_hours - 1], last, sizeof(last));
	putf(out, "<text x=\"%d\" y=\"%d\">%s</text>\n", CHART_LEFT, CHART_H - 10, first);
	if (s->n_hours > 1)
		putf(out, "<text x=\"%.2f\" y=\"%d\" text-anchor=\"end\">%s</text>\n",
		     CHART_LEFT + w * (double)nbars, CHART_H - 10, last);
	putf(out, "<rect class=\"lk\" x=\"%d\" y=\"4\" width=\"10\" height=\"10\"/><text x=\"%d\" y=\"13\">lookups</text>"
		  "<rect class=\"bl\" x=\"%d\" y=\"4\" width=\"10\" height=\"10\"/><text x=\"%d\" y=\"13\">blocked</text>\n",
	     CHART_LEFT + 10, CHART_LEFT + 24, CHART_LEFT + 90, CHART_LEFT + 104);
	dnsrep_buf_puts(out, "</svg>\n");
}

void report_print_html(const struct report *r, const struct sorted *s, struct dnsrep_buf *out, int *failed)
{
	struct rtable t[RT_N];
	struct dnsrep_buf tmp = { 0 };
	if (report_layout(r, s, t) < 0) {
		*failed = 1;
		return;
	}
	dnsrep_buf_puts(out, page_head);
	print_files(r, out, &tmp);
	print_filters(r, out, &tmp);
	print_table(&t[RT_TOTALS], 0, out, &tmp);
	print_chart(r, s, out);
	for (int i = RT_FEEDS; i < RT_N; i++)
		if (i != RT_DRILL || r->drilldown)
			print_table(&t[i], 1, out, &tmp);
	dnsrep_buf_puts(out, page_script);
	dnsrep_buf_puts(out, "</body></html>\n");
	if (tmp.failed)
		*failed = 1;
	dnsrep_buf_free(&tmp);
	report_layout_free(t);
}
