#!/usr/bin/env bash
# lab/demo.sh [GHOSTGUARD] - the demo of `make demo` (default binary:
# build/ghostguard). Needs root and the lab's packages (scripts/deps.sh lab).
#
# It builds the lab of lab/lib.sh in network namespaces (gg-demo-<pid>-*: a
# router, a Kamailio PBX, two SIPp phones, a trusted provider, one attacker
# host per attack) and plays the same attack tour twice, first without
# ghostguard, then with `ghostguard run` inline on the router: SIPVicious
# sweeps of the phones (svmap -m INVITE, svmap), svwar and svcrack against
# the PBX, nmap's SIP scripts, svwar with a changed User-Agent
# (lab/sv-ua.py), an INVITE flood (SIPp) at a phone, and INVITEs forged with
# the trusted provider's address; all while the provider places real calls
# to the phones. Then it prints a table of both passes side by side, what is
# banned, and the path of a report of the second pass.
#
# Outputs, next to GHOSTGUARD (or in $DEMO_OUT): demo-report.html (or
# demo-report.txt while `analyze` has no --html) and demo-capture.pcap, the
# traffic of the pass with ghostguard. Everything else it made (namespaces,
# processes, the work directory) is removed on exit, error or Ctrl-C.
#
# DEMO_KEEP=1 keeps the work directory (tool outputs, logs) for a look.
set -u
T0=$(date +%s)
export LAB_PREFIX=${LAB_PREFIX:-gg-demo-$$}
export LAB_TOOL_TIMEOUT=${LAB_TOOL_TIMEOUT:-45}
# The inline tests' helpers (tool output parsers, ghostguard's config for
# the lab, the provider's calls); it sources lab/lib.sh and moves to the
# top of the repository.
. "$(dirname "$0")/../tests/inline/common.sh"
OUT=${DEMO_OUT:-$(dirname "$GG")}
case $OUT in /*) ;; *) OUT=$T_ROOT/$OUT ;; esac

say() { printf '[demo %3ds] %s\n' $(($(date +%s) - T0)) "$*"; }
die() { say "FAILED: $*"; exit 1; }

# ---------------------------------------------------------------- clean up
D_JOBS=""
d_cleanup() {
	local rc=$? p
	trap - EXIT INT TERM
	# Our own background jobs (tool runs, the provider's calls) first,
	# then everything in the lab's namespaces, then the namespaces.
	for p in $D_JOBS $(jobs -p); do kill -TERM "$p" 2>/dev/null; done
	[ -n "${LAB_GG_PID:-}" ] && lab_stop "$LAB_GG_PID" >/dev/null 2>&1
	if [ -n "${DEMO_KEEP:-}" ]; then
		LAB_KEEP_WORK=1
		say "work directory kept: $LAB_WORK"
	fi
	lab_down >/dev/null 2>&1
	for p in $D_JOBS $(jobs -p); do kill -KILL "$p" 2>/dev/null; done
	wait 2>/dev/null
	if ip netns list 2>/dev/null | grep -q -- "^$LAB_PREFIX-"; then
		say "namespaces of $LAB_PREFIX are left behind: ip netns list"
		rc=1
	elif [ -n "${D_STARTED:-}" ] && [ -n "${DEMO_KEEP:-}" ]; then
		say "lab removed (namespaces $LAB_PREFIX-*, its processes; its files kept)"
	elif [ -n "${D_STARTED:-}" ]; then
		say "lab removed (namespaces $LAB_PREFIX-*, its processes, its files)"
	fi
	exit "$rc"
}
trap d_cleanup EXIT
trap 'echo; say "interrupted: cleaning up"; exit 130' INT TERM

# ---------------------------------------------------------------- checks
[ "$(id -u)" = 0 ] ||
	die "the lab needs root (network namespaces): sudo make demo (without root: make demo-offline)"
for tool in ip kamailio sipp svmap svwar svcrack nmap iptables tcpdump mergecap python3; do
	command -v "$tool" >/dev/null 2>&1 ||
		die "$tool is not installed: run scripts/deps.sh lab (or make demo)"
done
lab_gg_has_run "$GG" || die "$GG is not a ghostguard with 'run': make all first"
mkdir -p "$OUT" || die "cannot create $OUT"

# ---------------------------------------------------------------- jobs
# d_job LABEL LOG HOST CMD...: an attack in the background (t_scan: a
# scanner's private UTS namespace, under timeout); d_wait reports each as it
# ends, so the terminal is never silent for long.
declare -A D_LABEL
d_job() {
	local label=$1; shift
	t_scan "$@" &
	D_JOBS="$D_JOBS $!"
	D_LABEL[$!]=$label
}
d_wait() {
	local left=$D_JOBS p l t=$(date +%s)
	while [ -n "$(echo $left)" ]; do
		local still=""
		for p in $left; do
			if kill -0 "$p" 2>/dev/null; then
				still="$still $p"
				continue
			fi
			wait "$p" 2>/dev/null
			say "    finished: ${D_LABEL[$p]} ($(($(date +%s) - t)) s)"
		done
		left=$still
		[ -n "$(echo $left)" ] && sleep 0.5
	done
	D_JOBS=""
}

# ---------------------------------------------------------------- measures
# What the attackers learned, from the tools' own output (distinct values
# over every tool of the pass).
d_devices() { # LOG...: svmap's table rows "| 192.0.2.21:5060 | ... |"
	cat "$@" 2>/dev/null | sed -nE 's/^\| ([][0-9a-f.:]+):[0-9]+ +\|.*/\1/p' | sort -u | grep -c .
}
d_extensions() { # LOG...: svwar's "| 101 | reqauth |", nmap's "|   101: Auth required"
	cat "$@" 2>/dev/null | sed -nE -e 's/^\| ([0-9]+) +\| .*/\1/p' \
		-e 's/^\|_? +([0-9]+): Auth required.*/\1/p' | sort -u | grep -c .
}
# LOG...: svcrack's "The password for 100 is ...", nmap's
# "100:pw - Valid credentials".
d_passwords() {
	cat "$@" 2>/dev/null | sed -nE -e 's/.*The password for ([^ ]+) .*/\1/p' \
		-e 's/^\|_? +([^ :]+):.* - Valid credentials.*/\1/p' | sort -u | grep -c .
}
d_calls() { # NAME...: the provider's calls: "SUCCESSFUL PLACED"
	local n ok=0 all=0 f
	for n in "$@"; do
		f=$LAB_WORK/legit-$n.out
		set -- $(head -1 "$f" 2>/dev/null)
		all=$((all + ${2:-0})); ok=$((ok + ${4:-0}))
	done
	echo "$ok $all"
}

