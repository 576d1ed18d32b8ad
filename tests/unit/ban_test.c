/*
 * ban_test.c - the ban manager and its state file, with a recording
 * backend in place of the kernel.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../lib/t.h"
#include "../../src/ban/ban.h"

#define NS	1000000000ULL
#define T0	(1700000000ULL * NS)	/* a whole second */

/* A test double of struct ban_backend: remembers what it was given. */
struct recorder {
	int		 calls_add, calls_del, calls_replace;
	size_t		 nlast;		/* elements in the latest add/del */
	struct ban_item	 last[4];	/* its first elements */
	struct ban_item	*repl;		/* the latest replace(), copied */
	size_t		 nrepl;
	bool		 fail;		/* refuse everything */
};

static int
rec_batch(struct recorder *r, const struct ban_item *v, size_t n)
{
	r->nlast = n;
	memcpy(r->last, v, (n < 4 ? n : 4) * sizeof(*v));
	return r->fail ? -1 : 0;
}

static int
rec_add(void *ctx, const struct ban_item *v, size_t n)
{
	((struct recorder *)ctx)->calls_add++;
	return rec_batch(ctx, v, n);
}

static int
rec_del(void *ctx, const struct ban_item *v, size_t n)
{
	((struct recorder *)ctx)->calls_del++;
	return rec_batch(ctx, v, n);
}

static int
rec_replace(void *ctx, const struct ban_item *v, size_t n)
{
	struct recorder *r = ctx;

	r->calls_replace++;
	free(r->repl);
	r->repl = malloc((n ? n : 1) * sizeof(*v));
	if (n)
		memcpy(r->repl, v, n * sizeof(*v));
	r->nrepl = n;
	return r->fail ? -1 : 0;
}

static void
rec_free(void *ctx)
{
	struct recorder *r = ctx;

	free(r->repl);
	memset(r, 0, sizeof(*r));
}

/* A malloc'd backend around r, as ban_backend_free() expects. */
static struct ban_backend *
recorder_new(struct recorder *r)
{
	struct ban_backend *be = calloc(1, sizeof(*be));

	memset(r, 0, sizeof(*r));
	be->name = "recorder";
	be->ctx = r;
	be->add = rec_add;
	be->del = rec_del;
	be->replace = rec_replace;
	be->free = rec_free;
	return be;
}

static struct gg_addr
A(const char *s)
{
	struct gg_addr a;

	if (gg_addr_parse(s, &a) != 0)
		abort();
	return a;
}

static enum ban_rc
add(struct ban *b, const char *s, uint64_t now, struct ban_entry *out)
{
	struct gg_addr a = A(s);

	return ban_add(b, &a, a.family == AF_INET ? 32 : 128, now, "scan",
	    "sipvicious", false, 0, 0, out);
}

static enum ban_rc
probation(struct ban *b, const char *s, uint64_t now, struct ban_entry *out)
{
	struct gg_addr a = A(s);

	return ban_add(b, &a, a.family == AF_INET ? 32 : 128, now, "weak",
	    "", true, 0, 0, out);
}

static const struct ban_entry *
find(struct ban *b, const char *s, uint8_t plen)
{
	struct gg_addr a = A(s);

	return ban_find(b, &a, plen);
}

static const struct ban_entry *
lookup(struct ban *b, const char *s, uint64_t now)
{
	struct gg_addr a = A(s);

	return ban_lookup(b, &a, now);
}

static struct ban *
manager(struct ban_conf *c, struct ban_backend *be, struct ban_state *st)
{
	struct ban_conf d;
	struct ban *b;

	if (c == NULL) {
		ban_conf_default(&d);
		c = &d;
	}
	if ((b = ban_new(c, be, st)) == NULL)
		abort();
	return b;
}

static void
test_ladder(void)
{
	struct ban *b = manager(NULL, NULL, NULL);
	static const uint32_t want[] = { 600, 3600, 86400, 604800, 604800 };
	struct ban_entry e;
	uint64_t now = T0;
	size_t i;

	for (i = 0; i < GG_NELEM(want); i++) {
		enum ban_rc rc = add(b, "192.0.2.1", now, &e);

		T_OK(rc == BAN_OK && e.level == (i < 3 ? i : 3) &&
		    e.count == i + 1 &&
		    e.expires_ns == now + want[i] * NS,
		    "ban %zu lasts %u s (rc %s, level %u)", i + 1, want[i],
		    ban_rc_name(rc), e.level);
		now = e.expires_ns;
		T_OK(ban_tick(b, now, NULL, NULL) == 1 &&
		    lookup(b, "192.0.2.1", now) == NULL,
		    "ban %zu expires on time", i + 1);
		now += 10 * NS;
	}
	ban_free(b);
}

