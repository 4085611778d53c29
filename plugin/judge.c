/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * judge.c — what the blocklist says about a name and about an answer.
 *
 * A name: the most specific entry that covers it decides (snapshot.c); a name no
 * entry covers may be a lookalike of a protected one.  Every answer the resolver
 * sends is judged (from its cache too), and most are of names asked again and
 * again, so each resolver thread remembers the names it found passing — no entry,
 * no lookalike — under the current snapshot (dnsrep/memo.h, thread.c), and looks
 * there first: one hash of the name and one probe, not a match and a lookalike
 * check.
 *
 * An answer: its query name and every CNAME/DNAME target in its answer section —
 * every one, however long the chain; only the log record keeps just the first
 * few.  A blocked target blocks the answer unless the chain's final name is
 * covered by an allow entry: an allow entry on the query name or on a hop in the
 * middle says that name may be asked, not that whatever it points to may be
 * reached.  The query name's own block always blocks.
 */
#include "config.h"            /* Unbound's: fixes the layout of its structs */
#include "util/module.h"
#include "util/data/dname.h"
#include "util/data/msgreply.h"
#include "util/data/packed_rrset.h"
#include "sldns/rrdef.h"

#include <stdlib.h>
#include <string.h>

#include "plugin.h"

enum dnsrep_action dnsrep_match_action(const struct dnsrep_module *mod, const struct dnsrep_match *m)
{
	if (m->kind == DNSREP_MATCH_LOOKALIKE)
		return m->meta.lookalike_action;
	return dnsrep_config_action(mod->cfg, m->meta.feed, m->meta.action, m->meta.category);
}

/**
 * A hash of a wire name, ASCII case folded: the memo's key (with the snapshot's
 * serial).  Cheaper than a match, which hashes every suffix and probes a filter as
 * large as the list: most answers are of names asked again and again.
 */
static uint64_t name_hash(const uint8_t *wire, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < len; i++) {
		uint8_t c = wire[i];
		h = (h ^ (c >= 'A' && c <= 'Z' ? c + 32 : c)) * 0x100000001b3ull;
	}
	return h ^ len;
}

enum dnsrep_effect dnsrep_judge_name(const struct dnsrep_module *mod,
	const struct dnsrep_snapshot *s, struct dnsrep_judge_cache *c, const uint8_t *wire,
	size_t len, struct dnsrep_ruling *v)
{
	v->action = DNSREP_ACTION_INHERIT;
	uint64_t key = 0;
	struct dnsrep_hit_slot *slot = NULL;
	if (c) { /* what this thread found for the name under this snapshot stands */
		key = dnsrep_memo_key(name_hash(wire, len), dnsrep_snapshot_serial(s));
		if (dnsrep_memo_has(c->memo, key)) {
			memset(&v->m, 0, sizeof(v->m));
			return DNSREP_EFFECT_PASS;
		}
		struct dnsrep_hit_slot *bucket = &c->hits[((key >> 1) & (DNSREP_HIT_SLOTS / 4 - 1)) * 4];
		for (int i = 0; i < 4; i++) {
			if (bucket[i].key != key)
				continue;
			memset(v, 0, sizeof(*v));
			v->hit.protected_name = bucket[i].protected_name;
			v->hit.meta = bucket[i].meta;
			v->hit.technique = (enum dnsrep_technique)bucket[i].technique;
			v->hit.distance = bucket[i].distance;
			dnsrep_snapshot_lookalike_match(s, &v->hit, &v->m);
			v->action = dnsrep_match_action(mod, &v->m);
			return v->action == DNSREP_ACTION_LOG_ONLY ? DNSREP_EFFECT_LOG : DNSREP_EFFECT_BLOCK;
		}
		slot = &bucket[(key >> 40) & 3]; /* where a new hit would go */
		for (int i = 0; i < 4; i++)
			if (bucket[i].key == 0) {
				slot = &bucket[i];
				break;
			}
	}
	if (dnsrep_snapshot_match(s, wire, len, &v->m) < 0)
		return DNSREP_EFFECT_PASS;
	if (v->m.verdict == DNSREP_VERDICT_PASS) {
		/* allow entries are never second-guessed: only names no entry covers */
		if (!dnsrep_snapshot_protected(s) ||
		    !dnsrep_snapshot_lookalike(s, wire, len, &v->m, &v->hit)) {
			if (c)
				dnsrep_memo_put(c->memo, key);
			return DNSREP_EFFECT_PASS;
		}
	}
	if (v->m.verdict != DNSREP_VERDICT_BLOCK)
		return DNSREP_EFFECT_PASS;
	v->action = dnsrep_match_action(mod, &v->m);
	if (slot && v->m.kind == DNSREP_MATCH_LOOKALIKE) { /* a costly check: keep what it found */
		slot->key = key;
		slot->protected_name = v->hit.protected_name;
		slot->meta = v->hit.meta;
		slot->technique = (uint8_t)v->hit.technique;
		slot->distance = (uint8_t)v->hit.distance;
	}
	return v->action == DNSREP_ACTION_LOG_ONLY ? DNSREP_EFFECT_LOG : DNSREP_EFFECT_BLOCK;
}

