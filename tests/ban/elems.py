#!/usr/bin/env python3
"""tests/ban/elems.py - the elements of ghostguard's ban sets, one per line
("SET ADDR[/PLEN]"), sorted, duplicates kept (so a test sees them).

  elems.py nft      sets ban4, ban6, ban4net, ban6net of `inet ghostguard`
  elems.py ipset    sets gg-ban4, gg-ban6, gg-ban4net, gg-ban6net
"""
import json
import subprocess
import sys


def nft():
    out = subprocess.run(['nft', '-j', 'list', 'table', 'inet', 'ghostguard'],
                         check=True, capture_output=True, text=True).stdout
    res = []
    for obj in json.loads(out)['nftables']:
        s = obj.get('set')
        if not s:
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
        out = subprocess.run(['ipset', 'save', name], check=True,
                             capture_output=True, text=True).stdout
        for line in out.splitlines():
            f = line.split()
            if f[0] == 'add':
                res.append('%s %s' % (f[1], f[2]))
    return res


if __name__ == '__main__':
    for line in sorted({'nft': nft, 'ipset': ipset}[sys.argv[1]]()):
        print(line)
