/* shard_body.c: the shard body format: what --enqueue --split
 * writes parses back to the same job, a bare prefix still means the whole
 * space, and every malformed body is refused with a reason. */
#include <config.h>

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "body.h"
#include "unit.h"

static int parse(const char *body, struct fh_job *j, const char **why)
{
	*why = NULL;
	return fh_body_parse(body, strlen(body), j, why);
}

START_TEST(bare_prefix_is_the_whole_space)
{
	struct fh_job j;
	const char *why;

	ck_assert_int_eq(parse("  ABCdef\n", &j, &why), 0);
	ck_assert_int_eq(j.sharded, 0);
	ck_assert_str_eq(j.prefix.hex, "abcdef");
	/* a bare body's poison phrase is fh_prefix_parse's, as before */
	ck_assert_int_eq(parse("xyz", &j, &why), -1);
	ck_assert_ptr_nonnull(why);
	ck_assert_int_eq(parse("", &j, &why), -1);
	ck_assert_int_eq(parse(" \n", &j, &why), -1);
}
END_TEST

START_TEST(shard_bodies_parse)
{
	static const struct {
		const char *body, *hex;
		uint64_t i, n, seed;
	} ok[] = {
		{ "abcdef1 0/4 104", "abcdef1", 0, 4, 104 },
		{ "ABCDEF1 3/4 0\n", "abcdef1", 3, 4, 0 },
		{ " 0 0/1 18446744073709551615 ", "0", 0, 1,
		  UINT64_MAX },
		{ "ff\t1099511627775/1099511627776  7", "ff",
		  (UINT64_C(1) << 40) - 1, UINT64_C(1) << 40, 7 },
		{ "12 0007/8 0042", "12", 7, 8, 42 },
	};

	for (size_t k = 0; k < sizeof ok / sizeof ok[0]; k++) {
		struct fh_job j;
		const char *why;

		ck_assert_msg(parse(ok[k].body, &j, &why) == 0, "%s: %s",
			      ok[k].body, why);
		ck_assert_int_eq(j.sharded, 1);
		ck_assert_str_eq(j.prefix.hex, ok[k].hex);
		ck_assert_uint_eq(j.shard, ok[k].i);
		ck_assert_uint_eq(j.shards, ok[k].n);
		ck_assert_uint_eq(j.seed, ok[k].seed);
	}
}
END_TEST

START_TEST(malformed_bodies_are_refused)
{
	static const char *const bad[] = {
		"abc 4/4 1",          /* I = N */
		"abc 5/4 1",          /* I > N */
		"abc 0/0 1",          /* N = 0 */
		"abc 0/1099511627777 1", /* N > 2^40 */
		"abc 1/2",            /* no seed */
		"abc 1/2 3 4",        /* extra word */
		"abc 1/2 3 \n4",      /* extra word after a newline */
		"abc x/2 3",
		"abc 1/ 3",
		"abc /2 3",
		"abc 1/2/3 3",
		"abc 12 3",
		"abc -1/2 3",
		"abc +1/2 3",
		"abc 1/2 -3",
		"abc 1/2 0x10",
		"abc 1/2 18446744073709551616", /* 2^64 */
		"abc 1/2 99999999999999999999999",
		"xyz 0/2 3",          /* not a prefix */
		"abc\n0/2 3",         /* the newline spoils the prefix */
		"abc 0/2\n3",
		"g 0/2 3",
	};
	struct fh_job j;
	const char *why;

	for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
		ck_assert_msg(parse(bad[k], &j, &why) == -1, "accepted: %s",
			      bad[k]);
		ck_assert_msg(why && *why, "no reason for %s", bad[k]);
	}
}
END_TEST

