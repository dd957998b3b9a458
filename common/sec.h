/* sec.h - passwords, random tokens and hashing (over libsodium).
 *
 * Passwords are hashed with argon2id (2 passes, 19 MiB); random tokens
 * come from the kernel's CSPRNG; tokens kept server-side are stored only
 * as SHA-256 hashes and found by their hash (password checks are
 * constant-time inside libsodium).
 *
 * Layer: base (common/README.md) - knows nothing of chat; includes base
 * headers only.
 */
#ifndef EC_SEC_H
#define EC_SEC_H

#include <stddef.h>

#include "err.h"

#define SEC_HASH_MAX   128 /* room for an argon2id string */
#define SEC_TOKEN_MAX  96  /* room for a base64url token + NUL */
#define SEC_DIGEST_HEX 65  /* SHA-256 in hex + NUL */

#define SEC_PWHASH_OPSLIMIT 2
#define SEC_PWHASH_MEMLIMIT ((size_t)19 * 1024 * 1024)

/* Initialises libsodium; ERR_INTERNAL when it cannot. */
enum err_code sec_init(void);

/* argon2id hash of the password into out (SEC_HASH_MAX bytes). */
enum err_code
sec_password_hash(const char *password, size_t len, char out[SEC_HASH_MAX]);

/* 1 when `password` matches the stored `hash`, else 0. */
int sec_password_verify(const char *hash, const char *password, size_t len);

/* Writes a random URL-safe token of `bytes` random bytes (at most 64). */
void sec_token(char out[SEC_TOKEN_MAX], size_t bytes);

/* Writes a URL-safe token of `bytes` bytes (at most 64) that only has
 * to differ from every other such token (request ids in logs), NOT to be
 * secret or unpredictable: from a per-process generator seeded once from
 * the system's randomness (again in a forked child), so that it costs no
 * system call. */
void sec_unique_token(char out[SEC_TOKEN_MAX], size_t bytes);

/* Fills out[0..size-1] with random lower-case hex digits and a NUL. */
void sec_random_hex(char *out, size_t size);

/* Lower-case hex SHA-256 of data. */
void sec_digest_hex(const void *data, size_t len, char out[SEC_DIGEST_HEX]);

/* Seals `plain` (len bytes) with a key derived from `secret` (a
 * high-entropy token, e.g. a refresh token), as hex text in a malloc()ed
 * *out.  Only a holder of `secret` can open it: the server keeps the
 * box, never the secret. */
void
sec_box_seal(const char *secret, const void *plain, size_t len, char **out);

/* Opens a box made by sec_box_seal(): *plain is a malloc()ed,
 * NUL-terminated copy of the content.  ERR_TOKEN_INVALID when the box
 * is malformed or `secret` is not the one it was sealed with. */
enum err_code sec_box_open(const char *secret, const char *box, char **plain);

#endif
