/* groups.c - groups themselves: my groups, create, detail, update, delete,
 * join, leave and the public directory.  Membership rows are written by
 * members.c (members_add, members_remove), which never calls back here. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acl.h"
#include "audit.h"
#include "auth.h"
#include "app.h"
#include "attach.h"
#include "db.h"
#include "event.h"
#include "glist.h"
#include "wire.h"
#include "groups.h"
#include "json.h"
#include "log.h"
#include "mem.h"
#include "utf8.h"

/* The body of POST and PATCH /api/groups. */
struct groups_input {
	char *name;            /* trimmed, malloc()ed; NULL = absent */
	char *description;     /* trimmed, malloc()ed; NULL = absent */
	const char *category;  /* static; NULL = absent */
	int is_public;         /* -1 = absent */
	int everyone_mentions; /* -1 = absent (migration 0045) */
};

static void
groups_input_release(struct groups_input *in)
{
	free(in->name);
	free(in->description);
}

static enum err_code
groups_read_input(struct http_req *r, int create, struct groups_input *in)
{
	static const char *const allowed[] = { "name", "description",
		"category", "is_public", "everyone_mentions", NULL };
	struct json_object *fields = http_fields(r);
	const char *s = NULL;
	size_t len = 0;
	enum err_code rc;

	memset(in, 0, sizeof(*in));
	in->is_public = -1;
	in->everyone_mentions = -1;
	rc = json_only(r->json, allowed, fields);
	if (json_get_text(r->json, "name", create, 1, GROUPS_NAME_MAX, 1, &s,
	        &len, fields))
		rc = ERR_VALIDATION;
	else if (s != NULL)
		in->name = mem_strndup(s, len);
	s = NULL;
	if (json_get_text(r->json, "description", 0, 0, GROUPS_DESCRIPTION_MAX,
	        1, &s, &len, fields))
		rc = ERR_VALIDATION;
	else if (s != NULL)
		in->description = mem_strndup(s, len);
	if (json_get_enum(r->json, "category", 0, wire_categories,
	        &in->category, fields))
		rc = ERR_VALIDATION;
	if (json_get_bool(r->json, "is_public", 0, &in->is_public, fields))
		rc = ERR_VALIDATION;
	if (json_get_bool(r->json, "everyone_mentions", 0,
	        &in->everyone_mentions, fields))
		rc = ERR_VALIDATION;
	return rc;
}

/* A unique violation on the group name becomes 409 name_taken. */
static enum err_code
groups_conflict(struct http_req *r, enum err_code rc)
{
	if (rc == ERR_CONFLICT &&
	    strcmp(db_constraint(), "groups_name_lower") == 0)
		return http_fail(r, ERR_NAME_TAKEN,
		    "A group with this name already exists.");
	return rc;
}

/* The ids of every member, comma-separated, for presence. */
static enum err_code
groups_member_ids(int64_t group_id, int64_t **ids, size_t *n)
{
	char *text = NULL;
	enum err_code rc;

	*ids = NULL;
	*n = 0;
	rc = db_query_text(&text,
	    "SELECT COALESCE(string_agg(user_id::text, "
	    "','), '') FROM group_members WHERE group_id = $1",
	    DB_I64(group_id));
	if (rc)
		return rc;
	*ids = wire_parse_ids(text, n);
	free(text);
	return ERR_OK;
}

/* The group detail (`GroupDetail`, openapi.yaml) for member $2 of group $1; $3
 * = online count. unread_count agrees with the rooms program: messages after the
 * caller's marker, not deleted, not their own; mention_count: the
 * caller's mentions after the marker (migration 0045); both from the
 * figures the triggers keep (db/functions/34_counts.sql). */
