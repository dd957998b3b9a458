/* ws.c - the libwebsockets side: sessions, client frames, queues,
 * heartbeats.
 *
 * lws runs on the relay's libev loop (LWS_SERVER_OPTION_LIBEV with a
 * foreign loop) without a listener of its own: listen.c answers the
 * upgrade (101) itself and adopts the socket as a *raw* socket, so lws
 * carries the loop, the socket and the buffering of partial writes, and
 * the websocket framing is the relay's: client frames are parsed by
 * wsrx.c (RFC 6455 as lws 4.1.6 does not enforce it; relay/README.md),
 * server frames are built by frame.c, Close frames included.  Each session
 * has a bounded ring of shared frames (frame.c: each carries its complete
 * websocket header).  Sessions pushed to are written once the loop has
 * nothing else pending (ws_flush(), at most WS_FLUSH_ROUNDS iterations
 * later): all their queued frames, as many as fit in WS_BATCH_MAX bytes
 * per write, with one send(2) straight on the socket, so the events a
 * busy relay reads from Redis together cost each socket one write, and an
 * idle relay still writes each event at once.  A relay that keeps up but
 * spends most of its time writing (one big group at a high rate: each
 * event alone, one send() per member) holds its next write round for a
 * bounded time instead (adaptive coalescing, ws_arm()), so that the
 * events of that time share each socket's send().  What the socket does not
 * take is handed to lws (a raw lws_write() buffers it); the session is
 * then written only from LWS_CALLBACK_RAW_WRITEABLE, which lws calls
 * once that drained.  Pings and Close frames go through that callback
 * too.  (Asking lws for a writeable callback per event cost two
 * epoll_ctl() and a poll round per delivery: see README, Performance.)
 * A full ring drops its frames, queues `resync` and closes the session
 * with 4008 (or the socket is shut down after WS_CULL_SECS if the peer
 * does not even read that).  After the relay's Close frame the TCP
 * connection ends at once.
 *
 * No per-connection lws timer in steady state: lws keeps its scheduled
 * timers in one sorted list and inserting walks it, so its validity
 * (ping/idle) timers made each new connection O(connections).  The
 * retry/idle policy here schedules nothing; one libev timer walks the
 * session table in slices instead, asks for a ping after
 * RELAY_HEARTBEAT_MS of silence and shuts down sessions silent for
 * 2 x heartbeat + 10 s.  Any timeout lws sets on adoption is cleared.
 */
#include "relay.h"

#include <errno.h>
#include <libwebsockets.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "json.h"
#include "log.h"
#include "mem.h"
#include "utf8.h"
#include "wire.h"

/* lws allocates one per connection: 184 bytes are a 192-byte malloc
 * chunk, 192 would be 208 (relay/README.md, idle memory). */
_Static_assert(sizeof(struct session) <= 184, "struct session grew");

#define WS_MSG_MAX    4096  /* client frames above: close 1009 */
#define WS_CULL_SECS  2     /* a culled session's grace to read resync */
#define WS_BATCH_MAX  65536 /* bytes of frames per write */
#define WS_SWEEP_TICK 0.1   /* seconds between heartbeat slices */

struct lws_context *relay_lws;
struct lws_vhost *relay_vhost;

/* The write buffer shared by all sessions (one thread). */
static unsigned char ws_batch[LWS_PRE + WS_BATCH_MAX];

/* Sessions with frames pushed and not yet written (s->dirty), written
 * by ws_flush() once the loop has nothing else to do (an ev_idle
 * watcher: the loop polls without waiting and runs it only when no
 * event is pending), so that every event Redis has sent by then goes out
 * to each socket in one write; or after WS_FLUSH_ROUNDS loop iterations
 * at the latest (an ev_prepare watcher), so that a relay that always has
 * more to read still writes.  NULL entries are sessions closed
 * meanwhile. */
#define WS_FLUSH_ROUNDS 4
static struct session **ws_dirty;
static uint32_t ws_ndirty, ws_capdirty, ws_rounds;
static ev_idle ws_idle_watcher;
static ev_prepare ws_prepare_watcher;

