/* notify.c - the caller's notification settings:
 * /api/users/me/notification-settings (issue 14 item 1).
 *
 * Three scopes: the user's defaults (a level for group rooms and one for
 * DMs, hide_text, sound), a group, and a room (a DM's room too).  The
 * document every answer and event carries is rendered by PostgreSQL
 * (ec_notify_settings_json, db/functions/35_notify.sql), which also holds
 * the one reading of it the server uses, notify_level().  Each change is
 * published as `notification_settings.updated {settings}` on the user's
 * channel, so every open device of theirs agrees at once.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "db.h"
#include "event.h"
#include "json.h"
#include "users.h"
#include "wire.h"

/* The settings document of the caller, as JSON text (malloc()ed). */
static enum err_code
notify_doc(int64_t user_id, char **out)
{
	return db_query_text(out, "SELECT ec_notify_settings_json($1)::text",
	    DB_I64(user_id));
}

/* After a commit: the new document to every device of the user (a lost
 * event leaves a device stale until it reloads the settings) and, when
 * `r` is given, as the 200 answer. */
static enum err_code
notify_publish(struct http_req *r, int64_t user_id)
{
	enum err_code rc;
	char *doc = NULL;

	rc = notify_doc(user_id, &doc);
	if (rc)
		goto out;
	event_user(user_id, WIRE_EV_NOTIFICATION_SETTINGS_UPDATED, 0,
	    "settings", doc, NULL);
	if (r != NULL)
		http_reply_raw(r, 200, doc, strlen(doc));
out:
	free(doc);
	return rc;
}

enum err_code
notify_get(struct http_req *r)
{
	return app_reply_query(r, 200,
	    "SELECT ec_notify_settings_json($1)::text", DB_I64(r->user_id));
}

/* Reads an RFC 3339 time ("2026-12-06T10:00:00Z", fraction and offset
 * optional) into *out as "<unix seconds>.<micro>" text for to_timestamp;
 * -1 when it is not one. */
static int
notify_parse_time(const char *s, char out[40], time_t *when)
{
	int y, mo, d, h, mi, sec, n = 0, oh = 0, om = 0, sign = 0, digits = 0;
	long micro = 0, scale = 100000;
	struct tm tm;
	time_t t;

	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec,
	        &n) != 6 ||
	    n != 19)
		return -1;
	s += n;
	if (*s == '.') {
		for (s++; *s >= '0' && *s <= '9'; s++, digits++) {
			micro += (*s - '0') * scale;
			scale /= 10;
		}
		if (digits < 1 || digits > 6)
			return -1;
	}
	if (*s == 'Z' || *s == 'z') {
		s++;
	} else if (*s == '+' || *s == '-') {
		sign = *s == '-' ? -1 : 1;
		if (sscanf(s + 1, "%2d:%2d%n", &oh, &om, &n) != 2 || n != 5 ||
		    oh > 23 || om > 59)
			return -1;
		s += 6;
	} else {
		return -1;
	}
	if (*s != '\0' || y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 ||
	    h > 23 || mi > 59 || sec > 60)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	t = timegm(&tm);
	/* timegm() folds 31 February into March: refuse what it moved. */
	if (t == (time_t)-1 || tm.tm_mday != d || tm.tm_mon != mo - 1)
		return -1;
	t -= sign * (oh * 3600 + om * 60);
	*when = t;
	snprintf(out, 40, "%lld.%06ld", (long long)t, micro);
	return 0;
}

/* Reads {level?, muted_until?} of a group or room scope.  *set_level /
 * *set_mute say which were given; *level NULL is "inherit"; *mute NULL is
 * not muted, "Infinity" until unmuted, else seconds for to_timestamp. */
