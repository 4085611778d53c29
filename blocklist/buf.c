/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * buf.c — a growing byte buffer (see dnsrep/buf.h).
 */
#include "dnsrep/buf.h"

#include <stdlib.h>
#include <string.h>

void dnsrep_buf_add(struct dnsrep_buf *b, const char *s, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *d = realloc(b->data, cap);
		if (!d) {
			b->failed = 1;
			return;
		}
		b->data = d;
		b->cap = cap;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = 0;
}

void dnsrep_buf_puts(struct dnsrep_buf *b, const char *s)
{
	dnsrep_buf_add(b, s, strlen(s));
}

void dnsrep_buf_reset(struct dnsrep_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = 0;
}

void dnsrep_buf_free(struct dnsrep_buf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}
