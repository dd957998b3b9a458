/* app.c - the accept loop shared by every FastCGI program. */
#include "app.h"

#include <fcgiapp.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "cfg.h"
#include "db.h"
#include "limit.h"
#include "log.h"
#include "rds.h"
#include "reqstat.h"
#include "sec.h"
#include "sentry.h"

static volatile sig_atomic_t app_stopping;
static const char *app_program = "easychat";

static void
app_on_signal(int sig)
{
	(void)sig;
	app_stopping = 1;
	/* Makes libfcgi's accept() give up instead of retrying on EINTR. */
	FCGX_ShutdownPending();
}

static void
app_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = app_on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; /* no SA_RESTART: accept() must return */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* GET /api/<program>/health: 200 {"status":"ok"} when this process
 * reaches PostgreSQL and Redis, else 503 (for load balancers and the
 * compose and systemd checks). Outside the route tables, so that every
 * program answers it the same way and --routes lists only the API. */
static int
app_health(struct http_req *r, enum err_code *rc)
{
	static const char ok[] = "{\"status\":\"ok\"}";
	char path[64];

	snprintf(path, sizeof(path), "/api/%s/health", app_program);
	if (r->method != HTTP_GET || strcmp(r->path, path) != 0)
		return 0;
	*rc = db_query(NULL, "SELECT 1");
	if (*rc == ERR_OK)
		*rc = rds_ping();
	if (*rc)
		*rc = ERR_UNAVAILABLE;
	else
		http_reply_raw(r, 200, ok, sizeof(ok) - 1);
	return 1;
}

void
app_serve(struct http_req *r, const struct http_route *routes, size_t nroutes)
{
	const struct http_route *route;
	uint64_t start = reqstat_now();
	enum err_code rc;

	rc = http_req_parse(r);
	if (rc)
		goto out;
	if (app_health(r, &rc) || reqstat_serve(r, &rc))
		goto out;
	rc = http_route_match(r, routes, nroutes);
	if (rc)
		goto out;
	route = r->route;
	rc = http_check_origin(r);
	if (rc)
		goto out;
	/* An attachment's body: the file plus room for the envelope. */
	rc = http_read_body(r,
	    (route->flags & HTTP_BODY_ATTACH)          ? cfg.attach_max + 65536
	        : (route->flags & HTTP_BODY_MULTIPART) ? cfg.upload_max
	                                               : cfg.body_max);
	if (rc)
		goto out;
	if (route->flags & (HTTP_AUTH_OPTIONAL | HTTP_AUTH_REQUIRED)) {
		rc = auth_request(r, (route->flags & HTTP_AUTH_REQUIRED) != 0);
		if (rc)
			goto out;
	}
	rc = limit_request(r);
	if (rc)
		goto out;
	rc = route->handler(r);
	if (r->auth_deferred) {
		/* HTTP_AUTH_DEFER: the handler failed before it checked the
		 * session (auth.h); a revoked one answers that instead. */
		enum err_code arc = auth_settle(r, -1);

		if (arc)
			rc = arc;
	}
	if (rc == ERR_OK && !r->replied) {
		log_error("handler for %s %s did not answer", r->method_name,
		    r->path);
		rc = ERR_INTERNAL;
	}
out:
	if (rc == ERR_OK && db_tx_open()) {
		char what[256];

		snprintf(what, sizeof(what),
		    "handler for %s %s left a transaction open", r->method_name,
		    r->path ? r->path : "?");
		log_error("%s; rolled back", what);
		sentry_report(app_program, what, r->request_id);
	}
	db_rollback();
	if (rc && !r->replied)
		http_reply_error(r, rc);
	if (r->status >= 500) {
		char what[256];

		snprintf(what, sizeof(what), "%s %s answered %d (%s)",
		    r->method_name, r->path ? r->path : "?", r->status,
		    rc ? err_name(rc) : "handler");
		sentry_report(app_program, what, r->request_id);
	}
	reqstat_end(r, start);
	log_debug("%s %s -> %d", r->method_name, r->path ? r->path : "?",
	    r->status);
	log_set_request_id(NULL);
	log_set_client(NULL);
}

enum err_code
app_reply_query_params(struct http_req *r, int status, const char *sql,
    const struct db_param *params, size_t n)
{
	enum err_code rc;
	char *json = NULL;

	rc = db_query_text_params(&json, sql, params, n);
	if (rc)
		goto out;
	http_reply_raw(r, status, json, strlen(json));
out:
	free(json);
	return rc;
}

/* --routes: the route table on stdout (app.h). */
static int
app_print_routes(const char *program, const struct http_route *routes,
    size_t nroutes)
{
	struct json_object *o;
	int status;

	o = json_object_new_object();
	json_object_object_add(o, "program", json_object_new_string(program));
	json_object_object_add(o, "routes", http_routes_json(routes, nroutes));
	status = puts(json_object_to_json_string_ext(o,
	             JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
	                 JSON_C_TO_STRING_NOSLASHESCAPE)) < 0;
	json_object_put(o);
	if (fflush(stdout) != 0)
		status = 1;
	return status;
}

/* True when the request came without a body, so nothing of it can be
 * left unread on the connection.  Then FCGX_Detach() before finishing
 * makes libfcgi close the connection at once, instead of its lingering
 * close (shutdown, then wait in poll() until the front server closes
 * its end), which kept the process blocked for a round trip through the
 * front server's event loop after every answer: strace of a cached
 * history read showed shutdown, poll, read and close where close alone
 * does.  With a body left unread (an early refusal), the lingering
 * close stays: closing over unread data can make the front server's
 * socket report a reset before it has read the answer. */
static int
app_nothing_unread(FCGX_Request *fr)
{
	const char *cl = FCGX_GetParam("CONTENT_LENGTH", fr->envp);

	/* A kept connection (FCGI_KEEP_CONN) is not closed at all, and
	 * libfcgi clears the flag only when it closes. */
	if (fr->keepConnection)
		return 0;
	return cl == NULL || cl[0] == '\0' || strcmp(cl, "0") == 0;
}

int
app_run(int argc, char **argv, const char *program,
    const struct http_route *routes, size_t nroutes)
{
	FCGX_Request fr;
	struct http_req r;
	int status = 0;

	if (argc == 2 && strcmp(argv[1], "--routes") == 0)
		return app_print_routes(program, routes, nroutes);
	if (argc > 1) {
		fprintf(stderr, "usage: easychat-%s [--routes]\n", program);
		return 2;
	}
	app_program = program;
	log_init(program, NULL);
	if (cfg_load() || sec_init() || http_init() || limit_init())
		return 1;
	log_init(program, cfg.log_level);
	if (FCGX_Init() != 0) {
		log_error("FastCGI initialisation failed");
		cfg_release();
		return 1;
	}
	reqstat_init(program, routes, nroutes);
	app_signals();
	if (FCGX_IsCGI()) {
		http_req_init(&r, NULL);
		app_serve(&r, routes, nroutes);
		http_req_release(&r);
		fflush(stdout);
		goto out;
	}
	if (FCGX_InitRequest(&fr, 0, 0) != 0) {
		status = 1;
		goto out;
	}
	while (!app_stopping && FCGX_Accept_r(&fr) >= 0) {
		http_req_init(&r, &fr);
		app_serve(&r, routes, nroutes);
		http_req_release(&r);
		if (app_nothing_unread(&fr))
			FCGX_Detach(&fr);
		FCGX_Finish_r(&fr);
	}
	FCGX_Free(&fr, 1);
out:
	reqstat_release();
	db_close();
	rds_close();
	http_cleanup();
	cfg_release();
	return status;
}
