#!/usr/bin/env bash
# Swapping one program: with CGI_PROGRAMS=users, easychat-users runs as plain
# CGI (one process per request) — through mod_cgi behind lighttpd, through
# fcgiwrap behind nginx — while the other programs stay FastCGI, and the
# users suite still passes behind both.
# Usage: tests/stack/cgi-swap.sh BUILD_DIR
set -uo pipefail
build=${1:?usage: cgi-swap.sh BUILD_DIR}
repo=$(cd "$(dirname "$0")/../.." && pwd)
passed=0
failed=0
fail() { printf 'cgi-swap: FAIL: %s\n' "$*" >&2; failed=$((failed + 1)); }

# swap_front FRONT: one stack behind FRONT with users as CGI.
swap_front() {
	local front=$1 var pid reports f before=$failed
	var=$(mktemp -d /tmp/easychat-cgi.XXXXXX)
	chmod 755 "$var"
	mkdir -p "$var/log"
	export ASAN_OPTIONS="log_path=$var/log/asan:detect_leaks=1:abort_on_error=0:detect_stack_use_after_return=0"
	export UBSAN_OPTIONS="log_path=$var/log/ubsan:print_stacktrace=1:halt_on_error=1"
	export LSAN_OPTIONS="suppressions=$repo/tests/lsan.supp:print_suppressions=0"
	if ! CGI_PROGRAMS=users FRONT=$front BIN_DIR="$build/bin" "$repo/conf/stack.sh" start "$var" --test >"$var/log/start.out" 2>&1; then
		cat "$var/log/start.out"
		fail "$front: start"
		rm -rf -- "$var"
		return
	fi
	# No long-lived easychat-users of this stack: the answers come from CGI.
	for pid in $(pgrep -f "$build/bin/easychat-users" || true); do
		if tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qxF "EASYCHAT_STACK=$var"; then
			fail "$front: a long-lived easychat-users (pid $pid) runs: not swapped to CGI"
		fi
	done
	(
		set -a
		# shellcheck disable=SC1091
		. "$var/stack.env"
		set +a
		cd "$repo" && timeout 900 node --test tests/integration/users.test.mjs
	) || fail "$front: the users suite with users as CGI"
	"$repo/conf/stack.sh" stop "$var" >/dev/null 2>&1 || fail "$front: stop"
	reports=$(find "$var/log" -name 'asan.*' -o -name 'ubsan.*')
	if [[ -n $reports ]]; then
		for f in $reports; do echo "--- $f"; head -60 "$f"; done
		fail "$front: sanitizer reports"
	fi
	rm -rf -- "$var"
	if ((failed == before)); then passed=$((passed + 1)); fi
}

swap_front lighttpd
swap_front nginx
echo "cgi-swap: $passed passed, $failed failed"
((failed == 0))
