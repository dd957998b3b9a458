/* db.c - PostgreSQL access: one lazy connection per process (over libpq),
 * and a second one to a read replica when DATABASE_REPLICA_URL is set. */
#include "db.h"

#include <libpq-fe.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "cfg.h"
#include "log.h"
#include "mem.h"

static int db_tx_depth;

/*
 * Prepared statements, one per distinct SQL text, per connection: a
 * program runs the same few dozen statements over and over, and planning
 * them on every request cost more than running most of them.  The cache
 * is keyed by the text (FNV-1a hash + full compare), bounded, and
 * forgotten whenever the connection is remade.
 */
#define DB_STMT_MAX 256

struct db_stmt {
	uint64_t hash;
	char *sql; /* NULL: free slot */
};

/* A server connection and the statements prepared on it. */
struct db_link {
	PGconn *conn;
	struct db_stmt stmts[DB_STMT_MAX];
	size_t nstmts;
	int stmts_stale; /* DEALLOCATE ALL before the next use */
};

static struct db_link db_primary, db_replica;
#define db_conn (db_primary.conn) /* the primary's, as before the replica */

/* The replica's state: while it is down (unreachable or failing), reads
 * go to the primary and it is tried again after DB_REPLICA_RETRY_SECS;
 * only the change of state is logged, never each request. */
#define DB_REPLICA_RETRY_SECS 5
static int db_replica_down;
static time_t db_replica_retry_at;

static const char *db_session_sql; /* run after each connect */
static char db_last_constraint[128];

static void
db_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

static void
db_stmts_forget(struct db_link *l)
{
	size_t i;

	for (i = 0; i < DB_STMT_MAX; i++) {
		free(l->stmts[i].sql);
		l->stmts[i].sql = NULL;
	}
	l->nstmts = 0;
}

static uint64_t
db_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	while (*s) {
		h ^= (unsigned char)*s++;
		h *= 1099511628211ULL;
	}
	return h;
}

/* The slot of `sql` in the cache (found, or the free one to use), or -1
 * when it is absent and the cache is full. */
static long
db_stmt_slot(const struct db_link *l, const char *sql, uint64_t h)
{
	size_t i, k;

	for (k = 0; k < DB_STMT_MAX; k++) {
		i = (size_t)((h + k) % DB_STMT_MAX);
		if (l->stmts[i].sql == NULL)
			return l->nstmts < DB_STMT_MAX * 3 / 4 ? (long)i : -1;
		if (l->stmts[i].hash == h && strcmp(l->stmts[i].sql, sql) == 0)
			return (long)i;
	}
	return -1;
}

/* Prepares sql as statement "ec<*slot>" on first use.  Returns NULL when
 * it is ready, or when the cache is full (*slot -1: run it unprepared);
 * else the failed result (the caller maps the error), or *failed set
 * with NULL for out of memory or a broken connection. */
static PGresult *
db_prepare(struct db_link *l, const char *sql, int nparams, long *slot,
    int *failed)
{
	char name[24];
	PGresult *r;
	uint64_t h = db_hash(sql);

	*failed = 0;
	*slot = db_stmt_slot(l, sql, h);
	if (*slot < 0 || l->stmts[*slot].sql != NULL)
		return NULL;
	snprintf(name, sizeof(name), "ec%ld", *slot);
	r = PQprepare(l->conn, name, sql, nparams, NULL);
	if (r == NULL || PQresultStatus(r) != PGRES_COMMAND_OK) {
		*failed = 1;
		return r;
	}
	PQclear(r);
	l->stmts[*slot].sql = mem_strdup(sql);
	l->stmts[*slot].hash = h;
	l->nstmts++;
	return NULL;
}

/* Runs sql as a prepared statement (preparing it on first use), or
 * unprepared when the cache is full.  NULL result: out of memory or a
 * broken connection, as with PQexecParams. */
static PGresult *
db_exec(struct db_link *l, const char *sql, int nparams,
    const char *const *params)
{
	char name[24];
	PGresult *r;
	long slot;
	int failed;

	r = db_prepare(l, sql, nparams, &slot, &failed);
	if (failed)
		return r;
	if (slot < 0)
		return PQexecParams(l->conn, sql, nparams, NULL, params, NULL,
		    NULL, 0);
	snprintf(name, sizeof(name), "ec%ld", slot);
	return PQexecPrepared(l->conn, name, nparams, params, NULL, NULL, 0);
}

