/* sec.c - passwords, random tokens and hashing (over libsodium). */
#include "sec.h"

#include <pthread.h>
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "mem.h"

/* Domain separation: a box key is never equal to any other hash of the
 * same secret (e.g. its stored SHA-256). */
static const char sec_box_context[] = "easychat box v1";

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

/* sec_unique_token()'s generator: a splitmix64 sequence from a random
 * start, so that two processes' sequences (2^64 values apart on
 * average) do not meet; 0 = not seeded (in this process). */
static uint64_t sec_unique_state;
static int sec_unique_forks; /* the fork handler is registered */

static void
sec_unique_reseed(void)
{
	sec_unique_state = 0;
}

void
sec_unique_token(char out[SEC_TOKEN_MAX], size_t bytes)
{
	unsigned char raw[64];
	uint64_t z;
	size_t i;

	if (bytes > sizeof(raw))
		bytes = sizeof(raw);
	if (sec_unique_state == 0) {
		/* A forked child would repeat its parent's sequence. */
		if (!sec_unique_forks &&
		    pthread_atfork(NULL, NULL, sec_unique_reseed) == 0)
			sec_unique_forks = 1;
		while (sec_unique_state == 0)
			randombytes_buf(&sec_unique_state,
			    sizeof(sec_unique_state));
	}
	for (i = 0; i < bytes; i += 8) {
		sec_unique_state += UINT64_C(0x9e3779b97f4a7c15);
		z = sec_unique_state;
		z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
		z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
		z ^= z >> 31;
		memcpy(raw + i, &z, bytes - i < 8 ? bytes - i : 8);
	}
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

static void
sec_box_key(const char *secret, unsigned char key[crypto_secretbox_KEYBYTES])
{
	crypto_generichash(key, crypto_secretbox_KEYBYTES,
	    (const unsigned char *)secret, strlen(secret),
	    (const unsigned char *)sec_box_context,
	    sizeof(sec_box_context) - 1);
}

void
sec_box_seal(const char *secret, const void *plain, size_t len, char **out)
{
	unsigned char key[crypto_secretbox_KEYBYTES];
	unsigned char *raw;
	size_t rawlen;

	rawlen = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + len;
	raw = mem_alloc(rawlen);
	sec_box_key(secret, key);
	randombytes_buf(raw, crypto_secretbox_NONCEBYTES);
	crypto_secretbox_easy(raw + crypto_secretbox_NONCEBYTES, plain, len,
	    raw, key);
	*out = mem_alloc(rawlen * 2 + 1);
	sodium_bin2hex(*out, rawlen * 2 + 1, raw, rawlen);
	sodium_memzero(key, sizeof(key));
	free(raw);
}

enum err_code
sec_box_open(const char *secret, const char *box, char **plain)
{
	unsigned char key[crypto_secretbox_KEYBYTES];
	unsigned char *raw = NULL;
	size_t rawlen = 0, hexlen;
	enum err_code rc = ERR_TOKEN_INVALID;

	*plain = NULL;
	hexlen = strlen(box);
	if (hexlen % 2 != 0 ||
	    hexlen / 2 <
	        crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
		return ERR_TOKEN_INVALID;
	raw = mem_alloc(hexlen / 2);
	if (sodium_hex2bin(raw, hexlen / 2, box, hexlen, NULL, &rawlen, NULL) !=
	        0 ||
	    rawlen != hexlen / 2)
		goto out;
	rawlen -= crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES;
	*plain = mem_alloc(rawlen + 1);
	sec_box_key(secret, key);
	if (crypto_secretbox_open_easy((unsigned char *)*plain,
	        raw + crypto_secretbox_NONCEBYTES,
	        rawlen + crypto_secretbox_MACBYTES, raw, key) != 0) {
		free(*plain);
		*plain = NULL;
		goto out;
	}
	(*plain)[rawlen] = '\0';
	rc = ERR_OK;
out:
	sodium_memzero(key, sizeof(key));
	free(raw);
	return rc;
}
