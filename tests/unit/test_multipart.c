/* test_multipart.c - the bounded multipart/form-data reader. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "multipart.h"

#define B "XyZzy-42"

static const char good[] =
    "--" B "\r\n"
    "Content-Disposition: form-data; name=\"crop_x\"\r\n"
    "\r\n"
    "10\r\n"
    "--" B "\r\n"
    "Content-Disposition: form-data; name=\"file\"; filename=\"a b.png\"\r\n"
    "Content-Type: image/png\r\n"
    "\r\n"
    "\x89PNG\r\n\x1a\n\0data\r\n"
    "--" B "--\r\n";

/* Parses an exact-size heap copy, so ASan sees any read past the end. */
static enum err_code
parse_copy(const char *body, size_t len, const char *boundary,
    struct multipart *mp, char **copy)
{
	*copy = malloc(len ? len : 1);
	memcpy(*copy, body, len);
	return multipart_parse(*copy, len, boundary, mp);
}

static void
test_good_body(void **state)
{
	struct multipart mp;
	const struct multipart_part *p;
	char *copy;

	(void)state;
	assert_int_equal(parse_copy(good, sizeof(good) - 1, B, &mp, &copy),
	    ERR_OK);
	assert_int_equal(mp.nparts, 2);
	p = multipart_find(&mp, "crop_x");
	assert_non_null(p);
	assert_int_equal(p->len, 2);
	assert_memory_equal(p->data, "10", 2);
	assert_false(p->has_filename);
	p = multipart_find(&mp, "file");
	assert_non_null(p);
	assert_true(p->has_filename);
	assert_string_equal(p->filename, "a b.png");
	assert_string_equal(p->content_type, "image/png");
	assert_int_equal(p->len, 13);
	assert_memory_equal(p->data, "\x89PNG\r\n\x1a\n\0data", 13);
	assert_null(multipart_find(&mp, "nope"));
	free(copy);
}

/* Every truncation of a valid body before its close delimiter is
 * refused; the body cut right after "--B--" is complete. */
static void
test_truncated_anywhere(void **state)
{
	const char *end = memmem(good, sizeof(good) - 1, "--" B "--",
	    strlen("--" B "--"));
	size_t full = (size_t)(end - good) + strlen("--" B "--"), k;
	struct multipart mp;
	char *copy;

	(void)state;
	for (k = 0; k < full; k++) {
		assert_int_equal(parse_copy(good, k, B, &mp, &copy),
		    ERR_BAD_REQUEST);
		free(copy);
	}
	for (k = full; k < sizeof(good); k++) {
		assert_int_equal(parse_copy(good, k, B, &mp, &copy), ERR_OK);
		assert_int_equal(mp.nparts, 2);
		free(copy);
	}
}

/* The boundary placed at every offset of a part's data, without the
 * CRLF-- prefix or with a suffix that makes it no delimiter, is data. */
static void
test_boundary_like_text_in_data(void **state)
{
	static const char *const fakes[] = {
		"--" B,
		"\r\n--" B "x",
		"\r\n--" B "\r",
		"\n--" B "\r\n",
		"\r\n-" B "\r\n",
		"\r\n--XyZzy-4\r\n",
		"--" B "--",
	};
	char data[64], body[512];
	struct multipart mp;
	size_t f, off, n;
	char *copy;

	(void)state;
	for (f = 0; f < sizeof(fakes) / sizeof(fakes[0]); f++) {
		for (off = 0; off <= 8; off++) {
			memset(data, 'a', sizeof(data));
			memcpy(data + off, fakes[f], strlen(fakes[f]));
			n = off + strlen(fakes[f]) + 3;
			snprintf(body, sizeof(body),
			    "--" B "\r\n"
			    "Content-Disposition: form-data; name=\"f\"\r\n\r\n"
			    "%.*s\r\n--" B "--",
			    (int)n, data);
			assert_int_equal(parse_copy(body, strlen(body), B, &mp,
			                     &copy),
			    ERR_OK);
			assert_int_equal(mp.nparts, 1);
			assert_int_equal(mp.parts[0].len, n);
			assert_memory_equal(mp.parts[0].data, data, n);
			free(copy);
		}
	}
}

static void
test_preamble_epilogue_padding(void **state)
{
	static const char body[] = "This is a preamble --" B
	                           " not a delimiter\r\n"
	                           "--" B " \t\r\n"
	                           "content-disposition: FORM-DATA;name=plain "
	                           "; filename=\"q\\\"x\"\r\n"
	                           "\r\n"
	                           "\r\n" /* the data is one CRLF */
	                           "\r\n--" B "--  epilogue\r\n--" B
	                           "\r\nignored";
	struct multipart mp;
	char *copy;

	(void)state;
	assert_int_equal(parse_copy(body, sizeof(body) - 1, B, &mp, &copy),
	    ERR_OK);
	assert_int_equal(mp.nparts, 1);
	assert_string_equal(mp.parts[0].name, "plain");
	assert_string_equal(mp.parts[0].filename, "q\"x");
	assert_int_equal(mp.parts[0].len, 2);
	assert_memory_equal(mp.parts[0].data, "\r\n", 2);
	free(copy);
}

