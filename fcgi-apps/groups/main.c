/* main.c - the groups program: groups, members, invites, topics and the
 * public directory (contract: openapi.yaml here).
 *
 * lighttpd sends /api/groups*, /api/public-groups, /api/invites* and
 * /api/topics/{id} here; /api/topics/{id}/rooms goes to the rooms
 * program.  The icon and wallpaper uploads are in images.c.
 */
#include "app.h"
#include "groups.h"
#include "images.h"

#define AUTH HTTP_AUTH_REQUIRED

static const struct http_route routes[] = {
	{ HTTP_GET, "/api/groups", groups_list, AUTH | HTTP_AUTH_DEFER },
	{ HTTP_POST, "/api/groups", groups_create, AUTH },
	{ HTTP_GET, "/api/groups/{id}", groups_get, AUTH },
	{ HTTP_PATCH, "/api/groups/{id}", groups_update, AUTH },
	{ HTTP_DELETE, "/api/groups/{id}", groups_delete, AUTH },
	{ HTTP_POST, "/api/groups/{id}/join", groups_join, AUTH },
	{ HTTP_POST, "/api/groups/{id}/leave", groups_leave, AUTH },
	{ HTTP_POST, "/api/groups/{id}/icon", images_upload_icon,
	    AUTH | HTTP_BODY_MULTIPART },
	{ HTTP_POST, "/api/groups/{id}/wallpaper", images_upload_wallpaper,
	    AUTH | HTTP_BODY_MULTIPART },
	{ HTTP_GET, "/api/groups/{id}/members", members_list, AUTH },
	{ HTTP_PATCH, "/api/groups/{id}/members/{id}", members_update, AUTH },
	{ HTTP_DELETE, "/api/groups/{id}/members/{id}", members_delete, AUTH },
	{ HTTP_PUT, "/api/groups/{id}/members/{id}/timeout", bans_timeout_put,
	    AUTH },
	{ HTTP_DELETE, "/api/groups/{id}/members/{id}/timeout",
	    bans_timeout_delete, AUTH },
	{ HTTP_GET, "/api/groups/{id}/bans", bans_list, AUTH },
	{ HTTP_PUT, "/api/groups/{id}/bans/{id}", bans_put, AUTH },
	{ HTTP_DELETE, "/api/groups/{id}/bans/{id}", bans_delete, AUTH },
	{ HTTP_GET, "/api/groups/{id}/audit-log", bans_audit_list, AUTH },
	{ HTTP_POST, "/api/groups/{id}/invites", invites_create, AUTH },
	{ HTTP_GET, "/api/groups/{id}/invites", invites_list, AUTH },
	{ HTTP_POST, "/api/groups/{id}/topics", topics_create, AUTH },
	{ HTTP_PATCH, "/api/topics/{id}", topics_update, AUTH },
	{ HTTP_DELETE, "/api/topics/{id}", topics_delete, AUTH },
	{ HTTP_GET, "/api/invites/{str}", invites_preview, 0 },
	{ HTTP_DELETE, "/api/invites/{str}", invites_revoke, AUTH },
	{ HTTP_POST, "/api/invites/{str}/accept", invites_accept, AUTH },
	{ HTTP_GET, "/api/public-groups", groups_directory, 0 },
};

int
main(int argc, char **argv)
{
	return app_run(argc, argv, "groups", APP_ROUTES(routes));
}
