/* test_searchq.c - the search operators and snippets. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "searchq.h"

static void
test_operators(void **state)
{
	struct searchq sq;
	const char *why;

	(void)state;
	assert_int_equal(searchq_parse("from:alice in:home before:2026-01-01 "
	                               "after:2025-12-01 word",
	                     &sq, &why),
	    ERR_OK);
	assert_string_equal(sq.text, "word");
	assert_string_equal(sq.from, "alice");
	assert_string_equal(sq.in, "home");
	assert_string_equal(sq.before, "2026-01-01");
	assert_string_equal(sq.after, "2025-12-01");

	/* Mixed order, case-insensitive keys, quoted values, last wins. */
	assert_int_equal(searchq_parse("  Hello FROM:Bob_1  in:\"my room\" "
	                               "there\tIN:other from:carol-2 ",
	                     &sq, &why),
	    ERR_OK);
	assert_string_equal(sq.text, "Hello there");
	assert_string_equal(sq.from, "carol-2");
	assert_string_equal(sq.in, "other");
	assert_string_equal(sq.before, "");

	assert_int_equal(searchq_parse("in:\"my room\" x", &sq, &why), ERR_OK);
	assert_string_equal(sq.in, "my room");
	assert_string_equal(sq.text, "x");
	/* An unterminated quote takes the rest. */
	assert_int_equal(searchq_parse("in:\"a b", &sq, &why), ERR_OK);
	assert_string_equal(sq.in, "a b");
	assert_string_equal(sq.text, "");
}

static void
test_not_operators(void **state)
{
	struct searchq sq;
	const char *why;

	(void)state;
	assert_int_equal(searchq_parse("meet at 10:30 http://x.org "
	                               "to:bob :in fromx:y",
	                     &sq, &why),
	    ERR_OK);
	assert_string_equal(sq.text,
	    "meet at 10:30 http://x.org to:bob :in fromx:y");
	assert_string_equal(sq.from, "");
	assert_string_equal(sq.in, "");
	assert_int_equal(searchq_parse("", &sq, &why), ERR_OK);
	assert_string_equal(sq.text, "");
	assert_int_equal(searchq_parse(NULL, &sq, &why), ERR_OK);
	assert_int_equal(searchq_parse("<script>alert(1)</script>", &sq, &why),
	    ERR_OK);
	assert_string_equal(sq.text, "<script>alert(1)</script>");
}

static void
test_invalid(void **state)
{
	static const char *const bad[] = {
		"from:",
		"in:",
		"in:\"\"",
		"before:",
		"before:2026-13-01",
		"after:2026-02-30",
		"after:2025-2-1",
		"before:yesterday",
		"from:al'ice",
		"from:a;b",
		"before:2026-01-011",
		"in:"
		"12345678901234567890123456789012345678901234567890123456789012"
		"345",
	};
	struct searchq sq;
	const char *why;
	char longq[SEARCHQ_MAX + 2];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(searchq_parse(bad[i], &sq, &why),
		    ERR_VALIDATION);
		assert_non_null(why);
	}
	memset(longq, 'a', sizeof(longq) - 1);
	longq[sizeof(longq) - 1] = '\0';
	assert_int_equal(searchq_parse(longq, &sq, &why), ERR_VALIDATION);
	longq[SEARCHQ_MAX] = '\0';
	assert_int_equal(searchq_parse(longq, &sq, &why), ERR_OK);
	assert_int_equal(strlen(sq.text), SEARCHQ_MAX);
}

static void
test_dates(void **state)
{
	(void)state;
	assert_true(searchq_date_ok("2024-02-29"));
	assert_false(searchq_date_ok("2023-02-29"));
	assert_false(searchq_date_ok("1900-02-29"));
	assert_true(searchq_date_ok("2000-02-29"));
	assert_true(searchq_date_ok("2025-12-31"));
	assert_false(searchq_date_ok("2025-12-32"));
	assert_false(searchq_date_ok("2025-00-10"));
	assert_false(searchq_date_ok("0999-01-01"));
	assert_false(searchq_date_ok("2025/01/01"));
	assert_false(searchq_date_ok(NULL));
}

static char *
snippet(const char *text, const char *words)
{
	struct buf b;

	buf_init(&b, 0);
	assert_int_equal(searchq_snippet(&b, text, strlen(text), words),
	    ERR_OK);
	return buf_detach(&b, NULL);
}

