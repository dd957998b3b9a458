/* db.h - PostgreSQL access: one lazy connection per process (over libpq),
 * and one to a read replica when configured (db_replica_query()).
 *
 * Only parameterised queries exist here: SQL text is always a constant
 * and values travel as $1..$n, so nothing a client sends is ever parsed
 * as SQL.  The connection is (re)made on demand; when the server is
 * unreachable every call returns ERR_UNAVAILABLE (503) until it is back,
 * without restarting the program.
 *
 * Layer: base (common/README.md) - knows nothing of chat; includes base
 * headers only.
 */
#ifndef EC_DB_H
#define EC_DB_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct db_res; /* a query result; free with db_res_free() */

/*
 * Query parameters, Kore style but typed: each value is wrapped in a
 * DB_*() constructor that says what it is, and db_query() takes them as
 * trailing arguments:
 *
 *	rc = db_query(&res, "SELECT ... WHERE id = $1 AND name = $2",
 *	    DB_I64(id), DB_TEXT(name));
 *
 * The compiler checks every argument: a bare string or integer where a
 * DB_*() belongs, a pointer given to DB_I64() or an integer to DB_TEXT()
 * do not build (-Werror), nor do more than DB_PARAMS_MAX parameters.  The
 * count is taken from the list itself, so there is no terminator to
 * forget and no count to keep in step.  Integers are formatted by db.c;
 * nobody declares `char buf[24]` for a parameter any more.
 */
enum db_kind {
	DB_KIND_NULL,      /* SQL NULL */
	DB_KIND_I64,       /* a bigint */
	DB_KIND_I64_NZ,    /* a bigint, or SQL NULL when it is 0 */
	DB_KIND_TEXT,      /* text; SQL NULL when the pointer is NULL */
	DB_KIND_BOOL,      /* boolean */
	DB_KIND_I64_ARRAY, /* bigint[] of `count` values */
};

struct db_param {
	enum db_kind kind;
	int64_t i64;
	const char *text;
	const int64_t *array;
	size_t count;
};

#define DB_PARAMS_MAX 16

#define DB_NULL   ((struct db_param){ .kind = DB_KIND_NULL })
#define DB_I64(v) ((struct db_param){ .kind = DB_KIND_I64, .i64 = (v) })
/* For optional ids (ids start at 1, so 0 means "none"). */
#define DB_NULL_I64(v) ((struct db_param){ .kind = DB_KIND_I64_NZ, .i64 = (v) })
#define DB_TEXT(s)     ((struct db_param){ .kind = DB_KIND_TEXT, .text = (s) })
#define DB_BOOL(b)     ((struct db_param){ .kind = DB_KIND_BOOL, .i64 = !!(b) })
/* `n` values from `a` as one bigint[] parameter ('{}' when n is 0). */
#define DB_I64_ARRAY(a, n)                                                     \
	((struct db_param){ .kind = DB_KIND_I64_ARRAY,                         \
	    .array = (a),                                                      \
	    .count = (n) })

/* The argument list as an array (behind a placeholder, so that an empty
 * list is valid C) and its length, checked against DB_PARAMS_MAX at
 * compile time.  Internal to the macros below. */
#define DB_PARAMS_ARRAY_(...)                                                  \
	((const struct db_param[]){ DB_NULL, __VA_ARGS__ })
#define DB_PARAMS_COUNT_(...)                                                  \
	(sizeof(DB_PARAMS_ARRAY_(__VA_ARGS__)) / sizeof(struct db_param) - 1)
#define DB_PARAMS_(...)                                                        \
	DB_PARAMS_ARRAY_(__VA_ARGS__) + 1,                                     \
	    (DB_PARAMS_COUNT_(__VA_ARGS__) + 0 * sizeof(struct {               \
		    _Static_assert(DB_PARAMS_COUNT_(__VA_ARGS__) <=            \
		            DB_PARAMS_MAX,                                     \
		        "more than DB_PARAMS_MAX query parameters");           \
		    char c_;                                                   \
	    }))

/* db_query(&res, sql, DB_...(v), ...): runs `sql` (a constant; prepared
 * once per connection and cached) with the parameters as $1..$n.  On
 * ERR_OK *res holds the result (pass NULL when it is not wanted).
 * Errors: ERR_UNAVAILABLE (no server), ERR_CONFLICT (unique violation; see
 * db_constraint()), ERR_VALIDATION (check violation), ERR_NOT_FOUND
 * (foreign key violation), ERR_INTERNAL (anything else, logged).  A
 * broken connection is remade and the query retried once, unless a
 * transaction was open on it. */
#define db_query(res, sql, ...)                                                \
	db_query_params((res), (sql), DB_PARAMS_(__VA_ARGS__))

/* db_query_text(&out, sql, DB_...(v), ...): like db_query() for a query
 * returning one text column (usually a JSON document built by
 * PostgreSQL): *out is a malloc()ed copy of row 0 col 0, ERR_NOT_FOUND
 * when there is no row or it is NULL. */
#define db_query_text(out, sql, ...)                                           \
	db_query_text_params((out), (sql), DB_PARAMS_(__VA_ARGS__))

/* What the macros call; `params` holds `n` values. */
enum err_code db_query_params(struct db_res **res, const char *sql,
    const struct db_param *params, size_t n);
enum err_code db_query_text_params(char **out, const char *sql,
    const struct db_param *params, size_t n);

/* Parameters as libpq takes them (text, NULL = SQL NULL).  Exposed for
 * the unit tests; db_query() is the way to run a query. */
struct db_bound {
	const char *values[DB_PARAMS_MAX];
	char ints[DB_PARAMS_MAX][24];
	char *arrays[DB_PARAMS_MAX]; /* malloc()ed bigint[] literals */
	size_t n;
};

