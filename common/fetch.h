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

/* A POST of a binary body on a kept connection (HTTP/2 over TLS where
 * the server offers it, HTTP/1.1 otherwise), for the Web Push
 * deliverer: one handle per process, reused, so a run of pushes to one
 * push service shares a connection.  `headers` as for fetch().  On
 * ERR_OK *status is the HTTP status and *retry_after the Retry-After
 * header's seconds (0 when absent or a date); the answer body is
 * discarded.  ERR_UNAVAILABLE when the server cannot be reached or
 * answers too slowly (5 s).  fetch_post_close() frees the handle. */
enum err_code fetch_post(const char *url, const void *body, size_t len,
    const char *const *headers, long *status, long *retry_after);
void fetch_post_close(void);

/* Percent-encodes `s` for a URL query or form value, appending to out. */
enum err_code fetch_escape(struct buf *out, const char *s);

#endif
