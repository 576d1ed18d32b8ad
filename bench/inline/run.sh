#!/usr/bin/env bash
# bench/inline/run.sh [GHOSTGUARD] - SIP packets per second that cross a
# router namespace (FORWARD), in three set-ups of the same run:
#   (a) no queue at all;
#   (b) NFQUEUE (xtables, --queue-bypass) with bench/inline/passthru: the
#       same recvmmsg(MSG_WAITFORONE) batching and batch verdicts, no engine;
#   (c) `ghostguard run` (skipped when the binary has no `run`).
# Load: bench/inline/sipload, 450-700 byte INVITEs (with SDP) from 64
# unbanned sources (198.51.100.10-73) to 192.0.2.2:5060, at rising offered
# rates, each step bounded (2 s, RATE*2 packets). A step counts as carried
# when the far side got every packet AND the queue's listener saw every
# packet (fail-open lets an overflowing queue's packets through unjudged:
# /proc/net/netfilter/nfnetlink_queue does not count those, the listener's
# own tally does). Then the median round-trip latency of 2000 one-at-a-time
# ping-pongs (both directions queued), the added latency against (a).
# Needs root; namespaces bn-<pid>-*, removed on exit; about 1-2 minutes.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
GG=${1:-$ROOT/build/ghostguard}
case $GG in /*) ;; *) GG=$ROOT/$GG ;; esac
RATES=${RATES:-"40000 80000 160000 240000 320000"}
P=bn-$$
S=$P-snd R=$P-rt D=$P-dst
W=$(mktemp -d /tmp/$P.XXXXXX)
PIDS=""
cleanup() {
	trap - EXIT INT TERM
	local p
	for p in $PIDS; do kill -TERM "$p" 2>/dev/null; done
	for p in $PIDS; do wait "$p" 2>/dev/null; done
	for n in $S $R $D; do
		for p in $(ip netns pids $n 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
		ip netns del $n 2>/dev/null
	done
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
[ "$(id -u)" = 0 ] || { echo "bench/inline: needs root" >&2; exit 1; }

cc -O2 -o "$W/sipload" "$HERE/sipload.c" || exit 1
cc -O2 -o "$W/passthru" "$HERE/passthru.c" -lnetfilter_queue -lmnl || exit 1

for n in $S $R $D; do ip netns add $n; ip -n $n link set lo up; done
ip -n $R link add s0 type veth peer name eth0 netns $S
ip -n $R link add d0 type veth peer name eth0 netns $D
for l in "$R s0" "$R d0" "$S eth0" "$D eth0"; do ip -n ${l% *} link set ${l#* } up; done
ip netns exec $R sysctl -qw net.ipv4.ip_forward=1
ip -n $R addr add 198.51.100.1/24 dev s0
ip -n $R addr add 192.0.2.1/24 dev d0
ip -n $S addr add 198.51.100.2/24 dev eth0
SRCS=""
for i in $(seq 10 73); do ip -n $S addr add 198.51.100.$i/24 dev eth0; SRCS="$SRCS 198.51.100.$i"; done
ip -n $S route add 192.0.2.0/24 via 198.51.100.1
ip -n $D addr add 192.0.2.2/24 dev eth0
ip -n $D route add 198.51.100.0/24 via 192.0.2.1

cat >"$W/gg.conf" <<EOC
ports 5060
protect 192.0.2.0/24
no-ip-calls yes
# Unbanned sources: 64 sources at these rates send far more than the
# default rate threshold (50/s each); the benchmark measures the path of
# packets that are judged and accepted.
threshold rate 1000000
EOC

queue_on() { # start the listener of set-up $1; its PID in QPID
	case $1 in
	b)
		for c in "--dport 5060" "--sport 5060"; do
			ip netns exec $R iptables -A FORWARD -p udp $c -j NFQUEUE --queue-num 0 --queue-bypass
		done
		ip netns exec $R "$W/passthru" 0 60 >"$W/q.out" 2>"$W/q.err" & QPID=$! ;;
	c)
		ip netns exec $R "$GG" run -c "$W/gg.conf" --foreground >"$W/q.out" 2>"$W/q.err" & QPID=$! ;;
	esac
	PIDS="$PIDS $QPID"
	local n
	for n in $(seq 100); do
		[ -n "$(ip netns exec $R cat /proc/net/netfilter/nfnetlink_queue)" ] && return 0
		sleep 0.1
	done
	echo "bench/inline: no queue listener for ($1)" >&2; cat "$W/q.err" >&2; return 1
}
queue_off() { # stop it; prints the packets it saw (it may run in a
	# subshell, where `wait` cannot wait for it: poll until it is gone)
	[ -n "${QPID:-}" ] || { echo 0; return; }
	local n
	kill -TERM "$QPID" 2>/dev/null
	for n in $(seq 100); do kill -0 "$QPID" 2>/dev/null || break; sleep 0.05; done
	kill -KILL "$QPID" 2>/dev/null; QPID=""
	ip netns exec $R iptables -F FORWARD 2>/dev/null
	case $1 in
	b) awk '/^passthru:/ { print $2 }' "$W/q.out" ;;
	c) grep -ao 'queue 0: [0-9]* packets' "$W/q.err" | awk '{ s += $3 } END { print s + 0 }' ;;
	esac
}

step() { # SETUP RATE: one bounded step; prints "sent recv seen drops"
	local m=$1 r=$2 sent recv seen drops
	[ $m = a ] || queue_on $m || return 1
	ip netns exec $D "$W/sipload" sink 192.0.2.2 12 1 >"$W/sink.out" &
	local sp=$!
	PIDS="$PIDS $sp"
	for n in $(seq 50); do grep -q ready "$W/sink.out" 2>/dev/null && break; sleep 0.05; done
	ip netns exec $S "$W/sipload" send 192.0.2.2 $r $((r * 2)) 4 $SRCS >"$W/send.out"
	wait $sp
	drops=$(ip netns exec $R awk '{ d += $6 + $7 } END { print d + 0 }' /proc/net/netfilter/nfnetlink_queue)
	sent=$(awk '{ print $2 }' "$W/send.out")
	recv=$(awk '/^received/ { print $2 }' "$W/sink.out")
	if [ $m = a ]; then seen=$recv; else seen=$(queue_off $m); fi
	echo "$sent $recv $seen $drops"
}

rtt() { # SETUP: median round trip
	local m=$1
	[ $m = a ] || queue_on $m || return 1
	ip netns exec $D "$W/sipload" echo 192.0.2.2 15 & local ep=$!
	PIDS="$PIDS $ep"
	sleep 0.2
	ip netns exec $S "$W/sipload" rtt 192.0.2.2 2000 198.51.100.2 >"$W/rtt.out"
	kill $ep; wait $ep 2>/dev/null
	[ $m = a ] || queue_off $m >/dev/null
	awk '{ print $5 }' "$W/rtt.out"
}

SETUPS=${SETUPS:-"a b"}
if "$GG" 2>&1 | grep -q "ghostguard run"; then SETUPS=${SETUPS_GG:-"a b c"}
else echo "(c) ghostguard: SKIP, no 'ghostguard run' in $GG"; fi
echo "command: bench/inline/run.sh $* (RATES=\"$RATES\"), $(nproc) cores, kernel $(uname -r)"
declare -A BEST LAT
for m in $SETUPS; do
	BEST[$m]=0
	for r in $RATES; do
		read -r sent recv seen drops < <(step $m $r)
		ok=no
		[ "$recv" = "$sent" ] && [ "$seen" -ge "$sent" ] && [ "$drops" = 0 ] && ok=yes
		printf '(%s) offered %6d/s: %s | far side got %s, queue listener saw %s, queue drops %s: %s\n' \
			$m $r "$(cat "$W/send.out")" "$recv" "$seen" "$drops" $ok
		if [ $ok = yes ]; then BEST[$m]=$(sed 's/.*(\([0-9]*\)\/s).*/\1/' "$W/send.out"); else break; fi
	done
	LAT[$m]=$(rtt $m)
	echo "($m) highest rate carried in full (achieved send rate): ${BEST[$m]}/s; median round trip ${LAT[$m]} us"
done
echo
echo "summary (offered-rate steps: $RATES):"
for m in $SETUPS; do
	case $m in a) name="no queue" ;; b) name="passthru NFQUEUE" ;; c) name="ghostguard run" ;; esac
	line="($m) $name: ${BEST[$m]}/s carried, median RTT ${LAT[$m]} us"
	[ $m != a ] && line="$line; vs (a): $(awk -v x=${BEST[$m]} -v y=${BEST[a]} 'BEGIN{printf "%.2fx", y ? x/y : 0}') rate, +$(awk -v x=${LAT[$m]} -v y=${LAT[a]} 'BEGIN{printf "%.1f", x-y}') us RTT"
	[ $m = c ] && line="$line; vs (b): $(awk -v x=${BEST[c]} -v y=${BEST[b]} 'BEGIN{printf "%.2fx", y ? x/y : 0}') rate"
	echo "$line"
done
