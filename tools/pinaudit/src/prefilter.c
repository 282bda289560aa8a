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

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/*
 * One pass over the buffer: does it call the GUP family (PF_API), call an
 * unpin/put (PF_REL), or name a FOLL_ flag (PF_FOLL)?  Looks for "_p..e"
 * (every name of interest has "_page") and "F..._" at once, 16 bytes at a
 * time, and verifies each candidate.
 */
unsigned prefilter_bits(const char *b, size_t n)
{
	unsigned bits = 0;
	size_t i = 0;

#if defined(__SSE2__)
	const __m128i cu = _mm_set1_epi8('_'), cp = _mm_set1_epi8('p');
	const __m128i ce = _mm_set1_epi8('e'), cf = _mm_set1_epi8('F');

	for (; i + 16 + 4 <= n; i += 16) {
		__m128i a0 = _mm_loadu_si128((const __m128i *)(b + i));
		__m128i a1 = _mm_loadu_si128((const __m128i *)(b + i + 1));
		__m128i a4 = _mm_loadu_si128((const __m128i *)(b + i + 4));
		__m128i m1 = _mm_and_si128(_mm_cmpeq_epi8(a0, cu),
				_mm_and_si128(_mm_cmpeq_epi8(a1, cp), _mm_cmpeq_epi8(a4, ce)));
		__m128i m2 = _mm_and_si128(_mm_cmpeq_epi8(a0, cf), _mm_cmpeq_epi8(a4, cu));
		unsigned mask = (unsigned)_mm_movemask_epi8(_mm_or_si128(m1, m2));

		while (mask) {
			size_t k = i + (size_t)__builtin_ctz(mask);

			mask &= mask - 1;
			bits |= b[k] == '_' ? check_page_hit(b, n, k) : check_foll_hit(b, k);
			if (bits & PF_API)
				return bits | PF_FOLL_UNKNOWN;
		}
	}
#endif
	for (; i + 5 <= n; i++) {
		if (b[i] == '_' && b[i + 1] == 'p')
			bits |= check_page_hit(b, n, i);
		else if (b[i] == 'F')
			bits |= check_foll_hit(b, i);
		if (bits & PF_API)
			return bits | PF_FOLL_UNKNOWN;
	}
	return bits;
}

bool prefilter(const char *buf, size_t len)
{
	return prefilter_bits(buf, len) != 0;
}
