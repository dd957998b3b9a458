/* ws.c - the websocket sessions: sockets, client frames, queues,
 * heartbeats.
 *
 * listen.c answers the upgrade (101) itself and hands the socket over
 * (ws_adopt()); from then on the session is one libev watcher on the
 * socket and the websocket framing is the relay's: client frames are
 * parsed by wsrx.c (RFC 6455; relay/README.md), server frames are built
 * by frame.c, Close frames included.  (Until 2026-12-06 the socket was
 * adopted into libwebsockets as a raw socket, which only watched it and
 * buffered partial writes, for ~950 bytes of `struct lws` per idle
 * connection: README, "Memory per idle connection".)  Each session
 * has a bounded ring of shared frames (frame.c: each carries its complete
 * websocket header).  Sessions pushed to are written once the loop has
 * nothing else pending (ws_flush(), at most WS_FLUSH_ROUNDS iterations
 * later): all their queued frames, as many as fit in WS_BATCH_MAX bytes
 * per write, with one send(2) straight on the socket, so the events a
 * busy relay reads from Redis together cost each socket one write, and an
 * idle relay still writes each event at once.  What the socket does not
 * take is copied to the session (`out`) and the watcher waits for
 * EV_WRITE; the session is then written only from ws_writeable(), once
 * `out` drained.  Pings and Close frames go through ws_writeable() too
 * (ws_want_write(): the socket is nearly always writeable, so that is the
 * next loop iteration).  A full ring drops its frames, queues `resync` and
 * closes the session with 4008 (or the socket is shut down after
 * WS_CULL_SECS if the peer does not even read that).  After the relay's
 * Close frame the TCP connection ends as soon as `out` drained.
 *
 * Sessions are never freed under a caller: a session ends only from its
 * own watcher (EOF, a read or write error, its Close frame out); the
 * other paths (heartbeat, cull, a broken write in ws_flush()) shut the
 * socket down, and the watcher then reads EOF and ends it.
 *
 * No per-connection timer: one libev timer walks the session table in
 * slices, asks for a ping after RELAY_HEARTBEAT_MS of silence and shuts
 * down sessions silent for 2 x heartbeat + 10 s.
 */
#include "relay.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "buf.h"
#include "json.h"
#include "log.h"
#include "mem.h"
#include "utf8.h"
#include "wire.h"

#define WS_MSG_MAX    4096  /* client frames above: close 1009 */
#define WS_CULL_SECS  2     /* a culled session's grace to read resync */
#define WS_BATCH_MAX  65536 /* bytes of frames per write */
#define WS_SWEEP_TICK 0.1   /* seconds between heartbeat slices */
#define WS_READ_MAX   4096  /* bytes read per read event */

/* The write and read buffers shared by all sessions (one thread). */
static unsigned char ws_batch[WS_BATCH_MAX];
static unsigned char ws_rbuf[WS_READ_MAX];
static int ws_started;

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

/* Established sessions, for the heartbeat sweep: s->slot is the index. */
static struct session **ws_all;
static uint32_t ws_nall, ws_capall, ws_sweep_pos;
static ev_timer ws_sweep_timer;
static double ws_t0;

/* Culled sessions waiting out their grace: a peer that does not read
 * never lets `out` drain, so after the grace the socket is shut down and
 * the watcher reads EOF and ends the session. */
struct ws_cull {
	struct ws_cull *next;
	struct session *s;
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
		c->s->hungup = 1;
		shutdown(c->s->io.fd, SHUT_RDWR);
		free(c);
	}
	if (ws_culls == NULL)
		ev_timer_stop(relay_loop, &ws_cull_timer);
}

static void
ws_cull_add(struct session *s)
{
	struct ws_cull *c = mem_alloc(sizeof(*c));

	c->s = s;
	c->deadline = relay_now() + WS_CULL_SECS;
	c->next = ws_culls;
	ws_culls = c;
	if (!ev_is_active(&ws_cull_timer)) {
		ev_timer_init(&ws_cull_timer, ws_cull_cb, 0.5, 0.5);
		ev_timer_start(relay_loop, &ws_cull_timer);
	}
}

