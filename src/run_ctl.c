/*
 * run_ctl.c - what `ghostguard ctl` can ask the daemon, and its metrics page.
 *
 * Both run on the main thread (run_ops.c's loop), which owns the ban
 * manager; the engine is read or changed under r->lock. Every command
 * answers in words first; `bans --json` for programs.
 */
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "io/events.h"
#include "io/fw.h"
#include "io/nfq.h"
#include "run_int.h"
#include "sandbox.h"

#define CTL_NS		1000000000ull

/* "2026-11-25T10:00:00Z" of a wall-clock time in ns. */
static char *
ctl_time(uint64_t ns, char *buf, size_t sz)
{
	time_t t = (time_t)(ns / CTL_NS);
	struct tm tm;

	if (ns == UINT64_MAX) {
		snprintf(buf, sz, "never");
		return buf;
	}
	gmtime_r(&t, &tm);
	strftime(buf, sz, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

/* "203.0.113.5" or "2001:db8::/64". */
static char *
ctl_net(const struct gg_addr *a, uint8_t plen, char *buf, size_t sz)
{
	char t[GG_ADDRSTRLEN];

	gg_addr_fmt(a, t);
	if (plen == (a->family == AF_INET ? 32 : 128))
		snprintf(buf, sz, "%s", t);
	else
		snprintf(buf, sz, "%s/%u", t, plen);
	return buf;
}

/* ADDR or ADDR/PLEN of a command; 0, or -1 with the error on out. */
static int
ctl_parse_net(const char *w, struct conf_cidr *n, FILE *out)
{
	if (conf_cidr_parse(w, n) != 0) {
		fprintf(out, "'%s' is not an IPv4 or IPv6 address or network",
		    w);
		return -1;
	}
	return 0;
}

/* "is", "is in" or "covers": how a/aplen stands to the network n/nplen. */
static const char *
ctl_rel(const struct gg_addr *a, unsigned aplen, const struct gg_addr *n,
    unsigned nplen)
{
	if (aplen < nplen)
		return "covers";
	return aplen == nplen && gg_addr_in(a, n, nplen) ? "is" : "is in";
}

/*
 * The first entry of l that n shares an address with (whole: that holds all
 * of n), as "it covers the trusted server 198.51.100.10 (sip.example.net,
 * line 3 of FILE)"; what: "trusted" or "allowed". False when none. Called
 * with r->lock held.
 */
static bool
ctl_never_list(struct run *r, const struct conf_netlist *l, const char *what,
    const struct conf_cidr *n, bool whole, char *buf, size_t sz)
{
	char net[GG_ADDRSTRLEN + 8], from[300];
	size_t i;

	for (i = 0; i < l->n; i++) {
		const struct conf_cidr *e = &l->v[i];
		bool host = e->plen == (e->addr.family == AF_INET ? 32 : 128);

		if (e->addr.family != n->addr.family || !gg_addr_in(&n->addr,
		    &e->addr, n->plen < e->plen ? n->plen : e->plen) ||
		    (whole && e->plen > n->plen))
			continue;
		ctl_net(&e->addr, e->plen, net, sizeof(net));
		if (l->line[i] == 0)
			snprintf(from, sizeof(from), "by ctl trust");
		else
			snprintf(from, sizeof(from), "%s%sline %u of %s",
			    strcmp(l->src[i], net) ? l->src[i] : "",
			    strcmp(l->src[i], net) ? ", " : "", l->line[i],
			    r->cpath);
		snprintf(buf, sz, "it %s the %s %s %s (%s)", ctl_rel(&n->addr,
		    n->plen, &e->addr, e->plen), what, host ? !strcmp(what,
		    "trusted") ? "server" : "address" : "network", net, from);
		return true;
	}
	return false;
}

bool
run_never_why(struct run *r, const struct conf_cidr *n, char *buf, size_t sz)
{
	char net[GG_ADDRSTRLEN + 8];
	struct gg_addr a;
	uint8_t plen = 0;
	bool found;

	pthread_mutex_lock(&r->lock);
	found = ctl_never_list(r, &r->conf->trusted, "trusted", n, false, buf,
	    sz) || ctl_never_list(r, &r->conf->allow, "allowed", n, false, buf,
	    sz);
	pthread_mutex_unlock(&r->lock);
	if (found)
		return true;
	switch (ban_never_which(r->ban, &n->addr, n->plen, &a, &plen)) {
	case BAN_NEVER_NO:
		return false;
	case BAN_NEVER_LOOPBACK:
		snprintf(buf, sz, "it %s loopback (%s)", ctl_rel(&n->addr,
		    n->plen, &a, plen), ctl_net(&a, plen, net, sizeof(net)));
		break;
	case BAN_NEVER_SELF:
		snprintf(buf, sz, "it %s this host's address %s",
		    ctl_rel(&n->addr, n->plen, &a, plen), ctl_net(&a, plen,
		    net, sizeof(net)));
		break;
	case BAN_NEVER_NET:
		snprintf(buf, sz, "it %s the never-ban network %s",
		    ctl_rel(&n->addr, n->plen, &a, plen), ctl_net(&a, plen,
		    net, sizeof(net)));
		break;
	case BAN_NEVER_FAMILY:
		snprintf(buf, sz, "not an IPv4 or IPv6 address");
		break;
	}
	return true;
}

static int
ctl_status(struct run *r, FILE *out)
{
	const struct ban_stats *bs = ban_stats(r->ban);
	uint64_t now = run_clock();
	char t[32], sb[1024];
	size_t cnt, cap;

	pthread_mutex_lock(&r->lock);
	cnt = track_count(engine_tracker(r->engine));
	cap = track_capacity(engine_tracker(r->engine));
	pthread_mutex_unlock(&r->lock);
	if (sandbox_status(sb, sizeof(sb)) < 0)
		snprintf(sb, sizeof(sb), "uid %u", (unsigned)geteuid());
	fprintf(out, "ghostguard %s, pid %d, up %" PRIu64 " s (since %s)\n",
	    GG_VERSION, (int)getpid(), (uint64_t)((now - r->start_ns) /
	    CTL_NS),
	    ctl_time(r->start_ns, t, sizeof(t)));
	fprintf(out, "privileges: %s\n", sb);
	fprintf(out, "config: %s%s\n", r->cpath, r->dry_run ?
	    " (dry-run: every packet accepted)" : "");
	fprintf(out, "queues: %u from %u, %s\n", r->nw, r->queue0,
	    fw_mode_name(fw_mode(r->fw)));
	fprintf(out, "bans: %" PRIu64 " in force (%" PRIu64 " prefixes), "
	    "backend %s, %" PRIu64 " records with history\n", bs->active,
	    bs->active_prefix, r->be ? r->be->name : "none", bs->records);
	fprintf(out, "state: %s", r->conf->state_file ?
	    r->conf->state_file : "off");
	if (r->st)
		fprintf(out, ", journal %zu bytes, %" PRIu64 " write errors",
		    ban_state_journal_size(r->st), ban_state_errors(r->st));
	fprintf(out, "\ntracker: %zu of %zu sources\n", cnt, cap);
	/* In dry-run mode nothing is dropped: say what was judged. */
	fprintf(out, "packets: %" PRIu64 " accepted, %" PRIu64 " %s, %"
	    PRIu64 " %s\n",
	    (uint64_t)atomic_load(&r->c.verdicts[ENGINE_ACCEPT]),
	    (uint64_t)atomic_load(&r->c.verdicts[ENGINE_DROP]),
	    r->dry_run ? "judged drop" : "dropped",
	    (uint64_t)atomic_load(&r->c.verdicts[ENGINE_DROP_BAN]),
	    r->dry_run ? "judged drop and ban (dry-run: all accepted, none "
	    "banned)" : "decided a ban");
	return 0;
}

/* One ban, a line of `bans` or a JSON object. */
struct ctl_list {
	FILE	*out;
	bool	 json;
	size_t	 n;
	uint64_t now;		/* bans ended by then are left out */
};

static void
ctl_json_str(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

static void
ctl_list_one(void *arg, const struct ban_entry *e)
{
	struct ctl_list *l = arg;
	char net[GG_ADDRSTRLEN + 8], since[32], exp[32], kind[48];

	/*
	 * Its time is up but the once-a-second sweep has not run yet: the
	 * kernel has dropped the element already, and so does the list.
	 */
	if (e->expires_ns <= l->now)
		return;
	ctl_net(&e->addr, e->plen, net, sizeof(net));
	ctl_time(e->since_ns, since, sizeof(since));
	ctl_time(e->expires_ns, exp, sizeof(exp));
	if (l->json) {
		fprintf(l->out, "%s{\"addr\":\"%s\",\"reason\":", l->n ?
		    ",\n" : "", net);
		ctl_json_str(l->out, e->reason);
		fputs(",\"tool\":", l->out);
		ctl_json_str(l->out, e->tool);
		fprintf(l->out, ",\"since\":\"%s\",\"expires\":\"%s\","
		    "\"count\":%u,\"level\":%u,\"manual\":%s,\"probation\":%s,"
		    "\"prefix\":%s}", since, exp, e->count, e->level,
		    e->flags & BAN_F_MANUAL ? "true" : "false",
		    e->flags & BAN_F_PROBATION ? "true" : "false",
		    e->flags & BAN_F_PREFIX ? "true" : "false");
	} else {
		/* "probation after N bans" is "probation" here: the table
		 * says what is in force; explain tells the history. */
		if (e->flags & BAN_F_PROBATION)
			snprintf(kind, sizeof(kind), "probation");
		else
			snprintf(kind, sizeof(kind), "#%u", e->count);
		fprintf(l->out, "%-24s %-20s %-20s %-9s  %-18s  %s\n", net,
		    since, exp, kind, e->tool[0] ? e->tool : "-",
		    e->reason[0] ? e->reason : "-");
	}
	l->n++;
}

static int
ctl_bans(struct run *r, int argc, char **argv, FILE *out)
{
	struct ctl_list l = { out, false, 0, run_clock() };

	if (argc > 2 || (argc == 2 && strcmp(argv[1], "--json"))) {
		fprintf(out, "usage: bans [--json]");
		return -1;
	}
	l.json = argc == 2;
	if (l.json)
		fputs("[\n", out);
	else
		fprintf(out, "%-24s %-20s %-20s %-9s  %-18s  %s\n", "ADDRESS",
		    "SINCE", "EXPIRES", "BAN", "TOOL", "REASON");
	ban_walk(r->ban, true, ctl_list_one, &l);
	if (l.json)
		fputs(l.n ? "\n]\n" : "]\n", out);
	else
		fprintf(out, "%zu ban%s in force\n", l.n, l.n == 1 ? "" : "s");
	return 0;
}

/* What the tracker knows of addr (lock taken here). */
static void
ctl_explain_track(struct run *r, const struct gg_addr *a, FILE *out)
{
	const struct track_src *s;
	const struct sig *sig;
	char tech[160], t1[32], t2[32];

	pthread_mutex_lock(&r->lock);
	s = track_find(engine_tracker(r->engine), a);
	if (s == NULL) {
		pthread_mutex_unlock(&r->lock);
		fputs("tracker: nothing seen from it recently (or forgotten "
		    "after its ban ended)\n", out);
		return;
	}
	run_techniques(s->techniques, tech, sizeof(tech));
	sig = s->sig ? engine_src_sig(r->engine, s) : NULL;
	fprintf(out, "verdict: %s%s; techniques: %s\n",
	    engine_class_name((enum engine_class)s->class),
	    s->banned ? ", ban decided" : "", tech);
	if (sig)
		fprintf(out, "signature: %s (tool %s, confidence %u): %s\n",
		    sig->name, sig->tool, sig->confidence, sig->evidence ?
		    sig->evidence : "");
	fprintf(out, "seen: %s to %s; %u packets about it, %u requests "
	    "(INVITE %u, OPTIONS %u, REGISTER %u, other %u), %u dropped\n",
	    ctl_time(s->first_ns, t1, sizeof(t1)),
	    ctl_time(s->last_ns, t2, sizeof(t2)), s->packets, s->requests,
	    s->n_invite, s->n_options, s->n_register, s->n_other, s->dropped);
	fprintf(out, "tried: %u%s distinct users (extensions), %u%s distinct "
	    "hosts\n", s->users.n, s->users.n >= TRACK_USERS ? "+" : "",
	    s->hosts.n, s->hosts.n >= TRACK_HOSTS ? "+" : "");
	fprintf(out, "answers to it: %u not-found (404), %u challenges, %u "
	    "failed and %u good authentications, %u 2xx\n", s->r_404,
	    s->r_auth, s->auth_fail, s->auth_ok, s->r_2xx);
	if (s->malformed || s->policy)
		fprintf(out, "malformed messages: %u; policy violations: %u\n",
		    s->malformed, s->policy);
	pthread_mutex_unlock(&r->lock);
}

static int
ctl_explain(struct run *r, int argc, char **argv, FILE *out)
{
	const struct ban_entry *e, *cover;
	struct conf_cidr n;
	char net[GG_ADDRSTRLEN + 8], t1[32], t2[32], why[512], kind[48];

	if (argc != 2) {
		fprintf(out, "usage: explain ADDRESS");
		return -1;
	}
	if (ctl_parse_net(argv[1], &n, out) < 0)
		return -1;
	ctl_net(&n.addr, n.plen, net, sizeof(net));
	fprintf(out, "%s\n", net);
	if (run_never_why(r, &n, why, sizeof(why)))
		fprintf(out, "never banned: %s\n", why);
	e = ban_find(r->ban, &n.addr, n.plen);
	cover = ban_lookup(r->ban, &n.addr, run_clock());
	if (cover) {
		fprintf(out, "banned: until %s (%s%s), %s", ctl_time(
		    cover->expires_ns, t1, sizeof(t1)),
		    cover->flags & BAN_F_MANUAL ? "by hand" : "automatic",
		    cover->flags & BAN_F_PREFIX ? ", its prefix" : "",
		    ban_kind(cover, kind, sizeof(kind)));
		if (cover->flags & BAN_F_PROBATION)
			fputs(" (a short ban off the ladder, for weak "
			    "evidence)", out);
		else
			fprintf(out, " on rung %u", cover->level + 1u);
		fprintf(out, ", reason %s, tool %s, since %s\n",
		    cover->reason[0] ? cover->reason : "-",
		    cover->tool[0] ? cover->tool : "-",
		    ctl_time(cover->since_ns, t2, sizeof(t2)));
	} else if (e) {
		fprintf(out, "not banned now; history: %u ban%s of the "
		    "ladder (probations not counted)", e->count, e->count == 1 ?
		    "" : "s");
		if (e->count)
			fprintf(out, ", the latest on rung %u", e->level + 1u);
		fprintf(out, ", latest offence %s\n", ctl_time(e->last_ns, t1,
		    sizeof(t1)));
	} else {
		fputs("not banned, no history\n", out);
	}
	ctl_explain_track(r, &n.addr, out);
	return 0;
}

static void
ctl_event(struct run *r, const char *type, const struct ban_entry *e,
    const char *net)
{
	struct events_line l;
	char t[32];

	if (r->events == NULL)
		return;
	events_begin(&l, type, run_clock());
	events_add_str(&l, "addr", net);
	events_add_str(&l, "by", "ctl");
	if (e) {
		events_add_str(&l, "kind", ban_kind(e, t, sizeof(t)));
		events_add_u64(&l, "count", e->count);
		events_add_str(&l, "reason", e->reason);
		events_add_str(&l, "expires", ctl_time(e->expires_ns, t,
		    sizeof(t)));
	}
	events_end(r->events, &l);
}

/* Why ban_add() refused n with rc, for people. */
static const char *
ctl_refusal(struct run *r, const struct conf_cidr *n, enum ban_rc rc,
    char *buf, size_t sz)
{
	switch (rc) {
	case BAN_ETRUST:
		if (!run_never_why(r, n, buf, sz))
			snprintf(buf, sz, "it is never banned");
		return buf;
	case BAN_EFULL:
		snprintf(buf, sz, "%" PRIu64 " bans are in force, the most "
		    "ban-max allows", ban_stats(r->ban)->active);
		return buf;
	case BAN_ENOMEM:
		return "no record free (ban-max)";
	case BAN_ERATE:
		return "too many bans this minute (ban-rate)";
	default:
		return ban_rc_name(rc);
	}
}

static int
ctl_ban(struct run *r, int argc, char **argv, FILE *out)
{
	struct conf_cidr n;
	struct ban_entry e;
	uint32_t d = 0;
	enum ban_rc rc;
	char net[GG_ADDRSTRLEN + 8], t[32], why[512];

	if (argc < 2 || argc > 3) {
		fprintf(out, "usage: ban ADDRESS[/PREFIXLEN] [DURATION]");
		return -1;
	}
	if (ctl_parse_net(argv[1], &n, out) < 0)
		return -1;
	if (argc == 3 && (conf_duration_parse(argv[2], &d) != 0 || d == 0)) {
		fprintf(out, "'%s' is not a duration (90s, 10m, 1h, 1d, 1w)",
		    argv[2]);
		return -1;
	}
	ctl_net(&n.addr, n.plen, net, sizeof(net));
	rc = ban_add(r->ban, &n.addr, n.plen, run_clock(), "by hand", "",
	    false, d, BAN_F_MANUAL, &e);
	if (rc != BAN_OK && rc != BAN_EXISTS && rc != BAN_EBACKEND) {
		fprintf(out, "%s not banned: %s", net, ctl_refusal(r, &n, rc,
		    why, sizeof(why)));
		return -1;
	}
	if (r->conf->conntrack_flush && r->be)
		(void)ban_ct_flush(&n.addr, n.plen);
	ctl_event(r, "ban", &e, net);
	fprintf(out, "%s banned until %s%s\n", net,
	    ctl_time(e.expires_ns, t, sizeof(t)), rc == BAN_EXISTS ?
	    " (already banned at least that long)" : rc == BAN_EBACKEND ?
	    " (the kernel refused it for now: retried)" : "");
	return 0;
}

static int
ctl_unban(struct run *r, int argc, char **argv, FILE *out)
{
	const struct ban_entry *cover;
	struct conf_cidr n;
	char net[GG_ADDRSTRLEN + 8], cnet[GG_ADDRSTRLEN + 8];

	if (argc != 2) {
		fprintf(out, "usage: unban ADDRESS[/PREFIXLEN]");
		return -1;
	}
	if (ctl_parse_net(argv[1], &n, out) < 0)
		return -1;
	ctl_net(&n.addr, n.plen, net, sizeof(net));
	if (ban_del(r->ban, &n.addr, n.plen, run_clock()) != BAN_OK) {
		cover = ban_lookup(r->ban, &n.addr, run_clock());
		if (cover)
			fprintf(out, "%s is not banned itself, but the ban on "
			    "%s covers it: unban that", net, ctl_net(
			    &cover->addr, cover->plen, cnet, sizeof(cnet)));
		else
			fprintf(out, "%s is not banned", net);
		return -1;
	}
	pthread_mutex_lock(&r->lock);
	engine_forget(r->engine, &n.addr);
	pthread_mutex_unlock(&r->lock);
	ctl_event(r, "unban", NULL, net);
	fprintf(out, "%s unbanned (its history stays: a new offence climbs "
	    "the ladder)\n", net);
	return 0;
}

/*
 * trust, untrust: the answers name the entries involved: the one that
 * already holds the address, the one to untrust instead, each ban lifted,
 * what keeps an untrusted address unbannable.
 */
static int
ctl_trust(struct run *r, int argc, char **argv, FILE *out)
{
	bool add = !strcmp(argv[0], "trust"), held;
	struct conf_cidr n;
	char net[GG_ADDRSTRLEN + 8], why[512];
	int rc = 0;

	if (argc != 2) {
		fprintf(out, "usage: %s ADDRESS[/PREFIXLEN]", argv[0]);
		return -1;
	}
	if (ctl_parse_net(argv[1], &n, out) < 0)
		return -1;
	ctl_net(&n.addr, n.plen, net, sizeof(net));
	pthread_mutex_lock(&r->lock);
	held = ctl_never_list(r, &r->conf->trusted, "trusted", &n, add, why,
	    sizeof(why));
	if (add && !held)
		rc = conf_netlist_add(&r->conf->trusted, &n, argv[1], 0);
	else if (!add)
		rc = conf_netlist_del(&r->conf->trusted, &n);
	pthread_mutex_unlock(&r->lock);
	if (add && held) {
		fprintf(out, "%s is already trusted: %s\n", net, why);
		return 0;
	}
	if (rc < 0 && add) {
		fprintf(out, "out of memory");
		return -1;
	}
	if (rc < 0) {
		if (held)
			fprintf(out, "%s is not an entry of the trusted list, "
			    "but %s: untrust that", net, why);
		else
			fprintf(out, "%s is not in the trusted list (only what "
			    "trust added or the config lists)", net);
		return -1;
	}
	run_ops_never(r);
	if (add)
		(void)run_ops_lift_never(r, out);
	if (add)
		fprintf(out, "%s trusted until the next reload or restart (put "
		    "it in %s to keep it)\n", net, r->cpath);
	else
		fprintf(out, "%s no longer trusted until the next reload or "
		    "restart (which read the trusted list of %s again)\n", net,
		    r->cpath);
	if (!add && run_never_why(r, &n, why, sizeof(why)))
		fprintf(out, "%s is still never banned: %s\n", net, why);
	return 0;
}

/*
 * reload: on errors, the first line says so and the file:line messages
 * follow (the client prints them on stderr and exits 1); on success, the
 * warnings of settings that need a restart follow.
 */
static int
ctl_reload(struct run *r, FILE *out)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int rc;

	if ((f = open_memstream(&text, &len)) == NULL) {
		fprintf(out, "out of memory");
		return -1;
	}
	rc = run_reload(r, f);
	fclose(f);
	if (rc < 0)
		fprintf(out, "%s has errors; the running configuration stays\n",
		    r->cpath);
	else
		fprintf(out, "configuration reloaded from %s\n", r->cpath);
	if (text)
		fputs(text, out);
	free(text);
	return rc < 0 ? -1 : 0;
}

static int
ctl_stats(struct run *r, FILE *out)
{
	const struct ban_stats *bs = ban_stats(r->ban);
	const struct track_stats *ts;
	size_t i;

	fprintf(out, "packets_accepted %" PRIu64 "\npackets_dropped %" PRIu64
	    "\npackets_ban_decided %" PRIu64 "\n",
	    (uint64_t)atomic_load(&r->c.verdicts[0]),
	    (uint64_t)atomic_load(&r->c.verdicts[1]),
	    (uint64_t)atomic_load(&r->c.verdicts[2]));
	fprintf(out, "bans_active %" PRIu64 "\nbans_active_prefixes %" PRIu64
	    "\nbans_made %" PRIu64 "\nbans_probation %" PRIu64
	    "\nbans_expired %" PRIu64 "\nunbans %"
	    PRIu64 "\nbans_refused_trust %" PRIu64 "\nbans_refused_rate %"
	    PRIu64 "\nbans_refused_full %" PRIu64 "\nban_records %" PRIu64
	    "\n", bs->active, bs->active_prefix, bs->bans, bs->probations,
	    bs->expired,
	    bs->unbans, bs->rc[BAN_ETRUST], bs->rc[BAN_ERATE],
	    bs->rc[BAN_EFULL], bs->records);
	fprintf(out, "conntrack_flushed %" PRIu64 "\n", r->ct_flushed);
	pthread_mutex_lock(&r->lock);
	ts = track_stats(engine_tracker(r->engine));
	fprintf(out, "tracker_sources %zu\ntracker_evictions %" PRIu64 "\n",
	    track_count(engine_tracker(r->engine)), ts->evictions);
	fprintf(out, "first_drops %" PRIu64 "\nban_queue_full %" PRIu64 "\n",
	    r->c.first_drops, r->c.banq_full);
	for (i = 0; i < r->c.ntools; i++)
		fprintf(out, "scanners_tool_%s %" PRIu64 "\n",
		    r->c.tools[i].name, r->c.tools[i].n);
	for (i = 0; i < ENGINE_T_COUNT; i++)
		fprintf(out, "scanners_technique_%s %" PRIu64 "\n",
		    engine_tech_name((enum engine_tech)(1u << i)),
		    r->c.tech[i]);
	pthread_mutex_unlock(&r->lock);
	for (i = 0; i < r->nw; i++) {
		const struct nfqueue_stats *q = nfqueue_stats(r->w[i].q);

		fprintf(out, "queue_%u_packets %" PRIu64 "\nqueue_%u_enobufs %"
		    PRIu64 "\nqueue_%u_failopen %" PRIu64 "\n",
		    nfqueue_num(r->w[i].q), q->packets,
		    nfqueue_num(r->w[i].q), q->enobufs,
		    nfqueue_num(r->w[i].q), q->skipped);
	}
	return 0;
}

int
run_ctl_handle(void *arg, int argc, char **argv, FILE *out)
{
	struct run *r = arg;
	const char *c = argc > 0 ? argv[0] : "";

	if (!strcmp(c, "status") && argc == 1)
		return ctl_status(r, out);
	if (!strcmp(c, "bans"))
		return ctl_bans(r, argc, argv, out);
	if (!strcmp(c, "explain"))
		return ctl_explain(r, argc, argv, out);
	if (!strcmp(c, "ban"))
		return ctl_ban(r, argc, argv, out);
	if (!strcmp(c, "unban"))
		return ctl_unban(r, argc, argv, out);
	if (!strcmp(c, "trust") || !strcmp(c, "untrust"))
		return ctl_trust(r, argc, argv, out);
	if (!strcmp(c, "stats") && argc == 1)
		return ctl_stats(r, out);
	if (!strcmp(c, "reload") && argc == 1)
		return ctl_reload(r, out);
	fprintf(out, "unknown command '%.64s' (status, bans [--json], explain "
	    "ADDR, ban ADDR [DURATION], unban ADDR, trust ADDR, untrust ADDR, "
	    "reload, stats)", c);
	return -1;
}

/* Exposition helpers: a family header, then its samples. */
static void
m_fam(FILE *out, const char *name, const char *type, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void
m_u64(FILE *out, const char *name, const char *labels, uint64_t v)
{
	if (labels)
		fprintf(out, "%s{%s} %" PRIu64 "\n", name, labels, v);
	else
		fprintf(out, "%s %" PRIu64 "\n", name, v);
}

/* Kernel queue drops: /proc/net/netfilter/nfnetlink_queue, our queues. */
static void
m_kernel_queues(struct run *r, FILE *out)
{
	FILE *f = fopen("/proc/net/netfilter/nfnetlink_queue", "r");
	unsigned q, portid, total, mode, range, dropped, udropped, seq, one;
	char lab[64];

	m_fam(out, "ghostguard_queue_kernel_dropped_total", "counter",
	    "Packets the kernel dropped for a queue (full, or no room in the "
	    "socket without fail-open).");
	if (f == NULL)
		return;
	while (fscanf(f, "%u %u %u %u %u %u %u %u %u", &q, &portid, &total,
	    &mode, &range, &dropped, &udropped, &seq, &one) == 9) {
		if (q < r->queue0 || q >= r->queue0 + r->nw)
			continue;
		snprintf(lab, sizeof(lab), "queue=\"%u\"", q);
		m_u64(out, "ghostguard_queue_kernel_dropped_total", lab,
		    (uint64_t)dropped + udropped);
	}
	fclose(f);
}

static void
m_queues(struct run *r, FILE *out)
{
	static const struct {
		const char *name, *help;
		size_t off;
	} f[] = {
		{ "ghostguard_queue_packets_total", "Packets judged, by queue.",
		    offsetof(struct nfqueue_stats, packets) },
		{ "ghostguard_queue_enobufs_total", "Receive buffer overflows "
		    "seen on the queue socket.",
		    offsetof(struct nfqueue_stats, enobufs) },
		{ "ghostguard_queue_failopen_total", "Packets the kernel let "
		    "through unjudged because the queue socket was full "
		    "(fail-open), counted from packet id gaps.",
		    offsetof(struct nfqueue_stats, skipped) },
	};
	char lab[64];
	size_t k, i;

	for (k = 0; k < GG_NELEM(f); k++) {
		m_fam(out, f[k].name, "counter", f[k].help);
		for (i = 0; i < r->nw; i++) {
			const char *s = (const char *)nfqueue_stats(r->w[i].q);
			uint64_t v;

			memcpy(&v, s + f[k].off, sizeof(v));
			snprintf(lab, sizeof(lab), "queue=\"%u\"",
			    nfqueue_num(r->w[i].q));
			m_u64(out, f[k].name, lab, v);
		}
	}
	m_kernel_queues(r, out);
}

static void
m_hist(struct run *r, FILE *out)
{
	const char *n = "ghostguard_packet_processing_seconds";
	uint64_t cum = 0;
	size_t i;

	m_fam(out, n, "histogram", "Time to judge one queued packet "
	    "(decode, parse, engine).");
	for (i = 0; i < GG_NELEM(run_hist_le_ns); i++) {
		cum += atomic_load(&r->c.hist[i]);
		if (run_hist_le_ns[i] == UINT64_MAX)
			fprintf(out, "%s_bucket{le=\"+Inf\"} %" PRIu64 "\n", n,
			    cum);
		else
			fprintf(out, "%s_bucket{le=\"%g\"} %" PRIu64 "\n", n,
			    (double)run_hist_le_ns[i] / 1e9, cum);
	}
	fprintf(out, "%s_sum %.9f\n%s_count %" PRIu64 "\n", n,
	    (double)atomic_load(&r->c.hist_sum_ns) / 1e9, n, cum);
}

static void
m_engine(struct run *r, FILE *out)
{
	static const char *const rcn[] = { "ok", "partial", "malformed",
	    "not-sip" };
	char lab[96];
	size_t i;

	m_fam(out, "ghostguard_packets_total", "counter",
	    "Queued packets, by verdict.");
	for (i = 0; i < 3; i++) {
		snprintf(lab, sizeof(lab), "verdict=\"%s\"",
		    engine_verdict_name((enum engine_verdict)i));
		m_u64(out, "ghostguard_packets_total", lab,
		    atomic_load(&r->c.verdicts[i]));
	}
	m_fam(out, "ghostguard_payloads_total", "counter",
	    "SIP payloads parsed, by result (malformed: parse errors).");
	for (i = 0; i < GG_NELEM(rcn); i++) {
		snprintf(lab, sizeof(lab), "result=\"%s\"", rcn[i]);
		m_u64(out, "ghostguard_payloads_total", lab,
		    atomic_load(&r->c.parse[i]));
	}
	m_fam(out, "ghostguard_parse_errors_total", "counter",
	    "Malformed SIP messages.");
	m_u64(out, "ghostguard_parse_errors_total", NULL,
	    atomic_load(&r->c.parse[SIP_EBADMSG]));
	pthread_mutex_lock(&r->lock);
	m_fam(out, "ghostguard_scanners_total", "counter",
	    "Sources detected as scanners, by tool.");
	for (i = 0; i < r->c.ntools; i++) {
		snprintf(lab, sizeof(lab), "tool=\"%s\"", r->c.tools[i].name);
		m_u64(out, "ghostguard_scanners_total", lab,
		    r->c.tools[i].n);
	}
	m_fam(out, "ghostguard_scanner_techniques_total", "counter",
	    "Sources detected as scanners, by technique.");
	for (i = 0; i < ENGINE_T_COUNT; i++) {
		snprintf(lab, sizeof(lab), "technique=\"%s\"",
		    engine_tech_name((enum engine_tech)(1u << i)));
		m_u64(out, "ghostguard_scanner_techniques_total", lab,
		    r->c.tech[i]);
	}
	m_fam(out, "ghostguard_tracker_sources", "gauge",
	    "Sources in the behaviour tracker.");
	m_u64(out, "ghostguard_tracker_sources", NULL,
	    track_count(engine_tracker(r->engine)));
	m_fam(out, "ghostguard_tracker_capacity", "gauge",
	    "Sources the tracker holds at most (tracker-sources).");
	m_u64(out, "ghostguard_tracker_capacity", NULL,
	    track_capacity(engine_tracker(r->engine)));
	m_fam(out, "ghostguard_tracker_evictions_total", "counter",
	    "Tracker records dropped to make room.");
	m_u64(out, "ghostguard_tracker_evictions_total", NULL,
	    track_stats(engine_tracker(r->engine))->evictions);
	m_fam(out, "ghostguard_first_drops_total", "counter",
	    "Sources dropped for the first time.");
	m_u64(out, "ghostguard_first_drops_total", NULL, r->c.first_drops);
	m_fam(out, "ghostguard_ban_queue_full_total", "counter",
	    "Ban requests lost because the main thread's queue was full.");
	m_u64(out, "ghostguard_ban_queue_full_total", NULL, r->c.banq_full);
	pthread_mutex_unlock(&r->lock);
}

static void
m_bans(struct run *r, FILE *out)
{
	static const struct { enum ban_rc rc; const char *why; } ref[] = {
		{ BAN_ERATE, "rate" }, { BAN_EFULL, "full" },
		{ BAN_ENOMEM, "memory" }, { BAN_EBACKEND, "kernel" },
	};
	const struct ban_stats *bs = ban_stats(r->ban);
	char lab[64];
	size_t i;

	m_fam(out, "ghostguard_bans_active", "gauge",
	    "Bans in force, by backend.");
	snprintf(lab, sizeof(lab), "backend=\"%s\"", r->be ? r->be->name :
	    "none");
	m_u64(out, "ghostguard_bans_active", lab, bs->active);
	m_fam(out, "ghostguard_bans_active_prefixes", "gauge",
	    "Bans in force on IPv6 prefixes (aggregated).");
	m_u64(out, "ghostguard_bans_active_prefixes", NULL, bs->active_prefix);
	m_fam(out, "ghostguard_bans_total", "counter",
	    "Bans made, probations included.");
	m_u64(out, "ghostguard_bans_total", NULL, bs->bans);
	m_fam(out, "ghostguard_bans_probation_total", "counter",
	    "Of the bans made, probations (short, off the ladder).");
	m_u64(out, "ghostguard_bans_probation_total", NULL, bs->probations);
	m_fam(out, "ghostguard_bans_expired_total", "counter",
	    "Bans that ran out.");
	m_u64(out, "ghostguard_bans_expired_total", NULL, bs->expired);
	m_fam(out, "ghostguard_unbans_total", "counter", "Bans lifted by hand.");
	m_u64(out, "ghostguard_unbans_total", NULL, bs->unbans);
	m_fam(out, "ghostguard_bans_refused_trust_total", "counter",
	    "Bans refused because the address is trusted, allowed, this "
	    "host's or loopback.");
	m_u64(out, "ghostguard_bans_refused_trust_total", NULL,
	    bs->rc[BAN_ETRUST]);
	m_fam(out, "ghostguard_bans_refused_total", "counter",
	    "Bans refused for other reasons.");
	for (i = 0; i < GG_NELEM(ref); i++) {
		snprintf(lab, sizeof(lab), "reason=\"%s\"", ref[i].why);
		m_u64(out, "ghostguard_bans_refused_total", lab,
		    bs->rc[ref[i].rc]);
	}
	m_fam(out, "ghostguard_ban_records", "gauge",
	    "Ban and offender-history records kept.");
	m_u64(out, "ghostguard_ban_records", NULL, bs->records);
	m_fam(out, "ghostguard_conntrack_flushed_total", "counter",
	    "Conntrack entries of banned sources deleted.");
	m_u64(out, "ghostguard_conntrack_flushed_total", NULL, r->ct_flushed);
	m_fam(out, "ghostguard_state_write_errors_total", "counter",
	    "Failed writes of the state file or journal (full disk...).");
	m_u64(out, "ghostguard_state_write_errors_total", NULL,
	    r->st ? ban_state_errors(r->st) : 0);
	m_fam(out, "ghostguard_event_log_errors_total", "counter",
	    "Failed writes of the event log.");
	m_u64(out, "ghostguard_event_log_errors_total", NULL,
	    r->events ? events_errors(r->events) : 0);
}

void
run_metrics_render(void *arg, FILE *out)
{
	struct run *r = arg;

	m_fam(out, "ghostguard_start_time_seconds", "gauge",
	    "When the daemon started (Unix time).");
	m_u64(out, "ghostguard_start_time_seconds", NULL,
	    r->start_ns / CTL_NS);
	m_engine(r, out);
	m_queues(r, out);
	m_hist(r, out);
	m_bans(r, out);
}
