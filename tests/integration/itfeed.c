/*
 * itfeed.c — changing the integration tests' feed files (see itfeed.h).
 */
#include "itfeed.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

int itfeed_swaps_logged(const char *unbound_log)
{
	FILE *f = fopen(unbound_log, "r");
	char line[2048];
	int n = 0;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		n += strstr(line, "dnsrep: new blocklist in place") != NULL;
	fclose(f);
	return n;
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
