/*
 * analyze.c - `ghostguard analyze` and `ghostguard check-config`.
 *
 * analyze streams captures through the same decode -> parse -> engine path
 * as the inline daemon, with each frame's capture time as the engine's
 * clock, and hands each verdict to the report. Memory stays flat whatever
 * the size of the capture: the decoder, the tracker and the report all have
 * ceilings.
 *
 * On two cores two workers share nothing while they run. Each reads and
 * decodes the whole capture itself (fragment and TCP reassembly need every
 * frame) and judges only the payloads whose peer, the party every record of
 * the engine and the report is about, hashes to its shard; it skips the
 * others right after decoding, before parsing. The hash is of the peer's
 * network (IPv4 /24, IPv6 /64), which the engine also keeps a record of
 * (distributed scans). A source's packets thus all go to one engine and
 * one report, in capture order, and the two reports, merged, say what one
 * report fed every payload says. Handing packets from
 * one thread to another cost more than the work it shared (see
 * bench/analyze_mt/NOTES.md).
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyze.h"
#include "conf/conf.h"
#include "engine/engine.h"
#include "io/html.h"
#include "io/pcap.h"
#include "io/report.h"
#include "net/net.h"
#include "sip/sip.h"

#define SHARDS_MAX	2
/* --max-sources at most: the report's table takes 16 bytes a source. */
#define ANALYZE_MAX_SOURCES	10000000
#define CHECK_CONFIG_DEFAULT	"/etc/ghostguard/ghostguard.conf"

/*
 * One analysis of the captures: of every payload (one worker), or of the
 * payloads whose peer is in its shard. Everything in it is its own but the
 * configuration and the signatures, which nobody changes meanwhile.
 */
struct worker {
	const struct gg_conf *conf;
	struct net	*net;		/* its own decoder */
	struct engine	*engine;
	struct report	*report;
	struct sip_msg	 msg;		/* the current payload's parse */
	unsigned	 shard;		/* it judges this shard */
	unsigned	 nshards;	/* of so many */
	int		 verbose;	/* 1: drops and detections; 2: all */
	uint64_t	 seq;		/* payloads so far */
	uint64_t	 misplaced;	/* judged here but of another shard:
					 * none, or shard_of() is wrong */
	char *const	*files;		/* the captures, nfiles of them */
	int		 nfiles;
	bool		 progress;	/* show progress on stderr */
	char		(*err)[256];	/* per file: why it failed */
	bool		*failed;	/* per file */
	bool		*unread;	/* per file: failed before a frame */
	pthread_t	 thread;
	bool		 threaded;	/* runs in thread */
};

int
opt_num(const char *cmd, const char *opt, const char *arg, unsigned long lo,
    unsigned long hi, unsigned long *out)
{
	if (gg_num_parse(arg, lo, hi, out) == 0)
		return 0;
	fprintf(stderr, "ghostguard %s: %s: '%s' is not a number from %lu to "
	    "%lu\n", cmd, opt, arg, lo, hi);
	return -1;
}

int
load_conf_and_sigs(const char *path, struct gg_conf *conf,
    struct sigset *sigs)
{
	return load_conf_and_sigs_to(path, conf, sigs, stderr, false);
}

int
load_conf_and_sigs_to(const char *path, struct gg_conf *conf,
    struct sigset *sigs, FILE *errf, bool host_checks)
{
	int errs = 0;

	conf_init(conf);
	conf->host_checks = host_checks;
	if (path)
		errs += conf_load(conf, path, errf);
	if (conf->signatures)
		errs += sigset_load_file(sigs, conf->signatures, errf);
	else
		errs += sigset_load(sigs, "(built-in signatures)",
		    sig_builtin, sig_builtin_len, errf);
	return errs;
}

/*
 * A datagram cut short by the capture's snaplen is not malformed: judge
 * what arrived. A datagram whose header section never ends is. The inline
 * daemon (run.c) parses with this too.
 */
