/*
 * bench/inline/sipload.c - SIP load for bench/inline/run.sh: 450-700 byte
 * INVITEs (a softphone's, with SDP; Call-ID, branch and tag differ per
 * packet), from many source addresses, over UDP to port 5060. Every mode is
 * bounded in packets and seconds.
 *
 *   sipload send DST RATE COUNT SECONDS SRC...  send COUNT packets at RATE/s
 *                                  (sendmmsg, 32 a call), round-robin over
 *                                  the SRC addresses; prints what it sent
 *   sipload sink BIND SECONDS IDLE   count datagrams on BIND:5060 until
 *                                  SECONDS pass or IDLE seconds of silence
 *   sipload echo BIND SECONDS        send each datagram back to its sender
 *   sipload rtt DST COUNT SRC        COUNT ping-pongs through an echo,
 *                                  one at a time (1 s timeout each); prints
 *                                  the median and 99th percentile in us
 */
#define _GNU_SOURCE
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

#define MAXSRC	256
#define BURST	32

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
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
invite(char *b, size_t cap, const char *src, const char *dst, unsigned long n)
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
		    "Via: SIP/2.0/UDP %s:5060;branch=z9hG4bK.%08lx%04lx;rport\r\n"
		    "From: \"Alice\" <sip:alice@%s>;tag=%08lx\r\n"
		    "To: <sip:100@pbx.example.net>\r\n"
		    "Call-ID: %016lx@%s\r\nCSeq: 20 INVITE\r\nMax-Forwards: 70\r\n"
		    "Contact: <sip:alice@%s:5060>\r\nUser-Agent: Linphone/5.1\r\n"
		    "Content-Type: application/sdp\r\nContent-Length: %d\r\n\r\n%s",
		    src, n * 2654435761UL, n & 0xffff, src, n * 40503UL, n * 11400714819323198485UL,
		    src, src, blen, body);
		if (len >= want || padn >= 250)
			return len;
		padn += want - len;
		if (padn > 250)
			padn = 250;
	}
}

static int
do_send(char **argv, int argc)
{
	const char *dst = argv[0];
	double rate = atof(argv[1]), secs = atof(argv[3]), t0, t;
	unsigned long count = strtoul(argv[2], NULL, 10), sent = 0, minl = 1 << 30, maxl = 0;
	int nsrc = argc - 4, fds[MAXSRC], i;
	char *const *srcs = argv + 4;
	static char pkts[BURST][1024];
	struct mmsghdr mm[BURST];
	struct iovec iov[BURST];
	struct sockaddr_in da = { .sin_family = AF_INET, .sin_port = htons(5060) };

	if (nsrc < 1 || nsrc > MAXSRC)
		return 2;
	inet_pton(AF_INET, dst, &da.sin_addr);
	for (i = 0; i < nsrc; i++)
		fds[i] = udp_sock(srcs[i], 5060);
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
		b = due - sent > BURST ? BURST : due - sent;
		s = (int)(sent / BURST % nsrc);
		for (k = 0; k < b; k++) {
			int l = invite(pkts[k], sizeof(pkts[k]), srcs[s], dst, sent + k);

			if ((unsigned long)l < minl) minl = l;
			if ((unsigned long)l > maxl) maxl = l;
			iov[k].iov_base = pkts[k];
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

static int
do_sink(char **argv)
{
	int fd = udp_sock(argv[0], 5060);
	double secs = atof(argv[1]), idle = atof(argv[2]), t0 = now(), first = 0, last = 0;
	unsigned long n = 0;
	static char bufs[BURST][2048];
	struct mmsghdr mm[BURST];
	struct iovec iov[BURST];
	int i;

	for (i = 0; i < BURST; i++) {
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = sizeof(bufs[i]);
		memset(&mm[i], 0, sizeof(mm[i]));
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	printf("sink ready\n");
	fflush(stdout);
	while (now() - t0 < secs) {
		struct pollfd p = { fd, POLLIN, 0 };

		if (poll(&p, 1, 100) <= 0) {
			if (n && now() - last > idle)
				break;
			continue;
		}
		int k = recvmmsg(fd, mm, BURST, MSG_DONTWAIT, NULL);
		if (k > 0) {
			if (!n)
				first = now();
			n += k;
			last = now();
		}
	}
	printf("received %lu in %.3f s (%.0f/s)\n", n, last - first,
	    last > first ? n / (last - first) : 0.0);
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
		int l = invite(pkt, sizeof(pkt), src, dst, i + 1000000);
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
	if (argc == 5 && !strcmp(argv[1], "sink"))
		return do_sink(argv + 2);
	if (argc == 4 && !strcmp(argv[1], "echo"))
		return do_echo(argv + 2);
	if (argc == 5 && !strcmp(argv[1], "rtt"))
		return do_rtt(argv + 2);
	fprintf(stderr, "usage: see bench/inline/sipload.c\n");
	return 2;
}
