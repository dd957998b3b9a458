/* moderation.c - what moderation changes about posting in a room (issue
 * 13 item 7): slow mode, timeouts, and the audit entries of the rooms
 * program.  Bans and the audit log itself are in the groups program
 * (fcgi-apps/groups/bans.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acl.h"
#include "audit.h"
#include "db.h"
#include "event.h"
#include "json.h"
#include "mem.h"
#include "rooms.h"

#define MODERATION_SLOW_MODE_MAX 21600 /* six hours, as the table allows */

enum err_code
moderation_timed_out(struct http_req *r, const char *until)
{
	char why[128];

	snprintf(why, sizeof(why), "You are timed out until %s.", until);
	return http_fail(r, ERR_FORBIDDEN, http_keep(r, mem_strdup(why)));
}

enum err_code
moderation_may_post(struct http_req *r, int64_t room_id)
{
	struct db_res *res = NULL;
	char why[128];
	enum err_code rc;
	int64_t wait;

	rc = db_query(&res,
	    "SELECT gm.timed_out_until > now(), ec_ts(gm.timed_out_until), "
	    "CASE WHEN rm.slow_mode_seconds > 0 AND gm.role = 'member' "
	    "THEN ceil(extract(epoch FROM k.last_posted_at "
	    "+ make_interval(secs => rm.slow_mode_seconds) - now()))::bigint "
	    "END FROM rooms rm JOIN group_members gm "
	    "ON gm.group_id = rm.group_id AND gm.user_id = $2 "
	    "LEFT JOIN read_markers k ON k.user_id = $2 AND k.room_id = rm.id "
	    "WHERE rm.id = $1",
	    DB_I64(room_id), DB_I64(r->user_id));
	if (rc)
		goto out;
	if (db_rows(res) == 0) {
		rc = ERR_NOT_FOUND; /* removed from the group meanwhile */
		goto out;
	}
	if (db_bool(res, 0, 0)) {
		rc = moderation_timed_out(r, db_value(res, 0, 1));
		goto out;
	}
	wait = db_value(res, 0, 2) ? db_int(res, 0, 2) : 0;
	if (wait > 0) {
		r->retry_after = wait;
		snprintf(why, sizeof(why),
		    "Slow mode: you can post in this room again in %lld s.",
		    (long long)wait);
		rc = http_fail(r, ERR_RATE_LIMITED,
		    http_keep(r, mem_strdup(why)));
	}
out:
	db_res_free(res);
	return rc;
}

/* PUT /api/rooms/{id}/slow-mode {seconds}: moderator+; 0 turns it off;
 * 200 room and room.updated. */
enum err_code
moderation_slow_mode(struct http_req *r)
{
	static const char *const allowed[] = { "seconds", NULL };
	struct json_object *fields = http_fields(r);
	int64_t group_id = 0, seconds = 0;
	char *room = NULL, details[48];
	enum err_code rc;

	rc = acl_room(r->ids[0], r->user_id, ACL_MODERATOR, &group_id, NULL);
	if (rc)
		goto out;
	rc = json_only(r->json, allowed, fields);
	if (json_get_int(r->json, "seconds", 1, 0, MODERATION_SLOW_MODE_MAX,
	        &seconds, fields))
		rc = ERR_VALIDATION;
	if (rc)
		goto out;
	rc = db_query_text(&room,
	    "UPDATE rooms SET slow_mode_seconds = $2 WHERE id = $1 "
	    "RETURNING ec_room_json(rooms)::text",
	    DB_I64(r->ids[0]), DB_I64(seconds));
	if (rc)
		goto out;
	snprintf(details, sizeof(details), "{\"seconds\": %lld}",
	    (long long)seconds);
	audit_log(group_id, r->user_id, AUDIT_ROOM_SLOW_MODE, 0, details);
	event_group(group_id, WIRE_EV_ROOM_UPDATED, "room", room, NULL);
	http_reply_raw(r, 200, room, strlen(room));
out:
	free(room);
	return rc;
}

void
moderation_audit_delete(struct http_req *r, int64_t group_id, int64_t room_id,
    int64_t sender_id)
{
	char details[96];

	snprintf(details, sizeof(details),
	    "{\"message_id\": %lld, \"room_id\": %lld}", (long long)r->ids[0],
	    (long long)room_id);
	audit_log(group_id, r->user_id, AUDIT_MESSAGE_DELETE, sender_id,
	    details);
}
