/* delete.c - deleting an account (the user's own, or any by a site admin)
 * and the site admin's disable/enable, over common/useradm.c. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "acl.h"
#include "app.h"
#include "auth.h"
#include "db.h"
#include "json.h"
#include "log.h"
#include "rds.h"
#include "sec.h"
#include "useradm.h"
#include "users.h"
#include "wire.h"

/* Wrong passwords when deleting: the budget of password changes. */
#define DEL_PW_FAILS       10
#define DEL_PW_FAIL_WINDOW 900

/* Checks the confirmation of DELETE /api/users/me: the password, or for an
 * account without one (OAuth only) the username. */
static enum err_code
users_confirm(struct http_req *r, const char *password, size_t plen,
    const char *username, size_t ulen)
{
	struct json_object *fields = http_fields(r);
	struct db_res *res = NULL;
	char key[WIRE_NAME_MAX];
	const char *hash, *name;
	long long count;
	enum err_code rc;
	long ttl;

	rc = db_query(&res,
	    "SELECT password_hash, username FROM users WHERE id = $1",
	    DB_I64(r->user_id));
	if (rc)
		goto out;
	if (db_rows(res) != 1) {
		rc = ERR_UNAUTHENTICATED;
		goto out;
	}
	hash = db_value(res, 0, 0);
	name = db_value(res, 0, 1);
	if (hash == NULL) {
		if (username == NULL || ulen != strlen(name) ||
		    strncasecmp(username, name, ulen) != 0)
			rc = json_field_error(fields, "username",
			    "must be your username (this account has no "
			    "password)");
		goto out;
	}
	if (password == NULL) {
		rc = json_field_error(fields, "password", "is required");
		goto out;
	}
	wire_key_rl_password(key, r->user_id);
	rc = rds_counter(key, &count, &ttl);
	if (rc)
		goto out;
	if (count >= DEL_PW_FAILS) {
		r->retry_after = ttl > 0 ? ttl : DEL_PW_FAIL_WINDOW;
		rc = http_fail(r, ERR_RATE_LIMITED,
		    "Too many wrong passwords; try later.");
		goto out;
	}
	if (!sec_password_verify(hash, password, plen)) {
		rds_incr(key, DEL_PW_FAIL_WINDOW, &count);
		rc = json_field_error(fields, "password",
		    "is not your current password");
	}
out:
	db_res_free(res);
	return rc;
}

enum err_code
users_delete_me(struct http_req *r)
{
	static const char *const allowed[] = { "password", "username", "purge",
		NULL };
	struct json_object *fields = http_fields(r);
	const char *password = NULL, *username = NULL;
	size_t plen = 0, ulen = 0;
	enum err_code rc;
	int purge = 0;

	rc = json_only(r->json, allowed, fields);
	if (json_get_text(r->json, "password", 0, 1, JSON_PASSWORD_MAX, 0,
	        &password, &plen, fields))
		rc = ERR_VALIDATION;
	if (json_get_text(r->json, "username", 0, 1, 64, 1, &username, &ulen,
	        fields))
		rc = ERR_VALIDATION;
	if (json_get_bool(r->json, "purge", 0, &purge, fields))
		rc = ERR_VALIDATION;
	if (rc)
		goto out;
	rc = users_confirm(r, password, plen, username, ulen);
	if (rc)
		goto out;
	rc = useradm_delete(r->user_id, purge, NULL);
	if (rc == ERR_NOT_FOUND)
		rc = ERR_UNAUTHENTICATED;
	if (rc)
		goto out;
	log_info("user %lld deleted their account%s", (long long)r->user_id,
	    purge ? " and messages" : "");
	auth_clear_cookies(r);
	http_reply_empty(r);
out:
	return rc;
}

/* The target of a site admin's action: not another site admin (their
 * role is taken away with easychat-admin first), not oneself. */
static enum err_code
users_admin_target(struct http_req *r)
{
	struct db_res *res = NULL;
	enum err_code rc;

	rc = acl_site_admin(r->user_id);
	if (rc == ERR_FORBIDDEN)
		rc = http_fail(r, rc, "Only a site admin can do that.");
	if (rc)
		goto out;
	if (r->ids[0] == r->user_id) {
		rc = http_fail(r, ERR_FORBIDDEN,
		    "Not on your own account (DELETE /api/users/me deletes "
		    "it).");
		goto out;
	}
	rc = db_query(&res, "SELECT is_site_admin FROM users WHERE id = $1",
	    DB_I64(r->ids[0]));
	if (rc)
		goto out;
	if (db_rows(res) != 1)
		rc = http_fail(r, ERR_NOT_FOUND, "No such user.");
	else if (db_bool(res, 0, 0))
		rc = http_fail(r, ERR_FORBIDDEN,
		    "Not on another site admin (easychat-admin revoke-admin "
		    "first).");
out:
	db_res_free(res);
	return rc;
}

enum err_code
users_delete(struct http_req *r)
{
	static const char *const allowed[] = { "purge", NULL };
	struct json_object *fields = http_fields(r);
	enum err_code rc;
	int purge = 0;

	rc = json_only(r->json, allowed, fields);
	if (json_get_bool(r->json, "purge", 0, &purge, fields))
		rc = ERR_VALIDATION;
	if (rc)
		goto out;
	rc = users_admin_target(r);
	if (rc)
		goto out;
	rc = useradm_delete(r->ids[0], purge, NULL);
	if (rc == ERR_NOT_FOUND)
		rc = http_fail(r, rc, "No such user.");
	if (rc)
		goto out;
	log_info("site admin %lld deleted user %lld%s", (long long)r->user_id,
	    (long long)r->ids[0], purge ? " and their messages" : "");
	http_reply_empty(r);
out:
	return rc;
}

/* POST /api/users/{id}/disable and /enable. */
static enum err_code
users_set_active(struct http_req *r, int active)
{
	enum err_code rc;

	rc = json_only(r->json, (const char *const[]){ NULL }, http_fields(r));
	if (rc)
		goto out;
	rc = users_admin_target(r);
	if (rc)
		goto out;
	rc = useradm_set_active(r->ids[0], active);
	if (rc == ERR_NOT_FOUND)
		rc = http_fail(r, rc, "No such user.");
	if (rc)
		goto out;
	log_info("site admin %lld %s user %lld", (long long)r->user_id,
	    active ? "enabled" : "disabled", (long long)r->ids[0]);
	http_reply_empty(r);
out:
	return rc;
}

enum err_code
users_disable(struct http_req *r)
{
	return users_set_active(r, 0);
}

enum err_code
users_enable(struct http_req *r)
{
	return users_set_active(r, 1);
}
