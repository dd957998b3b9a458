/* main.c - the rooms program: rooms, their messages and read markers.
 *
 * lighttpd sends /api/topics/{id}/rooms, /api/rooms*, /api/messages* and
 * /api/attachments* here.  Handlers live in rooms.c, messages.c,
 * reactions.c, pins.c and attachments.c;
 * every one of them checks
 * membership and roles through acl.c first.
 */
#include "app.h"
#include "reactions.h"
#include "rooms.h"

#define AUTH HTTP_AUTH_REQUIRED

static const struct http_route routes[] = {
	{ HTTP_POST, "/api/topics/{id}/rooms", rooms_create, AUTH },
	{ HTTP_GET, "/api/rooms/{id}", rooms_get, AUTH },
	{ HTTP_PATCH, "/api/rooms/{id}", rooms_update, AUTH },
	{ HTTP_DELETE, "/api/rooms/{id}", rooms_delete, AUTH },
	{ HTTP_GET, "/api/rooms/{id}/messages", messages_list,
	    AUTH | HTTP_AUTH_DEFER },
	{ HTTP_POST, "/api/rooms/{id}/messages", messages_create,
	    AUTH | HTTP_RATE_MESSAGE },
	{ HTTP_POST, "/api/rooms/{id}/read", rooms_mark_read, AUTH },
	{ HTTP_POST, "/api/rooms/{id}/attachments", attachments_create,
	    AUTH | HTTP_BODY_MULTIPART | HTTP_BODY_ATTACH },
	{ HTTP_GET, "/api/attachments/{id}", attachments_get, AUTH },
	{ HTTP_GET, "/api/attachments/{id}/thumbnail",
	    attachments_get_thumbnail, AUTH },
	{ HTTP_PUT, "/api/rooms/{id}/slow-mode", moderation_slow_mode, AUTH },
	{ HTTP_PATCH, "/api/messages/{id}", messages_update, AUTH },
	{ HTTP_DELETE, "/api/messages/{id}", messages_delete, AUTH },
	{ HTTP_GET, "/api/rooms/{id}/pins", pins_list, AUTH },
	{ HTTP_PUT, "/api/messages/{id}/pin", pins_put, AUTH },
	{ HTTP_DELETE, "/api/messages/{id}/pin", pins_delete, AUTH },
	{ HTTP_GET, "/api/messages/{id}/reactions/{text}", reactions_list,
	    AUTH },
	{ HTTP_PUT, "/api/messages/{id}/reactions/{text}/me", reactions_put,
	    AUTH },
	{ HTTP_DELETE, "/api/messages/{id}/reactions/{text}/me",
	    reactions_delete, AUTH },
};

int
main(int argc, char **argv)
{
	return app_run(argc, argv, "rooms", APP_ROUTES(routes));
}