/* Adaptive coalescing.  Each write round (ws_flush()) is timed; when the
 * first session of the next round is pushed to before the relay has
 * been idle long enough that writing took at most RELAY_COALESCE_BUSY %
 * of the time since the last round began, the round is held until then,
 * at most RELAY_COALESCE_US, and the events read meanwhile share each
 * socket's send().  Writing dominates a fan-out relay's CPU (the kernel's
 * TCP send path, ~70 %: results/2026-12-06-relay2.md), and a send of
 * two frames costs little more than one of one.  An idle relay (a quiet
 * room) is never held: its last round is long past.  The hold is a
 * timerfd, not an ev_timer: libev's epoll backend rounds timeouts up to
 * whole milliseconds.  Holds shorter than WS_HOLD_MIN are not worth a
 * timer and a loop round. */
#define WS_HOLD_MIN 50e-6
static double ws_round_start, ws_round_secs; /* the last round (s) */
static int ws_hold_fd = -1;
static int ws_holding; /* the timerfd is armed for the dirty list */
static ev_io ws_hold_watcher;

/* Established sessions, for the heartbeat sweep: s->slot is the index. */
static struct session **ws_all;
static uint32_t ws_nall, ws_capall, ws_sweep_pos;
static ev_timer ws_sweep_timer;
static double ws_t0;

/* Culled sessions waiting out their grace.  lws 4.1 never closes a
 * connection whose partial write is still buffered (it waits in
 * FLUSHING_BEFORE_CLOSE for a peer that does not read), so after the
 * grace the socket is shut down under it: lws then sees EOF and closes. */
struct ws_cull {
	struct ws_cull *next;
	struct lws *wsi;
	double deadline;
};

static struct ws_cull *ws_culls;
static ev_timer ws_cull_timer;

static void
ws_cull_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct ws_cull **pp = &ws_culls, *c;
	double now = relay_now();

	while ((c = *pp) != NULL) {
		if (c->deadline > now) {
			pp = &c->next;
			continue;
		}
		*pp = c->next;
		shutdown(lws_get_socket_fd(c->wsi), SHUT_RDWR);
		free(c);
	}
	if (ws_culls == NULL)
		ev_timer_stop(relay_loop, &ws_cull_timer);
}

static void
ws_cull_add(struct lws *wsi)
{
	struct ws_cull *c = mem_alloc(sizeof(*c));

	c->wsi = wsi;
	c->deadline = relay_now() + WS_CULL_SECS;
	c->next = ws_culls;
	ws_culls = c;
	if (!ev_is_active(&ws_cull_timer)) {
		ev_timer_init(&ws_cull_timer, ws_cull_cb, 0.5, 0.5);
		ev_timer_start(relay_loop, &ws_cull_timer);
	}
}

static void
ws_cull_forget(struct lws *wsi)
{
	struct ws_cull **pp = &ws_culls, *c;

	while ((c = *pp) != NULL) {
		if (c->wsi == wsi) {
			*pp = c->next;
			free(c);
		} else {
			pp = &c->next;
		}
	}
}

static void
ws_queue_drop(struct session *s)
{
	while (s->qlen > 0) {
		frame_unref(s->q[s->qhead]);
		s->qhead = (uint16_t)((s->qhead + 1) % s->qcap);
		s->qlen--;
	}
	s->qhead = 0;
	s->qbytes = 0;
	free(s->q);
	s->q = NULL;
	s->qcap = 0;
}

static void
ws_queue_add(struct session *s, struct frame *f)
{
	struct frame **q;
	unsigned cap, i;

	if (s->qlen == s->qcap) {
		cap = s->qcap ? s->qcap * 2u : 4u;
		if (cap > relay_conf.queue_max + 1)
			cap = relay_conf.queue_max + 1;
		q = mem_alloc(cap * sizeof(*q));
		for (i = 0; i < s->qlen; i++)
			q[i] = s->q[(s->qhead + i) % s->qcap];
		free(s->q);
		s->q = q;
		s->qcap = (uint16_t)cap;
		s->qhead = 0;
	}
	frame_ref(f);
	s->q[(s->qhead + s->qlen) % s->qcap] = f;
	s->qlen++;
	s->qbytes += (uint32_t)frame_wire_len(f);
}

/* Takes the oldest frame off the ring (the caller owns its reference);
 * an emptied ring is freed, so idle sessions hold none. */
static struct frame *
ws_queue_pop(struct session *s)
{
	struct frame *f = s->q[s->qhead];

	s->qhead = (uint16_t)((s->qhead + 1) % s->qcap);
	s->qlen--;
	s->qbytes -= (uint32_t)frame_wire_len(f);
	if (s->qlen == 0) {
		free(s->q);
		s->q = NULL;
		s->qcap = 0;
		s->qhead = 0;
	}
	return f;
}

