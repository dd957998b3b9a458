/* glist.h - a cache of each user's GET /api/groups answer, in Redis,
 * served without PostgreSQL.
 *
 * The list carries every group's unread and mention counts, which the
 * triggers keep exact (db/functions/34_counts.sql); rendering it still
 * costs PostgreSQL a join over every room of every group of the user.
 * Opening the app, and every resynchronisation, asks for it.  The
 * rendered answer is kept per user (wire_key_glist_page) with the
 * versions it was made under, and served while they all still match:
 *  - each listed group's history version (hist:group:<id>), which moves
 *    with every event published on the group's channel but typing and
 *    presence (event.c): posts, edits and deletions (counts), rooms,
 *    the group's name and icon, members' roles;
 *  - the user's version (wire_key_glist_user), which moves with every
 *    event published on the user's channel (event.c: joins, leaves,
 *    kicks, bans, mentions) and after a commit that moved the user's
 *    read markers without an event (glist_touch_user());
 *  - PostgreSQL's cache epoch, in the key, for an invalidation Redis
 *    refused (hist_epoch_bump()).
 * A cached answer costs one Redis round trip: a script checks the
 * revocation mark and the versions (with the names of the groups'
 * versions stored at fill time) and returns a small stamp, and a plain
 * HMGET written with it fetches the stamp and the body, served only
 * when the two stamps are equal (a fill may run between the two).
 * A fill is leased: the versions are read before PostgreSQL is asked, so
 * an answer made from a snapshot older than a change is stored under a
 * version nobody asks for any more.  Only a first page that holds all of
 * the user's groups is cached (the order is by name: a rename of a group
 * on another page would move it onto this one).  Every failure falls
 * back to PostgreSQL.
 *
 * Layer: domain (common/README.md) - over rds, wire and hist; may include
 * base and domain headers.
 */
#ifndef EC_GLIST_H
#define EC_GLIST_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define GLIST_TTL 300

/* What glist_fast() found. */
enum glist_fast_result {
	GLIST_FAST_ERROR = -1, /* Redis could not be asked: nothing known */
	GLIST_FAST_REVOKED,    /* the session's revocation mark exists */
	GLIST_FAST_HIT,        /* *body is the answer */
	GLIST_FAST_MISS,       /* not revoked; ask PostgreSQL (and fill) */
};

/* The user's version a miss read, then the versions of the groups it
 * will list (glist_lease_groups()); what a fill is stored under. */
struct glist_lease {
	char user[24];
	char *ids;  /* comma-separated group ids, malloc()ed; NULL: none */
	char *keys; /* the names of their history versions, likewise */
	char *vers; /* their history versions, in the same order */
};

/* One round trip (a script and an HMGET): the revocation mark
 * `revoked_key` (auth.h, auth_deferred_key()), then the cached answer of
 * `user_id` for `limit` under `epoch` (auth_cache_epoch()) if every
 * version still matches.  On GLIST_FAST_HIT *body is the answer (malloc()ed);
 * on GLIST_FAST_MISS lease->user holds the user's version. */
enum glist_fast_result glist_fast(const char *revoked_key, int64_t user_id,
    int64_t limit, int64_t epoch, struct glist_lease *lease, char **body);

/* After a miss, before PostgreSQL renders the list: reads (creating
 * when missing) the history versions of the groups `ids`
 * (comma-separated, as PostgreSQL listed them) into the lease.  ERR_OK
 * when Redis answered. */
enum err_code glist_lease_groups(struct glist_lease *lease, const char *ids);

/* Stores `body`, the answer that PostgreSQL rendered after the lease was
 * taken, listing exactly the groups `ids` (checked against the lease's:
 * a membership that changed in between is not cached).  Failures only
 * log. */
void glist_fill(int64_t user_id, int64_t limit, int64_t epoch,
    const struct glist_lease *lease, const char *ids, const char *body);

/* Frees what the lease holds. */
void glist_lease_release(struct glist_lease *lease);

/* After a commit that changed what the user's list shows without an
 * event on the user's or the group's channel (a read marker moved). */
void glist_touch_user(int64_t user_id);

#endif
