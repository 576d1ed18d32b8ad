/*
 * sip.c - the SIP message parser (sip.h): start line, header section, body
 * boundary.
 *
 * One pass over the header section: the two 16-byte loads at the start of
 * each line find both its end and the ':' after its name (32 bytes a step
 * for the longer lines' rest, memchr for each folded continuation), the
 * name's length and first two letters pick one template that the line's
 * first 16 bytes are compared with (a switch on the last 15 bytes of the
 * buffer, and without SSE2), and only the headers struct sip_msg holds
 * have their values read. The body is not read.
 *
 * Errors are data: the first one found is kept in msg->err with its offset,
 * and parsing goes on so the engine still gets every field it can use.
 */
#include <string.h>

#include "sip.h"
#include "scan.h"
#include "scan_pb.h"
#include "sipint.h"

/* AVX2 code is built on x86-64 (and run where the CPU has it). */
#if defined(__x86_64__) && !defined(GG_NO_SIMD)
#define SIP_AVX2	1
#include <immintrin.h>
#endif

#define C_TOKEN	0x01	/* RFC 3261 token character */
#define C_WS	0x02	/* SP, HT, CR, LF: LWS inside a (folded) value */
#define C_PVAL	0x04	/* unquoted parameter value: token, ':', '[', ']' */
#define C_T68	0x08	/* token68 (RFC 7235): ALPHA DIGIT - . _ ~ + / */

#define T	(C_TOKEN | C_PVAL)
#define A	(C_TOKEN | C_PVAL | C_T68)
#define W	C_WS
#define V	C_PVAL
#define S	C_T68
/* Bytes >= 0x80 are none of these (zero-filled). */
static const uint8_t cls[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, W, W, 0, 0, W, 0, 0,	/* 0x00 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* 0x10 */
	W, T, 0, 0, 0, T, 0, T, 0, 0, T, A, 0, A, A, S,	/* 0x20 */
	A, A, A, A, A, A, A, A, A, A, V, 0, 0, 0, 0, 0,	/* 0x30 */
	0, A, A, A, A, A, A, A, A, A, A, A, A, A, A, A,	/* 0x40 */
	A, A, A, A, A, A, A, A, A, A, A, V, 0, V, 0, A,	/* 0x50 */
	T, A, A, A, A, A, A, A, A, A, A, A, A, A, A, A,	/* 0x60 */
	A, A, A, A, A, A, A, A, A, A, A, 0, 0, 0, A, 0,	/* 0x70 */
};
#undef T
#undef A
#undef W
#undef V
#undef S

#define IS(c, k)	(cls[(unsigned char)(c)] & (k))
#define IS_DIGIT(c)	((unsigned)((c) - '0') < 10)

/* Header ids we read but do not report: they show as SIP_HDR_OTHER. */
#define HDR_DATE	SIP_HDR_MAX

/*
 * memset through a pointer the compiler cannot see through: an inlined
 * "rep stos" clears struct sip_msg 8 bytes per step, libc's vector memset
 * several times faster. Never written, so no mutable global state.
 */
static void *(*const volatile gg_memset)(void *, int, size_t) = memset;

/* Parser state that is not part of the result. */
struct sip_ctx {
	struct sip_msg	*msg;
	const char	*base;	/* buf, for err_off */
	const char	*end;	/* buf + len: scans may read up to here */
	uint32_t	 seen;	/* 1 << enum sip_hdr of the single-valued
				 * headers already read */
	bool		 crlf;	/* some line ended in CRLF */
	bool		 cl_bad; /* Content-Length unusable for framing */
};

static const char *const method_names[SIP_METHOD_MAX] = {
	[SIP_METHOD_UNKNOWN] = "",
	[SIP_METHOD_INVITE] = "INVITE",
	[SIP_METHOD_ACK] = "ACK",
	[SIP_METHOD_BYE] = "BYE",
	[SIP_METHOD_CANCEL] = "CANCEL",
	[SIP_METHOD_OPTIONS] = "OPTIONS",
	[SIP_METHOD_REGISTER] = "REGISTER",
	[SIP_METHOD_PRACK] = "PRACK",
	[SIP_METHOD_SUBSCRIBE] = "SUBSCRIBE",
	[SIP_METHOD_NOTIFY] = "NOTIFY",
	[SIP_METHOD_PUBLISH] = "PUBLISH",
	[SIP_METHOD_INFO] = "INFO",
	[SIP_METHOD_REFER] = "REFER",
	[SIP_METHOD_MESSAGE] = "MESSAGE",
	[SIP_METHOD_UPDATE] = "UPDATE",
};

/* strlen(method_names[i]), so lookups need no strlen. */
static const uint8_t method_len[SIP_METHOD_MAX] = {
	0, 6, 3, 3, 6, 7, 8, 5, 9, 6, 7, 4, 5, 7, 6
};

static const char *const hdr_names[SIP_HDR_MAX] = {
	[SIP_HDR_OTHER] = "",
	[SIP_HDR_VIA] = "Via",
	[SIP_HDR_FROM] = "From",
	[SIP_HDR_TO] = "To",
	[SIP_HDR_CALL_ID] = "Call-ID",
	[SIP_HDR_CSEQ] = "CSeq",
	[SIP_HDR_CONTACT] = "Contact",
	[SIP_HDR_MAX_FORWARDS] = "Max-Forwards",
	[SIP_HDR_CONTENT_LENGTH] = "Content-Length",
	[SIP_HDR_CONTENT_TYPE] = "Content-Type",
	[SIP_HDR_USER_AGENT] = "User-Agent",
	[SIP_HDR_SERVER] = "Server",
	[SIP_HDR_EXPIRES] = "Expires",
	[SIP_HDR_AUTHORIZATION] = "Authorization",
	[SIP_HDR_PROXY_AUTHORIZATION] = "Proxy-Authorization",
	[SIP_HDR_WWW_AUTHENTICATE] = "WWW-Authenticate",
	[SIP_HDR_ACCEPT] = "Accept",
	[SIP_HDR_ALLOW] = "Allow",
	[SIP_HDR_SUPPORTED] = "Supported",
	[SIP_HDR_ROUTE] = "Route",
	[SIP_HDR_RECORD_ROUTE] = "Record-Route",
	[SIP_HDR_SUBJECT] = "Subject",
};

static const char *const err_strs[SIP_ERR_MAX] = {
	[SIP_ERR_NONE] = "no error",
	[SIP_ERR_START_LINE] = "malformed start line",
	[SIP_ERR_METHOD] = "method is not a token",
	[SIP_ERR_RURI] = "malformed Request-URI",
	[SIP_ERR_VERSION] = "unsupported SIP version",
	[SIP_ERR_STATUS] = "status code not 100-699",
	[SIP_ERR_HEADER] = "malformed header line",
	[SIP_ERR_HEADER_VALUE] = "malformed header value",
	[SIP_ERR_NO_END] = "header section does not end",
	[SIP_ERR_CONTENT_LENGTH] = "bad Content-Length",
	[SIP_ERR_BODY_SHORT] = "body shorter than Content-Length",
	[SIP_ERR_CSEQ] = "malformed CSeq",
	[SIP_ERR_CSEQ_METHOD] = "CSeq method differs from the request's",
	[SIP_ERR_MISSING] = "mandatory header missing",
	[SIP_ERR_DUPLICATE] = "single-valued header repeated",
	[SIP_ERR_QUOTE] = "unterminated quoted string",
	[SIP_ERR_DISPLAY_NAME] = "display name with non-token characters",
	[SIP_ERR_URI] = "malformed URI",
	[SIP_ERR_VIA] = "malformed Via",
	[SIP_ERR_TOO_MANY] = "too many header lines",
};

const char *
sip_method_name(enum sip_method m)
{
	return (unsigned)m < SIP_METHOD_MAX ? method_names[m] : "";
}

const char *
sip_hdr_name(enum sip_hdr h)
{
	return (unsigned)h < SIP_HDR_MAX ? hdr_names[h] : "";
}

const char *
sip_err_str(enum sip_err e)
{
	return (unsigned)e < SIP_ERR_MAX ? err_strs[e] : "unknown error";
}

/* Keeps the first error only: later ones are often its consequences. */
static void
ctx_err(struct sip_ctx *c, enum sip_err e, const char *at)
{
	if (c->msg->err == SIP_ERR_NONE) {
		c->msg->err = e;
		c->msg->err_off = (size_t)(at - c->base);
	}
}

static inline struct gg_str
mkstr(const char *b, const char *e)
{
	return (struct gg_str){ b, (size_t)(e - b) };
}

static inline const char *
skip_ws(const char *p, const char *e)
{
	while (p < e && IS(*p, C_WS))
		p++;
	return p;
}

/*
 * The end of the run of bytes of class k from p, at most e: four lookups per
 * bounds check, the loop the parser spends most of its time in.
 */
static inline const char *
run(const char *p, const char *e, unsigned k)
{
	while (e - p >= 4) {
		if (!IS(p[0], k))
			return p;
		if (!IS(p[1], k))
			return p + 1;
		if (!IS(p[2], k))
			return p + 2;
		if (!IS(p[3], k))
			return p + 3;
		p += 4;
	}
	while (p < e && IS(*p, k))
		p++;
	return p;
}

static inline const char *
skip_token(const char *p, const char *e)
{
	return run(p, e, C_TOKEN);
}

static inline const char *
rtrim(const char *b, const char *e)
{
	while (e > b && IS(e[-1], C_WS))
		e--;
	return e;
}

