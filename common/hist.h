/* hist.h - a cache of the newest history page of each room, in Redis.
 *
 * Opening a room asks for its newest page far more often than anything
 * else; the rendered page (the same for every member) is kept in Redis
 * under a key that contains the room's version and the profiles'
 * version.  Anything that changes what the page shows bumps a version
 * after its commit, so the next reader misses and renders afresh:
 * messages posted, edited or deleted in the room bump the room's;
 * profile changes (names and icons appear in pages) bump the profiles'.
 * A page rendered from a snapshot older than a bump is stored under the
 * old version, which nobody asks for any more.  Pages live at most
 * HIST_TTL seconds.  The caller still checks membership on every request:
 * the cache only saves the page query.  Every failure here falls back to
 * PostgreSQL.
 */
#ifndef EC_HIST_H
#define EC_HIST_H

#include <stdint.h>

#define HIST_TTL 120

/* Looks the newest page of `room_id` with `limit` items up.  On return
 * *key (malloc()ed, NULL when Redis is unavailable) is the key to store
 * a freshly rendered page under, and *json the cached page (malloc()ed)
 * or NULL on a miss. */
void hist_get(int64_t room_id, int64_t limit, char **key, char **json);

/* Stores a rendered page under key (from hist_get). */
void hist_put(const char *key, const char *json);

/* After a commit that changed the room's messages. */
void hist_touch_room(int64_t room_id);

/* After a commit that changed a profile shown in pages (name, icon). */
void hist_touch_profiles(void);

#endif
