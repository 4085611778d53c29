/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * report_sort.c — `dnsrepctl report`'s tables sorted for output: feeds, rules,
 * clients, asked names and query types by lookups (most first, then by name,
 * so the order never depends on the hash), hours in time order, each shown
 * client's top rules, and the children of pair tables grouped under their
 * parent (a name's query types; with drill-down a client's names and each
 * (client, name)'s query types), each group sorted the same way.
 */
#include "report.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int cmp_bytes(const char *a, size_t an, const char *b, size_t bn)
{
	int c = memcmp(a, b, an < bn ? an : bn);
	if (c)
		return c;
	return an < bn ? -1 : an > bn;
}

/** Most lookups first; then by name, so the order does not depend on the hash. */
static int cmp_rows(const void *x, const void *y)
{
	const struct sortrow *a = x, *b = y;
	if (a->lookups != b->lookups)
		return a->lookups > b->lookups ? -1 : 1;
	int c = cmp_bytes(a->name, a->len, b->name, b->len);
	if (c)
		return c;
	if (a->name2 && b->name2)
		return cmp_bytes(a->name2, a->len2, b->name2, b->len2);
	return 0;
}

size_t report_shown(const struct report *r, size_t n)
{
	return r->top && r->top < n ? r->top : n;
}

static int cmp_hours(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
	return a < b ? -1 : a > b;
}

/** The rule row of a (client, rule row) pair. */
static const struct rule_stats *pair_row(const struct report *r, uint32_t pair)
{
	return report_keytab_val(&r->rules_t, (uint32_t)r->pairs_t.keys[pair]);
}

/** Whether pair a beats pair b for a client's top rules. */
static int pair_beats(const struct report *r, uint32_t a, uint32_t b)
{
	const struct pair_stats *pa = report_keytab_val(&r->pairs_t, a), *pb = report_keytab_val(&r->pairs_t, b);
	if (pa->lookups != pb->lookups)
		return pa->lookups > pb->lookups;
	const struct rule_stats *ra = pair_row(r, a), *rb = pair_row(r, b);
	const struct strent *na = &r->rulenames_t.ent[ra->rule], *nb = &r->rulenames_t.ent[rb->rule];
	int c = cmp_bytes(na->s, na->len, nb->s, nb->len);
	if (c)
		return c < 0;
	const struct strent *fa = &r->feeds_t.ent[ra->feed], *fb = &r->feeds_t.ent[rb->feed];
	return cmp_bytes(fa->s, fa->len, fb->s, fb->len) < 0;
}

void report_sorted_free(struct sorted *s)
{
	free(s->feeds);
	free(s->rules);
	free(s->clients);
	free(s->hours);
	free(s->hour_ids);
	free(s->client_rules);
	free(s->names);
	free(s->qtypes);
	free(s->name_qtypes.start);
	free(s->name_qtypes.rows);
	free(s->client_names.start);
	free(s->client_names.rows);
	free(s->client_name_qtypes.start);
	free(s->client_name_qtypes.rows);
}

/** A string table's rows with lookups (the value starts with struct counts), sorted. */
static size_t sort_strings(const struct keytab *t, struct sortrow *rows)
{
	size_t n = 0;
	for (uint32_t i = 0; i < t->n; i++) {
		const struct counts *c = report_keytab_val(t, i);
		if (c->lookups)
			rows[n++] = (struct sortrow){ c->lookups, t->ent[i].s, t->ent[i].len, NULL, 0, i };
	}
	qsort(rows, n, sizeof(*rows), cmp_rows);
	return n;
}

/**
 * Group the pairs (parent << 32 | child) of an integer table under their
 * parents (nparents of them), each group sorted by lookups, then by the
 * child's name in the string table children.  -1 when out of memory.
 */
static int group(const struct keytab *pairs, size_t nparents, const struct keytab *children, struct groups *g)
{
	g->start = calloc(nparents + 2, sizeof(*g->start));
	g->rows = calloc(pairs->n + 1, sizeof(*g->rows));
	if (!g->start || !g->rows)
		return -1;
	for (uint32_t p = 0; p < pairs->n; p++)
		g->start[(pairs->keys[p] >> 32) + 2]++;
	for (size_t i = 2; i < nparents + 2; i++)
		g->start[i] += g->start[i - 1];
	/* start[parent + 1] is the next free row of parent; afterwards its end */
	for (uint32_t p = 0; p < pairs->n; p++) {
		uint32_t child = (uint32_t)pairs->keys[p];
		const struct strent *e = &children->ent[child];
		const struct pair_stats *ps = report_keytab_val(pairs, p);
		g->rows[g->start[(pairs->keys[p] >> 32) + 1]++] = (struct sortrow){ ps->lookups, e->s, e->len, NULL, 0, p };
	}
	for (size_t i = 0; i < nparents; i++)
		if (g->start[i + 1] - g->start[i] > 1)
			qsort(g->rows + g->start[i], g->start[i + 1] - g->start[i], sizeof(*g->rows), cmp_rows);
	return 0;
}

/** The rows of the feeds, rules and clients tables, sorted; and the feeds' rule counts. */
static void sort_rows(struct report *r, struct sorted *s)
{
	for (uint32_t i = 0; i < r->rules_t.n; i++) {
		struct rule_stats *row = report_keytab_val(&r->rules_t, i);
		const struct strent *rn = &r->rulenames_t.ent[row->rule], *fn = &r->feeds_t.ent[row->feed];
		s->rules[s->n_rules++] = (struct sortrow){ row->c.lookups, rn->s, rn->len, fn->s, fn->len, i };
		((struct feed_stats *)report_keytab_val(&r->feeds_t, row->feed))->rules++;
	}
	for (uint32_t i = 0; i < r->feeds_t.n; i++) {
		const struct feed_stats *f = report_keytab_val(&r->feeds_t, i);
		if (f->c.lookups)
			s->feeds[s->n_feeds++] = (struct sortrow){ f->c.lookups, r->feeds_t.ent[i].s,
				r->feeds_t.ent[i].len, NULL, 0, i };
	}
	for (uint32_t i = 0; i < r->clients_t.n; i++) {
		const struct client_stats *c = report_keytab_val(&r->clients_t, i);
		if (c->c.lookups)
			s->clients[s->n_clients++] = (struct sortrow){ c->c.lookups, r->clients_t.ent[i].s,
				r->clients_t.ent[i].len, NULL, 0, i };
	}
	qsort(s->feeds, s->n_feeds, sizeof(*s->feeds), cmp_rows);
	qsort(s->rules, s->n_rules, sizeof(*s->rules), cmp_rows);
	qsort(s->clients, s->n_clients, sizeof(*s->clients), cmp_rows);
}

/** The hours in order, with their ids. */
static void sort_hours(struct report *r, struct sorted *s)
{
	size_t nh = r->hours_t.n;
	for (uint32_t i = 0; i < nh; i++)
		s->hours[i] = (int64_t)r->hours_t.keys[i];
	qsort(s->hours, nh, sizeof(*s->hours), cmp_hours);
	for (size_t i = 0; i < nh; i++) {
		int isnew;
		report_keytab_key(&r->hours_t, (uint64_t)s->hours[i], &s->hour_ids[i], &isnew);
	}
	s->n_hours = nh;
}

/** The shown clients' top rules: one pass over the (client, rule) pairs.  -1 when out of memory. */
static int find_client_rules(struct report *r, struct sorted *s)
{
	size_t ncs = report_shown(r, s->n_clients);
	s->client_rules = malloc((ncs + 1) * REPORT_CLIENT_RULES * sizeof(*s->client_rules));
	if (!s->client_rules)
		return -1;
	memset(s->client_rules, 0xff, (ncs + 1) * REPORT_CLIENT_RULES * sizeof(*s->client_rules));
	for (size_t i = 0; i < ncs; i++)
		((struct client_stats *)report_keytab_val(&r->clients_t, s->clients[i].id))->top = (int32_t)i + 1;
	for (uint32_t p = 0; p < r->pairs_t.n; p++) {
		uint32_t cid = (uint32_t)(r->pairs_t.keys[p] >> 32);
		const struct client_stats *c = report_keytab_val(&r->clients_t, cid);
		if (!c->top)
			continue;
		uint32_t *top = s->client_rules + (size_t)(c->top - 1) * REPORT_CLIENT_RULES;
		/* insertion into a short sorted list */
		uint32_t cur = p;
		for (int k = 0; k < REPORT_CLIENT_RULES; k++) {
			if (top[k] == UINT32_MAX) {
				top[k] = cur;
				break;
			}
			if (pair_beats(r, cur, top[k])) {
				uint32_t t = top[k];
				top[k] = cur;
				cur = t;
			}
		}
	}
	return 0;
}

int report_sort(struct report *r, struct sorted *s)
{
	memset(s, 0, sizeof(*s));
	size_t nf = r->feeds_t.n, nr = r->rules_t.n, nc = r->clients_t.n, nh = r->hours_t.n;
	s->feeds = calloc(nf + 1, sizeof(*s->feeds));
	s->rules = calloc(nr + 1, sizeof(*s->rules));
	s->clients = calloc(nc + 1, sizeof(*s->clients));
	s->hours = calloc(nh + 1, sizeof(*s->hours));
	s->hour_ids = calloc(nh + 1, sizeof(*s->hour_ids));
	s->names = calloc(r->qnames_t.n + 1, sizeof(*s->names));
	s->qtypes = calloc(r->qtypes_t.n + 1, sizeof(*s->qtypes));
	if (!s->feeds || !s->rules || !s->clients || !s->hours || !s->hour_ids || !s->names || !s->qtypes)
		return -1;
	sort_rows(r, s);
	sort_hours(r, s);
	s->n_names = sort_strings(&r->qnames_t, s->names);
	s->n_qtypes = sort_strings(&r->qtypes_t, s->qtypes);
	if (group(&r->name_qtypes_t, r->qnames_t.n, &r->qtypes_t, &s->name_qtypes) < 0)
		return -1;
	/* the drill-down's groups: empty without it */
	if (r->drilldown &&
	    (group(&r->client_names_t, r->clients_t.n, &r->qnames_t, &s->client_names) < 0 ||
	     group(&r->client_name_qtypes_t, r->client_names_t.n, &r->qtypes_t, &s->client_name_qtypes) < 0))
		return -1;
	return find_client_rules(r, s);
}

int report_top_rule(const struct report *r, const struct sorted *s, size_t i, int k, struct top_rule *tr)
{
	uint32_t p = s->client_rules[i * REPORT_CLIENT_RULES + (size_t)k];
	if (p == UINT32_MAX)
		return 0;
	const struct rule_stats *row = pair_row(r, p);
	tr->rule = &r->rulenames_t.ent[row->rule];
	tr->feed = &r->feeds_t.ent[row->feed];
	tr->lookups = ((const struct pair_stats *)report_keytab_val(&r->pairs_t, p))->lookups;
	return 1;
}
