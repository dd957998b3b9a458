/* main.c - the search program: its route table and main().  The handlers
 * and the session settings they rely on are in search.c. */
#include "app.h"
#include "db.h"
#include "search.h"

static const struct http_route routes[] = {
	{ HTTP_GET, "/api/search/groups", search_groups, HTTP_AUTH_OPTIONAL },
	{ HTTP_GET, "/api/search/messages", search_messages,
	    HTTP_AUTH_REQUIRED },
};

int
main(int argc, char **argv)
{
	db_set_session_sql(search_session_sql);
	return app_run(argc, argv, "search", APP_ROUTES(routes));
}
