/* search.c - the search resource: public groups and my messages, in
 * PostgreSQL only (full-text search plus pg_trgm, migration 0008).
 *
 * Messages are ranked in tiers, each newest first:
 *   1. every word found exactly,
 *   2. every word found as the start of a word (partial words),
 *   3. every word found as a similar word (pg_trgm word similarity: typos).
 * The word table (migration 0012) first turns the query into one tsquery
 * per tier (the known words each query word starts or resembles) and
 * says which tiers cannot match at all: those are skipped.  Each tier is
 * one query bounded by LIMIT, run only while the page is not full, so a
 * common word stops after tier 1 and the cost never depends on how many
 * messages match.  Access is checked inside each query: only
 * rooms of groups the caller is a member of are searched.  Groups come
 * in two tiers (search_groups_sql): words and word starts (exact name
 * first, then every word exact, then ts_rank), then similar words.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "buf.h"
#include "db.h"
#include "json.h"
#include "log.h"
#include "mem.h"
#include "presence.h"
#include "search.h"
#include "searchq.h"
#include "searchwords.h"

#define SEARCH_OFFSET_MAX 1000
/* pg_trgm word similarity needed for a typo match: one wrong letter in a
 * 7-letter word scores 0.5-0.63, two swapped letters in a 10-letter one
 * 0.47; shorter words need more luck (trigrams). */
#define SEARCH_SIMILARITY "0.45"

/* Longest a search statement may run: a guard of last resort (the
 * queries are bounded by design; a request that hits it fails with 500
 * instead of holding a connection and a core). */
#define SEARCH_TIMEOUT "2s"

/* How long a search waits for the read replica (DATABASE_REPLICA_URL) to
 * replay what the primary has committed before searching there; past it,
 * or without a replica, the primary searches. */
#define SEARCH_REPLICA_WAIT_MS 50

/* The session settings of every search connection (db.c runs them after
 * each connect).  db_query() prepares its statements, and after five runs
 * PostgreSQL may switch to a generic plan that cannot see the tsquery,
 * the room array or the window bounds: the planner must see them each
 * time (planning costs ~1 ms). */
const char search_session_sql[] =
    "SELECT set_config("
    "'pg_trgm.word_similarity_threshold', '" SEARCH_SIMILARITY "', false),"
    " set_config('plan_cache_mode', 'force_custom_plan', false),"
    " set_config('statement_timeout', '" SEARCH_TIMEOUT "', false)";

/* q as a query parameter: required for groups, optional for messages. */
static enum err_code
search_q(struct http_req *r, int required, const char **q)
{
	*q = http_query(r, "q");
	if (*q != NULL && (*q)[0] == '\x01') /* malformed escape */
		return json_field_error(http_fields(r), "q",
		    "is not valid UTF-8 text");
	if (required && (*q == NULL || strspn(*q, " \t") == strlen(*q)))
		return json_field_error(http_fields(r), "q", "required");
	if (*q != NULL && strlen(*q) > SEARCHQ_MAX)
		return json_field_error(http_fields(r), "q", "is too long");
	return ERR_OK;
}

/* Public groups for the words $1, page $2 (limit) and $3 (offset), in two
 * tiers under one LIMIT:
 *   1. every word found as a word or the start of one (the full-text
 *      index): the exact name first, then every word exact, then ts_rank;
 *   2. only when the first did not fill the page: the groups whose name
 *      and description have a word similar to the words (pg_trgm, typos)
 *      that tier 1 did not find, most similar first.
 * Append runs its branches in order and stops at the LIMIT, so a common
 * word never reaches the trigram index, whose scan and recheck cost ~10 ms
 * over 10 k groups (bench, 2026-12-06), nor computes a similarity per
 * matching group. */
static const char search_groups_sql[] =
    "(SELECT " PRESENCE_CARD_COLUMNS " FROM groups g "
    "WHERE g.is_public AND g.search @@ ec_search_tsquery($1, true) "
    "ORDER BY lower(g.name) = lower(btrim($1)) DESC,"
    " g.search @@ ec_search_tsquery($1, false) DESC,"
    " ts_rank(g.search, ec_search_tsquery($1, true)) DESC, g.id "
    "LIMIT $2::int + 1 + $3::int) "
    "UNION ALL "
    "(SELECT " PRESENCE_CARD_COLUMNS " FROM groups g "
    "WHERE g.is_public AND $1 <% (g.name || ' ' || g.description)"
    " AND NOT COALESCE(g.search @@ ec_search_tsquery($1, true), false) "
    "ORDER BY word_similarity($1, g.name || ' ' || g.description) DESC,"
    " g.id "
    "LIMIT $2::int + 1 + $3::int) "
    "LIMIT $2::int + 1 OFFSET $3::int";

