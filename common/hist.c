/* hist.c - a cache of the newest history page of each room, in Redis. */
#include "hist.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "mem.h"
#include "rds.h"
#include "sec.h"
#include "wire.h"

/* The placeholders of the key templates given to the scripts: the
 * group's id is only known once the script has read the room's entry. */
#define HIST_G "{g}"
#define HIST_C "{c}"
#define HIST_P "{p}"

/* How long a room's group is remembered (rooms never move). */
#define HIST_ROOM_TTL 86400

/* The read of a cached page, in one round trip.
 * KEYS: revocation mark, room's group, profiles' version.
 * ARGV: user id, fresh version start, membership-version template, grant
 * template, group-version template, page template, epoch.
 * Returns {"revoked"}, {"hit", page, the user's entry of the page's
 * ":mine" hash ("" when the hash has none for them; absent when there is
 * no hash)}, {"miss"} (room's group unknown) or {"miss", group,
 * membership version, group version, profiles' version}. */
static const char hist_fast_lua[] =
    "if redis.call('EXISTS', KEYS[1]) == 1 then return {'revoked'} end\n"
    "local g = redis.call('GET', KEYS[2])\n"
    "if not g then return {'miss'} end\n"
    "local function ver(k)\n"
    "  local v = redis.call('GET', k)\n"
    "  if not v then v = ARGV[2] redis.call('SET', k, v) end\n"
    "  return v\n"
    "end\n"
    "local function name(t) return (string.gsub(t, '{g}', g)) end\n"
    "local m = ver(name(ARGV[3]))\n"
    "local c = ver(name(ARGV[5]))\n"
    "local p = ver(KEYS[3])\n"
    "if redis.call('GET', name(ARGV[4])) == m .. ':' .. ARGV[7] then\n"
    "  local k = string.gsub(ARGV[6], '{c}', c)\n"
    "  k = string.gsub(k, '{p}', p)\n"
    "  local page = redis.call('GET', k)\n"
    "  if page then\n"
    "    local mine = redis.call('HGET', k .. ':mine', ARGV[1])\n"
    "    if not mine and redis.call('EXISTS', k .. ':mine') == 1 then\n"
    "      mine = ''\n"
    "    end\n"
    "    return {'hit', page, mine}\n"
    "  end\n"
    "end\n"
    "return {'miss', g, m, c, p}\n";

/* What a miss learnt from PostgreSQL.
 * KEYS: room's group, membership version, grant, page ("" = none).
 * ARGV: group id, leased membership version ("" = no grant), grant, TTL,
 * page ("" = none), room entry TTL, "1" when user/value pairs for the
 * page's ":mine" hash follow (ARGV[8..]), else "".  The hash always has
 * a field "" so that it exists when no user has a value. */
static const char hist_fill_lua[] =
    "redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[6])\n"
    "if ARGV[2] ~= '' and redis.call('GET', KEYS[2]) == ARGV[2] then\n"
    "  redis.call('SET', KEYS[3], ARGV[3], 'EX', ARGV[4])\n"
    "end\n"
    "if ARGV[5] ~= '' then\n"
    "  local mk = KEYS[4] .. ':mine'\n"
    "  redis.call('DEL', mk)\n"
    "  if ARGV[7] ~= '' then\n"
    "    redis.call('HSET', mk, '', '', unpack(ARGV, 8))\n"
    "    redis.call('EXPIRE', mk, ARGV[4])\n"
    "  end\n"
    "  redis.call('SET', KEYS[4], ARGV[5], 'EX', ARGV[4])\n"
    "end\n"
    "return {}\n";

/* Moves a version (created with a fresh start when missing) and, with a
 * channel in ARGV[2], publishes ARGV[3] there in the same call.
 * KEYS: the version.  ARGV: fresh start, channel or "", message. */
static const char hist_bump_lua[] =
    "if redis.call('EXISTS', KEYS[1]) == 0 then\n"
    "  redis.call('SET', KEYS[1], ARGV[1])\n"
    "end\n"
    "redis.call('INCR', KEYS[1])\n"
    "if ARGV[2] ~= '' then redis.call('PUBLISH', ARGV[2], ARGV[3]) end\n"
    "return {}\n";

void
hist_random_start(char out[24])
{
	char hex[13];

	sec_random_hex(hex, sizeof(hex)); /* 48 random bits */
	snprintf(out, 24, "%llu", strtoull(hex, NULL, 16));
}

/* Copies a version read by the script into a lease field. */
static void
hist_copy(char dst[24], const char *src)
{
	snprintf(dst, 24, "%s", src ? src : "");
}

