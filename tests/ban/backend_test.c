/*
 * backend_test.c - drives one kernel ban backend for tests/ban/backend.sh,
 * which runs it inside a network namespace of its own and checks what the
 * kernel does (sets, counters, packets, conntrack).
 *
 *   backend_test nft|ipset add|del|replace [ADDR[/PLEN][@TIMEOUT]...]
 *   backend_test ct ADDR/PLEN
 *
 * Each backend call is one batch of all the elements given (TIMEOUT in
 * seconds, default 0: none). ct prints the number of conntrack entries
 * deleted. Exit status 0 when the call succeeded, 1 when it failed, 2 on
 * bad usage.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "../../src/ban/ban.h"
#include "../../src/io/log.h"

static int
parse_item(const char *arg, struct ban_item *it, int need_plen)
{
	char buf[128], *slash, *at, *end;
	unsigned long v;

	if (strlen(arg) >= sizeof(buf))
		return -1;
	strcpy(buf, arg);
	memset(it, 0, sizeof(*it));
	if ((at = strchr(buf, '@')) != NULL) {
		*at++ = '\0';
		errno = 0;
		v = strtoul(at, &end, 10);
		if (errno || *end || v > UINT32_MAX)
			return -1;
		it->timeout_s = (uint32_t)v;
	}
	if ((slash = strchr(buf, '/')) != NULL)
		*slash++ = '\0';
	else if (need_plen)
		return -1;
	if (gg_addr_parse(buf, &it->addr) < 0)
		return -1;
	it->plen = it->addr.family == AF_INET ? 32 : 128;
	if (slash) {
		v = strtoul(slash, &end, 10);
		if (*end || v > it->plen)
			return -1;
		it->plen = (uint8_t)v;
	}
	return 0;
}

static int
usage(void)
{
	fprintf(stderr, "usage: backend_test nft|ipset add|del|replace "
	    "[ADDR[/PLEN][@TIMEOUT]...]\n       backend_test ct ADDR/PLEN\n");
	return 2;
}

int
main(int argc, char **argv)
{
	struct ban_backend *b;
	struct ban_item *v;
	size_t n, i;
	int rc, saved;

	log_open(true, false, getenv("GG_DEBUG") != NULL);
	if (argc == 3 && strcmp(argv[1], "ct") == 0) {
		struct ban_item it;

		if (parse_item(argv[2], &it, 1) < 0)
			return usage();
		rc = ban_ct_flush(&it.addr, it.plen);
		if (rc < 0) {
			fprintf(stderr, "ban_ct_flush: %s\n", strerror(errno));
			return 1;
		}
		printf("%d\n", rc);
		return 0;
	}
	if (argc < 3)
		return usage();
	n = (size_t)argc - 3;
	if ((v = calloc(n ? n : 1, sizeof(*v))) == NULL)
		return 1;
	for (i = 0; i < n; i++)
		if (parse_item(argv[3 + i], &v[i], 0) < 0) {
			fprintf(stderr, "bad element: %s\n", argv[3 + i]);
			free(v);
			return usage();
		}
	if (strcmp(argv[1], "nft") == 0)
		b = ban_nft_new();
	else if (strcmp(argv[1], "ipset") == 0)
		b = ban_ipset_new(1024);
	else {
		free(v);
		return usage();
	}
	if (b == NULL) {
		fprintf(stderr, "%s backend: %s\n", argv[1], strerror(errno));
		free(v);
		return 1;
	}
	if (strcmp(argv[2], "add") == 0)
		rc = b->add(b->ctx, v, n);
	else if (strcmp(argv[2], "del") == 0)
		rc = b->del(b->ctx, v, n);
	else if (strcmp(argv[2], "replace") == 0)
		rc = b->replace(b->ctx, v, n);
	else
		rc = -2;
	saved = errno;
	/* As ban_backend_free() (ban.c, not linked here). */
	b->free(b->ctx);
	free(b);
	free(v);
	if (rc == -2)
		return usage();
	if (rc < 0)
		fprintf(stderr, "%s %s: %s\n", argv[1], argv[2],
		    strerror(saved));
	return rc < 0 ? 1 : 0;
}
