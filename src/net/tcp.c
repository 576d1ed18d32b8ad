/*
 * tcp.c - SIP over TCP: per-direction streams, framed by Content-Length.
 *
 * Each direction (src, sport -> dst, dport) is a stream in a fixed table of
 * tcp_max_streams slots, hashed and kept in a list by last activity. A
 * stream knows the sequence number of the next byte it wants (base + len).
 * The common case costs no copy: a segment that arrives in order while
 * nothing is buffered is framed in place, and only the unfinished tail of a
 * message is kept. Kept bytes go to a buffer of tcp_max_stream_bytes taken
 * from a pool of tcp_max_buffered buffers; segments that arrive early are
 * placed at their offset in it and remembered as ranges until the gap
 * fills. Retransmitted bytes (wholly or partly seen) are trimmed.
 *
 * A stream on a non-SIP port whose first bytes are not SIP is ignored until
 * a segment starts with a SIP start line. On a SIP port, bytes that cannot
 * be framed (not SIP, no Content-Length, a message bigger than the buffer,
 * an unrecoverable gap) are delivered as they are, so the engine sees the
 * garbage, and the stream waits for a segment that starts a SIP message.
 * Each such give-up counts in tcp_bad_framing.
 */
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "net_int.h"
#include "../sip/sip.h"

#define TCP_NONE	UINT32_MAX
#define TCP_OOO		8	/* early ranges remembered per stream */

#define TH_FIN		0x01
#define TH_SYN		0x02
#define TH_RST		0x04

enum tcp_state {
	TCP_NEW = 0,	/* no payload seen yet: SIP or not is undecided */
	TCP_SIP,	/* framing SIP messages */
	TCP_IGNORE,	/* not SIP on a non-SIP port */
	TCP_DESYNC	/* lost framing: wait for a SIP start line */
};

struct tcp_range {
	uint32_t	off, len;	/* bytes [off, off + len) from base */
};

struct tcp_stream {
	bool		 used;		/* slot holds a stream */
	struct gg_addr	 src, dst;	/* key */
	uint16_t	 sport, dport;	/* key */
	enum tcp_state	 state;
	bool		 have_seq;	/* base is known */
	bool		 sip_port;	/* either port is a SIP port */
	uint32_t	 base;		/* sequence number of buf[0] */
	size_t		 len;		/* contiguous bytes in buf */
	uint32_t	 buf;		/* pool buffer, or TCP_NONE */
	struct tcp_range ooo[TCP_OOO];	/* early bytes in buf, sorted */
	unsigned	 nooo;		/* entries in ooo */
	uint64_t	 last_ts;	/* clock (net->now) at the last
					 * segment */
	uint32_t	 older, newer;	/* activity list */
	uint32_t	 hnext;		/* hash chain, or free list */
};

struct tcp_tab {
	struct tcp_stream *s;		/* max slots */
	size_t		 max;
	uint32_t	*bucket;	/* nbucket hash heads */
	size_t		 nbucket;	/* power of two */
	uint32_t	 oldest, newest;	/* activity list ends */
	uint32_t	 free_s;	/* free slots, chained by hnext */
	uint8_t		*pool;		/* nbuf buffers of cap bytes */
	size_t		 cap;		/* tcp_max_stream_bytes */
	uint32_t	*free_buf;	/* stack of free buffer numbers */
	size_t		 nbuf, nfree;
	uint64_t	 timeout;	/* tcp_timeout_ns */
};

/* One segment being processed. */
struct tcp_seg {
	const struct net_l3 *l3;	/* its IP layer */
	uint32_t	 seq;		/* sequence number of p[0] */
	const uint8_t	*p;		/* payload */
	size_t		 len;
};

