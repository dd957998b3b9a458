/* account.c - the account resource of the auth program: sign-up,
 * sign-in, tokens, sessions, tickets.
 *
 * Every handler reads top to bottom.  Sessions and cookies live in
 * common/auth.c, shared with the auto-refresh of every other program.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "auth.h"
#include "avatar.h"
#include "cfg.h"
#include "db.h"
#include "json.h"
#include "limit.h"
#include "log.h"
#include "mail.h"
#include "mem.h"
#include "oauth.h"
#include "pwcheck.h"
#include "rds.h"
#include "sec.h"
#include "wire.h"

#include "account.h"
#include "verify.h"

#define ACCOUNT_TICKET_TTL 30

/* A valid argon2id hash of a random password: login for an unknown user
 * verifies against it so that the answer takes as long as for a known
 * one. */
static char account_dummy_hash[SEC_HASH_MAX];

/* Reads and checks username and password from the body. */
static enum err_code
account_read_credentials(struct http_req *r, const char **username,
    size_t *ulen, const char **password, size_t *plen, int strict)
{
	struct json_object *fields = http_fields(r);
	enum err_code rc = ERR_OK;

	/* Sign-up enforces the username rules; sign-in takes any text (a
	 * wrong one simply does not exist). */
	if (strict ? json_get_username(r->json, "username", 1, username, ulen,
	                 fields)
	           : json_get_text(r->json, "username", 1, 1, 256, 1, username,
	                 ulen, fields))
		rc = ERR_VALIDATION;
	if (json_get_text(r->json, "password", 1,
	        strict ? JSON_PASSWORD_MIN : 1, JSON_PASSWORD_MAX, 0, password,
	        plen, fields))
		rc = ERR_VALIDATION;
	return rc;
}

/* Loads the common-password blocklist (PASSWORD_BLOCKLIST) the first
 * time a password is chosen in this process. */
static enum err_code
account_password_policy(void)
{
	return pwcheck_load(cfg_get("PASSWORD_BLOCKLIST", ""));
}

/* Answers `{"user": ...}` for the user with `status`. */
static enum err_code
account_reply_user(struct http_req *r, int status, int64_t user_id)
{
	struct json_object *root, *user;
	enum err_code rc;
	char *json = NULL;

	rc = auth_user_json(user_id, 1, &json);
	if (rc)
		return rc == ERR_NOT_FOUND ? ERR_UNAUTHENTICATED : rc;
	rc = json_parse(json, strlen(json), &user);
	free(json);
	if (rc)
		return ERR_INTERNAL;
	root = json_object_new_object();
	json_object_object_add(root, "user", user);
	http_reply_json(r, status, root);
	return ERR_OK;
}

static void
account_iso_time(long t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%S.000Z", &tm);
}

/* Answers the tokens in the body (bearer clients). */
static void
account_reply_tokens(struct http_req *r, const struct auth_tokens *t)
{
	struct json_object *root = json_object_new_object();
	char when[32];

	account_iso_time(t->access_expires_at, when);
	json_object_object_add(root, "access",
	    json_object_new_string(t->access));
	if (t->refresh[0] != '\0')
		json_object_object_add(root, "refresh",
		    json_object_new_string(t->refresh));
	json_object_object_add(root, "expires_in",
	    json_object_new_int64(cfg.access_lifetime));
	json_object_object_add(root, "access_expires_at",
	    json_object_new_string(when));
	http_reply_json(r, 200, root);
}

