/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dnsrep/logstream.h — the block log's second destination: a Redis stream, so a
 * fleet's blocks can be reviewed in one place (`dnsrepctl report --redis`).
 *
 * It is a block log sink (dnsrep_blocklog_set_sink) with a thread of its own: the
 * sink, on the log writer's thread, only copies the lines into a bounded buffer
 * (1 MiB; lines that do not fit are the stream's loss, counted); the stream's thread
 * appends them with XADD … MAXLEN ~ N on its own Redis connection.  When Redis is
 * unreachable or hangs, only that thread waits: it drops the stream's copy of the
 * lines (the file has them), counts them, says so once, and tries again after a
 * few seconds.  The file log never waits for Redis.
 */
#ifndef DNSREP_LOGSTREAM_H
#define DNSREP_LOGSTREAM_H

#include <stddef.h>
#include <stdint.h>

#include "dnsrep/refresher.h"
#include "dnsrep/store.h"

struct dnsrep_logstream;

/**
 * A stream sink.  so and its strings must outlive it.  on_msg hears of Redis going
 * away and coming back (once per change of state).  NULL when out of memory.
 */
struct dnsrep_logstream *dnsrep_logstream_new(const struct dnsrep_store_opts *so, uint64_t maxlen,
	dnsrep_msg_fn on_msg, void *ctx);

/** The sink function: give it to dnsrep_blocklog_set_sink with the logstream as ctx. */
void dnsrep_logstream_sink(void *logstream, const char *lines, size_t len);

/** Lines appended to the stream. */
uint64_t dnsrep_logstream_sent(const struct dnsrep_logstream *ls);

/** Lines not appended to the stream: Redis unreachable or hung, or the buffer full. */
uint64_t dnsrep_logstream_dropped(const struct dnsrep_logstream *ls);

/**
 * Stop the stream's thread (lines still buffered are sent if Redis is connected,
 * else counted as dropped), close the connection and free.  Only after the log
 * writer stopped.  NULL is fine.
 */
void dnsrep_logstream_free(struct dnsrep_logstream *ls);

#endif
