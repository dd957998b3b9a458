/* http.h - the request layer of the FastCGI programs (over libfcgi).
 *
 * A program declares a static route table and calls app_run() (app.h);
 * this module parses each request (method, path, query, headers, cookies,
 * a size-capped body), matches it against the table (telling 404 from
 * 405), and writes JSON answers, cookies and X-Request-Id.  The same
 * program also works as plain CGI: one request from the environment and
 * stdin, answer on stdout.
 *
 * Everything a request allocates belongs to its struct http_req and is
 * released by http_req_release() at the end of the accept loop.
 *
 * Layer: base (common/README.md) - knows nothing of chat; includes base
 * headers only.
 */
#ifndef EC_HTTP_H
#define EC_HTTP_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"
#include "proxy.h"

enum http_method {
	HTTP_GET = 1 << 0,
	HTTP_POST = 1 << 1,
	HTTP_PUT = 1 << 2,
	HTTP_PATCH = 1 << 3,
	HTTP_DELETE = 1 << 4,
	HTTP_OTHER = 1 << 5,
};

/* Route flags. */
#define HTTP_AUTH_OPTIONAL  0x01 /* identify the caller if possible */
#define HTTP_AUTH_REQUIRED  0x02 /* 401 unless signed in */
#define HTTP_BODY_MULTIPART 0x04 /* multipart/form-data upload */
#define HTTP_BODY_RAW       0x08 /* body kept raw, any content type */
#define HTTP_RATE_SIGNUP    0x10 /* also the per-address sign-up bucket */
#define HTTP_RATE_EXEMPT    0x20 /* no rate limit (e.g. logout) */
#define HTTP_AUTH_DEFER                                                        \
	0x40                    /* GET: the handler's first Redis call         \
	                           checks the session (auth.h) */
#define HTTP_RATE_MESSAGE 0x80  /* also the caller's message bucket */
#define HTTP_BODY_ATTACH  0x100 /* with MULTIPART: up to cfg.attach_max */

#define HTTP_MAX_IDS  4
#define HTTP_MAX_ARGS 2

struct http_req;
typedef enum err_code (*http_handler)(struct http_req *r);

/* One entry of a program's route table.  In `pattern`, a segment "{id}"
 * matches a positive decimal integer (stored in r->ids[] in order) and
 * "{str}" any segment of 1..64 URL-safe characters (r->args[]), and
 * "{text}" any segment of 1..256 bytes that percent-decodes to valid
 * UTF-8 without U+0000 (decoded into r->args[]; '+' reads as a space). */
struct http_route {
	int method;
	const char *pattern;
	http_handler handler;
	int flags;
};

struct http_req {
	/* Request, as parsed. */
	int method;
	const char *method_name;
	char *path;  /* without the query string */
	char *query; /* raw, without '?'; "" if none */
	char request_id[65];
	/* The client's address: REMOTE_ADDR, or behind a trusted proxy the
	 * forwarded one (see proxy.h); used by rate limits and logs. */
	const char *remote_addr;
	char client_addr[PROXY_ADDR_MAX];
	/* "https" or "http" as a trusted proxy says, else NULL. */
	const char *forwarded_scheme;
	int64_t ids[HTTP_MAX_IDS];
	const char *args[HTTP_MAX_ARGS];
	const struct http_route *route;
	struct buf body;          /* raw body */
	struct json_object *json; /* parsed JSON object ({} if empty) */

	/* Caller, filled by authentication. */
	int64_t user_id;   /* 0 when anonymous */
	int64_t family_id; /* session of the access token */
	int via_bearer;

	/* Rate limits (common/limit.c), when taken together with the
	 * authentication: rate_checked set, rate_wait the seconds to wait
	 * (0 = taken). */
	int rate_checked;
	long rate_wait;
	/* The session's revocation mark is still to be checked by the
	 * handler (HTTP_AUTH_DEFER, auth.h); auth_no_defer: check it in
	 * authentication after all. */
	int auth_deferred;
	int auth_no_defer;

	/* Set while a check the answer depends on is still due:
	 * http_reply() then answers 500 instead (a bug in the handler). */
	int reply_hold;

	/* Error details for the JSON error body. */
	const char *error_message;        /* NULL = the code's default */
	struct json_object *error_fields; /* "fields" of a 400 */
	long retry_after;                 /* seconds, for 429 */

	/* Response. */
	int replied;
	int status;
	struct buf headers; /* extra header lines */

	/* Transport and memory owned by the request. */
	void *transport; /* FCGX_Request, NULL in CGI mode */
	void **pool;
	size_t npool;
};

