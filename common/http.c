/* http.c - the request layer of the FastCGI programs (over libfcgi). */
#include "http.h"

#include <ctype.h>
#include <errno.h>
#include <fcgiapp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cfg.h"
#include "json.h"
#include "log.h"
#include "mem.h"
#include "sec.h"
#include "status.h"
#include "utf8.h"

#define HTTP_URI_MAX     8192
#define HTTP_HEADERS_MAX (64 * 1024)

/* TRUSTED_PROXIES, parsed once by http_init(). */
static struct proxy_list http_proxies;

static const struct {
	int method;
	const char *name;
} http_methods[] = {
	{ HTTP_GET, "GET" },
	{ HTTP_POST, "POST" },
	{ HTTP_PUT, "PUT" },
	{ HTTP_PATCH, "PATCH" },
	{ HTTP_DELETE, "DELETE" },
};

enum err_code
http_init(void)
{
	const char *spec = cfg_get("TRUSTED_PROXIES", "");
	const char *header = cfg_get("TRUSTED_PROXY_HEADER", "x-forwarded-for");

	proxy_list_release(&http_proxies);
	if (proxy_list_parse(spec, &http_proxies) != ERR_OK) {
		log_error("TRUSTED_PROXIES: not a list of addresses or CIDR "
		          "blocks: %s",
		    spec);
		return ERR_INTERNAL;
	}
	if (strcasecmp(header, "forwarded") == 0) {
		http_proxies.header = PROXY_FORWARDED;
	} else if (strcasecmp(header, "x-forwarded-for") == 0) {
		http_proxies.header = PROXY_XFF;
	} else {
		log_error("TRUSTED_PROXY_HEADER must be x-forwarded-for or "
		          "forwarded, not %s",
		    header);
		proxy_list_release(&http_proxies);
		return ERR_INTERNAL;
	}
	return ERR_OK;
}

void
http_cleanup(void)
{
	proxy_list_release(&http_proxies);
}

void
http_req_init(struct http_req *r, void *transport)
{
	memset(r, 0, sizeof(*r));
	r->transport = transport;
	buf_init(&r->body, 0);
	buf_init(&r->headers, HTTP_HEADERS_MAX);
}

void
http_req_release(struct http_req *r)
{
	void *transport = r->transport;
	size_t i;

	for (i = 0; i < r->npool; i++)
		free(r->pool[i]);
	free(r->pool);
	free(r->path);
	free(r->query);
	buf_release(&r->body);
	buf_release(&r->headers);
	json_object_put(r->json);
	json_object_put(r->error_fields);
	http_req_init(r, transport);
}

void *
http_keep(struct http_req *r, void *p)
{
	r->pool = mem_realloc(r->pool, (r->npool + 1) * sizeof(void *));
	r->pool[r->npool++] = p;
	return p;
}

const char *
http_param(struct http_req *r, const char *name)
{
	FCGX_Request *fr = r->transport;

	if (fr == NULL)
		return getenv(name);
	return FCGX_GetParam(name, fr->envp);
}

static void
http_write(struct http_req *r, const char *data, size_t len)
{
	FCGX_Request *fr = r->transport;

	if (len == 0)
		return;
	if (fr == NULL)
		fwrite(data, 1, len, stdout);
	else
		FCGX_PutStr(data, (int)len, fr->out);
}

static long
http_read(struct http_req *r, char *data, size_t len)
{
	FCGX_Request *fr = r->transport;

	if (fr == NULL)
		return (long)fread(data, 1, len, stdin);
	return FCGX_GetStr(data, (int)len, fr->in);
}

static char *http_unescape(const char *s, size_t len);

/* 1 when every key and value of the query string percent-decodes to valid
 * UTF-8 (without U+0000), so http_query() never sees malformed input. */
static int
http_query_ok(const char *q)
{
	while (*q) {
		const char *end = strchrnul(q, '&');
		char *v = http_unescape(q, (size_t)(end - q));

		if (v == NULL)
			return 0;
		free(v);
		q = *end ? end + 1 : end;
	}
	return 1;
}

