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

/* The placeholder of the key templates given to the scripts: the
 * group's id is only known once the script has read the room's entry. */
#define HIST_G "{g}"

/* How long a room's group is remembered (rooms never move). */
#define HIST_ROOM_TTL 86400

/* The check of a cached page: the first of the two commands of one
 * round trip (hist_fast()); the page itself is read by a plain HMGET
 * sent with it, since a script that returns 20 KB costs Redis ten times
 * what one that returns a few bytes does.
 * KEYS: revocation mark, room's group, profiles' version.
 * ARGV: fresh version start ("" = none yet), membership-version
 * template, grant template, group-version template, epoch.
 * Returns {"revoked"}, {"start"} (a version is missing and no start was
 * given: nothing done, call again with one), {"miss"} (room's group
 * unknown) or {"ok" or "miss", group, membership version, group
 * version, profiles' version}: "ok" when the caller's grant matches. */
static const char hist_fast_lua[] =
    "if redis.call('EXISTS', KEYS[1]) == 1 then return {'revoked'} end\n"
    "local g = redis.call('GET', KEYS[2])\n"
    "if not g then return {'miss'} end\n"
    "local function name(t) return (string.gsub(t, '{g}', g)) end\n"
    "local ks = {name(ARGV[2]), name(ARGV[4]), KEYS[3]}\n"
    "local v = redis.call('MGET', ks[1], ks[2], ks[3])\n"
    "for i = 1, 3 do\n"
    "  if not v[i] then\n"
    "    if ARGV[1] == '' then return {'start'} end\n"
    "    v[i] = ARGV[1]\n"
    "    redis.call('SET', ks[i], v[i])\n"
    "  end\n"
    "end\n"
    "local ok = 'miss'\n"
    "if redis.call('GET', name(ARGV[3])) == v[1] .. ':' .. ARGV[5] then\n"
    "  ok = 'ok'\n"
    "end\n"
    "return {ok, g, v[1], v[2], v[3]}\n";

/* What a miss learnt from PostgreSQL.
 * KEYS: room's group, membership version, grant, page ("" = none),
 * group version, profiles' version.
 * ARGV: group id, leased membership version ("" = no grant), grant, TTL,
 * page ("" = none), room entry TTL, "1" when user/value pairs for the
 * page's per-user fields follow (ARGV[12..]; user ids, so never one of
 * the fields "s", "b", "m", "x"), else "", the page's stamp, leased
 * group version, leased profiles' version, the page's index ("" =
 * none).  The page is stored only while the versions it was made under
 * are still the current ones: a slow miss does not replace a newer page
 * with one nobody can use. */
static const char hist_fill_lua[] =
    "redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[6])\n"
    "if ARGV[2] ~= '' and redis.call('GET', KEYS[2]) == ARGV[2] then\n"
    "  redis.call('SET', KEYS[3], ARGV[3], 'EX', ARGV[4])\n"
    "end\n"
    "if ARGV[5] ~= '' and redis.call('GET', KEYS[5]) == ARGV[9] and\n"
    "    redis.call('GET', KEYS[6]) == ARGV[10] then\n"
    "  redis.call('DEL', KEYS[4])\n"
    "  local f = {'s', ARGV[8], 'b', ARGV[5]}\n"
    "  if ARGV[11] ~= '' then f[5] = 'x'; f[6] = ARGV[11] end\n"
    "  if ARGV[7] ~= '' then\n"
    "    f[#f + 1] = 'm'; f[#f + 1] = '1'\n"
    "    for i = 12, #ARGV do f[#f + 1] = ARGV[i] end\n"
    "  end\n"
    "  redis.call('HSET', KEYS[4], unpack(f))\n"
    "  redis.call('EXPIRE', KEYS[4], ARGV[4])\n"
    "end\n"
    "return {}\n";

/* Moves a version (created with a fresh start when missing) and, with a
 * channel in ARGV[2], publishes ARGV[3] there in the same call.
 * KEYS: the version.  ARGV: fresh start, channel or "", message.  (The
 * start is drawn on every call, unlike the reads': a write often finds
 * the version of a new group or user missing, and stays one call.) */
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

/* The stamp a page is stored with: the versions it was made under. */
static void
hist_stamp(char out[80], const char *group, const char *profiles, int64_t epoch)
{
	snprintf(out, 80, "%.23s:%.23s:%lld", group, profiles,
	    (long long)epoch);
}