static enum err_code
notify_read_scope(struct http_req *r, int *set_level, const char **level,
    int *set_mute, const char **mute, char buf[40])
{
	static const char *const allowed[] = { "level", "muted_until", NULL };
	struct json_object *fields = http_fields(r), *v = NULL;
	enum err_code rc;
	const char *s;
	time_t when = 0;

	*set_level = *set_mute = 0;
	*level = *mute = NULL;
	rc = json_only(r->json, allowed, fields);
	if (json_object_object_get_ex(r->json, "level", &v)) {
		*set_level = 1;
		if (v != NULL &&
		    json_get_enum(r->json, "level", 0, wire_notify_levels,
		        level, fields))
			rc = ERR_VALIDATION;
	}
	if (json_object_object_get_ex(r->json, "muted_until", &v)) {
		*set_mute = 1;
		s = json_object_is_type(v, json_type_string)
		    ? json_object_get_string(v)
		    : NULL;
		if (v == NULL) {
			*mute = NULL;
		} else if (s != NULL && strcmp(s, "forever") == 0) {
			*mute = "Infinity";
		} else if (s == NULL || notify_parse_time(s, buf, &when)) {
			rc = json_field_error(fields, "muted_until",
			    "must be null, \"forever\" or an RFC 3339 time");
		} else if (when <= time(NULL)) {
			rc = json_field_error(fields, "muted_until",
			    "must be in the future");
		} else {
			*mute = buf;
		}
	}
	if (!rc && !*set_level && !*set_mute)
		rc = json_field_error(fields, "level",
		    "give level or muted_until (or both)");
	return rc;
}

/* PUT one group or room scope: `is_room` picks the column.  The caller
 * must be a member of the group (of the room's group): 404 otherwise. */
static enum err_code
notify_put_scope(struct http_req *r, int is_room)
{
	const char *level = NULL, *mute = NULL;
	int set_level = 0, set_mute = 0;
	struct db_res *res = NULL;
	enum err_code rc;
	char buf[40];

	rc = notify_read_scope(r, &set_level, &level, &set_mute, &mute, buf);
	if (rc)
		goto out;
	rc = db_query(&res,
	    "WITH ok AS (SELECT 1 FROM group_members gm WHERE gm.user_id = $1 "
	    " AND gm.group_id = CASE WHEN $3::boolean THEN (SELECT group_id "
	    " FROM rooms WHERE id = $2) ELSE $2 END), "
	    "up_room AS (INSERT INTO notify_settings (user_id, room_id, level,"
	    " muted_until) SELECT $1, $2, $5, to_timestamp($7::float8) FROM ok"
	    " WHERE $3::boolean ON CONFLICT (user_id, room_id)"
	    " WHERE room_id IS NOT NULL DO UPDATE SET"
	    " level = CASE WHEN $4::boolean THEN EXCLUDED.level"
	    " ELSE notify_settings.level END,"
	    " muted_until = CASE WHEN $6::boolean THEN EXCLUDED.muted_until"
	    " ELSE notify_settings.muted_until END, updated_at = now()"
	    " RETURNING 1), "
	    "up_group AS (INSERT INTO notify_settings (user_id, group_id, "
	    "level,"
	    " muted_until) SELECT $1, $2, $5, to_timestamp($7::float8) FROM ok"
	    " WHERE NOT $3::boolean ON CONFLICT (user_id, group_id)"
	    " WHERE group_id IS NOT NULL DO UPDATE SET"
	    " level = CASE WHEN $4::boolean THEN EXCLUDED.level"
	    " ELSE notify_settings.level END,"
	    " muted_until = CASE WHEN $6::boolean THEN EXCLUDED.muted_until"
	    " ELSE notify_settings.muted_until END, updated_at = now()"
	    " RETURNING 1) "
	    "SELECT (SELECT count(*) FROM up_room) + "
	    "(SELECT count(*) FROM up_group)",
	    DB_I64(r->user_id), DB_I64(r->ids[0]), DB_BOOL(is_room),
	    DB_BOOL(set_level), DB_TEXT(level), DB_BOOL(set_mute),
	    DB_TEXT(mute));
	if (rc)
		goto out;
	if (db_int(res, 0, 0) == 0) {
		rc = http_fail(r, ERR_NOT_FOUND,
		    is_room ? "No such room." : "No such group.");
		goto out;
	}
	rc = notify_publish(r, r->user_id);
out:
	db_res_free(res);
	return rc;
}

