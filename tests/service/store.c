/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * store.c — service tests of the Redis store (dnsrep/store.h) against a real
 * redis-server that store.test starts: connecting (password, wrong password, none,
 * unix socket, ACL user, refused), publish and read back (binary, 20 MB), the
 * atomicity of a publish against a concurrent reader, change notices and their
 * timeout, errors recorded and cleared, resolver heartbeats and their expiry, the
 * block log stream, prefix isolation, and replies of the wrong type.
 *
 * Environment (set by store.test): REDIS_PORT, REDIS_PASSWORD, REDIS_SOCKET,
 * REDIS_ACL_USER, REDIS_ACL_PASSWORD.  Each test works under its own key prefix.
 * The "raw" connection (hiredis directly) sets up data the store would never
 * write, such as keys of the wrong type.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <hiredis/hiredis.h>

#include "dnsrep/store.h"

#define ERRLEN 512

/* ---- environment and helpers ---------------------------------------------------- */

static int redis_port;
static const char *redis_password, *redis_socket, *acl_user, *acl_password;

static void opts_tcp(struct dnsrep_store_opts *o, const char *prefix)
{
	dnsrep_store_opts_init(o);
	o->host = "127.0.0.1";
	o->port = redis_port;
	o->password = redis_password;
	o->prefix = prefix;
	o->timeout_ms = 10000; /* the 20 MB feed under the sanitizers */
}

/** Connect with the password under prefix; the test fails on an error. */
static struct dnsrep_store *connect_ok(const char *prefix)
{
	struct dnsrep_store_opts o;
	char err[ERRLEN] = "";
	opts_tcp(&o, prefix);
	struct dnsrep_store *s = dnsrep_store_connect(&o, err, sizeof(err));
	if (!s)
		fail_msg("connect: %s", err);
	return s;
}

/** Connection must fail; the error must contain each of the given strings. */
static void connect_fails(const struct dnsrep_store_opts *o, const char *want1, const char *want2)
{
	char err[ERRLEN] = "";
	struct dnsrep_store *s = dnsrep_store_connect(o, err, sizeof(err));
	if (s) {
		dnsrep_store_close(s);
		fail_msg("connected, but expected an error with '%s'", want1);
	}
	if (!strstr(err, want1) || (want2 && !strstr(err, want2)))
		fail_msg("error '%s' does not contain '%s' and '%s'", err, want1, want2 ? want2 : "");
}

/** A hiredis connection of our own, authenticated, for raw commands. */
static redisContext *raw_connect(void)
{
	redisContext *c = redisConnect("127.0.0.1", redis_port);
	assert_non_null(c);
	assert_int_equal(c->err, 0);
	redisReply *r = redisCommand(c, "AUTH %s", redis_password);
	assert_non_null(r);
	assert_int_equal(r->type, REDIS_REPLY_STATUS);
	freeReplyObject(r);
	return c;
}

/** Run a raw command (a format without user data) and expect no error reply. */
static void raw(redisContext *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	redisReply *r = redisvCommand(c, fmt, ap);
	va_end(ap);
	if (!r)
		fail_msg("raw command '%s': %s", fmt, c->errstr);
	if (r->type == REDIS_REPLY_ERROR)
		fail_msg("raw command '%s': %s", fmt, r->str);
	freeReplyObject(r);
}

static struct dnsrep_store_feedmeta sample_meta(void)
{
	struct dnsrep_store_feedmeta m;
	memset(&m, 0, sizeof(m));
	m.version = 999; /* ignored by publish */
	m.entries = 22;
	m.rejected = 3;
	m.bytes = 4096;
	m.synced_at = 1700000000;
	snprintf(m.format, sizeof(m.format), "csv");
	snprintf(m.digest, sizeof(m.digest), "%064d", 7);
	snprintf(m.source, sizeof(m.source), "https://example.org/feeds/dprk.csv");
	snprintf(m.etag, sizeof(m.etag), "\"abc-123\"");
	snprintf(m.last_modified, sizeof(m.last_modified), "Tue, 17 Oct 2023 10:00:00 GMT");
	snprintf(m.last_error, sizeof(m.last_error), "ignored too");
	return m;
}

static uint64_t publish_ok(struct dnsrep_store *s, const char *feed, const void *data, size_t len)
{
	struct dnsrep_store_feedmeta m = sample_meta();
	char err[ERRLEN] = "";
	uint64_t v = dnsrep_store_publish(s, feed, data, len, &m, err, sizeof(err));
	if (!v)
		fail_msg("publish %s: %s", feed, err);
	return v;
}

/** get_feed must find the feed with exactly this content and version. */
static void expect_feed(struct dnsrep_store *s, const char *feed, const void *data, size_t len,
	uint64_t version)
{
	char err[ERRLEN] = "", *got = NULL;
	size_t got_len = 0;
	uint64_t got_version = 0;
	int rc = dnsrep_store_get_feed(s, feed, &got, &got_len, &got_version, err, sizeof(err));
	if (rc != 1)
		fail_msg("get_feed %s: rc %d: %s", feed, rc, err);
	assert_non_null(got);
	assert_int_equal(got_len, len);
	assert_int_equal(got_version, version);
	assert_memory_equal(got, data, len);
	assert_int_equal(got[len], 0); /* NUL-terminated */
	free(got);
}

