/*
 * pipeline.c - a single-producer, single-consumer ring between the reading
 * and the judging thread (see pipeline.h).
 *
 * head counts items published by the reader, tail items judged. Each side
 * owns its counter and reads the other's with acquire ordering, so a slot is
 * written by one thread at a time. A side with nothing to do spins briefly,
 * then yields the core.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline.h"

#define SLOT_INLINE	2048	/* payload bytes a slot holds without
				 * growing */
#define SPINS		256	/* polls before yielding the core */
#define BATCH		32	/* items published at once */

struct slot {
	struct pipeline_item item;
	bool		 parsed;	/* item.msg is set (else the judging
					 * thread parses it) */
	uint8_t		*buf;		/* payload copy */
	size_t		 cap;		/* its size */
	uint8_t		 inline_buf[SLOT_INLINE];
};

struct pipeline {
	struct slot		*slot;
	size_t			 n;		/* slots, a power of two */
	pipeline_parse_fn	 parse;
	pipeline_judge_fn	 judge;
	void			*arg;
	pthread_t		 thread;
	bool			 threaded;	/* the judging thread runs */
	uint64_t		 filled;	/* items parsed (reader's own) */
	/* Each counter on its own cache line: the threads write one each. */
	_Alignas(64) _Atomic uint64_t head;	/* items published */
	_Alignas(64) _Atomic uint64_t tail;	/* items judged */
	_Alignas(64) _Atomic bool done;		/* no more items will come */
};

static void
wait_a_little(unsigned *spins)
{
	if (++*spins < SPINS)
		return;
	*spins = 0;
	sched_yield();
}

/* The judging thread parses what the reader left unparsed. */
static void
judge_one(struct pipeline *p, struct slot *s)
{
	if (!s->parsed)
		s->item.rc = p->parse(&s->item.msg, &s->item.pkt);
	p->judge(p->arg, &s->item);
}

static void *
judge_thread(void *arg)
{
	struct pipeline *p = arg;
	uint64_t t = atomic_load_explicit(&p->tail, memory_order_relaxed);
	unsigned spins = 0;

	for (;;) {
		uint64_t h = atomic_load_explicit(&p->head,
		    memory_order_acquire);

		if (t == h) {
			if (atomic_load_explicit(&p->done,
			    memory_order_acquire) &&
			    t == atomic_load_explicit(&p->head,
			    memory_order_acquire))
				break;
			wait_a_little(&spins);
			continue;
		}
		for (; t != h; t++)
			judge_one(p, &p->slot[t & (p->n - 1)]);
		atomic_store_explicit(&p->tail, t, memory_order_release);
	}
	return NULL;
}

struct pipeline *
pipeline_new(size_t slots, bool threaded, pipeline_parse_fn parse,
    pipeline_judge_fn judge, void *arg)
{
	struct pipeline *p = calloc(1, sizeof(*p));
	size_t n = 2, i;

	if (p == NULL)
		return NULL;
	while (n < slots)
		n <<= 1;
	if ((p->slot = calloc(n, sizeof(*p->slot))) == NULL) {
		free(p);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		p->slot[i].buf = p->slot[i].inline_buf;
		p->slot[i].cap = SLOT_INLINE;
	}
	p->n = n;
	p->parse = parse;
	p->judge = judge;
	p->arg = arg;
	atomic_init(&p->head, 0);
	atomic_init(&p->tail, 0);
	atomic_init(&p->done, false);
	p->threaded = threaded &&
	    pthread_create(&p->thread, NULL, judge_thread, p) == 0;
	return p;
}

/* Makes the slot's buffer hold len bytes; false when memory is short. */
static bool
slot_fit(struct slot *s, size_t len)
{
	uint8_t *b;

	if (len <= s->cap)
		return true;
	b = malloc(len);
	if (b == NULL)
		return false;
	if (s->buf != s->inline_buf)
		free(s->buf);
	s->buf = b;
	s->cap = len;
	return true;
}

/* Makes the items parsed so far visible to the judging thread. */
static void
publish(struct pipeline *p)
{
	atomic_store_explicit(&p->head, p->filled, memory_order_release);
}

void
pipeline_push(struct pipeline *p, const struct net_pkt *pkt)
{
	uint64_t h = p->filled;
	struct slot *s;
	unsigned spins = 0;

	while (p->threaded && h - atomic_load_explicit(&p->tail,
	    memory_order_acquire) >= p->n) {
		publish(p);	/* the judge may be waiting for these */
		wait_a_little(&spins);
	}
	s = &p->slot[h & (p->n - 1)];
	s->item.pkt = *pkt;
	if (slot_fit(s, pkt->len)) {
		memcpy(s->buf, pkt->data, pkt->len);
		s->item.pkt.data = s->buf;
	} else {
		/* Out of memory for a huge payload: judge its start. */
		memcpy(s->buf, pkt->data, s->cap);
		s->item.pkt.data = s->buf;
		s->item.pkt.len = s->cap;
		s->item.pkt.truncated = true;
	}
	/*
	 * Parsing is pure, so either thread may do it. The reader parses
	 * when the judge has work queued, and leaves it to the judge when
	 * the judge is close to idle: the two cores share the load whatever
	 * the mix of traffic, and the order of judging never changes.
	 */
	s->parsed = !p->threaded || h - atomic_load_explicit(&p->tail,
	    memory_order_relaxed) >= p->n / 4;
	if (s->parsed)
		s->item.rc = p->parse(&s->item.msg, &s->item.pkt);
	if (!p->threaded) {
		p->judge(p->arg, &s->item);
		return;
	}
	p->filled = h + 1;
	/* Publishing each item would bounce the counter's cache line
	 * between the cores for every packet. */
	if (p->filled % BATCH == 0)
		publish(p);
}

void
pipeline_finish(struct pipeline *p)
{
	size_t i;

	if (p == NULL)
		return;
	publish(p);
	atomic_store_explicit(&p->done, true, memory_order_release);
	if (p->threaded)
		pthread_join(p->thread, NULL);
	for (i = 0; i < p->n; i++)
		if (p->slot[i].buf != p->slot[i].inline_buf)
			free(p->slot[i].buf);
	free(p->slot);
	free(p);
}
