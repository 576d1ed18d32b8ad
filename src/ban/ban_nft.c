/*
 * ban_nft.c - the nftables ban backend: set elements of table
 * `inet ghostguard` in binary nfnetlink batches (libnftnl builds the
 * headers, libmnl the attributes), one kernel transaction per call.
 *
 * Hosts go to the hash sets ban4 and ban6, prefixes to the interval sets
 * ban4net and ban6net (an interval is two elements: its first address,
 * and the address after its last flagged INTERVAL_END). Timeouts are per
 * element; 0 is no timeout.
 *
 * A batch is one sendmsg(): nfnetlink runs a batch only when its begin
 * and its end arrive in one message, so a transaction cannot be streamed
 * through several writes. The batch is built in 1 MiB buffers handed to
 * the kernel as one iovec (no single giant buffer, no copy), about 40
 * bytes an IPv6 element; the socket's send buffer is raised to fit
 * (SO_SNDBUFFORCE, which needs CAP_NET_ADMIN, else SO_SNDBUF). Each
 * message's element list is one attribute with a 16-bit length, so the
 * elements are split into messages of up to NB_MSGMAX bytes, all inside
 * the one begin/end pair.
 *
 * Only the batch's last message asks for an ack: the kernel reports every
 * failing message anyway, and it sends the acks once the transaction is
 * committed or aborted, before sendmsg() returns. So the replies are read
 * without waiting, until the last message's ack; an error on any message
 * means the whole batch was aborted. NETLINK_CAP_ACK keeps the error
 * replies short (no copy of our messages); NETLINK_EXT_ACK adds the
 * kernel's reason, which is logged.
 */
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>

#include "ban.h"
#include "../io/fw.h"
#include "../io/log.h"

#define NB_TABLE	"ghostguard"
#define NB_CHUNK	(1u << 20)	/* bytes of batch per buffer */
#define NB_IOVMAX	1024		/* buffers per batch (IOV_MAX) */
#define NB_MSGMAX	(60u << 10)	/* bytes per message (< 64 KiB) */
#define NB_ELEMMAX	64		/* bytes of one element, at most */
#define NB_HDRMAX	256		/* a message's header and names */
#define NB_RCVBUF	(4 << 20)	/* receive buffer for the replies */
#define NB_RBUF		(64u << 10)	/* bytes read at once */
/* Deletes an element, absent or not (Linux 6.3); older headers lack it. */
#define NB_MSG_DESTROYSETELEM	30

enum nb_set { NB_BAN4, NB_BAN6, NB_BAN4NET, NB_BAN6NET, NB_NSETS };

static const char *const nb_set_name[NB_NSETS] = {
	"ban4", "ban6", "ban4net", "ban6net"
};

struct nb_chunk {
	char	*p;
	size_t	 len;
};

struct nb {
	struct mnl_socket	*nl;
	uint32_t		 portid;
	uint32_t		 seq;		/* next sequence number */
	int			 sndbuf;	/* send buffer asked for */
	int			 destroy;	/* kernel has DESTROYSETELEM */
	/* The batch being built. */
	struct nb_chunk		 ck[NB_IOVMAX];	/* ck[0] is kept */
	size_t			 nck;
	size_t			 total;		/* bytes in all chunks */
	struct nlmsghdr		*msg;		/* open message, or NULL */
	struct nlattr		*list;		/* its element list */
	struct nlmsghdr		*last;		/* last message closed */
	uint16_t		 msg_type;	/* of the open message */
	enum nb_set		 msg_set;
	uint32_t		 first_seq;
	int			 nomem;		/* building failed */
	char			*rbuf;		/* NB_RBUF bytes */
};

/* The set of an item, or -1 with errno for a bad one. */
static int
nb_set_of(const struct ban_item *it)
{
	if (it->addr.family == AF_INET && it->plen <= 32)
		return it->plen == 32 ? NB_BAN4 : NB_BAN4NET;
	if (it->addr.family == AF_INET6 && it->plen <= 128)
		return it->plen == 128 ? NB_BAN6 : NB_BAN6NET;
	errno = EINVAL;
	return -1;
}

/*
 * The first address after prefix a/plen (len bytes) into end; 0 when
 * there is none (the prefix reaches the top of the address space).
 */
