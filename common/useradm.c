/* useradm.c - disabling, enabling and deleting accounts (useradm.h). */
#include "useradm.h"

#include <stdlib.h>
#include <string.h>

#include "attach.h"
#include "auth.h"
#include "db.h"
#include "event.h"
#include "hist.h"
#include "log.h"
#include "media.h"
#include "mem.h"
#include "wire.h"

enum err_code
useradm_set_active(int64_t user_id, int active)
{
	struct db_res *res = NULL;
	enum err_code rc;

	rc = db_query(&res,
	    "UPDATE users SET is_active = $2 WHERE id = $1 RETURNING id",
	    DB_I64(user_id), DB_BOOL(active));
	if (rc == ERR_OK && db_rows(res) != 1)
		rc = ERR_NOT_FOUND;
	if (rc == ERR_OK && !active)
		rc = auth_session_revoke_user(user_id, 0);
	db_res_free(res);
	return rc;
}

enum err_code
useradm_set_site_admin(int64_t user_id, int on)
{
	struct db_res *res = NULL;
	enum err_code rc;

	rc = db_query(&res,
	    "UPDATE users SET is_site_admin = $2 WHERE id = $1 RETURNING id",
	    DB_I64(user_id), DB_BOOL(on));
	if (rc == ERR_OK && db_rows(res) != 1)
		rc = ERR_NOT_FOUND;
	db_res_free(res);
	return rc;
}

/* The ids of column `col` of rows [from, to) of res, as an array. */
static int64_t *
useradm_ids(struct db_res *res, size_t from, size_t to, int col)
{
	int64_t *ids = mem_calloc(to - from + 1, sizeof(*ids));
	size_t i;

	for (i = from; i < to; i++)
		ids[i - from] = db_int(res, i, col);
	return ids;
}

/* The events of a committed deletion (useradm.h). */
static void
useradm_announce(int64_t user_id, struct db_res *heirs, struct db_res *doomed,
    struct db_res *left, struct db_res *purged)
{
	char a[WIRE_ID_MAX], b[WIRE_ID_MAX];
	int64_t *ids;
	size_t i, j;

	for (i = 0; i < db_rows(heirs); i++)
		event_group(db_int(heirs, i, 0), WIRE_EV_MEMBER_UPDATED,
		    "member", db_value(heirs, i, 1), NULL);
	/* doomed: (group_id, member user_id), ordered by group. */
	for (i = 0; i < db_rows(doomed); i = j) {
		int64_t g = db_int(doomed, i, 0);

		for (j = i; j < db_rows(doomed) && db_int(doomed, j, 0) == g;
		     j++)
			;
		event_group(g, WIRE_EV_GROUP_DELETED, "id", wire_id(a, g),
		    NULL);
		ids = useradm_ids(doomed, i, j, 1);
		event_membership(g, ids, j - i, 0);
		free(ids);
	}
	for (i = 0; i < db_rows(left); i++)
		event_group(db_int(left, i, 0), WIRE_EV_MEMBER_LEFT, "user_id",
		    wire_id(a, user_id), NULL);
	/* purged: (room_id, group_id, count), one row per room: one event
	 * per room, however many messages (a message.deleted each was one
	 * event per message for every member's client). */
	for (i = 0; i < db_rows(purged); i++)
		event_group(db_int(purged, i, 1), WIRE_EV_MESSAGES_PURGED,
		    "room_id", wire_id(a, db_int(purged, i, 0)), "user_id",
		    wire_id(b, user_id), NULL);
}

