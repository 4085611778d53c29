/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * psl.c — the Public Suffix List as a hash table over wire names (see psl.h).
 *
 * Where this file does a library's job, and why: libpsl answers the same
 * questions, but its psl_registrable_domain works on a dotted string and asks
 * "is this a public suffix?" of every tail from the left, each a walk of its
 * DAFSA after a scan for non-ASCII octets: about 7,000 instructions for a
 * three-label name (callgrind, tests/bench/bench_lookalike), which the
 * lookalike check pays on every query.  Here every rule and every tail of a
 * rule is a key of one open-addressing table, keyed by a hash of the wire name
 * built label by label from the right, so a query's tails are looked up from
 * its TLD leftwards and the walk stops at the first tail no rule ends in: two
 * or three probes for almost every name.  The rules are libpsl's (one file, one
 * reading of it: tests/unit/test_psl compares the answers), and libpsl remains
 * the fallback when the file is missing.
 *
 * Semantics, as libpsl's is_public_suffix: a name is a suffix when its entry is
 * a rule or a wildcard's base ("*.ck" makes "ck" a suffix too) and not an
 * exception ("!www.ck"), or, when it has no rule, when its parent is a
 * wildcard's base; a lone label is one by the default rule "*".
 */
#include "psl.h"

#include "dnsrep/err.h"
#include "dnsrep/name.h"
#include "hash.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/** What a table entry is: present (a tail of some rule), and which rules end there. */
enum {
	PSL_NODE = 1,       /**< some rule ends in this name */
	PSL_RULE = 2,       /**< "name" */
	PSL_WILD = 4,       /**< "*.name" */
	PSL_EXCEPTION = 8   /**< "!name" */
};

/** One tail of a rule: its hash, where its wire form is, its length, its flags. */
struct psl_slot {
	uint64_t key;
	uint32_t off;  /**< in the arena */
	uint8_t len;   /**< wire length, root included; 0: an empty slot */
	uint8_t flags;
};

struct dnsrep_psl {
	struct psl_slot *slots;
	uint32_t mask;
	uint32_t used;
	uint8_t *arena;   /**< the rules' wire names */
	size_t arena_len, arena_cap;
	size_t rules;
};

#define PSL_SEED 0xcbf29ce484222325ull
#define PSL_MUL 0xc6a4a7935bd1e995ull

/** The hash of the name label + (the name hashed h): its length octet and octets, eight at a time. */
static inline uint64_t psl_step(uint64_t h, const uint8_t *label)
{
	size_t n = 1u + label[0], i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t w;
		memcpy(&w, label + i, 8);
		h = (h ^ w) * PSL_MUL;
		h ^= h >> 29;
	}
	uint64_t w = 0;
	memcpy(&w, label + i, n - i);
	h = (h ^ w) * PSL_MUL;
	return h ^ (h >> 29);
}

/** The flags of the tail (wire, len octets) with hash h, or 0 when no rule ends in it. */
static inline uint8_t psl_find(const struct dnsrep_psl *p, const uint8_t *wire, size_t len, uint64_t h)
{
	uint64_t key = dnsrep_hash_mix64(h);
	for (uint32_t i = (uint32_t)key & p->mask;; i = (i + 1) & p->mask) {
		const struct psl_slot *s = &p->slots[i];
		if (s->len == 0)
			return 0;
		if (s->key == key && s->len == len && memcmp(p->arena + s->off, wire, len) == 0)
			return s->flags;
	}
}

static int psl_grow(struct dnsrep_psl *p)
{
	uint32_t cap = p->mask ? (p->mask + 1) * 2 : 1u << 14;
	struct psl_slot *t = calloc(cap, sizeof(*t));
	if (!t)
		return -1;
	for (uint32_t i = 0; p->mask && i <= p->mask; i++) {
		if (!p->slots[i].len)
			continue;
		uint32_t j = (uint32_t)p->slots[i].key & (cap - 1);
		while (t[j].len)
			j = (j + 1) & (cap - 1);
		t[j] = p->slots[i];
	}
	free(p->slots);
	p->slots = t;
	p->mask = cap - 1;
	return 0;
}

/** Add the tail at arena offset off (len octets, hash h) with flags. */
static int psl_put(struct dnsrep_psl *p, uint32_t off, uint8_t len, uint64_t h, uint8_t flags)
{
	if ((uint64_t)(p->used + 1) * 2 > (uint64_t)p->mask + 1 && psl_grow(p) < 0)
		return -1;
	uint64_t key = dnsrep_hash_mix64(h);
	const uint8_t *wire = p->arena + off;
	uint32_t i = (uint32_t)key & p->mask;
	for (; p->slots[i].len; i = (i + 1) & p->mask) {
		struct psl_slot *s = &p->slots[i];
		if (s->key == key && s->len == len && memcmp(p->arena + s->off, wire, len) == 0) {
			s->flags |= flags;
			return 0;
		}
	}
	p->slots[i] = (struct psl_slot){ key, off, len, flags };
	p->used++;
	return 0;
}

