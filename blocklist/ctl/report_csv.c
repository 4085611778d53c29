/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * report_csv.c — `dnsrepctl report --csv`: the lookups that pass the filters,
 * one CSV row each (RFC 4180), for a spreadsheet or a script.
 *
 *   ts,resolver,client,qname,qtype,action,match,rule,feed,category,technique,reason
 *
 * Rows are in the order read (oldest file first), CRLF-terminated as RFC 4180
 * says; a missing or null field is empty.  A field holding a comma, a quote,
 * CR or LF is quoted, its quotes doubled.  Names in the log are chosen by
 * whoever sends the query, so a field that a spreadsheet would take for a
 * formula (starting with = + - @, tab or CR) gets a leading ' and is quoted.
 */
#include "report.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/** The columns, in order, and the fields they hold. */
static const enum field columns[] = {
	F_TS, F_RESOLVER, F_CLIENT, F_QNAME, F_QTYPE, F_ACTION, F_MATCH, F_RULE, F_FEED,
	F_CATEGORY, F_TECHNIQUE, F_REASON
};

void report_csv_header(struct dnsrep_buf *out)
{
	dnsrep_buf_puts(out, "ts,resolver,client,qname,qtype,action,match,rule,feed,category,technique,reason\r\n");
}

/** Whether a spreadsheet would read the text as a formula. */
static int formula_like(const char *s, size_t n)
{
	return n > 0 && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r');
}

/** Whether the text needs quotes: a comma, a quote, CR, LF (or a NUL, to be safe). */
static int needs_quotes(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n' || s[i] == 0)
			return 1;
	return 0;
}

/** One field: as it is, or quoted (and neutralized). */
static void put_field(struct dnsrep_buf *out, const char *s, size_t n)
{
	int formula = formula_like(s, n);
	if (!formula && !needs_quotes(s, n)) {
		dnsrep_buf_add(out, s, n);
		return;
	}
	dnsrep_buf_add(out, formula ? "\"'" : "\"", formula ? 2 : 1);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"')
			dnsrep_buf_add(out, "\"", 1);
		dnsrep_buf_add(out, s + i, 1);
	}
	dnsrep_buf_add(out, "\"", 1);
}

void report_csv_row(struct dnsrep_buf *out, const struct rec *rec)
{
	for (size_t k = 0; k < sizeof(columns) / sizeof(columns[0]); k++) {
		const struct slice *v = &rec->v[columns[k]];
		if (k)
			dnsrep_buf_add(out, ",", 1);
		if (v->p)
			put_field(out, v->p, v->n);
	}
	dnsrep_buf_add(out, "\r\n", 2);
}

void report_csv_flush(struct report *r, int all)
{
	if (r->csv.failed) {
		r->oom = 1;
		return;
	}
	if ((!all && r->csv.len < (1u << 20)) || r->csv_failed)
		return;
	if (fwrite(r->csv.data, 1, r->csv.len, stdout) != r->csv.len || (all && fflush(stdout) != 0)) {
		fprintf(stderr, "dnsrepctl: writing the report: %s\n", strerror(errno));
		r->csv_failed = 1;
	}
	dnsrep_buf_reset(&r->csv);
}
