#!/usr/bin/env python3
"""lab/toolgen.py - first requests of scanning tools, built as each tool's
source builds them, for every option that changes a fingerprinted field.

    lab/toolgen.py DIR     writes DIR/toolgen-TOOL.pcap per tool, one request
                           per variant, each from its own source address
                           (one packet: what the source's first packet
                           alone convicts), and DIR/toolgen.tsv, which
                           variant each address is

The point is the options the lab recordings (tests/captures/) do not
exercise: a signature must match every variant of its tool whatever the
target, extension, port, From name, User-Agent or version. Every variant is
made once with the tool's User-Agent and once with it replaced (a modified
copy), so the structural signatures are tested without the User-Agent ones.

Sources read (docs/fingerprints.md says what each field is per option):
SIPVicious 0.3.3 svhelper.makeRequest/createTag, svmap/svwar/svcrack;
SIPVicious 0.2.x helper.py (Python 2: its dict order is computed by
py2_order below, a model of CPython 2's dict); nmap nselib/sip.lua and the
sip-* scripts; sipsak 0.9.x helper.c; Metasploit create_probe (options,
options_tcp), enumerator, sipdroid_ext_enum, sip_invite_spoof, the SIP Flooder;
SIPPTS create_message; inviteflood 2.0. The random values are drawn as
the tools draw them, with a fixed seed.
"""
import base64
import binascii
import os
import random
import socket
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "tests", "analyze"))
from mkshard import frame  # noqa: E402  (Ethernet, IPv4/IPv6, UDP 5060)

R = random.Random(2026)
TARGET4, TARGET6 = "192.0.2.10", "2001:db8:1::10"
MODIFIED_UA = "Linphone/3.6.1 (belle-sip/1.2.4)"


# ---- CPython 2 dict order (SIPVicious 0.2.x) --------------------------------

def _py2_hash(s):
    m = (1 << 64) - 1
    if not s:
        return 0
    x = (ord(s[0]) << 7) & m
    for c in s:
        x = ((1000003 * x) & m) ^ ord(c)
    x ^= len(s)
    return x if x != m else m - 1      # -1 is reserved: -2


def py2_order(keys):
    """The iteration order of a Python 2 dict filled with keys in this order
    (string hash without randomisation, open addressing with perturbation,
    resize to 4 x used when two thirds full): the header order of
    SIPVicious 0.2.x. Checked against the internet capture
    BadUserAgent-sipvicious.pcap (every probe has this order)."""
    mask, table, fill = 7, [None] * 8, 0

    def slot(t, mk, k):
        h = _py2_hash(k)
        i = h & mk
        if t[i] is None or t[i] == k:
            return i
        perturb = h
        while True:
            i = (i << 2) + i + perturb + 1
            j = i & mk
            if t[j] is None or t[j] == k:
                return j
            perturb >>= 5

    for k in keys:
        j = slot(table, mask, k)
        if table[j] == k:
            continue
        table[j] = k
        fill += 1
        if fill * 3 >= (mask + 1) * 2:
            old = [x for x in table if x is not None]
            n = 8
            while n <= 4 * len(old):
                n <<= 1
            mask, table = n - 1, [None] * n
            for x in old:
                table[slot(table, mask, x)] = x
    return [x for x in table if x is not None]


# ---- SIPVicious -------------------------------------------------------------

