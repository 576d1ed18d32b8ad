/*
 * others.c - the same messages through two widely used SIP parsers, for
 * scale: libosip2's osip_message_parse() and sofia-sip's msg_make(), each
 * freeing its result, N times.
 *
 *	others osip|sofia|none N FILE
 *
 * Both allocate and copy what they parse (ghostguard's parser does
 * neither), and both parse every header they know into structures, as
 * sip_parse() does for the ones it reads. The figure is therefore not a
 * like-for-like race; it says where 3x a memchr line split stands among
 * parsers people run. measure.sh's method applies: run under callgrind
 * with two values of N and divide the difference (others.sh does).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <osipparser2/osip_parser.h>
#include <sofia-sip/msg.h>
#include <sofia-sip/sip.h>
#include <sofia-sip/sip_header.h>

static volatile size_t sink;

/* One parse by libosip2; the From and the first Authorization are read
 * back so that nothing is left unparsed by laziness. */
static size_t
osip_one(const char *buf, size_t len)
{
	osip_message_t *m;
	osip_authorization_t *a = NULL;
	size_t r;

	if (osip_message_init(&m) != 0)
		return 0;
	r = osip_message_parse(m, buf, len) == 0;
	osip_message_get_authorization(m, 0, &a);
	r += (m->from != NULL) + (a != NULL);
	osip_message_free(m);
	return r;
}

/* One parse by sofia-sip: msg_make() parses every header it knows. */
static size_t
sofia_one(const char *buf, size_t len)
{
	msg_t *msg = msg_make(sip_default_mclass(), 0, buf, (isize_t)len);
	sip_t *sip = sip_object(msg);
	size_t r;

	r = sip != NULL && sip->sip_from != NULL && sip->sip_error == NULL;
	msg_destroy(msg);
	return r;
}

int
main(int argc, char **argv)
{
	static char buf[65536];
	unsigned long n, i;
	size_t len, ok;
	FILE *f;
	int mode;

	if (argc != 4) {
		fprintf(stderr, "usage: others osip|sofia|none N FILE\n");
		return 2;
	}
	mode = strcmp(argv[1], "osip") == 0 ? 0 :
	    strcmp(argv[1], "sofia") == 0 ? 1 : 2;
	n = strtoul(argv[2], NULL, 10);
	if ((f = fopen(argv[3], "rb")) == NULL) {
		perror(argv[3]);
		return 1;
	}
	len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	parser_init();
	ok = mode == 0 ? osip_one(buf, len) : mode == 1 ?
	    sofia_one(buf, len) : 0;
	printf("%s: %s %s\n", argv[3], argv[1], mode == 2 ? "-" :
	    ok >= (mode == 0 ? 2u : 1u) ? "parsed" : "FAILED");
	fflush(stdout);
	for (i = 0; i < n; i++) {
		__asm__ volatile("" : : "r"(buf) : "memory");
		sink = mode == 0 ? osip_one(buf, len) : mode == 1 ?
		    sofia_one(buf, len) : i;
	}
	return 0;
}
