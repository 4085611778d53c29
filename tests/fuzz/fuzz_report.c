/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_report.c — libFuzzer harness for `dnsrepctl report`'s block log reader: any
 * bytes a log file can hold after a crash, a full disk, a rotation or an attacker's
 * qname (JSON lines, cut lines, gzip members).  The input is written to a memory
 * file and reported on, the report going to /dev/null.  The first byte picks the
 * output and options: bits 0-1 text, --json, --csv or --html -; bit 2 --by-client;
 * bit 3 --qname example; bit 4 --action blocked,log-only; bit 5 --match lookalike,exact;
 * bit 6 --since 2026-11-21 (which also looks for rotations of the memory file).
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
	static const char *const formats[] = { NULL, "--json", "--csv", "--html" };
	unsigned sel = size > 0 ? data[0] : 0;
	char *argv[16];
	int argc = 0;
	argv[argc++] = (char *)"report";
	argv[argc++] = (char *)"--top";
	argv[argc++] = (char *)"3";
	if (formats[sel & 3])
		argv[argc++] = (char *)formats[sel & 3];
	if ((sel & 3) == 3)
		argv[argc++] = (char *)"-";
	if (sel & 4)
		argv[argc++] = (char *)"--by-client";
	if (sel & 8)
		argv[argc++] = (char *)"--qname=example";
	if (sel & 16)
		argv[argc++] = (char *)"--action=blocked,log-only";
	if (sel & 32)
		argv[argc++] = (char *)"--match=lookalike,exact";
	if (sel & 64)
		argv[argc++] = (char *)"--since=2026-11-21";
	argv[argc++] = path;
	argv[argc] = NULL;
	(void)dnsrepctl_report(argc, argv);
	close(fd);
	return 0;
}
