/* auth.h - sessions (refresh-token families) and request authentication.
 *
 * A session is a family of single-use refresh tokens, stored only as
 * SHA-256 hashes.  Presenting a used token revokes the whole family;
 * revoking a family also puts its id on a revocation list in Redis for as
 * long as an access token lives, so its access tokens stop at once.
 *
 * auth_request() identifies the caller of a request: the Bearer token if
 * there is an Authorization header (cookies are then ignored), otherwise
 * the access cookie, refreshed on the fly from the refresh cookie when it
 * is missing or expired (new cookies are set on the response).  The
 * session's revocation mark and the request's rate-limit tokens
 * (limit.h) are one Redis call.
 *
 * Layer: domain (common/README.md) - chat rules over the base; may
 * include base and domain headers.
 */
#ifndef EC_AUTH_H
#define EC_AUTH_H

#include <stdint.h>

#include "err.h"
#include "http.h"
#include "sec.h"
#include "wire.h"

/* A used refresh token presented again within this many seconds
 * (REFRESH_GRACE_SECONDS) by the cookie paths (parallel requests from one
 * browser) gets the same successor its first use got, at most
 * REFRESH_GRACE_REPLAYS (3) times, instead of revoking the family. */
#define AUTH_REUSE_GRACE 10

struct auth_tokens {
	char *access;                /* JWT, malloc()ed */
	char refresh[SEC_TOKEN_MAX]; /* "" when not rotated */
	long access_expires_at;      /* unix seconds */
	int64_t user_id;
	int64_t session_id;
};

void auth_tokens_release(struct auth_tokens *t);

/* Starts a new session for the user: a family with one refresh token and
 * an access token. */
enum err_code auth_session_start(int64_t user_id, struct auth_tokens *t);

/* The configured grace in seconds (REFRESH_GRACE_SECONDS). */
long auth_refresh_grace(void);

/* Rotates `refresh`: marks it used and issues its successor.  A token
 * already used is a replay: within `grace` seconds of its first use (and
 * for a few replays) the answer is the very successor and access token
 * the first use produced, sealed in PostgreSQL with a key only the
 * token's holder can derive; otherwise it revokes the family.
 * ERR_TOKEN_INVALID for unknown, expired, revoked or reused tokens. */
enum err_code
auth_session_rotate(const char *refresh, long grace, struct auth_tokens *t);

/* Revoking writes PostgreSQL first (sessions.revoked_at, the truth);
 * an error there is returned and nothing is revoked.  Then the Redis
 * mark and the relays' event: when Redis cannot take them the revocation
 * still holds, because every process also keeps the list of sessions
 * revoked within an access token's lifetime, reloaded from PostgreSQL at
 * most every REVOCATION_POLL_MS (1000) ms. */

/* Revokes one session (idempotent; the mark is rewritten each time). */
enum err_code auth_session_revoke(int64_t session_id);

/* Revokes the session a refresh token belongs to (unknown tokens: ok). */
enum err_code auth_session_revoke_token(const char *refresh);

/* Revokes every session of the user except `keep` (0 = all). */
enum err_code auth_session_revoke_user(int64_t user_id, int64_t keep);

/* 1 in *revoked when the session is revoked: this process's list from
 * PostgreSQL, then the Redis mark, then (Redis down) PostgreSQL itself. */
enum err_code auth_session_revoked(int64_t session_id, int *revoked);

/* Sets the access and (when rotated) refresh cookies. */
void auth_set_cookies(struct http_req *r, const struct auth_tokens *t);

/* Expires both cookies. */
void auth_clear_cookies(struct http_req *r);

/* Identifies the caller (r->user_id, r->family_id).  With `required`,
 * ERR_UNAUTHENTICATED when nobody is signed in.  A bad Bearer token is
 * ERR_TOKEN_INVALID either way. */
enum err_code auth_request(struct http_req *r, int required);

/* Routes flagged HTTP_AUTH_DEFER (GET only) leave the session's Redis
 * revocation mark to the handler's first Redis call, so that a read
 * served from Redis takes one round trip (hist.h): auth_request() checks
 * the token and this process's list, sets r->auth_deferred and holds
 * every answer (r->reply_hold: http_reply() refuses while it is set).
 * The handler puts auth_deferred_key() in its script and passes the
 * outcome to auth_settle() before anything else: 1 = the mark exists, 0
 * = it does not, -1 = Redis could not be asked (auth_settle() then does
 * the whole check itself).  ERR_OK: the caller stands (for a revoked
 * access cookie, possibly after a refresh: r->user_id may differ);
 * else the error to answer.  A handler that returns without settling is
 * settled by app_serve() before its error is answered. */
void auth_deferred_key(const struct http_req *r, char out[WIRE_NAME_MAX]);
enum err_code auth_settle(struct http_req *r, int revoked);

/* PostgreSQL's cache epoch (migration 0025, hist.h) as of this process's
 * last revocation poll (at most REVOCATION_POLL_MS old after
 * auth_request()). */
int64_t auth_cache_epoch(void);

/* The `User` object of the API reference (common/openapi.yaml) as JSON text
 * (with "email" when with_email); ERR_NOT_FOUND when there is no such user.
 * *json is malloc()ed. */
enum err_code auth_user_json(int64_t user_id, int with_email, char **json);

#endif
