/* limit.c - request rate limits and the sign-up hashing cap, in Redis. */
#include "limit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cfg.h"
#include "log.h"
#include "rds.h"
#include "sec.h"
#include "wire.h"

struct limit_rate {
	long burst;  /* tokens; 0 = no limit */
	long period; /* seconds to refill `burst` tokens */
};

static struct limit_rate limit_write_user = { 120, 60 };
static struct limit_rate limit_write_addr = { 600, 60 };
static struct limit_rate limit_signup_addr = { 10, 3600 };
static struct limit_rate limit_msg_user = { 10, 10 };
static long limit_slots = 1;
static long limit_slot_wait_ms = 1000;
static char limit_slot_token[SEC_TOKEN_MAX];

#define LIMIT_SLOT_HOLD_MS 10000 /* a crashed holder's slot frees then */

/* Checks every bucket, then takes one token from each only if none is
 * empty.  With ARGV[1] = "1", KEYS[1] is first the session's revocation
 * mark (auth.c): when it exists nothing is taken and the answer is
 * {"-1"}; the buckets are the other keys.  ARGV[2..]: burst and period
 * (ms) per bucket.  Returns {"0"} when taken, else {"seconds until a
 * token is back"}. */
static const char limit_bucket_lua[] =
    "local first = 1\n"
    "if ARGV[1] == '1' then\n"
    "  if redis.call('EXISTS', KEYS[1]) == 1 then return {'-1'} end\n"
    "  first = 2\n"
    "end\n"
    "if #KEYS < first then return {'0'} end\n"
    "local t = redis.call('TIME')\n"
    "local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n"
    "local wait, lvl = 0, {}\n"
    "for i = first, #KEYS do\n"
    "  local j = i - first + 1\n"
    "  local cap, per = tonumber(ARGV[2*j]), tonumber(ARGV[2*j+1])\n"
    "  local b = redis.call('HMGET', KEYS[i], 'v', 't')\n"
    "  local v, last = tonumber(b[1]), tonumber(b[2])\n"
    "  if v == nil or last == nil then v, last = cap, now end\n"
    "  v = math.min(cap, v + math.max(0, now - last) * cap / per)\n"
    "  lvl[i] = v\n"
    "  if v < 1 then\n"
    "    local w = math.ceil((1 - v) * per / cap / 1000)\n"
    "    if w > wait then wait = w end\n"
    "  end\n"
    "end\n"
    "if wait == 0 then\n"
    "  for i = first, #KEYS do\n"
    "    local j = i - first + 1\n"
    "    redis.call('HSET', KEYS[i], 'v', tostring(lvl[i] - 1), 't', "
    "tostring(now))\n"
    "    redis.call('PEXPIRE', KEYS[i], ARGV[2*j+1])\n"
    "  end\n"
    "end\n"
    "return {tostring(wait)}\n";

/* KEYS[1]: the slot set; ARGV: slots, holder token, hold ms. */
static const char limit_slot_take_lua[] =
    "local t = redis.call('TIME')\n"
    "local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n"
    "redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - "
    "tonumber(ARGV[3]))\n"
    "if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then\n"
    "  redis.call('ZADD', KEYS[1], now, ARGV[2])\n"
    "  redis.call('PEXPIRE', KEYS[1], ARGV[3])\n"
    "  return {'1'}\n"
    "end\n"
    "return {'0'}\n";

static const char limit_slot_give_lua[] =
    "redis.call('ZREM', KEYS[1], ARGV[1])\n"
    "return {}\n";

/* Parses "BURST/PERIOD" (or "0") into *rate; -1 when malformed. */
static int
limit_parse(const char *key, struct limit_rate *rate)
{
	const char *v = cfg_get(key, NULL);
	char *end;
	long burst, period;

	if (v == NULL)
		return 0;
	burst = strtol(v, &end, 10);
	if (end != v && *end == '\0' && burst == 0) {
		rate->burst = 0;
		return 0;
	}
	if (end == v || *end != '/' || burst < 1)
		goto bad;
	v = end + 1;
	period = strtol(v, &end, 10);
	if (end == v || *end != '\0' || period < 1)
		goto bad;
	rate->burst = burst;
	rate->period = period;
	return 0;
bad:
	log_error("%s must be BURST/PERIOD (e.g. 120/60) or 0", key);
	return -1;
}

