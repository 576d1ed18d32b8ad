#!/usr/bin/env python3
"""tests/analyze/mkodd.py IN.pcap OUTDIR - odd variants of a classic pcap.

src/io/pcap.c reads a classic pcap in this machine's byte order from a
memory map while each record is one libpcap would hand over unchanged, and
leaves the rest to libpcap from there. These variants of IN (a little-endian
microsecond pcap, version 2.4) put records and headers the map must leave
to libpcap, or read as libpcap does, at several places: nanosecond stamps,
the other byte order, version 2.3, a small snaplen in the header (libpcap
cuts longer records), a record bigger than libpcap's maximum, the file cut
in a record and in a record header, negative and oversized time fields.
Each is written to OUTDIR/NAME.pcap. Standard library only.
"""
import os
import struct
import sys


def records(data):
    """(header fields, bytes) of each record of a classic LE pcap."""
    off = 24
    while off + 16 <= len(data):
        sec, sub, cap, ln = struct.unpack_from("<IIII", data, off)
        yield [sec, sub, cap, ln], data[off + 16:off + 16 + cap]
        off += 16 + cap


def write(path, hdr, recs, endian="<", tail=b""):
    with open(path, "wb") as f:
        f.write(struct.pack(endian + "IHHiIII", *hdr))
        for h, body in recs:
            f.write(struct.pack(endian + "IIII", *h) + body)
        f.write(tail)


def main():
    src, out = sys.argv[1], sys.argv[2]
    data = open(src, "rb").read()
    magic, vmaj, vmin, zone, sigfigs, snap, lt = struct.unpack_from(
        "<IHHiIII", data, 0)
    hdr = [0xa1b2c3d4, 2, 4, 0, 0, 65535, lt]
    recs = list(records(data))
    mid = len(recs) // 2

    def p(name):
        return os.path.join(out, name + ".pcap")

    write(p("plain"), hdr, recs)
    ns = [([h[0], h[1] * 1000, h[2], h[3]], b) for h, b in recs]
    write(p("nsec"), [0xa1b23c4d] + hdr[1:], ns)
    write(p("bigendian"), hdr, recs, ">")
    write(p("v23"), hdr[:2] + [3] + hdr[3:], recs)
    write(p("snaplen200"), hdr[:5] + [200, lt], recs)
    write(p("snaplen0"), hdr[:5] + [0, lt], recs)
    big = recs[:mid] + [([1, 0, 300000, 300000], b"\0" * 300000)] + \
        recs[mid:]
    write(p("hugerecord"), hdr, big)
    cut = recs[:mid] + [(recs[mid][0], recs[mid][1][:10])]
    write(p("cutrecord"), hdr, cut)
    write(p("cutheader"), hdr, recs[:mid], tail=b"\1\2\3\4\5\6\7")
    odd = [([h[0] | (0x80000000 if i % 5 == 0 else 0),
             h[1] + (3000000 if i % 7 == 0 else 0), h[2], h[3]], b)
           for i, (h, b) in enumerate(recs)]
    write(p("oddtime"), hdr, odd)
    nsodd = [([h[0], 0xfffffff0 if i % 3 == 0 else h[1] * 1000, h[2],
               h[3]], b) for i, (h, b) in enumerate(recs)]
    write(p("nsecodd"), [0xa1b23c4d] + hdr[1:], nsodd)
    write(p("empty"), hdr, [])
    write(p("headeronly"), hdr, [], tail=b"")


if __name__ == "__main__":
    main()
