/* verify.h - the auth program's optional e-mail verification (verify.c),
 * for sign-up in account.c, password reset in reset.c and the route table
 * in main.c. */
#ifndef EC_AUTH_VERIFY_H
#define EC_AUTH_VERIFY_H

#include <stdint.h>

#include "http.h"

/* 1 when addresses are verified: EMAIL_VERIFY=1 and mail set up. Then an
 * unverified address receives no password reset link. */
int verify_enabled(void);

/* Queues a verification mail (through the outbox) for the user's current
 * address when verification is on and the address is set and not yet
 * verified; nothing otherwise. For sign-up. */
enum err_code verify_queue_signup(int64_t user_id);

/* POST /api/auth/email/verify {token}: marks the address the link was
 * sent to verified (if it is still the account's) and uses up the
 * account's links; 204. 400 on fields.token for an unknown, used or
 * expired link. No session needed: the link may be opened anywhere. */
enum err_code verify_confirm(struct http_req *r);

/* POST /api/auth/email/resend: a new link to the caller's address; 202
 * {}. 404 not_enabled when verification is off, 409 without an address
 * or when it is verified, 429 above VERIFY_PER_HOUR links an hour. */
enum err_code verify_resend(struct http_req *r);

#endif
