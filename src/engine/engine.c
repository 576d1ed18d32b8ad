/*
 * engine.c - from one parsed packet to a verdict (see engine.h).
 */
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "engine.h"

#define NS	1000000000ULL
/* A call the caller hangs up this soon after the answer was a probe
 * (svwar -m INVITE sends ACK and BYE as soon as a phone answers): it
 * connected nothing. */
#define CALL_PROBE_MS	2000
/* Requests with credentials awaiting an answer, at most. */
#define AUTH_OPEN_MAX	16

/* Network records (distributed scans) per source record. */
#define NET_SHARE	16
/* A network is a scanner's with failures at this many of its addresses,
 * and twice the extensions threshold tried in all. */
#define NET_MEMBERS	3

struct engine {
	const struct gg_conf	*conf;
	const struct sigset	*sigs;
	struct track		*track;
	struct track		*nets;	/* per IPv4 /24 and IPv6 /64: the
					 * same records, another meaning
					 * (net_note()) */
};

struct engine *
engine_new(const struct gg_conf *conf, const struct sigset *sigs)
{
	return engine_new_sized(conf, sigs, conf->tracker_sources);
}

struct engine *
engine_new_sized(const struct gg_conf *conf, const struct sigset *sigs,
    size_t sources)
{
	struct engine *e = calloc(1, sizeof(*e));

	if (e == NULL)
		return NULL;
	e->conf = conf;
	e->sigs = sigs;
	e->track = track_new(sources, 0x67686f7374ULL);
	e->nets = track_new(sources / NET_SHARE > 16 ? sources / NET_SHARE :
	    16, 0x6e657473ULL);
	if (e->track == NULL || e->nets == NULL) {
		engine_free(e);
		return NULL;
	}
	return e;
}

void
engine_free(struct engine *e)
{
	if (e == NULL)
		return;
	track_free(e->track);
	track_free(e->nets);
	free(e);
}

void
engine_reload(struct engine *e, const struct gg_conf *conf,
    const struct sigset *sigs)
{
	e->conf = conf;
	e->sigs = sigs;
}

struct track *
engine_tracker(struct engine *e)
{
	return e->track;
}

size_t
engine_memory(const struct engine *e)
{
	return sizeof(*e) + track_memory(e->track) + track_memory(e->nets);
}

const struct sig *
engine_src_sig(const struct engine *e, const struct track_src *s)
{
	if (s->sig == 0 || s->sig > e->sigs->n)
		return NULL;
	return &e->sigs->v[s->sig - 1];
}

/* Keeps the newest n >> k of a set's hashes (n <= cap: the newest are
 * last; a saturated set keeps its first ones, any n >> k of them will do). */
static void
set_halve(uint32_t *h, uint8_t *n, size_t cap, unsigned k)
{
	size_t have = *n < cap ? *n : cap, keep = *n >> k;

	if (keep < have && *n <= cap)
		memmove(h, h + (have - keep), keep * sizeof(*h));
	*n = (uint8_t)keep;
}

/*
 * Ages the behaviour counts at the end of each window: every window that
 * ended since the last packet halves them, so a source that stays active
 * keeps about two windows' worth of evidence and one that probes slower
 * than the window (one probe every 20 minutes) still adds up, while an old
 * burst fades and is gone after 16 idle windows. The verdicts stay, and
 * the record's size does not change.
 */
static void
window_roll(const struct engine *e, struct track_src *s, uint64_t now)
{
	uint64_t w = (uint64_t)e->conf->window_s * NS, n;
	unsigned k;

	if (now < s->window_ns || now - s->window_ns <= w)
		return;
	n = (now - s->window_ns) / w;
	s->window_ns += n * w;
	k = n > 16 ? 16 : (unsigned)n;	/* every count is 0 after 16 */
	set_halve(s->users.h, &s->users.n, TRACK_USERS, k);
	set_halve(s->hosts.h, &s->hosts.n, TRACK_HOSTS, k);
	s->n_users_invite >>= k;
	s->n_users_register >>= k;
	s->n_users_options >>= k;
	s->n_auth >>= k;
	s->auth_fail >>= k;
	s->auth_ok >>= k;
	s->r_404 >>= k;
	s->r_2xx >>= k;
	s->calls >>= k;
	s->r_auth >>= k;
	s->malformed >>= k;
	s->policy >>= k;
}

