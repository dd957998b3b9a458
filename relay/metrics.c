/* metrics.c - counters and the loopback /metrics endpoint (Prometheus
 * text format).  The endpoint is a minimal HTTP/1.0 responder: one
 * request per connection, answered and closed. */
#include "relay.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"
#include "mem.h"

#define METRICS_REQ_MAX 2048

struct relay_metrics metrics;

struct metrics_conn {
	int fd;
	ev_io io;
	ev_timer timer;
	size_t len;
	char buf[METRICS_REQ_MAX + 1];
};

static int metrics_fd = -1;
static ev_io metrics_io;
static const int metrics_statuses[] = { 400, 401, 403, 404, 429, 431, 503 };

void
metrics_refused(int status)
{
	size_t i;

	for (i = 0; i < sizeof(metrics_statuses) / sizeof(int); i++) {
		if (metrics_statuses[i] == status)
			metrics.handshakes_refused[i]++;
	}
}

static void
metrics_render(struct buf *b)
{
	size_t i;

#define METRIC(name, type, help, value)                                        \
	buf_printf(b,                                                          \
	    "# HELP easychat_relay_" name " " help "\n"                        \
	    "# TYPE easychat_relay_" name " " type "\n"                        \
	    "easychat_relay_" name " %llu\n",                                  \
	    (unsigned long long)(value))
	METRIC("connections", "gauge", "Open websocket sessions.",
	    metrics.connections);
	METRIC("users", "gauge", "Distinct users with a local session.",
	    metrics.users);
	METRIC("subscribed_channels", "gauge", "Redis channels subscribed.",
	    metrics.channels);
	METRIC("frames_out_total", "counter", "Frames written to clients.",
	    metrics.frames_out);
	METRIC("bytes_out_total", "counter", "Payload bytes written.",
	    metrics.bytes_out);
	METRIC("writes_total", "counter",
	    "Socket writes to clients (each carries one or more frames).",
	    metrics.writes);
	METRIC("write_rounds_total", "counter",
	    "Rounds writing every session with queued frames.",
	    metrics.flushes);
	METRIC("write_rounds_held_total", "counter",
	    "Write rounds held back while busy (adaptive coalescing).",
	    metrics.flushes_held);
	METRIC("frames_dropped_total", "counter",
	    "Frames dropped (full or closing queues).", metrics.frames_dropped);
	METRIC("sessions_culled_total", "counter",
	    "Sessions closed because their queue overflowed.",
	    metrics.sessions_culled);
	METRIC("redis_reconnects_total", "counter",
	    "Reconnections to Redis after a loss.", metrics.redis_reconnects);
	METRIC("redis_messages_total", "counter",
	    "Messages received from Redis.", metrics.redis_messages);
	METRIC("client_frames_total", "counter",
	    "Complete messages received from clients.", metrics.client_frames);
	METRIC("typing_checks_total", "counter",
	    "Typing frames checked in PostgreSQL (the others reused a check).",
	    metrics.typing_checks);
	METRIC("client_protocol_closes_total", "counter",
	    "Sessions closed for bad frames (1003/1007/1009).",
	    metrics.client_closed_bad);
	METRIC("handshakes_accepted_total", "counter",
	    "Upgrades authenticated and accepted.", metrics.handshakes_ok);
#undef METRIC
	buf_puts(b,
	    "# HELP easychat_relay_handshakes_refused_total "
	    "Upgrades refused, by HTTP status.\n"
	    "# TYPE easychat_relay_handshakes_refused_total counter\n");
	for (i = 0; i < sizeof(metrics_statuses) / sizeof(int); i++)
		buf_printf(b,
		    "easychat_relay_handshakes_refused_total"
		    "{status=\"%d\"} %llu\n",
		    metrics_statuses[i], metrics.handshakes_refused[i]);
}

static void
metrics_conn_close(struct metrics_conn *c)
{
	ev_io_stop(relay_loop, &c->io);
	ev_timer_stop(relay_loop, &c->timer);
	close(c->fd);
	free(c);
}

static void
metrics_reply(struct metrics_conn *c)
{
	struct buf body, out;
	size_t off = 0;
	ssize_t n;
	int ok;

	buf_init(&body, 0);
	buf_init(&out, 0);
	ok = strncmp(c->buf, "GET /metrics ", 13) == 0 ||
	    strncmp(c->buf, "GET /metrics?", 13) == 0;
	if (ok)
		metrics_render(&body);
	else
		buf_puts(&body, "not found\n");
	buf_printf(&out,
	    "HTTP/1.0 %s\r\nContent-Type: text/plain; "
	    "version=0.0.4; charset=utf-8\r\nContent-Length: %zu\r\n"
	    "Connection: close\r\n\r\n",
	    ok ? "200 OK" : "404 Not Found", body.len);
	buf_append(&out, body.data, body.len);
	/* A few KiB on loopback: write it out, briefly blocking at worst. */
	while (off < out.len) {
		n = write(c->fd, out.data + off, out.len - off);
		if (n < 0 && errno == EAGAIN) {
			usleep(1000);
			continue;
		}
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	buf_release(&body);
	buf_release(&out);
	metrics_conn_close(c);
}

static void
metrics_read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct metrics_conn *c = w->data;
	ssize_t n;

	n = read(c->fd, c->buf + c->len, METRICS_REQ_MAX - c->len);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		metrics_conn_close(c);
		return;
	}
	c->len += (size_t)n;
	c->buf[c->len] = '\0';
	if (strstr(c->buf, "\r\n\r\n") || strstr(c->buf, "\n\n") ||
	    c->len >= METRICS_REQ_MAX)
		metrics_reply(c);
}

static void
metrics_timeout_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	metrics_conn_close(w->data);
}

static void
metrics_accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct metrics_conn *c;
	int fd;

	fd = accept4(metrics_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	c = mem_calloc(1, sizeof(*c));
	c->fd = fd;
	ev_io_init(&c->io, metrics_read_cb, fd, EV_READ);
	c->io.data = c;
	ev_timer_init(&c->timer, metrics_timeout_cb, 5.0, 0);
	c->timer.data = c;
	ev_io_start(relay_loop, &c->io);
	ev_timer_start(relay_loop, &c->timer);
}

enum err_code
metrics_start(const char *host, int port)
{
	metrics_fd = listen_socket(host, port);
	if (metrics_fd < 0)
		return ERR_INTERNAL;
	ev_io_init(&metrics_io, metrics_accept_cb, metrics_fd, EV_READ);
	ev_io_start(relay_loop, &metrics_io);
	log_info("metrics on http://%s:%d/metrics", host, port);
	return ERR_OK;
}

void
metrics_stop(void)
{
	if (metrics_fd < 0)
		return;
	ev_io_stop(relay_loop, &metrics_io);
	close(metrics_fd);
	metrics_fd = -1;
}
