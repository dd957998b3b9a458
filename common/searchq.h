/* searchq.h - the search query language and HTML-safe snippets (pure).
 *
 * A message search query is free words mixed with operators:
 *     from:alice in:home before:2026-01-01 after:2025-12-01 word
 * Operator names are case-insensitive; a value may be quoted
 * (in:"my room"); a repeated operator keeps its last value; anything
 * else that looks like key:value (10:30, http://x) is a word.
 *
 * Dates are UTC days: before:D finds messages created before D 00:00,
 * after:D those created on D or later.
 *
 * searchq_snippet() renders a message text for display: every character
 * HTML-escaped, the words that match the query wrapped in <mark>...</mark>
 * and nothing else, cut to a window around the first match.  A word
 * matches a query term when it equals it, starts with it (partial
 * words) or is one edit away (two for terms of 8+ bytes) - the same idea
 * of a match as the SQL side (prefix tsquery, pg_trgm), so what was
 * found is what is highlighted.  Case is folded for ASCII only.
 *
 * Layer: base (common/README.md) - knows nothing of chat; includes base
 * headers only.
 */
#ifndef EC_SEARCHQ_H
#define EC_SEARCHQ_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

#define SEARCHQ_MAX         256 /* bytes of q */
#define SEARCHQ_NAME_MAX    64  /* bytes of a from:/in: value */
#define SEARCHQ_SNIPPET_MAX 240 /* bytes of text in a snippet */

struct searchq {
	char text[SEARCHQ_MAX + 1];      /* the free words, single-spaced */
	char from[SEARCHQ_NAME_MAX + 1]; /* "" when absent */
	char in[SEARCHQ_NAME_MAX + 1];
	char before[11]; /* YYYY-MM-DD or "" */
	char after[11];
};

/* Splits q into words and operators (sq is fully overwritten).
 * ERR_VALIDATION with a sentence in *why when q is longer than
 * SEARCHQ_MAX, an operator has an empty or invalid value (from: not a
 * username, in: too long, a date that is not a real YYYY-MM-DD). */
enum err_code
searchq_parse(const char *q, struct searchq *sq, const char **why);

/* 1 when s is a real calendar date written YYYY-MM-DD (years 1000-9999). */
int searchq_date_ok(const char *s);

/* Appends the snippet of text[0..len) (valid UTF-8) for the query words
 * `words` to out.  ERR_TOO_LARGE only when out is full. */
enum err_code searchq_snippet(struct buf *out, const char *text, size_t len,
    const char *words);

#endif
