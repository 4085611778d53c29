/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * synth.c — the answers the plugin gives to blocked lookups.
 *
 *   nxdomain  NXDOMAIN, a synthesized SOA in the authority section
 *   nodata    NOERROR with no answer, the same SOA
 *   refused   REFUSED
 *   sinkhole  A/AAAA with the configured addresses; NODATA (+SOA) for other types
 *
 * The SOA's minimum and TTL are negative-ttl, so clients cache the block for
 * that long.  Its owner is the blocked name (an ancestor of the query name, or
 * the name itself), or the query name when the block came from a CNAME target
 * or a lookalike.  It is marked as the SOA of a negative answer
 * (PACKED_RRSET_SOA_NEG), as the iterator marks the real ones, so that when the
 * answer is cached it never stands in for a zone's own SOA.  The message is
 * marked insecure: it never gets AD, and the validator below us in the stack
 * never sees it, so it cannot turn into SERVFAIL.
 *
 * Every block carries an RFC 8914 Extended DNS Error naming rule and feed, added
 * per client when the answer is sent (reply.c), for clients that used EDNS: the
 * same block answer may be sent to several clients, or from the cache.
 */
#include "config.h"
#include "util/module.h"
#include "util/regional.h"
#include "util/net_help.h"
#include "util/data/dname.h"
#include "util/data/msgreply.h"
#include "util/data/packed_rrset.h"
#include "services/cache/dns.h"
#include "sldns/rrdef.h"
#include "sldns/sbuffer.h"

#include <stdio.h>
#include <string.h>

#include "dnsrep/name.h"
#include "plugin.h"

/** The SOA's MNAME and RNAME: localhost. and nobody.invalid. */
static const uint8_t soa_names[] = "\011localhost\000\006nobody\007invalid";
#define SOA_NAMES_LEN sizeof(soa_names) /* the string's NUL is the root label */

/** A one-record RRset in the region. */
static struct ub_packed_rrset_key *make_rrset(struct regional *r, const uint8_t *owner,
	size_t owner_len, uint16_t type, uint16_t dclass, uint32_t flags, time_t ttl,
	const uint8_t *rdata, size_t rdlen)
{
	struct ub_packed_rrset_key *k = regional_alloc_zero(r, sizeof(*k));
	size_t dsize = sizeof(struct packed_rrset_data) + sizeof(size_t) + sizeof(uint8_t *) +
		       sizeof(time_t) + 2 + rdlen;
	struct packed_rrset_data *d = regional_alloc_zero(r, dsize);
	if (!k || !d)
		return NULL;
	k->rk.dname = regional_alloc_init(r, owner, owner_len);
	if (!k->rk.dname)
		return NULL;
	k->rk.dname_len = owner_len;
	k->rk.type = htons(type);
	k->rk.rrset_class = htons(dclass);
	k->rk.flags = flags;
	k->entry.key = k;
	k->entry.data = d;
	d->ttl = ttl;
	d->count = 1;
	d->trust = rrset_trust_auth_noAA;
	d->security = sec_status_insecure;
	d->rr_len = (size_t *)((uint8_t *)d + sizeof(*d));
	d->rr_len[0] = 2 + rdlen;
	packed_rrset_ptr_fixup(d);
	d->rr_ttl[0] = ttl;
	sldns_write_uint16(d->rr_data[0], (uint16_t)rdlen);
	memcpy(d->rr_data[0] + 2, rdata, rdlen);
	k->entry.hash = rrset_key_hash(&k->rk);
	return k;
}

/** The SOA RRset for a block answer. */
static struct ub_packed_rrset_key *make_soa(struct regional *r, const uint8_t *owner,
	size_t owner_len, uint16_t dclass, uint32_t ttl)
{
	uint8_t rdata[SOA_NAMES_LEN + 20];
	memcpy(rdata, soa_names, SOA_NAMES_LEN);
	uint32_t fields[5] = { 1, 3600, 600, 86400, ttl }; /* serial refresh retry expire minimum */
	for (int i = 0; i < 5; i++)
		sldns_write_uint32(rdata + SOA_NAMES_LEN + 4 * i, fields[i]);
	return make_rrset(r, owner, owner_len, LDNS_RR_TYPE_SOA, dclass, PACKED_RRSET_SOA_NEG, ttl,
			  rdata, sizeof(rdata));
}