static inline uint16_t
load2(const void *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint32_t
load4(const void *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint64_t
load8(const void *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

#define LC2	0x2020U
#define LC4	0x20202020U
#define LC8	0x2020202020202020ULL

/*
 * True when the token n (len bytes) equals lit, ignoring case. lit is lower
 * case letters and '-'; on token bytes OR-ing 0x20 then only folds letters,
 * so the comparison is exact. Two overlapping loads of 2, 4 or 8 bytes cover
 * the name, never reading past it; with a constant lit the compiler keeps
 * one branch and folds lit's loads into constants.
 */
static inline bool
name_eq(const char *n, size_t len, const char *lit, size_t litlen)
{
	size_t i;

	if (len != litlen)
		return false;
	if (len >= 8) {
		for (i = 0; i + 8 < len; i += 8)
			if ((load8(n + i) | LC8) != load8(lit + i))
				return false;
		return (load8(n + len - 8) | LC8) == load8(lit + len - 8);
	}
	if (len >= 4)
		return (load4(n) | LC4) == load4(lit) &&
		    (load4(n + len - 4) | LC4) == load4(lit + len - 4);
	if (len >= 2)
		return (load2(n) | LC2) == load2(lit) &&
		    (load2(n + len - 2) | LC2) == load2(lit + len - 2);
	return len == 0 || (n[0] | 0x20) == lit[0];
}

#define NAME_IS(n, len, lit)	name_eq((n), (len), (lit), sizeof(lit) - 1)

/* method_names, zero-padded so that bytes_eq() may load 8 at a time. */
static const char method_pad[SIP_METHOD_MAX][16] = {
	"", "INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "REGISTER", "PRACK",
	"SUBSCRIBE", "NOTIFY", "PUBLISH", "INFO", "REFER", "MESSAGE", "UPDATE"
};

/*
 * True when the len (2 to 16) bytes at a equal those at b, by two
 * overlapping loads instead of a call to memcmp.
 */
static inline bool
bytes_eq(const char *a, const char *b, size_t len)
{
	if (len >= 8)
		return load8(a) == load8(b) &&
		    load8(a + len - 8) == load8(b + len - 8);
	if (len >= 4)
		return load4(a) == load4(b) &&
		    load4(a + len - 4) == load4(b + len - 4);
	return load2(a) == load2(b) && load2(a + len - 2) == load2(b + len - 2);
}

/* Methods are case-sensitive (RFC 3261 7.1): by length and first letter. */
static enum sip_method
method_lookup(struct gg_str s)
{
	enum sip_method m = SIP_METHOD_UNKNOWN;

	if (s.len < 3 || s.len > 9)
		return m;
	switch (s.p[0]) {
	case 'A': m = SIP_METHOD_ACK; break;
	case 'B': m = SIP_METHOD_BYE; break;
	case 'C': m = SIP_METHOD_CANCEL; break;
	case 'I': m = s.len == 6 ? SIP_METHOD_INVITE : SIP_METHOD_INFO; break;
	case 'M': m = SIP_METHOD_MESSAGE; break;
	case 'N': m = SIP_METHOD_NOTIFY; break;
	case 'O': m = SIP_METHOD_OPTIONS; break;
	case 'P': m = s.len == 5 ? SIP_METHOD_PRACK : SIP_METHOD_PUBLISH;
		break;
	case 'R': m = s.len == 8 ? SIP_METHOD_REGISTER : SIP_METHOD_REFER;
		break;
	case 'S': m = SIP_METHOD_SUBSCRIBE; break;
	case 'U': m = SIP_METHOD_UPDATE; break;
	default: return SIP_METHOD_UNKNOWN;
	}
	if (s.len == method_len[m] && bytes_eq(s.p, method_pad[m], s.len))
		return m;
	return SIP_METHOD_UNKNOWN;
}

#ifdef SCAN_SSE2
/*
 * The methods as templates of 16 bytes (methods are case-sensitive: the
 * bytes as they are), indexed by MT_KEY() of the first and third letters,
 * distinct for the 14 methods. An empty slot (zeros, skip 0) matches 16
 * NUL bytes only, and its id is SIP_METHOD_UNKNOWN anyway.
 */
struct mtmpl {
	char		name[16];
	uint32_t	skip;	/* the bits of the bytes not compared */
	uint8_t		id;
} __attribute__((aligned(32)));

#define MT_KEY(a, c)	(((unsigned)(a) * 17 + (unsigned)(c)) & 31)
#define MT(a, c, name, id)	[MT_KEY(a, c)] = \
	{ name, 0xffff & ~((1u << (sizeof(name) - 1)) - 1), id }

static const struct mtmpl mtmpl[32] = {
	MT('I', 'V', "INVITE", SIP_METHOD_INVITE),
	MT('A', 'K', "ACK", SIP_METHOD_ACK),
	MT('B', 'E', "BYE", SIP_METHOD_BYE),
	MT('C', 'N', "CANCEL", SIP_METHOD_CANCEL),
	MT('O', 'T', "OPTIONS", SIP_METHOD_OPTIONS),
	MT('R', 'G', "REGISTER", SIP_METHOD_REGISTER),
	MT('P', 'A', "PRACK", SIP_METHOD_PRACK),
	MT('S', 'B', "SUBSCRIBE", SIP_METHOD_SUBSCRIBE),
	MT('N', 'T', "NOTIFY", SIP_METHOD_NOTIFY),
	MT('P', 'B', "PUBLISH", SIP_METHOD_PUBLISH),
	MT('I', 'F', "INFO", SIP_METHOD_INFO),
	MT('R', 'F', "REFER", SIP_METHOD_REFER),
	MT('M', 'S', "MESSAGE", SIP_METHOD_MESSAGE),
	MT('U', 'D', "UPDATE", SIP_METHOD_UPDATE),
};
#undef MT

/*
 * The method whose name the 16 bytes at p start with (whatever follows
 * it), or SIP_METHOD_UNKNOWN: one compare instead of a token run and
 * method_lookup().
 */
static inline enum sip_method
method_tmpl(const char *p)
{
	const struct mtmpl *t = &mtmpl[MT_KEY(p[0], p[2])];
	unsigned m;

	m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(scan_load(p),
	    _mm_load_si128((const __m128i *)(const void *)t->name)));
	return (m | t->skip) == 0xffff ? (enum sip_method)t->id :
	    SIP_METHOD_UNKNOWN;
}
#endif

/*
 * Finds the '"' closing a quoted string whose content starts at p; a
 * backslash escapes the byte after it (quoted-pair). NULL when it is not
 * closed before e. [p, lim) may be read (scan.h).
 */
static const char *
quoted_end_in(const char *p, const char *e, const char *lim)
{
	for (;;) {
		p = scan2(p, e, lim, '"', '\\');
		if (p == e)
			return NULL;
		if (*p == '"')
			return p;
		if ((p += 2) >= e)
			return NULL;
	}
}

static const char *
quoted_end(const char *p, const char *e)
{
	return quoted_end_in(p, e, e);
}

/*
 * Reads a decimal number filling all of [p, e). Returns it, -1 when the
 * slice is empty or not all digits, -2 when it exceeds max.
 */
static long long
num_parse(const char *p, const char *e, long long max)
{
	long long v = 0;
	bool big = false;

	if (p == e)
		return -1;
	for (; p < e; p++) {
		if (!IS_DIGIT(*p))
			return -1;
		v = v * 10 + (*p - '0');
		if (v > max) {
			big = true;
			v = max;
		}
	}
	return big ? -2 : v;
}

/* One parameter of a header value: name [= value]. */
struct param {
	struct gg_str	name;
	struct gg_str	value;	/* without quotes; empty when absent */
	bool		has_value;
};

/*
 * Skips the [0-9A-Za-z.-] bytes from p 16 at a time while 16 remain before
 * e (so nothing past e is read): most parameter names and values are all
 * such bytes, and run() goes on from the first other one.
 */
static inline const char *
name_skip16(const char *p, const char *e)
{
#ifdef SCAN_SSE2
	unsigned m;

	while (e - p >= 16) {
		if ((m = ~name_bits(scan_load(p)) & 0xffff) != 0)
			return p + __builtin_ctz(m);
		p += 16;
	}
#else
	(void)e;
#endif
	return p;
}

/*
 * Reads the next ";name[=value]" of a parameter list at *pp, with LWS
 * allowed around ';' and '=' (RFC 3261 SEMI, EQUAL). Returns 1 and moves *pp
 * past it; 0 at the end of the list (e, or the ',' before the next list
 * value: *pp is left on it); -1 on a syntax error (*pp on the bad byte).
 */
static int
param_next(const char **pp, const char *e, struct param *pr)
{
	const char *p = *pp, *q;

	/* Usually ';' follows at once: skip LWS only when it does not. */
	if (p == e || *p != ';') {
		p = skip_ws(p, e);
		*pp = p;
		if (p == e || *p == ',')
			return 0;
		if (*p != ';')
			return -1;
	}
	/* LWS around ';' and '=' is rare: test a byte before skipping. */
	p++;
	if (p < e && !IS(*p, C_TOKEN))
		p = skip_ws(p, e);
	q = skip_token(name_skip16(p, e), e);
	*pp = p;
	if (q == p)
		return -1;
	pr->name = mkstr(p, q);
	pr->value = GG_STR_NULL;
	pr->has_value = false;
	p = q < e && (*q == '=' || *q == ';') ? q : skip_ws(q, e);
	if (p < e && *p == '=') {
		p++;
		if (p < e && IS(*p, C_WS))
			p = skip_ws(p, e);
		*pp = p;
		if (p < e && *p == '"') {
			if ((q = quoted_end(p + 1, e)) == NULL)
				return -1;
			pr->value = mkstr(p + 1, q);
			q++;
		} else {
			q = run(name_skip16(p, e), e, C_PVAL);
			if (q == p)
				return -1;
			pr->value = mkstr(p, q);
		}
		pr->has_value = true;
	}
	*pp = q;
	return 1;
}

/*
 * Counts the values of a comma list in [p, e): commas inside quoted strings
 * or <> do not split. Sets *empty when some value is only LWS (",,").
 */
static unsigned
list_count(const char *p, const char *e, bool *empty)
{
	const char *q;
	unsigned n = 1;
	bool any = false;

	if (memchr(p, ',', (size_t)(e - p)) == NULL) {
		if (skip_ws(p, e) == e)
			*empty = true;
		return 1;
	}
	for (; p < e; p++) {
		switch (*p) {
		case ',':
			if (!any)
				*empty = true;
			n++;
			any = false;
			break;
		case '"':
			if ((q = quoted_end(p + 1, e)) == NULL)
				return n;
			p = q;
			any = true;
			break;
		case '<':
			if ((q = memchr(p, '>', (size_t)(e - p))) == NULL)
				return n;
			p = q;
			any = true;
			break;
		case ' ': case '\t': case '\r': case '\n':
			break;
		default:
			any = true;
		}
	}
	if (!any)
		*empty = true;
	return n;
}

/*
 * Reads the header parameters after a From/To/Contact URI, up to ',' or e.
 * Returns where it stopped (e after an error, reported as bad_err).
 */
static const char *
nameaddr_params(struct sip_ctx *c, struct sip_nameaddr *na, const char *p,
    const char *e)
{
	const char *first = NULL, *last = p;
	struct param pr;
	int r;

	while ((r = param_next(&p, e, &pr)) > 0) {
		if (first == NULL)
			first = pr.name.p;
		last = p;
		if (NAME_IS(pr.name.p, pr.name.len, "tag")) {
			na->tag = pr.value;
			na->has_tag = true;
		}
	}
	if (first != NULL)
		na->params = mkstr(first, last);
	if (r < 0) {
		ctx_err(c, SIP_ERR_HEADER_VALUE, p);
		return e;
	}
	return p;
}

/*
 * The display name (quoted or a run of tokens) before '<'. Returns the '<',
 * or, when there is none, the start of an addr-spec; NULL when the value is
 * beyond repair.
 */
static const char *
nameaddr_display(struct sip_ctx *c, struct sip_nameaddr *na, const char *p,
    const char *e)
{
	const char *q, *lt;

	if (*p == '"') {
		if ((q = quoted_end_in(p + 1, e, c->end)) == NULL) {
			ctx_err(c, SIP_ERR_QUOTE, p);
			na->display = mkstr(p + 1, e);
			na->display_quoted = true;
			return NULL;
		}
		na->display = mkstr(p + 1, q);
		na->display_quoted = true;
		p = skip_ws(q + 1, e);
		if (p == e || *p != '<') {
			ctx_err(c, SIP_ERR_HEADER_VALUE, p);
			return NULL;
		}
		return p;
	}
	for (q = p; q < e && IS(*q, C_TOKEN | C_WS); q++)
		;
	if (q < e && *q == '<') {
		/* RFC 4475 lwsdisp: no LWS before '<' is accepted. */
		if (q != p)
			na->display = mkstr(p, rtrim(p, q));
		return q;
	}
	if (q < e && *q == ':' && skip_token(p, q) == q)
		return p;	/* the scheme of an addr-spec */
	lt = memchr(q, '<', (size_t)(e - q));
	if (lt == NULL) {
		ctx_err(c, SIP_ERR_URI, q);
		return NULL;
	}
	ctx_err(c, SIP_ERR_DISPLAY_NAME, q);
	na->display = mkstr(p, rtrim(p, lt));
	return lt;
}

#ifdef SCAN_SSE2
/*
 * Drops the lowest stop of *st and returns the next one (st holds a
 * sentinel bit at the end of the value: never pop past it).
 */
static inline unsigned
stop_pop(uint64_t *st)
{
	*st &= *st - 1;
	return (unsigned)__builtin_ctzll(*st);
}

/* "sip:" as load4() reads it (x86, little-endian), "SIP:" or'ed with 0x20. */
#define SIP_COLON4	(0x3a706973U)
/* '"' SP '<' "sip:" and '"' '<' "sip:" as load8() reads them, the letters
 * of "sip" or'ed with 0x20 (QSP_FOLD, Q_FOLD), the bytes past them masked. */
#define QSP_SIP		0x003a7069733c2022ULL
#define QSP_FOLD	0x0000202020000000ULL
#define Q_SIP		0x00003a7069733c22ULL
#define Q_FOLD		0x0000002020200000ULL
/* "tag=" as load4() reads it, the letters or'ed with 0x20. */
#define TAG_EQ4		0x3d676174U

/*
 * Undoes what nameaddr_fast() wrote: the value is as nameaddr_parse()
 * found it (fresh from msg_clear(), present set), for the general path.
 */
static __attribute__((noinline, cold)) const char *
nameaddr_undo(struct sip_nameaddr *na)
{
	*na = (struct sip_nameaddr){ .present = true };
	return NULL;
}

/*
 * The header params ";name[=value]..." of a name-addr from the ';' at b + i
 * to the value's end at b + n, by the stops st of [b, b + n] (those before
 * i dropped, the one at n its sentinel). Sets the tag; false for a shape
 * the general path must read.
 */
static inline __attribute__((always_inline)) bool
nameaddr_hparams(struct sip_nameaddr *na, const char *b, uint64_t st,
    unsigned i, unsigned n)
{
	unsigned k, h;

	do {
		k = i + 1;
		/* ";tag=" by one compare: its '=' is then the next stop. */
		if (i < 59 && (load4(b + k) | 0x00202020U) == TAG_EQ4) {
			st &= ~0ULL << (i + 5);
			h = i + 4;
			i = (unsigned)__builtin_ctzll(st);
			if (i == h + 1 || (i < n && b[i] != ';'))
				return false;
			na->has_tag = true;
			na->tag = mkstr(b + h + 1, b + i);
			continue;
		}
		if ((i = stop_pop(&st)) == k)
			return false;
		h = i;
		if (b[i] == '=' && (i = stop_pop(&st)) == h + 1)
			return false;
		if (i < n && b[i] != ';')
			return false;
		if (NAME_IS(b + k, h - k, "tag")) {
			na->has_tag = true;
			na->tag = h != i ? mkstr(b + h + 1, b + i) :
			    GG_STR_NULL;
		}
	} while (i < n);
	return true;
}

/*
 * The params of a value longer than nameaddr_walk()'s window, from the ';'
 * at b that ended it: the same walk over a window of their own.
 */
static const char *
nameaddr_tail(struct sip_ctx *c, struct sip_nameaddr *na, const char *b,
    const char *e)
{
	unsigned n = (unsigned)(e - b);

	if (e - b > 63 || c->end - b < 64 || (unsigned char)b[n] > ' ' ||
	    !nameaddr_hparams(na, b, (stops64(b, n) & ((1ULL << n) - 1)) |
	    1ULL << n, 0, n))
		return nameaddr_undo(na);
	return e;
}

/*
 * nameaddr_parse() for the common shapes, from the bit mask of one pass
 * over the value's first n + 1 bytes (n < 63): ["display" | tokens]
 * <sip:[user@]host[:port][;uri-params]> or sip:[user@]host[:port], then
 * ;name[=value] header params, where user, host, names and values are
 * [0-9A-Za-z.-]. Only the other bytes (the stops) are looked at, in order;
 * the fixed text of the common shapes ('"' SP '<' "sip:", "<sip:") is
 * compared at once and its stops dropped together. Each field is written
 * as soon as it is known (fewer live offsets, fewer spills); anything else
 * (quoted pairs, LWS, passwords, IPv6, other schemes, lists, errors) undoes
 * the writes and returns NULL for the general path, which reads and reports
 * it. Returns e otherwise.
 *
 * The value ends at n (p + n == e) unless lng: then p[n] is the ';' after
 * the <URI> of a longer value, and its params get a window of their own.
 * Either way p[n] is none of the stops the walk compares before the params,
 * so those compares need no test against n. Inlined twice, lng constant.
 */
static inline __attribute__((always_inline)) const char *
nameaddr_walk(struct sip_ctx *c, struct sip_nameaddr *na, const char *p,
    const char *e, unsigned n, bool lng)
{
	uint64_t st, w;
	unsigned i, k, u, h, port;

	st = (stops64(p, n) & ((1ULL << n) - 1)) | 1ULL << n;

	/* Display name and '<' and "sip:", or "sip:" at once (addr-spec). */
	if (p[0] == '<') {
		u = 1;
	} else if (p[0] == '"') {
		while ((i = stop_pop(&st)) < n && p[i] != '"')
			if (p[i] == '\\')
				return NULL;
		if (i > 56)	/* 8 bytes at i readable; i == n fails below */
			return NULL;
		w = load8(p + i);
		if (((w | QSP_FOLD) & 0x00ffffffffffffffULL) == QSP_SIP)
			u = i + 3;
		else if (((w | Q_FOLD) & 0x0000ffffffffffffULL) == Q_SIP)
			u = i + 2;
		else
			return NULL;
		if (u + 4 > n)
			return NULL;
		na->display = mkstr(p + 1, p + i);
		na->display_quoted = true;
		goto sip;
	} else {
		i = (unsigned)__builtin_ctzll(st);
		while (i < n && p[i] != '<' && p[i] != ':' &&
		    IS(p[i], C_TOKEN | C_WS))
			i = stop_pop(&st);
		if (p[i] == ':') {
			u = 0;
		} else if (p[i] == '<') {
			u = i + 1;
		} else {
			return NULL;
		}
	}
	if (u + 4 > n || (load4(p + u) | 0x00202020U) != SIP_COLON4)
		return NULL;
	if (u > 1)
		na->display = mkstr(p, rtrim(p, p + u - 1));
sip:
	na->raw = mkstr(p, e);
	na->angle = u != 0;
	na->uri.scheme = mkstr(p + u, p + u + 3);
	na->uri.scheme_id = SIP_SCHEME_SIP;

	/* [user@]host[:port]: the stops up to the ':' of "sip:" are read. */
	h = u + 4;
	st &= ~0ULL << h;
	i = (unsigned)__builtin_ctzll(st);
	if (p[i] == '@') {
		na->uri.user = mkstr(p + h, p + i);
		h = i + 1;
		i = stop_pop(&st);
	}
	if (i == h)
		return nameaddr_undo(na);
	na->uri.host = mkstr(p + h, p + i);
	if (i - h - 7 <= 8) {
		/* 64 bytes at p are readable: 16 at p + h when h <= 48. */
		if (h > 48)
			return nameaddr_undo(na);
		na->uri.host_is_ipv4 = ipv4_at(p + h, i - h);
	}
	if (p[i] == ':') {
		k = i + 1;
		i = stop_pop(&st);
		if (i - k - 1 > 4 || k > 56 ||
		    (port = port_swar(p + k, i - k)) > 65535)
			return nameaddr_undo(na);
		na->uri.port = (uint16_t)port;
	}

	/* The end of the URI: '>' after any uri-params, or the ';' (or the
	 * end) after an addr-spec. A '@' or '?' in the uri-params would make
	 * a userinfo or headers: the general path reads those. */
	if (u != 0) {
		if (p[i] == ';') {
			k = i + 1;
			while ((i = stop_pop(&st)) < n && p[i] != '>')
				if (p[i] == '@' || p[i] == '?')
					return nameaddr_undo(na);
			na->uri.params = mkstr(p + k, p + i);
		}
		if (p[i] != '>')
			return nameaddr_undo(na);
		na->uri.raw = mkstr(p + u, p + i);
		if (stop_pop(&st) != ++i)
			return nameaddr_undo(na);
	} else {
		na->uri.raw = mkstr(p, p + i);
	}

	/* Header params: ;name[=value] up to the end. */
	if (!lng && i == n)
		return e;
	if (p[i] != ';')
		return nameaddr_undo(na);
	na->params = mkstr(p + i + 1, e);
	if (lng && i == n)
		return nameaddr_tail(c, na, p + n, e);
	if (!nameaddr_hparams(na, p, st, i, n))
		return nameaddr_undo(na);
	return e;
}

/* nameaddr_walk() of a value of at most 63 bytes. */
static inline const char *
nameaddr_fast(struct sip_ctx *c, struct sip_nameaddr *na, const char *p,
    const char *e)
{
	unsigned n = (unsigned)(e - p);	/* not 0: nameaddr_parse() checked */

	/* The byte after a trimmed value is LWS or a line end. */
	if (e - p > 63 || c->end - p < 64 || (unsigned char)p[n] > ' ')
		return NULL;
	return nameaddr_walk(c, na, p, e, n, false);
}

/*
 * nameaddr_walk() of a longer value whose <URI> ends in its first 62 bytes
 * with ">;", out of line: up to that ';', the rest by nameaddr_tail(). (One
 * walk for both cost the short values ~10 instructions each.)
 */
static __attribute__((noinline)) const char *
nameaddr_long(struct sip_ctx *c, struct sip_nameaddr *na, const char *p,
    const char *e)
{
	const char *q;

	if (c->end - p < 64 || (q = memchr(p, '>', 62)) == NULL ||
	    q[1] != ';')
		return NULL;
	return nameaddr_walk(c, na, p, e, (unsigned)(q + 1 - p), true);
}
#endif

/*
 * Parses one name-addr or addr-spec value (From, To, Contact) at p, LWS
 * skipped, with its header parameters. Returns where it stopped: e, or the
 * ',' before the next value of a Contact list.
 */
static const char *
nameaddr_parse(struct sip_ctx *c, struct sip_nameaddr *na, const char *p,
    const char *e)
{
	const char *b = p, *q;

	na->present = true;
	if (p == e) {
		ctx_err(c, SIP_ERR_HEADER_VALUE, p);
		return e;
	}
#ifdef SCAN_SSE2
	if ((q = nameaddr_fast(c, na, p, e)) != NULL ||
	    (e - p > 63 && (q = nameaddr_long(c, na, p, e)) != NULL))
		return q;
#endif
	if ((p = nameaddr_display(c, na, p, e)) == NULL) {
		na->raw = mkstr(b, e);
		return e;
	}
	if (*p == '<') {
		na->angle = true;
		if ((q = memchr(p, '>', (size_t)(e - p))) == NULL) {
			ctx_err(c, SIP_ERR_URI, p);
			na->raw = mkstr(b, e);
			return e;
		}
		if (sip_uri_parse_in(&na->uri, mkstr(p + 1, q), c->end) < 0)
			ctx_err(c, SIP_ERR_URI, p + 1);
		p = q + 1;
	} else {
		/* An addr-spec ends at the first ';' (header params), ','
		 * or LWS; a URI with ';', ',' or '?' must be in <> (RFC 3261
		 * 20), so headers here are an error (RFC 4475 regbadct). */
		for (q = p; q < e && *q != ';' && *q != ',' && !IS(*q, C_WS);
		    q++)
			;
		if (sip_uri_parse_in(&na->uri, mkstr(p, q), c->end) < 0 ||
		    na->uri.headers.p != NULL)
			ctx_err(c, SIP_ERR_URI, p);
		p = q;
	}
	p = nameaddr_params(c, na, p, e);
	na->raw = mkstr(b, rtrim(b, p));
	return p;
}

/* From and To: one value, no list. */
static void
fromto_parse(struct sip_ctx *c, struct sip_nameaddr *na, const char *p,
    const char *e)
{
	p = nameaddr_parse(c, na, p, e);
	if (p != e)
		ctx_err(c, SIP_ERR_HEADER_VALUE, p);
}

/* A Contact line: parses the first value of the message, counts the rest. */
static void
contact_parse(struct sip_ctx *c, const char *p, const char *e)
{
	struct sip_msg *m = c->msg;
	bool empty = false;

	if (!m->contact.present) {
		if (e - p == 1 && *p == '*') {
			m->contact.present = m->contact.star = true;
			m->contact.raw = mkstr(p, e);
			m->contact_count++;
			return;
		}
		p = nameaddr_parse(c, &m->contact, p, e);
		m->contact_count++;
		if (p == e)
			return;
		p++;	/* the ',' */
	}
	m->contact_count += list_count(p, e, &empty);
	if (empty)
		ctx_err(c, SIP_ERR_HEADER_VALUE, p);
}

/* A host-name byte ([0-9A-Za-z._-], uri.c's U_HOST). */
static inline bool
host_byte(char ch)
{
	unsigned char u = (unsigned char)ch;

	return (unsigned)((u | 0x20) - 'a') < 26 || IS_DIGIT(u) || u == '.' ||
	    u == '-' || u == '_';
}

/*
 * The stops of [p, e), at most 64 bytes, for the Via walk: bit i is set
 * when p[i] is not a host-name byte, and for every i >= e - p. [p, lim)
 * may be read (scan.h). Host names, parameter names and most values are
 * runs of host-name bytes, so one classification of the value, 16 bytes
 * per SSE2 step, gives the end of each with a shift and a count.
 */
static uint64_t
via_stops(const char *p, const char *e, const char *lim)
{
	size_t n = (size_t)(e - p), i = 0;
	uint64_t m = ~0ULL;

#ifdef SCAN_SSE2
	const __m128i c20 = _mm_set1_epi8(0x20), ca = _mm_set1_epi8('a' - 128),
	    c26 = _mm_set1_epi8(26 - 128), c0 = _mm_set1_epi8('0' - 128),
	    c10 = _mm_set1_epi8(10 - 128), cdot = _mm_set1_epi8('.'),
	    cdash = _mm_set1_epi8('-'), cus = _mm_set1_epi8('_');
	__m128i x, al, dg, ot;

	for (; i < n && lim - (p + i) >= 16; i += 16) {
		x = scan_load(p + i);
		al = _mm_cmpgt_epi8(c26, _mm_sub_epi8(_mm_or_si128(x, c20),
		    ca));
		dg = _mm_cmpgt_epi8(c10, _mm_sub_epi8(x, c0));
		ot = _mm_or_si128(_mm_cmpeq_epi8(x, cdot),
		    _mm_or_si128(_mm_cmpeq_epi8(x, cdash),
		    _mm_cmpeq_epi8(x, cus)));
		m &= ~((uint64_t)(unsigned)_mm_movemask_epi8(_mm_or_si128(
		    _mm_or_si128(al, dg), ot)) << i);
	}
#else
	(void)lim;
#endif
	for (; i < n; i++)
		if (host_byte(p[i]))
			m &= ~(1ULL << i);
	/* The last load classified bytes past e: they stop a walk. */
	if (n < 64)
		m |= ~0ULL << n;
	return m;
}

/* The first stop of m at or after i (at most 64). */
static inline size_t
via_next(uint64_t m, size_t i)
{
	if (i >= 64 || (m >> i) == 0)
		return 64;
	return i + (size_t)__builtin_ctzll(m >> i);
}

/*
 * True when the 4 bytes at p are all digits: in each byte, subtracting
 * '0' or adding 0x46 sets bit 7 for anything else (the first such byte
 * sets its own bit 7 whatever the borrow or carry it passes on).
 */
static inline bool
via_digits4(const char *p)
{
	uint32_t x = load4(p);

	return (((x - 0x30303030U) | (x + 0x46464646U)) & 0x80808080U) == 0;
}

/* Keeps the via-params we report: branch, received, rport. */
static inline void
via_param_set(struct sip_via *v, const struct param *pr)
{
	switch (pr->name.p[0] | 0x20) {
	case 'b':
		if (NAME_IS(pr->name.p, pr->name.len, "branch")) {
			v->branch = pr->value;
			v->has_branch = true;
		}
		break;
	case 'r':
		if (NAME_IS(pr->name.p, pr->name.len, "received"))
			v->received = pr->value;
		else if (NAME_IS(pr->name.p, pr->name.len, "rport"))
			v->has_rport = true;
		break;
	}
}

/*
 * The usual sent-by and params from h, the first byte after the transport:
 * "host[:port];branch=...;rport" of up to 64 bytes, read from the stops of
 * via_stops(). The host and port are sip_host_parse_in()'s result without
 * its IPv4 test, whose answer a Via does not keep; each ";name[=value]"
 * without LWS or quotes whose name and value end on a stop is
 * param_next()'s result, kept as via_parse() keeps it (*first, *last).
 * Returns where the general path goes on: the first param of another shape
 * (LWS, quotes, other bytes), ',' or e; NULL when the sent-by is not of
 * this shape (IPv6, a port of more than 5 digits...): the general path
 * reads it then, and reports what it finds.
 */
static const char *
via_walk(struct sip_via *v, const char *h, const char *e, const char *lim,
    const char **first, const char **last)
{
	size_t n = (size_t)(e - h), i, j, k;
	struct param pr;
	unsigned port = 0;
	uint64_t m;

	m = via_stops(h, e, lim);
	if ((i = via_next(m, 0)) == 0)
		return NULL;
	if (i < n && h[i] == ':' && via_next(m, i + 1) == i + 5 &&
	    via_digits4(h + i + 1)) {
		/* Four digits, most ports: no loop. */
		port = (unsigned)(h[i + 1] - '0') * 1000 +
		    (unsigned)(h[i + 2] - '0') * 100 +
		    (unsigned)(h[i + 3] - '0') * 10 + (unsigned)(h[i + 4] - '0');
		v->host = mkstr(h, h + i);
		i += 5;
	} else if (i < n && h[i] == ':') {
		for (j = i + 1, k = 0; j < n && IS_DIGIT(h[j]); j++) {
			port = port * 10 + (unsigned)(h[j] - '0');
			if (++k > 5)
				return NULL;
		}
		if (k == 0 || port > 65535)
			return NULL;
		v->host = mkstr(h, h + i);
		i = j;
	} else {
		v->host = mkstr(h, h + i);
	}
	v->port = (uint16_t)port;
	while (i < n && h[i] == ';') {
		j = via_next(m, i + 1);
		if (j == i + 1 || (j < n && IS(h[j], C_TOKEN | C_WS)))
			break;
		pr.name = mkstr(h + i + 1, h + j);
		pr.value = GG_STR_NULL;
		pr.has_value = false;
		if (j < n && h[j] == '=') {
			if (++j == n || IS(h[j], C_WS) || h[j] == '"')
				break;
			k = via_next(m, j);
			if (k == j || (k < n && IS(h[k], C_PVAL)))
				break;
			pr.value = mkstr(h + j, h + k);
			pr.has_value = true;
			j = k;
		}
		if (*first == NULL)
			*first = pr.name.p;
		*last = h + j;
		via_param_set(v, &pr);
		i = j;
	}
	return h + i;
}

static const char *via_parse_all(struct sip_ctx *c, struct sip_via *v,
    const char *p, const char *e);

#if defined(SIP_AVX2) && !defined(GG_NO_AVX2)
#define VIA_AVX2	1
/*
 * Host-name bytes ([0-9A-Za-z._-]) by nibble: a byte is one when the
 * entries of its high and its low nibble share a bit. The bits are the
 * rows of the ASCII table: 1 for 0x2_ ('-' '.'), 2 for digits, 4 for the
 * letters of 0x4_ and 0x6_, 8 for 0x5_ (up to 'Z', and '_'), 16 for 0x7_
 * (up to 'z'); bytes from 0x80 have a high nibble whose entry is 0.
 */
static const int8_t via_hi[32] = {
	0, 0, 1, 2, 4, 8, 4, 16, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 1, 2, 4, 8, 4, 16
};
static const int8_t via_lo[32] = {
	26, 30, 30, 30, 30, 30, 30, 30, 30, 30, 28, 4, 4, 5, 5, 12,
	26, 30, 30, 30, 30, 30, 30, 30, 30, 30, 28, 4, 4, 5, 5, 12
};

/*
 * The stops of the 64 bytes at h (bit i set when h[i] is not a host-name
 * byte): two loads, each classified by two pshufb lookups. The caller
 * makes sure they may be read.
 */
__attribute__((target("avx2"))) static inline uint64_t
via_stops64(const char *h)
{
	/* The tables twice over: pshufb looks up within each 16-byte lane. */
	const __m256i hi = _mm256_loadu_si256((const __m256i *)(const void *)
	    via_hi), lo = _mm256_loadu_si256((const __m256i *)(const void *)
	    via_lo), low4 = _mm256_set1_epi8(0x0f),
	    zero = _mm256_setzero_si256();
	__m256i x, y;
	uint64_t m;

	x = _mm256_loadu_si256((const __m256i *)(const void *)h);
	y = _mm256_loadu_si256((const __m256i *)(const void *)(h + 32));
	x = _mm256_and_si256(_mm256_shuffle_epi8(hi, _mm256_and_si256(
	    _mm256_srli_epi16(x, 4), low4)), _mm256_shuffle_epi8(lo,
	    _mm256_and_si256(x, low4)));
	y = _mm256_and_si256(_mm256_shuffle_epi8(hi, _mm256_and_si256(
	    _mm256_srli_epi16(y, 4), low4)), _mm256_shuffle_epi8(lo,
	    _mm256_and_si256(y, low4)));
	m = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(y, zero));
	return m << 32 |
	    (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(x, zero));
}

/*
 * The common top Via as one template: "SIP/2.0/UDP " (or TCP, TLS), a
 * host-name, an optional port, ";branch=" and a value of host-name bytes,
 * an optional ";rport", then the end of the value or ','. One
 * classification of the 64 bytes from the host gives every element's end
 * (a second one of the 64 from the branch's start when it ends past them,
 * for values of up to 127 bytes from the host); the names are compared in
 * place. The fields are via_parse()'s for the
 * same bytes (the sent-by and params as via_walk() reads them). Returns
 * the end (e or the ','), having written the fields; for any other value
 * it writes nothing and returns via_parse_all()'s result (a tail call, so
 * via_parse() keeps no registers for it).
 */
__attribute__((target("avx2"))) static const char *
via_fast_avx2(struct sip_ctx *c, struct sip_via *v, const char *p,
    const char *e)
{
	const char *h = p + 12;
	size_t n = (size_t)(e - h), i, j, k, b, end;
	unsigned port = 0;
	bool rport = false;
	uint32_t t;
	uint64_t m, w;

	if (e - p < 13 || n >= 128 || c->end - h < 64 ||
	    load8(p) != load8("SIP/2.0/"))
		goto slow;
	t = load4(p + 8);
	if (__builtin_expect(t != load4("UDP "), 0) && t != load4("TCP ") &&
	    t != load4("TLS "))
		goto slow;
	/* A value of 64 bytes and more (a long branch: PJSIP's z9hG4bKPj and
	 * a UUID, belle-sip's two hex runs) has no end bit here: the host and
	 * port must end in these 64, the branch may go on past them. */
	m = via_stops64(h);
	if (n < 64)
		m |= ~0ULL << n;
	if (m == 0 || (i = (size_t)__builtin_ctzll(m)) == 0)
		goto slow;
	k = i;
	if (h[i] == ':') {
		if (i >= 63 || (m >> (i + 1)) == 0)
			goto slow;
		j = i + 1 + (size_t)__builtin_ctzll(m >> (i + 1));
		if (j == i + 5 && via_digits4(h + i + 1)) {
			/* Pairs of digits, then the pairs (SWAR). */
			t = load4(h + i + 1) - 0x30303030U;
			t = (t * 10 + (t >> 8)) & 0x00ff00ffU;
			port = (t * 100 + (t >> 16)) & 0xffffU;
		} else {
			if (j - i - 2 >= 5)
				goto slow;
			for (k = i + 1; k < j; k++) {
				if (!IS_DIGIT(h[k]))
					goto slow;
				port = port * 10 + (unsigned)(h[k] - '0');
			}
			if (port > 65535)
				goto slow;
		}
		k = j;
	}
	/* ";branch=" (the name in any case) and a value of host-name bytes. */
	b = k + 8;
	if (b >= n || (load8(h + k) | 0x0020202020202000ULL) !=
	    load8(";branch="))
		goto slow;
	if (b < 64 && (w = m >> b) != 0) {
		end = b + (size_t)__builtin_ctzll(w);
	} else {
		/* The branch runs past the first 64 bytes: its own 64. */
		if (c->end - (h + b) < 64)
			goto slow;
		w = via_stops64(h + b);
		if (n - b < 64)
			w |= ~0ULL << (n - b);
		if (w == 0)
			goto slow;
		end = b + (size_t)__builtin_ctzll(w);
	}
	if (end == b)
		goto slow;
	if (end < n && h[end] == ';') {
		if (n - end < 6 ||
		    (load4(h + end + 1) | LC4) != load4("rpor") ||
		    (h[end + 5] | 0x20) != 't' ||
		    (end + 6 < n && h[end + 6] != ','))
			goto slow;
		rport = true;
		end += 6;
	} else if (end < n && h[end] != ',') {
		goto slow;
	}
	v->protocol = mkstr(p, p + 7);
	v->transport = mkstr(p + 8, p + 11);
	v->host = mkstr(h, h + i);
	v->port = (uint16_t)port;
	v->branch = mkstr(h + k + 8, h + end - (rport ? 6 : 0));
	v->has_branch = true;
	v->has_rport = rport;
	v->params = mkstr(h + k + 1, h + end);
	v->raw = mkstr(p, h + end);
	return h + end;
slow:
	return via_parse_all(c, v, p, e);
}
#endif

/*
 * The general path of via_parse(): sent-protocol with LWS allowed around
 * each '/' (RFC 4475 wsinv), sent-by, params. Returns where it stopped
 * (the ',' of the next value, or e); NULL on a syntax error, reported.
 */
static const char *
via_parse_all(struct sip_ctx *c, struct sip_via *v, const char *p,
    const char *e)
{
	const char *b = p, *q = NULL, *first = NULL, *last = NULL;
	struct param pr;
	size_t n;
	int kind, r;

	v->raw = mkstr(b, e);
	/* Nearly always "SIP/2.0/", the transport and one SP. */
	if (e - p >= 13 && load8(p) == load8("SIP/2.0/")) {
		q = skip_token(p + 8, e);
		if (q == p + 8 || q >= e - 1 || *q != ' ' || IS(q[1], C_WS))
			q = NULL;
	}
	if (q != NULL) {
		v->protocol = mkstr(b, b + 7);
		v->transport = mkstr(p + 8, q);
		p = q + 1;
	} else {
		if ((q = skip_token(p, e)) == p)
			goto bad;
		p = skip_ws(q, e);
		if (p == e || *p != '/')
			goto bad;
		p = skip_ws(p + 1, e);
		if ((q = skip_token(p, e)) == p)
			goto bad;
		v->protocol = mkstr(b, q);
		p = skip_ws(q, e);
		if (p == e || *p != '/')
			goto bad;
		p = skip_ws(p + 1, e);
		if ((q = skip_token(p, e)) == p)
			goto bad;
		v->transport = mkstr(p, q);
		if ((p = skip_ws(q, e)) == q)
			goto bad;
	}
	q = e - p <= 64 ? via_walk(v, p, e, c->end, &first, &last) : NULL;
	if (q == NULL) {
		n = sip_host_parse_in(mkstr(p, e), &v->host, &v->port, &kind,
		    c->end);
		if (n == 0)
			goto bad;
		q = p + n;
	}
	for (p = q;;) {
		if (p == e || *p == ',') {
			r = 0;
			break;
		}
		if ((r = param_next(&p, e, &pr)) <= 0)
			break;
		if (first == NULL)
			first = pr.name.p;
		last = p;
		via_param_set(v, &pr);
	}
	if (first != NULL)
		v->params = mkstr(first, last);
	if (r < 0)
		goto bad;
	v->raw = mkstr(b, rtrim(b, p));
	return p;
bad:
	ctx_err(c, SIP_ERR_VIA, p);
	return NULL;
}

/*
 * Parses the top Via value: by via_fast_avx2()'s template where the CPU
 * has AVX2, else by via_parse_all(). Out of line, as the two are: it only
 * tests the CPU and jumps, and via_line(), inlined into sip_parse(), stays
 * as it was.
 */
__attribute__((noinline)) static const char *
via_parse(struct sip_ctx *c, struct sip_via *v, const char *p, const char *e)
{
	v->present = true;
#ifdef VIA_AVX2
	if (__builtin_cpu_supports("avx2"))
		return via_fast_avx2(c, v, p, e);
#endif
	return via_parse_all(c, v, p, e);
}

/* A Via line: parses the top value of the message, counts the rest. */
static void
via_line(struct sip_ctx *c, const char *p, const char *e)
{
	struct sip_msg *m = c->msg;
	bool empty = false;

	if (m->via_count == 0) {
		m->via_count++;
		if ((p = via_parse(c, &m->via, p, e)) == NULL || p == e)
			return;
		p++;	/* the ',' */
	}
	m->via_count += list_count(p, e, &empty);
	if (empty)
		ctx_err(c, SIP_ERR_VIA, p);
}

/*
 * CSeq: 1*DIGIT LWS Method, the number at most 2^32 - 1 (RFC 3261 8.1.1.5).
 * Always inlined: gcc stopped inlining it once it got the method template,
 * and the call cost 6-14 instructions per message (measured).
 */
static inline __attribute__((always_inline)) void
cseq_parse(struct sip_ctx *c, const char *p, const char *e)
{
	struct sip_msg *m = c->msg;
	const char *q;
	uint64_t v = 0;

	/* The digits read as they are found; v stops growing past 2^32. */
	for (q = p; q < e && IS_DIGIT(*q); q++)
		if (v <= 0xffffffffU)
			v = v * 10 + (unsigned)(*q - '0');
	if (q == p || v > 0xffffffffU)
		ctx_err(c, SIP_ERR_CSEQ, p);
	else
		m->cseq = (uint32_t)v;
	/* Mostly one SP before the method. */
	if (q < e && *q == ' ' && (unsigned char)q[1] > ' ')
		p = q + 1;
	else
		p = skip_ws(q, e);
#ifdef SCAN_SSE2
	/* Mostly a known method, up to e. */
	if (c->end - p >= 16) {
		enum sip_method id = method_tmpl(p);

		if (id != SIP_METHOD_UNKNOWN && p + method_len[id] == e) {
			m->cseq_method = mkstr(p, e);
			m->cseq_method_id = id;
			return;
		}
	}
#endif
	q = skip_token(p, e);
	if (p == q || q != e) {
		ctx_err(c, SIP_ERR_CSEQ, p);
		if (p == q)
			return;
	}
	m->cseq_method = mkstr(p, q);
	m->cseq_method_id = method_lookup(m->cseq_method);
}

/*
 * True when [p, e) is a token68 credential (RFC 7235 2.1, e.g. Basic): a
 * run of token68 characters ending in optional '=' padding.
 */
static bool
auth_token68(const char *p, const char *e)
{
	const char *b = p;

	p = run(p, e, C_T68);
	if (p == b)
		return false;
	while (p < e && *p == '=')
		p++;
	return p == e;
}

/* The auth-params struct sip_auth keeps. */
enum { AUTH_OTHER, AUTH_USERNAME, AUTH_REALM, AUTH_URI, AUTH_RESPONSE };

/*
 * Digest auth-param names (RFC 2617, 7616) by length, lower case and
 * zero-padded, with their AUTH_ ids: a name equal to one of them (ignoring
 * case) is a token, so one 8-byte compare both checks and identifies it.
 * "algorithm", the one longer name, is compared on its own.
 */
static const char auth_names[9][2][8] = {
	[2] = { "nc" },
	[3] = { "uri", "qop" },
	[5] = { "realm", "nonce" },
	[6] = { "opaque", "cnonce" },
	[8] = { "username", "response" },
};
static const uint8_t auth_ids[9][2] = {
	[3] = { AUTH_URI },
	[5] = { AUTH_REALM },
	[8] = { AUTH_USERNAME, AUTH_RESPONSE },
};
/* load8(auth_ones + 8 - len) keeps the first len bytes of a load. */
static const char auth_ones[16] = {
	-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0
};

/*
 * The AUTH_ id of the name of len (1-8) bytes at p when it is one of
 * auth_names, else -1; [p, p + 8) may be read.
 */
static inline int
auth_name_id(const char *p, size_t len)
{
	uint64_t x = (load8(p) | LC8) & load8(auth_ones + 8 - len);

	if (x == load8(auth_names[len][0]))
		return auth_ids[len][0];
	if (x == load8(auth_names[len][1]))
		return auth_ids[len][1];
	return -1;
}

/* Keeps the value v of the auth-param named n when it is one we report. */
static inline void
auth_set(struct sip_auth *a, int id, struct gg_str v)
{
	switch (id) {
	case AUTH_USERNAME:
		a->username = v;
		break;
	case AUTH_REALM:
		a->realm = v;
		break;
	case AUTH_URI:
		a->uri = v;
		break;
	case AUTH_RESPONSE:
		a->response = v;
		break;
	}
}

/* The AUTH_ id of the auth-param name n (any token). */
static inline int
auth_id(struct gg_str n)
{
	/* By length first: most names are none of the four. */
	switch (n.len) {
	case 3:
		if (NAME_IS(n.p, n.len, "uri"))
			return AUTH_URI;
		break;
	case 5:
		if (NAME_IS(n.p, n.len, "realm"))
			return AUTH_REALM;
		break;
	case 8:
		if (NAME_IS(n.p, n.len, "username"))
			return AUTH_USERNAME;
		if (NAME_IS(n.p, n.len, "response"))
			return AUTH_RESPONSE;
		break;
	}
	return AUTH_OTHER;
}

#ifdef SCAN_SSE2
/*
 * Reads the auth-params from p, where auth_params()' loop would start,
 * while they have the usual shape: a token name, '=' at once, then a
 * quoted string without quoted-pairs or a value up to ',' or LWS, each
 * starting 16 bytes or more before the end of the buffer. One load finds
 * the '=' and the end of a short quoted value; a name of auth_names needs
 * no token check. A first value that is not quoted is left to the loop
 * (the token68 test). Returns where the loop goes on (e or the start of a
 * param), *any set when it read one; NULL after reporting a bad separator,
 * as the loop would.
 */
static const char *
auth_fast(struct sip_ctx *c, struct sip_auth *a, const char *p,
    const char *e, bool *any)
{
	const char *q, *r, *s;
	struct gg_str v;
	unsigned eq, qt;
	size_t len;
	__m128i x;
	int id;

	while (p < e && c->end - p >= 16) {
		x = scan_load(p);
		/* Bit 15 bounds the name: '=' at 15 or none is for the loop. */
		eq = scan_clip(scan_eq(x, '='), e - p) | 0x8000;
		len = (size_t)__builtin_ctz(eq);
		if (len - 1 >= 14)
			break;
		if (len <= 8)
			id = auth_name_id(p, len);
		else
			id = NAME_IS(p, len, "algorithm") ? AUTH_OTHER : -1;
		if (id < 0) {
			if (skip_token(p, p + len) != p + len)
				break;
			id = AUTH_OTHER;
		}
		q = p + len + 1;
		if (q < e && *q == '"') {
			qt = scan_clip(scan_eq(x, '"') | scan_eq(x, '\\'),
			    e - p) >> (len + 2);
			if (qt != 0)
				r = q + 1 + __builtin_ctz(qt);
			else
				r = scan2(p + 16, e, c->end, '"', '\\');
			if (r == e || *r != '"')
				break;
			v = mkstr(q + 1, r);
			s = r + 1;
		} else {
			if (!*any || (q < e && IS(*q, C_WS)))
				break;
			for (r = q; r < e && *r != ',' && !IS(*r, C_WS); r++)
				;
			v = mkstr(q, r);
			s = r;
		}
		auth_set(a, id, v);
		*any = true;
		/* The loop's separator: LWS ',' LWS. */
		if (s < e && *s != ',')
			s = skip_ws(s, e);
		if (s < e) {
			if (*s != ',') {
				ctx_err(c, SIP_ERR_HEADER_VALUE, s);
				return NULL;
			}
			s++;
		}
		p = skip_ws(s, e);
	}
	return p;
}
#endif

#if defined(SIP_AVX2) && !defined(GG_NO_AVX2)
#define AUTH_AVX2	1
/* Where struct sip_auth keeps the value of each auth_names entry, or 0. */
static const uint8_t auth_offs[9][2] = {
	[3] = { offsetof(struct sip_auth, uri) },
	[5] = { offsetof(struct sip_auth, realm) },
	[8] = { offsetof(struct sip_auth, username),
		offsetof(struct sip_auth, response) },
};

/*
 * The bits of the 32 bytes at p that are '=', '"' or '\\': the stops of a
 * Digest param, whose name ends at its first '=', then a quote opens the
 * value and the next stop closes it.
 */
__attribute__((target("avx2"))) static inline uint64_t
auth_stops(const char *p)
{
	__m256i x = _mm256_loadu_si256((const __m256i *)(const void *)p);

	return (uint32_t)_mm256_movemask_epi8(_mm256_or_si256(
	    _mm256_cmpeq_epi8(x, _mm256_set1_epi8('=')), _mm256_or_si256(
	    _mm256_cmpeq_epi8(x, _mm256_set1_epi8('"')),
	    _mm256_cmpeq_epi8(x, _mm256_set1_epi8('\\')))));
}

/*
 * The Digest params of the usual shape: a name of auth_names or
 * "algorithm", '=' at once, a quoted string without '\\' ending before e
 * (or a token up to ',', LWS or e), then e, ',' or ", ". One mask of the
 * stops ('=' '"' '\\') of 32 bytes gives the name's end, the opening
 * quote and the closing one (the next stop; of the next 32 bytes for a
 * longer value), each checked by one byte compare; the value is stored at
 * the offset the name's table entry gives. Any other param (another name,
 * a '=' or '\\' in a quoted value, other separators) is left to
 * auth_fast() and the loop of auth_params(), which read it as before.
 * Returns where they go on (e or the start of a param, after its LWS);
 * reports nothing. -DGG_NO_AVX2 builds without it (to test auth_fast()).
 */
__attribute__((target("avx2"))) static const char *
auth_fast_avx2(const struct sip_ctx *c, struct sip_auth *a, const char *p,
    const char *e, bool *any)
{
	const char *end;
	uint64_t m, x8;
	size_t len, r, off;
	struct gg_str v;
	bool got = *any;

	/* Each window's 64 bytes may be read: stop 63 bytes before c->end. */
	if (c->end - p < 64)
		return p;
	end = c->end - e >= 63 ? e : c->end - 63;
	while (p < end) {
		m = auth_stops(p) | 1ULL << 32;
		len = (size_t)__builtin_ctzll(m);
		if (len - 1 >= 9 || p[len] != '=')
			break;
		if (len <= 8) {
			x8 = (load8(p) | LC8) & load8(auth_ones + 8 - len);
			if (x8 == load8(auth_names[len][0]))
				off = auth_offs[len][0];
			else if (x8 == load8(auth_names[len][1]))
				off = auth_offs[len][1];
			else
				break;
		} else if (NAME_IS(p, len, "algorithm")) {
			off = 0;
		} else {
			break;
		}
		if (p[len + 1] == '"') {
			/* The closing quote: the next stop, maybe past 32. */
			m = (m & 0xffffffffULL) >> (len + 2);
			if (m != 0)
				r = len + 2 + (size_t)__builtin_ctzll(m);
			else if ((m = auth_stops(p + 32)) != 0)
				r = 32 + (size_t)__builtin_ctzll(m);
			else
				break;
			if (r >= (size_t)(e - p) || p[r] != '"')
				break;
			v = mkstr(p + len + 2, p + r);
		} else {
			/*
			 * A token value (algorithm=MD5): its '=' before the
			 * last byte of the value, and not in the first param
			 * (the loop tests that for a token68 credential).
			 */
			if (!got || len + 1 >= (size_t)(e - p) ||
			    IS(p[len + 1], C_WS))
				break;
			for (r = len + 1; p + r < e && p[r] != ',' &&
			    !IS(p[r], C_WS); r++)
				;
			v = mkstr(p + len + 1, p + r);
			r--;
		}
		if (off != 0)
			memcpy((char *)a + off, &v, sizeof(v));
		got = true;
		/*
		 * e, or the separator the loop would skip: ", " or ','. Else
		 * the loop reads this param again (the same values).
		 */
		p += r + 1;
		if (p == e)
			break;
		if (e - p >= 2 && load2(p) == load2(", ")) {
			p += 2;
		} else if (*p == ',') {
			p++;
		} else {
			p -= r + 1;
			break;
		}
	}
	*any = got;
	/* Where the loop would start the next param: after any LWS. */
	return skip_ws(p, e);
}
#endif

/*
 * The auth-params from p to e, any when one was read before (then the rest
 * is no token68 credential), auth-param = token EQUAL (token /
 * quoted-string), separated by LWS "," LWS.
 */
__attribute__((noinline)) static void
auth_params(struct sip_ctx *c, struct sip_auth *a, const char *p,
    const char *e, bool any)
{
	const char *q;
	struct gg_str n, v;

	for (p = skip_ws(p, e); p < e; p = skip_ws(p, e)) {
#ifdef AUTH_AVX2
		if (__builtin_cpu_supports("avx2")) {
			p = auth_fast_avx2(c, a, p, e, &any);
			if (p == e)
				break;
		}
#endif
#ifdef SCAN_SSE2
		if ((p = auth_fast(c, a, p, e, &any)) == NULL)
			return;
		if (p == e)
			break;
#endif
		if (!any && auth_token68(p, e))
			return;
		any = true;
		if ((q = skip_token(p, e)) == p)
			goto bad;
		n = mkstr(p, q);
		p = q < e && *q == '=' ? q : skip_ws(q, e);
		if (p == e || *p != '=')
			goto bad;
		p++;
		if (p < e && *p != '"')
			p = skip_ws(p, e);
		if (p < e && *p == '"') {
			if ((q = quoted_end_in(p + 1, e, c->end)) == NULL)
				goto bad;
			v = mkstr(p + 1, q);
			p = q + 1;
		} else {
			for (q = p; q < e && *q != ',' && !IS(*q, C_WS); q++)
				;
			v = mkstr(p, q);
			p = q;
		}
		auth_set(a, auth_id(n), v);
		/* Usually ',' follows at once. */
		if (p < e && *p != ',')
			p = skip_ws(p, e);
		if (p < e) {
			if (*p != ',')
				goto bad;
			p++;
		}
	}
	return;
bad:
	ctx_err(c, SIP_ERR_HEADER_VALUE, p);
}

/*
 * Authorization / Proxy-Authorization: scheme LWS auth-param *("," auth-
 * param). With AVX2 the params of the usual shape are read here at once,
 * and auth_params(), out of line, only runs for the others: the common
 * value does not pay the general loop's prologue.
 */
static void
auth_parse(struct sip_ctx *c, struct sip_auth *a, const char *p,
    const char *e)
{
	const char *q;
	bool any = false;

	a->present = true;
	a->raw = mkstr(p, e);
	/* Nearly always "Digest ": one compare ends the scheme. */
	if (e - p >= 7 && bytes_eq(p, "Digest ", 7)) {
		q = p + 6;
	} else if ((q = skip_token(p, e)) == p) {
		ctx_err(c, SIP_ERR_HEADER_VALUE, p);
		return;
	}
	a->scheme = mkstr(p, q);
#ifdef AUTH_AVX2
	if (__builtin_cpu_supports("avx2")) {
		p = skip_ws(q, e);
		if (p == e || (q = auth_fast_avx2(c, a, p, e, &any)) == e)
			return;
	}
#endif
	auth_params(c, a, q, e, any);
}

/*
 * Compact header forms (RFC 3261 7.3.3 and the IANA registry), by letter:
 * the id, or -1 when the letter is not a compact form. Those we do not name
 * count as SIP_HDR_OTHER.
 */
static const int8_t compact_hdr[26] = {
	SIP_HDR_OTHER,		/* a Accept-Contact */
	SIP_HDR_OTHER,		/* b Referred-By */
	SIP_HDR_CONTENT_TYPE,	/* c */
	SIP_HDR_OTHER,		/* d Request-Disposition */
	SIP_HDR_OTHER,		/* e Content-Encoding */
	SIP_HDR_FROM,		/* f */
	-1,			/* g */
	-1,			/* h */
	SIP_HDR_CALL_ID,	/* i */
	SIP_HDR_OTHER,		/* j Reject-Contact */
	SIP_HDR_SUPPORTED,	/* k */
	SIP_HDR_CONTENT_LENGTH,	/* l */
	SIP_HDR_CONTACT,	/* m */
	SIP_HDR_OTHER,		/* n Identity-Info */
	SIP_HDR_OTHER,		/* o Event */
	-1,			/* p */
	-1,			/* q */
	SIP_HDR_OTHER,		/* r Refer-To */
	SIP_HDR_SUBJECT,	/* s */
	SIP_HDR_TO,		/* t */
	SIP_HDR_OTHER,		/* u Allow-Events */
	SIP_HDR_VIA,		/* v */
	-1,			/* w */
	SIP_HDR_OTHER,		/* x Session-Expires */
	SIP_HDR_OTHER,		/* y Identity */
	-1,			/* z */
};

/* Their long names, by letter (NULL: not a compact form). */
static const char *const compact_long[26] = {
	"Accept-Contact", "Referred-By", "Content-Type", "Request-Disposition",
	"Content-Encoding", "From", NULL, NULL, "Call-ID", "Reject-Contact",
	"Supported", "Content-Length", "Contact", "Identity-Info", "Event",
	NULL, NULL, "Refer-To", "Subject", "To", "Allow-Events", "Via", NULL,
	"Session-Expires", "Identity", NULL,
};

const char *
sip_compact_name(char c)
{
	unsigned char l = (unsigned char)(c | 0x20);

	return l >= 'a' && l <= 'z' ? compact_long[l - 'a'] : NULL;
}

/*
 * Maps a header name (a non-empty token) to its id, or HDR_DATE, by its
 * first letter and length. Sets *compact for a compact form.
 */
static int
hdr_lookup(const char *n, size_t len, bool *compact)
{
	unsigned l = (unsigned)(n[0] | 0x20) - 'a';

	if (l >= 26)
		return SIP_HDR_OTHER;
	if (len == 1) {
		if (compact_hdr[l] < 0)
			return SIP_HDR_OTHER;
		*compact = true;
		return compact_hdr[l];
	}
	switch (n[0] | 0x20) {
	case 'a':
		if (NAME_IS(n, len, "accept"))
			return SIP_HDR_ACCEPT;
		if (NAME_IS(n, len, "allow"))
			return SIP_HDR_ALLOW;
		if (NAME_IS(n, len, "authorization"))
			return SIP_HDR_AUTHORIZATION;
		break;
	case 'c':
		if (NAME_IS(n, len, "cseq"))
			return SIP_HDR_CSEQ;
		if (NAME_IS(n, len, "call-id"))
			return SIP_HDR_CALL_ID;
		if (NAME_IS(n, len, "contact"))
			return SIP_HDR_CONTACT;
		if (NAME_IS(n, len, "content-type"))
			return SIP_HDR_CONTENT_TYPE;
		if (NAME_IS(n, len, "content-length"))
			return SIP_HDR_CONTENT_LENGTH;
		break;
	case 'd':
		if (NAME_IS(n, len, "date"))
			return HDR_DATE;
		break;
	case 'e':
		if (NAME_IS(n, len, "expires"))
			return SIP_HDR_EXPIRES;
		break;
	case 'f':
		if (NAME_IS(n, len, "from"))
			return SIP_HDR_FROM;
		break;
	case 'm':
		if (NAME_IS(n, len, "max-forwards"))
			return SIP_HDR_MAX_FORWARDS;
		break;
	case 'p':
		if (NAME_IS(n, len, "proxy-authorization"))
			return SIP_HDR_PROXY_AUTHORIZATION;
		break;
	case 'r':
		if (NAME_IS(n, len, "route"))
			return SIP_HDR_ROUTE;
		if (NAME_IS(n, len, "record-route"))
			return SIP_HDR_RECORD_ROUTE;
		break;
	case 's':
		if (NAME_IS(n, len, "server"))
			return SIP_HDR_SERVER;
		if (NAME_IS(n, len, "subject"))
			return SIP_HDR_SUBJECT;
		if (NAME_IS(n, len, "supported"))
			return SIP_HDR_SUPPORTED;
		break;
	case 't':
		if (NAME_IS(n, len, "to"))
			return SIP_HDR_TO;
		break;
	case 'u':
		if (NAME_IS(n, len, "user-agent"))
			return SIP_HDR_USER_AGENT;
		break;
	case 'v':
		if (NAME_IS(n, len, "via"))
			return SIP_HDR_VIA;
		break;
	case 'w':
		if (NAME_IS(n, len, "www-authenticate"))
			return SIP_HDR_WWW_AUTHENTICATE;
		break;
	}
	return SIP_HDR_OTHER;
}

/*
 * The names hdr_lookup() knows, lower case and zero-padded so that they can
 * be compared 8 bytes at a time (hname_eq), sorted by first letter.
 */
struct hname {
	char		lc[24];	/* the name, lower case, zero-padded */
	uint8_t		len;	/* strlen(lc) */
	uint8_t		dash;	/* offset of its '-', 0 if none */
	uint8_t		id;	/* enum sip_hdr, or HDR_DATE */
};

static const struct hname hnames[] = {
	{ "accept", 6, 0, SIP_HDR_ACCEPT },			/* 0 */
	{ "allow", 5, 0, SIP_HDR_ALLOW },
	{ "authorization", 13, 0, SIP_HDR_AUTHORIZATION },
	{ "call-id", 7, 4, SIP_HDR_CALL_ID },			/* 3 */
	{ "contact", 7, 0, SIP_HDR_CONTACT },
	{ "content-length", 14, 7, SIP_HDR_CONTENT_LENGTH },
	{ "content-type", 12, 7, SIP_HDR_CONTENT_TYPE },
	{ "cseq", 4, 0, SIP_HDR_CSEQ },
	{ "date", 4, 0, HDR_DATE },				/* 8 */
	{ "expires", 7, 0, SIP_HDR_EXPIRES },			/* 9 */
	{ "from", 4, 0, SIP_HDR_FROM },				/* 10 */
	{ "max-forwards", 12, 3, SIP_HDR_MAX_FORWARDS },	/* 11 */
	{ "proxy-authorization", 19, 5, SIP_HDR_PROXY_AUTHORIZATION }, /* 12 */
	{ "record-route", 12, 6, SIP_HDR_RECORD_ROUTE },	/* 13 */
	{ "route", 5, 0, SIP_HDR_ROUTE },
	{ "server", 6, 0, SIP_HDR_SERVER },			/* 15 */
	{ "subject", 7, 0, SIP_HDR_SUBJECT },
	{ "supported", 9, 0, SIP_HDR_SUPPORTED },
	{ "to", 2, 0, SIP_HDR_TO },				/* 18 */
	{ "user-agent", 10, 4, SIP_HDR_USER_AGENT },		/* 19 */
	{ "via", 3, 0, SIP_HDR_VIA },				/* 20 */
	{ "www-authenticate", 16, 3, SIP_HDR_WWW_AUTHENTICATE }, /* 21 */
};


/* Bytes 8 - len .. 15 - len are len 0xff then zeros: a load mask. */
static const unsigned char lenmask[16] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff
};

