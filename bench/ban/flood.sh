#!/usr/bin/env bash
# bench/ban/flood.sh [BUILD_DIR] - a scan flood from thousands of sources
# during the provider's calls (issue 4: every flood source banned, zero
# failed calls).
#
# The lab of lab/lib.sh (router r, Kamailio on pbx, SIPp phones registered,
# the provider), in namespaces gg-fl-<pid>-*. Two passes of the same load in
# the same run:
#   (a) baseline: no ghostguard;
#   (b) `ghostguard run` on the router (ban-backend nft, the lab's provider
#       trusted, ban-rate 100000 so that the cap on new bans a minute does
#       not hide how fast the daemon bans).
# Load of each pass: SIPp on the provider places calls to extension 101
# through the PBX (CALL_RATE a second, for the whole flood and 4 s more;
# each call rings phone 1, is answered, lasts 1 s); 2 s after the first
# call, bench/ban/flood.c on attacker host att1 sends RATE SIP packets a
# second for FLOOD_S seconds (bounded: RATE * FLOOD_S packets) with forged
# sources: N4 addresses of 203.0.113.0/24 and N6 of 2001:db8:dead::/48 (each
# in its own /64), joining over the first RAMP seconds; svmap OPTIONS,
# svwar REGISTER and INVITE (User-Agent friendly-scanner) and INVITEs with a
# softphone's User-Agent (behaviour only), to the PBX (192.0.2.10,
# 2001:db8:2::10).
#
# Counted (nft counters of a table of this script, `inet ggbench`, in the
# router: flood packets arriving (prerouting, priority -400, before
# ghostguard's ban chain at raw), reaching the forward hook (priority -200:
# past the ban sets, before the queue rules at mangle) and leaving for the
# site (forward, priority 100: past the queue); ghostguard's own drop
# counters of its ban chain; `ghostguard ctl stats` (queue packets,
# ENOBUFS, fail-open, kernel queue drops); `ghostguard ctl bans --json` and
# bench/ban/setprobe (one non-dump lookup per flood source in ban4/ban6/
# ban6net) for which sources are banned; the SIPp statistics of the calls.
#
# Environment: RATE (100000), FLOOD_S (30), RAMP (10), N4 (200), N6 (3000),
# CALL_RATE (2). Needs root and the lab's tools; about 2 minutes.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
cd "$ROOT" || exit 1
B=${1:-build}
RATE=${RATE:-100000}
FLOOD_S=${FLOOD_S:-30}
RAMP=${RAMP:-10}
N4=${N4:-200}
N6=${N6:-3000}
CALL_RATE=${CALL_RATE:-2}
GG=$ROOT/$B/ghostguard
case $B in /*) GG=$B/ghostguard ;; esac
# Sources must have time to be banned after joining: the ramp is at most a
# third of the flood.
RAMP=$(python3 -c "print(min(float('$RAMP'), $FLOOD_S / 3))")
COUNT=$((RATE * FLOOD_S))
CALLS=$(python3 -c "print(int($CALL_RATE * ($FLOOD_S + 4)))")
export LAB_PREFIX=gg-fl-$$
. "$ROOT/lab/lib.sh"
LAB_GG=$GG

die() { echo "bench/ban/flood.sh: $*" >&2; exit 1; }
calc() { python3 -c "print($1)"; }
cleanup() {
	trap - EXIT INT TERM
	[ -n "${LAB_GG_PID:-}" ] && lab_stop "$LAB_GG_PID"
	lab_down 2>/dev/null
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== ban flood: $RATE SIP packets/s for $FLOOD_S s from $N4 IPv4 + $N6 IPv6 forged sources during SIPp calls (goal: every source banned, zero failed calls)"
echo "   command: bench/ban/flood.sh $* (B=$B RATE=$RATE FLOOD_S=$FLOOD_S RAMP=$RAMP N4=$N4 N6=$N6 CALL_RATE=$CALL_RATE), $(nproc) CPUs shared with whatever else runs"
[ "$(id -u)" = 0 ] || { echo "   SKIP: needs root (network namespaces)"; exit 0; }
for t in ip nft sipp kamailio python3 cc; do
	command -v $t >/dev/null || { echo "   SKIP: $t missing (scripts/deps.sh lab)"; exit 0; }
done
make -s B="$B" "$B/ghostguard" >/dev/null || die "make B=$B $B/ghostguard failed"
lab_gg_has_run "$GG" || die "no 'ghostguard run' in $GG"
mkdir -p "$B/bench"
cc -O2 -Wall -o "$B/bench/flood" bench/ban/flood.c || die "cc flood.c failed"
cc -O2 -Wall -o "$B/bench/setprobe" bench/ban/setprobe.c -lmnl || die "cc setprobe.c failed"

lab_up >/dev/null 2>&1 || die "lab_up failed"
{ lab_kamailio_start && lab_phones_start && lab_phones_register; } \
	2>"$LAB_WORK/lab-start.err" || { cat "$LAB_WORK/lab-start.err" >&2; die "lab: Kamailio, phones, registrations"; }
# The forged IPv6 sources live behind att1: the router's way back to them
# (answers of the PBX); the forged IPv4 ones are on the attackers' network.
ip -n "$(lab_ns r)" -6 route add 2001:db8:dead::/48 via "$LAB_ATT16"

# Counters: flood packets at three points of the router.
counters_install() {
	local c m
	{
		echo "table inet ggbench {"
		for c in "pre prerouting -400" "fwdq forward -200" "fwdout forward 100"; do
			set -- $c
			echo " chain $1 { type filter hook $2 priority $3; policy accept;"
			echo "  ip saddr 203.0.113.0/24 udp dport 5060 counter"
			echo "  ip6 saddr 2001:db8:dead::/48 udp dport 5060 counter"
			echo " }"
		done
		echo "}"
	} >"$LAB_WORK/ggbench.nft"
	lab_exec r nft delete table inet ggbench 2>/dev/null
	lab_exec r nft -f "$LAB_WORK/ggbench.nft" || die "nft -f ggbench.nft"
}
# counters CHAIN: packets of its two counters, summed.
counters() {
	lab_exec r nft list chain inet ggbench "$1" |
		awk '/counter packets/ { for (i = 1; i <= NF; i++) if ($i == "packets") s += $(i + 1) } END { print s + 0 }'
}
# The drops of ghostguard's ban chain (its counters), summed.
ban_drops() {
	lab_exec r nft list chain inet ghostguard prerouting 2>/dev/null |
		awk '/counter packets/ { for (i = 1; i <= NF; i++) if ($i == "packets") s += $(i + 1) } END { print s + 0 }'
}

# pass NAME: calls and the flood; results in $LAB_WORK/NAME.*
pass() {
	local n=$1 csv="$LAB_WORK/$1.calls.csv" sp i
	counters_install
	rm -f "$csv"
	lab_bg prov "$LAB_WORK/$n.sipp.log" timeout -k 5 $((FLOOD_S + 60)) \
		sipp -sf "$ROOT/lab/sipp/provider-call.xml" "$LAB_PBX:5060" -i "$LAB_PROV" \
		-p 5060 -s 101 -m "$CALLS" -r "$CALL_RATE" -l 32 -nostdin -nr -nd \
		-timeout $((FLOOD_S + 50))s -trace_stat -stf "$csv" -fd 1
	sp=$LAB_LASTPID
	sleep 2
	lab_exec att1 timeout -k 5 $((FLOOD_S + 10)) "$ROOT/$B/bench/flood" "$RATE" "$COUNT" \
		"$FLOOD_S" "$RAMP" "$LAB_PBX" "$LAB_PBX6" "$N4" "$N6" "$LAB_WORK/sources" \
		>"$LAB_WORK/$n.flood" 2>&1 || echo "flood exited $?" >>"$LAB_WORK/$n.flood"
	for i in $(seq $((FLOOD_S + 60))); do kill -0 "$sp" 2>/dev/null || break; sleep 1; done
	wait "$sp" 2>/dev/null
	echo "$?" >"$LAB_WORK/$n.sipp.rc"
	echo "$(counters pre) $(counters fwdq) $(counters fwdout)" >"$LAB_WORK/$n.counters"
}
# calls NAME: "attempted A successful S failed F retrans R exit E"
calls() {
	local csv="$LAB_WORK/$1.calls.csv"
	echo "attempted $(lab_sipp_stat "$csv" 'TotalCallCreated') successful $(lab_sipp_stat "$csv" 'SuccessfulCall(C)') failed $(lab_sipp_stat "$csv" 'FailedCall(C)') retrans $(lab_sipp_stat "$csv" 'Retransmissions(C)') exit $(cat "$LAB_WORK/$1.sipp.rc")"
}

# (a) baseline.
pass base
read -r a_pre a_fwdq a_out <"$LAB_WORK/base.counters"
a_calls=$(calls base)
a_pbx=$(lab_pbx_requests '(203\.0\.113\.[0-9]+|2001:db8:dead:[0-9a-f:]+)')
sleep 3

# (b) ghostguard.
gg_conf() {
	cat <<EOC
ports 5060
trusted $LAB_PROV
trusted $LAB_PROV6
protect 192.0.2.0/24
protect 2001:db8:2::/64
no-ip-calls yes
ban-backend nft
ban-rate 100000
ban-max 1000000
state-file $LAB_WORK/gg-state/state
control-socket $LAB_WORK/gg-ctl.sock
event-log $LAB_WORK/gg-events.jsonl
metrics 127.0.0.1:9473
EOC
}
gg_conf >"$LAB_WORK/gg.conf"
mkdir -p "$LAB_WORK/gg-state"
lab_gg_start r "$LAB_WORK/gg.conf" || die "ghostguard did not start"
kam0=$(lab_pbx_requests '(203\.0\.113\.[0-9]+|2001:db8:dead:[0-9a-f:]+)')
pass gg
read -r b_pre b_fwdq b_out <"$LAB_WORK/gg.counters"
b_calls=$(calls gg)
b_pbx=$(( $(lab_pbx_requests '(203\.0\.113\.[0-9]+|2001:db8:dead:[0-9a-f:]+)') - kam0 ))
b_drops=$(ban_drops)
lab_gg_ctl stats >"$LAB_WORK/gg.stats" 2>&1 || die "ctl stats failed"
lab_gg_ctl bans --json >"$LAB_WORK/gg.bans.json" 2>&1 || die "ctl bans --json failed"
st() { awk -v k="$1" '$1 == k { print $2 }' "$LAB_WORK/gg.stats"; }
kq=$(lab_queue_drops r)

# Which flood sources are banned: the daemon's view, and the kernel's (one
# lookup per source in the set of its kind; a prefix ban would be in
# ban6net).
mapfile -t SRCS <"$LAB_WORK/sources"
nsrc=${#SRCS[@]}
read -r d_banned d_missing d_prob <<<"$(python3 - "$LAB_WORK/gg.bans.json" "$LAB_WORK/sources" <<'PY'
import ipaddress, json, sys
js = json.load(open(sys.argv[1]))
bans = [ipaddress.ip_network(b['addr'], strict=False) for b in js]
hosts = {n.network_address for n in bans if n.num_addresses == 1}
prob = {ipaddress.ip_network(b['addr'], strict=False).network_address
        for b in js if b['probation']}
nets = [n for n in bans if n.num_addresses > 1]
srcs = [ipaddress.ip_address(l.strip()) for l in open(sys.argv[2]) if l.strip()]
ok = [s for s in srcs if s in hosts or any(s in n for n in nets)]
print(len(ok), len(srcs) - len(ok), len([s for s in ok if s in prob]))
PY
)"
v4=() v6=()
for s in "${SRCS[@]}"; do case $s in *:*) v6+=("$s") ;; *) v4+=("$s") ;; esac; done
k4=$(lab_exec r "$B/bench/setprobe" ban4 "${v4[@]}" | awk '{ print $2 }')
SETPROBE_VERBOSE=1 lab_exec r "$B/bench/setprobe" ban6 "${v6[@]}" >"$LAB_WORK/probe6" 2>&1
k6=$(awk '$2 == "present" { n++ } END { print n + 0 }' "$LAB_WORK/probe6")
# IPv6 sources not in ban6: covered by a prefix in ban6net?
k6net=0
miss6=$(awk '$2 == "absent" { print $1 }' "$LAB_WORK/probe6")
if [ -n "$miss6" ]; then
	# shellcheck disable=SC2086
	k6net=$(lab_exec r "$B/bench/setprobe" ban6net $miss6 | awk '{ print $2 }')
fi
kern=$((k4 + k6 + k6net))

read -r f_sent f_secs f_rate <<<"$(sed -n 's/^sent \([0-9]*\) in \([0-9.]*\) s (\([0-9]*\)\/s).*/\1 \2 \3/p' "$LAB_WORK/gg.flood")"
read -r fa_sent fa_secs fa_rate <<<"$(sed -n 's/^sent \([0-9]*\) in \([0-9.]*\) s (\([0-9]*\)\/s).*/\1 \2 \3/p' "$LAB_WORK/base.flood")"
pct() { calc "'%.1f%%' % (100.0 * $1 / max($2, 1))"; }
echo "(a) no ghostguard: flood $(cat "$LAB_WORK/base.flood"); at the router: $a_pre arrived, $a_out forwarded to the site ($(pct "$a_out" "$a_pre")); Kamailio logged $a_pbx requests from flood sources; calls: $a_calls"
echo "(b) ghostguard: flood $(cat "$LAB_WORK/gg.flood"); at the router: $b_pre arrived, $((b_pre - b_fwdq)) dropped before the queue by the ban sets ($(pct "$((b_pre - b_fwdq))" "$b_pre"); ghostguard's ban chain counters: $b_drops), $b_fwdq reached the queue hook, $b_out forwarded to the site ($(pct "$b_out" "$b_pre")); Kamailio logged $b_pbx requests from flood sources; calls: $b_calls"
echo "(b) daemon: queue packets judged $(st queue_0_packets), dropped by verdict $(st packets_dropped) + $(st packets_ban_decided) (the packet that decided a ban), accepted $(st packets_accepted) (the calls: the provider is trusted); queue ENOBUFS $(st queue_0_enobufs), fail-open $(st queue_0_failopen), kernel queue drops $kq; bans made $(st bans_made), in force $(st bans_active) (prefixes $(st bans_active_prefixes)), refused for rate $(st bans_refused_rate), for trust $(st bans_refused_trust); tracker sources $(st tracker_sources)"
echo "flood rate achieved: $f_rate/s with ghostguard, $fa_rate/s without ($(calc "round($f_rate / $RATE, 2)")x and $(calc "round(${fa_rate:-0} / $RATE, 2)")x of the $RATE/s asked; sender, router, Kamailio, SIPp and the daemon share $(nproc) CPUs)"
echo "flood sources banned: $d_banned of $nsrc by the daemon's view (ctl bans --json; $d_prob of them on probation, the rest on the ladder), $kern of $nsrc in the kernel sets (ban4 $k4 of ${#v4[@]}, ban6 $k6 + ban6net $k6net of ${#v6[@]}); goal $([ "$d_banned" = "$nsrc" ] && [ "$kern" = "$nsrc" ] && echo met || echo MISSED)"
echo "flood reaching the site: $b_out with ghostguard vs $a_out without = $(calc "'%.4f' % ($b_out / max($a_out, 1))")x; flood packets that reached the queue: $(pct "$b_fwdq" "$b_pre") of those that arrived (the rest dropped in the kernel by the ban sets)"
b_fail=$(echo "$b_calls" | awk '{ print $6 }')
b_att=$(echo "$b_calls" | awk '{ print $2 }')
b_ok=$(echo "$b_calls" | awk '{ print $4 }')
echo "calls during the flood with ghostguard: $b_ok of $b_att successful, $b_fail failed (without ghostguard: $(echo "$a_calls" | awk '{ print $4 " of " $2 " successful, " $6 " failed" }')); goal zero failed: $([ "$b_fail" = 0 ] && [ "$b_ok" = "$CALLS" ] && echo met || echo MISSED)"
echo "   command: ip netns exec ATT1 $B/bench/flood $RATE $COUNT $FLOOD_S $RAMP $LAB_PBX $LAB_PBX6 $N4 $N6 SOURCES"
echo "   command: ip netns exec PROV sipp -sf lab/sipp/provider-call.xml $LAB_PBX:5060 -s 101 -m $CALLS -r $CALL_RATE (SuccessfulCall(C), FailedCall(C) of -trace_stat)"
echo "   command: ip netns exec R $GG run -c CONF --foreground (ban-backend nft, ban-rate 100000); $GG ctl stats; $GG ctl bans --json; $B/bench/setprobe ban4|ban6|ban6net ADDR...; nft list chain inet ggbench pre|fwdq|fwdout"
[ "$d_banned" = "$nsrc" ] && [ "$kern" = "$nsrc" ] && [ "$b_fail" = 0 ] && [ "$b_ok" = "$CALLS" ]
