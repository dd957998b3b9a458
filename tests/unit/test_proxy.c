/* test_proxy.c - TRUSTED_PROXIES parsing and the client address behind
 * trusted proxies (X-Forwarded-For, Forwarded, X-Forwarded-Proto). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "proxy.h"

static void
test_parse(void **state)
{
	struct proxy_list l;

	(void)state;
	assert_int_equal(proxy_list_parse("", &l), ERR_OK);
	assert_int_equal(l.n, 0);
	proxy_list_release(&l);
	assert_int_equal(proxy_list_parse(NULL, &l), ERR_OK);
	proxy_list_release(&l);
	assert_int_equal(proxy_list_parse(" 127.0.0.1/32,10.0.0.0/8  ::1 "
	                                  "2001:db8::/32,192.168.1.7",
	                     &l),
	    ERR_OK);
	assert_int_equal(l.n, 5);
	assert_int_equal(l.nets[0].bits, 32);
	assert_int_equal(l.nets[2].bits, 128);
	assert_int_equal(l.nets[4].bits, 32);
	proxy_list_release(&l);
	/* Malformed entries refuse the whole list. */
	assert_int_equal(proxy_list_parse("10.0.0.0/33", &l), ERR_VALIDATION);
	assert_int_equal(l.n, 0);
	assert_int_equal(proxy_list_parse("::/129", &l), ERR_VALIDATION);
	assert_int_equal(proxy_list_parse("10.0.0.0/", &l), ERR_VALIDATION);
	assert_int_equal(proxy_list_parse("10.0.0.0/8x", &l), ERR_VALIDATION);
	assert_int_equal(proxy_list_parse("10.0.0.0/-1", &l), ERR_VALIDATION);
	assert_int_equal(proxy_list_parse("proxy.example", &l), ERR_VALIDATION);
	assert_int_equal(proxy_list_parse("1.2.3.4, 300.1.1.1", &l),
	    ERR_VALIDATION);
	assert_null(l.nets);
}

static void
test_trusted(void **state)
{
	struct proxy_list l;

	(void)state;
	assert_int_equal(proxy_list_parse("10.0.0.0/8, 192.168.1.128/25, "
	                                  "2001:db8::/32, 0.0.0.0/0x",
	                     &l),
	    ERR_VALIDATION);
	assert_int_equal(proxy_list_parse("10.0.0.0/8, 192.168.1.128/25, "
	                                  "2001:db8::/32",
	                     &l),
	    ERR_OK);
	assert_true(proxy_trusted(&l, "10.1.2.3"));
	assert_true(proxy_trusted(&l, "::ffff:10.1.2.3"));
	assert_false(proxy_trusted(&l, "11.1.2.3"));
	assert_true(proxy_trusted(&l, "192.168.1.200"));
	assert_false(proxy_trusted(&l, "192.168.1.127"));
	assert_true(proxy_trusted(&l, "2001:db8:1::5"));
	assert_false(proxy_trusted(&l, "2001:db9::5"));
	assert_false(proxy_trusted(&l, ""));
	assert_false(proxy_trusted(&l, NULL));
	assert_false(proxy_trusted(&l, "10.1.2.3:80"));
	proxy_list_release(&l);
	/* An empty list trusts nobody. */
	assert_int_equal(proxy_list_parse("", &l), ERR_OK);
	assert_false(proxy_trusted(&l, "127.0.0.1"));
	proxy_list_release(&l);
}

