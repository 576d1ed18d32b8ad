/*
 * frame.c - SIP message boundaries on a stream, and the cheap "is this SIP"
 * test used by the decoder on non-SIP ports.
 *
 * Self-contained on purpose: the decoder (src/net/) frames TCP streams with
 * it before any message is parsed, so it must not depend on sip_parse().
 * Everything here reads strictly inside [buf, buf + len).
 */
#include <string.h>

#include "sip.h"

#define FRAME_LOOKAHEAD	512		/* bytes of first line examined */
#define FRAME_HDR_MAX	(64 * 1024)	/* header section ceiling (sip.h) */
#define FRAME_CL_MAX	(16u * 1024 * 1024) /* larger Content-Length is bad */

/* What the first line says so far. */
enum line_verdict {
	LINE_NO,	/* cannot be a SIP start line */
	LINE_YES,	/* is a SIP request or status line */
	LINE_MAYBE	/* could be, but the bytes end too early */
};

static int
lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

/* RFC 3261 token characters. */
static bool
is_token(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return true;
	return c != '\0' && strchr("-.!%*_+`'~", c) != NULL;
}

/*
 * Compares buf with the prefix lit (ASCII case ignored) as far as buf goes:
 * LINE_YES when all of lit matched, LINE_MAYBE when buf ended first.
 */
static enum line_verdict
match_prefix(const char *buf, size_t len, const char *lit)
{
	size_t i, n = strlen(lit);

	for (i = 0; i < n; i++) {
		if (i == len)
			return LINE_MAYBE;
		if (lower((unsigned char)buf[i]) !=
		    lower((unsigned char)lit[i]))
			return LINE_NO;
	}
	return LINE_YES;
}

/*
 * Length of a SIP-Version ("SIP/" 1*DIGIT "." 1*DIGIT, "SIP" in any case)
 * at the start of p, or 0. *cut is set when p ended before that was clear.
 */
static size_t
sip_version(const char *p, size_t n, bool *cut)
{
	enum line_verdict v = match_prefix(p, n, "SIP/");
	size_t i = 4, d;

	*cut = v == LINE_MAYBE;
	if (v != LINE_YES)
		return 0;
	for (d = i; i < n && p[i] >= '0' && p[i] <= '9'; i++)
		;
	if (i == n || i == d || p[i] != '.') {
		*cut = i == n;
		return 0;
	}
	for (d = ++i; i < n && p[i] >= '0' && p[i] <= '9'; i++)
		;
	*cut = i == n;
	return i == d ? 0 : i;
}

/*
 * "SIP-Version SP 3DIGIT" then SP or the end of the line. The reason phrase
 * is not examined beyond that (CTLs were rejected by the caller). A line
 * cut short after the code still counts: a truncated capture of a response.
 */
static enum line_verdict
status_line(const char *l, size_t e, bool complete)
{
	size_t v, d;
	bool cut;

	if ((v = sip_version(l, e, &cut)) == 0)
		return cut && !complete ? LINE_MAYBE : LINE_NO;
	for (d = 0; d < 4; d++) {
		if (v + d == e)
			return complete ? LINE_NO : LINE_MAYBE;
		if (d == 0 ? l[v] != ' ' : (l[v + d] < '0' || l[v + d] > '9'))
			return LINE_NO;
	}
	return v + 4 == e || l[v + 4] == ' ' ? LINE_YES : LINE_NO;
}

/*
 * "Method SP Request-URI SP SIP-Version": a token, one SP, a URI that does
 * not start with SP, and a version running to the end of the line (after
 * the last SP). An unfinished line is MAYBE at best.
 */
static enum line_verdict
request_line(const char *l, size_t e, bool complete)
{
	size_t i, k;
	bool cut;

	for (i = 0; i < e && is_token((unsigned char)l[i]); i++)
		;
	if (i == e)
		return complete ? LINE_NO : LINE_MAYBE;
	if (i == 0 || l[i] != ' ')
		return LINE_NO;
	if (!complete)
		return i + 1 < e && l[i + 1] == ' ' ? LINE_NO : LINE_MAYBE;
	for (k = e; k > i + 1 && l[k - 1] != ' '; k--)
		;
	if (k <= i + 2)		/* no URI, or no SP after it */
		return LINE_NO;
	return sip_version(l + k, e - k, &cut) == e - k ? LINE_YES : LINE_NO;
}

/*
 * Judges the first line: finds its end within the look-ahead, rejects
 * control characters (RFC 3261 allows none in a start line but HT), then
 * reads it as a status line or a request line.
 */
