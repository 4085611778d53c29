/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dnsrep/memo.h — a small per-thread memory of names already judged harmless.
 *
 * The lookalike check is the one costly part of judging a name (microseconds at a
 * million protected names), and the resolver judges every answer it sends,
 * including each answer from its cache.  Most answers are of names asked again and
 * again, so a thread remembers, in a four-way set associative table of 64-bit keys,
 * the names for which the check found nothing under a given snapshot.  A key mixes the name's
 * hash with the snapshot's serial, so a new snapshot makes every entry miss
 * without a flush.  Entries are only ever "checked, nothing found": a collision or
 * an overwritten slot costs one more check, never a wrong verdict (two different
 * names would need the same 64-bit key).
 *
 * One memo per thread: no locks, no atomics.
 */
#ifndef DNSREP_MEMO_H
#define DNSREP_MEMO_H

#include <stddef.h>
#include <stdint.h>

struct dnsrep_memo;

/** A memo of 2^bits keys (bits 4..24), or NULL when out of memory. */
struct dnsrep_memo *dnsrep_memo_new(unsigned bits);

/** Free a memo.  NULL is fine. */
void dnsrep_memo_free(struct dnsrep_memo *m);

/** The key of a name hash (dnsrep_match.name_hash) under a snapshot serial; never 0. */
uint64_t dnsrep_memo_key(uint64_t name_hash, uint64_t serial);

/** Whether the key was remembered. */
int dnsrep_memo_has(const struct dnsrep_memo *m, uint64_t key);

/** Remember a key (it may push out another). */
void dnsrep_memo_put(struct dnsrep_memo *m, uint64_t key);

/** Bytes the memo occupies. */
size_t dnsrep_memo_bytes(const struct dnsrep_memo *m);

#endif /* DNSREP_MEMO_H */
