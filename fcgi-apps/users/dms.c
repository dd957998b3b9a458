/* dms.c - direct messages, blocks and the mentions inbox of the caller:
 * /api/users/me/conversations, /api/users/me/blocks, /api/users/me/mentions.
 *
 * A conversation is a hidden group (migration 0045): a private group with
 * one topic and one room, its participants members with role `member`
 * (so nobody can invite, rename or moderate), marked by a row in
 * `conversations`.  Everything about its messages then goes through the
 * rooms program and the relay unchanged: only participants can read,
 * post, search or receive its events, because only they are members.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "cfg.h"
#include "db.h"
#include "event.h"
#include "json.h"
#include "mem.h"
#include "users.h"
#include "wire.h"

/* Participants of a conversation, the caller included (env
 * DM_MAX_PARTICIPANTS, default 10). */
#define DMS_MAX_DEFAULT 10
#define DMS_MAX_CAP     100

/* A group's name must be unique; the hidden group's starts with a space,
 * which a name given through the API never does (it is trimmed). */
static const char dms_sql_create[] =
    "WITH g AS (INSERT INTO groups (name, is_public)"
    "  VALUES (' dm ' || gen_random_uuid(), false) RETURNING id),"
    " t AS (INSERT INTO topics (group_id, name)"
    "  SELECT id, 'Direct messages' FROM g RETURNING id, group_id),"
    " r AS (INSERT INTO rooms (topic_id, group_id, name)"
    "  SELECT id, group_id, 'dm' FROM t RETURNING id, group_id),"
    " m AS (INSERT INTO group_members (group_id, user_id, role)"
    "  SELECT g.id, u, 'member' FROM g, unnest($1::bigint[]) u),"
    " c AS (INSERT INTO conversations (group_id, room_id, pair)"
    "  SELECT group_id, id, $2 FROM r RETURNING group_id) "
    "SELECT group_id FROM c";

static enum err_code
dms_reply(struct http_req *r, int status, int64_t group_id)
{
	return app_reply_query(r, status,
	    "SELECT ec_conversation_json(c, $2)::text FROM conversations c "
	    "JOIN group_members gm ON gm.group_id = c.group_id "
	    "AND gm.user_id = $2 WHERE c.group_id = $1",
	    DB_I64(group_id), DB_I64(r->user_id));
}

/* Reads {user_ids: [id, ...]}: the others, distinct, not the caller,
 * 1 .. max-1 of them.  *ids (malloc()ed) gets the caller first. */
static enum err_code
dms_read_ids(struct http_req *r, int64_t **ids, size_t *n)
{
	static const char *const allowed[] = { "user_ids", NULL };
	struct json_object *fields = http_fields(r), *arr = NULL, *v;
	long max = cfg_get_long("DM_MAX_PARTICIPANTS", DMS_MAX_DEFAULT);
	enum err_code rc;
	size_t i, j, len;
	int64_t id;

	if (max < 2 || max > DMS_MAX_CAP)
		max = DMS_MAX_DEFAULT;
	*ids = NULL;
	*n = 0;
	rc = json_only(r->json, allowed, fields);
	if (rc)
		return rc;
	if (!json_object_object_get_ex(r->json, "user_ids", &arr) ||
	    !json_object_is_type(arr, json_type_array))
		return json_field_error(fields, "user_ids",
		    "is required: an array of user ids");
	len = json_object_array_length(arr);
	if (len < 1 || len > (size_t)max - 1)
		return json_field_error(fields, "user_ids",
		    "must name 1 to DM_MAX_PARTICIPANTS - 1 other users");
	*ids = mem_calloc(len + 1, sizeof(**ids));
	(*ids)[(*n)++] = r->user_id;
	for (i = 0; i < len; i++) {
		v = json_object_array_get_idx(arr, i);
		if (!json_object_is_type(v, json_type_int) ||
		    (id = json_object_get_int64(v)) < 1) {
			rc = json_field_error(fields, "user_ids",
			    "must hold user ids (positive integers)");
			goto out;
		}
		if (id == r->user_id) {
			rc = json_field_error(fields, "user_ids",
			    "must not include yourself");
			goto out;
		}
		for (j = 0; j < *n && (*ids)[j] != id; j++)
			;
		if (j < *n) {
			rc = json_field_error(fields, "user_ids",
			    "must not repeat a user");
			goto out;
		}
		(*ids)[(*n)++] = id;
	}
out:
	if (rc) {
		free(*ids);
		*ids = NULL;
		*n = 0;
	}
	return rc;
}

