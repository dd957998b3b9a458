/* users.h - the handlers of the users program (users.c), for the route
 * table in main.c.  Every one but username-available needs a signed-in
 * caller. */
#ifndef EC_USERS_H
#define EC_USERS_H

#include "http.h"

/* GET /api/users/me: the caller's `user` object, with email. */
enum err_code users_me(struct http_req *r);

/* PATCH /api/users/me {username?, email?, full_name?, bio?, gender?,
 * default_status?}: 200 the caller's `user` object. */
enum err_code users_update_me(struct http_req *r);

/* PUT /api/users/me/password {old, new}: 204; ends every other session. */
enum err_code users_password(struct http_req *r);

/* POST /api/users/me/icon and /wallpaper (multipart file + crop):
 * 200 {"icon_url"} / {"wallpaper_url"}. */
enum err_code users_icon(struct http_req *r);
enum err_code users_wallpaper(struct http_req *r);

/* GET /api/users/username-available?username=NAME (signed in or not):
 * 200 {"username", "available"}; a name outside the username rules is
 * 400 with fields.username.  The caller's own name is available. */
enum err_code users_username_available(struct http_req *r);

/* GET /api/users/{id}: a public profile with "online". */
enum err_code users_get(struct http_req *r);

/* Direct messages, blocks and mentions (dms.c). */

/* POST /api/users/me/conversations {user_ids}: 201 a new Conversation, or
 * 200 the existing 1:1 with that user. */
enum err_code dms_open(struct http_req *r);

/* GET /api/users/me/conversations?limit=&offset=: {items, has_more},
 * the most recently active first. */
enum err_code dms_list(struct http_req *r);

/* GET /api/users/me/conversations/{id}: one Conversation (404 unless the
 * caller takes part). */
enum err_code dms_get(struct http_req *r);

/* PUT / DELETE /api/users/me/blocks/{id}: 204, idempotent. */
enum err_code blocks_put(struct http_req *r);
enum err_code blocks_delete(struct http_req *r);

/* GET /api/users/me/blocks?limit=&offset=: {items: [UserSummary], ...}. */
enum err_code blocks_list(struct http_req *r);

/* GET /api/users/me/mentions?before=&limit=: {items: [Mention], ...}. */
enum err_code mentions_list(struct http_req *r);
/* Notification settings (notify.c): GET /api/users/me/notification-settings
 * answers the NotificationSettings document; PUT .../defaults
 * {group_level?, dm_level?, hide_text?, sound?}, PUT .../groups/{id} and
 * .../rooms/{id} {level?, muted_until?} answer 200 the new document (404
 * for a group or room the caller is not in); DELETE of each scope is 204
 * (back to inheriting, idempotent).  Every change publishes
 * notification_settings.updated {settings} on user:<id>. */
enum err_code notify_get(struct http_req *r);
enum err_code notify_put_defaults(struct http_req *r);
enum err_code notify_delete_defaults(struct http_req *r);
enum err_code notify_put_group(struct http_req *r);
enum err_code notify_delete_group(struct http_req *r);
enum err_code notify_put_room(struct http_req *r);
enum err_code notify_delete_room(struct http_req *r);

/* delete.c (common/useradm.h says what deleting does).
 * DELETE /api/users/me {password | username (no password), purge?}: 204,
 * cookies cleared. */
enum err_code users_delete_me(struct http_req *r);

/* Site admins only (acl_site_admin), never on themselves or another site
 * admin: DELETE /api/users/{id} {purge?}, POST /api/users/{id}/disable,
 * POST /api/users/{id}/enable; 204. */
enum err_code users_delete(struct http_req *r);
enum err_code users_disable(struct http_req *r);
enum err_code users_enable(struct http_req *r);

/* Web Push (push.c). */

/* GET /api/users/me/push-subscriptions/vapid-key: {"public_key"}, the
 * server's VAPID key for PushManager.subscribe(); 404 not_enabled when
 * push is off or the key was not made yet. */
enum err_code push_vapid_public(struct http_req *r);

/* POST /api/users/me/push-subscriptions {endpoint, keys: {p256dh, auth},
 * expirationTime?} (PushSubscription.toJSON()): 201 {id, endpoint,
 * created_at}, or 200 when this browser was subscribed (keys updated);
 * 409 past PUSH_SUBSCRIPTIONS_MAX devices. */
enum err_code push_subscribe(struct http_req *r);

/* DELETE /api/users/me/push-subscriptions/{id}: 204; 404 unless the
 * caller's. */
enum err_code push_unsubscribe(struct http_req *r);

#endif