enum hist_fast_result
hist_fast(const char *revoked_key, int64_t room_id, int64_t user_id,
    int64_t limit, int64_t epoch, struct hist_lease *lease, char **page,
    char **mine)
{
	char room[WIRE_NAME_MAX], members[WIRE_NAME_MAX], grant[WIRE_NAME_MAX];
	char group[WIRE_NAME_MAX], tpl[WIRE_NAME_MAX], start[24], uid[24];
	char ep[24];
	const char *argv[10];
	char *out[5];
	enum hist_fast_result res = HIST_FAST_MISS;
	size_t i;

	memset(lease, 0, sizeof(*lease));
	*page = NULL;
	*mine = NULL;
	hist_random_start(start);
	wire_key_hist_room(room, room_id);
	wire_key_acl_members(members, HIST_G);
	wire_key_acl_member(grant, HIST_G, user_id);
	wire_key_hist_group(group, HIST_G);
	wire_key_hist_page(tpl, room_id, HIST_C, HIST_P, epoch, limit);
	snprintf(uid, sizeof(uid), "%lld", (long long)user_id);
	snprintf(ep, sizeof(ep), "%lld", (long long)epoch);
	argv[0] = revoked_key;
	argv[1] = room;
	argv[2] = WIRE_KEY_HIST_PROFILES;
	argv[3] = uid;
	argv[4] = start;
	argv[5] = members;
	argv[6] = grant;
	argv[7] = group;
	argv[8] = tpl;
	argv[9] = ep;
	if (rds_eval(hist_fast_lua, 3, 10, argv, out, 5) != ERR_OK)
		return HIST_FAST_ERROR;
	if (out[0] == NULL) {
		res = HIST_FAST_ERROR;
	} else if (strcmp(out[0], "revoked") == 0) {
		res = HIST_FAST_REVOKED;
	} else if (strcmp(out[0], "hit") == 0 && out[1] != NULL) {
		res = HIST_FAST_HIT;
		*page = out[1];
		*mine = out[2];
		out[1] = NULL;
		out[2] = NULL;
	} else if (out[1] != NULL) {
		lease->group_id = strtoll(out[1], NULL, 10);
		hist_copy(lease->members, out[2]);
		hist_copy(lease->group, out[3]);
		hist_copy(lease->profiles, out[4]);
	}
	for (i = 0; i < 5; i++)
		free(out[i]);
	return res;
}

void
hist_fill(int64_t room_id, int64_t group_id, int64_t user_id, int64_t limit,
    int64_t epoch, const struct hist_lease *lease, const char *page,
    const char *const *mine, size_t nmine)
{
	char room[WIRE_NAME_MAX], members[WIRE_NAME_MAX], grant[WIRE_NAME_MAX];
	char key[WIRE_NAME_MAX], g[WIRE_ID_MAX], value[64], ttl[24], rttl[24];
	const char **argv;
	char *none[1];
	size_t i;
	int leased = lease->group_id == group_id && lease->members[0] != '\0';

	wire_id(g, group_id);
	wire_key_hist_room(room, room_id);
	wire_key_acl_members(members, g);
	wire_key_acl_member(grant, g, user_id);
	if (leased && page != NULL)
		wire_key_hist_page(key, room_id, lease->group, lease->profiles,
		    epoch, limit);
	else
		key[0] = '\0';
	snprintf(value, sizeof(value), "%s:%lld", lease->members,
	    (long long)epoch);
	snprintf(ttl, sizeof(ttl), "%d", HIST_TTL);
	snprintf(rttl, sizeof(rttl), "%d", HIST_ROOM_TTL);
	if (mine == NULL)
		nmine = 0;
	argv = mem_alloc(sizeof(*argv) * (11 + 2 * nmine));
	argv[0] = room;
	argv[1] = members;
	argv[2] = grant;
	argv[3] = key[0] != '\0' ? key : room; /* unused when no page */
	argv[4] = g;
	argv[5] = leased ? lease->members : "";
	argv[6] = value;
	argv[7] = ttl;
	argv[8] = key[0] != '\0' ? page : "";
	argv[9] = rttl;
	argv[10] = mine != NULL ? "1" : "";
	for (i = 0; i < 2 * nmine; i++)
		argv[11 + i] = mine[i];
	if (rds_eval(hist_fill_lua, 4, (int)(11 + 2 * nmine), argv, none, 0) !=
	    ERR_OK)
		log_warn("history page not cached");
	free(argv);
}

void
hist_epoch_bump(void)
{
	/* Tagged: not the endpoint's own work (see auth.c's poll). */
	if (db_query(NULL,
	        "/* ec:background cache epoch */ "
	        "SELECT nextval('ec_cache_epoch')") != ERR_OK)
		log_error("cache epoch not moved: cached history pages may "
		          "be stale for %d s",
		    HIST_TTL);
}

enum err_code
hist_bump(const char *key, const char *channel, const char *msg)
{
	char start[24];
	const char *argv[4];
	char *none[1];

	hist_random_start(start);
	argv[0] = key;
	argv[1] = start;
	argv[2] = channel ? channel : "";
	argv[3] = msg ? msg : "";
	return rds_eval(hist_bump_lua, 1, 4, argv, none, 0);
}

enum err_code
hist_publish_group(int64_t group_id, const char *channel, const char *msg)
{
	char g[WIRE_ID_MAX], key[WIRE_NAME_MAX];

	wire_key_hist_group(key, wire_id(g, group_id));
	return hist_bump(key, channel, msg);
}

void
hist_touch_group(int64_t group_id)
{
	if (hist_publish_group(group_id, NULL, NULL) != ERR_OK)
		hist_epoch_bump();
}

void
hist_members_removed(int64_t group_id)
{
	char g[WIRE_ID_MAX], key[WIRE_NAME_MAX];

	wire_key_acl_members(key, wire_id(g, group_id));
	if (hist_bump(key, NULL, NULL) != ERR_OK)
		hist_epoch_bump();
}

void
hist_touch_profiles(void)
{
	if (hist_bump(WIRE_KEY_HIST_PROFILES, NULL, NULL) != ERR_OK)
		hist_epoch_bump();
}
