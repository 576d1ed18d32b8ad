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
 *    /v6_plen prefix are under real bans (probations do not count), the
 *    prefix is banned too (level: the highest of theirs), never before,
 *    and never when it covers a never-ban address.
 *
 * Memory: one fixed-size record per ban or offender (48 bytes), in a
 * table sized once for max_bans plus a quarter of history (full: the
 * history the decay would drop first is evicted, never a ban); reasons and
 * tool names are interned (at most 4096; then "other"), not stored per
 * record. Times are kept in whole seconds, expiries rounded up.
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
	uint32_t	count;		/* ladder bans so far (history): a
					 * probation is not one */
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

/*
 * What a ban is, for people, the same in ctl, the logs and the reports:
 * "ban #N" (the source's N-th ban of the ladder: count), "probation" (a
 * short ban off the ladder, for weak evidence; not counted), or
 * "probation after N bans" (one for a source with history). Into buf;
 * returns buf.
 */
const char *ban_kind(const struct ban_entry *e, char *buf, size_t sz);

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
 * The manager calls add() again for an element already present when it
 * lengthens a ban: the element should then get the new timeout (ipset:
 * -exist; nft: delete and add in the same batch, or update).
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

/*
 * Removes what an earlier ipset backend left, for a daemon that now bans
 * elsewhere (so that a switch of ban-backend leaves no ban in force where
 * `ghostguard ctl unban` cannot lift it): the xtables chain GHOSTGUARD-BAN
 * of both raw tables and the jumps to it, then the sets gg-ban4, gg-ban6,
 * gg-ban4net, gg-ban6net (and replace()'s gg-*-new) destroyed, or emptied
 * when a rule of someone else still matches one. Only those names. The
 * number of sets destroyed or emptied, or -1 with errno after logging.
 */
int	ban_ipset_purge(void);

/*
 * Frees a backend made by ban_nft_new() or ban_ipset_new(): calls
 * b->free(b->ctx) when set, then free(b). So a backend allocates its struct
 * ban_backend with malloc() and its ctx separately. NULL is a no-op.
 */
void	ban_backend_free(struct ban_backend *b);

/*
 * Deletes the conntrack entries whose original source is in addr/plen
 * (ctnetlink, all zones), so a banned source's flows stop at once.
 * Returns the number deleted, or -1 with errno.
 */
int	ban_ct_flush(const struct gg_addr *addr, uint8_t plen);

