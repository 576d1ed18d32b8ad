/*
 * engine.h - the verdict engine: one packet in, a verdict and evidence out.
 *
 * engine_feed() takes one decoded payload (its flow key and timestamp from
 * the decoder) and its parse result, and decides: accept, drop, or drop and
 * ban. It is a pure function of its state and its input: the clock is the
 * packet's timestamp, there is no I/O and nothing is allocated per packet,
 * so the inline daemon and `ghostguard analyze` give the same verdicts for
 * the same packets.
 *
 * Every packet is evidence about one remote party, the peer: the side outside
 * the protected networks when the config names them, else the sender of a
 * request or the receiver of a response. A request from the peer is judged;
 * an answer sent to the peer is evidence about it (a 404 to a source trying
 * extension after extension, a 401 after it sent credentials) and is dropped
 * once the peer is known to be a scanner, so the scanner learns nothing.
 *
 * Judgement, in order: allow list (accept, never judged), trusted servers
 * (accepted and never banned: a spoofed packet cannot get the provider
 * banned; a packet from a trusted address that carries a tool's signature is
 * dropped, not banned), deny list (drop), signatures (first packet), policy
 * (trusted-only networks, no direct IP calls), and behaviour over the
 * configured window (enumeration, sweeps, password guessing, floods,
 * malformed messages), also of a source's network (IPv4 /24, IPv6 /64)
 * for scans spread over its addresses. A scanner's packets are dropped; a
 * ban is decided only on several packets (ban-min-packets) or on proof that
 * the source receives our answers (it is on TCP, or it answered a
 * challenge).
 */
#ifndef ENGINE_H
#define ENGINE_H

#include "../conf/conf.h"
#include "../net/net.h"
#include "../sip/sip.h"
#include "sig.h"
#include "track.h"

enum engine_verdict {
	ENGINE_ACCEPT = 0,
	ENGINE_DROP,
	ENGINE_DROP_BAN		/* drop, and ban the peer from now on */
};

enum engine_class {
	ENGINE_BENIGN = 0,
	ENGINE_POLICY,		/* broke the owner's policy */
	ENGINE_SCANNER		/* a scanner, by signature or behaviour */
};

/* Techniques, as bits of track_src.techniques. */
enum engine_tech {
	ENGINE_T_OPTIONS_SWEEP	= 1u << 0,
	ENGINE_T_INVITE_SWEEP	= 1u << 1,
	ENGINE_T_REGISTER_ENUM	= 1u << 2,
	ENGINE_T_INVITE_ENUM	= 1u << 3,
	ENGINE_T_OPTIONS_ENUM	= 1u << 4,
	ENGINE_T_PASSWORD_GUESS	= 1u << 5,
	ENGINE_T_FLOOD		= 1u << 6,
	ENGINE_T_MALFORMED	= 1u << 7,
	ENGINE_T_POLICY		= 1u << 8,
	ENGINE_T_SIGNATURE	= 1u << 9,	/* a tool's fingerprint */
	ENGINE_T_REGISTER_SWEEP	= 1u << 10,
	ENGINE_T_COUNT		= 11
};

/* What the policy says of one request (enum policy_rule). */
enum policy_rule {
	POLICY_OK = 0,
	POLICY_DENY,		/* source in the deny list */
	POLICY_TRUSTED_ONLY,	/* INVITE to a trusted-only network */
	POLICY_IP_CALL		/* INVITE to an IP-literal host */
};

/* The outcome of one packet. */
struct engine_result {
	enum engine_verdict verdict;
	enum engine_class class;	/* the peer's class after this packet */
	struct gg_addr	peer;		/* the remote party */
	bool		peer_sent;	/* the peer sent it (else it was sent
					 * to the peer) */
	bool		trusted;	/* the peer is a trusted server */
	bool		allowed;	/* the peer is in the allow list */
	bool		internal;	/* both sides are protected: not judged */
	const struct sig *sig;		/* signature this packet matched */
	enum policy_rule policy;	/* rule this packet broke */
	uint32_t	new_techniques;	/* techniques this packet established */
	bool		detected;	/* this packet made the peer a scanner */
	bool		ban;		/* this packet decided the ban */
	const struct track_src *src;	/* the peer's record, NULL when not
					 * tracked; valid until the next call */
	const char	*reason;	/* why the verdict, for logs */
};

