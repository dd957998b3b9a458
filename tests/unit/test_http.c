/* test_http.c - routing (404 vs 405), cookies, query, Origin checks and
 * body caps of the request layer, driven in CGI mode (parameters come
 * from the environment, the body from stdin). */
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
#include "http.h"

static enum err_code
handler(struct http_req *r)
{
	(void)r;
	return ERR_OK;
}

static const struct http_route routes[] = {
	{ HTTP_GET, "/api/groups", handler, 0 },
	{ HTTP_POST, "/api/groups", handler, 0 },
	{ HTTP_GET, "/api/groups/{id}", handler, 0 },
	{ HTTP_PATCH, "/api/groups/{id}", handler, 0 },
	{ HTTP_DELETE, "/api/groups/{id}/members/{id}", handler, 0 },
	{ HTTP_GET, "/api/invites/{str}", handler, 0 },
};

static int
setup(void **state)
{
	(void)state;
	setenv("JWT_SIGNING_KEY", "unit-test-key-0123456789abcdef0123456789",
	    1);
	setenv("PUBLIC_ORIGINS", "http://127.0.0.1:8080, https://chat.example/",
	    1);
	return cfg_load_file(NULL) == ERR_OK ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	cfg_release();
	return 0;
}

/* Prepares a request from method and URI (CGI variables). */
static void
req(struct http_req *r, const char *method, const char *uri)
{
	unsetenv("HTTP_ORIGIN");
	unsetenv("HTTP_REFERER");
	unsetenv("HTTP_COOKIE");
	unsetenv("HTTP_AUTHORIZATION");
	unsetenv("CONTENT_LENGTH");
	unsetenv("CONTENT_TYPE");
	setenv("REQUEST_METHOD", method, 1);
	setenv("REQUEST_URI", uri, 1);
	http_req_init(r, NULL);
	assert_int_equal(http_req_parse(r), ERR_OK);
}

static void
test_routing(void **state)
{
	struct http_req r;

	(void)state;
	req(&r, "GET", "/api/groups?limit=5");
	assert_int_equal(http_route_match(&r, routes, 6), ERR_OK);
	assert_ptr_equal(r.route, &routes[0]);
	assert_string_equal(r.query, "limit=5");
	http_req_release(&r);

	req(&r, "PATCH", "/api/groups/42");
	assert_int_equal(http_route_match(&r, routes, 6), ERR_OK);
	assert_int_equal(r.ids[0], 42);
	http_req_release(&r);

	req(&r, "DELETE", "/api/groups/42/members/7/");
	assert_int_equal(http_route_match(&r, routes, 6), ERR_OK);
	assert_int_equal(r.ids[0], 42);
	assert_int_equal(r.ids[1], 7);
	http_req_release(&r);

	/* Known path, other method: 405 with Allow. */
	req(&r, "PUT", "/api/groups/42");
	assert_int_equal(http_route_match(&r, routes, 6),
	    ERR_METHOD_NOT_ALLOWED);
	assert_non_null(strstr(r.headers.data, "Allow: GET, PATCH"));
	http_req_release(&r);

	/* Unknown paths and malformed ids: 404. */
	req(&r, "GET", "/api/groups/abc");
	assert_int_equal(http_route_match(&r, routes, 6), ERR_NOT_FOUND);
	http_req_release(&r);
	req(&r, "GET", "/api/groups/0");
	assert_int_equal(http_route_match(&r, routes, 6), ERR_NOT_FOUND);
	http_req_release(&r);
	req(&r, "GET", "/api/groups/99999999999999999999");
	assert_int_equal(http_route_match(&r, routes, 6), ERR_NOT_FOUND);
	http_req_release(&r);
	req(&r, "GET", "/api/groups/1/2");
	assert_int_equal(http_route_match(&r, routes, 6), ERR_NOT_FOUND);
	http_req_release(&r);
	req(&r, "GET", "/api/groupsX");
	assert_int_equal(http_route_match(&r, routes, 6), ERR_NOT_FOUND);
	http_req_release(&r);

	req(&r, "GET", "/api/invites/Ab_9-x");
	assert_int_equal(http_route_match(&r, routes, 6), ERR_OK);
	assert_string_equal(r.args[0], "Ab_9-x");
	http_req_release(&r);
	req(&r, "GET", "/api/invites/a%20b");
	assert_int_equal(http_route_match(&r, routes, 6), ERR_NOT_FOUND);
	http_req_release(&r);
}

