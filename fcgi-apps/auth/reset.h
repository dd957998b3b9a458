/* reset.h - the auth program's password reset by e-mail (reset.c), for
 * the route table in main.c. */
#ifndef EC_AUTH_RESET_H
#define EC_AUTH_RESET_H

#include "http.h"

/* POST /api/auth/password/forgot {email}: 202 {} whether or not an
 * account has that address; each active account with it gets a mail with
 * a single-use link (through the outbox). 404 not_enabled without mail. */
enum err_code reset_forgot(struct http_req *r);

/* POST /api/auth/password/reset {token, password}: sets the password of
 * the link's account, uses the link up, signs out every session; 204. */
enum err_code reset_confirm(struct http_req *r);

#endif
