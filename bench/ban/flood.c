/*
 * flood.c - the scan flood of bench/ban/flood.sh: SIP requests from many
 * forged source addresses, at a fixed rate, bounded in packets and seconds.
 *
 *   flood RATE COUNT SECONDS RAMP DST4 DST6 N4 N6 LIST
 *
 * Sources: N4 IPv4 addresses 203.0.113.2-254 (skipping .66 and .77, the
 * lab's attacker hosts; at most 250) and N6 IPv6 addresses
 * 2001:db8:dead:I::1 (I = 1..N6, each in a /64 of its own, so that bans stay
 * per address and nothing aggregates; at most 65535), shuffled with a fixed
 * seed. At the end, those that sent at least one packet are written to
 * LIST, one a line. IPv4 sources send to DST4:5060,
 * IPv6 ones to [DST6]:5060, from port 5060.
 *
 * Each source is one of four scanners, by its index:
 *   0  svmap: OPTIONS, User-Agent friendly-scanner
 *   1  svwar: REGISTER for extension 100, 101, 102, ... (friendly-scanner)
 *   2  svwar -m INVITE: INVITE for successive extensions (friendly-scanner)
 *   3  a scanner without a fingerprint: INVITEs for successive extensions
 *      with a softphone's User-Agent and headers (behaviour only)
 * Branch, tag and Call-ID differ per packet.
 *
 * Packets are written with raw sockets (IPPROTO_RAW: the header is ours, so
 * the source address is forged; UDP checksums computed here), 32 a
 * sendmmsg() call. Sources join linearly over the first RAMP seconds (0: all
 * at once); packets go round robin over the sources that have joined. It
 * stops after COUNT packets or SECONDS seconds and prints
 * "sent N in T s (R/s), sources S4+S6, not sent F (E failed calls)" (S4,
 * S6: the sources that sent). Needs CAP_NET_RAW; meant
 * for a network namespace of one's own.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/udp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define FL_BURST	32
#define FL_PKTMAX	1400
#define FL_PORT		5060

struct fl_src {
	int		family;
	uint8_t		a[16];
	char		s[INET6_ADDRSTRLEN];
	unsigned	kind;
	unsigned long	n;		/* packets sent from it */
};

static double
fl_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A deterministic generator (xorshift64*), for the shuffle and the ids. */
static uint64_t fl_rng = 0x9e3779b97f4a7c15ull;

static uint64_t
fl_rand(void)
{
	fl_rng ^= fl_rng >> 12;
	fl_rng ^= fl_rng << 25;
	fl_rng ^= fl_rng >> 27;
	return fl_rng * 2685821657736338717ull;
}

/* The SIP request of source s to dst; its length. */
static int
fl_sip(char *b, size_t cap, struct fl_src *s, const char *dst)
{
	static const char *meth[] = { "OPTIONS", "REGISTER", "INVITE",
	    "INVITE" };
	unsigned ext = 100 + (unsigned)(s->n % 900);
	const char *m = meth[s->kind], *host = s->family == AF_INET6 ? "[" : "";
	const char *end = s->family == AF_INET6 ? "]" : "";
	unsigned long long r = fl_rand();
	char ruri[96], to[96];

	if (s->kind == 0) {
		snprintf(ruri, sizeof(ruri), "sip:100@%s%s%s", host, dst, end);
		snprintf(to, sizeof(to), "sip:100@%s%s%s", host, dst, end);
	} else if (s->kind == 1) {
		snprintf(ruri, sizeof(ruri), "sip:%s%s%s", host, dst, end);
		snprintf(to, sizeof(to), "sip:%u@%s%s%s", ext, host, dst, end);
	} else {
		snprintf(ruri, sizeof(ruri), "sip:%u@%s%s%s", ext, host, dst,
		    end);
		snprintf(to, sizeof(to), "%s", ruri);
	}
	if (s->kind == 3)
		return snprintf(b, cap,
		    "%s %s SIP/2.0\r\n"
		    "Via: SIP/2.0/UDP %s%s%s:%d;branch=z9hG4bK.%016llx;rport\r\n"
		    "Max-Forwards: 70\r\n"
		    "From: <sip:%u@%s%s%s>;tag=%08llx\r\n"
		    "To: <%s>\r\n"
		    "Call-ID: %016llx@%s%s%s\r\n"
		    "CSeq: 20 %s\r\n"
		    "Contact: <sip:%u@%s%s%s:%d>\r\n"
		    "User-Agent: Linphone/5.1.2 (belle-sip/5.1.2)\r\n"
		    "Content-Length: 0\r\n\r\n",
		    m, ruri, host, s->s, end, FL_PORT, r, ext, host, s->s, end,
		    r >> 32, to, r * 31, host, s->s, end, m, ext, host, s->s,
		    end, FL_PORT);
	return snprintf(b, cap,
	    "%s %s SIP/2.0\r\n"
	    "Via: SIP/2.0/UDP %s%s%s:%d;branch=z9hG4bK-%llu;rport\r\n"
	    "Max-Forwards: 70\r\n"
	    "To: \"%u\"<%s>\r\n"
	    "From: \"%u\"<%s>;tag=%llu\r\n"
	    "User-Agent: friendly-scanner\r\n"
	    "Call-ID: %llu\r\n"
	    "Contact: <sip:%u@%s%s%s:%d>\r\n"
	    "CSeq: 1 %s\r\n"
	    "Accept: application/sdp\r\n"
	    "Content-Length: 0\r\n\r\n",
	    m, ruri, host, s->s, end, FL_PORT, r % 10000000000ull, ext, to,
	    ext, to, (r >> 20) % 10000000000ull, r % 1000000000000000000ull,
	    ext, host, s->s, end, FL_PORT, m);
}