/* Applies the program's session settings to a new server session. */
static void
db_session_start(PGconn *conn)
{
	PGresult *r;

	if (db_session_sql == NULL)
		return;
	r = PQexec(conn, db_session_sql);
	if (PQresultStatus(r) != PGRES_TUPLES_OK &&
	    PQresultStatus(r) != PGRES_COMMAND_OK)
		log_error("session settings failed: %s",
		    PQresultErrorMessage(r));
	PQclear(r);
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
	/* A new session on the server: no statement is prepared there. */
	db_stmts_forget(&db_primary);
	db_primary.stmts_stale = 0;
	if (db_conn != NULL) {
		PQreset(db_conn);
		if (PQstatus(db_conn) == CONNECTION_OK) {
			db_session_start(db_conn);
			return db_conn;
		}
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
		log_error("database unreachable: %s",
		    db_conn ? PQerrorMessage(db_conn) : "out of memory");
		PQfinish(db_conn);
		db_conn = NULL;
		return NULL;
	}
	PQsetNoticeProcessor(db_conn, db_notice, NULL);
	db_session_start(db_conn);
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

/* Runs sql with text parameters (NULL = SQL NULL), retrying once on a
 * fresh connection as db_query() describes. */
static enum err_code
db_query_values(struct db_res **res, const char *sql, int nparams,
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
		if (db_primary.stmts_stale && !db_tx_depth) {
			/* Outside a transaction, so this cannot fail for an
			 * aborted one. */
			PQclear(PQexec(conn, "DEALLOCATE ALL"));
			db_stmts_forget(&db_primary);
			db_primary.stmts_stale = 0;
		}
		r = db_exec(&db_primary, sql, nparams, params);
		if (r != NULL &&
		    (PQresultStatus(r) == PGRES_TUPLES_OK ||
		        PQresultStatus(r) == PGRES_COMMAND_OK)) {
			if (res)
				*res = (struct db_res *)r;
			else
				PQclear(r);
			return ERR_OK;
		}
		if (PQstatus(conn) == CONNECTION_OK) {
			const char *state = r
			    ? PQresultErrorField(r, PG_DIAG_SQLSTATE)
			    : NULL;

			/* "cached plan must not change result type": the
			 * schema changed under a prepared statement (a
			 * migration applied while running).  Start afresh;
			 * retry unless a transaction was open. */
			if (state != NULL && strcmp(state, "0A000") == 0 &&
			    attempt == 0) {
				PQclear(r);
				db_primary.stmts_stale = 1;
				if (!db_tx_depth)
					continue;
				return ERR_UNAVAILABLE;
			}
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
db_bind(struct db_bound *b, const struct db_param *params, size_t n)
{
	struct buf a;
	size_t i, k;
	enum err_code rc = ERR_OK;

	memset(b, 0, sizeof(*b));
	if (n > DB_PARAMS_MAX) {
		log_error("query with %zu parameters (at most %d)", n,
		    DB_PARAMS_MAX);
		return ERR_INTERNAL;
	}
	for (i = 0; i < n; i++) {
		const struct db_param *p = &params[i];

		switch (p->kind) {
		case DB_KIND_NULL:
			break;
		case DB_KIND_I64_NZ:
			if (p->i64 == 0)
				break;
			/* FALLTHROUGH */
		case DB_KIND_I64:
			snprintf(b->ints[i], sizeof(b->ints[i]), "%" PRId64,
			    p->i64);
			b->values[i] = b->ints[i];
			break;
		case DB_KIND_TEXT:
			b->values[i] = p->text;
			break;
		case DB_KIND_BOOL:
			b->values[i] = p->i64 ? "t" : "f";
			break;
		case DB_KIND_I64_ARRAY:
			buf_init(&a, 0);
			rc = buf_putc(&a, '{');
			for (k = 0; rc == ERR_OK && k < p->count; k++)
				rc = buf_printf(&a, "%s%" PRId64, k ? "," : "",
				    p->array[k]);
			if (rc == ERR_OK)
				rc = buf_putc(&a, '}');
			b->arrays[i] = buf_detach(&a, NULL);
			b->values[i] = b->arrays[i];
			break;
		default:
			log_error("query parameter %zu of unknown kind %d",
			    i + 1, (int)p->kind);
			rc = ERR_INTERNAL;
			break;
		}
		b->n = i + 1;
		if (rc)
			break;
	}
	if (rc)
		db_bound_release(b);
	return rc;
}

void
db_bound_release(struct db_bound *b)
{
	size_t i;

	for (i = 0; i < b->n; i++) {
		free(b->arrays[i]);
		b->arrays[i] = NULL;
	}
	b->n = 0;
}

enum err_code
db_query_params(struct db_res **res, const char *sql,
    const struct db_param *params, size_t n)
{
	struct db_bound b;
	enum err_code rc;

	if (res)
		*res = NULL;
	rc = db_bind(&b, params, n);
	if (rc)
		return rc;
	rc = db_query_values(res, sql, (int)n, b.values);
	db_bound_release(&b);
	return rc;
}

/* *out = a copy of row 0 col 0 of res (freed here), as db_query_text(). */
static enum err_code
db_first_text(struct db_res *res, char **out)
{
	enum err_code rc = ERR_OK;

	if (db_rows(res) == 0 || db_value(res, 0, 0) == NULL)
		rc = ERR_NOT_FOUND;
	else
		*out = mem_strndup(db_value(res, 0, 0), db_length(res, 0, 0));
	db_res_free(res);
	return rc;
}

enum err_code
db_query_text_params(char **out, const char *sql, const struct db_param *params,
    size_t n)
{
	struct db_res *res;
	enum err_code rc;

	*out = NULL;
	rc = db_query_params(&res, sql, params, n);
	if (rc)
		return rc;
	return db_first_text(res, out);
}

/* --- commits that release their locks before the WAL flush ----------------- */

/* Makes the transaction it runs in commit asynchronously (is_local):
 * COMMIT returns, and its row locks go, once the commit record is in the
 * WAL buffers, before the flush.  Commits still come in the order the
 * locks gave them. */
static const char db_sql_async[] =
    "SELECT set_config('synchronous_commit', 'off', true)";

/* The flush wait: a transaction of its own, committed with the session's
 * synchronous_commit (on), that PostgreSQL 15 does flush at commit.
 * RecordTransactionCommit() (xact.c) flushes only for a transaction that
 * has an xid AND wrote WAL before its commit record: txid_current() alone
 * takes an xid but writes nothing, and commits asynchronously (measured:
 * posts outnumbered WAL syncs 25 to 1 with 8 sessions).  A transactional
 * logical message (a few bytes, no table touched) does both.  Its commit
 * record lies after the asynchronous commit before it on the same session,
 * so XLogFlush() to it covers that one; and XLogFlush() writes all that is
 * inserted, so one fdatasync serves every session waiting at that moment.
 * (With wal_level = logical, decoders see these as messages with the
 * prefix "easychat.flush" and may ignore them.) */
static const char db_sql_flush[] =
    "SELECT pg_logical_emit_message(true, 'easychat.flush', '')";

/* Queues sql in the pipeline: by name when db_prepare() prepared it. */
static int
db_pipe_send(struct db_link *l, const char *sql, int nparams,
    const char *const *params)
{
	char name[24];
	long slot = db_stmt_slot(l, sql, db_hash(sql));

	if (slot < 0 || l->stmts[slot].sql == NULL)
		return PQsendQueryParams(l->conn, sql, nparams, NULL, params,
		    NULL, NULL, 0);
	snprintf(name, sizeof(name), "ec%ld", slot);
	return PQsendQueryPrepared(l->conn, name, nparams, params, NULL, NULL,
	    0);
}

/* One round trip, in a libpq pipeline: db_sql_async and sql in one
 * transaction (the open one, or the implicit one the first Sync ends),
 * then db_sql_flush and a second Sync.  *main: sql's result, or an error
 * that came after it (a failed commit), NULL when none came.  Returns 1
 * when the flush wait's commit completed (its Sync came back). */
static int
db_pipe_flushed(struct db_link *l, const char *sql, int nparams,
    const char *const *params, PGresult **main)
{
	PGconn *conn = l->conn;
	PGresult *r = NULL;
	long slot;
	int failed = 0, syncs = 0, nres = 0, nulls = 0;
	int waited = 0; /* 1: the flush wait's row came, -1: it failed */

	*main = NULL;
	/* Prepared first, outside the pipeline, so that each query below
	 * has exactly one result. */
	r = db_prepare(l, db_sql_async, 0, &slot, &failed);
	if (!failed)
		r = db_prepare(l, sql, nparams, &slot, &failed);
	if (!failed)
		r = db_prepare(l, db_sql_flush, 0, &slot, &failed);
	if (failed) {
		*main = r;
		return 0;
	}
	if (!PQenterPipelineMode(conn) ||
	    !db_pipe_send(l, db_sql_async, 0, NULL) ||
	    !db_pipe_send(l, sql, nparams, params) || !PQpipelineSync(conn) ||
	    !db_pipe_send(l, db_sql_flush, 0, NULL) || !PQpipelineSync(conn))
		goto out;
	/* Per Sync: each query's result then NULL, then the Sync.  An error
	 * at the implicit commit comes as one more result before it. */
	while (syncs < 2 && nulls < 2 && PQstatus(conn) == CONNECTION_OK) {
		r = PQgetResult(conn);
		if (r == NULL) {
			nulls++;
			continue;
		}
		nulls = 0;
		if (PQresultStatus(r) == PGRES_PIPELINE_SYNC) {
			syncs++;
		} else if (syncs == 0 && ++nres >= 2) {
			PQclear(*main); /* an error after the statement wins */
			*main = r;
			continue;
		} else if (syncs == 0 && PQresultStatus(r) != PGRES_TUPLES_OK) {
			log_error("synchronous_commit off failed: %s",
			    PQresultErrorMessage(r));
		} else if (syncs == 1) {
			/* The flush wait's row; any error after it fails it. */
			waited = waited >= 0 &&
			    PQresultStatus(r) == PGRES_TUPLES_OK;
			waited = waited ? 1 : -1;
		}
		PQclear(r);
	}
out:
	if (!PQexitPipelineMode(conn) || PQstatus(conn) != CONNECTION_OK) {
		/* Results left behind, or the connection broke: the next
		 * call starts on a new one. */
		PQfinish(conn);
		l->conn = NULL;
	}
	return waited == 1 && syncs == 2;
}

/* db_query_flushed() and db_commit_flushed(): sql through
 * db_pipe_flushed(), retried once on a new connection when its result
 * never came (retry, as db_query() does outside a transaction).  ERR_OK
 * with *res (NULL: not wanted) only when the flush wait completed. */
static enum err_code
db_flushed_values(struct db_res **res, const char *sql, int nparams,
    const char *const *params, int retry)
{
	PGresult *r;
	const char *state;
	int attempt, waited, alive;
	enum err_code rc = ERR_UNAVAILABLE;

	if (res)
		*res = NULL;
	for (attempt = 0; attempt < 2; attempt++) {
		if (db_get() == NULL)
			return ERR_UNAVAILABLE;
		if (db_primary.stmts_stale && !db_tx_depth) {
			PQclear(PQexec(db_conn, "DEALLOCATE ALL"));
			db_stmts_forget(&db_primary);
			db_primary.stmts_stale = 0;
		}
		waited = db_pipe_flushed(&db_primary, sql, nparams, params, &r);
		alive = db_conn != NULL && PQstatus(db_conn) == CONNECTION_OK;
		if (r != NULL &&
		    (PQresultStatus(r) == PGRES_TUPLES_OK ||
		        PQresultStatus(r) == PGRES_COMMAND_OK)) {
			if (waited && res)
				*res = (struct db_res *)r;
			else
				PQclear(r);
			if (waited)
				return ERR_OK;
			/* Committed, perhaps lost with the server: the
			 * client retries (with its nonce). */
			log_warn("a commit was not seen flushed; not answered");
			return ERR_UNAVAILABLE;
		}
		state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
		if (alive && state != NULL && strcmp(state, "0A000") == 0)
			db_primary.stmts_stale = 1; /* as db_query_values() */
		else if (alive)
			retry = 0;
		rc = alive && r ? db_map_error(r) : ERR_UNAVAILABLE;
		PQclear(r);
		if (!retry || attempt > 0)
			break;
		if (!alive)
			log_warn("database connection lost; reconnecting");
	}
	return rc;
}

enum err_code
db_query_flushed_params(struct db_res **res, const char *sql,
    const struct db_param *params, size_t n)
{
	struct db_bound b;
	enum err_code rc;

	if (db_tx_depth)
		return db_query_params(res, sql, params, n);
	if (res)
		*res = NULL;
	rc = db_bind(&b, params, n);
	if (rc)
		return rc;
	rc = db_flushed_values(res, sql, (int)n, b.values, 1);
	db_bound_release(&b);
	return rc;
}

enum err_code
db_commit_flushed(void)
{
	enum err_code rc;

	rc = db_flushed_values(NULL, "COMMIT", 0, NULL, 0);
	db_tx_depth = 0;
	return rc;
}

/* --- the read replica (DATABASE_REPLICA_URL) ------------------------------- */

static time_t
db_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

int
db_replica_configured(void)
{
	return cfg.db_replica_url != NULL && cfg.db_replica_url[0] != '\0';
}

/* The replica failed (why: libpq's message): reads go to the primary
 * until DB_REPLICA_RETRY_SECS have passed.  Logged when it was up, so a
 * replica that stays down costs one line per process, not one per
 * request. */
static void
db_replica_fail(const char *why)
{
	if (!db_replica_down)
		log_warn("read replica failed, reading from the primary for "
		         "%d s at a time until it is back: %s",
		    DB_REPLICA_RETRY_SECS, why);
	db_replica_down = 1;
	db_replica_retry_at = db_now() + DB_REPLICA_RETRY_SECS;
	db_stmts_forget(&db_replica);
	PQfinish(db_replica.conn);
	db_replica.conn = NULL;
}

/* The replica's connection, made on first use; NULL when there is none,
 * or it is down and not due for another try. */
static PGconn *
db_replica_get(void)
{
	/* user and password before dbname: the URL's own win
	 * (PQconnectdbParams with expand_dbname). */
	const char *keys[] = { "user", "password", "application_name", "dbname",
		"connect_timeout", NULL };
	const char *values[6];

	if (!db_replica_configured())
		return NULL;
	if (db_replica.conn != NULL &&
	    PQstatus(db_replica.conn) == CONNECTION_OK)
		return db_replica.conn;
	if (db_replica_down && db_now() < db_replica_retry_at)
		return NULL;
	values[0] = cfg.db_user;
	values[1] = cfg.db_password;
	values[2] = "easychat";
	values[3] = cfg.db_replica_url;
	values[4] = "2";
	values[5] = NULL;
	db_stmts_forget(&db_replica);
	PQfinish(db_replica.conn);
	db_replica.conn = PQconnectdbParams(keys, values, 1);
	if (db_replica.conn == NULL ||
	    PQstatus(db_replica.conn) != CONNECTION_OK) {
		db_replica_fail(db_replica.conn
		        ? PQerrorMessage(db_replica.conn)
		        : "out of memory");
		return NULL;
	}
	PQsetNoticeProcessor(db_replica.conn, db_notice, NULL);
	db_session_start(db_replica.conn);
	if (db_replica_down)
		log_info("read replica is back");
	db_replica_down = 0;
	return db_replica.conn;
}

enum err_code
db_replica_query_params(struct db_res **res, const char *sql,
    const struct db_param *params, size_t n)
{
	const char *state;
	struct db_bound b;
	enum err_code rc;
	PGresult *r = NULL;
	int attempt, fresh;

	if (res)
		*res = NULL;
	rc = db_bind(&b, params, n);
	if (rc)
		return rc;
	rc = ERR_UNAVAILABLE;
	for (attempt = 0; attempt < 2; attempt++) {
		fresh = db_replica.conn == NULL ||
		    PQstatus(db_replica.conn) != CONNECTION_OK;
		if (db_replica_get() == NULL)
			break;
		r = db_exec(&db_replica, sql, (int)n, b.values);
		if (r != NULL &&
		    (PQresultStatus(r) == PGRES_TUPLES_OK ||
		        PQresultStatus(r) == PGRES_COMMAND_OK)) {
			if (res)
				*res = (struct db_res *)r;
			else
				PQclear(r);
			rc = ERR_OK;
			break;
		}
		/* A session the replica dropped since the last read (it
		 * restarted): once more on a new one, as the primary's. */
		if (!fresh && attempt == 0 &&
		    PQstatus(db_replica.conn) != CONNECTION_OK) {
			PQclear(r);
			r = NULL;
			continue;
		}
		/* The replica's own trouble (unreachable, a shutdown, a query
		 * cancelled by a recovery conflict, a statement prepared
		 * before a migration): the primary answers this request and
		 * the next few.  Any other error is the query's: the primary,
		 * asked next, says which (and logs it). */
		state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
		if (PQstatus(db_replica.conn) != CONNECTION_OK ||
		    state == NULL || strncmp(state, "08", 2) == 0 ||
		    strncmp(state, "57", 2) == 0 ||
		    strcmp(state, "40001") == 0 || strcmp(state, "0A000") == 0)
			db_replica_fail(r ? PQresultErrorMessage(r)
			                  : PQerrorMessage(db_replica.conn));
		PQclear(r);
		break;
	}
	db_bound_release(&b);
	return rc;
}

enum err_code
db_replica_query_text_params(char **out, const char *sql,
    const struct db_param *params, size_t n)
{
	struct db_res *res;
	enum err_code rc;

	*out = NULL;
	rc = db_replica_query_params(&res, sql, params, n);
	if (rc)
		return rc;
	return db_first_text(res, out);
}

enum err_code
db_read_query_params(int use_replica, struct db_res **res, const char *sql,
    const struct db_param *params, size_t n)
{
	if (use_replica &&
	    db_replica_query_params(res, sql, params, n) == ERR_OK)
		return ERR_OK;
	return db_query_params(res, sql, params, n);
}

enum err_code
db_replica_sync(int timeout_ms)
{
	struct db_res *res = NULL;
	char *lsn = NULL;
	enum err_code rc;
	int waited = 0;

	if (!db_replica_configured() ||
	    (db_replica_down && db_now() < db_replica_retry_at))
		return ERR_UNAVAILABLE;
	/* Flushed: a (synchronous) commit is flushed before anyone can
	 * see it, so this covers every commit the caller could know of. */
	rc = db_query_text(&lsn, "SELECT pg_current_wal_flush_lsn()::text");
	while (rc == ERR_OK) {
		rc = db_replica_query(&res,
		    "SELECT COALESCE(pg_last_wal_replay_lsn() >= $1::pg_lsn, "
		    "false)",
		    DB_TEXT(lsn));
		if (rc || db_bool(res, 0, 0))
			break;
		db_res_free(res);
		res = NULL;
		if (waited >= timeout_ms) {
			rc = ERR_UNAVAILABLE; /* lagging, not failed */
			break;
		}
		usleep(2000);
		waited += 2;
	}
	db_res_free(res);
	free(lsn);
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

	rc = db_query_values(NULL, "BEGIN", 0, NULL);
	if (rc == ERR_OK)
		db_tx_depth = 1;
	return rc;
}

enum err_code
db_commit(void)
{
	enum err_code rc;

	rc = db_query_values(NULL, "COMMIT", 0, NULL);
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
db_tx_open(void)
{
	return db_tx_depth != 0;
}

const char *
db_constraint(void)
{
	return db_last_constraint;
}

void
db_set_session_sql(const char *sql)
{
	db_session_sql = sql;
}

enum err_code
db_wait_notify(int timeout_ms, int *notified)
{
	PGconn *conn = db_get();
	struct pollfd pfd;
	PGnotify *n;

	*notified = 0;
	if (conn == NULL)
		return ERR_UNAVAILABLE;
	pfd.fd = PQsocket(conn);
	pfd.events = POLLIN;
	pfd.revents = 0;
	/* a notification may already sit in libpq's buffer */
	n = PQnotifies(conn);
	if (n == NULL && poll(&pfd, 1, timeout_ms) > 0) {
		if (!PQconsumeInput(conn))
			return ERR_UNAVAILABLE; /* the next db_get() reconnects */
		n = PQnotifies(conn);
	}
	for (; n != NULL; n = PQnotifies(conn)) {
		*notified = 1;
		PQfreemem(n);
	}
	return ERR_OK;
}

void
db_close(void)
{
	db_stmts_forget(&db_primary);
	PQfinish(db_conn);
	db_conn = NULL;
	db_tx_depth = 0;
	db_stmts_forget(&db_replica);
	PQfinish(db_replica.conn);
	db_replica.conn = NULL;
}
