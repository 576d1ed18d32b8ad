/*
 * engine_test.c - the verdict engine, signatures and tracker, on SIP text.
 *
 * Each scenario feeds whole SIP messages (parsed by the real parser) with
 * addresses and timestamps, and checks the verdicts and what the engine
 * concluded. Addresses are documentation ranges: 192.0.2.0/24 the site,
 * 198.51.100.10 the trusted provider, 203.0.113.0/24 attackers.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "../lib/t.h"
#include "../../src/engine/engine.h"

#define SEC	1000000000ULL

static struct gg_conf conf;
static struct sigset sigs;

static struct gg_addr
A(const char *s)
{
	struct gg_addr a;

	if (gg_addr_parse(s, &a) != 0)
		abort();
	return a;
}

/* Feeds text as one UDP datagram from src to dst:dport at time t (s). */
static struct engine_result
feed_port(struct engine *e, const char *src, const char *dst, int dport,
    double t, const char *text)
{
	struct net_pkt p;
	struct sip_msg m;
	struct engine_result r;
	enum sip_rc rc;

	memset(&p, 0, sizeof(p));
	p.src = A(src);
	p.dst = A(dst);
	p.sport = 5060;
	p.dport = (uint16_t)dport;
	p.proto = IPPROTO_UDP;
	p.ts_ns = (uint64_t)(t * SEC);
	p.data = (const uint8_t *)text;
	p.len = strlen(text);
	rc = sip_parse(&m, text, p.len);
	engine_feed(e, &p, &m, rc, &r);
	return r;
}

/* The same to port 5060. */
static struct engine_result
feed(struct engine *e, const char *src, const char *dst, double t,
    const char *text)
{
	return feed_port(e, src, dst, 5060, t, text);
}

/* A request with the given method, user, host, From user and User-Agent;
 * its Call-ID from call, its CSeq cseq. */
static const char *
req_call(const char *method, const char *user, const char *host,
    const char *ua, int call, int cseq, const char *extra)
{
	static char buf[2048];

	snprintf(buf, sizeof(buf),
	    "%s sip:%s@%s SIP/2.0\r\n"
	    "Via: SIP/2.0/UDP 203.0.113.7:5060;branch=z9hG4bK%08x%04x;rport\r\n"
	    "Max-Forwards: 70\r\n"
	    "From: \"%s\" <sip:%s@%s>;tag=a%05x\r\n"
	    "To: <sip:%s@%s>\r\n"
	    "Call-ID: %08x-%d@203.0.113.7\r\n"
	    "CSeq: %d %s\r\n"
	    "Contact: <sip:%s@203.0.113.7:5060>\r\n"
	    "User-Agent: %s\r\n"
	    "%s"
	    "Content-Length: 0\r\n\r\n",
	    method, user, host, cseq * 7919u, cseq, user, user, host,
	    cseq * 31u, user, host, call * 104729u, call, cseq, method, user,
	    ua, extra ? extra : "");
	return buf;
}

/* The same with a Call-ID of its own for each cseq. */
static const char *
req(const char *method, const char *user, const char *host, const char *ua,
    int cseq, const char *extra)
{
	return req_call(method, user, host, ua, cseq, cseq, extra);
}

/* The answer to req()'s request with the same cseq (same Call-ID). */
static const char *
resp(int code, const char *method, const char *user, const char *host,
    int cseq)
{
	static char buf[1024];

	snprintf(buf, sizeof(buf),
	    "SIP/2.0 %d Whatever\r\n"
	    "Via: SIP/2.0/UDP 203.0.113.7:5060;branch=z9hG4bKx%d;rport=5060\r\n"
	    "From: <sip:%s@%s>;tag=a1\r\n"
	    "To: <sip:%s@%s>;tag=b%d\r\n"
	    "Call-ID: %08x-%d@203.0.113.7\r\n"
	    "CSeq: %d %s\r\n"
	    "Content-Length: 0\r\n\r\n",
	    code, cseq, user, host, user, host, cseq, cseq * 104729u, cseq,
	    cseq, method);
	return buf;
}

static const char *
ext(int i)
{
	static char b[16];

	snprintf(b, sizeof(b), "%d", 100 + i);
	return b;
}

static struct engine *
fresh(void)
{
	struct engine *e = engine_new(&conf, &sigs);

	if (e == NULL)
		abort();
	return e;
}

/* A scanner that changed its User-Agent and From name, with slow pacing,
 * is caught by behaviour within 10 requests, for each method. */
static void
test_enum_behaviour(void)
{
	static const char *methods[] = { "REGISTER", "INVITE", "OPTIONS" };
	static const uint32_t want[] = { ENGINE_T_REGISTER_ENUM,
	    ENGINE_T_INVITE_ENUM, ENGINE_T_OPTIONS_ENUM };
	size_t k;

	for (k = 0; k < 3; k++) {
		struct engine *e = fresh();
		struct engine_result r;
		int i, at = 0;

		for (i = 0; i < 20; i++) {
			r = feed(e, "203.0.113.7", "192.0.2.10", 100.0 + i * 7,
			    req(methods[k], ext(i), "192.0.2.10",
			    "Grandstream GXP2160 1.0.11.3", i + 1, NULL));
			if (r.detected)
				at = i + 1;
		}
		T_OK(at > 0 && at <= 10, "%s enumeration with a changed UA "
		    "detected at request %d (<= 10)", methods[k], at);
		T_OK(r.src && (r.src->techniques & want[k]),
		    "%s enumeration names its technique", methods[k]);
		T_OK(r.verdict != ENGINE_ACCEPT && r.src->banned,
		    "%s enumerator is dropped and banned", methods[k]);
		engine_free(e);
	}
}

/* 404s sent back to the source count as evidence, from the other side. */
static void
test_answers_evidence(void)
{
	struct engine *e = fresh();
	struct engine_result r;
	int i, at = 0;

	for (i = 0; i < 10 && !at; i++) {
		r = feed(e, "203.0.113.8", "192.0.2.10", 10.0 + i,
		    req("INVITE", ext(i), "192.0.2.10", "x", i + 1, NULL));
		if (r.detected)
			at = i + 1;
		r = feed(e, "192.0.2.10", "203.0.113.8", 10.1 + i,
		    resp(404, "INVITE", ext(i), "192.0.2.10", i + 1));
		if (r.detected)
			at = i + 1;
		T_OK(r.peer_sent == false && gg_addr_eq(&r.peer,
		    &(struct gg_addr){ 0 }) == false,
		    "an answer is evidence about the peer it goes to");
	}
	T_OK(at > 0 && at < 5, "404 answers detect an INVITE enumeration "
	    "early (at request %d)", at);
	r = feed(e, "192.0.2.10", "203.0.113.8", 30.0,
	    resp(401, "REGISTER", "200", "192.0.2.10", 99));
	T_OK(r.verdict == ENGINE_DROP, "answers to a scanner are dropped, so "
	    "it learns nothing");
	engine_free(e);
}

/*
 * Sends method to n destinations from src, one a second: hosts 192.0.2.20
 * on when ports is false, else ports 5060 on of 192.0.2.20. Returns the
 * request that made src a scanner, 0 if none did; *r the last result.
 */
static int
sweep(struct engine *e, const char *src, const char *method, bool ports,
    int n, struct engine_result *r)
{
	char host[32];
	int i;

	for (i = 0; i < n; i++) {
		snprintf(host, sizeof(host), "192.0.2.%d", 20 + (ports ? 0 : i));
		*r = feed_port(e, src, host, 5060 + (ports ? i : 0), 50.0 + i,
		    req(method, "100", host, "Linksys/SPA942", 1, NULL));
		if (r->detected)
			return i + 1;
	}
	return 0;
}

