#!/usr/bin/env bash
# A stack whose VARDIR the PostgreSQL user cannot reach (a clone under
# /root, which is 0700) starts, answers and stops as root: the cluster goes
# to /var/lib/easychat/clusters/ and a --test one is removed on stop.
# Usage: tests/stack/private-vardir.sh BUILD_DIR
set -euo pipefail
build=${1:?usage: private-vardir.sh BUILD_DIR}
repo=$(cd "$(dirname "$0")/../.." && pwd)

fail() { printf 'private-vardir: FAIL: %s\n' "$*" >&2; exit 1; }

if [[ $(id -u) -ne 0 ]]; then
	# Only root runs PostgreSQL as another user; an ordinary user's
	# clone is always reachable by the cluster's owner (itself).
	echo "private-vardir: not root, the case does not arise: 1 passed, 0 failed"
	exit 0
fi

top=$(mktemp -d /tmp/easychat-private.XXXXXX)
chmod 0700 "$top"
var=$top/clone/var
mkdir -p "$top/clone"
cleanup() {
	"$repo/conf/stack.sh" stop "$var" >/dev/null 2>&1 || true
	rm -rf -- "$top"
}
trap cleanup EXIT

runuser -u easychat -- test -x "$top/clone" 2>/dev/null &&
	fail "the setup is wrong: easychat can enter $top/clone"

# An ordinary user's PATH (no /usr/sbin, where lighttpd and runuser are),
# as make run gets it from a login shell that is not root's.
PATH=/usr/local/bin:/usr/bin:/bin BIN_DIR="$build/bin" "$repo/conf/stack.sh" start "$var" --test ||
	fail "start failed in a directory easychat cannot enter"

[[ -L $var/pg ]] || fail "$var/pg is not a symlink to the external cluster"
data=$(readlink -- "$var/pg")
[[ $data == /var/lib/easychat/clusters/*/pg ]] || fail "cluster in $data"
[[ $(stat -c %U "$data") == easychat ]] || fail "$data not owned by easychat"

# shellcheck disable=SC1091
. "$var/stack.env"
body=$(curl -s -m 5 "$BASE_URL/api/auth/me")
[[ $body == *'"error"'* ]] || fail "no JSON answer from the API: $body"
n=$(PGPASSWORD=$DB_PASSWORD psql -X -q -t -A -h 127.0.0.1 -p "$DB_PORT" -U "$DB_USER" -d "$DB_NAME" -c 'SELECT count(*) FROM users')
[[ $n =~ ^[0-9]+$ ]] || fail "database query failed: $n"
"$repo/conf/stack.sh" status "$var" >/dev/null || fail "status reports a stopped service"

"$repo/conf/stack.sh" stop "$var" || fail "stop failed"
[[ ! -e $(dirname "$data") ]] || fail "the --test cluster $(dirname "$data") was left behind"
echo "private-vardir: 1 passed, 0 failed"
