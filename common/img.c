/* img.c - uploaded images over GraphicsMagick: sniff, bound, crop, scale,
 * re-encode, store. */
#include "img.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* GraphicsMagick's headers are not -Wundef clean (they come in with -I,
 * not -isystem). */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wundef"
#pragma GCC diagnostic ignored "-Wstrict-prototypes"
#include <magick/api.h>
#pragma GCC diagnostic pop

#include "cfg.h"
#include "db.h"
#include "http.h"
#include "json.h"
#include "log.h"
#include "mem.h"
#include "multipart.h"
#include "sec.h"

/* Memory and memory-mapped pixel cache: enough for one 40 MP image at 16
 * bits per sample (320 MB) being resized; nothing ever goes to disk. */
#define IMG_MEMORY_LIMIT ((int64_t)768 * 1024 * 1024)
#define IMG_MAP_LIMIT    ((int64_t)768 * 1024 * 1024)
#define IMG_SIDE_LIMIT   65535
#define IMG_JPEG_QUALITY 85
#define IMG_CROP_MAX     1000000

static int img_ready;

static void
img_warning(const ExceptionType severity, const char *reason,
    const char *description)
{
	log_debug("graphicsmagick: %d %s %s", (int)severity,
	    reason ? reason : "", description ? description : "");
}

static void
img_shutdown(void)
{
	if (img_ready)
		DestroyMagick();
	img_ready = 0;
}

/* Initialises GraphicsMagick once per process, with its limits. */
static void
img_init(void)
{
	if (img_ready)
		return;
	InitializeMagick(NULL);
	SetWarningHandler(img_warning);
	SetErrorHandler(img_warning);
	SetMagickResourceLimit(PixelsResource,
	    cfg.upload_max_pixels > 0 ? cfg.upload_max_pixels : 40000000);
	SetMagickResourceLimit(WidthResource, IMG_SIDE_LIMIT);
	SetMagickResourceLimit(HeightResource, IMG_SIDE_LIMIT);
	SetMagickResourceLimit(MemoryResource, IMG_MEMORY_LIMIT);
	SetMagickResourceLimit(MapResource, IMG_MAP_LIMIT);
	SetMagickResourceLimit(DiskResource, 0);
	/* One request at a time per process: no OpenMP thread pools. */
	SetMagickResourceLimit(ThreadsResource, 1);
	img_ready = 1;
	atexit(img_shutdown);
}

const char *
img_sniff(const void *data, size_t len)
{
	const unsigned char *p = data;

	if (len >= 8 && memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0)
		return "PNG";
	if (len >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff)
		return "JPEG";
	if (len >= 6 &&
	    (memcmp(p, "GIF87a", 6) == 0 || memcmp(p, "GIF89a", 6) == 0))
		return "GIF";
	if (len >= 12 && memcmp(p, "RIFF", 4) == 0 &&
	    memcmp(p + 8, "WEBP", 4) == 0)
		return "WEBP";
	return NULL;
}

static uint32_t
img_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* The dimensions the header declares, read by hand so that a header a
 * decoder would call invalid (libpng refuses 100000 px wide images as
 * "Invalid IHDR") is still answered "too large".  0 when the header does
 * not say (the ping decides then). */
static void
img_declared(const char *format, const unsigned char *p, size_t len,
    uint64_t *w, uint64_t *h)
{
	size_t i;

	*w = *h = 0;
	if (strcmp(format, "PNG") == 0 && len >= 24 &&
	    memcmp(p + 12, "IHDR", 4) == 0) {
		*w = img_be32(p + 16);
		*h = img_be32(p + 20);
	} else if (strcmp(format, "GIF") == 0 && len >= 10) {
		*w = (uint64_t)(p[6] | p[7] << 8);
		*h = (uint64_t)(p[8] | p[9] << 8);
	} else if (strcmp(format, "WEBP") == 0 && len >= 30 &&
	    memcmp(p + 12, "VP8X", 4) == 0) {
		*w = 1 + (uint64_t)(p[24] | p[25] << 8 | p[26] << 16);
		*h = 1 + (uint64_t)(p[27] | p[28] << 8 | p[29] << 16);
	} else if (strcmp(format, "JPEG") == 0) {
		/* Markers up to the first SOFn (not DHT, JPG, DAC). */
		for (i = 2; i + 9 < len && p[i] == 0xff;) {
			unsigned m = p[i + 1];

			if (m == 0xff) {
				i++;
				continue;
			}
			if (m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 &&
			    m != 0xcc) {
				*h = (uint64_t)(p[i + 5] << 8 | p[i + 6]);
				*w = (uint64_t)(p[i + 7] << 8 | p[i + 8]);
				break;
			}
			if (m == 0xd8 || (m >= 0xd0 && m <= 0xd7) ||
			    m == 0x01) {
				i += 2;
				continue;
			}
			i += 2 + (size_t)(p[i + 2] << 8 | p[i + 3]);
		}
	}
}

