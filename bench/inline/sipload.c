/*
 * bench/inline/sipload.c - SIP load for bench/inline/run.sh: 450-700 byte
 * INVITEs (a softphone's, with SDP; Call-ID, branch and tag differ per
 * packet), from many source addresses, over UDP to port 5060. Every mode is
 * bounded in packets and seconds.
 *
 *   sipload send DST RATE COUNT SECONDS SRC...  send COUNT packets at RATE/s
 *                                  (sendmmsg, up to 32 a call; env BURST
 *                                  lowers that, BURST=1 for a latency
 *                                  probe), round-robin over the SRC
 *                                  addresses; prints what it sent
 *   sipload sink BIND SECONDS IDLE [EXPECT]  count datagrams on BIND:5060
 *                                  until SECONDS pass, IDLE seconds of
 *                                  silence, or EXPECT arrived; prints the
 *                                  rate (first to last kernel receive
 *                                  stamp) and the one-way latency (median,
 *                                  p99)
 *   sipload echo BIND SECONDS        send each datagram back to its sender
 *   sipload rtt DST COUNT SRC        COUNT ping-pongs through an echo,
 *                                  one at a time (1 s timeout each); prints
 *                                  the median and 99th percentile in us
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <linux/net_tstamp.h>

#define MAXSRC	256
#define BURST	32

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static unsigned long long
now_real_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec * 1000000000ULL + (unsigned long long)ts.tv_nsec;
}

static int
udp_sock(const char *addr, int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd = socket(AF_INET, SOCK_DGRAM, 0), one = 1, buf = 8 << 20;

	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof(buf));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &buf, sizeof(buf));
	if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror(addr);
		exit(1);
	}
	return fd;
}

/* An INVITE of 450-700 bytes: the SDP's attribute line pads it. */
static int
invite(char *b, size_t cap, const char *src, unsigned long n)
{
	char body[400], pad[260];
	int blen, want = 450 + (int)(n * 7919 % 251), len, padn = 0;

	for (;;) {
		memset(pad, 'x', sizeof(pad));
		pad[padn] = 0;
		blen = snprintf(body, sizeof(body),
		    "v=0\r\no=alice %lu 1 IN IP4 %s\r\ns=call\r\nc=IN IP4 %s\r\n"
		    "t=0 0\r\nm=audio %lu RTP/AVP 0 8\r\na=x-pad:%s\r\n",
		    n, src, src, 10000 + n % 20000 * 2, pad);
		len = snprintf(b, cap,
		    "INVITE sip:100@pbx.example.net SIP/2.0\r\n"
		    "Via: SIP/2.0/UDP %s:5060;branch=z9hG4bK.%016llx.%08lx%04lx;rport\r\n"
		    "From: \"Alice\" <sip:alice@%s>;tag=%08lx\r\n"
		    "To: <sip:100@pbx.example.net>\r\n"
		    "Call-ID: %016lx@%s\r\nCSeq: 20 INVITE\r\nMax-Forwards: 70\r\n"
		    "Contact: <sip:alice@%s:5060>\r\nUser-Agent: Linphone/5.1\r\n"
		    "Content-Type: application/sdp\r\nContent-Length: %d\r\n\r\n%s",
		    src, now_real_ns(), n * 2654435761UL & 0xffffffff, n & 0xffff, src,
		    n * 40503UL & 0xffffffff, n * 11400714819323198485UL,
		    src, src, blen, body);
		if (len >= want || padn >= 250)
			return len;
		padn += want - len;
		if (padn > 250)
			padn = 250;
	}
}

/*
 * The sender's packets: per source POOL INVITEs built once by invite(),
 * with the offsets of their per-packet fields (fixed-width hex), which
 * pkt_patch() rewrites for packet n: the time stamp, branch, tag and
 * Call-ID differ per packet as from invite(), at a fraction of its cost
 * (the sender shares the CPUs with what it measures).
 */
#define POOL	64
struct pkt {
	char	b[1024];
	int	len, o_ts, o_tag, o_cid;
};

static void
hex(char *p, unsigned long long v, int w)
{
	while (w--) {
		p[w] = "0123456789abcdef"[v & 15];
		v >>= 4;
	}
}

static void
pkt_build(struct pkt *k, const char *src, unsigned long n)
{
	k->len = invite(k->b, sizeof(k->b), src, n);
	k->o_ts = (int)((char *)memmem(k->b, k->len, "z9hG4bK.", 8) - k->b) + 8;
	k->o_tag = (int)((char *)memmem(k->b, k->len, ";tag=", 5) - k->b) + 5;
	k->o_cid = (int)((char *)memmem(k->b, k->len, "Call-ID: ", 9) - k->b) + 9;
}

