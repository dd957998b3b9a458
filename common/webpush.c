/* webpush.c - RFC 8291 message encryption and RFC 8292 VAPID (webpush.h).
 *
 * OpenSSL 3 provider APIs only (EVP_PKEY_fromdata, EVP_PKEY_derive,
 * EVP_DigestSign): the EC_KEY calls are deprecated and -Werror would
 * refuse them.  HKDF is written out with HMAC-SHA-256, as RFC 8291 states
 * it, because every expansion here needs one block only.
 */
#include <string.h>

#include <json-c/json.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>
#include <sodium.h>

#include "webpush.h"

#define RECORD_SIZE 4096
#define TAG_LEN     16

/* ---- keys ----------------------------------------------------------- */

/* An EVP_PKEY of a raw public point, with the private scalar when
 * priv != NULL. */
static EVP_PKEY *
key_import(const unsigned char pub[WEBPUSH_PUB_LEN], const unsigned char *priv)
{
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;
	BIGNUM *d = NULL;

	bld = OSSL_PARAM_BLD_new();
	if (bld == NULL)
		goto out;
	if (!OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
	        "prime256v1", 0) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub,
	        WEBPUSH_PUB_LEN))
		goto out;
	if (priv != NULL) {
		d = BN_bin2bn(priv, WEBPUSH_PRIV_LEN, NULL);
		if (d == NULL ||
		    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d))
			goto out;
	}
	params = OSSL_PARAM_BLD_to_param(bld);
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	if (params == NULL || ctx == NULL || EVP_PKEY_fromdata_init(ctx) <= 0)
		goto out;
	if (EVP_PKEY_fromdata(ctx, &pkey,
	        priv != NULL ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY,
	        params) <= 0)
		pkey = NULL;
out:
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_clear_free(d);
	return pkey;
}

/* 1 when the point is on the curve (fromdata alone does not check). */
static int
key_valid_public(EVP_PKEY *pkey)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
	int ok = ctx != NULL && EVP_PKEY_public_check(ctx) == 1;

	EVP_PKEY_CTX_free(ctx);
	return ok;
}

/* The raw halves of an EVP_PKEY (priv may be NULL). */
static enum err_code
key_export(EVP_PKEY *pkey, unsigned char pub[WEBPUSH_PUB_LEN],
    unsigned char *priv)
{
	BIGNUM *d = NULL;
	size_t len = 0;
	enum err_code rc = ERR_INTERNAL;

	if (!EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_PUB_KEY, pub,
	        WEBPUSH_PUB_LEN, &len) ||
	    len != WEBPUSH_PUB_LEN || pub[0] != 0x04)
		goto out;
	if (priv != NULL) {
		if (!EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_PRIV_KEY,
		        &d) ||
		    BN_bn2binpad(d, priv, WEBPUSH_PRIV_LEN) != WEBPUSH_PRIV_LEN)
			goto out;
	}
	rc = ERR_OK;
out:
	BN_clear_free(d);
	return rc;
}

enum err_code
webpush_key_generate(struct webpush_key *key)
{
	EVP_PKEY *pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	enum err_code rc = ERR_INTERNAL;

	if (pkey != NULL)
		rc = key_export(pkey, key->pub, key->priv);
	EVP_PKEY_free(pkey);
	return rc;
}

enum err_code
webpush_key_load(struct webpush_key *key, const char *priv_b64)
{
	EC_GROUP *group = NULL;
	EC_POINT *point = NULL;
	BIGNUM *d = NULL;
	enum err_code rc;

	rc = webpush_unb64(key->priv, WEBPUSH_PRIV_LEN, priv_b64);
	if (rc)
		goto out;
	rc = ERR_BAD_REQUEST;
	group = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
	d = BN_bin2bn(key->priv, WEBPUSH_PRIV_LEN, NULL);
	if (group == NULL || d == NULL)
		goto out;
	/* 0 < d < n, and pub = d·G */
	if (BN_is_zero(d) || BN_cmp(d, EC_GROUP_get0_order(group)) >= 0)
		goto out;
	point = EC_POINT_new(group);
	if (point == NULL || !EC_POINT_mul(group, point, d, NULL, NULL, NULL) ||
	    EC_POINT_point2oct(group, point, POINT_CONVERSION_UNCOMPRESSED,
	        key->pub, WEBPUSH_PUB_LEN, NULL) != WEBPUSH_PUB_LEN)
		goto out;
	rc = ERR_OK;
out:
	EC_POINT_free(point);
	EC_GROUP_free(group);
	BN_clear_free(d);
	if (rc)
		sodium_memzero(key, sizeof(*key));
	return rc;
}

