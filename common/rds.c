/* rds.c - Redis access for the programs (over hiredis, synchronous). */
#include "rds.h"

#include <hiredis.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "cfg.h"
#include "log.h"
#include "mem.h"

static redisContext *rds_ctx;
static unsigned long rds_connects; /* connections made, for rds_connections() */

/* How long one sentinel may take to answer (connect, then reply): they
 * are asked only when a connection is made, and a dead one must not hold
 * a request up for long before the next is tried. */
#define RDS_SENTINEL_TIMEOUT_US 200000

/* Asks the sentinel at "host:port" where the primary is. */
static enum err_code
rds_ask_sentinel(const char *addr, char *host, size_t hostsz, int *port)
{
	struct timeval timeout = { 0, RDS_SENTINEL_TIMEOUT_US };
	redisContext *c = NULL;
	redisReply *reply = NULL;
	enum err_code rc = ERR_UNAVAILABLE;
	const char *colon = strrchr(addr, ':');
	const char *why = "not host:port";
	char shost[256];
	size_t n;

	if (colon == NULL || (n = (size_t)(colon - addr)) >= sizeof(shost))
		goto out;
	memcpy(shost, addr, n);
	shost[n] = '\0';
	c = redisConnectWithTimeout(shost, atoi(colon + 1), timeout);
	if (c == NULL || c->err) {
		why = c == NULL ? "out of memory" : c->errstr;
		goto out;
	}
	redisSetTimeout(c, timeout);
	reply = redisCommand(c, "SENTINEL get-master-addr-by-name %s",
	    cfg.redis_sentinel_master);
	/* A nil reply: this sentinel does not know the name (yet). */
	why = c->err ? c->errstr : "no primary of that name";
	if (reply == NULL || reply->type != REDIS_REPLY_ARRAY ||
	    reply->elements != 2 ||
	    reply->element[0]->type != REDIS_REPLY_STRING ||
	    reply->element[1]->type != REDIS_REPLY_STRING ||
	    reply->element[0]->len >= hostsz)
		goto out;
	memcpy(host, reply->element[0]->str, reply->element[0]->len + 1);
	*port = atoi(reply->element[1]->str);
	rc = ERR_OK;
out:
	if (rc)
		log_warn("redis sentinel %s gave no primary: %s", addr, why);
	freeReplyObject(reply);
	if (c != NULL)
		redisFree(c);
	return rc;
}

enum err_code
rds_primary(char *host, size_t hostsz, int *port)
{
	enum err_code rc = ERR_UNAVAILABLE;
	char *list, *tok, *save = NULL;

	if (cfg.redis_sentinels == NULL || cfg.redis_sentinels[0] == '\0') {
		const char *h = cfg.redis_host;

		*port = cfg.redis_port;
		if (cfg.redis_socket[0] != '\0') {
			h = cfg.redis_socket;
			*port = 0;
		}
		if (strlen(h) >= hostsz)
			return ERR_INTERNAL;
		strcpy(host, h);
		return ERR_OK;
	}
	/* In the order configured: the first that answers wins.  Sentinels
	 * agree on the primary once a failover is over; during one, an old
	 * answer only costs a refused connection and a retry. */
	list = mem_strdup(cfg.redis_sentinels);
	for (tok = strtok_r(list, ", ", &save); tok != NULL;
	     tok = strtok_r(NULL, ", ", &save)) {
		rc = rds_ask_sentinel(tok, host, hostsz, port);
		if (rc == ERR_OK)
			break;
	}
	free(list);
	return rc;
}

