/*
 * pipeline.h - two threads for `ghostguard analyze`: parse, then judge.
 *
 * The thread that reads the capture decodes each frame, copies each SIP
 * payload into a slot of a ring and parses it there; a second thread takes
 * the slots in the order they were filled and hands each to the judge
 * callback (engine and report). The parser is pure and the judge sees the
 * payloads in capture order, so the report is the same as with one thread;
 * the two stages just run on two cores. The ring's memory is fixed at
 * pipeline_new(), except that a slot's buffer grows once for a payload
 * larger than any before it.
 */
#ifndef PIPELINE_H
#define PIPELINE_H

#include "../net/net.h"
#include "../sip/sip.h"

/* One parsed payload. pkt.data points into the slot's own buffer. */
struct pipeline_item {
	struct net_pkt	pkt;
	struct sip_msg	msg;
	enum sip_rc	rc;
};

/* Parses pkt into *msg (in the reading thread). */
typedef enum sip_rc (*pipeline_parse_fn)(struct sip_msg *msg,
		    const struct net_pkt *pkt);
/* Judges one item (in the judging thread, in capture order). */
typedef void (*pipeline_judge_fn)(void *arg,
		    const struct pipeline_item *it);

struct pipeline;

/*
 * A pipeline of slots items; with threaded, starts the judging thread.
 * Without it, or when the thread cannot be started, items are judged in
 * the caller's thread (the same results, on one core). NULL on ENOMEM.
 */
struct pipeline	*pipeline_new(size_t slots, bool threaded,
		    pipeline_parse_fn parse, pipeline_judge_fn judge,
		    void *arg);

/* Copies pkt's payload into the next slot, parses it, queues it. Waits
 * while the ring is full. */
void		 pipeline_push(struct pipeline *p, const struct net_pkt *pkt);

/* Waits until every queued item is judged, stops the thread, frees. */
void		 pipeline_finish(struct pipeline *p);

#endif /* PIPELINE_H */