static enum line_verdict
start_line(const char *buf, size_t len)
{
	size_t lim = len < FRAME_LOOKAHEAD ? len : FRAME_LOOKAHEAD, e;
	bool complete;

	for (e = 0; e < lim && buf[e] != '\r' && buf[e] != '\n'; e++) {
		unsigned char c = (unsigned char)buf[e];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return LINE_NO;
	}
	complete = e < lim;
	if (!complete && lim == FRAME_LOOKAHEAD)
		return LINE_NO;		/* a first line this long is not SIP */
	if (match_prefix(buf, e, "SIP/") != LINE_NO)
		return status_line(buf, e, complete);
	return request_line(buf, e, complete);
}

bool
sip_looks_like(const char *buf, size_t len)
{
	return buf != NULL && start_line(buf, len) == LINE_YES;
}

/*
 * Offset just past the empty line that ends the header section (CRLFCRLF,
 * LFLF, or a mix), or 0 when it is not in buf. Starts at the first LF.
 */
static size_t
header_end(const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;

	while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		p++;
		if (p < end && *p == '\n')
			return (size_t)(p + 1 - buf);
		if (end - p >= 2 && p[0] == '\r' && p[1] == '\n')
			return (size_t)(p + 2 - buf);
	}
	return 0;
}

/*
 * Reads a Content-Length value from p (up to the end of its line, folded
 * continuation lines included). Returns false when it is not one decimal
 * number with optional white space around it, or when it is implausibly big.
 */
static bool
cl_value(const char *p, const char *end, size_t *out)
{
	size_t v = 0, ndig = 0;
	bool after = false;	/* white space seen after the digits */

	for (; p < end; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == '\r' || c == '\n') {
			/* A folded line continues with SP or HT. */
			const char *q = p + (c == '\r' && p + 1 < end &&
			    p[1] == '\n' ? 2 : 1);

			if (q >= end || (*q != ' ' && *q != '\t'))
				break;
			p = q;
			c = ' ';
		}
		if (c == ' ' || c == '\t') {
			after = ndig > 0;
			continue;
		}
		if (c < '0' || c > '9' || after)
			return false;
		v = v * 10 + (c - '0');
		if (++ndig > 9 || v > FRAME_CL_MAX)
			return false;
	}
	*out = v;
	return ndig > 0;
}

/*
 * Finds the Content-Length (or compact "l") header in the header lines
 * [p, end). *cl is set when exactly one value (or several equal ones) is
 * present. Returns false on a malformed or conflicting value.
 */
static bool
find_content_length(const char *p, const char *end, bool *found, size_t *cl)
{
	*found = false;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end, *q = p;
		struct gg_str name;
		size_t v;

		/* Continuation lines belong to the previous header. */
		if (*p != ' ' && *p != '\t') {
			while (q < le && is_token((unsigned char)*q))
				q++;
			name.p = p;
			name.len = (size_t)(q - p);
			while (q < le && (*q == ' ' || *q == '\t'))
				q++;
			if (q < le && *q == ':' &&
			    (gg_str_caseeq(name, "content-length") ||
			    gg_str_caseeq(name, "l"))) {
				if (!cl_value(q + 1, end, &v))
					return false;
				if (*found && v != *cl)
					return false;
				*found = true;
				*cl = v;
			}
		}
		p = nl ? nl + 1 : end;
	}
	return true;
}

enum sip_rc
sip_frame(const char *buf, size_t len, size_t *skip, size_t *msg_len)
{
	size_t s = 0, he, cl = 0;
	enum line_verdict v;
	const char *first_nl;
	bool found;

	*msg_len = 0;
	while (s < len && (buf[s] == '\r' || buf[s] == '\n'))
		s++;
	*skip = s;
	buf += s;
	len -= s;
	if (len == 0)
		return SIP_EPARTIAL;
	v = start_line(buf, len);
	if (v == LINE_NO)
		return SIP_ENOTSIP;
	he = header_end(buf, len < FRAME_HDR_MAX ? len : FRAME_HDR_MAX);
	if (he == 0)
		return len >= FRAME_HDR_MAX ? SIP_EBADMSG : SIP_EPARTIAL;
	if (v == LINE_MAYBE)
		return SIP_ENOTSIP;	/* header section, no start line */
	first_nl = memchr(buf, '\n', he);
	if (!find_content_length(first_nl + 1, buf + he, &found, &cl) || !found)
		return SIP_EBADMSG;
	if (cl > len - he)
		return SIP_EPARTIAL;
	*msg_len = he + cl;
	return SIP_OK;
}
