/* cfg.c - configuration from the env file named by $EASYCHAT_ENV. */
#include "cfg.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "mem.h"

struct cfg cfg;

struct cfg_pair {
	char *key;
	char *value;
};

static struct cfg_pair *cfg_pairs;
static size_t cfg_npairs;

static void
cfg_set(const char *key, size_t klen, const char *value, size_t vlen)
{
	size_t i;

	for (i = 0; i < cfg_npairs; i++) {
		if (strlen(cfg_pairs[i].key) == klen &&
		    memcmp(cfg_pairs[i].key, key, klen) == 0) {
			free(cfg_pairs[i].value);
			cfg_pairs[i].value = mem_strndup(value, vlen);
			return;
		}
	}
	cfg_pairs = mem_realloc(cfg_pairs,
	    (cfg_npairs + 1) * sizeof(*cfg_pairs));
	cfg_pairs[cfg_npairs].key = mem_strndup(key, klen);
	cfg_pairs[cfg_npairs].value = mem_strndup(value, vlen);
	cfg_npairs++;
}

static void
cfg_trim(const char **s, size_t *len)
{
	while (*len && isspace((unsigned char)**s)) {
		(*s)++;
		(*len)--;
	}
	while (*len && isspace((unsigned char)(*s)[*len - 1]))
		(*len)--;
}

static enum err_code
cfg_read_file(const char *path)
{
	char line[4096];
	FILE *fp;

	fp = fopen(path, "r");
	if (fp == NULL) {
		log_error("cannot read config %s: %s", path, strerror(errno));
		return ERR_INTERNAL;
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		const char *key = line, *eq, *value;
		size_t klen, vlen;

		eq = strchr(line, '=');
		if (line[0] == '#' || eq == NULL)
			continue;
		klen = (size_t)(eq - line);
		value = eq + 1;
		vlen = strlen(value);
		cfg_trim(&key, &klen);
		cfg_trim(&value, &vlen);
		if (klen == 0 || key[0] == '#')
			continue;
		if (strncmp(key, "export ", 7) == 0) {
			key += 7;
			klen -= 7;
			cfg_trim(&key, &klen);
		}
		cfg_set(key, klen, value, vlen);
	}
	fclose(fp);
	return ERR_OK;
}

const char *
cfg_get(const char *key, const char *fallback)
{
	const char *env;
	size_t i;

	env = getenv(key);
	if (env != NULL && env[0] != '\0')
		return env;
	for (i = 0; i < cfg_npairs; i++) {
		if (strcmp(cfg_pairs[i].key, key) == 0)
			return cfg_pairs[i].value[0] ? cfg_pairs[i].value
			                             : fallback;
	}
	return fallback;
}

long
cfg_get_long(const char *key, long fallback)
{
	const char *s = cfg_get(key, NULL);
	char *end;
	long v;

	if (s == NULL)
		return fallback;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end != '\0')
		return fallback;
	return v;
}

static int
cfg_get_bool(const char *key, int fallback)
{
	const char *s = cfg_get(key, NULL);

	if (s == NULL)
		return fallback;
	return strcmp(s, "1") == 0 || strcasecmp(s, "true") == 0 ||
	    strcasecmp(s, "yes") == 0 || strcasecmp(s, "on") == 0;
}

static char *
cfg_dup(const char *key, const char *fallback)
{
	const char *v = cfg_get(key, fallback);

	return mem_strdup(v ? v : "");
}

static void
cfg_load_origins(void)
{
	const char *s = cfg_get("PUBLIC_ORIGINS", "http://127.0.0.1:8080");

	while (*s) {
		const char *end = strchr(s, ',');
		size_t len = end ? (size_t)(end - s) : strlen(s);
		const char *item = s;

		cfg_trim(&item, &len);
		while (len && item[len - 1] == '/')
			len--;
		if (len) {
			cfg.origins = mem_realloc(cfg.origins,
			    (cfg.norigins + 1) * sizeof(char *));
			cfg.origins[cfg.norigins++] = mem_strndup(item, len);
		}
		if (end == NULL)
			break;
		s = end + 1;
	}
}

static void
cfg_load_oauth(struct cfg_oauth *o, const char *provider)
{
	char key[64];

	snprintf(key, sizeof(key), "OAUTH_ENABLED_%s", provider);
	o->enabled = cfg_get_bool(key, 0);
	snprintf(key, sizeof(key), "OAUTH_ID_%s", provider);
	o->client_id = cfg_dup(key, "");
	snprintf(key, sizeof(key), "OAUTH_SECRET_%s", provider);
	o->client_secret = cfg_dup(key, "");
}

