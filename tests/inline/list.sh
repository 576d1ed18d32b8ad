#!/usr/bin/env bash
# tests/inline/list.sh [GHOSTGUARD] - the inline integration suite, one
# command a line, for tests/run.sh (-f). Each test builds its own lab in
# network namespaces (root; tools from scripts/deps.sh lab) and prints TAP.
# The attack tests run a baseline without ghostguard (the tools must succeed,
# or the lab is broken) and a pass with `ghostguard run`; bans.sh checks its
# lab through its own assertions (traffic reaches the PBX, calls complete);
# demo.sh runs `make demo`'s lab/demo.sh, interrupted and in full.
# About 5 minutes in all on 2 cores.
gg=${1:-build/ghostguard}
for t in attack_tour host_mode v6_tcp behaviour kill9 bans demo; do
	echo "tests/inline/$t.sh $gg"
done
