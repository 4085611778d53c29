/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_lookalike.c — libFuzzer harness for the lookalike check, which reads every
 * query name a resolver thread does not find in its memo: the input as a wire
 * qname (as Unbound hands it over, any octets) and as text, against an index of
 * names chosen to reach every technique (short and long labels, hyphens, an IDN
 * protected label, several suffix depths).
 *
 * Properties: no crash or sanitizer report; a hit names a known technique and a
 * protected name that prints; a name that is itself protected is never a hit.
 */
#include "dnsrep/lookalike.h"
#include "dnsrep/name.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char *const protected_names[] = {
	"cloudfox.cloud", "foxysunstudio.com", "babyboxtech.com", "ktsolution.tech", "wkjllc.com",
	"jinyang.asia", "a.com", "ab-cd.co.uk", "xn--80ak6aa92e.com", "silverstarchina.com",
	"thefoxesgroup.com", "x.github.io",
};

static struct dnsrep_lookalike *index_of_names(void)
{
	struct dnsrep_lookalike_builder *b = dnsrep_lookalike_builder_new(NULL);
	if (!b)
		abort();
	for (size_t i = 0; i < sizeof(protected_names) / sizeof(protected_names[0]); i++) {
		struct dnsrep_name n;
		if (dnsrep_name_from_text(&n, protected_names[i], strlen(protected_names[i]), NULL, 0) != 0 ||
		    dnsrep_lookalike_builder_add(b, &n, (uint32_t)i) != 0)
			abort();
	}
	struct dnsrep_lookalike *lk = dnsrep_lookalike_builder_finish(b, NULL, 0);
	if (!lk)
		abort();
	return lk;
}

static void check(const struct dnsrep_lookalike *lk, const uint8_t *wire, size_t len)
{
	struct dnsrep_lookalike_hit hit;
	char text[1100];
	if (!dnsrep_lookalike_check(lk, wire, len, &hit)) {
		if (hit.technique != DNSREP_LOOKALIKE_NONE || hit.protected_name)
			abort();
		return;
	}
	if (hit.technique <= DNSREP_LOOKALIKE_NONE || hit.technique > DNSREP_LOOKALIKE_TLD_SPLIT ||
	    !hit.protected_name || hit.meta >= sizeof(protected_names) / sizeof(protected_names[0]) ||
	    dnsrep_name_to_text(hit.protected_name, text, sizeof(text)) < 0 ||
	    strcmp(dnsrep_lookalike_technique_name(hit.technique), "none") == 0)
		abort();
	/* the query is no protected name itself */
	struct dnsrep_name q;
	if (dnsrep_name_from_wire(&q, wire, len, NULL, 0) == 0 &&
	    dnsrep_name_to_text(q.wire, text, sizeof(text)) >= 0)
		for (size_t i = 0; i < sizeof(protected_names) / sizeof(protected_names[0]); i++)
			if (strcmp(text, protected_names[i]) == 0)
				abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dnsrep_lookalike *lk;
	if (!lk)
		lk = index_of_names();
	check(lk, data, size);
	struct dnsrep_name n;
	if (dnsrep_name_from_text(&n, (const char *)data, size, NULL, 0) == 0)
		check(lk, n.wire, n.len);
	return 0;
}
