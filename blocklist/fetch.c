/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fetch.c — fetching a feed's bytes with libcurl's easy interface (see dnsrep/fetch.h).
 *
 * One function, dnsrep_fetch(), turns a URL into a NUL-terminated body or into one
 * line of error.  It is deliberately strict, because whatever it returns may end up
 * deciding which names a resolver answers:
 *
 *   - only file://, http:// and https:// are fetched, and redirects may only lead to
 *     http:// or https:// (a feed server must not be able to make us read a local
 *     file); their number is bounded;
 *   - TLS certificates and host names are always verified; a CA file may be named;
 *   - a connect timeout and a total timeout bound the time spent;
 *   - the body is bounded by max_size: libcurl refuses a larger Content-Length up
 *     front, and the write callback aborts a body without one (chunked, or a
 *     lying server) the moment it grows past the limit;
 *   - anything but 200 (or 304 to a conditional request), a truncated body, or an
 *     HTML page where a list was expected (a login portal, a parking page, an error
 *     page served with 200) is an error, so that the caller keeps its last good list;
 *   - conditional GET: If-None-Match / If-Modified-Since from the last good fetch,
 *     and the response's ETag and Last-Modified captured for the next one.
 *
 * Error messages name the URL with any "user:password@" removed, so they can be
 * logged and shown as they are.  Nothing is printed from here.
 */
#include "dnsrep/fetch.h"
#include "dnsrep_config.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define FETCH_DEFAULT_CONNECT_MS 10000L
#define FETCH_DEFAULT_TOTAL_MS 300000L
#define FETCH_DEFAULT_MAX_SIZE ((uint64_t)256 << 20)
#define FETCH_DEFAULT_REDIRECTS 5L
/** The first allocation for a body whose length is not announced. */
#define FETCH_INITIAL_CAPACITY ((size_t)16 << 10)

void dnsrep_fetch_opts_init(struct dnsrep_fetch_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->connect_timeout_ms = FETCH_DEFAULT_CONNECT_MS;
	o->total_timeout_ms = FETCH_DEFAULT_TOTAL_MS;
	o->max_size = FETCH_DEFAULT_MAX_SIZE;
	o->max_redirects = FETCH_DEFAULT_REDIRECTS;
}

/* ---- global initialisation ------------------------------------------------------ */

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc = CURLE_FAILED_INIT;

