# lab/lib.sh - ghostguard's test lab in network namespaces (source this file).
#
# Topology (every address from the documentation ranges; nothing is routed
# out of the lab: no namespace has a default route, and the root namespace's
# interfaces, routes and firewall are never touched):
#
#   pbx  192.0.2.10  2001:db8:2::10   --+
#   ph1  192.0.2.21  2001:db8:2::21   --+-- br-site (192.0.2.1, 2001:db8:2::1) --+
#   ph2  192.0.2.22  2001:db8:2::22   --+                                         |
#                                                                        router (r)
#   prov 198.51.100.10 2001:db8:51::10 ------ p-prov (198.51.100.1, 2001:db8:51::1)
#                                                                                 |
#   att1 203.0.113.66 2001:db8:203::66 --+-- br-att (203.0.113.1, 2001:db8:203::1)+
#   att2 203.0.113.77 2001:db8:203::77 --+
#
# The router namespace forwards between the three networks. Site-internal
# traffic (phones <-> PBX) is bridged inside the router namespace; traffic
# from the provider or the attackers is routed (FORWARD), which is where the
# inline tests put ghostguard (NFQUEUE).
#
# Namespaces are named "$LAB_PREFIX-<host>". LAB_PREFIX defaults to
# gg-lab-<pid of the shell that sourced this file>, so two runs never clash.
#
# API:
#   lab_up                 create namespaces, links, addresses, routes
#   lab_down               kill every process in the lab's namespaces (they are
#                          all ours), delete the namespaces and the work dir
#   lab_ns HOST            the namespace name of HOST (r pbx ph1 ph2 prov att1 att2)
#   lab_exec HOST CMD...   run CMD in HOST's namespace (foreground)
#   lab_bg HOST LOG CMD... run CMD in HOST's namespace in the background; its
#                          PID is recorded (LAB_PIDS) and printed in $LAB_LASTPID
#   lab_stop PID...        TERM, then KILL after 3 s, processes started by lab_bg
#   lab_scanner HOST CMD.. like lab_exec, but in a private UTS namespace whose
#                          host name does not resolve (see below) and under
#                          `timeout` ($LAB_TOOL_TIMEOUT seconds, default 120)
#   lab_capture_start F    tcpdump on every router port (ingress only, so each
#                          packet is recorded exactly once), Ethernet frames
#   lab_capture_stop       stop the captures and merge them into F (pcap)
#   lab_kamailio_start     Kamailio on the PBX with lab/kamailio.cfg
#   lab_phones_start       SIPp user agent servers on ph1 and ph2
#   lab_phones_register    ph1 registers as 101, ph2 as 102 (digest auth)
#   lab_wait_port HOST PROTO ADDR PORT   wait (<= 10 s) for a listening socket
#
# Scanner host names: sipvicious uses gethostbyname(gethostname()) as its Via
# and Contact address. Namespaces share the host's UTS namespace, so the
# machine's host name (and whatever /etc/hosts maps it to) would leak into
# the captures. lab_scanner runs the tool with the host name "attacker",
# which resolves nowhere, so sipvicious falls back to 127.0.0.1: the same
# value seen in real internet scans (see docs/fingerprints.md). With
# LAB_RESOLVE_SELF=1 the name resolves to the scanner's own IPv4 address
# instead (sipsak refuses to run when its host name does not resolve).

LAB_DIR=${LAB_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}
LAB_PREFIX=${LAB_PREFIX:-gg-lab-$$}
LAB_HOSTS="r pbx ph1 ph2 prov att1 att2"
LAB_PIDS=""
LAB_CAP_PIDS=""
LAB_TOOL_TIMEOUT=${LAB_TOOL_TIMEOUT:-120}
LAB_WORK=${LAB_WORK:-}

# Addresses.
LAB_ROUTER4_SITE=192.0.2.1
LAB_ROUTER4_PROV=198.51.100.1
LAB_ROUTER4_ATT=203.0.113.1
LAB_PBX=192.0.2.10
LAB_PH1=192.0.2.21
LAB_PH2=192.0.2.22
LAB_PROV=198.51.100.10
LAB_ATT1=203.0.113.66
LAB_ATT2=203.0.113.77
LAB_PBX6=2001:db8:2::10
LAB_PH16=2001:db8:2::21
LAB_PH26=2001:db8:2::22
LAB_PROV6=2001:db8:51::10
LAB_ATT16=2001:db8:203::66
LAB_ATT26=2001:db8:203::77