static void
test_decay(void)
{
	struct ban_conf c;
	struct ban *b;
	struct ban_entry e;
	uint64_t now = T0, end;

	ban_conf_default(&c);
	c.forget_s = 1000;
	b = manager(&c, NULL, NULL);
	add(b, "192.0.2.2", now, &e);			/* rung 0 */
	now = e.expires_ns + NS;
	add(b, "192.0.2.2", now, &e);			/* rung 1 */
	now = e.expires_ns + NS;
	add(b, "192.0.2.2", now, &e);			/* rung 2 */
	end = e.expires_ns;
	T_OK(e.level == 2, "three bans reach rung 2");
	/* Two forget_s after it ended: down two rungs, so the next is 1. */
	now = end + 2000 * NS;
	ban_tick(b, now, NULL, NULL);
	add(b, "192.0.2.2", now, &e);
	T_OK(e.level == 1 && e.expires_ns == now + 3600 * NS,
	    "after 2 x forget_s the next ban is rung 1 (%u)", e.level);
	/* One forget_s less one second: no rung forgotten yet. */
	now = e.expires_ns + 999 * NS;
	ban_tick(b, now, NULL, NULL);
	add(b, "192.0.2.2", now, &e);
	T_OK(e.level == 2, "before forget_s the ladder climbs on (%u)",
	    e.level);
	/* A rung-0 record is forgotten forget_s after its ban. */
	add(b, "192.0.2.3", now, &e);
	end = e.expires_ns;
	ban_tick(b, end + 999 * NS, NULL, NULL);
	T_OK(find(b, "192.0.2.3", 32) != NULL, "history kept until forget_s");
	ban_tick(b, end + 1000 * NS, NULL, NULL);
	T_OK(find(b, "192.0.2.3", 32) == NULL &&
	    ban_stats(b)->forgotten == 1, "then forgotten");
	ban_free(b);
}

static void
test_probation(void)
{
	struct ban *b = manager(NULL, NULL, NULL);
	struct ban_entry e;
	uint64_t now = T0;
	char k[48];

	T_OK(probation(b, "192.0.2.10", now, &e) == BAN_OK &&
	    (e.flags & BAN_F_PROBATION) && e.count == 0 && e.level == 0 &&
	    e.expires_ns == now + 60 * NS, "probation: 60 s, off the ladder");
	T_OK(!strcmp(ban_kind(&e, k, sizeof(k)), "probation"),
	    "kind: probation (not ban #0)");
	T_OK(probation(b, "192.0.2.10", now, &e) == BAN_EXISTS,
	    "a second probation at once: exists");
	T_OK(add(b, "192.0.2.10", now + NS, &e) == BAN_OK &&
	    !(e.flags & BAN_F_PROBATION) && e.count == 1 && e.level == 0 &&
	    e.expires_ns == now + 601 * NS,
	    "a real ban replaces the probation");
	T_OK(!strcmp(ban_kind(&e, k, sizeof(k)), "ban #1"), "kind: ban #1");
	now = e.expires_ns + NS;
	ban_tick(b, now, NULL, NULL);
	T_OK(probation(b, "192.0.2.10", now, &e) == BAN_OK && e.level == 0 &&
	    e.count == 1, "a probation of an offender keeps its rung");
	T_OK(!strcmp(ban_kind(&e, k, sizeof(k)), "probation after 1 ban"),
	    "kind: probation after 1 ban");
	now = e.expires_ns + NS;
	ban_tick(b, now, NULL, NULL);
	T_OK(add(b, "192.0.2.10", now, &e) == BAN_OK && e.level == 1 &&
	    e.count == 2, "the next real ban climbs one rung, not two");
	T_OK(ban_stats(b)->bans == 4 && ban_stats(b)->probations == 2,
	    "stats: 4 bans made, 2 of them probations");
	ban_free(b);
}

static void
test_exists(void)
{
	struct ban *b = manager(NULL, NULL, NULL);
	struct gg_addr a = A("192.0.2.20");
	struct ban_entry e;

	add(b, "192.0.2.20", T0, &e);
	T_OK(add(b, "192.0.2.20", T0, &e) == BAN_EXISTS,
	    "the same ban again: exists");
	T_OK(ban_add(b, &a, 32, T0 + NS, "", "", false, 10, BAN_F_MANUAL,
	    &e) == BAN_EXISTS, "a shorter manual ban: exists");
	T_OK(add(b, "192.0.2.20", T0 + 100 * NS, &e) == BAN_OK &&
	    e.expires_ns == T0 + 700 * NS && e.level == 0 && e.count == 1,
	    "later: lengthened, same rung and count");
	T_OK(ban_add(b, &a, 32, T0 + 100 * NS, "", "", false, UINT32_MAX,
	    BAN_F_MANUAL, &e) == BAN_OK && e.expires_ns == UINT64_MAX &&
	    (e.flags & BAN_F_MANUAL), "UINT32_MAX: for ever");
	T_OK(ban_tick(b, T0 + 1000000 * NS, NULL, NULL) == 0 &&
	    lookup(b, "192.0.2.20", T0 + 1000000 * NS) != NULL,
	    "and it never expires");
	ban_free(b);
}

static void
test_rate(void)
{
	struct ban_conf c;
	struct ban *b;
	struct gg_addr m = A("203.0.113.99");
	char s[32];
	int i, ok = 0;

	ban_conf_default(&c);
	c.max_per_min = 5;
	b = manager(&c, NULL, NULL);
	for (i = 0; i < 5; i++) {
		snprintf(s, sizeof(s), "203.0.113.%d", i + 1);
		ok += add(b, s, T0 + (uint64_t)i * NS, NULL) == BAN_OK;
	}
	T_OK(ok == 5, "5 bans in a minute of 5");
	T_OK(add(b, "203.0.113.50", T0 + 10 * NS, NULL) == BAN_ERATE &&
	    ban_stats(b)->rc[BAN_ERATE] == 1, "the 6th: rate, counted");
	T_OK(ban_add(b, &m, 32, T0 + 10 * NS, "ctl", "", false, 60,
	    BAN_F_MANUAL, NULL) == BAN_OK, "a manual ban is not capped");
	T_OK(add(b, "203.0.113.50", T0 + 59 * NS, NULL) == BAN_ERATE,
	    "still refused 59 s after the first");
	T_OK(add(b, "203.0.113.50", T0 + 60 * NS, NULL) == BAN_OK,
	    "60 s after the first, one more fits");
	T_OK(add(b, "203.0.113.51", T0 + 60 * NS, NULL) == BAN_ERATE,
	    "but only one");
	T_OK(add(b, "203.0.113.51", T0 + 200 * NS, NULL) == BAN_OK,
	    "a quiet minute later, room again");
	ban_free(b);
}