enum err_code
account_signup(struct http_req *r)
{
	static const char *const allowed[] = { "username", "password", "email",
		"full_name", NULL };
	struct json_object *fields = http_fields(r);
	struct auth_tokens t = { 0 };
	struct db_res *res = NULL;
	const char *username = NULL, *password = NULL, *email = NULL;
	const char *full_name = NULL, *why;
	char hash[SEC_HASH_MAX];
	size_t ulen = 0, plen = 0, elen = 0, flen = 0;
	enum err_code rc;
	char *u = NULL, *e = NULL, *f = NULL;
	int64_t user_id;

	rc = json_only(r->json, allowed, fields);
	if (account_read_credentials(r, &username, &ulen, &password, &plen, 1))
		rc = ERR_VALIDATION;
	if (json_get_email(r->json, "email", 0, &email, &elen, fields))
		rc = ERR_VALIDATION;
	if (json_get_text(r->json, "full_name", 0, 0, JSON_FULL_NAME_MAX, 1,
	        &full_name, &flen, fields))
		rc = ERR_VALIDATION;
	if (rc)
		goto out;
	rc = account_password_policy();
	if (rc)
		goto out;
	why = pwcheck_refusal(password, plen, username, ulen);
	if (why != NULL) {
		rc = json_field_error(fields, "password", why);
		goto out;
	}

	/* Hashing costs 19 MiB and tens of milliseconds: only a few
	 * sign-ups at once, so that sign-ins always find a process. */
	rc = limit_password_hash(r, password, plen, hash);
	if (rc)
		goto out;
	u = mem_strndup(username, ulen);
	e = email && elen ? mem_strndup(email, elen) : NULL;
	f = mem_strndup(full_name ? full_name : "", flen);
	rc = db_query(&res,
	    "WITH u AS (INSERT INTO users (username, email, password_hash) "
	    "VALUES ($1, $2, $3) RETURNING id) "
	    "INSERT INTO profiles (user_id, full_name) SELECT id, $4 FROM u "
	    "RETURNING user_id",
	    DB_TEXT(u), DB_TEXT(e), DB_TEXT(hash), DB_TEXT(f));
	if (rc == ERR_CONFLICT) {
		rc = http_fail(r, ERR_USERNAME_TAKEN, NULL);
		goto out;
	}
	if (rc)
		goto out;
	user_id = db_int(res, 0, 0);
	/* A picture of their own, drawn from the id; should drawing fail,
	 * the default the row was given stays. */
	if (avatar_assign(user_id))
		log_warn("user %lld keeps a default icon", (long long)user_id);
	/* The account stands without it: the banner offers a resend. */
	if (e != NULL && verify_queue_signup(user_id))
		log_warn("no verification mail for user %lld",
		    (long long)user_id);
	rc = auth_session_start(user_id, &t);
	if (rc)
		goto out;
	auth_set_cookies(r, &t);
	log_info("signed up user %lld", (long long)user_id);
	rc = account_reply_user(r, 201, user_id);
out:
	auth_tokens_release(&t);
	db_res_free(res);
	free(u);
	free(e);
	free(f);
	return rc;
}

/* 1 when `s` could be a username: 5-45 of [A-Za-z0-9_-] (ASCII only,
 * so that lower-casing here and in PostgreSQL agree). */
static int
account_username_plausible(const char *s, size_t n)
{
	size_t i;

	if (n < JSON_USERNAME_MIN || n > JSON_USERNAME_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '-')
			return 0;
	}
	return 1;
}

/* For sign-in with an e-mail address: *username becomes the username of
 * the one active account with that address (a malloc()ed copy in *owned),
 * so that both spellings share that username's failure budget.  An
 * address that is not ASCII, or that no single account has, is left as
 * it is: it matches no username and counts as a failure under its own
 * key. */
static enum err_code
account_resolve_email(const char **username, size_t *ulen, char **owned)
{
	struct db_res *res = NULL;
	enum err_code rc = ERR_OK;
	char *e = NULL;
	size_t i;

	*owned = NULL;
	if (memchr(*username, '@', *ulen) == NULL || *ulen > JSON_EMAIL_MAX)
		goto out;
	/* ASCII only, for the same reason as account_username_plausible. */
	for (i = 0; i < *ulen; i++) {
		if ((unsigned char)(*username)[i] >= 0x80 ||
		    (unsigned char)(*username)[i] <= 0x20)
			goto out;
	}
	e = mem_strndup(*username, *ulen);
	rc = db_query(&res,
	    "SELECT username FROM users "
	    "WHERE lower(email) = lower($1) AND is_active LIMIT 2",
	    DB_TEXT(e));
	if (rc || db_rows(res) != 1)
		goto out;
	*owned = mem_strdup(db_value(res, 0, 0));
	*username = *owned;
	*ulen = strlen(*owned);
out:
	db_res_free(res);
	free(e);
	return rc;
}

