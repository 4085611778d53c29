/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * report_time.c — `dnsrepctl report`'s times: RFC 3339 timestamps of the log
 * and of --since into Unix milliseconds, and back into text.
 *
 * The calendar is the C library's: timegm() for a date's midnight (which also
 * tells a date that does not exist: it carries 2026-02-30 into March) and
 * gmtime_r() for formatting, as blocklog.c writes the log.  Both count the
 * proleptic Gregorian calendar with a 64-bit time_t, so years 0000..9999 in a
 * log, a --since up to 2^40 s back, and an offset that moves a time into year
 * -1 or 10000 are all counted and printed (report.test checks the corners).
 *
 * Every line of a log is timed, and timegm() costs about 65 ns here, a quarter
 * of scanning a line, so the midnight of the last date seen is kept: log lines
 * come in time order and almost all of them share their predecessor's date.
 */
#include "report.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

_Static_assert(sizeof(time_t) >= 8, "report_time.c: years 0000..9999 need a 64-bit time_t");

#define MS_PER_HOUR INT64_C(3600000)

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

/**
 * Unix seconds of midnight UTC of a date (mo 1..12, d ≥ 1).
 * @return 0, or -1 when there is no such day (2026-04-31).
 */
static int midnight(int y, int mo, int d, int64_t *secs)
{
	/* the last date seen (dnsrepctl is single-threaded) */
	static struct {
		int y, mo, d;
		int64_t secs;
	} last = { -1, 0, 0, 0 };
	if (y == last.y && mo == last.mo && d == last.d) {
		*secs = last.secs;
		return 0;
	}
	struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d };
	time_t t = timegm(&tm);
	if (tm.tm_mon != mo - 1 || tm.tm_mday != d)
		return -1; /* carried into the next month */
	last.y = y;
	last.mo = mo;
	last.d = d;
	last.secs = (int64_t)t;
	*secs = last.secs;
	return 0;
}

/** Parse ".123" (any number of digits, at least one) at s[*i] into milliseconds. */
static int parse_fraction(const char *s, size_t n, size_t *i, int64_t *frac)
{
	*frac = 0;
	if (s[*i] != '.')
		return 0;
	size_t start = ++*i;
	int64_t scale = 100;
	while (*i < n && s[*i] >= '0' && s[*i] <= '9') {
		*frac += (s[*i] - '0') * scale;
		scale /= 10;
		++*i;
	}
	return *i == start ? -1 : 0;
}

/** Parse "Z" or "+01:00" at s[i], the end of s, into milliseconds east of UTC. */
static int parse_offset(const char *s, size_t n, size_t i, int64_t *offset)
{
	*offset = 0;
	if (i + 1 == n && (s[i] == 'Z' || s[i] == 'z'))
		return 0;
	if (i + 6 != n || (s[i] != '+' && s[i] != '-') || s[i + 3] != ':')
		return -1;
	int oh = digits(s + i + 1, 2), om = digits(s + i + 4, 2);
	if (oh < 0 || oh > 23 || om < 0 || om > 59)
		return -1;
	*offset = (int64_t)(oh * 60 + om) * 60000;
	if (s[i] == '-')
		*offset = -*offset;
	return 0;
}

int report_parse_time(const char *s, size_t n, int date_ok, int64_t *ms)
{
	if (n < 10 || s[4] != '-' || s[7] != '-')
		return -1;
	int y = digits(s, 4), mo = digits(s + 5, 2), d = digits(s + 8, 2);
	int64_t day;
	if (y < 0 || mo < 1 || mo > 12 || d < 1 || midnight(y, mo, d, &day) < 0)
		return -1;
	if (n == 10) {
		if (!date_ok)
			return -1;
		*ms = day * 1000;
		return 0;
	}
	if (n < 20 || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || s[13] != ':' || s[16] != ':')
		return -1;
	int hh = digits(s + 11, 2), mi = digits(s + 14, 2), ss = digits(s + 17, 2);
	if (hh < 0 || hh > 23 || mi < 0 || mi > 59 || ss < 0 || ss > 60)
		return -1;
	size_t i = 19;
	int64_t frac, offset;
	if (parse_fraction(s, n, &i, &frac) < 0 || parse_offset(s, n, i, &offset) < 0)
		return -1;
	/* a leap second (:60) counts as the next minute's first */
	*ms = (day + (hh * 60 + mi) * 60 + ss) * 1000 + frac - offset;
	return 0;
}

/** The UTC calendar fields of Unix seconds. */
static void utc(int64_t secs, struct tm *tm)
{
	time_t t = (time_t)secs;
	memset(tm, 0, sizeof(*tm));
	gmtime_r(&t, tm); /* cannot fail: years stay within ±40000 */
}

void report_format_time(int64_t ms, int with_ms, char *out, size_t outlen)
{
	int64_t secs = floor_div(ms, 1000);
	struct tm tm;
	utc(secs, &tm);
	if (with_ms)
		snprintf(out, outlen, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
			 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ms - secs * 1000));
	else
		snprintf(out, outlen, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
			 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

int64_t report_hour_of(int64_t ms)
{
	return floor_div(ms, MS_PER_HOUR);
}

void report_format_hour(int64_t hour, char *out, size_t outlen)
{
	struct tm tm;
	utc(hour * 3600, &tm);
	snprintf(out, outlen, "%04d-%02d-%02dT%02d:00Z", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour);
}
