#!/usr/bin/env python3
"""bench/parse_speed/seeds_fc.py - Via and Authorization variants for the
differential fuzzer, around the shapes the AVX2 fast paths take
(via_fast_avx2, auth_fast_avx2) and just outside them.

    seeds_fc.py DIR
    B/diff/diff_fuzz -runs=0 DIR          (B: a build of diff.sh)

Each file is bench/msg/register_yealink.sip with its Via or Authorization
replaced (also as a compact "v:", as Proxy-Authorization, as the last
header, and with the value ending 0 to 63 bytes before the end of the
buffer, where the 64-byte windows must not read past it).
"""
import os
import sys

VIAS = [
	"SIP/2.0/UDP 192.168.1.52:5060;branch=z9hG4bK2036412957;rport",
	"SIP/2.0/UDP 192.168.1.52;branch=z9hG4bK2036412957",
	"SIP/2.0/TCP h.example.com:5;branch=x;rport",
	"SIP/2.0/TLS h:65535;branch=x",
	"SIP/2.0/TLS h:65536;branch=x",
	"SIP/2.0/UDP h:99999;branch=x",
	"SIP/2.0/UDP h:123456;branch=x",
	"SIP/2.0/UDP h:0;branch=x",
	"SIP/2.0/UDP h:;branch=x",
	"SIP/2.0/UDP h:50a0;branch=x",
	"SIP/2.0/UDP h:5060a;branch=x",
	"SIP/2.0/UDP h;BRANCH=x;RPORT",
	"SIP/2.0/UDP h;Branch=x;rPort,SIP/2.0/UDP b",
	"SIP/2.0/UDP h;branch=x,SIP/2.0/UDP b",
	"SIP/2.0/UDP h;branch=x , SIP/2.0/UDP b",
	"SIP/2.0/UDP h;branch=x;rport=5060",
	"SIP/2.0/UDP h;branch=x;rportx",
	"SIP/2.0/UDP h;branch=x;rpor",
	"SIP/2.0/UDP h;branch=x;rport;received=1.2.3.4",
	"SIP/2.0/UDP h;branch=x;rport!",
	"SIP/2.0/UDP h;branch=x;rport ",
	"SIP/2.0/UDP h;branch=x ;rport",
	"SIP/2.0/UDP h;branch=;rport",
	"SIP/2.0/UDP h;branch=x:y;rport",
	"SIP/2.0/UDP h;branch=\"x\"",
	"SIP/2.0/UDP h;branch=x!;rport",
	"SIP/2.0/UDP h;branchx=y",
	"SIP/2.0/UDP h;branch",
	"SIP/2.0/UDP h;branch=",
	"SIP/2.0/UDP h;rport;branch=x",
	"SIP/2.0/UDP [::1]:5060;branch=x",
	"SIP/2.0/UDP  h;branch=x",
	"SIP/2.0/UDPX h;branch=x",
	"SIP/2.0/udp h;branch=x",
	"SIP/2.0/UDP h;\x1bbranch=x",
	"SIP/2.0/UDP h\x80;branch=x",
	"SIP/2.0/UDP h_-.x;branch=x_-.",
	"SIP/2.0/UDP h;branch=x\x80",
	"SIP/2.0/UDP h;branch=x;r\x80ort",
	"SIP/2.0/UDP h;branch=x;RPORT,",
	"SIP/2.0/UDP h;branch=x;rport,",
] + ["SIP/2.0/UDP 1.2.3.4:5060;branch=z9hG4bK" + "a" * k + ";rport"
    for k in range(28, 42)] + [
	# Values of 64 bytes and more from the host: the branch's own window.
	"SIP/2.0/UDP 203.0.113.7:5060;branch=z9hG4bK" + "b" * k + r
	for k in range(20, 110) for r in ("", ";rport", ";rport,x", "!")] + [
	"SIP/2.0/UDP " + "h" * k + ":5060;branch=z9hG4bK.x;rport"
	for k in range(50, 70)] + [
	"SIP/2.0/UDP " + "h" * k + ";branch=" + "z" * (70 - k)
	for k in range(52, 66)] + [
	"SIP/2.0/UDP " + "h" * k + ":" + "5" * d + ";branch=" + "q" * 60
	for k in range(54, 64) for d in (1, 4, 5, 6)]

