#!/usr/bin/env bash
# tests/inline/bans.sh [GHOSTGUARD] - kernel bans and the operator's side of
# `ghostguard run`, against the real kernel, in the lab of lab/lib.sh (the
# daemon on the router r, the PBX, the phones, the provider, attackers).
#
# Checked, each on its own TAP lines:
#  1. a ban drops the source's next packet in the kernel (the queue never
#     sees it: its packet count does not move; the set's drop rule counts
#     it; the PBX gets nothing) while an unbanned source passes;
#  2. expiry (ban-ladder 3s 60s 1h): the element leaves the kernel set, the
#     daemon's list, and the source passes again as soon as the kernel lets
#     it go (the daemon wakes when a ban ends, not at its next sweep);
#  3. a restart (SIGTERM, start) keeps the remaining time: the same expiry
#     in `ctl bans --json`, the kernel element's time left is the remaining
#     one, not a fresh rung; no duplicates;
#  4. kill -9 during ban churn (`ctl ban` in a loop, a spoofed scan from a
#     /24) loses no acknowledged ban: each is in `ctl bans` and the kernel
#     after the restart;
#  5. a spoofed flood with the trusted provider's address (sipvicious
#     fingerprints) bans nothing, counts refusals for trust, and the
#     provider's real calls complete meanwhile;
#  6. ctl refuses a non-root user (by the file's mode, and by the peer
#     check when the file is opened to all) and accepts a member of
#     control-group;
#  7. garbage on the control socket is survived;
#  8. a corrupt state file (garbage lines, a truncated last line) is
#     survived at start: warnings with file:line, the intact bans kept;
#  9. the metrics page parses with prometheus_client and shows the bans in
#     force per backend, the refusals for trust, packets by verdict;
# 10. `ban-backend ipset`: ban, kernel drop, unban round trip.
#
# Needs root; every namespace, process and file is removed on exit, also on
# failure or interruption (common.sh's trap). About a minute.
. "$(dirname "$0")/common.sh"
TOOL="python3 $T_ROOT/tests/inline/bans/tool.py"
PROM=$T_ROOT/tests/ops/prom_parse.py
# The parser's module may live in the system's Python only (Debian's
# python3-prometheus-client) when python3 on PATH is another one.
PROM_PY=python3
for py in python3 /usr/bin/python3; do
	if "$py" -c 'import prometheus_client' 2>/dev/null; then PROM_PY=$py; break; fi
done

t_require_lab
for tool in nft ipset setpriv; do
	command -v $tool >/dev/null 2>&1 ||
	    { t_skip "$tool not installed" "$T_NAME"; t_done; exit 0; }
done
if [ -n "$T_NO_GG" ]; then
	t_skip "$T_NO_GG" "$T_NAME: bans with the real daemon"
	t_done
	exit 0
fi
t_lab_up
T_PASS=gg
# Our own background jobs outside the lab's namespaces (ctl loops) end
# with the test too; then common.sh's cleanup.
BANS_PIDS=""
bans_cleanup() {
	local p
	for p in $BANS_PIDS; do kill "$p" 2>/dev/null; done
	for p in $BANS_PIDS; do wait "$p" 2>/dev/null; done
	t_cleanup
}
trap bans_cleanup EXIT
# nobody must reach the control socket's directory to be refused by the
# daemon and not by a path it cannot walk.
chmod 0711 "$LAB_WORK"
CTL_GROUP=games
CTL_GID=$(getent group $CTL_GROUP | cut -d: -f3)
CONF=$LAB_WORK/gg.conf
SOCK=$LAB_WORK/ctl/ctl.sock
STATE=$LAB_WORK/gg-state/state
METRICS=127.0.0.1:9473
t_conf "$CONF" "ban-ladder 3s 60s 1h" "ban-rate 100000" \
    "control-socket $SOCK" ${CTL_GID:+"control-group $CTL_GROUP"} \
    "metrics $METRICS" "state-file $STATE"

