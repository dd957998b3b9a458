/* fuzz_multipart.c - the multipart/form-data reader: the boundary from a
 * Content-Type value, then the body. */
#include <assert.h>
#include <string.h>

#include "fuzz.h"
#include "multipart.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char boundary[MULTIPART_BOUNDARY_MAX + 1];
	struct multipart mp;
	char *ct, *body;
	size_t i;

	/* The Content-Type header's value up to the first LF, the body
	 * after it. */
	ct = fuzz_field(&data, &size, '\n', NULL);
	body = fuzz_copy(data, size);
	if (multipart_boundary(ct, boundary) != ERR_OK)
		strcpy(boundary, "b");
	assert(strlen(boundary) >= 1 &&
	    strlen(boundary) <= MULTIPART_BOUNDARY_MAX);
	if (multipart_parse(body, size, boundary, &mp) == ERR_OK) {
		assert(mp.nparts <= MULTIPART_MAX_PARTS);
		for (i = 0; i < mp.nparts; i++) {
			const struct multipart_part *p = &mp.parts[i];

			/* Every part's data lies inside the body. */
			assert(p->data >= body && p->len <= size &&
			    (size_t)(p->data - body) <= size - p->len);
			assert(multipart_find(&mp, p->name) != NULL);
		}
		multipart_find(&mp, "file");
	}
	free(body);
	free(ct);
	return 0;
}