# Extensions and passwords of the lab PBX (lab/kamailio.cfg reads them from
# the db_text subscriber table written by lab_kamailio_start).
LAB_USERS="100:s3cr3t100 101:phone101pw 102:phone102pw 200:admin200x"

lab_log() { printf '[lab %s] %s\n' "$(date +%T)" "$*" >&2; }

lab_ns() { printf '%s-%s' "$LAB_PREFIX" "$1"; }

lab_exec() {
	local h=$1; shift
	ip netns exec "$(lab_ns "$h")" "$@"
}

lab_bg() {
	local h=$1 log=$2; shift 2
	ip netns exec "$(lab_ns "$h")" "$@" </dev/null >"$log" 2>&1 &
	LAB_LASTPID=$!
	LAB_PIDS="$LAB_PIDS $LAB_LASTPID"
}

lab_stop() {
	local p n
	for p in "$@"; do kill -TERM "$p" 2>/dev/null || true; done
	for n in 1 2 3 4 5 6; do
		local alive=0
		for p in "$@"; do kill -0 "$p" 2>/dev/null && alive=1; done
		[ $alive = 0 ] && break
		sleep 0.5
	done
	for p in "$@"; do kill -KILL "$p" 2>/dev/null || true; done
	for p in "$@"; do wait "$p" 2>/dev/null || true; done
}

lab_scanner() {
	local h=$1; shift
	local hosts=/etc/hosts
	if [ -n "${LAB_RESOLVE_SELF:-}" ]; then
		# A host name that resolves to the scanner's own address: a
		# private /etc/hosts, bind-mounted in a private mount namespace.
		hosts="$LAB_WORK/hosts-$h"
		printf '127.0.0.1 localhost\n%s attacker\n' \
			"$(ip -n "$(lab_ns "$h")" -4 -o addr show dev eth0 | awk '{sub("/.*", "", $4); print $4}')" >"$hosts"
	fi
	ip netns exec "$(lab_ns "$h")" unshare --uts --mount --propagation private -- \
		sh -c 'hostname attacker && { [ "$0" = /etc/hosts ] || mount --bind "$0" /etc/hosts; } &&
			exec timeout -k 5 "$@"' "$hosts" "$LAB_TOOL_TIMEOUT" "$@"
}

# _lab_link ROUTER_IF HOST: a veth pair between the router and HOST; HOST's
# end is called eth0. Created inside the namespaces, never in the root one.
_lab_link() {
	ip -n "$(lab_ns r)" link add "$1" type veth peer name eth0 netns "$(lab_ns "$2")"
	ip -n "$(lab_ns r)" link set "$1" up
	ip -n "$(lab_ns "$2")" link set eth0 up
}

# _lab_host HOST V4/LEN V6/LEN GW4 GW6: addresses and routes to the other
# lab networks (only 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24 and
# 2001:db8::/32; no default route).
_lab_host() {
	local ns; ns=$(lab_ns "$1")
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0 \
		net.ipv6.conf.eth0.accept_ra=0
	ip -n "$ns" addr add "$2" dev eth0
	ip -n "$ns" -6 addr add "$3" dev eth0 nodad
	local net
	for net in 192.0.2.0/24 198.51.100.0/24 203.0.113.0/24; do
		case $2 in "${net%.*/24}".*) continue ;; esac
		ip -n "$ns" route add "$net" via "$4"
	done
	ip -n "$ns" -6 route add 2001:db8::/32 via "$5"
}

