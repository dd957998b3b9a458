/* searchq.c - the search query language and HTML-safe snippets. */
#include "searchq.h"

#include <assert.h>
#include <string.h>
#include <strings.h>

#define SEARCHQ_TERMS    16
#define SEARCHQ_TERM_MAX 64
#define SEARCHQ_LEAD     60 /* bytes shown before the first match */

static int
searchq_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	    c == '\v';
}

/* Word characters: ASCII letters and digits, '_', and every byte of a
 * non-ASCII character (so words in any script stay whole). */
static int
searchq_wordc(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

static int
searchq_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

int
searchq_date_ok(const char *s)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
		31 };
	int i, y, m, d, max;

	if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	for (i = 0; i < 10; i++) {
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return 0;
	}
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
	    (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (y < 1000 || m < 1 || m > 12 || d < 1)
		return 0;
	max = days[m - 1];
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		max = 29;
	return d <= max;
}

/* Copies s[0..n) into out (cap bytes with its NUL); -1 if too long. */
static int
searchq_copy(char *out, size_t cap, const char *s, size_t n)
{
	if (n >= cap)
		return -1;
	memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}

/* Handles one key:value token; 1 = it was an operator, 0 = a word,
 * -1 = an invalid operator value (*why set). */
static int
searchq_operator(struct searchq *sq, const char *key, size_t klen,
    const char *v, size_t vlen, const char **why)
{
	char *dest;
	size_t cap, i;

	if (klen == 4 && strncasecmp(key, "from", 4) == 0) {
		dest = sq->from;
		cap = sizeof(sq->from);
	} else if (klen == 2 && strncasecmp(key, "in", 2) == 0) {
		dest = sq->in;
		cap = sizeof(sq->in);
	} else if (klen == 6 && strncasecmp(key, "before", 6) == 0) {
		dest = sq->before;
		cap = sizeof(sq->before);
	} else if (klen == 5 && strncasecmp(key, "after", 5) == 0) {
		dest = sq->after;
		cap = sizeof(sq->after);
	} else {
		return 0;
	}
	if (vlen == 0) {
		*why = "An operator needs a value, e.g. from:alice.";
		return -1;
	}
	if (searchq_copy(dest, cap, v, vlen) != 0) {
		*why = dest == sq->before || dest == sq->after
		    ? "Dates are written YYYY-MM-DD."
		    : "An operator value is too long.";
		return -1;
	}
	if (dest == sq->from) {
		for (i = 0; i < vlen; i++) {
			if (!((v[i] >= '0' && v[i] <= '9') ||
			        (v[i] >= 'a' && v[i] <= 'z') ||
			        (v[i] >= 'A' && v[i] <= 'Z') || v[i] == '_' ||
			        v[i] == '-')) {
				*why = "from: takes a username.";
				return -1;
			}
		}
	}
	if ((dest == sq->before || dest == sq->after) &&
	    !searchq_date_ok(dest)) {
		*why = "Dates are written YYYY-MM-DD.";
		return -1;
	}
	return 1;
}

enum err_code
searchq_parse(const char *q, struct searchq *sq, const char **why)
{
	size_t i = 0, n, tlen = 0;

	memset(sq, 0, sizeof(*sq));
	*why = NULL;
	n = q ? strlen(q) : 0;
	if (n > SEARCHQ_MAX) {
		*why = "The query is too long.";
		return ERR_VALIDATION;
	}
	while (i < n) {
		size_t start, colon, vstart, vend, next;
		int op = 0;

		while (i < n && searchq_space((unsigned char)q[i]))
			i++;
		if (i == n)
			break;
		start = i;
		/* A key is letters only, right before a ':'. */
		for (colon = i; colon < n &&
		     ((q[colon] >= 'a' && q[colon] <= 'z') ||
		         (q[colon] >= 'A' && q[colon] <= 'Z'));
		     colon++)
			;
		if (colon > start && colon < n && q[colon] == ':') {
			vstart = colon + 1;
			if (vstart < n && q[vstart] == '"') {
				const char *close = memchr(q + vstart + 1, '"',
				    n - vstart - 1);

				vstart++;
				vend = close ? (size_t)(close - q) : n;
				next = close ? vend + 1 : n;
			} else {
				for (vend = vstart; vend < n &&
				     !searchq_space((unsigned char)q[vend]);
				     vend++)
					;
				next = vend;
			}
			op = searchq_operator(sq, q + start, colon - start,
			    q + vstart, vend - vstart, why);
			if (op < 0) {
				memset(sq, 0, sizeof(*sq));
				return ERR_VALIDATION;
			}
			if (op > 0) {
				i = next;
				continue;
			}
		}
		/* A word: up to the next space. */
		for (i = start; i < n && !searchq_space((unsigned char)q[i]);
		     i++)
			;
		if (tlen > 0)
			sq->text[tlen++] = ' ';
		memcpy(sq->text + tlen, q + start, i - start);
		tlen += i - start;
		sq->text[tlen] = '\0';
	}
	return ERR_OK;
}

