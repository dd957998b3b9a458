/* test_img.c - img_convert(): the crop rule, one resize to the target,
 * the PNG shrunk while decoding (right pixels, bounded CPU and memory),
 * the memory cap and the machine-wide cap on conversions. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <png.h>

#include "cfg.h"
#include "img.h"

static const struct img_target icon = { .width = 256,
	.height = 256,
	.format = IMG_PNG };
static const struct img_target wallpaper = { .width = 1500,
	.height = 500,
	.format = IMG_JPEG };

struct png_mem {
	unsigned char *data;
	size_t len;
};

static void
png_mem_write(png_structp png, png_bytep p, png_size_t n)
{
	struct png_mem *m = png_get_io_ptr(png);

	m->data = realloc(m->data, m->len + n);
	memcpy(m->data + m->len, p, n);
	m->len += n;
}

static void
png_mem_flush(png_structp png)
{
	(void)png;
}

/* Colour of pixel (x, y) of the test picture: four quadrants, red,
 * green / blue, white. */
static void
quadrant(unsigned long x, unsigned long y, unsigned long w, unsigned long h,
    unsigned char *rgb)
{
	int right = x >= w / 2, bottom = y >= h / 2;

	rgb[0] = (!right && !bottom) || (right && bottom) ? 255 : 0;
	rgb[1] = (right && !bottom) || (right && bottom) ? 255 : 0;
	rgb[2] = (!right && bottom) || (right && bottom) ? 255 : 0;
}