static int
nb_prefix_end(const uint8_t *a, unsigned plen, size_t len, uint8_t *end)
{
	unsigned i, bit = (unsigned)len * 8 - plen;	/* host bits */
	unsigned carry;

	if (plen == 0)
		return 0;
	memcpy(end, a, len);
	/* Clear the host bits, then add 1 << bit. */
	for (i = 0; i < len * 8 - plen; i++)
		end[len - 1 - i / 8] &= (uint8_t)~(1u << (i % 8));
	carry = 1u << (bit % 8);
	for (i = (unsigned)len - 1 - bit / 8; ; i--) {
		carry += end[i];
		end[i] = (uint8_t)carry;
		carry >>= 8;
		if (carry == 0)
			return 1;
		if (i == 0)
			return 0;
	}
}

/* Forgets the batch; the first buffer is kept for the next one. */
static void
nb_reset(struct nb *nb)
{
	size_t i;

	for (i = 1; i < nb->nck; i++)
		free(nb->ck[i].p);
	nb->nck = 1;
	nb->ck[0].len = 0;
	nb->total = 0;
	nb->msg = NULL;
	nb->list = NULL;
	nb->last = NULL;
	nb->nomem = 0;
}

/* Room for need bytes at the end of the batch, or NULL (nb->nomem). */
static char *
nb_room(struct nb *nb, size_t need)
{
	struct nb_chunk *c = &nb->ck[nb->nck - 1];

	if (nb->nomem)
		return NULL;
	if (NB_CHUNK - c->len >= need)
		return c->p + c->len;
	if (nb->nck == NB_IOVMAX) {
		errno = E2BIG;
		nb->nomem = 1;
		return NULL;
	}
	c = &nb->ck[nb->nck];
	if ((c->p = malloc(NB_CHUNK)) == NULL) {
		nb->nomem = 1;
		return NULL;
	}
	c->len = 0;
	nb->nck++;
	return c->p;
}

/* Counts the message just written at the end of the batch. */
static void
nb_commit_msg(struct nb *nb, struct nlmsghdr *nlh)
{
	nb->ck[nb->nck - 1].len += nlh->nlmsg_len;
	nb->total += nlh->nlmsg_len;
}

static void
nb_begin(struct nb *nb)
{
	char *p;

	nb_reset(nb);
	nb->first_seq = nb->seq;
	if ((p = nb_room(nb, NB_HDRMAX)) != NULL)
		nb_commit_msg(nb, nftnl_batch_begin(p, nb->seq++));
}

static void
nb_msg_close(struct nb *nb)
{
	if (nb->msg == NULL)
		return;
	if (nb->list)
		mnl_attr_nest_end(nb->msg, nb->list);
	nb_commit_msg(nb, nb->msg);
	nb->last = nb->msg;
	nb->msg = NULL;
	nb->list = NULL;
}

/*
 * Opens a message of type on set s; with_list: it carries elements (else
 * it is a flush: DELSETELEM without elements empties the set).
 */
static void
nb_msg_open(struct nb *nb, uint16_t type, enum nb_set s, int with_list)
{
	struct nlmsghdr *nlh;
	char *p;

	nb_msg_close(nb);
	if ((p = nb_room(nb, NB_MSGMAX + NB_HDRMAX)) == NULL)
		return;
	nlh = nftnl_nlmsg_build_hdr(p, type, NFPROTO_INET,
	    type == NFT_MSG_NEWSETELEM ? NLM_F_CREATE : 0, nb->seq++);
	mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_TABLE, NB_TABLE);
	mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_SET, nb_set_name[s]);
	nb->msg = nlh;
	nb->msg_type = type;
	nb->msg_set = s;
	if (with_list)
		nb->list = mnl_attr_nest_start(nlh,
		    NFTA_SET_ELEM_LIST_ELEMENTS);
}