static uint32_t
hash_str(struct gg_str s)
{
	return (uint32_t)gg_hash(s.p, s.len, 0x75736572);
}

static void
count_method(struct track_src *s, enum sip_method m)
{
	uint16_t *c = m == SIP_METHOD_INVITE ? &s->n_invite :
	    m == SIP_METHOD_OPTIONS ? &s->n_options :
	    m == SIP_METHOD_REGISTER ? &s->n_register : &s->n_other;

	if (*c < UINT16_MAX)
		(*c)++;
}

static void
inc16(uint16_t *c)
{
	if (*c < UINT16_MAX)
		(*c)++;
}

/* A Call-ID's fingerprint, never 0: its length and its first and last 8
 * bytes (a tool's Call-IDs differ there; a collision costs a flood's run
 * or a hang-up's match, nothing more), a third of gg_hash()'s cost. */
static uint32_t
call_hash(const struct sip_msg *m)
{
	const char *p = m->call_id.p;
	size_t len = m->call_id.len;
	uint64_t a, b;

	if (len < 8)
		return (uint32_t)gg_hash(p, len, 0x63616c6c) | 1;
	memcpy(&a, p, 8);
	memcpy(&b, p + len - 8, 8);
	a = (a * 0x9e3779b97f4a7c15ULL ^ b) * 0xc2b2ae3d27d4eb4fULL ^ len;
	return (uint32_t)(a >> 32) | 1;
}

static uint32_t
ms_of(const struct net_pkt *pkt)
{
	return (uint32_t)(pkt->ts_ns / 1000000);
}

/* A 2xx to one of the peer's INVITEs: a call, counted once (a phone
 * retransmits its 200 until the ACK comes). */
static void
call_answered(struct track_src *s, const struct net_pkt *pkt,
    const struct sip_msg *m)
{
	uint32_t h = call_hash(m);

	if (h == s->call_id)
		return;
	inc16(&s->calls);
	s->call_id = h;
	s->call_ms = ms_of(pkt);
}

/* A BYE or CANCEL from the peer (cid: call_hash()): hanging up the call it
 * was just answered takes the call back. */
static void
call_hangup(struct track_src *s, const struct net_pkt *pkt, uint32_t cid)
{
	if (s->call_id == 0 || cid != s->call_id ||
	    ms_of(pkt) - s->call_ms > CALL_PROBE_MS)
		return;
	s->call_id = 0;
	if (s->calls > 0)
		s->calls--;
}

/*
 * Counts a request's rate in capture time: per half second, with the half
 * second before (a burst across a second's boundary counts whole), and as
 * a burst: requests each in the dialog of the one before or with the next
 * CSeq (sipsak -F counts one CSeq up over new Call-IDs), within a second.
 */
static void
note_rate(struct track_src *s, const struct net_pkt *pkt,
    const struct sip_msg *m, uint32_t cid)
{
	uint32_t slot = (uint32_t)(pkt->ts_ns / (NS / 2));
	uint16_t cseq = (uint16_t)m->cseq;

	if (slot != s->rate_slot) {
		s->rate_prev = slot == s->rate_slot + 1 ? s->rate_n : 0;
		s->rate_slot = slot;
		s->rate_n = 0;
	}
	inc16(&s->rate_n);
	if ((cid == s->run_cid || cseq == (uint16_t)(s->run_cseq + 1)) &&
	    (uint8_t)((uint8_t)slot - s->run_slot) <= 1) {
		inc16(&s->run_n);
	} else {
		s->run_n = 1;
		s->run_slot = (uint8_t)slot;
	}
	s->run_cid = cid;
	s->run_cseq = cseq;
}

/*
 * Records what a request tells about its sender: the user (extension) it
 * tried, the host it went to, credentials, and its rate in capture time.
 * Returns the hash of the user it tried, 0 for none.
 */
