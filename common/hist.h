/* hist.h - a cache of the newest history page of each room, in Redis,
 * served without PostgreSQL.
 *
 * Opening a room asks for its newest page far more often than anything
 * else.  The rendered page (the same for every member) is kept in Redis
 * in a hash per room and limit (wire_key_hist_body) with the stamp it
 * was made under: the group's history version, the profiles' version
 * and the cache epoch.  A cached page costs one Redis round trip besides
 * the FastCGI request and no PostgreSQL one: a script (hist_fast)
 * checks the session's revocation mark and the caller's membership
 * grant and returns the current versions (a few bytes), and a plain
 * HMGET written with it fetches the stamp, the page, the caller's own
 * reactions and the page's index (where its reactions are); the page is
 * served only when its stamp is those versions.  (A script that returns the 20
 * KB page itself cost Redis 44 us a call, one that returns nothing 5 us.)
 *
 * What keeps it exact (every name in common/wire.h):
 *  - the group's history version (hist:group:<id>) moves with every
 *    event published on the group's channel but typing and presence, in
 *    the same Redis call as the PUBLISH (event.c).  Whatever changes a
 *    page - a post, an edit, a deletion, a moderation, a reaction, a room
 *    or group deleted - publishes an event for the live clients anyway;
 *    a change that publishes none calls hist_touch_group();
 *  - profile changes (names and icons appear in pages) call
 *    hist_touch_profiles() after their commit;
 *  - membership: a grant acl:member:<group>:<user> says that PostgreSQL
 *    found the user a member while the group's membership version was
 *    what the grant holds.  Every path that removes a member calls
 *    event_membership(..., 0) after its commit (the relays need it),
 *    which moves the membership version (hist_members_removed()): the
 *    grant stops matching at once and the next request asks PostgreSQL;
 *  - fills are leased: the versions are read before PostgreSQL is asked,
 *    and a grant is written only if the membership version has not moved
 *    since, so a page or grant made from a snapshot older than a change
 *    is stored under a stamp nobody asks for any more (and a page is
 *    only stored while its versions are still current);
 *  - a missing key is the safe answer: versions are created with a
 *    random start (a number never comes back after Redis lost it; drawn
 *    only when one is missing), and a missing grant, page or room entry
 *    means asking PostgreSQL;
 *  - a lost invalidation (Redis refused the write after the commit)
 *    moves PostgreSQL's cache epoch (migration 0025) instead; every
 *    process reads it with its revocation list at most every
 *    REVOCATION_POLL_MS (auth_cache_epoch()), and every entry carries
 *    the epoch it was made in.
 * Every failure here falls back to PostgreSQL.
 *
 * Layer: domain (common/README.md) - over rds and wire; may include
 * base and domain headers.
 */
#ifndef EC_HIST_H
#define EC_HIST_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define HIST_TTL 120

/* What hist_fast() found. */
enum hist_fast_result {
	HIST_FAST_ERROR = -1, /* Redis could not be asked: nothing known */
	HIST_FAST_REVOKED,    /* the session's revocation mark exists */
	HIST_FAST_HIT,        /* a member (by grant); *page is the page */
	HIST_FAST_MISS,       /* not revoked; ask PostgreSQL (and fill) */
};

/* The versions a miss read, to store what PostgreSQL then says under
 * (hist_fill()); group_id 0 when the room's group was not known. */
struct hist_lease {
	int64_t group_id;
	char members[24];  /* the group's membership version */
	char group[24];    /* the group's history version */
	char profiles[24]; /* the profiles' version */
};

/* One round trip (a script and an HMGET): the revocation mark
 * `revoked_key` (auth.h, auth_deferred_key()), then the grant of
 * `user_id` for the group of `room_id` and the newest page with `limit`
 * items under the current versions and `epoch` (auth_cache_epoch()).  On
 * HIST_FAST_HIT *page is the page (malloc()ed), *mine the caller's entry of
 * the per-user values stored with it (hist_fill(); "" when the page has them
 * but none for the caller, NULL when it has none at all) and *index the
 * page's index stored with it (NULL when none); on HIST_FAST_MISS
 * *lease holds what to fill with. */
enum hist_fast_result hist_fast(const char *revoked_key, int64_t room_id,
    int64_t user_id, int64_t limit, int64_t epoch, struct hist_lease *lease,
    char **page, char **mine, char **index);

/* After a miss, when PostgreSQL said that `user_id` is a member of
 * `group_id`, the group of `room_id`, and rendered `page` (the newest,
 * `limit` items): remembers the room's group, and under the lease's
 * versions the grant (only if the membership version has not moved) and
 * the page.  With the page, `index` when not NULL (what the program
 * wants back with every hit to use the page without reading it through:
 * the rooms program's positions of the reactions in it), and when `mine`
 * is not NULL, `nmine` per-user values (mine[2i] a user id, mine[2i+1]
 * the value: the rooms program's own reactions among the page's
 * messages) in the same call, as one hash as the page, living and
 * dying with it (wire_key_hist_body()).
 * The page is stored only while the lease's versions are current.
 * Failures only log. */
void hist_fill(int64_t room_id, int64_t group_id, int64_t user_id,
    int64_t limit, int64_t epoch, const struct hist_lease *lease,
    const char *page, const char *index, const char *const *mine, size_t nmine);

/* After a commit that changed a profile shown in pages (name, icon). */
void hist_touch_profiles(void);

/* Publishes `msg` on `channel` and moves the group's history version in
 * one Redis call (event_group(); channel NULL: the version only).
 * ERR_OK when Redis took it; else nothing is done and the caller falls
 * back (event.c: NOTIFY and hist_epoch_bump()). */
enum err_code
hist_publish_group(int64_t group_id, const char *channel, const char *msg);

/* After a commit that changed what the group's pages show without
 * publishing an event (event_group() does this itself). */
void hist_touch_group(int64_t group_id);

/* After a commit that removed members from the group (event_membership()
 * with joined = 0 calls it; nothing else needs to). */
void hist_members_removed(int64_t group_id);

/* Moves the version `key` (created with a random start when missing)
 * and publishes `msg` on `channel` in the same call when channel is not
 * NULL.  ERR_OK when Redis took it. */
enum err_code hist_bump(const char *key, const char *channel, const char *msg);

/* A random decimal start for a version (INCR needs an integer): 48
 * random bits, so a number never comes back after Redis lost it. */
void hist_random_start(char out[24]);

/* Moves PostgreSQL's cache epoch: for a Redis invalidation that could
 * not be written. */
void hist_epoch_bump(void);

#endif
