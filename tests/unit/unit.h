/* unit.h: what a unit test program gives the one main() they share
 * (main.c).  Each tests/unit/NAME.c defines unit_test; main.c builds its
 * suite, runs it with Check and exits 0 when every test passed, 1 when
 * one failed, 77 when the suite is NULL. */
#ifndef FH_TESTS_UNIT_H
#define FH_TESTS_UNIT_H

#include <check.h>

struct unit_test {
	/* The tests.  NULL: nothing this machine can run, exit 77; only
	 * kernels.c returns it, for a FIND_HASH_KERNEL the CPU lacks (see
	 * the skip rule in tests/lib/test-env.sh). */
	Suite *(*suite)(void);
	/* NULL, or called after the run, before the runner is freed: what
	 * the program says beyond Check's own lines. */
	void (*report)(SRunner *sr);
};

extern const struct unit_test unit_test;

#endif
