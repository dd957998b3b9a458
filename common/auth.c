/* auth.c - sessions (refresh-token families) and request authentication. */
#include "auth.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cfg.h"
#include "db.h"
#include "event.h"
#include "jwt.h"
#include "limit.h"
#include "log.h"
#include "mem.h"
#include "rds.h"
#include "wire.h"

#define AUTH_REFRESH_BYTES 32

/* Seconds a revocation is remembered: as long as an access token of the
 * session can live, plus slack for clocks. */
#define AUTH_REVOKED_LIFE (cfg.access_lifetime + 5)

/* The sessions revoked within AUTH_REVOKED_LIFE, as PostgreSQL last
 * said (sorted ids), and when this process last asked (monotonic
 * seconds).  Redis marks make a revocation visible everywhere at once;
 * this list makes it hold when a mark could not be written (Redis
 * stalled or down) or was lost (Redis restarted without its data). */
static int64_t *auth_revoked_ids;
static size_t auth_revoked_n;
static double auth_revoked_polled = -1e9;
/* rds_connections() when the list was last made to agree with Redis. */
static unsigned long auth_revoked_rds;
/* PostgreSQL's cache epoch as of the last poll (hist.h). */
static int64_t auth_epoch;

void
auth_tokens_release(struct auth_tokens *t)
{
	if (t == NULL)
		return;
	free(t->access);
	memset(t, 0, sizeof(*t));
}

static enum err_code
auth_issue_access(struct auth_tokens *t)
{
	t->access_expires_at = (long)time(NULL) + cfg.access_lifetime;
	return jwt_issue(JWT_TYPE_ACCESS, t->user_id, t->session_id,
	    cfg.access_lifetime, &t->access);
}

/* Inserts a new refresh token for the session into t->refresh. */
static enum err_code
auth_insert_refresh(struct auth_tokens *t)
{
	char hash[SEC_DIGEST_HEX];

	sec_token(t->refresh, AUTH_REFRESH_BYTES);
	sec_digest_hex(t->refresh, strlen(t->refresh), hash);
	return db_query(NULL,
	    "INSERT INTO refresh_tokens (token_hash, session_id, expires_at) "
	    "VALUES ($1, $2, now() + make_interval(secs => $3::bigint))",
	    DB_TEXT(hash), DB_I64(t->session_id), DB_I64(cfg.refresh_lifetime));
}

enum err_code
auth_session_start(int64_t user_id, struct auth_tokens *t)
{
	struct db_res *res = NULL;
	enum err_code rc;

	memset(t, 0, sizeof(*t));
	t->user_id = user_id;
	rc = db_begin();
	if (rc)
		goto out;
	rc = db_query(&res,
	    "INSERT INTO sessions (user_id) VALUES ($1) "
	    "RETURNING id",
	    DB_I64(user_id));
	if (rc)
		goto out;
	t->session_id = db_int(res, 0, 0);
	rc = auth_insert_refresh(t);
	if (rc)
		goto out;
	rc = db_commit();
	if (rc)
		goto out;
	rc = auth_issue_access(t);
out:
	db_res_free(res);
	db_rollback();
	if (rc)
		auth_tokens_release(t);
	return rc;
}

long
auth_refresh_grace(void)
{
	return cfg_get_long("REFRESH_GRACE_SECONDS", AUTH_REUSE_GRACE);
}

/* Seals what the first use of `refresh` produced (its successor and the
 * access token) into *box, openable only with `refresh`. */
static void
auth_seal_successor(const char *refresh, const struct auth_tokens *t,
    char **box)
{
	char *plain;
	size_t n;

	n = strlen(t->refresh) + strlen(t->access) + 48;
	plain = mem_alloc(n);
	n = (size_t)snprintf(plain, n, "%s\n%s\n%ld", t->refresh, t->access,
	    t->access_expires_at);
	sec_box_seal(refresh, plain, n, box);
	free(plain);
}

/* Opens the box of a replayed `refresh` into t (session and user already
 * set).  ERR_TOKEN_INVALID when it does not open or parse. */
