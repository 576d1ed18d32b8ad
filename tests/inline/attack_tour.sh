#!/usr/bin/env bash
# tests/inline/attack_tour.sh [GHOSTGUARD] - router mode, IPv4, UDP: the
# real scanners against the lab site, twice in one run: first without
# ghostguard (the baseline: each tool must find the phones, ring them,
# enumerate extensions, crack a password; else the lab is broken), then with
# `ghostguard run` on the router (FORWARD). Meanwhile the provider places
# calls through the PBX and sends keepalives, and the phones re-register:
# all must succeed with zero retransmissions (no legitimate packet lost).
#
# What is measured is what reached the PBX (Kamailio logs every request it
# receives) and the phones (SIPp's message trace: an INVITE is a ring), and
# what the tools themselves report. Each attack comes from its own source
# address, so a ban earned by one tool cannot hide whether the next is
# caught.
. "$(dirname "$0")/common.sh"
t_require_lab
t_lab_up

# One attacker host per attack (its own address: a ban earned by one tool
# cannot hide whether the next is caught).
for h in svmapinv:101 svmapopt:102 svwarreg:103 svwarinv:104 svwaropt:105 svcrack:106 \
	nmapm:107 nmape:108 nmapb:109 ipcall:110 untrust:111 svua:112; do
	lab_attacker_add "${h%%:*}" "${h#*:}" || { t_fail "lab: attacker host $h"; t_done; exit 1; }
done
printf '100\n200\n' >"$LAB_WORK/users.txt"   # not the phones: sip-brute de-registers
cp lab/data/nmap-passwords.txt "$LAB_WORK/pass.txt"
NMAP="nmap -n -Pn -sU -p 5060 --host-timeout 20s"

