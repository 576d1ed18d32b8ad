/*
 * run_ops.c - the daemon's main thread: bans, the state file, the control
 * socket, the metrics server, the event log, and the loop that serves them.
 *
 * The loop polls a signalfd (SIGHUP reloads, SIGTERM and SIGINT stop), the
 * eventfd through which the queue threads say a ban request is waiting,
 * the control socket and the metrics server, and wakes at least once a
 * second for the ban manager's expiries and the snapshot of the state.
 *
 * A ban request becomes, in this order: the ban manager's decision (ladder,
 * caps, never-ban lists), the kernel element (the backend, before
 * ban_add() returns), the journal line, the conntrack flush, the event
 * line and the log line. Nothing here runs per packet.
 */
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "io/ctl.h"
#include "io/events.h"
#include "io/fw.h"
#include "io/log.h"
#include "io/metrics.h"
#include "run_int.h"

#define OPS_NS		1000000000ull
#define OPS_BATCH	256		/* requests taken per lock */
#define OPS_POLLFDS	96		/* signalfd, eventfd, ctl, metrics */
#define OPS_SAVE_BYTES	(8u << 20)	/* journal size that asks a snapshot */
#define OPS_SAVE_NS	(3600 * OPS_NS)	/* a snapshot at least this often */

void
run_ops_ban_conf(const struct gg_conf *c, struct ban_conf *bc)
{
	unsigned i;

	ban_conf_default(bc);
	for (i = 0; i < c->ban_nladder && i < BAN_LADDER_MAX; i++)
		bc->ladder_s[i] = c->ban_ladder_s[i];
	if (i > 0)
		bc->nladder = i;
	bc->probation_s = c->ban_probation_s;
	bc->forget_s = c->ban_forget_s;
	bc->max_per_min = c->ban_rate;
	bc->max_bans = c->ban_max;
	bc->v6_plen = c->ban_v6_plen;
	bc->v6_min_addrs = c->ban_v6_addrs;
}

/* Appends the networks of l to nets/plens (n used, cap allocated). */
static int
ops_never_add(const struct conf_netlist *l, struct gg_addr **nets,
    uint8_t **plens, size_t *n, size_t *cap)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		if (*n == *cap) {
			size_t nc = *cap ? *cap * 2 : 16;
			struct gg_addr *a = realloc(*nets, nc * sizeof(**nets));
			uint8_t *p;

			if (a == NULL)
				return -1;
			*nets = a;
			if ((p = realloc(*plens, nc)) == NULL)
				return -1;
			*plens = p;
			*cap = nc;
		}
		(*nets)[*n] = l->v[i].addr;
		(*plens)[*n] = l->v[i].plen;
		(*n)++;
	}
	return 0;
}

/* The host's own addresses (getifaddrs); *n of them, malloc'd. */
static struct gg_addr *
ops_self(size_t *n)
{
	struct ifaddrs *ifa, *i;
	struct gg_addr *v = NULL, *nv;
	size_t cap = 0;

	*n = 0;
	if (getifaddrs(&ifa) < 0) {
		log_warn("cannot list the host's addresses: %s",
		    strerror(errno));
		return NULL;
	}
	for (i = ifa; i; i = i->ifa_next) {
		struct gg_addr a = { 0 };

		if (i->ifa_addr == NULL)
			continue;
		if (i->ifa_addr->sa_family == AF_INET) {
			a.family = AF_INET;
			memcpy(a.a, &((struct sockaddr_in *)(void *)
			    i->ifa_addr)->sin_addr, 4);
		} else if (i->ifa_addr->sa_family == AF_INET6) {
			a.family = AF_INET6;
			memcpy(a.a, &((struct sockaddr_in6 *)(void *)
			    i->ifa_addr)->sin6_addr, 16);
		} else {
			continue;
		}
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			if ((nv = realloc(v, cap * sizeof(*v))) == NULL)
				break;
			v = nv;
		}
		v[(*n)++] = a;
	}
	freeifaddrs(ifa);
	return v;
}