static enum err_code
account_login_limited(struct http_req *r, const char *ukey, const char *akey)
{
	long long count;
	long ttl;
	enum err_code rc;

	rc = rds_counter(ukey, &count, &ttl);
	if (rc)
		return rc;
	if (count >= cfg.login_fails_user) {
		r->retry_after = ttl > 0 ? ttl : cfg.login_fail_window;
		return http_fail(r, ERR_RATE_LIMITED,
		    "Too many failed sign-ins for this username; try later.");
	}
	rc = rds_counter(akey, &count, &ttl);
	if (rc)
		return rc;
	if (count >= cfg.login_fails_addr) {
		r->retry_after = ttl > 0 ? ttl : cfg.login_fail_window;
		return http_fail(r, ERR_RATE_LIMITED,
		    "Too many failed sign-ins from this address; try later.");
	}
	return ERR_OK;
}

/* Checks the credentials in the body; on ERR_OK *user_id is the user. */
static enum err_code
account_check_login(struct http_req *r, int64_t *user_id)
{
	static const char *const allowed[] = { "username", "password", NULL };
	struct db_res *res = NULL;
	const char *username = NULL, *password = NULL;
	char ukey[WIRE_NAME_MAX], akey[WIRE_NAME_MAX];
	size_t ulen = 0, plen = 0;
	long long count;
	enum err_code rc;
	char *u = NULL, *by_email = NULL;
	int ok, plausible;

	rc = json_only(r->json, allowed, http_fields(r));
	if (account_read_credentials(r, &username, &ulen, &password, &plen, 0))
		rc = ERR_VALIDATION;
	if (rc)
		goto out;
	/* "username" may also be the account's e-mail address. */
	rc = account_resolve_email(&username, &ulen, &by_email);
	if (rc)
		goto out;
	plausible = account_username_plausible(username, ulen);
	if (ulen > JSON_USERNAME_MAX)
		ulen = JSON_USERNAME_MAX + 1; /* cannot exist; still counted */
	wire_key_rl_login_user(ukey, username, ulen);
	wire_key_rl_login_addr(akey, r->remote_addr);
	rc = account_login_limited(r, ukey, akey);
	if (rc)
		goto out;

	/* A name outside the username alphabet never reaches the lookup:
	 * PostgreSQL's lower() folds more than ASCII (U+212A KELVIN SIGN
	 * becomes "k"), so such a spelling would find a user under a
	 * limiter key of its own and bypass that user's budget. */
	if (plausible) {
		u = mem_strndup(username, ulen);
		rc = db_query(&res,
		    "SELECT id, password_hash FROM users "
		    "WHERE lower(username) = lower($1) AND is_active",
		    DB_TEXT(u));
		if (rc)
			goto out;
	}
	if (plausible && db_rows(res) == 1 && db_value(res, 0, 1) != NULL) {
		ok = sec_password_verify(db_value(res, 0, 1), password, plen);
		*user_id = db_int(res, 0, 0);
	} else {
		sec_password_verify(account_dummy_hash, password, plen);
		ok = 0;
	}
	if (!ok) {
		rds_incr(ukey, cfg.login_fail_window, &count);
		rds_incr(akey, cfg.login_fail_window, &count);
		rc = ERR_INVALID_CREDENTIALS;
	}
out:
	db_res_free(res);
	free(u);
	free(by_email);
	return rc;
}

/* Checks the credentials and starts a session: cookies and {user} for
 * browsers (login), the tokens in the body for API clients (token). */
static enum err_code
account_sign_in(struct http_req *r, int cookies)
{
	struct auth_tokens t = { 0 };
	int64_t user_id = 0;
	enum err_code rc;

	rc = account_check_login(r, &user_id);
	if (rc)
		goto out;
	rc = auth_session_start(user_id, &t);
	if (rc)
		goto out;
	if (cookies) {
		auth_set_cookies(r, &t);
		rc = account_reply_user(r, 200, user_id);
	} else {
		account_reply_tokens(r, &t);
	}
out:
	auth_tokens_release(&t);
	return rc;
}

enum err_code
account_login(struct http_req *r)
{
	return account_sign_in(r, 1);
}

enum err_code
account_token(struct http_req *r)
{
	return account_sign_in(r, 0);
}

/* The refresh token from the body ("refresh"), if any; *in_body says so. */
static enum err_code
account_body_refresh(struct http_req *r, const char **token, int *in_body)
{
	static const char *const allowed[] = { "refresh", NULL };
	struct json_object *fields = http_fields(r);
	enum err_code rc;

	*token = NULL;
	*in_body = 0;
	rc = json_only(r->json, allowed, fields);
	if (json_get_text(r->json, "refresh", 0, 1, 128, 1, token, NULL,
	        fields))
		rc = ERR_VALIDATION;
	if (rc == ERR_OK && *token != NULL)
		*in_body = 1;
	return rc;
}

