/* test_fetch.c - which addresses a push may go to (fetch.h:
 * fetch_addr_public, fetch_host_public): IPv4, IPv6 and the IPv6 forms
 * that carry an IPv4 address. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <cmocka.h>

#include "fetch.h"

/* fetch_addr_public() of a textual address, as the socket would hold it. */
static int
addr_public(const char *text)
{
	struct sockaddr_in6 in6;
	struct sockaddr_in in;

	memset(&in, 0, sizeof(in));
	memset(&in6, 0, sizeof(in6));
	if (inet_pton(AF_INET, text, &in.sin_addr) == 1) {
		in.sin_family = AF_INET;
		return fetch_addr_public((const struct sockaddr *)&in);
	}
	assert_int_equal(inet_pton(AF_INET6, text, &in6.sin6_addr), 1);
	in6.sin6_family = AF_INET6;
	return fetch_addr_public((const struct sockaddr *)&in6);
}

static int
host_public(const char *host)
{
	return fetch_host_public(host, strlen(host));
}

/* Every address of `refused` is judged not public, every one of
 * `allowed` public. */
static void
check_addrs(const char *const *refused, size_t nrefused,
    const char *const *allowed, size_t nallowed)
{
	size_t i;

	for (i = 0; i < nrefused; i++) {
		if (addr_public(refused[i]) != 0)
			fail_msg("%s taken for public", refused[i]);
	}
	for (i = 0; i < nallowed; i++) {
		if (addr_public(allowed[i]) != 1)
			fail_msg("%s refused", allowed[i]);
	}
}

static void
test_ipv4(void **state)
{
	static const char *const refused[] = { "0.0.0.0", "0.1.2.3", "10.0.0.1",
		"10.255.255.255", "100.64.0.1", "100.127.255.254", "127.0.0.1",
		"127.255.0.9", "169.254.169.254", "172.16.0.1",
		"172.31.255.255", "192.0.0.8", "192.0.2.1", "192.168.0.1",
		"198.18.0.1", "198.19.255.255", "198.51.100.7", "203.0.113.9",
		"224.0.0.1", "239.255.255.250", "240.0.0.1",
		"255.255.255.255" };
	static const char *const allowed[] = { "1.1.1.1", "8.8.8.8",
		"9.255.255.255", "11.0.0.1", "100.63.255.255", "100.128.0.1",
		"126.255.255.255", "128.0.0.1", "169.253.0.1", "172.15.255.255",
		"172.32.0.1", "192.167.1.1", "192.169.0.1", "198.20.0.1",
		"223.255.255.255" };

	(void)state;
	check_addrs(refused, sizeof(refused) / sizeof(refused[0]), allowed,
	    sizeof(allowed) / sizeof(allowed[0]));
}

static void
test_ipv6(void **state)
{
	static const char *const refused[] = { "::", "::1", "fe80::1",
		"febf::1", "fec0::1", "fc00::1", "fd12:3456::1", "ff02::1",
		"ff0e::1", "100::1", "2001:db8::1", "2001::1",
		/* carrying a non-public IPv4 address */
		"::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254",
		"::ffff:0.0.0.0", "::127.0.0.1", "::10.0.0.1",
		"64:ff9b::127.0.0.1", "64:ff9b::a00:1", "2002:7f00:1::1",
		"2002:c0a8:101::1", "4000::1", "e000::1" };
	static const char *const allowed[] = { "2001:4860:4860::8888",
		"2606:4700:4700::1111", "2a00:1450:4001::200e", "3fff::1",
		"::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1" };

	(void)state;
	check_addrs(refused, sizeof(refused) / sizeof(refused[0]), allowed,
	    sizeof(allowed) / sizeof(allowed[0]));
}

static void
test_unix_family_refused(void **state)
{
	struct sockaddr sa;

	(void)state;
	memset(&sa, 0, sizeof(sa));
	sa.sa_family = AF_UNIX;
	assert_int_equal(fetch_addr_public(&sa), 0);
}

static void
test_hosts(void **state)
{
	(void)state;
	/* IPv4 literals in every form a resolver takes */
	assert_int_equal(host_public("127.0.0.1"), 0);
	assert_int_equal(host_public("127.1"), 0);
	assert_int_equal(host_public("2130706433"), 0);
	assert_int_equal(host_public("0x7f.0.0.1"), 0);
	assert_int_equal(host_public("0177.0.0.1"), 0);
	assert_int_equal(host_public("10.0.0.1."), 0);
	assert_int_equal(host_public("0"), 0);
	assert_int_equal(host_public("8.8.8.8"), 1);
	/* IPv6 in brackets, with a zone */
	assert_int_equal(host_public("[::1]"), 0);
	assert_int_equal(host_public("[fe80::1%25eth0]"), 0);
	assert_int_equal(host_public("[::ffff:127.0.0.1]"), 0);
	assert_int_equal(host_public("[::ffff:7f00:1]"), 0);
	assert_int_equal(host_public("[2001:4860:4860::8888]"), 1);
	assert_int_equal(host_public("[::ffff:8.8.8.8]"), 1);
	/* localhost names */
	assert_int_equal(host_public("localhost"), 0);
	assert_int_equal(host_public("LocalHost."), 0);
	assert_int_equal(host_public("a.b.localhost"), 0);
	/* names only the connection can judge */
	assert_int_equal(host_public("notlocalhost"), -1);
	assert_int_equal(host_public("localhost.example.org"), -1);
	assert_int_equal(host_public("fcm.googleapis.com"), -1);
	assert_int_equal(host_public("cafe.de"), -1);
	assert_int_equal(host_public("[not-an-address]"), -1);
	assert_int_equal(host_public("1.2.3.4.5"), -1);
	/* only `len` bytes are looked at */
	assert_int_equal(fetch_host_public("10.0.0.1:443/x", 8), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv4),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_unix_family_refused),
		cmocka_unit_test(test_hosts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
