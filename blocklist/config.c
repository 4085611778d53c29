/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * config.c — the dnsrep.conf parser.
 *
 * The grammar is Unbound's, line by line:
 *
 *     # comment
 *     dnsrep:                      a clause header, alone on its line
 *         key: value               bare, "double-" or 'single-quoted'
 *         exempt-client: 10.0.0.0/8   (repeatable keys add, others replace)
 *     feed:                        each feed: clause starts a new feed
 *         name: doj-2023-10-17
 *     include: "dnsrep.d/NAME.conf" anywhere; globs; relative to the including
 *                                  file; the current clause carries on inside
 *
 * Keys are described by a table (key, clause, kind, field offset), so every key
 * of a kind is parsed and checked by the same code.  Every error names the file
 * and line and says what was wrong, and the caller's config is untouched.
 */
#include "dnsrep_config.h"
#include "dnsrep/config.h"
#include "dnsrep/duration.h"

#include <arpa/inet.h>
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/** Include files nest at most this deep (a deeper one is most likely a loop). */
#define MAX_INCLUDE_DEPTH 16
/** A config file larger than this is refused rather than read. */
#define MAX_FILE_SIZE (16u * 1024 * 1024)

enum clause { CLAUSE_NONE, CLAUSE_DNSREP, CLAUSE_FEED };

enum kind {
	KIND_STRING,   /**< any text; not empty */
	KIND_FEEDNAME, /**< [A-Za-z0-9._-]{1,64} */
	KIND_SOURCE,   /**< file:///…, http://…, https://… */
	KIND_BOOL,     /**< yes / no */
	KIND_CHOICE,   /**< one of two words (keydesc.choice), as 0 / 1 */
	KIND_DURATION, /**< 90, 90s, 15m, 1h, 1d; min..max seconds */
	KIND_ACTION,   /**< nxdomain nodata refused sinkhole log-only */
	KIND_FORMAT,   /**< auto plain hosts adblock rpz csv */
	KIND_EDE,      /**< 15 16 17, or blocked censored filtered */
	KIND_IPV4,     /**< a dotted quad */
	KIND_IPV6,     /**< an IPv6 address */
	KIND_CIDR_LIST, /**< an address prefix, appended to a list */
	KIND_PERCENT,  /**< 0..100, with or without a trailing %; stored as a share 0..1 */
	KIND_COUNT,    /**< a whole number, min..max */
	KIND_CATEGORY_ACTION, /**< "CATEGORY ACTION", appended to a list */
	KIND_WORD_LIST, /**< a lower-case word, appended to a list */
	KIND_TUNING,    /**< lookalike techniques, "tld-swap:8 typo ..." */
	KIND_LISTEN     /**< ADDRESS:PORT, [IPv6]:PORT */
};

/** One known key: where it may stand, what it holds, where it goes. */
struct keydesc {
	const char *key;
	enum clause clause;
	enum kind kind;
	size_t offset;      /**< into struct dnsrep_config or dnsrep_feed_config */
	uint32_t min, max;  /**< for KIND_DURATION */
};

/** The two words of each KIND_CHOICE key: the first is stored as 0, the second as 1. */
static const struct { const char *key; const char *word[2]; } choices[] = {
	{ "on-no-blocklist", { "resolve", "servfail" } },
	{ "wildcard", { "subtree", "below" } },
};

