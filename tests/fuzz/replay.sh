#!/bin/bash
# replay.sh DIR - runs each fuzz harness in DIR (built with replay.c, the
# sanitizer build) once over its committed corpus and crash reproducers,
# tests/fuzz/corpus/<target>/ and tests/fuzz/crashes/<target>/.  Fails
# when a harness fails, crashes or reports, or has no corpus.
set -uo pipefail
dir=${1:?usage: replay.sh DIR}
here=$(cd "$(dirname "$0")" && pwd)
status=0
shopt -s nullglob
bins=("$dir"/fuzz_*)
if [ ${#bins[@]} -eq 0 ]; then
	echo "!! fuzz replay: no harness in $dir"
	exit 1
fi
for bin in "${bins[@]}"; do
	[ -x "$bin" ] || continue
	t=$(basename "$bin")
	if [ ! -d "$here/corpus/$t" ]; then
		echo "!! fuzz replay: $t has no tests/fuzz/corpus/$t/"
		status=1
		continue
	fi
	if ! "$bin" "$here/corpus/$t" "$here/crashes/$t"; then
		echo "!! fuzz replay failed: $t"
		status=1
	fi
done
exit $status
