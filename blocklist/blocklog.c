/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * blocklog.c — the block log: records of blocked, log-only and exempt lookups,
 * formatted as JSON Lines and appended to a file by one writer thread.
 *
 * Why a queue and a thread: resolver threads must never wait for the disk or a
 * lock (a slow disk must not slow DNS).  They pack a record (only the bytes its
 * names and strings use) into a bounded lock-free queue — Dmitry Vyukov's
 * bounded MPMC queue, used here with one consumer: every cell carries a sequence
 * number that says whose turn it is.  A producer claims the consecutive cells its
 * record needs with one compare-and-swap (each must be free for its position),
 * fills them, and publishes them, the first one last, with release stores of
 * their sequences; the consumer looks only at a record's first cell.  No
 * allocation, no lock, no wait; when the queue is full the record is dropped and
 * counted, and the writer writes the count to the log ({"event":"dropped",...}):
 * never silently.  Packing keeps the queue small: a record's fields hold up to
 * 2 KiB, a typical packed record 150 bytes.
 *
 * The writer thread drains the queue in batches, formats each record into one
 * buffer and writes it with as few write(2) calls as it can.  When the queue is
 * empty it sleeps on a condition variable with a timeout: 2 ms while records keep
 * coming, and then producers do not wake it (a wake-up is a system call; at a
 * hundred thousand blocked lookups a second they would pay one each) unless the
 * queue is a quarter full; 50 ms once it has been idle, and then the next record
 * wakes it.  Producers wake it only with pthread_mutex_trylock, so a producer
 * never waits (a missed wake-up costs at most one timeout).  About once a second,
 * before writing, it checks that the path still names the open file and reopens
 * it when it was renamed or removed (logrotate's `create` mode).  A failed write
 * is counted and retried a second later; lines waiting for the disk are bounded,
 * after which the queue fills and records are dropped and counted.
 *
 * No global state: everything lives in struct dnsrep_blocklog.
 */
#include "dnsrep/blocklog.h"
#include "dnsrep/lookalike.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stddef.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <ldns/ldns.h>

#include "dnsrep/name.h"

/** The queue's size when none is given, and the largest it may be, in records of
 * typical size: two cells (up to 240 bytes packed; a typical record packs to about
 * 150), so the queue has capacity x 2 cells of 128 bytes, rounded up to a power of two. */
#define BLOCKLOG_DEFAULT_CAPACITY 4096u
#define BLOCKLOG_MAX_CAPACITY (1u << 20)
#define BLOCKLOG_TYPICAL_CELLS 2u
/** Stop draining the queue into the buffer beyond this many bytes of lines. */
#define BLOCKLOG_PENDING_LIMIT (256u * 1024u)
/** The buffer is allocated once with room for the limit and the longest record. */
#define BLOCKLOG_BUFFER_SIZE (BLOCKLOG_PENDING_LIMIT + 32u * 1024u)
/** How long the writer naps while records keep coming (producers do not wake it:
 * a wake-up is a system call, and a resolver thread would pay one per record). */
#define BLOCKLOG_NAP_MS 2
/** How long the idle writer sleeps (producers wake it); idle: this long without records. */
#define BLOCKLOG_IDLE_WAIT_MS 50
#define BLOCKLOG_IDLE_AFTER_NS 200000000LL
/** How often the path is checked for rotation, and a failed write retried. */
#define BLOCKLOG_CHECK_NS 1000000000LL
#define BLOCKLOG_CACHE_LINE 64
/** Bytes of a record a cell holds. */
#define BLOCKLOG_CELL_DATA (2 * BLOCKLOG_CACHE_LINE - sizeof(atomic_size_t))
/** A record in its packed form is at most this long (see blocklog_pack). */
#define BLOCKLOG_PACKED_MAX (sizeof(struct dnsrep_log_record) + 64)
/** So it takes at most this many cells. */
#define BLOCKLOG_MAX_CELLS ((BLOCKLOG_PACKED_MAX + BLOCKLOG_CELL_DATA - 1) / BLOCKLOG_CELL_DATA)

/**
 * One cell of the queue: its turn number and a piece of a record.  A record takes
 * as many consecutive cells as its packed form needs (most take two); its first
 * cell's first byte says how many.
 */
struct blocklog_cell {
	/** pos: free for the producer of position pos; pos+1: holds that record. */
	_Alignas(BLOCKLOG_CACHE_LINE) atomic_size_t seq;
	uint8_t data[BLOCKLOG_CELL_DATA];
};

struct dnsrep_blocklog {
	/* ---- written by producers ---- */
	/** The next position a producer claims. */
	_Alignas(BLOCKLOG_CACHE_LINE) atomic_size_t enqueue_pos;
	/** Records dropped because the queue was full. */
	_Alignas(BLOCKLOG_CACHE_LINE) atomic_uint_least64_t dropped;

	/* ---- read by producers, written rarely ---- */
	_Alignas(BLOCKLOG_CACHE_LINE) struct blocklog_cell *cells;
	size_t mask;                     /**< capacity - 1 */
	atomic_int sleeping;             /**< the writer waits: 1 napping (not to be woken), 2 idle */
	atomic_size_t consumed;          /**< the writer's position: cells before it are free */
	pthread_mutex_t mu;              /**< guards the wait; producers only trylock it */
	pthread_cond_t cv;

	/* ---- the writer's own ---- */
	_Alignas(BLOCKLOG_CACHE_LINE) size_t dequeue_pos;
	atomic_int stop;                 /**< set by close */
	atomic_uint_least64_t written;   /**< records written completely */
	atomic_uint_least64_t errors;    /**< failed write/reopen calls */
	uint64_t dropped_logged;         /**< drops already reported in the log */
	struct dnsrep_buf pend;          /**< formatted lines not yet written */
	size_t pend_off;                 /**< bytes of pend already written */
	uint64_t pend_records;           /**< records (not events) in pend */
	int fd;
	int64_t last_check_ns;           /**< monotonic time of the last rotation check */
	int64_t retry_ns;                /**< no write before this (after a failure) */
	char *path;
	char *resolver;
	pthread_t thread;
	/** A second destination for the lines; under mu. */
	void (*sink)(void *ctx, const char *lines, size_t len);
	void *sink_ctx;
	dnsrep_msg_fn on_msg;            /**< hears of write failures; under mu */
	void *msg_ctx;
	int failing;                     /**< the last write failed (said so) */
	int64_t failing_since_ns;        /**< monotonic */
	uint64_t failing_dropped;        /**< the dropped count when it started */
};

/* ---- time ------------------------------------------------------------------------ */

static int64_t blocklog_now_ns(clockid_t clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/** Write v as exactly width decimal digits (zero-padded, high digits cut) at p. */
static char *blocklog_digits(char *p, unsigned v, int width)
{
	for (int i = width - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return p + width;
}

/** Append "YYYY-MM-DDTHH:MM:SS.mmmZ" (quoted) for a Unix time in milliseconds. */
static void blocklog_put_ts(struct dnsrep_buf *out, int64_t ts_ms)
{
	int64_t secs = ts_ms / 1000, ms = ts_ms % 1000;
	if (ms < 0) { /* round toward the past for times before 1970 */
		ms += 1000;
		secs--;
	}
	char text[64];
	struct tm tm;
	time_t t = (time_t)secs;
	if ((int64_t)t != secs || !gmtime_r(&t, &tm)
	    || tm.tm_year < -1900 || tm.tm_year > 9999 - 1900) {
		/* RFC 3339 has four-digit years; a clock this far off is broken anyway */
		dnsrep_buf_puts(out, secs < 0 ? "\"0000-01-01T00:00:00.000Z\""
					      : "\"9999-12-31T23:59:59.999Z\"");
		return;
	}
	/* by hand: snprintf costs a quarter of a record's formatting */
	char *p = text;
	*p++ = '"';
	p = blocklog_digits(p, (unsigned)(tm.tm_year + 1900), 4);
	*p++ = '-';
	p = blocklog_digits(p, (unsigned)tm.tm_mon + 1, 2);
	*p++ = '-';
	p = blocklog_digits(p, (unsigned)tm.tm_mday, 2);
	*p++ = 'T';
	p = blocklog_digits(p, (unsigned)tm.tm_hour, 2);
	*p++ = ':';
	p = blocklog_digits(p, (unsigned)tm.tm_min, 2);
	*p++ = ':';
	p = blocklog_digits(p, (unsigned)tm.tm_sec, 2);
	*p++ = '.';
	p = blocklog_digits(p, (unsigned)ms, 3);
	*p++ = 'Z';
	*p++ = '"';
	dnsrep_buf_add(out, text, (size_t)(p - text));
}

/* ---- formatting -------------------------------------------------------------------- */

/** Whether wire[0..len) is exactly one well-formed wire name. */
static int blocklog_wire_ok(const uint8_t *wire, size_t len)
{
	size_t pos = 0;
	while (pos < len) {
		uint8_t n = wire[pos];
		if (n == 0)
			return pos + 1 == len;
		if (n > DNSREP_LABEL_MAX)
			return 0;
		pos += 1 + (size_t)n;
	}
	return 0;
}

/**
 * Append a wire name as a JSON string in presentation format.  A malformed name
 * (which the caller should never hand us, but a log must not fail) is written
 * with every octet, length octets included, as \DDD.
 */
static void blocklog_put_name(struct dnsrep_buf *out, const uint8_t *wire, size_t len)
{
	char text[DNSREP_NAME_MAXTEXT];
	int n = -1;
	if (len <= DNSREP_NAME_MAXWIRE && blocklog_wire_ok(wire, len))
		n = dnsrep_name_to_text(wire, text, sizeof(text));
	if (n < 0) {
		size_t o = 0;
		for (size_t i = 0; i < len && o + 4 < sizeof(text); i++) {
			text[o++] = '\\';
			blocklog_digits(text + o, wire[i], 3);
			o += 3;
		}
		n = (int)o;
	}
	dnsrep_json_str(out, text, (size_t)n);
}

/** Append a fixed-size text field (NUL-terminated, or filling its array). */
static void blocklog_put_field(struct dnsrep_buf *out, const char *s, size_t size)
{
	dnsrep_json_str(out, s, strnlen(s, size));
}

/** Append the client's address as a JSON string; v4-mapped IPv6 as IPv4. */
static void blocklog_put_client(struct dnsrep_buf *out, const struct sockaddr_storage *ss)
{
	char text[INET6_ADDRSTRLEN];
	const char *s = NULL;
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;
		s = inet_ntop(AF_INET, &sin->sin_addr, text, sizeof(text));
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;
		if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr))
			s = inet_ntop(AF_INET, &sin6->sin6_addr.s6_addr[12], text, sizeof(text));
		else
			s = inet_ntop(AF_INET6, &sin6->sin6_addr, text, sizeof(text));
	}
	if (s)
		dnsrep_json_str(out, s, strlen(s));
	else
		dnsrep_buf_puts(out, "null"); /* no address family we know */
}

