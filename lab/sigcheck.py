#!/usr/bin/env python3
"""lab/sigcheck.py - try proposed signatures on pcap files (a reference model
of the signature format, for checking proposals against captures; the real
matcher is ghostguard's src/engine/).

    lab/sigcheck.py SIGFILE PCAP...        summary: matches per signature per file
    lab/sigcheck.py -v SIGFILE PCAP...     also print each matching request

SIGFILE is a signatures.conf-style file, or a Markdown file whose ```conf
blocks hold the signatures (docs/fingerprints.md). Requests are taken from
UDP and TCP payloads that start with a SIP request line (tshark extracts
them); one TCP segment is one message, which is enough for these captures.

The format is the one of src/engine/sig.h: operators is, contains, prefix,
suffix, exact, shape (classes D H L U A X W '.', bracket sets, {n,m} + *),
present, absent, eq, lt, gt, same FIELD2, in FIELD2; 'order' with is (these
lines exactly) or prefix; header.NAME by either form of a name with a
compact one (header.via finds a "v:" line, header.v a "Via:" line), line.NAME
by the name as written; both in a header section that does not end too.
Differences from the engine, which stays the reference (try a file on
captures with `ghostguard analyze -c CONF` and `signatures FILE` in CONF):
the parser's rejections (a malformed Via still gives 'via' there, not
via.branch) are approximated.
"""
import re
import subprocess
import sys

COMPACT = {'v': 'via', 'f': 'from', 't': 'to', 'i': 'call-id', 'm': 'contact',
           'l': 'content-length', 'c': 'content-type', 'k': 'supported',
           's': 'subject', 'e': 'content-encoding', 'o': 'event'}
# Every compact form (RFC 3261 7.3.3 and the IANA registry, as the parser
# knows them): header.NAME finds a line of either form.
ALIAS = dict(COMPACT, a='accept-contact', b='referred-by', d='request-disposition',
             j='reject-contact', n='identity-info', r='refer-to', u='allow-events',
             x='session-expires', y='identity')
ALIAS.update({v: k for k, v in list(ALIAS.items())})
CANON = {'via': 'Via', 'from': 'From', 'to': 'To', 'call-id': 'Call-ID',
         'contact': 'Contact', 'content-length': 'Content-Length',
         'content-type': 'Content-Type', 'cseq': 'CSeq',
         'max-forwards': 'Max-Forwards', 'user-agent': 'User-Agent'}


def shape_to_regex(pat):
    out, i = [], 0
    classes = {'D': '[0-9]', 'H': '[0-9A-Fa-f]', 'L': '[a-z]', 'U': '[A-Z]',
               'A': '[A-Za-z]', 'X': '[A-Za-z0-9]', 'W': '[A-Za-z0-9_]', '.': '.'}
    while i < len(pat):
        c = pat[i]
        if c == '\\' and i + 1 < len(pat):
            out.append(re.escape(pat[i + 1]))
            i += 2
        elif c in classes:
            out.append(classes[c])
            i += 1
        elif c == '[':
            j = pat.find(']', i + 2)
            if j < 0:
                return re.compile(r'(?!)')     # a bad set matches nothing
            body = pat[i + 1:j]
            neg = body.startswith('^')
            body = body[1:] if neg else body
            out.append('[' + ('^' if neg else '') +
                       body.replace('\\', '\\\\').replace(']', '\\]') + ']')
            i = j + 1
        elif c == '{':
            j = pat.index('}', i)
            out.append(pat[i:j + 1])
            i = j + 1
        elif c in '+*':
            out.append(c)
            i += 1
        else:
            out.append(re.escape(c))
            i += 1
    return re.compile('(?s)' + ''.join(out) + r'\Z')


def strip_comment(raw):
    """Drop a '#' comment that starts outside double quotes."""
    inq = False
    for i, c in enumerate(raw):
        if c == '"' and (i == 0 or raw[i - 1] != '\\'):
            inq = not inq
        elif c == '#' and not inq:
            return raw[:i].rstrip()
    return raw.rstrip()