/*
 * True when the h->len bytes at p spell h's name in any case. The caller
 * guarantees that max(8, h->len) bytes at p may be read (bytes after the
 * name are masked off). OR-ing 0x20 folds letters and leaves '-' alone,
 * but also turns CR into '-': hence the dash check.
 */
static inline bool
hname_eq(const char *p, const struct hname *h)
{
	size_t len = h->len, i;

	if (len < 8)
		return (((load8(p) | LC8) ^ load8(h->lc)) &
		    load8(lenmask + 8 - len)) == 0;
	for (i = 0; i + 8 < len; i += 8)
		if ((load8(p + i) | LC8) != load8(h->lc + i))
			return false;
	return (load8(p + len - 8) | LC8) == load8(h->lc + len - 8) &&
	    (h->dash == 0 || p[h->dash] == '-');
}

/*
 * Index of the first ':' among the 8 bytes loaded in x (in memory order),
 * 8 when there is none. The zero-byte test is the exact one (no borrow), so
 * it also holds on big-endian machines.
 */
static inline unsigned
colon8(uint64_t x)
{
	const uint64_t lo7 = 0x7f7f7f7f7f7f7f7fULL;
	uint64_t y = x ^ 0x3a3a3a3a3a3a3a3aULL, z;

	z = ~(((y & lo7) + lo7) | y | lo7);
	if (z == 0)
		return 8;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	return (unsigned)__builtin_clzll(z) / 8;
#else
	return (unsigned)__builtin_ctzll(z) / 8;
#endif
}

