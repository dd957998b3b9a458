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

#endif