lab_up() {
	local h
	if [ -z "$LAB_WORK" ]; then
		LAB_WORK=$(mktemp -d "/tmp/$LAB_PREFIX.XXXXXX")
	fi
	mkdir -p "$LAB_WORK"
	for h in $LAB_HOSTS; do
		ip netns add "$(lab_ns "$h")"
		ip -n "$(lab_ns "$h")" link set lo up
	done
	local r; r=$(lab_ns r)
	ip netns exec "$r" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
		net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0
	# Site bridge and attacker bridge inside the router namespace.
	ip -n "$r" link add br-site type bridge stp_state 0 forward_delay 0
	ip -n "$r" link add br-att type bridge stp_state 0 forward_delay 0
	ip -n "$r" link set br-site up
	ip -n "$r" link set br-att up
	_lab_link s-pbx pbx; ip -n "$r" link set s-pbx master br-site
	_lab_link s-ph1 ph1; ip -n "$r" link set s-ph1 master br-site
	_lab_link s-ph2 ph2; ip -n "$r" link set s-ph2 master br-site
	_lab_link p-prov prov
	_lab_link a-att1 att1; ip -n "$r" link set a-att1 master br-att
	_lab_link a-att2 att2; ip -n "$r" link set a-att2 master br-att
	ip -n "$r" addr add $LAB_ROUTER4_SITE/24 dev br-site
	ip -n "$r" -6 addr add 2001:db8:2::1/64 dev br-site nodad
	ip -n "$r" addr add $LAB_ROUTER4_PROV/24 dev p-prov
	ip -n "$r" -6 addr add 2001:db8:51::1/64 dev p-prov nodad
	ip -n "$r" addr add $LAB_ROUTER4_ATT/24 dev br-att
	ip -n "$r" -6 addr add 2001:db8:203::1/64 dev br-att nodad
	_lab_host pbx  $LAB_PBX/24  $LAB_PBX6/64  $LAB_ROUTER4_SITE 2001:db8:2::1
	_lab_host ph1  $LAB_PH1/24  $LAB_PH16/64  $LAB_ROUTER4_SITE 2001:db8:2::1
	_lab_host ph2  $LAB_PH2/24  $LAB_PH26/64  $LAB_ROUTER4_SITE 2001:db8:2::1
	_lab_host prov $LAB_PROV/24 $LAB_PROV6/64 $LAB_ROUTER4_PROV 2001:db8:51::1
	_lab_host att1 $LAB_ATT1/24 $LAB_ATT16/64 $LAB_ROUTER4_ATT 2001:db8:203::1
	_lab_host att2 $LAB_ATT2/24 $LAB_ATT26/64 $LAB_ROUTER4_ATT 2001:db8:203::1
	lab_log "up: namespaces $LAB_PREFIX-{$(echo $LAB_HOSTS | tr ' ' ,)}, work dir $LAB_WORK"
}

lab_down() {
	local h ns p pids
	[ -n "$LAB_CAP_PIDS" ] && lab_stop $LAB_CAP_PIDS
	LAB_CAP_PIDS=""
	[ -n "$LAB_PIDS" ] && lab_stop $LAB_PIDS
	LAB_PIDS=""
	for h in $LAB_HOSTS; do
		ns=$(lab_ns "$h")
		ip netns list 2>/dev/null | grep -qw -- "^$ns" || continue
		# Anything still running inside one of our namespaces was started
		# by this lab (the names are unique to this run).
		pids=$(ip netns pids "$ns" 2>/dev/null || true)
		for p in $pids; do kill -KILL "$p" 2>/dev/null || true; done
		ip netns del "$ns" 2>/dev/null || true
	done
	if [ -n "$LAB_WORK" ] && [ -d "$LAB_WORK" ] && [ -z "${LAB_KEEP_WORK:-}" ]; then
		rm -rf "$LAB_WORK"
	fi
	lab_log "down: $(ip netns list 2>/dev/null | grep -c -- "^$LAB_PREFIX-" || true) namespaces of $LAB_PREFIX left"
}

# Packets of interest: SIP on 5060-5070 (UDP and TCP) and ICMP errors that
# answer them (port unreachable for a host that does not run SIP).
LAB_CAP_FILTER='((udp or tcp) and portrange 5060-5070) or (icmp and icmp[0] == 3) or (icmp6 and ip6[40] == 1)'
LAB_CAP_IFS="s-pbx s-ph1 s-ph2 p-prov a-att1 a-att2"

