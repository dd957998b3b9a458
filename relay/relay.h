/* relay.h - the websocket relay: shared state and the interfaces between
 * its parts.
 *
 * One thread, one libev loop.  listen.c accepts TCP connections itself,
 * reads the upgrade request and authenticates it (Redis and PostgreSQL
 * asynchronously), answers 101 itself and hands the socket to
 * libwebsockets as a raw socket (ws.c), so a refused handshake is always
 * an HTTP status and the websocket framing is the relay's own.  hub.c
 * keeps users, groups, reference-counted channel subscriptions and
 * presence; bus.c is the Redis side (hiredis async), pg.c the PostgreSQL
 * side (libpq non-blocking).  The leaves (no relay state, own unit tests):
 * frame.h the shared reference-counted frames, wsrx.h the client frame
 * parser, map.h an integer hash map.  metrics.c is the Prometheus
 * endpoint.
 *
 * The relay is its own program with an event loop, so it is the one
 * place besides db.c and rds.c that includes libpq and hiredis (pg.c and
 * bus.c only); the synchronous lazy connections of common/ do not fit a
 * loop that must never block.
 */
#ifndef EC_RELAY_H
#define EC_RELAY_H

#include <ev.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "frame.h"
#include "map.h"
#include "wsrx.h"

struct lws;
struct lws_context;
struct lws_vhost;

/* ---- configuration and global state (main.c) ------------------------ */

struct relay_conf {
	const char *host;           /* RELAY_HOST */
	int port;                   /* RELAY_PORT + RELAY_INDEX */
	int metrics_port;           /* RELAY_METRICS_PORT + RELAY_INDEX */
	long heartbeat_ms;          /* RELAY_HEARTBEAT_MS */
	unsigned queue_max;         /* RELAY_QUEUE_MAX frames per session */
	unsigned queue_bytes;       /* RELAY_QUEUE_BYTES per session */
	unsigned rx_buffer;         /* RELAY_RX_BUFFER bytes */
	long typing_ms;             /* RELAY_TYPING_INTERVAL_MS per room */
	long status_ms;             /* RELAY_STATUS_INTERVAL_MS per user */
	long typing_check_ms;       /* RELAY_TYPING_CHECK_MS: how long a
	                               typing check is reused; 0 = never */
	unsigned sessions_per_user; /* RELAY_SESSIONS_PER_USER */
	unsigned pending_per_addr;  /* RELAY_PENDING_PER_ADDR */
	const char *pending_exempt; /* RELAY_PENDING_EXEMPT */
	long presence_ttl;          /* seconds; refreshed every ttl/3 */
	long reconcile_secs;        /* RELAY_RECONCILE_SECS: groups + sessions
	                               checked against PostgreSQL; 0 = never */
	long coalesce_us;           /* RELAY_COALESCE_US: longest hold of a
	                               busy relay's writes; 0 = never held */
	unsigned coalesce_busy;     /* RELAY_COALESCE_BUSY: percent of the
	                               time spent writing that makes the
	                               relay busy; 0 = always hold */
	char id[160];               /* this relay's presence field */
};

extern struct relay_conf relay_conf;
extern struct ev_loop *relay_loop;
extern struct lws_context *relay_lws;
extern struct lws_vhost *relay_vhost;
extern int relay_stopping;

/* Seconds since the epoch, as a double, from the loop's clock. */
double relay_now(void);

/* ---- metrics.c -------------------------------------------------------- */

struct relay_metrics {
	unsigned long long connections; /* open websocket sessions */
	unsigned long long users;       /* distinct local users */
	unsigned long long channels;    /* subscribed Redis channels */
	unsigned long long frames_out;
	unsigned long long bytes_out;
	unsigned long long writes;  /* socket writes (several frames each) */
	unsigned long long flushes; /* ws.c write rounds */
	unsigned long long flushes_held; /* of them, held back (busy) */
	unsigned long long frames_dropped;
	unsigned long long sessions_culled;
	unsigned long long redis_reconnects;
	unsigned long long redis_messages;
	unsigned long long handshakes_ok;
	unsigned long long handshakes_refused[7]; /* 400 401 403 404 429 431
	                                             503 */
	unsigned long long client_frames;
	unsigned long long typing_checks; /* PostgreSQL queries for typing */
	unsigned long long client_closed_bad; /* 1003/1007/1009 */
};

extern struct relay_metrics metrics;

void metrics_refused(int status);

/* Listens on host:port (loopback) and answers GET /metrics.  ERR_INTERNAL
 * when the port cannot be bound. */
enum err_code metrics_start(const char *host, int port);
void metrics_stop(void);

/* ---- report.c: Sentry ------------------------------------------------ */

/* Installs the fatal-signal reporter when SENTRY_ENABLED and SENTRY_DSN
 * are set (after cfg_load()); otherwise reporting stays off. */
void report_init(void);