ctl() { "$GG" ctl -s "$SOCK" "$@"; }
# r_nft ARGS...: nft in the router's namespace.
r_nft() { lab_exec r nft "$@"; }
# elems [SET...]: "SET ADDR TIMEOUT EXPIRES" per element of our table.
BANSETS="ban4 ban6 ban4net ban6net"
elems() { r_nft -j list ruleset | $TOOL elems "$@"; }
# drop_count SET: the packets the drop rule of SET counted.
drop_count() {
	r_nft list chain inet ghostguard prerouting 2>/dev/null |
	    sed -n "s/.*saddr @$1 counter packets \([0-9]*\).*/\1/p" | head -1
}
# queue_packets: packets the daemon judged (ctl stats).
queue_packets() { ctl stats | awk '/^queue_[0-9]+_packets / { n += $2 } END { print n + 0 }'; }
# pbx_from ADDR: requests the PBX logged from ADDR.
pbx_from() { t_pbx_from "$1"; }
# send HOST SRC N [UA]: N OPTIONS from SRC (on HOST) to the PBX.
send() { lab_exec "$1" $TOOL send "$2" "$LAB_PBX" "$3" "${4:-bans-test}"; }
# bans_json: "ADDR EXPIRES COUNT TOOL" per ban in force.
bans_json() { ctl bans --json | $TOOL json; }
# wait_until SECONDS CMD...: CMD true within SECONDS (bounded polling).
wait_until() {
	local end=$(($(date +%s%N) / 1000000 + $1 * 1000)); shift
	while :; do
		"$@" && return 0
		[ $(($(date +%s%N) / 1000000)) -ge $end ] && return 1
		sleep 0.2
	done
}
has_elem() { elems | grep -q " $1 "; }
no_elem() { ! has_elem "$1"; }
# epoch "2026-12-05T17:00:00Z"
epoch() { date -d "$1" +%s; }
# gg_start: the daemon on the router, up when its control socket answers
# (after a kill -9 the old queue rules and socket file are still there).
gg_start() {
	if lab_gg_start r "$CONF" && wait_until 10 eval 'ctl status >/dev/null 2>&1'; then
		return 0
	fi
	t_diag "ghostguard did not start:"; tail -20 "$LAB_WORK/gg.log" | sed 's/^/#   /'
	return 1
}
gg_fatal() { t_fail "$1"; t_diag "log:"; tail -25 "$LAB_WORK/gg.log" | sed 's/^/#   /'; t_done; exit 1; }

# ---------------------------------------------------------------- start
t_check "ghostguard run on the router (nft backend, control group $CTL_GROUP)" gg_start ||
    gg_fatal "cannot go on without the daemon"
wait_until 5 test -S "$SOCK"

# ---------------------------------------------------------------- 6, 7
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$GG" ctl -s "$SOCK" status 2>&1); rc=$?
t_check "6: ctl as nobody is refused with a clear error (exit $rc: $out)" \
    eval '[ $rc != 0 ] && printf "%s" "$out" | grep -qi "permission denied"'
chmod 0666 "$SOCK"
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$GG" ctl -s "$SOCK" status 2>&1); rc=$?
t_check "6: with the socket file opened to all, the daemon's peer check refuses nobody (exit $rc: $out)" \
    eval '[ $rc = 1 ] && printf "%s" "$out" | grep -qi "permission denied"'
chmod 0660 "$SOCK"
if [ -n "$CTL_GID" ]; then
	out=$(setpriv --reuid=65534 --regid=65534 --groups="$CTL_GID" "$GG" ctl -s "$SOCK" status 2>&1); rc=$?
	t_check "6: nobody in control-group $CTL_GROUP is accepted" \
	    eval '[ $rc = 0 ] && printf "%s" "$out" | grep -q "^ghostguard .* pid"'
	[ $rc = 0 ] || t_diag "$out"
else
	t_skip "no group $CTL_GROUP on this machine" "6: a member of control-group is accepted"
fi
junk=$(timeout 60 $TOOL junk "$SOCK" 2>&1); rc=$?
t_diag "junk: $(printf '%s' "$junk" | paste -sd';' -)"
t_check "7: garbage on the control socket (7 connections), then ctl status answers" \
    eval '[ $rc = 0 ] && [ "$(printf "%s\n" "$junk" | grep -c .)" = 7 ] &&
	  kill -0 $LAB_GG_PID && ctl status >/dev/null'

