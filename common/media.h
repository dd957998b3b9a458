/* media.h - the pictures of profiles and groups: upload, store, attach,
 * release, and the default pictures.
 *
 * Layer: domain (common/README.md) - may include base and domain
 * headers; nothing in the base includes this.  The pixels are img.h's
 * business; this module knows the two kinds of picture, the media
 * directory, and the tables that point at files in it.
 *
 * Kinds: icons are 256x256 PNG (keeps transparency, small at that size),
 * wallpapers 1500x500 JPEG (photos).  The file name is the SHA-256 of the
 * output, so equal images share one file: "<2 hex>/<64 hex>.png|jpg"
 * under cfg.media_dir, written to a temporary name, fsync()ed and renamed.
 * A file is removed when no profile or group uses it any more; the
 * default pictures (cfg.media_dir/defaults/, drawn at start) never are.
 */
#ifndef EC_MEDIA_H
#define EC_MEDIA_H

#include <stdint.h>

#include "err.h"
#include "http.h"
#include "img.h"

enum media_kind {
	MEDIA_ICON,      /* 256x256 PNG */
	MEDIA_WALLPAPER, /* 1500x500 JPEG */
};

/* Who a picture belongs to: a user's profile or a group. */
enum media_owner {
	MEDIA_USER,
	MEDIA_GROUP,
};

#define MEDIA_ICON_SIZE        256
#define MEDIA_WALLPAPER_WIDTH  1500
#define MEDIA_WALLPAPER_HEIGHT 500
#define MEDIA_PATH_MAX         96

/* A converted upload and the name it is stored under. */
struct media_file {
	struct img_out img;
	enum media_kind kind;
	char path[MEDIA_PATH_MAX]; /* relative to the media dir */
};

/* The upload of an image route (flagged HTTP_BODY_MULTIPART): reads the
 * multipart body of `r` (parts `file`, and crop_x, crop_y, crop_w,
 * crop_h as decimal integers: all four, or none for the whole image),
 * refuses unknown parts, converts the file (img_convert()) and names it.
 * Errors carry their message or fields in `r` (http_fail / http_fields).
 * media_file_release() `out` in every case. */
enum err_code media_from_request(struct http_req *r, enum media_kind kind,
    struct media_file *out);

void media_file_release(struct media_file *f);

/* Writes data[0..len) to cfg.media_dir/`rel` atomically: the directories
 * on the way made, a temporary file written, fsync()ed and renamed over
 * the name.  ERR_INTERNAL (logged) on failure. */
enum err_code media_write_file(const char *rel, const void *data, size_t len);

/* Converts the whole picture in `data` (len bytes, from outside: the
 * same checks and limits as an upload, img_convert()) into `out` as a
 * `kind` and names it; media_file_release() `out` in every case. */
enum err_code media_from_bytes(const void *data, size_t len,
    enum media_kind kind, struct media_file *out, const char **why);

/* Names `f` (f->img and f->kind set) after the SHA-256 of its bytes, as
 * media_from_request() does: for pictures made on the server. */
void media_file_name(struct media_file *f);

/* Stores `f` and points the owner's icon or wallpaper at it: in a
 * transaction, takes an advisory lock on the new path, writes the file
 * (atomically), updates the row of user or group `id` (none:
 * ERR_NOT_FOUND) and commits; then removes the previous file when nothing
 * uses it any more (media_release()). */
enum err_code
media_attach(const struct media_file *f, enum media_owner owner, int64_t id);

/* Answers 200 {"icon_url": "/media/..."} or {"wallpaper_url": ...}. */
void media_reply(struct http_req *r, const struct media_file *f);

/* Removes the media file `path` unless it is a default image, is still
 * referenced by a profile or a group, or does not look like one of ours.
 * Runs its own transaction under the same advisory lock as
 * media_attach(), so a concurrent upload of the same image cannot lose
 * its file. */
void media_release(const char *path);

/* Draws the default pictures new users and groups get (db/migrations
 * pick one at random): icon-1..8.png and group-icon-1..8.png (256x256),
 * wallpaper-1..4.png (1500x500) in `dir`, which is created if needed.
 * Files that exist are kept.  Each is a two-colour vertical gradient
 * with a simple figure: a person for users, three bubbles for groups,
 * soft circles for wallpapers. */
enum err_code media_make_defaults(const char *dir);

#endif