static uint32_t
note_request(struct track_src *s, const struct net_pkt *pkt,
    const struct sip_msg *m)
{
	struct gg_str user = m->ruri.user.len ? m->ruri.user : m->to.uri.user;
	uint32_t cid = call_hash(m), uh;

	note_rate(s, pkt, m, cid);
	s->requests++;
	count_method(s, m->method_id);
	if (m->auth.present || m->proxy_auth.present) {
		inc16(&s->n_auth);
		if (s->auth_open < AUTH_OPEN_MAX)
			s->auth_open++;
	}
	/* ACK, BYE, CANCEL and PRACK follow a dialog or transaction the peer
	 * started: no new target. */
	if (m->method_id == SIP_METHOD_ACK || m->method_id == SIP_METHOD_BYE ||
	    m->method_id == SIP_METHOD_CANCEL ||
	    m->method_id == SIP_METHOD_PRACK) {
		if (m->method_id != SIP_METHOD_ACK && m->method_id !=
		    SIP_METHOD_PRACK)
			call_hangup(s, pkt, cid);
		return 0;
	}
	uh = user.len ? hash_str(user) | 1 : 0;
	if (uh && track_set_add(s->users.h, &s->users.n, TRACK_USERS, uh)) {
		uint8_t *c = m->method_id == SIP_METHOD_INVITE ?
		    &s->n_users_invite : m->method_id == SIP_METHOD_REGISTER ?
		    &s->n_users_register : m->method_id == SIP_METHOD_OPTIONS ?
		    &s->n_users_options : NULL;

		if (c && *c < UINT8_MAX)
			(*c)++;
	}
	/* A destination is an address and port: svmap -p 5060-5070 on one
	 * host sweeps as much as one port on eleven hosts. */
	track_set_add(s->hosts.h, &s->hosts.n, TRACK_HOSTS,
	    (uint32_t)gg_addr_hash(&pkt->dst, 0x686f7374 + pkt->dport));
	return uh;
}

/* Records an answer sent to the peer. */
static void
note_answer(struct track_src *s, const struct net_pkt *pkt,
    const struct sip_msg *m)
{
	int st = m->status;

	if (st == 404 || st == 484 || st == 604)
		inc16(&s->r_404);
	else if (st >= 200 && st < 300) {
		inc16(&s->r_2xx);
		if (m->cseq_method_id == SIP_METHOD_INVITE)
			call_answered(s, pkt, m);
	}
	if (st == 401 || st == 407)
		inc16(&s->r_auth);
	/* A final answer while the peer has requests with credentials
	 * unanswered settles one: a challenge or refusal is a failed password
	 * (nmap's sip-brute sends five guesses before the first answer), a
	 * 2xx a success. */
	if (st >= 200 && s->auth_open > 0) {
		s->auth_open--;
		if (st == 401 || st == 403 || st == 407)
			inc16(&s->auth_fail);
		else if (st < 300)
			inc16(&s->auth_ok);
	}
}

/*
 * Enumeration spread over methods: a scanner alternating REGISTER, INVITE
 * and OPTIONS, each for new extensions, stays under each method's count.
 * One more extension than one method needs, at least two methods with two
 * each, and nothing a PBX's own traffic shows: its calls answered, a
 * successful login, answers that are neither "not found" nor missing (a
 * PBX's few OPTIONS and REGISTER targets and its callees stay benign).
 * Named after the method with the most extensions; 0 when none.
 */
static uint32_t
mixed_enum(const struct track_src *s, unsigned ext)
{
	unsigned inv = s->n_users_invite, reg = s->n_users_register;
	unsigned opt = s->n_users_options, all = inv + reg + opt;

	if (all < ext + 1 || (inv >= 2) + (reg >= 2) + (opt >= 2) < 2 ||
	    s->calls * 2u >= all || s->auth_ok > 0 ||
	    (s->r_404 < 2 && s->r_2xx > 0))
		return 0;
	if (reg >= inv && reg >= opt)
		return ENGINE_T_REGISTER_ENUM;
	return inv >= opt ? ENGINE_T_INVITE_ENUM : ENGINE_T_OPTIONS_ENUM;
}

