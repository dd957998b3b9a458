/* test_wire.c - the wire contract: key and channel formats, the event
 * envelope, the enumerations and the shared reason table and error body. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "json.h"
#include "status.h"
#include "wire.h"

static void
test_channels(void **state)
{
	char ch[WIRE_NAME_MAX];
	int64_t id;

	(void)state;
	wire_channel_group(ch, 42);
	assert_string_equal(ch, "group:42");
	assert_int_equal(wire_channel_parse(ch, &id), WIRE_CHANNEL_GROUP);
	assert_int_equal(id, 42);
	wire_channel_user(ch, INT64_MAX);
	assert_string_equal(ch, "user:9223372036854775807");
	assert_int_equal(wire_channel_parse(ch, &id), WIRE_CHANNEL_USER);
	assert_true(id == INT64_MAX);
	/* Anything else is no channel of ours, and its id is 0. */
	assert_int_equal(wire_channel_parse("group:0", &id), WIRE_CHANNEL_NONE);
	assert_int_equal(id, 0);
	assert_int_equal(wire_channel_parse("group:-1", &id),
	    WIRE_CHANNEL_NONE);
	assert_int_equal(wire_channel_parse("group:+1", &id),
	    WIRE_CHANNEL_NONE);
	assert_int_equal(wire_channel_parse("group:1x", &id),
	    WIRE_CHANNEL_NONE);
	assert_int_equal(wire_channel_parse("group:", &id), WIRE_CHANNEL_NONE);
	assert_int_equal(wire_channel_parse("user:99999999999999999999", &id),
	    WIRE_CHANNEL_NONE);
	assert_int_equal(wire_channel_parse("room:1", &id), WIRE_CHANNEL_NONE);
	assert_int_equal(wire_channel_parse(NULL, &id), WIRE_CHANNEL_NONE);
}

static void
test_keys(void **state)
{
	char key[WIRE_NAME_MAX], big[WIRE_TICKET_MAX + 2];

	(void)state;
	wire_key_online(key, 7);
	assert_string_equal(key, "online:7");
	wire_key_revoked_session(key, 12);
	assert_string_equal(key, "revoked:session:12");
	assert_int_equal(wire_key_ticket(key, "abc", 3), ERR_OK);
	assert_string_equal(key, "ticket:abc");
	memset(big, 'a', sizeof(big));
	assert_int_equal(wire_key_ticket(key, big, WIRE_TICKET_MAX), ERR_OK);
	assert_int_equal(strlen(key), 7 + WIRE_TICKET_MAX);
	assert_int_equal(wire_key_ticket(key, big, WIRE_TICKET_MAX + 1),
	    ERR_BAD_REQUEST);
	assert_int_equal(wire_key_ticket(key, big, 0), ERR_BAD_REQUEST);
	wire_key_hist_body(key, 3, 50);
	assert_string_equal(key, "hist:body:3:50");
	wire_key_hist_room(key, 3);
	assert_string_equal(key, "hist:room:3");
	wire_key_hist_group(key, "{g}");
	assert_string_equal(key, "hist:group:{g}");
	wire_key_acl_members(key, "4");
	assert_string_equal(key, "acl:members:4");
	wire_key_acl_member(key, "{g}", 9);
	assert_string_equal(key, "acl:member:{g}:9");
	assert_string_equal(WIRE_KEY_HIST_PROFILES, "hist:profiles");
	wire_key_rl_login_user(key, "AlIcE_x", 7);
	assert_string_equal(key, "rl:login:user:alice_x");
	wire_key_rl_login_addr(key, "127.0.0.1");
	assert_string_equal(key, "rl:login:addr:127.0.0.1");
	wire_key_rl_password(key, 5);
	assert_string_equal(key, "rl:password:5");
	wire_key_rl_write_user(key, 9);
	assert_string_equal(key, "rl:write:user:9");
	wire_key_rl_msg_user(key, 9);
	assert_string_equal(key, "rl:msg:user:9");
	wire_key_rl_write_addr(key, "2001:db8::1");
	assert_string_equal(key, "rl:write:addr:2001:db8::1");
	wire_key_rl_signup_addr(key, "198.51.100.7");
	assert_string_equal(key, "rl:signup:addr:198.51.100.7");
	assert_string_equal(WIRE_KEY_RL_SLOTS_SIGNUP, "rl:slots:signup");
}

