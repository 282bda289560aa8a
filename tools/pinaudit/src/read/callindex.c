// SPDX-License-Identifier: GPL-2.0
/*
 * pinaudit: the names each file calls, kept from the first read of the
 * tree for the caller search (audit.c).
 *
 * The caller search asks which files of the tree call a few exported
 * functions ("name (" after a non-identifier).  Those names are known
 * only once the sites' modules are read, after the first pass over the
 * tree; reading every file a second time to look for them cost as much as
 * the first pass.  Instead, the first pass keeps, for each file, the set
 * of 16-bit keys of the identifiers that stand before a '(' (blanks and
 * newlines between them allowed): a few dozen bytes a file.  The search
 * then reads only the files whose set holds the key of a wanted name, and
 * looks for the names there as before: the keys only decide which files
 * are read, never what is found.
 *
 * A key hashes an identifier's last eight bytes and its length (capped at
 * nine), so it is computed from the bytes before the '(' alone, without
 * walking back to the identifier's start.
 */
#define _GNU_SOURCE
#include <string.h>

#include "scan.h"

static inline bool ident_byte(unsigned char c)
{
	return c == '_' || (unsigned)(c - '0') < 10 || (unsigned)((c | 32) - 'a') < 26;
}

uint16_t call_key(const char *name, size_t len)
{
	return callkey_hash(callkey_tail(name, name + len, len < 8 ? (unsigned)len : 8), len);
}

#if defined(__SSE2__)
#include <emmintrin.h>
#define CALLINDEX_SSE2 1
#endif

/* the identifier that ends at e (b <= e): its length, at least up to 9 */
static inline size_t ident_before(const char *b, const char *e)
{
#ifdef CALLINDEX_SSE2
	if (e - b >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(e - 16));
		__m128i lv = _mm_or_si128(v, _mm_set1_epi8(32));
		__m128i dg = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('0' - 1)),
					   _mm_cmpgt_epi8(_mm_set1_epi8('9' + 1), v));
		__m128i al = _mm_and_si128(_mm_cmpgt_epi8(lv, _mm_set1_epi8('a' - 1)),
					   _mm_cmpgt_epi8(_mm_set1_epi8('z' + 1), lv));
		__m128i us = _mm_cmpeq_epi8(v, _mm_set1_epi8('_'));
		unsigned m = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(dg, al), us));

		/* the run of identifier bytes that ends with byte 15 */
		return (size_t)__builtin_clz(~(m << 16));
	}
#endif
	size_t l = 0;

	while (e - l > b && l < 16 && ident_byte((unsigned char)e[-1 - (long)l]))
		l++;
	return l;
}

static inline void note_key(uint64_t *seen, uint16_t h)
{
	seen[h >> 6] |= 1ull << (h & 63);
	/* which words are set: call_keys_take() reads only those */
	seen[CALLKEY_WORDS + (h >> 12)] |= 1ull << ((h >> 6) & 63);
}

void call_keys_note(const char *b, size_t i, uint32_t par, uint64_t *seen)
{
	while (par) {
		const char *e = b + i + (unsigned)__builtin_ctz(par);
		unsigned char c = e > b ? (unsigned char)e[-1] : 0;

		par &= par - 1;
		if (!ident_byte(c)) {
			/* "name (": else no name before this '(' */
			if (c != ' ' && c != '\t' && c != '\n')
				continue;
			while (e > b && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n'))
				e--;
		}
		size_t len = ident_before(b, e);

		if (len)
			note_key(seen, callkey_hash(callkey_tail(b, e, len < 8 ? (unsigned)len : 8),
						    len));
	}
}

size_t call_keys_take(uint64_t *seen, uint16_t *keys)
{
	size_t nk = 0;

	for (unsigned s = 0; s < CALLKEY_WORDS / 64; s++) {
		uint64_t set = seen[CALLKEY_WORDS + s];

		seen[CALLKEY_WORDS + s] = 0;
		while (set) {
			unsigned w = s * 64 + (unsigned)__builtin_ctzll(set);
			uint64_t x = seen[w];

			set &= set - 1;
			seen[w] = 0;
			while (x) {
				keys[nk++] = (uint16_t)(w * 64 + (unsigned)__builtin_ctzll(x));
				x &= x - 1;
			}
		}
	}
	return nk;
}

bool call_keys_hit(const uint16_t *keys, size_t nk, const uint16_t *want, size_t nw)
{
	for (size_t j = 0; j < nw; j++) {
		size_t lo = 0, hi = nk;

		while (lo < hi) {
			size_t mid = (lo + hi) / 2;

			if (keys[mid] < want[j])
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < nk && keys[lo] == want[j])
			return true;
	}
	return false;
}