def parse_sigs(path):
    text = open(path, encoding='utf-8').read()
    if path.endswith('.md'):
        text = '\n'.join(re.findall(r'```conf\n(.*?)```', text, re.S))
    sigs, cur = [], None
    for raw in text.split('\n'):
        line = strip_comment(raw)
        if not line.strip():
            continue
        if not line[0].isspace():
            kw, _, rest = line.strip().partition(' ')
            if kw != 'signature':
                raise SystemExit('bad line: %r' % raw)
            cur = {'name': rest.strip(), 'match': []}
            sigs.append(cur)
            continue
        kw, _, rest = line.strip().partition('\t')
        if not rest:
            kw, _, rest = line.strip().partition(' ')
        rest = rest.strip()
        if kw == 'match':
            m = re.match(r'(\S+)\s+(is|contains|prefix|suffix|shape|eq|lt|gt|present|absent|exact|same|in)\s*(.*)$', rest)
            if not m:
                raise SystemExit('bad match in %s: %r' % (cur['name'], rest))
            field, op, arg = m.groups()
            arg = arg.strip()
            if arg.startswith('"'):
                arg = arg[1:arg.rindex('"')].replace('\\"', '"')
            cur['match'].append((field, op, arg))
        else:
            cur[kw] = rest
    return sigs


def parse_nameaddr(v):
    """display, user, host, tag, full uri of a From/To/Contact value."""
    d = {'display': '', 'user': '', 'host': '', 'tag': ''}
    v = v.strip()
    m = re.match(r'\s*(?:"((?:[^"\\]|\\.)*)"|([^<"]*?))\s*<([^>]*)>(.*)$', v)
    if m:
        d['display'] = m.group(1) if m.group(1) is not None else (m.group(2) or '').strip()
        uri, params = m.group(3), m.group(4)
    else:
        uri, _, params = v.partition(';')
        params = ';' + params
    m = re.search(r';\s*tag=([^;\s]+)', params)
    if m:
        d['tag'] = m.group(1)
    u = re.sub(r'^(sips?|tel):', '', uri)
    u = u.split(';')[0].split('?')[0]
    if '@' in u:
        d['user'], hp = u.rsplit('@', 1)
    else:
        hp = u
    if hp.startswith('['):
        d['host'] = hp[1:hp.index(']')] if ']' in hp else hp
    else:
        d['host'] = hp.split(':')[0]
    return d


def parse_msg(data):
    head = data.split(b'\r\n\r\n', 1)[0].split(b'\n\n', 1)[0].decode('latin-1')
    lines = head.replace('\r\n', '\n').split('\n')
    start = lines[0]
    m = re.match(r'([A-Za-z]+) (\S+) SIP/2\.0$', start.strip())
    if not m:
        return None
    f = {'method': m.group(1), 'ruri': m.group(2)}
    ru = re.match(r'(sips?|tel):(.*)', m.group(2))
    f['ruri.scheme'] = ru.group(1) if ru else ''
    rest = ru.group(2) if ru else m.group(2)
    rest = rest.split(';')[0]
    if '@' in rest:
        f['ruri.user'], hp = rest.rsplit('@', 1)
    else:
        f['ruri.user'], hp = '', rest
    f['ruri.host'] = hp[1:hp.index(']')] if hp.startswith('[') and ']' in hp else hp.split(':')[0]
    hdrs, rawlines = [], []
    for ln in lines[1:]:
        if ln[:1] in (' ', '\t') and hdrs:
            hdrs[-1] = (hdrs[-1][0], hdrs[-1][1] + ' ' + ln.strip())
            continue
        if ':' not in ln:
            continue
        n, v = ln.split(':', 1)
        raw = n.strip().lower()
        name = COMPACT.get(raw, raw)
        hdrs.append((name, v.strip()))
        rawlines.append((raw, ln, v.strip()))
    first = {}
    for n, v in hdrs:
        first.setdefault(n, v)
    for h in ('from', 'to', 'contact'):
        if h in first:
            f[h] = first[h]
            for k, val in parse_nameaddr(first[h]).items():
                if h == 'contact' and k in ('display', 'tag'):
                    continue
                f[h + '.' + k] = val
    if 'via' in first:
        v = first['via']
        f['via'] = v
        m = re.match(r'SIP\s*/\s*2\.0\s*/\s*(\S+)\s+(\[[^\]]+\]|[^:;\s]+)(?::(\d+))?', v)
        if m:
            f['via.transport'] = m.group(1)
            f['via.host'] = m.group(2).strip('[]')
            f['via.port'] = m.group(3) or ''
        m = re.search(r';\s*branch=([^;,\s]+)', v)
        if m:
            f['via.branch'] = m.group(1)
    for h in ('call-id', 'user-agent', 'server', 'max-forwards', 'content-length', 'expires'):
        if h in first:
            f[h] = first[h]
    if 'cseq' in first:
        parts = first['cseq'].split()
        f['cseq'] = parts[0] if parts else ''
        f['cseq.method'] = parts[1] if len(parts) > 1 else ''
    for h in ('authorization', 'proxy-authorization'):
        if h in first:
            m = re.search(r'username="([^"]*)"', first[h])
            if m:
                f['auth.username'] = m.group(1)
    f['order'] = [CANON.get(n, n) for n, _ in hdrs]
    # header.NAME: the first line of either form of the name (header.via
    # and header.v both find "v:" and "Via:"); line.NAME: the name as
    # written. As the engine reads them.
    for n, ln, v in rawlines:
        f.setdefault('header.' + n, v)
        if n in ALIAS:
            f.setdefault('header.' + ALIAS[n], v)
        f.setdefault('line.' + n, ln)
    return f


