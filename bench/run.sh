#!/usr/bin/env bash
# bench/run.sh - ghostguard's benchmarks, each figure a ratio against a
# baseline measured in the same run, printed with the command that produced
# it. Also written to build/bench/results.txt. bench/README.md explains each
# figure and the goals. Run by `make bench` after `make all`; needs valgrind,
# hyperfine, tshark, GNU time and python3 (scripts/deps.sh bench). Never uses
# the network; every step is bounded by `timeout`.
#
# Sections 4-6 are the kernel bans of issue 4 (bench/ban/*.sh, in network
# namespaces of their own; they need root, nft, ipset, Kamailio and SIPp).
#
# Usage: bench/run.sh [all|analyze|ban|inline] (default all; also env PART):
# `analyze` runs sections 1-3 only, `ban` sections 4-6 only (a few minutes
# instead of about ten; its table goes to build/bench/results-ban.txt),
# `inline` section 7 only (results-inline.txt).
#
# Environment: B (build directory, default build), PACKETS (packets in the
# large capture, default 1000000), SOURCES (sources for the tracker figure,
# default 1000000), BANS (bans restored in sections 4 and 5, default
# 1000000), FLOOD_RATE (packets/s of section 6, default 100000), FLOOD_S
# (its seconds, default 30).
set -eu
cd "$(dirname "$0")/.."

B=${B:-build}
PART=${1:-${PART:-all}}
case $PART in all|analyze|ban|inline) ;; *) echo "usage: bench/run.sh [all|analyze|ban|inline]" >&2; exit 2 ;; esac
BANS=${BANS:-1000000}
FLOOD_RATE=${FLOOD_RATE:-100000}
FLOOD_S=${FLOOD_S:-30}
PACKETS=${PACKETS:-1000000}
SOURCES=${SOURCES:-1000000}
OUT=$B/bench
RES=$OUT/results.txt
[ "$PART" = ban ] && RES=$OUT/results-ban.txt
[ "$PART" = inline ] && RES=$OUT/results-inline.txt
CORPUS=${CORPUS:-$(pwd)/../shared/corpus/pcap}
# A private build, so that others rebuilding $B/ghostguard during the run
# cannot mix two versions into one set of figures.
OBJ=$OUT/obj
GG=$OBJ/ghostguard
CFLAGS="-O2 -g -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wshadow -Wpointer-arith
    -Wcast-qual -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wvla"
# Iterations for the callgrind and memcheck runs (cost = difference / (N2-N1)).
N1=1000 N2=11000 M1=100 M2=1000

mkdir -p "$OUT"
: >"$RES.tmp"
say() { printf '%s\n' "$*" | tee -a "$RES.tmp"; }
die() { echo "bench/run.sh: $*" >&2; exit 1; }
# Numbers: ratio a/b with 2 decimals; integer division rounding.
ratio() { python3 -c "import sys; print('%.2f' % (float(sys.argv[1]) / float(sys.argv[2])))" "$1" "$2"; }
calc() { python3 -c "print($1)"; }
goal() { if [ "$(calc "$1")" = True ]; then echo met; else echo MISSED; fi; }

an=no; { [ "$PART" = all ] || [ "$PART" = analyze ]; } && an=yes
need="hyperfine python3"
[ $an = no ] || need="$need valgrind callgrind_annotate tshark"
[ "$PART" = analyze ] || need="$need nft ipset sipp kamailio"
for t in $need; do
	command -v $t >/dev/null || die "$t missing (scripts/deps.sh bench)"
done
[ $an = no ] || [ -x /usr/bin/time ] || die "/usr/bin/time missing (package time)"
mkdir -p "$OUT"
make -s -j"$(nproc)" all B="$OBJ" >"$OUT/build.log" 2>&1 ||
	die "make all B=$OBJ failed: $(tail -5 "$OUT/build.log")"

