/*
 * net.h - packet decoding: link layer to SIP payload.
 *
 * A struct net turns captured frames (pcap) or whole IP packets (NFQUEUE) into
 * SIP candidate payloads, each handed to a sink callback with its flow key:
 * one call per UDP datagram payload (and per whole SCTP DATA chunk), one call
 * per SIP message framed out of a TCP stream (by Content-Length, across
 * segments, with retransmissions and reordering handled). It understands
 * Ethernet, Linux SLL and SLL2, raw IP, BSD null/loopback, 802.1Q and QinQ,
 * PPPoE sessions, IPv4 and IPv6 with extension headers, IPv4 and IPv6
 * fragments (reassembled with bounded memory and a timeout), and the tunnels
 * IP-in-IP, IPv6-in-IP, GRE (IP, Ethernet, PPP) and ERSPAN I, II and III
 * (decapsulated; anything it cannot decode is counted as tunnel_skipped,
 * never misparsed).
 *
 * Which payloads are delivered: every UDP, TCP or SCTP payload to or from a
 * port in the SIP port list (so that garbage sent to 5060 reaches the
 * engine), and on other ports only payloads that sip_looks_like(). Empty
 * payloads and pure CRLF keep-alives are not delivered. On TCP, bytes that
 * cannot be framed are delivered as they are on a SIP port (counted in
 * tcp_bad_framing) and dropped elsewhere; a stream on another port whose
 * first bytes are not SIP is ignored (tcp_ignored) until a segment starts
 * with a SIP start line.
 *
 * Memory is fixed by struct net_limits at net_new(); when a table is full the
 * oldest entry is evicted and counted. Time comes only from the ts_ns given
 * with each frame: no clock is read. Pure: no I/O, no globals.
 */
#ifndef NET_H
#define NET_H

#include "../lib/gg.h"

/* Link-layer types, the DLT_ values of libpcap. */
#define NET_DLT_NULL		0	/* BSD loopback, host byte order AF */
#define NET_DLT_EN10MB		1	/* Ethernet */
#define NET_DLT_RAW		12	/* raw IP (also 14 and 101) */
#define NET_DLT_LOOP		108	/* OpenBSD loopback, network order AF */
#define NET_DLT_LINUX_SLL	113
#define NET_DLT_IPV4		228
#define NET_DLT_IPV6		229
#define NET_DLT_LINUX_SLL2	276

/* One payload handed to the sink. */
struct net_pkt {
	struct gg_addr	 src, dst;	/* innermost IP header's addresses */
	uint16_t	 sport, dport;	/* host byte order */
	uint8_t		 proto;		/* IPPROTO_UDP, IPPROTO_TCP or
					 * IPPROTO_SCTP */
	uint8_t		 tunnel;	/* encapsulation levels removed */
	bool		 reassembled;	/* came from IP fragments or several
					 * TCP segments */
	bool		 truncated;	/* the capture cut the datagram short
					 * (snaplen): data is its beginning */
	uint64_t	 ts_ns;		/* time of the frame that completed it */
	const uint8_t	*data;		/* payload; valid during the call only */
	size_t		 len;
};

/* Called once per delivered payload. */
typedef void (*net_sink)(void *arg, const struct net_pkt *pkt);

/* Ceilings; zero fields take the defaults of net_limits_default(). */
struct net_limits {
	size_t		frag_max_bytes;		/* all pending fragments */
	size_t		frag_max_datagrams;	/* datagrams being reassembled */
	uint64_t	frag_timeout_ns;	/* drop an incomplete datagram */
	size_t		tcp_max_streams;	/* TCP directions tracked */
	size_t		tcp_max_stream_bytes;	/* buffered bytes per direction;
						 * a longer message is given
						 * up on (tcp_bad_framing) */
	size_t		tcp_max_buffered;	/* directions holding buffered
						 * bytes at once (memory is
						 * this times the above) */
	uint64_t	tcp_timeout_ns;		/* forget an idle stream */
	uint16_t	sip_ports[8];		/* SIP ports; 0 ends the list.
						 * Default 5060, 5061, 5080 */
};

/* Counters; all only grow. */
struct net_stats {
	uint64_t	frames;			/* frames or packets fed */
	uint64_t	delivered;		/* payloads given to the sink */
	uint64_t	ipv4, ipv6, udp, tcp;
	uint64_t	sctp;			/* SCTP packets */
	uint64_t	truncated;		/* frame shorter than its headers */
	uint64_t	bad;			/* bad header, checksum not checked */
	uint64_t	other_link;		/* link type or ethertype not IP */
	uint64_t	other_proto;		/* IP payload not UDP/TCP/tunnel */
	uint64_t	tunnels;		/* tunnel layers decapsulated */
	uint64_t	tunnel_skipped;		/* tunnels we cannot decode */
	uint64_t	frags;			/* fragments seen */
	uint64_t	frag_reassembled;	/* datagrams completed */
	uint64_t	frag_evicted;		/* dropped: full or timed out */
	uint64_t	tcp_segments;
	uint64_t	tcp_retrans;		/* segments wholly seen before */
	uint64_t	tcp_ooo;		/* segments that arrived early */
	uint64_t	tcp_evicted;		/* streams dropped: full, idle */
	uint64_t	tcp_bad_framing;	/* streams given up on */
	uint64_t	tcp_ignored;		/* streams on non-SIP ports
						 * whose first bytes are not
						 * SIP */
	uint64_t	not_sip;		/* payloads not delivered */
};

struct net;

/* Fills *lim with the defaults. */
void		 net_limits_default(struct net_limits *lim);

/* A new decoder with the given ceilings (NULL: defaults). NULL on ENOMEM. */
struct net	*net_new(const struct net_limits *lim);
void		 net_free(struct net *n);

/*
 * Decodes one captured frame of link type dlt (caplen bytes captured). Calls
 * sink zero or more times before returning.
 */
void		 net_feed_frame(struct net *n, int dlt, const uint8_t *frame,
		    size_t caplen, uint64_t ts_ns, net_sink sink, void *arg);

/* Same for a bare IPv4 or IPv6 packet (NFQUEUE). */
void		 net_feed_ip(struct net *n, const uint8_t *pkt, size_t len,
		    uint64_t ts_ns, net_sink sink, void *arg);

const struct net_stats *net_stats(const struct net *n);

/*
 * Inline use: the packet that completed pkt (a TCP payload) was dropped, so
 * its sender will retransmit it. The stream forgets what it has seen, so
 * that the retransmission is framed and delivered again instead of being
 * trimmed as already seen. Does nothing for UDP or an unknown stream.
 */
void		 net_tcp_forget(struct net *n, const struct net_pkt *pkt);

#endif /* NET_H */