/*
 * The length of the name at p, 8 <= e - p: the offset of the first ':', 8
 * bytes at a time (at most 24).
 */
static inline unsigned
hname_len(const char *p, const char *e)
{
	unsigned len;

	len = colon8(load8(p));
	if (len == 8 && e - p > 16) {
		len += colon8(load8(p + 8));
		if (len == 16 && e - p > 24)
			len += colon8(load8(p + 16));
	}
	return len;
}

/*
 * The header whose name is the len bytes at p, followed by the ':' at p +
 * len (len < 32, and at least 8 bytes readable at p): the name's length and
 * first letter leave one candidate of hnames to compare. Returns its id, or
 * -1 for other names (and compact forms: the slow path). The switch key
 * (len * 20 + letter) mod 64 is distinct for the 21 cases, so gcc makes it
 * a jump table, where len << 5 | letter took a tree of compares; other
 * lengths may share a key, hence the length check.
 */
static inline __attribute__((always_inline)) int
hname_id(const char *p, unsigned len)
{
	unsigned i;

	switch ((len * 20 + ((unsigned)p[0] & 0x1f)) & 63) {
#define K(l, c)	(((l) * 20 + ((c) & 0x1f)) & 63)
	case K(2, 't'): i = 18; break;
	case K(3, 'v'): i = 20; break;
	case K(4, 'c'): i = 7; break;
	case K(4, 'd'): i = 8; break;
	case K(4, 'f'): i = 10; break;
	case K(5, 'a'): i = 1; break;
	case K(5, 'r'): i = 14; break;
	case K(6, 'a'): i = 0; break;
	case K(6, 's'): i = 15; break;
	case K(7, 'c'): i = (p[1] | 0x20) == 'a' ? 3 : 4; break;
	case K(7, 'e'): i = 9; break;
	case K(7, 's'): i = 16; break;
	case K(9, 's'): i = 17; break;
	case K(10, 'u'): i = 19; break;
	case K(12, 'c'): i = 6; break;
	case K(12, 'm'): i = 11; break;
	case K(12, 'r'): i = 13; break;
	case K(13, 'a'): i = 2; break;
	case K(14, 'c'): i = 5; break;
	case K(16, 'w'): i = 21; break;
	case K(19, 'p'): i = 12; break;
#undef K
	default:
		return -1;
	}
	return hnames[i].len == len && hname_eq(p, &hnames[i]) ?
	    hnames[i].id : -1;
}

