/*
 * run.c - `ghostguard run`: the inline daemon.
 *
 * The same path as analyze (analyze.c), fed by NFQUEUE instead of a
 * capture: each queued IP packet goes through net_feed_ip() (decode,
 * defragment, TCP framing), each SIP payload it yields through
 * analyze_parse_payload() and engine_feed(), and the packet gets the worst
 * verdict of its payloads: ENGINE_DROP or ENGINE_DROP_BAN drop it,
 * silently (no answer is ever sent); a packet with no SIP payload (a TCP
 * segment that completes no message, a keep-alive) is accepted. --dry-run
 * decides and logs the same, and accepts everything.
 *
 * Threads: one per queue (--queue-balance N: N queues, the kernel spreads
 * packets over them by a hash of the address pair and protocol, the same
 * for both directions). Each thread has its own decoder (a TCP stream or a
 * fragmented datagram stays in one queue), but all share ONE engine behind
 * a mutex: a scanner sweeping many addresses hashes to different queues,
 * and its behaviour is only visible when one tracker sees all of it. The
 * lock is held for engine_feed() alone (uncontended it costs no syscall).
 *
 * The main thread installs the firewall rules (io/fw.c), starts the queue
 * threads and waits for signals: SIGHUP reloads the configuration (a bad
 * one is logged as file:line and the old one stays; the engine keeps its
 * tracker: engine_reload; a changed setting read at start only keeps its
 * running value, with a warning: conf_restart_changes()), SIGTERM and SIGINT remove the queue rules, let
 * the threads answer what was already queued, and exit.
 *
 * Per packet: no allocation, no syscall but the batched recvmmsg() and
 * verdict sendto() of io/nfq.c; the time stamp is read once per batch
 * (vDSO), the processing time with one more read a packet; the counters
 * are added up per thread and folded into the shared ones once a batch.
 * A source's first drop and its detection are logged (one line each).
 */
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/netfilter.h>

#include "analyze.h"
#include "conf/conf.h"
#include "engine/engine.h"
#include "io/fw.h"
#include "io/log.h"
#include "io/nfq.h"
#include "net/net.h"
#include "run.h"
#include "run_int.h"
#include "sandbox.h"
#include "sip/sip.h"

#define RUN_DEFAULT_CONF	"/etc/ghostguard/ghostguard.conf"
/* Packets waiting in the kernel: more than the 16 MiB receive buffer
 * holds, so an overload overflows the socket first, which shows as packet
 * ids never delivered (counted), not as a silent queue-full fail-open. */
#define RUN_QUEUE_MAXLEN	65536
#define RUN_MAX_QUEUES		64
#define RUN_LOG_PER_SEC		50	/* event lines per second at most:
					 * a flood of spoofed sources must
					 * not become a flood of syslog
					 * calls */

/* Realtime at start plus monotonic time since: epoch-like, never steps. */
static uint64_t	run_clock_off;

static uint64_t
run_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t
run_clock(void)
{
	return run_clock_off + run_mono_ns();
}

/*
 * This thread's counts for the batch being judged, added to the shared
 * counters (r->c) once a batch by run_batch_done(), before the batch's
 * verdicts go: a handful of atomic adds a batch instead of five a packet
 * (each a locked instruction). mono is the end of the last judging: one
 * clock read a packet times it.
 */
struct run_tl {
	uint64_t	mono;
	uint32_t	dirty_v;	/* bit per verdicts[] counted */
	uint32_t	dirty_p;	/* parse[] */
	uint32_t	dirty_h;	/* hist[] */
	uint64_t	verdicts[3];
	uint64_t	parse[8];
	uint64_t	hist[20];
	uint64_t	hist_sum_ns;
	uint64_t	hist_count;
};
static __thread struct run_tl run_tl;

/* nfqueue_batch's clock: once a batch, after the receive. */
static uint64_t
run_batch_clock(void)
{
	run_tl.mono = run_mono_ns();
	return run_clock_off + run_tl.mono;
}

static void
run_clock_init(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	run_clock_off = (uint64_t)ts.tv_sec * 1000000000u +
	    (uint64_t)ts.tv_nsec - run_mono_ns();
}

/*
 * Loads the configuration and signatures exactly as analyze does, with
 * each error (file:line: message) logged, and written to also (ctl
 * reload's client) when not NULL. Returns the number of errors.
 */