static const char groups_detail_sql[] =
    "SELECT (ec_group_json(g) || jsonb_build_object("
    " 'my_role', m.role,"
    " 'everyone_mentions', g.everyone_mentions,"
    " 'member_count', (SELECT count(*) FROM group_members c"
    "   WHERE c.group_id = g.id),"
    " 'online_count', $3::int,"
    " 'topics', COALESCE((SELECT jsonb_agg(jsonb_build_object("
    "   'id', t.id, 'group_id', t.group_id, 'name', t.name,"
    "   'rooms', COALESCE((SELECT jsonb_agg(ec_room_json(rm) ||"
    "     jsonb_build_object("
    "     'unread_count', ec_unread_count(rm, k),"
    "     'mention_count', COALESCE(k.mention_count, 0),"
    "     'last_read_id', COALESCE(k.last_read_id, 0)) ORDER BY rm.id)"
    "     FROM rooms rm LEFT JOIN read_markers k ON k.room_id = rm.id"
    "     AND k.user_id = m.user_id WHERE rm.topic_id = t.id),"
    "     '[]'::jsonb)) ORDER BY t.id)"
    "   FROM topics t WHERE t.group_id = g.id), '[]'::jsonb)))::text "
    "FROM groups g JOIN group_members m ON m.group_id = g.id"
    " AND m.user_id = $2 WHERE g.id = $1";

enum err_code
groups_reply_detail(struct http_req *r, int status, int64_t group_id,
    int64_t user_id)
{
	int64_t *ids = NULL;
	enum err_code rc;
	size_t n;

	rc = groups_member_ids(group_id, &ids, &n);
	if (rc)
		goto out;
	rc = app_reply_query(r, status, groups_detail_sql, DB_I64(group_id),
	    DB_I64(user_id), DB_I64((int64_t)presence_count(ids, n)));
out:
	free(ids);
	return rc;
}

/* The page (one row more to know has_more) with each group's unread
 * and mention counts summed over its rooms from the figures the
 * triggers keep (db/functions/34_counts.sql: no message is counted
 * unless a room had a deletion after the marker).  Direct conversations
 * (hidden groups, migration 0045) are not listed.  Also the listed ids,
 * in id order, as groups_sql_ids gives them (glist_fill()). */
static const char groups_sql_list[] =
    "WITH page AS (SELECT g.id, g.name, g.icon, m.role"
    "  FROM group_members m JOIN groups g ON g.id = m.group_id"
    "  WHERE m.user_id = $1"
    "  AND NOT EXISTS (SELECT 1 FROM conversations c WHERE c.group_id "
    "= g.id)"
    "  ORDER BY lower(g.name), g.id"
    "  LIMIT $2::int + 1 OFFSET $3::int),"
    " counted AS (SELECT p.*, c.unread, c.mentions,"
    "  row_number() OVER (ORDER BY lower(p.name), p.id) AS n"
    "  FROM page p CROSS JOIN LATERAL (SELECT"
    "  coalesce(sum(rm.msg_seq - coalesce(k.read_seq, 0)"
    "   - CASE WHEN rm.last_deleted_id > coalesce(k.last_read_id, 0)"
    "   THEN (SELECT count(*) FROM messages x WHERE x.room_id = rm.id"
    "   AND x.id > coalesce(k.last_read_id, 0)"
    "   AND x.deleted_at IS NOT NULL) ELSE 0 END), 0)::bigint AS "
    "unread,"
    "  coalesce(sum(k.mention_count), 0)::bigint AS mentions"
    "  FROM rooms rm LEFT JOIN read_markers k ON k.room_id = rm.id"
    "  AND k.user_id = $1 WHERE rm.group_id = p.id) c) "
    "SELECT json_build_object('items', COALESCE(json_agg("
    " json_build_object('id', id, 'name', name,"
    "  'icon_url', '/media/' || icon, 'my_role', role,"
    "  'has_unread', unread > 0, 'unread_count', unread,"
    "  'mention_count', mentions) ORDER BY n)"
    " FILTER (WHERE n <= $2::int), '[]'),"
    " 'has_more', count(*) > $2::int)::text,"
    " coalesce(string_agg(id::text, ',' ORDER BY id)"
    " FILTER (WHERE n <= $2::int), '') FROM counted";

