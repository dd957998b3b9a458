/* main.c - the groups program (routes arrive with their issue). */
#include "app.h"

static enum err_code
handle_not_yet(struct http_req *r)
{
	return http_fail(r, ERR_NOT_FOUND, "Not implemented yet.");
}

static const struct http_route routes[] = {
	{ HTTP_GET, "/api/groups/_placeholder", handle_not_yet, 0 },
};

int
main(void)
{
	return app_run("groups", APP_ROUTES(routes));
}
