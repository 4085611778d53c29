/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * current.c — the current snapshot and its grace period (see dnsrep/current.h).
 *
 * Memory ordering: a reader stores its epoch (seq_cst) before it loads the
 * pointer; the writer exchanges the pointer, then bumps the epoch (both
 * seq_cst), then reads the slots.  A reader that loaded the old pointer made its
 * epoch store before that load, hence before the exchange, so the writer sees
 * an epoch older than the new one in its slot until the reader leaves.
 *
 * Threads beyond MAX_SLOTS (Unbound runs a few dozen threads at most) share one
 * overflow slot holding a count of readers inside; it costs those threads a
 * shared counter, and stays correct.
 *
 * A thread remembers its slot in thread-local storage, keyed by the holder's id,
 * not its address: a holder freed on `unbound-control reload` and a new one
 * allocated at the same address would otherwise inherit the old slot numbers,
 * and two threads could share a slot, or a thread hold one the writer never scans.
 */
#include "dnsrep/current.h"

#include <stdalign.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#define MAX_SLOTS 256

struct slot {
	alignas(64) _Atomic uint64_t epoch; /**< 0: outside; else the epoch entered in */
};

struct dnsrep_current {
	uint64_t id;                          /**< unique in the process, never reused */
	_Atomic(struct dnsrep_snapshot *) snap;
	alignas(64) _Atomic uint64_t epoch;   /**< advanced by every swap; starts at 1 */
	alignas(64) _Atomic unsigned n_slots; /**< slots handed out */
	alignas(64) _Atomic uint64_t overflow_inside; /**< readers inside using the overflow slot */
	struct slot slots[MAX_SLOTS];
};

/** Holder ids: one process-wide counter. */
static _Atomic uint64_t last_id;

/** This thread's slot in the holder it last used. */
static _Thread_local struct {
	uint64_t owner;  /**< that holder's id (0: none yet) */
	int slot;        /**< index, or -1 for the overflow slot */
	unsigned depth;  /**< enters not yet left: a nested enter keeps the outer epoch */
} mine;

struct dnsrep_current *dnsrep_current_new(void)
{
	struct dnsrep_current *c = aligned_alloc(64, sizeof(struct dnsrep_current));
	if (!c)
		return NULL;
	c->id = atomic_fetch_add(&last_id, 1) + 1;
	atomic_init(&c->snap, NULL);
	atomic_init(&c->epoch, 1);
	atomic_init(&c->n_slots, 0);
	atomic_init(&c->overflow_inside, 0);
	for (int i = 0; i < MAX_SLOTS; i++)
		atomic_init(&c->slots[i].epoch, 0);
	return c;
}

void dnsrep_current_free(struct dnsrep_current *c)
{
	if (!c)
		return;
	dnsrep_snapshot_free(atomic_load(&c->snap));
	free(c);
}

const struct dnsrep_snapshot *dnsrep_current_enter(struct dnsrep_current *c)
{
	if (mine.owner != c->id) {
		unsigned i = atomic_fetch_add(&c->n_slots, 1);
		mine.owner = c->id;
		mine.slot = i < MAX_SLOTS ? (int)i : -1;
		mine.depth = 0;
	}
	if (mine.depth++ == 0) {
		if (mine.slot >= 0)
			atomic_store(&c->slots[mine.slot].epoch, atomic_load(&c->epoch));
		else
			atomic_fetch_add(&c->overflow_inside, 1);
	}
	return atomic_load(&c->snap);
}

void dnsrep_current_leave(struct dnsrep_current *c)
{
	if (mine.depth == 0 || --mine.depth > 0)
		return;
	if (mine.slot >= 0)
		atomic_store_explicit(&c->slots[mine.slot].epoch, 0, memory_order_release);
	else
		atomic_fetch_sub_explicit(&c->overflow_inside, 1, memory_order_release);
}

/** Whether some reader may still be inside with an epoch before e. */
static int readers_before(struct dnsrep_current *c, uint64_t e)
{
	unsigned n = atomic_load(&c->n_slots);
	if (n > MAX_SLOTS)
		n = MAX_SLOTS;
	for (unsigned i = 0; i < n; i++) {
		uint64_t r = atomic_load(&c->slots[i].epoch);
		if (r != 0 && r < e)
			return 1;
	}
	return atomic_load(&c->overflow_inside) != 0;
}

struct dnsrep_snapshot *dnsrep_current_swap(struct dnsrep_current *c, struct dnsrep_snapshot *s)
{
	struct dnsrep_snapshot *old = atomic_exchange(&c->snap, s);
	uint64_t e = atomic_fetch_add(&c->epoch, 1) + 1;
	struct timespec nap = { 0, 200000 }; /* 0.2 ms */
	while (readers_before(c, e))
		nanosleep(&nap, NULL);
	return old;
}

const struct dnsrep_snapshot *dnsrep_current_peek(const struct dnsrep_current *c)
{
	return atomic_load(&((struct dnsrep_current *)c)->snap);
}
