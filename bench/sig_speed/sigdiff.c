/*
 * sigdiff.c - the working tree's signature matcher against the one of an
 * older revision (its sig.c compiled with every public name prefixed old_),
 * on the same signature file and the same messages (those the engine
 * matches: well formed, malformed, or whose header section never ends):
 * sigset_match() must name the signature that trying every one names, the
 * reference's too where sig_match() agrees, and sig_match() must agree for
 * every signature, but for header.NAME's compact forms (sigref.h).
 *
 *	sigdiff MESSAGES SIGFILE	(MESSAGES: SIP messages, each ended by
 *					 a NUL byte, as gen.py writes them)
 *
 * Prints the messages that differ (at most 4) and a count; exit status 1 on
 * any difference. SHOW=1 prints the name of each best match.
 */
#include "sigref.h"

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0 ||
	    (buf = malloc((size_t)n + 1)) == NULL ||
	    fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "sigdiff: %s: cannot read\n", path);
		exit(2);
	}
	fclose(f);
	buf[n] = '\0';
	*len = (size_t)n;
	return buf;
}

static void
show(const char *what, const char *p, size_t n, size_t *bad)
{
	if (++*bad <= 4)
		printf("%s\n%.*s\n", what, (int)(n > 600 ? 600 : n), p);
}

int
main(int argc, char **argv)
{
	struct sigset a = { 0 }, b = { 0 }, xs = { 0 };
	size_t len, sl, xl, off = 0, nmsg = 0, bad = 0, hits = 0;
	char *buf, *sb, *xb, what[256];

	if (argc != 3) {
		fprintf(stderr, "usage: sigdiff MESSAGES SIGFILE\n");
		return 2;
	}
	buf = slurp(argv[1], &len);
	sb = slurp(argv[2], &sl);
	xb = ref_expand_sigs(sb, sl, &xl);
	if (sigset_load(&a, "new", sb, sl, stderr) != 0 ||
	    old_sigset_load(&b, "old", sb, sl, stderr) != 0 ||
	    old_sigset_load(&xs, "old-expanded", xb, xl, stderr) != 0)
		return 2;
	while (off < len) {
		char *p = buf + off;
		size_t n = strlen(p);
		const struct sig *x;
		struct sip_msg m;

		off += n + 1;
		if (sip_parse(&m, p, n) == SIP_ENOTSIP)
			continue;
		nmsg++;
		if (ref_compare(&a, &b, &xs, &m, p, n, sb, sl, what,
		    sizeof(what)) != NULL)
			show(what, p, n, &bad);
		x = sigset_match(&a, &m);
		hits += x != NULL;
		if (x && getenv("SHOW"))
			printf("M %s\n", x->name);
	}
	printf("%zu messages, %zu matched a signature, %zu differences\n",
	    nmsg, hits, bad);
	sigset_free(&a);
	old_sigset_free(&b);
	old_sigset_free(&xs);
	free(buf);
	free(sb);
	free(xb);
	return bad != 0;
}