enum err_code
limit_init(void)
{
	if (limit_parse("RATE_WRITE_PER_USER", &limit_write_user) ||
	    limit_parse("RATE_WRITE_PER_ADDR", &limit_write_addr) ||
	    limit_parse("RATE_SIGNUP_PER_ADDR", &limit_signup_addr))
		return ERR_INTERNAL;
	/* Malformed: logged, and the default (10/10) stays. */
	limit_parse("RATE_MESSAGES_PER_USER", &limit_msg_user);
	limit_slots = cfg_get_long("ARGON2_SIGNUP_SLOTS", 1);
	limit_slot_wait_ms = cfg_get_long("ARGON2_SIGNUP_WAIT_MS", 1000);
	if (limit_slots < 1 || limit_slot_wait_ms < 0) {
		log_error("ARGON2_SIGNUP_SLOTS must be at least 1 and "
		          "ARGON2_SIGNUP_WAIT_MS not negative");
		return ERR_INTERNAL;
	}
	return ERR_OK;
}

/* The buckets of a request and the script's arguments. */
struct limit_call {
	char keys[4][WIRE_NAME_MAX];
	char args[7][24];
	int nkeys;   /* keys[0] is the revocation mark when args[0] is "1" */
	int nbucket; /* buckets among the keys */
};

/* Adds one bucket to the script's arguments. */
static void
limit_add(struct limit_call *c, const struct limit_rate *rate, const char *key)
{
	if (rate->burst <= 0)
		return;
	snprintf(c->keys[c->nkeys], WIRE_NAME_MAX, "%s", key);
	snprintf(c->args[1 + 2 * c->nbucket], 24, "%ld", rate->burst);
	snprintf(c->args[2 + 2 * c->nbucket], 24, "%ld", rate->period * 1000);
	c->nkeys++;
	c->nbucket++;
}

/* Takes the tokens of `r` for caller `user_id` (0: nobody), after the
 * mark c->keys[0] when c->nkeys is 1: *wait = seconds to wait (0:
 * taken), -1 when the mark exists.  *wait = 0 and nothing asked when no
 * bucket applies (a GET) and there is no mark. */
static enum err_code
limit_take(struct http_req *r, int64_t user_id, struct limit_call *c,
    long *wait)
{
	char key[WIRE_NAME_MAX];
	const char *argv[4 + 7];
	char *out[1] = { NULL };
	enum err_code rc;
	int i, nargs;

	*wait = 0;
	if (r->method != HTTP_GET && r->method != HTTP_OTHER &&
	    r->route != NULL && !(r->route->flags & HTTP_RATE_EXEMPT)) {
		if (user_id > 0) {
			wire_key_rl_write_user(key, user_id);
			limit_add(c, &limit_write_user, key);
		}
		wire_key_rl_write_addr(key, r->remote_addr);
		limit_add(c, &limit_write_addr, key);
		if (r->route->flags & HTTP_RATE_SIGNUP) {
			wire_key_rl_signup_addr(key, r->remote_addr);
			limit_add(c, &limit_signup_addr, key);
		}
		if ((r->route->flags & HTTP_RATE_MESSAGE) && user_id > 0) {
			wire_key_rl_msg_user(key, user_id);
			limit_add(c, &limit_msg_user, key);
		}
	}
	if (c->nbucket == 0 && c->nkeys == 0)
		return ERR_OK;
	if (c->nbucket == 0) {
		/* A GET: the mark alone, without a script. */
		rc = rds_exists(c->keys[0], &i);
		*wait = i ? -1 : 0;
		return rc;
	}
	nargs = 1 + 2 * c->nbucket;
	for (i = 0; i < c->nkeys; i++)
		argv[i] = c->keys[i];
	for (i = 0; i < nargs; i++)
		argv[c->nkeys + i] = c->args[i];
	rc = rds_eval(limit_bucket_lua, c->nkeys, c->nkeys + nargs, argv, out,
	    1);
	*wait = out[0] ? strtol(out[0], NULL, 10) : 0;
	free(out[0]);
	return rc;
}

