/*
 * report.c - per-source findings of an analysis, as text and JSON.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <time.h>

#include "report.h"

#define LIST_MAX	REPORT_LIST_MAX	/* examples kept per list */
#define NAME_MAX_LEN	GG_ADDRSTRLEN	/* bytes kept of a name or address */

#define EXACT_MAX	64	/* distinct values counted exactly */
#define SKETCH_BITS	1024	/* linear-counting bitmap per list */
#define OTHERS_BITS	65536	/* bitmap of the sources not described */
#define EVIDENCE_MAX	4	/* signatures listed per source */
#define TL_WIDTH0	1000	/* first width of a timeline bucket, ns */

/*
 * A bounded list of distinct short strings: the first LIST_MAX kept, and
 * all of them counted, exactly (by their 32-bit hashes) up to EXACT_MAX and
 * past it by linear counting over a bitmap (within a few percent up to
 * several thousand values): a report says "about" then.
 */
struct strlist {
	char		v[LIST_MAX][NAME_MAX_LEN + 1];
	uint32_t	hash[EXACT_MAX]; /* hash[i] is v[i]'s for i < n */
	unsigned	n;		/* texts kept */
	unsigned	nh;		/* hashes kept */
	bool		over;		/* past EXACT_MAX values */
	uint64_t	bits[SKETCH_BITS / 64];	/* one bit per hash bucket */
};

/* What the report knows of one source. */
struct rsrc {
	struct gg_addr	addr;
	bool		used;
	bool		trusted;
	enum engine_class class;
	uint32_t	techniques;
	const struct sig *sig;		/* best signature seen */
	const struct sig *sigs[EVIDENCE_MAX]; /* distinct signatures matched,
					 * in the order first seen */
	unsigned	nsigs;
	char		ua[80];		/* first User-Agent it sent */
	uint64_t	first_ns, last_ns;
	uint64_t	packets;	/* packets it sent */
	uint64_t	answers;	/* packets sent to it */
	uint64_t	dropped;
	uint64_t	dropped_sent;	/* of the packets it sent */
	uint64_t	detected_at;	/* its packet number, 0: never */
	uint64_t	banned_at;	/* its packet number, 0: never */
	uint64_t	detected_ns, banned_ns; /* when, 0: never */
	uint64_t	methods[SIP_METHOD_MAX];
	uint64_t	auth;		/* requests carrying credentials */
	uint64_t	malformed;
	uint64_t	policy;		/* policy violations */
	enum policy_rule last_policy;
	struct strlist	users;		/* extensions tried */
	struct strlist	hosts;		/* hosts tried */
	struct strlist	found;		/* extensions the answers revealed */
	struct strlist	found_auth;	/* extensions answered with 401/403/407:
					 * revealing only when the target also
					 * says 404 to others */
	struct strlist	passwords;	/* passwords read from SIPVicious tags */
	uint64_t	r_404;		/* "not found" answers sent to it */
	uint64_t	found_dropped;	/* revealing answers dropped */
	struct report_timeline tl;	/* packets to and from it over time */
};

struct report {
	struct rsrc	**v;		/* open addressing, cap slots */
	size_t		 cap;		/* slots: 2 * max_sources */
	size_t		 n, max;
	struct report_totals tot;
	struct report_timeline tl;	/* every payload over time */
	uint64_t	 others[OTHERS_BITS / 64]; /* sources past max, by
					 * linear counting */
	struct rsrc	*last;		/* the source of the last packet: a
					 * flood's packets come one after the
					 * other from the same source */
};

/*
 * The slots of the table for max sources: a power of two at least twice
 * max, from cap up (at least 16). 0 when that many slots could not be
 * addressed (max past REPORT_MAX_SOURCES): neither max * 2 nor the
 * doubling may wrap.
 */
static size_t
table_cap(size_t cap, size_t max)
{
	if (max > REPORT_MAX_SOURCES)
		return 0;
	if (cap < 16)
		cap = 16;
	while (cap < max * 2)
		cap <<= 1;
	return cap;
}

struct report *
report_new(size_t max_sources)
{
	struct report *r;
	size_t cap = table_cap(16, max_sources);

	if (cap == 0) {
		errno = ENOMEM;
		return NULL;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	if ((r->v = calloc(cap, sizeof(*r->v))) == NULL) {
		free(r);
		return NULL;
	}
	r->cap = cap;
	r->max = max_sources;
	return r;
}

void
report_free(struct report *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->cap; i++)
		free(r->v[i]);
	free(r->v);
	free(r);
}

const struct report_totals *
report_totals(const struct report *r)
{
	return &r->tot;
}

static struct rsrc *
rsrc_get(struct report *r, const struct gg_addr *a)
{
	size_t i;

	if (r->last != NULL && gg_addr_eq(&r->last->addr, a))
		return r->last;
	i = (size_t)gg_addr_hash(a, 7) & (r->cap - 1);
	while (r->v[i] != NULL) {
		if (gg_addr_eq(&r->v[i]->addr, a))
			return r->last = r->v[i];
		i = (i + 1) & (r->cap - 1);
	}
	if (r->n >= r->max || (r->v[i] = calloc(1, sizeof(**r->v))) == NULL) {
		uint64_t h = gg_addr_hash(a, 11) % OTHERS_BITS;

		r->others[h / 64] |= 1ULL << (h % 64);
		r->tot.sources_untracked++;
		return NULL;
	}
	r->n++;
	r->v[i]->used = true;
	r->v[i]->addr = *a;
	return r->last = r->v[i];
}

/* Distinct values added: exact while they fit, else estimated. */
static uint64_t
strlist_total(const struct strlist *l)
{
	unsigned i, zero = 0;
	double est;

	if (!l->over)
		return l->nh;
	for (i = 0; i < SKETCH_BITS / 64; i++)
		zero += 64 - (unsigned)__builtin_popcountll(l->bits[i]);
	if (zero == 0)
		zero = 1;
	est = -(double)SKETCH_BITS * log((double)zero / SKETCH_BITS);
	return est <= EXACT_MAX ? EXACT_MAX + 1 : (uint64_t)(est + 0.5);
}

/*
 * Counts the value with hash h; returns the slot where its text must be
 * written when it is new and there is room, else NULL. The text is made only
 * then, so that a repeat costs a hash and a short scan.
 */
static char *
strlist_add_hash(struct strlist *l, uint32_t h)
{
	unsigned i;

	l->bits[(h % SKETCH_BITS) / 64] |= 1ULL << (h % 64);
	if (l->over)
		return NULL;
	for (i = 0; i < l->nh; i++)
		if (l->hash[i] == h)
			return NULL;
	if (l->nh == EXACT_MAX) {
		l->over = true;
		return NULL;
	}
	l->hash[l->nh++] = h;
	if (l->n == LIST_MAX)
		return NULL;
	return l->v[l->n++];
}

