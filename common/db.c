/* db.c - PostgreSQL access: one lazy connection per process (over libpq). */
#include "db.h"

#include <libpq-fe.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "log.h"
#include "mem.h"

static PGconn *db_conn;
static int db_tx_depth;
static char db_last_constraint[128];

static void
db_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* Returns a usable connection or NULL (logged) when the server is down. */
static PGconn *
db_get(void)
{
	const char *keys[] = { "host", "port", "dbname", "user", "password",
	    "connect_timeout", "application_name", NULL };
	const char *values[8];

	if (db_conn != NULL && PQstatus(db_conn) == CONNECTION_OK)
		return db_conn;
	if (db_conn != NULL) {
		PQreset(db_conn);
		if (PQstatus(db_conn) == CONNECTION_OK)
			return db_conn;
		PQfinish(db_conn);
		db_conn = NULL;
	}
	values[0] = cfg.db_host;
	values[1] = cfg.db_port;
	values[2] = cfg.db_name;
	values[3] = cfg.db_user;
	values[4] = cfg.db_password;
	values[5] = "3";
	values[6] = "easychat";
	values[7] = NULL;
	db_conn = PQconnectdbParams(keys, values, 0);
	if (db_conn == NULL || PQstatus(db_conn) != CONNECTION_OK) {
		log_error("database unreachable: %s", db_conn ?
		    PQerrorMessage(db_conn) : "out of memory");
		PQfinish(db_conn);
		db_conn = NULL;
		return NULL;
	}
	PQsetNoticeProcessor(db_conn, db_notice, NULL);
	return db_conn;
}

static enum err_code
db_map_error(PGresult *r)
{
	const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
	const char *constraint = PQresultErrorField(r, PG_DIAG_CONSTRAINT_NAME);

	snprintf(db_last_constraint, sizeof(db_last_constraint), "%s",
	    constraint ? constraint : "");
	if (state == NULL)
		return ERR_UNAVAILABLE;
	if (strcmp(state, "23505") == 0)
		return ERR_CONFLICT;
	if (strcmp(state, "23514") == 0 || strcmp(state, "22001") == 0)
		return ERR_VALIDATION;
	if (strcmp(state, "23503") == 0)
		return ERR_NOT_FOUND;
	if (strncmp(state, "08", 2) == 0 || strcmp(state, "57P01") == 0 ||
	    strcmp(state, "57P03") == 0)
		return ERR_UNAVAILABLE;
	if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0)
		return ERR_CONFLICT;
	log_error("query failed (%s): %s", state, PQresultErrorMessage(r));
	return ERR_INTERNAL;
}

enum err_code
db_query(struct db_res **res, const char *sql, int nparams,
    const char *const *params)
{
	PGresult *r;
	PGconn *conn;
	int attempt;
	enum err_code rc;

	if (res)
		*res = NULL;
	for (attempt = 0; attempt < 2; attempt++) {
		conn = db_get();
		if (conn == NULL)
			return ERR_UNAVAILABLE;
		r = PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0);
		if (r != NULL && (PQresultStatus(r) == PGRES_TUPLES_OK ||
		    PQresultStatus(r) == PGRES_COMMAND_OK)) {
			if (res)
				*res = (struct db_res *)r;
			else
				PQclear(r);
			return ERR_OK;
		}
		if (PQstatus(conn) == CONNECTION_OK) {
			rc = r ? db_map_error(r) : ERR_INTERNAL;
			PQclear(r);
			return rc;
		}
		/* The connection broke (server restarted): retry once on a
		 * fresh one, unless a transaction was open on the old one. */
		PQclear(r);
		log_warn("database connection lost; reconnecting");
		if (db_tx_depth) {
			db_tx_depth = 0;
			return ERR_UNAVAILABLE;
		}
	}
	return ERR_UNAVAILABLE;
}

enum err_code
db_query_text(char **out, const char *sql, int nparams,
    const char *const *params)
{
	struct db_res *res;
	enum err_code rc;

	*out = NULL;
	rc = db_query(&res, sql, nparams, params);
	if (rc)
		return rc;
	if (db_rows(res) == 0 || db_value(res, 0, 0) == NULL)
		rc = ERR_NOT_FOUND;
	else
		*out = mem_strndup(db_value(res, 0, 0), db_length(res, 0, 0));
	db_res_free(res);
	return rc;
}

size_t
db_rows(const struct db_res *res)
{
	return res ? (size_t)PQntuples((const PGresult *)res) : 0;
}

const char *
db_value(const struct db_res *res, size_t row, int col)
{
	const PGresult *r = (const PGresult *)res;

	if (r == NULL || row >= (size_t)PQntuples(r) || col < 0 ||
	    col >= PQnfields(r) || PQgetisnull(r, (int)row, col))
		return NULL;
	return PQgetvalue(r, (int)row, col);
}

size_t
db_length(const struct db_res *res, size_t row, int col)
{
	if (db_value(res, row, col) == NULL)
		return 0;
	return (size_t)PQgetlength((const PGresult *)res, (int)row, col);
}

int64_t
db_int(const struct db_res *res, size_t row, int col)
{
	const char *v = db_value(res, row, col);

	return v ? strtoll(v, NULL, 10) : 0;
}

int
db_bool(const struct db_res *res, size_t row, int col)
{
	const char *v = db_value(res, row, col);

	return v != NULL && v[0] == 't';
}

void
db_res_free(struct db_res *res)
{
	PQclear((PGresult *)res);
}

enum err_code
db_begin(void)
{
	enum err_code rc;

	rc = db_query(NULL, "BEGIN", 0, NULL);
	if (rc == ERR_OK)
		db_tx_depth = 1;
	return rc;
}

enum err_code
db_commit(void)
{
	enum err_code rc;

	rc = db_query(NULL, "COMMIT", 0, NULL);
	db_tx_depth = 0;
	return rc;
}

void
db_rollback(void)
{
	if (!db_tx_depth)
		return;
	db_tx_depth = 0;
	if (db_conn != NULL && PQstatus(db_conn) == CONNECTION_OK)
		PQclear(PQexec(db_conn, "ROLLBACK"));
}

int
db_in_transaction(void)
{
	return db_tx_depth;
}

const char *
db_constraint(void)
{
	return db_last_constraint;
}

const char *
db_i64(char *out, int64_t n)
{
	snprintf(out, 24, "%" PRId64, n);
	return out;
}

void
db_close(void)
{
	PQfinish(db_conn);
	db_conn = NULL;
	db_tx_depth = 0;
}
