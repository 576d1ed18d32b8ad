/*
 * ban.c - the ban manager: bans, their history, caps and aggregation.
 *
 * Records live in one array allocated when the manager is made (max_bans
 * plus a quarter for history), kept dense: rec[0..n). Two chained hashes of
 * 32-bit indices reach them: one by key (address, prefix length, family),
 * one by IPv6 /v6_plen prefix linking the IPv6 host records, so that the
 * aggregation counts the banned hosts of a prefix by walking one chain.
 * Times are kept in whole seconds since the epoch (expiries rounded up), so
 * a record is 48 bytes. Removing a record moves the last one into its hole.
 *
 * Reasons and tool names are interned in a table of at most INTERN_MAX
 * strings; once it is full, new ones read "other".
 *
 * "Active" is a flag (REC_ACTIVE) kept in step with the counters; a ban
 * whose expiry has passed stays flagged until ban_tick() sweeps it, but
 * every question with a `now` (lookup, add, del, sync, aggregation) also
 * checks the expiry itself.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "ban.h"

#define NS		1000000000ULL
#define NEVER_S		UINT32_MAX	/* expires: never; forget_at: never */
#define NONE		UINT32_MAX	/* no record */
#define INTERN_MAX	4096		/* strings interned at most */
#define INTERN_SLOTS	8192		/* their hash index, a power of two */
#define INTERN_EMPTY	0		/* "" */
#define INTERN_OTHER	1		/* "other": the table was full */
#define EVICT_SCAN	4096		/* tables this small: exact eviction */
#define EVICT_SAMPLE	64		/* larger ones: the best of a sample */
#define RATE_SECS	60		/* the rate window, in seconds */

#define REC_V6		0x40		/* an IPv6 record */
#define REC_ACTIVE	0x80		/* counted as a ban in force */
#define REC_PUBLIC	(BAN_F_MANUAL | BAN_F_PROBATION | BAN_F_PREFIX)

/* A ban or offender: 48 bytes. */
struct rec {
	uint8_t		a[16];		/* address, host bits cleared */
	uint8_t		plen;
	uint8_t		level;		/* rung of the latest real ban */
	uint8_t		flags;		/* BAN_F_* and REC_* */
	uint8_t		pad;
	uint32_t	count;		/* real bans so far */
	uint16_t	reason;		/* intern index */
	uint16_t	tool;		/* intern index */
	uint32_t	since;		/* latest ban started, s */
	uint32_t	expires;	/* s; 0: history; NEVER_S: for ever */
	uint32_t	last;		/* latest ban or lengthening, s */
	uint32_t	next[2];	/* chains (by key, by prefix): index + 1 */
};

_Static_assert(sizeof(struct rec) == 48, "a record is 48 bytes");

/* What identifies a record. */
struct key {
	uint8_t		a[16];
	uint8_t		plen;
	uint8_t		v6;		/* REC_V6 or 0 */
};

/* A network that may never be banned. */
struct never {
	struct gg_addr	addr;
	uint8_t		plen;
};

/* One ban request, as ban_add() got it. */
struct req {
	uint64_t	now;		/* ns */
	uint32_t	now_s;		/* s, rounded down */
	uint32_t	duration_s;	/* explicit duration; 0: the ladder's */
	uint16_t	reason;
	uint16_t	tool;
	bool		probation;
	bool		manual;
};

struct ban {
	struct ban_conf	 c;
	struct ban_backend *be;		/* may be NULL */
	struct ban_state *st;		/* may be NULL */
	struct rec	*rec;		/* cap records, rec[0..n) used */
	uint32_t	 cap;
	uint32_t	 n;
	uint32_t	*head[2];	/* chain heads: index + 1, 0: empty */
	uint32_t	 mask[2];	/* heads - 1, powers of two less one */
	uint64_t	 seed;		/* hash seed */
	uint64_t	 rng;		/* eviction sampling state */
	uint32_t	 due;		/* ban_tick() has nothing before this */
	bool		 dirty;		/* the backend refused a change */
	uint32_t	 rate_n[RATE_SECS]; /* new bans, by second mod 60 */
	uint32_t	 rate_sum;	/* their sum */
	uint32_t	 rate_sec;	/* the latest second counted */
	uint32_t	 npfx[2][129];	/* active prefix bans by family, plen */
	char		*str[INTERN_MAX]; /* interned strings */
	uint16_t	 nstr;
	uint16_t	 strslot[INTERN_SLOTS]; /* index + 1, 0: empty */
	size_t		 strbytes;	/* their size */
	struct never	*never;		/* the never-ban networks */
	size_t		 nnever;
	struct gg_addr	*self;		/* the host's own addresses */
	size_t		 nself;
	struct ban_entry *view;		/* [0]: ban_find, [1]: ban_lookup */
	struct ban_stats stats;
};

/* Loopback, never banned whatever the configuration. */
static const struct never loopback[] = {
	{ { AF_INET, { 0 }, { 127 } }, 8 },
	{ { AF_INET6, { 0 }, { [15] = 1 } }, 128 },
	{ { AF_INET6, { 0 }, { [10] = 0xff, [11] = 0xff, [12] = 127 } }, 104 },
};

void
ban_conf_default(struct ban_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->ladder_s[0] = 600;
	c->ladder_s[1] = 3600;
	c->ladder_s[2] = 86400;
	c->ladder_s[3] = 7 * 86400;
	c->nladder = 4;
	c->probation_s = 60;
	c->forget_s = 7 * 86400;
	c->max_per_min = 600;
	c->max_bans = 1000000;
	c->v6_plen = 64;
	c->v6_min_addrs = 3;
}