def sv_request(method, fromaddr, toaddr, dsthost, port, callid, srchost,
               branch, cseq=1, auth=None, localtag=None, compact=False,
               contact="sip:123@1.1.1.1", localport=5060, extension=None,
               useragent="friendly-scanner", version="0.3", requesturi=None):
    """svhelper.makeRequest (0.3.x; '0.2' is the later 0.2 helper.py with
    a User-Agent, '0.2early' the first 0.2 releases: no User-Agent, Contact
    only when given, '; tag=')."""
    if extension is None or method == "REGISTER":
        uri = "sip:%s" % dsthost
    else:
        uri = "sip:%s@%s" % (extension, dsthost)
    if method == "ACK":
        localtag = None
    sep = "; tag=" if version == "0.2early" and not compact else ";tag="
    h = {}
    if compact:
        sup = ("v", "SIP/2.0/UDP %s:%s;branch=z9hG4bK-%s;rport" %
               (srchost, port, branch))
        h["t"] = toaddr
        h["f"] = fromaddr + (sep + localtag if localtag else "")
        h["i"] = callid
        if version != "0.2early" or contact is not None:
            h["m"] = contact
    else:
        sup = ("Via", "SIP/2.0/UDP %s:%s;branch=z9hG4bK-%s;rport" %
               (srchost, localport, branch))
        h["Max-Forwards"] = 70
        h["To"] = toaddr
        h["From"] = fromaddr
        if version != "0.2early":
            h["User-Agent"] = useragent
        if localtag:
            h["From"] += sep + localtag
        h["Call-ID"] = callid
        if version != "0.2early" or contact is not None:
            h["Contact"] = contact
    h["CSeq"] = "%s %s" % (cseq, method)
    h["Max-Forwards"] = 70
    h["Accept"] = "application/sdp"
    h["Content-Length"] = 0
    fin = {}
    if auth:
        fin["Authorization"] = auth
    keys = list(h)
    if version.startswith("0.2"):
        keys = py2_order(["Max-Forwards"] + keys)
    r = "%s %s SIP/2.0\r\n" % (method, requesturi or uri)
    r += "%s: %s\r\n" % sup
    for k in keys:
        r += "%s: %s\r\n" % (k, h[k])
    for k, v in fin.items():
        r += "%s: %s\r\n" % (k, v)
    return r + "\r\n"


def create_tag(data):
    return binascii.b2a_hex(("%s" % data).encode() + b"\x01" +
                            str(R.getrandbits(32)).encode()).decode()


def sv_auth(user):
    return ('Digest username="%s",realm="asterisk",nonce="4f1a2b3c",'
            'uri="sip:%s",response="%032x",algorithm=MD5' %
            (user, TARGET4, R.getrandbits(128)))


