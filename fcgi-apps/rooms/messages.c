/* messages.c - the messages of a room: history pages, post, edit, delete.
 *
 * Deleted messages are soft-deleted (deleted_at set, text emptied in the
 * row itself, so nothing can find it any more) and left out of history
 * pages; a reply to one renders reply_to.text as null.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acl.h"
#include "attach.h"
#include "auth.h"
#include "buf.h"
#include "db.h"
#include "event.h"
#include "hist.h"
#include "json.h"
#include "limit.h"
#include "mem.h"
#include "reactions.h"
#include "rooms.h"

/* One history page: one index range scan on messages (room_id, id), one
 * row more than asked for to learn has_more; the sender, profile and
 * replied message of the page's rows are joined by primary key and
 * rendered by the inlined ec_message_json(m, u, p, q) (migration 0007).
 * $1 room, $2 cursor (exclusive), $3 limit. */
#define MESSAGES_SQL_PAGE(cmp, dir)                                            \
	"WITH page AS (SELECT m AS msg, m.id FROM messages m "                 \
	"WHERE m.room_id = $1 AND m.id " cmp " $2 AND m.deleted_at IS NULL "   \
	"ORDER BY m.id " dir " LIMIT $3::int + 1) "                            \
	"SELECT json_build_object('items', coalesce((SELECT "                  \
	"json_agg(ec_message_json(p.msg, u, pr, q) ORDER BY p.id " dir ") "    \
	"FROM (SELECT * FROM page ORDER BY id " dir " LIMIT $3::int) p "       \
	"LEFT JOIN users u ON u.id = (p.msg).sender_id "                       \
	"LEFT JOIN profiles pr ON pr.user_id = u.id "                          \
	"LEFT JOIN messages q ON q.id = (p.msg).reply_to), '[]'), "            \
	"'has_more', (SELECT count(*) FROM page) > $3::int)::text"

static const char messages_sql_before[] = MESSAGES_SQL_PAGE("<", "DESC");
static const char messages_sql_after[] = MESSAGES_SQL_PAGE(">", "ASC");

/* How long an older page (before=) waits for the read replica to replay
 * what the primary had committed when it was asked; past it the primary
 * reads the page. */
#define MESSAGES_REPLICA_WAIT_MS 10

/* The caller's message with the same nonce, if any: its JSON only when
 * it is in room $3 (the caller's membership of which was checked), so a
 * retry never shows a message, or the current text of the message it
 * replied to, from a room the caller may have been removed from.  A
 * nonce older than 24 hours is cleared on the way so that it blocks
 * nothing.  $1 sender, $2 nonce, $3 room. */
static const char messages_sql_nonce[] =
    "WITH expired AS (UPDATE messages SET nonce = NULL "
    "WHERE sender_id = $1 AND nonce = $2 "
    "AND created_at < now() - interval '24 hours' RETURNING id) "
    "SELECT CASE WHEN m.room_id = $3 THEN ec_message_json(m)::text END, "
    "m.deleted_at IS NOT NULL "
    "FROM messages m WHERE m.sender_id = $1 AND m.nonce = $2 "
    "AND m.id NOT IN (SELECT id FROM expired)";

/* The inserted row's JSON, with its sender, profile and replied message
 * joined here so that the planner inlines ec_message_json(m, u, p, q)
 * into this prepared statement.  The one-row form ec_message_json(m)
 * cannot be inlined (it has a FROM clause), and PostgreSQL 15 parses and
 * plans a SQL function's body again on every execution: perf showed that
 * at a third of PostgreSQL's CPU per post. */
#define MESSAGES_SQL_INSERTED_JSON                                             \
	"ec_message_json(ROW(ins.*)::messages, u, pr, q)::text FROM ins "      \
	"LEFT JOIN users u ON u.id = ins.sender_id "                           \
	"LEFT JOIN profiles pr ON pr.user_id = u.id "                          \
	"LEFT JOIN messages q ON q.id = ins.reply_to"

/* The sender's read marker moved to the inserted message (CTE ins):
 * an UPDATE of the row that is there in all but a room's first post, with
 * the message's seq as read_seq, so that the marker trigger
 * (ec_counts_marker, db/functions/34_counts.sql) need not look it up; an
 * INSERT only when there was no row.  (An INSERT ... ON CONFLICT DO
 * UPDATE alone ran that BEFORE trigger twice per post: once for the
 * INSERT it then dropped, with a count of the user's mentions, and once
 * for the UPDATE.)  The ON CONFLICT stays for a marker that a concurrent
 * transaction made after this statement's snapshot. */
