/*
 * pcap_fuzz.c - a whole capture file through the analyze path: libpcap,
 * the decoder, the parser, the engine and the report.
 *
 * The input is written to a memory file and read back through its
 * /proc/self/fd path, so the target uses pcap_source_run() itself.
 */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../src/engine/engine.h"
#include "../../src/io/pcap.h"
#include "../../src/io/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct ctx {
	struct engine	*e;
	struct report	*r;
};

static void
sink(void *arg, const struct net_pkt *pkt)
{
	struct ctx *c = arg;
	struct sip_msg m;
	struct engine_result res;
	enum sip_rc rc = sip_parse(&m, (const char *)pkt->data, pkt->len);

	engine_feed(c->e, pkt, &m, rc, &res);
	report_add(c->r, c->e, pkt, &m, rc, &res);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct gg_conf conf;
	static struct sigset sigs;
	static FILE *null;
	struct ctx c;
	struct net *n;
	char path[64], err[256];
	int fd;

	if (null == NULL) {
		conf_init(&conf);
		conf.tracker_sources = 64;
		sigset_load(&sigs, "builtin", sig_builtin, sig_builtin_len,
		    NULL);
		if ((null = fopen("/dev/null", "w")) == NULL)
			return 0;
	}
	if ((fd = memfd_create("pcap", 0)) < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	/* Small ceilings: a fresh decoder per input stays cheap, and the
	 * fuzzer reaches the eviction paths quickly. */
	n = net_new(&(struct net_limits){ .frag_max_bytes = 64u << 10,
	    .frag_max_datagrams = 8, .tcp_max_streams = 16,
	    .tcp_max_stream_bytes = 16u << 10, .tcp_max_buffered = 4 });
	c.e = engine_new(&conf, &sigs);
	c.r = report_new(64);
	if (n && c.e && c.r) {
		pcap_source_run(path, n, sink, &c, NULL, NULL, err,
		    sizeof(err));
		report_json(c.r, null, "fuzz");
		report_text(c.r, null, "fuzz");
	}
	report_free(c.r);
	engine_free(c.e);
	net_free(n);
	close(fd);
	return 0;
}
