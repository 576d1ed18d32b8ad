#!/usr/bin/env python3
"""tests/html/mkpcap.py MODE OUT.pcap - writes a small capture for html.sh.

inject: a scanner whose User-Agent, extensions and From carry HTML and
        script (attacker-controlled text that the page must escape).
many N: N scanners, one OPTIONS each, spread over two days (timeline and
        card bounds of the page).
"""
import re
import struct
import sys

PBX = "192.0.2.10"


def ip4(a):
    return bytes(int(x) for x in a.split("."))


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def frame(src, dst, sport, dport, payload):
    udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17,
                      0, ip4(src), ip4(dst))
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    eth = b"\x02\0\0\0\0\x02" + b"\x02\0\0\0\0\x01" + b"\x08\x00"
    return eth + hdr + udp


def sip(method, user, src, ua, n, from_user="100"):
    return ("%s sip:%s@%s SIP/2.0\r\n"
            "Via: SIP/2.0/UDP %s:5060;branch=z9hG4bK-%d;rport\r\n"
            "Max-Forwards: 70\r\n"
            "From: \"%s\" <sip:%s@%s>;tag=%08x\r\n"
            "To: \"%s\" <sip:%s@%s>\r\n"
            "Call-ID: %d\r\n"
            "CSeq: 1 %s\r\n"
            "Contact: <sip:%s@%s:5060>\r\n"
            "User-Agent: %s\r\n"
            "Content-Length: 0\r\n\r\n" %
            (method, user, PBX, src, 1000 + n, from_user, from_user, src,
             0x1234 + n, user, user, PBX, 3000000 + n, method, from_user,
             src, ua)).encode("latin-1")


def write(out, frames):
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for ts, fr in frames:
            f.write(struct.pack("<IIII", int(ts), int(ts % 1 * 1e6),
                                len(fr), len(fr)))
            f.write(fr)


def inject(out):
    uas = ["friendly-scanner <script>alert(1)</script>",
           "friendly-scanner \"><img src=x onerror=alert(2)>",
           "friendly-scanner '><svg onload=alert(3)>"]
    users = ["<script>alert(4)</script>", "\"><b>x", "100&amp;",
             "'onmouseover='alert(5)", "101"]
    # svcrack's From tag: hex('user:password' 0x01 'number'); the report
    # decodes the password.
    tag = (b"100:<script>alert(6)</script>\x01" + b"7").hex()
    frames, t = [], 1764650000.0
    for s, ua in enumerate(uas):
        src = "203.0.113.%d" % (9 + s)
        for i in range(10):
            user = users[i % len(users)]
            msg = sip("REGISTER", user, src, ua, i, from_user=user)
            if s == 2:
                msg = re.sub(rb";tag=[0-9a-f]+", b";tag=" + tag.encode(),
                             msg, count=1).replace(
                    b"Content-Length", b"Authorization: Digest "
                    b"username=\"100\", realm=\"x\", nonce=\"1\", "
                    b"uri=\"sip:192.0.2.10\", response=\"00\"\r\n"
                    b"Content-Length", 1)
            frames.append((t, frame(src, PBX, 5070, 5060, msg)))
            t += 0.01
    write(out, frames)


def many(out, n):
    frames, t0 = [], 1764650000.0
    for i in range(n):
        src = "198.18.%d.%d" % (i // 250, 1 + i % 250)
        ts = t0 + i * (2 * 86400.0 / n)
        frames.append((ts, frame(src, PBX, 5070, 5060,
                                 sip("OPTIONS", "100", src,
                                     "friendly-scanner", i))))
    write(out, frames)


if __name__ == "__main__":
    if sys.argv[1] == "inject":
        inject(sys.argv[2])
    else:
        many(sys.argv[3], int(sys.argv[2]))
