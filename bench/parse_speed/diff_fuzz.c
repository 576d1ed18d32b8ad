/*
 * diff_fuzz.c - differential libFuzzer target: the SIP parser of the working
 * tree against a reference copy of it (an older sip.c/uri.c compiled with
 * its public names prefixed old_, see diff.sh). Every field of struct
 * sip_msg must come out the same, byte for byte, for any input: a faster
 * parser must not be a different one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/sip/sip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum sip_rc	old_sip_parse(struct sip_msg *msg, const char *buf, size_t len);
int		old_sip_uri_parse(struct sip_uri *uri, struct gg_str s);
size_t		old_sip_host_parse(struct gg_str s, struct gg_str *host,
		    uint16_t *port, int *kind);

static void
differ(const char *what, const uint8_t *data, size_t size)
{
	fprintf(stderr, "diff_fuzz: %s differs for %zu bytes: ", what, size);
	fwrite(data, 1, size, stderr);
	fputc('\n', stderr);
	abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sip_msg a, b;
	struct sip_uri ua, ub;
	struct gg_str s = { (const char *)data, size }, ha, hb;
	uint16_t pa, pb;
	int ka, kb;
	size_t na, nb;
	enum sip_rc ra, rb;

	memset(&a, 0x55, sizeof(a));
	memset(&b, 0x55, sizeof(b));
	ra = sip_parse(&a, (const char *)data, size);
	rb = old_sip_parse(&b, (const char *)data, size);
	if (ra != rb || memcmp(&a, &b, sizeof(a)) != 0)
		differ("sip_parse", data, size);
	memset(&ua, 0, sizeof(ua));
	memset(&ub, 0, sizeof(ub));
	if (sip_uri_parse(&ua, s) != old_sip_uri_parse(&ub, s) ||
	    memcmp(&ua, &ub, sizeof(ua)) != 0)
		differ("sip_uri_parse", data, size);
	na = sip_host_parse(s, &ha, &pa, &ka);
	nb = old_sip_host_parse(s, &hb, &pb, &kb);
	if (na != nb || ha.p != hb.p || ha.len != hb.len || pa != pb ||
	    ka != kb)
		differ("sip_host_parse", data, size);
	return 0;
}
