// SPDX-License-Identifier: GPL-2.0
/*
 * Migration that fails while a default (long-term) pin waits for it. With
 * fail_page_alloc armed for this task and only for allocations made under
 * migrate_pages_batch() (the stack-trace filter), every page a pin tries
 * to move its CMA pages to fails to come. The filter names the function
 * that calls the allocation callback, not alloc_migration_target() itself:
 * that one tail-calls the page allocator, so an exact unwinder (ORC, which
 * the stack depot of page_pin_owner requires) never sees it on the stack. Each pinning path must
 * then return ENOMEM, an error its system call allows, leave no pin
 * behind, and leave the pages where they were, in CMA and intact; with
 * the injection disarmed, the same call succeeds and moves the pages out
 * of CMA. Paths: io_uring buffer registration, vmsplice() (an iov_iter
 * extraction that is long-term since the series) and the gup_test held
 * default pin.
 *
 * Stock 6.12 fails the vmsplice case: vmsplice() moves nothing there, so
 * nothing fails and the pages stay in CMA for as long as the pipe holds
 * them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "kselftest.h"
#include "pinlife_ksft.h"

#define FAIL_DIR "/sys/kernel/debug/fail_page_alloc"
#define NPAGES 64		/* buffer pages in CMA that each path takes */

/* [start, end) of a kernel function's text, from /proc/kallsyms. */
static int ksym_range(const char *name, unsigned long *start,
		      unsigned long *end)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	unsigned long addr, next = ~0UL;
	char type, sym[256];

	if (!f)
		return -errno;
	*start = 0;
	while (fscanf(f, "%lx %c %255s%*[^\n]", &addr, &type, sym) == 3)
		if (!strcmp(sym, name) && (type == 't' || type == 'T'))
			*start = addr;
	rewind(f);
	while (*start && fscanf(f, "%lx %c %255s%*[^\n]", &addr, &type, sym) == 3)
		if (addr > *start && addr < next)
			next = addr;
	fclose(f);
	*end = next;
	return *start && next != ~0UL ? 0 : -ENOENT;
}

static int fail_set(const char *file, const char *val)
{
	char path[128];

	snprintf(path, sizeof(path), FAIL_DIR "/%s", file);
	return write_str(path, val);
}

/* Arm fail_page_alloc for this task, allocations from [start, end) only. */
static int arm(unsigned long start, unsigned long end, int on)
{
	char num[32];
	int err = 0;

	snprintf(num, sizeof(num), "%#lx", start);
	err |= fail_set("require-start", num);
	snprintf(num, sizeof(num), "%#lx", end);
	err |= fail_set("require-end", num);
	err |= fail_set("stacktrace-depth", "32");
	err |= fail_set("task-filter", "Y");
	err |= fail_set("ignore-gfp-wait", "N");
	err |= fail_set("ignore-gfp-highmem", "N");
	err |= fail_set("min-order", "0");
	err |= fail_set("interval", "1");
	err |= fail_set("times", "-1");
	err |= fail_set("verbose", "0");
	err |= fail_set("probability", on ? "100" : "0");
	err |= write_str("/proc/self/make-it-fail", on ? "1" : "0");
	return err;
}

static int uring_register(char *const *pages, size_t n)
{
	struct io_uring_params p = { 0 };
	struct iovec iov[NPAGES];
	int fd, ret;
	size_t i;

	for (i = 0; i < n; i++) {
		iov[i].iov_base = pages[i];
		iov[i].iov_len = PAGE_SZ;
	}
	fd = syscall(__NR_io_uring_setup, 1, &p);
	if (fd < 0)
		return -errno;
	ret = syscall(__NR_io_uring_register, fd, IORING_REGISTER_BUFFERS,
		      iov, n) < 0 ? -errno : 0;
	close(fd);
	return ret;
}

