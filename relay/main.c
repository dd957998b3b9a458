/* main.c - easychat-relay: the websocket relay daemon.
 *
 * Configuration comes from $EASYCHAT_ENV (cfg.h) plus RELAY_INDEX from
 * the environment: relay i listens on RELAY_HOST:RELAY_PORT+i and serves
 * metrics on RELAY_METRICS_PORT+i.  SIGTERM/SIGINT: stop accepting, close
 * every session (ending presence), let Redis and PostgreSQL finish what
 * that queued (at most RELAY_DRAIN_SECS), free everything, exit 0.
 * With SENTRY_ENABLED and SENTRY_DSN, fatal signals and the loss of Redis
 * or PostgreSQL are reported (report.c).
 */
#include "relay.h"

#include <libwebsockets.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfg.h"
#include "log.h"
#include "sec.h"
#include "wire.h"

#define RELAY_DRAIN_SECS 3.0
#define RELAY_TRIM_SECS  5.0
/* Buffers above this come from mmap and go back to the system when
 * freed (M_MMAP_THRESHOLD); free space above the heap's top beyond
 * M_TRIM_THRESHOLD is given back at once. */
#define RELAY_MMAP_BYTES (64 * 1024)
#define RELAY_TRIM_BYTES (256 * 1024)

struct relay_conf relay_conf;
struct ev_loop *relay_loop;
int relay_stopping;

static ev_signal relay_sigterm, relay_sigint;
static ev_timer relay_drain_timer, relay_trim_timer;
static double relay_drain_start;

/* Short-lived memory is freed between long-lived blocks allocated
 * meanwhile: each handshake's (request, Redis and PostgreSQL replies)
 * between the sessions of a connect burst, the presence refresh's (a
 * hiredis callback per command, two commands per user) between whatever
 * came while its replies were read.  glibc gives back only the top of the
 * heap; malloc_trim() also returns the free pages inside it.  It walks
 * only the free chunks, which a settled relay has few of. */
static void
relay_trim_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	malloc_trim(0);
}

double
relay_now(void)
{
	return ev_now(relay_loop);
}

static void
relay_drain_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	if ((bus_pending() > 0 || pg_pending()) &&
	    relay_now() - relay_drain_start < RELAY_DRAIN_SECS)
		return;
	ev_timer_stop(loop, w);
	ev_break(loop, EVBREAK_ALL);
}

static void
relay_signal_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	if (relay_stopping)
		return;
	log_info("signal %d: shutting down", w->signum);
	relay_stopping = 1;
	listen_stop();
	metrics_stop();
	/* Closes every session: hub_detach() queues the presence ends. */
	ws_stop();
	relay_drain_start = relay_now();
	ev_timer_init(&relay_drain_timer, relay_drain_cb, 0.02, 0.02);
	ev_timer_start(loop, &relay_drain_timer);
}

/* A program could not publish an event (Redis stalled or down) and
 * sent it through PostgreSQL instead (common/event.c): "<channel>\n<event>"
 * is delivered like a published event; a bare channel (the event was too
 * large for a NOTIFY) makes the relay resynchronise. */
static void
relay_notified(const char *channel, const char *payload)
{
	const char *nl = payload ? strchr(payload, '\n') : NULL;
	char ch[WIRE_NAME_MAX];
	size_t clen;

	if (nl != NULL && (clen = (size_t)(nl - payload)) < sizeof(ch)) {
		memcpy(ch, payload, clen);
		ch[clen] = '\0';
		hub_deliver(ch, nl + 1, strlen(nl + 1));
		return;
	}
	hub_resync(payload && payload[0] ? payload : channel);
}

