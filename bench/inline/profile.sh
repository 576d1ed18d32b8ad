#!/usr/bin/env bash
# bench/inline/profile.sh GHOSTGUARD [PACKETS] [RATE] - `ghostguard run`
# under callgrind, routing bench/inline/sipload's INVITEs (the load of
# run.sh's set-up (c)) in a namespace chain sender -> router -> receiver:
# where the daemon's instructions per packet go. Bounded: PACKETS (20000)
# at RATE (2000/s; callgrind is some 50 times slower than the daemon, and
# the queue fails open past its length); the profile and
# bench/cgtop.py's table in build/inline-profile/ (or $OUT).
# Needs root; namespaces bp-<pid>-*, removed on exit.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
GG=$(realpath "${1:?usage: profile.sh GHOSTGUARD [PACKETS] [RATE]}")
N=${2:-20000} RATE=${3:-2000}
OUT=$(realpath -m "${OUT:-$ROOT/build/inline-profile}")
P=bp-$$ S=bp-$$-s R=bp-$$-r D=bp-$$-d
W=$(mktemp -d /tmp/$P.XXXXXX)
GPID=""
cleanup() {
	trap - EXIT INT TERM
	[ -n "$GPID" ] && kill -TERM $GPID 2>/dev/null && wait $GPID 2>/dev/null
	for n in $S $R $D; do
		for p in $(ip netns pids $n 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
		ip netns del $n 2>/dev/null
	done
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
[ "$(id -u)" = 0 ] || { echo "profile.sh: needs root" >&2; exit 1; }
mkdir -p "$OUT"
cc -O2 -o "$W/sipload" "$HERE/sipload.c" || exit 1
for n in $S $R $D; do ip netns add $n; ip -n $n link set lo up; done
ip -n $R link add s0 type veth peer name eth0 netns $S
ip -n $R link add d0 type veth peer name eth0 netns $D
for l in "$R s0" "$R d0" "$S eth0" "$D eth0"; do ip -n ${l% *} link set ${l#* } up; done
ip netns exec $R sysctl -qw net.ipv4.ip_forward=1
ip -n $R addr add 198.51.100.1/24 dev s0
ip -n $R addr add 192.0.2.1/24 dev d0
SRCS=""
for i in $(seq 10 73); do ip -n $S addr add 198.51.100.$i/24 dev eth0; SRCS="$SRCS 198.51.100.$i"; done
ip -n $S route add 192.0.2.0/24 via 198.51.100.1
ip -n $D addr add 192.0.2.2/24 dev eth0
ip -n $D route add 198.51.100.0/24 via 192.0.2.1
cat >"$W/gg.conf" <<EOC
ports 5060
protect 192.0.2.0/24
no-ip-calls yes
threshold rate 1000000
EOC
rm -f "$OUT"/callgrind.out.*
ip netns exec $R valgrind --tool=callgrind --callgrind-out-file="$OUT/callgrind.out.%p" \
    "$GG" run -c "$W/gg.conf" --foreground 2>"$OUT/daemon.err" & GPID=$!
for i in $(seq 300); do
	ip netns exec $R iptables-nft-save -t mangle 2>/dev/null | grep -q NFQUEUE && break
	sleep 0.1
done
ip netns exec $D "$W/sipload" sink 192.0.2.2 $((N / RATE + 30)) 5 $N >"$W/sink.out" &
SP=$!
sleep 0.2
ip netns exec $S "$W/sipload" send 192.0.2.2 $RATE $N $((N / RATE + 10)) $SRCS
wait $SP
cat "$W/sink.out"
kill -TERM $GPID; wait $GPID; GPID=""
grep -a 'queue 0:' "$OUT/daemon.err"
f=$(ls -S "$OUT"/callgrind.out.* | head -1)
python3 "$ROOT/bench/cgtop.py" "$f" $N 30 | tee "$OUT/top.txt"
python3 "$ROOT/bench/cgtop.py" --inclusive "$f" $N 30 >"$OUT/top-inclusive.txt"
echo "profile: $f; exclusive table $OUT/top.txt, inclusive $OUT/top-inclusive.txt"
