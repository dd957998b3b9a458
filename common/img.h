/* img.h - untrusted images in, bounded re-encoded images out (the only
 * module over GraphicsMagick).
 *
 * Layer: base (common/README.md) - knows nothing of chat; includes base
 * headers only.  Where a picture is stored and who points at it is
 * media.h's business.
 *
 * An upload is trusted for nothing: its type comes from its first bytes
 * (PNG, JPEG, GIF or WebP) and only that decoder is used; its dimensions
 * are read from the header (a "ping") and refused above
 * cfg.upload_max_pixels before any pixel is decoded; GraphicsMagick's own
 * resource limits (pixels, width, height, memory, map, no disk cache)
 * back that up.  The crop rectangle, in pixels of the (EXIF-oriented)
 * original, must be non-empty and lie inside the image; it is narrowed
 * around its centre to the target's shape and resized once; metadata is
 * stripped.
 *
 * Cost is bounded by the target, not by the upload: a large JPEG is
 * decoded at 1/2 to 1/8 (DCT scaling), a large PNG is read row by row
 * (libpng) and only its source rectangle box-averaged into a small image,
 * anything else is box-averaged right after decoding; one Lanczos resize
 * gives the target.  Each conversion logs its CPU time and the process's
 * peak memory.
 *
 * GraphicsMagick is initialised on first use in each process and shut
 * down at exit.  GIFs: the first frame only.
 */
#ifndef EC_IMG_H
#define EC_IMG_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

enum img_format {
	IMG_PNG,  /* keeps transparency */
	IMG_JPEG, /* quality 85, progressive; transparency onto white */
};

/* What img_convert() produces: exactly width x height in `format`; with
 * `fit`, the whole image (no crop) scaled to fit inside width x height,
 * keeping its shape and never enlarged.  max_bytes: the largest upload
 * taken (0: cfg.upload_max). */
struct img_target {
	unsigned long width, height;
	enum img_format format;
	int fit;
	size_t max_bytes;
};

/* A rectangle in pixels of the (EXIF-oriented) original. */
struct img_crop {
	int64_t x, y, w, h;
};

struct img_out {
	unsigned char *data; /* encoded output, malloc()ed */
	size_t len;
	unsigned long width, height;
	unsigned long src_width, src_height; /* the (oriented) original */
};

/* One figure of a drawn picture: a GraphicsMagick draw primitive
 * ("circle 128,100 128,148") filled with `fill` ("#ffffffb0"). */
struct img_shape {
	const char *fill;
	const char *primitive;
};

/* "PNG", "JPEG", "GIF" or "WEBP" from the magic bytes, else NULL. */
const char *img_sniff(const void *data, size_t len);

/* Checks and converts an upload into out (img_out_release() it, also on
 * error).  `crop` NULL means the whole image; a rectangle must be
 * non-empty and inside the image.  Errors, each with a sentence in *why
 * for the error body: ERR_UNSUPPORTED_MEDIA (not one of the four types),
 * ERR_TOO_LARGE (over cfg.upload_max bytes or cfg.upload_max_pixels, or a
 * GraphicsMagick resource limit), ERR_VALIDATION (crop rectangle empty or
 * not inside the image), ERR_BAD_REQUEST (the decoder failed),
 * ERR_UNAVAILABLE (no conversion slot free within
 * cfg.upload_decode_wait ms: cfg.upload_decodes run at once on the
 * machine, counted with lock files), ERR_INTERNAL. */
enum err_code
img_convert(const void *data, size_t len, const struct img_crop *crop,
    const struct img_target *target, struct img_out *out, const char **why);

void img_out_release(struct img_out *out);

/* Draws a width x height vertical gradient from colour `top` to `bottom`
 * with `shapes` on it, and writes it as PNG to `path` (metadata
 * stripped).  ERR_INTERNAL (logged) on any failure. */
enum err_code img_draw_png(const char *path, unsigned long width,
    unsigned long height, const char *top, const char *bottom,
    const struct img_shape *shapes, size_t nshapes);

#endif
