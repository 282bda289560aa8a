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
#include "pinlife_owner.h"

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

/*
 * Four results for a harm blocked while gup_test held pages in its region
 * (owner_blocked()): it failed; page_pin_owner's report named the holder,
 * with gup_test in the stack and an age of a second or more; the listing
 * showed it while held, and nothing once released.
 */
static inline void ksft_owner_blocked(const char *what, const char *harm,
				      const struct owner_blocked *b)
{
	if (b->err)
		ksft_exit_fail_msg("%s, %s: %s\n", what, harm, strerror(-b->err));
	ksft_test_result(b->held > 0 && b->result != 0,
			 "%s: %ld pages held in the region, %s: %s\n", what,
			 b->held, harm, b->result ? strerror(-b->result) : "ok");
	ksft_test_result(b->named && b->stack && b->age_ms >= 1000,
			 "%s, %s: the log names the holder (pid %d): %s, gup_test in its stack: %s, age %ld ms\n",
			 what, harm, b->pid, b->named ? "yes" : "no",
			 b->stack ? "yes" : "no", b->age_ms);
	ksft_print_msg("%s, %s: the listing begins: %.*s\n", what, harm,
		       (int)strcspn(b->during, "\n"), b->during);
	ksft_test_result(b->listed, "%s, %s: the listing shows it: %s\n",
			 what, harm, b->listed ? "yes" : "no");
	ksft_test_result(b->empty_after,
			 "%s, %s: the listing is empty once released%s%.120s\n",
			 what, harm, b->empty_after ? "" : "; it shows: ",
			 b->after);
}

#endif
