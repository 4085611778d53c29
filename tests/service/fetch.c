/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fetch.c — service tests of dnsrep_fetch() against tests/service/httpd (started by
 * fetch.test): every way a fetch can succeed or fail, with exact bytes and messages.
 *
 * Environment: HTTP_PORT (where httpd listens) and DATA_DIR (the directory it serves,
 * holding list.txt, big.bin (1 MiB) and empty.txt, written by fetch.test).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "dnsrep/fetch.h"

/** What fetch.test puts into list.txt. */
static const char LIST_TXT[] = "# a small test list\nexample.com\nseized.test\n*.wild.test\n";
#define BIG_SIZE 1048576

static const char *port;
static const char *data_dir;

/* ---- helpers ------------------------------------------------------------------------- */

/** "http://127.0.0.1:PORT" + path, in a static buffer (one at a time). */
static const char *url(const char *path)
{
	static char buf[1500];
	snprintf(buf, sizeof(buf), "http://127.0.0.1:%s%s", port, path);
	return buf;
}

static void fetch_ok(const char *u, const struct dnsrep_fetch_opts *o, struct dnsrep_fetch_result *r)
{
	char err[2048] = "";
	if (dnsrep_fetch(u, o, r, err, sizeof(err)) != 0)
		fail_msg("fetching %s failed: %s", u, err);
}

/** A fetch that must fail with exactly the message want; the result holds no data. */
static void fetch_err(const char *u, const struct dnsrep_fetch_opts *o, const char *want)
{
	struct dnsrep_fetch_result r;
	char err[2048] = "";
	if (dnsrep_fetch(u, o, &r, err, sizeof(err)) == 0) {
		free(r.data);
		fail_msg("fetching %s succeeded, but expected: %s", u, want);
	}
	assert_null(r.data);
	assert_int_equal(r.not_modified, 0);
	assert_string_equal(err, want);
}

/** A fetch that must fail; its message is returned in err[512]. */
static void fetch_fails(const char *u, const struct dnsrep_fetch_opts *o, char *err)
{
	struct dnsrep_fetch_result r;
	err[0] = 0;
	if (dnsrep_fetch(u, o, &r, err, 512) == 0) {
		free(r.data);
		fail_msg("fetching %s succeeded, but expected an error", u);
	}
	assert_null(r.data);
}

/** err is "prefix…" and contains part. */
static void assert_message(const char *err, const char *prefix, const char *part)
{
	if (strncmp(err, prefix, strlen(prefix)) != 0)
		fail_msg("error '%s' does not start with '%s'", err, prefix);
	if (part && !strstr(err, part))
		fail_msg("error '%s' does not contain '%s'", err, part);
}

/** The whole of DATA_DIR/name; *len its size. */
static char *read_data(const char *name, size_t *len)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s", data_dir, name);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	char *buf = malloc(BIG_SIZE * 2);
	assert_non_null(buf);
	*len = fread(buf, 1, BIG_SIZE * 2, f);
	assert_int_equal(ferror(f), 0);
	fclose(f);
	return buf;
}

static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- options ---------------------------------------------------------------------------- */

static void test_opts_defaults(void **state)
{
	(void)state;
	struct dnsrep_fetch_opts o;
	memset(&o, 0xA5, sizeof(o));
	dnsrep_fetch_opts_init(&o);
	assert_null(o.ca_file);
	assert_int_equal(o.connect_timeout_ms, 10000);
	assert_int_equal(o.total_timeout_ms, 300000);
	assert_int_equal(o.max_size, (uint64_t)256 << 20);
	assert_int_equal(o.max_redirects, 5);
	assert_null(o.etag);
	assert_null(o.last_modified);
	assert_null(o.progress);
	assert_null(o.progress_ctx);
	assert_int_equal(dnsrep_fetch_global_init(), 0);
	assert_int_equal(dnsrep_fetch_global_init(), 0); /* again: harmless */
}

/* ---- good fetches ------------------------------------------------------------------------- */

static void test_good_fetch(void **state)
{
	(void)state;
	struct dnsrep_fetch_result r;
	fetch_ok(url("/list.txt"), NULL, &r); /* NULL options: the defaults */
	assert_int_equal(r.len, strlen(LIST_TXT));
	assert_memory_equal(r.data, LIST_TXT, r.len);
	assert_int_equal(r.data[r.len], 0);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.not_modified, 0);
	assert_string_equal(r.effective_url, url("/list.txt"));
	free(r.data);
}

