/* cfg.h - configuration from the env file named by $EASYCHAT_ENV.
 *
 * The file holds KEY=value lines (# comments, no quoting, no expansion);
 * a later line overrides an earlier one and a real environment variable
 * overrides the file.  cfg_load() fills the global `cfg` once at start-up;
 * programs then read cfg.<field> or cfg_get() for keys of their own.
 *
 * Layer: base (common/README.md) - knows nothing of chat; includes base
 * headers only.
 */
#ifndef EC_CFG_H
#define EC_CFG_H

#include <stddef.h>

#include "err.h"

struct cfg_oauth {
	int enabled;
	char *client_id;
	char *client_secret;
};

struct cfg {
	char *var_dir; /* $EASYCHAT_VAR, "" if unset */
	char *db_host, *db_port, *db_name, *db_user, *db_password;
	/* DATABASE_REPLICA_URL: a streaming replica for some reads
	 * (db_replica_query()), "" for none. */
	char *db_replica_url;
	char *redis_host, *redis_password;
	char *redis_socket; /* a unix socket path, "" = REDIS_HOST:PORT */
	int redis_port;
	/* REDIS_SENTINELS "host:port,...": when set, the primary's address
	 * is asked of these (REDIS_HOST/PORT unused); REDIS_SENTINEL_MASTER
	 * is the name they monitor it under. */
	char *redis_sentinels, *redis_sentinel_master;
	char *jwt_key;         /* HS256 signing key */
	long access_lifetime;  /* seconds */
	long refresh_lifetime; /* seconds */
	char *access_cookie, *refresh_cookie;
	int cookie_secure;
	char **origins; /* allowed public origins */
	size_t norigins;
	size_t body_max, upload_max;
	long upload_max_pixels;
	size_t upload_max_memory; /* GraphicsMagick's pixel cache, bytes */
	long upload_decodes;      /* conversions at once, machine-wide */
	long upload_decode_wait;  /* ms to wait for one */
	char *media_dir, *media_url;
	size_t attach_max;     /* bytes of one attachment */
	long attach_quota;     /* bytes of attachments per user */
	char *attach_sendfile; /* "x-sendfile", "x-accel" or "auto" */
	long login_fails_user, login_fails_addr, login_fail_window;
	struct cfg_oauth oauth_google, oauth_github;
	int sentry_enabled;
	char *sentry_dsn;
	char *log_level;
};

extern struct cfg cfg;

/* Loads $EASYCHAT_ENV (if set) and the environment into `cfg`.  Returns
 * ERR_INTERNAL, after logging why, when the file cannot be read or a
 * required value (JWT_SIGNING_KEY of at least 32 bytes) is missing. */
enum err_code cfg_load(void);

/* Loads from an explicit file path (NULL = none); used by tests. */
enum err_code cfg_load_file(const char *path);

/* Frees everything cfg_load() allocated. */
void cfg_release(void);

/* Raw value of KEY, or `fallback` when unset or empty.  The pointer stays
 * valid until cfg_release(). */
const char *cfg_get(const char *key, const char *fallback);

/* Integer value of KEY, or `fallback` when unset or not a number. */
long cfg_get_long(const char *key, long fallback);

/* 1 when `origin` (length `len`, no trailing slash) is a configured public
 * origin, compared exactly. */
int cfg_origin_allowed(const char *origin, size_t len);

#endif