/* Brings a configuration within the limits the manager relies on. */
static void
conf_fix(struct ban_conf *c)
{
	unsigned i;

	if (c->nladder < 1)
		c->nladder = 1;
	if (c->nladder > BAN_LADDER_MAX)
		c->nladder = BAN_LADDER_MAX;
	for (i = 0; i < c->nladder; i++)
		if (c->ladder_s[i] == 0)
			c->ladder_s[i] = 1;
	if (c->v6_plen < 1)
		c->v6_plen = 1;
	if (c->v6_plen > 128)
		c->v6_plen = 128;
}

const char *
ban_rc_name(enum ban_rc rc)
{
	static const char *const names[] = {
		[BAN_OK] = "ok",
		[BAN_EXISTS] = "exists",
		[BAN_ETRUST] = "trusted",
		[BAN_ERATE] = "rate",
		[BAN_EFULL] = "full",
		[BAN_ENOMEM] = "nomem",
		[BAN_ENOENT] = "noent",
		[BAN_EBACKEND] = "backend",
	};

	if ((unsigned)rc < GG_NELEM(names))
		return names[rc];
	return "?";
}

const char *
ban_kind(const struct ban_entry *e, char *buf, size_t sz)
{
	if (!(e->flags & BAN_F_PROBATION))
		snprintf(buf, sz, "ban #%u", e->count);
	else if (e->count == 0)
		snprintf(buf, sz, "probation");
	else
		snprintf(buf, sz, "probation after %u ban%s", e->count,
		    e->count == 1 ? "" : "s");
	return buf;
}

/* --- keys and times ---------------------------------------------------- */

static unsigned
full_plen(uint8_t v6)
{
	return v6 ? 128 : 32;
}

/* Clears the bits of a (16 bytes) after the first plen. */
static void
mask_bits(uint8_t *a, unsigned plen)
{
	size_t byte = plen / 8;

	if (plen % 8)
		a[byte++] &= (uint8_t)(0xff << (8 - plen % 8));
	if (byte < 16)
		memset(a + byte, 0, 16 - byte);
}

/*
 * The key of addr/plen, host bits cleared, plen cut to the family's width.
 * False for an address of no known family.
 */
static bool
key_make(struct key *k, const struct gg_addr *addr, unsigned plen)
{
	memset(k, 0, sizeof(*k));
	if (addr->family == AF_INET) {
		memcpy(k->a, addr->a, 4);
	} else if (addr->family == AF_INET6) {
		memcpy(k->a, addr->a, 16);
		k->v6 = REC_V6;
	} else {
		return false;
	}
	if (plen > full_plen(k->v6))
		plen = full_plen(k->v6);
	k->plen = (uint8_t)plen;
	mask_bits(k->a, plen);
	return true;
}

static void
key_addr(const struct key *k, struct gg_addr *a)
{
	memset(a, 0, sizeof(*a));
	a->family = k->v6 ? AF_INET6 : AF_INET;
	memcpy(a->a, k->a, k->v6 ? 16 : 4);
}

static void
rec_key(const struct rec *r, struct key *k)
{
	memcpy(k->a, r->a, 16);
	k->plen = r->plen;
	k->v6 = r->flags & REC_V6;
}

/* The prefix a v6 host record is chained under. */
static void
pfx_key(const struct ban *b, const struct rec *r, struct key *k)
{
	rec_key(r, k);
	k->plen = b->c.v6_plen;
	mask_bits(k->a, k->plen);
}

static uint64_t
key_hash(const struct key *k, uint64_t seed)
{
	struct gg_addr g;

	memset(&g, 0, sizeof(g));
	memcpy(g.a, k->a, 16);
	g.family = k->v6;
	g.pad[0] = k->plen;
	return gg_addr_hash(&g, seed);
}

static bool
rec_is(const struct rec *r, const struct key *k)
{
	return r->plen == k->plen && (r->flags & REC_V6) == k->v6 &&
	    memcmp(r->a, k->a, 16) == 0;
}

/* IPv6 hosts are chained by prefix too. */
static bool
rec_in_pfx(const struct rec *r)
{
	return (r->flags & REC_V6) && r->plen == 128;
}

static uint32_t
sec_of(uint64_t ns)
{
	uint64_t s = ns / NS;

	return s < NEVER_S ? (uint32_t)s : NEVER_S - 1;
}

/* An expiry in ns as seconds: rounded up, UINT64_MAX is for ever. */
static uint32_t
sec_of_expiry(uint64_t ns)
{
	uint64_t s;

	if (ns == UINT64_MAX)
		return NEVER_S;
	s = ns / NS + (ns % NS != 0);
	return s < NEVER_S ? (uint32_t)s : NEVER_S - 1;
}

/* now + dur_s, rounded up; UINT32_MAX is for ever. */
static uint32_t
expiry(uint64_t now, uint32_t dur_s)
{
	uint64_t s;

	if (dur_s == UINT32_MAX)
		return NEVER_S;
	s = (uint64_t)sec_of_expiry(now) + dur_s;
	return s < NEVER_S ? (uint32_t)s : NEVER_S - 1;
}

static bool
rec_active(const struct rec *r, uint32_t now_s)
{
	return (r->flags & REC_ACTIVE) && r->expires > now_s;
}

