#!/usr/bin/env python3
"""lab/pcap-subst.py - replace bytes in the UDP payloads of a capture by bytes
of the same length, to make the variant of a recorded scan that a modified
tool would send (a valid Contact in place of svmap's 'Contact: None', say).

    lab/pcap-subst.py OLD NEW IN.pcap OUT.pcap

OLD and NEW are texts of the same length (Python escapes allowed, e.g.
'\\r\\n'). Lengths are unchanged, so every header stays valid; the UDP
checksum of an IPv4 datagram that changed is set to 0 (no checksum,
RFC 768). Classic pcap, Ethernet or raw IPv4 frames.
"""
import struct
import sys

MAGIC = {b"\xd4\xc3\xb2\xa1": "<", b"\xa1\xb2\xc3\xd4": ">",
         b"\x4d\x3c\xb2\xa1": "<", b"\xa1\xb2\x3c\x4d": ">"}


def udp_csum_off(linktype, data):
    """The offset of the UDP checksum of an IPv4 UDP frame, or None."""
    off = {1: 14, 101: 0, 228: 0}.get(linktype)
    if off is None or len(data) < off + 28 or data[off] >> 4 != 4:
        return None
    if linktype == 1 and data[12:14] != b"\x08\x00":
        return None
    if data[off + 9] != 17:
        return None
    return off + (data[off] & 15) * 4 + 6


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__.strip().splitlines()[2].strip())
    old, new = (s.encode().decode("unicode_escape").encode("latin-1")
                for s in sys.argv[1:3])
    if len(old) != len(new) or not old:
        sys.exit("pcap-subst: OLD and NEW must have the same length")
    with open(sys.argv[3], "rb") as f:
        buf = f.read()
    e = MAGIC.get(buf[:4])
    if e is None:
        sys.exit("pcap-subst: %s: not a classic pcap file" % sys.argv[3])
    linktype = struct.unpack(e + "I", buf[20:24])[0]
    out, pos, n = [buf[:24]], 24, 0
    while pos + 16 <= len(buf):
        caplen = struct.unpack(e + "I", buf[pos + 8:pos + 12])[0]
        data = bytearray(buf[pos + 16:pos + 16 + caplen])
        if old in data:
            data = bytearray(bytes(data).replace(old, new))
            c = udp_csum_off(linktype, data)
            if c is not None:
                data[c:c + 2] = b"\0\0"
            n += 1
        out += [buf[pos:pos + 16], bytes(data)]
        pos += 16 + caplen
    with open(sys.argv[4], "wb") as f:
        f.write(b"".join(out))
    print("pcap-subst: %d packets changed" % n, file=sys.stderr)


if __name__ == "__main__":
    main()