/* Sweeps: OPTIONS and INVITE to many addresses, or many ports of one. */
static void
test_sweeps(void)
{
	struct engine *e = fresh();
	struct engine_result r;
	int i, at = sweep(e, "203.0.113.9", "OPTIONS", false, 10, &r);

	T_OK(at > 0 && at <= 10 && (r.src->techniques &
	    ENGINE_T_OPTIONS_SWEEP), "OPTIONS sweep of 10 hosts detected at "
	    "request %d", at);
	engine_free(e);
	e = fresh();
	at = sweep(e, "203.0.113.9", "INVITE", false, 10, &r);
	T_OK(at > 0 && at <= 10 && (r.src->techniques &
	    ENGINE_T_INVITE_SWEEP), "INVITE sweep (ringing phones) detected "
	    "at request %d", at);
	engine_free(e);
	/* svmap -p 5060-5069 of one host: ten destinations. */
	e = fresh();
	at = sweep(e, "203.0.113.9", "OPTIONS", true, 10, &r);
	T_OK(at > 0 && at <= 10 && (r.src->techniques &
	    ENGINE_T_OPTIONS_SWEEP), "OPTIONS to ports 5060-5069 of one host: "
	    "a sweep, at request %d", at);
	engine_free(e);
	/* A phone's OPTIONS keepalives to its PBX's two ports: no sweep. */
	e = fresh();
	for (i = 0; i < 40; i++)
		r = feed_port(e, "203.0.113.9", "192.0.2.10", 5060 + i % 2,
		    50.0 + i * 30, req("OPTIONS", "100", "192.0.2.10", "x",
		    i + 1, NULL));
	T_OK(r.class == ENGINE_BENIGN, "keepalives to ports 5060 and 5061 "
	    "of one host: benign");
	engine_free(e);
	/* svmap -m REGISTER: one REGISTER to each address. */
	e = fresh();
	at = sweep(e, "203.0.113.9", "REGISTER", false, 10, &r);
	T_OK(at > 0 && at <= 10 && (r.src->techniques &
	    ENGINE_T_REGISTER_SWEEP), "REGISTER sweep of 10 hosts detected "
	    "at request %d", at);
	engine_free(e);
	/* A phone registering with its two registrars for hours: no sweep. */
	e = fresh();
	for (i = 0; i < 40; i++)
		r = feed_port(e, "203.0.113.9", i % 2 ? "192.0.2.10" :
		    "192.0.2.11", 5060, 50.0 + i * 60, req("REGISTER", "100",
		    "192.0.2.10", "x", i + 1, NULL));
	T_OK(r.class == ENGINE_BENIGN && !(r.src->techniques &
	    ENGINE_T_REGISTER_SWEEP), "REGISTERs to two registrars: benign");
	engine_free(e);
}

/* One packet with a tool's fingerprint: dropped at once, but a single
 * spoofable UDP packet is no ban; the third is. */
static void
test_signature_and_ban(void)
{
	struct engine *e = fresh();
	struct engine_result r;

	r = feed(e, "203.0.113.10", "192.0.2.21", 1,
	    req("OPTIONS", "100", "192.0.2.21", "friendly-scanner", 1, NULL));
	T_OK(r.verdict == ENGINE_DROP && r.detected && r.sig,
	    "a friendly-scanner packet is dropped on its first packet");
	T_OK(r.sig && !strcmp(r.sig->tool, "sipvicious"),
	    "its tool is sipvicious");
	T_OK(!r.ban, "one spoofable UDP packet earns a drop, not a ban");
	feed(e, "203.0.113.10", "192.0.2.22", 2,
	    req("OPTIONS", "100", "192.0.2.22", "friendly-scanner", 2, NULL));
	r = feed(e, "203.0.113.10", "192.0.2.23", 3,
	    req("OPTIONS", "100", "192.0.2.23", "friendly-scanner", 3, NULL));
	T_OK(r.verdict == ENGINE_DROP_BAN && r.ban,
	    "the third packet decides the ban");
	r = feed(e, "203.0.113.10", "192.0.2.24", 4,
	    req("OPTIONS", "100", "192.0.2.24", "friendly-scanner", 4, NULL));
	T_OK(r.verdict == ENGINE_DROP && !r.ban, "a ban is decided once");
	/* The ban ran out: the engine forgets the source, which is judged
	 * afresh when it comes back and banned again. */
	engine_forget(e, &r.peer);
	r = feed(e, "203.0.113.10", "192.0.2.25", 700,
	    req("OPTIONS", "100", "192.0.2.25", "pbx-monitor", 5, NULL));
	T_OK(r.verdict == ENGINE_ACCEPT && r.class == ENGINE_BENIGN,
	    "forgotten: a benign-looking packet from it passes");
	feed(e, "203.0.113.10", "192.0.2.26", 701,
	    req("OPTIONS", "100", "192.0.2.26", "friendly-scanner", 6, NULL));
	r = feed(e, "203.0.113.10", "192.0.2.27", 702,
	    req("OPTIONS", "100", "192.0.2.27", "friendly-scanner", 7, NULL));
	T_OK(r.ban, "forgotten: scanning again, it earns a new ban");
	engine_forget(e, &(struct gg_addr){ .family = 2, .a = { 9, 9, 9, 9 } });
	T_OK(1, "forgetting an unknown source is harmless");
	engine_free(e);
}

/* The trusted provider: never banned whatever it sends; its legitimate
 * calls to many extensions are no enumeration; a tool's fingerprint with its
 * address is a spoof and is dropped, not banned. */
static void
test_trusted(void)
{
	struct engine *e = fresh();
	struct engine_result r;
	int i, drops = 0, bans = 0;

	for (i = 0; i < 50; i++) {
		r = feed(e, "198.51.100.10", "192.0.2.21", 1.0 + i * 0.01,
		    req("INVITE", ext(i), "192.0.2.21", "Provider SBC", i + 1,
		    NULL));
		drops += r.verdict != ENGINE_ACCEPT;
		bans += r.ban;
	}
	T_OK(drops == 0 && bans == 0, "50 fast INVITEs to 50 extensions from "
	    "the trusted provider: all accepted");
	for (i = 0; i < 20; i++) {
		r = feed(e, "198.51.100.10", "192.0.2.21", 10.0 + i,
		    req("OPTIONS", "100", "192.0.2.21", "friendly-scanner",
		    i + 1, NULL));
		bans += r.ban;
	}
	T_OK(r.verdict == ENGINE_DROP && bans == 0 && r.trusted,
	    "spoofed scanner packets with the provider's address: dropped, "
	    "never banned");
	engine_free(e);
}

/* A real phone: registers with credentials every few minutes, fails once
 * (mistyped password), succeeds: never a scanner. */
static void
test_legit_phone(void)
{
	struct engine *e = fresh();
	struct engine_result r;
	int i, bad = 0;
	double t = 0;

	for (i = 0; i < 40; i++, t += 300) {
		r = feed(e, "203.0.113.50", "192.0.2.10", t,
		    req("REGISTER", "101", "192.0.2.10", "Yealink SIP-T46S",
		    2 * i + 1, NULL));
		bad += r.verdict != ENGINE_ACCEPT;
		feed(e, "192.0.2.10", "203.0.113.50", t + 0.01,
		    resp(401, "REGISTER", "101", "192.0.2.10", 2 * i + 1));
		r = feed(e, "203.0.113.50", "192.0.2.10", t + 0.05,
		    req("REGISTER", "101", "192.0.2.10", "Yealink SIP-T46S",
		    2 * i + 2, "Authorization: Digest username=\"101\", "
		    "realm=\"pbx\", nonce=\"n\", uri=\"sip:192.0.2.10\", "
		    "response=\"0123456789abcdef0123456789abcdef\"\r\n"));
		bad += r.verdict != ENGINE_ACCEPT;
		feed(e, "192.0.2.10", "203.0.113.50", t + 0.06,
		    resp(i == 3 ? 403 : 200, "REGISTER", "101", "192.0.2.10",
		    2 * i + 2));
	}
	T_OK(bad == 0 && r.src->class == ENGINE_BENIGN,
	    "a phone registering for 3 hours with one failure stays benign");
	engine_free(e);
}

