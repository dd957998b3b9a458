/* glist.c - a cache of each user's GET /api/groups answer, in Redis. */
#include "glist.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "hist.h"
#include "log.h"
#include "mem.h"
#include "rds.h"
#include "wire.h"

/* The check of a cached answer: the first of the two commands of one
 * round trip (glist_fast()); the answer itself is read by a plain HMGET
 * sent with it (a script that returns kilobytes costs Redis far more
 * than one that returns a few bytes).
 * KEYS: revocation mark, user's version, answer.
 * ARGV: fresh version start ("" = none yet).
 * Returns {"revoked"}, {"start"} (the user's version is missing and no
 * start was given: nothing done, call again with one), {"miss", user's
 * version} or {"hit", user's version, the answer's stamp}: every
 * version it was made under still matches.  The names of the groups'
 * versions are stored with the answer, so nothing is built here. */
static const char glist_fast_lua[] =
    "if redis.call('EXISTS', KEYS[1]) == 1 then return {'revoked'} end\n"
    "local u = redis.call('GET', KEYS[2])\n"
    "if not u then\n"
    "  if ARGV[1] == '' then return {'start'} end\n"
    "  u = ARGV[1]\n"
    "  redis.call('SET', KEYS[2], u)\n"
    "end\n"
    "local e = redis.call('HMGET', KEYS[3], 'u', 'keys', 'vers', 'f')\n"
    "if e[1] ~= u or not e[4] then return {'miss', u} end\n"
    "if e[2] ~= '' then\n"
    "  local keys = {}\n"
    "  for k in string.gmatch(e[2], '[^,]+') do keys[#keys + 1] = k end\n"
    "  local now = redis.call('MGET', unpack(keys))\n"
    "  local i = 1\n"
    "  for v in string.gmatch(e[3], '[^,]+') do\n"
    "    if now[i] ~= v then return {'miss', u} end\n"
    "    i = i + 1\n"
    "  end\n"
    "  if i ~= #keys + 1 then return {'miss', u} end\n"
    "end\n"
    "return {'hit', u, e[4]}\n";

/* The versions of the groups a miss will list, created when missing.
 * ARGV: fresh start, then the names of the groups' versions.
 * Returns {versions, comma-separated}. */
static const char glist_lease_lua[] =
    "local out = {}\n"
    "for i = 2, #ARGV do\n"
    "  local v = redis.call('GET', ARGV[i])\n"
    "  if not v then v = ARGV[1] redis.call('SET', ARGV[i], v) end\n"
    "  out[#out + 1] = v\n"
    "end\n"
    "return {table.concat(out, ',')}\n";

/* Stores an answer if the user's version is still the leased one, with
 * a stamp that names this content (the versions it was made under): a
 * read serves the body it fetched only when the stamp beside it is the
 * one its check approved.
 * KEYS: user's version, answer.  ARGV: leased user version, names of
 * the groups' versions, versions, body, TTL. */
static const char glist_fill_lua[] =
    "if redis.call('GET', KEYS[1]) ~= ARGV[1] then return {} end\n"
    "redis.call('DEL', KEYS[2])\n"
    "local f = redis.sha1hex(ARGV[1] .. '|' .. ARGV[2] .. '|' .. ARGV[3])\n"
    "redis.call('HSET', KEYS[2], 'u', ARGV[1], 'keys', ARGV[2], 'vers',\n"
    "  ARGV[3], 'body', ARGV[4], 'f', f)\n"
    "redis.call('EXPIRE', KEYS[2], ARGV[5])\n"
    "return {}\n";

enum glist_fast_result
glist_fast(const char *revoked_key, int64_t user_id, int64_t limit,
    int64_t epoch, struct glist_lease *lease, char **body)
{
	char user[WIRE_NAME_MAX], page[WIRE_NAME_MAX], start[24] = "";
	const char *argv[4], *cmd[4];
	char *out[3] = { NULL, NULL, NULL }, *got[2] = { NULL, NULL };
	enum glist_fast_result res = GLIST_FAST_ERROR;
	size_t i;

	memset(lease, 0, sizeof(*lease));
	*body = NULL;
	wire_key_glist_user(user, user_id);
	wire_key_glist_page(page, user_id, epoch, limit);
	argv[0] = revoked_key;
	argv[1] = user;
	argv[2] = page;
	argv[3] = start;
	cmd[0] = "HMGET";
	cmd[1] = page;
	cmd[2] = "f";
	cmd[3] = "body";
	for (;;) {
		if (rds_eval_then(glist_fast_lua, 3, 4, argv, out, 3, 4, cmd,
		        got, 2) != ERR_OK)
			goto out;
		/* A fresh start costs a getrandom(): only when the user's
		 * version is missing. */
		if (out[0] == NULL || strcmp(out[0], "start") != 0 ||
		    start[0] != '\0')
			break;
		for (i = 0; i < 3; i++) {
			free(out[i]);
			out[i] = NULL;
		}
		for (i = 0; i < 2; i++) {
			free(got[i]);
			got[i] = NULL;
		}
		hist_random_start(start);
	}
	if (out[0] == NULL || strcmp(out[0], "start") == 0) {
		res = GLIST_FAST_ERROR;
	} else if (strcmp(out[0], "revoked") == 0) {
		res = GLIST_FAST_REVOKED;
	} else if (out[1] != NULL) {
		res = GLIST_FAST_MISS;
		snprintf(lease->user, sizeof(lease->user), "%s", out[1]);
		/* The body read beside the check is served only when it is
		 * the answer the check approved (a fill may have run
		 * between the two). */
		if (strcmp(out[0], "hit") == 0 && out[2] != NULL &&
		    got[0] != NULL && got[1] != NULL &&
		    strcmp(got[0], out[2]) == 0) {
			res = GLIST_FAST_HIT;
			*body = got[1];
			got[1] = NULL;
		}
	}
out:
	for (i = 0; i < 3; i++)
		free(out[i]);
	for (i = 0; i < 2; i++)
		free(got[i]);
	return res;
}

enum err_code
glist_lease_groups(struct glist_lease *lease, const char *ids)
{
	char start[24];
	const char **argv;
	char *copy, *id, *save = NULL, *out[1] = { NULL }, **names;
	struct buf keys;
	enum err_code rc;
	size_t i, n = 1, cap = 2 + strlen(ids) / 2;

	buf_init(&keys, 0);
	copy = mem_strdup(ids);
	argv = mem_alloc(sizeof(*argv) * cap);
	names = mem_calloc(cap, sizeof(*names));
	hist_random_start(start);
	argv[0] = start;
	for (id = strtok_r(copy, ",", &save); id != NULL;
	     id = strtok_r(NULL, ",", &save)) {
		names[n] = mem_alloc(WIRE_NAME_MAX);
		wire_key_hist_group(names[n], id);
		buf_printf(&keys, "%s%s", n > 1 ? "," : "", names[n]);
		argv[n] = names[n];
		n++;
	}
	rc = rds_eval(glist_lease_lua, 0, (int)n, argv, out, 1);
	if (rc == ERR_OK && out[0] != NULL) {
		free(lease->ids);
		free(lease->keys);
		free(lease->vers);
		lease->ids = mem_strdup(ids);
		lease->keys = buf_detach(&keys, NULL);
		lease->vers = out[0];
		out[0] = NULL;
	} else if (rc == ERR_OK) {
		rc = ERR_UNAVAILABLE;
	}
	free(out[0]);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	buf_release(&keys);
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
	argv[3] = lease->keys;
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
	free(lease->keys);
	free(lease->vers);
	lease->ids = NULL;
	lease->keys = NULL;
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