/* Every group the list can show the user, in id order, and how many:
 * what a cache fill leases the versions of before the list is read. */
static const char groups_sql_ids[] =
    "SELECT count(*), coalesce(string_agg(m.group_id::text, ','"
    " ORDER BY m.group_id), '') FROM group_members m"
    " WHERE m.user_id = $1 AND NOT EXISTS (SELECT 1 FROM conversations c"
    " WHERE c.group_id = m.group_id)";

/* GET /api/groups?limit=&offset=: {items, has_more}.  HTTP_AUTH_DEFER: a
 * first page that holds all of the caller's groups comes from one Redis
 * call when cached (glist.h) - the session's revocation mark, the
 * versions and the answer; everything else asks PostgreSQL. */
enum err_code
groups_list(struct http_req *r)
{
	int64_t limit = 0, offset = 0, epoch;
	enum glist_fast_result fast = GLIST_FAST_ERROR;
	struct glist_lease lease = { .ids = NULL };
	char revoked_key[WIRE_NAME_MAX];
	struct db_res *res = NULL;
	enum err_code rc, bad;
	char *body = NULL;

	bad = http_query_page(r, &limit, &offset);
	epoch = auth_cache_epoch();
	if (bad == ERR_OK && offset == 0 && r->auth_deferred) {
		auth_deferred_key(r, revoked_key);
		fast = glist_fast(revoked_key, r->user_id, limit, epoch, &lease,
		    &body);
	}
	rc = auth_settle(r,
	    fast == GLIST_FAST_ERROR         ? -1
	        : fast == GLIST_FAST_REVOKED ? 1
	                                     : 0);
	if (rc)
		goto out;
	if (fast == GLIST_FAST_HIT) {
		http_reply_raw(r, 200, body, strlen(body));
		goto out;
	}
	rc = bad;
	if (rc)
		goto out;
	if (fast == GLIST_FAST_MISS) {
		/* The lease, before the list is read; only a page that
		 * will hold every group is cached. */
		rc = db_query(&res, groups_sql_ids, DB_I64(r->user_id));
		if (rc)
			goto out;
		if (db_int(res, 0, 0) <= limit &&
		    glist_lease_groups(&lease, db_value(res, 0, 1)) != ERR_OK)
			log_warn("groups list: versions not leased");
		db_res_free(res);
		res = NULL;
	}
	rc = db_query(&res, groups_sql_list, DB_I64(r->user_id), DB_I64(limit),
	    DB_I64(offset));
	if (rc)
		goto out;
	if (lease.ids != NULL)
		glist_fill(r->user_id, limit, epoch, &lease,
		    db_value(res, 0, 1), db_value(res, 0, 0));
	http_reply_raw(r, 200, db_value(res, 0, 0),
	    strlen(db_value(res, 0, 0)));
out:
	db_res_free(res);
	glist_lease_release(&lease);
	free(body);
	return rc;
}

