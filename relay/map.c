/* map.c - int64 -> pointer hash map: linear probing, backward-shift
 * deletion (no tombstones), keys must be positive (map.h). */
#include "map.h"

#include <stdlib.h>

#include "mem.h"

static size_t
map_slot(int64_t key, size_t cap)
{
	uint64_t h = (uint64_t)key;

	/* splitmix64 finaliser: ids are sequential, spread them. */
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebULL;
	h ^= h >> 31;
	return (size_t)h & (cap - 1);
}

void
map_init(struct map *m)
{
	m->keys = NULL;
	m->vals = NULL;
	m->cap = 0;
	m->len = 0;
}

void
map_release(struct map *m)
{
	if (m == NULL)
		return;
	free(m->keys);
	free(m->vals);
	map_init(m);
}

static void
map_grow(struct map *m)
{
	struct map n;
	size_t i;

	n.cap = m->cap ? m->cap * 2 : 8;
	n.len = 0;
	n.keys = mem_calloc(n.cap, sizeof(*n.keys));
	n.vals = mem_calloc(n.cap, sizeof(*n.vals));
	for (i = 0; i < m->cap; i++) {
		if (m->keys[i] > 0)
			map_put(&n, m->keys[i], m->vals[i]);
	}
	free(m->keys);
	free(m->vals);
	*m = n;
}

void *
map_get(const struct map *m, int64_t key)
{
	size_t i;

	if (m->cap == 0 || key <= 0)
		return NULL;
	for (i = map_slot(key, m->cap); m->keys[i] != 0;
	     i = (i + 1) & (m->cap - 1)) {
		if (m->keys[i] == key)
			return m->vals[i];
	}
	return NULL;
}

/* The slot holding key, or the empty slot where it would go. */
static size_t
map_find(const struct map *m, int64_t key)
{
	size_t i;

	for (i = map_slot(key, m->cap); m->keys[i] != 0 && m->keys[i] != key;
	     i = (i + 1) & (m->cap - 1))
		;
	return i;
}

void *
map_put(struct map *m, int64_t key, void *val)
{
	void *old;
	size_t i;

	if (key <= 0 || val == NULL)
		abort();
	if (m->cap > 0) {
		i = map_find(m, key);
		if (m->keys[i] == key) {
			/* In place: a walk in progress stays valid. */
			old = m->vals[i];
			m->vals[i] = val;
			return old;
		}
	}
	if ((m->len + 1) * 4 > m->cap * 3)
		map_grow(m);
	i = map_find(m, key);
	m->keys[i] = key;
	m->vals[i] = val;
	m->len++;
	return NULL;
}

void *
map_del(struct map *m, int64_t key)
{
	size_t i, j, k, mask;
	void *val;

	if (m->cap == 0 || key <= 0)
		return NULL;
	mask = m->cap - 1;
	for (i = map_slot(key, m->cap); m->keys[i] != key; i = (i + 1) & mask) {
		if (m->keys[i] == 0)
			return NULL;
	}
	val = m->vals[i];
	m->len--;
	/* Shift back the entries of the same probe run. */
	j = i;
	for (;;) {
		j = (j + 1) & mask;
		if (m->keys[j] == 0)
			break;
		k = map_slot(m->keys[j], m->cap);
		/* Move j to i unless k lies cyclically in (i, j]. */
		if ((i <= j) ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		m->keys[i] = m->keys[j];
		m->vals[i] = m->vals[j];
		i = j;
	}
	m->keys[i] = 0;
	m->vals[i] = NULL;
	return val;
}

void
map_iter_init(struct map_iter *it, const struct map *m)
{
	it->m = m;
	it->i = 0;
}

int
map_next(struct map_iter *it, int64_t *key, void **val)
{
	const struct map *m = it->m;

	while (it->i < m->cap) {
		size_t i = it->i++;

		if (m->keys[i] <= 0)
			continue;
		if (key)
			*key = m->keys[i];
		if (val)
			*val = m->vals[i];
		return 1;
	}
	return 0;
}

void
map_retain(struct map *m, int (*keep)(int64_t key, void *val, void *arg),
    void *arg)
{
	struct map n;
	struct map_iter it;
	int64_t key;
	void *val;

	/* Rebuilt rather than deleted in place: backward shifts would move
	 * entries under the walk. */
	map_init(&n);
	map_iter_init(&it, m);
	while (map_next(&it, &key, &val)) {
		if (keep(key, val, arg))
			map_put(&n, key, val);
	}
	map_release(m);
	*m = n;
}
