/*
 * logstream.c — block log lines to a Redis stream (see dnsrep/logstream.h).
 */
#include "dnsrep/logstream.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/** Seconds to wait after a failure before trying Redis again. */
#define RETRY_S 5
/** Lines appended per pipelined batch. */
#define BATCH 256

struct dnsrep_logstream {
	const struct dnsrep_store_opts *so;
	uint64_t maxlen;
	dnsrep_msg_fn on_msg;
	void *ctx;
	struct dnsrep_store *conn;   /**< the writer thread's own connection */
	time_t retry_at;             /**< no attempt before this */
	int down;                    /**< said so already */
	_Atomic uint64_t dropped;
};

struct dnsrep_logstream *dnsrep_logstream_new(const struct dnsrep_store_opts *so, uint64_t maxlen,
	dnsrep_msg_fn on_msg, void *ctx)
{
	struct dnsrep_logstream *ls = calloc(1, sizeof(*ls));
	if (!ls)
		return NULL;
	ls->so = so;
	ls->maxlen = maxlen;
	ls->on_msg = on_msg;
	ls->ctx = ctx;
	atomic_init(&ls->dropped, 0);
	return ls;
}

static void tell(struct dnsrep_logstream *ls, enum dnsrep_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void tell(struct dnsrep_logstream *ls, enum dnsrep_log_level level, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (ls->on_msg)
		ls->on_msg(ls->ctx, level, msg);
}

static void fail(struct dnsrep_logstream *ls, const char *err, size_t lost)
{
	dnsrep_store_close(ls->conn);
	ls->conn = NULL;
	ls->retry_at = time(NULL) + RETRY_S;
	atomic_fetch_add(&ls->dropped, lost);
	if (!ls->down)
		tell(ls, DNSREP_ERR, "block log stream: %s; the file log goes on, the stream "
		     "misses records until Redis is back", err);
	ls->down = 1;
}

void dnsrep_logstream_sink(void *logstream, const char *lines, size_t len)
{
	struct dnsrep_logstream *ls = logstream;
	char err[256];
	const char *ptrs[BATCH];
	size_t lens[BATCH];
	size_t n = 0;
	for (const char *p = lines, *end = lines + len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *stop = nl ? nl : end;
		if (stop > p) {
			ptrs[n] = p;
			lens[n++] = (size_t)(stop - p);
		}
		p = nl ? nl + 1 : end;
		if (n == BATCH || (p >= end && n > 0)) {
			if (!ls->conn && time(NULL) >= ls->retry_at) {
				ls->conn = dnsrep_store_connect(ls->so, err, sizeof(err));
				if (!ls->conn)
					fail(ls, err, 0);
				else if (ls->down) {
					tell(ls, DNSREP_INFO, "block log stream: Redis is back (%llu records "
					     "missed meanwhile)", (unsigned long long)atomic_load(&ls->dropped));
					ls->down = 0;
				}
			}
			if (!ls->conn)
				atomic_fetch_add(&ls->dropped, n);
			else if (dnsrep_store_log(ls->conn, ptrs, lens, n, ls->maxlen, err, sizeof(err)) < 0)
				fail(ls, err, n);
			n = 0;
		}
	}
}

uint64_t dnsrep_logstream_dropped(const struct dnsrep_logstream *ls)
{
	return atomic_load(&((struct dnsrep_logstream *)ls)->dropped);
}

void dnsrep_logstream_free(struct dnsrep_logstream *ls)
{
	if (!ls)
		return;
	dnsrep_store_close(ls->conn);
	free(ls);
}
