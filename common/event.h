/* event.h - publishing events for the relay, after commit.
 *
 * An event is one JSON object, exactly the frame clients receive
 * ({"type":"message.created","group_id":1,"message":{...}}), published on
 * channel "group:<id>" (everything about a group) or "user:<id>"
 * (membership changes for that user).  Call these only after the
 * transaction that made the change has committed.  A failed publish is
 * logged and not returned: the change is durable and clients catch up
 * over REST.
 */
#ifndef EC_EVENT_H
#define EC_EVENT_H

#include <stddef.h>
#include <stdint.h>

#define EVENT_CHANNEL_MAX 48

/* Writes "group:<id>" or "user:<id>" into out. */
void event_group_channel(char out[EVENT_CHANNEL_MAX], int64_t group_id);
void event_user_channel(char out[EVENT_CHANNEL_MAX], int64_t user_id);

/* Publishes the JSON text `json` on `channel`. */
void event_publish(const char *channel, const char *json, size_t len);

/* Publishes on group:<group_id>. */
void event_to_group(int64_t group_id, const char *json, size_t len);

/* Publishes on user:<user_id>. */
void event_to_user(int64_t user_id, const char *json, size_t len);

#endif