enum err_code
groups_create(struct http_req *r)
{
	struct groups_input in;
	struct db_res *res = NULL;
	int64_t group_id;
	enum err_code rc;

	rc = groups_read_input(r, 1, &in);
	if (rc)
		goto out;
	/* One statement, so one transaction: the group, its owner, topic
	 * General, room home and the owner's read marker. */
	rc = db_query(&res,
	    "WITH g AS (INSERT INTO groups (name, description, category,"
	    "  is_public, everyone_mentions)"
	    "  VALUES ($1, $2, $3, $4, $6) RETURNING id),"
	    " m AS (INSERT INTO group_members (group_id, user_id, role)"
	    "  SELECT id, $5, 'owner' FROM g),"
	    " t AS (INSERT INTO topics (group_id, name)"
	    "  SELECT id, 'General' FROM g RETURNING id, group_id),"
	    " rm AS (INSERT INTO rooms (topic_id, group_id, name)"
	    "  SELECT id, group_id, 'home' FROM t RETURNING id),"
	    " k AS (INSERT INTO read_markers (user_id, room_id, last_read_id)"
	    "  SELECT $5, id, 0 FROM rm) "
	    "SELECT id FROM g",
	    DB_TEXT(in.name), DB_TEXT(in.description ? in.description : ""),
	    DB_TEXT(in.category ? in.category : "Undefined"),
	    DB_BOOL(in.is_public != 0), DB_I64(r->user_id),
	    DB_BOOL(in.everyone_mentions > 0));
	if (rc) {
		rc = groups_conflict(r, rc);
		goto out;
	}
	group_id = db_int(res, 0, 0);
	log_info("user %lld created group %lld", (long long)r->user_id,
	    (long long)group_id);
	event_membership(group_id, &r->user_id, 1, 1);
	rc = groups_reply_detail(r, 201, group_id, r->user_id);
out:
	db_res_free(res);
	groups_input_release(&in);
	return rc;
}

enum err_code
groups_get(struct http_req *r)
{
	enum err_code rc;

	rc = acl_group(r->ids[0], r->user_id, ACL_MEMBER, NULL);
	if (rc)
		return rc;
	return groups_reply_detail(r, 200, r->ids[0], r->user_id);
}

enum err_code
groups_update(struct http_req *r)
{
	struct groups_input in;
	char *json = NULL;
	enum err_code rc;

	rc = groups_read_input(r, 0, &in);
	if (rc)
		goto out;
	rc = acl_group(r->ids[0], r->user_id, ACL_ADMIN, NULL);
	if (rc)
		goto out;
	/* The role is checked again in the statement itself.  A body
	 * that changes nothing publishes nothing either. */
	if (in.name != NULL || in.description != NULL || in.category != NULL ||
	    in.is_public >= 0 || in.everyone_mentions >= 0) {
		rc = db_query_text(&json,
		    "UPDATE groups SET name = COALESCE($2, name),"
		    " description = COALESCE($3, description),"
		    " category = COALESCE($4, category),"
		    " is_public = COALESCE($5::boolean, is_public),"
		    " everyone_mentions = COALESCE($7::boolean,"
		    " everyone_mentions) "
		    "WHERE id = $1 AND EXISTS (SELECT 1 FROM group_members m"
		    " WHERE m.group_id = $1 AND m.user_id = $6"
		    " AND m.role IN ('owner', 'admin')) "
		    "RETURNING ec_group_json(groups.*)::text",
		    DB_I64(r->ids[0]), DB_TEXT(in.name),
		    DB_TEXT(in.description), DB_TEXT(in.category),
		    in.is_public < 0 ? DB_NULL : DB_BOOL(in.is_public),
		    DB_I64(r->user_id),
		    in.everyone_mentions < 0 ? DB_NULL
		                             : DB_BOOL(in.everyone_mentions));
		if (rc) {
			rc = groups_conflict(r, rc);
			goto out;
		}
		if (in.name != NULL)
			audit_log_text(r->ids[0], r->user_id,
			    AUDIT_GROUP_RENAME, 0, "name", in.name);
		event_group(r->ids[0], WIRE_EV_GROUP_UPDATED, "group", json,
		    NULL);
	}
	rc = groups_reply_detail(r, 200, r->ids[0], r->user_id);
out:
	free(json);
	groups_input_release(&in);
	return rc;
}

