/* oauth.c - sign-in with Google and GitHub (authorization code flow).
 *
 * start: a random `state` goes to Redis (10 minutes) and into a cookie
 * bound to /api/auth/oauth; callback: the state in the query must match
 * both, the code is exchanged for a token at the provider, the user info
 * is fetched, and the (provider, subject) pair is linked to the signed-in
 * user or to a new account.  Provider URLs can be overridden in the env
 * file (OAUTH_*_URL_<PROVIDER>), which the tests use for a local fake.
 */
#include "oauth.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "avatar.h"
#include "buf.h"
#include "cfg.h"
#include "db.h"
#include "fetch.h"
#include "json.h"
#include "log.h"
#include "media.h"
#include "mem.h"
#include "rds.h"
#include "sec.h"
#include "verify.h"

#define OAUTH_STATE_TTL    600
#define OAUTH_STATE_COOKIE "oauth_state"
#define OAUTH_COOKIE_PATH  "/api/auth/oauth"
#define OAUTH_ANSWER_MAX   (256 * 1024)

struct oauth_provider {
	const char *name; /* "google", "github" */
	const char *env;  /* "GOOGLE", "GITHUB" */
	const char *authorize_url;
	const char *token_url;
	const char *userinfo_url;
	const char *scope;
	const char *subject_key; /* user info: stable id */
	const char *login_key;   /* user info: a name to derive a username */
};

static const struct oauth_provider oauth_providers[] = {
	{ "google", "GOOGLE", "https://accounts.google.com/o/oauth2/v2/auth",
	    "https://oauth2.googleapis.com/token",
	    "https://openidconnect.googleapis.com/v1/userinfo",
	    "openid profile email", "sub", "given_name" },
	{ "github", "GITHUB", "https://github.com/login/oauth/authorize",
	    "https://github.com/login/oauth/access_token",
	    "https://api.github.com/user", "read:user user:email", "id",
	    "login" },
};

static const struct cfg_oauth *
oauth_cfg(const struct oauth_provider *p)
{
	return strcmp(p->name, "google") == 0 ? &cfg.oauth_google
	                                      : &cfg.oauth_github;
}

/* The provider named in the URL, enabled; NULL with *rc set otherwise. */
static const struct oauth_provider *
oauth_provider(struct http_req *r, enum err_code *rc)
{
	size_t i;

	for (i = 0; i < sizeof(oauth_providers) / sizeof(oauth_providers[0]);
	     i++) {
		if (strcmp(r->args[0], oauth_providers[i].name) != 0)
			continue;
		if (!oauth_cfg(&oauth_providers[i])->enabled) {
			*rc = http_fail(r, ERR_NOT_ENABLED,
			    "This sign-in "
			    "provider is not enabled on this server.");
			return NULL;
		}
		return &oauth_providers[i];
	}
	*rc = ERR_NOT_FOUND;
	return NULL;
}

static const char *
oauth_url(const struct oauth_provider *p, const char *what,
    const char *fallback)
{
	char key[64];

	snprintf(key, sizeof(key), "OAUTH_%s_URL_%s", what, p->env);
	return cfg_get(key, fallback);
}

/* <first public origin>/api/auth/oauth/<name>/callback */
static void
oauth_redirect_uri(struct buf *out, const struct oauth_provider *p)
{
	buf_printf(out, "%s/api/auth/oauth/%s/callback",
	    cfg_get("OAUTH_REDIRECT_BASE", cfg.norigins ? cfg.origins[0] : ""),
	    p->name);
}

static void
oauth_redirect(struct http_req *r, const char *location)
{
	http_add_header(r, "Location: %s", location);
	http_reply(r, 302, NULL, "", 0);
}

enum err_code
oauth_start(struct http_req *r)
{
	const struct oauth_provider *p;
	struct buf url, redirect;
	char state[SEC_TOKEN_MAX], key[128];
	enum err_code rc = ERR_OK;

	p = oauth_provider(r, &rc);
	if (p == NULL)
		return rc;
	sec_token(state, 24);
	snprintf(key, sizeof(key), "oauth:state:%s", state);
	rc = rds_set(key, p->name, OAUTH_STATE_TTL);
	if (rc)
		return rc;
	buf_init(&url, 4096);
	buf_init(&redirect, 1024);
	oauth_redirect_uri(&redirect, p);
	buf_printf(&url, "%s?response_type=code&client_id=",
	    oauth_url(p, "AUTHORIZE", p->authorize_url));
	fetch_escape(&url, oauth_cfg(p)->client_id);
	buf_puts(&url, "&redirect_uri=");
	fetch_escape(&url, redirect.data);
	buf_puts(&url, "&scope=");
	fetch_escape(&url, p->scope);
	buf_printf(&url, "&state=%s", state);
	http_set_cookie(r, OAUTH_STATE_COOKIE, state, OAUTH_COOKIE_PATH,
	    OAUTH_STATE_TTL);
	oauth_redirect(r, url.data);
	buf_release(&url);
	buf_release(&redirect);
	return ERR_OK;
}

