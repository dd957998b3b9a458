/* presence.c - who is online, from the relay's presence keys in Redis. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "groups.h"
#include "log.h"
#include "mem.h"
#include "rds.h"

#define PRESENCE_KEY_MAX 32 /* "online:" + a 64-bit integer */

void
presence_many(const int64_t *user_ids, size_t n, int *online)
{
	char(*names)[PRESENCE_KEY_MAX] = NULL;
	const char **keys = NULL;
	size_t i;

	memset(online, 0, n * sizeof(*online));
	if (n == 0)
		return;
	names = mem_calloc(n, sizeof(*names));
	keys = mem_calloc(n, sizeof(*keys));
	for (i = 0; i < n; i++) {
		snprintf(names[i], PRESENCE_KEY_MAX, "online:%lld",
		    (long long)user_ids[i]);
		keys[i] = names[i];
	}
	if (rds_exists_many(keys, n, online) != ERR_OK) {
		log_warn("presence unavailable; everyone reads as offline");
		memset(online, 0, n * sizeof(*online));
	}
	free(keys);
	free(names);
}

size_t
presence_count(const int64_t *user_ids, size_t n)
{
	size_t i, count = 0;
	int *online;

	if (n == 0)
		return 0;
	online = mem_calloc(n, sizeof(*online));
	presence_many(user_ids, n, online);
	for (i = 0; i < n; i++)
		count += online[i] != 0;
	free(online);
	return count;
}

int64_t *
presence_parse_ids(const char *text, size_t *n)
{
	const char *p;
	int64_t *ids;
	size_t cap = 1, count = 0;
	char *end;

	for (p = text ? text : ""; *p != '\0'; p++)
		cap += *p == ',';
	ids = mem_calloc(cap, sizeof(*ids));
	p = text ? text : "";
	while (*p != '\0' && count < cap) {
		errno = 0;
		ids[count] = strtoll(p, &end, 10);
		if (end == p || errno)
			break;
		count++;
		p = *end == ',' ? end + 1 : end;
	}
	*n = count;
	return ids;
}
