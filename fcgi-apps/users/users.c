/* users.c - the users resource: my profile, password, icon and wallpaper,
 * and other users' public profiles.
 *
 * The `user` object is rendered by PostgreSQL (ec_user_json, migration
 * 0001); images go through common/media.c.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "auth.h"
#include "cfg.h"
#include "db.h"
#include "event.h"
#include "hist.h"
#include "json.h"
#include "log.h"
#include "media.h"
#include "mem.h"
#include "pwcheck.h"
#include "rds.h"
#include "sec.h"
#include "users.h"
#include "presence.h"
#include "wire.h"

#define BIO_MAX 500

/* Wrong current passwords on a password change: per user, like login. */
#define PW_FAILS       10
#define PW_FAIL_WINDOW 900

/* Answers the user's own `user` object (with email). */
static enum err_code
users_reply_me(struct http_req *r)
{
	enum err_code rc;
	char *json = NULL;

	rc = auth_user_json(r->user_id, 1, &json);
	if (rc == ERR_NOT_FOUND)
		return ERR_UNAUTHENTICATED;
	if (rc)
		return rc;
	http_reply_raw(r, 200, json, strlen(json));
	free(json);
	return ERR_OK;
}

/* Tells every group the user is in that their name or icon changed
 * (`user.updated {user}`, the public user object), so open clients
 * re-render them without a reload.  After commit; a lost event only
 * leaves a stale name until the next reload. */
static void
users_publish_updated(int64_t user_id)
{
	struct db_res *res = NULL;
	enum err_code rc;
	size_t i;

	rc = db_query(&res,
	    "SELECT m.group_id, ec_user_json($1)::text "
	    "FROM group_members m WHERE m.user_id = $1",
	    DB_I64(user_id));
	if (rc)
		goto out;
	for (i = 0; i < db_rows(res); i++)
		event_group(db_int(res, i, 0), WIRE_EV_USER_UPDATED, "user",
		    db_value(res, i, 1), NULL);
out:
	db_res_free(res);
}

enum err_code
users_me(struct http_req *r)
{
	return users_reply_me(r);
}

enum err_code
users_update_me(struct http_req *r)
{
	static const char *const allowed[] = { "username", "email", "full_name",
		"bio", "gender", "default_status", NULL };
	struct json_object *fields = http_fields(r);
	const char *username = NULL, *email = NULL, *full_name = NULL;
	const char *bio = NULL, *gender = NULL, *status = NULL;
	size_t ulen = 0, elen = 0, flen = 0, blen = 0;
	char *u = NULL, *e = NULL, *f = NULL, *b = NULL;
	enum err_code rc;

	rc = json_only(r->json, allowed, fields);
	if (json_get_username(r->json, "username", 0, &username, &ulen, fields))
		rc = ERR_VALIDATION;
	if (json_get_email(r->json, "email", 0, &email, &elen, fields))
		rc = ERR_VALIDATION;
	if (json_get_text(r->json, "full_name", 0, 0, JSON_FULL_NAME_MAX, 1,
	        &full_name, &flen, fields))
		rc = ERR_VALIDATION;
	if (json_get_text(r->json, "bio", 0, 0, BIO_MAX, 1, &bio, &blen,
	        fields))
		rc = ERR_VALIDATION;
	if (json_get_enum(r->json, "gender", 0, wire_genders, &gender, fields))
		rc = ERR_VALIDATION;
	if (json_get_enum(r->json, "default_status", 0, wire_statuses, &status,
	        fields))
		rc = ERR_VALIDATION;
	if (rc)
		goto out;

	u = username ? mem_strndup(username, ulen) : NULL;
	e = email ? mem_strndup(email, elen) : NULL;
	f = full_name ? mem_strndup(full_name, flen) : NULL;
	b = bio ? mem_strndup(bio, blen) : NULL;
	/* status follows default_status while the user is connected ($9). */
	rc = db_query(NULL,
	    "WITH u AS (UPDATE users SET "
	    "username = COALESCE($2, username), "
	    "email = CASE WHEN $3::boolean THEN NULLIF($4, '') ELSE email END, "
	    /* a new address is not proven by the old one's link (0095) */
	    "email_verified_at = CASE WHEN $3::boolean AND "
	    "lower(NULLIF($4, '')) IS DISTINCT FROM lower(email) THEN NULL "
	    "ELSE email_verified_at END "
	    "WHERE id = $1 RETURNING id) "
	    "UPDATE profiles SET "
	    "full_name = COALESCE($5, full_name), bio = COALESCE($6, bio), "
	    "gender = COALESCE($7, gender), "
	    "default_status = COALESCE($8, default_status), "
	    "status = CASE WHEN $9::boolean THEN $8 ELSE status END "
	    "WHERE user_id = (SELECT id FROM u)",
	    DB_I64(r->user_id), DB_TEXT(u), DB_BOOL(email != NULL), DB_TEXT(e),
	    DB_TEXT(f), DB_TEXT(b), DB_TEXT(gender), DB_TEXT(status),
	    DB_BOOL(status != NULL && presence_one(r->user_id)));
	if (rc == ERR_CONFLICT) {
		rc = http_fail(r, ERR_USERNAME_TAKEN, NULL);
		goto out;
	}
	if (rc)
		goto out;
	/* Names appear in every cached history page. */
	if (u != NULL || f != NULL) {
		hist_touch_profiles();
		users_publish_updated(r->user_id);
	}
	rc = users_reply_me(r);
out:
	free(u);
	free(e);
	free(f);
	free(b);
	return rc;
}

