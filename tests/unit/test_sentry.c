/* test_sentry.c - DSN parsing and the event body. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <json-c/json.h>

#include "json.h"
#include "sec.h"
#include "sentry.h"

static void
test_dsn(void **state)
{
	struct sentry_dsn d;

	(void)state;
	assert_int_equal(
	    sentry_parse_dsn("https://abc123@o1.ingest.sentry.io/42", &d),
	    ERR_OK);
	assert_string_equal(d.key, "abc123");
	assert_string_equal(d.store_url,
	    "https://o1.ingest.sentry.io/api/42/store/");
	assert_int_equal(sentry_parse_dsn("http://k:secret@127.0.0.1:9000/7",
	                     &d),
	    ERR_OK);
	assert_string_equal(d.key, "k");
	assert_string_equal(d.store_url, "http://127.0.0.1:9000/api/7/store/");
	assert_int_equal(sentry_parse_dsn("", &d), ERR_VALIDATION);
	assert_int_equal(sentry_parse_dsn("ftp://k@h/1", &d), ERR_VALIDATION);
	assert_int_equal(sentry_parse_dsn("https://h/1", &d), ERR_VALIDATION);
	assert_int_equal(sentry_parse_dsn("https://k@h/", &d), ERR_VALIDATION);
	assert_int_equal(sentry_parse_dsn("https://k@h/12x", &d),
	    ERR_VALIDATION);
	assert_int_equal(sentry_parse_dsn(NULL, &d), ERR_VALIDATION);
}

static void
test_event(void **state)
{
	struct json_object *ev = NULL, *v;
	struct buf b;

	(void)state;
	assert_int_equal(sec_init(), ERR_OK);
	buf_init(&b, 0);
	sentry_event_json(&b, "auth", "GET /x answered 500 \"q\"", "req-1");
	assert_int_equal(json_parse(b.data, b.len, &ev), ERR_OK);
	assert_true(json_object_object_get_ex(ev, "event_id", &v));
	assert_int_equal(strlen(json_object_get_string(v)), 32);
	assert_true(json_object_object_get_ex(ev, "message", &v));
	assert_string_equal(json_object_get_string(v),
	    "GET /x answered 500 \"q\"");
	assert_true(json_object_object_get_ex(ev, "tags", &v));
	assert_string_equal(json_object_get_string(
	                        json_object_object_get(v, "request_id")),
	    "req-1");
	json_object_put(ev);
	buf_release(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dsn),
		cmocka_unit_test(test_event),
	};

	return cmocka_run_group_tests_name("sentry", tests, NULL, NULL);
}