enum hist_fast_result
hist_fast(const char *revoked_key, int64_t room_id, int64_t user_id,
    int64_t limit, int64_t epoch, struct hist_lease *lease, char **page,
    char **mine, char **index)
{
	char room[WIRE_NAME_MAX], members[WIRE_NAME_MAX], grant[WIRE_NAME_MAX];
	char group[WIRE_NAME_MAX], body[WIRE_NAME_MAX], start[24] = "";
	char ep[24], field[24], stamp[80];
	const char *argv[8], *cmd[7];
	char *out[5], *got[5];
	enum hist_fast_result res = HIST_FAST_MISS;
	size_t i;

	memset(lease, 0, sizeof(*lease));
	*page = NULL;
	*mine = NULL;
	*index = NULL;
	wire_key_hist_room(room, room_id);
	wire_key_acl_members(members, HIST_G);
	wire_key_acl_member(grant, HIST_G, user_id);
	wire_key_hist_group(group, HIST_G);
	wire_key_hist_body(body, room_id, limit);
	snprintf(ep, sizeof(ep), "%lld", (long long)epoch);
	snprintf(field, sizeof(field), "%lld", (long long)user_id);
	argv[0] = revoked_key;
	argv[1] = room;
	argv[2] = WIRE_KEY_HIST_PROFILES;
	argv[3] = start;
	argv[4] = members;
	argv[5] = grant;
	argv[6] = group;
	argv[7] = ep;
	/* The page, its stamp, the caller's per-user value and the page's
	 * index, read in the same round trip as the check. */
	cmd[0] = "HMGET";
	cmd[1] = body;
	cmd[2] = "s";
	cmd[3] = "b";
	cmd[4] = "m";
	cmd[5] = field;
	cmd[6] = "x";
	for (;;) {
		if (rds_eval_then(hist_fast_lua, 3, 8, argv, out, 5, 7, cmd,
		        got, 5) != ERR_OK)
			return HIST_FAST_ERROR;
		/* A fresh start costs a getrandom(): only when a version
		 * is missing (after Redis lost it, or a new group). */
		if (out[0] == NULL || strcmp(out[0], "start") != 0 ||
		    start[0] != '\0')
			break;
		for (i = 0; i < 5; i++)
			free(out[i]);
		for (i = 0; i < 5; i++)
			free(got[i]);
		hist_random_start(start);
	}
	if (out[0] == NULL || strcmp(out[0], "start") == 0) {
		res = HIST_FAST_ERROR;
	} else if (strcmp(out[0], "revoked") == 0) {
		res = HIST_FAST_REVOKED;
	} else if (out[1] != NULL) {
		lease->group_id = strtoll(out[1], NULL, 10);
		hist_copy(lease->members, out[2]);
		hist_copy(lease->group, out[3]);
		hist_copy(lease->profiles, out[4]);
		hist_stamp(stamp, lease->group, lease->profiles, epoch);
		/* Served only when the page read is the one made under the
		 * versions the script found current. */
		if (strcmp(out[0], "ok") == 0 && got[0] != NULL &&
		    got[1] != NULL && strcmp(got[0], stamp) == 0) {
			res = HIST_FAST_HIT;
			*page = got[1];
			got[1] = NULL;
			if (got[2] != NULL) {
				*mine = got[3] != NULL ? got[3]
				                       : mem_strdup("");
				got[3] = NULL;
			}
			*index = got[4];
			got[4] = NULL;
		}
	}
	for (i = 0; i < 5; i++)
		free(out[i]);
	for (i = 0; i < 5; i++)
		free(got[i]);
	return res;
}

void
hist_fill(int64_t room_id, int64_t group_id, int64_t user_id, int64_t limit,
    int64_t epoch, const struct hist_lease *lease, const char *page,
    const char *index, const char *const *mine, size_t nmine)
{
	char room[WIRE_NAME_MAX], members[WIRE_NAME_MAX], grant[WIRE_NAME_MAX];
	char key[WIRE_NAME_MAX], g[WIRE_ID_MAX], value[64], ttl[24], rttl[24];
	char gver[WIRE_NAME_MAX], stamp[80];
	const char **argv;
	char *none[1];
	size_t i;
	int leased = lease->group_id == group_id && lease->members[0] != '\0';

	wire_id(g, group_id);
	wire_key_hist_room(room, room_id);
	wire_key_acl_members(members, g);
	wire_key_acl_member(grant, g, user_id);
	wire_key_hist_group(gver, g);
	wire_key_hist_body(key, room_id, limit);
	hist_stamp(stamp, lease->group, lease->profiles, epoch);
	snprintf(value, sizeof(value), "%s:%lld", lease->members,
	    (long long)epoch);
	snprintf(ttl, sizeof(ttl), "%d", HIST_TTL);
	snprintf(rttl, sizeof(rttl), "%d", HIST_ROOM_TTL);
	if (mine == NULL)
		nmine = 0;
	argv = mem_alloc(sizeof(*argv) * (17 + 2 * nmine));
	argv[0] = room;
	argv[1] = members;
	argv[2] = grant;
	argv[3] = key;
	argv[4] = gver;
	argv[5] = WIRE_KEY_HIST_PROFILES;
	argv[6] = g;
	argv[7] = leased ? lease->members : "";
	argv[8] = value;
	argv[9] = ttl;
	argv[10] = leased && page != NULL ? page : "";
	argv[11] = rttl;
	argv[12] = mine != NULL ? "1" : "";
	argv[13] = stamp;
	argv[14] = lease->group;
	argv[15] = lease->profiles;
	argv[16] = index != NULL ? index : "";
	for (i = 0; i < 2 * nmine; i++)
		argv[17 + i] = mine[i];
	if (rds_eval(hist_fill_lua, 6, (int)(17 + 2 * nmine), argv, none, 0) !=
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
