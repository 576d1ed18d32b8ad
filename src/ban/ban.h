/*
 * ban.h - the ban manager, its state file, and the kernel backends.
 *
 * The ban manager (ban.c) turns the engine's verdicts into bans. It is pure:
 * no syscalls, no clock reads (every call takes `now`, wall-clock ns since
 * the epoch, so a ban's expiry means the same after a restart), no I/O but
 * through the backend and the state store it is given. It keeps its own
 * view of every ban and of every offender's history, and never asks the
 * kernel what is banned.
 *
 *  - Escalation: a source's n-th ban lasts ladder[min(level, nladder-1)]
 *    (default 10 min, 1 h, 1 day, 1 week). Its history (level, count) stays
 *    after the ban expires and decays: one rung down per `forget_s` without
 *    a new ban; a record at rung 0 whose ban has expired is forgotten.
 *  - Probation: evidence too weak for a ban (one spoofable UDP packet) earns
 *    at most a short ban of probation_s that does not climb the ladder.
 *  - Never banned, whatever the evidence: loopback, the host's own
 *    addresses, and the never-ban networks (trusted servers and the allow
 *    list); such requests are refused and counted (BAN_ETRUST), also a
 *    prefix that would cover one of them.
 *  - Caps: at most max_per_min new bans in any minute (BAN_ERATE) and
 *    max_bans active bans (BAN_EFULL); refusals are counted.
 *  - IPv6 aggregation: when v6_min_addrs distinct addresses of one
 *    /v6_plen prefix are banned, the prefix is banned too (level: the
 *    highest of theirs), never before.
 *
 * Memory: one fixed-size record per ban or offender (about 64 bytes), in a
 * hash table sized for max_bans plus history; reasons and tool names are
 * interned (a bounded table), not stored per record.
 *
 * Backends (ban_nft.c: an nftables set with per-element timeouts, through
 * libnftnl/libmnl batches; ban_ipset.c: ipset hash:ip and hash:net with
 * timeout) sit behind struct ban_backend. The manager hands them batches;
 * they hand the kernel one transaction per batch.
 *
 * The state (ban_state.c): a snapshot file written atomically (temporary
 * file, fsync, rename) and a journal of the changes since, appended before a
 * ban is acknowledged, so `kill -9` loses no acknowledged ban. Each record
 * is one line with its own checksum: a truncated or corrupt file loses only
 * the damaged lines, with a warning.
 */
#ifndef BAN_H
#define BAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../lib/gg.h"

#define BAN_LADDER_MAX	8
#define BAN_REASON_MAX	96	/* longest reason kept, with its NUL */
#define BAN_TOOL_MAX	32	/* longest tool name kept, with its NUL */

/* The manager's settings (from the config; ban_conf_default()). */
struct ban_conf {
	uint32_t	ladder_s[BAN_LADDER_MAX]; /* ban durations, seconds */
	unsigned	nladder;		/* rungs used, >= 1 */
	uint32_t	probation_s;		/* weak evidence; 0: no ban */
	uint32_t	forget_s;		/* one rung down per forget_s
						 * without a ban */
	uint32_t	max_per_min;		/* new bans per minute */
	uint32_t	max_bans;		/* active bans at most */
	uint8_t		v6_plen;		/* aggregation prefix (64) */
	uint8_t		v6_min_addrs;		/* banned addresses in one
						 * prefix to ban it; 0: never */
};

void	ban_conf_default(struct ban_conf *c);

/* One ban or offender, as the manager keeps it and lists it. */
struct ban_entry {
	struct gg_addr	addr;		/* host bits cleared */
	uint8_t		plen;		/* 32/128 for a host, less: a prefix */
	uint8_t		level;		/* rung of its latest ban */
	uint8_t		flags;		/* BAN_F_* */
	uint32_t	count;		/* bans so far (history) */
	uint64_t	since_ns;	/* latest ban started (wall clock) */
	uint64_t	expires_ns;	/* it ends; 0: not banned (history
					 * only); UINT64_MAX: never */
	uint64_t	last_ns;	/* latest offence, for the decay */
	const char	*reason;	/* interned, valid while the manager
					 * lives; never NULL ("") */
	const char	*tool;		/* interned; "" when unknown */
};

