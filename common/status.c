/* status.c - HTTP reason phrases and the JSON error body. */
#include "status.h"

#include <stddef.h>

#include "json.h"

struct status_reason {
	int status;
	const char *reason;
};

/* Every status the stack answers with (RFC 9110 phrases). */
static const struct status_reason status_table[] = {
	{ 101, "Switching Protocols" },
	{ 200, "OK" },
	{ 201, "Created" },
	{ 204, "No Content" },
	{ 302, "Found" },
	{ 304, "Not Modified" },
	{ 400, "Bad Request" },
	{ 401, "Unauthorized" },
	{ 403, "Forbidden" },
	{ 404, "Not Found" },
	{ 405, "Method Not Allowed" },
	{ 409, "Conflict" },
	{ 410, "Gone" },
	{ 411, "Length Required" },
	{ 413, "Payload Too Large" },
	{ 414, "URI Too Long" },
	{ 415, "Unsupported Media Type" },
	{ 426, "Upgrade Required" },
	{ 429, "Too Many Requests" },
	{ 431, "Request Header Fields Too Large" },
	{ 500, "Internal Server Error" },
	{ 501, "Not Implemented" },
	{ 502, "Bad Gateway" },
	{ 503, "Service Unavailable" },
	{ 504, "Gateway Timeout" },
	{ 505, "HTTP Version Not Supported" },
};

const char *
status_reason(int status)
{
	size_t i;

	for (i = 0; i < sizeof(status_table) / sizeof(status_table[0]); i++) {
		if (status_table[i].status == status)
			return status_table[i].reason;
	}
	if (status >= 500)
		return status_reason(500);
	if (status >= 400)
		return status_reason(400);
	return status_reason(200);
}

void
status_error_body(struct buf *out, enum err_code code, const char *message,
    struct json_object *fields)
{
	struct json_object *root, *err;

	root = json_object_new_object();
	err = json_object_new_object();
	json_object_object_add(err, "code",
	    json_object_new_string(err_name(code)));
	json_object_object_add(err, "message",
	    json_object_new_string(message ? message : err_message(code)));
	if (fields != NULL && json_object_object_length(fields) > 0)
		json_object_object_add(err, "fields", json_object_get(fields));
	json_object_object_add(root, "error", err);
	json_append(out, root);
	json_object_put(root);
}
