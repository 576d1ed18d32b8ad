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
# Every tool option that changes a fingerprinted field, one request a source
# (toolgen-TOOL.pcap; toolgen.tsv names each source's variant).
python3 lab/toolgen.py $d