/* Exchanges the code for an access token. */
static enum err_code
oauth_token(const struct oauth_provider *p, const char *code, char **token)
{
	const char *headers[] = { "Accept: application/json",
		"Content-Type: application/x-www-form-urlencoded", NULL };
	struct json_object *obj = NULL, *t;
	struct buf form, answer, redirect;
	enum err_code rc;
	long status;

	*token = NULL;
	buf_init(&form, 8192);
	buf_init(&answer, OAUTH_ANSWER_MAX);
	buf_init(&redirect, 1024);
	oauth_redirect_uri(&redirect, p);
	buf_puts(&form, "grant_type=authorization_code&code=");
	fetch_escape(&form, code);
	buf_puts(&form, "&client_id=");
	fetch_escape(&form, oauth_cfg(p)->client_id);
	buf_puts(&form, "&client_secret=");
	fetch_escape(&form, oauth_cfg(p)->client_secret);
	buf_puts(&form, "&redirect_uri=");
	fetch_escape(&form, redirect.data);
	rc = fetch("POST", oauth_url(p, "TOKEN", p->token_url), form.data,
	    headers, &answer, &status);
	if (rc)
		goto out;
	if (status != 200 || json_parse(answer.data, answer.len, &obj) ||
	    !json_object_object_get_ex(obj, "access_token", &t) ||
	    !json_object_is_type(t, json_type_string)) {
		log_warn("oauth %s: token exchange refused (HTTP %ld)", p->name,
		    status);
		rc = ERR_UNAUTHENTICATED;
		goto out;
	}
	*token = mem_strdup(json_object_get_string(t));
out:
	json_object_put(obj);
	buf_release(&form);
	buf_release(&answer);
	buf_release(&redirect);
	return rc;
}

/* Fetches the user info document. */
static enum err_code
oauth_userinfo(const struct oauth_provider *p, const char *token,
    struct json_object **info)
{
	const char *headers[3];
	struct buf answer, authz;
	enum err_code rc;
	long status;

	*info = NULL;
	buf_init(&answer, OAUTH_ANSWER_MAX);
	buf_init(&authz, 4096);
	buf_printf(&authz, "Authorization: Bearer %s", token);
	headers[0] = authz.data;
	headers[1] = "Accept: application/json";
	headers[2] = NULL;
	rc = fetch("GET", oauth_url(p, "USERINFO", p->userinfo_url), NULL,
	    headers, &answer, &status);
	if (rc == ERR_OK &&
	    (status != 200 || json_parse(answer.data, answer.len, info) ||
	        !json_object_is_type(*info, json_type_object))) {
		log_warn("oauth %s: user info refused (HTTP %ld)", p->name,
		    status);
		json_object_put(*info);
		*info = NULL;
		rc = ERR_UNAUTHENTICATED;
	}
	buf_release(&answer);
	buf_release(&authz);
	return rc;
}

/* A string member of the user info, or NULL ("" never). */
static const char *
oauth_field(struct json_object *info, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(info, key, &v) || v == NULL)
		return NULL;
	if (!json_object_is_type(v, json_type_string) &&
	    !json_object_is_type(v, json_type_int))
		return NULL;
	if (json_object_get_string(v)[0] == '\0')
		return NULL;
	return json_object_get_string(v);
}

/* Derives a valid username (5..45 of [A-Za-z0-9_-]) from `hint`. */
static void
oauth_username(const char *hint, int attempt, char out[48])
{
	size_t n = 0;
	char tok[SEC_TOKEN_MAX];

	for (; hint != NULL && *hint && n < 36; hint++) {
		if (isalnum((unsigned char)*hint) || *hint == '_' ||
		    *hint == '-')
			out[n++] = *hint;
	}
	while (n < 5) {
		out[n] = "user_"[n];
		n++;
	}
	out[n] = '\0';
	if (attempt > 0) {
		sec_token(tok, 4);
		snprintf(out + n, 48 - n, "_%.6s", tok);
	}
}

/* The picture of a new user: the provider's (GitHub avatar_url, Google
 * picture), fetched with the upload limits and converted like an upload;
 * else, or when that fails, one drawn from the id. */
static void
oauth_avatar(const struct oauth_provider *p, struct json_object *info,
    int64_t user_id)
{
	const char *url = oauth_field(info, "avatar_url");
	struct media_file f = { 0 };
	const char *why = NULL;
	enum err_code rc = ERR_NOT_FOUND;
	struct buf answer;
	long status = 0;

	if (url == NULL)
		url = oauth_field(info, "picture");
	buf_init(&answer, cfg.upload_max);
	if (url != NULL)
		rc = fetch("GET", url, NULL, NULL, &answer, &status);
	if (rc == ERR_OK && status != 200)
		rc = ERR_NOT_FOUND;
	if (rc == ERR_OK)
		rc = media_from_bytes(answer.data, answer.len, MEDIA_ICON, &f,
		    &why);
	if (rc == ERR_OK)
		rc = media_attach(&f, MEDIA_USER, user_id);
	if (rc && url != NULL)
		log_warn("oauth %s: avatar of user %lld not imported (%s)",
		    p->name, (long long)user_id, why ? why : err_name(rc));
	if (rc)
		avatar_assign(user_id);
	media_file_release(&f);
	buf_release(&answer);
}