/* An RGB PNG of w x h: the quadrants, or zeros when `zeros`. */
static struct png_mem
make_png(unsigned long w, unsigned long h, int interlaced, int zeros)
{
	struct png_mem m = { NULL, 0 };
	png_structp png;
	png_infop info;
	unsigned char *row = calloc(w, 3);
	unsigned long x, y;
	int pass, passes;

	png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	info = png_create_info_struct(png);
	assert_int_equal(setjmp(png_jmpbuf(png)), 0);
	png_set_write_fn(png, &m, png_mem_write, png_mem_flush);
	png_set_compression_level(png, 9);
	png_set_IHDR(png, info, w, h, 8, PNG_COLOR_TYPE_RGB,
	    interlaced ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
	    PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_write_info(png, info);
	passes = png_set_interlace_handling(png);
	for (pass = 0; pass < passes; pass++) {
		for (y = 0; y < h; y++) {
			for (x = 0; !zeros && x < w; x++)
				quadrant(x, y, w, h, row + x * 3);
			png_write_row(png, row);
		}
	}
	png_write_end(png, NULL);
	png_destroy_write_struct(&png, &info);
	free(row);
	return m;
}

/* Decodes a PNG result into RGBA (free() it). */
static unsigned char *
read_png(const struct img_out *out, unsigned long *w, unsigned long *h)
{
	png_image image;
	unsigned char *rgba;

	memset(&image, 0, sizeof(image));
	image.version = PNG_IMAGE_VERSION;
	assert_true(
	    png_image_begin_read_from_memory(&image, out->data, out->len));
	image.format = PNG_FORMAT_RGBA;
	rgba = malloc(PNG_IMAGE_SIZE(image));
	assert_true(png_image_finish_read(&image, NULL, rgba, 0, NULL));
	*w = image.width;
	*h = image.height;
	return rgba;
}

static void
assert_colour(const unsigned char *rgba, unsigned long w, unsigned long x,
    unsigned long y, int r, int g, int b)
{
	const unsigned char *p = rgba + (y * w + x) * 4;

	if (abs(p[0] - r) > 8 || abs(p[1] - g) > 8 || abs(p[2] - b) > 8)
		fail_msg("pixel %lu,%lu is %d,%d,%d, expected %d,%d,%d", x, y,
		    p[0], p[1], p[2], r, g, b);
}

static long
cpu_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Issue 11 item 6: a 116 KB PNG of 6324 x 6324 zeros cost 5 s of CPU
 * and 427 MB, decoded whole and scaled to cover before trimming.  Runs
 * first, so that the peak RSS is this conversion's. */
static void
test_bomb_is_cheap(void **state)
{
	struct png_mem m = make_png(6324, 6324, 0, 1);
	struct img_crop small = { 3000, 3000, 300, 300 };
	struct img_out out;
	struct rusage ru;
	const char *why;
	long t0, icon_ms, wall_ms, crop_ms;

	(void)state;
	if (m.len > 200 * 1024) {
		free(m.data);
		fail_msg("the bomb is %zu bytes", m.len);
	}
	t0 = cpu_ms();
	assert_int_equal(img_convert(m.data, m.len, NULL, &icon, &out, &why),
	    ERR_OK);
	icon_ms = cpu_ms() - t0;
	assert_int_equal(out.width, 256);
	img_out_release(&out);
	t0 = cpu_ms();
	assert_int_equal(img_convert(m.data, m.len, NULL, &wallpaper, &out,
	                     &why),
	    ERR_OK);
	wall_ms = cpu_ms() - t0;
	assert_int_equal(out.width, 1500);
	assert_int_equal(out.height, 500);
	img_out_release(&out);
	/* A small crop of it: no shrinking needed, but still not decoded
	 * whole. */
	t0 = cpu_ms();
	assert_int_equal(img_convert(m.data, m.len, &small, &icon, &out, &why),
	    ERR_OK);
	crop_ms = cpu_ms() - t0;
	img_out_release(&out);
	free(m.data);
	assert_int_equal(getrusage(RUSAGE_SELF, &ru), 0);
	print_message("bomb: icon %ld ms, wallpaper %ld ms, small crop %ld ms "
	              "CPU, peak RSS %ld MB\n",
	    icon_ms, wall_ms, crop_ms, ru.ru_maxrss / 1024);
	if (icon_ms > 1500 || wall_ms > 1500 || crop_ms > 1500)
		fail_msg("too slow: %ld / %ld / %ld ms CPU", icon_ms, wall_ms,
		    crop_ms);
	if (ru.ru_maxrss / 1024 > 200)
		fail_msg("peak RSS %ld MB", ru.ru_maxrss / 1024);
}

/* The shrinking decoder keeps the picture: quadrants stay in place,
 * interlaced or not; a crop keeps exactly its part. */
static void
test_png_shrink_keeps_pixels(void **state)
{
	struct img_crop bottom_right = { 1280, 1280, 1280, 1280 };
	struct img_crop top_middle = { 640, 0, 1280, 1280 };
	struct img_out out;
	unsigned char *rgba;
	unsigned long w, h;
	const char *why;
	int interlaced;

	(void)state;
	for (interlaced = 0; interlaced <= 1; interlaced++) {
		struct png_mem m = make_png(2560, 2560, interlaced, 0);

		assert_int_equal(img_convert(m.data, m.len, NULL, &icon, &out,
		                     &why),
		    ERR_OK);
		rgba = read_png(&out, &w, &h);
		assert_int_equal(w, 256);
		assert_int_equal(h, 256);
		assert_colour(rgba, w, 64, 64, 255, 0, 0);
		assert_colour(rgba, w, 192, 64, 0, 255, 0);
		assert_colour(rgba, w, 64, 192, 0, 0, 255);
		assert_colour(rgba, w, 192, 192, 255, 255, 255);
		free(rgba);
		img_out_release(&out);

		assert_int_equal(img_convert(m.data, m.len, &bottom_right,
		                     &icon, &out, &why),
		    ERR_OK);
		rgba = read_png(&out, &w, &h);
		assert_colour(rgba, w, 0, 0, 255, 255, 255);
		assert_colour(rgba, w, 255, 255, 255, 255, 255);
		free(rgba);
		img_out_release(&out);

		assert_int_equal(img_convert(m.data, m.len, &top_middle, &icon,
		                     &out, &why),
		    ERR_OK);
		rgba = read_png(&out, &w, &h);
		assert_colour(rgba, w, 8, 8, 255, 0, 0);
		assert_colour(rgba, w, 120, 250, 255, 0, 0);
		assert_colour(rgba, w, 136, 8, 0, 255, 0);
		assert_colour(rgba, w, 250, 250, 0, 255, 0);
		free(rgba);
		img_out_release(&out);
		free(m.data);
	}
}

/* A large interlaced PNG read at full size (a small crop, no shrinking):
 * only its odd rows come in, and no output row may be left empty (it
 * would be transparent black). */
static void
test_png_interlaced_full_size(void **state)
{
	struct png_mem m = make_png(4096, 1100, 1, 0);
	struct img_crop c = { 100, 100, 300, 300 };
	struct img_out out;
	unsigned char *rgba;
	unsigned long w, h, x, y;
	const char *why;

	(void)state;
	assert_int_equal(img_convert(m.data, m.len, &c, &icon, &out, &why),
	    ERR_OK);
	rgba = read_png(&out, &w, &h);
	for (y = 0; y < h; y += 1)
		for (x = 0; x < w; x += 17)
			assert_colour(rgba, w, x, y, 255, 0, 0);
	free(rgba);
	img_out_release(&out);
	free(m.data);
}

/* A `fit` target (attachment thumbnails) keeps the whole picture and its
 * shape inside the box, never enlarges it, and reports the original's
 * size; a larger upload than cfg.upload_max passes with max_bytes. */
static void
test_fit_keeps_shape(void **state)
{
	struct img_target box = { .width = 400,
		.height = 400,
		.format = IMG_PNG,
		.fit = 1 };
	struct png_mem wide = make_png(2000, 500, 0, 0);
	struct png_mem small = make_png(120, 90, 0, 0);
	struct img_out out;
	const char *why;

	(void)state;
	assert_int_equal(img_convert(wide.data, wide.len, NULL, &box, &out,
	                     &why),
	    ERR_OK);
	assert_int_equal(out.width, 400);
	assert_int_equal(out.height, 100);
	assert_int_equal(out.src_width, 2000);
	assert_int_equal(out.src_height, 500);
	img_out_release(&out);
	assert_int_equal(img_convert(small.data, small.len, NULL, &box, &out,
	                     &why),
	    ERR_OK);
	assert_int_equal(out.width, 120);
	assert_int_equal(out.height, 90);
	img_out_release(&out);
	cfg.upload_max = small.len - 1;
	assert_int_equal(img_convert(small.data, small.len, NULL, &box, &out,
	                     &why),
	    ERR_TOO_LARGE);
	box.max_bytes = small.len;
	assert_int_equal(img_convert(small.data, small.len, NULL, &box, &out,
	                     &why),
	    ERR_OK);
	img_out_release(&out);
	cfg.upload_max = 8 * 1024 * 1024;
	free(wide.data);
	free(small.data);
}

/* 1 x 40 000 was 413: scaled to cover (256 x 10 240 000) before the trim.
 * Now its centre becomes the icon, and a wallpaper. */
static void
test_thin_image_accepted(void **state)
{
	struct png_mem tall = make_png(1, 40000, 0, 0);
	struct png_mem wide = make_png(40000, 1, 0, 0);
	struct img_out out;
	const char *why;

	(void)state;
	assert_int_equal(img_convert(tall.data, tall.len, NULL, &icon, &out,
	                     &why),
	    ERR_OK);
	assert_int_equal(out.width, 256);
	assert_int_equal(out.height, 256);
	img_out_release(&out);
	assert_int_equal(img_convert(wide.data, wide.len, NULL, &wallpaper,
	                     &out, &why),
	    ERR_OK);
	assert_int_equal(out.width, 1500);
	assert_int_equal(out.height, 500);
	img_out_release(&out);
	free(tall.data);
	free(wide.data);
}

/* An empty rectangle is refused like one outside: (0,0,0,0) used to
 * mean the whole image; NULL does now. */
static void
test_crop_rule(void **state)
{
	static const struct img_crop bad[] = {
		{ 0, 0, 0, 0 },
		{ 0, 0, 0, 10 },
		{ 0, 0, 10, 0 },
		{ 10, 10, 2039, 10 },
		{ -1, 0, 10, 10 },
		{ 0, 2048, 10, 1 },
	};
	struct png_mem m = make_png(2048, 100, 0, 0);
	struct img_crop one = { 2047, 99, 1, 1 };
	struct img_out out;
	const char *why;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		assert_int_equal(img_convert(m.data, m.len, &bad[i], &icon,
		                     &out, &why),
		    ERR_VALIDATION);
		assert_non_null(why);
		img_out_release(&out);
	}
	assert_int_equal(img_convert(m.data, m.len, &one, &icon, &out, &why),
	    ERR_OK);
	img_out_release(&out);
	assert_int_equal(img_convert(m.data, m.len, NULL, &icon, &out, &why),
	    ERR_OK);
	img_out_release(&out);
	free(m.data);
}

