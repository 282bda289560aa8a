/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kselftest steps for direct I/O that a userspace server completes (the
 * FUSE and ublk servers of pinlife_fuse.c and pinlife_ublk.c): direct I/O
 * over the buffer pages that sit in CMA, in runs of consecutive pages, one
 * request per run, held by the server while the test looks at where the
 * pinned pages are and whether CMA can be allocated in full; then the
 * server answers and the results and data are checked. Header-only, like
 * pinlife_ksft.h.
 */
#ifndef PINLIFE_SERVED_H
#define PINLIFE_SERVED_H

#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "pinlife_ksft.h"

#define RUN_PAGES 64		/* pages per request, at most */
#define RUNS_PER_CASE 16	/* requests per case */
#define HOLD_S 20		/* how long to wait for the requests */

/* The server under test. */
struct served {
	const char *name;	/* "the FUSE server" */
	void *srv;
	int (*wait_held)(void *srv, size_t n, int timeout_s);
	int (*answer)(void *srv);
	void (*hold)(void *srv, int hold);
	size_t (*bad_words)(void *srv);
	const struct cma_area *cma;
};

struct run {
	char *addr;
	size_t len;
	uint64_t off;		/* of the file or disk */
	ssize_t res;		/* of the read or write */
	char *pages[RUN_PAGES];
	size_t npages;
	int write;
	int fd;
};

/* Cut the buffer's CMA pages into runs of consecutive pages. */
static inline size_t runs_make(const struct fill *f, struct run *runs,
			       size_t max)
{
	size_t i, n = 0;

	memset(runs, 0, max * sizeof(*runs));
	for (i = 0; i < f->ncma && n < max; i++) {
		struct run *r = &runs[n];
		char *p = f->cma_pages[i];

		if (r->npages && (r->npages == RUN_PAGES ||
				  p != r->addr + r->len)) {
			if (++n == max)
				break;
			r = &runs[n];
		}
		if (!r->npages)
			r->addr = p;
		r->pages[r->npages++] = p;
		r->len += PAGE_SZ;
	}
	if (n < max && runs[n].npages)
		n++;
	for (i = 0; i < n; i++)
		runs[i].off = i * (uint64_t)RUN_PAGES * PAGE_SZ;
	return n;
}

static inline long long pins_held(void)
{
	return vmstat("nr_foll_pin_acquired") - vmstat("nr_foll_pin_released");
}

/* Four results while the server holds the n runs' requests. */
static inline void served_check_held(const struct served *sv,
				     const char *name, struct run *runs,
				     size_t n, long long held0)
{
	size_t i, pages = 0;
	char what[96];
	long in = 0;
	int err;

	for (i = 0; i < n; i++)
		pages += runs[i].npages;
	err = sv->wait_held(sv->srv, n, HOLD_S);
	ksft_test_result(!err, "%s: %s holds the %zu requests%s%s\n", name,
			 sv->name, n, err ? ": " : "",
			 err ? strerror(-err) : "");
	ksft_test_result(pins_held() - held0 >= (long long)pages,
			 "%s: %lld pins held for %zu buffer pages\n", name,
			 pins_held() - held0, pages);
	for (i = 0; i < n; i++)
		in += count_in_cma(sv->cma, runs[i].pages, runs[i].npages);
	ksft_test_result(in == 0,
			 "%s: %ld of %zu pinned buffer pages still in CMA\n",
			 name, in, pages);
	snprintf(what, sizeof(what), "%s holds %s", sv->name, name);
	ksft_cma_alloc_all(sv->cma, what);
}

/* Three results once the server has answered. */
static inline void served_check_done(const struct served *sv,
				     const char *name, struct run *runs,
				     size_t n, long long held0,
				     size_t bad_words0)
{
	size_t i, bad = 0, failed = 0;

	for (i = 0; i < n; i++) {
		if (runs[i].res != (ssize_t)runs[i].len)
			failed++;
		else if (!runs[i].write)
			bad += io_mismatch(runs[i].addr, runs[i].len,
					   runs[i].off);
	}
	if (n && runs[0].write)
		bad = sv->bad_words(sv->srv) - bad_words0;
	ksft_test_result(!failed, "%s: %zu of %zu requests failed or short\n",
			 name, failed, n);
	ksft_test_result(!bad, "%s: %zu words of data damaged\n", name, bad);
	ksft_test_result(pins_held() == held0,
			 "%s: pins balance after the answers (%lld left)\n",
			 name, pins_held() - held0);
}

static inline void *run_sync_io(void *arg)
{
	struct run *r = arg;

	if (r->write)
		r->res = pwrite(r->fd, r->addr, r->len, r->off);
	else
		r->res = pread(r->fd, r->addr, r->len, r->off);
	if (r->res < 0)
		r->res = -errno;
	return NULL;
}

/* Seven results: synchronous read() or write() on fd, a thread a run. */
static inline void served_case_sync(const struct served *sv, int fd,
				    struct run *runs, size_t n, int write)
{
	const char *name = write ? "sync write" : "sync read";
	size_t bad0 = sv->bad_words(sv->srv), i;
	long long held0 = pins_held();
	pthread_t t[RUNS_PER_CASE];