T0=$(date +%s)
say "ghostguard benchmarks, $(date -u +%Y-%m-%dT%H:%M:%SZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD -- src 2>/dev/null || echo ' (src/ modified)')"
say "build: make all B=$OBJ (the working tree at the start of the run)"
say "host: $(nproc) CPUs, $(uname -sr), $(cc --version | head -1); part: $PART"
say ""
parse_fail=0
ban_fail=0
if [ $an = yes ]; then

# ---------------------------------------------------------------------------
# 1. sip_parse() against a memchr line split of the same bytes.
# ---------------------------------------------------------------------------
SIP_OBJS="$OBJ/src/lib/gg.o $OBJ/src/sip/sip.o $OBJ/src/sip/uri.o $OBJ/src/sip/frame.o"
# shellcheck disable=SC2086
cc $CFLAGS -o "$OUT/parse_bench" bench/parse_bench.c $SIP_OBJS
# shellcheck disable=SC2086
cc $CFLAGS -o "$OUT/track_bench" bench/track_bench.c $OBJ/src/lib/gg.o \
    $OBJ/src/engine/track.o

# Instructions of one callgrind run (valgrind's "Collected" line).
instr() {
	timeout 300 valgrind --tool=callgrind --callgrind-out-file="$OUT/cg.$1.$2.$3" \
	    "$OUT/parse_bench" "$1" "$2" "$4" 2>&1 >/dev/null |
	    sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
# Heap allocations of one memcheck run ("total heap usage: N allocs").
allocs() {
	timeout 300 valgrind --tool=memcheck "$OUT/parse_bench" parse "$1" "$2" \
	    2>&1 >/dev/null | sed -n 's/.*total heap usage: \([0-9,]*\) allocs.*/\1/p' |
	    tr -d ,
}

say "== 1. SIP parse cost: sip_parse() vs a memchr line split of the same bytes"
say "   (instructions per message = (I(N2) - I(N1)) / (N2 - N1), N1=$N1, N2=$N2;"
say "    heap allocations per message from memcheck with $M1 and $M2 iterations)"
for msg in bench/msg/invite_yealink.sip bench/msg/register_yealink.sip \
    bench/msg/invite_heplify.sip bench/msg/register_aaa.sip; do
	name=$(basename "$msg" .sip)
	bytes=$(wc -c <"$msg")
	"$OUT/parse_bench" parse 1 "$msg" >"$OUT/parse.$name.check" ||
		{ parse_fail=1; say "   WARNING: sip_parse rejects $msg: $(cat "$OUT/parse.$name.check")"; }
	p1=$(instr parse $N1 "$name" "$msg"); p2=$(instr parse $N2 "$name" "$msg")
	s1=$(instr split $N1 "$name" "$msg"); s2=$(instr split $N2 "$name" "$msg")
	pm=$(calc "round(($p2 - $p1) / ($N2 - $N1))")
	sm=$(calc "round(($s2 - $s1) / ($N2 - $N1))")
	a1=$(allocs $M1 "$msg"); a2=$(allocs $M2 "$msg")
	am=$(calc "'%g' % (($a2 - $a1) / ($M2 - $M1))")
	kind=$(head -c 8 "$msg" | cut -d' ' -f1)
	say "parse $kind $name ($bytes B): $(ratio "$pm" "$sm")x memchr line split (callgrind: $pm vs $sm instr/msg); heap allocations per message: $am ($a1 allocs at $M1 iterations, $a2 at $M2); goal $(goal "$pm / $sm <= 3 and $am == 0")"
done
say "   command: valgrind --tool=callgrind $OUT/parse_bench parse|split N MSG  (N = $N1, $N2; \"Collected\" line)"
say "   command: valgrind --tool=memcheck $OUT/parse_bench parse N MSG  (N = $M1, $M2; \"total heap usage\" line)"
say "   goal (issue): at most 3x, zero heap allocations"
say "   where sip_parse spends its instructions (invite_yealink; self instr/msg, share):"
python3 bench/cgtop.py "$OUT/cg.parse.$N2.invite_yealink" $N2 8 |
    tee -a "$RES.tmp"
say "   command: python3 bench/cgtop.py $OUT/cg.parse.$N2.invite_yealink $N2 8  (callgrind_annotate of the N2 parse run)"
say ""

# ---------------------------------------------------------------------------
# 2. ghostguard analyze against tshark -Y sip on a large capture.
# ---------------------------------------------------------------------------
say "== 2. ghostguard analyze vs tshark -r FILE -Y sip, same capture"
BIG=$OUT/big.pcap
inputs=$(find "$CORPUS/scanners" "$CORPUS/legit" -type f \
    \( -name '*.pcap' -o -name '*.cap' \) | LC_ALL=C sort)
[ -n "$inputs" ] || die "no captures under $CORPUS"
# The capture is cached: rebuilt when the generator, its inputs or the
# packet count change.
stamp=$( { python3 bench/mkpcap.py --version; sha256sum bench/mkpcap.py;
    echo "$PACKETS"; for f in $inputs; do stat -c '%n %s %Y' "$f"; done; } |
    sha256sum | cut -d' ' -f1)
if [ -f "$BIG" ] && [ "$(cat "$BIG.stamp" 2>/dev/null)" = "$stamp" ]; then
	say "capture: $BIG (cached, generator stamp ${stamp:0:12})"
else
	rm -f "$BIG" "$BIG.stamp"
	# shellcheck disable=SC2086
	timeout 600 python3 bench/mkpcap.py big "$BIG" "$PACKETS" $inputs |
	    tee -a "$RES.tmp"
	echo "$stamp" >"$BIG.stamp"
fi
say "   command: python3 bench/mkpcap.py big $BIG $PACKETS <every classic pcap under $CORPUS/{scanners,legit}>"
bigsize=$(stat -c %s "$BIG")
say "capture: $(calc "round($bigsize / 1048576)") MiB, $PACKETS packets"

CMD_GG="$GG analyze $BIG"
CMD_GG1="$GG analyze --threads 1 $BIG"
CMD_TS="tshark -r $BIG -Y sip"
# Time: hyperfine; analyze is quick, so more runs. The default is two
# workers on a machine with two CPUs; one worker is the baseline for them.
timeout 600 hyperfine -N --style basic --warmup 1 --runs 5 \
    --export-json "$OUT/hf_analyze.json" "$CMD_GG" >"$OUT/hf_analyze.txt" 2>&1 ||
	die "hyperfine analyze failed: $(tail -5 "$OUT/hf_analyze.txt")"
timeout 600 hyperfine -N --style basic --warmup 1 --runs 5 \
    --export-json "$OUT/hf_analyze1.json" "$CMD_GG1" >"$OUT/hf_analyze1.txt" 2>&1 ||
	die "hyperfine analyze --threads 1 failed: $(tail -5 "$OUT/hf_analyze1.txt")"
timeout 900 hyperfine -N --style basic --runs 2 \
    --export-json "$OUT/hf_tshark.json" "$CMD_TS" >"$OUT/hf_tshark.txt" 2>&1 ||
	die "hyperfine tshark failed: $(tail -5 "$OUT/hf_tshark.txt")"
hf() { python3 -c "import json,sys; r=json.load(open(sys.argv[1]))['results'][0]; print('%.3f %.3f' % (r['mean'], r['stddev'] or 0))" "$1"; }
read -r gg_mean gg_sd <<<"$(hf "$OUT/hf_analyze.json")"
read -r gg1_mean gg1_sd <<<"$(hf "$OUT/hf_analyze1.json")"
read -r ts_mean ts_sd <<<"$(hf "$OUT/hf_tshark.json")"
# Peak memory: one run each under GNU time; the outputs are kept to count
# what each tool saw.
timeout 300 /usr/bin/time -v -o "$OUT/time_analyze.txt" $CMD_GG >"$OUT/analyze.out"
timeout 600 /usr/bin/time -v -o "$OUT/time_tshark.txt" $CMD_TS 2>/dev/null >"$OUT/tshark.out"
rss() { sed -n 's/.*Maximum resident set size (kbytes): //p' "$1"; }
gg_rss=$(rss "$OUT/time_analyze.txt"); ts_rss=$(rss "$OUT/time_tshark.txt")
gg_msgs=$(grep -m1 'SIP messages' "$OUT/analyze.out" || true)
ts_msgs=$(wc -l <"$OUT/tshark.out")
say "analyze: $(ratio "$ts_mean" "$gg_mean")x faster than tshark (hyperfine mean: $gg_mean s +- $gg_sd vs $ts_mean s +- $ts_sd; $(calc "round($PACKETS / $gg_mean)") vs $(calc "round($PACKETS / $ts_mean)") packets/s); goal $(goal "$ts_mean / $gg_mean >= 30")"
say "analyze: peak RSS $(calc "round($gg_rss / 1024, 1)") MiB vs tshark $(calc "round($ts_rss / 1024, 1)") MiB ($(ratio "$gg_rss" "$ts_rss")x; /usr/bin/time -v, one run each)"
if [ "$(nproc)" -ge 2 ]; then
	say "analyze on two CPUs (default, two workers): $(ratio "$gg1_mean" "$gg_mean")x --threads 1 ($gg_mean s +- $gg_sd vs $gg1_mean s +- $gg1_sd); our own target of 1.5x $(goal "$gg1_mean / $gg_mean >= 1.5")"
else
	say "analyze --threads 1: $gg1_mean s +- $gg1_sd (one CPU: the default is one worker)"
fi
say "   analyze saw: $gg_msgs"
say "   tshark saw: $ts_msgs SIP packets (lines of -Y sip output)"
say "   command: hyperfine -N --warmup 1 --runs 5 '$CMD_GG'; the same with '$CMD_GG1'"
say "   target (ours, bench/analyze_mt/NOTES.md, not an issue's goal): two workers at least 1.5x one"
say "   command: hyperfine -N --runs 2 '$CMD_TS'"
say "   command: /usr/bin/time -v $CMD_GG; /usr/bin/time -v $CMD_TS"
say "   goal (issue): analyze at least 30x faster than tshark"
# Where analyze's time goes: callgrind on the first SLICE packets of the
# same generator output, four rounds so one is IPv6 (the whole file would
# take too long under valgrind). One worker: with two, each decodes every
# packet, and the instructions would count that twice.
SLICE=${SLICE:-28000}
# shellcheck disable=SC2086
timeout 300 python3 bench/mkpcap.py big "$OUT/slice.pcap" "$SLICE" $inputs >/dev/null
timeout 600 valgrind --tool=callgrind --callgrind-out-file="$OUT/cg.analyze" \
    "$GG" analyze --threads 1 "$OUT/slice.pcap" >/dev/null 2>&1
say "   where analyze spends its instructions (first $SLICE packets; instr/packet, share):"
say "     by stage (inclusive):"
python3 bench/cgtop.py --inclusive --only \
    pcap_source_run,pcap_next_ex,net_feed_frame,sip_parse,engine_feed,sigset_match,report_add \
    "$OUT/cg.analyze" "$SLICE" 0 | tee -a "$RES.tmp"
say "     by function (self, top 10):"
python3 bench/cgtop.py "$OUT/cg.analyze" "$SLICE" 10 | tee -a "$RES.tmp"
say "   command: python3 bench/mkpcap.py big $OUT/slice.pcap $SLICE ...; valgrind --tool=callgrind $GG analyze --threads 1 $OUT/slice.pcap; python3 bench/cgtop.py $OUT/cg.analyze $SLICE 10"
say ""

# ---------------------------------------------------------------------------
# 3. Tracker memory for 1M sources.
# ---------------------------------------------------------------------------
say "== 3. Tracker memory for $SOURCES sources (goal: at most 256 MB)"
read -r tb_big <<<"$("$OUT/track_bench" "$SOURCES")"
read -r tb_small <<<"$("$OUT/track_bench" 1000)"
kv() { printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
tm=$(kv "$tb_big" track_memory); tg=$(kv "$tb_big" rss_growth)
ts_small=$(kv "$tb_small" track_memory)
goal=$((256 * 1000 * 1000))
say "tracker: track_memory() $(calc "round($tm / 1e6, 1)") MB for $SOURCES sources = $(ratio "$tm" "$goal")x the 256 MB goal ($(kv "$tb_big" sizeof_src) B per record + index; $(calc "round($tm / $SOURCES)") B per source; 1000 sources: $(calc "round($ts_small / 1e3, 1)") kB); goal $(goal "$tm <= $goal")"
say "tracker: RSS growth filling all $SOURCES records: $(calc "round($tg / 1e6, 1)") MB ($(ratio "$tg" "$tm")x track_memory)"
say "   command: $OUT/track_bench $SOURCES; $OUT/track_bench 1000"
# The same through the whole program: a capture with one packet from each
# of SOURCES sources, analyzed with tracker-sources SOURCES and 1000.
SRC=$OUT/sources.pcap
tpl="$CORPUS/scanners/initconf-sip-attacks/BadUserAgent-sipvicious.pcap"
stamp=$( { python3 bench/mkpcap.py --version; sha256sum bench/mkpcap.py;
    echo "$SOURCES"; stat -c '%n %s %Y' "$tpl"; } | sha256sum | cut -d' ' -f1)
if [ -f "$SRC" ] && [ "$(cat "$SRC.stamp" 2>/dev/null)" = "$stamp" ]; then
	:
else
	rm -f "$SRC" "$SRC.stamp"
	timeout 600 python3 bench/mkpcap.py sources "$SRC" "$SOURCES" "$tpl" >/dev/null
	echo "$stamp" >"$SRC.stamp"
fi
for cap in "$SOURCES" 1000; do
	printf 'tracker-sources %s\n' "$cap" >"$OUT/tracker-$cap.conf"
	timeout 300 /usr/bin/time -v -o "$OUT/time_tracker-$cap.txt" \
	    "$GG" analyze -c "$OUT/tracker-$cap.conf" "$SRC" >"$OUT/tracker-$cap.out"
done
r_big=$(rss "$OUT/time_tracker-$SOURCES.txt"); r_small=$(rss "$OUT/time_tracker-1000.txt")
say "analyze with tracker-sources $SOURCES: peak RSS $(calc "round($r_big / 1024, 1)") MiB vs $(calc "round($r_small / 1024, 1)") MiB with tracker-sources 1000 ($(ratio "$r_big" "$r_small")x; difference $(calc "round(($r_big - $r_small) * 1024 / 1e6, 1)") MB)"
say "   capture: $SRC, $SOURCES copies of svmap's OPTIONS, each from its own source ($(grep -m1 'SIP messages' "$OUT/tracker-$SOURCES.out" || true))"
say "   command: python3 bench/mkpcap.py sources $SRC $SOURCES $tpl"
say "   command: /usr/bin/time -v $GG analyze -c CONF $SRC  (CONF: 'tracker-sources $SOURCES', then 'tracker-sources 1000')"
say ""
fi

# ---------------------------------------------------------------------------
# 4-6. Kernel bans (issue 4): bench/ban/*.sh, each in namespaces of its own,
# each under timeout; their lines go into the table as they print them.
# ---------------------------------------------------------------------------
# ns_step N TITLE SECONDS SCRIPT ARG [ENV...]: runs SCRIPT ARG (ARG: the
# private build or its binary); a failure (exit status, timeout) is a line
# of the table too.
ns_step() {
	local n=$1 title=$2 secs=$3 script=$4 arg=$5 rc log; shift 5
	log=$OUT/ban-$n.log
	say "== $n. $title"
	set +e
	env "$@" timeout -k 10 "$secs" "$script" "$arg" >"$log" 2>"$log.err"
	rc=$?
	set -e
	# The scripts' own "== title" line is the one above.
	grep -v '^== ' "$log" | tee -a "$RES.tmp"
	if [ $rc != 0 ]; then
		ban_fail=1
		say "   FAILED: $script exited $rc$([ $rc = 124 ] && echo " (timeout $secs s)"): $(tail -3 "$log.err" | tr '\n' ' ')"
	fi
	say "   run: $* timeout $secs $script $arg  (output $log)"
	say ""
}
if [ "$PART" = all ] || [ "$PART" = ban ]; then
	if [ "$(id -u)" != 0 ]; then
		say "== 4-6. kernel bans: SKIP, needs root (network namespaces)"
		ban_fail=1
	else
		ns_step 4 "Restore of $BANS bans: ghostguard's backends vs nft -f and ipset restore (goal: at most 1.5x)" \
		    3600 bench/ban/restore.sh "$OBJ" N="$BANS"
		ns_step 5 "Daemon memory with $BANS bans (goal: at most 150 MB)" \
		    900 bench/ban/memory.sh "$OBJ" N="$BANS"
		ns_step 6 "Scan flood: $FLOOD_RATE packets/s for $FLOOD_S s from thousands of sources during SIPp calls (goal: every source banned, zero failed calls)" \
		    $((FLOOD_S * 2 + 300)) bench/ban/flood.sh "$OBJ" RATE="$FLOOD_RATE" FLOOD_S="$FLOOD_S"
	fi
fi

# ---------------------------------------------------------------------------
# 7. Inline (issue 3): SIP packets/s across a router namespace through
# ghostguard run against no queue and a pass-through queue loop.
# ---------------------------------------------------------------------------
if [ "$PART" = all ] || [ "$PART" = inline ]; then
	if [ "$(id -u)" != 0 ]; then
		say "== 7. inline throughput: SKIP, needs root (network namespaces)"
		ban_fail=1
	else
		# One run's ratios scatter by some 10% with the host (README
		# section 7): INLINE_RUNS runs, each printed, and their medians.
		rm -f "$OUT"/ban-7.*.log
		for i in $(seq "${INLINE_RUNS:-3}"); do
			ns_step 7.$i "Inline, run $i of ${INLINE_RUNS:-3}: SIP packets/s through ghostguard run vs (a) no queue, (b) a pass-through queue loop (goal: at least 0.85x (b), 0.75x (a), +20 us one-way median latency; bisection per set-up, interleaved, the router on its own CPU)" \
			    600 bench/inline/run.sh "$GG"
		done
		python3 - "$OUT"/ban-7.*.log <<-'EOP' | tee -a "$RES.tmp"
			import re, statistics, sys
			ca, cb, lat = [], [], []
			for f in sys.argv[1:]:
			    for line in open(f):
			        m = re.match(r"\(c\) vs \(a\): ([0-9.]+)x rate, one-way ([-+0-9.]+) us.*vs \(b\): ([0-9.]+)x rate", line)
			        if m:
			            ca.append(float(m.group(1)))
			            lat.append(float(m.group(2)))
			            cb.append(float(m.group(3)))
			if not cb:
			    sys.exit("inline: no run gave its ratios")
			med = statistics.median
			print("inline, median of %d runs: (c) %.2fx (b), %.2fx (a), one-way %+.1f us over (a) (runs: %s of (b)); goal %s" % (
			    len(cb), med(cb), med(ca), med(lat), " ".join("%.2f" % x for x in cb),
			    "met" if med(cb) >= 0.85 and med(ca) >= 0.75 and med(lat) <= 20 else "MISSED"))
		EOP
		say ""
	fi
fi
say "total bench time: $(( $(date +%s) - T0 )) s"
mv "$RES.tmp" "$RES"
echo "results: $RES"
[ $parse_fail = 0 ] && [ $ban_fail = 0 ]
