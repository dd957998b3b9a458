/* listen.c - accepts connections, reads the upgrade request and
 * authenticates it before libwebsockets sees the socket.
 *
 * lws cannot pause a handshake while we ask Redis and PostgreSQL, and a
 * refused handshake must be an HTTP status (401/403/503), never an
 * upgraded socket that is then closed.  So the relay owns its listening
 * socket: it reads the request head (at most HS_MAX bytes), checks the
 * Origin, the ticket (GETDEL) or the access cookie (JWT + revocation
 * list), loads the user's groups, and only then adopts the socket into
 * lws with a trimmed copy of the request (no cookies), which lws answers
 * with 101.  Every wait is asynchronous and bounded by HS_TIMEOUT.
 */
#include "relay.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <libwebsockets.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cfg.h"
#include "jwt.h"
#include "log.h"
#include "mem.h"
#include "status.h"
#include "wire.h"

#define HS_MAX       8192 /* request head limit: 431 above */
#define HS_TIMEOUT   10.0 /* seconds for a whole handshake */
#define HS_VALUE_MAX 256  /* longest header value kept for lws */

struct hs {
	struct hs *prev, *next; /* live handshakes */
	int fd;
	ev_io io;
	ev_timer timer;
	int waiting; /* an async lookup is out */
	int dead;    /* closed meanwhile: free on return */
	size_t len;
	struct relay_auth auth;
	char req[1024]; /* the trimmed request for lws */
	size_t reqlen;
	char buf[HS_MAX + 1];
};

static struct hs *hs_live;
static int listen_fd = -1;
static ev_io listen_io;
static ev_timer listen_pause;
/* Authentication of sockets adopted into lws, by fd + 1. */
static struct map listen_auths;

/* No row when the user is gone or the sign-in session ($2) is revoked:
 * PostgreSQL is the record of revocation (the Redis mark can be lost). */
static const char SQL_USER[] =
    "SELECT p.default_status, to_json(p.full_name)::text, "
    "coalesce((SELECT string_agg(group_id::text, ',') FROM group_members "
    "WHERE user_id = $1), '') FROM profiles p "
    "JOIN sessions s ON s.id = $2 AND s.user_id = p.user_id "
    "AND s.revoked_at IS NULL WHERE p.user_id = $1";

void
relay_auth_free(struct relay_auth *a)
{
	if (a == NULL)
		return;
	free(a->full_name_json);
	free(a->groups);
	free(a);
}

static void
hs_free(struct hs *h)
{
	if (h->prev)
		h->prev->next = h->next;
	else
		hs_live = h->next;
	if (h->next)
		h->next->prev = h->prev;
	free(h->auth.full_name_json);
	free(h->auth.groups);
	free(h);
}

/* Ends the handshake: closes the socket now; frees unless a lookup is
 * still out (its callback frees). */
static void
hs_close(struct hs *h)
{
	ev_io_stop(relay_loop, &h->io);
	ev_timer_stop(relay_loop, &h->timer);
	if (h->fd >= 0)
		close(h->fd);
	h->fd = -1;
	if (h->waiting)
		h->dead = 1;
	else
		hs_free(h);
}

static void
hs_refuse(struct hs *h, enum err_code code, int status, const char *message)
{
	struct buf out, body;
	ssize_t w;

	if (status == 0)
		status = err_status(code);
	metrics_refused(status);
	buf_init(&body, 0);
	buf_init(&out, 0);
	status_error_body(&body, code, message, NULL);
	buf_printf(&out,
	    "HTTP/1.1 %d %s\r\n"
	    "Content-Type: application/json\r\n"
	    "Content-Length: %zu\r\n"
	    "Cache-Control: no-store\r\n"
	    "Connection: close\r\n\r\n",
	    status, status_reason(status), body.len);
	buf_append(&out, body.data, body.len);
	if (h->fd >= 0) {
		/* One small write to a fresh socket; nothing to retry. */
		w = write(h->fd, out.data, out.len);
		(void)w;
		shutdown(h->fd, SHUT_WR);
	}
	buf_release(&body);
	buf_release(&out);
	log_info("handshake refused: %d %s", status,
	    message ? message : err_name(code));
	hs_close(h);
}

