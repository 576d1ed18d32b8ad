#!/usr/bin/env python3
"""tests/ban/elems.py - the elements of ghostguard's ban sets, one per line
("SET ADDR[/PLEN]"), sorted, duplicates kept (so a test sees them); a
set or table that does not exist has none.

  elems.py nft      sets ban4, ban6, ban4net, ban6net of `inet ghostguard`
  elems.py ipset    sets gg-ban4, gg-ban6, gg-ban4net, gg-ban6net
"""
import json
import subprocess
import sys


BAN_SETS = ('ban4', 'ban6', 'ban4net', 'ban6net')


def nft():
    p = subprocess.run(['nft', '-j', 'list', 'table', 'inet', 'ghostguard'],
                       capture_output=True, text=True)
    res = []
    if p.returncode != 0:       # no table: no element
        return res
    for obj in json.loads(p.stdout)['nftables']:
        s = obj.get('set')
        if not s or s['name'] not in BAN_SETS:
            continue
        for e in s.get('elem', []):
            v = e['elem']['val'] if isinstance(e, dict) and 'elem' in e else e
            if isinstance(v, dict) and 'prefix' in v:
                v = '%s/%d' % (v['prefix']['addr'], v['prefix']['len'])
            elif isinstance(v, dict) and 'range' in v:
                v = '%s-%s' % tuple(v['range'])
            res.append('%s %s' % (s['name'], v))
    return res


def ipset():
    res = []
    for name in ('gg-ban4', 'gg-ban6', 'gg-ban4net', 'gg-ban6net'):
        p = subprocess.run(['ipset', 'save', name], capture_output=True,
                           text=True)
        if p.returncode != 0:   # no such set: no element
            continue
        for line in p.stdout.splitlines():
            f = line.split()
            if f[0] == 'add':
                res.append('%s %s' % (f[1], f[2]))
    return res


if __name__ == '__main__':
    for line in sorted({'nft': nft, 'ipset': ipset}[sys.argv[1]]()):
        print(line)