enum err_code
search_groups(struct http_req *r)
{
	struct db_res *res = NULL;
	const char *q = NULL;
	int64_t limit, offset;
	enum err_code rc;
	size_t rows, shown;
	struct buf b;

	rc = search_q(r, 1, &q);
	if (http_query_limit(r, &limit))
		rc = ERR_VALIDATION;
	if (http_query_int(r, "offset", 0, SEARCH_OFFSET_MAX, 0, &offset))
		rc = ERR_VALIDATION;
	if (rc)
		goto out;
	rc = db_query(&res, search_groups_sql, DB_TEXT(q), DB_I64(limit),
	    DB_I64(offset));
	if (rc)
		goto out;
	rows = db_rows(res);
	shown = rows > (size_t)limit ? (size_t)limit : rows;
	buf_init(&b, 0);
	presence_cards(&b, res, shown, rows > shown);
	http_reply_raw(r, 200, b.data, b.len);
	buf_release(&b);
out:
	db_res_free(res);
	return rc;
}

/* The filters of a message search, from the query string and the
 * operators in q (the query string wins). */
struct search_filters {
	struct searchq sq;
	int64_t group_id, room_id, limit, offset, sender_id;
	const char *from, *in, *before, *after;
};

static enum err_code
search_filters_read(struct http_req *r, struct search_filters *f)
{
	struct json_object *fields = http_fields(r);
	const char *q = NULL, *why = NULL, *v;
	enum err_code rc;

	memset(f, 0, sizeof(*f));
	rc = search_q(r, 0, &q);
	if (rc == ERR_OK && searchq_parse(q, &f->sq, &why) != ERR_OK)
		rc = json_field_error(fields, "q", why);
	if (http_query_int(r, "group_id", 1, INT64_MAX, 0, &f->group_id))
		rc = ERR_VALIDATION;
	if (http_query_int(r, "room_id", 1, INT64_MAX, 0, &f->room_id))
		rc = ERR_VALIDATION;
	if (http_query_limit(r, &f->limit))
		rc = ERR_VALIDATION;
	if (http_query_int(r, "offset", 0, SEARCH_OFFSET_MAX, 0, &f->offset))
		rc = ERR_VALIDATION;
	f->from = f->sq.from[0] ? f->sq.from : NULL;
	f->in = f->sq.in[0] ? f->sq.in : NULL;
	f->before = f->sq.before[0] ? f->sq.before : NULL;
	f->after = f->sq.after[0] ? f->sq.after : NULL;
	v = http_query(r, "from");
	if (v != NULL) {
		if (v[0] == '\0' || strlen(v) > 45 ||
		    strspn(v,
		        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		        "0123456789_-") != strlen(v))
			rc = json_field_error(fields, "from",
			    "is not a username");
		f->from = v;
	}
	v = http_query(r, "before");
	if (v != NULL) {
		if (!searchq_date_ok(v))
			rc = json_field_error(fields, "before",
			    "must be a date YYYY-MM-DD");
		f->before = v;
	}
	v = http_query(r, "after");
	if (v != NULL) {
		if (!searchq_date_ok(v))
			rc = json_field_error(fields, "after",
			    "must be a date YYYY-MM-DD");
		f->after = v;
	}
	if (rc == ERR_OK && f->sq.text[0] == '\0' && f->from == NULL &&
	    f->in == NULL && f->before == NULL && f->after == NULL &&
	    f->group_id == 0 && f->room_id == 0)
		rc = json_field_error(fields, "q", "required");
	return rc;
}

