/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * load.c — load one feed into a snapshot builder, all or nothing (see dnsrep/load.h).
 */
#include "dnsrep/load.h"
#include "set.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/** The largest feed file read. */
#define MAX_FEED_FILE ((size_t)1 << 30)

void dnsrep_load_from_config(struct dnsrep_load *l, const struct dnsrep_feed_config *f)
{
	memset(l, 0, sizeof(*l));
	l->meta.feed = f->name;
	l->meta.category = f->category;
	l->meta.reason = f->reason;
	l->meta.action = f->action;
	l->meta.lookalike = f->lookalike;
	l->meta.lookalike_action = f->lookalike_action;
	l->meta.lookalike_tuning = f->lookalike_tuning;
	dnsrep_feed_opts_init(&l->opts, f->name);
	l->opts.format = f->format;
	l->opts.max_reject_share = f->max_rejected;
	l->opts.allow_public_suffix = f->allow_public_suffix;
	l->opts.wildcard_below = f->wildcard_below;
}

/** Passes entries on to the builder (made allow entries when asked), rejects to the caller. */
struct relay {
	struct dnsrep_snapshot_builder *b;
	const struct dnsrep_load *l;
};

static int relay_entry(void *ctx, const struct dnsrep_entry *e)
{
	struct relay *r = ctx;
	if (!r->l->force_allow || e->allow)
		return dnsrep_snapshot_builder_add(r->b, e);
	struct dnsrep_entry copy = *e;
	copy.allow = 1;
	return dnsrep_snapshot_builder_add(r->b, &copy);
}

static void relay_reject(void *ctx, const char *feed, unsigned line, const char *reason)
{
	struct relay *r = ctx;
	if (r->l->on_reject)
		r->l->on_reject(r->l->ctx, feed, line, reason);
}

int dnsrep_load_data(struct dnsrep_snapshot_builder *b, const struct dnsrep_load *l, const char *data,
	size_t len, struct dnsrep_feed_stats *stats, char *err, size_t errlen)
{
	if (dnsrep_snapshot_builder_feed_begin(b, &l->meta) < 0) {
		snprintf(err, errlen, "feed %s: out of memory", l->meta.feed);
		return -1;
	}
	struct relay r = { b, l };
	if (dnsrep_feed_parse(&l->opts, data, len, relay_entry, relay_reject, &r, stats,
			      err, errlen) < 0) {
		dnsrep_snapshot_builder_feed_rollback(b);
		return -1;
	}
	dnsrep_snapshot_builder_feed_commit(b);
	return 0;
}

/** Carrying one feed's entries over from a snapshot. */
struct carry {
	struct dnsrep_snapshot_builder *b;
	const char *feed;
	unsigned entries;
	int failed;
};

/** Add an entry for the part of a record that meta (the feed's) decides. */
static int carry_add(struct carry *c, const struct dnsrep_record *rec, unsigned scope, int allow,
	const struct dnsrep_meta *m)
{
	struct dnsrep_entry e;
	memset(&e, 0, sizeof(e));
	if (dnsrep_name_from_wire(&e.name, rec->name, rec->len, NULL, 0) < 0)
		return 0; /* cannot happen for a snapshot's own name: skip it */
	e.scope = scope;
	e.allow = allow;
	e.category = m->category;
	e.reason = m->reason[0] ? m->reason : NULL;
	e.date = m->date[0] ? m->date : NULL;
	e.source = m->source[0] ? m->source : NULL;
	e.action = m->action; /* a record's own (RPZ); the feed's own action overrides it */
	if (dnsrep_snapshot_builder_add(c->b, &e) < 0) {
		c->failed = 1;
		return -1;
	}
	c->entries++;
	return 0;
}

