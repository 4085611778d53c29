/*
 * record.c — who asked: block log records and exempt clients, per client.
 *
 * Several clients asking the same name at once share one Unbound query state;
 * its mesh_info->reply_list holds each client's reply.  Each client gets its
 * own log record with its own address and EDE (only clients that used EDNS
 * receive one).  Queries without clients (Unbound's own lookups: NS targets,
 * DNSKEY, prefetch) are not logged.
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
#include "module.h"

/** The client's address of a reply (the client behind a PROXYv2 proxy when proxied). */
static const struct sockaddr_storage *client_of(const struct mesh_reply *r, socklen_t *len)
{
	*len = r->query_reply.client_addrlen;
	return &r->query_reply.client_addr;
}

/** Whether an address lies in one of the exempt-client prefixes. */
static int exempt(const struct dnsrep_config *cfg, const struct sockaddr_storage *ss)
{
	int family = ss->ss_family;
	const uint8_t *bytes;
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
	for (; r; r = r->next) {
		socklen_t len;
		if (!exempt(mod->cfg, client_of(r, &len)))
			return 0;
	}
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

void dnsrep_record_lookup(struct dnsrep_module *mod, struct module_qstate *qstate,
	enum dnsrep_log_kind kind, const char *action, const struct dnsrep_block *blk,
	const uint8_t *const *chain, const size_t *chain_len, int chain_n)
{
	if (!mod->log || !qstate->mesh_info || !qstate->mesh_info->reply_list)
		return;
	struct dnsrep_log_record rec;
	memset(&rec, 0, offsetof(struct dnsrep_log_record, chain));
	const struct timeval *now = qstate->env->now_tv;
	if (now)
		rec.ts_ms = (int64_t)now->tv_sec * 1000 + now->tv_usec / 1000;
	rec.qtype = qstate->qinfo.qtype;
	rec.kind = (uint8_t)kind;
	rec.match = (uint8_t)blk->match;
	if (blk->hit) {
		rec.technique = (uint8_t)blk->hit->technique;
		rec.distance = (uint8_t)blk->hit->distance;
	}
	rec.rule_len = put_name(rec.rule, blk->rule, dname_valid((uint8_t *)blk->rule, LDNS_MAX_DOMAINLEN + 1));
	put(rec.action, sizeof(rec.action), action);
	put(rec.feed, sizeof(rec.feed), blk->meta->feed);
	put(rec.category, sizeof(rec.category), blk->meta->category);
	put(rec.reason, sizeof(rec.reason), blk->meta->reason);
	for (int i = 0; i < chain_n && i < DNSREP_LOG_CHAIN; i++)
		rec.chain_len[rec.chain_n++] = put_name(rec.chain[i], chain[i], chain_len[i]);

	for (const struct mesh_reply *r = qstate->mesh_info->reply_list; r; r = r->next) {
		socklen_t len;
		const struct sockaddr_storage *ss = client_of(r, &len);
		memset(&rec.client, 0, sizeof(rec.client));
		memcpy(&rec.client, ss, len < (socklen_t)sizeof(rec.client) ? len : sizeof(rec.client));
		/* the qname as this client wrote it (Unbound keeps each client's case) */
		const uint8_t *q = r->qname ? r->qname : qstate->qinfo.qname;
		rec.qname_len = put_name(rec.qname, q, qstate->qinfo.qname_len);
		rec.ede = (kind == DNSREP_LOG_BLOCKED && r->edns.edns_present)
			? (uint16_t)mod->cfg->ede : 0;
		(void)dnsrep_blocklog_push(mod->log, &rec); /* a full queue counts the drop */
	}
}
