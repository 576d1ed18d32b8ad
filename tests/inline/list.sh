#!/usr/bin/env bash
# tests/inline/list.sh [GHOSTGUARD] - the inline integration suite, one
# command a line, for tests/run.sh (-f). Each test builds its own lab in
# network namespaces (root; tools from scripts/deps.sh lab), runs a baseline
# without ghostguard and a pass with `ghostguard run`, and prints TAP.
# About 3 minutes in all on 2 cores.
gg=${1:-build/ghostguard}
for t in attack_tour host_mode v6_tcp behaviour kill9 bans; do
	echo "tests/inline/$t.sh $gg"
done