# ---------------------------------------------------------------- 1
send att2 "$LAB_ATT2" 3
p0=$(pbx_from "$LAB_ATT2")
out=$(ctl ban "$LAB_ATT2" 10m 2>&1)
t_check "1: ctl ban $LAB_ATT2 10m: $out" has_elem "$LAB_ATT2"
q0=$(queue_packets); d0=$(drop_count ban4)
send att2 "$LAB_ATT2" 5
sleep 0.5
q1=$(queue_packets); d1=$(drop_count ban4); p1=$(pbx_from "$LAB_ATT2")
t_check "1: the banned source's packets never reach the queue (judged $q0 -> $q1)" [ "$q0" = "$q1" ]
t_check "1: the ban4 drop rule counted them ($d0 -> $d1)" [ "$((d1 - d0))" -ge 5 ]
t_check "1: the PBX received none of them ($p0 before, $p1 after; 3 before the ban)" \
    eval '[ "$p0" = "$p1" ] && [ "$p0" -ge 3 ]'
a0=$(pbx_from "$LAB_ATT1")
send att1 "$LAB_ATT1" 5
sleep 0.3
a1=$(pbx_from "$LAB_ATT1"); q2=$(queue_packets)
t_check "1: an unbanned source still passes (PBX: $a0 -> $a1, queue: $q1 -> $q2)" \
    eval '[ "$((a1 - a0))" = 5 ] && [ "$q2" -gt "$q1" ]'

# ---------------------------------------------------------------- 2
# sipvicious' User-Agent from a real source that gets our answers: an
# automatic ban, on the first rung (3 s).
send att1 "$LAB_ATT1" 6 friendly-scanner
if wait_until 3 has_elem "$LAB_ATT1"; then
	t_ok "2: sipvicious from $LAB_ATT1: banned automatically, first rung ($(elems ban4 | awk -v a="$LAB_ATT1" '$2 == a { print "kernel timeout " $3 " s" }'))"
else
	t_fail "2: sipvicious from $LAB_ATT1: banned automatically"
	t_diag "bans: $(ctl bans | paste -sd';' -)"
fi
t_check "2: the ban expires: the element leaves the kernel set within 8 s" \
    wait_until 8 no_elem "$LAB_ATT1"
# The daemon wakes when the ban's record ends (the kernel's element ends
# then or up to a second later: its timeout is rounded up) and its engine
# forgets what it knew of the source: what the kernel lets through is
# judged afresh at once, not dropped until a periodic sweep.
a0=$(pbx_from "$LAB_ATT1")
send att1 "$LAB_ATT1" 5
sleep 0.3
a1=$(pbx_from "$LAB_ATT1")
t_check "2: as soon as the kernel lets the source go, it passes again (PBX: $a0 -> $a1)" [ "$((a1 - a0))" = 5 ]
t_check "2: ... the daemon's list has no ban on it" \
    eval '! bans_json | grep -q "^$LAB_ATT1 "'
t_check "2: ... and its engine judged it afresh (ctl explain)" \
    eval 'ctl explain "$LAB_ATT1" | grep -qE "^(tracker: nothing seen|verdict: benign;)"'
# ev TYPE: the event log's lines of TYPE for att1, as JSON checked by python.
ev() {
	python3 -c 'import json, sys
n = 0
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e.get("type") == sys.argv[2] and e.get("addr") == sys.argv[3] and \
       (sys.argv[2] != "ban" or e.get("evidence", {}).get("packets", 0) > 0):
        n += 1
print(n)' "$LAB_WORK/gg-events.jsonl" "$1" "$LAB_ATT1" 2>&1
}
t_check "2: the event log has its ban (with the evidence) and its expiry: $(ev ban) and $(ev expiry) lines" \
    eval '[ "$(ev ban)" = 1 ] && [ "$(ev expiry)" = 1 ]'

# ---------------------------------------------------------------- 3
# Its second offence: the second rung, 60 s.
send att1 "$LAB_ATT1" 6 friendly-scanner
wait_until 3 has_elem "$LAB_ATT1"
line=$(bans_json | grep "^$LAB_ATT1 ")
e1=$(epoch "$(echo "$line" | cut -d' ' -f2)" 2>/dev/null || echo 0)
left1=$((e1 - $(date +%s)))
t_check "3: second offence: the second rung, about 60 s ($line; $left1 s left)" \
    eval '[ "$left1" -ge 50 ] && [ "$left1" -le 61 ]'
sleep 1
lab_gg_stop
t_check "3: SIGTERM: the kernel keeps the bans while the daemon is down" has_elem "$LAB_ATT1"
sleep 2
tb=$(date +%s)
gg_start || gg_fatal "3: ghostguard restarts"
ta=$(date +%s)
line=$(bans_json | grep "^$LAB_ATT1 ")
e2=$(epoch "$(echo "$line" | cut -d' ' -f2)" 2>/dev/null || echo 0)
t_check "3: after the restart the ban expires at the same time ($e1 -> $e2)" \
    eval '[ "$e1" -gt 0 ] && [ "$((e2 - e1))" -ge -1 ] && [ "$((e2 - e1))" -le 1 ]'
