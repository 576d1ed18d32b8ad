/*
 * net_test.c - unit tests of the decoder (src/net/), SIP framing
 * (src/sip/frame.c) and the capture-file source (src/io/pcap.c).
 *
 * Frames are built by hand, inside out, for every link type, tunnel and IP
 * feature the decoder claims; fragment and TCP cases are tables of
 * (offset, length) pieces fed in a given order. Every prefix of the built
 * frames is fed from the end of a guard page. The corpus captures
 * ($GG_CORPUS, default ../shared/corpus) must all decode.
 *
 *   net_test                          run the tests (TAP)
 *   net_test --count [--port N]... F  print the SIP messages found in F
 *   net_test --list [--port N]... F   print their first lines too
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

/* t.h casts const away in t_guard_free(); not ours to change here. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wcast-qual"
#include "../lib/t.h"
#pragma GCC diagnostic pop
#include "../../src/io/pcap.h"
#include "../../src/net/net.h"
#include "../../src/sip/sip.h"

/* ---- frame building ---------------------------------------------------- */

#define HEAD	4096			/* room for headers in front */

struct pk {
	uint8_t	buf[HEAD + 70000];	/* headers grow down from HEAD */
	size_t	off, len;		/* the frame is buf[off, off+len) */
};

static void
pk_init(struct pk *p, const void *payload, size_t len)
{
	p->off = HEAD;
	p->len = len;
	memcpy(p->buf + HEAD, payload, len);
}

static uint8_t *
pk_push(struct pk *p, size_t n)
{
	p->off -= n;
	p->len += n;
	memset(p->buf + p->off, 0, n);
	return p->buf + p->off;
}