/* Milliseconds since ws_start(), wrapping (differences stay right). */
static uint32_t
ws_ms(void)
{
	return (uint32_t)(uint64_t)((relay_now() - ws_t0) * 1000.0);
}

/* CLOCK_MONOTONIC in seconds (vDSO: no system call). */
static double
ws_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* How long the write round that starts now should be held (seconds);
 * 0 = write at once. */
static double
ws_hold_secs(double now)
{
	double max = (double)relay_conf.coalesce_us * 1e-6, wait;

	if (max <= 0 || ws_hold_fd < 0)
		return 0;
	if (relay_conf.coalesce_busy == 0)
		return max;
	/* Writing took coalesce_busy % of [round start, earliest]. */
	wait = ws_round_start +
	    ws_round_secs * 100.0 / (double)relay_conf.coalesce_busy - now;
	if (wait < WS_HOLD_MIN)
		return 0;
	return wait < max ? wait : max;
}

/* A session became dirty: schedule the write round unless one is. */
static void
ws_arm(void)
{
	struct itimerspec its;
	double wait;

	if (ws_holding || ev_is_active(&ws_idle_watcher))
		return;
	wait = ws_hold_secs(ws_mono());
	if (wait > 0) {
		memset(&its, 0, sizeof(its));
		its.it_value.tv_sec = (time_t)wait;
		its.it_value.tv_nsec =
		    (long)((wait - (double)its.it_value.tv_sec) * 1e9);
		if (its.it_value.tv_nsec == 0 && its.it_value.tv_sec == 0)
			its.it_value.tv_nsec = 1;
		if (timerfd_settime(ws_hold_fd, 0, &its, NULL) == 0) {
			ws_holding = 1;
			metrics.flushes_held++;
			return;
		}
		log_warn("timerfd_settime: %s", strerror(errno));
	}
	ws_rounds = 0;
	ev_idle_start(relay_loop, &ws_idle_watcher);
}

void
ws_close_after_queue(struct session *s, uint16_t code)
{
	if (s->wsi == NULL || s->close_code)
		return;
	s->close_code = code;
	lws_callback_on_writable(s->wsi);
}

void
ws_push(struct session *s, struct frame *f)
{
	struct frame *resync;

	if (s->wsi == NULL || s->close_code) {
		metrics.frames_dropped++;
		return;
	}
	if (s->qlen >= relay_conf.queue_max ||
	    (s->qlen > 0 &&
	        s->qbytes + frame_wire_len(f) > relay_conf.queue_bytes)) {
		/* The reader cannot keep up: it must catch up over REST. */
		metrics.frames_dropped += s->qlen + 1u;
		metrics.sessions_culled++;
		ws_queue_drop(s);
		resync = frame_printf("{\"type\":\"resync\"}");
		ws_queue_add(s, resync);
		frame_unref(resync);
		s->close_code = WS_CLOSE_OVERFLOW;
		s->overflowed = 1;
		ws_cull_add(s->wsi);
		lws_callback_on_writable(s->wsi);
		log_info("session of user %lld culled: queue overflow",
		    (long long)hub_user_id(s));
		return;
	}
	ws_queue_add(s, f);
	/* A blocked session is written from its writeable callback. */
	if (!s->dirty && !s->blocked) {
		if (ws_ndirty == ws_capdirty) {
			ws_capdirty = ws_capdirty ? ws_capdirty * 2 : 1024;
			ws_dirty = mem_realloc(ws_dirty,
			    ws_capdirty * sizeof(*ws_dirty));
		}
		ws_dirty[ws_ndirty++] = s;
		s->dirty = 1;
		ws_arm();
	}
}

void
ws_send_text(struct session *s, const char *json, size_t len)
{
	struct frame *f = frame_new(json, len);

	ws_push(s, f);
	frame_unref(f);
}

static void
ws_error(struct session *s, const char *code, const char *message)
{
	struct frame *f;

	f = frame_printf("{\"type\":\"error\",\"code\":\"%s\","
	                 "\"message\":\"%s\"}",
	    code, message);
	ws_push(s, f);
	frame_unref(f);
}

/* Ends the session with frame f (a Close): what is queued is dropped, f
 * is sent, then the TCP connection is closed.  Nothing more is read. */