/* "{text}": any percent-encoded UTF-8 segment, decoded into r->args[]
 * (the emoji of a reaction); malformed escapes, invalid UTF-8, U+0000 and
 * over-long segments do not match. */
static void
test_routing_text(void **state)
{
	static const struct http_route text_routes[] = {
		{ HTTP_PUT, "/api/messages/{id}/reactions/{text}/me", handler,
		    0 },
	};
	char long_seg[300];
	char uri[400];
	struct http_req r;

	(void)state;
	req(&r, "PUT", "/api/messages/7/reactions/%F0%9F%91%8D/me");
	assert_int_equal(http_route_match(&r, text_routes, 1), ERR_OK);
	assert_int_equal(r.ids[0], 7);
	assert_string_equal(r.args[0], "\xf0\x9f\x91\x8d");
	http_req_release(&r);
	req(&r, "PUT", "/api/messages/7/reactions/abc/me");
	assert_int_equal(http_route_match(&r, text_routes, 1), ERR_OK);
	assert_string_equal(r.args[0], "abc");
	http_req_release(&r);
	req(&r, "PUT", "/api/messages/7/reactions/%FF%FE/me");
	assert_int_equal(http_route_match(&r, text_routes, 1), ERR_NOT_FOUND);
	http_req_release(&r);
	req(&r, "PUT", "/api/messages/7/reactions/a%00b/me");
	assert_int_equal(http_route_match(&r, text_routes, 1), ERR_NOT_FOUND);
	http_req_release(&r);
	req(&r, "PUT", "/api/messages/7/reactions/%F0%9/me");
	assert_int_equal(http_route_match(&r, text_routes, 1), ERR_NOT_FOUND);
	http_req_release(&r);
	memset(long_seg, 'a', 257);
	long_seg[257] = '\0';
	snprintf(uri, sizeof(uri), "/api/messages/7/reactions/%s/me", long_seg);
	req(&r, "PUT", uri);
	assert_int_equal(http_route_match(&r, text_routes, 1), ERR_NOT_FOUND);
	http_req_release(&r);
}

static void
test_request_id(void **state)
{
	struct http_req r;

	(void)state;
	setenv("HTTP_X_REQUEST_ID", "abc.DEF_1-2", 1);
	req(&r, "GET", "/");
	assert_string_equal(r.request_id, "abc.DEF_1-2");
	http_req_release(&r);
	setenv("HTTP_X_REQUEST_ID", "bad id\n", 1);
	req(&r, "GET", "/");
	assert_string_not_equal(r.request_id, "bad id\n");
	assert_true(strlen(r.request_id) >= 8);
	http_req_release(&r);
	unsetenv("HTTP_X_REQUEST_ID");
	setenv("REQUEST_URI", "no-slash", 1);
	http_req_init(&r, NULL);
	assert_int_equal(http_req_parse(&r), ERR_BAD_REQUEST);
	http_req_release(&r);
}

