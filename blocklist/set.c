/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * set.c — the domain set: suffix hashing, probing, placing (see set.h).
 *
 * The suffix hash is FNV-1a run over the labels from the rightmost one to the
 * leftmost, each label preceded by its length, with ASCII case folded; the
 * state after label i is the hash of the suffix starting at label i, so all
 * suffixes of a name cost one pass.  The state is finished with a 64-bit mixer
 * (MurmurHash3's fmix64) before it picks a slot, because FNV's low bits alone
 * spread poorly over a power-of-two table (dnsrep_hash_mix64 in hash.h).
 */
#include "set.h"

#define FNV_OFFSET 0xcbf29ce484222325ull
#define FNV_PRIME 0x100000001b3ull

/** ASCII lower case for every octet; other octets unchanged. */
static const uint8_t fold[256] = {
#define R(x) x, x + 1, x + 2, x + 3, x + 4, x + 5, x + 6, x + 7
	R(0), R(8), R(16), R(24), R(32), R(40), R(48), R(56),
	64, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o',
	'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z', 91, 92, 93, 94, 95,
	R(96), R(104), R(112), R(120), R(128), R(136), R(144), R(152), R(160), R(168),
	R(176), R(184), R(192), R(200), R(208), R(216), R(224), R(232), R(240), R(248)
#undef R
};


int dnsrep_set_labels(const uint8_t *wire, size_t len, struct dnsrep_labels *l)
{
	size_t pos = 0;
	int n = 0;
	/* find where the labels start */
	for (;;) {
		if (pos >= len || pos >= 255)
			return -1;
		uint8_t ll = wire[pos];
		if (ll == 0)
			break;
		if (ll > 63 || n >= DNSREP_SET_MAXLABELS)
			return -1;
		l->off[n++] = (uint8_t)pos;
		pos += 1u + ll;
	}
	l->off[n] = (uint8_t)pos;
	l->n = n;
	/* hash from the root leftwards: hash[i] covers labels i..n-1 */
	uint64_t h = FNV_OFFSET;
	l->hash[n] = dnsrep_hash_mix64(h);
	for (int i = n - 1; i >= 0; i--) {
		const uint8_t *p = wire + l->off[i];
		uint8_t ll = p[0];
		h = (h ^ ll) * FNV_PRIME;
		for (uint8_t j = 1; j <= ll; j++)
			h = (h ^ fold[p[j]]) * FNV_PRIME;
		l->hash[i] = dnsrep_hash_mix64(h);
	}
	return 0;
}

/** Whether a stored (lower-case) name equals a query name of any case. */
static inline int same_name(const uint8_t *stored, const uint8_t *name, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (stored[i] != fold[name[i]])
			return 0;
	return 1;
}

int64_t dnsrep_set_find(const struct dnsrep_set *s, uint64_t hash, const uint8_t *name, size_t len)
{
	uint32_t fp = (uint32_t)(hash >> 32);
	uint32_t i = (uint32_t)hash & s->mask;
	for (;;) {
		const struct dnsrep_slot *slot = &s->slots[i];
		if (slot->rec == 0)
			return -1;
		if (slot->fp == fp) {
			const uint8_t *rec = s->arena + (slot->rec - 1);
			if (dnsrep_rec_len(rec) == len && same_name(dnsrep_rec_name(rec), name, len))
				return (int64_t)(slot->rec - 1);
		}
		i = (i + 1) & s->mask;
	}
}

void dnsrep_set_place(struct dnsrep_slot *slots, uint32_t mask, uint64_t hash, uint32_t rec)
{
	uint32_t i = (uint32_t)hash & mask;
	while (slots[i].rec != 0)
		i = (i + 1) & mask;
	slots[i].rec = rec + 1;
	slots[i].fp = (uint32_t)(hash >> 32);
}

uint32_t dnsrep_set_capacity(uint32_t n)
{
	uint64_t want = (uint64_t)n * 10 / 7 + 1;
	uint32_t cap = 16;
	while (cap < want && cap < (1u << 31))
		cap <<= 1;
	return cap;
}

uint32_t dnsrep_set_filter_words(uint32_t n)
{
	uint32_t words = 1;
	while ((uint64_t)words * 64 < (uint64_t)n * 8)
		words <<= 1;
	return words;
}
