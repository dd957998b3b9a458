/* reactions.c - a member's own emoji reactions to messages, who reacted,
 * and the caller's "me" laid over a shared history page.
 *
 * A reaction is one emoji of the table in emoji_table.c (the picker's
 * dataset), at most REACTIONS_MAX_DISTINCT different ones per message.
 * Adding and removing are idempotent and one round trip each
 * (ec_reaction_set, db/functions/25_reactions.sql); the message's
 * counts and the room's history version move in that same transaction
 * (triggers of migration 0040), and an event follows the commit only
 * when something changed.  A timed-out member cannot add one (0065).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cfg.h"
#include "db.h"
#include "event.h"
#include "json.h"
#include "mem.h"
#include "reactions.h"
#include "rooms.h"

static int
reactions_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct reactions_emoji *)elem)->key);
}

/* U+FE0F VARIATION SELECTOR-16, in UTF-8. */
#define REACTIONS_VS16     "\xef\xb8\x8f"
#define REACTIONS_VS16_LEN 3
/* Longer than any emoji of the table (ZWJ sequences with skin tones are
 * about 35 bytes). */
#define REACTIONS_EMOJI_MAX 64

const char *
reactions_emoji_find(const char *s)
{
	const struct reactions_emoji *hit;
	char key[REACTIONS_EMOJI_MAX + 1];
	size_t n = 0;

	while (*s != '\0') {
		if (strncmp(s, REACTIONS_VS16, REACTIONS_VS16_LEN) == 0) {
			s += REACTIONS_VS16_LEN;
			continue;
		}
		if (n == REACTIONS_EMOJI_MAX)
			return NULL;
		key[n++] = *s++;
	}
	key[n] = '\0';
	hit = bsearch(key, reactions_emoji, reactions_emoji_count,
	    sizeof(reactions_emoji[0]), reactions_cmp);
	return hit != NULL ? hit->emoji : NULL;
}

/* The page has at least one reaction: jsonb writes an empty list as
 * "[]" and a key as "key": so a page whose messages have no reaction
 * never contains this (text inside a message has its quotes escaped). */
static int
reactions_any(const char *page)
{
	return strstr(page, "\"reactions\": [{") != NULL;
}

enum err_code
reactions_overlay_mine(int64_t user_id, const char *mine, const char *index,
    char **page)
{
	struct reactions_page *p = NULL;
	int64_t *ids = NULL;
	char *asked = NULL, *marked = NULL;
	enum err_code rc;

	if (!reactions_any(*page))
		return ERR_OK;
	/* The cached index spares the scan; one that does not fit the
	 * page is only ignored. */
	rc = index != NULL ? reactions_page_load(*page, index, &p)
	                   : ERR_INTERNAL;
	if (rc)
		rc = reactions_page_scan(*page, &p);
	if (rc)
		goto out;
	if (mine == NULL) {
		ids = mem_alloc(sizeof(*ids) * (reactions_page_count(p) + 1));
		/* The caller's own among them: an index range of
		 * message_reactions_user, usually a handful of rows. */
		rc = db_query_text(&asked,
		    "SELECT coalesce(string_agg(message_id || ' ' || emoji, "
		    "' '), '') FROM message_reactions "
		    "WHERE user_id = $1 AND message_id = ANY($2)",
		    DB_I64(user_id),
		    DB_I64_ARRAY(ids, reactions_page_ids(p, ids)));
		if (rc)
			goto out;
		mine = asked;
	}
	rc = reactions_page_mark(p, mine, &marked);
	if (rc)
		goto out;
	free(*page);
	*page = marked;
out:
	reactions_page_free(p);
	free(asked);
	free(ids);
	return rc;
}

enum err_code
reactions_everyone(const char *page, struct db_res **res, char **index)
{
	struct reactions_page *p = NULL;
	int64_t *ids = NULL;
	enum err_code rc;
	long max;

	*res = NULL;
	*index = NULL;
	if (!reactions_any(page))
		return ERR_OK;
	rc = reactions_page_scan(page, &p);
	if (rc)
		goto out;
	rc = reactions_page_index(p, index);
	if (rc)
		goto out;
	ids = mem_alloc(sizeof(*ids) * (reactions_page_count(p) + 1));
	/* Redis's Lua takes a few thousand arguments at most (unpack()). */
	max = cfg_get_long("REACTIONS_CACHE_USERS",
	    REACTIONS_CACHE_USERS_DEFAULT);
	if (max > REACTIONS_CACHE_USERS_MAX)
		max = REACTIONS_CACHE_USERS_MAX;
	rc = db_query(res,
	    "SELECT user_id, string_agg(message_id || ' ' || emoji, ' ') "
	    "FROM message_reactions WHERE message_id = ANY($1) "
	    "GROUP BY user_id LIMIT $2::int + 1",
	    DB_I64_ARRAY(ids, reactions_page_ids(p, ids)), DB_I64(max));
	if (rc)
		goto out;
	if (db_rows(*res) > (size_t)max) {
		db_res_free(*res);
		*res = NULL;
	}
out:
	reactions_page_free(p);
	free(ids);
	return rc;
}