/* ---- adoption ---------------------------------------------------------- */

struct relay_auth *
listen_take_auth(int fd)
{
	if (fd < 0)
		return NULL;
	return map_del(&listen_auths, (int64_t)fd + 1);
}

static void
hs_adopt(struct hs *h)
{
	struct relay_auth *a;
	struct lws *wsi;
	int fd = h->fd;

	ev_io_stop(relay_loop, &h->io);
	ev_timer_stop(relay_loop, &h->timer);
	a = mem_alloc(sizeof(*a));
	*a = h->auth;
	memset(&h->auth, 0, sizeof(h->auth));
	/* A stale entry for a reused fd (lws refused that handshake). */
	relay_auth_free(map_put(&listen_auths, (int64_t)fd + 1, a));
	h->fd = -1;
	wsi = lws_adopt_socket_vhost_readbuf(relay_vhost, fd, h->req,
	    h->reqlen);
	if (wsi == NULL) {
		/* lws closed the fd. */
		log_warn("lws refused to adopt a socket");
		relay_auth_free(listen_take_auth(fd));
	} else {
		metrics.handshakes_ok++;
	}
	hs_free(h);
}

/* ---- the lookups ------------------------------------------------------- */

static void
hs_user_cb(const struct pg_res *res, void *arg)
{
	struct hs *h = arg;
	const char *status, *name, *groups;

	h->waiting = 0;
	if (h->dead) {
		hs_free(h);
		return;
	}
	if (res == NULL) {
		hs_refuse(h, ERR_UNAVAILABLE, 503, "database unavailable");
		return;
	}
	if (pg_rows(res) != 1) {
		hs_refuse(h, ERR_TOKEN_INVALID, 401,
		    "no such user or session revoked");
		return;
	}
	status = pg_value(res, 0, 0);
	name = pg_value(res, 0, 1);
	groups = pg_value(res, 0, 2);
	snprintf(h->auth.status, sizeof(h->auth.status), "%s",
	    status ? status : "Online");
	h->auth.full_name_json = mem_strdup(name ? name : "\"\"");
	h->auth.groups = wire_parse_ids(groups, &h->auth.ngroups);
	hs_adopt(h);
}

static void
hs_load_user(struct hs *h)
{
	char uid[24], sid[24];
	const char *params[2];

	snprintf(uid, sizeof(uid), "%" PRId64, h->auth.user_id);
	snprintf(sid, sizeof(sid), "%" PRId64, h->auth.session_id);
	params[0] = uid;
	params[1] = sid;
	h->waiting = 1;
	pg_query(hs_user_cb, h, SQL_USER, 2, params);
}

static void
hs_revoked_cb(const struct bus_reply *reply, void *arg)
{
	struct hs *h = arg;
	long long revoked;

	h->waiting = 0;
	if (h->dead) {
		hs_free(h);
		return;
	}
	if (bus_reply_int(reply, &revoked)) {
		hs_refuse(h, ERR_UNAVAILABLE, 503, "redis unavailable");
		return;
	}
	if (revoked != 0) {
		hs_refuse(h, ERR_TOKEN_INVALID, 401, "session revoked");
		return;
	}
	hs_load_user(h);
}

static void
hs_check_revoked(struct hs *h)
{
	char key[WIRE_NAME_MAX];

	wire_key_revoked_session(key, h->auth.session_id);
	if (bus_command(hs_revoked_cb, h, "EXISTS %s", key)) {
		hs_refuse(h, ERR_UNAVAILABLE, 503, "redis unavailable");
		return;
	}
	h->waiting = 1;
}

static void
hs_ticket_cb(const struct bus_reply *reply, void *arg)
{
	struct hs *h = arg;
	const char *v;
	long long uid, sid;

	h->waiting = 0;
	if (h->dead) {
		hs_free(h);
		return;
	}
	if (reply == NULL) {
		hs_refuse(h, ERR_UNAVAILABLE, 503, "redis unavailable");
		return;
	}
	v = bus_reply_str(reply, NULL);
	if (v == NULL || sscanf(v, "%lld:%lld", &uid, &sid) != 2 || uid <= 0) {
		hs_refuse(h, ERR_TOKEN_INVALID, 401, "unknown or used ticket");
		return;
	}
	h->auth.user_id = uid;
	h->auth.session_id = sid;
	hs_check_revoked(h);
}

