#!/usr/bin/env python3
"""bench/sig_speed/gen.py - N random SIP messages for sigdiff, each ended by
a NUL byte, on standard output.

    gen.py N [SEED]

Each message mixes the values the signatures of data/signatures.conf look
for (User-Agents, Via branch, tag and Call-ID shapes, From display names,
hosts, CSeq numbers, header orders of the tools) with near misses, random
case, junk around User-Agents, User-Agents longer than the matcher's
lower-case arena, random header orders, compact header names, and header
sections that never end (no empty line). Standard library only.
"""
import random, sys
R = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 1)
n = int(sys.argv[1])
def rc(s):  # random case
    return ''.join(c.upper() if R.random() < 0.3 else c for c in s)
def digits(a, b): return ''.join(R.choice('0123456789') for _ in range(R.randint(a, b)))
def hexs(k): return ''.join(R.choice('0123456789abcdefABCDEF') for _ in range(k))
def word(k): return ''.join(R.choice('abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789_') for _ in range(k))
uas = ["friendly-scanner", "sipvicious", "sundayddr", "sipcli/v1.8", "pplsip", "sip-scan", "SIPScan", "iWar", "smap 0.6", "SIVuS",
 "siparmyknife", "sipv", "friendly-request", "Gulp", "Test Agent", "hamdan", "NiceGuy", "QNQ", "SimpleSIP", "SIP Call", "VoIPSec",
 "UsaAirport", "zxcvfdf11", "fdgddfg546df4g8d5f", "siptest", "Nmap NSE", "Zeeko", "sipsak 0.9", "VaxSIPUserAgent/3.1", "VaxIPUserAgent",
 "Conaito", "Ozeki", "PortSIP VoIP SDK", "friendly", "scanner", "eyeBeam", "CSipSimple", "Avaya IP Phone 1120E", "Cisco v11.0.0",
 "Cisco-SIPGateway/IOS-12.x", "Elite 1.0 Brcm Callctrl/1.5.1.0 MxSF/v.3.2.6.26", "Yealink SIP-T46S", "Asterisk PBX 18", "friendly-scannerfriendly-scanner",
 "scanne", "frien", "sipsak", "Linphone/4.0"]
def ua():
    u = R.choice(uas)
    r = R.random()
    if r < 0.3: u = rc(u)
    elif r < 0.45: u = word(R.randint(0, 5)) + u + word(R.randint(0, 5))
    elif r < 0.5: u = 'x' * R.randint(2000, 3000) + u
    elif r < 0.55: u = u[:-1]
    return u
def branch():
    return R.choice(["z9hG4bK-" + digits(1, 12), "z9hG4bK." + hexs(8), "z9hG4bK." + hexs(R.randint(7, 9)), "z9hG4bK" + word(25),
        "z9hG4bK-" + digits(1, 5) + "-" + digits(1, 5) + "-" + digits(1, 5), ''.join(R.choice('0123456789abcdefghijklmnopqrstuvwxyz') for _ in range(71)),
        "z9hG4bK-" + hexs(32), "Z9HG4BK-" + digits(3, 6), "z9hG4bK" + hexs(10), "abc", "z9"])
def tag():
    svm = ''.join(R.choice('36') + R.choice('0123456789abcdef') for _ in range(12)) + "013" + digits(1, 1) + "3" + digits(1, 1) + digits(0, 3)
    return R.choice(["3206210844", "70c00e8c", digits(1, 5) + "SIPpTag" + digits(1, 3), hexs(8), word(20), svm, digits(10, 10), "as" + hexs(6)])
def callid(br):
    return R.choice([digits(16, 25), digits(1, 10), digits(1, 10) + "@host", digits(1, 4) + "-" + digits(1, 4) + "@1.2.3.4", hexs(32), word(60), br, "x" + br + "y", digits(26, 30)])