static redisContext *
rds_get(void)
{
	struct timeval timeout = { 1, 0 };
	redisReply *reply;
	char host[256];
	int port;

	if (rds_ctx != NULL && rds_ctx->err == 0)
		return rds_ctx;
	if (rds_ctx != NULL) {
		redisFree(rds_ctx);
		rds_ctx = NULL;
	}
	if (rds_primary(host, sizeof(host), &port)) {
		log_error("redis unreachable: no sentinel named the primary");
		goto fail;
	}
	rds_ctx = port == 0 ? redisConnectUnixWithTimeout(host, timeout)
	                    : redisConnectWithTimeout(host, port, timeout);
	if (rds_ctx == NULL || rds_ctx->err) {
		log_error("redis unreachable: %s",
		    rds_ctx ? rds_ctx->errstr : "out of memory");
		goto fail;
	}
	redisSetTimeout(rds_ctx, timeout);
	if (cfg.redis_password != NULL && cfg.redis_password[0] != '\0') {
		reply = redisCommand(rds_ctx, "AUTH %s", cfg.redis_password);
		if (reply == NULL || reply->type == REDIS_REPLY_ERROR) {
			log_error("redis AUTH failed");
			freeReplyObject(reply);
			goto fail;
		}
		freeReplyObject(reply);
	}
	/* A sentinel's answer may be stale for a moment around a failover:
	 * PUBLISH on a replica would succeed and reach nobody, so a node
	 * that is not (or no longer) the primary is not used. */
	if (cfg.redis_sentinels != NULL && cfg.redis_sentinels[0] != '\0') {
		reply = redisCommand(rds_ctx, "ROLE");
		if (reply == NULL || reply->type != REDIS_REPLY_ARRAY ||
		    reply->elements < 1 ||
		    reply->element[0]->type != REDIS_REPLY_STRING ||
		    strcmp(reply->element[0]->str, "master") != 0) {
			log_error("redis %s:%d is not the primary", host, port);
			freeReplyObject(reply);
			goto fail;
		}
		freeReplyObject(reply);
	}
	rds_connects++;
	return rds_ctx;
fail:
	if (rds_ctx != NULL)
		redisFree(rds_ctx);
	rds_ctx = NULL;
	return NULL;
}

/* 1 when `reply` is the error of a primary demoted to a replica (a
 * failover, REDIS_SENTINELS), which refuses writes. */
static int
rds_readonly(const redisReply *reply)
{
	if (reply == NULL || reply->type != REDIS_REPLY_ERROR ||
	    strncmp(reply->str, "READONLY", 8) != 0)
		return 0;
	log_warn("redis: %s", reply->str);
	return 1;
}

/* Runs a command; on ERR_OK *out holds a reply that is not an error
 * (with `errors`, an error reply too: the caller looks at it).
 * lens NULL: every argument is a NUL-terminated string. */
static enum err_code
rds_command(redisReply **out, int argc, const char **argv, const size_t *lens,
    int errors)
{
	redisContext *c;
	redisReply *reply;
	int attempt;

	*out = NULL;
	for (attempt = 0;; attempt++) {
		c = rds_get();
		if (c == NULL)
			return ERR_UNAVAILABLE;
		reply = redisCommandArgv(c, argc, argv, lens);
		/* A primary demoted to a replica (a failover, REDIS_SENTINELS)
		 * refuses writes: ask the sentinels again and retry once. */
		if (rds_readonly(reply)) {
			freeReplyObject(reply);
			reply = NULL;
		} else if (reply != NULL) {
			break;
		} else {
			log_warn("redis command failed: %s", c->errstr);
		}
		redisFree(rds_ctx);
		rds_ctx = NULL;
		/* A connection that went stale while idle (Redis restarted)
		 * fails on first use: retry once on a fresh one.  A reply
		 * lost after the command ran is rare; then an INCR may
		 * count twice, which only errs towards limiting. */
		if (attempt == 1)
			return ERR_UNAVAILABLE;
	}
	if (reply->type == REDIS_REPLY_ERROR && !errors) {
		log_error("redis error: %s", reply->str);
		freeReplyObject(reply);
		return ERR_INTERNAL;
	}
	*out = reply;
	return ERR_OK;
}