tour() {
	T_PASS=$1
	local D=$LAB_WORK/$1 r d p
	mkdir -p "$D"
	if [ "$T_PASS" != skip ]; then
		t_legit_bg "${1}_101" 5062 101 5 0.25
		t_legit_bg "${1}_102" 5064 102 4 0.25
		( LAB_SIPP_PORT=5066 lab_provider_keepalive 12 0.5 >"$LAB_WORK/legit-${1}_ka.out"; echo $? >>"$LAB_WORK/legit-${1}_ka.out" ) &
		eval "T_LEGIT_${1}_ka=\$!"
	fi
	# Attacks run in two batches of parallel tools; each is measured by its
	# own source address (PBX log), its own phone, or its own output.
	local bg=""
	run() { [ "$T_PASS" = skip ] || { t_scan "$@" & bg="$bg $!"; }; }
	waitall() { local p; for p in $bg; do wait "$p"; done; bg=""; }
	local r0 p_reg p_inv p_opt p_ua m
	r0=$(t_rings); p_reg=$(t_pbx_from 203.0.113.103); p_inv=$(t_pbx_from 203.0.113.104)
	p_opt=$(t_pbx_from 203.0.113.105); p_ua=$(t_pbx_from 203.0.113.112)

	# Batch 1: svmap -m INVITE over the phones (a ring on each without
	# protection), svwar with three methods, svcrack, nmap's scripts, and a
	# svwar whose User-Agent was changed (lab/sv-ua.py), paced, with its
	# real address in Via/Contact: caught by behaviour if not by signature.
	run "$D/svmap-invite.log" svmapinv svmap -v -m INVITE 192.0.2.20-23
	run "$D/svwar-REGISTER.log" svwarreg svwar -v -m REGISTER -e 95-125 $LAB_PBX
	run "$D/svwar-INVITE.log" svwarinv svwar -v -m INVITE -e 95-125 $LAB_PBX
	run "$D/svwar-OPTIONS.log" svwaropt svwar -v -m OPTIONS -e 95-125 $LAB_PBX
	run "$D/svcrack.log" svcrack svcrack -v -u 100 -d lab/data/svcrack-passwords.txt $LAB_PBX
	run "$D/nmap-methods.log" nmapm $NMAP --script sip-methods $LAB_PBX $LAB_PH1
	run "$D/nmap-enum.log" nmape $NMAP --script sip-enum-users \
		--script-args sip-enum-users.minext=95,sip-enum-users.maxext=125 $LAB_PBX
	run "$D/nmap-brute.log" nmapb $NMAP --script sip-brute --script-args \
		userdb=$LAB_WORK/users.txt,passdb=$LAB_WORK/pass.txt,unpwdb.timelimit=20s $LAB_PBX
	run "$D/sv-ua.log" svua python3 lab/sv-ua.py 'Grandstream GXP2170 1.0.11.3' svwar -v \
		-x 203.0.113.112 -t 0.1 -e 95-125 $LAB_PBX
	waitall
	sleep 0.5
	t_attack "svmap -m INVITE 192.0.2.20-23: phone rings" $(( $(t_rings) - r0 ))
	t_attack "svmap -m INVITE: devices svmap found" "$(t_svmap_found "$D/svmap-invite.log")"
	t_attack "svwar -m REGISTER -e 95-125: extensions svwar found" "$(t_svwar_found "$D/svwar-REGISTER.log")"
	t_attack "svwar -m REGISTER: requests that reached the PBX" $(( $(t_pbx_from 203.0.113.103) - p_reg )) 2
	t_attack "svwar -m INVITE -e 95-125: extensions svwar found" "$(t_svwar_found "$D/svwar-INVITE.log")"
	t_attack "svwar -m INVITE: requests that reached the PBX" $(( $(t_pbx_from 203.0.113.104) - p_inv )) 2
	t_attack "svwar -m OPTIONS -e 95-125: extensions svwar found" "$(t_svwar_found "$D/svwar-OPTIONS.log")"
	t_attack "svwar -m OPTIONS: requests that reached the PBX" $(( $(t_pbx_from 203.0.113.105) - p_opt )) 2
	t_attack "svcrack -u 100: passwords svcrack found" "$(t_svcrack_found "$D/svcrack.log")"
	t_attack "nmap sip-methods (PBX, phone): hosts whose methods nmap listed" "$(t_nmap_methods "$D/nmap-methods.log")"
	t_attack "nmap sip-enum-users 95-125: accounts nmap found" "$(t_nmap_accounts "$D/nmap-enum.log")"
	t_attack "nmap sip-brute (100, 200): credentials nmap found" "$(t_nmap_creds "$D/nmap-brute.log")"
	t_attack "svwar with User-Agent 'Grandstream GXP2170', -x, paced: requests that reached the PBX" \
		$(( $(t_pbx_from 203.0.113.112) - p_ua )) 10

	# Batch 2: svmap (OPTIONS) over the site, and the policy cases, sent as
	# a softphone would (no scanner trait): a direct IP call to phone 1 and
	# an INVITE for a host name to phone 2 from an untrusted source.
	local d p r1 r2
	d=$(t_direct OPTIONS); p=$(t_pbx_from 203.0.113.102); r1=$(lab_rings ph1); r2=$(lab_rings ph2)
	run "$D/svmap-options.log" svmapopt svmap -v 192.0.2.8-24
	run "$D/ipcall.log" ipcall python3 lab/sipcall.py sip:100@$LAB_PH1 $LAB_PH1
	run "$D/untrusted.log" untrust python3 lab/sipcall.py sip:102@site.example.net $LAB_PH2
	waitall
	sleep 0.5
	t_attack "svmap 192.0.2.8-24 (OPTIONS): devices svmap found" "$(t_svmap_found "$D/svmap-options.log")"
	t_attack "svmap (OPTIONS): OPTIONS that reached the phones and PBX" \
		$(( $(t_direct OPTIONS) - d + $(t_pbx_from 203.0.113.102) - p ))
	t_attack "direct IP call INVITE sip:100@$LAB_PH1 (no-ip-calls): phone rings" $(( $(lab_rings ph1) - r1 ))
	t_attack "INVITE sip:102@site.example.net from an untrusted source (trusted-only): phone rings" \
		$(( $(lab_rings ph2) - r2 ))
	[ "$T_PASS" = gg ] && grep -E ' (203\.0\.113\.11[01])[: ]' "$LAB_WORK/gg.log" | sed 's/^/# policy: /'

	# The legitimate traffic of this pass.
	if [ "$T_PASS" = skip ]; then
		local w; for w in "provider calls to 101" "provider calls to 102" "provider keepalives" \
			"phones re-register" "a call to each phone after the attacks"; do
			t_skip "$T_NO_GG" "ghostguard: $w"; done
		return
	fi
	t_legit_wait "${1}_101" "$1: provider's calls to 101 during the attacks"
	t_legit_wait "${1}_102" "$1: provider's calls to 102 during the attacks"
	local pid; eval "pid=\$T_LEGIT_${1}_ka"; wait "$pid"
	local ka; ka=$(head -1 "$LAB_WORK/legit-${1}_ka.out")
	if [ "$(tail -1 "$LAB_WORK/legit-${1}_ka.out")" = 0 ] && t_no_retrans "$ka"; then
		t_ok "$1: provider's OPTIONS keepalives during the attacks: $ka"
	else t_fail "$1: provider's OPTIONS keepalives during the attacks: $ka"; fi
	t_legit "phones 101 and 102 re-register (digest)" lab_phones_register
	t_legit "a call to each phone after the attacks" t_call_each
}

tour base
t_conf "$LAB_WORK/gg.conf"
if [ -n "$T_NO_GG" ]; then
	t_skip "$T_NO_GG" "ghostguard run on the router"
	tour skip
elif t_gg_up r "$LAB_WORK/gg.conf"; then
	tour gg
	t_gg_down
else
	T_NO_GG="ghostguard did not start"
	tour skip
fi
t_done
[ $T_FAILED = 0 ]