/* UPLOAD_MAX_MEMORY caps GraphicsMagick's pixel cache: a 1500 x 1500
 * image (18 MB at 8 bytes a pixel) is 413 under 8 MiB, fine under the
 * default. */
static void
test_memory_cap(void **state)
{
	struct png_mem m = make_png(1500, 1500, 0, 0);
	struct img_crop c = { 100, 100, 256, 256 };
	struct img_out out;
	const char *why;

	(void)state;
	cfg.upload_max_memory = 8 * 1024 * 1024;
	assert_int_equal(img_convert(m.data, m.len, &c, &icon, &out, &why),
	    ERR_TOO_LARGE);
	img_out_release(&out);
	cfg.upload_max_memory = 512 * 1024 * 1024;
	assert_int_equal(img_convert(m.data, m.len, &c, &icon, &out, &why),
	    ERR_OK);
	img_out_release(&out);
	free(m.data);
}

/* UPLOAD_DECODES caps conversions across processes: with the only slot
 * held (as another process converting would), a conversion waits
 * UPLOAD_DECODE_WAIT_MS and answers 503; once it is free, it runs. */
static void
test_decode_slots(void **state)
{
	struct png_mem m = make_png(64, 64, 0, 0);
	char dir[] = "/tmp/test_img.XXXXXX", lock[64];
	struct img_out out;
	const char *why = NULL;
	struct timespec t0, t1;
	long ms;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(lock, sizeof(lock), "%s/.img-decode-0.lock", dir);
	cfg.var_dir = dir;
	cfg.upload_decodes = 1;
	cfg.upload_decode_wait = 200;
	fd = open(lock, O_RDWR | O_CREAT, 0600);
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_EX), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(img_convert(m.data, m.len, NULL, &icon, &out, &why),
	    ERR_UNAVAILABLE);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 +
	    (t1.tv_nsec - t0.tv_nsec) / 1000000;
	assert_true(ms >= 200);
	assert_non_null(why);
	img_out_release(&out);
	close(fd);
	assert_int_equal(img_convert(m.data, m.len, NULL, &icon, &out, &why),
	    ERR_OK);
	img_out_release(&out);
	cfg.var_dir = NULL;
	cfg.upload_decodes = 0;
	unlink(lock);
	rmdir(dir);
	free(m.data);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bomb_is_cheap),
		cmocka_unit_test(test_png_shrink_keeps_pixels),
		cmocka_unit_test(test_png_interlaced_full_size),
		cmocka_unit_test(test_thin_image_accepted),
		cmocka_unit_test(test_crop_rule),
		cmocka_unit_test(test_fit_keeps_shape),
		cmocka_unit_test(test_memory_cap),
		cmocka_unit_test(test_decode_slots),
	};

	cfg.upload_max = 8 * 1024 * 1024;
	cfg.upload_max_pixels = 40000000;
	cfg.upload_max_memory = 512 * 1024 * 1024;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
