/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dnsrep/config.h — dnsrep.conf, parsed.
 *
 * dnsrep.conf is separate from unbound.conf (which rejects keys it does not
 * know) but written in Unbound's style: a `dnsrep:` clause of `key: value`
 * lines, one `feed:` clause per feed, `#` comments, quoted strings and
 * `include:` with globs.  The plugin reads it in init(); dnsrepctl reads the
 * same file.  Errors come back as "file:line: reason" in a caller's buffer.
 */
#ifndef DNSREP_CONFIG_H
#define DNSREP_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#include "dnsrep/err.h"  /* DNSREP_ERRLEN */
#include "dnsrep/lookalike.h" /* struct dnsrep_lookalike_tuning */

/** The path of dnsrep.conf when neither DNSREP_CONF nor --config names one. */
#define DNSREP_CONF_DEFAULT "/etc/unbound/dnsrep.conf"

/** What the resolver does with a lookup that matches a block entry. */
enum dnsrep_action {
	DNSREP_ACTION_INHERIT = 0, /**< a feed without its own: the global one */
	DNSREP_ACTION_NXDOMAIN,    /**< NXDOMAIN with a synthesized SOA */
	DNSREP_ACTION_NODATA,      /**< NOERROR, empty answer, synthesized SOA */
	DNSREP_ACTION_REFUSED,     /**< REFUSED */
	DNSREP_ACTION_SINKHOLE,    /**< A/AAAA with the sinkhole addresses */
	DNSREP_ACTION_LOG_ONLY     /**< resolve normally, log the lookup */
};

/** The format of a feed's content. */
enum dnsrep_format {
	DNSREP_FORMAT_AUTO = 0, /**< recognized from the content */
	DNSREP_FORMAT_PLAIN,    /**< one name per line, `*.name` for subtrees */
	DNSREP_FORMAT_HOSTS,    /**< hosts file lines */
	DNSREP_FORMAT_ADBLOCK,  /**< `||name^`, `@@||name^` */
	DNSREP_FORMAT_RPZ,      /**< an RPZ zone file */
	DNSREP_FORMAT_CSV       /**< domain,category,reason,date,source */
};

/** An address prefix: 10.0.0.0/8, 2001:db8::/32, 192.0.2.1 (= /32). */
struct dnsrep_cidr {
	int family;          /**< AF_INET or AF_INET6 */
	uint8_t addr[16];    /**< network byte order; 4 bytes used for AF_INET */
	unsigned prefix;     /**< prefix length in bits */
};

/** One `category-action:` line: the action for a category's entries. */
struct dnsrep_category_action {
	char *category;
	enum dnsrep_action action;
};

/** One `feed:` clause. */
struct dnsrep_feed_config {
	char *name;                 /**< unique; [A-Za-z0-9._-], 1..64 chars */
	char *source;               /**< file:///…, https://…, http://… */
	enum dnsrep_format format;  /**< default auto */
	char *category;             /**< default "blocklist" */
	enum dnsrep_action action;  /**< default: inherit the global action */
	char *reason;               /**< free text for the log, or NULL */
	int lookalike;              /**< protect against lookalikes of its names */
	enum dnsrep_action lookalike_action; /**< for lookalike matches; default log-only */
	struct dnsrep_lookalike_tuning lookalike_tuning; /**< lookalike-techniques; default all on */
	uint32_t refresh;           /**< seconds between fetches; default 3600 */
	double max_rejected;        /**< reject the feed when more than this share of lines is bad; default 0.05 */
	int allow_public_suffix;    /**< accept entries for the root or a bare public suffix */
	int wildcard_below;         /**< wildcard: below — "*.name" in plain and CSV feeds covers
				         only the names below name; default (subtree) name too */
	char *decl_file;            /**< where the clause starts, for messages */
	unsigned decl_line;
};