#define MESSAGES_SQL_MARKER                                                    \
	"upd AS (UPDATE read_markers k SET "                                   \
	"read_seq = CASE WHEN ins.id > k.last_read_id THEN ins.seq "           \
	"ELSE k.read_seq END, "                                                \
	"last_read_id = greatest(k.last_read_id, ins.id), "                    \
	"last_posted_at = now() FROM ins WHERE k.user_id = ins.sender_id "     \
	"AND k.room_id = ins.room_id RETURNING k.user_id), "                   \
	"marker AS (INSERT INTO read_markers (user_id, room_id, "              \
	"last_read_id, "                                                       \
	"last_posted_at) SELECT ins.sender_id, ins.room_id, ins.id, now() "    \
	"FROM ins WHERE NOT EXISTS (SELECT 1 FROM upd) "                       \
	"ON CONFLICT (user_id, room_id) DO UPDATE SET last_read_id = "         \
	"greatest(read_markers.last_read_id, excluded.last_read_id), "         \
	"last_posted_at = excluded.last_posted_at) "

/* Inserts the message and, in the same statement, moves the sender's own
 * read marker; the room's last_message_id and message counter follow in
 * the trigger ec_counts_message_new (db/functions/34_counts.sql), and the
 * sender's marker at their own message is what keeps own messages out of
 * the unread counts there.  No row when a concurrent request took the
 * nonce.  $1 room, $2 sender, $3 text, $4 reply_to, $5 nonce. */
static const char messages_sql_insert[] =
    "WITH ins AS (INSERT INTO messages "
    "(room_id, sender_id, text, reply_to, nonce) "
    "VALUES ($1, $2, $3, $4, $5) "
    "ON CONFLICT (sender_id, nonce) WHERE nonce IS NOT NULL DO NOTHING "
    "RETURNING *), " MESSAGES_SQL_MARKER "SELECT " MESSAGES_SQL_INSERTED_JSON;

/* The common case of a post in one statement (one round trip instead of
 * five): the caller is a member who is not timed out (migration 0050),
 * the room has no slow mode or the caller is exempt from it (a plain
 * member's post in slow mode takes the general path, whose check runs
 * after the room lock in a statement of its own and so sees a post that
 * committed while it waited), reply_to (if any) is a live message of the
 * room, and the nonce (if any) is new.  The room row is locked
 * before the INSERT draws the id, as in the general path.  No row when any of
 * that does not hold; the general path then finds out which.  $1 room,
 * $2 sender, $3 text, $4 reply_to, $5 nonce. */
static const char messages_sql_post[] =
    "WITH r AS (SELECT rm.id, rm.group_id FROM rooms rm "
    "JOIN group_members gm ON gm.group_id = rm.group_id "
    "AND gm.user_id = $2::bigint WHERE rm.id = $1::bigint "
    "AND (gm.timed_out_until IS NULL OR gm.timed_out_until <= now()) "
    "AND (rm.slow_mode_seconds = 0 OR gm.role <> 'member') "
    "AND ($4::bigint IS NULL OR EXISTS (SELECT 1 FROM messages q "
    "WHERE q.id = $4::bigint AND q.room_id = rm.id "
    "AND q.deleted_at IS NULL)) "
    "AND NOT EXISTS (SELECT 1 FROM conversations c JOIN group_members o "
    "ON o.group_id = c.group_id JOIN blocks b ON b.user_id = o.user_id "
    "AND b.blocked_id = $2::bigint WHERE c.group_id = rm.group_id) "
    "FOR NO KEY UPDATE OF rm), "
    "ins AS (INSERT INTO messages "
    "(room_id, sender_id, text, reply_to, nonce) "
    "SELECT r.id, $2::bigint, $3::text, $4::bigint, $5::text FROM r "
    "ON CONFLICT (sender_id, nonce) WHERE nonce IS NOT NULL DO NOTHING "
    "RETURNING *), " MESSAGES_SQL_MARKER
    "SELECT (SELECT group_id FROM r), " MESSAGES_SQL_INSERTED_JSON;

