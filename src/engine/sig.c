/*
 * sig.c - loading and matching signatures (see sig.h for the file format).
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sig.h"

#define SHAPE_MAX_TOK	48	/* tokens in one shape pattern */
#define SHAPE_MAX_LEN	1024	/* longest field a shape is tried on */
#define ORDER_MAX	SIP_ORDER_MAX
_Static_assert(ORDER_MAX % 8 == 0, "order_match() reads 8 ids at a time");
#define MEMO_ATOMS	1024	/* distinct conditions memoised per message */
#define ATOM_NONE	UINT16_MAX

enum sig_field {
	F_METHOD, F_RURI, F_RURI_USER, F_RURI_HOST, F_RURI_SCHEME,
	F_FROM, F_FROM_DISPLAY, F_FROM_USER, F_FROM_HOST, F_FROM_TAG,
	F_TO, F_TO_DISPLAY, F_TO_USER, F_TO_HOST, F_TO_TAG,
	F_CONTACT, F_CONTACT_USER, F_CONTACT_HOST,
	F_VIA, F_VIA_HOST, F_VIA_PORT, F_VIA_TRANSPORT, F_VIA_BRANCH,
	F_CALL_ID, F_CSEQ, F_CSEQ_METHOD, F_USER_AGENT, F_SERVER,
	F_MAX_FORWARDS, F_CONTENT_LENGTH, F_EXPIRES, F_ORDER, F_AUTH_USER,
	F_STATUS, F_HDR_COUNT,
	F_HEADER,		/* header.NAME: value of any header */
	F_LINE,			/* line.NAME: the whole raw header line */
	F_MAX
};

static const char *const sig_field_names[F_MAX] = {
	"method", "ruri", "ruri.user", "ruri.host", "ruri.scheme",
	"from", "from.display", "from.user", "from.host", "from.tag",
	"to", "to.display", "to.user", "to.host", "to.tag",
	"contact", "contact.user", "contact.host",
	"via", "via.host", "via.port", "via.transport", "via.branch",
	"call-id", "cseq", "cseq.method", "user-agent", "server",
	"max-forwards", "content-length", "expires", "order",
	"auth.username", "status", "header-count", NULL, NULL,
};

enum sig_op {
	OP_IS, OP_CONTAINS, OP_PREFIX, OP_SUFFIX, OP_SHAPE, OP_PRESENT,
	OP_ABSENT, OP_EQ, OP_LT, OP_GT, OP_EXACT, OP_SAME, OP_IN
};

static const char *const sig_op_names[] = {
	"is", "contains", "prefix", "suffix", "shape", "present", "absent",
	"eq", "lt", "gt", "exact", "same", "in",
};

/* One element of a compiled shape: a set of bytes repeated min..max times. */
struct shape_tok {
	uint64_t	set[4];	/* bit b: byte b is in the class */
	uint16_t	min;	/* fewest repetitions */
	uint16_t	max;	/* most repetitions */
};

struct sig_cond {
	enum sig_field	 field;
	enum sig_op	 op;
	char		*arg;		/* string argument, NUL-terminated */
	size_t		 arglen;
	long long	 num;		/* numeric argument */
	enum sig_field	 field2;	/* the other field, for same and in */
	char		*hname;		/* NAME of header.NAME, line.NAME */
	size_t		 hlen;
	const char	*halt;		/* header.NAME: the other form of the
					 * name (compact or long), or NULL */
	size_t		 halen;
	struct shape_tok *shape;	/* compiled shape */
	size_t		 nshape;
	char		*lit;		/* a shape's fixed leading bytes, or an
					 * exact literal, lower-cased (an
					 * anchored fast pattern) */
	size_t		 litlen;
	size_t		 shape_min;	/* shortest field the shape matches */
	size_t		 shape_max;	/* longest */
	bool		 greedy;	/* the shape matches greedily (see
					 * shape_is_greedy) */
	uint16_t	 atom;		/* id shared by identical conditions of
					 * the set, for the per-message memo;
					 * ATOM_NONE: not memoised */
	uint8_t		 order[ORDER_MAX]; /* header ids, for F_ORDER */
	size_t		 norder;
};

static bool
in_set(const struct shape_tok *t, unsigned char c)
{
	return (t->set[c >> 6] >> (c & 63)) & 1;
}

static void
set_range(struct shape_tok *t, unsigned lo, unsigned hi)
{
	unsigned c;

	for (c = lo; c <= hi; c++)
		t->set[c >> 6] |= 1ULL << (c & 63);
}

/* Adds the bytes of class letter cls (D H L U A X W .) to t. */
static void
set_class(struct shape_tok *t, char cls)
{
	switch (cls) {
	case 'D':
		set_range(t, '0', '9');
		break;
	case 'H':
		set_range(t, '0', '9');
		set_range(t, 'a', 'f');
		set_range(t, 'A', 'F');
		break;
	case 'L':
		set_range(t, 'a', 'z');
		break;
	case 'U':
		set_range(t, 'A', 'Z');
		break;
	case 'W':
		set_range(t, '_', '_');
		/* FALLTHROUGH */
	case 'X':
		set_range(t, '0', '9');
		/* FALLTHROUGH */
	case 'A':
		set_range(t, 'a', 'z');
		set_range(t, 'A', 'Z');
		break;
	default:
		set_range(t, 0, 255);
		break;
	}
}

/*
 * Parses a bracket set at *pp ("[36]", "[0-9a-z]", "[^;]"); returns -1 when
 * it is not closed.
 */
static int
shape_set(const char **pp, struct shape_tok *t)
{
	const char *p = *pp + 1;
	bool neg = false;
	unsigned i;

	if (*p == '^') {
		neg = true;
		p++;
	}
	while (*p && *p != ']') {
		unsigned char lo = (unsigned char)*p, hi = lo;

		if (*p == '\\' && p[1])
			lo = hi = (unsigned char)*++p;
		if (p[1] == '-' && p[2] && p[2] != ']') {
			hi = (unsigned char)p[2];
			p += 2;
		}
		if (hi < lo)
			return -1;
		set_range(t, lo, hi);
		p++;
	}
	if (*p != ']')
		return -1;
	if (neg)
		for (i = 0; i < 4; i++)
			t->set[i] = ~t->set[i];
	*pp = p + 1;
	return 0;
}

/* Parses a repetition suffix at *pp into min/max. */
static int
shape_rep(const char **pp, uint16_t *min, uint16_t *max)
{
	const char *p = *pp;
	char *end;
	unsigned long a, b;

	*min = *max = 1;
	if (*p == '+' || *p == '*') {
		*min = *p == '+' ? 1 : 0;
		*max = SHAPE_MAX_LEN;
		*pp = p + 1;
		return 0;
	}
	if (*p != '{')
		return 0;
	a = strtoul(p + 1, &end, 10);
	if (end == p + 1 || a > SHAPE_MAX_LEN)
		return -1;
	b = a;
	if (*end == ',') {
		const char *q = end + 1;

		b = strtoul(q, &end, 10);
		if (end == q || b > SHAPE_MAX_LEN || b < a)
			return -1;
	}
	if (*end != '}')
		return -1;
	*min = (uint16_t)a;
	*max = (uint16_t)b;
	*pp = end + 1;
	return 0;
}

/* Compiles pat into at most max tokens; returns the count or -1. */
static int
shape_compile(const char *pat, struct shape_tok *t, size_t max)
{
	const char *p = pat;
	size_t n = 0;

	while (*p) {
		if (n == max)
			return -1;
		memset(&t[n], 0, sizeof(t[n]));
		if (strchr("DHLUAXW.", *p)) {
			set_class(&t[n], *p++);
		} else if (*p == '[') {
			if (shape_set(&p, &t[n]) != 0)
				return -1;
		} else {
			if (*p == '\\' && p[1])
				p++;
			set_range(&t[n], (unsigned char)*p, (unsigned char)*p);
			p++;
		}
		if (shape_rep(&p, &t[n].min, &t[n].max) != 0)
			return -1;
		n++;
	}
	return (int)n;
}

/*
 * Runs the compiled shape over s in O(tokens * len): reach[i] says the
 * tokens so far can consume exactly the first i bytes. A token of class C
 * repeated min..max extends i to j when every byte in [i, j) is in C and
 * min <= j - i <= max; prefix sums of reach make each step linear.
 */
static bool
shape_run(const struct shape_tok *t, size_t nt, struct gg_str s)
{
	uint8_t reach[SHAPE_MAX_LEN + 1], next[SHAPE_MAX_LEN + 1];
	uint16_t sum[SHAPE_MAX_LEN + 2];
	size_t i, j, k, len = s.len;

	if (len > SHAPE_MAX_LEN)
		return false;
	memset(reach, 0, len + 1);
	reach[0] = 1;
	for (k = 0; k < nt; k++) {
		size_t bad = 0;	/* first i such that [i, j) is all in class */

		sum[0] = 0;
		for (i = 0; i <= len; i++)
			sum[i + 1] = (uint16_t)(sum[i] + reach[i]);
		for (j = 0; j <= len; j++) {
			size_t lo, hi;

			if (j > 0 && !in_set(&t[k], (unsigned char)s.p[j - 1]))
				bad = j;
			next[j] = 0;
			if (j < t[k].min)
				continue;
			hi = j - t[k].min;
			lo = j >= t[k].max ? j - t[k].max : 0;
			if (lo < bad)
				lo = bad;
			if (lo <= hi && sum[hi + 1] - sum[lo] > 0)
				next[j] = 1;
		}
		memcpy(reach, next, len + 1);
	}
	return reach[len] != 0;
}

/*
 * The bytes every match of a shape starts with (its leading tokens of one
 * fixed byte), lower-cased, or NULL when fewer than two: "z9hG4bK-D+" gives
 * "z9hg4bk-".
 */
static char *
shape_literal(const struct shape_tok *t, size_t nt)
{
	char buf[SHAPE_MAX_TOK + 1];
	size_t k, n = 0;

	for (k = 0; k < nt && t[k].min == 1 && t[k].max == 1; k++) {
		unsigned c, one = 256, count = 0;

		for (c = 0; c < 256 && count < 2; c++)
			if (in_set(&t[k], (unsigned char)c)) {
				one = c;
				count++;
			}
		if (count != 1)
			break;
		buf[n++] = (char)(one >= 'A' && one <= 'Z' ? one + 32 : one);
	}
	if (n < 2)
		return NULL;
	buf[n] = '\0';
	return strdup(buf);
}