START_TEST(odd_bytes_and_length)
{
	char body[FH_BODY_MAX + 64];
	struct fh_job j;
	const char *why;

	/* NUL bytes inside a word spoil it, wherever they are */
	ck_assert_int_eq(fh_body_parse("ab\0 0/2 3", 9, &j, &why), -1);
	ck_assert_int_eq(fh_body_parse("ab 0/2\0 3", 9, &j, &why), -1);
	ck_assert_int_eq(fh_body_parse("ab 0/2 3\0", 9, &j, &why), -1);
	/* a valid body padded past FH_BODY_MAX is too long */
	memset(body, ' ', sizeof body);
	memcpy(body, "ab 0/2", 6);
	memcpy(body + FH_BODY_MAX + 10, "3", 1);
	ck_assert_int_eq(fh_body_parse(body, FH_BODY_MAX + 11, &j, &why), -1);
	ck_assert_ptr_nonnull(strstr(why, "200"));
	/* a big body whose first word is no prefix is just not a prefix,
	 * whatever its length */
	memset(body, 'x', sizeof body);
	body[10] = ' ';
	body[11] = '\xff';
	ck_assert_int_eq(fh_body_parse(body, sizeof body, &j, &why), -1);
	ck_assert_ptr_nonnull(strstr(why, "not a prefix"));
	ck_assert_ptr_null(strstr(why, "200"));
	/* surrounding white space does not count */
	memset(body, '\n', sizeof body);
	memcpy(body + 100, "ab 0/2 3", 8);
	ck_assert_int_eq(fh_body_parse(body, sizeof body, &j, &why), 0);
	ck_assert_uint_eq(j.seed, 3);
}
END_TEST

START_TEST(format_round_trips)
{
	struct fh_job j, back;
	const char *why;
	char body[FH_BODY_MAX + 1], id[FH_JOB_ID_MAX];
	int n;

	memset(&j, 0, sizeof j);
	ck_assert_int_eq(fh_prefix_parse("0123456789abcdef0123456789abcdef"
					 "0123456789abcdef0123456789abcdef",
					 64, &j.prefix, &why), 0);
	j.sharded = 1;
	j.shard = (UINT64_C(1) << 40) - 1;
	j.shards = UINT64_C(1) << 40;
	j.seed = UINT64_MAX;
	n = fh_body_format(body, sizeof body, &j);
	ck_assert_int_gt(n, 0);
	ck_assert_int_le(n, FH_BODY_MAX);
	ck_assert_int_eq(fh_body_parse(body, (size_t)n, &back, &why), 0);
	ck_assert_str_eq(back.prefix.hex, j.prefix.hex);
	ck_assert_uint_eq(back.shard, j.shard);
	ck_assert_uint_eq(back.shards, j.shards);
	ck_assert_uint_eq(back.seed, j.seed);
	ck_assert_int_eq(fh_body_format(body, 10, &j), -1);
	fh_job_id(&j, id);
	ck_assert_str_eq(id, "0123456789abcdef0123456789abcdef"
			     "0123456789abcdef0123456789abcdef"
			     ".18446744073709551615");
}
END_TEST

START_TEST(the_body_sets_shard_and_seed)
{
	struct fh_common c, out;
	struct fh_job j;
	const char *why;

	memset(&c, 0, sizeof c);
	c.threads = 3;
	c.seeded = 1;
	c.seed = 99;
	c.shard = 1;
	c.shards = 5;
	ck_assert_int_eq(parse("abc 2/7 11", &j, &why), 0);
	fh_job_common(&c, &j, &out);
	ck_assert_uint_eq(out.threads, 3);
	ck_assert_int_eq(out.seeded, 1);
	ck_assert_uint_eq(out.seed, 11);
	ck_assert_uint_eq(out.shard, 2);
	ck_assert_uint_eq(out.shards, 7);
	/* a bare prefix leaves the worker's own options alone */
	ck_assert_int_eq(parse("abc", &j, &why), 0);
	fh_job_common(&c, &j, &out);
	ck_assert_uint_eq(out.seed, 99);
	ck_assert_uint_eq(out.shards, 5);
}
END_TEST

static Suite *shard_body_suite(void)
{
	Suite *s = suite_create("shard_body");
	TCase *tc = tcase_create("body");

	tcase_add_test(tc, bare_prefix_is_the_whole_space);
	tcase_add_test(tc, shard_bodies_parse);
	tcase_add_test(tc, malformed_bodies_are_refused);
	tcase_add_test(tc, odd_bytes_and_length);
	tcase_add_test(tc, format_round_trips);
	tcase_add_test(tc, the_body_sets_shard_and_seed);
	suite_add_tcase(s, tc);
	return s;
}

const struct unit_test unit_test = { shard_body_suite, NULL };