/* Where every tier searches: $1 the caller's rooms that pass the group,
 * room and room-name filters (an array resolved first, so the planner
 * sees how many there are), $2 sender, $3 before, $4 after; $5 the
 * words, $6 how many ids, $7 the newest id to consider.
 *
 * Each tier is two branches under one LIMIT, and the second runs only
 * when the first did not fill it:
 *   - the window: the newest messages up to $7 walked backwards along
 *     the primary key, the condition as a plain filter (IS TRUE keeps the
 *     planner off the text indexes), so a common word costs at most one
 *     window whatever the statistics say;
 *   - the rest: older messages through the GIN index or the room index
 *     (ORDER BY id + 0 keeps the planner off the backward walk), reached
 *     only by a word rarer than $6 per window, so few rows to fetch.
 * Together they are newest first, as the page needs.  The typo tier's
 * window is smaller: its tsquery has up to 16 words per query word. */
#define SEARCH_WHERE                                                           \
	"m.room_id = ANY ($1::bigint[])"                                       \
	" AND m.deleted_at IS NULL"                                            \
	" AND ($2::bigint IS NULL OR m.sender_id = $2::bigint)"                \
	" AND ($3::text IS NULL OR m.created_at < ($3::text || ' "             \
	"00:00Z')::timestamptz)"                                               \
	" AND ($4::text IS NULL OR m.created_at >= ($4::text || ' "            \
	"00:00Z')::timestamptz)"
#define SEARCH_TIER(window, cond)                                              \
	"(SELECT m.id FROM messages m WHERE m.id <= $7::bigint"                \
	" AND m.id > $7::bigint - " window " AND " SEARCH_WHERE " AND (" cond  \
	") IS TRUE "                                                           \
	"ORDER BY m.id DESC LIMIT $6::int) UNION ALL "                         \
	"(SELECT m.id FROM messages m WHERE m.id <= $7::bigint - " window      \
	" AND " SEARCH_WHERE " AND " cond " "                                  \
	"ORDER BY m.id + 0 DESC LIMIT $6::int) LIMIT $6::int"

/* The tier conditions, $8 the tier's tsquery from ec_search_expand()
 * (migration 0012: the known words that start each query word, or are
 * the most similar to it): every word exact; every word as a word start
 * (not exact); every word as a similar word (not a word start).  A tier
 * whose tsquery is NULL cannot match and is not run at all, so a word
 * found nowhere costs a few probes of the word table. */
#define SEARCH_EXACT "m.search @@ $8::tsquery AND $5::text IS NOT NULL"
#define SEARCH_PREFIX                                                          \
	"m.search @@ $8::tsquery"                                              \
	" AND NOT m.search @@ ec_search_tsquery($5::text, false)"
#define SEARCH_TYPO                                                            \
	"m.search @@ $8::tsquery AND NOT COALESCE("                            \
	"m.search @@ ec_search_tsquery($5::text, true), false)"
#define SEARCH_NONE "$5::text IS NULL AND $8::tsquery IS NULL"

static const char *const search_tiers[] = {
	SEARCH_TIER("10000", SEARCH_EXACT),
	SEARCH_TIER("10000", SEARCH_PREFIX),
	SEARCH_TIER("2000", SEARCH_TYPO),
};
/* Operators only: newest first along the primary key. */
static const char search_all[] =
    "SELECT m.id FROM messages m WHERE " SEARCH_WHERE " AND " SEARCH_NONE
    " AND m.id <= $7::bigint "
    "ORDER BY m.id DESC LIMIT $6::int";

/* A narrowed search (a few rooms, or one sender) walks the newest
 * `window` messages of that set along its own index - (room_id, id) per
 * room, or (sender_id, id) - and applies everything else as a filter, so
 * a common word narrowed to one room costs at most one window instead of
 * a bitmap of every message with that word.  When the walk came back
 * short the set is exhausted and the query ends there; otherwise the
 * older messages are searched below the last one walked, the planner's
 * way (few of them can match: the window had fewer hits than wanted).
 * The walk is materialized in id order and read in that order.  A
 * sender's rows are spread over the table (one heap page each), so its
 * window is smaller: a rare word then goes to the GIN index early. */
#define SEARCH_COLS                                                            \
	"m.id, m.room_id, m.sender_id, m.created_at,"                          \
	" m.deleted_at, m.search"
#define SEARCH_WALK_ROOMS(window)                                              \
	"SELECT m.* FROM unnest($1::bigint[]) AS r(id) CROSS JOIN LATERAL "    \
	"(SELECT " SEARCH_COLS " FROM messages m WHERE m.room_id = r.id"       \
	" AND m.id <= $7::bigint AND m.deleted_at IS NULL"                     \
	" ORDER BY m.id DESC LIMIT " window ") m "                             \
	"ORDER BY m.id DESC LIMIT " window