static void
ws_cull_forget(struct session *s)
{
	struct ws_cull **pp = &ws_culls, *c;

	while ((c = *pp) != NULL) {
		if (c->s == s) {
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

/* Watches the socket for EV_WRITE too while `out` holds bytes or the
 * writeable handler is due, for EV_READ alone otherwise. */
static void
ws_watch(struct session *s)
{
	int want = EV_READ | (s->out || s->want_write ? EV_WRITE : 0);

	if ((s->io.events & (EV_READ | EV_WRITE)) == want)
		return;
	ev_io_stop(relay_loop, &s->io);
	ev_io_modify(&s->io, want);
	ev_io_start(relay_loop, &s->io);
}

/* Runs ws_writeable() once the socket can take bytes (and `out` is
 * out): for pings, Close frames and what follows a partial write. */
static void
ws_want_write(struct session *s)
{
	s->want_write = 1;
	ws_watch(s);
}

void
ws_close_after_queue(struct session *s, uint16_t code)
{
	if (s->close_code)
		return;
	s->close_code = code;
	ws_want_write(s);
}

void
ws_push(struct session *s, struct frame *f)
{
	struct frame *resync;

	if (s->close_code) {
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
		ws_cull_add(s);
		ws_want_write(s);
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
		if (!ev_is_active(&ws_idle_watcher)) {
			ws_rounds = 0;
			ev_idle_start(relay_loop, &ws_idle_watcher);
		}
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
	ws_want_write(s);
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
 * send(2), no poll round), and what it did not take is copied to `out`,
 * which the watcher writes when the socket drains; the session is then
 * blocked (written only from ws_writeable(), once `out` is out) so that
 * nothing overtakes those bytes.  -1 when the connection is broken. */
static int
ws_send(struct session *s, const unsigned char *buf, size_t n)
{
	ssize_t w;
	size_t left;

	if (s->out) {
		/* Never while blocked (callers check); kept in order anyway. */
		s->out = mem_realloc(s->out, s->outlen + n);
		memcpy(s->out + s->outlen, buf, n);
		s->outlen += (uint32_t)n;
		return 0;
	}
	w = send(s->io.fd, buf, n, MSG_DONTWAIT | MSG_NOSIGNAL);
	metrics.writes++;
	if (w == (ssize_t)n)
		return 0;
	if (w < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			return -1;
		w = 0;
	}
	left = n - (size_t)w;
	s->out = mem_alloc(left);
	memcpy(s->out, buf + w, left);
	s->outlen = (uint32_t)left;
	s->outoff = 0;
	s->blocked = 1;
	ws_want_write(s);
	return 0;
}

/* Writes what `out` holds; 0 (freed once all is out) or -1 when the
 * connection is broken. */
static int
ws_drain(struct session *s)
{
	ssize_t w;

	w = send(s->io.fd, s->out + s->outoff, s->outlen - s->outoff,
	    MSG_DONTWAIT | MSG_NOSIGNAL);
	metrics.writes++;
	if (w < 0)
		return (errno == EAGAIN || errno == EWOULDBLOCK ||
		           errno == EINTR)
		    ? 0
		    : -1;
	s->outoff += (uint32_t)w;
	if (s->outoff == s->outlen) {
		free(s->out);
		s->out = NULL;
		s->outlen = s->outoff = 0;
	}
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
	unsigned char *out = ws_batch;
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

/* Sends what is queued once the socket is writeable and `out` is out: a
 * ping if one is due, then a batch of frames (ws_send_queued()); the
 * Close frame once the queue drained.  Frames are never interleaved.  -1
 * ends the session (after `out` drained). */
static int
ws_writeable(struct session *s)
{
	unsigned char *out = ws_batch;
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
	/* After our Close frame the TCP connection ends at once (once
	 * what the socket did not take is out). */
	if (s->qlen == 0 && s->close_queued)
		return -1;
	if (!s->blocked && (s->qlen > 0 || s->close_code))
		ws_want_write(s);
	return 0;
}

/* Every session pushed frames since the last flush is written directly,
 * all its queued frames at once.  Adaptive coalescing without a timer:
 * an idle relay writes each event as soon as its Redis message is
 * handled (nothing else is pending); a busy one first reads what Redis
 * has sent meanwhile, and each socket gets all of it in one write.
 * Sessions with a ping or a Close to send, or with bytes waiting in
 * `out`, are left to ws_writeable(). */
static void
ws_flush(void)
{
	struct session *s;
	uint32_t i;

	for (i = 0; i < ws_ndirty; i++) {
		s = ws_dirty[i];
		if (s == NULL)
			continue;
		s->dirty = 0;
		if (s->blocked || s->hungup)
			continue;
		if (s->close_code || s->ping_due) {
			ws_want_write(s);
			continue;
		}
		while (s->qlen > 0 && !s->blocked) {
			if (ws_send_queued(s, 0) == 0)
				continue;
			/* Broken: the watcher reads EOF and ends the
			 * session. */
			metrics.frames_dropped += s->qlen;
			ws_queue_drop(s);
			s->hungup = 1;
			shutdown(s->io.fd, SHUT_RDWR);
		}
	}
	ws_ndirty = 0;
	ev_idle_stop(relay_loop, &ws_idle_watcher);
}

static void
ws_idle_cb(struct ev_loop *loop, ev_idle *w, int revents)
{
	ws_flush();
}

/* Before each loop iteration: a flush put off WS_FLUSH_ROUNDS times
 * happens now. */
static void
ws_prepare_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
	if (ws_ndirty > 0 && ++ws_rounds >= WS_FLUSH_ROUNDS)
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
			/* No close frame.  The shutdown makes the watcher
			 * read EOF and end the session, even with bytes
			 * still in `out` for a peer that is gone. */
			s->hungup = 1;
			log_info("session of user %lld silent for %u ms: "
			         "closing",
			    (long long)hub_user_id(s), now - s->rx_ms);
			shutdown(s->io.fd, SHUT_RDWR);
		} else if (now - s->rx_ms >= hb && now - s->ping_ms >= hb &&
		    !s->close_code) {
			s->ping_due = 1;
			s->ping_ms = now;
			ws_want_write(s);
		}
	}
}

/* ---- the session's socket ------------------------------------------- */

/* Ends the session: detached from its user, its queue dropped, the
 * socket closed.  Only from the session's own watcher (or ws_stop()). */
static void
ws_end(struct session *s)
{
	hub_detach(s);
	ws_untrack(s);
	ws_undirty(s);
	if (s->overflowed)
		ws_cull_forget(s);
	ws_queue_drop(s);
	wsrx_release(&s->rx);
	ev_io_stop(relay_loop, &s->io);
	close(s->io.fd);
	free(s->out);
	free(s);
}

static void
ws_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct session *s = w->data;
	ssize_t n;

	if (revents & EV_READ) {
		n = recv(w->fd, ws_rbuf, sizeof(ws_rbuf), 0);
		if (n == 0 ||
		    (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK &&
		        errno != EINTR)) {
			ws_end(s);
			return;
		}
		if (n > 0)
			ws_receive(s, ws_rbuf, (size_t)n);
	}
	if (!(revents & EV_WRITE))
		return;
	if (s->out && ws_drain(s)) {
		ws_end(s);
		return;
	}
	if (s->out == NULL && s->closing) {
		ws_end(s);
		return;
	}
	if (s->out == NULL && s->want_write) {
		s->want_write = 0;
		if (ws_writeable(s)) {
			if (s->out == NULL) {
				ws_end(s);
				return;
			}
			s->closing = 1;
		}
	}
	ws_watch(s);
}

void
ws_adopt(int fd, struct relay_auth *a)
{
	struct session *s;

	if (relay_stopping) {
		close(fd);
		relay_auth_free(a);
		return;
	}
	s = mem_calloc(1, sizeof(*s));
	ev_io_init(&s->io, ws_io_cb, fd, EV_READ);
	s->io.data = s;
	ev_io_start(relay_loop, &s->io);
	wsrx_init(&s->rx, WS_MSG_MAX);
	ws_track(s);
	hub_attach(s, a);
	/* Frames sent together with the upgrade request. */
	ws_receive(s, a->early, a->nearly);
	relay_auth_free(a);
}

enum err_code
ws_start(void)
{
	ws_t0 = relay_now();
	ev_idle_init(&ws_idle_watcher, ws_idle_cb);
	ev_prepare_init(&ws_prepare_watcher, ws_prepare_cb);
	ev_prepare_start(relay_loop, &ws_prepare_watcher);
	ev_timer_init(&ws_sweep_timer, ws_sweep_cb, WS_SWEEP_TICK,
	    WS_SWEEP_TICK);
	ev_timer_start(relay_loop, &ws_sweep_timer);
	ws_started = 1;
	return ERR_OK;
}

void
ws_stop(void)
{
	if (!ws_started)
		return;
	while (ws_nall > 0)
		ws_end(ws_all[ws_nall - 1]);
	ev_timer_stop(relay_loop, &ws_sweep_timer);
	ev_prepare_stop(relay_loop, &ws_prepare_watcher);
	ev_idle_stop(relay_loop, &ws_idle_watcher);
	ev_timer_stop(relay_loop, &ws_cull_timer);
	free(ws_all);
	ws_all = NULL;
	ws_nall = ws_capall = 0;
	free(ws_dirty);
	ws_dirty = NULL;
	ws_ndirty = ws_capdirty = 0;
	ws_started = 0;
}
