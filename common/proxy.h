/* proxy.h - the client's address behind trusted reverse proxies.
 *
 * A request's peer is the last hop (usually the front web server).  Only
 * when that peer is in TRUSTED_PROXIES (a list of CIDR blocks, IPv4 or
 * IPv6, e.g. "127.0.0.1/32, 10.0.0.0/8, ::1") is the forwarding header
 * believed: walking it from the right, each hop appended by a trusted
 * proxy is skipped, and the first untrusted one is the client.  Without
 * TRUSTED_PROXIES (the default) the headers are ignored and the peer is
 * the client.  TRUSTED_PROXY_HEADER says which header the proxies set:
 * "x-forwarded-for" (default; with X-Forwarded-Proto) or "forwarded"
 * (RFC 7239 for= and proto=); the other one is never read, so a client
 * cannot forge its way around the proxy through it.
 *
 * The programs get the result as r->remote_addr (common/http.c), used by
 * rate limits and logs.  Other processes (the relay) do the same with
 * proxy_list_parse(cfg_get("TRUSTED_PROXIES", ""), ...) once and
 * proxy_client() per connection.  Pure functions: no I/O, no globals.
 *
 * Layer: base (common/README.md) - knows nothing of chat; includes base
 * headers only.
 */
#ifndef EC_PROXY_H
#define EC_PROXY_H

#include <stddef.h>

#include "err.h"

#define PROXY_ADDR_MAX 46 /* INET6_ADDRSTRLEN */

enum proxy_header { PROXY_XFF = 0, PROXY_FORWARDED };

struct proxy_net {
	int family; /* AF_INET or AF_INET6 */
	unsigned char addr[16];
	int bits;
};

struct proxy_list {
	struct proxy_net *nets;
	size_t n;
	enum proxy_header header;
};

/* Parses a comma- or space-separated list of addresses and CIDR blocks
 * into *out (released with proxy_list_release()).  ERR_VALIDATION, with
 * *out empty, when an entry is not an address or a prefix is too long. */
enum err_code proxy_list_parse(const char *spec, struct proxy_list *out);

void proxy_list_release(struct proxy_list *l);

/* 1 when textual address `addr` lies in one of the list's blocks
 * (IPv4-mapped IPv6 addresses count as IPv4). */
int proxy_trusted(const struct proxy_list *l, const char *addr);

/* Writes the client's address (canonical text) into out: `peer` itself
 * unless it is trusted; then the rightmost untrusted hop of the
 * configured header (`xff`: the X-Forwarded-For value, `forwarded`: the
 * Forwarded value; either may be NULL).  A malformed hop ends the walk
 * at the last address that was read. */
void proxy_client(const struct proxy_list *l, const char *peer, const char *xff,
    const char *forwarded, char out[PROXY_ADDR_MAX]);

/* The scheme the client used ("https" or "http") as a trusted proxy
 * says (X-Forwarded-Proto, or proto= of the client's Forwarded
 * element), or NULL when the peer is not trusted or says nothing. */
const char *proxy_scheme(const struct proxy_list *l, const char *peer,
    const char *xfp, const char *forwarded);

#endif
