/* main.c: the main() of every unit test program in tests/unit: runs the
 * program's suite (unit.h) and turns Check's count of failures into the
 * exit status the Automake harness reads. */
#include <config.h>

#include <check.h>
#include <stdlib.h>

#include "unit.h"

int main(void)
{
	Suite *s = unit_test.suite();
	SRunner *sr;
	int failed;

	if (!s)
		return 77;
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	if (unit_test.report)
		unit_test.report(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
