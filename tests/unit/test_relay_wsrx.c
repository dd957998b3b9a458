/* test_relay_wsrx.c - the relay's client frame parser (relay/wsrx.h):
 * masking, fragments, split reads, control frames, every RFC 6455
 * violation the relay must answer with a close code, and the accept key. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "wsrx.h"

struct seen {
	char msgs[8][256];
	int nmsgs, npings, npongs, ncloses;
	unsigned close_code;
	unsigned char ping[126];
	size_t pinglen;
};

static int
on_message(void *arg, char *text, size_t len)
{
	struct seen *s = arg;

	memcpy(s->msgs[s->nmsgs], text, len);
	s->msgs[s->nmsgs++][len] = '\0';
	return 0;
}

static int
on_ping(void *arg, const unsigned char *p, size_t len)
{
	struct seen *s = arg;

	s->npings++;
	memcpy(s->ping, p, len);
	s->pinglen = len;
	return 0;
}

static int
on_pong(void *arg, const unsigned char *p, size_t len)
{
	((struct seen *)arg)->npongs++;
	return 0;
}

static int
on_close(void *arg, unsigned code, const char *reason, size_t len)
{
	struct seen *s = arg;

	s->ncloses++;
	s->close_code = code;
	return 0;
}

static const struct wsrx_handlers handlers = { on_message, on_ping, on_pong,
	on_close };

/* A client frame: b0, masked payload (7/16/64-bit length as needed). */
static size_t
mkframe(unsigned char *out, unsigned b0, const void *payload, size_t len)
{
	static const unsigned char mask[4] = { 0x12, 0x34, 0x56, 0x78 };
	size_t n = 0, i;

	out[n++] = (unsigned char)b0;
	if (len < 126) {
		out[n++] = (unsigned char)(0x80 | len);
	} else if (len < 65536) {
		out[n++] = 0x80 | 126;
		out[n++] = (unsigned char)(len >> 8);
		out[n++] = (unsigned char)len;
	} else {
		out[n++] = 0x80 | 127;
		for (i = 0; i < 8; i++)
			out[n++] = (unsigned char)((uint64_t)len >>
			    (56 - 8 * i));
	}
	memcpy(out + n, mask, 4);
	n += 4;
	for (i = 0; i < len; i++)
		out[n + i] = ((const unsigned char *)payload)[i] ^ mask[i & 3];
	return n + len;
}

static int
feed(struct wsrx *rx, unsigned char *buf, size_t len, struct seen *s)
{
	return wsrx_feed(rx, buf, len, &handlers, s);
}

static void
test_messages(void **state)
{
	unsigned char buf[8192];
	struct seen s;
	struct wsrx rx;
	size_t n = 0, i;
	int rc;

	(void)state;
	memset(&s, 0, sizeof(s));
	wsrx_init(&rx, 4096);
	n += mkframe(buf + n, 0x81, "{\"a\":1}", 7);
	n += mkframe(buf + n, 0x01, "{\"b\"", 4); /* fragment 1 */
	n += mkframe(buf + n, 0x89, "p1", 2);     /* ping inside it */
	n += mkframe(buf + n, 0x89, "p2", 2);     /* and another */
	n += mkframe(buf + n, 0x00, ":", 1);
	n += mkframe(buf + n, 0x80, "2}", 2);
	n += mkframe(buf + n, 0x8a, "", 0);
	/* One byte at a time: every split point. */
	for (i = 0; i < n; i++) {
		rc = feed(&rx, buf + i, 1, &s);
		assert_int_equal(rc, 0);
	}
	assert_int_equal(s.nmsgs, 2);
	assert_string_equal(s.msgs[0], "{\"a\":1}");
	assert_string_equal(s.msgs[1], "{\"b\":2}");
	assert_int_equal(s.npings, 2);
	assert_memory_equal(s.ping, "p2", 2);
	assert_int_equal(s.npongs, 1);
	assert_null(rx.msg);
	assert_null(rx.ctl);
	/* All at once too. */
	memset(&s, 0, sizeof(s));
	n = mkframe(buf, 0x81, "{\"a\":1}", 7);
	n += mkframe(buf + n, 0x81, "{}", 2);
	n += mkframe(buf + n, 0x88, "\x03\xe8ok", 4);
	assert_int_equal(feed(&rx, buf, n, &s), 0);
	assert_int_equal(s.nmsgs, 2);
	assert_int_equal(s.ncloses, 1);
	assert_int_equal(s.close_code, 1000);
	wsrx_release(&rx);
}

