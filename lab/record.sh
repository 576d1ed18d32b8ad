#!/usr/bin/env bash
# lab/record.sh - record real scanner runs in the namespace lab as pcap files
# (tests/captures/*.pcap), the golden inputs of `ghostguard analyze`.
#
#   lab/record.sh                 record every scenario
#   lab/record.sh svwar-register mixed ...   record only these
#   lab/record.sh --list          list the scenarios
#
# Needs root (network namespaces) and the lab packages (scripts/deps.sh lab).
# Builds its own namespaces (gg-rec-<pid>-*), removes them and every process
# it started on exit, Ctrl-C or error. Each tool runs under `timeout`; the
# whole run takes about 10 minutes (svmap-slow alone 75 s). The tool's output of each scenario goes to
# tests/captures/logs/SCENARIO.log next to the capture.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
OUT=${GG_CAPTURES:-$ROOT/tests/captures}
DATA=$HERE/data
export LAB_PREFIX=${LAB_PREFIX:-gg-rec-$$}
. "$HERE/lib.sh"

SCENARIOS="svmap-options svmap-invite svwar-register svwar-invite svwar-options svcrack
sipsak nmap-sip-methods nmap-sip-enum-users nmap-sip-brute sipp-flood scanner-changed-ua
legit-calls mixed svmap-ipv6 tcp-scan
svmap-ports svmap-register svmap-compact svmap-slow svmap-ipv6-sweep
svwar-dict svwar-invite-phone svwar-slow svwar-padded
svcrack-range svcrack-wrong-dict sipsak-variants nmap-enum-names nmap-brute-other
sipp-register-flood sipp-options-tcp sipp-invite-slow distributed-ua changed-ua-invite-crack
distributed-thin svmap-ports-onehost sipp-register-enum-tcp sipp-tollfraud-dial
nmap-call-spoof ipv6-invite-crack legit-office-nat"

if [ "${1:-}" = --list ]; then echo $SCENARIOS; exit 0; fi
if [ "$(id -u)" -ne 0 ]; then echo "record.sh: must run as root" >&2; exit 1; fi
"$ROOT/scripts/deps.sh" lab || exit 1

want=${*:-$SCENARIOS}
for s in $want; do
	case " $(echo $SCENARIOS) " in *" $s "*) ;; *) echo "record.sh: unknown scenario $s" >&2; exit 2 ;; esac
done

cleanup() {
	trap - EXIT INT TERM
	lab_down
	if ip netns list | grep -q -- "^$LAB_PREFIX-"; then
		echo "record.sh: namespaces left behind!" >&2
		exit 1
	fi
}
trap cleanup EXIT
trap 'echo "record.sh: interrupted" >&2; exit 130' INT TERM

# run HOST CMD...: a tool run, logged with its command line (scanner hosts
# get the private UTS namespace, see lab_scanner in lib.sh).
run() {
	local h=$1; shift
	echo "\$ [$h] $*"
	lab_scanner "$h" "$@" 2>&1
	echo "[exit $?]"
}

# runbg HOST CMD...: the same in the background; waited for by waitbg.
BGPIDS=""
runbg() {
	local h=$1; shift
	echo "\$ [$h] (background) $*"
	lab_scanner "$h" "$@" 2>&1 &
	BGPIDS="$BGPIDS $!"
	LAB_PIDS="$LAB_PIDS $!"
}
waitbg() {
	local p
	for p in $BGPIDS; do wait "$p"; echo "[background $p exit $?]"; done
	BGPIDS=""
}


provider_calls() { # EXT COUNT RATE(per s)
	run prov sipp -sf "$HERE/sipp/provider-call.xml" $LAB_PBX:5060 -i $LAB_PROV -p 5060 \
		-s "$1" -m "$2" -r "$3" -l 2 -nostdin -nr -nd -timeout 40s -trace_screen \
		-screen_file "$LAB_WORK/prov-call-$1.screen" >/dev/null
	grep -E 'Successful call|Failed call' "$LAB_WORK/prov-call-$1.screen" | tail -2
}
provider_keepalive() { # COUNT
	run prov sipp -sf "$HERE/sipp/provider-options.xml" $LAB_PBX:5060 -i $LAB_PROV -p 5060 \
		-m "$1" -r 1 -nostdin -nr -nd -timeout 20s -trace_screen \
		-screen_file "$LAB_WORK/prov-ka.screen" >/dev/null
	grep -E 'Successful call|Failed call' "$LAB_WORK/prov-ka.screen" | tail -2
}