enum sip_rc
analyze_parse_payload(struct sip_msg *m, const struct net_pkt *pkt)
{
	enum sip_rc rc = sip_parse(m, (const char *)pkt->data, pkt->len);

	if (pkt->truncated && (rc == SIP_EPARTIAL ||
	    (rc == SIP_EBADMSG && m->err == SIP_ERR_BODY_SHORT)))
		return SIP_OK;
	if (rc == SIP_EPARTIAL && !sip_looks_like((const char *)pkt->data,
	    pkt->len))
		return SIP_ENOTSIP;
	if (rc == SIP_EPARTIAL) {
		m->err = SIP_ERR_NO_END;
		return SIP_EBADMSG;
	}
	return rc;
}

static void
print_packet(const struct worker *a, const struct net_pkt *pkt,
    const struct sip_msg *m, enum sip_rc rc, const struct engine_result *r)
{
	char s[GG_ADDRSTRLEN], d[GG_ADDRSTRLEN], what[64];
	size_t i;

	if (rc == SIP_OK || rc == SIP_EBADMSG) {
		if (m->is_request)
			gg_str_print(m->method, what, 24);
		else
			snprintf(what, sizeof(what), "%d", m->status);
		if (rc == SIP_EBADMSG) {
			i = strlen(what);
			snprintf(what + i, sizeof(what) - i, " (malformed: %s)",
			    sip_err_str(m->err));
		}
	} else {
		snprintf(what, sizeof(what), "not SIP (%zu bytes)", pkt->len);
	}
	printf("#%llu %llu.%06llu %s:%u -> %s:%u %s: %s (%s)",
	    (unsigned long long)a->seq,
	    (unsigned long long)(pkt->ts_ns / 1000000000ULL),
	    (unsigned long long)(pkt->ts_ns % 1000000000ULL / 1000),
	    gg_addr_fmt(&pkt->src, s), pkt->sport,
	    gg_addr_fmt(&pkt->dst, d), pkt->dport, what,
	    engine_verdict_name(r->verdict), r->reason);
	if (r->detected)
		printf(" DETECTED");
	if (r->sig)
		printf(" sig=%s", r->sig->name);
	for (i = 0; i < ENGINE_T_COUNT; i++)
		if (r->new_techniques & (1u << i))
			printf(" +%s", engine_tech_name((enum engine_tech)(1u << i)));
	putchar('\n');
}

/*
 * The shard of an address's network (IPv4 /24, IPv6 /64: the engine's
 * network records must see all of theirs): its first 64-bit word, the
 * last byte of an IPv4 address masked off, multiplied by an odd constant
 * with the family; a bit of a product depends only on the bits below it,
 * so the shard comes from the top 32 bits (scaled to [0, nshards)), which
 * depend on every byte. Cheaper than gg_addr_hash(), and it runs twice for
 * every payload of the capture in every worker.
 */
static unsigned
shard_hash(const struct gg_addr *a, unsigned nshards)
{
	static const uint8_t v4net[8] = { 0xff, 0xff, 0xff };
	static const uint8_t all[8] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	    0xff, 0xff };
	uint64_t hi, mask, h;

	/* Loads of the fields themselves: copying the 20 bytes into a
	 * zeroed buffer of words stalls each load on the stores. */
	memcpy(&hi, a->a, sizeof(hi));
	memcpy(&mask, a->family == AF_INET ? v4net : all, sizeof(mask));
	h = a->family * 0x9e3779b97f4a7c15ULL + (hi & mask) *
	    0xc2b2ae3d27d4eb4fULL;
	return (unsigned)(((h >> 32) * nshards) >> 32);
}