/* The moment the decay counts from: the end of the ban or the offence. */
static uint32_t
decay_ref(const struct rec *r)
{
	return r->expires > r->last ? r->expires : r->last;
}

/* When a record out of force is forgotten; NEVER_S: never. */
static uint32_t
forget_at(const struct ban *b, const struct rec *r)
{
	uint64_t t;

	if (b->c.forget_s == 0 || r->expires == NEVER_S)
		return NEVER_S;
	t = decay_ref(r) + (uint64_t)(r->level + 1) * b->c.forget_s;
	return t < NEVER_S ? (uint32_t)t : NEVER_S;
}

/* Its rung after the decay, or -1 when it has decayed below rung 0. */
static int
rec_rung(const struct ban *b, const struct rec *r, uint32_t now_s)
{
	uint32_t ref = decay_ref(r), d;

	if (b->c.forget_s == 0 || r->expires == NEVER_S || now_s <= ref)
		return r->level;
	d = (now_s - ref) / b->c.forget_s;
	return d > r->level ? -1 : (int)(r->level - d);
}

/* The rung of a new real ban of r (NULL: a first offence). */
static uint8_t
next_rung(const struct ban *b, const struct rec *r, uint32_t now_s)
{
	int rung;

	if (r == NULL || r->count == 0 || (rung = rec_rung(b, r, now_s)) < 0)
		return 0;
	rung++;
	if (rung >= (int)b->c.nladder)
		rung = (int)b->c.nladder - 1;
	return (uint8_t)rung;
}

static uint32_t
ladder(const struct ban *b, unsigned level)
{
	return b->c.ladder_s[level < b->c.nladder ? level : b->c.nladder - 1];
}

/* --- the table --------------------------------------------------------- */

static uint32_t *
chain_head(struct ban *b, int c, const struct rec *r)
{
	struct key k;

	if (c == 0)
		rec_key(r, &k);
	else
		pfx_key(b, r, &k);
	return &b->head[c][key_hash(&k, b->seed + (uint64_t)c) & b->mask[c]];
}

static void
chain_link(struct ban *b, int c, uint32_t i)
{
	uint32_t *h = chain_head(b, c, &b->rec[i]);

	b->rec[i].next[c] = *h;
	*h = i + 1;
}

static void
chain_unlink(struct ban *b, int c, uint32_t i)
{
	uint32_t *p = chain_head(b, c, &b->rec[i]);

	while (*p != i + 1)
		p = &b->rec[*p - 1].next[c];
	*p = b->rec[i].next[c];
}

static void
rec_link(struct ban *b, uint32_t i)
{
	chain_link(b, 0, i);
	if (rec_in_pfx(&b->rec[i]))
		chain_link(b, 1, i);
}

static void
rec_unlink(struct ban *b, uint32_t i)
{
	chain_unlink(b, 0, i);
	if (rec_in_pfx(&b->rec[i]))
		chain_unlink(b, 1, i);
}

static uint32_t
rec_find(const struct ban *b, const struct key *k)
{
	uint32_t j = b->head[0][key_hash(k, b->seed) & b->mask[0]];

	for (; j != 0; j = b->rec[j - 1].next[0])
		if (rec_is(&b->rec[j - 1], k))
			return j - 1;
	return NONE;
}

/* Counts r in or out of force, with the counters that follow it. */
static void
rec_set_active(struct ban *b, struct rec *r, bool on)
{
	int d = on ? 1 : -1;

	if (!(r->flags & REC_ACTIVE) == !on)
		return;
	r->flags = on ? r->flags | REC_ACTIVE : r->flags & ~REC_ACTIVE;
	b->stats.active += (uint64_t)(int64_t)d;
	if (r->plen < full_plen(r->flags & REC_V6)) {
		b->stats.active_prefix += (uint64_t)(int64_t)d;
		b->npfx[(r->flags & REC_V6) != 0][r->plen] += (uint32_t)d;
	}
}

/* Removes rec[i] (out of force), moving the last record into its place. */
static void
rec_remove(struct ban *b, uint32_t i)
{
	uint32_t last = b->n - 1;

	rec_set_active(b, &b->rec[i], false);
	rec_unlink(b, i);
	if (i != last) {
		rec_unlink(b, last);
		b->rec[i] = b->rec[last];
		rec_link(b, i);
	}
	b->n--;
	b->stats.records = b->n;
}

static uint32_t
rng_next(struct ban *b)
{
	b->rng ^= b->rng << 13;
	b->rng ^= b->rng >> 7;
	b->rng ^= b->rng << 17;
	return (uint32_t)(b->rng >> 11);
}

/*
 * Makes room by evicting the history record the decay would forget first
 * (among equal rungs, the oldest): exactly in small tables, the best of a
 * random sample in large ones (with a whole scan when the sample holds no
 * history). Active bans are never evicted. False when there is none.
 */
static bool
evict(struct ban *b)
{
	uint32_t victim = NONE, best = NEVER_S, i, k;
	bool scan = b->n <= EVICT_SCAN;

	for (k = 0; ; k++) {
		if (scan ? k >= b->n : k >= EVICT_SAMPLE) {
			if (victim != NONE || scan)
				break;
			scan = true;
			k = 0;
			if (b->n == 0)
				break;
		}
		i = scan ? k : rng_next(b) % b->n;
		if (b->rec[i].flags & REC_ACTIVE)
			continue;
		if (victim == NONE || forget_at(b, &b->rec[i]) < best) {
			victim = i;
			best = forget_at(b, &b->rec[i]);
		}
	}
	if (victim == NONE)
		return false;
	rec_remove(b, victim);
	b->stats.evicted++;
	return true;
}

