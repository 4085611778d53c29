/*
 * memo.c — names already judged harmless, per thread (see dnsrep/memo.h).
 */
#include "dnsrep/memo.h"
#include "dnsrep/set.h"

#include <stdlib.h>

struct dnsrep_memo {
	uint64_t mask;
	uint64_t keys[];  /**< 0: empty */
};

struct dnsrep_memo *dnsrep_memo_new(unsigned bits)
{
	if (bits < 4 || bits > 24)
		return NULL;
	size_t n = (size_t)1 << bits;
	struct dnsrep_memo *m = calloc(1, sizeof(*m) + n * sizeof(uint64_t));
	if (!m)
		return NULL;
	m->mask = n - 1;
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

/* A key's slot: its low bit is always 1 (keys are never 0), so it cannot pick one. */
static inline uint64_t memo_slot(const struct dnsrep_memo *m, uint64_t key)
{
	return (key >> 1) & m->mask;
}

int dnsrep_memo_has(const struct dnsrep_memo *m, uint64_t key)
{
	return m->keys[memo_slot(m, key)] == key;
}

void dnsrep_memo_put(struct dnsrep_memo *m, uint64_t key)
{
	m->keys[memo_slot(m, key)] = key;
}

size_t dnsrep_memo_bytes(const struct dnsrep_memo *m)
{
	return sizeof(*m) + (size_t)(m->mask + 1) * sizeof(uint64_t);
}