/* The behaviour techniques the counters of s establish now. */
static uint32_t
techniques(const struct gg_conf *c, const struct track_src *s)
{
	uint32_t t = 0;
	unsigned ext = c->th_extensions;

	/* Answers confirm an enumeration early: "not found", and challenges
	 * the source never answers (a phone, or phones behind one NAT, log
	 * in; svwar only notes that the extension exists). */
	if (s->r_404 + (s->n_auth == 0 ? s->r_auth : 0u) >= 2 &&
	    s->users.n >= 3 && ext > 3)
		ext = ext - 1 > 3 ? ext - 1 : 3;
	if (s->hosts.n >= c->th_hosts) {
		if (s->n_options >= c->th_hosts)
			t |= ENGINE_T_OPTIONS_SWEEP;
		if (s->n_invite >= c->th_hosts)
			t |= ENGINE_T_INVITE_SWEEP;
		/* svmap -m REGISTER: a phone registers with one or two
		 * registrars, never with every address of a network. */
		if (s->n_register >= c->th_hosts)
			t |= ENGINE_T_REGISTER_SWEEP;
	}
	if (s->n_users_register >= ext)
		t |= ENGINE_T_REGISTER_ENUM;
	/* A PBX or proxy that really connects calls gets them answered; a
	 * scanner's calls, if a phone answers, are hung up at once. */
	if (s->n_users_invite >= ext && s->calls * 2 < s->n_users_invite)
		t |= ENGINE_T_INVITE_ENUM;
	if (s->n_users_options >= ext)
		t |= ENGINE_T_OPTIONS_ENUM;
	t |= mixed_enum(s, ext);
	/* A guesser fails far more often than it gets in; a phone with a
	 * mistyped password retries slowly and also succeeds. Without the
	 * answers (a one-sided capture) many credentials and no success. */
	if ((s->auth_fail >= c->th_auth_failures &&
	    s->auth_fail >= 4 * (s->auth_ok + 1u)) ||
	    (s->n_auth >= 2 * c->th_auth_failures && s->r_2xx == 0 &&
	    s->auth_fail == 0 && s->r_auth == 0))
		t |= ENGINE_T_PASSWORD_GUESS;
	/* A burst of one dialog or one CSeq counter floods at half the rate:
	 * no phone sends 25 requests of one dialog in a second. */
	if (s->rate_n + s->rate_prev >= c->th_rate ||
	    s->run_n >= (c->th_rate + 1) / 2)
		t |= ENGINE_T_FLOOD;
	if (s->malformed >= c->th_malformed)
		t |= ENGINE_T_MALFORMED;
	return t;
}

/*
 * Distributed scanning: one scan spread over many addresses of one IPv4 /24
 * or IPv6 /64, each sending a few probes, stays under every per-source
 * count. A record per network (a second tracker, a sixteenth of the
 * sources' size) counts the distinct extensions its addresses tried (users,
 * n_users_*) and the addresses that failed (hosts: hashes of members, see
 * net_failed()). With
 * NET_MEMBERS failing addresses and twice the extensions threshold the
 * network is a scanner's; from then on each of its addresses that has
 * failed is convicted, with the enumeration the network did. Legitimate
 * neighbours (phones behind one office's addresses) log in and are found.
 */
static void
net_key(const struct gg_addr *a, struct gg_addr *k)
{
	*k = *a;
	if (k->family == AF_INET)
		k->a[3] = 0;
	else
		memset(k->a + 8, 0, 8);
}

/* A member that failed: "not found", or challenged twice, and never sent
 * credentials nor got a call answered (a phone, even one that dials a
 * wrong number, answers its challenges). */
static bool
net_failed(const struct track_src *s)
{
	return (s->r_404 > 0 || s->r_auth >= 2) && s->n_auth == 0 &&
	    s->calls == 0;
}

