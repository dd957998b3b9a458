/* account.h - the handlers of the auth program's account resource
 * (account.c), for the route table in main.c. */
#ifndef EC_AUTH_ACCOUNT_H
#define EC_AUTH_ACCOUNT_H

#include "http.h"

/* POST /api/auth/signup {username, password, email?}: 201 {user} and
 * the session cookies. */
enum err_code account_signup(struct http_req *r);

/* POST /api/auth/login {username, password}: 200 {user} and cookies. */
enum err_code account_login(struct http_req *r);

/* POST /api/auth/token {username, password}: tokens in the body
 * (bearer clients). */
enum err_code account_token(struct http_req *r);

/* POST /api/auth/refresh: rotates the refresh token (cookie or body). */
enum err_code account_refresh(struct http_req *r);

/* POST /api/auth/logout: ends the session; 204. */
enum err_code account_logout(struct http_req *r);

/* GET /api/auth/me: {user} of the caller. */
/* GET /api/auth/session: 200 {"user": the caller} or {"user": null} when
 * signed out (never 401). */
enum err_code account_session(struct http_req *r);

enum err_code account_me(struct http_req *r);

/* GET /api/auth/providers: the OAuth providers enabled. */
enum err_code account_providers(struct http_req *r);

/* POST /api/auth/ws-ticket: a one-time websocket ticket. */
enum err_code account_ws_ticket(struct http_req *r);

/* Prepares the program (libsodium, the dummy hash that keeps sign-in
 * for an unknown user as slow as for a known one); before app_run(). */
enum err_code account_init(void);

#endif
