/* fuzz_json.c - JSON parsing (depth, UTF-8, trailing bytes) and the typed
 * field readers on whatever object comes out. */
#include <assert.h>
#include <string.h>

#include "fuzz.h"
#include "json.h"

/* Every reader on one key, with the limits handlers use. */
static void
fuzz_readers(struct json_object *obj, const char *key)
{
	static const char *const choices[] = { "Online", "Busy", "Sleeping",
		NULL };
	struct json_object *fields = json_object_new_object();
	const char *s;
	size_t n;
	int64_t i;
	int b;

	s = NULL;
	if (json_get_text(obj, key, 0, 1, 2000, 1, &s, &n, fields) == ERR_OK &&
	    s != NULL)
		assert(strlen(s) >= n);
	json_get_text(obj, key, 1, 0, 8, 0, &s, &n, fields);
	json_get_int(obj, key, 0, INT64_MIN, INT64_MAX, &i, fields);
	json_get_int(obj, key, 1, 1, 100, &i, fields);
	json_get_bool(obj, key, 0, &b, fields);
	json_get_enum(obj, key, 0, choices, &s, fields);
	json_get_username(obj, key, 0, &s, &n, fields);
	json_get_email(obj, key, 0, &s, &n, fields);
	json_object_put(fields);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const allowed[] = { "text", "name", "limit", NULL };
	static const char *const keys[] = { "text", "username", "email",
		"status", "limit", "is_public", "" };
	struct json_object *obj = NULL, *fields;
	char *copy = fuzz_copy(data, size);
	struct buf out;
	size_t k;

	if (json_parse(copy, size, &obj) != ERR_OK) {
		assert(obj == NULL);
		goto out;
	}
	buf_init(&out, 0);
	assert(json_append(&out, obj) == ERR_OK);
	/* What we print parses again. */
	{
		struct json_object *again = NULL;

		assert(json_parse(out.data, out.len, &again) == ERR_OK);
		json_object_put(again);
	}
	buf_release(&out);
	if (!json_object_is_type(obj, json_type_object))
		goto out;
	for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
		fuzz_readers(obj, keys[k]);
	json_object_object_foreach(obj, key, val)
	{
		(void)val;
		fuzz_readers(obj, key);
	}
	fields = json_object_new_object();
	json_only(obj, allowed, fields);
	json_object_put(fields);
out:
	json_object_put(obj);
	free(copy);
	return 0;
}
