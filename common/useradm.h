/* useradm.h - what the site operator does to accounts, shared by
 * easychat-admin (common/cli/admin.c) and the users program's API
 * (fcgi-apps/users/delete.c): disable, enable, delete.
 *
 * Deleting a user (README "Deleting a user"):
 *   - every session ends first, the way signing out does (revoked in
 *     PostgreSQL, marked in Redis, session.revoked: the relays close the
 *     websockets with 4001 at once);
 *   - then in one transaction: each group the user owns goes to its
 *     longest-standing admin (earliest joined_at), or is deleted with
 *     everything in it when it has no admin; the user row goes, and with
 *     it (ON DELETE CASCADE) the profile, sessions, refresh tokens, OAuth
 *     links, memberships and read markers;
 *   - messages stay, shown with `sender: null` ("Deleted user"), unless
 *     `purge`: then they are deleted like a delete by their author (text
 *     emptied), announced by one messages.purged event per room;
 *   - after commit: member.updated for the new owners, group.deleted and
 *     membership events for deleted groups, member.left in the other
 *     groups, the history cache's profile version bumped (every cached
 *     page showing the sender is stale), and the profile's icon and
 *     wallpaper files removed unless something else uses them.
 *
 * Layer: domain (common/README.md) - chat rules over the base; may
 * include base and domain headers.
 */
#ifndef EC_USERADM_H
#define EC_USERADM_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct useradm_deleted {
	size_t groups_transferred;
	size_t groups_deleted;
	size_t messages_purged;
};

/* Disables (sign-in and refresh refused, every session ended at once) or
 * enables a user.  ERR_NOT_FOUND when there is no such user. */
enum err_code useradm_set_active(int64_t user_id, int active);

/* Gives or takes the site admin role.  ERR_NOT_FOUND: no such user. */
enum err_code useradm_set_site_admin(int64_t user_id, int on);

/* Deletes the user as above; `out` (may be NULL) says what happened.
 * ERR_NOT_FOUND when there is no such user.  On an error after the
 * sessions were ended nothing else has changed (the transaction is
 * rolled back) and the deletion can be retried. */
enum err_code
useradm_delete(int64_t user_id, int purge, struct useradm_deleted *out);

#endif
