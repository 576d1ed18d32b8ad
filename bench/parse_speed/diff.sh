#!/usr/bin/env bash
# bench/parse_speed/diff.sh - builds diff_fuzz.c: the working tree's SIP
# parser against the one of git revision REF (default 6fe6c97, before the
# single-pass rework), under ASan and UBSan, and runs it on the seed corpora
# (then SECS seconds of fuzzing, default 60). Usage: diff.sh [B] (a private
# build directory, default build/parsediff). Needs clang. A difference is
# saved as $B/diff/crash-*, not in the working directory.
set -eu
cd "$(dirname "$0")/../.."
B=${1:-build/parsediff}
REF=${REF:-6fe6c97}
SECS=${SECS:-60}
OUT=$B/diff
mkdir -p "$OUT/old/sip" "$OUT/old/lib" "$OUT/corpus"
cp src/lib/gg.h "$OUT/old/lib/"
for f in sip.c uri.c sip.h sipint.h scan.h; do
	git show "$REF:src/sip/$f" >"$OUT/old/sip/$f"
done
CC="clang -O1 -g -std=c11 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined
    -fno-sanitize-recover=all"
REN="-Dsip_parse=old_sip_parse -Dsip_uri_parse=old_sip_uri_parse
    -Dsip_uri_parse_in=old_sip_uri_parse_in -Dsip_host_parse=old_sip_host_parse
    -Dsip_host_parse_in=old_sip_host_parse_in
    -Dsip_method_name=old_sip_method_name -Dsip_hdr_name=old_sip_hdr_name
    -Dsip_err_str=old_sip_err_str"
# shellcheck disable=SC2086
$CC $REN -c -o "$OUT/old_sip.o" "$OUT/old/sip/sip.c"
# shellcheck disable=SC2086
$CC $REN -c -o "$OUT/old_uri.o" "$OUT/old/sip/uri.c"
# shellcheck disable=SC2086
$CC -o "$OUT/diff_fuzz" bench/parse_speed/diff_fuzz.c src/sip/sip.c \
    src/sip/uri.c src/lib/gg.c "$OUT/old_sip.o" "$OUT/old_uri.o"
# Via and Digest variants at the edges of the AVX2 fast paths' shapes.
rm -rf "$OUT/seeds_fc"
python3 bench/parse_speed/seeds_fc.py "$OUT/seeds_fc"
"$OUT/diff_fuzz" -artifact_prefix="$OUT/" -runs=0 ../shared/corpus/torture/rfc4475 \
    ../shared/corpus/torture/rfc5118 tests/fuzz/corpus/sip bench/msg \
    "$OUT/seeds_fc"
[ "$SECS" -gt 0 ] || exit 0
timeout $((SECS + 60)) "$OUT/diff_fuzz" -artifact_prefix="$OUT/" \
    -max_total_time="$SECS" \
    -max_len=2048 "$OUT/corpus" ../shared/corpus/torture/rfc4475 \
    ../shared/corpus/torture/rfc5118 tests/fuzz/corpus/sip bench/msg
