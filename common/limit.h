/* limit.h - request rate limits (token buckets in Redis) and the cap on
 * concurrent sign-up password hashing, for every program.
 *
 * app_run() calls limit_request() for each request after authentication:
 * every unsafe method (POST, PUT, PATCH, DELETE) takes one token from the
 * caller's bucket (signed in) and one from the client address's bucket
 * (r->remote_addr, see proxy.h), routes flagged HTTP_RATE_SIGNUP also
 * one from the address's sign-up bucket, and routes flagged
 * HTTP_RATE_MESSAGE (posting a message) one from the caller's message
 * bucket - all in the one Redis call of the request.  An empty bucket answers
 * 429 rate_limited with Retry-After (seconds until a token is back) and the
 * JSON error body; nothing is taken then.  HTTP_RATE_EXEMPT routes (logout) are
 * never limited.  Handlers need no code of their own.
 *
 * Each bucket holds `burst` tokens and refills `burst` tokens per
 * `period` seconds, configured as "BURST/PERIOD" (0 turns it off):
 *   RATE_WRITE_PER_USER   default 120/60
 *   RATE_WRITE_PER_ADDR   default 600/60
 *   RATE_SIGNUP_PER_ADDR  default 10/3600
 *   RATE_MESSAGES_PER_USER default 10/10 (malformed: logged, default kept)
 * Sign-up's argon2id work is also capped stack-wide: at most
 * ARGON2_SIGNUP_SLOTS (1) hashes at once; a sign-up waits up to
 * ARGON2_SIGNUP_WAIT_MS (1000) for a slot, then answers 429 (Retry-After
 * 1), so a sign-up flood cannot occupy every auth process and starve
 * sign-ins.  Redis being unreachable lets requests through (logged):
 * limits are protection, not correctness.
 *
 * Layer: domain (common/README.md) - over rds and wire; may include
 * base and domain headers.
 */
#ifndef EC_LIMIT_H
#define EC_LIMIT_H

#include "err.h"
#include "http.h"
#include "sec.h"

/* Reads the limits from the configuration (after cfg_load()); logs and
 * returns ERR_INTERNAL when one is malformed. */
enum err_code limit_init(void);

/* Takes the request's tokens; ERR_RATE_LIMITED (r->retry_after set) when
 * a bucket is empty. */
enum err_code limit_request(struct http_req *r);

/* The same check fused with authentication's (common/auth.c): one
 * script call (one round trip) that first looks whether `revoked_key`
 * (the session's revocation mark) exists - then *revoked = 1 and nothing
 * is taken - and otherwise takes the tokens of `r` for caller `user_id`
 * (none for a GET).  The outcome is kept in r (rate_checked, rate_wait):
 * limit_request() then only answers it.  ERR_UNAVAILABLE or
 * ERR_INTERNAL when Redis could not be asked (nothing known, nothing
 * taken: limit_request() asks again). */
enum err_code limit_request_with(struct http_req *r, int64_t user_id,
    const char *revoked_key, int *revoked);

/* Holds one of the ARGON2_SIGNUP_SLOTS while hashing a new password:
 * ERR_OK with *held = 1 (give it back with limit_signup_slot_give()),
 * ERR_RATE_LIMITED when none frees up in time.  *held = 0 and ERR_OK when
 * Redis cannot say. */
enum err_code limit_signup_slot_take(struct http_req *r, int *held);
void limit_signup_slot_give(void);

/* sec_password_hash() of a new password (sign-up, a reset by mail) inside
 * one of the ARGON2_SIGNUP_SLOTS: ERR_RATE_LIMITED (answered) when none
 * frees up in time. */
enum err_code limit_password_hash(struct http_req *r, const char *password,
    size_t len, char out[SEC_HASH_MAX]);

#endif
