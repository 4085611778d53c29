/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * namegen.h — a seeded generator of realistic synthetic domain names for the
 * benchmarks: the same seed gives the same names on every machine.
 */
#ifndef DNSREP_BENCH_NAMEGEN_H
#define DNSREP_BENCH_NAMEGEN_H

#include <stddef.h>
#include <stdint.h>

struct namegen {
	uint64_t state;
};

/** Start a generator from a seed. */
void namegen_init(struct namegen *g, uint64_t seed);

/**
 * Write the next registrable-looking name ("cloudtechhub42.com", "my-fox-studio.co.uk",
 * "xn--...": words, digits, hyphens, a spread of suffixes) into buf, NUL-terminated.
 * @return its length.
 */
size_t namegen_next(struct namegen *g, char *buf, size_t buflen);

/** A uniform random number below n. */
uint32_t namegen_below(struct namegen *g, uint32_t n);

#endif
