/* bans.c - moderation of a group's members (issue 13 item 7): bans (a
 * kick that also keeps the user from joining again, by join or invite,
 * until lifted), timeouts (no posting, reacting or typing until a time)
 * and the audit log that owner and admins read.
 *
 * A ban reuses the kick path (members_remove, members_announce_leave), so
 * the relays drop the group for the banned user as for a kicked one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acl.h"
#include "app.h"
#include "audit.h"
#include "db.h"
#include "event.h"
#include "groups.h"
#include "json.h"
#include "log.h"
#include "wire.h"

#define BANS_REASON_MAX      200
#define BANS_TIMEOUT_MAX_SEC (28 * 24 * 3600) /* four weeks */

/* A paged list: $1 group, $2 limit, $3 offset; `sql` selects (j, k)
 * with k the sort key, ascending. */
#define BANS_PAGE(from)                                                        \
	"WITH page AS (" from " LIMIT $2::int + 1 OFFSET $3::int),"            \
	" numbered AS (SELECT j, row_number() OVER (ORDER BY k) AS n"          \
	"  FROM page) "                                                        \
	"SELECT json_build_object('items', COALESCE(json_agg(j ORDER BY n)"    \
	" FILTER (WHERE n <= $2::int), '[]'),"                                 \
	" 'has_more', count(*) > $2::int)::text FROM numbered"

enum err_code
bans_check(struct http_req *r, int64_t group_id, int64_t user_id)
{
	struct db_res *res = NULL;
	enum err_code rc;

	rc = db_query(&res,
	    "SELECT 1 FROM group_bans WHERE group_id = $1 AND user_id = $2",
	    DB_I64(group_id), DB_I64(user_id));
	if (rc)
		goto out;
	if (db_rows(res) > 0)
		rc = http_fail(r, ERR_FORBIDDEN,
		    "You are banned from this group.");
out:
	db_res_free(res);
	return rc;
}

enum err_code
bans_refuse(struct http_req *r, int64_t group_id, int64_t user_id)
{
	struct db_res *res = NULL;
	enum err_code rc;

	/* Two statements: the check's snapshot is taken after the lock, so
	 * it sees a ban that committed while we waited. */
	rc = db_query(&res, "SELECT 1 FROM groups WHERE id = $1 FOR SHARE",
	    DB_I64(group_id));
	db_res_free(res);
	if (rc)
		return rc;
	return bans_check(r, group_id, user_id);
}

/* GET /api/groups/{id}/bans?limit=&offset=: moderator+, newest first. */
enum err_code
bans_list(struct http_req *r)
{
	int64_t limit, offset;
	enum err_code rc;

	rc = http_query_page(r, &limit, &offset);
	if (rc)
		goto out;
	rc = acl_group(r->ids[0], r->user_id, ACL_MODERATOR, NULL);
	if (rc)
		goto out;
	rc = app_reply_query(r, 200,
	    BANS_PAGE("SELECT ec_ban_json(b) AS j,"
	              " row_number() OVER (ORDER BY b.created_at DESC,"
	              " b.user_id) AS k FROM group_bans b"
	              " WHERE b.group_id = $1 ORDER BY k"),
	    DB_I64(r->ids[0]), DB_I64(limit), DB_I64(offset));
out:
	return rc;
}

/* Inside a transaction: the caller's role and the target's (ACL_NONE
 * when not a member), with the group row locked for update first so
 * that no join (bans_refuse) crosses the change.  ERR_NOT_FOUND when the
 * caller is no longer a member. */
static enum err_code
bans_lock(int64_t group_id, int64_t actor_id, int64_t target_id,
    enum acl_role *actor, enum acl_role *target)
{
	struct db_res *res = NULL;
	enum err_code rc;

	rc = db_query(&res,
	    "SELECT 1 FROM groups WHERE id = $1 FOR NO KEY UPDATE",
	    DB_I64(group_id));
	db_res_free(res);
	if (rc)
		return rc;
	return members_lock_roles(group_id, actor_id, target_id, actor, target);
}