enum err_code
account_refresh(struct http_req *r)
{
	struct auth_tokens t = { 0 };
	struct json_object *root;
	const char *token;
	char when[32];
	enum err_code rc;
	int in_body;

	rc = account_body_refresh(r, &token, &in_body);
	if (rc)
		goto out;
	if (in_body) {
		rc = auth_session_rotate(token, 0, &t);
		if (rc)
			goto out;
		account_reply_tokens(r, &t);
		goto out;
	}
	token = http_cookie(r, cfg.refresh_cookie);
	if (token == NULL || token[0] == '\0') {
		rc = http_fail(r, ERR_UNAUTHENTICATED, "No refresh token.");
		goto out;
	}
	rc = auth_session_rotate(token, auth_refresh_grace(), &t);
	if (rc) {
		if (rc == ERR_TOKEN_INVALID)
			auth_clear_cookies(r);
		goto out;
	}
	auth_set_cookies(r, &t);
	account_iso_time(t.access_expires_at, when);
	root = json_object_new_object();
	json_object_object_add(root, "access_expires_at",
	    json_object_new_string(when));
	http_reply_json(r, 200, root);
out:
	auth_tokens_release(&t);
	return rc;
}

enum err_code
account_logout(struct http_req *r)
{
	const char *token;
	enum err_code rc;
	int in_body;

	rc = account_body_refresh(r, &token, &in_body);
	if (rc)
		return rc;
	if (!in_body)
		token = http_cookie(r, cfg.refresh_cookie);
	if (token != NULL && token[0] != '\0') {
		rc = auth_session_revoke_token(token);
		if (rc)
			return rc;
	}
	if (r->family_id) {
		rc = auth_session_revoke(r->family_id);
		if (rc)
			return rc;
	}
	auth_clear_cookies(r);
	http_reply_empty(r);
	return ERR_OK;
}

enum err_code
account_me(struct http_req *r)
{
	return account_reply_user(r, 200, r->user_id);
}

enum err_code
account_session(struct http_req *r)
{
	struct json_object *root;

	if (r->user_id)
		return account_reply_user(r, 200, r->user_id);
	/* Signed out is an answer here, not an error: the browser app asks
	 * on every page load and a 401 would be logged in the console. */
	root = json_object_new_object();
	json_object_object_add(root, "user", NULL);
	http_reply_json(r, 200, root);
	return ERR_OK;
}

enum err_code
account_providers(struct http_req *r)
{
	struct json_object *root = json_object_new_object();

	json_object_object_add(root, "password", json_object_new_boolean(1));
	json_object_object_add(root, "google",
	    json_object_new_boolean(cfg.oauth_google.enabled));
	json_object_object_add(root, "github",
	    json_object_new_boolean(cfg.oauth_github.enabled));
	json_object_object_add(root, "password_reset",
	    json_object_new_boolean(mail_enabled()));
	json_object_object_add(root, "email_verify",
	    json_object_new_boolean(verify_enabled()));
	http_reply_json(r, 200, root);
	return ERR_OK;
}

enum err_code
account_ws_ticket(struct http_req *r)
{
	struct json_object *root;
	char ticket[SEC_TOKEN_MAX], key[WIRE_NAME_MAX], value[64];
	enum err_code rc;

	sec_token(ticket, 24);
	rc = wire_key_ticket(key, ticket, strlen(ticket));
	if (rc)
		return rc;
	snprintf(value, sizeof(value), "%lld:%lld", (long long)r->user_id,
	    (long long)r->family_id);
	rc = rds_set(key, value, ACCOUNT_TICKET_TTL);
	if (rc)
		return rc;
	root = json_object_new_object();
	json_object_object_add(root, "ticket", json_object_new_string(ticket));
	json_object_object_add(root, "expires_in",
	    json_object_new_int(ACCOUNT_TICKET_TTL));
	http_reply_json(r, 200, root);
	return ERR_OK;
}

enum err_code
account_init(void)
{
	char pw[SEC_TOKEN_MAX];
	enum err_code rc;

	rc = sec_init();
	if (rc)
		return rc;
	sec_token(pw, 24);
	return sec_password_hash(pw, strlen(pw), account_dummy_hash);
}