/* svcrack: REGISTER with credentials, 401/403 each time. */
static void
test_password_guess(void)
{
	struct engine *e = fresh();
	struct engine_result r;
	int i, at = 0;

	for (i = 0; i < 12 && !at; i++) {
		r = feed(e, "203.0.113.11", "192.0.2.10", 5.0 + i * 0.2,
		    req("REGISTER", "100", "192.0.2.10", "x", i + 1,
		    "Authorization: Digest username=\"100\", realm=\"r\", "
		    "nonce=\"n\", uri=\"sip:192.0.2.10\", response=\"1\"\r\n"));
		at = r.detected ? i + 1 : 0;
		r = feed(e, "192.0.2.10", "203.0.113.11", 5.1 + i * 0.2,
		    resp(403, "REGISTER", "100", "192.0.2.10", i + 1));
		if (r.detected)
			at = i + 1;
	}
	T_OK(at > 0 && at <= 6 && (r.src->techniques &
	    ENGINE_T_PASSWORD_GUESS), "password guessing detected after %d "
	    "failures", at);
	engine_free(e);
}

/*
 * Calls to n extensions of the phone 192.0.2.21 from src, one every 3 s,
 * each answered 200 (sent twice, as a phone does until the ACK), ACKed and
 * hung up hold seconds later. Returns the call that made src a scanner.
 */
static int
answered_calls(struct engine *e, const char *src, int n, double hold,
    struct engine_result *r)
{
	int i, at = 0;

	for (i = 0; i < n; i++) {
		double t = 100.0 + i * 3;

		*r = feed(e, src, "192.0.2.21", t, req("INVITE", ext(i),
		    "192.0.2.21", "x", i + 1, NULL));
		at = at ? at : r->detected ? i + 1 : 0;
		feed(e, "192.0.2.21", src, t + 0.01, resp(200, "INVITE",
		    ext(i), "192.0.2.21", i + 1));
		feed(e, "192.0.2.21", src, t + 0.5, resp(200, "INVITE",
		    ext(i), "192.0.2.21", i + 1));
		feed(e, src, "192.0.2.21", t + 0.52, req("ACK", ext(i),
		    "192.0.2.21", "x", i + 1, NULL));
		*r = feed(e, src, "192.0.2.21", t + 0.52 + hold, req("BYE",
		    ext(i), "192.0.2.21", "x", i + 1, NULL));
		at = at ? at : r->detected ? i + 1 : 0;
	}
	return at;
}

/* svwar -m INVITE against a phone that answers: ACK and BYE at once. Calls
 * hung up within 2 s of the answer connected nothing; real calls do. */
static void
test_answered_probes(void)
{
	struct engine *e = fresh();
	struct engine_result r;
	int at = answered_calls(e, "203.0.113.33", 12, 0.01, &r);

	T_OK(at > 0 && at <= 10 && (r.src->techniques &
	    ENGINE_T_INVITE_ENUM), "INVITEs to 12 extensions, answered and "
	    "hung up at once: invite-enum at call %d (<= 10)", at);
	engine_free(e);
	e = fresh();
	at = answered_calls(e, "203.0.113.34", 12, 2.5, &r);
	T_OK(at == 0 && r.src->class == ENGINE_BENIGN, "the same calls held "
	    "2.5 s: connected, benign");
	engine_free(e);
}

/*
 * A scanner cycling REGISTER, INVITE and OPTIONS over new extensions, each
 * answered code by the PBX when code != 0. Returns the request that made
 * src a scanner.
 */
static int
cycle_methods(struct engine *e, const char *src, int n, int code,
    struct engine_result *r)
{
	static const char *m[] = { "REGISTER", "INVITE", "OPTIONS" };
	int i, at = 0;

	for (i = 0; i < n; i++) {
		*r = feed(e, src, "192.0.2.10", 10.0 + i, req(m[i % 3], ext(i),
		    "192.0.2.10", "x", i + 1, NULL));
		at = at ? at : r->detected ? i + 1 : 0;
		if (code)
			*r = feed(e, "192.0.2.10", src, 10.01 + i, resp(code,
			    m[i % 3], ext(i), "192.0.2.10", i + 1));
		at = at ? at : r->detected ? i + 1 : 0;
	}
	return at;
}

/* Enumeration across methods, and what a PBX's own traffic looks like. */
static void
test_mixed_enum(void)
{
	const uint32_t enums = ENGINE_T_REGISTER_ENUM | ENGINE_T_INVITE_ENUM |
	    ENGINE_T_OPTIONS_ENUM;
	struct engine *e = fresh();
	struct engine_result r;
	int i, at = cycle_methods(e, "203.0.113.35", 15, 404, &r);

	T_OK(at > 0 && at <= 6 && (r.src->techniques & enums), "REGISTER, "
	    "INVITE, OPTIONS in turn over new extensions, 404 each: an "
	    "enumeration at request %d (<= 6)", at);
	engine_free(e);
	e = fresh();
	at = cycle_methods(e, "203.0.113.35", 15, 0, &r);
	T_OK(at > 0 && at <= 6 && (r.src->techniques & enums), "the same "
	    "unanswered (a one-sided capture): at request %d (<= 6)", at);
	engine_free(e);
	/* A PBX peer: qualifies two trunks, registers two accounts, places
	 * three calls that are busy; all in 200 s. */
	e = fresh();
	for (i = 0; i < 4; i++) {
		feed(e, "203.0.113.36", "192.0.2.10", 10.0 + i * 50,
		    req("OPTIONS", i % 2 ? "trunk-a" : "trunk-b",
		    "192.0.2.10", "pbx", 100 + i, NULL));
		feed(e, "192.0.2.10", "203.0.113.36", 10.01 + i * 50,
		    resp(200, "OPTIONS", "trunk", "192.0.2.10", 100 + i));
		feed(e, "203.0.113.36", "192.0.2.10", 11.0 + i * 50,
		    req("REGISTER", i % 2 ? "acct1" : "acct2", "192.0.2.10",
		    "pbx", 200 + i, NULL));
		feed(e, "192.0.2.10", "203.0.113.36", 11.01 + i * 50,
		    resp(200, "REGISTER", "acct", "192.0.2.10", 200 + i));
		r = feed(e, "203.0.113.36", "192.0.2.10", 12.0 + i * 50,
		    req("INVITE", ext(i % 3), "192.0.2.10", "pbx", 300 + i,
		    NULL));
		feed(e, "192.0.2.10", "203.0.113.36", 12.01 + i * 50,
		    resp(486, "INVITE", ext(i % 3), "192.0.2.10", 300 + i));
	}
	T_OK(r.src->class == ENGINE_BENIGN, "a PBX's OPTIONS to 2 trunks, "
	    "REGISTERs of 2 accounts, 3 busy callees: benign");
	engine_free(e);
}

/*
 * Four extensions REGISTERed from one address, each challenged 401; answered
 * with credentials (and 200) when login. Returns the request that made the
 * source a scanner.
 */