void
run_ops_never(struct run *r)
{
	struct gg_addr *nets = NULL, *self;
	uint8_t *plens = NULL;
	size_t n = 0, cap = 0, nself;

	pthread_mutex_lock(&r->lock);
	if (ops_never_add(&r->conf->trusted, &nets, &plens, &n, &cap) < 0 ||
	    ops_never_add(&r->conf->allow, &nets, &plens, &n, &cap) < 0)
		log_err("out of memory listing the never-ban addresses");
	pthread_mutex_unlock(&r->lock);
	self = ops_self(&nself);
	if (ban_set_never(r->ban, nets, plens, n, self, nself) < 0)
		log_err("out of memory setting the never-ban addresses");
	free(nets);
	free(plens);
	free(self);
}

bool
run_ops_request(struct run *r, const struct run_banreq *q)
{
	if (r->banq == NULL || r->banq_n == RUN_BANQ)
		return false;
	r->banq[(r->banq_head + r->banq_n) % RUN_BANQ] = *q;
	r->banq_n++;
	return true;
}

/* "10m", "1h", "permanent": a ban's length for people. */
static const char *
ops_len(const struct ban_entry *e, char *buf, size_t sz)
{
	if (e->expires_ns == UINT64_MAX)
		return "ever";
	return conf_duration_fmt((uint32_t)((e->expires_ns - e->since_ns +
	    OPS_NS / 2) / OPS_NS), buf, sz);
}

/* A wall-clock time (ns) as an RFC 3339 string, for an event field. */
static void
ops_add_time(struct events_line *l, const char *key, uint64_t ns)
{
	time_t t = (time_t)(ns / OPS_NS);
	struct tm tm;
	char buf[40];

	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	events_add_str(l, key, buf);
}

/* The common fields of a ban event. */
static void
ops_event_entry(struct events_line *l, const struct ban_entry *e)
{
	char a[GG_ADDRSTRLEN + 8], kind[48];

	gg_addr_fmt(&e->addr, a);
	if (e->plen != (e->addr.family == AF_INET ? 32 : 128))
		snprintf(a + strlen(a), sizeof(a) - strlen(a), "/%u", e->plen);
	events_add_str(l, "addr", a);
	events_add_str(l, "kind", ban_kind(e, kind, sizeof(kind)));
	events_add_u64(l, "level", e->level);
	events_add_u64(l, "count", e->count);
	events_add_str(l, "reason", e->reason);
	events_add_str(l, "tool", e->tool);
	events_add_bool(l, "manual", e->flags & BAN_F_MANUAL);
	events_add_bool(l, "probation", e->flags & BAN_F_PROBATION);
	events_add_bool(l, "prefix", e->flags & BAN_F_PREFIX);
	if (e->expires_ns == UINT64_MAX)
		events_add_str(l, "expires", "never");
	else if (e->expires_ns)
		ops_add_time(l, "expires", e->expires_ns);
	if (e->since_ns)
		ops_add_time(l, "since", e->since_ns);
}

/* The evidence of a request, as a JSON object. */
static void
ops_event_evidence(struct events_line *l, const struct run_banreq *q)
{
	char tech[160], buf[512];

	run_techniques(q->techniques, tech, sizeof(tech));
	snprintf(buf, sizeof(buf), "{\"techniques\":\"%s\",\"packets\":%u,"
	    "\"requests\":%u,\"users\":%u,\"hosts\":%u,\"answers_404\":%u,"
	    "\"auth_failures\":%u,\"proto\":\"%s\"}", tech, q->packets,
	    q->requests, q->users, q->hosts, q->r_404, q->auth_fail,
	    q->proto == IPPROTO_TCP ? "tcp" : "udp");
	events_add_raw(l, "evidence", buf);
	if (q->sig[0])
		events_add_str(l, "signature", q->sig);
}