/* Finds the linked user, links the signed-in one, or creates one. */
static enum err_code
oauth_link(struct http_req *r, const struct oauth_provider *p,
    struct json_object *info, int64_t *user_id)
{
	const char *subject = oauth_field(info, p->subject_key);
	const char *login = oauth_field(info, p->login_key);
	const char *name = oauth_field(info, "name");
	const char *email = oauth_field(info, "email");
	struct db_res *res = NULL;
	char username[48], fullname[46];
	enum err_code rc;
	int attempt;

	if (subject == NULL)
		return ERR_UNAUTHENTICATED;
	rc = db_query(&res,
	    "SELECT user_id FROM oauth_accounts "
	    "WHERE provider = $1 AND subject = $2",
	    DB_TEXT(p->name), DB_TEXT(subject));
	if (rc)
		return rc;
	if (db_rows(res) == 1) {
		*user_id = db_int(res, 0, 0);
		db_res_free(res);
		return ERR_OK;
	}
	db_res_free(res);
	res = NULL;
	if (r->user_id) {
		/* Signed in already: link this account to them. */
		rc = db_query(NULL,
		    "INSERT INTO oauth_accounts "
		    "(provider, subject, user_id) VALUES ($1, $2, $3)",
		    DB_TEXT(p->name), DB_TEXT(subject), DB_I64(r->user_id));
		*user_id = r->user_id;
		return rc;
	}
	snprintf(fullname, sizeof(fullname), "%.45s", name ? name : "");
	for (attempt = 0; attempt < 5; attempt++) {
		oauth_username(login ? login : name, attempt, username);
		rc = db_query(&res,
		    "WITH u AS (INSERT INTO users (username, email) "
		    "VALUES ($1, $2) RETURNING id), "
		    "p AS (INSERT INTO profiles (user_id, full_name) "
		    "SELECT id, $3 FROM u) SELECT id FROM u",
		    DB_TEXT(username), DB_TEXT(email), DB_TEXT(fullname));
		if (rc != ERR_CONFLICT)
			break;
	}
	if (rc)
		goto out;
	*user_id = db_int(res, 0, 0);
	rc = db_query(NULL,
	    "INSERT INTO oauth_accounts (provider, subject, "
	    "user_id) VALUES ($1, $2, $3)",
	    DB_TEXT(p->name), DB_TEXT(subject), DB_I64(*user_id));
	if (rc == ERR_OK) {
		log_info("created user %lld from %s", (long long)*user_id,
		    p->name);
		oauth_avatar(p, info, *user_id);
		/* the provider's word is not this server's proof */
		if (email != NULL && *email && verify_queue_signup(*user_id))
			log_warn("no verification mail for user %lld",
			    (long long)*user_id);
	}
out:
	db_res_free(res);
	return rc;
}

enum err_code
oauth_callback(struct http_req *r)
{
	const struct oauth_provider *p;
	struct json_object *info = NULL;
	struct auth_tokens t = { 0 };
	const char *state, *cookie, *code;
	char key[128], *saved = NULL, *token = NULL;
	enum err_code rc = ERR_OK;
	int64_t user_id = 0;

	p = oauth_provider(r, &rc);
	if (p == NULL)
		return rc;
	state = http_query(r, "state");
	cookie = http_cookie(r, OAUTH_STATE_COOKIE);
	code = http_query(r, "code");
	http_set_cookie(r, OAUTH_STATE_COOKIE, "", OAUTH_COOKIE_PATH, 0);
	if (state == NULL || cookie == NULL || strlen(state) > 64 ||
	    strcmp(state, cookie) != 0) {
		oauth_redirect(r, "/login?oauth_error=state");
		return ERR_OK;
	}
	snprintf(key, sizeof(key), "oauth:state:%s", state);
	rc = rds_take(key, &saved);
	if (rc)
		goto out;
	if (saved == NULL || strcmp(saved, p->name) != 0) {
		oauth_redirect(r, "/login?oauth_error=state");
		goto out;
	}
	if (code == NULL || code[0] == '\0' || strlen(code) > 2048) {
		oauth_redirect(r, "/login?oauth_error=denied");
		goto out;
	}
	rc = oauth_token(p, code, &token);
	if (rc == ERR_OK)
		rc = oauth_userinfo(p, token, &info);
	if (rc == ERR_OK)
		rc = oauth_link(r, p, info, &user_id);
	if (rc == ERR_OK)
		rc = auth_session_start(user_id, &t);
	if (rc) {
		log_warn("oauth %s sign-in failed: %s", p->name, err_name(rc));
		oauth_redirect(r, "/login?oauth_error=provider");
		rc = ERR_OK;
		goto out;
	}
	auth_set_cookies(r, &t);
	oauth_redirect(r, "/");
out:
	auth_tokens_release(&t);
	json_object_put(info);
	free(saved);
	free(token);
	return rc;
}
