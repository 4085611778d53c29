/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * itfeed.c — changing the integration tests' feed files (see itfeed.h).
 */
#include "itfeed.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

int itfeed_lines_logged(const char *unbound_log, const char *text)
{
	FILE *f = fopen(unbound_log, "r");
	char line[2048];
	int n = 0;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		n += strstr(line, text) != NULL;
	fclose(f);
	return n;
}

int itfeed_swaps_logged(const char *unbound_log)
{
	return itfeed_lines_logged(unbound_log, "dnsrep: new blocklist in place");
}

int itfeed_change_refused(const char *dir, const char *unbound_log, const char *file,
	const char *content)
{
	const char *said = "keeping the last good version";
	int before = itfeed_lines_logged(unbound_log, said);
	int swaps = itfeed_swaps_logged(unbound_log);
	if (itfeed_write(dir, file, content) < 0)
		return -1;
	for (int i = 0; i < 300; i++) {
		if (itfeed_lines_logged(unbound_log, said) > before)
			return itfeed_swaps_logged(unbound_log) == swaps ? 0 : -1;
		struct timespec nap = { 0, 100000000 };
		nanosleep(&nap, NULL);
	}
	fprintf(stderr, "itfeed: no 'keeping the last good version' 30 s after a feed changed\n");
	return -1;
}

int itfeed_write(const char *dir, const char *file, const char *content)
{
	char path[1024], tmp[1040];
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	FILE *f = fopen(tmp, "w");
	if (!f || fputs(content, f) < 0 || fclose(f) != 0 || rename(tmp, path) != 0) {
		perror(path);
		return -1;
	}
	return 0;
}

int itfeed_wait_swap(const char *unbound_log, int before)
{
	for (int i = 0; i < 300; i++) { /* poll-interval is 1 s: allow 30 s on a busy machine */
		if (itfeed_swaps_logged(unbound_log) > before)
			return 0;
		struct timespec nap = { 0, 100000000 };
		nanosleep(&nap, NULL);
	}
	fprintf(stderr, "itfeed: no new blocklist in place 30 s after a feed changed\n");
	return -1;
}

int itfeed_change(const char *dir, const char *unbound_log, const char *file, const char *content)
{
	int before = itfeed_swaps_logged(unbound_log);
	if (itfeed_write(dir, file, content) < 0)
		return -1;
	return itfeed_wait_swap(unbound_log, before);
}