/* Checks that the caller may ban, lift a ban of or time out `target_id`
 * in the request's group, inside a transaction (bans_lock); *target
 * receives the target's role.  Answers the error itself. */
static enum err_code
bans_may(struct http_req *r, int64_t target_id, enum acl_role *target)
{
	enum acl_role actor = ACL_NONE;
	enum err_code rc;

	rc = acl_group(r->ids[0], r->user_id, ACL_MODERATOR, NULL);
	if (rc)
		return rc;
	rc = db_begin();
	if (rc)
		return rc;
	rc = bans_lock(r->ids[0], r->user_id, target_id, &actor, target);
	if (rc)
		return rc;
	if (target_id == r->user_id || !acl_may_ban(actor, *target))
		return http_fail(r, ERR_FORBIDDEN,
		    "You may only moderate users of a lower role.");
	return ERR_OK;
}

/* PUT /api/groups/{id}/bans/{user_id} {reason?}: moderator+; a member is
 * removed at once; 200 ban.  Banning again changes only the reason. */
enum err_code
bans_put(struct http_req *r)
{
	static const char *const allowed[] = { "reason", NULL };
	struct json_object *fields = http_fields(r);
	int64_t group_id = r->ids[0], target_id = r->ids[1];
	enum acl_role target = ACL_NONE;
	const char *reason = NULL;
	char *ban = NULL;
	enum err_code rc;
	int removed = 0;

	rc = json_only(r->json, allowed, fields);
	if (json_get_text(r->json, "reason", 0, 0, BANS_REASON_MAX, 1, &reason,
	        NULL, fields))
		rc = ERR_VALIDATION;
	if (rc)
		goto out;
	rc = bans_may(r, target_id, &target);
	if (rc)
		goto out;
	rc = db_query_text(&ban,
	    "INSERT INTO group_bans AS b (group_id, user_id, banned_by, reason)"
	    " SELECT $1, u.id, $3, coalesce($4, '') FROM users u"
	    " WHERE u.id = $2 ON CONFLICT (group_id, user_id) DO UPDATE"
	    " SET reason = coalesce($4, b.reason)"
	    " RETURNING ec_ban_json(b)::text",
	    DB_I64(group_id), DB_I64(target_id), DB_I64(r->user_id),
	    DB_TEXT(reason));
	if (rc == ERR_NOT_FOUND)
		rc = http_fail(r, rc, "No such user.");
	if (rc)
		goto out;
	if (target != ACL_NONE) {
		rc = members_remove(group_id, target_id, &removed);
		if (rc)
			goto out;
	}
	rc = audit_log_text(group_id, r->user_id, AUDIT_MEMBER_BAN, target_id,
	    "reason", reason ? reason : "");
	if (rc)
		goto out;
	rc = db_commit();
	if (rc)
		goto out;
	log_info("user %lld banned user %lld from group %lld",
	    (long long)r->user_id, (long long)target_id, (long long)group_id);
	if (removed)
		members_announce_leave(group_id, target_id);
	http_reply_raw(r, 200, ban, strlen(ban));
out:
	db_rollback(); /* when not committed above */
	free(ban);
	return rc;
}

/* DELETE /api/groups/{id}/bans/{user_id}: moderator+, 204; 404 when
 * the user is not banned. */
enum err_code
bans_delete(struct http_req *r)
{
	struct db_res *res = NULL;
	enum acl_role target = ACL_NONE;
	enum err_code rc;

	rc = bans_may(r, r->ids[1], &target);
	if (rc)
		goto out;
	rc = db_query(&res,
	    "DELETE FROM group_bans WHERE group_id = $1 AND user_id = $2 "
	    "RETURNING 1",
	    DB_I64(r->ids[0]), DB_I64(r->ids[1]));
	if (rc)
		goto out;
	if (db_rows(res) == 0) {
		rc = http_fail(r, ERR_NOT_FOUND, "This user is not banned.");
		goto out;
	}
	rc = audit_log(r->ids[0], r->user_id, AUDIT_MEMBER_UNBAN, r->ids[1],
	    NULL);
	if (rc)
		goto out;
	rc = db_commit();
	if (rc)
		goto out;
	http_reply_empty(r);
out:
	db_rollback(); /* when not committed above */
	db_res_free(res);
	return rc;
}