/* Checks, under the transaction: every user exists (404) and none blocked
 * the caller (403). */
static enum err_code
dms_check_users(struct http_req *r, const int64_t *ids, size_t n)
{
	struct db_res *res = NULL;
	enum err_code rc;

	rc = db_query(&res,
	    "SELECT (SELECT count(*) FROM users u WHERE u.id = ANY($1) "
	    "AND u.is_active), EXISTS (SELECT 1 FROM blocks b "
	    "WHERE b.user_id = ANY($1) AND b.blocked_id = $2)",
	    DB_I64_ARRAY(ids, n), DB_I64(r->user_id));
	if (rc)
		goto out;
	if ((size_t)db_int(res, 0, 0) != n)
		rc = http_fail(r, ERR_NOT_FOUND, "No such user.");
	else if (db_bool(res, 0, 1))
		rc = http_fail(r, ERR_FORBIDDEN,
		    "You cannot start a conversation with this user.");
out:
	db_res_free(res);
	return rc;
}

enum err_code
dms_open(struct http_req *r)
{
	struct db_res *res = NULL;
	int64_t *ids = NULL, group_id = 0;
	char pair[2 * 24 + 2], *csv = NULL;
	enum err_code rc;
	int status = 201;
	size_t n = 0;

	rc = dms_read_ids(r, &ids, &n);
	if (rc)
		goto out;
	pair[0] = '\0';
	if (n == 2) {
		snprintf(pair, sizeof(pair), "%lld:%lld",
		    (long long)(ids[0] < ids[1] ? ids[0] : ids[1]),
		    (long long)(ids[0] < ids[1] ? ids[1] : ids[0]));
	}
	rc = db_begin();
	if (rc)
		goto out;
	rc = dms_check_users(r, ids, n);
	if (rc)
		goto out;
	if (pair[0] != '\0') {
		/* Opening the same 1:1 twice (even at once) finds one. */
		rc = db_query(&res,
		    "SELECT pg_advisory_xact_lock(hashtext('dm:' || $1)), "
		    "(SELECT group_id FROM conversations WHERE pair = $1)",
		    DB_TEXT(pair));
		if (rc)
			goto out;
		group_id = db_value(res, 0, 1) ? db_int(res, 0, 1) : 0;
		db_res_free(res);
		res = NULL;
	}
	if (group_id != 0) {
		/* Someone who left comes back into it. */
		status = 200;
		rc = db_query_text(&csv,
		    "WITH ins AS (INSERT INTO group_members "
		    "(group_id, user_id, role) SELECT $1, u, 'member' "
		    "FROM unnest($2::bigint[]) u ON CONFLICT DO NOTHING "
		    "RETURNING user_id) "
		    "SELECT coalesce(string_agg(user_id::text, ','), '') "
		    "FROM ins",
		    DB_I64(group_id), DB_I64_ARRAY(ids, n));
		if (rc)
			goto out;
	} else {
		rc = db_query(&res, dms_sql_create, DB_I64_ARRAY(ids, n),
		    DB_TEXT(pair[0] ? pair : NULL));
		if (rc)
			goto out;
		group_id = db_int(res, 0, 0);
	}
	rc = db_commit();
	if (rc)
		goto out;
	if (csv != NULL) {
		free(ids);
		ids = wire_parse_ids(csv, &n);
	}
	/* The relays start delivering the conversation's events to them. */
	event_membership(group_id, ids, n, 1);
	rc = dms_reply(r, status, group_id);
out:
	db_rollback(); /* when anything above failed */
	db_res_free(res);
	free(csv);
	free(ids);
	return rc;
}

