/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * feed_rpz.c — Response Policy Zone feeds: records assembled across
 * parentheses and parsed one by one with ldns, so a bad record is reported with
 * the line it starts on and parsing goes on; the triggers and actions dnsrep
 * can carry out become entries, the others are rejected.  Called by feed.c
 * (feed_parser.h).
 */
#include "dnsrep_config.h"
#include "feed_parser.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/** RPZ trigger kinds other than QNAME: the label just below the zone apex. */
static const char *const rpz_other_triggers[] = {
	"rpz-ip", "rpz-nsdname", "rpz-nsip", "rpz-client-ip", NULL
};

void dnsrep_feedp_rpz_free(struct rpz_state *r)
{
	if (r->origin)
		ldns_rdf_deep_free(r->origin);
	if (r->apex)
		ldns_rdf_deep_free(r->apex);
	if (r->prev)
		ldns_rdf_deep_free(r->prev);
	free(r->rec);
	memset(r, 0, sizeof(*r));
}

static void rpz_unsupported(struct parser *p, unsigned line, const char *what, const char *detail)
{
	p->st->unsupported++;
	dnsrep_feedp_reject(p, line, "unsupported RPZ %s: %s", what, detail);
}

/** A name in presentation format (with its final dot, for messages), into buf. */
static const char *rdf_text(char *buf, size_t buflen, const ldns_rdf *rdf)
{
	char *s = ldns_rdf2str(rdf);
	snprintf(buf, buflen, "%s", s ? s : "?");
	free(s);
	return buf;
}

/** Whether n bytes are equal, ASCII letters compared without case. */
static int mem_equal_nocase(const uint8_t *a, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t x = a[i], y = b[i];
		if (x >= 'A' && x <= 'Z')
			x = (uint8_t)(x + 32);
		if (y >= 'A' && y <= 'Z')
			y = (uint8_t)(y + 32);
		if (x != y)
			return 0;
	}
	return 1;
}

/** Whether a wire name equals a wire constant (blen counts the final 0). */
static int wire_equal(const uint8_t *a, size_t alen, const char *b, size_t blen)
{
	return alen == blen && mem_equal_nocase(a, (const uint8_t *)b, alen);
}

/**
 * Where the apex starts in an owner name (wire), or -1 when the owner is not
 * at or below the apex.  Case is ignored.
 */
static int apex_offset(const ldns_rdf *owner, const ldns_rdf *apex)
{
	const uint8_t *w = ldns_rdf_data(owner);
	size_t n = ldns_rdf_size(owner), an = ldns_rdf_size(apex);
	const uint8_t *a = ldns_rdf_data(apex);
	for (size_t off = 0; off < n; off += (size_t)w[off] + 1) {
		if (n - off == an)
			return mem_equal_nocase(w + off, a, an) ? (int)off : -1;
		if (w[off] == 0)
			break;
	}
	return -1;
}

