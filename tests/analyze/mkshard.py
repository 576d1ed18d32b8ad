#!/usr/bin/env python3
"""tests/analyze/mkshard.py OUT.pcap - a capture for analyze's shards.

`ghostguard analyze --threads 2` gives each payload to the worker whose
shard its peer hashes to, and without protected networks the peer depends
on whether the payload parses as a response. This writes, from and to 64
addresses, the payloads where that is delicate: responses and requests
whole and cut short, with leading CRLFs, with a first line frame.c does not
take for SIP (SIP/2 as the version, a control byte in the reason), cut by
the snaplen, without their LF, garbage and keep-alives; also a clock that
goes back, then far ahead (the timelines' scale). Ethernet, IPv4 and IPv6,
UDP to and from port 5060. Standard library only; the same file each run.
"""
import struct
import sys

HDRS = ("Via: SIP/2.0/UDP {a}:5060;branch=z9hG4bK-{n}\r\n"
        "From: <sip:{n}@{a}>;tag=t{n}\r\n"
        "To: <sip:{u}@{b}>\r\n"
        "Call-ID: c{n}@{a}\r\n"
        "CSeq: 1 {m}\r\n")


def msg(first, a, b, n, u, m="OPTIONS", end=True):
    """A message with first as its start line; end=False: no empty line."""
    h = first + "\r\n" + HDRS.format(a=a, b=b, n=n, u=u, m=m)
    if end:
        h += "User-Agent: friendly-scanner\r\nContent-Length: 0\r\n\r\n"
    return h.encode("latin-1")


def cases(a, b, n):
    """(from_a, payload, snap) for one pair: from_a False means b sent it."""
    u = 100 + n % 50
    req = "OPTIONS sip:%d@%s SIP/2.0" % (u, b)
    inv = "INVITE sip:%d@%s SIP/2.0" % (u, b)
    return [
        (True, msg(req, a, b, n, u), 0),
        (False, msg("SIP/2.0 404 Not Found", a, b, n, u), 0),
        (True, msg(inv, a, b, n, u, "INVITE"), 0),
        (False, msg("SIP/2.0 180 Ringing", a, b, n, u, "INVITE"), 0),
        (False, b"\r\n\r\n" + msg("SIP/2.0 486 Busy", a, b, n, u), 0),
        (False, b"\r\n" + msg("SIP/2.0 404 Gone", a, b, n, u, end=False), 0),
        (False, msg("sip/2.0 200 OK", a, b, n, u), 0),
        (False, msg("SIP/2.0 200 OK", a, b, n, u, end=False), 0),
        (False, msg("SIP/2 200 OK", a, b, n, u), 0),
        (False, msg("SIP/2 200 OK", a, b, n, u, end=False), 0),
        (False, msg("SIP/2.0 401 Un\x01authorized", a, b, n, u), 0),
        (False, msg("SIP/2.0 401 Un\x01authorized", a, b, n, u,
                    end=False), 0),
        (False, msg("SIP/3.0 403 Forbidden", a, b, n, u), 0),
        (False, msg("SIP/2.0 099 Low", a, b, n, u), 0),
        (False, b"SIP/2.0 200 OK", 0),
        (True, b"SIP/2.0 200 OK", 0),
        (False, msg("SIP/2.0 404 Not Found", a, b, n, u), 80),
        (False, msg("SIP/2.0 404 Not Found", a, b, n, u), 30),
        (True, msg(req, a, b, n, u), 60),
        (True, b"\r\n\r\n", 0),
        (False, b"\x00\x01\x02garbage\n\x03", 0),
        (True, b"", 0),
    ]


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def frame(src, dst, payload, v6):
    udp = struct.pack("!HHHH", 5060, 5060, 8 + len(payload), 0) + payload
    if v6:
        ip = struct.pack("!IHBB", 6 << 28, len(udp), 17, 64) + src + dst
        et = 0x86dd
    else:
        h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64,
                        17, 0, src, dst)
        ip = h[:10] + struct.pack("!H", csum(h)) + h[12:]
        et = 0x0800
    return b"\x02" * 6 + b"\x04" * 6 + struct.pack("!H", et) + ip + udp


def addr(i, side, v6):
    if v6:
        return bytes.fromhex("20010db8") + bytes(10) + bytes([side, i])
    return bytes([203, 0, 113, i]) if side else bytes([192, 0, 2, i])


def main():
    out = open(sys.argv[1], "wb")
    out.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    t = 1700000000 * 10**6
    n = 0
    for rnd in range(3):
        for i in range(1, 65):
            v6 = i % 4 == 0
            a, b = addr(i, 1, v6), addr(i % 7 + 1, 0, v6)
            sa = "203.0.113.%d" % i
            sb = "192.0.2.%d" % (i % 7 + 1)
            for from_a, p, snap in cases(sa, sb, n):
                f = frame(a, b, p, v6) if from_a else frame(b, a, p, v6)
                cap = f[:snap + 42 + (20 if v6 else 0)] if snap else f
                n += 1
                t += 1500
                if n % 97 == 0:
                    ts = t - 5 * 10**6	# the clock goes back
                elif n % 1000 == 0:
                    ts = t + 3600 * 10**6	# and far ahead
                else:
                    ts = t
                out.write(struct.pack("<IIII", ts // 10**6, ts % 10**6,
                                      len(cap), len(f)) + cap)
    out.close()


if __name__ == "__main__":
    main()
