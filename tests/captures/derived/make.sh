#!/usr/bin/env bash
# tests/captures/derived/make.sh - remakes the derived captures: the lab
# recordings of tests/captures/ re-timed with lab/pcap-stretch.py (timestamps
# only: the packets are the real tools' own), and the requests lab/toolgen.py
# builds as the tools' sources do. Run from the repository's top.
# What each is for: README.md here.
set -eu
d=tests/captures/derived
st=lab/pcap-stretch.py
# svwar's REGISTER enumeration at one probe every 25 minutes (svwar -t 1500),
# 30 probes over 12 hours: slower than the default window of an hour.
$st --every 1500 --src 203.0.113.66 --count 60 \
	tests/captures/svwar-register.pcap $d/svwar-register-slow.pcap
# sipsak's run cut after the 40th request of its flood (sipsak -F -e 40):
# 46 requests in 0.13 s, fewer than the rate threshold of 50 a second.
$st --count 70 tests/captures/sipsak.pcap $d/sipsak-flood-short.pcap
# svcrack -u 100 cut after its first REGISTER (no credentials) and answer,
# and after the second (its first guess) and answer.
$st --count 2 tests/captures/svcrack.pcap $d/svcrack-one.pcap
$st --count 4 tests/captures/svcrack.pcap $d/svcrack-first.pcap
# One scanner cycling methods over new extensions: svwar's REGISTERs for
# 100-102, OPTIONS for 103-105 and INVITEs for 107-109 (each run's own
# packets, answers and ACKs), a request every second in turn, merged.
t=1795580000
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
$st --skip 2 --count 6 --every 3 --src 203.0.113.66 --start $t \
	tests/captures/svwar-register.pcap "$tmp/r.pcap"
$st --skip 8 --count 6 --every 3 --src 203.0.113.66 --start $((t + 1)) \
	tests/captures/svwar-options.pcap "$tmp/o.pcap"
$st --skip 23 --count 9 --every 3 --src 203.0.113.66 --start $((t + 2)) \
	tests/captures/svwar-invite.pcap "$tmp/i.pcap"
mergecap -F pcap -w $d/svwar-mixed-methods.pcap "$tmp/r.pcap" "$tmp/o.pcap" \
	"$tmp/i.pcap"
# A distributed scan: svwar's first 20 REGISTERs (40 packets) spread in turn
# over 203.0.113.101-108 (lab/pcap-spread.py), 2 or 3 probes an address.
$st --count 40 tests/captures/svwar-register.pcap "$tmp/sv40.pcap"
lab/pcap-spread.py --src 203.0.113.66 --first 101 --count 8 \
	"$tmp/sv40.pcap" $d/svwar-distributed.pcap
# Every tool option that changes a fingerprinted field, one request a source
# (toolgen-TOOL.pcap; toolgen.tsv names each source's variant).
python3 lab/toolgen.py $d
# svmap -m REGISTER as a modified svmap would send it: 'Contact: None' (not
# a URI, so malformed) replaced by a valid Contact of the same length.
lab/pcap-subst.py 'Contact: None' 'm: sip:10@1.1' \
	tests/captures/svmap-register.pcap $d/svmap-register-contact.pcap
