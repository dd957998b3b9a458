/* event.c - publishing events for the relay, after commit. */
#include "event.h"

#include <stdio.h>

#include "log.h"
#include "rds.h"

void
event_group_channel(char out[EVENT_CHANNEL_MAX], int64_t group_id)
{
	snprintf(out, EVENT_CHANNEL_MAX, "group:%lld", (long long)group_id);
}

void
event_user_channel(char out[EVENT_CHANNEL_MAX], int64_t user_id)
{
	snprintf(out, EVENT_CHANNEL_MAX, "user:%lld", (long long)user_id);
}

void
event_publish(const char *channel, const char *json, size_t len)
{
	if (rds_publish(channel, json, len) != ERR_OK)
		log_warn("event on %s not published; clients will catch up",
		    channel);
}

void
event_to_group(int64_t group_id, const char *json, size_t len)
{
	char ch[EVENT_CHANNEL_MAX];

	event_group_channel(ch, group_id);
	event_publish(ch, json, len);
}

void
event_to_user(int64_t user_id, const char *json, size_t len)
{
	char ch[EVENT_CHANNEL_MAX];

	event_user_channel(ch, user_id);
	event_publish(ch, json, len);
}
