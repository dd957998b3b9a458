/* wire.c - names, event envelopes and enumerations of the wire contract. */
#include "wire.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"

#define WIRE_GROUP_PREFIX "group:"
#define WIRE_USER_PREFIX  "user:"

void
wire_channel_group(char out[WIRE_NAME_MAX], int64_t group_id)
{
	snprintf(out, WIRE_NAME_MAX, WIRE_GROUP_PREFIX "%" PRId64, group_id);
}

void
wire_channel_user(char out[WIRE_NAME_MAX], int64_t user_id)
{
	snprintf(out, WIRE_NAME_MAX, WIRE_USER_PREFIX "%" PRId64, user_id);
}

/* The positive decimal id that is all of s, else 0. */
static int64_t
wire_parse_id(const char *s)
{
	long long id;
	char *end;

	if (*s < '1' || *s > '9')
		return 0;
	errno = 0;
	id = strtoll(s, &end, 10);
	if (*end != '\0' || errno != 0)
		return 0;
	return (int64_t)id;
}

enum wire_channel
wire_channel_parse(const char *name, int64_t *id)
{
	static const size_t glen = sizeof(WIRE_GROUP_PREFIX) - 1;
	static const size_t ulen = sizeof(WIRE_USER_PREFIX) - 1;

	*id = 0;
	if (name == NULL)
		return WIRE_CHANNEL_NONE;
	if (strncmp(name, WIRE_GROUP_PREFIX, glen) == 0)
		*id = wire_parse_id(name + glen);
	if (*id > 0)
		return WIRE_CHANNEL_GROUP;
	if (strncmp(name, WIRE_USER_PREFIX, ulen) == 0)
		*id = wire_parse_id(name + ulen);
	if (*id > 0)
		return WIRE_CHANNEL_USER;
	return WIRE_CHANNEL_NONE;
}

void
wire_key_online(char out[WIRE_NAME_MAX], int64_t user_id)
{
	snprintf(out, WIRE_NAME_MAX, "online:%" PRId64, user_id);
}

void
wire_key_revoked_session(char out[WIRE_NAME_MAX], int64_t session_id)
{
	snprintf(out, WIRE_NAME_MAX, "revoked:session:%" PRId64, session_id);
}

enum err_code
wire_key_ticket(char out[WIRE_NAME_MAX], const char *ticket, size_t len)
{
	out[0] = '\0';
	if (len == 0 || len > WIRE_TICKET_MAX)
		return ERR_BAD_REQUEST;
	snprintf(out, WIRE_NAME_MAX, "ticket:%.*s", (int)len, ticket);
	return ERR_OK;
}

void
wire_key_hist_body(char out[WIRE_NAME_MAX], int64_t room_id, int64_t limit)
{
	snprintf(out, WIRE_NAME_MAX, "hist:body:%" PRId64 ":%" PRId64, room_id,
	    limit);
}

void
wire_key_hist_room(char out[WIRE_NAME_MAX], int64_t room_id)
{
	snprintf(out, WIRE_NAME_MAX, "hist:room:%" PRId64, room_id);
}

void
wire_key_hist_group(char out[WIRE_NAME_MAX], const char *group)
{
	snprintf(out, WIRE_NAME_MAX, "hist:group:%.40s", group);
}

void
wire_key_acl_members(char out[WIRE_NAME_MAX], const char *group)
{
	snprintf(out, WIRE_NAME_MAX, "acl:members:%.40s", group);
}

void
wire_key_acl_member(char out[WIRE_NAME_MAX], const char *group, int64_t user_id)
{
	snprintf(out, WIRE_NAME_MAX, "acl:member:%.40s:%" PRId64, group,
	    user_id);
}

void
wire_key_glist_user(char out[WIRE_NAME_MAX], int64_t user_id)
{
	snprintf(out, WIRE_NAME_MAX, "glist:user:%" PRId64, user_id);
}

void
wire_key_glist_page(char out[WIRE_NAME_MAX], int64_t user_id, int64_t epoch,
    int64_t limit)
{
	snprintf(out, WIRE_NAME_MAX,
	    "glist:page:%" PRId64 ":%" PRId64 ":%" PRId64, user_id, epoch,
	    limit);
}

void
wire_key_rl_login_user(char out[WIRE_NAME_MAX], const char *username,
    size_t len)
{
	size_t i, n;

	n = (size_t)snprintf(out, WIRE_NAME_MAX, "rl:login:user:");
	for (i = 0; i < len && n + 1 < WIRE_NAME_MAX; i++)
		out[n++] = (char)tolower((unsigned char)username[i]);
	out[n] = '\0';
}

