/* webpush.h - Web Push message encryption and VAPID, over OpenSSL's libcrypto.
 *
 * A push service (RFC 8030) carries an encrypted body it cannot read.
 * RFC 8291 says how: an ephemeral P-256 key agreement with the browser's
 * subscription key, HKDF with the subscription's auth secret, and one
 * aes128gcm record (RFC 8188) whose header carries the salt and the
 * ephemeral public key.  RFC 8292 (VAPID) identifies the sender: an ES256
 * JWT for the push service's origin, signed with the server's long-lived
 * P-256 key, in "Authorization: vapid t=<jwt>, k=<public key>".
 *
 * Keys travel as the browser gives them: base64url without padding, the
 * public key as the 65-byte uncompressed point, the private key as the
 * 32-byte scalar.  libsodium has no P-256, hence libcrypto here.
 *
 * Layer: base (common/README.md) - knows nothing of chat; includes base
 * headers only.
 */
#ifndef EC_WEBPUSH_H
#define EC_WEBPUSH_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "err.h"

#define WEBPUSH_PUB_LEN  65 /* uncompressed P-256 point */
#define WEBPUSH_PRIV_LEN 32 /* P-256 scalar */
#define WEBPUSH_AUTH_LEN 16 /* subscription auth secret */
#define WEBPUSH_SALT_LEN 16
/* salt, record size, key id length, key id */
#define WEBPUSH_HEADER_LEN (WEBPUSH_SALT_LEN + 4 + 1 + WEBPUSH_PUB_LEN)
/* Largest plaintext one 4096-byte record takes: the record size less the
 * delimiter and the GCM tag (RFC 8291 section 4). */
#define WEBPUSH_PLAIN_MAX (4096 - 1 - 16)
/* Largest encrypted body: the header and one full record. */
#define WEBPUSH_BODY_MAX (WEBPUSH_HEADER_LEN + 4096)
/* A key in base64url without padding, with its NUL. */
#define WEBPUSH_B64_MAX 96

/* A P-256 key pair in raw form. */
struct webpush_key {
	unsigned char pub[WEBPUSH_PUB_LEN];
	unsigned char priv[WEBPUSH_PRIV_LEN];
};

/* A fresh random key pair (the VAPID key at first start, or the
 * ephemeral key of one message). */
enum err_code webpush_key_generate(struct webpush_key *key);

/* The key pair of a stored private key (base64url); its public half is
 * recomputed. ERR_BAD_REQUEST when it is not a P-256 scalar. */
enum err_code webpush_key_load(struct webpush_key *key, const char *priv_b64);

/* base64url without padding of `len` bytes into out (WEBPUSH_B64_MAX). */
void
webpush_b64(char out[WEBPUSH_B64_MAX], const unsigned char *in, size_t len);

/* Decodes base64url (padding tolerated) into exactly `len` bytes;
 * ERR_BAD_REQUEST for anything else. */
enum err_code webpush_unb64(unsigned char *out, size_t len, const char *in);

/* Encrypts `plain` (at most WEBPUSH_PLAIN_MAX bytes) for the subscription
 * (ua_pub, auth) into out (WEBPUSH_BODY_MAX bytes), *out_len its length:
 * one aes128gcm record with the 4096 record size.  `eph` and `salt` are
 * the sender's ephemeral key and salt; NULL draws fresh ones (pass them
 * only to reproduce a known vector).  ERR_BAD_REQUEST when ua_pub is not
 * a point on the curve or plain is too long. */
enum err_code webpush_encrypt(unsigned char *out, size_t *out_len,
    const unsigned char ua_pub[WEBPUSH_PUB_LEN],
    const unsigned char auth[WEBPUSH_AUTH_LEN], const unsigned char *plain,
    size_t plain_len, const struct webpush_key *eph,
    const unsigned char salt[WEBPUSH_SALT_LEN]);

/* The browser's side: decrypts an aes128gcm body with the subscription's
 * key pair and auth secret into out (at least body_len bytes), *out_len
 * its length.  ERR_BAD_REQUEST for a malformed, tampered or multi-record
 * body.  The server never needs it; tests and tools do. */
enum err_code webpush_decrypt(unsigned char *out, size_t *out_len,
    const struct webpush_key *ua, const unsigned char auth[WEBPUSH_AUTH_LEN],
    const unsigned char *body, size_t body_len);

/* Room for "vapid t=<jwt>, k=<key>". */
#define WEBPUSH_VAPID_MAX 640

/* The Authorization header value for a push to `endpoint` (its origin is
 * the JWT's aud), signed with the VAPID key, expiring `ttl` seconds after
 * `now` (RFC 8292 allows at most 24 h), naming `subject` (a mailto: or
 * https: URI).  ERR_BAD_REQUEST when the endpoint is not an https:// or
 * http:// URL or a field is too long. */
enum err_code
webpush_vapid(char out[WEBPUSH_VAPID_MAX], const struct webpush_key *vapid,
    const char *endpoint, const char *subject, time_t now, int ttl);

/* Checks a VAPID header value against the public key it names: 1 when the
 * signature is valid and aud equals `audience`, else 0.  For tests and
 * the fake push service. */
int webpush_vapid_verify(const char *header, const char *audience, time_t now);

#endif
