/* test_relay_map.c - the relay's int64 hash map (relay/map.h): put, get,
 * delete with backward shifts, the iterator and map_retain. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "map.h"

#define V(x) ((void *)(uintptr_t)(x))

static void
test_put_get_del(void **state)
{
	struct map m;
	int64_t k;

	(void)state;
	map_init(&m);
	assert_null(map_get(&m, 1));
	assert_null(map_del(&m, 1));
	for (k = 1; k <= 1000; k++)
		assert_null(map_put(&m, k, V(k * 3)));
	assert_int_equal(m.len, 1000);
	assert_ptr_equal(map_put(&m, 7, V(8)), V(21));
	assert_int_equal(m.len, 1000);
	for (k = 1; k <= 1000; k++)
		assert_ptr_equal(map_get(&m, k), V(k == 7 ? 8 : k * 3));
	/* Deleting every other key keeps the others reachable (backward
	 * shifts close the probe runs). */
	for (k = 2; k <= 1000; k += 2)
		assert_non_null(map_del(&m, k));
	assert_int_equal(m.len, 500);
	for (k = 1; k <= 1000; k++) {
		if (k % 2)
			assert_non_null(map_get(&m, k));
		else
			assert_null(map_get(&m, k));
	}
	assert_null(map_get(&m, 0));
	assert_null(map_get(&m, -5));
	map_release(&m);
	assert_int_equal(m.len, 0);
	map_release(NULL);
}

static void
test_iterator(void **state)
{
	struct map m;
	struct map_iter it;
	int64_t k, seen = 0, sum = 0;
	void *v;

	(void)state;
	map_init(&m);
	map_iter_init(&it, &m);
	assert_int_equal(map_next(&it, &k, &v), 0);
	for (k = 1; k <= 100; k++)
		map_put(&m, k * 1000003, V(k));
	map_iter_init(&it, &m);
	while (map_next(&it, &k, &v)) {
		assert_int_equal(k % 1000003, 0);
		assert_ptr_equal(v, V(k / 1000003));
		/* Replacing a present key during the walk is allowed. */
		assert_ptr_equal(map_put(&m, k, V(k)), V(k / 1000003));
		seen++;
		sum += k / 1000003;
	}
	assert_int_equal(seen, 100);
	assert_int_equal(sum, 5050);
	for (k = 1; k <= 100; k++)
		assert_ptr_equal(map_get(&m, k * 1000003), V(k * 1000003));
	map_release(&m);
}

static int
keep_odd(int64_t key, void *val, void *arg)
{
	(*(int *)arg)++;
	return key % 2;
}

static void
test_retain(void **state)
{
	struct map m;
	int64_t k;
	int calls = 0;

	(void)state;
	map_init(&m);
	for (k = 1; k <= 300; k++)
		map_put(&m, k, V(k));
	map_retain(&m, keep_odd, &calls);
	assert_int_equal(calls, 300);
	assert_int_equal(m.len, 150);
	for (k = 1; k <= 300; k++) {
		if (k % 2)
			assert_ptr_equal(map_get(&m, k), V(k));
		else
			assert_null(map_get(&m, k));
	}
	map_release(&m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_put_get_del),
		cmocka_unit_test(test_iterator),
		cmocka_unit_test(test_retain),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
