/* test_jwt.c - HS256 access tokens: valid, expired, tampered, alg:none,
 * RS/HS confusion, wrong type, wrong key. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <sodium.h>

#include "cfg.h"
#include "jwt.h"

#define KEY "unit-test-key-0123456789abcdef0123456789"

static int
setup(void **state)
{
	(void)state;
	setenv("JWT_SIGNING_KEY", KEY, 1);
	if (sodium_init() < 0)
		return -1;
	return cfg_load_file(NULL) == ERR_OK ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	cfg_release();
	return 0;
}

static void
b64(const char *in, size_t len, char *out, size_t outlen)
{
	sodium_bin2base64(out, outlen, (const unsigned char *)in, len,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/* Builds header.payload.signature with an HMAC-SHA256 over the first two
 * parts (or the given raw signature). */
static char *
forge(const char *header, const char *payload, const char *key)
{
	char h[512], p[512], sig[128], *out;
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state st;
	size_t n;

	b64(header, strlen(header), h, sizeof(h));
	b64(payload, strlen(payload), p, sizeof(p));
	n = strlen(h) + strlen(p) + 200;
	out = malloc(n);
	snprintf(out, n, "%s.%s", h, p);
	sig[0] = '\0';
	if (key != NULL) {
		crypto_auth_hmacsha256_init(&st, (const unsigned char *)key,
		    strlen(key));
		crypto_auth_hmacsha256_update(&st, (unsigned char *)out,
		    strlen(out));
		crypto_auth_hmacsha256_final(&st, mac);
		sodium_bin2base64(sig, sizeof(sig), mac, sizeof(mac),
		    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	}
	strcat(out, ".");
	strcat(out, sig);
	return out;
}

static char *
payload(long exp_delta, const char *typ)
{
	static char p[256];

	snprintf(p, sizeof(p),
	    "{\"typ\":\"%s\",\"sub\":5,\"fam\":9,"
	    "\"iat\":%ld,\"exp\":%ld}",
	    typ, (long)time(NULL), (long)time(NULL) + exp_delta);
	return p;
}

static void
test_issue_and_check(void **state)
{
	struct jwt_claims c;
	char *tok = NULL;

	(void)state;
	assert_int_equal(jwt_issue(JWT_TYPE_ACCESS, 5, 9, 60, &tok), ERR_OK);
	assert_int_equal(jwt_check(tok, JWT_TYPE_ACCESS, &c), ERR_OK);
	assert_int_equal(c.sub, 5);
	assert_int_equal(c.fam, 9);
	assert_true(c.exp > c.iat);
	/* Wrong type. */
	assert_int_equal(jwt_check(tok, "refresh", &c), ERR_TOKEN_INVALID);
	free(tok);
	/* A refresh-typed token is not an access token. */
	assert_int_equal(jwt_issue("refresh", 5, 9, 60, &tok), ERR_OK);
	assert_int_equal(jwt_check(tok, JWT_TYPE_ACCESS, &c),
	    ERR_TOKEN_INVALID);
	free(tok);
}

static void
test_expired(void **state)
{
	struct jwt_claims c;
	char *tok = NULL;

	(void)state;
	assert_int_equal(jwt_issue(JWT_TYPE_ACCESS, 5, 9, -10, &tok), ERR_OK);
	assert_int_equal(jwt_check(tok, JWT_TYPE_ACCESS, &c),
	    ERR_TOKEN_INVALID);
	assert_int_equal(c.sub, 0);
	free(tok);
}

static void
test_tampered(void **state)
{
	struct jwt_claims c;
	char *tok = NULL, *dot;

	(void)state;
	assert_int_equal(jwt_issue(JWT_TYPE_ACCESS, 5, 9, 60, &tok), ERR_OK);
	dot = strchr(tok, '.');
	dot[3] = dot[3] == 'A' ? 'B' : 'A'; /* flip a payload byte */
	assert_int_equal(jwt_check(tok, JWT_TYPE_ACCESS, &c),
	    ERR_TOKEN_INVALID);
	free(tok);
	/* Right shape, other key. */
	tok = forge("{\"alg\":\"HS256\",\"typ\":\"JWT\"}",
	    payload(60, "access"), "another-key-0123456789abcdef012345678");
	assert_int_equal(jwt_check(tok, JWT_TYPE_ACCESS, &c),
	    ERR_TOKEN_INVALID);
	free(tok);
	/* Same key, forged correctly: accepted (proves forge() is right). */
	tok = forge("{\"alg\":\"HS256\",\"typ\":\"JWT\"}",
	    payload(60, "access"), KEY);
	assert_int_equal(jwt_check(tok, JWT_TYPE_ACCESS, &c), ERR_OK);
	free(tok);
}

static void
test_alg_none_and_confusion(void **state)
{
	struct jwt_claims c;
	char *tok;

	(void)state;
	tok = forge("{\"alg\":\"none\",\"typ\":\"JWT\"}", payload(60, "access"),
	    NULL);
	assert_int_equal(jwt_check(tok, JWT_TYPE_ACCESS, &c),
	    ERR_TOKEN_INVALID);
	free(tok);
	tok = forge("{\"alg\":\"none\"}", payload(60, "access"), KEY);
	assert_int_equal(jwt_check(tok, JWT_TYPE_ACCESS, &c),
	    ERR_TOKEN_INVALID);
	free(tok);
	/* RS256 header signed with the HMAC key (key confusion). */
	tok = forge("{\"alg\":\"RS256\",\"typ\":\"JWT\"}",
	    payload(60, "access"), KEY);
	assert_int_equal(jwt_check(tok, JWT_TYPE_ACCESS, &c),
	    ERR_TOKEN_INVALID);
	free(tok);
	tok = forge("{\"alg\":\"HS512\",\"typ\":\"JWT\"}",
	    payload(60, "access"), KEY);
	assert_int_equal(jwt_check(tok, JWT_TYPE_ACCESS, &c),
	    ERR_TOKEN_INVALID);
	free(tok);
	assert_int_equal(jwt_check("", JWT_TYPE_ACCESS, &c), ERR_TOKEN_INVALID);
	assert_int_equal(jwt_check("a.b", JWT_TYPE_ACCESS, &c),
	    ERR_TOKEN_INVALID);
	assert_int_equal(jwt_check("a.b.c.d", JWT_TYPE_ACCESS, &c),
	    ERR_TOKEN_INVALID);
	assert_int_equal(jwt_check(NULL, JWT_TYPE_ACCESS, &c),
	    ERR_TOKEN_INVALID);
}

/* A token remembered as verified stops passing when it expires, or
 * when the key changes. */
static void
test_remembered_token_expires_and_follows_the_key(void **state)
{
	struct jwt_claims c;
	char *tok = NULL;

	(void)state;
	/* Two seconds: a token whose exp is one second ahead may already be
	 * out when it is checked, if it was issued at the end of a second
	 * and the machine is busy. */
	assert_int_equal(jwt_issue(JWT_TYPE_ACCESS, 6, 2, 2, &tok), ERR_OK);
	assert_int_equal(jwt_check(tok, JWT_TYPE_ACCESS, &c), ERR_OK);
	assert_int_equal(jwt_check(tok, JWT_TYPE_ACCESS, &c), ERR_OK);
	assert_int_equal(c.sub, 6);
	assert_int_equal(c.fam, 2);
	sleep(3);
	assert_int_equal(jwt_check(tok, JWT_TYPE_ACCESS, &c),
	    ERR_TOKEN_INVALID);
	assert_int_equal(c.sub, 0);
	free(tok);
	assert_int_equal(jwt_issue(JWT_TYPE_ACCESS, 7, 3, 60, &tok), ERR_OK);
	assert_int_equal(jwt_check(tok, JWT_TYPE_ACCESS, &c), ERR_OK);
	cfg_release();
	setenv("JWT_SIGNING_KEY", "another-key-0123456789abcdef012345678", 1);
	assert_int_equal(cfg_load_file(NULL), ERR_OK);
	assert_int_equal(jwt_check(tok, JWT_TYPE_ACCESS, &c),
	    ERR_TOKEN_INVALID);
	cfg_release();
	setenv("JWT_SIGNING_KEY", KEY, 1);
	assert_int_equal(cfg_load_file(NULL), ERR_OK);
	assert_int_equal(jwt_check(tok, JWT_TYPE_ACCESS, &c), ERR_OK);
	assert_int_equal(c.sub, 7);
	free(tok);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_issue_and_check),
		cmocka_unit_test(test_expired),
		cmocka_unit_test(test_tampered),
		cmocka_unit_test(test_alg_none_and_confusion),
		cmocka_unit_test(
		    test_remembered_token_expires_and_follows_the_key),
	};

	return cmocka_run_group_tests_name("jwt", tests, setup, teardown);
}
