/* status.h - the HTTP status reason phrases and the JSON error body of
XX
 * handshake answers (relay/listen.c).
 *
 * Layer: base (over err, buf and json; nothing here knows chat).
 */
#ifndef EC_STATUS_H
#define EC_STATUS_H

#include "buf.h"
#include "err.h"

struct json_object;

/* The reason phrase of an HTTP status ("Not Found"); for a status not in
 * the table, the phrase of its class (200, 400 or 500).  Never NULL. */
const char *status_reason(int status);

/* Appends the error body (`Error`, common/openapi.yaml) to out:
 *   {"error":{"code":"<err_name>","message":"...","fields":{...}}}
 * message NULL takes err_message(code); `fields` is left out when NULL or
 * empty (the caller keeps its reference). */
void status_error_body(struct buf *out, enum err_code code, const char *message,
    struct json_object *fields);

#endif
