/* event.h - publishing events for the relay, after commit.
 *
 * An event is one JSON object, exactly the frame clients receive
 * ({"type":"message.created","group_id":1,"message":{...}}), built by
 * wire_event() (common/wire.h: the one envelope) and published on
 * channel "group:<id>" (everything about a group) or "user:<id>"
 * (membership and session changes for that user).  Call these only after
 * the transaction that made the change has committed.  A failed publish
 * is logged and not returned: the change is durable, and the relays are
 * told through PostgreSQL instead (NOTIFY on WIRE_PG_RESYNC, payload the
 * channel) so they reload memberships and sessions and tell every client
 * to resync (relay/PROTOCOL.md).
 *
 * Layer: domain (common/README.md) - over wire and rds; may include
 * base and domain headers.
 */
#ifndef EC_EVENT_H
#define EC_EVENT_H

#include <stddef.h>
#include <stdint.h>

#include "wire.h"

/* Publishes wire_event(type, group_id, key, json, ..., NULL) on
 * group:<group_id>.  Every type but typing and presence also moves the
 * group's history version in the same Redis call (hist.h): whatever
 * changes a history page is published through here. */
void event_group(int64_t group_id, enum wire_event type, ...);

/* Publishes wire_event(type, group_id, key, json, ..., NULL) on
 * user:<user_id> (group_id 0 leaves it out of the envelope), and moves
 * the user's groups-list version in the same Redis call (glist.h):
 * whatever changes the user's list publishes an event here or on a
 * group's channel, or calls glist_touch_user(). */
void event_user(int64_t user_id, enum wire_event type, int64_t group_id, ...);

/* {"type":"membership","group_id":G,"joined":b} on user:<id> for each
 * of the `n` users: the relays add or drop the group for them.  With
 * joined = 0 it first moves the group's membership version (hist.h), so
 * cached access ends at once: EVERY path that removes members (leave,
 * kick, group deletion, bans, user deletion) must call it after its
 * commit. */
void event_membership(int64_t group_id, const int64_t *user_ids, size_t n,
    int joined);

#endif