struct tcp_tab *
tcp_new(const struct net_limits *lim)
{
	struct tcp_tab *t = calloc(1, sizeof(*t));
	size_t i;

	if (t == NULL)
		return NULL;
	t->max = lim->tcp_max_streams;
	t->nbuf = lim->tcp_max_buffered;
	t->cap = lim->tcp_max_stream_bytes;
	t->timeout = lim->tcp_timeout_ns;
	if (t->max > UINT32_MAX / 4 || t->nbuf > UINT32_MAX / 2 ||
	    t->cap > UINT32_MAX / 2 || t->cap > SIZE_MAX / t->nbuf)
		goto out_free;
	for (t->nbucket = 16; t->nbucket < t->max * 2; t->nbucket *= 2)
		;
	t->s = calloc(t->max, sizeof(*t->s));
	t->bucket = malloc(t->nbucket * sizeof(*t->bucket));
	t->pool = malloc(t->nbuf * t->cap);
	t->free_buf = malloc(t->nbuf * sizeof(*t->free_buf));
	if (!t->s || !t->bucket || !t->pool || !t->free_buf)
		goto out_free;
	for (i = 0; i < t->nbucket; i++)
		t->bucket[i] = TCP_NONE;
	for (i = 0; i < t->max; i++)
		t->s[i].hnext = i + 1 < t->max ? (uint32_t)i + 1 : TCP_NONE;
	for (i = 0; i < t->nbuf; i++)
		t->free_buf[i] = (uint32_t)i;
	t->nfree = t->nbuf;
	t->oldest = t->newest = TCP_NONE;
	return t;
out_free:
	tcp_free(t);
	return NULL;
}

void
tcp_free(struct tcp_tab *t)
{
	if (t == NULL)
		return;
	free(t->s);
	free(t->bucket);
	free(t->pool);
	free(t->free_buf);
	free(t);
}

static size_t
tcp_hash(const struct tcp_tab *t, const struct gg_addr *src,
    const struct gg_addr *dst, uint16_t sport, uint16_t dport)
{
	uint64_t h = gg_addr_hash(src, (uint64_t)sport << 16 | dport);

	return (size_t)(gg_addr_hash(dst, h) & (t->nbucket - 1));
}

static uint8_t *
tcp_buf(struct tcp_tab *t, const struct tcp_stream *s)
{
	return t->pool + (size_t)s->buf * t->cap;
}

/* Returns the stream's buffer to the pool and forgets its bytes. */
static void
tcp_drop_bytes(struct tcp_tab *t, struct tcp_stream *s)
{
	if (s->buf != TCP_NONE)
		t->free_buf[t->nfree++] = s->buf;
	s->buf = TCP_NONE;
	s->len = 0;
	s->nooo = 0;
}

static void
tcp_list_unlink(struct tcp_tab *t, uint32_t i)
{
	struct tcp_stream *s = &t->s[i];

	if (s->older != TCP_NONE)
		t->s[s->older].newer = s->newer;
	else
		t->oldest = s->newer;
	if (s->newer != TCP_NONE)
		t->s[s->newer].older = s->older;
	else
		t->newest = s->older;
}

static void
tcp_list_append(struct tcp_tab *t, uint32_t i)
{
	struct tcp_stream *s = &t->s[i];

	s->older = t->newest;
	s->newer = TCP_NONE;
	if (t->newest != TCP_NONE)
		t->s[t->newest].newer = i;
	else
		t->oldest = i;
	t->newest = i;
}

static void
tcp_release(struct tcp_tab *t, uint32_t i)
{
	struct tcp_stream *s = &t->s[i];
	uint32_t *pp = &t->bucket[tcp_hash(t, &s->src, &s->dst, s->sport,
	    s->dport)];

	while (*pp != i)
		pp = &t->s[*pp].hnext;
	*pp = s->hnext;
	tcp_list_unlink(t, i);
	tcp_drop_bytes(t, s);
	s->used = false;
	s->hnext = t->free_s;
	t->free_s = i;
}

/* Finds the stream of this direction, or starts one (evicting). */
static uint32_t
tcp_lookup(struct net *n, const struct net_l3 *l3, uint16_t sport,
    uint16_t dport)
{
	struct tcp_tab *t = n->tcp;
	size_t h = tcp_hash(t, &l3->src, &l3->dst, sport, dport);
	struct tcp_stream *s;
	uint32_t i;

	for (i = t->bucket[h]; i != TCP_NONE; i = t->s[i].hnext) {
		s = &t->s[i];
		if (s->sport == sport && s->dport == dport &&
		    gg_addr_eq(&s->src, &l3->src) &&
		    gg_addr_eq(&s->dst, &l3->dst)) {
			tcp_list_unlink(t, i);
			tcp_list_append(t, i);
			return i;
		}
	}
	if (t->free_s == TCP_NONE) {
		tcp_release(t, t->oldest);
		n->st.tcp_evicted++;
	}
	i = t->free_s;
	s = &t->s[i];
	t->free_s = s->hnext;
	memset(s, 0, sizeof(*s));
	s->used = true;
	s->src = l3->src;
	s->dst = l3->dst;
	s->sport = sport;
	s->dport = dport;
	s->buf = TCP_NONE;
	s->sip_port = net_is_sip_port(n, sport) || net_is_sip_port(n, dport);
	s->hnext = t->bucket[h];
	t->bucket[h] = i;
	tcp_list_append(t, i);
	return i;
}