static int carry_record(void *ctx, const struct dnsrep_record *rec)
{
	struct carry *c = ctx;
	unsigned block = 0, allow = 0;
	const struct dnsrep_meta *bm = NULL;
	if ((rec->flags & DNSREP_REC_BLOCK_SELF) && strcmp(rec->self.feed, c->feed) == 0) {
		block |= DNSREP_SCOPE_SELF;
		bm = &rec->self;
	}
	if ((rec->flags & DNSREP_REC_BLOCK_BELOW) && strcmp(rec->below.feed, c->feed) == 0) {
		block |= DNSREP_SCOPE_BELOW;
		bm = bm ? bm : &rec->below;
	}
	if ((rec->flags & (DNSREP_REC_ALLOW_SELF | DNSREP_REC_ALLOW_BELOW)) &&
	    strcmp(rec->allow.feed, c->feed) == 0)
		allow = (rec->flags & DNSREP_REC_ALLOW_SELF ? DNSREP_SCOPE_SELF : 0) |
			(rec->flags & DNSREP_REC_ALLOW_BELOW ? DNSREP_SCOPE_BELOW : 0);
	if (block && carry_add(c, rec, block, 0, bm) < 0)
		return 1;
	if (allow && carry_add(c, rec, allow, 1, &rec->allow) < 0)
		return 1;
	return 0;
}

int dnsrep_load_carry(struct dnsrep_snapshot_builder *b, const struct dnsrep_load *l,
	const struct dnsrep_snapshot *from, unsigned *entries, char *err, size_t errlen)
{
	*entries = 0;
	if (dnsrep_snapshot_builder_feed_begin(b, &l->meta) < 0) {
		snprintf(err, errlen, "feed %s: out of memory", l->meta.feed);
		return -1;
	}
	struct carry c = { b, l->meta.feed, 0, 0 };
	dnsrep_snapshot_each(from, carry_record, &c);
	if (c.failed) {
		dnsrep_snapshot_builder_feed_rollback(b);
		snprintf(err, errlen, "feed %s: out of memory carrying its entries over", l->meta.feed);
		return -1;
	}
	dnsrep_snapshot_builder_feed_commit(b);
	*entries = c.entries;
	return 0;
}

int dnsrep_load_file(struct dnsrep_snapshot_builder *b, const struct dnsrep_load *l, const char *path,
	struct dnsrep_feed_stats *stats, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "feed %s: cannot open %s: %s", l->meta.feed, path, strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(fileno(f), &st) < 0 || !S_ISREG(st.st_mode)) {
		fclose(f);
		snprintf(err, errlen, "feed %s: %s is not a regular file", l->meta.feed, path);
		return -1;
	}
	if ((size_t)st.st_size > MAX_FEED_FILE) {
		fclose(f);
		snprintf(err, errlen, "feed %s: %s is larger than 1 GiB", l->meta.feed, path);
		return -1;
	}
	size_t size = (size_t)st.st_size;
	char *data = malloc(size + 1);
	if (!data) {
		fclose(f);
		snprintf(err, errlen, "feed %s: out of memory reading %s", l->meta.feed, path);
		return -1;
	}
	size_t got = fread(data, 1, size, f);
	int bad = ferror(f);
	fclose(f);
	if (bad || got != size) {
		free(data);
		snprintf(err, errlen, "feed %s: cannot read %s", l->meta.feed, path);
		return -1;
	}
	data[size] = 0;
	int rc = dnsrep_load_data(b, l, data, size, stats, err, errlen);
	free(data);
	return rc;
}

const char *dnsrep_load_local_path(const char *source)
{
	if (strncmp(source, "file://", 7) == 0 && source[7] == '/')
		return source + 7;
	return NULL;
}

void dnsrep_load_lookalike_opts(struct dnsrep_lookalike_opts *o, const struct dnsrep_config *cfg)
{
	dnsrep_lookalike_opts_init(o);
	o->min_len = cfg->lookalike_min_length;
	o->two_edits = cfg->lookalike_two_edits;
	if (cfg->n_lookalike_affixes) {
		o->affixes = (const char *const *)cfg->lookalike_affixes;
		o->n_affixes = cfg->n_lookalike_affixes;
	}
}
