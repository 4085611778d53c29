/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * record.c — who asked: block log records, lookup counters and exempt clients,
 * per client.
 *
 * Every answer is judged when it is sent, for the client it is sent to
 * (reply.c), so each client gets its own log record with its own address, the
 * query name as it wrote it, and the EDE code it was sent (only clients that used
 * EDNS receive one) — clients that share one Unbound query state and clients
 * answered from the cache alike.  Answers without a client (Unbound's own
 * lookups: NS targets, DNSKEY, prefetch) are not logged.
 */
#include "config.h"
#include "util/module.h"
#include "util/netevent.h"
#include "util/data/dname.h"
#include "services/mesh.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stddef.h>
#include <string.h>
#include <sys/time.h>

#include "dnsrep/name.h"
#include "plugin.h"

/** Whether an address lies in one of the exempt-client prefixes. */
int dnsrep_client_exempt(const struct dnsrep_module *mod, const struct sockaddr_storage *ss)
{
	const struct dnsrep_config *cfg = mod->cfg;
	int family = ss->ss_family;
	const uint8_t *bytes;
	if (cfg->n_exempt_clients == 0)
		return 0;
	if (family == AF_INET) {
		bytes = (const uint8_t *)&((const struct sockaddr_in *)ss)->sin_addr;
	} else if (family == AF_INET6) {
		bytes = (const uint8_t *)&((const struct sockaddr_in6 *)ss)->sin6_addr;
		if (IN6_IS_ADDR_V4MAPPED((const struct in6_addr *)bytes)) {
			family = AF_INET;
			bytes += 12;
		}
	} else {
		return 0;
	}
	for (size_t i = 0; i < cfg->n_exempt_clients; i++)
		if (dnsrep_cidr_contains(&cfg->exempt_clients[i], family, bytes))
			return 1;
	return 0;
}

int dnsrep_all_clients_exempt(const struct dnsrep_module *mod, struct module_qstate *qstate)
{
	if (mod->cfg->n_exempt_clients == 0 || !qstate->mesh_info)
		return 0;
	const struct mesh_reply *r = qstate->mesh_info->reply_list;
	if (!r)
		return 0;
	for (; r; r = r->next)
		if (!dnsrep_client_exempt(mod, &r->query_reply.client_addr))
			return 0;
	return 1;
}

/** Copy text into a fixed field, cut to fit. */
static void put(char *field, size_t size, const char *text)
{
	size_t n = text ? strlen(text) : 0;
	if (n >= size)
		n = size - 1;
	if (n)
		memcpy(field, text, n);
	field[n] = 0;
}

/** Copy a wire name (at most 255 octets) into a record field. */
static uint8_t put_name(uint8_t *field, const uint8_t *wire, size_t len)
{
	if (len > 255)
		len = 255;
	memcpy(field, wire, len);
	return (uint8_t)len;
}

void dnsrep_record_client(struct dnsrep_module *mod, enum dnsrep_log_kind kind,
	const struct dnsrep_block *blk, const struct dnsrep_judgement *j,
	const struct sockaddr_storage *client, socklen_t client_len, const uint8_t *qname,
	size_t qname_len, uint16_t qtype, uint16_t ede, const struct timeval *when)
{
	if (!mod->log || !blk->rule || !blk->meta)
		return;
	struct dnsrep_log_record rec;
	memset(&rec, 0, offsetof(struct dnsrep_log_record, chain));
	struct timeval now;
	if (!when || (when->tv_sec == 0 && when->tv_usec == 0)) {
		gettimeofday(&now, NULL);
		when = &now;
	}
	rec.ts_ms = (int64_t)when->tv_sec * 1000 + when->tv_usec / 1000;
	rec.qtype = qtype;
	rec.kind = (uint8_t)kind;
	rec.match = (uint8_t)blk->match;
	if (blk->hit) {
		rec.technique = (uint8_t)blk->hit->technique;
		rec.distance = (uint8_t)blk->hit->distance;
	}
	rec.rule_len = put_name(rec.rule, blk->rule, dname_valid((uint8_t *)blk->rule, LDNS_MAX_DOMAINLEN + 1));
	put(rec.action, sizeof(rec.action), dnsrep_action_name(blk->action));
	put(rec.feed, sizeof(rec.feed), blk->meta->feed);
	put(rec.category, sizeof(rec.category), blk->meta->category);
	put(rec.reason, sizeof(rec.reason), blk->meta->reason);
	if (j && blk->match == DNSREP_MATCH_CNAME)
		for (int i = 0; i < j->chain_n && i < DNSREP_LOG_CHAIN; i++)
			rec.chain_len[rec.chain_n++] = put_name(rec.chain[i], j->chain[i], j->chain_len[i]);
	if (client_len > (socklen_t)sizeof(rec.client))
		client_len = sizeof(rec.client);
	memcpy(&rec.client, client, client_len);
	/* the qname as this client wrote it (Unbound keeps each client's case) */
	rec.qname_len = put_name(rec.qname, qname, qname_len);
	rec.ede = ede;
	(void)dnsrep_blocklog_push(mod->log, &rec); /* a full queue counts the drop */
}

void dnsrep_count_judged(const struct dnsrep_module *mod, struct dnsrep_judge_cache *c)
{
	if (mod->counting && c)
		dnsrep_stats_judged(c->stats);
}

void dnsrep_count_lookup(const struct dnsrep_module *mod, struct dnsrep_judge_cache *c,
	enum dnsrep_log_kind kind, const struct dnsrep_block *blk, uint64_t serial)
{
	if (!mod->counting || !c || !blk->meta)
		return;
	dnsrep_stats_count(c->stats, kind, (int)blk->action, blk->match,
			   blk->hit ? (int)blk->hit->technique : 0, serial, blk->meta->feed,
			   blk->meta->category);
}