AUTHS = [
	'Digest username="201", realm="asterisk", nonce="1a7f3c5e", '
	'uri="sip:192.168.1.10", response="6629fae49393a05397450978507c4ef1", '
	'algorithm=MD5',
	'Digest username="a\\"b", realm="r"',
	'Digest username="a", realm="r",',
	'Digest username="a",realm="r" ,uri="u"',
	'Digest username="a" , realm="r"',
	'Digest username="a"  realm="r"',
	'Digest username="a";realm="r"',
	'Digest username = "a", realm="r"',
	'Digest username=a, realm="r"',
	'Digest realm="r", username=a b',
	'Digest realm="r", USERNAME="x", URI="y", Response="z", REALM="q"',
	'Digest realm="r", algorithm="MD5", ALGORITHM=md5',
	'Digest realm="r", xyz="1", verylongparametername12345678901="2"',
	'Digest realm="r", nonce="abc==", opaque="x=y"',
	'Digest realm="r", nonce="unterminated',
	'Digest realm="r", na\x80me="x"',
	'Digest realm="r", n"ame="x"',
	'Digest realm="r", =x',
	'Digest realm="r", ,x="1"',
	'Digest realm="r",, x="1"',
	'Digest realm="r", x=',
	'Digest realm="r", x="',
	'Digest abc==',
	'Basic dXNlcjpwYXNz',
	'Digest realm="r", uri="sip:1.2.3.4;transport=udp"',
	'Digest  realm="r"',
	'Digest realm="r",\t uri="x"',
	'Digest realm="r", algorithm=MD5,',
	'Digest realm="r", algorithm=MD5 , uri="x"',
	'Digest realm="r", algorithm=,uri="x"',
	'Digest realm="r", algorithm=',
	'Digest algorithm=MD5, username="a"',
	'Digest username="a", nc=00000001, qop=auth, cnonce="x=="',
	'Digest username="a", uri=sip:x"y, realm="r"',
	'Digest username="a", uri=sip:x=y, realm="r"',
	'Digest username="a",\r\n realm="r"',
	'Digest username="a"x, realm="r"',
]
for k in range(20, 70):
	AUTHS.append('Digest username="' + "a" * k + '", response="' +
	    "b" * (k // 2) + '", realm="' + "c" * (70 - k) + '"')
	AUTHS.append('Digest nonce="' + "a" * k + '=", uri="sip:' +
	    "b" * (k % 7) + '"')
	AUTHS.append('Digest uri="' + "a" * k + '\\"x", realm="r"')


def replaced(lines, prefix, line):
	return [line if l.lower().startswith(prefix) else l for l in lines]


def last(lines, line):
	"""line as the last header, the message cut after the empty line."""
	out = [l for l in lines if l != line]
	i = out.index("")
	return out[:i] + [line, "", ""]


def main(argv):
	out = argv[0]
	os.makedirs(out, exist_ok=True)
	here = os.path.dirname(os.path.abspath(__file__))
	with open(os.path.join(here, "../msg/register_yealink.sip"), "rb") as f:
		lines = f.read().decode("latin1").split("\r\n")
	msgs = []
	for v in VIAS:
		for name in ("Via: ", "v: "):
			ls = replaced(lines, "via:", name + v)
			msgs.append(ls)
			msgs.append(last(ls, name + v))
	for a in AUTHS:
		for name in ("Authorization: ", "Proxy-Authorization: "):
			ls = replaced(lines, "authorization:", name + a)
			msgs.append(ls)
			msgs.append(last(ls, name + a))
	n = 0
	for ls in msgs:
		body = "\r\n".join(ls)
		for pad in (0, 1, 5, 17, 31, 40, 63):
			with open(os.path.join(out, "fc%05d" % n), "wb") as f:
				f.write((body + "x" * pad).encode("latin1"))
			n += 1
	print("%d files in %s" % (n, out))


if __name__ == "__main__":
	main(sys.argv[1:])
