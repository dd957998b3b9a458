/* reset.c - "forgot password": a single-use, short-lived link by e-mail.
 *
 * The request answers the same (202, an empty object) for known and
 * unknown addresses, and does the same work for both: one statement that
 * finds the active accounts with the address, records a hashed token for
 * each and writes the mails to the outbox, in one transaction; the link
 * leaves the box when easychat-deliver sends the mail, never in the
 * answer. The link carries the token in its fragment (#token=...), so it
 * reaches no server log and no Referer. Using it sets the password, uses
 * up every other link of the account and revokes every session
 * (auth_session_revoke_user: websockets close at once).
 *
 * Limits: RESET_PER_ADDR requests (forgot and reset together) per client
 * address per hour (Redis, 429), RESET_PER_ACCOUNT mails per account per
 * hour (PostgreSQL; above it the request still answers 202 and sends
 * nothing), RESET_TTL seconds of validity (default 1800).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "app.h"
#include "auth.h"
#include "cfg.h"
#include "db.h"
#include "json.h"
#include "limit.h"
#include "log.h"
#include "mail.h"
#include "mem.h"
#include "rds.h"
#include "reset.h"
#include "sec.h"
#include "verify.h"
#include "wire.h"

/* Accounts that may share one address and get a link each. */
#define RESET_ACCOUNTS_MAX 5
#define RESET_TOKEN_BYTES  32
#define RESET_WINDOW       3600

static const char reset_subject[] = "Reset your Easy Chat password";
/* format(): %1$s the username, %2$s the link, %3$s minutes of validity */
static const char reset_text[] =
    "Someone (hopefully you) asked to reset the password of the Easy Chat\n"
    "account \"%1$s\".\n\n"
    "To choose a new password, open this link within %3$s minutes:\n\n"
    "%2$s\n\n"
    "The link works once. Using it signs the account out everywhere.\n"
    "If you did not ask for this, ignore this mail: nothing changes.\n";

/* Counts one request of the client address; 429 above RESET_PER_ADDR. */
static enum err_code
reset_limited(struct http_req *r)
{
	char key[WIRE_NAME_MAX];
	long long count = 0;
	long max = cfg_get_long("RESET_PER_ADDR", 10);

	if (max <= 0)
		return ERR_OK;
	wire_key_rl_reset_addr(key, r->remote_addr);
	if (rds_incr(key, RESET_WINDOW, &count))
		return ERR_OK; /* protection, not correctness (limit.h) */
	if (count > max) {
		r->retry_after = RESET_WINDOW;
		return http_fail(r, ERR_RATE_LIMITED,
		    "Too many password reset requests from this address; try "
		    "again in an hour.");
	}
	return ERR_OK;
}

enum err_code
reset_forgot(struct http_req *r)
{
	static const char *const allowed[] = { "email", NULL };
	struct json_object *fields = http_fields(r);
	struct db_res *res = NULL;
	struct buf hashes, tokens;
	const char *email = NULL, *origin;
	char token[SEC_TOKEN_MAX], digest[SEC_DIGEST_HEX], minutes[24];
	char *addr = NULL, *link = NULL;
	long ttl = cfg_get_long("RESET_TTL", 1800);
	size_t elen = 0;
	enum err_code rc;
	int i;

	buf_init(&hashes, 4096);
	buf_init(&tokens, 4096);
	if (!mail_enabled()) {
		rc = http_fail(r, ERR_NOT_ENABLED,
		    "Password reset by e-mail is not set up on this server.");
		goto out;
	}
	rc = json_only(r->json, allowed, fields);
	if (json_get_email(r->json, "email", 1, &email, &elen, fields))
		rc = ERR_VALIDATION;
	else if (elen == 0)
		rc = json_field_error(fields, "email", "is required");
	if (rc)
		goto out;
	rc = reset_limited(r);
	if (rc)
		goto out;

	/* A token for each account the address may have; the statement
	 * takes as many as it finds accounts (none for an unknown one). */
	buf_putc(&hashes, '{');
	buf_putc(&tokens, '{');
	for (i = 0; i < RESET_ACCOUNTS_MAX; i++) {
		sec_token(token, RESET_TOKEN_BYTES);
		sec_digest_hex(token, strlen(token), digest);
		buf_printf(&hashes, "%s%s", i ? "," : "", digest);
		buf_printf(&tokens, "%s%s", i ? "," : "", token);
	}
	buf_putc(&hashes, '}');
	rc = buf_putc(&tokens, '}');
	if (rc)
		goto out;
	origin = cfg.norigins ? cfg.origins[0] : "http://127.0.0.1";
	if (asprintf(&link, "%s/reset-password#token=", origin) < 0) {
		link = NULL;
		rc = ERR_INTERNAL;
		goto out;
	}
	addr = mem_strndup(email, elen);
	snprintf(minutes, sizeof(minutes), "%ld", ttl / 60);
	rc = db_query(&res,
	    "WITH u AS ("
	    " SELECT id, username, email,"
	    "  row_number() OVER (ORDER BY id) AS n FROM users"
	    " WHERE lower(email) = lower($1) AND is_active"
	    " AND (email_verified_at IS NOT NULL OR NOT $11::boolean)"
	    " AND (SELECT count(*) FROM password_resets p"
	    "      WHERE p.user_id = users.id"
	    "      AND p.created_at > now() - interval '1 hour') < $2"
	    " ORDER BY id LIMIT $3),"
	    " r AS (INSERT INTO password_resets (user_id, token_hash, "
	    "expires_at)"
	    "  SELECT id, ($4::text[])[n], now() + make_interval(secs => $5)"
	    "  FROM u),"
	    " o AS (INSERT INTO outbox (kind, payload)"
	    "  SELECT 'mail', jsonb_build_object('to', email, 'subject', "
	    "$6::text,"
	    "   'text', format($7::text, username,"
	    "                  $8::text || ($9::text[])[n], $10::text))"
	    "  FROM u RETURNING id)"
	    " SELECT count(*), pg_notify('" WIRE_PG_OUTBOX "', '') FROM o",
	    DB_TEXT(addr), DB_I64(cfg_get_long("RESET_PER_ACCOUNT", 3)),
	    DB_I64(RESET_ACCOUNTS_MAX), DB_TEXT(hashes.data), DB_I64(ttl),
	    DB_TEXT(reset_subject), DB_TEXT(reset_text), DB_TEXT(link),
	    DB_TEXT(tokens.data), DB_TEXT(minutes), DB_BOOL(verify_enabled()));
	if (rc)
		goto out;
	if (db_int(res, 0, 0) > 0)
		log_info("password reset mail queued (%lld)",
		    (long long)db_int(res, 0, 0));
	http_reply_json(r, 202, json_object_new_object());
out:
	if (tokens.data != NULL)
		sodium_memzero(tokens.data, tokens.len);
	buf_release(&hashes);
	buf_release(&tokens);
	db_res_free(res);
	free(link);
	free(addr);
	return rc;
}