/* Sends an error-level event from a child process (the loop never waits
 * on Sentry); at most a few a minute. No-op when reporting is off. */
void report_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* `easychat-relay --report-crash SIG` (run by the fatal-signal handler):
 * reports the crash and returns the exit status; -1 for any other
 * command line. */
int report_crash_main(int argc, char **argv);

/* ---- pg.c: one non-blocking PostgreSQL connection --------------------- */

struct pg_res;

/* Called once per query: res is NULL when PostgreSQL is unreachable or
 * the query failed (logged); the result is freed after the call. */
typedef void (*pg_cb)(const struct pg_res *res, void *arg);

/* A notification on the LISTENed channel (payload "" when none). */
typedef void (*pg_notify_cb)(const char *channel, const char *payload);

/* Connects; with listen_channel (an identifier, not quoted), every
 * connection LISTENs on it and cb gets its notifications. */
void pg_init(const char *listen_channel, pg_notify_cb cb);
/* Fails every queued query (callbacks with NULL) and closes. */
void pg_close(void);
/* Queues a parameterised query; cb may be NULL (fire and forget).  The
 * callback always runs later from the loop, never inside pg_query(). */
void pg_query(pg_cb cb, void *arg, const char *sql, int nparams,
    const char *const *params);
/* 1 while a query is queued or running (for a clean shutdown). */
int pg_pending(void);
size_t pg_rows(const struct pg_res *res);
const char *pg_value(const struct pg_res *res, size_t row, int col);

/* ---- bus.c: Redis over hiredis async --------------------------------- */

/* A command's reply, valid during the callback only (hiredis stays in
 * bus.c). */
struct bus_reply;

/* reply is NULL when Redis is unreachable or the command failed. */
typedef void (*bus_cb)(const struct bus_reply *reply, void *arg);

/* What bus.c calls up (given, not named: bus.c is below hub.c). */
struct bus_handlers {
	/* A message on a subscribed channel. */
	void (*message)(const char *channel, const char *msg, size_t len);
	/* The subscriber connection is up; reconnected = after a loss. */
	void (*sub_up)(int reconnected);
	/* The command connection is up (again). */
	void (*cmd_up)(void);
	/* A SUBSCRIBE was acknowledged: from now on the channel's messages
	 * arrive.  For user channels, called with the channel when it is
	 * asked for while the user:* pattern is up, and with the pattern
	 * ("user:*") when the pattern is acknowledged: every user channel
	 * then. */
	void (*subscribed)(const char *channel);
};

void bus_init(const struct bus_handlers *h);
/* Disconnects; pending callbacks run with NULL. */
void bus_close(void);
/* 1 when the command connection is up. */
int bus_ready(void);
/* Sends a command (hiredis format).  ERR_UNAVAILABLE, without calling
 * cb, when the connection is down. */
enum err_code bus_command(bus_cb cb, void *arg, const char *fmt, ...);
/* Binary-safe PUBLISH (fire and forget). */
void bus_publish(const char *channel, const char *msg, size_t len);
void bus_subscribe(const char *channel);
void bus_unsubscribe(const char *channel);
/* Pending command replies (for a clean shutdown). */
int bus_pending(void);
/* 0 and *out when the reply is an integer; -1 otherwise. */
int bus_reply_int(const struct bus_reply *r, long long *out);
/* The reply's string (NUL-terminated, *len bytes) or NULL when it is not
 * a string (nil included). */
const char *bus_reply_str(const struct bus_reply *r, size_t *len);

/* ---- hub.c: users, groups, subscriptions, fan-out, presence ----------- */

struct session;
struct ruser;

/* What authentication found out, handed from listen.c to ws.c. */
struct relay_auth {
	int64_t user_id;
	int64_t session_id;
	char *full_name_json; /* JSON string literal, quotes included */
	char status[16];      /* default_status */
	int64_t *groups;
	size_t ngroups;
	unsigned char *early; /* bytes pipelined after the request head */
	size_t nearly;
};

void relay_auth_free(struct relay_auth *a);

void hub_init(void);
void hub_release(void);
/* Attaches an established session to its user (created on first use,
 * with presence and subscriptions); takes `a`'s contents. */
void hub_attach(struct session *s, struct relay_auth *a);
/* Detaches a closing session; the last one of a user ends its presence. */
void hub_detach(struct session *s);
/* The handlers hub.c gives bus_init(). */
extern const struct bus_handlers hub_bus_handlers;
/* Events may have been lost (a program could not publish, Redis came
 * back): every session gets `resync`, every local user's groups are
 * reloaded and every session's liveness is checked (revoked: 4001). */
void hub_resync(const char *why);
/* Delivers an event published on `channel` (group:<id> or user:<id>) to
 * this relay's sessions, as if it came from Redis. */
