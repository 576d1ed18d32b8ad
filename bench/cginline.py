#!/usr/bin/env python3
"""bench/cginline.py - where a function's own instructions go, by the
function gcc inlined them from and by source line.

    cginline.py FILE BINARY FUNCTION DIVISOR [TOP]

FILE is a callgrind profile made with --dump-instr=yes of BINARY (built
with -g). callgrind_annotate gives the self cost of FUNCTION as one number
when gcc inlined half the parser into it (sip_parse); this joins the count
of each instruction address with `objdump -d -l`, whose `name():` lines say
which inlined function an instruction came from, and prints the TOP
(default 40) inlined functions and source lines, per unit (DIVISOR:
messages). Example, for sip_parse on one message:

    valgrind --tool=callgrind --dump-instr=yes --callgrind-out-file=cg \\
        B/parse_speed/parse_bench parse 11000 bench/msg/register_yealink.sip
    bench/cginline.py cg B/parse_speed/parse_bench sip_parse 11000
"""
import collections
import re
import subprocess
import sys


def num(tok, prev):
	"""A position of callgrind's compressed format: absolute, +n, -n, *."""
	if tok == "*":
		return prev
	if tok[0] in "+-":
		n = int(tok[1:], 0)
		return prev + n if tok[0] == "+" else prev - n
	return int(tok, 0)


def counts_of(path, fname):
	"""Ir per instruction address of fname (calls' inclusive costs left
	out)."""
	counts = collections.Counter()
	names, infn, skip, addr = {}, False, False, 0
	with open(path) as f:
		for line in f:
			line = line.rstrip("\n")
			m = re.match(r"^c?fn=\((\d+)\)(?: (.*))?$", line)
			if m:
				if m.group(2):
					names[m.group(1)] = m.group(2)
				if line.startswith("fn="):
					infn = names.get(m.group(1)) == fname
				continue
			if line.startswith("calls="):
				skip = True	# the next line is the call's cost
				continue
			if not line or line[0] not in "+-*0123456789":
				continue
			toks = line.split()
			addr = num(toks[0], addr)
			if skip:
				skip = False
				continue
			if infn and len(toks) > 2:
				counts[addr] += int(toks[2])
	return counts


def main(argv):
	path, binary, fname, div = argv[0], argv[1], argv[2], float(argv[3])
	top = int(argv[4]) if len(argv) > 4 else 40
	counts = counts_of(path, fname)
	dis = subprocess.run(["objdump", "-d", "-l", "--no-show-raw-insn",
	    binary], capture_output=True, text=True, timeout=300).stdout
	per, lines = collections.Counter(), collections.Counter()
	ctx = src = None
	for dl in dis.splitlines():
		m = re.match(r"^([A-Za-z_][\w.]*)\(\):$", dl)
		if m:
			ctx = m.group(1)
			continue
		m = re.match(r"^(/?\S+):(\d+)", dl)
		if m and not dl.startswith(" "):
			src = m.group(1).rsplit("/", 1)[-1] + ":" + m.group(2)
			continue
		m = re.match(r"^\s+([0-9a-f]+):\s", dl)
		if m and int(m.group(1), 16) in counts:
			ir = counts[int(m.group(1), 16)]
			per[ctx] += ir
			lines[(ctx, src)] += ir
	print("%s: %.0f instructions per unit" % (fname,
	    sum(per.values()) / div))
	print("by inlined function:")
	for k, v in per.most_common(top):
		print("  %8.1f  %s" % (v / div, k))
	print("by source line:")
	for (k, s), v in lines.most_common(top):
		print("  %8.1f  %-20s %s" % (v / div, k, s))


if __name__ == "__main__":
	main(sys.argv[1:])