/* One element: key (len bytes), timeout (ms, 0: none), flags. */
static void
nb_elem(struct nb *nb, const uint8_t *key, size_t len, uint64_t timeout_ms,
    uint32_t flags)
{
	struct nlattr *e, *k;

	if (nb->msg == NULL)
		return;
	if (nb->msg->nlmsg_len + NB_ELEMMAX > NB_MSGMAX)
		nb_msg_open(nb, nb->msg_type, nb->msg_set, 1);
	if (nb->msg == NULL)
		return;
	e = mnl_attr_nest_start(nb->msg, NFTA_LIST_ELEM);
	k = mnl_attr_nest_start(nb->msg, NFTA_SET_ELEM_KEY);
	mnl_attr_put(nb->msg, NFTA_DATA_VALUE, len, key);
	mnl_attr_nest_end(nb->msg, k);
	if (timeout_ms)
		mnl_attr_put_u64(nb->msg, NFTA_SET_ELEM_TIMEOUT,
		    htobe64(timeout_ms));
	if (flags)
		mnl_attr_put_u32(nb->msg, NFTA_SET_ELEM_FLAGS, htonl(flags));
	mnl_attr_nest_end(nb->msg, e);
}

/* The element(s) of item it: a host, or a prefix's two ends. */
static void
nb_item(struct nb *nb, const struct ban_item *it, int with_timeout)
{
	size_t len = it->addr.family == AF_INET ? 4 : 16;
	uint64_t ms = with_timeout ? (uint64_t)it->timeout_s * 1000 : 0;
	uint8_t start[16], end[16];
	unsigned i;

	if (it->plen == len * 8) {
		nb_elem(nb, it->addr.a, len, ms, 0);
		return;
	}
	memcpy(start, it->addr.a, len);
	for (i = it->plen; i < len * 8; i++)
		start[i / 8] &= (uint8_t)~(0x80u >> (i % 8));
	nb_elem(nb, start, len, ms, 0);
	/* The kernel refuses a timeout on an interval's end; the start's
	 * expiry takes both away. */
	if (nb_prefix_end(start, it->plen, len, end))
		nb_elem(nb, end, len, 0, NFT_SET_ELEM_INTERVAL_END);
}

/* Messages of type with the items of set s (none when it has none). */
static void
nb_items(struct nb *nb, uint16_t type, enum nb_set s,
    const struct ban_item *v, size_t n)
{
	size_t i;
	int opened = 0;

	for (i = 0; i < n; i++) {
		if (nb_set_of(&v[i]) != (int)s)
			continue;
		if (!opened) {
			nb_msg_open(nb, type, s, 1);
			opened = 1;
		}
		nb_item(nb, &v[i], type == NFT_MSG_NEWSETELEM);
	}
	nb_msg_close(nb);
}

static void
nb_end(struct nb *nb)
{
	char *p;

	nb_msg_close(nb);
	if ((p = nb_room(nb, NB_HDRMAX)) != NULL)
		nb_commit_msg(nb, nftnl_batch_end(p, nb->seq++));
}

/* The kernel's reason in an extended ack, or "". */
static const char *
nb_extack(const struct nlmsghdr *nlh)
{
	const struct nlattr *a;
	const char *end;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return "";
	/* mnl_attr_for_each() by hand: the macro casts the const away. */
	a = mnl_nlmsg_get_payload_offset(nlh, sizeof(struct nlmsgerr));
	end = mnl_nlmsg_get_payload_tail(nlh);
	for (; mnl_attr_ok(a, (int)(end - (const char *)a));
	    a = mnl_attr_next(a))
		if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG &&
		    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
			return mnl_attr_get_str(a);
	return "";
}

/* Raises the send buffer to hold need bytes. */
static void
nb_sndbuf(struct nb *nb, size_t need)
{
	int fd = mnl_socket_get_fd(nb->nl), v;

	if (need + 4096 <= (size_t)nb->sndbuf || need > INT32_MAX / 4)
		return;
	v = (int)need + 4096;
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &v, sizeof(v)) < 0 &&
	    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v)) < 0)
		return;
	nb->sndbuf = v;
}

/*
 * Sends the batch (what: for the log) and reads the replies. 0, or -1
 * with errno after logging (quiet_err: that errno is not logged).
 */
