/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dnsrep/delta.h — what changed between two snapshots: the names whose verdict may differ.
 *
 * When a new snapshot replaces an old one, answers that Unbound cached under the
 * old one must go where the two disagree (a name newly blocked, or a block that
 * ended).  Judging every cache entry with both snapshots costs a full match and a
 * lookalike check per entry; the delta makes that a cheap filter.  It is a small
 * snapshot of its own: a block entry for the name and everything below it at
 * every name whose record differs between the two (added, removed, other scopes,
 * another action, category or lookalike setting), and lookalike protection for
 * those of them that are protected in either.  A name can only be judged
 * differently by the two snapshots if the delta covers it, so only the covered
 * entries need the full comparison.
 */
#ifndef DNSREP_DELTA_H
#define DNSREP_DELTA_H

#include <stddef.h>
#include <stdint.h>

#include "dnsrep/lookalike.h"
#include "dnsrep/snapshot.h"

/**
 * Compare two snapshots.  old may be NULL (nothing before: every name of now changed).
 * @param lo: the lookalike options both snapshots were protected with.
 * @param out: the delta (free with dnsrep_snapshot_free), or NULL when no name's
 *   verdict can differ.
 * @param changed: if not NULL, the number of names that differ.
 * @return 0, or -1 with err set (out of memory): then treat every name as changed.
 */
int dnsrep_delta_build(const struct dnsrep_snapshot *old, const struct dnsrep_snapshot *now,
	const struct dnsrep_lookalike_opts *lo, struct dnsrep_snapshot **out, size_t *changed,
	char *err, size_t errlen);

/**
 * Whether the delta covers a name (wire form, any case): at or below a changed
 * name, or a lookalike of a changed protected name.  Lock-free, allocation-free.
 */
int dnsrep_delta_covers(const struct dnsrep_snapshot *delta, const uint8_t *wire, size_t len);

#endif /* DNSREP_DELTA_H */