/* Reads the message text (1..4000 code points after trimming, kept as
 * sent) into *text, NUL-terminated and owned by r->json. */
static enum err_code
messages_read_text(struct http_req *r, const char **text)
{
	return json_get_text(r->json, "text", 1, 1, MESSAGES_TEXT_MAX, 0, text,
	    NULL, http_fields(r));
}

/* Caches the newest page that a miss read, with every member's own
 * reactions among its messages and where they are in the page
 * (reactions_everyone()), so that a hit lays the caller's "me" over it
 * without PostgreSQL and without scanning it; *mine: the caller's
 * (malloc()ed), NULL when not known. */
static enum err_code
messages_fill(struct http_req *r, int64_t group_id, int64_t limit,
    int64_t epoch, const struct hist_lease *lease, const char *page,
    char **mine)
{
	struct db_res *everyone = NULL;
	const char **kv = NULL;
	char *index = NULL;
	enum err_code rc;
	size_t i, n = 0;

	rc = reactions_everyone(page, &everyone, &index);
	if (rc)
		goto out;
	if (everyone != NULL) {
		n = db_rows(everyone);
		kv = mem_alloc(sizeof(*kv) * (2 * n + 1));
		*mine = mem_strdup("");
		for (i = 0; i < n; i++) {
			kv[2 * i] = db_value(everyone, i, 0);
			kv[2 * i + 1] = db_value(everyone, i, 1);
			if (db_int(everyone, i, 0) == r->user_id) {
				free(*mine);
				*mine = mem_strdup(kv[2 * i + 1]);
			}
		}
	}
	hist_fill(r->ids[0], group_id, r->user_id, limit, epoch, lease, page,
	    index, kv, n);
out:
	free(index);
	free(kv);
	db_res_free(everyone);
	return rc;
}

/* GET /api/rooms/{id}/messages?before=&after=&limit=: {items, has_more};
 * newest first with `before` or no cursor, oldest first with `after`.
 * HTTP_AUTH_DEFER: the newest page (no cursor), what opening a room asks
 * for, comes from one Redis call when cached - the session's
 * revocation mark, the caller's membership grant and the page (hist.h);
 * everything else asks PostgreSQL for membership and the page. */
enum err_code
messages_list(struct http_req *r)
{
	int64_t before = 0, after = 0, limit = 0, group_id = 0, epoch;
	enum hist_fast_result fast = HIST_FAST_ERROR;
	struct hist_lease lease = { .group_id = 0 };
	char revoked_key[WIRE_NAME_MAX];
	enum err_code rc, bad = ERR_OK;
	char *page = NULL, *mine = NULL, *index = NULL;
	int newest;

	if (http_query_int(r, "before", 1, INT64_MAX, INT64_MAX, &before))
		bad = ERR_VALIDATION;
	if (http_query_int(r, "after", 0, INT64_MAX - 1, -1, &after))
		bad = ERR_VALIDATION;
	if (http_query_limit(r, &limit))
		bad = ERR_VALIDATION;
	if (bad == ERR_OK && after >= 0 && http_query(r, "before") != NULL)
		bad = json_field_error(http_fields(r), "after",
		    "cannot be combined with before");
	newest = bad == ERR_OK && after < 0 && http_query(r, "before") == NULL;
	epoch = auth_cache_epoch();
	if (newest && r->auth_deferred) {
		auth_deferred_key(r, revoked_key);
		fast = hist_fast(revoked_key, r->ids[0], r->user_id, limit,
		    epoch, &lease, &page, &mine, &index);
	}
	rc = auth_settle(r,
	    fast == HIST_FAST_ERROR         ? -1
	        : fast == HIST_FAST_REVOKED ? 1
	                                    : 0);
	if (rc)
		goto out;
	if (fast == HIST_FAST_HIT)
		goto reply;
	/* Membership first: a non-member learns nothing, not even that
	 * the query was malformed. */
	rc = acl_room(r->ids[0], r->user_id, ACL_MEMBER, &group_id, NULL);
	if (rc)
		goto out;
	rc = bad;
	if (rc)
		goto out;
	/* An older page from the read replica once it shows every commit
	 * made before this request (db.h), so not even an edit or deletion
	 * the reader knows of can be missing; membership was checked on the
	 * primary above, so a removal counts at once. */
	rc = ERR_UNAVAILABLE;
	if (!newest && after < 0 &&
	    db_replica_sync(MESSAGES_REPLICA_WAIT_MS) == ERR_OK)
		rc = db_replica_query_text(&page, messages_sql_before,
		    DB_I64(r->ids[0]), DB_I64(before), DB_I64(limit));
	if (rc)
		rc = db_query_text(&page,
		    after >= 0 ? messages_sql_after : messages_sql_before,
		    DB_I64(r->ids[0]), DB_I64(after >= 0 ? after : before),
		    DB_I64(limit));
	if (rc)
		goto out;
	/* A fill needs what the miss read (the lease); after an error or a
	 * refreshed session only the room's group is remembered. */
	if (newest && fast != HIST_FAST_ERROR) {
		rc = messages_fill(r, group_id, limit, epoch,
		    fast == HIST_FAST_MISS ? &lease : &(struct hist_lease){ 0 },
		    page, &mine);
		if (rc)
			goto out;
	}
reply:
	/* The page is shared by all members (and cached): the caller's
	 * own "me" of each reaction is laid over it here (reactions.c),
	 * from what the cache keeps with the page when it can. */
	rc = reactions_overlay_mine(r->user_id, mine, index, &page);
	if (rc)
		goto out;
	http_reply_raw(r, 200, page, strlen(page));
out:
	free(page);
	free(mine);
	free(index);
	return rc;
}