static void test_big_fetch_exact(void **state)
{
	(void)state;
	size_t len = 0;
	char *want = read_data("big.bin", &len);
	assert_int_equal(len, BIG_SIZE);
	struct dnsrep_fetch_result r;
	fetch_ok(url("/big.bin"), NULL, &r);
	assert_int_equal(r.len, BIG_SIZE);
	assert_memory_equal(r.data, want, BIG_SIZE);
	assert_int_equal(r.data[r.len], 0);
	free(r.data);

	/* The same bytes in chunks. */
	fetch_ok(url("/chunked/big.bin"), NULL, &r);
	assert_int_equal(r.len, BIG_SIZE);
	assert_memory_equal(r.data, want, BIG_SIZE);
	free(r.data);
	free(want);
}

static void test_empty_body(void **state)
{
	(void)state;
	struct dnsrep_fetch_result r;
	fetch_ok(url("/empty.txt"), NULL, &r);
	assert_non_null(r.data); /* an empty list is data, not "not modified" */
	assert_int_equal(r.len, 0);
	assert_string_equal(r.data, "");
	assert_int_equal(r.not_modified, 0);
	free(r.data);
}

static void test_file_url(void **state)
{
	(void)state;
	char dir[256], path[300], u[400];
	snprintf(dir, sizeof(dir), "%s/dnsrep-test-fetch-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/local.txt", dir);
	static const char text[] = "local.test\n\xEF\xBB\xBFodd bytes \x01\x7f\n";
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, sizeof(text) - 1, f), sizeof(text) - 1);
	assert_int_equal(fclose(f), 0);

	struct dnsrep_fetch_result r;
	snprintf(u, sizeof(u), "file://%s", path);
	fetch_ok(u, NULL, &r);
	assert_int_equal(r.len, sizeof(text) - 1);
	assert_memory_equal(r.data, text, r.len);
	assert_int_equal(r.status, 0);
	free(r.data);

	/* A conditional fetch of a file still brings the file. */
	struct dnsrep_fetch_opts o;
	dnsrep_fetch_opts_init(&o);
	o.etag = "\"whatever\"";
	fetch_ok(u, &o, &r);
	assert_int_equal(r.not_modified, 0);
	assert_int_equal(r.len, sizeof(text) - 1);
	free(r.data);

	/* max_size applies to files as well. */
	o.etag = NULL;
	o.max_size = 5;
	char want[2048];
	snprintf(want, sizeof(want), "%s: larger than 5 bytes", u);
	fetch_err(u, &o, want);

	assert_int_equal(unlink(path), 0);
	char err[512];
	fetch_fails(u, NULL, err);
	snprintf(want, sizeof(want), "%s: ", u);
	assert_message(err, want, "local.txt");
	assert_int_equal(rmdir(dir), 0);
}

/* ---- HTTP errors -------------------------------------------------------------------------- */

static void test_http_404(void **state)
{
	(void)state;
	char want[2048];
	snprintf(want, sizeof(want), "%s: HTTP 404", url("/status/404"));
	fetch_err(url("/status/404"), NULL, want);
	snprintf(want, sizeof(want), "%s: HTTP 404", url("/no-such-file.txt"));
	fetch_err(url("/no-such-file.txt"), NULL, want);
}

static void test_http_500(void **state)
{
	(void)state;
	char want[2048];
	snprintf(want, sizeof(want), "%s: HTTP 500", url("/status/500"));
	fetch_err(url("/status/500"), NULL, want);
	snprintf(want, sizeof(want), "%s: HTTP 503", url("/status/503"));
	fetch_err(url("/status/503"), NULL, want);
}

static void test_other_2xx_is_error(void **state)
{
	(void)state;
	char want[2048];
	snprintf(want, sizeof(want), "%s: HTTP 204", url("/status/204"));
	fetch_err(url("/status/204"), NULL, want);
	snprintf(want, sizeof(want), "%s: HTTP 203", url("/status/203"));
	fetch_err(url("/status/203"), NULL, want);
}

static void test_304_without_condition_is_error(void **state)
{
	(void)state;
	char want[2048];
	snprintf(want, sizeof(want), "%s: HTTP 304", url("/status/304"));
	fetch_err(url("/status/304"), NULL, want);

	/* The same answer to a conditional request means "not modified". */
	struct dnsrep_fetch_opts o;
	dnsrep_fetch_opts_init(&o);
	o.etag = "\"abc\"";
	struct dnsrep_fetch_result r;
	fetch_ok(url("/status/304"), &o, &r);
	assert_int_equal(r.not_modified, 1);
	assert_null(r.data);
	assert_int_equal(r.status, 304);
}

