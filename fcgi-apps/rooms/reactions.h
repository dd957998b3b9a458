/* reactions.h - reactions and pins of messages (rooms program).
 *
 * reactions.c: a member's own emoji reactions to a message (PUT/DELETE,
 * idempotent), who reacted, and the caller's "me" laid over a shared
 * history page.  pins.c: moderators and up pin and unpin messages; a
 * room's pinned list.  The counts and the pin live in the message row
 * (migration 0040), so history pages stay one query and the history
 * cache is invalidated by triggers in the change's own transaction.
 */
#ifndef EC_REACTIONS_H
#define EC_REACTIONS_H

#include <stddef.h>
#include <stdint.h>

#include "acl.h"
#include "db.h"
#include "err.h"
#include "http.h"

/* Distinct emoji on one message, unless REACTIONS_MAX_DISTINCT says. */
#define REACTIONS_MAX_DISTINCT_DEFAULT 20

/* An emoji a reaction may be: `key` is its spelling without U+FE0F,
 * `emoji` the one stored and shown (the dataset's). */
struct reactions_emoji {
	const char *key;
	const char *emoji;
};

/* Every emoji a reaction may be, sorted by key (emoji_table.c, generated
 * by htdocs/scripts/emoji-table.mjs from emojibase-data). */
extern const struct reactions_emoji reactions_emoji[];
extern const size_t reactions_emoji_count;

/* The stored spelling of `s` when `s` is exactly one emoji of the table,
 * written with or without its U+FE0F; NULL when it is not one. */
const char *reactions_emoji_find(const char *s);

/* Lays the caller's "me" over a history page's reactions when it has
 * any: *page (malloc()ed) is replaced by a new malloc()ed page.  `mine`
 * is the caller's own reactions among the page's messages as the
 * history cache keeps them ("message_id emoji message_id emoji ...",
 * reactions_everyone()); NULL when not known, then they are asked of
 * PostgreSQL (one indexed lookup).  `index`: the page's index as the
 * history cache keeps it (reactions_page_index(); NULL: the page is
 * scanned).  A page without reactions is left as it is, without a
 * query. */
enum err_code reactions_overlay_mine(int64_t user_id, const char *mine,
    const char *index, char **page);

/* For a newest page about to be cached: every member's own reactions
 * among its messages, one row per user (user id, "message_id emoji ..."
 * as `mine` above), in *res.  *res NULL when the page has no reactions,
 * or more than REACTIONS_CACHE_USERS (default 500) users reacted (the
 * page is then cached without them and each read asks PostgreSQL).
 * *index: the page's index to cache with it (malloc()ed; NULL when the
 * page has no reactions). */
enum err_code
reactions_everyone(const char *page, struct db_res **res, char **index);
#define REACTIONS_CACHE_USERS_DEFAULT 500
#define REACTIONS_CACHE_USERS_MAX     3000

/* overlay.c: one pass over a page's text (see there). */
struct reactions_page;
/* ERR_INTERNAL when `page` is not a page; `page` must outlive *out. */
enum err_code
reactions_page_scan(const char *page, struct reactions_page **out);
/* How many reaction objects the page has. */
size_t reactions_page_count(const struct reactions_page *p);
/* The ids of the messages that have reactions into `ids` (room for
 * reactions_page_count()); returns how many. */
size_t reactions_page_ids(const struct reactions_page *p, int64_t *ids);
/* *out: the page with "me" (true when "id emoji" is in `mine`) added to
 * each reaction object (malloc()ed). */
enum err_code reactions_page_mark(const struct reactions_page *p,
    const char *mine, char **out);
/* *out: the page's index (malloc()ed): where reactions_page_scan()
 * found each reaction object, as text, so that a cached page is marked
 * without scanning it again (the scan is most of what marking costs). */
enum err_code reactions_page_index(const struct reactions_page *p, char **out);
/* The reactions of `page` from its index instead of a scan.
 * ERR_INTERNAL (*out NULL) unless every entry is well-formed and points
 * where a scan of `page` would have found it (a closing brace, an emoji
 * between quotes, in order): the caller then scans.  `page` must outlive
 * *out. */
enum err_code reactions_page_load(const char *page, const char *index,
    struct reactions_page **out);
void reactions_page_free(struct reactions_page *p);

/* PUT /api/messages/{id}/reactions/{emoji}/me */
enum err_code reactions_put(struct http_req *r);
/* DELETE /api/messages/{id}/reactions/{emoji}/me */
enum err_code reactions_delete(struct http_req *r);
/* GET /api/messages/{id}/reactions/{emoji}?limit=&offset= */
enum err_code reactions_list(struct http_req *r);

/* PUT /api/messages/{id}/pin (moderator and up) */
enum err_code pins_put(struct http_req *r);
/* DELETE /api/messages/{id}/pin (moderator and up) */
enum err_code pins_delete(struct http_req *r);
/* GET /api/rooms/{id}/pins?limit=&offset= */
enum err_code pins_list(struct http_req *r);

#endif
