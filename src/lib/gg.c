/*
 * gg.c - slices, hashing and addresses shared by every module.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "gg.h"

static int
lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

bool
gg_str_eq(struct gg_str s, const char *lit)
{
	size_t n = strlen(lit);

	return s.len == n && (n == 0 || memcmp(s.p, lit, n) == 0);
}

bool
gg_str_caseeq(struct gg_str s, const char *lit)
{
	return s.len == strlen(lit) && gg_str_caseprefix(s, lit);
}

bool
gg_str_caseprefix(struct gg_str s, const char *lit)
{
	size_t n = strlen(lit), i;

	if (s.len < n)
		return false;
	for (i = 0; i < n; i++)
		if (lower((unsigned char)s.p[i]) != lower((unsigned char)lit[i]))
			return false;
	return true;
}

bool
gg_str_casestr(struct gg_str s, const char *needle, size_t nlen)
{
	size_t i, j;

	if (nlen == 0)
		return true;
	if (s.len < nlen)
		return false;
	for (i = 0; i + nlen <= s.len; i++) {
		for (j = 0; j < nlen; j++)
			if (lower((unsigned char)s.p[i + j]) !=
			    lower((unsigned char)needle[j]))
				break;
		if (j == nlen)
			return true;
	}
	return false;
}

char *
gg_str_print(struct gg_str s, char *buf, size_t bufsz)
{
	size_t i, n = s.len < bufsz - 1 ? s.len : bufsz - 1;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s.p[i];
		buf[i] = (c >= 0x20 && c <= 0x7e) ? (char)c : '?';
	}
	buf[n] = '\0';
	return buf;
}

uint64_t
gg_hash(const void *p, size_t len, uint64_t seed)
{
	const unsigned char *b = p;
	uint64_t h = 0xcbf29ce484222325ULL ^ seed;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= b[i];
		h *= 0x100000001b3ULL;
	}
	/* Finalise so that low bits depend on every input byte. */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

char *
gg_addr_fmt(const struct gg_addr *a, char *buf)
{
	if (a->family == AF_INET || a->family == AF_INET6) {
		if (inet_ntop(a->family, a->a, buf, GG_ADDRSTRLEN) != NULL)
			return buf;
	}
	strcpy(buf, "?");
	return buf;
}

int
gg_addr_parse(const char *s, struct gg_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, s, out->a) == 1) {
		out->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, out->a) == 1) {
		out->family = AF_INET6;
		return 0;
	}
	memset(out, 0, sizeof(*out));
	return -1;
}

int
gg_addr_parse_str(struct gg_str s, struct gg_addr *out)
{
	char buf[GG_ADDRSTRLEN + 1];

	if (s.len == 0 || s.len > GG_ADDRSTRLEN) {
		memset(out, 0, sizeof(*out));
		return -1;
	}
	memcpy(buf, s.p, s.len);
	buf[s.len] = '\0';
	return gg_addr_parse(buf, out);
}

/*
 * Addresses are hashed on every packet: three 64-bit multiplications over
 * the 20 bytes instead of a byte loop.
 */
uint64_t
gg_addr_hash(const struct gg_addr *a, uint64_t seed)
{
	uint64_t w[3] = { 0, 0, 0 }, h;

	memcpy(w, a, sizeof(*a));
	h = seed ^ 0x9e3779b97f4a7c15ULL;
	h = (h ^ w[0]) * 0xff51afd7ed558ccdULL;
	h = (h ^ (h >> 29) ^ w[1]) * 0xc4ceb9fe1a85ec53ULL;
	h = (h ^ (h >> 31) ^ w[2]) * 0xff51afd7ed558ccdULL;
	return h ^ (h >> 33);
}

int
gg_num_parse(const char *s, unsigned long lo, unsigned long hi,
    unsigned long *out)
{
	unsigned long v;
	char *end;

	if (s[0] < '0' || s[0] > '9')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end != '\0' || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

int
gg_sockaddr_parse(const char *s, struct sockaddr_storage *ss,
    socklen_t *sslen)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)(void *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)(void *)ss;
	char host[INET6_ADDRSTRLEN + 1];
	const char *colon, *h = s;
	unsigned long port;
	size_t hlen;

	if ((colon = strrchr(s, ':')) == NULL)
		return -1;
	hlen = (size_t)(colon - s);
	if (s[0] == '[') {
		if (hlen < 2 || colon[-1] != ']')
			return -1;
		h++;
		hlen -= 2;
	}
	if (hlen == 0 || hlen >= sizeof(host) ||
	    gg_num_parse(colon + 1, 0, 65535, &port) != 0)
		return -1;
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	memset(ss, 0, sizeof(*ss));
	if (s[0] != '[' && inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		*sslen = sizeof(*sin);
		return 0;
	}
	if (s[0] == '[' && inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		*sslen = sizeof(*sin6);
		return 0;
	}
	return -1;
}