/** Append the query type's mnemonic ("A", "TYPE65534"). */
static void blocklog_put_qtype(struct dnsrep_buf *out, uint16_t qtype)
{
	char *s = ldns_rr_type2str((ldns_rr_type)qtype);
	if (s) {
		dnsrep_json_str(out, s, strlen(s));
		free(s);
	} else { /* out of memory in ldns: the generic form needs none */
		char text[16];
		int n = snprintf(text, sizeof(text), "TYPE%u", (unsigned)qtype);
		dnsrep_json_str(out, text, (size_t)n);
	}
}

const char *dnsrep_blocklog_match_name(int match)
{
	switch (match) {
	case DNSREP_MATCH_EXACT: return "exact";
	case DNSREP_MATCH_SUBDOMAIN: return "subdomain";
	case DNSREP_MATCH_LOOKALIKE: return "lookalike";
	case DNSREP_MATCH_CNAME: return "cname";
	default: return "unknown";
	}
}

void dnsrep_blocklog_format(struct dnsrep_buf *out, const char *resolver,
	const struct dnsrep_log_record *r)
{
	if (!resolver)
		resolver = "";
	dnsrep_buf_puts(out, "{\"ts\":");
	blocklog_put_ts(out, r->ts_ms);
	dnsrep_buf_puts(out, ",\"resolver\":");
	dnsrep_json_str(out, resolver, strlen(resolver));
	dnsrep_buf_puts(out, ",\"client\":");
	blocklog_put_client(out, &r->client);
	dnsrep_buf_puts(out, ",\"qname\":");
	blocklog_put_name(out, r->qname, r->qname_len);
	dnsrep_buf_puts(out, ",\"qtype\":");
	blocklog_put_qtype(out, r->qtype);
	dnsrep_buf_puts(out, ",\"action\":");
	if (r->kind == DNSREP_LOG_EXEMPT)
		dnsrep_json_str(out, "exempt", 6);
	else if (r->kind == DNSREP_LOG_ESCAPED)
		dnsrep_json_str(out, "escaped", 7);
	else
		blocklog_put_field(out, r->action, sizeof(r->action));
	dnsrep_buf_puts(out, ",\"match\":");
	dnsrep_json_str(out, dnsrep_blocklog_match_name(r->match), strlen(dnsrep_blocklog_match_name(r->match)));
	dnsrep_buf_puts(out, ",\"rule\":");
	blocklog_put_name(out, r->rule, r->rule_len);
	dnsrep_buf_puts(out, ",\"feed\":");
	blocklog_put_field(out, r->feed, sizeof(r->feed));
	dnsrep_buf_puts(out, ",\"category\":");
	blocklog_put_field(out, r->category, sizeof(r->category));
	dnsrep_buf_puts(out, ",\"reason\":");
	if (r->reason[0])
		blocklog_put_field(out, r->reason, sizeof(r->reason));
	else
		dnsrep_buf_puts(out, "null");
	dnsrep_buf_puts(out, ",\"ede\":");
	if (r->ede) {
		char num[5];
		int w = r->ede >= 10000 ? 5 : r->ede >= 1000 ? 4 : r->ede >= 100 ? 3 : r->ede >= 10 ? 2 : 1;
		blocklog_digits(num, r->ede, w);
		dnsrep_buf_add(out, num, (size_t)w);
	} else {
		dnsrep_buf_puts(out, "null");
	}
	if (r->match == DNSREP_MATCH_CNAME) {
		unsigned n = r->chain_n < DNSREP_LOG_CHAIN ? r->chain_n : DNSREP_LOG_CHAIN;
		dnsrep_buf_puts(out, ",\"chain\":[");
		for (unsigned i = 0; i < n; i++) {
			if (i)
				dnsrep_buf_add(out, ",", 1);
			blocklog_put_name(out, r->chain[i], r->chain_len[i]);
		}
		dnsrep_buf_add(out, "]", 1);
	}
	if (r->match == DNSREP_MATCH_LOOKALIKE) {
		/* the rule is the protected name; how the query resembles it */
		const char *t = dnsrep_lookalike_technique_name((enum dnsrep_technique)r->technique);
		char num[4];
		dnsrep_buf_puts(out, ",\"technique\":");
		dnsrep_json_str(out, t, strlen(t));
		dnsrep_buf_puts(out, ",\"distance\":");
		blocklog_digits(num, r->distance % 10, 1);
		dnsrep_buf_add(out, num, 1);
	}
	dnsrep_buf_add(out, "}\n", 2);
}

