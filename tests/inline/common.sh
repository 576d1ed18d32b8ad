# tests/inline/common.sh - shared by the inline integration tests (source it).
#
# Each test: tests/inline/NAME.sh [GHOSTGUARD] (default build/ghostguard).
# It builds the lab of lab/lib.sh in its own namespaces (gg-in-<pid>-*),
# runs every scenario first WITHOUT ghostguard (the baseline: the scanners
# must find the phones, ring them, enumerate the extensions; otherwise the
# lab is broken and nothing else means anything), then WITH `ghostguard
# run` in the packet path, and checks what reached the PBX and the phones.
# Output is TAP ("ok N - ...", "not ok N - ...", "# SKIP why", "1..N").
#
# When the binary has no `run` command (the daemon is not built), every
# assertion that needs it is printed as a SKIP with that reason: visible,
# never a silent pass.
set -u
T_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$T_ROOT" || exit 1
GG=${1:-${GG:-build/ghostguard}}
case $GG in /*) ;; *) GG=$T_ROOT/$GG ;; esac
export LAB_PREFIX=${LAB_PREFIX:-gg-in-$$}
export LAB_TOOL_TIMEOUT=${LAB_TOOL_TIMEOUT:-45}
. "$T_ROOT/lab/lib.sh"
LAB_GG=$GG
T_N=0
T_FAILED=0
T_NAME=$(basename "$0" .sh)
T_START=$(date +%s)

t_ok() { T_N=$((T_N + 1)); echo "ok $T_N - $*"; }
t_fail() { T_N=$((T_N + 1)); T_FAILED=$((T_FAILED + 1)); echo "not ok $T_N - $*"; }
t_skip() { local why=$1; shift; T_N=$((T_N + 1)); echo "ok $T_N - $* # SKIP $why"; }
# t_check "what" CMD...: ok when CMD succeeds.
t_check() { local what=$1; shift; if "$@"; then t_ok "$what"; else t_fail "$what"; fi; }
t_diag() { printf '# %s\n' "$@"; }

t_done() {
	echo "1..$T_N"
	t_diag "$T_NAME: $(($(date +%s) - T_START)) s"
}

# The lab needs root (namespaces) and its tools; without them the whole
# file is one visible SKIP.
t_require_lab() {
	local why="" tool
	[ "$(id -u)" = 0 ] || why="not root (network namespaces)"
	if [ -z "$why" ]; then
		for tool in ip kamailio sipp svmap svwar svcrack nmap sipsak iptables tcpdump python3; do
			command -v "$tool" >/dev/null 2>&1 || { why="$tool not installed (scripts/deps.sh lab)"; break; }
		done
	fi
	if [ -n "$why" ]; then
		t_skip "$why" "$T_NAME"
		t_done
		exit 0
	fi
}

# Daemon availability: GG_MODE=gg when `ghostguard run` exists.
T_NO_GG=""
if ! lab_gg_has_run "$GG"; then
	T_NO_GG="no 'ghostguard run' in $GG (daemon not built)"
fi

t_cleanup() {
	trap - EXIT INT TERM
	[ -n "${LAB_GG_PID:-}" ] && lab_stop "$LAB_GG_PID"
	if [ -n "${T_KEEP:-}" ]; then LAB_KEEP_WORK=1; t_diag "work dir kept: $LAB_WORK"; fi
	lab_down 2>/dev/null
	if ip netns list 2>/dev/null | grep -q -- "^$LAB_PREFIX-"; then
		echo "not ok - namespaces of $LAB_PREFIX left behind"
		exit 1
	fi
}
t_trap() {
	trap t_cleanup EXIT
	trap 'echo "# interrupted"; exit 130' INT TERM
}

# t_lab_up: the whole lab, the PBX, the phones, registered.
t_lab_up() {
	t_trap
	lab_up >/dev/null 2>&1 || { t_fail "lab: namespaces and links"; t_done; exit 1; }
	if lab_kamailio_start && lab_phones_start && lab_phones_register; then
		:
	else
		t_fail "lab: Kamailio, phones, registrations"; t_done; exit 1
	fi 2>"$LAB_WORK/lab-start.err"
}

# t_conf FILE [EXTRA LINES...]: the test config: the lab's provider trusted,
# the site protected, phone 2 (192.0.2.22) takes INVITEs only from trusted
# servers, no direct IP calls (phone 1 is protected by that rule alone).
t_conf() {
	local f=$1; shift
	{
		echo "ports 5060"
		echo "trusted $LAB_PROV"
		echo "trusted $LAB_PROV6"
		echo "protect 192.0.2.0/24"
		echo "protect 2001:db8:2::/64"
		echo "protect 192.0.2.22/32 trusted-only"
		echo "no-ip-calls yes"
		local l; for l in "$@"; do echo "$l"; done
	} >"$f"
}

# t_scan LOG HOST CMD...: a scanner run (lab_scanner), output in LOG.
t_scan() {
	local log=$1 h=$2; shift 2
	{ echo "\$ [$h] $*"; lab_scanner "$h" "$@" 2>&1; echo "[exit $?]"; } >"$log" 2>&1
	sed -i 's/\r$//; s/.*\r//' "$log"
}

# What the tools found, from their own output.
t_svmap_found() { grep -cE '^\| [][0-9a-f.:]+:[0-9]+ +\|' "$1" 2>/dev/null; }
t_svwar_found() { grep -cE '^\| [0-9]+ +\| ' "$1" 2>/dev/null; }
t_svcrack_found() { grep -c 'The password for' "$1" 2>/dev/null; }
t_nmap_methods() { grep -cE '^\|_?sip-methods: [A-Z]' "$1" 2>/dev/null; }
t_nmap_accounts() { grep -cE '^\|_? +[^ ]+: Auth required|Valid credentials' "$1" 2>/dev/null; }
t_nmap_creds() { grep -c 'Valid credentials' "$1" 2>/dev/null; }

# t_legit_bg NAME EXT COUNT: the provider's calls in the background (for
# running next to an attack); t_legit_wait NAME checks them.
t_legit_bg() { # NAME PORT EXT COUNT RATE
	local name=$1; LAB_SIPP_PORT=$2; shift 2
	( lab_provider_calls "$@" >"$LAB_WORK/legit-$name.out"; echo $? >>"$LAB_WORK/legit-$name.out" ) &
	eval "T_LEGIT_$name=\$!"
	LAB_PIDS="$LAB_PIDS $!"
	LAB_SIPP_PORT=5060
}
t_legit_wait() { # NAME WHAT
	local pid; eval "pid=\$T_LEGIT_$1"
	wait "$pid"
	local out; out=$(head -1 "$LAB_WORK/legit-$1.out")
	if [ "$(tail -1 "$LAB_WORK/legit-$1.out")" = 0 ] && t_no_retrans "$out"; then
		t_ok "$2: $out"
	else
		t_fail "$2: $out"
	fi
}
# Zero retransmissions: nothing the provider sent or was sent was lost.
t_no_retrans() {
	printf '%s\n' "$1" | grep -q ' retrans 0 ' && ! printf '%s\n' "$1" | grep -qE ' retrans [1-9]'
}
# t_call_each: one provider call to each phone.
t_call_each() { lab_provider_calls 101 1 1 && lab_provider_calls 102 1 1; }

# t_attack WHAT VALUE [LIMIT]: one measurement of an attack. Baseline pass
# (T_PASS=base): the attack must succeed without ghostguard (VALUE > LIMIT,
# default 0), or the lab is broken. ghostguard pass (T_PASS=gg): VALUE <=
# LIMIT. T_PASS=skip: a SKIP saying why.
t_attack() {
	local what=$1 v=${2:-0} lim=${3:-0}
	case $T_PASS in
	base)
		if [ "$v" -gt "$lim" ]; then t_ok "baseline, no ghostguard: $what: $v (> $lim: the lab works)"
		else t_fail "baseline, no ghostguard: $what: $v, expected > $lim: the lab is broken"; fi ;;
	gg)
		if [ "$v" -le "$lim" ]; then t_ok "ghostguard: $what: $v (<= $lim)"
		else t_fail "ghostguard: $what: $v, expected <= $lim"; fi ;;
	skip) t_skip "$T_NO_GG" "ghostguard: $what <= $lim" ;;
	esac
}
# t_legit WHAT CMD...: legitimate traffic that must pass in every pass.
t_legit() {
	local what=$1 out; shift
	if [ "$T_PASS" = skip ]; then t_skip "$T_NO_GG" "ghostguard: $what"; return; fi
	out=$("$@" 2>&1); local rc=$?
	out=$(printf '%s' "$out" | paste -sd';' -)
	if [ $rc = 0 ] && { [ -z "$out" ] || t_no_retrans "$out"; }; then
		t_ok "$T_PASS: $what${out:+: $out}"
	else
		t_fail "$T_PASS: $what${out:+: $out}"
	fi
}
# t_pbx_from ADDR: requests from ADDR that reached the PBX so far.
t_pbx_from() { lab_pbx_requests "$(printf '%s' "$1" | sed 's/\./\\./g')"; }
t_rings() { echo $(( $(lab_rings ph1) + $(lab_rings ph2) )); }
t_direct() { echo $(( $(lab_phone_requests ph1 "$@") + $(lab_phone_requests ph2 "$@") )); }

# T_FAKE_GG=1 (a self-check of the tests, never a result): instead of
# ghostguard, plain iptables DROP rules for the attackers' networks in the
# namespace ghostguard would run in. The "ghostguard" pass must then pass
# except for the daemon's own checks; it shows the measurements see a block.
if [ -n "${T_FAKE_GG:-}" ]; then T_NO_GG=""; fi
_t_fake() { # HOST -A|-D
	local c
	for c in INPUT FORWARD; do
		lab_exec "$1" iptables "$2" $c -s 203.0.113.0/24 -p udp --dport 5060 -j DROP
		lab_exec "$1" iptables "$2" $c -s 203.0.113.0/24 -p tcp --dport 5060 -j DROP
		lab_exec "$1" ip6tables "$2" $c -s 2001:db8:203::/64 -p udp --dport 5060 -j DROP
		lab_exec "$1" ip6tables "$2" $c -s 2001:db8:203::/64 -p tcp --dport 5060 -j DROP
	done
}

# t_gg_up HOST CONF: ghostguard in HOST's namespace; a test of its own.
t_gg_up() {
	if [ -n "${T_FAKE_GG:-}" ]; then
		LAB_GG_HOST=$1; _t_fake "$1" -A; t_skip "T_FAKE_GG=1: iptables DROP, not ghostguard" "ghostguard run in $1"
		return 0
	fi
	if lab_gg_start "$1" "$2"; then
		t_ok "ghostguard run in $1: queue rules in the kernel, listener bound"
		lab_gg_rules "$1" | sort -u | sed 's/^[[:space:]]*/#   /'
	else
		t_fail "ghostguard run in $1: queue rules in the kernel, listener bound"
		return 1
	fi
}
# t_gg_down: SIGTERM; its rules must be gone; no legitimate packet lost in
# the queue.
t_gg_down() {
	local h=$LAB_GG_HOST drops alive=0
	if [ -n "${T_FAKE_GG:-}" ]; then _t_fake "$h" -D; return 0; fi
	kill -0 "$LAB_GG_PID" 2>/dev/null && alive=1
	t_check "ghostguard still running at the end of the pass" [ $alive = 1 ]
	drops=$(lab_queue_drops "$h")
	t_check "no packet dropped by the queue itself (nfnetlink_queue: $drops)" [ "$drops" = 0 ]
	if lab_gg_stop; then t_ok "SIGTERM: ghostguard removed its queue rules"
	else t_fail "SIGTERM: ghostguard removed its queue rules"; lab_gg_rules "$h" | sed 's/^/#   /'; fi
	t_diag "ghostguard log (last 15 lines):"; tail -15 "$LAB_WORK/gg.log" | sed 's/^/#   /'
}

