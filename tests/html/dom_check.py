#!/usr/bin/env python3
"""tests/html/dom_check.py - checks the DOM Chromium rendered (--dump-dom).

report DOM JSON: every source of the JSON report has a card with its
    packets, dropped, ban packet, tool, found extensions and sentence, and a
    timeline row (the first 40) with dropped bars and a ban mark when
    banned; the summary tiles give the summary's numbers.
inject DOM: the page holds only the elements ghostguard writes, no on*
    attribute, and the payloads of tests/html/mkpcap.py inject as text.
Prints one line per problem, then ALL OK or FAILED.
"""
import json
import sys
from html.parser import HTMLParser

VOID = {"meta", "br", "hr", "img", "input", "link"}
# SVG's self-closing elements come out of --dump-dom with end tags.


class Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent = tag, dict(attrs), parent
        self.kids, self.items = [], []  # items: text and kids, in order

    def all_text(self):
        return "".join(i if isinstance(i, str) else i.all_text()
                       for i in self.items)

    def walk(self):
        yield self
        for k in self.kids:
            yield from k.walk()

    def classes(self):
        return (self.attrs.get("class") or "").split()


class Tree(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", [], None)
        self.cur = self.root

    def handle_starttag(self, tag, attrs):
        n = Node(tag, attrs, self.cur)
        self.cur.kids.append(n)
        self.cur.items.append(n)
        if tag not in VOID:
            self.cur = n

    def handle_startendtag(self, tag, attrs):
        n = Node(tag, attrs, self.cur)
        self.cur.kids.append(n)
        self.cur.items.append(n)

    def handle_endtag(self, tag):
        n = self.cur
        while n is not self.root and n.tag != tag:
            n = n.parent
        if n is not self.root:
            self.cur = n.parent

    def handle_data(self, data):
        self.cur.items.append(data)


def parse(path):
    t = Tree()
    with open(path, encoding="utf-8", errors="replace") as f:
        t.feed(f.read())
    return t.root


def ordinal(n):
    if 11 <= n % 100 <= 13:
        return "%dth" % n
    return "%d%s" % (n, {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th"))


def check_report(dom, js):
    bad = []
    root = parse(dom)
    with open(js) as f:
        rep = json.load(f)
    nodes = list(root.walk())
    cards = {n.attrs.get("data-addr"): n for n in nodes
             if n.tag == "section" and "card" in n.classes()}
    rows = {n.attrs.get("data-addr"): n for n in nodes
            if n.tag == "g" and "row" in n.classes()}
    if not any(n.tag == "svg" and n.attrs.get("id") == "timeline"
               for n in nodes):
        bad.append("no timeline svg")
    for i, s in enumerate(rep["sources"]):
        a = s["address"]
        c = cards.get(a)
        if c is None:
            bad.append("%s: no card" % a)
            continue
        want = {"data-packets": str(s["packets"]),
                "data-dropped": str(s["dropped"]),
                "data-banned-at": str(s["banned_at_packet"] or 0),
                "data-class": s["class"]}
        for k, v in want.items():
            if c.attrs.get(k) != v:
                bad.append("%s: %s %s, want %s" % (a, k, c.attrs.get(k), v))
        text = " ".join(c.all_text().split())
        if s["banned_at_packet"]:
            w = "banned at its %s packet" % ordinal(s["banned_at_packet"])
            if w not in text:
                bad.append("%s: card lacks '%s'" % (a, w))
        if s["tool"] and s["tool"] not in text:
            bad.append("%s: card lacks tool %s" % (a, s["tool"]))
        if not text.count(a) >= 2:
            bad.append("%s: card lacks its sentence" % a)
        found = [k.all_text() for n in c.walk() if n.tag == "dd" and
                 "found" in n.classes() for k in n.kids
                 if "chip" in k.classes()]
        if found != s["found"]:
            bad.append("%s: found %s, want %s" % (a, found, s["found"]))
        if "%d sent" % s["packets"] not in text:
            bad.append("%s: card lacks '%d sent'" % (a, s["packets"]))
        if s["user_agent"] and s["user_agent"] not in text:
            bad.append("%s: card lacks its User-Agent" % a)
        if i >= 40:
            continue
        r = rows.get(a)
        if r is None:
            bad.append("%s: no timeline row" % a)
            continue
        drops = [n for n in r.walk() if "drop" in n.classes()]
        passes = [n for n in r.walk() if "pass" in n.classes()]
        bans = [n for n in r.walk() if "ban" in n.classes()]
        if s["dropped"] and not drops:
            bad.append("%s: timeline row has no dropped bars" % a)
        if s["dropped"] == 0 and (drops or not passes):
            bad.append("%s: timeline row should show passed bars only" % a)
        if bool(s["banned"]) != bool(bans):
            bad.append("%s: timeline ban mark %d, banned %s" %
                       (a, len(bans), s["banned"]))
    if len(cards) != len(rep["sources"]):
        bad.append("%d cards, %d sources" % (len(cards), len(rep["sources"])))
    tiles = {n.attrs.get("id"): n for n in nodes if "tile" in n.classes()}
    sm = rep["summary"]
    for tid, v in (("n-scanners", sm["scanners"]), ("n-policy", sm["policy"]),
                   ("n-benign", sm["benign"]), ("n-dropped", sm["dropped"]),
                   ("n-banned", sm["banned"]),
                   ("n-sip", sm["sip_messages"])):
        t = tiles.get(tid)
        got = t.kids[0].all_text() if t is not None and t.kids else None
        if got != str(v):
            bad.append("tile %s shows %s, want %s" % (tid, got, v))
    say = [n for n in nodes if n.attrs.get("id") == "summary"]
    if not say or "In short:" not in say[0].all_text():
        bad.append("no summary sentence")
    return bad


ALLOWED = {"#root", "html", "head", "meta", "title", "style", "body", "main",
           "h1", "h2", "h3", "p", "div", "section", "span", "b", "i", "dl",
           "dt", "dd", "ul", "li", "code", "footer", "svg", "g", "rect",
           "line", "path", "text", "title"}
PAYLOADS = ["friendly-scanner <script>alert(1)</script>",
            "friendly-scanner \"><img src=x onerror=alert(2)>",
            "friendly-scanner '><svg onload=alert(3)>",
            "'onmouseover='alert(5)", "100&amp;",
            "<script>alert(6)</script>"]


def check_inject(dom):
    bad = []
    root = parse(dom)
    for n in root.walk():
        if n.tag not in ALLOWED:
            bad.append("foreign element <%s>" % n.tag)
        for k in n.attrs:
            if k.lower().startswith("on"):
                bad.append("<%s> has attribute %s" % (n.tag, k))
    text = root.all_text()
    for p in PAYLOADS:
        if p not in text:
            bad.append("payload not shown as text: %r" % p)
    return bad


def main():
    if sys.argv[1] == "report":
        bad = check_report(sys.argv[2], sys.argv[3])
    else:
        bad = check_inject(sys.argv[2])
    for b in bad:
        print(b)
    print("FAILED" if bad else "ALL OK")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