/* The one's complement sum of n bytes, folded in later. */
static uint32_t
fl_sum(const void *p, size_t n, uint32_t sum)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)b[i] << 8 | b[i + 1];
	if (n & 1)
		sum += (uint32_t)b[n - 1] << 8;
	return sum;
}

static uint16_t
fl_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/*
 * The whole packet of source s (IP header, UDP header, SIP) in b; its
 * length. d: the destination address (4 or 16 bytes).
 */
static size_t
fl_packet(uint8_t *b, struct fl_src *s, const uint8_t *d, const char *dst)
{
	size_t ipl = s->family == AF_INET ? 20 : 40, ul;
	struct udphdr *u = (struct udphdr *)(b + ipl);
	uint8_t ph[40];
	uint32_t sum;
	int l;

	l = fl_sip((char *)b + ipl + 8, FL_PKTMAX - ipl - 8, s, dst);
	if (l < 0 || (size_t)l > FL_PKTMAX - ipl - 8)
		l = (int)(FL_PKTMAX - ipl - 8);
	ul = 8 + (size_t)l;
	u->source = htons(FL_PORT);
	u->dest = htons(FL_PORT);
	u->len = htons((uint16_t)ul);
	u->check = 0;
	memset(ph, 0, sizeof(ph));
	if (s->family == AF_INET) {
		struct iphdr *ip = (struct iphdr *)b;

		memset(ip, 0, sizeof(*ip));
		ip->version = 4;
		ip->ihl = 5;
		ip->ttl = 64;
		ip->protocol = IPPROTO_UDP;
		ip->tot_len = htons((uint16_t)(ipl + ul));
		ip->id = htons((uint16_t)fl_rand());
		memcpy(&ip->saddr, s->a, 4);
		memcpy(&ip->daddr, d, 4);
		/* The kernel fills in the IP header checksum (IPPROTO_RAW). */
		memcpy(ph, s->a, 4);
		memcpy(ph + 4, d, 4);
		ph[9] = IPPROTO_UDP;
		ph[10] = (uint8_t)(ul >> 8);
		ph[11] = (uint8_t)ul;
		sum = fl_sum(ph, 12, 0);
	} else {
		struct ip6_hdr *ip = (struct ip6_hdr *)b;

		memset(ip, 0, sizeof(*ip));
		ip->ip6_flow = htonl(6u << 28);
		ip->ip6_plen = htons((uint16_t)ul);
		ip->ip6_nxt = IPPROTO_UDP;
		ip->ip6_hlim = 64;
		memcpy(&ip->ip6_src, s->a, 16);
		memcpy(&ip->ip6_dst, d, 16);
		memcpy(ph, s->a, 16);
		memcpy(ph + 16, d, 16);
		ph[34] = (uint8_t)(ul >> 8);
		ph[35] = (uint8_t)ul;
		ph[39] = IPPROTO_UDP;
		sum = fl_sum(ph, 40, 0);
	}
	u->check = htons(fl_fold(fl_sum(u, ul, sum)));
	if (u->check == 0)
		u->check = 0xffff;
	return ipl + ul;
}

