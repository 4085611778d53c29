/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * logstream.c — block log lines to a Redis stream (see dnsrep/logstream.h).
 *
 * Two threads meet here.  The log writer calls the sink with the lines it has
 * just formatted; the sink copies whole lines into a bounded buffer under a mutex
 * (no I/O, no wait beyond the copy) and drops, counting them, the lines that do
 * not fit.  The stream's own thread swaps that buffer for an empty one and sends
 * its lines with pipelined XADDs.  So a Redis that hangs or goes away stalls only
 * the stream's thread: the file log is never held up by the network.
 */
#include "dnsrep/logstream.h"

#include <pthread.h>
#include <signal.h>
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
/** Bytes of lines waiting for the stream's thread; beyond it lines are dropped. */
#define PENDING_MAX (1u << 20)

struct dnsrep_logstream {
	const struct dnsrep_store_opts *so;
	uint64_t maxlen;
	dnsrep_msg_fn on_msg;
	void *ctx;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int stop;                    /**< under mu */
	char *fill;                  /**< lines the sink appended, under mu */
	size_t fill_len;
	char *send;                  /**< the thread's batch (PENDING_MAX bytes) */
	struct dnsrep_store *conn;   /**< the stream thread's own connection */
	time_t retry_at;             /**< no attempt before this */
	int down;                    /**< lines are being lost (said so already); under mu */
	_Atomic uint64_t dropped;
	_Atomic uint64_t sent;          /**< lines Redis took */
};

static void tell(struct dnsrep_logstream *ls, enum dnsrep_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void tell(struct dnsrep_logstream *ls, enum dnsrep_log_level level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	dnsrep_vsay(ls->on_msg, ls->ctx, level, fmt, ap);
	va_end(ap);
}

/** The stream starts losing lines: said once, until it works again.  Not under mu. */
static void losing(struct dnsrep_logstream *ls, const char *why)
{
	pthread_mutex_lock(&ls->mu);
	int said = ls->down;
	ls->down = 1;
	pthread_mutex_unlock(&ls->mu);
	if (!said)
		tell(ls, DNSREP_ERR, "block log stream: %s; the file log goes on, the stream "
		     "misses records until Redis is back", why);
}

/** A batch reached Redis: if lines were lost before, say so once.  Not under mu. */
static void recovered(struct dnsrep_logstream *ls)
{
	pthread_mutex_lock(&ls->mu);
	int was = ls->down;
	ls->down = 0;
	pthread_mutex_unlock(&ls->mu);
	if (was)
		tell(ls, DNSREP_INFO, "block log stream: Redis is back (%llu records missed "
		     "meanwhile)", (unsigned long long)atomic_load(&ls->dropped));
}

/** A batch failed: a broken connection is closed and tried again after RETRY_S; a
 * data error (the stream key of another type) keeps it. */
static void fail(struct dnsrep_logstream *ls, const char *err, size_t lost)
{
	if (dnsrep_store_broken(ls->conn)) {
		dnsrep_store_close(ls->conn);
		ls->conn = NULL;
		ls->retry_at = time(NULL) + RETRY_S;
	}
	atomic_fetch_add(&ls->dropped, lost);
	losing(ls, err);
}

/** Lines in buf (each ending with a newline, or at the end). */
static size_t count_lines(const char *buf, size_t len)
{
	size_t n = 0;
	for (const char *p = buf, *end = buf + len; p < end; n++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		p = nl ? nl + 1 : end;
	}
	return n;
}

/** Send n lines (pointers and lengths) to Redis, or count them dropped. */
static void send_batch(struct dnsrep_logstream *ls, const char **ptrs, const size_t *lens, size_t n)
{
	char err[256];
	if (!ls->conn && time(NULL) >= ls->retry_at) {
		ls->conn = dnsrep_store_connect(ls->so, err, sizeof(err));
		if (!ls->conn)
			fail(ls, err, 0);
	}
	if (!ls->conn) {
		atomic_fetch_add(&ls->dropped, n);
	} else if (dnsrep_store_log(ls->conn, ptrs, lens, n, ls->maxlen, err, sizeof(err)) < 0) {
		fail(ls, err, n);
	} else {
		atomic_fetch_add(&ls->sent, n);
		recovered(ls);
	}
}

/** Send every line of buf, BATCH at a time. */
static void send_lines(struct dnsrep_logstream *ls, const char *buf, size_t len)
{
	const char *ptrs[BATCH];
	size_t lens[BATCH];
	size_t n = 0;
	for (const char *p = buf, *end = buf + len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *stop = nl ? nl : end;
		if (stop > p) {
			ptrs[n] = p;
			lens[n++] = (size_t)(stop - p);
		}
		p = nl ? nl + 1 : end;
		if (n == BATCH || (p >= end && n > 0)) {
			send_batch(ls, ptrs, lens, n);
			n = 0;
		}
	}
}

static void *stream_run(void *arg)
{
	struct dnsrep_logstream *ls = arg;
	pthread_mutex_lock(&ls->mu);
	for (;;) {
		while (!ls->stop && ls->fill_len == 0)
			pthread_cond_wait(&ls->cv, &ls->mu);
		if (ls->fill_len == 0)
			break; /* stopping, nothing left */
		char *batch = ls->fill;
		size_t len = ls->fill_len;
		ls->fill = ls->send;
		ls->fill_len = 0;
		ls->send = batch;
		int stopping = ls->stop;
		pthread_mutex_unlock(&ls->mu);
		if (stopping && !ls->conn) /* no new connection attempt on the way out */
			atomic_fetch_add(&ls->dropped, count_lines(batch, len));
		else
			send_lines(ls, batch, len);
		pthread_mutex_lock(&ls->mu);
	}
	pthread_mutex_unlock(&ls->mu);
	return NULL;
}

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
	atomic_init(&ls->sent, 0);
	ls->fill = malloc(PENDING_MAX);
	ls->send = malloc(PENDING_MAX);
	if (!ls->fill || !ls->send) {
		free(ls->fill);
		free(ls->send);
		free(ls);
		return NULL;
	}
	pthread_mutex_init(&ls->mu, NULL);
	pthread_cond_init(&ls->cv, NULL);
	/* the stream's thread takes no signals: they belong to the resolver's threads */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int rc = pthread_create(&ls->thread, NULL, stream_run, ls);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		pthread_cond_destroy(&ls->cv);
		pthread_mutex_destroy(&ls->mu);
		free(ls->fill);
		free(ls->send);
		free(ls);
		return NULL;
	}
	return ls;
}