/* ---- base64url ------------------------------------------------------ */

void
webpush_b64(char out[WEBPUSH_B64_MAX], const unsigned char *in, size_t len)
{
	sodium_bin2base64(out, WEBPUSH_B64_MAX, in, len,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

enum err_code
webpush_unb64(unsigned char *out, size_t len, const char *in)
{
	size_t got = 0;
	const char *end = NULL;

	if (in == NULL ||
	    sodium_base642bin(out, len, in, strlen(in), "=", &got, &end,
	        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    got != len || *end != '\0')
		return ERR_BAD_REQUEST;
	return ERR_OK;
}

/* ---- RFC 8291 ------------------------------------------------------- */

/* HMAC-SHA-256(key, a || b || c) into out[32]; the HKDF extract and the
 * one-block expand (T(1) = HMAC(PRK, info || 0x01)) are both this. */
static int
hmac3(unsigned char out[32], const unsigned char *key, size_t key_len,
    const void *a, size_t a_len, const void *b, size_t b_len, const void *c,
    size_t c_len)
{
	unsigned char buf[256];
	unsigned int n = 0;

	if (a_len + b_len + c_len > sizeof(buf))
		return 0;
	memcpy(buf, a, a_len);
	if (b_len)
		memcpy(buf + a_len, b, b_len);
	if (c_len)
		memcpy(buf + a_len + b_len, c, c_len);
	return HMAC(EVP_sha256(), key, (int)key_len, buf, a_len + b_len + c_len,
	           out, &n) != NULL &&
	    n == 32;
}

/* CEK (16 bytes) and nonce (12 bytes) of a message (RFC 8291 section 3.4,
 * RFC 8188 section 2.2). */
static enum err_code
derive(unsigned char cek[16], unsigned char nonce[12],
    const unsigned char ecdh[32], const unsigned char auth[WEBPUSH_AUTH_LEN],
    const unsigned char ua_pub[WEBPUSH_PUB_LEN],
    const unsigned char as_pub[WEBPUSH_PUB_LEN],
    const unsigned char salt[WEBPUSH_SALT_LEN])
{
	static const char key_label[] = "WebPush: info"; /* NUL included */
	static const char cek_label[] = "Content-Encoding: aes128gcm";
	static const char nonce_label[] = "Content-Encoding: nonce";
	static const unsigned char one = 1;
	unsigned char info[sizeof(key_label) + 2 * WEBPUSH_PUB_LEN];
	unsigned char prk_key[32], ikm[32], prk[32], t[32];
	enum err_code rc = ERR_INTERNAL;

	memcpy(info, key_label, sizeof(key_label));
	memcpy(info + sizeof(key_label), ua_pub, WEBPUSH_PUB_LEN);
	memcpy(info + sizeof(key_label) + WEBPUSH_PUB_LEN, as_pub,
	    WEBPUSH_PUB_LEN);
	if (!hmac3(prk_key, auth, WEBPUSH_AUTH_LEN, ecdh, 32, NULL, 0, NULL,
	        0) ||
	    !hmac3(ikm, prk_key, 32, info, sizeof(info), &one, 1, NULL, 0) ||
	    !hmac3(prk, salt, WEBPUSH_SALT_LEN, ikm, 32, NULL, 0, NULL, 0) ||
	    !hmac3(t, prk, 32, cek_label, sizeof(cek_label), &one, 1, NULL, 0))
		goto out;
	memcpy(cek, t, 16);
	if (!hmac3(t, prk, 32, nonce_label, sizeof(nonce_label), &one, 1, NULL,
	        0))
		goto out;
	memcpy(nonce, t, 12);
	rc = ERR_OK;
out:
	sodium_memzero(prk_key, sizeof(prk_key));
	sodium_memzero(ikm, sizeof(ikm));
	sodium_memzero(prk, sizeof(prk));
	sodium_memzero(t, sizeof(t));
	return rc;
}

/* ECDH of our key pair with the peer's public point into secret[32];
 * ERR_BAD_REQUEST when the peer's point is not on the curve. */
static enum err_code
ecdh(unsigned char secret[32], const struct webpush_key *ours,
    const unsigned char peer_pub[WEBPUSH_PUB_LEN])
{
	EVP_PKEY *mine = key_import(ours->pub, ours->priv);
	EVP_PKEY *peer = key_import(peer_pub, NULL);
	EVP_PKEY_CTX *ctx = NULL;
	size_t len = 32;
	enum err_code rc = ERR_BAD_REQUEST;

	if (peer == NULL || !key_valid_public(peer))
		goto out;
	rc = ERR_INTERNAL;
	if (mine == NULL)
		goto out;
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, mine, NULL);
	if (ctx == NULL || EVP_PKEY_derive_init(ctx) <= 0 ||
	    EVP_PKEY_derive_set_peer(ctx, peer) <= 0 ||
	    EVP_PKEY_derive(ctx, secret, &len) <= 0 || len != 32)
		goto out;
	rc = ERR_OK;
out:
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(peer);
	EVP_PKEY_free(mine);
	return rc;
}

/* AES-128-GCM of in[len] into out[len] and tag[16] (enc = 1), or the
 * reverse with the tag checked (enc = 0). */
static int
gcm(int enc, unsigned char *out, const unsigned char *in, size_t len,
    unsigned char tag[TAG_LEN], const unsigned char key[16],
    const unsigned char nonce[12])
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int n = 0, ok = 0;

	if (ctx == NULL ||
	    !EVP_CipherInit_ex(ctx, EVP_aes_128_gcm(), NULL, key, nonce, enc))
		goto out;
	if (!EVP_CipherUpdate(ctx, out, &n, in, (int)len) || (size_t)n != len)
		goto out;
	if (!enc &&
	    !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, TAG_LEN, tag))
		goto out;
	if (EVP_CipherFinal_ex(ctx, out + n, &n) != 1)
		goto out;
	if (enc &&
	    !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, TAG_LEN, tag))
		goto out;
	ok = 1;