/* What a packet from or to s (parsed, untrusted) tells of its network
 * (user: the hash of the user its request tried, 0: none); the techniques
 * it gives s, 0 for none. */
static uint32_t
net_note(struct engine *e, struct track_src *s, const struct net_pkt *pkt,
    const struct sip_msg *m, bool sent, uint32_t user)
{
	const struct gg_conf *c = e->conf;
	enum sip_method id = m->method_id;
	struct track_src *n;
	struct gg_addr k;
	bool probe = sent && user &&
	    (id == SIP_METHOD_INVITE || id == SIP_METHOD_REGISTER ||
	    id == SIP_METHOD_OPTIONS);

	if (!probe && (sent || !net_failed(s)))
		return 0;
	net_key(&s->addr, &k);
	n = track_get(e->nets, &k, pkt->ts_ns);
	window_roll(e, n, pkt->ts_ns);
	n->last_ns = pkt->ts_ns;
	n->packets++;
	if (probe && track_set_add(n->users.h, &n->users.n, TRACK_USERS,
	    user)) {
		uint8_t *u = id == SIP_METHOD_INVITE ? &n->n_users_invite :
		    id == SIP_METHOD_REGISTER ? &n->n_users_register :
		    &n->n_users_options;

		if (*u < UINT8_MAX)
			(*u)++;
	}
	if (net_failed(s))
		track_set_add(n->hosts.h, &n->hosts.n, TRACK_HOSTS,
		    (uint32_t)gg_addr_hash(&s->addr, 0x6d656d62));
	if (n->hosts.n >= NET_MEMBERS && n->users.n >= 2 * c->th_extensions) {
		unsigned inv = n->n_users_invite, reg = n->n_users_register;

		n->class = ENGINE_SCANNER;
		n->techniques = reg >= inv && reg >= n->n_users_options ?
		    ENGINE_T_REGISTER_ENUM : inv >= n->n_users_options ?
		    ENGINE_T_INVITE_ENUM : ENGINE_T_OPTIONS_ENUM;
	}
	return n->class == ENGINE_SCANNER && net_failed(s) ? n->techniques : 0;
}

/* Has the source shown that its address is real, or sent enough? */
static bool
ban_earned(const struct gg_conf *c, const struct track_src *s,
    const struct net_pkt *pkt)
{
	if (pkt->proto == IPPROTO_TCP)
		return true;	/* the handshake proved the address */
	if (s->n_auth > 0 && s->r_auth > 0)
		return true;	/* it answered our challenge */
	return s->requests + s->malformed >= c->ban_min_packets;
}

bool
engine_peer_by_role(const struct gg_conf *conf)
{
	return conf->protect.n == 0;
}

bool
engine_is_response(const struct sip_msg *m, enum sip_rc rc)
{
	return m && (rc == SIP_OK || rc == SIP_EBADMSG) && !m->is_request &&
	    m->status > 0;
}

/* engine_peer(), inlined into engine_feed() (a call a packet less). */
static inline __attribute__((always_inline)) void
peer_of(const struct gg_conf *conf, const struct net_pkt *pkt,
    bool is_resp, struct engine_peer *p)
{
	const struct conf_netlist *prot = &conf->protect;

	p->internal = false;
	if (!engine_peer_by_role(conf)) {
		bool src_in = conf_netlist_has(prot, &pkt->src);
		bool dst_in = conf_netlist_has(prot, &pkt->dst);

		p->internal = src_in && dst_in;
		p->sent = !src_in || p->internal;
	} else {
		p->sent = !is_resp;
	}
	p->addr = p->sent ? &pkt->src : &pkt->dst;
}

void
engine_peer(const struct gg_conf *conf, const struct net_pkt *pkt,
    bool is_resp, struct engine_peer *p)
{
	peer_of(conf, pkt, is_resp, p);
}

/* Works out who the peer is and whether it sent this packet. */
static void
find_peer(const struct engine *e, const struct net_pkt *pkt,
    const struct sip_msg *m, enum sip_rc rc, struct engine_result *r)
{
	struct engine_peer p;

	peer_of(e->conf, pkt, engine_is_response(m, rc), &p);
	r->internal = p.internal;
	r->peer_sent = p.sent;
	r->peer = *p.addr;
}

