/* pins.c - moderators and up pin and unpin messages; a room's pinned
 * list.
 *
 * A pin is two columns of the message (pinned_at, pinned_by; migration
 * 0040), shown in the message JSON: a pin or unpin moves the room's
 * history version by trigger, in its own statement.  Both are
 * idempotent: pinning a pinned message answers it as it is, and
 * publishes nothing.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "event.h"
#include "mem.h"
#include "reactions.h"
#include "rooms.h"

/* Sets or clears the pin of live message $1 when it changes; the
 * message's JSON either way, and whether it changed.  $1 message,
 * $2 the caller, $3 pin (true) or unpin. */
static const char pins_sql_set[] =
    "WITH upd AS (UPDATE messages SET "
    "pinned_at = CASE WHEN $3::boolean THEN now() END, "
    "pinned_by = CASE WHEN $3::boolean THEN $2::bigint END "
    "WHERE id = $1 AND deleted_at IS NULL "
    "AND (pinned_at IS NULL) = $3::boolean RETURNING *) "
    "SELECT ec_message_json(ROW(upd.*)::messages)::text, true FROM upd "
    "UNION ALL SELECT ec_message_json(m)::text, false FROM messages m "
    "WHERE m.id = $1 AND m.deleted_at IS NULL "
    "AND NOT EXISTS (SELECT 1 FROM upd)";

static enum err_code
pins_set(struct http_req *r, int pin)
{
	struct db_res *res = NULL;
	int64_t room_id = 0, group_id = 0;
	enum acl_role role = ACL_NONE;
	enum err_code rc;

	rc = messages_find(r->ids[0], r->user_id, &room_id, NULL, &group_id,
	    &role);
	if (rc)
		goto out;
	if (!acl_may_pin(role)) {
		rc = http_fail(r, ERR_FORBIDDEN,
		    "Only moderators and above can pin messages.");
		goto out;
	}
	rc = db_query(&res, pins_sql_set, DB_I64(r->ids[0]), DB_I64(r->user_id),
	    DB_BOOL(pin));
	if (rc)
		goto out;
	if (db_rows(res) != 1) {
		rc = ERR_NOT_FOUND; /* deleted meanwhile */
		goto out;
	}
	if (db_bool(res, 0, 1)) {
		event_group(group_id,
		    pin ? WIRE_EV_MESSAGE_PINNED : WIRE_EV_MESSAGE_UNPINNED,
		    "message", db_value(res, 0, 0), NULL);
	}
	http_reply_raw(r, 200, db_value(res, 0, 0), db_length(res, 0, 0));
out:
	db_res_free(res);
	return rc;
}

enum err_code
pins_put(struct http_req *r)
{
	return pins_set(r, 1);
}

enum err_code
pins_delete(struct http_req *r)
{
	return pins_set(r, 0);
}

/* The room's pinned messages, the latest pin first: $1 room, $2 limit,
 * $3 offset; one row more than asked for tells has_more. */
static const char pins_sql_list[] =
    "WITH page AS (SELECT m AS msg, m.pinned_at, m.id FROM messages m "
    "WHERE m.room_id = $1 AND m.pinned_at IS NOT NULL "
    "AND m.deleted_at IS NULL ORDER BY m.pinned_at DESC, m.id DESC "
    "LIMIT $2::int + 1 OFFSET $3) "
    "SELECT json_build_object('items', coalesce((SELECT "
    "json_agg(ec_message_json(p.msg, u, pr, q) "
    "ORDER BY p.pinned_at DESC, p.id DESC) "
    "FROM (SELECT * FROM page ORDER BY pinned_at DESC, id DESC "
    "LIMIT $2::int) p "
    "LEFT JOIN users u ON u.id = (p.msg).sender_id "
    "LEFT JOIN profiles pr ON pr.user_id = u.id "
    "LEFT JOIN messages q ON q.id = (p.msg).reply_to), '[]'), "
    "'has_more', (SELECT count(*) FROM page) > $2::int)::text";

enum err_code
pins_list(struct http_req *r)
{
	int64_t group_id = 0, limit = 0, offset = 0;
	enum err_code rc;
	char *page = NULL;

	rc = acl_room(r->ids[0], r->user_id, ACL_MEMBER, &group_id, NULL);
	if (rc)
		goto out;
	rc = http_query_page(r, &limit, &offset);
	if (rc)
		goto out;
	rc = db_query_text(&page, pins_sql_list, DB_I64(r->ids[0]),
	    DB_I64(limit), DB_I64(offset));
	if (rc)
		goto out;
	http_reply_raw(r, 200, page, strlen(page));
out:
	free(page);
	return rc;
}