def sipvicious(v6=False, compact=False, version="0.3", ua="friendly-scanner",
               extip="127.0.0.1", lport=5060):
    """Every tool and method of one SIPVicious configuration."""
    out = []
    tgt = TARGET6 if v6 else TARGET4
    dom = "[%s]" % tgt if v6 else tgt
    kw = dict(compact=compact, version=version, useragent=ua,
              localport=lport)
    rb = lambda: "%s" % R.getrandbits(32)           # noqa: E731
    # svmap, each method; --fromname; -e; a port other than 5060
    for method, fromname, ext, port in (("OPTIONS", "sipvicious", "100", 5060),
                                        ("INVITE", "sipvicious", "100", 5060),
                                        ("REGISTER", "sipvicious", "100", 5060),
                                        ("OPTIONS", "Bob Smith", "2001", 5080)):
        if v6:
            data = "".join(tgt.split(":")) + "%04x" % port
            fromaddr = '"%s"<sip:100@%s>' % (fromname, dom)
        else:
            data = "".join("%02x" % int(x) for x in tgt.split(".")) + \
                "%04x" % port
            fromaddr = '"%s"<sip:100@1.1.1.1>' % fromname
        tag = create_tag(data) if version != "0.2early" else data
        contact = None
        if method != "REGISTER":
            contact = "sip:%s@%s:%s" % (ext, extip, lport)
            if version == "0.2early":
                contact = "sip:1000@%s:%s" % (tgt, port)
        out.append(("svmap %s fromname=%s ext=%s port=%d" %
                    (method, fromname.replace(" ", "_"), ext, port),
                    sv_request(method, fromaddr, fromaddr, dom, port,
                               "%s" % R.getrandbits(80), extip, rb(),
                               localtag=tag, contact=contact,
                               extension=ext if version == "0.3" else None,
                               **kw)))
    # svwar: the random first extension, a number, a name; each method
    for method in ("REGISTER", "INVITE", "OPTIONS"):
        for user in ("%s" % R.getrandbits(32), "1000", "admin"):
            addr = '"%s"<sip:%s@%s>' % (user, user, dom)
            tag = create_tag(user) if version != "0.2early" else user
            out.append(("svwar %s user=%s" % (method, user),
                        sv_request(method, addr, addr, dom, 5060,
                                   "%s" % R.getrandbits(32), extip, rb(),
                                   localtag=tag,
                                   contact="sip:%s@%s" % (user, dom),
                                   extension=user, **kw)))
    # svwar -m INVITE: the ACK of a final answer (CSeq '1  ACK', To with the
    # server's tag, Contact sip:None@)
    to = '"100"<sip:100@%s>;tag=as5f1e0c2d' % dom
    out.append(("svwar ACK",
                sv_request("ACK", '"100"<sip:100@%s>;tag=%s' %
                           (dom, create_tag("100")), to, dom, 5060,
                           "%s" % R.getrandbits(32), extip, rb(),
                           cseq="1 ", contact="sip:None@%s" % dom,
                           extension="None", **kw)))
    # svcrack: the first REGISTER, a guess; -m INVITE; --requesturi
    for method, ruri in (("REGISTER", None), ("INVITE", None),
                         ("REGISTER", "sip:100@example.net")):
        addr = '"100" <sip:100@%s>' % dom
        first = "3206210844" if version != "0.2early" else None
        cid = "%s" % R.getrandbits(32)
        out.append(("svcrack %s first%s" % (method, " ruri" if ruri else ""),
                    sv_request(method, addr, addr, dom, 5060, cid, extip,
                               rb(), localtag=first, requesturi=ruri, **kw)))
        if version == "0.2early":
            gtag = base64.b64encode(b"100:password").decode()
        else:
            gtag = create_tag("100:password")
        out.append(("svcrack %s guess%s" % (method, " ruri" if ruri else ""),
                    sv_request(method, addr, addr, dom, 5060, cid, extip,
                               rb(), cseq=2, auth=sv_auth("100"),
                               localtag=gtag, requesturi=ruri, **kw)))
    return out


# ---- nmap nselib/sip.lua ------------------------------------------------------

def lua_random(n):
    a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_"
    return "".join(R.choice(a) for _ in range(n))


def nmap_request(method, user, name="Nmap NSE", ua="Nmap NSE", cseq=1234,
                 proto="UDP", expires=300, auth=None, domain=None):
    lh, lp = "203.0.113.66", R.randint(32768, 60999)
    domain = domain or TARGET4
    uri = "sip:%s" % TARGET4 if method in ("REGISTER", "OPTIONS") \
        else "sip:%s@%s" % (user, TARGET4)
    d = ["%s %s SIP/2.0" % (method, uri),
         "Via: SIP/2.0/%s %s:%d;rport;branch=z9hG4bK%s" %
         (proto, lh, lp, lua_random(25)),
         "Max-Forwards: 70",
         'From: "%s" <sip:%s@%s>;tag=%s' % (name, user, domain,
                                           lua_random(20))]
    if method == "INVITE":
        d.append("To: <sip:%s@%s>" % (user, domain))
    else:
        d.append('To: "%s" <sip:%s@%s>' % (name, user, domain))
    d += ["Call-ID: %s" % lua_random(60), "CSeq: %d %s" % (cseq, method)]
    if method != "ACK":
        d += ["User-Agent: %s" % ua,
              'Contact: "%s" <sip:%s@%s:%d>' % (name, user, lh, lp),
              "Expires: %d" % expires,
              "Allow: PRACK, INVITE ,ACK, BYE, CANCEL, UPDATE, SUBSCRIBE,"
              "NOTIFY, REFER, MESSAGE, OPTIONS"]
    if method == "OPTIONS":
        d.append("Accept: application/sdp")
    if auth:
        d.append(auth)
    d.append("Content-Length:  0")
    return "\r\n".join(d) + "\r\n\r\n"


