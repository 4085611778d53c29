/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * clean.c — text from logs, feeds and names made safe for a terminal: what
 * dnsrepctl prints of it cannot move the cursor, clear the screen or fake a line.
 */
#include "ctl.h"

#include <stdio.h>

#include "dnsrep/json.h"

void ctl_put_clean(struct dnsrep_buf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; i < n;) {
		unsigned c = p[i];
		size_t len = c >= 0x20 && c < 0x7f ? 1 : c >= 0x80 ? dnsrep_utf8_len(p + i, n - i) : 0;
		if (len == 2 && c == 0xc2 && p[i + 1] < 0xa0)
			len = 0; /* U+0080..U+009F: the C1 controls */
		if (len) {
			dnsrep_buf_add(b, s + i, len);
			i += len;
		} else {
			char esc[8];
			snprintf(esc, sizeof(esc), "\\%03u", c);
			dnsrep_buf_add(b, esc, 4);
			i++;
		}
	}
}
