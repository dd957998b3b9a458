/* images.h - group icon and wallpaper uploads (POST /api/groups/{id}/icon
 * and /wallpaper), through common/media.c like the users program's. */
#ifndef EC_GROUPS_IMAGES_H
#define EC_GROUPS_IMAGES_H

#include "http.h"

/* Owner or admin of group r->ids[0]: multipart `file` + crop_x, crop_y,
 * crop_w, crop_h (as for users).  200 {"icon_url"} / {"wallpaper_url"},
 * then group.updated on group:<id>.  Non-members 404, members below
 * admin 403; image errors 400/413/415 as in media.h. */
enum err_code images_upload_icon(struct http_req *r);
enum err_code images_upload_wallpaper(struct http_req *r);

#endif
