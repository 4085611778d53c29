/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * genfeed.c — prints N distinct realistic names, one per line: a plain feed for the
 * refresh benchmark (tests/bench/refresh.sh).  The names come from the seeded
 * generator the engine benchmark uses (namegen.c), duplicates skipped, so the same
 * N and SEED give the same lines on every machine, and the first K lines of a
 * longer run are the lines of a shorter one.
 *
 *   tests/bench/genfeed N [SEED]     (SEED defaults to bench_snapshot's)
 */
#include "namegen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t fnv1a64(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ull;
	}
	return h ? h : 1; /* 0 marks an empty slot */
}

int main(int argc, char **argv)
{
	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: %s N [SEED]\n", argv[0]);
		return 2;
	}
	unsigned long n = strtoul(argv[1], NULL, 10);
	uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 10) : 20231017;
	/* seen names by 64-bit hash, open addressing, at most half full */
	size_t cap = 1024;
	while (cap < 2 * (size_t)n)
		cap *= 2;
	uint64_t *seen = calloc(cap, sizeof(*seen));
	if (!seen) {
		perror("calloc");
		return 1;
	}
	struct namegen g;
	namegen_init(&g, seed);
	char name[300];
	unsigned long out = 0, tries = 0;
	while (out < n) {
		if (++tries > 20 * n + 1000) {
			fprintf(stderr, "genfeed: only %lu distinct names after %lu tries\n", out, tries);
			return 1;
		}
		size_t l = namegen_next(&g, name, sizeof(name));
		uint64_t h = fnv1a64(name, l);
		size_t i = (size_t)h & (cap - 1);
		while (seen[i] && seen[i] != h)
			i = (i + 1) & (cap - 1);
		if (seen[i])
			continue;
		seen[i] = h;
		name[l] = '\n';
		if (fwrite(name, 1, l + 1, stdout) != l + 1) {
			perror("genfeed: write");
			return 1;
		}
		out++;
	}
	free(seen);
	return fflush(stdout) == 0 ? 0 : 1;
}