static int
nb_send(struct nb *nb, const char *what, int quiet_err)
{
	struct iovec iov[NB_IOVMAX];
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct msghdr mh = { 0 };
	const struct nlmsghdr *nlh;
	const char *why = "";
	uint32_t last;
	size_t i, total = nb->total;
	ssize_t n;
	int err = 0, done = 0, len;

	if (nb->nomem || nb->last == NULL) {
		err = nb->nomem ? (errno ? errno : ENOMEM) : EINVAL;
		log_err("nft: %s: cannot build the batch: %s", what,
		    strerror(err));
		nb_reset(nb);
		errno = err;
		return -1;
	}
	nb->last->nlmsg_flags |= NLM_F_ACK;
	last = nb->last->nlmsg_seq;
	for (i = 0; i < nb->nck; i++) {
		iov[i].iov_base = nb->ck[i].p;
		iov[i].iov_len = nb->ck[i].len;
	}
	mh.msg_name = &sa;
	mh.msg_namelen = sizeof(sa);
	mh.msg_iov = iov;
	mh.msg_iovlen = nb->nck;
	nb_sndbuf(nb, nb->total);
	/* The kernel runs the whole batch before sendmsg() returns. */
	while ((n = sendmsg(mnl_socket_get_fd(nb->nl), &mh, 0)) < 0 &&
	    errno == EINTR)
		;
	nb_reset(nb);
	if (n < 0) {
		err = errno;
		log_err("nft: %s: sending %zu bytes: %s%s", what, total,
		    strerror(err), err == EMSGSIZE ? " (raise "
		    "net.core.wmem_max, or keep CAP_NET_ADMIN)" : "");
		errno = err;
		return -1;
	}
	while (!done) {
		n = recv(mnl_socket_get_fd(nb->nl), nb->rbuf, NB_RBUF,
		    MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			/* EAGAIN: no ack for the last message. */
			if (err == 0)
				err = errno == EAGAIN ? EPROTO : errno;
			break;
		}
		len = (int)n;
		for (nlh = (const struct nlmsghdr *)nb->rbuf;
		    mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
			const struct nlmsgerr *e;

			/* Replies to earlier batches are skipped. */
			if (nlh->nlmsg_type != NLMSG_ERROR ||
			    nlh->nlmsg_seq - nb->first_seq >
			    last - nb->first_seq)
				continue;
			e = mnl_nlmsg_get_payload(nlh);
			if (e->error && err == 0) {
				err = -e->error;
				why = nb_extack(nlh);
			}
			if (nlh->nlmsg_seq == last)
				done = 1;
		}
	}
	if (err == 0)
		return 0;
	if (!(quiet_err && err == quiet_err))
		log_err("nft: %s: the kernel refused the batch: %s%s%s", what,
		    strerror(err), *why ? ": " : "", why);
	errno = err;
	return -1;
}

/* Without DESTROYSETELEM: one DELSETELEM transaction per element. */
static int
nb_del_each(struct nb *nb, const struct ban_item *v, size_t n)
{
	size_t i;
	int s, rc = 0;

	for (i = 0; i < n; i++) {
		if ((s = nb_set_of(&v[i])) < 0)
			continue;
		nb_begin(nb);
		nb_items(nb, NFT_MSG_DELSETELEM, (enum nb_set)s, &v[i], 1);
		nb_end(nb);
		if (nb_send(nb, "del", ENOENT) < 0 && errno != ENOENT)
			rc = -1;
	}
	return rc;
}

static int
nb_check(const struct ban_item *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (nb_set_of(&v[i]) < 0) {
			log_err("nft: bad ban element (family %u, /%u)",
			    v[i].addr.family, v[i].plen);
			return -1;
		}
	return 0;
}

/*
 * Adds (or re-adds with the new timeout: a ban lengthened, or shortened,
 * is exactly the manager's): where the kernel can, each element is
 * destroyed and added in the same transaction, so its timeout is the one
 * given whatever the kernel does with an existing element's timeout.
 */
static int
ban_nft_add(void *ctx, const struct ban_item *v, size_t n)
{
	struct nb *nb = ctx;
	int s;

	if (n == 0)
		return 0;
	if (nb_check(v, n) < 0)
		return -1;
	nb_begin(nb);
	for (s = 0; s < NB_NSETS; s++) {
		if (nb->destroy)
			nb_items(nb, NB_MSG_DESTROYSETELEM, (enum nb_set)s, v,
			    n);
		nb_items(nb, NFT_MSG_NEWSETELEM, (enum nb_set)s, v, n);
	}
	nb_end(nb);
	return nb_send(nb, "add", 0);
}

