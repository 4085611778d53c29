/*
 * dnsrep/json.h — writing JSON strings safely into a growing buffer.
 *
 * Used wherever dnsrep writes JSON (dnsrepctl --json, the block log): every
 * string goes through dnsrep_json_str, which escapes quotes, backslashes and
 * control bytes and replaces invalid UTF-8 with U+FFFD, so no input can break a
 * line or add a field.
 */
#ifndef DNSREP_JSON_H
#define DNSREP_JSON_H

#include <stddef.h>
#include <stdint.h>

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
/** Append s (n bytes, any content) as a quoted, escaped JSON string. */
void dnsrep_json_str(struct dnsrep_buf *b, const char *s, size_t n);
/** Append "key": then the quoted string value; a NULL value is written as null. */
void dnsrep_json_kv(struct dnsrep_buf *b, const char *key, const char *value);
/** Empty the buffer, keeping its memory. */
void dnsrep_buf_reset(struct dnsrep_buf *b);
/** Free the memory. */
void dnsrep_buf_free(struct dnsrep_buf *b);

#endif /* DNSREP_JSON_H */