/* Reads the request layer's configuration (TRUSTED_PROXIES,
 * TRUSTED_PROXY_HEADER) after cfg_load(); ERR_INTERNAL, logged, when it
 * is malformed.  http_cleanup() frees it. */
enum err_code http_init(void);
void http_cleanup(void);

/* Prepares `r` for one request on `transport` (NULL = CGI). */
void http_req_init(struct http_req *r, void *transport);

/* Frees everything the request owns and resets it for the next one. */
void http_req_release(struct http_req *r);

/* Parses method, URI, request id and the client's address.  ERR_BAD_REQUEST
 * when the URI is not usable or a query key or value is not percent-encoded
 * UTF-8 (so that http_query() only ever returns valid UTF-8). */
enum err_code http_req_parse(struct http_req *r);

/* Finds the route; ERR_NOT_FOUND or ERR_METHOD_NOT_ALLOWED (and the Allow
 * header) when there is none.  Fills r->route, r->ids, r->args. */
enum err_code http_route_match(struct http_req *r,
    const struct http_route *routes, size_t nroutes);

/* The route table as JSON, for `easychat-<program> --routes` (app.h):
 *   [{"method": "GET", "path": "/api/groups/{id}",
 *     "auth": "required" | "optional" | "none",
 *     "body": "json" | "multipart" | "raw"}, ...]
 * in table order.  The caller frees it with json_object_put(). */
struct json_object *
http_routes_json(const struct http_route *routes, size_t nroutes);

/* CSRF: an unsafe method without a bearer token that carries cookies, an
 * Origin or a Referer must come from a configured public origin. */
enum err_code http_check_origin(struct http_req *r);

/* Reads the body (capped at `max` bytes, else ERR_TOO_LARGE without
 * reading it) and, for JSON routes, checks the content type and parses
 * it into r->json (an object; {} when empty). */
enum err_code http_read_body(struct http_req *r, size_t max);

/* A CGI/FastCGI parameter ("REQUEST_METHOD", "HTTP_ORIGIN", ...), or NULL. */
const char *http_param(struct http_req *r, const char *name);

/* The value of cookie `name`, or NULL.  Owned by the request. */
const char *http_cookie(struct http_req *r, const char *name);

/* The percent-decoded value of query parameter `name` (valid UTF-8), or
 * NULL when absent.  Owned by the request. */
const char *http_query(struct http_req *r, const char *name);

/* Integer query parameter in [min, max]; `fallback` when absent.
 * ERR_VALIDATION (with fields) when present but not such an integer. */
enum err_code http_query_int(struct http_req *r, const char *name, int64_t min,
    int64_t max, int64_t fallback, int64_t *out);

/* ?limit= as the API reference says: 1..100, default 50. */
enum err_code http_query_limit(struct http_req *r, int64_t *limit);

/* ?limit= (as above) and ?offset= (0..2^31-1, default 0) of a paged list;
 * both are read, so that every bad one is in the error's fields. */
enum err_code
http_query_page(struct http_req *r, int64_t *limit, int64_t *offset);

/* Keeps `p` until the request ends (then free()d); returns p. */
void *http_keep(struct http_req *r, void *p);

/* Adds a response header line ("Name: value", no CRLF). */
void http_add_header(struct http_req *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Adds a Set-Cookie header: HttpOnly, SameSite=Lax, Secure per config.
 * max_age 0 deletes the cookie. */
void http_set_cookie(struct http_req *r, const char *name, const char *value,
    const char *path, long max_age);

/* Answers with a JSON document; takes ownership of obj (may be NULL for
 * an empty 204). */
void http_reply_json(struct http_req *r, int status, struct json_object *obj);

/* Answers with JSON text made elsewhere (usually by PostgreSQL). */
void
http_reply_raw(struct http_req *r, int status, const char *json, size_t len);

/* Answers 204 No Content. */
void http_reply_empty(struct http_req *r);

/* Answers with other content (e.g. a redirect: status 302, no body). */
void http_reply(struct http_req *r, int status, const char *content_type,
    const char *body, size_t len);

/* Records the message for the error body and returns `code`, so handlers
 * can `return http_fail(r, ERR_NOT_FOUND, "no such group");`. */
enum err_code
http_fail(struct http_req *r, enum err_code code, const char *message);

/* The "fields" object of a validation error, created on first use. */
struct json_object *http_fields(struct http_req *r);

/* Writes the JSON error body for `code` (used by app_run(); handlers
 * return the code instead). */
void http_reply_error(struct http_req *r, enum err_code code);

#endif
