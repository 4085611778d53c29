/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * digest.c — SHA-256 as hex, with OpenSSL's EVP interface (see dnsrep/digest.h).
 */
#include "dnsrep/digest.h"

#include <openssl/evp.h>

int dnsrep_digest_hex(const void *data, size_t len, char hex[65])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	if (EVP_Digest(data, len, md, &n, EVP_sha256(), NULL) != 1 || n != 32)
		return -1;
	for (unsigned i = 0; i < 32; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[64] = 0;
	return 0;
}
