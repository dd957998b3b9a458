/* verify.c - optional e-mail verification at sign-up (EMAIL_VERIFY=1).
 *
 * Like reset.c: the link carries a random token in its fragment
 * (#token=...), the database keeps only its SHA-256, the mail leaves the
 * box through the outbox (written in the statement that records the
 * token, so a mail exists exactly when its link does), and a link works
 * once within VERIFY_TTL seconds (default 3600). A link proves the
 * address it was sent to, so a link for an address the account has since
 * changed verifies nothing. Until verified, an address receives no
 * password reset link (reset.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "app.h"
#include "cfg.h"
#include "db.h"
#include "json.h"
#include "log.h"
#include "mail.h"
#include "sec.h"
#include "verify.h"
#include "wire.h"

#define VERIFY_TOKEN_BYTES 32
#define VERIFY_WINDOW      3600

static const char verify_subject[] =
    "Confirm your e-mail address for Easy Chat";
/* format(): %1$s the username, %2$s the link, %3$s minutes of validity */
static const char verify_text[] =
    "This address was given for the Easy Chat account \"%1$s\".\n\n"
    "To confirm that it is yours, open this link within %3$s minutes:\n\n"
    "%2$s\n\n"
    "The link works once. Until the address is confirmed, it receives no\n"
    "password reset links. If you did not sign up, ignore this mail.\n";

int
verify_enabled(void)
{
	return cfg_get_long("EMAIL_VERIFY", 0) == 1 && mail_enabled();
}

/* Records a link for `user_id`'s address and queues its mail, unless the
 * account has no address, has it verified, or got `max` links in the
 * last hour. `*res` gets one row (none for an unknown or disabled
 * account): has no address, is verified, is rate limited. */
static enum err_code
verify_queue(int64_t user_id, long max, struct db_res **res)
{
	char token[SEC_TOKEN_MAX], digest[SEC_DIGEST_HEX], minutes[24];
	const char *origin;
	char *link = NULL;
	long ttl = cfg_get_long("VERIFY_TTL", 3600);
	enum err_code rc;

	sec_token(token, VERIFY_TOKEN_BYTES);
	sec_digest_hex(token, strlen(token), digest);
	origin = cfg.norigins ? cfg.origins[0] : "http://127.0.0.1";
	if (asprintf(&link, "%s/verify-email#token=%s", origin, token) < 0) {
		link = NULL;
		rc = ERR_INTERNAL;
		goto out;
	}
	snprintf(minutes, sizeof(minutes), "%ld", ttl / 60);
	rc = db_query(res,
	    "WITH u AS ("
	    " SELECT id, username, email, email_verified_at,"
	    "  (SELECT count(*) FROM email_verifications v"
	    "   WHERE v.user_id = users.id"
	    "   AND v.created_at > now() - interval '1 hour') AS recent"
	    " FROM users WHERE id = $1 AND is_active),"
	    " s AS (SELECT * FROM u WHERE email IS NOT NULL"
	    "  AND email_verified_at IS NULL AND recent < $2),"
	    " v AS (INSERT INTO email_verifications (user_id, email, "
	    "token_hash, expires_at)"
	    "  SELECT id, email, $3, now() + make_interval(secs => $4) FROM s),"
	    " o AS (INSERT INTO outbox (kind, payload)"
	    "  SELECT 'mail', jsonb_build_object('to', email, 'subject', "
	    "$5::text, 'text', format($6::text, username, $7::text, "
	    "$8::text))"
	    "  FROM s RETURNING id)"
	    " SELECT email IS NULL, email_verified_at IS NOT NULL,"
	    "  recent >= $2, (SELECT count(*) FROM o),"
	    "  pg_notify('" WIRE_PG_OUTBOX "', '')"
	    " FROM u",
	    DB_I64(user_id), DB_I64(max), DB_TEXT(digest), DB_I64(ttl),
	    DB_TEXT(verify_subject), DB_TEXT(verify_text), DB_TEXT(link),
	    DB_TEXT(minutes));
out:
	sodium_memzero(token, sizeof(token));
	if (link != NULL)
		sodium_memzero(link, strlen(link));
	free(link);
	return rc;
}

