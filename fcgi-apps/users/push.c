/* push.c - the caller's Web Push subscriptions (one per browser):
 * /api/users/me/push-subscriptions and the server's VAPID public key the
 * browser subscribes with.  common/push.h says what is sent and when. */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "cfg.h"
#include "db.h"
#include "json.h"
#include "push.h"
#include "users.h"

/* Devices a user may subscribe (env PUSH_SUBSCRIPTIONS_MAX). */
#define PUSH_SUBS_DEFAULT 10

/* A subscription as the API shows it. */
#define PUSH_SUB_JSON                                                          \
	"json_build_object('id', s.id, 'endpoint', s.endpoint,"                \
	" 'created_at', ec_ts(s.created_at))::text"

enum err_code
push_vapid_public(struct http_req *r)
{
	struct webpush_key key;
	char b64[WEBPUSH_B64_MAX], body[WEBPUSH_B64_MAX + 32];
	enum err_code rc;

	if (!push_enabled())
		return http_fail(r, ERR_NOT_ENABLED,
		    "Web Push is not enabled on this server.");
	rc = push_vapid_key(&key, 0);
	if (rc == ERR_NOT_ENABLED)
		return http_fail(r, ERR_NOT_ENABLED,
		    "Web Push has no key yet: start easychat-deliver.");
	if (rc)
		return rc;
	webpush_b64(b64, key.pub, WEBPUSH_PUB_LEN);
	snprintf(body, sizeof(body), "{\"public_key\":\"%s\"}", b64);
	http_reply_raw(r, 200, body, strlen(body));
	return ERR_OK;
}

enum err_code
push_subscribe(struct http_req *r)
{
	static const char *const allowed[] = { "endpoint", "keys",
		"expirationTime", NULL };
	static const char *const key_names[] = { "p256dh", "auth", NULL };
	struct json_object *fields = http_fields(r), *keys = NULL;
	const char *endpoint = NULL, *p256dh = NULL, *auth = NULL, *why;
	const char *field;
	struct db_res *res = NULL;
	long max = cfg_get_long("PUSH_SUBSCRIPTIONS_MAX", PUSH_SUBS_DEFAULT);
	enum err_code rc;

	if (!push_enabled())
		return http_fail(r, ERR_NOT_ENABLED,
		    "Web Push is not enabled on this server.");
	rc = json_only(r->json, allowed, fields);
	if (rc)
		return rc;
	rc = json_get_text(r->json, "endpoint", 1, 1, 2048, 0, &endpoint, NULL,
	    fields);
	if (!json_object_object_get_ex(r->json, "keys", &keys) ||
	    !json_object_is_type(keys, json_type_object))
		return json_field_error(fields, "keys",
		    "is required: an object with p256dh and auth");
	if (json_only(keys, key_names, fields) ||
	    json_get_text(keys, "p256dh", 1, 1, 200, 0, &p256dh, NULL,
	        fields) ||
	    json_get_text(keys, "auth", 1, 1, 200, 0, &auth, NULL, fields) ||
	    rc)
		return ERR_VALIDATION;
	why = push_check_subscription(endpoint, p256dh, auth, &field);
	if (why != NULL)
		return json_field_error(fields,
		    strcmp(field, "endpoint") == 0   ? "endpoint"
		        : strcmp(field, "auth") == 0 ? "keys.auth"
		                                     : "keys.p256dh",
		    why);
	/* The same browser again: new keys, same row (200).  A new one
	 * past the cap: 409.  The user's row is locked first, so two at
	 * once cannot both pass the count. */
	rc = db_begin();
	if (rc)
		goto out;
	rc = db_query(&res,
	    "SELECT count(*) FILTER (WHERE s.endpoint <> $2) >= $3,"
	    " coalesce(bool_or(s.endpoint = $2), false)"
	    " FROM (SELECT id FROM users WHERE id = $1 FOR NO KEY UPDATE) u"
	    " LEFT JOIN push_subscriptions s ON s.user_id = u.id",
	    DB_I64(r->user_id), DB_TEXT(endpoint), DB_I64(max));
	if (rc)
		goto out;
	if (db_bool(res, 0, 0) && !db_bool(res, 0, 1)) {
		rc = http_fail(r, ERR_CONFLICT,
		    "Too many devices have push turned on; turn it off on "
		    "one first.");
		goto out;
	}
	rc = app_reply_query(r, db_bool(res, 0, 1) ? 200 : 201,
	    "WITH s AS (INSERT INTO push_subscriptions"
	    " (user_id, endpoint, p256dh, auth) VALUES ($1, $2, $3, $4)"
	    " ON CONFLICT (user_id, endpoint) DO UPDATE SET"
	    " p256dh = excluded.p256dh, auth = excluded.auth RETURNING *)"
	    " SELECT " PUSH_SUB_JSON " FROM s",
	    DB_I64(r->user_id), DB_TEXT(endpoint), DB_TEXT(p256dh),
	    DB_TEXT(auth));
	if (rc)
		goto out;
	rc = db_commit();
out:
	db_rollback();
	db_res_free(res);
	return rc;
}

enum err_code
push_unsubscribe(struct http_req *r)
{
	struct db_res *res = NULL;
	enum err_code rc;

	/* Another user's id reads as unknown: 404 either way. */
	rc = db_query(&res,
	    "DELETE FROM push_subscriptions WHERE id = $1 AND user_id = $2"
	    " RETURNING 1",
	    DB_I64(r->ids[0]), DB_I64(r->user_id));
	if (rc == ERR_OK && db_rows(res) == 0)
		rc = http_fail(r, ERR_NOT_FOUND, "No such push subscription.");
	db_res_free(res);
	if (rc)
		return rc;
	http_reply_empty(r);
	return ERR_OK;
}