static void
test_max_bans(void)
{
	struct ban_conf c;
	struct ban *b;

	ban_conf_default(&c);
	c.max_bans = 3;
	b = manager(&c, NULL, NULL);
	add(b, "198.18.0.1", T0, NULL);
	add(b, "198.18.0.2", T0, NULL);
	T_OK(add(b, "198.18.0.3", T0, NULL) == BAN_OK &&
	    ban_stats(b)->active == 3, "3 active bans of 3");
	T_OK(add(b, "198.18.0.4", T0, NULL) == BAN_EFULL &&
	    ban_stats(b)->rc[BAN_EFULL] == 1, "the 4th: full");
	T_OK(add(b, "198.18.0.1", T0 + 10 * NS, NULL) == BAN_OK,
	    "lengthening is not a new ban");
	ban_tick(b, T0 + 600 * NS, NULL, NULL);
	T_OK(add(b, "198.18.0.4", T0 + 600 * NS, NULL) == BAN_OK,
	    "after expiries, room again");
	ban_free(b);
}

static void
test_v6_aggregation(void)
{
	struct recorder r;
	struct ban_backend *be = recorder_new(&r);
	struct ban *b = manager(NULL, be, NULL);
	struct gg_addr trusted = A("2001:db8:2::5");
	uint8_t plen = 128;
	struct ban_entry e;
	const struct ban_entry *p;

	add(b, "2001:db8:1::1", T0, NULL);
	add(b, "2001:db8:1::2", T0, NULL);
	probation(b, "2001:db8:1::3", T0, NULL);
	T_OK(find(b, "2001:db8:1::", 64) == NULL && r.nlast == 1,
	    "2 banned + 1 on probation in a /64: no prefix");
	T_OK(add(b, "2001:db8:1::4", T0 + NS, &e) == BAN_OK && r.nlast == 2 &&
	    r.last[1].plen == 64 && r.last[1].timeout_s == 600,
	    "the 3rd real ban: the /64 in the same batch");
	p = find(b, "2001:db8:1::", 64);
	T_OK(p && (p->flags & BAN_F_PREFIX) && p->expires_ns > T0 &&
	    ban_stats(b)->active_prefix == 1, "the prefix is a ban");
	p = lookup(b, "2001:db8:1::99", T0 + 2 * NS);
	T_OK(p && p->plen == 64, "lookup finds it for another host");
	T_OK(add(b, "2001:db8:1::99", T0 + NS, NULL) == BAN_EXISTS,
	    "a host under the prefix, no longer than it: exists");
	T_OK(add(b, "2001:db8:3::1", T0, NULL) == BAN_OK &&
	    add(b, "2001:db8:3::2", T0, NULL) == BAN_OK &&
	    find(b, "2001:db8:3::", 64) == NULL,
	    "another /64 counts its own hosts");
	ban_set_never(b, NULL, NULL, 0, &trusted, 1);
	add(b, "2001:db8:2::1", T0, NULL);
	add(b, "2001:db8:2::2", T0, NULL);
	add(b, "2001:db8:2::3", T0, NULL);
	T_OK(find(b, "2001:db8:2::", 64) == NULL,
	    "never a prefix over a never-ban host");
	(void)plen;
	ban_free(b);
	ban_backend_free(be);
}

static void
test_never(void)
{
	struct ban *b = manager(NULL, NULL, NULL);
	struct gg_addr nets[2] = { A("198.51.100.0"), A("2001:db8:77::") };
	uint8_t plens[2] = { 24, 48 };
	struct gg_addr self = A("192.0.2.254"), a;
	static const char *refused[] = {
		"127.0.0.1", "127.255.1.2", "::1", "::ffff:127.0.0.1",
		"192.0.2.254", "198.51.100.7", "2001:db8:77:1::1",
	};
	size_t i;
	int n = 0;

	ban_set_never(b, nets, plens, 2, &self, 1);
	for (i = 0; i < GG_NELEM(refused); i++)
		n += add(b, refused[i], T0, NULL) == BAN_ETRUST;
	T_OK(n == (int)GG_NELEM(refused) &&
	    ban_stats(b)->rc[BAN_ETRUST] == GG_NELEM(refused),
	    "loopback, self and never-ban nets refused and counted");
	a = A("198.51.0.0");
	T_OK(ban_add(b, &a, 16, T0, "", "", false, 60, BAN_F_MANUAL, NULL) ==
	    BAN_ETRUST && ban_is_never(b, &a, 16),
	    "a prefix covering a never-ban net is refused");
	a = A("10.0.0.0");
	T_OK(!ban_is_never(b, &a, 8), "10/8 may be banned");
	a = A("0.0.0.0");
	T_OK(ban_is_never(b, &a, 0), "0/0 covers loopback");
	T_OK(add(b, "198.51.101.1", T0, NULL) == BAN_OK,
	    "the next /24 may be banned");
	memset(&a, 0, sizeof(a));
	T_OK(ban_add(b, &a, 32, T0, "", "", false, 0, 0, NULL) == BAN_ETRUST,
	    "an address of no family is refused");
	T_OK(ban_never_which(b, &a, 32, NULL, NULL) == BAN_NEVER_FAMILY,
	    "which: no family");
	ban_free(b);
}

