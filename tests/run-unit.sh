#!/bin/bash
# run-unit.sh DIR - runs every cmocka test binary in DIR; fails if any fails.
set -uo pipefail
dir=${1:?usage: run-unit.sh DIR}
status=0
shopt -s nullglob
for t in "$dir"/test_*; do
	[ -x "$t" ] || continue
	echo "== unit: $(basename "$t")"
	if ! "$t"; then
		echo "!! unit test failed: $(basename "$t")"
		status=1
	fi
done
exit $status