static void global_init_once(void)
{
	global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

int dnsrep_fetch_global_init(void)
{
	if (pthread_once(&global_once, global_init_once) != 0)
		return -1;
	return global_rc == CURLE_OK ? 0 : -1;
}

/* ---- small string helpers ------------------------------------------------------------ */

/** Copy src into dst[dstlen], truncating; dst is always NUL-terminated. */
static void copy_string(char *dst, size_t dstlen, const char *src, size_t srclen)
{
	if (dstlen == 0)
		return;
	if (srclen >= dstlen)
		srclen = dstlen - 1;
	memcpy(dst, src, srclen);
	dst[srclen] = 0;
}

/**
 * url without its userinfo ("https://user:pass@host/x" → "https://host/x"), into
 * out[outlen] (truncated when longer).
 */
static void redact_url(const char *url, char *out, size_t outlen)
{
	const char *sep = strstr(url, "://");
	if (sep) {
		const char *authority = sep + 3;
		size_t alen = strcspn(authority, "/?#");
		const char *at = NULL;
		for (size_t i = 0; i < alen; i++)
			if (authority[i] == '@')
				at = authority + i;
		if (at) {
			size_t head = (size_t)(authority - url);
			if (head >= outlen)
				head = outlen ? outlen - 1 : 0;
			copy_string(out, outlen, url, head);
			if (head + 1 < outlen)
				copy_string(out + head, outlen - head, at + 1, strlen(at + 1));
			return;
		}
	}
	copy_string(out, outlen, url, strlen(url));
}

/** err = "URL: reason" (the URL already redacted). */
static void fail(char *err, size_t errlen, const char *url, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void fail(char *err, size_t errlen, const char *url, const char *fmt, ...)
{
	if (!err || errlen == 0)
		return;
	char reason[CURL_ERROR_SIZE + 64];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	snprintf(err, errlen, "%s: %s", url, reason);
}

/** A duration in milliseconds as seconds: "10", "1.5". */
static void format_seconds(long ms, char *out, size_t outlen)
{
	if (ms % 1000 == 0)
		snprintf(out, outlen, "%ld", ms / 1000);
	else
		snprintf(out, outlen, "%.1f", (double)ms / 1000.0);
}

/** A size as "256 MiB", "64 KiB" or "1000 bytes". */
static void format_size(uint64_t n, char *out, size_t outlen)
{
	if (n >= ((uint64_t)1 << 30) && n % ((uint64_t)1 << 30) == 0)
		snprintf(out, outlen, "%llu GiB", (unsigned long long)(n >> 30));
	else if (n >= ((uint64_t)1 << 20) && n % ((uint64_t)1 << 20) == 0)
		snprintf(out, outlen, "%llu MiB", (unsigned long long)(n >> 20));
	else if (n >= ((uint64_t)1 << 10) && n % ((uint64_t)1 << 10) == 0)
		snprintf(out, outlen, "%llu KiB", (unsigned long long)(n >> 10));
	else
		snprintf(out, outlen, "%llu bytes", (unsigned long long)n);
}

/** The URL's scheme is one we fetch (file, http, https)? */
static int scheme_supported(const char *url)
{
	static const char *const schemes[] = { "file://", "http://", "https://" };
	for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
		if (strncasecmp(url, schemes[i], strlen(schemes[i])) == 0)
			return 1;
	return 0;
}

static int is_file_url(const char *url)
{
	return strncasecmp(url, "file://", 7) == 0;
}

/** A header value may go into a request header: no CR, LF or NUL inside, not empty. */
static int header_value_ok(const char *v)
{
	return v && *v && !strpbrk(v, "\r\n");
}

/** The media type names an HTML page? */
static const char *html_media_type(const char *content_type)
{
	if (strcasecmp(content_type, "text/html") == 0)
		return "text/html";
	if (strcasecmp(content_type, "application/xhtml+xml") == 0)
		return "application/xhtml+xml";
	return NULL;
}

/** The body, after a UTF-8 BOM and white space, opens an HTML document? */
static int body_looks_like_html(const char *data, size_t len)
{
	size_t i = 0;
	if (len >= 3 && (unsigned char)data[0] == 0xEF && (unsigned char)data[1] == 0xBB &&
	    (unsigned char)data[2] == 0xBF)
		i = 3;
	while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' ||
			   data[i] == '\n' || data[i] == '\f' || data[i] == '\v'))
		i++;
	static const char *const openings[] = { "<!doctype html", "<html" };
	for (size_t k = 0; k < sizeof(openings) / sizeof(openings[0]); k++) {
		size_t n = strlen(openings[k]);
		if (len - i >= n && strncasecmp(data + i, openings[k], n) == 0)
			return 1;
	}
	return 0;
}

/* ---- one transfer's state ------------------------------------------------------------ */

struct transfer {
	CURL *curl;
	uint64_t max_size;
	char *data;                 /* the body so far (the final response's only) */
	size_t len, cap;            /* cap includes room for the NUL */
	int too_large;              /* the body grew past max_size: aborted */
	int out_of_memory;          /* a buffer could not grow: aborted */
	const char *html;           /* an HTML media type was announced: aborted */
	char content_type[128];     /* the last response's media type, without parameters */
	char etag[sizeof(((struct dnsrep_fetch_result *)0)->etag)];
	char last_modified[sizeof(((struct dnsrep_fetch_result *)0)->last_modified)];
	const struct dnsrep_fetch_opts *opts;
};

/** Make room for n more bytes plus the NUL, doubling (at most to max_size + 1); 0 or -1. */
static int body_reserve(struct transfer *t, size_t n)
{
	if (n > SIZE_MAX - t->len - 1)
		return -1;
	size_t need = t->len + n + 1;
	if (need <= t->cap)
		return 0;
	size_t cap = t->cap ? t->cap : FETCH_INITIAL_CAPACITY;
	while (cap < need) {
		if (cap > SIZE_MAX / 2) {
			cap = need;
			break;
		}
		cap *= 2;
	}
	/* Never allocate much beyond what may be kept. */
	if (t->max_size < SIZE_MAX - 1 && cap > (size_t)t->max_size + 1 && need <= (size_t)t->max_size + 1)
		cap = (size_t)t->max_size + 1;
	char *grown = realloc(t->data, cap);
	if (!grown)
		return -1;
	t->data = grown;
	t->cap = cap;
	return 0;
}

static long current_status(struct transfer *t)
{
	long status = 0;
	if (curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &status) != CURLE_OK)
		return 0;
	return status;
}

