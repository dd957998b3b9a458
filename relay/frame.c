/* frame.c - reference-counted outgoing frames with LWS_PRE headroom, and
 * a skimmer that finds top-level fields of a JSON object without parsing
 * the rest. */
#include "relay.h"

#include <libwebsockets.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"

struct frame *
frame_new(const char *json, size_t len)
{
	struct frame *f;

	f = mem_alloc(sizeof(*f) + LWS_PRE + len + 1);
	f->refs = 1;
	f->len = (unsigned)len;
	memcpy(f->data + LWS_PRE, json, len);
	f->data[LWS_PRE + len] = '\0';
	return f;
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
	f = mem_alloc(sizeof(*f) + LWS_PRE + (size_t)n + 1);
	f->refs = 1;
	f->len = (unsigned)n;
	va_start(ap, fmt);
	vsnprintf((char *)f->data + LWS_PRE, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return f;
}

unsigned char *
frame_payload(struct frame *f)
{
	return f->data + LWS_PRE;
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
	while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' ||
	    s[i] == '\r'))
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
		    s[i] != ' ' && s[i] != '\n' && s[i] != '\r' &&
		    s[i] != '\t')
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
		end = i - 1;	/* the closing quote */
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
