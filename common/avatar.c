/* avatar.c - a new user's default icon, drawn from the user id (avatar.h). */
#include "avatar.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cfg.h"
#include "img.h"
#include "log.h"
#include "media.h"
#include "mem.h"

#define AVATAR_CELL   40 /* pixels of a square */
#define AVATAR_MARGIN ((MEDIA_ICON_SIZE - AVATAR_GRID * AVATAR_CELL) / 2)
#define AVATAR_MAX    (1024 * 1024) /* bytes of the drawn PNG, at most */

/* splitmix64: every bit of the id reaches every bit of the result, so
 * neighbouring ids look unrelated. */
static uint64_t
avatar_mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* "#rrggbb" of hue h (0..359), saturation s and lightness l (0..100). */
static void
avatar_hsl(char out[8], unsigned h, unsigned s, unsigned l)
{
	double c = (1.0 - fabs(2.0 * l / 100.0 - 1.0)) * s / 100.0;
	double x = c * (1.0 - fabs(fmod(h / 60.0, 2.0) - 1.0));
	double m = l / 100.0 - c / 2.0;
	double rgb[3] = { 0, 0, 0 };
	int sector = (int)(h / 60) % 6;

	/* Which channel takes c and which x, by sixth of the colour wheel. */
	static const int big[6] = { 0, 1, 1, 2, 2, 0 };
	static const int small[6] = { 1, 0, 2, 1, 0, 2 };

	rgb[big[sector]] = c;
	rgb[small[sector]] = x;
	snprintf(out, 8, "#%02x%02x%02x",
	    (unsigned)((rgb[0] + m) * 255.0 + 0.5),
	    (unsigned)((rgb[1] + m) * 255.0 + 0.5),
	    (unsigned)((rgb[2] + m) * 255.0 + 0.5));
}

void
avatar_spec(int64_t user_id, struct avatar_spec *out)
{
	uint64_t h = avatar_mix((uint64_t)user_id);
	unsigned hue = (unsigned)(h % 360);
	/* The squares' hue is a neighbour or the opposite of the ground's,
	 * by another part of the hash: 360 x 4 colour pairs. */
	static const unsigned shift[] = { 40, 150, 180, 320 };
	unsigned fg = (hue + shift[(h >> 9) & 3]) % 360;
	unsigned cells = (unsigned)((h >> 16) & 0x7fff);

	/* Dark ground, light squares: legible at 24 px and on both themes. */
	avatar_hsl(out->background, hue, 55, 30);
	avatar_hsl(out->foreground, fg, 75, 72);
	if (__builtin_popcount(cells) < 4)
		cells |= 0x2a95; /* a fixed figure under the sparse one */
	out->cells = cells;
}

int
avatar_cell(const struct avatar_spec *spec, int column, int row)
{
	int c = column < 3 ? column : AVATAR_GRID - 1 - column;

	return (spec->cells >> (c * AVATAR_GRID + row)) & 1;
}

/* Reads the whole file at `path` into f->img. */
static enum err_code
avatar_read(const char *path, struct media_file *f)
{
	enum err_code rc = ERR_INTERNAL;
	FILE *in = fopen(path, "rb");
	size_t n;

	if (in == NULL)
		goto out;
	f->img.data = mem_alloc(AVATAR_MAX);
	n = fread(f->img.data, 1, AVATAR_MAX, in);
	if (ferror(in) || n == 0 || n == AVATAR_MAX)
		goto out;
	f->img.len = n;
	f->img.width = MEDIA_ICON_SIZE;
	f->img.height = MEDIA_ICON_SIZE;
	rc = ERR_OK;
out:
	if (in != NULL)
		fclose(in);
	if (rc)
		log_error("cannot read the drawn avatar %s", path);
	return rc;
}

enum err_code
avatar_assign(int64_t user_id)
{
	struct img_shape shapes[AVATAR_GRID * AVATAR_GRID];
	char rects[AVATAR_GRID * AVATAR_GRID][64], tmp[4200];
	struct media_file f = { 0 };
	struct avatar_spec spec;
	enum err_code rc;
	size_t n = 0;
	int col, row;

	avatar_spec(user_id, &spec);
	for (col = 0; col < AVATAR_GRID; col++) {
		for (row = 0; row < AVATAR_GRID; row++) {
			int x = AVATAR_MARGIN + col * AVATAR_CELL;
			int y = AVATAR_MARGIN + row * AVATAR_CELL;

			if (!avatar_cell(&spec, col, row))
				continue;
			snprintf(rects[n], sizeof(rects[n]),
			    "rectangle %d,%d %d,%d", x, y, x + AVATAR_CELL - 1,
			    y + AVATAR_CELL - 1);
			shapes[n].fill = spec.foreground;
			shapes[n].primitive = rects[n];
			n++;
		}
	}
	if (mkdir(cfg.media_dir, 0755) != 0 && errno != EEXIST) {
		log_error("cannot create %s: %s", cfg.media_dir,
		    strerror(errno));
		return ERR_INTERNAL;
	}
	snprintf(tmp, sizeof(tmp), "%s/.avatar-%ld-%lld.png", cfg.media_dir,
	    (long)getpid(), (long long)user_id);
	rc = img_draw_png(tmp, MEDIA_ICON_SIZE, MEDIA_ICON_SIZE,
	    spec.background, spec.background, shapes, n);
	if (rc == ERR_OK)
		rc = avatar_read(tmp, &f);
	unlink(tmp);
	if (rc)
		goto out;
	f.kind = MEDIA_ICON;
	media_file_name(&f);
	rc = media_attach(&f, MEDIA_USER, user_id);
out:
	media_file_release(&f);
	return rc;
}
