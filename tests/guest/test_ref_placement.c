// SPDX-License-Identifier: GPL-2.0
/*
 * What get_user_pages_fast_longterm() accepts does not depend on where the
 * pages sit. A writable MAP_SHARED mapping of an ext4 file, whose pages a
 * long-term pin refuses: the reference helper takes it when some of its
 * page cache sits in CMA, moving those pages out, data intact, and takes
 * it again once every page is outside CMA. A default (long-term) write
 * pin of the same mapping is refused in both placements.
 *
 * Before, the helper fell back to a long-term pin only when a page sat in
 * CMA or ZONE_MOVABLE, so the same call failed with EFAULT or succeeded
 * depending on placement (kvm_vcpu_map() of ext4-backed guest memory).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest.h"
#include "pinlife.h"

#define DIR "/mnt/ext4"
#define BIG_MAX (48UL << 20)
#define STEP (2UL << 20)
#define FILL_AFTER (16UL << 20)
#define FOLL_WRITE 0x01

static int gup(char *p, size_t size, unsigned long cmd, unsigned int gup_flags,
	       unsigned int test_flags)
{
	struct gup_test g = {
		.addr = (unsigned long)p,
		.size = size,
		.nr_pages_per_call = 512,
		.gup_flags = gup_flags,
		.test_flags = test_flags,
	};
	int fd = open("/sys/kernel/debug/gup_test", O_RDWR), ret;

	if (fd < 0)
		return -errno;
	ret = ioctl(fd, cmd, &g) ? -errno : 0;
	if (!ret && g.size != size)
		ret = -ERANGE;
	close(fd);
	return ret;
}

static int helper(char *p, size_t size)
{
	return gup(p, size, GUP_FAST_BENCHMARK, FOLL_WRITE,
		   GUP_TEST_FLAG_LONGTERM_REF);
}

static int pin(char *p, size_t size)
{
	return gup(p, size, PIN_FAST_BENCHMARK, FOLL_WRITE, 0);
}

static char *map_file(const char *name, size_t size, int *fd)
{
	char *p;

	*fd = open(name, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (*fd < 0 || ftruncate(*fd, size))
		return NULL;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, *fd, 0);
	return p == MAP_FAILED ? NULL : p;
}

/* Stamp the pages of [from, to) of the file with their file offset. */
static void stamp(char *map, size_t from, size_t to)
{
	size_t i;

	for (i = from; i < to; i += PAGE_SZ)
		*(uint64_t *)(map + i) = i ^ 0x5a5a5a5a;
}

static size_t damaged(const char *p, size_t size)
{
	size_t i, bad = 0;

	for (i = 0; i < size; i += PAGE_SZ)
		bad += *(const uint64_t *)(p + i) != (i ^ 0x5a5a5a5a);
	return bad;
}

static long pages_in_cma(const struct cma_area *cma, char *p, size_t size)
{
	size_t i, n = size / PAGE_SZ;
	char **pages = malloc(n * sizeof(*pages));
	long in;

	if (!pages)
		return -1;
	for (i = 0; i < n; i++)
		pages[i] = p + i * PAGE_SZ;
	in = count_in_cma(cma, pages, n);
	free(pages);
	return in;
}

int main(void)
{
	struct cma_area cma;
	struct fill f = { 0 };
	int bfd, err, filled = 0;
	char *bigmap;
	size_t big = 0, n;
	long in = 0;

	ksft_print_header();
	ksft_set_plan(7);

	err = cma_find(&cma);
	if (err)
		ksft_exit_fail_msg("no CMA area in debugfs: %s\n", strerror(-err));
	bigmap = map_file(DIR "/ref-big", BIG_MAX, &bfd);
	if (!bigmap)
		ksft_exit_skip("no ext4 at " DIR ": %s\n", strerror(errno));

	/*
	 * Grow the file until some of its page cache sits in CMA. Where new
	 * page cache goes depends on what earlier tests left: if FILL_AFTER
	 * has been written and none of it is in CMA, fill memory first and
	 * give back the anonymous pages that landed in CMA. (The file stays
	 * well below the size of the ext4 RAM disk.)
	 */
	while (big < BIG_MAX && in < 64) {
		if (!filled && big >= FILL_AFTER && !in) {
			err = fill_memory(&cma, 24, &f);
			if (err)
				ksft_exit_fail_msg("filling memory: %s\n", strerror(-err));
			for (size_t i = 0; i < f.ncma; i++)
				madvise(f.cma_pages[i], PAGE_SZ, MADV_DONTNEED);
			filled = 1;
		}
		stamp(bigmap, big, big + STEP);
		big += STEP;
		in = pages_in_cma(&cma, bigmap, big);
	}
	ksft_test_result(in > 0, "%ld of %zu file pages sit in CMA%s\n", in,
			 big / PAGE_SZ, filled ? " (after filling memory)" : "");

	err = pin(bigmap, big);
	ksft_test_result(err == -EFAULT, "some pages in CMA: default write pin refused: %s\n",
			 err ? strerror(-err) : "it was pinned");
	err = helper(bigmap, big);
	ksft_test_result(!err, "some pages in CMA: get_user_pages_fast_longterm(FOLL_WRITE): %s\n",
			 err ? strerror(-err) : "ok");
	in = pages_in_cma(&cma, bigmap, big);
	ksft_test_result(in == 0, "it moved them out: %ld left in CMA\n", in);

	err = pin(bigmap, big);
	ksft_test_result(err == -EFAULT, "every page outside CMA: default write pin refused: %s\n",
			 err ? strerror(-err) : "it was pinned");
	err = helper(bigmap, big);
	ksft_test_result(!err, "every page outside CMA: get_user_pages_fast_longterm(FOLL_WRITE): %s\n",
			 err ? strerror(-err) : "ok");
	n = damaged(bigmap, big);
	ksft_test_result(!n, "the file data is intact (%zu of %zu pages damaged)\n",
			 n, big / PAGE_SZ);

	munmap(bigmap, BIG_MAX);
	close(bfd);
	unlink(DIR "/ref-big");
	if (filled)
		fill_release(&f);
	ksft_finished();
}