static void
test_cookies_and_query(void **state)
{
	struct http_req r;
	int64_t v, o;

	(void)state;
	/* Malformed escapes or invalid UTF-8 anywhere in the query: 400. */
	setenv("REQUEST_METHOD", "GET", 1);
	setenv("REQUEST_URI", "/x?a=1&q=%FF", 1);
	http_req_init(&r, NULL);
	assert_int_equal(http_req_parse(&r), ERR_BAD_REQUEST);
	http_req_release(&r);
	setenv("REQUEST_URI", "/x?bad=%zz", 1);
	http_req_init(&r, NULL);
	assert_int_equal(http_req_parse(&r), ERR_BAD_REQUEST);
	http_req_release(&r);
	setenv("REQUEST_URI", "/x?nul=%00", 1);
	http_req_init(&r, NULL);
	assert_int_equal(http_req_parse(&r), ERR_BAD_REQUEST);
	http_req_release(&r);

	req(&r, "GET",
	    "/x?a=1&b=hello%20w+x&c&bad=x%41&limit=101&neg=-5&e=%C3%A9");
	setenv("HTTP_COOKIE",
	    "theme=dark; access=tok.en.sig;refresh=\"r1\"; "
	    "accessx=no",
	    1);
	assert_string_equal(http_cookie(&r, "access"), "tok.en.sig");
	assert_string_equal(http_cookie(&r, "refresh"), "r1");
	assert_string_equal(http_cookie(&r, "theme"), "dark");
	assert_null(http_cookie(&r, "acc"));
	assert_null(http_cookie(&r, "missing"));
	assert_string_equal(http_query(&r, "b"), "hello w x");
	assert_string_equal(http_query(&r, "e"), "\xc3\xa9");
	assert_string_equal(http_query(&r, "c"), "");
	assert_null(http_query(&r, "d"));
	assert_int_equal(http_query_int(&r, "a", 1, 10, 0, &v), ERR_OK);
	assert_int_equal(v, 1);
	assert_int_equal(http_query_int(&r, "missing", 1, 10, 3, &v), ERR_OK);
	assert_int_equal(v, 3);
	assert_int_equal(http_query_limit(&r, &v), ERR_VALIDATION);
	assert_int_equal(http_query_int(&r, "neg", 0, 10, 0, &v),
	    ERR_VALIDATION);
	assert_int_equal(http_query_int(&r, "bad", 0, 10, 0, &v),
	    ERR_VALIDATION);
	assert_int_equal(http_query_int(&r, "b", 0, 10, 0, &v), ERR_VALIDATION);
	assert_non_null(json_object_object_get(r.error_fields, "limit"));
	http_req_release(&r);

	/* A list's page: defaults; each bad one named in the fields. */
	req(&r, "GET", "/x");
	assert_int_equal(http_query_page(&r, &v, &o), ERR_OK);
	assert_int_equal(v, 50);
	assert_int_equal(o, 0);
	http_req_release(&r);
	req(&r, "GET", "/x?limit=7&offset=2147483647");
	assert_int_equal(http_query_page(&r, &v, &o), ERR_OK);
	assert_int_equal(v, 7);
	assert_int_equal(o, 2147483647);
	http_req_release(&r);
	req(&r, "GET", "/x?limit=0&offset=-1");
	assert_int_equal(http_query_page(&r, &v, &o), ERR_VALIDATION);
	assert_non_null(json_object_object_get(r.error_fields, "limit"));
	assert_non_null(json_object_object_get(r.error_fields, "offset"));
	http_req_release(&r);
	req(&r, "GET", "/x?offset=2147483648");
	assert_int_equal(http_query_page(&r, &v, &o), ERR_VALIDATION);
	assert_null(json_object_object_get(r.error_fields, "limit"));
	assert_non_null(json_object_object_get(r.error_fields, "offset"));
	http_req_release(&r);
}

