#!/usr/bin/env bash
# tests/cli/usage.sh BIN - the command line as a new admin meets it: each
# numeric option refuses negative, zero (where 0 is not allowed), junk and
# overflowing values with a message naming the option and the range, exit
# 2; two files to check-config is a usage error. Needs no root, no daemon.
set -u
bin=${1:-build/ghostguard}
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# A run that got past its options by mistake must not start a daemon on
# this host: its configuration does not exist.
nocfg=/nonexistent/ghostguard-cli-test.conf
# refused OPTION VALUE RANGE ARGS...: exit 2, the option and range named.
refused() {
	local opt=$1 val=$2 range=$3 rc
	shift 3
	"$bin" "$@" "$opt" "$val" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ $rc = 2 ] && grep -q -e "$opt: '$val' is not a number from $range" \
	    "$tmp/err" && [ ! -s "$tmp/out" ]
	local r=$?
	[ $r = 0 ] || { echo "# exit $rc:"; sed 's/^/# /' "$tmp/err"; }
	t $r "$* $opt '$val' is refused, naming $range (exit 2)"
}
for v in -1 0 x 1x '' 99999999999999999999999 10000001; do
	refused --max-sources "$v" "1 to 10000000" analyze
done
for v in -1 0 3 x 1.5 '' 99999999999999999999999; do
	refused --threads "$v" "1 to 2" analyze
done
for v in -1 x 65536 '' 99999999999999999999999; do
	refused --queue "$v" "0 to 65535" run -c "$nocfg"
done
for v in -1 0 65 x '' 99999999999999999999999; do
	refused --queue-balance "$v" "1 to 64" run -c "$nocfg"
done
"$bin" run -c "$nocfg" --queue 65535 --queue-balance 2 >/dev/null 2>"$tmp/err"
[ $? = 2 ] && grep -q 'past queue 65535' "$tmp/err"
t $? "run --queue 65535 --queue-balance 2 is refused (exit 2)"
"$bin" run -c "$nocfg" stray >/dev/null 2>"$tmp/err"
[ $? = 2 ] && grep -q "unexpected argument 'stray'" "$tmp/err"
t $? "run with a stray argument names it (exit 2)"
"$bin" analyze >/dev/null 2>"$tmp/err"
[ $? = 2 ] && grep -q "no capture given" "$tmp/err"
t $? "analyze without a capture says so (exit 2)"

# The help texts: each on stdout, exit 0, within 80 columns, naming every
# option of its command; each option named is in ghostguard(8).
if command -v man >/dev/null; then
	MANWIDTH=200 man -l man/ghostguard.8 2>/dev/null >"$tmp/man"
else
	sed 's/\\-/-/g' man/ghostguard.8 >"$tmp/man"
fi
helps=(
	"--help|run analyze ctl check-config version --queue-balance --max-sources"
	"run --help|--config --foreground --dry-run --queue --queue-balance --verbose --help"
	"analyze --help|--config --json --html --verbose --max-sources --threads --help"
	"check-config --help|--config --verbose --help"
	"ctl --help|--socket --help status bans --json explain ban unban trust untrust reload stats"
)
for h in "${helps[@]}"; do
	cmd=${h%%|*}
	# shellcheck disable=SC2086
	"$bin" $cmd >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ $rc = 0 ] && [ -s "$tmp/out" ] && [ ! -s "$tmp/err" ] &&
	    ! awk 'length > 80 { bad = 1 } END { exit !bad }' "$tmp/out"
	t $? "ghostguard $cmd: stdout, exit 0, 80 columns"
	missing=
	for w in ${h#*|}; do
		grep -q -e "$w\b" "$tmp/out" || missing="$missing $w"
	done
	[ -z "$missing" ]
	t $? "ghostguard $cmd names every option and verb${missing:+ (missing:$missing)}"
	missing=
	for w in $(grep -o -e '--[a-z][a-z-]*' "$tmp/out" | sort -u); do
		grep -q -e "$w" "$tmp/man" || missing="$missing $w"
	done
	[ -z "$missing" ]
	t $? "ghostguard $cmd: its options are in ghostguard(8)${missing:+ (missing:$missing)}"
done

# Every field of analyze --json is documented in ghostguard(8), JSON OUTPUT.
sed -n '/^JSON OUTPUT/,/^SIGNALS/p' "$tmp/man" >"$tmp/json.man"
"$bin" analyze --json -c etc/ghostguard.conf tests/captures/mixed.pcap \
    >"$tmp/report.json" 2>/dev/null
missing=$(python3 - "$tmp/report.json" "$tmp/json.man" <<'PY'
import json, re, sys
keys = set()
def walk(o):
    if isinstance(o, dict):
        for k, v in o.items():
            keys.add(k)
            walk(v)
    elif isinstance(o, list):
        for v in o:
            walk(v)
walk(json.load(open(sys.argv[1])))
man = open(sys.argv[2]).read()
print(" ".join(sorted(k for k in keys if not re.search(r"\b%s\b" % k, man))))
PY
)
rc=$?
[ $rc = 0 ] && [ -s "$tmp/json.man" ] && [ -z "$missing" ]
t $? "analyze --json: each field is in ghostguard(8) JSON OUTPUT${missing:+ (missing: $missing)}"
tap_end
