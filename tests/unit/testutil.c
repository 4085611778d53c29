/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * testutil.c — helpers the unit tests share (see testutil.h).
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

char testutil_tmpdir[256];

int testutil_tmpdir_make(const char *what)
{
	const char *base = getenv("TMPDIR");
	snprintf(testutil_tmpdir, sizeof(testutil_tmpdir), "%s/dnsrep-test-%s-XXXXXX",
		 base && *base ? base : "/tmp", what);
	return mkdtemp(testutil_tmpdir) ? 0 : -1;
}

int testutil_tmpdir_remove(void)
{
	char cmd[600];
	if (!testutil_tmpdir[0])
		return 0;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", testutil_tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

void testutil_path(char *buf, size_t len, const char *file)
{
	snprintf(buf, len, "%s/%s", testutil_tmpdir, file);
}

void testutil_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

double testutil_now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