int
main(int argc, char **argv)
{
	static uint8_t pkts[2][FL_BURST][FL_PKTMAX];
	struct mmsghdr mm[2][FL_BURST];
	struct iovec iov[2][FL_BURST];
	struct sockaddr_in d4 = { .sin_family = AF_INET };
	struct sockaddr_in6 d6 = { .sin6_family = AF_INET6 };
	unsigned long count, tried = 0, sent = 0, errors = 0, rr = 0, i, nsrc;
	unsigned n4, n6, nb[2];
	double rate, secs, ramp, t0, t = 0;
	struct fl_src *src;
	int fd[2];
	FILE *list;

	if (argc != 10) {
		fprintf(stderr, "usage: flood RATE COUNT SECONDS RAMP DST4 DST6 "
		    "N4 N6 LIST\n");
		return 2;
	}
	rate = atof(argv[1]);
	count = strtoul(argv[2], NULL, 10);
	secs = atof(argv[3]);
	ramp = atof(argv[4]);
	n4 = (unsigned)strtoul(argv[7], NULL, 10);
	n6 = (unsigned)strtoul(argv[8], NULL, 10);
	if (rate <= 0 || secs <= 0 || n4 > 250 || n6 > 65535 ||
	    n4 + n6 == 0 || inet_pton(AF_INET, argv[5], &d4.sin_addr) != 1 ||
	    inet_pton(AF_INET6, argv[6], &d6.sin6_addr) != 1) {
		fprintf(stderr, "flood: bad arguments\n");
		return 2;
	}
	nsrc = n4 + n6;
	if ((src = calloc(nsrc, sizeof(*src))) == NULL)
		return 1;
	for (i = 0; i < n4; i++) {
		unsigned o = 2 + (unsigned)i;

		o += o >= 66;
		o += o >= 77;
		src[i].family = AF_INET;
		src[i].a[0] = 203;
		src[i].a[1] = 0;
		src[i].a[2] = 113;
		src[i].a[3] = (uint8_t)o;
	}
	for (i = 0; i < n6; i++) {
		uint8_t *a = src[n4 + i].a;

		src[n4 + i].family = AF_INET6;
		a[0] = 0x20;
		a[1] = 0x01;
		a[2] = 0x0d;
		a[3] = 0xb8;
		a[4] = 0xde;
		a[5] = 0xad;
		a[6] = (uint8_t)((i + 1) >> 8);
		a[7] = (uint8_t)(i + 1);
		a[15] = 1;
	}
	for (i = nsrc - 1; i > 0; i--) {
		unsigned long j = fl_rand() % (i + 1);
		struct fl_src x = src[i];

		src[i] = src[j];
		src[j] = x;
	}
	for (i = 0; i < nsrc; i++) {
		src[i].kind = (unsigned)(i % 4);
		inet_ntop(src[i].family, src[i].a, src[i].s, sizeof(src[i].s));
	}
	fd[0] = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	fd[1] = socket(AF_INET6, SOCK_RAW, IPPROTO_RAW);
	if (fd[0] < 0 || fd[1] < 0) {
		perror("flood: raw socket");
		return 1;
	}
	for (i = 0; i < 2; i++) {
		int buf = 4 << 20, k;

		setsockopt(fd[i], SOL_SOCKET, SO_SNDBUFFORCE, &buf,
		    sizeof(buf));
		for (k = 0; k < FL_BURST; k++) {
			memset(&mm[i][k], 0, sizeof(mm[i][k]));
			iov[i][k].iov_base = pkts[i][k];
			mm[i][k].msg_hdr.msg_iov = &iov[i][k];
			mm[i][k].msg_hdr.msg_iovlen = 1;
			mm[i][k].msg_hdr.msg_name = i ? (void *)&d6 :
			    (void *)&d4;
			mm[i][k].msg_hdr.msg_namelen = i ? sizeof(d6) :
			    sizeof(d4);
		}
	}
	t0 = fl_now();
	while (tried < count && (t = fl_now() - t0) < secs) {
		unsigned long due = (unsigned long)(t * rate) + 1, b, k;
		unsigned long active = nsrc;

		if (due > count)
			due = count;
		if (due <= tried) {
			struct timespec ts = { 0, 50000 };

			nanosleep(&ts, NULL);
			continue;
		}
		if (ramp > 0 && t < ramp) {
			active = (unsigned long)((double)nsrc * t / ramp) + 1;
			if (active > nsrc)
				active = nsrc;
		}
		b = due - tried > FL_BURST ? FL_BURST : due - tried;
		tried += b;
		nb[0] = nb[1] = 0;
		for (k = 0; k < b; k++) {
			struct fl_src *s = &src[rr++ % active];
			int f = s->family == AF_INET6;
			const uint8_t *d = f ? d6.sin6_addr.s6_addr :
			    (const uint8_t *)&d4.sin_addr;

			iov[f][nb[f]].iov_len = fl_packet(pkts[f][nb[f]], s,
			    d, argv[5 + f]);
			nb[f]++;
			s->n++;
		}
		for (k = 0; k < 2; k++) {
			unsigned off = 0;

			while (off < nb[k]) {
				int n = sendmmsg(fd[k], mm[k] + off,
				    nb[k] - off, 0);

				if (n <= 0) {
					/* A full queue or an unreachable
					 * moment: counted, not retried. */
					errors++;
					break;
				}
				off += (unsigned)n;
				sent += (unsigned)n;
			}
		}
	}
	t = fl_now() - t0;
	/* The sources that sent at least one packet (a short run may end
	 * before the ramp has brought in all of them). */
	if ((list = fopen(argv[9], "w")) == NULL) {
		perror(argv[9]);
		return 1;
	}
	n4 = n6 = 0;
	for (i = 0; i < nsrc; i++) {
		if (src[i].n == 0)
			continue;
		fprintf(list, "%s\n", src[i].s);
		if (src[i].family == AF_INET)
			n4++;
		else
			n6++;
	}
	if (fclose(list) != 0) {
		perror(argv[9]);
		return 1;
	}
	printf("sent %lu in %.3f s (%.0f/s), sources %u+%u, not sent %lu "
	    "(%lu failed calls)\n", sent, t, t > 0 ? (double)sent / t : 0.0,
	    n4, n6, tried - sent, errors);
	return 0;
}