#define SEARCH_WALK_SENDER(window)                                             \
	"SELECT " SEARCH_COLS                                                  \
	" FROM messages m WHERE m.sender_id = $2::bigint"                      \
	" AND m.id <= $7::bigint AND m.deleted_at IS NULL"                     \
	" ORDER BY m.id DESC LIMIT " window
#define SEARCH_NARROW(walk, window, cond, order)                               \
	"WITH w AS MATERIALIZED (" walk ") "                                   \
	"(SELECT m.id FROM w m WHERE " SEARCH_WHERE " AND (" cond ") IS TRUE"  \
	" LIMIT $6::int) UNION ALL "                                           \
	"(SELECT m.id FROM messages m WHERE"                                   \
	" (SELECT count(*) FROM w) = " window                                  \
	" AND m.id < (SELECT min(w.id) FROM w) AND " SEARCH_WHERE " AND " cond \
	" ORDER BY " order " DESC LIMIT $6::int) LIMIT $6::int"
#define SEARCH_NARROW_TIERS(walk, w, wtypo)                                    \
	SEARCH_NARROW(walk(w), w, SEARCH_EXACT, "m.id + 0"),                   \
	    SEARCH_NARROW(walk(w), w, SEARCH_PREFIX, "m.id + 0"),              \
	    SEARCH_NARROW(walk(wtypo), wtypo, SEARCH_TYPO, "m.id + 0"),        \
	    SEARCH_NARROW(walk(w), w, SEARCH_NONE, "m.id")

/* Up to this many rooms are walked one by one. */
#define SEARCH_WALK_ROOMS_MAX 8

static const char *const search_by_rooms[] = {
	SEARCH_NARROW_TIERS(SEARCH_WALK_ROOMS, "5000", "2000")
};
static const char *const search_by_sender[] = {
	SEARCH_NARROW_TIERS(SEARCH_WALK_SENDER, "1000", "1000")
};

/* The last tier when the words name a user (search_text_sender): that
 * user's messages ($2) that the word tiers did not find - the words
 * neither as words nor as word starts, nor the typo tier's words ($8,
 * NULL when that tier had none). */
#define SEARCH_SENDER_TEXT                                                     \
	"$5::text IS NOT NULL"                                                 \
	" AND NOT COALESCE(m.search @@ ec_search_tsquery($5::text, true),"     \
	" false) AND NOT COALESCE(m.search @@ $8::tsquery, false)"
static const char search_sender_tier[] = SEARCH_NARROW(SEARCH_WALK_SENDER(
                                                           "1000"),
    "1000", SEARCH_SENDER_TEXT, "m.id");

/* Typos are looked for only in words up to this many bytes: longer ones
 * are hashes, links and the like, and cost the most to compare. */
#define SEARCH_TYPO_WORD_MAX 24

static int
search_typo_ok(const char *text)
{
	while (*text != '\0') {
		size_t n = strcspn(text, " ");

		if (n > SEARCH_TYPO_WORD_MAX)
			return 0;
		text += n;
		text += strspn(text, " ");
	}
	return 1;
}

/* The tsquery of each tier for the words (one row, three columns, each
 * NULL when that tier cannot match), from the word table (0012).  The
 * typo tier's costs a trigram search of the word table (~5 ms for a
 * word that starts like many others), so it is only asked for (typo)
 * when the first two tiers did not fill the page.  *res is replaced. */
static enum err_code
search_expand(const char *words, int typo, struct db_res **res)
{
	db_res_free(*res);
	*res = NULL;
	return db_query(res,
	    "SELECT q_exact::text, q_prefix::text, "
	    "q_typo::text FROM ec_search_expand($1, $2::boolean)",
	    DB_TEXT(words), DB_BOOL(typo && search_typo_ok(words)));
}

/* The caller's rooms that pass the filters, as an array literal in
 * *rooms ("{}" when none).  in:@user names the caller's direct
 * conversations with that user (migration 0045). */