static int
challenged(struct engine *e, const char *src, bool login)
{
	struct engine_result r;
	int i, at = 0;

	for (i = 0; i < 4; i++) {
		r = feed(e, src, "192.0.2.10", 10.0 + i, req("REGISTER",
		    ext(i), "192.0.2.10", "x", 2 * i + 1, NULL));
		at = at ? at : r.detected ? i + 1 : 0;
		r = feed(e, "192.0.2.10", src, 10.01 + i, resp(401,
		    "REGISTER", ext(i), "192.0.2.10", 2 * i + 1));
		at = at ? at : r.detected ? i + 1 : 0;
		if (!login)
			continue;
		feed(e, src, "192.0.2.10", 10.02 + i, req("REGISTER", ext(i),
		    "192.0.2.10", "x", 2 * i + 2, "Authorization: Digest "
		    "username=\"1\", realm=\"r\", nonce=\"n\", "
		    "uri=\"sip:192.0.2.10\", response=\"1\"\r\n"));
		r = feed(e, "192.0.2.10", src, 10.03 + i, resp(200,
		    "REGISTER", ext(i), "192.0.2.10", 2 * i + 2));
		at = at ? at : r.detected ? i + 1 : 0;
	}
	return at;
}

/* Challenges a source never answers confirm an enumeration early, as 404s
 * do (svwar that found only existing extensions); phones log in. */
static void
test_unanswered_challenges(void)
{
	struct engine *e = fresh();

	T_OK(challenged(e, "203.0.113.38", false) == 4, "4 extensions "
	    "challenged, never answered: register-enum at the 4th");
	engine_free(e);
	e = fresh();
	T_OK(challenged(e, "203.0.113.39", true) == 0, "4 phones behind one "
	    "NAT, each logging in: benign");
	engine_free(e);
}

/*
 * A scan spread over 8 addresses in turn, each trying 3 extensions, 404
 * each: 203.0.113.101-108 (how 0), 2001:db8:203::101-108 (1), or one in
 * each of 8 networks: 2001:db8:101-108::1 (2), 198.51.101-108.1 (3).
 * Returns how many of them were convicted; *at the request (of all) that
 * convicted the first.
 */
static int
spread_scan(struct engine *e, int how, int *at)
{
	char src[32];
	int i, n = 0;

	*at = 0;
	for (i = 0; i < 24; i++) {
		struct engine_result r;
		int k = 101 + i % 8;

		if (how == 0)
			snprintf(src, sizeof(src), "203.0.113.%d", k);
		else if (how == 1)
			snprintf(src, sizeof(src), "2001:db8:203::%d", k);
		else if (how == 2)
			snprintf(src, sizeof(src), "2001:db8:%d::1", k);
		else
			snprintf(src, sizeof(src), "198.51.%d.1", k);
		r = feed(e, src, "192.0.2.10", 10.0 + i, req("REGISTER",
		    ext(i), "192.0.2.10", "x", i + 1, NULL));
		n += r.detected;
		r = feed(e, "192.0.2.10", src, 10.01 + i, resp(404,
		    "REGISTER", ext(i), "192.0.2.10", i + 1));
		n += r.detected;
		if (n && !*at)
			*at = i + 1;
	}
	return n;
}

/* Distributed scanning is found per network; neighbours that log in are
 * not its members. */
static void
test_distributed(void)
{
	struct engine *e = fresh();
	struct engine_result r;
	int at, n = spread_scan(e, 0, &at);

	T_OK(n == 8 && at <= 12, "24 REGISTERs spread over 8 addresses of a "
	    "/24, 404 each: all 8 convicted, the first at request %d", at);
	r = feed(e, "203.0.113.200", "192.0.2.10", 40, req("REGISTER", "101",
	    "192.0.2.10", "Yealink", 90, NULL));
	feed(e, "192.0.2.10", "203.0.113.200", 40.01, resp(401, "REGISTER",
	    "101", "192.0.2.10", 90));
	feed(e, "203.0.113.200", "192.0.2.10", 40.02, req("REGISTER", "101",
	    "192.0.2.10", "Yealink", 91, "Authorization: Digest "
	    "username=\"101\", realm=\"r\", nonce=\"n\", "
	    "uri=\"sip:192.0.2.10\", response=\"1\"\r\n"));
	r = feed(e, "192.0.2.10", "203.0.113.200", 40.03, resp(200,
	    "REGISTER", "101", "192.0.2.10", 91));
	r = feed(e, "203.0.113.200", "192.0.2.10", 41, req("INVITE", "999",
	    "192.0.2.10", "Yealink", 92, NULL));
	r = feed(e, "192.0.2.10", "203.0.113.200", 41.01, resp(404, "INVITE",
	    "999", "192.0.2.10", 92));
	T_OK(r.src->class == ENGINE_BENIGN, "a phone of that /24 that logs "
	    "in and dials a wrong number: benign");
	engine_free(e);
	e = fresh();
	n = spread_scan(e, 1, &at);
	T_OK(n == 8, "the same over 8 addresses of an IPv6 /64: all 8 "
	    "convicted");
	engine_free(e);
	/* Over 8 different /64s (and /24s) it is 8 sources, each too small. */
	e = fresh();
	n = spread_scan(e, 2, &at);
	n += spread_scan(e, 3, &at);
	T_OK(n == 0, "the same over 8 /64s, and over 8 /24s: no network");
	engine_free(e);
	/* Two addresses of a /24 failing are no distributed scan. */
	e = fresh();
	at = 0;
	for (n = 0; n < 16; n++) {
		char src[32];

		snprintf(src, sizeof(src), "198.51.100.%d", 50 + n % 2);
		feed(e, src, "192.0.2.10", 10.0 + n * 60, req("INVITE",
		    ext(n % 4), "192.0.2.10", "x", n + 1, NULL));
		r = feed(e, "192.0.2.10", src, 10.01 + n * 60, resp(404,
		    "INVITE", ext(n % 4), "192.0.2.10", n + 1));
		at |= r.src->class != ENGINE_BENIGN;
	}
	T_OK(!at, "two addresses of a /24 dialling 4 wrong numbers over 16 "
	    "minutes: benign");
	engine_free(e);
}

/* nmap's sip-brute: five guesses sent before the first answer; each of the
 * five refusals is a failure. */
static void
test_parallel_guesses(void)
{
	struct engine *e = fresh();
	struct engine_result r;
	int i, batch, at = 0;

	for (batch = 0; batch < 3 && !at; batch++) {
		for (i = 0; i < 5; i++)
			feed(e, "203.0.113.37", "192.0.2.10", 5.0 + batch,
			    req("REGISTER", "102", "192.0.2.10", "x",
			    batch * 5 + i + 1, "Authorization: Digest "
			    "username=\"102\", realm=\"r\", nonce=\"n\", "
			    "uri=\"sip:192.0.2.10\", response=\"1\"\r\n"));
		for (i = 0; i < 5 && !at; i++) {
			r = feed(e, "192.0.2.10", "203.0.113.37",
			    5.5 + batch, resp(401, "REGISTER", "102",
			    "192.0.2.10", batch * 5 + i + 1));
			at = r.detected ? batch * 5 + i + 1 : 0;
		}
	}
	T_OK(at == 5 && (r.src->techniques & ENGINE_T_PASSWORD_GUESS),
	    "5 guesses in parallel, 5 refusals: password-guess at refusal "
	    "%d (5)", at);
	engine_free(e);
}

/* A flood: many requests in one second, same target. */
static void
test_flood(void)
{
	struct engine *e = fresh();
	struct engine_result r;
	int i;

	for (i = 0; i < 200; i++)
		r = feed(e, "203.0.113.12", "192.0.2.10", 7.0 + i * 0.001,
		    req("INVITE", "100", "192.0.2.10", "x", i + 1, NULL));
	T_OK(r.src->techniques & ENGINE_T_FLOOD, "200 INVITEs in 0.2 s are "
	    "a flood");
	engine_free(e);
}

/* n requests from src, dt apart from t0, the i-th with Call-ID
 * 1 + i * call_step and CSeq 1 + i * cseq_step. True when src got the
 * technique flood. */