static int
run_load(const char *path, struct gg_conf *conf, struct sigset *sigs,
    FILE *also)
{
	char *text = NULL, *p, *nl;
	size_t len = 0;
	FILE *f;
	int errs;

	if ((f = open_memstream(&text, &len)) == NULL)
		return load_conf_and_sigs_to(path, conf, sigs, stderr, true);
	errs = load_conf_and_sigs_to(path, conf, sigs, f, true);
	fclose(f);
	for (p = text; p && *p; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL)
			nl = p + strlen(p) - 1;
		log_err("%.*s", (int)(nl - p + (*nl != '\n')), p);
	}
	if (also && text)
		fputs(text, also);
	free(text);
	return errs;
}

/*
 * Warns, in the log and to also, of each changed setting that only a
 * restart applies (conf_restart_changes()), in one line.
 */
static void
run_reload_warn(const struct run *r, const struct gg_conf *conf, FILE *also)
{
	const char *names[32];
	char list[512];
	size_t n, i, len = 0;

	n = conf_restart_changes(r->conf, conf, names, GG_NELEM(names) - 1);
	if (n > GG_NELEM(names) - 1)
		n = GG_NELEM(names) - 1;
	/* The ipset sets were made with ban-max as their size. */
	if (conf->ban_max != r->conf->ban_max && r->be &&
	    !strcmp(r->be->name, "ipset"))
		names[n++] = "ban-max (the size of the ipset sets)";
	if (n == 0)
		return;
	list[0] = '\0';
	for (i = 0; i < n && len < sizeof(list); i++)
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s",
		    i ? ", " : "", names[i]);
	log_warn("reload: %s changed: %s until a restart", list,
	    n == 1 ? "its running value stays" : "their running values stay");
	if (also)
		fprintf(also, "warning: %s changed: %s until a restart\n",
		    list, n == 1 ? "its running value stays" :
		    "their running values stay");
}

/* "signature+flood": the techniques established so far. */
void
run_techniques(uint32_t t, char *buf, size_t sz)
{
	size_t i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < ENGINE_T_COUNT && len + 1 < sz; i++)
		if (t & (1u << i))
			len += (size_t)snprintf(buf + len, sz - len, "%s%s",
			    len ? "+" : "",
			    engine_tech_name((enum engine_tech)(1u << i)));
	if (len == 0)
		snprintf(buf, sz, "none");
}

/*
 * One line about a source's first drop or its detection. Called with the
 * lock held: res->src and the signatures belong to the engine.
 */
static void
run_describe(const struct run *r, const struct net_pkt *pkt,
    const struct sip_msg *m, enum sip_rc rc, const struct engine_result *res,
    char *line, size_t sz)
{
	char peer[GG_ADDRSTRLEN], s[GG_ADDRSTRLEN], d[GG_ADDRSTRLEN];
	char what[32], tech[160];
	const struct sig *sig = res->sig;

	if (sig == NULL && res->src && res->src->sig)
		sig = engine_src_sig(r->engine, res->src);
	if (rc == SIP_OK || rc == SIP_EBADMSG) {
		if (m->is_request)
			gg_str_print(m->method, what, sizeof(what));
		else
			snprintf(what, sizeof(what), "%d", m->status);
	} else {
		snprintf(what, sizeof(what), "non-SIP");
	}
	run_techniques(res->src ? res->src->techniques : 0, tech,
	    sizeof(tech));
	snprintf(line, sz, "%s%s %s (%s): %s %s:%u -> %s:%u/%s, reason %s, "
	    "tool %s%s%s%s, techniques %s%s%s",
	    r->dry_run ? "dry-run: would " : "",
	    res->verdict == ENGINE_ACCEPT ? "detect" :
	    engine_verdict_name(res->verdict),
	    gg_addr_fmt(&res->peer, peer), engine_class_name(res->class),
	    what, gg_addr_fmt(&pkt->src, s), pkt->sport,
	    gg_addr_fmt(&pkt->dst, d), pkt->dport,
	    pkt->proto == 6 ? "tcp" : "udp", res->reason,
	    sig ? sig->tool : "-", sig ? " (signature " : "",
	    sig ? sig->name : "", sig ? ")" : "", tech,
	    res->detected ? ", detected" : "", res->ban ? ", ban decided" : "");
}

