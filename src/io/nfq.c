/*
 * nfq.c - NFQUEUE through libnetfilter_queue's libmnl API: batched
 * receive, batched verdicts, no allocation per packet.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/types.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <libnetfilter_queue/libnetfilter_queue.h>

#include "nfq.h"

/* One receive slot: a whole packet (copy range 0xffff) and its attributes. */
#define NFQ_SLOT	(0x10000 + 1024)	/* a multiple of 64: aligned */
#define NFQ_COPY_RANGE	0xffff
/* Receive buffer: bursts wait here while we judge the previous batch. */
#define NFQ_RCVBUF	(16 << 20)
/* A verdict message: nlmsghdr, nfgenmsg, NFQA_VERDICT_HDR, aligned. */
#define NFQ_VMSG	MNL_ALIGN(sizeof(struct nlmsghdr) + \
			    sizeof(struct nfgenmsg) + \
			    MNL_ALIGN(sizeof(struct nlattr) + \
			    sizeof(struct nfqnl_msg_verdict_hdr)))
#define NFQ_VBUF	(NFQ_VMSG * 256)

/* The verdict message as nfq_put_verdict() writes it. */
struct nfq_vmsg {
	struct nlmsghdr			nlh;
	struct nfgenmsg			nfg;
	struct nlattr			attr;
	struct nfqnl_msg_verdict_hdr	vh;
};
_Static_assert(sizeof(struct nfq_vmsg) == NFQ_VMSG,
    "a verdict message is its parts without padding");

struct nfqueue {
	struct mnl_socket *nl;		/* bound to qnum */
	int		 fd;		/* its descriptor */
	uint16_t	 qnum;		/* queue number */
	uint32_t	 seq;		/* of configuration requests */
	char		*slots;		/* NFQUEUE_BATCH * NFQ_SLOT bytes */
	struct mmsghdr	 msgs[NFQUEUE_BATCH];
	struct iovec	 iov[NFQUEUE_BATCH];
	struct sockaddr_nl from[NFQUEUE_BATCH];
	char		*vbuf;		/* verdicts of one batch */
	size_t		 vlen;		/* bytes used in vbuf */
	uint32_t	 last_id;	/* latest packet id seen, 0: none */
	int		 used;		/* slots the last recvmmsg() filled */
	struct nfqueue_stats st;
};

/* Sends one configuration request and waits for the kernel's answer. */
static int
nfq_request(struct nfqueue *q, struct nlmsghdr *nlh)
{
	char buf[8192];
	ssize_t n;
	int i;

	nlh->nlmsg_flags |= NLM_F_ACK;
	nlh->nlmsg_seq = ++q->seq;
	if (mnl_socket_sendto(q->nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	/* The ack comes before any packet: no rule queues to us yet. */
	for (i = 0; i < 16; i++) {
		n = mnl_socket_recvfrom(q->nl, buf, sizeof(buf));
		if (n < 0)
			return -1;
		n = mnl_cb_run(buf, (size_t)n, q->seq,
		    mnl_socket_get_portid(q->nl), NULL, NULL);
		if (n <= MNL_CB_STOP)
			return (int)n;
	}
	errno = ETIMEDOUT;
	return -1;
}

static int
nfq_configure(struct nfqueue *q, uint32_t maxlen, char *err, size_t errsz)
{
	char buf[8192];
	struct nlmsghdr *nlh;
	uint32_t flags = NFQA_CFG_F_FAIL_OPEN | NFQA_CFG_F_GSO;
	int one = 1, size = NFQ_RCVBUF;

	nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, q->qnum);
	nfq_nlmsg_cfg_put_cmd(nlh, AF_INET, NFQNL_CFG_CMD_BIND);
	if (nfq_request(q, nlh) < 0) {
		snprintf(err, errsz, "cannot bind queue %u: %s%s", q->qnum,
		    strerror(errno), errno == EBUSY ?
		    " (another process is bound to it)" : "");
		return -1;
	}
	nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, q->qnum);
	nfq_nlmsg_cfg_put_params(nlh, NFQNL_COPY_PACKET, NFQ_COPY_RANGE);
	nfq_nlmsg_cfg_put_qmaxlen(nlh, maxlen);
	mnl_attr_put_u32(nlh, NFQA_CFG_FLAGS, htonl(flags));
	mnl_attr_put_u32(nlh, NFQA_CFG_MASK, htonl(flags));
	if (nfq_request(q, nlh) < 0) {
		snprintf(err, errsz, "cannot configure queue %u (copy mode, "
		    "fail-open, GSO): %s", q->qnum, strerror(errno));
		return -1;
	}
	/* Room for bursts; FORCE passes the rmem_max limit as root. */
	if (setsockopt(q->fd, SOL_SOCKET, SO_RCVBUFFORCE, &size,
	    sizeof(size)) < 0)
		(void)setsockopt(q->fd, SOL_SOCKET, SO_RCVBUF, &size,
		    sizeof(size));
	/* An overflow is survived: the kernel accepts (fail-open) and we
	 * are not told, rather than an ENOBUFS per lost message. */
	if (mnl_socket_setsockopt(q->nl, NETLINK_NO_ENOBUFS, &one,
	    sizeof(one)) < 0) {
		/* Not fatal: nfqueue_batch() counts ENOBUFS and goes on. */
	}
	return 0;
}