/* Damerau-Levenshtein (optimal string alignment) distance of a and b,
 * giving up (returning limit + 1) once it must exceed limit. */
static size_t
searchq_distance(const char *a, size_t an, const char *b, size_t bn,
    size_t limit)
{
	size_t prev2[SEARCHQ_TERM_MAX + 1], prev[SEARCHQ_TERM_MAX + 1];
	size_t cur[SEARCHQ_TERM_MAX + 1];
	size_t i, j;

	if (an > SEARCHQ_TERM_MAX || bn > SEARCHQ_TERM_MAX)
		return limit + 1;
	if ((an > bn ? an - bn : bn - an) > limit)
		return limit + 1;
	for (j = 0; j <= bn; j++)
		prev[j] = j;
	memset(prev2, 0, sizeof(prev2));
	for (i = 1; i <= an; i++) {
		size_t best;

		cur[0] = i;
		best = cur[0];
		for (j = 1; j <= bn; j++) {
			size_t cost = searchq_lower((unsigned char)a[i - 1]) ==
			        searchq_lower((unsigned char)b[j - 1])
			    ? 0
			    : 1;
			size_t v = prev[j] + 1;

			if (cur[j - 1] + 1 < v)
				v = cur[j - 1] + 1;
			if (prev[j - 1] + cost < v)
				v = prev[j - 1] + cost;
			if (i > 1 && j > 1 &&
			    searchq_lower((unsigned char)a[i - 1]) ==
			        searchq_lower((unsigned char)b[j - 2]) &&
			    searchq_lower((unsigned char)a[i - 2]) ==
			        searchq_lower((unsigned char)b[j - 1]) &&
			    prev2[j - 2] + 1 < v)
				v = prev2[j - 2] + 1;
			cur[j] = v;
			if (v < best)
				best = v;
		}
		if (best > limit)
			return limit + 1;
		memcpy(prev2, prev, sizeof(prev));
		memcpy(prev, cur, sizeof(cur));
	}
	return prev[bn];
}

struct searchq_terms {
	const char *t[SEARCHQ_TERMS];
	size_t n[SEARCHQ_TERMS];
	size_t count;
};

static void
searchq_split(const char *words, struct searchq_terms *terms)
{
	size_t i = 0, n = words ? strlen(words) : 0;

	terms->count = 0;
	while (i < n && terms->count < SEARCHQ_TERMS) {
		size_t start;

		while (i < n && !searchq_wordc((unsigned char)words[i]))
			i++;
		start = i;
		while (i < n && searchq_wordc((unsigned char)words[i]))
			i++;
		if (i > start && i - start <= SEARCHQ_TERM_MAX) {
			terms->t[terms->count] = words + start;
			terms->n[terms->count++] = i - start;
		}
	}
}

/* 1 when the word w[0..wn) matches one of the terms. */
static int
searchq_matches(const struct searchq_terms *terms, const char *w, size_t wn)
{
	size_t k, i;

	for (k = 0; k < terms->count; k++) {
		const char *t = terms->t[k];
		size_t tn = terms->n[k], limit;

		if (tn <= wn) {
			for (i = 0; i < tn; i++) {
				if (searchq_lower((unsigned char)t[i]) !=
				    searchq_lower((unsigned char)w[i]))
					break;
			}
			if (i == tn)
				return 1; /* equal or a prefix */
		}
		if (tn < 4 || wn < 3)
			continue;
		limit = tn >= 8 ? 2 : 1;
		if (searchq_distance(t, tn, w, wn, limit) <= limit)
			return 1;
		/* A misspelt start of a longer word ("meetnig" in
		 * "meetings"). */
		if (wn > tn && searchq_distance(t, tn, w, tn, limit) <= limit)
			return 1;
	}
	return 0;
}