static enum err_code
auth_open_successor(const char *refresh, const char *box, struct auth_tokens *t)
{
	char *plain = NULL, *nl1, *nl2, *end;
	enum err_code rc;

	rc = sec_box_open(refresh, box, &plain);
	if (rc)
		return rc;
	rc = ERR_TOKEN_INVALID;
	nl1 = strchr(plain, '\n');
	nl2 = nl1 ? strchr(nl1 + 1, '\n') : NULL;
	if (nl2 == NULL || (size_t)(nl1 - plain) >= sizeof(t->refresh))
		goto out;
	memcpy(t->refresh, plain, (size_t)(nl1 - plain));
	t->refresh[nl1 - plain] = '\0';
	t->access = mem_strndup(nl1 + 1, (size_t)(nl2 - nl1 - 1));
	t->access_expires_at = strtol(nl2 + 1, &end, 10);
	if (*end == '\0')
		rc = ERR_OK;
out:
	free(plain);
	return rc;
}

enum err_code
auth_session_rotate(const char *refresh, long grace, struct auth_tokens *t)
{
	struct db_res *res = NULL;
	char hash[SEC_DIGEST_HEX];
	enum err_code rc;
	int used, expired, revoked;
	double used_ago;
	long replays;
	char *box = NULL;

	memset(t, 0, sizeof(*t));
	if (refresh == NULL || refresh[0] == '\0' || strlen(refresh) > 128)
		return ERR_TOKEN_INVALID;
	sec_digest_hex(refresh, strlen(refresh), hash);
	rc = db_begin();
	if (rc)
		goto out;
	rc = db_query(&res,
	    "SELECT t.session_id, s.user_id, t.used_at IS NOT NULL, "
	    "t.expires_at <= now(), s.revoked_at IS NOT NULL, "
	    "coalesce(extract(epoch FROM now() - t.used_at), 0), "
	    "t.successor_box, t.grace_replays "
	    "FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id "
	    "JOIN users u ON u.id = s.user_id AND u.is_active "
	    "WHERE t.token_hash = $1 FOR UPDATE OF t, s",
	    DB_TEXT(hash));
	if (rc)
		goto out;
	if (db_rows(res) == 0) {
		rc = ERR_TOKEN_INVALID;
		goto out;
	}
	t->session_id = db_int(res, 0, 0);
	t->user_id = db_int(res, 0, 1);
	used = db_bool(res, 0, 2);
	expired = db_bool(res, 0, 3);
	revoked = db_bool(res, 0, 4);
	used_ago = strtod(db_value(res, 0, 5), NULL);
	replays = (long)db_int(res, 0, 7);
	if (revoked || expired) {
		rc = ERR_TOKEN_INVALID;
		goto out;
	}
	if (used) {
		/* Inside the grace window a replay (parallel requests of
		 * one browser) gets exactly what the first use got: the
		 * same successor and access token, never new ones, and
		 * only a few times. */
		if (grace > 0 && used_ago <= (double)grace &&
		    db_value(res, 0, 6) != NULL &&
		    replays < cfg_get_long("REFRESH_GRACE_REPLAYS", 3) &&
		    auth_open_successor(refresh, db_value(res, 0, 6), t) ==
		        ERR_OK) {
			rc = db_query(NULL,
			    "UPDATE refresh_tokens "
			    "SET grace_replays = grace_replays + 1 "
			    "WHERE token_hash = $1",
			    DB_TEXT(hash));
			if (rc)
				goto out;
			rc = db_commit();
			goto out;
		}
		/* Reuse: somebody holds a copy of a spent token. */
		db_rollback();
		log_warn("refresh token reuse: revoking session %lld",
		    (long long)t->session_id);
		rc = auth_session_revoke(t->session_id);
		if (rc == ERR_OK)
			rc = ERR_TOKEN_INVALID;
		goto out;
	}
	rc = auth_insert_refresh(t);
	if (rc)
		goto out;
	rc = auth_issue_access(t);
	if (rc)
		goto out;
	auth_seal_successor(refresh, t, &box);
	rc = db_query(NULL,
	    "UPDATE refresh_tokens SET used_at = now(), successor_box = $2 "
	    "WHERE token_hash = $1",
	    DB_TEXT(hash), DB_TEXT(box));
	if (rc)
		goto out;
	rc = db_commit();
out:
	db_res_free(res);
	db_rollback();
	free(box);
	if (rc)
		auth_tokens_release(t);
	return rc;
}

/* 1 when the session is in this process's revoked list; *pos is where
 * it is or would go (the list is sorted). */
static int
auth_revoked_find(int64_t session_id, size_t *pos)
{
	size_t lo = 0, hi = auth_revoked_n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (auth_revoked_ids[mid] == session_id) {
			*pos = mid;
			return 1;
		}
		if (auth_revoked_ids[mid] < session_id)
			lo = mid + 1;
		else
			hi = mid;
	}
	*pos = lo;
	return 0;
}