#define G(f) offsetof(struct dnsrep_config, f)
#define F(f) offsetof(struct dnsrep_feed_config, f)
static const struct keydesc keys[] = {
	{ "resolver-id",   CLAUSE_DNSREP, KIND_STRING,   G(resolver_id), 0, 0 },
	{ "log-file",      CLAUSE_DNSREP, KIND_STRING,   G(log_file), 0, 0 },
	{ "snapshot-file", CLAUSE_DNSREP, KIND_STRING,   G(snapshot_file), 0, 0 },
	{ "action",        CLAUSE_DNSREP, KIND_ACTION,   G(action), 0, 0 },
	{ "ede",           CLAUSE_DNSREP, KIND_EDE,      G(ede), 0, 0 },
	{ "negative-ttl",  CLAUSE_DNSREP, KIND_DURATION, G(negative_ttl), 0, 86400 },
	{ "sinkhole-a",    CLAUSE_DNSREP, KIND_IPV4,     G(sinkhole_a), 0, 0 },
	{ "sinkhole-aaaa", CLAUSE_DNSREP, KIND_IPV6,     G(sinkhole_aaaa), 0, 0 },
	{ "exempt-client", CLAUSE_DNSREP, KIND_CIDR_LIST, G(exempt_clients), 0, 0 },
	{ "category-action", CLAUSE_DNSREP, KIND_CATEGORY_ACTION, G(category_actions), 0, 0 },
	{ "log-exempt",    CLAUSE_DNSREP, KIND_BOOL,     G(log_exempt), 0, 0 },
	{ "on-no-blocklist", CLAUSE_DNSREP, KIND_CHOICE, G(no_blocklist_servfail), 0, 0 },
	{ "poll-interval", CLAUSE_DNSREP, KIND_DURATION, G(poll_interval), 1, 86400 },
	{ "log-queue",     CLAUSE_DNSREP, KIND_COUNT,    G(log_queue), 64, 1u << 20 },
	{ "redis",         CLAUSE_DNSREP, KIND_STRING,   G(redis), 0, 0 },
	{ "redis-primary", CLAUSE_DNSREP, KIND_STRING,   G(redis_primary), 0, 0 },
	{ "redis-user",    CLAUSE_DNSREP, KIND_STRING,   G(redis_user), 0, 0 },
	{ "redis-password", CLAUSE_DNSREP, KIND_STRING,  G(redis_password), 0, 0 },
	{ "redis-prefix",  CLAUSE_DNSREP, KIND_STRING,   G(redis_prefix), 0, 0 },
	{ "redis-timeout", CLAUSE_DNSREP, KIND_DURATION, G(redis_timeout), 1, 60 },
	{ "redis-stream",  CLAUSE_DNSREP, KIND_BOOL,     G(redis_stream), 0, 0 },
	{ "redis-stream-maxlen", CLAUSE_DNSREP, KIND_COUNT, G(redis_stream_maxlen), 1000, 1u << 30 },
	{ "metrics-listen", CLAUSE_DNSREP, KIND_LISTEN,  G(metrics_listen), 0, 0 },
	{ "ca-file",       CLAUSE_DNSREP, KIND_STRING,   G(ca_file), 0, 0 },
	{ "fetch-timeout", CLAUSE_DNSREP, KIND_DURATION, G(fetch_timeout), 1, 3600 },
	{ "max-size",      CLAUSE_DNSREP, KIND_COUNT,    G(max_size_mib), 1, 4096 },
	{ "max-shrink",    CLAUSE_DNSREP, KIND_PERCENT,  G(max_shrink), 0, 0 },
	{ "lookalike-min-length", CLAUSE_DNSREP, KIND_COUNT, G(lookalike_min_length), 3, 63 },
	{ "lookalike-two-edits", CLAUSE_DNSREP, KIND_BOOL, G(lookalike_two_edits), 0, 0 },
	{ "lookalike-affix", CLAUSE_DNSREP, KIND_WORD_LIST, G(lookalike_affixes), 0, 0 },
	{ "name",          CLAUSE_FEED,   KIND_FEEDNAME, F(name), 0, 0 },
	{ "source",        CLAUSE_FEED,   KIND_SOURCE,   F(source), 0, 0 },
	{ "format",        CLAUSE_FEED,   KIND_FORMAT,   F(format), 0, 0 },
	{ "category",      CLAUSE_FEED,   KIND_STRING,   F(category), 0, 0 },
	{ "action",        CLAUSE_FEED,   KIND_ACTION,   F(action), 0, 0 },
	{ "reason",        CLAUSE_FEED,   KIND_STRING,   F(reason), 0, 0 },
	{ "lookalike",     CLAUSE_FEED,   KIND_BOOL,     F(lookalike), 0, 0 },
	{ "lookalike-action", CLAUSE_FEED, KIND_ACTION,  F(lookalike_action), 0, 0 },
	{ "lookalike-techniques", CLAUSE_FEED, KIND_TUNING, F(lookalike_tuning), 0, 0 },
	{ "refresh",       CLAUSE_FEED,   KIND_DURATION, F(refresh), 60, 7 * 86400 },
	{ "max-rejected",  CLAUSE_FEED,   KIND_PERCENT,  F(max_rejected), 0, 0 },
	{ "allow-public-suffix", CLAUSE_FEED, KIND_BOOL, F(allow_public_suffix), 0, 0 },
	{ "wildcard",      CLAUSE_FEED,   KIND_CHOICE,   F(wildcard_below), 0, 0 },
};
#undef G
#undef F

static const char *const action_names[] = {
	[DNSREP_ACTION_INHERIT] = "inherit",
	[DNSREP_ACTION_NXDOMAIN] = "nxdomain",
	[DNSREP_ACTION_NODATA] = "nodata",
	[DNSREP_ACTION_REFUSED] = "refused",
	[DNSREP_ACTION_SINKHOLE] = "sinkhole",
	[DNSREP_ACTION_LOG_ONLY] = "log-only",
};

static const char *const format_names[] = {
	[DNSREP_FORMAT_AUTO] = "auto",
	[DNSREP_FORMAT_PLAIN] = "plain",
	[DNSREP_FORMAT_HOSTS] = "hosts",
	[DNSREP_FORMAT_ADBLOCK] = "adblock",
	[DNSREP_FORMAT_RPZ] = "rpz",
	[DNSREP_FORMAT_CSV] = "csv",
};

/** The state of one parse: the config being built and where we are. */
struct parser {
	struct dnsrep_config *cfg;
	enum clause clause;       /**< the clause lines belong to now */
	const char *file;         /**< the file being read, for messages */
	unsigned line;
	int depth;                /**< include nesting */
	char *err;
	size_t errlen;
};