static enum err_code
rds_run(redisReply **out, int argc, const char **argv, const size_t *lens)
{
	return rds_command(out, argc, argv, lens, 0);
}

enum err_code
rds_publish(const char *channel, const char *msg, size_t len)
{
	const char *argv[] = { "PUBLISH", channel, msg };
	size_t lens[] = { 7, strlen(channel), len };
	redisReply *reply;
	enum err_code rc;

	rc = rds_run(&reply, 3, argv, lens);
	freeReplyObject(reply);
	return rc;
}

enum err_code
rds_incr(const char *key, long window, long long *count)
{
	const char *argv[3] = { "INCR", key, NULL };
	char win[24];
	redisReply *reply;
	enum err_code rc;

	rc = rds_run(&reply, 2, argv, NULL);
	if (rc)
		return rc;
	*count = reply->integer;
	freeReplyObject(reply);
	if (*count == 1 && window > 0) {
		snprintf(win, sizeof(win), "%ld", window);
		argv[0] = "EXPIRE";
		argv[2] = win;
		rc = rds_run(&reply, 3, argv, NULL);
		freeReplyObject(reply);
	}
	return rc;
}

enum err_code
rds_counter(const char *key, long long *count, long *ttl)
{
	const char *argv[] = { "GET", key };
	redisReply *reply;
	enum err_code rc;

	*count = 0;
	*ttl = 0;
	rc = rds_run(&reply, 2, argv, NULL);
	if (rc)
		return rc;
	if (reply->type == REDIS_REPLY_STRING)
		*count = strtoll(reply->str, NULL, 10);
	freeReplyObject(reply);
	if (*count == 0)
		return ERR_OK;
	argv[0] = "TTL";
	rc = rds_run(&reply, 2, argv, NULL);
	if (rc)
		return rc;
	if (reply->type == REDIS_REPLY_INTEGER && reply->integer > 0)
		*ttl = (long)reply->integer;
	freeReplyObject(reply);
	return ERR_OK;
}

enum err_code
rds_set(const char *key, const char *value, long ttl)
{
	char t[24];
	const char *argv[] = { "SET", key, value, "EX", t };
	redisReply *reply;
	enum err_code rc;

	snprintf(t, sizeof(t), "%ld", ttl);
	rc = rds_run(&reply, 5, argv, NULL);
	freeReplyObject(reply);
	return rc;
}

enum err_code
rds_take(const char *key, char **value)
{
	const char *argv[] = { "GETDEL", key };
	redisReply *reply;
	enum err_code rc;

	*value = NULL;
	rc = rds_run(&reply, 2, argv, NULL);
	if (rc)
		return rc;
	if (reply->type == REDIS_REPLY_STRING)
		*value = mem_strndup(reply->str, reply->len);
	freeReplyObject(reply);
	return ERR_OK;
}

enum err_code
rds_exists(const char *key, int *exists)
{
	const char *argv[] = { "EXISTS", key };
	redisReply *reply;
	enum err_code rc;

	*exists = 0;
	rc = rds_run(&reply, 2, argv, NULL);
	if (rc)
		return rc;
	*exists = reply->type == REDIS_REPLY_INTEGER && reply->integer > 0;
	freeReplyObject(reply);
	return ERR_OK;
}

enum err_code
rds_ping(void)
{
	const char *argv[] = { "PING" };
	redisReply *reply;
	enum err_code rc;

	rc = rds_run(&reply, 1, argv, NULL);
	if (rc)
		return rc;
	freeReplyObject(reply);
	return ERR_OK;
}