static void
strlist_add(struct strlist *l, struct gg_str s)
{
	char *slot;

	if (s.len == 0)
		return;
	slot = strlist_add_hash(l, (uint32_t)gg_hash(s.p, s.len, 1));
	if (slot)
		gg_str_print(s, slot, sizeof(l->v[0]));
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * SIPVicious' createTag() writes hex('<data>' 0x01 '<number>') into the
 * From tag and svcrack's data is 'user:password': decode it, so that the
 * report can say which passwords were tried. Anything not exactly of that
 * form is left alone. Returns the password's length, 0 if none.
 */
static size_t
sv_tag_password(struct gg_str tag, char *out, size_t outsz)
{
	char dec[128];
	size_t i, n = tag.len / 2, sep = 0, colon = 0;

	if (tag.len < 8 || tag.len % 2 || n > sizeof(dec))
		return 0;
	for (i = 0; i < n; i++) {
		int hi = hexval((unsigned char)tag.p[2 * i]);
		int lo = hexval((unsigned char)tag.p[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return 0;
		dec[i] = (char)(hi << 4 | lo);
		if (dec[i] == 0x01 && sep == 0)
			sep = i;
		else if (dec[i] == ':' && sep == 0 && colon == 0)
			colon = i;
		else if (sep && (dec[i] < '0' || dec[i] > '9'))
			return 0;
		else if (!sep && (dec[i] < 0x20 || dec[i] > 0x7e))
			return 0;
	}
	if (sep == 0 || sep + 1 == n || colon == 0 || colon + 1 >= sep ||
	    sep - colon - 1 >= outsz)
		return 0;
	memcpy(out, dec + colon + 1, sep - colon - 1);
	out[sep - colon - 1] = '\0';
	return sep - colon - 1;
}

static void
note_sent(struct rsrc *s, const struct net_pkt *pkt, const struct sip_msg *m,
    enum sip_rc rc)
{
	char *slot;

	s->packets++;
	if (rc == SIP_EBADMSG)
		s->malformed++;
	if (m == NULL || (rc != SIP_OK && rc != SIP_EBADMSG) ||
	    !m->is_request)
		return;
	s->methods[m->method_id]++;
	if (m->auth.present || m->proxy_auth.present) {
		char pw[NAME_MAX_LEN + 1];
		size_t n;

		s->auth++;
		if (m->from.has_tag && (n = sv_tag_password(m->from.tag, pw,
		    sizeof(pw))) > 0)
			strlist_add(&s->passwords, (struct gg_str){ pw, n });
	}
	if (s->ua[0] == '\0' && m->user_agent.len)
		gg_str_print(m->user_agent, s->ua, sizeof(s->ua));
	if (m->method_id != SIP_METHOD_ACK && m->method_id != SIP_METHOD_BYE &&
	    m->method_id != SIP_METHOD_CANCEL)
		strlist_add(&s->users, m->ruri.user.len ? m->ruri.user :
		    m->to.uri.user);
	slot = strlist_add_hash(&s->hosts, (uint32_t)gg_addr_hash(&pkt->dst,
	    1));
	if (slot)
		gg_addr_fmt(&pkt->dst, slot);
}

/* An answer other than "not found" to a probe reveals an extension. */
static void
note_answer(struct rsrc *s, const struct sip_msg *m,
    const struct engine_result *res)
{
	int st = m->status;
	enum sip_method cm = m->cseq_method_id;

	s->answers++;
	if (st == 404 || st == 484 || st == 604)
		s->r_404++;
	if (st < 180 || st == 404 || st == 484 || st == 604 || st >= 500)
		return;
	if (cm != SIP_METHOD_INVITE && cm != SIP_METHOD_REGISTER &&
	    cm != SIP_METHOD_OPTIONS)
		return;
	if (m->to.uri.user.len == 0)
		return;
	/* Registrars challenge every user alike and most devices answer
	 * an OPTIONS for any user (it says a device is there, as svmap
	 * uses it): such an answer gives an extension away only where
	 * others get "not found". */
	if (st == 401 || st == 403 || st == 407 ||
	    cm == SIP_METHOD_OPTIONS)
		strlist_add(&s->found_auth, m->to.uri.user);
	else
		strlist_add(&s->found, m->to.uri.user);
	if (res->verdict != ENGINE_ACCEPT)
		s->found_dropped++;
}

static uint32_t
sat_add(uint32_t a, uint32_t b)
{
	return a > UINT32_MAX - b ? UINT32_MAX : a + b;
}

/*
 * Widens the buckets 2^k times at once: each run of 2^k buckets merges into
 * one, in a single pass. Saturating sums do not depend on how they are
 * grouped, so this is k doublings of the width, without their k passes (a
 * source seen over a second has about thirteen).
 */
static void
timeline_widen(struct report_timeline *t, unsigned k)
{
	unsigned i, d;

	for (i = 1; i < REPORT_BUCKETS; i++) {
		uint32_t p = t->pass[i], q = t->drop[i];

		if ((p | q) == 0)
			continue;	/* most buckets of most sources */
		d = k < 32 ? i >> k : 0;
		t->pass[i] = t->drop[i] = 0;
		t->pass[d] = sat_add(t->pass[d], p);
		t->drop[d] = sat_add(t->drop[d], q);
	}
	t->width_ns <<= k;
}

/*
 * The bucket of time ts: the first call sets the origin, a time past the
 * last bucket widens them. A packet out of capture order, before the first,
 * counts in bucket 0. The origin and the width depend only on the times
 * seen, not on the counts.
 */
static uint64_t
timeline_slot(struct report_timeline *t, uint64_t ts)
{
	uint64_t i;

	if (t->width_ns == 0) {
		t->origin_ns = ts;
		t->width_ns = TL_WIDTH0;
	}
	ts = ts > t->origin_ns ? ts - t->origin_ns : 0;
	if ((i = ts / t->width_ns) >= REPORT_BUCKETS) {
		uint64_t w = t->width_ns;
		unsigned k = 0;

		while (ts / w >= REPORT_BUCKETS) {
			w *= 2;
			k++;
		}
		timeline_widen(t, k);
		i = ts / t->width_ns;
	}
	return i;
}

static void
timeline_count(struct report_timeline *t, uint64_t i, uint32_t pass,
    uint32_t drop)
{
	t->pass[i] = sat_add(t->pass[i], pass);
	t->drop[i] = sat_add(t->drop[i], drop);
}

static void
timeline_add(struct report_timeline *t, uint64_t ts, bool dropped)
{
	timeline_count(t, timeline_slot(t, ts), !dropped, dropped);
}

/*
 * Adds the counts of o to t. Two timelines that saw the same times (the
 * shards of one capture: each sees every payload's time, see report_skip)
 * have the same origin and width and add bucket by bucket: the result is
 * the timeline one report fed every packet would have, since saturating
 * sums do not depend on their grouping. Otherwise each bucket of o goes to
 * the bucket of its start, which is close, not exact.
 */
static void
timeline_merge(struct report_timeline *t, const struct report_timeline *o)
{
	unsigned i;

	if (o->width_ns == 0)
		return;
	if (t->width_ns == 0) {
		*t = *o;
		return;
	}
	for (i = 0; i < REPORT_BUCKETS; i++) {
		if ((o->pass[i] | o->drop[i]) == 0)
			continue;
		if (t->origin_ns == o->origin_ns && t->width_ns == o->width_ns)
			timeline_count(t, i, o->pass[i], o->drop[i]);
		else
			timeline_count(t, timeline_slot(t, o->origin_ns +
			    i * o->width_ns), o->pass[i], o->drop[i]);
	}
}

/* Notes a payload in the totals every shard keeps alike: its count, the
 * first and last time. */
static void
totals_see(struct report *r, uint64_t ts)
{
	r->tot.payloads++;
	if (r->tot.first_ns == 0 || ts < r->tot.first_ns)
		r->tot.first_ns = ts;
	if (ts > r->tot.last_ns)
		r->tot.last_ns = ts;
}

/* totals_see(), and the payload's bucket in the summary's timeline. */
static uint64_t
payload_seen(struct report *r, uint64_t ts)
{
	totals_see(r, ts);
	return timeline_slot(&r->tl, ts);
}

void
report_skip(struct report *r, const struct net_pkt *pkt)
{
	const struct report_timeline *t = &r->tl;
	uint64_t ts = pkt->ts_ns;

	totals_see(r, ts);
	/* Most times fall within the buckets: then the width stays, and no
	 * bucket is needed (nor the division that finds it). */
	if (t->width_ns == 0 || (ts > t->origin_ns &&
	    (ts - t->origin_ns) / REPORT_BUCKETS >= t->width_ns))
		timeline_slot(&r->tl, ts);
}

void
report_add(struct report *r, const struct engine *e,
    const struct net_pkt *pkt, const struct sip_msg *m, enum sip_rc rc,
    const struct engine_result *res)
{
	bool dropped = res->verdict != ENGINE_ACCEPT;
	struct rsrc *s;

	timeline_count(&r->tl, payload_seen(r, pkt->ts_ns), !dropped, dropped);
	if (rc == SIP_OK || rc == SIP_EBADMSG)
		r->tot.sip++;
	if (rc == SIP_EBADMSG)
		r->tot.malformed++;
	if (res->verdict == ENGINE_ACCEPT)
		r->tot.accepted++;
	else
		r->tot.dropped++;
	if (res->ban)
		r->tot.bans++;
	if (res->internal || res->allowed || res->peer.family == 0)
		return;
	if ((s = rsrc_get(r, &res->peer)) == NULL)
		return;
	if (s->first_ns == 0)
		s->first_ns = pkt->ts_ns;
	s->last_ns = pkt->ts_ns;
	s->trusted = res->trusted;
	if (res->peer_sent)
		note_sent(s, pkt, m, rc);
	else if (m && (rc == SIP_OK || rc == SIP_EBADMSG) && !m->is_request)
		note_answer(s, m, res);
	else
		s->answers++;
	if (res->verdict != ENGINE_ACCEPT) {
		s->dropped++;
		s->dropped_sent += res->peer_sent;
	}
	timeline_add(&s->tl, pkt->ts_ns, res->verdict != ENGINE_ACCEPT);
	if (res->detected && s->detected_at == 0) {
		s->detected_at = s->packets ? s->packets : 1;
		s->detected_ns = pkt->ts_ns;
	}
	if (res->ban && s->banned_at == 0) {
		s->banned_at = s->packets ? s->packets : 1;
		s->banned_ns = pkt->ts_ns;
	}
	if (res->policy != POLICY_OK) {
		s->policy++;
		s->last_policy = res->policy;
	}
	if (res->sig) {
		unsigned i;

		for (i = 0; i < s->nsigs && s->sigs[i] != res->sig; i++)
			;
		if (i == s->nsigs && s->nsigs < EVIDENCE_MAX)
			s->sigs[s->nsigs++] = res->sig;
	}
	if (res->src) {
		s->class = res->src->class;
		s->techniques = res->src->techniques;
		s->sig = engine_src_sig(e, res->src);
	}
}

/* Puts s into the table v of cap slots (a power of two). */
static void
table_put(struct rsrc **v, size_t cap, struct rsrc *s)
{
	size_t i = (size_t)gg_addr_hash(&s->addr, 7) & (cap - 1);

	while (v[i] != NULL)
		i = (i + 1) & (cap - 1);
	v[i] = s;
}

int
report_merge(struct report *r, struct report *o)
{
	size_t cap, i;
	struct rsrc **v;

	if (o->max > REPORT_MAX_SOURCES - r->max ||
	    (cap = table_cap(r->cap, r->max + o->max)) == 0)
		return -1;
	if (cap != r->cap) {
		if ((v = calloc(cap, sizeof(*v))) == NULL)
			return -1;
		for (i = 0; i < r->cap; i++)
			if (r->v[i] != NULL)
				table_put(v, cap, r->v[i]);
		free(r->v);
		r->v = v;
		r->cap = cap;
	}
	for (i = 0; i < o->cap; i++) {
		if (o->v[i] == NULL)
			continue;
		table_put(r->v, r->cap, o->v[i]);
		o->v[i] = NULL;
	}
	r->n += o->n;
	r->max += o->max;
	o->n = 0;
	r->last = o->last = NULL;
	r->tot.sip += o->tot.sip;
	r->tot.malformed += o->tot.malformed;
	r->tot.accepted += o->tot.accepted;
	r->tot.dropped += o->tot.dropped;
	r->tot.bans += o->tot.bans;
	r->tot.sources_untracked += o->tot.sources_untracked;
	for (i = 0; i < OTHERS_BITS / 64; i++)
		r->others[i] |= o->others[i];
	timeline_merge(&r->tl, &o->tl);
	return 0;
}

/* Output. */

#define BEHAVIOUR_T	(ENGINE_T_OPTIONS_SWEEP | ENGINE_T_INVITE_SWEEP | \
	ENGINE_T_REGISTER_SWEEP | ENGINE_T_REGISTER_ENUM | \
	ENGINE_T_INVITE_ENUM | ENGINE_T_OPTIONS_ENUM | \
	ENGINE_T_PASSWORD_GUESS | ENGINE_T_FLOOD | ENGINE_T_MALFORMED)

/*
 * The techniques to report. A source convicted on its fingerprint alone
 * (one probe, say) is credited with what its probes were: an OPTIONS or
 * INVITE probe is a sweep, REGISTERs for several extensions an
 * enumeration, REGISTERs with credentials password guessing (svcrack's
 * first REGISTER, for one extension, is neither).
 */
static uint32_t
report_techs(const struct rsrc *s)
{
	uint32_t t = s->techniques & ~ENGINE_T_SIGNATURE;
	const uint64_t *m = s->methods;

	if (s->class != ENGINE_SCANNER)
		return t;
	/* A convicted scanner's probes of several hosts are a sweep even
	 * below the threshold that convicts an unknown source. */
	if (strlist_total(&s->hosts) >= 2) {
		if (m[SIP_METHOD_OPTIONS] >= 2)
			t |= ENGINE_T_OPTIONS_SWEEP;
		if (m[SIP_METHOD_INVITE] >= 2 &&
		    !(t & ENGINE_T_INVITE_ENUM))
			t |= ENGINE_T_INVITE_SWEEP;
		if (m[SIP_METHOD_REGISTER] >= 2 &&
		    strlist_total(&s->users) < 2)
			t |= ENGINE_T_REGISTER_SWEEP;
	}
	if (t & BEHAVIOUR_T)
		return t;
	if (m[SIP_METHOD_OPTIONS] >= m[SIP_METHOD_INVITE] &&
	    m[SIP_METHOD_OPTIONS] >= m[SIP_METHOD_REGISTER] &&
	    m[SIP_METHOD_OPTIONS] > 0)
		t |= ENGINE_T_OPTIONS_SWEEP;
	else if (m[SIP_METHOD_INVITE] >= m[SIP_METHOD_REGISTER] &&
	    m[SIP_METHOD_INVITE] > 0)
		t |= ENGINE_T_INVITE_SWEEP;
	else if (m[SIP_METHOD_REGISTER] > 0 && strlist_total(&s->users) >= 2)
		t |= ENGINE_T_REGISTER_ENUM;
	else if (m[SIP_METHOD_REGISTER] > 0 && s->auth > 0)
		t |= ENGINE_T_PASSWORD_GUESS;
	return t;
}

/* The extensions the answers revealed (see note_answer). */
static void
found_merge(struct rsrc *s)
{
	unsigned i;

	if (s->r_404 == 0)
		return;
	/* In the order they came: a slot of found is given only while it
	 * has fewer than LIST_MAX texts, so i < found_auth.n then. */
	for (i = 0; i < s->found_auth.nh; i++) {
		char *slot = strlist_add_hash(&s->found, s->found_auth.hash[i]);

		if (slot && i < s->found_auth.n)
			memcpy(slot, s->found_auth.v[i], sizeof(s->found.v[0]));
	}
	s->found.over |= s->found_auth.over;
	for (i = 0; i < SKETCH_BITS / 64; i++)
		s->found.bits[i] |= s->found_auth.bits[i];
	memset(&s->found_auth, 0, sizeof(s->found_auth));
}

/*
 * The tool to name: a scanner's best signature, when that signature names a
 * tool or an SDK. A real product's User-Agent that scanners copy (kind
 * spoofed-legit) or a broad substring (generic) is evidence, not a name.
 */
static const char *
rsrc_tool(const struct rsrc *s)
{
	if (s->class != ENGINE_SCANNER || s->sig == NULL)
		return NULL;
	if (s->sig->kind != SIG_KIND_TOOL && s->sig->kind != SIG_KIND_SDK)
		return NULL;
	return s->sig->tool;
}

/* Distinct sources past the limit, by linear counting (saturates around
 * half a million). */
static uint64_t
others_estimate(const struct report *r)
{
	unsigned i, zero = 0;

	for (i = 0; i < OTHERS_BITS / 64; i++)
		zero += 64 - (unsigned)__builtin_popcountll(r->others[i]);
	if (zero == 0)
		zero = 1;
	return (uint64_t)(-(double)OTHERS_BITS *
	    log((double)zero / OTHERS_BITS) + 0.5);
}

static int
rsrc_cmp(const void *a, const void *b)
{
	const struct rsrc *x = *(const struct rsrc *const *)a;
	const struct rsrc *y = *(const struct rsrc *const *)b;

	if (x->class != y->class)
		return x->class > y->class ? -1 : 1;
	if (x->packets != y->packets)
		return x->packets > y->packets ? -1 : 1;
	return memcmp(&x->addr, &y->addr, sizeof(x->addr));
}

/* Sources per class, and banned. */
struct counts {
	size_t		 k[3];		/* by enum engine_class */
	size_t		 banned;
};

/* The used sources, sorted: scanners first, then by packets; *c counts
 * them. */
static struct rsrc **
sorted(const struct report *r, struct counts *c)
{
	struct rsrc **v = malloc((r->n + 1) * sizeof(*v));
	size_t i, n = 0;

	if (v == NULL)
		return NULL;
	for (i = 0; i < r->cap; i++)
		if (r->v[i] != NULL) {
			found_merge(r->v[i]);
			v[n++] = r->v[i];
		}
	qsort(v, n, sizeof(*v), rsrc_cmp);
	memset(c, 0, sizeof(*c));
	for (i = 0; i < n; i++) {
		c->k[v[i]->class]++;
		c->banned += v[i]->banned_at != 0;
	}
	return v;
}

int
report_trim(struct report *r, size_t max)
{
	struct counts c;
	struct rsrc **v, **keep;
	size_t cap = table_cap(16, max), i, n = r->n;

	if (n <= max) {
		r->max = max;
		return 0;
	}
	if (cap == 0 || (keep = calloc(cap, sizeof(*keep))) == NULL)
		return -1;
	if ((v = sorted(r, &c)) == NULL) {
		free(keep);
		return -1;
	}
	for (i = 0; i < n; i++) {
		uint64_t h;

		if (i < max) {
			table_put(keep, cap, v[i]);
			continue;
		}
		h = gg_addr_hash(&v[i]->addr, 11) % OTHERS_BITS;
		r->others[h / 64] |= 1ULL << (h % 64);
		r->tot.sources_untracked += v[i]->packets + v[i]->answers;
		free(v[i]);
	}
	free(v);
	free(r->v);
	r->v = keep;
	r->cap = cap;
	r->n = max;
	r->max = max;
	r->last = NULL;
	return 0;
}

void
report_fmt_time(uint64_t ns, bool human, char *buf, size_t len)
{
	time_t t = (time_t)(ns / 1000000000ULL);
	struct tm tm;
	size_t n = 0;

	if (gmtime_r(&t, &tm) != NULL)
		n = human ? strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm) :
		    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (n == 0)
		snprintf(buf, len, "?");
}

static void
fmt_time(uint64_t ns, char *buf, size_t len)
{
	report_fmt_time(ns, false, buf, len);
}

/* What each technique means, for someone who never heard of SIPVicious. */
const char *
report_tech_explain(enum engine_tech t)
{
	switch (t) {
	case ENGINE_T_OPTIONS_SWEEP:
		return "probed addresses with OPTIONS to find SIP devices "
		    "(svmap's default)";
	case ENGINE_T_INVITE_SWEEP:
		return "probed addresses with calls (INVITE): this is what "
		    "makes desk phones ring with nobody on the line";
	case ENGINE_T_REGISTER_SWEEP:
		return "probed addresses with REGISTER to find PBXs "
		    "(svmap -m REGISTER)";
	case ENGINE_T_REGISTER_ENUM:
		return "tried to register many extensions to learn which exist";
	case ENGINE_T_INVITE_ENUM:
		return "called extension after extension to learn which exist";
	case ENGINE_T_OPTIONS_ENUM:
		return "asked about extension after extension (OPTIONS) to "
		    "learn which exist";
	case ENGINE_T_PASSWORD_GUESS:
		return "guessed passwords for an extension";
	case ENGINE_T_FLOOD:
		return "sent requests faster than any phone or PBX does";
	case ENGINE_T_MALFORMED:
		return "sent malformed SIP messages (fuzzing or a broken tool)";
	case ENGINE_T_POLICY:
		return "broke the site's policy";
	default:
		return "";
	}
}

/* The view for other writers (report.h). */

static void
list_view(const struct strlist *l, struct report_list *v)
{
	unsigned i;

	for (i = 0; i < l->n; i++)
		v->v[i] = l->v[i];
	v->n = l->n;
	v->total = strlist_total(l);
	v->estimated = l->over;
}

static void
source_view(const struct rsrc *s, struct report_source *v)
{
	unsigned i;

	memset(v, 0, sizeof(*v));
	gg_addr_fmt(&s->addr, v->addr);
	v->class = s->class;
	v->trusted = s->trusted;
	v->tool = rsrc_tool(s);
	for (i = 0; i < s->nsigs && i < GG_NELEM(v->sigs); i++)
		v->sigs[i] = s->sigs[i];
	v->nsigs = i;
	v->ua = s->ua;
	v->techniques = report_techs(s);
	v->packets = s->packets;
	v->answers = s->answers;
	v->dropped = s->dropped;
	v->dropped_sent = s->dropped_sent;
	v->detected_at = s->detected_at;
	v->banned_at = s->banned_at;
	v->detected_ns = s->detected_ns;
	v->banned_ns = s->banned_ns;
	v->first_ns = s->first_ns;
	v->last_ns = s->last_ns;
	v->auth = s->auth;
	v->malformed = s->malformed;
	v->policy = s->policy;
	v->last_policy = s->last_policy;
	list_view(&s->users, &v->users);
	list_view(&s->hosts, &v->hosts);
	list_view(&s->found, &v->found);
	list_view(&s->passwords, &v->passwords);
	v->found_dropped = s->found_dropped;
	v->timeline = &s->tl;
}

static void
summary_fill(const struct report *r, struct rsrc *const *v,
    const struct counts *c, struct report_summary *sum)
{
	size_t i;

	memset(sum, 0, sizeof(*sum));
	sum->sources = r->n;
	memcpy(sum->k, c->k, sizeof(sum->k));
	sum->banned = c->banned;
	sum->others = r->tot.sources_untracked ? others_estimate(r) : 0;
	sum->tot = r->tot;
	sum->all = &r->tl;
	for (i = 0; i < r->n; i++)
		if (v[i]->class == ENGINE_BENIGN)
			sum->benign_dropped += v[i]->dropped;
}

struct report_source *
report_sources(struct report *r, size_t max, size_t *n,
    struct report_summary *sum)
{
	struct counts c;
	struct rsrc **v = sorted(r, &c);
	struct report_source *out;
	size_t i;

	*n = 0;
	if (v == NULL)
		return NULL;
	summary_fill(r, v, &c, sum);
	if (max > r->n)
		max = r->n;
	if ((out = calloc(max + 1, sizeof(*out))) == NULL)
		goto out_free_v;
	for (i = 0; i < max; i++)
		source_view(v[i], &out[i]);
	*n = max;
out_free_v:
	free(v);
	return out;
}

/* A bounded string being built: writes past the end are cut. */
struct sbuf {
	char		*p;
	size_t		 len, off;
};

static void sb_printf(struct sbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (b->off + 1 >= b->len)
		return;
	va_start(ap, fmt);
	k = vsnprintf(b->p + b->off, b->len - b->off, fmt, ap);
	va_end(ap);
	if (k > 0)
		b->off += (size_t)k < b->len - b->off ? (size_t)k :
		    b->len - b->off - 1;
}

static const char *
ordinal(uint64_t n)
{
	if (n % 100 >= 11 && n % 100 <= 13)
		return "th";
	switch (n % 10) {
	case 1:
		return "st";
	case 2:
		return "nd";
	case 3:
		return "rd";
	default:
		return "th";
	}
}

static const char *
plural(uint64_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/* "101", "101 and 102", "101, 102, 103 and 4 more". */
static void
sb_list(struct sbuf *b, const struct report_list *l)
{
	unsigned i, show = l->n < 5 ? l->n : 5;
	uint64_t more = l->total > show ? l->total - show : 0;

	for (i = 0; i < show; i++)
		sb_printf(b, "%s%s", i == 0 ? "" : i + 1 == show && !more ?
		    " and " : ", ", l->v[i]);
	if (more)
		sb_printf(b, " and %s%llu more", l->estimated ? "about " : "",
		    (unsigned long long)more);
}

#define SWEEP_T		(ENGINE_T_OPTIONS_SWEEP | ENGINE_T_INVITE_SWEEP | \
	ENGINE_T_REGISTER_SWEEP)
#define ENUM_T		(ENGINE_T_REGISTER_ENUM | ENGINE_T_INVITE_ENUM | \
	ENGINE_T_OPTIONS_ENUM)

