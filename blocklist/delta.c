/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * delta.c — the names whose verdict may differ between two snapshots
 * (see dnsrep/delta.h).
 *
 * Every record of each snapshot is looked up in the other (one probe each); a
 * record that is missing there or says something else about blocking (its
 * scopes, or per scope the action, category and lookalike setting — the feed,
 * reason, date and source only change what is logged, and the log is written
 * from the current snapshot) goes into the delta as a block entry for its name
 * and everything below.  When one of the two has a lookalike index and the other
 * none (its build failed), every protected name counts as changed.  Protected names (those of lookalike feeds) go in as a
 * feed with lookalike protection, so that the delta's own lookalike index
 * catches the lookalikes whose verdict may have moved; they go in as their whole
 * registrable domain, since whether a registrable domain is protected decides
 * whether the other names under it can be lookalikes.  At a million names on
 * each side this is two passes of a million probes, off the resolver threads.
 */
#include "dnsrep/delta.h"
#include "set.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/** The changed names, protected and not: wire names back to back. */
struct names {
	uint8_t *buf;
	size_t len, cap;
	size_t n;
};

struct diff {
	const struct dnsrep_snapshot *other;
	int missing_only;  /**< the second pass: the names in both were compared in the first */
	struct names plain, protected_;
	int prot_differs;  /**< one snapshot has a lookalike index and the other none */
	int oom;
};

static int names_add(struct names *l, const uint8_t *wire, size_t len)
{
	if (l->len + len + 1 > l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 4096;
		while (cap < l->len + len + 1)
			cap *= 2;
		uint8_t *b = realloc(l->buf, cap);
		if (!b)
			return -1;
		l->buf = b;
		l->cap = cap;
	}
	l->buf[l->len++] = (uint8_t)len;
	memcpy(l->buf + l->len, wire, len);
	l->len += len;
	l->n++;
	return 0;
}

/** Whether two metadata records say the same about blocking. */
static int same_meta(const struct dnsrep_meta *a, const struct dnsrep_meta *b)
{
	return a->action == b->action && a->lookalike == b->lookalike &&
	       a->lookalike_action == b->lookalike_action && strcmp(a->category, b->category) == 0 &&
	       memcmp(&a->lookalike_tuning, &b->lookalike_tuning, sizeof(a->lookalike_tuning)) == 0;
}

/** Whether a record protects its name against lookalikes. */
static int protects(const struct dnsrep_record *r)
{
	return ((r->flags & DNSREP_REC_BLOCK_SELF) && r->self.lookalike) ||
	       ((r->flags & DNSREP_REC_BLOCK_BELOW) && r->below.lookalike);
}

/** Whether two records of one name say the same about blocking. */
static int same_record(const struct dnsrep_record *a, const struct dnsrep_record *b)
{
	if (a->flags != b->flags)
		return 0;
	if ((a->flags & DNSREP_REC_BLOCK_SELF) && !same_meta(&a->self, &b->self))
		return 0;
	if ((a->flags & DNSREP_REC_BLOCK_BELOW) && !same_meta(&a->below, &b->below))
		return 0;
	if ((a->flags & (DNSREP_REC_ALLOW_SELF | DNSREP_REC_ALLOW_BELOW)) &&
	    !same_meta(&a->allow, &b->allow))
		return 0;
	return 1;
}

/** One record of a snapshot against the other snapshot. */
static int visit(void *ctx, const struct dnsrep_record *r)
{
	struct diff *d = ctx;
	struct dnsrep_record o;
	int found = d->other && dnsrep_snapshot_record(d->other, r->name, r->len, &o);
	/* same records, but one index failed to build: its lookalikes changed all the same */
	if (found && same_record(r, &o) && !(d->prot_differs && protects(r)))
		return 0;
	if (found && d->missing_only)
		return 0;
	int prot = protects(r) || (found && protects(&o));
	const uint8_t *name = r->name;
	size_t len = r->len;
	struct dnsrep_name n;
	if (prot && dnsrep_name_from_wire(&n, r->name, r->len, NULL, 0) == 0) {
		/* its whole registrable domain: whether that domain is protected decides
		 * whether the other names under it can be lookalikes */
		int reg = dnsrep_name_registrable(&n);
		if (reg > 0 && reg < n.len) {
			name = r->name + reg;
			len = (size_t)(n.len - reg);
		}
	}
	if (names_add(prot ? &d->protected_ : &d->plain, name, len) < 0) {
		d->oom = 1;
		return 1;
	}
	return 0;
}

