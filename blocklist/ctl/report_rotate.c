/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * report_rotate.c — `dnsrepctl report`'s rotated logs: which of a log's
 * rotations to read beside it.
 *
 * logrotate leaves FILE.1, FILE.2.gz, … (newest first) or, with dateext,
 * FILE-YYYYMMDD and FILE-YYYYMMDD.gz.  A report --since 24h run the morning
 * after the nightly rotation finds most of its day in FILE.1; so for each log
 * the report reads (the default one, or each FILE given but "-" and pipes):
 *
 *   - without --since: the log and all its rotations (the whole history kept);
 *   - with --since: the log, and the next older rotation only while the newer
 *     file's oldest record (its first line with a time) is after --since; the
 *     rotations beyond are listed as skipped, unopened but for their first lines.
 *
 * The chosen files are read oldest first, so --csv rows come in time order.
 * A rotation that vanished between listing and reading is listed as missing,
 * not an error; a file already read (given twice, or by a glob) is not read
 * again; of FILE.2 and FILE.2.gz side by side (gzip at work) only the plain,
 * whole one is read.
 */
#include "report.h"

#include <dirent.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <zlib.h>

/** A rotation of a log. */
struct rotation {
	char *path;
	int dated;           /**< FILE-YYYYMMDD; 0: FILE.N */
	unsigned long key;   /**< N, or YYYYMMDD */
};

/** Newest first: FILE.1 before FILE.2, then the latest date first. */
static int cmp_rotations(const void *x, const void *y)
{
	const struct rotation *a = x, *b = y;
	if (a->dated != b->dated)
		return a->dated - b->dated;
	if (a->key == b->key)
		return strcmp(a->path, b->path);
	return (a->key < b->key) == !a->dated ? -1 : 1;
}

/** n digits (1..9) at s, then "" or ".gz": its number; else -1. */
static long rotation_number(const char *s, size_t min, size_t max)
{
	size_t n = 0;
	unsigned long v = 0;
	while (s[n] >= '0' && s[n] <= '9' && n < max)
		v = v * 10 + (unsigned long)(s[n++] - '0');
	if (n < min || (s[n] && strcmp(s + n, ".gz") != 0))
		return -1;
	return (long)v;
}

/** Which rotation of base a directory entry is: 0 (none), or 1 with *dated and *key set. */
static int rotation_of(const char *entry, const char *base, int *dated, long *key)
{
	size_t bl = strlen(base);
	if (strncmp(entry, base, bl) != 0)
		return 0;
	const char *rest = entry + bl;
	if (rest[0] == '.' && (*key = rotation_number(rest + 1, 1, 9)) >= 0) {
		*dated = 0;
		return 1;
	}
	if (rest[0] == '-' && (*key = rotation_number(rest + 1, 8, 8)) >= 0) {
		*dated = 1;
		return 1;
	}
	return 0;
}

static void rotations_free(struct rotation *rot, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(rot[i].path);
	free(rot);
}

/** The rotations of path that exist, newest first.  -1 when out of memory. */
static int list_rotations(const char *path, struct rotation **out, size_t *n)
{
	size_t cap = 0, dirlen;
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	char *dir = slash ? strndup(path, (size_t)(slash - path) + 1) : strdup("./");
	*out = NULL;
	*n = 0;
	if (!dir)
		return -1;
	dirlen = strlen(dir);
	DIR *d = opendir(dir);
	struct dirent *e;
	int rc = 0;
	while (d && (e = readdir(d)) != NULL) {
		int dated;
		long key;
		if (!*base || !rotation_of(e->d_name, base, &dated, &key))
			continue;
		char *p = malloc(dirlen + strlen(e->d_name) + 1);
		if (!p || report_grow(out, &cap, *n + 1, sizeof(**out)) < 0) {
			free(p);
			rc = -1;
			break;
		}
		memcpy(p, dir, dirlen);
		strcpy(p + dirlen, e->d_name);
		if (!slash) /* as the log was named: "dnsrep-blocks.jsonl.1", not "./…" */
			memmove(p, p + 2, strlen(p + 2) + 1);
		(*out)[(*n)++] = (struct rotation){ p, dated, (unsigned long)key };
	}
	if (d)
		closedir(d);
	free(dir);
	if (rc < 0) {
		rotations_free(*out, *n);
		*out = NULL;
		*n = 0;
		return -1;
	}
	if (*n)
		qsort(*out, *n, sizeof(**out), cmp_rotations);
	/* FILE.2 beside FILE.2.gz: gzip is still at work; the plain one (first) is whole */
	size_t kept = 0;
	for (size_t i = 0; i < *n; i++) {
		if (kept && (*out)[kept - 1].dated == (*out)[i].dated && (*out)[kept - 1].key == (*out)[i].key)
			free((*out)[i].path);
		else
			(*out)[kept++] = (*out)[i];
	}
	*n = kept;
	return 0;
}

/**
 * The time of a log's oldest record: its first line that has one, among what
 * the first read returns.  @return 1 with *ts, or 0 when there is none (an
 * empty, missing or damaged file).
 */
static int oldest_record(struct report *r, const char *path, int64_t *ts)
{
	gzFile gz = gzopen(path, "rb");
	if (!gz)
		return 0;
	int got = gzread(gz, r->buf, REPORT_MAX_LINE * 2);
	gzclose(gz);
	const char *p = r->buf, *end = r->buf + (got > 0 ? got : 0);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		struct rec rec;
		if (!nl && got == REPORT_MAX_LINE * 2)
			return 0;
		if (!nl) /* the file's only line, without a newline */
			nl = end;
		if (!report_scan_line(&r->scan, p, nl, &rec) && rec.v[F_TS].p &&
		    report_parse_time(rec.v[F_TS].p, rec.v[F_TS].n, 0, ts) == 0)
			return 1;
		p = nl + 1;
	}
	return 0;
}

int report_read_rotated(struct report *r, const char *path)
{
	struct rotation *rot;
	size_t nrot, nread = 0;
	int rc = 0;
	struct stat st;
	/* a pipe (<(zcat …)) has no rotations, and a peek would eat what it holds */
	if (strcmp(path, "-") == 0 || (stat(path, &st) == 0 && !S_ISREG(st.st_mode)))
		return report_read_file(r, path, 0);
	if (list_rotations(path, &rot, &nrot) < 0)
		return -1;
	if (!r->has_since) {
		nread = nrot;
	} else {
		/* the rotation after file i is needed while file i begins after --since */
		for (int64_t ts; nread < nrot; nread++)
			if (oldest_record(r, nread == 0 ? path : rot[nread - 1].path, &ts) && ts <= r->since)
				break;
	}
	for (size_t i = nread; i-- > 0 && rc >= 0;) {
		int got = report_read_file(r, rot[i].path, 1);
		if (got != 0)
			rc = got < 0 ? -1 : 1;
	}
	if (rc >= 0) {
		int got = report_read_file(r, path, 0);
		if (got != 0)
			rc = got < 0 ? -1 : 1;
	}
	for (size_t i = nread; i < nrot && rc >= 0; i++)
		if (report_add_file(r, rot[i].path, RF_SKIPPED) < 0)
			rc = -1;
	rotations_free(rot, nrot);
	return rc;
}
