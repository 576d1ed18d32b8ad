/*
 * scan_pb.h - bit-mask classification for the SIP parser's URI and
 * name-addr readers (uri.c, and From/To/Contact in sip.c): which of 16 or
 * 64 bytes are host-name bytes, digits, dots, and whether a slice is an
 * IPv4 literal, from those masks instead of a byte loop.
 *
 * SSE2 only (scan.h says when SCAN_SSE2 is set); the -DGG_NO_SIMD build
 * uses the byte loops of uri.c and sip.c instead.
 */
#ifndef SIP_SCAN_PB_H
#define SIP_SCAN_PB_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "scan.h"

#ifdef SCAN_SSE2
/* Host-name bytes ([0-9A-Za-z._-]) among the 16 in x; digits and dots too. */
static inline unsigned
host_bits(__m128i x, unsigned *dig, unsigned *dot)
{
	__m128i lc, al, dg, dt, ot;

	lc = _mm_or_si128(x, _mm_set1_epi8(0x20));
	al = _mm_cmpgt_epi8(_mm_set1_epi8(26 - 128),
	    _mm_sub_epi8(lc, _mm_set1_epi8('a' - 128)));
	dg = _mm_cmpgt_epi8(_mm_set1_epi8(10 - 128),
	    _mm_sub_epi8(x, _mm_set1_epi8('0' - 128)));
	dt = _mm_cmpeq_epi8(x, _mm_set1_epi8('.'));
	ot = _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('-')),
	    _mm_cmpeq_epi8(x, _mm_set1_epi8('_')));
	*dig = (unsigned)_mm_movemask_epi8(dg);
	*dot = (unsigned)_mm_movemask_epi8(dt);
	return (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(al, dg),
	    _mm_or_si128(dt, ot)));
}

/*
 * Alphanumerics, '-' and '.' among the 16 bytes in x: host_bits() without
 * '_' (rare, so a stop the reader looks at) and without the digit and dot
 * masks, for two compares fewer.
 */
static inline unsigned
name_bits(__m128i x)
{
	__m128i al, dr;

	al = _mm_cmpgt_epi8(_mm_set1_epi8(26 - 128), _mm_sub_epi8(
	    _mm_or_si128(x, _mm_set1_epi8(0x20)), _mm_set1_epi8('a' - 128)));
	/* '-' to '9' is "-./0123456789": all but the '/'. */
	dr = _mm_cmpgt_epi8(_mm_set1_epi8(13 - 128),
	    _mm_sub_epi8(x, _mm_set1_epi8('-' - 128)));
	dr = _mm_andnot_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('/')), dr);
	return (unsigned)_mm_movemask_epi8(_mm_or_si128(al, dr));
}

/*
 * The bytes among the first n + 1 (n < 64) at p that are not [0-9A-Za-z.-]:
 * the "stops" a name-addr is read by. The 16-byte loads past the byte at n
 * are skipped; all 64 bytes at p must be readable.
 */
static inline uint64_t
stops64(const char *p, unsigned n)
{
	uint64_t m;

	m = name_bits(scan_load(p)) | name_bits(scan_load(p + 16)) << 16;
	if (n >= 32)
		m |= (uint64_t)(name_bits(scan_load(p + 32)) |
		    (n >= 48 ? name_bits(scan_load(p + 48)) << 16 : 0)) << 32;
	return ~m;
}

/*
 * Bytes above '1' among the 16 in x (signed: 8-bit bytes are not): the
 * first digits of the 3-digit octets whose value must be read.
 */
static inline unsigned
scan_gt1(__m128i x)
{
	return (unsigned)_mm_movemask_epi8(_mm_cmpgt_epi8(x,
	    _mm_set1_epi8('1')));
}

/*
 * The value of the n (1 to 8) bytes at p when all are digits, else more
 * than 99999999; 8 bytes at p must be readable. One 8-byte load shifted so
 * that the digits fill its top bytes (zeros, leading, below them), a test
 * of all digits at once, and three multiply-add steps joining pairs, then
 * quads, then the two halves: ~20 instructions against ~8 a digit for a
 * loop.
 */