el=$(elems ban4 | grep " $LAB_ATT1 ")
kexp=$(echo "$el" | awk '{ print $4 }'); kto=$(echo "$el" | awk '{ print $3 }')
left=$((e1 - $(date +%s)))
# Put back during the start: its timeout is what was left then.
t_check "3: the kernel element has the remaining time, not a fresh rung (timeout $kto, $((e1 - ta))..$((e1 - tb)) s left at the start; expires in $kexp, $left s left now)" \
    eval '[ "$kexp" != - ] && [ $((kexp - left)) -ge -2 ] && [ $((kexp - left)) -le 2 ] &&
	  [ "$kto" -ge $((e1 - ta - 2)) ] && [ "$kto" -le $((e1 - tb + 1)) ]'
t_check "3: no duplicates: one element and one ban for $LAB_ATT1, one for $LAB_ATT2" \
    eval '[ "$(elems | grep -c " $LAB_ATT1 ")" = 1 ] && [ "$(bans_json | grep -c "^$LAB_ATT1 ")" = 1 ] &&
	  [ "$(elems | grep -c " $LAB_ATT2 ")" = 1 ] && [ "$(bans_json | grep -c "^$LAB_ATT2 ")" = 1 ]'

# ---------------------------------------------------------------- 5
m_get() { lab_exec r $TOOL get "http://$METRICS/metrics"; }
m_val() { awk -v k="$1" '$1 == k { print $2 }' | head -1; }
ref0=$(m_get | m_val ghostguard_bans_refused_trust_total)
dr0=$(ctl stats | awk '$1 == "packets_dropped" { print $2 }')
pr0=$(pbx_from "$LAB_PROV:5090")
t_legit_sipp "5: the provider's calls during a spoofed flood with its address" \
    lab_provider_calls 101 6 3
sent=$(lab_exec att1 timeout 30 $TOOL spoof "$LAB_PROV" "$LAB_PBX" 1500 500)
t_legit_check
sleep 0.5
ref1=$(m_get | m_val ghostguard_bans_refused_trust_total)
dr1=$(ctl stats | awk '$1 == "packets_dropped" { print $2 }')
t_check "5: the daemon judged and dropped the spoofed packets ($sent sent, $((dr1 - dr0)) dropped)" \
    eval '[ "${sent:-0}" -gt 0 ] && [ $((dr1 - dr0)) -ge "$sent" ]'
pr1=$(pbx_from "$LAB_PROV:5090")
t_check "5: $sent spoofed packets from $LAB_PROV: no element for it in the kernel" no_elem "$LAB_PROV"
t_check "5: ... no ban for it in the daemon" eval '! bans_json | grep -q "^$LAB_PROV "'
t_check "5: ... the spoofed requests were dropped (PBX got $((pr1 - pr0)) of them)" [ "$pr1" = "$pr0" ]
t_check "5: ... bans refused for trust counted ($ref0 -> $ref1)" \
    [ "${ref1:-0}" -gt "${ref0:-0}" ]
prov_re=$(echo "$LAB_PROV" | sed 's/\./\\./g')
got=$(grep -m1 "not banned $prov_re " "$LAB_WORK/gg.log")
t_check "5: ... the log names the entry that refused it: ${got#*: }" \
    grep -qE "not banned $prov_re \(.*\): it is the trusted server $prov_re \(line [0-9]+ of $CONF\)$" <<<"$got"

# ---------------------------------------------------------------- 9
page=$(m_get)
out=$(printf '%s\n' "$page" | "$PROM_PY" "$PROM" 2>&1); rc=$?
if [ $rc = 3 ]; then t_skip "$out" "9: the metrics page parses (prometheus_client)"
else t_check "9: the metrics page parses with prometheus_client ($out)" [ $rc = 0 ]; fi
nb=$(bans_json | wc -l)
act=$(printf '%s\n' "$page" | m_val 'ghostguard_bans_active{backend="nft"}')
t_check "9: ghostguard_bans_active{backend=\"nft\"} $act = the $nb bans of ctl bans" [ "$act" = "$nb" ]
t_check "9: ghostguard_bans_refused_trust_total $(printf '%s\n' "$page" | m_val ghostguard_bans_refused_trust_total) > 0" \
    [ "$(printf '%s\n' "$page" | m_val ghostguard_bans_refused_trust_total)" -gt 0 ]