/* True when no byte is in both token sets. */
static bool
sets_disjoint(const struct shape_tok *a, const struct shape_tok *b)
{
	return ((a->set[0] & b->set[0]) | (a->set[1] & b->set[1]) |
	    (a->set[2] & b->set[2]) | (a->set[3] & b->set[3])) == 0;
}

/*
 * Can the shape be matched greedily, each token taking the longest run of
 * its bytes (up to its maximum)? Yes when every token of variable width
 * but the last is followed by a token of at least one byte from a disjoint
 * set ("D+-D+@.+", "D+SIPpTagD+"): a shorter run would leave the next byte
 * to a token that cannot take it, so the longest run is the only one that
 * can lead to a match.
 */
static bool
shape_is_greedy(const struct shape_tok *t, size_t nt)
{
	size_t k;

	for (k = 0; k + 1 < nt; k++)
		if (t[k].min != t[k].max && (t[k + 1].min == 0 ||
		    !sets_disjoint(&t[k], &t[k + 1])))
			return false;
	return true;
}

/* The greedy match of a shape for which shape_is_greedy() holds: linear. */
static bool
shape_greedy_run(const struct shape_tok *t, size_t nt, struct gg_str s)
{
	size_t k, i = 0;

	for (k = 0; k < nt; k++) {
		size_t start = i, lim = s.len - i > t[k].max ? i + t[k].max :
		    s.len;

		while (i < lim && in_set(&t[k], (unsigned char)s.p[i]))
			i++;
		if (i - start < t[k].min)
			return false;
	}
	return i == s.len;
}

/*
 * shape_run with cheap rejections first: the leading tokens of fixed width
 * ("z9hG4bK-", "[36]H") are compared byte by byte, which rejects nearly
 * every field at once; a greedy shape needs no dynamic programming at all.
 */
static bool
shape_match(const struct shape_tok *t, size_t nt, bool greedy,
    struct gg_str s)
{
	size_t k, i = 0, j;

	for (k = 0; k < nt && t[k].min == t[k].max; k++) {
		for (j = 0; j < t[k].min; j++, i++)
			if (i >= s.len || !in_set(&t[k],
			    (unsigned char)s.p[i]))
				return false;
	}
	if (k == nt)
		return i == s.len;
	/* One token left is greedy whatever it is; the dynamic programming
	 * has a ceiling on the length, which the greedy run keeps. */
	if (k == nt - 1 || (greedy && s.len <= SHAPE_MAX_LEN))
		return shape_greedy_run(t + k, nt - k,
		    (struct gg_str){ s.p + i, s.len - i });
	return shape_run(t, nt, s);
}

bool
sig_shape_match(const char *pat, struct gg_str s)
{
	struct shape_tok t[SHAPE_MAX_TOK];
	int n = shape_compile(pat, t, SHAPE_MAX_TOK);

	return n >= 0 && shape_match(t, (size_t)n,
	    shape_is_greedy(t, (size_t)n), s);
}

/* Returns the field of m as a string and, where it has one, a number.
 * Inlined: the index's look-ups need only the string. */
static inline __attribute__((always_inline)) bool
field_get(const struct sip_msg *m, enum sig_field f, struct gg_str *s,
    long long *num)
{
	*num = -1;
	*s = GG_STR_NULL;
	switch (f) {
	case F_METHOD:		*s = m->method; break;
	case F_RURI:		*s = m->ruri_raw; break;
	case F_RURI_USER:	*s = m->ruri.user; break;
	case F_RURI_HOST:	*s = m->ruri.host; break;
	case F_RURI_SCHEME:	*s = m->ruri.scheme; break;
	case F_FROM:		*s = m->from.raw; break;
	case F_FROM_DISPLAY:	*s = m->from.display; break;
	case F_FROM_USER:	*s = m->from.uri.user; break;
	case F_FROM_HOST:	*s = m->from.uri.host; break;
	case F_FROM_TAG:
		if (!m->from.has_tag)
			return false;
		*s = m->from.tag;
		return true;
	case F_TO:		*s = m->to.raw; break;
	case F_TO_DISPLAY:	*s = m->to.display; break;
	case F_TO_USER:		*s = m->to.uri.user; break;
	case F_TO_HOST:		*s = m->to.uri.host; break;
	case F_TO_TAG:
		if (!m->to.has_tag)
			return false;
		*s = m->to.tag;
		return true;
	case F_CONTACT:		*s = m->contact.raw; break;
	case F_CONTACT_USER:	*s = m->contact.uri.user; break;
	case F_CONTACT_HOST:	*s = m->contact.uri.host; break;
	case F_VIA:		*s = m->via.raw; break;
	case F_VIA_HOST:	*s = m->via.host; break;
	case F_VIA_PORT:
		*num = m->via.port;
		return m->via.present;
	case F_VIA_TRANSPORT:	*s = m->via.transport; break;
	case F_VIA_BRANCH:
		if (!m->via.has_branch)
			return false;
		*s = m->via.branch;
		return true;
	case F_CALL_ID:		*s = m->call_id; break;
	case F_CSEQ:
		*num = m->cseq;
		return m->cseq_method.len > 0;
	case F_CSEQ_METHOD:	*s = m->cseq_method; break;
	case F_USER_AGENT:	*s = m->user_agent; break;
	case F_SERVER:		*s = m->server; break;
	case F_MAX_FORWARDS:
		*num = m->max_forwards;
		return m->max_forwards >= 0;
	case F_CONTENT_LENGTH:
		*num = m->content_length;
		return m->content_length >= 0;
	case F_EXPIRES:
		*num = m->expires;
		return m->expires >= 0;
	case F_AUTH_USER:	*s = m->auth.username; break;
	case F_STATUS:
		*num = m->status;
		return !m->is_request;
	case F_HDR_COUNT:
		*num = m->hdr_count;
		return true;
	case F_ORDER:
	case F_HEADER:
	case F_LINE:
	case F_MAX:
		return true;
	}
	return s->len > 0;
}

#define LC_ARENA	2048	/* bytes of lower-cased fields per message */

/*
 * What matching one message has worked out so far. String fields are
 * lower-cased once, so that each of the many case-insensitive comparisons
 * is a memcmp or memmem (a field that does not fit the arena is compared
 * the slow way), and each distinct condition of the set (an atom) is
 * evaluated once: several signatures test the same branch shape.
 */
struct lc_cache {
	uint64_t	 tried;		/* bit per field: looked at */
	uint64_t	 known[MEMO_ATOMS / 64]; /* bit per atom: evaluated */
	uint64_t	 val[MEMO_ATOMS / 64];	/* its result, where known */
	struct gg_str	 v[F_MAX];	/* lower-cased copy, p NULL: none */
	size_t		 used;		/* bytes of arena used */
	char		 arena[LC_ARENA];
};

/* Starts a message: nothing lowered, the first natoms atoms unknown. */
static void
lc_init(struct lc_cache *lc, size_t natoms)
{
	lc->tried = 0;
	lc->used = 0;
	/* A set of signature files has a hundred atoms or so: two stores,
	 * not a call of memset() (gcc makes one of a loop). */
	lc->known[0] = lc->known[1] = 0;
	if (natoms > 128)
		memset(lc->known + 2, 0, ((natoms + 63) / 64 - 2) *
		    sizeof(lc->known[0]));
}

/* Records the result of atom a. */
static void
memo_set(struct lc_cache *lc, uint16_t a, bool v)
{
	uint64_t bit = 1ULL << (a & 63);

	lc->known[a >> 6] |= bit;
	lc->val[a >> 6] = v ? lc->val[a >> 6] | bit : lc->val[a >> 6] & ~bit;
}

/* ASCII lower case of every byte, a load instead of a compare and a
 * branch: the anchored look-ups lower two bytes of a dozen fields a
 * message. */
#define LC1(c)	((unsigned char)((c) >= 'A' && (c) <= 'Z' ? (c) + 32 : (c)))
#define LC4(c)	LC1(c), LC1((c) + 1), LC1((c) + 2), LC1((c) + 3)
#define LC16(c)	LC4(c), LC4((c) + 4), LC4((c) + 8), LC4((c) + 12)
#define LC64(c)	LC16(c), LC16((c) + 16), LC16((c) + 32), LC16((c) + 48)
static const unsigned char lower_tab[256] = {
	LC64(0), LC64(64), LC64(128), LC64(192)
};
#undef LC64
#undef LC16
#undef LC4
#undef LC1

/* Lower-cases 8 ASCII bytes at once: a byte gets 0x20 added when it lies
 * in 'A'..'Z' (bytes >= 0x80 are left alone). */
static uint64_t
lower8(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101ULL;
	uint64_t ascii = ~w & (ones * 0x80);
	uint64_t ge_a = (w & (ones * 0x7f)) + ones * (0x80 - 'A');
	uint64_t gt_z = (w & (ones * 0x7f)) + ones * (0x80 - 'Z' - 1);
	uint64_t upper = ge_a & ~gt_z & ascii;

	return w | (upper >> 2);
}

