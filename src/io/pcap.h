/*
 * pcap.h - the capture-file packet source for `ghostguard analyze`.
 *
 * pcap_source_run() reads a pcap or pcapng file through libpcap, record by
 * record, and feeds each frame to a struct net with its link type and its
 * timestamp in nanoseconds; the net calls the sink for each SIP payload.
 * A classic pcap in this machine's byte order is read from a memory map
 * instead, as long as libpcap would hand each record over unchanged, which
 * saves libpcap's copies; the frames, their times and every error are the
 * same. Memory stays flat whatever the size of the file: one record is in
 * memory at a time (libpcap's buffer), or the last MiB of the map, and the
 * net's own memory was fixed at net_new(). The same file always gives the
 * same calls in the same order, since time comes from the records only. A
 * file another process truncates while it is mapped is read to its new
 * end (a SIGBUS handler, installed on the first map, catches the faults in
 * the map; any other SIGBUS goes to the handler there was before).
 */
#ifndef GG_IO_PCAP_H
#define GG_IO_PCAP_H

#include <stdint.h>

#include "../net/net.h"

/* What a run read. Filled as far as it got, also when it fails. */
struct pcap_source_stats {
	uint64_t	records;	/* frames read from the file */
	uint64_t	bytes;		/* captured bytes of those frames */
	uint64_t	file_size;	/* size of the file, 0 if unknown */
	int		dlt;		/* link type (first interface) */
	uint64_t	first_ts_ns;	/* time of the first record */
	uint64_t	last_ts_ns;	/* time of the last record */
};

/*
 * Progress reports for a long file: fn(arg, done, total) is called with the
 * file offset reached and the file size, about every `every` bytes (0: every
 * MiB) and once at the end with done == total. total is 0 when the size is
 * not known (a pipe).
 */
struct pcap_progress {
	void		(*fn)(void *arg, uint64_t done, uint64_t total);
	void		*arg;		/* for fn */
	uint64_t	 every;		/* bytes between calls; 0: 1 MiB */
};

/*
 * Decodes every frame of the capture file at path through n, calling sink
 * (with arg) for each delivered payload, and prog->fn if prog is not NULL.
 * st may be NULL. Returns 0 when the whole file was read, or -1 with errno
 * set and a one-line message in err (errlen bytes, NUL-terminated, naming
 * the file): the file cannot be opened (errno from open), is not a pcap or
 * pcapng file libpcap can read (EINVAL; e.g. NetMon), or is cut short or
 * corrupt partway (EIO; the frames before the damage were decoded and
 * counted in st).
 */
int	pcap_source_run(const char *path, struct net *n, net_sink sink,
	    void *arg, const struct pcap_progress *prog,
	    struct pcap_source_stats *st, char *err, size_t errlen);

#endif /* GG_IO_PCAP_H */