/*
 * True when one more event line fits in this second's budget. *skipped is
 * set to the lines suppressed in earlier seconds, to be reported once.
 * Called with the lock held.
 */
static bool
run_log_budget(struct run *r, uint64_t ts_ns, uint64_t *skipped)
{
	uint64_t sec = ts_ns / 1000000000u;

	if (sec != r->log_sec) {
		r->log_sec = sec;
		r->log_n = 0;
		*skipped = r->log_skipped;
		r->log_skipped = 0;
	}
	if (r->log_n >= RUN_LOG_PER_SEC) {
		r->log_skipped++;
		return false;
	}
	r->log_n++;
	return true;
}

/* Counts a newly detected scanner by tool and technique (lock held). */
static void
run_count_detection(struct run *r, const struct engine_result *res,
    const char *tool)
{
	struct run_counters *c = &r->c;
	uint32_t t = res->src ? res->src->techniques : res->new_techniques;
	size_t i;

	for (i = 0; i < ENGINE_T_COUNT; i++)
		if (t & (1u << i))
			c->tech[i]++;
	if (tool[0] == '\0')
		tool = "unknown";
	for (i = 0; i < c->ntools; i++)
		if (!strcmp(c->tools[i].name, tool))
			break;
	if (i == c->ntools) {
		/* The last slot counts every tool beyond the others. */
		if (c->ntools < RUN_TOOLS)
			c->ntools++;
		i = c->ntools - 1;
		snprintf(c->tools[i].name, sizeof(c->tools[0].name), "%s",
		    i == RUN_TOOLS - 1 ? "other" : tool);
	}
	c->tools[i].n++;
}

/*
 * The ban request for a source the engine convicted (lock held): a ban
 * when the engine decided one, a probation when the evidence is one
 * spoofable packet; for a trusted address, a request the ban manager
 * refuses (and counts). The kernel work is the main thread's.
 */
static void
run_request_ban(struct worker *w, const struct net_pkt *pkt,
    const struct engine_result *res, const char *tool, const char *signame)
{
	struct run *r = w->run;
	const struct track_src *s = res->src;
	struct run_banreq q;

	memset(&q, 0, sizeof(q));
	q.addr = res->peer;
	q.probation = !res->ban;
	q.ts_ns = pkt->ts_ns;
	q.proto = pkt->proto;
	if (s) {
		q.techniques = s->techniques;
		q.packets = s->packets;
		q.requests = s->requests;
		q.users = s->users.n;
		q.hosts = s->hosts.n;
		q.r_404 = s->r_404;
		q.auth_fail = s->auth_fail;
	}
	if (res->class == ENGINE_SCANNER)
		run_techniques(q.techniques, q.reason, sizeof(q.reason));
	else if (res->policy != POLICY_OK)
		snprintf(q.reason, sizeof(q.reason), "policy %s",
		    policy_rule_name(res->policy));
	else
		snprintf(q.reason, sizeof(q.reason), "%s", res->reason);
	snprintf(q.tool, sizeof(q.tool), "%s", tool);
	snprintf(q.sig, sizeof(q.sig), "%s", signame);
	if (run_ops_request(r, &q))
		w->wake = true;
	else
		r->c.banq_full++;
}

