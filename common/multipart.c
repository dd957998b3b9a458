/* multipart.c - a bounded multipart/form-data reader over one buffer. */
#include "multipart.h"

#include <string.h>
#include <strings.h>

static int
multipart_bchar(int c)
{
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z'))
		return 1;
	return c != '\0' && strchr("'()+_,-./:=? ", c) != NULL;
}

static int
multipart_tchar(int c)
{
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z'))
		return 1;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* Copies a parameter value at s[*i..end) (quoted string or token) into
 * out (at most max bytes); advances *i.  -1 when malformed or too long. */
static int
multipart_param_value(const char *s, size_t *i, size_t end, char *out,
    size_t max)
{
	size_t n = 0, k = *i;

	if (k < end && s[k] == '"') {
		for (k++; k < end && s[k] != '"'; k++) {
			if (s[k] == '\\' && k + 1 < end)
				k++;
			if (n >= max)
				return -1;
			out[n++] = s[k];
		}
		if (k >= end)
			return -1; /* unterminated quoted string */
		k++;
	} else {
		for (; k < end && s[k] != ';' && s[k] != ' ' && s[k] != '\t';
		     k++) {
			if (n >= max)
				return -1;
			out[n++] = s[k];
		}
	}
	out[n] = '\0';
	*i = k;
	return 0;
}

static void
multipart_skip_ws(const char *s, size_t *i, size_t end)
{
	while (*i < end && (s[*i] == ' ' || s[*i] == '\t'))
		(*i)++;
}

/* Reads the "; key=value" parameters of a header value s[i..end).  For
 * each key, `cb` decides where the value goes (NULL = skip it). */
typedef char *(
    *multipart_param_cb)(void *ctx, const char *key, size_t klen, size_t *max);

static int
multipart_params(const char *s, size_t i, size_t end, multipart_param_cb cb,
    void *ctx)
{
	char skip[MULTIPART_FILENAME_MAX + 1];

	for (;;) {
		size_t kstart, klen, max;
		char *dest;

		multipart_skip_ws(s, &i, end);
		if (i == end)
			return 0;
		if (s[i] != ';')
			return -1;
		i++;
		multipart_skip_ws(s, &i, end);
		if (i == end)
			return 0; /* a trailing ';' is tolerated */
		kstart = i;
		while (i < end && multipart_tchar((unsigned char)s[i]))
			i++;
		klen = i - kstart;
		multipart_skip_ws(s, &i, end);
		if (klen == 0 || i == end || s[i] != '=')
			return -1;
		i++;
		multipart_skip_ws(s, &i, end);
		max = sizeof(skip) - 1;
		dest = cb(ctx, s + kstart, klen, &max);
		if (multipart_param_value(s, &i, end, dest ? dest : skip,
		        dest ? max : sizeof(skip) - 1) != 0)
			return -1;
	}
}

struct multipart_disp {
	struct multipart_part *part;
	int has_name;
};

static char *
multipart_disp_param(void *ctx, const char *key, size_t klen, size_t *max)
{
	struct multipart_disp *d = ctx;

	if (klen == 4 && strncasecmp(key, "name", 4) == 0) {
		d->has_name = 1;
		*max = MULTIPART_NAME_MAX;
		return d->part->name;
	}
	if (klen == 8 && strncasecmp(key, "filename", 8) == 0) {
		d->part->has_filename = 1;
		*max = MULTIPART_FILENAME_MAX;
		return d->part->filename;
	}
	return NULL;
}

/* Parses the header block s[0..len) (lines each ending in CRLF). */
static int
multipart_headers(const char *s, size_t len, struct multipart_part *part)
{
	struct multipart_disp disp = { part, 0 };
	int has_disp = 0;
	size_t i = 0;

	while (i < len) {
		const char *crlf = memmem(s + i, len - i, "\r\n", 2);
		size_t end, colon, nlen, v;

		if (crlf == NULL)
			return -1;
		end = (size_t)(crlf - s);
		for (colon = i; colon < end && s[colon] != ':'; colon++) {
			if (!multipart_tchar((unsigned char)s[colon]))
				return -1;
		}
		if (colon == end || colon == i)
			return -1;
		nlen = colon - i;
		for (v = colon + 1; v < end; v++) {
			/* No bare CR, LF or NUL inside a header line. */
			if (s[v] == '\r' || s[v] == '\n' || s[v] == '\0')
				return -1;
		}
		v = colon + 1;
		multipart_skip_ws(s, &v, end);
		if (nlen == 19 &&
		    strncasecmp(s + i, "Content-Disposition", 19) == 0) {
			size_t t = v;

			while (t < end && multipart_tchar((unsigned char)s[t]))
				t++;
			if (t - v != 9 ||
			    strncasecmp(s + v, "form-data", 9) != 0)
				return -1;
			if (multipart_params(s, t, end, multipart_disp_param,
			        &disp) != 0)
				return -1;
			has_disp = 1;
		} else if (nlen == 12 &&
		    strncasecmp(s + i, "Content-Type", 12) == 0) {
			size_t e = end;

			while (e > v && (s[e - 1] == ' ' || s[e - 1] == '\t'))
				e--;
			if (e - v > MULTIPART_TYPE_MAX)
				return -1;
			memcpy(part->content_type, s + v, e - v);
			part->content_type[e - v] = '\0';
		}
		i = end + 2;
	}
	return has_disp && disp.has_name ? 0 : -1;
}

/* 1 when body[at..) starting with "--boundary" (dlen bytes) is a real
 * delimiter line: followed by "--", or by spaces/tabs and CRLF. */
static int
multipart_is_delimiter(const char *body, size_t len, size_t at, size_t dlen)
{
	size_t p = at + dlen;

	if (p + 2 <= len && body[p] == '-' && body[p + 1] == '-')
		return 1;
	multipart_skip_ws(body, &p, len);
	return p + 2 <= len && body[p] == '\r' && body[p + 1] == '\n';
}

/* Offset of the next delimiter ("--boundary", after its CRLF) at or after
 * `from`, looking for CRLF "--boundary"; (size_t)-1 when there is none. */
static size_t
multipart_next(const char *body, size_t len, size_t from, const char *delim,
    size_t dlen)
{
	while (from < len) {
		const char *hit = memmem(body + from, len - from, delim, dlen);
		size_t at;

		if (hit == NULL)
			break;
		at = (size_t)(hit - body) + 2; /* skip the CRLF */
		if (multipart_is_delimiter(body, len, at, dlen - 2))
			return at;
		from = at;
	}
	return (size_t)-1;
}

enum err_code
multipart_parse(const char *body, size_t len, const char *boundary,
    struct multipart *mp)
{
	char delim[MULTIPART_BOUNDARY_MAX + 5];
	size_t blen, dlen, pos;

	memset(mp, 0, sizeof(*mp));
	if (body == NULL || boundary == NULL)
		return ERR_BAD_REQUEST;
	blen = strlen(boundary);
	if (blen == 0 || blen > MULTIPART_BOUNDARY_MAX)
		return ERR_BAD_REQUEST;
	/* delim = CRLF "--" boundary; the first one may lack its CRLF. */
	memcpy(delim, "\r\n--", 4);
	memcpy(delim + 4, boundary, blen);
	dlen = blen + 4;

	if (len >= dlen - 2 && memcmp(body, delim + 2, dlen - 2) == 0 &&
	    multipart_is_delimiter(body, len, 0, dlen - 2))
		pos = 0;
	else
		pos = multipart_next(body, len, 0, delim, dlen);
	if (pos == (size_t)-1)
		return ERR_BAD_REQUEST;

	for (;;) {
		struct multipart_part *part;
		const char *hdr_end;
		size_t p = pos + dlen - 2, hstart, hlen, data, next, scan;

		if (p + 2 <= len && body[p] == '-' && body[p + 1] == '-')
			return ERR_OK; /* close delimiter; epilogue ignored */
		multipart_skip_ws(body, &p, len);
		p += 2; /* the CRLF multipart_is_delimiter() saw */
		if (mp->nparts == MULTIPART_MAX_PARTS)
			return ERR_BAD_REQUEST;
		part = &mp->parts[mp->nparts];

		/* Header block: lines up to an empty line. */
		hstart = p;
		if (p + 2 <= len && body[p] == '\r' && body[p + 1] == '\n') {
			hlen = 0;
			data = p + 2;
		} else {
			scan = len - p;
			if (scan > MULTIPART_HEADER_MAX + 4)
				scan = MULTIPART_HEADER_MAX + 4;
			hdr_end = memmem(body + p, scan, "\r\n\r\n", 4);
			if (hdr_end == NULL)
				return ERR_BAD_REQUEST;
			hlen = (size_t)(hdr_end - body) + 2 - hstart;
			if (hlen > MULTIPART_HEADER_MAX)
				return ERR_BAD_REQUEST;
			data = hstart + hlen + 2;
		}
		if (multipart_headers(body + hstart, hlen, part) != 0)
			return ERR_BAD_REQUEST;

		/* Data: up to CRLF before the next delimiter. */
		next = multipart_next(body, len, data, delim, dlen);
		if (next == (size_t)-1)
			return ERR_BAD_REQUEST; /* no final delimiter */
		part->data = body + data;
		part->len = next - 2 - data;
		mp->nparts++;
		pos = next;
	}
}

enum err_code
multipart_boundary(const char *content_type,
    char out[MULTIPART_BOUNDARY_MAX + 1])
{
	size_t i = 0, end, t, n;
	int found = 0;

	out[0] = '\0';
	if (content_type == NULL)
		return ERR_BAD_REQUEST;
	end = strlen(content_type);
	multipart_skip_ws(content_type, &i, end);
	t = i;
	while (t < end && content_type[t] != ';' && content_type[t] != ' ' &&
	    content_type[t] != '\t')
		t++;
	if (t - i != 19 ||
	    strncasecmp(content_type + i, "multipart/form-data", 19) != 0)
		return ERR_BAD_REQUEST;
	/* The parameters, by hand: only "boundary" is kept. */
	i = t;
	for (;;) {
		size_t kstart, klen;
		char value[MULTIPART_BOUNDARY_MAX + 1];

		multipart_skip_ws(content_type, &i, end);
		if (i == end)
			break;
		if (content_type[i] != ';')
			return ERR_BAD_REQUEST;
		i++;
		multipart_skip_ws(content_type, &i, end);
		kstart = i;
		while (
		    i < end && multipart_tchar((unsigned char)content_type[i]))
			i++;
		klen = i - kstart;
		if (klen == 0 || i == end || content_type[i] != '=')
			return ERR_BAD_REQUEST;
		i++;
		if (multipart_param_value(content_type, &i, end, value,
		        MULTIPART_BOUNDARY_MAX) != 0)
			return ERR_BAD_REQUEST;
		if (klen == 8 &&
		    strncasecmp(content_type + kstart, "boundary", 8) == 0) {
			memcpy(out, value, strlen(value) + 1);
			found = 1;
		}
	}
	n = strlen(out);
	if (!found || n == 0 || out[n - 1] == ' ')
		return ERR_BAD_REQUEST;
	for (i = 0; i < n; i++) {
		if (!multipart_bchar((unsigned char)out[i]))
			return ERR_BAD_REQUEST;
	}
	return ERR_OK;
}

const struct multipart_part *
multipart_find(const struct multipart *mp, const char *name)
{
	size_t i;

	for (i = 0; i < mp->nparts; i++) {
		if (strcmp(mp->parts[i].name, name) == 0)
			return &mp->parts[i];
	}
	return NULL;
}