enum err_code
dms_list(struct http_req *r)
{
	int64_t limit = 0, offset = 0;
	enum err_code rc;

	rc = http_query_page(r, &limit, &offset);
	if (rc)
		return rc;
	return app_reply_query(r, 200,
	    "WITH page AS (SELECT c, rm.last_message_id, c.group_id "
	    " FROM group_members gm JOIN conversations c"
	    " ON c.group_id = gm.group_id JOIN rooms rm ON rm.id = c.room_id"
	    " WHERE gm.user_id = $1"
	    " ORDER BY rm.last_message_id DESC, c.group_id DESC"
	    " LIMIT $2::int + 1 OFFSET $3::int) "
	    "SELECT json_build_object('items', coalesce((SELECT json_agg("
	    " ec_conversation_json(p.c, $1) ORDER BY p.last_message_id DESC,"
	    " p.group_id DESC) FROM (SELECT * FROM page"
	    " ORDER BY last_message_id DESC, group_id DESC LIMIT $2::int) p),"
	    " '[]'), 'has_more', (SELECT count(*) FROM page) > $2::int)::text",
	    DB_I64(r->user_id), DB_I64(limit), DB_I64(offset));
}

enum err_code
dms_get(struct http_req *r)
{
	return dms_reply(r, 200, r->ids[0]);
}

/* ---- blocks ------------------------------------------------------------ */

enum err_code
blocks_put(struct http_req *r)
{
	enum err_code rc;

	if (r->ids[0] == r->user_id)
		return http_fail(r, ERR_BAD_REQUEST,
		    "You cannot block yourself.");
	/* A user that does not exist fails the foreign key: 404. */
	rc = db_query(NULL,
	    "INSERT INTO blocks (user_id, blocked_id) VALUES ($1, $2) "
	    "ON CONFLICT DO NOTHING",
	    DB_I64(r->user_id), DB_I64(r->ids[0]));
	if (rc == ERR_NOT_FOUND)
		return http_fail(r, ERR_NOT_FOUND, "No such user.");
	if (rc)
		return rc;
	http_reply_empty(r);
	return ERR_OK;
}

enum err_code
blocks_delete(struct http_req *r)
{
	enum err_code rc;

	rc = db_query(NULL,
	    "DELETE FROM blocks WHERE user_id = $1 AND blocked_id = $2",
	    DB_I64(r->user_id), DB_I64(r->ids[0]));
	if (rc)
		return rc;
	http_reply_empty(r);
	return ERR_OK;
}

enum err_code
blocks_list(struct http_req *r)
{
	int64_t limit = 0, offset = 0;
	enum err_code rc;

	rc = http_query_page(r, &limit, &offset);
	if (rc)
		return rc;
	return app_reply_query(r, 200,
	    "WITH page AS (SELECT u.id, u.username, p.full_name, p.icon"
	    " FROM blocks b JOIN users u ON u.id = b.blocked_id"
	    " JOIN profiles p ON p.user_id = u.id WHERE b.user_id = $1"
	    " ORDER BY b.blocked_id LIMIT $2::int + 1 OFFSET $3::int) "
	    "SELECT json_build_object('items', coalesce((SELECT json_agg("
	    " json_build_object('id', id, 'username', username,"
	    " 'full_name', full_name, 'icon_url', '/media/' || icon)"
	    " ORDER BY id) FROM (SELECT * FROM page ORDER BY id"
	    " LIMIT $2::int) x), '[]'),"
	    " 'has_more', (SELECT count(*) FROM page) > $2::int)::text",
	    DB_I64(r->user_id), DB_I64(limit), DB_I64(offset));
}

/* ---- mentions inbox ---------------------------------------------------- */

enum err_code
mentions_list(struct http_req *r)
{
	int64_t before = 0, limit = 0;
	enum err_code rc;

	rc = http_query_limit(r, &limit);
	if (http_query_int(r, "before", 1, INT64_MAX, INT64_MAX, &before))
		rc = ERR_VALIDATION;
	if (rc)
		return rc;
	/* The page, and why it is a walk: db/functions/39_mentions.sql. */
	return app_reply_query(r, 200, "SELECT ec_mentions_page($1, $2, $3)",
	    DB_I64(r->user_id), DB_I64(before), DB_I64(limit));
}