static inline unsigned
port_swar(const char *p, unsigned n)
{
	uint64_t w, hi, d;
	unsigned sh = 64 - 8 * n;

	memcpy(&w, p, 8);
	w <<= sh;
	hi = 0xf0f0f0f0f0f0f0f0ULL << sh;
	/* A digit has high nibble 3 before and after adding 6; adding 6 to
	 * the zeros below the digits carries nothing into them. */
	if ((w & hi) != (0x3030303030303030ULL & hi) ||
	    ((w + 0x0606060606060606ULL) & hi) != (0x3030303030303030ULL & hi))
		return ~0u;
	d = w & 0x0f0f0f0f0f0f0f0fULL;
	d = (d * 10 + (d >> 8)) & 0x00ff00ff00ff00ffULL;
	d = (d * 100 + (d >> 16)) & 0x0000ffff0000ffffULL;
	return (unsigned)((d * 10000 + (d >> 32)) & 0xffffffffU);
}

/*
 * The 81 dotted quads of 1-3 digit octets as keys: the dot mask with a bit
 * at the length (one past the last digit), in bits 0-15 of the slot their
 * multiplicative hash (IPV4_KEYS_MUL, top 8 bits) picks; in bits 16-31 the
 * starts of the 3-digit octets, the only ones whose value must be read.
 * Empty slots are 0, which no key is.
 */
static const uint32_t ipv4_keys[256] = {
	0x00000000, 0x00000000, 0x02201112, 0x00000000,
	0x04402224, 0x00000000, 0x000402a2, 0x00000000,
	0x00000000, 0x08814448, 0x02041122, 0x00882444,
	0x00080544, 0x00000000, 0x11118888, 0x00000000,
	0x00000000, 0x00000000, 0x000000aa, 0x00000000,
	0x04082244, 0x00000000, 0x00000000, 0x01114888,
	0x00110a88, 0x00000000, 0x00000000, 0x00000000,
	0x00000000, 0x00000000, 0x00000000, 0x00000000,
	0x00000000, 0x00000000, 0x00000000, 0x00200912,
	0x00000154, 0x00000000, 0x00000000, 0x00000000,
	0x08114488, 0x00000000, 0x00000000, 0x00040922,
	0x00000000, 0x00000000, 0x00000000, 0x00000000,
	0x010108a8, 0x00000000, 0x00000000, 0x00200512,
	0x00000000, 0x00000000, 0x00000000, 0x00000000,
	0x00000000, 0x00000000, 0x00000000, 0x00040522,
	0x00000000, 0x00000000, 0x00000000, 0x00000000,
	0x000104a8, 0x00000000, 0x00000000, 0x04442222,
	0x00000000, 0x00000000, 0x00401224, 0x00000000,
	0x000102a8, 0x00000000, 0x00000000, 0x00000000,
	0x02011128, 0x00000000, 0x00881444, 0x00000000,
	0x0000012a, 0x00000000, 0x00000000, 0x00000000,
	0x00000000, 0x00000000, 0x00081244, 0x00000000,
	0x00000000, 0x00000000, 0x00000000, 0x00000000,
	0x02011148, 0x00000000, 0x00000000, 0x0000014a,
	0x00000000, 0x00000000, 0x00000000, 0x00000152,
	0x00000000, 0x00000000, 0x00000000, 0x00400a24,
	0x00000000, 0x00000000, 0x00000000, 0x00000000,
	0x00000000, 0x00000000, 0x00010928, 0x00000000,
	0x00000000, 0x00000000, 0x00000000, 0x00000000,
	0x00000000, 0x00000000, 0x00000000, 0x00080a44,
	0x00000000, 0x00000000, 0x00000000, 0x00000000,
	0x00000000, 0x00010948, 0x00010528, 0x00000000,
	0x00000000, 0x00000000, 0x00000000, 0x00000000,
	0x00000000, 0x00441222, 0x04412228, 0x08884444,
	0x00000000, 0x00000000, 0x00000000, 0x00000000,
	0x00000000, 0x00812448, 0x00010548, 0x00000000,
	0x00000000, 0x00000000, 0x00000000, 0x00000000,
	0x00000000, 0x00000000, 0x04012248, 0x00000000,
	0x00800454, 0x00000000, 0x00000000, 0x00000000,
	0x01112888, 0x00000000, 0x00000000, 0x00000000,
	0x00000254, 0x00000000, 0x00000000, 0x00000000,
	0x00000000, 0x00000000, 0x01000894, 0x00440a22,
	0x00000000, 0x00000000, 0x00000000, 0x00000000,
	0x00112488, 0x00000000, 0x010008a4, 0x00000000,
	0x00000000, 0x00000000, 0x00000000, 0x00000000,
	0x04112288, 0x00000000, 0x00000000, 0x00000494,
	0x00000000, 0x00000000, 0x00000000, 0x00000000,
	0x00000000, 0x00000000, 0x000004a4, 0x00000294,
	0x00000000, 0x00000000, 0x00000000, 0x02201114,
	0x00000000, 0x00000000, 0x00000000, 0x000002a4,
	0x00411228, 0x00000000, 0x00000000, 0x02001124,
	0x0040022a, 0x00000000, 0x00000000, 0x00811448,
	0x00000000, 0x00000000, 0x00000000, 0x0080044a,
	0x00000000, 0x00000000, 0x00000000, 0x00800452,
	0x00011248, 0x00000000, 0x02081144, 0x0000024a,
	0x00000000, 0x00000000, 0x00000000, 0x00000252,
	0x00000000, 0x0110088a, 0x00000000, 0x00000000,
	0x00200914, 0x01000892, 0x00000000, 0x00000000,
	0x00000000, 0x00410a28, 0x00000000, 0x00000000,
	0x00000924, 0x010408a2, 0x00111488, 0x00000000,
	0x00000000, 0x00000000, 0x0010048a, 0x00000000,
	0x00200514, 0x00000000, 0x00000492, 0x00111288,
	0x00000000, 0x00010a48, 0x0010028a, 0x00080944,
	0x00000524, 0x000404a2, 0x00000292, 0x00000000,
};
#define IPV4_KEYS_MUL	0xe07bdb9fU

