/* input.c - reading what several handlers of the groups program share:
 * the empty body of a POST that takes none (a list's page is
 * http_query_page()). */
#include <stdint.h>

#include "groups.h"
#include "json.h"

enum err_code
input_none(struct http_req *r)
{
	static const char *const none[] = { NULL };

	return json_only(r->json, none, http_fields(r));
}
