#!/usr/bin/env bash
# bench/parse_speed/others.sh - for scale, not a goal: instructions per
# message of libosip2 and sofia-sip on measure.sh's four messages, against
# the same memchr line split, by callgrind with measure.sh's N1/N2 method.
# Installs libosip2-dev and libsofia-sip-ua-dev (scripts/deps.sh parsers).
# Usage: others.sh [B] (a private build directory, default build/parsefast).
set -eu
cd "$(dirname "$0")/../.."
B=${1:-build/parsefast}
OUT=$B/parse_others
mkdir -p "$OUT"
scripts/deps.sh parsers
cc -O2 -g -std=c11 -D_GNU_SOURCE -Wall -Wextra -I/usr/include/sofia-sip-1.12 \
    -o "$OUT/others" bench/parse_speed/others.c -losipparser2 -lsofia-sip-ua
SIP_SRCS=$(sed -n 's/^SIP_SRCS[[:space:]]*=//p' Makefile)
# shellcheck disable=SC2086
cc -O2 -g -std=c11 -D_GNU_SOURCE -o "$OUT/parse_bench" bench/parse_bench.c \
    src/lib/gg.c $SIP_SRCS
N1=1000 N2=3000
instr() {	# BIN MODE N MSG
	valgrind --tool=callgrind --callgrind-out-file="$OUT/cg.$2.$3.$(basename "$4")" \
	    "$1" "$2" "$3" "$4" 2>&1 >/dev/null |
	    sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
per() {		# BIN MODE MSG
	echo $(( ($(instr "$1" "$2" $N2 "$3") - $(instr "$1" "$2" $N1 "$3")) /
	    (N2 - N1) ))
}
printf '%-18s %8s %8s %8s %8s\n' message split sip_parse sofia osip
for msg in bench/msg/invite_yealink.sip bench/msg/register_yealink.sip \
    bench/msg/invite_heplify.sip bench/msg/register_aaa.sip; do
	"$OUT/others" osip 0 "$msg" | grep -q parsed
	"$OUT/others" sofia 0 "$msg" | grep -q parsed
	s=$(per "$OUT/parse_bench" split "$msg")
	g=$(per "$OUT/parse_bench" parse "$msg")
	so=$(per "$OUT/others" sofia "$msg")
	os=$(per "$OUT/others" osip "$msg")
	python3 -c "
s, g, so, os = $s, $g, $so, $os
print('%-18s %8d %8s %8s %8s' % ('$(basename "$msg" .sip)', s,
    '%.1fx' % (g / s), '%.1fx' % (so / s), '%.1fx' % (os / s)))"
done