/* Engine, report and packet line for one payload of this worker's. */
static void
judge(struct worker *w, const struct net_pkt *pkt, enum sip_rc rc)
{
	struct engine_result r;

	w->seq++;
	engine_feed(w->engine, pkt, &w->msg, rc, &r);
	if (w->nshards > 1 && shard_hash(&r.peer, w->nshards) != w->shard)
		w->misplaced++;
	report_add(w->report, w->engine, pkt, &w->msg, rc, &r);
	if (w->verbose > 1 || (w->verbose == 1 &&
	    (r.verdict != ENGINE_ACCEPT || r.detected)))
		print_packet(w, pkt, &w->msg, rc, &r);
}

/*
 * The shard of a payload: a hash of its peer, found by the rule
 * engine_feed() follows (engine_peer()). The peer is the source or the
 * destination: when both are in one shard, that is the payload's. Else,
 * without protected networks, the peer depends on whether the payload
 * parses as a response: a first line without a status code never does
 * (sip_peek_status() reads it as sip_parse() would); one with a code does
 * when the payload was cut by the snaplen or starts like SIP
 * (analyze_parse_payload() says SIP_ENOTSIP of an unfinished message only
 * when neither holds). In that last, rare doubt the payload is parsed, and
 * *parsed says the parse in w->msg (*rc) can be judged as it is.
 */
static unsigned
shard_of(struct worker *w, const struct net_pkt *pkt, enum sip_rc *rc,
    bool *parsed)
{
	const char *data = (const char *)pkt->data;
	unsigned s = shard_hash(&pkt->src, w->nshards);
	unsigned d = shard_hash(&pkt->dst, w->nshards);
	struct engine_peer p;
	bool resp = false;

	if (s == d)
		return s;
	if (engine_peer_by_role(w->conf) && sip_peek_status(data,
	    pkt->len) > 0) {
		if (pkt->truncated || sip_looks_like(data, pkt->len)) {
			resp = true;
		} else {
			*rc = analyze_parse_payload(&w->msg, pkt);
			*parsed = true;
			resp = engine_is_response(&w->msg, *rc);
		}
	}
	engine_peer(w->conf, pkt, resp, &p);
	return p.addr == &pkt->src ? s : d;
}

/* The decoder's sink: parse and judge this worker's payloads. */
static void
sink(void *arg, const struct net_pkt *pkt)
{
	struct worker *w = arg;
	enum sip_rc rc = SIP_ENOTSIP;
	bool parsed = false;

	if (w->nshards > 1 && shard_of(w, pkt, &rc, &parsed) != w->shard) {
		report_skip(w->report, pkt);
		return;
	}
	if (!parsed)
		rc = analyze_parse_payload(&w->msg, pkt);
	judge(w, pkt, rc);
}

/* Progress on a terminal, for captures big enough to wait for. */
static void
progress(void *arg, uint64_t done, uint64_t total)
{
	const char *name = arg;

	if (total < (64u << 20))
		return;
	fprintf(stderr, "\r%s: %3u%%", name,
	    (unsigned)(done * 100 / total));
	if (done >= total)
		fputs("\r\033[K", stderr);
}

/*
 * Reads every capture; remembers which failed and why. The first worker
 * says why at once, between the packet lines of -v as before; the others'
 * messages wait for workers_run().
 */
static void *
worker_run(void *arg)
{
	struct worker *w = arg;
	int i;

	for (i = 0; i < w->nfiles; i++) {
		struct pcap_progress prog = { progress, w->files[i], 0 };
		struct pcap_source_stats st = { 0 };

		w->failed[i] = pcap_source_run(w->files[i], w->net, sink, w,
		    w->progress ? &prog : NULL, &st, w->err[i],
		    sizeof(w->err[i])) != 0;
		w->unread[i] = w->failed[i] && st.records == 0;
		if (w->failed[i] && w->shard == 0)
			fprintf(stderr, "ghostguard: %s\n", w->err[i]);
	}
	return NULL;
}

/*
 * Sets w up as shard shard of nshards, with its part of the tracker's
 * budget (the first shards take the odd one) and the report's whole. -1
 * when out of memory.
 */