/* The answer for a request whose buckets said `wait`. */
static enum err_code
limit_answer(struct http_req *r, long wait)
{
	if (wait <= 0)
		return ERR_OK;
	r->retry_after = wait;
	return http_fail(r, ERR_RATE_LIMITED,
	    (r->route->flags & HTTP_RATE_SIGNUP)
	        ? "Too many sign-ups from this address; try again later."
	        : (r->route->flags & HTTP_RATE_MESSAGE)
	        ? "You are sending messages too fast; wait a moment."
	        : "Too many requests; slow down and try again later.");
}

enum err_code
limit_request(struct http_req *r)
{
	struct limit_call c = { .nkeys = 0 };
	long wait;

	if (r->rate_checked)
		return limit_answer(r, r->rate_wait);
	snprintf(c.args[0], sizeof(c.args[0]), "0");
	if (limit_take(r, r->user_id, &c, &wait) != ERR_OK) {
		log_warn(
		    "rate limits unavailable (Redis): request let through");
		return ERR_OK;
	}
	return limit_answer(r, wait);
}

enum err_code
limit_request_with(struct http_req *r, int64_t user_id, const char *revoked_key,
    int *revoked)
{
	struct limit_call c = { .nkeys = 1 };
	enum err_code rc;
	long wait;

	*revoked = 0;
	snprintf(c.keys[0], WIRE_NAME_MAX, "%s", revoked_key);
	snprintf(c.args[0], sizeof(c.args[0]), "1");
	rc = limit_take(r, user_id, &c, &wait);
	if (rc)
		return rc;
	if (wait < 0) {
		*revoked = 1;
		return ERR_OK;
	}
	r->rate_checked = 1;
	r->rate_wait = wait;
	return ERR_OK;
}

enum err_code
limit_signup_slot_take(struct http_req *r, int *held)
{
	char slots[24], hold[24];
	const char *argv[4];
	char *out[1] = { NULL };
	struct timespec pause = { 0, 25 * 1000 * 1000 };
	long waited = 0;
	enum err_code rc;
	int got;

	*held = 0;
	sec_token(limit_slot_token, 16);
	snprintf(slots, sizeof(slots), "%ld", limit_slots);
	snprintf(hold, sizeof(hold), "%d", LIMIT_SLOT_HOLD_MS);
	argv[0] = WIRE_KEY_RL_SLOTS_SIGNUP;
	argv[1] = slots;
	argv[2] = limit_slot_token;
	argv[3] = hold;
	for (;;) {
		rc = rds_eval(limit_slot_take_lua, 1, 4, argv, out, 1);
		if (rc) {
			log_warn("sign-up slots unavailable (Redis): hashing "
			         "without one");
			return ERR_OK;
		}
		got = out[0] != NULL && strcmp(out[0], "1") == 0;
		free(out[0]);
		out[0] = NULL;
		if (got) {
			*held = 1;
			return ERR_OK;
		}
		if (waited >= limit_slot_wait_ms)
			break;
		nanosleep(&pause, NULL);
		waited += 25;
	}
	r->retry_after = 1;
	return http_fail(r, ERR_RATE_LIMITED,
	    "Too many sign-ups at once; try again in a moment.");
}

void
limit_signup_slot_give(void)
{
	const char *argv[2] = { WIRE_KEY_RL_SLOTS_SIGNUP, limit_slot_token };
	char *none[1];

	if (rds_eval(limit_slot_give_lua, 1, 2, argv, none, 0) != ERR_OK)
		log_warn("could not give back a sign-up slot (it expires)");
}

enum err_code
limit_password_hash(struct http_req *r, const char *password, size_t len,
    char out[SEC_HASH_MAX])
{
	enum err_code rc;
	int slot = 0;

	rc = limit_signup_slot_take(r, &slot);
	if (rc)
		return rc;
	rc = sec_password_hash(password, len, out);
	if (slot)
		limit_signup_slot_give();
	return rc;
}