static void
ws_end_with(struct session *s, unsigned code, struct frame *f)
{
	s->rx_done = 1;
	metrics.frames_dropped += s->qlen;
	ws_queue_drop(s);
	ws_queue_add(s, f);
	s->close_code = (uint16_t)code;
	s->close_queued = 1;
	lws_callback_on_writable(s->wsi);
}

/* Fails the connection (RFC 6455 7.1.7) with a Close frame of `code`. */
static void
ws_fail(struct session *s, unsigned code, const char *why)
{
	struct frame *f;

	if (s->rx_done)
		return;
	metrics.client_closed_bad++;
	f = frame_close(code, why);
	ws_end_with(s, code, f);
	frame_unref(f);
}

/* The error frame of a bad status: "status must be one of ...". */
static void
ws_status_error(struct session *s)
{
	struct json_object *fields = json_object_new_object(), *why;
	struct buf msg;

	buf_init(&msg, 0);
	json_enum_error(fields, "status", wire_statuses);
	if (json_object_object_get_ex(fields, "status", &why))
		buf_printf(&msg, "status %s", json_object_get_string(why));
	ws_error(s, "validation_failed", msg.data);
	buf_release(&msg);
	json_object_put(fields);
}

/* Handles one complete client message; -1 closes the session. */
static int
ws_message(struct session *s, const char *msg, size_t len)
{
	struct json_object *obj = NULL, *v;
	const char *type, *status;
	int64_t id;
	double now;
	int is_typing, rc = 0;

	metrics.client_frames++;
	if (!utf8_valid(msg, len) || json_parse(msg, len, &obj)) {
		ws_fail(s, 1007, "invalid JSON");
		goto out;
	}
	if (!json_object_is_type(obj, json_type_object) ||
	    !json_object_object_get_ex(obj, "type", &v) ||
	    !json_object_is_type(v, json_type_string)) {
		ws_error(s, "bad_request", "a frame is an object with a type");
		goto out;
	}
	type = json_object_get_string(v);
	if (strcmp(type, "ping") == 0) {
		ws_send_text(s, "{\"type\":\"pong\"}", 15);
	} else if (strcmp(type, "focus") == 0) {
		if (!json_object_object_get_ex(obj, "group_id", &v) ||
		    v == NULL) {
			s->focus = 0;
			goto out;
		}
		id = json_object_is_type(v, json_type_int)
		    ? json_object_get_int64(v)
		    : 0;
		if (id <= 0 || !hub_member(s, id)) {
			s->focus = 0;
			ws_error(s, "not_found", "no such group");
			goto out;
		}
		s->focus = id;
	} else if (strcmp(type, "typing") == 0) {
		if (!json_object_object_get_ex(obj, "room_id", &v) ||
		    !json_object_is_type(v, json_type_int) ||
		    (id = json_object_get_int64(v)) <= 0) {
			ws_error(s, "validation_failed", "room_id is required");
			goto out;
		}
		is_typing = 1;
		if (json_object_object_get_ex(obj, "is_typing", &v) &&
		    json_object_is_type(v, json_type_boolean))
			is_typing = json_object_get_boolean(v);
		/* Rate limits for starts: one per room per interval and a
		 * burst cap across rooms.  A stop passes whenever it ends a
		 * typing state that was relayed (else receivers would show
		 * "typing" until it expires); other stops change nothing. */
		now = relay_now();
		if (now - s->typing_window >= relay_conf.typing_ms / 1000.0) {
			s->typing_window = now;
			s->typing_burst = 0;
		}
		if (!is_typing) {
			if (s->typing_room != id)
				goto out;
		} else {
			if (s->typing_burst >= 4 ||
			    (s->typing_room == id &&
			        now - s->typing_at <
			            relay_conf.typing_ms / 1000.0))
				goto out;
			s->typing_burst++;
		}
		s->typing_room = is_typing ? id : 0;
		s->typing_at = now;
		hub_typing(s, id, is_typing);
	} else if (strcmp(type, "status") == 0) {
		status = NULL;
		if (json_get_enum(obj, "status", 1, wire_statuses, &status,
		        NULL) ||
		    status == NULL) {
			ws_status_error(s);
			goto out;
		}
		hub_set_status(s, status);
	} else {
		ws_error(s, "bad_request", "unknown frame type");
	}
out:
	if (obj)
		json_object_put(obj);
	return rc;
}

/* ---- client frames (wsrx.c) ------------------------------------------ */

static int
ws_on_message(void *arg, char *text, size_t len)
{
	struct session *s = arg;

	ws_message(s, text, len);
	/* A failed session reads nothing more. */
	return s->rx_done;
}

