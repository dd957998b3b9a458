/* bus.c - Redis for the relay: hiredis async on the relay's libev loop.
 *
 * Two connections: `cmd` for commands (tickets, revocation checks,
 * presence, PUBLISH) and `sub` in subscribe mode.  The set of wanted
 * channels lives here, so a reconnection (with back-off) simply
 * subscribes to all of them again and hub.c only tells sessions to
 * resync.  bus.c knows nothing above it: what to do with messages and
 * reconnections is given to bus_init(), and replies are handed up
 * wrapped (struct bus_reply), so hiredis stays in this file.  A channel
 * is unsubscribed and subscribed again strictly in
 * order (hiredis 0.14 forgets a channel's callback when an UNSUBSCRIBE
 * reply arrives after a newer SUBSCRIBE), so quick leave/join churn never
 * loses a subscription.  With REDIS_SENTINELS the primary's address is
 * asked of the sentinels on every connection (rds_primary()).
 *
 * `user:<id>` channels are not subscribed one by one: one PSUBSCRIBE
 * `user:*` per connection carries them all, and hub.c drops the events
 * of users it does not hold (it looks every user channel up anyway).
 * hiredis keeps ~110 bytes of state per subscribed channel (dict entry,
 * channel name, callback copy), about 7 % of an idle connection's
 * memory; the price is that every relay reads every user event
 * (session revocations, mentions, membership: a few per user action,
 * never one per message per member).  A user channel is "subscribed"
 * (handlers.subscribed) once the pattern is acknowledged; bus.c keeps
 * no state per user channel.
 */
#include "relay.h"

#include <hiredis/adapters/libev.h>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "log.h"
#include "mem.h"
#include "rds.h"
#include "wire.h"

#define BUS_BACKOFF_MIN 0.1
#define BUS_BACKOFF_MAX 5.0

/* Channel states in bus_channels (value = bits, BUS_PRESENT always set). */
#define BUS_PRESENT   0x01
#define BUS_WANT      0x02 /* hub wants it */
#define BUS_SENT      0x04 /* SUBSCRIBE sent on this connection */
#define BUS_UNSUBBING 0x08 /* UNSUBSCRIBE sent, reply pending */

struct bus_reply {
	const redisReply *r;
};

struct bus_call {
	bus_cb cb;
	void *arg;
};

static redisAsyncContext *bus_cmd, *bus_sub;
static int bus_cmd_up, bus_sub_up, bus_sub_was_up;
static double bus_backoff = BUS_BACKOFF_MIN;
static ev_timer bus_retry_timer;
static struct map bus_channels;
/* PSUBSCRIBE user:* acknowledged on the current subscriber connection. */
static int bus_users_up;
static struct bus_handlers bus_up;
static int bus_npending;

static void bus_connect(void);

static int64_t
bus_key(const char *channel)
{
	int64_t id;

	switch (wire_channel_parse(channel, &id)) {
	case WIRE_CHANNEL_GROUP:
		if (id > INT64_MAX / 2 - 1)
			return 0;
		return id * 2;
	case WIRE_CHANNEL_USER:
		if (id > INT64_MAX / 2 - 1)
			return 0;
		return id * 2 + 1;
	default:
		return 0;
	}
}

static void
bus_channel_name(int64_t key, char out[WIRE_NAME_MAX])
{
	if (key & 1)
		wire_channel_user(out, key / 2);
	else
		wire_channel_group(out, key / 2);
}

static unsigned
bus_state(int64_t key)
{
	return (unsigned)(uintptr_t)map_get(&bus_channels, key);
}

static void
bus_set_state(int64_t key, unsigned st)
{
	unsigned old = bus_state(key);

	if ((old & BUS_WANT) && !(st & BUS_WANT))
		metrics.channels--;
	else if (!(old & BUS_WANT) && (st & BUS_WANT))
		metrics.channels++;
	if (st == 0 || st == BUS_PRESENT)
		map_del(&bus_channels, key);
	else
		map_put(&bus_channels, key, (void *)(uintptr_t)st);
}

static void bus_sub_cb(redisAsyncContext *ac, void *r, void *priv);

