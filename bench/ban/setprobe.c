/*
 * setprobe.c - is an address in an nftables set? For the ban benchmarks,
 * which must check sets of a million elements.
 *
 *   setprobe SET ADDR...
 *
 * SET is a set of table `inet ghostguard` (ban4, ban6, ban6net). Each
 * address is looked up with one NFT_MSG_GETSETELEM request that is not a
 * dump: the kernel looks the key up in the set (for an interval set, the
 * interval that holds it) and answers with that element or ENOENT. `nft get
 * element` would not do: it dumps the whole set into its cache first, which
 * takes a minute with a million elements (the kernel's hash walk restarts
 * for every dump message), far longer than the restore it would check.
 *
 * Prints "present P absent A errors E" and, with SETPROBE_VERBOSE set in
 * the environment, one "ADDR present|absent|error" line per address first.
 * Exit status 0 when every lookup got an answer (present or absent), 1 on
 * an error, 2 on a usage error. A set that does not exist reads as absent
 * (the kernel answers ENOENT for both).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#define SP_TABLE	"ghostguard"
#define SP_BUFSZ	8192	/* libmnl's MNL_SOCKET_BUFFER_SIZE is
				 * sysconf(), a VLA; 8192 is its cap */

/*
 * One lookup: 1 present, 0 absent, -1 error (errno). Reads the answers to
 * request seq until its ack or error.
 */
static int
sp_get(struct mnl_socket *nl, uint32_t seq, const char *set, const void *key,
    size_t len)
{
	char buf[SP_BUFSZ];
	struct nlattr *list, *e, *k;
	struct nlmsghdr *nlh;
	struct nfgenmsg *nfg;
	int found = 0;
	ssize_t n;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETSETELEM;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = NFPROTO_INET;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = 0;
	mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_TABLE, SP_TABLE);
	mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_SET, set);
	list = mnl_attr_nest_start(nlh, NFTA_SET_ELEM_LIST_ELEMENTS);
	e = mnl_attr_nest_start(nlh, NFTA_LIST_ELEM);
	k = mnl_attr_nest_start(nlh, NFTA_SET_ELEM_KEY);
	mnl_attr_put(nlh, NFTA_DATA_VALUE, len, key);
	mnl_attr_nest_end(nlh, k);
	mnl_attr_nest_end(nlh, e);
	mnl_attr_nest_end(nlh, list);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	for (;;) {
		if ((n = mnl_socket_recvfrom(nl, buf, sizeof(buf))) <= 0)
			return -1;
		for (nlh = (struct nlmsghdr *)buf; mnl_nlmsg_ok(nlh, (int)n);
		    nlh = mnl_nlmsg_next(nlh, (int *)&n)) {
			if (nlh->nlmsg_seq != seq)
				continue;
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *err =
				    mnl_nlmsg_get_payload(nlh);

				if (err->error == 0)
					return found;
				if (err->error == -ENOENT)
					return 0;
				errno = -err->error;
				return -1;
			}
			if ((nlh->nlmsg_type & 0xff) == NFT_MSG_NEWSETELEM)
				found = 1;
		}
	}
}

int
main(int argc, char **argv)
{
	unsigned long present = 0, absent = 0, errors = 0;
	bool verbose = getenv("SETPROBE_VERBOSE") != NULL;
	struct mnl_socket *nl;
	uint8_t key[16];
	uint32_t seq;
	int i, r;

	if (argc < 3) {
		fprintf(stderr, "usage: setprobe SET ADDR...\n");
		return 2;
	}
	if ((nl = mnl_socket_open(NETLINK_NETFILTER)) == NULL ||
	    mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("setprobe: netlink");
		return 1;
	}
	seq = (uint32_t)time(NULL);
	for (i = 2; i < argc; i++) {
		size_t len;

		if (inet_pton(AF_INET6, argv[i], key) == 1)
			len = 16;
		else if (inet_pton(AF_INET, argv[i], key) == 1)
			len = 4;
		else {
			fprintf(stderr, "setprobe: %s: not an address\n",
			    argv[i]);
			return 2;
		}
		r = sp_get(nl, seq++, argv[1], key, len);
		if (r < 0) {
			errors++;
			fprintf(stderr, "setprobe: %s in %s: %s\n", argv[i],
			    argv[1], strerror(errno));
		} else if (r)
			present++;
		else
			absent++;
		if (verbose)
			printf("%s %s\n", argv[i],
			    r < 0 ? "error" : r ? "present" : "absent");
	}
	mnl_socket_close(nl);
	printf("present %lu absent %lu errors %lu\n", present, absent, errors);
	return errors ? 1 : 0;
}