/** Append {"event":"dropped","count":N,"ts":…,"resolver":…} and a newline. */
static void blocklog_format_dropped(struct dnsrep_buf *out, const char *resolver, uint64_t count)
{
	char num[32];
	int n = snprintf(num, sizeof(num), "%" PRIu64, count);
	dnsrep_buf_puts(out, "{\"event\":\"dropped\",\"count\":");
	dnsrep_buf_add(out, num, (size_t)n);
	dnsrep_buf_puts(out, ",\"ts\":");
	blocklog_put_ts(out, blocklog_now_ns(CLOCK_REALTIME) / 1000000);
	dnsrep_buf_puts(out, ",\"resolver\":");
	dnsrep_json_str(out, resolver, strlen(resolver));
	dnsrep_buf_add(out, "}\n", 2);
}

/* ---- packing ------------------------------------------------------------------------ */

/** Append len bytes behind a length octet (len at most 255). */
static uint8_t *blocklog_put_bytes(uint8_t *p, const void *src, size_t len)
{
	*p++ = (uint8_t)len;
	memcpy(p, src, len);
	return p + len;
}

/** A NUL-terminated field of at most size bytes, its length cut to 255. */
static size_t blocklog_field_len(const char *field, size_t size)
{
	size_t n = strnlen(field, size - 1);
	return n > 255 ? 255 : n;
}

