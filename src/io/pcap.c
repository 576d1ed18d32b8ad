/*
 * pcap.c - reads capture files with libpcap and feeds them to the decoder.
 *
 * The file is opened here (not by libpcap) so that an open error keeps its
 * errno and the progress report can use the stdio offset of the stream.
 *
 * A classic pcap file in this machine's byte order is read from a memory
 * map instead, record by record, for as long as each record is one libpcap
 * would hand over unchanged; at the first it would not (a caplen past the
 * snapshot length, a record cut short) or at the end of
 * the map, libpcap goes on from that offset. libpcap still reads the file
 * header, so the link type, the snapshot length and every error are its
 * own. The map saves libpcap's two copies of each record (read(2) into the
 * stdio buffer, fread into its own): an eighth of analyze's time, paid by
 * each of its workers, which all read the whole file.
 *
 * A mapped file that another process truncates raises SIGBUS where a read
 * would have met the end of the file. The handler puts a page of zeros
 * where the thread's map faulted and says so; the thread leaves the map at
 * the start of the record it was reading, and libpcap reads that record
 * again and reports the file cut short, as it would have. Each record's
 * last byte is touched before it is fed, so a record cut before that is
 * not fed at all; one cut while it is fed is fed partly as zeros.
 */
#include <errno.h>
#include <pcap/pcap.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pcap.h"

#define PROGRESS_DEFAULT	(1u << 20)
#define READ_BUF		(1u << 20)	/* stdio buffer of the file */
#define MAP_RELEASE		(1u << 20)	/* map read between giving
						 * its pages back */
#define PCAP_MAGIC_US		0xa1b2c3d4u	/* microsecond time stamps */
#define PCAP_MAGIC_NS		0xa1b23c4du	/* nanosecond time stamps */
#define CAPLEN_MAX		262144u		/* libpcap's MAXIMUM_SNAPLEN:
						 * past it, libpcap reads */

/* The progress callback, when the reader has passed *next bytes. */
static void
progress_at(const struct pcap_progress *prog, uint64_t pos, uint64_t total,
    uint64_t *next)
{
	if (prog == NULL || prog->fn == NULL || pos < *next)
		return;
	*next = pos + (prog->every ? prog->every : PROGRESS_DEFAULT);
	prog->fn(prog->arg, pos, total);
}

