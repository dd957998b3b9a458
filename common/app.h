/* app.h - the accept loop shared by every FastCGI program.
 *
 * A program's main() is one call: app_run("groups", routes, n).  Each
 * request goes through parse -> route (404/405) -> Origin check (CSRF) ->
 * body (size cap, content type, JSON) -> authentication (per route flags)
 * -> handler; an error code from any step becomes the JSON error body.
 * Run as FastCGI (by lighttpd) it loops until SIGTERM; run as CGI it
 * answers the one request in its environment.
 */
#ifndef EC_APP_H
#define EC_APP_H

#include <stddef.h>

#include "http.h"

/* Returns the process exit status. */
int
app_run(const char *program, const struct http_route *routes, size_t nroutes);

#define APP_ROUTES(table) (table), (sizeof(table) / sizeof((table)[0]))

#endif
