/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dnsrep/fetch.h — fetching a feed's bytes: file://, http:// and https:// with libcurl.
 *
 * TLS verification is always on (a CA file may be named); conditional GET with
 * ETag and Last-Modified; connect and total timeouts; a maximum size; a bounded
 * number of redirects.  A failed fetch, an HTTP error, or an HTML page where a
 * list was expected is an error with a clear reason; the caller keeps the last
 * good version.
 */
#ifndef DNSREP_FETCH_H
#define DNSREP_FETCH_H

#include <stddef.h>
#include <stdint.h>

/** How to fetch. */
struct dnsrep_fetch_opts {
	const char *ca_file;         /**< CA bundle for https, or NULL for the system's */
	long connect_timeout_ms;     /**< default 10000 */
	long total_timeout_ms;       /**< default 300000 */
	uint64_t max_size;           /**< bytes; default 256 MiB; larger bodies are an error */
	long max_redirects;          /**< default 5 */
	const char *etag;            /**< from the last good fetch, or NULL */
	const char *last_modified;   /**< from the last good fetch, or NULL */
	/** Progress, or NULL: bytes so far and the expected total (0 when unknown). */
	void (*progress)(void *ctx, uint64_t now, uint64_t total);
	void *progress_ctx;
};

/** What a fetch brought. */
struct dnsrep_fetch_result {
	char *data;                  /**< the body, NUL-terminated (malloc'd), or NULL */
	size_t len;
	int not_modified;            /**< 304: the last good version is current; data is NULL */
	long status;                 /**< HTTP status (0 for file://) */
	char etag[256];              /**< the response's ETag, or "" */
	char last_modified[128];     /**< the response's Last-Modified, or "" */
	char effective_url[1024];    /**< after redirects */
};

/** Options with the defaults. */
void dnsrep_fetch_opts_init(struct dnsrep_fetch_opts *o);

/**
 * Fetch url.  @return 0 with the result filled (data or not_modified), or -1 with
 * err saying why: "https://x/list.txt: HTTP 404", "…: timed out after 10 s",
 * "…: larger than 256 MiB", "…: an HTML page (text/html), not a list",
 * "…: SSL certificate problem: …", "…: more than 5 redirects".
 * The caller frees result->data with free().
 */
int dnsrep_fetch(const char *url, const struct dnsrep_fetch_opts *o,
	struct dnsrep_fetch_result *result, char *err, size_t errlen);

/** Call once per process before any fetch (curl_global_init); 0 on success. */
int dnsrep_fetch_global_init(void);

#endif /* DNSREP_FETCH_H */