/* Adds a session to this process's revoked list. */
static void
auth_revoked_add(int64_t session_id)
{
	size_t at;

	if (auth_revoked_find(session_id, &at))
		return;
	auth_revoked_ids = mem_realloc(auth_revoked_ids,
	    (auth_revoked_n + 1) * sizeof(*auth_revoked_ids));
	memmove(auth_revoked_ids + at + 1, auth_revoked_ids + at,
	    (auth_revoked_n - at) * sizeof(*auth_revoked_ids));
	auth_revoked_ids[at] = session_id;
	auth_revoked_n++;
}

static double
auth_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Reloads the revoked list from PostgreSQL when it is older than
 * REVOCATION_POLL_MS (one indexed query per process per interval). */
static enum err_code
auth_revoked_poll(void)
{
	struct db_res *res = NULL;
	enum err_code rc;
	double now = auth_now();
	size_t i;

	if (now - auth_revoked_polled <
	    (double)cfg_get_long("REVOCATION_POLL_MS", 1000) / 1000.0)
		return ERR_OK;
	/* Tagged: a background statement, not part of any endpoint's work
	 * (tests that count an endpoint's statements leave it out).  The
	 * cache epoch (migration 0025, hist.h) comes with it: one row at
	 * least, the id NULL when nothing is revoked.  The epoch also
	 * changes with the server's last checkpoint, which every restart
	 * and every crash recovery makes anew: a post can be read before
	 * its commit is flushed (db.h, db_query_flushed()), and a page
	 * cached from a server that then crashed and lost it must not be
	 * served by the one that came back.  (Not negative: stamps are
	 * digits.) */
	rc = db_query(&res,
	    "/* ec:background revocation poll */ SELECT "
	    "((SELECT last_value + is_called::int FROM ec_cache_epoch) # "
	    "hashtextextended((pg_control_checkpoint()).checkpoint_lsn::text, "
	    "0)) & 9223372036854775807, s.id "
	    "FROM (SELECT 1) one LEFT JOIN (SELECT id FROM sessions "
	    "WHERE revoked_at > now() - make_interval(secs => $1::bigint)) s "
	    "ON true ORDER BY s.id",
	    DB_I64(AUTH_REVOKED_LIFE));
	if (rc)
		return rc;
	free(auth_revoked_ids);
	auth_revoked_ids = NULL;
	auth_revoked_n = 0;
	if (db_rows(res) > 0) {
		auth_epoch = db_int(res, 0, 0);
		auth_revoked_ids = mem_calloc(db_rows(res),
		    sizeof(*auth_revoked_ids));
	}
	for (i = 0; i < db_rows(res); i++) {
		if (db_value(res, i, 1) != NULL)
			auth_revoked_ids[auth_revoked_n++] = db_int(res, i, 1);
	}
	db_res_free(res);
	auth_revoked_polled = now;
	return ERR_OK;
}

/* Puts the session on the revocation list in Redis (for as long as one
 * of its access tokens can live) and tells the relays, which close its
 * websockets at once.  PostgreSQL already holds the revocation: when
 * Redis cannot take it, every program still learns it from there within
 * REVOCATION_POLL_MS, so this only logs. */
static void
auth_mark_revoked(int64_t user_id, int64_t session_id)
{
	char key[WIRE_NAME_MAX], sid[WIRE_ID_MAX];

	auth_revoked_add(session_id);
	wire_key_revoked_session(key, session_id);
	if (rds_set(key, "1", AUTH_REVOKED_LIFE) != ERR_OK)
		log_warn("session %lld revoked in PostgreSQL only (Redis "
		         "unavailable); programs will see it on their next "
		         "poll",
		    (long long)session_id);
	event_user(user_id, WIRE_EV_SESSION_REVOKED, 0, "session_id",
	    wire_id(sid, session_id), NULL);
}

enum err_code
auth_session_revoke(int64_t session_id)
{
	struct db_res *res = NULL;
	enum err_code rc;

	/* The mark is written on every revoke, not only the first: a
	 * retried logout repairs a mark an earlier attempt could not
	 * write. */
	rc = db_query(&res,
	    "UPDATE sessions SET revoked_at = coalesce(revoked_at, now()) "
	    "WHERE id = $1 RETURNING user_id",
	    DB_I64(session_id));
	if (rc == ERR_OK && db_rows(res) == 1)
		auth_mark_revoked(db_int(res, 0, 0), session_id);
	db_res_free(res);
	return rc;
}