# ---------------------------------------------------------------- the tour
# Each attack comes from its own attacker host (its own address), like the
# many sources of a real internet scan.
D_HOSTS="svmapinv:101 svmapopt:102 svwarreg:103 svwarinv:104 svcrack:106 nmapm:107
nmape:108 nmapb:109 svua:112 flood:113 spoof:114"
NMAP="nmap -n -Pn -sU -p 5060 --host-timeout 20s"

# tour PASS: the attacks, with the provider's calls; the measures go to
# $LAB_WORK/result-PASS.
tour() {
	local P=$1 D=$LAB_WORK/$1 r1 r2 pbx
	mkdir -p "$D"
	r1=$(lab_rings_unsolicited ph1); r2=$(lab_rings_unsolicited ph2)
	pbx=$(lab_pbx_requests '203\.0\.113\.[0-9]+')

	say "  the provider starts 9 calls to the phones (5 to 101, 4 to 102, one every 4 s)"
	t_legit_bg "${P}_101" 5062 101 5 0.25
	t_legit_bg "${P}_102" 5064 102 4 0.25

	say "  attacks, 1st wave (8 tools at once, each from its own address):"
	say "    svmap -m INVITE sweeps 192.0.2.20-23 for phones (it rings them to find them)"
	d_job "svmap -m INVITE (phone sweep)" "$D/svmap-invite.log" svmapinv \
		svmap -v -m INVITE 192.0.2.20-23
	say "    svwar guesses the PBX's extensions 95-125 (REGISTER, then INVITE)"
	d_job "svwar -m REGISTER" "$D/svwar-register.log" svwarreg \
		svwar -v -m REGISTER -e 95-125 $LAB_PBX
	d_job "svwar -m INVITE" "$D/svwar-invite.log" svwarinv \
		svwar -v -m INVITE -e 95-125 $LAB_PBX
	say "    svcrack tries 22 passwords for extension 100"
	d_job "svcrack" "$D/svcrack.log" svcrack \
		svcrack -v -u 100 -d lab/data/svcrack-passwords.txt $LAB_PBX
	say "    nmap's SIP scripts: sip-methods, sip-enum-users, sip-brute"
	d_job "nmap sip-methods" "$D/nmap-methods.log" nmapm \
		$NMAP --script sip-methods $LAB_PBX $LAB_PH1
	d_job "nmap sip-enum-users" "$D/nmap-enum.log" nmape \
		$NMAP --script sip-enum-users \
		--script-args sip-enum-users.minext=95,sip-enum-users.maxext=125 $LAB_PBX
	d_job "nmap sip-brute" "$D/nmap-brute.log" nmapb \
		$NMAP --script sip-brute --script-args \
		userdb=$LAB_WORK/users.txt,passdb=$LAB_WORK/pass.txt,unpwdb.timelimit=20s $LAB_PBX
	say "    svwar disguised as a Grandstream phone (another User-Agent), paced"
	d_job "svwar as 'Grandstream GXP2170'" "$D/sv-ua.log" svua \
		python3 lab/sv-ua.py 'Grandstream GXP2170 1.0.11.3' svwar -v \
		-x 203.0.113.112 -t 0.1 -e 95-125 $LAB_PBX
	d_wait

	say "  attacks, 2nd wave:"
	say "    svmap sweeps 192.0.2.8-24 with OPTIONS (what answers is a SIP device)"
	d_job "svmap (OPTIONS sweep)" "$D/svmap-options.log" svmapopt svmap -v 192.0.2.8-24
	say "    SIPp floods phone 101 with 300 INVITEs (100 a second)"
	d_job "SIPp INVITE flood" "$D/flood.log" flood \
		sipp -sn uac $LAB_PH1:5060 -s 101 -i 203.0.113.113 -p 5060 -r 100 -m 300 \
		-l 300 -nostdin -nr -timeout 15s -recv_timeout 3000
	say "    INVITEs forged with the provider's address ($LAB_PROV), to 101 and 102 via the PBX"
	d_job "forged INVITE to 101" "$D/spoof-101.log" spoof python3 lab/sipcall.py \
		-b $LAB_PROV --ua friendly-scanner sip:101@$LAB_PBX $LAB_PBX
	d_job "forged INVITE to 102" "$D/spoof-102.log" spoof python3 lab/sipcall.py \
		-b $LAB_PROV --ua friendly-scanner sip:102@$LAB_PBX $LAB_PBX
	d_wait

	say "  waiting for the provider's last calls"
	local p; for p in T_LEGIT_${P}_101 T_LEGIT_${P}_102; do wait "${!p}" 2>/dev/null; done
	say "  the provider calls each phone once more, after the attacks"
	LAB_SIPP_PORT=5062 lab_provider_calls 101 1 1 >"$LAB_WORK/legit-${P}_a101.out"
	LAB_SIPP_PORT=5062 lab_provider_calls 102 1 1 >"$LAB_WORK/legit-${P}_a102.out"
	sleep 0.5

	{
		echo "ring1 $(($(lab_rings_unsolicited ph1) - r1))"
		echo "ring2 $(($(lab_rings_unsolicited ph2) - r2))"
		echo "devices $(d_devices "$D"/svmap-*.log)"
		echo "ext $(d_extensions "$D"/svwar-*.log "$D"/sv-ua.log "$D"/nmap-enum.log)"
		echo "pw $(d_passwords "$D"/svcrack.log "$D"/nmap-brute.log)"
		echo "pbx $(($(lab_pbx_requests '203\.0\.113\.[0-9]+') - pbx))"
		echo "calls $(d_calls "${P}_101" "${P}_102" "${P}_a101" "${P}_a102")"
	} >"$LAB_WORK/result-$P"
}
res() { awk -v k="$2" '$1 == k { $1 = ""; sub(/^ /, ""); print }' "$LAB_WORK/result-$1"; }