/** Pack a record into out (BLOCKLOG_PACKED_MAX bytes); its length. */
static size_t blocklog_pack(const struct dnsrep_log_record *r, uint8_t *out)
{
	uint8_t *p = out + 1; /* out[0]: the number of cells, set by the caller */
	memcpy(p, &r->ts_ms, 8);
	p += 8;
	sa_family_t fam = r->client.ss_family;
	size_t alen = fam == AF_INET ? sizeof(struct sockaddr_in)
		    : fam == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(sa_family_t);
	p = blocklog_put_bytes(p, &r->client, alen);
	memcpy(p, &r->qtype, 2);
	memcpy(p + 2, &r->ede, 2);
	p[4] = r->kind;
	p[5] = r->match;
	p[6] = r->technique;
	p[7] = r->distance;
	p += 8;
	p = blocklog_put_bytes(p, r->qname, r->qname_len);
	p = blocklog_put_bytes(p, r->rule, r->rule_len);
	p = blocklog_put_bytes(p, r->action, blocklog_field_len(r->action, sizeof(r->action)));
	p = blocklog_put_bytes(p, r->feed, blocklog_field_len(r->feed, sizeof(r->feed)));
	p = blocklog_put_bytes(p, r->category, blocklog_field_len(r->category, sizeof(r->category)));
	/* the reason holds up to 256 bytes: two length octets */
	size_t rlen = strnlen(r->reason, sizeof(r->reason) - 1);
	p[0] = (uint8_t)(rlen & 0xff);
	p[1] = (uint8_t)(rlen >> 8);
	memcpy(p + 2, r->reason, rlen);
	p += 2 + rlen;
	unsigned n = r->chain_n < DNSREP_LOG_CHAIN ? r->chain_n : DNSREP_LOG_CHAIN;
	*p++ = (uint8_t)n;
	for (unsigned i = 0; i < n; i++)
		p = blocklog_put_bytes(p, r->chain[i], r->chain_len[i]);
	return (size_t)(p - out);
}

/** Take len bytes behind a length octet into a field of size bytes, NUL-terminated. */
static const uint8_t *blocklog_get_text(const uint8_t *p, char *field, size_t size)
{
	size_t n = *p++;
	if (n >= size)
		n = size - 1;
	memcpy(field, p, n);
	field[n] = 0;
	return p + p[-1];
}

