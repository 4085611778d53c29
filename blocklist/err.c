/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * err.c — error buffers and leveled messages (see dnsrep/err.h).
 */
#include "dnsrep/err.h"

#include <stdio.h>

int dnsrep_verr(char *err, size_t errlen, const char *fmt, va_list ap)
{
	if (err && errlen > 0)
		vsnprintf(err, errlen, fmt, ap);
	return -1;
}

int dnsrep_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	dnsrep_verr(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

void dnsrep_vsay(dnsrep_msg_fn fn, void *ctx, enum dnsrep_log_level level, const char *fmt,
	va_list ap)
{
	if (!fn)
		return;
	char msg[512];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	fn(ctx, level, msg);
}

void dnsrep_say(dnsrep_msg_fn fn, void *ctx, enum dnsrep_log_level level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	dnsrep_vsay(fn, ctx, level, fmt, ap);
	va_end(ap);
}
