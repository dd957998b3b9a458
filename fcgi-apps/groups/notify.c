/* notify.c - the relay events of the groups program, built once per change
 * and published (after commit) through common/event.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "event.h"
#include "groups.h"

void
notify_group(int64_t group_id, const char *type, const char *key,
    const char *json)
{
	struct buf b;

	buf_init(&b, 0);
	buf_printf(&b, "{\"type\":\"%s\",\"group_id\":%lld", type,
	    (long long)group_id);
	if (key != NULL)
		buf_printf(&b, ",\"%s\":%s", key, json);
	buf_putc(&b, '}');
	event_to_group(group_id, b.data, b.len);
	buf_release(&b);
}

void
notify_group_id(int64_t group_id, const char *type, const char *key, int64_t id)
{
	char text[24];

	snprintf(text, sizeof(text), "%lld", (long long)id);
	notify_group(group_id, type, key, text);
}

void
notify_membership(int64_t group_id, const int64_t *user_ids, size_t n,
    int joined)
{
	char json[128];
	size_t i;
	int len;

	len = snprintf(json, sizeof(json),
	    "{\"type\":\"membership\",\"group_id\":%lld,\"joined\":%s}",
	    (long long)group_id, joined ? "true" : "false");
	for (i = 0; i < n; i++)
		event_to_user(user_ids[i], json, (size_t)len);
}

void
notify_member(int64_t group_id, const char *type, const char *member_json)
{
	notify_group(group_id, type, "member", member_json);
}
