/* attachments.c - files with messages: upload, access-checked download,
 * and linking uploads to a new message.
 *
 * An upload is stored at once (common/attach.h) as an attachment of no
 * message yet, owned by the uploader and bound to the room; a post names
 * up to ATTACHMENTS_PER_MESSAGE of them (attachment_ids) and takes them.
 * A download checks, on every fetch, that the caller may read the room of
 * the message (or uploaded the file and has not sent it yet); then the
 * front sends the bytes (X-Sendfile for lighttpd, X-Accel-Redirect for
 * nginx), so the program never reads them.  Anyone else gets 404.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attach.h"
#include "buf.h"
#include "cfg.h"
#include "db.h"
#include "img.h"
#include "json.h"
#include "mem.h"
#include "multipart.h"
#include "rooms.h"

#define ATTACHMENTS_THUMB      400 /* a thumbnail fits in 400 x 400 */
#define ATTACHMENTS_QUOTA_LOCK 727005

/* An upload, checked and converted, before it is stored. */
struct attachments_upload {
	const char *data; /* into the request body */
	size_t len;
	const char *type; /* attach_sniff() */
	char name[ATTACH_NAME_MAX + 1];
	char path[ATTACH_PATH_MAX];
	char thumb_path[ATTACH_PATH_MAX];
	struct img_out thumb; /* data NULL: none */
};

/* The one part "file" of the multipart body into *u; anything else is a
 * field error. */
static enum err_code
attachments_read(struct http_req *r, struct attachments_upload *u)
{
	struct json_object *fields = http_fields(r);
	char boundary[MULTIPART_BOUNDARY_MAX + 1];
	const struct multipart_part *file = NULL;
	struct multipart *mp;
	enum err_code rc = ERR_OK;
	size_t i;

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
		if (strcmp(mp->parts[i].name, "file") != 0)
			rc = json_field_error(fields, mp->parts[i].name,
			    "unknown field");
		else if (file != NULL)
			rc = json_field_error(fields, "file",
			    "one file per request");
		else
			file = &mp->parts[i];
	}
	if (file == NULL)
		rc = json_field_error(fields, "file", "required");
	else if (file->len == 0)
		rc = json_field_error(fields, "file", "is empty");
	if (rc)
		goto out;
	if (file->len > cfg.attach_max) {
		rc = http_fail(r, ERR_TOO_LARGE, "The file is too large.");
		goto out;
	}
	u->data = file->data;
	u->len = file->len;
	u->type = attach_sniff(file->data, file->len);
	attach_clean_name(file->filename, u->name);
	attach_path(u->data, u->len, u->path);
out:
	free(mp);
	return rc;
}

/* An image gets its dimensions and a thumbnail, with the checks and
 * limits of every picture (img.h: pixels, memory, EXIF stripped); one
 * that fails them is refused. */
static enum err_code
attachments_thumbnail(struct http_req *r, struct attachments_upload *u)
{
	struct img_target t = { ATTACHMENTS_THUMB, ATTACHMENTS_THUMB, IMG_PNG,
		1, 0 };
	const char *why = NULL;
	enum err_code rc;

	if (!attach_inline(u->type))
		return ERR_OK;
	t.format = strcmp(u->type, "image/jpeg") == 0 ? IMG_JPEG : IMG_PNG;
	t.max_bytes = cfg.attach_max;
	rc = img_convert(u->data, u->len, NULL, &t, &u->thumb, &why);
	if (rc == ERR_BAD_REQUEST)
		return http_fail(r, ERR_BAD_REQUEST,
		    "The image could not be read.");
	if (rc)
		return http_fail(r, rc, why);
	attach_path(u->thumb.data, u->thumb.len, u->thumb_path);
	return ERR_OK;
}

/* In the transaction: the caller may still post in the room (not timed
 * out) and has room in the quota for `len` more bytes. */