/** Unpack what blocklog_pack wrote. */
static void blocklog_unpack(const uint8_t *in, struct dnsrep_log_record *r)
{
	const uint8_t *p = in + 1;
	memset(r, 0, offsetof(struct dnsrep_log_record, chain));
	memcpy(&r->ts_ms, p, 8);
	p += 8;
	size_t alen = *p++;
	memcpy(&r->client, p, alen);
	p += alen;
	memcpy(&r->qtype, p, 2);
	memcpy(&r->ede, p + 2, 2);
	r->kind = p[4];
	r->match = p[5];
	r->technique = p[6];
	r->distance = p[7];
	p += 8;
	r->qname_len = *p++;
	memcpy(r->qname, p, r->qname_len);
	p += r->qname_len;
	r->rule_len = *p++;
	memcpy(r->rule, p, r->rule_len);
	p += r->rule_len;
	p = blocklog_get_text(p, r->action, sizeof(r->action));
	p = blocklog_get_text(p, r->feed, sizeof(r->feed));
	p = blocklog_get_text(p, r->category, sizeof(r->category));
	size_t rlen = (size_t)p[0] | (size_t)p[1] << 8;
	memcpy(r->reason, p + 2, rlen < sizeof(r->reason) ? rlen : sizeof(r->reason) - 1);
	r->reason[rlen < sizeof(r->reason) ? rlen : sizeof(r->reason) - 1] = 0;
	p += 2 + rlen;
	r->chain_n = *p++;
	for (unsigned i = 0; i < r->chain_n; i++) {
		r->chain_len[i] = *p++;
		memcpy(r->chain[i], p, r->chain_len[i]);
		p += r->chain_len[i];
	}
}

/* ---- the queue ---------------------------------------------------------------------- */

int dnsrep_blocklog_push(struct dnsrep_blocklog *log, const struct dnsrep_log_record *r)
{
	uint8_t packed[BLOCKLOG_PACKED_MAX];
	size_t len = blocklog_pack(r, packed);
	size_t need = (len + BLOCKLOG_CELL_DATA - 1) / BLOCKLOG_CELL_DATA;
	packed[0] = (uint8_t)need;
	size_t pos = atomic_load_explicit(&log->enqueue_pos, memory_order_relaxed);
	for (;;) {
		/* every cell the record needs must be free for its position */
		intptr_t diff = 0;
		for (size_t i = 0; i < need && diff == 0; i++) {
			size_t seq = atomic_load_explicit(&log->cells[(pos + i) & log->mask].seq,
				memory_order_acquire);
			diff = (intptr_t)seq - (intptr_t)(pos + i);
		}
		if (diff == 0) {
			if (atomic_compare_exchange_weak_explicit(&log->enqueue_pos, &pos, pos + need,
				memory_order_relaxed, memory_order_relaxed))
				break;  /* the cells are ours */
		} else if (diff < 0) {
			/* a cell still holds a record from one lap ago: full */
			atomic_fetch_add_explicit(&log->dropped, 1, memory_order_relaxed);
			return -1;
		} else {
			pos = atomic_load_explicit(&log->enqueue_pos, memory_order_relaxed);
		}
	}
	for (size_t i = 0; i < need; i++) {
		size_t chunk = len - i * BLOCKLOG_CELL_DATA;
		if (chunk > BLOCKLOG_CELL_DATA)
			chunk = BLOCKLOG_CELL_DATA;
		memcpy(log->cells[(pos + i) & log->mask].data, packed + i * BLOCKLOG_CELL_DATA, chunk);
	}
	for (size_t i = need; i-- > 1;)
		atomic_store_explicit(&log->cells[(pos + i) & log->mask].seq, pos + i + 1,
			memory_order_release);
	/* Publish the first cell last, then wake the writer if it sleeps; never wait
	 * for it.  Both are sequentially consistent, as are the writer's store of
	 * sleeping and its look at the cell in blocklog_wait: either we see it
	 * sleeping, or it sees our cell (a release store here could be ordered after
	 * the load). */
	atomic_store_explicit(&log->cells[pos & log->mask].seq, pos + 1, memory_order_seq_cst);
	int sleeping = atomic_load_explicit(&log->sleeping, memory_order_seq_cst);
	/* an idle writer is woken; a napping one only when the queue is a quarter full */
	if (sleeping && (sleeping == 2 ||
			 pos + need - atomic_load_explicit(&log->consumed, memory_order_relaxed) >
				 (log->mask + 1) / 4)
	    && pthread_mutex_trylock(&log->mu) == 0) {
		pthread_cond_signal(&log->cv);
		pthread_mutex_unlock(&log->mu);
	}
	return 0;
}

/**
 * Take the record at the consumer's position out of the queue: copy it from its
 * cells and give them back to the producers.
 */
