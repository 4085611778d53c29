/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * testutil.h — small helpers the unit tests share: a temporary directory of the
 * test program's own, paths in it, sleeping and a monotonic clock.
 */
#ifndef DNSREP_TESTUTIL_H
#define DNSREP_TESTUTIL_H

#include <stddef.h>

/** The directory made by testutil_tmpdir_make ("" before). */
extern char testutil_tmpdir[256];

/**
 * Make $TMPDIR/dnsrep-test-<what>-XXXXXX (or under /tmp).  Meant as a cmocka
 * group setup's body.  @return 0, or -1.
 */
int testutil_tmpdir_make(const char *what);

/** Remove the directory and everything in it.  @return 0, or -1. */
int testutil_tmpdir_remove(void);

/** The path of file in the directory. */
void testutil_path(char *buf, size_t len, const char *file);

void testutil_sleep_ms(long ms);

/** Seconds on the monotonic clock. */
double testutil_now_s(void);

#endif /* DNSREP_TESTUTIL_H */
