/* img.c - untrusted images over GraphicsMagick: sniff, bound, crop,
 * scale, re-encode; and the drawing of plain pictures. */
#include "img.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* GraphicsMagick's headers are not -Wundef clean (they come in with -I,
 * not -isystem). */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wundef"
#pragma GCC diagnostic ignored "-Wstrict-prototypes"
#include <magick/api.h>
#pragma GCC diagnostic pop

#include "cfg.h"
#include "log.h"
#include "mem.h"

/* Memory and memory-mapped pixel cache: enough for one 40 MP image at 16
 * bits per sample (320 MB) being resized; nothing ever goes to disk. */
#define IMG_MEMORY_LIMIT ((int64_t)768 * 1024 * 1024)
#define IMG_MAP_LIMIT    ((int64_t)768 * 1024 * 1024)
#define IMG_SIDE_LIMIT   65535
#define IMG_JPEG_QUALITY 85

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

/* Crops `c` (NULL: the whole image), covers target tw x th, trims the
 * excess around the centre. */
static enum err_code
img_fit(Image **image, const struct img_crop *c, unsigned long tw,
    unsigned long th, ExceptionInfo *ex, const char **why)
{
	struct img_crop whole = { 0, 0, 0, 0 };
	RectangleInfo rect;
	double scale, sw, sh;
	unsigned long nw, nh;
	enum err_code rc;

	if (c == NULL) {
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
img_encode(Image **image, enum img_format format, struct img_out *out,
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
	if (format == IMG_JPEG) {
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
    const struct img_target *target, struct img_out *out, const char **why)
{
	ImageInfo *info = NULL;
	Image *image = NULL;
	ExceptionInfo ex;
	const char *format;
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
	rc = img_fit(&image, crop, target->width, target->height, &ex, why);
	if (rc)
		goto out;
	rc = img_encode(&image, target->format, out, &ex, why);
out:
	if (image != NULL)
		DestroyImageList(image);
	if (info != NULL)
		DestroyImageInfo(info);
	DestroyExceptionInfo(&ex);
	return rc;
}

/* ---- drawn pictures ------------------------------------------------ */

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

enum err_code
img_draw_png(const char *path, unsigned long width, unsigned long height,
    const char *top, const char *bottom, const struct img_shape *shapes,
    size_t nshapes)
{
	char spec[64];
	ImageInfo *info;
	ExceptionInfo ex;
	Image *image = NULL;
	enum err_code rc = ERR_INTERNAL;
	size_t i;

	img_init();
	GetExceptionInfo(&ex);
	info = CloneImageInfo(NULL);
	snprintf(spec, sizeof(spec), "%lux%lu", width, height);
	(void)CloneString(&info->size, spec);
	snprintf(info->filename, sizeof(info->filename), "gradient:%s-%s", top,
	    bottom);
	image = ReadImage(info, &ex);
	if (image == NULL)
		goto out;
	for (i = 0; i < nshapes; i++) {
		if (img_draw(image, shapes[i].fill, shapes[i].primitive))
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