/* ban_never_which() names the entry a refused address or prefix hits. */
static void
test_never_which(void)
{
	static const struct {
		const char	*addr;
		uint8_t		 plen;
		enum ban_never	 kind;
		const char	*net;		/* the entry named */
		uint8_t		 nplen;
	} cases[] = {
		{ "127.0.0.1", 32, BAN_NEVER_LOOPBACK, "127.0.0.0", 8 },
		{ "0.0.0.0", 0, BAN_NEVER_LOOPBACK, "127.0.0.0", 8 },
		{ "::1", 128, BAN_NEVER_LOOPBACK, "::1", 128 },
		{ "198.51.100.7", 32, BAN_NEVER_NET, "198.51.100.0", 24 },
		{ "198.51.0.0", 16, BAN_NEVER_NET, "198.51.100.0", 24 },
		{ "198.51.100.128", 25, BAN_NEVER_NET, "198.51.100.0", 24 },
		{ "203.0.113.0", 24, BAN_NEVER_NET, "203.0.113.5", 32 },
		{ "2001:db8::", 32, BAN_NEVER_NET, "2001:db8:77::", 48 },
		{ "192.0.2.254", 32, BAN_NEVER_SELF, "192.0.2.254", 32 },
		{ "192.0.2.0", 24, BAN_NEVER_SELF, "192.0.2.254", 32 },
		{ "192.0.3.0", 24, BAN_NEVER_NO, NULL, 0 },
		{ "2001:db9::", 32, BAN_NEVER_NO, NULL, 0 },
	};
	struct ban *b = manager(NULL, NULL, NULL);
	struct gg_addr nets[3] = { A("198.51.100.0"), A("2001:db8:77::"),
	    A("203.0.113.5") };
	uint8_t plens[3] = { 24, 48, 32 }, nplen;
	struct gg_addr self = A("192.0.2.254"), a, net, want;
	size_t i;
	int bad = 0;

	ban_set_never(b, nets, plens, 3, &self, 1);
	for (i = 0; i < GG_NELEM(cases); i++) {
		enum ban_never k;

		a = A(cases[i].addr);
		nplen = 0;
		memset(&net, 0, sizeof(net));
		k = ban_never_which(b, &a, cases[i].plen, &net, &nplen);
		if (k != cases[i].kind) {
			printf("# %s/%u: kind %d, not %d\n", cases[i].addr,
			    cases[i].plen, k, cases[i].kind);
			bad++;
			continue;
		}
		if (cases[i].net == NULL)
			continue;
		want = A(cases[i].net);
		if (nplen != cases[i].nplen || memcmp(&net, &want,
		    sizeof(net))) {
			printf("# %s/%u: not %s/%u\n", cases[i].addr,
			    cases[i].plen, cases[i].net, cases[i].nplen);
			bad++;
		}
	}
	T_OK(bad == 0, "which: loopback, never-ban nets and the host's "
	    "addresses, inside and covered, named by their entry");
	ban_free(b);
}

static void
test_del(void)
{
	struct recorder r;
	struct ban_backend *be = recorder_new(&r);
	struct ban *b = manager(NULL, be, NULL);
	struct gg_addr a = A("192.0.2.30");
	const struct ban_entry *e;

	add(b, "192.0.2.30", T0, NULL);
	T_OK(ban_del(b, &a, 32, T0 + NS) == BAN_OK && r.calls_del == 1 &&
	    r.nlast == 1 && gg_addr_eq(&r.last[0].addr, &a),
	    "unban: the backend deletes the element");
	T_OK(lookup(b, "192.0.2.30", T0 + NS) == NULL &&
	    ban_stats(b)->unbans == 1 && ban_stats(b)->active == 0,
	    "no longer banned");
	e = find(b, "192.0.2.30", 32);
	T_OK(e && e->count == 1 && e->expires_ns == 0, "history stays");
	T_OK(ban_del(b, &a, 32, T0 + NS) == BAN_ENOENT, "again: not banned");
	ban_free(b);
	ban_backend_free(be);
}

struct tally {
	int		n;
	char		last[GG_ADDRSTRLEN];
};

static void
tally_one(void *arg, const struct ban_entry *e)
{
	struct tally *t = arg;

	t->n++;
	gg_addr_fmt(&e->addr, t->last);
}

static void
test_tick(void)
{
	struct ban *b = manager(NULL, NULL, NULL);
	struct gg_addr a = A("192.0.2.42");
	struct tally t = { 0, "" };

	add(b, "192.0.2.40", T0, NULL);
	add(b, "192.0.2.41", T0, NULL);
	ban_add(b, &a, 32, T0, "", "", false, 30, BAN_F_MANUAL, NULL);
	T_OK(ban_tick(b, T0 + 29 * NS, tally_one, &t) == 0 && t.n == 0,
	    "nothing due at 29 s");
	T_OK(ban_tick(b, T0 + 30 * NS, tally_one, &t) == 1 && t.n == 1 &&
	    strcmp(t.last, "192.0.2.42") == 0, "the 30 s ban at 30 s");
	T_OK(ban_tick(b, T0 + 700 * NS, tally_one, &t) == 2 && t.n == 3 &&
	    ban_stats(b)->expired == 3 && ban_stats(b)->active == 0,
	    "the others at 600 s, counted");
	ban_free(b);
}