/* Looks up the caller's message with `nonce` in the request's room.
 * ERR_OK with *json set (malloc()ed) when there is a live one, ERR_OK
 * with *json NULL when the nonce is unused, ERR_CONFLICT when it was
 * deleted or belongs to another room (nonces are unique per sender). */
static enum err_code
messages_by_nonce(struct http_req *r, const char *nonce, char **json)
{
	struct db_res *res = NULL;
	enum err_code rc;

	*json = NULL;
	rc = db_query(&res, messages_sql_nonce, DB_I64(r->user_id),
	    DB_TEXT(nonce), DB_I64(r->ids[0]));
	if (rc)
		goto out;
	if (db_rows(res) == 0)
		goto out;
	if (db_value(res, 0, 0) == NULL) {
		rc = http_fail(r, ERR_CONFLICT,
		    "This nonce was used for a message in another room.");
		goto out;
	}
	if (db_bool(res, 0, 1)) {
		rc = http_fail(r, ERR_CONFLICT,
		    "The message sent with this nonce was deleted.");
		goto out;
	}
	*json = mem_strndup(db_value(res, 0, 0), db_length(res, 0, 0));
out:
	db_res_free(res);
	return rc;
}

/* The body of a post. */
struct messages_post {
	const char *text;  /* owned by r->json */
	const char *nonce; /* NULL = none; owned by r->json */
	int64_t reply_to;  /* 0 = none */
	int64_t attachment_ids[ATTACHMENTS_PER_MESSAGE];
	size_t nattach;
};

/* Reads and checks the body of a post; the fields that are valid are
 * filled in even when another is not (ERR_VALIDATION). */
static enum err_code
messages_read_post(struct http_req *r, struct messages_post *p)
{
	static const char *const allowed[] = { "text", "reply_to", "nonce",
		"attachment_ids", NULL };
	struct json_object *fields = http_fields(r);
	enum err_code rc;

	memset(p, 0, sizeof(*p));
	rc = json_only(r->json, allowed, fields);
	if (attachments_read_ids(r, p->attachment_ids, &p->nattach))
		rc = ERR_VALIDATION;
	/* Files alone make a message too: the text may then be absent ("")
	 * or empty. */
	if (p->nattach > 0) {
		p->text = "";
		if (json_get_text(r->json, "text", 0, 0, MESSAGES_TEXT_MAX, 0,
		        &p->text, NULL, fields))
			rc = ERR_VALIDATION;
	} else if (messages_read_text(r, &p->text)) {
		rc = ERR_VALIDATION;
	}
	if (json_get_int(r->json, "reply_to", 0, 1, INT64_MAX, &p->reply_to,
	        fields))
		rc = ERR_VALIDATION;
	if (json_get_text(r->json, "nonce", 0, 1, MESSAGES_NONCE_MAX, 0,
	        &p->nonce, NULL, fields))
		rc = ERR_VALIDATION;
	return rc;
}