/* A new record for k (evicting history when full), or NONE. */
static uint32_t
rec_new(struct ban *b, const struct key *k)
{
	struct rec *r;
	uint32_t i;

	if (b->n == b->cap && !evict(b))
		return NONE;
	i = b->n++;
	r = &b->rec[i];
	memset(r, 0, sizeof(*r));
	memcpy(r->a, k->a, 16);
	r->plen = k->plen;
	r->flags = k->v6;
	rec_link(b, i);
	b->stats.records = b->n;
	return i;
}

static uint32_t
pow2_at_least(uint64_t n)
{
	uint32_t p = 16;

	while (p < n && p < (1u << 31))
		p <<= 1;
	return p;
}

/*
 * (Re)allocates the table for cap records, keeping the records in use.
 * Calloc'd, so the pages of records never used cost no memory. 0 or -1.
 */
static int
table_alloc(struct ban *b, uint32_t cap)
{
	uint32_t m0 = pow2_at_least(cap / 2), m1 = pow2_at_least(cap / 4), i;
	struct rec *rec = calloc(cap, sizeof(*rec));
	uint32_t *h0 = calloc(m0, sizeof(*h0)), *h1 = calloc(m1, sizeof(*h1));

	if (rec == NULL || h0 == NULL || h1 == NULL || cap < b->n) {
		free(rec);
		free(h0);
		free(h1);
		return -1;
	}
	if (b->n)
		memcpy(rec, b->rec, b->n * sizeof(*rec));
	free(b->rec);
	free(b->head[0]);
	free(b->head[1]);
	b->rec = rec;
	b->cap = cap;
	b->head[0] = h0;
	b->head[1] = h1;
	b->mask[0] = m0 - 1;
	b->mask[1] = m1 - 1;
	for (i = 0; i < b->n; i++)
		rec_link(b, i);
	return 0;
}

/* Records for max_bans bans and a quarter more of history. */
static uint32_t
table_cap(const struct ban_conf *c)
{
	uint64_t cap = (uint64_t)c->max_bans + c->max_bans / 4 + 64;

	return cap < (1u << 30) ? (uint32_t)cap : (1u << 30);
}

/* The prefix chains hash by v6_plen: rebuilt when it changes. */
static void
pfx_rechain(struct ban *b)
{
	uint32_t i;

	memset(b->head[1], 0, ((size_t)b->mask[1] + 1) * sizeof(uint32_t));
	for (i = 0; i < b->n; i++)
		if (rec_in_pfx(&b->rec[i]))
			chain_link(b, 1, i);
}

/* --- interned strings -------------------------------------------------- */

/* s cut to max - 1 bytes, interned; INTERN_OTHER once the table is full. */
static uint16_t
intern(struct ban *b, const char *s, size_t max)
{
	size_t len = s ? strnlen(s, max - 1) : 0, i;
	char *p;

	if (len == 0)
		return INTERN_EMPTY;
	i = gg_hash(s, len, b->seed) & (INTERN_SLOTS - 1);
	for (; b->strslot[i] != 0; i = (i + 1) & (INTERN_SLOTS - 1)) {
		p = b->str[b->strslot[i] - 1];
		if (strncmp(p, s, len) == 0 && p[len] == '\0')
			return (uint16_t)(b->strslot[i] - 1);
	}
	if (b->nstr == INTERN_MAX || (p = malloc(len + 1)) == NULL)
		return INTERN_OTHER;
	memcpy(p, s, len);
	p[len] = '\0';
	b->str[b->nstr] = p;
	b->strslot[i] = (uint16_t)(b->nstr + 1);
	b->strbytes += len + 1;
	return b->nstr++;
}

/* --- the manager ------------------------------------------------------- */

struct ban *
ban_new(const struct ban_conf *c, struct ban_backend *be,
    struct ban_state *st)
{
	struct ban *b = calloc(1, sizeof(*b));

	if (b == NULL)
		return NULL;
	b->c = *c;
	conf_fix(&b->c);
	b->be = be;
	b->st = st;
	/* Addresses are chosen by attackers: an unguessable seed (ASLR). */
	b->seed = gg_hash(&b, sizeof(b), 0x6768b5);
	b->rng = b->seed | 1;
	b->view = calloc(2, sizeof(*b->view));
	if (b->view == NULL || (b->str[0] = calloc(1, 1)) == NULL)
		goto out_free;
	b->nstr = 1;
	if (intern(b, "other", sizeof("other")) != INTERN_OTHER ||
	    table_alloc(b, table_cap(&b->c)) != 0)
		goto out_free;
	return b;
out_free:
	ban_free(b);
	return NULL;
}

void
ban_free(struct ban *b)
{
	unsigned i;

	if (b == NULL)
		return;
	for (i = 0; i < b->nstr; i++)
		free(b->str[i]);
	free(b->rec);
	free(b->head[0]);
	free(b->head[1]);
	free(b->never);
	free(b->self);
	free(b->view);
	free(b);
}

void
ban_backend_free(struct ban_backend *b)
{
	if (b == NULL)
		return;
	if (b->free)
		b->free(b->ctx);
	free(b);
}

