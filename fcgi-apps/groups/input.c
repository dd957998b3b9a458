/* input.c - reading what several handlers of the groups program share:
 * the page of a list and the empty body of a POST that takes none. */
#include <stdint.h>

#include "groups.h"
#include "json.h"

enum err_code
input_page(struct http_req *r, int64_t *limit, int64_t *offset)
{
	enum err_code rc;

	rc = http_query_limit(r, limit);
	if (http_query_int(r, "offset", 0, INT32_MAX, 0, offset))
		rc = ERR_VALIDATION;
	return rc;
}

enum err_code
input_none(struct http_req *r)
{
	static const char *const none[] = { NULL };

	return json_only(r->json, none, http_fields(r));
}
