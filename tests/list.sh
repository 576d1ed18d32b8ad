#!/usr/bin/env bash
# tests/list.sh BUILD_DIR... - prints the suite, one command per line, for
# tests/run.sh: per build directory the unit tests, each fuzz target over its
# seed corpus, and the whole-program tests; then each libFuzzer target for
# FUZZ_SECONDS (default 20) when build/fuzz has them.
set -u
. "$(dirname "$0")/lib/corpus.sh"
# Without the corpus, its tests fail; this line first says why.
corpus_check >/dev/null || echo ". tests/lib/corpus.sh; corpus_check; echo 1..1"
fuzz_seconds=${FUZZ_SECONDS:-20}
for b in "$@"; do
	for t in sip net conf engine ban ops report; do
		[ -x "$b/tests/${t}_test" ] && echo "$b/tests/${t}_test"
	done
	echo "$b/fuzz/sip_fuzz $corpus/torture/rfc4475 $corpus/torture/rfc5118 tests/fuzz/corpus/sip"
	echo "$b/fuzz/net_fuzz tests/fuzz/corpus/net"
	echo "$b/fuzz/conf_fuzz tests/fuzz/corpus/conf"
	echo "$b/fuzz/state_fuzz tests/fuzz/corpus/state"
	echo "$b/fuzz/pcap_fuzz $(find "$corpus/pcap" 2>/dev/null -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' \) | sort | tr '\n' ' ')"
	echo "tests/conf/run.sh $b/ghostguard"
	echo "tests/cli/usage.sh $b/ghostguard"
	echo "tests/analyze/check.py $b/ghostguard $corpus"
	echo "tests/analyze/check.py $b/ghostguard $corpus tests/analyze/expect-behaviour.tsv tests/analyze/behaviour-only.conf"
	echo "tests/analyze/golden.sh $b/ghostguard"
	echo "tests/analyze/threads.sh $b/ghostguard"
	echo "tests/analyze/pcapmap.sh $b/ghostguard"
	echo "tests/inline/run_smoke.sh $b/ghostguard"
	echo "tests/html/html.sh $b/ghostguard"
done
# The parser without AVX2 and without SIMD (make check builds them).
for b in build/noavx2 build/nosimd; do
	[ -x "$b/tests/sip_test" ] && echo "$b/tests/sip_test"
done
# The lab suite (real scanners against ghostguard inline, in network
# namespaces: about 3 minutes), once, with the first build. It needs root;
# elsewhere it says so as a visible skip.
if [ "$(id -u)" = 0 ]; then
	tests/inline/list.sh "$1/ghostguard"
	echo "tests/ban/backend.sh $1"
else
	echo "echo 'ok 1 - inline lab suite # SKIP needs root (network namespaces, netfilter)'"
	echo "echo 'ok 1 - kernel ban backends # SKIP needs root (network namespaces, netfilter)'"
fi
[ -x tests/net/tshark_count.sh ] && echo "tests/net/tshark_count.sh"
# make install into a temporary DESTDIR: files, man pages, unit, uninstall.
echo "tests/install/install.sh $1"
for t in sip net conf pcap state; do
	f=build/fuzz/fuzz/${t}_fuzz
	[ -x "$f" ] && echo "tests/fuzz/run.sh $f $t $fuzz_seconds"
done
exit 0