static void blocklog_take(struct dnsrep_blocklog *log, struct dnsrep_log_record *r)
{
	uint8_t packed[BLOCKLOG_MAX_CELLS * BLOCKLOG_CELL_DATA];
	size_t pos = log->dequeue_pos;
	size_t n = log->cells[pos & log->mask].data[0];
	if (n == 0 || n > BLOCKLOG_MAX_CELLS)
		n = 1; /* cannot happen: push writes it */
	for (size_t i = 0; i < n; i++) {
		memcpy(packed + i * BLOCKLOG_CELL_DATA, log->cells[(pos + i) & log->mask].data,
		       BLOCKLOG_CELL_DATA);
		atomic_store_explicit(&log->cells[(pos + i) & log->mask].seq, pos + i + log->mask + 1,
			memory_order_release);
	}
	log->dequeue_pos = pos + n;
	atomic_store_explicit(&log->consumed, pos + n, memory_order_relaxed);
	blocklog_unpack(packed, r);
}

/** Whether the consumer's next cell holds a record. */
static int blocklog_ready(const struct dnsrep_blocklog *log)
{
	const struct blocklog_cell *cell = &log->cells[log->dequeue_pos & log->mask];
	return atomic_load_explicit(&cell->seq, memory_order_acquire) == log->dequeue_pos + 1;
}

uint64_t dnsrep_blocklog_dropped(const struct dnsrep_blocklog *log)
{
	return atomic_load_explicit(&log->dropped, memory_order_relaxed);
}

uint64_t dnsrep_blocklog_written(const struct dnsrep_blocklog *log)
{
	return atomic_load_explicit(&log->written, memory_order_relaxed);
}

uint64_t dnsrep_blocklog_errors(const struct dnsrep_blocklog *log)
{
	return atomic_load_explicit(&log->errors, memory_order_relaxed);
}

/* ---- the writer thread ---------------------------------------------------------------- */

static void blocklog_count_error(struct dnsrep_blocklog *log)
{
	atomic_fetch_add_explicit(&log->errors, 1, memory_order_relaxed);
}

/**
 * Move what is queued into the line buffer, after a dropped line when there were
 * new drops, up to the buffer's limit (a full buffer takes no dropped line
 * either: the drops are reported together once there is room).
 * @return the records taken from the queue.
 */
static size_t blocklog_collect(struct dnsrep_blocklog *log)
{
	struct dnsrep_buf *b = &log->pend;
	size_t fresh = b->len; /* where this batch's lines start, for the sink */
	uint64_t dropped = atomic_load_explicit(&log->dropped, memory_order_relaxed);
	if (dropped != log->dropped_logged && b->len < BLOCKLOG_PENDING_LIMIT) {
		size_t start = b->len;
		blocklog_format_dropped(b, log->resolver, dropped - log->dropped_logged);
		if (b->failed) { /* out of memory: try again next time */
			b->len = start;
			b->failed = 0;
		} else {
			log->dropped_logged = dropped;
		}
	}
	size_t got = 0;
	struct dnsrep_log_record rec;
	while (b->len < BLOCKLOG_PENDING_LIMIT && blocklog_ready(log)) {
		size_t start = b->len;
		blocklog_take(log, &rec);
		dnsrep_blocklog_format(b, log->resolver, &rec);
		if (b->failed) { /* the record is lost; keep the lines before it */
			b->len = start;
			b->failed = 0;
			blocklog_count_error(log);
		} else {
			log->pend_records++;
		}
		got++;
	}
	if (b->data)
		b->data[b->len] = 0;
	if (b->len > fresh) {
		pthread_mutex_lock(&log->mu);
		void (*sink)(void *, const char *, size_t) = log->sink;
		void *ctx = log->sink_ctx;
		pthread_mutex_unlock(&log->mu);
		if (sink)
			sink(ctx, b->data + fresh, b->len - fresh);
	}
	return got;
}

void dnsrep_blocklog_set_msg(struct dnsrep_blocklog *log, dnsrep_msg_fn on_msg, void *ctx)
{
	pthread_mutex_lock(&log->mu);
	log->on_msg = on_msg;
	log->msg_ctx = ctx;
	pthread_mutex_unlock(&log->mu);
}