def msg():
    m = R.choice(["INVITE", "OPTIONS", "REGISTER", "ACK", "BYE", "resp"])
    host = R.choice(["1.1.1.1", "10.0.0.1", "example.com", "127.0.0.1"])
    user = R.choice(["100", "sipsak", "sipp", "None", "123", "abc"])
    br = branch()
    hdrs = {}
    via = "SIP/2.0/UDP " + R.choice(["127.0.0.1", "10.1.1.1", "1.1.1.1"]) + R.choice(["", ":5060", ":9"])
    if R.random() < 0.9: via += ";branch=" + br
    via += R.choice(["", ";rport", ";rport;alias", ";received=1.2.3.4"])
    hdrs["Via"] = via
    disp = R.choice(["", '"sipvicious" ', '"Nmap NSE" ', "sipviciousX ", '"alice" ', "sivus_voip_scanner "])
    ft = ";tag=" + tag() if R.random() < 0.9 else ""
    hdrs["From"] = disp + "<sip:" + R.choice(["sipsak", "sipp", "100", "1000"]) + "@" + R.choice(["1.1.1.1", host]) + ">" + ft
    if R.random() < 0.1: hdrs["From"] = "sivus_voip_scanner <sip:a@b>" + ft
    hdrs["To"] = "<sip:" + user + "@" + R.choice(["1.1.1.1", host]) + ">" + (";tag=" + tag() if R.random() < 0.2 else "")
    hdrs["Call-ID"] = callid(br)
    meth = m if m != "resp" else "INVITE"
    hdrs["CSeq"] = str(R.choice([1, 1234, 1235, 1239, 1240, 2])) + " " + meth
    if R.random() < 0.8: hdrs["Contact"] = R.choice(["sip:123@1.1.1.1", "<sip:None@1.2.3.4>", "<sip:100@1.2.3.4>;expires=120", "<sip:a@b>"])
    if R.random() < 0.85: hdrs["User-Agent"] = ua()
    if R.random() < 0.8: hdrs["Max-Forwards"] = str(R.choice([70, 20, 69]))
    if R.random() < 0.3: hdrs["Accept"] = "application/sdp"
    names = list(hdrs)
    orders = [["Via","Max-Forwards","To","From","User-Agent","Call-ID","Contact","CSeq","Accept"],
              ["Via","From","Accept","User-Agent","To","Contact","CSeq","Call-ID","Max-Forwards"],
              ["Via","To","From","Call-ID","Contact","CSeq","Max-Forwards","Accept"],
              ["Via","From","To","Call-ID","CSeq"], ["To","Via","From","Call-ID","CSeq","Max-Forwards","Contact"],
              ["To","From","Via","Call-ID","CSeq","Contact"]]
    if R.random() < 0.5:
        o = [h for h in R.choice(orders) if h in hdrs]
        names = o + [h for h in names if h not in o]
    else:
        R.shuffle(names)
    start = (m + " sip:" + user + "@" + host + " SIP/2.0") if m != "resp" else R.choice(["SIP/2.0 200 OK", "SIP/2.0 404 Not Found", "SIP/2.0 401 Unauthorized"])
    lines = [start] + [h + ": " + hdrs[h] for h in names] + ["Content-Length: 0"]
    if "Accept" in names and R.random() < 0.5:
        lines = [start] + [h + ": " + hdrs[h] for h in names[:1]] + ["Content-Length: 0"] + [h + ": " + hdrs[h] for h in names[1:]]
    r = R.random()
    if r < 0.2:  # compact names (header.NAME finds both forms)
        short = {"Via": "v", "From": "f", "To": "t", "Call-ID": "i", "Contact": "m", "Content-Length": "l"}
        lines = [lines[0]] + [short.get(l.split(":")[0], l.split(":")[0]) + R.choice([":", " :"]) + l.split(":", 1)[1]
            if R.random() < 0.7 else l for l in lines[1:]]
    elif r < 0.25:  # a long name where compact ones are looked for
        lines = [l.replace("Via:", "VIA:") for l in lines]
    if R.random() < 0.1:  # the header section never ends (no empty line)
        return "\r\n".join(lines) + R.choice(["\r\n", ""])
    return "\r\n".join(lines) + "\r\n\r\n"
out = sys.stdout.buffer
for i in range(n):
    out.write(msg().encode() + b"\0")