def nmap_sv(proto):
    """The SIPOptions probe of nmap-service-probes (nmap -sV), TCP and
    UDP: fixed text, no User-Agent."""
    return "\r\n".join([
        "OPTIONS sip:nm SIP/2.0",
        "Via: SIP/2.0/%s nm;branch=foo%s" % (proto,
                                              ";rport" if proto == "UDP"
                                              else ""),
        "From: <sip:nm@nm>;tag=root", "To: <sip:nm2@nm2>", "Call-ID: 50000",
        "CSeq: 42 OPTIONS", "Max-Forwards: 70", "Content-Length: 0",
        "Contact: <sip:nm@nm>", "Accept: application/sdp"]) + "\r\n\r\n"


def nmap(ua=None):
    u = lambda dflt: ua or dflt                     # noqa: E731
    return [
        ("nmap -sV SIPOptions TCP", nmap_sv("TCP")),
        ("nmap -sV SIPOptions UDP", nmap_sv("UDP")),
        ("nmap sip-methods", nmap_request("OPTIONS", "user",
                                          ua=u("Nmap NSE"))),
        ("nmap sip-methods TCP", nmap_request("OPTIONS", "user", proto="TCP",
                                              ua=u("Nmap NSE"))),
        ("nmap sip-enum-users first", nmap_request(
            "REGISTER", "%d" % R.randint(10 ** 8, 10 ** 10), expires=0,
            ua=u("Nmap NSE"))),
        ("nmap sip-enum-users", nmap_request("REGISTER", "101", expires=0,
                                             ua=u("Nmap NSE"))),
        ("nmap sip-brute auth", nmap_request(
            "REGISTER", "100", cseq=1235, expires=0, ua=u("Nmap NSE"),
            auth='Authorization: Digest username="100", realm="asterisk", '
                 'nonce="4f1a2b3c", uri="sip:%s", response="%032x", '
                 'algorithm=MD5' % (TARGET4, R.getrandbits(128)))),
        # sip-call-spoof: name from sip-call-spoof.from (default "Home"), UA
        # from sip-call-spoof.ua (default "Ekiga"), domain from .src
        ("nmap sip-call-spoof", nmap_request("INVITE", "100", name="Home",
                                             ua=u("Ekiga"))),
        ("nmap sip-call-spoof from=Alice src", nmap_request(
            "INVITE", "100", name="Alice", ua=u("Ekiga"),
            domain="198.51.100.200")),
    ]


# ---- sipsak helper.c --------------------------------------------------------

def sipsak(ua=None):
    fq, lp = "203.0.113.66", R.randint(32768, 60999)
    usr = ua or "sipsak 0.9.8.1"

    def via(tr="UDP", port=lp):
        return "Via: SIP/2.0/%s %s:%d;branch=z9hG4bK.%08x;rport;alias" % (
            tr, fq, port, R.getrandbits(31))

    def c():
        return R.getrandbits(31) + lp

    out = []
    # OPTIONS (default, -s sip:host); -m sets Max-Forwards, traceroute (-T)
    # counts it up from 0 (both seen running sipsak 0.9.8.1); a From of
    # another user, as a modified copy would send
    for label, frm, maxf in (("OPTIONS", "sip:sipsak@%s:%d" % (fq, lp), 70),
                             ("OPTIONS other From", "sip:alice@example.net",
                              70),
                             ("OPTIONS -m 10", "sip:sipsak@%s:%d" % (fq, lp),
                              10),
                             ("OPTIONS -T", "sip:sipsak@%s:%d" % (fq, lp),
                              0)):
        n = c()
        out.append(("sipsak " + label, "\r\n".join([
            "OPTIONS sip:%s SIP/2.0" % TARGET4, via(),
            "From: %s;tag=%x" % (frm, n), "To: sip:%s" % TARGET4,
            "Call-ID: %u@%s" % (n, fq), "CSeq: 1 OPTIONS",
            "Contact: sip:sipsak@%s:%d" % (fq, lp), "Content-Length: 0",
            "Max-Forwards: %d" % maxf, "User-Agent: %s" % usr,
            "Accept: text/plain"]) + "\r\n\r\n"))
    # usrloc REGISTER (-U), user from -s
    n = c()
    out.append(("sipsak REGISTER -U", "\r\n".join([
        "REGISTER sip:%s SIP/2.0" % TARGET4, via(),
        "From: sip:100@%s;tag=%x" % (TARGET4, n), "To: sip:100@%s" % TARGET4,
        "Call-ID: %u@%s" % (n, fq), "CSeq: 1 REGISTER", "Content-Length: 0",
        "Max-Forwards: 70", "User-Agent: %s" % usr, "Expires: 15",
        "Contact: sip:100@%s:%d" % (fq, lp)]) + "\r\n\r\n"))
    # flood (-F): Via port 9, no rport/alias, method OPTIONS by default
    n = c()
    out.append(("sipsak flood -F", "\r\n".join([
        "OPTIONS sip:%s SIP/2.0" % TARGET4,
        "Via: SIP/2.0/UDP %s:9;branch=z9hG4bK.%08x" % (fq, R.getrandbits(31)),
        "From: sip:sipsak@%s:9;tag=%x" % (fq, n), "To: sip:%s" % TARGET4,
        "Call-ID: %u@%s" % (n, fq), "CSeq: 1 OPTIONS",
        "Contact: sip:sipsak@%s:9" % fq, "Content-Length: 0",
        "Max-Forwards: 70", "User-Agent: %s" % usr]) + "\r\n\r\n"))
    return out


