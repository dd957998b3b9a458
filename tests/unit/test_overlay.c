/* test_overlay.c - a history page's reaction index (rooms overlay.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "reactions.h"

/* The shape the SQL renders, with text that looks like the page's own
 * JSON (escaped, as in a real page) and a message without reactions. */
static const char page[] =
    "{\"items\" : [{\"id\": 15, \"text\": \"x \\\"reactions\\\": "
    "[{\\\"emoji\\\": \\\"🎉\\\"}] }\", \"sender\": {\"id\": 2}, "
    "\"reactions\": [{\"count\": 2, \"emoji\": \"🎉\"}, {\"count\": 1, "
    "\"emoji\": \"😀\"}]}, {\"id\": 14, \"reactions\": []}, {\"id\": 13, "
    "\"reactions\": [{\"count\": 1, \"emoji\": \"👍\"}]}], "
    "\"has_more\": false}";

/* The page marked for `mine`, through a scan or through `index`. */
static char *
marked(const char *text, const char *index, const char *mine)
{
	struct reactions_page *p = NULL;
	char *out = NULL;

	if (index != NULL)
		assert_int_equal(reactions_page_load(text, index, &p), ERR_OK);
	else
		assert_int_equal(reactions_page_scan(text, &p), ERR_OK);
	assert_int_equal(reactions_page_mark(p, mine, &out), ERR_OK);
	reactions_page_free(p);
	return out;
}

static char *
index_of(const char *text)
{
	struct reactions_page *p = NULL;
	char *index = NULL;

	assert_int_equal(reactions_page_scan(text, &p), ERR_OK);
	assert_int_equal(reactions_page_index(p, &index), ERR_OK);
	reactions_page_free(p);
	return index;
}

static void
test_index_marks_as_the_scan(void **state)
{
	const char *mines[] = { "", "15 🎉", "15 😀 13 👍", "14 🎉 13 🎉",
		"15 🎉 15 😀 13 👍" };
	char *index = index_of(page), *a, *b;
	struct reactions_page *p = NULL;
	int64_t ids[4];
	size_t i;

	(void)state;
	assert_int_equal(reactions_page_load(page, index, &p), ERR_OK);
	assert_int_equal(reactions_page_count(p), 3);
	assert_int_equal(reactions_page_ids(p, ids), 2);
	assert_int_equal(ids[0], 15);
	assert_int_equal(ids[1], 13);
	reactions_page_free(p);
	for (i = 0; i < sizeof(mines) / sizeof(mines[0]); i++) {
		a = marked(page, NULL, mines[i]);
		b = marked(page, index, mines[i]);
		assert_string_equal(a, b);
		free(a);
		free(b);
	}
	a = marked(page, index, "15 😀 13 👍");
	assert_non_null(strstr(a,
	    "\"emoji\": \"🎉\", \"me\": false}, "
	    "{\"count\": 1, \"emoji\": \"😀\", \"me\": "
	    "true}"));
	assert_non_null(strstr(a, "\"emoji\": \"👍\", \"me\": true}"));
	free(a);
	free(index);
}

/* An index is only ever used on the page it was made from: one that does
 * not fit (another page, a damaged or foreign value) is refused, and the
 * caller scans. */
static void
test_index_not_of_this_page(void **state)
{
	const char *bad[] = { "", " ", "1", "1 2 3", "x 1 2 3", "1 2 3 4x",
		"1 2 3 4  ", "-1 2 3 4", "99999 1 1 15",
		"18446744073709551616 1 1 15", "0 0 0 0" };
	char *index = index_of(page), *shifted, *other;
	struct reactions_page *p = (struct reactions_page *)1;
	char *first_end;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(reactions_page_load(page, bad[i], &p),
		    ERR_INTERNAL);
		assert_null(p);
	}
	/* The same index on a page one byte longer at the front. */
	assert_true(asprintf(&shifted, " %s", page) > 0);
	assert_int_equal(reactions_page_load(shifted, index, &p), ERR_INTERNAL);
	/* Positions out of order (the second entry first). */
	first_end = strchr(index, ' ');
	for (i = 0; i < 3; i++)
		first_end = strchr(first_end + 1, ' ');
	assert_true(asprintf(&other, "%s %.*s", first_end + 1,
	                (int)(first_end - index), index) > 0);
	assert_int_equal(reactions_page_load(page, other, &p), ERR_INTERNAL);
	free(other);
	/* The first brace's position one byte early, all else right. */
	assert_true(asprintf(&other, "%llu%s", strtoull(index, NULL, 10) - 1,
	                strchr(index, ' ')) > 0);
	assert_int_equal(reactions_page_load(page, other, &p), ERR_INTERNAL);
	free(other);
	/* An entry whose id is 0, at a right position. */
	assert_true(asprintf(&other, "%.*s 0",
	                (int)(strrchr(index, ' ') - index), index) > 0);
	assert_int_equal(reactions_page_load(page, other, &p), ERR_INTERNAL);
	free(other);
	free(shifted);
	free(index);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_index_marks_as_the_scan),
		cmocka_unit_test(test_index_not_of_this_page),
	};

	return cmocka_run_group_tests_name("overlay", tests, NULL, NULL);
}
