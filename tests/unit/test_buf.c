/* test_buf.c - the bounded buffer. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "buf.h"

static void
test_append_and_cap(void **state)
{
	struct buf b;
	char *p;
	size_t len;

	(void)state;
	buf_init(&b, 8);
	assert_string_equal(b.data, "");
	assert_int_equal(buf_puts(&b, "abcd"), ERR_OK);
	assert_int_equal(buf_printf(&b, "%d", 123), ERR_OK);
	assert_string_equal(b.data, "abcd123");
	/* One more byte fits, two do not, and nothing partial is written. */
	assert_int_equal(buf_puts(&b, "xy"), ERR_TOO_LARGE);
	assert_string_equal(b.data, "abcd123");
	assert_int_equal(buf_putc(&b, 'z'), ERR_OK);
	assert_int_equal(b.len, 8);
	assert_int_equal(buf_printf(&b, "%s", "q"), ERR_TOO_LARGE);
	p = buf_detach(&b, &len);
	assert_int_equal(len, 8);
	assert_string_equal(p, "abcd123z");
	free(p);
	assert_int_equal(b.len, 0);
	buf_release(&b);
	buf_release(NULL);
}

static void
test_huge_length_does_not_wrap(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 16);
	assert_int_equal(buf_append(&b, "x", SIZE_MAX), ERR_TOO_LARGE);
	assert_int_equal(b.len, 0);
	buf_release(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_append_and_cap),
		cmocka_unit_test(test_huge_length_does_not_wrap),
	};

	return cmocka_run_group_tests_name("buf", tests, NULL, NULL);
}