static enum err_code
attachments_may_store(struct http_req *r, size_t len)
{
	struct db_res *res = NULL;
	char why[160];
	enum err_code rc;

	rc = db_query(NULL, "SELECT pg_advisory_xact_lock($1::int, $2::int)",
	    DB_I64(ATTACHMENTS_QUOTA_LOCK), DB_I64(r->user_id & 0x7fffffff));
	if (rc)
		goto out;
	rc = db_query(&res,
	    "SELECT (SELECT coalesce(gm.timed_out_until > now(), false) "
	    "FROM rooms rm "
	    "JOIN group_members gm ON gm.group_id = rm.group_id "
	    "AND gm.user_id = $2 WHERE rm.id = $1), "
	    "(SELECT coalesce(sum(size), 0) FROM attachments "
	    "WHERE uploader_id = $2)",
	    DB_I64(r->ids[0]), DB_I64(r->user_id));
	if (rc)
		goto out;
	if (db_value(res, 0, 0) == NULL) {
		rc = ERR_NOT_FOUND; /* left the group meanwhile */
		goto out;
	}
	if (db_bool(res, 0, 0)) {
		rc = http_fail(r, ERR_FORBIDDEN, "You are timed out.");
		goto out;
	}
	if (db_int(res, 0, 1) + (int64_t)len > (int64_t)cfg.attach_quota) {
		snprintf(why, sizeof(why),
		    "Your attachment storage is full (%ld MiB); delete "
		    "messages with files to make room.",
		    cfg.attach_quota / 1048576);
		rc = http_fail(r, ERR_TOO_LARGE, http_keep(r, mem_strdup(why)));
	}
out:
	db_res_free(res);
	return rc;
}

/* POST /api/rooms/{id}/attachments (multipart, part "file"): 201 with the
 * attachment, not yet part of any message. */
enum err_code
attachments_create(struct http_req *r)
{
	struct attachments_upload u;
	int64_t group_id = 0;
	enum err_code rc;
	char *json = NULL;

	memset(&u, 0, sizeof(u));
	rc = acl_room(r->ids[0], r->user_id, ACL_MEMBER, &group_id, NULL);
	if (rc == ERR_OK)
		rc = mentions_dm_may_post(r, group_id);
	if (rc)
		goto out;
	rc = attachments_read(r, &u);
	if (rc)
		goto out;
	rc = attachments_thumbnail(r, &u);
	if (rc)
		goto out;
	rc = db_begin();
	if (rc)
		goto out;
	rc = attachments_may_store(r, u.len);
	if (rc)
		goto out;
	/* The file is written under its path's lock and the row inserted
	 * before that lock goes (attach.h). */
	rc = attach_lock(u.path);
	if (rc == ERR_OK)
		rc = attach_write(u.path, u.data, u.len);
	if (rc == ERR_OK && u.thumb.data != NULL) {
		rc = attach_lock(u.thumb_path);
		if (rc == ERR_OK)
			rc = attach_write(u.thumb_path, u.thumb.data,
			    u.thumb.len);
	}
	if (rc)
		goto out;
	rc = db_query_text(&json,
	    "INSERT INTO attachments (uploader_id, room_id, name, "
	    "content_type, size, path, thumb_path, width, height, "
	    "thumb_width, thumb_height) VALUES ($1, $2, $3, $4, $5, $6, "
	    "$7, $8, $9, $10, $11) RETURNING "
	    "ec_attachment_json(attachments)::text",
	    DB_I64(r->user_id), DB_I64(r->ids[0]), DB_TEXT(u.name),
	    DB_TEXT(u.type), DB_I64((int64_t)u.len), DB_TEXT(u.path),
	    DB_TEXT(u.thumb.data ? u.thumb_path : NULL),
	    DB_NULL_I64((int64_t)u.thumb.src_width),
	    DB_NULL_I64((int64_t)u.thumb.src_height),
	    DB_NULL_I64((int64_t)u.thumb.width),
	    DB_NULL_I64((int64_t)u.thumb.height));
	if (rc)
		goto out;
	rc = db_commit();
	if (rc)
		goto out;
	http_reply_raw(r, 201, json, strlen(json));
out:
	db_rollback();
	img_out_release(&u.thumb);
	free(json);
	return rc;
}