static void
put_hist(struct ban *b, const char *s, uint64_t last, uint64_t expires)
{
	struct ban_entry e;

	memset(&e, 0, sizeof(e));
	e.addr = A(s);
	e.plen = e.addr.family == AF_INET ? 32 : 128;
	e.count = 1;
	e.since_ns = e.last_ns = last;
	e.expires_ns = expires;
	e.reason = e.tool = "";
	if (ban_put(b, &e) != BAN_OK)
		abort();
}

static void
test_evict(void)
{
	struct ban_conf c;
	struct ban *b;
	char s[32];
	uint64_t records;
	int i;

	ban_conf_default(&c);
	c.max_bans = 4;
	b = manager(&c, NULL, NULL);
	add(b, "192.0.2.1", T0, NULL);
	add(b, "192.0.2.2", T0, NULL);
	/* History, oldest first; fill the table until it evicts. */
	for (i = 0; ; i++) {
		records = ban_stats(b)->records;
		snprintf(s, sizeof(s), "10.0.%d.%d", i / 250, i % 250 + 1);
		put_hist(b, s, T0 - 100000 * NS + (uint64_t)i * NS, 0);
		if (ban_stats(b)->records == records)
			break;
	}
	T_OK(ban_stats(b)->evicted == 1 && find(b, "10.0.0.1", 32) == NULL &&
	    find(b, "10.0.0.2", 32) != NULL,
	    "a full table evicts the oldest history (%d records)", i);
	T_OK(lookup(b, "192.0.2.1", T0) && lookup(b, "192.0.2.2", T0),
	    "active bans are never evicted");
	ban_free(b);
	/* A table of nothing but bans has nothing to evict. */
	b = manager(&c, NULL, NULL);
	for (i = 0; i < 1000; i++) {
		struct ban_entry e;

		memset(&e, 0, sizeof(e));
		snprintf(s, sizeof(s), "10.1.%d.%d", i / 250, i % 250 + 1);
		e.addr = A(s);
		e.plen = 32;
		e.expires_ns = T0 + 600 * NS;
		e.reason = e.tool = "";
		if (ban_put(b, &e) != BAN_OK)
			break;
	}
	T_OK(i < 1000 && ban_stats(b)->active == (uint64_t)i,
	    "a table full of bans: ENOMEM, nothing evicted (%d)", i);
	ban_free(b);
}

static void
test_backend(void)
{
	struct recorder r;
	struct ban_backend *be = recorder_new(&r);
	struct ban *b = manager(NULL, be, NULL);
	struct gg_addr a = A("192.0.2.51");
	struct ban_entry e;
	size_t i;
	int good = 0;

	T_OK(add(b, "192.0.2.50", T0, &e) == BAN_OK && r.calls_add == 1 &&
	    r.nlast == 1 && r.last[0].plen == 32 &&
	    r.last[0].timeout_s == 600, "a ban: one element, 600 s");
	add(b, "192.0.2.51", T0, NULL);
	add(b, "2001:db8:9::1", T0, NULL);
	ban_add(b, &a, 32, T0, "", "", false, 0, 0, NULL);
	ban_del(b, &a, 32, T0);
	ban_add(b, &a, 32, T0, "", "", false, 10, BAN_F_MANUAL, NULL);
	r.fail = true;
	T_OK(add(b, "192.0.2.52", T0, NULL) == BAN_EBACKEND &&
	    lookup(b, "192.0.2.52", T0) != NULL && ban_dirty(b) &&
	    ban_stats(b)->backend_errors == 1,
	    "a refused batch: EBACKEND, the ban kept, dirty");
	T_OK(ban_sync(b, T0 + NS) == -1 && ban_dirty(b),
	    "a refused sync stays dirty");
	r.fail = false;
	/* At T0 + 100.5 s: the 10 s ban is gone, 499.5 s round up. */
	T_OK(ban_sync(b, T0 + 100 * NS + NS / 2) == 0 && !ban_dirty(b) &&
	    r.calls_replace == 2 && r.nrepl == 3,
	    "sync: one replace() with the 3 active bans (%zu)", r.nrepl);
	for (i = 0; i < r.nrepl; i++)
		good += r.repl[i].timeout_s == 500;
	T_OK(good == 3, "each with its remaining time rounded up");
	ban_free(b);
	ban_backend_free(be);
}

static void
test_misc(void)
{
	struct ban_conf c;
	struct ban *b;
	struct ban_entry e;
	char s[32];
	int i;

	T_OK(strcmp(ban_rc_name(BAN_ERATE), "rate") == 0 &&
	    strcmp(ban_rc_name((enum ban_rc)99), "?") == 0, "ban_rc_name");
	ban_conf_default(&c);
	b = manager(&c, NULL, NULL);
	T_OK(ban_memory(b) / 1000000 <= 80,
	    "1M max_bans: %zu bytes, at most 80 a ban", ban_memory(b));
	c.probation_s = 0;
	c.max_per_min = 0;
	ban_reconf(b, &c);
	T_OK(probation(b, "192.0.2.60", T0, NULL) == BAN_EXISTS &&
	    lookup(b, "192.0.2.60", T0) == NULL,
	    "probation_s 0: nothing banned");
	for (i = 0; i < 5000; i++) {
		struct gg_addr a;

		snprintf(s, sizeof(s), "reason %d", i);
		a = A("10.9.0.0");
		a.a[2] = (uint8_t)(i >> 8);
		a.a[3] = (uint8_t)i;
		ban_add(b, &a, 32, T0, s, "t", false, 0, 0, &e);
	}
	T_OK(strcmp(e.reason, "other") == 0 &&
	    strcmp(find(b, "10.9.0.1", 32)->reason, "reason 1") == 0,
	    "reasons past the intern table read 'other'");
	c.max_bans = 3000000;
	c.v6_plen = 48;
	ban_reconf(b, &c);
	T_OK(find(b, "10.9.0.1", 32) != NULL &&
	    ban_memory(b) > 3000000 * 48, "a larger max_bans grows the table");
	add(b, "2001:db8:a:1::1", T0, NULL);
	add(b, "2001:db8:a:2::1", T0, NULL);
	add(b, "2001:db8:a:3::1", T0, NULL);
	T_OK(find(b, "2001:db8:a::", 48) != NULL,
	    "a new v6_plen aggregates by /48");
	ban_free(b);
}

