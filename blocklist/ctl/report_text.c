/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * report_text.c — `dnsrepctl report`'s text report, for a terminal: the files
 * read, the filters, then the tables report_layout.c lays out (totals, per
 * feed, per rule, top clients, names asked, query types, the drill-down, per
 * hour), columns as wide as their widest cell in characters.
 *
 * Every string from the log is cleaned before it is shown (control bytes, DEL,
 * C1 controls and invalid UTF-8 as \DDD), so a hostile qname or client cannot
 * drive the terminal.
 */
#include "ctl.h"
#include "report.h"

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

/** Spaces. */
static void pad(struct dnsrep_buf *out, size_t n)
{
	for (size_t k = 0; k < n; k++)
		dnsrep_buf_add(out, " ", 1);
}

/**
 * The table's cells cleaned into one buffer, NUL-separated; offs[i] each one's
 * start.  -1 when out of memory.
 */
static int clean_cells(const struct rtable *t, struct dnsrep_buf *clean, size_t **offs)
{
	*offs = calloc(t->ncells + 1, sizeof(**offs));
	if (!*offs)
		return -1;
	for (size_t i = 0; i < t->ncells; i++) {
		(*offs)[i] = clean->len;
		ctl_put_clean(clean, t->cells.data + t->offs[i], t->lens[i]);
		dnsrep_buf_add(clean, "", 1);
	}
	return clean->failed ? -1 : 0;
}

/** Print a table, indented by two spaces, columns two apart, under its title. */
static void print_table(const struct rtable *t, struct dnsrep_buf *out, int *failed)
{
	size_t width[RTABLE_MAX_COLS] = { 0 };
	struct dnsrep_buf clean = { 0 };
	size_t *offs = NULL;
	dnsrep_buf_puts(out, "\n");
	dnsrep_buf_puts(out, t->title);
	dnsrep_buf_puts(out, "\n");
	if (clean_cells(t, &clean, &offs) < 0) {
		*failed = 1;
		goto out;
	}
	for (int c = 0; c < t->ncols; c++)
		width[c] = strlen(t->head[c]);
	for (size_t i = 0; i < t->ncells; i++) {
		const char *s = clean.data + offs[i];
		size_t w = display_width(s, strlen(s));
		if (w > width[i % (size_t)t->ncols])
			width[i % (size_t)t->ncols] = w;
	}
	size_t nrows = report_rows(t);
	for (size_t row = 0; row <= nrows; row++) {
		dnsrep_buf_puts(out, " ");
		for (int c = 0; c < t->ncols; c++) {
			const char *s = row == 0 ? t->head[c] : clean.data + offs[(row - 1) * (size_t)t->ncols + (size_t)c];
			size_t gap = width[c] - display_width(s, strlen(s));
			dnsrep_buf_puts(out, " ");
			if (t->align[c] == 'r')
				pad(out, gap);
			dnsrep_buf_puts(out, s);
			if (t->align[c] == 'l' && c + 1 < t->ncols)
				pad(out, gap);
			if (c + 1 < t->ncols)
				dnsrep_buf_add(out, " ", 1);
		}
		dnsrep_buf_puts(out, "\n");
	}
	if (nrows == 0)
		dnsrep_buf_puts(out, "  (none)\n");
out:
	dnsrep_buf_free(&clean);
	free(offs);
}

/** Totals: a label, then its number right-aligned (the time span left-aligned). */
static void print_totals(const struct rtable *t, struct dnsrep_buf *out)
{
	dnsrep_buf_puts(out, "\nTotals\n");
	for (size_t i = 0; i < report_rows(t); i++) {
		size_t ln, vn;
		const char *label = report_cell(t, i, 0, &ln), *v = report_cell(t, i, 1, &vn);
		char line[160];
		int span = strcmp(label, "time span") == 0;
		snprintf(line, sizeof(line), span ? "  %-18.*s %.*s\n" : "  %-18.*s %12.*s\n",
			 (int)ln, label, (int)vn, v);
		dnsrep_buf_puts(out, line);
	}
}

/** The files read and passed over. */
static void print_files(const struct report *r, struct dnsrep_buf *out)
{
	static const char *const status[] = { "read", "skipped (older than --since)", "unreadable", "missing" };
	for (size_t i = 0; i < r->n_files; i++) {
		dnsrep_buf_puts(out, "  ");
		dnsrep_buf_puts(out, status[r->files[i].status]);
		dnsrep_buf_puts(out, ": ");
		ctl_put_clean(out, r->files[i].path, strlen(r->files[i].path));
		dnsrep_buf_puts(out, "\n");
	}
}

/** The filters line, when any filter was given. */
static void print_filters(const struct report *r, struct dnsrep_buf *out)
{
	struct dnsrep_buf desc = { 0 };
	if (report_describe_filters(r, &desc)) {
		dnsrep_buf_puts(out, "  filters: ");
		ctl_put_clean(out, desc.data, desc.len);
		dnsrep_buf_puts(out, "\n");
	}
	if (desc.failed)
		out->failed = 1;
	dnsrep_buf_free(&desc);
}

void report_print_text(const struct report *r, const struct sorted *s, struct dnsrep_buf *out, int *failed)
{
	struct rtable t[RT_N];
	dnsrep_buf_puts(out, "dnsrep block log report\n");
	print_files(r, out);
	print_filters(r, out);
	if (report_layout(r, s, t) < 0) {
		*failed = 1;
		return;
	}
	print_totals(&t[RT_TOTALS], out);
	for (int i = RT_FEEDS; i < RT_N; i++)
		if (i != RT_DRILL || r->drilldown)
			print_table(&t[i], out, failed);
	report_layout_free(t);
}