void
img_out_release(struct img_out *out)
{
	if (out == NULL)
		return;
	free(out->data);
	memset(out, 0, sizeof(*out));
}

/* Maps a GraphicsMagick failure to our vocabulary. */
static enum err_code
img_failure(const ExceptionInfo *ex, const char *what, const char **why)
{
	if (ex->severity == ResourceLimitError) {
		*why = "The image is too large.";
		return ERR_TOO_LARGE;
	}
	log_info("image %s failed: %s %s", what, ex->reason ? ex->reason : "?",
	    ex->description ? ex->description : "");
	*why = "The image could not be decoded.";
	return ERR_BAD_REQUEST;
}

/* Replaces *image with the result of a transformation (NULL = failed). */
static enum err_code
img_swap(Image **image, Image *next, const ExceptionInfo *ex, const char *what,
    const char **why)
{
	if (next == NULL)
		return img_failure(ex, what, why);
	DestroyImage(*image);
	*image = next;
	return ERR_OK;
}

/* Reads only the header; checks the pixel count before decoding. */
static enum err_code
img_ping(ImageInfo *info, const void *data, size_t len, const char **why)
{
	ExceptionInfo ex;
	Image *image;
	enum err_code rc = ERR_OK;
	double pixels;

	GetExceptionInfo(&ex);
	image = PingBlob(info, data, len, &ex);
	if (image == NULL) {
		rc = img_failure(&ex, "ping", why);
		goto out;
	}
	pixels = (double)image->columns * (double)image->rows;
	if (image->columns == 0 || image->rows == 0) {
		*why = "The image has no pixels.";
		rc = ERR_BAD_REQUEST;
	} else if (pixels > (double)cfg.upload_max_pixels) {
		*why = "The image has too many pixels.";
		rc = ERR_TOO_LARGE;
	}
out:
	if (image != NULL)
		DestroyImageList(image);
	DestroyExceptionInfo(&ex);
	return rc;
}

/* Crops, covers target tw x th, trims the excess around the centre. */
static enum err_code
img_fit(Image **image, const struct img_crop *c, unsigned long tw,
    unsigned long th, ExceptionInfo *ex, const char **why)
{
	struct img_crop whole = { 0, 0, 0, 0 };
	RectangleInfo rect;
	double scale, sw, sh;
	unsigned long nw, nh;
	enum err_code rc;

	if (c->w == 0 && c->h == 0 && c->x == 0 && c->y == 0) {
		whole.w = (int64_t)(*image)->columns;
		whole.h = (int64_t)(*image)->rows;
		c = &whole;
	}
	if (c->w < 1 || c->h < 1 || c->x < 0 || c->y < 0 ||
	    c->x + c->w > (int64_t)(*image)->columns ||
	    c->y + c->h > (int64_t)(*image)->rows) {
		*why = "The crop rectangle must lie inside the image.";
		return ERR_VALIDATION;
	}
	rect.x = (long)c->x;
	rect.y = (long)c->y;
	rect.width = (unsigned long)c->w;
	rect.height = (unsigned long)c->h;
	rc = img_swap(image, CropImage(*image, &rect, ex), ex, "crop", why);
	if (rc)
		return rc;
	(*image)->page.x = (*image)->page.y = 0;
	(*image)->page.width = (*image)->page.height = 0;

	sw = (double)tw / (double)c->w;
	sh = (double)th / (double)c->h;
	scale = sw > sh ? sw : sh;
	nw = (unsigned long)((double)c->w * scale + 0.5);
	nh = (unsigned long)((double)c->h * scale + 0.5);
	if (nw < tw)
		nw = tw;
	if (nh < th)
		nh = th;
	if (nw != (*image)->columns || nh != (*image)->rows) {
		rc = img_swap(image,
		    ResizeImage(*image, nw, nh, LanczosFilter, 1.0, ex), ex,
		    "resize", why);
		if (rc)
			return rc;
	}
	if (nw != tw || nh != th) {
		rect.x = (long)((nw - tw) / 2);
		rect.y = (long)((nh - th) / 2);
		rect.width = tw;
		rect.height = th;
		rc = img_swap(image, CropImage(*image, &rect, ex), ex, "trim",
		    why);
		if (rc)
			return rc;
		(*image)->page.x = (*image)->page.y = 0;
		(*image)->page.width = (*image)->page.height = 0;
	}
	return ERR_OK;
}