/** CURLOPT_WRITEFUNCTION: keep the body of a 200 (or a file), bounded; 0 aborts. */
static size_t on_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct transfer *t = userdata;
	size_t n = size * nmemb;
	long status = current_status(t);
	if (status != 0 && status != 200)
		return n; /* an error page: its status is the error, its body is not kept */
	if (t->len == 0 && t->content_type[0]) {
		t->html = html_media_type(t->content_type);
		if (t->html)
			return 0;
	}
	if ((uint64_t)n > t->max_size - t->len) {
		t->too_large = 1;
		return 0;
	}
	if (t->len == 0 && t->cap == 0) {
		/* Size the buffer from Content-Length when the server announced one. */
		curl_off_t expected = -1;
		if (curl_easy_getinfo(t->curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &expected) == CURLE_OK &&
		    expected > 0 && (uint64_t)expected <= t->max_size && (uint64_t)expected < SIZE_MAX - 1 &&
		    (uint64_t)expected > n) {
			char *first = malloc((size_t)expected + 1);
			if (first) {
				t->data = first;
				t->cap = (size_t)expected + 1;
			}
		}
	}
	if (body_reserve(t, n) != 0) {
		t->out_of_memory = 1;
		return 0;
	}
	memcpy(t->data + t->len, ptr, n);
	t->len += n;
	t->data[t->len] = 0;
	return n;
}

/** Trim white space (and the CRLF) from both ends of [*s, *s + *n). */
static void trim(const char **s, size_t *n)
{
	while (*n && (**s == ' ' || **s == '\t'))
		(*s)++, (*n)--;
	while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t' || (*s)[*n - 1] == '\r' ||
		      (*s)[*n - 1] == '\n'))
		(*n)--;
}

/** CURLOPT_HEADERFUNCTION: capture ETag, Last-Modified and Content-Type. */
static size_t on_header(char *buffer, size_t size, size_t nitems, void *userdata)
{
	struct transfer *t = userdata;
	size_t n = size * nitems;
	if (n >= 5 && strncmp(buffer, "HTTP/", 5) == 0) {
		/* A new response (after a redirect, or a 100 Continue): forget the last one's. */
		t->etag[0] = t->last_modified[0] = t->content_type[0] = 0;
		return n;
	}
	const char *colon = memchr(buffer, ':', n);
	if (!colon)
		return n;
	const char *name = buffer, *value = colon + 1;
	size_t name_len = (size_t)(colon - buffer), value_len = n - name_len - 1;
	trim(&name, &name_len);
	trim(&value, &value_len);
	if (name_len == 4 && strncasecmp(name, "ETag", 4) == 0) {
		copy_string(t->etag, sizeof(t->etag), value, value_len);
	} else if (name_len == 13 && strncasecmp(name, "Last-Modified", 13) == 0) {
		copy_string(t->last_modified, sizeof(t->last_modified), value, value_len);
	} else if (name_len == 12 && strncasecmp(name, "Content-Type", 12) == 0) {
		const char *semi = memchr(value, ';', value_len);
		size_t type_len = semi ? (size_t)(semi - value) : value_len;
		trim(&value, &type_len);
		copy_string(t->content_type, sizeof(t->content_type), value, type_len);
	}
	return n;
}

/** CURLOPT_XFERINFOFUNCTION: pass the download's progress on. */
static int on_progress(void *clientp, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
	curl_off_t ulnow)
{
	(void)ultotal;
	(void)ulnow;
	struct transfer *t = clientp;
	t->opts->progress(t->opts->progress_ctx, dlnow > 0 ? (uint64_t)dlnow : 0,
		dltotal > 0 ? (uint64_t)dltotal : 0);
	return 0;
}

/* ---- the fetch ------------------------------------------------------------------------ */

/** Options with zero or negative values replaced by the defaults. */
static void effective_opts(const struct dnsrep_fetch_opts *in, struct dnsrep_fetch_opts *o)
{
	if (in)
		*o = *in;
	else
		dnsrep_fetch_opts_init(o);
	if (o->connect_timeout_ms <= 0)
		o->connect_timeout_ms = FETCH_DEFAULT_CONNECT_MS;
	if (o->total_timeout_ms <= 0)
		o->total_timeout_ms = FETCH_DEFAULT_TOTAL_MS;
	if (o->max_size == 0)
		o->max_size = FETCH_DEFAULT_MAX_SIZE;
	if (o->max_redirects < 0)
		o->max_redirects = FETCH_DEFAULT_REDIRECTS;
}