struct nfqueue *
nfqueue_open(uint16_t qnum, uint32_t maxlen, char *err, size_t errsz)
{
	struct nfqueue *q;
	int i, saved;

	if ((q = calloc(1, sizeof(*q))) == NULL)
		goto out_nomem;
	q->qnum = qnum;
	q->slots = malloc((size_t)NFQUEUE_BATCH * NFQ_SLOT);
	q->vbuf = malloc(NFQ_VBUF);
	if (q->slots == NULL || q->vbuf == NULL)
		goto out_nomem;
	for (i = 0; i < NFQUEUE_BATCH; i++) {
		q->iov[i].iov_base = q->slots + (size_t)i * NFQ_SLOT;
		q->iov[i].iov_len = NFQ_SLOT;
		q->msgs[i].msg_hdr.msg_iov = &q->iov[i];
		q->msgs[i].msg_hdr.msg_iovlen = 1;
		q->msgs[i].msg_hdr.msg_name = &q->from[i];
		q->msgs[i].msg_hdr.msg_namelen = sizeof(q->from[i]);
	}
	if ((q->nl = mnl_socket_open(NETLINK_NETFILTER)) == NULL) {
		snprintf(err, errsz, "netlink socket: %s", strerror(errno));
		goto out_free;
	}
	q->fd = mnl_socket_get_fd(q->nl);
	if (mnl_socket_bind(q->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		snprintf(err, errsz, "netlink bind: %s", strerror(errno));
		goto out_free;
	}
	if (nfq_configure(q, maxlen, err, errsz) < 0)
		goto out_free;
	return q;
out_nomem:
	snprintf(err, errsz, "out of memory");
	errno = ENOMEM;
out_free:
	saved = errno;
	nfqueue_close(q);
	errno = saved;
	return NULL;
}

void
nfqueue_close(struct nfqueue *q)
{
	if (q == NULL)
		return;
	if (q->nl)
		mnl_socket_close(q->nl);
	free(q->slots);
	free(q->vbuf);
	free(q);
}

/* Sends the verdicts gathered so far in one sendto(). */
static void
nfq_flush(struct nfqueue *q)
{
	static const struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };

	if (q->vlen == 0)
		return;
	/* What mnl_socket_sendto() does, as the bare system call: glibc's
	 * sendto() is a cancellation point, and entering and leaving it
	 * cost ~30 instructions a batch; this thread is never cancelled. */
	if (syscall(SYS_sendto, q->fd, q->vbuf, q->vlen, 0, &kernel,
	    sizeof(kernel)) < 0)
		q->st.send_errors++;
	q->vlen = 0;
}

/*
 * Appends one verdict: NFQNL_MSG_VERDICT for a single packet, or
 * NFQNL_MSG_VERDICT_BATCH for every queued packet up to id.
 */