/*
 * Which of SIPVicious' programs a source ran: from what it did, else from a
 * signature of one program's own (sipvicious-svcrack-first, say; most of
 * their fingerprints are shared); "" when neither tells.
 */
static const char *
sv_program(const struct report_source *s)
{
	static const char *const progs[] = { "svcrack", "svwar", "svmap" };
	uint32_t t = s->techniques;
	unsigned i, j;

	if (t & ENGINE_T_PASSWORD_GUESS)
		return "svcrack";
	if (t & ENUM_T)
		return "svwar";
	if (t & SWEEP_T)
		return "svmap";
	for (i = 0; i < s->nsigs; i++)
		for (j = 0; j < GG_NELEM(progs); j++)
			if (strstr(s->sigs[i]->name, progs[j]))
				return progs[j];
	return "";
}

/* "ran SIPVicious svwar, a tool that ...": the tool, from its name and
 * what it did (SIPVicious' three programs share their fingerprints). */
static void
sb_tool(struct sbuf *b, const struct report_source *s)
{
	static const struct {
		const char	*name, *says;
	} tools[] = {
		{ "nmap", "nmap's SIP scripts, a network scanner's probes "
		    "for phone systems" },
		{ "metasploit", "Metasploit, an attack framework, with its "
		    "SIP modules" },
		{ "sipp", "SIPp, a SIP load-testing tool, here aimed at your "
		    "network" },
		{ "sipsak", "sipsak, a SIP testing tool that scanners also "
		    "use" },
		{ "sipcli", "sipcli, a command-line tool that places SIP "
		    "calls, the kind used for toll fraud" },
	};
	size_t i;

	if (s->tool == NULL || strcmp(s->tool, "unknown-scanner") == 0) {
		sb_printf(b, "ran a SIP scanning tool%s", s->tool ?
		    " that did not give its name" : "");
		return;
	}
	if (strcmp(s->tool, "sipvicious") == 0) {
		const char *prog = sv_program(s);

		if (strcmp(prog, "svcrack") == 0)
			sb_printf(b, "ran SIPVicious svcrack, a tool that "
			    "guesses the password of an extension so that "
			    "the attacker can register as that phone and "
			    "make calls at your expense");
		else if (strcmp(prog, "svwar") == 0)
			sb_printf(b, "ran SIPVicious svwar, a tool that "
			    "guesses which extension numbers exist on a PBX "
			    "so that their passwords can be guessed next");
		else if (strcmp(prog, "svmap") == 0)
			sb_printf(b, "ran SIPVicious svmap, a tool that "
			    "searches networks for phones and PBXs that "
			    "answer SIP, the first step of an attack on "
			    "them");
		else
			sb_printf(b, "ran SIPVicious, a toolkit that finds "
			    "phones and PBXs (svmap), the extensions they "
			    "have (svwar) and their passwords (svcrack)");
		return;
	}
	for (i = 0; i < GG_NELEM(tools); i++)
		if (strcmp(s->tool, tools[i].name) == 0) {
			sb_printf(b, "ran %s", tools[i].says);
			return;
		}
	if (strlen(s->tool) > 4 &&
	    strcmp(s->tool + strlen(s->tool) - 4, "-sdk") == 0) {
		sb_printf(b, "ran a program built with %.*s, a SIP toolkit "
		    "that scanners often use", (int)strlen(s->tool) - 4,
		    s->tool);
		return;
	}
	sb_printf(b, "ran %s, a known SIP scanning tool", s->tool);
}

