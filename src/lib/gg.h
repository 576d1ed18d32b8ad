/*
 * gg.h - types shared by every ghostguard module.
 *
 * A struct gg_str is a slice: a pointer into a buffer someone else owns and a
 * length. On the packet path every field is a gg_str into the packet buffer,
 * valid until the verdict; nothing is copied or allocated. A struct gg_addr is
 * an IPv4 or IPv6 address in network byte order, comparable with memcmp over
 * its whole size (unused bytes are zero).
 */
#ifndef GG_H
#define GG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#define GG_VERSION	"0.2.0"

/* A slice of bytes owned by someone else. p may be NULL only when len is 0. */
struct gg_str {
	const char	*p;	/* first byte */
	size_t		 len;	/* number of bytes */
};

#define GG_STR_NULL	((struct gg_str){ NULL, 0 })
#define GG_STR_LIT(s)	((struct gg_str){ (s), sizeof(s) - 1 })
#define GG_NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* True when s equals the NUL-terminated lit, byte for byte. */
bool	gg_str_eq(struct gg_str s, const char *lit);
/* True when s equals lit ignoring ASCII case. */
bool	gg_str_caseeq(struct gg_str s, const char *lit);
/* True when needle occurs in s, ignoring ASCII case. An empty needle matches. */
bool	gg_str_casestr(struct gg_str s, const char *needle, size_t nlen);
/* True when s starts with lit ignoring ASCII case. */
bool	gg_str_caseprefix(struct gg_str s, const char *lit);
/*
 * Copies s into buf (size bufsz > 0) as a printable, NUL-terminated string:
 * bytes outside 0x20-0x7e become '?', and the copy is cut at bufsz - 1.
 * Returns buf.
 */
char	*gg_str_print(struct gg_str s, char *buf, size_t bufsz);

/* 64-bit FNV-1a hash of len bytes, folded with seed. */
uint64_t gg_hash(const void *p, size_t len, uint64_t seed);

/* An IPv4 or IPv6 address. IPv4 uses a[0..3]; the rest stays zero. */
struct gg_addr {
	uint8_t		family;	/* AF_INET or AF_INET6; 0 when unset */
	uint8_t		pad[3];	/* always zero */
	uint8_t		a[16];	/* the address, network byte order */
};

#define GG_ADDRSTRLEN	46	/* INET6_ADDRSTRLEN */

/* Writes the address as text into buf (GG_ADDRSTRLEN bytes). Returns buf. */
char	*gg_addr_fmt(const struct gg_addr *a, char *buf);
/* Parses an IPv4 or IPv6 literal (no brackets, no port). 0 on success, -1. */
int	 gg_addr_parse(const char *s, struct gg_addr *out);
/* Same for a slice. */
int	 gg_addr_parse_str(struct gg_str s, struct gg_addr *out);
/* Inline: the tracker compares an address a packet, and a call of
 * memcmp() cost more than the three word compares it becomes here. */
static inline bool
gg_addr_eq(const struct gg_addr *a, const struct gg_addr *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}
uint64_t gg_addr_hash(const struct gg_addr *a, uint64_t seed);
/* The IPv4 address of a (AF_INET) as a number. */
static inline uint32_t
gg_addr_v4(const struct gg_addr *a)
{
	uint32_t x;

	memcpy(&x, a->a, 4);
	return ntohl(x);
}

/* True when IPv4 address x lies in net/plen: one masked word (the 64-bit
 * shift makes the mask of /0 zero without a branch). */
static inline bool
gg_v4_in(uint32_t x, const struct gg_addr *net, unsigned plen)
{
	return plen <= 32 && ((x ^ gg_addr_v4(net)) &
	    (uint32_t)(~0ULL << (32 - plen))) == 0;
}

/*
 * True when a lies in net/plen (same family). Inline, and IPv4 as one
 * masked word: the engine tests the protected, allowed and trusted
 * networks on every packet, where memcmp() calls cost some 150
 * instructions.
 */
static inline bool
gg_addr_in(const struct gg_addr *a, const struct gg_addr *net, unsigned plen)
{
	unsigned full = plen / 8, rest = plen % 8;

	if (a->family != net->family)
		return false;
	if (a->family == AF_INET)
		return gg_v4_in(gg_addr_v4(a), net, plen);
	if (plen > 128 || memcmp(a->a, net->a, full) != 0)
		return false;
	return rest == 0 || ((a->a[full] ^ net->a[full]) &
	    (uint8_t)(0xff << (8 - rest))) == 0;
}

/*
 * Parses a decimal number from lo to hi: digits only (no sign, no blanks,
 * no unit), no overflow. 0, or -1. The config file and the command line
 * read their numbers with it.
 */
int	gg_num_parse(const char *s, unsigned long lo, unsigned long hi,
	    unsigned long *out);

/*
 * Parses a listening address: "ADDR:PORT" (IPv4) or "[ADDR]:PORT" (IPv6),
 * PORT 0 to 65535, into *ss and *sslen. 0, or -1. check-config and the
 * daemon both read the metrics address with it, so they cannot disagree;
 * the configuration refuses port 0 on its own (tests listen on it).
 */
int	gg_sockaddr_parse(const char *s, struct sockaddr_storage *ss,
	    socklen_t *sslen);

#endif /* GG_H */
