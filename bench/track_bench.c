/*
 * track_bench.c - the memory of the per-source tracker.
 *
 *	track_bench CAP [FILL]
 *
 * Creates a tracker for CAP sources (track_new(), as the engine does from
 * tracker-sources) and prints what track_memory() says it holds. Then inserts
 * FILL distinct sources (default CAP; IPv4 from 198.18.0.0/15, then IPv6 from
 * 2001:db8::/64), so that every record and index slot has been written, and
 * prints the growth of the process's peak resident set (getrusage) across
 * the fill: the memory the kernel really had to provide.
 *
 * Output, one line: cap=N sizeof_src=B track_memory=B rss_growth=B count=N
 * evictions=N
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include "../src/engine/track.h"

static long
maxrss_bytes(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) != 0)
		return -1;
	return ru.ru_maxrss * 1024L;
}

int
main(int argc, char **argv)
{
	struct track *t;
	struct gg_addr a;
	unsigned long cap, fill, i;
	long rss0, rss1;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: track_bench CAP [FILL]\n");
		return 2;
	}
	cap = strtoul(argv[1], NULL, 10);
	fill = argc > 2 ? strtoul(argv[2], NULL, 10) : cap;
	rss0 = maxrss_bytes();
	if ((t = track_new(cap, 0x67686f7374ULL)) == NULL) {
		fprintf(stderr, "track_bench: track_new(%lu) failed\n", cap);
		return 1;
	}
	for (i = 0; i < fill; i++) {
		memset(&a, 0, sizeof(a));
		if (i < (1ul << 17)) {
			uint32_t v = (198u << 24 | 18u << 16) + (uint32_t)i;

			a.family = AF_INET;
			a.a[0] = v >> 24;
			a.a[1] = v >> 16 & 0xff;
			a.a[2] = v >> 8 & 0xff;
			a.a[3] = v & 0xff;
		} else {
			a.family = AF_INET6;
			a.a[0] = 0x20;
			a.a[1] = 0x01;
			a.a[2] = 0x0d;
			a.a[3] = 0xb8;
			memcpy(&a.a[8], &i, sizeof(i));
		}
		track_get(t, &a, 1000000000ull * (i + 1));
	}
	rss1 = maxrss_bytes();
	printf("cap=%lu sizeof_src=%zu track_memory=%zu rss_growth=%ld "
	    "count=%zu evictions=%llu\n", cap, sizeof(struct track_src),
	    track_memory(t), rss1 - rss0, track_count(t),
	    (unsigned long long)track_stats(t)->evictions);
	track_free(t);
	return 0;
}
