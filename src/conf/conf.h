/*
 * conf.h - the configuration file.
 *
 * One file, one directive per line, '#' starts a comment:
 *
 *	ports 5060 5080			SIP ports (UDP and TCP)
 *	trusted 198.51.100.10		a trusted server: address, CIDR or
 *	trusted sip.example.net		host name (resolved when loaded)
 *	protect 192.0.2.0/24		the site ghostguard protects
 *	protect 192.0.2.32/27 trusted-only
 *					INVITEs to it only from trusted servers
 *	no-ip-calls yes			refuse INVITEs to an IP-literal host
 *	allow 192.0.2.200		never judged, never banned
 *	deny 203.0.113.0/24		always dropped
 *	signatures /path/file		signature file (default: built in)
 *	tracker-sources 100000		per-source memory budget, in sources
 *	window 3600			seconds of behaviour remembered
 *	threshold extensions 5		distinct users before "enumeration"
 *	threshold hosts 5		distinct hosts before "sweep"
 *	threshold auth-failures 5	failed authentications before
 *					"password guessing"
 *	threshold rate 50		requests per second before "flood"
 *	threshold malformed 5		malformed messages before "malformed"
 *	threshold policy 5		policy violations before a ban
 *	ban-min-packets 3		packets a source must send before a
 *					detection becomes a ban
 *	min-confidence 80		signature confidence that alone makes
 *					a source a scanner
 *
 * The daemon's bans and its operation (ignored by analyze):
 *
 *	ban-ladder 10m 1h 1d 1w		ban durations of a repeat offender
 *	ban-probation 1m		weak evidence: at most this (0: none)
 *	ban-forget 7d			history: one rung down per period
 *	ban-rate 600			new bans per minute at most
 *	ban-max 1000000			active bans at most
 *	ban-v6-aggregate 64 3		ban a /64 when 3 of its addresses are
 *					banned ("off": never)
 *	ban-backend nft			nft, ipset or none (decide, log)
 *	conntrack-flush yes		flush a banned source's conntrack
 *	state-file /var/lib/ghostguard/state
 *	control-socket /run/ghostguard/ctl.sock
 *	control-group NAME		may use ghostguard ctl (besides root)
 *	metrics 127.0.0.1:9473		Prometheus metrics ("off": none)
 *	event-log /var/log/ghostguard/events.jsonl	("off": none)
 *	user ghostguard			run as this user after set-up
 *
 * Durations are seconds, or a number with s, m, h, d or w.
 *
 * conf_load() reports every error as "file:line: message" and goes on, so
 * one run lists them all; conf_print() writes the canonical form, which
 * parses again to the same configuration. Nothing here runs per packet.
 */
#ifndef CONF_H
#define CONF_H

#include <stdio.h>

#include "../lib/gg.h"

/* An address with a prefix length: a host (plen 32 or 128) or a network. */
struct conf_cidr {
	struct gg_addr	addr;		/* host bits cleared */
	uint8_t		plen;		/* prefix length */
};

/* A list of networks, as written and as resolved. */
struct conf_netlist {
	struct conf_cidr *v;		/* resolved networks */
	size_t		 n;		/* used entries of v */
	size_t		 cap;		/* allocated entries of v */
	char		**src;		/* per entry, the text as written */
	unsigned	*line;		/* per entry, the line it came from */
};

#define CONF_MAX_PORTS	16
#define CONF_LADDER_MAX	8