/** A $ORIGIN or $TTL line (or another directive, which is refused). */
static int rpz_directive(struct parser *p, char *rec, unsigned line)
{
	struct rpz_state *r = &p->rpz;
	char buf[SHOWBUF];
	char *pos = rec;
	size_t len, arglen = 0;
	char *dir = dnsrep_feedp_token(&pos, &len);
	char *arg = dnsrep_feedp_token(&pos, &arglen);
	size_t extralen;
	char *extra = dnsrep_feedp_token(&pos, &extralen);
	if (strcasecmp(dir, "$INCLUDE") == 0) {
		dnsrep_feedp_reject(p, line, "$INCLUDE is not supported: an RPZ feed must be one file");
		return 0;
	}
	if (strcasecmp(dir, "$ORIGIN") != 0 && strcasecmp(dir, "$TTL") != 0) {
		dnsrep_feedp_reject(p, line, "unknown directive '%s'", dnsrep_feedp_show(buf, sizeof(buf), dir, len));
		return 0;
	}
	if (!arg || extra) {
		dnsrep_feedp_reject(p, line, "%s takes one value",
			strcasecmp(dir, "$TTL") == 0 ? "$TTL" : "$ORIGIN");
		return 0;
	}
	if (strcasecmp(dir, "$TTL") == 0) {
		const char *end = NULL;
		uint32_t ttl = ldns_str2period(arg, &end);
		if (arg[0] < '0' || arg[0] > '9' || (end && *end)) {
			dnsrep_feedp_reject(p, line, "bad $TTL '%s'", dnsrep_feedp_show(buf, sizeof(buf), arg, arglen));
			return 0;
		}
		r->ttl = ttl;
		return 0;
	}
	/* ldns makes every name absolute: a relative one is completed here */
	int relative = arg[arglen - 1] != '.' || (arglen >= 2 && arg[arglen - 2] == '\\');
	if (relative && !r->origin) {
		dnsrep_feedp_reject(p, line, "$ORIGIN '%s' is relative and there is no origin to complete it",
			dnsrep_feedp_show(buf, sizeof(buf), arg, arglen));
		return 0;
	}
	char full[2 * DNSREP_NAME_MAXTEXT + 2], otext[DNSREP_NAME_MAXTEXT] = "";
	if (relative && strcmp(rdf_text(otext, sizeof(otext), r->origin), ".") == 0)
		otext[0] = '\0';
	ldns_rdf *o = NULL;
	if (arglen >= DNSREP_NAME_MAXTEXT ||
	    snprintf(full, sizeof(full), "%s%s%s", arg, relative ? "." : "", otext) < 0 ||
	    ldns_str2rdf_dname(&o, full) != LDNS_STATUS_OK || !o) {
		dnsrep_feedp_reject(p, line, "bad $ORIGIN '%s'", dnsrep_feedp_show(buf, sizeof(buf), arg, arglen));
		return 0;
	}
	if (r->origin)
		ldns_rdf_deep_free(r->origin);
	r->origin = o;
	if (!r->apex) {
		r->apex = ldns_rdf_clone(o);
		if (!r->apex) {
			dnsrep_feedp_err(p, "feed %s: out of memory", p->feed);
			return -1;
		}
	}
	return 0;
}

/**
 * What a record's action is: 1 block (NXDOMAIN), 3 block (NODATA), 2 allow; 0
 * when it is unsupported (reported).
 */
static int rpz_action(struct parser *p, unsigned line, const ldns_rr *rr)
{
	char buf[DNSREP_NAME_MAXTEXT + 64], name[DNSREP_NAME_MAXTEXT];
	if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_CNAME || ldns_rr_rd_count(rr) != 1) {
		char *type = ldns_rr_type2str(ldns_rr_get_type(rr));
		snprintf(buf, sizeof(buf), "local data (%s record)", type ? type : "?");
		free(type);
		rpz_unsupported(p, line, "action", buf);
		return 0;
	}
	const ldns_rdf *t = ldns_rr_rdf(rr, 0);
	const uint8_t *w = ldns_rdf_data(t);
	size_t n = ldns_rdf_size(t);
	if (wire_equal(w, n, "", 1))
		return 1; /* CNAME . : NXDOMAIN */
	if (wire_equal(w, n, "\001*", 3))
		return 3; /* CNAME *. : NODATA */
	if (wire_equal(w, n, "\014rpz-passthru", 14))
		return 2;
	if (wire_equal(w, n, "\010rpz-drop", 10) || wire_equal(w, n, "\014rpz-tcp-only", 14)) {
		rpz_unsupported(p, line, "action", rdf_text(name, sizeof(name), t));
		return 0;
	}
	snprintf(buf, sizeof(buf), "local data (CNAME to %s)", rdf_text(name, sizeof(name), t));
	rpz_unsupported(p, line, "action", buf);
	return 0;
}