/* ---- parsing ----------------------------------------------------------- */

struct hs_head {
	const char *target;
	size_t target_len;
	const char *host, *upgrade, *key, *version, *protocol, *origin, *cookie;
	size_t host_len, upgrade_len, key_len, version_len, protocol_len,
	    origin_len, cookie_len;
	int has_origin;
};

/* Parses the request head in place (NUL-terminates nothing). */
static enum err_code
hs_parse(struct hs *h, struct hs_head *hd)
{
	char *p = h->buf, *eol, *colon, *v, *sp;
	size_t nlen, vlen;

	memset(hd, 0, sizeof(*hd));
	eol = strstr(p, "\r\n");
	if (eol == NULL || strncmp(p, "GET ", 4) != 0)
		return ERR_METHOD_NOT_ALLOWED;
	hd->target = p + 4;
	sp = memchr(hd->target, ' ', (size_t)(eol - hd->target));
	if (sp == NULL)
		return ERR_BAD_REQUEST;
	hd->target_len = (size_t)(sp - hd->target);
	for (p = eol + 2; (eol = strstr(p, "\r\n")) != NULL && eol != p;
	     p = eol + 2) {
		colon = memchr(p, ':', (size_t)(eol - p));
		if (colon == NULL)
			return ERR_BAD_REQUEST;
		nlen = (size_t)(colon - p);
		for (v = colon + 1; v < eol && (*v == ' ' || *v == '\t'); v++)
			;
		vlen = (size_t)(eol - v);
		while (vlen && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
			vlen--;
#define HS_HDR(name, field)                                                    \
	if (nlen == sizeof(name) - 1 && strncasecmp(p, name, nlen) == 0) {     \
		hd->field = v;                                                 \
		hd->field##_len = vlen;                                        \
		continue;                                                      \
	}
		HS_HDR("Host", host)
		HS_HDR("Upgrade", upgrade)
		HS_HDR("Sec-WebSocket-Key", key)
		HS_HDR("Sec-WebSocket-Version", version)
		HS_HDR("Sec-WebSocket-Protocol", protocol)
		HS_HDR("Origin", origin)
		HS_HDR("Cookie", cookie)
#undef HS_HDR
	}
	return ERR_OK;
}

/* The value of query parameter `name` in target (not decoded: tickets
 * are URL-safe); NULL when absent. */
static const char *
hs_query(const char *target, size_t tlen, const char *name, size_t *vlen)
{
	const char *q = memchr(target, '?', tlen), *end = target + tlen, *amp;
	size_t nlen = strlen(name);

	if (q == NULL)
		return NULL;
	for (q++; q < end; q = amp + 1) {
		amp = memchr(q, '&', (size_t)(end - q));
		if (amp == NULL)
			amp = end;
		if ((size_t)(amp - q) > nlen && q[nlen] == '=' &&
		    memcmp(q, name, nlen) == 0) {
			*vlen = (size_t)(amp - q) - nlen - 1;
			return q + nlen + 1;
		}
	}
	return NULL;
}

/* The value of cookie `name`; NULL when absent. */
static const char *
hs_cookie(const char *c, size_t clen, const char *name, size_t *vlen)
{
	const char *end = c + clen, *semi, *eq;
	size_t nlen = strlen(name);

	while (c && c < end) {
		while (c < end && (*c == ' ' || *c == ';'))
			c++;
		semi = memchr(c, ';', (size_t)(end - c));
		if (semi == NULL)
			semi = end;
		eq = memchr(c, '=', (size_t)(semi - c));
		if (eq && (size_t)(eq - c) == nlen &&
		    memcmp(c, name, nlen) == 0) {
			*vlen = (size_t)(semi - eq - 1);
			return eq + 1;
		}
		c = semi;
	}
	return NULL;
}

static int
hs_token_chars(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!((s[i] >= 'A' && s[i] <= 'Z') ||
		        (s[i] >= 'a' && s[i] <= 'z') ||
		        (s[i] >= '0' && s[i] <= '9') || s[i] == '-' ||
		        s[i] == '_' || s[i] == '.'))
			return 0;
	}
	return 1;
}