static bool
burst(const char *src, const char *method, int n, double t0, double dt,
    int call_step, int cseq_step)
{
	struct engine *e = fresh();
	struct engine_result r;
	bool flood;
	int i;

	for (i = 0; i < n; i++)
		r = feed(e, src, "192.0.2.10", t0 + i * dt, req_call(method,
		    ext(i % 40), "192.0.2.10", "x", 1 + i * call_step,
		    1 + i * cseq_step, NULL));
	flood = (r.src->techniques & ENGINE_T_FLOOD) != 0;
	engine_free(e);
	return flood;
}

/* Short floods, below the rate's count: sipsak -F's burst counts one CSeq
 * up over new Call-IDs; a replayed request keeps its Call-ID; a burst
 * across a second's boundary counts whole. What phones do stays benign. */
static void
test_flood_bursts(void)
{
	T_OK(burst("203.0.113.13", "OPTIONS", 40, 7.0, 0.00004, 1, 1),
	    "sipsak -F: 40 OPTIONS in 1.6 ms, new Call-IDs, CSeq 1..40: "
	    "a flood");
	T_OK(burst("203.0.113.13", "INVITE", 30, 7.0, 0.0003, 0, 0),
	    "one INVITE replayed 30 times in 9 ms: a flood");
	T_OK(burst("203.0.113.13", "INVITE", 60, 6.99, 0.0003, 1, 0),
	    "60 INVITEs in 18 ms across a second's boundary, new Call-IDs, "
	    "CSeq 1 each: a flood");
	T_OK(!burst("203.0.113.13", "SUBSCRIBE", 40, 7.0, 0.0025, 1, 0),
	    "a phone's 40 BLF SUBSCRIBEs in 0.1 s at boot, CSeq 1 each: no "
	    "flood");
	T_OK(!burst("203.0.113.13", "INFO", 60, 7.0, 0.08, 0, 1),
	    "60 DTMF INFOs of one call, 80 ms apart: no flood");
}

/*
 * Sends n requests of method from src to 192.0.2.10, one every dt seconds
 * from t0, each to the next extension from first; returns the request that
 * made src a scanner (1-based), 0 if none did. *r gets the last result.
 */
static int
probe_users(struct engine *e, const char *src, const char *method,
    double t0, double dt, int first, int n, struct engine_result *r)
{
	int i;

	for (i = 0; i < n; i++) {
		*r = feed(e, src, "192.0.2.10", t0 + i * dt, req(method,
		    ext(first + i), "192.0.2.10", "x", first + i + 1, NULL));
		if (r->detected)
			return i + 1;
	}
	return 0;
}

/* An engine with the test's config and the lines in text. */
static struct engine *
fresh_conf(struct gg_conf *c, const char *text)
{
	struct engine *e;

	conf_init(c);
	if (conf_load_buf(c, "t", text, strlen(text), stderr) != 0 ||
	    (e = engine_new(c, &sigs)) == NULL)
		abort();
	return e;
}

/* A scanner slower than the window (svwar -t 20 against window 60: three
 * probes a window) adds up: the counts halve at each window's end instead
 * of starting again. A burst that stops fades. */
static void
test_slow_scanner(void)
{
	struct gg_conf c;
	struct engine *e = fresh_conf(&c, "window 60\n");
	struct engine_result r;
	int i, at;

	at = probe_users(e, "203.0.113.30", "REGISTER", 1000, 20, 0, 30, &r);
	T_OK(at > 0 && at <= 10 && (r.src->techniques &
	    ENGINE_T_REGISTER_ENUM), "one REGISTER every 20 s, window 60 s: "
	    "register-enum at request %d (<= 10)", at);
	engine_free(e);
	e = engine_new(&c, &sigs);
	at = probe_users(e, "203.0.113.31", "OPTIONS", 1000, 1, 0, 4, &r);
	at += probe_users(e, "203.0.113.31", "OPTIONS", 1134, 1, 4, 2, &r);
	T_OK(!at && r.class == ENGINE_BENIGN, "4 users, two idle windows, 2 "
	    "more: the first 4 faded to 1, not an enumeration");
	engine_free(e);
	e = engine_new(&c, &sigs);
	for (i = 0; i < 40; i++) {
		feed(e, "203.0.113.32", "192.0.2.10", 1000.0 + i * 90,
		    req("REGISTER", "101", "192.0.2.10", "Yealink", i + 1,
		    NULL));
		r = feed(e, "203.0.113.32", "192.0.2.10", 1000.1 + i * 90,
		    req("REGISTER", "101", "192.0.2.10", "Yealink", i + 1,
		    "Authorization: Digest username=\"101\", realm=\"r\", "
		    "nonce=\"n\", uri=\"sip:192.0.2.10\", response=\"1\"\r\n"));
		feed(e, "192.0.2.10", "203.0.113.32", 1000.2 + i * 90,
		    resp(i % 8 ? 200 : 403, "REGISTER", "101", "192.0.2.10",
		    i + 1));
	}
	T_OK(r.src->class == ENGINE_BENIGN, "a phone re-registering every 90 "
	    "s for an hour, failing one time in 8, stays benign");
	engine_free(e);
	conf_fini(&c);
}

/* The owner's policy. */
static void
test_policy(void)
{
	struct gg_conf c;
	struct engine *e;
	struct engine_result r;
	const char *text = "protect 192.0.2.0/24\n"
	    "protect 192.0.2.32/27 trusted-only\n"
	    "trusted 198.51.100.10\nno-ip-calls yes\n"
	    "deny 203.0.113.66\nallow 203.0.113.77\n";

	conf_init(&c);
	T_OK(conf_load_buf(&c, "t", text, strlen(text), stderr) == 0,
	    "policy config loads");
	e = engine_new(&c, &sigs);
	r = feed(e, "203.0.113.20", "192.0.2.21", 1,
	    req("INVITE", "100", "192.0.2.21", "x", 1, NULL));
	T_OK(r.verdict == ENGINE_DROP && r.policy == POLICY_IP_CALL,
	    "no-ip-calls: an INVITE to sip:100@192.0.2.21 is refused");
	r = feed(e, "203.0.113.21", "192.0.2.40", 1,
	    req("INVITE", "100", "pbx.example.org", "x", 1, NULL));
	T_OK(r.verdict == ENGINE_DROP && r.policy == POLICY_TRUSTED_ONLY,
	    "trusted-only: an INVITE from an untrusted source is refused");
	r = feed(e, "198.51.100.10", "192.0.2.40", 1,
	    req("INVITE", "100", "192.0.2.40", "x", 1, NULL));
	T_OK(r.verdict == ENGINE_ACCEPT, "the trusted server may call the "
	    "trusted-only network, even to an IP host");
	r = feed(e, "203.0.113.22", "192.0.2.10", 1,
	    req("REGISTER", "100", "pbx.example.org", "x", 1, NULL));
	T_OK(r.verdict == ENGINE_ACCEPT, "a REGISTER from outside is not a "
	    "policy matter");
	r = feed(e, "203.0.113.66", "192.0.2.10", 1,
	    req("OPTIONS", "100", "pbx.example.org", "x", 1, NULL));
	T_OK(r.verdict != ENGINE_ACCEPT && r.policy == POLICY_DENY,
	    "deny list drops");
	r = feed(e, "203.0.113.77", "192.0.2.10", 1,
	    req("OPTIONS", "100", "192.0.2.10", "friendly-scanner", 1, NULL));
	T_OK(r.verdict == ENGINE_ACCEPT && r.allowed,
	    "allow list is never judged");
	r = feed(e, "192.0.2.10", "203.0.113.20", 2,
	    resp(200, "OPTIONS", "100", "192.0.2.10", 1));
	T_OK(!r.peer_sent && gg_addr_eq(&r.peer, &(struct gg_addr){ 0 }) ==
	    false, "with protected networks the peer is the outside side");
	engine_free(e);
	conf_fini(&c);
}

