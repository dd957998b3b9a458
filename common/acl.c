/* acl.c - membership and role checks, one indexed query each. */
#include "acl.h"

#include <string.h>

#include "db.h"
#include "wire.h"

/* wire_roles lists the roles high to low: owner first. */
const char *
acl_role_name(enum acl_role role)
{
	if (role <= ACL_NONE || role > ACL_OWNER)
		return "";
	return wire_roles[ACL_OWNER - role];
}

enum acl_role
acl_role_parse(const char *name)
{
	int i;

	for (i = ACL_MEMBER; name != NULL && i <= ACL_OWNER; i++) {
		if (strcmp(name, wire_roles[ACL_OWNER - i]) == 0)
			return (enum acl_role)i;
	}
	return ACL_NONE;
}

int
acl_may_set_role(enum acl_role actor, enum acl_role target, enum acl_role to)
{
	if (target == ACL_NONE || to == ACL_NONE)
		return 0;
	if (actor == ACL_OWNER)
		return target != ACL_OWNER;
	if (actor == ACL_ADMIN)
		return target < ACL_ADMIN && to < ACL_ADMIN;
	return 0;
}

int
acl_may_kick(enum acl_role actor, enum acl_role target)
{
	return actor >= ACL_MODERATOR && target != ACL_NONE && target < actor;
}

int
acl_may_ban(enum acl_role actor, enum acl_role target)
{
	return actor >= ACL_MODERATOR && target < actor;
}

int
acl_may_pin(enum acl_role actor)
{
	return actor >= ACL_MODERATOR;
}

/* Runs `sql` ($1 = object id, $2 = user id) returning (group_id, role
 * [, version]) and applies the visibility rules. */
static enum err_code
acl_check(const char *sql, int64_t id, int64_t user_id, enum acl_role min,
    int64_t *group_id, enum acl_role *role, int64_t *version)
{
	struct db_res *res = NULL;
	enum acl_role got;
	enum err_code rc;

	rc = db_query(&res, sql, DB_I64(id), DB_I64(user_id));
	if (rc)
		goto out;
	if (db_rows(res) == 0) {
		rc = ERR_NOT_FOUND;
		goto out;
	}
	got = acl_role_parse(db_value(res, 0, 1));
	if (group_id)
		*group_id = db_int(res, 0, 0);
	if (role)
		*role = got;
	if (version)
		*version = db_int(res, 0, 2);
	if (min > ACL_NONE && got == ACL_NONE)
		rc = ERR_NOT_FOUND;
	else if (got < min)
		rc = ERR_FORBIDDEN;
out:
	db_res_free(res);
	return rc;
}

enum err_code
acl_group(int64_t group_id, int64_t user_id, enum acl_role min,
    enum acl_role *role)
{
	return acl_check("SELECT g.id, m.role FROM groups g "
	                 "LEFT JOIN group_members m ON m.group_id = g.id AND "
	                 "m.user_id = $2 "
	                 "WHERE g.id = $1",
	    group_id, user_id, min, NULL, role, NULL);
}

enum err_code
acl_topic(int64_t topic_id, int64_t user_id, enum acl_role min,
    int64_t *group_id, enum acl_role *role)
{
	return acl_check("SELECT t.group_id, m.role FROM topics t "
	                 "LEFT JOIN group_members m ON m.group_id = t.group_id "
	                 "AND m.user_id = $2 WHERE t.id = $1",
	    topic_id, user_id, min, group_id, role, NULL);
}

enum err_code
acl_room(int64_t room_id, int64_t user_id, enum acl_role min, int64_t *group_id,
    enum acl_role *role)
{
	return acl_check("SELECT r.group_id, m.role FROM rooms r "
	                 "LEFT JOIN group_members m ON m.group_id = r.group_id "
	                 "AND m.user_id = $2 WHERE r.id = $1",
	    room_id, user_id, min, group_id, role, NULL);
}

enum err_code
acl_site_admin(int64_t user_id)
{
	struct db_res *res = NULL;
	enum err_code rc;

	rc = db_query(&res,
	    "SELECT 1 FROM users WHERE id = $1 AND is_site_admin AND "
	    "is_active",
	    DB_I64(user_id));
	if (rc == ERR_OK && db_rows(res) != 1)
		rc = ERR_FORBIDDEN;
	db_res_free(res);
	return rc;
}
