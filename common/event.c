/* event.c - publishing events for the relay, after commit. */
#include "event.h"

#include <stdarg.h>
#include <string.h>

#include "buf.h"
#include "db.h"
#include "glist.h"
#include "hist.h"
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

/* Typing and presence change no history page. */
static int
event_touches_history(enum wire_event type)
{
	return type != WIRE_EV_TYPING && type != WIRE_EV_PRESENCE;
}

/* Publishes the event on `channel`; with group_history > 0 also moves
 * that group's history version in the same Redis call, with user > 0
 * that user's groups-list version (glist.h). */
static void
event_publish(const char *channel, enum wire_event type, int64_t group_id,
    int64_t group_history, int64_t user, va_list ap)
{
	char ukey[WIRE_NAME_MAX];

	struct buf b;
	enum err_code rc;

	buf_init(&b, EVENT_MAX);
	if (wire_event_v(&b, type, group_id, ap) != ERR_OK) {
		log_error("event %s too large; not published",
		    wire_event_name(type));
		if (group_history > 0)
			hist_touch_group(group_history);
		if (user > 0)
			glist_touch_user(user);
		goto out;
	}
	if (group_history > 0) {
		rc = hist_publish_group(group_history, channel, b.data);
	} else if (user > 0) {
		wire_key_glist_user(ukey, user);
		rc = hist_bump(ukey, channel, b.data);
	} else {
		rc = rds_publish(channel, b.data, b.len);
	}
	if (rc != ERR_OK) {
		event_notify(channel, &b);
		/* The history version did not move in Redis: PostgreSQL's
		 * cache epoch ends the pages cached before (hist.h). */
		if (group_history > 0 || user > 0)
			hist_epoch_bump();
	}
out:
	buf_release(&b);
}

void
event_group(int64_t group_id, enum wire_event type, ...)
{
	char ch[WIRE_NAME_MAX];
	va_list ap;

	wire_channel_group(ch, group_id);
	va_start(ap, type);
	event_publish(ch, type, group_id,
	    event_touches_history(type) ? group_id : 0, 0, ap);
	va_end(ap);
}

void
event_user(int64_t user_id, enum wire_event type, int64_t group_id, ...)
{
	char ch[WIRE_NAME_MAX];
	va_list ap;

	wire_channel_user(ch, user_id);
	va_start(ap, group_id);
	event_publish(ch, type, group_id, 0, user_id, ap);
	va_end(ap);
}

void
event_membership(int64_t group_id, const int64_t *user_ids, size_t n,
    int joined)
{
	size_t i;

	/* Before the events: a removed member's cached access ends before
	 * anyone is told it did. */
	if (!joined && n > 0)
		hist_members_removed(group_id);
	for (i = 0; i < n; i++)
		event_user(user_ids[i], WIRE_EV_MEMBERSHIP, group_id, "joined",
		    joined ? "true" : "false", NULL);
}