static void
hs_process(struct hs *h)
{
	struct hs_head hd;
	struct jwt_claims claims;
	const char *ticket, *token, *path_end;
	size_t tlen = 0, plen;
	char tok[2048], key[WIRE_NAME_MAX];
	enum err_code rc;
	int n;

	rc = hs_parse(h, &hd);
	if (rc) {
		hs_refuse(h, rc, 0, NULL);
		return;
	}
	path_end = memchr(hd.target, '?', hd.target_len);
	plen = path_end ? (size_t)(path_end - hd.target) : hd.target_len;
	if (!((plen == 3 && memcmp(hd.target, "/ws", 3) == 0) ||
	        (plen == 4 && memcmp(hd.target, "/ws/", 4) == 0))) {
		hs_refuse(h, ERR_NOT_FOUND, 404, "no such path");
		return;
	}
	if (hd.upgrade == NULL || hd.upgrade_len != 9 ||
	    strncasecmp(hd.upgrade, "websocket", 9) != 0 || hd.key == NULL ||
	    hd.version == NULL || hd.key_len > 64 || hd.version_len > 8 ||
	    hd.host_len > HS_VALUE_MAX || hd.protocol_len > HS_VALUE_MAX) {
		hs_refuse(h, ERR_BAD_REQUEST, 400, "not a websocket upgrade");
		return;
	}
	if (hd.origin && !cfg_origin_allowed(hd.origin, hd.origin_len)) {
		hs_refuse(h, ERR_FORBIDDEN, 403, "origin not allowed");
		return;
	}
	/* The request lws will see: what a websocket upgrade needs. */
	n = snprintf(h->req, sizeof(h->req),
	    "GET /ws HTTP/1.1\r\n"
	    "Host: %.*s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
	    "Sec-WebSocket-Key: %.*s\r\nSec-WebSocket-Version: %.*s\r\n"
	    "%s%.*s%s\r\n",
	    (int)hd.host_len, hd.host ? hd.host : "relay", (int)hd.key_len,
	    hd.key, (int)hd.version_len, hd.version,
	    hd.protocol ? "Sec-WebSocket-Protocol: " : "", (int)hd.protocol_len,
	    hd.protocol ? hd.protocol : "", hd.protocol ? "\r\n" : "");
	if (n < 0 || (size_t)n >= sizeof(h->req)) {
		hs_refuse(h, ERR_BAD_REQUEST, 431, NULL);
		return;
	}
	h->reqlen = (size_t)n;

	ticket = hs_query(hd.target, hd.target_len, "ticket", &tlen);
	if (ticket) {
		if (wire_key_ticket(key, ticket, tlen) ||
		    !hs_token_chars(ticket, tlen)) {
			hs_refuse(h, ERR_TOKEN_INVALID, 401, "bad ticket");
			return;
		}
		if (bus_command(hs_ticket_cb, h, "GETDEL %s", key)) {
			hs_refuse(h, ERR_UNAVAILABLE, 503, "redis unavailable");
			return;
		}
		h->waiting = 1;
		return;
	}
	token = hd.cookie
	    ? hs_cookie(hd.cookie, hd.cookie_len, cfg.access_cookie, &tlen)
	    : NULL;
	if (token == NULL || tlen == 0) {
		hs_refuse(h, ERR_UNAUTHENTICATED, 401, NULL);
		return;
	}
	if (hd.origin == NULL) {
		hs_refuse(h, ERR_FORBIDDEN, 403,
		    "a cookie connection must send Origin");
		return;
	}
	if (tlen >= sizeof(tok)) {
		hs_refuse(h, ERR_TOKEN_INVALID, 401, NULL);
		return;
	}
	memcpy(tok, token, tlen);
	tok[tlen] = '\0';
	rc = jwt_check(tok, JWT_TYPE_ACCESS, &claims);
	if (rc) {
		hs_refuse(h, ERR_TOKEN_INVALID, 401, NULL);
		return;
	}
	h->auth.user_id = claims.sub;
	h->auth.session_id = claims.fam;
	hs_check_revoked(h);
}

