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
static void json_strs(struct dnsrep_buf *b, const char *const *s, size_t n)
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
	json_time(b, "since", r->has_since, r->since);
	dnsrep_buf_puts(b, ",\"client\":");
	json_strs(b, r->client_filter_text, r->n_client_filters);
	dnsrep_buf_puts(b, ",\"rule\":");
	json_strs(b, r->rule_filter, r->n_rule_filters);
	dnsrep_buf_puts(b, "}");
}

static void json_totals(const struct report *r, const struct sorted *s, struct dnsrep_buf *b)
{
	const struct json_kv head[] = {
		{ "lookups", r->lookups }, { "blocked", report_blocked(r) },
		{ "log_only", r->actions[A_LOGONLY] }, { "exempt", r->actions[A_EXEMPT] },
	};
	const struct json_kv tail[] = {
		{ "clients", r->clients }, { "rules", r->rules }, { "feeds", s->n_feeds },
		{ "drops", r->drops }, { "drop_events", r->drop_events },
		{ "other_events", r->other_events }, { "damaged", r->damaged },
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
	json_totals(r, s, b);
	dnsrep_buf_puts(b, ",");
	json_feeds(r, s, b);
	dnsrep_buf_puts(b, ",");
	json_rules(r, s, b);
	dnsrep_buf_puts(b, ",");
	json_clients(r, s, b);
	dnsrep_buf_puts(b, ",");
	json_hours(r, s, b);
	dnsrep_buf_puts(b, "}\n");
}
