/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dnsrep/entry.h — one blocklist entry, as a feed parser produces it.
 */
#ifndef DNSREP_ENTRY_H
#define DNSREP_ENTRY_H

#include "dnsrep/name.h"

/** What names an entry covers: bits, so that merged entries can cover both. */
enum dnsrep_scope {
	DNSREP_SCOPE_SELF = 1,    /**< the name itself */
	DNSREP_SCOPE_BELOW = 2,   /**< every name below it (not the name itself) */
	DNSREP_SCOPE_SUBTREE = 3  /**< the name and every name below it */
};

/** Record flags (a snapshot's struct dnsrep_record): which names an entry covers, for blocking and for allowing. */
enum {
	DNSREP_REC_BLOCK_SELF = 1,  /**< block the name itself */
	DNSREP_REC_BLOCK_BELOW = 2, /**< block the names below it */
	DNSREP_REC_ALLOW_SELF = 4,  /**< allow the name itself */
	DNSREP_REC_ALLOW_BELOW = 8  /**< allow the names below it */
};

/** How the deciding entry covers the name. */
enum dnsrep_match_kind {
	DNSREP_MATCH_NONE = 0,
	DNSREP_MATCH_EXACT,      /**< the entry is the name itself */
	DNSREP_MATCH_SUBDOMAIN,  /**< the entry is a parent of the name */
	DNSREP_MATCH_LOOKALIKE,  /**< the name looks like a protected one (no entry covers it) */
	DNSREP_MATCH_CNAME       /**< an answer's CNAME/DNAME target matched (the plugin's judgement) */
};

/** One entry.  Strings are borrowed: valid only during the callback that gets them. */
struct dnsrep_entry {
	struct dnsrep_name name;
	unsigned scope;        /**< enum dnsrep_scope bits */
	int allow;             /**< an allow (pass-through) entry, not a block entry */
	const char *category;  /**< the line's own category, or NULL for the feed's */
	const char *reason;    /**< the line's own reason, or NULL for the feed's */
	const char *date;      /**< a date the format carries (CSV), or NULL */
	const char *source;    /**< provenance the format carries (CSV), or NULL */
	unsigned line;         /**< the line of the feed it came from */
	int action;            /**< enum dnsrep_action the line itself says (an RPZ record's
				    `CNAME .` NXDOMAIN, `CNAME *.` NODATA), or 0 (INHERIT): the
				    feed's.  Used only when the feed sets no action of its own. */
};

#endif /* DNSREP_ENTRY_H */