/** Add a rule: its name with the rule's flag, and every tail of it as a node. */
static int psl_add_rule(struct dnsrep_psl *p, const struct dnsrep_name *n, uint8_t flag)
{
	if (p->arena_len + n->len > p->arena_cap) {
		size_t cap = p->arena_cap ? p->arena_cap * 2 : 65536;
		uint8_t *a = realloc(p->arena, cap);
		if (!a)
			return -1;
		p->arena = a;
		p->arena_cap = cap;
	}
	uint32_t base = (uint32_t)p->arena_len;
	memcpy(p->arena + base, n->wire, n->len);
	p->arena_len += n->len;

	uint8_t off[DNSREP_NAME_MAXWIRE];
	unsigned count = 0;
	for (unsigned pos = 0; n->wire[pos] != 0; pos += 1u + n->wire[pos])
		off[count++] = (uint8_t)pos;
	uint64_t h = PSL_SEED;
	for (unsigned k = count; k-- > 0;) {
		h = psl_step(h, n->wire + off[k]);
		if (psl_put(p, base + off[k], (uint8_t)(n->len - off[k]), h,
			    (uint8_t)(PSL_NODE | (k == 0 ? flag : 0))) < 0)
			return -1;
	}
	p->rules++;
	return 0;
}

/** Take one line of the list: a rule, a comment or nothing.  -1: out of memory. */
static int psl_line(struct dnsrep_psl *p, char *line)
{
	char *r = line + strspn(line, " \t");
	r[strcspn(r, " \t\r\n")] = '\0'; /* a rule ends at white space */
	if (r[0] == '\0' || (r[0] == '/' && r[1] == '/'))
		return 0;
	uint8_t flag = PSL_RULE;
	if (r[0] == '!') {
		flag = PSL_EXCEPTION;
		r++;
	} else if (r[0] == '*' && r[1] == '.') {
		flag = PSL_WILD;
		r += 2;
	}
	if (strchr(r, '*'))
		return 0; /* a wildcard elsewhere than leftmost: libpsl has none either */
	struct dnsrep_name n;
	char nerr[DNSREP_ERRLEN];
	if (dnsrep_name_from_text(&n, r, strlen(r), nerr, sizeof(nerr)) < 0 || n.labels == 0)
		return 0; /* a rule libidn2 refuses cannot match a name we hold */
	return psl_add_rule(p, &n, flag);
}

struct dnsrep_psl *dnsrep_psl_load(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		dnsrep_err(err, errlen, "public suffix list %s: %s", path, strerror(errno));
		return NULL;
	}
	struct dnsrep_psl *p = calloc(1, sizeof(*p));
	char *line = NULL;
	size_t cap = 0;
	int oom = !p || psl_grow(p) < 0;
	while (!oom && getline(&line, &cap, f) >= 0)
		oom = psl_line(p, line) < 0;
	int rerr = ferror(f);
	free(line);
	fclose(f);
	if (oom || rerr || p->rules == 0) {
		if (oom)
			dnsrep_err(err, errlen, "public suffix list %s: out of memory", path);
		else
			dnsrep_err(err, errlen, "public suffix list %s: %s", path,
				   rerr ? "read error" : "no rules in it");
		dnsrep_psl_free(p);
		return NULL;
	}
	return p;
}

void dnsrep_psl_free(struct dnsrep_psl *p)
{
	if (!p)
		return;
	free(p->slots);
	free(p->arena);
	free(p);
}

/** The length of the wire name from off[0] to its root label, included. */
static size_t psl_end(const uint8_t *wire, const uint8_t *off, unsigned count)
{
	return (size_t)off[count - 1] + 1u + wire[off[count - 1]] + 1u;
}

/** Whether a tail with flags f, whose parent has flags parent, is a public suffix. */
static inline int psl_suffix(uint8_t f, uint8_t parent)
{
	if (f & (PSL_RULE | PSL_WILD | PSL_EXCEPTION))
		return !(f & PSL_EXCEPTION);
	return (parent & PSL_WILD) != 0;
}

/** libpsl's psl_registrable_domain looks at the nine rightmost labels at most. */
#define PSL_MAX_LABELS 9

int dnsrep_psl_registrable(const struct dnsrep_psl *p, const uint8_t *wire, const uint8_t *off,
	unsigned count)
{
	if (count == 0)
		return -1;
	unsigned c = count < PSL_MAX_LABELS ? count : PSL_MAX_LABELS;
	size_t end = psl_end(wire, off, count);
	uint64_t h = PSL_SEED;
	uint8_t parent = 0;
	unsigned longest = 1; /* the default rule: the TLD is a public suffix */
	for (unsigned k = 1; k <= c; k++) {
		unsigned i = count - k;
		h = psl_step(h, wire + off[i]);
		uint8_t f = psl_find(p, wire + off[i], end - off[i], h);
		if (k > 1 && psl_suffix(f, parent))
			longest = k;
		if (!f)
			break; /* no rule ends here: no longer tail is listed or below a wildcard */
		parent = f;
	}
	return longest >= c ? -1 : (int)(count - longest - 1);
}

int dnsrep_psl_is_suffix(const struct dnsrep_psl *p, const uint8_t *wire, const uint8_t *off,
	unsigned count, int star)
{
	if (count == 0)
		return 1;
	if (count == 1 && star)
		return 1;
	size_t end = psl_end(wire, off, count);
	uint64_t h = PSL_SEED;
	uint8_t f = 0, parent = 0;
	for (unsigned k = 1; k <= count; k++) {
		unsigned i = count - k;
		h = psl_step(h, wire + off[i]);
		parent = f;
		f = psl_find(p, wire + off[i], end - off[i], h);
		if (!f && k < count)
			return 0; /* not even the parent of the name is a node */
	}
	return psl_suffix(f, parent);
}
