#!/usr/bin/env python3
"""tests/ban/udp.py - UDP datagrams for tests/ban/backend.sh.

  udp.py send SRC DST PORT N     N datagrams from SRC (a local address)
  udp.py recv PORT SECONDS       listens on 0.0.0.0 and :: until the end
                                 mark comes (or SECONDS pass), then prints
                                 "SRC COUNT" per source
  udp.py end PORT                after a grace of 0.3 s (datagrams still
                                 on their way), sends the end mark to
                                 127.0.0.1 PORT

The receiver stops at the end mark, sent once every sender has finished,
not after a fixed time: on a loaded machine each sender, a python3 of its
own, can take a second to start, and a fixed window missed them.
"""
import select
import socket
import sys
import time

END = b'ghostguard-ban-test-end'


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
        done = False
        for s in r:
            data, addr = s.recvfrom(2048)
            if data == END:
                done = True
            else:
                seen[addr[0]] = seen.get(addr[0], 0) + 1
        if done:
            break
    for a in sorted(seen):
        print(a, seen[a])


if __name__ == '__main__':
    if sys.argv[1] == 'send':
        send(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
    elif sys.argv[1] == 'recv':
        recv(int(sys.argv[2]), float(sys.argv[3]))
    elif sys.argv[1] == 'end':
        time.sleep(0.3)
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.sendto(END, ('127.0.0.1', int(sys.argv[2])))
    else:
        sys.exit('usage: udp.py send SRC DST PORT N | recv PORT SECONDS | '
                 'end PORT')
