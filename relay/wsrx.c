/* wsrx.c - incremental parser of client websocket frames (wsrx.h). */
#include "wsrx.h"

#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "utf8.h"

#define WSRX_CTL_MAX 125

void
wsrx_init(struct wsrx *rx, uint32_t max)
{
	memset(rx, 0, sizeof(*rx));
	rx->max = max;
}

void
wsrx_release(struct wsrx *rx)
{
	free(rx->msg);
	free(rx->ctl);
	rx->msg = NULL;
	rx->ctl = NULL;
	rx->msglen = 0;
	rx->ctllen = 0;
}

int
wsrx_close_code_valid(unsigned code)
{
	if (code >= 3000 && code <= 4999)
		return 1;
	/* 1004-1006 and 1015 are reserved, never sent in a Close frame. */
	return code >= 1000 && code <= 1014 && code != 1004 && code != 1005 &&
	    code != 1006;
}

/* The header is complete: checks what needs the length and sets up the
 * payload.  0 or a close code. */
static int
wsrx_header_done(struct wsrx *rx)
{
	unsigned l7 = rx->hdr[1] & 0x7f;
	uint64_t n = 0;
	int i;

	if (l7 == 126) {
		n = (uint64_t)rx->hdr[2] << 8 | rx->hdr[3];
	} else if (l7 == 127) {
		if (rx->hdr[2] & 0x80)
			return WSRX_PROTOCOL_ERROR; /* 63-bit lengths only */
		for (i = 0; i < 8; i++)
			n = n << 8 | rx->hdr[2 + i];
	} else {
		n = l7;
	}
	memcpy(rx->mask, rx->hdr + rx->need - 4, 4);
	if (rx->op < 8 && n > rx->max - rx->msglen)
		return WSRX_TOO_BIG;
	rx->left = n;
	rx->pos = 0;
	return 0;
}

/* The first two header bytes are in: checks what they alone decide. */
static int
wsrx_header_start(struct wsrx *rx)
{
	unsigned b0 = rx->hdr[0], b1 = rx->hdr[1], l7 = b1 & 0x7f;

	if (b0 & 0x70)
		return WSRX_PROTOCOL_ERROR; /* RSV bits: no extension */
	if (!(b1 & 0x80))
		return WSRX_PROTOCOL_ERROR; /* client frames are masked */
	rx->op = b0 & 0x0f;
	rx->fin = (b0 & 0x80) != 0;
	switch (rx->op) {
	case 0x0: /* continuation */
		if (rx->msg_op == 0)
			return WSRX_PROTOCOL_ERROR;
		break;
	case 0x1:
		if (rx->msg_op != 0)
			return WSRX_PROTOCOL_ERROR; /* inside a message */
		break;
	case 0x2:
		if (rx->msg_op != 0)
			return WSRX_PROTOCOL_ERROR;
		return WSRX_UNSUPPORTED; /* text frames only */
	case 0x8:
	case 0x9:
	case 0xA:
		/* Control frames: final, short, 7-bit length. */
		if (!rx->fin || l7 > WSRX_CTL_MAX)
			return WSRX_PROTOCOL_ERROR;
		break;
	default:
		return WSRX_PROTOCOL_ERROR; /* reserved opcode */
	}
	rx->need = (uint8_t)(2 + (l7 == 126 ? 2 : l7 == 127 ? 8 : 0) + 4);
	return 0;
}

static int
wsrx_control(struct wsrx *rx, const unsigned char *p, size_t len,
    const struct wsrx_handlers *h, void *arg)
{
	unsigned code;

	switch (rx->op) {
	case 0x9:
		return h->ping ? h->ping(arg, p, len) : 0;
	case 0xA:
		return h->pong ? h->pong(arg, p, len) : 0;
	default:
		if (len == 0)
			return h->close ? h->close(arg, 0, "", 0) : 0;
		if (len == 1)
			return WSRX_PROTOCOL_ERROR;
		code = (unsigned)p[0] << 8 | p[1];
		if (!wsrx_close_code_valid(code))
			return WSRX_PROTOCOL_ERROR;
		if (!utf8_valid((const char *)p + 2, len - 2))
			return WSRX_INVALID_DATA;
		return h->close
		    ? h->close(arg, code, (const char *)p + 2, len - 2)
		    : 0;
	}
}

/* The current frame's payload is complete; direct (len bytes at p) when
 * it was not buffered. */
static int
wsrx_frame_done(struct wsrx *rx, unsigned char *p, size_t len,
    const struct wsrx_handlers *h, void *arg)
{
	int rc;

	rx->hlen = 0;
	rx->need = 0;
	if (rx->op >= 8) {
		if (rx->ctl) {
			p = rx->ctl;
			len = rx->ctllen;
		}
		rc = wsrx_control(rx, p, len, h, arg);
		free(rx->ctl);
		rx->ctl = NULL;
		rx->ctllen = 0;
		return rc;
	}
	if (rx->op != 0)
		rx->msg_op = rx->op;
	if (!rx->fin)
		return 0;
	rx->msg_op = 0;
	if (rx->msg == NULL)
		return h->message(arg, (char *)p, len);
	rc = h->message(arg, (char *)rx->msg, rx->msglen);
	free(rx->msg);
	rx->msg = NULL;
	rx->msglen = 0;
	return rc;
}