enum err_code
groups_delete(struct http_req *r)
{
	struct db_res *res = NULL;
	char idtext[WIRE_ID_MAX];
	int64_t *ids = NULL;
	enum err_code rc;
	int site_admin = 0;
	size_t i, n;

	rc = acl_group(r->ids[0], r->user_id, ACL_OWNER, NULL);
	/* A site admin may delete any group (abuse handling). */
	if (rc == ERR_NOT_FOUND || rc == ERR_FORBIDDEN)
		site_admin = acl_site_admin(r->user_id) == ERR_OK;
	if (site_admin)
		rc = ERR_OK;
	if (rc)
		goto out;
	/* The members as they were, for their membership events; the
	 * cascade takes topics, rooms, messages, markers and invites. */
	rc = db_query(&res,
	    "WITH m AS (SELECT user_id FROM group_members WHERE group_id = $1),"
	    " d AS (DELETE FROM groups WHERE id = $1 AND ($3 OR EXISTS ("
	    "  SELECT 1 FROM group_members o WHERE o.group_id = $1 AND "
	    "  o.user_id = $2 AND o.role = 'owner')) RETURNING id) "
	    "SELECT m.user_id FROM m, d",
	    DB_I64(r->ids[0]), DB_I64(r->user_id), DB_BOOL(site_admin));
	if (rc)
		goto out;
	n = db_rows(res);
	if (n == 0) {
		rc = ERR_NOT_FOUND; /* lost a race with a hand-over */
		goto out;
	}
	ids = mem_calloc(n, sizeof(*ids));
	for (i = 0; i < n; i++)
		ids[i] = db_int(res, i, 0);
	log_info("%s %lld deleted group %lld",
	    site_admin ? "site admin" : "user", (long long)r->user_id,
	    (long long)r->ids[0]);
	event_group(r->ids[0], WIRE_EV_GROUP_DELETED, "id",
	    wire_id(idtext, r->ids[0]), NULL);
	event_membership(r->ids[0], ids, n, 0);
	attach_collect(); /* the files of its messages */
	http_reply_empty(r);
out:
	free(ids);
	db_res_free(res);
	return rc;
}

/* Makes the caller a member of public group `group_id` and announces
 * it (nothing when they already are).  ERR_NOT_FOUND when the group is
 * private: as if it did not exist. */
static enum err_code
groups_join_public(struct http_req *r, int64_t group_id, int64_t user_id)
{
	struct db_res *res = NULL;
	enum err_code rc;
	int added = 0;

	rc = db_begin();
	if (rc)
		goto out;
	/* The row lock keeps the group public until we commit. */
	rc = db_query(&res,
	    "SELECT 1 FROM groups WHERE id = $1 AND is_public "
	    "FOR SHARE",
	    DB_I64(group_id));
	if (rc)
		goto out;
	if (db_rows(res) == 0) {
		rc = ERR_NOT_FOUND;
		goto out;
	}
	/* the lock above is held: the ban check alone */
	rc = bans_check(r, group_id, user_id);
	if (rc)
		goto out;
	rc = members_add(group_id, user_id, &added);
	if (rc)
		goto out;
	rc = db_commit();
	if (rc)
		goto out;
	if (added)
		members_announce_join(group_id, user_id);
out:
	db_rollback(); /* when anything above failed */
	db_res_free(res);
	return rc;
}

/* POST /api/groups/{id}/join: public groups only; idempotent. */
enum err_code
groups_join(struct http_req *r)
{
	enum acl_role role = ACL_NONE;
	enum err_code rc;

	rc = input_none(r);
	if (rc)
		goto out;
	rc = acl_group(r->ids[0], r->user_id, ACL_NONE, &role);
	if (rc)
		goto out;
	if (role == ACL_NONE) {
		rc = groups_join_public(r, r->ids[0], r->user_id);
		if (rc)
			goto out;
	}
	rc = groups_reply_detail(r, 200, r->ids[0], r->user_id);
out:
	return rc;
}