static int fail(struct parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/** Put "file:line: message" into the error buffer; returns -1. */
static int fail(struct parser *p, const char *fmt, ...)
{
	char msg[DNSREP_ERRLEN];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (p->line)
		snprintf(p->err, p->errlen, "%s:%u: %s", p->file, p->line, msg);
	else
		snprintf(p->err, p->errlen, "%s: %s", p->file, msg);
	return -1;
}

const char *dnsrep_action_name(enum dnsrep_action a)
{
	if ((size_t)a < sizeof(action_names) / sizeof(action_names[0]))
		return action_names[a];
	return "?";
}

const char *dnsrep_format_name(enum dnsrep_format f)
{
	if ((size_t)f < sizeof(format_names) / sizeof(format_names[0]))
		return format_names[f];
	return "?";
}

const char *dnsrep_config_default_path(void)
{
	const char *env = getenv("DNSREP_CONF");
	return (env && *env) ? env : DNSREP_CONF_DEFAULT;
}

struct dnsrep_config *dnsrep_config_new(void)
{
	struct dnsrep_config *cfg = calloc(1, sizeof(*cfg));
	if (!cfg)
		return NULL;
	cfg->log_file = strdup("/var/log/unbound/dnsrep-blocks.jsonl");
	cfg->snapshot_file = strdup("/var/lib/unbound/dnsrep.snapshot");
	if (!cfg->log_file || !cfg->snapshot_file) {
		dnsrep_config_free(cfg);
		return NULL;
	}
	cfg->action = DNSREP_ACTION_NXDOMAIN;
	cfg->ede = 15;
	cfg->negative_ttl = 60;
	cfg->poll_interval = 30;
	cfg->redis_timeout = 2;
	cfg->redis_stream_maxlen = 1000000;
	cfg->fetch_timeout = 300;
	cfg->max_size_mib = 256;
	cfg->max_shrink = 0.5;
	cfg->lookalike_min_length = 6;
	cfg->redis_prefix = strdup("dnsrep:");
	if (!cfg->redis_prefix) {
		dnsrep_config_free(cfg);
		return NULL;
	}
	cfg->log_queue = 4096;
	/* sinkhole defaults: 0.0.0.0 and ::, which go nowhere */
	return cfg;
}

static void feed_free(struct dnsrep_feed_config *f)
{
	free(f->name);
	free(f->source);
	free(f->category);
	free(f->reason);
	free(f->decl_file);
}

void dnsrep_config_free(struct dnsrep_config *cfg)
{
	if (!cfg)
		return;
	free(cfg->resolver_id);
	free(cfg->log_file);
	free(cfg->snapshot_file);
	free(cfg->redis);
	free(cfg->redis_primary);
	free(cfg->redis_user);
	free(cfg->redis_password);
	free(cfg->redis_prefix);
	free(cfg->ca_file);
	free(cfg->metrics_listen);
	for (size_t i = 0; i < cfg->n_lookalike_affixes; i++)
		free(cfg->lookalike_affixes[i]);
	free(cfg->lookalike_affixes);
	free(cfg->exempt_clients);
	for (size_t i = 0; i < cfg->n_category_actions; i++)
		free(cfg->category_actions[i].category);
	free(cfg->category_actions);
	for (size_t i = 0; i < cfg->n_feeds; i++)
		feed_free(&cfg->feeds[i]);
	free(cfg->feeds);
	free(cfg);
}

const struct dnsrep_feed_config *dnsrep_config_feed(const struct dnsrep_config *cfg,
	const char *name)
{
	for (size_t i = 0; i < cfg->n_feeds; i++)
		if (strcmp(cfg->feeds[i].name, name) == 0)
			return &cfg->feeds[i];
	return NULL;
}

enum dnsrep_action dnsrep_config_action(const struct dnsrep_config *cfg, const char *feed,
	enum dnsrep_action meta_action, const char *category)
{
	/* only an entry with an action of its own needs its feed looked up (blocked
	 * lookups resolve their action here, on the resolver threads) */
	const struct dnsrep_feed_config *f = NULL;
	if (meta_action != DNSREP_ACTION_INHERIT && feed)
		f = dnsrep_config_feed(cfg, feed);
	int own = f && f->action == DNSREP_ACTION_INHERIT;
	if (meta_action != DNSREP_ACTION_INHERIT && !own)
		return meta_action;
	enum dnsrep_action a = cfg->action;
	/* the last line for a category wins, as for any repeated key */
	for (size_t i = cfg->n_category_actions; category && i-- > 0;) {
		if (strcmp(cfg->category_actions[i].category, category) == 0) {
			a = cfg->category_actions[i].action;
			break;
		}
	}
	if (own && a == DNSREP_ACTION_NXDOMAIN)
		return meta_action; /* the record's NODATA where the resolved block is NXDOMAIN */
	return a;
}

int dnsrep_cidr_contains(const struct dnsrep_cidr *c, int family, const uint8_t *addr)
{
	if (c->family != family)
		return 0;
	unsigned full = c->prefix / 8, rest = c->prefix % 8;
	if (memcmp(c->addr, addr, full) != 0)
		return 0;
	if (rest) {
		uint8_t mask = (uint8_t)(0xff << (8 - rest));
		if ((c->addr[full] & mask) != (addr[full] & mask))
			return 0;
	}
	return 1;
}

/* ---- values ------------------------------------------------------------- */

/** Parse "addr" or "addr/len" into a prefix; the host bits must be zero (see dnsrep/config.h). */
int dnsrep_cidr_parse(const char *v, struct dnsrep_cidr *c, const char **why)
{
	char buf[INET6_ADDRSTRLEN + 8];
	if (strlen(v) >= sizeof(buf)) {
		*why = "too long for an address prefix";
		return -1;
	}
	strcpy(buf, v);
	char *slash = strchr(buf, '/');
	if (slash)
		*slash = 0;
	memset(c, 0, sizeof(*c));
	unsigned maxlen;
	if (inet_pton(AF_INET, buf, c->addr) == 1) {
		c->family = AF_INET;
		maxlen = 32;
	} else if (inet_pton(AF_INET6, buf, c->addr) == 1) {
		c->family = AF_INET6;
		maxlen = 128;
	} else {
		*why = "not an IPv4 or IPv6 address";
		return -1;
	}
	c->prefix = maxlen;
	if (slash) {
		char *end;
		const char *digits = slash + 1;
		if (*digits < '0' || *digits > '9') {
			*why = "prefix length is not a number";
			return -1;
		}
		unsigned long len = strtoul(digits, &end, 10);
		if (*end || len > maxlen) {
			*why = maxlen == 32 ? "prefix length must be 0..32"
					    : "prefix length must be 0..128";
			return -1;
		}
		c->prefix = (unsigned)len;
	}
	/* host bits set (10.1.2.3/8) is almost always a typo: say so */
	for (unsigned bit = c->prefix; bit < maxlen; bit++) {
		if (c->addr[bit / 8] & (0x80 >> (bit % 8))) {
			*why = "address has bits set beyond the prefix length";
			return -1;
		}
	}
	return 0;
}

static int lookup_word(const char *const *names, size_t n, size_t first, const char *v)
{
	for (size_t i = first; i < n; i++)
		if (strcmp(names[i], v) == 0)
			return (int)i;
	return -1;
}

/** Replace an owned string field. */
static int set_string(struct parser *p, char **field, const char *v)
{
	char *copy = strdup(v);
	if (!copy)
		return fail(p, "out of memory");
	free(*field);
	*field = copy;
	return 0;
}

/** The struct a key of this clause writes into. */
static void *clause_target(struct parser *p, enum clause c)
{
	if (c == CLAUSE_DNSREP)
		return p->cfg;
	return &p->cfg->feeds[p->cfg->n_feeds - 1];
}

/* Long (~170 lines) for a reason: one case per key kind, each a few lines of
 * checks that read best side by side; splitting them would scatter the grammar. */
static int set_value(struct parser *p, const struct keydesc *k, const char *v)
{
	char *base = clause_target(p, k->clause);
	void *field = base + k->offset;

	if (*v == 0)
		return fail(p, "'%s' needs a value", k->key);
	switch (k->kind) {
	case KIND_STRING:
		return set_string(p, field, v);
	case KIND_LISTEN: {
		struct sockaddr_storage ss;
		socklen_t len;
		if (dnsrep_listen_parse(v, &ss, &len) < 0)
			return fail(p, "'%s' must be ADDRESS:PORT (127.0.0.1:9167, [::1]:9167), not '%s'",
				    k->key, v);
		return set_string(p, field, v);
	}
	case KIND_FEEDNAME: {
		size_t n = strlen(v);
		if (n > 64)
			return fail(p, "feed name '%.64s…' is longer than 64 characters", v);
		for (size_t i = 0; i < n; i++) {
			char c = v[i];
			if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			      (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
				return fail(p, "feed name '%s' may hold only letters, digits, '.', '_' and '-'", v);
		}
		return set_string(p, field, v);
	}
	case KIND_SOURCE:
		if (strncmp(v, "file:///", 8) != 0 && strncmp(v, "https://", 8) != 0 &&
		    strncmp(v, "http://", 7) != 0)
			return fail(p, "source '%s' must start with file:///, https:// or http://", v);
		if (strcmp(v, "file:///") == 0 || strcmp(v, "https://") == 0 ||
		    strcmp(v, "http://") == 0)
			return fail(p, "source '%s' names no file or host", v);
		return set_string(p, field, v);
	case KIND_BOOL:
		if (strcmp(v, "yes") == 0)
			*(int *)field = 1;
		else if (strcmp(v, "no") == 0)
			*(int *)field = 0;
		else
			return fail(p, "'%s' must be yes or no, not '%s'", k->key, v);
		return 0;
	case KIND_CHOICE: {
		size_t c = 0;
		while (c + 1 < sizeof(choices) / sizeof(choices[0]) && strcmp(choices[c].key, k->key))
			c++;
		for (int i = 0; i < 2; i++) {
			if (strcmp(v, choices[c].word[i]) == 0) {
				*(int *)field = i;
				return 0;
			}
		}
		return fail(p, "'%s' must be %s or %s, not '%s'", k->key, choices[c].word[0],
			    choices[c].word[1], v);
	}
	case KIND_DURATION: {
		uint64_t secs;
		if (dnsrep_parse_duration(v, UINT32_MAX, &secs) < 0)
			return fail(p, "'%s' must be a duration (90, 90s, 15m, 1h, 1d, 1w), not '%s'", k->key, v);
		if (secs < k->min || secs > k->max)
			return fail(p, "'%s' must be between %us and %us, not %s", k->key,
				    (unsigned)k->min, (unsigned)k->max, v);
		*(uint32_t *)field = (uint32_t)secs;
		return 0;
	}
	case KIND_ACTION: {
		int a = lookup_word(action_names, sizeof(action_names) / sizeof(*action_names), 1, v);
		if (a < 0)
			return fail(p, "'%s' must be nxdomain, nodata, refused, sinkhole or log-only, not '%s'", k->key, v);
		*(enum dnsrep_action *)field = (enum dnsrep_action)a;
		return 0;
	}
	case KIND_FORMAT: {
		int f = lookup_word(format_names, sizeof(format_names) / sizeof(*format_names), 0, v);
		if (f < 0)
			return fail(p, "'format' must be auto, plain, hosts, adblock, rpz or csv, not '%s'", v);
		*(enum dnsrep_format *)field = (enum dnsrep_format)f;
		return 0;
	}
	case KIND_EDE: {
		unsigned code;
		if (strcmp(v, "15") == 0 || strcmp(v, "blocked") == 0)
			code = 15;
		else if (strcmp(v, "16") == 0 || strcmp(v, "censored") == 0)
			code = 16;
		else if (strcmp(v, "17") == 0 || strcmp(v, "filtered") == 0)
			code = 17;
		else
			return fail(p, "'ede' must be 15 (blocked), 16 (censored) or 17 (filtered), not '%s'", v);
		*(unsigned *)field = code;
		return 0;
	}
	case KIND_IPV4:
		if (inet_pton(AF_INET, v, field) != 1)
			return fail(p, "'%s' must be an IPv4 address, not '%s'", k->key, v);
		return 0;
	case KIND_IPV6:
		if (inet_pton(AF_INET6, v, field) != 1)
			return fail(p, "'%s' must be an IPv6 address, not '%s'", k->key, v);
		return 0;
	case KIND_CATEGORY_ACTION: {
		const char *sp = strpbrk(v, " \t");
		const char *word = sp;
		while (word && (*word == ' ' || *word == '\t'))
			word++;
		int a = word ? lookup_word(action_names, sizeof(action_names) / sizeof(*action_names), 1, word) : -1;
		if (!sp || sp == v || a < 0)
			return fail(p, "'category-action' must be \"CATEGORY ACTION\" (action nxdomain, "
				    "nodata, refused, sinkhole or log-only), not '%s'", v);
		struct dnsrep_config *cfg = p->cfg;
		struct dnsrep_category_action *grown = realloc(cfg->category_actions,
			(cfg->n_category_actions + 1) * sizeof(*grown));
		if (!grown)
			return fail(p, "out of memory");
		cfg->category_actions = grown;
		char *cat = strndup(v, (size_t)(sp - v));
		if (!cat)
			return fail(p, "out of memory");
		grown[cfg->n_category_actions].category = cat;
		grown[cfg->n_category_actions++].action = (enum dnsrep_action)a;
		return 0;
	}
	case KIND_TUNING: {
		char terr[DNSREP_ERRLEN];
		if (dnsrep_lookalike_tuning_parse(field, v, terr, sizeof(terr)) < 0)
			return fail(p, "'%s': %s", k->key, terr);
		return 0;
	}
	case KIND_WORD_LIST: {
		size_t n = strlen(v);
		if (n > 32)
			return fail(p, "'%s' must be a word of at most 32 letters, not '%s'", k->key, v);
		for (size_t i = 0; i < n; i++)
			if (!((v[i] >= 'a' && v[i] <= 'z') || (v[i] >= '0' && v[i] <= '9')))
				return fail(p, "'%s' must be lower-case letters and digits, not '%s'", k->key, v);
		struct dnsrep_config *cfg = p->cfg;
		char **grown = realloc(cfg->lookalike_affixes, (cfg->n_lookalike_affixes + 1) * sizeof(*grown));
		if (!grown)
			return fail(p, "out of memory");
		cfg->lookalike_affixes = grown;
		if (!(grown[cfg->n_lookalike_affixes] = strdup(v)))
			return fail(p, "out of memory");
		cfg->n_lookalike_affixes++;
		return 0;
	}
	case KIND_COUNT: {
		char *end;
		errno = 0;
		unsigned long n = strtoul(v, &end, 10);
		if (*v < '0' || *v > '9' || *end || errno || n < k->min || n > k->max)
			return fail(p, "'%s' must be a whole number from %u to %u, not '%s'", k->key,
				    (unsigned)k->min, (unsigned)k->max, v);
		*(unsigned *)field = (unsigned)n;
		return 0;
	}
	case KIND_PERCENT: {
		char *end;
		errno = 0;
		double v_pct = strtod(v, &end);
		if (end == v || errno || (*end && strcmp(end, "%") != 0) || v_pct < 0 || v_pct > 100 ||
		    v_pct != v_pct)
			return fail(p, "'%s' must be a percentage from 0 to 100 (5%%), not '%s'", k->key, v);
		*(double *)field = v_pct / 100.0;
		return 0;
	}
	case KIND_CIDR_LIST: {
		struct dnsrep_cidr c;
		const char *why;
		if (dnsrep_cidr_parse(v, &c, &why) < 0)
			return fail(p, "'%s: %s': %s", k->key, v, why);
		struct dnsrep_config *cfg = p->cfg;
		struct dnsrep_cidr *grown = realloc(cfg->exempt_clients,
			(cfg->n_exempt_clients + 1) * sizeof(*grown));
		if (!grown)
			return fail(p, "out of memory");
		grown[cfg->n_exempt_clients++] = c;
		cfg->exempt_clients = grown;
		return 0;
	}
	}
	return fail(p, "internal error: key kind %d", (int)k->kind);
}

/* ---- clauses -------------------------------------------------------------- */

/** Check the feed clause that just ended. */
static int finish_feed(struct parser *p)
{
	struct dnsrep_feed_config *f = &p->cfg->feeds[p->cfg->n_feeds - 1];
	if (!f->name)
		return snprintf(p->err, p->errlen, "%s:%u: feed: clause has no 'name:'",
				f->decl_file, f->decl_line), -1;
	if (!f->source)
		return snprintf(p->err, p->errlen, "%s:%u: feed '%s' has no 'source:'",
				f->decl_file, f->decl_line, f->name), -1;
	for (size_t i = 0; i + 1 < p->cfg->n_feeds; i++) {
		const struct dnsrep_feed_config *o = &p->cfg->feeds[i];
		if (strcmp(o->name, f->name) == 0)
			return snprintf(p->err, p->errlen,
				"%s:%u: feed '%s' is declared twice (first at %s:%u)",
				f->decl_file, f->decl_line, f->name, o->decl_file, o->decl_line), -1;
	}
	return 0;
}

static int enter_clause(struct parser *p, enum clause c)
{
	if (p->clause == CLAUSE_FEED && finish_feed(p) < 0)
		return -1;
	p->clause = c;
	if (c != CLAUSE_FEED)
		return 0;
	struct dnsrep_config *cfg = p->cfg;
	struct dnsrep_feed_config *grown = realloc(cfg->feeds, (cfg->n_feeds + 1) * sizeof(*grown));
	if (!grown)
		return fail(p, "out of memory");
	cfg->feeds = grown;
	struct dnsrep_feed_config *f = &grown[cfg->n_feeds];
	memset(f, 0, sizeof(*f));
	f->refresh = 3600;
	f->max_rejected = 0.05;
	f->lookalike_action = DNSREP_ACTION_LOG_ONLY;
	f->decl_line = p->line;
	f->decl_file = strdup(p->file);
	f->category = strdup("blocklist");
	cfg->n_feeds++;
	if (!f->decl_file || !f->category)
		return fail(p, "out of memory");
	return 0;
}

/* ---- lines and files -------------------------------------------------------- */

static int parse_text(struct parser *p, const char *text, size_t len);

/** Read a whole file; the result is NUL-terminated; *len excludes the NUL. */
static char *read_file(struct parser *p, const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fail(p, "cannot open %s: %s", path, strerror(errno));
		return NULL;
	}
	struct stat st;
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(f);
		fail(p, "cannot read %s: it is a directory", path);
		return NULL;
	}
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	if (!buf) {
		fclose(f);
		fail(p, "out of memory");
		return NULL;
	}
	for (;;) {
		if (n + 1 >= cap) {
			if (cap >= MAX_FILE_SIZE) {
				free(buf);
				fclose(f);
				fail(p, "%s is larger than %u MiB", path, MAX_FILE_SIZE >> 20);
				return NULL;
			}
			char *grown = realloc(buf, cap * 2);
			if (!grown) {
				free(buf);
				fclose(f);
				fail(p, "out of memory");
				return NULL;
			}
			buf = grown;
			cap *= 2;
		}
		size_t got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
		if (got == 0)
			break;
	}
	int bad = ferror(f);
	fclose(f);
	if (bad) {
		free(buf);
		fail(p, "cannot read %s", path);
		return NULL;
	}
	buf[n] = 0;
	*len = n;
	return buf;
}

