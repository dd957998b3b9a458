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

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct searchq sq;
	struct buf out;
	const char *why;
	char *q, *text, *plain;
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
	 * SEARCHQ_SNIPPET_MAX bytes of it, marks and entities aside. */
	plain = out.data;
	n = out.len;
	if (n >= 3 && memcmp(plain, "\xe2\x80\xa6", 3) == 0 &&
	    (size < 3 || memcmp(text, "\xe2\x80\xa6", 3) != 0)) {
		plain += 3;
		n -= 3;
	}
	n = fuzz_unsnippet(plain, n);
	if (n >= 3 && memcmp(plain + n - 3, "\xe2\x80\xa6", 3) == 0 &&
	    (size < 3 || memcmp(text + size - 3, "\xe2\x80\xa6", 3) != 0))
		n -= 3;
	assert(n <= SEARCHQ_SNIPPET_MAX || n == size);
	assert(n == 0 || memmem(text, size, plain, n) != NULL);

	buf_release(&out);
	free(text);
	free(q);
	return 0;
}