void
wire_key_rl_login_addr(char out[WIRE_NAME_MAX], const char *addr)
{
	snprintf(out, WIRE_NAME_MAX, "rl:login:addr:%s", addr);
}

void
wire_key_rl_password(char out[WIRE_NAME_MAX], int64_t user_id)
{
	snprintf(out, WIRE_NAME_MAX, "rl:password:%" PRId64, user_id);
}

void
wire_key_rl_write_user(char out[WIRE_NAME_MAX], int64_t user_id)
{
	snprintf(out, WIRE_NAME_MAX, "rl:write:user:%" PRId64, user_id);
}

void
wire_key_rl_write_addr(char out[WIRE_NAME_MAX], const char *addr)
{
	snprintf(out, WIRE_NAME_MAX, "rl:write:addr:%s", addr);
}

void
wire_key_rl_signup_addr(char out[WIRE_NAME_MAX], const char *addr)
{
	snprintf(out, WIRE_NAME_MAX, "rl:signup:addr:%s", addr);
}

void
wire_key_rl_msg_user(char out[WIRE_NAME_MAX], int64_t user_id)
{
	snprintf(out, WIRE_NAME_MAX, "rl:msg:user:%" PRId64, user_id);
}

void
wire_key_rl_reset_addr(char out[WIRE_NAME_MAX], const char *addr)
{
	snprintf(out, WIRE_NAME_MAX, "rl:reset:addr:%s", addr);
}

#define WIRE_EVENT_TEXT(name, text, channel) [WIRE_EV_##name] = text,
static const char *const wire_event_names[WIRE_EV__COUNT] = { WIRE_EVENTS(
    WIRE_EVENT_TEXT) };
#undef WIRE_EVENT_TEXT

const char *
wire_event_name(enum wire_event type)
{
	if ((int)type < 0 || type >= WIRE_EV__COUNT)
		return "";
	return wire_event_names[type];
}

enum wire_event
wire_event_parse(const char *name)
{
	int i;

	for (i = 0; name != NULL && i < WIRE_EV__COUNT; i++) {
		if (strcmp(name, wire_event_names[i]) == 0)
			return (enum wire_event)i;
	}
	return WIRE_EV__COUNT;
}

enum err_code
wire_event_v(struct buf *out, enum wire_event type, int64_t group_id,
    va_list ap)
{
	const char *key, *json;
	enum err_code rc;

	rc = buf_printf(out, "{\"type\":\"%s\"", wire_event_name(type));
	if (rc == ERR_OK && group_id != 0)
		rc = buf_printf(out, ",\"group_id\":%" PRId64, group_id);
	while (rc == ERR_OK && (key = va_arg(ap, const char *)) != NULL) {
		json = va_arg(ap, const char *);
		rc = buf_printf(out, ",\"%s\":%s", key, json);
	}
	if (rc == ERR_OK)
		rc = buf_putc(out, '}');
	return rc;
}

enum err_code
wire_event(struct buf *out, enum wire_event type, int64_t group_id, ...)
{
	va_list ap;
	enum err_code rc;

	va_start(ap, group_id);
	rc = wire_event_v(out, type, group_id, ap);
	va_end(ap);
	return rc;
}

const char *const wire_statuses[] = { "Online", "Busy", "Sleeping", "Offline",
	NULL };
const char *const wire_genders[] = { "Male", "Female", "Non-binary", "Other",
	"Prefer not to say", NULL };
const char *const wire_categories[] = { "Gaming", "Music", "Education",
	"Science", "Entertainment", "Undefined", NULL };
const char *const wire_roles[] = { "owner", "admin", "moderator", "member",
	NULL };
const char *const wire_notify_levels[] = { "all", "mentions", "none", NULL };

const char *
wire_enum_find(const char *const *table, const char *name)
{
	size_t i;

	for (i = 0; name != NULL && table[i] != NULL; i++) {
		if (strcmp(table[i], name) == 0)
			return table[i];
	}
	return NULL;
}

const char *
wire_id(char out[WIRE_ID_MAX], int64_t id)
{
	snprintf(out, WIRE_ID_MAX, "%" PRId64, id);
	return out;
}

int64_t *
wire_parse_ids(const char *csv, size_t *n)
{
	const char *p;
	int64_t *ids;
	size_t cap = 1, count = 0;
	char *end;

	for (p = csv ? csv : ""; *p != '\0'; p++)
		cap += *p == ',';
	ids = mem_calloc(cap, sizeof(*ids));
	p = csv ? csv : "";
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
