# tests/lib/tap.sh - TAP for the shell tests: `. tests/lib/tap.sh`, then
# `t RC DESCRIPTION` per check (RC 0 passes) and `tap_end` last, whose
# status is 0 when every check passed.
n=0 fails=0

t() {	# t RC DESCRIPTION
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		fails=$((fails + 1))
	fi
}

tap_end() {
	echo "1..$n"
	[ $fails = 0 ]
}
