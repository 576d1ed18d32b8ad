#!/usr/bin/env bash
# tests/install/install.sh [BUILD_DIR] - `make install` and `make uninstall`
# into a scratch DESTDIR with PREFIX=/usr: every file where Debian expects it,
# the unit's ExecStart is the installed binary and passes systemd-analyze
# verify, both man pages render without a warning, ghostguard.conf(5) lists
# exactly the directives the parser accepts, an admin's configuration is never
# overwritten nor removed, and uninstall removes the rest. TAP.
set -u
b=${1:-build}
cd "$(dirname "$0")/../.." || exit 1
n=0
t() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
}
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
d=$tmp/root
mk() {
	make -s --no-print-directory "$@" DESTDIR="$d" PREFIX=/usr B="$b" \
	    >"$tmp/make.out" 2>&1
	local rc=$?
	[ $rc = 0 ] || sed 's/^/# /' "$tmp/make.out"
	return $rc
}

# The files and their modes.
files="
755 usr/sbin/ghostguard
644 usr/share/ghostguard/signatures.conf
644 etc/ghostguard/ghostguard.conf
644 usr/share/doc/ghostguard/examples/ghostguard.conf
644 usr/share/doc/ghostguard/examples/pbx-host.conf
644 usr/share/doc/ghostguard/examples/router.conf
644 usr/share/doc/ghostguard/examples/provider-edge.conf
644 usr/lib/systemd/system/ghostguard.service
644 usr/lib/sysusers.d/ghostguard.conf
644 usr/share/man/man8/ghostguard.8
644 usr/share/man/man5/ghostguard.conf.5
"

mk install
t $? "make install DESTDIR=... PREFIX=/usr B=$b"
while read -r mode f; do
	[ -n "$f" ] || continue
	[ -f "$d/$f" ] && [ "$(stat -c %a "$d/$f")" = "$mode" ]
	t $? "installed /$f (mode $mode)"
done <<<"$files"
cmp -s etc/ghostguard.conf "$d/etc/ghostguard/ghostguard.conf"
t $? "/etc/ghostguard/ghostguard.conf is the example"
cmp -s etc/ghostguard.sysusers "$d/usr/lib/sysusers.d/ghostguard.conf"
t $? "sysusers.d entry is etc/ghostguard.sysusers"

# The unit runs the installed binary with the installed configuration.
unit=$d/usr/lib/systemd/system/ghostguard.service
exe=$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$unit")
[ "$exe" = /usr/sbin/ghostguard ] && [ -x "$d$exe" ]
t $? "unit ExecStart=$exe exists in DESTDIR"
grep -q '^ExecStart=.* -c /etc/ghostguard/ghostguard.conf' "$unit"
t $? "unit ExecStart reads /etc/ghostguard/ghostguard.conf"
"$d$exe" version >/dev/null 2>&1
t $? "installed binary runs (ghostguard version)"
# Its "user ghostguard" must exist (check-config refuses it, as the daemon
# would): on a build host without the user, checked with "user off".
conf=$d/etc/ghostguard/ghostguard.conf
if ! getent passwd ghostguard >/dev/null; then
	sed 's/^user ghostguard$/user off/' "$conf" >"$tmp/installed.conf"
	conf=$tmp/installed.conf
fi
"$d$exe" check-config -c "$conf" >/dev/null 2>"$tmp/err"
rc=$?; [ $rc = 0 ] || sed 's/^/# /' "$tmp/err"
t $rc "installed binary accepts the installed configuration"
if command -v systemd-analyze >/dev/null; then
	# verify looks for the binary on /: point ExecStart into DESTDIR.
	mkdir -p "$tmp/unit"
	sed "s|^ExecStart=$exe|ExecStart=$d$exe|" "$unit" \
	    >"$tmp/unit/ghostguard.service"
	systemd-analyze verify "$tmp/unit/ghostguard.service" \
	    >"$tmp/verify" 2>&1
	rc=$?
	[ $rc = 0 ] && [ ! -s "$tmp/verify" ]
	rc=$?; [ $rc = 0 ] || sed 's/^/# /' "$tmp/verify"
	t $rc "systemd-analyze verify on the installed unit: no complaint"
else
	skip "systemd-analyze verify on the installed unit" \
	    "systemd-analyze is not installed"
fi

# Both pages render without a warning, with man and with groff.
for p in man8/ghostguard.8 man5/ghostguard.conf.5; do
	if ! command -v man >/dev/null; then
		skip "man --warnings -l $p" "man is not installed (man-db)"
	else
		out=$(MANWIDTH=80 man --warnings -l "$d/usr/share/man/$p" \
		    2>&1 >"$tmp/page")
		[ -z "$out" ] && [ -s "$tmp/page" ]
		rc=$?; [ $rc = 0 ] || printf '%s\n' "$out" | sed 's/^/# /'
		t $rc "man --warnings -l $p renders without a warning"
	fi
	if ! command -v groff >/dev/null; then
		skip "groff -man -ww -z $p" "groff is not installed (groff-base)"
		continue
	fi
	out=$(groff -man -ww -z "$d/usr/share/man/$p" 2>&1)
	[ -z "$out" ]
	rc=$?; [ $rc = 0 ] || printf '%s\n' "$out" | sed 's/^/# /'
	t $rc "groff -man -ww -z $p: no warning"
done
# Every command and ctl verb of the binary is in ghostguard(8) (the roff
# source with its escaped hyphens made plain, where man is missing).
page=$tmp/gg8.txt
if command -v man >/dev/null; then
	MANWIDTH=200 man -l man/ghostguard.8 2>/dev/null >"$page"
