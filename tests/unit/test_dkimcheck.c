/*
 * test_dkimcheck.c -- the dkimcheck library handle: libopendkim starts with
 * our flags and reports RFC 8463 (ed25519) support, which the DKIM sample
 * checks rely on.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "dkimcheck/dkimcheck.h"

static void library_starts_and_supports_ed25519(void **state)
{
	dkimcheck_lib *lib = NULL;

	(void)state;
	assert_int_equal(dkimcheck_lib_new(&lib), DKIMCHECK_OK);
	assert_non_null(lib);
	assert_true(dkimcheck_lib_has_ed25519(lib));
	dkimcheck_lib_free(lib);
	dkimcheck_lib_free(NULL);
	assert_string_equal(dkimcheck_strerror(DKIMCHECK_ENOMEM), "out of memory");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(library_starts_and_supports_ed25519),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
