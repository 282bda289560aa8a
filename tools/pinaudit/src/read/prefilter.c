// SPDX-License-Identifier: GPL-2.0
/*
 * pinaudit: the prefilter.  One vectorised pass over every file of the
 * tree says whether it calls the GUP family (then it is parsed), calls
 * an unpin/put (then it may be parsed later for a nearby pin), or names a
 * FOLL_ flag (then it is validated for internal-flag).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pinaudit.h"
#include "scan.h"

/* the calls that release pages: unpin_user_page*(), put_page() ... */
static const char *const release_fns[] = {
	"unpin_user_page", "unpin_user_pages", "unpin_user_pages_dirty_lock",
	"unpin_user_page_range_dirty_lock", "unpin_folio", "unpin_folios",
	"put_page", "put_user_page", "put_user_pages",
	"put_user_pages_dirty_lock", "release_pages", "bio_release_pages",
	"__bio_release_pages", "bio_release_page",
};

bool is_release_name(const char *s, size_t n)
{
	for (size_t i = 0; i < sizeof(release_fns) / sizeof(*release_fns); i++)
		if (strlen(release_fns[i]) == n && !memcmp(release_fns[i], s, n))
			return true;
	return false;
}

static bool ident_ch(unsigned char c)
{
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

/* the line of b[k] is a comment line in kernel style: it starts with a
 * star and a blank (or a slash), a block comment or a line comment; a
 * dereference ("*p = ...") does not */
static bool comment_line(const char *b, size_t k)
{
	size_t l = k;

	while (l > 0 && b[l - 1] != '\n')
		l--;
	while (l < k && (b[l] == ' ' || b[l] == '\t'))
		l++;
	if (l + 1 >= k)
		return false;
	if (b[l] == '/' && b[l + 1] == '/')
		return true;
	if (!(b[l] == '/' && b[l + 1] == '*') &&
	    !(b[l] == '*' && (b[l + 1] == ' ' || b[l + 1] == '\t' || b[l + 1] == '/')))
		return false;
	/* a comment that ends before the call: code follows it */
	for (size_t q = l + 1; q + 1 < k; q++)
		if (b[q] == '*' && b[q + 1] == '/')
			return false;
	return true;
}

/* the line of b[s] is a #define whose body is the name at [s, e) alone
 * ("#define VENDOR_PIN pin_user_pages"): an alias of the family, which a
 * header of #defines alone may hold */
static bool define_alias(const char *b, size_t n, size_t s, size_t e)
{
	size_t l = s;

	while (e < n && (b[e] == ' ' || b[e] == '\t' || b[e] == '\r'))
		e++;
	if (e < n && b[e] != '\n')
		return false;
	while (l > 0 && b[l - 1] != '\n')
		l--;
	while (l < s && (b[l] == ' ' || b[l] == '\t'))
		l++;
	if (l >= s || b[l] != '#')
		return false;
	for (l++; l < s && (b[l] == ' ' || b[l] == '\t'); l++)
		;
	return s - l > 7 && !memcmp(b + l, "define", 6);
}

/* a "_page" at k: is its identifier one of ours, followed by '(' ? */
static unsigned check_page_hit(const char *b, size_t n, size_t k)
{
	size_t s = k, e = k + 5;

	if (memcmp(b + k, "_page", 5))
		return 0;
	while (s > 0 && ident_ch(b[s - 1]))
		s--;
	while (e < n && ident_ch(b[e]))
		e++;
	const struct api_info *api = api_lookup(b + s, e - s);

	/* "pin_user_pages() returns ..." in a comment: no site there, no
	 * need to parse the file for it (a real call is still verified by
	 * the parser; this only decides whether to parse) */
	if (api && comment_line(b, s))
		return 0;
	bool rel = !api && is_release_name(b + s, e - s);

	if (!api && !rel)
		return 0;
	if (api && define_alias(b, n, s, e))
		return PF_API;
	while (e < n && (b[e] == ' ' || b[e] == '\t' || b[e] == '\n' || b[e] == '\r'))
		e++;
	if (e >= n || b[e] != '(')
		return 0;
	return api ? PF_API : PF_REL;
}

static unsigned check_foll_hit(const char *b, size_t k)
{
	return !memcmp(b + k, "FOLL_", 5) && (k == 0 || !ident_ch(b[k - 1])) ? PF_FOLL : 0;
}

/* a hit of the vector loops at k: verify it, unless a call of the family
 * is known already (then the answer is final, as the scalar loop's) */
static inline unsigned check_hit(const char *b, size_t n, size_t k)
{
	return b[k] == '_' ? check_page_hit(b, n, k) : check_foll_hit(b, k);
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define PF_X86 1

/*
 * The vector loop, 32 bytes at a time (AVX2) or 16 (SSE2): "_p..e" (every
 * name of interest has "_page"), "F..._", and, with seen, each '(' and
 * whether there is a '{'.  Returns where it stopped; *bits as the scalar
 * loop would have them at that point.
 */
__attribute__((target("avx2")))
static size_t scan_avx2(const char *b, size_t n, unsigned *bitsp, uint64_t *seen, bool *body)
{
	const __m256i cu = _mm256_set1_epi8('_'), cp = _mm256_set1_epi8('p');
	const __m256i ce = _mm256_set1_epi8('e'), cf = _mm256_set1_epi8('F');
	const __m256i cl = _mm256_set1_epi8('('), cb = _mm256_set1_epi8('{');
	unsigned bits = *bitsp, brace = 0;
	size_t i = 0;

	for (; i + 32 + 4 <= n; i += 32) {
		__m256i a0 = _mm256_loadu_si256((const __m256i *)(b + i));
		__m256i a1 = _mm256_loadu_si256((const __m256i *)(b + i + 1));
		__m256i a4 = _mm256_loadu_si256((const __m256i *)(b + i + 4));
		__m256i m1 = _mm256_and_si256(_mm256_cmpeq_epi8(a0, cu),
				_mm256_and_si256(_mm256_cmpeq_epi8(a1, cp), _mm256_cmpeq_epi8(a4, ce)));
		__m256i m2 = _mm256_and_si256(_mm256_cmpeq_epi8(a0, cf), _mm256_cmpeq_epi8(a4, cu));
		unsigned mask = (unsigned)_mm256_movemask_epi8(_mm256_or_si256(m1, m2));
		unsigned par = seen ? (unsigned)_mm256_movemask_epi8(_mm256_cmpeq_epi8(a0, cl)) : 0;

		brace |= seen && !brace ? (unsigned)_mm256_movemask_epi8(_mm256_cmpeq_epi8(a0, cb)) : 0;
		if (__builtin_expect(mask != 0, 0) && !(bits & PF_API)) {
			while (mask && !(bits & PF_API)) {
				bits |= check_hit(b, n, i + (size_t)__builtin_ctz(mask));
				mask &= mask - 1;
			}
			if (!seen && (bits & PF_API))
				break;
		}
		if (par)
			call_keys_note(b, i, par, seen);
	}
	*bitsp = bits;
	*body |= brace != 0;
	return i;
}

static size_t scan_sse2(const char *b, size_t n, unsigned *bits, uint64_t *seen, bool *body)
{
	const __m128i cu = _mm_set1_epi8('_'), cp = _mm_set1_epi8('p');
	const __m128i ce = _mm_set1_epi8('e'), cf = _mm_set1_epi8('F');
	const __m128i cl = _mm_set1_epi8('('), cb = _mm_set1_epi8('{');
	__m128i braces = _mm_setzero_si128();
	size_t i = 0;

	for (; i + 16 + 4 <= n; i += 16) {
		__m128i a0 = _mm_loadu_si128((const __m128i *)(b + i));
		__m128i a1 = _mm_loadu_si128((const __m128i *)(b + i + 1));
		__m128i a4 = _mm_loadu_si128((const __m128i *)(b + i + 4));
		__m128i m1 = _mm_and_si128(_mm_cmpeq_epi8(a0, cu),
				_mm_and_si128(_mm_cmpeq_epi8(a1, cp), _mm_cmpeq_epi8(a4, ce)));
		__m128i m2 = _mm_and_si128(_mm_cmpeq_epi8(a0, cf), _mm_cmpeq_epi8(a4, cu));
		unsigned mask = (unsigned)_mm_movemask_epi8(_mm_or_si128(m1, m2));

		while (mask && !(*bits & PF_API)) {
			*bits |= check_hit(b, n, i + (size_t)__builtin_ctz(mask));
			mask &= mask - 1;
		}
		if (!seen) {
			if (*bits & PF_API)
				return i;
			continue;
		}
		braces = _mm_or_si128(braces, _mm_cmpeq_epi8(a0, cb));
		unsigned par = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(a0, cl));

		if (par)
			call_keys_note(b, i, par, seen);
	}
	*body |= _mm_movemask_epi8(braces) != 0;
	return i;
}
#endif

/*
 * One pass over the buffer: does it call the GUP family (PF_API), call an
 * unpin/put (PF_REL), or name a FOLL_ flag (PF_FOLL)?  Each candidate of
 * the vector loop is verified.  Without seen, the pass stops at the first
 * call of the family (PF_FOLL_UNKNOWN: FOLL_ names after it were not
 * looked for).  With seen (CALLKEY_WORDS words, zero), it also notes the
 * keys of the names called (callindex.c) and whether there is a '{'
 * (*body), to the end; the bits are the same either way.
 */
unsigned prefilter_scan(const char *b, size_t n, uint64_t *seen, bool *body)
{
	unsigned bits = 0;
	size_t i = 0;
	bool brace = false;

	/* a file without a '{' (the register headers: 38% of the stock
	 * tree's bytes) holds no function, so no caller: no keys needed */
	if (seen && !memchr(b, '{', n)) {
		*body = false;
		seen = NULL;
		body = NULL;
	}
#ifdef PF_X86
	if (__builtin_cpu_supports("avx2"))
		i = scan_avx2(b, n, &bits, seen, &brace);
	else
		i = scan_sse2(b, n, &bits, seen, &brace);
	if (!seen && (bits & PF_API))
		return bits | PF_FOLL_UNKNOWN;
#endif
	for (; i < n; i++) {
		if (!(bits & PF_API) && i + 5 <= n) {
			if (b[i] == '_' && b[i + 1] == 'p')
				bits |= check_page_hit(b, n, i);
			else if (b[i] == 'F')
				bits |= check_foll_hit(b, i);
			if (!seen && (bits & PF_API))
				return bits | PF_FOLL_UNKNOWN;
		}
		if (!seen)
			continue;
		if (b[i] == '{')
			brace = true;
		else if (b[i] == '(')
			call_keys_note(b, i, 1, seen);
	}
	if (body)
		*body = brace;
	return bits & PF_API ? bits | PF_FOLL_UNKNOWN : bits;
}

unsigned prefilter_bits(const char *b, size_t n)
{
	return prefilter_scan(b, n, NULL, NULL);
}

bool prefilter(const char *buf, size_t len)
{
	return prefilter_bits(buf, len) != 0;
}