/* Encodes `image` as PNG or JPEG into out. */
static enum err_code
img_encode(Image **image, enum img_kind kind, struct img_out *out,
    ExceptionInfo *ex, const char **why)
{
	ImageInfo *info;
	size_t len = 0;
	void *blob;
	enum err_code rc;

	if ((*image)->colorspace != RGBColorspace)
		TransformColorspace(*image, RGBColorspace);
	StripImage(*image);
	info = CloneImageInfo(NULL);
	if (kind == IMG_WALLPAPER) {
		if ((*image)->matte) {
			(*image)->background_color.red = MaxRGB;
			(*image)->background_color.green = MaxRGB;
			(*image)->background_color.blue = MaxRGB;
			(*image)->background_color.opacity = OpaqueOpacity;
			rc = img_swap(image, FlattenImages(*image, ex), ex,
			    "flatten", why);
			if (rc)
				goto out;
			(*image)->matte = 0;
		}
		strcpy(info->magick, "JPEG");
		strcpy((*image)->magick, "JPEG");
		info->quality = IMG_JPEG_QUALITY;
		info->interlace = LineInterlace;
	} else {
		strcpy(info->magick, "PNG");
		strcpy((*image)->magick, "PNG");
	}
	(*image)->filename[0] = '\0';
	info->filename[0] = '\0';
	blob = ImageToBlob(info, *image, &len, ex);
	if (blob == NULL || len == 0) {
		log_error("image encoding failed: %s",
		    ex->reason ? ex->reason : "?");
		MagickFree(blob);
		rc = ERR_INTERNAL;
		goto out;
	}
	out->data = mem_alloc(len);
	memcpy(out->data, blob, len);
	out->len = len;
	MagickFree(blob);
	out->width = (*image)->columns;
	out->height = (*image)->rows;
	rc = ERR_OK;
out:
	DestroyImageInfo(info);
	return rc;
}

enum err_code
img_convert(const void *data, size_t len, const struct img_crop *crop,
    enum img_kind kind, struct img_out *out, const char **why)
{
	char digest[SEC_DIGEST_HEX];
	ImageInfo *info = NULL;
	Image *image = NULL;
	ExceptionInfo ex;
	const char *format;
	unsigned long tw, th;
	uint64_t dw, dh;
	enum err_code rc;

	memset(out, 0, sizeof(*out));
	*why = NULL;
	GetExceptionInfo(&ex);
	if (len > cfg.upload_max) {
		*why = "The file is too large.";
		rc = ERR_TOO_LARGE;
		goto out;
	}
	format = img_sniff(data, len);
	if (format == NULL) {
		*why = "Only PNG, JPEG, GIF and WebP images are accepted.";
		rc = ERR_UNSUPPORTED_MEDIA;
		goto out;
	}
	img_declared(format, data, len, &dw, &dh);
	if (dw > IMG_SIDE_LIMIT || dh > IMG_SIDE_LIMIT ||
	    (double)dw * (double)dh > (double)cfg.upload_max_pixels) {
		*why = "The image has too many pixels.";
		rc = ERR_TOO_LARGE;
		goto out;
	}
	img_init();
	info = CloneImageInfo(NULL);
	/* "FORMAT:" forces that decoder whatever else the bytes resemble;
	 * scene 0 only (the first frame of a GIF). */
	snprintf(info->filename, sizeof(info->filename), "%s:upload", format);
	snprintf(info->magick, sizeof(info->magick), "%s", format);
	info->affirm = 1;
	info->subimage = 0;
	info->subrange = 1;
	rc = img_ping(info, data, len, why);
	if (rc)
		goto out;

