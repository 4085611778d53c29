/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * report_json.c — `dnsrepctl report --json`: the report as one JSON object on
 * one line (its shape is documented in report.c's usage text).
 *
 * Times are RFC 3339 with milliseconds ("2026-11-21T11:09:00.123Z", null when
 * there is none); strings from the log go through dnsrep_json_str, which
 * escapes whatever they hold.
 */
#include "report.h"
#include "dnsrep/json.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/** A key and its number. */
struct json_kv {
	const char *key;
	uint64_t v;
};

static void json_num(struct dnsrep_buf *b, const char *key, uint64_t v)
{
	char num[64];
	snprintf(num, sizeof(num), "\"%s\":%" PRIu64, key, v);
	dnsrep_buf_puts(b, num);
}

/** n "key":number members, comma-separated. */
static void json_nums(struct dnsrep_buf *b, const struct json_kv *kv, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i)
			dnsrep_buf_puts(b, ",");
		json_num(b, kv[i].key, kv[i].v);
	}
}

static void json_time(struct dnsrep_buf *b, const char *key, int has, int64_t ms)
{
	char when[40];
	if (has)
		report_format_time(ms, 1, when, sizeof(when));
	dnsrep_json_kv(b, key, has ? when : NULL);
}

/** "first" and "last" members, null without a span. */
static void json_span(struct dnsrep_buf *b, int has, int64_t first, int64_t last)
{
	json_time(b, "first", has, first);
	dnsrep_buf_puts(b, ",");
	json_time(b, "last", has, last);
}

/** COUNTS: lookups, blocked, log_only, exempt, first, last. */
static void json_counts(struct dnsrep_buf *b, const struct counts *c)
{
	const struct json_kv kv[] = {
		{ "lookups", c->lookups }, { "blocked", c->blocked },
		{ "log_only", c->logonly }, { "exempt", c->exempt },
	};
	json_nums(b, kv, sizeof(kv) / sizeof(kv[0]));
	dnsrep_buf_puts(b, ",");
	json_span(b, 1, c->first, c->last);
}

/** A JSON array of n strings. */
static void json_strs(struct dnsrep_buf *b, char *const *s, size_t n)
{
	dnsrep_buf_puts(b, "[");
	for (size_t i = 0; i < n; i++) {
		if (i)
			dnsrep_buf_puts(b, ",");
		dnsrep_json_str(b, s[i], strlen(s[i]));
	}
	dnsrep_buf_puts(b, "]");
}

/** Open the i-th object of an array (a comma before all but the first) with "key": name. */
static void json_open(struct dnsrep_buf *b, size_t i, const char *key, const char *name, size_t len)
{
	dnsrep_buf_puts(b, i ? ",{\"" : "{\"");
	dnsrep_buf_puts(b, key);
	dnsrep_buf_puts(b, "\":");
	dnsrep_json_str(b, name, len);
}

static void json_filters(const struct report *r, struct dnsrep_buf *b)
{
	dnsrep_buf_puts(b, "\"filters\":{");
	struct filter_view v[REPORT_N_FILTERS];
	json_time(b, "since", r->has_since, r->since);
	report_filter_views(r, v);
	for (int k = 0; k < REPORT_N_FILTERS; k++) {
		dnsrep_buf_puts(b, ",\"");
		dnsrep_buf_puts(b, v[k].name);
		dnsrep_buf_puts(b, "\":");
		json_strs(b, v[k].f->v, v[k].f->n);
	}
	dnsrep_buf_puts(b, "}");
}

static void json_files(const struct report *r, struct dnsrep_buf *b)
{
	static const char *const status[] = { "read", "skipped", "unreadable", "missing" };
	dnsrep_buf_puts(b, "\"files\":[");
	for (size_t i = 0; i < r->n_files; i++) {
		json_open(b, i, "path", r->files[i].path, strlen(r->files[i].path));
		dnsrep_buf_puts(b, ",");
		dnsrep_json_kv(b, "status", status[r->files[i].status]);
		dnsrep_buf_puts(b, "}");
	}
	dnsrep_buf_puts(b, "]");
}

static void json_totals(const struct report *r, const struct sorted *s, struct dnsrep_buf *b)
{
	const struct json_kv head[] = {
		{ "lookups", r->lookups }, { "blocked", report_blocked(r) },
		{ "log_only", r->actions[A_LOGONLY] }, { "exempt", r->actions[A_EXEMPT] },
	};
	const struct json_kv tail[] = {
		{ "clients", r->clients }, { "rules", r->rules }, { "feeds", s->n_feeds },
		{ "names", s->n_names }, { "qtypes", s->n_qtypes },
		{ "drops", r->drops }, { "drop_events", r->drop_events },
		{ "other_events", r->other_events }, { "damaged", r->damaged }, { "partial", r->partial },
		{ "filtered", r->filtered }, { "lines", r->lines }, { "files_read", r->files_read },
		{ "files_unreadable", r->files_unreadable },
	};
	dnsrep_buf_puts(b, "\"totals\":{");
	json_nums(b, head, sizeof(head) / sizeof(head[0]));
	dnsrep_buf_puts(b, ",\"actions\":{");
	for (int k = 0; k < A_N; k++) {
		if (k)
			dnsrep_buf_puts(b, ",");
		json_num(b, report_action_names[k], r->actions[k]);
	}
	dnsrep_buf_puts(b, "},");
	json_nums(b, tail, sizeof(tail) / sizeof(tail[0]));
	dnsrep_buf_puts(b, ",");
	json_span(b, r->has_span, r->first, r->last);
	dnsrep_buf_puts(b, "}");
}