def match_one(f, field, op, arg):
    if op == 'present':
        return field in f
    if op == 'absent':
        return field not in f
    if field not in f:
        return False
    val = f[field]
    if field == 'order':
        want = [x.strip().lower() for x in arg.split(',')]
        have = [x.lower() for x in val]
        if op == 'is':
            return have == want
        return op == 'prefix' and have[:len(want)] == want
    if op in ('same', 'in'):
        other = f.get(arg.strip())
        if other is None or isinstance(other, list):
            return False
        if op == 'same':
            return val.lower() == other.lower()
        return val.lower() in other.lower()
    if op == 'exact':
        return val == arg
    if op in ('eq', 'lt', 'gt'):
        try:
            n = int(val.strip())
        except ValueError:
            return False
        return {'eq': n == int(arg), 'lt': n < int(arg), 'gt': n > int(arg)}[op]
    if op == 'is':
        return val.lower() == arg.lower()
    if op == 'contains':
        return arg.lower() in val.lower()
    if op == 'prefix':
        return val.lower().startswith(arg.lower())
    if op == 'suffix':
        return val.lower().endswith(arg.lower())
    if op == 'shape':
        return shape_to_regex(arg).match(val) is not None
    raise SystemExit('unknown op ' + op)


def requests(pcap):
    out = subprocess.run(
        ['tshark', '-r', pcap, '-Y', 'udp or tcp', '-T', 'fields', '-e', 'frame.number',
         '-e', 'udp.payload', '-e', 'tcp.payload', '-o', 'tcp.desegment_tcp_streams:FALSE'],
        capture_output=True, text=True).stdout
    for line in out.splitlines():
        parts = line.split('\t')
        hexdata = ''.join(parts[1:]).replace(':', '')
        if not hexdata:
            continue
        try:
            data = bytes.fromhex(hexdata)
        except ValueError:
            continue
        f = parse_msg(data)
        if f:
            yield parts[0], f


def main():
    args = sys.argv[1:]
    verbose = False
    if args and args[0] == '-v':
        verbose, args = True, args[1:]
    sigs = parse_sigs(args[0])
    total = {s['name']: 0 for s in sigs}
    for pcap in args[1:]:
        n, hits = 0, {}
        for frame, f in requests(pcap):
            n += 1
            for s in sigs:
                if all(match_one(f, *m) for m in s['match']):
                    hits[s['name']] = hits.get(s['name'], 0) + 1
                    if verbose:
                        print('  %s frame %s: %s %s  UA=%r' % (s['name'], frame, f['method'],
                                                            f['ruri'], f.get('user-agent')))
        for k, v in hits.items():
            total[k] += v
        print('%-60s %5d requests  %s' % (pcap, n, ', '.join('%s=%d' % kv for kv in sorted(hits.items())) or '-'))
    print('\ntotal matches per signature:')
    for k, v in total.items():
        print('  %-36s %d' % (k, v))


if __name__ == '__main__':
    main()