/** One parsed record: a trigger and an action, or skipped, or reported. */
static int rpz_record(struct parser *p, const ldns_rr *rr, unsigned line)
{
	struct rpz_state *r = &p->rpz;
	const ldns_rdf *owner = ldns_rr_owner(rr);
	ldns_rr_type type = ldns_rr_get_type(rr);
	char buf[DNSREP_NAME_MAXTEXT + 64], text[DNSREP_NAME_MAXTEXT], ztext[DNSREP_NAME_MAXTEXT];
	if (type == LDNS_RR_TYPE_SOA && !r->apex_from_soa) {
		ldns_rdf *a = ldns_rdf_clone(owner), *o = r->origin ? NULL : ldns_rdf_clone(owner);
		if (!a || (!r->origin && !o)) {
			if (a)
				ldns_rdf_deep_free(a);
			dnsrep_feedp_err(p, "feed %s: out of memory", p->feed);
			return -1;
		}
		if (r->apex)
			ldns_rdf_deep_free(r->apex);
		r->apex = a;
		r->apex_from_soa = 1;
		if (o)
			r->origin = o;
	}
	const uint8_t *w = ldns_rdf_data(owner);
	size_t rel = ldns_rdf_size(owner);
	if (rel > 0 && w[rel - 1] == 0)
		rel--; /* the root label */
	if (r->apex) {
		int off = apex_offset(owner, r->apex);
		if (off < 0) {
			dnsrep_feedp_reject(p, line, "%s is outside the zone %s", rdf_text(text, sizeof(text), owner),
				rdf_text(ztext, sizeof(ztext), r->apex));
			return 0;
		}
		rel = (size_t)off;
		if (rel == 0) {
			if (type == LDNS_RR_TYPE_SOA || type == LDNS_RR_TYPE_NS)
				return 0;
			char *ts = ldns_rr_type2str(type);
			snprintf(buf, sizeof(buf), "%s record at the zone apex", ts ? ts : "?");
			free(ts);
			rpz_unsupported(p, line, "trigger", buf);
			return 0;
		}
	}
	/* the trigger kind: the last label of the relative name */
	size_t last = 0;
	for (size_t off = 0; off < rel; off += (size_t)w[off] + 1)
		last = off;
	for (const char *const *k = rpz_other_triggers; *k; k++) {
		if (rel > 0 && w[last] == strlen(*k) &&
		    mem_equal_nocase(w + last + 1, (const uint8_t *)*k, w[last])) {
			snprintf(buf, sizeof(buf), "%s (only QNAME triggers are supported)", *k);
			rpz_unsupported(p, line, "trigger", buf);
			return 0;
		}
	}
	int action = rpz_action(p, line, rr);
	if (action == 0)
		return 0;
	unsigned scope = DNSREP_SCOPE_SELF;
	if (rel >= 2 && w[0] == 1 && w[1] == '*') {
		scope = DNSREP_SCOPE_BELOW;
		w += 2;
		rel -= 2;
	}
	for (size_t off = 0; off < rel; off += (size_t)w[off] + 1) {
		if (w[off] == 1 && w[off + 1] == '*') {
			dnsrep_feedp_reject(p, line, "'*' is only allowed as the first label of a trigger");
			return 0;
		}
	}
	uint8_t wire[DNSREP_NAME_MAXWIRE + 1];
	if (rel + 1 > DNSREP_NAME_MAXWIRE) {
		dnsrep_feedp_reject(p, line, "name too long");
		return 0;
	}
	memcpy(wire, w, rel);
	wire[rel] = 0;
	struct dnsrep_name name;
	char why[DNSREP_ERRLEN] = "";
	if (dnsrep_name_from_wire(&name, wire, rel + 1, why, sizeof(why)) != 0) {
		dnsrep_feedp_reject(p, line, "%s", why[0] ? why : "bad name");
		return 0;
	}
	/* the record's own action, which a feed's action: line overrides */
	struct extras x = { .action = action == 1 ? DNSREP_ACTION_NXDOMAIN
				    : action == 3 ? DNSREP_ACTION_NODATA : DNSREP_ACTION_INHERIT };
	return dnsrep_feedp_emit(p, line, &name, scope, action == 2, &x);
}

