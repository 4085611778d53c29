/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_lookalike.c — the lookalike index (blocklist/lookalike.c) measured: build
 * time, bytes per protected name, and the median time of a check over a
 * realistic query mix, at 100k and 1M protected names.  Budgets (DESIGN.md and
 * the lookalike issue): 600 bytes per protected name, a check in 1 µs (median)
 * at 100k names and 2 µs at 1M.
 *
 * Protected names come from the seeded generator (namegen.c, seed 1).  Queries:
 * 95% generated names from another seed (mostly not lookalikes: some are by
 * chance, as real traffic's names can be — the hit count is printed) and 5%
 * one-edit variants (substitution, insertion, deletion, transposition) of
 * random protected names.  Each set is checked in 5 rounds; the median round's
 * mean is printed.  Instructions per check come from perf_event_open when the
 * kernel allows it.
 *
 *   bench_lookalike [--two-edits] [names ...]     (default: 100000 1000000)
 */
#include <errno.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "dnsrep/lookalike.h"
#include "dnsrep/name.h"
#include "namegen.h"

#define ROUNDS 5
#define N_QUERIES 200000

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/** Wire names packed one after another. */
struct wires {
	uint8_t *buf;
	size_t len, cap;
	size_t *off;
	size_t n, ncap;
};

static void wires_add(struct wires *w, const struct dnsrep_name *nm)
{
	if (w->len + nm->len > w->cap) {
		w->cap = w->cap ? w->cap * 2 : 1 << 20;
		w->buf = realloc(w->buf, w->cap);
	}
	if (w->n == w->ncap) {
		w->ncap = w->ncap ? w->ncap * 2 : 1 << 16;
		w->off = realloc(w->off, w->ncap * sizeof(*w->off));
	}
	if (!w->buf || !w->off) {
		fprintf(stderr, "out of memory\n");
		exit(1);
	}
	memcpy(w->buf + w->len, nm->wire, nm->len);
	w->off[w->n++] = w->len;
	w->len += nm->len;
}

static void wires_free(struct wires *w)
{
	free(w->buf);
	free(w->off);
	memset(w, 0, sizeof(*w));
}

static int parse(const char *text, struct dnsrep_name *nm)
{
	return dnsrep_name_from_text(nm, text, strlen(text), NULL, 0);
}

/** One random edit of the first label of text (in place, buf of size cap). */
static void one_edit(struct namegen *g, char *text, size_t cap)
{
	char *dot = strchr(text, '.');
	size_t n = dot ? (size_t)(dot - text) : strlen(text), len = strlen(text);
	if (n < 2 || len + 2 >= cap)
		return;
	size_t i = namegen_below(g, (uint32_t)n);
	char c = (char)('a' + namegen_below(g, 26));
	switch (namegen_below(g, 4)) {
	case 0: /* substitution */
		text[i] = text[i] == c ? (char)('a' + (c - 'a' + 1) % 26) : c;
		break;
	case 1: /* insertion */
		memmove(text + i + 1, text + i, len - i + 1);
		text[i] = c;
		break;
	case 2: /* deletion */
		memmove(text + i, text + i + 1, len - i);
		break;
	default: /* transposition */
		if (i + 1 >= n)
			i = n - 2;
		if (text[i] == text[i + 1])
			text[i] = c;
		else {
			char t = text[i];
			text[i] = text[i + 1];
			text[i + 1] = t;
		}
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static int perf_fd = -1;

static void perf_open(void)
{
	struct perf_event_attr pe;
	memset(&pe, 0, sizeof(pe));
	pe.type = PERF_TYPE_HARDWARE;
	pe.size = sizeof(pe);
	pe.config = PERF_COUNT_HW_INSTRUCTIONS;
	pe.disabled = 1;
	pe.exclude_kernel = 1;
	pe.exclude_hv = 1;
	perf_fd = (int)syscall(SYS_perf_event_open, &pe, 0, -1, -1, 0);
}

static long long perf_read(void)
{
	long long v = 0;
	if (perf_fd < 0 || read(perf_fd, &v, sizeof(v)) != sizeof(v))
		return -1;
	return v;
}

/** Check every name of the set, ROUNDS times; print the median ns per check. */
static void time_set(const char *what, const struct dnsrep_lookalike *lk, const struct wires *q)
{
	double ns[ROUNDS];
	unsigned hits[6] = { 0 };
	long long instr = -1;
	for (int r = 0; r < ROUNDS; r++) {
		if (r == ROUNDS - 1 && perf_fd >= 0) {
			ioctl(perf_fd, PERF_EVENT_IOC_RESET, 0);
			ioctl(perf_fd, PERF_EVENT_IOC_ENABLE, 0);
		}
		unsigned found = 0;
		double t0 = now();
		for (size_t i = 0; i < q->n; i++) {
			struct dnsrep_lookalike_hit hit;
			size_t end = i + 1 < q->n ? q->off[i + 1] : q->len;
			if (dnsrep_lookalike_check(lk, q->buf + q->off[i], end - q->off[i], &hit)) {
				found++;
				if (r == 0)
					hits[hit.technique]++;
			}
		}
		ns[r] = (now() - t0) * 1e9 / (double)q->n;
		if (r == ROUNDS - 1 && perf_fd >= 0) {
			ioctl(perf_fd, PERF_EVENT_IOC_DISABLE, 0);
			instr = perf_read();
		}
		(void)found;
	}
	qsort(ns, ROUNDS, sizeof(ns[0]), cmp_double);
	printf("  %-26s %7zu checks: median %6.0f ns/check (rounds %.0f..%.0f)", what, q->n,
	       ns[ROUNDS / 2], ns[0], ns[ROUNDS - 1]);
	if (instr >= 0)
		printf(", %.0f instructions/check", (double)instr / (double)q->n);
	printf("\n  %-26s hits: %u tld-swap, %u homoglyph, %u typo, %u affix, %u contains (%.2f%%)\n", "",
	       hits[1], hits[2], hits[3], hits[4], hits[5],
	       100.0 * (hits[1] + hits[2] + hits[3] + hits[4] + hits[5]) / (double)q->n);
}

/** The cost of what every check does first: parse the wire name and find its registrable domain. */
static void time_registrable(const struct wires *q)
{
	double ns[ROUNDS];
	volatile int sink = 0;
	for (int r = 0; r < ROUNDS; r++) {
		double t0 = now();
		for (size_t i = 0; i < q->n; i++) {
			struct dnsrep_name nm;
			size_t end = i + 1 < q->n ? q->off[i + 1] : q->len;
			if (dnsrep_name_from_wire(&nm, q->buf + q->off[i], end - q->off[i], NULL, 0) == 0)
				sink += dnsrep_name_registrable(&nm);
		}
		ns[r] = (now() - t0) * 1e9 / (double)q->n;
	}
	qsort(ns, ROUNDS, sizeof(ns[0]), cmp_double);
	printf("  %-26s %7zu names:  median %6.0f ns/name (of which the check's first step)\n",
	       "from_wire + registrable", q->n, ns[ROUNDS / 2]);
}

static void run(size_t count, int two_edits)
{
	printf("protected names: %zu%s\n", count, two_edits ? " (two edits on)" : "");
	struct namegen g;
	namegen_init(&g, 1);
	/* the protected names, as text, kept for making lookalikes of them */
	char *texts = malloc(count * 64);
	if (!texts) {
		fprintf(stderr, "out of memory\n");
		exit(1);
	}
	struct dnsrep_name *names = malloc(count * sizeof(*names));
	size_t nn = 0;
	for (size_t i = 0; i < count; i++) {
		char *t = texts + i * 64;
		namegen_next(&g, t, 64);
		if (parse(t, &names[nn]) == 0)
			nn++;
		else
			t[0] = '\0';
	}
	struct dnsrep_lookalike_opts o;
	dnsrep_lookalike_opts_init(&o);
	o.two_edits = two_edits;
	double t0 = now();
	struct dnsrep_lookalike_builder *b = dnsrep_lookalike_builder_new(&o);
	if (!b) {
		fprintf(stderr, "out of memory\n");
		exit(1);
	}
	for (size_t i = 0; i < nn; i++)
		if (dnsrep_lookalike_builder_add(b, &names[i], (uint32_t)i) != 0) {
			fprintf(stderr, "out of memory\n");
			exit(1);
		}
	double t1 = now();
	char err[256];
	struct dnsrep_lookalike *lk = dnsrep_lookalike_builder_finish(b, err, sizeof(err));
	double t2 = now();
	if (!lk) {
		fprintf(stderr, "%s\n", err);
		exit(1);
	}
	free(names);
	size_t n = dnsrep_lookalike_count(lk), bytes = dnsrep_lookalike_bytes(lk);
	printf("  build: %.3f s (add %.3f s, finish %.3f s); %zu registrable domains; %.1f MB, %.0f bytes per name (budget 600)\n",
	       t2 - t0, t1 - t0, t2 - t1, n, (double)bytes / 1e6, (double)bytes / (double)n);

	/* the query sets */
	struct wires miss = { 0 }, look = { 0 }, mix = { 0 };
	struct namegen qg, eg;
	namegen_init(&qg, 2);
	namegen_init(&eg, 3);
	for (size_t i = 0; i < N_QUERIES; i++) {
		char t[128];
		struct dnsrep_name nm;
		namegen_next(&qg, t, sizeof(t));
		if (parse(t, &nm) == 0)
			wires_add(&miss, &nm);
		const char *src = texts + (size_t)namegen_below(&eg, (uint32_t)count) * 64;
		if (!src[0])
			continue;
		snprintf(t, sizeof(t), "%s", src);
		one_edit(&eg, t, sizeof(t));
		if (parse(t, &nm) == 0)
			wires_add(&look, &nm);
	}
	/* the mix: 95% from the first set, 5% from the second, interleaved */
	for (size_t i = 0, a = 0, c = 0; i < N_QUERIES; i++) {
		const struct wires *from = (i % 20 == 19) ? &look : &miss;
		size_t k = (from == &look) ? c++ : a++;
		k %= from->n;
		size_t end = k + 1 < from->n ? from->off[k + 1] : from->len;
		struct dnsrep_name nm;
		if (dnsrep_name_from_wire(&nm, from->buf + from->off[k], end - from->off[k], NULL, 0) == 0)
			wires_add(&mix, &nm);
	}
	free(texts);
	time_set("mix (95% other, 5% edits)", lk, &mix);
	time_set("other names only", lk, &miss);
	time_set("one-edit variants only", lk, &look);
	time_registrable(&mix);
	wires_free(&miss);
	wires_free(&look);
	wires_free(&mix);
	dnsrep_lookalike_free(lk);
}

int main(int argc, char **argv)
{
	int two_edits = 0;
	size_t sizes[16], nsizes = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--two-edits") == 0)
			two_edits = 1;
		else if (nsizes < 16)
			sizes[nsizes++] = (size_t)strtoull(argv[i], NULL, 10);
	}
	if (nsizes == 0) {
		sizes[nsizes++] = 100000;
		sizes[nsizes++] = 1000000;
	}
	perf_open();
	if (perf_fd < 0)
		printf("(instructions per check: perf_event_open not allowed here: %s)\n", strerror(errno));
	for (size_t i = 0; i < nsizes; i++)
		if (sizes[i] > 0)
			run(sizes[i], two_edits);
	return 0;
}