static int
ws_on_ping(void *arg, const unsigned char *p, size_t len)
{
	struct session *s = arg;
	struct frame *f = frame_new_op(FRAME_PONG, p, len);

	/* Every ping gets its own pong, in order with the other frames. */
	ws_push(s, f);
	frame_unref(f);
	return s->rx_done;
}

static int
ws_on_pong(void *arg, const unsigned char *p, size_t len)
{
	return 0; /* rx_ms was updated for the bytes already */
}

static int
ws_on_close(void *arg, unsigned code, const char *reason, size_t len)
{
	struct session *s = arg;
	struct frame *f;

	/* The peer is leaving: its Close is answered with the same code
	 * (an empty Close with an empty one), then the connection ends. */
	if (s->rx_done)
		return 1;
	f = code ? frame_close(code, "") : frame_new_op(FRAME_CLOSE, NULL, 0);
	ws_end_with(s, code ? code : 1000, f);
	frame_unref(f);
	return 1;
}

static const struct wsrx_handlers ws_rx_handlers = { ws_on_message, ws_on_ping,
	ws_on_pong, ws_on_close };

static const char *
ws_rx_reason(int code)
{
	switch (code) {
	case WSRX_UNSUPPORTED:
		return "text frames only";
	case WSRX_INVALID_DATA:
		return "invalid UTF-8";
	case WSRX_TOO_BIG:
		return "frame too large";
	default:
		return "protocol error";
	}
}

/* Bytes from the peer (or pipelined behind the upgrade request). */
static void
ws_receive(struct session *s, unsigned char *in, size_t len)
{
	int rc;

	if (s->rx_done || len == 0)
		return;
	s->rx_ms = ws_ms();
	rc = wsrx_feed(&s->rx, in, len, &ws_rx_handlers, s);
	if (rc >= 1000)
		ws_fail(s, (unsigned)rc, ws_rx_reason(rc));
}

int
ws_upgrade_answer(const char *key, size_t klen, const char *protocol, char *out,
    size_t outsz)
{
	char accept[WSRX_ACCEPT_LEN + 1];
	int n;

	if (wsrx_accept(key, klen, accept))
		return -1;
	n = snprintf(out, outsz,
	    "HTTP/1.1 101 Switching Protocols\r\n"
	    "Upgrade: websocket\r\n"
	    "Connection: Upgrade\r\n"
	    "Sec-WebSocket-Accept: %s\r\n"
	    "%s%s%s"
	    "\r\n",
	    accept, protocol ? "Sec-WebSocket-Protocol: " : "",
	    protocol ? protocol : "", protocol ? "\r\n" : "");
	return (n < 0 || (size_t)n >= outsz) ? -1 : n;
}

/* Sends buf[0..n) on the session's socket: straight to the kernel (one
 * send(2), no poll round), and what it did not take goes to lws, which
 * buffers it and writes it when the socket drains; the session is then
 * blocked (written only from its writeable callback, which lws calls
 * once that buffer is out) so that nothing overtakes the buffered bytes.
 * -1 when the connection is broken. */
static int
ws_send(struct session *s, const unsigned char *buf, size_t n)
{
	ssize_t w;

	w = send(lws_get_socket_fd(s->wsi), buf, n,
	    MSG_DONTWAIT | MSG_NOSIGNAL);
	metrics.writes++;
	if (w == (ssize_t)n)
		return 0;
	if (w < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			return -1;
		w = 0;
	}
	/* Raw socket: lws adds nothing (lws_issue_raw() buffers what the
	 * socket does not take). */
	if (lws_write(s->wsi, (unsigned char *)(uintptr_t)(buf + w),
	        n - (size_t)w, LWS_WRITE_RAW) < (int)(n - (size_t)w))
		return -1;
	s->blocked = 1;
	lws_callback_on_writable(s->wsi);
	return 0;
}

/* Writes queued frames in order, as many as fit in WS_BATCH_MAX bytes
 * (after the `n` bytes already in ws_batch), with one ws_send(): each
 * frame carries its header and server frames are unmasked, so several
 * are simply copied one after the other.  A frame alone (or larger than
 * the batch) goes from its own memory. */