static void
test_snippet_escapes_everything(void **state)
{
	char *s;

	(void)state;
	s = snippet("<script>alert('x')</script> & \"meeting\"", "meeting");
	assert_string_equal(s,
	    "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; "
	    "&amp; &quot;<mark>meeting</mark>&quot;");
	free(s);
	/* Searching for "script" marks the word, never the markup. */
	s = snippet("<script>x</script>", "script");
	assert_string_equal(s,
	    "&lt;<mark>script</mark>&gt;x&lt;/"
	    "<mark>script</mark>&gt;");
	free(s);
	/* Entity-like words in the query do not reach inside entities. */
	s = snippet("a < b && c", "lt amp");
	assert_string_equal(s, "a &lt; b &amp;&amp; c");
	free(s);
	s = snippet("no match here", "zebra");
	assert_string_equal(s, "no match here");
	free(s);
}

static void
test_snippet_matches(void **state)
{
	char *s;

	(void)state;
	/* Case, prefixes (partial words), one typo, a transposition. */
	s = snippet("The Meeting moved; meetings later", "meet");
	assert_string_equal(s,
	    "The <mark>Meeting</mark> moved; "
	    "<mark>meetings</mark> later");
	free(s);
	s = snippet("project meeting tomorrow", "meetnig projct");
	assert_string_equal(s,
	    "<mark>project</mark> <mark>meeting</mark> "
	    "tomorrow");
	free(s);
	/* Short terms need exact or prefix matches. */
	s = snippet("cat cut cot", "cat");
	assert_string_equal(s, "<mark>cat</mark> cut cot");
	free(s);
	s = snippet("caf\xc3\xa9 cr\xc3\xa8me", "cr\xc3\xa8me");
	assert_string_equal(s, "caf\xc3\xa9 <mark>cr\xc3\xa8me</mark>");
	free(s);
}

static void
test_snippet_window(void **state)
{
	char text[2000];
	char *s;
	size_t n;

	(void)state;
	memset(text, 0, sizeof(text));
	for (n = 0; n < 1000; n += 10)
		memcpy(text + n, "blah blah ", 10);
	memcpy(text + 600, "needle    ", 10);
	/* A multi-byte character right where the window might cut. */
	memcpy(text + 900, "\xc3\xa9\xc3\xa9\xc3\xa9", 6);
	s = snippet(text, "needle");
	assert_non_null(strstr(s, "<mark>needle</mark>"));
	assert_memory_equal(s, "\xe2\x80\xa6", 3);
	assert_memory_equal(s + strlen(s) - 3, "\xe2\x80\xa6", 3);
	assert_true(strlen(s) <= SEARCHQ_SNIPPET_MAX + 6 + 13);
	free(s);
	/* Long text, match at the start: no leading ellipsis. */
	s = snippet(text, "blah");
	assert_memory_equal(s, "<mark>blah</mark>", 17);
	free(s);
}

/* Issue 11 item 1: the word-boundary step moved the window's start
 * forward after it had been clamped to len - SEARCHQ_SNIPPET_MAX, so the
 * window ended past the text and up to 16 bytes of heap were copied into
 * the snippet.  The text sits in a heap block of exactly its length (no
 * NUL after it), so ASan sees any read past the end. */
static void
test_snippet_window_at_end(void **state)
{
	static const size_t lens[] = { 1775, 214 };
	const size_t len = 2000;
	char *text = malloc(len);
	char *s;
	size_t n = 0;

	(void)state;
	assert_non_null(text);
	memset(text + n, 'a', lens[0]);
	n += lens[0];
	text[n++] = ' ';
	memset(text + n, 'c', lens[1]);
	n += lens[1];
	memcpy(text + n, " zebra2000", 10);
	n += 10;
	assert_int_equal(n, len);

	{
		struct buf b;

		buf_init(&b, 0);
		assert_int_equal(searchq_snippet(&b, text, len, "zebra2000"),
		    ERR_OK);
		s = buf_detach(&b, NULL);
	}
	/* The window is the last bytes of the text, whole, and nothing
	 * after them. */
	assert_memory_equal(s, "\xe2\x80\xa6", 3);
	assert_non_null(strstr(s, "<mark>zebra2000</mark>"));
	assert_string_equal(s + strlen(s) - strlen(" <mark>zebra2000</mark>"),
	    " <mark>zebra2000</mark>");
	assert_true(strlen(s) <= 3 + SEARCHQ_SNIPPET_MAX + 13);
	free(s);
	free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_operators),
		cmocka_unit_test(test_not_operators),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_snippet_escapes_everything),
		cmocka_unit_test(test_snippet_matches),
		cmocka_unit_test(test_snippet_window),
		cmocka_unit_test(test_snippet_window_at_end),
	};

	return cmocka_run_group_tests_name("searchq", tests, NULL, NULL);
}
