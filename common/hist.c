/* hist.c - a cache of the newest history page of each room, in Redis. */
#include "hist.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "mem.h"
#include "rds.h"
#include "sec.h"

#define HIST_PROFILES_KEY "hist:profiles"

/* One round trip: the room's and the profiles' versions (created with a
 * random start when missing, so a version number never comes back after
 * Redis lost them) and the page stored under them.
 * KEYS: room version, profiles version; ARGV: fresh starts, room id,
 * limit. */
static const char hist_lookup[] =
    "local v = redis.call('GET', KEYS[1]) "
    "if not v then v = ARGV[1] redis.call('SET', KEYS[1], v) end "
    "local p = redis.call('GET', KEYS[2]) "
    "if not p then p = ARGV[2] redis.call('SET', KEYS[2], p) end "
    "local k = 'hist:page:' .. ARGV[3] .. ':' .. v .. ':' .. p .. ':' .. "
    "ARGV[4] "
    "return {k, redis.call('GET', k)}";

static void
hist_room_key(char out[48], int64_t room_id)
{
	snprintf(out, 48, "hist:room:%lld", (long long)room_id);
}

/* A random decimal start for a version (INCR needs an integer). */
static void
hist_random_start(char out[24])
{
	char hex[13];

	sec_random_hex(hex, sizeof(hex)); /* 48 random bits */
	snprintf(out, 24, "%llu", strtoull(hex, NULL, 16));
}

void
hist_get(int64_t room_id, int64_t limit, char **key, char **json)
{
	char vkey[48], start1[24], start2[24], room[24], lim[24];
	const char *argv[6];
	char *out[2];

	*key = NULL;
	*json = NULL;
	hist_room_key(vkey, room_id);
	hist_random_start(start1);
	hist_random_start(start2);
	snprintf(room, sizeof(room), "%lld", (long long)room_id);
	snprintf(lim, sizeof(lim), "%lld", (long long)limit);
	argv[0] = vkey;
	argv[1] = HIST_PROFILES_KEY;
	argv[2] = start1;
	argv[3] = start2;
	argv[4] = room;
	argv[5] = lim;
	if (rds_eval(hist_lookup, 2, 6, argv, out, 2) != ERR_OK)
		return;
	*key = out[0];
	*json = out[1];
}

void
hist_put(const char *key, const char *json)
{
	if (key != NULL && rds_set(key, json, HIST_TTL) != ERR_OK)
		log_warn("history page not cached");
}

/* Bumps a version; a version that cannot be bumped leaves stale pages
 * for HIST_TTL seconds at most, so say so. */
static void
hist_bump(const char *vkey)
{
	long long v;

	if (rds_incr(vkey, 0, &v) != ERR_OK)
		log_warn("%s not bumped: cached pages may be stale for %d s",
		    vkey, HIST_TTL);
}

void
hist_touch_room(int64_t room_id)
{
	char vkey[48];

	hist_room_key(vkey, room_id);
	hist_bump(vkey);
}

void
hist_touch_profiles(void)
{
	hist_bump(HIST_PROFILES_KEY);
}
