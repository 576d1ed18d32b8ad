/*
 * track.c - a fixed-capacity hash table of per-source records.
 *
 * Records live in one array allocated at start; an index of 32-bit slots
 * (twice the capacity, a power of two) maps address hashes to records with
 * linear probing. Deleting shifts later entries of the probe run back, so no
 * tombstones accumulate. When the array is full, the oldest (least recently
 * seen) of TRACK_SAMPLE records picked by a cheap generator is evicted: an
 * approximation of LRU that costs a constant per insertion.
 */
#include <stdlib.h>
#include <string.h>

#include "track.h"

#define TRACK_SAMPLE	8
#define SLOT_EMPTY	UINT32_MAX

struct track {
	struct track_src *rec;		/* cap records */
	size_t		 cap;		/* records */
	size_t		 n;		/* used records: rec[0..n) */
	uint32_t	*slot;		/* index into rec, or SLOT_EMPTY */
	size_t		 mask;		/* slots - 1 */
	uint64_t	 seed;		/* hash seed */
	uint64_t	 rng;		/* eviction sampling state */
	uint32_t	 last;		/* record of the last track_get(), if
					 * still below n and its address still
					 * matches: a flood comes packet after
					 * packet from one source */
	struct track_stats st;
};

struct track *
track_new(size_t cap, uint64_t seed)
{
	struct track *t;
	size_t slots = 16;

	if (cap < 1 || cap > (UINT32_MAX >> 2))
		return NULL;
	while (slots < cap * 2)
		slots <<= 1;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	t->rec = calloc(cap, sizeof(*t->rec));
	t->slot = malloc(slots * sizeof(*t->slot));
	if (t->rec == NULL || t->slot == NULL) {
		track_free(t);
		return NULL;
	}
	memset(t->slot, 0xff, slots * sizeof(*t->slot));
	t->cap = cap;
	t->mask = slots - 1;
	t->seed = seed;
	t->rng = seed | 1;
	t->last = UINT32_MAX;
	return t;
}

void
track_free(struct track *t)
{
	if (t == NULL)
		return;
	free(t->rec);
	free(t->slot);
	free(t);
}

static size_t
home(const struct track *t, const struct gg_addr *a)
{
	return (size_t)gg_addr_hash(a, t->seed) & t->mask;
}

/* The slot that holds addr, or the empty slot where it would go. */
static size_t
probe(const struct track *t, const struct gg_addr *a)
{
	size_t i = home(t, a);

	while (t->slot[i] != SLOT_EMPTY &&
	    !gg_addr_eq(&t->rec[t->slot[i]].addr, a))
		i = (i + 1) & t->mask;
	return i;
}

struct track_src *
track_find(struct track *t, const struct gg_addr *addr)
{
	size_t i;

	t->st.lookups++;
	i = probe(t, addr);
	return t->slot[i] == SLOT_EMPTY ? NULL : &t->rec[t->slot[i]];
}

/* Removes slot i from the index, shifting the probe run back over it. */
static void
slot_delete(struct track *t, size_t i)
{
	size_t j = i;

	for (;;) {
		size_t h;

		j = (j + 1) & t->mask;
		if (t->slot[j] == SLOT_EMPTY)
			break;
		h = home(t, &t->rec[t->slot[j]].addr);
		/* Move j back to i unless its home lies in (i, j]. */
		if (i <= j ? (i < h && h <= j) : (i < h || h <= j))
			continue;
		t->slot[i] = t->slot[j];
		i = j;
	}
	t->slot[i] = SLOT_EMPTY;
}

/* Evicts the stalest of a few sampled records; returns its index. */
static uint32_t
evict(struct track *t)
{
	uint32_t victim = 0;
	uint64_t oldest = UINT64_MAX;
	size_t k, last;

	for (k = 0; k < TRACK_SAMPLE; k++) {
		uint32_t r;

		t->rng ^= t->rng << 13;
		t->rng ^= t->rng >> 7;
		t->rng ^= t->rng << 17;
		r = (uint32_t)(t->rng % t->cap);
		if (t->rec[r].last_ns < oldest) {
			oldest = t->rec[r].last_ns;
			victim = r;
		}
	}
	slot_delete(t, probe(t, &t->rec[victim].addr));
	/* Keep rec[0..n) dense: move the last record into the hole. */
	last = t->n - 1;
	if (victim != last) {
		t->slot[probe(t, &t->rec[last].addr)] = victim;
		t->rec[victim] = t->rec[last];
	}
	t->n--;
	t->st.evictions++;
	return (uint32_t)t->n;
}

/* track_get() past its check of the last record. */
static __attribute__((noinline)) struct track_src *
track_get_probe(struct track *t, const struct gg_addr *addr, uint64_t now_ns)
{
	struct track_src *s;
	size_t i;
	uint32_t r;

	i = probe(t, addr);
	if (t->slot[i] != SLOT_EMPTY) {
		t->last = t->slot[i];
		return &t->rec[t->last];
	}
	if (t->n == t->cap) {
		evict(t);
		i = probe(t, addr);
	}
	r = (uint32_t)t->n++;
	t->slot[i] = r;
	t->last = r;
	s = &t->rec[r];
	memset(s, 0, sizeof(*s));
	s->addr = *addr;
	s->first_ns = s->last_ns = s->window_ns = now_ns;
	t->st.inserts++;
	return s;
}

/* The check of the last record apart from the rest: it needs none of the
 * registers the probe and the insertion save and restore. */
struct track_src *
track_get(struct track *t, const struct gg_addr *addr, uint64_t now_ns)
{
	t->st.lookups++;
	/* Records move when one is evicted: the address is checked. */
	if (t->last < t->n && gg_addr_eq(&t->rec[t->last].addr, addr))
		return &t->rec[t->last];
	return track_get_probe(t, addr, now_ns);
}

size_t
track_count(const struct track *t)
{
	return t->n;
}

size_t
track_capacity(const struct track *t)
{
	return t->cap;
}

size_t
track_memory(const struct track *t)
{
	return sizeof(*t) + t->cap * sizeof(*t->rec) +
	    (t->mask + 1) * sizeof(*t->slot);
}

const struct track_stats *
track_stats(const struct track *t)
{
	return &t->st;
}

void
track_walk(struct track *t, void (*fn)(void *, struct track_src *), void *arg)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		fn(arg, &t->rec[i]);
}
