/* mail.h - sending e-mail over SMTP (libcurl's smtp:// and smtps://).
 *
 * Off unless MAIL_ENABLED=1 and MAIL_URL is set.  Settings (env files):
 *   MAIL_URL       smtp://host:port (STARTTLS when the server offers it;
 *                  MAIL_TLS=1 requires it) or smtps://host:port
 *   MAIL_FROM      the sender address, e.g. chat@example.org
 *   MAIL_USER, MAIL_PASSWORD   SMTP authentication, when the server wants it
 * A message is plain UTF-8 text with one recipient; addresses are checked
 * (no CR, LF or angle brackets: nothing a user types can add a header)
 * and the subject is encoded as RFC 2047 when it is not ASCII.  Sending
 * takes up to 30 s, so programs never send in a request: they write a
 * job to the outbox and easychat-deliver sends it.
 *
 * Layer: base (common/README.md) - knows nothing of chat; includes base
 * headers only.
 */
#ifndef EC_MAIL_H
#define EC_MAIL_H

#include "buf.h"
#include "err.h"

/* 1 when MAIL_ENABLED=1 and MAIL_URL is set (after cfg_load()). */
int mail_enabled(void);

/* 1 when `addr` is a plausible single address (local@domain, printable
 * ASCII or UTF-8, at most 254 bytes, no spaces, quotes, angle brackets or
 * control characters). */
int mail_address_ok(const char *addr);

/* The whole message (headers and body, CRLF line ends, dot-safe) into
 * out; ERR_VALIDATION when an address is not ok. */
enum err_code mail_format(struct buf *out, const char *from, const char *to,
    const char *subject, const char *text, const char *message_id);

/* Sends one message; ERR_NOT_ENABLED when mail is off, ERR_UNAVAILABLE
 * when the server cannot be reached or refuses it (the SMTP reply in
 * err, at most err_size bytes). */
enum err_code mail_send(const char *to, const char *subject, const char *text,
    char *err, size_t err_size);

#endif