static void
pkt_patch(struct pkt *k, unsigned long n)
{
	hex(k->b + k->o_ts, now_real_ns(), 16);
	hex(k->b + k->o_ts + 17, n * 2654435761UL & 0xffffffff, 8);
	hex(k->b + k->o_ts + 25, n & 0xffff, 4);
	hex(k->b + k->o_tag, n * 40503UL & 0xffffffff, 8);
	hex(k->b + k->o_cid, n * 11400714819323198485UL, 16);
}

static int
do_send(char **argv, int argc)
{
	const char *dst = argv[0];
	double rate = atof(argv[1]), secs = atof(argv[3]), t0, t;
	unsigned long count = strtoul(argv[2], NULL, 10), sent = 0, minl = 1 << 30, maxl = 0;
	int nsrc = argc - 4, fds[MAXSRC], i, burst = BURST;
	char *const *srcs = argv + 4;
	static struct pkt pool[MAXSRC][POOL];
	struct mmsghdr mm[BURST];
	struct iovec iov[BURST];
	struct sockaddr_in da = { .sin_family = AF_INET, .sin_port = htons(5060) };

	if (nsrc < 1 || nsrc > MAXSRC)
		return 2;
	if (getenv("BURST") && atoi(getenv("BURST")) >= 1 &&
	    atoi(getenv("BURST")) <= BURST)
		burst = atoi(getenv("BURST"));
	inet_pton(AF_INET, dst, &da.sin_addr);
	for (i = 0; i < nsrc; i++) {
		fds[i] = udp_sock(srcs[i], 5060);
		for (unsigned long v = 0; v < POOL; v++)
			pkt_build(&pool[i][v], srcs[i], i * POOL + v);
	}
	t0 = now();
	while (sent < count && (t = now()) - t0 < secs) {
		unsigned long due = (unsigned long)((t - t0) * rate) + 1, k, b;
		int s;

		if (due > count)
			due = count;
		if (due <= sent) {
			struct timespec ts = { 0, 50000 };
			nanosleep(&ts, NULL);
			continue;
		}
		b = due - sent > (unsigned long)burst ? (unsigned long)burst : due - sent;
		s = (int)(sent / BURST % nsrc);
		for (k = 0; k < b; k++) {
			struct pkt *pk = &pool[s][(sent + k) % POOL];
			int l = pk->len;

			pkt_patch(pk, sent + k);
			if ((unsigned long)l < minl) minl = l;
			if ((unsigned long)l > maxl) maxl = l;
			iov[k].iov_base = pk->b;
			iov[k].iov_len = l;
			memset(&mm[k], 0, sizeof(mm[k]));
			mm[k].msg_hdr.msg_iov = &iov[k];
			mm[k].msg_hdr.msg_iovlen = 1;
			mm[k].msg_hdr.msg_name = &da;
			mm[k].msg_hdr.msg_namelen = sizeof(da);
		}
		int n = sendmmsg(fds[s], mm, (unsigned int)b, 0);
		if (n > 0)
			sent += n;
	}
	t = now() - t0;
	printf("sent %lu in %.3f s (%.0f/s), %lu-%lu bytes of SIP, %d sources\n",
	    sent, t, sent / t, minl, maxl, nsrc);
	return 0;
}

/* The sender's timestamp in the Via branch, 0 when there is none. */
static unsigned long long
sent_ns(const char *b, size_t len)
{
	const char *p = memmem(b, len < 200 ? len : 200, "z9hG4bK.", 8);
	unsigned long long v = 0;
	int i;

	if (p == NULL || p + 8 + 16 > b + len)
		return 0;
	for (p += 8, i = 0; i < 16; i++, p++) {
		int c = *p;

		v = v << 4 | (unsigned)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
	}
	return v;
}

static int
cmp_u32(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;

	return x < y ? -1 : x > y;
}

