/* rooms.h - the handlers of the rooms program and what they share.
 *
 * rooms.c serves the rooms themselves (create, read, change, delete, read
 * markers); messages.c the messages of a room.  JSON for `room` and
 * `message` is built by PostgreSQL (ec_room_json / ec_message_json of
 * migration 0004) and handed through as text, so a REST answer and the
 * event about the same change carry the very same object.
 */
#ifndef EC_ROOMS_H
#define EC_ROOMS_H

#include <stdint.h>

#include "acl.h"
#include "err.h"
#include "http.h"

/* Limits of openapi.yaml, in code points after trimming. */
#define ROOMS_NAME_MAX        22
#define ROOMS_DESCRIPTION_MAX 100
#define MESSAGES_TEXT_MAX     4000
#define MESSAGES_NONCE_MAX    64

/* Room handlers (rooms.c). */
enum err_code rooms_create(struct http_req *r);
enum err_code rooms_get(struct http_req *r);
enum err_code rooms_update(struct http_req *r);
enum err_code rooms_delete(struct http_req *r);
enum err_code rooms_mark_read(struct http_req *r);

/* Message handlers (messages.c). */
enum err_code messages_list(struct http_req *r);
enum err_code messages_create(struct http_req *r);
enum err_code messages_update(struct http_req *r);
enum err_code messages_delete(struct http_req *r);

/* Finds a live message: its room, its sender (0 when the account is
 * gone; sender_id may be NULL) and the caller's role in that room's
 * group.  ERR_NOT_FOUND when the message is deleted, absent or invisible
 * to the caller.  Messages, reactions and pins all look messages up so. */
enum err_code
messages_find(int64_t message_id, int64_t user_id, int64_t *room_id,
    int64_t *sender_id, int64_t *group_id, enum acl_role *role);

/* Attachments (attachments.c, issue 13 item 6). */
#define ATTACHMENTS_PER_MESSAGE 10

enum err_code attachments_create(struct http_req *r);
enum err_code attachments_get(struct http_req *r);
enum err_code attachments_get_thumbnail(struct http_req *r);

/* The body's attachment_ids (absent: *n 0): distinct positive ids, at
 * most ATTACHMENTS_PER_MESSAGE; a field error otherwise. */
enum err_code attachments_read_ids(struct http_req *r,
    int64_t ids[ATTACHMENTS_PER_MESSAGE], size_t *n);

/* In the post's transaction, after the message *msg (its JSON) was
 * inserted: gives it the caller's unsent uploads `ids` of the request's
 * room (a field error, answered, when one is not), and replaces *msg
 * with the message's JSON that lists them. */
enum err_code
attachments_link(struct http_req *r, const int64_t *ids, size_t n, char **msg);

/* Mentions and direct messages (mentions.c). */

/* 1 when `text` may mention someone (it has an '@'): only then does a
 * post leave its one-statement path. */
int mentions_wanted(const char *text);

/* In the caller's transaction, after the message `message_id` of a room
 * of `group_id` was written with `text`: resolves its @mentions into
 * table mentions (replacing those of an earlier text).  *fresh receives
 * the ids of the users mentioned for the first time ("1,2", malloc()ed)
 * for mentions_publish() after the commit. */
enum err_code mentions_store(const char *msg, int64_t group_id,
    const char *text, char **fresh);

/* After the commit: mention.created {message} on user:<id> for each id in
 * `fresh` (from mentions_store). */
void mentions_publish(int64_t group_id, const char *fresh, const char *msg);

/* ERR_FORBIDDEN (answered) when `group_id` is a direct conversation and a
 * participant blocked the caller; ERR_OK otherwise. */
enum err_code mentions_dm_may_post(struct http_req *r, int64_t group_id);
/* Moderation of posting (moderation.c, issue 13 item 7). */
enum err_code moderation_slow_mode(struct http_req *r);

/* ERR_FORBIDDEN, answered "You are timed out until `until`.": what
 * posting and reacting say to a timed-out member. */
enum err_code moderation_timed_out(struct http_req *r, const char *until);

/* Inside the post's transaction, with the room row locked: ERR_FORBIDDEN
 * when the caller is timed out in the room's group, ERR_RATE_LIMITED
 * (r->retry_after set) when slow mode makes them wait; the error is
 * answered on r. */
enum err_code moderation_may_post(struct http_req *r, int64_t room_id);

/* After a moderator deleted someone else's message: its audit entry
 * (a failure is logged, the deletion stands). */
void moderation_audit_delete(struct http_req *r, int64_t group_id,
    int64_t room_id, int64_t sender_id);

#endif
