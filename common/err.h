/* err.h - the one error vocabulary of Easy Chat.
 *
 * Every fallible function returns an enum err_code (ERR_OK is 0, so call
 * sites read `rc = f(); if (rc) goto out;`).  Each code maps to one HTTP
 * status and one snake_case code for the JSON error body (`Error` in
 * common/openapi.yaml); the body itself is written by http.c, never by a
 * handler.
 *
 * Layer: base (common/README.md) - knows nothing of chat; includes base
 * headers only.
 */
#ifndef EC_ERR_H
#define EC_ERR_H

enum err_code {
	ERR_OK = 0,
	ERR_BAD_REQUEST,         /* 400 malformed request */
	ERR_BAD_JSON,            /* 400 body is not valid JSON */
	ERR_VALIDATION,          /* 400 fields invalid (with "fields") */
	ERR_UNAUTHENTICATED,     /* 401 */
	ERR_INVALID_CREDENTIALS, /* 401 wrong username or password */
	ERR_TOKEN_INVALID,       /* 401 bad, expired or revoked token */
	ERR_FORBIDDEN,           /* 403 */
	ERR_CSRF,                /* 403 Origin check failed */
	ERR_NOT_FOUND,           /* 404 absent or invisible */
	ERR_NOT_ENABLED,         /* 404 feature switched off in config */
	ERR_METHOD_NOT_ALLOWED,  /* 405 (with Allow) */
	ERR_CONFLICT,            /* 409 */
	ERR_USERNAME_TAKEN,      /* 409 */
	ERR_NAME_TAKEN,          /* 409 group name in use */
	ERR_GONE,                /* 410 invite expired or used up */
	ERR_TOO_LARGE,           /* 413 */
	ERR_UNSUPPORTED_MEDIA,   /* 415 */
	ERR_RATE_LIMITED,        /* 429 (with Retry-After) */
	ERR_INTERNAL,            /* 500 */
	ERR_UNAVAILABLE,         /* 503 database or redis unreachable */
	ERR__COUNT
};

/* HTTP status for a code (500 for unknown codes). */
int err_status(enum err_code code);

/* snake_case name used as "code" in the JSON body; never NULL. */
const char *err_name(enum err_code code);

/* Default human sentence for a code; never NULL. */
const char *err_message(enum err_code code);

#endif