enum err_code
rds_exists_many(const char *const *keys, size_t n, int *out)
{
	redisContext *c;
	redisReply *reply;
	enum err_code rc = ERR_OK;
	size_t i;

	memset(out, 0, n * sizeof(*out));
	if (n == 0)
		return ERR_OK;
	c = rds_get();
	if (c == NULL)
		return ERR_UNAVAILABLE;
	/* One pipelined EXISTS per key: works for keys of any type. */
	for (i = 0; i < n; i++)
		redisAppendCommand(c, "EXISTS %s", keys[i]);
	for (i = 0; i < n; i++) {
		if (redisGetReply(c, (void **)&reply) != REDIS_OK) {
			log_error("redis pipeline failed: %s", c->errstr);
			redisFree(rds_ctx);
			rds_ctx = NULL;
			return ERR_UNAVAILABLE;
		}
		if (reply->type == REDIS_REPLY_INTEGER)
			out[i] = reply->integer > 0;
		else
			rc = ERR_INTERNAL;
		freeReplyObject(reply);
	}
	return rc;
}

/* Scripts known to Redis (SCRIPT LOAD once, then EVALSHA: the body is
 * not sent and hashed again on every call; a Redis that answers NOSCRIPT
 * - restarted, or its scripts flushed - gets it loaded again).  Keyed by
 * the script's address: callers pass static strings. */
#define RDS_SCRIPTS 16
static struct {
	const char *body;
	char sha[48];
	int loaded; /* sha is set */
} rds_scripts[RDS_SCRIPTS];

/* The slot of `script`, taking a free one (or the last) when new. */
static size_t
rds_script_slot(const char *script)
{
	size_t i;

	for (i = 0; i < RDS_SCRIPTS; i++) {
		if (rds_scripts[i].body == script ||
		    rds_scripts[i].body == NULL)
			break;
	}
	if (i == RDS_SCRIPTS)
		i = RDS_SCRIPTS - 1;
	if (rds_scripts[i].body != script) {
		rds_scripts[i].body = script;
		rds_scripts[i].loaded = 0;
	}
	return i;
}

/* SCRIPT LOAD unless done already. */
static enum err_code
rds_script_load(size_t slot)
{
	const char *argv[] = { "SCRIPT", "LOAD", rds_scripts[slot].body };
	redisReply *reply;
	enum err_code rc;

	if (rds_scripts[slot].loaded)
		return ERR_OK;
	rc = rds_run(&reply, 3, argv, NULL);
	if (rc)
		return rc;
	if (reply->type != REDIS_REPLY_STRING ||
	    reply->len >= sizeof(rds_scripts[slot].sha)) {
		freeReplyObject(reply);
		return ERR_INTERNAL;
	}
	memcpy(rds_scripts[slot].sha, reply->str, reply->len);
	rds_scripts[slot].sha[reply->len] = '\0';
	rds_scripts[slot].loaded = 1;
	freeReplyObject(reply);
	return ERR_OK;
}

/* Two commands in one round trip: both written at once, the replies
 * read together.  On ERR_OK *r1 and *r2 hold the replies (error replies
 * too: the caller looks at them).  Retries once on a fresh connection
 * as rds_command() does. */
static enum err_code
rds_pipeline2(redisReply **r1, int argc1, const char **argv1, redisReply **r2,
    int argc2, const char **argv2)
{
	redisContext *c;
	int attempt;

	*r1 = NULL;
	*r2 = NULL;
	for (attempt = 0;; attempt++) {
		c = rds_get();
		if (c == NULL)
			return ERR_UNAVAILABLE;
		if (redisAppendCommandArgv(c, argc1, argv1, NULL) == REDIS_OK &&
		    redisAppendCommandArgv(c, argc2, argv2, NULL) == REDIS_OK &&
		    redisGetReply(c, (void **)r1) == REDIS_OK &&
		    redisGetReply(c, (void **)r2) == REDIS_OK) {
			if (!rds_readonly(*r1) && !rds_readonly(*r2))
				return ERR_OK;
		} else {
			log_warn("redis pipeline failed: %s", c->errstr);
		}
		freeReplyObject(*r1);
		freeReplyObject(*r2);
		*r1 = NULL;
		*r2 = NULL;
		redisFree(rds_ctx);
		rds_ctx = NULL;
		if (attempt == 1)
			return ERR_UNAVAILABLE;
	}
}

