/*
 * nfq.h - one NFQUEUE queue: packets in, verdicts out, in batches.
 *
 * A struct nfqueue is one netlink socket bound to one queue number, in copy
 * mode (whole packets, up to 64 KiB), with fail-open (a full queue accepts
 * instead of dropping) and GSO (the kernel does not segment big TCP packets
 * for us). The socket has a large receive buffer and NETLINK_NO_ENOBUFS: when
 * it overflows the kernel accepts the packet (fail-open) instead of telling us.
 *
 * nfqueue_batch() is the whole packet path of one thread: one recvmmsg()
 * (MSG_WAITFORONE) takes up to NFQUEUE_BATCH packets, each is handed to the
 * judge callback, and the verdicts go back in one sendmsg(): a run of
 * consecutive accepts as ONE NFQNL_MSG_VERDICT_BATCH message (every queued
 * packet up to the last accepted id), each drop as its own verdict, sent
 * before the accepts that follow it so it is never folded into them. Every
 * buffer is allocated by nfqueue_open(); nothing is allocated per packet.
 *
 * The functions are not thread-safe: one thread per struct nfqueue.
 */
#ifndef NFQ_H
#define NFQ_H

#include <stddef.h>
#include <stdint.h>

#define NFQUEUE_BATCH	32	/* packets per recvmmsg() at most */

/* Counters of one queue; they only grow. */
struct nfqueue_stats {
	uint64_t	packets;	/* packets judged */
	uint64_t	accepted;	/* accept verdicts */
	uint64_t	dropped;	/* drop verdicts */
	uint64_t	batches;	/* recvmmsg() calls that returned data */
	uint64_t	verdict_msgs;	/* verdict messages sent */
	uint64_t	enobufs;	/* receive buffer overflows seen */
	uint64_t	truncated;	/* datagrams bigger than a slot */
	uint64_t	nl_errors;	/* error messages from the kernel */
	uint64_t	bad;		/* messages without id or payload */
	uint64_t	send_errors;	/* verdicts the kernel refused */
	uint64_t	skipped;	/* packet ids never delivered: the
					 * socket overflowed and the kernel
					 * let them pass (fail-open) */
};

/*
 * Judges one packet (a whole IPv4 or IPv6 packet, len bytes, valid during
 * the call) at time ts_ns; returns NF_ACCEPT or NF_DROP.
 */
typedef int (*nfqueue_judge_fn)(void *arg, const uint8_t *pkt, size_t len,
		    uint64_t ts_ns);

struct nfqueue;

/*
 * Opens queue qnum with a queue length of maxlen packets. NULL with errno
 * on failure: EPERM (no CAP_NET_ADMIN), EBUSY (another process has the
 * queue), ENOMEM. err (errsz bytes) then says which step failed.
 */
struct nfqueue	*nfqueue_open(uint16_t qnum, uint32_t maxlen, char *err,
		    size_t errsz);

/* Unbinds and closes; queued packets are the kernel's again. */
void		 nfqueue_close(struct nfqueue *q);

/*
 * Receives one batch (waits for the first packet unless nowait), judges
 * each packet with judge(arg, ...) at ts_ns (the caller's clock, read once
 * per batch by clock_fn), calls done(arg) (unless NULL) once the batch is
 * judged and before its verdicts go, and sends the verdicts. Returns the
 * number of packets judged (0 after an overflow or with nothing waiting under
 * nowait), or -1 with errno (EINTR when a signal interrupted the wait).
 */
int		 nfqueue_batch(struct nfqueue *q, int nowait,
		    nfqueue_judge_fn judge, uint64_t (*clock_fn)(void),
		    void (*done)(void *), void *arg);

uint16_t	 nfqueue_num(const struct nfqueue *q);
const struct nfqueue_stats *nfqueue_stats(const struct nfqueue *q);

#endif /* NFQ_H */
