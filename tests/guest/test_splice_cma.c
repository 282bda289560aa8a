// SPDX-License-Identifier: GPL-2.0
/*
 * Page cache that userspace parks in pipes and sockets must not block CMA
 * (issue 24): splice() of a file into pipes nobody reads, tee() of those
 * pipes, and sendfile() of the file to a TCP peer that does not read,
 * with the file's page cache in CMA. A full CMA allocation must succeed
 * while all of them hold what they were given, and each reader must get
 * the file's data, whole pages.
 *
 * Run for a tmpfs file (memfd: shmem_file_splice_read()) and a file on
 * ext4 (filemap_splice_read()). On stock 6.12 the allocation fails: each
 * pipe and socket holds a reference on the page cache folio in CMA.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "pinlife_ksft.h"

#define EXT4_FILE "/mnt/ext4/splice-cma"
#define MAX_PAGES 2048		/* 8 MiB in CMA: the pipes hold copies */

static void one(const char *kind, int fd)
{
	struct pipes pipes = { 0 }, tees = { 0 };
	struct cma_area cma;
	int zc[2] = { -1, -1 }, err;
	size_t sent = 0, bad;
	struct fill f;
	long in;

	ksft_fill_cma(&cma, &f);
	err = fill_to_file(&f, &cma, fd, MAX_PAGES);
	in = err ? -1 : count_in_cma(&cma, f.cma_pages, f.ncma);
	ksft_test_result(!err && in > 0,
			 "%s: %ld of %zu file pages sit in CMA%s%s\n", kind, in,
			 f.fpages, err ? ": " : "", err ? strerror(-err) : "");
	if (err || in <= 0) {
		ksft_test_result_skip("%s: splice into unread pipes\n", kind);
		ksft_test_result_skip("%s: tee of those pipes\n", kind);
		ksft_test_result_skip("%s: sendfile to a peer that does not read\n", kind);
		ksft_test_result_skip("%s: full CMA allocation\n", kind);
		ksft_test_result_skip("%s: readers get the file intact\n", kind);
		fill_release(&f);
		return;
	}

	err = splice_file_pages(&pipes, fd, f.fpages);
	ksft_test_result(!err, "%s: splice of %zu pages into %zu unread pipes: %s\n",
			 kind, f.fpages, pipes.n, err ? strerror(-err) : "ok");
	err = err ? err : tee_pipes(&tees, &pipes);
	ksft_test_result(!err, "%s: tee of those pipes into %zu more: %s\n",
			 kind, tees.n, err ? strerror(-err) : "ok");

	err = zerocopy_pair(zc);
	if (!err)
		sent = sendfile_pages(zc[0], fd, f.fpages, &err);
	ksft_test_result(!err && sent > 0,
			 "%s: sendfile to a TCP peer that does not read: %zu pages queued%s%s\n",
			 kind, sent, err ? ": " : "", err ? strerror(-err) : "");

	ksft_cma_alloc_all(&cma, "pipes, tees and the socket hold the file's data");

	bad = pipes_differ(&pipes, fd, f.fpages) +
	      pipes_differ(&tees, fd, f.fpages);
	ksft_test_result(!bad && !fill_damaged(&f),
			 "%s: pipe and tee readers get every page whole (%zu differ)\n",
			 kind, bad);

	if (zc[0] >= 0)
		close(zc[0]);
	if (zc[1] >= 0)
		close(zc[1]);
	pipes_close(&tees);
	pipes_close(&pipes);
	fill_release(&f);
}

int main(void)
{
	int fd;

	ksft_print_header();
	ksft_set_plan(14);

	fd = memfd_create("splice-cma", 0);
	if (fd < 0)
		ksft_exit_fail_msg("memfd_create: %s\n", strerror(errno));
	one("tmpfs", fd);
	close(fd);

	fd = open(EXT4_FILE, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		ksft_exit_fail_msg(EXT4_FILE ": %s\n", strerror(errno));
	one("ext4", fd);
	close(fd);
	unlink(EXT4_FILE);
	ksft_finished();
}