/*
 * Pins acquired and not released, system-wide, once what was let go has
 * been released: an io_uring ring drops its registered buffers from a
 * work item after close(), so wait up to 2 s for the counters to meet.
 */
static long long pins_outstanding(void)
{
	long long d = 0;
	int i;

	for (i = 0; i < 200; i++) {
		d = vmstat("nr_foll_pin_acquired") - vmstat("nr_foll_pin_released");
		if (!d)
			break;
		usleep(10000);
	}
	return d;
}

enum path { URING, VMSPLICE, HELD_PIN };
static const char *const path_name[] = {
	"io_uring buffer registration",
	"vmsplice() into pipes",
	"held default pin (gup_test)",
};

/*
 * Take the pages through the path, then let them go: 0 or -errno;
 * *moved gets how many of them had left CMA while they were held.
 */
static int take(enum path p, const struct cma_area *cma, char *const *pages,
		size_t n, long *moved)
{
	struct pipes pipes = { 0 };
	int fd = -1, err;

	*moved = 0;
	switch (p) {
	case URING:
		err = uring_register(pages, n);
		/* registered buffers are dropped with the ring: count after */
		break;
	case VMSPLICE:
		err = vmsplice_pages(&pipes, pages, n);
		if (!err)
			*moved = n - count_in_cma(cma, pages, n);
		pipes_close(&pipes);
		return err;
	case HELD_PIN:
		err = gup_hold(&fd, pages, n, 0);
		if (!err)
			*moved = n - count_in_cma(cma, pages, n);
		gup_release(fd);
		return err;
	}
	if (!err)
		*moved = n - count_in_cma(cma, pages, n);
	return err;
}

int main(void)
{
	unsigned long start = 0, end = 0;
	struct cma_area cma;
	struct fill f;
	char *pages[NPAGES];
	size_t i, n;
	int err, p;

	ksft_print_header();
	if (access(FAIL_DIR, F_OK))
		ksft_exit_skip("no %s: fail_page_alloc is not configured\n",
			       FAIL_DIR);
	err = ksym_range("migrate_pages_batch", &start, &end);
	if (err)
		ksft_exit_fail_msg("migrate_pages_batch in /proc/kallsyms: %s\n",
				   strerror(-err));
	ksft_set_plan(1 + 3 * 3);
	ksft_fill_cma(&cma, &f);

	for (p = URING; p <= HELD_PIN; p++) {
		long moved, in, moved_after;
		long long before, left;
		int again;

		/* fresh pages in CMA for each path: the last one moved its own */
		for (i = n = 0; i < f.ncma && n < NPAGES; i++)
			if (count_in_cma(&cma, &f.cma_pages[i], 1) == 1)
				pages[n++] = f.cma_pages[i];
		if (n < NPAGES)
			ksft_exit_fail_msg("%s: only %zu buffer pages left in CMA\n",
					   path_name[p], n);

		before = pins_outstanding();
		if (arm(start, end, 1))
			ksft_exit_fail_msg("arming fail_page_alloc failed\n");
		err = take(p, &cma, pages, n, &moved);
		arm(start, end, 0);
		in = count_in_cma(&cma, pages, n);
		ksft_test_result(err == -ENOMEM && in == (long)n,
				 "%s, every migration target failing: %s, %ld of %zu pages still in CMA (want ENOMEM, all)\n",
				 path_name[p], err ? strerror(-err) : "success",
				 in, n);
		left = pins_outstanding();
		ksft_test_result(!before && !left && !fill_damaged(&f),
				 "%s: no pin left behind (%lld outstanding before, %lld after), data intact\n",
				 path_name[p], before, left);
		again = take(p, &cma, pages, n, &moved_after);
		ksft_test_result(!again && moved_after == (long)n,
				 "%s, injection off: %s, %ld of %zu pages moved out of CMA\n",
				 path_name[p], again ? strerror(-again) : "ok",
				 moved_after, n);
	}
	fill_release(&f);
	ksft_finished();
}