/* What a scanner did: "it probed 33 addresses, tried 200 extensions and
 * learned that 101 and 102 exist". */
static void
sb_deeds(struct sbuf *b, const struct report_source *s)
{
	char c[4][256];
	struct sbuf cb;
	uint32_t t = s->techniques;
	unsigned n = 0, i;

	if (t & SWEEP_T)
		snprintf(c[n++], sizeof(c[0]), "probed %s%llu %s%s",
		    s->hosts.estimated ? "about " : "",
		    (unsigned long long)s->hosts.total,
		    plural(s->hosts.total, "address", "addresses"),
		    t & ENGINE_T_INVITE_SWEEP ? " with calls that make phones "
		    "ring with nobody on the line" : "");
	if (t & ENUM_T || (s->users.total > 1 &&
	    !(t & ENGINE_T_PASSWORD_GUESS)))
		snprintf(c[n++], sizeof(c[0]), "tried %s%llu %s",
		    s->users.estimated ? "about " : "",
		    (unsigned long long)s->users.total,
		    plural(s->users.total, "extension", "extensions"));
	if (t & ENGINE_T_PASSWORD_GUESS || s->auth)
		snprintf(c[n++], sizeof(c[0]), "guessed %llu %s%s%s",
		    (unsigned long long)s->auth,
		    plural(s->auth, "password", "passwords"),
		    s->users.n == 1 ? " for extension " : "",
		    s->users.n == 1 ? s->users.v[0] : "");
	if (s->found.total) {
		cb = (struct sbuf){ c[n++], sizeof(c[0]), 0 };
		sb_printf(&cb, "learned that %s", s->found.total == 1 ?
		    "extension " : "");
		sb_list(&cb, &s->found);
		sb_printf(&cb, " %s", plural(s->found.total, "exists",
		    "exist"));
	} else if (t & ENUM_T) {
		snprintf(c[n++], sizeof(c[0]), "learned of none");
	}
	for (i = 0; i < n; i++)
		sb_printf(b, "%s%s", i == 0 ? "; it " : i + 1 == n ?
		    " and " : ", ", c[i]);
	if (t & ENGINE_T_FLOOD)
		sb_printf(b, "; it sent requests faster than any phone does");
	if (s->malformed)
		sb_printf(b, "; %llu of its messages %s malformed",
		    (unsigned long long)s->malformed, plural(s->malformed,
		    "was", "were"));
}

