/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * report_table.c — `dnsrepctl report`'s tables: strings and integer keys to
 * dense ids, each id with a zeroed value of a fixed size (the counters
 * themselves), and the arena that holds the strings.
 *
 * Clients, rule names, feeds, categories, asked names, query types and
 * techniques are string tables; (rule, feed), (client, rule row), hours and
 * the pairs of names with clients and query types are integer tables.  Both kinds are one struct
 * keytab: open addressing with linear probing, grown at half full, each slot a
 * key's 64-bit hash beside its id, so one probe finds the id and with it the
 * value, and counting a line allocates nothing once its keys have been seen.
 * A string's hash is hash_bytes below; an integer's is the engine's finalizer
 * (dnsrep_hash_mix64, blocklist/hash.h), which is a bijection, so for integer
 * keys an equal hash is an equal key.
 *
 * Why not the engine's interner (blocklist/intern.h, dnsrep_intern): it maps a
 * string to its offset in a pool and keeps nothing else.  The report needs for
 * each distinct string a dense id (the integer tables' keys are pairs of ids,
 * and sorting walks ids) and a value found by the same probe.  Over
 * dnsrep_intern that takes a second table from offset to id, so two probes per
 * field of every line instead of one, and its hash reads a byte at a time
 * (FNV-1a) where hash_bytes reads eight.  Counting lines is the hot path of a
 * report over a gigabyte of logs, so the string table stays its own.
 */
#include "report.h"
#include "hash.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- hashing ---------------------------------------------------------------- */

/** A 64-bit hash of n bytes, eight at a time. */
static uint64_t hash_bytes(const char *s, size_t n)
{
	uint64_t h = UINT64_C(0x9e3779b97f4a7c15) ^ n;
	while (n >= 8) {
		uint64_t w;
		memcpy(&w, s, 8);
		h ^= w * UINT64_C(0x87c37b91114253d5);
		h = ((h << 31) | (h >> 33)) * UINT64_C(0x4cf5ad432745937f);
		s += 8;
		n -= 8;
	}
	if (n) {
		uint64_t w = 0;
		memcpy(&w, s, n);
		h ^= w * UINT64_C(0x87c37b91114253d5);
		h = ((h << 31) | (h >> 33)) * UINT64_C(0x4cf5ad432745937f);
	}
	return dnsrep_hash_mix64(h);
}

/* ---- growing a dense array -------------------------------------------------- */

int report_grow(void *arrp, size_t *cap, size_t need, size_t size)
{
	void **arr = arrp;
	if (need <= *cap)
		return 0;
	size_t ncap = *cap ? *cap : 16;
	while (ncap < need)
		ncap *= 2;
	if (ncap > SIZE_MAX / size)
		return -1;
	char *p = realloc(*arr, ncap * size);
	if (!p)
		return -1;
	memset(p + *cap * size, 0, (ncap - *cap) * size);
	*arr = p;
	*cap = ncap;
	return 0;
}

/* ---- an arena for interned strings ------------------------------------------ */

#define ARENA_CHUNK (64 * 1024)

struct arena_chunk {
	struct arena_chunk *next;
	char data[];
};

/** Copy n bytes (plus a NUL) into the arena; NULL when out of memory. */
static const char *arena_copy(struct arena *a, const char *s, size_t n)
{
	if (n + 1 > a->left) {
		size_t size = n + 1 > ARENA_CHUNK ? n + 1 : ARENA_CHUNK;
		struct arena_chunk *c = malloc(sizeof(*c) + size);
		if (!c)
			return NULL;
		c->next = a->head;
		a->head = c;
		a->cur = c->data;
		a->left = size;
	}
	char *d = a->cur;
	memcpy(d, s, n);
	d[n] = 0;
	a->cur += n + 1;
	a->left -= n + 1;
	return d;
}

void report_arena_free(struct arena *a)
{
	while (a->head) {
		struct arena_chunk *next = a->head->next;
		free(a->head);
		a->head = next;
	}
}

/* ---- keys to ids, with a value each ------------------------------------------ */

int report_keytab_init(struct keytab *t, size_t elsize, struct arena *arena)
{
	memset(t, 0, sizeof(*t));
	t->elsize = elsize;
	t->arena = arena;
	t->mask = 1023;
	t->slots = calloc(t->mask + 1, sizeof(*t->slots));
	return t->slots ? 0 : -1;
}