# ---------------------------------------------------------------- scenarios
s_svmap-options() { run att1 svmap -v 192.0.2.0/27; }
s_svmap-invite() { run att1 svmap -v -m INVITE 192.0.2.0/27; }
s_svwar-register() { run att1 svwar -v -e 100-210 $LAB_PBX; }
s_svwar-invite() { run att1 svwar -v -m INVITE -e 100-210 $LAB_PBX; }
s_svwar-options() { run att1 svwar -v -m OPTIONS -e 100-210 $LAB_PBX; }
s_svcrack() { run att1 svcrack -v -u 100 -d "$DATA/svcrack-passwords.txt" $LAB_PBX; }
s_sipsak() {
	local LAB_RESOLVE_SELF=1
	run att1 sipsak -vv -s sip:$LAB_PBX
	run att1 sipsak -vv -s sip:100@$LAB_PBX
	run att1 sipsak -vv -U -C sip:100@$LAB_ATT1 -a wrongpass -s sip:100@$LAB_PBX
	run att1 sipsak -vv -s sip:101@$LAB_PH1
	run att1 sipsak -F -e 300 -s sip:100@$LAB_PBX
}
NMAP="nmap -n -Pn -sU -p 5060 --reason"
s_nmap-sip-methods() { run att1 $NMAP --script sip-methods $LAB_PBX $LAB_PH1; }
s_nmap-sip-enum-users() {
	run att1 $NMAP --script sip-enum-users \
		--script-args sip-enum-users.minext=95,sip-enum-users.maxext=210 $LAB_PBX
}
s_nmap-sip-brute() {
	run att1 $NMAP --script sip-brute --script-args \
		userdb=$DATA/nmap-users.txt,passdb=$DATA/nmap-passwords.txt,unpwdb.timelimit=60s $LAB_PBX
}
s_sipp-flood() {
	# Bounded: 800 INVITEs at 100/s from one attacker, 40 s at most.
	run att1 sipp -sn uac $LAB_PBX:5060 -s 101 -i $LAB_ATT1 -p 5060 -r 100 -m 800 -l 800 \
		-nostdin -nr -timeout 40s -recv_timeout 3000 -trace_screen \
		-screen_file "$LAB_WORK/flood.screen" >/dev/null
	grep -E 'Successful call|Failed call|INVITE|407|100 ' "$LAB_WORK/flood.screen" | tail -8
}
s_scanner-changed-ua() {
	# lab/sv-ua.py: sipvicious 0.3.3 cannot change its User-Agent itself.
	# svmap: changed User-Agent and From display name, its real address in
	# Via/Contact instead of 127.0.0.1 (-x), and 0.5 s between packets.
	run att1 python3 "$HERE/sv-ua.py" 'Z 5.6.4 v2.10.19.9' svmap -v -x $LAB_ATT1 -t 0.5 \
		--fromname Alice 192.0.2.8-24
	# svwar: same User-Agent change, -x, 0.2 s pacing, a small range.
	run att2 python3 "$HERE/sv-ua.py" 'Grandstream GXP2170 1.0.11.3' svwar -v -x $LAB_ATT2 \
		-t 0.2 -e 95-125 $LAB_PBX
}
s_legit-calls() {
	lab_phones_register && echo "phones 101 and 102 registered"
	provider_keepalive 3
	provider_calls 101 3 1
	provider_calls 102 2 1
	provider_keepalive 2
	lab_phones_register && echo "phones 101 and 102 re-registered"
}
s_mixed() {
	lab_phones_register && echo "phones 101 and 102 registered"
	echo "\$ [prov] (background) provider calls to 101 and 102, keepalives"
	( provider_keepalive 2; provider_calls 101 4 0.5; provider_calls 102 3 0.5 ) &
	local legit=$!
	LAB_PIDS="$LAB_PIDS $legit"
	sleep 1
	runbg att1 svmap -v 192.0.2.0/27
	sleep 2
	runbg att2 svwar -v -e 100-210 $LAB_PBX
	waitbg
	wait $legit; echo "[provider exit $?]"
}
s_svmap-ipv6() {
	run att1 svmap -v -6 $LAB_PBX6 $LAB_PH16 2001:db8:2::99
	run att1 svwar -v -6 -e 100-110 $LAB_PBX6
}
s_tcp-scan() {
	run att1 nmap -n -Pn -sT -p 5060 --reason --script sip-methods,sip-enum-users \
		--script-args sip-enum-users.minext=99,sip-enum-users.maxext=105 $LAB_PBX
	LAB_RESOLVE_SELF=1 run att1 sipsak -vv --transport tcp -s sip:$LAB_PBX
}

