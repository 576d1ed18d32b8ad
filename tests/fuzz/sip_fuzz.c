/*
 * sip_fuzz.c - libFuzzer target for sip_parse() (src/sip/sip.h).
 *
 * Parses the input, then every message after it the way a stream reader
 * would, and touches each byte of a few slices so ASan sees any that point
 * outside the input. sip_peek_status must say the status sip_parse sets
 * (analyze shards payloads by it).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "../../src/sip/sip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned
touch(struct gg_str s)
{
	unsigned h = 0;
	size_t i;

	for (i = 0; i < s.len; i++)
		h += (unsigned char)s.p[i];
	return h;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	struct sip_msg m;
	volatile unsigned sink = 0;

	sip_parse(&m, p, size);
	if (sip_peek_status(p, size) != m.status)
		abort();
	while (sip_parse(&m, p, size) == SIP_OK && m.msg_len > 0 &&
	    m.msg_len <= size) {
		sink += touch(m.ruri.host) + touch(m.via.branch) +
		    touch(m.from.tag) + touch(m.to.uri.user) +
		    touch(m.contact.display) + touch(m.call_id) +
		    touch(m.auth.username) + touch(m.body);
		p += m.msg_len;
		size -= m.msg_len;
	}
	sink += touch(m.method) + touch(m.via.raw) + touch(m.from.raw);
	(void)sink;
	return 0;
}