static void
test_origin(void **state)
{
	struct http_req r;

	(void)state;
	/* Safe methods are never checked. */
	req(&r, "GET", "/api/auth/me");
	setenv("HTTP_COOKIE", "access=x", 1);
	setenv("HTTP_ORIGIN", "https://evil.example", 1);
	assert_int_equal(http_check_origin(&r), ERR_OK);
	http_req_release(&r);

	req(&r, "POST", "/api/auth/login");
	setenv("HTTP_ORIGIN", "http://127.0.0.1:8080", 1);
	assert_int_equal(http_check_origin(&r), ERR_OK);
	setenv("HTTP_ORIGIN", "https://chat.example", 1);
	assert_int_equal(http_check_origin(&r), ERR_OK);
	setenv("HTTP_ORIGIN", "https://evil.example", 1);
	assert_int_equal(http_check_origin(&r), ERR_CSRF);
	setenv("HTTP_ORIGIN", "http://127.0.0.1:8080.evil.example", 1);
	assert_int_equal(http_check_origin(&r), ERR_CSRF);
	setenv("HTTP_ORIGIN", "null", 1);
	assert_int_equal(http_check_origin(&r), ERR_CSRF);
	unsetenv("HTTP_ORIGIN");
	/* Referer decides when Origin is missing. */
	setenv("HTTP_REFERER", "http://127.0.0.1:8080/g/1?x=y", 1);
	assert_int_equal(http_check_origin(&r), ERR_OK);
	setenv("HTTP_REFERER", "http://evil.example/http://127.0.0.1:8080", 1);
	assert_int_equal(http_check_origin(&r), ERR_CSRF);
	unsetenv("HTTP_REFERER");
	/* An Origin, even "null", decides alone: a same-origin Referer
	 * must not rescue an opaque origin (sandboxed frame, data: URL). */
	setenv("HTTP_COOKIE", "access=x", 1);
	setenv("HTTP_ORIGIN", "null", 1);
	setenv("HTTP_REFERER", "http://127.0.0.1:8080/g/1", 1);
	assert_int_equal(http_check_origin(&r), ERR_CSRF);
	setenv("HTTP_ORIGIN", "https://evil.example", 1);
	assert_int_equal(http_check_origin(&r), ERR_CSRF);
	setenv("HTTP_ORIGIN", "", 1);
	assert_int_equal(http_check_origin(&r), ERR_CSRF);
	unsetenv("HTTP_ORIGIN");
	unsetenv("HTTP_REFERER");
	/* Cookies without either header: refused. */
	setenv("HTTP_COOKIE", "access=x", 1);
	assert_int_equal(http_check_origin(&r), ERR_CSRF);
	/* A bearer request is judged by its token alone. */
	setenv("HTTP_AUTHORIZATION", "Bearer abc", 1);
	assert_int_equal(http_check_origin(&r), ERR_OK);
	unsetenv("HTTP_AUTHORIZATION");
	/* No cookies, no Origin: a non-browser client. */
	unsetenv("HTTP_COOKIE");
	assert_int_equal(http_check_origin(&r), ERR_OK);
	http_req_release(&r);
}

/* Serves `body` on stdin for the CGI-mode body reader. */
static void
feed_stdin(const char *body, size_t len)
{
	FILE *f = tmpfile();

	assert_non_null(f);
	fwrite(body, 1, len, f);
	fflush(f);
	rewind(f);
	assert_non_null(freopen("/dev/null", "r", stdin));
	dup2(fileno(f), fileno(stdin));
	fclose(f);
	clearerr(stdin);
}

static void
body_req(struct http_req *r, const char *ct, const char *body)
{
	char len[24];

	req(r, "POST", "/api/groups");
	assert_int_equal(http_route_match(r, routes, 6), ERR_OK);
	snprintf(len, sizeof(len), "%zu", strlen(body));
	setenv("CONTENT_LENGTH", len, 1);
	if (ct)
		setenv("CONTENT_TYPE", ct, 1);
	feed_stdin(body, strlen(body));
}