enum err_code
auth_session_revoke_token(const char *refresh)
{
	struct db_res *res = NULL;
	char hash[SEC_DIGEST_HEX];
	enum err_code rc;

	if (refresh == NULL || refresh[0] == '\0' || strlen(refresh) > 128)
		return ERR_OK;
	sec_digest_hex(refresh, strlen(refresh), hash);
	rc = db_query(&res,
	    "SELECT session_id FROM refresh_tokens "
	    "WHERE token_hash = $1",
	    DB_TEXT(hash));
	if (rc == ERR_OK && db_rows(res) == 1)
		rc = auth_session_revoke(db_int(res, 0, 0));
	db_res_free(res);
	return rc;
}

enum err_code
auth_session_revoke_user(int64_t user_id, int64_t keep)
{
	struct db_res *res = NULL;
	enum err_code rc;
	size_t i;

	rc = db_query(&res,
	    "UPDATE sessions SET revoked_at = now() "
	    "WHERE user_id = $1 AND id <> $2 AND revoked_at IS NULL "
	    "RETURNING id",
	    DB_I64(user_id), DB_I64(keep));
	for (i = 0; rc == ERR_OK && i < db_rows(res); i++)
		auth_mark_revoked(user_id, db_int(res, i, 0));
	db_res_free(res);
	return rc;
}

/* The part of the revocation check without Redis: this process's list
 * (reloaded from PostgreSQL when due). */
static enum err_code
auth_revoked_local(int64_t session_id, int *revoked)
{
	enum err_code rc;
	size_t at;

	*revoked = 0;
	rc = auth_revoked_poll();
	if (rc == ERR_OK)
		*revoked = auth_revoked_find(session_id, &at);
	return rc;
}

/* After Redis answered *revoked for the session: on a new Redis
 * connection, Redis may have restarted empty, without the marks written
 * before, and this process's list may predate revocations made while it
 * was away.  The list from PostgreSQL decides, reloaded now. */
static enum err_code
auth_revoked_redis_said(int64_t session_id, int *revoked)
{
	enum err_code rc;
	size_t at;

	if (rds_connections() == auth_revoked_rds)
		return ERR_OK;
	auth_revoked_rds = rds_connections();
	auth_revoked_polled = -1e9;
	rc = auth_revoked_poll();
	if (rc == ERR_OK && auth_revoked_find(session_id, &at))
		*revoked = 1;
	return rc;
}

/* The part with Redis (the mark), or PostgreSQL when Redis is down; with
 * a request `r` (its caller being `user_id`) the request's rate limits
 * are taken in the same Redis call (limit_request_with()). */
static enum err_code
auth_revoked_remote(struct http_req *r, int64_t user_id, int64_t session_id,
    int *revoked)
{
	struct db_res *res = NULL;
	char key[WIRE_NAME_MAX];
	enum err_code rc;

	*revoked = 0;
	wire_key_revoked_session(key, session_id);
	if (r != NULL)
		rc = limit_request_with(r, user_id, key, revoked);
	else
		rc = rds_exists(key, revoked);
	if (rc == ERR_OK)
		return auth_revoked_redis_said(session_id, revoked);
	/* Redis is down: ask PostgreSQL, which always knows. */
	rc = db_query(&res,
	    "SELECT revoked_at IS NOT NULL FROM sessions WHERE id = $1",
	    DB_I64(session_id));
	if (rc == ERR_OK)
		*revoked = db_rows(res) == 0 || db_bool(res, 0, 0);
	db_res_free(res);
	return rc;
}

/* auth_session_revoked(), with the request's rate limits as above. */
static enum err_code
auth_revoked_check(struct http_req *r, int64_t user_id, int64_t session_id,
    int *revoked)
{
	enum err_code rc;

	rc = auth_revoked_local(session_id, revoked);
	if (rc || *revoked)
		return rc;
	return auth_revoked_remote(r, user_id, session_id, revoked);
}

enum err_code
auth_session_revoked(int64_t session_id, int *revoked)
{
	return auth_revoked_check(NULL, 0, session_id, revoked);
}

int64_t
auth_cache_epoch(void)
{
	return auth_epoch;
}

