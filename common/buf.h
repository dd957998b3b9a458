/* buf.h - a growable byte buffer with a hard maximum, always NUL-terminated.
 *
 * Modelled on lighttpd's buffer and git's strbuf: data is never NULL after
 * buf_init(), data[len] is always '\0', and growing past `max` fails with
 * ERR_TOO_LARGE instead of allocating, so client input cannot make a
 * program grow without bound.
 *
 * Layer: base (common/README.md) - knows nothing of chat; includes base
 * headers only.
 */
#ifndef EC_BUF_H
#define EC_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "err.h"

struct buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max; /* content never exceeds this many bytes */
};

#define BUF_MAX_DEFAULT ((size_t)64 * 1024 * 1024)

/* Prepares an empty buffer limited to `max` bytes (0 = BUF_MAX_DEFAULT). */
void buf_init(struct buf *b, size_t max);

/* Frees the content; the buffer may be buf_init()ed again. NULL is a no-op. */
void buf_release(struct buf *b);

/* Empties the buffer, keeping its memory. */
void buf_reset(struct buf *b);

/* Appends; returns ERR_TOO_LARGE (and appends nothing) past the maximum. */
enum err_code buf_append(struct buf *b, const void *data, size_t len);
enum err_code buf_puts(struct buf *b, const char *s);
enum err_code buf_putc(struct buf *b, char c);
enum err_code buf_printf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
enum err_code buf_vprintf(struct buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

/* Hands the NUL-terminated content to the caller (free() it) and leaves
 * the buffer empty. Never returns NULL. */
char *buf_detach(struct buf *b, size_t *len);

#endif