/* Gives stream i a buffer, evicting the least active holder if need be. */
static bool
tcp_get_buf(struct net *n, uint32_t i)
{
	struct tcp_tab *t = n->tcp;
	uint32_t j;

	if (t->s[i].buf != TCP_NONE)
		return true;
	for (j = t->oldest; t->nfree == 0 && j != TCP_NONE; j = t->s[j].newer)
		if (j != i && t->s[j].buf != TCP_NONE) {
			tcp_drop_bytes(t, &t->s[j]);
			t->s[j].state = TCP_DESYNC;
			n->st.tcp_evicted++;
		}
	if (t->nfree == 0)
		return false;
	t->s[i].buf = t->free_buf[--t->nfree];
	return true;
}

/* Framing is lost: hand the bytes over raw (SIP port) and wait for SIP. */
static void
tcp_give_up(struct net *n, struct net_ctx *c, struct tcp_stream *s,
    const struct net_l3 *l3, const uint8_t *p, size_t len)
{
	n->st.tcp_bad_framing++;
	s->state = TCP_DESYNC;
	if (s->sip_port && len > 0)
		net_deliver(n, c, l3, IPPROTO_TCP, s->sport, s->dport, false,
		    p, len);
	else if (len > 0)
		n->st.not_sip++;
}

/*
 * Frames and delivers the messages at p. Returns how many bytes were used
 * up: the rest is the beginning of an unfinished message.
 */
static size_t
tcp_frame(struct net *n, struct net_ctx *c, struct tcp_stream *s,
    const struct net_l3 *l3, const uint8_t *p, size_t len, bool reasm)
{
	size_t off = 0, skip, mlen;

	while (off < len) {
		switch (sip_frame((const char *)p + off, len - off, &skip,
		    &mlen)) {
		case SIP_OK:
			s->state = TCP_SIP;
			net_deliver(n, c, l3, IPPROTO_TCP, s->sport, s->dport,
			    reasm, p + off + skip, mlen);
			off += skip + mlen;
			break;
		case SIP_EPARTIAL:
			return off + skip;
		default:
			if (s->state == TCP_NEW && !s->sip_port) {
				s->state = TCP_IGNORE;
				n->st.tcp_ignored++;
				n->st.not_sip++;
			} else {
				tcp_give_up(n, c, s, l3, p + off, len - off);
			}
			return len;
		}
	}
	return off;
}

/* Inserts the early range [off, off + len) into the sorted ooo list. */
static bool
tcp_ooo_add(struct tcp_stream *s, uint32_t off, uint32_t len)
{
	uint32_t end = off + len;
	unsigned i, j;

	for (i = 0; i < s->nooo && s->ooo[i].off + s->ooo[i].len < off; i++)
		;
	/* Merge every range that touches [off, end). */
	for (j = i; j < s->nooo && s->ooo[j].off <= end; j++) {
		if (s->ooo[j].off < off)
			off = s->ooo[j].off;
		if (s->ooo[j].off + s->ooo[j].len > end)
			end = s->ooo[j].off + s->ooo[j].len;
	}
	if (j == i && s->nooo == TCP_OOO)
		return false;
	memmove(&s->ooo[i + 1], &s->ooo[j], (s->nooo - j) * sizeof(s->ooo[0]));
	s->nooo = s->nooo - (j - i) + 1;
	s->ooo[i].off = off;
	s->ooo[i].len = end - off;
	return true;
}

/* Extends len over early ranges the new bytes have reached. */
static void
tcp_ooo_join(struct tcp_stream *s)
{
	while (s->nooo > 0 && s->ooo[0].off <= s->len) {
		if (s->ooo[0].off + s->ooo[0].len > s->len)
			s->len = s->ooo[0].off + s->ooo[0].len;
		s->nooo--;
		memmove(&s->ooo[0], &s->ooo[1], s->nooo * sizeof(s->ooo[0]));
	}
}

/* Drops the first k buffered bytes: they have been delivered. */
static void
tcp_consume(struct tcp_tab *t, struct tcp_stream *s, size_t k)
{
	size_t end = s->nooo ? s->ooo[s->nooo - 1].off +
	    s->ooo[s->nooo - 1].len : s->len;
	unsigned i;

	if (k == 0)
		return;
	memmove(tcp_buf(t, s), tcp_buf(t, s) + k, end - k);
	s->base += (uint32_t)k;
	s->len -= k;
	for (i = 0; i < s->nooo; i++)
		s->ooo[i].off -= (uint32_t)k;
	if (s->len == 0 && s->nooo == 0)
		tcp_drop_bytes(t, s);
}

