/* test_db.c - query parameter binding (the pure part of db.c), and a read
 * replica that cannot be reached. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "cfg.h"
#include "db.h"

/* What db_query() would send for its argument list. */
#define BIND(b, ...) db_bind((b), DB_PARAMS_(__VA_ARGS__))

static void
test_kinds(void **state)
{
	struct db_bound b;

	(void)state;
	assert_int_equal(BIND(&b, DB_I64(42), DB_I64(INT64_MIN),
	                     DB_I64(INT64_MAX), DB_TEXT("héllo"), DB_TEXT(NULL),
	                     DB_BOOL(7), DB_BOOL(0), DB_NULL),
	    ERR_OK);
	assert_int_equal(b.n, 8);
	assert_string_equal(b.values[0], "42");
	assert_string_equal(b.values[1], "-9223372036854775808");
	assert_string_equal(b.values[2], "9223372036854775807");
	assert_string_equal(b.values[3], "héllo");
	assert_null(b.values[4]);
	assert_string_equal(b.values[5], "t");
	assert_string_equal(b.values[6], "f");
	assert_null(b.values[7]);
	db_bound_release(&b);
}

static void
test_optional_id(void **state)
{
	struct db_bound b;

	(void)state;
	assert_int_equal(BIND(&b, DB_NULL_I64(0), DB_NULL_I64(9),
	                     DB_NULL_I64(-1)),
	    ERR_OK);
	assert_null(b.values[0]);
	assert_string_equal(b.values[1], "9");
	assert_string_equal(b.values[2], "-1");
	db_bound_release(&b);
}

static void
test_array(void **state)
{
	static const int64_t ids[] = { 3, -1, 9007199254740993LL };
	struct db_bound b;

	(void)state;
	assert_int_equal(BIND(&b, DB_I64_ARRAY(ids, 3), DB_I64_ARRAY(ids, 0),
	                     DB_I64_ARRAY(ids, 1)),
	    ERR_OK);
	assert_string_equal(b.values[0], "{3,-1,9007199254740993}");
	assert_string_equal(b.values[1], "{}");
	assert_string_equal(b.values[2], "{3}");
	db_bound_release(&b);
	db_bound_release(&b); /* twice is harmless */
}

static void
test_count(void **state)
{
	struct db_param none[1];
	struct db_bound b;

	(void)state;
	/* The count comes from the list: none at all is a valid query. */
	assert_int_equal(DB_PARAMS_COUNT_(), 0);
	assert_int_equal(DB_PARAMS_COUNT_(DB_I64(1), DB_TEXT("x")), 2);
	assert_int_equal(db_bind(&b, none, 0), ERR_OK);
	assert_int_equal(b.n, 0);
	db_bound_release(&b);
}

static void
test_refused(void **state)
{
	struct db_param many[DB_PARAMS_MAX + 1];
	struct db_param bad = DB_I64(1);
	struct db_bound b;
	size_t i;

	(void)state;
	for (i = 0; i < DB_PARAMS_MAX + 1; i++)
		many[i] = DB_I64((int64_t)i);
	/* Only a hand-built array can get here (the macros refuse at
	 * compile time), and it must not overflow the fixed arrays. */
	assert_int_equal(db_bind(&b, many, DB_PARAMS_MAX + 1), ERR_INTERNAL);
	assert_int_equal(db_bind(&b, many, DB_PARAMS_MAX), ERR_OK);
	assert_string_equal(b.values[DB_PARAMS_MAX - 1], "15");
	db_bound_release(&b);
	bad.kind = (enum db_kind)99;
	assert_int_equal(db_bind(&b, &bad, 1), ERR_INTERNAL);
	assert_int_equal(b.n, 0);
}

/* An unreachable replica: every read is refused to the caller (who asks
 * the primary), and however many reads there are, and retries, the
 * process logs the failure once. */
static void
test_replica_down(void **state)
{
	struct db_res *res = NULL;
	char buf[4096], url[] = "postgresql://127.0.0.1:1/none";
	FILE *f = tmpfile();
	int saved = dup(2), i, lines = 0;
	const char *p;
	size_t n;

	(void)state;
	assert_non_null(f);
	assert_int_equal(db_replica_configured(), 0);
	assert_int_equal(db_replica_query(&res, "SELECT 1"), ERR_UNAVAILABLE);
	cfg.db_replica_url = url; /* port 1: refused at once */
	assert_int_equal(db_replica_configured(), 1);
	dup2(fileno(f), 2);
	for (i = 0; i < 3; i++) {
		assert_int_equal(db_replica_query(&res, "SELECT $1::int",
		                     DB_I64(i)),
		    ERR_UNAVAILABLE);
		assert_int_equal(db_replica_sync(5), ERR_UNAVAILABLE);
	}
	/* Past the retry interval (5 s) it is tried again, still down:
	 * nothing more to say. */
	sleep(6);
	assert_int_equal(db_replica_query(&res, "SELECT 1"), ERR_UNAVAILABLE);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	for (p = buf; (p = strstr(p, "read replica failed")) != NULL; p++)
		lines++;
	assert_int_equal(lines, 1);
	assert_null(res);
	cfg.db_replica_url = NULL;
	db_close();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_optional_id),
		cmocka_unit_test(test_array),
		cmocka_unit_test(test_count),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_replica_down),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
