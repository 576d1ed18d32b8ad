/*
 * uri.c - SIP, SIPS, TEL and other URIs, and host[:port] (RFC 3261 19.1,
 * 25.1; RFC 3966; RFC 5118 for IPv6 references).
 *
 * Zero-copy like the rest of the module: every field is a slice of the input.
 * Escapes (%41) are left alone; a consumer that compares users must unescape
 * them itself (RFC 4475 esc01, escnull).
 */
#include <string.h>

#include "sip.h"

/* Bytes allowed in a URI (before escaping is considered). */
#define U_OK	0x01
/* Bytes of a host name (RFC 3261 hostname, plus '_' seen in the wild). */
#define U_HOST	0x02
/* Bytes inside an IPv6 reference: hex digits, ':' and '.' (for IPv4 tails). */
#define U_V6	0x04

#define O	U_OK
#define H	(U_OK | U_HOST)
#define X	(U_OK | U_HOST | U_V6)
#define S	(U_OK | U_V6)
/*
 * ASCII only: CTLs, SP, '"', '<', '>', '\', '^', '`', '{', '|', '}' and every
 * byte >= 0x80 must be escaped in a URI, so they end or break one.
 */
static const uint8_t ucls[128] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* 0x00 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* 0x10 */
	0, O, 0, O, O, O, O, O, O, O, O, O, O, H, X, O,	/* 0x20 */
	X, X, X, X, X, X, X, X, X, X, S, O, 0, O, 0, O,	/* 0x30 */
	O, X, X, X, X, X, X, H, H, H, H, H, H, H, H, H,	/* 0x40 */
	H, H, H, H, H, H, H, H, H, H, H, O, 0, O, 0, H,	/* 0x50 */
	0, X, X, X, X, X, X, H, H, H, H, H, H, H, H, H,	/* 0x60 */
	H, H, H, H, H, H, H, H, H, H, H, 0, 0, 0, O, 0,	/* 0x70 */
};
#undef O
#undef H
#undef X
#undef S

static inline unsigned
ucls_of(char c)
{
	unsigned char u = (unsigned char)c;

	return u < 128 ? ucls[u] : 0;
}

/* True when [p, e) is a dotted quad of 1-3 digit numbers up to 255. */
static bool
is_ipv4(const char *p, const char *e)
{
	unsigned dots = 0, digits = 0, v = 0;

	for (; p < e; p++) {
		if (*p == '.') {
			if (digits == 0 || ++dots > 3)
				return false;
			digits = v = 0;
		} else if (*p >= '0' && *p <= '9') {
			v = v * 10 + (unsigned)(*p - '0');
			if (++digits > 3 || v > 255)
				return false;
		} else {
			return false;
		}
	}
	return dots == 3 && digits > 0;
}

size_t
sip_host_parse(struct gg_str s, struct gg_str *host, uint16_t *port,
    int *kind)
{
	const char *p = s.p, *e = s.p + s.len, *h;
	unsigned v, n;

	*host = GG_STR_NULL;
	*port = 0;
	*kind = 0;
	if (p == e)
		return 0;
	if (*p == '[') {
		/* RFC 5118 4.10: tolerate the three-colon form, so only the
		 * character set is checked, and that there is a colon. */
		h = ++p;
		while (p < e && (ucls_of(*p) & U_V6))
			p++;
		if (p == e || *p != ']' || memchr(h, ':', (size_t)(p - h)) ==
		    NULL)
			return 0;
		*host = (struct gg_str){ h, (size_t)(p - h) };
		*kind = 6;
		p++;
	} else {
		h = p;
		while (p < e && (ucls_of(*p) & U_HOST))
			p++;
		if (p == h)
			return 0;
		*host = (struct gg_str){ h, (size_t)(p - h) };
		if (*h >= '0' && *h <= '9' && is_ipv4(h, p))
			*kind = 4;
	}
	if (p < e && *p == ':') {
		for (p++, v = n = 0; p < e && *p >= '0' && *p <= '9'; p++) {
			v = v * 10 + (unsigned)(*p - '0');
			if (++n > 5)
				return 0;
		}
		if (n == 0 || v > 65535)
			return 0;
		*port = (uint16_t)v;
	}
	return (size_t)(p - s.p);
}

/* Sets scheme and scheme_id; returns the byte after ':' or NULL. */
static const char *
uri_scheme(struct sip_uri *uri, const char *p, const char *e)
{
	const char *b = p;
	struct gg_str sc;

	if (p == e || !((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z'))
		return NULL;
	while (p < e && ((ucls_of(*p) & U_HOST) || *p == '+'))
		p++;
	if (p == e || *p != ':')
		return NULL;
	sc = (struct gg_str){ b, (size_t)(p - b) };
	uri->scheme = sc;
	if (gg_str_caseeq(sc, "sip"))
		uri->scheme_id = SIP_SCHEME_SIP;
	else if (gg_str_caseeq(sc, "sips"))
		uri->scheme_id = SIP_SCHEME_SIPS;
	else if (gg_str_caseeq(sc, "tel"))
		uri->scheme_id = SIP_SCHEME_TEL;
	return p + 1;
}

/* Splits ";params?headers" at p (which is at ';', '?' or e). */
static int
uri_tail(struct sip_uri *uri, const char *p, const char *e)
{
	const char *q;

	if (p < e && *p == ';') {
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

/* sip: and sips: after the scheme: [user[:password]@]hostport tail. */
static int
uri_sip(struct sip_uri *uri, const char *p, const char *e)
{
	const char *at, *c;
	struct gg_str host;
	uint16_t port;
	size_t n;
	int kind;

	/* '@' may not appear unescaped after the userinfo, so the first
	 * one ends it even when the user holds ';' or '?' (RFC 4475 semiuri,
	 * intmeth). */
	at = memchr(p, '@', (size_t)(e - p));
	if (at != NULL) {
		c = memchr(p, ':', (size_t)(at - p));
		if (c != NULL) {
			uri->user = (struct gg_str){ p, (size_t)(c - p) };
			uri->password = (struct gg_str){ c + 1,
			    (size_t)(at - c - 1) };
		} else {
			uri->user = (struct gg_str){ p, (size_t)(at - p) };
		}
		p = at + 1;
	}
	n = sip_host_parse((struct gg_str){ p, (size_t)(e - p) }, &host,
	    &port, &kind);
	uri->host = host;
	uri->port = port;
	uri->host_is_ipv4 = kind == 4;
	uri->host_is_ipv6 = kind == 6;
	if (n == 0)
		return -1;
	return uri_tail(uri, p + n, e);
}

int
sip_uri_parse(struct sip_uri *uri, struct gg_str s)
{
	const char *p = s.p, *e = s.p + s.len, *q;

	memset(uri, 0, sizeof(*uri));
	uri->raw = s;
	if (s.len == 0)
		return -1;
	/* One pass for the byte set, so the splitting below can use memchr. */
	for (q = p; q < e; q++)
		if (!(ucls_of(*q) & U_OK))
			return -1;
	if ((p = uri_scheme(uri, p, e)) == NULL)
		return -1;
	switch (uri->scheme_id) {
	case SIP_SCHEME_SIP:
	case SIP_SCHEME_SIPS:
		return uri_sip(uri, p, e);
	case SIP_SCHEME_TEL:
		q = memchr(p, ';', (size_t)(e - p));
		if (q == NULL)
			q = e;
		uri->user = (struct gg_str){ p, (size_t)(q - p) };
		if (q == p)
			return -1;
		return uri_tail(uri, q, e);
	default:
		return p < e ? 0 : -1;
	}
}