/* The decoder's sink: one SIP payload through parse and engine. */
static void
run_sink(void *arg, const struct net_pkt *pkt)
{
	struct worker *w = arg;
	struct run *r = w->run;
	struct engine_result res;
	const struct sig *sig;
	enum sip_rc rc;
	char line[512], tool[BAN_TOOL_MAX], signame[48];
	uint64_t skipped = 0;
	bool note, first_drop;

	rc = analyze_parse_payload(&w->msg, pkt);
	if ((unsigned)rc < GG_NELEM(run_tl.parse)) {
		run_tl.parse[rc]++;
		run_tl.dirty_p |= 1u << rc;
	}
	pthread_mutex_lock(&r->lock);
	engine_feed(r->engine, pkt, &w->msg, rc, &res);
	first_drop = res.verdict != ENGINE_ACCEPT && res.src &&
	    res.src->dropped == 1;
	note = res.detected || res.ban || first_drop;
	if (note) {
		/* Names copied now: a reload may free the signatures. Set
		 * only here: clearing the arrays for every packet was a
		 * dozen stores. */
		tool[0] = signame[0] = '\0';
		sig = res.sig;
		if (sig == NULL && res.src && res.src->sig)
			sig = engine_src_sig(r->engine, res.src);
		if (sig) {
			snprintf(tool, sizeof(tool), "%s", sig->tool);
			snprintf(signame, sizeof(signame), "%s", sig->name);
		}
		if (res.detected)
			run_count_detection(r, &res, tool);
		if (first_drop)
			r->c.first_drops++;
		if (!r->dry_run && !res.trusted && (res.ban ||
		    (res.detected && res.verdict != ENGINE_ACCEPT &&
		    res.peer_sent)))
			run_request_ban(w, pkt, &res, tool, signame);
		/*
		 * A tool's fingerprint with a trusted address (a spoof): the
		 * ban manager refuses it and counts the refusal, once per
		 * source the tracker holds, so a flood costs one request.
		 */
		if (!r->dry_run && res.trusted && first_drop)
			run_request_ban(w, pkt, &res, tool, signame);
		note = run_log_budget(r, pkt->ts_ns, &skipped);
	}
	if (note)
		run_describe(r, pkt, &w->msg, rc, &res, line, sizeof(line));
	pthread_mutex_unlock(&r->lock);
	if (skipped)
		log_notice("%llu event lines not written in the last "
		    "second(s) (more than %u a second)",
		    (unsigned long long)skipped, RUN_LOG_PER_SEC);
	if (note) {
		log_notice("%s", line);
		if (first_drop)
			run_ops_event_drop(r, pkt, &res, tool);
	}
	if (res.verdict > w->verdict)
		w->verdict = res.verdict;
	if (res.verdict != ENGINE_ACCEPT && pkt->proto == IPPROTO_TCP) {
		w->forget = *pkt;
		w->have_forget = true;
	}
}

const uint64_t run_hist_le_ns[20] = {
	1000, 2000, 5000, 10000, 20000, 50000, 100000, 200000, 500000,
	1000000, 2000000, 5000000, 10000000, 20000000, 50000000, 100000000,
	200000000, 500000000, 1000000000, UINT64_MAX
};

/* The processing time of one packet, into this thread's histogram. */
static void
run_observe(uint64_t ns)
{
	size_t i;

	for (i = 0; i < GG_NELEM(run_hist_le_ns) - 1 &&
	    ns > run_hist_le_ns[i]; i++)
		;
	run_tl.hist[i]++;
	run_tl.dirty_h |= 1u << i;
	run_tl.hist_sum_ns += ns;
	run_tl.hist_count++;
}

static void
run_fold(atomic_uint_fast64_t *dst, uint64_t *src, uint32_t *dirty)
{
	uint32_t d = *dirty;

	while (d) {
		unsigned i = (unsigned)__builtin_ctz(d);

		atomic_fetch_add_explicit(&dst[i], src[i],
		    memory_order_relaxed);
		src[i] = 0;
		d &= d - 1;
	}
	*dirty = 0;
}

/* nfqueue_batch's done: the batch's counts into the shared counters (only
 * those counted: a batch is often one packet, and a scan of all 33 was
 * some 240 instructions of it). */
static void
run_batch_done(void *arg)
{
	struct worker *w = arg;
	struct run_counters *c = &w->run->c;

	run_fold(c->verdicts, run_tl.verdicts, &run_tl.dirty_v);
	run_fold(c->parse, run_tl.parse, &run_tl.dirty_p);
	run_fold(c->hist, run_tl.hist, &run_tl.dirty_h);
	if (run_tl.hist_count) {
		atomic_fetch_add_explicit(&c->hist_sum_ns,
		    run_tl.hist_sum_ns, memory_order_relaxed);
		atomic_fetch_add_explicit(&c->hist_count,
		    run_tl.hist_count, memory_order_relaxed);
		run_tl.hist_sum_ns = 0;
		run_tl.hist_count = 0;
	}
}

