#!/usr/bin/env bash
# tests/captures/derived/make.sh - remakes the derived captures from the lab
# recordings in tests/captures/ with lab/pcap-stretch.py (timestamps only:
# the packets are the real tools' own). Run from the repository's top.
# What each is for: README.md here.
set -eu
d=tests/captures/derived
st=lab/pcap-stretch.py
# svwar's REGISTER enumeration at one probe every 25 minutes (svwar -t 1500),
# 30 probes over 12 hours: slower than the default window of an hour.
$st --every 1500 --src 203.0.113.66 --count 60 \
	tests/captures/svwar-register.pcap $d/svwar-register-slow.pcap
# svcrack's first REGISTER alone (editcap: the packet unchanged): what a
# daemon inline sees of svcrack before the kernel drops the rest, and the
# source a report must still name svcrack, from its signature.
editcap -r tests/captures/svcrack.pcap $d/svcrack-first.pcap 1
