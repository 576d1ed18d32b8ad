#!/usr/bin/env python3
"""bench/ban/gen.py nft|ipset N TIMEOUT - the N bans of restore_bench.c
(2001:db8:X:Y::1, X:Y the index) as an `nft -f` file (a set like the nft
backend's ban6) or an `ipset restore` file (a set like gg-ban6)."""
import sys

kind, n, timeout = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
out = sys.stdout
addrs = ('2001:db8:%x:%x::1' % (i >> 16, i & 0xffff) for i in range(n))
if kind == 'nft':
    out.write('add table inet ghostguard\n'
              'add set inet ghostguard ban6 { type ipv6_addr; '
              'flags timeout; }\n')
    chunk = []
    for a in addrs:
        chunk.append('%s timeout %ds' % (a, timeout))
        if len(chunk) == 10000:
            out.write('add element inet ghostguard ban6 { %s }\n'
                      % ', '.join(chunk))
            chunk = []
    if chunk:
        out.write('add element inet ghostguard ban6 { %s }\n'
                  % ', '.join(chunk))
elif kind == 'ipset':
    out.write('create gg-ban6 hash:ip family inet6 timeout 0 maxelem %d\n'
              % max(2 * n, 65536))
    for a in addrs:
        out.write('add gg-ban6 %s timeout %d\n' % (a, timeout))
else:
    sys.exit('usage: gen.py nft|ipset N TIMEOUT')
