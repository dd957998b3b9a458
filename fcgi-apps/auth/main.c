/* main.c - the auth program: its route table and main().  The handlers
 * are in account.c (sign-up, sign-in, tokens, sessions, tickets),
 * oauth.c (Google and GitHub), reset.c (password reset by mail) and
 * verify.c (e-mail verification). */
#include "account.h"
#include "app.h"
#include "oauth.h"
#include "reset.h"
#include "verify.h"

static const struct http_route routes[] = {
	{ HTTP_POST, "/api/auth/signup", account_signup, HTTP_RATE_SIGNUP },
	{ HTTP_POST, "/api/auth/login", account_login, 0 },
	{ HTTP_POST, "/api/auth/token", account_token, 0 },
	{ HTTP_POST, "/api/auth/refresh", account_refresh, 0 },
	{ HTTP_POST, "/api/auth/logout", account_logout,
	    HTTP_AUTH_OPTIONAL | HTTP_RATE_EXEMPT },
	{ HTTP_GET, "/api/auth/me", account_me, HTTP_AUTH_REQUIRED },
	{ HTTP_GET, "/api/auth/session", account_session, HTTP_AUTH_OPTIONAL },
	{ HTTP_GET, "/api/auth/providers", account_providers, 0 },
	{ HTTP_POST, "/api/auth/ws-ticket", account_ws_ticket,
	    HTTP_AUTH_REQUIRED },
	{ HTTP_POST, "/api/auth/password/forgot", reset_forgot, 0 },
	{ HTTP_POST, "/api/auth/password/reset", reset_confirm, 0 },
	{ HTTP_POST, "/api/auth/email/verify", verify_confirm, 0 },
	{ HTTP_POST, "/api/auth/email/resend", verify_resend,
	    HTTP_AUTH_REQUIRED },
	{ HTTP_GET, "/api/auth/oauth/{str}/start", oauth_start, 0 },
	{ HTTP_GET, "/api/auth/oauth/{str}/callback", oauth_callback,
	    HTTP_AUTH_OPTIONAL },
};

int
main(int argc, char **argv)
{
	if (account_init())
		return 1;
	return app_run(argc, argv, "auth", APP_ROUTES(routes));
}
