/* test_avatar.c - the default icon drawn from a user id (common/avatar.c):
 * the same id always gives the same picture, neighbouring ids differ, and
 * the colours come in many pairs. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "avatar.h"

static void
test_deterministic(void **state)
{
	struct avatar_spec a, b;

	(void)state;
	avatar_spec(12345, &a);
	avatar_spec(12345, &b);
	assert_memory_equal(&a, &b, sizeof(a));
	assert_int_equal(strlen(a.background), 7);
	assert_int_equal(a.background[0], '#');
	assert_int_equal(strlen(a.foreground), 7);
	assert_string_not_equal(a.background, a.foreground);
}

static void
test_mirrored_and_never_empty(void **state)
{
	struct avatar_spec s;
	int64_t id;
	int row, on;

	(void)state;
	for (id = 1; id <= 2000; id++) {
		avatar_spec(id, &s);
		on = 0;
		for (row = 0; row < AVATAR_GRID; row++) {
			assert_int_equal(avatar_cell(&s, 0, row),
			    avatar_cell(&s, 4, row));
			assert_int_equal(avatar_cell(&s, 1, row),
			    avatar_cell(&s, 3, row));
			on += avatar_cell(&s, 0, row) +
			    avatar_cell(&s, 1, row) + avatar_cell(&s, 2, row);
		}
		assert_true(on >= 4);
		assert_true(s.cells < (1u << 15));
	}
}

/* Neighbouring ids look different, and 2000 users get hundreds of
 * colour pairs (not 8 pictures). */
static void
test_variety(void **state)
{
	static char pairs[2000][16];
	struct avatar_spec s, prev;
	size_t distinct = 0, i, j, same_neighbours = 0;

	(void)state;
	for (i = 0; i < 2000; i++) {
		avatar_spec((int64_t)i + 1, &s);
		if (i > 0 && s.cells == prev.cells &&
		    strcmp(s.background, prev.background) == 0)
			same_neighbours++;
		prev = s;
		memcpy(pairs[i], s.background, 7);
		memcpy(pairs[i] + 7, s.foreground, 8);
		for (j = 0; j < i; j++) {
			if (strcmp(pairs[i], pairs[j]) == 0)
				break;
		}
		distinct += j == i;
	}
	assert_int_equal(same_neighbours, 0);
	assert_true(distinct >= 300);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_mirrored_and_never_empty),
		cmocka_unit_test(test_variety),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
