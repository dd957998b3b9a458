/* test_cfg.c - the env file reader and the origin list. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "cfg.h"

static void
test_file_and_overrides(void **state)
{
	char path[] = "/tmp/easychat-cfg-XXXXXX";
	int fd;
	FILE *f;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs("# DEVELOPMENT SAMPLE\n"
	      "JWT_SIGNING_KEY = file-key-0123456789abcdef0123456789\n"
	      "DB_PORT=1111\n"
	      "DB_PORT=2222\n"
	      "export REDIS_PORT=3333\n"
	      "PUBLIC_ORIGINS=https://a.example/, http://b.example:8080\n"
	      "ACCESS_TOKEN_LIFETIME=120\n"
	      "OAUTH_ENABLED_GITHUB=true\n"
	      "garbage line without equals\n",
	    f);
	fclose(f);
	unsetenv("JWT_SIGNING_KEY");
	unsetenv("PUBLIC_ORIGINS");
	setenv("ACCESS_TOKEN_LIFETIME", "60", 1); /* env beats file */
	assert_int_equal(cfg_load_file(path), ERR_OK);
	assert_string_equal(cfg.db_port, "2222"); /* later line wins */
	assert_int_equal(cfg.redis_port, 3333);
	assert_int_equal(cfg.access_lifetime, 60);
	assert_true(cfg.oauth_github.enabled);
	assert_false(cfg.oauth_google.enabled);
	assert_int_equal(cfg.norigins, 2);
	assert_true(cfg_origin_allowed("https://a.example", 17));
	assert_true(cfg_origin_allowed("http://b.example:8080", 21));
	assert_false(cfg_origin_allowed("http://b.example", 16));
	assert_true(cfg.cookie_secure); /* an https origin */
	assert_string_equal(cfg_get("MISSING", "fb"), "fb");
	unsetenv("ACCESS_TOKEN_LIFETIME");
	cfg_release();
	unlink(path);
}

static void
test_short_key_refused(void **state)
{
	(void)state;
	setenv("JWT_SIGNING_KEY", "short", 1);
	assert_int_equal(cfg_load_file(NULL), ERR_INTERNAL);
	cfg_release();
	unsetenv("JWT_SIGNING_KEY");
	assert_int_equal(cfg_load_file("/nonexistent/easychat.env"),
	    ERR_INTERNAL);
	cfg_release();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_file_and_overrides),
		cmocka_unit_test(test_short_key_refused),
	};

	return cmocka_run_group_tests_name("cfg", tests, NULL, NULL);
}
