/*
 * sigref.h - what sigdiff.c and sigdiff_fuzz.c share: the reference
 * matcher's names (an older sig.c, every public name prefixed old_) and
 * the one difference between them that is meant.
 *
 * Since d4, header.NAME finds a line in either form of the name, compact
 * or long (header.via a "v:" line, header.v a "Via:" line); the reference
 * reads the name as written. Where they differ, the reference is asked
 * again with the compact names of the message and of the file's header.
 * fields written long (ref_expand_msg(), ref_expand_sigs()): the answer
 * must be one of the two.
 */
#ifndef SIGREF_H
#define SIGREF_H

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

/*
 * A copy of p (n bytes) with every header line whose name is a compact
 * form ("v:", "v :") renamed to the long form, up to the first empty
 * line; *len is set. Lines that continue a value are left alone.
 */
static char *
ref_expand_msg(const char *p, size_t n, size_t *len)
{
	char *o = malloc(n * 20 + 1);
	const char *end = p + n, *nl;
	size_t k = 0;
	bool first = true;

	if (o == NULL)
		abort();
	while (p < end) {
		size_t ll;
		const char *lng = NULL, *q = p + 1;

		nl = memchr(p, '\n', (size_t)(end - p));
		ll = (size_t)((nl ? nl + 1 : end) - p);
		while (q < end && (*q == ' ' || *q == '\t'))
			q++;
		if (!first && q < end && *q == ':')
			lng = sip_compact_name(*p);
		if (lng != NULL) {
			memcpy(o + k, lng, strlen(lng));
			k += strlen(lng);
			memcpy(o + k, p + 1, ll - 1);
			k += ll - 1;
		} else {
			memcpy(o + k, p, ll);
			k += ll;
		}
		first = false;
		if (ll == 1 || (ll == 2 && *p == '\r')) {
			memcpy(o + k, p + ll, (size_t)(end - p - ll));
			k += (size_t)(end - p - ll);
			break;
		}
		p += ll;
	}
	o[k] = '\0';
	*len = k;
	return o;
}

/* A copy of the signature file with every "header.X" field (X one letter
 * of a compact form, then a blank) written "header.LONG". */
static char *
ref_expand_sigs(const char *p, size_t n, size_t *len)
{
	char *o = malloc(n * 20 + 1);
	size_t i, k = 0;

	if (o == NULL)
		abort();
	for (i = 0; i < n; i++) {
		const char *lng;

		o[k++] = p[i];
		if (i + 9 <= n && memcmp(p + i, "header.", 7) == 0 &&
		    (i == 0 || p[i - 1] == ' ' || p[i - 1] == '\t') &&
		    (p[i + 8] == ' ' || p[i + 8] == '\t') &&
		    (lng = sip_compact_name(p[i + 7])) != NULL) {
			memcpy(o + k - 1, "header.", 7);
			k += 6;
			memcpy(o + k, lng, strlen(lng));
			k += strlen(lng);
			i += 7;
		}
	}
	o[k] = '\0';
	*len = k;
	return o;
}

/*
 * Does the signature that starts at line 'line' of file f (n bytes) test
 * both header.NAME and line.NAME? The expanded message changes what
 * line.NAME reads, so neither reference answer need be the new one: such
 * a signature is not compared where the two references differ.
 */
static bool
ref_mixed(const char *f, size_t n, unsigned line)
{
	const char *p = f, *end = f + n, *nl;
	bool hdr = false, raw = false;
	unsigned l = 1;

	for (; p < end && l < line; l++)
		p = (nl = memchr(p, '\n', (size_t)(end - p))) ? nl + 1 : end;
	for (; p < end; p = nl ? nl + 1 : end, l++) {
		size_t ll;

		nl = memchr(p, '\n', (size_t)(end - p));
		ll = (size_t)((nl ? nl : end) - p);
		if (l > line && ll > 0 && p[0] != ' ' && p[0] != '\t' &&
		    p[0] != '#')
			break;
		hdr |= memmem(p, ll, "header.", 7) != NULL;
		raw |= memmem(p, ll, "line.", 5) != NULL;
	}
	return hdr && raw;
}

/*
 * Does the working tree's sig_match() on m agree with the reference, on m
 * or else on the expanded message xm (parsed; NULL: none) with the
 * expanded file xs (NULL: none)? f is the signature file (n bytes).
 */
static bool
ref_agrees(const struct sigset *a, const struct sigset *b,
    const struct sigset *xs, const struct sip_msg *m,
    const struct sip_msg *xm, size_t i, const char *f, size_t n)
{
	bool v = sig_match(&a->v[i], m);

	if (v == old_sig_match(&b->v[i], m))
		return true;
	if (xs != NULL && xm != NULL && xs->n == a->n &&
	    v == old_sig_match(&xs->v[i], xm))
		return true;
	return ref_mixed(f, n, a->v[i].line);
}

/* sigset_match() as it is meant: the first of the highest confidence
 * among the signatures sig_match() says match. */
static const struct sig *
ref_best(const struct sigset *a, const struct sip_msg *m)
{
	const struct sig *best = NULL;
	size_t i;

	for (i = 0; i < a->n; i++)
		if ((best == NULL || a->v[i].confidence > best->confidence) &&
		    sig_match(&a->v[i], m))
			best = &a->v[i];
	return best;
}

/*
 * Compares the matchers on message p (n bytes, parsed into m) with the
 * file f (fl bytes) loaded by the working tree's sig.c as a, by the
 * reference as b and, expanded, as xs: every sig_match() must agree
 * (ref_agrees()), and sigset_match() must name the best by trying every
 * signature, and the reference's where all agree on m. Returns NULL, or
 * what differs first, written into what.
 */
static const char *
ref_compare(const struct sigset *a, const struct sigset *b,
    const struct sigset *xs, const struct sip_msg *m, const char *p,
    size_t n, const char *f, size_t fl, char *what, size_t wl)
{
	const struct sig *x, *y;
	const char *r = NULL;
	char *xp = NULL;
	struct sip_msg xm;
	size_t i, xn;
	bool same = true, xparsed = false;

	if (m->compact) {
		xp = ref_expand_msg(p, n, &xn);
		xparsed = sip_parse(&xm, xp, xn) != SIP_ENOTSIP;
	}
	for (i = 0; i < a->n && r == NULL; i++) {
		if (sig_match(&a->v[i], m) == old_sig_match(&b->v[i], m))
			continue;
		same = false;
		if (!ref_agrees(a, b, xs, m, !m->compact ? m : xparsed ? &xm :
		    NULL, i, f, fl)) {
			snprintf(what, wl, "DIFF sig_match %s", a->v[i].name);
			r = what;
		}
	}
	free(xp);
	if (r != NULL)
		return r;
	x = sigset_match(a, m);
	y = same ? old_sigset_match(b, m) : ref_best(a, m);
	if (x != ref_best(a, m) || strcmp(x ? x->name : "-",
	    y ? y->name : "-") != 0) {
		snprintf(what, wl, "DIFF sigset_match: new %s, old %s",
		    x ? x->name : "-", y ? y->name : "-");
		return what;
	}
	return NULL;
}

#endif /* SIGREF_H */
