#!/usr/bin/env bash
# tests/inline/behaviour.sh [GHOSTGUARD] - scanners caught by behaviour
# alone: ghostguard runs on the router with no signatures at all
# (`signatures /dev/null`, as tests/analyze/behaviour-only.conf), so what it
# drops it drops for what the source does. svwar with a changed User-Agent
# (lab/sv-ua.py), its real address in Via/Contact, paced, and svcrack the
# same way: each may reach the PBX at most 10 times (baseline: far more);
# svmap with a changed User-Agent and From name sweeping 192.0.2.8-24 must
# not reach the phones (its 14th and 15th hosts); meanwhile the provider's
# calls and keepalives all pass.
. "$(dirname "$0")/common.sh"
t_require_lab
t_lab_up
t_attackers bwar:151 bmap:152 bcrack:153

pass() {
	T_PASS=$1
	local D=$LAB_WORK/b-$1 p1 p2 d p3
	mkdir -p "$D"
	p1=$(t_pbx_from 203.0.113.151); p2=$(t_pbx_from 203.0.113.152); d=$(t_direct)
	p3=$(t_pbx_from 203.0.113.153)
	LAB_SIPP_PORT=5062 t_legit_sipp "provider's calls to 101 and 102" calls_both
	LAB_SIPP_PORT=5064 t_legit_sipp "provider's keepalives" lab_provider_keepalive 8 2
	t_bg_run "$D/war.log" bwar python3 lab/sv-ua.py 'Grandstream GXP2170 1.0.11.3' svwar -v \
		-x 203.0.113.151 -t 0.1 -e 95-135 $LAB_PBX
	t_bg_run "$D/map.log" bmap python3 lab/sv-ua.py 'Z 5.6.4 v2.10.19.9' svmap -v -x 203.0.113.152 \
		-t 0.2 --fromname Alice 192.0.2.8-24
	t_bg_run "$D/crack.log" bcrack python3 lab/sv-ua.py 'Yealink SIP-T46S 66.86.0.15' svcrack -v \
		-x 203.0.113.153 -u 100 -d lab/data/svcrack-passwords.txt $LAB_PBX
	t_bg_wait
	t_attack "svwar, UA 'Grandstream GXP2170', -x, 0.1 s pacing, 41 extensions: requests that reached the PBX" \
		$(( $(t_pbx_from 203.0.113.151) - p1 )) 10
	t_attack "svmap, UA 'Z 5.6.4', From 'Alice', -x, 0.2 s pacing, 192.0.2.8-24: requests that reached the phones (.21, .22: the 14th and 15th hosts)" \
		$(( $(t_direct) - d ))
	t_diag "svmap: requests that reached the PBX (.10, 3rd host): $(( $(t_pbx_from 203.0.113.152) - p2 ))"
	t_attack "svcrack, UA 'Yealink', -x, 22 passwords: requests that reached the PBX" \
		$(( $(t_pbx_from 203.0.113.153) - p3 )) 10
	t_attack "svcrack: passwords found" "$(t_svcrack_found "$D/crack.log")"
	t_legit_check
}
calls_both() { lab_provider_calls 101 2 0.5 && lab_provider_calls 102 2 0.5; }
t_conf "$LAB_WORK/gg.conf" "signatures /dev/null"
t_passes pass r "$LAB_WORK/gg.conf"
t_done
[ $T_FAILED = 0 ]
