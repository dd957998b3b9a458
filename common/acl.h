/* acl.h - who may see and do what in a group: the one place for
 * membership and role checks.
 *
 * Roles, high to low: owner, admin, moderator, member.  Anything a caller
 * cannot see answers ERR_NOT_FOUND (never 403), so private groups do not
 * leak; a visible thing the caller's role may not change is ERR_FORBIDDEN.
 * Each check is one indexed query.
 *
 * Layer: domain (common/README.md) - chat rules over the base; may
 * include base and domain headers.
 */
#ifndef EC_ACL_H
#define EC_ACL_H

#include <stdint.h>

#include "err.h"

enum acl_role {
	ACL_NONE = 0, /* not a member */
	ACL_MEMBER,
	ACL_MODERATOR,
	ACL_ADMIN,
	ACL_OWNER,
};

/* "owner", "admin", ... for a role; "" for ACL_NONE. */
const char *acl_role_name(enum acl_role role);

/* The role named by `name`, ACL_NONE if it is not one. */
enum acl_role acl_role_parse(const char *name);

/* Role rules of the API reference (fcgi-apps/groups/openapi.yaml) for one
 * change, decided on roles already read (under lock): 1 when allowed, else 0.
 *
 * acl_may_set_role: may `actor` give role `to` to another member whose
 * role is `target`?  The owner: any role on anyone else (`owner` hands
 * ownership over; the caller then becomes admin).  An admin: `member`
 * or `moderator` on a member or moderator.  Nobody else. */
int
acl_may_set_role(enum acl_role actor, enum acl_role target, enum acl_role to);

/* acl_may_kick: may `actor` remove another member whose role is
 * `target`?  Moderators and above, only members of a lower role. */
int acl_may_kick(enum acl_role actor, enum acl_role target);

/* acl_may_ban: may `actor` ban a user whose role is `target` (ACL_NONE:
 * not a member)?  Moderators and above, anyone not a member or a member
 * of a lower role; the same rule lifts a ban and sets a timeout (on a
 * member). */
int acl_may_ban(enum acl_role actor, enum acl_role target);
/* acl_may_pin: may `actor` pin or unpin a message of the group's rooms?
 * Moderators and above (issue 13). */
int acl_may_pin(enum acl_role actor);

/* The caller's role in the group.  ERR_NOT_FOUND when the group does not
 * exist or the user is not a member (and `min` > ACL_NONE);
 * ERR_FORBIDDEN when a member's role is below `min`. */
enum err_code acl_group(int64_t group_id, int64_t user_id, enum acl_role min,
    enum acl_role *role);

/* Same for the group a topic belongs to; *group_id receives it. */
enum err_code acl_topic(int64_t topic_id, int64_t user_id, enum acl_role min,
    int64_t *group_id, enum acl_role *role);

/* Same for the group a room belongs to; *group_id receives it. */
enum err_code acl_room(int64_t room_id, int64_t user_id, enum acl_role min,
    int64_t *group_id, enum acl_role *role);

/* The site operator's role (users.is_site_admin, migration 0020), apart
 * from the group roles above: ERR_OK when `user_id` is an active site
 * admin, else ERR_FORBIDDEN.  Its powers, each checked with this: disable,
 * enable and delete users (users program), delete any group (groups) and
 * any message (rooms), for abuse handling; no reading of private groups. */
enum err_code acl_site_admin(int64_t user_id);

#endif