/* Sends (UN)SUBSCRIBE for a group channel (user channels are never in
 * bus_channels: the pattern carries them). */
static void
bus_send_subscribe(int64_t key, const char *verb)
{
	char name[WIRE_NAME_MAX];

	bus_channel_name(key, name);
	redisAsyncCommand(bus_sub, bus_sub_cb, NULL, "%s %s", verb, name);
}

/* "user:*", from the wire contract's channel name. */
static void
bus_users_pattern(char out[WIRE_NAME_MAX])
{
	char *colon;

	wire_channel_user(out, 1); /* "user:1" */
	colon = strchr(out, ':');
	colon[1] = '*';
	colon[2] = '\0';
}

/* The pattern is acknowledged: every user channel is subscribed from
 * now on (hub.c is told with the pattern's name). */
static void
bus_users_acked(void)
{
	char pattern[WIRE_NAME_MAX];

	bus_users_up = 1;
	bus_users_pattern(pattern);
	bus_up.subscribed(pattern);
}

static void
bus_sub_cb(redisAsyncContext *ac, void *r, void *priv)
{
	redisReply *reply = r, **e;
	int64_t key;
	unsigned st;

	if (reply == NULL || reply->type != REDIS_REPLY_ARRAY ||
	    reply->elements < 3)
		return;
	e = reply->element;
	if (e[0]->type != REDIS_REPLY_STRING ||
	    e[1]->type != REDIS_REPLY_STRING)
		return;
	if (strcmp(e[0]->str, "message") == 0) {
		if (e[2]->type == REDIS_REPLY_STRING) {
			metrics.redis_messages++;
			bus_up.message(e[1]->str, e[2]->str, e[2]->len);
		}
		return;
	}
	if (strcmp(e[0]->str, "pmessage") == 0) {
		/* pmessage, pattern, channel, message */
		if (reply->elements >= 4 && e[2]->type == REDIS_REPLY_STRING &&
		    e[3]->type == REDIS_REPLY_STRING) {
			metrics.redis_messages++;
			bus_up.message(e[2]->str, e[3]->str, e[3]->len);
		}
		return;
	}
	if (strcmp(e[0]->str, "psubscribe") == 0) {
		bus_users_acked();
		return;
	}
	if (strcmp(e[0]->str, "subscribe") == 0) {
		bus_up.subscribed(e[1]->str);
		return;
	}
	if (strcmp(e[0]->str, "unsubscribe") == 0) {
		key = bus_key(e[1]->str);
		st = bus_state(key);
		if (key == 0 || !(st & BUS_UNSUBBING))
			return;
		st &= ~(unsigned)BUS_UNSUBBING;
		if ((st & BUS_WANT) && bus_sub_up) {
			bus_send_subscribe(key, "SUBSCRIBE");
			st |= BUS_SENT;
		}
		bus_set_state(key, st);
	}
}

void
bus_subscribe(const char *channel)
{
	int64_t key = bus_key(channel);
	unsigned st;

	if (key == 0)
		return;
	if (key & 1) {
		/* The pattern carries it (no state here, ~30 bytes of
		 * bus_channels per user saved too): subscribed now if the
		 * pattern is up, else when it is acknowledged. */
		metrics.channels++;
		if (bus_users_up)
			bus_up.subscribed(channel);
		return;
	}
	st = bus_state(key) | BUS_PRESENT | BUS_WANT;
	if (bus_sub_up && !(st & (BUS_SENT | BUS_UNSUBBING))) {
		bus_send_subscribe(key, "SUBSCRIBE");
		st |= BUS_SENT;
	}
	bus_set_state(key, st);
}

void
bus_unsubscribe(const char *channel)
{
	int64_t key = bus_key(channel);
	unsigned st;

	if (key == 0)
		return;
	if (key & 1) {
		metrics.channels--;
		return;
	}
	st = bus_state(key) & ~(unsigned)BUS_WANT;
	if (bus_sub_up && (st & BUS_SENT)) {
		bus_send_subscribe(key, "UNSUBSCRIBE");
		st = (st & ~(unsigned)BUS_SENT) | BUS_UNSUBBING;
	}
	bus_set_state(key, st);
}

