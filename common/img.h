/* img.h - uploaded images: sniffed, bounded, cropped, scaled, re-encoded
 * and stored under the media directory (the only module over
 * GraphicsMagick).
 *
 * An upload is trusted for nothing: its type comes from its first bytes
 * (PNG, JPEG, GIF or WebP) and only that decoder is used; its dimensions
 * are read from the header (a "ping") and refused above
 * cfg.upload_max_pixels before any pixel is decoded; GraphicsMagick's own
 * resource limits (pixels, width, height, memory, map, no disk cache)
 * back that up.  The crop rectangle, in pixels of the (EXIF-oriented)
 * original, must lie inside the image; the crop is scaled to cover the
 * target and the excess centre-trimmed; metadata is stripped.
 *
 * Output: icons are 256x256 PNG (keeps transparency, small at that size),
 * wallpapers 1500x500 JPEG quality 85, progressive (photos; transparency
 * flattened onto white).  The file name is the SHA-256 of the output, so
 * equal images share one file: "<2 hex>/<64 hex>.png|jpg" under
 * cfg.media_dir, written to a temporary name, fsync()ed and renamed.
 *
 * GraphicsMagick is initialised on first use in each process and shut
 * down at exit.  GIFs: the first frame only.
 */
#ifndef EC_IMG_H
#define EC_IMG_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

enum img_kind {
	IMG_ICON,      /* 256x256 PNG */
	IMG_WALLPAPER, /* 1500x500 JPEG */
};

#define IMG_ICON_SIZE        256
#define IMG_WALLPAPER_WIDTH  1500
#define IMG_WALLPAPER_HEIGHT 500
#define IMG_PATH_MAX         96

struct img_crop {
	int64_t x, y, w, h; /* pixels of the original; w == 0: all */
};

struct img_out {
	unsigned char *data; /* encoded output, malloc()ed */
	size_t len;
	unsigned long width, height;
	char path[IMG_PATH_MAX]; /* relative to the media dir */
};

/* "PNG", "JPEG", "GIF" or "WEBP" from the magic bytes, else NULL. */
const char *img_sniff(const void *data, size_t len);

/* Checks and converts an upload into out (img_out_release() it, also on
 * error).  Errors, each with a sentence in *why for the error body:
 * ERR_UNSUPPORTED_MEDIA (not one of the four types), ERR_TOO_LARGE (over
 * cfg.upload_max bytes or cfg.upload_max_pixels, or a GraphicsMagick
 * resource limit), ERR_VALIDATION (crop rectangle not inside the image),
 * ERR_BAD_REQUEST (the decoder failed), ERR_INTERNAL. */
enum err_code
img_convert(const void *data, size_t len, const struct img_crop *crop,
    enum img_kind kind, struct img_out *out, const char **why);

void img_out_release(struct img_out *out);

struct http_req;

/* The upload of an image route (flagged HTTP_BODY_MULTIPART): reads the
 * multipart body of `r` (parts `file`, and crop_x, crop_y, crop_w,
 * crop_h as decimal integers: all four, or none for the whole image),
 * refuses unknown parts, and img_convert()s the file into out.  Errors
 * carry their message or fields in `r` (http_fail / http_fields). */
enum err_code
img_from_request(struct http_req *r, enum img_kind kind, struct img_out *out);

/* Stores `out` and points one row at it: in a transaction, takes an
 * advisory lock on the new path, writes the file (atomically), runs
 * `sql_update` with $1 = id and $2 = the new path, which must return the
 * previous path in column 0 (no row: ERR_NOT_FOUND), and commits; then
 * removes the previous file when no profile or group uses it any more
 * (img_release()).  `extra` is passed as $3 when not NULL. */
enum err_code img_attach(const struct img_out *out, const char *sql_update,
    int64_t id, const char *extra);

/* Removes the media file `path` unless it is a default image, is still
 * referenced by a profile or a group, or does not look like one of ours.
 * Runs its own transaction under the same advisory lock as img_attach(),
 * so a concurrent upload of the same image cannot lose its file. */
void img_release(const char *path);

/* Draws the default pictures new users and groups get (db/migrations
 * pick one at random): icon-1..8.png and group-icon-1..8.png (256x256),
 * wallpaper-1..4.png (1500x500) in `dir`, which is created if needed.
 * Files that exist are kept.  Each is a two-colour vertical gradient
 * with a simple figure: a person for users, three bubbles for groups,
 * soft circles for wallpapers. */
enum err_code img_make_defaults(const char *dir);

#endif
