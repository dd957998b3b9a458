/* mentions.c - who a message mentions (@username, @here, @everyone),
 * resolved when it is posted or edited, stored in `mentions` and told to
 * each newly mentioned user on their channel (mention.created); and the
 * post check of direct messages (conversations, migration 0045).
 *
 * A message without '@' never comes here: messages.c keeps its one
 * statement post for it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "db.h"
#include "event.h"
#include "mem.h"
#include "presence.h"
#include "rooms.h"
#include "wire.h"

/* Resolves and stores the mentions of a message ($1 its JSON, for the
 * id) in its room's group: @name of a member (any case), @everyone =
 * every member and @here = the online ones ($2), those two when the
 * sender is moderator and up or the group lets everyone
 * (groups.everyone_mentions).  Never the sender, never someone who
 * blocked the sender.  Mentions the text lost are deleted (an edit).
 * Answers the ids mentioned for the first time. */
static const char mentions_sql_store[] =
    "WITH m AS (SELECT x.id, x.room_id, x.sender_id, x.text, r.group_id "
    " FROM messages x JOIN rooms r ON r.id = x.room_id"
    " WHERE x.id = ($1::jsonb->>'id')::bigint),"
    " names AS (SELECT DISTINCT lower(t[1]) AS name FROM m,"
    "  regexp_matches(m.text, '(?:^|[^A-Za-z0-9_@-])@([A-Za-z0-9_-]+)',"
    "  'g') t),"
    " broad AS (SELECT gm.role IN ('owner', 'admin', 'moderator')"
    "  OR g.everyone_mentions AS ok FROM m JOIN groups g ON g.id = m.group_id"
    "  JOIN group_members gm ON gm.group_id = m.group_id"
    "  AND gm.user_id = m.sender_id),"
    " want AS (SELECT u.id, 'user' AS kind FROM names"
    "  JOIN users u ON lower(u.username) = names.name"
    "  WHERE names.name NOT IN ('here', 'everyone')"
    "  UNION ALL SELECT gm.user_id, 'everyone' FROM m"
    "  JOIN group_members gm ON gm.group_id = m.group_id"
    "  WHERE EXISTS (SELECT 1 FROM names WHERE name = 'everyone')"
    "  AND coalesce((SELECT ok FROM broad), false)"
    "  UNION ALL SELECT o.id, 'here' FROM unnest($2::bigint[]) o(id)"
    "  WHERE EXISTS (SELECT 1 FROM names WHERE name = 'here')"
    "  AND coalesce((SELECT ok FROM broad), false)),"
    " who AS (SELECT DISTINCT ON (w.id) w.id, w.kind FROM want w, m"
    "  WHERE w.id IS DISTINCT FROM m.sender_id"
    "  AND EXISTS (SELECT 1 FROM group_members gm"
    "   WHERE gm.group_id = m.group_id AND gm.user_id = w.id)"
    "  AND NOT EXISTS (SELECT 1 FROM blocks b"
    "   WHERE b.user_id = w.id AND b.blocked_id = m.sender_id)"
    "  ORDER BY w.id, w.kind = 'user' DESC, w.kind = 'everyone' DESC),"
    " gone AS (DELETE FROM mentions d WHERE d.message_id = (SELECT id FROM m)"
    "  AND d.user_id NOT IN (SELECT id FROM who)),"
    " ins AS (INSERT INTO mentions (user_id, message_id, room_id, kind)"
    "  SELECT who.id, m.id, m.room_id, who.kind FROM who, m"
    "  ON CONFLICT (user_id, message_id) DO UPDATE SET kind = excluded.kind"
    "  RETURNING user_id, xmax = 0 AS fresh) "
    "SELECT coalesce(string_agg(user_id::text, ','), '') FROM ins "
    "WHERE fresh";

int
mentions_wanted(const char *text)
{
	return text != NULL && strchr(text, '@') != NULL;
}

/* 1 when the text says @here (the only mention that needs presence). */
static int
mentions_here(const char *text)
{
	const char *p;

	for (p = strchr(text, '@'); p != NULL; p = strchr(p + 1, '@')) {
		if (strncasecmp(p + 1, "here", 4) == 0)
			return 1;
	}
	return 0;
}

/* The online members of a group (malloc()ed, *n the count). */
static enum err_code
mentions_online(int64_t group_id, int64_t **ids, size_t *n)
{
	char *csv = NULL;
	enum err_code rc;
	int *online = NULL;
	size_t i, k = 0;

	*ids = NULL;
	*n = 0;
	rc = db_query_text(&csv,
	    "SELECT coalesce(string_agg(user_id::text, ','), '') "
	    "FROM group_members WHERE group_id = $1",
	    DB_I64(group_id));
	if (rc)
		goto out;
	*ids = wire_parse_ids(csv, n);
	online = mem_calloc(*n + 1, sizeof(*online));
	presence_many(*ids, *n, online);
	for (i = 0; i < *n; i++) {
		if (online[i])
			(*ids)[k++] = (*ids)[i];
	}
	*n = k;
out:
	free(online);
	free(csv);
	return rc;
}

enum err_code
mentions_store(const char *msg, int64_t group_id, const char *text,
    char **fresh)
{
	int64_t *online = NULL;
	size_t n = 0;
	enum err_code rc = ERR_OK;

	*fresh = NULL;
	if (text != NULL && mentions_here(text)) {
		rc = mentions_online(group_id, &online, &n);
		if (rc)
			goto out;
	}
	rc = db_query_text(fresh, mentions_sql_store, DB_TEXT(msg),
	    DB_I64_ARRAY(online, n));
out:
	free(online);
	return rc;
}

void
mentions_publish(int64_t group_id, const char *fresh, const char *msg)
{
	int64_t *ids;
	size_t i, n = 0;

	ids = wire_parse_ids(fresh, &n);
	for (i = 0; i < n; i++) {
		event_user(ids[i], WIRE_EV_MENTION_CREATED, group_id, "message",
		    msg, NULL);
	}
	free(ids);
}

enum err_code
mentions_dm_may_post(struct http_req *r, int64_t group_id)
{
	struct db_res *res = NULL;
	enum err_code rc;

	rc = db_query(&res,
	    "SELECT 1 FROM conversations c JOIN group_members o "
	    "ON o.group_id = c.group_id JOIN blocks b ON b.user_id = o.user_id "
	    "AND b.blocked_id = $2 WHERE c.group_id = $1 LIMIT 1",
	    DB_I64(group_id), DB_I64(r->user_id));
	if (rc)
		goto out;
	if (db_rows(res) > 0)
		rc = http_fail(r, ERR_FORBIDDEN,
		    "You cannot send messages to this conversation: a "
		    "participant blocked you.");
out:
	db_res_free(res);
	return rc;
}
