/* fuzz_searchq.c - the search query parser and the snippet builder. */
#include <assert.h>
#include <string.h>

#include "fuzz.h"
#include "searchq.h"

/* Undoes what the snippet adds (ellipses, <mark> tags, the five entities)
 * in place; returns the new length. */
static size_t
fuzz_unsnippet(char *s, size_t n)
{
	static const struct {
		const char *from, *to;
	} subs[] = {
		{ "<mark>", "" },
		{ "</mark>", "" },
		{ "&amp;", "&" },
		{ "&lt;", "<" },
		{ "&gt;", ">" },
		{ "&quot;", "\"" },
		{ "&#39;", "'" },
	};
	size_t i, o = 0, k;

	for (i = 0; i < n;) {
		for (k = 0; k < sizeof(subs) / sizeof(subs[0]); k++) {
			size_t fl = strlen(subs[k].from);

			if (n - i >= fl && memcmp(s + i, subs[k].from, fl) == 0)
				break;
		}
		if (k < sizeof(subs) / sizeof(subs[0])) {
			size_t tl = strlen(subs[k].to);

			memcpy(s + o, subs[k].to, tl);
			o += tl;
			i += strlen(subs[k].from);
		} else {
			s[o++] = s[i++];
		}
	}
	return o;
}

/* 1 when s[0..n), without a leading and/or trailing U+2026 that the
 * snippet may have added, is a piece of text[0..size) of at most
 * SEARCHQ_SNIPPET_MAX bytes (or the whole text). */
static int
fuzz_piece(const char *text, size_t size, const char *s, size_t n)
{
	static const char ell[] = "\xe2\x80\xa6";
	int lead, trail;

	for (lead = 0; lead < 2; lead++) {
		for (trail = 0; trail < 2; trail++) {
			const char *p = s + (lead ? 3 : 0);
			size_t m = n;

			if ((size_t)(lead + trail) * 3 > n)
				continue;
			if (lead && memcmp(s, ell, 3) != 0)
				continue;
			if (trail && memcmp(s + n - 3, ell, 3) != 0)
				continue;
			m -= (size_t)(lead + trail) * 3;
			if ((m <= SEARCHQ_SNIPPET_MAX || m == size) &&
			    (m == 0 || memmem(text, size, p, m) != NULL))
				return 1;
		}
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct searchq sq;
	struct buf out;
	const char *why;
	char *q, *text;
	size_t qlen, n;
	enum err_code rc;

	/* The query up to the first NUL (it is a C string), the message
	 * text after it. */
	q = fuzz_field(&data, &size, '\0', &qlen);
	text = fuzz_copy(data, size);

	rc = searchq_parse(q, &sq, &why);
	assert((rc == ERR_OK) == (why == NULL));
	if (rc == ERR_OK) {
		assert(strlen(sq.text) <= SEARCHQ_MAX);
		assert(sq.before[0] == '\0' || searchq_date_ok(sq.before));
		assert(sq.after[0] == '\0' || searchq_date_ok(sq.after));
	}

	buf_init(&out, 0);
	rc = searchq_snippet(&out, text, size, rc == ERR_OK ? sq.text : q);
	assert(rc == ERR_OK);
	/* What the snippet shows is a piece of the text, at most
	 * SEARCHQ_SNIPPET_MAX bytes of it, once the marks and entities are
	 * undone and the ellipses it added taken off (the text may have
	 * its own at either end: every reading is tried). */
	n = fuzz_unsnippet(out.data, out.len);
	assert(fuzz_piece(text, size, out.data, n));
	buf_release(&out);
	free(text);
	free(q);
	return 0;
}