/*
 * A larger max_bans grows the table (when memory allows; a smaller one
 * keeps it); a new v6_plen rechains the IPv6 hosts. The sweep runs again
 * at the next tick, under the new forget_s.
 */
void
ban_reconf(struct ban *b, const struct ban_conf *c)
{
	uint8_t plen = b->c.v6_plen;
	uint32_t cap;

	b->c = *c;
	conf_fix(&b->c);
	cap = table_cap(&b->c);
	if (cap > b->cap)
		(void)table_alloc(b, cap);
	if (b->c.v6_plen != plen)
		pfx_rechain(b);
	b->due = 0;
}

int
ban_set_never(struct ban *b, const struct gg_addr *nets,
    const uint8_t *plens, size_t nnets, const struct gg_addr *self,
    size_t nself)
{
	struct never *nv = NULL;
	struct gg_addr *sf = NULL;
	size_t i;

	if ((nnets && (nv = calloc(nnets, sizeof(*nv))) == NULL) ||
	    (nself && (sf = calloc(nself, sizeof(*sf))) == NULL)) {
		free(nv);
		errno = ENOMEM;
		return -1;
	}
	for (i = 0; i < nnets; i++) {
		nv[i].addr = nets[i];
		nv[i].plen = plens[i];
	}
	if (nself)
		memcpy(sf, self, nself * sizeof(*sf));
	free(b->never);
	free(b->self);
	b->never = nv;
	b->nnever = nnets;
	b->self = sf;
	b->nself = nself;
	return 0;
}

/* True when a/aplen and n/nplen share an address. */
static bool
overlap(const struct gg_addr *a, unsigned aplen, const struct gg_addr *n,
    unsigned nplen)
{
	return a->family == n->family &&
	    gg_addr_in(a, n, aplen < nplen ? aplen : nplen);
}

/* True when a/aplen shares an address with x/plen, then put in net, nplen. */
static bool
never_hit(const struct gg_addr *a, unsigned aplen, const struct gg_addr *x,
    unsigned plen, struct gg_addr *net, uint8_t *nplen)
{
	if (!overlap(a, aplen, x, plen))
		return false;
	if (net)
		*net = *x;
	if (nplen)
		*nplen = (uint8_t)plen;
	return true;
}

/*
 * The first never-ban network k shares an address with (loopback, the
 * never-ban networks, then the host's addresses) into *net / *nplen (may
 * be NULL); BAN_NEVER_NO when none.
 */
static enum ban_never
never_key(const struct ban *b, const struct key *k, struct gg_addr *net,
    uint8_t *nplen)
{
	struct gg_addr a;
	size_t i;

	key_addr(k, &a);
	for (i = 0; i < GG_NELEM(loopback); i++)
		if (never_hit(&a, k->plen, &loopback[i].addr,
		    loopback[i].plen, net, nplen))
			return BAN_NEVER_LOOPBACK;
	for (i = 0; i < b->nnever; i++)
		if (never_hit(&a, k->plen, &b->never[i].addr,
		    b->never[i].plen, net, nplen))
			return BAN_NEVER_NET;
	for (i = 0; i < b->nself; i++)
		if (never_hit(&a, k->plen, &b->self[i],
		    b->self[i].family == AF_INET ? 32 : 128, net, nplen))
			return BAN_NEVER_SELF;
	return BAN_NEVER_NO;
}

bool
ban_is_never(const struct ban *b, const struct gg_addr *addr, uint8_t plen)
{
	return ban_never_which(b, addr, plen, NULL, NULL) != BAN_NEVER_NO;
}

enum ban_never
ban_never_which(const struct ban *b, const struct gg_addr *addr,
    uint8_t plen, struct gg_addr *net, uint8_t *nplen)
{
	struct key k;

	if (!key_make(&k, addr, plen))
		return BAN_NEVER_FAMILY;
	return never_key(b, &k, net, nplen);
}

static void
entry_of(const struct ban *b, const struct rec *r, struct ban_entry *e)
{
	struct key k;

	memset(e, 0, sizeof(*e));
	rec_key(r, &k);
	key_addr(&k, &e->addr);
	e->plen = r->plen;
	e->level = r->level;
	e->flags = r->flags & REC_PUBLIC;
	e->count = r->count;
	e->since_ns = r->since * NS;
	e->expires_ns = r->expires == NEVER_S ? UINT64_MAX : r->expires * NS;
	e->last_ns = r->last * NS;
	e->reason = b->str[r->reason];
	e->tool = b->str[r->tool];
}

/* The backend's element for r: its remaining time, rounded up. */
static void
item_of(const struct rec *r, uint64_t now, struct ban_item *it)
{
	uint64_t end = (uint64_t)r->expires * NS, left;

	memset(it, 0, sizeof(*it));
	memcpy(it->addr.a, r->a, 16);
	it->addr.family = (r->flags & REC_V6) ? AF_INET6 : AF_INET;
	it->plen = r->plen;
	if (r->expires == NEVER_S)
		return;
	left = end > now ? (end - now + NS - 1) / NS : 1;
	it->timeout_s = left < UINT32_MAX ? (uint32_t)left : UINT32_MAX;
}

/* ban_tick() must look at r again by then. */
static void
due_note(struct ban *b, const struct rec *r)
{
	uint32_t t = (r->flags & REC_ACTIVE) ? r->expires : forget_at(b, r);

	if (t < b->due)
		b->due = t;
}

