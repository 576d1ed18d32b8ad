#!/usr/bin/env bash
# tests/analyze/golden.sh BIN [--regen] - golden reports: each directory
# tests/analyze/CASE/ holds 'input' (capture paths, one a line; corpus/...
# is the shared corpus), optionally 'conf', and 'expected.txt' and
# 'expected.json', the text and JSON reports `ghostguard analyze` must print.
# --regen rewrites the expected files from the current binary (review the
# diff before committing it).
set -u
bin=$1 regen=${2:-}
. tests/lib/corpus.sh
corpus_check || { echo "1..1"; exit 1; }
n=0 fails=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for d in tests/analyze/*/; do
	[ -f "$d/input" ] || continue
	args=()
	[ -f "$d/conf" ] && args+=(-c "$d/conf")
	while read -r f; do
		[ -n "$f" ] || continue
		case $f in corpus/*) f=$corpus/${f#corpus/} ;; esac
		args+=("$f")
	done <"$d/input"
	# Paths in the report are as given; normalise the corpus location.
	GG_NORM=$corpus
	for kind in txt json; do
		opt=; [ $kind = json ] && opt=--json
		"$bin" analyze $opt "${args[@]}" 2>&1 |
			sed "s#$GG_NORM#corpus#g" >"$tmp/out.$kind"
		n=$((n + 1))
		if [ "$regen" = --regen ]; then
			cp "$tmp/out.$kind" "$d/expected.$kind"
			echo "ok $n - $d expected.$kind regenerated"
		elif diff -u "$d/expected.$kind" "$tmp/out.$kind" >"$tmp/diff"; then
			echo "ok $n - $d report ($kind) matches expected.$kind"
		else
			head -n 60 "$tmp/diff"
			echo "not ok $n - $d report ($kind) differs from expected.$kind"
			fails=$((fails + 1))
		fi
	done
done
echo "1..$n"
[ $fails = 0 ]