	image = BlobToImage(info, data, len, &ex);
	if (image == NULL) {
		rc = img_failure(&ex, "decode", why);
		goto out;
	}
	if (image->next != NULL) {
		Image *rest = image->next;

		image->next = NULL;
		rest->previous = NULL;
		DestroyImageList(rest);
	}
	if (image->orientation > TopLeftOrientation) {
		rc = img_swap(&image,
		    AutoOrientImage(image, image->orientation, &ex), &ex,
		    "orient", why);
		if (rc)
			goto out;
	}
	tw = kind == IMG_ICON ? IMG_ICON_SIZE : IMG_WALLPAPER_WIDTH;
	th = kind == IMG_ICON ? IMG_ICON_SIZE : IMG_WALLPAPER_HEIGHT;
	rc = img_fit(&image, crop, tw, th, &ex, why);
	if (rc)
		goto out;
	rc = img_encode(&image, kind, out, &ex, why);
	if (rc)
		goto out;
	sec_digest_hex(out->data, out->len, digest);
	snprintf(out->path, sizeof(out->path), "%.2s/%s.%s", digest, digest,
	    kind == IMG_ICON ? "png" : "jpg");
out:
	if (image != NULL)
		DestroyImageList(image);
	if (info != NULL)
		DestroyImageInfo(info);
	DestroyExceptionInfo(&ex);
	return rc;
}

/* Writes out->data to media_dir/out->path via a temporary file. */
static enum err_code
img_write(const struct img_out *out)
{
	char dir[4096], tmp[4200], final[4200];
	size_t off = 0;
	int fd;

	snprintf(dir, sizeof(dir), "%s/%.2s", cfg.media_dir, out->path);
	if (mkdir(cfg.media_dir, 0755) != 0 && errno != EEXIST)
		goto fail;
	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		goto fail;
	snprintf(final, sizeof(final), "%s/%s", cfg.media_dir, out->path);
	snprintf(tmp, sizeof(tmp), "%s/.tmp-%ld-%s", dir, (long)getpid(),
	    out->path + 3);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		goto fail;
	while (off < out->len) {
		ssize_t n = write(fd, out->data + off, out->len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			close(fd);
			unlink(tmp);
			goto fail;
		}
		off += (size_t)n;
	}
	if (fsync(fd) != 0 || close(fd) != 0 || rename(tmp, final) != 0) {
		unlink(tmp);
		goto fail;
	}
	return ERR_OK;
fail:
	log_error("cannot write media file %s: %s", out->path, strerror(errno));
	return ERR_INTERNAL;
}

/* 1 when `path` has the shape of a file img_convert() names. */
static int
img_path_ours(const char *path)
{
	size_t i, n = path ? strlen(path) : 0;

	if (n != 2 + 1 + 64 + 4 || path[2] != '/' ||
	    memcmp(path, path + 3, 2) != 0)
		return 0;
	for (i = 3; i < 3 + 64; i++) {
		if (!((path[i] >= '0' && path[i] <= '9') ||
		        (path[i] >= 'a' && path[i] <= 'f')))
			return 0;
	}
	return strcmp(path + 67, ".png") == 0 || strcmp(path + 67, ".jpg") == 0;
}

static enum err_code
img_lock(const char *path)
{
	return db_query(NULL,
	    "SELECT pg_advisory_xact_lock(727002, "
	    "hashtext($1))",
	    DB_TEXT(path));
}

enum err_code
img_attach(const struct img_out *out, const char *sql_update, int64_t id,
    const char *extra)
{
	struct db_res *res = NULL;
	char *old = NULL;
	enum err_code rc;

	rc = db_begin();
	if (rc)
		goto out;
	rc = img_lock(out->path);
	if (rc)
		goto out;
	rc = img_write(out);
	if (rc)
		goto out;
	if (extra != NULL)
		rc = db_query(&res, sql_update, DB_I64(id), DB_TEXT(out->path),
		    DB_TEXT(extra));
	else
		rc = db_query(&res, sql_update, DB_I64(id), DB_TEXT(out->path));
	if (rc)
		goto out;
	if (db_rows(res) == 0) {
		rc = ERR_NOT_FOUND;
		goto out;
	}
	if (db_value(res, 0, 0) != NULL)
		old = mem_strdup(db_value(res, 0, 0));
	rc = db_commit();
	if (rc)
		goto out;
	if (old != NULL && strcmp(old, out->path) != 0)
		img_release(old);
out:
	/* A file written for a row that was not updated is left for
	 * img_release() of a later upload; it is content-addressed and
	 * harmless. */
	db_rollback();
	db_res_free(res);
	free(old);
	return rc;
}

