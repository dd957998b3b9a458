/* push.h - Web Push for the chat: the server's VAPID key, the checks of
 * a subscription, and easychat-deliver's sending of push jobs.
 *
 * A push job is an outbox row (kind 'push') written by the triggers of
 * migration 0075 (db/functions/37_push.sql) in the transaction of the
 * message: {"message_id"} for a message someone may need to hear of, or
 * {"user_id", "room_id"} for the summary that ends a collapsed minute.
 * The deliverer expands a message job at send time to the subscriptions
 * of members whom notify_level() says to tell (a mention, a DM, or level
 * 'all'), leaves out whoever presence says is online, collapses to one
 * push per user and room a minute, caps pushes per user an hour, and
 * records each push in push_sent after the push service took it: at
 * least once, so a job taken again after a crash sends what was not
 * recorded (the push in flight at the crash may go twice; the per-room
 * Topic and the service worker's per-room tag fold the repeat).
 *
 * Settings (env files; defaults in brackets):
 *   PUSH_ENABLED               1 turns Web Push on [0]
 *   VAPID_KEY_FILE             the private key, created at first start with
 *                              mode 0600 [EASYCHAT_VAR/vapid.key]
 *   PUSH_SUBJECT               the VAPID "sub" [the first PUBLIC_ORIGINS]
 *   PUSH_TTL                   seconds a push service keeps a push [86400]
 *   PUSH_COLLAPSE_SECONDS      one push per user and room in this [60]
 *   PUSH_PER_USER_HOUR         pushes per user an hour [60]
 *   PUSH_SUBSCRIPTIONS_MAX     devices per user [10]
 *   PUSH_ALLOW_HTTP_LOOPBACK   1 accepts http://127.x endpoints (tests) [0]
 *   PUSH_ALLOW_PRIVATE         1 accepts endpoints on private, loopback
 *                              and other non-public addresses (tests, a
 *                              push service inside the network) [0]
 *
 * Without PUSH_ALLOW_PRIVATE=1 a push never goes to an address inside the
 * operator's network (SSRF): a subscription whose host is such a literal
 * address (or localhost) is refused, and the deliverer checks every
 * address it is about to connect to (fetch_post's public_only), so a name
 * that resolves there, even for one lookup, is refused and its
 * subscription deleted.
 *
 * Layer: domain (over db, fetch, webpush, presence and cfg).
 */
#ifndef EC_PUSH_H
#define EC_PUSH_H

#include <stddef.h>

#include "err.h"
#include "webpush.h"

/* 1 when PUSH_ENABLED=1 (after cfg_load()). */
int push_enabled(void);

/* The server's VAPID key pair from VAPID_KEY_FILE.  With `create`, a
 * missing file is made (mode 0600, O_EXCL so two starters agree on one
 * key).  ERR_NOT_ENABLED when the file is absent and not to be created,
 * ERR_INTERNAL (logged) when it cannot be read, written or parsed, or
 * when VAPID_KEY_FILE is relative and EASYCHAT_VAR is not set. */
enum err_code push_vapid_key(struct webpush_key *key, int create);

/* Checks a subscription as the browser gives it: the endpoint an https://
 * URL of at most 2048 bytes (http:// to 127.0.0.0/8 only with
 * PUSH_ALLOW_HTTP_LOOPBACK=1) with no user name and a host that is not
 * a literal non-public address (fetch_host_public) unless
 * PUSH_ALLOW_PRIVATE=1, p256dh a P-256 point, auth 16 bytes.
 * Returns NULL when fine, else which field is wrong and why ("endpoint",
 * "p256dh" or "auth" in *field). */
const char *push_check_subscription(const char *endpoint, const char *p256dh,
    const char *auth, const char **field);

/* Sends one push job (its outbox payload).  ERR_OK when it is done with
 * (sent, nobody to tell, or malformed); ERR_UNAVAILABLE when a push
 * service or the database failed and the job should be tried again,
 * with the reason in err and, after a 429 or 503 with Retry-After, the
 * seconds asked for in *retry_after. */
enum err_code
push_job(const char *payload, char *err, size_t size, long *retry_after);

/* Forgets push_sent rows older than a day (the cap looks back an hour;
 * a job lives at most a day). */
void push_forget_old(void);

#endif
