/*
 * net.c - the decode path: link layer, VLAN, PPPoE, IPv4, IPv6 and its
 * extension headers, tunnels (IP-in-IP, IPv6-in-IP, GRE, ERSPAN), UDP, and
 * the delivery rule. Fragments go to frag.c, TCP segments to tcp.c.
 *
 * Every reader checks the length it has before it looks; each layer passes
 * the next one a (pointer, length) that lies inside the frame. Nesting is
 * bounded by NET_MAX_DEPTH so a crafted tunnel stack cannot recurse deep.
 */
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "net_int.h"
#include "../sip/sip.h"

#define ETH_IPV4	0x0800
#define ETH_IPV6	0x86dd
#define ETH_VLAN	0x8100
#define ETH_QINQ	0x88a8
#define ETH_QINQ_OLD	0x9100
#define ETH_PPPOE_SESS	0x8864
#define ETH_TEB		0x6558	/* transparent Ethernet bridging (GRE) */
#define ETH_ERSPAN2	0x88be	/* ERSPAN type I and II */
#define ETH_ERSPAN3	0x22eb
#define ETH_PPP		0x880b	/* PPP in enhanced GRE (PPTP) */

#define PPP_IPV4	0x0021
#define PPP_IPV6	0x0057

static void	link_ether(struct net *, struct net_ctx *, const uint8_t *,
		    size_t);
static void	ip_packet(struct net *, struct net_ctx *, struct net_l3 *,
		    const uint8_t *, size_t);
static void	ipv6_chain(struct net *, struct net_ctx *, struct net_l3 *,
		    uint8_t, const uint8_t *, size_t);

static uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

void
net_limits_default(struct net_limits *lim)
{
	memset(lim, 0, sizeof(*lim));
	lim->frag_max_bytes = 4u << 20;
	lim->frag_max_datagrams = 256;
	lim->frag_timeout_ns = 30ull * 1000000000;	/* Linux ipfrag_time */
	lim->tcp_max_streams = 4096;
	lim->tcp_max_stream_bytes = 128u << 10;
	lim->tcp_max_buffered = 32;
	lim->tcp_timeout_ns = 300ull * 1000000000;
	lim->sip_ports[0] = 5060;
	lim->sip_ports[1] = 5061;
	lim->sip_ports[2] = 5080;
}

/* Zero fields of *in take the defaults. */
static void
limits_fill(struct net_limits *out, const struct net_limits *in)
{
	net_limits_default(out);
	if (in == NULL)
		return;
	if (in->frag_max_bytes)
		out->frag_max_bytes = in->frag_max_bytes;
	if (in->frag_max_datagrams)
		out->frag_max_datagrams = in->frag_max_datagrams;
	if (in->frag_timeout_ns)
		out->frag_timeout_ns = in->frag_timeout_ns;
	if (in->tcp_max_streams)
		out->tcp_max_streams = in->tcp_max_streams;
	if (in->tcp_max_stream_bytes)
		out->tcp_max_stream_bytes = in->tcp_max_stream_bytes;
	if (in->tcp_max_buffered)
		out->tcp_max_buffered = in->tcp_max_buffered;
	if (in->tcp_timeout_ns)
		out->tcp_timeout_ns = in->tcp_timeout_ns;
	if (in->sip_ports[0])
		memcpy(out->sip_ports, in->sip_ports, sizeof(out->sip_ports));
}

struct net *
net_new(const struct net_limits *lim)
{
	struct net *n = calloc(1, sizeof(*n));

	if (n == NULL)
		return NULL;
	limits_fill(&n->lim, lim);
	n->reasm = malloc(NET_IP_MAX);
	n->frag = frag_new(&n->lim);
	n->tcp = tcp_new(&n->lim);
	if (n->reasm == NULL || n->frag == NULL || n->tcp == NULL) {
		net_free(n);
		return NULL;
	}
	return n;
}

void
net_free(struct net *n)
{
	if (n == NULL)
		return;
	frag_free(n->frag);
	tcp_free(n->tcp);
	free(n->reasm);
	free(n);
}