/* Fills *b from params (n <= DB_PARAMS_MAX); release with
 * db_bound_release().  ERR_INTERNAL (logged) for an unknown kind or too
 * many parameters. */
enum err_code
db_bind(struct db_bound *b, const struct db_param *params, size_t n);
void db_bound_release(struct db_bound *b);

size_t db_rows(const struct db_res *res);
/* Value of (row, col) as text; NULL for SQL NULL or out of range. */
const char *db_value(const struct db_res *res, size_t row, int col);
size_t db_length(const struct db_res *res, size_t row, int col);
int64_t db_int(const struct db_res *res, size_t row, int col);
int db_bool(const struct db_res *res, size_t row, int col);
void db_res_free(struct db_res *res);

/* Transactions.  db_rollback() is safe to call when none is open. */
enum err_code db_begin(void);
enum err_code db_commit(void);
void db_rollback(void);

/* 1 while a transaction begun by db_begin() is open (neither committed
 * nor rolled back, and its connection not lost). */
int db_tx_open(void);

/*
 * Commits that hold their row locks only until the commit record is
 * written to the WAL buffers, but answer only once it is flushed: for a
 * hot row every writer locks (a room's, so that its ids commit in
 * order), where waiting for the fdatasync with the lock held would allow
 * one commit per flush.  The transaction commits with synchronous_commit
 * off; then, in the same round trip (a libpq pipeline), a transaction
 * that writes a WAL record and takes an xid commits with it on, and its
 * flush covers the first commit (db.c says why).  Between the two another
 * session can already read what was committed; a server crash in that window
 * loses it, although the caller never got ERR_OK (README, "Durability").
 */

/* db_query_flushed(&res, sql, DB_...(v), ...): as db_query() for a
 * statement committed on its own (outside db_begin()); ERR_OK only once
 * its commit is flushed.  ERR_UNAVAILABLE when it committed but the wait
 * failed (connection lost, server crashed): the change may or may not
 * have survived, and the caller must not report success.  Inside
 * db_begin() it is db_query(): db_commit_flushed() then waits. */
#define db_query_flushed(res, sql, ...)                                        \
	db_query_flushed_params((res), (sql), DB_PARAMS_(__VA_ARGS__))
enum err_code db_query_flushed_params(struct db_res **res, const char *sql,
    const struct db_param *params, size_t n);

/* db_commit() for db_begin()'s transaction, flushed as db_query_flushed()
 * says: ERR_OK only once the commit is durable. */
enum err_code db_commit_flushed(void);

/* Name of the constraint behind the last ERR_CONFLICT ("" if unknown). */
const char *db_constraint(void);

/* Session settings for every connection the process makes from now on
 * (e.g. "SELECT set_config(...)"): run right after each (re)connect, so
 * they survive server restarts without costing a round trip per request.
 * `sql` must stay valid (a constant); NULL clears. */
void db_set_session_sql(const char *sql);

/* For a process that LISTENs (put the LISTEN in db_set_session_sql(), so
 * that it holds across reconnects): waits up to timeout_ms for a
 * notification; *notified = 1 when one or more came (all are consumed).
 * ERR_UNAVAILABLE when the connection is lost (the next call
 * reconnects). */
enum err_code db_wait_notify(int timeout_ms, int *notified);

/*
 * The read replica: with DATABASE_REPLICA_URL set (a libpq connection
 * URI naming host, port and database; user and password default to
 * DB_USER and DB_PASSWORD), a second connection, made on first use, to a
 * streaming replica.  It is for reads the reader cannot notice lag on:
 * after db_replica_sync() says the replica shows every commit made before
 * the request.  Writes and access checks stay on the primary.
 *
 * A session the replica dropped (a restart) is remade at once and the
 * query retried.  When it is unreachable or a query fails there, the call
 * returns ERR_UNAVAILABLE and the caller asks the primary instead; the
 * replica is then left alone for a few seconds (one log line when it
 * fails, one when it is back, whatever the number of requests).
 */

/* 1 when DATABASE_REPLICA_URL is set. */
int db_replica_configured(void);

/* db_replica_query(&res, sql, DB_...(v), ...) and db_replica_query_text():
 * as db_query() and db_query_text(), on the replica.  ERR_UNAVAILABLE when
 * there is none, it is down, or the query failed there (never in a
 * transaction of the primary's). */
#define db_replica_query(res, sql, ...)                                        \
	db_replica_query_params((res), (sql), DB_PARAMS_(__VA_ARGS__))
#define db_replica_query_text(out, sql, ...)                                   \
	db_replica_query_text_params((out), (sql), DB_PARAMS_(__VA_ARGS__))

enum err_code db_replica_query_params(struct db_res **res, const char *sql,
    const struct db_param *params, size_t n);
enum err_code db_replica_query_text_params(char **out, const char *sql,
    const struct db_param *params, size_t n);

/* db_read_query(use_replica, &res, sql, DB_...(v), ...): db_replica_query()
 * when use_replica is set, and db_query() when it is not or the replica
 * did not answer. */
#define db_read_query(use_replica, res, sql, ...)                              \
	db_read_query_params((use_replica), (res), (sql),                      \
	    DB_PARAMS_(__VA_ARGS__))
enum err_code db_read_query_params(int use_replica, struct db_res **res,
    const char *sql, const struct db_param *params, size_t n);

/* Waits up to timeout_ms for the replica to replay everything the primary
 * has flushed now (one query on the primary, then polling the replica):
 * ERR_OK means the replica shows every commit made before the call.
 * ERR_UNAVAILABLE without a replica, when it is down, or still behind at
 * the timeout. */
enum err_code db_replica_sync(int timeout_ms);

/* Closes the connections (at exit). */
void db_close(void);

#endif