/* The subscribe connection is up: subscribe to everything wanted. */
static void
bus_sub_ready(void)
{
	struct map_iter it;
	int64_t key;

	char pattern[WIRE_NAME_MAX];

	bus_users_pattern(pattern);
	redisAsyncCommand(bus_sub, bus_sub_cb, NULL, "PSUBSCRIBE %s", pattern);
	map_iter_init(&it, &bus_channels);
	while (map_next(&it, &key, NULL)) {
		bus_send_subscribe(key, "SUBSCRIBE");
		map_put(&bus_channels, key,
		    (void *)(uintptr_t)(BUS_PRESENT | BUS_WANT | BUS_SENT));
	}
}

static int
bus_still_wanted(int64_t key, void *val, void *arg)
{
	return ((unsigned)(uintptr_t)val & BUS_WANT) != 0;
}

/* The subscribe connection is gone: nothing is sent any more. */
static void
bus_sub_lost(void)
{
	struct map_iter it;
	int64_t key;

	bus_users_up = 0;
	map_retain(&bus_channels, bus_still_wanted, NULL);
	map_iter_init(&it, &bus_channels);
	while (map_next(&it, &key, NULL))
		map_put(&bus_channels, key,
		    (void *)(uintptr_t)(BUS_PRESENT | BUS_WANT));
}

/* Sentry hears of an outage once, not of every retry; a connection of
 * both contexts ends the outage. */
static int bus_reported_down;

static void
bus_report_down(const char *why)
{
	if (bus_reported_down || relay_stopping)
		return;
	bus_reported_down = 1;
	report_error("relay %s: redis unreachable: %s", relay_conf.id, why);
}

static void
bus_schedule_retry(void)
{
	if (relay_stopping || ev_is_active(&bus_retry_timer))
		return;
	ev_timer_set(&bus_retry_timer, bus_backoff, 0);
	ev_timer_start(relay_loop, &bus_retry_timer);
	bus_backoff *= 2;
	if (bus_backoff > BUS_BACKOFF_MAX)
		bus_backoff = BUS_BACKOFF_MAX;
}

static void
bus_on_connect(const redisAsyncContext *ac, int status)
{
	int sub = (ac == bus_sub);

	if (status != REDIS_OK) {
		log_warn("redis %s connection failed: %s", sub ? "sub" : "cmd",
		    ac->errstr);
		bus_report_down(ac->errstr);
		/* hiredis frees the context after this callback. */
		if (sub)
			bus_sub = NULL;
		else
			bus_cmd = NULL;
		bus_schedule_retry();
		return;
	}
	if (sub) {
		bus_sub_up = 1;
		log_info("redis subscriber connected");
		bus_sub_ready();
		bus_up.sub_up(bus_sub_was_up);
		if (bus_sub_was_up)
			metrics.redis_reconnects++;
		bus_sub_was_up = 1;
	} else {
		bus_cmd_up = 1;
		/* Presence keys may be gone (a restarted Redis). */
		bus_up.cmd_up();
	}
	if (bus_cmd_up && bus_sub_up) {
		bus_backoff = BUS_BACKOFF_MIN;
		bus_reported_down = 0;
	}
}

static void
bus_on_disconnect(const redisAsyncContext *ac, int status)
{
	if (ac == bus_sub) {
		bus_sub = NULL;
		bus_sub_up = 0;
		bus_sub_lost();
	} else if (ac == bus_cmd) {
		bus_cmd = NULL;
		bus_cmd_up = 0;
	}
	if (!relay_stopping) {
		log_warn("redis connection lost: %s",
		    ac->errstr[0] ? ac->errstr : "closed");
		bus_report_down(ac->errstr[0] ? ac->errstr : "closed");
	}
	bus_schedule_retry();
}