static void
wr16(uint8_t *b, unsigned v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

static void
wr32(uint8_t *b, uint32_t v)
{
	wr16(b, v >> 16);
	wr16(b + 2, v & 0xffff);
}

static void
udp(struct pk *p, unsigned sport, unsigned dport)
{
	uint8_t *h = pk_push(p, 8);

	wr16(h, sport);
	wr16(h + 2, dport);
	wr16(h + 4, (unsigned)p->len);
}

static void
tcp(struct pk *p, unsigned sport, unsigned dport, uint32_t seq, int flags)
{
	uint8_t *h = pk_push(p, 20);

	wr16(h, sport);
	wr16(h + 2, dport);
	wr32(h + 4, seq);
	h[12] = 5 << 4;
	h[13] = (uint8_t)flags;
}

/* IPv4 with optlen bytes of options (NOPs) and the given fragment field. */
static void
ipv4(struct pk *p, int proto, unsigned id, unsigned frag, size_t optlen,
    const char *src)
{
	uint8_t *h = pk_push(p, 20 + optlen);

	h[0] = (uint8_t)(0x40 | (5 + optlen / 4));
	wr16(h + 2, (unsigned)p->len);
	wr16(h + 4, id);
	wr16(h + 6, frag);
	h[8] = 64;
	h[9] = (uint8_t)proto;
	inet_pton(AF_INET, src ? src : "192.0.2.1", h + 12);
	inet_pton(AF_INET, "192.0.2.2", h + 16);
	memset(h + 20, 1, optlen);
}

static void
ipv6(struct pk *p, int nh)
{
	uint8_t *h = pk_push(p, 40);

	h[0] = 0x60;
	wr16(h + 4, (unsigned)p->len - 40);
	h[6] = (uint8_t)nh;
	h[7] = 64;
	inet_pton(AF_INET6, "2001:db8::1", h + 8);
	inet_pton(AF_INET6, "2001:db8::2", h + 24);
}

/* An IPv6 extension header of 8 * (1 + units) bytes. */
static void
ext6(struct pk *p, int nh, unsigned units)
{
	uint8_t *h = pk_push(p, 8 * (1 + units));

	h[0] = (uint8_t)nh;
	h[1] = (uint8_t)units;
}

static void
frag6(struct pk *p, int nh, unsigned off, bool more, uint32_t id)
{
	uint8_t *h = pk_push(p, 8);

	h[0] = (uint8_t)nh;
	wr16(h + 2, off | (more ? 1 : 0));
	wr32(h + 4, id);
}

static void
eth(struct pk *p, unsigned type)
{
	uint8_t *h = pk_push(p, 14);

	h[0] = 0x02;
	h[6] = 0x02;
	h[11] = 1;
	wr16(h + 12, type);
}

static void
vlan(struct pk *p, unsigned inner)
{
	uint8_t *h = pk_push(p, 4);

	wr16(h, 100);
	wr16(h + 2, inner);
}

static void
sll(struct pk *p, unsigned type)
{
	uint8_t *h = pk_push(p, 16);

	wr16(h + 2, 1);
	wr16(h + 4, 6);
	wr16(h + 14, type);
}

static void
sll2(struct pk *p, unsigned type)
{
	uint8_t *h = pk_push(p, 20);

	wr16(h, type);
	wr32(h + 4, 2);
	wr16(h + 8, 1);
}

static void
null_af(struct pk *p, uint32_t af, bool le)
{
	uint8_t *h = pk_push(p, 4);

	if (le) {
		h[0] = (uint8_t)af;
		h[1] = (uint8_t)(af >> 8);
	} else {
		wr32(h, af);
	}
}

static void
gre(struct pk *p, unsigned flags, unsigned proto)
{
	size_t n = 4 + 4 * (!!(flags & 0x8000) + !!(flags & 0x2000) +
	    !!(flags & 0x1000));
	uint8_t *h = pk_push(p, n);

	wr16(h, flags);
	wr16(h + 2, proto);
}

static void
pppoe(struct pk *p, unsigned pppproto)
{
	uint8_t *h = pk_push(p, 8);

	h[0] = 0x11;
	wr16(h + 4, (unsigned)p->len - 6);
	wr16(h + 6, pppproto);
}

/* ---- the sink ---------------------------------------------------------- */

#define REC_MAX	32

struct rec {
	int		 n;			/* calls */
	struct net_pkt	 pkt[REC_MAX];		/* their metadata */
	size_t		 off[REC_MAX];		/* where each one's data is */
	uint8_t		 data[200000];		/* the data, back to back */
	size_t		 used;
};

static void
rec_sink(void *arg, const struct net_pkt *pkt)
{
	struct rec *r = arg;

	if (r->n < REC_MAX && r->used + pkt->len <= sizeof(r->data)) {
		r->pkt[r->n] = *pkt;
		r->off[r->n] = r->used;
		memcpy(r->data + r->used, pkt->data, pkt->len);
		r->used += pkt->len;
	}
	r->n++;
}

/* True when call i carried exactly the string s. */
static bool
rec_is(const struct rec *r, int i, const char *s)
{
	return i < r->n && i < REC_MAX && r->pkt[i].len == strlen(s) &&
	    memcmp(r->data + r->off[i], s, strlen(s)) == 0;
}

static void
feed(struct net *n, int dlt, const struct pk *p, uint64_t ts, struct rec *r)
{
	net_feed_frame(n, dlt, p->buf + p->off, p->len, ts, rec_sink, r);
}

#define SEC	1000000000ull

static const char INVITE[] =
    "INVITE sip:100@192.0.2.2 SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1\r\n"
    "From: <sip:a@192.0.2.1>;tag=1\r\nTo: <sip:100@192.0.2.2>\r\n"
    "Call-ID: 1@192.0.2.1\r\nCSeq: 1 INVITE\r\n"
    "Content-Length: 4\r\n\r\nv=0\n";
static const char OPTIONS[] =
    "OPTIONS sip:192.0.2.2 SIP/2.0\r\nl: 0\r\n\r\n";
static const char RESP[] = "SIP/2.0 200 OK\r\nContent-Length:0\r\n\r\n";

/* ---- SIP framing ------------------------------------------------------- */

static void
test_frame(void)
{
	static const struct {
		const char	*in;
		enum sip_rc	 rc;
		size_t		 skip, len;
	} tab[] = {
		{ "", SIP_EPARTIAL, 0, 0 },
		{ "\r\n\r\n", SIP_EPARTIAL, 4, 0 },
		{ "SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n", SIP_OK, 0,
		    37 },
		{ "\r\nSIP/2.0 200 OK\r\nl:2\r\n\r\nabXX", SIP_OK, 2, 25 },
		{ "SIP/2.0 200 OK\nl : 2\n\nab", SIP_OK, 0, 24 },
		{ "SIP/2.0 200 OK\r\nCONTENT-LENGTH:\t 3 \r\n\r\nab",
		    SIP_EPARTIAL, 0, 0 },
		{ "SIP/2.0 200 OK\r\nContent-Length:\r\n 1\r\n\r\nx", SIP_OK,
		    0, 40 },
		{ "SIP/2.0 200 OK\r\nVia: x\r\n\r\n", SIP_EBADMSG, 0, 0 },
		{ "SIP/2.0 200 OK\r\nl: 1x\r\n\r\n", SIP_EBADMSG, 0, 0 },
		{ "SIP/2.0 200 OK\r\nl: 1 2\r\n\r\n", SIP_EBADMSG, 0, 0 },
		{ "SIP/2.0 200 OK\r\nl: 1\r\nl: 2\r\n\r\nab", SIP_EBADMSG, 0,
		    0 },
		{ "SIP/2.0 200 OK\r\nl: 99999999999\r\n\r\n", SIP_EBADMSG, 0,
		    0 },
		{ "SIP/2.0 200 OK\r\nX-l: 5\r\nl: 0\r\n\r\n", SIP_OK, 0, 32 },
		{ "SIP/2.0 200 OK\r\nContent-Length: 0\r\n", SIP_EPARTIAL,
		    0, 0 },
		{ "SIP/2.0 20", SIP_EPARTIAL, 0, 0 },
		{ "INV", SIP_EPARTIAL, 0, 0 },
		{ "INVITE sip:a SIP/2.0\r\nl: 0\r\n\r\n", SIP_OK, 0, 30 },
		{ "HTTP/1.1 200 OK\r\n\r\n", SIP_ENOTSIP, 0, 0 },
		{ "GET / HTTP/1.1\r\n\r\n", SIP_ENOTSIP, 0, 0 },
		{ "\x16\x03\x01\x02", SIP_ENOTSIP, 0, 0 },
		{ "SIP/2.0 2x0 OK\r\n\r\n", SIP_ENOTSIP, 0, 0 },
	};
	size_t i, skip, len;

	for (i = 0; i < GG_NELEM(tab); i++) {
		size_t n = strlen(tab[i].in);
		const char *g = t_guard_copy(tab[i].in, n);
		enum sip_rc rc = sip_frame(g, n, &skip, &len);

		T_OK(rc == tab[i].rc && (rc != SIP_OK ||
		    (skip == tab[i].skip && len == tab[i].len)),
		    "sip_frame %zu: rc %d skip %zu len %zu", i, rc, skip, len);
		t_guard_free(g, n);
	}
}

static void
test_looks_like(void)
{
	static const struct {
		const char	*in;
		bool		 yes;
	} tab[] = {
		{ "INVITE sip:a@b SIP/2.0\r\n", true },
		{ "REGIStER sip:b SIP/2.0\n", true },
		{ "REGISTER sip:b SIP/2.0", false },
		{ "INVITE sip:a SIP/a.0\r\n", false },
		{ "INVITE sip:a SIP/2.0x\r\n", false },
		{ "INVITE sip:a\x01 SIP/2.0\r\n", false },
		{ "INVITE  SIP/2.0\r\n", false },
		{ "SIP/x.0 100 Trying\r\n", false },
		{ "SIP/2.0 401 Unauthorized\x01\r\n", false },
		{ "SIP/2.0 4011\r\n", false },
		{ "SIP/2.0 180\r\n", true },
		{ "OPTIONS sip:b sip/2.0\r\n", true },
		{ "SIP/2.0 404 Not Found\r\n", true },
		{ "SIP/2.0 404", true },
		{ "SIP/2.0 40", false },
		{ "SIP/2.0\r\n", false },
		{ "INVITE sip:a@b\r\nSIP/2.0", false },
		{ "INVITE\r\n", false },
		{ " INVITE sip:a SIP/2.0", false },
		{ "hello", false },
		{ "", false },
		{ "HTTP/1.1 200 OK\r\n", false },
		{ "\0\0\0\0", false },
	};
	size_t i;

	for (i = 0; i < GG_NELEM(tab); i++) {
		size_t n = strlen(tab[i].in);
		const char *g = t_guard_copy(tab[i].in, n);

		T_OK(sip_looks_like(g, n) == tab[i].yes, "sip_looks_like %zu",
		    i);
		t_guard_free(g, n);
	}
}

/* Every prefix of a SIP message frames without reading past its end. */
static void
test_frame_prefixes(void)
{
	size_t n = strlen(INVITE), i, skip, len;
	bool ok = true;

	for (i = 0; i <= n; i++) {
		const char *g = t_guard_copy(INVITE, i);
		enum sip_rc rc = sip_frame(g, i, &skip, &len);

		if ((i < n && rc != SIP_EPARTIAL) || (i == n && rc != SIP_OK))
			ok = false;
		sip_looks_like(g, i);
		t_guard_free(g, i);
	}
	T_OK(ok, "every prefix of an INVITE is partial, the whole is OK");
}

/* ---- link types and tunnels -------------------------------------------- */

enum wrap {
	W_ETH, W_VLAN, W_QINQ, W_QINQ9100, W_SLL, W_SLL2, W_NULL_LE,
	W_NULL_BE, W_LOOP, W_RAW, W_RAW14, W_RAW101, W_IPV4DLT, W_PPPOE,
	W_IPIP, W_GRE, W_GRE_KEY, W_GRE_ETH, W_ERSPAN1, W_ERSPAN2, W_ERSPAN3,
	W_PPTP, W_4IN6
};

static const struct {
	enum wrap	 w;
	const char	*name;
	int		 dlt;
	int		 tunnel;
} wraps[] = {
	{ W_ETH, "ethernet", NET_DLT_EN10MB, 0 },
	{ W_VLAN, "802.1Q", NET_DLT_EN10MB, 0 },
	{ W_QINQ, "QinQ 88a8", NET_DLT_EN10MB, 0 },
	{ W_QINQ9100, "QinQ 9100", NET_DLT_EN10MB, 0 },
	{ W_SLL, "linux SLL", NET_DLT_LINUX_SLL, 0 },
	{ W_SLL2, "linux SLL2", NET_DLT_LINUX_SLL2, 0 },
	{ W_NULL_LE, "null, little-endian AF", NET_DLT_NULL, 0 },
	{ W_NULL_BE, "null, big-endian AF", NET_DLT_NULL, 0 },
	{ W_LOOP, "loop", NET_DLT_LOOP, 0 },
	{ W_RAW, "raw 12", NET_DLT_RAW, 0 },
	{ W_RAW14, "raw 14", 14, 0 },
	{ W_RAW101, "raw 101", 101, 0 },
	{ W_IPV4DLT, "DLT_IPV4 / IPV6", -1, 0 },
	{ W_PPPOE, "PPPoE session", NET_DLT_EN10MB, 0 },
	{ W_IPIP, "IP-in-IP", NET_DLT_EN10MB, 1 },
	{ W_GRE, "GRE", NET_DLT_EN10MB, 1 },
	{ W_GRE_KEY, "GRE csum+key+seq", NET_DLT_EN10MB, 1 },
	{ W_GRE_ETH, "GRE 6558", NET_DLT_EN10MB, 1 },
	{ W_ERSPAN1, "ERSPAN I", NET_DLT_EN10MB, 1 },
	{ W_ERSPAN2, "ERSPAN II", NET_DLT_EN10MB, 1 },
	{ W_ERSPAN3, "ERSPAN III", NET_DLT_EN10MB, 1 },
	{ W_PPTP, "enhanced GRE / PPP", NET_DLT_EN10MB, 1 },
	{ W_4IN6, "IP-in-IPv6", NET_DLT_EN10MB, 1 },
};

/* Wraps the IP packet in p (version v) as w says. */
static void
wrap(struct pk *p, enum wrap w, int v)
{
	unsigned et = v == 4 ? 0x0800 : 0x86dd;
	uint8_t *h;

	switch (w) {
	case W_ETH:
		eth(p, et);
		break;
	case W_VLAN:
		vlan(p, et);
		eth(p, 0x8100);
		break;
	case W_QINQ:
		vlan(p, et);
		vlan(p, 0x8100);
		eth(p, 0x88a8);
		break;
	case W_QINQ9100:
		vlan(p, et);
		eth(p, 0x9100);
		break;
	case W_SLL:
		sll(p, et);
		break;
	case W_SLL2:
		sll2(p, et);
		break;
	case W_NULL_LE:
		null_af(p, v == 4 ? 2 : 30, true);
		break;
	case W_NULL_BE:
		null_af(p, v == 4 ? 2 : 24, false);
		break;
	case W_LOOP:
		null_af(p, v == 4 ? 2 : 28, false);
		break;
	case W_RAW: case W_RAW14: case W_RAW101: case W_IPV4DLT:
		break;
	case W_PPPOE:
		pppoe(p, v == 4 ? 0x0021 : 0x0057);
		eth(p, 0x8864);
		break;
	case W_IPIP:
		ipv4(p, v == 4 ? 4 : 41, 7, 0, 0, "198.51.100.1");
		eth(p, 0x0800);
		break;
	case W_GRE:
		gre(p, 0, et);
		ipv4(p, 47, 7, 0, 0, "198.51.100.1");
		eth(p, 0x0800);
		break;
	case W_GRE_KEY:
		gre(p, 0xb000, et);
		ipv4(p, 47, 7, 0, 0, "198.51.100.1");
		eth(p, 0x0800);
		break;
	case W_GRE_ETH:
		eth(p, et);
		gre(p, 0x2000, 0x6558);
		ipv4(p, 47, 7, 0, 0, "198.51.100.1");
		eth(p, 0x0800);
		break;
	case W_ERSPAN1:
		eth(p, et);
		gre(p, 0, 0x88be);
		ipv4(p, 47, 7, 0, 0, "198.51.100.1");
		eth(p, 0x0800);
		break;
	case W_ERSPAN2:
		eth(p, et);
		h = pk_push(p, 8);
		h[0] = 0x10;
		gre(p, 0x1000, 0x88be);
		ipv4(p, 47, 7, 0, 0, "198.51.100.1");
		eth(p, 0x0800);
		break;
	case W_ERSPAN3:
		eth(p, et);
		h = pk_push(p, 8);		/* platform subheader */
		h = pk_push(p, 12);
		h[0] = 0x20;
		h[11] = 1;			/* O: subheader follows */
		gre(p, 0x1000, 0x22eb);
		ipv4(p, 47, 7, 0, 0, "198.51.100.1");
		eth(p, 0x0800);
		break;
	case W_PPTP:
		h = pk_push(p, 2);
		wr16(h, v == 4 ? 0x0021 : 0x0057);
		h = pk_push(p, 2);
		h[0] = 0xff;
		h[1] = 0x03;
		h = pk_push(p, 4);		/* ack number */
		h = pk_push(p, 8);
		wr16(h, 0x2081);		/* K, A, version 1 */
		wr16(h + 2, 0x880b);
		wr16(h + 4, (unsigned)p->len - 12);
		ipv4(p, 47, 7, 0, 0, "198.51.100.1");
		eth(p, 0x0800);
		break;
	case W_4IN6:
		ipv6(p, v == 4 ? 4 : 41);
		eth(p, 0x86dd);
		break;
	}
}

/* One UDP SIP datagram through every wrapping, both IP versions. */
static void
test_links(void)
{
	size_t i;
	int v;

	for (i = 0; i < GG_NELEM(wraps); i++) {
		for (v = 4; v <= 6; v += 2) {
			struct net *n = net_new(NULL);
			static struct rec r;
			static struct pk p;
			char a[GG_ADDRSTRLEN];
			int dlt = wraps[i].dlt;

			memset(&r, 0, sizeof(r));
			pk_init(&p, OPTIONS, strlen(OPTIONS));
			udp(&p, 5060, 5060);
			if (v == 4)
				ipv4(&p, IPPROTO_UDP, 1, 0, 0, NULL);
			else
				ipv6(&p, IPPROTO_UDP);
			wrap(&p, wraps[i].w, v);
			if (dlt < 0)
				dlt = v == 4 ? NET_DLT_IPV4 : NET_DLT_IPV6;
			feed(n, dlt, &p, 1, &r);
			T_OK(r.n == 1 && rec_is(&r, 0, OPTIONS) &&
			    r.pkt[0].tunnel == wraps[i].tunnel &&
			    r.pkt[0].sport == 5060 &&
			    r.pkt[0].proto == IPPROTO_UDP &&
			    strcmp(gg_addr_fmt(&r.pkt[0].dst, a), v == 4 ?
			    "192.0.2.2" : "2001:db8::2") == 0,
			    "%s over IPv%d: %d delivered", wraps[i].name, v,
			    r.n);
			net_free(n);
		}
	}
}

/* IPv4 options and IPv6 extension headers before UDP. */
static void
test_ip_headers(void)
{
	static struct pk p;
	static struct rec r;
	struct net *n = net_new(NULL);
	int k;

	memset(&r, 0, sizeof(r));
	pk_init(&p, OPTIONS, strlen(OPTIONS));
	udp(&p, 5060, 5060);
	ipv4(&p, IPPROTO_UDP, 1, 0, 12, NULL);
	eth(&p, 0x0800);
	feed(n, NET_DLT_EN10MB, &p, 1, &r);
	T_OK(r.n == 1 && rec_is(&r, 0, OPTIONS), "IPv4 with 12 bytes of "
	    "options");

	for (k = 0; k < 3; k++) {
		memset(&r, 0, sizeof(r));
		pk_init(&p, OPTIONS, strlen(OPTIONS));
		udp(&p, 5060, 5060);
		ext6(&p, IPPROTO_UDP, 1);			/* dest opts */
		ext6(&p, IPPROTO_DSTOPTS, 0);			/* routing */
		ext6(&p, IPPROTO_ROUTING, 2);			/* hop-by-hop */
		if (k == 1)
			frag6(&p, IPPROTO_HOPOPTS, 0, false, 9);
		ipv6(&p, k == 1 ? IPPROTO_FRAGMENT : IPPROTO_HOPOPTS);
		if (k == 2)
			/* trailing Ethernet padding must be ignored */
			memcpy(pk_push(&p, 0), "", 0);
		eth(&p, 0x86dd);
		feed(n, NET_DLT_EN10MB, &p, 1, &r);
		T_OK(r.n == 1 && rec_is(&r, 0, OPTIONS), "IPv6 hop-by-hop, "
		    "routing, dest opts%s", k == 1 ? ", atomic fragment" : "");
	}

	/* Padding after a short IPv4 packet is not payload. */
	memset(&r, 0, sizeof(r));
	pk_init(&p, RESP, strlen(RESP) + 1);
	p.len--;
	memcpy(p.buf + p.off + p.len, "\0\0\0\0\0\0", 6);
	udp(&p, 5060, 5060);
	ipv4(&p, IPPROTO_UDP, 1, 0, 0, NULL);
	eth(&p, 0x0800);
	p.len += 6;
	feed(n, NET_DLT_EN10MB, &p, 1, &r);
	T_OK(r.n == 1 && rec_is(&r, 0, RESP), "Ethernet padding dropped");
	net_free(n);
}

/* Unknown tunnel payloads are counted, never delivered. */
static void
test_tunnel_skipped(void)
{
	static struct pk p;
	static struct rec r;
	struct net *n = net_new(NULL);
	uint8_t *h;
	int k;

	memset(&r, 0, sizeof(r));
	pk_init(&p, OPTIONS, strlen(OPTIONS));
	gre(&p, 0, 0x1234);
	ipv4(&p, 47, 1, 0, 0, NULL);
	feed(n, NET_DLT_RAW, &p, 1, &r);
	pk_init(&p, OPTIONS, strlen(OPTIONS));
	gre(&p, 0x4000, 0x0800);			/* routing present */
	ipv4(&p, 47, 1, 0, 0, NULL);
	feed(n, NET_DLT_RAW, &p, 1, &r);
	pk_init(&p, OPTIONS, strlen(OPTIONS));
	h = pk_push(&p, 12);
	h[9] = 2 << 2;					/* FT: IP frame */
	gre(&p, 0x1000, 0x22eb);
	ipv4(&p, 47, 1, 0, 0, NULL);
	feed(n, NET_DLT_RAW, &p, 1, &r);
	T_OK(r.n == 0 && net_stats(n)->tunnel_skipped == 3,
	    "GRE of unknown type, GRE routing, ERSPAN III IP frame skipped");

	/* A tunnel nested deeper than we follow. */
	pk_init(&p, OPTIONS, strlen(OPTIONS));
	udp(&p, 5060, 5060);
	ipv4(&p, IPPROTO_UDP, 1, 0, 0, NULL);
	for (k = 0; k < 20; k++)
		ipv4(&p, 4, 1, 0, 0, NULL);
	feed(n, NET_DLT_RAW, &p, 1, &r);
	T_OK(r.n == 0 && net_stats(n)->tunnel_skipped == 4,
	    "20 nested IP-in-IP: skipped");
	net_free(n);
}

/* The delivery rule. */
static void
test_delivery(void)
{
	static const struct {
		const char	*payload;
		unsigned	 sport, dport;
		bool		 yes;
	} tab[] = {
		{ "hello", 5060, 5060, true },
		{ "hello", 40000, 5080, true },
		{ "hello", 5061, 40000, true },
		{ "hello", 40000, 40001, false },
		{ "", 5060, 5060, false },
		{ "\r\n\r\n", 5060, 5060, false },
		{ "\r\n", 40000, 40001, false },
		{ "OPTIONS sip:a SIP/2.0\r\n\r\n", 40000, 40001, true },
		{ "SIP/2.0 100 Trying\r\n\r\n", 80, 443, true },
		{ "\x80\x00\x01\x02rtp", 10000, 20000, false },
	};
	size_t i;

	for (i = 0; i < GG_NELEM(tab); i++) {
		struct net *n = net_new(NULL);
		static struct rec r;
		static struct pk p;

		memset(&r, 0, sizeof(r));
		pk_init(&p, tab[i].payload, strlen(tab[i].payload));
		udp(&p, tab[i].sport, tab[i].dport);
		ipv4(&p, IPPROTO_UDP, 1, 0, 0, NULL);
		feed(n, NET_DLT_RAW, &p, 1, &r);
		T_OK((r.n == 1) == tab[i].yes && (tab[i].yes ||
		    net_stats(n)->not_sip == 1), "delivery %zu: %u -> %u",
		    i, tab[i].sport, tab[i].dport);
		net_free(n);
	}
}

/* A configured port list replaces the default one. */
static void
test_ports(void)
{
	struct net_limits lim;
	struct net *n;
	static struct rec r;
	static struct pk p;

	memset(&lim, 0, sizeof(lim));
	lim.sip_ports[0] = 6060;
	n = net_new(&lim);
	memset(&r, 0, sizeof(r));
	pk_init(&p, "hello", 5);
	udp(&p, 6060, 1);
	ipv4(&p, IPPROTO_UDP, 1, 0, 0, NULL);
	feed(n, NET_DLT_RAW, &p, 1, &r);
	pk_init(&p, "hello", 5);
	udp(&p, 5060, 1);
	ipv4(&p, IPPROTO_UDP, 1, 0, 0, NULL);
	feed(n, NET_DLT_RAW, &p, 1, &r);
	T_OK(r.n == 1 && r.pkt[0].sport == 6060, "sip_ports = 6060 only");
	net_free(n);
}

/* SIP over SCTP: whole DATA chunks are delivered, pieces are not. */
static void
test_sctp(void)
{
	static struct rec r;
	static struct pk p;
	struct net *n = net_new(NULL);
	size_t ol = strlen(OPTIONS), pad = (4 - ol % 4) % 4;
	uint8_t *h;
	int flags;

	memset(&r, 0, sizeof(r));
	for (flags = 3; flags >= 2; flags--) {
		pk_init(&p, OPTIONS, ol + pad);
		memset(p.buf + p.off + ol, 0, pad);
		h = pk_push(&p, 16);			/* DATA chunk */
		h[1] = (uint8_t)flags;			/* B, E */
		wr16(h + 2, (unsigned)(16 + ol));
		h = pk_push(&p, 8);			/* a SACK before it */
		h[0] = 3;
		wr16(h + 2, 8);
		h = pk_push(&p, 12);			/* common header */
		wr16(h, 40000);
		wr16(h + 2, 5060);
		ipv4(&p, IPPROTO_SCTP, 1, 0, 0, NULL);
		feed(n, NET_DLT_RAW, &p, 1, &r);
	}
	T_OK(r.n == 1 && rec_is(&r, 0, OPTIONS) &&
	    r.pkt[0].proto == IPPROTO_SCTP && r.pkt[0].dport == 5060,
	    "SCTP: whole DATA chunk delivered, a first piece is not");
	net_free(n);
}

/* ---- fragments --------------------------------------------------------- */

#define BIG	3000

struct piece {
	unsigned	off, len;	/* bytes of the datagram */
};

/* A UDP datagram (header included) with a long SIP message in it. */
static size_t
big_datagram(uint8_t *out, char *msg)
{
	static struct pk p;
	size_t n;

	memset(msg, 'a', BIG);
	n = (size_t)snprintf(msg, BIG, "MESSAGE sip:a SIP/2.0\r\nl: %d\r\n\r\n",
	    0);
	msg[n] = 'x';			/* the rest is body-ish filler */
	msg[BIG - 1] = '\0';
	pk_init(&p, msg, BIG - 1);
	udp(&p, 5060, 5060);
	memcpy(out, p.buf + p.off, p.len);
	return p.len;
}

/* Feeds the pieces of dg as IPv4 (v 4) or IPv6 fragments; ts per piece. */
static void
feed_frags(struct net *n, int v, const uint8_t *dg, size_t dglen,
    const struct piece *pc, size_t npc, const uint64_t *ts, unsigned id,
    struct rec *r)
{
	static struct pk p;
	size_t i;

	for (i = 0; i < npc; i++) {
		unsigned off = pc[i].off, len = pc[i].len;
		bool more = off + len < dglen;

		pk_init(&p, dg + off, len);
		if (v == 4) {
			ipv4(&p, IPPROTO_UDP, id, (more ? 0x2000 : 0) | off / 8,
			    0, NULL);
		} else {
			frag6(&p, IPPROTO_UDP, off, more, id);
			ipv6(&p, IPPROTO_FRAGMENT);
		}
		eth(&p, v == 4 ? 0x0800 : 0x86dd);
		feed(n, NET_DLT_EN10MB, &p, ts ? ts[i] : 1, r);
	}
}

static void
test_frags(void)
{
	static const struct {
		const char	*name;
		struct piece	 pc[6];
		size_t		 npc;
		int		 want;		/* deliveries */
	} tab[] = {
		{ "in order", { { 0, 1480 }, { 1480, 1480 }, { 2960, 47 } },
		    3, 1 },
		{ "reversed", { { 2960, 47 }, { 1480, 1480 }, { 0, 1480 } },
		    3, 1 },
		{ "shuffled", { { 1480, 1480 }, { 2960, 47 }, { 0, 1480 } },
		    3, 1 },
		{ "duplicated", { { 0, 1480 }, { 0, 1480 }, { 1480, 1480 },
		    { 1480, 1480 }, { 2960, 47 } }, 5, 1 },
		{ "overlapping", { { 0, 1600 }, { 1480, 1480 },
		    { 800, 2000 }, { 2960, 47 } }, 4, 1 },
		{ "small pieces", { { 0, 8 }, { 8, 8 }, { 16, 2000 },
		    { 2016, 944 }, { 2960, 47 } }, 5, 1 },
		{ "missing middle", { { 0, 1480 }, { 2960, 47 } }, 2, 0 },
		{ "last only", { { 2960, 47 } }, 1, 0 },
	};
	static uint8_t dg[BIG + 8];
	static char msg[BIG];
	size_t dglen = big_datagram(dg, msg), i;
	int v;

	for (v = 4; v <= 6; v += 2) {
		for (i = 0; i < GG_NELEM(tab); i++) {
			struct net *n = net_new(NULL);
			static struct rec r;

			memset(&r, 0, sizeof(r));
			feed_frags(n, v, dg, dglen, tab[i].pc, tab[i].npc, NULL,
			    77, &r);
			T_OK(r.n == tab[i].want && (r.n == 0 ||
			    (r.pkt[0].reassembled && r.pkt[0].len == BIG - 1 &&
			    memcmp(r.data, msg, BIG - 1) == 0)),
			    "IPv%d fragments %s: %d delivered", v,
			    tab[i].name, r.n);
			net_free(n);
		}
	}
}

/* Timeouts and budgets. */
static void
test_frag_limits(void)
{
	static const struct piece pc[] = { { 0, 1480 }, { 1480, 1480 },
	    { 2960, 47 } };
	static uint8_t dg[BIG + 8];
	static char msg[BIG];
	size_t dglen = big_datagram(dg, msg);
	uint64_t late[] = { 1 * SEC, 2 * SEC, 40 * SEC };
	uint64_t fine[] = { 1 * SEC, 2 * SEC, 29 * SEC };
	struct net_limits lim;
	static struct rec r;
	struct net *n;
	int v;

	for (v = 4; v <= 6; v += 2) {
		n = net_new(NULL);
		memset(&r, 0, sizeof(r));
		feed_frags(n, v, dg, dglen, pc, 3, late, 1, &r);
		T_OK(r.n == 0 && net_stats(n)->frag_evicted == 1,
		    "IPv%d: last fragment after the timeout", v);
		/* The clock is the latest frame time: it never goes back. */
		feed_frags(n, v, dg, dglen, pc, 3, fine, 2, &r);
		T_OK(r.n == 1, "IPv%d: frames from the past age from the "
		    "latest time", v);
		memset(&r, 0, sizeof(r));
		net_free(n);
		n = net_new(NULL);
		feed_frags(n, v, dg, dglen, pc, 3, fine, 2, &r);
		T_OK(r.n == 1, "IPv%d: last fragment within the timeout", v);
		net_free(n);
	}

	/* Over budget: a 2 KiB pool cannot hold a 3 KB datagram. */
	memset(&lim, 0, sizeof(lim));
	lim.frag_max_bytes = 2048;
	n = net_new(&lim);
	memset(&r, 0, sizeof(r));
	feed_frags(n, 4, dg, dglen, pc, 3, NULL, 1, &r);
	T_OK(r.n == 0 && net_stats(n)->frag_evicted >= 1,
	    "datagram over the byte budget dropped and counted");
	net_free(n);

	/* Two datagram slots, three interleaved datagrams: oldest goes. */
	memset(&lim, 0, sizeof(lim));
	lim.frag_max_datagrams = 2;
	n = net_new(&lim);
	memset(&r, 0, sizeof(r));
	feed_frags(n, 4, dg, dglen, pc, 1, NULL, 1, &r);
	feed_frags(n, 4, dg, dglen, pc, 1, NULL, 2, &r);
	feed_frags(n, 4, dg, dglen, pc, 1, NULL, 3, &r);
	feed_frags(n, 4, dg, dglen, pc + 1, 2, NULL, 2, &r);
	feed_frags(n, 4, dg, dglen, pc + 1, 2, NULL, 3, &r);
	feed_frags(n, 4, dg, dglen, pc + 1, 2, NULL, 1, &r);
	T_OK(r.n == 2 && net_stats(n)->frag_evicted >= 1,
	    "datagram table full: oldest evicted (%d delivered)", r.n);
	net_free(n);

	/* Contradicting last fragments. */
	n = net_new(NULL);
	memset(&r, 0, sizeof(r));
	{
		static const struct piece bad[] = { { 0, 1480 },
		    { 2960, 47 }, { 1480, 100 } };

		feed_frags(n, 4, dg, 1580, bad + 2, 1, NULL, 5, &r);
		feed_frags(n, 4, dg, dglen, bad, 2, NULL, 5, &r);
	}
	T_OK(r.n == 0 && net_stats(n)->bad >= 1,
	    "fragments disagreeing on the end: dropped");
	net_free(n);
}

/* ---- TCP --------------------------------------------------------------- */

struct seg {
	unsigned	off, len;	/* bytes of the stream */
	int		flags;
};

/* Feeds the stream str cut as segs say, from port sport to dport. */
static void
feed_stream(struct net *n, const char *str, const struct seg *sg, size_t nsg,
    unsigned sport, unsigned dport, uint32_t isn, struct rec *r)
{
	static struct pk p;
	size_t i;

	for (i = 0; i < nsg; i++) {
		pk_init(&p, str + sg[i].off, sg[i].len);
		tcp(&p, sport, dport, sg[i].flags & 2 ? isn :
		    isn + 1 + sg[i].off, sg[i].flags);
		ipv4(&p, IPPROTO_TCP, 1, 0, 0, NULL);
		feed(n, NET_DLT_RAW, &p, 1, r);
	}
}

static void
test_tcp(void)
{
	static char two[1024];
	static const struct {
		const char	*name;
		struct seg	 sg[8];
		size_t		 nsg;
		int		 want;
		uint64_t	 retrans, ooo;
	} tab[] = {
		{ "one segment", { { 0, 0, 2 }, { 0, 999, 0x18 } }, 2, 2, 0,
		    0 },
		{ "no SYN seen", { { 0, 999, 0x18 } }, 1, 2, 0, 0 },
		{ "several segments", { { 0, 0, 2 }, { 0, 10, 0 },
		    { 10, 100, 0 }, { 110, 50, 0 }, { 160, 839, 0 } }, 5, 2,
		    0, 0 },
		{ "retransmission", { { 0, 0, 2 }, { 0, 100, 0 },
		    { 0, 100, 0 }, { 100, 899, 0 }, { 0, 999, 0 } }, 5, 2,
		    2, 0 },
		{ "partial retransmission", { { 0, 0, 2 }, { 0, 100, 0 },
		    { 50, 200, 0 }, { 200, 799, 0 } }, 4, 2, 0, 0 },
		{ "reordered", { { 0, 0, 2 }, { 100, 100, 0 },
		    { 300, 699, 0 }, { 0, 100, 0 }, { 200, 100, 0 } }, 5, 2,
		    0, 2 },
		{ "reordered, overlapping", { { 0, 0, 2 }, { 150, 300, 0 },
		    { 100, 100, 0 }, { 400, 599, 0 }, { 0, 120, 0 } }, 5, 2,
		    0, 3 },
		{ "hole never filled", { { 0, 0, 2 }, { 100, 899, 0 } }, 2,
		    0, 0, 1 },
		{ "FIN with the last bytes", { { 0, 0, 2 }, { 0, 500, 0 },
		    { 500, 499, 1 } }, 3, 2, 0, 0 },
	};
	size_t i, len;

	/* Two messages back to back, with a keep-alive between. */
	len = (size_t)snprintf(two, sizeof(two), "%s\r\n\r\n%s", INVITE,
	    OPTIONS);
	while (len < 999)
		two[len++] = '\r', two[len++] = '\n';
	two[999] = '\0';
	for (i = 0; i < GG_NELEM(tab); i++) {
		struct net *n = net_new(NULL);
		const struct net_stats *st = net_stats(n);
		static struct rec r;

		memset(&r, 0, sizeof(r));
		feed_stream(n, two, tab[i].sg, tab[i].nsg, 40000, 5060, 1000,
		    &r);
		T_OK(r.n == tab[i].want && (r.n < 1 || rec_is(&r, 0, INVITE)) &&
		    (r.n < 2 || rec_is(&r, 1, OPTIONS)) &&
		    st->tcp_retrans == tab[i].retrans &&
		    st->tcp_ooo == tab[i].ooo,
		    "TCP %s: %d messages, %llu retrans, %llu early",
		    tab[i].name, r.n, (unsigned long long)st->tcp_retrans,
		    (unsigned long long)st->tcp_ooo);
		net_free(n);
	}
}

/* After a drop inline, the retransmitted segment is decoded again. */
static void
test_tcp_forget(void)
{
	static const struct seg syn = { 0, 0, 2 }, data = { 0, 0, 0x18 };
	struct seg sg[2] = { syn, data };
	struct net *n = net_new(NULL);
	static struct rec r;
	struct net_pkt key;

	sg[1].len = (unsigned)strlen(INVITE);
	memset(&r, 0, sizeof(r));
	feed_stream(n, INVITE, sg, 2, 40000, 5060, 7000, &r);
	feed_stream(n, INVITE, sg + 1, 1, 40000, 5060, 7000, &r);
	T_OK(r.n == 1, "TCP: a retransmission is not delivered twice (%d)",
	    r.n);
	key = r.pkt[0];
	net_tcp_forget(n, &key);
	feed_stream(n, INVITE, sg + 1, 1, 40000, 5060, 7000, &r);
	T_OK(r.n == 2 && rec_is(&r, 1, INVITE), "TCP: after net_tcp_forget "
	    "(the segment was dropped) its retransmission is delivered again");
	/* Forgetting a UDP flow or an unknown stream leaves this one alone:
	 * a further retransmission is still recognised as seen. */
	key.proto = IPPROTO_UDP;
	net_tcp_forget(n, &key);
	key.sport = 1;
	key.proto = IPPROTO_TCP;
	net_tcp_forget(n, &key);
	feed_stream(n, INVITE, sg + 1, 1, 40000, 5060, 7000, &r);
	T_OK(r.n == 2, "net_tcp_forget of UDP or an unknown stream leaves "
	    "the stream as it was (%d deliveries)", r.n);
	net_free(n);
}

static void
test_tcp_framing(void)
{
	static const char nocl[] = "INVITE sip:a SIP/2.0\r\nVia: x\r\n\r\n";
	static const char tls[] = "\x16\x03\x01\x00\x10 not sip at all";
	static char buf[1024];
	static struct rec r;
	struct seg one = { 0, 0, 0x18 };
	struct net_limits lim;
	struct net *n;
	size_t len;

	/* No Content-Length on a SIP port: raw delivery, then resync. */
	n = net_new(NULL);
	memset(&r, 0, sizeof(r));
	len = (size_t)snprintf(buf, sizeof(buf), "%s", nocl);
	one.len = (unsigned)len;
	feed_stream(n, buf, &one, 1, 40000, 5060, 1, &r);
	one.off = (unsigned)len;
	len += (size_t)snprintf(buf + len, sizeof(buf) - len, "garbage");
	one.len = (unsigned)len - one.off;
	feed_stream(n, buf, &one, 1, 40000, 5060, 1, &r);
	one.off = (unsigned)len;
	len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s", RESP);
	one.len = (unsigned)len - one.off;
	feed_stream(n, buf, &one, 1, 40000, 5060, 1, &r);
	T_OK(r.n == 3 && rec_is(&r, 0, nocl) && rec_is(&r, 1, "garbage") &&
	    rec_is(&r, 2, RESP) && net_stats(n)->tcp_bad_framing == 1,
	    "bad framing on 5060: raw, raw, then resynchronised");
	net_free(n);

	/* Not SIP on another port: ignored, never delivered. */
	n = net_new(NULL);
	memset(&r, 0, sizeof(r));
	one.off = 0;
	one.len = sizeof(tls) - 1;
	feed_stream(n, tls, &one, 1, 40000, 443, 1, &r);
	one.off = 0;
	one.len = sizeof(tls) - 1;
	feed_stream(n, tls, &one, 1, 40000, 443, 100, &r);
	T_OK(r.n == 0 && net_stats(n)->tcp_ignored == 1 &&
	    net_stats(n)->tcp_bad_framing == 0, "TLS on 443 ignored");
	net_free(n);

	/* SIP over TCP on another port, framed all the same. */
	n = net_new(NULL);
	memset(&r, 0, sizeof(r));
	one.off = 0;
	one.len = sizeof(RESP) - 1;
	feed_stream(n, RESP, &one, 1, 5090, 33093, 1, &r);
	T_OK(r.n == 1 && rec_is(&r, 0, RESP), "SIP over TCP on 5090");
	net_free(n);

	/* A message longer than the stream buffer. */
	memset(&lim, 0, sizeof(lim));
	lim.tcp_max_stream_bytes = 64;
	n = net_new(&lim);
	memset(&r, 0, sizeof(r));
	{
		struct seg sg[] = { { 0, 40, 0 }, { 40, 40, 0 },
		    { 80, sizeof(INVITE) - 81, 0 } };

		feed_stream(n, INVITE, sg, 3, 40000, 5060, 1, &r);
	}
	T_OK(net_stats(n)->tcp_bad_framing == 1 && r.n >= 1 &&
	    !rec_is(&r, 0, INVITE), "message over the stream buffer: given "
	    "up, raw (%d)", r.n);
	net_free(n);

	/* Table of streams full: oldest evicted. */
	memset(&lim, 0, sizeof(lim));
	lim.tcp_max_streams = 2;
	n = net_new(&lim);
	memset(&r, 0, sizeof(r));
	{
		struct seg sg = { 0, 50, 0 };
		unsigned port;

		for (port = 40000; port < 40003; port++)
			feed_stream(n, INVITE, &sg, 1, port, 5060, 1, &r);
	}
	T_OK(r.n == 0 && net_stats(n)->tcp_evicted == 1,
	    "3 streams in a table of 2: 1 evicted");
	net_free(n);
}

/* ---- truncation -------------------------------------------------------- */

/* Every prefix of every frame, from the end of a guard page. */
static void
test_truncation(void)
{
	static struct pk p;
	static struct rec r;
	struct net *n = net_new(NULL);
	size_t i, k, frames = 0;
	int v;

	for (i = 0; i < GG_NELEM(wraps); i++) {
		for (v = 4; v <= 6; v += 2) {
			int dlt = wraps[i].dlt;

			pk_init(&p, INVITE, strlen(INVITE));
			udp(&p, 5060, 5060);
			if (v == 4)
				ipv4(&p, IPPROTO_UDP, 1, 0, 8, NULL);
			else
				ipv6(&p, IPPROTO_UDP);
			wrap(&p, wraps[i].w, v);
			if (dlt < 0)
				dlt = v == 4 ? NET_DLT_IPV4 : NET_DLT_IPV6;
			for (k = 0; k <= p.len; k++) {
				const char *g = t_guard_copy(p.buf + p.off, k);

				net_feed_frame(n, dlt, (const uint8_t *)g, k,
				    1, rec_sink, &r);
				t_guard_free(g, k);
				frames++;
			}
		}
	}
	/* A TCP segment and a fragment, cut at every length. */
	for (v = 0; v < 2; v++) {
		pk_init(&p, INVITE, strlen(INVITE));
		if (v == 0)
			tcp(&p, 40000, 5060, 5, 0x18);
		else
			udp(&p, 5060, 5060);
		if (v == 1)
			frag6(&p, IPPROTO_UDP, 0, true, 3);
		if (v == 0)
			ipv4(&p, IPPROTO_TCP, 1, 0, 0, NULL);
		else
			ipv6(&p, IPPROTO_FRAGMENT);
		for (k = 0; k <= p.len; k++) {
			const char *g = t_guard_copy(p.buf + p.off, k);

			net_feed_ip(n, (const uint8_t *)g, k, 1, rec_sink, &r);
			t_guard_free(g, k);
			frames++;
		}
	}
	T_OK(net_stats(n)->frames == frames, "%zu truncated frames fed, "
	    "no fault", frames);
	net_free(n);
}

/*
 * net_feed_ip() decodes a whole IPv4 UDP datagram on a path of its own:
 * the same counters and the same deliveries as net_feed_frame() with
 * NET_DLT_RAW, for datagrams it takes and those it leaves to the general
 * path (fragments, bad or cut headers, options, bad UDP lengths), each cut
 * at every length.
 */
static void
test_feed_ip_same(void)
{
	static struct pk p;
	static struct rec ra, rb;
	static const char KEEPALIVE[] = "\r\n\r\n";
	struct net *a = net_new(NULL), *b = net_new(NULL);
	size_t frames = 0, k;
	bool same = true;
	int v;

	memset(&ra, 0, sizeof(ra));
	memset(&rb, 0, sizeof(rb));
	for (v = 0; v < 12; v++) {
		const char *pl = v == 3 ? KEEPALIVE : v == 4 ? "hello" : INVITE;
		unsigned dport = v == 2 || v == 4 ? 40000 : 5060;
		uint8_t *h;

		pk_init(&p, pl, strlen(pl));
		udp(&p, 5060, dport);
		if (v == 5)
			wr16(p.buf + p.off + 4, (unsigned)p.len + 1);
		if (v == 6)
			wr16(p.buf + p.off + 4, 7);
		ipv4(&p, IPPROTO_UDP, 7, v == 7 ? 0x4000 : v == 8 ? 0x2000 :
		    v == 9 ? 3 : 0, v == 1 ? 12 : 0, NULL);
		h = p.buf + p.off;
		if (v == 10)
			h[0] = 0x44;			/* header under 20 */
		if (v == 11)
			wr16(h + 2, 10);		/* total under header */
		/* Past the datagram's length: zero padding. */
		memset(p.buf + p.off + p.len, 0, 4);
		for (k = 0; k <= p.len + 4; k++) {
			net_feed_ip(a, p.buf + p.off, k, frames + 1,
			    rec_sink, &ra);
			net_feed_frame(b, NET_DLT_RAW, p.buf + p.off, k,
			    frames + 1, rec_sink, &rb);
			frames++;
			if (ra.n != rb.n)
				same = false;
			ra.n = rb.n = 0;
			if (ra.used != rb.used || memcmp(ra.data, rb.data,
			    ra.used) != 0)
				same = false;
			ra.used = rb.used = 0;
			if (memcmp(&ra.pkt[0].src, &rb.pkt[0].src,
			    offsetof(struct net_pkt, data)) != 0 ||
			    ra.pkt[0].len != rb.pkt[0].len)
				same = false;
		}
	}
	T_OK(same, "net_feed_ip() and net_feed_frame(RAW) deliver the same "
	    "for %zu IPv4 UDP datagrams, whole, cut and padded", frames);
	T_OK(memcmp(net_stats(a), net_stats(b), sizeof(struct net_stats)) ==
	    0, "and count the same");
	net_free(a);
	net_free(b);
}

/* ---- capture files ----------------------------------------------------- */

struct count {
	uint64_t	 sip;		/* delivered and looks like SIP */
	uint64_t	 other;		/* delivered, not SIP-looking */
	bool		 list;		/* print the first lines */
};

static void
count_sink(void *arg, const struct net_pkt *pkt)
{
	struct count *c = arg;
	char line[100];
	size_t i;

	if (!sip_looks_like((const char *)pkt->data, pkt->len)) {
		c->other++;
		return;
	}
	c->sip++;
	if (!c->list)
		return;
	for (i = 0; i < pkt->len && i < sizeof(line) - 1 &&
	    pkt->data[i] != '\r' && pkt->data[i] != '\n'; i++)
		;
	printf("%llu %s\n", (unsigned long long)pkt->ts_ns,
	    gg_str_print((struct gg_str){ (const char *)pkt->data, i }, line,
	    sizeof(line)));
}

static const char *
corpus_dir(void)
{
	const char *d = getenv("GG_CORPUS");

	return d && *d ? d : "../shared/corpus";
}

static int
corpus_walk(const char *dir, void (*fn)(const char *))
{
	struct dirent **ents;
	char path[4096];
	struct stat sb;
	int i, nent, files = 0;

	if ((nent = scandir(dir, &ents, NULL, alphasort)) < 0)
		return 0;
	for (i = 0; i < nent; i++) {
		if (ents[i]->d_name[0] != '.') {
			snprintf(path, sizeof(path), "%s/%s", dir,
			    ents[i]->d_name);
			if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
				files += corpus_walk(path, fn);
			} else if (S_ISREG(sb.st_mode)) {
				fn(path);
				files++;
			}
		}
		free(ents[i]);
	}
	free(ents);
	return files;
}