/*
 * True when the n (7 to 15) bytes at p are a dotted quad of 1-3 digit
 * numbers up to 255, given the masks of the bytes that are digits or dots,
 * of the dots, and of the bytes above '1' (bit 0 is p[0]): all n bytes
 * digits or dots, and the dots and the length one of ipv4_keys, whose entry
 * also says which octets have three digits (only those from "2" up have
 * their value read).
 */
static inline bool
ipv4_mask(const char *p, unsigned n, unsigned dd, unsigned dot, unsigned hi)
{
	unsigned end = 1u << n, key, ent, t, i;

	if ((~dd & (end - 1)) != 0)
		return false;
	key = (dot & (end - 1)) | end;
	ent = ipv4_keys[(key * IPV4_KEYS_MUL) >> 24];
	if ((ent & 0xffff) != key)
		return false;
	for (t = ent >> 16 & hi; t != 0; t &= t - 1) {
		i = (unsigned)__builtin_ctz(t);
		if (p[i] > '2' || (p[i] == '2' && (p[i + 1] > '5' ||
		    (p[i + 1] == '5' && p[i + 2] > '5'))))
			return false;
	}
	return true;
}

/*
 * ipv4_mask() for the n (7 to 15) bytes at p, 16 of them readable and
 * none a '/' (the callers read the host between stops, or by
 * name_bits()): then the bytes '.' to '9' are the digits and dots, one
 * range compare.
 */
static inline bool
ipv4_at(const char *p, unsigned n)
{
	__m128i x = scan_load(p);

	return ipv4_mask(p, n, (unsigned)_mm_movemask_epi8(_mm_cmpgt_epi8(
	    _mm_set1_epi8(12 - 128), _mm_sub_epi8(x, _mm_set1_epi8('.' -
	    128)))), scan_eq(x, '.'), scan_gt1(x));
}
#endif

#endif /* SIP_SCAN_PB_H */