# ---- Metasploit -------------------------------------------------------------

def msf_rand_alnum():
    a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    return "".join(R.choice(a) for _ in range(R.randint(1, 8)))


def metasploit(ua=None):
    sh = "203.0.113.66"
    out = []
    # create_probe (options, options_tcp): TO option default 'nobody'
    for proto, to in (("UDP", "nobody"), ("TCP", "nobody"), ("UDP", "100")):
        su = msf_rand_alnum()
        src = "%s:5060" % sh
        out.append(("msf options %s TO=%s" % (proto, to), "\r\n".join([
            "OPTIONS sip:%s@%s SIP/2.0" % (to, TARGET4),
            "Via: SIP/2.0/%s %s;branch=z9hG4bK.%08x;rport;alias" %
            (proto, src, R.getrandbits(32)),
            "From: sip:%s@%s;tag=70c00e8c" % (su, src),
            "To: sip:%s@%s" % (to, TARGET4),
            "Call-ID: %d@%s" % (R.getrandbits(32), sh), "CSeq: 1 OPTIONS",
            "Contact:  sip:%s@%s" % (su, src), "Max-Forwards: 20",
            "User-Agent: %s" % (ua or su), "Accept: application/sdp",
            "Content-Length: 0"]) + "\r\n\r\n"))
    # enumerator: METHOD REGISTER or OPTIONS, CPORT; no blank line at the end
    for meth, ext in (("REGISTER", "0100"), ("OPTIONS", "2001")):
        su = msf_rand_alnum()
        src = "%s:5060" % sh
        out.append(("msf enumerator %s" % meth, "\r\n".join([
            "%s sip:%s@%s SIP/2.0" % (meth, ext, TARGET4),
            "Via: SIP/2.0/UDP %s;branch=z9hG4bK.%08x;rport;alias" %
            (src, R.getrandbits(32)),
            "From: %s <sip:%s@%s>;tag=70c00e8c" % (ext, su, src),
            "To: %s <sip:%s@%s>" % (ext, ext, TARGET4),
            "Call-ID: %d@%s" % (R.getrandbits(32), sh), "CSeq: 1 %s" % meth,
            "Contact: <sip:%s@%s>" % (su, src), "Content-Length: 0",
            "Max-Forwards: 20", "User-Agent: %s" % (ua or su),
            "Accept: text/plain"]) + "\r\n"))
    # sipdroid_ext_enum: SIPVicious 0.2's header order copied
    out.append(("msf sipdroid_ext_enum", "\r\n".join([
        "INVITE sip:%s SIP/2.0" % TARGET4,
        "Via: SIP/2.0/UDP %s:5060;branch=z9hG4bK%08x;rport" %
        (sh, R.getrandbits(32)),
        "Content-Length: 0", 'From: "SIPDROID";tag=as%d' % R.getrandbits(20),
        "Accept: application/sdp", "User-Agent: %s" % (ua or "SIPDROID"),
        "To: sip:%s" % TARGET4, "Contact: ", "CSeq: 1 INVITE",
        "Call-ID: %d@%s" % (R.getrandbits(32), sh),
        "Max-Forwards: 70"]) + "\r\n"))
    # voip/sip_invite_spoof: Route first when SIP_PROXY_NAME is set; Via
    # is the target's address, no branch; Call-ID <100-199><target>
    for label, route, conn in (("", None, TARGET4),
                               (" EXTENSION DOMAIN", None, "100@example.net"),
                               (" SIP_PROXY_NAME", "192.0.2.1", TARGET4)):
        req = ["INVITE sip:%s SIP/2.0" % conn]
        if route:
            req.append("Route: <sip:%s:5060;lr>" % route)
        req += ["To: <sip:%s>" % conn, "Via: SIP/2.0/UDP %s" % TARGET4,
                'From: "The Metasploit has you"<sip:192.168.1.1>',
                "Call-ID: %d%s" % (R.randint(100, 199), TARGET4),
                "CSeq: 1 INVITE", "Max-Forwards: 20",
                "Contact: <sip:%s>" % conn]
        out.append(("msf sip_invite_spoof" + label,
                    "\r\n".join(req) + "\r\n\r\n"))
    # the SIP Flooder module (Jesus Perez, Quobis; viproy's kit): a random
    # spoofed source per packet, so only its first packet can name it
    for meth in ("INVITE", "OPTIONS", "REGISTER", "ACK", "BYE"):
        sh = "%d.%d.%d.%d" % tuple(R.getrandbits(8) for _ in range(4))
        fe, te = R.randint(100, 998), R.randint(100, 998)
        furi, turi = "sip:%d@%s" % (fe, TARGET4), "sip:%d@%s" % (te, TARGET4)
        cid = 10000000000 + R.randint(0, 89999999998)
        d = ["%s %s SIP/2.0" % (meth, "sip:" + TARGET4 if meth == "REGISTER"
                                else turi),
             "Via: SIP/2.0/UDP %s;branch=z9hG4bK%07x" % (sh,
                                                         R.getrandbits(28)),
             "Max-Forwards: 70",
             "From: %d <%s>;tag=%08x" % (fe, furi, R.getrandbits(32))]
        if meth == "REGISTER":
            d += ["To: %d <%s>" % (fe, furi),
                  "Call-ID: %d@%d@%016x" % (cid, cid, R.getrandbits(64))]
        else:
            d += ["To: %d <%s>;tag=%08x" % (te, turi, R.getrandbits(32)),
                  "Call-ID: %d" % cid]
        d.append("CSeq: 1 %s" % meth)
        if meth in ("REGISTER", "OPTIONS"):
            d.append("Contact: <%s>" % furi)
        elif meth == "INVITE":
            d.append("Contact: <%s;transport=udp>" % turi)
        if meth == "OPTIONS":
            d.append("Accept: application/sdp")
        body = ""
        if meth == "INVITE":
            sid = 1000000000 + R.randint(0, 8999999998)
            body = ("v=0\r\no=%d %d %d IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\n"
                    "t=0 0\r\nm=audio 49172 RTP/AVP 0\r\n"
                    "a=rtpmap:0 PCMU/8000\r\n" % (fe, sid, sid, sh, sh))
            d.append("Content-Type: application/sdp")
        d.append("Content-Length: %d" % len(body))
        out.append(("msf sip flooder %s" % meth,
                    "\r\n".join(d) + "\r\n\r\n" + body))
    return out