# ---------------------------------------------------------------- the lab
say "ghostguard demo: the same attacks on a small office, without and with ghostguard"
say "(one to two minutes; Ctrl-C stops it and removes everything it made)"
say "building the lab: network namespaces $LAB_PREFIX-*"
say "  (a router, a PBX, 2 phones, the provider, one host per attacker)"
D_STARTED=1
lab_up >/dev/null 2>&1 || die "lab_up (network namespaces)"
LAB_LOG=$LAB_WORK/demo-lab.log
for h in $D_HOSTS; do
	lab_attacker_add "${h%%:*}" "${h#*:}" >>"$LAB_LOG" 2>&1 || die "attacker host $h"
done
# The forger sends from the provider's address (a /32 of its own: replies go
# to the real provider, as on the internet).
ip -n "$(lab_ns spoof)" addr add "$LAB_PROV/32" dev eth0 || die "the forger's address"
printf '100\n200\n' >"$LAB_WORK/users.txt"   # not the phones: sip-brute de-registers
cp lab/data/nmap-passwords.txt "$LAB_WORK/pass.txt"
say "starting the PBX (Kamailio, extensions 100 101 102 200) at $LAB_PBX"
lab_kamailio_start >>"$LAB_LOG" 2>&1 || die "Kamailio did not start (see $LAB_LOG with DEMO_KEEP=1)"
say "starting the phones 101 ($LAB_PH1) and 102 ($LAB_PH2), registering them to the PBX"
{ lab_phones_start && lab_phones_register; } >>"$LAB_LOG" 2>&1 || die "phones"

