/*
 * mkstate.c - a state file of N active bans for bench/ban/memory.sh, written
 * by the real ban manager and state store (ban_put, ban_state_save), so the
 * daemon restores exactly what it would have saved itself.
 *
 *   mkstate STATE N [NFTFILE]
 *
 * The bans are N distinct IPv6 documentation addresses, 2001:db8:X:Y::1
 * with X:Y the index (each in a /64 of its own, so nothing aggregates),
 * each banned from now for one week. With NFTFILE, the same elements are
 * also written as an `nft -f` script for the set ban6 of table
 * `inet ghostguard` as io/fw.c defines it (the baseline of the restore
 * time). Prints "records N bytes B memory M" (M: ban_memory()). Exit
 * status 0 on success.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>

#include "../../src/ban/ban.h"

#define MK_WEEK_S	(7ull * 24 * 3600)
#define MK_NS		1000000000ull
#define MK_PER_LINE	10000	/* elements per `add element` line */

/* The i-th address: 2001:db8:X:Y::1, X:Y = i. */
static void
mk_addr(unsigned long i, struct gg_addr *a)
{
	memset(a, 0, sizeof(*a));
	a->family = AF_INET6;
	a->a[0] = 0x20;
	a->a[1] = 0x01;
	a->a[2] = 0x0d;
	a->a[3] = 0xb8;
	a->a[4] = (uint8_t)(i >> 24);
	a->a[5] = (uint8_t)(i >> 16);
	a->a[6] = (uint8_t)(i >> 8);
	a->a[7] = (uint8_t)i;
	a->a[15] = 1;
}

/* The same elements as an nft script; 0, or -1 with errno. */
static int
mk_nft(const char *path, unsigned long n)
{
	struct gg_addr a;
	char s[GG_ADDRSTRLEN];
	unsigned long i;
	FILE *f;

	if ((f = fopen(path, "w")) == NULL)
		return -1;
	fputs("add table inet ghostguard\n"
	    "add set inet ghostguard ban6 { type ipv6_addr; flags timeout; }\n",
	    f);
	for (i = 0; i < n; i++) {
		mk_addr(i, &a);
		if (i % MK_PER_LINE == 0)
			fputs(i ? " }\nadd element inet ghostguard ban6 { " :
			    "add element inet ghostguard ban6 { ", f);
		else
			fputs(", ", f);
		fprintf(f, "%s timeout %llus", gg_addr_fmt(&a, s), MK_WEEK_S);
	}
	if (n)
		fputs(" }\n", f);
	if (fclose(f) != 0)
		return -1;
	return 0;
}

int
main(int argc, char **argv)
{
	struct ban_conf bc;
	struct ban_entry e;
	struct ban_state *st;
	struct ban *b;
	struct timespec ts;
	struct stat sb;
	unsigned long n, i;
	uint64_t now;

	if (argc < 3 || argc > 4 || (n = strtoul(argv[2], NULL, 10)) == 0 ||
	    n > UINT32_MAX / 2) {
		fprintf(stderr, "usage: mkstate STATE N [NFTFILE]\n");
		return 2;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	now = (uint64_t)ts.tv_sec * MK_NS + (uint64_t)ts.tv_nsec;
	ban_conf_default(&bc);
	bc.max_bans = (uint32_t)n;
	if ((st = ban_state_open(argv[1])) == NULL ||
	    (b = ban_new(&bc, NULL, NULL)) == NULL) {
		fprintf(stderr, "mkstate: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	memset(&e, 0, sizeof(e));
	e.plen = 128;
	e.count = 1;
	e.since_ns = now;
	e.last_ns = now;
	e.expires_ns = now + MK_WEEK_S * MK_NS;
	e.reason = "scanner: sipvicious (bench/ban/mkstate)";
	e.tool = "sipvicious";
	for (i = 0; i < n; i++) {
		enum ban_rc rc;

		mk_addr(i, &e.addr);
		if ((rc = ban_put(b, &e)) != BAN_OK) {
			fprintf(stderr, "mkstate: ban %lu: %s\n", i,
			    ban_rc_name(rc));
			return 1;
		}
	}
	if (ban_stats(b)->active != n) {
		fprintf(stderr, "mkstate: %llu bans active, not %lu\n",
		    (unsigned long long)ban_stats(b)->active, n);
		return 1;
	}
	if (ban_state_save(st, b) < 0 || stat(argv[1], &sb) < 0) {
		fprintf(stderr, "mkstate: saving %s: %s\n", argv[1],
		    strerror(errno));
		return 1;
	}
	if (argc == 4 && mk_nft(argv[3], n) < 0) {
		fprintf(stderr, "mkstate: %s: %s\n", argv[3], strerror(errno));
		return 1;
	}
	printf("records %lu bytes %lld memory %zu\n", n, (long long)sb.st_size,
	    ban_memory(b));
	ban_free(b);
	ban_state_close(st);
	return 0;
}