pv=$(printf '%s\n' "$page" | grep '^ghostguard_packets_total{verdict=' | paste -sd' ' -)
t_check "9: packets by verdict: $pv" \
    eval 'printf "%s\n" "$page" | awk '"'"'/^ghostguard_packets_total\{verdict="accept"\}/ { a = $2 } /^ghostguard_packets_total\{verdict="drop"\}/ { d = $2 } END { exit !(a > 0 && d > 0) }'"'"

# ---------------------------------------------------------------- 4
# Ban churn: ctl ban in a loop (one address at a time, IPv4 and IPv6) and a
# spoofed sipvicious scan from a whole /24 (probations); kill -9 in the
# middle. Acknowledged = ctl answered ok.
ACK=$LAB_WORK/acked
: >"$ACK"
# churn FIRST: ctl ban of 2001:db8:203::FIRST:1 .. :2000 (and 203.0.113.x),
# until the daemon stops answering; prints "cut" when it did.
churn() {
	local i a
	for i in $(seq 1 2000); do
		a=2001:db8:203::$1:$i
		[ $((i % 4)) = 0 ] && a=203.0.113.$((100 + (i / 4 + $1 * 50) % 150))
		if ctl ban "$a" 10m >/dev/null 2>&1; then
			echo "$a" >>"$ACK"
		else
			echo cut; return
		fi
	done
}
churn 1 >"$LAB_WORK/churn1" & c1=$!
churn 2 >"$LAB_WORK/churn2" & c2=$!
lab_exec att1 timeout 20 $TOOL spoof 203.0.113.0/25 "$LAB_PBX" 3000 1500 >/dev/null &
scan=$!
BANS_PIDS="$c1 $c2 $scan"
# The kill when 300 bans are acknowledged (or after 10 s).
wait_until 10 eval '[ "$(wc -l <"$ACK")" -ge 300 ]'
kill -KILL "$LAB_GG_PID"; wait "$LAB_GG_PID" 2>/dev/null; LAB_GG_PID=""
wait "$c1" "$c2" "$scan"
BANS_PIDS=""
t_check "4: kill -9 came in the middle of the churn (both ctl loops cut)" \
    eval '[ "$(cat "$LAB_WORK/churn1" "$LAB_WORK/churn2" | grep -c cut)" = 2 ]'
nack=$(wc -l <"$ACK")
gg_start || gg_fatal "4: ghostguard restarts after kill -9"
# few LIST: its first 8 words, and how many more.
few() { echo "$@" | awk '{ for (i = 1; i <= NF && i <= 8; i++) printf "%s ", $i; if (NF > 8) printf "and %d more", NF - 8 }'; }
lost_ctl=$(few $(bans_json | awk '{ print $1 }' | sort -u | comm -23 <(sort -u "$ACK") -))
lost_k=$(few $(elems $BANSETS | awk '{ print $2 }' | sort -u | comm -23 <(sort -u "$ACK") -))
t_check "4: kill -9 during churn: all $nack acknowledged bans are in ctl bans after the restart${lost_ctl:+ (lost: $lost_ctl)}" \
    eval '[ "$nack" -gt 20 ] && [ -z "$lost_ctl" ]'
t_check "4: ... and in the kernel sets${lost_k:+ (missing: $lost_k)}" [ -z "$lost_k" ]
t_check "4: ... without duplicates (ctl bans and the sets)" \
    eval '[ -z "$(bans_json | awk "{ print \$1 }" | sort | uniq -d)" ] && [ -z "$(elems $BANSETS | awk "{ print \$2 }" | sort | uniq -d)" ]'

