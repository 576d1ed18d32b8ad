#!/usr/bin/env bash
# tests/net/tshark_count.sh - for each corpus capture, the SIP messages our
# decoder finds must equal the SIP messages tshark dissects.
#
# Ours: `net_test --count FILE` runs the capture through pcap_source_run()
# and the decoder and counts delivered payloads whose first line is a SIP
# request or status line (sip_looks_like(); on TCP, one per framed message).
# tshark's: the sip.Request-Line and sip.Status-Line fields in the PDML of
# the frames that pass $FILTER, i.e. one per SIP message, also when a frame
# or a TCP segment holds several.
#
# Where the two legitimately differ, the difference is a rule below, applied
# to every file alike (so it cannot hide anything on the files where it does
# not apply), and each TAP line shows tshark's raw count beside the adjusted
# one. Any other mismatch fails.
#
#  1. --disable-protocol pktc: tshark gives UDP port 1293 to PacketCable even
#     when the other port is 5060, and so shows 6 REGISTER/401 datagrams of
#     SIP-Bruteforce-Single-IP.pcap (port 1293 <-> 5060) as "pktc". They are
#     SIP; we count them, and so does tshark once pktc is off.
#  2. !udp.length.bad: fuzz-2006-06-26-2594.pcap has 2 SIP datagrams whose
#     UDP length field was corrupted to exceed the IP payload. tshark still
#     dissects them (flagged malformed); our decoder drops such a datagram
#     as a receiving IP stack would (counted in net_stats.bad).
#  3. !websocket: sip_tcp_websocket.pcap carries 11 SIP messages over
#     WebSocket (RFC 7118) on TCP 8080. We do not decode WebSocket framing:
#     that stream starts with an HTTP upgrade, not SIP, and is ignored.
#  4. SCTP DATA chunks holding part of a message: sip_sctp.pcap sends its
#     INVITE in two DATA chunks (B, then E). We deliver SIP over SCTP only
#     from chunks holding a whole message (no SCTP reassembly); tshark
#     reassembles.
#  5. First line longer than 511 bytes: our sip_looks_like() looks at most
#     512 bytes for the end of the first line (a cheap test by design).
#     PROTOS c07-sip-r2 sends 4 INVITEs with methods of 500+ 'a's, which
#     tshark accepts. On a SIP port (these come from 5060) they are still
#     delivered to the engine; they are just not "SIP-looking".
#
# c07-sip-r2.cap is NetMon 2.x: libpcap cannot read it, so ours must fail
# with a clean error; its .converted.pcap twin is compared instead.
#
# Usage: tests/net/tshark_count.sh [NET_TEST]   (GG_CORPUS: corpus root)
set -u
bin=${1:-build/tests/net_test}
. "$(dirname "$0")/../lib/corpus.sh"
FILTER='(sip.Request-Line || sip.Status-Line)
	&& !udp.length.bad
	&& !websocket
	&& !(sctp && !(sctp.data_b_bit == 1 && sctp.data_e_bit == 1))
	&& !(len(sip.Request-Line) > 511) && !(len(sip.Status-Line) > 511)'
RAW='sip.Request-Line || sip.Status-Line'

if ! command -v tshark >/dev/null; then
	echo "ok 1 - tshark comparison # SKIP tshark not installed"
	echo "1..1"
	exit 0
fi
if [ ! -x "$bin" ]; then
	echo "not ok 1 - $bin not built"
	echo "1..1"
	exit 1
fi

# Messages tshark dissects in $1 with display filter $2 (more args: options).
tshark_count() {
	local f=$1 filter=$2
	shift 2
	tshark -r "$f" "$@" -Y "$filter" -T pdml 2>/dev/null |
	    grep -cE '<field name="sip\.(Request|Status)-Line"'
}

n=0 bad=0
while IFS= read -r f; do
	name=${f#"$corpus"/pcap/}
	n=$((n + 1))
	case $name in
	*c07-sip-r2.cap)
		if out=$("$bin" --count "$f" 2>&1); then
			echo "not ok $n - $name: NetMon file read?! ($out)"
			bad=1
		else
			echo "ok $n - $name: clean error: $out"
		fi
		continue
		;;
	*sip_ipv4_tcp_fragmented.pcap)
		ports="--port 5060 --port 5061 --port 5080 --port 6060"
		topt="-d tcp.port==6060,sip"
		;;
	*)
		ports="" topt=""
		;;
	esac
	# shellcheck disable=SC2086
	ours=$("$bin" --count $ports "$f" 2>&1)
	# shellcheck disable=SC2086
	theirs=$(tshark_count "$f" "$FILTER" --disable-protocol pktc $topt)
	# shellcheck disable=SC2086
	raw=$(tshark_count "$f" "$RAW" $topt)
	if [ "$ours" = "$theirs" ]; then
		echo "ok $n - $name: ours $ours, tshark $theirs (raw $raw)"
	else
		echo "not ok $n - $name: ours $ours, tshark $theirs (raw $raw)"
		bad=1
	fi
done < <(find "$corpus/pcap" -type f \( -name '*.pcap' -o -name '*.pcapng' \
    -o -name '*.cap' \) | LC_ALL=C sort)
if [ "$n" -eq 0 ]; then
	echo "ok 1 - tshark comparison # SKIP no captures under $corpus/pcap"
	n=1
fi
echo "1..$n"
exit $bad
