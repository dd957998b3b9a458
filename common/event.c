/* event.c - publishing events for the relay, after commit. */
#include "event.h"

#include <stdarg.h>
#include <string.h>

#include "buf.h"
#include "db.h"
#include "log.h"
#include "rds.h"

/* Events are small; anything bigger is a bug, not a message to send. */
#define EVENT_MAX (256 * 1024)

/* The largest NOTIFY payload PostgreSQL takes is 7999 bytes. */
#define EVENT_NOTIFY_MAX 7999

/* Redis refused the event (stalled or down).  PostgreSQL, which holds the
 * change, carries it to the relays instead: "<channel>\n<event>" when it
 * fits in a NOTIFY payload, so the relays deliver it like a published one
 * (a client that saw later events live has not skipped this one);
 * otherwise just the channel, which makes them resynchronise. */
static void
event_notify(const char *channel, const struct buf *ev)
{
	size_t clen = strlen(channel);
	char payload[EVENT_NOTIFY_MAX + 1];
	enum err_code rc;

	if (clen + 1 + ev->len <= EVENT_NOTIFY_MAX) {
		memcpy(payload, channel, clen);
		payload[clen] = '\n';
		memcpy(payload + clen + 1, ev->data, ev->len);
		payload[clen + 1 + ev->len] = '\0';
	} else {
		memcpy(payload, channel, clen + 1);
	}
	rc = db_query(NULL, "SELECT pg_notify('" WIRE_PG_RESYNC "', $1)",
	    DB_TEXT(payload));
	if (rc != ERR_OK)
		log_error("event on %s lost and relays not told", channel);
	else
		log_warn("event on %s not published; sent through PostgreSQL",
		    channel);
}

static void
event_publish(const char *channel, enum wire_event type, int64_t group_id,
    va_list ap)
{
	struct buf b;

	buf_init(&b, EVENT_MAX);
	if (wire_event_v(&b, type, group_id, ap) != ERR_OK) {
		log_error("event %s too large; not published",
		    wire_event_name(type));
	} else if (rds_publish(channel, b.data, b.len) != ERR_OK) {
		event_notify(channel, &b);
	}
	buf_release(&b);
}

void
event_group(int64_t group_id, enum wire_event type, ...)
{
	char ch[WIRE_NAME_MAX];
	va_list ap;

	wire_channel_group(ch, group_id);
	va_start(ap, type);
	event_publish(ch, type, group_id, ap);
	va_end(ap);
}

void
event_user(int64_t user_id, enum wire_event type, int64_t group_id, ...)
{
	char ch[WIRE_NAME_MAX];
	va_list ap;

	wire_channel_user(ch, user_id);
	va_start(ap, group_id);
	event_publish(ch, type, group_id, ap);
	va_end(ap);
}

void
event_membership(int64_t group_id, const int64_t *user_ids, size_t n,
    int joined)
{
	size_t i;

	for (i = 0; i < n; i++)
		event_user(user_ids[i], WIRE_EV_MEMBERSHIP, group_id, "joined",
		    joined ? "true" : "false", NULL);
}