say "PASS 1 of 2: WITHOUT ghostguard"
tour base

say "PASS 2 of 2: WITH ghostguard inline on the router"
t_conf "$LAB_WORK/gg.conf"
CAP=$OUT/demo-capture.pcap
say "  recording the router's traffic for the report (tcpdump)"
lab_capture_start "$CAP"
say "  starting: ghostguard run -c gg.conf on the router"
say "  (provider $LAB_PROV trusted, the site 192.0.2.0/24 protected)"
lab_gg_start r "$LAB_WORK/gg.conf" 2>>"$LAB_LOG" ||
	die "ghostguard did not start: $(tail -3 "$LAB_WORK/gg.log")"
tour gg
say "  asking ghostguard what it banned: ghostguard ctl bans"
lab_gg_ctl bans >"$LAB_WORK/bans.txt" 2>&1 ||
	say "  ghostguard ctl bans failed: $(head -1 "$LAB_WORK/bans.txt")"
say "  stopping ghostguard and the recording"
lab_gg_stop || say "  warning: ghostguard's queue rules were still there after it stopped"
lab_capture_stop >>"$LAB_LOG" 2>&1 || say "  warning: the capture could not be merged"

say "writing the report of pass 2: ghostguard analyze"
if "$GG" analyze --help 2>&1 | grep -q html; then
	REPORT=$OUT/demo-report.html
	"$GG" analyze -c "$LAB_WORK/gg.conf" --html "$REPORT" "$CAP" >"$LAB_WORK/analyze.out" 2>&1 ||
		say "  ghostguard analyze --html failed: $(tail -1 "$LAB_WORK/analyze.out")"
	REPORT_NOTE="open it in a browser"
