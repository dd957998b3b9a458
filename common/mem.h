/* mem.h - allocation helpers that abort on failure.
 *
 * Every program here is a worker that its parent (lighttpd, make run)
 * restarts, so running out of memory is handled like lighttpd's ck_malloc:
 * log and abort instead of threading ENOMEM through every caller.
 *
 * Layer: base (common/README.md) - knows nothing of chat; includes base
 * headers only.
 */
#ifndef EC_MEM_H
#define EC_MEM_H

#include <stddef.h>

void *mem_alloc(size_t size);
void *mem_calloc(size_t count, size_t size);
void *mem_realloc(void *ptr, size_t size);
char *mem_strdup(const char *s);
char *mem_strndup(const char *s, size_t len);

#endif