static int
do_sink(char **argv, int argc)
{
	int fd = udp_sock(argv[0], 5060), one = 1;
	double secs = atof(argv[1]), idle = atof(argv[2]), t0 = now(), first = 0, last = 0;
	unsigned long n = 0, expect = argc > 3 ? strtoul(argv[3], NULL, 10) : 0;
	unsigned long nlat = 0, maxlat = 1 << 21;
	unsigned long long kfirst = 0, klast = 0;
	unsigned *lat = malloc(maxlat * sizeof(*lat));
	static char bufs[BURST][2048];
	static char cbufs[BURST][CMSG_SPACE(sizeof(struct timespec))];
	struct mmsghdr mm[BURST];
	struct iovec iov[BURST];
	int i;

	setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one));
	for (i = 0; i < BURST; i++) {
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = sizeof(bufs[i]);
		memset(&mm[i], 0, sizeof(mm[i]));
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	printf("sink ready\n");
	fflush(stdout);
	while (now() - t0 < secs && (!expect || n < expect)) {
		struct pollfd p = { fd, POLLIN, 0 };

		if (poll(&p, 1, 20) <= 0) {
			if (n && now() - last > idle)
				break;
			continue;
		}
		for (i = 0; i < BURST; i++) {
			mm[i].msg_hdr.msg_control = cbufs[i];
			mm[i].msg_hdr.msg_controllen = sizeof(cbufs[i]);
		}
		int k = recvmmsg(fd, mm, BURST, MSG_DONTWAIT, NULL);
		if (k <= 0)
			continue;
		if (!n)
			first = now();
		n += k;
		last = now();
		for (i = 0; i < k; i++) {
			struct cmsghdr *c = CMSG_FIRSTHDR(&mm[i].msg_hdr);
			unsigned long long s = sent_ns(bufs[i], mm[i].msg_len), r;
			struct timespec ts;

			if (!s || !c || c->cmsg_level != SOL_SOCKET ||
			    c->cmsg_type != SCM_TIMESTAMPNS || nlat >= maxlat)
				continue;
			memcpy(&ts, CMSG_DATA(c), sizeof(ts));
			r = ts.tv_sec * 1000000000ULL + (unsigned long long)ts.tv_nsec;
			if (!kfirst || r < kfirst)
				kfirst = r;
			if (r > klast)
				klast = r;
			lat[nlat++] = r > s ? (unsigned)(r - s < 4000000000ULL ? r - s : 4000000000U) : 0;
		}
	}
	qsort(lat, nlat, sizeof(*lat), cmp_u32);
	/* The span by the kernel's stamps: no wake-up of ours in it. */
	if (klast > kfirst) {
		first = 0;
		last = (klast - kfirst) / 1e9;
	}
	printf("received %lu in %.3f s (%.0f/s), one-way median %.1f us, p99 %.1f us (%lu stamped)\n",
	    n, last - first, last > first ? n / (last - first) : 0.0,
	    nlat ? lat[nlat / 2] / 1e3 : -1.0, nlat ? lat[nlat * 99 / 100] / 1e3 : -1.0, nlat);
	free(lat);
	return 0;
}

static int
do_echo(char **argv)
{
	int fd = udp_sock(argv[0], 5060);
	double secs = atof(argv[1]), t0 = now();
	char buf[2048];
	struct sockaddr_in from;
	socklen_t fl;

	while (now() - t0 < secs) {
		struct pollfd p = { fd, POLLIN, 0 };

		if (poll(&p, 1, 100) <= 0)
			continue;
		fl = sizeof(from);
		ssize_t n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
		if (n > 0)
			sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&from, fl);
	}
	return 0;
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int
do_rtt(char **argv)
{
	const char *dst = argv[0], *src = argv[2];
	unsigned long count = strtoul(argv[1], NULL, 10), i, got = 0;
	int fd = udp_sock(src, 5060);
	double *rtt = calloc(count, sizeof(double));
	char pkt[1024], buf[2048];
	struct sockaddr_in da = { .sin_family = AF_INET, .sin_port = htons(5060) };

	inet_pton(AF_INET, dst, &da.sin_addr);
	for (i = 0; i < count; i++) {
		int l = invite(pkt, sizeof(pkt), src, i + 1000000);
		double t = now();
		struct pollfd p = { fd, POLLIN, 0 };

		sendto(fd, pkt, (size_t)l, 0, (struct sockaddr *)&da, sizeof(da));
		if (poll(&p, 1, 1000) > 0 && recv(fd, buf, sizeof(buf), 0) > 0)
			rtt[got++] = (now() - t) * 1e6;
	}
	qsort(rtt, got, sizeof(double), cmp);
	printf("rtt %lu/%lu answered, median %.1f us, p99 %.1f us\n", got, count,
	    got ? rtt[got / 2] : -1.0, got ? rtt[got * 99 / 100] : -1.0);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc >= 7 && !strcmp(argv[1], "send"))
		return do_send(argv + 2, argc - 2);
	if ((argc == 5 || argc == 6) && !strcmp(argv[1], "sink"))
		return do_sink(argv + 2, argc - 2);
	if (argc == 4 && !strcmp(argv[1], "echo"))
		return do_echo(argv + 2);
	if (argc == 5 && !strcmp(argv[1], "rtt"))
		return do_rtt(argv + 2);
	fprintf(stderr, "usage: see bench/inline/sipload.c\n");
	return 2;
}
