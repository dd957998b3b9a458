/* err.c - status, name and default message of each error code. */
#include "err.h"

#include <stddef.h>

struct err_info {
	int status;
	const char *name;
	const char *message;
};

static const struct err_info err_table[ERR__COUNT] = {
	[ERR_OK] = { 200, "ok", "OK." },
	[ERR_BAD_REQUEST] = { 400, "bad_request", "The request is malformed." },
	[ERR_BAD_JSON] = { 400, "bad_json", "The body is not valid JSON." },
	[ERR_VALIDATION] = { 400, "validation_failed",
	    "Some fields are invalid." },
	[ERR_UNAUTHENTICATED] = { 401, "not_authenticated",
	    "Sign in to do this." },
	[ERR_INVALID_CREDENTIALS] = { 401, "invalid_credentials",
	    "Wrong username or password." },
	[ERR_TOKEN_INVALID] = { 401, "token_invalid",
	    "The token is invalid, expired or revoked." },
	[ERR_FORBIDDEN] = { 403, "forbidden",
	    "You are not allowed to do this." },
	[ERR_CSRF] = { 403, "csrf", "The request's Origin is not allowed." },
	[ERR_NOT_FOUND] = { 404, "not_found", "Not found." },
	[ERR_NOT_ENABLED] = { 404, "not_enabled",
	    "This feature is not enabled on this server." },
	[ERR_METHOD_NOT_ALLOWED] = { 405, "method_not_allowed",
	    "This method is not allowed here." },
	[ERR_CONFLICT] = { 409, "conflict",
	    "The request conflicts with the current state." },
	[ERR_USERNAME_TAKEN] = { 409, "username_taken",
	    "This username is taken." },
	[ERR_NAME_TAKEN] = { 409, "name_taken", "This name is taken." },
	[ERR_GONE] = { 410, "gone", "This is no longer available." },
	[ERR_TOO_LARGE] = { 413, "too_large", "The request is too large." },
	[ERR_UNSUPPORTED_MEDIA] = { 415, "unsupported_media_type",
	    "This content type is not supported here." },
	[ERR_RATE_LIMITED] = { 429, "rate_limited",
	    "Too many attempts; try again later." },
	[ERR_INTERNAL] = { 500, "internal_error",
	    "Something went wrong on our side." },
	[ERR_UNAVAILABLE] = { 503, "unavailable",
	    "The service is temporarily unavailable; try again shortly." },
};

static const struct err_info *
err_info(enum err_code code)
{
	if ((int)code < 0 || code >= ERR__COUNT || err_table[code].name == NULL)
		return &err_table[ERR_INTERNAL];
	return &err_table[code];
}

int
err_status(enum err_code code)
{
	return err_info(code)->status;
}

const char *
err_name(enum err_code code)
{
	return err_info(code)->name;
}

const char *
err_message(enum err_code code)
{
	return err_info(code)->message;
}