/* Percent-encodes `s` for RFC 8187's filename* (attr-char kept). */
static void
attachments_pct(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p = (const unsigned char *)s;

	for (; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("!#$&+-.^_`|~", *p))
			buf_printf(b, "%c", *p);
		else
			buf_printf(b, "%%%c%c", hex[*p >> 4], hex[*p & 15]);
	}
}

/* Content-Disposition for `name`: an ASCII fallback (anything else '_')
 * and the UTF-8 name. */
static void
attachments_disposition(struct http_req *r, int inline_, const char *name)
{
	struct buf b;
	const char *p;

	buf_init(&b, 0);
	buf_printf(&b, "%s; filename=\"", inline_ ? "inline" : "attachment");
	for (p = name; *p; p++)
		buf_printf(&b, "%c",
		    (*p >= 0x20 && *p < 0x7f && *p != '"' && *p != '\\') ? *p
		                                                         : '_');
	buf_puts(&b, "\"; filename*=UTF-8''");
	attachments_pct(&b, name);
	http_add_header(r, "Content-Disposition: %.*s", (int)b.len, b.data);
	buf_release(&b);
}

/* 1 when the front is nginx (X-Accel-Redirect), 0 for lighttpd
 * (X-Sendfile): ATTACH_SENDFILE, or by default the front's name. */
static int
attachments_accel(struct http_req *r)
{
	const char *sw;

	if (strcmp(cfg.attach_sendfile, "x-accel") == 0)
		return 1;
	if (strcmp(cfg.attach_sendfile, "x-sendfile") == 0)
		return 0;
	sw = http_param(r, "SERVER_SOFTWARE");
	return sw != NULL && strncmp(sw, "nginx", 5) == 0;
}

/* GET /api/attachments/{id} and .../thumbnail: the file, when the caller
 * can read the room of its message (or uploaded it and has not sent it
 * yet); 404 otherwise. */
static enum err_code
attachments_send(struct http_req *r, int thumbnail)
{
	struct db_res *res = NULL;
	const char *path, *type;
	int64_t group_id = 0;
	enum err_code rc;

	rc = db_query(&res,
	    "SELECT a.path, a.thumb_path, a.name, a.content_type, "
	    "coalesce(m.room_id, 0), a.message_id IS NULL "
	    "AND a.uploader_id = $2 FROM attachments a "
	    "LEFT JOIN messages m ON m.id = a.message_id "
	    "AND m.deleted_at IS NULL WHERE a.id = $1 "
	    "AND (m.id IS NOT NULL OR a.message_id IS NULL)",
	    DB_I64(r->ids[0]), DB_I64(r->user_id));
	if (rc)
		goto out;
	if (db_rows(res) == 0) {
		rc = ERR_NOT_FOUND;
		goto out;
	}
	/* Read access, checked on every fetch: the same as the room's
	 * history (members of the group; a DM's participants). */
	if (!db_bool(res, 0, 5)) {
		if (db_int(res, 0, 4) == 0) {
			rc = ERR_NOT_FOUND; /* someone else's unsent upload */
			goto out;
		}
		rc = acl_room(db_int(res, 0, 4), r->user_id, ACL_MEMBER,
		    &group_id, NULL);
		if (rc)
			goto out;
	}
	path = db_value(res, 0, thumbnail ? 1 : 0);
	if (path == NULL) {
		rc = http_fail(r, ERR_NOT_FOUND, "This file has no thumbnail.");
		goto out;
	}
	type = db_value(res, 0, 3);
	if (thumbnail)
		type = strcmp(type, "image/jpeg") == 0 ? "image/jpeg"
		                                       : "image/png";
	attachments_disposition(r, attach_inline(type), db_value(res, 0, 2));
	http_add_header(r, "X-Content-Type-Options: nosniff");
	http_add_header(r,
	    "Content-Security-Policy: sandbox; default-src 'none'");
	/* The bytes behind an id never change; only the caller's browser
	 * may keep them. */
	http_add_header(r, "Cache-Control: private, max-age=86400");
	if (attachments_accel(r))
		http_add_header(r,
		    "X-Accel-Redirect: /_easychat_attachments/%s",
		    path + strlen("attachments/"));
	else
		http_add_header(r, "X-Sendfile: %s/%s", cfg.media_dir, path);
	http_reply(r, 200, type, "", 0);
out:
	db_res_free(res);
	return rc;
}

