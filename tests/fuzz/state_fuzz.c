/*
 * state_fuzz.c - the state file loader on arbitrary bytes.
 *
 * Loads the input into a small manager, writes what it holds in the state
 * format, loads that into a second manager and checks that the two hold
 * the same records: whatever the loader accepts, the writer must give back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/ban/ban.h"

#define NOW	(1700000000ULL * 1000000000ULL)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_one(void *arg, const struct ban_entry *e)
{
	const struct ban_entry *o = ban_find(arg, &e->addr, e->plen);

	if (o == NULL || o->level != e->level || o->flags != e->flags ||
	    o->count != e->count || o->since_ns != e->since_ns ||
	    o->expires_ns != e->expires_ns || o->last_ns != e->last_ns ||
	    strcmp(o->reason, e->reason) != 0 || strcmp(o->tool, e->tool) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ban_conf c;
	struct ban *a, *b;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	ban_conf_default(&c);
	c.max_bans = 16;
	a = ban_new(&c, NULL, NULL);
	b = ban_new(&c, NULL, NULL);
	if (a == NULL || b == NULL || (f = open_memstream(&text, &len)) == NULL)
		abort();
	ban_state_load_buf(a, "fuzz", (const char *)data, size, NOW, NULL);
	if (ban_state_write(a, f) != 0 || fclose(f) != 0)
		abort();
	ban_state_load_buf(b, "again", text, len, NOW, NULL);
	if (ban_stats(a)->records != ban_stats(b)->records)
		abort();
	ban_walk(a, false, check_one, b);
	free(text);
	ban_free(a);
	ban_free(b);
	return 0;
}
