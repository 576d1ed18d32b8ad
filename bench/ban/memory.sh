#!/usr/bin/env bash
# bench/ban/memory.sh [BUILD_DIR] - the daemon's memory with a million bans
# (issue 4: at most 150 MB), and its start-up restore time.
#
# bench/mkstate (bench/ban/mkstate.c, the real ban manager) writes a state
# file of N active bans (IPv6 documentation addresses 2001:db8:X:Y::1, one a
# /64, each for one week) and the same elements as an `nft -f` script. Then,
# each in a fresh network namespace of its own (no default route, only
# documentation addresses), in the same run:
#   (a) `ghostguard run --foreground` with an empty state (the baseline);
#   (b) the same daemon with the state of N bans (ban-backend nft, so they go
#       into the kernel set; ban-max 2000000);
#   (c) `nft -f` of the same N elements into the same set definition.
# For (a) and (b): VmRSS and VmHWM from /proc/PID/status once the log says
# "running", the time from exec to "running", `ctl status`'s count of bans
# in force, and spot checks of the kernel set with bench/ban/setprobe.c
# (one non-dump GETSETELEM per address: `nft get element` dumps the whole
# set first, which takes a minute with a million elements).
#
# Environment: N (bans, default 1000000), SPOT (addresses checked in the
# kernel, default 200). Needs root; namespaces gg-bm-<pid>-*, removed on exit
# (also on failure); about 1 minute.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
cd "$ROOT" || exit 1
B=${1:-build}
N=${N:-1000000}
SPOT=${SPOT:-200}
GOAL_MB=150
GG=$B/ghostguard
MK=$B/bench/mkstate
PROBE=$B/bench/setprobe
P=gg-bm-$$
# Every namespace this run may create (named up front: they are made in
# subshells).
NSS="$P-empty $P-big $P-nft"
PIDS=""
W=""