static int
ws_send_queued(struct session *s, size_t n)
{
	unsigned char *out = ws_batch + LWS_PRE;
	const unsigned char *buf = out;
	struct frame *f, *alone = NULL;
	unsigned long long bytes = 0;
	unsigned frames = 0;
	size_t w;
	int rc;

	while (s->qlen > 0) {
		f = s->q[s->qhead];
		w = frame_wire_len(f);
		if (n + w > WS_BATCH_MAX && n > 0)
			break;
		f = ws_queue_pop(s);
		frames++;
		bytes += f->len;
		if (n == 0 && (w > WS_BATCH_MAX || s->qlen == 0)) {
			alone = f;
			buf = frame_wire(f);
			n = w;
			break;
		}
		memcpy(out + n, frame_wire(f), w);
		n += w;
		frame_unref(f);
	}
	rc = n ? ws_send(s, buf, n) : 0;
	frame_unref(alone);
	if (rc)
		return -1;
	metrics.frames_out += frames;
	metrics.bytes_out += bytes;
	return 0;
}

/* Sends what is queued from lws' writeable callback: a ping if one is
 * due, then a batch of frames (ws_send_queued()); the Close frame once
 * the queue drained.  lws calls back only after what it buffered is out,
 * so frames are never interleaved. */
static int
ws_writeable(struct session *s)
{
	unsigned char *out = ws_batch + LWS_PRE;
	size_t n = 0;

	s->blocked = 0;
	if (s->ping_due) {
		/* With a payload, so that a pong is never empty (some
		 * clients' pongs are hard to tell from noise otherwise). */
		out[0] = 0x89;
		out[1] = 2;
		out[2] = 'h';
		out[3] = 'b';
		n = 4;
		s->ping_due = 0;
	}
	if (s->qlen == 0 && n == 0) {
		if (s->close_code && s->close_queued)
			return -1; /* the Close frame is out */
		if (s->close_code) {
			/* The queue drained: the Close frame goes last. */
			struct frame *c = frame_close(s->close_code,
			    s->close_code == WS_CLOSE_REVOKED
			        ? "session revoked"
			        : "queue overflow");

			ws_queue_add(s, c);
			frame_unref(c);
			s->close_queued = 1;
			s->rx_done = 1;
		} else {
			return 0;
		}
	}
	if (ws_send_queued(s, n))
		return -1;
	/* After our Close frame the TCP connection ends at once (lws
	 * flushes what the socket did not take first). */
	if (s->qlen == 0 && s->close_queued)
		return -1;
	if (!s->blocked && (s->qlen > 0 || s->close_code))
		lws_callback_on_writable(s->wsi);
	return 0;
}

/* Every session pushed frames since the last flush is written directly,
 * all its queued frames at once.  Adaptive coalescing without a timer:
 * an idle relay writes each event as soon as its Redis message is
 * handled (nothing else is pending); a busy one first reads what Redis
 * has sent meanwhile, and each socket gets all of it in one write.
 * Sessions with a ping or a Close to send, or with bytes buffered in
 * lws, are left to the writeable callback. */
static void
ws_flush(void)
{
	struct session *s;
	uint32_t i;

	/* A stale expiry of the hold timer finds ws_holding 0 and does
	 * nothing (ws_hold_cb()); a new hold re-arms it. */
	ws_holding = 0;
	ws_round_start = ws_mono();
	metrics.flushes++;
	for (i = 0; i < ws_ndirty; i++) {
		s = ws_dirty[i];
		if (s == NULL)
			continue;
		s->dirty = 0;
		if (s->wsi == NULL || s->blocked || s->hungup)
			continue;
		if (s->close_code || s->ping_due) {
			lws_callback_on_writable(s->wsi);
			continue;
		}
		while (s->qlen > 0 && !s->blocked) {
			if (ws_send_queued(s, 0) == 0)
				continue;
			/* Broken: lws sees EOF and closes the session. */
			metrics.frames_dropped += s->qlen;
			ws_queue_drop(s);
			s->hungup = 1;
			shutdown(lws_get_socket_fd(s->wsi), SHUT_RDWR);
		}
	}
	ws_ndirty = 0;
	ev_idle_stop(relay_loop, &ws_idle_watcher);
	ws_round_secs = ws_mono() - ws_round_start;
}

static void
ws_idle_cb(struct ev_loop *loop, ev_idle *w, int revents)
{
	ws_flush();
}

/* The hold is over: write the round. */
static void
ws_hold_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	uint64_t expirations;

	if (read(ws_hold_fd, &expirations, sizeof(expirations)) < 0 &&
	    errno != EAGAIN)
		log_warn("timerfd read: %s", strerror(errno));
	if (ws_holding)
		ws_flush();
}

