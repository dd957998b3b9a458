#!/usr/bin/env bash
# VARDIR/local.env wins over the settings that conf/stack.sh start --test
# writes (tests/bench/run.sh turns the test stack's one-second digest scan
# off through it; before, the --test lines came last and won, and the
# bench measured that scan too).
# Usage: tests/stack/local-env.sh BUILD_DIR
set -euo pipefail
build=${1:?usage: local-env.sh BUILD_DIR}
repo=$(cd "$(dirname "$0")/../.." && pwd)

fail() { printf 'local-env: FAIL: %s\n' "$*" >&2; exit 1; }

var=$(mktemp -d /tmp/easychat-localenv.XXXXXX)
chmod 755 "$var"
cleanup() {
	"$repo/conf/stack.sh" stop "$var" >/dev/null 2>&1 || true
	rm -rf -- "$var"
}
trap cleanup EXIT

printf 'DIGEST_AFTER_SECONDS=0\nDIGEST_CHECK_SECONDS=300\nDELIVER_POLL_MS=5000\n' >"$var/local.env"
BIN_DIR="$build/bin" "$repo/conf/stack.sh" start "$var" --test >/dev/null ||
	fail "start failed"

# The value a program reads: the last line of a key wins (common/cfg.c,
# load_env in conf/stack.sh).
last() { grep -E "^$1=" "$var/easychat.env" | tail -n 1 | cut -d= -f2-; }
[[ $(last DIGEST_AFTER_SECONDS) == 0 ]] ||
	fail "DIGEST_AFTER_SECONDS is $(last DIGEST_AFTER_SECONDS), local.env said 0"
[[ $(last DIGEST_CHECK_SECONDS) == 300 ]] ||
	fail "DIGEST_CHECK_SECONDS is $(last DIGEST_CHECK_SECONDS), local.env said 300"
[[ $(last DELIVER_POLL_MS) == 5000 ]] ||
	fail "DELIVER_POLL_MS is $(last DELIVER_POLL_MS), local.env said 5000"
# The test settings that local.env does not name stay.
[[ $(last EMAIL_VERIFY) == 1 ]] || fail "the --test settings were lost"
# shellcheck disable=SC1091
. "$var/stack.env"
body=$(curl -s -m 5 "$BASE_URL/api/auth/me")
[[ $body == *'"error"'* ]] || fail "no JSON answer from the API: $body"
echo "local-env: 1 passed, 0 failed"