static void
test_envelope(void **state)
{
	struct buf b;
	char id[WIRE_ID_MAX];
	int i;

	(void)state;
	buf_init(&b, 0);
	assert_int_equal(wire_event(&b, WIRE_EV_MESSAGE_DELETED, 4, "id",
	                     wire_id(id, 9), "room_id", "2", NULL),
	    ERR_OK);
	assert_string_equal(b.data,
	    "{\"type\":\"message.deleted\",\"group_id\":4,\"id\":9,"
	    "\"room_id\":2}");
	buf_reset(&b);
	/* No group: the key is left out (session.revoked). */
	assert_int_equal(wire_event(&b, WIRE_EV_SESSION_REVOKED, 0,
	                     "session_id", "5", NULL),
	    ERR_OK);
	assert_string_equal(b.data,
	    "{\"type\":\"session.revoked\",\"session_id\":5}");
	buf_release(&b);
	/* Too large for the buffer: an error, never a truncated event. */
	buf_init(&b, 16);
	assert_int_equal(wire_event(&b, WIRE_EV_ROOM_CREATED, 1, "room",
	                     "{\"name\":\"a long room name\"}", NULL),
	    ERR_TOO_LARGE);
	buf_release(&b);
	/* Every type has a distinct name that parses back. */
	for (i = 0; i < WIRE_EV__COUNT; i++) {
		assert_true(wire_event_name((enum wire_event)i)[0] != '\0');
		assert_int_equal(wire_event_parse(
		                     wire_event_name((enum wire_event)i)),
		    i);
	}
	assert_int_equal(wire_event_parse("nope"), WIRE_EV__COUNT);
	assert_int_equal(wire_event_parse(NULL), WIRE_EV__COUNT);
	assert_string_equal(wire_event_name(WIRE_EV__COUNT), "");
}

static void
test_enums_and_ids(void **state)
{
	struct json_object *obj, *fields, *why;
	const char *s = NULL;
	size_t n;
	int64_t *ids;

	(void)state;
	assert_string_equal(wire_enum_find(wire_statuses, "Busy"), "Busy");
	assert_null(wire_enum_find(wire_statuses, "busy"));
	assert_null(wire_enum_find(wire_genders, NULL));
	assert_string_equal(wire_roles[0], "owner"); /* high to low */
	assert_string_equal(wire_categories[5], "Undefined");
	assert_null(wire_categories[6]);
	/* Validation names the allowed values, from the same table. */
	obj = json_tokener_parse("{\"status\":\"Away\"}");
	fields = json_object_new_object();
	assert_int_equal(json_get_enum(obj, "status", 1, wire_statuses, &s,
	                     fields),
	    ERR_VALIDATION);
	assert_true(json_object_object_get_ex(fields, "status", &why));
	assert_string_equal(json_object_get_string(why),
	    "must be one of Online, Busy, Sleeping, Offline");
	json_object_put(fields);
	json_object_put(obj);
	ids = wire_parse_ids("3,1,20", &n);
	assert_int_equal(n, 3);
	assert_true(ids[0] == 3 && ids[1] == 1 && ids[2] == 20);
	free(ids);
	ids = wire_parse_ids(NULL, &n);
	assert_int_equal(n, 0);
	free(ids);
	ids = wire_parse_ids("4,x,5", &n);
	assert_int_equal(n, 1);
	free(ids);
}

static void
test_status(void **state)
{
	struct buf b;

	(void)state;
	assert_string_equal(status_reason(404), "Not Found");
	assert_string_equal(status_reason(431),
	    "Request Header Fields Too Large");
	assert_string_equal(status_reason(413), "Payload Too Large");
	/* Unknown statuses take their class's phrase. */
	assert_string_equal(status_reason(599), "Internal Server Error");
	assert_string_equal(status_reason(499), "Bad Request");
	assert_string_equal(status_reason(299), "OK");
	/* The relay's handshake refusals: the message is escaped JSON. */
	buf_init(&b, 0);
	status_error_body(&b, ERR_TOKEN_INVALID, "bad \"ticket\"", NULL);
	assert_string_equal(b.data,
	    "{\"error\":{\"code\":\"token_invalid\","
	    "\"message\":\"bad \\\"ticket\\\"\"}}");
	buf_release(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_channels),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_envelope),
		cmocka_unit_test(test_enums_and_ids),
		cmocka_unit_test(test_status),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
