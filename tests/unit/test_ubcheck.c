/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_ubcheck.c — plugin/ubcheck.c finds the configure line the plugin was built
 * with among the running program's read-only strings, and only that exact line:
 * here the running program is this test, which holds one as a literal.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "../../plugin/ubcheck.h"

/* What an Unbound binary holds: its configure line and PACKAGE_STRING. */
const char *volatile test_configure_line = "--prefix=/opt/test-unbound --with-dynlibmodule --enable-subnet";
const char *volatile test_package_string = "unbound 9.8.7";

static void test_same_build(void **state)
{
	(void)state;
	char err[2048] = "";
	assert_int_equal(dnsrep_unbound_is("--prefix=/opt/test-unbound --with-dynlibmodule --enable-subnet",
					   "9.8.7", err, sizeof(err)), 1);
	assert_string_equal(err, "");
}

/** A line built at run time is on the stack, not in the program: it stands for another build. */
static void test_other_build(void **state)
{
	(void)state;
	char want[128], err[2048] = "";
	strcpy(want, test_configure_line);
	want[strlen(want) - 6] = 'X'; /* --enable-Xubnet */
	assert_int_equal(dnsrep_unbound_is(want, "9.8.7", err, sizeof(err)), 0);
	assert_non_null(strstr(err, "built for Unbound 9.8.7 configured with '--prefix=/opt/test-unbound --with-"));
	assert_non_null(strstr(err, "is another build ("));
	assert_non_null(strstr(err, "rebuild dnsrep against this Unbound"));
	/* a prefix of the program's line is not the line (no literal here may end with it) */
	strcpy(want, test_configure_line);
	*strchr(want, ' ') = '\0'; /* "--prefix=/opt/test-unbound" */
	assert_int_equal(dnsrep_unbound_is(want, "9.8.7", err, sizeof(err)), 0);
	/* a small error buffer truncates, never overflows */
	char small[16];
	want[0] = 'X';
	assert_int_equal(dnsrep_unbound_is(want, "1", small, sizeof(small)), 0);
	assert_int_equal(strlen(small), sizeof(small) - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_build),
		cmocka_unit_test(test_other_build),
	};
	(void)test_package_string;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