static void
corpus_one(const char *path)
{
	bool netmon = strstr(path, "c07-sip-r2.cap") &&
	    !strstr(path, "converted");
	struct pcap_source_stats st;
	struct count c = { 0, 0, false };
	struct net *n = net_new(NULL);
	char err[256] = "";
	int rc;

	errno = 0;
	rc = pcap_source_run(path, n, count_sink, &c, NULL, &st, err,
	    sizeof(err));
	if (netmon)
		T_OK(rc == -1 && errno == EINVAL && strstr(err, path),
		    "%s: clean error: %s", path, err);
	else
		T_OK(rc == 0 && st.records > 0 && c.sip > 0,
		    "%s: %llu records, %llu SIP messages %s", path,
		    (unsigned long long)st.records, (unsigned long long)c.sip,
		    err);
	net_free(n);
}

static void
test_corpus(void)
{
	char dir[4096];
	char err[256];
	int files;

	snprintf(dir, sizeof(dir), "%s/pcap", corpus_dir());
	files = corpus_walk(dir, corpus_one);
	if (files == 0)
		T_SKIP("no shared test corpus there: put it at ../shared/corpus "
		    "beside the checkout, or set GG_CORPUS=DIR",
		    "captures under %s", dir);

	errno = 0;
	T_OK(pcap_source_run("/nonexistent.pcap", NULL, count_sink, NULL, NULL,
	    NULL, err, sizeof(err)) == -1 && errno == ENOENT,
	    "missing file: %s", err);
}

