// SPDX-License-Identifier: GPL-2.0
/*
 * A FUSE server that reads its requests with splice() gets the data of a
 * buffered WRITE as references to the page cache itself, and may keep the
 * pipe after answering (issue 24). With the file's page cache in CMA, a
 * full CMA allocation must succeed while the server keeps those pipes,
 * and the server must still read the data it was sent, intact.
 *
 * On stock 6.12 the allocation fails: fuse_ref_page() put references to
 * the page cache folios in CMA into the server's pipes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "pinlife_ksft.h"
#include "pinlife_fuse.h"

#define MNT "/tmp/fuse"
#define CHUNK (1UL << 20)	/* a WRITE request: FUSE_SRV_MAX_PAGES */
#define MAX_BYTES (16UL << 20)

int main(void)
{
	size_t i, len, chunks = 0;
	struct fuse_srv srv;
	struct cma_area cma;
	struct fill f;
	char *buf, *map;
	long in, bad;
	int fd, err;

	ksft_print_header();
	ksft_set_plan(5);

	buf = malloc(CHUNK);
	if (!buf)
		ksft_exit_fail_msg("no memory\n");
	memset(buf, 0, CHUNK);
	err = fuse_srv_start(&srv, MNT, 0);
	if (err)
		ksft_exit_skip("FUSE server on " MNT ": %s\n", strerror(-err));
	fd = open(MNT "/plain", O_RDWR);
	if (fd < 0)
		ksft_exit_fail_msg(MNT "/plain: %s\n", strerror(errno));

	/* Free memory mostly in CMA: the page cache of the writes goes there */
	ksft_fill_cma(&cma, &f);
	for (i = 0; i < f.ncma; i++)
		madvise(f.cma_pages[i], PAGE_SZ, MADV_DONTNEED);
	len = f.ncma * PAGE_SZ / CHUNK * CHUNK;
	if (len > MAX_BYTES)
		len = MAX_BYTES;

	fuse_srv_keep(&srv, 1);
	err = 0;
	for (i = 0; i < len && !err; i += CHUNK, chunks++) {
		io_pattern(buf, CHUNK, i);
		if (pwrite(fd, buf, CHUNK, i) != (ssize_t)CHUNK)
			err = errno ? -errno : -EIO;
	}
	fuse_srv_keep(&srv, 0);
	ksft_test_result(!err && len && srv.nkept >= chunks,
			 "%zu MiB written; the server keeps %zu spliced WRITEs after answering%s%s\n",
			 len >> 20, srv.nkept, err ? ": " : "",
			 err ? strerror(-err) : "");

	map = len ? mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0) : MAP_FAILED;
	in = -1;
	if (map != MAP_FAILED) {
		char **pages = malloc(len / PAGE_SZ * sizeof(*pages));

		for (i = 0; pages && i < len / PAGE_SZ; i++) {
			pages[i] = map + i * PAGE_SZ;
			(void)*(volatile char *)pages[i];
		}
		if (pages)
			in = count_in_cma(&cma, pages, len / PAGE_SZ);
		free(pages);
		munmap(map, len);
	}
	ksft_test_result(in > 0, "%ld of %zu page cache pages of the file sit in CMA\n",
			 in, len / PAGE_SZ);

	ksft_cma_alloc_all(&cma, "the FUSE server keeps the spliced WRITE data");

	bad = fuse_srv_kept_check(&srv);
	ksft_test_result(bad == 0, "the server reads the kept data intact (%ld bad words%s%s)\n",
			 bad < 0 ? 0 : bad, bad < 0 ? ": " : "",
			 bad < 0 ? strerror(-bad) : "");

	close(fd);
	fuse_srv_stop(&srv);
	fill_release(&f);
	free(buf);
	ksft_finished();
}
