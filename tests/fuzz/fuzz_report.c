/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_report.c — libFuzzer harness for `dnsrepctl report`'s block log reader: any
 * bytes a log file can hold after a crash, a full disk, a rotation or an attacker's
 * qname (JSON lines, cut lines, gzip members).  The input is written to a memory
 * file and reported on, as text or as JSON (the first byte's low bit), the report
 * going to /dev/null.
 */
#define _GNU_SOURCE
#include "ctl.h"

#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	/* the report goes nowhere; its messages (stderr) stay with libFuzzer's own */
	if (!freopen("/dev/null", "w", stdout))
		return 0;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("dnsrep-fuzz-report", MFD_CLOEXEC);
	if (fd < 0)
		return 0;
	if (size > 0 && write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	char a0[] = "report", a1[] = "--json", a2[] = "--top", a3[] = "3";
	char *argv_json[] = { a0, a1, a2, a3, path, NULL };
	char *argv_text[] = { a0, a2, a3, path, NULL };
	if (size > 0 && (data[0] & 1))
		(void)dnsrepctl_report(5, argv_json);
	else
		(void)dnsrepctl_report(4, argv_text);
	close(fd);
	return 0;
}
