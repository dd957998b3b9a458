/* test_json.c - parsing limits, field readers and the error body. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "http.h"
#include "json.h"
#include "status.h"

static struct json_object *
parse_ok(const char *s)
{
	struct json_object *o = NULL;

	assert_int_equal(json_parse(s, strlen(s), &o), ERR_OK);
	return o;
}

static void
test_parse_limits(void **state)
{
	struct json_object *o = NULL;
	char deep[200];
	int i;

	(void)state;
	json_object_put(parse_ok("{\"a\": [1, 2, {\"b\": null}]}  \n"));
	assert_int_equal(json_parse("{", 1, &o), ERR_BAD_JSON);
	assert_int_equal(json_parse("{} x", 4, &o), ERR_BAD_JSON);
	assert_int_equal(json_parse("{\"a\":1,}", 8, &o), ERR_BAD_JSON);
	assert_int_equal(json_parse("{\"a\":\"\xff\"}", 9, &o), ERR_BAD_JSON);
	assert_null(o);
	/* Escapes must be valid code points: surrogates only in pairs. */
	json_object_put(parse_ok("{\"a\": \"\\ud83d\\ude00 \\u00e9 \\\\u\"}"));
	assert_int_equal(json_parse("\"\\ud800\"", 8, &o), ERR_BAD_JSON);
	assert_int_equal(json_parse("\"\\udc00\"", 8, &o), ERR_BAD_JSON);
	assert_int_equal(json_parse("\"\\ud800\\u0041\"", 14, &o),
	    ERR_BAD_JSON);
	assert_int_equal(json_parse("\"\\ud800x\"", 9, &o), ERR_BAD_JSON);
	assert_int_equal(json_parse("\"\\u12\"", 6, &o), ERR_BAD_JSON);
	/* 32 levels are fine, 33 are not. */
	for (i = 0; i < 32; i++)
		deep[i] = '[';
	for (i = 0; i < 32; i++)
		deep[32 + i] = ']';
	deep[64] = '\0';
	json_object_put(parse_ok(deep));
	memset(deep, '[', 33);
	memset(deep + 33, ']', 33);
	deep[66] = '\0';
	assert_int_equal(json_parse(deep, 66, &o), ERR_BAD_JSON);
}

static void
test_field_readers(void **state)
{
	struct json_object *o, *fields = json_object_new_object();
	const char *s = NULL, *e = NULL;
	const char *const choices[] = { "Male", "Female", NULL };
	const char *const allowed[] = { "name", "n", "b", "g", "nul", "ws",
		NULL };
	int64_t n = 0;
	size_t len = 0;
	int b = 0;

	(void)state;
	o = parse_ok(
	    "{\"name\": \"  abc \", \"n\": 7, \"b\": true, "
	    "\"g\": \"Male\", \"nul\": \"a\\u0000b\", \"ws\": \"   \"}");
	assert_int_equal(json_get_text(o, "name", 1, 1, 3, 1, &s, &len, fields),
	    ERR_OK);
	assert_int_equal(len, 3);
	assert_memory_equal(s, "abc", 3);
	assert_int_equal(json_get_text(o, "name", 1, 1, 2, 1, &s, &len, fields),
	    ERR_VALIDATION);
	assert_int_equal(json_get_text(o, "ws", 1, 1, 5, 1, &s, &len, fields),
	    ERR_VALIDATION);
	assert_int_equal(json_get_text(o, "nul", 1, 1, 5, 1, &s, &len, fields),
	    ERR_VALIDATION);
	assert_int_equal(json_get_text(o, "n", 1, 1, 5, 1, &s, &len, fields),
	    ERR_VALIDATION);
	assert_int_equal(json_get_text(o, "missing", 0, 1, 5, 1, &s, &len,
	                     fields),
	    ERR_OK);
	assert_int_equal(json_get_text(o, "missing", 1, 1, 5, 1, &s, &len,
	                     fields),
	    ERR_VALIDATION);
	assert_int_equal(json_get_int(o, "n", 1, 1, 10, &n, fields), ERR_OK);
	assert_int_equal(n, 7);
	assert_int_equal(json_get_int(o, "n", 1, 8, 10, &n, fields),
	    ERR_VALIDATION);
	assert_int_equal(json_get_int(o, "b", 1, 0, 10, &n, fields),
	    ERR_VALIDATION);
	assert_int_equal(json_get_bool(o, "b", 1, &b, fields), ERR_OK);
	assert_true(b);
	assert_int_equal(json_get_enum(o, "g", 1, choices, &e, fields), ERR_OK);
	assert_string_equal(e, "Male");
	assert_int_equal(json_get_enum(o, "name", 1, choices, &e, fields),
	    ERR_VALIDATION);
	assert_int_equal(json_only(o, allowed, fields), ERR_OK);
	json_object_object_add(o, "extra", json_object_new_int(1));
	assert_int_equal(json_only(o, allowed, fields), ERR_VALIDATION);
	assert_non_null(json_object_object_get(fields, "extra"));
	assert_non_null(json_object_object_get(fields, "missing"));
	json_object_put(o);
	json_object_put(fields);
}

