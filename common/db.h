/* db.h - PostgreSQL access: one lazy connection per process (over libpq).
 *
 * Only parameterised queries exist here: SQL text is always a constant
 * and values travel as $1..$n, so nothing a client sends is ever parsed
 * as SQL.  The connection is (re)made on demand; when the server is
 * unreachable every call returns ERR_UNAVAILABLE (503) until it is back,
 * without restarting the program.
 */
#ifndef EC_DB_H
#define EC_DB_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct db_res; /* a query result; free with db_res_free() */

/* Runs `sql` with `nparams` text parameters (NULL = SQL NULL).  On ERR_OK
 * *res holds the result (may be NULL when the caller passes res == NULL).
 * Errors: ERR_UNAVAILABLE (no server), ERR_CONFLICT (unique violation; see
 * db_constraint()), ERR_VALIDATION (check violation), ERR_NOT_FOUND
 * (foreign key violation), ERR_INTERNAL (anything else, logged). */
enum err_code db_query(struct db_res **res, const char *sql, int nparams,
    const char *const *params);

/* Like db_query() for a query returning one text column (usually a JSON
 * document built by PostgreSQL): *out is a malloc()ed copy of row 0 col 0,
 * ERR_NOT_FOUND when there is no row or it is NULL. */
enum err_code db_query_text(char **out, const char *sql, int nparams,
    const char *const *params);

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

/* Name of the constraint behind the last ERR_CONFLICT ("" if unknown). */
const char *db_constraint(void);

/* Formats n into `out` (at least 24 bytes) and returns out: for params. */
const char *db_i64(char *out, int64_t n);

/* Session settings for every connection the process makes from now on
 * (e.g. "SELECT set_config(...)"): run right after each (re)connect, so
 * they survive server restarts without costing a round trip per request.
 * `sql` must stay valid (a constant); NULL clears. */
void db_set_session_sql(const char *sql);

/* Closes the connection (at exit). */
void db_close(void);

#endif
