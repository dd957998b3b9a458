/* wsrx.h - the parser of client websocket frames (RFC 6455 section 5), a
 * leaf: knows nothing of the relay.
 *
 * The relay parses client frames itself instead of leaving them to
 * libwebsockets 4.1.6, which accepts unmasked frames, answers only one of
 * several pending pings, drops the connection without a Close frame on
 * malformed control frames and echoes invalid close codes (see
 * relay/README.md).  Bytes are fed as they arrive, split anywhere;
 * complete text messages (fragments assembled) and control frames are
 * handed to callbacks.  A protocol violation returns the close code the
 * connection must be failed with.
 *
 * Memory: the state is a few dozen bytes; a buffer is allocated only
 * while a message spans several reads or fragments (at most `max` bytes)
 * or a control frame spans reads (125 bytes), and freed when it is
 * complete, so idle connections hold none.
 */
#ifndef EC_RELAY_WSRX_H
#define EC_RELAY_WSRX_H

#include <stddef.h>
#include <stdint.h>

/* Close codes the parser asks for. */
#define WSRX_PROTOCOL_ERROR 1002
#define WSRX_UNSUPPORTED    1003 /* a binary message */
#define WSRX_INVALID_DATA   1007 /* close reason not UTF-8 */
#define WSRX_TOO_BIG        1009

struct wsrx_handlers {
	/* A complete text message (unmasked; not checked for UTF-8).
	 * Returns 0 to go on, non-zero to stop feeding (returned). */
	int (*message)(void *arg, char *text, size_t len);
	/* A ping (answer with a pong of the same payload), a pong, or a
	 * close (code 0 when the frame had no payload; otherwise a valid
	 * code, and reason[0..len) valid UTF-8).  Returns as message. */
	int (*ping)(void *arg, const unsigned char *p, size_t len);
	int (*pong)(void *arg, const unsigned char *p, size_t len);
	int (*close)(void *arg, unsigned code, const char *reason, size_t len);
};

struct wsrx {
	uint32_t max;    /* longest message accepted */
	uint8_t hdr[14]; /* the current frame's header so far */
	uint8_t hlen;    /* bytes in hdr */
	uint8_t need;    /* header length once known, else 0 */
	uint8_t op;      /* the current frame's opcode */
	uint8_t fin;     /* ... and its FIN bit */
	uint8_t msg_op;  /* the message being assembled, 0 = none */
	uint8_t ctllen;  /* control payload bytes in ctl */
	uint8_t mask[4];
	uint64_t left;      /* payload bytes still to come */
	uint64_t pos;       /* payload bytes seen (mask index) */
	unsigned char *msg; /* assembled message (malloc, max bytes) */
	uint32_t msglen;
	unsigned char *ctl; /* a control payload split across reads */
};

void wsrx_init(struct wsrx *rx, uint32_t max);
/* Frees the buffers; the parser may be wsrx_init()ed again. */
void wsrx_release(struct wsrx *rx);
/* Feeds in[0..len) (unmasked in place).  Returns 0 when everything was
 * consumed, a WSRX_* close code on a protocol violation (the connection
 * must be failed: nothing more may be fed), or what a callback returned
 * when it asked to stop. */
int wsrx_feed(struct wsrx *rx, unsigned char *in, size_t len,
    const struct wsrx_handlers *h, void *arg);
/* 1 when a close code received from a peer is valid (RFC 6455 7.4). */
int wsrx_close_code_valid(unsigned code);

#define WSRX_ACCEPT_LEN 28

/* The Sec-WebSocket-Accept value for key[0..klen) (RFC 6455 4.2.2):
 * base64 of SHA-1 of the key and the protocol's GUID.  -1 when the key is
 * longer than 64 bytes. */
int wsrx_accept(const char *key, size_t klen, char out[WSRX_ACCEPT_LEN + 1]);

#endif
