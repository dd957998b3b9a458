#!/bin/bash
# run.sh DIR SECONDS TARGET... - `make fuzz`: runs each libFuzzer harness
# DIR/<target> for SECONDS seconds, one after the other under nice, on a
# working corpus build/fuzz/corpus/<target>/ seeded from the committed
# tests/fuzz/corpus/<target>/ (plus tests/fuzz/<target>.dict if present).
# Findings are written to build/fuzz/crashes/<target>/.  Prints one line
# per target: executions, coverage (cov, ft), corpus size, findings.
# MERGE=1 then minimises the working corpus into the committed one
# (-merge=1), for a commit.  Exits 1 when anything was found.
set -uo pipefail
dir=${1:?usage: run.sh DIR SECONDS TARGET...}
seconds=${2:?usage: run.sh DIR SECONDS TARGET...}
shift 2
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=$repo/build/fuzz
found=0
summary=()
for t in "$@"; do
	bin=$dir/$t
	seeds=$repo/tests/fuzz/corpus/$t
	corpus=$work/corpus/$t
	crashes=$work/crashes/$t
	log=$work/logs/$t.log
	mkdir -p "$seeds" "$corpus" "$crashes" "$(dirname "$log")"
	opts=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048
		-print_final_stats=1 -artifact_prefix="$crashes/")
	[ -f "$repo/tests/fuzz/$t.dict" ] && opts+=(-dict="$repo/tests/fuzz/$t.dict")
	echo "== fuzz: $t for ${seconds}s (log: $log)"
	before=$(find "$crashes" -type f | wc -l)
	LSAN_OPTIONS="suppressions=$repo/tests/lsan.supp:print_suppressions=0" \
		nice -n 10 "$bin" "${opts[@]}" "$corpus" "$seeds" >"$log" 2>&1
	rc=$?
	after=$(find "$crashes" -type f | wc -l)
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	last=$(grep -E '^#[0-9]+.*(cov|ft):' "$log" | tail -1)
	cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
	ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
	n=$(find "$corpus" -type f | wc -l)
	line="$t: ${runs:-?} runs, cov ${cov:-?}, ft ${ft:-?}, corpus $n, findings $((after - before))"
	if [ $rc -ne 0 ] || [ "$after" -gt "$before" ]; then
		found=1
		line="$line (exit $rc; see $log)"
	fi
	summary+=("$line")
	if [ "${MERGE:-0}" = 1 ]; then
		rm -rf "$seeds.new" && mkdir -p "$seeds.new"
		nice -n 10 "$bin" -merge=1 "$seeds.new" "$seeds" "$corpus" >>"$log" 2>&1 &&
			rm -rf "$seeds" && mv "$seeds.new" "$seeds"
	fi
done
echo
printf '%s\n' "${summary[@]}"
exit $found
