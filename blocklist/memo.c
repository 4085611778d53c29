/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * memo.c — names already judged harmless, per thread (see dnsrep/memo.h).
 *
 * Four-way set associative: a key goes to one bucket of four slots (one half of a
 * cache line).  Directly mapped, a working set of a third of its size already
 * loses a quarter of its names to collisions, each then checked again at a cost
 * of microseconds; with four ways nearly all of it stays.
 */
#include "dnsrep/memo.h"
#include "set.h"

#include <stdlib.h>
#include <string.h>

#define WAYS 4

struct dnsrep_memo {
	uint64_t mask;    /**< buckets - 1 */
	uint64_t keys[];  /**< WAYS a bucket; 0: empty */
};

struct dnsrep_memo *dnsrep_memo_new(unsigned bits)
{
	if (bits < 4 || bits > 24)
		return NULL;
	size_t n = (size_t)1 << bits;
	struct dnsrep_memo *m = aligned_alloc(64, (sizeof(*m) + n * sizeof(uint64_t) + 63) & ~(size_t)63);
	if (!m)
		return NULL;
	memset(m, 0, sizeof(*m) + n * sizeof(uint64_t));
	m->mask = n / WAYS - 1;
	return m;
}

void dnsrep_memo_free(struct dnsrep_memo *m)
{
	free(m);
}

uint64_t dnsrep_memo_key(uint64_t name_hash, uint64_t serial)
{
	return dnsrep_hash_mix64(name_hash ^ (serial * 0x9e3779b97f4a7c15ull)) | 1;
}

/* A key's bucket: its low bit is always 1 (keys are never 0), so it cannot pick one. */
static inline uint64_t *memo_bucket(const struct dnsrep_memo *m, uint64_t key)
{
	return (uint64_t *)m->keys + ((key >> 1) & m->mask) * WAYS;
}

int dnsrep_memo_has(const struct dnsrep_memo *m, uint64_t key)
{
	const uint64_t *b = memo_bucket(m, key);
	return b[0] == key || b[1] == key || b[2] == key || b[3] == key;
}

void dnsrep_memo_put(struct dnsrep_memo *m, uint64_t key)
{
	uint64_t *b = memo_bucket(m, key);
	for (int i = 0; i < WAYS; i++) {
		if (b[i] == key)
			return;
		if (b[i] == 0) {
			b[i] = key;
			return;
		}
	}
	b[(key >> 40) & (WAYS - 1)] = key; /* full: a way the key picks, at random */
}

size_t dnsrep_memo_bytes(const struct dnsrep_memo *m)
{
	return sizeof(*m) + (size_t)(m->mask + 1) * WAYS * sizeof(uint64_t);
}
