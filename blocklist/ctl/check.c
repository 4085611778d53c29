/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * check.c — `dnsrepctl check`: what the resolver would do with names, and why.
 *
 *   dnsrepctl check [--config FILE] [--feed FILE]... [--allow FILE]... [--protect FILE]...
 *                   [--json] NAME...
 *
 * Builds a snapshot exactly as the resolver does (same parser, same builder, same
 * matcher) from the feeds of dnsrep.conf (local file:// sources) and/or feed
 * files named on the command line, then judges each name: block, log (a
 * log-only feed), allow, pass, or error (an invalid name; the others are still
 * judged).  NAME "-" reads names from standard input, one per line.
 */
#include "dnsrep_config.h"
#include "dnsrep/config.h"
#include "dnsrep/json.h"
#include "dnsrep/load.h"
#include "dnsrep/name.h"
#include "dnsrep/snapshot.h"
#include "ctl.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/** Rejected lines printed per feed before only counting them. */
#define MAX_REJECTS_SHOWN 20

struct check {
	struct dnsrep_config *cfg;  /**< dnsrep.conf, or defaults */
	struct dnsrep_snapshot *snap;
	int json;
	unsigned rejects_shown;     /**< for the feed being loaded */
	unsigned rejects;
	struct dnsrep_buf out;
};

static void on_reject(void *ctx, const char *feed, unsigned line, const char *reason)
{
	struct check *c = ctx;
	c->rejects++;
	if (c->rejects_shown++ < MAX_REJECTS_SHOWN)
		fprintf(stderr, "dnsrepctl: %s:%u: %s\n", feed, line, reason);
}

/** The file name without directories and extension, as the feed name of a --feed/--allow file. */
static const char *feed_name_of(const char *path, char *buf, size_t buflen)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash && slash[1] ? slash + 1 : path;
	snprintf(buf, buflen, "%s", base);
	char *dot = strrchr(buf, '.');
	if (dot && dot != buf)
		*dot = 0;
	return buf;
}

/** Load one feed file; prints the outcome; returns 0 or -1. */
static int load_one(struct check *c, struct dnsrep_snapshot_builder *b, struct dnsrep_load *l, const char *path)
{
	struct dnsrep_feed_stats st;
	char err[DNSREP_ERRLEN];
	l->on_reject = on_reject;
	l->ctx = c;
	c->rejects_shown = 0;
	if (dnsrep_load_file(b, l, path, &st, err, sizeof(err)) < 0) {
		fprintf(stderr, "dnsrepctl: %s\n", err);
		return -1;
	}
	if (st.rejected > MAX_REJECTS_SHOWN)
		fprintf(stderr, "dnsrepctl: %s: %u more rejected lines not shown\n", l->meta.feed,
			st.rejected - MAX_REJECTS_SHOWN);
	fprintf(stderr, "dnsrepctl: feed %s: %s, %u entries (%u allow), %u lines rejected",
		l->meta.feed, dnsrep_format_name(st.format), st.entries, st.allows, st.rejected);
	if (st.overridden)
		fprintf(stderr, ", %u rules overridden by others ($badfilter, exceptions, "
			"$important)", st.overridden);
	fputc('\n', stderr);
	return 0;
}

/** The action a match gets: a lookalike's is its feed's lookalike-action. */
static enum dnsrep_action action_of(const struct check *c, const struct dnsrep_match *m)
{
	if (m->kind == DNSREP_MATCH_LOOKALIKE)
		return m->meta.lookalike_action;
	return dnsrep_config_action(c->cfg, m->meta.feed, m->meta.action, m->meta.category);
}

/** The verdict word for a match. */
static const char *verdict_word(const struct check *c, const struct dnsrep_match *m)
{
	switch (m->verdict) {
	case DNSREP_VERDICT_ALLOW:
		return "allow";
	case DNSREP_VERDICT_BLOCK:
		return action_of(c, m) == DNSREP_ACTION_LOG_ONLY ? "log" : "block";
	default:
		return "pass";
	}
}