static int
http_request_id_ok(const char *id)
{
	size_t i, n;

	if (id == NULL)
		return 0;
	n = strlen(id);
	if (n < 1 || n > 64)
		return 0;
	for (i = 0; i < n; i++) {
		if (!isalnum((unsigned char)id[i]) && id[i] != '.' &&
		    id[i] != '_' && id[i] != '-')
			return 0;
	}
	return 1;
}

enum err_code
http_req_parse(struct http_req *r)
{
	const char *method, *uri, *q, *id, *peer;
	size_t i, len;

	id = http_param(r, "HTTP_X_REQUEST_ID");
	if (http_request_id_ok(id)) {
		snprintf(r->request_id, sizeof(r->request_id), "%s", id);
	} else {
		char tok[SEC_TOKEN_MAX];

		/* An id only tells requests apart in logs and answers (it
		 * is no secret: it is sent back): no getrandom() per
		 * request. */
		sec_unique_token(tok, 12);
		snprintf(r->request_id, sizeof(r->request_id), "%.64s", tok);
	}
	log_set_request_id(r->request_id);
	peer = http_param(r, "REMOTE_ADDR");
	proxy_client(&http_proxies, peer, http_param(r, "HTTP_X_FORWARDED_FOR"),
	    http_param(r, "HTTP_FORWARDED"), r->client_addr);
	r->remote_addr = r->client_addr;
	r->forwarded_scheme = proxy_scheme(&http_proxies, peer,
	    http_param(r, "HTTP_X_FORWARDED_PROTO"),
	    http_param(r, "HTTP_FORWARDED"));
	log_set_client(r->remote_addr);

	method = http_param(r, "REQUEST_METHOD");
	r->method = HTTP_OTHER;
	r->method_name = method ? method : "";
	for (i = 0;
	     method && i < sizeof(http_methods) / sizeof(http_methods[0]);
	     i++) {
		if (strcmp(method, http_methods[i].name) == 0)
			r->method = http_methods[i].method;
	}

	uri = http_param(r, "REQUEST_URI");
	if (uri == NULL || uri[0] != '/')
		return ERR_BAD_REQUEST;
	len = strlen(uri);
	if (len > HTTP_URI_MAX)
		return ERR_BAD_REQUEST;
	q = strchr(uri, '?');
	if (q != NULL) {
		r->path = mem_strndup(uri, (size_t)(q - uri));
		r->query = mem_strdup(q + 1);
	} else {
		r->path = mem_strdup(uri);
		r->query = mem_strdup("");
	}
	if (!http_query_ok(r->query))
		return http_fail(r, ERR_BAD_REQUEST,
		    "The query string is not valid percent-encoded UTF-8.");
	return ERR_OK;
}

static const char *
http_method_str(int method)
{
	size_t i;

	for (i = 0; i < sizeof(http_methods) / sizeof(http_methods[0]); i++) {
		if (http_methods[i].method == method)
			return http_methods[i].name;
	}
	return "OTHER";
}

struct json_object *
http_routes_json(const struct http_route *routes, size_t nroutes)
{
	struct json_object *list, *o;
	const char *auth, *body;
	size_t i;

	list = json_object_new_array();
	for (i = 0; i < nroutes; i++) {
		auth = (routes[i].flags & HTTP_AUTH_REQUIRED) ? "required"
		    : (routes[i].flags & HTTP_AUTH_OPTIONAL)  ? "optional"
		                                              : "none";
		body = (routes[i].flags & HTTP_BODY_MULTIPART) ? "multipart"
		    : (routes[i].flags & HTTP_BODY_RAW)        ? "raw"
		                                               : "json";
		o = json_object_new_object();
		json_object_object_add(o, "method",
		    json_object_new_string(http_method_str(routes[i].method)));
		json_object_object_add(o, "path",
		    json_object_new_string(routes[i].pattern));
		json_object_object_add(o, "auth", json_object_new_string(auth));
		json_object_object_add(o, "body", json_object_new_string(body));
		json_object_array_add(list, o);
	}
	return list;
}