/* ---- HTML instead of a list ------------------------------------------------------------------ */

static void test_html_by_content_type(void **state)
{
	(void)state;
	char want[2048];
	snprintf(want, sizeof(want), "%s: an HTML page (text/html), not a list", url("/html"));
	fetch_err(url("/html"), NULL, want);
	snprintf(want, sizeof(want), "%s: an HTML page (application/xhtml+xml), not a list", url("/xhtml"));
	fetch_err(url("/xhtml"), NULL, want);
	snprintf(want, sizeof(want), "%s: an HTML page (text/html), not a list", url("/html-empty"));
	fetch_err(url("/html-empty"), NULL, want);
}

static void test_html_by_body(void **state)
{
	(void)state;
	char want[2048];
	snprintf(want, sizeof(want), "%s: an HTML page (text/html), not a list", url("/html-as-text"));
	fetch_err(url("/html-as-text"), NULL, want);
}

/* ---- broken and oversized bodies --------------------------------------------------------------- */

static void test_truncated_body(void **state)
{
	(void)state;
	char want[2048];
	snprintf(want, sizeof(want), "%s: truncated (transfer closed with %d bytes remaining to read)",
		url("/truncated/big.bin"), BIG_SIZE - BIG_SIZE / 2);
	fetch_err(url("/truncated/big.bin"), NULL, want);
}

static void test_too_large_with_content_length(void **state)
{
	(void)state;
	struct dnsrep_fetch_opts o;
	dnsrep_fetch_opts_init(&o);
	o.max_size = 1000;
	char want[2048];
	snprintf(want, sizeof(want), "%s: larger than 1000 bytes", url("/big.bin"));
	fetch_err(url("/big.bin"), &o, want);
	o.max_size = 512 << 10;
	snprintf(want, sizeof(want), "%s: larger than 512 KiB", url("/big.bin"));
	fetch_err(url("/big.bin"), &o, want);
}

static void test_too_large_chunked(void **state)
{
	(void)state;
	struct dnsrep_fetch_opts o;
	dnsrep_fetch_opts_init(&o);
	o.max_size = 1000;
	char want[2048];
	snprintf(want, sizeof(want), "%s: larger than 1000 bytes", url("/chunked/big.bin"));
	fetch_err(url("/chunked/big.bin"), &o, want);
	o.max_size = BIG_SIZE - 1;
	snprintf(want, sizeof(want), "%s: larger than 1048575 bytes", url("/chunked/big.bin"));
	fetch_err(url("/chunked/big.bin"), &o, want);
}

static void test_size_limit_is_inclusive(void **state)
{
	(void)state;
	struct dnsrep_fetch_opts o;
	dnsrep_fetch_opts_init(&o);
	struct dnsrep_fetch_result r;
	o.max_size = strlen(LIST_TXT);
	fetch_ok(url("/list.txt"), &o, &r);
	assert_int_equal(r.len, strlen(LIST_TXT));
	free(r.data);
	fetch_ok(url("/chunked/list.txt"), &o, &r);
	assert_int_equal(r.len, strlen(LIST_TXT));
	assert_memory_equal(r.data, LIST_TXT, r.len);
	free(r.data);
	o.max_size = BIG_SIZE;
	fetch_ok(url("/chunked/big.bin"), &o, &r);
	assert_int_equal(r.len, BIG_SIZE);
	free(r.data);

	o.max_size = strlen(LIST_TXT) - 1;
	char want[2048];
	snprintf(want, sizeof(want), "%s: larger than %zu bytes", url("/list.txt"), strlen(LIST_TXT) - 1);
	fetch_err(url("/list.txt"), &o, want);
}

/* ---- time -------------------------------------------------------------------------------------- */

static void test_timeout(void **state)
{
	(void)state;
	struct dnsrep_fetch_opts o;
	dnsrep_fetch_opts_init(&o);
	o.total_timeout_ms = 1000;
	char want[2048];
	snprintf(want, sizeof(want), "%s: timed out after 1 s", url("/slow/list.txt"));
	double start = now_seconds();
	fetch_err(url("/slow/list.txt"), &o, want);
	double took = now_seconds() - start;
	if (took < 0.9 || took > 4.0)
		fail_msg("the 1 s timeout took %.2f s", took);

	o.total_timeout_ms = 1500;
	snprintf(want, sizeof(want), "%s: timed out after 1.5 s", url("/slow/list.txt"));
	fetch_err(url("/slow/list.txt"), &o, want);
}