void report_keytab_free(struct keytab *t)
{
	free(t->slots);
	free(t->val);
	free(t->ent);
	free(t->keys);
}

void *report_keytab_val(const struct keytab *t, uint32_t id)
{
	return t->val + (size_t)id * t->elsize;
}

/**
 * Probe for a key of hash h: the slot of its entry (*found = 1), or the empty
 * slot that ends the probe.  In a string table an entry is the key when its
 * string is s (n bytes); in an integer table equal hashes are equal keys.
 */
static inline size_t probe(const struct keytab *t, uint64_t h, const char *s, size_t n, int *found)
{
	size_t i = (size_t)h & t->mask;
	for (; t->slots[i].id1 != 0; i = (i + 1) & t->mask) {
		if (t->slots[i].hash != h)
			continue;
		const struct strent *e = t->arena ? &t->ent[t->slots[i].id1 - 1] : NULL;
		if (!e || (e->len == n && memcmp(e->s, s, n) == 0)) {
			*found = 1;
			return i;
		}
	}
	*found = 0;
	return i;
}

/** Double the slots and place every entry again, by the hash its slot keeps. */
static int rehash(struct keytab *t)
{
	size_t nmask = t->mask * 2 + 1;
	struct idslot *ns = calloc(nmask + 1, sizeof(*ns));
	if (!ns)
		return -1;
	for (size_t j = 0; j <= t->mask; j++) {
		if (!t->slots[j].id1)
			continue;
		size_t i = (size_t)t->slots[j].hash & nmask;
		while (ns[i].id1)
			i = (i + 1) & nmask;
		ns[i] = t->slots[j];
	}
	free(t->slots);
	t->slots = ns;
	t->mask = nmask;
	return 0;
}

/**
 * A new id for a key of hash h whose probe ended at empty slot i: its zeroed
 * value, and room in ent or keys for the caller to fill.
 * @return the value, or NULL when out of memory.
 */
static void *add(struct keytab *t, uint64_t h, size_t i, uint32_t *id, int *isnew)
{
	if (t->n >= UINT32_MAX - 1)
		return NULL;
	if ((t->n + 1) * 2 > t->mask + 1) {
		if (rehash(t) < 0)
			return NULL;
		i = (size_t)h & t->mask;
		while (t->slots[i].id1)
			i = (i + 1) & t->mask;
	}
	if ((t->arena ? report_grow(&t->ent, &t->cap, t->n + 1, sizeof(*t->ent))
		      : report_grow(&t->keys, &t->cap, t->n + 1, sizeof(*t->keys))) < 0 ||
	    report_grow(&t->val, &t->valcap, t->n + 1, t->elsize) < 0)
		return NULL;
	uint32_t k = (uint32_t)t->n++;
	t->slots[i].hash = h;
	t->slots[i].id1 = k + 1;
	*id = k;
	*isnew = 1;
	return report_keytab_val(t, k);
}

void *report_keytab_str(struct keytab *t, const char *s, size_t n, uint32_t *id, int *isnew)
{
	uint64_t h = hash_bytes(s, n);
	int found;
	size_t i = probe(t, h, s, n, &found);
	if (found) {
		*id = t->slots[i].id1 - 1;
		*isnew = 0;
		return report_keytab_val(t, *id);
	}
	const char *copy = n <= UINT32_MAX ? arena_copy(t->arena, s, n) : NULL;
	void *val = copy ? add(t, h, i, id, isnew) : NULL;
	if (val)
		t->ent[*id] = (struct strent){ copy, (uint32_t)n };
	return val;
}

void *report_keytab_key(struct keytab *t, uint64_t key, uint32_t *id, int *isnew)
{
	/* the finalizer is a bijection: keys with equal hashes are equal */
	uint64_t h = dnsrep_hash_mix64(key);
	int found;
	size_t i = probe(t, h, NULL, 0, &found);
	if (found) {
		*id = t->slots[i].id1 - 1;
		*isnew = 0;
		return report_keytab_val(t, *id);
	}
	void *val = add(t, h, i, id, isnew);
	if (val)
		t->keys[*id] = key;
	return val;
}
