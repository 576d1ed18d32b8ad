/*
 * fw.h - the daemon's firewall rules: its nftables table and the queue rules.
 *
 * fw_install() installs, in ONE nftables transaction through libnftables,
 * the table `inet ghostguard`: the set of protected ports, one ban set per
 * family (flag timeout; filled by the ban manager, empty for now), a
 * prerouting chain at raw priority that drops banned sources before
 * conntrack and before the queue, and three chains hooked at input, forward
 * and output (priority mangle) that queue every UDP and TCP packet whose
 * destination OR source port is protected, both directions, with the bypass
 * flag (no listener: the packet passes). Nothing outside that table is
 * touched by this transaction. Re-running it (after a crash) flushes and
 * refills the chains, so rules never pile up; set elements (bans) stay.
 *
 * Kernels without nft_queue refuse the `queue` statement ("No such file or
 * directory"); the transaction then fails whole, and fw_install() installs
 * the table without the queue chains and queues through the xtables NFQUEUE
 * target instead, by exec'ing iptables-nft-restore and ip6tables-nft-restore
 * (--noflush, one atomic restore per family) at start and at exit only:
 * chains GHOSTGUARD-IN, -FWD and -OUT in the `mangle` table, jumped to from
 * the end of its INPUT, FORWARD and OUTPUT. The mangle table, not filter:
 * an NFQUEUE accept ends the traversal of the table that queued the packet,
 * so queuing from filter would let SIP packets skip the host's own filter
 * rules after ours; from mangle (priority -150) they still meet the host's
 * whole filter table, as with the native chains.
 *
 * fw_remove() removes the queue rules only (the native queue chains, or the
 * GHOSTGUARD chains and their jumps): the table, its sets and the prerouting
 * chain stay, so bans outlive the daemon (DESIGN.md: "removes the rules,
 * not the bans"). Stale GHOSTGUARD chains left by a killed daemon are
 * removed by the next fw_install().
 *
 * Start-up and exit only; nothing here runs per packet.
 */
#ifndef FW_H
#define FW_H

#include <stddef.h>
#include <stdint.h>

enum fw_mode {
	FW_NONE = 0,		/* nothing installed */
	FW_NFT,			/* native nft queue statement */
	FW_XTABLES		/* xtables NFQUEUE via iptables-nft */
};

/* What to queue. */
struct fw_spec {
	const uint16_t	*ports;		/* protected ports (UDP and TCP) */
	size_t		 nports;	/* at least 1 */
	uint16_t	 queue;		/* first queue number */
	uint16_t	 nqueues;	/* queues, balanced by flow hash
					 * (both directions of an address
					 * pair go to the same queue) */
};

struct fw;

/* A handle with its libnftables context; NULL on ENOMEM. */
struct fw	*fw_new(void);

/*
 * Installs the table and the queue rules: native first, else the xtables
 * fallback. 0, or -1 after logging why (nothing of ours stays installed
 * but the table).
 */
int		 fw_install(struct fw *fw, const struct fw_spec *spec);

/* Removes the queue rules (see above); 0, or -1 after logging why. */
int		 fw_remove(struct fw *fw);

enum fw_mode	 fw_mode(const struct fw *fw);
const char	*fw_mode_name(enum fw_mode m);

/*
 * The ban sets alone (for the ban backend when the daemon has not run, as
 * `ghostguard restore` at boot): table `inet ghostguard`, sets ban4, ban6
 * (hash, flags timeout), ban4net, ban6net (flags interval,timeout) and the
 * prerouting chain (priority raw) dropping their sources, with counters.
 * The same text fw_install() runs: idempotent, elements stay. 0, or -1
 * after logging why.
 */
int		 fw_ban_install(void);

/*
 * The same, then the four ban sets emptied, in one transaction: for the
 * daemon at start when its bans go to another backend (ipset, none), so
 * that no ban of an earlier nft backend stays in force where `ghostguard
 * ctl unban` cannot lift it. 0, or -1 after logging why.
 */
int		 fw_ban_flush(void);

/*
 * Makes the xtables chain `chain` of `table` (v6: ip6tables) hold exactly
 * `rules` ("-A chain ..." lines, each ending in a newline), jumped to once
 * from the head of the built-in chain `hook`: one atomic
 * {ip,ip6}tables-nft-restore --noflush; the jump is added only when
 * {ip,ip6}tables-nft-save does not list it. For the ipset backend's drop
 * rules. 0, or -1 after logging why.
 */
int		 fw_xt_chain(int v6, const char *table, const char *hook,
		    const char *chain, const char *rules);

/*
 * Removes, in both families' `table`, every xtables chain whose name starts
 * with `chain` and every jump to one (one atomic restore a family; nothing
 * when iptables-nft is missing). For the ipset backend's GHOSTGUARD-BAN
 * chain when another backend is in use. The number of families where some
 * were removed, or -1 after logging why.
 */
int		 fw_xt_remove(const char *table, const char *chain);

/* Frees the handle; does not remove anything (see fw_remove). */
void		 fw_free(struct fw *fw);

#endif /* FW_H */
