#!/usr/bin/env bash
# Apply the numbered SQL migrations in db/migrations/ that are not applied yet.
#
# Usage: db/migrate.sh [ENV_FILE]
#
# Connection: with ENV_FILE (or $EASYCHAT_ENV) the DB_HOST, DB_PORT, DB_NAME,
# DB_USER and DB_PASSWORD keys of that file (plain KEY=value lines, the last
# one wins); otherwise the usual PGHOST/PGPORT/PGUSER/PGPASSWORD/PGDATABASE,
# falling back to DB_* variables of the environment.
#
# Each db/migrations/NNNN_name.sql is applied in order, in ONE transaction
# together with its row in schema_migrations, so a failing migration leaves
# nothing behind. A file therefore must not contain BEGIN/COMMIT itself, nor
# statements that cannot run in a transaction (CREATE INDEX CONCURRENTLY).
# Migrations are forward-only: never edit one that has been applied.
#
# Concurrent runners are serialised by a session advisory lock held by the
# single psql session that does all the work; the second runner then finds
# everything applied. Running it again is a no-op.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
migrations_dir="${MIGRATIONS_DIR:-$here/migrations}"
# An arbitrary constant: the advisory lock key of "easychat migrations".
lock_key=727001

die() { echo "migrate: $*" >&2; exit 1; }

# env_value FILE KEY: the value of the last KEY= line of FILE (empty if none).
env_value() {
	local line value=
	while IFS= read -r line || [[ -n $line ]]; do
		[[ $line == "$2="* ]] && value=${line#*=}
	done <"$1"
	printf '%s' "${value%$'\r'}"
}

env_file="${1:-${EASYCHAT_ENV:-}}"
if [[ -n $env_file ]]; then
	[[ -r $env_file ]] || die "cannot read env file $env_file"
	PGHOST=$(env_value "$env_file" DB_HOST)
	PGPORT=$(env_value "$env_file" DB_PORT)
	PGDATABASE=$(env_value "$env_file" DB_NAME)
	PGUSER=$(env_value "$env_file" DB_USER)
	PGPASSWORD=$(env_value "$env_file" DB_PASSWORD)
else
	PGHOST="${PGHOST:-${DB_HOST:-}}"
	PGPORT="${PGPORT:-${DB_PORT:-}}"
	PGDATABASE="${PGDATABASE:-${DB_NAME:-}}"
	PGUSER="${PGUSER:-${DB_USER:-}}"
	PGPASSWORD="${PGPASSWORD:-${DB_PASSWORD:-}}"
fi
export PGHOST PGPORT PGDATABASE PGUSER PGPASSWORD
export PGCONNECT_TIMEOUT="${PGCONNECT_TIMEOUT:-10}"
export PGAPPNAME=easychat-migrate

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