/** A whole record (its lines joined, comments and parentheses gone). */
static int rpz_text(struct parser *p, char *rec, size_t n, unsigned line)
{
	struct rpz_state *r = &p->rpz;
	size_t tn = n;
	char *t = dnsrep_feedp_trim(rec, &tn);
	if (tn == 0)
		return 0;
	if (t[0] == '$')
		return rpz_directive(p, t, line);
	if (dnsrep_feedp_is_space(rec[0]) && !r->prev) {
		dnsrep_feedp_reject(p, line, "a record without an owner name and no record before it");
		return 0;
	}
	if (!r->origin && t[0] == '@' && (t[1] == '\0' || dnsrep_feedp_is_space(t[1]))) {
		dnsrep_feedp_reject(p, line, "'@' but no $ORIGIN or SOA record before it");
		return 0;
	}
	ldns_rr *rr = NULL;
	ldns_status s = ldns_rr_new_frm_str(&rr, rec, r->ttl, r->origin, &r->prev);
	if (s != LDNS_STATUS_OK || !rr) {
		if (s == LDNS_STATUS_MEM_ERR) {
			dnsrep_feedp_err(p, "feed %s: out of memory", p->feed);
			return -1;
		}
		dnsrep_feedp_reject(p, line, "bad record: %s", ldns_get_errorstr_by_id(s));
		return 0;
	}
	int rc = rpz_record(p, rr, line);
	ldns_rr_free(rr);
	return rc;
}

/** Append bytes to the record being assembled. */
static int rpz_append(struct parser *p, const char *s, size_t n)
{
	struct rpz_state *r = &p->rpz;
	if (r->too_long)
		return 0;
	if (r->reclen + n + 2 > RPZ_RECORD_MAX) {
		r->too_long = 1;
		return 0;
	}
	if (r->reclen + n + 2 > r->reccap) {
		size_t cap = r->reccap ? r->reccap : 256;
		while (cap < r->reclen + n + 2)
			cap *= 2;
		char *nrec = realloc(r->rec, cap);
		if (!nrec) {
			dnsrep_feedp_err(p, "feed %s: out of memory", p->feed);
			return -1;
		}
		r->rec = nrec;
		r->reccap = cap;
	}
	memcpy(r->rec + r->reclen, s, n);
	r->reclen += n;
	r->rec[r->reclen] = '\0';
	return 0;
}

/**
 * One line of a zone file: comments (';') dropped, parentheses counted and
 * replaced by spaces (quotes and escapes respected); when no parenthesis is
 * left open the record is complete.
 */
int dnsrep_feedp_rpz_line(struct parser *p, char *s, size_t n)
{
	struct rpz_state *r = &p->rpz;
	if (r->depth == 0) {
		r->reclen = 0;
		r->too_long = 0;
		r->rec_line = p->line;
	} else if (rpz_append(p, " ", 1) != 0) {
		return -1;
	}
	int quoted = 0;
	size_t i;
	for (i = 0; i < n; i++) {
		char c = s[i];
		if (c == '\\' && i + 1 < n) {
			i++;
			continue;
		}
		if (c == '"')
			quoted = !quoted;
		if (quoted)
			continue;
		if (c == ';')
			break;
		if (c == '(') {
			r->depth++;
			s[i] = ' ';
		} else if (c == ')') {
			if (r->depth == 0) {
				dnsrep_feedp_reject(p, r->rec_line, "')' without '('");
				return 0;
			}
			r->depth--;
			s[i] = ' ';
		}
	}
	if (rpz_append(p, s, i) != 0)
		return -1;
	if (r->depth > 0)
		return 0;
	if (r->too_long) {
		dnsrep_feedp_reject(p, r->rec_line, "record longer than %d bytes", RPZ_RECORD_MAX);
		return 0;
	}
	if (r->reclen == 0)
		return 0;
	return rpz_text(p, r->rec, r->reclen, r->rec_line);
}

/** A line that could not be read (too long, NUL) ends the record it was in. */
void dnsrep_feedp_rpz_abandon(struct parser *p)
{
	p->rpz.depth = 0;
	p->rpz.reclen = 0;
	p->rpz.too_long = 0;
}

/** The end of the zone file: a record still open is reported. */
void dnsrep_feedp_rpz_finish(struct parser *p)
{
	if (p->rpz.depth > 0)
		dnsrep_feedp_reject(p, p->rpz.rec_line, "'(' without ')': the record never ends");
}

