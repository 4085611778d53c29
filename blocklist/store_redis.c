/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * store_redis.c — the blocklist in Redis (see dnsrep/store.h for the key schema):
 * what `dnsrepctl sync` publishes and what every resolver follows, over hiredis'
 * synchronous API (0.14, Debian 12).
 *
 * Why it is written the way it is:
 *
 * - Every command goes out with redisCommandArgv or redisAppendCommandArgv, each
 *   argument with its length: feed contents, feed names and log lines are
 *   binary-safe and never pass through a format string.
 * - A publish is one EVAL of a small Lua script, so the content, the metadata, the
 *   version counter, the feeds set and the PUBLISH change as one.  The script is
 *   sent with EVAL every time rather than cached with EVALSHA: its text is a few
 *   hundred bytes next to a content of up to hundreds of MB, and a NOSCRIPT retry
 *   would send that content twice.
 * - Reading a feed is MULTI / GET / HGET version / EXEC, pipelined: the content and
 *   its version come from the same moment.
 * - Every reply's type is checked; a reply of the wrong type is an error, never a
 *   crash.  Every string from Redis that lands in a fixed struct field is copied
 *   with a bound.
 * - Timeouts: the connect timeout is hiredis'; the per-command timeout is the
 *   socket's SO_RCVTIMEO/SO_SNDTIMEO (redisSetTimeout).  hiredis 0.14 treats a read
 *   timeout as a fatal I/O error (c->err stays set and the context fails every
 *   later call), so dnsrep_store_wait_change never lets a read time out inside
 *   hiredis: it first takes any reply already buffered in hiredis' reader, then
 *   waits with poll(2) on the socket, and calls redisGetReply only once data has
 *   arrived.  A wait that times out leaves the connection usable.
 * - After an I/O error (connection lost, command timeout) the connection is dead:
 *   every later call fails with the same message; the caller reconnects.
 * - hiredis writes with write(2): a peer that closed the connection raises SIGPIPE.
 *   A library must not change the process' signal dispositions, so programs using
 *   this file ignore SIGPIPE (Unbound does already).
 * - A connection is used by one thread at a time (the refresher keeps one for
 *   commands and one subscribed).
 *
 * Why one file of ~1,200 lines: it is one concept, the key schema of
 * dnsrep/store.h, and every function of it uses the private connection struct and
 * the reply checks above it; split, those would become a header of internals.
 *
 * No global mutable state: everything lives in struct dnsrep_store.  Nothing is
 * printed; errors go to the caller's buffer as "redis HOST:PORT: reason" (or
 * "redis /path/to/socket: reason").
 */
#include "dnsrep/store.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include <hiredis/hiredis.h>

/** Room for a key: the prefix, a kind ("feedmeta:") and a name. */
#define STORE_KEY_MAX 1024

struct dnsrep_store {
	redisContext *c;
	char where[300];          /**< "redis 127.0.0.1:6379" or "redis /run/redis.sock" */
	char prefix[256];
	struct timeval timeout;   /**< per command */
	int subscribed;           /**< after SUBSCRIBE only wait_change is allowed */
	int transient;            /**< the last error reply said Redis is not ready (LOADING…) */
};

/* ---- errors -------------------------------------------------------------------- */