/* Judges a request (or garbage) that the untrusted peer sent; returns the
 * hash of the user a request tried, 0 for none. */
static uint32_t
judge_sent(struct engine *e, struct track_src *s, const struct net_pkt *pkt,
    const struct sip_msg *m, enum sip_rc rc, struct engine_result *r)
{
	const struct gg_conf *c = e->conf;
	bool parsed = m && (rc == SIP_OK || rc == SIP_EBADMSG);
	uint32_t t, user = 0;

	if (rc == SIP_EBADMSG)
		inc16(&s->malformed);
	if (parsed) {
		r->sig = sigset_match(e->sigs, m);
		if (r->sig && r->sig->confidence > s->sig_conf) {
			s->sig = (uint16_t)(r->sig - e->sigs->v + 1);
			s->sig_conf = (uint8_t)r->sig->confidence;
		}
		if (m->is_request)
			user = note_request(s, pkt, m);
	}
	r->policy = policy_check(c, pkt, parsed ? m : NULL, &r->peer);
	if (r->policy != POLICY_OK) {
		inc16(&s->policy);
		r->new_techniques |= ENGINE_T_POLICY & ~s->techniques;
		s->techniques |= ENGINE_T_POLICY;
		if (s->class == ENGINE_BENIGN)
			s->class = ENGINE_POLICY;
	}
	t = techniques(c, s);
	if (r->sig && r->sig->confidence >= c->min_confidence)
		t |= ENGINE_T_SIGNATURE;
	r->new_techniques |= t & ~s->techniques;
	s->techniques |= t;
	if ((t & ~ENGINE_T_POLICY) && s->class != ENGINE_SCANNER) {
		s->class = ENGINE_SCANNER;
		s->detected_at = s->requests + s->malformed;
		if (s->detected_at == 0)
			s->detected_at = 1;
		r->detected = true;
	}
	return user;
}

/* The verdict for a packet from or to an untrusted, tracked peer. */
static void
decide(const struct engine *e, struct track_src *s, const struct net_pkt *pkt,
    struct engine_result *r)
{
	const struct gg_conf *c = e->conf;
	bool guilty = s->class == ENGINE_SCANNER ||
	    (r->peer_sent && r->policy != POLICY_OK);

	r->class = s->class;
	if (!guilty) {
		r->verdict = ENGINE_ACCEPT;
		r->reason = "benign";
		return;
	}
	r->verdict = ENGINE_DROP;
	r->reason = s->class == ENGINE_SCANNER ? "scanner" :
	    policy_rule_name(r->policy);
	if (s->banned || !r->peer_sent)
		return;
	if (s->class == ENGINE_SCANNER || s->policy >= c->th_policy ||
	    r->policy == POLICY_DENY) {
		if (ban_earned(c, s, pkt)) {
			s->banned = 1;
			r->ban = true;
			r->verdict = ENGINE_DROP_BAN;
		}
	}
}

