/* attach.h - the files attached to messages: their names and types, where
 * their bytes live, and the removal of files nothing references.
 *
 * Layer: domain (common/README.md) - over db and media; may include base
 * and domain headers.  The routes (upload, download) are the rooms
 * program's (fcgi-apps/rooms/attachments.c); this module is shared
 * because deleting a group (groups), an account (users, admin) and the
 * periodic sweep (easychat-deliver) free files too.
 *
 * Storage: cfg.media_dir/attachments/<2 hex>/<64 hex>, the SHA-256 of the
 * bytes and no extension, so equal files (and thumbnails) share one and
 * the fronts' /media/ branch, which serves only image extensions, never
 * serves one: every fetch goes through the program's access check and
 * then X-Sendfile (lighttpd) or X-Accel-Redirect (nginx).  Writing a file
 * and inserting its row, like removing an unreferenced file, happen under
 * one advisory lock per path (attach_lock()), so a new upload of the same
 * bytes never loses its file to a concurrent removal.  Rows that go leave
 * their paths in attachment_garbage (trigger, migration 0060), which
 * attach_collect() works through.
 */
#ifndef EC_ATTACH_H
#define EC_ATTACH_H

#include <stddef.h>

#include "err.h"

#define ATTACH_PATH_MAX 96  /* "attachments/ab/<64 hex>" and a NUL */
#define ATTACH_NAME_MAX 200 /* bytes of a sanitised file name */

/* The type of data[0..len) from its first bytes, never from what the
 * client said: image/png, image/jpeg, image/gif, image/webp,
 * application/pdf, application/zip, application/gzip, audio/mpeg,
 * audio/ogg, audio/wav, video/mp4, video/webm, text/plain (valid UTF-8
 * without control characters other than tab, CR, LF in the first 64 KiB),
 * else application/octet-stream. */
const char *attach_sniff(const void *data, size_t len);

/* 1 for the types shown inline (the four image types); everything else
 * is served as a download. */
int attach_inline(const char *content_type);

/* A file name fit to store and to put in Content-Disposition: the part
 * after the last '/' or '\\', valid UTF-8 only (invalid bytes become
 * '_'), control characters, quotes and backslashes replaced by '_',
 * leading dots and spaces dropped, cut at ATTACH_NAME_MAX bytes on a
 * character boundary; "file" when nothing is left. */
void attach_clean_name(const char *in, char out[ATTACH_NAME_MAX + 1]);

/* The storage path of data[0..len) (relative to cfg.media_dir). */
void attach_path(const void *data, size_t len, char out[ATTACH_PATH_MAX]);

/* In the caller's transaction: the advisory lock of `path`. */
enum err_code attach_lock(const char *path);

/* Under attach_lock(path): writes the file unless it is there already. */
enum err_code attach_write(const char *path, const void *data, size_t len);

/* Removes the files of attachment_garbage that no attachment references
 * any more (each in its own transaction, under attach_lock()), and their
 * garbage rows.  Call after committing anything that deletes attachment
 * rows; errors are logged, what is left waits for the next call. */
void attach_collect(void);

/* The periodic part (easychat-deliver): deletes uploads that were never
 * attached to a message and are older than ATTACH_UNATTACHED_HOURS (24),
 * then attach_collect(). */
void attach_sweep(void);

#endif