lab_capture_start() {
	LAB_CAP_OUT=$1
	LAB_CAP_DIR="$LAB_WORK/cap.$$.$RANDOM"
	mkdir -p "$LAB_CAP_DIR"
	local i
	LAB_CAP_PIDS=""
	for i in $LAB_CAP_IFS; do
		ip netns exec "$(lab_ns r)" tcpdump -i "$i" -Q in -U --immediate-mode -s 0 -w "$LAB_CAP_DIR/$i.pcap" \
			"$LAB_CAP_FILTER" </dev/null >"$LAB_CAP_DIR/$i.log" 2>&1 &
		LAB_CAP_PIDS="$LAB_CAP_PIDS $!"
	done
	# tcpdump says "listening on" once its filter is attached.
	local n want; want=$(echo $LAB_CAP_IFS | wc -w)
	for n in $(seq 50); do
		[ "$(cat "$LAB_CAP_DIR"/*.log 2>/dev/null | grep -c 'listening on')" -ge "$want" ] && break
		sleep 0.1
	done
}

lab_capture_stop() {
	sleep 0.5
	lab_stop $LAB_CAP_PIDS
	LAB_CAP_PIDS=""
	local files="" i
	for i in $LAB_CAP_IFS; do
		[ -s "$LAB_CAP_DIR/$i.pcap" ] && files="$files $LAB_CAP_DIR/$i.pcap"
	done
	mkdir -p "$(dirname "$LAB_CAP_OUT")"
	# shellcheck disable=SC2086
	mergecap -F pcap -w "$LAB_CAP_OUT" $files
	rm -rf "$LAB_CAP_DIR"
}

lab_wait_port() {
	local h=$1 proto=$2 addr=$3 port=$4 n
	for n in $(seq 100); do
		if lab_exec "$h" ss -Hln"${proto:0:1}" 2>/dev/null | awk '{print $4}' |
			grep -qE "^\[?$addr\]?:$port\$"; then
			return 0
		fi
		sleep 0.1
	done
	lab_log "nothing listens on $addr $proto/$port in $h"
	return 1
}

lab_kamailio_start() {
	local db="$LAB_WORK/kamailio-db" run="$LAB_WORK/kamailio-run" u id=0
	mkdir -p "$db" "$run"
	printf 'id(int,auto) table_name(string) table_version(int)\n0:version:1\n0:subscriber:7\n0:location:9\n' >"$db/version"
	printf 'id(int,auto) username(string) domain(string) password(string) ha1(string) ha1b(string)\n' >"$db/subscriber"
	for u in $LAB_USERS; do
		id=$((id + 1))
		printf '%d:%s:%s:%s:x:x\n' "$id" "${u%%:*}" "$LAB_PBX" "${u#*:}" >>"$db/subscriber"
	done
	local re; re="^($(for u in $LAB_USERS; do printf '%s|' "${u%%:*}"; done | sed 's/|$//'))\$"
	sed -e "s|@DBURL@|text://$db|" -e "s/@USERS_RE@/$re/" "$LAB_DIR/kamailio.cfg" >"$run/kamailio.cfg"
	lab_bg pbx "$LAB_WORK/kamailio.log" kamailio -f "$run/kamailio.cfg" -P "$run/kamailio.pid" \
		-Y "$run" -w "$run" -DD -E -m 64 -M 8
	LAB_KAMAILIO_PID=$LAB_LASTPID
	lab_wait_port pbx udp $LAB_PBX 5060 && lab_wait_port pbx tcp $LAB_PBX 5060 ||
		{ cat "$LAB_WORK/kamailio.log" >&2; return 1; }
}

lab_phones_start() {
	local h ip ext
	for h in ph1 ph2; do
		if [ $h = ph1 ]; then ip=$LAB_PH1; ext=101; else ip=$LAB_PH2; ext=102; fi
		lab_bg $h "$LAB_WORK/sipp-$h-uas.log" sipp -sf "$LAB_DIR/sipp/phone-uas.xml" \
			-i $ip -p 5060 -s $ext -nostdin -nr -timeout 600s -trace_stat -stf "$LAB_WORK/sipp-$h-uas.csv" \
			-trace_msg -message_file "$LAB_WORK/sipp-$h-uas.msg" -max_recv_loops 100
		eval "LAB_${h}_PID=\$LAB_LASTPID"
		lab_wait_port $h udp $ip 5060 || return 1
	done
}