/* Matches one segment of a pattern; returns 1 on a match. */
static int
http_segment_match(struct http_req *r, const char *pat, size_t plen,
    const char *seg, size_t slen, size_t *nids, size_t *nargs)
{
	size_t i;

	if (plen == 4 && memcmp(pat, "{id}", 4) == 0) {
		int64_t v = 0;

		if (slen == 0 || slen > 18 || seg[0] == '0')
			return 0;
		for (i = 0; i < slen; i++) {
			if (!isdigit((unsigned char)seg[i]))
				return 0;
			v = v * 10 + (seg[i] - '0');
		}
		if (*nids < HTTP_MAX_IDS)
			r->ids[(*nids)++] = v;
		return 1;
	}
	if (plen == 5 && memcmp(pat, "{str}", 5) == 0) {
		if (slen == 0 || slen > 64)
			return 0;
		for (i = 0; i < slen; i++) {
			if (!isalnum((unsigned char)seg[i]) && seg[i] != '-' &&
			    seg[i] != '_')
				return 0;
		}
		if (*nargs < HTTP_MAX_ARGS)
			r->args[(*nargs)++] = http_keep(r,
			    mem_strndup(seg, slen));
		return 1;
	}
	if (plen == 6 && memcmp(pat, "{text}", 6) == 0) {
		/* Any text, percent-encoded (an emoji of a reaction): it
		 * must decode to valid UTF-8 without U+0000; what it may be
		 * is the handler's to say (a clear 400, not a 404). */
		char *v;

		if (slen == 0 || slen > 256 || memmem(seg, slen, "%00", 3))
			return 0;
		v = http_unescape(seg, slen);
		if (v == NULL)
			return 0;
		if (*nargs < HTTP_MAX_ARGS)
			r->args[(*nargs)++] = http_keep(r, v);
		else
			free(v);
		return 1;
	}
	return plen == slen && memcmp(pat, seg, slen) == 0;
}

/* 1 when `path` fits `pattern`, filling ids/args. */
static int
http_path_match(struct http_req *r, const char *pattern, const char *path)
{
	size_t nids = 0, nargs = 0;
	const char *p = pattern, *s = path;

	/* A single trailing slash is tolerated. */
	for (;;) {
		const char *pe, *se;

		if (*p != '/' || *s != '/')
			return 0;
		p++;
		s++;
		pe = strchrnul(p, '/');
		se = strchrnul(s, '/');
		if (!http_segment_match(r, p, (size_t)(pe - p), s,
		        (size_t)(se - s), &nids, &nargs))
			return 0;
		p = pe;
		s = se;
		if (*p == '\0')
			return *s == '\0' || (s[0] == '/' && s[1] == '\0');
		if (*s == '\0')
			return 0;
	}
}

enum err_code
http_route_match(struct http_req *r, const struct http_route *routes,
    size_t nroutes)
{
	int allowed = 0;
	size_t i, k;

	for (i = 0; i < nroutes; i++) {
		if (!http_path_match(r, routes[i].pattern, r->path))
			continue;
		if (routes[i].method == r->method) {
			/* Rematch to keep only this route's captures. */
			memset(r->ids, 0, sizeof(r->ids));
			http_path_match(r, routes[i].pattern, r->path);
			r->route = &routes[i];
			return ERR_OK;
		}
		allowed |= routes[i].method;
	}
	if (allowed == 0)
		return ERR_NOT_FOUND;
	{
		struct buf allow;

		buf_init(&allow, 256);
		for (k = 0; k < sizeof(http_methods) / sizeof(http_methods[0]);
		     k++) {
			if (allowed & http_methods[k].method)
				buf_printf(&allow, "%s%s",
				    allow.len ? ", " : "",
				    http_methods[k].name);
		}
		http_add_header(r, "Allow: %s", allow.data);
		buf_release(&allow);
	}
	return ERR_METHOD_NOT_ALLOWED;
}