# t_attackers NAME:OCTET...: one attacker host each (lab_attacker_add).
t_attackers() {
	local h
	for h in "$@"; do
		lab_attacker_add "${h%%:*}" "${h#*:}" || { t_fail "lab: attacker host $h"; t_done; exit 1; }
	done
}
# t_passes FUNC [HOST CONF]: FUNC base, then FUNC gg with ghostguard in HOST
# (default: the router r) with CONF (default: t_conf), or FUNC skip.
t_passes() {
	local f=$1 h=${2:-r} conf=${3:-}
	if [ -z "$conf" ]; then conf=$LAB_WORK/gg.conf; t_conf "$conf"; fi
	"$f" base
	if [ -n "$T_NO_GG" ]; then
		t_skip "$T_NO_GG" "ghostguard run in $h"
		"$f" skip
	elif t_gg_up "$h" "$conf"; then
		"$f" gg
		t_gg_down
	else
		T_NO_GG="ghostguard did not start"
		"$f" skip
	fi
}
# t_bg_run LOG HOST CMD... / t_bg_wait: scanners in parallel (not in skip).
T_BG=""
t_bg_run() { [ "$T_PASS" = skip ] && return 0; t_scan "$@" & T_BG="$T_BG $!"; }
t_bg_wait() { local p; for p in $T_BG; do wait "$p"; done; T_BG=""; sleep 0.5; }
# t_legit_sipp WHAT FUNC ARGS...: legitimate SIPp traffic (lab_provider_*)
# in the background; t_legit_check checks all of them.
T_LEG=""
t_legit_sipp() {
	local what=$1; shift
	[ "$T_PASS" = skip ] && { T_LEG="$T_LEG|$what"; return 0; }
	local f; f="$LAB_WORK/leg.$T_PASS.$(echo "$what" | tr -c 'a-zA-Z0-9' _)"
	( "$@" >"$f.out" 2>&1; echo $? >"$f.rc" ) &
	T_LEG="$T_LEG|$what"
	eval "T_LEGPID_$(echo "$what" | tr -c 'a-zA-Z0-9' _)=\$!"
}
t_legit_check() {
	local what f pid IFS='|'
	for what in $T_LEG; do
		[ -n "$what" ] || continue
		if [ "$T_PASS" = skip ]; then t_skip "$T_NO_GG" "ghostguard: $what"; continue; fi
		f="$LAB_WORK/leg.$T_PASS.$(echo "$what" | tr -c 'a-zA-Z0-9' _)"
		eval "pid=\$T_LEGPID_$(echo "$what" | tr -c 'a-zA-Z0-9' _)"
		wait "$pid"
		local out; out=$(paste -sd';' "$f.out")
		if [ "$(cat "$f.rc")" = 0 ] && t_no_retrans "$out"; then t_ok "$T_PASS: $what: $out"
		else t_fail "$T_PASS: $what: $out"; fi
	done
	T_LEG=""
}
