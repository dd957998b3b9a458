/* members.c - the members of a group: list, change a role, kick, and the
 * membership operations every way in or out uses (join, leave, invite,
 * kick): adding and removing the row with its read markers, and the
 * events that announce it. */
#include <stdlib.h>
#include <string.h>

#include "acl.h"
#include "audit.h"
#include "db.h"
#include "event.h"
#include "wire.h"
#include "groups.h"
#include "json.h"
#include "log.h"
#include "mem.h"

/* Appends to `b` the JSON object text `json` with one more member
 * "key": value_json spliced in before its closing brace. */
static void
members_splice(struct buf *b, const char *json, const char *key,
    const char *value_json)
{
	const char *end = strrchr(json, '}');
	size_t n = end ? (size_t)(end - json) : strlen(json);
	int empty = 1;
	size_t i;

	for (i = 0; i < n; i++) {
		if (json[i] != '{' && json[i] != ' ')
			empty = 0;
	}
	buf_append(b, json, n);
	buf_printf(b, "%s\"%s\": %s}", empty ? "" : ", ", key, value_json);
}

/* Appends the member object text `json` with "online" added. */
static void
members_append(struct buf *b, const char *json, int online)
{
	members_splice(b, json, "online", online ? "true" : "false");
}

/* One member object text from the database plus the user's presence:
 * a malloc()ed string the caller frees.  Takes ownership of json. */
static char *
members_with_presence(char *json, int64_t user_id)
{
	struct buf b;
	int online = 0;

	presence_many(&user_id, 1, &online);
	buf_init(&b, 0);
	members_append(&b, json, online);
	free(json);
	return buf_detach(&b, NULL);
}

enum err_code
members_object(int64_t group_id, int64_t user_id, char **out)
{
	char *json = NULL;
	enum err_code rc;

	*out = NULL;
	rc = db_query_text(&json,
	    "SELECT ec_member_json(m)::text "
	    "FROM group_members m WHERE m.group_id = $1 AND m.user_id = $2",
	    DB_I64(group_id), DB_I64(user_id));
	if (rc)
		return rc;
	*out = members_with_presence(json, user_id);
	return ERR_OK;
}

enum err_code
members_list(struct http_req *r)
{
	struct db_res *res = NULL;
	int64_t limit, offset, *ids = NULL;
	size_t i, rows, shown;
	int *online = NULL;
	enum err_code rc;
	struct buf b;

	buf_init(&b, 0);
	rc = http_query_page(r, &limit, &offset);
	if (rc)
		goto out;
	rc = acl_group(r->ids[0], r->user_id, ACL_MEMBER, NULL);
	if (rc)
		goto out;
	/* Highest roles first, then by name. */
	rc = db_query(&res,
	    "SELECT m.user_id, ec_member_json(m)::text "
	    "FROM group_members m JOIN users u ON u.id = m.user_id "
	    "WHERE m.group_id = $1 ORDER BY array_position("
	    " ARRAY['owner', 'admin', 'moderator', 'member'], m.role),"
	    " lower(u.username), m.user_id "
	    "LIMIT $2::int + 1 OFFSET $3::int",
	    DB_I64(r->ids[0]), DB_I64(limit), DB_I64(offset));
	if (rc)
		goto out;
	rows = db_rows(res);
	shown = rows > (size_t)limit ? (size_t)limit : rows;
	ids = mem_calloc(shown + 1, sizeof(*ids));
	online = mem_calloc(shown + 1, sizeof(*online));
	for (i = 0; i < shown; i++)
		ids[i] = db_int(res, i, 0);
	presence_many(ids, shown, online);
	buf_puts(&b, "{\"items\": [");
	for (i = 0; i < shown; i++) {
		if (i > 0)
			buf_puts(&b, ", ");
		members_append(&b, db_value(res, i, 1), online[i]);
	}
	buf_printf(&b, "], \"has_more\": %s}", rows > shown ? "true" : "false");
	http_reply_raw(r, 200, b.data, b.len);
out:
	buf_release(&b);
	free(online);
	free(ids);
	db_res_free(res);
	return rc;
}

enum err_code
members_lock_roles(int64_t group_id, int64_t actor_id, int64_t target_id,
    enum acl_role *actor, enum acl_role *target)
{
	struct db_res *res = NULL;
	enum err_code rc;
	size_t i;

