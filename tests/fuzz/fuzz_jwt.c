/* fuzz_jwt.c - access-token verification: raw tokens, tokens signed with
 * the real key around fuzzed header and claims, and forgeries signed with
 * another key (which must never pass). */
#include <assert.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cfg.h"
#include "fuzz.h"
#include "jwt.h"

#define FUZZ_KEY "fuzz-key-0123456789abcdef0123456789abcdef"

int LLVMFuzzerInitialize(int *argc, char ***argv);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	setenv("JWT_SIGNING_KEY", FUZZ_KEY, 1);
	if (cfg_load_file(NULL) != ERR_OK || sodium_init() < 0)
		abort();
	return 0;
}

/* Appends base64url(data) to out at *o (out is large enough). */
static void
fuzz_b64(char *out, size_t *o, const void *data, size_t n)
{
	const int v = sodium_base64_VARIANT_URLSAFE_NO_PADDING;

	sodium_bin2base64(out + *o, sodium_base64_ENCODED_LEN(n, v), data, n,
	    v);
	*o += strlen(out + *o);
}

/* header.payload.HMAC-SHA256(key) as a malloc()ed string. */
static char *
fuzz_sign(const char *header, size_t hn, const char *payload, size_t pn,
    const char *key)
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state st;
	size_t cap = (hn + pn + sizeof(mac)) * 4 / 3 + 16, o = 0;
	char *t = malloc(cap);

	if (t == NULL)
		abort();
	fuzz_b64(t, &o, header, hn);
	t[o++] = '.';
	fuzz_b64(t, &o, payload, pn);
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)key,
	    strlen(key));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)t, o);
	crypto_auth_hmacsha256_final(&st, mac);
	t[o++] = '.';
	fuzz_b64(t, &o, mac, sizeof(mac));
	return t;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jwt_claims c;
	char *token = NULL, *header = NULL, *payload = NULL;
	size_t hn, pn;
	int mode;
	enum err_code rc;

	if (size == 0)
		return 0;
	mode = data[0] % 3;
	data++;
	size--;
	if (mode == 0) {
		/* Any bytes as a token (a C string: up to the first NUL). */
		token = fuzz_field(&data, &size, '\0', NULL);
	} else {
		/* Header JSON, LF, claims JSON: signed with the real key
		 * (mode 1) or with another one (mode 2). */
		header = fuzz_field(&data, &size, '\n', &hn);
		payload = fuzz_field(&data, &size, '\0', &pn);
		token = fuzz_sign(header, hn, payload, pn,
		    mode == 1 ? FUZZ_KEY : "another-key-0123456789abcdef01234");
	}
	rc = jwt_check(token, JWT_TYPE_ACCESS, &c);
	if (rc == ERR_OK) {
		assert(mode != 2); /* a forgery never passes */
		assert(c.sub > 0 && c.fam > 0 && c.exp > (long)time(NULL));
	} else {
		assert(c.sub == 0 && c.fam == 0);
	}
	free(payload);
	free(header);
	free(token);
	return 0;
}