const struct net_stats *
net_stats(const struct net *n)
{
	return &n->st;
}

bool
net_is_sip_port(const struct net *n, uint16_t port)
{
	size_t i;

	for (i = 0; i < GG_NELEM(n->lim.sip_ports) && n->lim.sip_ports[i]; i++)
		if (n->lim.sip_ports[i] == port)
			return true;
	return false;
}

/* True when p holds only CR and LF bytes (keep-alives), or nothing. */
static bool
only_crlf(const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != '\r' && p[i] != '\n')
			return false;
	return true;
}

/*
 * The delivery rule (net.h): SIP ports get everything but empty payloads
 * and keep-alives; other ports only what looks like SIP. net_deliver() for
 * TCP and SCTP; inlined where UDP delivers (every packet of the inline
 * path): a call less.
 */
static inline __attribute__((always_inline)) void
deliver(struct net *n, const struct net_ctx *c, const struct net_l3 *l3,
    uint8_t proto, uint16_t sport, uint16_t dport, bool reassembled,
    const uint8_t *p, size_t len)
{
	struct net_pkt pkt;

	if (only_crlf(p, len) || (!net_is_sip_port(n, sport) &&
	    !net_is_sip_port(n, dport) &&
	    !sip_looks_like((const char *)p, len))) {
		n->st.not_sip++;
		return;
	}
	memset(&pkt, 0, sizeof(pkt));
	pkt.src = l3->src;
	pkt.dst = l3->dst;
	pkt.sport = sport;
	pkt.dport = dport;
	pkt.proto = proto;
	pkt.tunnel = c->tunnel;
	pkt.reassembled = reassembled || l3->reassembled;
	pkt.truncated = l3->truncated;
	pkt.ts_ns = c->ts;
	pkt.data = p;
	pkt.len = len;
	n->st.delivered++;
	c->sink(c->arg, &pkt);
}

void
net_deliver(struct net *n, const struct net_ctx *c, const struct net_l3 *l3,
    uint8_t proto, uint16_t sport, uint16_t dport, bool reassembled,
    const uint8_t *p, size_t len)
{
	deliver(n, c, l3, proto, sport, dport, reassembled, p, len);
}

static inline __attribute__((always_inline)) void
udp_input(struct net *n, struct net_ctx *c, const struct net_l3 *l3,
    const uint8_t *p, size_t len)
{
	size_t ulen;

	n->st.udp++;
	if (len < 8) {
		n->st.truncated++;
		return;
	}
	ulen = rd16(p + 4);
	if (ulen < 8) {
		n->st.bad++;
		return;
	}
	/* A short capture keeps the beginning; l3->truncated says so. */
	if (ulen > len) {
		if (!l3->truncated) {
			n->st.bad++;
			return;
		}
		ulen = len;
	}
	deliver(n, c, l3, IPPROTO_UDP, rd16(p), rd16(p + 2), false,
	    p + 8, ulen - 8);
}

/*
 * SCTP (RFC 9260): each DATA chunk that holds a whole user message (B and E
 * set) is delivered like a datagram (SIP over SCTP, RFC 4168). Messages
 * split over several chunks are not reassembled: counted in other_proto.
 */
static void
sctp_input(struct net *n, struct net_ctx *c, const struct net_l3 *l3,
    const uint8_t *p, size_t len)
{
	size_t off = 12, clen;

	n->st.sctp++;
	if (len < 12) {
		n->st.truncated++;
		return;
	}
	while (len - off >= 4) {
		clen = rd16(p + off + 2);
		if (clen < 4 || clen > len - off) {
			n->st.truncated++;
			return;
		}
		if (p[off] == 0 && clen >= 16 && (p[off + 1] & 3) == 3)
			net_deliver(n, c, l3, IPPROTO_SCTP, rd16(p),
			    rd16(p + 2), false, p + off + 16, clen - 16);
		else if (p[off] == 0)
			n->st.other_proto++;
		clen = (clen + 3) & ~(size_t)3;
		if (clen > len - off)
			break;
		off += clen;
	}
}