static void
test_empty_data_and_no_parts(void **state)
{
	static const char empty[] =
	    "--" B "\r\n"
	    "Content-Disposition: form-data; name=\"e\"\r\n\r\n\r\n--" B "--";
	static const char none[] = "--" B "--\r\n";
	/* A first line that is not a delimiter is preamble. */
	static const char pre[] = "--" B "x\r\nContent-Disposition: form-data;"
	                          " name=a\r\n\r\nx\r\n--" B "--";
	struct multipart mp;
	char *copy;

	(void)state;
	assert_int_equal(parse_copy(empty, sizeof(empty) - 1, B, &mp, &copy),
	    ERR_OK);
	assert_int_equal(mp.nparts, 1);
	assert_int_equal(mp.parts[0].len, 0);
	free(copy);
	assert_int_equal(parse_copy(none, sizeof(none) - 1, B, &mp, &copy),
	    ERR_OK);
	assert_int_equal(mp.nparts, 0);
	free(copy);
	assert_int_equal(parse_copy(pre, sizeof(pre) - 1, B, &mp, &copy),
	    ERR_OK);
	assert_int_equal(mp.nparts, 0);
	free(copy);
}

static void
test_malformed(void **state)
{
	/* One case per line: clang-format 14 splits these strings
	 * differently on every run. */
	/* clang-format off */
	static const char *const bad[] = {
		"",
		"no delimiter at all",
		/* missing final delimiter */
		"--" B "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx",
		"--" B "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n--" B,
		/* no empty line after the headers */
		"--" B "\r\nContent-Disposition: form-data; name=\"a\"\r\n--" B "--",
		/* no Content-Disposition, or not form-data, or no name */
		"--" B "\r\nContent-Type: text/plain\r\n\r\nx\r\n--" B "--",
		"--" B "\r\n\r\nx\r\n--" B "--",
		"--" B "\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nx\r\n--" B "--",
		"--" B "\r\nContent-Disposition: form-data; filename=\"a\"\r\n\r\nx\r\n--" B "--",
		/* unterminated quote, bad parameter syntax */
		"--" B "\r\nContent-Disposition: form-data; name=\"a\r\n\r\nx\r\n--" B "--",
		"--" B "\r\nContent-Disposition: form-data; name\r\n\r\nx\r\n--" B "--",
		"--" B "\r\nContent-Disposition: form-data name=a\r\n\r\nx\r\n--" B "--",
		/* header line without a colon, bare LF inside a header */
		"--" B "\r\nContent-Disposition form-data\r\n\r\nx\r\n--" B "--",
		"--" B "\r\nContent-Disposition: form-data; name=a\nX: y\r\n\r\nx\r\n--" B "--",
		/* LF-only line ends */
		"--" B "\nContent-Disposition: form-data; name=a\n\nx\n--" B "--",
		/* garbage after a delimiter: that line is data, no close */
		"--" B "\r\nContent-Disposition: form-data; name=a\r\n\r\nx\r\n--" B "x\r\n",
	};
	/* clang-format on */
	struct multipart mp;
	size_t i;
	char *copy;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse_copy(bad[i], strlen(bad[i]), B, &mp,
		                     &copy),
		    ERR_BAD_REQUEST);
		free(copy);
	}
	assert_int_equal(multipart_parse(good, sizeof(good) - 1, "", &mp),
	    ERR_BAD_REQUEST);
	assert_int_equal(multipart_parse(good, sizeof(good) - 1, "other", &mp),
	    ERR_BAD_REQUEST);
}

