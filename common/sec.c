/* sec.c - passwords, random tokens and hashing (over libsodium). */
#include "sec.h"

#include <sodium.h>
#include <string.h>

#include "log.h"

enum err_code
sec_init(void)
{
	if (sodium_init() < 0) {
		log_error("libsodium failed to initialise");
		return ERR_INTERNAL;
	}
	return ERR_OK;
}

enum err_code
sec_password_hash(const char *password, size_t len, char out[SEC_HASH_MAX])
{
	if (crypto_pwhash_str_alg(out, password, len, SEC_PWHASH_OPSLIMIT,
	        SEC_PWHASH_MEMLIMIT, crypto_pwhash_ALG_ARGON2ID13) != 0) {
		log_error("password hashing failed (out of memory?)");
		return ERR_INTERNAL;
	}
	return ERR_OK;
}

int
sec_password_verify(const char *hash, const char *password, size_t len)
{
	if (hash == NULL || strlen(hash) >= crypto_pwhash_STRBYTES)
		return 0;
	return crypto_pwhash_str_verify(hash, password, len) == 0;
}

void
sec_token(char out[SEC_TOKEN_MAX], size_t bytes)
{
	unsigned char raw[64];

	if (bytes > sizeof(raw))
		bytes = sizeof(raw);
	randombytes_buf(raw, bytes);
	sodium_bin2base64(out, SEC_TOKEN_MAX, raw, bytes,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

void
sec_random_hex(char *out, size_t size)
{
	unsigned char raw[64];
	size_t bytes;

	if (size == 0)
		return;
	bytes = (size - 1) / 2;
	if (bytes > sizeof(raw))
		bytes = sizeof(raw);
	randombytes_buf(raw, bytes);
	sodium_bin2hex(out, bytes * 2 + 1, raw, bytes);
}

void
sec_digest_hex(const void *data, size_t len, char out[SEC_DIGEST_HEX])
{
	unsigned char digest[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(digest, data, len);
	sodium_bin2hex(out, SEC_DIGEST_HEX, digest, sizeof(digest));
}
