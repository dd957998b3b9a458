/* mem.c - allocation helpers that abort on failure. */
#include "mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
mem_fail(size_t size)
{
	fprintf(stderr, "easychat: out of memory allocating %zu bytes\n", size);
	abort();
}

void *
mem_alloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (p == NULL)
		mem_fail(size);
	return p;
}

void *
mem_calloc(size_t count, size_t size)
{
	void *p = calloc(count ? count : 1, size ? size : 1);

	if (p == NULL)
		mem_fail(count * size);
	return p;
}

void *
mem_realloc(void *ptr, size_t size)
{
	void *p = realloc(ptr, size ? size : 1);

	if (p == NULL)
		mem_fail(size);
	return p;
}

char *
mem_strdup(const char *s)
{
	return mem_strndup(s, strlen(s));
}

char *
mem_strndup(const char *s, size_t len)
{
	char *p = mem_alloc(len + 1);

	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}
