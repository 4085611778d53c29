/* SPDX-License-Identifier: BSD-3-Clause */
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

#include "dnsrep/buf.h"

/**
 * The length of the valid UTF-8 sequence of a non-ASCII character at s (at most n
 * bytes: shortest form, no surrogates, at most U+10FFFF), or 0 when there is none.
 */
size_t dnsrep_utf8_len(const unsigned char *s, size_t n);

/** Append s (n bytes, any content) as a quoted, escaped JSON string. */
void dnsrep_json_str(struct dnsrep_buf *b, const char *s, size_t n);
/** Append "key": then the quoted string value; a NULL value is written as null. */
void dnsrep_json_kv(struct dnsrep_buf *b, const char *key, const char *value);

#endif /* DNSREP_JSON_H */