static void
journal(struct ban *b, const struct rec *r)
{
	struct ban_entry e;

	if (b->st == NULL)
		return;
	entry_of(b, r, &e);
	if (ban_state_append(b->st, &e) != 0)
		b->stats.state_errors++;
}

static enum ban_rc
backend_call(struct ban *b, bool add, const struct ban_item *v, size_t n)
{
	int rc;

	if (b->be == NULL)
		return BAN_OK;
	rc = add ? b->be->add(b->be->ctx, v, n) : b->be->del(b->be->ctx, v, n);
	if (rc == 0)
		return BAN_OK;
	b->dirty = true;
	b->stats.backend_errors++;
	return BAN_EBACKEND;
}

/* --- the rate window --------------------------------------------------- */

/* Drops the seconds that left the window ending at now_s. */
static void
rate_advance(struct ban *b, uint32_t now_s)
{
	uint32_t k, gap;

	if (now_s <= b->rate_sec)
		return;		/* the same second, or the clock stepped back */
	gap = now_s - b->rate_sec;
	for (k = 1; k <= gap && k <= RATE_SECS; k++) {
		uint32_t *n = &b->rate_n[(b->rate_sec + k) % RATE_SECS];

		b->rate_sum -= *n;
		*n = 0;
	}
	b->rate_sec = now_s;
}

static bool
rate_full(struct ban *b, uint32_t now_s)
{
	rate_advance(b, now_s);
	return b->c.max_per_min != 0 && b->rate_sum >= b->c.max_per_min;
}

static void
rate_count(struct ban *b)
{
	b->rate_n[b->rate_sec % RATE_SECS]++;
	b->rate_sum++;
}

/* --- banning ----------------------------------------------------------- */

/* The latest expiry of an active prefix ban covering k, or 0. */
static uint32_t
covered_until(const struct ban *b, const struct key *k, uint32_t now_s,
    uint32_t *which)
{
	uint32_t best = 0, i;
	int p;

	for (p = k->plen - 1; p >= 0; p--) {
		struct key pk = *k;

		if (b->npfx[k->v6 != 0][p] == 0)
			continue;
		pk.plen = (uint8_t)p;
		mask_bits(pk.a, (unsigned)p);
		i = rec_find(b, &pk);
		if (i != NONE && rec_active(&b->rec[i], now_s) &&
		    b->rec[i].expires > best) {
			best = b->rec[i].expires;
			if (which)
				*which = i;
		}
	}
	return best;
}

/*
 * After a new real ban of the IPv6 host rec[hi]: when its /v6_plen holds
 * v6_min_addrs hosts under real bans, bans the prefix too (rung: the
 * highest of theirs, or its own next one), unless it covers a never-ban
 * address or is banned already. Returns the prefix's index, or NONE.
 */
static uint32_t
aggregate(struct ban *b, uint32_t hi, const struct req *q)
{
	const struct rec *h = &b->rec[hi];
	struct key pk, hk;
	uint32_t j, pi, hosts = 0;
	uint8_t level = 0, own;
	struct rec *p;

	if (!rec_in_pfx(h) || b->c.v6_min_addrs == 0 || b->c.v6_plen >= 128)
		return NONE;
	pfx_key(b, h, &pk);
	pi = rec_find(b, &pk);
	if ((pi != NONE && rec_active(&b->rec[pi], q->now_s)) ||
	    never_key(b, &pk, NULL, NULL))
		return NONE;
	j = b->head[1][key_hash(&pk, b->seed + 1) & b->mask[1]];
	for (; j != 0; j = b->rec[j - 1].next[1]) {
		const struct rec *r = &b->rec[j - 1];

		pfx_key(b, r, &hk);
		if (memcmp(hk.a, pk.a, 16) != 0)
			continue;
		if (!rec_active(r, q->now_s) || (r->flags & BAN_F_PROBATION))
			continue;
		hosts++;
		if (r->level > level)
			level = r->level;
	}
	if (hosts < b->c.v6_min_addrs || b->stats.active >= b->c.max_bans)
		return NONE;
	if (pi == NONE && (pi = rec_new(b, &pk)) == NONE)
		return NONE;
	p = &b->rec[pi];
	own = next_rung(b, p, q->now_s);
	p->level = own > level ? own : level;
	p->count++;
	p->flags = REC_V6 | BAN_F_PREFIX;
	p->since = p->last = q->now_s;
	p->expires = expiry(q->now, ladder(b, p->level));
	p->reason = q->reason;
	p->tool = q->tool;
	rec_set_active(b, p, true);
	due_note(b, p);
	b->stats.bans++;
	return pi;
}

/*
 * Hands the change of rec[i] (and the prefix it completes, for a new real
 * ban) to the journal, then to the backend.
 */
static enum ban_rc
ban_commit(struct ban *b, uint32_t i, const struct req *q, bool newreal)
{
	struct ban_item v[2];
	struct key k;
	uint32_t pi = NONE;
	size_t n = 0;

	rec_key(&b->rec[i], &k);
	if (newreal) {
		pi = aggregate(b, i, q);
		i = rec_find(b, &k);	/* the prefix's record may move it */
	}
	due_note(b, &b->rec[i]);
	journal(b, &b->rec[i]);
	item_of(&b->rec[i], q->now, &v[n++]);
	if (pi != NONE) {
		journal(b, &b->rec[pi]);
		item_of(&b->rec[pi], q->now, &v[n++]);
	}
	return backend_call(b, true, v, n);
}