#define BAN_F_MANUAL	0x01	/* by `ghostguard ctl ban` */
#define BAN_F_PROBATION	0x02	/* a probation, off the ladder */
#define BAN_F_PREFIX	0x04	/* an IPv6 prefix from aggregation */

/* What the manager answers; counted per value in struct ban_stats. */
enum ban_rc {
	BAN_OK = 0,		/* banned (or lengthened) */
	BAN_EXISTS,		/* already banned at least that long */
	BAN_ETRUST,		/* never-ban address: refused */
	BAN_ERATE,		/* over max_per_min: refused */
	BAN_EFULL,		/* max_bans reached: refused */
	BAN_ENOMEM,		/* no record free */
	BAN_ENOENT,		/* unban: not banned */
	BAN_EBACKEND		/* the kernel refused (logged by the backend;
				 * the ban is kept and retried) */
};

const char *ban_rc_name(enum ban_rc rc);

/* One element handed to a backend. */
struct ban_item {
	struct gg_addr	addr;		/* host bits cleared */
	uint8_t		plen;
	uint32_t	timeout_s;	/* remaining time, >= 1; 0: no timeout */
};

/*
 * A kernel backend. Each call is one kernel transaction for the whole
 * batch; 0, or -1 with errno after logging why. Elements already present
 * (add) or absent (del) are not errors. replace() makes the kernel's sets
 * hold exactly the given elements, atomically where the kernel allows
 * (nft: flush and add in one batch; ipset: fill a new set and swap), so a
 * restart resyncs without duplicates and without a moment unprotected.
 */
struct ban_backend {
	const char	*name;		/* "nft", "ipset" */
	void		*ctx;
	int		(*add)(void *ctx, const struct ban_item *v, size_t n);
	int		(*del)(void *ctx, const struct ban_item *v, size_t n);
	int		(*replace)(void *ctx, const struct ban_item *v,
			    size_t n);
	void		(*free)(void *ctx);
};

/*
 * The nft backend on table `inet ghostguard` (created by io/fw.c, or by
 * this call when absent): sets ban4 (ipv4_addr), ban6 (ipv6_addr), both
 * flags timeout, and ban6net (ipv6_addr, flags interval,timeout) for
 * prefixes. NULL with errno after logging.
 */
struct ban_backend *ban_nft_new(void);

/*
 * The ipset backend: sets gg-ban4 and gg-ban6 (hash:ip, timeout) and
 * gg-ban6net (hash:net family inet6, timeout), created when absent, with
 * maxelem from max_bans, and drop rules for them at the early hook
 * (prerouting, raw priority, in table `inet ghostguard`). NULL with errno
 * after logging.
 */
struct ban_backend *ban_ipset_new(uint32_t max_bans);

void	ban_backend_free(struct ban_backend *b);

/*
 * Deletes the conntrack entries whose original source is in addr/plen
 * (ctnetlink, all zones), so a banned source's flows stop at once.
 * Returns the number deleted, or -1 with errno.
 */
int	ban_ct_flush(const struct gg_addr *addr, uint8_t plen);

struct ban_stats {
	uint64_t	rc[BAN_EBACKEND + 1];	/* answers, by enum ban_rc */
	uint64_t	bans;		/* bans made (incl. prefixes) */
	uint64_t	expired;	/* bans that ran out */
	uint64_t	unbans;		/* lifted by hand */
	uint64_t	forgotten;	/* history records forgotten */
	uint64_t	active;		/* active bans now */
	uint64_t	active_prefix;	/* of them, prefixes */
	uint64_t	records;	/* bans and history records */
};

struct ban;
struct ban_state;

/*
 * A manager for c (copied), handing its batches to be (may be NULL: no
 * kernel, as in tests and `analyze`), and recording each change in st (may
 * be NULL: nothing kept). NULL on ENOMEM.
 */
struct ban	*ban_new(const struct ban_conf *c, struct ban_backend *be,
		    struct ban_state *st);
void		 ban_free(struct ban *b);

/* New settings (reload); bans in force keep their expiry. */
void		 ban_reconf(struct ban *b, const struct ban_conf *c);

/*
 * The addresses never banned: loopback is built in; nets are the trusted
 * servers and the allow list (plens alongside), self the host's own
 * addresses. Copied; replaces the previous lists.
 */