/*
 * PPP payload (after the PPPoE or enhanced GRE header): optional address
 * and control bytes, a one- or two-byte protocol, then IP.
 */
static void
ppp_input(struct net *n, struct net_ctx *c, struct net_l3 *l3,
    const uint8_t *p, size_t len)
{
	uint16_t proto;

	if (len >= 2 && p[0] == 0xff && p[1] == 0x03) {
		p += 2;
		len -= 2;
	}
	if (len < 1) {
		n->st.truncated++;
		return;
	}
	if (p[0] & 1) {		/* protocol field compressed to one byte */
		proto = p[0];
		p++;
		len--;
	} else {
		if (len < 2) {
			n->st.truncated++;
			return;
		}
		proto = rd16(p);
		p += 2;
		len -= 2;
	}
	if (proto != PPP_IPV4 && proto != PPP_IPV6) {
		n->st.other_link++;
		return;
	}
	ip_packet(n, c, l3, p, len);
}

/* ERSPAN type II or III header, then an Ethernet frame. */
static void
erspan_input(struct net *n, struct net_ctx *c, uint16_t type, bool seq,
    const uint8_t *p, size_t len)
{
	size_t hl;

	if (type == ETH_ERSPAN2) {
		/* Type I has no header (and no GRE sequence number). */
		hl = seq ? 8 : 0;
	} else {
		if (len < 12) {
			n->st.truncated++;
			return;
		}
		/* Frame type (FT) 0 is Ethernet; others we do not follow. */
		if (((p[9] >> 2) & 0x1f) != 0) {
			n->st.tunnel_skipped++;
			return;
		}
		hl = (p[11] & 1) ? 20 : 12;	/* O: platform subheader */
	}
	if (len < hl) {
		n->st.truncated++;
		return;
	}
	link_ether(n, c, p + hl, len - hl);
}

/* GRE (RFC 2784/2890) and enhanced GRE (RFC 2637, PPTP). */
static void
gre_input(struct net *n, struct net_ctx *c, struct net_l3 *l3,
    const uint8_t *p, size_t len)
{
	uint16_t flags, proto;
	size_t hl = 4;

	if (len < 4) {
		n->st.truncated++;
		return;
	}
	flags = rd16(p);
	proto = rd16(p + 2);
	if ((flags & 7) == 0) {
		if (flags & 0x4000) {		/* source routing: obsolete */
			n->st.tunnel_skipped++;
			return;
		}
		hl += (flags & 0x8000 ? 4 : 0) + (flags & 0x2000 ? 4 : 0) +
		    (flags & 0x1000 ? 4 : 0);
	} else if ((flags & 7) == 1 && proto == ETH_PPP) {
		hl += 4 + (flags & 0x1000 ? 4 : 0) + (flags & 0x0080 ? 4 : 0);
	} else {
		n->st.tunnel_skipped++;
		return;
	}
	if (len < hl) {
		n->st.truncated++;
		return;
	}
	p += hl;
	len -= hl;
	n->st.tunnels++;
	c->tunnel++;
	switch (proto) {
	case ETH_IPV4:
	case ETH_IPV6:
		ip_packet(n, c, l3, p, len);
		break;
	case ETH_PPP:
		ppp_input(n, c, l3, p, len);
		break;
	case ETH_TEB:
		link_ether(n, c, p, len);
		break;
	case ETH_ERSPAN2:
	case ETH_ERSPAN3:
		erspan_input(n, c, proto, (flags & 0x1000) != 0, p, len);
		break;
	default:
		n->st.tunnels--;
		n->st.tunnel_skipped++;
		break;
	}
}