/** Parse one file, as the top file or as an include. */
static int parse_file(struct parser *p, const char *path)
{
	size_t len;
	char *text = read_file(p, path, &len);
	if (!text)
		return -1;
	const char *saved_file = p->file;
	unsigned saved_line = p->line;
	p->file = path;
	p->line = 0;
	int rc = parse_text(p, text, len);
	free(text);
	p->file = saved_file;
	p->line = saved_line;
	return rc;
}

/** include: PATTERN — relative patterns are taken from the including file's directory. */
static int do_include(struct parser *p, const char *pattern)
{
	if (p->depth >= MAX_INCLUDE_DEPTH)
		return fail(p, "include nested more than %d deep (does a file include itself?)",
			    MAX_INCLUDE_DEPTH);
	char path[PATH_MAX];
	if (pattern[0] == '/') {
		if (snprintf(path, sizeof(path), "%s", pattern) >= (int)sizeof(path))
			return fail(p, "include path too long");
	} else {
		const char *slash = strrchr(p->file, '/');
		int dirlen = slash ? (int)(slash - p->file) : 1;
		const char *dir = slash ? p->file : ".";
		if (snprintf(path, sizeof(path), "%.*s/%s", dirlen, dir, pattern) >= (int)sizeof(path))
			return fail(p, "include path too long");
	}
	int is_glob = strpbrk(pattern, "*?[") != NULL;
	glob_t g;
	int grc = glob(path, 0, NULL, &g);
	if (grc == GLOB_NOMATCH) {
		globfree(&g);
		if (is_glob)
			return 0; /* an empty dnsrep.d/ is fine */
		return fail(p, "cannot open included file %s: %s", path, strerror(ENOENT));
	}
	if (grc != 0) {
		globfree(&g);
		return fail(p, "cannot read include pattern %s", path);
	}
	p->depth++;
	int rc = 0;
	for (size_t i = 0; i < g.gl_pathc && rc == 0; i++) {
		char *copy = strdup(g.gl_pathv[i]);
		if (!copy) {
			rc = fail(p, "out of memory");
			break;
		}
		rc = parse_file(p, copy); /* feeds keep their own copy of the name */
		free(copy);
	}
	p->depth--;
	globfree(&g);
	return rc;
}