enum err_code
attachments_get(struct http_req *r)
{
	return attachments_send(r, 0);
}

enum err_code
attachments_get_thumbnail(struct http_req *r)
{
	return attachments_send(r, 1);
}

enum err_code
attachments_link(struct http_req *r, const int64_t *ids, size_t n, char **msg)
{
	struct db_res *res = NULL;
	const char *posted;
	enum err_code rc;

	/* Each named upload must be the caller's own, of this room, and
	 * not yet sent; they take the order given. */
	rc = db_query(&res,
	    "WITH want AS (SELECT id, ord FROM unnest($3::bigint[]) "
	    "WITH ORDINALITY AS w (id, ord)), "
	    "upd AS (UPDATE attachments a SET message_id = "
	    "($1::jsonb->>'id')::bigint, position = want.ord FROM want "
	    "WHERE a.id = want.id AND a.uploader_id = $2 AND a.room_id = $4 "
	    "AND a.message_id IS NULL RETURNING a.id) "
	    "SELECT count(*) FROM upd",
	    DB_TEXT(*msg), DB_I64(r->user_id), DB_I64_ARRAY(ids, n),
	    DB_I64(r->ids[0]));
	if (rc)
		goto out;
	if ((size_t)db_int(res, 0, 0) != n) {
		rc = json_field_error(http_fields(r), "attachment_ids",
		    "each must be an upload of yours to this room, not yet "
		    "sent");
		goto out;
	}
	/* The message as it is answered and published, now with them. */
	posted = http_keep(r, *msg);
	*msg = NULL;
	rc = db_query_text(msg,
	    "UPDATE messages SET attachments = "
	    "ec_message_attachments_json(id) "
	    "WHERE id = ($1::jsonb->>'id')::bigint "
	    "RETURNING ec_message_json(messages)::text",
	    DB_TEXT(posted));
out:
	db_res_free(res);
	return rc;
}

enum err_code
attachments_read_ids(struct http_req *r, int64_t ids[ATTACHMENTS_PER_MESSAGE],
    size_t *n)
{
	struct json_object *arr, *v;
	size_t i, k, len;

	*n = 0;
	if (!json_object_object_get_ex(r->json, "attachment_ids", &arr))
		return ERR_OK;
	if (!json_object_is_type(arr, json_type_array))
		return json_field_error(http_fields(r), "attachment_ids",
		    "must be an array of attachment ids");
	len = json_object_array_length(arr);
	if (len > ATTACHMENTS_PER_MESSAGE)
		return json_field_error(http_fields(r), "attachment_ids",
		    "at most 10 attachments per message");
	for (i = 0; i < len; i++) {
		v = json_object_array_get_idx(arr, i);
		if (!json_object_is_type(v, json_type_int) ||
		    json_object_get_int64(v) < 1)
			return json_field_error(http_fields(r),
			    "attachment_ids",
			    "must be an array of attachment ids");
		ids[i] = json_object_get_int64(v);
		for (k = 0; k < i; k++) {
			if (ids[k] == ids[i])
				return json_field_error(http_fields(r),
				    "attachment_ids", "has duplicates");
		}
	}
	*n = len;
	return ERR_OK;
}
