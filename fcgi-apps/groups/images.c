/* images.c - group icon and wallpaper uploads. */
#include "images.h"

#include <stdlib.h>

#include "acl.h"
#include "db.h"
#include "event.h"
#include "groups.h"
#include "media.h"

static enum err_code
images_upload(struct http_req *r, enum media_kind kind)
{
	struct media_file f = { 0 };
	char *json = NULL;
	enum err_code rc;

	rc = acl_group(r->ids[0], r->user_id, ACL_ADMIN, NULL);
	if (rc)
		goto out;
	rc = media_from_request(r, kind, &f);
	if (rc)
		goto out;
	rc = media_attach(&f, MEDIA_GROUP, r->ids[0]);
	if (rc)
		goto out;
	/* Committed: tell the members, with the group as PATCH does. */
	if (db_query_text(&json,
	        "SELECT ec_group_json(g)::text FROM groups g "
	        "WHERE g.id = $1",
	        DB_I64(r->ids[0])) == ERR_OK)
		event_group(r->ids[0], WIRE_EV_GROUP_UPDATED, "group", json,
		    NULL);
	media_reply(r, &f);
out:
	free(json);
	media_file_release(&f);
	return rc;
}

enum err_code
images_upload_icon(struct http_req *r)
{
	return images_upload(r, MEDIA_ICON);
}

enum err_code
images_upload_wallpaper(struct http_req *r)
{
	return images_upload(r, MEDIA_WALLPAPER);
}
