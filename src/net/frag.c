/*
 * frag.c - IPv4 and IPv6 fragment reassembly in fixed memory.
 *
 * Datagrams being reassembled live in a table of frag_max_datagrams slots
 * (hashed by addresses, identification and protocol, and kept in a list by
 * age). Their bytes live in a shared pool of FRAG_BLK-byte blocks, sized by
 * frag_max_bytes: a datagram takes a block for each FRAG_BLK-byte stretch of
 * itself that some fragment touched. Which 8-byte units have arrived is
 * kept in a bitmap, so duplicates and overlaps are cheap: the first copy of
 * a unit wins (later, conflicting copies are ignored, as BSD does), and the
 * datagram is complete when every unit up to the last fragment's end is in.
 *
 * When the table or the pool is full the oldest datagram is evicted; a
 * datagram older than frag_timeout_ns (frame time) is dropped. Both count in
 * frag_evicted. Nothing is allocated after frag_new().
 */
#include <stdlib.h>
#include <string.h>

#include "net_int.h"

#define FRAG_BLK	1024			/* pool block size */
#define FRAG_NBLK	((NET_IP_MAX + 1) / FRAG_BLK)	/* blocks/datagram */
#define FRAG_UNITS	((NET_IP_MAX + 1) / 8)	/* 8-byte units/datagram */
#define FRAG_NONE	UINT32_MAX		/* no block, no slot */

struct frag_dg {
	bool		 used;		/* slot holds a datagram */
	struct net_l3	 l3;		/* addresses (key) */
	uint32_t	 id;		/* identification (key) */
	uint8_t		 proto;		/* protocol or next header (key) */
	bool		 have_last;	/* the MF=0 fragment arrived */
	size_t		 total;		/* datagram length, once have_last */
	size_t		 max_end;	/* furthest byte any fragment reached */
	size_t		 units;		/* 8-byte units received */
	uint64_t	 first_ts;	/* clock (net->now) when the first
					 * fragment came */
	uint32_t	 older, newer;	/* age list */
	uint32_t	 hnext;		/* hash chain */
	uint32_t	 blk[FRAG_NBLK];	/* pool block of each stretch */
	uint8_t		 have[FRAG_UNITS / 8];	/* units received */
};

struct frag_tab {
	struct frag_dg	*dg;		/* max_dg slots */
	size_t		 max_dg;
	uint32_t	*bucket;	/* nbucket hash heads */
	size_t		 nbucket;	/* power of two */
	uint32_t	 oldest, newest;	/* age list ends */
	uint32_t	 free_dg;	/* free slots, chained by hnext */
	uint8_t		*pool;		/* nblk * FRAG_BLK bytes */
	uint32_t	*free_blk;	/* stack of free block numbers */
	size_t		 nblk, nfree;	/* pool size, free blocks */
	uint64_t	 timeout;	/* frag_timeout_ns */
};

struct frag_tab *
frag_new(const struct net_limits *lim)
{
	struct frag_tab *t = calloc(1, sizeof(*t));
	size_t i;

	if (t == NULL)
		return NULL;
	t->max_dg = lim->frag_max_datagrams;
	t->nblk = lim->frag_max_bytes / FRAG_BLK;
	if (t->nblk == 0)
		t->nblk = 1;
	if (t->max_dg > UINT32_MAX / 4 || t->nblk > UINT32_MAX / 2)
		goto out_free;
	for (t->nbucket = 16; t->nbucket < t->max_dg * 2; t->nbucket *= 2)
		;
	t->timeout = lim->frag_timeout_ns;
	t->dg = calloc(t->max_dg, sizeof(*t->dg));
	t->bucket = malloc(t->nbucket * sizeof(*t->bucket));
	t->pool = malloc(t->nblk * FRAG_BLK);
	t->free_blk = malloc(t->nblk * sizeof(*t->free_blk));
	if (!t->dg || !t->bucket || !t->pool || !t->free_blk)
		goto out_free;
	for (i = 0; i < t->nbucket; i++)
		t->bucket[i] = FRAG_NONE;
	for (i = 0; i < t->max_dg; i++)
		t->dg[i].hnext = i + 1 < t->max_dg ? (uint32_t)i + 1 :
		    FRAG_NONE;
	t->free_dg = 0;
	for (i = 0; i < t->nblk; i++)
		t->free_blk[i] = (uint32_t)i;
	t->nfree = t->nblk;
	t->oldest = t->newest = FRAG_NONE;
	return t;
out_free:
	frag_free(t);
	return NULL;
}

void
frag_free(struct frag_tab *t)
{
	if (t == NULL)
		return;
	free(t->dg);
	free(t->bucket);
	free(t->pool);
	free(t->free_blk);
	free(t);
}

static size_t
frag_hash(const struct frag_tab *t, const struct net_l3 *l3, uint32_t id,
    uint8_t proto)
{
	uint64_t h = gg_addr_hash(&l3->src, id);

	h = gg_addr_hash(&l3->dst, h ^ proto);
	return (size_t)(h & (t->nbucket - 1));
}

/* Unlinks slot i from its hash chain, the age list, frees its blocks. */
static void
frag_release(struct frag_tab *t, uint32_t i)
{
	struct frag_dg *d = &t->dg[i];
	uint32_t *pp = &t->bucket[frag_hash(t, &d->l3, d->id, d->proto)];
	size_t b;

	while (*pp != i)
		pp = &t->dg[*pp].hnext;
	*pp = d->hnext;
	if (d->older != FRAG_NONE)
		t->dg[d->older].newer = d->newer;
	else
		t->oldest = d->newer;
	if (d->newer != FRAG_NONE)
		t->dg[d->newer].older = d->older;
	else
		t->newest = d->older;
	for (b = 0; b < FRAG_NBLK; b++)
		if (d->blk[b] != FRAG_NONE)
			t->free_blk[t->nfree++] = d->blk[b];
	d->used = false;
	d->hnext = t->free_dg;
	t->free_dg = i;
}