	*actor = ACL_NONE;
	*target = ACL_NONE;
	rc = db_query(&res,
	    "SELECT user_id, role FROM group_members "
	    "WHERE group_id = $1 AND user_id IN ($2, $3) "
	    "ORDER BY user_id FOR UPDATE",
	    DB_I64(group_id), DB_I64(actor_id), DB_I64(target_id));
	if (rc)
		goto out;
	for (i = 0; i < db_rows(res); i++) {
		if (db_int(res, i, 0) == actor_id)
			*actor = acl_role_parse(db_value(res, i, 1));
		if (db_int(res, i, 0) == target_id)
			*target = acl_role_parse(db_value(res, i, 1));
	}
	if (*actor == ACL_NONE)
		rc = ERR_NOT_FOUND;
out:
	db_res_free(res);
	return rc;
}

/* Inside a transaction: the roles of the caller and of the target,
 * locked until commit so that two changes cannot cross.  ERR_NOT_FOUND
 * when the caller is no longer a member or the target is none. */
static enum err_code
members_lock(int64_t group_id, int64_t actor_id, int64_t target_id,
    enum acl_role *actor, enum acl_role *target)
{
	enum err_code rc;

	rc = members_lock_roles(group_id, actor_id, target_id, actor, target);
	if (rc == ERR_OK && *target == ACL_NONE)
		rc = ERR_NOT_FOUND;
	return rc;
}

/* Sets the role of ($1 group, $2 user) to $3; *member receives the
 * member object (with online) when `member` is not NULL. */
static enum err_code
members_set_role(int64_t group_id, int64_t user_id, enum acl_role role,
    char **member)
{
	char *json = NULL;
	enum err_code rc;

	rc = db_query_text(&json,
	    "UPDATE group_members SET role = $3 "
	    "WHERE group_id = $1 AND user_id = $2 "
	    "RETURNING ec_member_json(group_members.*)::text",
	    DB_I64(group_id), DB_I64(user_id), DB_TEXT(acl_role_name(role)));
	if (rc)
		return rc;
	if (member != NULL)
		*member = members_with_presence(json, user_id);
	else
		free(json);
	return ERR_OK;
}

enum err_code
members_update(struct http_req *r)
{
	static const char *const allowed[] = { "role", NULL };
	struct json_object *fields = http_fields(r);
	int64_t group_id = r->ids[0], target_id = r->ids[1];
	enum acl_role actor, target, to;
	char *member = NULL, *demoted = NULL;
	const char *role = NULL;
	enum err_code rc;

	rc = json_only(r->json, allowed, fields);
	if (json_get_enum(r->json, "role", 1, wire_roles, &role, fields))
		rc = ERR_VALIDATION;
	if (rc)
		goto out;
	to = acl_role_parse(role);
	rc = acl_group(group_id, r->user_id, ACL_MEMBER, NULL);
	if (rc)
		goto out;
	rc = db_begin();
	if (rc)
		goto out;
	rc = members_lock(group_id, r->user_id, target_id, &actor, &target);
	if (rc) {
		if (rc == ERR_NOT_FOUND)
			rc = http_fail(r, ERR_NOT_FOUND, "No such member.");
		goto out;
	}
	if (target_id == r->user_id || !acl_may_set_role(actor, target, to)) {
		rc = http_fail(r, ERR_FORBIDDEN,
		    "Your role does not allow giving this member that role.");
		goto out;
	}
	if (to == target) {
		db_rollback(); /* nothing changes: no event */
		rc = members_object(group_id, target_id, &member);
		if (rc)
			goto out;
		http_reply_raw(r, 200, member, strlen(member));
		goto out;
	}
	rc = members_set_role(group_id, target_id, to, &member);
	if (rc)
		goto out;
	if (to == ACL_OWNER) {
		/* Handing ownership over: the old owner becomes admin. */
		rc = members_set_role(group_id, r->user_id, ACL_ADMIN,
		    &demoted);
		if (rc)
			goto out;
	}
	rc = audit_log_text(group_id, r->user_id, AUDIT_MEMBER_ROLE, target_id,
	    "role", role);
	if (rc)
		goto out;
	rc = db_commit();
	if (rc)
		goto out;
	log_info("user %lld set role %s on user %lld in group %lld",
	    (long long)r->user_id, role, (long long)target_id,
	    (long long)group_id);
	event_group(group_id, WIRE_EV_MEMBER_UPDATED, "member", member, NULL);
	if (demoted != NULL)
		event_group(group_id, WIRE_EV_MEMBER_UPDATED, "member", demoted,
		    NULL);
	http_reply_raw(r, 200, member, strlen(member));
out:
	free(member);
	free(demoted);
	return rc;
}