#ifdef SCAN_SSE2
/*
 * The names of hnames as templates of a line's first 16 bytes: the name and
 * its ':' in lower case, and 0x20 (SP) on the name's letters to OR the
 * line's bytes with. One compare then checks a name of up to 15 bytes and
 * its ':' exactly: OR-ing 0x20 makes a lower case letter of letters only,
 * and '-' and ':' are compared as they are. Names of 16 bytes and more
 * compare their first 16, then their last four (tail). Indexed by HT_KEY(),
 * a multiplicative hash of the first two letters (case folded) plus the
 * length, distinct for the 22 names (a repeated slot fails the build:
 * -Woverride-init, clang's -Winitializer-overrides). An empty slot (zeros)
 * matches 16 NUL bytes only, which hold no ':' (len < 16) and whose len is
 * not the slot's 0 (len > 15).
 */
struct htmpl {
	char		lc[16];
	char		fold[16];
	uint32_t	skip;	/* the bits of the bytes not compared */
	uint32_t	tail;	/* len > 15: its last four bytes */
	uint8_t		len;
	uint8_t		id;
} __attribute__((aligned(64)));	/* a slot's address by one shift */

#define HT_KEY(len, a, b)	((uint32_t)((((unsigned)(a) | \
	(unsigned)(b) << 8) | 0x2020) + (len)) * 0x81f9c1f7u >> 26)
