#!/usr/bin/env bash
# tests/analyze/pcapmap.sh BIN - src/io/pcap.c reads a classic pcap from a
# memory map while libpcap would hand each record over unchanged, and
# leaves the rest to libpcap. A pipe is read by libpcap alone, so for each
# variant tests/analyze/mkodd.py makes of two captures (nanosecond stamps,
# the other byte order, version 2.3, small and zero snaplen, a record past
# libpcap's maximum, cut in a record and in a header, odd time fields) the
# report, the messages and the status of `analyze FILE` and of
# `cat FILE | analyze /dev/stdin` must be the same, file name aside.
# Then standard input ("-"), and files that cannot be read: errors alone
# when none can, the others' report and the errors when some can.
set -u
bin=$1
. "$(dirname "$0")/../lib/tap.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

python3 tests/analyze/mkshard.py "$tmp/shard.pcap"
t $? "tests/analyze/mkshard.py writes its capture"
for src in tests/captures/mixed.pcap "$tmp/shard.pcap"; do
	d=$tmp/odd.$n
	mkdir -p "$d"
	python3 tests/analyze/mkodd.py "$src" "$d"
	t $? "tests/analyze/mkodd.py $(basename "$src")"
	for f in "$d"/*.pcap; do
		for opt in "" --json; do
			"$bin" analyze --threads 1 $opt "$f" >"$tmp/m.out" \
			    2>"$tmp/m.err"
			r1=$?
			# A pipe, not "< FILE": /dev/stdin would reopen the
			# file, and map it.
			cat "$f" | "$bin" analyze --threads 1 $opt /dev/stdin \
			    >"$tmp/p.out" 2>"$tmp/p.err"
			r2=${PIPESTATUS[1]}
			sed -i "s#/dev/stdin#$f#g" "$tmp/p.out" "$tmp/p.err"
			rc=0
			if [ $r1 != $r2 ] || ! cmp -s "$tmp/m.out" \
			    "$tmp/p.out" || ! cmp -s "$tmp/m.err" "$tmp/p.err"
			then
				rc=1
				echo "# status $r1 vs $r2"
				diff "$tmp/m.out" "$tmp/p.out" | head -n 6 |
				    sed 's/^/# /'
				diff "$tmp/m.err" "$tmp/p.err" | head -n 4 |
				    sed 's/^/# /'
			fi
			t $rc "$(basename "$src") $(basename "$f") $opt: map \
and libpcap agree (status $r1)"
		done
	done
done
# "-" is standard input, a pipe or a redirected file (which the map may
# read), with the same report as the file named.
f=tests/captures/mixed.pcap
"$bin" analyze --json "$f" >"$tmp/f.out" 2>&1
r1=$?
cat "$f" | "$bin" analyze --json - >"$tmp/s.out" 2>&1
r2=${PIPESTATUS[1]}
"$bin" analyze --json - <"$f" >"$tmp/r.out" 2>&1
r3=$?
sed -i "s#\"-\"#\"$f\"#" "$tmp/s.out" "$tmp/r.out"
[ $r1 = 0 ] && [ $r2 = 0 ] && cmp -s "$tmp/f.out" "$tmp/s.out"
t $? "analyze - from a pipe: the report of the file (status $r2)"
[ $r3 = 0 ] && cmp -s "$tmp/f.out" "$tmp/r.out"
t $? "analyze - from a redirected file: the report of the file (status $r3)"
"$bin" analyze - </dev/null >/dev/null 2>"$tmp/e.err"
r4=$?
[ $r4 = 2 ] && grep -q "^ghostguard: -: " "$tmp/e.err"
t $? "analyze - of nothing: status 2 and a message (status $r4)"
# No readable capture: the errors alone, no empty report; some readable:
# the report of those, the errors, status 2 (text and JSON, 1 and 2 threads).
printf 'not a capture\n' >"$tmp/bad.pcap"
for opt in "--threads 1" "--threads 2" "--json"; do
	"$bin" analyze $opt "$tmp/none.pcap" "$tmp/bad.pcap" >"$tmp/n.out" \
	    2>"$tmp/n.err"
	r5=$?
	[ $r5 = 2 ] && [ ! -s "$tmp/n.out" ] &&
	    [ "$(sort -u "$tmp/n.err" | wc -l)" = 2 ]
	t $? "analyze $opt of two unreadable files: both errors, no report, status 2 (status $r5)"
	"$bin" analyze $opt "$tmp/none.pcap" "$f" >"$tmp/s.out" 2>"$tmp/s.err"
	r6=$?
	"$bin" analyze $opt "$f" >"$tmp/f.out" 2>/dev/null
	sed -i "s#$tmp/none.pcap ##" "$tmp/s.out"
	[ $r6 = 2 ] && cmp -s "$tmp/s.out" "$tmp/f.out" &&
	    grep -q "^ghostguard: $tmp/none.pcap: " "$tmp/s.err"
	t $? "analyze $opt of an unreadable and a readable file: the readable one's report, the error, status 2 (status $r6)"
done
tap_end
