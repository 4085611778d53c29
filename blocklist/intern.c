/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * intern.c — interning of byte strings (see intern.h).
 *
 * The pool stores each value as a 4-byte length followed by its bytes, so equal
 * prefixes of different lengths never collide; the offset handed out points at
 * the bytes, after the length.  The table is open addressing over offsets,
 * grown at 50% full.
 */
#include "intern.h"

#include <stdlib.h>
#include <string.h>

#define OFF_BITS 40
#define OFF_MASK ((1ull << OFF_BITS) - 1)

static uint64_t hash_bytes(const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull ^ n;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 32;
	return h;
}

int dnsrep_intern_init(struct dnsrep_intern *in)
{
	memset(in, 0, sizeof(*in));
	in->mask = 63;
	in->table = calloc(in->mask + 1, sizeof(*in->table));
	return in->table ? 0 : -1;
}

void dnsrep_intern_free(struct dnsrep_intern *in)
{
	free(in->pool);
	free(in->table);
	memset(in, 0, sizeof(*in));
}

static uint32_t value_len(const struct dnsrep_intern *in, uint64_t off)
{
	uint32_t n;
	memcpy(&n, in->pool + off - 4, 4);
	return n;
}

static int grow_table(struct dnsrep_intern *in)
{
	uint32_t newmask = in->mask * 2 + 1;
	uint64_t *t = calloc((size_t)newmask + 1, sizeof(*t));
	if (!t)
		return -1;
	for (uint32_t i = 0; i <= in->mask; i++) {
		uint64_t e = in->table[i];
		if (!e)
			continue;
		uint64_t off = (e & OFF_MASK) - 1;
		uint64_t h = hash_bytes(in->pool + off, value_len(in, off));
		uint32_t j = (uint32_t)h & newmask;
		while (t[j])
			j = (j + 1) & newmask;
		t[j] = e;
	}
	free(in->table);
	in->table = t;
	in->mask = newmask;
	return 0;
}

int64_t dnsrep_intern_add(struct dnsrep_intern *in, const void *data, size_t len)
{
	/* grow first, so that a failed growth never leaves a full table behind */
	if ((uint64_t)(in->count + 1) * 2 > in->mask && grow_table(in) < 0)
		return -1;
	uint64_t h = hash_bytes(data, len);
	uint64_t tag = h & ~OFF_MASK;
	uint32_t i = (uint32_t)h & in->mask;
	if (len > UINT32_MAX)
		return -1;
	for (; in->table[i]; i = (i + 1) & in->mask) {
		uint64_t e = in->table[i];
		if ((e & ~OFF_MASK) != tag)
			continue;
		uint64_t off = (e & OFF_MASK) - 1;
		if (value_len(in, off) == len && memcmp(in->pool + off, data, len) == 0)
			return (int64_t)off;
	}
	size_t need = in->len + 4 + len;
	if (need >= OFF_MASK)
		return -1;
	if (need > in->cap) {
		size_t cap = in->cap ? in->cap : 256;
		while (cap < need)
			cap *= 2;
		uint8_t *p = realloc(in->pool, cap);
		if (!p)
			return -1;
		in->pool = p;
		in->cap = cap;
	}
	uint32_t n32 = (uint32_t)len;
	memcpy(in->pool + in->len, &n32, 4);
	if (len)
		memcpy(in->pool + in->len + 4, data, len);
	uint64_t off = in->len + 4;
	in->len = need;
	in->table[i] = tag | (off + 1);
	in->count++;
	return (int64_t)off;
}