/* Why the manager refused q's ban, logged: the never-ban entry by name. */
static void
ops_refused(struct run *r, const struct run_banreq *q, const char *a,
    uint8_t plen, enum ban_rc rc)
{
	struct conf_cidr n = { q->addr, plen };
	char why[512];

	if (rc != BAN_ETRUST || !run_never_why(r, &n, why, sizeof(why)))
		snprintf(why, sizeof(why), "%s", ban_rc_name(rc));
	log_notice("not banned %s (%s): %s", a, q->reason, why);
}

/* One ban request: manager, kernel, journal, conntrack, event, log. */
static void
ops_ban_one(struct run *r, const struct run_banreq *q, uint64_t now)
{
	struct ban_entry e;
	struct events_line l;
	enum ban_rc rc;
	char a[GG_ADDRSTRLEN], len[32], rung[16], kind[48];
	uint8_t plen = q->addr.family == AF_INET ? 32 : 128;
	int n;

	rc = ban_add(r->ban, &q->addr, plen, now, q->reason, q->tool,
	    q->probation, 0, 0, &e);
	gg_addr_fmt(&q->addr, a);
	if (rc == BAN_EXISTS)
		return;
	if (rc != BAN_OK && rc != BAN_EBACKEND) {
		ops_refused(r, q, a, plen, rc);
		return;
	}
	if (r->conf->conntrack_flush && r->be) {
		if ((n = ban_ct_flush(&e.addr, e.plen)) < 0)
			r->ct_errors++;
		else
			r->ct_flushed += (uint64_t)n;
	}
	if (r->events) {
		events_begin(&l, "ban", now);
		ops_event_entry(&l, &e);
		ops_event_evidence(&l, q);
		events_end(r->events, &l);
	}
	if (e.flags & BAN_F_PROBATION)
		rung[0] = '\0';
	else
		snprintf(rung, sizeof(rung), ", rung %u", e.level + 1u);
	log_notice("ban %s for %s (%s%s): %s%s%s%s", a,
	    ops_len(&e, len, sizeof(len)), ban_kind(&e, kind, sizeof(kind)),
	    rung, q->reason, q->tool[0] ? ", tool " : "", q->tool,
	    rc == BAN_EBACKEND ? " (the kernel refused it: retried)" : "");
}

