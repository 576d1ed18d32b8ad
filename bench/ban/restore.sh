#!/usr/bin/env bash
# bench/ban/restore.sh [BUILD_DIR] - restoring a million bans: ghostguard's
# backends against the kernel tools, measured in the same run.
#
#   (a) nft -f of a file adding N IPv6 addresses, each with a timeout, to a
#       set defined like the nft backend's ban6;
#   (b) ipset restore of the same into hash:ip family inet6 timeout 0;
#   (c) ghostguard: bench/ban/restore_bench.c, ban_nft_new() or
#       ban_ipset_new() then replace() with the same N bans (sets created,
#       the whole restore in one batch) - what `ghostguard run` does with
#       its saved bans at start.
#
# Each run (hyperfine, RUNS each, default 5) starts in a fresh network
# namespace (gg-bench-<pid>, removed after), so no state accumulates. The
# goal: (c)/(a) and (c)/(b) <= 1.5. Needs root, hyperfine, nft, ipset,
# python3. Results also go to BUILD_DIR/bench/ban-restore.txt. The kernel
# sets are checked after one more ghostguard run of each backend: ipset's
# header count, and for nft SPOT (default 200) spot checks with
# bench/ban/setprobe.c (`nft list set` or `nft get element` dump the whole
# set, which takes minutes with a million elements).
#
# Environment: N (default 1000000), RUNS (default 5), TIMEOUT (each ban's,
# 3600 s), SPOT (200), SETTLE (3 s between runs).
set -eu
cd "$(dirname "$0")/../.."
B=${1:-build}
N=${N:-1000000}
RUNS=${RUNS:-5}
TIMEOUT=${TIMEOUT:-3600}
SPOT=${SPOT:-200}
OUT=$B/bench/ban
NS=gg-bench-$$
RES=$B/bench/ban-restore.txt
die() { echo "bench/ban/restore.sh: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "needs root (network namespaces)"
for t in hyperfine nft ipset python3 ip; do
	command -v $t >/dev/null || die "$t missing"
done
mkdir -p "$OUT"
make -s B="$B" "$B/bench/restore_bench" >"$OUT/build.log" 2>&1 ||
	die "make $B/bench/restore_bench failed: $(tail -5 "$OUT/build.log")"
cc -O2 -Wall -o "$B/bench/setprobe" bench/ban/setprobe.c -lmnl ||
	die "cc bench/ban/setprobe.c failed"
trap 'ip netns del $NS 2>/dev/null || true' EXIT
python3 bench/ban/gen.py nft "$N" "$TIMEOUT" >"$OUT/bans.nft"
python3 bench/ban/gen.py ipset "$N" "$TIMEOUT" >"$OUT/bans.ipset"

# The previous run's namespace is freed by the kernel in the background
# (a million elements take seconds): SETTLE seconds (default 3) for that
# before the next run, so it does not eat into the one being timed.
prep="sh -c 'ip netns del $NS 2>/dev/null; sleep ${SETTLE:-3}; ip netns add $NS'"
x="ip netns exec $NS"
hyperfine -N --runs "$RUNS" --export-json "$OUT/restore.json" \
	--prepare "$prep" \
	-n "nft -f" "$x nft -f $OUT/bans.nft" \
	-n "ipset restore" "$x ipset restore -f $OUT/bans.ipset" \
	-n "ghostguard nft" "$x $B/bench/restore_bench nft $N $TIMEOUT" \
	-n "ghostguard ipset" "$x $B/bench/restore_bench ipset $N $TIMEOUT" \
	>"$OUT/hyperfine.log" 2>&1 || die "hyperfine failed: $(tail -20 "$OUT/hyperfine.log")"
# One more of each ghostguard run for its own figures (time, peak RSS).
ip netns del $NS 2>/dev/null || true
ip netns add $NS
gnft=$($x "$B/bench/restore_bench" nft "$N" "$TIMEOUT" 2>&1)
spots=""
for i in $(seq 0 $((SPOT - 1))); do
	idx=$(( i * (N / SPOT) + (i * 7919) % (N / SPOT) ))
	spots="$spots $(printf '2001:db8:%x:%x::1' $((idx >> 16)) $((idx & 65535)))"
done
# shellcheck disable=SC2086
nnft=$($x "$B/bench/setprobe" ban6 $spots | awk '{ print $2 }')
nnft="$nnft of $SPOT spot checks present, $($x "$B/bench/setprobe" ban6 \
	"$(printf '2001:db8:%x:%x::1' $((N >> 16)) $((N & 65535)))" |
	awk '{ print $4 }') of 1 never banned absent"
ip netns del $NS
ip netns add $NS
gips=$($x "$B/bench/restore_bench" ipset "$N" "$TIMEOUT" 2>&1)
nips=$($x ipset list -t gg-ban6 | sed -n 's/^Number of entries: //p')

python3 - "$OUT/restore.json" "$N" "$RUNS" "$nnft" "$nips" <<'PY' | tee "$RES"
import json, sys
r = {x['command']: x for x in json.load(open(sys.argv[1]))['results']}
n, runs = int(sys.argv[2]), sys.argv[3]
def m(k): return r[k]['mean']
def s(k): return r[k]['stddev'] or 0.0
print('restoring %d IPv6 bans with timeouts, hyperfine -N --runs %s, each '
      'run in a fresh network namespace (bench/ban/restore.sh)' % (n, runs))
for k in ('nft -f', 'ipset restore', 'ghostguard nft', 'ghostguard ipset'):
    print('  %-17s %7.3f s +- %.3f' % (k, m(k), s(k)))
for a, b, goal in (('ghostguard nft', 'nft -f', 1.5),
                   ('ghostguard ipset', 'ipset restore', 1.5),
                   ('ghostguard nft', 'ipset restore', 1.5)):
    q = m(a) / m(b)
    print('  (%s)/(%s) = %.2f  goal <= %.1f: %s'
          % (a, b, q, goal, 'met' if q <= goal else 'MISSED'))
print('  in the kernel after a ghostguard run: nft ban6 %s; ipset gg-ban6 '
      '%s entries (ipset list -t)' % (sys.argv[4], sys.argv[5]))
PY
echo "  $gnft" | tee -a "$RES"
echo "  $gips" | tee -a "$RES"
