/* img.c - untrusted images over GraphicsMagick: sniff, bound, crop,
 * scale, re-encode; and the drawing of plain pictures. */
#include "img.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

/* GraphicsMagick's headers are not -Wundef clean (they come in with -I,
 * not -isystem). */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wundef"
#pragma GCC diagnostic ignored "-Wstrict-prototypes"
#include <magick/api.h>
#pragma GCC diagnostic pop
#include <png.h>

#include "cfg.h"
#include "log.h"
#include "mem.h"

#define IMG_SIDE_LIMIT     65535
#define IMG_JPEG_QUALITY   85
#define IMG_MEMORY_DEFAULT ((int64_t)512 * 1024 * 1024)
/* PNGs above this many pixels are always read row by row (img_png_*),
 * whatever part of them is used: GraphicsMagick would hold all of them. */
#define IMG_PNG_ROWS_FROM 4e6

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

/* GraphicsMagick's own limits, from the configuration at each use (so a
 * test can lower them): pixels, sides, and the memory of its pixel cache
 * (cfg.upload_max_memory, heap and mapped alike); nothing ever goes to
 * disk. */
static void
img_limits(void)
{
	SetMagickResourceLimit(PixelsResource,
	    cfg.upload_max_pixels > 0 ? cfg.upload_max_pixels : 40000000);
	SetMagickResourceLimit(WidthResource, IMG_SIDE_LIMIT);
	SetMagickResourceLimit(HeightResource, IMG_SIDE_LIMIT);
	SetMagickResourceLimit(MemoryResource,
	    cfg.upload_max_memory > 0 ? (int64_t)cfg.upload_max_memory
	                              : IMG_MEMORY_DEFAULT);
	SetMagickResourceLimit(MapResource,
	    cfg.upload_max_memory > 0 ? (int64_t)cfg.upload_max_memory
	                              : IMG_MEMORY_DEFAULT);
	SetMagickResourceLimit(DiskResource, 0);
}

