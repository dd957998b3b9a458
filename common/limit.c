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
static long limit_slots = 1;
static long limit_slot_wait_ms = 1000;
static char limit_slot_token[SEC_TOKEN_MAX];

#define LIMIT_SLOT_HOLD_MS 10000 /* a crashed holder's slot frees then */

/* Checks every bucket, then takes one token from each only if none is
 * empty.  KEYS: buckets; ARGV: burst and period (ms) per bucket.
 * Returns {"0"} when taken, else {"seconds until a token is back"}. */
static const char limit_bucket_lua[] =
    "local t = redis.call('TIME')\n"
    "local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n"
    "local wait, lvl = 0, {}\n"
    "for i, key in ipairs(KEYS) do\n"
    "  local cap, per = tonumber(ARGV[2*i-1]), tonumber(ARGV[2*i])\n"
    "  local b = redis.call('HMGET', key, 'v', 't')\n"
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
    "  for i, key in ipairs(KEYS) do\n"
    "    redis.call('HSET', key, 'v', tostring(lvl[i] - 1), 't', "
    "tostring(now))\n"
    "    redis.call('PEXPIRE', key, ARGV[2*i])\n"
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
	limit_slots = cfg_get_long("ARGON2_SIGNUP_SLOTS", 1);
	limit_slot_wait_ms = cfg_get_long("ARGON2_SIGNUP_WAIT_MS", 1000);
	if (limit_slots < 1 || limit_slot_wait_ms < 0) {
		log_error("ARGON2_SIGNUP_SLOTS must be at least 1 and "
		          "ARGON2_SIGNUP_WAIT_MS not negative");
		return ERR_INTERNAL;
	}
	return ERR_OK;
}

/* Adds one bucket to the script's arguments. */
static void
limit_add(const struct limit_rate *rate, const char *key,
    char keys[][WIRE_NAME_MAX], char args[][24], int *n)
{
	if (rate->burst <= 0)
		return;
	snprintf(keys[*n], WIRE_NAME_MAX, "%s", key);
	snprintf(args[2 * *n], 24, "%ld", rate->burst);
	snprintf(args[2 * *n + 1], 24, "%ld", rate->period * 1000);
	(*n)++;
}

enum err_code
limit_request(struct http_req *r)
{
	char keys[3][WIRE_NAME_MAX], args[6][24], key[WIRE_NAME_MAX];
	const char *argv[9];
	char *out[1] = { NULL };
	enum err_code rc;
	long wait;
	int n = 0, i;

	if (r->method == HTTP_GET || r->method == HTTP_OTHER ||
	    r->route == NULL || (r->route->flags & HTTP_RATE_EXEMPT))
		return ERR_OK;
	if (r->user_id > 0) {
		wire_key_rl_write_user(key, r->user_id);
		limit_add(&limit_write_user, key, keys, args, &n);
	}
	wire_key_rl_write_addr(key, r->remote_addr);
	limit_add(&limit_write_addr, key, keys, args, &n);
	if (r->route->flags & HTTP_RATE_SIGNUP) {
		wire_key_rl_signup_addr(key, r->remote_addr);
		limit_add(&limit_signup_addr, key, keys, args, &n);
	}
	if (n == 0)
		return ERR_OK;
	for (i = 0; i < n; i++)
		argv[i] = keys[i];
	for (i = 0; i < 2 * n; i++)
		argv[n + i] = args[i];
	rc = rds_eval(limit_bucket_lua, n, 3 * n, argv, out, 1);
	if (rc) {
		log_warn(
		    "rate limits unavailable (Redis): request let through");
		return ERR_OK;
	}
	wait = out[0] ? strtol(out[0], NULL, 10) : 0;
	free(out[0]);
	if (wait <= 0)
		return ERR_OK;
	r->retry_after = wait;
	return http_fail(r, ERR_RATE_LIMITED,
	    (r->route->flags & HTTP_RATE_SIGNUP)
	        ? "Too many sign-ups from this address; try again later."
	        : "Too many requests; slow down and try again later.");
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
limit_messages(struct http_req *r)
{
	static struct limit_rate rate = { 10, 10 };
	static int loaded;
	char keys[1][WIRE_NAME_MAX], args[2][24];
	const char *argv[3];
	char *out[1] = { NULL };
	long wait;
	int n = 0;

	if (!loaded) {
		/* Malformed: logged, and the default stays. */
		limit_parse("RATE_MESSAGES_PER_USER", &rate);
		loaded = 1;
	}
	limit_add(&rate, "", keys, args, &n);
	if (n == 0 || r->user_id <= 0)
		return ERR_OK;
	wire_key_rl_msg_user(keys[0], r->user_id);
	argv[0] = keys[0];
	argv[1] = args[0];
	argv[2] = args[1];
	if (rds_eval(limit_bucket_lua, 1, 3, argv, out, 1)) {
		log_warn("message rate limit unavailable (Redis): let through");
		return ERR_OK;
	}
	wait = out[0] ? strtol(out[0], NULL, 10) : 0;
	free(out[0]);
	if (wait <= 0)
		return ERR_OK;
	r->retry_after = wait;
	return http_fail(r, ERR_RATE_LIMITED,
	    "You are sending messages too fast; wait a moment.");
}