static void
nfq_put_verdict(struct nfqueue *q, int type, uint32_t id, int verdict)
{
	/*
	 * The bytes nfq_nlmsg_put() and nfq_nlmsg_verdict_put() write (the
	 * same, byte for byte), as one struct: they cost some 130
	 * instructions a packet in memsets and attribute calls.
	 */
	struct nfq_vmsg m = {
		.nlh = { sizeof(m), (NFNL_SUBSYS_QUEUE << 8) | type,
		    NLM_F_REQUEST, 0, 0 },
		.nfg = { AF_UNSPEC, NFNETLINK_V0, htons(q->qnum) },
		.attr = { sizeof(m.attr) + sizeof(m.vh), NFQA_VERDICT_HDR },
		.vh = { htonl((uint32_t)verdict), htonl(id) },
	};

	if (q->vlen + NFQ_VMSG > NFQ_VBUF)
		nfq_flush(q);
	memcpy(q->vbuf + q->vlen, &m, sizeof(m));
	q->vlen += NFQ_VMSG;
	q->st.verdict_msgs++;
}

/* The state of one batch's verdicts: the pending run of accepts. */
struct nfq_run {
	uint32_t	last_accept;	/* id of the run's last packet */
	int		pending;	/* a run of accepts is waiting */
};

/*
 * The two attributes the packet path needs, NFQA_PACKET_HDR and
 * NFQA_PAYLOAD, in one walk: nfq_nlmsg_parse() validates every attribute
 * through callbacks into an array it clears first, some 950 instructions a
 * packet (callgrind, bench/inline/profile.sh), a tenth of the daemon's work
 * for a SIP packet. A malformed attribute ends the walk: what was found
 * before it stands. The kernel puts the header first and the payload last,
 * with some five attributes between: the header is taken before the loop,
 * which then looks for the payload only, and one unsigned compare checks
 * an attribute's length both ways (a length under the attribute header's
 * wraps around). Some 40 instructions a packet less than a switch.
 */
static void
nfq_attrs(const struct nlmsghdr *nlh, const struct nlattr **hdr,
    const struct nlattr **payload)
{
	const char *p = (const char *)nlh + NLMSG_HDRLEN +
	    MNL_ALIGN(sizeof(struct nfgenmsg));
	const char *end = (const char *)nlh + nlh->nlmsg_len;
	const size_t ah = sizeof(struct nlattr);
	ptrdiff_t room;

	*hdr = *payload = NULL;
	while (end - p >= (ptrdiff_t)ah) {
		const struct nlattr *a = (const struct nlattr *)p;
		unsigned type = a->nla_type & NLA_TYPE_MASK;

		if ((size_t)a->nla_len - ah > (size_t)(end - p) - ah)
			return;
		p += MNL_ALIGN(a->nla_len);
		if (type == NFQA_PAYLOAD) {
			*payload = a;
		} else if (type == NFQA_PACKET_HDR) {
			*hdr = a;
			break;
		}
	}
	for (room = end - p; room >= (ptrdiff_t)ah; ) {
		const struct nlattr *a = (const struct nlattr *)p;
		size_t len = a->nla_len;

		if (len - ah > (size_t)room - ah)
			return;
		if ((a->nla_type & NLA_TYPE_MASK) == NFQA_PAYLOAD)
			*payload = a;
		len = MNL_ALIGN(len);
		p += len;
		room -= (ptrdiff_t)len;
	}
}