/* The whole configuration. Defaults come from conf_init(). */
struct gg_conf {
	uint16_t	ports[CONF_MAX_PORTS];	/* SIP ports; 0 ends the list */
	struct conf_netlist trusted;		/* trusted servers */
	struct conf_netlist protect;		/* the protected site */
	struct conf_netlist trusted_only;	/* protected nets that take
						 * INVITE only from trusted */
	struct conf_netlist allow;		/* never judged */
	struct conf_netlist deny;		/* always dropped */
	bool		no_ip_calls;		/* refuse INVITE to IP hosts */
	char		*signatures;		/* path, NULL: built in */
	unsigned long	tracker_sources;	/* tracker budget */
	unsigned	window_s;		/* behaviour memory, seconds */
	unsigned	th_extensions;		/* distinct users: enumeration */
	unsigned	th_hosts;		/* distinct hosts: sweep */
	unsigned	th_auth_failures;	/* failed auths: guessing */
	unsigned	th_rate;		/* requests/s: flood */
	unsigned	th_malformed;		/* malformed messages */
	unsigned	th_policy;		/* policy violations to ban */
	unsigned	ban_min_packets;	/* packets before a ban */
	unsigned	min_confidence;		/* signature alone: scanner */
	bool		no_resolve;		/* host names are errors, not
						 * looked up (fuzzing) */
	bool		host_checks;		/* user and control-group must
						 * exist here (check-config,
						 * the daemon; analyze does
						 * not care) */
	/* The daemon. */
	uint32_t	ban_ladder_s[CONF_LADDER_MAX];	/* ban durations */
	unsigned	ban_nladder;		/* rungs, >= 1 */
	uint32_t	ban_probation_s;	/* 0: no probation */
	uint32_t	ban_forget_s;		/* decay of the history */
	uint32_t	ban_rate;		/* bans per minute */
	uint32_t	ban_max;		/* active bans */
	uint8_t		ban_v6_plen;		/* aggregation prefix */
	uint8_t		ban_v6_addrs;		/* 0: never aggregate */
	char		*ban_backend;		/* "nft", "ipset", "none" */
	bool		conntrack_flush;	/* on each ban */
	char		*state_file;		/* NULL: "off" */
	char		*control_socket;	/* NULL: "off" */
	char		*control_group;		/* NULL: root only */
	char		*metrics;		/* "ADDR:PORT"; NULL: off */
	char		*event_log;		/* NULL: off */
	char		*user;			/* NULL: stay root */
};

/* Sets the defaults. */
void	conf_init(struct gg_conf *c);
/* Frees what conf_init() and the loaders allocated. */
void	conf_fini(struct gg_conf *c);

/*
 * Reads path into c (which conf_init() prepared). Errors go to errs as
 * "path:line: message", one per line. Returns the number of errors (0 on
 * success); c holds every directive that parsed.
 */
int	conf_load(struct gg_conf *c, const char *path, FILE *errs);

/* Same for a buffer; name stands for the file in messages. */
int	conf_load_buf(struct gg_conf *c, const char *name, const char *buf,
	    size_t len, FILE *errs);

/*
 * The settings the daemon reads at start only (its queue rules, the
 * tracker's size, the ban backend, its files, sockets and user) whose
 * values differ between was and now: their names go to names[] (at most
 * max of them, in conf_print() order). Returns how many differ. A reload
 * warns of each: they keep their running values until a restart.
 */
size_t	conf_restart_changes(const struct gg_conf *was,
	    const struct gg_conf *now, const char **names, size_t max);

/*
 * Gives now the running values of those settings, taken from was (whose
 * strings become now's old ones, for conf_fini()): after a reload the
 * configuration in use says what is in force, and a second reload warns
 * again of a change still waiting for the restart.
 */
void	conf_restart_keep(struct gg_conf *now, struct gg_conf *was);

/* Writes the canonical configuration: every setting, one per line. */
void	conf_print(const struct gg_conf *c, FILE *out);

/* True when a lies in one of the networks of l. Inline, an IPv4 address
 * read once: the engine asks four times a packet, mostly of lists of none
 * or one network. */
static inline __attribute__((always_inline)) bool
conf_netlist_has(const struct conf_netlist *l, const struct gg_addr *a)
{
	uint32_t x;
	size_t i;

	if (l->n == 0)
		return false;
	if (a->family != AF_INET) {
		for (i = 0; i < l->n; i++)
			if (gg_addr_in(a, &l->v[i].addr, l->v[i].plen))
				return true;
		return false;
	}
	x = gg_addr_v4(a);
	for (i = 0; i < l->n; i++)
		if (l->v[i].addr.family == AF_INET &&
		    gg_v4_in(x, &l->v[i].addr, l->v[i].plen))
			return true;
	return false;
}

/*
 * Adds network n to l (src: the text as written, line: 0 when not from a
 * file), or removes every entry equal to n. 0, or -1 (ENOMEM; del: none).
 */
int	conf_netlist_add(struct conf_netlist *l, const struct conf_cidr *n,
	    const char *src, unsigned line);
int	conf_netlist_del(struct conf_netlist *l, const struct conf_cidr *n);

/* Parses a duration ("90", "90s", "10m", "1h", "1d", "1w"); 0 or -1. */
int	conf_duration_parse(const char *s, uint32_t *out);

/* Writes a duration in its largest exact unit ("10m"); returns buf. */
char	*conf_duration_fmt(uint32_t s, char *buf, size_t sz);

/* Parses "ADDR" or "ADDR/PLEN" into *out; 0 or -1. */
int	conf_cidr_parse(const char *s, struct conf_cidr *out);

#endif /* CONF_H */