/* "; ghostguard would have dropped 198 of its 201 packets and banned it at
 * its 3rd packet." */
static void
sb_verdict(struct sbuf *b, const struct report_source *s)
{
	if (s->dropped_sent == 0 && s->dropped == 0) {
		if (s->packets <= 2)
			sb_printf(b, "; ghostguard would have let %s "
			    "through.", s->packets == 2 ? "both its packets" :
			    s->packets ? "its one packet" : "its answers");
		else
			sb_printf(b, "; ghostguard would have let all %llu of "
			    "its packets through.",
			    (unsigned long long)s->packets);
		return;
	}
	if (s->dropped_sent == 1 && s->packets == 1)
		sb_printf(b, "; ghostguard would have dropped its one packet");
	else if (s->dropped_sent == s->packets && s->packets > 1)
		sb_printf(b, "; ghostguard would have dropped all %llu of its "
		    "packets", (unsigned long long)s->packets);
	else
		sb_printf(b, "; ghostguard would have dropped %llu of its "
		    "%llu %s", (unsigned long long)s->dropped_sent,
		    (unsigned long long)s->packets,
		    plural(s->packets, "packet", "packets"));
	if (s->found_dropped && s->found.total)
		sb_printf(b, " (and the %llu %s that gave extensions away)",
		    (unsigned long long)s->found_dropped,
		    plural(s->found_dropped, "answer", "answers"));
	if (s->banned_at)
		sb_printf(b, " and banned it at its %llu%s packet.",
		    (unsigned long long)s->banned_at, ordinal(s->banned_at));
	else if (s->packets <= 2)
		sb_printf(b, ", but held it off for a short probation at "
		    "most (ban-probation), not banned it: so few UDP packets "
		    "could carry a forged address.");
	else
		sb_printf(b, ", but not banned it.");
}

