/* fuzz_http.c - the request layer: request line and URI, routing (404 vs
 * 405, {id} and {str}), the CSRF Origin/Referer check, cookies, the query
 * string, the body (JSON, multipart, sizes) and the error answer, driven
 * through an in-memory FastCGI request as libfcgi would hand it over. */
#include <assert.h>
#include <fcgiapp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "fuzz.h"
#include "http.h"
#include "log.h"
#include "sec.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	setenv("JWT_SIGNING_KEY", "fuzz-key-0123456789abcdef0123456789abcdef",
	    1);
	setenv("PUBLIC_ORIGINS", "http://127.0.0.1:8080, https://chat.example",
	    1);
	log_init("fuzz_http", "error");
	if (cfg_load_file(NULL) != ERR_OK || sec_init() != ERR_OK)
		abort();
	return 0;
}

static enum err_code
fuzz_handler(struct http_req *r)
{
	http_reply_empty(r);
	return ERR_OK;
}

/* A route table shaped like the programs' own. */
static const struct http_route fuzz_routes[] = {
	{ HTTP_GET, "/api/groups", fuzz_handler, HTTP_AUTH_OPTIONAL },
	{ HTTP_POST, "/api/groups", fuzz_handler, HTTP_AUTH_REQUIRED },
	{ HTTP_GET, "/api/groups/{id}", fuzz_handler, HTTP_AUTH_OPTIONAL },
	{ HTTP_PATCH, "/api/groups/{id}", fuzz_handler, HTTP_AUTH_REQUIRED },
	{ HTTP_DELETE, "/api/groups/{id}/members/{id}", fuzz_handler, 0 },
	{ HTTP_POST, "/api/groups/{id}/icon", fuzz_handler,
	    HTTP_BODY_MULTIPART },
	{ HTTP_GET, "/api/invites/{str}", fuzz_handler, 0 },
	{ HTTP_POST, "/api/invites/{str}/join", fuzz_handler, 0 },
	{ HTTP_PUT, "/api/rooms/{id}/read", fuzz_handler, HTTP_BODY_RAW },
};

/* The request body: handed out in pieces as FCGX_GetStr asks, then
 * closed. */
static void
fuzz_fill(FCGX_Stream *s)
{
	s->isClosed = 1;
}

/* Answers are written to a small buffer that is simply reused. */
static void
fuzz_empty(FCGX_Stream *s, int doClose)
{
	s->wrNext = s->stopUnget;
	if (doClose)
		s->isClosed = 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* One line each, in this order; the rest is the body. */
	static const char *const names[] = { "REQUEST_METHOD", "REQUEST_URI",
		"HTTP_ORIGIN", "HTTP_REFERER", "HTTP_COOKIE",
		"HTTP_AUTHORIZATION", "CONTENT_TYPE", "CONTENT_LENGTH",
		"HTTP_X_REQUEST_ID" };
	enum { NPARAMS = sizeof(names) / sizeof(names[0]) };
	char *envp[NPARAMS + 2], *body;
	unsigned char out_buf[256];
	FCGX_Stream in, out;
	FCGX_Request fr;
	struct http_req r;
	size_t i, n, ne = 0;
	int64_t v;
	enum err_code rc;

	char *length = NULL;

	for (i = 0; i < NPARAMS; i++) {
		char *value = fuzz_field(&data, &size, '\n', &n);
		char *kv;

		/* A line "-" leaves the parameter out; "*" as the
		 * CONTENT_LENGTH stands for the body's real length. */
		if (strcmp(value, "-") != 0) {
			kv = malloc(strlen(names[i]) + strlen(value) + 24);
			if (kv == NULL)
				abort();
			strcpy(kv, names[i]);
			strcat(kv, "=");
			strcat(kv, value);
			if (strcmp(names[i], "CONTENT_LENGTH") == 0 &&
			    strcmp(value, "*") == 0)
				length = kv;
			envp[ne++] = kv;
		}
		free(value);
	}
	body = fuzz_copy(data, size);
	if (length != NULL)
		sprintf(length, "CONTENT_LENGTH=%zu", size);
	envp[ne] = NULL;

	memset(&in, 0, sizeof(in));
	in.rdNext = in.stopUnget = (unsigned char *)body;
	in.stop = in.wrNext = (unsigned char *)body + size;
	in.isReader = 1;
	in.fillBuffProc = fuzz_fill;
	memset(&out, 0, sizeof(out));
	out.wrNext = out.stopUnget = out_buf;
	out.stop = out.rdNext = out_buf + sizeof(out_buf);
	out.emptyBuffProc = fuzz_empty;
	memset(&fr, 0, sizeof(fr));
	fr.in = &in;
	fr.out = &out;
	fr.err = &out;
	fr.envp = envp;

	http_req_init(&r, &fr);
	rc = http_req_parse(&r);
	if (rc)
		goto out;
	http_cookie(&r, "access");
	http_cookie(&r, "refresh");
	http_query(&r, "q");
	if (http_query_limit(&r, &v) == ERR_OK)
		assert(v >= 1 && v <= 100);
	http_query_int(&r, "after", 1, INT64_MAX, 0, &v);
	rc = http_route_match(&r, fuzz_routes,
	    sizeof(fuzz_routes) / sizeof(fuzz_routes[0]));
	if (rc)
		goto out;
	for (i = 0; i < HTTP_MAX_IDS; i++)
		assert(r.ids[i] >= 0);
	rc = http_check_origin(&r);
	if (rc)
		goto out;
	rc = http_read_body(&r, 4096);
	if (rc)
		goto out;
	assert(r.body.len <= 4096);
	rc = r.route->handler(&r);
out:
	if (rc && !r.replied)
		http_reply_error(&r, rc);
	http_req_release(&r);
	for (i = 0; i < ne; i++)
		free(envp[i]);
	free(body);
	return 0;
}
