/* main.c - the users program: its route table and main().
 *
 * The handlers are in users.c, delete.c, dms.c, notify.c and push.c.
 * Run as `easychat-users --make-defaults DIR` it draws the default
 * pictures instead of serving requests.
 */
#include <string.h>

#include "app.h"
#include "media.h"
#include "log.h"
#include "users.h"

static const struct http_route routes[] = {
	{ HTTP_GET, "/api/users/me", users_me, HTTP_AUTH_REQUIRED },
	{ HTTP_PATCH, "/api/users/me", users_update_me, HTTP_AUTH_REQUIRED },
	{ HTTP_PUT, "/api/users/me/password", users_password,
	    HTTP_AUTH_REQUIRED },
	{ HTTP_POST, "/api/users/me/icon", users_icon,
	    HTTP_AUTH_REQUIRED | HTTP_BODY_MULTIPART },
	{ HTTP_POST, "/api/users/me/wallpaper", users_wallpaper,
	    HTTP_AUTH_REQUIRED | HTTP_BODY_MULTIPART },
	{ HTTP_GET, "/api/users/me/conversations", dms_list,
	    HTTP_AUTH_REQUIRED },
	{ HTTP_POST, "/api/users/me/conversations", dms_open,
	    HTTP_AUTH_REQUIRED },
	{ HTTP_GET, "/api/users/me/conversations/{id}", dms_get,
	    HTTP_AUTH_REQUIRED },
	{ HTTP_GET, "/api/users/me/blocks", blocks_list, HTTP_AUTH_REQUIRED },
	{ HTTP_PUT, "/api/users/me/blocks/{id}", blocks_put,
	    HTTP_AUTH_REQUIRED },
	{ HTTP_DELETE, "/api/users/me/blocks/{id}", blocks_delete,
	    HTTP_AUTH_REQUIRED },
	{ HTTP_GET, "/api/users/me/mentions", mentions_list,
	    HTTP_AUTH_REQUIRED },
	{ HTTP_GET, "/api/users/me/notification-settings", notify_get,
	    HTTP_AUTH_REQUIRED },
	{ HTTP_PUT, "/api/users/me/notification-settings/defaults",
	    notify_put_defaults, HTTP_AUTH_REQUIRED },
	{ HTTP_DELETE, "/api/users/me/notification-settings/defaults",
	    notify_delete_defaults, HTTP_AUTH_REQUIRED },
	{ HTTP_PUT, "/api/users/me/notification-settings/groups/{id}",
	    notify_put_group, HTTP_AUTH_REQUIRED },
	{ HTTP_DELETE, "/api/users/me/notification-settings/groups/{id}",
	    notify_delete_group, HTTP_AUTH_REQUIRED },
	{ HTTP_PUT, "/api/users/me/notification-settings/rooms/{id}",
	    notify_put_room, HTTP_AUTH_REQUIRED },
	{ HTTP_DELETE, "/api/users/me/notification-settings/rooms/{id}",
	    notify_delete_room, HTTP_AUTH_REQUIRED },
	{ HTTP_GET, "/api/users/me/push-subscriptions/vapid-key",
	    push_vapid_public, HTTP_AUTH_REQUIRED },
	{ HTTP_POST, "/api/users/me/push-subscriptions", push_subscribe,
	    HTTP_AUTH_REQUIRED },
	{ HTTP_DELETE, "/api/users/me/push-subscriptions/{id}",
	    push_unsubscribe, HTTP_AUTH_REQUIRED },
	{ HTTP_GET, "/api/users/username-available", users_username_available,
	    HTTP_AUTH_OPTIONAL },
	{ HTTP_GET, "/api/users/{id}", users_get, HTTP_AUTH_REQUIRED },
	{ HTTP_DELETE, "/api/users/me", users_delete_me, HTTP_AUTH_REQUIRED },
	{ HTTP_DELETE, "/api/users/{id}", users_delete, HTTP_AUTH_REQUIRED },
	{ HTTP_POST, "/api/users/{id}/disable", users_disable,
	    HTTP_AUTH_REQUIRED },
	{ HTTP_POST, "/api/users/{id}/enable", users_enable,
	    HTTP_AUTH_REQUIRED },
};

int
main(int argc, char **argv)
{
	/* `easychat-users --make-defaults DIR` draws the default pictures
	 * (conf/stack.sh runs it at start); otherwise serve requests. */
	if (argc == 3 && strcmp(argv[1], "--make-defaults") == 0) {
		log_init("users", NULL);
		return media_make_defaults(argv[2]) == ERR_OK ? 0 : 1;
	}
	return app_run(argc, argv, "users", APP_ROUTES(routes));
}