void
engine_feed(struct engine *e, const struct net_pkt *pkt,
    const struct sip_msg *m, enum sip_rc rc, struct engine_result *r)
{
	const struct gg_conf *c = e->conf;
	struct track_src *s;
	bool parsed = m && (rc == SIP_OK || rc == SIP_EBADMSG);
	uint32_t user = 0;	/* the user a request tried (hash) */

	memset(r, 0, sizeof(*r));
	r->verdict = ENGINE_ACCEPT;
	r->reason = "benign";
	find_peer(e, pkt, m, rc, r);
	if (r->internal) {
		r->reason = "internal";
		return;
	}
	if (conf_netlist_has(&c->allow, &r->peer)) {
		r->allowed = true;
		r->reason = "allow-list";
		return;
	}
	r->trusted = conf_netlist_has(&c->trusted, &r->peer);
	/* Empty or non-SIP payloads to or from a SIP port (keep-alives,
	 * probes of other protocols) are no evidence of anything. */
	if (rc == SIP_ENOTSIP && !r->peer_sent)
		return;
	s = track_get(e->track, &r->peer, pkt->ts_ns);
	r->src = s;
	window_roll(e, s, pkt->ts_ns);
	s->last_ns = pkt->ts_ns;
	s->trusted = r->trusted;
	s->packets++;
	if (r->trusted) {
		/* Never banned. A tool's own fingerprint from a trusted
		 * address is a spoof: drop that packet, nothing more. */
		r->class = ENGINE_BENIGN;
		if (r->peer_sent && parsed) {
			r->sig = sigset_match(e->sigs, m);
			if (r->sig && r->sig->kind == SIG_KIND_TOOL &&
			    r->sig->confidence >= c->min_confidence) {
				r->verdict = ENGINE_DROP;
				r->reason = "spoofed-trusted";
				s->dropped++;
			}
		}
		if (r->verdict == ENGINE_ACCEPT)
			r->reason = "trusted";
		return;
	}
	if (r->peer_sent)
		user = judge_sent(e, s, pkt, m, rc, r);
	else if (parsed && !m->is_request)
		note_answer(s, pkt, m);
	if (parsed && s->class != ENGINE_SCANNER) {
		uint32_t t = net_note(e, s, pkt, m, r->peer_sent, user);

		if (t) {
			r->new_techniques |= t & ~s->techniques;
			s->techniques |= t;
			s->class = ENGINE_SCANNER;
			s->detected_at = s->requests ? s->requests : 1;
			r->detected = true;
		}
	}
	if (!r->peer_sent) {
		/* Answers can establish techniques too (404s, auth failures). */
		uint32_t t = techniques(c, s);

		r->new_techniques |= t & ~s->techniques;
		s->techniques |= t;
		if ((t & ~ENGINE_T_POLICY) && s->class != ENGINE_SCANNER) {
			s->class = ENGINE_SCANNER;
			s->detected_at = s->requests ? s->requests : 1;
			r->detected = true;
		}
	}
	decide(e, s, pkt, r);
	if (r->verdict != ENGINE_ACCEPT)
		s->dropped++;
}

void
engine_forget(struct engine *e, const struct gg_addr *addr)
{
	struct track_src *s = track_find(e->track, addr);
	uint64_t first, last;

	if (s == NULL)
		return;
	first = s->first_ns;
	last = s->last_ns;
	memset((char *)s + sizeof(s->addr), 0, sizeof(*s) - sizeof(s->addr));
	s->first_ns = first;
	s->last_ns = last;
	s->window_ns = last;
}

const char *
engine_tech_name(enum engine_tech t)
{
	switch (t) {
	case ENGINE_T_OPTIONS_SWEEP:	return "options-sweep";
	case ENGINE_T_INVITE_SWEEP:	return "invite-sweep";
	case ENGINE_T_REGISTER_ENUM:	return "register-enum";
	case ENGINE_T_INVITE_ENUM:	return "invite-enum";
	case ENGINE_T_OPTIONS_ENUM:	return "options-enum";
	case ENGINE_T_PASSWORD_GUESS:	return "password-guess";
	case ENGINE_T_FLOOD:		return "flood";
	case ENGINE_T_MALFORMED:	return "malformed";
	case ENGINE_T_POLICY:		return "policy";
	case ENGINE_T_SIGNATURE:	return "signature";
	case ENGINE_T_REGISTER_SWEEP:	return "register-sweep";
	case ENGINE_T_COUNT:		break;
	}
	return "?";
}

const char *
engine_class_name(enum engine_class c)
{
	switch (c) {
	case ENGINE_BENIGN:	return "benign";
	case ENGINE_POLICY:	return "policy";
	case ENGINE_SCANNER:	return "scanner";
	}
	return "?";
}

const char *
engine_verdict_name(enum engine_verdict v)
{
	switch (v) {
	case ENGINE_ACCEPT:	return "accept";
	case ENGINE_DROP:	return "drop";
	case ENGINE_DROP_BAN:	return "drop-ban";
	}
	return "?";
}