# ---- SIPPTS (pepelux) lib/functions.py create_message -------------------------

def sippts_rand(n, alpha):
    return "".join(R.choice(alpha) for _ in range(n))


def sippts(ua=None):
    """create_message: branch 71 of [0-9a-z] (the source's alphabet has two
    q's), Call-ID 32 and tag 8 lowercase hex. 'new' is 4.x (;rport, Contact
    ;expires=120 when the module asks for a Contact, Expires on REGISTER),
    'old' the 3.x layout (no rport, Contact without expires)."""
    out = []
    lh, lp = "203.0.113.66", R.randint(32768, 60999)
    for ver in ("new", "old"):
        for method, contact in (("OPTIONS", True), ("REGISTER", True),
                                ("INVITE", True), ("OPTIONS", False)):
            if ver == "old" and not contact:
                continue
            br = sippts_rand(71, "0123456789abcdefghijklmnopqqrstuvwxyz")
            cid = sippts_rand(32, "0123456789abcdef")
            tag = sippts_rand(8, "0123456789abcdef")
            user = "100"
            line = ("%s sip:%s SIP/2.0" % (method, TARGET4)
                    if method == "REGISTER" else
                    "%s sip:%s@%s SIP/2.0" % (method, user, TARGET4))
            d = [line, "Via: SIP/2.0/UDP %s:%d;branch=%s%s" %
                 (lh, lp, br, ";rport" if ver == "new" else ""),
                 "From: %s <sip:%s@%s>;tag=%s" % (user, user, TARGET4, tag),
                 "To: %s <sip:%s@%s>" % (user, user, TARGET4)]
            if contact:
                d.append("Contact: <sip:%s@%s:%d;transport=UDP>%s" %
                         (user, lh, lp,
                          ";expires=120" if ver == "new" else ""))
            d += ["Call-ID: %s" % cid, "CSeq: 1 %s" % method,
                  "Max-Forwards: 70", "User-Agent: %s" % (ua or "pplsip"),
                  "Allow: INVITE, REGISTER, ACK, CANCEL, BYE, NOTIFY, REFER, "
                  "OPTIONS, INFO, SUBSCRIBE, UPDATE, PRACK, MESSAGE"]
            if method == "REGISTER" and ver == "new":
                d.append("Expires: 120")
            d.append("Content-Length: 0")
            out.append(("sippts %s %s%s" % (ver, method,
                                           "" if contact else " no-contact"),
                        "\r\n".join(d) + "\r\n\r\n"))
    return out