static void
prog_fn(void *arg, uint64_t done, uint64_t total)
{
	uint64_t *last = arg;

	if (done >= last[0] && done <= total)
		last[1]++;
	last[0] = done;
}

static void
test_progress(void)
{
	char path[4096], err[256];
	uint64_t last[2] = { 0, 0 };
	struct pcap_progress prog = { prog_fn, last, 64 * 1024 };
	struct pcap_source_stats st;
	struct net *n = net_new(NULL);
	struct count c = { 0, 0, false };

	snprintf(path, sizeof(path), "%s/pcap/scanners/initconf-sip-attacks/"
	    "SIP-212.32.250.134.pcap", corpus_dir());
	if (access(path, R_OK) != 0) {
		T_SKIP("no corpus", "progress reports");
		net_free(n);
		return;
	}
	pcap_source_run(path, n, count_sink, &c, &prog, &st, err, sizeof(err));
	T_OK(last[1] > 10 && last[0] == st.file_size && st.file_size > 0,
	    "progress: %llu monotonic reports, ends at the file size",
	    (unsigned long long)last[1]);
	net_free(n);
}

/* Truncates its file to 8 KiB at the first payload. */
struct shrink {
	int		 fd;
	uint64_t	 payloads;
};

static void
shrink_sink(void *arg, const struct net_pkt *pkt)
{
	struct shrink *k = arg;

	(void)pkt;
	if (k->payloads++ == 0 && ftruncate(k->fd, 8192) != 0)
		abort();
}