/* nfqueue's judge: one whole IP packet. */
static int
run_judge(void *arg, const uint8_t *pkt, size_t len, uint64_t ts_ns)
{
	struct worker *w = arg;
	struct run *r = w->run;
	uint64_t t1;
	int v;

	w->verdict = ENGINE_ACCEPT;
	w->have_forget = false;
	net_feed_ip(w->net, pkt, len, ts_ns, run_sink, w);
	if ((unsigned)w->verdict < GG_NELEM(run_tl.verdicts)) {
		run_tl.verdicts[w->verdict]++;
		run_tl.dirty_v |= 1u << w->verdict;
	}
	if (w->verdict == ENGINE_ACCEPT || r->dry_run) {
		v = NF_ACCEPT;
	} else {
		/*
		 * A dropped TCP segment comes back as a retransmission: the
		 * decoder must judge it again, not trim it as bytes already
		 * seen (only now, after the feed: the stream's buffer was in
		 * use during it).
		 */
		if (w->have_forget)
			net_tcp_forget(w->net, &w->forget);
		v = NF_DROP;
	}
	/* From the end of the previous packet's judging (or the batch's
	 * receive): the time of this one, with one clock read. */
	t1 = run_mono_ns();
	run_observe(t1 - run_tl.mono);
	run_tl.mono = t1;
	return v;
}

/* SIGUSR2 only interrupts a thread's wait (no SA_RESTART). */
static void
run_wake(int sig)
{
	(void)sig;
}

static void *
run_worker(void *arg)
{
	struct worker *w = arg;
	struct timespec pause = { 0, 10 * 1000 * 1000 };
	sigset_t ss;
	int i;

	sigemptyset(&ss);
	sigaddset(&ss, SIGUSR2);
	pthread_sigmask(SIG_UNBLOCK, &ss, NULL);
	while (!atomic_load(&w->run->stop)) {
		if (nfqueue_batch(w->q, 0, run_judge, run_batch_clock,
		    run_batch_done, w) >= 0 ||
		    errno == EINTR) {
			if (w->wake) {
				uint64_t one = 1;

				w->wake = false;
				if (write(w->run->evfd, &one, sizeof(one)) < 0)
					(void)0;	/* already signalled */
			}
			continue;
		}
		/* Never exit on an error: log the first, then a few, and
		 * do not spin. The rules' bypass keeps traffic flowing. */
		if (w->errors++ % 1000 == 0)
			log_err("queue %u: receive: %s (%llu errors)",
			    nfqueue_num(w->q), strerror(errno),
			    (unsigned long long)w->errors);
		nanosleep(&pause, NULL);
	}
	/* Answer what was queued before the rules went away. */
	for (i = 0; i < 256; i++)
		if (nfqueue_batch(w->q, 1, run_judge, run_batch_clock,
		    run_batch_done, w) <= 0)
			break;
	return NULL;
}

/* Stops the threads: each finishes its batch and drains its queue. */
static void
run_stop_workers(struct run *r)
{
	struct timespec dl;
	unsigned i;
	int tries;

	atomic_store(&r->stop, 1);
	for (i = 0; i < r->nw; i++) {
		if (!r->w[i].started)
			continue;
		/* A signal sent just before the thread waits again is
		 * missed: send it until the thread is gone (5 s at most). */
		for (tries = 0; tries < 50; tries++) {
			pthread_kill(r->w[i].tid, SIGUSR2);
			clock_gettime(CLOCK_REALTIME, &dl);
			dl.tv_nsec += 100 * 1000 * 1000;
			if (dl.tv_nsec >= 1000000000) {
				dl.tv_sec++;
				dl.tv_nsec -= 1000000000;
			}
			if (pthread_timedjoin_np(r->w[i].tid, NULL, &dl) == 0)
				break;
		}
		if (tries == 50)
			log_err("queue %u: thread did not stop",
			    nfqueue_num(r->w[i].q));
		else
			r->w[i].started = false;
	}
}