# ---- inviteflood 2.0 (hack_library-based; Hacking Exposed VoIP tools) ----------

def inviteflood(ua=None):
    """Branch, From tag and Call-ID are UUID-like strings whose last 10
    characters are the INVITE counter, CSeq is that counter zero-padded to
    10 digits; Via/From/Contact at the (spoofable) source, port 9 by
    default; seven Allow lines; the phone User-Agent it copies."""
    out = []
    for alias, sip_, sport, n in (("", "10.1.101.11", 9, 1),
                                  ("Test", "192.168.1.6", 9, 2),
                                  ("", "203.0.113.9", 5060, 123456)):
        def uuid():
            return "%08x-%04x-%04x-%04x-%02x%010u" % (
                R.getrandbits(32), R.getrandbits(16), R.getrandbits(16),
                R.getrandbits(16), R.getrandbits(8), n)
        user = alias + "@" if alias else ""
        sdp = ("v=0\r\no=MxSIP 0 639859198 IN IP4 %s\r\ns=SIP Call\r\n"
               "c=IN IP4 %s\r\nt=0 0\r\nm=audio 16388 RTP/AVP 0 8\r\n"
               "a=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n" %
               (sip_, sip_))
        d = ["INVITE sip:5000@%s SIP/2.0" % TARGET4,
             "Via: SIP/2.0/UDP %s:%d;branch=%s" % (sip_, sport, uuid()),
             "Max-Forwards: 70", "Content-Length: %d" % len(sdp),
             "To: 5000 <sip:5000@%s:5060>" % TARGET4,
             "From: %s<sip:%s%s:%d>;tag=%s" % (alias + " " if alias else "",
                                              user, sip_, sport, uuid()),
             "Call-ID: %s" % uuid(), "CSeq: %010u INVITE" % n,
             "Supported: timer"]
        d += ["Allow: %s" % a for a in ("NOTIFY", "REFER", "OPTIONS",
                                        "INVITE", "ACK", "CANCEL", "BYE")]
        d += ["Content-Type: application/sdp",
              "Contact: <sip:%s%s:%d>" % (user, sip_, sport),
              "Supported: replaces", "User-Agent: %s" % (
                  ua or "Elite 1.0 Brcm Callctrl/1.5.1.0 MxSF/v.3.2.6.26")]
        out.append(("inviteflood%s port %d n=%d" % (" alias" if alias else "",
                                                    sport, n),
                    "\r\n".join(d) + "\r\n\r\n" + sdp))
    return out