void
img_release(const char *path)
{
	struct db_res *res = NULL;
	char file[4200];

	if (!img_path_ours(path))
		return; /* defaults/ and anything unexpected stay */
	if (db_begin())
		return;
	if (img_lock(path))
		goto out;
	if (db_query(&res,
	        "SELECT EXISTS (SELECT 1 FROM profiles "
	        "WHERE icon = $1 OR wallpaper = $1) OR EXISTS (SELECT 1 FROM "
	        "groups WHERE icon = $1 OR wallpaper = $1)",
	        DB_TEXT(path)))
		goto out;
	if (!db_bool(res, 0, 0)) {
		snprintf(file, sizeof(file), "%s/%s", cfg.media_dir, path);
		if (unlink(file) != 0 && errno != ENOENT)
			log_warn("cannot remove media file %s: %s", path,
			    strerror(errno));
	}
	db_commit();
out:
	db_rollback();
	db_res_free(res);
}

/* A crop field: a decimal integer in [0, IMG_CROP_MAX]. */
static int
img_crop_field(const struct multipart_part *p, int64_t *out)
{
	int64_t v = 0;
	size_t i;

	if (p->len == 0 || p->len > 7)
		return -1;
	for (i = 0; i < p->len; i++) {
		if (p->data[i] < '0' || p->data[i] > '9')
			return -1;
		v = v * 10 + (p->data[i] - '0');
	}
	if (v > IMG_CROP_MAX)
		return -1;
	*out = v;
	return 0;
}

enum err_code
img_from_request(struct http_req *r, enum img_kind kind, struct img_out *out)
{
	static const char *const names[] = { "crop_x", "crop_y", "crop_w",
		"crop_h" };
	struct json_object *fields = http_fields(r);
	char boundary[MULTIPART_BOUNDARY_MAX + 1];
	const struct multipart_part *file = NULL;
	struct img_crop crop = { 0, 0, 0, 0 };
	int64_t *slots[4] = { &crop.x, &crop.y, &crop.w, &crop.h };
	struct multipart *mp;
	enum err_code rc = ERR_OK;
	const char *why = NULL;
	size_t i, k, ncrop = 0;

	memset(out, 0, sizeof(*out));
	if (multipart_boundary(http_param(r, "CONTENT_TYPE"), boundary))
		return http_fail(r, ERR_BAD_REQUEST,
		    "The multipart boundary is missing or invalid.");
	mp = mem_alloc(sizeof(*mp));
	if (multipart_parse(r->body.data, r->body.len, boundary, mp)) {
		rc = http_fail(r, ERR_BAD_REQUEST,
		    "The multipart body is malformed.");
		goto out;
	}
	for (i = 0; i < mp->nparts; i++) {
		const struct multipart_part *p = &mp->parts[i];

		if (strcmp(p->name, "file") == 0) {
			file = p;
			continue;
		}
		for (k = 0; k < 4; k++) {
			if (strcmp(p->name, names[k]) == 0)
				break;
		}
		if (k == 4) {
			rc = json_field_error(fields, p->name, "unknown field");
			continue;
		}
		ncrop++;
		if (img_crop_field(p, slots[k]) != 0)
			rc = json_field_error(fields, names[k],
			    "must be an integer from 0 to 1000000");
	}
	if (file == NULL)
		rc = json_field_error(fields, "file", "required");
	if (rc == ERR_OK && ncrop != 0 && ncrop != 4)
		rc = json_field_error(fields, "crop",
		    "give crop_x, crop_y, crop_w and crop_h, or none");
	if (rc)
		goto out;
	rc = img_convert(file->data, file->len, &crop, kind, out, &why);
	if (rc == ERR_VALIDATION)
		json_field_error(fields, "crop", why);
	else if (rc)
		http_fail(r, rc, why);
out:
	free(mp);
	return rc;
}

/* ---- default pictures ------------------------------------------------ */

/* Gradient ends (top-left, bottom-right), from the SPA's dark palette. */
static const char *const img_palette[][2] = {
	{ "#5865f2", "#2b2f8f" },
	{ "#3ba55d", "#1d5c33" },
	{ "#faa61a", "#b5580b" },
	{ "#ed4245", "#8a1c23" },
	{ "#eb459e", "#7d1f56" },
	{ "#00a8fc", "#005a8c" },
	{ "#9b59b6", "#4a2363" },
	{ "#1abc9c", "#0e5e4f" },
};

