#!/usr/bin/env python3
"""bench/mkpcap.py - builds the large captures `make bench` times.

    mkpcap.py big OUT PACKETS CAPTURE...
        Takes every SIP-carrying UDP datagram of the given classic pcap files
        (Ethernet, Linux cooked v1, raw IP; 802.1Q; IPv4 and IPv6, unfragmented)
        and writes them again and again, round after round, as Ethernet frames
        until PACKETS frames are written. In each round every original address
        is mapped to a fresh one (198.18.0.0/15, the benchmarking range of RFC
        2544, and 2001:db8::/32), so requests and their answers stay paired and
        the engine sees many sources; one round in four is written as IPv6.
        Timestamps keep each capture's own spacing (gaps clamped to 1 s) and
        always increase.

    mkpcap.py sources OUT PACKETS TEMPLATE_CAPTURE
        A distributed sweep: PACKETS copies of the first SIP request of the
        capture, each from a different source address (198.18.0.0/15, then
        2001:db8::/96), to measure the tracker's memory with that many sources.

Standard library only; IPv4 and UDP checksums are computed (UDP over IPv6
too). Deterministic: the same inputs give the same bytes.
"""
import array
import struct
import sys

VERSION = "mkpcap 1"	# bump when the output changes
SIP_PORTS = (5060, 5061, 5080)
V4_POOL_BASE = (198 << 24) | (18 << 16)	# 198.18.0.0/15
V4_POOL_SIZE = 1 << 17
V6_PREFIX = bytes.fromhex("20010db8") + bytes(4)	# 2001:db8::/64
SERVER_V4 = bytes([203, 0, 113, 10])	# the swept PBX (sources mode)
SERVER_V6 = bytes.fromhex("20010db8ffff" + "00" * 9 + "0a")
MAC_DST = bytes.fromhex("020000000001")
MAC_SRC = bytes.fromhex("020000000002")


def read_pcap(path):
	"""Yields (ts_ns, linktype, frame) of a classic pcap file."""
	with open(path, "rb") as f:
		data = f.read()
	if len(data) < 24:
		return
	magic = data[:4]
	if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
		e = "<"
	elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
		e = ">"
	else:
		return	# pcapng or other: not used
	nano = magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
	linktype = struct.unpack(e + "I", data[20:24])[0] & 0xffff
	off = 24
	while off + 16 <= len(data):
		sec, frac, incl, _ = struct.unpack(e + "IIII", data[off:off + 16])
		off += 16
		if off + incl > len(data):
			break
		ts = sec * 1000000000 + (frac if nano else frac * 1000)
		yield ts, linktype, data[off:off + incl]
		off += incl


def ip_of(linktype, fr):
	"""The IP packet inside a frame, or None."""
	if linktype == 1:
		off, et = 14, fr[12:14]
	elif linktype == 113:
		off, et = 16, fr[14:16]
	elif linktype in (12, 14, 101):
		return fr
	else:
		return None
	while et in (b"\x81\x00", b"\x88\xa8") and len(fr) >= off + 4:
		et = fr[off + 2:off + 4]
		off += 4
	if et not in (b"\x08\x00", b"\x86\xdd"):
		return None
	return fr[off:]


def looks_sip(p):
	line = p[:p.find(b"\n")] if b"\n" in p else p[:200]
	return p.startswith(b"SIP/2.0 ") or line.rstrip().endswith(b"SIP/2.0")


def udp_sip(ip):
	"""(v6, src, dst, sport, dport, payload) of a SIP UDP datagram, or None."""
	if len(ip) < 20:
		return None
	if ip[0] >> 4 == 4:
		ihl = (ip[0] & 15) * 4
		tot = struct.unpack(">H", ip[2:4])[0]
		frag = struct.unpack(">H", ip[6:8])[0]
		if ip[9] != 17 or frag & 0x3fff or len(ip) < ihl + 8:
			return None
		src, dst, v6 = ip[12:16], ip[16:20], False
		udp = ip[ihl:min(tot, len(ip))] if tot >= ihl + 8 else ip[ihl:]
	elif ip[0] >> 4 == 6 and len(ip) >= 48:
		if ip[6] != 17:
			return None	# extension headers: not used
		src, dst, v6 = ip[8:24], ip[24:40], True
		udp = ip[40:]
	else:
		return None
	sport, dport, ulen = struct.unpack(">HHH", udp[:6])
	payload = udp[8:ulen] if 8 <= ulen <= len(udp) else None
	if not payload or payload.strip(b"\r\n") == b"":
		return None
	if sport not in SIP_PORTS and dport not in SIP_PORTS and \
	    not looks_sip(payload):
		return None
	return v6, src, dst, sport, dport, payload


def word_sum(b):
	"""Sum of the big-endian 16-bit words of b (not folded)."""
	if len(b) & 1:
		b += b"\0"
	a = array.array("H", b)
	if sys.byteorder == "little":
		a.byteswap()
	return sum(a)