enum err_code
users_password(struct http_req *r)
{
	static const char *const allowed[] = { "old", "new", NULL };
	struct json_object *fields = http_fields(r);
	struct db_res *res = NULL;
	const char *old = NULL, *new = NULL, *why;
	char hash[SEC_HASH_MAX], key[WIRE_NAME_MAX];
	size_t olen = 0, nlen = 0;
	long long count;
	enum err_code rc;
	long ttl;

	rc = json_only(r->json, allowed, fields);
	if (json_get_text(r->json, "old", 1, 1, JSON_PASSWORD_MAX, 0, &old,
	        &olen, fields))
		rc = ERR_VALIDATION;
	if (json_get_text(r->json, "new", 1, JSON_PASSWORD_MIN,
	        JSON_PASSWORD_MAX, 0, &new, &nlen, fields))
		rc = ERR_VALIDATION;
	if (rc)
		goto out;
	rc = pwcheck_load(cfg_get("PASSWORD_BLOCKLIST", ""));
	if (rc)
		goto out;

	wire_key_rl_password(key, r->user_id);
	rc = rds_counter(key, &count, &ttl);
	if (rc)
		goto out;
	if (count >= PW_FAILS) {
		r->retry_after = ttl > 0 ? ttl : PW_FAIL_WINDOW;
		rc = http_fail(r, ERR_RATE_LIMITED,
		    "Too many wrong passwords; try later.");
		goto out;
	}
	rc = db_query(&res,
	    "SELECT password_hash, username FROM users WHERE id = $1",
	    DB_I64(r->user_id));
	if (rc)
		goto out;
	if (db_rows(res) != 1 || db_value(res, 0, 0) == NULL ||
	    !sec_password_verify(db_value(res, 0, 0), old, olen)) {
		rds_incr(key, PW_FAIL_WINDOW, &count);
		rc = json_field_error(fields, "old",
		    "is not your current password");
		goto out;
	}
	/* The policy of sign-up (auth's account.c): no common password,
	 * not the username. */
	why = pwcheck_refusal(new, nlen, db_value(res, 0, 1),
	    strlen(db_value(res, 0, 1)));
	if (why != NULL) {
		rc = json_field_error(fields, "new", why);
		goto out;
	}
	rc = sec_password_hash(new, nlen, hash);
	if (rc)
		goto out;
	rc = db_query(NULL, "UPDATE users SET password_hash = $2 WHERE id = $1",
	    DB_I64(r->user_id), DB_TEXT(hash));
	if (rc)
		goto out;
	/* Every other session ends; this one (the caller's) stays. */
	rc = auth_session_revoke_user(r->user_id, r->family_id);
	if (rc)
		goto out;
	log_info("user %lld changed their password", (long long)r->user_id);
	http_reply_empty(r);
out:
	db_res_free(res);
	return rc;
}

/* POST /api/users/me/icon and /wallpaper. */
static enum err_code
users_upload(struct http_req *r, enum media_kind kind)
{
	struct media_file f;
	enum err_code rc;

	rc = media_from_request(r, kind, &f);
	if (rc)
		goto out;
	rc = media_attach(&f, MEDIA_USER, r->user_id);
	if (rc == ERR_NOT_FOUND)
		rc = ERR_UNAUTHENTICATED;
	if (rc)
		goto out;
	if (kind == MEDIA_ICON) {
		hist_touch_profiles(); /* icons appear in history pages */
		users_publish_updated(r->user_id);
	}
	media_reply(r, &f);
out:
	media_file_release(&f);
	return rc;
}

enum err_code
users_icon(struct http_req *r)
{
	return users_upload(r, MEDIA_ICON);
}

enum err_code
users_wallpaper(struct http_req *r)
{
	return users_upload(r, MEDIA_WALLPAPER);
}

enum err_code
users_get(struct http_req *r)
{
	enum err_code rc;

	/* Presence in Redis is the truth: a user whose relay died keeps
	 * their last status in the table but is shown Offline. */
	rc = app_reply_query(r, 200,
	    "SELECT (jsonb_set(j, '{profile,status}', CASE WHEN $2::boolean "
	    "THEN j->'profile'->'status' ELSE '\"Offline\"' END) || "
	    "jsonb_build_object('online', $2::boolean))::text "
	    "FROM users u, ec_user_json(u.id) j "
	    "WHERE u.id = $1 AND u.is_active",
	    DB_I64(r->ids[0]), DB_BOOL(presence_one(r->ids[0])));
	if (rc == ERR_NOT_FOUND)
		rc = http_fail(r, ERR_NOT_FOUND, "No such user.");
	return rc;
}

enum err_code
users_username_available(struct http_req *r)
{
	struct json_object *fields = http_fields(r), *probe, *root;
	struct db_res *res = NULL;
	const char *name = http_query(r, "username"), *checked = NULL;
	size_t len = 0;
	enum err_code rc;
	char *u = NULL;
	int available;

	/* The query string is read by the body's own rules (5-45 of
	 * [A-Za-z0-9_-]), so the answer agrees with PATCH and sign-up. */
	probe = json_object_new_object();
	json_object_object_add(probe, "username",
	    json_object_new_string(name ? name : ""));
	rc = json_get_username(probe, "username", 1, &checked, &len, fields);
	if (rc)
		goto out;
	u = mem_strndup(checked, len);
	/* One's own name, in any case, is available to oneself. */
	rc = db_query(&res,
	    "SELECT 1 FROM users WHERE lower(username) = lower($1) "
	    "AND id <> $2",
	    DB_TEXT(u), DB_I64(r->user_id));
	if (rc)
		goto out;
	available = db_rows(res) == 0;
	root = json_object_new_object();
	json_object_object_add(root, "username", json_object_new_string(u));
	json_object_object_add(root, "available",
	    json_object_new_boolean(available));
	http_reply_json(r, 200, root);
out:
	json_object_put(probe);
	db_res_free(res);
	free(u);
	return rc;
}