static int
ban_nft_del(void *ctx, const struct ban_item *v, size_t n)
{
	struct nb *nb = ctx;
	int s;

	if (n == 0)
		return 0;
	if (nb_check(v, n) < 0)
		return -1;
	if (!nb->destroy)
		return nb_del_each(nb, v, n);
	nb_begin(nb);
	for (s = 0; s < NB_NSETS; s++)
		nb_items(nb, NB_MSG_DESTROYSETELEM, (enum nb_set)s, v, n);
	nb_end(nb);
	return nb_send(nb, "del", 0);
}

/* Flushes the four sets and fills them, in one transaction. */
static int
ban_nft_replace(void *ctx, const struct ban_item *v, size_t n)
{
	struct nb *nb = ctx;
	int s;

	if (nb_check(v, n) < 0)
		return -1;
	nb_begin(nb);
	for (s = 0; s < NB_NSETS; s++) {
		nb_msg_open(nb, NFT_MSG_DELSETELEM, (enum nb_set)s, 0);
		nb_msg_close(nb);
	}
	for (s = 0; s < NB_NSETS; s++)
		nb_items(nb, NFT_MSG_NEWSETELEM, (enum nb_set)s, v, n);
	nb_end(nb);
	return nb_send(nb, "replace", 0);
}

static void
ban_nft_free(void *ctx)
{
	struct nb *nb = ctx;

	if (nb == NULL)
		return;
	nb_reset(nb);
	free(nb->ck[0].p);
	free(nb->rbuf);
	if (nb->nl)
		mnl_socket_close(nb->nl);
	free(nb);
}

/* Does the kernel know DESTROYSETELEM? Destroys an absent element. */
static int
nb_probe_destroy(struct nb *nb)
{
	struct ban_item it = { .plen = 32 };

	it.addr.family = AF_INET;	/* 0.0.0.0: never banned */
	nb_begin(nb);
	nb_items(nb, NB_MSG_DESTROYSETELEM, NB_BAN4, &it, 1);
	nb_end(nb);
	return nb_send(nb, "probe", EINVAL) == 0;
}

struct ban_backend *
ban_nft_new(void)
{
	struct ban_backend *b;
	struct nb *nb;
	int one = 1, v = NB_RCVBUF, fd, saved;

	if ((b = calloc(1, sizeof(*b))) == NULL ||
	    (nb = calloc(1, sizeof(*nb))) == NULL) {
		free(b);
		log_err("out of memory");
		return NULL;
	}
	b->name = "nft";
	b->ctx = nb;
	b->add = ban_nft_add;
	b->del = ban_nft_del;
	b->replace = ban_nft_replace;
	b->free = ban_nft_free;
	nb->nck = 1;
	if ((nb->ck[0].p = malloc(NB_CHUNK)) == NULL ||
	    (nb->rbuf = malloc(NB_RBUF)) == NULL) {
		log_err("out of memory");
		goto out_free;
	}
	if ((nb->nl = mnl_socket_open(NETLINK_NETFILTER)) == NULL ||
	    mnl_socket_bind(nb->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		log_err("nft: netlink socket: %s", strerror(errno));
		goto out_free;
	}
	nb->portid = mnl_socket_get_portid(nb->nl);
	nb->seq = (uint32_t)time(NULL);
	fd = mnl_socket_get_fd(nb->nl);
	(void)mnl_socket_setsockopt(nb->nl, NETLINK_CAP_ACK, &one,
	    sizeof(one));
	(void)mnl_socket_setsockopt(nb->nl, NETLINK_EXT_ACK, &one,
	    sizeof(one));
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &v, sizeof(v)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
	/* The table and the sets, when the daemon has not made them. */
	if (fw_ban_install() < 0)
		goto out_free;
	nb->destroy = nb_probe_destroy(nb);
	if (!nb->destroy)
		log_notice("nft: the kernel has no DESTROYSETELEM (Linux < "
		    "6.3): deletions go one element at a time, and a ban "
		    "already in a set keeps its timeout when re-added");
	return b;
out_free:
	saved = errno;
	ban_nft_free(nb);
	free(b);
	errno = saved ? saved : ENOMEM;
	return NULL;
}
