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
 * The bytes among the first n + 1 (n < 64) at p that are not host-name
 * bytes, and the digits and dots: the "stops" a name-addr is read by. The
 * 16-byte loads past the byte at n are skipped; all 64 bytes at p must be
 * readable.
 */
static inline uint64_t
stops64(const char *p, unsigned n, uint64_t *dig, uint64_t *dot)
{
	unsigned h0, h1, d0, d1, t0, t1;
	uint64_t hm;

	h0 = host_bits(scan_load(p), &d0, &t0);
	h1 = host_bits(scan_load(p + 16), &d1, &t1);
	hm = h0 | h1 << 16;
	*dig = d0 | d1 << 16;
	*dot = t0 | t1 << 16;
	if (n >= 32) {
		h0 = host_bits(scan_load(p + 32), &d0, &t0);
		h1 = n >= 48 ? host_bits(scan_load(p + 48), &d1, &t1) :
		    (d1 = t1 = 0);
		hm |= (uint64_t)(h0 | h1 << 16) << 32;
		*dig |= (uint64_t)(d0 | d1 << 16) << 32;
		*dot |= (uint64_t)(t0 | t1 << 16) << 32;
	}
	return ~hm;
}

/*
 * True when the n bytes at p are a dotted quad of 1-3 digit numbers up to
 * 255, given the masks of their digits and dots (bit 0 is p[0]): every byte
 * a digit or a dot, digits at both ends, no two dots together, exactly three
 * dots and no four digits together. Only a 3-digit octet from "2" up needs
 * its value read.
 */
static inline bool
ipv4_mask(const char *p, unsigned n, unsigned dig, unsigned dot)
{
	unsigned all, d, t, i;

	if (n - 7 > 8)
		return false;
	all = (1u << n) - 1;
	dig &= all;
	dot &= all;
	if ((dig | dot) != all || (~dig & (1u | 1u << (n - 1))) != 0 ||
	    (dot & dot >> 1) != 0)
		return false;
	d = dot & (dot - 1);
	d &= d - 1;
	if (d == 0 || (d & (d - 1)) != 0)
		return false;
	t = dig & dig >> 1 & dig >> 2;
	if ((t & dig >> 3) != 0)
		return false;
	for (; t != 0; t &= t - 1) {
		i = (unsigned)__builtin_ctz(t);
		if (p[i] >= '2' && (p[i] > '2' || p[i + 1] > '5' ||
		    (p[i + 1] == '5' && p[i + 2] > '5')))
			return false;
	}
	return true;
}
#endif

#endif /* SIP_SCAN_PB_H */