/** Add a list of names to the builder as one feed. */
static int add_feed(struct dnsrep_snapshot_builder *b, const char *feed, int lookalike, const struct names *l)
{
	struct dnsrep_feed_meta fm = { .feed = feed, .category = "delta",
				       .action = DNSREP_ACTION_NXDOMAIN, .lookalike = lookalike,
				       .lookalike_action = DNSREP_ACTION_NXDOMAIN };
	if (l->n == 0)
		return 0;
	if (dnsrep_snapshot_builder_feed_begin(b, &fm) < 0)
		return -1;
	struct dnsrep_entry e;
	memset(&e, 0, sizeof(e));
	e.scope = DNSREP_SCOPE_SUBTREE;
	for (size_t off = 0; off < l->len;) {
		size_t len = l->buf[off++];
		memcpy(e.name.wire, l->buf + off, len);
		e.name.len = (uint8_t)len;
		off += len;
		if (dnsrep_snapshot_builder_add(b, &e) < 0)
			return -1;
	}
	dnsrep_snapshot_builder_feed_commit(b);
	return 0;
}

int dnsrep_delta_build(const struct dnsrep_snapshot *old, const struct dnsrep_snapshot *now,
	const struct dnsrep_lookalike_opts *lo, struct dnsrep_snapshot **out, size_t *changed,
	char *err, size_t errlen)
{
	struct diff d = { .other = old };
	d.prot_differs = old && now && (dnsrep_snapshot_protected(old) > 0) != (dnsrep_snapshot_protected(now) > 0);
	struct dnsrep_snapshot_builder *b = NULL;
	int rc = -1;
	*out = NULL;
	if (now)
		dnsrep_snapshot_each(now, visit, &d);
	if (old && !d.oom) {
		d.other = now;
		d.missing_only = 1;
		dnsrep_snapshot_each(old, visit, &d);
	}
	if (d.oom) {
		snprintf(err, errlen, "out of memory comparing two blocklists");
		goto out;
	}
	if (changed)
		*changed = d.plain.n + d.protected_.n;
	if (d.plain.n + d.protected_.n == 0) {
		rc = 0;
		goto out;
	}
	/* protected names first: a name in both lists keeps the first feed's metadata */
	if (!(b = dnsrep_snapshot_builder_new()) || add_feed(b, "protected", 1, &d.protected_) < 0 ||
	    add_feed(b, "changed", 0, &d.plain) < 0) {
		snprintf(err, errlen, "out of memory building the list of changed names");
		goto out;
	}
	*out = dnsrep_snapshot_builder_finish(b, 0, err, errlen);
	b = NULL;
	if (!*out)
		goto out;
	if (d.protected_.n && dnsrep_snapshot_protect(*out, lo, err, errlen) < 0) {
		dnsrep_snapshot_free(*out);
		*out = NULL;
		goto out;
	}
	rc = 0;
out:
	dnsrep_snapshot_builder_free(b);
	free(d.plain.buf);
	free(d.protected_.buf);
	return rc;
}

int dnsrep_delta_covers(const struct dnsrep_snapshot *delta, const uint8_t *wire, size_t len)
{
	struct dnsrep_match m;
	struct dnsrep_lookalike_hit hit;
	if (dnsrep_snapshot_match(delta, wire, len, &m) < 0)
		return 1; /* malformed: let the full comparison decide */
	if (m.verdict != DNSREP_VERDICT_PASS)
		return 1;
	return dnsrep_snapshot_lookalike(delta, wire, len, &m, &hit);
}