static void
test_account_fields(void **state)
{
	struct json_object *o, *fields = json_object_new_object();
	const char *s = NULL;
	size_t len = 0;

	(void)state;
	o = parse_ok("{\"u1\": \" alice_9 \", \"u2\": \"al ice\", "
	             "\"u3\": \"abcd\", \"u4\": \"\u00e9lodie\", "
	             "\"e1\": \"a@b.c\", \"e2\": \"\", \"e3\": \"@b\", "
	             "\"e4\": \"a b@c\", \"e5\": \"ab\"}");
	assert_int_equal(json_get_username(o, "u1", 1, &s, &len, fields),
	    ERR_OK);
	assert_int_equal(len, 7);
	assert_memory_equal(s, "alice_9", 7);
	assert_int_equal(json_get_username(o, "u2", 1, &s, &len, fields),
	    ERR_VALIDATION);
	assert_int_equal(json_get_username(o, "u3", 1, &s, &len, fields),
	    ERR_VALIDATION);
	assert_int_equal(json_get_username(o, "u4", 1, &s, &len, fields),
	    ERR_VALIDATION);
	assert_int_equal(json_get_email(o, "e1", 1, &s, &len, fields), ERR_OK);
	assert_int_equal(json_get_email(o, "e2", 1, &s, &len, fields), ERR_OK);
	assert_int_equal(len, 0);
	assert_int_equal(json_get_email(o, "e3", 1, &s, &len, fields),
	    ERR_VALIDATION);
	assert_int_equal(json_get_email(o, "e4", 1, &s, &len, fields),
	    ERR_VALIDATION);
	assert_int_equal(json_get_email(o, "e5", 1, &s, &len, fields),
	    ERR_VALIDATION);
	json_object_put(o);
	json_object_put(fields);
}

static void
test_error_body(void **state)
{
	struct json_object *fields = json_object_new_object(), *empty;
	struct buf b;

	(void)state;
	buf_init(&b, 0);
	status_error_body(&b, ERR_NOT_FOUND, NULL, NULL);
	assert_string_equal(b.data,
	    "{\"error\":{\"code\":\"not_found\",\"message\":\"Not found.\"}}");
	buf_reset(&b);
	json_object_object_add(fields, "name",
	    json_object_new_string("required"));
	status_error_body(&b, ERR_VALIDATION, "Fix \"it\"/now", fields);
	assert_string_equal(b.data,
	    "{\"error\":{\"code\":\"validation_failed\","
	    "\"message\":\"Fix "
	    "\\\"it\\\"/now\",\"fields\":{\"name\":\"required\"}}}");
	buf_reset(&b);
	/* An empty fields object is left out. */
	empty = json_object_new_object();
	status_error_body(&b, ERR_CONFLICT, NULL, empty);
	assert_null(strstr(b.data, "fields"));
	json_object_put(empty);
	assert_int_equal(err_status(ERR_RATE_LIMITED), 429);
	assert_int_equal(err_status(ERR_CSRF), 403);
	assert_string_equal(err_name(ERR_CSRF), "csrf");
	assert_int_equal(err_status(ERR_UNAVAILABLE), 503);
	assert_int_equal(err_status((enum err_code)999), 500);
	buf_release(&b);
	json_object_put(fields);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_limits),
		cmocka_unit_test(test_field_readers),
		cmocka_unit_test(test_account_fields),
		cmocka_unit_test(test_error_body),
	};

	return cmocka_run_group_tests_name("json", tests, NULL, NULL);
}