/* --- the state file ----------------------------------------------------- */

/* s on one line, for a test's description. */
static const char *
flat(const char *s)
{
	static char buf[256];
	size_t i;

	for (i = 0; s && s[i] && i < sizeof(buf) - 1; i++)
		buf[i] = s[i] == '\n' ? '|' : s[i];
	buf[i] = '\0';
	return buf;
}

static char tmpdir[] = "/tmp/ban_test.XXXXXX";

static void
path_of(char *buf, size_t sz, const char *name)
{
	snprintf(buf, sz, "%s/%s", tmpdir, name);
}

/* True when every record of a is in b, the same. */
struct cmp {
	struct ban	*other;
	int		 diff;
};

static void
cmp_one(void *arg, const struct ban_entry *e)
{
	struct cmp *c = arg;
	const struct ban_entry *o = ban_find(c->other, &e->addr, e->plen);

	if (o == NULL || o->level != e->level || o->flags != e->flags ||
	    o->count != e->count || o->since_ns != e->since_ns ||
	    o->expires_ns != e->expires_ns || o->last_ns != e->last_ns ||
	    strcmp(o->reason, e->reason) || strcmp(o->tool, e->tool))
		c->diff++;
}

static int
same(struct ban *a, struct ban *b)
{
	struct cmp c = { b, 0 };

	ban_walk(a, false, cmp_one, &c);
	return c.diff + (ban_stats(a)->records != ban_stats(b)->records);
}

/* A few bans of every kind into b. */
static void
fill(struct ban *b, uint64_t now)
{
	struct gg_addr a = A("192.0.2.99");

	ban_add(b, &a, 32, now, "odd reason\twith \"tabs\"\nand \\ lines",
	    "-dash tool", false, 0, 0, NULL);
	add(b, "192.0.2.100", now, NULL);
	probation(b, "192.0.2.101", now, NULL);
	add(b, "2001:db8:5::1", now, NULL);
	add(b, "2001:db8:5::2", now, NULL);
	add(b, "2001:db8:5::3", now, NULL);	/* and its /64 */
	a = A("198.18.7.7");
	ban_add(b, &a, 32, now, "for ever", "", false, UINT32_MAX,
	    BAN_F_MANUAL, NULL);
	a = A("192.0.2.102");
	ban_add(b, &a, 32, now, "", "", false, 0, 0, NULL);
	ban_del(b, &a, 32, now);		/* history only */
}

static void
test_state_roundtrip(void)
{
	char path[256];
	struct ban_state *st;
	struct ban *a, *b;
	struct recorder r;
	struct ban_backend *be = recorder_new(&r);
	FILE *w;
	char *wbuf = NULL;
	size_t wlen = 0, i;
	int ok = 0;

	path_of(path, sizeof(path), "rt");
	st = ban_state_open(path);
	a = manager(NULL, NULL, st);
	fill(a, T0);
	T_OK(ban_state_journal_size(st) > 0, "changes went to the journal");
	T_OK(ban_state_save(st, a) == 0 && ban_state_journal_size(st) == 0,
	    "save: a snapshot, the journal emptied");
	ban_state_close(st);
	st = ban_state_open(path);
	b = manager(NULL, be, st);
	w = open_memstream(&wbuf, &wlen);
	T_OK(ban_state_load(st, b, T0 + 100 * NS, w) == 9 &&
	    same(a, b) == 0, "load: the same 9 records");
	fclose(w);
	T_OK(wlen == 0, "without a warning ('%s')", flat(wbuf));
	free(wbuf);
	T_OK(ban_stats(b)->active == 7 && ban_stats(b)->active_prefix == 1,
	    "7 bans in force, one a prefix");
	ban_sync(b, T0 + 100 * NS);
	for (i = 0; i < r.nrepl; i++)
		ok += r.repl[i].timeout_s == 500 ||
		    (r.repl[i].timeout_s == 0 && r.repl[i].addr.a[0] == 198);
	T_OK(r.nrepl == 7 && ok == 7,
	    "the remaining time survives a restart (%zu bans)", r.nrepl);
	ban_free(a);
	ban_free(b);
	ban_backend_free(be);
	ban_state_close(st);
}

