/*
 * module.h — what the plugin's files share: the module's state between init and
 * deinit, and the functions of synth.c, flush.c and record.c.
 *
 * Include after Unbound's config.h and util/module.h.
 */
#ifndef DNSREP_PLUGIN_MODULE_H
#define DNSREP_PLUGIN_MODULE_H

#include "dnsrep/blocklog.h"
#include "dnsrep/config.h"
#include "dnsrep/current.h"
#include "dnsrep/logstream.h"
#include "dnsrep/refresher.h"
#include "dnsrep/store.h"
#include "dnsrep/snapshot.h"

struct module_env;
struct module_qstate;
struct dns_msg;

/** The module's state (kept in dynlibmod_env.dyn_env). */
struct dnsrep_module {
	struct dnsrep_config *cfg;         /**< dnsrep.conf as read at init */
	const char *cfg_path;              /**< which file that was */
	char resolver_id[256];             /**< resolver-id, or the host name */
	struct module_env *env;            /**< the daemon's env: its caches, for flushing */
	struct dnsrep_current *current;    /**< the snapshot resolver threads match against */
	struct dnsrep_blocklog *log;       /**< the block log */
	struct dnsrep_refresher *refresher;/**< keeps current up to date */
	struct dnsrep_store_opts stream_opts; /**< where the block log stream goes */
	char stream_host[512];
	struct dnsrep_logstream *stream;   /**< the block log's Redis stream, or NULL */
};

/** What to answer for a blocked lookup, and why. */
struct dnsrep_block {
	enum dnsrep_action action;       /**< nxdomain, nodata, refused, sinkhole (never log-only) */
	const uint8_t *rule;             /**< the deciding entry's wire name */
	const struct dnsrep_meta *meta;  /**< its metadata */
	int match;                       /**< DNSREP_LOG_MATCH_* */
	const struct dnsrep_lookalike_hit *hit; /**< for lookalike matches: how, or NULL */
};

/* ---- synth.c ---------------------------------------------------------------- */

/**
 * Answer the query in qstate with a block answer: the message (NXDOMAIN or NODATA
 * with a synthesized SOA, REFUSED, or sinkhole addresses), never AD, marked
 * insecure so that the validator in the stack leaves it alone, and the EDE
 * option (code from the config, text naming rule and feed).  Sets return_msg.
 * @return 1, or 0 out of memory.
 */
int dnsrep_synth_block(struct dnsrep_module *mod, struct module_qstate *qstate,
	const struct dnsrep_block *blk);

/* ---- flush.c ---------------------------------------------------------------- */

/**
 * Remove from Unbound's message and RRset caches every entry whose owner name is
 * blocked by now and was not by old (NULL: nothing was), so that no cached
 * answer bypasses the new blocklist.  Removing an RRset also invalidates every
 * cached message that refers to it, which covers cached CNAME chains that reach
 * a newly blocked name.  Runs on the refresher thread.
 * @return the number of entries removed.
 */
size_t dnsrep_flush_newly_blocked(struct dnsrep_module *mod, const struct dnsrep_snapshot *old,
	const struct dnsrep_snapshot *now);

/** The action for a match: a lookalike's is its feed's lookalike-action. */
enum dnsrep_action dnsrep_match_action(const struct dnsrep_module *mod, const struct dnsrep_match *m);

/** Whether a match blocks the answer (a block verdict whose action is not log-only). */
int dnsrep_match_blocks(const struct dnsrep_module *mod, const struct dnsrep_match *m);

/* ---- record.c ---------------------------------------------------------------- */

/**
 * Log one record per client of the query (several clients can share one query
 * state): kind, action, the deciding entry, the EDE code each client gets, and
 * the CNAME/DNAME chain when there is one.  Internal queries (no client) are
 * not logged.
 */
void dnsrep_record_lookup(struct dnsrep_module *mod, struct module_qstate *qstate,
	enum dnsrep_log_kind kind, const char *action, const struct dnsrep_block *blk,
	const uint8_t *const *chain, const size_t *chain_len, int chain_n);

/** Whether every client of the query is exempt (exempt-client); 0 when there is none. */
int dnsrep_all_clients_exempt(const struct dnsrep_module *mod, struct module_qstate *qstate);

#endif /* DNSREP_PLUGIN_MODULE_H */
