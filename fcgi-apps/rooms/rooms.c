/* rooms.c - rooms of a topic: create, read, change, delete, read markers. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acl.h"
#include "audit.h"
#include "app.h"
#include "attach.h"
#include "buf.h"
#include "db.h"
#include "glist.h"
#include "event.h"
#include "json.h"
#include "log.h"
#include "mem.h"
#include "rooms.h"

/* Reads the optional room name and description of a body.  Both come
 * back trimmed, NUL-terminated and owned by the request; absent = NULL. */
static enum err_code
rooms_read_fields(struct http_req *r, int name_required, const char **name,
    const char **description)
{
	static const char *const allowed[] = { "name", "description", NULL };
	struct json_object *fields = http_fields(r);
	const char *s = NULL, *d = NULL;
	size_t slen = 0, dlen = 0;
	enum err_code rc;

	*name = NULL;
	*description = NULL;
	rc = json_only(r->json, allowed, fields);
	if (json_get_text(r->json, "name", name_required, 1, ROOMS_NAME_MAX, 1,
	        &s, &slen, fields))
		rc = ERR_VALIDATION;
	if (json_get_text(r->json, "description", 0, 0, ROOMS_DESCRIPTION_MAX,
	        1, &d, &dlen, fields))
		rc = ERR_VALIDATION;
	if (rc)
		return rc;
	if (s != NULL)
		*name = http_keep(r, mem_strndup(s, slen));
	if (d != NULL)
		*description = http_keep(r, mem_strndup(d, dlen));
	return ERR_OK;
}

/* A unique violation on the room's name (migration 0037) becomes 409
 * name_taken. */
static enum err_code
rooms_conflict(struct http_req *r, enum err_code rc)
{
	if (rc == ERR_CONFLICT &&
	    strcmp(db_constraint(), "rooms_topic_name_unique") == 0)
		return http_fail(r, ERR_NAME_TAKEN,
		    "This topic already has a room with this name.");
	return rc;
}

/* POST /api/topics/{id}/rooms {name, description?}: admin+, 201 room. */
enum err_code
rooms_create(struct http_req *r)
{
	const char *name, *description;
	int64_t group_id = 0;
	enum err_code rc;
	char *room = NULL;

	rc = acl_topic(r->ids[0], r->user_id, ACL_ADMIN, &group_id, NULL);
	if (rc)
		goto out;
	rc = rooms_read_fields(r, 1, &name, &description);
	if (rc)
		goto out;
	/* A topic deleted meanwhile fails the foreign key: ERR_NOT_FOUND. */
	rc = db_query_text(&room,
	    "INSERT INTO rooms (topic_id, group_id, name, description) "
	    "VALUES ($1, $2, $3, coalesce($4, '')) "
	    "RETURNING ec_room_json(rooms)::text",
	    DB_I64(r->ids[0]), DB_I64(group_id), DB_TEXT(name),
	    DB_TEXT(description));
	rc = rooms_conflict(r, rc);
	if (rc)
		goto out;
	event_group(group_id, WIRE_EV_ROOM_CREATED, "room", room, NULL);
	http_reply_raw(r, 201, room, strlen(room));
out:
	free(room);
	return rc;
}

/* GET /api/rooms/{id}: the room with the caller's unread_count and
 * last_read_id (0 when the caller has no marker yet: everything unread).
 * The caller's own messages never count as unread; deleted ones neither.
 * From the figures the triggers keep (db/functions/34_counts.sql): no
 * message is counted unless one was deleted after the caller's marker. */
enum err_code
rooms_get(struct http_req *r)
{
	enum err_code rc;

	rc = acl_room(r->ids[0], r->user_id, ACL_MEMBER, NULL, NULL);
	if (rc)
		goto out;
	rc = app_reply_query(r, 200,
	    "SELECT (ec_room_json(r) || jsonb_build_object("
	    "'last_read_id', coalesce(k.last_read_id, 0), "
	    "'unread_count', ec_unread_count(r, k)))::text "
	    "FROM rooms r LEFT JOIN read_markers k "
	    "ON k.room_id = r.id AND k.user_id = $2 WHERE r.id = $1",
	    DB_I64(r->ids[0]), DB_I64(r->user_id));
out:
	return rc;
}

