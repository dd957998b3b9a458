/* listen.c - accepts connections, reads the upgrade request and
 * authenticates it before libwebsockets sees the socket.
 *
 * lws cannot pause a handshake while we ask Redis and PostgreSQL, and a
 * refused handshake must be an HTTP status (401/403/503), never an
 * upgraded socket that is then closed.  So the relay owns its listening
 * socket: it reads the request head (at most HS_MAX bytes), checks the
 * Origin, the ticket (GETDEL) or the access cookie (JWT + revocation
 * list), loads the user's groups, and only then answers 101 itself and
 * adopts the socket into lws as a raw socket (ws.c does the framing);
 * bytes the client sent behind the request head (a first frame) are
 * handed on, not dropped.  Every wait is asynchronous and bounded by
 * HS_TIMEOUT.  Caps: pending handshakes per client address
 * (RELAY_PENDING_PER_ADDR) and sessions per user (RELAY_SESSIONS_PER_USER)
 * are refused with 429 before anything is upgraded.
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
#define HS_VALUE_MAX 256  /* longest Host / protocol value accepted */

struct hs {
	struct hs *prev, *next; /* live handshakes */
	int fd;
	ev_io io;
	ev_timer timer;
	int waiting;  /* an async lookup is out */
	int dead;     /* closed meanwhile: free on return */
	int64_t addr; /* listen_pending key, 0 = not counted */
	size_t len;   /* request bytes read so far */
	/* The request so far when its head spans reads; NULL otherwise (a
	 * head that comes in one read is checked in listen_rbuf).  Freed
	 * once the head is parsed: a handshake waiting for Redis or
	 * PostgreSQL holds ~0.5 KB, not 8 KB, and a burst of them leaves
	 * no 8 KB holes between the sessions it created. */
	char *buf;
	struct relay_auth auth;
	char req[256]; /* the 101 answer */
	size_t reqlen;
};

/* Every first read goes here (one thread, one handshake at a time). */
static char listen_rbuf[HS_MAX + 1];

static struct hs *hs_live;
static int listen_fd = -1;
static ev_io listen_io;
static ev_timer listen_pause;
/* Authentication of sockets adopted into lws, by fd + 1. */
static struct map listen_auths;
/* Pending handshakes per client address (listen_addr_key): a count. */
static struct map listen_pending;
/* Addresses without that cap (a proxy in front connects from them). */
static int64_t listen_exempt[16];
static size_t listen_nexempt;

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
	free(a->early);
	free(a);
}

