#!/usr/bin/env python3
"""tests/inline/bans/tool.py - small helpers of tests/inline/bans.sh.

  tool.py send SRC DST N [UA]      N SIP OPTIONS over UDP from SRC (a local
                                   address, port 5070) to DST:5060, 5 ms
                                   apart; UA "bans-test" unless given
  tool.py spoof SRC DST N RATE     N UDP SIP requests (OPTIONS and INVITE,
                                   alternating) with the forged source SRC,
                                   or a random host of SRC when it is an
                                   IPv4 network (A.B.C.D/LEN: many sources)
                                   (raw socket, IP_HDRINCL) to DST:5060,
                                   RATE a second, carrying sipvicious'
                                   fingerprints (User-Agent friendly-scanner,
                                   z9hG4bK-<digits> branch, all-digit
                                   Call-ID); prints how many were sent
  tool.py junk SOCKET              garbage on a Unix stream socket: binary
                                   junk, NUL bytes, 100 kB without a newline,
                                   half a line then close, a few slow bytes;
                                   prints one line per connection
  tool.py elems [SET...]           reads `nft -j list ruleset` on stdin,
                                   prints "SET ADDR TIMEOUT EXPIRES" per
                                   element of table inet ghostguard
  tool.py json                     stdin must be a JSON array of objects
                                   with "addr" and "expires"; prints the
                                   addresses, one per line
  tool.py get URL                  prints the body of an HTTP GET (5 s)
"""
import json
import random
import select
import signal
import socket
import struct
import sys
import time


def sip(method, dst, src, sport, ua, n):
    branch = 'z9hG4bK-%d' % random.randrange(10 ** 9, 10 ** 10)
    callid = '%d' % random.randrange(10 ** 17, 10 ** 18)
    return ('%s sip:100@%s SIP/2.0\r\n'
            'Via: SIP/2.0/UDP %s:%d;branch=%s;rport\r\n'
            'Max-Forwards: 70\r\n'
            'To: "sipvicious"<sip:100@1.1.1.1>\r\n'
            'From: "sipvicious"<sip:100@1.1.1.1>;tag=%d\r\n'
            'User-Agent: %s\r\n'
            'Call-ID: %s\r\n'
            'Contact: <sip:100@%s:%d>\r\n'
            'CSeq: %d %s\r\n'
            'Accept: application/sdp\r\n'
            'Content-Length: 0\r\n\r\n' % (
                method, dst, src, sport, branch, 6000 + n, ua, callid,
                src, sport, n + 1, method)).encode()


def send(src, dst, n, ua):
    fam = socket.AF_INET6 if ':' in dst else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.bind((src, 5070))
    for i in range(n):
        m = ('OPTIONS sip:%s SIP/2.0\r\n'
             'Via: SIP/2.0/UDP %s:5070;branch=z9hG4bKbt%08x;rport\r\n'
             'Max-Forwards: 70\r\nTo: <sip:%s>\r\n'
             'From: <sip:probe@%s>;tag=bt%d\r\nCall-ID: bt-%08x@%s\r\n'
             'CSeq: %d OPTIONS\r\nUser-Agent: %s\r\n'
             'Content-Length: 0\r\n\r\n' % (
                 dst, src, random.getrandbits(32), dst, src, i,
                 random.getrandbits(32), src, i + 1, ua)).encode()
        s.sendto(m, (dst, 5060))
        time.sleep(0.005)
    s.close()


def csum(b):
    if len(b) % 2:
        b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff)
    s += s >> 16
    return ~s & 0xffff


def spoof(srcs, dst, n, rate):
    import ipaddress
    net = ipaddress.ip_network(srcs, strict=False)
    hosts = [str(h) for h in net.hosts()] or [str(net.network_address)]
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_HDRINCL, 1)
    da = socket.inet_aton(dst)
    sport = 5090
    gap = 1.0 / rate
    t0 = time.monotonic()
    sent = 0
    for i in range(n):
        src = random.choice(hosts)
        sa = socket.inet_aton(src)
        payload = sip('INVITE' if i % 2 else 'OPTIONS', dst, src, sport,
                      'friendly-scanner', i)
        ulen = 8 + len(payload)
        uh = struct.pack('!HHHH', sport, 5060, ulen, 0)
        pseudo = sa + da + struct.pack('!BBH', 0, 17, ulen)
        c = csum(pseudo + uh + payload) or 0xffff
        uh = struct.pack('!HHHH', sport, 5060, ulen, c)
        ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + ulen,
                         random.getrandbits(16), 0, 64, 17, 0, sa, da)
        s.sendto(ip + uh + payload, (dst, 0))
        sent += 1
        delay = t0 + (i + 1) * gap - time.monotonic()
        if delay > 0:
            time.sleep(delay)
    print(sent)


