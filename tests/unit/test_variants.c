/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_variants.c — the variants generator against the detector: every
 * candidate `dnsrepctl variants` lists under a technique the detector claims
 * (dnsrep_variant_detected_as) is caught by the detector, for every name of the
 * bundled seized-domain feed (a real list, not chosen for this test); and the
 * homoglyphs come from the detector's own table.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dnsrep/confusable.h"
#include "dnsrep/lookalike.h"
#include "dnsrep/name.h"
#include "dnsrep/variants.h"

#define MAX_NAMES 256

/** The domains of the bundled feed (first CSV column), as text. */
static size_t feed_domains(char names[][DNSREP_NAME_MAXTEXT], size_t max)
{
	FILE *f = fopen(TOP_SRCDIR "/contrib/feeds/dprk-it-fronts.csv", "r");
	assert_non_null(f);
	char line[4096];
	size_t n = 0;
	while (fgets(line, sizeof(line), f) && n < max) {
		if (line[0] == '#' || strncmp(line, "domain,", 7) == 0)
			continue;
		char *comma = strchr(line, ',');
		if (!comma || comma == line)
			continue;
		*comma = 0;
		snprintf(names[n++], DNSREP_NAME_MAXTEXT, "%.253s", line);
	}
	fclose(f);
	return n;
}

static void test_every_claimed_variant_is_caught(void **state)
{
	(void)state;
	static char names[MAX_NAMES][DNSREP_NAME_MAXTEXT];
	size_t n = feed_domains(names, MAX_NAMES);
	assert_true(n >= 20);
	struct dnsrep_lookalike_builder *b = dnsrep_lookalike_builder_new(NULL);
	assert_non_null(b);
	struct dnsrep_name nm;
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(dnsrep_name_from_text(&nm, names[i], strlen(names[i]), NULL, 0), 0);
		assert_int_equal(dnsrep_lookalike_builder_add(b, &nm, (uint32_t)i), 0);
	}
	char err[256];
	struct dnsrep_lookalike *lk = dnsrep_lookalike_builder_finish(b, err, sizeof(err));
	assert_non_null(lk);
	size_t checked = 0, missed = 0, same = 0, unclaimed = 0;
	for (size_t i = 0; i < n; i++) {
		struct dnsrep_variants *v;
		assert_int_equal(dnsrep_variants_generate(names[i], &v, err, sizeof(err)), 0);
		const struct dnsrep_name *dom = dnsrep_variants_domain(v);
		unsigned label_len = dom->wire[0];
		for (size_t k = 0; k < dnsrep_variants_count(v); k++) {
			const struct dnsrep_variant *c = dnsrep_variants_get(v, k);
			enum dnsrep_technique want = dnsrep_variant_detected_as(c->technique);
			if (want == DNSREP_LOOKALIKE_NONE) {
				unclaimed++;
				continue;
			}
			/* the typo edits need a label of min_len (6), as the detector documents */
			if (want == DNSREP_LOOKALIKE_TYPO && label_len < 6)
				continue;
			/* a candidate that is itself protected (foxysunstudios.com is seized too) */
			struct dnsrep_lookalike_hit hit;
			int reg = dnsrep_name_registrable(&c->name);
			int protected_itself = 0;
			for (size_t j = 0; j < n && reg >= 0; j++) {
				dnsrep_name_from_text(&nm, names[j], strlen(names[j]), NULL, 0);
				protected_itself |= nm.len == c->name.len - (size_t)reg &&
					memcmp(nm.wire, c->name.wire + reg, nm.len) == 0;
			}
			if (protected_itself)
				continue;
			checked++;
			if (!dnsrep_lookalike_check(lk, c->name.wire, c->name.len, &hit)) {
				char t[DNSREP_NAME_MAXTEXT];
				dnsrep_name_to_text(c->name.wire, t, sizeof(t));
				print_message("# missed: %s (%s, variant of %s)\n", t, c->technique, names[i]);
				missed++;
			} else {
				same += hit.technique == want;
			}
		}
		dnsrep_variants_free(v);
	}
	print_message("# %zu names, %zu claimed candidates checked, %zu missed, %zu under the claimed "
		      "technique, %zu unclaimed\n", n, checked, missed, same, unclaimed);
	assert_true(checked > 5000);
	assert_int_equal(missed, 0);
	assert_int_equal(unclaimed, 0);
	dnsrep_lookalike_free(lk);
}

/* Every Unicode homoglyph the generator may use folds back to its letter. */
static void test_lookalikes_fold_back(void **state)
{
	(void)state;
	size_t total = 0;
	for (char c = 'a'; c <= 'z'; c++) {
		uint32_t cps[256];
		size_t m = dnsrep_confusable_lookalikes(c, cps, 256);
		total += m;
		for (size_t i = 0; i < m; i++) {
			const char *to = dnsrep_confusable_of(cps[i]);
			assert_non_null(to);
			assert_int_equal(to[0], c);
			assert_int_equal(to[1], 0);
		}
	}
	assert_true(total > 150);
}

/* The Cyrillic look-alike of c is generated; the Greek lunate sigma is not (IDNA2008
 * disallows it: UTS #46 would map it to a plain sigma, which looks like an o, not a c). */
static void test_cyrillic_c(void **state)
{
	(void)state;
	struct dnsrep_variants *v;
	char err[256];
	assert_int_equal(dnsrep_variants_generate("cloudfox.cloud", &v, err, sizeof(err)), 0);
	int cyr = 0, sigma = 0;
	for (size_t k = 0; k < dnsrep_variants_count(v); k++) {
		char t[DNSREP_NAME_MAXTEXT];
		const struct dnsrep_variant *c = dnsrep_variants_get(v, k);
		dnsrep_name_to_text(c->name.wire, t, sizeof(t));
		cyr |= strcmp(t, "xn--loudfox-xjg.cloud") == 0;   /* Cyrillic es */
		sigma |= strcmp(t, "xn--loudfox-4pf.cloud") == 0; /* Greek sigma */
	}
	dnsrep_variants_free(v);
	assert_true(cyr);
	assert_false(sigma);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_claimed_variant_is_caught),
		cmocka_unit_test(test_lookalikes_fold_back),
		cmocka_unit_test(test_cyrillic_c),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	dnsrep_name_shutdown();
	return rc;
}