static enum err_code
search_rooms(struct http_req *r, const struct search_filters *f, char **rooms)
{
	return db_query_text(rooms,
	    "SELECT COALESCE(array_agg(r.id), "
	    "'{}')::text FROM rooms r JOIN group_members gm "
	    "ON gm.group_id = r.group_id AND gm.user_id = $1 "
	    "WHERE ($2::bigint IS NULL OR r.group_id = $2::bigint) "
	    "AND ($3::bigint IS NULL OR r.id = $3::bigint) "
	    "AND ($4::text IS NULL OR CASE WHEN left($4::text, 1) = '@' "
	    "THEN EXISTS (SELECT 1 FROM conversations c "
	    "JOIN group_members o ON o.group_id = c.group_id "
	    "JOIN users u ON u.id = o.user_id WHERE c.room_id = r.id "
	    "AND lower(u.username) = lower(substr($4::text, 2))) "
	    "ELSE lower(r.name) = lower($4::text) END)",
	    DB_I64(r->user_id), DB_NULL_I64(f->group_id),
	    DB_NULL_I64(f->room_id), DB_TEXT(f->in));
}

/* The newest message id to consider: the last one, or with before: the
 * last one created before that day (ids grow with time). */
static enum err_code
search_top(const struct search_filters *f, int64_t *top)
{
	struct db_res *res = NULL;
	enum err_code rc;

	if (f->before != NULL)
		rc = db_query(&res,
		    "SELECT ec_messages_id_before("
		    "($1::text || ' 00:00Z')::timestamptz) + 1000",
		    DB_TEXT(f->before));
	else
		rc = db_query(&res,
		    "SELECT COALESCE(max(id), 0) FROM messages");
	if (rc == ERR_OK)
		*top = db_int(res, 0, 0);
	db_res_free(res);
	return rc;
}

static enum err_code
search_sender(struct search_filters *f, int *unknown)
{
	struct db_res *res = NULL;
	enum err_code rc;

	*unknown = 0;
	if (f->from == NULL)
		return ERR_OK;
	rc = db_query(&res,
	    "SELECT id FROM users WHERE lower(username) = "
	    "lower($1)",
	    DB_TEXT(f->from));
	if (rc == ERR_OK) {
		if (db_rows(res) == 1)
			f->sender_id = db_int(res, 0, 0);
		else
			*unknown = 1;
	}
	db_res_free(res);
	return rc;
}

/* Plain words that are a user's username or display name (ignoring
 * case; the username first) also find that user's messages, as the
 * original app did: *sender_id is the user, or 0.  Not with from:, which
 * names the sender already. */
static enum err_code
search_text_sender(const struct search_filters *f, int64_t *sender_id)
{
	struct db_res *res = NULL;
	enum err_code rc;

	*sender_id = 0;
	if (f->from != NULL || f->sq.text[0] == '\0')
		return ERR_OK;
	rc = db_query(&res, "SELECT id, by_username FROM ec_search_sender($1)",
	    DB_TEXT(f->sq.text));
	/* A display name that several users share names none of them. */
	if (rc == ERR_OK && db_rows(res) >= 1 &&
	    (db_rows(res) == 1 || strcmp(db_value(res, 0, 1), "t") == 0))
		*sender_id = db_int(res, 0, 0);
	db_res_free(res);
	return rc;
}

/* Renders the ids (in order) as messages with snippets. */
static enum err_code
search_messages_reply(struct http_req *r, const int64_t *ids, size_t shown,
    int has_more, const char *words, int replica)
{
	struct json_object *root, *items;
	struct db_res *res = NULL;
	enum err_code rc = ERR_OK;
	struct buf snip;
	size_t i;

	root = json_object_new_object();
	items = json_object_new_array();
	json_object_object_add(root, "items", items);
	json_object_object_add(root, "has_more",
	    json_object_new_boolean(has_more));
	buf_init(&snip, 0);
	if (shown > 0) {
		rc = db_read_query(replica, &res,
		    "SELECT message_json, message_text "
		    "FROM ec_search_render($1::bigint[])",
		    DB_I64_ARRAY(ids, shown));
		if (rc)
			goto out;
	}
	for (i = 0; res != NULL && i < db_rows(res); i++) {
		struct json_object *msg;

		if (json_parse(db_value(res, i, 0), db_length(res, i, 0),
		        &msg) != ERR_OK) {
			rc = ERR_INTERNAL;
			goto out;
		}
		buf_reset(&snip);
		searchq_snippet(&snip, db_value(res, i, 1),
		    db_length(res, i, 1), words);
		json_object_object_add(msg, "snippet",
		    json_object_new_string_len(snip.data, (int)snip.len));
		json_object_array_add(items, msg);
	}
	http_reply_json(r, 200, root);
	root = NULL;
out:
	json_object_put(root);
	buf_release(&snip);
	db_res_free(res);
	return rc;
}