/* Copies the string elements of an array reply (or a string reply, as
 * element 0) into out[0..nout). */
static enum err_code
rds_strings(const redisReply *reply, char **out, size_t nout)
{
	const redisReply *e;
	size_t i;

	if (reply->type == REDIS_REPLY_ERROR) {
		log_error("redis error: %s", reply->str);
		return ERR_INTERNAL;
	}
	if (reply->type == REDIS_REPLY_STRING) {
		if (nout > 0)
			out[0] = mem_strndup(reply->str, reply->len);
		return ERR_OK;
	}
	if (reply->type != REDIS_REPLY_ARRAY)
		return ERR_INTERNAL;
	for (i = 0; i < nout && i < reply->elements; i++) {
		e = reply->element[i];
		if (e->type == REDIS_REPLY_STRING)
			out[i] = mem_strndup(e->str, e->len);
	}
	return ERR_OK;
}

enum err_code
rds_eval(const char *script, int nkeys, int argc, const char *const *argv,
    char **out, size_t nout)
{
	return rds_eval_then(script, nkeys, argc, argv, out, nout, 0, NULL,
	    NULL, 0);
}

enum err_code
rds_eval_then(const char *script, int nkeys, int argc, const char *const *argv,
    char **out, size_t nout, int cmdc, const char **cmd, char **cout,
    size_t ncout)
{
	const char **args;
	size_t i, slot;
	redisReply *reply = NULL, *then = NULL;
	char nk[16];
	enum err_code rc;
	int attempt;

	memset(out, 0, nout * sizeof(*out));
	if (ncout > 0)
		memset(cout, 0, ncout * sizeof(*cout));
	args = mem_calloc((size_t)argc + 3, sizeof(*args));
	snprintf(nk, sizeof(nk), "%d", nkeys);
	args[2] = nk;
	for (i = 0; i < (size_t)argc; i++)
		args[i + 3] = argv[i];
	slot = rds_script_slot(script);
	for (attempt = 0;; attempt++) {
		rc = rds_script_load(slot);
		if (rc)
			goto out;
		args[0] = "EVALSHA";
		args[1] = rds_scripts[slot].sha;
		if (cmdc > 0)
			rc = rds_pipeline2(&reply, argc + 3, args, &then, cmdc,
			    cmd);
		else
			rc = rds_command(&reply, argc + 3, args, NULL, 1);
		if (rc)
			goto out;
		/* Redis restarted or its scripts were flushed: load it
		 * again (once). */
		if (reply->type == REDIS_REPLY_ERROR && attempt == 0 &&
		    strncmp(reply->str, "NOSCRIPT", 8) == 0) {
			freeReplyObject(reply);
			freeReplyObject(then);
			reply = NULL;
			then = NULL;
			rds_scripts[slot].loaded = 0;
			continue;
		}
		break;
	}
	if (reply->type != REDIS_REPLY_ARRAY) {
		if (reply->type == REDIS_REPLY_ERROR)
			log_error("redis error: %s", reply->str);
		rc = ERR_INTERNAL;
		goto out;
	}
	rc = rds_strings(reply, out, nout);
	if (rc == ERR_OK && then != NULL)
		rc = rds_strings(then, cout, ncout);
	if (rc) {
		for (i = 0; i < nout; i++) {
			free(out[i]);
			out[i] = NULL;
		}
		for (i = 0; i < ncout; i++) {
			free(cout[i]);
			cout[i] = NULL;
		}
	}
out:
	freeReplyObject(reply);
	freeReplyObject(then);
	free(args);
	return rc;
}

void
rds_close(void)
{
	if (rds_ctx != NULL)
		redisFree(rds_ctx);
	rds_ctx = NULL;
}

unsigned long
rds_connections(void)
{
	return rds_connects;
}