/*
 * Another process truncating a capture while it is read from the memory
 * map (src/io/pcap.c) must not kill the reader with SIGBUS: it reads to the
 * new end, fewer records than the file had.
 */
static void
test_truncated_under_map(void)
{
	char src[4096], path[] = "/tmp/net_test.XXXXXX", err[256] = "";
	struct pcap_source_stats st, whole;
	struct shrink k = { -1, 0 };
	struct count c = { 0, 0, false };
	struct net *n = net_new(NULL);
	size_t len;
	char *data;
	int rc;

	snprintf(src, sizeof(src), "%s/pcap/scanners/initconf-sip-attacks/"
	    "SIP-212.32.250.134.pcap", corpus_dir());
	if ((data = t_slurp(src, &len)) == NULL) {
		T_SKIP("no corpus", "a capture truncated under the map");
		net_free(n);
		return;
	}
	if ((k.fd = mkstemp(path)) < 0 ||
	    write(k.fd, data, len) != (ssize_t)len)
		abort();
	pcap_source_run(path, n, count_sink, &c, NULL, &whole, err,
	    sizeof(err));
	rc = pcap_source_run(path, n, shrink_sink, &k, NULL, &st, err,
	    sizeof(err));
	T_OK((rc == 0 || rc == -1) && st.records < whole.records &&
	    k.payloads > 0 && len > 65536, "a capture cut to 8 KiB while "
	    "mapped: %llu of %llu records, status %d %s",
	    (unsigned long long)st.records,
	    (unsigned long long)whole.records, rc, err);
	close(k.fd);
	unlink(path);
	free(data);
	net_free(n);
}

