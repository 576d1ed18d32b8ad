#!/usr/bin/env bash
# tests/inline/host_mode.sh [GHOSTGUARD] - host mode: ghostguard runs on the
# PBX itself (Kamailio's namespace; INPUT and OUTPUT are queued, not
# FORWARD). Baseline without it, then with it: svwar (REGISTER), svmap and
# nmap's sip-enum-users over TCP against the PBX, svwar -6 over IPv6, find
# nothing and reach Kamailio no more than twice each; meanwhile the phones
# register to the PBX (site -> INPUT), and the provider's calls reach the
# phones through it (INPUT, then OUTPUT to the phones, which take INVITEs
# only from trusted servers) with no retransmission.
. "$(dirname "$0")/common.sh"
t_require_lab
t_lab_up
t_attackers hsvwar:121 hsvmap:122 htcp:123 hsv6:124

pass() {
	T_PASS=$1
	local D=$LAB_WORK/h-$1 p1 p2 p3 p4
	mkdir -p "$D"
	p1=$(t_pbx_from 203.0.113.121); p2=$(t_pbx_from 203.0.113.122)
	p3=$(t_pbx_from 203.0.113.123); p4=$(t_pbx_from 2001:db8:203::124)
	LAB_SIPP_PORT=5062 t_legit_sipp "host mode: provider's calls to 101 and 102 during the attacks" \
		calls_both
	LAB_SIPP_PORT=5064 t_legit_sipp "host mode: provider's keepalives during the attacks" \
		lab_provider_keepalive 8 1
	t_bg_run "$D/svwar.log" hsvwar svwar -v -e 95-125 $LAB_PBX
	t_bg_run "$D/svmap.log" hsvmap svmap -v $LAB_PBX
	t_bg_run "$D/tcp.log" htcp nmap -n -Pn -sT -p 5060 --host-timeout 20s --script sip-enum-users \
		--script-args sip-enum-users.minext=99,sip-enum-users.maxext=105 $LAB_PBX
	t_bg_run "$D/sv6.log" hsv6 svwar -v -6 -e 99-110 $LAB_PBX6
	t_bg_wait
	t_attack "host mode: svwar -e 95-125: extensions found" "$(t_svwar_found "$D/svwar.log")"
	t_attack "host mode: svwar: requests that reached Kamailio" $(( $(t_pbx_from 203.0.113.121) - p1 )) 2
	t_attack "host mode: svmap: devices found" "$(t_svmap_found "$D/svmap.log")"
	t_attack "host mode: svmap: requests that reached Kamailio" $(( $(t_pbx_from 203.0.113.122) - p2 ))
	t_attack "host mode: nmap -sT sip-enum-users over TCP: accounts found" "$(t_nmap_accounts "$D/tcp.log")"
	t_attack "host mode: nmap over TCP: requests that reached Kamailio" $(( $(t_pbx_from 203.0.113.123) - p3 )) 2
	t_attack "host mode: svwar -6 -e 99-110 (IPv6): extensions found" "$(t_svwar_found "$D/sv6.log")"
	t_attack "host mode: svwar -6: requests that reached Kamailio" $(( $(t_pbx_from 2001:db8:203::124) - p4 )) 2
	t_legit_check
	t_legit "host mode: phones 101 and 102 register to the PBX (digest)" lab_phones_register
}
calls_both() { lab_provider_calls 101 3 0.5 && lab_provider_calls 102 3 0.5; }
t_passes pass pbx
t_done
[ $T_FAILED = 0 ]
