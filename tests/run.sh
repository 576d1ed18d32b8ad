#!/usr/bin/env bash
# tests/run.sh - runs every test and ends with "N passed, N failed, N skipped".
#
# A test is a command line (run by bash) that prints TAP-style lines ("ok N - what",
# "not ok N - what", "ok N - what # SKIP why"). Each line counts once; a test
# that exits non-zero without printing a failure counts as one failure, and so
# does one that runs past its time limit.
#
# Usage: tests/run.sh [-t SECONDS] TEST...
#        tests/run.sh [-t SECONDS] -f FILE	(one test command a line)
set -u
limit=600
if [ "${1:-}" = -t ]; then limit=$2; shift 2; fi
if [ "${1:-}" = -f ]; then
	mapfile -t tests < "$2"
	set -- "${tests[@]}"
fi
pass=0 fail=0 skip=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for t in "$@"; do
	echo "# $t"
	timeout --kill-after=10 "$limit" bash -c "$t" >"$log" 2>&1
	rc=$?
	cat "$log"
	p=$(grep -c -E '^ok [0-9]+' "$log" | tr -d ' ')
	s=$(grep -c -E '^ok [0-9]+.*# SKIP' "$log" | tr -d ' ')
	f=$(grep -c -E '^not ok [0-9]+' "$log" | tr -d ' ')
	p=$((p - s))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - $t exited with status $rc"
		f=1
	fi
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
done
echo
if [ "$skip" -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
[ "$fail" -eq 0 ]