static const char *match_word(const struct dnsrep_match *m)
{
	if (m->verdict == DNSREP_VERDICT_ALLOW)
		return "allowlist";
	if (m->kind == DNSREP_MATCH_EXACT)
		return "exact";
	if (m->kind == DNSREP_MATCH_SUBDOMAIN)
		return "subdomain";
	if (m->kind == DNSREP_MATCH_LOOKALIKE)
		return "lookalike";
	return NULL;
}

static const char *empty_null(const char *s)
{
	return s && *s ? s : NULL;
}

/** Judge one name and append its line of output. */
static void judge(struct check *c, const char *text, size_t len)
{
	struct dnsrep_name n;
	struct dnsrep_match m;
	char err[DNSREP_ERRLEN], rule[DNSREP_NAME_MAXTEXT];
	struct dnsrep_buf *o = &c->out;
	struct dnsrep_lookalike_hit hit = { 0 };
	int bad = dnsrep_name_from_text(&n, text, len, err, sizeof(err)) < 0;
	if (!bad && dnsrep_snapshot_match(c->snap, n.wire, n.len, &m) == 0 &&
	    m.verdict == DNSREP_VERDICT_PASS)
		dnsrep_snapshot_lookalike(c->snap, n.wire, n.len, &m, &hit);
	if (!bad && m.rule)
		dnsrep_name_to_text(m.rule, rule, sizeof(rule));

	if (c->json) {
		dnsrep_buf_puts(o, "{\"name\":");
		dnsrep_json_str(o, text, len);
		if (bad) {
			dnsrep_buf_puts(o, ",\"verdict\":\"error\",\"match\":null,\"rule\":null,"
					   "\"feed\":null,\"category\":null,");
			dnsrep_json_kv(o, "reason", err);
			dnsrep_buf_puts(o, "}\n");
			return;
		}
		int found = m.verdict != DNSREP_VERDICT_PASS;
		enum dnsrep_action a = found ? action_of(c, &m) : c->cfg->action;
		dnsrep_buf_puts(o, ",");
		dnsrep_json_kv(o, "verdict", verdict_word(c, &m));
		dnsrep_buf_puts(o, ",");
		dnsrep_json_kv(o, "match", match_word(&m));
		dnsrep_buf_puts(o, ",");
		dnsrep_json_kv(o, "rule", found ? rule : NULL);
		dnsrep_buf_puts(o, ",");
		dnsrep_json_kv(o, "feed", found ? m.meta.feed : NULL);
		dnsrep_buf_puts(o, ",");
		dnsrep_json_kv(o, "category", found ? m.meta.category : NULL);
		dnsrep_buf_puts(o, ",");
		dnsrep_json_kv(o, "reason", found ? empty_null(m.meta.reason) : NULL);
		dnsrep_buf_puts(o, ",");
		dnsrep_json_kv(o, "date", found ? empty_null(m.meta.date) : NULL);
		dnsrep_buf_puts(o, ",");
		dnsrep_json_kv(o, "source", found ? empty_null(m.meta.source) : NULL);
		dnsrep_buf_puts(o, ",");
		dnsrep_json_kv(o, "action", m.verdict == DNSREP_VERDICT_BLOCK ? dnsrep_action_name(a) : NULL);
		if (m.kind == DNSREP_MATCH_LOOKALIKE) {
			char d[32];
			dnsrep_buf_puts(o, ",");
			dnsrep_json_kv(o, "technique", dnsrep_lookalike_technique_name(hit.technique));
			snprintf(d, sizeof(d), ",\"distance\":%u", hit.distance);
			dnsrep_buf_puts(o, d);
		}
		dnsrep_buf_puts(o, "}\n");
		return;
	}
	/* text: every piece of text from the input or a feed goes through ctl_put_clean(),
	 * so no control byte reaches the terminal, and the line is built in a
	 * growing buffer, so a long reason is never cut before its newline */
	ctl_put_clean(o, text, len);
	if (bad) {
		dnsrep_buf_puts(o, ": error: ");
		ctl_put_clean(o, err, strlen(err));
	} else if (m.verdict == DNSREP_VERDICT_PASS) {
		dnsrep_buf_puts(o, ": pass");
	} else {
		enum dnsrep_action a = action_of(c, &m);
		dnsrep_buf_puts(o, ": ");
		dnsrep_buf_puts(o, verdict_word(c, &m));
		dnsrep_buf_puts(o, " (");
		if (m.kind == DNSREP_MATCH_LOOKALIKE) {
			char d[48];
			dnsrep_buf_puts(o, "lookalike of ");
			dnsrep_buf_puts(o, rule);
			dnsrep_buf_puts(o, ", ");
			dnsrep_buf_puts(o, dnsrep_lookalike_technique_name(hit.technique));
			if (hit.distance) {
				snprintf(d, sizeof(d), " distance %u", hit.distance);
				dnsrep_buf_puts(o, d);
			}
		} else {
			dnsrep_buf_puts(o, match_word(&m));
			dnsrep_buf_puts(o, " match on ");
			dnsrep_buf_puts(o, rule);
		}
		dnsrep_buf_puts(o, ", feed ");
		ctl_put_clean(o, m.meta.feed, strlen(m.meta.feed));
		dnsrep_buf_puts(o, ", category ");
		ctl_put_clean(o, m.meta.category, strlen(m.meta.category));
		if (m.verdict == DNSREP_VERDICT_BLOCK) {
			dnsrep_buf_puts(o, ", action ");
			dnsrep_buf_puts(o, dnsrep_action_name(a));
		}
		dnsrep_buf_puts(o, ")");
		if (*m.meta.reason) {
			dnsrep_buf_puts(o, ": ");
			ctl_put_clean(o, m.meta.reason, strlen(m.meta.reason));
		}
	}
	dnsrep_buf_puts(o, "\n");
}