static const char *
policy_explain(enum policy_rule r)
{
	switch (r) {
	case POLICY_DENY:
		return "it is on your deny list";
	case POLICY_TRUSTED_ONLY:
		return "it called phones that only your trusted servers may "
		    "call";
	case POLICY_IP_CALL:
		return "it called a phone directly by its IP address, which "
		    "only scanners and fraudsters do";
	default:
		return "it broke your policy";
	}
}

void
report_sentence(const struct report_source *s, char *buf, size_t len)
{
	struct sbuf b = { buf, len, 0 };

	if (len == 0)
		return;
	buf[0] = '\0';
	sb_printf(&b, "%s ", s->addr);
	switch (s->class) {
	case ENGINE_SCANNER:
		sb_tool(&b, s);
		sb_deeds(&b, s);
		break;
	case ENGINE_POLICY:
		sb_printf(&b, "broke your site's policy: %s (%llu %s "
		    "refused)", policy_explain(s->last_policy),
		    (unsigned long long)s->policy,
		    plural(s->policy, "request", "requests"));
		break;
	default:
		sb_printf(&b, "%slooks like ordinary SIP traffic",
		    s->trusted ? "is one of your trusted servers and " : "");
		break;
	}
	sb_verdict(&b, s);
}

void
report_summary_sentence(const struct report_summary *sum, char *buf,
    size_t len)
{
	struct sbuf b = { buf, len, 0 };
	size_t att = sum->k[ENGINE_SCANNER] + sum->k[ENGINE_POLICY];
	size_t ben = sum->k[ENGINE_BENIGN];
	char nben[32];

	if (len == 0)
		return;
	buf[0] = '\0';
	sb_printf(&b, "In short: ");
	if (att == 0) {
		sb_printf(&b, "nothing here looks like an attack");
		if (sum->tot.dropped)
			sb_printf(&b, "; ghostguard would have dropped %llu "
			    "malformed or refused %s and let the rest "
			    "through.", (unsigned long long)sum->tot.dropped,
			    plural(sum->tot.dropped, "packet", "packets"));
		else if (sum->tot.payloads == 1)
			sb_printf(&b, "; ghostguard would have let its one "
			    "packet through.");
		else
			sb_printf(&b, "; ghostguard would have let all %llu "
			    "packets through.",
			    (unsigned long long)sum->tot.payloads);
		return;
	}
	if (sum->k[ENGINE_SCANNER])
		sb_printf(&b, "%zu %s", sum->k[ENGINE_SCANNER],
		    plural(sum->k[ENGINE_SCANNER], "scanner", "scanners"));
	if (sum->k[ENGINE_POLICY])
		sb_printf(&b, "%s%zu %s", sum->k[ENGINE_SCANNER] ? " and " :
		    "", sum->k[ENGINE_POLICY], plural(sum->k[ENGINE_POLICY],
		    "policy offender", "policy offenders"));
	sb_printf(&b, " went after your phones and PBX; inline, ghostguard "
	    "would have dropped %llu %s and ",
	    (unsigned long long)sum->tot.dropped,
	    plural(sum->tot.dropped, "packet", "packets"));
	if (sum->banned)
		sb_printf(&b, "banned %zu %s", sum->banned,
		    plural(sum->banned, "source", "sources"));
	else
		sb_printf(&b, "banned none: too few packets to rule out "
		    "a forged address");
	/* "the ordinary source", "the 3 ordinary sources" */
	snprintf(nben, sizeof(nben), "%zu ", ben);
	if (ben && sum->benign_dropped == 0)
		sb_printf(&b, ", while the traffic of the %sordinary %s "
		    "went through untouched", ben == 1 ? "" : nben,
		    plural(ben, "source", "sources"));
	else if (ben)
		sb_printf(&b, ", and %llu %s of the %sordinary %s "
		    "(malformed or refused)",
		    (unsigned long long)sum->benign_dropped,
		    plural(sum->benign_dropped, "packet", "packets"),
		    ben == 1 ? "" : nben, plural(ben, "source", "sources"));
	sb_printf(&b, ".");
}