int		 ban_set_never(struct ban *b, const struct gg_addr *nets,
		    const uint8_t *plens, size_t nnets,
		    const struct gg_addr *self, size_t nself);

/* True when addr/plen (or a part of it) may never be banned. */
bool		 ban_is_never(const struct ban *b, const struct gg_addr *addr,
		    uint8_t plen);

/*
 * Bans addr (a host) for its next rung of the ladder (probation: for
 * probation_s, off the ladder; duration_s != 0: exactly that long, manual
 * bans from ctl, not capped by the rate). reason and tool are interned.
 * *out (may be NULL) gets the record as it is now. The backend gets the
 * element (and an aggregated prefix, when this ban completes one) before
 * this returns, and the state store the record.
 */
enum ban_rc	 ban_add(struct ban *b, const struct gg_addr *addr,
		    uint8_t plen, uint64_t now, const char *reason,
		    const char *tool, bool probation, uint32_t duration_s,
		    unsigned flags, struct ban_entry *out);

/* Lifts the ban on addr/plen (history stays). BAN_OK or BAN_ENOENT. */
enum ban_rc	 ban_del(struct ban *b, const struct gg_addr *addr,
		    uint8_t plen, uint64_t now);

/*
 * The periodic work (call about once a second): expiries (counted, each
 * passed to fn when not NULL, which may log it), the decay of history.
 * Returns the number of bans that expired.
 */
size_t		 ban_tick(struct ban *b, uint64_t now,
		    void (*fn)(void *arg, const struct ban_entry *e),
		    void *arg);

/*
 * Puts e as it is (the state loader): no ladder, caps, backend or journal;
 * a record with the same addr/plen is replaced. BAN_OK, BAN_ETRUST (a
 * never-ban address in an old state file: dropped) or BAN_ENOMEM.
 */
enum ban_rc	 ban_put(struct ban *b, const struct ban_entry *e);

/* The record of addr/plen (active or history), or NULL. */
const struct ban_entry *ban_find(const struct ban *b,
		    const struct gg_addr *addr, uint8_t plen);

/* The active ban covering addr (its host record or a prefix), or NULL. */
const struct ban_entry *ban_lookup(const struct ban *b,
		    const struct gg_addr *addr, uint64_t now);

/* Calls fn for each record (active only when active_only). */
void		 ban_walk(const struct ban *b, bool active_only,
		    void (*fn)(void *arg, const struct ban_entry *e),
		    void *arg);

/*
 * Makes the backend hold exactly the active bans, with their remaining
 * time (start-up, after ban_state_load()). 0 or -1.
 */
int		 ban_sync(struct ban *b, uint64_t now);

const struct ban_stats *ban_stats(const struct ban *b);
size_t		 ban_memory(const struct ban *b);

/*
 * The state store: path is the snapshot ("/var/lib/ghostguard/state"),
 * path + ".journal" the journal. Opening creates neither.
 */
struct ban_state;

struct ban_state *ban_state_open(const char *path);
void		 ban_state_close(struct ban_state *st);

/*
 * Loads snapshot then journal into b (records whose ban expired before
 * now keep their history only). Damaged lines are skipped and each warned
 * about on warn (file:line: why); a missing file is an empty state. Returns
 * the number of records loaded, or -1 with errno (unreadable).
 */
long		 ban_state_load(struct ban_state *st, struct ban *b,
		    uint64_t now, FILE *warn);

/*
 * Appends one record to the journal (called by the manager on each change;
 * a deleted record is written with expires 0). -1 with errno on a write
 * error (ENOSPC): the manager counts it and goes on; the ban stays in force.
 */
int		 ban_state_append(struct ban_state *st,
		    const struct ban_entry *e);

/*
 * Writes a new snapshot of b atomically and empties the journal. -1 with
 * errno on failure (the old snapshot and the journal stay valid).
 */
int		 ban_state_save(struct ban_state *st, const struct ban *b);

/* Bytes in the journal since the last snapshot (to decide when to save). */
size_t		 ban_state_journal_size(const struct ban_state *st);

/* Write errors since open (full disk, ...). */
uint64_t	 ban_state_errors(const struct ban_state *st);

#endif /* BAN_H */