static void	tcp_in_place(struct net *, struct net_ctx *, uint32_t,
		    const struct tcp_seg *);

/*
 * A segment of a stream that is not framing (ignored or desynchronised):
 * old bytes are retransmissions; a segment that starts with a SIP start
 * line starts framing again; anything else is passed over (raw on a SIP
 * port, so the engine still sees it).
 */
static void
tcp_resync(struct net *n, struct net_ctx *c, uint32_t i,
    const struct tcp_seg *g)
{
	struct tcp_stream *s = &n->tcp->s[i];

	if (s->have_seq &&
	    (int32_t)(g->seq + (uint32_t)g->len - s->base) <= 0) {
		n->st.tcp_retrans++;
		return;
	}
	s->have_seq = true;
	if (!sip_looks_like((const char *)g->p, g->len)) {
		s->base = g->seq + (uint32_t)g->len;
		if (s->state == TCP_DESYNC && s->sip_port)
			net_deliver(n, c, g->l3, IPPROTO_TCP, s->sport,
			    s->dport, false, g->p, g->len);
		else
			n->st.not_sip++;
		return;
	}
	s->state = TCP_SIP;
	s->base = g->seq;
	tcp_in_place(n, c, i, g);
}

/*
 * The buffer cannot take this segment (too far ahead, too many holes, or a
 * message longer than the buffer): deliver what is in order raw, forget
 * the rest, and look at the segment as a possible new start.
 */
static void
tcp_overflow(struct net *n, struct net_ctx *c, uint32_t i,
    const struct tcp_seg *g)
{
	struct tcp_tab *t = n->tcp;
	struct tcp_stream *s = &t->s[i];

	tcp_give_up(n, c, s, g->l3, s->buf != TCP_NONE ? tcp_buf(t, s) : NULL,
	    s->buf != TCP_NONE ? s->len : 0);
	tcp_drop_bytes(t, s);
	tcp_resync(n, c, i, g);
}

/* In-order bytes while nothing is buffered: frame them in place. */
static void
tcp_in_place(struct net *n, struct net_ctx *c, uint32_t i,
    const struct tcp_seg *g)
{
	struct tcp_tab *t = n->tcp;
	struct tcp_stream *s = &t->s[i];
	size_t used = tcp_frame(n, c, s, g->l3, g->p, g->len, false);
	size_t rest = g->len - used;

	s->base = g->seq + (uint32_t)used;
	if (rest == 0)
		return;
	if (rest >= t->cap || !tcp_get_buf(n, i)) {
		tcp_give_up(n, c, s, g->l3, g->p + used, rest);
		s->base += (uint32_t)rest;
		return;
	}
	memcpy(tcp_buf(t, s), g->p + used, rest);
	s->len = rest;
}

/* Bytes at offset rel >= len of the stream's buffer. */
static void
tcp_buffered(struct net *n, struct net_ctx *c, uint32_t i,
    const struct tcp_seg *g, size_t rel)
{
	struct tcp_tab *t = n->tcp;
	struct tcp_stream *s = &t->s[i];
	size_t used;

	if (rel + g->len > t->cap || !tcp_get_buf(n, i) ||
	    (rel > s->len && !tcp_ooo_add(s, (uint32_t)rel,
	    (uint32_t)g->len))) {
		tcp_overflow(n, c, i, g);
		return;
	}
	memcpy(tcp_buf(t, s) + rel, g->p, g->len);
	if (rel > s->len) {
		n->st.tcp_ooo++;
		return;
	}
	s->len = rel + g->len;
	tcp_ooo_join(s);
	used = tcp_frame(n, c, s, g->l3, tcp_buf(t, s), s->len, true);
	if (s->state == TCP_DESYNC || s->state == TCP_IGNORE) {
		s->base += (uint32_t)s->len;
		tcp_drop_bytes(t, s);
		return;
	}
	tcp_consume(t, s, used);
	if (s->len >= t->cap) {
		/* A full buffer and still no whole message. */
		tcp_give_up(n, c, s, g->l3, tcp_buf(t, s), s->len);
		s->base += (uint32_t)s->len;
		tcp_drop_bytes(t, s);
	}
}