/** Tell on_msg, if any (writer thread). */
static void blocklog_say(struct dnsrep_blocklog *log, enum dnsrep_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void blocklog_say(struct dnsrep_blocklog *log, enum dnsrep_log_level level, const char *fmt, ...)
{
	pthread_mutex_lock(&log->mu);
	dnsrep_msg_fn fn = log->on_msg;
	void *ctx = log->msg_ctx;
	pthread_mutex_unlock(&log->mu);
	va_list ap;
	va_start(ap, fmt);
	dnsrep_vsay(fn, ctx, level, fmt, ap);
	va_end(ap);
}

void dnsrep_blocklog_set_sink(struct dnsrep_blocklog *log,
	void (*sink)(void *ctx, const char *lines, size_t len), void *ctx)
{
	pthread_mutex_lock(&log->mu);
	log->sink = sink;
	log->sink_ctx = ctx;
	pthread_mutex_unlock(&log->mu);
}

/**
 * Reopen the file when the path no longer names it (renamed or removed).  A line
 * half written to the old file is finished there first, or skipped.
 */
static void blocklog_check_rotation(struct dnsrep_blocklog *log, int64_t now)
{
	struct stat ps, fs;
	log->last_check_ns = now;
	if (stat(log->path, &ps) == 0) {
		if (fstat(log->fd, &fs) == 0 && fs.st_dev == ps.st_dev && fs.st_ino == ps.st_ino)
			return;
	} else if (errno != ENOENT) {
		return; /* cannot tell: keep the file we have */
	}
	int fd = open(log->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640);
	if (fd < 0) {
		blocklog_count_error(log);
		return; /* keep writing to the old file; try again in a second */
	}
	struct dnsrep_buf *b = &log->pend;
	if (log->pend_off > 0 && b->data[log->pend_off - 1] != '\n') {
		const char *nl = memchr(b->data + log->pend_off, '\n', b->len - log->pend_off);
		size_t rest = nl ? (size_t)(nl - b->data) + 1 - log->pend_off : b->len - log->pend_off;
		ssize_t w = write(log->fd, b->data + log->pend_off, rest);
		if (w != (ssize_t)rest)
			blocklog_count_error(log);
		log->pend_off += rest;
	}
	close(log->fd);
	log->fd = fd;
}

/**
 * Write the line buffer.
 * @return 0 when all of it was written, -1 on a write error (counted; the rest
 *   is kept for the next try).
 */
static int blocklog_flush(struct dnsrep_blocklog *log)
{
	struct dnsrep_buf *b = &log->pend;
	int64_t now = blocklog_now_ns(CLOCK_MONOTONIC);
	if (now - log->last_check_ns >= BLOCKLOG_CHECK_NS)
		blocklog_check_rotation(log, now);
	while (log->pend_off < b->len) {
		ssize_t w = write(log->fd, b->data + log->pend_off, b->len - log->pend_off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			blocklog_count_error(log);
			log->retry_ns = now + BLOCKLOG_CHECK_NS;
			if (!log->failing) {
				log->failing = 1;
				log->failing_since_ns = now;
				log->failing_dropped = atomic_load_explicit(&log->dropped,
									    memory_order_relaxed);
				blocklog_say(log, DNSREP_ERR, "block log %s: cannot write: %s; records "
					     "wait in the queue (tried again every second) and are "
					     "dropped, counted, once it is full", log->path, strerror(e));
			}
			return -1;
		}
		log->pend_off += (size_t)w;
	}
	if (log->failing) {
		log->failing = 0;
		uint64_t d = atomic_load_explicit(&log->dropped, memory_order_relaxed) -
			     log->failing_dropped;
		blocklog_say(log, DNSREP_INFO, "block log %s: writing again after %.1f s; %llu "
			     "records dropped meanwhile (a \"dropped\" event in the log says so too)",
			     log->path, (double)(now - log->failing_since_ns) / 1e9,
			     (unsigned long long)d);
	}
	atomic_fetch_add_explicit(&log->written, log->pend_records, memory_order_relaxed);
	log->pend_records = 0;
	log->pend_off = 0;
	dnsrep_buf_reset(b);
	return 0;
}

/**
 * Sleep until a producer wakes us, close is called, or the timeout passes; not at
 * all when a record is ready and the buffer has room for it.  A writer that saw
 * records lately naps briefly and is not woken (unless the queue fills); an idle
 * one sleeps longer and is woken by the next record.
 */
static void blocklog_wait(struct dnsrep_blocklog *log, int idle)
{
	pthread_mutex_lock(&log->mu);
	atomic_store_explicit(&log->sleeping, idle ? 2 : 1, memory_order_seq_cst);
	const struct blocklog_cell *next = &log->cells[log->dequeue_pos & log->mask];
	int ready = atomic_load_explicit(&next->seq, memory_order_seq_cst) == log->dequeue_pos + 1;
	if ((!ready || log->pend.len >= BLOCKLOG_PENDING_LIMIT)
	    && !atomic_load_explicit(&log->stop, memory_order_acquire)) {
		struct timespec until;
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_nsec += (idle ? BLOCKLOG_IDLE_WAIT_MS : BLOCKLOG_NAP_MS) * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&log->cv, &log->mu, &until);
	}
	atomic_store_explicit(&log->sleeping, 0, memory_order_relaxed);
	pthread_mutex_unlock(&log->mu);
}