static void json_feeds(const struct report *r, const struct sorted *s, struct dnsrep_buf *b)
{
	dnsrep_buf_puts(b, "\"feeds\":[");
	for (size_t i = 0; i < report_shown(r, s->n_feeds); i++) {
		const struct feed_stats *f = report_keytab_val(&r->feeds_t, s->feeds[i].id);
		json_open(b, i, "feed", s->feeds[i].name, s->feeds[i].len);
		dnsrep_buf_puts(b, ",");
		json_counts(b, &f->c);
		dnsrep_buf_puts(b, ",");
		json_num(b, "rules", f->rules);
		dnsrep_buf_puts(b, "}");
	}
	dnsrep_buf_puts(b, "]");
}

static void json_rules(const struct report *r, const struct sorted *s, struct dnsrep_buf *b)
{
	dnsrep_buf_puts(b, "\"rules\":[");
	for (size_t i = 0; i < report_shown(r, s->n_rules); i++) {
		const struct rule_stats *row = report_keytab_val(&r->rules_t, s->rules[i].id);
		const struct strent *cat = &r->categories_t.ent[row->category];
		json_open(b, i, "rule", s->rules[i].name, s->rules[i].len);
		dnsrep_buf_puts(b, ",\"feed\":");
		dnsrep_json_str(b, s->rules[i].name2, s->rules[i].len2);
		dnsrep_buf_puts(b, ",\"category\":");
		dnsrep_json_str(b, cat->s, cat->len);
		dnsrep_buf_puts(b, ",");
		json_counts(b, &row->c);
		dnsrep_buf_puts(b, ",");
		json_num(b, "clients", row->clients);
		dnsrep_buf_puts(b, "}");
	}
	dnsrep_buf_puts(b, "]");
}

/** The i-th shown client's "top_rules" array. */
static void json_top_rules(const struct report *r, const struct sorted *s, size_t i, struct dnsrep_buf *b)
{
	struct top_rule tr;
	dnsrep_buf_puts(b, "\"top_rules\":[");
	for (int k = 0; k < REPORT_CLIENT_RULES && report_top_rule(r, s, i, k, &tr); k++) {
		json_open(b, (size_t)k, "rule", tr.rule->s, tr.rule->len);
		dnsrep_buf_puts(b, ",\"feed\":");
		dnsrep_json_str(b, tr.feed->s, tr.feed->len);
		dnsrep_buf_puts(b, ",");
		json_num(b, "lookups", tr.lookups);
		dnsrep_buf_puts(b, "}");
	}
	dnsrep_buf_puts(b, "]");
}

static void json_clients(const struct report *r, const struct sorted *s, struct dnsrep_buf *b)
{
	dnsrep_buf_puts(b, "\"clients\":[");
	for (size_t i = 0; i < report_shown(r, s->n_clients); i++) {
		const struct client_stats *c = report_keytab_val(&r->clients_t, s->clients[i].id);
		json_open(b, i, "client", s->clients[i].name, s->clients[i].len);
		dnsrep_buf_puts(b, ",");
		json_counts(b, &c->c);
		dnsrep_buf_puts(b, ",");
		json_num(b, "rules", c->rules);
		dnsrep_buf_puts(b, ",");
		json_top_rules(r, s, i, b);
		dnsrep_buf_puts(b, "}");
	}
	dnsrep_buf_puts(b, "]");
}

/** A parent's query types as {"A": 3, "MX": 1}. */
static void json_qtypes_of(const struct groups *g, uint32_t parent, struct dnsrep_buf *b)
{
	dnsrep_buf_puts(b, "\"qtypes\":{");
	for (size_t i = g->start[parent]; i < g->start[parent + 1]; i++) {
		if (i > g->start[parent])
			dnsrep_buf_puts(b, ",");
		dnsrep_json_str(b, g->rows[i].name, g->rows[i].len);
		char num[32];
		snprintf(num, sizeof(num), ":%" PRIu64, g->rows[i].lookups);
		dnsrep_buf_puts(b, num);
	}
	dnsrep_buf_puts(b, "}");
}