void
net_ip_payload(struct net *n, struct net_ctx *c, struct net_l3 *l3,
    uint8_t proto, const uint8_t *p, size_t len)
{
	switch (proto) {
	case IPPROTO_UDP:
		udp_input(n, c, l3, p, len);
		break;
	case IPPROTO_TCP:
		if (l3->truncated) {
			/* A cut segment would corrupt the stream. */
			n->st.truncated++;
			break;
		}
		tcp_input(n, c, l3, p, len);
		break;
	case IPPROTO_IPIP:
	case IPPROTO_IPV6:
		n->st.tunnels++;
		c->tunnel++;
		ip_packet(n, c, l3, p, len);
		break;
	case IPPROTO_GRE:
		gre_input(n, c, l3, p, len);
		break;
	case IPPROTO_SCTP:
		sctp_input(n, c, l3, p, len);
		break;
	case IPPROTO_HOPOPTS:
	case IPPROTO_ROUTING:
	case IPPROTO_DSTOPTS:
	case IPPROTO_FRAGMENT:
	case IPPROTO_AH:
	case 135:
		/* Only after a reassembled IPv6 fragment header. */
		if (l3->src.family == AF_INET6) {
			ipv6_chain(n, c, l3, proto, p, len);
			break;
		}
		/* FALLTHROUGH */
	default:
		n->st.other_proto++;
		break;
	}
}

/* IPv4: header and options, fragments, then the payload. */
static void
ipv4_input(struct net *n, struct net_ctx *c, struct net_l3 *l3,
    const uint8_t *p, size_t len)
{
	size_t hl, tl, off;
	uint16_t fl;

	n->st.ipv4++;
	if (len < 20) {
		n->st.truncated++;
		return;
	}
	hl = (size_t)(p[0] & 0x0f) * 4;
	tl = rd16(p + 2);
	if (hl < 20 || tl < hl) {
		n->st.bad++;
		return;
	}
	if (len < hl) {
		n->st.truncated++;
		return;
	}
	if (tl > len) {
		l3->truncated = true;	/* snaplen: keep what we have */
		tl = len;
	}
	/* Ethernet padding beyond tl is dropped here. */
	memset(&l3->src, 0, sizeof(l3->src));
	memset(&l3->dst, 0, sizeof(l3->dst));
	l3->src.family = l3->dst.family = AF_INET;
	memcpy(l3->src.a, p + 12, 4);
	memcpy(l3->dst.a, p + 16, 4);
	fl = rd16(p + 6);
	off = (size_t)(fl & 0x1fff) * 8;
	if ((fl & 0x2000) || off) {
		n->st.frags++;
		if (l3->truncated || n->in_reasm) {
			n->st.frag_evicted++;
			return;
		}
		frag_input(n, c, l3, rd16(p + 4), p[9], off, fl & 0x2000,
		    p + hl, tl - hl);
		return;
	}
	net_ip_payload(n, c, l3, p[9], p + hl, tl - hl);
}

/*
 * Walks IPv6 extension headers from next header nh at p, then decodes the
 * payload. A fragment header hands the rest to frag.c.
 */
static void
ipv6_chain(struct net *n, struct net_ctx *c, struct net_l3 *l3, uint8_t nh,
    const uint8_t *p, size_t len)
{
	size_t hl;
	unsigned i;

	for (i = 0; i < 16; i++) {
		switch (nh) {
		case IPPROTO_HOPOPTS:
		case IPPROTO_ROUTING:
		case IPPROTO_DSTOPTS:
		case 135:		/* mobility */
			if (len < 8)
				goto trunc;
			hl = ((size_t)p[1] + 1) * 8;
			break;
		case IPPROTO_AH:
			if (len < 8)
				goto trunc;
			hl = ((size_t)p[1] + 2) * 4;
			break;
		case IPPROTO_FRAGMENT:
			if (len < 8)
				goto trunc;
			n->st.frags++;
			if (l3->truncated || n->in_reasm) {
				n->st.frag_evicted++;
				return;
			}
			frag_input(n, c, l3, rd32(p + 4), p[0],
			    (size_t)(rd16(p + 2) & 0xfff8), p[3] & 1,
			    p + 8, len - 8);
			return;
		default:
			net_ip_payload(n, c, l3, nh, p, len);
			return;
		}
		if (len < hl)
			goto trunc;
		nh = p[0];
		p += hl;
		len -= hl;
	}
	n->st.bad++;		/* absurdly long chain */
	return;
trunc:
	n->st.truncated++;
}

