/* glist.c - a cache of each user's GET /api/groups answer, in Redis. */
#include "glist.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hist.h"
#include "log.h"
#include "mem.h"
#include "rds.h"
#include "wire.h"

/* The placeholder of the group-version template (wire_key_hist_group). */
#define GLIST_G "{g}"

/* The read of a cached answer, in one round trip.
 * KEYS: revocation mark, user's version, answer.
 * ARGV: fresh version start, group-version template.
 * Returns {"revoked"}, {"hit", body} or {"miss", user's version}. */
static const char glist_fast_lua[] =
    "if redis.call('EXISTS', KEYS[1]) == 1 then return {'revoked'} end\n"
    "local u = redis.call('GET', KEYS[2])\n"
    "if not u then u = ARGV[1] redis.call('SET', KEYS[2], u) end\n"
    "local e = redis.call('HMGET', KEYS[3], 'u', 'ids', 'vers', 'body')\n"
    "if e[1] ~= u or not e[4] then return {'miss', u} end\n"
    "if e[2] ~= '' then\n"
    "  local keys = {}\n"
    "  for id in string.gmatch(e[2], '[^,]+') do\n"
    "    keys[#keys + 1] = (string.gsub(ARGV[2], '{g}', id))\n"
    "  end\n"
    "  local now = redis.call('MGET', unpack(keys))\n"
    "  local i = 1\n"
    "  for v in string.gmatch(e[3], '[^,]+') do\n"
    "    if now[i] ~= v then return {'miss', u} end\n"
    "    i = i + 1\n"
    "  end\n"
    "  if i ~= #keys + 1 then return {'miss', u} end\n"
    "end\n"
    "return {'hit', e[4]}\n";

/* The versions of the groups a miss will list, created when missing.
 * ARGV: fresh start, group-version template, then the group ids.
 * Returns {versions, comma-separated}. */
static const char glist_lease_lua[] =
    "local out = {}\n"
    "for i = 3, #ARGV do\n"
    "  local k = (string.gsub(ARGV[2], '{g}', ARGV[i]))\n"
    "  local v = redis.call('GET', k)\n"
    "  if not v then v = ARGV[1] redis.call('SET', k, v) end\n"
    "  out[#out + 1] = v\n"
    "end\n"
    "return {table.concat(out, ',')}\n";

/* Stores an answer if the user's version is still the leased one.
 * KEYS: user's version, answer.  ARGV: leased user version, ids,
 * versions, body, TTL. */
static const char glist_fill_lua[] =
    "if redis.call('GET', KEYS[1]) ~= ARGV[1] then return {} end\n"
    "redis.call('DEL', KEYS[2])\n"
    "redis.call('HSET', KEYS[2], 'u', ARGV[1], 'ids', ARGV[2], 'vers',\n"
    "  ARGV[3], 'body', ARGV[4])\n"
    "redis.call('EXPIRE', KEYS[2], ARGV[5])\n"
    "return {}\n";

enum glist_fast_result
glist_fast(const char *revoked_key, int64_t user_id, int64_t limit,
    int64_t epoch, struct glist_lease *lease, char **body)
{
	char user[WIRE_NAME_MAX], page[WIRE_NAME_MAX], tpl[WIRE_NAME_MAX];
	char start[24];
	const char *argv[5];
	char *out[2] = { NULL, NULL };
	enum glist_fast_result res = GLIST_FAST_ERROR;

	memset(lease, 0, sizeof(*lease));
	*body = NULL;
	hist_random_start(start);
	wire_key_glist_user(user, user_id);
	wire_key_glist_page(page, user_id, epoch, limit);
	wire_key_hist_group(tpl, GLIST_G);
	argv[0] = revoked_key;
	argv[1] = user;
	argv[2] = page;
	argv[3] = start;
	argv[4] = tpl;
	if (rds_eval(glist_fast_lua, 3, 5, argv, out, 2) != ERR_OK)
		goto out;
	if (out[0] == NULL) {
		res = GLIST_FAST_ERROR;
	} else if (strcmp(out[0], "revoked") == 0) {
		res = GLIST_FAST_REVOKED;
	} else if (strcmp(out[0], "hit") == 0 && out[1] != NULL) {
		res = GLIST_FAST_HIT;
		*body = out[1];
		out[1] = NULL;
	} else if (out[1] != NULL) {
		res = GLIST_FAST_MISS;
		snprintf(lease->user, sizeof(lease->user), "%s", out[1]);
	}
out:
	free(out[0]);
	free(out[1]);
	return res;
}

enum err_code
glist_lease_groups(struct glist_lease *lease, const char *ids)
{
	char start[24], tpl[WIRE_NAME_MAX];
	const char **argv;
	char *copy, *id, *save = NULL, *out[1] = { NULL };
	enum err_code rc;
	size_t n = 2;

	copy = mem_strdup(ids);
	argv = mem_alloc(sizeof(*argv) * (2 + strlen(ids) / 2 + 1));
	hist_random_start(start);
	wire_key_hist_group(tpl, GLIST_G);
	argv[0] = start;
	argv[1] = tpl;
	for (id = strtok_r(copy, ",", &save); id != NULL;
	     id = strtok_r(NULL, ",", &save))
		argv[n++] = id;
	rc = rds_eval(glist_lease_lua, 0, (int)n, argv, out, 1);
	if (rc == ERR_OK && out[0] != NULL) {
		free(lease->ids);
		free(lease->vers);
		lease->ids = mem_strdup(ids);
		lease->vers = out[0];
		out[0] = NULL;
	} else if (rc == ERR_OK) {
		rc = ERR_UNAVAILABLE;
	}
	free(out[0]);
	free(argv);
	free(copy);
	return rc;
}

void
glist_fill(int64_t user_id, int64_t limit, int64_t epoch,
    const struct glist_lease *lease, const char *ids, const char *body)
{
	char user[WIRE_NAME_MAX], page[WIRE_NAME_MAX], ttl[24];
	const char *argv[7];
	char *none[1];

	if (lease->user[0] == '\0' || lease->ids == NULL ||
	    strcmp(lease->ids, ids) != 0)
		return;
	wire_key_glist_user(user, user_id);
	wire_key_glist_page(page, user_id, epoch, limit);
	snprintf(ttl, sizeof(ttl), "%d", GLIST_TTL);
	argv[0] = user;
	argv[1] = page;
	argv[2] = lease->user;
	argv[3] = lease->ids;
	argv[4] = lease->vers;
	argv[5] = body;
	argv[6] = ttl;
	if (rds_eval(glist_fill_lua, 2, 7, argv, none, 0) != ERR_OK)
		log_warn("groups list not cached");
}

void
glist_lease_release(struct glist_lease *lease)
{
	free(lease->ids);
	free(lease->vers);
	lease->ids = NULL;
	lease->vers = NULL;
}

void
glist_touch_user(int64_t user_id)
{
	char key[WIRE_NAME_MAX];

	wire_key_glist_user(key, user_id);
	if (hist_bump(key, NULL, NULL) != ERR_OK)
		hist_epoch_bump();
}
