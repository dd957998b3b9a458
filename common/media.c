/* media.c - the pictures of profiles and groups: upload, store, attach,
 * release, defaults. */
#include "media.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cfg.h"
#include "db.h"
#include "json.h"
#include "log.h"
#include "mem.h"
#include "multipart.h"
#include "sec.h"

#define MEDIA_CROP_MAX 1000000

static const struct img_target media_targets[] = {
	[MEDIA_ICON] = { MEDIA_ICON_SIZE, MEDIA_ICON_SIZE, IMG_PNG },
	[MEDIA_WALLPAPER] = { MEDIA_WALLPAPER_WIDTH, MEDIA_WALLPAPER_HEIGHT,
	    IMG_JPEG },
};

/* The row each owner's picture lives in: $1 = id, $2 = the new path;
 * returns the previous path (the subquery's FOR UPDATE reads it under
 * the row lock, so two uploads cannot both miss the other's file). */
static const char *const media_update_sql[2][2] = {
	[MEDIA_USER] = {
	    [MEDIA_ICON] = "UPDATE profiles p SET icon = $2 FROM (SELECT "
			   "user_id, icon FROM profiles WHERE user_id = $1 "
			   "FOR UPDATE) old WHERE p.user_id = old.user_id "
			   "RETURNING old.icon",
	    [MEDIA_WALLPAPER] = "UPDATE profiles p SET wallpaper = $2 FROM "
				"(SELECT user_id, wallpaper FROM profiles "
				"WHERE user_id = $1 FOR UPDATE) old "
				"WHERE p.user_id = old.user_id "
				"RETURNING old.wallpaper",
	},
	[MEDIA_GROUP] = {
	    [MEDIA_ICON] = "UPDATE groups g SET icon = $2 FROM (SELECT id, "
			   "icon FROM groups WHERE id = $1 FOR UPDATE) old "
			   "WHERE g.id = old.id RETURNING old.icon",
	    [MEDIA_WALLPAPER] = "UPDATE groups g SET wallpaper = $2 FROM "
				"(SELECT id, wallpaper FROM groups "
				"WHERE id = $1 FOR UPDATE) old "
				"WHERE g.id = old.id RETURNING old.wallpaper",
	},
};

void
media_file_release(struct media_file *f)
{
	if (f == NULL)
		return;
	img_out_release(&f->img);
	memset(f, 0, sizeof(*f));
}

/* Names the converted picture after the SHA-256 of its bytes. */
static void
media_name(struct media_file *f)
{
	char digest[SEC_DIGEST_HEX];

	sec_digest_hex(f->img.data, f->img.len, digest);
	snprintf(f->path, sizeof(f->path), "%.2s/%s.%s", digest, digest,
	    f->kind == MEDIA_ICON ? "png" : "jpg");
}

void
media_file_name(struct media_file *f)
{
	media_name(f);
}

enum err_code
media_from_bytes(const void *data, size_t len, enum media_kind kind,
    struct media_file *out, const char **why)
{
	enum err_code rc;

	memset(out, 0, sizeof(*out));
	out->kind = kind;
	rc = img_convert(data, len, NULL, &media_targets[kind], &out->img, why);
	if (rc == ERR_OK)
		media_name(out);
	return rc;
}

