/*
 * pcap.c - reads capture files with libpcap and feeds them to the decoder.
 *
 * The file is opened here (not by libpcap) so that an open error keeps its
 * errno and the progress report can use the stdio offset of the stream.
 */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pcap.h"

#define PROGRESS_DEFAULT	(1u << 20)
#define READ_BUF		(1u << 20)	/* stdio buffer of the file */

static void
progress(const struct pcap_progress *prog, FILE *f, uint64_t total,
    uint64_t *next, bool last)
{
	uint64_t every;
	off_t pos;

	if (prog == NULL || prog->fn == NULL)
		return;
	if (last) {
		prog->fn(prog->arg, total, total);
		return;
	}
	pos = ftello(f);
	if (pos < 0 || (uint64_t)pos < *next)
		return;
	every = prog->every ? prog->every : PROGRESS_DEFAULT;
	*next = (uint64_t)pos + every;
	prog->fn(prog->arg, (uint64_t)pos, total);
}

/* What the per-record callback needs. */
struct pcap_loop {
	struct net		*n;
	net_sink		 sink;
	void			*arg;	/* for sink */
	const struct pcap_progress *prog;
	FILE			*f;
	struct pcap_source_stats *st;
	uint64_t		 next;	/* file offset of the next progress
					 * report */
};

static void
pcap_record(u_char *user, const struct pcap_pkthdr *h, const u_char *data)
{
	struct pcap_loop *l = (struct pcap_loop *)user;
	struct pcap_source_stats *st = l->st;
	uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000000u +
	    (uint64_t)h->ts.tv_usec;

	if (st->records++ == 0)
		st->first_ts_ns = ts;
	st->last_ts_ns = ts;
	st->bytes += h->caplen;
	net_feed_frame(l->n, st->dlt, data, h->caplen, ts, l->sink, l->arg);
	progress(l->prog, l->f, st->file_size, &l->next, false);
}

/*
 * Feeds every record; 0 at the end of the file, -1 on a read error. Records
 * come by pcap_dispatch() in batches: pcap_next_ex() would enter and leave
 * libpcap's read loop for each one.
 */
static int
pcap_source_loop(pcap_t *pc, FILE *f, struct net *n, net_sink sink,
    void *arg, const struct pcap_progress *prog,
    struct pcap_source_stats *st)
{
	struct pcap_loop l = { n, sink, arg, prog, f, st, 0 };
	int rc;

	while ((rc = pcap_dispatch(pc, 4096, pcap_record, (u_char *)&l)) > 0)
		;
	if (rc == 0 || rc == PCAP_ERROR_BREAK) {
		progress(prog, f, st->file_size, &l.next, true);
		return 0;
	}
	return -1;
}

int
pcap_source_run(const char *path, struct net *n, net_sink sink, void *arg,
    const struct pcap_progress *prog, struct pcap_source_stats *st,
    char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	struct pcap_source_stats dummy;
	struct stat sb;
	pcap_t *pc;
	FILE *f;
	char *buf;
	int rc;

	if (st == NULL)
		st = &dummy;
	memset(st, 0, sizeof(*st));
	if ((f = fopen(path, "rb")) == NULL) {
		rc = errno;
		snprintf(err, errlen, "%s: %s", path, strerror(rc));
		errno = rc;
		return -1;
	}
	if (fstat(fileno(f), &sb) == 0 && S_ISREG(sb.st_mode))
		st->file_size = (uint64_t)sb.st_size;
	/* libpcap freads each record: with stdio's default buffer that is a
	 * read(2) per 4 KiB, 150,000 of them for a 600 MiB capture. Without
	 * the memory, the default buffer does. */
	if ((buf = malloc(READ_BUF)) != NULL &&
	    setvbuf(f, buf, _IOFBF, READ_BUF) != 0) {
		free(buf);
		buf = NULL;
	}
	/* On success libpcap owns f and closes it in pcap_close(). */
	pc = pcap_fopen_offline_with_tstamp_precision(f,
	    PCAP_TSTAMP_PRECISION_NANO, ebuf);
	if (pc == NULL) {
		fclose(f);
		free(buf);
		snprintf(err, errlen, "%s: not a capture file libpcap can "
		    "read: %s", path, ebuf);
		errno = EINVAL;
		return -1;
	}
	st->dlt = pcap_datalink(pc);
	rc = pcap_source_loop(pc, f, n, sink, arg, prog, st);
	if (rc != 0)
		snprintf(err, errlen, "%s: after %llu records: %s", path,
		    (unsigned long long)st->records, pcap_geterr(pc));
	pcap_close(pc);
	free(buf);	/* after the fclose() in pcap_close() */
	if (rc != 0)
		errno = EIO;
	return rc;
}