out:
	EVP_CIPHER_CTX_free(ctx);
	return ok;
}

enum err_code
webpush_encrypt(unsigned char *out, size_t *out_len,
    const unsigned char ua_pub[WEBPUSH_PUB_LEN],
    const unsigned char auth[WEBPUSH_AUTH_LEN], const unsigned char *plain,
    size_t plain_len, const struct webpush_key *eph,
    const unsigned char salt[WEBPUSH_SALT_LEN])
{
	struct webpush_key fresh;
	unsigned char secret[32], cek[16], nonce[12];
	unsigned char *p = out;
	enum err_code rc = ERR_BAD_REQUEST;

	if (plain_len > WEBPUSH_PLAIN_MAX)
		goto out;
	if (eph == NULL) {
		rc = webpush_key_generate(&fresh);
		if (rc)
			goto out;
		eph = &fresh;
	}
	/* header: salt, record size, key id length, key id */
	if (salt != NULL)
		memcpy(p, salt, WEBPUSH_SALT_LEN);
	else if (RAND_bytes(p, WEBPUSH_SALT_LEN) != 1) {
		rc = ERR_INTERNAL;
		goto out;
	}
	p += WEBPUSH_SALT_LEN;
	*p++ = (RECORD_SIZE >> 24) & 0xff;
	*p++ = (RECORD_SIZE >> 16) & 0xff;
	*p++ = (RECORD_SIZE >> 8) & 0xff;
	*p++ = RECORD_SIZE & 0xff;
	*p++ = WEBPUSH_PUB_LEN;
	memcpy(p, eph->pub, WEBPUSH_PUB_LEN);
	p += WEBPUSH_PUB_LEN;

	rc = ecdh(secret, eph, ua_pub);
	if (rc)
		goto out;
	rc = derive(cek, nonce, secret, auth, ua_pub, eph->pub, out);
	if (rc)
		goto out;
	/* one record, the last: the text, the 0x02 delimiter, no padding */
	memmove(p, plain, plain_len);
	p[plain_len] = 0x02;
	rc = ERR_INTERNAL;
	if (!gcm(1, p, p, plain_len + 1, p + plain_len + 1, cek, nonce))
		goto out;
	*out_len = WEBPUSH_HEADER_LEN + plain_len + 1 + TAG_LEN;
	rc = ERR_OK;
out:
	sodium_memzero(&fresh, sizeof(fresh));
	sodium_memzero(secret, sizeof(secret));
	sodium_memzero(cek, sizeof(cek));
	return rc;
}