# ------------------------------------------------ variations of the tools
# What a real attacker changes in the default runs above: other ports and
# methods, random order, compact headers, pacing, dictionaries, other
# ranges, IPv6, TCP, a changed User-Agent, several addresses at once.
s_svmap-ports() { run att1 svmap -v --randomize -p 5060-5063 192.0.2.8-23; }
s_svmap-register() { run att1 svmap -v -m REGISTER 192.0.2.8-23; }
s_svmap-compact() { run att1 svmap -v -c 192.0.2.8-23; }
# -t 5: svmap sends the next probe after 5 s without an answer.
s_svmap-slow() { run att1 svmap -v -t 5 192.0.2.10-21; }
s_svmap-ipv6-sweep() {
	run att1 svmap -v -6 2001:db8:2::1 $LAB_PBX6 $LAB_PH16 $LAB_PH26 2001:db8:2::23 \
		2001:db8:2::30 2001:db8:2::99 2001:db8:2::100
}
s_svwar-dict() { run att1 svwar -v -d "$DATA/svwar-users.txt" $LAB_PBX; }
# INVITE straight to a phone, which answers every INVITE (it rings).
s_svwar-invite-phone() { run att1 svwar -v -m INVITE --force -e 100-109 $LAB_PH1; }
s_svwar-slow() { run att1 svwar -v -t 1 -e 95-120 $LAB_PBX; }
# Zero-padded extensions 0090-0109: none exists, svwar finds nothing.
s_svwar-padded() { run att1 svwar -v -z 4 -e 90-109 $LAB_PBX; }
s_svcrack-range() { run att1 svcrack -v -u 101 -r 1000-1015 $LAB_PBX; }
# 200's password is not in the list: every guess fails. (svcrack -n, one
# nonce for all guesses, dies in sipvicious 0.3.3 on Kamailio's challenge:
# KeyError 'algorithm'.)
s_svcrack-wrong-dict() { run att1 svcrack -v -u 200 -d "$DATA/svcrack-passwords.txt" $LAB_PBX; }
s_sipsak-variants() {
	local LAB_RESOLVE_SELF=1
	# Traceroute straight to a phone; usrloc over a user range (sipsak
	# stops at the first 404); a flood of 100. (-I, the invite mode,
	# crashes sipsak 0.9.8.1 with SIGSEGV here.)
	run att1 sipsak -vv -T -s sip:101@$LAB_PH1
	run att1 sipsak -vv -U -b 100 -e 110 -s sip:ext@$LAB_PBX
	run att1 sipsak -F -e 100 -s sip:$LAB_PBX
}
s_nmap-enum-names() {
	run att1 nmap -n -Pn -sU -p 5060-5062 --reason --script sip-methods,sip-enum-users --script-args \
		sip-enum-users.minext=198,sip-enum-users.maxext=202,sip-enum-users.padding=4,sip-enum-users.users=true,sip-enum-users.userslist=$DATA/svwar-users.txt \
		$LAB_PBX
}
s_nmap-brute-other() {
	printf '102\n200\n' >"$LAB_WORK/users-102-200.txt"
	run att1 $NMAP --script sip-brute --script-args \
		userdb=$LAB_WORK/users-102-200.txt,passdb=$DATA/nmap-passwords.txt,unpwdb.timelimit=60s $LAB_PBX
}
sipp_att() { # NAME SIPP-ARGS...: SIPp on att1, bounded, its tally
	local n=$1; shift
	run att1 sipp "$@" -i $LAB_ATT1 -nostdin -nr -timeout 30s -recv_timeout 3000 -trace_screen \
		-screen_file "$LAB_WORK/$n.screen" >/dev/null
	grep -E 'Successful call|Failed call' "$LAB_WORK/$n.screen" | tail -2
}
s_sipp-register-flood() {
	sipp_att regflood -sf "$HERE/sipp/flood-register.xml" $LAB_PBX:5060 -s 100 -p 5060 -r 200 -m 100 -l 100
}
s_sipp-options-tcp() {
	sipp_att optflood -sf "$HERE/sipp/flood-options.xml" $LAB_PBX:5060 -t t1 -p 5062 -r 200 -m 100 -l 100
}
s_sipp-invite-slow() { sipp_att invslow -sn uac $LAB_PBX:5060 -s 101 -p 5060 -r 2 -m 20 -l 20; }
# Four hosts of the attackers' /24 share one range (12 extensions each) at
# the same time, with a phone's User-Agent (lab_attacker_add in main).
DIST_HOSTS="att3:101 att4:102 att5:103 att6:104 att7:105 att8:106"
s_distributed-ua() {
	local hn lo=100
	for hn in $(echo $DIST_HOSTS | cut -d' ' -f1-4); do
		runbg "${hn%%:*}" python3 "$HERE/sv-ua.py" 'PolycomVVX-VVX_410-UA/5.9.0.9373' svwar -v \
			-x 203.0.113.${hn#*:} -e $lo-$((lo + 11)) $LAB_PBX
		lo=$((lo + 12))
	done
	waitbg
}
# Thinner: six hosts, 3 extensions each (100-117), below any one-source
# threshold; the same phone User-Agent.
s_distributed-thin() {
	local hn lo=100
	for hn in $DIST_HOSTS; do
		runbg "${hn%%:*}" python3 "$HERE/sv-ua.py" 'Yealink SIP-T46S 66.86.0.15' svwar -v \
			-x 203.0.113.${hn#*:} -e $lo-$((lo + 2)) $LAB_PBX
		lo=$((lo + 3))
	done
	waitbg
}
# One host, eleven ports: the port sweep without --randomize.
s_svmap-ports-onehost() { run att1 svmap -v -p 5060-5070 $LAB_PBX; }
# SIPp as a home-made enumerator over TCP: REGISTER for each extension of
# lab/data/enum-users.csv (-inf), one TCP connection.
s_sipp-register-enum-tcp() {
	sipp_att regenum -sf "$HERE/sipp/enum-register.xml" $LAB_PBX:5060 -t t1 -p 5063 \
		-inf "$DATA/enum-users.csv" -r 20 -m 30 -l 30
}
# Toll-fraud dialling: INVITEs to international numbers (lab/data/
# tollfraud-numbers.csv) through the PBX, 5 a second, as SIPp scripts do.
s_sipp-tollfraud-dial() {
	sipp_att dial -sf "$HERE/sipp/dial-invite.xml" $LAB_PBX:5060 -p 5060 \
		-inf "$DATA/tollfraud-numbers.csv" -r 5 -m 15 -l 15
}
s_changed-ua-invite-crack() {
	run att1 python3 "$HERE/sv-ua.py" 'Asterisk PBX 18.9.0' svmap -v -m INVITE -x $LAB_ATT1 \
		--fromname 100 192.0.2.8-24
	run att2 python3 "$HERE/sv-ua.py" 'Linksys/SPA942-6.1.5a' svcrack -v -x $LAB_ATT2 -u 100 \
		-d "$DATA/svcrack-passwords.txt" $LAB_PBX
}

# nmap's sip-call-spoof: one call straight to each phone with a forged
# caller ID and User-Agent (the phones ring).
s_nmap-call-spoof() {
	run att1 $NMAP --script sip-call-spoof --script-args \
		'sip-call-spoof.ua=Cisco-SIPGateway/IOS-12.x,sip-call-spoof.from=Bank Security,sip-call-spoof.extension=100,sip-call-spoof.timeout=3s' \
		$LAB_PH1 $LAB_PH2
}
# IPv6: an INVITE enumeration of the PBX, paced (-t 0.5), then numeric
# password guessing.
s_ipv6-invite-crack() {
	run att1 svwar -v -6 -m INVITE -t 0.5 -e 98-108 $LAB_PBX6
	run att1 svcrack -v -6 -u 101 -r 1000-1009 $LAB_PBX6
}

# No scanner: an office behind one NAT address (203.0.113.50, host
# "office", added in main) whose four phones register 100, 101, 102 and 200
# with digest authentication, one of them first with a mistyped password,
# and all re-register 2 s later; then ph1 and ph2 take 101 and 102 back.
office_register() { # USER PASSWORD PORT
	echo "\$ [office] sipp phone-register.xml -s $1 -au $1 -ap <password> -p $3"
	lab_exec office timeout 20 sipp -sf "$HERE/sipp/phone-register.xml" $LAB_PBX:5060 \
		-i 203.0.113.50 -p "$3" -s "$1" -au "$1" -ap "$2" -m 1 -nostdin -nr -timeout 5s \
		-recv_timeout 2000 >/dev/null 2>&1
	echo "[exit $?]"
}
s_legit-office-nat() {
	local u round port
	office_register 102 phone102pW 5071
	for round in 1 2; do
		port=5061
		for u in $LAB_USERS; do
			office_register "${u%%:*}" "${u#*:}" $port
			port=$((port + 1))
		done
		sleep 2
	done
	lab_phones_register && echo "phones 101 and 102 registered again"
}

# Floods are kept to their first packets (the captures stay small; a flood
# is established within them): SCENARIO:PACKETS.
TRIM_PACKETS="sipp-register-flood:130 sipp-options-tcp:130"
trim_capture() { # SCENARIO FILE
	local t
	for t in $TRIM_PACKETS; do
		[ "${t%%:*}" = "$1" ] || continue
		editcap -r "$2" "$2.trim" "1-${t#*:}" && mv "$2.trim" "$2"
	done
}

# ---------------------------------------------------------------- main
T0=$(date +%s)
lab_up || exit 1
case " $(echo $want) " in *" distributed-ua "* | *" distributed-thin "*)
	for hn in $DIST_HOSTS; do lab_attacker_add "${hn%%:*}" "${hn#*:}" || exit 1; done ;;
esac
case " $(echo $want) " in *" legit-office-nat "*) lab_attacker_add office 50 || exit 1 ;; esac
lab_kamailio_start || exit 1
lab_phones_start || exit 1
lab_phones_register || exit 1
mkdir -p "$OUT/logs"
for s in $want; do
	lab_log "recording $s"
	log="$LAB_WORK/$s.log"
	lab_capture_start "$OUT/$s.pcap"
	# In the background and waited for, so that a signal is handled at once
	# (the trap kills it and everything in the namespaces).
	{
		echo "# scenario $s, recorded $(date -u +%Y-%m-%dT%H:%M:%SZ) by lab/record.sh"
		"s_$s"
	} >"$log" 2>&1 &
	SCEN_PID=$!
	LAB_PIDS="$LAB_PIDS $SCEN_PID"
	wait $SCEN_PID
	lab_capture_stop
	trim_capture "$s" "$OUT/$s.pcap"
	# Tools print progress with carriage returns; keep the logs readable.
	sed 's/\r$//; s/.*\r//' "$log" >"$OUT/logs/$s.log"
	lab_log "$s: $(capinfos -c -M "$OUT/$s.pcap" | awk '/Number of packets/ {print $NF}') packets, $(stat -c %s "$OUT/$s.pcap") bytes"
done
lab_log "all done in $(($(date +%s) - T0)) s"