# ---------------------------------------------------------------- 8
lab_gg_stop
nlines=$(wc -l <"$STATE")
# The header, then records: line 4 garbage, a binary line after line 6, the
# last line cut in half. The records on the other lines must load.
# Bans in force for 20 s more at least (not history, not probations about
# to run out); expires is in ms.
now_ms=$(($(date +%s) * 1000 + 20000))
keep=$(awk -v now="$now_ms" 'NR > 1 && NR != 4 && NR != '"$nlines"' &&
    ($6 == "never" || $6 + 0 > now) { split($1, a, "/"); print a[1] }' "$STATE" | sort -u)
lost=$(awk 'NR == 4 || NR == '"$nlines"' { split($1, a, "/"); print a[1] }' "$STATE")
{
	sed -n '1,3p' "$STATE"
	echo "this is not a ban record"
	sed -n "5,6p" "$STATE"
	printf '\001\377garbage\000 with a NUL\n'
	sed -n "7,$((nlines - 1))p" "$STATE"
	sed -n "${nlines}p" "$STATE" | head -c 30
} >"$STATE.new"
mv "$STATE.new" "$STATE"
rm -f "$STATE.journal"
t_check "8: a corrupt state file ($nlines lines, 3 damaged): the daemon starts" gg_start
warn=$(grep -E "$STATE:[0-9]+:" "$LAB_WORK/gg.log" | head -5)
t_check "8: it warns with file:line for each damaged line (4, 7, $((nlines + 1)))" \
    eval 'for l in 4 7 $((nlines + 1)); do grep -q "$STATE:$l:" <<<"$warn" || exit 1; done'
printf '%s\n' "$warn" | sed 's/^/#   /'
t_diag "damaged records: $(echo $lost)"
missing=$(bans_json | awk '{ print $1 }' | sort -u | comm -23 <(printf '%s\n' "$keep") -)
t_check "8: it keeps the $(echo "$keep" | grep -c .) undamaged bans${missing:+ (missing: $(few $missing))}" \
    [ -z "$missing" ]
t_check "8: ... and ctl answers" eval 'ctl status >/dev/null'
# The kernel was left with the records the file lost: the start's resync
# makes the sets what the daemon knows, no more, no less.
diffk=$(few $( (bans_json | awk '{ print $1 }'; elems $BANSETS | awk '{ print $2 }') | sort | uniq -u))
t_check "8: the kernel sets resynced to exactly the daemon's bans${diffk:+ (differ: $diffk)}" [ -z "$diffk" ]

# ---------------------------------------------------------------- 10
lab_gg_stop
r_nft delete table inet ghostguard
sed -i -e '/^ban-backend /d' -e "s|^state-file .*|state-file $LAB_WORK/gg-state-ipset/state|" "$CONF"
echo "ban-backend ipset" >>"$CONF"
t_check "10: ghostguard run with ban-backend ipset" gg_start
ipset_has() { lab_exec r ipset list gg-ban4 2>/dev/null | grep -q "^$1 "; }
ipt_drops() {
	lab_exec r iptables-nft -t raw -L GHOSTGUARD-BAN -v -x -n 2>/dev/null |
	    awk '/match-set gg-ban4 / { print $1 }'
}
out=$(ctl ban "$LAB_ATT1" 10m 2>&1)
t_check "10: ipset: ctl ban $LAB_ATT1: in set gg-ban4" ipset_has "$LAB_ATT1"
act=$(m_get | m_val 'ghostguard_bans_active{backend="ipset"}')
t_check "10: ipset: ghostguard_bans_active{backend=\"ipset\"} ${act:-none} = 1" [ "$act" = 1 ]
a0=$(pbx_from "$LAB_ATT1"); d0=$(ipt_drops); q0=$(queue_packets)
send att1 "$LAB_ATT1" 5
sleep 0.5
a1=$(pbx_from "$LAB_ATT1"); d1=$(ipt_drops); q1=$(queue_packets)
t_check "10: ipset: dropped in the kernel (drop rule ${d0:-?} -> ${d1:-?}, queue $q0 -> $q1, PBX $a0 -> $a1)" \
    eval '[ $((${d1:-0} - ${d0:-0})) -ge 5 ] && [ "$q0" = "$q1" ] && [ "$a0" = "$a1" ]'
out=$(ctl unban "$LAB_ATT1" 2>&1)
t_check "10: ipset: ctl unban: the element is gone" eval '! ipset_has "$LAB_ATT1"'
send att1 "$LAB_ATT1" 5
sleep 0.3
a2=$(pbx_from "$LAB_ATT1")
t_check "10: ipset: after unban the source passes ($a1 -> $a2)" [ "$((a2 - a1))" = 5 ]

t_check "ghostguard still running at the end" kill -0 "$LAB_GG_PID"
t_check "SIGTERM: ghostguard removed its queue rules" lab_gg_stop
t_done
[ $T_FAILED = 0 ]