/**
 * Take the value after "key:": bare (up to white space or #), or quoted.
 * Writes it NUL-terminated into val (of size vallen).
 */
static int take_value(struct parser *p, const char *s, const char *end, char *val, size_t vallen)
{
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	const char *start, *stop;
	if (s < end && (*s == '"' || *s == '\'')) {
		char q = *s++;
		start = s;
		while (s < end && *s != q)
			s++;
		if (s >= end)
			return fail(p, "unterminated %s quote", q == '"' ? "double" : "single");
		stop = s++;
	} else {
		start = s;
		while (s < end && *s != ' ' && *s != '\t' && *s != '#')
			s++;
		stop = s;
	}
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	if (s < end && *s != '#')
		return fail(p, "unexpected text after the value: '%.*s' (quote a value with spaces)",
			    (int)(end - s > 40 ? 40 : end - s), s);
	size_t n = (size_t)(stop - start);
	if (n >= vallen)
		return fail(p, "value longer than %zu characters", vallen - 1);
	memcpy(val, start, n);
	val[n] = 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)val[i] < 0x20 || val[i] == 0x7f)
			return fail(p, "control character (0x%02x) in value", (unsigned char)val[i]);
	return 0;
}

static const char *clause_name(enum clause c)
{
	return c == CLAUSE_DNSREP ? "dnsrep:" : c == CLAUSE_FEED ? "feed:" : "(none)";
}

