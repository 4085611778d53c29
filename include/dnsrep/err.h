/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dnsrep/err.h — how libdnsrep reports: error buffers and leveled messages.
 *
 * Conventions, everywhere in dnsrep:
 *   - A function that can fail for a reason a person must read takes
 *     (char *err, size_t errlen) last, returns -1 (or NULL) on failure and fills
 *     err with one line, no newline, naming what failed and why ("feed 'x' line 3:
 *     ...").  err may be NULL or errlen 0: the reason is then dropped.
 *     DNSREP_ERRLEN is the size callers use.
 *   - Messages while running (a feed refreshed, Redis gone) go to a dnsrep_msg_fn
 *     the caller registers, with a level; the plugin maps levels to Unbound's
 *     verbosity, dnsrepctl to stderr.
 */
#ifndef DNSREP_ERR_H
#define DNSREP_ERR_H

#include <stdarg.h>
#include <stddef.h>

/** Size of the error buffers that libdnsrep functions fill. */
#define DNSREP_ERRLEN 256

/** Levels of the messages libdnsrep's threads send while running. */
enum dnsrep_log_level { DNSREP_INFO, DNSREP_WARN, DNSREP_ERR };

/** Hears messages (one line each, no newline). */
typedef void (*dnsrep_msg_fn)(void *ctx, enum dnsrep_log_level level, const char *msg);

/** Format into err (NULL or errlen 0: nothing).  @return -1, for `return dnsrep_err(...)`. */
int dnsrep_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/** dnsrep_err with a va_list.  @return -1. */
int dnsrep_verr(char *err, size_t errlen, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

/** Format a message and hand it to fn (NULL fn: nothing); at most 511 bytes are kept. */
void dnsrep_say(dnsrep_msg_fn fn, void *ctx, enum dnsrep_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/** dnsrep_say with a va_list. */
void dnsrep_vsay(dnsrep_msg_fn fn, void *ctx, enum dnsrep_log_level level, const char *fmt,
	va_list ap) __attribute__((format(printf, 4, 0)));

#endif /* DNSREP_ERR_H */
