// SPDX-License-Identifier: GPL-2.0
/*
 * A FUSE server that does not answer a read keeps the page cache folios
 * of the read locked (issue 24). With them in CMA, a full CMA allocation
 * must come back within a bound, not sleep in folio_lock() until the
 * server answers; once it has answered, the allocation succeeds and the
 * reader gets its data.
 *
 * On stock 6.12 the allocation does not return while the server holds
 * the read: the test answers it after BOUND_S and reports the wait.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pinlife_ksft.h"
#include "pinlife_fuse.h"

#define MNT "/tmp/fuse"
#define READ_LEN (256UL << 10)
#define BOUND_S 20

/* Pages of the range that are locked (/proc/kpageflags bit 0), or -errno. */
static long locked_in(const struct cma_area *cma)
{
	int fd = open("/proc/kpageflags", O_RDONLY);
	uint64_t pfn, flags;
	long n = 0;

	if (fd < 0)
		return -errno;
	for (pfn = cma->base_pfn; pfn < cma->base_pfn + cma->count; pfn++) {
		if (pread(fd, &flags, sizeof(flags), pfn * sizeof(flags)) !=
		    sizeof(flags)) {
			n = -EIO;
			break;
		}
		n += flags & 1;
	}
	close(fd);
	return n;
}

/* A child that runs fn and exits with its -errno (0: ok). */
static pid_t child(int (*fn)(void *), void *arg)
{
	pid_t pid = fork();

	if (!pid)
		_exit(-fn(arg));
	return pid;
}

static int do_read(void *arg)
{
	char *buf = malloc(READ_LEN);
	int fd = open(MNT "/plain", O_RDONLY);
	ssize_t n;

	(void)arg;
	if (!buf || fd < 0)
		return -ENOMEM;
	n = read(fd, buf, READ_LEN);
	if (n != (ssize_t)READ_LEN)
		return n < 0 ? -errno : -EIO;
	return io_mismatch(buf, READ_LEN, 0) ? -EBADMSG : 0;
}

static int do_alloc(void *arg)
{
	const struct cma_area *cma = arg;
	int err = cma_alloc_all(cma);

	if (!err)
		cma_free_all(cma);
	return err;
}

/* Wait for pid at most s seconds: its exit code, or -1 if it is still running. */
static int wait_for(pid_t pid, int s, double *took)
{
	struct timespec t0, t1;
	int status;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		clock_gettime(CLOCK_MONOTONIC, &t1);
		*took = t1.tv_sec - t0.tv_sec + (t1.tv_nsec - t0.tv_nsec) / 1e9;
		if (r == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
		if (*took > s)
			return -1;
		sleep_ms(100);
	}
}

int main(void)
{
	struct fuse_srv srv;
	struct cma_area cma;
	pid_t reader, alloc;
	struct fill f;
	int err, rc;
	double took;
	long locked;
	size_t i;

	ksft_print_header();
	ksft_set_plan(7);

	err = fuse_srv_start(&srv, MNT, 1);
	if (err)
		ksft_exit_skip("FUSE server on " MNT ": %s\n", strerror(-err));

	/* Free memory mostly in CMA: the readahead's folios go there */
	ksft_fill_cma(&cma, &f);
	for (i = 0; i < f.ncma; i++)
		madvise(f.cma_pages[i], PAGE_SZ, MADV_DONTNEED);

	reader = child(do_read, NULL);
	err = fuse_srv_wait_held(&srv, 1, 10);
	ksft_test_result(reader > 0 && !err, "the server holds the read: %s\n",
			 err ? strerror(-err) : "ok");
	locked = locked_in(&cma);
	ksft_test_result(locked > 0, "%ld locked pages in CMA under the read\n",
			 locked);

	alloc = child(do_alloc, &cma);
	rc = wait_for(alloc, BOUND_S, &took);
	/* Where it waits: the blocked tasks' stacks, on the console */
	if (rc < 0)
		write_str("/proc/sysrq-trigger", "w");
	ksft_test_result(rc >= 0,
			 "full CMA allocation while the server holds the read: returned within %d s: %s (%.1f s, %s)\n",
			 BOUND_S, rc >= 0 ? "yes" : "no", took,
			 rc < 0 ? "still waiting" : rc ? strerror(rc) : "ok");

	err = fuse_srv_answer(&srv);
	if (rc < 0)
		rc = wait_for(alloc, 60, &took);
	rc = wait_for(reader, 60, &took);
	ksft_test_result(!err && rc == 0,
			 "the reader gets its data once the server answers: %s\n",
			 rc < 0 ? "still waiting" : rc ? strerror(rc) : "ok");
	ksft_cma_alloc_all(&cma, "the read is answered");
	ksft_test_result(!srv.error, "the server saw no error: %s\n",
			 srv.error ? strerror(-srv.error) : "ok");

	fuse_srv_stop(&srv);
	fill_release(&f);
	ksft_finished();
}