enum err_code
webpush_decrypt(unsigned char *out, size_t *out_len,
    const struct webpush_key *ua, const unsigned char auth[WEBPUSH_AUTH_LEN],
    const unsigned char *body, size_t body_len)
{
	const unsigned char *salt = body, *as_pub, *rec;
	unsigned char secret[32], cek[16], nonce[12], tag[TAG_LEN];
	uint32_t rs;
	size_t len, end;
	enum err_code rc = ERR_BAD_REQUEST;

	if (body_len < WEBPUSH_HEADER_LEN + 1 + TAG_LEN)
		goto out;
	rs = (uint32_t)body[16] << 24 | (uint32_t)body[17] << 16 |
	    (uint32_t)body[18] << 8 | body[19];
	as_pub = body + 21;
	rec = body + WEBPUSH_HEADER_LEN;
	len = body_len - WEBPUSH_HEADER_LEN;
	/* one record only: what a push message is */
	if (body[20] != WEBPUSH_PUB_LEN || rs < 18 || len > rs)
		goto out;
	rc = ecdh(secret, ua, as_pub);
	if (rc)
		goto out;
	rc = derive(cek, nonce, secret, auth, ua->pub, as_pub, salt);
	if (rc)
		goto out;
	rc = ERR_BAD_REQUEST;
	len -= TAG_LEN;
	memcpy(tag, rec + len, TAG_LEN);
	if (!gcm(0, out, rec, len, tag, cek, nonce))
		goto out;
	/* strip the padding back to the delimiter of the last record */
	end = len;
	while (end > 0 && out[end - 1] == 0)
		end--;
	if (end == 0 || out[end - 1] != 0x02)
		goto out;
	*out_len = end - 1;
	rc = ERR_OK;
out:
	sodium_memzero(secret, sizeof(secret));
	sodium_memzero(cek, sizeof(cek));
	return rc;
}

/* ---- RFC 8292 ------------------------------------------------------- */

/* The origin of an http(s) URL ("https://host[:port]") into out. */
static enum err_code
origin_of(char *out, size_t size, const char *url)
{
	const char *host, *slash;
	size_t len;

	if (strncmp(url, "https://", 8) == 0)
		host = url + 8;
	else if (strncmp(url, "http://", 7) == 0)
		host = url + 7;
	else
		return ERR_BAD_REQUEST;
	slash = strpbrk(host, "/?#");
	len = slash != NULL ? (size_t)(slash - url) : strlen(url);
	if (slash == host || len >= size)
		return ERR_BAD_REQUEST;
	memcpy(out, url, len);
	out[len] = '\0';
	return ERR_OK;
}

