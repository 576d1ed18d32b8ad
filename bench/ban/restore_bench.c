/*
 * restore_bench.c - ghostguard's side of bench/ban/restore.sh: a kernel
 * backend's replace() with N bans, as `ghostguard restore` does at boot.
 *
 *   restore_bench nft|ipset N [TIMEOUT]
 *
 * The bans are N distinct IPv6 documentation addresses, 2001:db8:X:Y::1
 * with X:Y the index (the same ones restore.sh writes for nft -f and
 * ipset restore), each with TIMEOUT seconds (default 3600). Creates the
 * backend (its sets, when absent) and calls replace() once; prints the
 * time of replace() alone and the peak RSS on stderr. Exit status 0 on
 * success.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>

#include "../../src/ban/ban.h"
#include "../../src/io/log.h"

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	struct ban_backend *b;
	struct ban_item *v;
	struct rusage ru;
	unsigned long n, i, timeout = 3600;
	double t0, t1;
	int rc;

	if (argc < 3 || (n = strtoul(argv[2], NULL, 10)) == 0 ||
	    n > UINT32_MAX) {
		fprintf(stderr, "usage: restore_bench nft|ipset N [TIMEOUT]\n");
		return 2;
	}
	if (argc > 3)
		timeout = strtoul(argv[3], NULL, 10);
	log_open(true, false, false);
	if ((v = calloc(n, sizeof(*v))) == NULL)
		return 1;
	for (i = 0; i < n; i++) {
		v[i].addr.family = AF_INET6;
		v[i].addr.a[0] = 0x20;
		v[i].addr.a[1] = 0x01;
		v[i].addr.a[2] = 0x0d;
		v[i].addr.a[3] = 0xb8;
		v[i].addr.a[4] = (uint8_t)(i >> 24);
		v[i].addr.a[5] = (uint8_t)(i >> 16);
		v[i].addr.a[6] = (uint8_t)(i >> 8);
		v[i].addr.a[7] = (uint8_t)i;
		v[i].addr.a[15] = 1;
		v[i].plen = 128;
		v[i].timeout_s = (uint32_t)timeout;
	}
	if (strcmp(argv[1], "nft") == 0)
		b = ban_nft_new();
	else if (strcmp(argv[1], "ipset") == 0)
		b = ban_ipset_new((uint32_t)(n * 2 > 65536 ? n * 2 : 65536));
	else {
		fprintf(stderr, "restore_bench: backend nft or ipset\n");
		free(v);
		return 2;
	}
	if (b == NULL) {
		fprintf(stderr, "restore_bench: %s: %s\n", argv[1],
		    strerror(errno));
		free(v);
		return 1;
	}
	t0 = now_s();
	rc = b->replace(b->ctx, v, n);
	t1 = now_s();
	b->free(b->ctx);
	free(b);
	free(v);
	getrusage(RUSAGE_SELF, &ru);
	fprintf(stderr, "restore_bench %s: replace() of %lu bans: %.3f s, "
	    "peak RSS %ld MiB (%zu of it the items)\n", argv[1], n, t1 - t0,
	    ru.ru_maxrss / 1024, n * sizeof(*v) >> 20);
	return rc < 0 ? 1 : 0;
}