enum err_code
notify_put_group(struct http_req *r)
{
	return notify_put_scope(r, 0);
}

enum err_code
notify_put_room(struct http_req *r)
{
	return notify_put_scope(r, 1);
}

/* The end of a DELETE that ran `rc = db_query(&res, ...)`: 204, and the
 * new document to the other devices when a row went (nothing changed
 * otherwise).  Frees res. */
static enum err_code
notify_deleted(struct http_req *r, enum err_code rc, struct db_res *res)
{
	if (!rc && db_rows(res) > 0)
		rc = notify_publish(NULL, r->user_id);
	if (!rc)
		http_reply_empty(r);
	db_res_free(res);
	return rc;
}

/* DELETE a group or room scope: back to inheriting; idempotent. */
static enum err_code
notify_delete_scope(struct http_req *r, int is_room)
{
	struct db_res *res = NULL;
	enum err_code rc;

	rc = db_query(&res,
	    "DELETE FROM notify_settings WHERE user_id = $1 AND "
	    "CASE WHEN $3::boolean THEN room_id = $2 ELSE group_id = $2 END "
	    "RETURNING 1",
	    DB_I64(r->user_id), DB_I64(r->ids[0]), DB_BOOL(is_room));
	return notify_deleted(r, rc, res);
}

enum err_code
notify_delete_group(struct http_req *r)
{
	return notify_delete_scope(r, 0);
}

enum err_code
notify_delete_room(struct http_req *r)
{
	return notify_delete_scope(r, 1);
}

enum err_code
notify_put_defaults(struct http_req *r)
{
	static const char *const allowed[] = { "group_level", "dm_level",
		"hide_text", "sound", NULL };
	struct json_object *fields = http_fields(r);
	const char *group_level = NULL, *dm_level = NULL;
	int hide_text = -1, sound = -1;
	enum err_code rc;

	rc = json_only(r->json, allowed, fields);
	if (json_get_enum(r->json, "group_level", 0, wire_notify_levels,
	        &group_level, fields))
		rc = ERR_VALIDATION;
	if (json_get_enum(r->json, "dm_level", 0, wire_notify_levels, &dm_level,
	        fields))
		rc = ERR_VALIDATION;
	if (json_get_bool(r->json, "hide_text", 0, &hide_text, fields))
		rc = ERR_VALIDATION;
	if (json_get_bool(r->json, "sound", 0, &sound, fields))
		rc = ERR_VALIDATION;
	if (rc)
		return rc;
	/* -1 = not given: the current value (or the built-in default). */
	rc = db_query(NULL,
	    "INSERT INTO notify_prefs (user_id, group_level, dm_level,"
	    " hide_text, sound) VALUES ($1, $2, $3,"
	    " coalesce(nullif($4::int, -1)::boolean, false),"
	    " coalesce(nullif($5::int, -1)::boolean, true)) "
	    "ON CONFLICT (user_id) DO UPDATE SET"
	    " group_level = coalesce($2, notify_prefs.group_level),"
	    " dm_level = coalesce($3, notify_prefs.dm_level),"
	    " hide_text = coalesce(nullif($4::int, -1)::boolean,"
	    "  notify_prefs.hide_text),"
	    " sound = coalesce(nullif($5::int, -1)::boolean,"
	    "  notify_prefs.sound), updated_at = now()",
	    DB_I64(r->user_id), DB_TEXT(group_level), DB_TEXT(dm_level),
	    DB_I64(hide_text), DB_I64(sound));
	if (rc)
		return rc;
	return notify_publish(r, r->user_id);
}

enum err_code
notify_delete_defaults(struct http_req *r)
{
	struct db_res *res = NULL;
	enum err_code rc;

	rc = db_query(&res,
	    "DELETE FROM notify_prefs WHERE user_id = $1 RETURNING 1",
	    DB_I64(r->user_id));
	return notify_deleted(r, rc, res);
}