/* Judges one netlink message from the kernel. */
static void
nfq_handle(struct nfqueue *q, const struct nlmsghdr *nlh,
    nfqueue_judge_fn judge, void *arg, uint64_t ts, struct nfq_run *run)
{
	const struct nlattr *hdr, *payload;
	const struct nfqnl_msg_packet_hdr *ph;
	const uint8_t *data = NULL;
	uint32_t id;
	size_t len = 0;
	int v = NF_ACCEPT;

	if (nlh->nlmsg_type == NLMSG_ERROR) {
		q->st.nl_errors++;	/* a verdict the kernel refused */
		return;
	}
	if (nlh->nlmsg_type != ((NFNL_SUBSYS_QUEUE << 8) |
	    NFQNL_MSG_PACKET) || nlh->nlmsg_len < NLMSG_HDRLEN +
	    MNL_ALIGN(sizeof(struct nfgenmsg)))
		return;
	nfq_attrs(nlh, &hdr, &payload);
	/* mnl_attr_get_payload() and _len(), without the calls. */
	if (hdr == NULL || hdr->nla_len < MNL_ATTR_HDRLEN + sizeof(*ph)) {
		/* No id to answer: a later batch verdict accepts it. */
		q->st.bad++;
		return;
	}
	ph = (const void *)((const char *)hdr + MNL_ATTR_HDRLEN);
	id = ntohl(ph->packet_id);
	/* Ids count up per queue; one that never came was lost on the
	 * way to us and accepted by the kernel (fail-open). */
	if (q->last_id && id - q->last_id > 1 && id - q->last_id < (1u << 31))
		q->st.skipped += id - q->last_id - 1;
	q->last_id = id;
	if (payload) {
		data = (const uint8_t *)payload + MNL_ATTR_HDRLEN;
		len = payload->nla_len - MNL_ATTR_HDRLEN;
		v = judge(arg, data, len, ts);
	} else {
		q->st.bad++;
	}
	q->st.packets++;
	if (v == NF_DROP) {
		/* A drop is never folded into a batch of accepts: the
		 * accepts before it go first, up to the one before it. */
		if (run->pending)
			nfq_put_verdict(q, NFQNL_MSG_VERDICT_BATCH,
			    run->last_accept, NF_ACCEPT);
		run->pending = 0;
		nfq_put_verdict(q, NFQNL_MSG_VERDICT, id, NF_DROP);
		q->st.dropped++;
	} else {
		run->last_accept = id;
		run->pending = 1;
		q->st.accepted++;
	}
}

int
nfqueue_batch(struct nfqueue *q, int nowait, nfqueue_judge_fn judge,
    uint64_t (*clock_fn)(void), void (*done)(void *), void *arg)
{
	struct nfq_run run = { 0, 0 };
	const struct nlmsghdr *nlh;
	uint64_t ts;
	int i, n, count;

	/* Only the slots the last batch used were written to. */
	for (i = 0; i < q->used; i++) {
		q->msgs[i].msg_hdr.msg_namelen = sizeof(q->from[i]);
		q->msgs[i].msg_hdr.msg_flags = 0;
	}
	q->used = 0;
	/* The bare system call, as for the verdicts (nfq_flush): EINTR on
	 * SIGUSR2 all the same. */
	n = (int)syscall(SYS_recvmmsg, q->fd, q->msgs, NFQUEUE_BATCH,
	    nowait ? MSG_DONTWAIT : MSG_WAITFORONE, NULL);
	if (n < 0) {
		if (errno == ENOBUFS) {
			/* Messages were lost; the kernel accepted them
			 * (fail-open). Count and go on. */
			q->st.enobufs++;
			return 0;
		}
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return 0;
		return -1;
	}
	q->used = n;
	ts = clock_fn();
	q->st.batches++;
	count = (int)q->st.packets;
	for (i = 0; i < n; i++) {
		int len = (int)q->msgs[i].msg_len;

		if (q->msgs[i].msg_hdr.msg_flags & MSG_TRUNC) {
			q->st.truncated++;
			continue;
		}
		if (q->from[i].nl_pid != 0)
			continue;	/* not from the kernel */
		nlh = (const struct nlmsghdr *)q->iov[i].iov_base;
		/* NLMSG_OK and NLMSG_NEXT, without their casts of const
		 * away and signed compares. */
		while (len >= (int)sizeof(*nlh) &&
		    nlh->nlmsg_len >= sizeof(*nlh) &&
		    nlh->nlmsg_len <= (unsigned)len) {
			int step = (int)NLMSG_ALIGN(nlh->nlmsg_len);

			nfq_handle(q, nlh, judge, arg, ts, &run);
			if (step >= len)
				break;
			len -= step;
			nlh = (const struct nlmsghdr *)
			    ((const char *)nlh + step);
		}
	}
	if (done)
		done(arg);
	if (run.pending)
		nfq_put_verdict(q, NFQNL_MSG_VERDICT_BATCH, run.last_accept,
		    NF_ACCEPT);
	nfq_flush(q);
	return (int)(q->st.packets - (uint64_t)count);
}

uint16_t
nfqueue_num(const struct nfqueue *q)
{
	return q->qnum;
}

const struct nfqueue_stats *
nfqueue_stats(const struct nfqueue *q)
{
	return &q->st;
}
