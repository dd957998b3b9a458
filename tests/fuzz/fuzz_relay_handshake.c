/* fuzz_relay_handshake.c - libFuzzer harness for the relay's upgrade
 * request parser (listen_parse in relay/listen.c) and its 101 answer.
 *
 * Linked with the relay's objects except main.o, so the globals main.c
 * defines are defined here. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../relay/relay.h"

struct relay_conf relay_conf;
struct ev_loop *relay_loop;
int relay_stopping;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

double
relay_now(void)
{
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hs_head hd;
	char *buf, answer[256];
	const char *end;

	if (size > 8192)
		return 0;
	/* As hs_read_cb gives it: NUL-terminated after what was read. */
	buf = malloc(size + 1);
	memcpy(buf, data, size);
	buf[size] = '\0';
	end = buf + size;
	if (listen_parse(buf, size, &hd) == ERR_OK) {
		/* Every span points into the request head. */
		if (hd.head_len > size || hd.target < buf ||
		    hd.target + hd.target_len > end || hd.key == NULL ||
		    hd.key + hd.key_len > end || hd.key_len != 24)
			abort();
		if (ws_upgrade_answer(hd.key, hd.key_len,
		        hd.protocol ? WS_PROTOCOL : NULL, answer,
		        sizeof(answer)) < 0)
			abort();
	} else if (hd.status < 400 || hd.status > 599) {
		abort();
	}
	free(buf);
	return 0;
}
