/* attach.c - attachments: sniffing, names, storage and removal. */
#include "attach.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cfg.h"
#include "db.h"
#include "img.h"
#include "log.h"
#include "media.h"
#include "sec.h"

#define ATTACH_TEXT_SNIFF   65536 /* bytes looked at for text/plain */
#define ATTACH_COLLECT_MAX  500   /* garbage rows per attach_collect() */
#define ATTACH_LOCK_CLASSID 727004

/* Length of the UTF-8 character at s[0..n) (1..4), 0 when invalid. */
static size_t
attach_utf8_len(const unsigned char *s, size_t n)
{
	size_t want, i;
	unsigned cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		want = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		want = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		want = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (n < want)
		return 0;
	for (i = 1; i < want; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((want == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (want == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return want;
}

/* 1 when the first ATTACH_TEXT_SNIFF bytes read as plain text (a
 * character cut at the end of that window is fine). */
static int
attach_is_text(const unsigned char *p, size_t len)
{
	size_t i = 0, n,
	       end = len < ATTACH_TEXT_SNIFF ? len : ATTACH_TEXT_SNIFF;

	while (i < end) {
		if (p[i] < 0x20 && p[i] != '\t' && p[i] != '\n' && p[i] != '\r')
			return 0;
		if (p[i] == 0x7f)
			return 0;
		n = attach_utf8_len(p + i, len - i);
		if (n == 0)
			return 0;
		i += n;
	}
	return 1;
}

const char *
attach_sniff(const void *data, size_t len)
{
	static const struct {
		size_t at;
		const char *magic;
		size_t n;
		const char *type;
	} magics[] = {
		{ 0, "%PDF-", 5, "application/pdf" },
		{ 0, "PK\x03\x04", 4, "application/zip" },
		{ 0, "\x1f\x8b", 2, "application/gzip" },
		{ 0, "ID3", 3, "audio/mpeg" },
		{ 0, "OggS", 4, "audio/ogg" },
		{ 8, "WAVE", 4, "audio/wav" },
		{ 4, "ftyp", 4, "video/mp4" },
		{ 0, "\x1a\x45\xdf\xa3", 4, "video/webm" },
	};
	const unsigned char *p = data;
	const char *img = img_sniff(data, len);
	size_t i;

	if (img != NULL) {
		if (strcmp(img, "PNG") == 0)
			return "image/png";
		if (strcmp(img, "JPEG") == 0)
			return "image/jpeg";
		if (strcmp(img, "GIF") == 0)
			return "image/gif";
		return "image/webp";
	}
	for (i = 0; i < sizeof(magics) / sizeof(magics[0]); i++) {
		if (len >= magics[i].at + magics[i].n &&
		    memcmp(p + magics[i].at, magics[i].magic, magics[i].n) ==
		        0 &&
		    (magics[i].at != 8 || memcmp(p, "RIFF", 4) == 0))
			return magics[i].type;
	}
	if (len >= 2 && p[0] == 0xff && (p[1] & 0xe0) == 0xe0)
		return "audio/mpeg"; /* an MPEG audio frame, no ID3 tag */
	if (attach_is_text(p, len))
		return "text/plain";
	return "application/octet-stream";
}

int
attach_inline(const char *content_type)
{
	return strncmp(content_type, "image/", 6) == 0;
}

void
attach_clean_name(const char *in, char out[ATTACH_NAME_MAX + 1])
{
	const unsigned char *s = (const unsigned char *)in;
	const char *base = in;
	size_t i, n, o = 0, len;

	for (i = 0; in[i] != '\0'; i++) {
		if (in[i] == '/' || in[i] == '\\')
			base = in + i + 1;
	}
	s = (const unsigned char *)base;
	len = strlen(base);
	while (len > 0 && (*s == '.' || *s == ' ')) {
		s++;
		len--;
	}
	for (i = 0; i < len; i += n) {
		n = attach_utf8_len(s + i, len - i);
		if (n == 0 ||
		    (n == 1 &&
		        (s[i] < 0x20 || s[i] == 0x7f || s[i] == '"' ||
		            s[i] == '\\'))) {
			n = n ? n : 1;
			if (o + 1 > ATTACH_NAME_MAX)
				break;
			out[o++] = '_';
			continue;
		}
		if (o + n > ATTACH_NAME_MAX)
			break;
		memcpy(out + o, s + i, n);
		o += n;
	}
	while (o > 0 && out[o - 1] == ' ')
		o--;
	out[o] = '\0';
	if (o == 0)
		snprintf(out, ATTACH_NAME_MAX + 1, "file");
}

void
attach_path(const void *data, size_t len, char out[ATTACH_PATH_MAX])
{
	char digest[SEC_DIGEST_HEX];

	sec_digest_hex(data, len, digest);
	snprintf(out, ATTACH_PATH_MAX, "attachments/%.2s/%s", digest, digest);
}

enum err_code
attach_lock(const char *path)
{
	return db_query(NULL,
	    "SELECT pg_advisory_xact_lock($1::int, hashtext($2))",
	    DB_I64(ATTACH_LOCK_CLASSID), DB_TEXT(path));
}

enum err_code
attach_write(const char *path, const void *data, size_t len)
{
	char file[4200];
	struct stat st;

	/* Same name, same bytes: a file that is there was renamed into
	 * place whole. */
	snprintf(file, sizeof(file), "%s/%s", cfg.media_dir, path);
	if (stat(file, &st) == 0 && (size_t)st.st_size == len)
		return ERR_OK;
	return media_write_file(path, data, len);
}

/* 1 when `path` has the shape attach_path() gives. */
static int
attach_path_ours(const char *path)
{
	size_t i;

	if (strlen(path) != 12 + 3 + 64 ||
	    strncmp(path, "attachments/", 12) != 0 || path[14] != '/' ||
	    memcmp(path + 12, path + 15, 2) != 0)
		return 0;
	for (i = 15; i < 15 + 64; i++) {
		if (!((path[i] >= '0' && path[i] <= '9') ||
		        (path[i] >= 'a' && path[i] <= 'f')))
			return 0;
	}
	return 1;
}

/* Removes `path` if nothing references it, and its garbage row. */
static void
attach_collect_one(const char *path)
{
	struct db_res *res = NULL;
	char file[4200];

	if (db_begin())
		return;
	if (attach_lock(path))
		goto out;
	if (db_query(&res,
	        "SELECT EXISTS (SELECT 1 FROM attachments WHERE path = $1) "
	        "OR EXISTS (SELECT 1 FROM attachments WHERE thumb_path = $1)",
	        DB_TEXT(path)))
		goto out;
	if (!db_bool(res, 0, 0) && attach_path_ours(path)) {
		snprintf(file, sizeof(file), "%s/%s", cfg.media_dir, path);
		if (unlink(file) != 0 && errno != ENOENT) {
			log_warn("cannot remove attachment file %s: %s", path,
			    strerror(errno));
			goto out; /* kept in the garbage for the next try */
		}
	}
	if (db_query(NULL, "DELETE FROM attachment_garbage WHERE path = $1",
	        DB_TEXT(path)))
		goto out;
	db_commit();
out:
	db_rollback();
	db_res_free(res);
}

/* The garbage read, tagged ec:background when the deliverer's sweep does
 * it, so that the tests which count a request's statements leave it out
 * (tests/lib/statements.mjs). */
static void
attach_collect_from(int background)
{
	struct db_res *res = NULL;
	size_t i;

	if (db_query(&res,
	        background ? "/* ec:background attachment sweep */ "
	                     "SELECT path FROM attachment_garbage "
	                     "ORDER BY created_at LIMIT $1"
	                   : "SELECT path FROM attachment_garbage "
	                     "ORDER BY created_at LIMIT $1",
	        DB_I64(ATTACH_COLLECT_MAX)))
		goto out;
	for (i = 0; i < db_rows(res); i++)
		attach_collect_one(db_value(res, i, 0));
out:
	db_res_free(res);
}

void
attach_collect(void)
{
	attach_collect_from(0);
}

void
attach_sweep(void)
{
	struct db_res *res = NULL;
	long hours = cfg_get_long("ATTACH_UNATTACHED_HOURS", 24);

	if (db_query(&res,
	        "/* ec:background attachment sweep */ "
	        "WITH d AS (DELETE FROM attachments WHERE message_id IS NULL "
	        "AND created_at < now() - make_interval(hours => $1::int) "
	        "RETURNING 1) SELECT count(*) FROM d",
	        DB_I64(hours)) == ERR_OK &&
	    db_int(res, 0, 0) > 0)
		log_info("removed %lld unattached uploads",
		    (long long)db_int(res, 0, 0));
	db_res_free(res);
	attach_collect_from(1);
}
