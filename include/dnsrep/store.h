/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dnsrep/store.h — the blocklist in Redis: what the feeder publishes and the
 * resolvers follow.
 *
 * Key schema (the prefix is configurable, default "dnsrep:"):
 *
 *   dnsrep:version             integer, incremented by every publish
 *   dnsrep:feeds               set of the published feed names
 *   dnsrep:feed:NAME           string: the feed's content, as fetched and accepted
 *   dnsrep:feedmeta:NAME       hash: version (of the last publish of this feed),
 *                              entries, rejected, format, digest (SHA-256 hex of the
 *                              content), source, etag, last_modified, synced_at (Unix
 *                              s), last_error, last_error_at (kept across publishes;
 *                              cleared by a successful sync), bytes, rejects (the
 *                              first rejected lines: "LINE: reason", one a line)
 *   dnsrep:changes             pub/sub channel: "VERSION NAME" after each publish
 *   dnsrep:resolver:ID         hash: version (loaded), names, loaded_at, heartbeat
 *                              (Unix s), error (why the resolver cannot follow the
 *                              data in Redis, "" when it can); expires when
 *                              heartbeats stop
 *   dnsrep:resolvers           set of resolver ids that ever sent a heartbeat
 *   dnsrep:log                 stream of block log records (field "r": the JSON line)
 *
 * A publish is one Lua script (EVAL): the content, the metadata, the version and the
 * notice change together, so a reader sees the old or the new version of a feed,
 * never half of one.
 */
#ifndef DNSREP_STORE_H
#define DNSREP_STORE_H

#include <stddef.h>
#include <stdint.h>

/** Where Redis is and how to talk to it. */
struct dnsrep_store_opts {
	const char *host;          /**< host name or address; NULL with unix_path */
	int port;                  /**< default 6379 */
	const char *unix_path;     /**< a unix socket instead of TCP, or NULL */
	const char *user;          /**< ACL user, or NULL (AUTH with the password alone) */
	const char *password;      /**< or NULL */
	const char *prefix;        /**< key prefix; default "dnsrep:" */
	long connect_timeout_ms;   /**< default 2000 */
	long timeout_ms;           /**< per command; default 5000 */
};

struct dnsrep_store;

/** A feed's metadata as stored in dnsrep:feedmeta:NAME. */
struct dnsrep_store_feedmeta {
	uint64_t version;          /**< 0: never published */
	uint64_t entries, rejected, bytes;
	int64_t synced_at;         /**< Unix seconds of the last successful publish */
	char format[16];
	char digest[65];           /**< SHA-256 hex of the content */
	char source[1024];
	char etag[256];
	char last_modified[128];
	char last_error[512];      /**< "" when the last sync succeeded */
	char rejects[1024];        /**< the first rejected lines of the published version,
				        "LINE: reason" each, one per line ("" when none) */
	int64_t last_error_at;
};

/** Options with the defaults (localhost:6379, "dnsrep:"). */
void dnsrep_store_opts_init(struct dnsrep_store_opts *o);

/**
 * Connect (and AUTH).  @return the connection, or NULL with err set
 * ("redis 127.0.0.1:6379: Connection refused", "…: WRONGPASS …").
 */
struct dnsrep_store *dnsrep_store_connect(const struct dnsrep_store_opts *o, char *err, size_t errlen);

/** Close.  NULL is fine. */
void dnsrep_store_close(struct dnsrep_store *s);

/** Change the per-command timeout of a connection (ms; see opts).  NULL is fine. */
void dnsrep_store_set_timeout(struct dnsrep_store *s, long timeout_ms);

/**
 * Whether the connection is unusable after a failed call (I/O error, timeout, closed
 * by the server, protocol error: close it and connect again), as opposed to a data
 * error — a key of the wrong type, a value that does not parse, an error reply —
 * after which the connection is still good.  An error reply that says Redis is not
 * ready (LOADING, BUSY, MASTERDOWN, TRYAGAIN) counts as broken: reconnect later.
 * 1 for NULL.
 */
int dnsrep_store_broken(const struct dnsrep_store *s);

/**
 * Publish one feed atomically: content, metadata (version set by the script), the
 * global version, the feeds set, then PUBLISH "VERSION NAME".
 * meta->version is ignored; last_error is cleared.
 * @return the new global version, or 0 with err set.
 */