#define TAIL4(a, b, c, d)	((uint32_t)(a) | (uint32_t)(b) << 8 | \
	(uint32_t)(c) << 16 | (uint32_t)(d) << 24)
#define HT(len, a, b, lc, fold, tail, id)	[HT_KEY(len, a, b)] = \
	{ lc, fold, len < 16 ? 0xffff & ~((2u << len) - 1) : 0, tail, len, id }

static const struct htmpl htmpl[64] = {
	HT(6, 'a', 'c', "accept:", "      \0",
	    0, SIP_HDR_ACCEPT),
	HT(5, 'a', 'l', "allow:", "     \0",
	    0, SIP_HDR_ALLOW),
	HT(13, 'a', 'u', "authorization:", "             \0",
	    0, SIP_HDR_AUTHORIZATION),
	HT(7, 'c', 'a', "call-id:", "    \0  \0",
	    0, SIP_HDR_CALL_ID),
	HT(7, 'c', 'o', "contact:", "       \0",
	    0, SIP_HDR_CONTACT),
	HT(14, 'c', 'o', "content-length:", "       \0      \0",
	    0, SIP_HDR_CONTENT_LENGTH),
	HT(12, 'c', 'o', "content-type:", "       \0    \0",
	    0, SIP_HDR_CONTENT_TYPE),
	HT(4, 'c', 's', "cseq:", "    \0",
	    0, SIP_HDR_CSEQ),
	HT(4, 'd', 'a', "date:", "    \0",
	    0, HDR_DATE),
	HT(7, 'e', 'x', "expires:", "       \0",
	    0, SIP_HDR_EXPIRES),
	HT(4, 'f', 'r', "from:", "    \0",
	    0, SIP_HDR_FROM),
	HT(12, 'm', 'a', "max-forwards:", "   \0        \0",
	    0, SIP_HDR_MAX_FORWARDS),
	HT(19, 'p', 'r', "proxy-authorizat", "     \0          ",
	    TAIL4('t', 'i', 'o', 'n'), SIP_HDR_PROXY_AUTHORIZATION),
	HT(12, 'r', 'e', "record-route:", "      \0     \0",
	    0, SIP_HDR_RECORD_ROUTE),
	HT(5, 'r', 'o', "route:", "     \0",
	    0, SIP_HDR_ROUTE),
	HT(6, 's', 'e', "server:", "      \0",
	    0, SIP_HDR_SERVER),
	HT(7, 's', 'u', "subject:", "       \0",
	    0, SIP_HDR_SUBJECT),
	HT(9, 's', 'u', "supported:", "         \0",
	    0, SIP_HDR_SUPPORTED),
	HT(2, 't', 'o', "to:", "  \0",
	    0, SIP_HDR_TO),
	HT(10, 'u', 's', "user-agent:", "    \0     \0",
	    0, SIP_HDR_USER_AGENT),
	HT(3, 'v', 'i', "via:", "   \0",
	    0, SIP_HDR_VIA),
	HT(16, 'w', 'w', "www-authenticate", "   \0            ",
	    TAIL4('c', 'a', 't', 'e'), SIP_HDR_WWW_AUTHENTICATE),
};
#undef HT
#undef TAIL4

