/* multipart.h - a bounded multipart/form-data reader over one buffer.
 *
 * multipart_parse() is a pure function: it reads a complete body that is
 * already in memory (http.c caps it at UPLOAD_MAX_BYTES) and describes
 * its parts without copying their data and without allocating.  Names,
 * file names and content types are copied into fixed-size fields; the
 * data of each part points into the caller's buffer.  Anything malformed
 * or over a limit (boundary, header block, number of parts, a missing
 * final delimiter) is refused, so it can be fed arbitrary bytes (fuzzing).
 *
 * Grammar (RFC 2046 section 5.1.1, RFC 7578): an optional preamble, then
 * "--boundary" lines each followed by a header block ending in an empty
 * line and the part's data, then "--boundary--" and an optional epilogue.
 * Lines end in CRLF; a delimiter is only recognised at the start of the
 * body or after CRLF, and only when "--boundary" is followed by "--" or
 * by optional spaces/tabs and CRLF, so boundary-like text inside data is
 * data.
 *
 * Layer: base (common/README.md) - knows nothing of chat; includes base
 * headers only.
 */
#ifndef EC_MULTIPART_H
#define EC_MULTIPART_H

#include <stddef.h>

#include "err.h"

#define MULTIPART_BOUNDARY_MAX 70 /* RFC 2046 */
#define MULTIPART_MAX_PARTS    16
#define MULTIPART_HEADER_MAX   2048 /* bytes of one part's header block */
#define MULTIPART_NAME_MAX     64
#define MULTIPART_FILENAME_MAX 256
#define MULTIPART_TYPE_MAX     128

struct multipart_part {
	char name[MULTIPART_NAME_MAX + 1];
	char filename[MULTIPART_FILENAME_MAX + 1]; /* "" if none */
	int has_filename;
	char content_type[MULTIPART_TYPE_MAX + 1]; /* "" if none */
	const char *data;                          /* into the parsed buffer */
	size_t len;
};

struct multipart {
	struct multipart_part parts[MULTIPART_MAX_PARTS];
	size_t nparts;
};

/* Copies the boundary parameter of a multipart/form-data Content-Type
 * value (quoted or not) into `out`.  ERR_BAD_REQUEST when the type is not
 * multipart/form-data or the boundary is missing, empty, longer than
 * MULTIPART_BOUNDARY_MAX or has characters RFC 2046 does not allow. */
enum err_code multipart_boundary(const char *content_type,
    char out[MULTIPART_BOUNDARY_MAX + 1]);

/* Parses body[0..len) with `boundary` into *mp (fully overwritten).
 * ERR_BAD_REQUEST when the body is malformed: no first delimiter, no
 * final delimiter, a header block over MULTIPART_HEADER_MAX or without
 * its empty line, a part without `Content-Disposition: form-data;
 * name=...`, a field over its maximum, or more than MULTIPART_MAX_PARTS
 * parts.  The data pointers stay valid as long as `body`. */
enum err_code multipart_parse(const char *body, size_t len,
    const char *boundary, struct multipart *mp);

/* The first part named `name`, or NULL. */
const struct multipart_part *
multipart_find(const struct multipart *mp, const char *name);

#endif