/* Takes the waiting requests, a batch at a time, and bans. */
static void
ops_drain(struct run *r)
{
	static struct run_banreq batch[OPS_BATCH];
	uint64_t v;
	size_t n, i;

	if (read(r->evfd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		log_debug("eventfd: %s", strerror(errno));
	for (;;) {
		pthread_mutex_lock(&r->lock);
		for (n = 0; n < OPS_BATCH && r->banq_n > 0; n++) {
			batch[n] = r->banq[r->banq_head];
			r->banq_head = (r->banq_head + 1) % RUN_BANQ;
			r->banq_n--;
		}
		pthread_mutex_unlock(&r->lock);
		if (n == 0)
			return;
		for (i = 0; i < n; i++)
			ops_ban_one(r, &batch[i], run_clock());
	}
}

/* Expired bans: an event each; the engine judges the source afresh. */
struct ops_expired {
	struct run	*r;
	uint64_t	 now;
};

static void
ops_on_expiry(void *arg, const struct ban_entry *e)
{
	struct ops_expired *x = arg;
	struct run *r = x->r;
	struct events_line l;
	char a[GG_ADDRSTRLEN];

	if (r->events) {
		events_begin(&l, "expiry", x->now);
		ops_event_entry(&l, e);
		events_end(r->events, &l);
	}
	log_info("ban on %s/%u expired", gg_addr_fmt(&e->addr, a), e->plen);
	if (!(e->flags & BAN_F_PREFIX)) {
		pthread_mutex_lock(&r->lock);
		engine_forget(r->engine, &e->addr);
		pthread_mutex_unlock(&r->lock);
	}
}

/* Bans that ended: the loop also comes here when the next one is due. */
static void
ops_expire(struct run *r, uint64_t now)
{
	struct ops_expired x = { r, now };

	ban_tick(r->ban, now, ops_on_expiry, &x);
}

/*
 * Milliseconds until ban_tick() has work, at most cap: the kernel lets a
 * banned source go when its element's timeout ends, and the engine must
 * forget it then, not at the next once-a-second tick (until then the
 * daemon would drop what the kernel let through).
 */
static int
ops_expire_timeout(const struct run *r, int cap)
{
	uint64_t due, now = run_clock(), ms;

	if (r->ban == NULL)
		return cap;
	if ((due = ban_next_due(r->ban)) <= now)
		return 0;
	ms = (due - now + 999999) / 1000000;
	return ms < (uint64_t)cap ? (int)ms : cap;
}

/* Once a second: expiries, a retry of a refused kernel sync, snapshots. */
static void
ops_tick(struct run *r)
{
	struct ops_expired x = { r, run_clock() };

	ops_expire(r, x.now);
	if (r->be && ban_dirty(r->ban) && ban_sync(r->ban, x.now) == 0)
		log_notice("ban backend %s: resynced", r->be->name);
	if (r->st && (ban_state_journal_size(r->st) > OPS_SAVE_BYTES ||
	    (ban_state_journal_size(r->st) > 0 &&
	    x.now - r->saved_ns > OPS_SAVE_NS))) {
		if (ban_state_save(r->st, r->ban) == 0)
			r->saved_ns = x.now;
		else
			log_err("%s: cannot save the state: %s (bans stay in "
			    "force; the journal keeps them)",
			    r->conf->state_file, strerror(errno));
	}
}

/* Makes the directory of path (one level), mode 0750. */
static void
ops_mkdir_for(const char *path)
{
	char dir[4096], *slash;

	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir) ||
	    (slash = strrchr(dir, '/')) == NULL || slash == dir)
		return;
	*slash = '\0';
	if (mkdir(dir, 0750) < 0 && errno != EEXIST)
		log_warn("cannot create %s: %s", dir, strerror(errno));
}

/*
 * Empties ghostguard's own ban sets of the backends not in use (the nft
 * sets of table inet ghostguard; the ipset sets gg-ban* and their chain):
 * after a switch of ban-backend, the bans an earlier backend holds would
 * stay in force where `ghostguard ctl unban` no longer reaches them. The
 * bans themselves are in the state file and go to the backend in use.
 */
static void
ops_purge_others(const char *in_use)
{
	int n;

	if (strcmp(in_use, "nft") && fw_ban_flush() == 0)
		log_info("ban backend %s: the nft ban sets of table inet "
		    "ghostguard emptied", in_use);
	if (strcmp(in_use, "ipset") && (n = ban_ipset_purge()) > 0)
		log_notice("ban backend %s: removed %d ipset set%s (gg-ban*) "
		    "and chain GHOSTGUARD-BAN of an earlier ipset backend",
		    in_use, n, n == 1 ? "" : "s");
}

/* The backend the config names; NULL for none or on failure (logged). */
static int
ops_open_backend(struct run *r)
{
	const char *name = r->conf->ban_backend ? r->conf->ban_backend :
	    "nft";

	/* Dry-run changes no ban in the kernel, not even stale ones. */
	if (!r->dry_run)
		ops_purge_others(name);
	if (!strcmp(name, "none") || r->dry_run) {
		log_notice("ban backend: none%s (scanners are dropped by the "
		    "daemon only)", r->dry_run ? " in dry-run mode" : "");
		return 0;
	}
	r->be = !strcmp(name, "ipset") ? ban_ipset_new(r->conf->ban_max) :
	    ban_nft_new();
	if (r->be == NULL) {
		log_err("ban backend %s: cannot open: %s", name,
		    strerror(errno));
		return -1;
	}
	return 0;
}

