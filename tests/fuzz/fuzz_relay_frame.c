/* fuzz_relay_frame.c - libFuzzer harness for the relay's client frame
 * parser (relay/wsrx.c).
 *
 * The first input byte chooses how the rest is split into reads (1 to 16
 * bytes, or all at once), as frames arrive split anywhere; the parser
 * must never read or write outside what it is given, never hand up a
 * message over its maximum, and free what it allocated. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../relay/wsrx.h"

#define FUZZ_MAX 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
fuzz_message(void *arg, char *text, size_t len)
{
	if (len > FUZZ_MAX)
		abort();
	if (len)
		(*(unsigned *)arg) += (unsigned char)text[len - 1];
	return 0;
}

static int
fuzz_ping(void *arg, const unsigned char *p, size_t len)
{
	if (len > 125)
		abort();
	return 0;
}

static int
fuzz_close(void *arg, unsigned code, const char *reason, size_t len)
{
	if (code != 0 && !wsrx_close_code_valid(code))
		abort();
	return 1; /* as the relay: nothing is read after a Close */
}

static const struct wsrx_handlers fuzz_handlers = { fuzz_message, fuzz_ping,
	fuzz_ping, fuzz_close };

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wsrx rx;
	unsigned char *buf;
	unsigned sum = 0;
	size_t step, off, n;
	int rc = 0;

	if (size < 1)
		return 0;
	step = data[0] % 17; /* 0: everything at once */
	data++;
	size--;
	buf = malloc(size ? size : 1);
	memcpy(buf, data, size);
	wsrx_init(&rx, FUZZ_MAX);
	for (off = 0; off < size && rc == 0; off += n) {
		n = step ? step : size;
		if (n > size - off)
			n = size - off;
		rc = wsrx_feed(&rx, buf + off, n, &fuzz_handlers, &sum);
	}
	wsrx_release(&rx);
	free(buf);
	return 0;
}