/* SIGHUP: a new configuration, or the old one when the new is bad. */
int
run_reload(struct run *r, FILE *also)
{
	struct gg_conf *conf, *oconf;
	struct sigset *sigs, *osigs;
	int errs, rc = 0;

	conf = calloc(1, sizeof(*conf));
	sigs = calloc(1, sizeof(*sigs));
	if (conf == NULL || sigs == NULL) {
		log_err("reload: out of memory; keeping the running "
		    "configuration");
		free(conf);
		free(sigs);
		return -1;
	}
	if ((errs = run_load(r->cpath, conf, sigs, also)) != 0) {
		log_err("%s: %d error%s; keeping the running configuration",
		    r->cpath, errs, errs == 1 ? "" : "s");
		if (also)
			fprintf(also, "%s: %d error%s\n", r->cpath, errs,
			    errs == 1 ? "" : "s");
		rc = -1;
		goto out_free;
	}
	run_reload_warn(r, conf, also);
	pthread_mutex_lock(&r->lock);
	conf_restart_keep(conf, r->conf);
	/* The ipset sets keep their size (maxelem) until a restart: so does
	 * the manager's limit, or it would ban past what the sets hold. */
	if (r->be && !strcmp(r->be->name, "ipset"))
		conf->ban_max = r->conf->ban_max;
	engine_reload(r->engine, conf, sigs);
	/* The old ones, to free below. */
	oconf = r->conf;
	osigs = r->sigs;
	r->conf = conf;
	r->sigs = sigs;
	conf = oconf;
	sigs = osigs;
	pthread_mutex_unlock(&r->lock);
	run_ops_reconf(r);
	log_notice("configuration reloaded from %s (tracker state and bans "
	    "kept)", r->cpath);
out_free:
	sigset_free(sigs);
	conf_fini(conf);
	free(sigs);
	free(conf);
	return rc;
}

static void
run_usage(FILE *out)
{
	fprintf(out, "usage: ghostguard run [-c CONF] [--foreground] "
	    "[--dry-run] [--queue N]\n"
	    "                      [--queue-balance COUNT] [--verbose]\n"
	    "\n"
	    "The inline daemon: judges SIP packets on NFQUEUE and drops "
	    "scanners\n"
	    "(needs root or CAP_NET_ADMIN).\n"
	    "\n"
	    "  -c, --config CONF        configuration\n"
	    "                           (default " RUN_DEFAULT_CONF ")\n"
	    "  -f, --foreground         stay in the foreground, log to "
	    "stderr (else syslog)\n"
	    "  -n, --dry-run            decide and log, but accept every "
	    "packet and ban\n"
	    "                           nothing in the kernel\n"
	    "  --queue N                the first NFQUEUE number, 0 to "
	    "65535 (default 0)\n"
	    "  --queue-balance COUNT    use COUNT queues, N to N+COUNT-1, "
	    "1 to 64 (default\n"
	    "                           1): one thread each, all sharing "
	    "one engine\n"
	    "  -v, --verbose            debug lines (the rules installed)\n"
	    "  -h, --help               this text\n");
}

/* The decoders and queues, one per thread. 0 or -1 (logged). */
static int
run_open_queues(struct run *r, uint16_t first)
{
	struct net_limits lim;
	char err[256];
	unsigned i;
	size_t k;

	net_limits_default(&lim);
	memset(lim.sip_ports, 0, sizeof(lim.sip_ports));
	for (k = 0; k < GG_NELEM(lim.sip_ports) && r->conf->ports[k]; k++)
		lim.sip_ports[k] = r->conf->ports[k];
	for (i = 0; i < r->nw; i++) {
		struct worker *w = &r->w[i];

		w->run = r;
		if ((w->net = net_new(&lim)) == NULL) {
			log_err("out of memory");
			return -1;
		}
		w->q = nfqueue_open((uint16_t)(first + i), RUN_QUEUE_MAXLEN,
		    err, sizeof(err));
		if (w->q == NULL) {
			log_err("%s%s", err, errno == EPERM ?
			    " (ghostguard run needs root or CAP_NET_ADMIN)" :
			    "");
			return -1;
		}
	}
	return 0;
}

static int
run_start_workers(struct run *r)
{
	unsigned i;
	int e;

	for (i = 0; i < r->nw; i++) {
		if ((e = pthread_create(&r->w[i].tid, NULL, run_worker,
		    &r->w[i])) != 0) {
			log_err("cannot start a queue thread: %s",
			    strerror(e));
			return -1;
		}
		r->w[i].started = true;
	}
	return 0;
}

