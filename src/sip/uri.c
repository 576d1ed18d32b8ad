/*
 * uri.c - SIP, SIPS, TEL and other URIs, and host[:port] (RFC 3261 19.1,
 * 25.1; RFC 3966; RFC 5118 for IPv6 references).
 *
 * Zero-copy like the rest of the module: every field is a slice of the input.
 * Escapes (%41) are left alone; a consumer that compares users must unescape
 * them itself (RFC 4475 esc01, escnull).
 *
 * Speed: a URI is read in one forward pass of table lookups (ucls), four
 * bytes per bounds check; a typical "sip:user@host:port" costs about four
 * instructions a byte. sip_parse() calls this for every URI it reads.
 */
#include <string.h>

#include "sip.h"
#include "sipint.h"
#include "scan.h"
#include "scan_pb.h"

/* Bytes of a userinfo: unreserved, escaped, user-unreserved, ':' (password). */
#define U_USER	0x01
/* Bytes of a host name (RFC 3261 hostname, plus '_' seen in the wild). */
#define U_HOST	0x02
/* Bytes inside an IPv6 reference: hex digits, ':' and '.' (for IPv4 tails). */
#define U_V6	0x04
/* Bytes of a scheme after its first letter: host bytes and '+'. */
#define U_SCHEME 0x08
/* Bytes of an opaque (tel: or other) URI: 0x21-0x7e but '"', '<', '>'. */
#define U_OPAQUE 0x10

#define o	U_OPAQUE
#define O	(U_USER | U_OPAQUE)
#define P	(U_USER | U_SCHEME | U_OPAQUE)
#define H	(U_USER | U_HOST | U_SCHEME | U_OPAQUE)
#define X	(U_USER | U_HOST | U_V6 | U_SCHEME | U_OPAQUE)
#define C	(U_USER | U_V6 | U_OPAQUE)
/*
 * ASCII only: '@', CTLs, SP, '"', '<', '>', '[', ']', '\', '^', '`', '{',
 * '|', '}', '#' and bytes >= 0x80 (zero-filled) end a userinfo.
 */
static const uint8_t ucls[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* 0x00 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* 0x10 */
	0, O, 0, o, O, O, O, O, O, O, O, P, O, H, X, O,	/* 0x20 */
	X, X, X, X, X, X, X, X, X, X, C, O, 0, O, 0, O,	/* 0x30 */
	o, X, X, X, X, X, X, H, H, H, H, H, H, H, H, H,	/* 0x40 */
	H, H, H, H, H, H, H, H, H, H, H, o, o, o, o, H,	/* 0x50 */
	o, X, X, X, X, X, X, H, H, H, H, H, H, H, H, H,	/* 0x60 */
	H, H, H, H, H, H, H, H, H, H, H, o, o, o, O, 0,	/* 0x70 */
};
#undef o
#undef O
#undef P
#undef H
#undef X
#undef C

#define UCLS(c)	ucls[(unsigned char)(c)]
#define IS_DIGIT(c)	((unsigned)((c) - '0') < 10)

/*
 * The end of the run of bytes of class k from p, at most e: four lookups per
 * bounds check.
 */
static inline const char *
urun(const char *p, const char *e, unsigned k)
{
	while (e - p >= 4) {
		if (!(UCLS(p[0]) & k))
			return p;
		if (!(UCLS(p[1]) & k))
			return p + 1;
		if (!(UCLS(p[2]) & k))
			return p + 2;
		if (!(UCLS(p[3]) & k))
			return p + 3;
		p += 4;
	}
	while (p < e && (UCLS(*p) & k))
		p++;
	return p;
}

/*
 * True when [p, e) is a dotted quad of 1-3 digit numbers up to 255. The
 * callers have checked that it starts and ends with a digit, so each octet
 * starts inside the slice; only a 3-digit octet needs its value checked.
 */
static bool
is_ipv4_scalar(const char *p, const char *e)
{
	unsigned dots = 0;

	for (;;) {
		if (!IS_DIGIT(p[0]))
			return false;
		if (e - p >= 3 && IS_DIGIT(p[1]) && IS_DIGIT(p[2])) {
			if (p[0] > '2' || (p[0] == '2' && (p[1] > '5' ||
			    (p[1] == '5' && p[2] > '5'))))
				return false;
			p += 3;
		} else if (e - p >= 2 && IS_DIGIT(p[1])) {
			p += 2;
		} else {
			p++;
		}
		if (p == e)
			return dots == 3;
		if (*p != '.' || ++dots > 3)
			return false;
		p++;
	}
}