static int parse_line(struct parser *p, const char *s, const char *end)
{
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	if (s == end || *s == '#')
		return 0;
	const char *k = s;
	while (s < end && ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
			   (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
		s++;
	size_t klen = (size_t)(s - k);
	if (klen == 0 || s == end || *s != ':') {
		if (klen == 0)
			return fail(p, "expected 'key: value', found '%.*s'",
				    (int)(end - k > 40 ? 40 : end - k), k);
		return fail(p, "expected ':' after '%.*s'", (int)(klen > 40 ? 40 : klen), k);
	}
	s++;
	char key[64];
	if (klen >= sizeof(key))
		return fail(p, "unknown key '%.40s…'", k);
	memcpy(key, k, klen);
	key[klen] = 0;

	if (strcmp(key, "dnsrep") == 0 || strcmp(key, "feed") == 0) {
		while (s < end && (*s == ' ' || *s == '\t'))
			s++;
		if (s < end && *s != '#')
			return fail(p, "'%s:' starts a clause and stands alone on its line", key);
		return enter_clause(p, key[0] == 'd' ? CLAUSE_DNSREP : CLAUSE_FEED);
	}

	char val[4096];
	if (take_value(p, s, end, val, sizeof(val)) < 0)
		return -1;

	if (strcmp(key, "include") == 0) {
		if (!*val)
			return fail(p, "'include' needs a file name or pattern");
		return do_include(p, val);
	}
	if (strcmp(key, "server") == 0 || strcmp(key, "forward-zone") == 0 ||
	    strcmp(key, "stub-zone") == 0 || strcmp(key, "remote-control") == 0 ||
	    strcmp(key, "dynlib") == 0)
		return fail(p, "'%s:' belongs in unbound.conf, not in dnsrep.conf", key);

	const struct keydesc *any = NULL;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (strcmp(keys[i].key, key) != 0)
			continue;
		any = &keys[i];
		if (keys[i].clause == p->clause)
			return set_value(p, &keys[i], val);
	}
	if (!any)
		return fail(p, "unknown key '%s'", key);
	if (p->clause == CLAUSE_NONE)
		return fail(p, "'%s' outside a clause: put it under '%s'", key, clause_name(any->clause));
	return fail(p, "'%s' does not belong in a %s clause (it goes under '%s')", key,
		    clause_name(p->clause), clause_name(any->clause));
}

static int parse_text(struct parser *p, const char *text, size_t len)
{
	const char *s = text, *end = text + len;
	if (memchr(text, 0, len))
		return fail(p, "NUL byte in the file: is it a text file?");
	/* a UTF-8 byte order mark, as some editors write */
	if (len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
		s += 3;
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *eol = nl ? nl : end;
		const char *stop = eol;
		if (stop > s && stop[-1] == '\r')
			stop--;
		p->line++;
		if (parse_line(p, s, stop) < 0)
			return -1;
		s = nl ? nl + 1 : end;
	}
	return 0;
}

/** Parse from either a file or text, then check the config as a whole. */
static int run(const char *name, const char *text, size_t len,
	struct dnsrep_config **out, char *err, size_t errlen)
{
	struct parser p = { .cfg = dnsrep_config_new(), .clause = CLAUSE_NONE,
			    .file = name, .err = err, .errlen = errlen };
	if (!p.cfg) {
		snprintf(err, errlen, "%s: out of memory", name);
		return -1;
	}
	int rc = text ? parse_text(&p, text, len) : parse_file(&p, name);
	if (rc == 0 && p.clause == CLAUSE_FEED)
		rc = finish_feed(&p);
	if (rc < 0) {
		dnsrep_config_free(p.cfg);
		return -1;
	}
	*out = p.cfg;
	return 0;
}

int dnsrep_config_load(const char *path, struct dnsrep_config **out, char *err, size_t errlen)
{
	return run(path, NULL, 0, out, err, errlen);
}

int dnsrep_config_parse(const char *name, const char *text, size_t len,
	struct dnsrep_config **out, char *err, size_t errlen)
{
	return run(name, text, len, out, err, errlen);
}

int dnsrep_listen_parse(const char *v, struct sockaddr_storage *ss, socklen_t *len)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *colon = strrchr(v, ':');
	const char *h = v, *h_end = colon;
	if (!colon)
		return -1;
	if (*v == '[') {
		h = v + 1;
		if (colon == v || colon[-1] != ']')
			return -1;
		h_end = colon - 1;
	}
	size_t hn = (size_t)(h_end - h);
	if (hn == 0 || hn >= sizeof(host))
		return -1;
	memcpy(host, h, hn);
	host[hn] = 0;
	char *end;
	errno = 0;
	unsigned long port = strtoul(colon + 1, &end, 10);
	if (colon[1] < '0' || colon[1] > '9' || *end || errno || port == 0 || port > 65535)
		return -1;
	memset(ss, 0, sizeof(*ss));
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	if (*v != '[' && inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		*len = sizeof(*sin);
		return 0;
	}
	if (*v == '[' && inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*sin6);
		return 0;
	}
	return -1;
}

