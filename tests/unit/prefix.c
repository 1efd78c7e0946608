/* prefix.c: the prefix parser on valid, invalid and edge-case input,
 * and the digest test it feeds. */
#include <config.h>

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "search.h"
#include "unit.h"

static int parse(const char *text, struct fh_prefix *p, const char **why)
{
	return fh_prefix_parse(text, strlen(text), p, why);
}

START_TEST(valid_prefixes_are_lower_cased_and_trimmed)
{
	static const struct {
		const char *in, *hex;
	} cases[] = {
		{ "0ce", "0ce" },     { "ABCDEF", "abcdef" },
		{ " 0Ce\n", "0ce" },  { "\t\r\n7 \v\f", "7" },
		{ "f", "f" },         { "0123456789abcdefABCDEF", "0123456789abcdefabcdef" },
	};
	struct fh_prefix p;
	const char *why = NULL;
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		ck_assert_msg(parse(cases[i].in, &p, &why) == 0, "%s: %s",
			      cases[i].in, why);
		ck_assert_str_eq(p.hex, cases[i].hex);
		ck_assert_uint_eq(p.digits, strlen(cases[i].hex));
	}
}
END_TEST

START_TEST(lengths_one_to_sixty_four_are_accepted)
{
	char text[80];
	struct fh_prefix p;
	const char *why;
	unsigned n;

	for (n = 1; n <= 64; n++) {
		memset(text, 'a', n);
		text[n] = '\0';
		ck_assert_int_eq(parse(text, &p, &why), 0);
		ck_assert_uint_eq(p.digits, n);
	}
	memset(text, 'a', 65);
	text[65] = '\0';
	ck_assert_int_eq(parse(text, &p, &why), -1);
	ck_assert_ptr_nonnull(strstr(why, "64"));
}
END_TEST

START_TEST(invalid_prefixes_say_why)
{
	static const struct {
		const char *in, *why;
	} cases[] = {
		{ "", "empty" },         { "   \n", "empty" },
		{ "xyz", "not a hex" },  { "0x12", "0x" },
		{ "12 34", "not a hex" }, { "ab-c", "not a hex" },
		{ "\xc3\xa9", "byte" },   { "g", "not a hex" },
	};
	struct fh_prefix p;
	const char *why;
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		why = NULL;
		ck_assert_int_eq(parse(cases[i].in, &p, &why), -1);
		ck_assert_msg(why && strstr(why, cases[i].why),
			      "'%s': got '%s', want '%s'", cases[i].in,
			      why ? why : "(null)", cases[i].why);
	}
}
END_TEST

START_TEST(embedded_nul_is_rejected)
{
	struct fh_prefix p;
	const char *why;

	ck_assert_int_eq(fh_prefix_parse("ab\0cd", 5, &p, &why), -1);
	ck_assert_int_eq(fh_prefix_parse("ab\0", 3, &p, &why), -1);
	/* the length given is what counts, not a terminating NUL */
	ck_assert_int_eq(fh_prefix_parse("abcd", 2, &p, &why), 0);
	ck_assert_str_eq(p.hex, "ab");
}
END_TEST

START_TEST(masks_follow_nibbles)
{
	struct fh_prefix p;
	const char *why;

	ck_assert_int_eq(parse("0ce", &p, &why), 0);
	ck_assert_uint_eq(p.mask[0], 0xfff00000u);
	ck_assert_uint_eq(p.value[0], 0x0ce00000u);
	ck_assert_uint_eq(p.mask[1], 0);
	ck_assert_int_eq(parse("123456789", &p, &why), 0);
	ck_assert_uint_eq(p.mask[0], 0xffffffffu);
	ck_assert_uint_eq(p.value[0], 0x12345678u);
	ck_assert_uint_eq(p.mask[1], 0xf0000000u);
	ck_assert_uint_eq(p.value[1], 0x90000000u);
}
END_TEST

START_TEST(matches_compare_only_the_prefix)
{
	uint8_t d[32];
	struct fh_prefix p;
	const char *why;
	char hex[65];
	unsigned n;

	/* sha256("abc") = ba7816bf... */
	fh_sha256("abc", 3, d);
	fh_hex(d, hex);
	ck_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	for (n = 1; n <= 64; n++) {
		char text[65];
		memcpy(text, hex, n);
		text[n] = '\0';
		ck_assert_int_eq(parse(text, &p, &why), 0);
		ck_assert_msg(fh_prefix_matches(&p, d), "prefix %s", text);
		/* flip the last digit: no longer a match */
		text[n - 1] = text[n - 1] == '0' ? '1' : '0';
		ck_assert_int_eq(parse(text, &p, &why), 0);
		ck_assert_msg(!fh_prefix_matches(&p, d), "prefix %s", text);
	}
}
END_TEST

START_TEST(printable_escapes_and_truncates)
{
	char out[64];

	fh_printable(out, sizeof out, "ab\x01\xff", 4, 40);
	ck_assert_str_eq(out, "ab\\x01\\xff");
	fh_printable(out, sizeof out, "abcdefghij", 10, 4);
	ck_assert_str_eq(out, "abcd...");
	fh_printable(out, sizeof out, "a\0b", 3, 40);
	ck_assert_str_eq(out, "a\\x00b");
	fh_printable(out, 8, "abcdefghijkl", 12, 40);
	ck_assert_uint_lt(strlen(out), 8);
}
END_TEST

static Suite *prefix_suite(void)
{
	Suite *s = suite_create("prefix");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, valid_prefixes_are_lower_cased_and_trimmed);
	tcase_add_test(tc, lengths_one_to_sixty_four_are_accepted);
	tcase_add_test(tc, invalid_prefixes_say_why);
	tcase_add_test(tc, embedded_nul_is_rejected);
	tcase_add_test(tc, masks_follow_nibbles);
	tcase_add_test(tc, matches_compare_only_the_prefix);
	tcase_add_test(tc, printable_escapes_and_truncates);
	suite_add_tcase(s, tc);
	return s;
}

const struct unit_test unit_test = { prefix_suite, NULL };