/** Set every option of the transfer; CURLE_OK or the first failure. */
static CURLcode configure(CURL *curl, const char *url, const struct dnsrep_fetch_opts *o,
	struct transfer *t, struct curl_slist *headers, char *errbuf)
{
	CURLcode rc = CURLE_OK;
#define SET(opt, val) do { if (rc == CURLE_OK) rc = curl_easy_setopt(curl, opt, val); } while (0)
	SET(CURLOPT_ERRORBUFFER, errbuf);
	SET(CURLOPT_URL, url);
#if LIBCURL_VERSION_NUM >= 0x075500 /* 7.85.0 */
	SET(CURLOPT_PROTOCOLS_STR, "file,http,https");
	SET(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
	SET(CURLOPT_PROTOCOLS, (long)(CURLPROTO_FILE | CURLPROTO_HTTP | CURLPROTO_HTTPS));
	SET(CURLOPT_REDIR_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	if (o->ca_file && *o->ca_file)
		SET(CURLOPT_CAINFO, o->ca_file);
	SET(CURLOPT_CONNECTTIMEOUT_MS, o->connect_timeout_ms);
	SET(CURLOPT_TIMEOUT_MS, o->total_timeout_ms);
	SET(CURLOPT_MAXFILESIZE_LARGE,
		(curl_off_t)(o->max_size > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)o->max_size));
	SET(CURLOPT_FOLLOWLOCATION, 1L);
	SET(CURLOPT_MAXREDIRS, o->max_redirects);
	SET(CURLOPT_ACCEPT_ENCODING, ""); /* whatever libcurl can decode; max_size counts decoded bytes */
	SET(CURLOPT_USERAGENT, "dnsrep/" PACKAGE_VERSION);
	SET(CURLOPT_WRITEFUNCTION, on_body);
	SET(CURLOPT_WRITEDATA, t);
	SET(CURLOPT_HEADERFUNCTION, on_header);
	SET(CURLOPT_HEADERDATA, t);
	if (headers)
		SET(CURLOPT_HTTPHEADER, headers);
	if (o->progress) {
		SET(CURLOPT_XFERINFOFUNCTION, on_progress);
		SET(CURLOPT_XFERINFODATA, t);
		SET(CURLOPT_NOPROGRESS, 0L);
	}
#undef SET
	return rc;
}

/**
 * The conditional request's headers into *out (NULL when there are none: no validators,
 * or unusable ones); 0, or -1 when out of memory.
 */
static int conditional_headers(const struct dnsrep_fetch_opts *o, struct curl_slist **out)
{
	struct curl_slist *list = NULL;
	char line[512];
	if (header_value_ok(o->etag)) {
		if ((size_t)snprintf(line, sizeof(line), "If-None-Match: %s", o->etag) < sizeof(line)) {
			struct curl_slist *next = curl_slist_append(list, line);
			if (!next)
				goto oom;
			list = next;
		}
	}
	if (header_value_ok(o->last_modified)) {
		if ((size_t)snprintf(line, sizeof(line), "If-Modified-Since: %s", o->last_modified) <
		    sizeof(line)) {
			struct curl_slist *next = curl_slist_append(list, line);
			if (!next)
				goto oom;
			list = next;
		}
	}
	*out = list;
	return 0;
oom:
	curl_slist_free_all(list);
	return -1;
}

/** The reason for a failed transfer, from libcurl's code and error buffer. */
static void transfer_failure(struct transfer *t, CURLcode rc, const char *errbuf,
	const struct dnsrep_fetch_opts *o, const char *shown, char *err, size_t errlen)
{
	const char *why = errbuf[0] ? errbuf : curl_easy_strerror(rc);
	char secs[32];
	switch (rc) {
	case CURLE_OPERATION_TIMEDOUT: {
		curl_off_t connected = 0;
		if (curl_easy_getinfo(t->curl, CURLINFO_CONNECT_TIME_T, &connected) == CURLE_OK &&
		    connected == 0 && o->connect_timeout_ms < o->total_timeout_ms) {
			format_seconds(o->connect_timeout_ms, secs, sizeof(secs));
			fail(err, errlen, shown, "connection timed out after %s s", secs);
		} else {
			format_seconds(o->total_timeout_ms, secs, sizeof(secs));
			fail(err, errlen, shown, "timed out after %s s", secs);
		}
		break;
	}
	case CURLE_TOO_MANY_REDIRECTS:
		fail(err, errlen, shown, "more than %ld redirects", o->max_redirects);
		break;
	case CURLE_UNSUPPORTED_PROTOCOL: {
		/* The URL's own scheme was checked before: a redirect led elsewhere. */
		char *target = NULL;
		char where[512];
		if (curl_easy_getinfo(t->curl, CURLINFO_EFFECTIVE_URL, &target) == CURLE_OK && target) {
			redact_url(target, where, sizeof(where));
			fail(err, errlen, shown, "redirected to %s (only http:// and https:// are followed)",
				where);
		} else {
			fail(err, errlen, shown, "%s", why);
		}
		break;
	}
	case CURLE_PARTIAL_FILE:
		fail(err, errlen, shown, "truncated (%s)", why);
		break;
	default:
		fail(err, errlen, shown, "%s", why);
		break;
	}
}

int dnsrep_fetch(const char *url, const struct dnsrep_fetch_opts *opts,
	struct dnsrep_fetch_result *result, char *err, size_t errlen)
{
	char shown[1024];
	struct dnsrep_fetch_opts o;
	effective_opts(opts, &o);
	memset(result, 0, sizeof(*result));
	if (err && errlen)
		err[0] = 0;
	if (!url || !*url) {
		fail(err, errlen, "(no URL)", "empty URL");
		return -1;
	}
	redact_url(url, shown, sizeof(shown));
	if (!scheme_supported(url)) {
		fail(err, errlen, shown, "unsupported scheme (only file://, http://, https://)");
		return -1;
	}
	if (dnsrep_fetch_global_init() != 0) {
		fail(err, errlen, shown, "libcurl could not be initialised");
		return -1;
	}

