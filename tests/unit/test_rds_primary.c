/* test_rds_primary.c - where rds_primary() finds the Redis primary:
 * REDIS_HOST/REDIS_PORT without sentinels, REDIS_SOCKET before them, and
 * sentinels before both; and no answer (quickly) when
 * no configured sentinel answers.  Real sentinels and a failover are
 * tested against the multi topology (tests/multi/failover.test.mjs). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "cfg.h"
#include "rds.h"

static void
load(const char *sentinels)
{
	unsetenv("REDIS_SOCKET");
	setenv("JWT_SIGNING_KEY", "unit-test-key-0123456789abcdef0123", 1);
	setenv("REDIS_HOST", "127.0.0.9", 1);
	setenv("REDIS_PORT", "6390", 1);
	if (sentinels != NULL)
		setenv("REDIS_SENTINELS", sentinels, 1);
	else
		unsetenv("REDIS_SENTINELS");
	assert_int_equal(cfg_load_file(NULL), ERR_OK);
}

static void
test_without_sentinels(void **state)
{
	char host[64];
	int port = 0;

	(void)state;
	load(NULL);
	assert_int_equal(rds_primary(host, sizeof(host), &port), ERR_OK);
	assert_string_equal(host, "127.0.0.9");
	assert_int_equal(port, 6390);
	/* A host name longer than the caller's buffer is refused. */
	assert_int_equal(rds_primary(host, 4, &port), ERR_INTERNAL);
	cfg_release();
}

static void
test_unix_socket(void **state)
{
	char host[64];
	int port = -1;

	(void)state;
	load(NULL);
	setenv("REDIS_SOCKET", "/tmp/easychat-unit/run/redis.sock", 1);
	cfg_release();
	assert_int_equal(cfg_load_file(NULL), ERR_OK);
	assert_int_equal(rds_primary(host, sizeof(host), &port), ERR_OK);
	assert_string_equal(host, "/tmp/easychat-unit/run/redis.sock");
	assert_int_equal(port, 0); /* the callers' mark of a socket path */
	assert_int_equal(rds_primary(host, 8, &port), ERR_INTERNAL);
	cfg_release();
	/* Sentinels name the primary even when a socket is configured. */
	setenv("REDIS_SENTINELS", "127.0.0.1:1", 1);
	assert_int_equal(cfg_load_file(NULL), ERR_OK);
	assert_int_equal(rds_primary(host, sizeof(host), &port),
	    ERR_UNAVAILABLE);
	cfg_release();
	unsetenv("REDIS_SENTINELS");
	unsetenv("REDIS_SOCKET");
}

static void
test_no_sentinel_answers(void **state)
{
	char host[64];
	int port = 0;
	struct timespec a, b;
	double secs;

	(void)state;
	/* Port 1 on loopback refuses at once; a malformed entry is skipped. */
	load("127.0.0.1:1, no-port-here ,127.0.0.1:1");
	assert_string_equal(cfg.redis_sentinel_master, "easychat");
	clock_gettime(CLOCK_MONOTONIC, &a);
	assert_int_equal(rds_primary(host, sizeof(host), &port),
	    ERR_UNAVAILABLE);
	clock_gettime(CLOCK_MONOTONIC, &b);
	secs = (double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
	assert_true(secs < 1.0);
	/* REDIS_HOST is not a fallback: it may be the demoted primary. */
	assert_int_equal(port, 0);
	cfg_release();
	unsetenv("REDIS_SENTINELS");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_without_sentinels),
		cmocka_unit_test(test_unix_socket),
		cmocka_unit_test(test_no_sentinel_answers),
	};

	return cmocka_run_group_tests_name("rds_primary", tests, NULL, NULL);
}