int
wsrx_feed(struct wsrx *rx, unsigned char *in, size_t len,
    const struct wsrx_handlers *h, void *arg)
{
	size_t i = 0, n, k;
	int rc;

	while (i < len) {
		if (rx->need == 0 || rx->hlen < rx->need) {
			rx->hdr[rx->hlen++] = in[i++];
			if (rx->hlen == 2) {
				rc = wsrx_header_start(rx);
				if (rc)
					return rc;
			}
			if (rx->need == 0 || rx->hlen < rx->need)
				continue;
			rc = wsrx_header_done(rx);
			if (rc)
				return rc;
			if (rx->left > 0)
				continue;
			/* An empty frame: done at once. */
			rc = wsrx_frame_done(rx, in + i, 0, h, arg);
			if (rc)
				return rc;
			continue;
		}
		n = len - i < rx->left ? len - i : (size_t)rx->left;
		for (k = 0; k < n; k++)
			in[i + k] ^= rx->mask[(rx->pos + k) & 3];
		if (rx->op >= 8) {
			if (rx->ctl == NULL && n < rx->left)
				rx->ctl = mem_alloc(WSRX_CTL_MAX);
			if (rx->ctl) {
				memcpy(rx->ctl + rx->ctllen, in + i, n);
				rx->ctllen = (uint8_t)(rx->ctllen + n);
			}
		} else if (rx->msg != NULL || n < rx->left || !rx->fin ||
		    rx->msg_op != 0) {
			/* Spans reads or fragments: assemble. */
			if (rx->msg == NULL)
				rx->msg = mem_alloc(rx->max ? rx->max : 1);
			memcpy(rx->msg + rx->msglen, in + i, n);
			rx->msglen += (uint32_t)n;
		}
		rx->left -= n;
		rx->pos += n;
		i += n;
		if (rx->left > 0)
			continue;
		rc = wsrx_frame_done(rx, in + i - n, n, h, arg);
		if (rc)
			return rc;
	}
	return 0;
}

/* ---- Sec-WebSocket-Accept: base64(SHA-1(key + GUID)), FIPS 180-4 ------ */

static uint32_t
wsrx_rol(uint32_t x, int n)
{
	return (x << n) | (x >> (32 - n));
}

static void
wsrx_sha1_block(uint32_t h[5], const unsigned char *p)
{
	uint32_t w[80], a, b, c, d, e, f, k, t;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		    (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (; i < 80; i++)
		w[i] = wsrx_rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
	a = h[0];
	b = h[1];
	c = h[2];
	d = h[3];
	e = h[4];
	for (i = 0; i < 80; i++) {
		if (i < 20) {
			f = (b & c) | (~b & d);
			k = 0x5a827999;
		} else if (i < 40) {
			f = b ^ c ^ d;
			k = 0x6ed9eba1;
		} else if (i < 60) {
			f = (b & c) | (b & d) | (c & d);
			k = 0x8f1bbcdc;
		} else {
			f = b ^ c ^ d;
			k = 0xca62c1d6;
		}
		t = wsrx_rol(a, 5) + f + e + k + w[i];
		e = d;
		d = c;
		c = wsrx_rol(b, 30);
		b = a;
		a = t;
	}
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
	h[4] += e;
}

int
wsrx_accept(const char *key, size_t klen, char out[WSRX_ACCEPT_LEN + 1])
{
	static const char guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	                          "abcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned char m[128], d[21];
	uint32_t h[5] = { 0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476,
		0xc3d2e1f0 };
	size_t n = klen + sizeof(guid) - 1, blocks, i;
	uint64_t bits = (uint64_t)n * 8;

	/* Keys are 24 characters; anything that leaves no room for the
	 * padding in two blocks is refused. */
	if (klen > 64)
		return -1;
	memset(m, 0, sizeof(m));
	memcpy(m, key, klen);
	memcpy(m + klen, guid, sizeof(guid) - 1);
	m[n] = 0x80;
	blocks = n + 9 <= 64 ? 1 : 2;
	for (i = 0; i < 8; i++)
		m[blocks * 64 - 1 - i] = (unsigned char)(bits >> (8 * i));
	for (i = 0; i < blocks; i++)
		wsrx_sha1_block(h, m + 64 * i);
	for (i = 0; i < 20; i++)
		d[i] = (unsigned char)(h[i / 4] >> (24 - 8 * (i % 4)));
	d[20] = 0;
	for (i = 0; i < 7; i++) {
		uint32_t v = (uint32_t)d[3 * i] << 16 |
		    (uint32_t)d[3 * i + 1] << 8 | d[3 * i + 2];

		out[4 * i] = b64[v >> 18];
		out[4 * i + 1] = b64[(v >> 12) & 63];
		out[4 * i + 2] = b64[(v >> 6) & 63];
		out[4 * i + 3] = b64[v & 63];
	}
	out[27] = '=';
	out[28] = '\0';
	return 0;
}
