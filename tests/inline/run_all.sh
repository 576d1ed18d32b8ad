#!/usr/bin/env bash
# tests/inline/run_all.sh [GHOSTGUARD] - runs the inline integration suite
# (tests/inline/list.sh) with tests/run.sh; ends with "N passed, N failed,
# N skipped". Without root every test is one visible SKIP.
cd "$(dirname "$0")/../.." || exit 1
list=$(mktemp)
trap 'rm -f "$list"' EXIT
tests/inline/list.sh "${1:-build/ghostguard}" >"$list"
tests/run.sh -t 240 -f "$list"
