/* frame.c - reference-counted outgoing frames that carry their complete
 * websocket header (built once, when the frame is made), and a skimmer
 * that finds top-level fields of a JSON object without parsing the rest.
 *
 * Server-to-client frames are never masked, so the bytes on the wire are
 * the same for every recipient: sessions copy whole frames into one
 * buffer and send several with one write (ws.c). */
#include "frame.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"

/* Writes the header of a final frame of f->len bytes just before the
 * payload: FIN + opcode, then a 7-bit, 16-bit or 64-bit length. */
static void
frame_seal_op(struct frame *f, int opcode)
{
	unsigned char *h;
	uint64_t n = f->len;
	int i;

	if (n < 126)
		f->hlen = 2;
	else if (n < 65536)
		f->hlen = 4;
	else
		f->hlen = 10;
	h = f->data + FRAME_HDR_MAX - f->hlen;
	h[0] = (unsigned char)(0x80 | opcode);
	if (f->hlen == 2) {
		h[1] = (unsigned char)n;
	} else if (f->hlen == 4) {
		h[1] = 126;
		h[2] = (unsigned char)(n >> 8);
		h[3] = (unsigned char)n;
	} else {
		h[1] = 127;
		for (i = 0; i < 8; i++)
			h[2 + i] = (unsigned char)(n >> (56 - 8 * i));
	}
}

static void
frame_seal(struct frame *f)
{
	frame_seal_op(f, FRAME_TEXT);
}

static struct frame *
frame_alloc(size_t len)
{
	struct frame *f;

	f = mem_alloc(sizeof(*f) + FRAME_HDR_MAX + len + 1);
	f->refs = 1;
	f->len = (unsigned)len;
	return f;
}

struct frame *
frame_new(const char *json, size_t len)
{
	struct frame *f = frame_alloc(len);

	memcpy(f->data + FRAME_HDR_MAX, json, len);
	f->data[FRAME_HDR_MAX + len] = '\0';
	frame_seal(f);
	return f;
}

struct frame *
frame_new_op(int opcode, const void *payload, size_t len)
{
	struct frame *f = frame_alloc(len);

	if (len)
		memcpy(f->data + FRAME_HDR_MAX, payload, len);
	f->data[FRAME_HDR_MAX + len] = '\0';
	frame_seal_op(f, opcode);
	return f;
}

struct frame *
frame_close(unsigned code, const char *reason)
{
	unsigned char p[125];
	size_t n = reason ? strlen(reason) : 0;

	if (n > sizeof(p) - 2)
		n = sizeof(p) - 2;
	p[0] = (unsigned char)(code >> 8);
	p[1] = (unsigned char)code;
	if (n)
		memcpy(p + 2, reason, n);
	return frame_new_op(FRAME_CLOSE, p, n + 2);
}

struct frame *
frame_printf(const char *fmt, ...)
{
	struct frame *f;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		abort();
	f = frame_alloc((size_t)n);
	va_start(ap, fmt);
	vsnprintf((char *)f->data + FRAME_HDR_MAX, (size_t)n + 1, fmt, ap);
	va_end(ap);
	frame_seal(f);
	return f;
}

unsigned char *
frame_payload(struct frame *f)
{
	return f->data + FRAME_HDR_MAX;
}

const unsigned char *
frame_wire(const struct frame *f)
{
	return f->data + FRAME_HDR_MAX - f->hlen;
}

size_t
frame_wire_len(const struct frame *f)
{
	return (size_t)f->hlen + f->len;
}

void
frame_ref(struct frame *f)
{
	f->refs++;
}

void
frame_unref(struct frame *f)
{
	if (f == NULL)
		return;
	if (--f->refs == 0)
		free(f);
}

static size_t
scan_ws(const char *s, size_t n, size_t i)
{
	while (i < n &&
	    (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
		i++;
	return i;
}

/* Index just past the string starting at s[i] == '"', or n. */
static size_t
scan_string(const char *s, size_t n, size_t i)
{
	for (i++; i < n; i++) {
		if (s[i] == '\\')
			i++;
		else if (s[i] == '"')
			return i + 1;
	}
	return n;
}

/* Index just past the value starting at s[i], or n when malformed. */
static size_t
scan_value(const char *s, size_t n, size_t i)
{
	int depth = 0;

	if (i >= n)
		return n;
	if (s[i] == '"')
		return scan_string(s, n, i);
	if (s[i] != '{' && s[i] != '[') {
		while (i < n && s[i] != ',' && s[i] != '}' && s[i] != ']' &&
		    s[i] != ' ' && s[i] != '\n' && s[i] != '\r' && s[i] != '\t')
			i++;
		return i;
	}
	for (; i < n; i++) {
		if (s[i] == '"') {
			i = scan_string(s, n, i) - 1;
		} else if (s[i] == '{' || s[i] == '[') {
			depth++;
		} else if (s[i] == '}' || s[i] == ']') {
			if (--depth == 0)
				return i + 1;
		}
	}
	return n;
}

int
frame_scan(const char *s, size_t n, const char *key, const char **val,
    size_t *vlen)
{
	size_t i, k, end, klen = strlen(key);

	i = scan_ws(s, n, 0);
	if (i >= n || s[i] != '{')
		return -1;
	i++;
	for (;;) {
		i = scan_ws(s, n, i);
		if (i >= n || s[i] != '"')
			return -1;
		k = i + 1;
		i = scan_string(s, n, i);
		if (i >= n)
			return -1;
		end = i - 1; /* the closing quote */
		i = scan_ws(s, n, i);
		if (i >= n || s[i] != ':')
			return -1;
		i = scan_ws(s, n, i + 1);
		if (end - k == klen && memcmp(s + k, key, klen) == 0) {
			*val = s + i;
			*vlen = scan_value(s, n, i) - i;
			return *vlen ? 0 : -1;
		}
		i = scan_ws(s, n, scan_value(s, n, i));
		if (i >= n || s[i] != ',')
			return -1;
		i++;
	}
}

int
frame_scan_str(const char *s, size_t n, const char *key, char *out,
    size_t outsz)
{
	const char *v;
	size_t len;

	if (frame_scan(s, n, key, &v, &len) || len < 2 || v[0] != '"' ||
	    len - 2 >= outsz)
		return -1;
	memcpy(out, v + 1, len - 2);
	out[len - 2] = '\0';
	return 0;
}

int
frame_scan_int(const char *s, size_t n, const char *key, int64_t *out)
{
	const char *v;
	size_t len, i;
	int64_t x = 0;

	if (frame_scan(s, n, key, &v, &len) || len == 0 || len > 18)
		return -1;
	for (i = 0; i < len; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -1;
		x = x * 10 + (v[i] - '0');
	}
	*out = x;
	return 0;
}
