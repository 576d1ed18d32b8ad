#!/usr/bin/env bash
# tests/inline/demo.sh [GHOSTGUARD] - `make demo` (lab/demo.sh), run
# non-interactively, twice: first interrupted with SIGINT in the middle of
# its first pass (its namespaces, processes and work directory must all be
# gone afterwards), then right after in full. Its table must show the lab
# working without ghostguard (the phones rang for the scanners, the
# attackers learned extensions) and, with ghostguard, no ring for a
# scanner, no extension or password learned, every provider call
# completed, bans in force (not the provider's forged address), and a
# report file; and again nothing of it left behind.
. "$(dirname "$0")/common.sh"
t_require_lab
if [ -n "$T_NO_GG" ]; then
	t_skip "$T_NO_GG" "make demo"
	t_done
	exit 0
fi
T_OUT=$(mktemp -d /tmp/gg-demotest-$$.XXXXXX)
DEMO_PID=""
demo_cleanup() {
	[ -n "$DEMO_PID" ] && kill -TERM "$DEMO_PID" 2>/dev/null && wait "$DEMO_PID"
	rm -rf "$T_OUT"
}
trap demo_cleanup EXIT
trap 'echo "# interrupted"; exit 130' INT TERM

# leftovers PREFIX: what a demo run left: namespaces, processes, work dirs.
leftovers() {
	ip netns list 2>/dev/null | awk -v p="$1-" 'index($1, p) == 1 { print "namespace " $1 }'
	ps -eo pid=,args= | awk -v p="$1" -v me=$$ \
		'index($0, p) && $1 != me && !/awk/ { print "process " $0 }'
	ls -d /tmp/"$1".* 2>/dev/null | sed 's/^/work dir /'
}

# 1. SIGINT during the first pass. Asynchronous commands of a script start
# with SIGINT ignored (and bash cannot trap an ignored signal), so the demo
# is started through a wrapper that restores the default first, as a shell
# on a terminal would.
P1=gg-demotest-$$-a
LAB_PREFIX=$P1 DEMO_OUT=$T_OUT/a python3 -c 'import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
os.execvp(sys.argv[1], sys.argv[1:])' lab/demo.sh "$GG" >"$T_OUT/a.log" 2>&1 &
DEMO_PID=$!
for n in $(seq 120); do
	grep -q 'attacks, 1st wave' "$T_OUT/a.log" 2>/dev/null && break
	kill -0 "$DEMO_PID" 2>/dev/null || break
	sleep 0.5
done
sleep 3
kill -INT "$DEMO_PID"
# It finishes the command it is in (at most a few seconds), then cleans up.
for n in $(seq 120); do kill -0 "$DEMO_PID" 2>/dev/null || break; sleep 0.5; done
if kill -0 "$DEMO_PID" 2>/dev/null; then
	t_fail "SIGINT in pass 1: the demo exits within 60 s"
	kill -KILL "$DEMO_PID"
fi
wait "$DEMO_PID"; rc=$?
DEMO_PID=""
grep -q 'interrupted: cleaning up' "$T_OUT/a.log" && [ $rc = 130 ]
t_check "SIGINT in pass 1: the demo says so and exits 130 (exit $rc)" [ $? = 0 ]
left=$(leftovers "$P1")
t_check "SIGINT in pass 1: nothing of $P1 left${left:+: $(echo $left)}" \
	[ -z "$left" ]
[ -n "$left" ] && sed 's/^/#   /' "$T_OUT/a.log" | tail -20

# 2. Right after, the whole demo.
P2=gg-demotest-$$-b
start=$(date +%s)
LAB_PREFIX=$P2 DEMO_OUT=$T_OUT/b lab/demo.sh "$GG" >"$T_OUT/b.log" 2>&1
rc=$?
secs=$(($(date +%s) - start))
t_check "the demo runs again right after and exits 0 (exit $rc, $secs s)" [ $rc = 0 ]
t_diag "demo output (table):"
sed -n '/What the attacks achieved/,$p' "$T_OUT/b.log" | sed 's/^/#   /'
[ $rc = 0 ] || tail -30 "$T_OUT/b.log" | sed 's/^/#   /'

# cell ROW-PREFIX COLUMN(1: without, 2: with): a value of the table, whose
# rows are printf '%-44s %15s | %-15s' (lab/demo.sh, row).
cell() {
	awk -v r="$1" -v c="$2" 'index($0, r) == 1 {
		v = c == 1 ? substr($0, 46, 15) : substr($0, 64)
		gsub(/^ +| +$/, "", v); print v; exit }' "$T_OUT/b.log"
}
num() { case $1 in ''|*[!0-9]*) echo -1 ;; *) echo "$1" ;; esac; }
# all CMD [&& CMD...] as one string: t_check takes one command.
all() { eval "$1"; }

for ph in 101 102; do
	b=$(num "$(cell "Phone $ph rang" 1)"); g=$(num "$(cell "Phone $ph rang" 2)")
	w="without ghostguard, phone $ph rang for the attackers: $b"
	t_check "$w (> 0: the lab works)" [ "$b" -gt 0 ]
	t_check "with ghostguard, phone $ph rang for the attackers: $g (0)" [ "$g" = 0 ]
done
b=$(num "$(cell "Extensions the attackers" 1)"); g=$(num "$(cell "Extensions the attackers" 2)")
t_check "extensions learned: $b without ghostguard (> 0), $g with (0)" \
	all '[ "$b" -gt 0 ] && [ "$g" = 0 ]'
b=$(num "$(cell "Passwords the attackers" 1)"); g=$(num "$(cell "Passwords the attackers" 2)")
t_check "passwords cracked: $b without ghostguard (> 0), $g with (0)" \
	all '[ "$b" -gt 0 ] && [ "$g" = 0 ]'
calls=$(cell "Provider's calls that completed" 2)
set -- $calls
c_ok=$(num "${1:-}"); c_all=$(num "${3:-}")
t_check "with ghostguard, the provider's calls all completed: $calls" \
	all '[ "$c_ok" = "$c_all" ] && [ "$c_all" -gt 0 ]'
bans=$(num "$(cell "Attackers banned now" 2)")
t_check "with ghostguard, attackers banned at the end: $bans (> 0)" [ "$bans" -gt 0 ]
probs=$(grep -cE '^    [0-9a-f.:/]+ .* probation ' "$T_OUT/b.log")
t_check "the table counts the $probs probations that ctl bans lists" \
	grep -q "^    $probs of these bans are 1-minute probations" "$T_OUT/b.log"
t_check "the provider's forged address is not banned" \
	all '! grep -qE "^    198\.51\.100\.10 " "$T_OUT/b.log"'
report=$(grep -A1 '^Report of the pass with ghostguard' "$T_OUT/b.log" | tail -1 | tr -d ' ')
t_check "report file ${report:-(none named)} exists and is not empty" \
	all '[ -n "$report" ] && [ -s "$report" ]'
case $report in
*.html) t_ok "the report is HTML" ;;
*) t_skip "ghostguard analyze has no --html: the demo wrote the text report" \
	"the report is HTML" ;;
esac
left=$(leftovers "$P2")
t_check "after the demo: nothing of $P2 left${left:+: $(echo $left)}" \
	[ -z "$left" ]
t_done
[ $T_FAILED = 0 ]
