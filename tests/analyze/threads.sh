#!/usr/bin/env bash
# tests/analyze/threads.sh BIN - `ghostguard analyze --threads 2` (two
# workers, each judging the sources of its shard, reports merged) says
# byte for byte what --threads 1 says: text, JSON and HTML, standard error
# and exit status, for every capture of the shared corpus and of
# tests/captures one by one and all at once, for the capture
# tests/analyze/mkshard.py writes (the payloads where the shard of a
# payload is delicate), without a config and with one naming protected
# networks. Then what differs by design: past --max-sources the shards'
# halves fill separately; analyze still runs and keeps to the limit.
set -u
bin=$1
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/corpus.sh"
corpus_check || { echo "1..1"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# same LABEL ARGS...: both thread counts, every output byte and the status.
same() {
	local label=$1 r1 r2 rc=0
	shift
	"$bin" analyze --threads 1 "$@" >"$tmp/o1" 2>"$tmp/e1"; r1=$?
	"$bin" analyze --threads 2 "$@" >"$tmp/o2" 2>"$tmp/e2"; r2=$?
	if [ $r1 != $r2 ] || ! cmp -s "$tmp/o1" "$tmp/o2" ||
	    ! cmp -s "$tmp/e1" "$tmp/e2"; then
		rc=1
		echo "# status $r1 vs $r2"
		diff "$tmp/o1" "$tmp/o2" | head -n 10 | sed 's/^/# /'
		diff "$tmp/e1" "$tmp/e2" | head -n 5 | sed 's/^/# /'
	fi
	t $rc "--threads 2 says what --threads 1 says: $label"
}

if ! python3 tests/analyze/mkshard.py "$tmp/shard.pcap"; then
	t 1 "tests/analyze/mkshard.py writes its capture"
fi
caps=$(find "$corpus/pcap" tests/captures -type f \( -name '*.pcap' -o \
    -name '*.pcapng' -o -name '*.cap' \) | sort)
[ -n "$caps" ]
t $? "captures found under $corpus/pcap and tests/captures"

for conf in "" tests/analyze/lab-mixed/conf; do
	c=(); [ -n "$conf" ] && c=(-c "$conf")
	what=${conf:-no config}
	for opt in "" --json; do
		same "mkshard capture $opt ($what)" "${c[@]}" $opt \
		    "$tmp/shard.pcap"
		bad=0
		for f in $caps; do
			"$bin" analyze --threads 1 "${c[@]}" $opt "$f" \
			    >"$tmp/o1" 2>&1; r1=$?
			"$bin" analyze --threads 2 "${c[@]}" $opt "$f" \
			    >"$tmp/o2" 2>&1; r2=$?
			if [ $r1 != $r2 ] || ! cmp -s "$tmp/o1" "$tmp/o2"
			then
				echo "# differs: $f"
				bad=$((bad + 1))
			fi
		done
		t $bad "every capture alone $opt ($what): $bad differ"
		same "all captures at once $opt ($what)" "${c[@]}" $opt \
		    $caps "$tmp/shard.pcap"
	done
	same "all captures at once, HTML ($what)" "${c[@]}" --html - \
	    $caps "$tmp/shard.pcap"
done
same "an unreadable file among readable ones: one message" \
    tests/captures/mixed.pcap "$tmp/missing.pcap" tests/captures/README.md
grep -c 'ghostguard:' "$tmp/e2" | grep -qx 2
t $? "--threads 2: one message for each unreadable file"
head -1 "$tmp/o2" | grep -qx "ghostguard analyze: tests/captures/mixed.pcap"
t $? "the report's header names only the capture read: $(head -1 "$tmp/o2")"
head -c 3000 tests/captures/mixed.pcap >"$tmp/cut.pcap"
"$bin" analyze --json "$tmp/cut.pcap" "$tmp/missing.pcap" >"$tmp/o2" 2>/dev/null
python3 -c 'import json, sys; sys.exit(json.load(open(sys.argv[1]))["files"] != sys.argv[2])' \
    "$tmp/o2" "$tmp/cut.pcap"
t $? "a capture cut short is named (read in part), a missing one is not"
same "-v (one worker: packet lines in capture order)" -v "$tmp/shard.pcap"
cat "$tmp/shard.pcap" | "$bin" analyze --threads 2 /dev/stdin >"$tmp/o2" 2>&1
"$bin" analyze --threads 1 "$tmp/shard.pcap" >"$tmp/o1" 2>&1
sed -i "s#/dev/stdin#$tmp/shard.pcap#" "$tmp/o2"
cmp -s "$tmp/o1" "$tmp/o2"
t $? "a pipe (read by one worker) gives the same report"

# Past the limits the halves fill on their own: no crash, the limit kept.
"$bin" analyze --threads 2 --max-sources 7 --json "$tmp/shard.pcap" \
    >"$tmp/o2" 2>"$tmp/e2"
t $? "--max-sources 7: status 0"
python3 - "$tmp/o2" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
s = r["summary"]
ok = s["sources"] <= 7 and s["packets_not_described"] > 0 and \
    len(r["sources"]) == s["sources"]
print("# %d sources described, %d untracked packets" %
      (s["sources"], s["packets_not_described"]))
sys.exit(0 if ok else 1)
EOF
t $? "--max-sources 7: at most 7 sources described, the rest counted"
printf 'tracker-sources 17\n' >"$tmp/small.conf"
"$bin" analyze --threads 2 -c "$tmp/small.conf" "$tmp/shard.pcap" \
    >"$tmp/o2" 2>"$tmp/e2" && [ ! -s "$tmp/e2" ]
t $? "tracker-sources 17 (78 sources) split 9 and 8: status 0, no message"
tap_end
