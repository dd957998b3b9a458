/* utf8.c - UTF-8 validation, code point counting and trimming. */
#include "utf8.h"

#include <stdint.h>

/* Decodes one code point at s (at most `len` bytes); returns its length in
 * bytes, or 0 when the sequence is malformed. */
static size_t
utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
	size_t n, i;
	uint32_t c;

	if (len == 0)
		return 0;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	} else if ((s[0] & 0xe0) == 0xc0) {
		n = 2;
		c = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3;
		c = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4;
		c = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if ((n == 2 && c < 0x80) || (n == 3 && c < 0x800) ||
	    (n == 4 && c < 0x10000) || c > 0x10ffff ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

int
utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t cp;
	size_t n;

	while (len) {
		n = utf8_decode(p, len, &cp);
		if (n == 0 || cp == 0)
			return 0;
		p += n;
		len -= n;
	}
	return 1;
}

size_t
utf8_count(const char *s, size_t len)
{
	size_t i, count = 0;

	for (i = 0; i < len; i++) {
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			count++;
	}
	return count;
}

static int
utf8_is_space(uint32_t c)
{
	return (c >= 0x09 && c <= 0x0d) || c == 0x20 || c == 0x85 ||
	    c == 0xa0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200a) ||
	    c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f ||
	    c == 0x3000;
}

void
utf8_trim(const char **s, size_t *len)
{
	const unsigned char *p = (const unsigned char *)*s;
	size_t n = *len, k;
	uint32_t cp;

	while (n) {
		k = utf8_decode(p, n, &cp);
		if (k == 0 || !utf8_is_space(cp))
			break;
		p += k;
		n -= k;
	}
	while (n) {
		/* Step back to the start of the last code point. */
		k = 1;
		while (k < n && k < 4 && (p[n - k] & 0xc0) == 0x80)
			k++;
		if (utf8_decode(p + n - k, k, &cp) != k || !utf8_is_space(cp))
			break;
		n -= k;
	}
	*s = (const char *)p;
	*len = n;
}

size_t
utf8_trimmed_count(const char *s, size_t len)
{
	utf8_trim(&s, &len);
	return utf8_count(s, len);
}