static void
text_list(FILE *out, const char *what, const struct strlist *l)
{
	unsigned i;

	if (l->n == 0)
		return;
	fprintf(out, "    %s (%s%llu): ", what, l->over ? "about " : "",
	    (unsigned long long)strlist_total(l));
	for (i = 0; i < l->n; i++)
		fprintf(out, "%s%s", i ? ", " : "", l->v[i]);
	if (strlist_total(l) > l->n)
		fprintf(out, ", ...");
	fputc('\n', out);
}

/* Writes text in lines of at most width columns (a longer word gets its
 * own line), each after indent spaces. */
static void
text_wrap(FILE *out, int indent, const char *text, size_t width)
{
	const char *p = text, *end, *brk;

	while (*p) {
		end = p + strlen(p);
		if ((size_t)(end - p) > width) {
			for (brk = p + width; brk > p && *brk != ' '; brk--)
				;
			if (brk == p)
				brk = strchr(p + width, ' ');
			if (brk != NULL)
				end = brk;
		}
		fprintf(out, "%*s%.*s\n", indent, "", (int)(end - p), p);
		for (p = end; *p == ' '; p++)
			;
	}
}

static void
text_source(FILE *out, const struct rsrc *s)
{
	char a[GG_ADDRSTRLEN], t1[32], t2[32], say[1024];
	uint32_t t = report_techs(s);
	struct report_source v;
	unsigned i;

	gg_addr_fmt(&s->addr, a);
	fprintf(out, "\n%s  %s%s", a, s->class == ENGINE_SCANNER ? "SCANNER" :
	    s->class == ENGINE_POLICY ? "POLICY" : "benign",
	    s->trusted ? " (trusted server)" : "");
	if (rsrc_tool(s))
		fprintf(out, "  tool: %s", rsrc_tool(s));
	fputc('\n', out);
	source_view(s, &v);
	report_sentence(&v, say, sizeof(say));
	text_wrap(out, 4, say, 72);
	for (i = 0; i < s->nsigs; i++)
		fprintf(out, "    %s %s (signature %s, confidence %u, "
		    "kind %s)\n", s->class == ENGINE_SCANNER ? "evidence:" :
		    "resembles:", s->sigs[i]->evidence, s->sigs[i]->name,
		    s->sigs[i]->confidence, sig_kind_name(s->sigs[i]->kind));
	if (s->ua[0])
		fprintf(out, "    user-agent: \"%s\"\n", s->ua);
	for (i = 0; i < ENGINE_T_COUNT; i++)
		if (t & (1u << i) && (1u << i) != ENGINE_T_POLICY)
			fprintf(out, "    %-15s %s\n",
			    engine_tech_name((enum engine_tech)(1u << i)),
			    report_tech_explain((enum engine_tech)(1u << i)));
	if (s->policy)
		fprintf(out, "    policy          %llu %s refused: %s\n",
		    (unsigned long long)s->policy, plural(s->policy,
		    "request", "requests"), policy_rule_name(s->last_policy));
	text_list(out, "extensions tried", &s->users);
	text_list(out, "hosts tried", &s->hosts);
	if (s->auth)
		fprintf(out, "    passwords tried: %llu\n",
		    (unsigned long long)s->auth);
	text_list(out, "passwords read from its SIPVicious tags",
	    &s->passwords);
	if (s->found.n) {
		text_list(out, "extensions the answers revealed", &s->found);
		if (s->found_dropped)
			fprintf(out, "    (ghostguard would have dropped %llu "
			    "of those answers)\n",
			    (unsigned long long)s->found_dropped);
	}
	fmt_time(s->first_ns, t1, sizeof(t1));
	fmt_time(s->last_ns, t2, sizeof(t2));
	fprintf(out, "    packets %llu sent (%llu dropped), %llu %s to it "
	    "(%llu dropped)", (unsigned long long)s->packets,
	    (unsigned long long)s->dropped_sent,
	    (unsigned long long)s->answers,
	    plural(s->answers, "answer", "answers"),
	    (unsigned long long)(s->dropped - s->dropped_sent));
	if (s->detected_at)
		fprintf(out, "; detected at its packet %llu",
		    (unsigned long long)s->detected_at);
	if (s->banned_at)
		fprintf(out, "; banned at its packet %llu",
		    (unsigned long long)s->banned_at);
	fprintf(out, "\n    seen %s to %s\n", t1, t2);
}

