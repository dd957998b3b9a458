/* map.h - int64 (> 0) -> pointer hash map with an iterator (a leaf: knows
 * nothing of the relay).
 *
 * Open addressing with linear probing and backward-shift deletion (no
 * tombstones).  Keys must be positive (0 marks an empty slot), values
 * non-NULL.  Walk it with map_iter/map_next, never through its arrays.
 */
#ifndef EC_RELAY_MAP_H
#define EC_RELAY_MAP_H

#include <stddef.h>
#include <stdint.h>

struct map {
	int64_t *keys; /* 0 = empty slot */
	void **vals;
	size_t cap; /* power of two, or 0 */
	size_t len;
};

/* A walk over a map.  During a walk the map may change only through
 * map_put() of a key it already holds (a new value); anything else
 * (insert, delete) ends the walk's guarantees. */
struct map_iter {
	const struct map *m;
	size_t i;
};

void map_init(struct map *m);
/* Frees the arrays (not the values); the map is empty again.  NULL is a
 * no-op. */
void map_release(struct map *m);
void *map_get(const struct map *m, int64_t key);
/* Sets key to val (key > 0 and val != NULL, else abort()); returns the
 * previous value or NULL.  Replacing a present key never moves entries. */
void *map_put(struct map *m, int64_t key, void *val);
/* Removes key; returns its value or NULL. */
void *map_del(struct map *m, int64_t key);

void map_iter_init(struct map_iter *it, const struct map *m);
/* The next entry: 1 with *key and *val set (either may be NULL), or 0
 * once every entry was seen. */
int map_next(struct map_iter *it, int64_t *key, void **val);

/* Keeps only the entries for which keep(key, val, arg) returns non-zero;
 * keep may not touch the map. */
void map_retain(struct map *m, int (*keep)(int64_t key, void *val, void *arg),
    void *arg);

#endif