static int
worker_init(struct worker *w, unsigned shard, unsigned nshards,
    const struct gg_conf *conf, const struct sigset *sigs,
    const struct net_limits *lim, size_t max_sources, char *const *files,
    int nfiles)
{
	size_t srcs = conf->tracker_sources / nshards +
	    (shard < conf->tracker_sources % nshards);

	w->conf = conf;
	w->shard = shard;
	w->nshards = nshards;
	w->files = files;
	w->nfiles = nfiles;
	w->net = net_new(lim);
	w->engine = engine_new_sized(conf, sigs, srcs ? srcs : 1);
	/* Each shard may hold the whole budget: it holds whole networks
	 * (the engine's records of /24s and /64s need all their members),
	 * so one network can fill it; the merged report is trimmed to the
	 * budget. */
	w->report = report_new(max_sources);
	w->err = calloc((size_t)nfiles, sizeof(*w->err));
	w->failed = calloc((size_t)nfiles, sizeof(*w->failed));
	w->unread = calloc((size_t)nfiles, sizeof(*w->unread));
	if (w->net == NULL || w->engine == NULL || w->report == NULL ||
	    w->err == NULL || w->failed == NULL || w->unread == NULL)
		return -1;
	return 0;
}

static void
worker_fini(struct worker *w)
{
	report_free(w->report);
	engine_free(w->engine);
	net_free(w->net);
	free(w->err);
	free(w->failed);
	free(w->unread);
}

/*
 * Two readers of one file need a file they can both open and read from the
 * start: not a pipe, not a terminal, not standard input ("-", even when a
 * file of that name exists). A file that cannot be examined is left to the
 * one worker to report.
 */
static bool
all_regular(char *const *files, int n)
{
	struct stat st;
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(files[i], "-") == 0 || stat(files[i], &st) != 0 ||
		    !S_ISREG(st.st_mode))
			return false;
	return true;
}

/*
 * Runs the workers, the last ones each in a thread of its own and the
 * first in the caller's (or after the others, when a thread cannot be had:
 * the same report, on one core), then merges their reports into the
 * first's. Each file's error is printed once: the first worker's, or
 * another's for a file the first could read (it changed meanwhile).
 * Returns the exit status; *nfailed gets the number of files that failed.
 */
static int
workers_run(struct worker *w, unsigned n, int *nfailed)
{
	unsigned k;
	int i, status = 0;

	*nfailed = 0;
	for (k = 1; k < n; k++)
		w[k].threaded = pthread_create(&w[k].thread, NULL, worker_run,
		    &w[k]) == 0;
	worker_run(&w[0]);
	for (k = 1; k < n; k++) {
		if (w[k].threaded)
			pthread_join(w[k].thread, NULL);
		else
			worker_run(&w[k]);
	}
	for (i = 0; i < w[0].nfiles; i++)
		for (k = 0; k < n; k++) {
			if (!w[k].failed[i])
				continue;
			if (k > 0)
				fprintf(stderr, "ghostguard: %s\n",
				    w[k].err[i]);
			status = 2;
			(*nfailed)++;
			break;
		}
	for (k = 0; k < n; k++)
		if (w[k].misplaced)
			fprintf(stderr, "ghostguard: internal error: shard %u "
			    "judged %llu payloads of another shard\n", k,
			    (unsigned long long)w[k].misplaced);
	for (k = 1; k < n; k++)
		if (report_merge(w[0].report, w[k].report) != 0) {
			fprintf(stderr, "ghostguard: out of memory\n");
			return 1;
		}

	return status;
}

/*
 * The page goes to a temporary file renamed into place, so that a reader
 * never sees half a page; "-" is standard output (instead of the text
 * report).
 */