static void
test_tracker_bounded(void)
{
	struct track *t = track_new(16, 1);
	struct engine *e;
	struct gg_addr a;
	int i;

	for (i = 0; i < 5000; i++) {
		char s[32];

		snprintf(s, sizeof(s), "2001:db8::%x", i);
		a = A(s);
		track_get(t, &a, (uint64_t)i)->packets = (uint32_t)i;
	}
	T_OK(track_count(t) == 16, "tracker keeps at most its capacity");
	T_OK(track_stats(t)->evictions == 5000 - 16, "evictions are counted");
	T_OK(track_find(t, &a) && track_find(t, &a)->packets == 4999,
	    "the newest source is still there and findable");
	for (i = 0; i < 5000; i++) {
		char s[32];
		struct track_src *x;

		snprintf(s, sizeof(s), "2001:db8::%x", i);
		a = A(s);
		x = track_find(t, &a);
		if (x && x->packets != (uint32_t)i)
			break;
	}
	T_OK(i == 5000, "every record found is the right one after "
	    "evictions");
	track_free(t);
	t = track_new(1000000, 2);
	T_OK(t && track_memory(t) <= 256u << 20, "a million sources fit in "
	    "256 MB (%zu MB)", t ? track_memory(t) >> 20 : 0);
	track_free(t);
	e = engine_new_sized(&conf, &sigs, 1000000);
	T_OK(e && engine_memory(e) <= 256u << 20, "an engine for a million "
	    "sources, their networks too, fits in 256 MB (%zu MB)",
	    e ? engine_memory(e) >> 20 : 0);
	engine_free(e);
}

static void
test_shapes(void)
{
	static const struct {
		const char *pat, *s;
		bool want;
	} cases[] = {
		{ "D{20,30}", "136061588268204605358974", true },
		{ "D{20,30}", "13606158826820460535897a", false },
		{ "D{20,30}", "1234", false },
		{ "z9hG4bK-D+", "z9hG4bK-978872083", true },
		{ "z9hG4bK-D+", "z9hG4bK978872083", false },
		{ "z9hG4bK-D+", "z9hG4bK-", false },
		{ "H{8}-H{4}-H{4}-H{4}-H{12}",
		    "862c3c7f-c690-40d3-b31c-c17a4a9db690", true },
		{ "L+", "oyqnsaloresntguiunncboq", true },
		{ "X*\\.X*", "abc.def", true },
		{ "X*\\.X*", "abcdef", false },
		{ "D{3}D{1,3}.D{1,3}.D{1,3}.D{1,3}", "14810.0.1.45", true },
		{ ".*", "", true },
		{ "D", "", false },
		{ "z9hG4bKW{25}", "z9hG4bKedq8SyN0wEM2ksFaXOWFMJ1P_", true },
		{ "z9hG4bKW{25}", "z9hG4bKedq8SyN0wEM2ksFaXOWFMJ1P-", false },
		{ "[36]H[36]H01[3]D", "3132013", false },
		{ "[36]H[36]H01[3]D", "31320135", true },
		{ "[0-9a-z]{4}", "a9z0", true },
		{ "[0-9a-z]{4}", "a9Z0", false },
		{ "[^;]+", "abc", true },
		{ "[^;]+", "ab;c", false },
		{ "[a-", "x", false },
	};
	size_t i;

	for (i = 0; i < GG_NELEM(cases); i++)
		T_OK(sig_shape_match(cases[i].pat, (struct gg_str){
		    cases[i].s, strlen(cases[i].s) }) == cases[i].want,
		    "shape %s %s %s", cases[i].pat,
		    cases[i].want ? "matches" : "does not match", cases[i].s);
}

struct sig_case {
	const char	*match;
	bool		 want;
};

/*
 * Each case's match line as signature t of a file, followed by the
 * signatures in more: sig_match() of t on m says want, and sigset_match()
 * names t exactly when it matches (more's are of lower confidence).
 */
static void
sig_cases(const struct sip_msg *m, const char *what,
    const struct sig_case *cases, size_t n, const char *more)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char text[512];
		struct sigset s = { 0 };
		int errs;

		snprintf(text, sizeof(text), "signature t\n\ttool x\n"
		    "\tmatch %s\n%s", cases[i].match, more);
		errs = sigset_load(&s, what, text, strlen(text), stderr);
		T_OK(errs == 0 && s.n > 0 && sig_match(&s.v[0], m) ==
		    cases[i].want && (sigset_match(&s, m) == &s.v[0]) ==
		    cases[i].want, "%s: match %s: %s", what, cases[i].match,
		    cases[i].want ? "yes" : "no");
		sigset_free(&s);
	}
}

/* header.NAME, line.NAME, exact, same and in, on one message. */
static void
test_sig_ops(void)
{
	static const struct sig_case cases[] = {
		{ "header.Subject is \"performance test\"", true },
		{ "header.X-Missing present", false },
		{ "header.X-Missing absent", true },
		{ "line.Content-Length is \"Content-Length:  0\"", true },
		{ "line.Content-Length is \"Content-Length: 0\"", false },
		{ "via.transport exact \"udp\"", true },
		{ "via.transport exact \"UDP\"", false },
		{ "via.transport is \"UDP\"", true },
		{ "from.display same to.user", true },
		{ "from.user same ruri.user", true },
		{ "from.user same call-id", false },
		{ "call-id in via.branch", true },
		{ "from.tag in via.branch", false },
		{ "order prefix \"Via,From,To,Call-ID,CSeq,Subject\"", true },
		/* header.NAME finds either form of a name, line.NAME the
		 * form it names */
		{ "header.v prefix \"SIP/2.0/udp 203.0.113.5\"", true },
		{ "header.I is \"4f2a9c\"", true },
		{ "line.v present", false },
		{ "line.VIA prefix \"Via: SIP\"", true },
		/* A number operator on a header field: no number, no match
		 * (it once passed a NULL string to strlen). */
		{ "line.via eq 70", false },
		{ "header.Subject eq 70", false },
		{ "header.X-Missing eq 70", false },
	};
	const char *msg = "INVITE sip:201@192.0.2.10 SIP/2.0\r\n"
	    "Via: SIP/2.0/udp 203.0.113.5;branch=z9hG4bK-4f2a9c\r\n"
	    "From: \"201\" <sip:201@192.0.2.10>;tag=77\r\n"
	    "To: <sip:201@192.0.2.10>\r\n"
	    "Call-ID: 4f2a9c\r\nCSeq: 1 INVITE\r\n"
	    "Subject: Performance Test\r\n"
	    "Content-Length:  0\r\n\r\n";
	struct sip_msg m;

	T_OK(sip_parse(&m, msg, strlen(msg)) == SIP_OK, "ops message parses");
	sig_cases(&m, "ops", cases, GG_NELEM(cases), "");
}

/* Raw header fields on a message in compact form whose header section
 * never ends (Metasploit's SIP enumerators send such), and exact literals
 * found through the index. */
static void
test_sig_raw_forms(void)
{
	static const struct sig_case cases[] = {
		{ "header.via prefix \"SIP/2.0/UDP 192.0.2.1\"", true },
		{ "header.Call-ID is \"123\"", true },
		{ "header.i is \"123\"", true },
		{ "header.cseq is \"1 OPTIONS\"", true },
		{ "header.x present", false },
		{ "line.v prefix \"v : SIP\"", true },
		{ "line.via present", false },
		{ "contact exact \"None\"", true },
		{ "contact exact \"none\"", false },
		{ "contact exact \"Non\"", false },
		{ "via.branch exact \"z9hG4bK-1\"", true },
		{ "via.branch exact \"z9hg4bk-1\"", false },
	};
	const char *msg = "OPTIONS sip:100@192.0.2.10 SIP/2.0\r\n"
	    "v : SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-1;rport\r\n"
	    "i: 123\r\nf: <sip:a@192.0.2.1>;tag=1\r\nt: <sip:a@192.0.2.10>\r\n"
	    "m: None\r\nCSeq: 1 OPTIONS";
	struct sip_msg m;

	T_OK(sip_parse(&m, msg, strlen(msg)) == SIP_EPARTIAL,
	    "a header section without its end is partial");
	/* With a signature that shares the exact literal in another case:
	 * the index compares it once for both. */
	sig_cases(&m, "raw forms", cases, GG_NELEM(cases), "signature u\n"
	    "\ttool x\n\tconfidence 10\n\tmatch contact is \"NONE\"\n");
}