/* ---- redirects ----------------------------------------------------------------------------------- */

static void test_redirects_within_limit(void **state)
{
	(void)state;
	struct dnsrep_fetch_result r;
	fetch_ok(url("/redirect/3/list.txt"), NULL, &r);
	assert_int_equal(r.len, strlen(LIST_TXT));
	assert_memory_equal(r.data, LIST_TXT, r.len);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.effective_url, url("/list.txt"));
	/* the final response's validators, not a redirect's */
	assert_true(r.etag[0] == '"');
	free(r.data);

	fetch_ok(url("/redirect/5/list.txt"), NULL, &r); /* exactly the default limit */
	assert_memory_equal(r.data, LIST_TXT, r.len);
	free(r.data);
}

static void test_redirects_beyond_limit(void **state)
{
	(void)state;
	char want[2048];
	snprintf(want, sizeof(want), "%s: more than 5 redirects", url("/redirect/6/list.txt"));
	fetch_err(url("/redirect/6/list.txt"), NULL, want);

	struct dnsrep_fetch_opts o;
	dnsrep_fetch_opts_init(&o);
	o.max_redirects = 0;
	snprintf(want, sizeof(want), "%s: more than 0 redirects", url("/redirect/1/list.txt"));
	fetch_err(url("/redirect/1/list.txt"), &o, want);
	o.max_redirects = 2;
	snprintf(want, sizeof(want), "%s: more than 2 redirects", url("/redirect/3/list.txt"));
	fetch_err(url("/redirect/3/list.txt"), &o, want);
}

static void test_redirect_to_file_refused(void **state)
{
	(void)state;
	/* A feed server must not make us read a local file, nor use another protocol. */
	char path[1100], want[2048];
	snprintf(path, sizeof(path), "/location?file://%s/list.txt", data_dir);
	snprintf(want, sizeof(want), "%s: redirected to file://%s/list.txt (only http:// and https:// are followed)",
		url(path), data_dir);
	fetch_err(url(path), NULL, want);

	snprintf(path, sizeof(path), "/location?ftp://127.0.0.1:%s/list.txt", port);
	snprintf(want, sizeof(want), "%s: redirected to ftp://127.0.0.1:%s/list.txt (only http:// and https:// are followed)",
		url(path), port);
	fetch_err(url(path), NULL, want);

	/* an absolute http:// redirect is followed */
	struct dnsrep_fetch_result r;
	snprintf(path, sizeof(path), "/location?http://127.0.0.1:%s/list.txt", port);
	fetch_ok(url(path), NULL, &r);
	assert_memory_equal(r.data, LIST_TXT, r.len);
	free(r.data);
}

/* ---- conditional GET ---------------------------------------------------------------------------- */

