#!/usr/bin/env bash
# bench/parse_speed/measure.sh - section 1 of bench/run.sh alone: sip_parse()
# instructions per message against a memchr line split, by callgrind, with
# the same N1/N2 difference method and compiler flags. Usage: measure.sh [B]
# (a private build directory, default build/parsefast). EXTRA_CFLAGS is added
# when compiling the SIP module (e.g. -DGG_NO_SIMD for the scalar fallback).
set -eu
cd "$(dirname "$0")/../.."
B=${1:-build/parsefast}
OUT=$B/parse_speed
mkdir -p "$OUT"
CFLAGS="-O2 -g -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wshadow -Wpointer-arith
    -Wcast-qual -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wvla"
N1=1000 N2=11000
SIP_SRCS=$(sed -n 's/^SIP_SRCS[[:space:]]*=//p' Makefile)
# shellcheck disable=SC2086
cc $CFLAGS ${EXTRA_CFLAGS:-} -o "$OUT/parse_bench" bench/parse_bench.c \
    src/lib/gg.c $SIP_SRCS
instr() {
	valgrind --tool=callgrind --callgrind-out-file="$OUT/cg.$1.$2.$3" \
	    "$OUT/parse_bench" "$1" "$2" "$4" 2>&1 >/dev/null |
	    sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
for msg in bench/msg/invite_yealink.sip bench/msg/register_yealink.sip \
    bench/msg/invite_heplify.sip bench/msg/register_aaa.sip; do
	name=$(basename "$msg" .sip)
	"$OUT/parse_bench" parse 1 "$msg" | sed 's/^/  /'
	p1=$(instr parse $N1 "$name" "$msg"); p2=$(instr parse $N2 "$name" "$msg")
	s1=$(instr split $N1 "$name" "$msg"); s2=$(instr split $N2 "$name" "$msg")
	python3 -c "import sys; p=($p2-$p1)/($N2-$N1); s=($s2-$s1)/($N2-$N1); print('%-18s %6.0f vs %4.0f instr/msg = %.2fx' % ('$name', p, s, p/s))"
done