/* ---- I/O --------------------------------------------------------------- */

static void
hs_read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct hs *h = w->data;
	ssize_t n;

	n = read(h->fd, h->buf + h->len, HS_MAX - h->len);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		hs_close(h);
		return;
	}
	h->len += (size_t)n;
	h->buf[h->len] = '\0';
	if (strstr(h->buf, "\r\n\r\n") != NULL) {
		/* Nothing more is read until lws takes the socket. */
		ev_io_stop(relay_loop, &h->io);
		hs_process(h);
		return;
	}
	if (h->len >= HS_MAX)
		hs_refuse(h, ERR_BAD_REQUEST, 431, "request head too large");
}

static void
hs_timeout_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	hs_close(w->data);
}

static void
listen_resume_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	ev_io_start(relay_loop, &listen_io);
}

static void
listen_accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct hs *h;
	int fd, i, one = 1;

	for (i = 0; i < 64; i++) {
		fd = accept4(listen_fd, NULL, NULL,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM) {
				log_warn("accept: %s; pausing",
				    strerror(errno));
				ev_io_stop(relay_loop, &listen_io);
				ev_timer_set(&listen_pause, 0.5, 0);
				ev_timer_start(relay_loop, &listen_pause);
			}
			return;
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		h = mem_calloc(1, sizeof(*h));
		h->fd = fd;
		h->next = hs_live;
		if (hs_live)
			hs_live->prev = h;
		hs_live = h;
		ev_io_init(&h->io, hs_read_cb, fd, EV_READ);
		h->io.data = h;
		ev_timer_init(&h->timer, hs_timeout_cb, HS_TIMEOUT, 0);
		h->timer.data = h;
		ev_io_start(relay_loop, &h->io);
		ev_timer_start(relay_loop, &h->timer);
	}
}

int
listen_socket(const char *host, int port)
{
	struct addrinfo hints, *ai = NULL;
	char service[16];
	int fd = -1, one = 1;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	snprintf(service, sizeof(service), "%d", port);
	if (getaddrinfo(host, service, &hints, &ai) != 0 || ai == NULL) {
		log_error("cannot resolve %s", host);
		goto out;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd < 0)
		goto out;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 ||
	    listen(fd, 1024) != 0) {
		log_error("cannot listen on %s:%d: %s", host, port,
		    strerror(errno));
		close(fd);
		fd = -1;
	}
out:
	if (ai)
		freeaddrinfo(ai);
	return fd;
}

enum err_code
listen_start(const char *host, int port)
{
	map_init(&listen_auths);
	listen_fd = listen_socket(host, port);
	if (listen_fd < 0)
		return ERR_INTERNAL;
	ev_io_init(&listen_io, listen_accept_cb, listen_fd, EV_READ);
	ev_init(&listen_pause, listen_resume_cb);
	ev_io_start(relay_loop, &listen_io);
	log_info("listening on %s:%d", host, port);
	return ERR_OK;
}

void
listen_stop(void)
{
	struct hs *h, *next;

	/* Handshakes in progress: those waiting for a lookup are freed by
	 * its callback (which pg_close()/bus_close() make run). */
	for (h = hs_live; h; h = next) {
		next = h->next;
		if (h->fd >= 0)
			hs_close(h);
	}
	if (listen_fd < 0)
		return;
	ev_io_stop(relay_loop, &listen_io);
	ev_timer_stop(relay_loop, &listen_pause);
	close(listen_fd);
	listen_fd = -1;
}

void
listen_release(void)
{
	struct map_iter it;
	void *a;

	map_iter_init(&it, &listen_auths);
	while (map_next(&it, NULL, &a))
		relay_auth_free(a);
	map_release(&listen_auths);
}