void hub_deliver(const char *channel, const char *msg, size_t len);
/* 1 when the session's user belongs to the group. */
int hub_member(const struct session *s, int64_t group_id);
/* Client `status` frame: save and publish presence. */
void hub_set_status(struct session *s, const char *status);
/* Client `typing` frame: the room's group is looked up (and cached),
 * membership checked, and the typing event published on the group. */
void hub_typing(struct session *s, int64_t room_id, int is_typing);
int64_t hub_user_id(const struct session *s);
/* Open sessions of a user on this relay. */
unsigned hub_sessions_of(int64_t user_id);

/* ---- ws.c: the libwebsockets side ------------------------------------- */

/* One websocket (lws per-session data, zeroed by lws). */
struct session {
	struct lws *wsi;
	struct ruser *user;          /* NULL until attached */
	struct session *next, *prev; /* the user's sessions */
	int64_t focus;               /* focused group, 0 = none */
	int64_t session_id;          /* the sign-in session (token family) */
	struct frame **q;            /* ring of queued frames (NULL when
	                                empty) */
	uint16_t qhead, qlen, qcap;
	uint16_t close_code; /* close after the queue drains */
	uint32_t qbytes;     /* wire bytes queued */
	uint32_t slot;       /* index in ws.c's session table */
	uint32_t rx_ms;      /* last client frame or pong (ws_ms) */
	uint32_t ping_ms;    /* last ping sent */
	uint8_t overflowed;
	uint8_t ping_due;     /* send a ping at the next write */
	uint8_t hungup;       /* idle too long: being shut down */
	uint8_t close_queued; /* our Close frame is queued: end after it */
	uint8_t rx_done;      /* failed or closed: read nothing more */
	uint8_t dirty;        /* in ws.c's flush list */
	uint8_t blocked;      /* lws holds unsent bytes: wait for writeable */
	uint8_t typing_burst; /* typing frames in the window (at most 4);
	                         here, in the hole before rx, it keeps the
	                         session at 184 bytes, a 192-byte malloc
	                         chunk instead of 208 */
	struct wsrx rx;       /* client frames (relay/wsrx.h) */
	int64_t typing_room;  /* last typing frame's room */
	double typing_at;     /* and when it was relayed */
	double typing_window; /* start of the burst window */
};

/* Creates the lws context on relay_loop (no listener of its own).
 * ERR_INTERNAL when it cannot. */
enum err_code ws_start(void);
void ws_stop(void);
/* Queues a frame for the session (takes a reference of its own); a full
 * queue (RELAY_QUEUE_MAX frames or RELAY_QUEUE_BYTES) closes the session
 * (4008) after trying to send `resync`. */
void ws_push(struct session *s, struct frame *f);
/* Queues a copy of json for one session. */
void ws_send_text(struct session *s, const char *json, size_t len);
/* Closes the session with `code` once its queue has drained (a Close
 * frame, then the TCP connection); frames pushed after this are
 * dropped. */
void ws_close_after_queue(struct session *s, uint16_t code);
/* The 101 answer to a handshake whose Sec-WebSocket-Key is key[0..klen)
 * (with `protocol` when not NULL) into out; its length, or -1. */
int ws_upgrade_answer(const char *key, size_t klen, const char *protocol,
    char *out, size_t outsz);

/* The one subprotocol the relay speaks (optional for clients). */
#define WS_PROTOCOL "easychat"

/* Close codes of our own (4000-4999). */
#define WS_CLOSE_REVOKED  4001 /* the sign-in session was revoked */
#define WS_CLOSE_OVERFLOW 4008 /* queue overflow: catch up over REST */

/* ---- listen.c: accept, read and authenticate upgrade requests --------- */

/* A parsed upgrade request head: pointers into the buffer given. */
struct hs_head {
	size_t head_len; /* through the blank line */
	const char *target;
	size_t target_len;
	const char *host, *upgrade, *connection, *key, *version, *protocol,
	    *origin, *cookie;
	size_t host_len, upgrade_len, connection_len, key_len, version_len,
	    protocol_len, origin_len, cookie_len;
	int status;      /* on error: the HTTP status to answer */
	const char *why; /* on error: the message (NULL: the default) */
};

/* Parses and checks the request head at buf[0..len) (bytes after the
 * head are ignored): CRLF line ends only (a bare CR, LF or NUL is
 * refused), GET /ws HTTP/1.1, a websocket upgrade (Upgrade, Connection,
 * a 24-byte key, version 13), no subprotocol but WS_PROTOCOL.  ERR_OK, or
 * an error with hd->status and hd->why set. */
enum err_code listen_parse(const char *buf, size_t len, struct hs_head *hd);

enum err_code listen_start(const char *host, int port);
/* Binds a non-blocking listening TCP socket; -1 when it cannot. */
int listen_socket(const char *host, int port);
void listen_stop(void);
/* The authentication stored for an adopted socket; NULL when none.
 * The caller owns the result. */
struct relay_auth *listen_take_auth(int fd);
/* Frees everything still held (shutdown). */
void listen_release(void);

#endif
