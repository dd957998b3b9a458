#!/usr/bin/env bash
# db/env.sh - sourced by db/migrate.sh and db/schema.sh: points libpq
# (PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD) at the database.
#
# db_env ENV_FILE APPNAME: with ENV_FILE (or $EASYCHAT_ENV) the DB_HOST,
# DB_PORT, DB_NAME, DB_USER and DB_PASSWORD keys of that file (plain
# KEY=value lines, the last one wins); otherwise the usual
# PGHOST/PGPORT/PGUSER/PGPASSWORD/PGDATABASE, falling back to DB_*
# variables of the environment.  Returns 1 when ENV_FILE is unreadable.

# env_value FILE KEY: the value of the last KEY= line of FILE (empty if none).
env_value() {
	local line value=
	while IFS= read -r line || [[ -n $line ]]; do
		[[ $line == "$2="* ]] && value=${line#*=}
	done <"$1"
	printf '%s' "${value%$'\r'}"
}

db_env() {
	local env_file=${1:-${EASYCHAT_ENV:-}}
	if [[ -n $env_file ]]; then
		[[ -r $env_file ]] || return 1
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
	export PGAPPNAME=$2
}