/*
 * hname_id() for a line whose first 16 bytes are x, its first ':' at p +
 * len: one table slot, one compare of x with it. wide (a constant) when
 * the ':' is not in x (len > 15).
 */
static inline __attribute__((always_inline)) int
hname_tmpl(__m128i x, const char *p, unsigned len, bool wide)
{
	const struct htmpl *t = &htmpl[HT_KEY(len, (unsigned char)p[0],
	    (unsigned char)p[1])];
	unsigned m;

	m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_or_si128(x,
	    scan_load(t->fold)), scan_load(t->lc)));
	if ((m | t->skip) != 0xffff)
		return -1;
	if (wide && (len != t->len || (load4(p + len - 4) | LC4) != t->tail))
		return -1;
	return t->id;
}
#endif

/*
 * The fast path of header name lookup without vector loads, for lines of at
 * least 8 bytes: the ':' is found 8 bytes at a time. Returns the id when the
 * name is one of hnames directly followed by ':', with *n set on the ':';
 * -1 otherwise (other names, LWS before ':', compact forms: the slow path).
 */
static inline int
hname_fast(const char *p, const char *e, const char **n)
{
	unsigned len = hname_len(p, e);
	int id;

	if (len >= (size_t)(e - p) || (id = hname_id(p, len)) < 0)
		return -1;
	*n = p + len;
	return id;
}

/*
 * For headers that may appear once (RFC 3261 20, RFC 4475 multi01): true the
 * first time; a repeat is SIP_ERR_DUPLICATE and keeps the first value.
 */
static bool
hdr_once(struct sip_ctx *c, int id, const char *at)
{
	uint32_t bit = 1u << id;

	if (c->seen & bit) {
		ctx_err(c, SIP_ERR_DUPLICATE, at);
		return false;
	}
	c->seen |= bit;
	return true;
}

/* Content-Length: digits only; repeats must agree (RFC 4475 mcl01). */
static void
clen_parse(struct sip_ctx *c, const char *p, const char *e)
{
	struct sip_msg *m = c->msg;
	long long v = num_parse(p, e, 999999999999999LL);
	uint32_t bit = 1u << SIP_HDR_CONTENT_LENGTH;

	if (v < 0 || ((c->seen & bit) && v != m->content_length)) {
		ctx_err(c, SIP_ERR_CONTENT_LENGTH, p);
		c->cl_bad = true;
	}
	m->content_length = c->cl_bad ? -1 : v;
	c->seen |= bit;
}

/*
 * The value of header id at [p, e), trimmed. Always inlined, as hdr_line()
 * is: one call per header line out of line cost 220 instructions per
 * REGISTER (measured), and gcc's choice flips as the value parsers grow.
 * The ids whose values are not read (SIP_HDR_OTHER, WWW-Authenticate,
 * Accept, Allow, Supported, Route, Record-Route) take the default: their
 * lines are rare, and a test before the trimming cost 40-50 instructions
 * per message on the lines that are read.
 */
static inline __attribute__((always_inline)) void
hdr_value(struct sip_ctx *c, int id, const char *p, const char *e)
{
	struct sip_msg *m = c->msg;
	long long v;

	switch (id) {
	case SIP_HDR_VIA:
		via_line(c, p, e);
		break;
	case SIP_HDR_FROM:
		if (hdr_once(c, id, p))
			fromto_parse(c, &m->from, p, e);
		break;
	case SIP_HDR_TO:
		if (hdr_once(c, id, p))
			fromto_parse(c, &m->to, p, e);
		break;
	case SIP_HDR_CONTACT:
		contact_parse(c, p, e);
		break;
	case SIP_HDR_CALL_ID:
		if (hdr_once(c, id, p)) {
			m->call_id = mkstr(p, e);
			if (p == e)
				ctx_err(c, SIP_ERR_HEADER_VALUE, p);
		}
		break;
	case SIP_HDR_CSEQ:
		if (hdr_once(c, id, p))
			cseq_parse(c, p, e);
		break;
	case SIP_HDR_MAX_FORWARDS:
		if (!hdr_once(c, id, p))
			break;
		/* RFC 3261 20.22: 0-255; RFC 4475 scalar02. */
		v = num_parse(p, e, 255);
		if (v < 0)
			ctx_err(c, SIP_ERR_HEADER_VALUE, p);
		m->max_forwards = v == -2 ? 256 : (int)v;
		break;
	case SIP_HDR_CONTENT_LENGTH:
		clen_parse(c, p, e);
		break;
	case SIP_HDR_EXPIRES:
		/* Not an error when it does not parse: RFC 2543 allowed a
		 * date here, and RFC 4475 scalar02 says it may be tolerated. */
		if (!(c->seen & (1u << id))) {
			v = num_parse(p, e, 0xffffffffLL);
			m->expires = v < 0 ? -1 : v;
		}
		c->seen |= 1u << id;
		break;
	case SIP_HDR_CONTENT_TYPE:
		if (m->content_type.p == NULL)
			m->content_type = mkstr(p, e);
		break;
	case SIP_HDR_USER_AGENT:
		if (m->user_agent.p == NULL)
			m->user_agent = mkstr(p, e);
		break;
	case SIP_HDR_SERVER:
		if (m->server.p == NULL)
			m->server = mkstr(p, e);
		break;
	case SIP_HDR_SUBJECT:
		if (m->subject.p == NULL)
			m->subject = mkstr(p, e);
		break;
	case SIP_HDR_AUTHORIZATION:
		if (!m->auth.present)
			auth_parse(c, &m->auth, p, e);
		break;
	case SIP_HDR_PROXY_AUTHORIZATION:
		if (!m->proxy_auth.present)
			auth_parse(c, &m->proxy_auth, p, e);
		break;
	case HDR_DATE:
		/* RFC 3261 20.17: always GMT (RFC 4475 baddate). */
		if (e - p < 3 || memcmp(e - 3, "GMT", 3) != 0)
			ctx_err(c, SIP_ERR_HEADER_VALUE, p);
		break;
	}
}

/*
 * One header line [p, e), folds included, line end excluded. id >= 0 is the
 * header the fast path found, with n on the ':' after its name; -1 leaves
 * the name to the slow path.
 */
static inline __attribute__((always_inline)) void
hdr_line(struct sip_ctx *c, const char *p, const char *e, int id,
    const char *n)
{
	struct sip_msg *m = c->msg;
	const char *v;
	bool compact = false;
	unsigned k;
	int ord;

	if (id < 0 && e - p >= 8)
		id = hname_fast(p, e, &n);
	if (id >= 0) {
		v = n;
	} else {
		n = skip_token(p, e);
		for (v = n; v < e && (*v == ' ' || *v == '\t'); v++)
			;
		if (n == p || v == e || *v != ':') {
			ctx_err(c, SIP_ERR_HEADER, v);
			id = SIP_HDR_OTHER;
		} else {
			id = hdr_lookup(p, (size_t)(n - p), &compact);
			m->compact |= compact;
		}
	}
	/* SIP_HDR_OTHER and HDR_DATE (reported as other), by one compare:
	 * the ids run from 0 to HDR_DATE. */
	ord = id;
	if ((unsigned)id - 1 >= HDR_DATE - 1) {
		ord = SIP_HDR_OTHER;
		m->other_count++;
	}
	if ((k = m->hdr_count++) < SIP_ORDER_MAX)
		m->hdr_order[k] = (uint8_t)ord;
	else if (k >= SIP_MAX_HEADERS)
		ctx_err(c, SIP_ERR_TOO_MANY, p);
	/* Mostly one SP, then no LWS at either end: v + 1 <= e, and *e (the
	 * line end) and e[-1] (at worst the ':') may be read. */
	v += v[1] == ' ' ? 2 : 1;
	if ((unsigned char)*v <= ' ')
		v = skip_ws(v, e);
	if ((unsigned char)e[-1] <= ' ')
		e = rtrim(v, e);
	hdr_value(c, id, v, e);
}

#ifdef SCAN_SSE2
/*
 * The first '\n' in [q, end), or NULL: 32 bytes at a time inline, memchr
 * for the last 31. memchr's set-up costs more than the two or three steps
 * most long lines (Via, Allow, Authorization) take.
 */
static inline const char *
nl_find(const char *q, const char *end)
{
	unsigned m;

	while (end - q >= 32) {
		m = scan_eq(scan_load(q), '\n') |
		    scan_eq(scan_load(q + 16), '\n') << 16;
		if (m != 0)
			return q + __builtin_ctz(m);
		q += 32;
	}
	return memchr(q, '\n', (size_t)(end - q));
}
#endif

/*
 * The '\n' that ends the line whose first '\n' is nl (nl + 1 < end): the
 * last of its folds (lines starting with SP or HT), or NULL when the byte
 * after one is not in the buffer. Out of line: folds are rare.
 */
static __attribute__((noinline)) const char *
fold_end(const char *nl, const char *end)
{
	while (nl[1] == ' ' || nl[1] == '\t') {
		nl = memchr(nl + 1, '\n', (size_t)(end - nl - 1));
		if (nl == NULL || nl + 1 == end)
			return NULL;
	}
	return nl;
}

/*
 * Walks the header lines from p. Returns SIP_OK with *body just after the
 * empty line, or SIP_EPARTIAL when the section does not end in the buffer.
 *
 * With SSE2 and 32 bytes left, the two loads at the start of a line give
 * both its '\n' (most lines are shorter than 32 bytes, or not much longer)
 * and the ':' after its name: a memchr call per line costs more than the
 * line's whole scan, mostly in its set-up.
 */
static enum sip_rc
hdrs_parse(struct sip_ctx *c, const char *p, const char *end,
    const char **body)
{
	const char *nl, *le, *n = NULL;
	int id;

	for (;;) {
		if (p == end)
			return SIP_EPARTIAL;
		/* One compare keeps the common case (a letter) going. */
		if ((unsigned char)*p <= '\r' && (*p == '\n' || *p == '\r')) {
			if (*p == '\n') {
				*body = p + 1;
				return SIP_OK;
			}
			if (p + 1 == end)
				return SIP_EPARTIAL;
			if (p[1] == '\n') {
				c->crlf = true;
				*body = p + 2;
				return SIP_OK;
			}
		}
		id = -1;
#ifdef SCAN_SSE2
		if (end - p >= 32) {
			__m128i x = scan_load(p), y = scan_load(p + 16);
			unsigned lm, cm, len;

			lm = scan_eq(x, '\n') | scan_eq(y, '\n') << 16;
			if (lm != 0)
				nl = p + __builtin_ctz(lm);
			else if ((nl = nl_find(p + 32, end)) == NULL)
				return SIP_EPARTIAL;
			/* A name hnames knows holds no '\n': its ':' comes
			 * before the line's end (and before a CR there).
			 * Names of 16 bytes and more are rare. */
			if ((cm = scan_eq(x, ':')) != 0) {
				len = (unsigned)__builtin_ctz(cm);
				id = hname_tmpl(x, p, len, false);
			} else if ((cm = scan_eq(y, ':')) != 0) {
				len = 16 + (unsigned)__builtin_ctz(cm);
				id = hname_tmpl(x, p, len, true);
			}
			if (id >= 0)
				n = p + len;
		} else if (end - p >= 16) {
			/* The last lines of a message without body: the
			 * 16 bytes that end the buffer hold the rest. */
			__m128i x = scan_load(p);
			unsigned cm = scan_eq(x, ':'), lm, len;

			if ((lm = scan_eq(x, '\n')) != 0)
				nl = p + __builtin_ctz(lm);
			else if ((lm = scan_eq(scan_load(end - 16), '\n')) != 0)
				nl = end - 16 + __builtin_ctz(lm);
			else
				return SIP_EPARTIAL;
			if (cm != 0 && (id = hname_tmpl(x, p,
			    (len = (unsigned)__builtin_ctz(cm)), false)) >= 0)
				n = p + len;
		} else
#endif
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			return SIP_EPARTIAL;
		/* A line starting with SP or HT continues the value; the
		 * byte after the last '\n' must be seen to know. */
		if (nl + 1 == end)
			return SIP_EPARTIAL;
		if ((unsigned char)nl[1] <= ' ' &&
		    (nl = fold_end(nl, end)) == NULL)
			return SIP_EPARTIAL;
		/* nl > p: a line starting with '\n' was the empty one. */
		le = nl;
		if (le[-1] == '\r') {
			le--;
			c->crlf = true;
		}
		hdr_line(c, p, le, id, n);
		p = nl + 1;
	}
}

