// SPDX-License-Identifier: GPL-2.0
/*
 * A model check of the long-term pin window's lock-free protocol
 * (series patch "mm: check where a folio sits only where it can matter").
 *
 * The kernel keeps two words that bound where a folio may not be pinnable
 * long-term; readers load them without a lock, one at a time, in either
 * order, possibly far apart (a preempted vCPU). A reader must never get a
 * window that misses a page which needs the full check at every instant of
 * its read. The writer's updates are modelled as the kernel makes them:
 * a CMA area or ZONE_MOVABLE range is added (widening), isolation starts
 * (the window becomes everything, before any pageblock is isolated) and
 * ends (narrowing, after the last pageblock stopped being isolated). Each
 * store is a step; every pair of steps is a possible torn read.
 *
 * Two encodings are checked over random histories:
 *  - "start/last": start and a length from it, stored start first (the
 *    series before the fix). Must be found torn, or the model is blind;
 *  - "lo/hi": absolute bounds, each stored only when it changes (the fix).
 *    Must never be found torn.
 *
 * Usage: test-pin-window [SEED]; prints one line per encoding, exits 1 if
 * either expectation fails.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define PAGES 64		/* pages 0..PAGES-1, at addresses BASE + page */
#define BASE 4096u
#define MAX_STEPS 32
#define HISTORIES 2000

struct span {			/* pages [first, last], empty if first > last */
	int first, last;
};

struct step {
	uint64_t w[2];		/* the two words after this store */
	/* the true window at this step: one of two when it is ambiguous */
	struct span truth[2];
	int ntruth;
};

static uint64_t rng = 88172645463325252ull;

static unsigned int rnd(unsigned int n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned int)(rng % n);
}

/* Does the read (w0 from one step, w1 from another) hold page p? */
static bool reads_in(bool lohi, uint64_t w0, uint64_t w1, int p)
{
	uint64_t at = BASE + (uint64_t)p;

	if (lohi)
		return at >= w0 && at <= w1;
	return at - w0 <= w1;	/* start, last */
}

static bool holds(bool lohi, uint64_t w0, uint64_t w1, struct span s)
{
	for (int p = s.first; p <= s.last; p++)
		if (!reads_in(lohi, w0, w1, p))
			return false;
	return true;
}

/* The words the writer wants for a window (everything when isolated). */
static void encode(bool lohi, struct span s, bool everything, uint64_t w[2])
{
	if (everything) {
		w[0] = 0;
		w[1] = UINT64_MAX;
	} else if (s.first > s.last) {		/* nothing */
		w[0] = UINT64_MAX;
		w[1] = 0;
	} else if (lohi) {
		w[0] = BASE + (uint64_t)s.first;
		w[1] = BASE + (uint64_t)s.last;
	} else {
		w[0] = BASE + (uint64_t)s.first;
		w[1] = (uint64_t)(s.last - s.first);
	}
}

static struct span everything_span(void)
{
	return (struct span){ 0, PAGES - 1 };
}

/*
 * One random history; returns true if some torn read misses a page that
 * the true window held at every step of the read.
 */
static bool torn_history(bool lohi)
{
	struct step st[MAX_STEPS];
	struct span ranges = { 1, 0 };	/* CMA areas and movable zones */
	int n = 0, isolated = 0;
	uint64_t cur[2];

	encode(lohi, ranges, false, cur);
	st[n++] = (struct step){ { cur[0], cur[1] }, { ranges }, 1 };

	while (n < MAX_STEPS - 3) {
		struct span before = isolated ? everything_span() : ranges;
		struct span after;
		bool widening = true;
		uint64_t want[2];
		int e = rnd(3);

		if (e == 0) {			/* an area or a zone range */
			int a = rnd(PAGES), b = a + (int)rnd(8);

			if (b >= PAGES)
				b = PAGES - 1;
			if (ranges.first > ranges.last)
				ranges = (struct span){ a, b };
			if (a < ranges.first)
				ranges.first = a;
			if (b > ranges.last)
				ranges.last = b;
		} else if (e == 1) {		/* isolation starts */
			isolated++;
		} else if (isolated) {		/* isolation ends */
			isolated--;
			widening = false;
		} else {
			continue;
		}
		after = isolated ? everything_span() : ranges;
		encode(lohi, after, isolated, want);
		/*
		 * Widening is stored before anything uses the new pages or
		 * isolates a pageblock: the old window stays true until the
		 * update is complete. Narrowing comes after the last
		 * pageblock was released: the new window is already true,
		 * and the step before it was true with either.
		 */
		if (!widening) {
			st[n - 1].truth[1] = after;
			st[n - 1].ntruth = 2;
		}
		for (int w = 0; w < 2; w++) {
			if (lohi && cur[w] == want[w])
				continue;	/* stored only on change */
			cur[w] = want[w];
			st[n] = (struct step){ { cur[0], cur[1] },
					       { widening ? before : after }, 1 };
			n++;
		}
		st[n - 1].truth[0] = after;
		st[n - 1].ntruth = 1;
	}

	/* word 0 loaded at step i, word 1 at step j, in either order */
	for (int i = 0; i < n; i++) {
		for (int j = 0; j < n; j++) {
			int from = i < j ? i : j, to = i < j ? j : i;
			bool ok = false;

			for (int k = from; k <= to && !ok; k++)
				for (int t = 0; t < st[k].ntruth && !ok; t++)
					ok = holds(lohi, st[i].w[0], st[j].w[1],
						   st[k].truth[t]);
			if (!ok)
				return true;
		}
	}
	return false;
}

int main(int argc, char **argv)
{
	int torn[2] = { 0, 0 };

	if (argc > 2 || (argc == 2 && argv[1][0] == '-')) {
		fprintf(stderr, "usage: %s [SEED]\n", argv[0]);
		return 2;
	}
	if (argc == 2)
		rng = strtoull(argv[1], NULL, 0) | 1;

	for (int h = 0; h < HISTORIES; h++)
		for (int lohi = 0; lohi < 2; lohi++)
			torn[lohi] += torn_history(lohi);

	printf("test-pin-window: start/last: %d of %d histories read torn (want > 0)\n",
	       torn[0], HISTORIES);
	printf("test-pin-window: lo/hi: %d of %d histories read torn (want 0)\n",
	       torn[1], HISTORIES);
	return torn[0] > 0 && torn[1] == 0 ? 0 : 1;
}
