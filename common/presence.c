/* presence.c - who is online, and the public group card that shows it. */
#include "presence.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "mem.h"
#include "rds.h"
#include "wire.h"

void
presence_many(const int64_t *user_ids, size_t n, int *online)
{
	char(*names)[WIRE_NAME_MAX] = NULL;
	const char **keys = NULL;
	size_t i;

	memset(online, 0, n * sizeof(*online));
	if (n == 0)
		return;
	names = mem_calloc(n, sizeof(*names));
	keys = mem_calloc(n, sizeof(*keys));
	for (i = 0; i < n; i++) {
		wire_key_online(names[i], user_ids[i]);
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

int
presence_one(int64_t user_id)
{
	int online = 0;

	presence_many(&user_id, 1, &online);
	return online;
}

void
presence_cards(struct buf *out, const struct db_res *res, size_t n,
    int has_more)
{
	int64_t *all = NULL, *ids;
	size_t i, j, k, total = 0, *ends;
	int *up;

	/* Every member of the page, then one pipelined EXISTS. */
	ends = mem_calloc(n + 1, sizeof(*ends));
	for (i = 0; i < n; i++) {
		ids = wire_parse_ids(db_value(res, i, 1), &k);
		all = mem_realloc(all, (total + k + 1) * sizeof(*all));
		memcpy(all + total, ids, k * sizeof(*ids));
		total += k;
		ends[i] = total;
		free(ids);
	}
	up = mem_calloc(total + 1, sizeof(*up));
	presence_many(all, total, up);
	buf_puts(out, "{\"items\": [");
	for (i = 0, j = 0; i < n; i++) {
		const char *card = db_value(res, i, 0);
		const char *end = strrchr(card, '}');
		size_t online = 0;

		for (; j < ends[i]; j++)
			online += up[j] != 0;
		/* The card is a non-empty JSON object: splice before its
		 * closing brace. */
		buf_printf(out,
		    "%s%.*s, \"member_count\": %zu, \"online_count\": %zu}",
		    i ? ", " : "", (int)(end ? end - card : 0), card,
		    ends[i] - (i ? ends[i - 1] : 0), online);
	}
	buf_printf(out, "], \"has_more\": %s}", has_more ? "true" : "false");
	free(up);
	free(ends);
	free(all);
}