/* A request for a source in force: lengthens it, or replaces a probation. */
static enum ban_rc
ban_extend(struct ban *b, uint32_t i, const struct req *q)
{
	struct rec *r = &b->rec[i];
	uint32_t exp;

	if ((r->flags & BAN_F_PROBATION) && !q->probation) {
		r->level = next_rung(b, r, q->now_s);
		exp = expiry(q->now, q->duration_s ? q->duration_s :
		    ladder(b, r->level));
		r->expires = exp > r->expires ? exp : r->expires;
		r->flags &= (uint8_t)~BAN_F_PROBATION;
		r->flags |= q->manual ? BAN_F_MANUAL : 0;
		r->count++;
		r->since = r->last = q->now_s;
		r->reason = q->reason;
		r->tool = q->tool;
		b->stats.bans++;
		return ban_commit(b, i, q, true);
	}
	if (q->probation)
		exp = expiry(q->now, b->c.probation_s);
	else
		exp = expiry(q->now, q->duration_s ? q->duration_s :
		    ladder(b, r->level));
	if (exp <= r->expires)
		return BAN_EXISTS;
	r->expires = exp;
	r->last = q->now_s;
	if (!q->probation) {
		r->flags |= q->manual ? BAN_F_MANUAL : 0;
		r->reason = q->reason;
		r->tool = q->tool;
	}
	return ban_commit(b, i, q, false);
}

/* A new ban of k, whose record (history) is i or NONE. */
static enum ban_rc
ban_start(struct ban *b, const struct key *k, uint32_t i, const struct req *q)
{
	struct rec *r = i == NONE ? NULL : &b->rec[i];
	uint8_t level;
	uint32_t exp;

	level = q->probation ? (r ? r->level : 0) : next_rung(b, r, q->now_s);
	if (q->probation)
		exp = expiry(q->now, b->c.probation_s);
	else
		exp = expiry(q->now, q->duration_s ? q->duration_s :
		    ladder(b, level));
	if (covered_until(b, k, q->now_s, NULL) >= exp)
		return BAN_EXISTS;
	if (!q->manual && rate_full(b, q->now_s))
		return BAN_ERATE;
	if (b->stats.active >= b->c.max_bans)
		return BAN_EFULL;
	if (i == NONE && (i = rec_new(b, k)) == NONE)
		return BAN_ENOMEM;
	r = &b->rec[i];
	r->level = level;
	r->flags = (uint8_t)(k->v6 | (q->probation ? BAN_F_PROBATION : 0) |
	    (q->manual ? BAN_F_MANUAL : 0) |
	    (k->plen < full_plen(k->v6) ? BAN_F_PREFIX : 0));
	r->count += q->probation ? 0 : 1;
	r->since = r->last = q->now_s;
	r->expires = exp;
	r->reason = q->reason;
	r->tool = q->tool;
	rec_set_active(b, r, true);
	if (!q->manual)
		rate_count(b);
	b->stats.bans++;
	b->stats.probations += q->probation;
	return ban_commit(b, i, q, !q->probation);
}

/* rec[i]'s ban ran out: history from now on. */
static void
rec_expire(struct ban *b, uint32_t i)
{
	rec_set_active(b, &b->rec[i], false);
	b->stats.expired++;
}

enum ban_rc
ban_add(struct ban *b, const struct gg_addr *addr, uint8_t plen,
    uint64_t now, const char *reason, const char *tool, bool probation,
    uint32_t duration_s, unsigned flags, struct ban_entry *out)
{
	struct req q;
	struct key k;
	uint32_t i = NONE;
	enum ban_rc rc;

	memset(&q, 0, sizeof(q));
	q.now = now;
	q.now_s = sec_of(now);
	q.duration_s = duration_s;
	q.manual = duration_s != 0 || (flags & BAN_F_MANUAL);
	q.probation = probation && !q.manual;
	if (!key_make(&k, addr, plen) || never_key(b, &k, NULL, NULL)) {
		rc = BAN_ETRUST;
		goto out;
	}
	if (q.probation && b->c.probation_s == 0) {
		rc = BAN_EXISTS;
		goto out;
	}
	q.reason = intern(b, reason, BAN_REASON_MAX);
	q.tool = intern(b, tool, BAN_TOOL_MAX);
	i = rec_find(b, &k);
	if (i != NONE && rec_active(&b->rec[i], q.now_s)) {
		rc = ban_extend(b, i, &q);
	} else {
		if (i != NONE && (b->rec[i].flags & REC_ACTIVE))
			rec_expire(b, i);	/* ran out before the sweep */
		rc = ban_start(b, &k, i, &q);
	}
	i = rec_find(b, &k);
out:
	b->stats.rc[rc]++;
	if (out && i != NONE) {
		entry_of(b, &b->rec[i], out);
	} else if (out) {
		memset(out, 0, sizeof(*out));
		out->reason = out->tool = b->str[INTERN_EMPTY];
	}
	return rc;
}

enum ban_rc
ban_del(struct ban *b, const struct gg_addr *addr, uint8_t plen,
    uint64_t now)
{
	struct ban_item it;
	struct key k;
	struct rec *r;
	uint32_t i;
	enum ban_rc rc = BAN_ENOENT;

	if (!key_make(&k, addr, plen) || (i = rec_find(b, &k)) == NONE ||
	    !rec_active(&b->rec[i], sec_of(now)))
		goto out;
	r = &b->rec[i];
	rec_set_active(b, r, false);
	r->expires = 0;
	b->stats.unbans++;
	due_note(b, r);
	journal(b, r);
	item_of(r, now, &it);
	rc = backend_call(b, false, &it, 1);
out:
	b->stats.rc[rc]++;
	return rc;
}

