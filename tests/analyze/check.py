#!/usr/bin/env python3
"""Checks `ghostguard analyze --json` against tests/analyze/expect.tsv and
that no source of a legitimate capture is classed scanner. Prints TAP lines.

usage: check.py BIN CORPUS [EXPECT_TSV [CONF]]

With CONF every capture is analyzed with that configuration, and the
legitimate corpus is checked only when no EXPECT_TSV is named.
"""
import glob
import json
import os
import subprocess
import sys

bin_, corpus = sys.argv[1], sys.argv[2]
expect = sys.argv[3] if len(sys.argv) > 3 else "tests/analyze/expect.tsv"
conf = sys.argv[4] if len(sys.argv) > 4 else None
n = 0
fails = 0


def corpus_check():
    """The one clear failure of a checkout whose corpus is elsewhere."""
    if os.path.isdir(os.path.join(corpus, "pcap")):
        return
    print("not ok 1 - the shared test corpus is not at %s (%s): put it at "
          "../shared/corpus beside the checkout, or set GG_CORPUS=DIR "
          "(README, Tests)\n1..1" % (corpus, os.path.abspath(corpus)))
    sys.exit(1)


def tap(ok, what):
    global n, fails
    n += 1
    if not ok:
        fails += 1
    print(("ok" if ok else "not ok") + " %d - %s" % (n, what), flush=True)


def analyze(path, conf=None):
    cmd = [bin_, "analyze", "--json", path]
    if conf:
        cmd[2:2] = ["-c", conf]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        return None, p.stderr.strip()
    try:
        return json.loads(p.stdout), None
    except ValueError as e:
        return None, "bad JSON: %s" % e


def resolve(path):
    if path.startswith("corpus/"):
        return os.path.join(corpus, path[len("corpus/"):])
    return path


def check_source(src, cls, tool, techs, by=None):
    why = []
    if by is not None and (src["detected_at_packet"] is None or
                           src["detected_at_packet"] > by):
        why.append("detected at packet %s, not by %d" %
                   (src["detected_at_packet"], by))
    if src["class"] != cls:
        why.append("class %s" % src["class"])
    if tool != "-" and src["tool"] != tool:
        why.append("tool %s" % src["tool"])
    if techs != "-":
        for t in techs.split(","):
            if t.startswith("!"):
                if t[1:] in src["techniques"]:
                    why.append("technique %s reported" % t[1:])
            elif t not in src["techniques"]:
                why.append("no technique %s (has %s)" % (t, src["techniques"]))
    if cls == "scanner" and src["detected_at_packet"] is None:
        why.append("no detected_at_packet")
    return why


corpus_check()
for line in open(expect):
    if not line.strip() or line.startswith("#"):
        continue
    cols = line.rstrip("\n").split("\t")
    cap, addr, cls, tool, techs = cols[:5]
    by = int(cols[5]) if len(cols) > 5 else None
    d, err = analyze(resolve(cap), conf)
    if d is None:
        tap(False, "%s: analyze failed: %s" % (cap, err))
        continue
    srcs = d["sources"]
    if addr == "*":
        bad = {s["address"]: check_source(s, cls, tool, techs) for s in srcs}
        bad = {a: w for a, w in bad.items() if w}
        tap(srcs and not bad, "%s: every source is %s %s %s %s" %
            (cap, cls, tool, techs, bad or ""))
    elif addr == "any":
        ok = any(not check_source(s, cls, tool, techs) for s in srcs)
        tap(ok, "%s: some source is %s %s %s" % (cap, cls, tool, techs))
    else:
        s = [s for s in srcs if s["address"] == addr]
        why = check_source(s[0], cls, tool, techs, by) if s else ["absent"]
        tap(not why, "%s: %s is %s %s %s%s %s" %
            (cap, addr, cls, tool, techs,
             " by packet %d" % by if by else "", why or ""))

if conf:
    print("1..%d" % n)
    sys.exit(1 if fails else 0)

legit = sorted(glob.glob(os.path.join(corpus, "pcap/legit/**/*.pcap*"),
                         recursive=True) +
               glob.glob(os.path.join(corpus, "pcap/legit/**/*.cap"),
                         recursive=True))
tap(len(legit) > 20, "found the legitimate captures (%d)" % len(legit))
for f in legit:
    d, err = analyze(f)
    if d is None:
        tap(False, "%s: analyze failed: %s" % (f, err))
        continue
    sc = [s["address"] + " " + ",".join(s["techniques"])
          for s in d["sources"] if s["class"] == "scanner"]
    tap(not sc, "legit %s: no scanner (%d sources) %s" %
        (os.path.relpath(f, corpus), len(d["sources"]), sc or ""))

print("1..%d" % n)
sys.exit(1 if fails else 0)