/* The best match by trying every signature, as sigset_match did before it
 * had an index. */
static const struct sig *
brute_match(const struct sigset *set, const struct sip_msg *m)
{
	const struct sig *best = NULL;
	size_t i;

	for (i = 0; i < set->n; i++)
		if ((best == NULL || set->v[i].confidence > best->confidence) &&
		    sig_match(&set->v[i], m))
			best = &set->v[i];
	return best;
}

/* The fast-pattern index changes speed, never the answer: compare with
 * trying every signature, on messages made to hit each signature's literal
 * in every position and case. */
static void
test_sig_index(void)
{
	static const char *uas[] = { "friendly-scanner", "FRIENDLY-SCANNER",
	    "x friendly-scanner y", "sipsak 0.9.8.1", "Nmap NSE", "pplsip",
	    "sipcli/v1.8", "VaxSIPUserAgent/3.1", "Zoiper rv2.10", "eyeBeam",
	    "Cisco v11.0.0", "Grandstream GXP2160", "SIPScan", "smapx",
	    "frie", "", "Test Agent", "test agent!" };
	static const char *froms[] = { "\"sipvicious\" <sip:100@1.1.1.1>",
	    "<sip:sipsak@203.0.113.5>", "\"Nmap NSE\" <sip:user@a>",
	    "sipp <sip:sipp@203.0.113.5:5060>", "<sip:alice@example.org>" };
	static const char *tags[] = { "70c00e8c", "3206210844", "1SIPpTag01",
	    "abc" };
	size_t a, b, c, n = 0, bad = 0;

	for (a = 0; a < GG_NELEM(uas); a++)
		for (b = 0; b < GG_NELEM(froms); b++)
			for (c = 0; c < GG_NELEM(tags); c++) {
				char buf[1024];
				struct sip_msg m;

				snprintf(buf, sizeof(buf),
				    "OPTIONS sip:100@192.0.2.1 SIP/2.0\r\n"
				    "Via: SIP/2.0/UDP 127.0.0.1:5060;"
				    "branch=z9hG4bK-12345;rport\r\n"
				    "From: %s;tag=%s\r\nTo: %s\r\n"
				    "Call-ID: 1234567890123456789012\r\n"
				    "CSeq: 1 OPTIONS\r\nUser-Agent: %s\r\n"
				    "Content-Length: 0\r\n\r\n",
				    froms[b], tags[c], froms[b], uas[a]);
				if (sip_parse(&m, buf, strlen(buf)) != SIP_OK)
					continue;
				n++;
				bad += sigset_match(&sigs, &m) !=
				    brute_match(&sigs, &m);
			}
	T_OK(n > 300 && bad == 0, "indexed matching equals trying every "
	    "signature on %zu messages (%zu differ)", n, bad);
}

static const struct sig *
sig_named(const char *name)
{
	size_t i;

	for (i = 0; i < sigs.n; i++)
		if (strcmp(sigs.v[i].name, name) == 0)
			return &sigs.v[i];
	return NULL;
}

/* Structural signatures on requests built as the tools' sources build them
 * (lab/toolgen.py makes every variant; tests/captures/derived): each row's
 * signature matches, and the best match names the tool (NULL: none). */