static void flush_out(struct check *c)
{
	if (c->out.len)
		fwrite(c->out.data, 1, c->out.len, stdout);
	dnsrep_buf_reset(&c->out);
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: dnsrepctl check [--config FILE] [--feed FILE]... [--allow FILE]...\n"
		   "                       [--protect FILE]... [--json] NAME...\n"
		   "  --config FILE  the feeds of this dnsrep.conf (file:// sources); the default\n"
		   "                 config is read when no --feed or --allow is given\n"
		   "  --feed FILE    a feed file (format recognized), named after the file\n"
		   "  --allow FILE   a feed file whose entries are all allow entries\n"
		   "  --protect FILE a feed file with lookalike protection on (as lookalike: yes)\n"
		   "  --json         one JSON object per name per line\n"
		   "  NAME -         read names from standard input, one per line\n");
}

/* Long (~125 lines) for a reason: options, then the feeds loaded as the plugin
 * loads them, then the names judged: one straight sequence with one exit. */
int dnsrepctl_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "feed", required_argument, NULL, 'f' },
		{ "allow", required_argument, NULL, 'a' },
		{ "protect", required_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct check c;
	memset(&c, 0, sizeof(c));
	const char *config = NULL;
	char **feeds = calloc((size_t)argc + 1, sizeof(*feeds));
	int *is_allow = calloc((size_t)argc + 1, sizeof(*is_allow));
	int nfeeds = 0, rc = 1, opt;
	struct dnsrep_snapshot_builder *b = NULL;
	char err[DNSREP_ERRLEN];
	if (!feeds || !is_allow) {
		fprintf(stderr, "dnsrepctl: out of memory\n");
		goto out;
	}
	optind = 1;
	while ((opt = getopt_long(argc, argv, "c:f:a:jh", opts, NULL)) != -1) {
		switch (opt) {
		case 'c': config = optarg; break;
		case 'f': feeds[nfeeds] = optarg; is_allow[nfeeds++] = 0; break;
		case 'a': feeds[nfeeds] = optarg; is_allow[nfeeds++] = 1; break;
		case 'p': feeds[nfeeds] = optarg; is_allow[nfeeds++] = 2; break;
		case 'j': c.json = 1; break;
		case 'h': usage(stdout); rc = 0; goto out;
		default: usage(stderr); rc = 2; goto out;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "dnsrepctl check: no names to check (give names, or - for stdin)\n");
		usage(stderr);
		rc = 2;
		goto out;
	}
	if (!config && nfeeds == 0)
		config = dnsrep_config_default_path();
	if (config) {
		if (dnsrep_config_load(config, &c.cfg, err, sizeof(err)) < 0) {
			fprintf(stderr, "dnsrepctl: %s\n", err);
			goto out;
		}
	} else if (!(c.cfg = dnsrep_config_new())) {
		fprintf(stderr, "dnsrepctl: out of memory\n");
		goto out;
	}

	b = dnsrep_snapshot_builder_new();
	if (!b) {
		fprintf(stderr, "dnsrepctl: out of memory\n");
		goto out;
	}
	for (size_t i = 0; i < c.cfg->n_feeds; i++) {
		const struct dnsrep_feed_config *f = &c.cfg->feeds[i];
		const char *path = dnsrep_load_local_path(f->source);
		if (!path) {
			fprintf(stderr, "dnsrepctl: feed %s: %s is not a local file; check reads "
					"file:// sources only: skipped\n", f->name, f->source);
			continue;
		}
		struct dnsrep_load l;
		dnsrep_load_from_config(&l, f);
		if (load_one(&c, b, &l, path) < 0)
			goto out;
	}
	for (int i = 0; i < nfeeds; i++) {
		struct dnsrep_load l;
		char fname[256];
		memset(&l, 0, sizeof(l));
		l.meta.feed = feed_name_of(feeds[i], fname, sizeof(fname));
		l.meta.category = is_allow[i] == 1 ? "allow" : "blocklist";
		l.force_allow = is_allow[i] == 1;
		l.meta.lookalike = is_allow[i] == 2; /* --protect: as lookalike: yes does */
		l.meta.lookalike_action = DNSREP_ACTION_LOG_ONLY;
		dnsrep_feed_opts_init(&l.opts, l.meta.feed);
		if (load_one(&c, b, &l, feeds[i]) < 0)
			goto out;
	}
	c.snap = dnsrep_snapshot_builder_finish(b, 0, err, sizeof(err));
	b = NULL;
	struct dnsrep_lookalike_opts lo;
	dnsrep_load_lookalike_opts(&lo, c.cfg);
	if (!c.snap || dnsrep_snapshot_protect(c.snap, &lo, err, sizeof(err)) < 0) {
		fprintf(stderr, "dnsrepctl: %s\n", err);
		goto out;
	}

	for (int i = optind; i < argc; i++) {
		if (strcmp(argv[i], "-") != 0) {
			judge(&c, argv[i], strlen(argv[i]));
			continue;
		}
		char *line = NULL;
		size_t cap = 0;
		ssize_t n;
		while ((n = getline(&line, &cap, stdin)) >= 0) {
			while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
				n--;
			if (n == 0)
				continue;
			judge(&c, line, (size_t)n);
			if (c.out.len > 65536)
				flush_out(&c);
		}
		free(line);
	}
	if (c.out.failed) {
		fprintf(stderr, "dnsrepctl: out of memory\n");
		goto out;
	}
	flush_out(&c);
	rc = fflush(stdout) == 0 ? 0 : 1;
out:
	dnsrep_buf_free(&c.out);
	dnsrep_snapshot_free(c.snap);
	dnsrep_snapshot_builder_free(b);
	dnsrep_config_free(c.cfg);
	free(feeds);
	free(is_allow);
	return rc;
}