/* "SIP/2.0", the only version we speak (RFC 3261 7.1); "SIP" is case-blind. */
static bool
version_ok(const char *p, const char *e)
{
	return e - p == 7 && (p[0] | 0x20) == 's' && (p[1] | 0x20) == 'i' &&
	    (p[2] | 0x20) == 'p' && memcmp(p + 3, "/2.0", 4) == 0;
}

/*
 * True when the 8 bytes at p are " SIP/2.0" ("SIP" in any case): one load,
 * 0x20 OR-ed on the three letters only (it makes 's', 'i', 'p' of those
 * letters only).
 */
static inline bool
sp_version_ok(const char *p)
{
	uint64_t fold, want;

	/* Byte arrays, not integers: the same on either byte order. */
	memcpy(&fold, "\0   \0\0\0", 8);
	memcpy(&want, " sip/2.0", 8);
	return (load8(p) | fold) == want;
}

static bool
sip_slash(const char *p, const char *e)
{
	return e - p >= 4 && (p[0] | 0x20) == 's' && (p[1] | 0x20) == 'i' &&
	    (p[2] | 0x20) == 'p' && p[3] == '/';
}

/*
 * The Status-Code at p (just after the version's SP) of a status line ending
 * at e: 100-699, three digits followed by SP or the end of the line; else 0.
 * *qp is set to the first byte after the digits. sip_parse and
 * sip_peek_status both read the code here, so they cannot disagree.
 */
static int
status_code(const char *p, const char *e, const char **qp)
{
	const char *q;
	unsigned v = 0, n = 0;

	for (q = p; q < e && IS_DIGIT(*q); q++, n++)
		if (n < 4)
			v = v * 10 + (unsigned)(*q - '0');
	*qp = q;
	if (n != 3 || v < 100 || v > 699 || (q < e && *q != ' '))
		return 0;
	return (int)v;
}

/* Status-Line = SIP-Version SP Status-Code SP Reason-Phrase. */
static void
status_line_parse(struct sip_ctx *c, const char *p, const char *e)
{
	struct sip_msg *m = c->msg;
	const char *sp = memchr(p, ' ', (size_t)(e - p)), *q;
	int v;

	if (sp == NULL) {
		m->version = mkstr(p, e);
		ctx_err(c, SIP_ERR_START_LINE, e);
		return;
	}
	m->version = mkstr(p, sp);
	if (!version_ok(p, sp))
		ctx_err(c, SIP_ERR_VERSION, p);
	if ((v = status_code(sp + 1, e, &q)) == 0) {
		ctx_err(c, SIP_ERR_STATUS, sp + 1);
		return;
	}
	m->status = v;
	/* RFC 4475 noreason: the reason may be empty; be lenient on a
	 * missing SP before it too. */
	m->reason = q < e ? mkstr(q + 1, e) : mkstr(e, e);
}

/* Request-URI between the method's SP and the version's SP. */
static void
ruri_parse(struct sip_ctx *c, const char *u, const char *ue)
{
	struct sip_msg *m = c->msg;

	/* RFC 4475 lwsstart: several SP between the elements. */
	if (u < ue && (*u == ' ' || ue[-1] == ' ')) {
		ctx_err(c, SIP_ERR_START_LINE, *u == ' ' ? u : ue - 1);
		while (u < ue && *u == ' ')
			u++;
		while (ue > u && ue[-1] == ' ')
			ue--;
	}
	m->ruri_raw = mkstr(u, ue);
	if (u == ue) {
		ctx_err(c, SIP_ERR_START_LINE, u);
		return;
	}
	/* LWS inside (lwsruri), <> (ltgtruri), bad IPv6 (RFC 5118 4.2) and
	 * headers, which a Request-URI may not carry (RFC 3261 19.1.1,
	 * RFC 4475 escruri). */
	if (sip_uri_parse_in(&m->ruri, m->ruri_raw, c->end) < 0 ||
	    m->ruri.headers.p != NULL ||
	    scan2(u, ue, c->end, ' ', '\t') != ue)
		ctx_err(c, SIP_ERR_RURI, u);
}

/*
 * The start line [p, e), line end excluded. SIP_ENOTSIP when it is neither
 * "SIP/..." (status line) nor "... SIP/..." (request line); every other
 * defect is recorded in msg->err and gives SIP_OK here.
 */
static enum sip_rc
start_line_parse(struct sip_ctx *c, const char *p, const char *e)
{
	struct sip_msg *m = c->msg;
	const char *ve, *vb, *sp, *q;
	enum sip_method id;
	bool vok;

	if (sip_slash(p, e)) {
		status_line_parse(c, p, e);
		return SIP_OK;
	}
	if (!IS(*p, C_TOKEN))
		return SIP_ENOTSIP;
	for (ve = e; ve > p && (ve[-1] == ' ' || ve[-1] == '\t'); ve--)
		;
	/* Mostly the line ends in " SIP/2.0": then that SP is the last. */
	vok = ve - p >= 8 && sp_version_ok(ve - 8);
	vb = vok ? ve - 8 : memrchr(p, ' ', (size_t)(ve - p));
	if (!vok && (vb == NULL || !sip_slash(vb + 1, ve)))
		return SIP_ENOTSIP;
	m->is_request = true;
	id = SIP_METHOD_UNKNOWN;
#ifdef SCAN_SSE2
	/* Mostly a known method and its SP (no later than vb: the method
	 * holds none). */
	if (c->end - p >= 16 && (id = method_tmpl(p)) != SIP_METHOD_UNKNOWN &&
	    p[method_len[id]] != ' ')
		id = SIP_METHOD_UNKNOWN;
#endif
	if (id != SIP_METHOD_UNKNOWN) {
		q = sp = p + method_len[id];
	} else {
		/* The method's first non-token byte is mostly its SP. */
		q = skip_token(p, vb);
		sp = *q == ' ' ? q : memchr(q, ' ', (size_t)(vb - q + 1));
		id = method_lookup(mkstr(p, sp));
	}
	m->method = mkstr(p, sp);
	if (q != sp)
		ctx_err(c, SIP_ERR_METHOD, q);
	m->method_id = id;
	m->version = mkstr(vb + 1, ve);
	if (!vok && !version_ok(vb + 1, ve))
		ctx_err(c, SIP_ERR_VERSION, vb + 1);
	if (ve != e)	/* RFC 4475 trws */
		ctx_err(c, SIP_ERR_START_LINE, ve);
	if (sp == vb) {
		m->ruri_raw = mkstr(sp, sp);
		ctx_err(c, SIP_ERR_START_LINE, sp);
	} else {
		ruri_parse(c, sp + 1, vb);
	}
	return SIP_OK;
}

/* Checks that need the whole header section. */
static void
msg_check(struct sip_ctx *c, const char *at)
{
	struct sip_msg *m = c->msg;

	/* RFC 3261 8.1.1: Via, From, To, Call-ID and CSeq are mandatory;
	 * Max-Forwards is not demanded, for RFC 2543 peers (RFC 4475
	 * inv2543). */
	if (m->via_count == 0 || !m->from.present || !m->to.present ||
	    m->call_id.p == NULL || !(c->seen & (1u << SIP_HDR_CSEQ)))
		ctx_err(c, SIP_ERR_MISSING, at);
	/* RFC 3261 8.1.1.5: the CSeq method matches the request's. */
	if (m->is_request && m->cseq_method.p != NULL &&
	    (m->cseq_method_id == SIP_METHOD_UNKNOWN ||
	    m->cseq_method_id != m->method_id) &&
	    (m->cseq_method.len != m->method.len ||
	    memcmp(m->cseq_method.p, m->method.p, m->method.len) != 0))
		ctx_err(c, SIP_ERR_CSEQ_METHOD, m->cseq_method.p);
}

/*
 * The body starts at b. With a usable Content-Length it has that many bytes
 * and anything after is another message (stream) or ignored (datagram, RFC
 * 3261 18.3); without one it is the rest of the buffer.
 */
static void
body_set(struct sip_ctx *c, const char *b, const char *end)
{
	struct sip_msg *m = c->msg;
	size_t avail = (size_t)(end - b);

	if (m->content_length >= 0 && !c->cl_bad) {
		if ((unsigned long long)m->content_length <= avail) {
			m->body = mkstr(b, b + m->content_length);
			m->msg_len = (size_t)(b - c->base) +
			    (size_t)m->content_length;
			return;
		}
		ctx_err(c, SIP_ERR_BODY_SHORT, end);
	}
	m->body = mkstr(b, end);
	m->msg_len = (size_t)(end - c->base);
}

#ifdef SIP_AVX2
/*
 * struct sip_msg (about 1.4 kB) zeroed by unrolled 32-byte stores: half
 * the instructions of libc's memset loop, whose set-up and 128-byte steps
 * are made for any size.
 */
__attribute__((target("avx2"))) static void
msg_clear_avx2(struct sip_msg *msg)
{
	char *p = (char *)msg;
	__m256i z = _mm256_setzero_si256();
	size_t i;

#pragma GCC unroll 64
	for (i = 0; i + 32 <= sizeof(*msg); i += 32)
		_mm256_storeu_si256((__m256i *)(void *)(p + i), z);
	if (i < sizeof(*msg))
		_mm256_storeu_si256((__m256i *)(void *)(p + sizeof(*msg) -
		    32), z);
}
#endif

/* AVX2 only where the CPU has it (libgcc decides at start-up). */
static inline void
msg_clear(struct sip_msg *msg)
{
#ifdef SIP_AVX2
	if (__builtin_cpu_supports("avx2")) {
		msg_clear_avx2(msg);
		return;
	}
#endif
	gg_memset(msg, 0, sizeof(*msg));
}

/*
 * Finds the start line of buf: *p at its first byte (RFC 3261 7.5: CRLFs
 * before it are ignored), *nl at the LF that ends it. NULL *nl when the
 * line does not end in buf.
 */
static const char *
skip_crlf(const char *p, const char *end)
{
	while (p < end && (*p == '\r' || *p == '\n'))
		p++;
	return p;
}

static void
start_line_find(const char *buf, size_t len, const char **p,
    const char **nl)
{
	const char *end = buf + len;

	*p = skip_crlf(buf, end);
#ifdef SCAN_SSE2
	*nl = nl_find(*p, end);
#else
	*nl = memchr(*p, '\n', (size_t)(end - *p));
#endif
}

/*
 * As sip_parse: start_line_find, then a status line when sip_slash. A line
 * that does not start "SIP/" is not one wherever it ends (no LF among its
 * first four bytes), so that is checked before looking for the LF.
 */
int
sip_peek_status(const char *buf, size_t len)
{
	const char *p, *nl, *le, *sp, *q, *end = buf + len;

	if (len == 0 || !sip_slash((p = skip_crlf(buf, end)), end))
		return 0;
	if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
		return 0;
	le = nl[-1] == '\r' ? nl - 1 : nl;
	if (!sip_slash(p, le) ||
	    (sp = memchr(p, ' ', (size_t)(le - p))) == NULL)
		return 0;
	return status_code(sp + 1, le, &q);
}

enum sip_rc
sip_parse(struct sip_msg *msg, const char *buf, size_t len)
{
	struct sip_ctx c = { msg, buf, buf + len, 0, false, false };
	const char *p, *end, *nl, *le, *body = NULL;
	enum sip_rc rc;

	msg_clear(msg);
	msg->max_forwards = -1;
	msg->content_length = -1;
	msg->expires = -1;
	if (len == 0)
		goto partial;
	end = buf + len;
	start_line_find(buf, len, &p, &nl);
	if (nl == NULL) {
		if (p < end && !IS(*p, C_TOKEN))
			return SIP_ENOTSIP;
		goto partial;
	}
	le = nl;
	if (le[-1] == '\r') {
		le--;
		c.crlf = true;
	}
	if (start_line_parse(&c, p, le) == SIP_ENOTSIP)
		return SIP_ENOTSIP;
	rc = hdrs_parse(&c, nl + 1, end, &body);
	msg->lf_only = !c.crlf;
	if (rc == SIP_EPARTIAL)
		goto partial;
	msg_check(&c, body);
	body_set(&c, body, end);
	return msg->err == SIP_ERR_NONE ? SIP_OK : SIP_EBADMSG;
partial:
	/* No body, but an empty one where the buffer ends: the header lines
	 * that did arrive lie before it, where the signatures' raw header
	 * fields (header.NAME) look for them. */
	msg->body = mkstr(buf + len, buf + len);
	if (msg->err == SIP_ERR_NONE) {
		msg->err = SIP_ERR_NO_END;
		msg->err_off = len;
	}
	return SIP_EPARTIAL;
}