static void
ipv6_input(struct net *n, struct net_ctx *c, struct net_l3 *l3,
    const uint8_t *p, size_t len)
{
	size_t pl;

	n->st.ipv6++;
	if (len < 40) {
		n->st.truncated++;
		return;
	}
	pl = rd16(p + 4);
	if (pl == 0) {
		n->st.other_proto++;	/* jumbogram: not for SIP */
		return;
	}
	if (pl > len - 40) {
		l3->truncated = true;
		pl = len - 40;
	}
	memset(&l3->src, 0, sizeof(l3->src));
	memset(&l3->dst, 0, sizeof(l3->dst));
	l3->src.family = l3->dst.family = AF_INET6;
	memcpy(l3->src.a, p + 8, 16);
	memcpy(l3->dst.a, p + 24, 16);
	ipv6_chain(n, c, l3, p[6], p + 40, pl);
}

/* An IP packet of either version, by its version nibble. */
static void
ip_packet(struct net *n, struct net_ctx *c, struct net_l3 *l3,
    const uint8_t *p, size_t len)
{
	if (++c->depth > NET_MAX_DEPTH) {
		n->st.tunnel_skipped++;
		return;
	}
	if (len < 1) {
		n->st.truncated++;
		return;
	}
	switch (p[0] >> 4) {
	case 4:
		ipv4_input(n, c, l3, p, len);
		break;
	case 6:
		ipv6_input(n, c, l3, p, len);
		break;
	default:
		n->st.bad++;
		break;
	}
}

/* Payload of an ethertype (after VLAN tags, SLL, ...). */
static void
ethertype_input(struct net *n, struct net_ctx *c, uint16_t type,
    const uint8_t *p, size_t len)
{
	struct net_l3 l3;

	memset(&l3, 0, sizeof(l3));
	switch (type) {
	case ETH_IPV4:
	case ETH_IPV6:
		ip_packet(n, c, &l3, p, len);
		break;
	case ETH_PPPOE_SESS:
		/* ver/type, code 0, session id, length; then PPP. */
		if (len < 6) {
			n->st.truncated++;
			return;
		}
		if (p[0] != 0x11 || p[1] != 0) {
			n->st.other_link++;
			return;
		}
		if (rd16(p + 4) < len - 6)
			len = 6 + rd16(p + 4);
		ppp_input(n, c, &l3, p + 6, len - 6);
		break;
	default:
		n->st.other_link++;
		break;
	}
}

/* Ethernet II with any number (bounded) of 802.1Q / 802.1ad tags. */
static void
link_ether(struct net *n, struct net_ctx *c, const uint8_t *p, size_t len)
{
	uint16_t type;

	if (++c->depth > NET_MAX_DEPTH) {
		n->st.tunnel_skipped++;
		return;
	}
	if (len < 14) {
		n->st.truncated++;
		return;
	}
	type = rd16(p + 12);
	p += 14;
	len -= 14;
	while (type == ETH_VLAN || type == ETH_QINQ || type == ETH_QINQ_OLD) {
		if (len < 4) {
			n->st.truncated++;
			return;
		}
		if (++c->depth > NET_MAX_DEPTH) {
			n->st.tunnel_skipped++;
			return;
		}
		type = rd16(p + 2);
		p += 4;
		len -= 4;
	}
	if (type < 0x0600) {		/* 802.3 length: LLC, not IP */
		n->st.other_link++;
		return;
	}
	ethertype_input(n, c, type, p, len);
}

