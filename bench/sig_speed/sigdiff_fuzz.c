/*
 * sigdiff_fuzz.c - libFuzzer target: a signature file and a SIP message
 * from one input (split at its first NUL byte), loaded and matched by the
 * working tree's sig.c and by an older revision's (names prefixed old_, as
 * diff.sh builds it); any difference in the load's error count, the best
 * signature or any signature's sig_match() aborts, but for header.NAME's
 * compact forms (sigref.h).
 */
#include "sigref.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Before 2103626, a number operator on header.NAME or line.NAME called
 * strlen(NULL): such files are left out, the old matcher would crash.
 */
static bool
old_crashes(const char *p, size_t n)
{
	const char *end = p + n, *q;

	for (q = p; q < end; q++)
		if ((end - q > 7 && memcmp(q, "header.", 7) == 0) ||
		    (end - q > 5 && memcmp(q, "line.", 5) == 0)) {
			const char *e = memchr(q, '\n', (size_t)(end - q));
			const char *w;

			for (w = q; w + 4 <= (e ? e : end); w++)
				if (memcmp(w, " eq", 3) == 0 ||
				    memcmp(w, " lt", 3) == 0 ||
				    memcmp(w, " gt", 3) == 0 ||
				    memcmp(w, "\teq", 3) == 0 ||
				    memcmp(w, "\tlt", 3) == 0 ||
				    memcmp(w, "\tgt", 3) == 0)
					return true;
		}
	return false;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *nul = memchr(p, '\0', size);
	struct sigset a = { 0 }, b = { 0 }, xs = { 0 };
	struct sip_msg m;
	size_t sl;

	if (nul == NULL)
		return 0;
	sl = (size_t)(nul - p);
	if (old_crashes(p, sl))
		return 0;
	if (sigset_load(&a, "new", p, sl, NULL) !=
	    old_sigset_load(&b, "old", p, sl, NULL) || a.n != b.n)
		abort();
	if (sip_parse(&m, nul + 1, size - sl - 1) != SIP_ENOTSIP) {
		char what[256], *xb;
		size_t xl;

		xb = ref_expand_sigs(p, sl, &xl);
		(void)old_sigset_load(&xs, "old-expanded", xb, xl, NULL);
		if (ref_compare(&a, &b, &xs, &m, nul + 1, size - sl - 1, p,
		    sl, what, sizeof(what)) != NULL) {
			fprintf(stderr, "%s\n", what);
			abort();
		}
		old_sigset_free(&xs);
		free(xb);
	}
	sigset_free(&a);
	old_sigset_free(&b);
	return 0;
}