/* Initialises GraphicsMagick once per process. */
static void
img_init(void)
{
	if (!img_ready) {
		InitializeMagick(NULL);
		SetWarningHandler(img_warning);
		SetErrorHandler(img_warning);
		/* One request at a time per process: no OpenMP thread
		 * pools. */
		SetMagickResourceLimit(ThreadsResource, 1);
		img_ready = 1;
		atexit(img_shutdown);
	}
	img_limits();
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

/* One line per converted image with what it cost, which is how the
 * decompression-bomb test measures it: CPU time of this conversion and
 * the process's peak resident memory so far. */
static void
img_log(const char *format, unsigned long w, unsigned long h, unsigned long dw,
    unsigned long dh, const struct img_out *out, const struct timespec *t0)
{
	struct timespec t1;
	struct rusage ru;
	long ms;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
	ms = (t1.tv_sec - t0->tv_sec) * 1000 +
	    (t1.tv_nsec - t0->tv_nsec) / 1000000;
	if (getrusage(RUSAGE_SELF, &ru) != 0)
		ru.ru_maxrss = 0;
	log_info("image %s %lux%lu decoded at %lux%lu -> %lux%lu: "
	         "cpu_ms=%ld peak_rss_mb=%ld",
	    format, w, h, dw, dh, out->width, out->height, ms,
	    ru.ru_maxrss / 1024);
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

/* Reads only the header; checks the pixel count before decoding.  *w, *h:
 * the stored dimensions (before EXIF orientation). */
static enum err_code
img_ping(ImageInfo *info, const void *data, size_t len, unsigned long *w,
    unsigned long *h, const char **why)
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
	*w = image->columns;
	*h = image->rows;
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

/* A rectangle of the image being worked on, in (fractional) pixels. */
struct img_rect {
	double x, y, w, h;
};

/* The part of a w x h original that becomes the target: the crop (NULL:
 * the whole image) narrowed around its centre to the target's aspect
 * ratio, so that one resize gives exactly the target.  Scaling the crop
 * to cover the target and trimming after decoded, scaled and threw away
 * the excess: a 1 x 40 000 image became 256 x 10 240 000 on the way to a
 * 256 x 256 icon. */
static enum err_code
img_source(const struct img_crop *c, unsigned long w, unsigned long h,
    const struct img_target *t, struct img_rect *src, const char **why)
{
	struct img_crop whole = { 0, 0, (int64_t)w, (int64_t)h };

	if (c == NULL)
		c = &whole;
	if (c->w < 1 || c->h < 1 || c->x < 0 || c->y < 0 ||
	    c->x + c->w > (int64_t)w || c->y + c->h > (int64_t)h) {
		*why = "The crop rectangle must be non-empty and lie inside "
		       "the image.";
		return ERR_VALIDATION;
	}
	src->x = (double)c->x;
	src->y = (double)c->y;
	src->w = (double)c->w;
	src->h = (double)c->h;
	if (src->w * (double)t->height > src->h * (double)t->width) {
		src->w = src->h * (double)t->width / (double)t->height;
		src->x += ((double)c->w - src->w) / 2;
	} else {
		src->h = src->w * (double)t->height / (double)t->width;
		src->y += ((double)c->h - src->h) / 2;
	}
	return ERR_OK;
}

/* How much the source may shrink and still cover the target: the target
 * over the source rectangle (the larger of the two axes). */
static double
img_need(const struct img_rect *src, const struct img_target *t)
{
	double nx = (double)t->width / src->w;
	double ny = (double)t->height / src->h;

	return nx > ny ? nx : ny;
}

/* Scales the rectangle with the image it lies in. */
static void
img_rect_scale(struct img_rect *r, double fx, double fy)
{
	r->x *= fx;
	r->w *= fx;
	r->y *= fy;
	r->h *= fy;
}

/* Rounds a span [at, at + len) to whole pixels inside [0, max), at
 * least one pixel wide. */
static void
img_span(double at, double len, unsigned long max, long *start,
    unsigned long *count)
{
	long a = lround(at), b = lround(at + len);

	if (a < 0)
		a = 0;
	if (a > (long)max - 1)
		a = (long)max - 1;
	if (b > (long)max)
		b = (long)max;
	if (b <= a)
		b = a + 1;
	*start = a;
	*count = (unsigned long)(b - a);
}

/* Turns the decoded image into exactly the target: `src` is the source
 * rectangle in its pixels.  When the source is much larger than the
 * target, the whole image is first box-averaged (ScaleImage, one cheap
 * pass) down to about twice the target: the Lanczos filter's cost grows
 * with the reduction, and the crop copy of a large source would double
 * the memory.  Then the crop, then one Lanczos resize. */
static enum err_code
img_fit(Image **image, struct img_rect src, const struct img_target *t,
    ExceptionInfo *ex, const char **why)
{
	unsigned long cols = (*image)->columns, rows = (*image)->rows, nw, nh;
	RectangleInfo rect;
	enum err_code rc;
	double f;

	f = 2 * img_need(&src, t);
	if (f < 0.5) {
		nw = (unsigned long)lround((double)cols * f);
		nh = (unsigned long)lround((double)rows * f);
		nw = nw ? nw : 1;
		nh = nh ? nh : 1;
		rc = img_swap(image, ScaleImage(*image, nw, nh, ex), ex,
		    "scale", why);
		if (rc)
			return rc;
		img_rect_scale(&src, (double)nw / (double)cols,
		    (double)nh / (double)rows);
		cols = nw;
		rows = nh;
	}
	img_span(src.x, src.w, cols, &rect.x, &rect.width);
	img_span(src.y, src.h, rows, &rect.y, &rect.height);
	if (rect.width != cols || rect.height != rows) {
		rc = img_swap(image, CropImage(*image, &rect, ex), ex, "crop",
		    why);
		if (rc)
			return rc;
		(*image)->page.x = (*image)->page.y = 0;
		(*image)->page.width = (*image)->page.height = 0;
	}
	if ((*image)->columns != t->width || (*image)->rows != t->height) {
		rc = img_swap(image,
		    ResizeImage(*image, t->width, t->height, LanczosFilter, 1.0,
		        ex),
		    ex, "resize", why);
		if (rc)
			return rc;
	}
	return ERR_OK;
}

/* The target of a `fit` conversion of a w x h image: inside t's box,
 * the image's shape, never larger than the image, at least 1 x 1. */
static void
img_fit_target(const struct img_target *t, unsigned long w, unsigned long h,
    struct img_target *out)
{
	double scale = 1;

	*out = *t;
	if (w > t->width)
		scale = (double)t->width / (double)w;
	if ((double)h * scale > (double)t->height)
		scale = (double)t->height / (double)h;
	out->width = (unsigned long)((double)w * scale + 0.5);
	out->height = (unsigned long)((double)h * scale + 0.5);
	if (out->width < 1)
		out->width = 1;
	if (out->height < 1)
		out->height = 1;
}

/* How much the decoded image may shrink and still cover the target
 * around the source rectangle (1: not at all).  The orientation is not
 * known before decoding, so for the whole image both ways round are
 * allowed for; a crop that fits neither way is refused after decoding,
 * with the reason. */
static double
img_decode_need(const struct img_crop *crop, unsigned long w, unsigned long h,
    const struct img_target *t)
{
	struct img_rect src;
	const char *why;
	double need = 0, other;

	if (img_source(crop, w, h, t, &src, &why) == ERR_OK)
		need = img_need(&src, t);
	if ((crop == NULL || need == 0) &&
	    img_source(crop, h, w, t, &src, &why) == ERR_OK) {
		other = img_need(&src, t);
		need = other > need ? other : need;
	}
	return need > 0 && need < 1 ? need : 1;
}

/* The JPEG decoder can shrink by 1/2, 1/4 or 1/8 while it decodes (DCT
 * scaling), almost for free: GraphicsMagick takes the wanted size from
 * info->size and picks the largest reduction that stays at least that
 * large. */
static void
img_jpeg_hint(ImageInfo *info, unsigned long w, unsigned long h, double need)
{
	char size[64];

	if (need >= 0.5)
		return;
	snprintf(size, sizeof(size), "%lux%lu",
	    (unsigned long)ceil((double)w * need),
	    (unsigned long)ceil((double)h * need));
	(void)CloneString(&info->size, size);
}

/* ---- PNG, shrunk while it is decoded ----------------------------------
 *
 * A PNG has no reduced decode: GraphicsMagick inflates every pixel into
 * its 8-byte-per-pixel cache first (a 116 KB PNG of 6324 x 6324 zeros
 * cost 320 MB and seconds of CPU).  When the target is much smaller than
 * the image, libpng hands us the rows one at a time and we box-average
 * the source rectangle into a small RGBA buffer: memory is one row plus
 * the result, and the cost is mostly zlib's.  Interlaced images are read from
 * their last Adam7 pass (every odd row, all columns), which is plenty when each
 * output pixel covers several rows. */

struct img_png {
	const unsigned char *data;
	size_t len, at;
	unsigned long w, h, nw, nh;   /* image and shrunk sizes */
	unsigned long x0, x1, y0, y1; /* the source rectangle */
	unsigned char *row;           /* one decoded RGBA row */
	uint32_t *sum;                /* per output pixel of the current row */
	uint32_t *count;
	unsigned char *pixels; /* nw x nh RGBA */
	unsigned long *col;    /* output column of each sampled column */
	unsigned long xstep, ystep, oy;
	int alpha;
};

static void
img_png_read(png_structp png, png_bytep out, png_size_t n)
{
	struct img_png *p = png_get_io_ptr(png);

	if (n > p->len - p->at)
		png_error(png, "truncated");
	memcpy(out, p->data + p->at, n);
	p->at += n;
}

static void
img_png_warning(png_structp png, png_const_charp msg)
{
	(void)png;
	log_debug("libpng: %s", msg);
}

/* Writes the averages of output row p->oy and clears the sums. */
static void
img_png_flush(struct img_png *p)
{
	unsigned char *out = p->pixels + (size_t)p->oy * p->nw * 4;
	size_t i;

	for (i = 0; i < (size_t)p->nw * 4; i++) {
		uint32_t c = p->count[i / 4];

		out[i] = (unsigned char)(c ? (p->sum[i] + c / 2) / c : 0);
		p->sum[i] = 0;
	}
	memset(p->count, 0, sizeof(*p->count) * p->nw);
}

/* Adds source row y (RGBA in p->row) to the output row it falls in. */
static void
img_png_add(struct img_png *p, unsigned long y)
{
	unsigned long oy, x, i;

	if (y < p->y0 || y >= p->y1)
		return;
	oy = (unsigned long)((uint64_t)(y - p->y0) * p->nh / (p->y1 - p->y0));
	if (oy != p->oy) {
		img_png_flush(p);
		p->oy = oy;
	}
	for (x = p->x0, i = 0; x < p->x1; x += p->xstep, i++) {
		const unsigned char *px = p->row + (size_t)x * 4;
		uint32_t *sum = p->sum + (size_t)p->col[i] * 4;

		sum[0] += px[0];
		sum[1] += px[1];
		sum[2] += px[2];
		sum[3] += px[3];
		p->count[p->col[i]]++;
	}
}

/* The libpng part; everything it allocates hangs off `p`, so a longjmp
 * out of libpng loses nothing.  0 on success. */
static int
img_png_decode(struct img_png *p)
{
	png_structp png;
	png_infop info = NULL;
	volatile int rc = -1;
	int pass, passes, type;
	unsigned long y, rows;

	png = png_create_read_struct(PNG_LIBPNG_VER_STRING, NULL, NULL,
	    img_png_warning);
	if (png == NULL)
		return -1;
	info = png_create_info_struct(png);
	if (info == NULL)
		goto out;
	if (setjmp(png_jmpbuf(png)))
		goto out;
	png_set_read_fn(png, p, img_png_read);
	png_set_user_limits(png, 0x7fffffff, 0x7fffffff);
	png_read_info(png, info);
	if (png_get_image_width(png, info) != p->w ||
	    png_get_image_height(png, info) != p->h)
		goto out;
	type = png_get_color_type(png, info);
	p->alpha = (type & PNG_COLOR_MASK_ALPHA) ||
	    png_get_valid(png, info, PNG_INFO_tRNS);
	png_set_expand(png);
	png_set_strip_16(png);
	png_set_gray_to_rgb(png);
	png_set_add_alpha(png, 0xff, PNG_FILLER_AFTER);
	passes = png_get_interlace_type(png, info) == PNG_INTERLACE_ADAM7 ? 7
	                                                                  : 1;
	png_read_update_info(png, info);
	if (png_get_rowbytes(png, info) != (size_t)p->w * 4)
		goto out;
	for (pass = 0; pass < passes; pass++) {
		rows = passes == 1 ? p->h : PNG_PASS_ROWS(p->h, pass);
		if (passes == 7 && PNG_PASS_COLS(p->w, pass) == 0)
			continue; /* libpng skips empty passes */
		for (y = 0; y < rows; y++) {
			png_read_row(png, p->row, NULL);
			if (passes == 7 && pass != 6)
				continue;
			if (passes == 7) {
				/* Pass 7: row 2y+1, all columns. */
				if (y % p->ystep == 0)
					img_png_add(p, 2 * y + 1);
			} else if (y % p->ystep == 0) {
				img_png_add(p, y);
			}
		}
	}
	img_png_flush(p);
	rc = 0;
out:
	png_destroy_read_struct(&png, info ? &info : NULL, NULL);
	return rc;
}

/* Decodes the rectangle `src` of the PNG `data` (w x h) as an nw x nh
 * image by box averaging.  NULL when it cannot (the caller then lets
 * GraphicsMagick decode). */
static Image *
img_png_shrink(const void *data, size_t len, unsigned long w, unsigned long h,
    const struct img_rect *src, unsigned long nw, unsigned long nh,
    ExceptionInfo *ex)
{
	struct img_png p;
	Image *image = NULL;
	unsigned long x, i, sw, sh;
	long at;

	memset(&p, 0, sizeof(p));
	p.data = data;
	p.len = len;
	p.w = w;
	p.h = h;
	img_span(src->x, src->w, w, &at, &sw);
	p.x0 = (unsigned long)at;
	p.x1 = p.x0 + sw;
	img_span(src->y, src->h, h, &at, &sh);
	p.y0 = (unsigned long)at;
	p.y1 = p.y0 + sh;
	p.nw = nw < sw ? nw : sw;
	p.nh = nh < sh ? nh : sh;
	/* Interlaced: only the odd rows are read, so at most half as many
	 * output rows (each then covers an odd row); a one-row rectangle on
	 * an even row is left to GraphicsMagick.  IHDR's interlace byte. */
	if (len > 28 && memcmp((const char *)data + 12, "IHDR", 4) == 0 &&
	    ((const unsigned char *)data)[28] == 1) {
		if (sh / 2 == 0 && p.y0 % 2 == 0)
			return NULL;
		if (p.nh > (sh / 2 ? sh / 2 : 1))
			p.nh = sh / 2 ? sh / 2 : 1;
	}
	/* At most about 4 x 4 samples per output pixel: averaging more
	 * buys nothing visible before the final Lanczos. */
	p.xstep = sw / p.nw / 4 > 1 ? sw / p.nw / 4 : 1;
	p.ystep = sh / p.nh / 4 > 1 ? sh / p.nh / 4 : 1;
	p.row = mem_alloc((size_t)w * 4);
	p.sum = mem_calloc((size_t)p.nw * 4, sizeof(*p.sum));
	p.count = mem_calloc(p.nw, sizeof(*p.count));
	p.pixels = mem_calloc((size_t)p.nw * p.nh, 4);
	p.col = mem_alloc(sizeof(*p.col) * (sw / p.xstep + 1));
	for (x = p.x0, i = 0; x < p.x1; x += p.xstep, i++)
		p.col[i] = (unsigned long)((uint64_t)(x - p.x0) * p.nw / sw);
	if (img_png_decode(&p) == 0) {
		image = ConstituteImage(p.nw, p.nh, "RGBA", CharPixel, p.pixels,
		    ex);
		if (image != NULL)
			image->matte = p.alpha ? MagickTrue : MagickFalse;
	}
	free(p.row);
	free(p.sum);
	free(p.count);
	free(p.pixels);
	free(p.col);
	return image;
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

/* ---- a machine-wide cap on conversions --------------------------------
 *
 * Each process converts one image at a time, but every FastCGI process of
 * every program may be converting one: cfg.upload_decodes lock files
 * (EASYCHAT_VAR, else MEDIA_DIR, ".img-decode-<n>.lock"), one flock()ed
 * per conversion, cap them all together.  The kernel drops the lock of a
 * process that dies mid-way, so a slot is never lost. */

/* Takes a slot: *fd is its locked file (-1: no cap configured).  Waits up
 * to cfg.upload_decode_wait ms, then ERR_UNAVAILABLE. */
static enum err_code
img_slot_take(int *fd, const char **why)
{
	const char *dir = cfg.var_dir && cfg.var_dir[0] ? cfg.var_dir
	                                                : cfg.media_dir;
	char path[4200];
	long n, waited = 0;

	*fd = -1;
	if (cfg.upload_decodes <= 0 || dir == NULL || dir[0] == '\0')
		return ERR_OK;
	for (;;) {
		for (n = 0; n < cfg.upload_decodes; n++) {
			snprintf(path, sizeof(path), "%s/.img-decode-%ld.lock",
			    dir, n);
			*fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
			if (*fd < 0) {
				log_warn("cannot open %s: %s; no cap on "
				         "conversions",
				    path, strerror(errno));
				return ERR_OK;
			}
			if (flock(*fd, LOCK_EX | LOCK_NB) == 0)
				return ERR_OK;
			close(*fd);
			*fd = -1;
		}
		if (waited >= cfg.upload_decode_wait)
			break;
		usleep(20000);
		waited += 20;
	}
	log_warn("no conversion slot free after %ld ms (UPLOAD_DECODES=%ld)",
	    waited, cfg.upload_decodes);
	*why = "Too many images are being processed; try again shortly.";
	return ERR_UNAVAILABLE;
}

static void
img_slot_release(int fd)
{
	if (fd >= 0)
		close(fd); /* drops the flock */
}

enum err_code
img_convert(const void *data, size_t len, const struct img_crop *crop,
    const struct img_target *target, struct img_out *out, const char **why)
{
	ImageInfo *info = NULL;
	Image *image = NULL;
	ExceptionInfo ex;
	const char *format;
	struct img_rect src;
	struct timespec t0;
	unsigned long w = 0, h = 0, ow, oh, decoded_w = 0, decoded_h = 0;
	struct img_target fitted;
	uint64_t dw, dh;
	enum err_code rc;
	double need;
	int shrunk = 0, slot = -1;

	memset(out, 0, sizeof(*out));
	*why = NULL;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
	GetExceptionInfo(&ex);
	if (len > (target->max_bytes ? target->max_bytes : cfg.upload_max)) {
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
	rc = img_slot_take(&slot, why);
	if (rc)
		goto out;
	img_init();
	info = CloneImageInfo(NULL);
	/* "FORMAT:" forces that decoder whatever else the bytes resemble;
	 * scene 0 only (the first frame of a GIF). */
	snprintf(info->filename, sizeof(info->filename), "%s:upload", format);
	snprintf(info->magick, sizeof(info->magick), "%s", format);
	info->affirm = 1;
	info->subimage = 0;
	info->subrange = 1;
	rc = img_ping(info, data, len, &w, &h, why);
	if (rc)
		goto out;
	if (target->fit) {
		/* The target of the whole image's shape; turned round below
		 * when EXIF orientation swaps the sides. */
		img_fit_target(target, w, h, &fitted);
		target = &fitted;
		crop = NULL;
	}
	need = img_decode_need(crop, w, h, target);
	if (strcmp(format, "JPEG") == 0)
		img_jpeg_hint(info, w, h, need);
	/* A large PNG, or one much larger than the target: only its source
	 * rectangle, shrunk to about twice the target (the Lanczos pass does
	 * the rest).  One with EXIF data may need orienting: GraphicsMagick's
	 * decoder then. */
	if (strcmp(format, "PNG") == 0 &&
	    (need < 0.25 || (double)w * (double)h > IMG_PNG_ROWS_FROM) &&
	    memmem(data, len, "eXIf", 4) == NULL) {
		rc = img_source(crop, w, h, target, &src, why);
		if (rc)
			goto out;
		need = need < 0.5 ? need * 2 : 1;
		image = img_png_shrink(data, len, w, h, &src,
		    (unsigned long)ceil(src.w * need),
		    (unsigned long)ceil(src.h * need), &ex);
		shrunk = image != NULL;
	}
	if (image == NULL)
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
	decoded_w = image->columns;
	decoded_h = image->rows;
	/* The crop is in pixels of the oriented original. */
	ow = image->orientation >= LeftTopOrientation ? h : w;
	oh = image->orientation >= LeftTopOrientation ? w : h;
	if (target->fit && ow != w) {
		unsigned long t = fitted.width;

		fitted.width = fitted.height;
		fitted.height = t;
	}
	out->src_width = ow;
	out->src_height = oh;
	if (image->orientation > TopLeftOrientation) {
		rc = img_swap(&image,
		    AutoOrientImage(image, image->orientation, &ex), &ex,
		    "orient", why);
		if (rc)
			goto out;
	}
	if (shrunk) {
		/* Already the source rectangle, and nothing else. */
		src.x = src.y = 0;
		src.w = (double)image->columns;
		src.h = (double)image->rows;
	} else {
		rc = img_source(crop, ow, oh, target, &src, why);
		if (rc)
			goto out;
		img_rect_scale(&src, (double)image->columns / (double)ow,
		    (double)image->rows / (double)oh);
	}
	rc = img_fit(&image, src, target, &ex, why);
	if (rc)
		goto out;
	rc = img_encode(&image, target->format, out, &ex, why);
	if (rc == ERR_OK)
		img_log(format, w, h, decoded_w, decoded_h, out, &t0);
out:
	if (image != NULL)
		DestroyImageList(image);
	if (info != NULL)
		DestroyImageInfo(info);
	DestroyExceptionInfo(&ex);
	img_slot_release(slot);
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
