/* admin.c - easychat-admin: the operator's command line over common/
 * (disable and enable users, reset passwords, list and revoke sessions,
 * counts, the site admin role, deleting users), for what would otherwise
 * need SQL.
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
 *   easychat-admin reset-password USERNAME   (new password: first line of
 * stdin) easychat-admin sessions USERNAME easychat-admin revoke-sessions
 * USERNAME easychat-admin grant-admin|revoke-admin USERNAME   (site admin role)
 *   easychat-admin create-admin USERNAME   (new site admin; password: stdin)
 *   easychat-admin delete-user USERNAME [--purge]   (common/useradm.h)
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
#include "useradm.h"
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
	      "       easychat-admin sessions|revoke-sessions USERNAME\n"
	      "       easychat-admin grant-admin|revoke-admin USERNAME\n"
	      "       easychat-admin create-admin USERNAME  (password on "
	      "stdin)\n"
	      "       easychat-admin delete-user USERNAME [--purge]\n",
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

/* Reads the new password from the first line of stdin (so it appears in
 * no process list or shell history), sets it, ends every session. */
static enum err_code
admin_read_password(char hash[SEC_HASH_MAX])
{
	char line[ADMIN_PASSWORD_MAX * 4 + 3];
	size_t len, count;

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
	return sec_password_hash(line, len, hash);
}

static enum err_code
admin_reset_password(int64_t id)
{
	char hash[SEC_HASH_MAX];
	enum err_code rc;

	rc = admin_read_password(hash);
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

/* A new account with the site admin role (as sign-up makes one, with
 * a profile and default pictures). */
static enum err_code
admin_create_admin(const char *username)
{
	char hash[SEC_HASH_MAX];
	enum err_code rc;
	size_t i, len = strlen(username);

	/* The sign-up rule (users_username_format): 5-45 of [A-Za-z0-9_-]. */
	for (i = 0; i < len; i++) {
		if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXY"
		           "Z"
		           "0123456789_-",
		        username[i]) == NULL)
			break;
	}
	if (len < 5 || len > 45 || i != len) {
		fputs("easychat-admin: a username is 5 to 45 letters, digits, "
		      "_ or -\n",
		    stderr);
		return ERR_VALIDATION;
	}
	rc = admin_read_password(hash);
	if (rc)
		return rc;
	rc = db_query(NULL,
	    "WITH u AS (INSERT INTO users (username, password_hash, "
	    "is_site_admin) VALUES ($1, $2, true) RETURNING id) "
	    "INSERT INTO profiles (user_id) SELECT id FROM u",
	    DB_TEXT(username), DB_TEXT(hash));
	if (rc == ERR_CONFLICT)
		fprintf(stderr, "easychat-admin: %s is taken\n", username);
	return rc == ERR_CONFLICT ? ERR_VALIDATION : rc;
}

static enum err_code
admin_delete_user(int64_t id, int purge)
{
	struct useradm_deleted d;
	enum err_code rc;

	rc = useradm_delete(id, purge, &d);
	if (rc == ERR_OK)
		printf("deleted; groups handed over %zu, groups deleted %zu, "
		       "messages purged %zu\n",
		    d.groups_transferred, d.groups_deleted, d.messages_purged);
	return rc;
}

int
main(int argc, char **argv)
{
	const char *cmd;
	enum err_code rc;
	int64_t id = 0;
	int purge;

	if (argc < 2)
		return admin_usage();
	cmd = argv[1];
	purge = argc == 4 && strcmp(cmd, "delete-user") == 0 &&
	    strcmp(argv[3], "--purge") == 0;
	if (strcmp(cmd, "counts") == 0 ? argc != 2 : argc != 3 + purge)
		return admin_usage();
	log_init("admin", NULL);
	rc = cfg_load();
	if (rc == ERR_OK)
		rc = sec_init();
	if (rc)
		goto out;
	if (argc >= 3 && strcmp(cmd, "create-admin") != 0) {
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
		rc = useradm_set_active(id, 0);
	else if (strcmp(cmd, "enable") == 0)
		rc = useradm_set_active(id, 1);
	else if (strcmp(cmd, "grant-admin") == 0)
		rc = useradm_set_site_admin(id, 1);
	else if (strcmp(cmd, "revoke-admin") == 0)
		rc = useradm_set_site_admin(id, 0);
	else if (strcmp(cmd, "create-admin") == 0)
		rc = admin_create_admin(argv[2]);
	else if (strcmp(cmd, "delete-user") == 0)
		rc = admin_delete_user(id, purge);
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