static void
test_limits(void **state)
{
	size_t cap = 64 * 1024, n, i;
	char *body = malloc(cap);
	struct multipart mp;
	char name[MULTIPART_NAME_MAX + 2];

	(void)state;
	/* A header block just over the limit, then just under it. */
	n = (size_t)snprintf(body, cap,
	    "--" B "\r\n"
	    "Content-Disposition: form-data; name=a\r\nX-Pad: ");
	memset(body + n, 'p', MULTIPART_HEADER_MAX);
	n += MULTIPART_HEADER_MAX;
	n += (size_t)snprintf(body + n, cap - n, "\r\n\r\nx\r\n--" B "--");
	assert_int_equal(multipart_parse(body, n, B, &mp), ERR_BAD_REQUEST);
	n = (size_t)snprintf(body, cap,
	    "--" B "\r\n"
	    "Content-Disposition: form-data; name=a\r\nX-Pad: ");
	memset(body + n, 'p', MULTIPART_HEADER_MAX - n - 4);
	n += MULTIPART_HEADER_MAX - n - 4;
	n += (size_t)snprintf(body + n, cap - n, "\r\n\r\nx\r\n--" B "--");
	assert_int_equal(multipart_parse(body, n, B, &mp), ERR_OK);

	/* MULTIPART_MAX_PARTS parts are fine, one more is not. */
	for (i = MULTIPART_MAX_PARTS; i <= MULTIPART_MAX_PARTS + 1; i++) {
		size_t k;

		n = 0;
		for (k = 0; k < i; k++)
			n += (size_t)snprintf(body + n, cap - n,
			    "--" B "\r\n"
			    "Content-Disposition: form-data; name=p%zu\r\n\r\n"
			    "v\r\n",
			    k);
		n += (size_t)snprintf(body + n, cap - n, "--" B "--");
		assert_int_equal(multipart_parse(body, n, B, &mp),
		    i <= MULTIPART_MAX_PARTS ? ERR_OK : ERR_BAD_REQUEST);
	}

	/* A name one byte over its field. */
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	n = (size_t)snprintf(body, cap,
	    "--" B "\r\n"
	    "Content-Disposition: form-data; name=\"%s\"\r\n\r\nx\r\n--" B "--",
	    name);
	assert_int_equal(multipart_parse(body, n, B, &mp), ERR_BAD_REQUEST);
	name[sizeof(name) - 2] = '\0';
	n = (size_t)snprintf(body, cap,
	    "--" B "\r\n"
	    "Content-Disposition: form-data; name=\"%s\"\r\n\r\nx\r\n--" B "--",
	    name);
	assert_int_equal(multipart_parse(body, n, B, &mp), ERR_OK);
	free(body);
}

static void
test_boundary_from_content_type(void **state)
{
	char b[MULTIPART_BOUNDARY_MAX + 1];

	(void)state;
	assert_int_equal(multipart_boundary("multipart/form-data; "
	                                    "boundary=----"
	                                    "WebKitFormBoundaryAb12",
	                     b),
	    ERR_OK);
	assert_string_equal(b, "----WebKitFormBoundaryAb12");
	assert_int_equal(multipart_boundary("Multipart/"
	                                    "Form-Data;charset=utf-8; "
	                                    "BOUNDARY=\"a b:c\"",
	                     b),
	    ERR_OK);
	assert_string_equal(b, "a b:c");
	assert_int_equal(multipart_boundary("multipart/form-data", b),
	    ERR_BAD_REQUEST);
	assert_int_equal(multipart_boundary("multipart/form-data; boundary=",
	                     b),
	    ERR_BAD_REQUEST);
	assert_int_equal(multipart_boundary("multipart/mixed; boundary=x", b),
	    ERR_BAD_REQUEST);
	assert_int_equal(multipart_boundary("multipart/form-data; "
	                                    "boundary=\"ends with space \"",
	                     b),
	    ERR_BAD_REQUEST);
	assert_int_equal(multipart_boundary("multipart/form-data; boundary=a<b",
	                     b),
	    ERR_BAD_REQUEST);
	assert_int_equal(multipart_boundary("multipart/form-data; boundary="
	                                    "1234567890123456789012345678901234"
	                                    "5678901234567890123456789012345"
	                                    "678901",
	                     b),
	    ERR_BAD_REQUEST);
	assert_int_equal(multipart_boundary(NULL, b), ERR_BAD_REQUEST);
}

/* Arbitrary bytes never crash the reader (a tiny deterministic fuzz). */
static void
test_random_bytes(void **state)
{
	static const char alphabet[] = "-\r\n" B "\"=;: aform-dtCnDisp";
	unsigned seed = 12345;
	struct multipart mp;
	char buf[200];
	size_t round, i, n;

	(void)state;
	for (round = 0; round < 20000; round++) {
		char *copy;

		n = round % sizeof(buf);
		for (i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			buf[i] = alphabet[(seed >> 16) % (sizeof(alphabet) - 1)];
		}
		(void)parse_copy(buf, n, B, &mp, &copy);
		free(copy);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_body),
		cmocka_unit_test(test_truncated_anywhere),
		cmocka_unit_test(test_boundary_like_text_in_data),
		cmocka_unit_test(test_preamble_epilogue_padding),
		cmocka_unit_test(test_empty_data_and_no_parts),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_boundary_from_content_type),
		cmocka_unit_test(test_random_bytes),
	};

	return cmocka_run_group_tests_name("multipart", tests, NULL, NULL);
}
