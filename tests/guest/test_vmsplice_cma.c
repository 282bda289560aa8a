// SPDX-License-Identifier: GPL-2.0
/*
 * vmsplice() must not be able to block CMA (DESIGN.md point 4): pages
 * spliced into a pipe that is never read are moved out of the CMA area
 * first, so a full CMA allocation succeeds while the pipes hold them, and
 * the reader still gets every page's contents.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "pinlife_ksft.h"

int main(void)
{
	struct pipes pipes = { 0 };
	struct cma_area cma;
	size_t i, bad = 0;
	struct fill f;
	long before;
	int err;

	ksft_print_header();
	ksft_set_plan(5);

	ksft_fill_cma(&cma, &f);

	err = vmsplice_pages(&pipes, f.cma_pages, f.ncma);
	ksft_test_result(!err, "vmsplice of those pages into %zu unread pipes: %s\n",
			 pipes.n, err ? strerror(-err) : "ok");

	before = count_in_cma(&cma, f.cma_pages, f.ncma);
	ksft_test_result(before == 0,
			 "spliced pages left in CMA: %ld of %zu\n", before, f.ncma);

	ksft_cma_alloc_all(&cma, "the pipes hold the pages");

	/* Each pipe slot is one page: compared whole with the buffer's */
	for (i = 0; i < f.ncma && !err; i++) {
		char page[PAGE_SZ];
		int fd = pipes.fd[i / PIPE_SLOTS][0];

		if (read(fd, page, PAGE_SZ) != (ssize_t)PAGE_SZ ||
		    memcmp(page, f.cma_pages[i], PAGE_SZ))
			bad++;
	}
	ksft_test_result(!err && !bad,
			 "the reader gets every spliced page intact (%zu bad)\n",
			 bad);
	pipes_close(&pipes);
	fill_release(&f);
	ksft_finished();
}
