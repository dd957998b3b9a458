/* test_utf8.c - UTF-8 validation, counting and trimming. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "utf8.h"

#define S(x) x, sizeof(x) - 1

static void
test_valid(void **state)
{
	(void)state;
	assert_true(utf8_valid(S("")));
	assert_true(utf8_valid(S("hello")));
	assert_true(utf8_valid(S("h\xc3\xa9llo")));     /* é */
	assert_true(utf8_valid(S("\xe2\x82\xac")));     /* € */
	assert_true(utf8_valid(S("\xf0\x9f\x98\x80"))); /* 😀 */
	assert_true(utf8_valid(S("\xf4\x8f\xbf\xbf"))); /* U+10FFFF */
}

static void
test_invalid(void **state)
{
	(void)state;
	assert_false(utf8_valid(S("\x80")));             /* lone continuation */
	assert_false(utf8_valid(S("\xc3")));             /* truncated */
	assert_false(utf8_valid(S("\xc0\xaf")));         /* overlong '/' */
	assert_false(utf8_valid(S("\xe0\x80\xaf")));     /* overlong */
	assert_false(utf8_valid(S("\xed\xa0\x80")));     /* surrogate */
	assert_false(utf8_valid(S("\xf4\x90\x80\x80"))); /* > U+10FFFF */
	assert_false(utf8_valid(S("\xff")));
	assert_false(utf8_valid(S("a\0b")));       /* U+0000 */
	assert_false(utf8_valid(S("ok\xe2\x82"))); /* cut at end */
}

static void
test_count_and_trim(void **state)
{
	const char *s = "  \xc2\xa0h\xc3\xa9\xe3\x80\x80 ";
	size_t len = strlen(s);

	(void)state;
	assert_int_equal(utf8_count(S("h\xc3\xa9llo")), 5);
	assert_int_equal(utf8_count(S("\xf0\x9f\x98\x80")), 1);
	/* NBSP and ideographic space are white space too. */
	assert_int_equal(utf8_trimmed_count(s, len), 2);
	utf8_trim(&s, &len);
	assert_int_equal(len, 3);
	assert_memory_equal(s, "h\xc3\xa9", 3);
	assert_int_equal(utf8_trimmed_count(S(" \t\n ")), 0);
	assert_int_equal(utf8_trimmed_count(S("")), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_count_and_trim),
	};

	return cmocka_run_group_tests_name("utf8", tests, NULL, NULL);
}