static int
write_html(struct report *r, const char *path, const char *files)
{
	char tmp[4096];
	FILE *f;
	int rc;

	if (strcmp(path, "-") == 0)
		return html_write(r, stdout, files);
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		fprintf(stderr, "ghostguard: %s: name too long\n", path);
		return -1;
	}
	if ((f = fopen(tmp, "w")) == NULL) {
		fprintf(stderr, "ghostguard: %s: %s\n", tmp, strerror(errno));
		return -1;
	}
	rc = html_write(r, f, files);
	if (fclose(f) != 0)
		rc = -1;
	if (rc == 0 && rename(tmp, path) != 0)
		rc = -1;
	if (rc != 0) {
		fprintf(stderr, "ghostguard: %s: %s\n", path, strerror(errno));
		unlink(tmp);
	}
	return rc;
}

static void
analyze_usage(FILE *out)
{
	fprintf(out, "usage: ghostguard analyze [-c CONF] [--json] "
	    "[--html OUT.html] [-v]\n"
	    "                          [--max-sources N] [--threads 1|2] "
	    "FILE...\n"
	    "\n"
	    "Replays captures (pcap, pcapng; - is standard input) through "
	    "the engine of\n"
	    "the daemon and reports who scanned, with which tool, and what "
	    "ghostguard\n"
	    "would have dropped and banned.\n"
	    "\n"
	    "  -c, --config CONF    configuration (default: the built-in "
	    "defaults)\n"
	    "  --json               the report as JSON\n"
	    "  --html OUT.html      also write an HTML report (- : to "
	    "standard output,\n"
	    "                       instead of the text)\n"
	    "  -v, --verbose        also each drop and detection; -vv: "
	    "every packet\n"
	    "  --max-sources N      sources kept in the report, 1 to "
	    "%d (default 20000)\n"
	    "  --threads 1|2        workers (default 2 on a machine with "
	    "more than one CPU)\n"
	    "  -h, --help           this text\n", ANALYZE_MAX_SOURCES);
}