/* Finds the datagram of this key, or starts one (evicting the oldest). */
static uint32_t
frag_lookup(struct net *n, const struct net_l3 *l3, uint32_t id,
    uint8_t proto, uint64_t ts)
{
	struct frag_tab *t = n->frag;
	size_t h = frag_hash(t, l3, id, proto);
	struct frag_dg *d;
	uint32_t i;

	for (i = t->bucket[h]; i != FRAG_NONE; i = t->dg[i].hnext) {
		d = &t->dg[i];
		if (d->id == id && d->proto == proto &&
		    gg_addr_eq(&d->l3.src, &l3->src) &&
		    gg_addr_eq(&d->l3.dst, &l3->dst))
			return i;
	}
	if (t->free_dg == FRAG_NONE) {
		frag_release(t, t->oldest);
		n->st.frag_evicted++;
	}
	i = t->free_dg;
	d = &t->dg[i];
	t->free_dg = d->hnext;
	memset(d, 0, sizeof(*d));
	memset(d->blk, 0xff, sizeof(d->blk));
	d->used = true;
	d->l3 = *l3;
	d->id = id;
	d->proto = proto;
	d->first_ts = ts;
	d->hnext = t->bucket[h];
	t->bucket[h] = i;
	d->older = t->newest;
	d->newer = FRAG_NONE;
	if (t->newest != FRAG_NONE)
		t->dg[t->newest].newer = i;
	else
		t->oldest = i;
	t->newest = i;
	return i;
}

/*
 * The pool block holding byte off of datagram i, taking one from the pool
 * (evicting older datagrams) if needed. NULL when even that fails: this
 * datagram alone is over the budget.
 */
static uint8_t *
frag_block(struct net *n, uint32_t i, size_t off)
{
	struct frag_tab *t = n->frag;
	uint32_t *b = &t->dg[i].blk[off / FRAG_BLK];

	if (*b == FRAG_NONE) {
		while (t->nfree == 0 && t->oldest != i) {
			frag_release(t, t->oldest);
			n->st.frag_evicted++;
		}
		if (t->nfree == 0)
			return NULL;
		*b = t->free_blk[--t->nfree];
	}
	return t->pool + (size_t)*b * FRAG_BLK + off % FRAG_BLK;
}

/* Copies the units of [off, off + len) not yet received. */
static bool
frag_copy(struct net *n, uint32_t i, size_t off, const uint8_t *data,
    size_t len)
{
	struct frag_dg *d = &n->frag->dg[i];
	size_t u, end = off + len;

	for (u = off / 8; u * 8 < end; u++) {
		size_t s = u * 8, e = s + 8 < end ? s + 8 : end;
		uint8_t *dst;

		if (d->have[u / 8] & (1u << (u % 8)))
			continue;
		if ((dst = frag_block(n, i, s)) == NULL)
			return false;
		memcpy(dst, data + (s - off), e - s);
		d->have[u / 8] |= (uint8_t)(1u << (u % 8));
		d->units++;
	}
	return true;
}

/* Datagram i is complete: copy it out, free the slot, decode it. */
static void
frag_done(struct net *n, struct net_ctx *c, uint32_t i)
{
	struct frag_tab *t = n->frag;
	struct frag_dg *d = &t->dg[i];
	struct net_l3 l3 = d->l3;
	uint8_t proto = d->proto;
	size_t len = d->total, off;

	for (off = 0; off < len; off += FRAG_BLK) {
		size_t k = len - off < FRAG_BLK ? len - off : FRAG_BLK;

		memcpy(n->reasm + off,
		    t->pool + (size_t)d->blk[off / FRAG_BLK] * FRAG_BLK, k);
	}
	frag_release(t, i);
	n->st.frag_reassembled++;
	l3.reassembled = true;
	n->in_reasm = true;
	net_ip_payload(n, c, &l3, proto, n->reasm, len);
	n->in_reasm = false;
}

void
frag_input(struct net *n, struct net_ctx *c, const struct net_l3 *l3,
    uint32_t id, uint8_t proto, size_t off, bool more, const uint8_t *data,
    size_t len)
{
	struct frag_dg *d;
	size_t end = off + len;
	uint32_t i;

	if (end > NET_IP_MAX || (more && len % 8 != 0) || (more && len == 0)) {
		n->st.bad++;
		return;
	}
	i = frag_lookup(n, l3, id, proto, n->now);
	d = &n->frag->dg[i];
	if (!more) {
		if ((d->have_last && d->total != end) || d->max_end > end)
			goto bad;
		d->have_last = true;
		d->total = end;
	} else if (d->have_last && end > d->total) {
		goto bad;
	}
	if (end > d->max_end)
		d->max_end = end;
	if (!frag_copy(n, i, off, data, len)) {
		frag_release(n->frag, i);
		n->st.frag_evicted++;
		return;
	}
	if (d->have_last && d->units == (d->total + 7) / 8)
		frag_done(n, c, i);
	return;
bad:
	/* Contradicting fragments: the datagram cannot be trusted. */
	frag_release(n->frag, i);
	n->st.bad++;
}

void
frag_expire(struct net *n, uint64_t now)
{
	struct frag_tab *t = n->frag;

	while (t->oldest != FRAG_NONE &&
	    now - t->dg[t->oldest].first_ts > t->timeout) {
		frag_release(t, t->oldest);
		n->st.frag_evicted++;
	}
}