	for (i = 0; i < n && i < RUNS_PER_CASE; i++) {
		runs[i].write = write;
		runs[i].fd = fd;
		runs[i].res = -EINPROGRESS;
		if (write)
			io_pattern(runs[i].addr, runs[i].len, runs[i].off);
		if (pthread_create(&t[i], NULL, run_sync_io, &runs[i]))
			ksft_exit_fail_msg("pthread_create\n");
	}
	served_check_held(sv, name, runs, n, held0);
	if (sv->answer(sv->srv))
		ksft_exit_fail_msg("%s: answering failed\n", sv->name);
	for (i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	sv->hold(sv->srv, 1);
	served_check_done(sv, name, runs, n, held0, bad0);
}

/* Submit one io_uring read or write per run: 0 or -errno. */
static inline int runs_submit(struct io_uring *ring, int fd, struct run *runs,
			      size_t n, int write)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

		if (!sqe)
			return -EBUSY;
		runs[i].write = write;
		runs[i].res = -EINPROGRESS;
		if (write)
			io_uring_prep_write(sqe, fd, runs[i].addr, runs[i].len,
					    runs[i].off);
		else
			io_uring_prep_read(sqe, fd, runs[i].addr, runs[i].len,
					   runs[i].off);
		io_uring_sqe_set_data64(sqe, i);
	}
	return io_uring_submit(ring) == (int)n ? 0 : -EIO;
}

/* Reap the n completions into runs[].res: 0 or -errno. */
static inline int runs_reap(struct io_uring *ring, struct run *runs, size_t n)
{
	struct io_uring_cqe *cqe;
	size_t i;
	int err;

	for (i = 0; i < n; i++) {
		err = io_uring_wait_cqe(ring, &cqe);
		if (err)
			return err;
		if (cqe->user_data < n)
			runs[cqe->user_data].res = cqe->res;
		io_uring_cqe_seen(ring, cqe);
	}
	return 0;
}

/* Seven results: io_uring reads or writes on fd (opened O_DIRECT). */
static inline void served_case_uring(const struct served *sv, int fd,
				     struct run *runs, size_t n, int write)
{
	const char *name = write ? "io_uring write" : "io_uring read";
	size_t bad0 = sv->bad_words(sv->srv), i;
	long long held0 = pins_held();
	struct io_uring ring;

	if (io_uring_queue_init(RUNS_PER_CASE, &ring, 0))
		ksft_exit_fail_msg("io_uring_queue_init\n");
	if (write)
		for (i = 0; i < n; i++)
			io_pattern(runs[i].addr, runs[i].len, runs[i].off);
	if (runs_submit(&ring, fd, runs, n, write))
		ksft_exit_fail_msg("io_uring_submit\n");
	served_check_held(sv, name, runs, n, held0);
	if (sv->answer(sv->srv))
		ksft_exit_fail_msg("%s: answering failed\n", sv->name);
	if (runs_reap(&ring, runs, n))
		ksft_exit_fail_msg("io_uring_wait_cqe\n");
	sv->hold(sv->srv, 1);
	served_check_done(sv, name, runs, n, held0, bad0);
	io_uring_queue_exit(&ring);
}

/*
 * Two results: direct I/O between fd and a MAP_SHARED mapping of a file
 * on ext4 (path), answered at once: a read into the mapping (a long-term
 * pin refuses a writable shared mapping of a file on a filesystem that
 * tracks dirty pages), then a write from it.
 */
static inline void served_case_shared(const struct served *sv, int fd,
				      const char *what, const char *path)
{
	const size_t len = RUN_PAGES * PAGE_SZ;
	size_t bad0 = sv->bad_words(sv->srv);
	ssize_t rd, wr;
	int efd, err;
	char *map;

	sv->hold(sv->srv, 0);
	efd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (efd < 0 || ftruncate(efd, len))
		ksft_exit_fail_msg("%s: %s\n", path, strerror(errno));
	map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, efd, 0);
	if (map == MAP_FAILED)
		ksft_exit_fail_msg("mmap %s: %s\n", path, strerror(errno));
	memset(map, 0, len);
	rd = pread(fd, map, len, 0);
	err = errno;
	ksft_test_result(rd == (ssize_t)len && !io_mismatch(map, len, 0),
			 "%s: direct read into a MAP_SHARED ext4 mapping: %zd%s%s\n",
			 what, rd, rd < 0 ? " " : " bytes",
			 rd < 0 ? strerror(err) : "");
	wr = pwrite(fd, map, len, 0);
	err = errno;
	ksft_test_result(wr == (ssize_t)len && sv->bad_words(sv->srv) == bad0,
			 "%s: direct write from a MAP_SHARED ext4 mapping: %zd%s%s\n",
			 what, wr, wr < 0 ? " " : " bytes",
			 wr < 0 ? strerror(err) : "");
	munmap(map, len);
	close(efd);
	unlink(path);
	sv->hold(sv->srv, 1);
}

#endif