int
analyze_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "html", required_argument, NULL, 'H' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "max-sources", required_argument, NULL, 'm' },
		{ "threads", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct worker w[SHARDS_MAX];
	struct gg_conf conf;
	struct sigset sigs = { 0 };
	struct net_limits lim;
	struct report *rep;
	const char *cpath = NULL, *html = NULL;
	char files[1024] = "";
	unsigned long max_sources = 20000, v;
	unsigned nw = 0, shards, k;
	int ch, json = 0, verbose = 0, i, status = 0, threads, nfailed;
	size_t n;

	memset(w, 0, sizeof(w));
	threads = sysconf(_SC_NPROCESSORS_ONLN) > 1 ? 2 : 1;
	while ((ch = getopt_long(argc, argv, "c:jH:vm:t:h", opts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'c':
			cpath = optarg;
			break;
		case 'j':
			json = 1;
			break;
		case 'H':
			html = optarg;
			break;
		case 'v':
			verbose++;
			break;
		case 'm':
			if (opt_num("analyze", "--max-sources", optarg, 1,
			    ANALYZE_MAX_SOURCES, &max_sources) < 0)
				return 2;
			break;
		case 't':
			if (opt_num("analyze", "--threads", optarg, 1,
			    SHARDS_MAX, &v) < 0)
				return 2;
			threads = (int)v;
			break;
		case 'h':
			analyze_usage(stdout);
			return 0;
		default:
			analyze_usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "ghostguard analyze: no capture given\n");
		analyze_usage(stderr);
		return 2;
	}
	if (load_conf_and_sigs(cpath, &conf, &sigs) != 0) {
		fprintf(stderr, "ghostguard: configuration has errors\n");
		status = 2;
		goto out;
	}
	net_limits_default(&lim);
	memset(lim.sip_ports, 0, sizeof(lim.sip_ports));
	for (n = 0; n < GG_NELEM(lim.sip_ports) && conf.ports[n]; n++)
		lim.sip_ports[n] = conf.ports[n];
	/* Packet lines come in capture order from one worker only. */
	shards = threads > 1 && verbose == 0 &&
	    all_regular(argv + optind, argc - optind) ? (unsigned)threads : 1;
	for (nw = 0; nw < shards; nw++) {
		w[nw].verbose = verbose;
		w[nw].progress = nw == 0 && isatty(STDERR_FILENO);
		if (worker_init(&w[nw], nw, shards, &conf, &sigs, &lim,
		    max_sources, argv + optind, argc - optind) != 0) {
			fprintf(stderr, "ghostguard: out of memory\n");
			status = 1;
			nw++;
			goto out;
		}
	}
	if ((status = workers_run(w, nw, &nfailed)) == 1)
		goto out;
	if (report_trim(w[0].report, max_sources) != 0) {
		fprintf(stderr, "ghostguard: out of memory\n");
		status = 1;
		goto out;
	}
	/* The report names the captures read, in part at least: not one
	 * that could not be opened or read at all (its error says so). */
	for (i = optind; i < argc; i++) {
		for (k = 0; k < nw && w[k].unread[i - optind]; k++)
			;
		if (k == nw)
			continue;
		n = strlen(files);
		snprintf(files + n, sizeof(files) - n, "%s%s", n ? " " : "",
		    argv[i]);
	}
	rep = w[0].report;
	/* Nothing could be read: the errors say it all, an empty report
	 * would only hide them. */
	if (nfailed == argc - optind && report_totals(rep)->payloads == 0)
		goto out;
	if (html && write_html(rep, html, files) != 0)
		status = 1;
	if (html && strcmp(html, "-") == 0)
		;
	else if (json)
		report_json(rep, stdout, files);
	else
		report_text(rep, stdout, files);
out:
	for (k = 0; k < nw; k++)
		worker_fini(&w[k]);
	sigset_free(&sigs);
	conf_fini(&conf);
	return status;
}

static void
check_config_usage(FILE *out)
{
	fprintf(out, "usage: ghostguard check-config [-v] [-c CONF | CONF]\n"
	    "\n"
	    "Checks a configuration file (default %s)\n"
	    "as the daemon reads it at start: every error as file:line, "
	    "exit status 1.\n"
	    "\n"
	    "  -c, --config CONF  the file to check\n"
	    "  -v, --verbose      print the canonical configuration: every "
	    "setting,\n"
	    "                     defaults included\n"
	    "  -h, --help         this text\n", CHECK_CONFIG_DEFAULT);
}

int
check_config_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct gg_conf conf;
	struct sigset sigs = { 0 };
	const char *cpath = NULL;
	int ch, verbose = 0, errs;

	while ((ch = getopt_long(argc, argv, "c:nvh", opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			cpath = optarg;
			break;
		case 'n':	/* "ghostguard -n" habit: checking is all */
			break;
		case 'v':
			verbose = 1;
			break;
		case 'h':
			check_config_usage(stdout);
			return 0;
		default:
			check_config_usage(stderr);
			return 2;
		}
	}
	/* One file: -c FILE or FILE, never two (which one would it be?). */
	if (argc - optind > 1 || (optind < argc && cpath)) {
		fprintf(stderr, "ghostguard check-config: one configuration "
		    "file at a time\n");
		check_config_usage(stderr);
		return 2;
	}
	if (optind < argc)
		cpath = argv[optind];
	if (cpath == NULL)
		cpath = CHECK_CONFIG_DEFAULT;
	errs = load_conf_and_sigs_to(cpath, &conf, &sigs, stderr, true);
	if (errs == 0 && verbose)
		conf_print(&conf, stdout);
	if (errs)
		fprintf(stderr, "%s: %d error%s\n", cpath, errs,
		    errs == 1 ? "" : "s");
	sigset_free(&sigs);
	conf_fini(&conf);
	return errs ? 1 : 0;
}
