#!/usr/bin/env bash
# tests/conf/run.sh BIN - config golden tests: `check-config -v` of each
# good-*.conf must equal its .ok file and parse again to the same output;
# each bad-*.conf must fail with exactly the errors in its .err file; the
# shipped example config and the deployment examples of etc/examples/ must
# pass, their canonical forms too.
set -u
bin=${1:-build/ghostguard}
cd "$(dirname "$0")/../.." || exit 1
n=0
t() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The shipped configurations run the daemon as user ghostguard, which
# check-config, like the daemon, refuses where it does not exist (here, a
# build host): there they are checked with "user off" instead, and the
# refusal itself is a test.
shipped() {
	if getent passwd ghostguard >/dev/null; then
		echo "$1"
	else
		sed 's/^user ghostguard$/user off/' "$1" >"$tmp/shipped.conf"
		echo "$tmp/shipped.conf"
	fi
}
for f in tests/conf/good-*.conf; do
	"$bin" check-config -v -c "$f" >"$tmp/out" 2>"$tmp/err"
	t $? "$f passes check-config"
	diff -u "${f%.conf}.ok" "$tmp/out" >"$tmp/diff"
	rc=$?; [ $rc = 0 ] || cat "$tmp/diff"
	t $rc "$f canonical form equals ${f%.conf}.ok"
	"$bin" check-config -v -c "$tmp/out" >"$tmp/again" 2>&1
	cmp -s "$tmp/out" "$tmp/again"
	t $? "$f canonical form parses again to itself"
done
for f in tests/conf/bad-*.conf; do
	"$bin" check-config -c "$f" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ $rc = 1 ]; t $? "$f is refused (exit 1, got $rc)"
	diff -u "${f%.conf}.err" "$tmp/err" >"$tmp/diff"
	rc=$?; [ $rc = 0 ] || cat "$tmp/diff"
	t $rc "$f errors name file:line as in ${f%.conf}.err"
done
for f in etc/*.conf; do
	"$bin" check-config -c "$(shipped "$f")" >/dev/null 2>"$tmp/err"
	rc=$?; [ $rc = 0 ] || cat "$tmp/err"
	t $rc "shipped $f passes check-config"
done
# The example shows every setting commented out with its real default (the
# canonical form of a file of comments only), and no commented setting with
# another value (the lists, which have no default, aside).
"$bin" check-config -v -c tests/conf/good-empty.conf >"$tmp/defaults"
missing=$(while read -r l; do grep -qxF "#$l" etc/ghostguard.conf ||
    printf ' [%s]' "$l"; done <"$tmp/defaults")
[ -s "$tmp/defaults" ] && [ -z "$missing" ]
t $? "etc/ghostguard.conf shows every default, commented${missing:+:$missing}"
wrong=$(sed -n 's/^#\([a-z][a-z-]* .*\)/\1/p' etc/ghostguard.conf |
    awk 'NR == FNR { k = $1 ($1 == "threshold" ? " " $2 : ""); d[k] = $0; next }
	{ k = $1 ($1 == "threshold" ? " " $2 : "") }
	k in d && d[k] != $0 { printf " [%s]", $0 }' "$tmp/defaults" -)
[ -z "$wrong" ]
t $? "etc/ghostguard.conf comments no setting with a value not its default${wrong:+:$wrong}"
# The deployments of the README: each example is accepted, and its canonical
# form parses again to itself.
for f in pbx-host router provider-edge; do
	f=etc/examples/$f.conf
	if [ ! -f "$f" ]; then
		t 1 "$f exists"
		continue
	fi
	"$bin" check-config -c "$(shipped "$f")" >/dev/null 2>"$tmp/err"
	rc=$?; [ $rc = 0 ] || cat "$tmp/err"
	t $rc "example $f passes check-config"
	"$bin" check-config -v -c "$(shipped "$f")" >"$tmp/out" 2>"$tmp/err"
	"$bin" check-config -v -c "$tmp/out" >"$tmp/again" 2>&1
	rc=$?; [ $rc = 0 ] || cat "$tmp/again"
	cmp -s "$tmp/out" "$tmp/again" && [ $rc = 0 ] && [ -s "$tmp/out" ]
	t $? "example $f canonical form parses again to itself"
done
"$bin" check-config -c /nonexistent/x.conf >/dev/null 2>"$tmp/err"
[ $? = 1 ] && grep -q '/nonexistent/x.conf' "$tmp/err"
t $? "a missing file is an error that names it"
if ! getent passwd ghostguard >/dev/null; then
	"$bin" check-config -c etc/ghostguard.conf >/dev/null 2>"$tmp/err"
	[ $? = 1 ] && grep -q "^etc/ghostguard.conf:[0-9]*: user: 'ghostguard' does not exist" "$tmp/err"
	t $? "without user ghostguard the shipped config is refused, naming the line"
fi
# The command line: one file, and usage errors exit 2.
"$bin" check-config tests/conf/good-empty.conf tests/conf/bad-lines.conf \
    >/dev/null 2>"$tmp/err"
[ $? = 2 ] && grep -q 'one configuration file' "$tmp/err"
t $? "check-config with two files is a usage error (exit 2)"
"$bin" check-config -c tests/conf/good-empty.conf tests/conf/bad-lines.conf \
    >/dev/null 2>&1
[ $? = 2 ]
t $? "check-config with -c and a file is a usage error (exit 2)"
"$bin" check-config tests/conf/good-empty.conf >/dev/null 2>&1
t $? "check-config FILE checks FILE"
"$bin" check-config --help | grep -q -- '--verbose'
t $? "check-config --help prints its options"
echo "1..$n"
