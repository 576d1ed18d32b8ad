#!/usr/bin/env bash
# tests/fuzz/run.sh BINARY NAME SECONDS - runs one libFuzzer target for a
# bounded time on a scratch copy of its seeds (the shared corpus is never
# written), and prints one TAP line. A crash leaves its input in
# build/fuzz/crash-NAME-* for the developer.
set -u
bin=$1 name=$2 secs=$3
. "$(dirname "$0")/../lib/corpus.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/seeds" build/fuzz
case $name in
sip) cp "$corpus"/torture/rfc4475/* "$corpus"/torture/rfc5118/* "$work/seeds/" ;;
conf) cp tests/fuzz/corpus/conf/* "$work/seeds/" ;;
net) cp tests/fuzz/corpus/net/* "$work/seeds/" 2>/dev/null ;;
pcap) find "$corpus/pcap" -type f -size -200k \( -name '*.pcap' -o -name '*.pcapng' \) -exec cp {} "$work/seeds/" \; ;;
esac
[ -d "tests/fuzz/corpus/$name" ] && cp tests/fuzz/corpus/"$name"/* "$work/seeds/" 2>/dev/null
if "$bin" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 \
	-artifact_prefix="build/fuzz/crash-$name-" -print_final_stats=1 \
	"$work/seeds" >"$work/log" 2>&1; then
	echo "ok 1 - libFuzzer $name for ${secs}s: $(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work/log" | grep -o '[0-9]*$') runs, no crash"
else
	tail -n 40 "$work/log"
	echo "not ok 1 - libFuzzer $name found a crash (see build/fuzz/crash-$name-*)"
fi
echo "1..1"