/* The fast path of a valid post: one statement (messages_sql_post),
 * committed on its own (flushed: messages_create() says why), or in the
 * caller's transaction.  *msg stays NULL when it did not apply (not a
 * member, a bad reply_to, a nonce already used...); the general path
 * then finds out which. */
static enum err_code
messages_post_fast(struct http_req *r, const struct messages_post *p,
    int64_t *group_id, char **msg)
{
	struct db_res *res = NULL;
	enum err_code rc;

	rc = db_query_flushed(&res, messages_sql_post, DB_I64(r->ids[0]),
	    DB_I64(r->user_id), DB_TEXT(p->text), DB_NULL_I64(p->reply_to),
	    DB_TEXT(p->nonce));
	if (rc)
		goto out;
	if (db_rows(res) == 1) {
		*group_id = db_int(res, 0, 0);
		*msg = mem_strndup(db_value(res, 0, 1), db_length(res, 0, 1));
	}
out:
	db_res_free(res);
	return rc;
}

/* The fast path (messages_post_fast()), and for a text with an '@' its
 * mentions (mentions_store(), *fresh) in the same transaction; nothing
 * is kept when the fast path did not apply (*msg NULL). */
static enum err_code
messages_post_mentions(struct http_req *r, const struct messages_post *p,
    int64_t *group_id, char **msg, char **fresh)
{
	int mention = mentions_wanted(p->text);
	enum err_code rc = ERR_OK;

	if (mention)
		rc = db_begin();
	if (rc)
		goto out;
	rc = messages_post_fast(r, p, group_id, msg);
	if (rc || *msg == NULL || !mention)
		goto out;
	rc = mentions_store(*msg, *group_id, p->text, fresh);
	if (rc)
		goto out;
	rc = db_commit_flushed();
out:
	if (rc && *msg != NULL) {
		free(*msg);
		*msg = NULL;
	}
	db_rollback(); /* a failure, or the fast path did not apply */
	return rc;
}

/* The general path, in a transaction: tells a missing room from a
 * missing right, then the body's own errors (vrc), a bad reply_to and a
 * nonce already used (a safe retry: *status 200 with the first message)
 * from a new message (*status 201), whose mentions it stores (*fresh:
 * who to tell). */
static enum err_code
messages_post_general(struct http_req *r, const struct messages_post *p,
    enum err_code vrc, int64_t *group_id, char **msg, int *status, char **fresh)
{
	struct db_res *res = NULL;
	enum err_code rc;

	*status = 201;
	rc = acl_room(r->ids[0], r->user_id, ACL_MEMBER, group_id, NULL);
	if (rc == ERR_OK)
		rc = mentions_dm_may_post(r, *group_id);
	if (rc)
		goto out;
	rc = vrc;
	if (rc)
		goto out;
	rc = db_begin();
	if (rc)
		goto out;
	rc = db_query(&res,
	    "SELECT $2::bigint IS NULL OR EXISTS (SELECT 1 "
	    "FROM messages q WHERE q.id = $2 AND q.room_id = r.id "
	    "AND q.deleted_at IS NULL) FROM rooms r WHERE r.id = $1 "
	    "FOR NO KEY UPDATE OF r",
	    DB_I64(r->ids[0]), DB_NULL_I64(p->reply_to));
	if (rc)
		goto out;
	if (db_rows(res) == 0) {
		rc = ERR_NOT_FOUND; /* the room was deleted meanwhile */
		goto out;
	}
	if (p->nonce != NULL) {
		rc = messages_by_nonce(r, p->nonce, msg);
		if (rc)
			goto out;
	}
	if (*msg != NULL) {
		*status = 200;
	} else if (!db_bool(res, 0, 0)) {
		rc = json_field_error(http_fields(r), "reply_to",
		    "is not a message of this room");
		goto out;
	} else {
		rc = moderation_may_post(r, r->ids[0]);
		if (rc)
			goto out;
		rc = db_query_text(msg, messages_sql_insert, DB_I64(r->ids[0]),
		    DB_I64(r->user_id), DB_TEXT(p->text),
		    DB_NULL_I64(p->reply_to), DB_TEXT(p->nonce));
		if (rc == ERR_NOT_FOUND && p->nonce != NULL) {
			/* The same nonce went in meanwhile (through another
			 * room: the room lock orders this one's posts); our
			 * INSERT waited for it to commit, so the lookup sees
			 * it and answers. */
			rc = messages_by_nonce(r, p->nonce, msg);
			if (rc == ERR_OK && *msg == NULL)
				rc = ERR_INTERNAL;
			*status = 200;
		}
		if (rc == ERR_OK && *status == 201 && p->nattach > 0)
			rc = attachments_link(r, p->attachment_ids, p->nattach,
			    msg);
		if (rc == ERR_OK && *status == 201 && mentions_wanted(p->text))
			rc = mentions_store(*msg, *group_id, p->text, fresh);
		if (rc)
			goto out;
	}
	/* Flushed also for a 200: the first post may not have been. */
	rc = db_commit_flushed();
out:
	db_rollback(); /* when anything above failed */
	db_res_free(res);
	return rc;
}

