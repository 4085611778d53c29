/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * json.c — JSON string escaping into a growing buffer (see dnsrep/json.h).
 */
#include "dnsrep/json.h"

#include <stdlib.h>
#include <string.h>

size_t dnsrep_utf8_len(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t len;
	unsigned min;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		min = 0x10000;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	unsigned cp = c & (0x7f >> len);
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

void dnsrep_json_str(struct dnsrep_buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	dnsrep_buf_add(b, "\"", 1);
	size_t run = 0; /* bytes that need no escaping, copied in one go */
	for (size_t i = 0; i < n;) {
		unsigned c = p[i];
		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
			i++;
			run++;
			continue;
		}
		dnsrep_buf_add(b, (const char *)p + i - run, run);
		run = 0;
		if (c == '"' || c == '\\') {
			char esc[2] = { '\\', (char)c };
			dnsrep_buf_add(b, esc, 2);
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			char esc[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
			dnsrep_buf_add(b, esc, 6);
			i++;
		} else {
			size_t l = dnsrep_utf8_len(p + i, n - i);
			if (l) {
				dnsrep_buf_add(b, (const char *)p + i, l);
				i += l;
			} else {
				dnsrep_buf_add(b, "\\ufffd", 6);
				i++;
			}
		}
	}
	dnsrep_buf_add(b, (const char *)p + n - run, run);
	dnsrep_buf_add(b, "\"", 1);
}

void dnsrep_json_kv(struct dnsrep_buf *b, const char *key, const char *value)
{
	dnsrep_json_str(b, key, strlen(key));
	dnsrep_buf_add(b, ":", 1);
	if (value)
		dnsrep_json_str(b, value, strlen(value));
	else
		dnsrep_buf_add(b, "null", 4);
}