static void
test_journal_replay(void)
{
	char path[256], jpath[300];
	struct ban_state *st;
	struct ban *a, *b;
	FILE *w;
	char *wbuf = NULL, *text;
	size_t wlen = 0, len;

	path_of(path, sizeof(path), "crash");
	snprintf(jpath, sizeof(jpath), "%s.journal", path);
	st = ban_state_open(path);
	a = manager(NULL, NULL, st);
	fill(a, T0);
	add(a, "192.0.2.100", T0 + 50 * NS, NULL);	/* lengthened */
	ban_state_close(st);				/* kill -9 */
	st = ban_state_open(path);
	b = manager(NULL, NULL, st);
	T_OK(ban_state_load(st, b, T0 + NS, NULL) > 0 && same(a, b) == 0,
	    "a journal without a snapshot replays every change");
	ban_free(b);
	ban_state_close(st);
	/* Cut the last line short, as a crash mid-write would. */
	text = t_slurp(jpath, &len);
	T_OK(text && truncate(jpath, (off_t)len - 5) == 0, "journal cut");
	free(text);
	st = ban_state_open(path);
	b = manager(NULL, NULL, st);
	w = open_memstream(&wbuf, &wlen);
	ban_state_load(st, b, T0 + NS, w);
	fclose(w);
	T_OK(wbuf && strstr(wbuf, ".journal:12: truncated last line") &&
	    find(b, "192.0.2.100", 32)->expires_ns == T0 + 600 * NS,
	    "the partial last line is skipped with a warning ('%s')",
	    flat(wbuf));
	free(wbuf);
	/* The next append starts on a line of its own. */
	add(b, "192.0.2.110", T0 + 2 * NS, NULL);
	ban_free(b);
	ban_state_close(st);
	st = ban_state_open(path);
	b = manager(NULL, NULL, st);
	ban_state_load(st, b, T0 + 3 * NS, NULL);
	T_OK(lookup(b, "192.0.2.110", T0 + 3 * NS) != NULL,
	    "a record appended after the damage loads");
	ban_free(a);
	ban_free(b);
	ban_state_close(st);
}

static void
test_corrupt(void)
{
	char path[256];
	struct ban_state *st;
	struct ban *a, *b;
	FILE *w;
	char *wbuf = NULL, *text, *p;
	size_t wlen = 0, len;
	int i, fd;

	path_of(path, sizeof(path), "corrupt");
	st = ban_state_open(path);
	a = manager(NULL, NULL, st);
	fill(a, T0);
	ban_state_save(st, a);
	/* Flip one byte in line 3. */
	text = t_slurp(path, &len);
	for (p = text, i = 1; i < 3; i++)
		p = strchr(p, '\n') + 1;
	p[2] ^= 1;
	fd = open(path, O_WRONLY | O_TRUNC);
	T_OK(write(fd, text, len) == (ssize_t)len, "line 3 damaged");
	close(fd);
	free(text);
	b = manager(NULL, NULL, st);
	w = open_memstream(&wbuf, &wlen);
	T_OK(ban_state_load(st, b, T0, w) == 8,
	    "the other 8 records load");
	fclose(w);
	T_OK(wbuf && strstr(wbuf, "/corrupt:3: bad checksum\n") &&
	    !strchr(strchr(wbuf, '\n') + 1, '\n'),
	    "one warning, naming file:line ('%s')", flat(wbuf));
	free(wbuf);
	ban_free(a);
	ban_free(b);
	ban_state_close(st);
}

static void
test_load_buf(void)
{
	static const struct {
		const char *text;
		long loaded;
		const char *warning;	/* NULL: none */
	} cases[] = {
		{ "", 0, NULL },
		{ "ghostguard-state 1\n", 0, NULL },
		{ "ghostguard-state 2\nx\n", 0, "t:1: unknown version" },
		{ "junk\n", 0, "t:1: no version header" },
		{ "ghostguard-state 1\n\n\n", 0, NULL },
		{ "ghostguard-state 1\n1.2.3.4/32 0 1 0 0 0 0 - - 00000000\n",
		    0, "t:2: bad checksum" },
	};
	char wbuf[512];
	size_t i;

	for (i = 0; i < GG_NELEM(cases); i++) {
		struct ban *b = manager(NULL, NULL, NULL);
		FILE *w;
		long n;

		memset(wbuf, 0, sizeof(wbuf));
		w = fmemopen(wbuf, sizeof(wbuf) - 1, "w");
		n = ban_state_load_buf(b, "t", cases[i].text,
		    strlen(cases[i].text), T0, w);
		fclose(w);
		T_OK(n == cases[i].loaded && (cases[i].warning ?
		    strstr(wbuf, cases[i].warning) != NULL : wbuf[0] == 0),
		    "load_buf case %zu ('%s')", i, flat(wbuf));
		ban_free(b);
	}
}

/* Lines built with a valid checksum around chosen fields. */
static void
test_fields(void)
{
	static const struct {
		const char *fields;
		const char *warning;	/* NULL: loads */
	} cases[] = {
		{ "192.0.2.1/32 0 1 0 1 never 1 - -", NULL },
		{ "192.0.2.1/33 0 1 0 1 0 1 - -", "bad address" },
		{ "192.0.2.1 0 1 0 1 0 1 - -", "bad address" },
		{ "192.0.2.1/32 256 1 0 1 0 1 - -", "bad level" },
		{ "192.0.2.1/32 0 1 8 1 0 1 - -", "bad level" },
		{ "192.0.2.1/32 0 1 0 x 0 1 - -", "bad time" },
		{ "192.0.2.1/32 0 1 0 1 99999999999999999 1 - -", "bad time" },
		{ "192.0.2.1/32 0 1 0 1 0 1 a\\x00 -", "bad reason" },
		{ "192.0.2.1/32 0 1 0 1 0 1 a\\x4 -", "bad reason" },
		{ "192.0.2.1/32 0 1 0 1 0 1 - - extra", "wrong number" },
		{ "192.0.2.1/32 0 1 0 1 0 1 -", "wrong number" },
		{ "192.0.2.1/32  0 1 0 1 0 1 - -", "wrong number" },
		{ "127.0.0.1/32 0 1 0 1 0 1 - -", "never-ban" },
	};
	char line[512], wbuf[512];
	size_t i;

	for (i = 0; i < GG_NELEM(cases); i++) {
		struct ban *b = manager(NULL, NULL, NULL);
		FILE *w;
		int n = snprintf(line, sizeof(line), "ghostguard-state 1\n%s",
		    cases[i].fields);
		const char *rec = line + 19;
		long got;

		memset(wbuf, 0, sizeof(wbuf));
		w = fmemopen(wbuf, sizeof(wbuf) - 1, "w");
		n += snprintf(line + n, sizeof(line) - (size_t)n, " %08x\n",
		    (uint32_t)gg_hash(rec, strlen(rec), 0));
		got = ban_state_load_buf(b, "f", line, (size_t)n, T0, w);
		fclose(w);
		T_OK(cases[i].warning ? got == 0 && strstr(wbuf,
		    cases[i].warning) != NULL : got == 1 && wbuf[0] == 0,
		    "field case '%s' (%s)", cases[i].fields, flat(wbuf));
		ban_free(b);
	}
}