/* The emoji of the path as it is stored: ERR_VALIDATION when it is not
 * one (see reactions_emoji_find). */
static enum err_code
reactions_read_emoji(struct http_req *r, const char **emoji)
{
	*emoji = r->args[0] != NULL ? reactions_emoji_find(r->args[0]) : NULL;
	if (*emoji == NULL)
		return json_field_error(http_fields(r), "emoji",
		    "is not one emoji of the known set");
	return ERR_OK;
}

/* PUT (adding) or DELETE of the caller's reaction: 200 {message_id,
 * room_id, emoji, user_id, count, me}. */
static enum err_code
reactions_set(struct http_req *r, int adding)
{
	struct db_res *res = NULL;
	int64_t room_id = 0, group_id = 0;
	enum acl_role role = ACL_NONE;
	const char *emoji = NULL;
	enum err_code rc;
	long max;

	rc = messages_find(r->ids[0], r->user_id, &room_id, NULL, &group_id,
	    &role);
	if (rc)
		goto out;
	rc = reactions_read_emoji(r, &emoji);
	if (rc)
		goto out;
	max = cfg_get_long("REACTIONS_MAX_DISTINCT",
	    REACTIONS_MAX_DISTINCT_DEFAULT);
	rc = db_query(&res,
	    "SELECT live, at_limit, changed, reaction::text, "
	    "(reaction || jsonb_build_object('me', $4::boolean))::text, "
	    "timed_out_until FROM ec_reaction_set($1, $2, $3, $4, $5)",
	    DB_I64(r->ids[0]), DB_I64(r->user_id), DB_TEXT(emoji),
	    DB_BOOL(adding), DB_I64(max));
	if (rc)
		goto out;
	if (db_rows(res) != 1 || !db_bool(res, 0, 0)) {
		rc = ERR_NOT_FOUND; /* deleted meanwhile */
		goto out;
	}
	if (db_value(res, 0, 5) != NULL) {
		rc = moderation_timed_out(r, db_value(res, 0, 5));
		goto out;
	}
	if (db_bool(res, 0, 1)) {
		rc = http_fail(r, ERR_CONFLICT,
		    "This message has as many different reactions as it may "
		    "have.");
		goto out;
	}
	if (db_bool(res, 0, 2)) {
		event_group(group_id,
		    adding ? WIRE_EV_REACTION_ADDED : WIRE_EV_REACTION_REMOVED,
		    "reaction", db_value(res, 0, 3), NULL);
	}
	http_reply_raw(r, 200, db_value(res, 0, 4), db_length(res, 0, 4));
out:
	db_res_free(res);
	return rc;
}

enum err_code
reactions_put(struct http_req *r)
{
	return reactions_set(r, 1);
}

enum err_code
reactions_delete(struct http_req *r)
{
	return reactions_set(r, 0);
}

/* Who reacted with one emoji, first first: $1 message, $2 emoji, $3
 * limit, $4 offset; one row more than asked for tells has_more. */
static const char reactions_sql_list[] =
    "WITH page AS (SELECT r.user_id, r.created_at FROM message_reactions r "
    "WHERE r.message_id = $1 AND r.emoji = $2 "
    "ORDER BY r.created_at, r.user_id LIMIT $3::int + 1 OFFSET $4) "
    "SELECT json_build_object('items', coalesce((SELECT json_agg("
    "json_build_object('user', json_build_object('id', u.id, "
    "'username', u.username, 'full_name', p.full_name, "
    "'icon_url', '/media/' || p.icon), "
    "'created_at', ec_ts(x.created_at)) "
    "ORDER BY x.created_at, x.user_id) "
    "FROM (SELECT * FROM page ORDER BY created_at, user_id "
    "LIMIT $3::int) x JOIN users u ON u.id = x.user_id "
    "LEFT JOIN profiles p ON p.user_id = u.id), '[]'), "
    "'has_more', (SELECT count(*) FROM page) > $3::int)::text";

enum err_code
reactions_list(struct http_req *r)
{
	int64_t room_id = 0, group_id = 0, limit = 0, offset = 0;
	enum acl_role role = ACL_NONE;
	const char *emoji = NULL;
	char *page = NULL;
	enum err_code rc;

	rc = messages_find(r->ids[0], r->user_id, &room_id, NULL, &group_id,
	    &role);
	if (rc)
		goto out;
	if (reactions_read_emoji(r, &emoji))
		rc = ERR_VALIDATION;
	if (http_query_page(r, &limit, &offset))
		rc = ERR_VALIDATION;
	if (rc)
		goto out;
	rc = db_query_text(&page, reactions_sql_list, DB_I64(r->ids[0]),
	    DB_TEXT(emoji), DB_I64(limit), DB_I64(offset));
	if (rc)
		goto out;
	http_reply_raw(r, 200, page, strlen(page));
out:
	free(page);
	return rc;
}