/* --count / --list: SIP messages in one file, for tests/net/. */
static int
count_main(int argc, char **argv)
{
	struct net_limits lim;
	struct count c = { 0, 0, false };
	struct net *n;
	char err[256];
	int i, np = 0, rc;

	net_limits_default(&lim);
	c.list = strcmp(argv[1], "--list") == 0;
	for (i = 2; i + 1 < argc && strcmp(argv[i], "--port") == 0; i += 2) {
		if (np == 0)
			memset(lim.sip_ports, 0, sizeof(lim.sip_ports));
		if (np < (int)GG_NELEM(lim.sip_ports))
			lim.sip_ports[np++] = (uint16_t)atoi(argv[i + 1]);
	}
	if (i != argc - 1) {
		fprintf(stderr, "usage: net_test --count|--list [--port N]... "
		    "FILE\n");
		return 2;
	}
	if ((n = net_new(&lim)) == NULL)
		return 1;
	rc = pcap_source_run(argv[i], n, count_sink, &c, NULL, NULL, err,
	    sizeof(err));
	if (rc != 0)
		fprintf(stderr, "%s\n", err);
	else if (!c.list)
		printf("%llu\n", (unsigned long long)c.sip);
	net_free(n);
	return rc == 0 ? 0 : 1;
}

int
main(int argc, char **argv)
{
	if (argc > 1 && (strcmp(argv[1], "--count") == 0 ||
	    strcmp(argv[1], "--list") == 0))
		return count_main(argc, argv);
	test_frame();
	test_looks_like();
	test_frame_prefixes();
	test_links();
	test_ip_headers();
	test_tunnel_skipped();
	test_delivery();
	test_ports();
	test_sctp();
	test_frags();
	test_frag_limits();
	test_tcp();
	test_tcp_forget();
	test_tcp_framing();
	test_truncation();
	test_feed_ip_same();
	test_corpus();
	test_progress();
	test_truncated_under_map();
	return t_done();
}
