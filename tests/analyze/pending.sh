#!/usr/bin/env bash
# tests/analyze/pending.sh BIN - the rows of expect.tsv and expect-behaviour.tsv
# kept as '#pending: <row>' (captures the engine does not get right yet;
# a comment above each says why), checked like the active ones: prints
# check.py's TAP lines per file; an 'ok' line is a row to make active.
# Informational: always exits 0 (not part of make check).
set -u
bin=$1
corpus=${GG_CORPUS:-../shared/corpus}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for f in expect expect-behaviour; do
	sed -n 's/^#pending: //p' "tests/analyze/$f.tsv" >"$tmp/$f.tsv"
	[ -s "$tmp/$f.tsv" ] || continue
	conf=/dev/null
	[ $f = expect-behaviour ] && conf=tests/analyze/behaviour-only.conf
	echo "# $f.tsv, pending rows (-c $conf)"
	tests/analyze/check.py "$bin" "$corpus" "$tmp/$f.tsv" "$conf" | grep -v '^1\.\.'
done
exit 0
