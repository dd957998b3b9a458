#!/bin/bash
# run.sh BUILD_DIR - everything `make test` runs after the build:
#   1. cmocka unit tests, the fuzz corpora replayed (tests/fuzz),
#      tests/stack/*.sh (conf/stack.sh itself) and the
#      SPA's Vitest tests,
#   2. a throw-away stack (PostgreSQL, Redis, lighttpd + programs, relays)
#      on free ports under a temporary directory,
#   3. the schema check (db/schema.sh: the fresh database against
#      db/schema.sql), then the integration tests (tests/integration) and
#      browser tests (tests/e2e) against it, each file in its own node
#      process,
#   4. teardown, then a check that no sanitizer report was written.
# TESTS="tests/integration/auth.test.mjs ..." (make test TESTS=...) runs
# only those suites, and skips the unit tests, for a quick loop.
# TOPOLOGY=multi (make test TOPOLOGY=multi) starts the multi-host topology
# on this box (conf/stack-multi.sh) and runs the integration suites that do
# not stop the one Redis or PostgreSQL of a single-box stack (MULTI_SKIP),
# then tests/multi; the unit, fuzz, SPA and browser tests do not depend on
# the topology and run in the single-box `make test`.
# Exits non-zero when anything failed.  Logs of a failed run are copied to
# tests/artifacts/.
set -uo pipefail
build=${1:?usage: run.sh BUILD_DIR}
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo" || exit 1
failures=()

note() { printf '\n==== %s\n' "$*"; }

only=${TESTS:-}
topology=${TOPOLOGY:-}
# Suites that stop, restart or stall (CLIENT PAUSE) "the" Redis or
# PostgreSQL to test a single-box outage: under Sentinel that is a
# failover, which tests/multi tests instead (and which would leave the
# later suites' REDIS_PORT pointing at a replica).  Each does: auth
# (pg-stop), auth-hardening (CLIENT PAUSE, redis-stop), chaos (Redis and
# PostgreSQL restarts), health (redis-stop), history-cache and
# history-fast (CLIENT PAUSE WRITE), relay (pg-stop, redis-stop),
# relay-faults (CLIENT PAUSE WRITE); their other tests run in the
# single-box `make test`.
MULTI_SKIP=" tests/integration/auth-hardening.test.mjs tests/integration/auth.test.mjs tests/integration/chaos.test.mjs tests/integration/health.test.mjs tests/integration/history-cache.test.mjs tests/integration/history-fast.test.mjs tests/integration/relay-faults.test.mjs tests/integration/relay.test.mjs "

if [ -z "$only" ] && [ -z "$topology" ]; then
	note "unit tests (cmocka)"
	tests/run-unit.sh "$build/tests" || failures+=("unit")
	note "fuzz corpora and crash reproducers (replay)"
	tests/fuzz/replay.sh "$build/fuzz" || failures+=("fuzz-replay")
fi

if [ -z "$only" ] && [ -z "$topology" ] && [ -f htdocs/package.json ]; then
	note "SPA unit tests (vitest)"
	(cd htdocs && npm test) || failures+=("spa-unit")
fi

note "test dependencies (npm)"
if [ ! -d tests/node_modules ] || [ tests/package-lock.json -nt tests/node_modules ]; then
	(cd tests && npm ci --no-audit --no-fund) || { echo "npm ci failed"; exit 1; }
fi

if [ -z "$only" ] && [ -z "$topology" ]; then
	for t in tests/stack/*.sh; do
		note "$t"
		"$t" "$build" || failures+=("$t")
	done
fi

vardir=$(mktemp -d /tmp/easychat-test.XXXXXX)
chmod 755 "$vardir"
mkdir -p "$vardir/log"
export ASAN_OPTIONS="log_path=$vardir/log/asan:detect_leaks=1:abort_on_error=0:detect_stack_use_after_return=0"
export UBSAN_OPTIONS="log_path=$vardir/log/ubsan:print_stacktrace=1:halt_on_error=1"
export LSAN_OPTIONS="suppressions=$repo/tests/lsan.supp:print_suppressions=0"

cleanup() {
	conf/stack.sh stop "$vardir" >/dev/null 2>&1 || true
}
trap cleanup EXIT INT TERM

note "starting the stack in $vardir"
if ! BIN_DIR="$build/bin" conf/stack.sh start "$vardir" --test; then
	failures+=("stack-start")
else
	set -a
	# shellcheck disable=SC1091 # written by stack.sh start
	. "$vardir/stack.env"
	set +a
	note "schema: migrations + db/functions against db/schema.sql"
	SCHEMA_ACTUAL="$repo/tests/artifacts/schema.sql" db/schema.sh check "$EASYCHAT_ENV" ||
		failures+=("schema")
	shopt -s nullglob
	suites=(tests/integration/*.test.mjs tests/e2e/*.test.mjs)
	if [ "$topology" = multi ]; then
		suites=()
		for suite in tests/integration/*.test.mjs; do
			[[ $MULTI_SKIP == *" $suite "* ]] || suites+=("$suite")
		done
		suites+=(tests/multi/*.test.mjs)
	fi
	if [ -n "$only" ]; then
		read -r -a suites <<<"$only"
	fi
	for suite in "${suites[@]}"; do
		note "$suite"
		if ! timeout 900 node --test "$suite"; then
			failures+=("$suite")
		fi
	done
fi

note "stopping the stack"
conf/stack.sh stop "$vardir" || failures+=("stack-stop")
trap - EXIT INT TERM

# A handler that answered without committing (common/app.c's safety net
# rolled its transaction back): a lost change the client was told about.
if grep -h "left a transaction open" "$vardir/log/programs.log" 2>/dev/null; then
	failures+=("uncommitted-transactions")
fi

reports=$(find "$vardir/log" -name 'asan.*' -o -name 'ubsan.*' 2>/dev/null)
if [ -n "$reports" ]; then
	note "sanitizer reports"
	for f in $reports; do echo "--- $f"; head -60 "$f"; done
	failures+=("sanitizers")
fi

if [ ${#failures[@]} -gt 0 ]; then
	mkdir -p tests/artifacts
	cp -r "$vardir/log" "tests/artifacts/log-$(basename "$vardir")" 2>/dev/null
	note "FAILED: ${failures[*]} (logs in tests/artifacts/)"
	exit 1
fi
rm -rf "$vardir"
note "all tests passed"