enum err_code
useradm_delete(int64_t user_id, int purge, struct useradm_deleted *out)
{
	struct db_res *pics = NULL, *heirs = NULL, *doomed = NULL;
	struct db_res *left = NULL, *purged = NULL;
	struct useradm_deleted done;
	enum err_code rc;
	size_t i;

	memset(&done, 0, sizeof(done));
	if (out != NULL)
		*out = done;
	/* Sessions first: from this moment the user can do nothing, even if
	 * what follows fails (it can then be retried). */
	rc = auth_session_revoke_user(user_id, 0);
	if (rc)
		goto out;
	rc = db_begin();
	if (rc)
		goto out;
	rc = db_query(&pics,
	    "SELECT p.icon, p.wallpaper FROM users u "
	    "LEFT JOIN profiles p ON p.user_id = u.id "
	    "WHERE u.id = $1 FOR UPDATE OF u",
	    DB_I64(user_id));
	if (rc)
		goto out;
	if (db_rows(pics) != 1) {
		rc = ERR_NOT_FOUND;
		goto out;
	}
	/* Owned groups go to their longest-standing admin. */
	rc = db_query(&heirs,
	    "WITH owned AS (SELECT group_id FROM group_members "
	    " WHERE user_id = $1 AND role = 'owner' FOR UPDATE), "
	    "heir AS (SELECT DISTINCT ON (m.group_id) m.group_id, m.user_id "
	    " FROM group_members m JOIN owned o USING (group_id) "
	    " WHERE m.role = 'admin' AND m.user_id <> $1 "
	    " ORDER BY m.group_id, m.joined_at, m.user_id) "
	    "UPDATE group_members m SET role = 'owner' FROM heir h "
	    "WHERE m.group_id = h.group_id AND m.user_id = h.user_id "
	    "RETURNING m.group_id, ec_member_json(m)::text",
	    DB_I64(user_id));
	if (rc)
		goto out;
	/* The others, without an admin, are deleted (the cascade takes
	 * topics, rooms, messages, invites); their members, for the
	 * membership events. */
	rc = db_query(&doomed,
	    "WITH doomed AS (SELECT o.group_id FROM group_members o "
	    " WHERE o.user_id = $1 AND o.role = 'owner' AND NOT EXISTS ("
	    "  SELECT 1 FROM group_members x WHERE x.group_id = o.group_id "
	    "  AND x.role = 'owner' AND x.user_id <> $1)), "
	    "mem AS (SELECT m.group_id, m.user_id FROM group_members m "
	    " JOIN doomed USING (group_id)), "
	    "d AS (DELETE FROM groups g USING doomed "
	    " WHERE g.id = doomed.group_id RETURNING g.id) "
	    "SELECT mem.group_id, mem.user_id FROM mem JOIN d "
	    "ON d.id = mem.group_id ORDER BY 1, 2",
	    DB_I64(user_id));
	if (rc)
		goto out;
	rc = db_query(&left,
	    "SELECT group_id FROM group_members WHERE user_id = $1",
	    DB_I64(user_id));
	if (rc)
		goto out;
	if (purge) {
		rc = db_query(&purged,
		    "WITH p AS (UPDATE messages m SET deleted_at = now(), "
		    "text = '' FROM rooms r WHERE m.sender_id = $1 AND "
		    "m.deleted_at IS NULL AND r.id = m.room_id "
		    "RETURNING m.room_id, r.group_id) "
		    "SELECT room_id, group_id, count(*) FROM p "
		    "GROUP BY room_id, group_id ORDER BY room_id",
		    DB_I64(user_id));
		if (rc)
			goto out;
	}
	rc = db_query(NULL, "DELETE FROM users WHERE id = $1", DB_I64(user_id));
	if (rc)
		goto out;
	rc = db_commit();
	if (rc)
		goto out;
	for (i = 0; i < db_rows(doomed); i++) {
		if (i == 0 || db_int(doomed, i, 0) != db_int(doomed, i - 1, 0))
			done.groups_deleted++;
	}
	done.groups_transferred = db_rows(heirs);
	for (i = 0; i < db_rows(purged); i++)
		done.messages_purged += (size_t)db_int(purged, i, 2);
	log_info("user %lld deleted (%zu groups handed over, %zu deleted, "
	         "%zu messages purged)",
	    (long long)user_id, done.groups_transferred, done.groups_deleted,
	    done.messages_purged);
	useradm_announce(user_id, heirs, doomed, left, purged);
	/* Their name and icon are in cached history pages. */
	hist_touch_profiles();
	attach_collect(); /* the files of purged messages and groups */
	for (i = 0; i < 2; i++) {
		if (db_value(pics, 0, (int)i) != NULL)
			media_release(db_value(pics, 0, (int)i));
	}
	if (out != NULL)
		*out = done;
out:
	db_rollback();
	db_res_free(pics);
	db_res_free(heirs);
	db_res_free(doomed);
	db_res_free(left);
	db_res_free(purged);
	return rc;
}