enum err_code
groups_leave(struct http_req *r)
{
	enum acl_role role = ACL_NONE;
	enum err_code rc;
	int removed = 0;

	rc = input_none(r);
	if (rc)
		return rc;
	rc = acl_group(r->ids[0], r->user_id, ACL_MEMBER, &role);
	if (rc)
		return rc;
	if (role == ACL_OWNER)
		return http_fail(r, ERR_CONFLICT,
		    "The owner cannot leave the "
		    "group: hand ownership over or delete the group.");
	rc = members_remove(r->ids[0], r->user_id, &removed);
	if (rc)
		return rc;
	if (!removed)
		return http_fail(r, ERR_CONFLICT,
		    "The owner cannot leave the "
		    "group: hand ownership over or delete the group.");
	members_announce_leave(r->ids[0], r->user_id);
	http_reply_empty(r);
	return ERR_OK;
}

/* '%' q '%' for ILIKE, with q's own \ % _ escaped; malloc()ed. */
static char *
groups_like_pattern(const char *q)
{
	size_t i, n = 0, len = strlen(q);
	char *p = mem_alloc(2 * len + 3);

	p[n++] = '%';
	for (i = 0; i < len; i++) {
		if (q[i] == '\\' || q[i] == '%' || q[i] == '_')
			p[n++] = '\\';
		p[n++] = q[i];
	}
	p[n++] = '%';
	p[n] = '\0';
	return p;
}

/* Reads and checks ?category= and ?q= of the directory. */
static enum err_code
groups_directory_filters(struct http_req *r, const char **category,
    char **pattern)
{
	const char *cat = http_query(r, "category");
	const char *q = http_query(r, "q");
	struct json_object *fields = http_fields(r);
	enum err_code rc = ERR_OK;
	size_t len;

	*category = NULL;
	*pattern = NULL;
	if (cat != NULL && cat[0] != '\0') {
		*category = wire_enum_find(wire_categories, cat);
		if (*category == NULL)
			rc = json_enum_error(fields, "category",
			    wire_categories);
	}
	if (q == NULL)
		return rc;
	len = strlen(q);
	if (!utf8_valid(q, len))
		return json_field_error(fields, "q", "must be valid UTF-8");
	utf8_trim(&q, &len);
	if (utf8_count(q, len) > GROUPS_QUERY_MAX)
		return json_field_error(fields, "q", "is too long");
	if (len > 0 && rc == ERR_OK) {
		char *t = mem_strndup(q, len);

		*pattern = groups_like_pattern(t);
		free(t);
	}
	return rc;
}

enum err_code
groups_directory(struct http_req *r)
{
	struct db_res *res = NULL;
	const char *category = NULL;
	int64_t limit, offset;
	size_t rows, shown;
	char *pattern = NULL;
	struct buf b;
	enum err_code rc;

	buf_init(&b, 0);
	rc = http_query_page(r, &limit, &offset);
	if (groups_directory_filters(r, &category, &pattern))
		rc = ERR_VALIDATION;
	if (rc)
		goto out;
	/* Biggest groups first; each row also names its members so that
	 * their presence is one Redis round trip for the whole page. */
	rc = db_query(&res,
	    "SELECT " PRESENCE_CARD_COLUMNS " "
	    "FROM groups g CROSS JOIN LATERAL (SELECT count(*) AS n"
	    " FROM group_members c WHERE c.group_id = g.id) mc "
	    "WHERE g.is_public AND ($1::text IS NULL OR g.category = $1)"
	    " AND ($2::text IS NULL OR g.name ILIKE $2"
	    "  OR g.description ILIKE $2) "
	    "ORDER BY mc.n DESC, g.id LIMIT $3::int + 1 OFFSET $4::int",
	    DB_TEXT(category), DB_TEXT(pattern), DB_I64(limit), DB_I64(offset));
	if (rc)
		goto out;
	rows = db_rows(res);
	shown = rows > (size_t)limit ? (size_t)limit : rows;
	presence_cards(&b, res, shown, rows > shown);
	http_reply_raw(r, 200, b.data, b.len);
out:
	buf_release(&b);
	free(pattern);
	db_res_free(res);
	return rc;
}
