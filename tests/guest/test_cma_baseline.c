// SPDX-License-Identifier: GPL-2.0
/*
 * Baseline for every other CMA test: the guest has the 64 MiB CMA area the
 * harness configures, ordinary anonymous memory does land in it once
 * memory fills up, and with nothing pinned a full CMA allocation migrates
 * those pages out and succeeds without damaging their contents.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>

#include "kselftest.h"
#include "pinlife.h"

#define CMA_PAGES (64UL << 20 >> 12)

int main(void)
{
	struct cma_area cma;
	struct fill f;
	long after;
	int err;

	ksft_print_header();
	ksft_set_plan(5);

	err = cma_find(&cma);
	if (err)
		ksft_exit_fail_msg("no CMA area in debugfs: %s\n", strerror(-err));
	ksft_test_result(cma.count == CMA_PAGES,
			 "CMA area holds %llu pages (want %lu)\n",
			 (unsigned long long)cma.count, CMA_PAGES);

	err = fill_memory(&cma, 24, &f);
	if (err)
		ksft_exit_fail_msg("filling memory: %s\n", strerror(-err));
	ksft_test_result(f.ncma > 0,
			 "filling memory puts pages in CMA (%zu of %zu)\n",
			 f.ncma, f.filled);

	err = cma_alloc_all(&cma);
	ksft_test_result(!err, "full CMA allocation with nothing held: %s\n",
			 err ? strerror(-err) : "ok");
	after = count_in_cma(&cma, f.cma_pages, f.ncma);
	ksft_test_result(!err && after == 0,
			 "buffer pages left in CMA after the allocation: %ld\n",
			 after);
	if (!err)
		cma_free_all(&cma);
	ksft_test_result(fill_damaged(&f) == 0,
			 "contents of the migrated pages intact\n");
	fill_release(&f);
	ksft_finished();
}