/* A segment with payload: trim what was seen, then frame or buffer. */
static void
tcp_segment(struct net *n, struct net_ctx *c, uint32_t i, struct tcp_seg *g)
{
	struct tcp_stream *s = &n->tcp->s[i];
	int32_t rel;
	size_t cut;

	if (s->state == TCP_IGNORE || s->state == TCP_DESYNC) {
		tcp_resync(n, c, i, g);
		return;
	}
	if (!s->have_seq) {
		s->have_seq = true;
		s->base = g->seq;
	}
	rel = (int32_t)(g->seq - s->base);
	if (rel < 0) {
		if ((int64_t)rel + (int64_t)g->len <= 0) {
			n->st.tcp_retrans++;
			return;
		}
		cut = (size_t)-(int64_t)rel;
		g->p += cut;
		g->len -= cut;
		g->seq = s->base;
		rel = 0;
	}
	if ((size_t)rel + g->len <= s->len) {
		n->st.tcp_retrans++;
		return;
	}
	if ((size_t)rel < s->len) {
		cut = s->len - (size_t)rel;
		g->p += cut;
		g->len -= cut;
		g->seq += (uint32_t)cut;
		rel = (int32_t)s->len;
	}
	if (rel == 0 && s->len == 0 && s->nooo == 0)
		tcp_in_place(n, c, i, g);
	else
		tcp_buffered(n, c, i, g, (size_t)rel);
}

void
tcp_input(struct net *n, struct net_ctx *c, const struct net_l3 *l3,
    const uint8_t *seg, size_t len)
{
	struct tcp_stream *s;
	struct tcp_seg g;
	size_t hl;
	uint8_t flags;
	uint32_t i;

	n->st.tcp++;
	n->st.tcp_segments++;
	if (len < 20) {
		n->st.truncated++;
		return;
	}
	hl = (size_t)(seg[12] >> 4) * 4;
	if (hl < 20) {
		n->st.bad++;
		return;
	}
	if (len < hl) {
		n->st.truncated++;
		return;
	}
	flags = seg[13];
	g.l3 = l3;
	g.seq = (uint32_t)seg[4] << 24 | (uint32_t)seg[5] << 16 |
	    (uint32_t)seg[6] << 8 | seg[7];
	g.p = seg + hl;
	g.len = len - hl;
	/* Only a SYN or data makes a stream worth a slot. */
	if (g.len == 0 && !(flags & TH_SYN))
		return;
	i = tcp_lookup(n, l3, (uint16_t)(seg[0] << 8 | seg[1]),
	    (uint16_t)(seg[2] << 8 | seg[3]));
	s = &n->tcp->s[i];
	s->last_ts = n->now;
	if (flags & TH_RST) {
		/* Whatever was pending will never complete. */
		tcp_drop_bytes(n->tcp, s);
		return;
	}
	if (flags & TH_SYN) {
		tcp_drop_bytes(n->tcp, s);
		s->have_seq = true;
		s->state = TCP_NEW;
		s->base = ++g.seq;
	}
	/*
	 * FIN does not free the stream: retransmissions after it must still
	 * be recognised. Idle streams go by timeout or eviction.
	 */
	if (g.len > 0)
		tcp_segment(n, c, i, &g);
}

void
tcp_expire(struct net *n, uint64_t now)
{
	struct tcp_tab *t = n->tcp;

	while (t->oldest != TCP_NONE &&
	    now - t->s[t->oldest].last_ts > t->timeout) {
		tcp_release(t, t->oldest);
		n->st.tcp_evicted++;
	}
}

/*
 * The packet that carried the last message delivered on this stream was
 * dropped: its sender will retransmit, and those bytes must be framed and
 * judged again rather than recognised as already seen. The stream forgets
 * its position and buffered bytes; the next segment sets the base anew.
 */
void
net_tcp_forget(struct net *n, const struct net_pkt *pkt)
{
	struct tcp_tab *t = n->tcp;
	uint32_t i;

	if (t == NULL || pkt->proto != IPPROTO_TCP)
		return;
	i = t->bucket[tcp_hash(t, &pkt->src, &pkt->dst, pkt->sport,
	    pkt->dport)];
	for (; i != TCP_NONE; i = t->s[i].hnext) {
		struct tcp_stream *s = &t->s[i];

		if (s->sport == pkt->sport && s->dport == pkt->dport &&
		    gg_addr_eq(&s->src, &pkt->src) &&
		    gg_addr_eq(&s->dst, &pkt->dst)) {
			tcp_drop_bytes(t, s);
			s->have_seq = false;
			return;
		}
	}
}
