#!/usr/bin/env bash
# make backup / make restore: a backup of a used stack, restored into a
# fresh one, has every message, the uploaded icon and the accounts.
# Usage: tests/stack/backup-restore.sh BUILD_DIR
set -uo pipefail
build=${1:?usage: backup-restore.sh BUILD_DIR}
repo=$(cd "$(dirname "$0")/../.." && pwd)
top=$(mktemp -d /tmp/easychat-backup.XXXXXX)
chmod 755 "$top"
trap '"$repo/conf/stack.sh" stop "$top/a" >/dev/null 2>&1; "$repo/conf/stack.sh" stop "$top/b" >/dev/null 2>&1; rm -rf -- "$top"' EXIT

fail() { printf 'backup-restore: FAIL: %s\n' "$*" >&2; echo "backup-restore: 0 passed, 1 failed"; exit 1; }

# run_node VARDIR ARGS...: the helper against that stack.
run_node() {
	local var=$1
	shift
	(
		set -a
		# shellcheck disable=SC1091
		. "$var/stack.env"
		set +a
		node "$repo/tests/stack/backup-restore.mjs" "$@"
	)
}

for s in a b; do
	FRONT=lighttpd BIN_DIR="$build/bin" "$repo/conf/stack.sh" start "$top/$s" --test >"$top/start-$s.out" 2>&1 ||
		{ cat "$top/start-$s.out"; fail "start $s"; }
done
run_node "$top/a" seed "$top/want.json" || fail "seeding"
"$repo/conf/stack.sh" backup "$top/a" "$top/backup.tar.gz" || fail "backup"
tar -tzf "$top/backup.tar.gz" >"$top/contents" || fail "cannot list the backup"
grep -qx db.dump "$top/contents" || fail "no db.dump in the backup"
"$repo/conf/stack.sh" restore "$top/b" "$top/backup.tar.gz" || fail "restore"
run_node "$top/b" verify "$top/want.json" || fail "verifying the restored stack"
echo "backup-restore: 1 passed, 0 failed"