/* Reduces a Referer to its origin (scheme://host[:port]). */
static size_t
http_origin_of(const char *url)
{
	const char *p = strstr(url, "://");

	if (p == NULL)
		return 0;
	p += 3;
	while (*p && *p != '/' && *p != '?' && *p != '#')
		p++;
	return (size_t)(p - url);
}

enum err_code
http_check_origin(struct http_req *r)
{
	const char *origin, *referer, *cookie, *authz;

	if (r->method == HTTP_GET || r->method == HTTP_OTHER)
		return ERR_OK;
	authz = http_param(r, "HTTP_AUTHORIZATION");
	if (authz != NULL && strncasecmp(authz, "Bearer ", 7) == 0)
		return ERR_OK;
	origin = http_param(r, "HTTP_ORIGIN");
	referer = http_param(r, "HTTP_REFERER");
	cookie = http_param(r, "HTTP_COOKIE");
	/* An Origin header, when present, decides alone: "null" (a
	 * sandboxed frame, a data: URL, a cross-origin redirect) is
	 * refused even when a Referer names one of our origins. */
	if (origin != NULL)
		return cfg_origin_allowed(origin, strlen(origin)) ? ERR_OK
		                                                  : ERR_CSRF;
	if (referer != NULL && referer[0] != '\0') {
		size_t n = http_origin_of(referer);

		return n && cfg_origin_allowed(referer, n) ? ERR_OK : ERR_CSRF;
	}
	return cookie != NULL && cookie[0] != '\0' ? ERR_CSRF : ERR_OK;
}

/* 1 when the Content-Type's media type equals `want` (case-insensitive,
 * parameters ignored). */
static int
http_content_type_is(const char *ct, const char *want)
{
	size_t n = strlen(want);

	if (ct == NULL)
		return 0;
	while (*ct == ' ')
		ct++;
	if (strncasecmp(ct, want, n) != 0)
		return 0;
	ct += n;
	while (*ct == ' ')
		ct++;
	return *ct == '\0' || *ct == ';';
}

enum err_code
http_read_body(struct http_req *r, size_t max)
{
	const char *cl, *ct;
	char *end, chunk[16384];
	unsigned long long want;
	enum err_code rc;
	long n;

	cl = http_param(r, "CONTENT_LENGTH");
	ct = http_param(r, "CONTENT_TYPE");
	want = 0;
	if (cl != NULL && cl[0] != '\0') {
		errno = 0;
		want = strtoull(cl, &end, 10);
		if (errno || *end != '\0' || cl[0] == '-')
			return ERR_BAD_REQUEST;
	}
	if (want > max)
		return http_fail(r, ERR_TOO_LARGE, "The body is too large.");
	r->body.max = max;
	while (r->body.len < want) {
		size_t ask = want - r->body.len;

		if (ask > sizeof(chunk))
			ask = sizeof(chunk);
		n = http_read(r, chunk, ask);
		if (n <= 0)
			return ERR_BAD_REQUEST; /* body shorter than announced */
		rc = buf_append(&r->body, chunk, (size_t)n);
		if (rc)
			return rc;
	}
	if (r->route != NULL && (r->route->flags & HTTP_BODY_MULTIPART)) {
		if (!http_content_type_is(ct, "multipart/form-data"))
			return http_fail(r, ERR_UNSUPPORTED_MEDIA,
			    "Send the file as multipart/form-data.");
		return ERR_OK;
	}
	if (r->route != NULL && (r->route->flags & HTTP_BODY_RAW))
		return ERR_OK;
	if (r->body.len == 0) {
		r->json = json_object_new_object();
		return ERR_OK;
	}
	if (!http_content_type_is(ct, "application/json"))
		return http_fail(r, ERR_UNSUPPORTED_MEDIA,
		    "Send the body as application/json.");
	rc = json_parse(r->body.data, r->body.len, &r->json);
	if (rc)
		return rc;
	if (!json_object_is_type(r->json, json_type_object))
		return http_fail(r, ERR_BAD_JSON,
		    "The body must be a JSON object.");
	return ERR_OK;
}