static void
test_enospc(void)
{
	char path[256], tmp[300];
	struct ban_state *st;
	struct ban *b, *c;
	struct ban_entry e;

	path_of(path, sizeof(path), "full");
	st = ban_state_open_journal(path, "/dev/full");
	b = manager(NULL, NULL, st);
	T_OK(add(b, "192.0.2.70", T0, &e) == BAN_OK &&
	    lookup(b, "192.0.2.70", T0) != NULL,
	    "a full disk: the ban still in force");
	T_OK(ban_state_errors(st) == 1 && ban_stats(b)->state_errors == 1,
	    "and the journal error counted");
	ban_free(b);
	ban_state_close(st);
	/* A snapshot that cannot be written leaves the old state whole. */
	st = ban_state_open(path);
	b = manager(NULL, NULL, st);
	add(b, "192.0.2.70", T0, NULL);
	ban_state_save(st, b);
	add(b, "192.0.2.72", T0, NULL);	/* a journal line, no snapshot */
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	mkdir(tmp, 0700);		/* path.tmp cannot be a file */
	errno = 0;
	T_OK(ban_state_save(st, b) == -1 && errno == EISDIR &&
	    ban_state_journal_size(st) > 0 && ban_state_errors(st) == 1,
	    "a failed save: -1 with errno, the journal kept");
	rmdir(tmp);
	c = manager(NULL, NULL, st);
	ban_state_load(st, c, T0, NULL);
	T_OK(lookup(c, "192.0.2.70", T0) && lookup(c, "192.0.2.72", T0),
	    "the old snapshot and the journal still load");
	ban_free(b);
	ban_free(c);
	ban_state_close(st);
}

/* 1M bans saved and loaded back: works, not timed (see bench/). */
static void
test_million(void)
{
	char path[256];
	struct ban_state *st;
	struct ban *a, *b;
	struct ban_entry e;
	uint32_t i;
	int bad = 0;
	long n;

	path_of(path, sizeof(path), "million");
	st = ban_state_open(path);
	a = manager(NULL, NULL, st);
	memset(&e, 0, sizeof(e));
	e.count = 1;
	e.reason = "sipvicious";
	e.tool = "svwar";
	for (i = 0; i < 1000000; i++) {
		if (i % 2) {
			e.addr = A("2001:db8::");
			memcpy(e.addr.a + 12, &i, 4);
			e.plen = 128;
		} else {
			e.addr = A("10.0.0.0");
			e.addr.a[1] = (uint8_t)(i >> 16);
			e.addr.a[2] = (uint8_t)(i >> 8);
			e.addr.a[3] = (uint8_t)i;
			e.plen = 32;
		}
		e.since_ns = e.last_ns = T0;
		e.expires_ns = T0 + (600 + i % 3600) * NS;
		bad += ban_put(a, &e) != BAN_OK;
	}
	T_OK(bad == 0 && ban_stats(a)->active == 1000000,
	    "1M bans put into a manager for 1M");
	T_OK(ban_state_save(st, a) == 0, "saved");
	b = manager(NULL, NULL, st);
	n = ban_state_load(st, b, T0 + NS, NULL);
	T_OK(n == 1000000 && ban_stats(b)->active == 1000000 &&
	    lookup(b, "10.15.66.62", T0 + NS) != NULL,
	    "and loaded back (%ld)", n);
	ban_free(a);
	ban_free(b);
	ban_state_close(st);
	unlink(path);
}

static void
cleanup(void)
{
	static const char *names[] = {
		"rt", "rt.journal", "crash", "crash.journal", "corrupt",
		"corrupt.journal", "full", "full.journal", "million",
		"million.journal",
	};
	char path[256];
	size_t i;

	for (i = 0; i < GG_NELEM(names); i++) {
		path_of(path, sizeof(path), names[i]);
		unlink(path);
	}
	rmdir(tmpdir);
}

int
main(void)
{
	test_ladder();
	test_decay();
	test_probation();
	test_exists();
	test_rate();
	test_max_bans();
	test_v6_aggregation();
	test_never();
	test_never_which();
	test_del();
	test_tick();
	test_evict();
	test_backend();
	test_misc();
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_state_roundtrip();
	test_journal_replay();
	test_corrupt();
	test_load_buf();
	test_fields();
	test_enospc();
	test_million();
	cleanup();
	return t_done();
}
