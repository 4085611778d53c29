/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_snapshot.c — libFuzzer harness for the snapshot file: a file on disk that
 * a crash, a full disk or another program may have cut or changed.  The bytes are
 * written to a memory file and loaded as a snapshot; a snapshot that loads is
 * matched against a few names and walked whole.
 */
#define _GNU_SOURCE
#include "dnsrep/snapshot.h"

#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

static int count_record(void *ctx, const struct dnsrep_record *r)
{
	(void)r;
	(*(size_t *)ctx)++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("dnsrep-fuzz-snapshot", MFD_CLOEXEC);
	if (fd < 0)
		return 0;
	if (size > 0 && write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	char path[64], err[512];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	struct dnsrep_snapshot *s = dnsrep_snapshot_load(path, err, sizeof(err));
	close(fd);
	if (!s)
		return 0;
	static const uint8_t names[][32] = {
		"\007example\003com", "\003www\007example\003com", "\001a", "",
	};
	static const size_t lens[] = { 13, 17, 3, 1 };
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		struct dnsrep_match m;
		(void)dnsrep_snapshot_match(s, names[i], lens[i], &m);
	}
	size_t n = 0;
	dnsrep_snapshot_each(s, count_record, &n);
	dnsrep_snapshot_free(s);
	return 0;
}