void dnsrep_logstream_sink(void *logstream, const char *lines, size_t len)
{
	struct dnsrep_logstream *ls = logstream;
	size_t lost = 0;
	pthread_mutex_lock(&ls->mu);
	size_t room = PENDING_MAX - ls->fill_len;
	if (len <= room) {
		memcpy(ls->fill + ls->fill_len, lines, len);
		ls->fill_len += len;
	} else {
		/* whole lines while they fit; the rest is the stream's loss */
		const char *p = lines, *end = lines + len;
		while (p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t l = (size_t)((nl ? nl + 1 : end) - p);
			if (l > room)
				break;
			memcpy(ls->fill + ls->fill_len, p, l);
			ls->fill_len += l;
			room -= l;
			p += l;
		}
		lost = count_lines(p, (size_t)(end - p));
	}
	pthread_cond_signal(&ls->cv);
	pthread_mutex_unlock(&ls->mu);
	if (lost) {
		atomic_fetch_add(&ls->dropped, lost);
		losing(ls, "Redis does not take the lines as fast as they come (hung or too slow)");
	}
}

uint64_t dnsrep_logstream_sent(const struct dnsrep_logstream *ls)
{
	return atomic_load(&((struct dnsrep_logstream *)ls)->sent);
}

uint64_t dnsrep_logstream_dropped(const struct dnsrep_logstream *ls)
{
	return atomic_load(&((struct dnsrep_logstream *)ls)->dropped);
}

void dnsrep_logstream_free(struct dnsrep_logstream *ls)
{
	if (!ls)
		return;
	pthread_mutex_lock(&ls->mu);
	ls->stop = 1;
	pthread_cond_signal(&ls->cv);
	pthread_mutex_unlock(&ls->mu);
	pthread_join(ls->thread, NULL);
	dnsrep_store_close(ls->conn);
	pthread_cond_destroy(&ls->cv);
	pthread_mutex_destroy(&ls->mu);
	free(ls->fill);
	free(ls->send);
	free(ls);
}