static void json_names(const struct report *r, const struct sorted *s, struct dnsrep_buf *b)
{
	dnsrep_buf_puts(b, "\"names\":[");
	for (size_t i = 0; i < report_shown(r, s->n_names); i++) {
		const struct qname_stats *q = report_keytab_val(&r->qnames_t, s->names[i].id);
		const struct strent *rule = &r->rulenames_t.ent[q->rule], *feed = &r->feeds_t.ent[q->feed];
		const struct strent *tech = &r->techniques_t.ent[q->technique];
		json_open(b, i, "qname", s->names[i].name, s->names[i].len);
		dnsrep_buf_puts(b, ",");
		json_counts(b, &q->c);
		dnsrep_buf_puts(b, ",");
		json_num(b, "clients", q->clients);
		dnsrep_buf_puts(b, ",");
		json_qtypes_of(&s->name_qtypes, s->names[i].id, b);
		dnsrep_buf_puts(b, ",");
		dnsrep_json_kv(b, "match", report_match_names[q->match]);
		dnsrep_buf_puts(b, ",\"rule\":");
		dnsrep_json_str(b, rule->s, rule->len);
		dnsrep_buf_puts(b, ",\"feed\":");
		dnsrep_json_str(b, feed->s, feed->len);
		dnsrep_buf_puts(b, ",\"technique\":");
		if (tech->len == 1 && tech->s[0] == '-')
			dnsrep_buf_puts(b, "null");
		else
			dnsrep_json_str(b, tech->s, tech->len);
		dnsrep_buf_puts(b, "}");
	}
	dnsrep_buf_puts(b, "]");
}

static void json_qtypes(const struct report *r, const struct sorted *s, struct dnsrep_buf *b)
{
	dnsrep_buf_puts(b, "\"qtypes\":[");
	for (size_t i = 0; i < report_shown(r, s->n_qtypes); i++) {
		const struct qtype_stats *q = report_keytab_val(&r->qtypes_t, s->qtypes[i].id);
		json_open(b, i, "qtype", s->qtypes[i].name, s->qtypes[i].len);
		dnsrep_buf_puts(b, ",");
		json_counts(b, &q->c);
		dnsrep_buf_puts(b, "}");
	}
	dnsrep_buf_puts(b, "]");
}

/** The drill-down: each shown client, its --top names, their query types. */
static void json_by_client(const struct report *r, const struct sorted *s, struct dnsrep_buf *b)
{
	dnsrep_buf_puts(b, "\"by_client\":[");
	for (size_t i = 0; r->drilldown && i < report_shown(r, s->n_clients); i++) {
		uint32_t cid = s->clients[i].id;
		const struct groups *g = &s->client_names;
		size_t first = g->start[cid], n = report_shown(r, g->start[cid + 1] - first);
		json_open(b, i, "client", s->clients[i].name, s->clients[i].len);
		dnsrep_buf_puts(b, ",");
		json_num(b, "lookups", s->clients[i].lookups);
		dnsrep_buf_puts(b, ",\"names\":[");
		for (size_t k = first; k < first + n; k++) {
			json_open(b, k - first, "qname", g->rows[k].name, g->rows[k].len);
			dnsrep_buf_puts(b, ",");
			json_num(b, "lookups", g->rows[k].lookups);
			dnsrep_buf_puts(b, ",");
			json_qtypes_of(&s->client_name_qtypes, g->rows[k].id, b);
			dnsrep_buf_puts(b, "}");
		}
		dnsrep_buf_puts(b, "]}");
	}
	dnsrep_buf_puts(b, "]");
}

static void json_hours(const struct report *r, const struct sorted *s, struct dnsrep_buf *b)
{
	char hour[40];
	dnsrep_buf_puts(b, "\"hours\":[");
	for (size_t i = 0; i < s->n_hours; i++) {
		const struct hour_stats *h = report_keytab_val(&r->hours_t, s->hour_ids[i]);
		const struct json_kv kv[] = { { "lookups", h->lookups }, { "blocked", h->blocked } };
		report_format_hour(s->hours[i], hour, sizeof(hour));
		dnsrep_buf_puts(b, i ? ",{" : "{");
		dnsrep_json_kv(b, "hour", hour);
		dnsrep_buf_puts(b, ",");
		json_nums(b, kv, 2);
		dnsrep_buf_puts(b, "}");
	}
	dnsrep_buf_puts(b, "]");
}

void report_print_json(const struct report *r, const struct sorted *s, struct dnsrep_buf *b)
{
	dnsrep_buf_puts(b, "{");
	json_filters(r, b);
	dnsrep_buf_puts(b, ",");
	json_files(r, b);
	dnsrep_buf_puts(b, ",");
	json_totals(r, s, b);
	dnsrep_buf_puts(b, ",");
	json_feeds(r, s, b);
	dnsrep_buf_puts(b, ",");
	json_rules(r, s, b);
	dnsrep_buf_puts(b, ",");
	json_clients(r, s, b);
	dnsrep_buf_puts(b, ",");
	json_names(r, s, b);
	dnsrep_buf_puts(b, ",");
	json_qtypes(r, s, b);
	dnsrep_buf_puts(b, ",");
	json_by_client(r, s, b);
	dnsrep_buf_puts(b, ",");
	json_hours(r, s, b);
	dnsrep_buf_puts(b, "}\n");
}