static struct gg_str
lc_get(struct lc_cache *lc, enum sig_field f, struct gg_str s)
{
	char *d = lc->arena + lc->used;
	size_t i = 0;

	if (lc->tried & (1ULL << f))
		return lc->v[f];
	lc->tried |= 1ULL << f;
	lc->v[f] = GG_STR_NULL;
	if (s.len > LC_ARENA - lc->used)
		return lc->v[f];
	for (; i + 8 <= s.len; i += 8) {
		uint64_t w;

		memcpy(&w, s.p + i, 8);
		w = lower8(w);
		memcpy(d + i, &w, 8);
	}
	for (; i < s.len; i++) {
		unsigned char c = (unsigned char)s.p[i];

		d[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
	lc->v[f] = (struct gg_str){ d, s.len };
	lc->used += s.len;
	return lc->v[f];
}

/* A string operator on a field, with the lower-cased copy when there is
 * one (c->arg is lower-cased at load). */
static bool
str_op(const struct sig_cond *c, struct gg_str s, struct gg_str l)
{
	if (l.p == NULL && s.len > 0) {
		switch (c->op) {
		case OP_IS:
			return gg_str_caseeq(s, c->arg);
		case OP_CONTAINS:
			return gg_str_casestr(s, c->arg, c->arglen);
		case OP_PREFIX:
			return gg_str_caseprefix(s, c->arg);
		default:
			return s.len >= c->arglen && gg_str_caseeq((struct
			    gg_str){ s.p + s.len - c->arglen, c->arglen },
			    c->arg);
		}
	}
	if (l.len < c->arglen)
		return false;
	switch (c->op) {
	case OP_IS:
		return l.len == c->arglen && memcmp(l.p, c->arg, l.len) == 0;
	case OP_CONTAINS:
		return c->arglen == 0 ||
		    memmem(l.p, l.len, c->arg, c->arglen) != NULL;
	case OP_PREFIX:
		return memcmp(l.p, c->arg, c->arglen) == 0;
	default:
		return memcmp(l.p + l.len - c->arglen, c->arg,
		    c->arglen) == 0;
	}
}

/* The other form of header name n (compact or long, sip_compact_name())
 * and its length in *alen, or NULL. */
static const char *
header_alias(const char *n, size_t len, size_t *alen)
{
	static const char letters[] = "abcdefghijklmnopqrstuvwxyz";
	const char *l;
	size_t i;

	*alen = 0;
	if (len == 1) {
		if ((l = sip_compact_name(*n)) != NULL)
			*alen = strlen(l);
		return l;
	}
	for (i = 0; i < 26; i++)
		if ((l = sip_compact_name(letters[i])) != NULL &&
		    strlen(l) == len && strncasecmp(l, n, len) == 0) {
			*alen = 1;	/* the letter alone, not a string */
			return &letters[i];
		}
	return NULL;
}

/* If the line [p, e) is called name (case-insensitive, blanks allowed
 * before the ':'), the byte after its ':', else NULL. */
static const char *
line_named(const char *p, const char *e, const char *name, size_t nlen)
{
	const char *q = p + nlen;

	if ((size_t)(e - p) <= nlen || strncasecmp(p, name, nlen) != 0)
		return NULL;
	while (q < e && (*q == ' ' || *q == '\t'))
		q++;
	return q < e && *q == ':' ? q + 1 : NULL;
}

/*
 * Finds the first header line called name, or alt (its other form, for
 * header.NAME; alen 0: none), in the raw header section of m and returns
 * its value, or with whole the line without its line end. The section
 * runs from the start line to the body, which the parser puts at the end
 * of the buffer when the section never ends (no empty line): such a
 * message's lines are read too. Costs a scan of the header section:
 * signatures put such a match after cheaper ones.
 */
static bool
raw_header(const struct sip_msg *m, const char *name, size_t nlen,
    const char *alt, size_t alen, bool whole, struct gg_str *out)
{
	const char *p = m->is_request ? m->method.p : m->version.p;
	const char *end = m->body.p;
	unsigned char c0 = lower_tab[(unsigned char)name[0]];
	unsigned char c1 = alen ? lower_tab[(unsigned char)alt[0]] : c0;

	if (p == NULL || end == NULL || end <= p)
		return false;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t ll = (size_t)((nl ? nl : end) - p);
		unsigned char f = lower_tab[(unsigned char)*p];
		const char *q = NULL, *e;

		if (ll && p[ll - 1] == '\r')
			ll--;
		e = p + ll;
		if (f == c0)
			q = line_named(p, e, name, nlen);
		if (q == NULL && alen && f == c1)
			q = line_named(p, e, alt, alen);
		if (q != NULL) {
			if (whole) {
				*out = (struct gg_str){ p, ll };
				return true;
			}
			while (q < e && (*q == ' ' || *q == '\t'))
				q++;
			*out = (struct gg_str){ q, (size_t)(e - q) };
			return true;
		}
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	return false;
}

static bool
order_match(const struct sig_cond *c, const struct sip_msg *m)
{
	size_t i, have = m->hdr_count < ORDER_MAX ? m->hdr_count : ORDER_MAX;

	if (c->norder > have)
		return false;
	if (c->op == OP_IS && m->hdr_count != c->norder)
		return false;
	/* Eight header ids a compare (both arrays hold ORDER_MAX, a
	 * multiple of 8), the last word masked by a table of leading 0xff
	 * bytes: the same in either byte order. */
	for (i = 0; i + 8 <= c->norder; i += 8)
		if (memcmp(m->hdr_order + i, c->order + i, 8) != 0)
			return false;
	if (i < c->norder) {
		static const uint8_t lead[8][8] = {
			{ 0 }, { 0xff }, { 0xff, 0xff }, { 0xff, 0xff, 0xff },
			{ 0xff, 0xff, 0xff, 0xff },
			{ 0xff, 0xff, 0xff, 0xff, 0xff },
			{ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
			{ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
		};
		uint64_t a, b, k;

		memcpy(&a, m->hdr_order + i, 8);
		memcpy(&b, c->order + i, 8);
		memcpy(&k, lead[c->norder - i], 8);
		if ((a ^ b) & k)
			return false;
	}
	return true;
}

static bool
cond_match(const struct sig_cond *c, const struct sip_msg *m,
    struct lc_cache *lc)
{
	struct gg_str s, s2;
	long long num, num2;
	bool present;

	if (c->field == F_ORDER)
		return order_match(c, m);
	if (c->field == F_HEADER || c->field == F_LINE) {
		present = raw_header(m, c->hname, c->hlen, c->halt, c->halen,
		    c->field == F_LINE, &s);
		num = -1;
		/* Raw lines are not cached: compare case-insensitively. A
		 * number operator (no string argument) falls through: a
		 * header has no number, as for any string field. */
		if (present && (c->op == OP_IS || c->op == OP_CONTAINS ||
		    c->op == OP_PREFIX || c->op == OP_SUFFIX))
			return str_op(c, s, GG_STR_NULL);
	} else {
		present = field_get(m, c->field, &s, &num);
	}
	switch (c->op) {
	case OP_PRESENT:
		return present;
	case OP_ABSENT:
		return !present;
	case OP_EQ:
		return present && num == c->num;
	case OP_LT:
		return present && num >= 0 && num < c->num;
	case OP_GT:
		return present && num > c->num;
	default:
		break;
	}
	if (!present)
		return false;
	switch (c->op) {
	case OP_EXACT:
		return s.len == c->arglen && memcmp(s.p, c->arg, s.len) == 0;
	case OP_SAME:
	case OP_IN:
		if (!field_get(m, c->field2, &s2, &num2) || s2.len == 0 ||
		    s.len == 0)
			return false;
		if (c->op == OP_SAME)
			return s.len == s2.len && gg_str_casestr(s2, s.p,
			    s.len);
		return gg_str_casestr(s2, s.p, s.len);
	case OP_CONTAINS:
		return str_op(c, s, lc_get(lc, c->field, s));
	case OP_IS:
		/* Lengths differ for nearly every field: no need to lower. */
		return s.len == c->arglen && gg_str_caseeq(s, c->arg);
	case OP_PREFIX:
		return s.len >= c->arglen && gg_str_caseprefix(s, c->arg);
	case OP_SUFFIX:
		return s.len >= c->arglen && gg_str_caseeq((struct gg_str){
		    s.p + s.len - c->arglen, c->arglen }, c->arg);
	case OP_SHAPE:
		/* Most fields are rejected on their length alone. */
		if (s.len < c->shape_min || s.len > c->shape_max)
			return false;
		return shape_match(c->shape, c->nshape, c->greedy, s);
	default:
		return false;
	}
}

/* cond_match through the memo. */
static bool
cond_eval(const struct sig_cond *c, const struct sip_msg *m,
    struct lc_cache *lc)
{
	uint16_t a = c->atom;
	bool v;

	if (a == ATOM_NONE)
		return cond_match(c, m, lc);
	if ((lc->known[a >> 6] >> (a & 63)) & 1)
		return (lc->val[a >> 6] >> (a & 63)) & 1;
	v = cond_match(c, m, lc);
	memo_set(lc, a, v);
	return v;
}

static bool
sig_match_lc(const struct sig *sig, const struct sip_msg *m,
    struct lc_cache *lc, const uint64_t *amask)
{
	size_t i;

	if (sig->requests_only && !m->is_request)
		return false;
	/* A condition the fast patterns already found false (a branch of
	 * the wrong length) rejects the signature before the cheaper ones
	 * that come first are evaluated. */
	if (amask != NULL) {
		/* Two words for all its conditions (the shipped set has a
		 * hundred atoms or so), not a loop over them. */
		if (((lc->known[0] & ~lc->val[0]) & amask[0]) |
		    ((lc->known[1] & ~lc->val[1]) & amask[1]))
			return false;
	} else {
		for (i = 0; i < sig->nconds; i++) {
			uint16_t a = sig->conds[i].atom;

			if (a != ATOM_NONE && ((lc->known[a >> 6] &
			    ~lc->val[a >> 6]) >> (a & 63)) & 1)
				return false;
		}
	}
	for (i = 0; i < sig->nconds; i++)
		if (!cond_eval(&sig->conds[i], m, lc))
			return false;
	return sig->nconds > 0;
}

bool
sig_match(const struct sig *sig, const struct sip_msg *m)
{
	struct lc_cache lc;

	lc_init(&lc, MEMO_ATOMS);
	return sig_match_lc(sig, m, &lc, NULL);
}

/* The rough cost of evaluating a condition, for ordering. */
static int
cond_cost(const struct sig_cond *c)
{
	if (c->field == F_HEADER || c->field == F_LINE)
		return 6;
	switch (c->op) {
	case OP_PRESENT:
	case OP_ABSENT:
	case OP_EQ:
	case OP_LT:
	case OP_GT:
		return 0;
	case OP_IS:
	case OP_EXACT:
		return c->field == F_ORDER ? 2 : 1;
	case OP_PREFIX:
	case OP_SUFFIX:
		return c->field == F_ORDER ? 2 : 1;
	case OP_SHAPE:
		return 3;
	case OP_SAME:
	case OP_IN:
		return 4;
	case OP_CONTAINS:
		return 5;
	}
	return 5;
}

static int
cond_cost_cmp(const void *a, const void *b)
{
	int x = cond_cost(a), y = cond_cost(b);

	return x < y ? -1 : x > y;
}

/* Fast patterns. */

#define FP_BUCKET_BITS	10		/* hash buckets of first bigrams */
#define FP_BUCKETS	(1 << FP_BUCKET_BITS)
#define FP_MAX_SIGS	4096		/* beyond this, no index is built */

/* One indexed literal. */
struct fp_entry {
	const char	*needle;	/* lower-cased, the condition's arg;
					 * header ids for order */
	size_t		 len;
	const struct sig_cond *cond;	/* the condition it comes from */
	uint64_t	 head8;		/* its first 8 bytes (0 past its end) */
	uint64_t	 mask8;		/* 0xff for each of those bytes */
	uint16_t	 sig;		/* index in the set */
	uint8_t		 field;		/* enum sig_field */
	uint8_t		 anywhere;	/* contains: any offset (automaton);
					 * else offset 0 only (bucket) */
	uint8_t		 whole;		/* is: the whole field is the literal */
	uint8_t		 proves;	/* finding the literal proves cond (not
					 * a shape's leading bytes) */
	uint8_t		 same;		/* field, literal, anywhere and whole
					 * as the previous entry of its chain:
					 * same outcome, not compared again */
	int32_t		 next;		/* next entry in the bucket, or of the
					 * same automaton state; -1 */
	int32_t		 after;		/* anchored: the first entry of the
					 * chain after this one's twins (same
					 * set), -1 */
	size_t		 minlen;	/* anchored: the shortest and longest */
	size_t		 maxlen;	/* field the condition can hold for */
};

/*
 * The 'contains' literals of one field as an Aho-Corasick automaton: one
 * pass over the field, one table step per byte, finds every literal that
 * occurs. Bytes are mapped to classes first (case folded; bytes in no
 * literal share class 0), so a row is short.
 */
struct fp_ac {
	uint8_t		 cls[256];	/* byte -> class */
	size_t		 ncls;		/* classes, 0 included */
	size_t		 n;		/* states; 0 is the start */
	uint16_t	*delta;		/* next state: delta[state * ncls +
					 * class]; building only */
	uint32_t	*step;		/* what fp_ac_run() reads: for a row
					 * (state * ncls, states renumbered)
					 * and a class, the next state's row:
					 * no multiply and no rep[] a byte */
	uint32_t	 hitrow;	/* rows from here on are the states
					 * where literals end */
	uint16_t	*hit;		/* their states, by (row - hitrow) /
					 * ncls */
	int32_t		*own;		/* first entry whose literal ends at the
					 * state, -1 */
	uint16_t	*dict;		/* the longest proper suffix state with
					 * entries of its own, 0: none */
	uint16_t	*rep;		/* the state itself if it has entries,
					 * else dict; 0: nothing ends here */
};

/*
 * An anchored field, as fp_anchored() reads it: where the message holds
 * it (a table, not field_get()'s switch) and the first bytes of its
 * literals (most fields of a message start with none of them: no hash).
 */
struct fp_field {
	uint8_t		 first[256];	/* per byte as the message has it
					 * (either case): 1 if a literal starts
					 * with it lower-cased; a load and a
					 * test, no lowering and no bit */
	uint16_t	 off;		/* offset of its struct gg_str in
					 * struct sip_msg; FP_NOOFF: none,
					 * field_get() */
	uint16_t	 flag;		/* offset of the bool that says it is
					 * there (tags, branch); FP_NOOFF */
	uint8_t		 f;		/* enum sig_field */
};

#define FP_NOOFF	UINT16_MAX

struct sig_index {
	struct fp_entry	*e;
	size_t		 n;
	int32_t		 head[FP_BUCKETS]; /* first entry per bucket, -1 */
	uint64_t	 fields;	/* fields with 'contains' entries: the
					 * whole field is searched */
	uint64_t	 anchored;	/* fields with is/prefix/order entries:
					 * one look-up at offset 0 */
	struct fp_ac	*ac[F_MAX];	/* automaton of each searched field */
	uint16_t	*plain;		/* signatures without a fast pattern,
					 * always evaluated */
	uint8_t		*plain_len;	/* per plain signature: it has shapes
					 * whose length bounds can reject it
					 * before it is evaluated */
	size_t		 nplain;
	size_t		 natoms;	/* distinct conditions (memoised) */
	struct fp_field	 af[F_MAX];	/* the anchored fields but order:
					 * first those read at an offset
					 * without a flag, then those with a
					 * flag, then those of field_get() */
	size_t		 naf_off;	/* af[0 .. naf_off): no flag */
	size_t		 naf_flag;	/* af[naf_off .. naf_flag): a flag */
	size_t		 naf;
	struct fp_sfield {
		uint16_t off, flag;	/* as struct fp_field's */
		uint8_t	 f;
	}		 sf[F_MAX];	/* the searched fields: x->fields */
	size_t		 nsf;
	uint64_t	(*amask)[3];	/* per signature: bit per atom of its
					 * conditions in [0] and [1], [2] 1
					 * when all its atoms are below 128
					 * (else 0: sig_match_lc() loops) */
};

/*
 * A multiplicative hash of the three bytes (the top bits of the product):
 * the shifts and xors before it put a field's common first bytes (a Via
 * host's "19") in the buckets of other fields' literals, and each look-up
 * then walked five entries of other fields.
 */
static size_t
fp_bucket(unsigned field, unsigned char a, unsigned char b)
{
	uint32_t k = (uint32_t)a | (uint32_t)b << 8 | (uint32_t)field << 16;

	return (size_t)((k * 0x9e3779b1u) >> (32 - FP_BUCKET_BITS));
}

/*
 * Can c serve as a fast pattern: a literal that must occur in a field, or
 * the first two header names of an order?
 */
static bool
fp_usable(const struct sig_cond *c)
{
	if (c->field == F_ORDER)
		return c->norder >= 2;
	if (c->field > F_ORDER)
		return false;
	if (c->op == OP_SHAPE || c->op == OP_EXACT)
		return c->litlen >= 2;
	if (c->arglen < 2)
		return false;
	return c->op == OP_CONTAINS || c->op == OP_PREFIX || c->op == OP_IS;
}

/* The literal of a usable condition. */
static const char *
fp_lit(const struct sig_cond *c, size_t *len)
{
	if (c->field == F_ORDER) {
		*len = c->norder;
		return (const char *)c->order;
	}
	if (c->op == OP_SHAPE || c->op == OP_EXACT) {
		*len = c->litlen;
		return c->lit;
	}
	*len = c->arglen;
	return c->arg;
}

/*
 * How good a fast pattern c makes: a literal that decides the condition
 * (or nearly: exact, whose case is checked after) found by one look-up
 * (is, exact, prefix, order) beats a shape's leading bytes, which beat a
 * search of the whole field.
 */
static int
fp_rank(const struct sig_cond *c)
{
	if (c->op == OP_CONTAINS)
		return 0;
	return c->op == OP_SHAPE ? 1 : 2;
}

static void
fp_ac_free(struct fp_ac *a)
{
	if (a == NULL)
		return;
	free(a->delta);
	free(a->step);
	free(a->hit);
	free(a->own);
	free(a->dict);
	free(a->rep);
	free(a);
}

static void
sig_index_free(struct sig_index *x)
{
	size_t f;

	if (x == NULL)
		return;
	for (f = 0; f < F_MAX; f++)
		fp_ac_free(x->ac[f]);
	free(x->e);
	free(x->plain);
	free(x->plain_len);
	free(x->amask);
	free(x);
}

/* Do a and b test the same thing (so one result serves both)? */
static bool
cond_same(const struct sig_cond *a, const struct sig_cond *b)
{
	if (a->field != b->field || a->op != b->op || a->num != b->num ||
	    a->field2 != b->field2 || a->arglen != b->arglen ||
	    a->hlen != b->hlen || a->norder != b->norder)
		return false;
	if (a->arglen && memcmp(a->arg, b->arg, a->arglen) != 0)
		return false;
	if (a->hlen && memcmp(a->hname, b->hname, a->hlen) != 0)
		return false;
	return memcmp(a->order, b->order, a->norder) == 0;
}

/* Can a shape condition be rejected by its field's length alone (a field
 * field_get() returns)? */
static bool
shape_len_usable(const struct sig_cond *c)
{
	return c->op == OP_SHAPE && c->field != F_ORDER &&
	    c->field != F_HEADER && c->field != F_LINE;
}

/* Numbers the distinct conditions of the set, the first MEMO_ATOMS. */
static size_t
atoms_assign(struct sigset *s)
{
	const struct sig_cond **rep;
	size_t i, k, j, n = 0;

	if ((rep = calloc(MEMO_ATOMS, sizeof(*rep))) == NULL)
		return 0;
	for (i = 0; i < s->n; i++) {
		for (k = 0; k < s->v[i].nconds; k++) {
			struct sig_cond *c = &s->v[i].conds[k];

			for (j = 0; j < n && !cond_same(rep[j], c); j++)
				;
			if (j == n && n == MEMO_ATOMS) {
				c->atom = ATOM_NONE;
				continue;
			}
			if (j == n)
				rep[n++] = c;
			c->atom = (uint16_t)j;
		}
	}
	free(rep);
	return n;
}

/* Sets e->head8 and e->mask8 (byte order: as a load of the bytes). */
static void
fp_head8(struct fp_entry *e)
{
	unsigned char h[8] = { 0 }, mk[8] = { 0 };
	size_t k = e->len < 8 ? e->len : 8;

	memcpy(h, e->needle, k);
	memset(mk, 0xff, k);
	memcpy(&e->head8, h, 8);
	memcpy(&e->mask8, mk, 8);
}

/*
 * Puts entry i into its bucket's chain, right after an entry with the same
 * literal if there is one, so that the literal is compared once.
 */
static void
fp_link(struct sig_index *x, size_t i)
{
	struct fp_entry *e = &x->e[i];
	size_t k = fp_bucket(e->field, (unsigned char)e->needle[0],
	    (unsigned char)e->needle[1]);
	int32_t j;

	for (j = x->head[k]; j >= 0; j = x->e[j].next) {
		struct fp_entry *o = &x->e[j];

		if (o->field == e->field && o->anywhere == e->anywhere &&
		    o->whole == e->whole && o->len == e->len &&
		    memcmp(o->needle, e->needle, e->len) == 0) {
			e->same = 1;
			e->next = o->next;
			o->next = (int32_t)i;
			return;
		}
	}
	e->next = x->head[k];
	x->head[k] = (int32_t)i;
}

#define AC_MAX_STATES	UINT16_MAX	/* states of one automaton */
#define AC_MAX_CELLS	(1u << 20)	/* its table entries (2 MiB) */

/* Byte classes of the literals of field f (lower-case; both cases map to
 * a letter's class). Returns the number of classes, 0 included. */
static size_t
fp_ac_classes(struct fp_ac *a, const struct sig_index *x, unsigned f,
    size_t *total)
{
	size_t i, k, n = 1;

	*total = 0;
	for (i = 0; i < x->n; i++) {
		const struct fp_entry *e = &x->e[i];

		if (e->field != f || !e->anywhere)
			continue;
		*total += e->len;
		for (k = 0; k < e->len; k++) {
			unsigned char b = (unsigned char)e->needle[k];

			if (a->cls[b] != 0 || n > UINT8_MAX)
				continue;
			a->cls[b] = (uint8_t)n;
			if (b >= 'a' && b <= 'z')
				a->cls[b - 32] = (uint8_t)n;
			n++;
		}
	}
	return n;
}

/* Adds the literals of field f to the trie; false when it is too big. */
static bool
fp_ac_trie(struct fp_ac *a, struct sig_index *x, unsigned f)
{
	size_t i, k;

	for (i = 0; i < x->n; i++) {
		struct fp_entry *e = &x->e[i];
		size_t st = 0;

		if (e->field != f || !e->anywhere)
			continue;
		for (k = 0; k < e->len; k++) {
			uint16_t *d = &a->delta[st * a->ncls +
			    a->cls[(unsigned char)e->needle[k]]];

			if (*d == 0) {
				if (a->n == AC_MAX_STATES)
					return false;
				*d = (uint16_t)a->n++;
			}
			st = *d;
		}
		e->next = a->own[st];
		a->own[st] = (int32_t)i;
	}
	return true;
}

/*
 * Turns the trie into the automaton: breadth first, each missing step
 * becomes the step of the state's failure state (its longest proper
 * suffix in the trie), which is complete by then.
 */
static bool
fp_ac_links(struct fp_ac *a)
{
	uint16_t *queue, *fail;
	size_t head = 0, tail = 0, c;

	queue = calloc(a->n, sizeof(*queue));
	fail = calloc(a->n, sizeof(*fail));
	if (queue == NULL || fail == NULL) {
		free(queue);
		free(fail);
		return false;
	}
	for (c = 0; c < a->ncls; c++)
		if (a->delta[c] != 0)
			queue[tail++] = a->delta[c];
	while (head < tail) {
		size_t st = queue[head++], fs = fail[st];

		a->dict[st] = a->own[fs] >= 0 ? (uint16_t)fs : a->dict[fs];
		a->rep[st] = a->own[st] >= 0 ? (uint16_t)st : a->dict[st];
		for (c = 0; c < a->ncls; c++) {
			uint16_t *d = &a->delta[st * a->ncls + c];

			if (*d != 0) {
				fail[*d] = st == 0 ? 0 :
				    a->delta[fs * a->ncls + c];
				queue[tail++] = *d;
			} else {
				*d = a->delta[fs * a->ncls + c];
			}
		}
	}
	free(queue);
	free(fail);
	return true;
}

/*
 * a->step from a->delta and a->rep: the states where literals end are
 * numbered last (the start state, where none does, stays 0), so that one
 * compare of the row finds them. a->delta is not needed after it.
 */
static bool
fp_ac_steps(struct fp_ac *a)
{
	uint32_t *row = malloc(a->n * sizeof(*row));
	size_t i, st, nhit = 0, lo = 0;

	for (st = 0; st < a->n; st++)
		nhit += a->rep[st] != 0;
	a->step = malloc(a->n * a->ncls * sizeof(*a->step));
	a->hit = malloc((nhit ? nhit : 1) * sizeof(*a->hit));
	if (row == NULL || a->step == NULL || a->hit == NULL) {
		free(row);
		return false;
	}
	a->hitrow = (uint32_t)((a->n - nhit) * a->ncls);
	for (st = 0, nhit = 0; st < a->n; st++) {
		if (a->rep[st] == 0) {
			row[st] = (uint32_t)(lo++ * a->ncls);
		} else {
			row[st] = a->hitrow + (uint32_t)(nhit * a->ncls);
			a->hit[nhit++] = (uint16_t)st;
		}
	}
	for (st = 0; st < a->n; st++)
		for (i = 0; i < a->ncls; i++)
			a->step[row[st] + i] = row[a->delta[st * a->ncls + i]];
	free(row);
	free(a->delta);
	a->delta = NULL;
	return true;
}

/* The automaton of the 'contains' literals of field f, or NULL when it
 * would be too big or memory is short. */
static struct fp_ac *
fp_ac_build(struct sig_index *x, unsigned f)
{
	struct fp_ac *a = calloc(1, sizeof(*a));
	size_t total, st;

	if (a == NULL)
		return NULL;
	a->ncls = fp_ac_classes(a, x, f, &total);
	if (a->ncls > UINT8_MAX || total + 1 > AC_MAX_STATES ||
	    (total + 1) * a->ncls > AC_MAX_CELLS)
		goto out_free;
	a->n = 1;
	a->delta = calloc((total + 1) * a->ncls, sizeof(*a->delta));
	a->own = malloc((total + 1) * sizeof(*a->own));
	a->dict = calloc(total + 1, sizeof(*a->dict));
	a->rep = calloc(total + 1, sizeof(*a->rep));
	if (a->delta == NULL || a->own == NULL || a->dict == NULL ||
	    a->rep == NULL)
		goto out_free;
	for (st = 0; st <= total; st++)
		a->own[st] = -1;
	if (!fp_ac_trie(a, x, f) || !fp_ac_links(a) || !fp_ac_steps(a))
		goto out_free;
	return a;
out_free:
	fp_ac_free(a);
	return NULL;
}

/* Where struct sip_msg holds string field f (and the flag that says it
 * is there), as field_get() reads it; false: not a plain string. */
static bool
field_str_at(enum sig_field f, size_t *off, size_t *flag)
{
	*flag = SIZE_MAX;
	switch (f) {
	case F_METHOD:	*off = offsetof(struct sip_msg, method); break;
	case F_RURI:	*off = offsetof(struct sip_msg, ruri_raw); break;
	case F_RURI_USER: *off = offsetof(struct sip_msg, ruri.user); break;
	case F_RURI_HOST: *off = offsetof(struct sip_msg, ruri.host); break;
	case F_RURI_SCHEME:
		*off = offsetof(struct sip_msg, ruri.scheme);
		break;
	case F_FROM:	*off = offsetof(struct sip_msg, from.raw); break;
	case F_FROM_DISPLAY:
		*off = offsetof(struct sip_msg, from.display);
		break;
	case F_FROM_USER: *off = offsetof(struct sip_msg, from.uri.user); break;
	case F_FROM_HOST: *off = offsetof(struct sip_msg, from.uri.host); break;
	case F_FROM_TAG:
		*off = offsetof(struct sip_msg, from.tag);
		*flag = offsetof(struct sip_msg, from.has_tag);
		break;
	case F_TO:	*off = offsetof(struct sip_msg, to.raw); break;
	case F_TO_DISPLAY: *off = offsetof(struct sip_msg, to.display); break;
	case F_TO_USER:	*off = offsetof(struct sip_msg, to.uri.user); break;
	case F_TO_HOST:	*off = offsetof(struct sip_msg, to.uri.host); break;
	case F_TO_TAG:
		*off = offsetof(struct sip_msg, to.tag);
		*flag = offsetof(struct sip_msg, to.has_tag);
		break;
	case F_CONTACT:	*off = offsetof(struct sip_msg, contact.raw); break;
	case F_CONTACT_USER:
		*off = offsetof(struct sip_msg, contact.uri.user);
		break;
	case F_CONTACT_HOST:
		*off = offsetof(struct sip_msg, contact.uri.host);
		break;
	case F_VIA:	*off = offsetof(struct sip_msg, via.raw); break;
	case F_VIA_HOST: *off = offsetof(struct sip_msg, via.host); break;
	case F_VIA_TRANSPORT:
		*off = offsetof(struct sip_msg, via.transport);
		break;
	case F_VIA_BRANCH:
		*off = offsetof(struct sip_msg, via.branch);
		*flag = offsetof(struct sip_msg, via.has_branch);
		break;
	case F_CALL_ID:	*off = offsetof(struct sip_msg, call_id); break;
	case F_CSEQ_METHOD: *off = offsetof(struct sip_msg, cseq_method); break;
	case F_USER_AGENT: *off = offsetof(struct sip_msg, user_agent); break;
	case F_SERVER:	*off = offsetof(struct sip_msg, server); break;
	case F_AUTH_USER: *off = offsetof(struct sip_msg, auth.username); break;
	default:
		return false;
	}
	return *off < FP_NOOFF && (*flag == SIZE_MAX || *flag < FP_NOOFF);
}

/* Sets each anchored entry's after: twins follow their first entry in a
 * chain, and when it misses they all do. */
static void
fp_after(struct sig_index *x)
{
	size_t k;

	for (k = 0; k < FP_BUCKETS; k++) {
		int32_t j;

		for (j = x->head[k]; j >= 0; j = x->e[j].next) {
			int32_t a = x->e[j].next;

			while (a >= 0 && x->e[a].same)
				a = x->e[a].next;
			x->e[j].after = a;
		}
	}
}

/* Adds anchored field f to x->af if it is of group g: 0 read at an offset
 * without a flag, 1 with a flag, 2 through field_get(). */
static void
fp_field_add(struct sig_index *x, unsigned f, int g)
{
	struct fp_field *af = &x->af[x->naf];
	size_t i, off, flag;
	int have;

	memset(af, 0, sizeof(*af));
	af->f = (uint8_t)f;
	af->off = af->flag = FP_NOOFF;
	have = !field_str_at((enum sig_field)f, &off, &flag) ? 2 :
	    flag == SIZE_MAX ? 0 : 1;
	if (have != g)
		return;
	if (have < 2)
		af->off = (uint16_t)off;
	if (have == 1)
		af->flag = (uint16_t)flag;
	for (i = 0; i < x->n; i++) {
		const struct fp_entry *e = &x->e[i];
		unsigned c;

		if (e->field != f || e->anywhere)
			continue;
		for (c = 0; c < 256; c++)
			if (lower_tab[c] == (unsigned char)e->needle[0])
				af->first[c] = 1;
	}
	x->naf++;
}

/* x->af: the anchored fields (order apart) by group, and their literals'
 * first bytes. The order of the fields does not matter: each condition
 * (atom) is of one field. */
static void
fp_fields(struct sig_index *x)
{
	int g;

	for (g = 0; g < 3; g++) {
		uint64_t fields = x->anchored & ~(1ULL << F_ORDER);

		while (fields) {
			unsigned f = (unsigned)__builtin_ctzll(fields);

			fields &= fields - 1;
			fp_field_add(x, f, g);
		}
		if (g == 0)
			x->naf_off = x->naf;
		else if (g == 1)
			x->naf_flag = x->naf;
	}
}

/*
 * Builds the index. A signature is indexed by one literal that must occur
 * in a field: an 'is' or 'prefix' literal or an order (anchored: found by
 * one look-up of the field's first two bytes) if it has one, else a shape's
 * leading bytes, else its longest 'contains' literal (the field is
 * searched) when its cheapest condition is such a search. A signature
 * whose cheapest condition is a number, a shape or an equality is not
 * indexed by a search: that test rejects it faster than the field can be
 * searched.
 */
static void
sig_index_build(struct sigset *s)
{
	struct sig_index *x;
	size_t i, k;

	sig_index_free(s->index);
	s->index = NULL;
	if (s->n == 0 || s->n > FP_MAX_SIGS)
		return;
	if ((x = calloc(1, sizeof(*x))) == NULL ||
	    (x->e = calloc(s->n, sizeof(*x->e))) == NULL ||
	    (x->plain = calloc(s->n, sizeof(*x->plain))) == NULL ||
	    (x->plain_len = calloc(s->n, sizeof(*x->plain_len))) == NULL ||
	    (x->amask = calloc(s->n, sizeof(*x->amask))) == NULL) {
		sig_index_free(x);
		return;	/* no index: every signature is evaluated */
	}
	x->natoms = atoms_assign(s);
	for (i = 0; i < s->n; i++) {
		const struct sig *g = &s->v[i];

		x->amask[i][2] = 1;
		for (k = 0; k < g->nconds; k++) {
			uint16_t a = g->conds[k].atom;

			if (a == ATOM_NONE)
				continue;
			if (a >= 128)
				x->amask[i][2] = 0;
			else
				x->amask[i][a >> 6] |= 1ULL << (a & 63);
		}
	}
	for (k = 0; k < FP_BUCKETS; k++)
		x->head[k] = -1;
	for (i = 0; i < s->n; i++) {
		struct sig *g = &s->v[i];
		const struct sig_cond *best = NULL;
		size_t blen = 0, clen;
		const char *lit = NULL;
		bool whole;

		g->fp_field = -1;
		for (k = 0; k < g->nconds; k++) {
			const struct sig_cond *c = &g->conds[k];

			if (!fp_usable(c))
				continue;
			/* Searching a field costs more than a number, a shape
			 * or an equality that comes first: search only when
			 * nothing cheaper can reject the signature. */
			if (c->op == OP_CONTAINS &&
			    cond_cost(&g->conds[0]) < cond_cost(c))
				continue;
			fp_lit(c, &clen);
			if (best == NULL || fp_rank(c) > fp_rank(best) ||
			    (fp_rank(c) == fp_rank(best) && clen > blen)) {
				best = c;
				blen = clen;
			}
		}
		if (best == NULL) {
			for (k = 0; k < g->nconds; k++)
				if (shape_len_usable(&g->conds[k]))
					x->plain_len[x->nplain] = 1;
			x->plain[x->nplain++] = (uint16_t)i;
			continue;
		}
		lit = fp_lit(best, &blen);
		g->fp_field = (int)best->field;
		/* exact: the literal in any case is found as for 'is', and
		 * the condition (its case) is evaluated after. */
		whole = best->op == OP_IS || best->op == OP_EXACT;
		x->e[x->n] = (struct fp_entry){ lit, blen, best, 0, 0,
		    (uint16_t)i, (uint8_t)best->field,
		    best->op == OP_CONTAINS, whole,
		    best->op != OP_SHAPE && best->op != OP_EXACT &&
		    best->atom != ATOM_NONE, 0, -1, -1,
		    best->op == OP_SHAPE ? best->shape_min : blen,
		    best->op == OP_SHAPE ? best->shape_max :
		    whole ? blen : SIZE_MAX };
		fp_head8(&x->e[x->n]);
		if (best->op == OP_CONTAINS) {
			x->fields |= 1ULL << best->field;
		} else {
			fp_link(x, x->n);
			x->anchored |= 1ULL << best->field;
		}
		x->n++;
	}
	fp_fields(x);
	fp_after(x);
	for (k = 0; k < F_MAX; k++) {
		struct fp_sfield *sf = &x->sf[x->nsf];
		size_t off, flag;

		if (!(x->fields & (1ULL << k)))
			continue;
		sf->f = (uint8_t)k;
		sf->off = sf->flag = FP_NOOFF;
		if (field_str_at((enum sig_field)k, &off, &flag)) {
			sf->off = (uint16_t)off;
			if (flag != SIZE_MAX)
				sf->flag = (uint16_t)flag;
		}
		x->nsf++;
	}
	for (k = 0; k < F_MAX; k++) {
		if (!(x->fields & (1ULL << k)))
			continue;
		if ((x->ac[k] = fp_ac_build(x, (unsigned)k)) == NULL) {
			sig_index_free(x);
			return;	/* no index: every signature is evaluated */
		}
	}
	s->index = x;
}


static char
lower1(char c)
{
	return (char)lower_tab[(unsigned char)c];
}

/* Are the n bytes at p, lower-cased, the lower-case lit? Eight at once. */
static bool
lit_caseeq(const char *p, const char *lit, size_t n)
{
	uint64_t a, b;

	for (; n >= 8; n -= 8, p += 8, lit += 8) {
		memcpy(&a, p, 8);
		memcpy(&b, lit, 8);
		if (lower8(a) != b)
			return false;
	}
	for (; n > 0; n--)
		if (lower1(*p++) != *lit++)
			return false;
	return true;
}

/* Does field v start with e's literal (case-insensitive)? A field of 8
 * bytes or more is compared a word at a time: lw is its first 8 bytes,
 * lowered. */
static inline __attribute__((always_inline)) bool
fp_prefix(const struct fp_entry *e, struct gg_str v, uint64_t lw)
{
	if (v.len < 8)
		return lit_caseeq(v.p, e->needle, e->len);
	if ((lw & e->mask8) != e->head8)
		return false;
	return e->len <= 8 || lit_caseeq(v.p + 8, e->needle + 8,
	    e->len - 8);
}

/* Marks signature e->sig a candidate; its condition holds if e proves it. */
static void
fp_hit(const struct fp_entry *e, struct lc_cache *lc, uint64_t *cand)
{
	cand[e->sig >> 6] |= 1ULL << (e->sig & 63);
	if (e->proves)
		memo_set(lc, e->cond->atom, true);
}

/* The entries whose literals end at state st of a, all found. */
static void
fp_ac_hits(const struct sig_index *x, const struct fp_ac *a, size_t st,
    struct lc_cache *lc, uint64_t *cand)
{
	for (st = a->rep[st]; st != 0; st = a->dict[st]) {
		int32_t j;

		for (j = a->own[st]; j >= 0; j = x->e[j].next)
			fp_hit(&x->e[j], lc, cand);
	}
}

/* Runs the automaton of a searched field over its bytes. */
static void
fp_ac_run(const struct sig_index *x, const struct fp_ac *a, struct gg_str v,
    struct lc_cache *lc, uint64_t *cand)
{
	const uint32_t *step = a->step;
	size_t i, row = 0, hitrow = a->hitrow;

	for (i = 0; i < v.len; i++) {
		row = step[row + a->cls[(unsigned char)v.p[i]]];
		if (row >= hitrow)
			fp_ac_hits(x, a, a->hit[(row - hitrow) / a->ncls],
			    lc, cand);
	}
}

/* The order entries: the message's first two header names. */
static void
fp_order(const struct sig_index *x, const struct sip_msg *m,
    struct lc_cache *lc, uint64_t *cand)
{
	int32_t j;
	bool hit = false;

	if (m->hdr_count < 2)
		return;
	j = x->head[fp_bucket(F_ORDER, m->hdr_order[0], m->hdr_order[1])];
	for (; j >= 0; j = x->e[j].next) {
		const struct fp_entry *e = &x->e[j];

		if (e->field != F_ORDER)
			continue;
		if (!e->same)
			hit = order_match(e->cond, m);
		if (e->cond->atom != ATOM_NONE)
			memo_set(lc, e->cond->atom, hit);
		if (hit)
			cand[e->sig >> 6] |= 1ULL << (e->sig & 63);
	}
}

/*
 * Anchored literals: one look-up by the field's first two bytes, then a
 * case-insensitive compare with the field's start.
 */
static inline __attribute__((always_inline)) void
fp_field_look(const struct sig_index *x, const struct fp_field *af,
    struct gg_str v, struct lc_cache *lc, uint64_t *cand)
{
	unsigned f = af->f;
	uint64_t lw = 0;
	int32_t j;
	bool hit = false;

	if (v.len < 2 || !af->first[(unsigned char)v.p[0]])
		return;
	j = x->head[fp_bucket(f, lower_tab[(unsigned char)v.p[0]],
	    lower_tab[(unsigned char)v.p[1]])];
	/* The field's first 8 bytes lowered once for all its entries (a
	 * branch is compared with four), when there are any. */
	if (j >= 0 && v.len >= 8) {
		memcpy(&lw, v.p, 8);
		lw = lower8(lw);
	}
	while (j >= 0) {
		const struct fp_entry *e = &x->e[j];

		j = e->next;
		if (e->field != f)
			continue;
		if (!e->same) {
			hit = e->len <= v.len && fp_prefix(e, v, lw);
			if (!hit) {
				j = e->after;	/* and its twins */
				continue;
			}
		}
		/* A shape of fixed bytes and widths often starts as the
		 * field does but cannot be as long ("z9hG4bK\.H{8}" and a
		 * Linphone branch): false, for every signature that tests
		 * it, without evaluating one. */
		if (v.len >= e->minlen && v.len <= e->maxlen)
			fp_hit(e, lc, cand);
		else if (e->cond->op == OP_SHAPE && e->cond->atom != ATOM_NONE)
			memo_set(lc, e->cond->atom, false);
	}
}

/*
 * Anchored literals: one look-up by the field's first two bytes, then a
 * case-insensitive compare with the field's start. The fields come in
 * three groups (fp_fields()), each loop without the others' tests.
 */
static void
fp_anchored(const struct sig_index *x, const struct sip_msg *m,
    struct lc_cache *lc, uint64_t *cand)
{
	const char *base = (const char *)m;
	const struct fp_field *af = x->af;
	struct gg_str v;
	long long num;

	if (x->anchored & (1ULL << F_ORDER))
		fp_order(x, m, lc, cand);
	/* By pointer: an index into the 264-byte entries was a multiply a
	 * field. */
	for (; af < x->af + x->naf_off; af++) {
		memcpy(&v, base + af->off, sizeof(v));
		fp_field_look(x, af, v, lc, cand);
	}
	for (; af < x->af + x->naf_flag; af++) {
		if (!base[af->flag])
			continue;
		memcpy(&v, base + af->off, sizeof(v));
		fp_field_look(x, af, v, lc, cand);
	}
	for (; af < x->af + x->naf; af++)
		if (field_get(m, (enum sig_field)af->f, &v, &num))
			fp_field_look(x, af, v, lc, cand);
}

/* Marks in cand the signatures whose fast pattern occurs in m. */
static void
fp_scan(const struct sig_index *x, const struct sip_msg *m,
    struct lc_cache *lc, uint64_t *cand)
{
	const char *base = (const char *)m;
	size_t k;

	fp_anchored(x, m, lc, cand);
	/* The searched fields read at their offsets, as the anchored ones
	 * (field_get()'s switch was some 15 instructions a field). */
	for (k = 0; k < x->nsf; k++) {
		const struct fp_sfield *sf = &x->sf[k];
		struct gg_str v;
		long long num;

		if (sf->off == FP_NOOFF) {
			if (!field_get(m, (enum sig_field)sf->f, &v, &num))
				continue;
		} else {
			if (sf->flag != FP_NOOFF && !base[sf->flag])
				continue;
			memcpy(&v, base + sf->off, sizeof(v));
		}
		if (v.len >= 2)
			fp_ac_run(x, x->ac[sf->f], v, lc, cand);
	}
}

/*
 * Could every shape of signature g hold, by its field's presence and
 * length? A signature without a fast pattern ("[0-9a-z]{71}", "H{32}") is
 * mostly rejected so, without evaluating it.
 */
static bool
shapes_fit(const struct sig *g, const struct sip_msg *m)
{
	size_t k;

	for (k = 0; k < g->nconds; k++) {
		const struct sig_cond *c = &g->conds[k];
		struct gg_str v;
		long long num;

		if (!shape_len_usable(c))
			continue;
		if (!field_get(m, c->field, &v, &num) ||
		    v.len < c->shape_min || v.len > c->shape_max)
			return false;
	}
	return true;
}

/*
 * Tries signature i against the best so far: higher confidence wins, and
 * of equal ones the earlier in the file, whatever the order of trying.
 */
static void
consider(const struct sigset *s, size_t i, const struct sip_msg *m,
    struct lc_cache *lc, const struct sig **best)
{
	const struct sig *g = &s->v[i];
	const struct sig_index *x = s->index;

	if (*best && (g->confidence < (*best)->confidence ||
	    (g->confidence == (*best)->confidence && g > *best)))
		return;
	if (sig_match_lc(g, m, lc, x != NULL && x->amask[i][2] ?
	    x->amask[i] : NULL))
		*best = g;
}

const struct sig *
sigset_match(const struct sigset *s, const struct sip_msg *m)
{
	const struct sig *best = NULL;
	const struct sig_index *x = s->index;
	uint64_t cand[FP_MAX_SIGS / 64];
	struct lc_cache lc;
	size_t i, w, nw = (s->n + 63) / 64;

	/* Without an index (it failed to build) the conditions may still
	 * carry the atoms atoms_assign() gave them: all are unknown. */
	lc_init(&lc, x != NULL ? x->natoms : MEMO_ATOMS);
	if (x != NULL) {
		cand[0] = cand[1] = 0;	/* as lc_init() */
		if (nw > 2)
			memset(cand + 2, 0, (nw - 2) * sizeof(cand[0]));
		fp_scan(x, m, &lc, cand);
	}
	if (x == NULL) {
		/* No index: try them all. */
		for (i = 0; i < s->n; i++)
			consider(s, i, m, &lc, &best);
		return best;
	}
	/* Only the signatures whose literal occurs, and those without one. */
	for (i = 0; i < x->nplain; i++)
		if (!x->plain_len[i] || shapes_fit(&s->v[x->plain[i]], m))
			consider(s, x->plain[i], m, &lc, &best);
	for (w = 0; w < nw; w++) {
		uint64_t bits = cand[w];

		while (bits) {
			consider(s, w * 64 + (size_t)__builtin_ctzll(bits), m,
			    &lc, &best);
			bits &= bits - 1;
		}
	}
	return best;
}

const char *
sig_kind_name(enum sig_kind k)
{
	static const char *const names[] = { "tool", "sdk", "spoofed-legit",
	    "generic" };

	return (unsigned)k < GG_NELEM(names) ? names[k] : "?";
}

/* Loading. */

#define SIG_MAX_WORDS	8
#define SIG_MAX_LINE	1024

struct sig_ctx {
	const char	*name;		/* file name, for messages */
	unsigned	 line;
	int		 errors;
	FILE		*errs;
	struct sigset	*set;
	struct sig	*cur;		/* signature being read, or NULL */
	bool		 cur_bad;	/* it had an error: leave it out */
};

static void __attribute__((format(printf, 2, 3)))
sig_err(struct sig_ctx *x, const char *fmt, ...)
{
	va_list ap;

	x->errors++;
	x->cur_bad = true;
	if (x->errs == NULL)
		return;
	fprintf(x->errs, "%s:%u: ", x->name, x->line);
	va_start(ap, fmt);
	vfprintf(x->errs, fmt, ap);
	va_end(ap);
	fputc('\n', x->errs);
}

static void
sig_fini(struct sig *g)
{
	size_t i;

	for (i = 0; i < g->nconds; i++) {
		free(g->conds[i].arg);
		free(g->conds[i].shape);
		free(g->conds[i].hname);
		free(g->conds[i].lit);
	}
	free(g->conds);
	free(g->name);
	free(g->tool);
	free(g->evidence);
	memset(g, 0, sizeof(*g));
}

void
sigset_free(struct sigset *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		sig_fini(&s->v[i]);
	free(s->v);
	sig_index_free(s->index);
	memset(s, 0, sizeof(*s));
}

/*
 * Splits a line into words in place. A word in double quotes may hold
 * blanks, \" and \\. Returns the count, or -1 on an unterminated quote or
 * too many words.
 */
static int
sig_split(char *p, char **w, int max)
{
	int n = 0;

	for (;;) {
		char *o;

		while (*p == ' ' || *p == '\t' || *p == '\r')
			p++;
		if (*p == '\0' || *p == '#')
			return n;
		if (n == max)
			return -1;
		if (*p != '"') {
			w[n++] = p;
			while (*p && *p != ' ' && *p != '\t' && *p != '\r')
				p++;
			if (*p)
				*p++ = '\0';
			continue;
		}
		w[n++] = o = ++p;
		while (*p && *p != '"') {
			if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
				p++;
			*o++ = *p++;
		}
		if (*p != '"')
			return -1;
		p++;
		*o = '\0';
	}
}

static int
lookup(const char *const *names, size_t n, const char *w)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (names[i] && !strcmp(names[i], w))
			return (int)i;
	return -1;
}

static bool
field_is_request_only(enum sig_field f)
{
	return f == F_METHOD || f == F_RURI || f == F_RURI_USER ||
	    f == F_RURI_HOST || f == F_RURI_SCHEME;
}

/* Compiles "Via,From,To" into header ids. */
static int
order_compile(struct sig_ctx *x, const char *arg, struct sig_cond *c)
{
	char buf[SIG_MAX_LINE], *tok, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", arg);
	for (tok = strtok_r(buf, ",", &save); tok;
	    tok = strtok_r(NULL, ",", &save)) {
		int h;

		while (*tok == ' ')
			tok++;
		for (h = 1; h < SIP_HDR_MAX; h++)
			if (!strcasecmp(tok, sip_hdr_name((enum sip_hdr)h)))
				break;
		if (h == SIP_HDR_MAX)
			h = SIP_HDR_OTHER;
		if (c->norder == ORDER_MAX) {
			sig_err(x, "order: more than %d headers", ORDER_MAX);
			return -1;
		}
		c->order[c->norder++] = (uint8_t)h;
	}
	if (c->norder == 0) {
		sig_err(x, "order: no header names");
		return -1;
	}
	return 0;
}

/* Reads the arguments of "match FIELD OP [ARG]" into c. */
static int
cond_parse(struct sig_ctx *x, char **w, int nw, struct sig_cond *c)
{
	int f, op;
	bool numeric;
	char *end;

	memset(c, 0, sizeof(*c));
	c->atom = ATOM_NONE;
	if (nw < 3) {
		sig_err(x, "usage: match FIELD OPERATOR [ARGUMENT]");
		return -1;
	}
	if (!strncmp(w[1], "header.", 7) || !strncmp(w[1], "line.", 5)) {
		const char *name = strchr(w[1], '.') + 1;

		f = w[1][0] == 'h' ? F_HEADER : F_LINE;
		if (*name == '\0' || strpbrk(name, ": \t") != NULL) {
			sig_err(x, "bad header name in '%s'", w[1]);
			return -1;
		}
		if ((c->hname = strdup(name)) == NULL)
			return -1;
		c->hlen = strlen(name);
		/* header.via finds a "v:" line too, and header.v a "Via:"
		 * one; line.NAME is the line as written, in its own form. */
		if (f == F_HEADER)
			c->halt = header_alias(name, c->hlen, &c->halen);
	} else if ((f = lookup(sig_field_names, F_MAX, w[1])) < 0) {
		sig_err(x, "unknown field '%s'", w[1]);
		return -1;
	}
	if ((op = lookup(sig_op_names, GG_NELEM(sig_op_names), w[2])) < 0) {
		sig_err(x, "unknown operator '%s'", w[2]);
		return -1;
	}
	c->field = (enum sig_field)f;
	c->op = (enum sig_op)op;
	if (c->op == OP_PRESENT || c->op == OP_ABSENT) {
		if (nw != 3)
			sig_err(x, "'%s' takes no argument", w[2]);
		return nw == 3 ? 0 : -1;
	}
	if (nw != 4) {
		sig_err(x, "'%s' takes one argument", w[2]);
		return -1;
	}
	if (c->op == OP_SAME || c->op == OP_IN) {
		int f2 = lookup(sig_field_names, F_MAX, w[3]);

		if (f2 < 0 || f2 == F_ORDER || c->field == F_ORDER ||
		    c->field == F_HEADER || c->field == F_LINE) {
			sig_err(x, "'%s' compares two named fields; '%s' is "
			    "not one", w[2], w[3]);
			return -1;
		}
		c->field2 = (enum sig_field)f2;
		return 0;
	}
	if (c->field == F_ORDER) {
		if (c->op != OP_IS && c->op != OP_PREFIX) {
			sig_err(x, "order takes 'is' or 'prefix'");
			return -1;
		}
		return order_compile(x, w[3], c);
	}
	numeric = c->op == OP_EQ || c->op == OP_LT || c->op == OP_GT;
	if (numeric) {
		errno = 0;
		c->num = strtoll(w[3], &end, 10);
		if (errno || end == w[3] || *end) {
			sig_err(x, "'%s' is not a number", w[3]);
			return -1;
		}
		return 0;
	}
	if ((c->arg = strdup(w[3])) == NULL)
		return -1;
	c->arglen = strlen(c->arg);
	if (c->op != OP_SHAPE && c->op != OP_EXACT) {
		size_t i;

		/* Comparisons are case-insensitive: keep the needle in
		 * lower case, as the fields are lowered at match time. */
		for (i = 0; i < c->arglen; i++)
			c->arg[i] = (char)lower_tab[(unsigned char)c->arg[i]];
	}
	if (c->op == OP_EXACT) {
		size_t i;

		/* Its literal lower-cased, for the index (fp_lit()). */
		if ((c->lit = strdup(c->arg)) == NULL)
			return -1;
		c->litlen = c->arglen;
		for (i = 0; i < c->litlen; i++)
			c->lit[i] = (char)lower_tab[(unsigned char)c->lit[i]];
	}
	if (c->op == OP_SHAPE) {
		struct shape_tok t[SHAPE_MAX_TOK];
		int n = shape_compile(c->arg, t, SHAPE_MAX_TOK);
		size_t i;

		if (n <= 0) {
			sig_err(x, "bad shape '%s'", c->arg);
			return -1;
		}
		c->shape = malloc((size_t)n * sizeof(*t));
		if (c->shape == NULL)
			return -1;
		memcpy(c->shape, t, (size_t)n * sizeof(*t));
		c->nshape = (size_t)n;
		c->greedy = shape_is_greedy(t, (size_t)n);
		for (i = 0; i < (size_t)n; i++) {
			c->shape_min += t[i].min;
			c->shape_max += t[i].max;
		}
		if ((c->lit = shape_literal(t, (size_t)n)) != NULL)
			c->litlen = strlen(c->lit);
	}
	return 0;
}

/* Ends the signature being read: keep it if complete, else drop it. */
static void
sig_close(struct sig_ctx *x)
{
	struct sig *g = x->cur;
	size_t i;

	if (g == NULL)
		return;
	x->cur = NULL;
	if (!x->cur_bad && (g->tool == NULL || g->nconds == 0)) {
		unsigned line = x->line;

		x->line = g->line;
		sig_err(x, "signature '%s' needs a tool and a match",
		    g->name);
		x->line = line;
	}
	if (x->cur_bad) {
		sig_fini(g);
		x->set->n--;
		return;
	}
	g->requests_only = false;
	for (i = 0; i < g->nconds; i++)
		if (field_is_request_only(g->conds[i].field))
			g->requests_only = true;
	/* All conditions must hold, so their order is free: try the cheap
	 * ones first, so that most signatures fail on a length or a number
	 * before a search or a scan of the raw header. */
	qsort(g->conds, g->nconds, sizeof(*g->conds), cond_cost_cmp);
	if (g->evidence == NULL)
		g->evidence = strdup(g->name);
}

static void
sig_open(struct sig_ctx *x, char **w, int nw)
{
	struct sigset *s = x->set;
	struct sig *v;
	size_t i;

	sig_close(x);
	x->cur_bad = false;
	if (nw != 2) {
		sig_err(x, "usage: signature NAME");
		return;
	}
	for (i = 0; i < s->n; i++)
		if (!strcmp(s->v[i].name, w[1]))
			sig_err(x, "signature '%s' already defined at line %u",
			    w[1], s->v[i].line);
	v = realloc(s->v, (s->n + 1) * sizeof(*v));
	if (v == NULL)
		return;
	s->v = v;
	x->cur = &s->v[s->n++];
	memset(x->cur, 0, sizeof(*x->cur));
	x->cur->name = strdup(w[1]);
	x->cur->line = x->line;
	x->cur->confidence = 50;
}

static void
sig_attr(struct sig_ctx *x, char **w, int nw)
{
	struct sig *g = x->cur;
	struct sig_cond *c;
	char *end;
	int k;

	if (!strcmp(w[0], "match")) {
		c = realloc(g->conds, (g->nconds + 1) * sizeof(*c));
		if (c == NULL)
			return;
		g->conds = c;
		if (cond_parse(x, w, nw, &c[g->nconds]) == 0) {
			g->nconds++;
		} else {
			free(c[g->nconds].arg);
			free(c[g->nconds].hname);
			free(c[g->nconds].lit);
		}
		return;
	}
	if (nw != 2) {
		sig_err(x, "'%s' takes one value", w[0]);
		return;
	}
	if (!strcmp(w[0], "tool")) {
		free(g->tool);
		g->tool = strdup(w[1]);
	} else if (!strcmp(w[0], "evidence")) {
		free(g->evidence);
		g->evidence = strdup(w[1]);
	} else if (!strcmp(w[0], "confidence")) {
		unsigned long v = strtoul(w[1], &end, 10);

		if (end == w[1] || *end || v > 100)
			sig_err(x, "confidence: '%s' is not 0-100", w[1]);
		else
			g->confidence = (unsigned)v;
	} else if (!strcmp(w[0], "kind")) {
		static const char *const kinds[] = { "tool", "sdk",
		    "spoofed-legit", "generic" };

		if ((k = lookup(kinds, GG_NELEM(kinds), w[1])) < 0)
			sig_err(x, "kind: '%s' is not tool, sdk, "
			    "spoofed-legit or generic", w[1]);
		else
			g->kind = (enum sig_kind)k;
	} else {
		sig_err(x, "unknown keyword '%s'", w[0]);
	}
}

int
sigset_load(struct sigset *s, const char *name, const char *buf, size_t len,
    FILE *errs)
{
	struct sig_ctx x = { name, 0, 0, errs, s, NULL, false };
	char line[SIG_MAX_LINE + 1], *w[SIG_MAX_WORDS];
	size_t off = 0;

	while (off < len) {
		const char *nl = memchr(buf + off, '\n', len - off);
		size_t n = nl ? (size_t)(nl - (buf + off)) : len - off;
		bool indented = n > 0 && (buf[off] == ' ' || buf[off] == '\t');
		int nw;

		x.line++;
		off += n + (nl != NULL);
		if (n > SIG_MAX_LINE || memchr(buf + off - n - (nl != NULL),
		    '\0', n)) {
			sig_err(&x, "line too long or holds a NUL byte");
			continue;
		}
		memcpy(line, buf + off - n - (nl != NULL), n);
		line[n] = '\0';
		nw = sig_split(line, w, SIG_MAX_WORDS);
		if (nw < 0) {
			sig_err(&x, "unterminated quote or too many words");
			continue;
		}
		if (nw == 0)
			continue;
		if (!indented) {
			if (strcmp(w[0], "signature") != 0) {
				sig_close(&x);
				sig_err(&x, "expected 'signature NAME'");
				x.cur_bad = false;
				continue;
			}
			sig_open(&x, w, nw);
		} else if (x.cur == NULL) {
			if (!x.cur_bad)
				sig_err(&x, "'%s' outside a signature", w[0]);
		} else {
			sig_attr(&x, w, nw);
		}
	}
	sig_close(&x);
	sig_index_build(s);
	return x.errors;
}

int
sigset_load_file(struct sigset *s, const char *path, FILE *errs)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;
	int rc;

	if (f == NULL) {
		if (errs)
			fprintf(errs, "%s: %s\n", path, strerror(errno));
		return 1;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    n > (16 << 20) || fseek(f, 0, SEEK_SET) != 0 ||
	    (buf = malloc((size_t)n + 1)) == NULL) {
		if (errs)
			fprintf(errs, "%s: cannot read\n", path);
		fclose(f);
		return 1;
	}
	if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
		if (errs)
			fprintf(errs, "%s: read error\n", path);
		free(buf);
		fclose(f);
		return 1;
	}
	fclose(f);
	rc = sigset_load(s, path, buf, (size_t)n, errs);
	free(buf);
	return rc;
}
