/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * intern.h — private to libdnsrep: interning: store each distinct byte string once in a pool.
 *
 * The snapshot builder interns feed names, categories and reasons (thousands of
 * entries share one reason), and whole metadata records (each distinct tuple is
 * stored once and named by its index).  A value is named by its offset in the
 * pool, so the pool can be copied into a snapshot as it is.
 */
#ifndef DNSREP_INTERN_H
#define DNSREP_INTERN_H

#include <stddef.h>
#include <stdint.h>

/** A pool of distinct byte strings and the table that finds them. */
struct dnsrep_intern {
	uint8_t *pool;      /**< the values, back to back */
	size_t len, cap;    /**< bytes used and allocated in pool */
	uint64_t *table;    /**< per slot: offset + 1 in the low 40 bits, hash bits above; 0 empty */
	uint32_t mask;      /**< slots - 1 */
	uint32_t count;     /**< distinct values */
};

/** An empty interner. @return 0, or -1 out of memory. */
int dnsrep_intern_init(struct dnsrep_intern *in);

/**
 * The offset of a value equal to (data, len) in the pool, adding it if it is new.
 * Values are compared by their bytes and their length.
 * @return the offset, or -1 out of memory (or the pool would pass 1 TiB).
 */
int64_t dnsrep_intern_add(struct dnsrep_intern *in, const void *data, size_t len);

/** Free the pool and table; the struct can be initialized again. */
void dnsrep_intern_free(struct dnsrep_intern *in);

#endif /* DNSREP_INTERN_H */
