#!/usr/bin/env bash
# bench/sig_speed/diff.sh - the working tree's signature matcher (sig.c)
# against the one of git revision REF (default 27328ad, before the fast
# pattern rework: Aho-Corasick, memoised conditions, greedy shapes), on
# N generated messages (default 100000, gen.py: every signature of
# data/signatures.conf and near misses, random case, long fields, header
# orders, compact names, header sections that never end) with
# data/signatures.conf, with extra.conf (operators and fields the shipped
# file does not use: header. in both forms of compact names, line., same,
# in, exact as a fast pattern, non-greedy shapes, contains on via and
# contact) and with both; where header.NAME's compact forms make the two
# differ as meant, sigref.h asks the reference again. Under ASan
# and UBSan; then SECS seconds of differential fuzzing (below; needs
# clang). Usage: diff.sh [B] (a private build directory, default
# build/sigdiff). The matcher's cost per packet is measured with
#   valgrind --tool=callgrind ghostguard analyze --threads 1 SLICE
#   python3 bench/cgtop.py --inclusive --only sigset_match CG.OUT PACKETS 0
# on the bench's slice (bench/run.sh section 2).
set -eu
cd "$(dirname "$0")/../.."
B=${1:-build/sigdiff}
REF=${REF:-27328ad}
N=${N:-100000}
OUT=$B/sigdiff
mkdir -p "$OUT/old/engine"
git show "$REF:src/engine/sig.c" >"$OUT/old/engine/sig.c"
git show "$REF:src/engine/sig.h" >"$OUT/old/engine/sig.h"
CC="cc -O1 -g -std=c11 -D_GNU_SOURCE -fsanitize=address,undefined
    -fno-sanitize-recover=all"
REN="-Dsigset_match=old_sigset_match -Dsigset_load=old_sigset_load
    -Dsig_match=old_sig_match -Dsigset_free=old_sigset_free
    -Dsig_shape_match=old_sig_shape_match
    -Dsigset_load_file=old_sigset_load_file -Dsig_kind_name=old_sig_kind_name"
# The old sig.c includes its own sig.h, which finds ../sip/sip.h in src/.
cp -r src/sip "$OUT/old/"
cp -r src/lib "$OUT/old/"
# shellcheck disable=SC2086
$CC $REN -c -o "$OUT/old_sig.o" "$OUT/old/engine/sig.c"
# shellcheck disable=SC2086
$CC -Isrc -o "$OUT/sigdiff" bench/sig_speed/sigdiff.c src/engine/sig.c \
    src/sip/sip.c src/sip/uri.c src/sip/frame.c src/lib/gg.c "$OUT/old_sig.o"
python3 bench/sig_speed/gen.py "$N" 1 >"$OUT/msgs"
cat data/signatures.conf bench/sig_speed/extra.conf >"$OUT/both.conf"
for conf in data/signatures.conf bench/sig_speed/extra.conf "$OUT/both.conf"; do
	printf '%s: ' "$conf"
	"$OUT/sigdiff" "$OUT/msgs" "$conf"
done
# Then SECS seconds (default 60; 0: none) of differential fuzzing with
# clang's libFuzzer: sigdiff_fuzz.c takes a signature file and a message
# from each input, seeded with both files and some generated messages.
SECS=${SECS:-60}
[ "$SECS" -gt 0 ] || exit 0
FCC="clang -O1 -g -std=c11 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined
    -fno-sanitize-recover=all"
# shellcheck disable=SC2086
$FCC $REN -c -o "$OUT/old_sig_fuzz.o" "$OUT/old/engine/sig.c"
# shellcheck disable=SC2086
$FCC -Isrc -o "$OUT/sigdiff_fuzz" bench/sig_speed/sigdiff_fuzz.c \
    src/engine/sig.c src/sip/sip.c src/sip/uri.c src/sip/frame.c \
    src/lib/gg.c "$OUT/old_sig_fuzz.o"
mkdir -p "$OUT/seed" "$OUT/corpus"
python3 - "$OUT" <<'PY'
import sys
out = sys.argv[1]
msgs = open(out + "/msgs", "rb").read().split(b"\0")[:40]
confs = [open(f, "rb").read() for f in
    ("data/signatures.conf", "bench/sig_speed/extra.conf")]
for i, m in enumerate(msgs):
    open("%s/seed/%d" % (out, i), "wb").write(confs[i % 2] + b"\0" + m)
PY
timeout $((SECS + 60)) "$OUT/sigdiff_fuzz" -max_total_time="$SECS" \
    -max_len=8192 "$OUT/corpus" "$OUT/seed"
