#!/usr/bin/env python3
"""tests/ban/udp.py - UDP datagrams for tests/ban/backend.sh.

  udp.py send SRC DST PORT N     N datagrams from SRC (a local address)
  udp.py recv PORT SECONDS       listens on 0.0.0.0 and :: for SECONDS,
                                 then prints "SRC COUNT" per source
"""
import select
import socket
import sys
import time


def send(src, dst, port, n):
    fam = socket.AF_INET6 if ':' in dst else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.bind((src, 0))
    for i in range(n):
        s.sendto(b'ghostguard-ban-test %d' % i, (dst, port))
    s.close()


def recv(port, seconds):
    socks = []
    for fam, any_ in ((socket.AF_INET, '0.0.0.0'), (socket.AF_INET6, '::')):
        s = socket.socket(fam, socket.SOCK_DGRAM)
        if fam == socket.AF_INET6:
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        s.bind((any_, port))
        socks.append(s)
    print('ready', flush=True)
    seen = {}
    end = time.monotonic() + seconds
    while True:
        left = end - time.monotonic()
        if left <= 0:
            break
        r, _, _ = select.select(socks, [], [], left)
        for s in r:
            _, addr = s.recvfrom(2048)
            seen[addr[0]] = seen.get(addr[0], 0) + 1
    for a in sorted(seen):
        print(a, seen[a])


if __name__ == '__main__':
    if sys.argv[1] == 'send':
        send(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
    elif sys.argv[1] == 'recv':
        recv(int(sys.argv[2]), float(sys.argv[3]))
    else:
        sys.exit('usage: udp.py send SRC DST PORT N | recv PORT SECONDS')
