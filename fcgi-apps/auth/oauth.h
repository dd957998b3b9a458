/* oauth.h - sign-in with Google and GitHub (authorization code flow). */
#ifndef EC_AUTH_OAUTH_H
#define EC_AUTH_OAUTH_H

#include "http.h"

/* GET /api/auth/oauth/{provider}/start: 302 to the provider. */
enum err_code oauth_start(struct http_req *r);

/* GET /api/auth/oauth/{provider}/callback: links or creates the user,
 * signs in, 302 to the SPA (to /login?oauth_error=... on failure). */
enum err_code oauth_callback(struct http_req *r);

#endif
