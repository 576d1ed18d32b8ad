#!/usr/bin/env python3
"""lab/pcap-spread.py - spread one source's scan over several addresses of
its IPv4 /24, as a distributed scan would: the i-th request from ADDR (and
the packets to ADDR until the next one) move to the address whose last
byte is FIRST + (i // PER) mod COUNT.

    lab/pcap-spread.py --src ADDR --first N --count K [--per P] IN OUT

Ethernet and IPv4 only (classic pcap); the IPv4 header checksum is
recomputed and the UDP checksum cleared (0: none, valid for IPv4). TCP
packets are left alone. SIP text (Via, Contact) keeps the old address, as
it would behind a NAT.
"""
import argparse
import ipaddress
import struct
import sys

MAGIC = {b"\xd4\xc3\xb2\xa1": "<", b"\xa1\xb2\xc3\xd4": ">",
         b"\x4d\x3c\xb2\xa1": "<", b"\xa1\xb2\x3c\x4d": ">"}


def csum(hdr):
    s = sum(struct.unpack("!%dH" % (len(hdr) // 2), hdr))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def rewrite(frame, off, new):
    """frame with the IPv4 address at byte off (src 26, dst 30) set."""
    ihl = (frame[14] & 15) * 4
    f = bytearray(frame)
    f[off:off + 4] = new
    f[24:26] = b"\0\0"
    f[24:26] = struct.pack("!H", csum(bytes(f[14:14 + ihl])))
    if f[23] == 17 and len(f) >= 14 + ihl + 8:
        f[14 + ihl + 6:14 + ihl + 8] = b"\0\0"
    return bytes(f)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--src", required=True)
    ap.add_argument("--first", type=int, required=True)
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--per", type=int, default=1)
    ap.add_argument("inp")
    ap.add_argument("out")
    a = ap.parse_args()
    src = ipaddress.IPv4Address(a.src).packed
    raw = open(a.inp, "rb").read()
    if raw[:4] not in MAGIC or struct.unpack(MAGIC[raw[:4]] + "I",
                                             raw[20:24])[0] != 1:
        sys.exit("%s: not a classic Ethernet pcap" % a.inp)
    bo = MAGIC[raw[:4]]
    out, off, i, cur = [raw[:24]], 24, -1, src
    while off + 16 <= len(raw):
        hdr = raw[off:off + 16]
        incl = struct.unpack(bo + "I", hdr[8:12])[0]
        f = raw[off + 16:off + 16 + incl]
        off += 16 + incl
        if len(f) >= 34 and f[12:14] == b"\x08\x00" and f[14] >> 4 == 4:
            if f[26:30] == src:
                i += 1
                last = a.first + (i // a.per) % a.count
                cur = src[:3] + bytes([last])
                f = rewrite(f, 26, cur)
            elif f[30:34] == src:
                f = rewrite(f, 30, cur)
        out.append(hdr[:8] + struct.pack(bo + "I", len(f)) + hdr[12:16] + f)
    open(a.out, "wb").write(b"".join(out))


if __name__ == "__main__":
    main()