/* base64url of arbitrary length into out (size bytes); 0 when too long. */
static int
b64_into(char *out, size_t size, const void *in, size_t len)
{
	if (sodium_base64_ENCODED_LEN(len,
	        sodium_base64_VARIANT_URLSAFE_NO_PADDING) > size)
		return 0;
	sodium_bin2base64(out, size, in, len,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return 1;
}

enum err_code
webpush_vapid(char out[WEBPUSH_VAPID_MAX], const struct webpush_key *vapid,
    const char *endpoint, const char *subject, time_t now, int ttl)
{
	static const char header[] = "{\"typ\":\"JWT\",\"alg\":\"ES256\"}";
	char aud[256], claims[512], input[WEBPUSH_VAPID_MAX], sig_b64[96];
	char key_b64[WEBPUSH_B64_MAX];
	unsigned char der[80], raw[64];
	const unsigned char *dp = der;
	const BIGNUM *r, *s;
	EVP_PKEY *pkey = NULL;
	EVP_MD_CTX *md = NULL;
	ECDSA_SIG *sig = NULL;
	json_object *c = NULL;
	size_t der_len = sizeof(der), n;
	enum err_code rc;

	rc = origin_of(aud, sizeof(aud), endpoint);
	if (rc)
		goto out;
	rc = ERR_BAD_REQUEST;
	if (ttl <= 0 || ttl > 86400 || subject == NULL)
		goto out;
	c = json_object_new_object();
	json_object_object_add(c, "aud", json_object_new_string(aud));
	json_object_object_add(c, "exp", json_object_new_int64(now + ttl));
	json_object_object_add(c, "sub", json_object_new_string(subject));
	n = (size_t)snprintf(claims, sizeof(claims), "%s",
	    json_object_to_json_string_ext(c,
	        JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	if (n >= sizeof(claims))
		goto out;
	/* header.claims, each base64url */
	if (!b64_into(input, sizeof(input), header, sizeof(header) - 1))
		goto out;
	n = strlen(input);
	input[n++] = '.';
	if (!b64_into(input + n, sizeof(input) - n, claims, strlen(claims)))
		goto out;

	rc = ERR_INTERNAL;
	pkey = key_import(vapid->pub, vapid->priv);
	md = EVP_MD_CTX_new();
	if (pkey == NULL || md == NULL ||
	    EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, pkey) != 1 ||
	    EVP_DigestSign(md, der, &der_len, (const unsigned char *)input,
	        strlen(input)) != 1)
		goto out;
	/* JWS wants r || s, 32 bytes each, not DER */
	sig = d2i_ECDSA_SIG(NULL, &dp, (long)der_len);
	if (sig == NULL)
		goto out;
	ECDSA_SIG_get0(sig, &r, &s);
	if (BN_bn2binpad(r, raw, 32) != 32 ||
	    BN_bn2binpad(s, raw + 32, 32) != 32)
		goto out;
	b64_into(sig_b64, sizeof(sig_b64), raw, sizeof(raw));
	webpush_b64(key_b64, vapid->pub, WEBPUSH_PUB_LEN);
	rc = ERR_BAD_REQUEST;
	if ((size_t)snprintf(out, WEBPUSH_VAPID_MAX, "vapid t=%s.%s, k=%s",
	        input, sig_b64, key_b64) >= WEBPUSH_VAPID_MAX)
		goto out;
	rc = ERR_OK;
out:
	json_object_put(c);
	ECDSA_SIG_free(sig);
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(pkey);
	return rc;
}

int
webpush_vapid_verify(const char *header, const char *audience, time_t now)
{
	char jwt[WEBPUSH_VAPID_MAX], claims[512];
	unsigned char pub[WEBPUSH_PUB_LEN], raw[64], der[80];
	unsigned char *dp = der;
	const char *t, *k, *dot2;
	char *dot1;
	EVP_PKEY *pkey = NULL;
	EVP_MD_CTX *md = NULL;
	ECDSA_SIG *sig = NULL;
	BIGNUM *r = NULL, *s = NULL;
	json_object *c = NULL, *v;
	size_t len, got;
	int der_len, ok = 0;

	if (strncmp(header, "vapid t=", 8) != 0)
		goto out;
	t = header + 8;
	k = strstr(t, ", k=");
	if (k == NULL || (size_t)(k - t) >= sizeof(jwt))
		goto out;
	memcpy(jwt, t, (size_t)(k - t));
	jwt[k - t] = '\0';
	if (webpush_unb64(pub, sizeof(pub), k + 4))
		goto out;
	dot1 = strchr(jwt, '.');
	dot2 = dot1 != NULL ? strchr(dot1 + 1, '.') : NULL;
	if (dot2 == NULL ||
	    sodium_base642bin(raw, sizeof(raw), dot2 + 1, strlen(dot2 + 1),
	        NULL, &got, NULL,
	        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    got != sizeof(raw))
		goto out;
	/* the signature, back to DER for libcrypto */
	sig = ECDSA_SIG_new();
	r = BN_bin2bn(raw, 32, NULL);
	s = BN_bin2bn(raw + 32, 32, NULL);
	if (sig == NULL || r == NULL || s == NULL || !ECDSA_SIG_set0(sig, r, s))
		goto out;
	r = s = NULL;
	der_len = i2d_ECDSA_SIG(sig, NULL);
	if (der_len <= 0 || (size_t)der_len > sizeof(der))
		goto out;
	i2d_ECDSA_SIG(sig, &dp);
	pkey = key_import(pub, NULL);
	md = EVP_MD_CTX_new();
	if (pkey == NULL || !key_valid_public(pkey) || md == NULL ||
	    EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, pkey) != 1 ||
	    EVP_DigestVerify(md, der, (size_t)der_len, (unsigned char *)jwt,
	        (size_t)(dot2 - jwt)) != 1)
		goto out;
	/* the claims: aud and exp */
	len = (size_t)(dot2 - dot1 - 1);
	if (sodium_base642bin((unsigned char *)claims, sizeof(claims) - 1,
	        dot1 + 1, len, NULL, &got, NULL,
	        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
		goto out;
	claims[got] = '\0';
	c = json_tokener_parse(claims);
	if (c == NULL || !json_object_object_get_ex(c, "aud", &v) ||
	    !json_object_is_type(v, json_type_string) ||
	    strcmp(json_object_get_string(v), audience) != 0)
		goto out;
	if (!json_object_object_get_ex(c, "exp", &v) ||
	    !json_object_is_type(v, json_type_int) ||
	    json_object_get_int64(v) <= now ||
	    json_object_get_int64(v) > now + 86400)
		goto out;
	ok = 1;
out:
	json_object_put(c);
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(sig);
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(pkey);
	return ok;
}
