/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hash.h — private: dnsrep's integer hash finalizer, shared by the engine
 * (set.h and the tables built on it) and dnsrepctl report's tables.
 */
#ifndef DNSREP_HASH_H
#define DNSREP_HASH_H

#include <stdint.h>

/**
 * MurmurHash3's 64-bit finalizer: spreads a hash's bits before it picks a slot
 * (FNV-style hashes alone spread poorly over a power-of-two table).
 */
static inline uint64_t dnsrep_hash_mix64(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdull;
	k ^= k >> 33;
	k *= 0xc4ceb9fe1a85ec53ull;
	k ^= k >> 33;
	return k;
}

#endif /* DNSREP_HASH_H */