/** Write "redis WHERE: " and the formatted reason into err. */
static void store_error(const struct dnsrep_store *s, char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void store_error(const struct dnsrep_store *s, char *err, size_t errlen, const char *fmt, ...)
{
	if (!err || errlen == 0)
		return;
	int n = snprintf(err, errlen, "%s: ", s->where);
	if (n < 0 || (size_t)n >= errlen)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
}

/** The error of a failed hiredis call: the context's I/O or protocol error. */
static void context_error(const struct dnsrep_store *s, const char *what, char *err, size_t errlen)
{
	const redisContext *c = s->c;
	if (c && c->err == REDIS_ERR_IO && (errno == EAGAIN || errno == EWOULDBLOCK ||
					    strstr(c->errstr, "temporarily unavailable")))
		store_error(s, err, errlen, "%s: timed out", what);
	else if (c && c->err == REDIS_ERR_EOF)
		store_error(s, err, errlen, "%s: connection closed by the server", what);
	else if (c && c->err && c->errstr[0])
		store_error(s, err, errlen, "%s: %s", what, c->errstr);
	else
		store_error(s, err, errlen, "%s: %s", what, c ? "I/O error" : "not connected");
}

/** What a reply of a type is called in an error message. */
static const char *reply_type_name(int type)
{
	switch (type) {
	case REDIS_REPLY_STRING: return "a string";
	case REDIS_REPLY_ARRAY: return "an array";
	case REDIS_REPLY_INTEGER: return "an integer";
	case REDIS_REPLY_NIL: return "nil";
	case REDIS_REPLY_STATUS: return "a status";
	case REDIS_REPLY_ERROR: return "an error";
	default: return "a reply of an unknown type";
	}
}

/**
 * Check a reply: NULL (the context failed) and error replies are errors, named with
 * what (the command) and key (its key, or NULL), with Redis's own text
 * ("GET dnsrep:version: WRONGTYPE Operation against a key holding the wrong kind of value").
 * @return 0 when the reply may be used.
 */
static int reply_check(const struct dnsrep_store *s, const redisReply *r, const char *what,
	const char *key, char *err, size_t errlen)
{
	if (!r) {
		context_error(s, what, err, errlen);
		return -1;
	}
	if (r->type == REDIS_REPLY_ERROR) {
		store_error(s, err, errlen, "%s%s%s: %.*s", what, key ? " " : "", key ? key : "",
			(int)(r->len < 400 ? r->len : 400), r->str ? r->str : "");
		/* a Redis that loads its data, runs a script, lost its primary: not the
		 * data's fault; the caller reconnects with backoff (see broken) */
		static const char *const transient[] = { "LOADING", "BUSY", "MASTERDOWN", "TRYAGAIN" };
		for (size_t i = 0; i < sizeof(transient) / sizeof(transient[0]); i++)
			if (r->str && strncmp(r->str, transient[i], strlen(transient[i])) == 0)
				((struct dnsrep_store *)s)->transient = 1;
		return -1;
	}
	return 0;
}

/**
 * A reply of an unexpected type: Redis's error text when it is an error reply (inside
 * MULTI/EXEC an error comes as an element), else what was found.
 */
static void type_error(const struct dnsrep_store *s, const redisReply *r, const char *what,
	char *err, size_t errlen)
{
	if (r && r->type == REDIS_REPLY_ERROR)
		store_error(s, err, errlen, "%s: %.*s", what, (int)(r->len < 400 ? r->len : 400),
			r->str ? r->str : "");
	else
		store_error(s, err, errlen, "%s: unexpected reply, %s", what,
			r ? reply_type_name(r->type) : "none");
}

int dnsrep_store_broken(const struct dnsrep_store *s)
{
	return !s || !s->c || s->c->err != 0 || s->transient;
}

/* ---- small helpers ------------------------------------------------------------------ */

/** prefix + kind + name into key.  @return the length, or -1 (too long). */
static int key_make(const struct dnsrep_store *s, char key[STORE_KEY_MAX], const char *kind,
	const char *name, char *err, size_t errlen)
{
	int n = snprintf(key, STORE_KEY_MAX, "%s%s%s", s->prefix, kind, name ? name : "");
	if (n < 0 || n >= STORE_KEY_MAX) {
		store_error(s, err, errlen, "key %s%s… too long", s->prefix, kind);
		return -1;
	}
	return n;
}

/** Copy a reply's string into a fixed field, truncated to fit, always terminated. */
static void copy_bounded(char *dst, size_t dstlen, const redisReply *r)
{
	size_t n = r->str ? r->len : 0;
	if (n >= dstlen)
		n = dstlen - 1;
	if (n)
		memcpy(dst, r->str, n);
	dst[n] = 0;
}

/** Parse an unsigned decimal of exactly len bytes.  @return 0, -1 when not one. */
static int parse_u64(const char *p, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	if (!p || len == 0 || len > 20)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		unsigned d = (unsigned)(p[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

/** Parse a signed decimal of exactly len bytes. */
static int parse_i64(const char *p, size_t len, int64_t *out)
{
	uint64_t v;
	if (p && len > 0 && p[0] == '-') {
		if (parse_u64(p + 1, len - 1, &v) < 0 || v > (uint64_t)INT64_MAX + 1)
			return -1;
		*out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
		return 0;
	}
	if (parse_u64(p, len, &v) < 0 || v > (uint64_t)INT64_MAX)
		return -1;
	*out = (int64_t)v;
	return 0;
}

/** A string or integer reply as an unsigned number; "" as 0. */
static int reply_u64(const redisReply *r, uint64_t *out)
{
	if (r->type == REDIS_REPLY_INTEGER) {
		if (r->integer < 0)
			return -1;
		*out = (uint64_t)r->integer;
		return 0;
	}
	if (r->type == REDIS_REPLY_STRING && r->len == 0) {
		*out = 0;
		return 0;
	}
	if (r->type == REDIS_REPLY_STRING)
		return parse_u64(r->str, r->len, out);
	return -1;
}

/** A string or integer reply as a signed number; "" as 0. */
static int reply_i64(const redisReply *r, int64_t *out)
{
	if (r->type == REDIS_REPLY_INTEGER) {
		*out = r->integer;
		return 0;
	}
	if (r->type == REDIS_REPLY_STRING && r->len == 0) {
		*out = 0;
		return 0;
	}
	if (r->type == REDIS_REPLY_STRING)
		return parse_i64(r->str, r->len, out);
	return -1;
}

/** Does a string reply equal the C string str? */
static int reply_is(const redisReply *r, const char *str)
{
	size_t n = strlen(str);
	return r && (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS) &&
	       r->len == n && r->str && memcmp(r->str, str, n) == 0;
}

/** Refuse commands on a subscribed connection (Redis would refuse them too). */
static int not_subscribed(const struct dnsrep_store *s, const char *what, char *err, size_t errlen)
{
	if (s->subscribed) {
		store_error(s, err, errlen, "%s: connection is subscribed", what);
		return -1;
	}
	return 0;
}

/**
 * The key a command works on, to name in an error, or NULL: only for commands whose
 * first argument is a key (never AUTH's password, nor EVAL's script).
 */
static const char *command_key(int argc, const char *const *argv)
{
	static const char *const keyed[] = { "GET", "SET", "HGET", "HGETALL", "HSET", "TYPE",
					     "SMEMBERS", "SADD", "EXPIRE", "XADD", "XRANGE", "DEL" };
	if (argc < 2)
		return NULL;
	for (size_t i = 0; i < sizeof(keyed) / sizeof(keyed[0]); i++)
		if (strcmp(argv[0], keyed[i]) == 0)
			return argv[1];
	return NULL;
}

/** Run one command (argv with lengths).  @return the checked reply, or NULL with err. */
static redisReply *command(struct dnsrep_store *s, int argc, const char **argv, const size_t *lens,
	char *err, size_t errlen)
{
	if (not_subscribed(s, argv[0], err, errlen) < 0)
		return NULL;
	redisReply *r = redisCommandArgv(s->c, argc, argv, lens);
	if (reply_check(s, r, argv[0], command_key(argc, argv), err, errlen) < 0) {
		if (r)
			freeReplyObject(r);
		return NULL;
	}
	return r;
}

/**
 * Send n commands, then read one reply per command into replies, each checked for
 * an error reply.  @return 0, or -1 with err and every reply freed.
 */
static int pipeline(struct dnsrep_store *s, size_t n, const int *argc, const char **const argv[],
	const size_t *const lens[], redisReply **replies, char *err, size_t errlen)
{
	if (n == 0)
		return 0;
	if (not_subscribed(s, argv[0][0], err, errlen) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		replies[i] = NULL;
	for (size_t i = 0; i < n; i++) {
		if (redisAppendCommandArgv(s->c, argc[i], argv[i], lens[i]) != REDIS_OK) {
			context_error(s, argv[i][0], err, errlen);
			return -1;
		}
	}
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		void *reply = NULL;
		if (redisGetReply(s->c, &reply) != REDIS_OK || !reply) {
			context_error(s, argv[i][0], err, errlen);
			rc = -1;
			break; /* the connection is dead: the other replies will not come */
		}
		replies[i] = reply;
		if (rc == 0 && reply_check(s, reply, argv[i][0], command_key(argc[i], argv[i]),
					   err, errlen) < 0)
			rc = -1; /* keep reading: a live connection's replies must be consumed */
	}
	if (rc < 0)
		for (size_t i = 0; i < n; i++) {
			if (replies[i])
				freeReplyObject(replies[i]);
			replies[i] = NULL;
		}
	return rc;
}

/** A C string argument: pointer and length. */
#define ARG(i, str) (argv[i] = (str), lens[i] = strlen(argv[i]))

/* ---- connect --------------------------------------------------------------------- */

void dnsrep_store_opts_init(struct dnsrep_store_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->host = "localhost";
	o->port = 6379;
	o->prefix = "dnsrep:";
	o->connect_timeout_ms = 2000;
	o->timeout_ms = 5000;
}

static struct timeval ms_to_tv(long ms)
{
	struct timeval tv;
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	return tv;
}

void dnsrep_store_set_timeout(struct dnsrep_store *s, long timeout_ms)
{
	if (!s || !s->c)
		return;
	if (timeout_ms <= 0) {
		struct dnsrep_store_opts d;
		dnsrep_store_opts_init(&d);
		timeout_ms = d.timeout_ms;
	}
	s->timeout = ms_to_tv(timeout_ms);
	redisSetTimeout(s->c, s->timeout);
}

/** AUTH [user] password.  @return 0, -1 with err (the server's message). */
static int store_auth(struct dnsrep_store *s, const char *user, const char *password,
	char *err, size_t errlen)
{
	const char *argv[3];
	size_t lens[3];
	int argc = 0;
	ARG(argc, "AUTH"), argc++;
	if (user && *user)
		ARG(argc, user), argc++;
	ARG(argc, password), argc++;
	redisReply *r = command(s, argc, argv, lens, err, errlen);
	if (!r)
		return -1;
	freeReplyObject(r);
	return 0;
}

/*
 * Timeouts <= 0 and port <= 0 mean the defaults.  A user without a password is
 * ignored (AUTH needs the password).
 */
struct dnsrep_store *dnsrep_store_connect(const struct dnsrep_store_opts *o, char *err, size_t errlen)
{
	struct dnsrep_store_opts d;
	dnsrep_store_opts_init(&d);
	const char *host = o->host && *o->host ? o->host : d.host;
	int port = o->port > 0 ? o->port : d.port;
	const char *prefix = o->prefix ? o->prefix : d.prefix;
	long cto = o->connect_timeout_ms > 0 ? o->connect_timeout_ms : d.connect_timeout_ms;
	long to = o->timeout_ms > 0 ? o->timeout_ms : d.timeout_ms;
	int unix_socket = o->unix_path && *o->unix_path;

	struct dnsrep_store *s = calloc(1, sizeof(*s));
	if (!s) {
		if (err && errlen)
			snprintf(err, errlen, "redis: out of memory");
		return NULL;
	}
	if (unix_socket)
		snprintf(s->where, sizeof(s->where), "redis %s", o->unix_path);
	else if (strchr(host, ':'))
		snprintf(s->where, sizeof(s->where), "redis [%s]:%d", host, port);
	else
		snprintf(s->where, sizeof(s->where), "redis %s:%d", host, port);
	if (strlen(prefix) >= sizeof(s->prefix)) {
		store_error(s, err, errlen, "key prefix too long");
		free(s);
		return NULL;
	}
	strcpy(s->prefix, prefix);
	s->timeout = ms_to_tv(to);

	s->c = unix_socket ? redisConnectUnixWithTimeout(o->unix_path, ms_to_tv(cto))
			   : redisConnectWithTimeout(host, port, ms_to_tv(cto));
	if (!s->c) {
		store_error(s, err, errlen, "out of memory");
		free(s);
		return NULL;
	}
	if (s->c->err) {
		store_error(s, err, errlen, "%s", s->c->errstr[0] ? s->c->errstr : "cannot connect");
		dnsrep_store_close(s);
		return NULL;
	}
	if (redisSetTimeout(s->c, s->timeout) != REDIS_OK) {
		context_error(s, "setting the timeout", err, errlen);
		dnsrep_store_close(s);
		return NULL;
	}
	if (!unix_socket)
		(void)redisEnableKeepAlive(s->c); /* a dead peer ends a long SUBSCRIBE wait */
	if (o->password && store_auth(s, o->user, o->password, err, errlen) < 0) {
		dnsrep_store_close(s);
		return NULL;
	}
	return s;
}

void dnsrep_store_close(struct dnsrep_store *s)
{
	if (!s)
		return;
	if (s->c)
		redisFree(s->c);
	free(s);
}

/* ---- publish ---------------------------------------------------------------------- */

/*
 * KEYS: 1 feed content, 2 feed meta, 3 version, 4 feeds set.
 * ARGV: 1 content, 2 feed name, 3 channel, 4.. meta field/value pairs.
 * Redis does not roll a script back when a call fails half-way, so the script
 * first checks everything that could make a later call fail (a key of the wrong
 * type, a version that is not an integer) and only then writes.
 */
static const char publish_script[] =
	"local want = {[2] = 'hash', [3] = 'string', [4] = 'set'}\n"
	"for i = 2, 4 do\n"
	"  local t = redis.call('TYPE', KEYS[i])['ok']\n"
	"  if t ~= 'none' and t ~= want[i] then\n"
	"    return redis.error_reply('WRONGTYPE ' .. KEYS[i] .. ' holds a ' .. t .. ', not a ' .. want[i])\n"
	"  end\n"
	"end\n"
	"local cur = redis.call('GET', KEYS[3])\n"
	"if cur and not string.match(cur, '^%d+$') then\n"
	"  return redis.error_reply('ERR ' .. KEYS[3] .. ' is not a version number')\n"
	"end\n"
	"redis.call('SET', KEYS[1], ARGV[1])\n"
	"local v = redis.call('INCR', KEYS[3])\n"
	"local h = {'version', tostring(v)}\n"
	"for i = 4, #ARGV do h[#h + 1] = ARGV[i] end\n"
	"redis.call('HSET', KEYS[2], unpack(h))\n"
	"redis.call('HDEL', KEYS[2], 'last_error', 'last_error_at')\n"
	"redis.call('SADD', KEYS[4], ARGV[2])\n"
	"redis.call('PUBLISH', ARGV[3], tostring(v) .. ' ' .. ARGV[2])\n"
	"return v\n";

/* meta->bytes is stored as given (the caller's count); NULL meta publishes zeros. */
uint64_t dnsrep_store_publish(struct dnsrep_store *s, const char *feed, const char *data,
	size_t len, const struct dnsrep_store_feedmeta *meta, char *err, size_t errlen)
{
	static const struct dnsrep_store_feedmeta no_meta;
	char kfeed[STORE_KEY_MAX], kmeta[STORE_KEY_MAX], kver[STORE_KEY_MAX], kfeeds[STORE_KEY_MAX];
	char kchan[STORE_KEY_MAX];
	if (key_make(s, kfeed, "feed:", feed, err, errlen) < 0 ||
	    key_make(s, kmeta, "feedmeta:", feed, err, errlen) < 0 ||
	    key_make(s, kver, "version", NULL, err, errlen) < 0 ||
	    key_make(s, kfeeds, "feeds", NULL, err, errlen) < 0 ||
	    key_make(s, kchan, "changes", NULL, err, errlen) < 0)
		return 0;
	if (!meta)
		meta = &no_meta;

	char entries[24], rejected[24], bytes[24], synced[24];
	snprintf(entries, sizeof(entries), "%" PRIu64, meta->entries);
	snprintf(rejected, sizeof(rejected), "%" PRIu64, meta->rejected);
	snprintf(bytes, sizeof(bytes), "%" PRIu64, meta->bytes);
	snprintf(synced, sizeof(synced), "%" PRId64, meta->synced_at);

	const char *argv[32];
	size_t lens[32];
	int i = 0;
	ARG(i, "EVAL"), i++;
	ARG(i, publish_script), i++;
	ARG(i, "4"), i++;
	ARG(i, kfeed), i++;
	ARG(i, kmeta), i++;
	ARG(i, kver), i++;
	ARG(i, kfeeds), i++;
	argv[i] = data ? data : "", lens[i] = data ? len : 0, i++;
	ARG(i, feed), i++;
	ARG(i, kchan), i++;
	/* The struct's text fields are fixed arrays: bound each by its size. */
#define FIELD(name, value) (ARG(i, name), i++, ARG(i, value), i++)
#define FIELD_FIXED(name, arr) (ARG(i, name), i++, argv[i] = (arr), \
	lens[i] = strnlen((arr), sizeof(arr)), i++)
	FIELD("entries", entries);
	FIELD("rejected", rejected);
	FIELD("bytes", bytes);
	FIELD("synced_at", synced);
	FIELD_FIXED("format", meta->format);
	FIELD_FIXED("digest", meta->digest);
	FIELD_FIXED("source", meta->source);
	FIELD_FIXED("etag", meta->etag);
	FIELD_FIXED("last_modified", meta->last_modified);
	FIELD_FIXED("rejects", meta->rejects);
#undef FIELD
#undef FIELD_FIXED

	redisReply *r = command(s, i, argv, lens, err, errlen);
	if (!r)
		return 0;
	uint64_t v = 0;
	if (r->type != REDIS_REPLY_INTEGER || r->integer <= 0)
		type_error(s, r, "EVAL (publish)", err, errlen);
	else
		v = (uint64_t)r->integer;
	freeReplyObject(r);
	return v;
}

int dnsrep_store_record_error(struct dnsrep_store *s, const char *feed, const char *error,
	char *err, size_t errlen)
{
	char kmeta[STORE_KEY_MAX], now[24];
	if (key_make(s, kmeta, "feedmeta:", feed, err, errlen) < 0)
		return -1;
	snprintf(now, sizeof(now), "%" PRId64, (int64_t)time(NULL));
	const char *argv[6];
	size_t lens[6];
	ARG(0, "HSET");
	ARG(1, kmeta);
	ARG(2, "last_error");
	ARG(3, error ? error : "");
	ARG(4, "last_error_at");
	ARG(5, now);
	redisReply *r = command(s, 6, argv, lens, err, errlen);
	if (!r)
		return -1;
	int rc = r->type == REDIS_REPLY_INTEGER ? 0 : -1;
	if (rc < 0)
		type_error(s, r, "HSET", err, errlen);
	freeReplyObject(r);
	return rc;
}

/* ---- reads --------------------------------------------------------------------------- */

/**
 * CMD on the one key prefix+kind+name (written into key).  @return the checked reply,
 * or NULL with err (the key too long, or the command failed).
 */
static redisReply *key_command(struct dnsrep_store *s, const char *cmd, const char *kind,
	const char *name, char key[STORE_KEY_MAX], char *err, size_t errlen)
{
	if (key_make(s, key, kind, name, err, errlen) < 0)
		return NULL;
	const char *argv[2];
	size_t lens[2];
	ARG(0, cmd);
	ARG(1, key);
	return command(s, 2, argv, lens, err, errlen);
}

int dnsrep_store_version(struct dnsrep_store *s, uint64_t *version, char *err, size_t errlen)
{
	char kver[STORE_KEY_MAX];
	redisReply *r = key_command(s, "GET", "version", NULL, kver, err, errlen);
	if (!r)
		return -1;
	int rc = 0;
	if (r->type == REDIS_REPLY_NIL) {
		*version = 0;
	} else if (r->type != REDIS_REPLY_STRING || parse_u64(r->str, r->len, version) < 0) {
		store_error(s, err, errlen, "%s is not a version number: %s%.*s%s", kver,
			r->type == REDIS_REPLY_STRING ? "\"" : reply_type_name(r->type),
			r->type == REDIS_REPLY_STRING ? (int)(r->len < 40 ? r->len : 40) : 0,
			r->type == REDIS_REPLY_STRING ? r->str : "",
			r->type == REDIS_REPLY_STRING ? "\"" : "");
		rc = -1;
	}
	freeReplyObject(r);
	return rc;
}

int dnsrep_store_feed_readable(struct dnsrep_store *s, const char *feed, char *err, size_t errlen)
{
	uint64_t version;
	if (dnsrep_store_version(s, &version, err, errlen) < 0)
		return dnsrep_store_broken(s) ? -1 : 0;
	char kfeed[STORE_KEY_MAX];
	redisReply *r = key_command(s, "TYPE", "feed:", feed, kfeed, err, errlen);
	if (!r)
		return dnsrep_store_broken(s) ? -1 : 0;
	int rc = 1;
	if (!reply_is(r, "string") && !reply_is(r, "none")) {
		store_error(s, err, errlen, "%s holds a %.*s, not a string", kfeed,
			(int)(r->str && r->len < 32 ? r->len : 0), r->str ? r->str : "");
		rc = 0;
	}
	freeReplyObject(r);
	return rc;
}

/**
 * Check that a reply is a flat array of string name/value pairs (HGETALL, a stream
 * entry's fields).
 */
static int check_pairs(const struct dnsrep_store *s, const redisReply *r, const char *what,
	char *err, size_t errlen)
{
	if (!r || r->type != REDIS_REPLY_ARRAY || r->elements % 2) {
		type_error(s, r, what, err, errlen);
		return -1;
	}
	for (size_t i = 0; i < r->elements; i++)
		if (!r->element[i] || r->element[i]->type != REDIS_REPLY_STRING) {
			type_error(s, r->element[i], what, err, errlen);
			return -1;
		}
	return 0;
}

/** Fill one feedmeta field from a name/value pair of HGETALL.  Unknown names are ignored. */
static int feedmeta_field(struct dnsrep_store_feedmeta *m, const redisReply *k, const redisReply *v)
{
	const struct { const char *name; uint64_t *u; } nums[] = {
		{ "version", &m->version }, { "entries", &m->entries },
		{ "rejected", &m->rejected }, { "bytes", &m->bytes },
	};
	const struct { const char *name; int64_t *i; } times[] = {
		{ "synced_at", &m->synced_at }, { "last_error_at", &m->last_error_at },
	};
	const struct { const char *name; char *dst; size_t size; } texts[] = {
		{ "format", m->format, sizeof(m->format) },
		{ "digest", m->digest, sizeof(m->digest) },
		{ "source", m->source, sizeof(m->source) },
		{ "etag", m->etag, sizeof(m->etag) },
		{ "last_modified", m->last_modified, sizeof(m->last_modified) },
		{ "last_error", m->last_error, sizeof(m->last_error) },
		{ "rejects", m->rejects, sizeof(m->rejects) },
	};
	for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++)
		if (reply_is(k, nums[i].name))
			return reply_u64(v, nums[i].u);
	for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++)
		if (reply_is(k, times[i].name))
			return reply_i64(v, times[i].i);
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		if (reply_is(k, texts[i].name)) {
			copy_bounded(texts[i].dst, texts[i].size, v);
			return 0;
		}
	return 0;
}

/*
 * The hash also exists for a feed that only ever failed (record_error without a
 * publish): then the result is 0 (not published), but meta is filled all the same,
 * so that last_error can be shown.
 */
int dnsrep_store_feedmeta(struct dnsrep_store *s, const char *feed,
	struct dnsrep_store_feedmeta *meta, char *err, size_t errlen)
{
	char kmeta[STORE_KEY_MAX];
	redisReply *r = key_command(s, "HGETALL", "feedmeta:", feed, kmeta, err, errlen);
	if (!r)
		return -1;
	memset(meta, 0, sizeof(*meta));
	int rc = -1;
	if (check_pairs(s, r, "HGETALL", err, errlen) < 0)
		goto out;
	for (size_t i = 0; i < r->elements; i += 2) {
		const redisReply *k = r->element[i], *v = r->element[i + 1];
		if (feedmeta_field(meta, k, v) < 0) {
			store_error(s, err, errlen, "%s: field %.*s is not a number: %.*s", kmeta,
				(int)(k->len < 64 ? k->len : 64), k->str,
				(int)(v->len < 64 ? v->len : 64), v->str);
			goto out;
		}
	}
	rc = meta->version > 0 ? 1 : 0;
out:
	if (rc < 0)
		memset(meta, 0, sizeof(*meta));
	freeReplyObject(r);
	return rc;
}

int dnsrep_store_get_feed(struct dnsrep_store *s, const char *feed, char **data, size_t *len,
	uint64_t *version, char *err, size_t errlen)
{
	char kfeed[STORE_KEY_MAX], kmeta[STORE_KEY_MAX];
	if (key_make(s, kfeed, "feed:", feed, err, errlen) < 0 ||
	    key_make(s, kmeta, "feedmeta:", feed, err, errlen) < 0)
		return -1;
	const char *multi[] = { "MULTI" }, *exec[] = { "EXEC" };
	const char *get[] = { "GET", kfeed }, *hget[] = { "HGET", kmeta, "version" };
	const size_t multi_l[] = { 5 }, exec_l[] = { 4 };
	const size_t get_l[] = { 3, strlen(kfeed) }, hget_l[] = { 4, strlen(kmeta), 7 };
	const int argc[] = { 1, 2, 3, 1 };
	const char **const argv[] = { multi, get, hget, exec };
	const size_t *const lens[] = { multi_l, get_l, hget_l, exec_l };
	redisReply *r[4];
	if (pipeline(s, 4, argc, argv, lens, r, err, errlen) < 0)
		return -1;

	int rc = -1;
	redisReply *x = r[3];
	if (x->type != REDIS_REPLY_ARRAY || x->elements != 2 || !x->element[0] || !x->element[1]) {
		type_error(s, x, "EXEC", err, errlen); /* NIL: the transaction was aborted */
		goto out;
	}
	redisReply *content = x->element[0], *ver = x->element[1];
	if (content->type == REDIS_REPLY_NIL || ver->type == REDIS_REPLY_NIL) {
		rc = 0;
		goto out;
	}
	if (content->type != REDIS_REPLY_STRING || !content->str) {
		type_error(s, content, kfeed, err, errlen);
		goto out;
	}
	if (ver->type == REDIS_REPLY_ERROR) {
		type_error(s, ver, kmeta, err, errlen);
		goto out;
	}
	if (ver->type != REDIS_REPLY_STRING || parse_u64(ver->str, ver->len, version) < 0) {
		store_error(s, err, errlen, "%s: version is not a number", kmeta);
		goto out;
	}
	/*
	 * Hand over hiredis' own buffer rather than copy a content of up to hundreds of
	 * MB: hiredis 0.14 allocates a string reply with malloc and ends it with a NUL,
	 * and freeReplyObject frees a NULL str without harm.
	 */
	*len = content->len;
	*data = content->str;
	content->str = NULL;
	content->len = 0;
	rc = 1;
out:
	for (int i = 0; i < 4; i++)
		freeReplyObject(r[i]);
	return rc;
}

/** A set's members (SMEMBERS key) as malloc'd strings. */
static int smembers(struct dnsrep_store *s, const char *key, char ***names, size_t *n,
	char *err, size_t errlen)
{
	const char *argv[2];
	size_t lens[2];
	ARG(0, "SMEMBERS");
	ARG(1, key);
	*names = NULL;
	*n = 0;
	redisReply *r = command(s, 2, argv, lens, err, errlen);
	if (!r)
		return -1;
	if (r->type != REDIS_REPLY_ARRAY) {
		type_error(s, r, "SMEMBERS", err, errlen);
		freeReplyObject(r);
		return -1;
	}
	char **out = calloc(r->elements ? r->elements : 1, sizeof(*out));
	if (!out) {
		store_error(s, err, errlen, "out of memory");
		freeReplyObject(r);
		return -1;
	}
	for (size_t i = 0; i < r->elements; i++) {
		const redisReply *e = r->element[i];
		if (!e || e->type != REDIS_REPLY_STRING || !e->str) {
			type_error(s, e, "SMEMBERS", err, errlen);
			goto fail;
		}
		out[i] = malloc(e->len + 1);
		if (!out[i]) {
			store_error(s, err, errlen, "out of memory");
			goto fail;
		}
		memcpy(out[i], e->str, e->len);
		out[i][e->len] = 0;
	}
	*names = out;
	*n = r->elements;
	freeReplyObject(r);
	return 0;
fail:
	dnsrep_store_free_names(out, r->elements);
	freeReplyObject(r);
	return -1;
}

int dnsrep_store_feeds(struct dnsrep_store *s, char ***names, size_t *n, char *err, size_t errlen)
{
	char kfeeds[STORE_KEY_MAX];
	*names = NULL;
	*n = 0;
	if (key_make(s, kfeeds, "feeds", NULL, err, errlen) < 0)
		return -1;
	return smembers(s, kfeeds, names, n, err, errlen);
}

void dnsrep_store_free_names(char **names, size_t n)
{
	if (!names)
		return;
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* ---- resolvers ----------------------------------------------------------------------- */

/* The heartbeat field is the current time; ttl_s 0 is taken as 1. */
int dnsrep_store_heartbeat(struct dnsrep_store *s, const char *resolver, uint64_t version,
	uint64_t names, int64_t loaded_at, const char *error, const char *figures, unsigned ttl_s,
	char *err, size_t errlen)
{
	char kres[STORE_KEY_MAX], kall[STORE_KEY_MAX];
	if (key_make(s, kres, "resolver:", resolver, err, errlen) < 0 ||
	    key_make(s, kall, "resolvers", NULL, err, errlen) < 0)
		return -1;
	char v[24], nm[24], la[24], hb[24], ttl[24];
	snprintf(v, sizeof(v), "%" PRIu64, version);
	snprintf(nm, sizeof(nm), "%" PRIu64, names);
	snprintf(la, sizeof(la), "%" PRId64, loaded_at);
	snprintf(hb, sizeof(hb), "%" PRId64, (int64_t)time(NULL));
	snprintf(ttl, sizeof(ttl), "%u", ttl_s ? ttl_s : 1);
	const char *hset[] = { "HSET", kres, "version", v, "names", nm, "loaded_at", la,
			       "heartbeat", hb, "error", error ? error : "",
			       "figures", figures ? figures : "" };
	const char *expire[] = { "EXPIRE", kres, ttl };
	const char *sadd[] = { "SADD", kall, resolver };
	size_t hset_l[14], expire_l[3], sadd_l[3];
	for (int i = 0; i < 14; i++)
		hset_l[i] = strlen(hset[i]);
	for (int i = 0; i < 3; i++) {
		expire_l[i] = strlen(expire[i]);
		sadd_l[i] = strlen(sadd[i]);
	}
	const int argc[] = { 14, 3, 3 };
	const char **const argv[] = { hset, expire, sadd };
	const size_t *const lens[] = { hset_l, expire_l, sadd_l };
	redisReply *r[3];
	if (pipeline(s, 3, argc, argv, lens, r, err, errlen) < 0)
		return -1;
	int rc = 0;
	for (int i = 0; i < 3; i++) {
		if (rc == 0 && r[i]->type != REDIS_REPLY_INTEGER) {
			type_error(s, r[i], argv[i][0], err, errlen);
			rc = -1;
		}
		freeReplyObject(r[i]);
	}
	return rc;
}

/** Fill a resolver from its HGETALL reply (empty: expired, all 0). */
static int resolver_fill(struct dnsrep_store *s, struct dnsrep_store_resolver *res,
	const redisReply *r, char *err, size_t errlen)
{
	if (check_pairs(s, r, "HGETALL", err, errlen) < 0)
		return -1;
	for (size_t i = 0; i < r->elements; i += 2) {
		const redisReply *k = r->element[i], *v = r->element[i + 1];
		int bad = 0;
		if (reply_is(k, "version"))
			bad = reply_u64(v, &res->version);
		else if (reply_is(k, "names"))
			bad = reply_u64(v, &res->names);
		else if (reply_is(k, "loaded_at"))
			bad = reply_i64(v, &res->loaded_at);
		else if (reply_is(k, "heartbeat"))
			bad = reply_i64(v, &res->heartbeat);
		else if (reply_is(k, "error"))
			copy_bounded(res->error, sizeof(res->error), v);
		else if (reply_is(k, "figures"))
			copy_bounded(res->figures, sizeof(res->figures), v);
		if (bad) {
			store_error(s, err, errlen, "resolver %s: field %.*s is not a number", res->id,
				(int)(k->len < 64 ? k->len : 64), k->str);
			return -1;
		}
	}
	return 0;
}

/* Ids longer than the id field are truncated. */
int dnsrep_store_resolvers(struct dnsrep_store *s, struct dnsrep_store_resolver **out, size_t *n,
	char *err, size_t errlen)
{
	char kall[STORE_KEY_MAX];
	char **ids = NULL;
	size_t nids = 0;
	*out = NULL;
	*n = 0;
	if (key_make(s, kall, "resolvers", NULL, err, errlen) < 0 ||
	    smembers(s, kall, &ids, &nids, err, errlen) < 0)
		return -1;
	int rc = -1;
	size_t m = nids ? nids : 1;
	struct dnsrep_store_resolver *res = calloc(m, sizeof(*res));
	char (*keys)[STORE_KEY_MAX] = calloc(m, sizeof(*keys));
	int *argc = calloc(m, sizeof(*argc));
	const char *(*args)[2] = calloc(m, sizeof(*args));
	size_t (*arglens)[2] = calloc(m, sizeof(*arglens));
	const char ***argv = calloc(m, sizeof(*argv));
	const size_t **lens = calloc(m, sizeof(*lens));
	redisReply **r = calloc(m, sizeof(*r));
	if (!res || !keys || !argc || !args || !arglens || !argv || !lens || !r) {
		store_error(s, err, errlen, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < nids; i++) {
		if (key_make(s, keys[i], "resolver:", ids[i], err, errlen) < 0)
			goto out;
		snprintf(res[i].id, sizeof(res[i].id), "%s", ids[i]);
		argc[i] = 2;
		args[i][0] = "HGETALL";
		arglens[i][0] = 7;
		args[i][1] = keys[i];
		arglens[i][1] = strlen(keys[i]);
		argv[i] = args[i];
		lens[i] = arglens[i];
	}
	if (pipeline(s, nids, argc, argv, lens, r, err, errlen) < 0)
		goto out;
	rc = 0;
	for (size_t i = 0; i < nids; i++) {
		if (rc == 0 && resolver_fill(s, &res[i], r[i], err, errlen) < 0)
			rc = -1;
		freeReplyObject(r[i]);
	}
	if (rc == 0) {
		*out = res;
		*n = nids;
		res = NULL;
	}
out:
	free(res);
	free(keys);
	free(argc);
	free(args);
	free(arglens);
	free(argv);
	free(lens);
	free(r);
	dnsrep_store_free_names(ids, nids);
	return rc;
}

/* ---- change notices ------------------------------------------------------------------ */

int dnsrep_store_subscribe(struct dnsrep_store *s, char *err, size_t errlen)
{
	char kchan[STORE_KEY_MAX];
	if (key_make(s, kchan, "changes", NULL, err, errlen) < 0)
		return -1;
	const char *argv[2];
	size_t lens[2];
	ARG(0, "SUBSCRIBE");
	ARG(1, kchan);
	redisReply *r = command(s, 2, argv, lens, err, errlen);
	if (!r)
		return -1;
	int rc = 0;
	if (r->type != REDIS_REPLY_ARRAY || r->elements != 3 || !reply_is(r->element[0], "subscribe")) {
		type_error(s, r, "SUBSCRIBE", err, errlen);
		rc = -1;
	} else {
		s->subscribed = 1;
	}
	freeReplyObject(r);
	return rc;
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/**
 * Is this pub/sub reply a change notice?  @return 1 with the version (0 when the
 * message does not start with one: anybody may PUBLISH on the channel, and the
 * reader asks dnsrep:version itself), 0 for other pub/sub traffic (ignored), -1
 * when it is not a pub/sub message at all.
 */
static int change_notice(const redisReply *r, uint64_t *version)
{
	if (r->type != REDIS_REPLY_ARRAY || r->elements < 1 || !r->element[0])
		return -1;
	if (!reply_is(r->element[0], "message"))
		return 0; /* subscribe/unsubscribe confirmations, pong */
	*version = 0;
	if (r->elements != 3 || !r->element[2] || r->element[2]->type != REDIS_REPLY_STRING)
		return 1;
	const redisReply *m = r->element[2];
	size_t n = 0;
	while (n < m->len && m->str[n] != ' ')
		n++;
	if (parse_u64(m->str, n, version) < 0)
		*version = 0;
	return 1;
}

int dnsrep_store_wait_change(struct dnsrep_store *s, long timeout_ms, uint64_t *version,
	char *err, size_t errlen)
{
	if (!s->subscribed) {
		store_error(s, err, errlen, "waiting for a change: not subscribed");
		return -1;
	}
	if (s->c->err) {
		context_error(s, "waiting for a change", err, errlen);
		return -1;
	}
	long long deadline = now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	for (;;) {
		/* A notice may already sit in hiredis' buffer, read along with an earlier one. */
		void *reply = NULL;
		if (redisGetReplyFromReader(s->c, &reply) != REDIS_OK) {
			context_error(s, "reading a change notice", err, errlen);
			return -1;
		}
		if (!reply) {
			long long left = deadline - now_ms();
			if (left < 0)
				left = 0;
			struct pollfd p = { .fd = s->c->fd, .events = POLLIN };
			int pr = poll(&p, 1, left > INT_MAX ? INT_MAX : (int)left);
			if (pr < 0 && errno == EINTR)
				continue;
			if (pr < 0) {
				store_error(s, err, errlen, "waiting for a change: poll: %s", strerror(errno));
				return -1;
			}
			if (pr == 0)
				return 0; /* hiredis untouched: the connection stays usable */
			/*
			 * Data, EOF or an error is there: the read returns at once.  Only a
			 * notice cut in two waits, for at most the command timeout.
			 */
			if (redisGetReply(s->c, &reply) != REDIS_OK || !reply) {
				context_error(s, "reading a change notice", err, errlen);
				return -1;
			}
		}
		int rc = change_notice(reply, version);
		if (rc < 0) {
			if (reply_check(s, reply, "reading a change notice", NULL, err, errlen) == 0)
				type_error(s, reply, "reading a change notice", err, errlen);
			freeReplyObject(reply);
			return -1;
		}
		freeReplyObject(reply);
		if (rc == 1)
			return 1;
		if (now_ms() >= deadline)
			return 0;
	}
}

/* ---- block log stream ---------------------------------------------------------------- */

/*
 * maxlen 0 appends without trimming.  All n XADDs are sent before the replies are
 * read (one round trip).
 */
int dnsrep_store_log(struct dnsrep_store *s, const char *const *lines, const size_t *lens,
	size_t n, uint64_t maxlen, char *err, size_t errlen)
{
	char klog[STORE_KEY_MAX], max[24];
	if (key_make(s, klog, "log", NULL, err, errlen) < 0)
		return -1;
	if (not_subscribed(s, "XADD", err, errlen) < 0)
		return -1;
	snprintf(max, sizeof(max), "%" PRIu64, maxlen);
	size_t klen = strlen(klog), mlen = strlen(max);
	for (size_t i = 0; i < n; i++) {
		const char *argv[8] = { "XADD", klog, "MAXLEN", "~", max, "*", "r", lines[i] };
		size_t alens[8] = { 4, klen, 6, 1, mlen, 1, 1, lens[i] };
		int skip = 0;
		if (!maxlen) { /* XADD key * r LINE: drop MAXLEN ~ N */
			skip = 3;
			argv[3] = "XADD", alens[3] = 4;
			argv[4] = klog, alens[4] = klen;
		}
		if (redisAppendCommandArgv(s->c, 8 - skip, argv + skip, alens + skip) != REDIS_OK) {
			context_error(s, "XADD", err, errlen);
			return -1;
		}
	}
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		void *reply = NULL;
		if (redisGetReply(s->c, &reply) != REDIS_OK || !reply) {
			context_error(s, "XADD", err, errlen);
			return -1;
		}
		if (rc == 0 && reply_check(s, reply, "XADD", NULL, err, errlen) < 0) {
			rc = -1;
		} else if (rc == 0 && ((redisReply *)reply)->type != REDIS_REPLY_STRING) {
			type_error(s, reply, "XADD", err, errlen);
			rc = -1;
		}
		freeReplyObject(reply);
	}
	return rc;
}

/*
 * count <= 0 reads without a limit.  The result counts the entries read, also ones
 * without an "r" field (skipped, not handed to fn): last_id moves past them too.
 * A malformed reply is refused whole, before fn sees anything or last_id moves.
 */
long dnsrep_store_read_log(struct dnsrep_store *s, char *last_id, long count,
	void (*fn)(void *ctx, const char *line, size_t len), void *ctx, char *err, size_t errlen)
{
	char klog[STORE_KEY_MAX], start[80], cnt[24];
	if (key_make(s, klog, "log", NULL, err, errlen) < 0)
		return -1;
	if (last_id[0])
		snprintf(start, sizeof(start), "(%.63s", last_id);
	else
		snprintf(start, sizeof(start), "-");
	snprintf(cnt, sizeof(cnt), "%ld", count);
	const char *argv[6];
	size_t lens[6];
	ARG(0, "XRANGE");
	ARG(1, klog);
	ARG(2, start);
	ARG(3, "+");
	ARG(4, "COUNT");
	ARG(5, cnt);
	redisReply *r = command(s, count > 0 ? 6 : 4, argv, lens, err, errlen);
	if (!r)
		return -1;
	long got = -1;
	if (r->type != REDIS_REPLY_ARRAY) {
		type_error(s, r, "XRANGE", err, errlen);
		goto out;
	}
	for (size_t i = 0; i < r->elements; i++) {
		const redisReply *e = r->element[i];
		if (!e || e->type != REDIS_REPLY_ARRAY || e->elements != 2 || !e->element[0] ||
		    e->element[0]->type != REDIS_REPLY_STRING || e->element[0]->len >= 64) {
			type_error(s, e, "XRANGE", err, errlen);
			goto out;
		}
		if (check_pairs(s, e->element[1], "XRANGE", err, errlen) < 0)
			goto out;
	}
	for (size_t i = 0; i < r->elements; i++) {
		const redisReply *e = r->element[i], *f = e->element[1];
		for (size_t j = 0; j < f->elements; j += 2)
			if (reply_is(f->element[j], "r")) {
				fn(ctx, f->element[j + 1]->str, f->element[j + 1]->len);
				break;
			}
		copy_bounded(last_id, 64, e->element[0]);
	}
	got = (long)r->elements;
out:
	freeReplyObject(r);
	return got;
}
