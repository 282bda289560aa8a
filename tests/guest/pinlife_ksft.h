/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kselftest steps shared by the pinlife guest tests. Header-only, like
 * kselftest.h itself, whose counters live in each test program.
 */
#ifndef PINLIFE_KSFT_H
#define PINLIFE_KSFT_H

#include <string.h>

#include "kselftest.h"
#include "pinlife.h"

/*
 * Find the CMA area and fill memory (fill_memory(), keeping 24 MiB outside
 * CMA), or end the test; then one test result: some of the buffer landed
 * in CMA.
 */
static inline void ksft_fill_cma(struct cma_area *cma, struct fill *f)
{
	int err = cma_find(cma);

	if (err)
		ksft_exit_fail_msg("no CMA area in debugfs: %s\n", strerror(-err));
	err = fill_memory(cma, 24, f);
	if (err)
		ksft_exit_fail_msg("filling memory: %s\n", strerror(-err));
	ksft_test_result(f->ncma > 0, "%zu pages of the buffer landed in CMA\n",
			 f->ncma);
}

/*
 * One test result: a full CMA allocation succeeds while `held` (what holds
 * the pages, for the message); the allocation is given back. A failure
 * says what is still in the area (range_busy()).
 */
static inline void ksft_cma_alloc_all(const struct cma_area *cma,
				      const char *held)
{
	int err = cma_alloc_all(cma);
	char first[256] = "";
	long busy;

	if (!err) {
		ksft_test_result_pass("full CMA allocation while %s: ok\n", held);
		cma_free_all(cma);
		return;
	}
	busy = range_busy(cma, first, sizeof(first));
	ksft_test_result_fail("full CMA allocation while %s: %s (pages in use there: %ld%s%s)\n",
			      held, strerror(-err), busy, busy > 0 ? ", first " : "",
			      first);
}

/*
 * Two results at the end of a stress run: the pin counters of /proc/vmstat
 * balance, and the kernel logged no WARNING, BUG or oops since kmsg was
 * opened (kmsg_open_end()).
 */
static inline void ksft_pins_and_kmsg(int kmsg)
{
	long long acq = vmstat("nr_foll_pin_acquired");
	long long rel = vmstat("nr_foll_pin_released");
	char first[1024] = "";
	int bad;

	ksft_test_result(acq == rel, "pins balance: %lld acquired, %lld released\n",
			 acq, rel);
	bad = kmsg_bad(kmsg, first, sizeof(first));
	ksft_test_result(!bad, "kernel log: %d WARNING/BUG/Oops records%s%s",
			 bad, bad ? ", first: " : "\n", first);
}

#endif