	struct transfer t;
	memset(&t, 0, sizeof(t));
	t.max_size = o.max_size;
	t.opts = &o;
	struct curl_slist *headers = NULL;
	if (!is_file_url(url) && conditional_headers(&o, &headers) != 0) {
		fail(err, errlen, shown, "out of memory");
		return -1;
	}
	int conditional = headers != NULL; /* only then may the answer be 304 */
	t.curl = curl_easy_init();
	if (!t.curl) {
		curl_slist_free_all(headers);
		fail(err, errlen, shown, "libcurl could not start a transfer");
		return -1;
	}
	char errbuf[CURL_ERROR_SIZE];
	errbuf[0] = 0;
	int ret = -1;
	CURLcode rc = configure(t.curl, url, &o, &t, headers, errbuf);
	if (rc != CURLE_OK) {
		fail(err, errlen, shown, "libcurl refused an option: %s", curl_easy_strerror(rc));
		goto done;
	}
	rc = curl_easy_perform(t.curl);
	long status = current_status(&t);
	char *effective = NULL;
	if (curl_easy_getinfo(t.curl, CURLINFO_EFFECTIVE_URL, &effective) == CURLE_OK && effective)
		redact_url(effective, result->effective_url, sizeof(result->effective_url));
	else
		copy_string(result->effective_url, sizeof(result->effective_url), shown, strlen(shown));

	char limit[32];
	if (t.too_large || rc == CURLE_FILESIZE_EXCEEDED) {
		format_size(o.max_size, limit, sizeof(limit));
		fail(err, errlen, shown, "larger than %s", limit);
	} else if (t.html) {
		fail(err, errlen, shown, "an HTML page (%s), not a list", t.html);
	} else if (t.out_of_memory) {
		fail(err, errlen, shown, "out of memory");
	} else if (rc != CURLE_OK) {
		transfer_failure(&t, rc, errbuf, &o, shown, err, errlen);
	} else if (status == 304 && conditional) {
		result->not_modified = 1;
		ret = 0;
	} else if (status != 200 && !(status == 0 && is_file_url(url))) {
		fail(err, errlen, shown, "HTTP %ld", status);
	} else if (html_media_type(t.content_type)) { /* an empty page: no body was written */
		fail(err, errlen, shown, "an HTML page (%s), not a list", html_media_type(t.content_type));
	} else if (body_looks_like_html(t.data, t.len)) {
		fail(err, errlen, shown, "an HTML page (text/html), not a list");
	} else {
		if (!t.data && (t.data = malloc(1)) != NULL)
			t.data[0] = 0;
		if (!t.data) {
			fail(err, errlen, shown, "out of memory");
		} else {
			result->data = t.data;
			result->len = t.len;
			t.data = NULL;
			ret = 0;
		}
	}
	result->status = status;
	copy_string(result->etag, sizeof(result->etag), t.etag, strlen(t.etag));
	copy_string(result->last_modified, sizeof(result->last_modified), t.last_modified,
		strlen(t.last_modified));
done:
	free(t.data);
	curl_easy_cleanup(t.curl);
	curl_slist_free_all(headers);
	return ret;
}