/** The ETag and Last-Modified that httpd sends for DATA_DIR/name. */
static void validators(const char *name, char *etag, size_t etaglen, char *date, size_t datelen)
{
	char path[1024];
	struct stat st;
	snprintf(path, sizeof(path), "%s/%s", data_dir, name);
	assert_int_equal(stat(path, &st), 0);
	snprintf(etag, etaglen, "\"%llx-%llx\"", (unsigned long long)st.st_size,
		(unsigned long long)st.st_mtime);
	struct tm tm;
	gmtime_r(&st.st_mtime, &tm);
	strftime(date, datelen, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

static void test_validators_captured(void **state)
{
	(void)state;
	char etag[64], date[64];
	validators("list.txt", etag, sizeof(etag), date, sizeof(date));
	struct dnsrep_fetch_result r;
	fetch_ok(url("/list.txt"), NULL, &r);
	assert_string_equal(r.etag, etag);
	assert_string_equal(r.last_modified, date);
	free(r.data);

	/* none on a response without them */
	fetch_ok(url("/chunked/list.txt"), NULL, &r);
	assert_string_equal(r.etag, "");
	assert_string_equal(r.last_modified, "");
	free(r.data);
}

static void test_not_modified_by_etag(void **state)
{
	(void)state;
	struct dnsrep_fetch_result first, r;
	fetch_ok(url("/list.txt"), NULL, &first);
	struct dnsrep_fetch_opts o;
	dnsrep_fetch_opts_init(&o);
	o.etag = first.etag;
	fetch_ok(url("/list.txt"), &o, &r);
	assert_int_equal(r.not_modified, 1);
	assert_null(r.data);
	assert_int_equal(r.len, 0);
	assert_int_equal(r.status, 304);
	assert_string_equal(r.etag, first.etag);

	/* a different ETag: the whole list again */
	o.etag = "\"0-0\"";
	fetch_ok(url("/list.txt"), &o, &r);
	assert_int_equal(r.not_modified, 0);
	assert_int_equal(r.status, 200);
	assert_memory_equal(r.data, LIST_TXT, r.len);
	free(r.data);
	free(first.data);
}

static void test_not_modified_by_date(void **state)
{
	(void)state;
	struct dnsrep_fetch_result first, r;
	fetch_ok(url("/list.txt"), NULL, &first);
	struct dnsrep_fetch_opts o;
	dnsrep_fetch_opts_init(&o);
	o.last_modified = first.last_modified;
	fetch_ok(url("/list.txt"), &o, &r);
	assert_int_equal(r.not_modified, 1);
	assert_null(r.data);
	assert_int_equal(r.status, 304);

	/* an older date: the whole list again */
	o.last_modified = "Thu, 01 Jan 1970 00:00:01 GMT";
	fetch_ok(url("/list.txt"), &o, &r);
	assert_int_equal(r.not_modified, 0);
	assert_int_equal(r.len, strlen(LIST_TXT));
	assert_memory_equal(r.data, LIST_TXT, r.len);
	free(r.data);

	/* both sent: the ETag decides (it does not match here) */
	o.etag = "\"0-0\"";
	o.last_modified = first.last_modified;
	fetch_ok(url("/list.txt"), &o, &r);
	assert_int_equal(r.not_modified, 0);
	assert_memory_equal(r.data, LIST_TXT, r.len);
	free(r.data);
	free(first.data);
}

static void test_header_injection_ignored(void **state)
{
	(void)state;
	/* A stored ETag with a line break is not sent (it would smuggle a header). */
	struct dnsrep_fetch_opts o;
	dnsrep_fetch_opts_init(&o);
	char etag[64], date[64];
	validators("list.txt", etag, sizeof(etag), date, sizeof(date));
	char bad[200];
	snprintf(bad, sizeof(bad), "\"x\"\r\nIf-None-Match: %s", etag);
	o.etag = bad;
	struct dnsrep_fetch_result r;
	fetch_ok(url("/list.txt"), &o, &r);
	assert_int_equal(r.not_modified, 0);
	assert_memory_equal(r.data, LIST_TXT, r.len);
	free(r.data);
}

/* ---- what error messages show ---------------------------------------------------------------------- */

static void test_credentials_stripped(void **state)
{
	(void)state;
	char u[512], want[512];
	snprintf(u, sizeof(u), "http://user:secret@127.0.0.1:%s/status/404", port);
	snprintf(want, sizeof(want), "http://127.0.0.1:%s/status/404: HTTP 404", port);
	fetch_err(u, NULL, want);

	snprintf(u, sizeof(u), "http://justuser@127.0.0.1:%s/status/404?mail=a@b", port);
	snprintf(want, sizeof(want), "http://127.0.0.1:%s/status/404?mail=a@b: HTTP 404", port);
	fetch_err(u, NULL, want);

	/* nor does a good fetch's effective URL */
	struct dnsrep_fetch_result r;
	snprintf(u, sizeof(u), "http://user:secret@127.0.0.1:%s/redirect/1/list.txt", port);
	fetch_ok(u, NULL, &r);
	assert_null(strstr(r.effective_url, "secret"));
	assert_string_equal(r.effective_url, url("/list.txt"));
	free(r.data);

	/* a transport error neither */
	char err[512];
	snprintf(u, sizeof(u), "http://user:secret@127.0.0.1:%s/slow/list.txt", port);
	struct dnsrep_fetch_opts o;
	dnsrep_fetch_opts_init(&o);
	o.total_timeout_ms = 200;
	fetch_fails(u, &o, err);
	assert_null(strstr(err, "secret"));
	assert_null(strstr(err, "user"));
}

static void test_connection_refused(void **state)
{
	(void)state;
	/* A bound socket that does not listen: connecting to it is refused. */
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	struct sockaddr_in a;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t alen = sizeof(a);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &alen), 0);
	char u[128], prefix[160], part[128], err[512];
	unsigned p = ntohs(a.sin_port);
	snprintf(u, sizeof(u), "http://127.0.0.1:%u/list.txt", p);
	snprintf(prefix, sizeof(prefix), "%s: ", u);
	snprintf(part, sizeof(part), "127.0.0.1 port %u", p);
	fetch_fails(u, NULL, err);
	assert_message(err, prefix, part);
	assert_non_null(strstr(err, "Couldn't connect to server"));
	close(fd);
}

