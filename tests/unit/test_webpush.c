/* test_webpush.c - RFC 8291 encryption against the RFC's own example
 * (Appendix A), round trips, tampering, and VAPID signing (webpush.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>

#include "webpush.h"

/* RFC 8291 Appendix A */
#define PLAIN   "When I grow up, I want to be a watermelon"
#define AS_PRIV "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw"
#define AS_PUB                                                                 \
	"BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6Tlz" \
	"AC8wEqKK6PBru3jl7A8"
#define UA_PRIV "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94"
#define UA_PUB                                                                 \
	"BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7V" \
	"d8pZGH6SRpkNtoIAiw4"
#define AUTH "BTBZMqHH6r4Tts7J_aSIgg"
#define SALT "DGv6ra1nlYgDCS1FRnbzlw"
#define BODY                                                                   \
	"DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27ml"     \
	"mlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPT"     \
	"pK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN"

static void
test_key_load(void **state)
{
	struct webpush_key k;
	char b64[WEBPUSH_B64_MAX];

	(void)state;
	assert_int_equal(webpush_key_load(&k, AS_PRIV), ERR_OK);
	webpush_b64(b64, k.pub, sizeof(k.pub));
	assert_string_equal(b64, AS_PUB);
	/* not a key: wrong length, not base64url, zero, above the order */
	assert_int_equal(webpush_key_load(&k, "AAAA"), ERR_BAD_REQUEST);
	assert_int_equal(webpush_key_load(&k,
	                     "yfWPiYE+n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw"),
	    ERR_BAD_REQUEST);
	assert_int_equal(webpush_key_load(&k,
	                     "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
	    ERR_BAD_REQUEST);
	assert_int_equal(webpush_key_load(&k,
	                     "__________________________________________8"),
	    ERR_BAD_REQUEST);
}

static void
test_rfc8291_vector(void **state)
{
	struct webpush_key as;
	unsigned char ua_pub[WEBPUSH_PUB_LEN], auth[WEBPUSH_AUTH_LEN];
	unsigned char salt[WEBPUSH_SALT_LEN], body[WEBPUSH_BODY_MAX];
	char b64[512];
	size_t len = 0;

	(void)state;
	assert_int_equal(webpush_key_load(&as, AS_PRIV), ERR_OK);
	assert_int_equal(webpush_unb64(ua_pub, sizeof(ua_pub), UA_PUB), ERR_OK);
	assert_int_equal(webpush_unb64(auth, sizeof(auth), AUTH), ERR_OK);
	assert_int_equal(webpush_unb64(salt, sizeof(salt), SALT), ERR_OK);
	assert_int_equal(webpush_encrypt(body, &len, ua_pub, auth,
	                     (const unsigned char *)PLAIN, strlen(PLAIN), &as,
	                     salt),
	    ERR_OK);
	assert_int_equal(len, 144);
	sodium_bin2base64(b64, sizeof(b64), body, len,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	assert_string_equal(b64, BODY);
}

static void
test_round_trip_and_tamper(void **state)
{
	struct webpush_key ua, other;
	unsigned char auth[WEBPUSH_AUTH_LEN] = "0123456789abcdef";
	unsigned char body[WEBPUSH_BODY_MAX], plain[WEBPUSH_BODY_MAX];
	unsigned char big[WEBPUSH_PLAIN_MAX + 1];
	size_t len = 0, plen = 0;

	(void)state;
	assert_int_equal(webpush_key_generate(&ua), ERR_OK);
	assert_int_equal(webpush_encrypt(body, &len, ua.pub, auth,
	                     (const unsigned char *)"hello", 5, NULL, NULL),
	    ERR_OK);
	assert_int_equal(webpush_decrypt(plain, &plen, &ua, auth, body, len),
	    ERR_OK);
	assert_int_equal(plen, 5);
	assert_memory_equal(plain, "hello", 5);

	/* another subscription, another auth secret, a flipped bit: refused */
	assert_int_equal(webpush_key_generate(&other), ERR_OK);
	assert_int_equal(webpush_decrypt(plain, &plen, &other, auth, body, len),
	    ERR_BAD_REQUEST);
	auth[0] ^= 1;
	assert_int_equal(webpush_decrypt(plain, &plen, &ua, auth, body, len),
	    ERR_BAD_REQUEST);
	auth[0] ^= 1;
	body[len - 20] ^= 0x40;
	assert_int_equal(webpush_decrypt(plain, &plen, &ua, auth, body, len),
	    ERR_BAD_REQUEST);
	assert_int_equal(webpush_decrypt(plain, &plen, &ua, auth, body, 50),
	    ERR_BAD_REQUEST);

	/* the largest text fits one record; one byte more does not */
	memset(big, 'x', sizeof(big));
	assert_int_equal(webpush_encrypt(body, &len, ua.pub, auth, big,
	                     WEBPUSH_PLAIN_MAX, NULL, NULL),
	    ERR_OK);
	assert_int_equal(len, WEBPUSH_BODY_MAX);
	assert_int_equal(webpush_decrypt(plain, &plen, &ua, auth, body, len),
	    ERR_OK);
	assert_int_equal(plen, WEBPUSH_PLAIN_MAX);
	assert_int_equal(webpush_encrypt(body, &len, ua.pub, auth, big,
	                     sizeof(big), NULL, NULL),
	    ERR_BAD_REQUEST);

	/* a subscription key that is not a point on the curve */
	ua.pub[40] ^= 1;
	assert_int_equal(webpush_encrypt(body, &len, ua.pub, auth,
	                     (const unsigned char *)"x", 1, NULL, NULL),
	    ERR_BAD_REQUEST);
}

static void
test_vapid(void **state)
{
	struct webpush_key vapid;
	char h[WEBPUSH_VAPID_MAX], bad[WEBPUSH_VAPID_MAX];
	const time_t now = 1800000000;
	char *sig;

	(void)state;
	assert_int_equal(webpush_key_generate(&vapid), ERR_OK);
	assert_int_equal(webpush_vapid(h, &vapid,
	                     "https://push.example.net:8443/wpush/v2/abc?x=1",
	                     "mailto:ops@example.org", now, 43200),
	    ERR_OK);
	assert_true(
	    webpush_vapid_verify(h, "https://push.example.net:8443", now));
	/* another audience, expired, too far ahead */
	assert_false(webpush_vapid_verify(h, "https://push.example.net", now));
	assert_false(webpush_vapid_verify(h, "https://push.example.net:8443",
	    now + 43200));
	assert_false(webpush_vapid_verify(h, "https://push.example.net:8443",
	    now - 86400));
	/* a changed signature byte */
	strcpy(bad, h);
	sig = strstr(bad, ", k=") - 5;
	*sig = *sig == 'A' ? 'B' : 'A';
	assert_false(
	    webpush_vapid_verify(bad, "https://push.example.net:8443", now));
	/* not http(s), a TTL over RFC 8292's 24 h */
	assert_int_equal(webpush_vapid(h, &vapid, "ftp://x/y", "mailto:a@b",
	                     now, 60),
	    ERR_BAD_REQUEST);
	assert_int_equal(webpush_vapid(h, &vapid, "https://x/y", "mailto:a@b",
	                     now, 86401),
	    ERR_BAD_REQUEST);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_load),
		cmocka_unit_test(test_rfc8291_vector),
		cmocka_unit_test(test_round_trip_and_tamper),
		cmocka_unit_test(test_vapid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