/* The counters of each queue, at exit. */
static void
run_log_stats(const struct run *r)
{
	unsigned i;

	for (i = 0; i < r->nw; i++) {
		const struct nfqueue_stats *s;

		if (r->w[i].q == NULL)
			continue;
		s = nfqueue_stats(r->w[i].q);
		log_notice("queue %u: %llu packets, %llu accepted, %llu "
		    "dropped, %llu batches, %llu verdict messages, %llu "
		    "overflows, %llu refused verdicts, %llu bad",
		    nfqueue_num(r->w[i].q),
		    (unsigned long long)s->packets,
		    (unsigned long long)s->accepted,
		    (unsigned long long)s->dropped,
		    (unsigned long long)s->batches,
		    (unsigned long long)s->verdict_msgs,
		    (unsigned long long)s->enobufs,
		    (unsigned long long)s->nl_errors,
		    (unsigned long long)(s->bad + s->truncated));
	}
}

/* The options; -1 on a usage error (printed), 1 for --help. */
struct run_opts {
	const char	*cpath;
	bool		 foreground, dry_run, verbose;
	unsigned	 queue, nqueues;
};

static int
run_parse_args(int argc, char **argv, struct run_opts *o)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "queue", required_argument, NULL, 'q' },
		{ "queue-balance", required_argument, NULL, 'b' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	unsigned long v;
	int ch;

	o->cpath = RUN_DEFAULT_CONF;
	o->queue = 0;
	o->nqueues = 1;
	while ((ch = getopt_long(argc, argv, "c:fnvh", opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			o->cpath = optarg;
			break;
		case 'f':
			o->foreground = true;
			break;
		case 'n':
			o->dry_run = true;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'q':
			if (opt_num("run", "--queue", optarg, 0, 65535, &v))
				return -1;
			o->queue = (unsigned)v;
			break;
		case 'b':
			if (opt_num("run", "--queue-balance", optarg, 1,
			    RUN_MAX_QUEUES, &v))
				return -1;
			o->nqueues = (unsigned)v;
			break;
		case 'h':
			run_usage(stdout);
			return 1;
		default:
			run_usage(stderr);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "ghostguard run: unexpected argument '%s'\n",
		    argv[optind]);
		run_usage(stderr);
		return -1;
	}
	if (o->queue + o->nqueues > 65536) {
		fprintf(stderr, "ghostguard run: --queue %u with "
		    "--queue-balance %u goes past queue 65535\n", o->queue,
		    o->nqueues);
		return -1;
	}
	return 0;
}

/*
 * Runs as the configured user from now on, with CAP_NET_ADMIN alone
 * (sandbox.c says why it stays). The files the daemon writes from now on
 * become the user's first. 0, or -1 after logging why.
 */
static int
run_drop_privileges(struct run *r)
{
	const char *user = r->conf->user;
	struct passwd *pw;
	char err[256];

	if (user == NULL || geteuid() != 0)
		return 0;
	if ((pw = getpwnam(user)) == NULL) {
		log_err("%s: user %s does not exist (create it: useradd "
		    "--system --no-create-home --shell /usr/sbin/nologin %s; "
		    "or set 'user off' to stay root)", r->cpath, user, user);
		return -1;
	}
	run_ops_chown(r, pw->pw_uid, pw->pw_gid);
	if (sandbox_drop(user, err, sizeof(err)) < 0) {
		log_err("cannot run as %s: %s", user, err);
		return -1;
	}
	log_notice("running as user %s (uid %u) with CAP_NET_ADMIN only",
	    user, (unsigned)pw->pw_uid);
	return 0;
}

/* Frees what run_main() built (threads stopped, rules removed). */
static void
run_free(struct run *r)
{
	unsigned i;

	for (i = 0; r->w && i < r->nw; i++) {
		nfqueue_close(r->w[i].q);
		net_free(r->w[i].net);
	}
	free(r->w);
	fw_free(r->fw);
	engine_free(r->engine);
	if (r->sigs)
		sigset_free(r->sigs);
	if (r->conf)
		conf_fini(r->conf);
	free(r->sigs);
	free(r->conf);
	pthread_mutex_destroy(&r->lock);
}

int
run_main(int argc, char **argv)
{
	struct run_opts o = { 0 };
	struct run r = { 0 };
	struct fw_spec spec;
	struct sigaction sa;
	sigset_t ss;
	char qdesc[64];
	size_t np;
	int rc, status = 1;

	if ((rc = run_parse_args(argc, argv, &o)) != 0)
		return rc > 0 ? 0 : 2;
	if (access(o.cpath, R_OK) != 0) {
		fprintf(stderr, "ghostguard: cannot read the configuration "
		    "%s: %s\n(give one with -c FILE; etc/ghostguard.conf in "
		    "the source is a commented example)\n", o.cpath,
		    strerror(errno));
		return 2;
	}
	r.cpath = o.cpath;
	r.dry_run = o.dry_run;
	r.foreground = o.foreground;
	r.nw = o.nqueues;
	r.queue0 = (uint16_t)o.queue;
	r.evfd = -1;
	pthread_mutex_init(&r.lock, NULL);

	/* Signals are taken by the main thread alone, with sigwaitinfo();
	 * SIGUSR2 wakes a queue thread that must stop. */
	sigemptyset(&ss);
	sigaddset(&ss, SIGTERM);
	sigaddset(&ss, SIGINT);
	sigaddset(&ss, SIGHUP);
	sigaddset(&ss, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &ss, NULL);
	sigdelset(&ss, SIGUSR2);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = run_wake;
	sigaction(SIGUSR2, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	log_open(o.foreground, !o.foreground, o.verbose);
	run_clock_init();
	r.conf = calloc(1, sizeof(*r.conf));
	r.sigs = calloc(1, sizeof(*r.sigs));
	r.w = calloc(r.nw, sizeof(*r.w));
	if (r.conf == NULL || r.sigs == NULL || r.w == NULL) {
		log_err("out of memory");
		goto out;
	}
	if ((rc = run_load(r.cpath, r.conf, r.sigs, NULL)) != 0) {
		log_err("%s: %d error%s", r.cpath, rc, rc == 1 ? "" : "s");
		goto out;
	}
	if ((r.engine = engine_new(r.conf, r.sigs)) == NULL ||
	    (r.fw = fw_new()) == NULL) {
		log_err("out of memory");
		goto out;
	}
	/* Queues first: when the rules come, someone listens. */
	if (run_open_queues(&r, (uint16_t)o.queue) < 0)
		goto out;
	for (np = 0; np < CONF_MAX_PORTS && r.conf->ports[np]; np++)
		;
	spec.ports = r.conf->ports;
	spec.nports = np;
	spec.queue = (uint16_t)o.queue;
	spec.nqueues = (uint16_t)o.nqueues;
	if (np == 0) {
		log_err("%s: no ports to protect", r.cpath);
		goto out;
	}
	if (fw_install(r.fw, &spec) < 0)
		goto out;
	if (o.nqueues > 1)
		snprintf(qdesc, sizeof(qdesc), "queues %u-%u (flow hash)",
		    o.queue, o.queue + o.nqueues - 1);
	else
		snprintf(qdesc, sizeof(qdesc), "queue %u", o.queue);
	log_notice("queue mechanism: %s; %s; %zu port%s, UDP and TCP, both "
	    "directions; %s", fw_mode_name(fw_mode(r.fw)), qdesc, np,
	    np == 1 ? "" : "s", fw_mode(r.fw) == FW_NFT ?
	    "table inet ghostguard" : "table inet ghostguard (bans) and "
	    "GHOSTGUARD chains in the mangle tables");
	r.start_ns = run_clock();
	if (run_ops_open(&r) < 0)
		goto out_rules;
	/* Keeps the working directory: relative paths in the config
	 * resolve on reload as they did at start. */
	if (!o.foreground && daemon(1, 0) < 0) {
		log_err("daemon: %s", strerror(errno));
		goto out_rules;
	}
	log_detach();
	/* Set-up is over: before the first packet, the privileges go. */
	if (run_drop_privileges(&r) < 0)
		goto out_rules;
	if (run_start_workers(&r) < 0)
		goto out_rules;
	log_notice("running%s: %u queue thread%s, one engine, config %s",
	    r.dry_run ? " in dry-run mode (every packet accepted)" : "",
	    r.nw, r.nw == 1 ? "" : "s", r.cpath);
	run_ops_loop(&r, &ss);
	status = 0;
out_rules:
	/* Rules first: no new packet is queued while the threads drain. */
	if (fw_remove(r.fw) == 0)
		log_notice("queue rules removed (bans stay in table inet "
		    "ghostguard)");
	else
		status = 1;
	run_stop_workers(&r);
	run_log_stats(&r);
	run_ops_close(&r);
out:
	run_free(&r);
	log_close();
	return status;
}
