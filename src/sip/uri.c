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

/* Bytes of a userinfo: unreserved, escaped, user-unreserved, ':' (password). */
#define U_USER	0x01
/* Bytes of a host name (RFC 3261 hostname, plus '_' seen in the wild). */
#define U_HOST	0x02
/* Bytes inside an IPv6 reference: hex digits, ':' and '.' (for IPv4 tails). */
#define U_V6	0x04

#define O	U_USER
#define H	(U_USER | U_HOST)
#define X	(U_USER | U_HOST | U_V6)
#define C	(U_USER | U_V6)
/*
 * ASCII only: '@', CTLs, SP, '"', '<', '>', '[', ']', '\', '^', '`', '{',
 * '|', '}', '#' and bytes >= 0x80 (zero-filled) end a userinfo.
 */
static const uint8_t ucls[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* 0x00 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* 0x10 */
	0, O, 0, 0, O, O, O, O, O, O, O, O, O, H, X, O,	/* 0x20 */
	X, X, X, X, X, X, X, X, X, X, C, O, 0, O, 0, O,	/* 0x30 */
	0, X, X, X, X, X, X, H, H, H, H, H, H, H, H, H,	/* 0x40 */
	H, H, H, H, H, H, H, H, H, H, H, 0, 0, 0, 0, H,	/* 0x50 */
	0, X, X, X, X, X, X, H, H, H, H, H, H, H, H, H,	/* 0x60 */
	H, H, H, H, H, H, H, H, H, H, H, 0, 0, 0, O, 0,	/* 0x70 */
};
#undef O
#undef H
#undef X
#undef C

#define UCLS(c)	ucls[(unsigned char)(c)]

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
		while (p < e && (UCLS(*p) & U_V6))
			p++;
		if (p == e || *p != ']' || memchr(h, ':', (size_t)(p - h)) ==
		    NULL)
			return 0;
		*host = (struct gg_str){ h, (size_t)(p - h) };
		*kind = 6;
		p++;
	} else {
		h = p;
		while (p < e && (UCLS(*p) & U_HOST))
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
	size_t n;

	if (p == e || !((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z'))
		return NULL;
	while (p < e && ((UCLS(*p) & U_HOST) || *p == '+'))
		p++;
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
	size_t n, i;
	int kind;

	/* A userinfo is a run of U_USER bytes ending in '@'; it may hold ';'
	 * and '?' (RFC 4475 semiuri, intmeth). Without the '@' the run was
	 * the host and what follows, and is read again below. */
	for (i = 0, n = (size_t)(e - p); i < n && (UCLS(p[i]) & U_USER); i++)
		;
	if (i < n && p[i] == '@') {
		at = p + i;
		for (c = p; c < at && *c != ':'; c++)
			;
		if (c < at) {
			uri->user = (struct gg_str){ p, (size_t)(c - p) };
			uri->password = (struct gg_str){ c + 1,
			    (size_t)(at - c - 1) };
		} else {
			uri->user = (struct gg_str){ p, i };
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

/* The rest of a tel: or other URI: no CTL, SP, '"', '<', '>' or 8-bit. */
static bool
uri_opaque_ok(const char *p, const char *e)
{
	for (; p < e; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f ||
		    *p == '"' || *p == '<' || *p == '>')
			return false;
	return true;
}

int
sip_uri_parse(struct sip_uri *uri, struct gg_str s)
{
	const char *p = s.p, *e = s.p + s.len, *q;

	memset(uri, 0, sizeof(*uri));
	uri->raw = s;
	if (s.len == 0)
		return -1;
	if ((p = uri_scheme(uri, p, e)) == NULL)
		return -1;
	switch (uri->scheme_id) {
	case SIP_SCHEME_SIP:
	case SIP_SCHEME_SIPS:
		return uri_sip(uri, p, e);
	case SIP_SCHEME_TEL:
		if (!uri_opaque_ok(p, e))
			return -1;
		for (q = p; q < e && *q != ';'; q++)
			;
		uri->user = (struct gg_str){ p, (size_t)(q - p) };
		if (q == p)
			return -1;
		return uri_tail(uri, q, e);
	default:
		return p < e && uri_opaque_ok(p, e) ? 0 : -1;
	}
}