/* Before each loop iteration: a flush put off WS_FLUSH_ROUNDS times
 * happens now (a held round waits for its timer: the hold bounds it). */
static void
ws_prepare_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
	if (ws_ndirty > 0 && !ws_holding && ++ws_rounds >= WS_FLUSH_ROUNDS)
		ws_flush();
}

/* A closing session leaves the flush list. */
static void
ws_undirty(struct session *s)
{
	uint32_t i;

	if (!s->dirty)
		return;
	for (i = 0; i < ws_ndirty; i++) {
		if (ws_dirty[i] == s)
			ws_dirty[i] = NULL;
	}
	s->dirty = 0;
}

/* ---- heartbeats ------------------------------------------------------ */

static void
ws_track(struct session *s)
{
	if (ws_nall == ws_capall) {
		ws_capall = ws_capall ? ws_capall * 2 : 1024;
		ws_all = mem_realloc(ws_all, ws_capall * sizeof(*ws_all));
	}
	s->slot = ws_nall;
	ws_all[ws_nall++] = s;
	s->rx_ms = s->ping_ms = ws_ms();
}

static void
ws_untrack(struct session *s)
{
	struct session *last;

	if (s->slot >= ws_nall || ws_all[s->slot] != s)
		return;
	last = ws_all[--ws_nall];
	ws_all[s->slot] = last;
	last->slot = s->slot;
}

/* One slice of the session table per tick, so that every session is
 * looked at about every heartbeat / 5 (0.2 to 5 s). */
static void
ws_sweep_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	uint32_t now = ws_ms(), hb = (uint32_t)relay_conf.heartbeat_ms;
	uint32_t hangup = 2 * hb + 10000, i, count;
	double cycle = (double)relay_conf.heartbeat_ms / 5000.0;
	struct session *s;

	if (ws_nall == 0)
		return;
	if (cycle < 0.2)
		cycle = 0.2;
	if (cycle > 5)
		cycle = 5;
	count = (uint32_t)((double)ws_nall * WS_SWEEP_TICK / cycle) + 1;
	if (count > ws_nall)
		count = ws_nall;
	for (i = 0; i < count; i++) {
		if (ws_sweep_pos >= ws_nall)
			ws_sweep_pos = 0;
		s = ws_all[ws_sweep_pos++];
		if (s->hungup)
			continue;
		if (now - s->rx_ms >= hangup) {
			/* As lws' validity timeout did: no close frame.  The
			 * shutdown makes lws see EOF and close, even with a
			 * send still buffered for a peer that is gone. */
			s->hungup = 1;
			log_info("session of user %lld silent for %u ms: "
			         "closing",
			    (long long)hub_user_id(s), now - s->rx_ms);
			shutdown(lws_get_socket_fd(s->wsi), SHUT_RDWR);
		} else if (now - s->rx_ms >= hb && now - s->ping_ms >= hb &&
		    !s->close_code) {
			s->ping_due = 1;
			s->ping_ms = now;
			lws_callback_on_writable(s->wsi);
		}
	}
}

static int
ws_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
    void *in, size_t len)
{
	struct session *s = user;
	struct relay_auth *a;

	switch (reason) {
	case LWS_CALLBACK_RAW_ADOPT:
		/* listen.c has answered 101 already. */
		a = listen_take_auth(lws_get_socket_fd(wsi));
		if (a == NULL || relay_stopping || s == NULL) {
			relay_auth_free(a);
			return -1;
		}
		lws_set_timeout(wsi, NO_PENDING_TIMEOUT, 0);
		s->wsi = wsi;
		wsrx_init(&s->rx, WS_MSG_MAX);
		ws_track(s);
		hub_attach(s, a);
		/* Frames sent together with the upgrade request. */
		ws_receive(s, a->early, a->nearly);
		relay_auth_free(a);
		return 0;
	case LWS_CALLBACK_RAW_RX:
		if (s == NULL || s->wsi == NULL)
			return 0;
		ws_receive(s, in, len);
		return 0;
	case LWS_CALLBACK_RAW_WRITEABLE:
		if (s == NULL || s->wsi == NULL)
			return 0;
		return ws_writeable(s);
	case LWS_CALLBACK_RAW_CLOSE:
		if (s == NULL || s->wsi == NULL)
			return 0;
		hub_detach(s);
		ws_untrack(s);
		ws_undirty(s);
		if (s->overflowed)
			ws_cull_forget(wsi);
		ws_queue_drop(s);
		wsrx_release(&s->rx);
		s->q = NULL;
		s->wsi = NULL;
		return 0;
	default:
		break;
	}
	return 0;
}

