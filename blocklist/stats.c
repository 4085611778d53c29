/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * stats.c — per-thread lookup counters (dnsrep/stats.h): counted by one thread,
 * summed by any.
 *
 * The writer finds a lookup's series first in a small direct-mapped table of recent
 * series, keyed by the addresses of the feed and category text (interned in the
 * snapshot) and the snapshot's serial (the same address in another snapshot may
 * be other text); only on a
 * miss does it hash the labels and probe the series table, and only a new series
 * writes text.  A series is published by storing its key last (release); a reader
 * that sees the key (acquire) sees the labels.  Counts are single-writer: a
 * relaxed load and store, which a reader on x86-64 and arm64 reads whole.
 */
#include "dnsrep/stats.h"

#include <stdlib.h>
#include <string.h>

struct dnsrep_stats *dnsrep_stats_new(void)
{
	/* whole cache lines: another thread's data never shares one with the counters */
	size_t size = (sizeof(struct dnsrep_stats) + 63) & ~(size_t)63;
	struct dnsrep_stats *st = aligned_alloc(64, size);
	if (st)
		memset(st, 0, size);
	return st;
}

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v;
	h *= 0x9e3779b97f4a7c15ULL;
	return h ^ (h >> 29);
}

static uint64_t hash_text(uint64_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 0x100000001b3ULL;
	return mix(h, 0xff);
}

/** The labels' key: never 0. */
static uint64_t labels_key(uint32_t small, const char *feed, const char *category)
{
	uint64_t h = mix(0xcbf29ce484222325ULL, small);
	h = hash_text(h, feed);
	h = hash_text(h, category);
	return h ? h : 1;
}

static void copy_text(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);
	memcpy(dst, src, n);
	dst[n] = 0;
}

static int same_labels(const struct dnsrep_stats_labels *l, uint32_t small, const char *feed,
	const char *category)
{
	uint32_t ls = (uint32_t)l->outcome | (uint32_t)l->action << 8 | (uint32_t)l->match << 16 |
		      (uint32_t)l->technique << 24;
	return ls == small && strncmp(l->feed, feed, sizeof(l->feed) - 1) == 0 &&
	       strncmp(l->category, category, sizeof(l->category) - 1) == 0;
}

/** The series of these labels, made when new; the "_other" one when the table is full.
 * Out of line: the common path (a recent hit) then saves no registers for it. */
__attribute__((noinline))
static uint32_t find_series(struct dnsrep_stats *st, uint32_t small, const char *feed,
	const char *category)
{
	uint64_t key = labels_key(small, feed, category);
	uint32_t mask = DNSREP_STATS_SERIES - 1;
	for (uint32_t i = 0, at = (uint32_t)key & mask; i <= mask; i++, at = (at + 1) & mask) {
		struct dnsrep_stats_series *se = &st->series[at];
		uint64_t k = atomic_load_explicit(&se->key, memory_order_relaxed);
		if (k == key && same_labels(&se->l, small, feed, category))
			return at;
		if (k != 0)
			continue;
		int other = strcmp(feed, "_other") == 0;
		if (!other && st->used >= DNSREP_STATS_SERIES - 8)
			break; /* the last slots are kept for the "_other" series */
		st->used++;
		se->l.outcome = (uint8_t)small;
		se->l.action = (uint8_t)(small >> 8);
		se->l.match = (uint8_t)(small >> 16);
		se->l.technique = (uint8_t)(small >> 24);
		copy_text(se->l.feed, sizeof(se->l.feed), feed);
		copy_text(se->l.category, sizeof(se->l.category), category);
		atomic_store_explicit(&se->key, key, memory_order_release);
		return at;
	}
	/* full: the "_other" series of the outcome, found the same way (made at most once
	 * per outcome, in the slots kept for it) */
	if (strcmp(feed, "_other") == 0)
		return UINT32_MAX;
	atomic_store_explicit(&st->overflow,
		atomic_load_explicit(&st->overflow, memory_order_relaxed) + 1, memory_order_relaxed);
	return find_series(st, small & 0xff, "_other", "_other");
}

void dnsrep_stats_count(struct dnsrep_stats *st, enum dnsrep_log_kind outcome, int action,
	int match, int technique, uint64_t serial, const char *feed, const char *category)
{
	if (!feed)
		feed = "";
	if (!category)
		category = "";
	uint32_t small = (uint32_t)(outcome & 0xff) | (uint32_t)(action & 0xff) << 8 |
			 (uint32_t)(match & 0xff) << 16 | (uint32_t)(technique & 0xff) << 24;
	/* the recent slot: a few shifts and xors (text addresses differ in their low bits) */
	uint64_t h = (uint64_t)(uintptr_t)category ^ (uint64_t)(uintptr_t)feed >> 3 ^ serial ^ small;
	struct dnsrep_stats_recent *r = &st->recent[(h ^ h >> 6 ^ h >> 12) & 63];
	uint32_t slot;
	if (r->feed == feed && r->category == category && r->serial == serial && r->small == small) {
		slot = r->slot;
	} else {
		slot = find_series(st, small, feed, category);
		if (slot == UINT32_MAX)
			return; /* even "_other" found no room: only the overflow count has it */
		r->feed = feed;
		r->category = category;
		r->serial = serial;
		r->small = small;
		r->slot = slot;
	}
	struct dnsrep_stats_series *se = &st->series[slot];
	atomic_store_explicit(&se->count,
		atomic_load_explicit(&se->count, memory_order_relaxed) + 1, memory_order_relaxed);
}

int dnsrep_stats_sum(struct dnsrep_stats_total *t, const struct dnsrep_stats *st)
{
	struct dnsrep_stats *w = (struct dnsrep_stats *)st; /* atomics are read, not written */
	t->judged += atomic_load_explicit(&w->judged, memory_order_relaxed);
	t->overflow += atomic_load_explicit(&w->overflow, memory_order_relaxed);
	for (size_t i = 0; i < DNSREP_STATS_SERIES; i++) {
		struct dnsrep_stats_series *se = &w->series[i];
		if (atomic_load_explicit(&se->key, memory_order_acquire) == 0)
			continue;
		uint64_t c = atomic_load_explicit(&se->count, memory_order_relaxed);
		const struct dnsrep_stats_labels *l = &se->l;
		size_t j = 0;
		for (; j < t->n; j++) {
			const struct dnsrep_stats_labels *m = &t->series[j].l;
			if (m->outcome == l->outcome && m->action == l->action && m->match == l->match &&
			    m->technique == l->technique && strcmp(m->feed, l->feed) == 0 &&
			    strcmp(m->category, l->category) == 0)
				break;
		}
		if (j == t->n) {
			if (t->n == t->cap) {
				size_t cap = t->cap ? t->cap * 2 : 32;
				void *grown = realloc(t->series, cap * sizeof(*t->series));
				if (!grown)
					return -1;
				t->series = grown;
				t->cap = cap;
			}
			t->series[j].l = *l;
			t->series[j].count = 0;
			t->n++;
		}
		t->series[j].count += c;
	}
	return 0;
}

void dnsrep_stats_total_free(struct dnsrep_stats_total *t)
{
	free(t->series);
	t->series = NULL;
	t->n = t->cap = 0;
}