static void
test_client_xff(void **state)
{
	struct proxy_list l;
	char out[PROXY_ADDR_MAX];

	(void)state;
	assert_int_equal(proxy_list_parse("127.0.0.1, 10.0.0.0/8", &l), ERR_OK);
	/* Untrusted peer: the header is ignored whatever it says. */
	proxy_client(&l, "203.0.113.9", "1.1.1.1", NULL, out);
	assert_string_equal(out, "203.0.113.9");
	/* Trusted peer: the rightmost untrusted hop. */
	proxy_client(&l, "127.0.0.1", "1.1.1.1, 198.51.100.7", NULL, out);
	assert_string_equal(out, "198.51.100.7");
	proxy_client(&l, "127.0.0.1", "6.6.6.6, 198.51.100.7, 10.0.0.2", NULL,
	    out);
	assert_string_equal(out, "198.51.100.7");
	/* Every hop trusted: the leftmost one. */
	proxy_client(&l, "127.0.0.1", "10.0.0.3,10.0.0.2", NULL, out);
	assert_string_equal(out, "10.0.0.3");
	/* No header: the peer. */
	proxy_client(&l, "127.0.0.1", NULL, NULL, out);
	assert_string_equal(out, "127.0.0.1");
	/* Ports and brackets are dropped; IPv6 comes out canonical. */
	proxy_client(&l, "127.0.0.1", "198.51.100.7:5555", NULL, out);
	assert_string_equal(out, "198.51.100.7");
	proxy_client(&l, "127.0.0.1", "[2001:DB8:0::1]:443", NULL, out);
	assert_string_equal(out, "2001:db8::1");
	proxy_client(&l, "127.0.0.1", " 2001:db8::2 ", NULL, out);
	assert_string_equal(out, "2001:db8::2");
	/* A malformed hop ends the walk at the last address read. */
	proxy_client(&l, "127.0.0.1", "1.1.1.1, garbage, 10.0.0.2", NULL, out);
	assert_string_equal(out, "10.0.0.2");
	proxy_client(&l, "127.0.0.1", "", NULL, out);
	assert_string_equal(out, "127.0.0.1");
	/* Forwarded is not read when X-Forwarded-For is the header. */
	proxy_client(&l, "127.0.0.1", NULL, "for=198.51.100.7", out);
	assert_string_equal(out, "127.0.0.1");
	/* A mapped IPv4 peer counts as IPv4. */
	proxy_client(&l, "::ffff:127.0.0.1", "198.51.100.8", NULL, out);
	assert_string_equal(out, "198.51.100.8");
	/* A peer that is not an address is passed on as it is. */
	proxy_client(&l, "unix:", "198.51.100.8", NULL, out);
	assert_string_equal(out, "unix:");
	proxy_list_release(&l);
}

static void
test_client_forwarded(void **state)
{
	struct proxy_list l;
	char out[PROXY_ADDR_MAX];

	(void)state;
	assert_int_equal(proxy_list_parse("::1", &l), ERR_OK);
	l.header = PROXY_FORWARDED;
	proxy_client(&l, "::1",
	    "for=6.6.6.6, for=\"[2001:db8:cafe::17]:4711\";proto=https", NULL,
	    out);
	/* xff is the second argument: Forwarded is the third. */
	assert_string_equal(out, "::1");
	proxy_client(&l, "::1", "9.9.9.9",
	    "for=6.6.6.6, For=\"[2001:db8:cafe::17]:4711\";proto=https", out);
	assert_string_equal(out, "2001:db8:cafe::17");
	proxy_client(&l, "::1", NULL, "proto=https;for=192.0.2.60;by=::1", out);
	assert_string_equal(out, "192.0.2.60");
	proxy_client(&l, "::1", NULL, "for=unknown", out);
	assert_string_equal(out, "::1");
	proxy_client(&l, "192.0.2.1", NULL, "for=192.0.2.60", out);
	assert_string_equal(out, "192.0.2.1");
	assert_string_equal(proxy_scheme(&l, "::1", NULL,
	                        "for=1.2.3.4;proto=https"),
	    "https");
	assert_null(proxy_scheme(&l, "::1", "https", NULL));
	assert_null(proxy_scheme(&l, "::2", NULL, "for=1.2.3.4;proto=https"));
	l.header = PROXY_XFF;
	assert_string_equal(proxy_scheme(&l, "::1", "https", NULL), "https");
	assert_string_equal(proxy_scheme(&l, "::1", "HTTP", NULL), "http");
	assert_null(proxy_scheme(&l, "::1", "gopher", NULL));
	assert_null(proxy_scheme(&l, "::2", "https", NULL));
	proxy_list_release(&l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_trusted),
		cmocka_unit_test(test_client_xff),
		cmocka_unit_test(test_client_forwarded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
