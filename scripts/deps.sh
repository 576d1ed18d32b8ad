#!/usr/bin/env bash
# scripts/deps.sh - installs what a ghostguard job needs, with apt-get, only
# when something is missing (so it is idempotent and quick the second time).
#
# Usage: scripts/deps.sh build|test|run|bench|lab|parsers
set -eu
build="libpcap-dev pkg-config libnetfilter-queue-dev libmnl-dev libnftables-dev libnftnl-dev libipset-dev libnetfilter-conntrack-dev libcap-dev iptables nftables ipset conntrack"
lab="$build tshark tcpdump sipvicious sip-tester sipsak nmap kamailio iproute2 python3"
# The tests include the lab's (real scanners, SIPp, Kamailio in namespaces).
test="$lab clang llvm libclang-rt-14-dev valgrind python3-prometheus-client chromium man-db groff-base systemd"
run="$build"
bench="$test hyperfine tshark time"
# Other SIP parsers, for scale (bench/parse_speed/others.sh).
parsers="valgrind python3 libosip2-dev libsofia-sip-ua-dev"
case "${1:-build}" in
build) want=$build ;;
test) want=$test ;;
run) want=$run ;;
bench) want=$bench ;;
lab) want=$lab ;;
parsers) want=$parsers ;;
*) echo "usage: $0 build|test|run|bench|lab|parsers" >&2; exit 2 ;;
esac
missing=
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "deps.sh: missing packages:$missing (run as root to install)" >&2
	exit 1
fi
echo "deps.sh: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer no.
echo "wireshark-common wireshark-common/install-setuid boolean false" |
	debconf-set-selections
# Another apt-get (a second job on the machine) holds the lock: wait for it.
lock="-o DPkg::Lock::Timeout=600"
apt-get $lock update -qq || true
apt-get $lock install -y -qq --no-install-recommends $missing >/dev/null