/** The EDE text: "dnsrep: RULE (FEED, CATEGORY)". */
static void ede_text(const struct dnsrep_block *blk, char *out, size_t outlen)
{
	char rule[DNSREP_NAME_MAXTEXT];
	if (dnsrep_name_to_text(blk->rule, rule, sizeof(rule)) < 0)
		snprintf(rule, sizeof(rule), "?");
	if (blk->match == DNSREP_MATCH_LOOKALIKE && blk->hit)
		snprintf(out, outlen, "dnsrep: lookalike of %s (%s, %s, %s)", rule, blk->meta->feed,
			 blk->meta->category, dnsrep_lookalike_technique_name(blk->hit->technique));
	else
		snprintf(out, outlen, "dnsrep: %s (%s, %s)%s", rule, blk->meta->feed, blk->meta->category,
			 blk->match == DNSREP_MATCH_CNAME ? " via CNAME" : "");
}

/** The class of the records of a block answer: the query's, or IN for class ANY. */
static uint16_t record_class(uint16_t qclass)
{
	return qclass == LDNS_RR_CLASS_ANY || qclass == LDNS_RR_CLASS_NONE ? LDNS_RR_CLASS_IN : qclass;
}

struct dns_msg *dnsrep_synth_block(const struct dnsrep_module *mod, struct regional *r,
	const struct query_info *q, const struct dnsrep_block *blk)
{
	uint32_t ttl = mod->cfg->negative_ttl;
	uint16_t dclass = record_class(q->qclass);
	struct dns_msg *msg = dns_msg_create(q->qname, q->qname_len, q->qtype, q->qclass, r, 2);
	if (!msg)
		return NULL;
	int rcode = LDNS_RCODE_NOERROR;
	struct ub_packed_rrset_key *answer = NULL, *soa = NULL;

	/* the SOA owner: the rule when it is the query name or one of its parents */
	const uint8_t *owner = q->qname;
	size_t owner_len = q->qname_len;
	if (blk->match != DNSREP_MATCH_CNAME && blk->match != DNSREP_MATCH_LOOKALIKE &&
	    dname_subdomain_c(q->qname, (uint8_t *)blk->rule)) {
		owner = blk->rule;
		owner_len = dname_valid((uint8_t *)blk->rule, LDNS_MAX_DOMAINLEN + 1);
	}
	switch (blk->action) {
	case DNSREP_ACTION_REFUSED:
		rcode = LDNS_RCODE_REFUSED;
		break;
	case DNSREP_ACTION_SINKHOLE:
		if (q->qtype == LDNS_RR_TYPE_A)
			answer = make_rrset(r, q->qname, q->qname_len, LDNS_RR_TYPE_A, dclass, 0, ttl,
					    mod->cfg->sinkhole_a, 4);
		else if (q->qtype == LDNS_RR_TYPE_AAAA)
			answer = make_rrset(r, q->qname, q->qname_len, LDNS_RR_TYPE_AAAA, dclass, 0, ttl,
					    mod->cfg->sinkhole_aaaa, 16);
		else
			soa = make_soa(r, owner, owner_len, dclass, ttl);
		if (!answer && !soa)
			return NULL;
		break;
	case DNSREP_ACTION_NODATA:
		if (!(soa = make_soa(r, owner, owner_len, dclass, ttl)))
			return NULL;
		break;
	default: /* nxdomain */
		rcode = LDNS_RCODE_NXDOMAIN;
		if (!(soa = make_soa(r, owner, owner_len, dclass, ttl)))
			return NULL;
		break;
	}
	if (answer && !dns_msg_ansadd(msg, r, answer, 0))
		return NULL;
	if (soa && !dns_msg_authadd(msg, r, soa, 0))
		return NULL;
	msg->rep->flags = (uint16_t)(BIT_QR | BIT_RA | rcode);
	msg->rep->ttl = ttl;
	msg->rep->prefetch_ttl = PREFETCH_TTL_CALC(ttl);
	msg->rep->serve_expired_ttl = ttl;
	msg->rep->security = sec_status_insecure;
	return msg;
}

int dnsrep_block_cacheable(const struct dnsrep_module *mod, const struct dnsrep_block *blk,
	uint16_t qtype)
{
	if (mod->cfg->n_exempt_clients > 0 || mod->cfg->negative_ttl == 0 ||
	    blk->match == DNSREP_MATCH_CNAME)
		return 0;
	return !(blk->action == DNSREP_ACTION_SINKHOLE &&
		 (qtype == LDNS_RR_TYPE_A || qtype == LDNS_RR_TYPE_AAAA));
}

int dnsrep_synth_ede(const struct dnsrep_module *mod, const struct dnsrep_block *blk,
	struct edns_option **list, struct regional *region)
{
	char text[DNSREP_NAME_MAXTEXT + 2 * DNSREP_LOG_FEED + 32];
	ede_text(blk, text, sizeof(text));
	if (*list && !(*list = edns_opt_copy_region(*list, region)))
		return 0;
	return edns_opt_list_append_ede(list, region, (sldns_ede_code)mod->cfg->ede, text);
}