const char *
http_cookie(struct http_req *r, const char *name)
{
	const char *p = http_param(r, "HTTP_COOKIE");
	size_t nlen = strlen(name);

	if (p == NULL)
		return NULL;
	while (*p) {
		const char *end, *eq, *v;
		size_t vlen;

		while (*p == ' ' || *p == ';')
			p++;
		end = strchrnul(p, ';');
		eq = memchr(p, '=', (size_t)(end - p));
		if (eq != NULL && (size_t)(eq - p) == nlen &&
		    memcmp(p, name, nlen) == 0) {
			v = eq + 1;
			vlen = (size_t)(end - v);
			while (vlen && v[vlen - 1] == ' ')
				vlen--;
			if (vlen >= 2 && v[0] == '"' && v[vlen - 1] == '"') {
				v++;
				vlen -= 2;
			}
			return http_keep(r, mem_strndup(v, vlen));
		}
		p = end;
	}
	return NULL;
}

static int
http_hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decodes s[0..len) ('+' is a space); NULL if malformed. */
static char *
http_unescape(const char *s, size_t len)
{
	char *out = mem_alloc(len + 1);
	size_t i, n = 0;

	for (i = 0; i < len; i++) {
		if (s[i] == '%') {
			int hi, lo;

			if (i + 2 >= len) {
				free(out);
				return NULL;
			}
			hi = http_hex((unsigned char)s[i + 1]);
			lo = http_hex((unsigned char)s[i + 2]);
			if (hi < 0 || lo < 0) {
				free(out);
				return NULL;
			}
			out[n++] = (char)(hi * 16 + lo);
			i += 2;
		} else {
			out[n++] = s[i] == '+' ? ' ' : s[i];
		}
	}
	out[n] = '\0';
	if (!utf8_valid(out, n)) {
		free(out);
		return NULL;
	}
	return out;
}

const char *
http_query(struct http_req *r, const char *name)
{
	const char *p = r->query;
	size_t nlen = strlen(name);

	while (p && *p) {
		const char *end = strchrnul(p, '&');
		const char *eq = memchr(p, '=', (size_t)(end - p));
		size_t klen = eq ? (size_t)(eq - p) : (size_t)(end - p);

		if (klen == nlen && memcmp(p, name, nlen) == 0) {
			char *v;

			if (eq == NULL)
				return http_keep(r, mem_strdup(""));
			/* Checked by http_req_parse(): never NULL here. */
			v = http_unescape(eq + 1, (size_t)(end - eq - 1));
			return http_keep(r, v ? v : mem_strdup(""));
		}
		p = *end ? end + 1 : end;
	}
	return NULL;
}

enum err_code
http_query_int(struct http_req *r, const char *name, int64_t min, int64_t max,
    int64_t fallback, int64_t *out)
{
	const char *s = http_query(r, name);
	char *end;
	long long v;

	*out = fallback;
	if (s == NULL)
		return ERR_OK;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (s[0] == '\0' || errno || *end != '\0' || v < min || v > max ||
	    isspace((unsigned char)s[0])) {
		char why[96];

		snprintf(why, sizeof(why),
		    "must be an integer from %lld to %lld", (long long)min,
		    (long long)max);
		json_field_error(http_fields(r), name, why);
		return ERR_VALIDATION;
	}
	*out = v;
	return ERR_OK;
}

enum err_code
http_query_limit(struct http_req *r, int64_t *limit)
{
	return http_query_int(r, "limit", 1, 100, 50, limit);
}