static void *blocklog_run(void *arg)
{
	struct dnsrep_blocklog *log = arg;
	int64_t last_record = blocklog_now_ns(CLOCK_MONOTONIC);
	for (;;) {
		int stopping = atomic_load_explicit(&log->stop, memory_order_acquire);
		size_t got = blocklog_collect(log);
		int flushed = 0, failed = 0;
		if (log->pend.len > 0
		    && (stopping || blocklog_now_ns(CLOCK_MONOTONIC) >= log->retry_ns)) {
			failed = blocklog_flush(log) != 0;
			flushed = !failed;
		}
		if (stopping) {
			/* done when nothing is left, or the disk refuses the last lines */
			if (failed || (got == 0 && log->pend.len == 0 && !blocklog_ready(log)))
				break;
			continue;
		}
		int64_t now = blocklog_now_ns(CLOCK_MONOTONIC);
		if (got)
			last_record = now;
		if (got == 0 && !flushed)
			blocklog_wait(log, now - last_record > BLOCKLOG_IDLE_AFTER_NS);
	}
	return NULL;
}

/* ---- open and close ----------------------------------------------------------------------- */

/** Free what open allocated; the thread is not running. */
static void blocklog_free(struct dnsrep_blocklog *log)
{
	if (log->fd >= 0)
		close(log->fd);
	pthread_cond_destroy(&log->cv);
	pthread_mutex_destroy(&log->mu);
	dnsrep_buf_free(&log->pend);
	free(log->cells);
	free(log->path);
	free(log->resolver);
	free(log);
}

struct dnsrep_blocklog *dnsrep_blocklog_open(const char *path, const char *resolver,
	unsigned capacity, char *err, size_t errlen)
{
	if (!path || !*path) {
		snprintf(err, errlen, "block log: no file name");
		return NULL;
	}
	if (capacity == 0)
		capacity = BLOCKLOG_DEFAULT_CAPACITY;
	if (capacity > BLOCKLOG_MAX_CAPACITY) {
		snprintf(err, errlen, "block log %s: a queue of %u records is more than the %u allowed",
			 path, capacity, BLOCKLOG_MAX_CAPACITY);
		return NULL;
	}
	/* room for capacity records of typical size, and two of the longest */
	size_t want = (size_t)capacity * BLOCKLOG_TYPICAL_CELLS, cap = 1;
	if (want < 2 * BLOCKLOG_MAX_CELLS)
		want = 2 * BLOCKLOG_MAX_CELLS;
	while (cap < want)
		cap *= 2;

	struct dnsrep_blocklog *log = aligned_alloc(BLOCKLOG_CACHE_LINE, sizeof(*log));
	if (!log) {
		snprintf(err, errlen, "block log %s: out of memory", path);
		return NULL;
	}
	memset(log, 0, sizeof(*log));
	log->fd = -1;
	pthread_condattr_t ca;
	int sync_ok = 0;
	if (pthread_mutex_init(&log->mu, NULL) == 0) {
		if (pthread_condattr_init(&ca) == 0) {
			if (pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) == 0
			    && pthread_cond_init(&log->cv, &ca) == 0)
				sync_ok = 1;
			pthread_condattr_destroy(&ca);
		}
		if (!sync_ok)
			pthread_mutex_destroy(&log->mu);
	}
	if (!sync_ok) {
		snprintf(err, errlen, "block log %s: cannot create a mutex or condition variable", path);
		free(log);
		return NULL;
	}
	log->path = strdup(path);
	log->resolver = strdup(resolver ? resolver : "");
	log->cells = aligned_alloc(BLOCKLOG_CACHE_LINE, cap * sizeof(struct blocklog_cell));
	log->pend.data = malloc(BLOCKLOG_BUFFER_SIZE);
	if (!log->path || !log->resolver || !log->cells || !log->pend.data) {
		snprintf(err, errlen, "block log %s: out of memory (a queue of %zu bytes)", path,
			 cap * sizeof(struct blocklog_cell));
		blocklog_free(log);
		return NULL;
	}
	log->pend.cap = BLOCKLOG_BUFFER_SIZE;
	log->pend.data[0] = 0;
	log->mask = cap - 1;
	for (size_t i = 0; i < cap; i++)
		atomic_init(&log->cells[i].seq, i);

	log->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640);
	if (log->fd < 0) {
		snprintf(err, errlen, "block log %s: cannot open: %s", path, strerror(errno));
		blocklog_free(log);
		return NULL;
	}
	log->last_check_ns = blocklog_now_ns(CLOCK_MONOTONIC);

	/* The writer takes no signals: they belong to the resolver's own threads. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int rc = pthread_create(&log->thread, NULL, blocklog_run, log);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		snprintf(err, errlen, "block log %s: cannot start the writer thread: %s", path,
			 strerror(rc));
		blocklog_free(log);
		return NULL;
	}
	return log;
}

void dnsrep_blocklog_close(struct dnsrep_blocklog *log)
{
	if (!log)
		return;
	atomic_store_explicit(&log->stop, 1, memory_order_release);
	pthread_mutex_lock(&log->mu);
	pthread_cond_signal(&log->cv);
	pthread_mutex_unlock(&log->mu);
	pthread_join(log->thread, NULL);
	blocklog_free(log);
}