/* PATCH /api/rooms/{id} {name?, description?}: admin+, 200 room.  A body
 * without either field changes nothing and publishes nothing. */
enum err_code
rooms_update(struct http_req *r)
{
	const char *name, *description;
	int64_t group_id = 0;
	enum err_code rc;
	char *room = NULL;

	rc = acl_room(r->ids[0], r->user_id, ACL_ADMIN, &group_id, NULL);
	if (rc)
		goto out;
	rc = rooms_read_fields(r, 0, &name, &description);
	if (rc)
		goto out;
	if (name == NULL && description == NULL) {
		rc = app_reply_query(r, 200,
		    "SELECT ec_room_json(r)::text "
		    "FROM rooms r WHERE r.id = $1",
		    DB_I64(r->ids[0]));
		goto out;
	}
	rc = db_query_text(&room,
	    "UPDATE rooms SET name = coalesce($2, name), "
	    "description = coalesce($3, description) WHERE id = $1 "
	    "RETURNING ec_room_json(rooms)::text",
	    DB_I64(r->ids[0]), DB_TEXT(name), DB_TEXT(description));
	rc = rooms_conflict(r, rc);
	if (rc)
		goto out;
	if (name != NULL)
		audit_log_text(group_id, r->user_id, AUDIT_ROOM_RENAME, 0,
		    "name", name);
	event_group(group_id, WIRE_EV_ROOM_UPDATED, "room", room, NULL);
	http_reply_raw(r, 200, room, strlen(room));
out:
	free(room);
	return rc;
}

/* DELETE /api/rooms/{id}: admin+, 204; its messages and markers go too. */
enum err_code
rooms_delete(struct http_req *r)
{
	struct db_res *res = NULL;
	char room_id[WIRE_ID_MAX];
	int64_t group_id = 0;
	enum err_code rc;

	rc = acl_room(r->ids[0], r->user_id, ACL_ADMIN, &group_id, NULL);
	if (rc)
		goto out;
	rc = db_query(&res, "DELETE FROM rooms WHERE id = $1 RETURNING id",
	    DB_I64(r->ids[0]));
	if (rc)
		goto out;
	if (db_rows(res) == 0) {
		rc = ERR_NOT_FOUND; /* deleted meanwhile */
		goto out;
	}
	event_group(group_id, WIRE_EV_ROOM_DELETED, "id",
	    wire_id(room_id, r->ids[0]), NULL);
	attach_collect(); /* the files of its messages */
	http_reply_empty(r);
out:
	db_res_free(res);
	return rc;
}

/* POST /api/rooms/{id}/read {last_read_id}: 204.  The marker only moves
 * forward and never past the room's last message. */
enum err_code
rooms_mark_read(struct http_req *r)
{
	static const char *const allowed[] = { "last_read_id", NULL };
	struct json_object *fields = http_fields(r);
	int64_t last_read_id = 0;
	enum err_code rc;

	rc = acl_room(r->ids[0], r->user_id, ACL_MEMBER, NULL, NULL);
	if (rc)
		return rc;
	rc = json_only(r->json, allowed, fields);
	if (json_get_int(r->json, "last_read_id", 1, 0, INT64_MAX,
	        &last_read_id, fields))
		rc = ERR_VALIDATION;
	if (rc)
		return rc;
	rc = db_query(NULL,
	    "INSERT INTO read_markers (user_id, room_id, last_read_id) "
	    "SELECT $2, r.id, least($3::bigint, r.last_message_id) "
	    "FROM rooms r WHERE r.id = $1 "
	    "ON CONFLICT (user_id, room_id) DO UPDATE SET last_read_id = "
	    "greatest(read_markers.last_read_id, excluded.last_read_id)",
	    DB_I64(r->ids[0]), DB_I64(r->user_id), DB_I64(last_read_id));
	if (rc)
		return rc;
	/* Committed (one statement): the counts in the caller's cached
	 * groups list moved without an event (glist.h). */
	glist_touch_user(r->user_id);
	http_reply_empty(r);
	return ERR_OK;
}