static enum err_code
relay_configure(void)
{
	long index, n;
	char host[64];

	index = cfg_get_long("RELAY_INDEX", 0);
	if (index < 0 || index > 1000)
		index = 0;
	relay_conf.host = cfg_get("RELAY_HOST", "127.0.0.1");
	relay_conf.port = (int)(cfg_get_long("RELAY_PORT", 9001) + index);
	relay_conf.metrics_port =
	    (int)(cfg_get_long("RELAY_METRICS_PORT", 9101) + index);
	relay_conf.heartbeat_ms = cfg_get_long("RELAY_HEARTBEAT_MS", 25000);
	if (relay_conf.heartbeat_ms < 1000)
		relay_conf.heartbeat_ms = 1000;
	/* Frames are shared, so a long queue costs a pointer per frame;
	 * the byte bound keeps a stalled reader from pinning much. */
	n = cfg_get_long("RELAY_QUEUE_MAX", 1024);
	relay_conf.queue_max = (unsigned)(n < 4 ? 4 : n > 4096 ? 4096 : n);
	n = cfg_get_long("RELAY_QUEUE_BYTES", 4L << 20);
	relay_conf.queue_bytes = (unsigned)(n < 65536 ? 65536
	        : n > (256L << 20)                    ? (256L << 20)
	                                              : n);
	/* Client frames are small (focus, typing, ping); larger ones are
	 * assembled by ws.c up to 4 KiB.  The adopted raw sockets have no
	 * receive buffer of their own (heaptrack, 2026-12-06: lws makes
	 * three allocations per connection, none of them this size), so
	 * it does not count in idle memory. */
	n = cfg_get_long("RELAY_RX_BUFFER", 128);
	relay_conf.rx_buffer = (unsigned)(n < 128 ? 128
	        : n > 65536                       ? 65536
	                                          : n);
	relay_conf.typing_ms = cfg_get_long("RELAY_TYPING_INTERVAL_MS", 2000);
	relay_conf.status_ms = cfg_get_long("RELAY_STATUS_INTERVAL_MS", 2000);
	/* Bounds how long a timeout whose member.updated never reached this
	 * relay (a Redis outage) leaves typing through (hub_typing). */
	relay_conf.typing_check_ms = cfg_get_long("RELAY_TYPING_CHECK_MS",
	    10000);
	if (relay_conf.typing_check_ms < 0)
		relay_conf.typing_check_ms = 0;
	/* Caps against one client holding the relay: a browser user has a
	 * few tabs; a proxy in front connects from loopback (exempt). */
	n = cfg_get_long("RELAY_SESSIONS_PER_USER", 32);
	relay_conf.sessions_per_user = (unsigned)(n < 1 ? 1 : n);
	n = cfg_get_long("RELAY_PENDING_PER_ADDR", 32);
	relay_conf.pending_per_addr = (unsigned)(n < 1 ? 1 : n);
	relay_conf.pending_exempt = cfg_get("RELAY_PENDING_EXEMPT",
	    "127.0.0.1,::1");
	if (relay_conf.status_ms < 0)
		relay_conf.status_ms = 0;
	relay_conf.presence_ttl = cfg_get_long("RELAY_PRESENCE_TTL", 60);
	if (relay_conf.presence_ttl < 3)
		relay_conf.presence_ttl = 3;
	/* A safety net behind the resync triggers (Redis back, a program's
	 * NOTIFY): one query for every local user's groups, one for the
	 * sessions. */
	relay_conf.reconcile_secs = cfg_get_long("RELAY_RECONCILE_SECS", 60);
	if (relay_conf.reconcile_secs < 0)
		relay_conf.reconcile_secs = 0;
	/* Adaptive write coalescing (ws.c): a busy relay holds its next
	 * write round up to this long so that several events share each
	 * socket's send(); an idle one writes at once.  At most 1 s (the
	 * hold is latency every recipient pays; the tests use long ones). */
	n = cfg_get_long("RELAY_COALESCE_US", 1000);
	relay_conf.coalesce_us = n < 0 ? 0 : n > 1000000 ? 1000000 : n;
	n = cfg_get_long("RELAY_COALESCE_BUSY", 50);
	relay_conf.coalesce_busy = (unsigned)(n < 0 ? 0 : n > 100 ? 100 : n);
	if (gethostname(host, sizeof(host)) != 0)
		snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	snprintf(relay_conf.id, sizeof(relay_conf.id), "%s:%d:%d", host,
	    (int)getpid(), relay_conf.port);
	return ERR_OK;
}

int
main(int argc, char **argv)
{
	enum err_code rc;
	int status;

	status = report_crash_main(argc, argv);
	if (status >= 0)
		return status;
	status = 1;
	/* Fixed thresholds: glibc's dynamic ones rise to the size of the
	 * largest mmapped block freed, after which large short-lived buffers
	 * (a presence refresh's hiredis output, ~100 bytes per user) come
	 * from the heap and leave their pages resident. */
	mallopt(M_MMAP_THRESHOLD, RELAY_MMAP_BYTES);
	mallopt(M_TRIM_THRESHOLD, RELAY_TRIM_BYTES);
	signal(SIGPIPE, SIG_IGN);
	rc = cfg_load();
	if (rc)
		return 1;
	log_init("relay", cfg.log_level);
	report_init();
	relay_configure();
	relay_loop = ev_default_loop(EVFLAG_AUTO);
	if (relay_loop == NULL) {
		log_error("cannot create the event loop");
		goto out;
	}
	rc = ws_start();
	if (rc)
		goto out_loop;
	hub_init();
	bus_init(&hub_bus_handlers);
	pg_init(WIRE_PG_RESYNC, relay_notified);
	rc = metrics_start(relay_conf.host, relay_conf.metrics_port);
	if (rc)
		goto out_stop;
	rc = listen_start(relay_conf.host, relay_conf.port);
	if (rc)
		goto out_stop;
	ev_signal_init(&relay_sigterm, relay_signal_cb, SIGTERM);
	ev_signal_init(&relay_sigint, relay_signal_cb, SIGINT);
	ev_signal_start(relay_loop, &relay_sigterm);
	ev_signal_start(relay_loop, &relay_sigint);
	ev_timer_init(&relay_trim_timer, relay_trim_cb, RELAY_TRIM_SECS,
	    RELAY_TRIM_SECS);
	ev_timer_start(relay_loop, &relay_trim_timer);
	log_info("relay %s ready (queue %u frames, rx buffer %u bytes)",
	    relay_conf.id, relay_conf.queue_max, relay_conf.rx_buffer);
	ev_run(relay_loop, 0);
	status = 0;
	ev_timer_stop(relay_loop, &relay_trim_timer);
	ev_signal_stop(relay_loop, &relay_sigterm);
	ev_signal_stop(relay_loop, &relay_sigint);
out_stop:
	relay_stopping = 1;
	listen_stop();
	metrics_stop();
	ws_stop();
	bus_close();
	pg_close();
	listen_release();
	hub_release();
out_loop:
	ev_loop_destroy(relay_loop);
out:
	cfg_release();
	log_info("relay stopped");
	return status;
}
