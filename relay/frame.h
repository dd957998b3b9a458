/* frame.h - reference-counted outgoing websocket frames and a JSON
 * skimmer (a leaf: knows nothing of the relay).
 *
 * A frame carries its complete websocket header, built once when the
 * frame is made.  Server-to-client frames are never masked, so the bytes
 * on the wire are the same for every recipient and one frame is shared
 * by every queue it is pushed to.
 */
#ifndef EC_RELAY_FRAME_H
#define EC_RELAY_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define FRAME_HDR_MAX 10 /* longest server websocket header */

/* Opcodes (RFC 6455 5.2). */
#define FRAME_TEXT  0x1
#define FRAME_CLOSE 0x8
#define FRAME_PING  0x9
#define FRAME_PONG  0xA

/* One final frame, header included: data[FRAME_HDR_MAX - hlen ..
 * FRAME_HDR_MAX) is the websocket header, then len payload bytes and a
 * NUL (not sent). */
struct frame {
	unsigned refs;
	unsigned len;       /* payload bytes */
	unsigned char hlen; /* header bytes: 2, 4 or 10 */
	unsigned char data[];
};

/* A text frame holding a copy of json[0..len); one reference. */
struct frame *frame_new(const char *json, size_t len);
/* A final frame of any opcode holding a copy of payload[0..len). */
struct frame *frame_new_op(int opcode, const void *payload, size_t len);
/* A Close frame: the 2-byte code and a reason (at most 123 bytes). */
struct frame *frame_close(unsigned code, const char *reason);
struct frame *
frame_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
unsigned char *frame_payload(struct frame *f);
/* The frame as sent: header and payload, frame_wire_len() bytes. */
const unsigned char *frame_wire(const struct frame *f);
size_t frame_wire_len(const struct frame *f);
void frame_ref(struct frame *f);
/* Drops one reference; frees at zero.  NULL is a no-op. */
void frame_unref(struct frame *f);

/* The value of top-level key `key` of the JSON object text s[0..n):
 * *val and *vlen span the raw value (a string keeps its quotes).  Returns 0
 * when found, -1 when absent or the text is not an object.  Only skims:
 * strings and nesting are skipped without building anything. */
int frame_scan(const char *s, size_t n, const char *key, const char **val,
    size_t *vlen);
/* The top-level string `key` copied into out (no unescaping; -1 when
 * absent, not a string, or too long). */
int frame_scan_str(const char *s, size_t n, const char *key, char *out,
    size_t outsz);
/* The top-level integer `key`; -1 when absent or not an integer. */
int frame_scan_int(const char *s, size_t n, const char *key, int64_t *out);

#endif
