/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * feed_parser.h — private to the feed parsers (feed.c, feed_adblock.c,
 * feed_rpz.c): the state of one parse and the helpers the formats share.
 * The public side is dnsrep/feed.h.
 */
#ifndef DNSREP_FEED_PARSER_H
#define DNSREP_FEED_PARSER_H

#include <stddef.h>
#include <stdint.h>

#include <ldns/ldns.h>

#include "dnsrep/feed.h"

/** A line longer than this (CR and LF not counted) is rejected unread. */
#define FEED_LINE_MAX 4096
/** An RPZ record assembled from several lines may not grow beyond this. */
#define RPZ_RECORD_MAX 65536
/** The TTL of RPZ records when there is no $TTL (it does not matter to us). */
#define RPZ_DEFAULT_TTL 3600
/** Quoted excerpts of bad input in reasons are cut to this many bytes. */
#define SHOW_MAX 64

/** What the RPZ parser carries from one record to the next. */
struct rpz_state {
	ldns_rdf *origin;  /**< completes relative names ($ORIGIN, else the SOA owner) */
	ldns_rdf *apex;    /**< the zone's name, stripped from owners to get triggers */
	int apex_from_soa; /**< the apex is the SOA's owner (a later $ORIGIN does not move it) */
	ldns_rdf *prev;    /**< the previous record's owner, for records without one */
	uint32_t ttl;      /**< $TTL */
	char *rec;         /**< the record being assembled (parentheses spanning lines) */
	size_t reclen, reccap;
	unsigned rec_line; /**< the line the record started on */
	int depth;         /**< open parentheses */
	int too_long;      /**< the record outgrew RPZ_RECORD_MAX: drop it when it ends */
};

/** A sorted set of rule keys: "FLAGS name" (flags: a allow, i important). */
struct adset {
	char **keys;
	size_t n, cap;
	int oom;
};

/** What the prescan learned: the rules that override others. */
struct adblock_state {
	int prescanned;
	struct adset cancelled;  /**< rules a $badfilter names */
	struct adset rules;      /**< every rule that is not cancelled (exceptions and
				      $important blocks are what is asked of it) */
};

/** One parse of one feed. */
struct parser {
	const struct dnsrep_feed_opts *opts;
	const char *feed;
	enum dnsrep_format format;
	dnsrep_entry_fn on_entry;
	dnsrep_reject_fn on_reject;
	void *ctx;
	struct dnsrep_feed_stats *st;
	char *err;
	size_t errlen;
	unsigned line;         /**< the current line, from 1 */
	int csv_header_seen;
	struct rpz_state rpz;
	struct adblock_state ad; /**< adblock: the rules that override others */
	int ad_oom;
};

/** Provenance a line may carry (CSV); NULLs elsewhere. */
struct extras {
	const char *category, *reason, *date, *source;
	int action; /**< enum dnsrep_action the line says, or 0 */
};

/** Room dnsrep_feedp_show needs. */
#define SHOWBUF (4 * SHOW_MAX + 4)

/* ---- shared by the formats (feed.c) -------------------------------------------- */

/** Put the feed's fate (why it is refused) into the caller's error buffer. */
void dnsrep_feedp_err(struct parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/** Report a rejected line (or name, or record) and count it; parsing goes on. */
void dnsrep_feedp_reject(struct parser *p, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/**
 * Write bad input for a message: printable ASCII as it is, every other byte as
 * \xNN, cut after SHOW_MAX bytes with "...".  buf must hold SHOWBUF.
 */
const char *dnsrep_feedp_show(char *buf, size_t buflen, const char *s, size_t n);

/** Space or tab. */
int dnsrep_feedp_is_space(char c);

/** Trim spaces and tabs at both ends (writes a NUL); *n is updated. */
char *dnsrep_feedp_trim(char *s, size_t *n);

/** The next space-separated token at *pos (NUL-terminated in place), or NULL. */
char *dnsrep_feedp_token(char **pos, size_t *toklen);

/**
 * Hand one entry to the caller, unless it is for the root or a bare public
 * suffix (then the line is rejected, unless the feed allows those).
 * @return 0, or -1 when the callback failed (err set).
 */
int dnsrep_feedp_emit(struct parser *p, unsigned line, const struct dnsrep_name *name,
	unsigned scope, int allow, const struct extras *x);

/** The first byte of s that no name may hold, or NULL. */
const char *dnsrep_feedp_bad_name_char(const char *s, size_t n);

/** Decode a name given as text and emit it (a bad name rejects the line).  0, or -1. */
int dnsrep_feedp_take_name(struct parser *p, const char *text, size_t n, unsigned scope,
	int allow, const struct extras *x);

/** Whether s is an IPv4 or IPv6 address. */
int dnsrep_feedp_is_address(const char *s, size_t n);

/* ---- adblock (feed_adblock.c) -------------------------------------------------------- */

/** Find the rules that override others (exceptions, $important, $badfilter) first. */
void dnsrep_feedp_adblock_prescan(struct parser *p, const char *data, size_t len);

/** One line of an adblock feed (NUL-terminated, trimmed).  0, or -1 to stop. */
int dnsrep_feedp_adblock_line(struct parser *p, char *s, size_t n);

/** Free what the prescan kept. */
void dnsrep_feedp_adblock_free(struct adblock_state *a);

/* ---- rpz (feed_rpz.c) --------------------------------------------------------------- */

/** One line of an RPZ zone: records are assembled across parentheses.  0, or -1 to stop. */
int dnsrep_feedp_rpz_line(struct parser *p, char *s, size_t n);

/** Drop the record being assembled (a line was rejected unread inside it). */
void dnsrep_feedp_rpz_abandon(struct parser *p);

/** The end of the zone: a record still open is reported. */
void dnsrep_feedp_rpz_finish(struct parser *p);

/** Free the RPZ state. */
void dnsrep_feedp_rpz_free(struct rpz_state *r);

#endif /* DNSREP_FEED_PARSER_H */