cleanup() {
	trap - EXIT INT TERM
	local p n
	for p in $PIDS; do kill -TERM "$p" 2>/dev/null; done
	for p in $PIDS; do
		for n in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$p" 2>/dev/null; wait "$p" 2>/dev/null
	done
	for n in $NSS; do
		for p in $(ip netns pids "$n" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
		ip netns del "$n" 2>/dev/null
	done
	[ -n "$W" ] && rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
die() { echo "bench/ban/memory.sh: $*" >&2; exit 1; }
calc() { python3 -c "print($1)"; }
ratio() { calc "'%.2f' % (($1) / ($2))"; }
goal() { if [ "$(calc "$1")" = True ]; then echo met; else echo MISSED; fi; }
now() { date +%s.%N; }

echo "== ban memory: ghostguard run with $N bans restored (goal: at most $GOAL_MB MB)"
echo "   command: bench/ban/memory.sh $* (B=$B N=$N SPOT=$SPOT)"
if [ "$(id -u)" != 0 ]; then echo "   SKIP: needs root (network namespaces)"; exit 0; fi
for t in ip nft python3; do command -v $t >/dev/null || die "$t missing"; done
make -s B="$B" "$GG" "$MK" >/dev/null || die "make B=$B $GG $MK failed"
cc -O2 -Wall -o "$PROBE" bench/ban/setprobe.c -lmnl || die "cc setprobe.c failed"
W=$(mktemp -d "/tmp/$P.XXXXXX")

# ns NAME: a fresh namespace, lo up and one veth port with documentation
# addresses (no default route; this kernel has no dummy module). The IPv6
# one, 2001:db8:ffff::1, is outside the banned 2001:db8:0-7fff:*::1 (the
# daemon never bans its own addresses).
ns() {
	local n=$P-$1
	ip netns add "$n" || die "ip netns add $n"
	ip -n "$n" link set lo up
	ip -n "$n" link add d0 type veth peer name d1
	ip -n "$n" addr add 192.0.2.1/24 dev d0
	ip -n "$n" -6 addr add 2001:db8:ffff::1/64 dev d0 nodad
	ip -n "$n" link set d1 up
	ip -n "$n" link set d0 up
	echo "$n"
}

mkdir -p "$W/state-big" "$W/state-empty"
t0=$(now)
timeout 300 "$MK" "$W/state-big/state" "$N" "$W/bans.nft" >"$W/mk.out" ||
	die "mkstate failed"
t1=$(now)
read -r _ _ _ st_bytes _ mk_mem <"$W/mk.out"
echo "state file: $N bans, $(calc "round($st_bytes / 1e6, 1)") MB, written in $(calc "round($t1 - $t0, 1)") s by $MK (ban_memory() with ban-max $N: $(calc "round($mk_mem / 1e6, 1)") MB)"
echo "   command: $MK $W/state-big/state $N $W/bans.nft"

# gg CASE STATEDIR: one daemon run; prints "rss_kB hwm_kB start_s bans
# spot_found spot_absent stop_s" (spot_absent: of 2 addresses never banned,
# those the kernel does NOT hold, expected 2).
gg() {
	local c=$1 sd=$2 n conf log pid t0 t1 s l i idx list
	n=$(ns "$c")
	conf=$W/$c.conf log=$W/$c.log
	cat >"$conf" <<EOC
ports 5060
protect 192.0.2.0/24
protect 2001:db8:ffff::/64
ban-backend nft
ban-max 2000000
state-file $W/$sd/state
control-socket $W/$c.sock
event-log $W/$c.events.jsonl
metrics 127.0.0.1:9473
EOC
	t0=$(now)
	# ip netns exec execs the daemon: $! is its PID. It is stopped below
	# (or by cleanup, with everything else in the namespace).
	ip netns exec "$n" "$GG" run -c "$conf" --foreground </dev/null >"$log" 2>&1 &
	pid=$!
	PIDS="$PIDS $pid"
	for i in $(seq 6000); do
		grep -q 'running' "$log" && break
		kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; die "($c) the daemon exited at start"; }
		sleep 0.01
	done
	t1=$(now)
	grep -q 'running' "$log" || { cat "$log" >&2; die "($c) not running after 60 s"; }
	grep -q 'in force restored' "$log" || die "($c) no 'restored' line in the log"
	local dpid=$pid
	local rss hwm
	rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$dpid/status")
	hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$dpid/status")
	"$GG" ctl -s "$W/$c.sock" status >"$W/$c.status" 2>&1 || die "($c) ctl status failed"
	s=$(sed -n 's/^bans: \([0-9]*\) in force.*/\1/p' "$W/$c.status")
	# Spot checks: SPOT addresses spread over the N (found), and two
	# never banned (index N and a /64 outside 2001:db8::/32's range used).
	local found=0 absent=0
	if [ "${s:-0}" -gt 0 ]; then
		list=""
		for i in $(seq 0 $((SPOT - 1))); do
			idx=$(( i * (N / SPOT) + (i * 7919) % (N / SPOT) ))
			list="$list $(printf '2001:db8:%x:%x::1' $((idx >> 16)) $((idx & 65535)))"
		done
		# shellcheck disable=SC2086
		found=$(ip netns exec "$n" "$PROBE" ban6 $list | awk '{ print $2 }')
	fi
	absent=$(ip netns exec "$n" "$PROBE" ban6 \
		"$(printf '2001:db8:%x:%x::1' $((N >> 16)) $((N & 65535)))" \
		2001:db8:ffff:ffff::2 | awk '{ print $4 }')
	cp "$W/$c.status" "$W/$c.status.keep"
	local t2 t3
	t2=$(now)
	kill -TERM "$dpid"
	for i in $(seq 1200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
	t3=$(now)
	wait "$pid" 2>/dev/null
	echo "$rss $hwm $(calc "round($t1 - $t0, 2)") ${s:-0} $found $absent $(calc "round($t3 - $t2, 2)")"
}

read -r e_rss e_hwm e_start e_bans _ _ e_stop <<<"$(gg empty state-empty)" || exit 1
[ -n "${e_rss:-}" ] || die "(a) empty state: no figures"
read -r b_rss b_hwm b_start b_bans b_found b_absent b_stop <<<"$(gg big state-big)" || exit 1
[ -n "${b_rss:-}" ] || die "(b) $N bans: no figures"

# (c): nft -f of the same elements, in a fresh namespace.
nn=$(ns nft)
t0=$(now)
timeout 600 ip netns exec "$nn" nft -f "$W/bans.nft" || die "(c) nft -f failed"
t1=$(now)
nft_s=$(calc "round($t1 - $t0, 2)")
nft_found=$(ip netns exec "$nn" "$PROBE" ban6 2001:db8::1 | awk '{ print $2 }')

mb() { calc "round($1 * 1024 / 1e6, 1)"; }
echo "(a) empty state: VmRSS $(mb "$e_rss") MB, VmHWM $(mb "$e_hwm") MB; exec to 'running' $e_start s; ctl status: $e_bans bans in force"
echo "(b) $N bans: VmRSS $(mb "$b_rss") MB, VmHWM $(mb "$b_hwm") MB; exec to 'running' $b_start s (load, snapshot rewrite, kernel restore); ctl status: $b_bans bans in force; kernel set ban6: $b_found of $SPOT spot checks present, $b_absent of 2 never-banned absent; SIGTERM to exit $b_stop s"
echo "(c) nft -f of the same $N elements into set ban6 (same definition) in a fresh namespace: $nft_s s ($nft_found of 1 spot check present)"
echo "memory: VmRSS with $N bans $(mb "$b_rss") MB = $(ratio "$b_rss" "$e_rss")x the empty daemon ($(mb "$e_rss") MB), +$(calc "round(($b_rss - $e_rss) * 1024 / $N)") B per ban; $(ratio "$b_rss * 1024" "$GOAL_MB * 1e6")x the $GOAL_MB MB goal: goal $(goal "$b_rss * 1024 <= $GOAL_MB * 1e6")"
echo "memory: VmHWM (peak, incl. the restore) $(mb "$b_hwm") MB = $(ratio "$b_hwm" "$e_hwm")x the empty daemon; $(ratio "$b_hwm * 1024" "$GOAL_MB * 1e6")x the goal: goal $(goal "$b_hwm * 1024 <= $GOAL_MB * 1e6")"
echo "restore: exec to 'running' with $N bans $b_start s = $(ratio "$b_start" "$nft_s")x nft -f of the same elements ($nft_s s); the empty daemon starts in $e_start s"
ok=1
[ "$b_bans" = "$N" ] || { ok=0; echo "   FAIL: ctl status reports $b_bans bans in force, not $N"; }
[ "$b_found" = "$SPOT" ] && [ "$b_absent" = 2 ] ||
	{ ok=0; echo "   FAIL: kernel spot checks: $b_found of $SPOT present, $b_absent of 2 absent"; }
[ $ok = 1 ] && echo "   checks: ctl status $b_bans = $N bans in force; kernel holds all $SPOT spot-checked bans and neither never-banned address"
echo "   command: ip netns exec NS $GG run -c CONF --foreground  (CONF: ban-backend nft, ban-max 2000000, state-file with 0 / $N bans); /proc/PID/status VmRSS, VmHWM; $GG ctl -s SOCK status"
echo "   command: ip netns exec NS $PROBE ban6 ADDR...  ($SPOT addresses spread over the $N, then 2 never banned)"
echo "   command: ip netns exec NS nft -f $W/bans.nft"
[ $ok = 1 ]