/* The ban manager, its state restored into the kernel. */
static int
ops_open_bans(struct run *r)
{
	struct ban_conf bc;
	char *text = NULL;
	size_t len = 0;
	FILE *warn;
	long n = 0;
	uint64_t now = run_clock();

	if ((r->banq = calloc(RUN_BANQ, sizeof(*r->banq))) == NULL ||
	    (r->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0) {
		log_err("ban queue: %s", strerror(errno));
		return -1;
	}
	if (ops_open_backend(r) < 0)
		return -1;
	run_ops_ban_conf(r->conf, &bc);
	if (r->conf->state_file) {
		ops_mkdir_for(r->conf->state_file);
		if ((r->st = ban_state_open(r->conf->state_file)) == NULL) {
			log_err("%s: %s", r->conf->state_file,
			    strerror(errno));
			return -1;
		}
	}
	if ((r->ban = ban_new(&bc, r->be, r->st)) == NULL) {
		log_err("ban manager: out of memory");
		return -1;
	}
	run_ops_never(r);
	if (r->st) {
		if ((warn = open_memstream(&text, &len)) != NULL) {
			n = ban_state_load(r->st, r->ban, now, warn);
			fclose(warn);
		}
		for (char *p = text, *nl; p && *p; p = nl + 1) {
			if ((nl = strchr(p, '\n')) == NULL)
				nl = p + strlen(p) - 1;
			log_warn("%.*s", (int)(nl - p + (*nl != '\n')), p);
		}
		free(text);
		if (n < 0)
			log_err("%s: cannot read the state: %s (starting "
			    "without it)", r->conf->state_file,
			    strerror(errno));
		else if (ban_state_save(r->st, r->ban) < 0)
			log_err("%s: cannot save the state: %s",
			    r->conf->state_file, strerror(errno));
		r->saved_ns = now;
	}
	if (r->be && ban_sync(r->ban, now) < 0)
		log_err("ban backend %s: the restore into the kernel failed; "
		    "retried every second", r->be->name);
	log_notice("bans: backend %s, %llu in force restored from %s (%ld "
	    "records), ladder of %u rungs", r->be ? r->be->name : "none",
	    (unsigned long long)ban_stats(r->ban)->active,
	    r->conf->state_file ? r->conf->state_file : "nowhere (state-file "
	    "off)", n < 0 ? 0 : n, bc.nladder);
	return 0;
}

int
run_ops_open(struct run *r)
{
	char err[256];

	if (ops_open_bans(r) < 0)
		return -1;
	if (r->conf->event_log) {
		ops_mkdir_for(r->conf->event_log);
		if ((r->events = events_open(r->conf->event_log)) == NULL) {
			log_err("event log %s: %s", r->conf->event_log,
			    strerror(errno));
			return -1;
		}
	}
	if (r->conf->control_socket) {
		r->ctl = ctl_open(r->conf->control_socket,
		    r->conf->control_group, run_ctl_handle, r, err,
		    sizeof(err));
		if (r->ctl == NULL) {
			log_err("control socket: %s", err);
			return -1;
		}
	}
	if (r->conf->metrics) {
		r->metrics = metrics_open(r->conf->metrics, run_metrics_render,
		    r, err, sizeof(err));
		if (r->metrics == NULL) {
			log_err("metrics: %s", err);
			return -1;
		}
	}
	log_notice("control socket %s, metrics %s, event log %s",
	    r->conf->control_socket ? r->conf->control_socket : "off",
	    r->conf->metrics ? r->conf->metrics : "off",
	    r->conf->event_log ? r->conf->event_log : "off");
	return 0;
}

/* chown of path (and, with dir, its directory), logged on failure. */
static void
ops_chown(const char *path, bool dir, uid_t uid, gid_t gid)
{
	char d[4096], *slash;

	if (path == NULL)
		return;
	if (chown(path, uid, gid) < 0 && errno != ENOENT)
		log_warn("chown %s: %s", path, strerror(errno));
	if (!dir || snprintf(d, sizeof(d), "%s", path) >= (int)sizeof(d) ||
	    (slash = strrchr(d, '/')) == NULL || slash == d)
		return;
	*slash = '\0';
	if (chown(d, uid, gid) < 0)
		log_warn("chown %s: %s", d, strerror(errno));
}

void
run_ops_chown(struct run *r, uid_t uid, gid_t gid)
{
	char j[4096];

	if (r->conf->state_file) {
		ops_chown(r->conf->state_file, true, uid, gid);
		snprintf(j, sizeof(j), "%s.journal", r->conf->state_file);
		ops_chown(j, false, uid, gid);
	}
	ops_chown(r->conf->event_log, false, uid, gid);
}

/* Bans in force on addresses that may no longer be banned. */
struct ops_lift {
	const struct ban *ban;
	struct ban_item	*v;
	size_t		 n, cap;
};

static void
ops_lift_one(void *arg, const struct ban_entry *e)
{
	struct ops_lift *l = arg;
	struct ban_item *nv;

	if (!ban_is_never(l->ban, &e->addr, e->plen))
		return;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		if ((nv = realloc(l->v, l->cap * sizeof(*nv))) == NULL)
			return;
		l->v = nv;
	}
	l->v[l->n].addr = e->addr;
	l->v[l->n].plen = e->plen;
	l->n++;
}