enum err_code
http_query_page(struct http_req *r, int64_t *limit, int64_t *offset)
{
	enum err_code rc;

	rc = http_query_limit(r, limit);
	if (http_query_int(r, "offset", 0, INT32_MAX, 0, offset))
		rc = ERR_VALIDATION;
	return rc;
}

void
http_add_header(struct http_req *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(&r->headers, fmt, ap);
	va_end(ap);
	buf_puts(&r->headers, "\r\n");
}

void
http_set_cookie(struct http_req *r, const char *name, const char *value,
    const char *path, long max_age)
{
	http_add_header(r,
	    "Set-Cookie: %s=%s; Path=%s; Max-Age=%ld; HttpOnly; "
	    "SameSite=Lax%s",
	    name, max_age > 0 ? value : "", path, max_age > 0 ? max_age : 0L,
	    cfg.cookie_secure ? "; Secure" : "");
}

void
http_reply(struct http_req *r, int status, const char *content_type,
    const char *body, size_t len)
{
	struct buf head;

	if (r->replied)
		return;
	if (r->reply_hold) {
		/* An answer before a check it depends on (see http.h). */
		r->reply_hold = 0;
		log_error("%s %s answered before its checks were done",
		    r->method_name, r->path ? r->path : "?");
		http_reply_error(r, ERR_INTERNAL);
		return;
	}
	r->replied = 1;
	r->status = status;
	buf_init(&head, 0);
	buf_printf(&head, "Status: %d %s\r\n", status, status_reason(status));
	if (content_type != NULL)
		buf_printf(&head, "Content-Type: %s\r\n", content_type);
	buf_printf(&head, "X-Request-Id: %s\r\n", r->request_id);
	/* no-store unless the handler chose (a file: private caching). */
	if (r->headers.len == 0 ||
	    memmem(r->headers.data, r->headers.len, "Cache-Control:", 14) ==
	        NULL)
		buf_puts(&head, "Cache-Control: no-store\r\n");
	buf_append(&head, r->headers.data, r->headers.len);
	buf_puts(&head, "\r\n");
	http_write(r, head.data, head.len);
	buf_release(&head);
	if (r->method != HTTP_OTHER || strcmp(r->method_name, "HEAD") != 0)
		http_write(r, body, len);
}

void
http_reply_raw(struct http_req *r, int status, const char *json, size_t len)
{
	http_reply(r, status, "application/json; charset=utf-8", json, len);
}

void
http_reply_json(struct http_req *r, int status, struct json_object *obj)
{
	struct buf out;

	buf_init(&out, 0);
	if (obj != NULL)
		json_append(&out, obj);
	http_reply_raw(r, status, out.data, out.len);
	buf_release(&out);
	json_object_put(obj);
}

void
http_reply_empty(struct http_req *r)
{
	http_reply(r, 204, NULL, "", 0);
}

enum err_code
http_fail(struct http_req *r, enum err_code code, const char *message)
{
	r->error_message = message;
	return code;
}

struct json_object *
http_fields(struct http_req *r)
{
	if (r->error_fields == NULL)
		r->error_fields = json_object_new_object();
	return r->error_fields;
}

void
http_reply_error(struct http_req *r, enum err_code code)
{
	struct buf out;
	int status = err_status(code);

	if (status >= 500)
		log_error("%s %s failed: %s", r->method_name,
		    r->path ? r->path : "?", err_name(code));
	if (code == ERR_RATE_LIMITED)
		http_add_header(r, "Retry-After: %ld",
		    r->retry_after > 0 ? r->retry_after : 1L);
	buf_init(&out, 0);
	/* Server errors never carry internals to the client. */
	status_error_body(&out, code, status >= 500 ? NULL : r->error_message,
	    code == ERR_VALIDATION || code == ERR_BAD_REQUEST ? r->error_fields
	                                                      : NULL);
	http_reply_raw(r, status, out.data, out.len);
	buf_release(&out);
}