def fold(s):
	while s >> 16:
		s = (s & 0xffff) + (s >> 16)
	return s


class Writer:
	def __init__(self, path):
		self.f = open(path, "wb")
		self.f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0,
		    65535, 1))
		self.n = 0

	def packet(self, ts_ns, v6, src, dst, sport, dport, payload, psum):
		"""psum: word_sum(payload), computed once per template."""
		ulen = 8 + len(payload)
		if v6:
			s = psum + word_sum(src + dst) + ulen + 17 + \
			    sport + dport + ulen
			ck = (~fold(s)) & 0xffff or 0xffff
			udp = struct.pack(">HHHH", sport, dport, ulen, ck)
			ip = struct.pack(">IHBB", 6 << 28, ulen, 17, 64) + \
			    src + dst
			eth = MAC_DST + MAC_SRC + b"\x86\xdd"
		else:
			s = psum + word_sum(src + dst) + 17 + ulen + \
			    sport + dport + ulen
			ck = (~fold(s)) & 0xffff or 0xffff
			udp = struct.pack(">HHHH", sport, dport, ulen, ck)
			hdr = struct.pack(">BBHHHBBH", 0x45, 0, 20 + ulen,
			    self.n & 0xffff, 0, 64, 17, 0) + src + dst
			hck = (~fold(word_sum(hdr))) & 0xffff
			ip = hdr[:10] + struct.pack(">H", hck) + hdr[12:]
			eth = MAC_DST + MAC_SRC + b"\x08\x00"
		frame = eth + ip + udp
		caplen = len(frame) + len(payload)
		self.f.write(struct.pack("<IIII", ts_ns // 1000000000,
		    ts_ns % 1000000000 // 1000, caplen, caplen))
		self.f.write(frame)
		self.f.write(payload)
		self.n += 1

	def close(self):
		self.f.close()


def v4_addr(i):
	return struct.pack(">I", V4_POOL_BASE + i % V4_POOL_SIZE)


def v6_addr(i):
	return V6_PREFIX + struct.pack(">Q", i + 1)


def load_templates(paths):
	"""Every SIP UDP datagram with its gap to the previous one (ns)."""
	tpl = []
	for path in paths:
		prev = None
		for ts, lt, fr in read_pcap(path):
			ip = ip_of(lt, fr)
			d = udp_sip(ip) if ip else None
			if d is None:
				continue
			gap = 1000000 if prev is None else \
			    min(max(ts - prev, 1000), 1000000000)
			prev = ts
			tpl.append((gap,) + d)
	return tpl


def make_big(out, total, paths):
	tpl = load_templates(paths)
	if not tpl:
		sys.exit("mkpcap: no SIP datagrams in the inputs")
	# Original addresses, numbered in order of appearance: each gets a
	# fresh address every round.
	idx = {}
	for t in tpl:
		for a in (t[2], t[3]):
			idx.setdefault(a, len(idx))
	psums = [word_sum(t[6]) for t in tpl]
	w = Writer(out)
	ts = 1700000000 * 1000000000
	n_orig = len(idx)
	r = 0
	while w.n < total:
		v6 = r % 4 == 3
		for t, ps in zip(tpl, psums):
			if w.n >= total:
				break
			gap, _, src, dst, sport, dport, payload = t
			ts += gap
			a = [None, None]
			for k, orig in enumerate((src, dst)):
				i = r * n_orig + idx[orig]
				a[k] = v6_addr(i) if v6 else v4_addr(i)
			w.packet(ts, v6, a[0], a[1], sport, dport, payload, ps)
		r += 1
	w.close()
	print("mkpcap: %s: %d packets, %d templates, %d rounds, "
	    "%d addresses per round" % (out, w.n, len(tpl), r, n_orig))


def make_sources(out, total, path):
	tpl = [t for t in load_templates([path])
	    if not t[6].startswith(b"SIP/2.0")]
	if not tpl:
		sys.exit("mkpcap: no SIP request in " + path)
	_, _, _, _, sport, dport, payload = tpl[0]
	ps = word_sum(payload)
	w = Writer(out)
	ts = 1700000000 * 1000000000
	for i in range(total):
		ts += 10000
		if i < V4_POOL_SIZE:
			w.packet(ts, False, v4_addr(i), SERVER_V4, sport, dport,
			    payload, ps)
		else:
			w.packet(ts, True, v6_addr(i), SERVER_V6, sport, dport,
			    payload, ps)
	w.close()
	print("mkpcap: %s: %d packets from %d sources" % (out, w.n, w.n))


def main(argv):
	if len(argv) >= 2 and argv[1] == "--version":
		print(VERSION)
		return
	if len(argv) < 5 or argv[1] not in ("big", "sources"):
		sys.exit(__doc__)
	if argv[1] == "big":
		make_big(argv[2], int(argv[3]), argv[4:])
	else:
		make_sources(argv[2], int(argv[3]), argv[4])


if __name__ == "__main__":
	main(sys.argv)