/* Sets (seconds > 0) or lifts (0) the timeout of member {user_id}, then
 * answers 200 with the member and publishes member.updated. */
static enum err_code
bans_timeout_set(struct http_req *r, int64_t seconds)
{
	int64_t group_id = r->ids[0], target_id = r->ids[1];
	enum acl_role target = ACL_NONE;
	struct db_res *res = NULL;
	char *member = NULL, details[96];
	enum err_code rc;

	rc = bans_may(r, target_id, &target);
	if (rc)
		goto out;
	if (target == ACL_NONE) {
		rc = http_fail(r, ERR_NOT_FOUND, "No such member.");
		goto out;
	}
	rc = db_query(&res,
	    "UPDATE group_members SET timed_out_until = CASE WHEN $3 > 0 "
	    "THEN now() + make_interval(secs => $3::bigint) END "
	    "WHERE group_id = $1 AND user_id = $2 "
	    "RETURNING ec_ts(timed_out_until)",
	    DB_I64(group_id), DB_I64(target_id), DB_I64(seconds));
	if (rc)
		goto out;
	if (seconds > 0) {
		snprintf(details, sizeof(details),
		    "{\"seconds\": %lld, \"until\": \"%s\"}",
		    (long long)seconds, db_value(res, 0, 0));
		rc = audit_log(group_id, r->user_id, AUDIT_MEMBER_TIMEOUT,
		    target_id, details);
	} else {
		rc = audit_log(group_id, r->user_id, AUDIT_MEMBER_UNTIMEOUT,
		    target_id, NULL);
	}
	if (rc)
		goto out;
	rc = db_commit();
	if (rc)
		goto out;
	rc = members_object(group_id, target_id, &member);
	if (rc)
		goto out;
	event_group(group_id, WIRE_EV_MEMBER_UPDATED, "member", member, NULL);
	http_reply_raw(r, 200, member, strlen(member));
out:
	db_rollback(); /* when not committed above */
	db_res_free(res);
	free(member);
	return rc;
}

/* PUT /api/groups/{id}/members/{user_id}/timeout {seconds}: moderator+
 * on a member of a lower role; 200 member with timed_out_until. */
enum err_code
bans_timeout_put(struct http_req *r)
{
	static const char *const allowed[] = { "seconds", NULL };
	struct json_object *fields = http_fields(r);
	int64_t seconds = 0;
	enum err_code rc;

	rc = json_only(r->json, allowed, fields);
	if (json_get_int(r->json, "seconds", 1, 1, BANS_TIMEOUT_MAX_SEC,
	        &seconds, fields))
		rc = ERR_VALIDATION;
	if (rc)
		return rc;
	return bans_timeout_set(r, seconds);
}

/* DELETE /api/groups/{id}/members/{user_id}/timeout: lifts it, 200
 * member. */
enum err_code
bans_timeout_delete(struct http_req *r)
{
	return bans_timeout_set(r, 0);
}

/* GET /api/groups/{id}/audit-log?limit=&offset=: owner and admins,
 * newest first. */
enum err_code
bans_audit_list(struct http_req *r)
{
	int64_t limit, offset;
	enum err_code rc;

	rc = http_query_page(r, &limit, &offset);
	if (rc)
		goto out;
	rc = acl_group(r->ids[0], r->user_id, ACL_ADMIN, NULL);
	if (rc)
		goto out;
	rc = app_reply_query(r, 200,
	    BANS_PAGE("SELECT ec_audit_json(a) AS j, -a.id AS k"
	              " FROM audit_log a WHERE a.group_id = $1"
	              " ORDER BY a.id DESC"),
	    DB_I64(r->ids[0]), DB_I64(limit), DB_I64(offset));
out:
	return rc;
}
