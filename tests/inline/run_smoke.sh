#!/usr/bin/env bash
# tests/inline/run_smoke.sh [GHOSTGUARD] - `ghostguard run` in network
# namespaces, as root. Prints TAP lines ("ok N - ...", "1..N").
#
#   attacker 203.0.113.10, 2001:db8:2::10  ---+
#   provider 198.51.100.10, 2001:db8:2::20    |  ns "o" (outside)
#                                             |
#                          router (ghostguard run --foreground)  ns "r"
#                                             |
#   phone 192.0.2.10, 2001:db8:1::10 ---------+  ns "p": counts every
#                                                datagram it gets on 5060
#
# Checks: the queue mechanism chosen (the xtables fallback on kernels
# without nft_queue) is logged; a SIPVicious-style OPTIONS (User-Agent
# friendly-scanner) does not reach the phone while the provider's OPTIONS
# does, over IPv4 and IPv6; SIGHUP with a bad config keeps the old one;
# ctl reload prints a bad config's file:line errors and exits 1, and names
# each changed setting that needs a restart;
# after kill -9 traffic still passes (bypass); after SIGTERM no queue rule
# is left. Everything happens inside fresh namespaces named with $$, removed
# on exit; only processes started here are ended, by PID; every wait is
# bounded.
set -u
gg=$(realpath "${1:-build/ghostguard}")
here=$(cd "$(dirname "$0")" && pwd)
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
notok() { n=$((n + 1)); failed=1; echo "not ok $n - $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else notok "$what"; fi; }

if [ "$(id -u)" -ne 0 ]; then
	echo "ok 1 - run smoke test # SKIP needs root"; echo "1..1"; exit 0
fi
for t in ip python3 nft iptables-nft-save ip6tables-nft-save; do
	if ! command -v "$t" >/dev/null; then
		echo "ok 1 - run smoke test # SKIP $t missing (scripts/deps.sh test)"
		echo "1..1"; exit 0
	fi
done

R=ggr$$ P=ggp$$ O=ggo$$
tmp=$(mktemp -d)
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null
	done
	for p in "${pids[@]}"; do
		wait "$p" 2>/dev/null
	done
	ip netns del "$R" 2>/dev/null
	ip netns del "$P" 2>/dev/null
	ip netns del "$O" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

inr() { ip netns exec "$R" "$@"; }

# --- the network -----------------------------------------------------------
setup_net() {
	ip netns add "$R" && ip netns add "$P" && ip netns add "$O" || return 1
	ip -n "$R" link add rp type veth peer name eth0 netns "$P" || return 1
	ip -n "$R" link add ro type veth peer name eth0 netns "$O" || return 1
	ip -n "$R" addr add 192.0.2.1/24 dev rp
	ip -n "$R" addr add 2001:db8:1::1/64 dev rp nodad
	ip -n "$R" addr add 203.0.113.1/24 dev ro
	ip -n "$R" addr add 198.51.100.1/24 dev ro
	ip -n "$R" addr add 2001:db8:2::1/64 dev ro nodad
	ip -n "$P" addr add 192.0.2.10/24 dev eth0
	ip -n "$P" addr add 2001:db8:1::10/64 dev eth0 nodad
	ip -n "$O" addr add 203.0.113.10/24 dev eth0
	ip -n "$O" addr add 198.51.100.10/24 dev eth0
	ip -n "$O" addr add 2001:db8:2::10/64 dev eth0 nodad
	ip -n "$O" addr add 2001:db8:2::20/64 dev eth0 nodad
	local ns
	for ns in "$R" "$P" "$O"; do
		ip -n "$ns" link set lo up
	done
	ip -n "$R" link set rp up && ip -n "$R" link set ro up || return 1
	ip -n "$P" link set eth0 up && ip -n "$O" link set eth0 up || return 1
	ip -n "$P" route add 203.0.113.0/24 via 192.0.2.1
	ip -n "$P" route add 198.51.100.0/24 via 192.0.2.1
	ip -n "$P" -6 route add 2001:db8:2::/64 via 2001:db8:1::1
	ip -n "$O" route add 192.0.2.0/24 via 203.0.113.1
	ip -n "$O" -6 route add 2001:db8:1::/64 via 2001:db8:2::1
	inr sysctl -qw net.ipv4.ip_forward=1 || return 1
	inr sysctl -qw net.ipv6.conf.all.forwarding=1 || return 1
}

# The phone: every datagram on 5060 (IPv4 and IPv6) logged as
# "SOURCE CALL-ID"; it answers nothing and stops by itself after 300 s.
cat > "$tmp/phone.py" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.setsockopt(socket.SOL_SOCKET, 33, 8 << 20)	# SO_RCVBUFFORCE: bursts
s.bind(("::", 5060))
s.settimeout(1.0)
out = open(sys.argv[1], "a", buffering=1)
print("ready", file=out)
end = time.time() + 300
while time.time() < end:
	try:
		data, peer = s.recvfrom(65535)
	except socket.timeout:
		continue
	cid = "-"
	for line in data.decode("latin-1").split("\r\n"):
		if line.lower().startswith("call-id:"):
			cid = line.split(":", 1)[1].strip()
	print(peer[0], cid, file=out)
PY

# One OPTIONS: send.py SRC DST USER-AGENT CALL-ID
cat > "$tmp/send.py" <<'PY'
import random, socket, sys
src, dst, ua, cid = sys.argv[1:5]
fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
h = lambda a: "[%s]" % a if ":" in a else a
tag = "%08x" % random.getrandbits(32)
msg = ("OPTIONS sip:100@%s SIP/2.0\r\n"
       "Via: SIP/2.0/UDP %s:5062;branch=z9hG4bK-%s;rport\r\n"
       "Max-Forwards: 70\r\n"
       "From: <sip:probe@%s>;tag=%s\r\n"
       "To: <sip:100@%s>\r\n"
       "Call-ID: %s\r\n"
       "CSeq: 1 OPTIONS\r\n"
       "Contact: <sip:probe@%s:5062>\r\n"
       "User-Agent: %s\r\n"
       "Accept: application/sdp\r\n"
       "Content-Length: 0\r\n\r\n") % (h(dst), h(src), tag, h(src), tag,
       h(dst), cid, h(src), ua)
s = socket.socket(fam, socket.SOCK_DGRAM)
s.bind((src, 5062))
s.sendto(msg.encode(), (dst, 5060))
PY

# A burst: burst.py N TAG, N OPTIONS, three from the provider (Call-ID
# TAG-b-I) then one from the scanner (TAG-s-I), as fast as it can send.
cat > "$tmp/burst.py" <<'PY'
import socket, sys
n, tag = int(sys.argv[1]), sys.argv[2]
socks = {}
for who, src, ua in (("b", "198.51.100.10", "Provider-SBC/1.0"),
		     ("s", "203.0.113.10", "friendly-scanner")):
	s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
	s.bind((src, 5064))
	socks[who] = (s, src, ua)
for i in range(n):
	who = "bbbs"[i % 4]
	s, src, ua = socks[who]
	msg = ("OPTIONS sip:100@192.0.2.10 SIP/2.0\r\n"
	       "Via: SIP/2.0/UDP %s:5064;branch=z9hG4bK-%d\r\n"
	       "Max-Forwards: 70\r\nFrom: <sip:k@%s>;tag=%d\r\n"
	       "To: <sip:100@192.0.2.10>\r\nCall-ID: %s-%s-%d\r\n"
	       "CSeq: 1 OPTIONS\r\nUser-Agent: %s\r\n"
	       "Content-Length: 0\r\n\r\n") % (src, i, src, i, tag, who, i, ua)
	s.sendto(msg.encode(), ("192.0.2.10", 5060))
PY

cat > "$tmp/gg.conf" <<'CONF'
ports 5060
trusted 198.51.100.10
protect 192.0.2.0/24
protect 2001:db8:1::/64
CONF
# The daemon's own files in the test's directory.
printf 'state-file %s\ncontrol-socket %s\nevent-log %s\n' "$tmp/state/state" \
    "$tmp/ctl.sock" "$tmp/events.jsonl" >>"$tmp/gg.conf"

# send CALL-ID SRC DST UA: sends one OPTIONS from the outside namespace.
send() {
	ip netns exec "$O" python3 "$tmp/send.py" "$2" "$3" "$4" "$1" \
	    >/dev/null 2>&1
}
# arrived CALL-ID SECONDS: true once the phone logged it (polls 0.1 s).
arrived() {
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		grep -q " $1\$" "$tmp/phone.log" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
# reaches SRC DST UA / blocked SRC DST UA: one OPTIONS with a fresh
# Call-ID, which the phone gets within 3 s / does not get within 2 s.
seq=0
reaches() {
	seq=$((seq + 1))
	send "smoke-$$-$seq" "$@"
	arrived "smoke-$$-$seq" 3
}
blocked() {
	seq=$((seq + 1))
	send "smoke-$$-$seq" "$@"
	! arrived "smoke-$$-$seq" 2
}

# waitlog PATTERN SECONDS: true once the daemon's log matches.
waitlog() {
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		grep -q -- "$1" "$tmp/gg.log" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# start_gg [ARGS]: the daemon in the router namespace; sets ggpid.
start_gg() {
	[ -s "$tmp/gg.log" ] && cat "$tmp/gg.log" >> "$tmp/gg.all"
	: > "$tmp/gg.log"
	ip netns exec "$R" "$gg" run --foreground -c "$tmp/gg.conf" "$@" \
	    >>"$tmp/gg.log" 2>&1 &
	ggpid=$!
	pids+=("$ggpid")
	waitlog "running" 10
}

# stopped PID SECONDS: true once PID has exited.
stopped() {
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.1
	done
	return 1
}

no_queue_rules() {
	! inr nft list table inet ghostguard 2>/dev/null | grep -q queue &&
	! inr iptables-nft-save 2>/dev/null | grep -q GHOSTGUARD &&
	! inr ip6tables-nft-save 2>/dev/null | grep -q GHOSTGUARD
}

# --- the tests -----------------------------------------------------------------
if ! setup_net; then
	notok "network namespaces set up"
	echo "1..$n"; exit 1
fi
ip netns exec "$P" python3 "$tmp/phone.py" "$tmp/phone.log" 2>/dev/null &
pids+=("$!")
for ((i = 0; i < 50; i++)); do
	grep -q ready "$tmp/phone.log" 2>/dev/null && break
	sleep 0.1
done
check "without ghostguard the provider's OPTIONS reaches the phone" \
    reaches 198.51.100.10 192.0.2.10 "Provider-SBC/1.0"

check "ghostguard run starts in the router namespace" start_gg
if nft -h 2>/dev/null | grep -q . && inr nft list table inet ghostguard 2>/dev/null | grep -q 'queue'; then
	mode=nft
else
	mode=xtables
fi
if [ "$mode" = xtables ]; then
	check "the xtables fallback was taken and logged" \
	    grep -q "queue mechanism: xtables NFQUEUE" "$tmp/gg.log"
	check "the fallback is one clear line, without libnftables' error" eval \
	    '[ "$(grep -c "no nft queue statement (nft_queue): queueing with the xtables" "$tmp/gg.log")" = 1 ] &&
	     ! grep -q -e "Could not process rule" -e "Error:" "$tmp/gg.log"'
	check "GHOSTGUARD chains queue IPv4 and IPv6 with bypass" eval \
	    'inr iptables-nft-save -t mangle | grep -q -- "-A GHOSTGUARD-FWD .*--queue-bypass" &&
	     inr ip6tables-nft-save -t mangle | grep -q -- "-A GHOSTGUARD-FWD .*--queue-bypass"'
else
	check "the native nft queue was used and logged" \
	    grep -q "queue mechanism: nft queue" "$tmp/gg.log"
	check "table inet ghostguard queues with bypass" eval \
	    'inr nft list table inet ghostguard | grep -q "queue.*bypass"'
fi
check "table inet ghostguard holds the ban sets and the raw prerouting chain" eval \
    'inr nft list table inet ghostguard | grep -q "set ban4" &&
     inr nft list table inet ghostguard | grep -q "priority raw"'

check "the provider's OPTIONS reaches the phone through ghostguard" \
    reaches 198.51.100.10 192.0.2.10 "Provider-SBC/1.0"
check "a friendly-scanner OPTIONS does not reach the phone" \
    blocked 203.0.113.10 192.0.2.10 "friendly-scanner"
check "the drop of 203.0.113.10 is logged with its tool" \
    waitlog "drop.* 203.0.113.10 .*tool sipvicious" 3
# One spoofable packet earns a probation: so named everywhere, not "#0".
ctl() { "$gg" ctl -s "$tmp/ctl.sock" "$@" 2>&1; }
check "the scanner's probation is logged as one" \
    waitlog "ban 203.0.113.10 for [0-9]*s (probation): " 3
out=$(ctl bans | grep "^203.0.113.10 ")
check "ctl bans lists it as a probation: $out" \
    grep -qE "^203\.0\.113\.10 +[^ ]+ +[^ ]+ +probation  sipvicious  " <<<"$out"
out=$(ctl explain 203.0.113.10 | sed -n 2p)
check "ctl explain calls it a probation: $out" \
    grep -q "^banned: until .* (automatic), probation (a short ban off the ladder" <<<"$out"
check "the event log calls it a probation (kind, count 0)" \
    grep -q '"type":"ban".*"addr":"203.0.113.10","kind":"probation","level":0,"count":0' "$tmp/events.jsonl"
check "ctl stats counts it among the probations" \
    eval 'ctl stats | grep -qx "bans_probation [1-9][0-9]*"'
check "IPv6: a benign OPTIONS reaches the phone" \
    reaches 2001:db8:2::20 2001:db8:1::10 "Linphone/5.0"
check "IPv6: a friendly-scanner OPTIONS does not reach the phone" \
    blocked 2001:db8:2::10 2001:db8:1::10 "friendly-scanner"

# SIGHUP with a broken file: file:line logged, the old config stays.
cp "$tmp/gg.conf" "$tmp/gg.conf.good"
echo "threshold bogus 1" >> "$tmp/gg.conf"
kill -HUP "$ggpid"
check "SIGHUP with a bad config logs file:line and keeps the old one" \
    waitlog "gg.conf:5: .*keeping\|keeping the running configuration" 5
cp "$tmp/gg.conf.good" "$tmp/gg.conf"
kill -HUP "$ggpid"
check "SIGHUP with a good config reloads" waitlog "configuration reloaded" 5

# ghostguard ctl reload: a bad file's errors reach the client (file:line,
# exit 1), not only the log; every changed setting that only a restart
# applies is named, to the client and in the log, again on the next
# reload while it still waits for the restart.
ctl_reload() {
	"$gg" ctl -s "$tmp/ctl.sock" reload >"$tmp/ctl.out" 2>"$tmp/ctl.err"
	ctl_rc=$?
}
echo "threshold bogus 1" >> "$tmp/gg.conf"
ctl_reload
check "ctl reload of a bad config prints its file:line errors and exits 1" \
    eval '[ $ctl_rc = 1 ] && grep -q "has errors" "$tmp/ctl.err" &&
	grep -q "gg.conf:8: unknown threshold .bogus." "$tmp/ctl.err"'
{ cat "$tmp/gg.conf.good"; echo "ports 5060 5080"; echo "tracker-sources 5000"
  echo "metrics 127.0.0.1:9474"; echo "user nobody"; } >"$tmp/gg.conf"
ctl_reload
check "ctl reload names every setting that needs a restart" eval \
    '[ $ctl_rc = 0 ] && grep -q "^warning: ports, tracker-sources, metrics, user changed: their running values stay until a restart" "$tmp/ctl.out"' ||
    sed 's/^/# /' "$tmp/ctl.out" "$tmp/ctl.err"
check "the reload's restart warning is logged" \
    waitlog "reload: ports, tracker-sources, .*, user changed" 3
ctl_reload
check "a second reload warns again: the change still waits for a restart" \
    eval '[ $ctl_rc = 0 ] && grep -q "^warning: ports, " "$tmp/ctl.out"'
cp "$tmp/gg.conf.good" "$tmp/gg.conf"
ctl_reload
check "ctl reload of the running file: no warning, exit 0" eval \
    '[ $ctl_rc = 0 ] && grep -q "configuration reloaded" "$tmp/ctl.out" &&
	! grep -q warning "$tmp/ctl.out"'
check "after the reloads the scanner is still dropped" \
    blocked 203.0.113.10 192.0.2.10 "friendly-scanner"
# ctl bans: a table whose columns line up under their heads (REASON starts
# where its head does, after a padded TOOL); 3 s at most for the ban.
bans_aligned() {
	local i
	for ((i = 0; i < 30; i++)); do
		"$gg" ctl -s "$tmp/ctl.sock" bans >"$tmp/bans.out" 2>&1 &&
		awk 'NR == 1 { p = index($0, "REASON") }
		    /^203\.0\.113\.10 / { ok = p > 2 && substr($0, p, 1) != " " &&
			substr($0, p - 2, 2) == "  " }
		    END { exit !ok }' "$tmp/bans.out" && return 0
		sleep 0.1
	done
	return 1
}
check "ctl bans: the scanner's row lines up with the heads" bans_aligned ||
    sed 's/^/# /' "$tmp/bans.out"

# kill -9: the rules stay, but with no listener the bypass lets all pass.
{ kill -9 "$ggpid"; wait "$ggpid"; } 2>/dev/null
check "after kill -9 the provider's OPTIONS still reaches the phone (bypass)" \
    reaches 198.51.100.10 192.0.2.10 "Provider-SBC/1.0"

# A new daemon replaces the stale rules, then SIGTERM removes them.
check "ghostguard restarts over the rules a killed daemon left" start_gg
check "no rule is doubled after the restart" eval \
    '[ "$(inr iptables-nft-save -t mangle | grep -c -- "-A FORWARD -j GHOSTGUARD-FWD")" -le 1 ] &&
     [ "$(inr nft list table inet ghostguard | grep -c "chain prerouting")" -eq 1 ]'
check "the restarted daemon drops the scanner" \
    blocked 203.0.113.10 192.0.2.10 "friendly-scanner"
# Interleaved accepts and drops: the batch verdicts never let a drop through
# and never lose an accept.
burst_ok() {
	local i b=0 s=0
	ip netns exec "$O" python3 "$tmp/burst.py" 2000 "burst$$" 2>/dev/null ||
	    return 1
	for ((i = 0; i < 100; i++)); do
		b=$(grep -c " burst$$-b-" "$tmp/phone.log")
		[ "$b" -ge 1500 ] && break
		sleep 0.1
	done
	sleep 0.5
	b=$(grep -c " burst$$-b-" "$tmp/phone.log")
	s=$(grep -c " burst$$-s-" "$tmp/phone.log")
	echo "# burst of 2000: provider $b/1500 arrived, scanner $s/500"
	[ "$b" -eq 1500 ] && [ "$s" -eq 0 ]
}
check "a burst of 2000 interleaved OPTIONS: all 1500 of the provider arrive, none of the scanner's 500" \
    burst_ok

# ctl's refusals name what they protect.
out=$(ctl ban 198.51.100.0/24)
check "ctl ban of a range over the trusted server is refused, naming it: $out" \
    grep -q "not banned: it covers the trusted server 198.51.100.10 (line 2 of $tmp/gg.conf)" <<<"$out"
out=$(ctl explain 198.51.100.0/24 | sed -n 2p)
check "ctl explain of that range gives the same reason: $out" \
    grep -q "^never banned: it covers the trusted server 198.51.100.10 " <<<"$out"
out=$(ctl explain 198.51.100.10 | sed -n 2p)
check "ctl explain of the trusted server: $out" \
    grep -q "^never banned: it is the trusted server 198.51.100.10 " <<<"$out"
out=$(ctl ban 203.0.113.0/28)
check "ctl ban of a range over the router's own address names it: $out" \
    grep -q "not banned: it covers this host's address 203.0.113.1$" <<<"$out"
out=$(ctl ban ::1)
check "ctl ban ::1: $out" grep -q "not banned: it is loopback (::1)$" <<<"$out"
out=$(ctl unban 192.0.2.99)
check "ctl unban of an address not banned says so: $out" \
    grep -q " 192.0.2.99 is not banned$" <<<"$out"
ctl ban 198.51.100.64/26 >/dev/null
out=$(ctl unban 198.51.100.70)
check "ctl unban of an address inside a banned range names the range: $out" \
    grep -q " 198.51.100.70 is not banned itself, but the ban on 198.51.100.64/26 covers it" <<<"$out"
ctl unban 198.51.100.64/26 >/dev/null
# trust and untrust name the entries too; so does the log of a lifted ban.
ctl ban 203.0.113.77 >/dev/null
out=$(ctl trust 203.0.113.64/26)
check "ctl trust over a banned address lifts its ban, naming the entry: $out" \
    grep -q "^ban on 203.0.113.77 lifted: it is in the trusted network 203.0.113.64/26 (by ctl trust)$" <<<"$out"
check "the daemon's log names it too" \
    waitlog "ban on 203.0.113.77 lifted: it is in the trusted network 203.0.113.64/26 (by ctl trust)" 2
out=$(ctl trust 203.0.113.70)
check "ctl trust of an address already trusted names the entry: $out" \
    grep -q "^203.0.113.70 is already trusted: it is in the trusted network 203.0.113.64/26 (by ctl trust)$" <<<"$out"
out=$(ctl untrust 203.0.113.70)
check "ctl untrust of an address inside a trusted network names it: $out" \
    grep -q "203.0.113.70 is not an entry of the trusted list, but it is in the trusted network 203.0.113.64/26 (by ctl trust): untrust that" <<<"$out"
out=$(ctl untrust 198.51.100.0/24)
check "ctl untrust of a range over a configured server names it: $out" \
    grep -q "198.51.100.0/24 is not an entry of the trusted list, but it covers the trusted server 198.51.100.10 (line 2 of $tmp/gg.conf): untrust that" <<<"$out"
ctl trust 203.0.113.1 >/dev/null
out=$(ctl untrust 203.0.113.1 | sed -n 2p)
check "ctl untrust of the router's address says it stays unbannable: $out" \
    grep -q "^203.0.113.1 is still never banned: it is this host's address 203.0.113.1$" <<<"$out"
out=$(ctl untrust 203.0.113.64/26)
check "ctl untrust of the network: $out" \
    grep -q "^203.0.113.64/26 no longer trusted until the next reload or restart (which read the trusted list of $tmp/gg.conf again)$" <<<"$out"

kill -TERM "$ggpid"
check "SIGTERM: the daemon exits within 5 s" stopped "$ggpid" 5
wait "$ggpid"
check "SIGTERM: exit status 0" test $? -eq 0
check "SIGTERM: the exit is logged with the queue counters" eval \
    'grep -q "queue rules removed" "$tmp/gg.log" && grep -q "queue 0: .* packets" "$tmp/gg.log"'
grep "queue 0: " "$tmp/gg.log" | sed 's/^/# /'
check "the burst's accepts were answered in batches (fewer verdict messages than packets)" eval \
    'grep "queue 0: " "$tmp/gg.log" | awk "{ exit !(\$12 < \$4) }"'
check "SIGTERM: no queue rule left (nft table, iptables, ip6tables)" no_queue_rules
check "SIGTERM: the ban sets stay" eval \
    'inr nft list table inet ghostguard | grep -q "set ban4"'
check "without ghostguard the banned scanner is still dropped by the kernel (bans outlive the daemon)" \
    blocked 203.0.113.10 192.0.2.10 "friendly-scanner"
check "the ban is in the kernel set and in the state file" eval \
    'inr nft list set inet ghostguard ban4 | grep -q "203.0.113.10" && grep -q "203.0.113.10" "$tmp/state/state"'
# lift_bans: empties the kernel sets and forgets the saved state.
lift_bans() {
	local s
	for s in ban4 ban6 ban4net ban6net; do
		inr nft flush set inet ghostguard $s 2>/dev/null
	done
	rm -rf "$tmp/state"
}
lift_bans
check "with the bans lifted, the scanner's OPTIONS passes again without ghostguard" \
    reaches 203.0.113.10 192.0.2.10 "friendly-scanner"

# --queue-balance 2: two queues, two threads, one engine.
check "ghostguard run --queue-balance 2 starts two queue threads" eval \
    'start_gg --queue-balance 2 && grep -q "queues 0-1" "$tmp/gg.log" &&
     grep -q "2 queue threads" "$tmp/gg.log"'
check "--queue-balance 2: the provider passes, the scanner does not" eval \
    'reaches 198.51.100.10 192.0.2.10 "Provider-SBC/1.0" &&
     blocked 203.0.113.10 192.0.2.10 "friendly-scanner" &&
     blocked 2001:db8:2::10 2001:db8:1::10 "friendly-scanner"'
kill -TERM "$ggpid"
check "--queue-balance 2: both threads stop on SIGTERM, rules removed" eval \
    'stopped "$ggpid" 5 && no_queue_rules && grep -q "queue 1: " "$tmp/gg.log"'

# --dry-run: decides and logs, accepts everything (no ban either).
lift_bans
check "ghostguard run --dry-run starts" start_gg --dry-run
check "--dry-run lets the scanner through" \
    reaches 203.0.113.10 192.0.2.10 "friendly-scanner"
check "--dry-run logs what it would drop" waitlog "dry-run: would drop" 3
"$gg" ctl -s "$tmp/ctl.sock" status >"$tmp/status.out" 2>&1
check "--dry-run: ctl status says judged drop, not dropped" eval \
    'grep -q "^packets: .* judged drop, " "$tmp/status.out" &&
	! grep -q " dropped" "$tmp/status.out"' || sed 's/^/# /' "$tmp/status.out"
kill -TERM "$ggpid"
stopped "$ggpid" 5
check "--dry-run: rules removed at exit" no_queue_rules

if [ "$failed" -ne 0 ] || [ -n "${GG_SMOKE_VERBOSE:-}" ]; then
	cat "$tmp/gg.log" >> "$tmp/gg.all"
	echo "# the daemons' logs:"; sed 's/^/#   /' "$tmp/gg.all"
fi
echo "1..$n"
exit "$failed"
