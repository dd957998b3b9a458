/* images.c - group icon and wallpaper uploads. */
#include "images.h"

#include <stdio.h>
#include <stdlib.h>

#include "acl.h"
#include "db.h"
#include "event.h"
#include "groups.h"
#include "img.h"
#include "log.h"

static enum err_code
images_upload(struct http_req *r, enum img_kind kind)
{
	struct json_object *root;
	struct img_out out = { 0 };
	char url[IMG_PATH_MAX + 16], *json = NULL;
	enum err_code rc;

	rc = acl_group(r->ids[0], r->user_id, ACL_ADMIN, NULL);
	if (rc)
		goto out;
	rc = img_from_request(r, kind, &out);
	if (rc)
		goto out;
	rc = img_attach(&out,
	    kind == IMG_ICON
	        ? "UPDATE groups g SET icon = $2 FROM (SELECT id, icon FROM "
	          "groups "
	          "WHERE id = $1 FOR UPDATE) old WHERE g.id = old.id "
	          "RETURNING old.icon"
	        : "UPDATE groups g SET wallpaper = $2 FROM (SELECT id, "
	          "wallpaper "
	          "FROM groups WHERE id = $1 FOR UPDATE) old WHERE g.id = "
	          "old.id "
	          "RETURNING old.wallpaper",
	    r->ids[0], NULL);
	if (rc)
		goto out;
	/* Committed: tell the members, with the group as PATCH does. */
	if (db_query_text(&json,
	        "SELECT ec_group_json(g)::text FROM groups g "
	        "WHERE g.id = $1",
	        DB_I64(r->ids[0])) == ERR_OK)
		event_group(r->ids[0], WIRE_EV_GROUP_UPDATED, "group", json,
		    NULL);
	snprintf(url, sizeof(url), "/media/%s", out.path);
	root = json_object_new_object();
	json_object_object_add(root,
	    kind == IMG_ICON ? "icon_url" : "wallpaper_url",
	    json_object_new_string(url));
	http_reply_json(r, 200, root);
out:
	free(json);
	img_out_release(&out);
	return rc;
}

enum err_code
images_upload_icon(struct http_req *r)
{
	return images_upload(r, IMG_ICON);
}

enum err_code
images_upload_wallpaper(struct http_req *r)
{
	return images_upload(r, IMG_WALLPAPER);
}
