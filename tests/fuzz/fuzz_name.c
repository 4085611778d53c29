/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_name.c — libFuzzer harness for names: presentation form (escapes, IDNA
 * U-labels through libidn2, trailing dots), wire form (as Unbound hands a qname
 * over), the presentation the block log writes, and the public suffix lookups.
 *
 * Properties: a name that parses prints and parses back to the same wire form;
 * any wire name that is accepted prints as printable ASCII without a quote (what
 * keeps a hostile qname from breaking the log), as itself when the text parses.
 */
#include "dnsrep/name.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/*
 * The name prints as printable ASCII; when strict (it came from text), the text
 * parses back to the same wire form.  A wire name (a qname as Unbound hands it
 * over) may hold labels that text refuses (an xn-- label that is no valid IDNA):
 * it must still print, and if its text is accepted, as itself.
 */
static void round_trip(const struct dnsrep_name *n, int strict)
{
	char text[1100], err[256];
	struct dnsrep_name back;
	int len = dnsrep_name_to_text(n->wire, text, sizeof(text));
	if (len < 0 || (size_t)len != strlen(text))
		abort();
	for (int i = 0; i < len; i++)
		if (text[i] < 0x21 || text[i] > 0x7e || text[i] == '"')
			abort();
	int parsed = dnsrep_name_from_text(&back, text, (size_t)len, err, sizeof(err)) == 0;
	if ((strict && !parsed) || (parsed && !dnsrep_name_equal(&back, n)))
		abort();
	(void)dnsrep_name_registrable(n);
	(void)dnsrep_name_is_public_suffix(n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dnsrep_name n;
	char err[256];
	if (dnsrep_name_from_text(&n, (const char *)data, size, err, sizeof(err)) == 0)
		round_trip(&n, 1);
	if (dnsrep_name_from_wire(&n, data, size, err, sizeof(err)) == 0)
		round_trip(&n, 0);
	return 0;
}
