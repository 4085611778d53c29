/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_feed.c — libFuzzer harness for the feed parsers (plain, hosts, adblock, RPZ,
 * CSV, and format recognition): any bytes a download or a file can hold.
 *
 * The first byte picks the format (modulo 6: auto, plain, hosts, adblock, rpz,
 * csv), the rest is the feed.  Every entry the parser hands out must be a sound
 * name: its wire form well made, and its presentation form parsing back to the
 * same wire.  Straight into a snapshot builder, too, so that the builder's merging
 * sees hostile input.
 */
#include "dnsrep/feed.h"
#include "dnsrep/name.h"
#include "dnsrep/snapshot.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int check_entry(void *ctx, const struct dnsrep_entry *e)
{
	struct dnsrep_snapshot_builder *b = ctx;
	char text[1100], err[256];
	struct dnsrep_name back;
	if (e->name.len < 1 || e->name.len > DNSREP_NAME_MAXWIRE || e->name.wire[e->name.len - 1] != 0)
		abort();
	if (dnsrep_name_to_text(e->name.wire, text, sizeof(text)) < 0)
		abort();
	if (dnsrep_name_from_text(&back, text, strlen(text), err, sizeof(err)) < 0 ||
	    !dnsrep_name_equal(&back, &e->name))
		abort();
	return dnsrep_snapshot_builder_add(b, e);
}

static void ignore_reject(void *ctx, const char *feed, unsigned line, const char *reason)
{
	(void)ctx, (void)feed, (void)line, (void)reason;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	struct dnsrep_feed_opts o;
	dnsrep_feed_opts_init(&o, "fuzz");
	o.format = (enum dnsrep_format)(data[0] % 6);
	o.max_reject_share = 1.0; /* parse every line, whatever the share of bad ones */
	o.allow_public_suffix = data[0] & 0x80;
	struct dnsrep_snapshot_builder *b = dnsrep_snapshot_builder_new();
	if (!b)
		return 0;
	struct dnsrep_feed_meta m = { .feed = "fuzz", .category = "fuzz" };
	struct dnsrep_feed_stats st;
	char err[512];
	if (dnsrep_snapshot_builder_feed_begin(b, &m) == 0) {
		if (dnsrep_feed_parse(&o, (const char *)data + 1, size - 1, check_entry, ignore_reject,
				      b, &st, err, sizeof(err)) == 0)
			dnsrep_snapshot_builder_feed_commit(b);
		else
			dnsrep_snapshot_builder_feed_rollback(b);
	}
	(void)dnsrep_feed_detect((const char *)data + 1, size - 1);
	struct dnsrep_snapshot *s = dnsrep_snapshot_builder_finish(b, 1, err, sizeof(err));
	dnsrep_snapshot_free(s);
	return 0;
}
