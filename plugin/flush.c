/*
 * flush.c — keeping Unbound's caches from bypassing a new blocklist.
 *
 * The worker answers from its message cache before any module runs, so a name
 * that was resolved and cached before it was blocked would go on resolving
 * until its TTL ran out.  After every swap the refresher walks the message and
 * RRset caches once and removes each entry whose owner is blocked now and was
 * not before (as `unbound-control flush_zone` walks them, but for exactly the
 * names that changed).  A cached message refers to its RRsets by id, and a
 * removed RRset fails that check, so removing the blocked name's RRsets also
 * retires every cached CNAME chain that runs through it.
 *
 * Entries are collected under the caches' read locks and removed afterwards:
 * the caches' own remove functions take the write locks.
 */
#include "config.h"
#include "util/module.h"
#include "util/net_help.h"
#include "util/data/msgreply.h"
#include "util/data/packed_rrset.h"
#include "util/storage/slabhash.h"
#include "services/cache/dns.h"
#include "services/cache/rrset.h"

#include <stdlib.h>
#include <string.h>

#include "module.h"

/** One cache entry to remove. */
struct victim {
	uint8_t name[LDNS_MAX_DOMAINLEN + 1];
	size_t len;
	uint16_t type, dclass;  /**< host order */
	uint32_t flags;         /**< the RRset key's flags */
	int is_msg;
};

struct collect {
	const struct dnsrep_module *mod;
	const struct dnsrep_snapshot *old, *now;
	struct victim *v;
	size_t n, cap;
	int oom;
};

enum dnsrep_action dnsrep_match_action(const struct dnsrep_module *mod, const struct dnsrep_match *m)
{
	if (m->kind == DNSREP_MATCH_LOOKALIKE)
		return m->meta.lookalike_action;
	return dnsrep_config_action(mod->cfg, m->meta.action, m->meta.category);
}

int dnsrep_match_blocks(const struct dnsrep_module *mod, const struct dnsrep_match *m)
{
	return m->verdict == DNSREP_VERDICT_BLOCK && dnsrep_match_action(mod, m) != DNSREP_ACTION_LOG_ONLY;
}

/** Whether a snapshot blocks a name: by an entry, or as a lookalike. */
static int blocks(const struct dnsrep_module *mod, const struct dnsrep_snapshot *s,
	const uint8_t *name, size_t len)
{
	struct dnsrep_match m;
	struct dnsrep_lookalike_hit hit;
	if (dnsrep_snapshot_match(s, name, len, &m) < 0)
		return 0;
	if (m.verdict == DNSREP_VERDICT_PASS && !dnsrep_snapshot_lookalike(s, name, len, &m, &hit))
		return 0;
	return dnsrep_match_blocks(mod, &m);
}

static int newly_blocked(struct collect *c, const uint8_t *name, size_t len)
{
	return blocks(c->mod, c->now, name, len) && (!c->old || !blocks(c->mod, c->old, name, len));
}

static void add_victim(struct collect *c, const uint8_t *name, size_t len, uint16_t type,
	uint16_t dclass, uint32_t flags, int is_msg)
{
	if (len > LDNS_MAX_DOMAINLEN + 1 || c->oom)
		return;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		struct victim *v = realloc(c->v, cap * sizeof(*v));
		if (!v) {
			c->oom = 1;
			return;
		}
		c->v = v;
		c->cap = cap;
	}
	struct victim *v = &c->v[c->n++];
	memcpy(v->name, name, len);
	v->len = len;
	v->type = type;
	v->dclass = dclass;
	v->flags = flags;
	v->is_msg = is_msg;
}

static void visit_rrset(struct lruhash_entry *e, void *arg)
{
	struct collect *c = arg;
	struct ub_packed_rrset_key *k = (struct ub_packed_rrset_key *)e->key;
	if (newly_blocked(c, k->rk.dname, k->rk.dname_len))
		add_victim(c, k->rk.dname, k->rk.dname_len, ntohs(k->rk.type), ntohs(k->rk.rrset_class),
			   k->rk.flags, 0);
}

static void visit_msg(struct lruhash_entry *e, void *arg)
{
	struct collect *c = arg;
	struct msgreply_entry *m = (struct msgreply_entry *)e->key;
	if (newly_blocked(c, m->key.qname, m->key.qname_len))
		add_victim(c, m->key.qname, m->key.qname_len, m->key.qtype, m->key.qclass, 0, 1);
}

size_t dnsrep_flush_newly_blocked(struct dnsrep_module *mod, const struct dnsrep_snapshot *old,
	const struct dnsrep_snapshot *now)
{
	struct module_env *env = mod->env;
	struct collect c = { .mod = mod, .old = old, .now = now };
	if (!env || !now || dnsrep_snapshot_blocks(now) == 0)
		return 0;
	if (env->rrset_cache)
		slabhash_traverse(&env->rrset_cache->table, 0, visit_rrset, &c);
	if (env->msg_cache)
		slabhash_traverse(env->msg_cache, 0, visit_msg, &c);
	for (size_t i = 0; i < c.n; i++) {
		struct victim *v = &c.v[i];
		if (v->is_msg) {
			/* the message cache keys on the query's CD bit too */
			msg_cache_remove(env, v->name, v->len, v->type, v->dclass, 0);
			msg_cache_remove(env, v->name, v->len, v->type, v->dclass, BIT_CD);
		} else {
			rrset_cache_remove(env->rrset_cache, v->name, v->len, v->type, v->dclass, v->flags);
		}
	}
	if (c.oom)
		log_err("dnsrep: out of memory flushing the cache: some newly blocked names "
			"may be answered from the cache until their TTL ends");
	free(c.v);
	return c.n;
}
