/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dnsrep/current.h — the current snapshot: one atomic pointer that resolver
 * threads read without locks, and a grace period before an old snapshot is freed.
 *
 * Readers announce, each in a slot of their own (one cache line per thread, so
 * no counter bounces between threads on every query), the epoch in which they
 * took the pointer, and clear it when done.  The writer swaps the pointer,
 * advances the epoch, and waits until no slot holds an epoch older than the
 * swap before it hands the old snapshot back to be freed.  A reader holds a
 * snapshot only for one operate() call (microseconds, no I/O), so the wait is
 * short.
 */
#ifndef DNSREP_CURRENT_H
#define DNSREP_CURRENT_H

#include "dnsrep/snapshot.h"

struct dnsrep_current;

/** A holder with no snapshot yet, or NULL when out of memory. */
struct dnsrep_current *dnsrep_current_new(void);

/**
 * Free the holder and the snapshot in it.  No reader may be inside, and no
 * other thread may swap (the plugin calls it from deinit, after its threads stopped).
 */
void dnsrep_current_free(struct dnsrep_current *c);

/**
 * Take the current snapshot for the duration of one lookup (NULL if there is none
 * yet).  Lock-free, wait-free, allocation-free; a thread's first call registers
 * its slot.  Every enter must be followed by dnsrep_current_leave on the same thread.
 * Enters nest: an inner enter may see a newer snapshot, and every snapshot seen
 * stays valid until the outermost leave.
 */
const struct dnsrep_snapshot *dnsrep_current_enter(struct dnsrep_current *c);

/** Done with the snapshot taken by dnsrep_current_enter. */
void dnsrep_current_leave(struct dnsrep_current *c);

/**
 * Install a new snapshot (ownership passes to the holder) and wait until no reader
 * can still see the previous one.
 * @return the previous snapshot, now unreachable by readers, for the caller to
 *   inspect (e.g. to compare with the new one) and free; NULL if there was none.
 */
struct dnsrep_snapshot *dnsrep_current_swap(struct dnsrep_current *c, struct dnsrep_snapshot *s);

/**
 * The current snapshot for a thread that is the only one to swap it (the refresher),
 * outside any reader section: it cannot be freed under that thread.
 */
const struct dnsrep_snapshot *dnsrep_current_peek(const struct dnsrep_current *c);

#endif /* DNSREP_CURRENT_H */