/* The answer for a token that opens no link: 400 on fields.token. */
static enum err_code
reset_link_refused(struct json_object *fields)
{
	return json_field_error(fields, "token",
	    "This link is invalid, already used or expired; ask for a new "
	    "one.");
}

enum err_code
reset_confirm(struct http_req *r)
{
	static const char *const allowed[] = { "token", "password", NULL };
	struct json_object *fields = http_fields(r);
	struct db_res *res = NULL;
	const char *token = NULL, *password = NULL;
	char digest[SEC_DIGEST_HEX], hash[SEC_HASH_MAX];
	size_t tlen = 0, plen = 0;
	int64_t user_id;
	enum err_code rc;

	rc = json_only(r->json, allowed, fields);
	if (json_get_text(r->json, "token", 1, 1, SEC_TOKEN_MAX - 1, 0, &token,
	        &tlen, fields))
		rc = ERR_VALIDATION;
	if (json_get_text(r->json, "password", 1, JSON_PASSWORD_MIN,
	        JSON_PASSWORD_MAX, 0, &password, &plen, fields))
		rc = ERR_VALIDATION;
	if (rc)
		goto out;
	rc = reset_limited(r);
	if (rc)
		goto out;
	sec_digest_hex(token, tlen, digest);

	/* the cheap check first: hashing a password costs 19 MiB */
	rc = db_query(&res,
	    "SELECT p.user_id FROM password_resets p JOIN users u"
	    " ON u.id = p.user_id AND u.is_active"
	    " WHERE p.token_hash = $1 AND p.used_at IS NULL"
	    " AND p.expires_at > now()",
	    DB_TEXT(digest));
	if (rc)
		goto out;
	if (db_rows(res) == 0) {
		rc = reset_link_refused(fields);
		goto out;
	}
	db_res_free(res);
	res = NULL;

	rc = limit_password_hash(r, password, plen, hash);
	if (rc)
		goto out;
	/* use the link (once, even against a parallel use), set the
	 * password, use up the account's other links */
	rc = db_query(&res,
	    "WITH p AS (UPDATE password_resets SET used_at = now()"
	    "  WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now()"
	    "  RETURNING user_id),"
	    " u AS (UPDATE users SET password_hash = $2 FROM p"
	    "  WHERE users.id = p.user_id AND users.is_active RETURNING "
	    "users.id),"
	    " x AS (UPDATE password_resets SET used_at = now()"
	    "  WHERE user_id IN (SELECT id FROM u) AND used_at IS NULL"
	    "  AND token_hash <> $1)"
	    " SELECT id FROM u",
	    DB_TEXT(digest), DB_TEXT(hash));
	if (rc)
		goto out;
	if (db_rows(res) == 0) {
		rc = reset_link_refused(fields);
		goto out;
	}
	user_id = db_int(res, 0, 0);
	rc = auth_session_revoke_user(user_id, 0);
	if (rc)
		goto out;
	log_info("password reset by mail link for user %lld",
	    (long long)user_id);
	http_reply_empty(r);
out:
	db_res_free(res);
	return rc;
}
