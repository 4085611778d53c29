/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dnsrep/buf.h — a growing byte buffer, NUL-terminated, that remembers a failed
 * allocation instead of reporting each one: append freely, check `failed` once.
 */
#ifndef DNSREP_BUF_H
#define DNSREP_BUF_H

#include <stddef.h>

/** A growing buffer; an allocation failure is remembered and reported once at the end. */
struct dnsrep_buf {
	char *data;
	size_t len, cap;
	int failed;  /**< an append ran out of memory */
};

/** Append raw bytes. */
void dnsrep_buf_add(struct dnsrep_buf *b, const char *s, size_t n);
/** Append a NUL-terminated string as it is. */
void dnsrep_buf_puts(struct dnsrep_buf *b, const char *s);
/** Empty the buffer, keeping its memory. */
void dnsrep_buf_reset(struct dnsrep_buf *b);
/** Free the memory. */
void dnsrep_buf_free(struct dnsrep_buf *b);

#endif /* DNSREP_BUF_H */
