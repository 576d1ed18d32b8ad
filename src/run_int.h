/*
 * run_int.h - the inline daemon's parts, shared by run.c (set-up and the
 * packet path), run_ops.c (the main thread: bans, the event loop) and
 * run_ctl.c (ghostguard ctl's commands and the metrics page).
 *
 * Threads: the queue threads judge packets (run.c) and share the engine
 * behind r->lock. A packet that decides a ban does no kernel work itself: it
 * puts a request in r->banq (under the same lock) and wakes the main thread
 * through r->evfd. The main thread alone owns the ban manager, its backend
 * and state file, the control socket and the metrics server; it takes the
 * lock only to read or change the engine (explain, unban, trust, reload,
 * expiry).
 */
#ifndef RUN_INT_H
#define RUN_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "ban/ban.h"
#include "conf/conf.h"
#include "engine/engine.h"
#include "net/net.h"
#include "sip/sip.h"

struct run;
struct ctl;
struct metrics;
struct events;

/* One queue and its thread. */
struct worker {
	struct run	*run;
	struct nfqueue	*q;
	struct net	*net;		/* this thread's decoder */
	pthread_t	 tid;
	bool		 started;
	struct sip_msg	 msg;		/* the payload being judged */
	enum engine_verdict verdict;	/* worst of the packet's payloads */
	struct net_pkt	 forget;	/* key of a TCP stream whose dropped
					 * payload will be retransmitted */
	bool		 have_forget;
	uint64_t	 errors;	/* failed receives */
	bool		 wake;		/* a ban request to signal */
};

/* A ban decided on the packet path, for the main thread. */
struct run_banreq {
	struct gg_addr	addr;
	bool		probation;	/* weak evidence: a short ban */
	uint64_t	ts_ns;		/* the deciding packet */
	uint32_t	techniques;	/* ENGINE_T_* */
	uint32_t	packets;	/* evidence, from the tracker */
	uint32_t	requests;
	uint16_t	users, hosts, r_404, auth_fail;
	uint8_t		proto;		/* of the deciding packet */
	char		reason[BAN_REASON_MAX];
	char		tool[BAN_TOOL_MAX];
	char		sig[48];	/* signature name, "" */
};

#define RUN_BANQ	4096		/* requests waiting at most */
#define RUN_TOOLS	64		/* tools counted by name */

/* Counters of the packet path, read by the metrics page. */
struct run_counters {
	atomic_uint_fast64_t verdicts[3];	/* packets by engine verdict */
	atomic_uint_fast64_t parse[8];		/* payloads by enum sip_rc */
	atomic_uint_fast64_t hist[20];		/* processing time buckets */
	atomic_uint_fast64_t hist_sum_ns;
	atomic_uint_fast64_t hist_count;
	/* Under r->lock: */
	uint64_t	tech[ENGINE_T_COUNT];	/* scanners by technique */
	struct {
		char	 name[BAN_TOOL_MAX];
		uint64_t n;
	}		tools[RUN_TOOLS];	/* scanners by tool */
	size_t		ntools;
	uint64_t	banq_full;		/* requests lost: queue full */
	uint64_t	first_drops;		/* sources dropped once */
};

struct run {
	const char	*cpath;		/* configuration file */
	bool		 dry_run;	/* accept everything */
	bool		 foreground;
	struct gg_conf	*conf;		/* in use by the engine */
	struct sigset	*sigs;
	struct engine	*engine;
	pthread_mutex_t	 lock;		/* the engine, conf, sigs, banq,
					 * the locked counters */
	struct worker	*w;
	unsigned	 nw;
	uint16_t	 queue0;	/* first queue number */
	atomic_int	 stop;		/* the threads finish their batch */
	struct fw	*fw;
	uint64_t	 log_sec;	/* second of the event lines counted */
	unsigned	 log_n;		/* event lines in that second */
	uint64_t	 log_skipped;	/* lines not written since */
	uint64_t	 start_ns;	/* wall clock at start */

	/* Ban requests from the queue threads (ring, under lock). */
	struct run_banreq *banq;
	size_t		 banq_head, banq_n;
	int		 evfd;		/* eventfd: requests are waiting */

	/* The main thread's. */
	struct ban	*ban;
	struct ban_backend *be;		/* NULL: ban-backend none */
	struct ban_state *st;		/* NULL: state-file off */
	uint64_t	 saved_ns;	/* latest snapshot */
	struct ctl	*ctl;
	struct metrics	*metrics;
	struct events	*events;
	uint64_t	 ct_flushed;	/* conntrack entries deleted */
	uint64_t	 ct_errors;
	bool		 reload_asked;	/* by ctl reload */

	struct run_counters c;
};

/* Realtime-based clock that never steps backwards (ns since the epoch). */
uint64_t	 run_clock(void);

/* "signature+flood" from ENGINE_T_* bits. */
void		 run_techniques(uint32_t t, char *buf, size_t sz);

/*
 * SIGHUP, ctl reload: 0 when the new configuration is in use. Its errors
 * and warnings are logged, and written to also when not NULL.
 */
int		 run_reload(struct run *r, FILE *also);

/*
 * run_ops.c: opens the bans (backend, state file, restore into the
 * kernel), the control socket, the metrics server and the event log; 0, or
 * -1 after logging why (start-up fails).
 */
int		 run_ops_open(struct run *r);

/* Owns the files and sockets of run_ops_open() to user (before the drop). */
void		 run_ops_chown(struct run *r, uid_t uid, gid_t gid);

/* The main thread's loop until SIGTERM or SIGINT. */
void		 run_ops_loop(struct run *r, const sigset_t *ss);

/* Saves the state and closes everything run_ops_open() opened. */
void		 run_ops_close(struct run *r);

/* After a reload: the new never-ban lists and ban settings. */
void		 run_ops_reconf(struct run *r);

/* Queues a ban request (called with r->lock held); false when full. */
bool		 run_ops_request(struct run *r, const struct run_banreq *q);

/* The ban manager's settings from the configuration. */
void		 run_ops_ban_conf(const struct gg_conf *c, struct ban_conf *bc);

/* The never-ban lists: trusted, allow, the host's addresses. */
void		 run_ops_never(struct run *r);

/*
 * Lifts the bans in force that the never-ban lists now cover; each is
 * logged naming the entry ("ban on 203.0.113.5 lifted: it is the trusted
 * server 203.0.113.5 (by ctl trust)") and written to out too (may be
 * NULL). The number lifted.
 */
size_t		 run_ops_lift_never(struct run *r, FILE *out);

/* A first drop of a source, for the event log (any thread). */
void		 run_ops_event_drop(struct run *r, const struct net_pkt *pkt,
		    const struct engine_result *res, const char *tool);

/*
 * run_ctl.c: why n may never be banned, into buf: the trusted server,
 * allowed address, address of this host or loopback it is, is in or
 * covers, by name ("it is in the trusted network 198.51.100.0/24 (line 3
 * of FILE)"). False when it may be banned. Takes r->lock.
 */
bool		 run_never_why(struct run *r, const struct conf_cidr *n,
		    char *buf, size_t sz);

/* run_ctl.c: a ghostguard ctl request (ctl_handler). */
int		 run_ctl_handle(void *arg, int argc, char **argv, FILE *out);

/* run_ctl.c: the metrics page. */
void		 run_metrics_render(void *arg, FILE *out);

/* The histogram's upper bounds, ns (run_ctl.c). */
extern const uint64_t run_hist_le_ns[20];

#endif /* RUN_INT_H */