else
	sed 's/\\-/-/g' man/ghostguard.8 >"$page"
fi
missing=
for w in run analyze check-config ctl version --html --json --max-sources \
    --threads --foreground --dry-run --queue --queue-balance --socket \
    status bans explain ban unban trust untrust reload stats SIGHUP \
    SIGTERM "EXIT STATUS" EXAMPLES FILES; do
	grep -q -e "$w" "$page" || missing="$missing $w"
done
[ -z "$missing" ]
rc=$?; [ $rc = 0 ] || echo "# not in ghostguard.8:$missing"
t $rc "ghostguard(8) names every command, option, ctl verb and signal"

# ghostguard.conf(5) documents exactly the directives the parser accepts.
# The parser's set, from its source: the names compared in conf_line() and
# do_ban(), the string settings, "threshold NAME" of its table.
# ("threshold" itself stands for its names).
grep -o 'strcmp(d, "[a-z0-9-]*")' src/conf/conf.c |
    sed 's/.*"\(.*\)")/\1/' | grep -vx threshold >"$tmp/src"
sed -n 's/.*{ "\([a-z0-9-]*\)", offsetof(struct gg_conf, th_.*/threshold \1/p' \
    src/conf/conf.c >>"$tmp/src"
grep -v 'offsetof(struct gg_conf, th_' src/conf/conf.c |
    sed -n 's/.*{ "\([a-z0-9-]*\)", offsetof(struct gg_conf,.*/\1/p' \
    >>"$tmp/src"
sort -u "$tmp/src" -o "$tmp/src"
# The same set from the binary: check-config -v prints every setting, and
# the lists and "signatures" when they have entries.
cat >"$tmp/all.conf" <<EOF
signatures $PWD/data/signatures.conf
trusted 198.51.100.10
protect 192.0.2.0/24
allow 192.0.2.200
deny 203.0.113.0/24
EOF
"$b/ghostguard" check-config -v -c "$tmp/all.conf" 2>/dev/null |
    awk '$1 == "threshold" { print $1 " " $2; next } { print $1 }' |
    sort -u >"$tmp/bin"
[ -s "$tmp/src" ] && diff -u "$tmp/src" "$tmp/bin" >"$tmp/diff"
rc=$?; [ $rc = 0 ] || sed 's/^/# /' "$tmp/diff"
t $rc "directives in src/conf/conf.c equal those check-config -v prints"
# The page's: the first words after each .TP of section DIRECTIVES.
awk '/^\.SH/ { in_d = ($2 == "DIRECTIVES"); next }
    in_d && tp { gsub(/\\-/, "-"); gsub(/"/, ""); w = $2;
	if (w == "threshold") w = w " " $3; print w; tp = 0; next }
    in_d && /^\.TP/ { tp = 1 }' man/ghostguard.conf.5 | sort -u >"$tmp/man"
[ -s "$tmp/man" ] && diff -u "$tmp/src" "$tmp/man" >"$tmp/diff"
rc=$?; [ $rc = 0 ] || sed 's/^/# /' "$tmp/diff"
t $rc "ghostguard.conf(5) documents exactly the $(wc -l <"$tmp/src") directives the parser accepts"
# Its EXAMPLES configuration is valid.
awk '/^\.SH EXAMPLES/ { ex = 1 } ex && /^\.EX/ { on = 1; next }
    on && /^\.EE/ { exit } on { gsub(/\\-/, "-"); print }' \
    man/ghostguard.conf.5 >"$tmp/ex.conf"
[ -s "$tmp/ex.conf" ] && "$b/ghostguard" check-config -c "$tmp/ex.conf" \
    >/dev/null 2>"$tmp/err"
rc=$?; [ $rc = 0 ] || sed 's/^/# /' "$tmp/err"
t $rc "ghostguard.conf(5) example passes check-config"

# An admin's configuration survives install and uninstall.
echo "# the admin's" >>"$d/etc/ghostguard/ghostguard.conf"
cp "$d/etc/ghostguard/ghostguard.conf" "$tmp/admin.conf"
mk install
t $? "make install again over an installed tree"
cmp -s "$tmp/admin.conf" "$d/etc/ghostguard/ghostguard.conf"
t $? "an existing /etc/ghostguard/ghostguard.conf is not overwritten"
mk uninstall
t $? "make uninstall"
cmp -s "$tmp/admin.conf" "$d/etc/ghostguard/ghostguard.conf"
t $? "uninstall keeps a changed /etc/ghostguard/ghostguard.conf"
left=
while read -r mode f; do
	[ -n "$f" ] && [ "$f" != etc/ghostguard/ghostguard.conf ] &&
	    [ -e "$d/$f" ] && left="$left /$f"
done <<<"$files"
[ -z "$left" ]
rc=$?; [ $rc = 0 ] || echo "# left:$left"
t $rc "uninstall removes every other installed file"
[ ! -e "$d/usr/share/ghostguard" ] && [ ! -e "$d/usr/share/doc/ghostguard" ]
t $? "uninstall removes the empty ghostguard directories"
# An unchanged example configuration goes with the rest.
rm -f "$d/etc/ghostguard/ghostguard.conf"
mk install && mk uninstall
t $? "install, uninstall of a fresh tree"
left=$(find "$d" -type f | sed "s|^$d||")
[ -z "$left" ]
rc=$?; [ $rc = 0 ] || echo "# left: $left"
t $rc "nothing is left but empty system directories"
echo "1..$n"
