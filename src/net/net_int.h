/*
 * net_int.h - what net.c, frag.c and tcp.c share. Not for other modules:
 * they use net.h.
 *
 * net.c owns struct net and the decode path; frag.c keeps the fragment
 * table and calls back into net.c with each reassembled datagram; tcp.c
 * keeps the per-direction streams and calls net_deliver() for each framed
 * message. All tables are allocated in net_new() and never grow.
 */
#ifndef NET_INT_H
#define NET_INT_H

#include "net.h"

#define NET_MAX_DEPTH	8	/* tunnel and VLAN nesting we follow */
#define NET_IP_MAX	65535	/* largest reassembled IP payload */

struct frag_tab;
struct tcp_tab;

struct net {
	struct net_limits	 lim;		/* ceilings, defaults in */
	struct net_stats	 st;		/* counters */
	uint64_t		 now;		/* latest frame time seen */
	struct frag_tab		*frag;		/* datagrams in reassembly */
	struct tcp_tab		*tcp;		/* TCP directions */
	uint8_t			*reasm;		/* NET_IP_MAX bytes: a completed
						 * datagram is copied here */
	bool			 in_reasm;	/* decoding out of reasm: a
						 * nested fragment is refused */
};

/* Per-frame decode state, passed down the layers. */
struct net_ctx {
	uint64_t		 ts;		/* frame time */
	net_sink		 sink;		/* where payloads go */
	void			*arg;		/* for sink */
	unsigned		 depth;		/* layers followed so far */
	uint8_t			 tunnel;	/* encapsulations removed */
};

/* The IP layer as seen by the transport: innermost header. */
struct net_l3 {
	struct gg_addr		 src, dst;	/* addresses */
	bool			 reassembled;	/* from IP fragments */
	bool			 truncated;	/* payload cut by the capture */
};

/* net.c */
bool	net_is_sip_port(const struct net *n, uint16_t port);
void	net_deliver(struct net *n, const struct net_ctx *c,
	    const struct net_l3 *l3, uint8_t proto, uint16_t sport,
	    uint16_t dport, bool reassembled, const uint8_t *p, size_t len);
/* Decodes an IP payload of protocol proto (IPv6 extension headers too). */
void	net_ip_payload(struct net *n, struct net_ctx *c, struct net_l3 *l3,
	    uint8_t proto, const uint8_t *p, size_t len);

/* frag.c */
struct frag_tab	*frag_new(const struct net_limits *lim);
void	frag_free(struct frag_tab *t);
/*
 * Adds one fragment: data is the fragment's payload at byte offset off of
 * the datagram, more is the MF bit, id the identification (IPv4 16 bits,
 * IPv6 32). When the datagram completes, it is copied to n->reasm and
 * decoded from its protocol proto by net_ip_payload(). For IPv6 the key's
 * protocol is 0 and proto comes from the first fragment.
 */
void	frag_input(struct net *n, struct net_ctx *c, const struct net_l3 *l3,
	    uint32_t id, uint8_t proto, size_t off, bool more,
	    const uint8_t *data, size_t len);
/* Drops datagrams older than the timeout at time now. */
void	frag_expire(struct net *n, uint64_t now);

/* tcp.c */
struct tcp_tab	*tcp_new(const struct net_limits *lim);
void	tcp_free(struct tcp_tab *t);
/* One TCP segment (header included) from the IP layer. */
void	tcp_input(struct net *n, struct net_ctx *c, const struct net_l3 *l3,
	    const uint8_t *seg, size_t len);
void	tcp_expire(struct net *n, uint64_t now);

#endif /* NET_INT_H */
