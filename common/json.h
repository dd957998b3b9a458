/* json.h - JSON parsing with limits and typed field access (over json-c).
 *
 * Request bodies are parsed with a depth limit (JSON_MAX_DEPTH) and strict
 * UTF-8; field readers check types and text limits and record why a field
 * is invalid in a "fields" object for the validation error body.
 *
 * Layer: base (common/README.md) - knows nothing of chat; includes base
 * headers only.
 */
#ifndef EC_JSON_H
#define EC_JSON_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"

#define JSON_MAX_DEPTH 32

/* Parses exactly one JSON value from data[0..len).  ERR_BAD_JSON when it
 * is malformed, nested deeper than JSON_MAX_DEPTH, has trailing bytes or
 * invalid UTF-8.  On ERR_OK the caller owns *out (json_object_put). */
enum err_code
json_parse(const char *data, size_t len, struct json_object **out);

/* Serialises `obj` compactly (no escaped slashes) and appends it. */
enum err_code json_append(struct buf *b, struct json_object *obj);

/* Field readers.  `fields` collects "name": "why" for invalid fields; a
 * missing optional field leaves *out unchanged and returns ERR_OK.
 *
 * json_get_text: a string of [min, max] code points after trimming, valid
 * UTF-8 without U+0000; *out points into `obj` (valid while obj lives).
 * With `trim`, the outputs are narrowed to the trimmed text. */
enum err_code json_get_text(struct json_object *obj, const char *key,
    int required, size_t min, size_t max, int trim, const char **out,
    size_t *len, struct json_object *fields);

/* json_get_int: an integer in [min, max]. */
enum err_code
json_get_int(struct json_object *obj, const char *key, int required,
    int64_t min, int64_t max, int64_t *out, struct json_object *fields);

/* json_get_bool: true or false. */
enum err_code json_get_bool(struct json_object *obj, const char *key,
    int required, int *out, struct json_object *fields);

/* Records "must be one of A, B, C" (the NULL-terminated `choices`) for
 * key in fields (when not NULL); returns ERR_VALIDATION. */
enum err_code json_enum_error(struct json_object *fields, const char *key,
    const char *const *choices);

/* json_get_enum: a string equal to one of `choices` (NULL-terminated);
 * anything else is json_enum_error(). */
enum err_code
json_get_enum(struct json_object *obj, const char *key, int required,
    const char *const *choices, const char **out, struct json_object *fields);

/* The account fields of the API reference (common/openapi.yaml). */
#define JSON_USERNAME_MIN  5
#define JSON_USERNAME_MAX  45
#define JSON_EMAIL_MAX     254
#define JSON_PASSWORD_MIN  8
#define JSON_PASSWORD_MAX  128
#define JSON_FULL_NAME_MAX 45

/* json_get_username: 5..45 of [A-Za-z0-9_-] (trimmed). */
enum err_code json_get_username(struct json_object *obj, const char *key,
    int required, const char **out, size_t *len, struct json_object *fields);

/* json_get_email: empty (to clear it) or something@something without
 * spaces, at most 254 characters (trimmed). */
enum err_code json_get_email(struct json_object *obj, const char *key,
    int required, const char **out, size_t *len, struct json_object *fields);

/* Adds "key": "why" to `fields` and returns ERR_VALIDATION. */
enum err_code
json_field_error(struct json_object *fields, const char *key, const char *why);

/* ERR_VALIDATION (adding "unknown field" entries) if `obj` has a key not in
 * `allowed` (NULL-terminated). */
enum err_code json_only(struct json_object *obj, const char *const *allowed,
    struct json_object *fields);

#endif
