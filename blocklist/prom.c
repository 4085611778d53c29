/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * prom.c — Prometheus text exposition (dnsrep/prom.h): family headers, samples,
 * label values escaped and made valid UTF-8.
 */
#include "dnsrep/prom.h"
#include "dnsrep/json.h" /* dnsrep_utf8_len */

#include <inttypes.h>
#include <stdio.h>

void dnsrep_prom_escape(struct dnsrep_buf *b, const char *value)
{
	const unsigned char *s = (const unsigned char *)(value ? value : "");
	size_t n = 0;
	while (s[n])
		n++;
	for (size_t i = 0; i < n;) {
		if (s[i] == '\\') {
			dnsrep_buf_puts(b, "\\\\");
			i++;
		} else if (s[i] == '"') {
			dnsrep_buf_puts(b, "\\\"");
			i++;
		} else if (s[i] == '\n') {
			dnsrep_buf_puts(b, "\\n");
			i++;
		} else {
			size_t len = s[i] < 0x80 ? 1 : dnsrep_utf8_len(s + i, n - i);
			if (len == 0) {
				dnsrep_buf_puts(b, "\xef\xbf\xbd"); /* U+FFFD */
				i++;
			} else {
				dnsrep_buf_add(b, (const char *)s + i, len);
				i += len;
			}
		}
	}
}

void dnsrep_prom_family(struct dnsrep_buf *b, const char *name, const char *type, const char *help)
{
	dnsrep_buf_puts(b, "# HELP ");
	dnsrep_buf_puts(b, name);
	dnsrep_buf_puts(b, " ");
	dnsrep_buf_puts(b, help);
	dnsrep_buf_puts(b, "\n# TYPE ");
	dnsrep_buf_puts(b, name);
	dnsrep_buf_puts(b, " ");
	dnsrep_buf_puts(b, type);
	dnsrep_buf_puts(b, "\n");
}

static void head(struct dnsrep_buf *b, const char *name, const struct dnsrep_prom_label *l, size_t n)
{
	dnsrep_buf_puts(b, name);
	if (n == 0)
		return;
	for (size_t i = 0; i < n; i++) {
		dnsrep_buf_puts(b, i ? "," : "{");
		dnsrep_buf_puts(b, l[i].name);
		dnsrep_buf_puts(b, "=\"");
		dnsrep_prom_escape(b, l[i].value);
		dnsrep_buf_puts(b, "\"");
	}
	dnsrep_buf_puts(b, "}");
}

void dnsrep_prom_u64(struct dnsrep_buf *b, const char *name, const struct dnsrep_prom_label *l,
	size_t n, uint64_t value)
{
	char v[32];
	head(b, name, l, n);
	snprintf(v, sizeof(v), " %" PRIu64 "\n", value);
	dnsrep_buf_puts(b, v);
}

void dnsrep_prom_f64(struct dnsrep_buf *b, const char *name, const struct dnsrep_prom_label *l,
	size_t n, double value)
{
	char v[48];
	head(b, name, l, n);
	snprintf(v, sizeof(v), " %.6f\n", value);
	dnsrep_buf_puts(b, v);
}
