#!/usr/bin/env python3
"""bench/cgtop.py - the heaviest functions of a callgrind profile, per unit.

    cgtop.py [--inclusive] [--only F1,F2,...] FILE DIVISOR TOP

Runs callgrind_annotate on FILE and prints the TOP functions (or, with
--only, the named ones in that order) as instructions per unit (the Ir count
divided by DIVISOR: messages, packets), with their share of the total.
"""
import re
import subprocess
import sys


def main(argv):
	incl, only = False, None
	while argv and argv[0].startswith("--"):
		opt = argv.pop(0)
		if opt == "--inclusive":
			incl = True
		elif opt == "--only":
			only = argv.pop(0).split(",")
	path, div, top = argv[0], float(argv[1]), int(argv[2])
	cmd = ["callgrind_annotate", "--inclusive=" + ("yes" if incl else "no"),
	    path]
	out = subprocess.run(cmd, capture_output=True, text=True,
	    timeout=120).stdout
	total, rows, body = None, [], False
	for line in out.splitlines():
		m = re.match(r"^\s*([\d,]+) \(\s*[\d.]+%\)\s+(.*)$", line)
		if not m:
			if "file:function" in line:
				body = True
			elif body and line.startswith("-- Auto"):
				break
			continue
		ir = int(m.group(1).replace(",", ""))
		if "PROGRAM TOTALS" in m.group(2):
			total = ir
			continue
		if not body:
			continue
		fn = re.sub(r" \[.*\]$", "", m.group(2))
		fn = fn.rsplit(":", 1)[-1] if ":" in fn else fn
		rows.append((ir, fn))
	if total is None:
		total = max([r[0] for r in rows] or [1])
	if only:
		best = {}
		for ir, fn in rows:
			best.setdefault(fn, ir)
		rows = [(best[f], f) for f in only if f in best]
	else:
		rows = rows[:top]
	for ir, fn in rows:
		print("     %8.0f  %5.1f%%  %s" % (ir / div, 100.0 * ir / total, fn))


if __name__ == "__main__":
	main(sys.argv[1:])
