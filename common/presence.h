/* presence.h - who is online, from the relay's presence keys in Redis
 * (wire_key_online), and the public group card that shows it.
 *
 * When Redis is down everyone reads as offline (logged): presence is not
 * worth a 503.
 *
 * Layer: domain (over rds, db, buf and wire).
 */
#ifndef EC_PRESENCE_H
#define EC_PRESENCE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

struct db_res;

/* For each of `n` users, online[i] = 1 when a relay holds a connection
 * of theirs (one pipelined round trip). */
void presence_many(const int64_t *user_ids, size_t n, int *online);

/* Number of online users among `n`. */
size_t presence_count(const int64_t *user_ids, size_t n);

/* 1 when the user is online. */
int presence_one(int64_t user_id);

/* The public group card (`PublicGroup` in fcgi-apps/groups/openapi.yaml:
 * {id, name, description, category, icon_url, wallpaper_url}, then member_count
 * and online_count from presence_cards) as two columns of a query over `groups
 * g`: the card's JSON text and the members' ids ("1,2,3"). */
#define PRESENCE_CARD_COLUMNS                                                  \
	"(ec_group_json(g) - 'is_public' - 'created_at')::text,"               \
	" (SELECT string_agg(c.user_id::text, ',') FROM group_members c"       \
	"  WHERE c.group_id = g.id)"

/* Appends `{"items": [card, ...], "has_more": b}` for the first `n` rows
 * of `res` (columns 0 and 1 as PRESENCE_CARD_COLUMNS, in that order), each
 * card with its "member_count" and "online_count": presence of the whole
 * page in one Redis round trip. */
void presence_cards(struct buf *out, const struct db_res *res, size_t n,
    int has_more);

#endif