# ---- the capture ------------------------------------------------------------

def replace_ua(msg, ua):
    lines = msg.split("\r\n")
    return "\r\n".join("User-Agent: " + ua if x.startswith("User-Agent:")
                       else x for x in lines)


def variants():
    out = []
    for ver in ("0.3", "0.2", "0.2early"):
        for v6 in ((False, True) if ver == "0.3" else (False,)):
            for compact in (False, True):
                for ua in ("friendly-scanner", MODIFIED_UA):
                    if compact and ua != "friendly-scanner":
                        continue    # compact mode sends no User-Agent
                    if ver == "0.2early" and ua != "friendly-scanner":
                        continue    # no User-Agent either
                    for extip in (("127.0.0.1", "198.51.100.7")
                                  if not v6 else ("2001:db8:5::7",)):
                        tag = "sipvicious-%s%s%s%s %s" % (
                            ver, " -6" if v6 else "", " -c" if compact else "",
                            " modified-ua" if ua != "friendly-scanner" else "",
                            "-x" if extip[0] != "1" or v6 else "")
                        for name, m in sipvicious(v6, compact, ver, ua, extip):
                            out.append(("sipvicious", tag.strip() + " " + name,
                                        m, v6))
    for ua in (None, MODIFIED_UA):
        sfx = " modified-ua" if ua else ""
        for name, m in nmap(ua):
            out.append(("nmap", name + sfx, m, False))
        for name, m in sipsak(ua):
            out.append(("sipsak", name + sfx, m, False))
        for name, m in metasploit(ua):
            out.append(("metasploit", name + sfx, m, False))
        for name, m in sippts(ua):
            out.append(("sippts", name + sfx, m, False))
        for name, m in inviteflood(ua):
            out.append(("inviteflood", name + sfx, m, False))
    return out


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    outdir = sys.argv[1]
    pools = {}
    for tool, name, msg, v6 in variants():
        pools.setdefault(tool, []).append((name, msg, v6))
    listing = open("%s/toolgen.tsv" % outdir, "w")
    listing.write("# lab/toolgen.py: capture, source address, variant\n")
    for tool, vs in pools.items():
        path = "%s/toolgen-%s.pcap" % (outdir, tool)
        n4 = n6 = 0
        with open(path, "wb") as f:
            f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
            t = 1798000000
            for i, (name, msg, v6) in enumerate(vs):
                if v6:
                    n6 += 1
                    src, dst = "2001:db8:5::%x" % n6, TARGET6
                else:
                    # 198.51.100.0/24, then 203.0.113.0/24
                    n4 += 1
                    src = ("198.51.100.%d" % n4 if n4 < 255 else
                           "203.0.113.%d" % (n4 - 254))
                    assert n4 < 509
                    dst = TARGET4
                fam = socket.AF_INET6 if v6 else socket.AF_INET
                fr = frame(socket.inet_pton(fam, src),
                           socket.inet_pton(fam, dst), msg.encode(), v6)
                f.write(struct.pack("<IIII", t + i, 0, len(fr), len(fr)) + fr)
                listing.write("toolgen-%s.pcap\t%s\t%s\n" % (tool, src, name))
    listing.close()


if __name__ == "__main__":
    main()