/* ---- writing it back ------------------------------------------------------------ */

/** A string value as dnsrep.conf reads it: bare when it can be, else quoted. */
static void write_str(FILE *out, const char *key, const char *v)
{
	if (!v) {
		fprintf(out, "  # %s: (not set)\n", key);
		return;
	}
	int bare = v[0] != '\0' && v[0] != '"';
	for (const char *c = v; *c && bare; c++)
		bare = *c != ' ' && *c != '\t' && *c != '#';
	fprintf(out, bare ? "  %s: %s\n" : "  %s: \"%s\"\n", key, v);
}

/** One key's value from the struct at base (the config, or a feed). */
static void write_key(FILE *out, const struct keydesc *k, const char *base, const struct dnsrep_config *cfg)
{
	const void *field = base + k->offset;
	char buf[INET6_ADDRSTRLEN + 8];
	switch (k->kind) {
	case KIND_STRING:
	case KIND_FEEDNAME:
	case KIND_SOURCE:
	case KIND_LISTEN: {
		const char *v = *(char *const *)field;
		if (strcmp(k->key, "redis-password") == 0 && v)
			v = "(set, not shown)";
		if (strcmp(k->key, "resolver-id") == 0 && !v) {
			fprintf(out, "  # %s: (not set: the host name)\n", k->key);
			return;
		}
		write_str(out, k->key, v);
		return;
	}
	case KIND_BOOL:
		fprintf(out, "  %s: %s\n", k->key, *(const int *)field ? "yes" : "no");
		return;
	case KIND_CHOICE:
		for (size_t i = 0; i < sizeof(choices) / sizeof(choices[0]); i++)
			if (strcmp(choices[i].key, k->key) == 0)
				fprintf(out, "  %s: %s\n", k->key, choices[i].word[*(const int *)field ? 1 : 0]);
		return;
	case KIND_DURATION:
		fprintf(out, "  %s: %us\n", k->key, (unsigned)*(const uint32_t *)field);
		return;
	case KIND_ACTION: {
		enum dnsrep_action a = *(const enum dnsrep_action *)field;
		if (a == DNSREP_ACTION_INHERIT)
			fprintf(out, "  # %s: (the global action, %s)\n", k->key, dnsrep_action_name(cfg->action));
		else
			fprintf(out, "  %s: %s\n", k->key, dnsrep_action_name(a));
		return;
	}
	case KIND_FORMAT:
		fprintf(out, "  %s: %s\n", k->key, dnsrep_format_name(*(const enum dnsrep_format *)field));
		return;
	case KIND_EDE:
	case KIND_COUNT:
		fprintf(out, "  %s: %u\n", k->key, *(const unsigned *)field);
		return;
	case KIND_IPV4:
		fprintf(out, "  %s: %s\n", k->key, inet_ntop(AF_INET, field, buf, sizeof(buf)) ? buf : "?");
		return;
	case KIND_IPV6:
		fprintf(out, "  %s: %s\n", k->key, inet_ntop(AF_INET6, field, buf, sizeof(buf)) ? buf : "?");
		return;
	case KIND_PERCENT:
		fprintf(out, "  %s: %g%%\n", k->key, *(const double *)field * 100.0);
		return;
	case KIND_CIDR_LIST:
		for (size_t i = 0; i < cfg->n_exempt_clients; i++) {
			const struct dnsrep_cidr *c = &cfg->exempt_clients[i];
			fprintf(out, "  %s: %s/%u\n", k->key,
				inet_ntop(c->family, c->addr, buf, sizeof(buf)) ? buf : "?", c->prefix);
		}
		if (cfg->n_exempt_clients == 0)
			fprintf(out, "  # %s: (none)\n", k->key);
		return;
	case KIND_CATEGORY_ACTION:
		for (size_t i = 0; i < cfg->n_category_actions; i++)
			fprintf(out, "  %s: \"%s %s\"\n", k->key, cfg->category_actions[i].category,
				dnsrep_action_name(cfg->category_actions[i].action));
		if (cfg->n_category_actions == 0)
			fprintf(out, "  # %s: (none)\n", k->key);
		return;
	case KIND_WORD_LIST:
		for (size_t i = 0; i < cfg->n_lookalike_affixes; i++)
			fprintf(out, "  %s: %s\n", k->key, cfg->lookalike_affixes[i]);
		if (cfg->n_lookalike_affixes == 0)
			fprintf(out, "  # %s: (the built-in words)\n", k->key);
		return;
	case KIND_TUNING: {
		char t[200];
		dnsrep_lookalike_tuning_format(field, t, sizeof(t));
		fprintf(out, strchr(t, ' ') ? "  %s: \"%s\"\n" : "  %s: %s\n", k->key, t);
		return;
	}
	}
}

void dnsrep_config_write(const struct dnsrep_config *cfg, FILE *out)
{
	fprintf(out, "dnsrep:\n");
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (keys[i].clause == CLAUSE_DNSREP)
			write_key(out, &keys[i], (const char *)cfg, cfg);
	for (size_t f = 0; f < cfg->n_feeds; f++) {
		fprintf(out, "feed:\n");
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if (keys[i].clause == CLAUSE_FEED)
				write_key(out, &keys[i], (const char *)&cfg->feeds[f], cfg);
	}
}
