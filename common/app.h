/* app.h - the accept loop shared by every FastCGI program.
 *
 * A program's main() is one call:
 *   app_run(argc, argv, "groups", APP_ROUTES(routes));
 * Each request goes through parse -> route (404/405) -> Origin check (CSRF) ->
 * body (size cap, content type, JSON) -> authentication (per route flags)
 * -> handler; an error code from any step becomes the JSON error body.
 * Run as FastCGI (by lighttpd) it loops until SIGTERM; run as CGI it
 * answers the one request in its environment.
 *
 * Layer: domain (common/README.md) - chat rules over the base; may
 * include base and domain headers.
 */
#ifndef EC_APP_H
#define EC_APP_H

#include <stddef.h>

#include "db.h"
#include "http.h"

/* Returns the process exit status.
 *
 * `easychat-<program> --routes` prints the route table and exits 0
 * without reading any configuration, so that tools (the route-vs-spec
 * test, the routing of the front servers) read the routes from the one
 * place they are written:
 *   {"program": "groups", "routes": [{"method": "GET",
 *    "path": "/api/groups/{id}", "auth": "required", "body": "json"}, ...]}
 * (fields as in http_routes_json(), http.h).  Any other argument is an
 * error (exit 2); no argument runs the program. */
int app_run(int argc, char **argv, const char *program,
    const struct http_route *routes, size_t nroutes);

/*
 * Answers one request read by http_req_init() (app_run()'s loop calls
 * it for each; tests drive it in process).
 *
 * Safety net: whatever transaction a handler leaves open is rolled back
 * after it returns, so the next request of the process never runs inside
 * it, sees its rows or waits for its locks.  After an error that is the
 * normal clean-up (handlers just `goto out`).  After a success it is a
 * bug - the handler answered for a change it never committed, which is
 * now lost - so it is also logged as an error ("left a transaction
 * open") and reported; `make test` fails when any program logs it
 * (tests/integration/app.test.mjs drives such a handler).
 */
void
app_serve(struct http_req *r, const struct http_route *routes, size_t nroutes);

/* app_reply_query(r, status, sql, DB_...(v), ...): the common "the query
 * builds the JSON document, send it" step.  Runs sql (one text column,
 * see db_query_text()) and answers `status` with row 0's text.  On error
 * nothing is sent and the code is returned (ERR_NOT_FOUND: no row, or
 * NULL), so the caller can still say which thing was not found. */
#define app_reply_query(r, status, sql, ...)                                   \
	app_reply_query_params((r), (status), (sql), DB_PARAMS_(__VA_ARGS__))

enum err_code app_reply_query_params(struct http_req *r, int status,
    const char *sql, const struct db_param *params, size_t n);

#define APP_ROUTES(table) (table), (sizeof(table) / sizeof((table)[0]))

#endif