void
auth_set_cookies(struct http_req *r, const struct auth_tokens *t)
{
	http_set_cookie(r, cfg.access_cookie, t->access, "/",
	    cfg.access_lifetime);
	if (t->refresh[0] != '\0')
		http_set_cookie(r, cfg.refresh_cookie, t->refresh, "/api",
		    cfg.refresh_lifetime);
}

void
auth_clear_cookies(struct http_req *r)
{
	http_set_cookie(r, cfg.access_cookie, "", "/", 0);
	http_set_cookie(r, cfg.refresh_cookie, "", "/api", 0);
}

/* Checks an access token and its session; fills r on success. */
static enum err_code
auth_accept_access(struct http_req *r, const char *token)
{
	struct jwt_claims claims;
	enum err_code rc;
	int revoked;

	rc = jwt_check(token, JWT_TYPE_ACCESS, &claims);
	if (rc)
		return rc;
	if (r->route != NULL && (r->route->flags & HTTP_AUTH_DEFER) &&
	    !r->auth_no_defer) {
		/* The handler's first Redis call checks the mark
		 * (auth_settle()); answers wait for it. */
		rc = auth_revoked_local(claims.fam, &revoked);
		if (rc)
			return rc;
		if (revoked)
			return ERR_TOKEN_INVALID;
		r->auth_deferred = 1;
		r->reply_hold = 1;
	} else {
		/* One Redis call: the revocation mark and, for a write,
		 * the rate limits' tokens (taken only when the session
		 * stands). */
		rc = auth_revoked_check(r, claims.sub, claims.fam, &revoked);
		if (rc)
			return rc;
		if (revoked)
			return ERR_TOKEN_INVALID;
	}
	r->user_id = claims.sub;
	r->family_id = claims.fam;
	return ERR_OK;
}

void
auth_deferred_key(const struct http_req *r, char out[WIRE_NAME_MAX])
{
	wire_key_revoked_session(out, r->family_id);
}

enum err_code
auth_settle(struct http_req *r, int revoked)
{
	enum err_code rc;

	if (!r->auth_deferred)
		return ERR_OK;
	r->auth_deferred = 0;
	r->reply_hold = 0;
	if (revoked < 0)
		rc = auth_revoked_remote(NULL, 0, r->family_id, &revoked);
	else
		rc = auth_revoked_redis_said(r->family_id, &revoked);
	if (rc == ERR_OK && !revoked)
		return ERR_OK;
	r->user_id = 0;
	r->family_id = 0;
	if (rc)
		return rc;
	if (r->via_bearer)
		return ERR_TOKEN_INVALID;
	/* A revoked access cookie: the refresh cookie may still stand, as
	 * in auth_request() without the deferral. */
	r->auth_no_defer = 1;
	return auth_request(r, (r->route->flags & HTTP_AUTH_REQUIRED) != 0);
}

enum err_code
auth_request(struct http_req *r, int required)
{
	struct auth_tokens t;
	const char *authz, *access, *refresh;
	enum err_code rc;

	r->user_id = 0;
	r->family_id = 0;
	authz = http_param(r, "HTTP_AUTHORIZATION");
	if (authz != NULL && authz[0] != '\0') {
		if (strncasecmp(authz, "Bearer ", 7) != 0)
			return http_fail(r, ERR_TOKEN_INVALID,
			    "Use Authorization: Bearer <access token>.");
		r->via_bearer = 1;
		return auth_accept_access(r, authz + 7);
	}
	access = http_cookie(r, cfg.access_cookie);
	if (access != NULL && access[0] != '\0') {
		rc = auth_accept_access(r, access);
		if (rc == ERR_OK || rc == ERR_UNAVAILABLE)
			return rc;
	}
	refresh = http_cookie(r, cfg.refresh_cookie);
	if (refresh != NULL && refresh[0] != '\0') {
		rc = auth_session_rotate(refresh, auth_refresh_grace(), &t);
		if (rc == ERR_UNAVAILABLE)
			return rc;
		if (rc == ERR_OK) {
			auth_set_cookies(r, &t);
			r->user_id = t.user_id;
			r->family_id = t.session_id;
			auth_tokens_release(&t);
			return ERR_OK;
		}
		auth_clear_cookies(r);
	}
	return required ? ERR_UNAUTHENTICATED : ERR_OK;
}

enum err_code
auth_user_json(int64_t user_id, int with_email, char **json)
{
	return db_query_text(json, "SELECT ec_user_json($1, $2)::text",
	    DB_I64(user_id), DB_BOOL(with_email));
}
