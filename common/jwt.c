/* jwt.c - HS256 JSON Web Tokens for access tokens (over libjwt). */
#include "jwt.h"

#include <errno.h>
#include <jwt.h>
#include <json-c/json.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cfg.h"

#define JWT_MAX_LEN 4096

/* Tokens this process verified lately: a client sends the same access
 * token with every request for its lifetime, and libjwt's check (header
 * and payload JSON, an OpenSSL HMAC set up afresh) was about a tenth of
 * the rooms program's CPU per cached history page.  A slot holds an
 * exact token string that passed every check of jwt_check() under the
 * key in jwt_seen_key, with its type and claims; the expiry is checked
 * again on every hit, and a changed key empties the table.  Only tokens
 * that passed are stored, so a client cannot fill it with junk. */
#define JWT_SEEN 64
static struct {
	char *token; /* NULL: empty */
	char typ[16];
	struct jwt_claims claims;
} jwt_seen[JWT_SEEN];
static char *jwt_seen_key; /* the key the stored tokens passed under */

/* The slot of `token` (FNV-1a). */
static size_t
jwt_seen_slot(const char *token)
{
	uint32_t h = 2166136261u;

	for (; *token != '\0'; token++)
		h = (h ^ (unsigned char)*token) * 16777619u;
	return h % JWT_SEEN;
}

/* 1 and *claims when `token` of type `typ` passed under the current key
 * and has not expired. */
static int
jwt_seen_find(const char *token, const char *typ, struct jwt_claims *claims)
{
	size_t i = jwt_seen_slot(token), len = strlen(token);

	/* Compared in constant time: FNV is not keyed, so a client can
	 * aim a forged token at another user's slot, and strcmp() would
	 * tell it by its timing how much of that token's signature it
	 * had guessed. */
	if (jwt_seen[i].token == NULL || jwt_seen_key == NULL ||
	    strlen(jwt_seen[i].token) != len ||
	    sodium_memcmp(jwt_seen[i].token, token, len) != 0 ||
	    strcmp(jwt_seen[i].typ, typ) != 0 ||
	    strcmp(jwt_seen_key, cfg.jwt_key) != 0 ||
	    jwt_seen[i].claims.exp <= (long)time(NULL))
		return 0;
	*claims = jwt_seen[i].claims;
	return 1;
}

/* Remembers a token that passed. */
static void
jwt_seen_add(const char *token, const char *typ,
    const struct jwt_claims *claims)
{
	size_t i;

	if (strlen(typ) >= sizeof(jwt_seen[0].typ))
		return;
	if (jwt_seen_key == NULL || strcmp(jwt_seen_key, cfg.jwt_key) != 0) {
		for (i = 0; i < JWT_SEEN; i++) {
			free(jwt_seen[i].token);
			jwt_seen[i].token = NULL;
		}
		free(jwt_seen_key);
		jwt_seen_key = strdup(cfg.jwt_key);
		if (jwt_seen_key == NULL)
			return;
	}
	i = jwt_seen_slot(token);
	free(jwt_seen[i].token);
	jwt_seen[i].token = strdup(token);
	snprintf(jwt_seen[i].typ, sizeof(jwt_seen[i].typ), "%s", typ);
	jwt_seen[i].claims = *claims;
}

enum err_code
jwt_issue(const char *typ, int64_t sub, int64_t fam, long lifetime, char **out)
{
	unsigned char jti[12];
	char jti_hex[sizeof(jti) * 2 + 1];
	enum err_code rc = ERR_INTERNAL;
	jwt_t *jwt = NULL;
	time_t now = time(NULL);

	*out = NULL;
	if (jwt_new(&jwt) != 0)
		goto out;
	randombytes_buf(jti, sizeof(jti));
	sodium_bin2hex(jti_hex, sizeof(jti_hex), jti, sizeof(jti));
	if (jwt_add_grant(jwt, "typ", typ) != 0 ||
	    jwt_add_grant_int(jwt, "sub", (long)sub) != 0 ||
	    jwt_add_grant_int(jwt, "fam", (long)fam) != 0 ||
	    jwt_add_grant_int(jwt, "iat", (long)now) != 0 ||
	    jwt_add_grant_int(jwt, "exp", (long)now + lifetime) != 0 ||
	    jwt_add_grant(jwt, "jti", jti_hex) != 0)
		goto out;
	if (jwt_set_alg(jwt, JWT_ALG_HS256, (const unsigned char *)cfg.jwt_key,
	        (int)strlen(cfg.jwt_key)) != 0)
		goto out;
	*out = jwt_encode_str(jwt);
	if (*out != NULL)
		rc = ERR_OK;
out:
	jwt_free(jwt);
	return rc;
}