size_t
ban_tick(struct ban *b, uint64_t now,
    void (*fn)(void *arg, const struct ban_entry *e), void *arg)
{
	uint32_t now_s = sec_of(now), due = NEVER_S, t, i = 0;
	size_t expired = 0;

	if (now_s < b->due)
		return 0;
	while (i < b->n) {
		struct rec *r = &b->rec[i];

		if (r->flags & REC_ACTIVE) {
			if (r->expires > now_s) {
				due = r->expires < due ? r->expires : due;
				i++;
				continue;
			}
			rec_expire(b, i);
			expired++;
			if (fn) {
				struct ban_entry e;

				entry_of(b, r, &e);
				fn(arg, &e);
			}
		}
		if ((t = forget_at(b, r)) <= now_s) {
			rec_remove(b, i);	/* rec[i] is another now */
			b->stats.forgotten++;
			continue;
		}
		due = t < due ? t : due;
		i++;
	}
	b->due = due;
	return expired;
}

uint64_t
ban_next_due(const struct ban *b)
{
	return b->due == NEVER_S ? UINT64_MAX : (uint64_t)b->due * NS;
}

enum ban_rc
ban_put(struct ban *b, const struct ban_entry *e)
{
	struct key k;
	struct rec *r;
	uint32_t i;

	if (!key_make(&k, &e->addr, e->plen) || never_key(b, &k, NULL, NULL))
		return BAN_ETRUST;
	if ((i = rec_find(b, &k)) == NONE && (i = rec_new(b, &k)) == NONE)
		return BAN_ENOMEM;
	r = &b->rec[i];
	rec_set_active(b, r, false);
	r->level = e->level;
	r->count = e->count;
	r->flags = (uint8_t)(k.v6 | (e->flags & (BAN_F_MANUAL |
	    BAN_F_PROBATION)) |
	    (k.plen < full_plen(k.v6) ? BAN_F_PREFIX : 0));
	r->since = sec_of(e->since_ns);
	r->last = sec_of(e->last_ns);
	r->expires = e->expires_ns ? sec_of_expiry(e->expires_ns) : 0;
	r->reason = intern(b, e->reason, BAN_REASON_MAX);
	r->tool = intern(b, e->tool, BAN_TOOL_MAX);
	if (r->expires)
		rec_set_active(b, r, true);
	due_note(b, r);
	return BAN_OK;
}

const struct ban_entry *
ban_find(const struct ban *b, const struct gg_addr *addr, uint8_t plen)
{
	struct key k;
	uint32_t i;

	if (!key_make(&k, addr, plen) || (i = rec_find(b, &k)) == NONE)
		return NULL;
	entry_of(b, &b->rec[i], &b->view[0]);
	return &b->view[0];
}

const struct ban_entry *
ban_lookup(const struct ban *b, const struct gg_addr *addr, uint64_t now)
{
	uint32_t now_s = sec_of(now), i = NONE;
	struct key k;

	if (!key_make(&k, addr, 128))
		return NULL;
	if ((i = rec_find(b, &k)) == NONE || !rec_active(&b->rec[i], now_s)) {
		i = NONE;
		if (covered_until(b, &k, now_s, &i) == 0)
			return NULL;
	}
	entry_of(b, &b->rec[i], &b->view[1]);
	return &b->view[1];
}

void
ban_walk(const struct ban *b, bool active_only,
    void (*fn)(void *arg, const struct ban_entry *e), void *arg)
{
	struct ban_entry e;
	uint32_t i;

	for (i = 0; i < b->n; i++) {
		if (active_only && !(b->rec[i].flags & REC_ACTIVE))
			continue;
		entry_of(b, &b->rec[i], &e);
		fn(arg, &e);
	}
}

int
ban_sync(struct ban *b, uint64_t now)
{
	uint32_t now_s = sec_of(now), i;
	struct ban_item *v;
	size_t n = 0;
	int rc;

	if (b->be == NULL) {
		b->dirty = false;
		return 0;
	}
	v = malloc((b->stats.active ? b->stats.active : 1) * sizeof(*v));
	if (v == NULL)
		return -1;
	for (i = 0; i < b->n && n < b->stats.active; i++)
		if (rec_active(&b->rec[i], now_s))
			item_of(&b->rec[i], now, &v[n++]);
	rc = b->be->replace(b->be->ctx, v, n);
	free(v);
	if (rc != 0) {
		b->dirty = true;
		b->stats.backend_errors++;
		return -1;
	}
	b->dirty = false;
	return 0;
}

bool
ban_dirty(const struct ban *b)
{
	return b->dirty;
}

const struct ban_stats *
ban_stats(const struct ban *b)
{
	return &b->stats;
}

size_t
ban_memory(const struct ban *b)
{
	return sizeof(*b) + (size_t)b->cap * sizeof(struct rec) +
	    ((size_t)b->mask[0] + 1 + b->mask[1] + 1) * sizeof(uint32_t) +
	    b->strbytes + b->nnever * sizeof(*b->never) +
	    b->nself * sizeof(*b->self) + 2 * sizeof(*b->view);
}