void
report_text(struct report *r, FILE *out, const char *files)
{
	struct report_summary sum;
	struct counts c;
	struct rsrc **v = sorted(r, &c);
	char say[512];
	size_t i;

	if (v == NULL)
		return;
	summary_fill(r, v, &c, &sum);
	fprintf(out, "ghostguard analyze: %s\n", files);
	fprintf(out, "%llu SIP %s (%llu malformed) from %zu %s: %zu %s, %zu "
	    "policy %s, %zu benign\n", (unsigned long long)r->tot.sip,
	    plural(r->tot.sip, "message", "messages"),
	    (unsigned long long)r->tot.malformed, r->n,
	    plural(r->n, "source", "sources"), c.k[ENGINE_SCANNER],
	    plural(c.k[ENGINE_SCANNER], "scanner", "scanners"),
	    c.k[ENGINE_POLICY], plural(c.k[ENGINE_POLICY], "offender",
	    "offenders"), c.k[ENGINE_BENIGN]);
	fprintf(out, "inline, ghostguard would have dropped %llu %s and "
	    "banned %zu %s\n", (unsigned long long)r->tot.dropped,
	    plural(r->tot.dropped, "packet", "packets"), c.banned,
	    plural(c.banned, "source", "sources"));
	report_summary_sentence(&sum, say, sizeof(say));
	text_wrap(out, 0, say, 76);
	for (i = 0; i < r->n; i++)
		text_source(out, v[i]);
	if (r->tot.sources_untracked)
		fprintf(out, "\n%llu %s from about %llu further %s %s "
		    "counted above but not described (--max-sources %zu)\n",
		    (unsigned long long)r->tot.sources_untracked,
		    plural(r->tot.sources_untracked, "packet", "packets"),
		    (unsigned long long)others_estimate(r),
		    plural(others_estimate(r), "source", "sources"),
		    plural(r->tot.sources_untracked, "is", "are"), r->max);
	free(v);
}

static void
json_str(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

static void
json_list(FILE *out, const char *key, const struct strlist *l)
{
	unsigned i;

	fprintf(out, ",\"%s\":[", key);
	for (i = 0; i < l->n; i++) {
		if (i)
			fputc(',', out);
		json_str(out, l->v[i]);
	}
	fprintf(out, "],\"%s_count\":%llu,\"%s_estimated\":%s", key,
	    (unsigned long long)strlist_total(l), key, l->over ? "true" :
	    "false");
}

static void
json_source(FILE *out, const struct rsrc *s)
{
	char a[GG_ADDRSTRLEN], t[32];
	uint32_t tech = report_techs(s);
	unsigned i, n = 0;

	fprintf(out, "{\"address\":\"%s\",\"class\":\"%s\",\"trusted\":%s,"
	    "\"tool\":", gg_addr_fmt(&s->addr, a),
	    engine_class_name(s->class), s->trusted ? "true" : "false");
	if (rsrc_tool(s))
		json_str(out, rsrc_tool(s));
	else
		fputs("null", out);
	fputs(",\"evidence\":[", out);
	for (i = 0; i < s->nsigs; i++) {
		const struct sig *g = s->sigs[i];

		fprintf(out, "%s{\"signature\":", i ? "," : "");
		json_str(out, g->name);
		fprintf(out, ",\"tool\":");
		json_str(out, g->tool);
		fprintf(out, ",\"confidence\":%u,\"kind\":\"%s\",\"text\":",
		    g->confidence, sig_kind_name(g->kind));
		json_str(out, g->evidence);
		fputc('}', out);
	}
	fputs("],\"techniques\":[", out);
	for (i = 0; i < ENGINE_T_COUNT; i++)
		if (tech & (1u << i))
			fprintf(out, "%s\"%s\"", n++ ? "," : "",
			    engine_tech_name((enum engine_tech)(1u << i)));
	fputs("],\"user_agent\":", out);
	if (s->ua[0])
		json_str(out, s->ua);
	else
		fputs("null", out);
	fprintf(out, ",\"packets\":%llu,\"answers\":%llu,\"dropped\":%llu,"
	    "\"dropped_sent\":%llu,\"dropped_answers\":%llu,"
	    "\"banned\":%s,\"banned_at_packet\":",
	    (unsigned long long)s->packets, (unsigned long long)s->answers,
	    (unsigned long long)s->dropped,
	    (unsigned long long)s->dropped_sent,
	    (unsigned long long)(s->dropped - s->dropped_sent),
	    s->banned_at ? "true" : "false");
	if (s->banned_at)
		fprintf(out, "%llu", (unsigned long long)s->banned_at);
	else
		fputs("null", out);
	fputs(",\"detected_at_packet\":", out);
	if (s->detected_at)
		fprintf(out, "%llu", (unsigned long long)s->detected_at);
	else
		fputs("null", out);
	json_list(out, "extensions", &s->users);
	json_list(out, "hosts", &s->hosts);
	json_list(out, "found", &s->found);
	json_list(out, "passwords", &s->passwords);
	fprintf(out, ",\"passwords_tried\":%llu,\"malformed\":%llu,"
	    "\"policy_violations\":%llu",
	    (unsigned long long)s->auth, (unsigned long long)s->malformed,
	    (unsigned long long)s->policy);
	fmt_time(s->first_ns, t, sizeof(t));
	fprintf(out, ",\"first_seen\":\"%s\"", t);
	fmt_time(s->last_ns, t, sizeof(t));
	fprintf(out, ",\"last_seen\":\"%s\"}", t);
}

void
report_json(struct report *r, FILE *out, const char *files)
{
	struct counts c;
	struct rsrc **v = sorted(r, &c);
	size_t i;

	if (v == NULL)
		return;
	fputs("{\"files\":", out);
	json_str(out, files);
	fputs(",\"sources\":[", out);
	for (i = 0; i < r->n; i++) {
		if (i)
			fputc(',', out);
		fputc('\n', out);
		json_source(out, v[i]);
	}
	fprintf(out, "],\n\"summary\":{\"payloads\":%llu,\"sip_messages\":%llu,"
	    "\"malformed\":%llu,\"sources\":%zu,\"scanners\":%zu,"
	    "\"policy\":%zu,\"benign\":%zu,\"dropped\":%llu,\"banned\":%zu,"
	    "\"packets_not_described\":%llu,"
	    "\"sources_not_described\":%llu}}\n",
	    (unsigned long long)r->tot.payloads,
	    (unsigned long long)r->tot.sip,
	    (unsigned long long)r->tot.malformed, r->n, c.k[ENGINE_SCANNER],
	    c.k[ENGINE_POLICY], c.k[ENGINE_BENIGN],
	    (unsigned long long)r->tot.dropped, c.banned,
	    (unsigned long long)r->tot.sources_untracked,
	    (unsigned long long)(r->tot.sources_untracked ?
	    others_estimate(r) : 0));
	free(v);
}