/*
 * Lifts the bans that the never-ban lists now cover (trust, reload), each
 * logged with the entry that covers it, and written to out (may be NULL).
 */
size_t
run_ops_lift_never(struct run *r, FILE *out)
{
	struct ops_lift l = { r->ban, NULL, 0, 0 };
	struct conf_cidr n;
	char a[GG_ADDRSTRLEN + 8], why[512];
	size_t i, lifted = 0;

	ban_walk(r->ban, true, ops_lift_one, &l);
	for (i = 0; i < l.n; i++) {
		if (ban_del(r->ban, &l.v[i].addr, l.v[i].plen, run_clock()) ==
		    BAN_ENOENT)
			continue;
		lifted++;
		n.addr = l.v[i].addr;
		n.plen = l.v[i].plen;
		if (!run_never_why(r, &n, why, sizeof(why)))
			snprintf(why, sizeof(why), "it is never banned now");
		gg_addr_fmt(&n.addr, a);
		if (n.plen != (n.addr.family == AF_INET ? 32 : 128))
			snprintf(a + strlen(a), sizeof(a) - strlen(a), "/%u",
			    n.plen);
		log_notice("ban on %s lifted: %s", a, why);
		if (out)
			fprintf(out, "ban on %s lifted: %s\n", a, why);
	}
	free(l.v);
	return lifted;
}

void
run_ops_reconf(struct run *r)
{
	struct ban_conf bc;

	run_ops_ban_conf(r->conf, &bc);
	ban_reconf(r->ban, &bc);
	run_ops_never(r);
	(void)run_ops_lift_never(r, NULL);
	if (r->events && events_reopen(r->events) < 0)
		log_err("event log %s: cannot reopen: %s (the old file stays "
		    "in use)", r->conf->event_log, strerror(errno));
}

void
run_ops_event_drop(struct run *r, const struct net_pkt *pkt,
    const struct engine_result *res, const char *tool)
{
	struct events_line l;
	char a[GG_ADDRSTRLEN], d[GG_ADDRSTRLEN], tech[160];

	if (r->events == NULL)
		return;
	run_techniques(res->src ? res->src->techniques : 0, tech,
	    sizeof(tech));
	events_begin(&l, "drop", pkt->ts_ns);
	events_add_str(&l, "addr", gg_addr_fmt(&res->peer, a));
	events_add_str(&l, "dst", gg_addr_fmt(&pkt->dst, d));
	events_add_u64(&l, "dport", pkt->dport);
	events_add_str(&l, "proto", pkt->proto == IPPROTO_TCP ? "tcp" :
	    "udp");
	events_add_str(&l, "class", engine_class_name(res->class));
	events_add_str(&l, "reason", res->reason);
	events_add_str(&l, "tool", tool);
	events_add_str(&l, "techniques", tech);
	events_add_bool(&l, "dry_run", r->dry_run);
	events_end(r->events, &l);
}

