/* hist.c - a cache of the newest history page of each room, in Redis. */
#include "hist.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "mem.h"
#include "rds.h"
#include "sec.h"
#include "wire.h"

/* Stands for the profiles' version in the page key given to the script. */
#define HIST_PROFILES_MARK "{p}"

/* One round trip: the profiles' version (created with a random start
 * when missing, so a version number never comes back after Redis lost
 * it) and the page stored under the key with it.
 * KEYS: profiles version; ARGV: fresh start, page key with the mark. */
static const char hist_lookup[] =
    "local p = redis.call('GET', KEYS[1]) "
    "if not p then p = ARGV[1] redis.call('SET', KEYS[1], p) end "
    "local k = string.gsub(ARGV[2], '{p}', p, 1) "
    "return {k, redis.call('GET', k)}";

/* A random decimal start for a version (INCR needs an integer). */
static void
hist_random_start(char out[24])
{
	char hex[13];

	sec_random_hex(hex, sizeof(hex)); /* 48 random bits */
	snprintf(out, 24, "%llu", strtoull(hex, NULL, 16));
}

void
hist_get(int64_t room_id, int64_t version, int64_t limit, char **key,
    char **json)
{
	char page[WIRE_NAME_MAX], start[24];
	const char *argv[3];
	char *out[2];

	*key = NULL;
	*json = NULL;
	hist_random_start(start);
	wire_key_hist_page(page, room_id, version, HIST_PROFILES_MARK, limit);
	argv[0] = WIRE_KEY_HIST_PROFILES;
	argv[1] = start;
	argv[2] = page;
	if (rds_eval(hist_lookup, 1, 3, argv, out, 2) != ERR_OK)
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

void
hist_touch_profiles(void)
{
	long long v;

	/* A version that cannot be bumped leaves old names in pages for
	 * HIST_TTL seconds at most, so say so. */
	if (rds_incr(WIRE_KEY_HIST_PROFILES, 0, &v) != ERR_OK)
		log_warn("%s not bumped: cached pages may show old names for "
		         "%d s",
		    WIRE_KEY_HIST_PROFILES, HIST_TTL);
}