enum err_code
verify_queue_signup(int64_t user_id)
{
	struct db_res *res = NULL;
	enum err_code rc;

	if (!verify_enabled())
		return ERR_OK;
	rc = verify_queue(user_id, cfg_get_long("VERIFY_PER_HOUR", 3), &res);
	if (!rc && db_rows(res) && db_int(res, 0, 3) > 0)
		log_info("verification mail queued for user %lld",
		    (long long)user_id);
	db_res_free(res);
	return rc;
}

enum err_code
verify_resend(struct http_req *r)
{
	static const char *const allowed[] = { NULL };
	struct json_object *fields = http_fields(r);
	struct db_res *res = NULL;
	enum err_code rc;

	if (!verify_enabled()) {
		rc = http_fail(r, ERR_NOT_ENABLED,
		    "E-mail verification is not set up on this server.");
		goto out;
	}
	rc = json_only(r->json, allowed, fields);
	if (rc)
		goto out;
	rc = verify_queue(r->user_id, cfg_get_long("VERIFY_PER_HOUR", 3), &res);
	if (rc)
		goto out;
	if (db_rows(res) == 0) {
		rc = ERR_UNAUTHENTICATED;
	} else if (db_bool(res, 0, 0)) {
		rc = http_fail(r, ERR_CONFLICT,
		    "The account has no e-mail address to verify.");
	} else if (db_bool(res, 0, 1)) {
		rc = http_fail(r, ERR_CONFLICT,
		    "The e-mail address is already verified.");
	} else if (db_bool(res, 0, 2)) {
		r->retry_after = VERIFY_WINDOW;
		rc = http_fail(r, ERR_RATE_LIMITED,
		    "Too many verification mails for this account; try again "
		    "in an hour.");
	} else {
		http_reply_json(r, 202, json_object_new_object());
	}
out:
	db_res_free(res);
	return rc;
}

enum err_code
verify_confirm(struct http_req *r)
{
	static const char *const allowed[] = { "token", NULL };
	struct json_object *fields = http_fields(r);
	struct db_res *res = NULL;
	const char *token = NULL;
	char digest[SEC_DIGEST_HEX];
	size_t tlen = 0;
	enum err_code rc;

	rc = json_only(r->json, allowed, fields);
	if (json_get_text(r->json, "token", 1, 1, SEC_TOKEN_MAX - 1, 0, &token,
	        &tlen, fields))
		rc = ERR_VALIDATION;
	if (rc)
		goto out;
	sec_digest_hex(token, tlen, digest);
	/* use the link (once, even against a parallel use), verify the
	 * address if it is still the account's, use up the other links */
	rc = db_query(&res,
	    "WITH v AS (UPDATE email_verifications SET used_at = now()"
	    "  WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now()"
	    "  RETURNING user_id, email),"
	    " u AS (UPDATE users SET email_verified_at = now() FROM v"
	    "  WHERE users.id = v.user_id AND users.is_active"
	    "  AND lower(users.email) = lower(v.email) RETURNING users.id),"
	    " x AS (UPDATE email_verifications SET used_at = now()"
	    "  WHERE user_id IN (SELECT id FROM u) AND used_at IS NULL"
	    "  AND token_hash <> $1)"
	    " SELECT (SELECT count(*) FROM v), (SELECT max(id) FROM u)",
	    DB_TEXT(digest));
	if (rc)
		goto out;
	if (db_int(res, 0, 0) == 0) {
		rc = json_field_error(fields, "token",
		    "This link is invalid, already used or expired; ask for a "
		    "new one.");
		goto out;
	}
	if (db_value(res, 0, 1) == NULL) {
		rc = json_field_error(fields, "token",
		    "This link was sent to an address the account no longer "
		    "has.");
		goto out;
	}
	log_info("e-mail address verified for user %lld",
	    (long long)db_int(res, 0, 1));
	http_reply_empty(r);
out:
	db_res_free(res);
	return rc;
}