/* Draws one primitive ("circle x,y x2,y2") filled with `fill`. */
static enum err_code
img_draw(Image *image, const char *fill, const char *primitive)
{
	ExceptionInfo ex;
	DrawInfo *draw;
	enum err_code rc = ERR_OK;

	GetExceptionInfo(&ex);
	draw = CloneDrawInfo(NULL, NULL);
	if (draw == NULL)
		return ERR_INTERNAL;
	if (!QueryColorDatabase(fill, &draw->fill, &ex) ||
	    CloneString(&draw->primitive, primitive) == MagickFalse ||
	    DrawImage(image, draw) == MagickFail)
		rc = ERR_INTERNAL;
	DestroyDrawInfo(draw);
	DestroyExceptionInfo(&ex);
	return rc;
}

/* Renders one default picture and writes it as PNG to `path`. */
static enum err_code
img_make_default(const char *path, const char *figure, int index)
{
	const char *const *colours = img_palette[index % 8];
	char spec[64], shape[160];
	unsigned long w, h;
	ImageInfo *info;
	ExceptionInfo ex;
	Image *image = NULL;
	enum err_code rc = ERR_INTERNAL;

	if (strcmp(figure, "wallpaper") == 0) {
		w = IMG_WALLPAPER_WIDTH;
		h = IMG_WALLPAPER_HEIGHT;
	} else {
		w = h = IMG_ICON_SIZE;
	}
	GetExceptionInfo(&ex);
	info = CloneImageInfo(NULL);
	snprintf(spec, sizeof(spec), "%lux%lu", w, h);
	(void)CloneString(&info->size, spec);
	snprintf(info->filename, sizeof(info->filename), "gradient:%s-%s",
	    colours[0], colours[1]);
	image = ReadImage(info, &ex);
	if (image == NULL)
		goto out;
	if (strcmp(figure, "user") == 0) {
		/* Head and shoulders. */
		if (img_draw(image, "#ffffff", "circle 128,100 128,148") ||
		    img_draw(image, "#ffffff", "ellipse 128,236 84,64 180,360"))
			goto out;
	} else if (strcmp(figure, "group") == 0) {
		/* Three speech bubbles. */
		if (img_draw(image, "#ffffffb0", "circle 92,110 92,160") ||
		    img_draw(image, "#ffffffd0", "circle 164,110 164,160") ||
		    img_draw(image, "#ffffff", "circle 128,162 128,214"))
			goto out;
	} else {
		snprintf(shape, sizeof(shape), "circle %d,%d %d,%d",
		    200 + 300 * index, 120, 200 + 300 * index, 420);
		if (img_draw(image, "#ffffffe0", shape) ||
		    img_draw(image, "#ffffffe8", "circle 1300,480 1300,820"))
			goto out;
	}
	StripImage(image);
	snprintf(image->filename, sizeof(image->filename), "PNG:%.2000s", path);
	if (WriteImage(info, image) == MagickFail)
		goto out;
	rc = ERR_OK;
out:
	if (rc)
		log_error("drawing %s failed: %s", path,
		    ex.reason ? ex.reason : "GraphicsMagick error");
	if (image != NULL)
		DestroyImage(image);
	DestroyImageInfo(info);
	DestroyExceptionInfo(&ex);
	return rc;
}

enum err_code
img_make_defaults(const char *dir)
{
	static const struct {
		const char *prefix;
		const char *figure;
		int count;
	} sets[] = {
		{ "icon", "user", 8 },
		{ "group-icon", "group", 8 },
		{ "wallpaper", "wallpaper", 4 },
	};
	char path[1900], tmp[1960];
	struct stat st;
	enum err_code rc;
	size_t i;
	int n;

	img_init();
	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		log_error("cannot create %s: %s", dir, strerror(errno));
		return ERR_INTERNAL;
	}
	for (i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
		for (n = 1; n <= sets[i].count; n++) {
			snprintf(path, sizeof(path), "%s/%s-%d.png", dir,
			    sets[i].prefix, n);
			if (stat(path, &st) == 0)
				continue;
			/* Drawn aside and renamed: never a half-written file
			 * under the served name. */
			snprintf(tmp, sizeof(tmp), "%s.%d.tmp", path,
			    (int)getpid());
			rc = img_make_default(tmp, sets[i].figure, n - 1);
			if (rc == ERR_OK && rename(tmp, path) != 0)
				rc = ERR_INTERNAL;
			if (rc) {
				unlink(tmp);
				return rc;
			}
		}
	}
	return ERR_OK;
}
