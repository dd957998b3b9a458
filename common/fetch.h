/* fetch.h - outgoing HTTP(S) requests (over libcurl), for OAuth, Sentry and Web
 * Push.
 *
 * Bounded like everything else: 5 s timeout, no redirects, http/https
 * only, and the answer is capped by the caller's buffer maximum.
 *
 * Layer: base (common/README.md) - knows nothing of chat; includes base
 * headers only.
 */
#ifndef EC_FETCH_H
#define EC_FETCH_H

#include <stddef.h>
#include <sys/socket.h>

#include "buf.h"
#include "err.h"

/* Performs a request.  `method` is "GET" or "POST"; `body` (may be NULL)
 * is sent as is with the headers in `headers` (NULL-terminated list of
 * "Name: value", may be NULL).  On ERR_OK *status is the HTTP status and
 * `out` holds the response body.  ERR_UNAVAILABLE when the server cannot
 * be reached or answers too slowly, ERR_TOO_LARGE when the answer exceeds
 * out->max. */
enum err_code fetch(const char *method, const char *url, const char *body,
    const char *const *headers, struct buf *out, long *status);

/* Room for an address as text ("::ffff:255.255.255.255" and more). */
#define FETCH_ADDR_MAX 64

/* A POST of a binary body on a kept connection (HTTP/2 over TLS where
 * the server offers it, HTTP/1.1 otherwise), for the Web Push
 * deliverer: one handle per process, reused, so a run of pushes to one
 * push service shares a connection.  `headers` as for fetch().  On
 * ERR_OK *status is the HTTP status and *retry_after the Retry-After
 * header's seconds (0 when absent or a date); the answer body is
 * discarded.  ERR_UNAVAILABLE when the server cannot be reached or
 * answers too slowly (5 s).  fetch_post_close() frees the handle.
 *
 * With `public_only`, every address libcurl is about to open a socket to
 * is checked with fetch_addr_public() first (the address the connection
 * is really made to, after DNS: a name that resolves to a private address
 * for this one lookup is caught too; a kept connection was checked when it
 * was opened).  ERR_FORBIDDEN when every address was refused, with the
 * last one refused in `refused` (FETCH_ADDR_MAX bytes, may be NULL). */
enum err_code fetch_post(const char *url, const void *body, size_t len,
    const char *const *headers, int public_only, long *status,
    long *retry_after, char *refused);
void fetch_post_close(void);

/* 1 when a server on the public Internet may have this address; 0 for
 * the unspecified, loopback, private (RFC 1918; IPv6 unique local),
 * link-local, CGNAT (100.64.0.0/10), multicast, broadcast and other
 * reserved ranges, which would reach into the operator's own network.
 * IPv6 addresses that carry an IPv4 one (IPv4-mapped ::ffff:0:0/96,
 * IPv4-compatible ::/96, NAT64 64:ff9b::/96, 6to4 2002::/16) are judged
 * by that IPv4 address.  `sa` is AF_INET or AF_INET6; any other family
 * gives 0. */
int fetch_addr_public(const struct sockaddr *sa);

/* The same for the host part of a URL (`len` bytes, no port): 1 or 0 when
 * it is an IP literal (dotted IPv4 in any form inet_aton() takes, such
 * as "127.1" or "2130706433", or "[IPv6]" with an optional %zone) or the
 * name "localhost" or "*.localhost" (RFC 6761, taken as loopback); -1
 * for any other name, which only the connection can check. */
int fetch_host_public(const char *host, size_t len);

/* Percent-encodes `s` for a URL query or form value, appending to out. */
enum err_code fetch_escape(struct buf *out, const char *s);

#endif
