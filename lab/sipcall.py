#!/usr/bin/env python3
"""lab/sipcall.py [-b ADDR] [--tcp] [--ua UA] URI HOST [PORT]

One call attempt as a softphone makes it (no scanner traits): INVITE with
SDP to HOST:PORT (default 5060) for Request-URI URI, retransmitted like
RFC 3261 timer A (0.5, 1, 2 s) until something answers. On 200 it sends ACK
and, a moment later, BYE; on a provisional answer with no final one within
4 s, CANCEL. Bounded: it gives up after 8 s whatever happens.

Prints what it received ("answers: 100 180 200" or "answers: none") and
exits 0 when anything answered, 1 when nothing did. The lab's policy tests
(tests/inline/) use it for direct IP calls and INVITEs from untrusted
sources: the phone rings when such a call gets through."""
import argparse
import random
import socket
import string
import sys
import time

ap = argparse.ArgumentParser()
ap.add_argument('-b', '--bind', default='')
ap.add_argument('--tcp', action='store_true')
ap.add_argument('--ua', default='Linphone Desktop/5.0.14 (Debian) LinphoneCore/5.1.64')
ap.add_argument('uri')
ap.add_argument('host')
ap.add_argument('port', nargs='?', type=int, default=5060)
a = ap.parse_args()

fam = socket.AF_INET6 if ':' in a.host else socket.AF_INET
s = socket.socket(fam, socket.SOCK_STREAM if a.tcp else socket.SOCK_DGRAM)
s.bind((a.bind, 0))
if a.tcp:
    s.settimeout(3)
    try:
        s.connect((a.host, a.port))
    except OSError as e:
        print('answers: none (connect: %s)' % e)
        sys.exit(1)
me, port = s.getsockname()[:2]
hp = lambda h: '[%s]' % h if ':' in h else h
rnd = lambda n: ''.join(random.choice(string.ascii_letters + string.digits) for _ in range(n))
transport = 'TCP' if a.tcp else 'UDP'
callid = rnd(22)
ftag = rnd(10)
user = 'bob'


def request(method, cseq, to_tag='', body=''):
    ctype = 'Content-Type: application/sdp\r\n' if body else ''
    return ('%s %s SIP/2.0\r\n'
            'Via: SIP/2.0/%s %s:%d;branch=z9hG4bK.%s;rport\r\n'
            'From: "Bob" <sip:%s@%s>;tag=%s\r\n'
            'To: <%s>%s\r\n'
            'CSeq: %d %s\r\n'
            'Call-ID: %s\r\n'
            'Max-Forwards: 70\r\n'
            'Supported: replaces, outbound, gruu\r\n'
            'Allow: INVITE, ACK, CANCEL, OPTIONS, BYE, REFER, NOTIFY, MESSAGE, SUBSCRIBE, INFO, UPDATE\r\n'
            'Contact: <sip:%s@%s:%d;transport=%s>\r\n'
            'User-Agent: %s\r\n'
            '%sContent-Length: %d\r\n\r\n%s' % (
                method, a.uri, transport, hp(me), port, rnd(9), user, hp(me), ftag,
                a.uri, to_tag and ';tag=' + to_tag, cseq, method, callid, user, hp(me),
                port, transport.lower(), a.ua, ctype, len(body), body)).encode()


ipv = 'IP6' if fam == socket.AF_INET6 else 'IP4'
sdp = ('v=0\r\no=bob 3456 789 IN %s %s\r\ns=Talk\r\nc=IN %s %s\r\nt=0 0\r\n'
       'm=audio 7078 RTP/AVP 0 8 101\r\na=rtpmap:101 telephone-event/8000\r\n' % (ipv, me, ipv, me))
invite = request('INVITE', 20, body=sdp)


def send(b):
    if a.tcp:
        s.sendall(b)
    else:
        s.sendto(b, (a.host, a.port))


answers = []
to_tag = ''
start = time.time()
send(invite)
retrans = [0.5, 1.5, 3.5]
final = None
buf = b''
while time.time() - start < 8 and final is None:
    now = time.time() - start
    if not answers and retrans and now >= retrans[0]:
        retrans.pop(0)
        if not a.tcp:
            send(invite)
    if answers and now > 4.5:
        send(request('CANCEL', 20))
        break
    s.settimeout(0.1)
    try:
        d = s.recv(65535)
    except socket.timeout:
        continue
    except OSError:
        break
    if not d:
        break
    buf += d
    while b'\r\n\r\n' in buf:
        head, buf = buf.split(b'\r\n\r\n', 1)
        lines = head.decode('latin-1').split('\r\n')
        clen = 0
        for l in lines:
            if l.lower().startswith(('content-length:', 'l:')):
                clen = int(l.split(':', 1)[1])
            if l.lower().startswith(('to:', 't:')) and 'tag=' in l:
                to_tag = l.split('tag=', 1)[1].split(';')[0].strip()
        buf = buf[clen:]
        if not lines[0].startswith('SIP/2.0 '):
            continue
        code = int(lines[0].split()[1])
        answers.append(code)
        if code >= 200:
            final = code
if final is not None and 200 <= final < 300:
    send(request('ACK', 20, to_tag))
    time.sleep(0.3)
    send(request('BYE', 21, to_tag))
elif final is not None and not a.tcp:
    send(request('ACK', 20, to_tag))
print('answers: %s' % (' '.join(map(str, answers)) or 'none'))
sys.exit(0 if answers else 1)