/* The signals the loop takes, as a signalfd. */
static int
ops_signalfd(const sigset_t *ss)
{
	return signalfd(-1, ss, SFD_NONBLOCK | SFD_CLOEXEC);
}

/* One signal; true when the daemon must stop. */
static bool
ops_signal(struct run *r, int sfd)
{
	struct signalfd_siginfo si;

	while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			run_reload(r, NULL);
		} else if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) {
			log_notice("%s: stopping", strsignal((int)si.ssi_signo));
			return true;
		}
	}
	return false;
}

static uint64_t
ops_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void
run_ops_loop(struct run *r, const sigset_t *ss)
{
	struct pollfd p[OPS_POLLFDS];
	size_t n, nc, nm;
	uint64_t next_tick = ops_mono_ms() + 1000, now;
	int sfd, timeout;

	if ((sfd = ops_signalfd(ss)) < 0) {
		log_err("signalfd: %s", strerror(errno));
		return;
	}
	for (;;) {
		p[0].fd = sfd;
		p[0].events = POLLIN;
		p[1].fd = r->evfd;
		p[1].events = POLLIN;
		n = 2;
		nc = r->ctl ? ctl_pollfds(r->ctl, p + n, OPS_POLLFDS / 2) : 0;
		n += nc;
		nm = r->metrics ? metrics_pollfds(r->metrics, p + n,
		    OPS_POLLFDS - n) : 0;
		n += nm;
		now = ops_mono_ms();
		timeout = next_tick > now ? (int)(next_tick - now) : 0;
		timeout = ops_expire_timeout(r, timeout);
		if (r->ctl && ctl_timeout(r->ctl, now) >= 0 &&
		    ctl_timeout(r->ctl, now) < timeout)
			timeout = ctl_timeout(r->ctl, now);
		if (r->metrics && metrics_timeout(r->metrics, now) >= 0 &&
		    metrics_timeout(r->metrics, now) < timeout)
			timeout = metrics_timeout(r->metrics, now);
		if (poll(p, n, timeout) < 0 && errno != EINTR) {
			log_err("poll: %s", strerror(errno));
			sleep(1);
			continue;
		}
		if ((p[0].revents & POLLIN) && ops_signal(r, sfd))
			break;
		if (p[1].revents & POLLIN)
			ops_drain(r);
		now = ops_mono_ms();
		if (r->ctl)
			ctl_process(r->ctl, p + 2, nc, now);
		if (r->metrics)
			metrics_process(r->metrics, p + 2 + nc, nm, now);
		if (r->reload_asked) {
			r->reload_asked = false;
			run_reload(r, NULL);
		}
		if (now >= next_tick) {
			ops_tick(r);
			next_tick = now + 1000;
		} else if (r->ban && ban_next_due(r->ban) <= run_clock()) {
			ops_expire(r, run_clock());
		}
	}
	close(sfd);
}

void
run_ops_close(struct run *r)
{
	if (r->evfd >= 0 && r->ban)
		ops_drain(r);
	if (r->st && r->ban) {
		if (ban_state_save(r->st, r->ban) < 0)
			log_err("%s: cannot save the state: %s (the journal "
			    "keeps the bans)", r->conf->state_file,
			    strerror(errno));
		else
			log_notice("state saved: %llu bans in force, %llu "
			    "records", (unsigned long long)
			    ban_stats(r->ban)->active, (unsigned long long)
			    ban_stats(r->ban)->records);
	}
	ctl_close(r->ctl);
	metrics_close(r->metrics);
	events_close(r->events);
	ban_free(r->ban);
	ban_state_close(r->st);
	ban_backend_free(r->be);
	if (r->evfd >= 0)
		close(r->evfd);
	free(r->banq);
	r->ctl = NULL;
	r->metrics = NULL;
	r->events = NULL;
	r->ban = NULL;
	r->st = NULL;
	r->be = NULL;
	r->banq = NULL;
	r->evfd = -1;
}