else
	REPORT=$OUT/demo-report.txt
	"$GG" analyze -c "$LAB_WORK/gg.conf" "$CAP" >"$REPORT" 2>&1 ||
		say "  ghostguard analyze failed: $(tail -1 "$REPORT")"
	REPORT_NOTE="text: this ghostguard has no 'analyze --html' yet"
fi

# ---------------------------------------------------------------- the table
# `ctl bans` ends with "N bans in force".
NBANS=$(sed -n 's/^\([0-9][0-9]*\) bans\{0,1\} in force.*/\1/p' "$LAB_WORK/bans.txt")
NBANS=${NBANS:-?}
NPROB=$(grep -c '^[0-9a-f.:/]* .* probation ' "$LAB_WORK/bans.txt")
PROVBAN="The provider, whose address was forged, is not banned (trusted)."
prov_re=$(echo "$LAB_PROV" | sed 's/\./\\./g')
grep -qE "^[[:space:]]*$prov_re(/32)?[[:space:]]" "$LAB_WORK/bans.txt" &&
	PROVBAN="The provider, whose address was forged, IS BANNED: a bug."
calls() { set -- $(res "$1" calls); echo "$1 of $2"; }

row() { printf '%-44s %15s | %-15s\n' "$1" "$2" "$3"; shift 3; printf '    %s\n' "$@"; }
echo
printf '%-44s %15s | %-15s\n' "" "WITHOUT" "WITH"
printf '%-44s %15s | %-15s\n' "What the attacks achieved" "ghostguard" "ghostguard"
printf '%.0s-' $(seq 78); echo
row "Phone 101 rang for an attacker (times)" "$(res base ring1)" "$(res gg ring1)" \
	"Scanners call phones to find them; each ring is a call someone answers" \
	"to silence. The flood and the forged 'provider' calls ring it too."
row "Phone 102 rang for an attacker (times)" "$(res base ring2)" "$(res gg ring2)" \
	"Phone 102 rings for the sweep and for the call forged as the provider's."
row "SIP devices the attackers found" "$(res base devices)" "$(res gg devices)" \
	"Phones and PBXs that answered the sweeps (svmap): the next targets."
row "Extensions the attackers learned (of 4)" "$(res base ext)" "$(res gg ext)" \
	"Valid account names on the PBX (svwar, nmap): half of a login."
row "Passwords the attackers cracked" "$(res base pw)" "$(res gg pw)" \
	"A cracked password lets an attacker place calls at your expense."
row "Attackers' requests that reached the PBX" "$(res base pbx)" "$(res gg pbx)" \
	"Every one costs the PBX work; ghostguard drops them on the router."
row "Provider's calls that completed" "$(calls base)" "$(calls gg)" \
	"Real calls placed during and after the attacks: none may be lost."
row "Attackers banned now (ghostguard ctl bans)" "-" "$NBANS" \
	"The kernel drops banned addresses before ghostguard sees them;" \
	"$NPROB of these bans are 1-minute probations (see below)." "$PROVBAN"
printf '%.0s-' $(seq 78); echo
echo
echo "What ghostguard has banned now (ghostguard ctl bans):"
sed 's/^/    /' "$LAB_WORK/bans.txt"
echo "A ban lasts 10 minutes the first time and longer for a repeat offender"
echo "(ban-ladder). A probation lasts 1 minute: that attacker was cut off at its"
echo "first packet or two, and so few UDP packets could also come from someone"
echo "forging its address, who must not get an innocent host banned for long"
echo "(ban-probation)."
echo
echo "Report of the pass with ghostguard ($REPORT_NOTE):"
echo "    $REPORT"
echo "(ghostguard analyze judges the recording afresh; the recording also holds"
echo "packets the kernel dropped after a ban, so its counts can differ from the"
echo "daemon's.)"
echo "The traffic it was made from (pcap; ghostguard analyze reads it again):"
echo "    $CAP"
echo
say "done in $(($(date +%s) - T0)) s; removing the lab"