# lab_phones_register: one REGISTER (with digest authentication) per phone.
# The phones' Contact points at their UAS on port 5060; the registration is
# sent from port 5061.
lab_phones_register() {
	local h ip user pw u
	for h in ph1 ph2; do
		if [ $h = ph1 ]; then ip=$LAB_PH1; user=101; else ip=$LAB_PH2; user=102; fi
		for u in $LAB_USERS; do [ "${u%%:*}" = $user ] && pw=${u#*:}; done
		lab_exec $h timeout 20 sipp -sf "$LAB_DIR/sipp/phone-register.xml" $LAB_PBX:5060 \
			-i $ip -p 5061 -s $user -au $user -ap "$pw" -m 1 -nostdin -nr -timeout 15s \
			>"$LAB_WORK/sipp-$h-reg.log" 2>&1 ||
			{ lab_log "registration of $user failed"; cat "$LAB_WORK/sipp-$h-reg.log" >&2; return 1; }
	done
}

# ---------------------------------------------------------------- inline tests
# Helpers for tests/inline/ (ghostguard in the packet path) and bench/inline/.
#
#   lab_gg_has_run BIN      true when BIN is a ghostguard with the `run` command
#                           (read from its usage; BIN is never started here)
#   lab_gg_start HOST CONF [ARG...]
#                           `BIN run -c CONF --foreground ARG...` in HOST's
#                           namespace (BIN = $LAB_GG), log $LAB_WORK/gg.log;
#                           waits (<= 10 s) until its queue rules are in the
#                           kernel and a listener is bound to the queue.
#                           LAB_GG_PID is its PID.
#   lab_gg_stop             SIGTERM it and wait; returns 1 when its queue rules
#                           are still in the kernel afterwards
#   lab_gg_rules HOST       the queue rules in HOST's namespace, one a line
#                           (xtables NFQUEUE or nft queue), nothing when none
#   lab_queue_stat HOST     /proc/net/netfilter/nfnetlink_queue of HOST
#   lab_queue_drops HOST    queue drops + user drops, summed over HOST's queues
#   lab_rings HOST          INVITEs that reached HOST's phone directly (not
#                           relayed by the PBX): distinct Call-IDs; "all" as a
#                           second argument counts relayed ones too
#   lab_rings_unsolicited HOST  INVITEs (distinct Call-IDs) that reached
#                           HOST's phone directly or through the PBX, except
#                           the lab provider's own calls (lab/sipp/provider-*:
#                           User-Agent LabProvider/): the rings for attackers
#   lab_phone_requests HOST [METHOD]  requests (of METHOD) that reached HOST's
#                           phone directly (not relayed by the PBX)
#   lab_pbx_requests [SRC]  requests Kamailio received (from SRC, a regex on
#                           the source address, if given)
#   lab_provider_calls EXT COUNT RATE [SIPP ARGS...]
#                           the provider's calls through the PBX; prints
#                           "placed N successful N failed N retrans N"; true
#                           when all succeeded (LAB_SIPP_CALL: another
#                           scenario of lab/sipp/, LAB_SIPP_PORT: local port)
#   lab_provider_keepalive COUNT RATE [SIPP ARGS...]   the same for OPTIONS
#   lab_addr_add HOST ADDR...  secondary addresses on HOST's eth0
#   lab_attacker_add NAME N    another attacker host, 203.0.113.N, 2001:db8:203::N
#   lab_sipp_stat CSV FIELD the last value of FIELD in a SIPp -trace_stat file

lab_gg_has_run() {
	[ -x "$1" ] || return 1
	"$1" 2>&1 | grep -q 'ghostguard run'
}

lab_gg_rules() {
	local h=$1
	{
		lab_exec "$h" iptables-save 2>/dev/null
		lab_exec "$h" ip6tables-save 2>/dev/null
	} | grep -E -- '-j NFQUEUE' || true
	lab_exec "$h" nft list ruleset 2>/dev/null | grep -E '\bqueue\b' |
		grep -v -- 'NFQUEUE' || true
}

lab_queue_stat() { lab_exec "$1" cat /proc/net/netfilter/nfnetlink_queue 2>/dev/null; }

# Fields of nfnetlink_queue: queue portid waiting copymode copyrange
# queue_dropped user_dropped id_sequence 1.
lab_queue_drops() {
	lab_queue_stat "$1" | awk '{ d += $6 + $7 } END { print d + 0 }'
}

lab_gg_start() {
	local h=$1 conf=$2 n; shift 2
	LAB_GG_HOST=$h
	# The daemon's files stay in the lab's work directory (its state, its
	# control socket, its event log), unless the config says otherwise.
	grep -q '^state-file ' "$conf" || echo "state-file $LAB_WORK/gg-state/state" >>"$conf"
	grep -q '^control-socket ' "$conf" || echo "control-socket $LAB_WORK/gg-ctl.sock" >>"$conf"
	grep -q '^event-log ' "$conf" || echo "event-log $LAB_WORK/gg-events.jsonl" >>"$conf"
	LAB_GG_CTL=$(awk '$1 == "control-socket" { print $2 }' "$conf" | tail -1)
	lab_bg "$h" "$LAB_WORK/gg.log" "$LAB_GG" run -c "$conf" --foreground "$@"
	LAB_GG_PID=$LAB_LASTPID
	for n in $(seq 100); do
		if ! kill -0 "$LAB_GG_PID" 2>/dev/null; then
			lab_log "ghostguard exited at start:"; sed 's/^/  /' "$LAB_WORK/gg.log" >&2
			return 1
		fi
		if [ -n "$(lab_gg_rules "$h")" ] && [ -n "$(lab_queue_stat "$h")" ]; then
			return 0
		fi
		sleep 0.1
	done
	lab_log "ghostguard: no queue rule or no queue listener after 10 s:"
	sed 's/^/  /' "$LAB_WORK/gg.log" >&2
	return 1
}

# lab_gg_ctl ARGS...: ghostguard ctl against the lab's daemon.
lab_gg_ctl() { "$LAB_GG" ctl -s "$LAB_GG_CTL" "$@"; }

lab_gg_stop() {
	[ -n "${LAB_GG_PID:-}" ] || return 0
	lab_stop "$LAB_GG_PID"
	LAB_GG_PID=""
	[ -z "$(lab_gg_rules "$LAB_GG_HOST")" ]
}

# SIPp's message trace (-trace_msg) of a phone: one block per message,
# "----- date", "UDP message received [N] bytes :", an empty line, the
# message. Requests relayed by the PBX carry its Via on top.
_lab_phone_msgs() { # HOST MODE(rings|rings-all|rings-unsolicited|requests) [METHOD]
	awk -v mode="$2" -v meth="${3:-}" '
	/^-----------------------------------------------/ { flush(); inmsg = 0; next }
	/message received/ { inmsg = 1; first = ""; via = ""; cid = ""; ua = ""; next }
	inmsg && first == "" && NF { first = $0; next }
	inmsg && via == "" && tolower($0) ~ /^(via|v):/ { via = $0 }
	inmsg && cid == "" && tolower($0) ~ /^(call-id|i):/ { cid = $2 }
	inmsg && ua == "" && tolower($0) ~ /^user-agent:/ { ua = $0 }
	function flush() {
		if (!inmsg || first ~ /^SIP\//) return
		relayed = (via ~ /192\.0\.2\.10[:;]|2001:db8:2::10\]/)
		if (mode == "requests") { if (!relayed && (meth == "" || first ~ "^" meth " ")) n++; return }
		if (first !~ /^INVITE /) return
		if (mode == "rings" && relayed) return
		if (mode == "rings-unsolicited" && ua ~ /LabProvider\//) return
		if (!(cid in seen)) { seen[cid] = 1; n++ }
	}
	END { flush(); print n + 0 }' "$LAB_WORK/sipp-$1-uas.msg" 2>/dev/null || echo 0
}
lab_rings() { _lab_phone_msgs "$1" "rings${2:+-all}"; }
lab_rings_unsolicited() { _lab_phone_msgs "$1" rings-unsolicited; }
lab_phone_requests() { _lab_phone_msgs "$1" requests "${2:-}"; }

# Kamailio logs one line per request it receives (lab/kamailio.cfg):
# "gg-lab: request METHOD from PROTO:ADDR:PORT to URI".
lab_pbx_requests() {
	grep -E "gg-lab: request [A-Z]+ from [a-z]+:${1:-.*}:[0-9]+ " "$LAB_WORK/kamailio.log" 2>/dev/null |
		wc -l | tr -d ' '
}

lab_sipp_stat() {
	awk -F';' -v f="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == f) c = i; next }
		c { v = $c } END { print v + 0 }' "$1" 2>/dev/null
}

# _lab_sipp_run NAME SCENARIO DEST COUNT RATE [ARGS...]: a SIPp client on the
# provider; prints its tally, true when every call succeeded.
_lab_sipp_run() {
	local name=$1 sf=$2 dest=$3 m=$4 r=$5 csv="$LAB_WORK/$1.csv" rc; shift 5
	rm -f "$csv"
	lab_exec prov timeout -k 5 60 sipp -sf "$LAB_DIR/sipp/$sf" "$dest" -p "${LAB_SIPP_PORT:-5060}" \
		-m "$m" -r "$r" -l 4 -nostdin -nr -nd -timeout 40s -trace_stat -stf "$csv" -fd 1 \
		"$@" >"$LAB_WORK/$name.log" 2>&1
	rc=$?
	local ok fail re
	ok=$(lab_sipp_stat "$csv" 'SuccessfulCall(C)')
	fail=$(lab_sipp_stat "$csv" 'FailedCall(C)')
	re=$(lab_sipp_stat "$csv" 'Retransmissions(C)')
	echo "placed $m successful $ok failed $fail retrans $re exit $rc"
	[ "$rc" = 0 ] && [ "$ok" = "$m" ]
}
lab_provider_calls() { # EXT COUNT RATE [ARGS...] (default: IPv4, UDP, to the PBX)
	local ext=$1 m=$2 r=$3; shift 3
	_lab_sipp_run "prov-call-$ext-$$-$RANDOM" "${LAB_SIPP_CALL:-provider-call.xml}" "${LAB_SIPP_DEST:-$LAB_PBX:5060}" \
		"$m" "$r" -i "${LAB_SIPP_SRC:-$LAB_PROV}" -s "$ext" "$@"
}
lab_provider_keepalive() { # COUNT RATE [ARGS...]
	local m=$1 r=$2; shift 2
	_lab_sipp_run "prov-ka-$$-$RANDOM" provider-options.xml "${LAB_SIPP_DEST:-$LAB_PBX:5060}" \
		"$m" "$r" -i "${LAB_SIPP_SRC:-$LAB_PROV}" "$@"
}

# lab_attacker_add NAME LAST_OCTET: one more attacker host on the attackers'
# network, 203.0.113.LAST_OCTET and 2001:db8:203::LAST_OCTET (sipvicious
# 0.3.3's svwar and svcrack ignore -b, so a test that wants each attack from
# its own address gives each its own host). Removed by lab_down; captured by
# lab_capture_start.
lab_attacker_add() {
	local h=$1 n=$2
	ip netns add "$(lab_ns "$h")" || return 1
	LAB_HOSTS="$LAB_HOSTS $h"
	# Its router port is captured like the others (lab_capture_start).
	LAB_CAP_IFS="$LAB_CAP_IFS a-$h"
	ip -n "$(lab_ns "$h")" link set lo up
	_lab_link "a-$h" "$h" && ip -n "$(lab_ns r)" link set "a-$h" master br-att &&
		_lab_host "$h" "203.0.113.$n/24" "2001:db8:203::$n/64" $LAB_ROUTER4_ATT 2001:db8:203::1
}

# lab_addr_add HOST ADDR...: more addresses on HOST's eth0 (/24 for IPv4,
# /64 for IPv6), so that each attack of a test comes from its own source.
lab_addr_add() {
	local h=$1 a; shift
	for a in "$@"; do
		case $a in
		*:*) ip -n "$(lab_ns "$h")" -6 addr add "$a/64" dev eth0 nodad ;;
		*) ip -n "$(lab_ns "$h")" addr add "$a/24" dev eth0 ;;
		esac
	done
}
