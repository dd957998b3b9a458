/* json.c - JSON parsing with limits and typed field access (over json-c). */
#include "json.h"

#include <string.h>

#include "utf8.h"

/* Value of 4 hex digits at p, or -1. */
static long
json_hex4(const char *p)
{
	long v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		char c = p[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

/* 1 when every \u escape in the text is a valid code point: json-c turns
 * a lone surrogate ("\ud800") into U+FFFD, which would store something
 * other than what was sent, so such input is refused as invalid Unicode. */
static int
json_escapes_ok(const char *data, size_t len)
{
	size_t i;
	long cp, lo;

	for (i = 0; i + 1 < len; i++) {
		if (data[i] != '\\')
			continue;
		if (data[i + 1] != 'u') {
			i++; /* skip the escaped character */
			continue;
		}
		if (i + 6 > len || (cp = json_hex4(data + i + 2)) < 0)
			return 0;
		if (cp >= 0xdc00 && cp <= 0xdfff)
			return 0;
		if (cp >= 0xd800 && cp <= 0xdbff) {
			if (i + 12 > len || data[i + 6] != '\\' ||
			    data[i + 7] != 'u')
				return 0;
			lo = json_hex4(data + i + 8);
			if (lo < 0xdc00 || lo > 0xdfff)
				return 0;
			i += 6;
		}
		i += 5;
	}
	return 1;
}

enum err_code
json_parse(const char *data, size_t len, struct json_object **out)
{
	struct json_tokener *tok;
	struct json_object *obj;
	enum err_code rc = ERR_BAD_JSON;

	*out = NULL;
	if (len > (size_t)INT32_MAX || !utf8_valid(data, len) ||
	    !json_escapes_ok(data, len))
		return rc;
	tok = json_tokener_new_ex(JSON_MAX_DEPTH);
	if (tok == NULL)
		return ERR_INTERNAL;
	json_tokener_set_flags(tok,
	    JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	obj = json_tokener_parse_ex(tok, data, (int)len);
	if (obj == NULL &&
	    json_tokener_get_error(tok) == json_tokener_continue) {
		/* json-c only knows a number or true/false/null has ended
		 * when it sees the next byte, so "0" alone was refused while
		 * "0 " passed: end the input with a space (a complete value,
		 * or still an incomplete one, either way). */
		obj = json_tokener_parse_ex(tok, " ", 1);
		if (json_tokener_get_error(tok) == json_tokener_success) {
			*out = obj;
			obj = NULL;
			rc = ERR_OK;
		}
	} else if (json_tokener_get_error(tok) == json_tokener_success &&
	    json_tokener_get_parse_end(tok) == len) {
		*out = obj;
		obj = NULL;
		rc = ERR_OK;
	} else if (json_tokener_get_error(tok) == json_tokener_success) {
		/* A value followed by more bytes: allow trailing space only. */
		size_t i;

		rc = ERR_OK;
		for (i = json_tokener_get_parse_end(tok); i < len; i++) {
			if (data[i] != ' ' && data[i] != '\n' &&
			    data[i] != '\r' && data[i] != '\t')
				rc = ERR_BAD_JSON;
		}
		if (rc == ERR_OK) {
			*out = obj;
			obj = NULL;
		}
	}
	json_object_put(obj);
	json_tokener_free(tok);
	return rc;
}

enum err_code
json_append(struct buf *b, struct json_object *obj)
{
	size_t len;
	const char *s;

	s = json_object_to_json_string_length(obj,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	return buf_append(b, s, len);
}

enum err_code
json_field_error(struct json_object *fields, const char *key, const char *why)
{
	if (fields != NULL)
		json_object_object_add(fields, key,
		    json_object_new_string(why));
	return ERR_VALIDATION;
}

/* Looks the key up; returns 0 when absent or null. */
static int
json_lookup(struct json_object *obj, const char *key, struct json_object **v)
{
	*v = NULL;
	if (obj == NULL || !json_object_is_type(obj, json_type_object))
		return 0;
	if (!json_object_object_get_ex(obj, key, v) || *v == NULL)
		return 0;
	return 1;
}

enum err_code
json_get_text(struct json_object *obj, const char *key, int required,
    size_t min, size_t max, int trim, const char **out, size_t *len,
    struct json_object *fields)
{
	struct json_object *v;
	const char *s, *t;
	size_t n, tn, count;

	if (!json_lookup(obj, key, &v))
		return required ? json_field_error(fields, key, "required")
		                : ERR_OK;
	if (!json_object_is_type(v, json_type_string))
		return json_field_error(fields, key, "must be a string");
	s = json_object_get_string(v);
	n = (size_t)json_object_get_string_len(v);
	if (!utf8_valid(s, n))
		return json_field_error(fields, key,
		    "must be valid UTF-8 without U+0000");
	t = s;
	tn = n;
	utf8_trim(&t, &tn);
	count = utf8_count(t, tn);
	if (count < min) {
		return json_field_error(fields, key,
		    min == 1 ? "must not be empty" : "is too short");
	}
	if (count > max)
		return json_field_error(fields, key, "is too long");
	if (trim) {
		s = t;
		n = tn;
	}
	*out = s;
	if (len)
		*len = n;
	return ERR_OK;
}

enum err_code
json_get_int(struct json_object *obj, const char *key, int required,
    int64_t min, int64_t max, int64_t *out, struct json_object *fields)
{
	struct json_object *v;
	int64_t n;

	if (!json_lookup(obj, key, &v))
		return required ? json_field_error(fields, key, "required")
		                : ERR_OK;
	if (!json_object_is_type(v, json_type_int))
		return json_field_error(fields, key, "must be an integer");
	n = json_object_get_int64(v);
	if (n < min || n > max)
		return json_field_error(fields, key, "is out of range");
	*out = n;
	return ERR_OK;
}

enum err_code
json_get_bool(struct json_object *obj, const char *key, int required, int *out,
    struct json_object *fields)
{
	struct json_object *v;

	if (!json_lookup(obj, key, &v))
		return required ? json_field_error(fields, key, "required")
		                : ERR_OK;
	if (!json_object_is_type(v, json_type_boolean))
		return json_field_error(fields, key, "must be true or false");
	*out = json_object_get_boolean(v);
	return ERR_OK;
}

enum err_code
json_enum_error(struct json_object *fields, const char *key,
    const char *const *choices)
{
	struct buf why;
	size_t i;

	buf_init(&why, 0);
	buf_puts(&why, "must be one of ");
	for (i = 0; choices[i] != NULL; i++)
		buf_printf(&why, "%s%s", i ? ", " : "", choices[i]);
	json_field_error(fields, key, why.data);
	buf_release(&why);
	return ERR_VALIDATION;
}

enum err_code
json_get_enum(struct json_object *obj, const char *key, int required,
    const char *const *choices, const char **out, struct json_object *fields)
{
	struct json_object *v;
	const char *s;
	size_t i;

	if (!json_lookup(obj, key, &v))
		return required ? json_field_error(fields, key, "required")
		                : ERR_OK;
	if (!json_object_is_type(v, json_type_string))
		return json_field_error(fields, key, "must be a string");
	s = json_object_get_string(v);
	for (i = 0; choices[i] != NULL; i++) {
		if (strcmp(s, choices[i]) == 0) {
			*out = choices[i];
			return ERR_OK;
		}
	}
	return json_enum_error(fields, key, choices);
}

enum err_code
json_get_username(struct json_object *obj, const char *key, int required,
    const char **out, size_t *len, struct json_object *fields)
{
	const char *s = NULL;
	enum err_code rc;
	size_t i, n = 0;

	rc = json_get_text(obj, key, required, JSON_USERNAME_MIN,
	    JSON_USERNAME_MAX, 1, &s, &n, fields);
	if (rc || s == NULL)
		return rc;
	for (i = 0; i < n; i++) {
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		        (s[i] >= 'A' && s[i] <= 'Z') ||
		        (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
		        s[i] == '-'))
			return json_field_error(fields, key,
			    "may contain only letters, digits, _ and -");
	}
	*out = s;
	*len = n;
	return ERR_OK;
}

enum err_code
json_get_email(struct json_object *obj, const char *key, int required,
    const char **out, size_t *len, struct json_object *fields)
{
	const char *s = NULL;
	enum err_code rc;
	size_t n = 0;

	rc = json_get_text(obj, key, required, 0, JSON_EMAIL_MAX, 1, &s, &n,
	    fields);
	if (rc || s == NULL)
		return rc;
	if (n > 0 &&
	    (memchr(s, '@', n) == NULL || s[0] == '@' || s[n - 1] == '@' ||
	        memchr(s, ' ', n) != NULL))
		return json_field_error(fields, key, "is not an email address");
	*out = s;
	*len = n;
	return ERR_OK;
}

enum err_code
json_only(struct json_object *obj, const char *const *allowed,
    struct json_object *fields)
{
	enum err_code rc = ERR_OK;
	size_t i;

	if (obj == NULL || !json_object_is_type(obj, json_type_object))
		return ERR_OK;
	json_object_object_foreach(obj, key, val)
	{
		int known = 0;

		(void)val;
		for (i = 0; allowed[i] != NULL; i++) {
			if (strcmp(key, allowed[i]) == 0)
				known = 1;
		}
		if (!known)
			rc = json_field_error(fields, key, "unknown field");
	}
	return rc;
}