static void
test_violations(void **state)
{
	static const struct {
		unsigned char bytes[16];
		size_t len;
		int code;
	} cases[] = {
		{ { 0x81, 0x02, 'h', 'i' }, 4,
		    WSRX_PROTOCOL_ERROR }, /* unmasked */
		{ { 0xc1, 0x80, 0, 0, 0, 0 }, 6,
		    WSRX_PROTOCOL_ERROR }, /* RSV1 */
		{ { 0x83, 0x80, 0, 0, 0, 0 }, 6,
		    WSRX_PROTOCOL_ERROR }, /* op 3 */
		{ { 0x8b, 0x80, 0, 0, 0, 0 }, 6,
		    WSRX_PROTOCOL_ERROR }, /* op B */
		{ { 0x80, 0x80, 0, 0, 0, 0 }, 6,
		    WSRX_PROTOCOL_ERROR }, /* cont. */
		{ { 0x09, 0x80, 0, 0, 0, 0 }, 6,
		    WSRX_PROTOCOL_ERROR }, /* !FIN */
		{ { 0x89, 0xfe, 0, 2, 0, 0, 0, 0, 'h', 'i' }, 10,
		    WSRX_PROTOCOL_ERROR }, /* control, 16-bit length */
		{ { 0x81, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0 }, 14,
		    WSRX_PROTOCOL_ERROR }, /* 64-bit length, top bit */
		{ { 0x82, 0x80, 0, 0, 0, 0 }, 6,
		    WSRX_UNSUPPORTED }, /* binary */
		{ { 0x81, 0xfe, 0x10, 0x01, 0, 0, 0, 0 }, 8, WSRX_TOO_BIG },
		{ { 0x88, 0x81, 0, 0, 0, 0, 3 }, 7,
		    WSRX_PROTOCOL_ERROR }, /* 1 B */
		{ { 0x88, 0x82, 0, 0, 0, 0, 0x13, 0x88 }, 8,
		    WSRX_PROTOCOL_ERROR }, /* code 5000 */
		{ { 0x88, 0x82, 0, 0, 0, 0, 0x03, 0xed }, 8,
		    WSRX_PROTOCOL_ERROR }, /* code 1005 */
		{ { 0x88, 0x83, 0, 0, 0, 0, 0x03, 0xe8, 0xff }, 9,
		    WSRX_INVALID_DATA }, /* reason not UTF-8 */
	};
	unsigned char buf[16];
	struct seen s;
	struct wsrx rx;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&s, 0, sizeof(s));
		wsrx_init(&rx, 4096);
		memcpy(buf, cases[i].bytes, cases[i].len);
		assert_int_equal(feed(&rx, buf, cases[i].len, &s),
		    cases[i].code);
		wsrx_release(&rx);
	}
	/* A text frame inside a fragmented message. */
	{
		unsigned char b[64];
		size_t n = mkframe(b, 0x01, "a", 1);

		n += mkframe(b + n, 0x81, "b", 1);
		memset(&s, 0, sizeof(s));
		wsrx_init(&rx, 4096);
		assert_int_equal(feed(&rx, b, n, &s), WSRX_PROTOCOL_ERROR);
		wsrx_release(&rx);
	}
	/* Fragments adding up to more than the maximum. */
	{
		static unsigned char b[9000];
		static char big[3000];
		size_t n;

		memset(big, 'x', sizeof(big));
		n = mkframe(b, 0x01, big, sizeof(big));
		n += mkframe(b + n, 0x80, big, sizeof(big));
		memset(&s, 0, sizeof(s));
		wsrx_init(&rx, 4096);
		assert_int_equal(feed(&rx, b, n, &s), WSRX_TOO_BIG);
		wsrx_release(&rx);
	}
	assert_true(wsrx_close_code_valid(1000));
	assert_true(wsrx_close_code_valid(4999));
	assert_false(wsrx_close_code_valid(999));
	assert_false(wsrx_close_code_valid(1006));
	assert_false(wsrx_close_code_valid(1015));
	assert_false(wsrx_close_code_valid(2999));
	assert_false(wsrx_close_code_valid(5000));
}

static void
test_accept(void **state)
{
	char out[WSRX_ACCEPT_LEN + 1];

	(void)state;
	/* RFC 6455 section 1.3's example. */
	assert_int_equal(wsrx_accept("dGhlIHNhbXBsZSBub25jZQ==", 24, out), 0);
	assert_string_equal(out, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_messages),
		cmocka_unit_test(test_violations),
		cmocka_unit_test(test_accept),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