static redisAsyncContext *
bus_open(const char *what)
{
	redisAsyncContext *ac;
	char host[256];
	int port;

	/* With REDIS_SENTINELS, asked anew on every (re)connection: after a
	 * failover the old primary refuses or hangs up, and the next try
	 * finds the promoted replica.  The synchronous look-up blocks the
	 * loop for at most 0.2 s per sentinel that does not answer, and only
	 * while Redis is being reconnected, when nothing flows anyway. */
	if (rds_primary(host, sizeof(host), &port)) {
		bus_report_down("no sentinel named the primary");
		return NULL;
	}
	ac = port == 0 ? redisAsyncConnectUnix(host)
	               : redisAsyncConnect(host, port);
	if (ac == NULL)
		return NULL;
	if (ac->err) {
		/* A unix socket fails here, at once (no socket file, refused),
		 * where TCP fails later in bus_on_connect(): the same outage. */
		log_warn("redis %s connection failed: %s", what, ac->errstr);
		bus_report_down(ac->errstr);
		redisAsyncFree(ac);
		return NULL;
	}
	redisLibevAttach(relay_loop, ac);
	redisAsyncSetConnectCallback(ac, bus_on_connect);
	redisAsyncSetDisconnectCallback(ac, bus_on_disconnect);
	if (cfg.redis_password && cfg.redis_password[0])
		redisAsyncCommand(ac, NULL, NULL, "AUTH %s",
		    cfg.redis_password);
	return ac;
}

static void
bus_connect(void)
{
	if (bus_cmd == NULL)
		bus_cmd = bus_open("cmd");
	if (bus_sub == NULL)
		bus_sub = bus_open("sub");
	if (bus_cmd == NULL || bus_sub == NULL)
		bus_schedule_retry();
}

static void
bus_retry_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	bus_connect();
}

void
bus_init(const struct bus_handlers *h)
{
	bus_up = *h;
	map_init(&bus_channels);
	ev_init(&bus_retry_timer, bus_retry_cb);
	bus_connect();
}

void
bus_close(void)
{
	ev_timer_stop(relay_loop, &bus_retry_timer);
	if (bus_cmd)
		redisAsyncFree(bus_cmd);
	if (bus_sub)
		redisAsyncFree(bus_sub);
	bus_cmd = bus_sub = NULL;
	bus_cmd_up = bus_sub_up = 0;
	map_release(&bus_channels);
}

int
bus_ready(void)
{
	return bus_cmd_up;
}

int
bus_pending(void)
{
	return bus_npending;
}

static void
bus_call_cb(redisAsyncContext *ac, void *r, void *priv)
{
	struct bus_call *call = priv;
	redisReply *reply = r;
	struct bus_reply wrapped = { reply };

	bus_npending--;
	if (reply && reply->type == REDIS_REPLY_ERROR) {
		log_error("redis: %s", reply->str);
		reply = NULL;
	}
	if (call->cb)
		call->cb(reply ? &wrapped : NULL, call->arg);
	free(call);
}

enum err_code
bus_command(bus_cb cb, void *arg, const char *fmt, ...)
{
	struct bus_call *call;
	va_list ap;
	int rc;

	if (!bus_cmd_up)
		return ERR_UNAVAILABLE;
	call = mem_alloc(sizeof(*call));
	call->cb = cb;
	call->arg = arg;
	va_start(ap, fmt);
	rc = redisvAsyncCommand(bus_cmd, bus_call_cb, call, fmt, ap);
	va_end(ap);
	if (rc != REDIS_OK) {
		free(call);
		return ERR_UNAVAILABLE;
	}
	bus_npending++;
	return ERR_OK;
}

void
bus_publish(const char *channel, const char *msg, size_t len)
{
	if (bus_command(NULL, NULL, "PUBLISH %s %b", channel, msg, len))
		log_warn("redis down: dropped an event for %s", channel);
}

int
bus_reply_int(const struct bus_reply *r, long long *out)
{
	if (r == NULL || r->r->type != REDIS_REPLY_INTEGER)
		return -1;
	*out = r->r->integer;
	return 0;
}

const char *
bus_reply_str(const struct bus_reply *r, size_t *len)
{
	if (r == NULL ||
	    (r->r->type != REDIS_REPLY_STRING &&
	        r->r->type != REDIS_REPLY_STATUS))
		return NULL;
	if (len)
		*len = r->r->len;
	return r->r->str;
}