/* POST /api/rooms/{id}/messages {text, reply_to?, nonce?}: 201 message,
 * or 200 with the first message when the caller already sent this nonce
 * to this room.
 *
 * The room row is locked (FOR NO KEY UPDATE, which foreign-key checks do
 * not wait for) before the id is drawn, on both paths, so within a room
 * ids commit in order: a reader paging with after= never skips a message
 * that commits later with a smaller id.  The lock goes at the commit,
 * which does not wait for the WAL flush (db_query_flushed(),
 * db_commit_flushed()): waiting with the lock held allowed one post per
 * fdatasync in a room (results/2026-12-06-oneroom.md).  The 201 and the
 * event come only after the flush; when that wait fails the answer is a
 * 503 and the client's retry with its nonce finds the row, if it
 * survived, or posts it again. */
enum err_code
messages_create(struct http_req *r)
{
	struct messages_post p;
	int64_t group_id = 0;
	enum err_code rc, vrc;
	char *msg = NULL, *fresh = NULL;
	int status = 201;

	vrc = messages_read_post(r, &p);
	/* Only files need the general path (their linking).  A text with an
	 * '@' takes the one statement too, in a transaction with its
	 * mentions: four round trips instead of eight, and the room lock
	 * held over two of them instead of four (bench "mentions"). */
	if (vrc == ERR_OK && p.nattach == 0) {
		rc = messages_post_mentions(r, &p, &group_id, &msg, &fresh);
		if (rc)
			goto out;
	}
	if (msg == NULL) {
		rc = messages_post_general(r, &p, vrc, &group_id, &msg, &status,
		    &fresh);
		if (rc)
			goto out;
	}
	if (status == 201) {
		event_group(group_id, WIRE_EV_MESSAGE_CREATED, "message", msg,
		    NULL);
		if (fresh != NULL)
			mentions_publish(group_id, fresh, msg);
	}
	http_reply_raw(r, status, msg, strlen(msg));
out:
	free(msg);
	free(fresh);
	return rc;
}

enum err_code
messages_find(int64_t message_id, int64_t user_id, int64_t *room_id,
    int64_t *sender_id, int64_t *group_id, enum acl_role *role)
{
	struct db_res *res = NULL;
	enum err_code rc;

	rc = db_query(&res,
	    "SELECT room_id, sender_id FROM messages "
	    "WHERE id = $1 AND deleted_at IS NULL",
	    DB_I64(message_id));
	if (rc)
		goto out;
	if (db_rows(res) == 0) {
		rc = ERR_NOT_FOUND;
		goto out;
	}
	*room_id = db_int(res, 0, 0);
	if (sender_id != NULL)
		*sender_id = db_int(res, 0, 1);
	rc = acl_room(*room_id, user_id, ACL_MEMBER, group_id, role);
out:
	db_res_free(res);
	return rc;
}

/* messages_find() for a site admin: any message not deleted, whatever
 * the group; *role as a moderator's. */
static enum err_code
messages_find_any(int64_t message_id, int64_t *room_id, int64_t *group_id,
    enum acl_role *role)
{
	struct db_res *res = NULL;
	enum err_code rc;

