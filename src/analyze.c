/*
 * analyze.c - `ghostguard analyze` and `ghostguard check-config`.
 *
 * analyze streams captures through the same decode -> parse -> engine path
 * as the inline daemon, with each frame's capture time as the engine's
 * clock, and hands each verdict to the report. Memory stays flat whatever
 * the size of the capture: the decoder, the tracker and the report all have
 * ceilings.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze.h"
#include "conf/conf.h"
#include "engine/engine.h"
#include "io/html.h"
#include "io/pcap.h"
#include "io/pipeline.h"
#include "io/report.h"
#include "net/net.h"
#include "sip/sip.h"

/* Everything the per-payload sink needs. */
struct analyze {
	struct engine	*engine;
	struct report	*report;
	int		 verbose;	/* 1: drops and detections; 2: all */
	uint64_t	 seq;		/* payloads so far */
};

int
load_conf_and_sigs(const char *path, struct gg_conf *conf,
    struct sigset *sigs)
{
	return load_conf_and_sigs_to(path, conf, sigs, stderr);
}

int
load_conf_and_sigs_to(const char *path, struct gg_conf *conf,
    struct sigset *sigs, FILE *errf)
{
	int errs = 0;

	conf_init(conf);
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
print_packet(const struct analyze *a, const struct net_pkt *pkt,
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

/* The judging stage: engine, report, packet lines (in capture order). */
static void
judge(void *arg, const struct pipeline_item *it)
{
	struct analyze *a = arg;
	struct engine_result r;

	a->seq++;
	engine_feed(a->engine, &it->pkt, &it->msg, it->rc, &r);
	report_add(a->report, a->engine, &it->pkt, &it->msg, it->rc, &r);
	if (a->verbose > 1 || (a->verbose == 1 &&
	    (r.verdict != ENGINE_ACCEPT || r.detected)))
		print_packet(a, &it->pkt, &it->msg, it->rc, &r);
}

/* The decoder's sink: into the pipeline, which parses and queues. */
static void
sink(void *arg, const struct net_pkt *pkt)
{
	pipeline_push(arg, pkt);
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
analyze_usage(void)
{
	fprintf(stderr, "usage: ghostguard analyze [-c CONF] [--json] "
	    "[--html OUT.html] [-v] [--max-sources N] [--threads 1|2] "
	    "FILE...\n");
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
	struct analyze a = { 0 };
	struct gg_conf conf;
	struct sigset sigs = { 0 };
	struct net_limits lim;
	struct net *net = NULL;
	struct pipeline *pl = NULL;
	const char *cpath = NULL, *html = NULL;
	char files[1024] = "", err[256];
	unsigned long max_sources = 20000;
	int ch, json = 0, i, status = 0, threads;
	size_t k;

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
			a.verbose++;
			break;
		case 'm':
			max_sources = strtoul(optarg, NULL, 10);
			if (max_sources < 1)
				max_sources = 1;
			break;
		case 't':
			threads = atoi(optarg);
			if (threads < 1 || threads > 2) {
				fprintf(stderr, "ghostguard: --threads takes "
				    "1 or 2\n");
				return 2;
			}
			break;
		case 'h':
			analyze_usage();
			return 0;
		default:
			analyze_usage();
			return 2;
		}
	}
	if (optind >= argc) {
		analyze_usage();
		return 2;
	}
	if (load_conf_and_sigs(cpath, &conf, &sigs) != 0) {
		fprintf(stderr, "ghostguard: configuration has errors\n");
		status = 2;
		goto out;
	}
	net_limits_default(&lim);
	memset(lim.sip_ports, 0, sizeof(lim.sip_ports));
	for (k = 0; k < GG_NELEM(lim.sip_ports) && conf.ports[k]; k++)
		lim.sip_ports[k] = conf.ports[k];
	net = net_new(&lim);
	a.engine = engine_new(&conf, &sigs);
	a.report = report_new(max_sources);
	if (net == NULL || a.engine == NULL || a.report == NULL) {
		fprintf(stderr, "ghostguard: out of memory\n");
		status = 1;
		goto out;
	}
	if ((pl = pipeline_new(256, threads > 1, analyze_parse_payload, judge,
	    &a)) == NULL) {
		fprintf(stderr, "ghostguard: out of memory\n");
		status = 1;
		goto out;
	}
	for (i = optind; i < argc; i++) {
		k = strlen(files);
		snprintf(files + k, sizeof(files) - k, "%s%s", k ? " " : "",
		    argv[i]);
		struct pcap_progress prog = { progress, argv[i], 0 };

		if (pcap_source_run(argv[i], net, sink, pl,
		    isatty(STDERR_FILENO) ? &prog : NULL, NULL, err,
		    sizeof(err)) != 0) {
			fprintf(stderr, "ghostguard: %s\n", err);
			status = 2;
		}
	}
	pipeline_finish(pl);
	pl = NULL;
	if (html && write_html(a.report, html, files) != 0)
		status = 1;
	if (html && strcmp(html, "-") == 0)
		;
	else if (json)
		report_json(a.report, stdout, files);
	else
		report_text(a.report, stdout, files);
out:
	pipeline_finish(pl);
	report_free(a.report);
	engine_free(a.engine);
	net_free(net);
	sigset_free(&sigs);
	conf_fini(&conf);
	return status;
}

int
check_config_main(int argc, char **argv)
{
	struct gg_conf conf;
	struct sigset sigs = { 0 };
	const char *cpath = NULL;
	int ch, verbose = 0, errs;

	while ((ch = getopt(argc, argv, "c:nv")) != -1) {
		switch (ch) {
		case 'c':
			cpath = optarg;
			break;
		case 'n':
			break;
		case 'v':
			verbose = 1;
			break;
		default:
			fprintf(stderr, "usage: ghostguard check-config "
			    "[-c CONF] [-v]\n");
			return 2;
		}
	}
	if (optind < argc && cpath == NULL)
		cpath = argv[optind];
	if (cpath == NULL)
		cpath = "/etc/ghostguard/ghostguard.conf";
	errs = load_conf_and_sigs(cpath, &conf, &sigs);
	if (errs == 0 && verbose)
		conf_print(&conf, stdout);
	if (errs)
		fprintf(stderr, "%s: %d error%s\n", cpath, errs,
		    errs == 1 ? "" : "s");
	sigset_free(&sigs);
	conf_fini(&conf);
	return errs ? 1 : 0;
}