/* BSD loopback: the address family, in the capturing host's order. */
static void
link_null(struct net *n, struct net_ctx *c, int dlt, const uint8_t *p,
    size_t len)
{
	uint32_t af, le;
	struct net_l3 l3;

	if (len < 4) {
		n->st.truncated++;
		return;
	}
	af = rd32(p);
	le = (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[1] << 8 | p[0];
	if (dlt == NET_DLT_NULL && le < af)
		af = le;
	memset(&l3, 0, sizeof(l3));
	switch (af) {
	case 2:				/* AF_INET everywhere */
	case 10: case 24: case 28: case 30:	/* AF_INET6: Linux, BSDs */
		ip_packet(n, c, &l3, p + 4, len - 4);
		break;
	default:
		n->st.other_link++;
		break;
	}
}

/*
 * Each frame: counted, the clock moved on (captures may step back; the
 * clock does not), and the reassembly state that timed out let go.
 */
static inline void
frame_begin(struct net *n, uint64_t ts_ns)
{
	n->st.frames++;
	if (ts_ns > n->now)
		n->now = ts_ns;
	frag_expire(n, n->now);
	tcp_expire(n, n->now);
}

void
net_feed_frame(struct net *n, int dlt, const uint8_t *frame, size_t caplen,
    uint64_t ts_ns, net_sink sink, void *arg)
{
	struct net_ctx c = { ts_ns, sink, arg, 0, 0 };
	struct net_l3 l3;

	frame_begin(n, ts_ns);
	memset(&l3, 0, sizeof(l3));
	switch (dlt) {
	case NET_DLT_EN10MB:
		link_ether(n, &c, frame, caplen);
		break;
	case NET_DLT_LINUX_SLL:
		if (caplen < 16)
			goto trunc;
		ethertype_input(n, &c, rd16(frame + 14), frame + 16,
		    caplen - 16);
		break;
	case NET_DLT_LINUX_SLL2:
		if (caplen < 20)
			goto trunc;
		ethertype_input(n, &c, rd16(frame), frame + 20, caplen - 20);
		break;
	case NET_DLT_NULL:
	case NET_DLT_LOOP:
		link_null(n, &c, dlt, frame, caplen);
		break;
	case NET_DLT_RAW:
	case 14:
	case 101:
	case NET_DLT_IPV4:
	case NET_DLT_IPV6:
		ip_packet(n, &c, &l3, frame, caplen);
		break;
	default:
		n->st.other_link++;
		break;
	}
	return;
trunc:
	n->st.truncated++;
}

/*
 * The inline path's packet is nearly always a whole IPv4 UDP datagram with
 * its header complete: for it, what net_feed_frame(), ip_packet(),
 * ipv4_input() and net_ip_payload() would do (the same counters, the same
 * delivery through udp_input()) without their calls, switches and layer
 * state. False for anything else (a fragment, a bad or cut header), which
 * takes the general path and is counted there.
 */
static bool
feed_ipv4_udp(struct net *n, const uint8_t *pkt, size_t len, uint64_t ts_ns,
    net_sink sink, void *arg)
{
	struct net_ctx c = { ts_ns, sink, arg, 1, 0 };	/* ip_packet()'s */
	struct net_l3 l3;
	size_t hl, tl;

	if (len < 20 || pkt[0] >> 4 != 4 || pkt[9] != IPPROTO_UDP ||
	    (rd16(pkt + 6) & 0x3fff) != 0)
		return false;
	hl = (size_t)(pkt[0] & 0x0f) * 4;
	tl = rd16(pkt + 2);
	if (hl < 20 || tl < hl || tl > len)
		return false;
	frame_begin(n, ts_ns);
	memset(&l3, 0, sizeof(l3));
	l3.src.family = l3.dst.family = AF_INET;
	memcpy(l3.src.a, pkt + 12, 4);
	memcpy(l3.dst.a, pkt + 16, 4);
	n->st.ipv4++;
	udp_input(n, &c, &l3, pkt + hl, tl - hl);
	return true;
}

void
net_feed_ip(struct net *n, const uint8_t *pkt, size_t len, uint64_t ts_ns,
    net_sink sink, void *arg)
{
	if (!feed_ipv4_udp(n, pkt, len, ts_ns, sink, arg))
		net_feed_frame(n, NET_DLT_RAW, pkt, len, ts_ns, sink, arg);
}