struct engine;

/*
 * A new engine using conf and sigs, which the caller keeps alive and
 * unchanged until engine_free() or the next engine_reload(). The tracker is
 * sized from conf->tracker_sources. NULL on ENOMEM.
 */
struct engine	*engine_new(const struct gg_conf *conf,
		    const struct sigset *sigs);
/*
 * The same with a tracker for sources sources instead of
 * conf->tracker_sources: analyze gives each of its shards a part of the
 * budget.
 */
struct engine	*engine_new_sized(const struct gg_conf *conf,
		    const struct sigset *sigs, size_t sources);
void		 engine_free(struct engine *e);

/*
 * Switches to a new configuration and signature set, keeping the tracker's
 * state (SIGHUP). Thresholds apply from the next packet on.
 */
void		 engine_reload(struct engine *e, const struct gg_conf *conf,
		    const struct sigset *sigs);

/*
 * Judges one payload. msg is the parse of pkt->data (rc its return code);
 * msg may be NULL when rc is SIP_ENOTSIP. Fills *res.
 */
void		 engine_feed(struct engine *e, const struct net_pkt *pkt,
		    const struct sip_msg *msg, enum sip_rc rc,
		    struct engine_result *res);

/* The peer of a payload, as engine_feed() finds it. */
struct engine_peer {
	const struct gg_addr *addr;	/* &pkt->src or &pkt->dst */
	bool		sent;		/* the peer sent the payload */
	bool		internal;	/* both sides are protected */
};

/*
 * Finds the peer of pkt under conf, the rule engine_feed() follows: the side
 * outside the protected networks when conf names them, else the sender of a
 * request or the receiver of a response. is_resp is engine_is_response() of
 * the payload's parse; it matters only when engine_peer_by_role(conf), so a
 * caller that wants the peer without parsing (analyze's shards) can find
 * out first whether it needs to know.
 */
void		 engine_peer(const struct gg_conf *conf,
		    const struct net_pkt *pkt, bool is_resp,
		    struct engine_peer *p);
/* True when conf names no protected networks: the peer is found by role. */
bool		 engine_peer_by_role(const struct gg_conf *conf);
/* True when a parse result (msg may be NULL) is a response, for
 * engine_peer(). */
bool		 engine_is_response(const struct sip_msg *msg,
		    enum sip_rc rc);

/* The signature with index sig - 1 of a track_src (sig != 0), or NULL. */
const struct sig *engine_src_sig(const struct engine *e,
		    const struct track_src *s);

struct track	*engine_tracker(struct engine *e);
/* Bytes the engine's trackers take: sources and their networks. */
size_t		 engine_memory(const struct engine *e);

/*
 * Forgets what the tracker knows of addr but its first and latest packet:
 * the next packet is judged afresh. For a lifted or expired ban, so that a
 * returning scanner is detected and banned again (for longer: the ban
 * manager keeps the history).
 */
void		 engine_forget(struct engine *e, const struct gg_addr *addr);

/* Names: "options-sweep", ...; "scanner", ... */
const char	*engine_tech_name(enum engine_tech t);
const char	*engine_class_name(enum engine_class c);
const char	*engine_verdict_name(enum engine_verdict v);
const char	*policy_rule_name(enum policy_rule r);

/*
 * The policy on one request from an untrusted peer (policy.c): deny list,
 * trusted-only networks, direct IP calls.
 */
enum policy_rule policy_check(const struct gg_conf *conf,
		    const struct net_pkt *pkt, const struct sip_msg *msg,
		    const struct gg_addr *peer);

#endif /* ENGINE_H */