enum err_code
search_messages(struct http_req *r)
{
	struct search_filters f;
	struct db_res *res = NULL, *tsq = NULL;
	const char *p, *tsquery = NULL;
	char *rooms = NULL;
	size_t ntiers, t, tier, have = 0, shown = 0, total, nrooms;
	int64_t top = 0, *ids = NULL, text_sender = 0;
	enum err_code rc;
	int unknown, replica = 0;

	rc = search_filters_read(r, &f);
	if (rc)
		goto out;
	rc = search_sender(&f, &unknown);
	if (rc)
		goto out;
	rc = search_text_sender(&f, &text_sender);
	if (rc)
		goto out;
	rc = search_rooms(r, &f, &rooms);
	if (rc)
		goto out;
	total = (size_t)(f.offset + f.limit + 1);
	if (unknown || strcmp(rooms, "{}") == 0)
		total = 0; /* from: nobody, or no room to search */
	if (total > 0) {
		rc = search_top(&f, &top);
		if (rc)
			goto out;
	}
	ntiers = 1;
	if (total > 0) {
		if (f.sq.text[0] != '\0') {
			ntiers = text_sender ? 4 : 3;
			/* The words of messages posted since the deliverer's
			 * last drain (0085), before the word table is read. */
			rc = searchwords_drain(1, NULL);
			if (rc == ERR_OK)
				rc = search_expand(f.sq.text, 0, &tsq);
		}
		if (rc)
			goto out;
		/* The messages are searched (and rendered) on the replica
		 * once it shows every commit made before this search, the
		 * word table's drain above included: what the caller just
		 * posted is found there too.  Which rooms are the caller's
		 * was read on the primary. */
		replica = db_replica_sync(SEARCH_REPLICA_WAIT_MS) == ERR_OK;
	}
	ids = mem_calloc((size_t)f.limit + 1, sizeof(*ids));
	nrooms = 1; /* rooms is "{1,2,...}" */
	for (p = rooms; *p != '\0'; p++)
		nrooms += *p == ',';
	for (t = 0; t < ntiers && have < total; t++) {
		const char *sql;
		size_t i;

		/* The tier of a search by operators only is the last one. */
		tier = f.sq.text[0] ? t : 3;
		if (tsq != NULL && t == 2) {
			rc = search_expand(f.sq.text, 1, &tsq);
			if (rc)
				goto out;
		}
		if (t == 3) {
			/* The sender named by the words; the typo tier's
			 * words (it ran before) are not found twice. */
			sql = search_sender_tier;
			tsquery = tsq != NULL ? db_value(tsq, 0, 2) : NULL;
		} else {
			if (tsq != NULL) {
				tsquery = db_value(tsq, 0, (int)t);
				if (tsquery == NULL)
					continue; /* cannot match */
			}
			if (nrooms <= SEARCH_WALK_ROOMS_MAX)
				sql = search_by_rooms[tier];
			else if (f.sender_id)
				sql = search_by_sender[tier];
			else
				sql = f.sq.text[0] ? search_tiers[t]
				                   : search_all;
		}
		rc = db_read_query(replica, &res, sql, DB_TEXT(rooms),
		    DB_NULL_I64(t == 3 ? text_sender : f.sender_id),
		    DB_TEXT(f.before), DB_TEXT(f.after),
		    DB_TEXT(f.sq.text[0] ? f.sq.text : NULL),
		    DB_I64((int64_t)(total - have)), DB_I64(top),
		    DB_TEXT(tsquery));
		if (rc)
			goto out;
		for (i = 0; i < db_rows(res); i++, have++) {
			/* Only the page itself is rendered. */
			if (have < (size_t)f.offset ||
			    have >= (size_t)(f.offset + f.limit))
				continue;
			ids[shown++] = db_int(res, i, 0);
		}
		db_res_free(res);
		res = NULL;
	}
	rc = search_messages_reply(r, ids, shown, have >= total && total > 0,
	    f.sq.text, replica);
out:
	free(ids);
	free(rooms);
	db_res_free(res);
	db_res_free(tsq);
	return rc;
}
