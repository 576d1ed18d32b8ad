/*
 * bench/inline/passthru.c - the smallest NFQUEUE listener that does what
 * ghostguard's queue loop does, minus the engine: the baseline (b) of
 * bench/inline/run.sh. libnetfilter_queue's libmnl API; packets read with
 * recvmmsg(MSG_WAITFORONE) in batches; every packet accepted, with one
 * NFQNL_MSG_VERDICT_BATCH per batch (the highest packet id of the run).
 * The queue is opened like ghostguard's (src/io/nfq.c, src/run.c):
 * fail-open, 65536 packets long, a 16 MiB receive buffer.
 *
 *   passthru QUEUE SECONDS
 *
 * Stops by itself after SECONDS (or on SIGTERM/SIGINT) and prints
 * "passthru: N packets, N batches".
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH	32	/* NFQUEUE_BATCH of src/io/nfq.h */
#define BUFSZ	(0xffff + 4096)
#define SBUFSZ	8192	/* a config or verdict message; libmnl's
			 * MNL_SOCKET_BUFFER_SIZE is sysconf(), a VLA */

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int
send_nlh(struct mnl_socket *nl, struct nlmsghdr *nlh)
{
	return mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0 ? -1 : 0;
}

static int
packet_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nlattr *attr[NFQA_MAX + 1] = { 0 };
	struct nfqnl_msg_packet_hdr *ph;
	uint32_t *last = data, id;

	if (nfq_nlmsg_parse(nlh, attr) < 0 || !attr[NFQA_PACKET_HDR])
		return MNL_CB_OK;
	ph = mnl_attr_get_payload(attr[NFQA_PACKET_HDR]);
	id = ntohl(ph->packet_id);
	if (id > *last)
		*last = id;
	return MNL_CB_OK;
}

int
main(int argc, char **argv)
{
	static char bufs[BATCH][BUFSZ];
	char sbuf[SBUFSZ];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	unsigned long long npkt = 0, nbatch = 0;
	unsigned int portid, qnum;
	int i, n, one = 1, rcvbuf = 16 << 20, secs;

	if (argc != 3) {
		fprintf(stderr, "usage: passthru QUEUE SECONDS\n");
		return 2;
	}
	qnum = (unsigned int)atoi(argv[1]);
	secs = atoi(argv[2]);
	/* No SA_RESTART: a signal interrupts recvmmsg, so the loop ends. */
	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);
	alarm((unsigned int)secs);

	nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("passthru: netlink");
		return 1;
	}
	portid = mnl_socket_get_portid(nl);
	setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf));
	mnl_socket_setsockopt(nl, NETLINK_NO_ENOBUFS, &one, sizeof(one));

	nlh = nfq_nlmsg_put(sbuf, NFQNL_MSG_CONFIG, qnum);
	nfq_nlmsg_cfg_put_cmd(nlh, AF_INET, NFQNL_CFG_CMD_BIND);
	if (send_nlh(nl, nlh) < 0) {
		perror("passthru: bind queue");
		return 1;
	}
	nlh = nfq_nlmsg_put(sbuf, NFQNL_MSG_CONFIG, qnum);
	nfq_nlmsg_cfg_put_params(nlh, NFQNL_COPY_PACKET, 0xffff);
	nfq_nlmsg_cfg_put_qmaxlen(nlh, 65536);
	mnl_attr_put_u32(nlh, NFQA_CFG_FLAGS, htonl(NFQA_CFG_F_FAIL_OPEN));
	mnl_attr_put_u32(nlh, NFQA_CFG_MASK, htonl(NFQA_CFG_F_FAIL_OPEN));
	if (send_nlh(nl, nlh) < 0) {
		perror("passthru: queue params");
		return 1;
	}
	for (i = 0; i < BATCH; i++) {
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = BUFSZ;
		memset(&msgs[i], 0, sizeof(msgs[i]));
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	fprintf(stderr, "passthru: queue %u bound\n", qnum);
	while (!stop) {
		uint32_t last = 0;

		n = recvmmsg(mnl_socket_get_fd(nl), msgs, BATCH, MSG_WAITFORONE, NULL);
		if (n < 0) {
			if (errno == EINTR || errno == ENOBUFS)
				continue;
			perror("passthru: recvmmsg");
			break;
		}
		for (i = 0; i < n; i++) {
			mnl_cb_run(bufs[i], msgs[i].msg_len, 0, portid, packet_cb, &last);
			npkt++;
		}
		if (last == 0)
			continue;
		/* One batch verdict: accepts every packet id <= last. */
		nlh = nfq_nlmsg_put(sbuf, NFQNL_MSG_VERDICT_BATCH, qnum);
		nfq_nlmsg_verdict_put(nlh, last, NF_ACCEPT);
		if (send_nlh(nl, nlh) < 0)
			perror("passthru: verdict");
		nbatch++;
	}
	printf("passthru: %llu packets, %llu batches\n", npkt, nbatch);
	mnl_socket_close(nl);
	return 0;
}
