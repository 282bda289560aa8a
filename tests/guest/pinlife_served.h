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
	size_t (*seen)(void *srv);	/* READ and WRITE requests so far */
	const struct cma_area *cma;
	/*
	 * The pin counters of /proc/vmstat do not balance for this path:
	 * fs/direct-io.c gives each bio its own pin with folio_add_pin(),
	 * which nr_foll_pin_acquired does not count (as on stock 6.12), so
	 * the two results that read them are skipped.
	 */
	int pins_uncounted;
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

/*
 * One way into the server: synchronous read() or write() on fd, a thread a
 * run, or io_uring reads or writes on fd (opened O_DIRECT).
 */
struct served_case {
	const char *name;
	int fd, write, uring;
	struct run *runs;
	size_t n;
	pthread_t t[RUNS_PER_CASE];
	struct io_uring ring;
};

/* Start the case's requests; the server is holding. */
static inline void served_case_start(struct served_case *c)
{
	size_t i;

	if (c->n > RUNS_PER_CASE)
		c->n = RUNS_PER_CASE;
	for (i = 0; i < c->n; i++) {
		c->runs[i].write = c->write;
		c->runs[i].fd = c->fd;
		c->runs[i].res = -EINPROGRESS;
		if (c->write)
			io_pattern(c->runs[i].addr, c->runs[i].len,
				   c->runs[i].off);
	}
	if (c->uring) {
		if (io_uring_queue_init(RUNS_PER_CASE, &c->ring, 0) ||
		    runs_submit(&c->ring, c->fd, c->runs, c->n, c->write))
			ksft_exit_fail_msg("%s: io_uring submission\n", c->name);
		return;
	}
	for (i = 0; i < c->n; i++)
		if (pthread_create(&c->t[i], NULL, run_sync_io, &c->runs[i]))
			ksft_exit_fail_msg("pthread_create\n");
}

/* Wait for the case's requests to end (answered). */
static inline void served_case_end(struct served_case *c)
{
	size_t i;

	if (c->uring) {
		if (runs_reap(&c->ring, c->runs, c->n))
			ksft_exit_fail_msg("%s: io_uring_wait_cqe\n", c->name);
		io_uring_queue_exit(&c->ring);
		return;
	}
	for (i = 0; i < c->n; i++)
		pthread_join(c->t[i], NULL);
}

/*
 * Every case at once, over pages that sit in CMA, so that one CMA
 * allocation judges all of them (a failed allocation migrates what it
 * can, and would empty CMA of the next case's pages). Results: the server
 * holds every request; the pins are held; per case, how many pinned pages
 * are still in CMA; the full CMA allocation. Then the server answers, and
 * per case: every request complete, the data read intact; then the data
 * written intact; the pins balance: 5 + 2 * nc results, and one more per
 * case that reads.
 */
static inline void served_cases(const struct served *sv,
				 struct served_case *cs, size_t nc)
{
	size_t i, j, reqs = 0, pages = 0, bad0 = sv->bad_words(sv->srv);
	long long held0 = pins_held();
	char what[64];
	int err;

	sv->hold(sv->srv, 1);
	for (i = 0; i < nc; i++)
		served_case_start(&cs[i]);
	for (i = 0; i < nc; i++)
		for (j = 0; j < cs[i].n; j++, reqs++)
			pages += cs[i].runs[j].npages;
	err = sv->wait_held(sv->srv, reqs, HOLD_S);
	ksft_test_result(!err, "%s holds the %zu requests%s%s\n", sv->name,
			 reqs, err ? ": " : "", err ? strerror(-err) : "");
	if (sv->pins_uncounted)
		ksft_test_result_skip("pins held: folio_add_pin() is not counted\n");
	else
		ksft_test_result(pins_held() - held0 >= (long long)pages,
				 "%lld pins held for %zu buffer pages\n",
				 pins_held() - held0, pages);
	for (i = 0; i < nc; i++) {
		long in = 0;
		size_t n = 0;

		for (j = 0; j < cs[i].n; j++) {
			in += count_in_cma(sv->cma, cs[i].runs[j].pages,
					   cs[i].runs[j].npages);
			n += cs[i].runs[j].npages;
		}
		ksft_test_result(in == 0,
				 "%s: %ld of %zu pinned buffer pages still in CMA\n",
				 cs[i].name, in, n);
	}
	snprintf(what, sizeof(what), "%s holds them", sv->name);
	ksft_cma_alloc_all(sv->cma, what);

	if (sv->answer(sv->srv))
		ksft_exit_fail_msg("%s: answering failed\n", sv->name);
	for (i = 0; i < nc; i++) {
		size_t failed = 0, bad = 0;

		served_case_end(&cs[i]);
		for (j = 0; j < cs[i].n; j++) {
			struct run *r = &cs[i].runs[j];

			if (r->res != (ssize_t)r->len)
				failed++;
			else if (!r->write)
				bad += io_mismatch(r->addr, r->len, r->off);
		}
		ksft_test_result(!failed,
				 "%s: %zu of %zu requests failed or short\n",
				 cs[i].name, failed, cs[i].n);
		if (!cs[i].write)
			ksft_test_result(!bad, "%s: %zu words read damaged\n",
					 cs[i].name, bad);
	}
	ksft_test_result(sv->bad_words(sv->srv) == bad0,
			 "%zu words written damaged\n",
			 sv->bad_words(sv->srv) - bad0);
	if (sv->pins_uncounted)
		ksft_test_result_skip("pins balance: folio_add_pin() is not counted\n");
	else
		ksft_test_result(pins_held() == held0,
				 "pins balance after the answers (%lld left)\n",
				 pins_held() - held0);
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

/*
 * Two results: a direct write from pages that a CMA area's owner allocated
 * (gup_test maps pages it took with cma_alloc(), on no LRU list) is
 * written: such pages are pinned where they are, not migrated, and not
 * refused; and once the server has answered no pin is left behind.
 */
static inline void served_case_owned(const struct served *sv, int fd,
				     const char *what)
{
	const size_t len = 16 * PAGE_SZ;
	size_t seen0 = sv->seen(sv->srv);
	long long held0 = pins_held();
	int gfd, err = 0;
	ssize_t wr = -1;
	char *map;

	sv->hold(sv->srv, 0);
	gfd = open("/sys/kernel/debug/gup_test", O_RDWR);
	map = gfd < 0 ? MAP_FAILED :
		mmap(NULL, len, PROT_READ, MAP_SHARED, gfd, 0);
	if (map == MAP_FAILED) {
		err = errno;
	} else {
		wr = pwrite(fd, map, len, 0);
		err = wr < 0 ? errno : 0;
		munmap(map, len);
	}
	ksft_test_result(wr == (ssize_t)len,
			 "%s: direct write from CMA pages their area's owner allocated: %s\n",
			 what, map == MAP_FAILED ? "gup_test cannot map them" :
			 wr < 0 ? strerror(err) : "written");
	ksft_test_result(sv->seen(sv->srv) > seen0 && pins_held() == held0,
			 "%s: %zu requests reached the server, %lld pins left\n",
			 what, sv->seen(sv->srv) - seen0, pins_held() - held0);
	if (gfd >= 0)
		close(gfd);
	sv->hold(sv->srv, 1);
}

#endif
