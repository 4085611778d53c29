/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_memo.c — unit tests of the per-thread memo of names judged harmless
 * (dnsrep/memo.h): sizes out of range, has and put, keys that change with the
 * snapshot serial, collisions that overwrite, every slot in use, and its bytes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>

#include "dnsrep/memo.h"

/** xorshift64: reproducible pseudo-random numbers. */
static uint64_t next(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static void test_sizes(void **state)
{
	(void)state;
	static const unsigned bad[] = { 0, 1, 3, 25, 32, 64, 1000, ~0u };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_null(dnsrep_memo_new(bad[i]));
	/* each size holds 2^bits keys of 8 bytes, plus a small fixed part */
	size_t prev = 0;
	for (unsigned bits = 4; bits <= 24; bits += 4) {
		struct dnsrep_memo *m = dnsrep_memo_new(bits);
		assert_non_null(m);
		size_t bytes = dnsrep_memo_bytes(m);
		assert_true(bytes >= ((size_t)8 << bits));
		assert_true(bytes <= ((size_t)8 << bits) + 64);
		assert_true(bytes > prev);
		prev = bytes;
		dnsrep_memo_free(m);
	}
	dnsrep_memo_free(NULL);
}

static void test_keys(void **state)
{
	(void)state;
	uint64_t x = 0x243f6a8885a308d3u;
	for (int i = 0; i < 100000; i++) {
		uint64_t h = next(&x), serial = next(&x) % 1000 + 1;
		uint64_t k = dnsrep_memo_key(h, serial);
		assert_true(k != 0);
		assert_true(k == dnsrep_memo_key(h, serial));      /* a function of both */
		assert_true(k != dnsrep_memo_key(h, serial + 1));  /* a new snapshot misses */
		assert_true(k != dnsrep_memo_key(h ^ 1, serial));  /* a name one bit away too */
		assert_true(k != dnsrep_memo_key(h ^ (1ull << 63), serial));
	}
	/* even the zero hash and serial give a key (0 means an empty slot) */
	assert_true(dnsrep_memo_key(0, 0) != 0);
	assert_true(dnsrep_memo_key(0, 1) != dnsrep_memo_key(0, 2));
}

static void test_has_and_put(void **state)
{
	(void)state;
	struct dnsrep_memo *m = dnsrep_memo_new(10);
	assert_non_null(m);
	uint64_t x = 7;
	for (int i = 0; i < 10000; i++) /* a new memo knows nothing */
		assert_false(dnsrep_memo_has(m, dnsrep_memo_key(next(&x), 1)));
	uint64_t k = dnsrep_memo_key(0x1234, 5);
	dnsrep_memo_put(m, k);
	assert_true(dnsrep_memo_has(m, k));
	dnsrep_memo_put(m, k); /* twice: still there */
	assert_true(dnsrep_memo_has(m, k));
	/* the same name under another snapshot is not known */
	for (uint64_t serial = 1; serial < 1000; serial++)
		if (serial != 5)
			assert_false(dnsrep_memo_has(m, dnsrep_memo_key(0x1234, serial)));
	dnsrep_memo_free(m);
}

/* A full memo pushes keys out for new ones, and takes them back. */
static void test_collisions_overwrite(void **state)
{
	(void)state;
	struct dnsrep_memo *m = dnsrep_memo_new(4);
	assert_non_null(m);
	uint64_t x = 99, first = dnsrep_memo_key(next(&x), 1), pusher = 0;
	dnsrep_memo_put(m, first);
	for (int i = 0; i < 100000 && dnsrep_memo_has(m, first); i++) {
		pusher = dnsrep_memo_key(next(&x), 1);
		dnsrep_memo_put(m, pusher);
	}
	assert_false(dnsrep_memo_has(m, first));
	assert_true(dnsrep_memo_has(m, pusher));
	dnsrep_memo_put(m, first);
	assert_true(dnsrep_memo_has(m, first));
	dnsrep_memo_put(m, first); /* twice: one slot, not two */
	size_t held = 0;
	for (int i = 0; i < 2; i++)
		held += (size_t)dnsrep_memo_has(m, first);
	assert_int_equal(held, 2);
	dnsrep_memo_free(m);
}

/*
 * A working set a third the size of the memo stays in it nearly whole: the names a
 * resolver thread answers again and again are checked once, not again and again
 * (a directly mapped memo loses about a quarter of them to collisions).
 */
static void test_working_set_stays(void **state)
{
	(void)state;
	enum { BITS = 15, SET = 10000 };
	struct dnsrep_memo *m = dnsrep_memo_new(BITS);
	assert_non_null(m);
	uint64_t *keys = malloc(SET * sizeof(*keys)), x = 7;
	assert_non_null(keys);
	for (int round = 0; round < 3; round++) /* asked again and again */
		for (int i = 0; i < SET; i++) {
			if (round == 0)
				keys[i] = dnsrep_memo_key(next(&x), 5);
			if (!dnsrep_memo_has(m, keys[i]))
				dnsrep_memo_put(m, keys[i]);
		}
	size_t held = 0;
	for (int i = 0; i < SET; i++)
		held += (size_t)dnsrep_memo_has(m, keys[i]);
	if (held < SET - SET / 100)
		fail_msg("a memo of %d keys holds %zu of a working set of %d", 1 << BITS, held, SET);
	free(keys);
	dnsrep_memo_free(m);
}

/*
 * A memo of 2^bits keys holds 2^bits keys: after many random keys, nearly every
 * slot holds one.  Catches an index that can only reach some of the slots (keys
 * are odd: their low bit alone must not pick the slot).
 */
static void test_every_slot_is_used(void **state)
{
	(void)state;
	for (unsigned bits = 4; bits <= 12; bits += 4) {
		size_t slots = (size_t)1 << bits, n = slots * 16;
		struct dnsrep_memo *m = dnsrep_memo_new(bits);
		assert_non_null(m);
		uint64_t *keys = malloc(n * sizeof(*keys));
		assert_non_null(keys);
		uint64_t x = 0x9e3779b97f4a7c15u + bits;
		for (size_t i = 0; i < n; i++) {
			keys[i] = dnsrep_memo_key(next(&x), 3);
			dnsrep_memo_put(m, keys[i]);
		}
		size_t held = 0;
		for (size_t i = 0; i < n; i++)
			held += (size_t)dnsrep_memo_has(m, keys[i]);
		/* each key still held is in a slot of its own */
		if (held < slots - slots / 16 || held > slots)
			fail_msg("a memo of %zu slots holds %zu of %zu keys", slots, held, n);
		free(keys);
		dnsrep_memo_free(m);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_has_and_put),
		cmocka_unit_test(test_collisions_overwrite),
		cmocka_unit_test(test_working_set_stays),
		cmocka_unit_test(test_every_slot_is_used),
	};
	return cmocka_run_group_tests_name("memo", tests, NULL, NULL);
}
