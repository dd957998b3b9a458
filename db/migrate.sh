#!/usr/bin/env bash
# Apply the numbered SQL migrations in db/migrations/ that are not applied yet,
# then the current definitions of the functions in db/functions/ (db/README.md).
#
# Usage: db/migrate.sh [ENV_FILE]
#
# Connection (db/env.sh): with ENV_FILE (or $EASYCHAT_ENV) the DB_HOST,
# DB_PORT, DB_NAME, DB_USER and DB_PASSWORD keys of that file; otherwise the
# usual PGHOST/PGPORT/PGUSER/PGPASSWORD/PGDATABASE, falling back to DB_*
# variables of the environment.
#
# Each db/migrations/NNNN_name.sql is applied in order, in ONE transaction
# together with its row in schema_migrations, so a failing migration leaves
# nothing behind. A file therefore must not contain BEGIN/COMMIT itself, nor
# statements that cannot run in a transaction (CREATE INDEX CONCURRENTLY).
# Migrations are forward-only: never edit one that has been applied.
#
# Then every db/functions/*.sql (CREATE OR REPLACE FUNCTION ...) runs, in name
# order, in one transaction, on every run: the definitions there are the
# current ones whatever the migrations once created.
#
# Concurrent runners are serialised by a session advisory lock held by the
# single psql session that does all the work; the second runner then finds
# everything applied. Running it again is a no-op.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
migrations_dir="${MIGRATIONS_DIR:-$here/migrations}"
functions_dir="${FUNCTIONS_DIR:-$here/functions}"
# An arbitrary constant: the advisory lock key of "easychat migrations".
lock_key=727001

die() { echo "migrate: $*" >&2; exit 1; }

# shellcheck source=db/env.sh
. "$here/env.sh"
db_env "${1:-}" easychat-migrate || die "cannot read env file ${1:-${EASYCHAT_ENV:-}}"

# sql_literal TEXT: TEXT as a single-quoted SQL / psql literal.
sql_literal() { printf "'%s'" "${1//\'/\'\'}"; }

# Build one psql script: take the lock, create the bookkeeping table, then
# for each file apply it only if it is not recorded yet (checked after the
# lock is held, so two runners never apply the same file).
script=$(mktemp "${TMPDIR:-/tmp}/easychat-migrate.XXXXXX")
trap 'rm -f "$script"' EXIT
{
	echo "SET client_min_messages = warning;"
	echo "SELECT pg_advisory_lock($lock_key);"
	echo "CREATE TABLE IF NOT EXISTS schema_migrations ("
	echo "    version text PRIMARY KEY,"
	echo "    applied_at timestamptz NOT NULL DEFAULT now());"
	echo "\\set applied_any false"
} >"$script"

count=0
shopt -s nullglob
for file in "$migrations_dir"/[0-9][0-9][0-9][0-9]_*.sql; do
	version=$(basename "$file" .sql)
	if grep -Eiq '^[[:space:]]*(begin|commit|rollback|start[[:space:]]+transaction)[[:space:]]*;' "$file"; then
		die "$file controls transactions itself; remove its BEGIN/COMMIT"
	fi
	lit=$(sql_literal "$version")
	cat >>"$script" <<-EOF
	SELECT NOT EXISTS (SELECT 1 FROM schema_migrations WHERE version = $lit) AS pending \\gset
	\\if :pending
	BEGIN;
	\\i $(sql_literal "$file")
	INSERT INTO schema_migrations (version) VALUES ($lit);
	COMMIT;
	\\echo 'migrate: applied $version'
	\\set applied_any true
	\\endif
	EOF
	count=$((count + 1))
done
# The functions, after the migrations that create what they use.
functions=("$functions_dir"/*.sql)
if [[ ${#functions[@]} -gt 0 ]]; then
	echo "BEGIN;" >>"$script"
	for file in "${functions[@]}"; do
		echo "\\i $(sql_literal "$file")" >>"$script"
	done
	echo "COMMIT;" >>"$script"
fi
cat >>"$script" <<-'EOF'
\if :applied_any
\else
\echo 'migrate: schema is up to date'
\endif
EOF

# -X: no ~/.psqlrc; -q: quiet; ON_ERROR_STOP: a failing statement aborts
# psql, the open transaction is rolled back and the lock released.
[[ $count -gt 0 ]] || echo "migrate: no migrations in $migrations_dir"
psql -X -q -v ON_ERROR_STOP=1 -t -A -o /dev/null -f "$script" ||
	die "failed (database $PGDATABASE on $PGHOST:$PGPORT); nothing of the failing migration was kept"