/* Checks that the token is three non-empty base64url parts and that the
 * header names HS256 and nothing else.  libjwt 1.x accepted "none" in
 * some versions, so this does not rely on it. */
static int
jwt_header_ok(const char *token, size_t len)
{
	const char *dot1, *dot2;
	unsigned char header[512];
	size_t hlen;
	struct json_object *obj = NULL, *alg, *typ;
	int ok = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		char c = token[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		        (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		        c == '.'))
			return 0;
	}
	dot1 = memchr(token, '.', len);
	if (dot1 == NULL || dot1 == token)
		return 0;
	dot2 = memchr(dot1 + 1, '.', len - (size_t)(dot1 + 1 - token));
	if (dot2 == NULL || dot2 == dot1 + 1 || dot2 + 1 == token + len)
		return 0;
	if (memchr(dot2 + 1, '.', len - (size_t)(dot2 + 1 - token)) != NULL)
		return 0;
	if (sodium_base642bin(header, sizeof(header) - 1, token,
	        (size_t)(dot1 - token), NULL, &hlen, NULL,
	        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
		return 0;
	header[hlen] = '\0';
	obj = json_tokener_parse((const char *)header);
	if (obj == NULL || !json_object_is_type(obj, json_type_object))
		goto out;
	if (!json_object_object_get_ex(obj, "alg", &alg) ||
	    !json_object_is_type(alg, json_type_string) ||
	    strcmp(json_object_get_string(alg), "HS256") != 0)
		goto out;
	if (json_object_object_get_ex(obj, "typ", &typ) &&
	    (!json_object_is_type(typ, json_type_string) ||
	        strcmp(json_object_get_string(typ), "JWT") != 0))
		goto out;
	ok = 1;
out:
	json_object_put(obj);
	return ok;
}

static int
jwt_grant_long(jwt_t *jwt, const char *name, long *out)
{
	errno = 0;
	*out = jwt_get_grant_int(jwt, name);
	return errno == 0;
}

enum err_code
jwt_check(const char *token, const char *typ, struct jwt_claims *claims)
{
	enum err_code rc = ERR_TOKEN_INVALID;
	const char *t;
	jwt_t *jwt = NULL;
	long sub, fam;
	size_t len;

	memset(claims, 0, sizeof(*claims));
	if (token == NULL)
		return rc;
	len = strlen(token);
	if (len == 0 || len > JWT_MAX_LEN)
		return rc;
	if (jwt_seen_find(token, typ, claims))
		return ERR_OK;
	if (!jwt_header_ok(token, len))
		return rc;
	if (jwt_decode(&jwt, token, (const unsigned char *)cfg.jwt_key,
	        (int)strlen(cfg.jwt_key)) != 0 ||
	    jwt == NULL)
		goto out;
	if (jwt_get_alg(jwt) != JWT_ALG_HS256)
		goto out;
	t = jwt_get_grant(jwt, "typ");
	if (t == NULL || strcmp(t, typ) != 0)
		goto out;
	if (!jwt_grant_long(jwt, "sub", &sub) ||
	    !jwt_grant_long(jwt, "fam", &fam) ||
	    !jwt_grant_long(jwt, "exp", &claims->exp) ||
	    !jwt_grant_long(jwt, "iat", &claims->iat))
		goto out;
	if (sub <= 0 || fam <= 0 || claims->exp <= (long)time(NULL))
		goto out;
	claims->sub = sub;
	claims->fam = fam;
	rc = ERR_OK;
	jwt_seen_add(token, typ, claims);
out:
	if (rc)
		memset(claims, 0, sizeof(*claims));
	jwt_free(jwt);
	return rc;
}
