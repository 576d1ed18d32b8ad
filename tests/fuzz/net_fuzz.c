/*
 * net_fuzz.c - the decoder on arbitrary bytes.
 *
 * The first byte picks how the rest is fed: as one frame of a link type
 * (Ethernet, SLL, SLL2, null, raw) or as a bare IP packet. One net, built
 * once with small tables, lives across inputs so that fragments and TCP
 * streams from earlier inputs meet later ones, as they would in a capture;
 * the clock advances a little with each input so timeouts fire too.
 */
#include <stddef.h>
#include <stdint.h>

#include "../../src/net/net.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
sink(void *arg, const struct net_pkt *pkt)
{
	volatile uint8_t *sum = arg;
	size_t i;

	for (i = 0; i < pkt->len; i++)	/* touch every delivered byte */
		*sum ^= pkt->data[i];
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int dlt[] = { NET_DLT_EN10MB, NET_DLT_LINUX_SLL,
	    NET_DLT_LINUX_SLL2, NET_DLT_NULL, NET_DLT_LOOP, NET_DLT_RAW,
	    NET_DLT_IPV4, NET_DLT_IPV6 };
	static struct net *n;
	static uint64_t now;
	static uint8_t sum;
	struct net_limits lim = { .frag_max_bytes = 64 * 1024,
	    .frag_max_datagrams = 16, .tcp_max_streams = 32,
	    .tcp_max_stream_bytes = 8192, .tcp_max_buffered = 4 };

	if (n == NULL && (n = net_new(&lim)) == NULL)
		return 0;
	if (size < 1)
		return 0;
	now += 100000000;		/* 0.1 s per input */
	if (data[0] >= 0xf0)
		net_feed_ip(n, data + 1, size - 1, now, sink, &sum);
	else
		net_feed_frame(n, dlt[data[0] % (sizeof(dlt) / sizeof(dlt[0]))],
		    data + 1, size - 1, now, sink, &sum);
	return 0;
}
