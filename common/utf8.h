/* utf8.h - UTF-8 validation, code point counting and trimming.
 *
 * The API reference counts text limits in Unicode code points after trimming
 * white space, and refuses invalid UTF-8 and U+0000.
 *
 * Layer: base (common/README.md) - knows nothing of chat; includes base
 * headers only.
 */
#ifndef EC_UTF8_H
#define EC_UTF8_H

#include <stddef.h>

/* 1 when s[0..len) is well-formed UTF-8 (no overlong forms, no surrogates,
 * nothing above U+10FFFF) and contains no U+0000; else 0. */
int utf8_valid(const char *s, size_t len);

/* Number of code points in valid UTF-8. */
size_t utf8_count(const char *s, size_t len);

/* Narrows [*s, *s + *len) to drop leading and trailing Unicode white space
 * (White_Space property).  The input must be valid UTF-8. */
void utf8_trim(const char **s, size_t *len);

/* Code points of valid UTF-8 after trimming. */
size_t utf8_trimmed_count(const char *s, size_t len);

#endif
