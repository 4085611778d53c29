/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * itfeed.h — the integration tests' feed files: replace one the way an admin's
 * tool should (write beside it, rename) and wait until the plugin in the running
 * Unbound has put the new blocklist in place.
 */
#ifndef DNSREP_TEST_ITFEED_H
#define DNSREP_TEST_ITFEED_H

/** How many blocklists Unbound's log (path) says were put in place so far; -1 unreadable. */
int itfeed_swaps_logged(const char *unbound_log);

/**
 * Replace dir/file with content atomically and wait (30 s at most) until
 * unbound_log shows one more blocklist in place.  @return 0, or -1 on a timeout
 * or an I/O error (with a message on stderr).
 */
int itfeed_change(const char *dir, const char *unbound_log, const char *file, const char *content);

/**
 * Replace a feed file with content the plugin must refuse: wait until it says it
 * keeps the last good version.  -1 when it did not say so in 30 s, or swapped a
 * new blocklist in all the same.
 */
int itfeed_change_refused(const char *dir, const char *unbound_log, const char *file,
	const char *content);

/** Lines of the Unbound log that hold text, or -1. */
int itfeed_lines_logged(const char *unbound_log, const char *text);

/** Write dir/file with content (no waiting); 0 or -1. */
int itfeed_write(const char *dir, const char *file, const char *content);

/** Wait until unbound_log shows more than `before` blocklists in place; 0, or -1 after 30 s. */
int itfeed_wait_swap(const char *unbound_log, int before);

#endif
