/* jwt.h - HS256 JSON Web Tokens for access tokens (over libjwt).
 *
 * Only HS256 is ever accepted: the header is checked to say exactly
 * {"alg":"HS256"} before libjwt sees the token, and libjwt's decoded
 * algorithm is checked again afterwards, so "none", RS256-signed-with-
 * the-HMAC-key and other confusions are refused.  The key is
 * cfg.jwt_key.
 *
 * Layer: base (common/README.md) - knows nothing of chat; includes base
 * headers only.
 */
#ifndef EC_JWT_H
#define EC_JWT_H

#include <stdint.h>

#include "err.h"

#define JWT_TYPE_ACCESS "access"

struct jwt_claims {
	int64_t sub; /* user id */
	int64_t fam; /* session (refresh family) id */
	long iat;
	long exp;
};

/* Signs a token of type `typ` for user `sub` in family `fam`, valid for
 * `lifetime` seconds from now.  On ERR_OK *out is a malloc()ed string the
 * caller frees. */
enum err_code
jwt_issue(const char *typ, int64_t sub, int64_t fam, long lifetime, char **out);

/* Verifies signature, algorithm, expiry and type.  Returns
 * ERR_TOKEN_INVALID for anything wrong with the token (without saying
 * which, to the client), ERR_OK and fills *claims otherwise.  The last
 * tokens that passed are remembered per process (exact string, type and
 * key; the expiry is checked on every call), so a token sent again
 * costs no signature check. */
enum err_code
jwt_check(const char *token, const char *typ, struct jwt_claims *claims);

#endif
