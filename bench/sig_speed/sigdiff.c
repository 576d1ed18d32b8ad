/*
 * sigdiff.c - the working tree's signature matcher against the one of an
 * older revision (its sig.c compiled with every public name prefixed old_),
 * on the same signature file and the same messages: sigset_match() must
 * name the same signature, and sig_match() must agree for every signature.
 *
 *	sigdiff MESSAGES SIGFILE	(MESSAGES: SIP messages, each ended by
 *					 a NUL byte, as gen.py writes them)
 *
 * Prints the messages that differ (at most 4) and a count; exit status 1 on
 * any difference. SHOW=1 prints the name of each best match.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/sig.h"
#include "sip/sip.h"

const struct sig *old_sigset_match(const struct sigset *s,
		    const struct sip_msg *m);
int		 old_sigset_load(struct sigset *s, const char *name,
		    const char *buf, size_t len, FILE *errs);
bool		 old_sig_match(const struct sig *sig, const struct sip_msg *m);
void		 old_sigset_free(struct sigset *s);

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
	struct sigset a = { 0 }, b = { 0 };
	size_t len, sl, off = 0, nmsg = 0, bad = 0, hits = 0, i;
	char *buf, *sb, what[256];

	if (argc != 3) {
		fprintf(stderr, "usage: sigdiff MESSAGES SIGFILE\n");
		return 2;
	}
	buf = slurp(argv[1], &len);
	sb = slurp(argv[2], &sl);
	if (sigset_load(&a, "new", sb, sl, stderr) != 0 ||
	    old_sigset_load(&b, "old", sb, sl, stderr) != 0)
		return 2;
	while (off < len) {
		char *p = buf + off;
		size_t n = strlen(p);
		const struct sig *x, *y;
		struct sip_msg m;

		off += n + 1;
		if (sip_parse(&m, p, n) != SIP_OK)
			continue;
		nmsg++;
		x = sigset_match(&a, &m);
		y = old_sigset_match(&b, &m);
		hits += x != NULL;
		if (x && getenv("SHOW"))
			printf("M %s\n", x->name);
		if (strcmp(x ? x->name : "-", y ? y->name : "-") != 0) {
			snprintf(what, sizeof(what), "DIFF sigset_match: "
			    "new %s, old %s", x ? x->name : "-",
			    y ? y->name : "-");
			show(what, p, n, &bad);
		}
		for (i = 0; i < a.n; i++)
			if (sig_match(&a.v[i], &m) != old_sig_match(&b.v[i],
			    &m)) {
				snprintf(what, sizeof(what), "DIFF sig_match "
				    "%s", a.v[i].name);
				show(what, p, n, &bad);
			}
	}
	printf("%zu messages, %zu matched a signature, %zu differences\n",
	    nmsg, hits, bad);
	sigset_free(&a);
	old_sigset_free(&b);
	free(buf);
	free(sb);
	return bad != 0;
}
