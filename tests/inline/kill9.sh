#!/usr/bin/env bash
# tests/inline/kill9.sh [GHOSTGUARD] - fail-open: ghostguard on the router
# is killed with SIGKILL in the middle of the provider's calls (6 s each,
# INVITE/180/200/ACK ... BYE/200) while a scanner floods the PBX. The calls
# in progress must complete (their BYE crosses the router after the kill:
# the queue rule's bypass lets it through), with no retransmission, and so
# must the calls and keepalives placed after the kill. Baseline: the same
# without ghostguard (the lab works). A SIGTERMed restart on the same
# namespace then leaves no queue rule behind.
. "$(dirname "$0")/common.sh"
t_require_lab
t_lab_up
t_attackers flood:141

pass() {
	T_PASS=$1
	if [ "$T_PASS" = skip ]; then
		t_skip "$T_NO_GG" "kill -9 of ghostguard mid-call: the calls in progress complete"
		t_skip "$T_NO_GG" "after kill -9: new calls and keepalives pass (bypass)"
		return
	fi
	local out rc
	# Two concurrent long calls (one to each phone), then the kill ~2.5 s
	# in, while sipp floods OPTIONS from an attacker (bounded: 1500 at
	# 500/s).
	( LAB_SIPP_CALL=provider-longcall.xml LAB_SIPP_PORT=5062 lab_provider_calls 101 1 1 >"$LAB_WORK/k9-$1-101.out"
	  echo $? >>"$LAB_WORK/k9-$1-101.out" ) &
	local c1=$!
	( LAB_SIPP_CALL=provider-longcall.xml LAB_SIPP_PORT=5064 lab_provider_calls 102 1 1 >"$LAB_WORK/k9-$1-102.out"
	  echo $? >>"$LAB_WORK/k9-$1-102.out" ) &
	local c2=$!
	lab_scanner flood sipp -sn uac $LAB_PBX:5060 -s 100 -i 203.0.113.141 -p 5060 -r 500 -m 1500 \
		-l 1500 -nostdin -nr -timeout 10s -recv_timeout 2000 >"$LAB_WORK/k9-$1-flood.log" 2>&1 &
	local fl=$!
	sleep 2.5
	local state=none
	if [ "$T_PASS" = gg ]; then
		kill -KILL "$LAB_GG_PID" && state=killed
		wait "$LAB_GG_PID" 2>/dev/null; LAB_GG_PID=""
		t_diag "ghostguard killed with SIGKILL 2.5 s into the calls; queue rules left: $(lab_gg_rules r | sort -u | grep -c .)"
	fi
	wait $c1 $c2 $fl
	out="$(head -1 "$LAB_WORK/k9-$1-101.out"); $(head -1 "$LAB_WORK/k9-$1-102.out")"
	if [ "$(tail -1 "$LAB_WORK/k9-$1-101.out")$(tail -1 "$LAB_WORK/k9-$1-102.out")" = 00 ] &&
		t_no_retrans "$out"; then
		t_ok "$1: 6 s calls in progress during a flood$([ $state = killed ] && echo ' and a kill -9 of ghostguard') complete: $out"
	else
		t_fail "$1: 6 s calls in progress during a flood$([ $state = killed ] && echo ' and a kill -9 of ghostguard') complete: $out"
	fi
	t_legit "afterwards a call to each phone and 3 keepalives${state:+ ($state)}" after
}
after() { t_call_each && lab_provider_keepalive 3 5; }

pass base
t_conf "$LAB_WORK/gg.conf"
if [ -n "$T_NO_GG" ]; then
	t_skip "$T_NO_GG" "ghostguard run on the router"
	pass skip
elif t_gg_up r "$LAB_WORK/gg.conf"; then
	pass gg
	# A fresh start on the rules the killed one left, then SIGTERM.
	if t_gg_up r "$LAB_WORK/gg.conf"; then
		if lab_gg_stop; then t_ok "restart after kill -9, then SIGTERM: no queue rule left"
		else t_fail "restart after kill -9, then SIGTERM: no queue rule left"; lab_gg_rules r | sed 's/^/#   /'; fi
	fi
else
	T_NO_GG="ghostguard did not start"
	pass skip
fi
t_done
[ $T_FAILED = 0 ]