enum err_code
media_write_file(const char *rel, const void *data, size_t len)
{
	char final[4200], tmp[4300];
	const unsigned char *bytes = data;
	size_t off = 0;
	char *slash;
	int fd;

	/* Each directory on the way (media_dir, then those in `rel`). */
	snprintf(final, sizeof(final), "%s/%s", cfg.media_dir, rel);
	if (mkdir(cfg.media_dir, 0755) != 0 && errno != EEXIST)
		goto fail;
	for (slash = strchr(final + strlen(cfg.media_dir) + 1, '/');
	     slash != NULL; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (mkdir(final, 0755) != 0 && errno != EEXIST)
			goto fail;
		*slash = '/';
	}
	slash = strrchr(final, '/');
	snprintf(tmp, sizeof(tmp), "%.*s/.tmp-%ld-%s", (int)(slash - final),
	    final, (long)getpid(), slash + 1);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		goto fail;
	while (off < len) {
		ssize_t n = write(fd, bytes + off, len - off);

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
	log_error("cannot write media file %s: %s", rel, strerror(errno));
	return ERR_INTERNAL;
}

/* 1 when `path` has the shape of a file media_name() gives. */
static int
media_path_ours(const char *path)
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
media_lock(const char *path)
{
	return db_query(NULL,
	    "SELECT pg_advisory_xact_lock(727002, "
	    "hashtext($1))",
	    DB_TEXT(path));
}

enum err_code
media_attach(const struct media_file *f, enum media_owner owner, int64_t id)
{
	struct db_res *res = NULL;
	char *old = NULL;
	enum err_code rc;

	rc = db_begin();
	if (rc)
		goto out;
	rc = media_lock(f->path);
	if (rc)
		goto out;
	rc = media_write_file(f->path, f->img.data, f->img.len);
	if (rc)
		goto out;
	rc = db_query(&res, media_update_sql[owner][f->kind], DB_I64(id),
	    DB_TEXT(f->path));
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
	if (old != NULL && strcmp(old, f->path) != 0)
		media_release(old);
out:
	/* A file written for a row that was not updated is left for
	 * media_release() of a later upload; it is content-addressed and
	 * harmless. */
	db_rollback();
	db_res_free(res);
	free(old);
	return rc;
}

void
media_reply(struct http_req *r, const struct media_file *f)
{
	struct json_object *root;
	char url[MEDIA_PATH_MAX + 16];

	snprintf(url, sizeof(url), "/media/%s", f->path);
	root = json_object_new_object();
	json_object_object_add(root,
	    f->kind == MEDIA_ICON ? "icon_url" : "wallpaper_url",
	    json_object_new_string(url));
	http_reply_json(r, 200, root);
}

void
media_release(const char *path)
{
	struct db_res *res = NULL;
	char file[4200];

	if (!media_path_ours(path))
		return; /* defaults/ and anything unexpected stay */
	if (db_begin())
		return;
	if (media_lock(path))
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

/* A crop field: a decimal integer in [0, MEDIA_CROP_MAX]. */
static int
media_crop_field(const struct multipart_part *p, int64_t *out)
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
	if (v > MEDIA_CROP_MAX)
		return -1;
	*out = v;
	return 0;
}

enum err_code
media_from_request(struct http_req *r, enum media_kind kind,
    struct media_file *out)
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
	out->kind = kind;
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
		if (media_crop_field(p, slots[k]) != 0)
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
	/* No crop fields: the whole image; four: exactly that rectangle,
	 * which img_convert() refuses when empty or outside. */
	rc = img_convert(file->data, file->len, ncrop ? &crop : NULL,
	    &media_targets[kind], &out->img, &why);
	if (rc == ERR_VALIDATION)
		json_field_error(fields, "crop", why);
	else if (rc)
		http_fail(r, rc, why);
	else
		media_name(out);
out:
	free(mp);
	return rc;
}

/* ---- default pictures ------------------------------------------------ */

/* Gradient ends (top-left, bottom-right), from the SPA's dark palette. */
static const char *const media_palette[][2] = {
	{ "#5865f2", "#2b2f8f" },
	{ "#3ba55d", "#1d5c33" },
	{ "#faa61a", "#b5580b" },
	{ "#ed4245", "#8a1c23" },
	{ "#eb459e", "#7d1f56" },
	{ "#00a8fc", "#005a8c" },
	{ "#9b59b6", "#4a2363" },
	{ "#1abc9c", "#0e5e4f" },
};

/* Draws one default picture (`figure` "user", "group" or "wallpaper",
 * colours and placement by `index`) as PNG at `path`. */
static enum err_code
media_make_default(const char *path, const char *figure, int index)
{
	static const struct img_shape user[] = {
		{ "#ffffff", "circle 128,100 128,148" },        /* head */
		{ "#ffffff", "ellipse 128,236 84,64 180,360" }, /* shoulders */
	};
	static const struct img_shape group[] = {
		/* three speech bubbles */
		{ "#ffffffb0", "circle 92,110 92,160" },
		{ "#ffffffd0", "circle 164,110 164,160" },
		{ "#ffffff", "circle 128,162 128,214" },
	};
	const char *const *colours = media_palette[index % 8];
	struct img_shape soft[2];
	char circle[160];

	if (strcmp(figure, "user") == 0)
		return img_draw_png(path, MEDIA_ICON_SIZE, MEDIA_ICON_SIZE,
		    colours[0], colours[1], user, 2);
	if (strcmp(figure, "group") == 0)
		return img_draw_png(path, MEDIA_ICON_SIZE, MEDIA_ICON_SIZE,
		    colours[0], colours[1], group, 3);
	snprintf(circle, sizeof(circle), "circle %d,%d %d,%d",
	    200 + 300 * index, 120, 200 + 300 * index, 420);
	soft[0].fill = "#ffffffe0";
	soft[0].primitive = circle;
	soft[1].fill = "#ffffffe8";
	soft[1].primitive = "circle 1300,480 1300,820";
	return img_draw_png(path, MEDIA_WALLPAPER_WIDTH, MEDIA_WALLPAPER_HEIGHT,
	    colours[0], colours[1], soft, 2);
}

enum err_code
media_make_defaults(const char *dir)
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
			rc = media_make_default(tmp, sets[i].figure, n - 1);
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
