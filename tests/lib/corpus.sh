# tests/lib/corpus.sh - where the shared test corpus is, for the shell
# tests: `. tests/lib/corpus.sh` sets corpus to $GG_CORPUS, by default
# ../shared/corpus (relative to the top of the checkout: the corpus sits
# beside it), and defines corpus_check, which prints one TAP failure saying
# where the corpus was looked for and how to point at it, and returns 1,
# when it is not there. A fresh clone elsewhere then fails with that line,
# not with a hundred "No such file" ones.
corpus=${GG_CORPUS:-../shared/corpus}

corpus_check() {
	[ -d "$corpus/pcap" ] && [ -d "$corpus/torture" ] && return 0
	echo "not ok 1 - the shared test corpus is not at $corpus" \
	    "($(realpath -m "$corpus")): put it at ../shared/corpus beside" \
	    "the checkout, or set GG_CORPUS=DIR (README, Tests)"
	return 1
}
