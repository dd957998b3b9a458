/* hist.h - a cache of the newest history page of each room, in Redis.
 *
 * Opening a room asks for its newest page far more often than anything
 * else; the rendered page (the same for every member) is kept in Redis
 * under a key that contains the room's version and the profiles'
 * version (wire_key_hist_page).  The room's version comes from
 * PostgreSQL (acl_room_hist: rooms.last_message_id + hist_version, moved
 * in the transaction of every post, edit and delete), so a change to the
 * room's messages shows at once even when Redis lost a write: the version
 * cannot be lost with Redis.  Profile changes (names and icons appear in
 * pages) bump the profiles' version in Redis after their commit; a lost
 * bump there leaves old names for HIST_TTL seconds at most.  A page
 * rendered from a snapshot older than a bump is stored under the old
 * version, which nobody asks for any more.  The caller still checks
 * membership on every request: the cache only saves the page query.
 * Every failure here falls back to PostgreSQL.
 *
 * Layer: domain (common/README.md) - over rds and wire; may include
 * base and domain headers.
 */
#ifndef EC_HIST_H
#define EC_HIST_H

#include <stdint.h>

#define HIST_TTL 120

/* Looks the newest page of `room_id` at `version` (from acl_room_hist)
 * with `limit` items up.  On return *key (malloc()ed, NULL when Redis is
 * unavailable) is the key to store a freshly rendered page under, and
 * *json the cached page (malloc()ed) or NULL on a miss. */
void hist_get(int64_t room_id, int64_t version, int64_t limit, char **key,
    char **json);

/* Stores a rendered page under key (from hist_get). */
void hist_put(const char *key, const char *json);

/* After a commit that changed a profile shown in pages (name, icon). */
void hist_touch_profiles(void);

#endif