uint64_t dnsrep_store_publish(struct dnsrep_store *s, const char *feed, const char *data,
	size_t len, const struct dnsrep_store_feedmeta *meta, char *err, size_t errlen);

/** Record a failed sync of a feed (last_error, last_error_at) without touching its content. */
int dnsrep_store_record_error(struct dnsrep_store *s, const char *feed, const char *error,
	char *err, size_t errlen);

/** The global version (0 when nothing was published).  -1 on error. */
int dnsrep_store_version(struct dnsrep_store *s, uint64_t *version, char *err, size_t errlen);

/**
 * A feed's metadata.  @return 1 when the feed was published, 0 when it is not in
 * Redis, -1 on error.
 */
int dnsrep_store_feedmeta(struct dnsrep_store *s, const char *feed,
	struct dnsrep_store_feedmeta *meta, char *err, size_t errlen);

/**
 * A feed's content and the version it was published with, read in one MULTI/EXEC
 * so the two agree.  @return 1 (data malloc'd, NUL-terminated; free it), 0 when not
 * in Redis, -1 on error.
 */
int dnsrep_store_get_feed(struct dnsrep_store *s, const char *feed, char **data, size_t *len,
	uint64_t *version, char *err, size_t errlen);

/**
 * Whether the resolvers can read what is published for a feed: dnsrep:version a
 * number (or absent) and dnsrep:feed:NAME a string (or absent).  @return 1, 0 when
 * not (err says which key holds what), -1 when the connection failed.
 */
int dnsrep_store_feed_readable(struct dnsrep_store *s, const char *feed, char *err, size_t errlen);

/** The published feed names (malloc'd array of malloc'd strings).  -1 on error. */
int dnsrep_store_feeds(struct dnsrep_store *s, char ***names, size_t *n, char *err, size_t errlen);

/** Free what dnsrep_store_feeds returned. */
void dnsrep_store_free_names(char **names, size_t n);

/**
 * A resolver's heartbeat: HSET dnsrep:resolver:ID version names loaded_at heartbeat
 * error figures, EXPIRE ttl_s, SADD dnsrep:resolvers ID.  figures: the resolver's
 * counters as one JSON object (or NULL).  -1 on error.
 */
int dnsrep_store_heartbeat(struct dnsrep_store *s, const char *resolver, uint64_t version,
	uint64_t names, int64_t loaded_at, const char *error, const char *figures, unsigned ttl_s,
	char *err, size_t errlen);

/** One resolver as `dnsrepctl status` shows it. */
struct dnsrep_store_resolver {
	char id[256];
	uint64_t version, names;
	int64_t loaded_at, heartbeat;  /**< heartbeat 0: expired (no recent heartbeat) */
	char error[512];               /**< why it cannot follow Redis's data, or "" */
	char figures[2048];            /**< its counters, a JSON object, or "" (older versions) */
};

/** The resolvers that ever sent a heartbeat (malloc'd array).  -1 on error. */
int dnsrep_store_resolvers(struct dnsrep_store *s, struct dnsrep_store_resolver **out, size_t *n,
	char *err, size_t errlen);

/**
 * Subscribe this connection to the change channel; afterwards use only
 * dnsrep_store_wait_change on it.  -1 on error.
 */
int dnsrep_store_subscribe(struct dnsrep_store *s, char *err, size_t errlen);

/**
 * Wait up to timeout_ms for a change notice on a subscribed connection.
 * @return 1 with the notice's version, 0 on timeout, -1 on error (reconnect).
 */
int dnsrep_store_wait_change(struct dnsrep_store *s, long timeout_ms, uint64_t *version,
	char *err, size_t errlen);

/** Append block log lines to the stream: XADD dnsrep:log MAXLEN ~ maxlen * r LINE, pipelined. */
int dnsrep_store_log(struct dnsrep_store *s, const char *const *lines, const size_t *lens,
	size_t n, uint64_t maxlen, char *err, size_t errlen);

/**
 * Read the stream from the start (or after last_id, "" for the start), up to count
 * entries: each line is handed to fn.  Returns the number read, -1 on error;
 * last_id is updated (give a buffer of 64 bytes).
 */
long dnsrep_store_read_log(struct dnsrep_store *s, char *last_id, long count,
	void (*fn)(void *ctx, const char *line, size_t len), void *ctx, char *err, size_t errlen);

#endif /* DNSREP_STORE_H */