static void
test_sig_structure(void)
{
	static const struct {
		const char *sig, *tool, *msg;
	} cases[] = {
		/* svmap -6 -x 2001:db8::7, User-Agent changed: the unbracketed
		 * IPv6 sent-by makes the Via malformed, via.branch empty. */
		{ "sipvicious-via", "sipvicious",
		    "OPTIONS sip:100@[2001:db8:1::10] SIP/2.0\r\n"
		    "Via: SIP/2.0/UDP 2001:db8::7:5060;branch=z9hG4bK-3797265611;"
		    "rport\r\nMax-Forwards: 70\r\n"
		    "To: \"Bob\"<sip:100@[2001:db8:1::10]>\r\n"
		    "From: \"Bob\"<sip:100@[2001:db8:1::10]>;tag=3230303164623831"
		    "3031303133633401323737393639\r\nUser-Agent: Linphone/3.6.1\r\n"
		    "Call-ID: 124090379475861902000016\r\n"
		    "Contact: sip:100@2001:db8::7:5060\r\nCSeq: 1 OPTIONS\r\n"
		    "Accept: application/sdp\r\nContent-Length: 0\r\n\r\n" },
		/* the same with -c: compact names, no User-Agent (header.via
		 * finds the "v:" line) */
		{ "sipvicious-via", "sipvicious",
		    "REGISTER sip:[2001:db8:1::10] SIP/2.0\r\n"
		    "v: SIP/2.0/UDP 2001:db8::7:5060;branch=z9hG4bK-12345;rport\r\n"
		    "t: \"1000\"<sip:1000@[2001:db8:1::10]>\r\n"
		    "f: \"1000\"<sip:1000@[2001:db8:1::10]>;tag=313030300131\r\n"
		    "i: 3879102644\r\nm: sip:1000@[2001:db8:1::10]\r\n"
		    "CSeq: 1 REGISTER\r\nMax-Forwards: 70\r\n"
		    "Accept: application/sdp\r\nContent-Length: 0\r\n\r\n" },
		/* svmap -m REGISTER: makeRequest writes Python's None */
		{ "sipvicious-contact-none", "sipvicious",
		    "REGISTER sip:192.0.2.8 SIP/2.0\r\n"
		    "Via: SIP/2.0/UDP 203.0.113.66:5060;branch=z9hG4bK-2854820507;"
		    "rport\r\nMax-Forwards: 70\r\nTo: \"a\"<sip:100@1.1.1.1>\r\n"
		    "From: \"a\"<sip:100@1.1.1.1>;tag=6330\r\n"
		    "User-Agent: Linphone/3.6.1\r\n"
		    "Call-ID: 80203912278630707753919\r\nContact: None\r\n"
		    "CSeq: 1 REGISTER\r\nAccept: application/sdp\r\n"
		    "Content-Length: 0\r\n\r\n" },
		/* SIPVicious 0.2 (first releases): no User-Agent, '; tag=' */
		{ "sipvicious-order-py2", "sipvicious",
		    "OPTIONS sip:192.0.2.10 SIP/2.0\r\n"
		    "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-900526400;"
		    "rport\r\nContent-Length: 0\r\n"
		    "From: \"sipvicious\"<sip:100@1.1.1.1>; tag=c000020a13c4\r\n"
		    "Accept: application/sdp\r\n"
		    "To: \"sipvicious\"<sip:100@1.1.1.1>\r\n"
		    "Contact: sip:1000@192.0.2.10:5060\r\nCSeq: 1 OPTIONS\r\n"
		    "Call-ID: 291227304465556706715624\r\nMax-Forwards: 70\r\n"
		    "\r\n" },
		/* Metasploit sipdroid_ext_enum (no empty line at the end) */
		{ "metasploit-sipdroid-enum", "metasploit",
		    "INVITE sip:192.0.2.10 SIP/2.0\r\n"
		    "Via: SIP/2.0/UDP 203.0.113.66:5060;branch=z9hG4bKdfc9f54d;"
		    "rport\r\nContent-Length: 0\r\n"
		    "From: \"SIPDROID\";tag=as438691\r\n"
		    "Accept: application/sdp\r\nUser-Agent: SIPDROID\r\n"
		    "To: sip:192.0.2.10\r\nContact: \r\nCSeq: 1 INVITE\r\n"
		    "Call-ID: 985187637@203.0.113.66\r\nMax-Forwards: 70\r\n" },
		/* SIPPTS 3.x: no ;rport, Contact without ;expires */
		{ "sippts-structure", "sippts",
		    "OPTIONS sip:100@192.0.2.10 SIP/2.0\r\n"
		    "Via: SIP/2.0/UDP 203.0.113.66:40000;branch=0o9f2kq1m3n8b7v6c5x"
		    "4z3a2s1d0f9g8h7j6k5l4p3o2i1u0y9t8r7e6w5q4a3s2d1f0g9h\r\n"
		    "From: 100 <sip:100@192.0.2.10>;tag=1a2b3c4d\r\n"
		    "To: 100 <sip:100@192.0.2.10>\r\n"
		    "Contact: <sip:100@203.0.113.66:40000;transport=UDP>\r\n"
		    "Call-ID: 0123456789abcdef0123456789abcdef\r\n"
		    "CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n"
		    "User-Agent: Linphone/3.6.1\r\nContent-Length: 0\r\n\r\n" },
		/* sipsak -c sip:alice@example.net -m 10 */
		{ "sipsak-structure", "sipsak",
		    "OPTIONS sip:192.0.2.10 SIP/2.0\r\n"
		    "Via: SIP/2.0/UDP 203.0.113.66:48823;branch=z9hG4bK.3ff9dcf0;"
		    "rport;alias\r\nFrom: sip:alice@example.net;tag=7f1bdc04\r\n"
		    "To: sip:192.0.2.10\r\nCall-ID: 2132532228@203.0.113.66\r\n"
		    "CSeq: 1 OPTIONS\r\nContact: sip:sipsak@203.0.113.66:48823\r\n"
		    "Content-Length: 0\r\nMax-Forwards: 10\r\n"
		    "User-Agent: Linphone/3.6.1\r\nAccept: text/plain\r\n\r\n" },
		/* Metasploit sip_invite_spoof with SIP_PROXY_NAME: Route first */
		{ "metasploit-invite-spoof-ids", "metasploit",
		    "INVITE sip:100@example.net SIP/2.0\r\n"
		    "Route: <sip:192.0.2.1:5060;lr>\r\n"
		    "To: <sip:100@example.net>\r\nVia: SIP/2.0/UDP 192.0.2.10\r\n"
		    "From: \"Bank\"<sip:192.168.1.1>\r\n"
		    "Call-ID: 142192.0.2.10\r\nCSeq: 1 INVITE\r\n"
		    "Max-Forwards: 20\r\nContact: <sip:100@example.net>\r\n\r\n" },
		/* nmap -sV: the SIPOptions probe of nmap-service-probes */
		{ "nmap-version-probe", "nmap",
		    "OPTIONS sip:nm SIP/2.0\r\nVia: SIP/2.0/TCP nm;branch=foo\r\n"
		    "From: <sip:nm@nm>;tag=root\r\nTo: <sip:nm2@nm2>\r\n"
		    "Call-ID: 50000\r\nCSeq: 42 OPTIONS\r\nMax-Forwards: 70\r\n"
		    "Content-Length: 0\r\nContact: <sip:nm@nm>\r\n"
		    "Accept: application/sdp\r\n\r\n" },
		/* Asterisk chan_sip: branch z9hG4bK<8 hex>, tag as<8 hex>, its
		 * own order: nothing */
		{ NULL, NULL,
		    "OPTIONS sip:100@192.0.2.21:5060 SIP/2.0\r\n"
		    "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK3a1f09c2;rport\r\n"
		    "Max-Forwards: 70\r\n"
		    "From: \"asterisk\" <sip:asterisk@192.0.2.10>;tag=as12345678\r\n"
		    "To: <sip:100@192.0.2.21:5060>\r\n"
		    "Contact: <sip:asterisk@192.0.2.10:5060>\r\n"
		    "Call-ID: 5e1f7a2b3c4d5e6f7a8b9c0d1e2f3a4b@192.0.2.10:5060\r\n"
		    "CSeq: 102 OPTIONS\r\nUser-Agent: Asterisk PBX 16.2.1\r\n"
		    "Date: Sun, 06 Dec 2026 18:00:00 GMT\r\n"
		    "Content-Length: 0\r\n\r\n" },
	};
	size_t i;

	for (i = 0; i < GG_NELEM(cases); i++) {
		struct sip_msg m;
		const struct sig *want = cases[i].sig ?
		    sig_named(cases[i].sig) : NULL, *got;

		/* Some are malformed (that is the point): the engine matches
		 * signatures on what the parser read all the same. */
		(void)sip_parse(&m, cases[i].msg, strlen(cases[i].msg));
		got = sigset_match(&sigs, &m);
		T_OK(cases[i].sig == NULL || (want && sig_match(want, &m)),
		    "signature %s matches its tool's request (row %zu)",
		    cases[i].sig ? cases[i].sig : "-", i);
		T_OK(cases[i].tool ? got && !strcmp(got->tool, cases[i].tool) :
		    got == NULL, "row %zu is named %s (%s)", i,
		    cases[i].tool ? cases[i].tool : "by no signature",
		    got ? got->name : "no match");
		T_OK(got == brute_match(&sigs, &m), "row %zu: the index "
		    "agrees with trying every signature", i);
	}
}

static void
test_sig_errors(void)
{
	const char *bad =
	    "signature a\n\ttool x\n\tmatch user-agent contains \"y\"\n"
	    "signature b\n\ttool x\n\tmatch colour is \"red\"\n"
	    "signature c\n\tmatch user-agent is \"z\"\n"
	    "\tmatch stray is \"z\"\n"
	    "signature d\n\ttool x\n\tconfidence 300\n"
	    "\tmatch call-id shape \"D{5\"\n";
	struct sigset s = { 0 };
	char buf[2048];
	FILE *f = fmemopen(buf, sizeof(buf), "w");
	int n = sigset_load(&s, "sigs", bad, strlen(bad), f);

	fclose(f);
	T_OK(n == 4 && s.n == 1 && !strcmp(s.v[0].name, "a"),
	    "a signature file with errors keeps the good signatures (%d "
	    "errors, %zu kept)", n, s.n);
	T_OK(strstr(buf, "sigs:6: unknown field 'colour'") != NULL,
	    "errors name file:line");
	sigset_free(&s);
	memset(&s, 0, sizeof(s));
	T_OK(sigset_load(&s, "builtin", sig_builtin, sig_builtin_len,
	    stderr) == 0 && s.n > 30, "the built-in signatures load (%zu)",
	    s.n);
	sigset_free(&s);
}

int
main(void)
{
	conf_init(&conf);
	if (conf_load_buf(&conf, "t", "trusted 198.51.100.10\n", 22,
	    stderr) != 0)
		return 1;
	if (sigset_load(&sigs, "builtin", sig_builtin, sig_builtin_len,
	    stderr) != 0)
		return 1;
	test_enum_behaviour();
	test_answers_evidence();
	test_sweeps();
	test_signature_and_ban();
	test_trusted();
	test_legit_phone();
	test_password_guess();
	test_flood();
	test_flood_bursts();
	test_slow_scanner();
	test_answered_probes();
	test_mixed_enum();
	test_parallel_guesses();
	test_unanswered_challenges();
	test_distributed();
	test_policy();
	test_tracker_bounded();
	test_shapes();
	test_sig_ops();
	test_sig_raw_forms();
	test_sig_index();
	test_sig_structure();
	test_sig_errors();
	sigset_free(&sigs);
	conf_fini(&conf);
	return t_done();
}
