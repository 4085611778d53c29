/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dnsrep/blocklog.h — the block log: one JSON Lines record per blocked, log-only
 * or exempt lookup per client, written by a dedicated thread.
 *
 * Resolver threads fill a record (everything copied into it: the snapshot the
 * strings came from may be gone by the time it is written) and push it, packed to
 * the bytes it uses, on a bounded lock-free queue; they never wait for the disk
 * or a lock.  When
 * the queue is full the record is dropped and counted, and the writer logs the
 * count as {"event":"dropped","count":N,...}: never silently.  The writer
 * thread drains the queue, formats each record as one JSON object (every string
 * escaped, names in presentation format with \DDD escapes), appends it to the
 * log file, and reopens the file when it was renamed or removed (logrotate's
 * `create` mode).
 */
#ifndef DNSREP_BLOCKLOG_H
#define DNSREP_BLOCKLOG_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "dnsrep/entry.h" /* enum dnsrep_match_kind */
#include "dnsrep/json.h"
#include "dnsrep/err.h" /* dnsrep_msg_fn */

/** Sizes of the text fields of a record (NUL included); longer text is cut. */
#define DNSREP_LOG_FEED 65
#define DNSREP_LOG_CATEGORY 65
#define DNSREP_LOG_REASON 257
#define DNSREP_LOG_ACTION 16
/** A CNAME/DNAME chain holds at most this many names (the query's own excluded). */
#define DNSREP_LOG_CHAIN 4

/** What the lookup's record says happened. */
enum dnsrep_log_kind {
	DNSREP_LOG_BLOCKED = 0,  /**< the client got a block answer */
	DNSREP_LOG_LOGONLY,      /**< log-only: the lookup resolved normally */
	DNSREP_LOG_EXEMPT,       /**< an exempt client: resolved normally */
	DNSREP_LOG_ESCAPED       /**< the client got the real answer of a blocked name from
				      Unbound's cache (a race with a new blocklist: see README) */
};

/** One lookup, as a resolver thread fills it in.  Plain data, no pointers. */
struct dnsrep_log_record {
	int64_t ts_ms;                     /**< Unix time in milliseconds */
	struct sockaddr_storage client;    /**< the client's address and port */
	uint8_t qname[256];                /**< wire form as the client asked (case kept) */
	uint8_t qname_len;
	uint16_t qtype;
	uint8_t rule[256];                 /**< the deciding entry's wire name */
	uint8_t rule_len;
	uint8_t kind;                      /**< enum dnsrep_log_kind */
	uint8_t match;                     /**< enum dnsrep_match_kind (not NONE) */
	uint16_t ede;                      /**< the EDE code sent (0: none, the client had no EDNS) */
	uint8_t technique;                 /**< lookalike matches: enum dnsrep_technique */
	uint8_t distance;                  /**< lookalike typo matches: edits */
	char action[DNSREP_LOG_ACTION];    /**< "nxdomain", "log-only", … */
	char feed[DNSREP_LOG_FEED];
	char category[DNSREP_LOG_CATEGORY];
	char reason[DNSREP_LOG_REASON];
	uint8_t chain_n;                   /**< names in chain */
	uint8_t chain_len[DNSREP_LOG_CHAIN];
	uint8_t chain[DNSREP_LOG_CHAIN][256]; /**< CNAME/DNAME targets, wire form, in order */
};

struct dnsrep_blocklog;

/**
 * Format one record as a JSON object and a newline, appended to out:
 * {"ts":"2026-11-21T11:09:00.123Z","resolver":…,"client":"192.0.2.1","qname":…,
 *  "qtype":"A","action":…,"match":"exact","rule":…,"feed":…,"category":…,
 *  "reason":…,"ede":15,"chain":[…]}  (chain only for cname matches; ede null
 *  when none was sent; reason null when empty; an exempt lookup has
 *  "action":"exempt", an escaped one "action":"escaped").
 * Qname, rule and chain names are written in presentation format with \DDD
 * escapes; every string is JSON-escaped.  A name that is not well-formed wire
 * format within its length is written with every octet (length octets too) as
 * \DDD.  A client address of an unknown family is written as null.
 */
void dnsrep_blocklog_format(struct dnsrep_buf *out, const char *resolver,
	const struct dnsrep_log_record *r);

/**
 * Open the log file (append, created 0640 if missing) and start the writer thread.
 * @param path: the log file.
 * @param resolver: the resolver's name written in every record (copied).
 * @param capacity: records of typical size the queue holds (0: 4096): its room is
 *   capacity x 2 cells of 128 bytes (a typical record packs into two), rounded up
 *   to a power of two; a longer record takes more cells.
 * @return the log, or NULL with err set ("cannot open …: Permission denied").
 */
struct dnsrep_blocklog *dnsrep_blocklog_open(const char *path, const char *resolver,
	unsigned capacity, char *err, size_t errlen);

/**
 * Queue one record for writing; never blocks.  Safe from any number of threads.
 * @return 0, or -1 when the queue was full (the record is dropped and counted).
 */
int dnsrep_blocklog_push(struct dnsrep_blocklog *log, const struct dnsrep_log_record *r);

/**
 * Also hand every batch of formatted lines (complete lines, each ending in a
 * newline) to sink, on the writer thread, after they are formatted and before they
 * are written to the file: e.g. to append them to a Redis stream.  The sink may be
 * slow (only the writer waits; producers never do) but must not keep failing
 * slowly: it should back off on its own.  Set it before records are pushed; NULL
 * removes it.
 */
void dnsrep_blocklog_set_sink(struct dnsrep_blocklog *log,
	void (*sink)(void *ctx, const char *lines, size_t len), void *ctx);

/**
 * Who hears, on the writer thread, when writing to the file starts failing (once,
 * with the reason: "No space left on device") and when it works again (once, with
 * the failed time and the records dropped meanwhile).  Set it before records are
 * pushed; NULL: nobody.
 */
void dnsrep_blocklog_set_msg(struct dnsrep_blocklog *log, dnsrep_msg_fn on_msg, void *ctx);

/** A match kind's name in the log: "exact", "subdomain", "lookalike", "cname". */
const char *dnsrep_blocklog_match_name(int match);

/** Records dropped so far because the queue was full. */
uint64_t dnsrep_blocklog_dropped(const struct dnsrep_blocklog *log);

/** Records written so far. */
uint64_t dnsrep_blocklog_written(const struct dnsrep_blocklog *log);

/**
 * Failed write(2) or reopen calls so far (and records lost formatting them for
 * want of memory).  Lines whose write failed are kept and tried again a second
 * later; while they wait the queue fills and records are dropped and counted.
 * Lines the file still refuses when the log is closed are lost.
 */
uint64_t dnsrep_blocklog_errors(const struct dnsrep_blocklog *log);

/**
 * Write what is queued, stop the writer thread, close the file, free.  Pending
 * records are written first; a final dropped count is written if any.  NULL is fine.
 */
void dnsrep_blocklog_close(struct dnsrep_blocklog *log);

#endif /* DNSREP_BLOCKLOG_H */