enum err_code
cfg_load_file(const char *path)
{
	const char *secure;
	enum err_code rc;
	size_t i;

	cfg_release();
	if (path != NULL && path[0] != '\0') {
		rc = cfg_read_file(path);
		if (rc)
			return rc;
	}
	cfg.var_dir = cfg_dup("EASYCHAT_VAR", "");
	cfg.db_host = cfg_dup("DB_HOST", "127.0.0.1");
	cfg.db_port = cfg_dup("DB_PORT", "54329");
	cfg.db_name = cfg_dup("DB_NAME", "easychat");
	cfg.db_user = cfg_dup("DB_USER", "easychat");
	cfg.db_password = cfg_dup("DB_PASSWORD", "");
	cfg.db_replica_url = cfg_dup("DATABASE_REPLICA_URL", "");
	cfg.redis_host = cfg_dup("REDIS_HOST", "127.0.0.1");
	cfg.redis_port = (int)cfg_get_long("REDIS_PORT", 63799);
	cfg.redis_socket = cfg_dup("REDIS_SOCKET", "");
	cfg.redis_password = cfg_dup("REDIS_PASSWORD", "");
	cfg.redis_sentinels = cfg_dup("REDIS_SENTINELS", "");
	cfg.redis_sentinel_master = cfg_dup("REDIS_SENTINEL_MASTER",
	    "easychat");
	cfg.jwt_key = cfg_dup("JWT_SIGNING_KEY", "");
	cfg.access_lifetime = cfg_get_long("ACCESS_TOKEN_LIFETIME", 300);
	cfg.refresh_lifetime = cfg_get_long("REFRESH_TOKEN_LIFETIME", 1209600);
	cfg.access_cookie = cfg_dup("ACCESS_COOKIE_NAME", "access");
	cfg.refresh_cookie = cfg_dup("REFRESH_COOKIE_NAME", "refresh");
	cfg.body_max = (size_t)cfg_get_long("BODY_MAX_BYTES", 1048576);
	cfg.upload_max = (size_t)cfg_get_long("UPLOAD_MAX_BYTES", 8388608);
	cfg.upload_max_pixels = cfg_get_long("UPLOAD_MAX_PIXELS", 40000000);
	cfg.upload_max_memory = (size_t)cfg_get_long("UPLOAD_MAX_MEMORY",
	    536870912);
	cfg.upload_decodes = cfg_get_long("UPLOAD_DECODES", 2);
	cfg.upload_decode_wait = cfg_get_long("UPLOAD_DECODE_WAIT_MS", 10000);
	cfg.media_dir = cfg_dup("MEDIA_DIR", "media");
	cfg.media_url = cfg_dup("MEDIA_URL", "/media");
	cfg.attach_max = (size_t)cfg_get_long("ATTACH_MAX_BYTES", 26214400);
	cfg.attach_quota = cfg_get_long("ATTACH_QUOTA_BYTES", 1073741824);
	cfg.attach_sendfile = cfg_dup("ATTACH_SENDFILE", "auto");
	cfg.login_fails_user = cfg_get_long("LOGIN_FAILS_PER_USER", 10);
	cfg.login_fails_addr = cfg_get_long("LOGIN_FAILS_PER_ADDR", 50);
	cfg.login_fail_window = cfg_get_long("LOGIN_FAIL_WINDOW", 900);
	cfg_load_oauth(&cfg.oauth_google, "GOOGLE");
	cfg_load_oauth(&cfg.oauth_github, "GITHUB");
	cfg.sentry_enabled = cfg_get_bool("SENTRY_ENABLED", 0);
	cfg.sentry_dsn = cfg_dup("SENTRY_DSN", "");
	cfg.log_level = cfg_dup("LOG_LEVEL", "info");
	cfg_load_origins();

	/* MEDIA_DIR may be relative to the var dir. */
	if (cfg.media_dir[0] != '/' && cfg.var_dir[0] != '\0') {
		size_t n = strlen(cfg.var_dir) + strlen(cfg.media_dir) + 2;
		char *p = mem_alloc(n);

		snprintf(p, n, "%s/%s", cfg.var_dir, cfg.media_dir);
		free(cfg.media_dir);
		cfg.media_dir = p;
	}

	secure = cfg_get("COOKIE_SECURE", "auto");
	if (strcmp(secure, "auto") == 0) {
		cfg.cookie_secure = 0;
		for (i = 0; i < cfg.norigins; i++) {
			if (strncmp(cfg.origins[i], "https://", 8) == 0)
				cfg.cookie_secure = 1;
		}
	} else {
		cfg.cookie_secure = cfg_get_bool("COOKIE_SECURE", 0);
	}

	if (strlen(cfg.jwt_key) < 32) {
		log_error("JWT_SIGNING_KEY must be set to at least 32 bytes");
		return ERR_INTERNAL;
	}
	if (cfg.access_lifetime <= 0 || cfg.refresh_lifetime <= 0) {
		log_error("token lifetimes must be positive");
		return ERR_INTERNAL;
	}
	return ERR_OK;
}

enum err_code
cfg_load(void)
{
	return cfg_load_file(getenv("EASYCHAT_ENV"));
}

void
cfg_release(void)
{
	size_t i;

	for (i = 0; i < cfg_npairs; i++) {
		free(cfg_pairs[i].key);
		free(cfg_pairs[i].value);
	}
	free(cfg_pairs);
	cfg_pairs = NULL;
	cfg_npairs = 0;
	for (i = 0; i < cfg.norigins; i++)
		free(cfg.origins[i]);
	free(cfg.origins);
	free(cfg.var_dir);
	free(cfg.db_host);
	free(cfg.db_port);
	free(cfg.db_name);
	free(cfg.db_user);
	free(cfg.db_password);
	free(cfg.db_replica_url);
	free(cfg.redis_host);
	free(cfg.redis_socket);
	free(cfg.redis_password);
	free(cfg.redis_sentinels);
	free(cfg.redis_sentinel_master);
	free(cfg.jwt_key);
	free(cfg.access_cookie);
	free(cfg.refresh_cookie);
	free(cfg.media_dir);
	free(cfg.attach_sendfile);
	free(cfg.media_url);
	free(cfg.oauth_google.client_id);
	free(cfg.oauth_google.client_secret);
	free(cfg.oauth_github.client_id);
	free(cfg.oauth_github.client_secret);
	free(cfg.sentry_dsn);
	free(cfg.log_level);
	memset(&cfg, 0, sizeof(cfg));
}

int
cfg_origin_allowed(const char *origin, size_t len)
{
	size_t i;

	for (i = 0; i < cfg.norigins; i++) {
		if (strlen(cfg.origins[i]) == len &&
		    memcmp(cfg.origins[i], origin, len) == 0)
			return 1;
	}
	return 0;
}