/** The whole of dnsrep.conf.  Every string is owned by the struct. */
struct dnsrep_config {
	char *resolver_id;      /**< names this resolver in logs; NULL: host name */
	char *log_file;         /**< the block log (JSON Lines) */
	char *snapshot_file;    /**< the last-known-good snapshot */
	enum dnsrep_action action; /**< global block action; default nxdomain */
	unsigned ede;           /**< EDE code: 15 blocked, 16 censored, 17 filtered */
	uint32_t negative_ttl;  /**< TTL of synthesized answers, seconds */
	uint8_t sinkhole_a[4];  /**< the sinkhole action's A record */
	uint8_t sinkhole_aaaa[16]; /**< the sinkhole action's AAAA record */
	struct dnsrep_category_action *category_actions; /**< by category, below feeds' own */
	size_t n_category_actions;
	struct dnsrep_cidr *exempt_clients; /**< never blocked */
	size_t n_exempt_clients;
	int log_exempt;         /**< log exempt clients' lookups of blocked names */
	int no_blocklist_servfail; /**< on-no-blocklist: servfail (1) or resolve (0, default):
				     what clients get while no blocklist has been loaded */
	uint32_t poll_interval; /**< seconds between checks of the feeds (files or Redis) */
	/* Redis: with no redis: line the plugin reads file:// feeds itself */
	char *redis;            /**< "host[:port]", "[v6addr]:port" or "/path/to/socket"; NULL: none */
	char *redis_primary;    /**< where writes go (heartbeats, the log stream) when redis:
				     is a read-only replica; NULL: redis: itself */
	char *redis_user;       /**< ACL user, or NULL */
	char *redis_password;   /**< or NULL */
	char *redis_prefix;     /**< key prefix; default "dnsrep:" */
	uint32_t redis_timeout; /**< seconds, connect and per command; default 2 */
	int redis_stream;       /**< also XADD block log records to PREFIXlog */
	unsigned redis_stream_maxlen; /**< the stream's approximate cap; default 1000000 */
	char *metrics_listen;   /**< the Prometheus endpoint, ADDRESS:PORT; NULL: none */
	/* the feeder (dnsrepctl sync) */
	char *ca_file;          /**< CA bundle for https feeds, or NULL for the system's */
	uint32_t fetch_timeout; /**< seconds for one fetch; default 300 */
	unsigned max_size_mib;  /**< the largest feed fetched, MiB; default 256 */
	double max_shrink;      /**< refuse a feed that shrank by more than this share; default 0.5 */
	/* lookalike detection */
	unsigned lookalike_min_length; /**< typo/affix/contains need labels this long; default 6 */
	int lookalike_two_edits;       /**< also two edits away (labels of 10 or more) */
	char **lookalike_affixes;      /**< lookalike-affix: words; NULL: the defaults */
	size_t n_lookalike_affixes;
	unsigned log_queue;     /**< block log records queued at most before drops */
	struct dnsrep_feed_config *feeds;
	size_t n_feeds;
};

/**
 * Read and check a dnsrep.conf.
 * @param path: the file.
 * @param out: on success, a new config for dnsrep_config_free().
 * @param err: on failure, "file:line: reason" (or "file: reason").
 * @return 0 on success, -1 on failure (and *out is untouched).
 */
int dnsrep_config_load(const char *path, struct dnsrep_config **out,
	char *err, size_t errlen);

/**
 * Parse a listening address: "127.0.0.1:9167" or "[::1]:9167" (numeric only; port
 * 1-65535).  @return 0, or -1 when it is not one.
 */
int dnsrep_listen_parse(const char *v, struct sockaddr_storage *ss, socklen_t *len);

/**
 * Parse dnsrep.conf text held in memory (for tests and `dnsrepctl`).
 * @param name: what to call the text in messages; includes are relative to
 *   its directory.
 */
int dnsrep_config_parse(const char *name, const char *text, size_t len,
	struct dnsrep_config **out, char *err, size_t errlen);

/** A config with every default and no feeds. NULL when out of memory. */
struct dnsrep_config *dnsrep_config_new(void);

/** Free a config and everything it owns.  NULL is fine. */
void dnsrep_config_free(struct dnsrep_config *cfg);

/**
 * Write every setting, defaults included, in dnsrep.conf's own syntax (what is not
 * set as a comment; the Redis password not shown): `dnsrepctl checkconf` prints it.
 */
void dnsrep_config_write(const struct dnsrep_config *cfg, FILE *out);

/** The config file to read: $DNSREP_CONF when set and not empty, else the default. */
const char *dnsrep_config_default_path(void);

/** Find a feed by name, or NULL. */
const struct dnsrep_feed_config *dnsrep_config_feed(const struct dnsrep_config *cfg,
	const char *name);

/** The keyword of an action ("nxdomain", …, "log-only"); "inherit" for 0. */
const char *dnsrep_action_name(enum dnsrep_action a);

/** The keyword of a format ("auto", "plain", …). */
const char *dnsrep_format_name(enum dnsrep_format f);

/**
 * Parse "addr" or "addr/len" (IPv4 or IPv6) into a prefix; a bare address is a
 * full-length prefix.  Host bits beyond the prefix must be zero (10.1.2.3/8 is
 * refused: almost always a typo).
 * @param why: on failure, a static reason ("not an IPv4 or IPv6 address", …).
 * @return 0, or -1 with why set (and *out undefined).
 */
int dnsrep_cidr_parse(const char *text, struct dnsrep_cidr *out, const char **why);

/**
 * The action for an entry: its feed's own action when the feed sets one, else the
 * action of its category (category-action:), else the global action.  meta_action
 * is what the snapshot holds for the entry: the feed's action, or, where the feed
 * (found in cfg by name) sets none, the entry's own — an RPZ record's NODATA, which
 * only refines a block by NXDOMAIN and never overrides a category's or the global
 * action (log-only stays log-only).
 */
enum dnsrep_action dnsrep_config_action(const struct dnsrep_config *cfg, const char *feed,
	enum dnsrep_action meta_action, const char *category);

/** Whether an address (family AF_INET/AF_INET6, bytes in network order) lies in a prefix. */
int dnsrep_cidr_contains(const struct dnsrep_cidr *c, int family, const uint8_t *addr);

#endif /* DNSREP_CONFIG_H */
