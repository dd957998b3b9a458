/* fuzz.h - small helpers shared by the libFuzzer harnesses (tests/fuzz).
 *
 * Each harness tests/fuzz/fuzz_<target>.c defines LLVMFuzzerTestOneInput()
 * and is built twice: with clang's libFuzzer for `make fuzz`, and with
 * the project's compiler plus replay.c for `make test`, which runs every
 * committed corpus and crash file once.  Everything here is static inline
 * so a harness stays one file.
 */
#ifndef EC_FUZZ_H
#define EC_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Cuts the next field off *data: the bytes up to the first `sep` (which
 * is consumed) or up to the end.  Returns a malloc()ed, NUL-terminated
 * copy (free() it); *n gets its length.  Fields hold whatever bytes the
 * fuzzer wrote, NULs included. */
static inline char *
fuzz_field(const uint8_t **data, size_t *size, int sep, size_t *n)
{
	const uint8_t *end = memchr(*data, sep, *size);
	size_t len = end ? (size_t)(end - *data) : *size;
	char *s = malloc(len + 1);

	if (s == NULL)
		abort();
	memcpy(s, *data, len);
	s[len] = '\0';
	*data += end ? len + 1 : len;
	*size -= end ? len + 1 : len;
	if (n != NULL)
		*n = len;
	return s;
}

/* A heap copy of data[0..size) with nothing after it, so that ASan sees
 * any read past the end (the fuzzer's own buffer may be larger). */
static inline char *
fuzz_copy(const uint8_t *data, size_t size)
{
	char *s = malloc(size ? size : 1);

	if (s == NULL)
		abort();
	memcpy(s, data, size);
	return s;
}

#endif
