#!/usr/bin/env bash
# tests/inline/v6_tcp.sh [GHOSTGUARD] - router mode, IPv6 and SIP over TCP.
# Baseline without ghostguard, then with it on the router: svmap -6 and
# svwar -6 against the PBX's IPv6 address; nmap -sT (sip-methods,
# sip-enum-users) and sipsak --transport tcp against the PBX over TCP; all
# must learn nothing and reach Kamailio at most twice. Meanwhile the
# provider's keepalives over IPv6, and its calls and keepalives over TCP,
# all succeed with no retransmission.
. "$(dirname "$0")/common.sh"
t_require_lab
t_lab_up
t_attackers v6map:131 v6war:132 tcpnmap:133 tcpsak:134

pass() {
	T_PASS=$1
	local D=$LAB_WORK/v-$1 p1 p2 p3 p4
	mkdir -p "$D"
	p1=$(t_pbx_from 2001:db8:203::131); p2=$(t_pbx_from 2001:db8:203::132)
	p3=$(t_pbx_from 203.0.113.133); p4=$(t_pbx_from 203.0.113.134)
	LAB_SIPP_PORT=5062 t_legit_sipp "IPv6: provider's keepalives to [$LAB_PBX6]" ka6
	LAB_SIPP_PORT=5064 t_legit_sipp "TCP: provider's calls to 101 and 102" calls_tcp
	LAB_SIPP_PORT=5066 t_legit_sipp "TCP: provider's keepalives" lab_provider_keepalive 6 1 -t t1
	t_bg_run "$D/v6map.log" v6map svmap -v -6 $LAB_PBX6 2001:db8:2::99
	t_bg_run "$D/v6war.log" v6war svwar -v -6 -e 95-125 $LAB_PBX6
	t_bg_run "$D/tcpnmap.log" tcpnmap nmap -n -Pn -sT -p 5060 --host-timeout 20s \
		--script sip-methods,sip-enum-users \
		--script-args sip-enum-users.minext=99,sip-enum-users.maxext=105 $LAB_PBX
	LAB_RESOLVE_SELF=1 t_bg_run "$D/tcpsak.log" tcpsak sipsak -vv --transport tcp -s sip:$LAB_PBX
	t_bg_wait
	t_attack "IPv6: svmap -6: devices found" "$(t_svmap_found "$D/v6map.log")"
	t_attack "IPv6: svmap -6: requests that reached Kamailio" $(( $(t_pbx_from 2001:db8:203::131) - p1 ))
	t_attack "IPv6: svwar -6 -e 95-125: extensions found" "$(t_svwar_found "$D/v6war.log")"
	t_attack "IPv6: svwar -6: requests that reached Kamailio" $(( $(t_pbx_from 2001:db8:203::132) - p2 )) 2
	t_attack "TCP: nmap -sT sip-methods: methods listed" "$(t_nmap_methods "$D/tcpnmap.log")"
	t_attack "TCP: nmap -sT sip-enum-users: accounts found" "$(t_nmap_accounts "$D/tcpnmap.log")"
	t_attack "TCP: nmap: requests that reached Kamailio" $(( $(t_pbx_from 203.0.113.133) - p3 )) 2
	t_attack "TCP: sipsak --transport tcp OPTIONS: answers" "$(grep -c '^SIP/2.0 ' "$D/tcpsak.log" 2>/dev/null)"
	t_attack "TCP: sipsak: requests that reached Kamailio" $(( $(t_pbx_from 203.0.113.134) - p4 ))
	t_legit_check
}
ka6() { LAB_SIPP_SRC=$LAB_PROV6 LAB_SIPP_DEST="[$LAB_PBX6]:5060" lab_provider_keepalive 6 1; }
calls_tcp() { lab_provider_calls 101 2 1 -t t1 && lab_provider_calls 102 2 1 -t t1; }
t_passes pass
t_done
[ $T_FAILED = 0 ]
