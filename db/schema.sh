#!/usr/bin/env bash
# db/schema.sh - the committed schema snapshot, db/schema.sql: what
# db/migrate.sh (migrations, then db/functions) makes of an empty database.
#
# Usage: db/schema.sh dump|check|write [ENV_FILE]
#   dump   print the schema of the database (pg_dump --schema-only,
#          normalised: no owners, privileges, version banners or
#          per-run keys, so that it is stable)
#   check  fail, with the diff, when it differs from db/schema.sql
#   write  replace db/schema.sql with it
# The database must be freshly migrated: `make test` checks the stack it
# has just created (tests/run.sh); to refresh the file after adding a
# migration or changing a function, copy the tests/artifacts/schema.sql
# that a failing check leaves, or run `write` against a fresh stack.
# Connection: as db/migrate.sh (db/env.sh).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=db/env.sh
. "$here/env.sh"

die() { echo "schema: $*" >&2; exit 1; }

cmd=${1:-}
db_env "${2:-}" easychat-schema || die "cannot read env file ${2:-}"

dump() {
	# \restrict lines carry a random key (PostgreSQL 15.14+); the
	# banner names the versions.  Neither is schema.
	pg_dump --schema-only --no-owner --no-privileges |
		sed -e '/^\\restrict /d' -e '/^\\unrestrict /d' \
			-e '/^-- Dumped from database version/d' \
			-e '/^-- Dumped by pg_dump version/d' |
		cat -s
}

case $cmd in
dump) dump ;;
write)
	dump >"$here/schema.sql.tmp"
	mv "$here/schema.sql.tmp" "$here/schema.sql"
	echo "schema: wrote db/schema.sql"
	;;
check)
	actual=$(mktemp "${TMPDIR:-/tmp}/easychat-schema.XXXXXX")
	trap 'rm -f "$actual"' EXIT
	dump >"$actual"
	if ! diff -u "$here/schema.sql" "$actual"; then
		if [[ -n ${SCHEMA_ACTUAL:-} ]]; then
			mkdir -p "$(dirname "$SCHEMA_ACTUAL")"
			cp "$actual" "$SCHEMA_ACTUAL"
		fi
		die "the migrations and db/functions do not produce db/schema.sql (diff above${SCHEMA_ACTUAL:+; the schema they produce is in $SCHEMA_ACTUAL}); if the change is intended, commit the new db/schema.sql"
	fi
	echo "schema: db/schema.sql matches the migrations and db/functions"
	;;
*) die "usage: db/schema.sh dump|check|write [ENV_FILE]" ;;
esac
