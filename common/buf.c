/* buf.c - a growable byte buffer with a hard maximum, always NUL-terminated. */
#include "buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"

static char buf_empty[1];

void
buf_init(struct buf *b, size_t max)
{
	b->data = buf_empty;
	b->len = 0;
	b->cap = 0;
	b->max = max ? max : BUF_MAX_DEFAULT;
}

void
buf_release(struct buf *b)
{
	if (b == NULL)
		return;
	if (b->cap)
		free(b->data);
	buf_init(b, b->max);
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	b->data[0] = '\0';
}

/* Makes room for `extra` more bytes plus the NUL. */
static enum err_code
buf_grow(struct buf *b, size_t extra)
{
	size_t need, cap;

	if (extra > b->max || b->len > b->max - extra)
		return ERR_TOO_LARGE;
	need = b->len + extra + 1;
	if (need <= b->cap)
		return ERR_OK;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap *= 2;
	if (b->cap == 0) {
		b->data = mem_alloc(cap);
		b->data[0] = '\0';
	} else {
		b->data = mem_realloc(b->data, cap);
	}
	b->cap = cap;
	return ERR_OK;
}

enum err_code
buf_append(struct buf *b, const void *data, size_t len)
{
	enum err_code rc;

	rc = buf_grow(b, len);
	if (rc)
		return rc;
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return ERR_OK;
}

enum err_code
buf_puts(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

enum err_code
buf_putc(struct buf *b, char c)
{
	return buf_append(b, &c, 1);
}

enum err_code
buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list copy;
	enum err_code rc;
	int n;

	va_copy(copy, ap);
	n = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (n < 0)
		return ERR_INTERNAL;
	rc = buf_grow(b, (size_t)n);
	if (rc)
		return rc;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return ERR_OK;
}

enum err_code
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	enum err_code rc;

	va_start(ap, fmt);
	rc = buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

char *
buf_detach(struct buf *b, size_t *len)
{
	char *p;

	if (len)
		*len = b->len;
	if (b->cap == 0)
		p = mem_strdup("");
	else
		p = b->data;
	buf_init(b, b->max);
	return p;
}
