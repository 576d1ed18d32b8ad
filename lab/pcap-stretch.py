#!/usr/bin/env python3
"""lab/pcap-stretch.py - rewrite a capture's timestamps, to make the slow or
bursty variant of a recorded scan (packets and their order are unchanged).

    lab/pcap-stretch.py [options] IN.pcap OUT.pcap

    --factor F        every gap between packets times F (the whole capture
                      rescaled from its first packet)
    --every S --src A packets from address A start S seconds apart; the
                      packets between two of them (answers) keep their
                      delay after the one before, capped at S/2
    --offset S        move the whole capture by S seconds (after the above;
                      to make a burst straddle a second's boundary, say)
    --start T         the first packet at Unix time T (before --offset)
    --skip N          drop the first N packets (before --count)
    --count N         keep only the first N packets

Reads and writes classic pcap (micro- or nanosecond, either byte order),
not pcapng. The output keeps the input's header. Addresses are read from
Ethernet (IPv4/IPv6, 802.1Q), Linux cooked (SLL, SLL2) and raw IP frames.
"""
import argparse
import ipaddress
import struct
import sys

MAGIC = {b"\xd4\xc3\xb2\xa1": ("<", 1000), b"\xa1\xb2\xc3\xd4": (">", 1000),
         b"\x4d\x3c\xb2\xa1": ("<", 1), b"\xa1\xb2\x3c\x4d": (">", 1)}


def ip_src(linktype, data):
    """The source address of a frame, or None."""
    if linktype == 1:                       # Ethernet
        off, et = 14, data[12:14]
        while et == b"\x81\x00" and len(data) >= off + 4:
            et, off = data[off + 2:off + 4], off + 4
    elif linktype == 113:                   # Linux cooked (SLL)
        off, et = 16, data[14:16]
    elif linktype == 276:                   # SLL2
        off, et = 20, data[0:2]
    elif linktype in (101, 12, 14):         # raw IP
        off, et = 0, None
    else:
        return None
    ver = data[off] >> 4 if len(data) > off else 0
    if (et in (None, b"\x08\x00")) and ver == 4 and len(data) >= off + 20:
        return ipaddress.ip_address(data[off + 12:off + 16])
    if (et in (None, b"\x86\xdd")) and ver == 6 and len(data) >= off + 40:
        return ipaddress.ip_address(data[off + 8:off + 24])
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--factor", type=float)
    ap.add_argument("--every", type=float)
    ap.add_argument("--src")
    ap.add_argument("--offset", type=float, default=0.0)
    ap.add_argument("--start", type=float)
    ap.add_argument("--skip", type=int, default=0)
    ap.add_argument("--count", type=int)
    ap.add_argument("inp")
    ap.add_argument("out")
    a = ap.parse_args()
    if (a.every is None) != (a.src is None):
        ap.error("--every and --src go together")
    src = ipaddress.ip_address(a.src) if a.src else None
    raw = open(a.inp, "rb").read()
    if raw[:4] not in MAGIC:
        sys.exit("%s: not a classic pcap file" % a.inp)
    bo, unit = MAGIC[raw[:4]]               # unit: ns per fraction tick
    linktype = struct.unpack(bo + "I", raw[20:24])[0] & 0x0fffffff
    pkts, off = [], 24
    while off + 16 <= len(raw):
        sec, frac, incl, orig = struct.unpack(bo + "IIII", raw[off:off + 16])
        data = raw[off + 16:off + 16 + incl]
        pkts.append([sec * 10**9 + frac * unit, orig, data])
        off += 16 + incl
    pkts = pkts[a.skip:]
    if a.count is not None:
        pkts = pkts[:a.count]
    if not pkts:
        sys.exit("%s: no packets" % a.inp)
    t0 = pkts[0][0]
    new0 = int(a.start * 1e9) if a.start is not None else t0
    out, slot, prev_in, prev_out = [], None, t0, new0
    for ts, orig, data in pkts:
        rel = ts - t0
        if a.factor is not None:
            t = new0 + int(rel * a.factor)
        elif src is not None:
            if ip_src(linktype, data) == src:
                slot = new0 if slot is None else slot + int(a.every * 1e9)
                t = max(slot, prev_out)
            else:
                t = prev_out + min(ts - prev_in, int(a.every * 1e9) // 2)
        else:
            t = new0 + rel
        prev_in, prev_out = ts, t
        out.append((t + int(a.offset * 1e9), orig, data))
    with open(a.out, "wb") as f:
        f.write(raw[:24])
        for t, orig, data in out:
            if t < 0:
                sys.exit("negative timestamp: check --offset")
            f.write(struct.pack(bo + "IIII", t // 10**9,
                                (t % 10**9) // unit, len(data), orig))
            f.write(data)


if __name__ == "__main__":
    main()
