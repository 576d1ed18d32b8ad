/*
 * conf_fuzz.c - the config and signature parsers on arbitrary bytes.
 */
#include <stdio.h>

#include "../../src/conf/conf.h"
#include "../../src/engine/sig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *null;
	struct gg_conf c;
	struct sigset s = { 0 };

	if (null == NULL && (null = fopen("/dev/null", "w")) == NULL)
		return 0;
	conf_init(&c);
	c.no_resolve = true;	/* random words must not become DNS queries */
	conf_load_buf(&c, "fuzz", (const char *)data, size, NULL);
	conf_print(&c, null);
	conf_fini(&c);
	sigset_load(&s, "fuzz", (const char *)data, size, NULL);
	sigset_free(&s);
	return 0;
}