/** The effect of a verdict already judged. */
static enum dnsrep_effect effect_of(const struct dnsrep_ruling *v)
{
	if (v->m.verdict != DNSREP_VERDICT_BLOCK)
		return DNSREP_EFFECT_PASS;
	return v->action == DNSREP_ACTION_LOG_ONLY ? DNSREP_EFFECT_LOG : DNSREP_EFFECT_BLOCK;
}

/** The match kind a name's own verdict is logged with. */
static int own_match(const struct dnsrep_ruling *v)
{
	return v->m.kind == DNSREP_MATCH_NONE ? DNSREP_MATCH_SUBDOMAIN : (int)v->m.kind;
}

enum dnsrep_effect dnsrep_judge_answer(const struct dnsrep_module *mod,
	const struct dnsrep_snapshot *s, struct dnsrep_judge_cache *memo, const uint8_t *qname,
	size_t qname_len, const struct dnsrep_ruling *qv, const struct reply_info *rep,
	struct dnsrep_judgement *j)
{
	struct dnsrep_ruling own, hop, first_block, first_log;
	enum dnsrep_effect qeffect, final_effect = DNSREP_EFFECT_PASS;
	int have_block = 0, have_log = 0, final_allowed = 0;
	memset(j, 0, sizeof(*j));
	if (qv) {
		own = *qv;
		qeffect = effect_of(&own);
	} else {
		qeffect = dnsrep_judge_name(mod, s, memo, qname, qname_len, &own);
	}
	if (qeffect == DNSREP_EFFECT_BLOCK) {
		j->effect = DNSREP_EFFECT_BLOCK;
		j->v = own;
		j->match = own_match(&own);
		return j->effect;
	}
	/* every target of the chain, in order; the log keeps the first few */
	for (size_t i = 0; rep && i < rep->an_numrrsets && i < rep->rrset_count; i++) {
		const struct ub_packed_rrset_key *k = rep->rrsets[i];
		uint16_t type = ntohs(k->rk.type);
		const struct packed_rrset_data *d = (const struct packed_rrset_data *)k->entry.data;
		if ((type != LDNS_RR_TYPE_CNAME && type != LDNS_RR_TYPE_DNAME) || !d)
			continue;
		for (size_t r = 0; r < d->count; r++) {
			if (d->rr_len[r] < 3)
				continue;
			const uint8_t *t = d->rr_data[r] + 2;
			size_t len = dname_valid((uint8_t *)t, d->rr_len[r] - 2);
			if (!len)
				continue;
			if (j->chain_n < DNSREP_LOG_CHAIN) {
				j->chain[j->chain_n] = t;
				j->chain_len[j->chain_n++] = len;
			}
			final_effect = dnsrep_judge_name(mod, s, memo, t, len, &hop);
			final_allowed = hop.m.verdict == DNSREP_VERDICT_ALLOW;
			if (final_effect == DNSREP_EFFECT_BLOCK && !have_block) {
				first_block = hop;
				have_block = 1;
			} else if (final_effect == DNSREP_EFFECT_LOG && !have_log) {
				first_log = hop;
				have_log = 1;
			}
		}
	}
	if (have_block && !final_allowed) {
		j->effect = DNSREP_EFFECT_BLOCK;
		j->v = first_block;
		j->match = DNSREP_MATCH_CNAME;
	} else if (qeffect == DNSREP_EFFECT_LOG) {
		j->effect = DNSREP_EFFECT_LOG;
		j->v = own;
		j->match = own_match(&own);
	} else if (have_log && !final_allowed) {
		j->effect = DNSREP_EFFECT_LOG;
		j->v = first_log;
		j->match = DNSREP_MATCH_CNAME;
	} else {
		j->effect = DNSREP_EFFECT_PASS;
		j->v = own;
	}
	return j->effect;
}

void dnsrep_judgement_block(const struct dnsrep_judgement *j, struct dnsrep_block *blk)
{
	blk->action = j->v.action;
	blk->rule = j->v.m.rule;
	blk->meta = &j->v.m.meta;
	blk->match = j->match;
	blk->hit = j->v.m.kind == DNSREP_MATCH_LOOKALIKE ? &j->v.hit : NULL;
}