static void
test_body(void **state)
{
	struct http_req r;

	(void)state;
	body_req(&r, "application/json; charset=utf-8", "{\"name\": \"x\"}");
	assert_int_equal(http_read_body(&r, 1024), ERR_OK);
	assert_string_equal(json_object_get_string(
	                        json_object_object_get(r.json, "name")),
	    "x");
	http_req_release(&r);

	/* Over the cap: 413 before anything is read. */
	body_req(&r, "application/json", "{\"name\": \"0123456789\"}");
	assert_int_equal(http_read_body(&r, 10), ERR_TOO_LARGE);
	http_req_release(&r);

	body_req(&r, "text/plain", "{}");
	assert_int_equal(http_read_body(&r, 1024), ERR_UNSUPPORTED_MEDIA);
	http_req_release(&r);

	body_req(&r, "application/jsonx", "{}");
	assert_int_equal(http_read_body(&r, 1024), ERR_UNSUPPORTED_MEDIA);
	http_req_release(&r);

	body_req(&r, "application/json", "[1]");
	assert_int_equal(http_read_body(&r, 1024), ERR_BAD_JSON);
	http_req_release(&r);

	body_req(&r, "application/json", "{\"a\":");
	assert_int_equal(http_read_body(&r, 1024), ERR_BAD_JSON);
	http_req_release(&r);

	/* No body means {}. */
	body_req(&r, NULL, "");
	assert_int_equal(http_read_body(&r, 1024), ERR_OK);
	assert_int_equal(json_object_object_length(r.json), 0);
	http_req_release(&r);

	/* A body shorter than announced. */
	body_req(&r, "application/json", "{}");
	setenv("CONTENT_LENGTH", "50", 1);
	assert_int_equal(http_read_body(&r, 1024), ERR_BAD_REQUEST);
	http_req_release(&r);

	body_req(&r, "application/json", "{}");
	setenv("CONTENT_LENGTH", "-1", 1);
	assert_int_equal(http_read_body(&r, 1024), ERR_BAD_REQUEST);
	http_req_release(&r);
}

static void
test_set_cookie(void **state)
{
	struct http_req r;

	(void)state;
	req(&r, "POST", "/");
	http_set_cookie(&r, "access", "v", "/", 300);
	http_set_cookie(&r, "refresh", "", "/api", 0);
	assert_non_null(strstr(r.headers.data,
	    "Set-Cookie: access=v; Path=/; "
	    "Max-Age=300; HttpOnly; SameSite=Lax; Secure\r\n"));
	assert_non_null(strstr(r.headers.data,
	    "Set-Cookie: refresh=; "
	    "Path=/api; Max-Age=0; HttpOnly; SameSite=Lax"));
	http_req_release(&r);
}

/* The table --routes prints: every entry, in order, with its flags. */
static void
test_routes_json(void **state)
{
	static const struct http_route flagged[] = {
		{ HTTP_GET, "/api/a/{id}", handler, HTTP_AUTH_REQUIRED },
		{ HTTP_POST, "/api/a/{id}/icon", handler,
		    HTTP_AUTH_REQUIRED | HTTP_BODY_MULTIPART },
		{ HTTP_DELETE, "/api/b/{str}", handler, HTTP_AUTH_OPTIONAL },
		{ HTTP_PUT, "/api/c", handler, HTTP_BODY_RAW },
	};
	struct json_object *list;

	(void)state;
	list = http_routes_json(flagged, 4);
	assert_string_equal(json_object_to_json_string_ext(list,
	                        JSON_C_TO_STRING_PLAIN |
	                            JSON_C_TO_STRING_NOSLASHESCAPE),
	    "["
	    "{\"method\":\"GET\",\"path\":\"/api/a/{id}\","
	    "\"auth\":\"required\",\"body\":\"json\"},"
	    "{\"method\":\"POST\",\"path\":\"/api/a/{id}/icon\","
	    "\"auth\":\"required\",\"body\":\"multipart\"},"
	    "{\"method\":\"DELETE\",\"path\":\"/api/b/{str}\","
	    "\"auth\":\"optional\",\"body\":\"json\"},"
	    "{\"method\":\"PUT\",\"path\":\"/api/c\","
	    "\"auth\":\"none\",\"body\":\"raw\"}"
	    "]");
	json_object_put(list);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_routing),
		cmocka_unit_test(test_routing_text),
		cmocka_unit_test(test_request_id),
		cmocka_unit_test(test_cookies_and_query),
		cmocka_unit_test(test_origin),
		cmocka_unit_test(test_body),
		cmocka_unit_test(test_set_cookie),
		cmocka_unit_test(test_routes_json),
	};

	return cmocka_run_group_tests_name("http", tests, setup, teardown);
}