static void test_unsupported_scheme(void **state)
{
	(void)state;
	char u[128], want[256];
	snprintf(u, sizeof(u), "ftp://127.0.0.1:%s/list.txt", port);
	snprintf(want, sizeof(want), "%s: unsupported scheme (only file://, http://, https://)", u);
	fetch_err(u, NULL, want);
	fetch_err("gopher://u:pw@example.test/x", NULL,
		"gopher://example.test/x: unsupported scheme (only file://, http://, https://)");
	/* no scheme: libcurl would guess http; we do not */
	snprintf(u, sizeof(u), "127.0.0.1:%s/list.txt", port);
	snprintf(want, sizeof(want), "%s: unsupported scheme (only file://, http://, https://)", u);
	fetch_err(u, NULL, want);
	fetch_err("", NULL, "(no URL): empty URL");
}

/* ---- progress ------------------------------------------------------------------------------------ */

struct progress_log {
	unsigned calls;
	uint64_t last_now, max_total;
	int went_back;
};

static void on_progress(void *ctx, uint64_t now, uint64_t total)
{
	struct progress_log *log = ctx;
	if (now < log->last_now)
		log->went_back = 1;
	log->last_now = now;
	if (total > log->max_total)
		log->max_total = total;
	log->calls++;
}

static void test_progress(void **state)
{
	(void)state;
	struct progress_log log;
	memset(&log, 0, sizeof(log));
	struct dnsrep_fetch_opts o;
	dnsrep_fetch_opts_init(&o);
	o.progress = on_progress;
	o.progress_ctx = &log;
	struct dnsrep_fetch_result r;
	fetch_ok(url("/big.bin"), &o, &r);
	assert_int_equal(r.len, BIG_SIZE);
	free(r.data);
	assert_true(log.calls >= 2);
	assert_int_equal(log.went_back, 0);
	assert_int_equal(log.last_now, BIG_SIZE);
	assert_int_equal(log.max_total, BIG_SIZE);

	/* chunked: no total is known */
	memset(&log, 0, sizeof(log));
	fetch_ok(url("/chunked/big.bin"), &o, &r);
	free(r.data);
	assert_true(log.calls >= 2);
	assert_int_equal(log.went_back, 0);
	assert_int_equal(log.last_now, BIG_SIZE);
	assert_int_equal(log.max_total, 0);
}

int main(void)
{
	port = getenv("HTTP_PORT");
	data_dir = getenv("DATA_DIR");
	if (!port || !*port || !data_dir || !*data_dir) {
		fprintf(stderr, "fetch: set HTTP_PORT and DATA_DIR (run through fetch.test)\n");
		return 1;
	}
	if (dnsrep_fetch_global_init() != 0) {
		fprintf(stderr, "fetch: curl_global_init failed\n");
		return 1;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_opts_defaults),
		cmocka_unit_test(test_good_fetch),
		cmocka_unit_test(test_big_fetch_exact),
		cmocka_unit_test(test_empty_body),
		cmocka_unit_test(test_file_url),
		cmocka_unit_test(test_http_404),
		cmocka_unit_test(test_http_500),
		cmocka_unit_test(test_other_2xx_is_error),
		cmocka_unit_test(test_304_without_condition_is_error),
		cmocka_unit_test(test_html_by_content_type),
		cmocka_unit_test(test_html_by_body),
		cmocka_unit_test(test_truncated_body),
		cmocka_unit_test(test_too_large_with_content_length),
		cmocka_unit_test(test_too_large_chunked),
		cmocka_unit_test(test_size_limit_is_inclusive),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_redirects_within_limit),
		cmocka_unit_test(test_redirects_beyond_limit),
		cmocka_unit_test(test_redirect_to_file_refused),
		cmocka_unit_test(test_validators_captured),
		cmocka_unit_test(test_not_modified_by_etag),
		cmocka_unit_test(test_not_modified_by_date),
		cmocka_unit_test(test_header_injection_ignored),
		cmocka_unit_test(test_credentials_stripped),
		cmocka_unit_test(test_connection_refused),
		cmocka_unit_test(test_unsupported_scheme),
		cmocka_unit_test(test_progress),
	};
	return cmocka_run_group_tests_name("fetch", tests, NULL, NULL);
}
