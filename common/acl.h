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

#endif
