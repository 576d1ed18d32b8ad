/*
 * scan.h - byte scans shared by the SIP parser's files (sip.c, uri.c): find
 * the first of one to three given bytes, 16 bytes per step with SSE2.
 *
 * Every scan takes the slice [p, e) it searches and lim >= e, the end of the
 * memory it may read (the end of the message buffer): a 16-byte load is made
 * only when at least 16 bytes remain before lim, and bits of bytes at or
 * after e are dropped, so a value that ends just before its line's CRLF is
 * still scanned in one load. Near lim the scans go byte by byte. Nothing is
 * ever read outside [p, lim).
 *
 * SSE2 is part of x86-64, so no flag is needed. Building with -DGG_NO_SIMD
 * (or for a target without SSE2) gives the scalar versions; the unit test is
 * also run that way: make B=build/nosimd CC="cc -DGG_NO_SIMD"
 * build/nosimd/tests/sip_test && ./build/nosimd/tests/sip_test
 */
#ifndef SIP_SCAN_H
#define SIP_SCAN_H

#include <stddef.h>
#include <stdint.h>

#if defined(__SSE2__) && !defined(GG_NO_SIMD)
#define SCAN_SSE2	1
#include <emmintrin.h>
#endif

#ifdef SCAN_SSE2
static inline __m128i
scan_load(const char *p)
{
	return _mm_loadu_si128((const __m128i *)(const void *)p);
}

static inline unsigned
scan_eq(__m128i x, char c)
{
	return (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8(c)));
}

/* Keeps the bits of the bytes before e (n = e - p, maybe over 16). */
static inline unsigned
scan_clip(unsigned m, ptrdiff_t n)
{
	return n < 16 ? m & ((1u << n) - 1) : m;
}
#endif

/* The first byte of [p, e) equal to a, or e. */
static inline const char *
scan1(const char *p, const char *e, const char *lim, char a)
{
#ifdef SCAN_SSE2
	unsigned m;

	while (p < e && lim - p >= 16) {
		m = scan_clip(scan_eq(scan_load(p), a), e - p);
		if (m != 0)
			return p + __builtin_ctz(m);
		p += 16;
	}
#else
	(void)lim;
#endif
	while (p < e && *p != a)
		p++;
	return p < e ? p : e;
}

/* The first byte of [p, e) equal to a or b, or e. */
static inline const char *
scan2(const char *p, const char *e, const char *lim, char a, char b)
{
#ifdef SCAN_SSE2
	__m128i x;
	unsigned m;

	while (p < e && lim - p >= 16) {
		x = scan_load(p);
		m = scan_clip(scan_eq(x, a) | scan_eq(x, b), e - p);
		if (m != 0)
			return p + __builtin_ctz(m);
		p += 16;
	}
#else
	(void)lim;
#endif
	while (p < e && *p != a && *p != b)
		p++;
	return p < e ? p : e;
}

/* The first byte of [p, e) equal to a, b or c, or e. */
static inline const char *
scan3(const char *p, const char *e, const char *lim, char a, char b, char c)
{
#ifdef SCAN_SSE2
	__m128i x;
	unsigned m;

	while (p < e && lim - p >= 16) {
		x = scan_load(p);
		m = scan_clip(scan_eq(x, a) | scan_eq(x, b) | scan_eq(x, c),
		    e - p);
		if (m != 0)
			return p + __builtin_ctz(m);
		p += 16;
	}
#else
	(void)lim;
#endif
	while (p < e && *p != a && *p != b && *p != c)
		p++;
	return p < e ? p : e;
}

#endif /* SIP_SCAN_H */