/* The same at the stream's position, or the last call (total of total). */
static void
progress(const struct pcap_progress *prog, FILE *f, uint64_t total,
    uint64_t *next, bool last)
{
	off_t pos;

	if (prog == NULL || prog->fn == NULL)
		return;
	if (last) {
		prog->fn(prog->arg, total, total);
		return;
	}
	if ((pos = ftello(f)) >= 0)
		progress_at(prog, (uint64_t)pos, total, next);
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

/* One record, from libpcap or from the map: counted, then decoded. */
static void
record_feed(struct pcap_loop *l, const unsigned char *data, uint32_t caplen,
    uint64_t ts)
{
	struct pcap_source_stats *st = l->st;

	if (st->records++ == 0)
		st->first_ts_ns = ts;
	st->last_ts_ns = ts;
	st->bytes += caplen;
	net_feed_frame(l->n, st->dlt, data, caplen, ts, l->sink, l->arg);
}

static void
pcap_record(u_char *user, const struct pcap_pkthdr *h, const u_char *data)
{
	struct pcap_loop *l = (struct pcap_loop *)user;

	record_feed(l, data, h->caplen, (uint64_t)h->ts.tv_sec * 1000000000u +
	    (uint64_t)h->ts.tv_usec);
	progress(l->prog, l->f, l->st->file_size, &l->next, false);
}

/* The map this thread reads, for bus_handler(); bus_hit when it faulted. */
static _Thread_local const unsigned char *bus_map;
static _Thread_local size_t bus_size;
static _Thread_local volatile sig_atomic_t bus_hit;
static struct sigaction bus_old;	/* the handler before ours */
static uintptr_t bus_page;		/* page size (the map releases whole
					 * pages too) */
static pthread_once_t bus_once = PTHREAD_ONCE_INIT;

/*
 * SIGBUS in this thread's map: the file shrank under it. A page of zeros
 * over the faulting page lets the access finish. Any other SIGBUS goes to
 * the handler there was before (by default the process dies), as the
 * faulting access is made again on return.
 */
static void
bus_handler(int sig, siginfo_t *si, void *uc)
{
	uintptr_t a = (uintptr_t)si->si_addr, m = (uintptr_t)bus_map;
	int e = errno;

	(void)sig;
	(void)uc;
	if (si->si_code == BUS_ADRERR && bus_map != NULL && a >= m &&
	    a - m < bus_size &&
	    mmap((void *)(a & ~(bus_page - 1)), bus_page, PROT_READ,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != MAP_FAILED) {
		bus_hit = 1;
		errno = e;
		return;
	}
	sigaction(SIGBUS, &bus_old, NULL);
	/* A fault is made again on return; a sent signal is sent again. */
	if (si->si_code <= 0)
		raise(SIGBUS);
	errno = e;
}

static void
bus_install(void)
{
	struct sigaction sa;

	bus_page = (uintptr_t)sysconf(_SC_PAGESIZE);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = bus_handler;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, &bus_old);
}

static uint32_t
get32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/*
 * The records of a classic pcap file from its map m of size bytes, from
 * offset 24 on; returns the offset of the first record left to libpcap.
 * A record is fed here only when libpcap would hand it over as it is: in
 * the map whole, caplen within the snapshot length (libpcap cuts a longer
 * one, or fails) and within CAPLEN_MAX. The time stamp is libpcap's
 * (signed 32-bit fields, microseconds scaled in 64 bits) as pcap_record()
 * turns it into nanoseconds.
 */
static size_t
map_records(struct pcap_loop *l, const unsigned char *m, size_t size,
    uint32_t snap, bool usec)
{
	size_t off = 24, released = 0;

	while (size - off >= 16) {
		const unsigned char *h = m + off;
		uint32_t caplen = get32(h + 8);
		int64_t sec = (int32_t)get32(h), sub = (int32_t)get32(h + 4);

		/* A header past a new end of the file reads as zeros. */
		atomic_signal_fence(memory_order_seq_cst);
		if (bus_hit || caplen > snap || caplen > CAPLEN_MAX ||
		    caplen > size - off - 16)
			break;
		/* The record's last byte first: in a file cut since the map
		 * it faults there, before any of the record is fed, and
		 * libpcap reads the record again and reports it cut short. */
		(void)*(volatile const unsigned char *)(h + 15 + caplen);
		atomic_signal_fence(memory_order_seq_cst);
		if (bus_hit)
			break;
		if (usec)
			sub *= 1000;
		record_feed(l, h + 16, caplen,
		    (uint64_t)sec * 1000000000u + (uint64_t)sub);
		if (bus_hit)	/* cut while fed: libpcap reads it again */
			break;
		off += 16 + (size_t)caplen;
		progress_at(l->prog, off, l->st->file_size, &l->next);
		/* Read pages are not needed again: keep the resident set
		 * what it was with read(2). */
		if (off - released >= MAP_RELEASE) {
			size_t k = (off & ~(size_t)(bus_page - 1)) - released;

			madvise((void *)(uintptr_t)(m + released), k,
			    MADV_DONTNEED);
			released += k;
		}
	}
	return off;
}

/*
 * Feeds what it can from a map of f (see above); returns 0 with f at the
 * offset libpcap goes on from, 1 when the file is not for the map (f is
 * then where libpcap left it), -1 when f cannot be put back where the map
 * stopped (libpcap would read records twice).
 */
static int
map_loop(pcap_t *pc, FILE *f, struct pcap_loop *l)
{
	const unsigned char *m;
	uint16_t major, minor;
	uint32_t magic;
	size_t size = l->st->file_size, off;
	void *p;

	/* libpcap read the 24 bytes of a classic header, and no more. */
	if (size < 24 || pcap_is_swapped(pc) || pcap_snapshot(pc) <= 0 ||
	    ftello(f) != 24)
		return 1;
	p = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fileno(f), 0);
	if (p == MAP_FAILED)
		return 1;
	m = p;
	magic = get32(m);
	memcpy(&major, m + 4, sizeof(major));
	memcpy(&minor, m + 6, sizeof(minor));
	/* Version 2.4: older ones may have caplen and len swapped. */
	if ((magic != PCAP_MAGIC_US && magic != PCAP_MAGIC_NS) ||
	    major != 2 || minor != 4) {
		munmap(p, size);
		return 1;
	}
	madvise(p, size, MADV_SEQUENTIAL);
	pthread_once(&bus_once, bus_install);
	bus_hit = 0;
	bus_size = size;
	bus_map = m;
	off = map_records(l, m, size, (uint32_t)pcap_snapshot(pc),
	    magic == PCAP_MAGIC_US);
	bus_map = NULL;
	munmap(p, size);
	return fseeko(f, (off_t)off, SEEK_SET) == 0 ? 0 : -1;
}

/*
 * Feeds every record; 0 at the end of the file, -1 on a read error (libpcap
 * has the message), -2 when the stream cannot be put after the records the
 * map gave (errno says why). Records come from the map while they can,
 * then by pcap_dispatch() in batches: pcap_next_ex() would enter and leave
 * libpcap's read loop for each one.
 */
static int
pcap_source_loop(pcap_t *pc, FILE *f, struct net *n, net_sink sink,
    void *arg, const struct pcap_progress *prog,
    struct pcap_source_stats *st)
{
	struct pcap_loop l = { n, sink, arg, prog, f, st, 0 };
	int rc;

	if (map_loop(pc, f, &l) < 0)
		return -2;
	/* Nothing calls pcap_breakloop(): the loop ends at the file's end
	 * (0) or on an error (-1). */
	while ((rc = pcap_dispatch(pc, 4096, pcap_record, (u_char *)&l)) > 0)
		;
	if (rc == 0) {
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
	/* "-" is standard input; a copy of the descriptor, since
	 * pcap_close() closes the stream. */
	if (strcmp(path, "-") == 0) {
		int fd = dup(STDIN_FILENO);

		f = fd < 0 ? NULL : fdopen(fd, "rb");
		if (f == NULL && fd >= 0)
			close(fd);
	} else {
		f = fopen(path, "rb");
	}
	if (f == NULL) {
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
	if (rc == -2)
		snprintf(err, errlen, "%s: after %llu records: cannot seek "
		    "past them: %s", path, (unsigned long long)st->records,
		    strerror(errno));
	else if (rc != 0)
		snprintf(err, errlen, "%s: after %llu records: %s", path,
		    (unsigned long long)st->records, pcap_geterr(pc));
	pcap_close(pc);
	free(buf);	/* after the fclose() in pcap_close() */
	if (rc != 0)
		errno = EIO;
	return rc != 0 ? -1 : 0;
}
