/* admin.c - easychat-admin: the operator's command line over common/
 * (disable and enable users, reset passwords, list and revoke sessions,
 * counts), for what would otherwise need SQL.
 *
 * It lives in common/cli/ beside easychat-wire: a C program over the
 * library (outside its archives) that is neither a FastCGI program
 * (fcgi-apps/, which the front servers route to and whose route tables
 * the tests walk) nor the relay. It reads the same
 * configuration as the programs ($EASYCHAT_ENV) and revokes sessions the
 * way auth does (common/auth.c: the revocation mark in Redis and a
 * session.revoked event, on which the relays close the websockets at
 * once).
 *
 *   easychat-admin counts
 *   easychat-admin disable USERNAME
 *   easychat-admin enable USERNAME
 *   easychat-admin reset-password USERNAME   (new password: first line of stdin)
 *   easychat-admin sessions USERNAME
 *   easychat-admin revoke-sessions USERNAME
 *
 * Exit status: 0 done, 1 failed (message on stderr), 2 usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "cfg.h"
#include "db.h"
#include "log.h"
#include "rds.h"
#include "sec.h"
#include "utf8.h"

#define ADMIN_PASSWORD_MIN 8
#define ADMIN_PASSWORD_MAX 128

static int
admin_usage(void)
{
	fputs("usage: easychat-admin counts\n"
	      "       easychat-admin disable|enable USERNAME\n"
	      "       easychat-admin reset-password USERNAME  (password on "
	      "stdin)\n"
	      "       easychat-admin sessions|revoke-sessions USERNAME\n",
	    stderr);
	return 2;
}

/* The id of a user by name (case-insensitive, as sign-in); ERR_NOT_FOUND
 * when there is none. */
static enum err_code
admin_user_id(const char *username, int64_t *id)
{
	struct db_res *res = NULL;
	enum err_code rc;

	rc = db_query(&res,
	    "SELECT id FROM users WHERE lower(username) = lower($1)",
	    DB_TEXT(username));
	if (rc)
		goto out;
	if (db_rows(res) != 1) {
		rc = ERR_NOT_FOUND;
		goto out;
	}
	*id = db_int(res, 0, 0);
out:
	db_res_free(res);
	return rc;
}

static enum err_code
admin_counts(void)
{
	struct db_res *res = NULL;
	enum err_code rc;

	rc = db_query(&res,
	    "SELECT (SELECT count(*) FROM users), "
	    "(SELECT count(*) FROM users WHERE NOT is_active), "
	    "(SELECT count(*) FROM sessions WHERE revoked_at IS NULL), "
	    "(SELECT count(*) FROM groups), (SELECT count(*) FROM rooms), "
	    "(SELECT count(*) FROM messages)");
	if (rc)
		goto out;
	printf("users %s\ndisabled_users %s\nopen_sessions %s\ngroups %s\n"
	       "rooms %s\nmessages %s\n",
	    db_value(res, 0, 0), db_value(res, 0, 1), db_value(res, 0, 2),
	    db_value(res, 0, 3), db_value(res, 0, 4), db_value(res, 0, 5));
out:
	db_res_free(res);
	return rc;
}

/* Disables or enables a user. Disabling also ends every session at once
 * (tokens refused, websockets closed); the user's groups, messages and
 * pictures stay. A disabled user cannot sign in or refresh. */
static enum err_code
admin_set_active(int64_t id, int active)
{
	enum err_code rc;

	rc = db_query(NULL, "UPDATE users SET is_active = $2 WHERE id = $1",
	    DB_I64(id), DB_BOOL(active));
	if (rc == ERR_OK && !active)
		rc = auth_session_revoke_user(id, 0);
	return rc;
}

/* Reads the new password from the first line of stdin (so it appears in
 * no process list or shell history), sets it, ends every session. */
static enum err_code
admin_reset_password(int64_t id)
{
	char line[ADMIN_PASSWORD_MAX * 4 + 3], hash[SEC_HASH_MAX];
	size_t len, count;
	enum err_code rc;

	if (fgets(line, sizeof(line), stdin) == NULL) {
		fputs("easychat-admin: no password on stdin\n", stderr);
		return ERR_VALIDATION;
	}
	len = strcspn(line, "\r\n");
	line[len] = '\0';
	count = utf8_valid(line, len) ? utf8_count(line, len) : 0;
	if (count < ADMIN_PASSWORD_MIN || count > ADMIN_PASSWORD_MAX) {
		fprintf(stderr,
		    "easychat-admin: the password must be %d to %d characters "
		    "of UTF-8\n",
		    ADMIN_PASSWORD_MIN, ADMIN_PASSWORD_MAX);
		return ERR_VALIDATION;
	}
	rc = sec_password_hash(line, len, hash);
	if (rc)
		return rc;
	rc = db_query(NULL, "UPDATE users SET password_hash = $2 WHERE id = $1",
	    DB_I64(id), DB_TEXT(hash));
	if (rc == ERR_OK)
		rc = auth_session_revoke_user(id, 0);
	return rc;
}

static enum err_code
admin_sessions(int64_t id)
{
	struct db_res *res = NULL;
	enum err_code rc;
	size_t i;

	rc = db_query(&res,
	    "SELECT id, to_char(created_at AT TIME ZONE 'UTC', "
	    "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
	    "coalesce(to_char(revoked_at AT TIME ZONE 'UTC', "
	    "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), 'open') "
	    "FROM sessions WHERE user_id = $1 ORDER BY id",
	    DB_I64(id));
	if (rc)
		goto out;
	for (i = 0; i < db_rows(res); i++)
		printf("session %s created %s %s\n", db_value(res, i, 0),
		    db_value(res, i, 1), db_value(res, i, 2));
out:
	db_res_free(res);
	return rc;
}

int
main(int argc, char **argv)
{
	const char *cmd;
	enum err_code rc;
	int64_t id = 0;

	if (argc < 2)
		return admin_usage();
	cmd = argv[1];
	if (strcmp(cmd, "counts") == 0 ? argc != 2 : argc != 3)
		return admin_usage();
	log_init("admin", NULL);
	rc = cfg_load();
	if (rc == ERR_OK)
		rc = sec_init();
	if (rc)
		goto out;
	if (argc == 3) {
		rc = admin_user_id(argv[2], &id);
		if (rc == ERR_NOT_FOUND)
			fprintf(stderr, "easychat-admin: no user %s\n",
			    argv[2]);
		if (rc)
			goto out;
	}
	if (strcmp(cmd, "counts") == 0)
		rc = admin_counts();
	else if (strcmp(cmd, "disable") == 0)
		rc = admin_set_active(id, 0);
	else if (strcmp(cmd, "enable") == 0)
		rc = admin_set_active(id, 1);
	else if (strcmp(cmd, "reset-password") == 0)
		rc = admin_reset_password(id);
	else if (strcmp(cmd, "sessions") == 0)
		rc = admin_sessions(id);
	else if (strcmp(cmd, "revoke-sessions") == 0)
		rc = auth_session_revoke_user(id, 0);
	else {
		rc = ERR_BAD_REQUEST;
		admin_usage();
	}
out:
	if (rc && rc != ERR_NOT_FOUND && rc != ERR_VALIDATION)
		fprintf(stderr, "easychat-admin: %s failed: %s\n", cmd,
		    err_name(rc));
	db_close();
	rds_close();
	cfg_release();
	return rc ? 1 : 0;
}