static enum err_code
searchq_escape(struct buf *out, const char *s, size_t n)
{
	enum err_code rc = ERR_OK;
	size_t i, run = 0;

	for (i = 0; i < n && rc == ERR_OK; i++) {
		const char *ent = NULL;

		switch (s[i]) {
		case '&':
			ent = "&amp;";
			break;
		case '<':
			ent = "&lt;";
			break;
		case '>':
			ent = "&gt;";
			break;
		case '"':
			ent = "&quot;";
			break;
		case '\'':
			ent = "&#39;";
			break;
		default:
			break;
		}
		if (ent == NULL)
			continue;
		rc = buf_append(out, s + run, i - run);
		if (rc == ERR_OK)
			rc = buf_puts(out, ent);
		run = i + 1;
	}
	if (rc == ERR_OK)
		rc = buf_append(out, s + run, n - run);
	return rc;
}

/* Moves a byte offset back to the start of its UTF-8 character; an
 * offset at or past the end becomes len, so the result is always a
 * valid end of s. */
static size_t
searchq_char_start(const char *s, size_t len, size_t at)
{
	if (at >= len)
		return len;
	while (at > 0 && ((unsigned char)s[at] & 0xc0) == 0x80)
		at--;
	return at;
}

enum err_code
searchq_snippet(struct buf *out, const char *text, size_t len,
    const char *words)
{
	struct searchq_terms terms;
	size_t i, start = 0, end = len, first = (size_t)-1;
	enum err_code rc = ERR_OK;

	searchq_split(words, &terms);
	/* The first match decides the window. */
	for (i = 0; i < len && first == (size_t)-1;) {
		size_t w = i;

		while (i < len && searchq_wordc((unsigned char)text[i]))
			i++;
		if (i > w && searchq_matches(&terms, text + w, i - w))
			first = w;
		while (i < len && !searchq_wordc((unsigned char)text[i]))
			i++;
	}
	if (len > SEARCHQ_SNIPPET_MAX) {
		if (first != (size_t)-1 && first > SEARCHQ_LEAD)
			start = first - SEARCHQ_LEAD;
		if (start + SEARCHQ_SNIPPET_MAX > len)
			start = len - SEARCHQ_SNIPPET_MAX;
		start = searchq_char_start(text, len, start);
		/* Start at a word boundary when there is one close by. */
		for (i = start; start > 0 && i < start + 16 && i < len; i++) {
			if (searchq_space((unsigned char)text[i])) {
				start = i + 1;
				break;
			}
		}
		/* The step above may have moved start into the last
		 * SEARCHQ_SNIPPET_MAX bytes: the window then ends with the
		 * text (issue 11 item 1), never past it. */
		end = searchq_char_start(text, len,
		    start + SEARCHQ_SNIPPET_MAX);
	}
	assert(start <= end && end <= len);
	if (start > 0)
		rc = buf_puts(out, "\xe2\x80\xa6"); /* U+2026 */
	for (i = start; i < end && rc == ERR_OK;) {
		size_t w = i;

		while (i < end && searchq_wordc((unsigned char)text[i]))
			i++;
		if (i > w) {
			/* A word cut by the window is matched whole. */
			size_t we = i;
			int hit;

			while (
			    we < len && searchq_wordc((unsigned char)text[we]))
				we++;
			hit = searchq_matches(&terms, text + w, we - w);
			if (hit)
				rc = buf_puts(out, "<mark>");
			if (rc == ERR_OK)
				rc = searchq_escape(out, text + w, i - w);
			if (hit && rc == ERR_OK)
				rc = buf_puts(out, "</mark>");
		}
		w = i;
		while (i < end && !searchq_wordc((unsigned char)text[i]))
			i++;
		if (rc == ERR_OK)
			rc = searchq_escape(out, text + w, i - w);
	}
	if (rc == ERR_OK && end < len)
		rc = buf_puts(out, "\xe2\x80\xa6");
	return rc;
}