struct ban_stats {
	uint64_t	rc[BAN_EBACKEND + 1];	/* answers, by enum ban_rc */
	uint64_t	bans;		/* bans made (incl. prefixes and
					 * probations) */
	uint64_t	probations;	/* of them, probations */
	uint64_t	expired;	/* bans that ran out */
	uint64_t	unbans;		/* lifted by hand */
	uint64_t	forgotten;	/* history records forgotten */
	uint64_t	active;		/* active bans now */
	uint64_t	active_prefix;	/* of them, prefixes */
	uint64_t	records;	/* bans and history records */
	uint64_t	evicted;	/* history records evicted for room */
	uint64_t	state_errors;	/* changes the journal refused */
	uint64_t	backend_errors;	/* batches the backend refused */
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

/* Why an address may never be banned (ban_never_which()). */
enum ban_never {
	BAN_NEVER_NO = 0,	/* it may be banned */
	BAN_NEVER_LOOPBACK,	/* it is or covers loopback */
	BAN_NEVER_NET,		/* a never-ban network (trusted, allow) */
	BAN_NEVER_SELF,		/* an address of this host */
	BAN_NEVER_FAMILY	/* no known family */
};

/*
 * Which never-ban entry addr/plen shares an address with: loopback first,
 * then the never-ban networks, then the host's addresses; the entry's
 * network goes to *net and *nplen (each may be NULL; untouched for
 * BAN_NEVER_NO and BAN_NEVER_FAMILY). For the messages that say why a ban
 * was refused.
 */
enum ban_never	 ban_never_which(const struct ban *b,
		    const struct gg_addr *addr, uint8_t plen,
		    struct gg_addr *net, uint8_t *nplen);

/*
 * Bans addr (a host) for its next rung of the ladder (probation: for
 * probation_s, off the ladder; duration_s != 0: exactly that long, manual
 * bans from ctl, not capped by the rate). reason and tool are interned.
 * *out (may be NULL) gets the record as it is now. The backend gets the
 * element (and an aggregated prefix, when this ban completes one) before
 * this returns, and the state store the record.
 *
 * In detail:
 *  - The rung: 0 for a new source; for one with history, one above its
 *    decayed rung (the decay counts from the end of its latest ban or its
 *    latest offence, whichever is later), at most nladder - 1. A probation
 *    keeps the rung and the count; a real ban replaces a probation in force.
 *  - Already banned (by its own record, or by a longer prefix ban covering
 *    it): BAN_OK when the new expiry is later (the ban is lengthened and the
 *    backend gets the element again with its new timeout), else BAN_EXISTS.
 *  - duration_s == UINT32_MAX bans for ever. A request with duration_s != 0
 *    or BAN_F_MANUAL in flags is manual: not counted against max_per_min.
 *    Nothing bypasses the never-ban list or max_bans.
 *  - The rate cap is a sliding window of 60 whole seconds (the current one
 *    and the 59 before); new bans count, lengthening does not.
 *  - probation with probation_s == 0 bans nothing: BAN_EXISTS.
 *  - An address of no known family is refused as BAN_ETRUST.
 *  - BAN_EBACKEND: the ban is in force in the manager and in the journal,
 *    ban_dirty() turns true, and the next ban_sync() gives it to the kernel.
 *    A journal error is counted (stats.state_errors) and changes nothing
 *    else: the answer is that of the ban.
 */
enum ban_rc	 ban_add(struct ban *b, const struct gg_addr *addr,
		    uint8_t plen, uint64_t now, const char *reason,
		    const char *tool, bool probation, uint32_t duration_s,
		    unsigned flags, struct ban_entry *out);

/*
 * Lifts the ban on addr/plen (history stays). BAN_OK, BAN_ENOENT, or
 * BAN_EBACKEND (lifted here and in the journal; the kernel catches up at the
 * next ban_sync()).
 */
enum ban_rc	 ban_del(struct ban *b, const struct gg_addr *addr,
		    uint8_t plen, uint64_t now);

/*
 * The periodic work (call about once a second): expiries (counted, each
 * passed to fn when not NULL, which may log it, but not change b), the
 * forgetting of history decayed below rung 0. It sweeps the whole table,
 * but only once the earliest such event is due. The kernel expires its
 * elements by itself: no backend call. Returns the number of bans that
 * expired.
 */
size_t		 ban_tick(struct ban *b, uint64_t now,
		    void (*fn)(void *arg, const struct ban_entry *e),
		    void *arg);

/*
 * When ban_tick() has something to do next (an expiry or a forgetting), in
 * the clock of its now; UINT64_MAX when nothing is due. A caller that
 * sleeps until then sees a ban end when the kernel's element ends, not up
 * to a second later.
 */
uint64_t	 ban_next_due(const struct ban *b);

/*
 * Puts e as it is (the state loader): no ladder, caps, backend or journal;
 * a record with the same addr/plen is replaced. A record with expires_ns
 * not 0 counts as a ban until ban_tick() sees it expire. BAN_OK, BAN_ETRUST
 * (a never-ban address in an old state file, or no known family: dropped)
 * or BAN_ENOMEM (the table holds no history record to evict).
 */
enum ban_rc	 ban_put(struct ban *b, const struct ban_entry *e);

/*
 * The record of addr/plen (active or history), or NULL. The answer is a
 * copy inside b, valid until the next ban_find() on b.
 */
const struct ban_entry *ban_find(const struct ban *b,
		    const struct gg_addr *addr, uint8_t plen);

/*
 * The active ban covering addr (its host record or the longest prefix), or
 * NULL. The answer is a copy inside b, valid until the next ban_lookup().
 */
const struct ban_entry *ban_lookup(const struct ban *b,
		    const struct gg_addr *addr, uint64_t now);

/*
 * Calls fn for each record (active only when active_only: bans not yet seen
 * expired by ban_tick()). fn must not change b.
 */
void		 ban_walk(const struct ban *b, bool active_only,
		    void (*fn)(void *arg, const struct ban_entry *e),
		    void *arg);

/*
 * Makes the backend hold exactly the active bans, with their remaining
 * time rounded up (at least 1 s; 0 for a ban for ever), in one replace()
 * (start-up, after ban_state_load(), and to retry after BAN_EBACKEND).
 * 0 (also without a backend), or -1 with errno.
 */
int		 ban_sync(struct ban *b, uint64_t now);

/* True when the backend refused a change since the last good ban_sync(). */
bool		 ban_dirty(const struct ban *b);

const struct ban_stats *ban_stats(const struct ban *b);

/*
 * Bytes the manager has allocated: fixed from max_bans at ban_new() (48
 * bytes a record for max_bans + max_bans / 4 + 64 records, plus the hash
 * heads: about 66 bytes a ban, 66 MB for 1M), plus the interned strings and lists.
 */
size_t		 ban_memory(const struct ban *b);

/*
 * The state store: path is the snapshot ("/var/lib/ghostguard/state"),
 * path + ".journal" the journal. Opening creates neither.
 */
struct ban_state;

struct ban_state *ban_state_open(const char *path);

/*
 * The same with the journal at a path of its own (NULL: path + ".journal").
 * Tests give /dev/full to see a full disk.
 */
struct ban_state *ban_state_open_journal(const char *path,
		    const char *journal);
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
 * Loads one state file held in memory (buf, len bytes; name for the
 * warnings), as ban_state_load() does each file, then ban_tick(b, now).
 * Returns the number of records loaded. For the fuzz target and tests.
 */
long		 ban_state_load_buf(struct ban *b, const char *name,
		    const char *buf, size_t len, uint64_t now, FILE *warn);

/*
 * Writes every record of b to f in the state file format (what the
 * snapshot holds). 0, or -1 with errno after the first failed write.
 */
int		 ban_state_write(const struct ban *b, FILE *f);

/*
 * Appends one record to the journal (called by the manager on each change;
 * a deleted record is written with expires 0) in one write() on an
 * O_APPEND descriptor, opened (and created) at the first append. -1 with
 * errno on a write error (ENOSPC): the manager counts it and goes on; the
 * ban stays in force. A partial write is cut off again, or, failing that,
 * the next record starts on a line of its own.
 */
int		 ban_state_append(struct ban_state *st,
		    const struct ban_entry *e);

/*
 * Writes a new snapshot of b atomically (path.tmp, fsync, rename, fsync of
 * the directory) and empties the journal. -1 with errno on failure (the old
 * snapshot and the journal stay valid; replaying a journal over the
 * snapshot that already holds its changes is harmless). Call it from the
 * thread that changes b: it walks b and truncates the journal.
 */
int		 ban_state_save(struct ban_state *st, const struct ban *b);

/* Bytes in the journal since the last snapshot (to decide when to save). */
size_t		 ban_state_journal_size(const struct ban_state *st);

/* Write errors since open (full disk, ...). */
uint64_t	 ban_state_errors(const struct ban_state *st);

#endif /* BAN_H */
