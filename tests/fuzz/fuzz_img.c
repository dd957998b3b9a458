/* fuzz_img.c - the image header readers: the type sniffed from the magic
 * bytes, the dimensions read from the header by hand and by
 * GraphicsMagick's ping, the pixel limits, then (for images small enough)
 * the decode, crop and encode of img_convert(). */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "fuzz.h"
#include "img.h"
#include "log.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	setenv("JWT_SIGNING_KEY", "fuzz-key-0123456789abcdef0123456789abcdef",
	    1);
	/* Small images only, so that each input costs milliseconds: the
	 * header readers are the target, the decoders are GraphicsMagick's. */
	setenv("UPLOAD_MAX_PIXELS", "16384", 1);
	setenv("UPLOAD_DECODES", "0", 1); /* no lock files */
	log_init("fuzz_img", "error");    /* refusals are logged as info */
	if (cfg_load_file(NULL) != ERR_OK)
		abort();
	return 0;
}

static int64_t
fuzz_u16(const uint8_t *p)
{
	return (int64_t)(p[0] | p[1] << 8) - 8; /* a few negative ones too */
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct img_target icon = { .width = 256,
		.height = 256,
		.format = IMG_PNG };
	static const struct img_target wallpaper = { .width = 1500,
		.height = 500,
		.format = IMG_JPEG };
	const struct img_target *target;
	struct img_crop crop = { 0, 0, 0, 0 };
	struct img_out out;
	const char *why, *type;
	char *copy;
	enum err_code rc;
	int mode;

	/* First byte: bit 0 = a crop rectangle follows (x, y, w, h as
	 * 16-bit little-endian numbers), bit 1 = a wallpaper (else an
	 * icon).  Then the file. */
	if (size < 1)
		return 0;
	mode = data[0];
	data++;
	size--;
	if (mode & 1) {
		if (size < 8)
			return 0;
		crop.x = fuzz_u16(data);
		crop.y = fuzz_u16(data + 2);
		crop.w = fuzz_u16(data + 4);
		crop.h = fuzz_u16(data + 6);
		data += 8;
		size -= 8;
	}
	copy = fuzz_copy(data, size);
	type = img_sniff(copy, size);
	/* No crop bytes: the whole image (NULL), as an upload without the
	 * four fields. */
	target = (mode & 2) ? &wallpaper : &icon;
	rc = img_convert(copy, size, (mode & 1) ? &crop : NULL, target, &out,
	    &why);
	if (type == NULL)
		assert(rc == ERR_UNSUPPORTED_MEDIA);
	if (rc == ERR_OK) {
		assert(out.data != NULL && out.len > 0);
		assert(out.width == target->width);
		assert(out.height == target->height);
	} else {
		assert(why != NULL || rc == ERR_INTERNAL);
	}
	img_out_release(&out);
	free(copy);
	return 0;
}