static int has_name(char **names, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return 1;
	return 0;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- connecting ------------------------------------------------------------------------- */

static void test_connect_password(void **state)
{
	(void)state;
	struct dnsrep_store *s = connect_ok("t-connect:");
	uint64_t v = 12345;
	char err[ERRLEN] = "";
	assert_int_equal(dnsrep_store_version(s, &v, err, sizeof(err)), 0);
	assert_int_equal(v, 0); /* nothing published under this prefix */
	dnsrep_store_close(s);
	dnsrep_store_close(NULL); /* fine */
}

static void test_connect_wrong_password(void **state)
{
	(void)state;
	struct dnsrep_store_opts o;
	char where[64];
	opts_tcp(&o, "t-wrong:");
	o.password = "not-the-password";
	snprintf(where, sizeof(where), "redis 127.0.0.1:%d: ", redis_port);
	connect_fails(&o, where, "WRONGPASS");
	connect_fails(&o, "invalid", NULL);
}

static void test_connect_without_password(void **state)
{
	(void)state;
	struct dnsrep_store_opts o;
	char err[ERRLEN] = "";
	opts_tcp(&o, "t-nopass:");
	o.password = NULL;
	struct dnsrep_store *s = dnsrep_store_connect(&o, err, sizeof(err));
	if (!s)
		fail_msg("connect without AUTH should succeed (the server answers later): %s", err);
	uint64_t v;
	assert_int_equal(dnsrep_store_version(s, &v, err, sizeof(err)), -1);
	if (!strstr(err, "NOAUTH") || !strstr(err, "redis 127.0.0.1:"))
		fail_msg("error '%s' does not name NOAUTH and the server", err);
	char **names = NULL;
	size_t n = 0;
	assert_int_equal(dnsrep_store_feeds(s, &names, &n, err, sizeof(err)), -1);
	assert_null(names);
	dnsrep_store_close(s);
}

static void test_connect_unix_socket(void **state)
{
	(void)state;
	struct dnsrep_store_opts o;
	char err[ERRLEN] = "";
	opts_tcp(&o, "t-unix:");
	o.host = NULL;
	o.port = 0;
	o.unix_path = redis_socket;
	struct dnsrep_store *s = dnsrep_store_connect(&o, err, sizeof(err));
	if (!s)
		fail_msg("connect via %s: %s", redis_socket, err);
	uint64_t v = publish_ok(s, "f", "one.example\n", 12);
	assert_int_equal(v, 1);
	expect_feed(s, "f", "one.example\n", 12, 1);
	dnsrep_store_close(s);

	/* errors name the socket */
	char want[600];
	snprintf(want, sizeof(want), "redis %s: ", redis_socket);
	o.password = "nope";
	connect_fails(&o, want, "WRONGPASS");
	o.unix_path = "/nonexistent/dnsrep-redis.sock";
	connect_fails(&o, "redis /nonexistent/dnsrep-redis.sock: ", "No such file");
}

static void test_connect_acl_user(void **state)
{
	(void)state;
	struct dnsrep_store_opts o;
	char err[ERRLEN] = "";
	opts_tcp(&o, "dnsrep:");
	o.user = acl_user;
	o.password = acl_password;
	struct dnsrep_store *s = dnsrep_store_connect(&o, err, sizeof(err));
	if (!s)
		fail_msg("connect as %s: %s", acl_user, err);
	uint64_t v = publish_ok(s, "acl-feed", "acl.example\n", 12);
	assert_true(v >= 1);
	expect_feed(s, "acl-feed", "acl.example\n", 12, v);
	dnsrep_store_close(s);

	/* the user may not touch keys outside dnsrep:* */
	o.prefix = "other:";
	s = dnsrep_store_connect(&o, err, sizeof(err));
	assert_non_null(s);
	struct dnsrep_store_feedmeta m = sample_meta();
	assert_int_equal(dnsrep_store_publish(s, "x", "a", 1, &m, err, sizeof(err)), 0);
	if (!strstr(err, "NOPERM"))
		fail_msg("error '%s' does not name NOPERM", err);
	dnsrep_store_close(s);

	/* wrong password for the user, and a user that does not exist */
	o.prefix = "dnsrep:";
	o.password = "wrong";
	connect_fails(&o, "WRONGPASS", NULL);
	o.user = "nobody";
	o.password = acl_password;
	connect_fails(&o, "WRONGPASS", NULL);
}

static void test_connect_refused(void **state)
{
	(void)state;
	/* a port that was free a moment ago: bind to 0, read the port, close */
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	close(fd);

	struct dnsrep_store_opts o;
	char want[64];
	opts_tcp(&o, "t-refused:");
	o.port = ntohs(sa.sin_port);
	o.connect_timeout_ms = 1000;
	snprintf(want, sizeof(want), "redis 127.0.0.1:%d: ", o.port);
	connect_fails(&o, want, "refused");
}

/* ---- publish and read back ------------------------------------------------------------ */

static void test_publish_roundtrip(void **state)
{
	(void)state;
	struct dnsrep_store *s = connect_ok("t-roundtrip:");
	char err[ERRLEN] = "";
	struct dnsrep_store_feedmeta m;

	/* nothing yet */
	assert_int_equal(dnsrep_store_feedmeta(s, "bin", &m, err, sizeof(err)), 0);
	assert_int_equal(m.version, 0);
	char *data = (char *)0x1;
	size_t len = 7;
	uint64_t v = 7;
	assert_int_equal(dnsrep_store_get_feed(s, "bin", &data, &len, &v, err, sizeof(err)), 0);
	char **names = NULL;
	size_t n = 99;
	assert_int_equal(dnsrep_store_feeds(s, &names, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 0);
	dnsrep_store_free_names(names, n);

	/* binary content with NUL bytes, CR, LF and high bytes */
	static const char bin[] = "a.example\0b.example\r\n\xff\xfe\x00\x01z";
	size_t binlen = sizeof(bin) - 1;
	uint64_t v1 = publish_ok(s, "bin", bin, binlen);
	assert_int_equal(v1, 1);
	expect_feed(s, "bin", bin, binlen, 1);

	assert_int_equal(dnsrep_store_feedmeta(s, "bin", &m, err, sizeof(err)), 1);
	assert_int_equal(m.version, 1);
	assert_int_equal(m.entries, 22);
	assert_int_equal(m.rejected, 3);
	assert_int_equal(m.bytes, 4096);
	assert_int_equal(m.synced_at, 1700000000);
	assert_string_equal(m.format, "csv");
	assert_int_equal(strlen(m.digest), 64);
	assert_string_equal(m.source, "https://example.org/feeds/dprk.csv");
	assert_string_equal(m.etag, "\"abc-123\"");
	assert_string_equal(m.last_modified, "Tue, 17 Oct 2023 10:00:00 GMT");
	assert_string_equal(m.last_error, "");
	assert_int_equal(m.last_error_at, 0);

	/* a second feed; the global version counts every publish */
	uint64_t v2 = publish_ok(s, "empty", "", 0);
	assert_int_equal(v2, 2);
	expect_feed(s, "empty", "", 0, 2);
	uint64_t v3 = publish_ok(s, "bin", "new\n", 4);
	assert_int_equal(v3, 3);
	expect_feed(s, "bin", "new\n", 4, 3);
	assert_int_equal(dnsrep_store_feedmeta(s, "empty", &m, err, sizeof(err)), 1);
	assert_int_equal(m.version, 2); /* the feed's own version is unchanged */
	assert_int_equal(dnsrep_store_version(s, &v, err, sizeof(err)), 0);
	assert_int_equal(v, 3);

	assert_int_equal(dnsrep_store_feeds(s, &names, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 2);
	assert_true(has_name(names, n, "bin"));
	assert_true(has_name(names, n, "empty"));
	dnsrep_store_free_names(names, n);

	/* the meta fields are bounded by their arrays even when not terminated */
	struct dnsrep_store_feedmeta full = sample_meta();
	memset(full.format, 'x', sizeof(full.format)); /* no NUL */
	memset(full.source, 's', sizeof(full.source) - 1);
	full.source[sizeof(full.source) - 1] = 0;
	assert_int_not_equal(dnsrep_store_publish(s, "full", "x", 1, &full, err, sizeof(err)), 0);
	assert_int_equal(dnsrep_store_feedmeta(s, "full", &m, err, sizeof(err)), 1);
	assert_int_equal(strlen(m.format), sizeof(m.format) - 1);
	assert_int_equal(strlen(m.source), sizeof(m.source) - 1);
	dnsrep_store_close(s);
}

static void test_publish_20mb(void **state)
{
	(void)state;
	struct dnsrep_store *s = connect_ok("t-big:");
	size_t len = 20u << 20;
	unsigned char *data = malloc(len);
	assert_non_null(data);
	uint32_t x = 2463534242u; /* xorshift: every byte value, NULs included */
	for (size_t i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		data[i] = (unsigned char)x;
	}
	data[0] = 0;
	data[len - 1] = 0;
	uint64_t v = publish_ok(s, "big", data, len);
	expect_feed(s, "big", data, len, v);
	free(data);
	dnsrep_store_close(s);
}

/* ---- atomicity: a reader never sees half of a publish --------------------------------- */

#define ATOM_A_LEN (256u << 10)
#define ATOM_B_LEN (100u << 10)

struct atom {
	char *a, *b;
	atomic_int done;
	long reads, bad, errors;
	char first_problem[ERRLEN];
};

/* Versions under this prefix start at 1 and only the writer publishes: the odd
 * versions carry A, the even ones B. */
static void *atom_reader(void *arg)
{
	struct atom *t = arg;
	char err[ERRLEN] = "";
	struct dnsrep_store_opts o;
	opts_tcp(&o, "t-atom:");
	struct dnsrep_store *s = dnsrep_store_connect(&o, err, sizeof(err));
	if (!s) {
		t->errors++;
		snprintf(t->first_problem, sizeof(t->first_problem), "reader connect: %s", err);
		return NULL;
	}
	while (!atomic_load(&t->done) || t->reads < 10) {
		char *d = NULL;
		size_t len = 0;
		uint64_t v = 0;
		int rc = dnsrep_store_get_feed(s, "ab", &d, &len, &v, err, sizeof(err));
		if (rc < 0) {
			if (!t->errors++)
				snprintf(t->first_problem, sizeof(t->first_problem), "get_feed: %s", err);
			break;
		}
		if (rc == 0)
			continue; /* not published yet */
		t->reads++;
		const char *want = v % 2 ? t->a : t->b;
		size_t want_len = v % 2 ? ATOM_A_LEN : ATOM_B_LEN;
		if (len != want_len || memcmp(d, want, len) != 0) {
			if (!t->bad++)
				snprintf(t->first_problem, sizeof(t->first_problem),
					 "version %llu: %zu bytes starting '%c', want %zu of '%c'",
					 (unsigned long long)v, len, len ? d[0] : '-', want_len, want[0]);
		}
		free(d);
	}
	dnsrep_store_close(s);
	return NULL;
}

static void test_publish_atomic(void **state)
{
	(void)state;
	struct atom t;
	memset(&t, 0, sizeof(t));
	t.a = malloc(ATOM_A_LEN);
	t.b = malloc(ATOM_B_LEN);
	assert_non_null(t.a);
	assert_non_null(t.b);
	memset(t.a, 'A', ATOM_A_LEN);
	memset(t.b, 'B', ATOM_B_LEN);
	atomic_init(&t.done, 0);

	struct dnsrep_store *s = connect_ok("t-atom:");
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, atom_reader, &t), 0);
	uint64_t last = 0;
	for (int i = 0; i < 300; i++) {
		int odd = i % 2 == 0;
		last = publish_ok(s, "ab", odd ? t.a : t.b, odd ? ATOM_A_LEN : ATOM_B_LEN);
		assert_int_equal(last, (uint64_t)i + 1);
	}
	atomic_store(&t.done, 1);
	assert_int_equal(pthread_join(th, NULL), 0);
	dnsrep_store_close(s);
	print_message("# atomicity: %ld reads during 300 publishes, %ld wrong\n", t.reads, t.bad);
	free(t.a);
	free(t.b);
	if (t.errors || t.bad)
		fail_msg("%ld errors, %ld mixed reads; first: %s", t.errors, t.bad, t.first_problem);
	assert_true(t.reads >= 10);
	assert_int_equal(last, 300);
}

/* ---- change notices ---------------------------------------------------------------------- */

static struct dnsrep_store *subscribed(const char *prefix)
{
	struct dnsrep_store *sub = connect_ok(prefix);
	char err[ERRLEN] = "";
	if (dnsrep_store_subscribe(sub, err, sizeof(err)) < 0)
		fail_msg("subscribe: %s", err);
	return sub;
}

static void test_change_notice(void **state)
{
	(void)state;
	struct dnsrep_store *sub = subscribed("t-notice:");
	struct dnsrep_store *pub = connect_ok("t-notice:");
	struct dnsrep_store *other = connect_ok("t-notice-other:");
	char err[ERRLEN] = "";
	uint64_t v = 0;

	/* a publish under another prefix is not seen */
	(void)publish_ok(other, "f", "x\n", 2);
	uint64_t v1 = publish_ok(pub, "f", "a\n", 2);
	assert_int_equal(dnsrep_store_wait_change(sub, 5000, &v, err, sizeof(err)), 1);
	assert_int_equal(v, v1);

	/* two notices in a row, likely read by one read(2): both are delivered */
	uint64_t v2 = publish_ok(pub, "f", "b\n", 2);
	uint64_t v3 = publish_ok(pub, "g", "c\n", 2);
	usleep(100 * 1000);
	assert_int_equal(dnsrep_store_wait_change(sub, 5000, &v, err, sizeof(err)), 1);
	assert_int_equal(v, v2);
	assert_int_equal(dnsrep_store_wait_change(sub, 5000, &v, err, sizeof(err)), 1);
	assert_int_equal(v, v3);
	assert_int_equal(dnsrep_store_wait_change(sub, 0, &v, err, sizeof(err)), 0);

	/* anybody may publish on the channel: junk is a notice without a version (the
	 * reader asks for the version itself), never a reason to reconnect */
	redisContext *c = raw_connect();
	raw(c, "PUBLISH t-notice:changes hello");
	assert_int_equal(dnsrep_store_wait_change(sub, 5000, &v, err, sizeof(err)), 1);
	assert_int_equal(v, 0);
	assert_int_equal(dnsrep_store_broken(sub), 0);
	redisFree(c);

	/* a subscribed connection refuses other commands; an unsubscribed one cannot wait */
	assert_int_equal(dnsrep_store_version(sub, &v, err, sizeof(err)), -1);
	if (!strstr(err, "subscribed"))
		fail_msg("error '%s' does not say subscribed", err);
	assert_int_equal(dnsrep_store_wait_change(pub, 10, &v, err, sizeof(err)), -1);

	dnsrep_store_close(other);
	dnsrep_store_close(pub);
	dnsrep_store_close(sub);
}

static void test_wait_change_timeout(void **state)
{
	(void)state;
	struct dnsrep_store *sub = subscribed("t-timeout:");
	struct dnsrep_store *pub = connect_ok("t-timeout:");
	char err[ERRLEN] = "";
	uint64_t v = 77;

	for (int i = 0; i < 3; i++) {
		double t0 = now_s();
		int rc = dnsrep_store_wait_change(sub, 300, &v, err, sizeof(err));
		double took = now_s() - t0;
		if (rc != 0)
			fail_msg("wait %d: rc %d (%s), want a timeout", i, rc, err);
		assert_true(took >= 0.25);
		assert_true(took < 3.0);
	}
	assert_int_equal(v, 77); /* untouched on a timeout */

	/* still usable after the timeouts */
	uint64_t v1 = publish_ok(pub, "f", "x\n", 2);
	assert_int_equal(dnsrep_store_wait_change(sub, 5000, &v, err, sizeof(err)), 1);
	assert_int_equal(v, v1);
	assert_int_equal(dnsrep_store_wait_change(sub, 100, &v, err, sizeof(err)), 0);
	dnsrep_store_close(pub);
	dnsrep_store_close(sub);
}

static void test_wait_change_server_kills(void **state)
{
	(void)state;
	struct dnsrep_store *sub = subscribed("t-kill:");
	char err[ERRLEN] = "";
	uint64_t v;
	redisContext *c = raw_connect();
	raw(c, "CLIENT KILL TYPE pubsub");
	redisFree(c);
	/* a dead connection is an error (reconnect), not a timeout */
	assert_int_equal(dnsrep_store_wait_change(sub, 3000, &v, err, sizeof(err)), -1);
	if (!strstr(err, "redis 127.0.0.1:"))
		fail_msg("error '%s' does not name the server", err);
	assert_int_equal(dnsrep_store_wait_change(sub, 100, &v, err, sizeof(err)), -1);
	dnsrep_store_close(sub);
}

/* ---- a command timeout ----------------------------------------------------------------- */

static void test_command_timeout(void **state)
{
	(void)state;
	struct dnsrep_store_opts o;
	char err[ERRLEN] = "";
	opts_tcp(&o, "t-slow:");
	o.timeout_ms = 200;
	struct dnsrep_store *s = dnsrep_store_connect(&o, err, sizeof(err));
	assert_non_null(s);

	/* the server sleeps for 1 s: sent on a raw connection, its reply read later */
	redisContext *c = raw_connect();
	assert_int_equal(redisAppendCommand(c, "DEBUG SLEEP 1"), REDIS_OK);
	int done = 0;
	while (!done)
		assert_int_equal(redisBufferWrite(c, &done), REDIS_OK);
	usleep(50 * 1000);

	uint64_t v;
	double t0 = now_s();
	assert_int_equal(dnsrep_store_version(s, &v, err, sizeof(err)), -1);
	assert_true(now_s() - t0 < 0.9);
	if (!strstr(err, "timed out"))
		fail_msg("error '%s' does not say timed out", err);
	/* the connection is dead afterwards: errors, no crash, no hang */
	assert_int_equal(dnsrep_store_version(s, &v, err, sizeof(err)), -1);
	dnsrep_store_close(s);

	void *reply = NULL;
	assert_int_equal(redisGetReply(c, &reply), REDIS_OK);
	freeReplyObject(reply);
	redisFree(c);
}

/* ---- errors recorded ------------------------------------------------------------------- */

static void test_record_error(void **state)
{
	(void)state;
	struct dnsrep_store *s = connect_ok("t-error:");
	char err[ERRLEN] = "";
	struct dnsrep_store_feedmeta m;
	uint64_t v1 = publish_ok(s, "f", "kept.example\n", 13);

	int64_t before = (int64_t)time(NULL);
	assert_int_equal(dnsrep_store_record_error(s, "f", "HTTP 503 from example.org", err,
						   sizeof(err)), 0);
	assert_int_equal(dnsrep_store_feedmeta(s, "f", &m, err, sizeof(err)), 1);
	assert_string_equal(m.last_error, "HTTP 503 from example.org");
	assert_true(m.last_error_at >= before && m.last_error_at <= before + 5);
	assert_int_equal(m.version, v1);
	assert_int_equal(m.entries, 22); /* the rest of the metadata is kept */
	expect_feed(s, "f", "kept.example\n", 13, v1); /* and the content */
	uint64_t v;
	assert_int_equal(dnsrep_store_version(s, &v, err, sizeof(err)), 0);
	assert_int_equal(v, v1); /* an error is no new version */

	/* a long error is cut to the field, terminated */
	char longerr[2000];
	memset(longerr, 'e', sizeof(longerr) - 1);
	longerr[sizeof(longerr) - 1] = 0;
	assert_int_equal(dnsrep_store_record_error(s, "f", longerr, err, sizeof(err)), 0);
	assert_int_equal(dnsrep_store_feedmeta(s, "f", &m, err, sizeof(err)), 1);
	assert_int_equal(strlen(m.last_error), sizeof(m.last_error) - 1);

	/* a successful publish clears it */
	uint64_t v2 = publish_ok(s, "f", "new.example\n", 12);
	assert_int_equal(dnsrep_store_feedmeta(s, "f", &m, err, sizeof(err)), 1);
	assert_string_equal(m.last_error, "");
	assert_int_equal(m.last_error_at, 0);
	assert_int_equal(m.version, v2);

	/* a feed that never published: an error is kept, but it is not published */
	assert_int_equal(dnsrep_store_record_error(s, "never", "DNS failure", err, sizeof(err)), 0);
	assert_int_equal(dnsrep_store_feedmeta(s, "never", &m, err, sizeof(err)), 0);
	assert_string_equal(m.last_error, "DNS failure");
	assert_int_equal(m.version, 0);
	char *data = NULL;
	size_t len;
	assert_int_equal(dnsrep_store_get_feed(s, "never", &data, &len, &v, err, sizeof(err)), 0);
	assert_null(data);
	char **names;
	size_t n;
	assert_int_equal(dnsrep_store_feeds(s, &names, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 1);
	assert_string_equal(names[0], "f");
	dnsrep_store_free_names(names, n);
	dnsrep_store_close(s);
}

/* ---- resolvers --------------------------------------------------------------------------- */

static const struct dnsrep_store_resolver *find_resolver(const struct dnsrep_store_resolver *r,
	size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(r[i].id, id) == 0)
			return &r[i];
	return NULL;
}

static void test_heartbeat_resolvers(void **state)
{
	(void)state;
	struct dnsrep_store *s = connect_ok("t-resolvers:");
	char err[ERRLEN] = "";
	struct dnsrep_store_resolver *r = NULL;
	size_t n = 9;
	assert_int_equal(dnsrep_store_resolvers(s, &r, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 0);
	free(r);

	int64_t t = (int64_t)time(NULL);
	assert_int_equal(dnsrep_store_heartbeat(s, "ns1.example/1234", 41, 1000000, t - 60, "",
						"{\"judged\":5}", 60, err, sizeof(err)), 0);
	assert_int_equal(dnsrep_store_heartbeat(s, "ns2", 40, 999, t - 5,
						"dnsrep:feed:x: WRONGTYPE", NULL, 1, err, sizeof(err)), 0);
	assert_int_equal(dnsrep_store_resolvers(s, &r, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 2);
	const struct dnsrep_store_resolver *a = find_resolver(r, n, "ns1.example/1234");
	const struct dnsrep_store_resolver *b = find_resolver(r, n, "ns2");
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(a->version, 41);
	assert_int_equal(a->names, 1000000);
	assert_int_equal(a->loaded_at, t - 60);
	assert_true(a->heartbeat >= t && a->heartbeat <= t + 5);
	assert_int_equal(b->version, 40);
	assert_string_equal(a->error, "");
	assert_string_equal(b->error, "dnsrep:feed:x: WRONGTYPE");
	assert_string_equal(a->figures, "{\"judged\":5}");
	assert_string_equal(b->figures, "");
	assert_int_equal(b->names, 999);
	assert_true(b->heartbeat >= t);
	free(r);

	/* ns2's heartbeat (ttl 1 s) expires; it is still listed, with heartbeat 0 */
	usleep(2500 * 1000);
	assert_int_equal(dnsrep_store_resolvers(s, &r, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 2);
	a = find_resolver(r, n, "ns1.example/1234");
	b = find_resolver(r, n, "ns2");
	assert_non_null(a);
	assert_non_null(b);
	assert_true(a->heartbeat >= t);
	assert_int_equal(a->version, 41);
	assert_int_equal(b->heartbeat, 0);
	assert_int_equal(b->version, 0);
	free(r);
	dnsrep_store_close(s);
}

/* ---- the block log stream ---------------------------------------------------------------- */

struct lines {
	long n;
	char last[128];
	long order_errors;
	long prev;
};

static void collect_line(void *ctx, const char *line, size_t len)
{
	struct lines *l = ctx;
	l->n++;
	snprintf(l->last, sizeof(l->last), "%.*s", (int)len, line);
	long k = -1;
	if (sscanf(l->last, "{\"n\":%ld}", &k) != 1 || k <= l->prev)
		l->order_errors++;
	l->prev = k;
}

static void test_log_stream(void **state)
{
	(void)state;
	struct dnsrep_store *s = connect_ok("t-log:");
	char err[ERRLEN] = "";
	enum { N = 2000, BATCH = 250, MAXLEN = 100 };
	static char buf[N][32];
	const char *lines[BATCH];
	size_t lens[BATCH];
	for (int i = 0; i < N; i += BATCH) {
		for (int j = 0; j < BATCH; j++) {
			lens[j] = (size_t)snprintf(buf[i + j], sizeof(buf[i + j]), "{\"n\":%d}", i + j);
			lines[j] = buf[i + j];
		}
		assert_int_equal(dnsrep_store_log(s, lines, lens, BATCH, MAXLEN, err, sizeof(err)), 0);
	}

	/* read it all, 30 at a time: the newest entries, in order, about MAXLEN of them */
	char last_id[64] = "";
	struct lines got = { 0, "", 0, -1 };
	long total = 0, rc;
	int rounds = 0;
	while ((rc = dnsrep_store_read_log(s, last_id, 30, collect_line, &got, err, sizeof(err))) > 0) {
		assert_true(rc <= 30);
		total += rc;
		assert_true(++rounds < 1000);
	}
	assert_int_equal(rc, 0);
	print_message("# log: %d appended with MAXLEN ~ %d, %ld kept\n", N, MAXLEN, total);
	assert_true(total >= MAXLEN);
	assert_true(total <= 3 * MAXLEN); /* ~: whole stream nodes (100 entries) are trimmed */
	assert_int_equal(got.n, total);
	assert_int_equal(got.order_errors, 0);
	assert_string_equal(got.last, "{\"n\":1999}");
	assert_true(last_id[0] != 0);

	/* after last_id: only what is new; binary-safe lines; maxlen 0 keeps everything */
	static const char bin[] = "{\"q\":\"a\0b\"}";
	const char *one[] = { bin };
	size_t one_len[] = { sizeof(bin) - 1 };
	assert_int_equal(dnsrep_store_log(s, one, one_len, 1, 0, err, sizeof(err)), 0);
	struct lines got2 = { 0, "", 0, -1 };
	assert_int_equal(dnsrep_store_read_log(s, last_id, 0, collect_line, &got2, err, sizeof(err)), 1);
	assert_int_equal(got2.n, 1);
	assert_memory_equal(got2.last, "{\"q\":\"a", 7);
	assert_int_equal(dnsrep_store_read_log(s, last_id, 10, collect_line, &got2, err, sizeof(err)), 0);

	/* an empty batch is fine */
	assert_int_equal(dnsrep_store_log(s, NULL, NULL, 0, MAXLEN, err, sizeof(err)), 0);
	dnsrep_store_close(s);
}

/* ---- prefixes ---------------------------------------------------------------------------- */

static void test_prefix_isolation(void **state)
{
	(void)state;
	struct dnsrep_store *p1 = connect_ok("t-iso-one:");
	struct dnsrep_store *p2 = connect_ok("t-iso-two:");
	char err[ERRLEN] = "";
	uint64_t v;
	char **names;
	size_t n;
	struct dnsrep_store_feedmeta m;

	assert_int_equal(publish_ok(p1, "x", "one\n", 4), 1);
	assert_int_equal(dnsrep_store_version(p2, &v, err, sizeof(err)), 0);
	assert_int_equal(v, 0);
	assert_int_equal(dnsrep_store_feeds(p2, &names, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 0);
	dnsrep_store_free_names(names, n);
	assert_int_equal(dnsrep_store_feedmeta(p2, "x", &m, err, sizeof(err)), 0);
	char *data = NULL;
	size_t len;
	assert_int_equal(dnsrep_store_get_feed(p2, "x", &data, &len, &v, err, sizeof(err)), 0);

	assert_int_equal(publish_ok(p2, "y", "two\n", 4), 1);
	assert_int_equal(dnsrep_store_feeds(p1, &names, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 1);
	assert_string_equal(names[0], "x");
	dnsrep_store_free_names(names, n);
	expect_feed(p1, "x", "one\n", 4, 1);
	expect_feed(p2, "y", "two\n", 4, 1);
	dnsrep_store_close(p1);
	dnsrep_store_close(p2);
}

/* ---- replies of the wrong type are errors, never crashes ------------------------------- */

static void test_wrong_types(void **state)
{
	(void)state;
	redisContext *c = raw_connect();
	raw(c, "SET t-types:version not-a-number");
	raw(c, "HSET t-types:feedmeta:badver version xyz");
	raw(c, "SET t-types:feed:badver content");
	raw(c, "SET t-types:feedmeta:str just-a-string");
	raw(c, "RPUSH t-types:feed:list a b");
	raw(c, "HSET t-types:feedmeta:list version 1");
	raw(c, "SET t-types:feeds a-string");
	raw(c, "SADD t-types:resolvers r1");
	raw(c, "SET t-types:resolver:r1 a-string");
	raw(c, "SET t-types:log a-string");

	struct dnsrep_store *s = connect_ok("t-types:");
	char err[ERRLEN] = "";
	uint64_t v;
	struct dnsrep_store_feedmeta m;
	char *data = NULL;
	size_t len;
	char **names = NULL;
	size_t n;
	struct dnsrep_store_resolver *r = NULL;
	struct lines got = { 0, "", 0, -1 };
	char last_id[64] = "";

	assert_int_equal(dnsrep_store_version(s, &v, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "t-types:version is not a version number: \"not-a-number\""));
	/* a data error leaves the connection good: not a reason to reconnect */
	assert_int_equal(dnsrep_store_broken(s), 0);
	assert_int_equal(dnsrep_store_feed_readable(s, "list", err, sizeof(err)), 0);
	assert_non_null(strstr(err, "version"));
	assert_int_equal(dnsrep_store_feedmeta(s, "badver", &m, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a number"));
	assert_int_equal(dnsrep_store_get_feed(s, "badver", &data, &len, &v, err, sizeof(err)), -1);
	assert_null(data);
	assert_int_equal(dnsrep_store_feedmeta(s, "str", &m, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "WRONGTYPE"));
	assert_int_equal(dnsrep_store_get_feed(s, "list", &data, &len, &v, err, sizeof(err)), -1);
	assert_null(data);
	/* Redis's own text and the key, not a reply type number */
	if (!strstr(err, "t-types:feed:list: WRONGTYPE"))
		fail_msg("error '%s' does not name the key with Redis's WRONGTYPE", err);
	assert_int_equal(dnsrep_store_broken(s), 0);
	assert_int_equal(dnsrep_store_feeds(s, &names, &n, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "WRONGTYPE"));
	assert_null(names);
	assert_int_equal(dnsrep_store_resolvers(s, &r, &n, err, sizeof(err)), -1);
	assert_null(r);
	assert_int_equal(dnsrep_store_read_log(s, last_id, 10, collect_line, &got, err, sizeof(err)), -1);
	assert_int_equal(got.n, 0);
	const char *one[] = { "x" };
	size_t one_len[] = { 1 };
	assert_int_equal(dnsrep_store_log(s, one, one_len, 1, 10, err, sizeof(err)), -1);
	/* a publish that cannot complete (the feeds set is a string, then the version
	 * is not a number) writes nothing at all and returns 0 */
	struct dnsrep_store_feedmeta pm = sample_meta();
	raw(c, "SET t-types:version 5");
	assert_int_equal(dnsrep_store_publish(s, "new", "x", 1, &pm, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "WRONGTYPE"));
	raw(c, "DEL t-types:feeds");
	raw(c, "SET t-types:version 5.5");
	assert_int_equal(dnsrep_store_publish(s, "new", "x", 1, &pm, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "not a version number"));
	raw(c, "SET t-types:version 5");
	assert_int_equal(dnsrep_store_feed_readable(s, "list", err, sizeof(err)), 0);
	assert_non_null(strstr(err, "t-types:feed:list holds a list, not a string"));
	assert_int_equal(dnsrep_store_feed_readable(s, "badver", err, sizeof(err)), 1);
	assert_int_equal(dnsrep_store_feed_readable(s, "absent", err, sizeof(err)), 1);
	assert_int_equal(dnsrep_store_get_feed(s, "new", &data, &len, &v, err, sizeof(err)), 0);
	assert_int_equal(dnsrep_store_feedmeta(s, "new", &m, err, sizeof(err)), 0);
	/* the connection is still usable after error replies */
	assert_int_equal(dnsrep_store_version(s, &v, err, sizeof(err)), 0);
	assert_int_equal(v, 5);
	assert_int_equal(dnsrep_store_publish(s, "new", "x", 1, &pm, err, sizeof(err)), 6);
	expect_feed(s, "new", "x", 1, 6);
	dnsrep_store_close(s);
	redisFree(c);
}

/* A test that hangs fails: SIGALRM ends the program (and store.test with it). */
static int arm_watchdog(void **state)
{
	(void)state;
	alarm(60);
	return 0;
}

int main(void)
{
	const char *port = getenv("REDIS_PORT");
	redis_password = getenv("REDIS_PASSWORD");
	redis_socket = getenv("REDIS_SOCKET");
	acl_user = getenv("REDIS_ACL_USER") ? getenv("REDIS_ACL_USER") : "feeder";
	acl_password = getenv("REDIS_ACL_PASSWORD") ? getenv("REDIS_ACL_PASSWORD") : "feederpass";
	if (!port || !redis_password || !redis_socket) {
		printf("1..0 # SKIP REDIS_PORT, REDIS_PASSWORD, REDIS_SOCKET not set (run store.test)\n");
		return 0;
	}
	redis_port = atoi(port);
	signal(SIGPIPE, SIG_IGN); /* hiredis writes with write(2): see store_redis.c */

	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_connect_password, arm_watchdog),
		cmocka_unit_test_setup(test_connect_wrong_password, arm_watchdog),
		cmocka_unit_test_setup(test_connect_without_password, arm_watchdog),
		cmocka_unit_test_setup(test_connect_unix_socket, arm_watchdog),
		cmocka_unit_test_setup(test_connect_acl_user, arm_watchdog),
		cmocka_unit_test_setup(test_connect_refused, arm_watchdog),
		cmocka_unit_test_setup(test_publish_roundtrip, arm_watchdog),
		cmocka_unit_test_setup(test_publish_20mb, arm_watchdog),
		cmocka_unit_test_setup(test_publish_atomic, arm_watchdog),
		cmocka_unit_test_setup(test_change_notice, arm_watchdog),
		cmocka_unit_test_setup(test_wait_change_timeout, arm_watchdog),
		cmocka_unit_test_setup(test_wait_change_server_kills, arm_watchdog),
		cmocka_unit_test_setup(test_command_timeout, arm_watchdog),
		cmocka_unit_test_setup(test_record_error, arm_watchdog),
		cmocka_unit_test_setup(test_heartbeat_resolvers, arm_watchdog),
		cmocka_unit_test_setup(test_log_stream, arm_watchdog),
		cmocka_unit_test_setup(test_prefix_isolation, arm_watchdog),
		cmocka_unit_test_setup(test_wrong_types, arm_watchdog),
	};
	return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