/*
 * The end of the run of host-name bytes (U_HOST: [0-9A-Za-z._-]) that
 * starts at b, read on from p, at most e; *v4 tells whether the run is an
 * IPv4 literal. host_run() calls it with p = b + 16 after 16 host bytes, or
 * with p = b when fewer than 16 bytes are readable at b.
 */
static const char *
host_run_tail(const char *b, const char *p, const char *e, const char *lim,
    bool *v4)
{
	const char *q;

#ifdef SCAN_SSE2
	unsigned stop, dig, dot;

	/* Past the first 16 bytes a host is too long for an IPv4 literal. */
	while (lim - p >= 16) {
		stop = ~host_bits(scan_load(p), &dig, &dot);
		if (e - p < 16)
			stop |= ~0u << (e - p);
		stop &= 0xffff;
		if (stop != 0) {
			*v4 = false;
			return p + __builtin_ctz(stop);
		}
		p += 16;
	}
	q = urun(p, e, U_HOST);
	*v4 = p == b && q - p <= 15 && q > p && IS_DIGIT(*p) &&
	    IS_DIGIT(q[-1]) && is_ipv4_scalar(p, q);
	return q;
#else
	(void)b;
	(void)lim;
	q = urun(p, e, U_HOST);
	*v4 = q - p <= 15 && q > p && IS_DIGIT(*p) && IS_DIGIT(q[-1]) &&
	    is_ipv4_scalar(p, q);
	return q;
#endif
}

/*
 * host_run_tail() from p, with the common case inline: with SSE2 a host
 * that ends within the 16 bytes at p is classified by range compares, and
 * the digit and dot masks of the same load give the IPv4 test.
 */
static inline const char *
host_run(const char *p, const char *e, const char *lim, bool *v4)
{
#ifdef SCAN_SSE2
	unsigned stop, dig, dot;
	__m128i x;

	if (lim - p >= 16) {
		x = scan_load(p);
		stop = ~host_bits(x, &dig, &dot);
		if (e - p < 16)
			stop |= ~0u << (e - p);
		if ((stop &= 0xffff) != 0) {
			stop = (unsigned)__builtin_ctz(stop);
			*v4 = stop - 7 <= 8 && ipv4_mask(p, stop, dig | dot,
			    dot, scan_gt1(x));
			return p + stop;
		}
		return host_run_tail(p, p + 16, e, lim, v4);
	}
#endif
	return host_run_tail(p, p, e, lim, v4);
}

/*
 * The port at p (after its ':'), at most e: 1 to 5 digits, up to 65535.
 * Returns the byte after the digits, or NULL. At most six are read: the
 * sixth is already an error.
 */
static inline const char *
port_parse(const char *p, const char *e, unsigned *port)
{
	const char *b = p, *m = e - p > 6 ? p + 6 : e;
	unsigned v = 0, d;

	while (p < m && (d = (unsigned)(unsigned char)*p - '0') < 10) {
		v = v * 10 + d;
		p++;
	}
	if (p == b || p - b > 5 || v > 65535)
		return NULL;
	*port = v;
	return p;
}

size_t
sip_host_parse(struct gg_str s, struct gg_str *host, uint16_t *port,
    int *kind)
{
	return sip_host_parse_in(s, host, port, kind, s.p + s.len);
}

size_t
sip_host_parse_in(struct gg_str s, struct gg_str *host, uint16_t *port,
    int *kind, const char *lim)
{
	const char *p = s.p, *e = s.p + s.len, *h;
	unsigned v;
	bool v4;

	*host = GG_STR_NULL;
	*port = 0;
	*kind = 0;
	if (p == e)
		return 0;
	if (*p == '[') {
		/* RFC 5118 4.10: tolerate the three-colon form, so only the
		 * character set is checked, and that there is a colon. */
		h = ++p;
		p = urun(p, e, U_V6);
		if (p == e || *p != ']' || memchr(h, ':', (size_t)(p - h)) ==
		    NULL)
			return 0;
		*host = (struct gg_str){ h, (size_t)(p - h) };
		*kind = 6;
		p++;
	} else {
		h = p;
		p = host_run(p, e, lim, &v4);
		if (p == h)
			return 0;
		*host = (struct gg_str){ h, (size_t)(p - h) };
		if (v4)
			*kind = 4;
	}
	if (p < e && *p == ':') {
		if ((p = port_parse(p + 1, e, &v)) == NULL)
			return 0;
		*port = (uint16_t)v;
	}
	return (size_t)(p - s.p);
}