def junk(path):
    def conn():
        c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        c.settimeout(5)
        c.connect(path)
        return c

    def drain(c):
        got = b''
        try:
            while True:
                r, _, _ = select.select([c], [], [], 2)
                if not r:
                    break
                d = c.recv(65536)
                if not d:
                    break
                got += d
        except OSError:
            pass
        return got

    rnd = random.Random(4)
    cases = [
        ('binary junk', bytes(rnd.getrandbits(8) for _ in range(4096))),
        ('NUL bytes', b'\0' * 2048 + b'\n'),
        ('100 kB without a newline', b'A' * 100000),
        ('binary junk with newlines',
         b'\xff\xfe\n\x00status\n\x80\x81\n' * 64),
        ('an over-long word then a newline', b'ban ' + b'9' * 5000 + b'\n'),
    ]
    for what, data in cases:
        c = conn()
        # The daemon may close a connection whose line is too long before
        # all of it is sent (EPIPE, ECONNRESET): that is an answer too, and
        # the connection still counts once.
        sent = 'sent %d bytes' % len(data)
        try:
            c.sendall(data)
        except OSError as e:
            sent = 'send stopped by the daemon (%s)' % e.strerror
        got = drain(c)
        c.close()
        print('%s: %s, answer %d bytes' % (what, sent, len(got)))
    c = conn()
    c.sendall(b'sta')
    c.close()
    print('half a line, then close')
    c = conn()
    c.close()
    print('connect, then close')


def elems(sets):
    doc = json.load(sys.stdin)
    for obj in doc.get('nftables', []):
        s = obj.get('set')
        if not s or s.get('table') != 'ghostguard':
            continue
        if sets and s['name'] not in sets:
            continue
        for e in s.get('elem', []):
            to = ex = '-'
            v = e
            if isinstance(e, dict) and 'elem' in e:
                v = e['elem'].get('val')
                to = e['elem'].get('timeout', '-')
                ex = e['elem'].get('expires', '-')
            if isinstance(v, dict) and 'prefix' in v:
                v = '%s/%d' % (v['prefix']['addr'], v['prefix']['len'])
            elif isinstance(v, dict) and 'range' in v:
                v = '%s-%s' % tuple(v['range'])
            print(s['name'], v, to, ex)


def bans_json():
    doc = json.load(sys.stdin)
    if not isinstance(doc, list):
        sys.exit('not a JSON array')
    for b in doc:
        if 'addr' not in b or 'expires' not in b:
            sys.exit('an entry without addr or expires: %r' % (b,))
        print(b['addr'], b['expires'], b.get('count', '-'),
              b.get('tool', '-'))


def get(url):
    import urllib.request
    with urllib.request.urlopen(url, timeout=5) as r:
        sys.stdout.write(r.read().decode())


if __name__ == '__main__':
    a = sys.argv[1:]
    # Printers read by `grep -q` and such: a closed pipe ends them quietly
    # (not junk: its sockets must see EPIPE, not die of SIGPIPE).
    if a and a[0] in ('elems', 'json', 'get'):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    if a and a[0] == 'send':
        send(a[1], a[2], int(a[3]), a[4] if len(a) > 4 else 'bans-test')
    elif a and a[0] == 'spoof':
        spoof(a[1], a[2], int(a[3]), float(a[4]))
    elif a and a[0] == 'junk':
        junk(a[1])
    elif a and a[0] == 'elems':
        elems(a[1:])
    elif a and a[0] == 'json':
        bans_json()
    elif a and a[0] == 'get':
        get(a[1])
    else:
        sys.exit(__doc__)
