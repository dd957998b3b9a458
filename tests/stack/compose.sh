#!/usr/bin/env bash
# Both compose files are valid (docker-compose config; no engine needed),
# every service has a healthcheck, and .dockerignore keeps live state and
# build output out of the image.
# Usage: tests/stack/compose.sh BUILD_DIR
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
fail() { printf 'compose: FAIL: %s\n' "$*" >&2; exit 1; }
passed=0
for f in docker-compose.dev.yml docker-compose.prod.yml; do
	out=$(docker-compose -f "$f" config 2>&1) || fail "$f: $out"
	services=$(docker-compose -f "$f" config --services)
	for s in $services; do
		# web shares the app's network and has nothing to probe itself.
		[[ $f == docker-compose.dev.yml && $s == web ]] && continue
		awk -v s="  $s:" '$0 == s {on=1; next} /^  [a-z]/ {on=0} on && /healthcheck:/ {found=1} END {exit !found}' <<<"$out" ||
			fail "$f: service $s has no healthcheck"
	done
	passed=$((passed + 1))
done
for p in var build htdocs/node_modules tests/node_modules .git; do
	grep -qx "$p" .dockerignore || fail ".dockerignore does not exclude $p"
done
echo "compose: $((passed + 1)) passed, 0 failed"