enum err_code
members_delete(struct http_req *r)
{
	int64_t group_id = r->ids[0], target_id = r->ids[1];
	enum acl_role actor, target;
	enum err_code rc;
	int removed = 0;

	rc = acl_group(group_id, r->user_id, ACL_MEMBER, NULL);
	if (rc)
		goto out;
	rc = db_begin();
	if (rc)
		goto out;
	rc = members_lock(group_id, r->user_id, target_id, &actor, &target);
	if (rc) {
		if (rc == ERR_NOT_FOUND)
			rc = http_fail(r, ERR_NOT_FOUND, "No such member.");
		goto out;
	}
	if (target_id == r->user_id || !acl_may_kick(actor, target)) {
		rc = http_fail(r, ERR_FORBIDDEN,
		    "You may only remove members of a lower role.");
		goto out;
	}
	rc = members_remove(group_id, target_id, &removed);
	if (rc)
		goto out;
	if (removed) {
		rc = audit_log(group_id, r->user_id, AUDIT_MEMBER_KICK,
		    target_id, NULL);
		if (rc)
			goto out;
	}
	rc = db_commit();
	if (rc)
		goto out;
	if (removed) {
		log_info("user %lld removed user %lld from group %lld",
		    (long long)r->user_id, (long long)target_id,
		    (long long)group_id);
		members_announce_leave(group_id, target_id);
	}
	http_reply_empty(r);
out:
	return rc;
}

enum err_code
members_add(int64_t group_id, int64_t user_id, int *added)
{
	struct db_res *res = NULL;
	enum err_code rc;

	*added = 0;
	rc = db_query(&res,
	    "WITH m AS (INSERT INTO group_members (group_id, user_id)"
	    "  VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING user_id),"
	    " k AS (INSERT INTO read_markers (user_id, room_id, last_read_id)"
	    "  SELECT m.user_id, rm.id, rm.last_message_id FROM m, rooms rm"
	    "  WHERE rm.group_id = $1 ON CONFLICT (user_id, room_id) DO UPDATE"
	    "  SET last_read_id = GREATEST(read_markers.last_read_id,"
	    "  EXCLUDED.last_read_id)) "
	    "SELECT count(*) FROM m",
	    DB_I64(group_id), DB_I64(user_id));
	if (rc)
		goto out;
	*added = db_int(res, 0, 0) > 0;
out:
	db_res_free(res);
	return rc;
}

enum err_code
members_remove(int64_t group_id, int64_t user_id, int *removed)
{
	struct db_res *res = NULL;
	enum err_code rc;

	*removed = 0;
	rc = db_query(&res,
	    "WITH m AS (DELETE FROM group_members WHERE group_id = $1"
	    "  AND user_id = $2 AND role <> 'owner' RETURNING user_id),"
	    " k AS (DELETE FROM read_markers WHERE user_id IN"
	    "  (SELECT user_id FROM m) AND room_id IN"
	    "  (SELECT id FROM rooms WHERE group_id = $1)) "
	    "SELECT count(*) FROM m",
	    DB_I64(group_id), DB_I64(user_id));
	if (rc)
		goto out;
	*removed = db_int(res, 0, 0) > 0;
out:
	db_res_free(res);
	return rc;
}

void
members_announce_join(int64_t group_id, int64_t user_id)
{
	char *member = NULL;

	if (members_object(group_id, user_id, &member) == ERR_OK)
		event_group(group_id, WIRE_EV_MEMBER_JOINED, "member", member,
		    NULL);
	else
		log_warn("member.joined for group %lld not published",
		    (long long)group_id);
	event_membership(group_id, &user_id, 1, 1);
	free(member);
}

void
members_announce_leave(int64_t group_id, int64_t user_id)
{
	char idtext[WIRE_ID_MAX];

	event_group(group_id, WIRE_EV_MEMBER_LEFT, "user_id",
	    wire_id(idtext, user_id), NULL);
	event_membership(group_id, &user_id, 1, 0);
}
