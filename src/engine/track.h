/*
 * track.h - per-source behaviour, in bounded memory.
 *
 * The tracker keeps one fixed-size record per remote source in a table whose
 * capacity is set once (tracker-sources in the config). When it is full, the
 * least recently seen of a few sampled records is evicted and counted: memory
 * never grows after track_new(). A record counts what a scanner cannot hide:
 * the distinct users (extensions) and destinations (address and port) it
 * tried, its methods, the answers sent to it (404s, authentication
 * failures), its request rate, and its malformed messages. Distinct values
 * are kept as small sets of hashes that saturate: they answer "at least N
 * distinct" for the thresholds.
 */
#ifndef TRACK_H
#define TRACK_H

#include "../lib/gg.h"

#define TRACK_USERS	12	/* distinct users remembered per source */
#define TRACK_HOSTS	8	/* distinct destinations remembered */

/* A small set of 32-bit hashes that saturates at its capacity. */
struct track_set {
	uint32_t	h[TRACK_USERS];	/* hashes, first n used */
	uint8_t		n;		/* distinct values seen (saturates) */
};

/* What the tracker knows about one source: 216 bytes. */
struct track_src {
	struct gg_addr	addr;		/* the source */
	uint32_t	call_id;	/* hash of the Call-ID of its last
					 * answered INVITE, 0: none or hung up */
	uint64_t	first_ns;	/* first packet */
	uint64_t	last_ns;	/* latest packet */
	uint64_t	window_ns;	/* start of the current behaviour window
					 * (counts halve when it ends) */
	uint32_t	packets;	/* packets about it: its own and answers */
	uint32_t	requests;	/* requests it sent */
	uint32_t	dropped;	/* packets the verdict dropped */
	uint32_t	detected_at;	/* its packet that convicted it, 0: none */
	uint16_t	n_invite, n_options, n_register, n_other;
	uint16_t	n_auth;		/* requests carrying credentials */
	uint16_t	auth_fail;	/* 401/403/407 after credentials */
	uint16_t	auth_ok;	/* 2xx after credentials */
	uint16_t	r_404;		/* 404/484/604 answers sent to it */
	uint16_t	r_2xx;		/* 2xx answers to it */
	uint16_t	r_auth;		/* 401/407 challenges sent to it */
	uint16_t	malformed;	/* malformed messages it sent */
	uint16_t	policy;		/* policy violations */
	uint16_t	rate_n;		/* requests in the current half second */
	uint16_t	calls;		/* its INVITEs answered 2xx, less those
					 * it hung up at once (engine.c) */
	uint32_t	rate_slot;	/* that half second (capture time) */
	uint32_t	techniques;	/* ENGINE_T_* established */
	uint16_t	sig;		/* best signature + 1, 0: none */
	uint8_t		sig_conf;	/* its confidence */
	uint8_t		class;		/* enum engine_class */
	uint8_t		auth_open;	/* its requests with credentials not yet
					 * answered (at most AUTH_OPEN_MAX) */
	uint8_t		trusted;	/* in the trusted list */
	uint8_t		banned;		/* a ban was decided */
	struct track_set users;		/* distinct To/Request-URI users */
	struct {
		uint32_t h[TRACK_HOSTS];
		uint8_t	 n;
	} hosts;			/* distinct destinations (address and
					 * port) */
	uint8_t		n_users_invite;	/* distinct users in INVITEs */
	uint8_t		n_users_register;
	uint8_t		n_users_options;
	uint8_t		run_slot;	/* half second the burst began (low bits) */
	uint32_t	call_ms;	/* when call_id was answered, ms (wraps) */
	uint32_t	run_cid;	/* the burst's latest request: Call-ID */
	uint16_t	run_cseq;	/* and CSeq (low bits) */
	uint16_t	run_n;		/* requests in the burst */
	uint16_t	rate_prev;	/* requests in the half second before */
};

struct track;

/* Counters; they only grow. */
struct track_stats {
	uint64_t	lookups;
	uint64_t	inserts;
	uint64_t	evictions;	/* records dropped to make room */
};

/* A tracker for at most cap sources. NULL on ENOMEM. */
struct track	*track_new(size_t cap, uint64_t seed);
void		 track_free(struct track *t);

/* The record of addr, or NULL. */
struct track_src *track_find(struct track *t, const struct gg_addr *addr);

/*
 * The record of addr, created (zeroed, addr and first_ns set) if needed,
 * evicting an old one when full. Never NULL.
 */
struct track_src *track_get(struct track *t, const struct gg_addr *addr,
		    uint64_t now_ns);

/*
 * Adds hash h to the set (capacity cap); returns true when it was new.
 */
static inline bool
track_set_add(uint32_t *set, uint8_t *n, size_t cap, uint32_t h)
{
	/* Inline: two a request, and the call cost as much as the work. */
	size_t i, have = *n < cap ? *n : cap;

	for (i = 0; i < have; i++)
		if (set[i] == h)
			return false;
	if (*n < cap)
		set[*n] = h;
	if (*n < UINT8_MAX)
		(*n)++;
	return true;
}

size_t		 track_count(const struct track *t);
size_t		 track_capacity(const struct track *t);
size_t		 track_memory(const struct track *t);
const struct track_stats *track_stats(const struct track *t);

/* Calls fn for every record, in no particular order. */
void		 track_walk(struct track *t,
		    void (*fn)(void *arg, struct track_src *s), void *arg);

#endif /* TRACK_H */
