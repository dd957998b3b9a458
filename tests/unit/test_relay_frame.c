/* test_relay_frame.c - the relay's outgoing frames (headers of every
 * length class, control frames) and the JSON skimmer (relay/frame.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "frame.h"

#define S(x) x, sizeof(x) - 1

static void
test_headers(void **state)
{
	struct frame *f;
	const unsigned char *w;
	char *big;

	(void)state;
	f = frame_new(S("{}"));
	w = frame_wire(f);
	assert_int_equal(frame_wire_len(f), 4);
	assert_int_equal(w[0], 0x81);
	assert_int_equal(w[1], 2);
	assert_memory_equal(w + 2, "{}", 2);
	frame_ref(f);
	frame_unref(f);
	frame_unref(f);
	frame_unref(NULL);

	big = malloc(70000);
	memset(big, 'x', 70000);
	f = frame_new(big, 300);
	w = frame_wire(f);
	assert_int_equal(frame_wire_len(f), 304);
	assert_int_equal(w[1], 126);
	assert_int_equal(w[2] << 8 | w[3], 300);
	frame_unref(f);
	f = frame_new(big, 70000);
	w = frame_wire(f);
	assert_int_equal(frame_wire_len(f), 70010);
	assert_int_equal(w[1], 127);
	assert_int_equal(w[7], 70000 >> 16);
	assert_int_equal(w[8], (70000 >> 8) & 0xff);
	assert_int_equal(w[9], 70000 & 0xff);
	frame_unref(f);
	free(big);

	f = frame_printf("{\"n\":%d}", 42);
	assert_int_equal(f->len, 8);
	assert_string_equal((char *)frame_payload(f), "{\"n\":42}");
	frame_unref(f);
}

static void
test_control(void **state)
{
	struct frame *f;
	const unsigned char *w;

	(void)state;
	f = frame_close(1002, "protocol error");
	w = frame_wire(f);
	assert_int_equal(w[0], 0x88);
	assert_int_equal(w[1], 16);
	assert_int_equal(w[2] << 8 | w[3], 1002);
	assert_memory_equal(w + 4, "protocol error", 14);
	frame_unref(f);
	f = frame_new_op(FRAME_PONG, "hb", 2);
	w = frame_wire(f);
	assert_int_equal(w[0], 0x8a);
	assert_int_equal(w[1], 2);
	frame_unref(f);
	f = frame_new_op(FRAME_PONG, NULL, 0);
	assert_int_equal(frame_wire_len(f), 2);
	frame_unref(f);
}

static void
test_scan(void **state)
{
	const char *msg = "{\"a\":{\"type\":\"x\"},\"s\":\"q\\\"r\","
	                  "\"type\" : \"message.created\",\"id\":123}";
	char out[32];
	int64_t n;
	const char *v;
	size_t vlen;

	(void)state;
	assert_int_equal(frame_scan_str(msg, strlen(msg), "type", out,
	                     sizeof(out)),
	    0);
	assert_string_equal(out, "message.created");
	assert_int_equal(frame_scan_int(msg, strlen(msg), "id", &n), 0);
	assert_int_equal(n, 123);
	assert_int_equal(frame_scan(msg, strlen(msg), "a", &v, &vlen), 0);
	assert_int_equal(vlen, 12);
	assert_int_equal(frame_scan(msg, strlen(msg), "zz", &v, &vlen), -1);
	assert_int_equal(frame_scan_int(msg, strlen(msg), "s", &n), -1);
	assert_int_equal(frame_scan_str(S("[1]"), "type", out, sizeof(out)),
	    -1);
	assert_int_equal(frame_scan_str(S("{\"type\":\"abcdef\"}"), "type", out,
	                     4),
	    -1);
	/* Truncated texts end the scan, never read past n. */
	assert_int_equal(frame_scan(S("{\"type\":\"ab"), "type", &v, &vlen), 0);
	assert_int_equal(frame_scan(S("{\"type"), "type", &v, &vlen), -1);
	assert_int_equal(frame_scan(S(""), "type", &v, &vlen), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_headers),
		cmocka_unit_test(test_control),
		cmocka_unit_test(test_scan),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