static struct lws_protocols ws_protocols[] = {
	{ WS_PROTOCOL, ws_callback, sizeof(struct session), 0, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 }
};

/* Nothing scheduled per connection: with secs_since_valid_hangup 0, lws
 * 4.1's validity timer (_lws_validity_confirmed_role) is never armed; a
 * NULL policy would give the context default (ping 300 s, hangup 310 s),
 * one sorted-list timer per connection. */
static const lws_retry_bo_t ws_retry;

static void
ws_log(int level, const char *line)
{
	size_t n = strlen(line);

	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		n--;
	/* lws 4.1 logs every readbuf adoption as an error. */
	if (strstr(line, "adopt_socket_readbuf: calling service"))
		return;
	if (level & LLL_ERR)
		log_error("lws: %.*s", (int)n, line);
	else
		log_warn("lws: %.*s", (int)n, line);
}

enum err_code
ws_start(void)
{
	struct lws_context_creation_info info;
	void *loops[1];

	lws_set_log_level(LLL_ERR | LLL_WARN, ws_log);
	ws_protocols[0].rx_buffer_size = relay_conf.rx_buffer;
	ws_protocols[0].tx_packet_size = WS_BATCH_MAX;
	memset(&info, 0, sizeof(info));
	loops[0] = relay_loop;
	info.foreign_loops = loops;
	info.options = LWS_SERVER_OPTION_LIBEV;
	info.port = CONTEXT_PORT_NO_LISTEN_SERVER;
	info.protocols = ws_protocols;
	info.retry_and_idle_policy = &ws_retry;
	info.timeout_secs = 10;
	info.vhost_name = "easychat-relay";
	info.server_string = "easychat-relay";
	relay_lws = lws_create_context(&info);
	if (relay_lws == NULL) {
		log_error("cannot create the libwebsockets context");
		return ERR_INTERNAL;
	}
	relay_vhost = lws_get_vhost_by_name(relay_lws, "easychat-relay");
	if (relay_vhost == NULL) {
		log_error("no libwebsockets vhost");
		lws_context_destroy(relay_lws);
		relay_lws = NULL;
		return ERR_INTERNAL;
	}
	ws_t0 = relay_now();
	ev_idle_init(&ws_idle_watcher, ws_idle_cb);
	ev_prepare_init(&ws_prepare_watcher, ws_prepare_cb);
	ev_prepare_start(relay_loop, &ws_prepare_watcher);
	/* Without a timer the relay writes as before: when the loop is
	 * idle. */
	ws_hold_fd = timerfd_create(CLOCK_MONOTONIC,
	    TFD_NONBLOCK | TFD_CLOEXEC);
	if (ws_hold_fd < 0) {
		log_warn("timerfd_create: %s: writes are not coalesced",
		    strerror(errno));
	} else {
		ev_io_init(&ws_hold_watcher, ws_hold_cb, ws_hold_fd, EV_READ);
		ev_io_start(relay_loop, &ws_hold_watcher);
	}
	ev_timer_init(&ws_sweep_timer, ws_sweep_cb, WS_SWEEP_TICK,
	    WS_SWEEP_TICK);
	ev_timer_start(relay_loop, &ws_sweep_timer);
	return ERR_OK;
}

void
ws_stop(void)
{
	if (relay_lws == NULL)
		return;
	ev_timer_stop(relay_loop, &ws_sweep_timer);
	ev_prepare_stop(relay_loop, &ws_prepare_watcher);
	ev_idle_stop(relay_loop, &ws_idle_watcher);
	if (ws_hold_fd >= 0) {
		ev_io_stop(relay_loop, &ws_hold_watcher);
		close(ws_hold_fd);
		ws_hold_fd = -1;
	}
	ws_holding = 0;
	lws_context_destroy(relay_lws);
	ev_timer_stop(relay_loop, &ws_cull_timer);
	free(ws_all);
	ws_all = NULL;
	ws_nall = ws_capall = 0;
	free(ws_dirty);
	ws_dirty = NULL;
	ws_ndirty = ws_capdirty = 0;
	relay_lws = NULL;
	relay_vhost = NULL;
}
