/* wire.c - easychat-wire: prints the wire contract of common/wire.h as
 * JSON (enumerations, event types and where they are published), so that
 * tests and fcgi-apps/contracts.mjs compare other languages with the C tables
 * instead of with a copy of them. */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "json.h"
#include "wire.h"

static struct json_object *
wire_dump_table(const char *const *table)
{
	struct json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; table[i] != NULL; i++)
		json_object_array_add(a, json_object_new_string(table[i]));
	return a;
}

int
main(int argc, char **argv)
{
	struct json_object *root, *events, *e;
	struct buf out;

#define WIRE_DUMP_CHANNEL(name, text, channel) #channel,
	static const char *const channels[] = { WIRE_EVENTS(
	    WIRE_DUMP_CHANNEL) };
#undef WIRE_DUMP_CHANNEL
	int i;

	if (argc > 1 && strcmp(argv[1], "--json") != 0) {
		fprintf(stderr, "usage: %s [--json]\n", argv[0]);
		return 2;
	}
	root = json_object_new_object();
	json_object_object_add(root, "statuses",
	    wire_dump_table(wire_statuses));
	json_object_object_add(root, "genders", wire_dump_table(wire_genders));
	json_object_object_add(root, "categories",
	    wire_dump_table(wire_categories));
	json_object_object_add(root, "roles", wire_dump_table(wire_roles));
	json_object_object_add(root, "notify_levels",
	    wire_dump_table(wire_notify_levels));
	events = json_object_new_array();
	for (i = 0; i < WIRE_EV__COUNT; i++) {
		e = json_object_new_object();
		json_object_object_add(e, "type",
		    json_object_new_string(
		        wire_event_name((enum wire_event)i)));
		json_object_object_add(e, "channel",
		    json_object_new_string(channels[i]));
		json_object_array_add(events, e);
	}
	json_object_object_add(root, "events", events);
	buf_init(&out, 0);
	json_append(&out, root);
	json_object_put(root);
	puts(out.data);
	buf_release(&out);
	return 0;
}