static void
hs_free(struct hs *h)
{
	uintptr_t n;

	if (h->addr) {
		n = (uintptr_t)map_get(&listen_pending, h->addr);
		if (n > 1)
			map_put(&listen_pending, h->addr, (void *)(n - 1));
		else
			map_del(&listen_pending, h->addr);
	}
	if (h->prev)
		h->prev->next = h->next;
	else
		hs_live = h->next;
	if (h->next)
		h->next->prev = h->prev;
	free(h->auth.full_name_json);
	free(h->auth.groups);
	free(h->auth.early);
	free(h->buf);
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
	    "%s"
	    "Connection: close\r\n\r\n",
	    status, status_reason(status), body.len,
	    status == 429 ? "Retry-After: 1\r\n" : "");
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
	lws_sock_file_fd_type fd;
	ssize_t w;

	ev_io_stop(relay_loop, &h->io);
	ev_timer_stop(relay_loop, &h->timer);
	/* One small write to a socket that has sent nothing it waits for:
	 * the send buffer takes it whole (else the client is gone). */
	w = write(h->fd, h->req, h->reqlen);
	if (w != (ssize_t)h->reqlen) {
		hs_close(h);
		return;
	}
	a = mem_alloc(sizeof(*a));
	*a = h->auth;
	memset(&h->auth, 0, sizeof(h->auth));
	fd.sockfd = h->fd;
	/* A stale entry for a reused fd (lws refused that socket). */
	relay_auth_free(map_put(&listen_auths, (int64_t)h->fd + 1, a));
	h->fd = -1;
	/* Raw: lws carries the socket; ws.c speaks websocket on it. */
	wsi = lws_adopt_descriptor_vhost(relay_vhost, LWS_ADOPT_SOCKET, fd,
	    WS_PROTOCOL, NULL);
	if (wsi == NULL) {
		/* lws closed the fd. */
		log_warn("lws refused to adopt a socket");
		relay_auth_free(listen_take_auth(fd.sockfd));
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
	if (hub_sessions_of(h->auth.user_id) >= relay_conf.sessions_per_user) {
		hs_refuse(h, ERR_RATE_LIMITED, 429,
		    "too many connections for this user");
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

/* 1 when the comma-separated token list v[0..n) holds `tok`
 * (case-insensitive). */
static int
hs_has_token(const char *v, size_t n, const char *tok)
{
	size_t tl = strlen(tok), i = 0, j;

	while (i < n) {
		while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
			i++;
		for (j = i; j < n && v[j] != ','; j++)
			;
		while (j > i && (v[j - 1] == ' ' || v[j - 1] == '\t'))
			j--;
		if (j - i == tl && strncasecmp(v + i, tok, tl) == 0)
			return 1;
		i = j + 1;
	}
	return 0;
}

enum err_code
listen_parse(const char *buf, size_t len, struct hs_head *hd)
{
	const char *p, *eol, *colon, *v, *sp, *end;
	size_t nlen, vlen, i;

	memset(hd, 0, sizeof(*hd));
	hd->status = 400;
	hd->why = "not a websocket upgrade";
	end = memmem(buf, len, "\r\n\r\n", 4);
	if (end == NULL)
		return ERR_BAD_REQUEST;
	hd->head_len = (size_t)(end - buf) + 4;
	/* Lines end with CRLF: a bare CR or LF (or a NUL) could make two
	 * parsers see two different requests. */
	for (i = 0; i < hd->head_len; i++) {
		if (buf[i] == '\0' ||
		    (buf[i] == '\r' && (i + 1 >= len || buf[i + 1] != '\n')) ||
		    (buf[i] == '\n' && (i == 0 || buf[i - 1] != '\r'))) {
			hd->why = "bare CR or LF in the request head";
			return ERR_BAD_REQUEST;
		}
	}
	eol = memmem(buf, hd->head_len, "\r\n", 2);
	if (strncmp(buf, "GET ", 4) != 0) {
		hd->status = 405;
		hd->why = NULL;
		return ERR_METHOD_NOT_ALLOWED;
	}
	hd->target = buf + 4;
	sp = memchr(hd->target, ' ', (size_t)(eol - hd->target));
	/* HTTP/1.0 is taken too: a proxy may speak it to its backends. */
	if (sp == NULL || (size_t)(eol - sp) != 9 ||
	    memcmp(sp, " HTTP/1.", 8) != 0 || sp[8] < '0' || sp[8] > '9') {
		hd->why = "not an HTTP/1.x request";
		return ERR_BAD_REQUEST;
	}
	hd->target_len = (size_t)(sp - hd->target);
	for (p = eol + 2; p < end + 2; p = eol + 2) {
		eol = memmem(p, (size_t)(end + 2 - p), "\r\n", 2);
		if (eol == NULL || eol == p)
			break;
		if (*p == ' ' || *p == '\t') {
			hd->why = "folded header line";
			return ERR_BAD_REQUEST;
		}
		colon = memchr(p, ':', (size_t)(eol - p));
		if (colon == NULL || colon == p) {
			hd->why = "malformed header line";
			return ERR_BAD_REQUEST;
		}
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
		HS_HDR("Connection", connection)
		HS_HDR("Sec-WebSocket-Key", key)
		HS_HDR("Sec-WebSocket-Version", version)
		HS_HDR("Sec-WebSocket-Protocol", protocol)
		HS_HDR("Origin", origin)
		HS_HDR("Cookie", cookie)
#undef HS_HDR
	}
	sp = memchr(hd->target, '?', hd->target_len);
	nlen = sp ? (size_t)(sp - hd->target) : hd->target_len;
	if (!((nlen == 3 && memcmp(hd->target, "/ws", 3) == 0) ||
	        (nlen == 4 && memcmp(hd->target, "/ws/", 4) == 0))) {
		hd->status = 404;
		hd->why = "no such path";
		return ERR_NOT_FOUND;
	}
	if (hd->upgrade == NULL ||
	    !hs_has_token(hd->upgrade, hd->upgrade_len, "websocket") ||
	    hd->connection == NULL ||
	    !hs_has_token(hd->connection, hd->connection_len, "upgrade") ||
	    hd->key == NULL || hd->key_len != 24 || hd->version == NULL ||
	    hd->version_len != 2 || memcmp(hd->version, "13", 2) != 0 ||
	    hd->host_len > HS_VALUE_MAX)
		return ERR_BAD_REQUEST;
	if (hd->protocol) {
		/* The only subprotocol spoken; refusing now, with a status,
		 * beats an upgrade the client then drops. */
		if (!hs_has_token(hd->protocol, hd->protocol_len,
		        WS_PROTOCOL)) {
			hd->why = "unsupported Sec-WebSocket-Protocol";
			return ERR_BAD_REQUEST;
		}
	}
	hd->status = 0;
	hd->why = NULL;
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

/* Checks the request head in buf[0..h->len) and starts its lookups (or
 * refuses it). */
static void
hs_check(struct hs *h, const char *buf)
{
	struct hs_head hd;
	struct jwt_claims claims;
	const char *ticket, *token;
	size_t tlen = 0;
	char tok[2048], key[WIRE_NAME_MAX];
	enum err_code rc;
	int n;

	rc = listen_parse(buf, h->len, &hd);
	if (rc) {
		hs_refuse(h, rc, hd.status, hd.why);
		return;
	}
	if (h->len > hd.head_len) {
		/* Frames sent together with the request. */
		h->auth.nearly = h->len - hd.head_len;
		h->auth.early = mem_alloc(h->auth.nearly);
		memcpy(h->auth.early, buf + hd.head_len, h->auth.nearly);
	}
	if (hd.origin && !cfg_origin_allowed(hd.origin, hd.origin_len)) {
		hs_refuse(h, ERR_FORBIDDEN, 403, "origin not allowed");
		return;
	}
	n = ws_upgrade_answer(hd.key, hd.key_len,
	    hd.protocol ? WS_PROTOCOL : NULL, h->req, sizeof(h->req));
	if (n < 0) {
		hs_refuse(h, ERR_BAD_REQUEST, 400, "bad Sec-WebSocket-Key");
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

/* The head is complete in buf: check it, then drop the request bytes
 * (hs_check may have freed h already). */
static void
hs_process(struct hs *h, char *buf)
{
	char *own = h->buf;

	h->buf = NULL;
	hs_check(h, buf);
	free(own);
}

/* ---- I/O --------------------------------------------------------------- */

static void
hs_read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct hs *h = w->data;
	char *b = h->buf ? h->buf : listen_rbuf;
	ssize_t n;

	n = read(h->fd, b + h->len, HS_MAX - h->len);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		hs_close(h);
		return;
	}
	h->len += (size_t)n;
	b[h->len] = '\0';
	if (memmem(b, h->len, "\r\n\r\n", 4) != NULL) {
		/* Nothing more is read until lws takes the socket. */
		ev_io_stop(relay_loop, &h->io);
		hs_process(h, b);
		return;
	}
	if (h->len >= HS_MAX) {
		hs_refuse(h, ERR_BAD_REQUEST, 431, "request head too large");
		return;
	}
	if (h->buf == NULL) {
		/* A head split across reads keeps its part until the rest
		 * comes (listen_rbuf is the next read's). */
		h->buf = mem_alloc(HS_MAX + 1);
		memcpy(h->buf, listen_rbuf, h->len + 1);
	}
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

/* A positive map key for a client address: IPv4 (also v4-mapped IPv6)
 * exactly, other IPv6 addresses by a hash of their /64 and interface
 * bits (collisions only merge two addresses' counts).  0 when unknown. */
static int64_t
listen_addr_key(const struct sockaddr_storage *ss)
{
	const struct sockaddr_in *in4 = (const struct sockaddr_in *)ss;
	const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ss;
	const unsigned char *b;
	uint64_t h = 1469598103934665603ULL;
	int i;

	if (ss->ss_family == AF_INET)
		return (int64_t)ntohl(in4->sin_addr.s_addr) + 1;
	if (ss->ss_family != AF_INET6)
		return 0;
	b = in6->sin6_addr.s6_addr;
	if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr))
		return ((int64_t)b[12] << 24 | b[13] << 16 | b[14] << 8 |
		           b[15]) +
		    1;
	for (i = 0; i < 16; i++)
		h = (h ^ b[i]) * 1099511628211ULL;
	return (int64_t)(h >> 2) + (1LL << 33); /* never an IPv4 key */
}

static int
listen_exempted(int64_t key)
{
	size_t i;

	for (i = 0; i < listen_nexempt; i++) {
		if (listen_exempt[i] == key)
			return 1;
	}
	return 0;
}

static void
listen_accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct sockaddr_storage ss;
	socklen_t sslen;
	struct hs *h;
	int fd, i, one = 1;
	int64_t key;
	uintptr_t pending;

	for (i = 0; i < 64; i++) {
		sslen = sizeof(ss);
		memset(&ss, 0, sizeof(ss));
		fd = accept4(listen_fd, (struct sockaddr *)&ss, &sslen,
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
		key = listen_addr_key(&ss);
		if (key > 0 && !listen_exempted(key)) {
			pending = (uintptr_t)map_get(&listen_pending, key);
			if (pending >= relay_conf.pending_per_addr) {
				hs_refuse(h, ERR_RATE_LIMITED, 429,
				    "too many pending handshakes from this "
				    "address");
				continue;
			}
			map_put(&listen_pending, key, (void *)(pending + 1));
			h->addr = key;
		}
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

/* RELAY_PENDING_EXEMPT: comma-separated addresses. */
static void
listen_load_exempt(void)
{
	struct sockaddr_storage ss;
	char buf[512], *tok, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", relay_conf.pending_exempt);
	listen_nexempt = 0;
	for (tok = strtok_r(buf, ", ", &save); tok != NULL &&
	     listen_nexempt < sizeof(listen_exempt) / sizeof(listen_exempt[0]);
	     tok = strtok_r(NULL, ", ", &save)) {
		memset(&ss, 0, sizeof(ss));
		if (inet_pton(AF_INET, tok,
		        &((struct sockaddr_in *)&ss)->sin_addr) == 1)
			ss.ss_family = AF_INET;
		else if (inet_pton(AF_INET6, tok,
		             &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1)
			ss.ss_family = AF_INET6;
		else {
			log_warn("RELAY_PENDING_EXEMPT: not an address: %s",
			    tok);
			continue;
		}
		listen_exempt[listen_nexempt++] = listen_addr_key(&ss);
	}
}

enum err_code
listen_start(const char *host, int port)
{
	map_init(&listen_auths);
	map_init(&listen_pending);
	listen_load_exempt();
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
	map_release(&listen_pending);
}
