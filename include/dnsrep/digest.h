/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dnsrep/digest.h — SHA-256 of a feed's content, as lowercase hex (OpenSSL's
 * libcrypto, already on every machine that has libcurl).  The feeder compares
 * digests so that an unchanged feed is not rewritten.
 */
#ifndef DNSREP_DIGEST_H
#define DNSREP_DIGEST_H

#include <stddef.h>

/** Write the SHA-256 of data as 64 hex digits and a NUL into hex (65 bytes).  0, or -1. */
int dnsrep_digest_hex(const void *data, size_t len, char hex[65]);

#endif