/* Sets scheme and scheme_id; returns the byte after ':' or NULL. */
static inline const char *
uri_scheme(struct sip_uri *uri, const char *p, const char *e)
{
	const char *b = p;
	size_t n;

	/* "sip:", the common case, first. */
	if (e - p >= 4 && (p[0] | 0x20) == 's' && (p[1] | 0x20) == 'i' &&
	    (p[2] | 0x20) == 'p' && p[3] == ':') {
		uri->scheme = (struct gg_str){ b, 3 };
		uri->scheme_id = SIP_SCHEME_SIP;
		return p + 4;
	}
	if (p == e || !((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z'))
		return NULL;
	p = urun(p, e, U_SCHEME);
	if (p == e || *p != ':')
		return NULL;
	n = (size_t)(p - b);
	uri->scheme = (struct gg_str){ b, n };
	/* Case-blind "sip", "sips", "tel" without a call per byte. */
	if (n == 3 && (b[0] | 0x20) == 's' && (b[1] | 0x20) == 'i' &&
	    (b[2] | 0x20) == 'p')
		uri->scheme_id = SIP_SCHEME_SIP;
	else if (n == 4 && (b[0] | 0x20) == 's' && (b[1] | 0x20) == 'i' &&
	    (b[2] | 0x20) == 'p' && (b[3] | 0x20) == 's')
		uri->scheme_id = SIP_SCHEME_SIPS;
	else if (n == 3 && (b[0] | 0x20) == 't' && (b[1] | 0x20) == 'e' &&
	    (b[2] | 0x20) == 'l')
		uri->scheme_id = SIP_SCHEME_TEL;
	return p + 1;
}

/* Splits ";params?headers" at p (which is at ';', '?' or e). */
static inline int
uri_tail(struct sip_uri *uri, const char *p, const char *e)
{
	const char *q;

	if (p == e)
		return 0;
	if (*p == ';') {
		q = memchr(p, '?', (size_t)(e - p));
		if (q == NULL)
			q = e;
		uri->params = (struct gg_str){ p + 1, (size_t)(q - p - 1) };
		p = q;
	}
	if (p < e && *p == '?') {
		uri->headers = (struct gg_str){ p + 1, (size_t)(e - p - 1) };
		p = e;
	}
	return p == e ? 0 : -1;
}

/* ":port" (1-5 digits, at most 65535) at p, if any, then the tail. */
static inline int
uri_port_tail(struct sip_uri *uri, const char *p, const char *e)
{
	unsigned v;

	if (p < e && *p == ':') {
		if ((p = port_parse(p + 1, e, &v)) == NULL)
			return -1;
		uri->port = (uint16_t)v;
	}
	return uri_tail(uri, p, e);
}

#ifdef SCAN_SSE2
/*
 * uri_sip() for the common shapes, from bit masks of the 32 bytes at p
 * (readable: lim - p >= 32): [user@]host with user and host of
 * [0-9A-Za-z.-] (name_bits()), both inside the window. Returns uri_sip()'s
 * result, or -2 before writing anything when the URI needs the general
 * path.
 */
static inline __attribute__((always_inline)) int
uri_sip_fast(struct sip_uri *uri, const char *p, const char *e,
    const char *lim)
{
	__m128i x = scan_load(p);
	unsigned atm, stop, s, h;
	ptrdiff_t n = e - p;
	bool v4 = false;

	/* Most Request-URIs after "sip:" fit in the first 16 bytes. */
	stop = name_bits(x);
	atm = scan_eq(x, '@');
	if (n > 16) {
		x = scan_load(p + 16);
		stop |= name_bits(x) << 16;
		atm |= scan_eq(x, '@') << 16;
	}
	stop = ~stop;
	if (n < 32) {
		atm &= (1u << n) - 1;
		stop |= ~0u << n;
	}
	/* A '@' past the window may still end a userinfo. */
	if (stop == 0 || (atm == 0 && n > 32))
		return -2;
	s = (unsigned)__builtin_ctz(stop);
	h = 0;
	if (atm != 0) {
		/* Only "name-bytes@" is ours: a ':' (password) or another
		 * user byte before the '@' takes the general path. */
		if ((atm & (0u - atm)) != 1u << s)
			return -2;
		if ((h = s + 1) == 32 || (stop &= ~0u << h) == 0)
			return -2;
		s = (unsigned)__builtin_ctz(stop);
	}
	/* The host is [h, s): empty is an error the general path reports,
	 * and so is a host going on with a '_' (a host byte name_bits()
	 * leaves out). */
	if (s == h || (s < n && p[s] == '_'))
		return -2;
	if (s - h - 7 <= 8) {
		if (lim - (p + h) < 16)
			return -2;
		v4 = ipv4_at(p + h, s - h);
	}
	if (h != 0)
		uri->user = (struct gg_str){ p, h - 1 };
	uri->host = (struct gg_str){ p + h, s - h };
	uri->host_is_ipv4 = v4;
	return uri_port_tail(uri, p + s, e);
}
#endif

/*
 * sip: and sips: after the scheme: [user[:password]@]hostport tail.
 *
 * A userinfo is a run of U_USER bytes ending in '@'; it may hold ';' and '?'
 * (RFC 4475 semiuri, intmeth). Host bytes are user bytes, so the host run
 * read first is also the start of any userinfo: only when it stops at a user
 * byte that cannot end a host is the rest of the user run read.
 */
static int
uri_sip(struct sip_uri *uri, const char *p, const char *e, const char *lim)
{
	const char *h, *q, *at, *c, *he;
	unsigned n;
	bool v4;
	int kind;

	q = he = host_run(p, e, lim, &v4);
	if (q < e && *q != '@' && (UCLS(*q) & U_USER))
		q = urun(q, e, U_USER);
	if (q < e && *q == '@') {
		at = q;
		c = he < at && *he == ':' ? he : memchr(he, ':',
		    (size_t)(at - he));
		if (c != NULL) {
			uri->user = (struct gg_str){ p, (size_t)(c - p) };
			uri->password = (struct gg_str){ c + 1,
			    (size_t)(at - c - 1) };
		} else {
			uri->user = (struct gg_str){ p, (size_t)(at - p) };
		}
		p = at + 1;
		if (p == e)
			return -1;
		if (*p != '[')
			he = host_run(p, e, lim, &v4);
	}
	if (p == e)
		return -1;
	if (*p == '[') {
		n = (unsigned)sip_host_parse_in((struct gg_str){ p,
		    (size_t)(e - p) }, &uri->host, &uri->port, &kind, lim);
		uri->host_is_ipv6 = kind == 6;
		if (n == 0)
			return -1;
		return uri_tail(uri, p + n, e);
	}
	/* Inline sip_host_parse() for a host name or IPv4 literal. */
	h = p;
	p = he;
	if (p == h)
		return -1;
	uri->host = (struct gg_str){ h, (size_t)(p - h) };
	uri->host_is_ipv4 = v4;
	return uri_port_tail(uri, p, e);
}

/* The rest of a tel: or other URI: no CTL, SP, '"', '<', '>' or 8-bit. */
static bool
uri_opaque_ok(const char *p, const char *e)
{
	return urun(p, e, U_OPAQUE) == e;
}

int
sip_uri_parse(struct sip_uri *uri, struct gg_str s)
{
	*uri = (struct sip_uri){ .raw = s };
	return sip_uri_parse_in(uri, s, s.p + s.len);
}

/*
 * sip_uri_parse_in() for what its fast path leaves, out of line: the fast
 * path then saves fewer registers (-19 instructions per Request-URI).
 */
static __attribute__((noinline)) int
uri_parse_slow(struct sip_uri *uri, struct gg_str s, const char *lim)
{
	const char *p = s.p, *e = s.p + s.len, *q;

	if (s.len == 0)
		return -1;
	if ((p = uri_scheme(uri, p, e)) == NULL)
		return -1;
	switch (uri->scheme_id) {
	case SIP_SCHEME_SIP:
	case SIP_SCHEME_SIPS:
		return uri_sip(uri, p, e, lim);
	case SIP_SCHEME_TEL:
		if (!uri_opaque_ok(p, e))
			return -1;
		q = memchr(p, ';', (size_t)(e - p));
		if (q == NULL)
			q = e;
		uri->user = (struct gg_str){ p, (size_t)(q - p) };
		if (q == p)
			return -1;
		return uri_tail(uri, q, e);
	default:
		return p < e && uri_opaque_ok(p, e) ? 0 : -1;
	}
}

int
sip_uri_parse_in(struct sip_uri *uri, struct gg_str s, const char *lim)
{
#ifdef SCAN_SSE2
	uint32_t w;
	int r;
#endif

	uri->raw = s;
#ifdef SCAN_SSE2
	/* "sip:" by one compare (case-blind), then uri_sip_fast(); whatever
	 * it leaves (-2: nothing written but the scheme, which
	 * uri_parse_slow() writes the same) goes the long way. */
	if (s.len >= 4 && lim - s.p >= 36) {
		memcpy(&w, s.p, 4);
		if ((w | 0x00202020U) == 0x3a706973U) {
			uri->scheme = (struct gg_str){ s.p, 3 };
			uri->scheme_id = SIP_SCHEME_SIP;
			if ((r = uri_sip_fast(uri, s.p + 4, s.p + s.len,
			    lim)) != -2)
				return r;
		}
	}
#endif
	return uri_parse_slow(uri, s, lim);
}