	rc = db_query(&res,
	    "SELECT m.room_id, r.group_id FROM messages m JOIN rooms r "
	    "ON r.id = m.room_id WHERE m.id = $1 AND m.deleted_at IS NULL",
	    DB_I64(message_id));
	if (rc)
		goto out;
	if (db_rows(res) == 0) {
		rc = ERR_NOT_FOUND;
		goto out;
	}
	*room_id = db_int(res, 0, 0);
	*group_id = db_int(res, 0, 1);
	*role = ACL_MODERATOR;
out:
	db_res_free(res);
	return rc;
}

/* PATCH /api/messages/{id} {text}: the author only; sets edited_at. */
enum err_code
messages_update(struct http_req *r)
{
	static const char *const allowed[] = { "text", NULL };
	const char *text = NULL;
	int64_t room_id = 0, sender_id = 0, group_id = 0;
	enum acl_role role = ACL_NONE;
	enum err_code rc;
	char *msg = NULL, *fresh = NULL;

	rc = messages_find(r->ids[0], r->user_id, &room_id, &sender_id,
	    &group_id, &role);
	if (rc)
		goto out;
	if (sender_id != r->user_id) {
		rc = http_fail(r, ERR_FORBIDDEN,
		    "Only the author can edit a message.");
		goto out;
	}
	rc = json_only(r->json, allowed, http_fields(r));
	if (messages_read_text(r, &text))
		rc = ERR_VALIDATION;
	if (rc)
		goto out;
	/* The mentions follow the new text in the same transaction. */
	rc = db_begin();
	if (rc)
		goto out;
	rc = db_query_text(&msg,
	    "UPDATE messages SET text = $2, "
	    "edited_at = now() WHERE id = $1 AND deleted_at IS NULL "
	    "RETURNING ec_message_json(messages)::text",
	    DB_I64(r->ids[0]), DB_TEXT(text));
	if (rc)
		goto out;
	rc = mentions_store(msg, group_id, text, &fresh);
	if (rc)
		goto out;
	rc = db_commit();
	if (rc)
		goto out;
	event_group(group_id, WIRE_EV_MESSAGE_UPDATED, "message", msg, NULL);
	mentions_publish(group_id, fresh, msg);
	http_reply_raw(r, 200, msg, strlen(msg));
out:
	db_rollback(); /* when anything above failed */
	free(msg);
	free(fresh);
	return rc;
}

/* DELETE /api/messages/{id}: the author, or a moderator+ of the group.
 * 204; the text is emptied in the row, the nonce kept (a retry of it
 * answers 409 instead of posting the message again). */
enum err_code
messages_delete(struct http_req *r)
{
	struct db_res *res = NULL;
	char id[WIRE_ID_MAX], room[WIRE_ID_MAX];
	int64_t room_id = 0, sender_id = 0, group_id = 0;
	enum acl_role role = ACL_NONE;
	enum err_code rc;

	rc = messages_find(r->ids[0], r->user_id, &room_id, &sender_id,
	    &group_id, &role);
	/* A site admin may delete any message (abuse handling), also in a
	 * group they are not in. */
	if ((rc == ERR_NOT_FOUND ||
	        (rc == ERR_OK && sender_id != r->user_id &&
	            role < ACL_MODERATOR)) &&
	    acl_site_admin(r->user_id) == ERR_OK)
		rc = messages_find_any(r->ids[0], &room_id, &group_id, &role);
	if (rc)
		goto out;
	if (sender_id != r->user_id && role < ACL_MODERATOR) {
		rc = http_fail(r, ERR_FORBIDDEN,
		    "Only the author or a moderator can delete a message.");
		goto out;
	}
	rc = db_query(&res,
	    "UPDATE messages SET deleted_at = now(), "
	    "text = '' WHERE id = $1 AND deleted_at IS NULL "
	    "RETURNING attachments IS NOT NULL",
	    DB_I64(r->ids[0]));
	if (rc)
		goto out;
	if (db_rows(res) == 0) {
		rc = ERR_NOT_FOUND; /* deleted meanwhile */
		goto out;
	}
	if (sender_id != r->user_id)
		moderation_audit_delete(r, group_id, room_id, sender_id);
	/* Its files, when nothing else has them; a message without any
	 * costs no statement more. */
	if (db_bool(res, 0, 0))
		attach_collect();
	event_group(group_id, WIRE_EV_MESSAGE_DELETED, "id",
	    wire_id(id, r->ids[0]), "room_id", wire_id(room, room_id), NULL);
	http_reply_empty(r);
out:
	db_res_free(res);
	return rc;
}
