// SPDX-License-Identifier: GPL-2.0
/*
 * SCSI generic direct I/O must not let userspace keep pages pinned:
 * asynchronous SG_FLAG_DIRECT_IO requests through /dev/sgN (the scsi_debug
 * disk) pin the buffer for the transfer, and the pin must be gone when the
 * command completes, not when userspace read()s the result, which it need
 * never do. Checked from outside: the FOLL_PIN counters in /proc/vmstat
 * balance, and a full CMA allocation succeeds, while completed results
 * whose buffers sit in CMA are unread. Direct I/O keeps working: data
 * round-trips, and lands in the buffer before the result is read. And
 * the pin of a request that nobody will read (its file closed, or an
 * SG_IO interrupted by a signal while the command was in flight) is
 * still dropped when the command completes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "pinlife_ksft.h"

#define NPAGES SG_RUN_PAGES	/* the disk area used: LBA 0 on */
#define HOLD_MAX 256		/* CMA pages put under unread requests */

static long long pins_outstanding(void)
{
	return vmstat("nr_foll_pin_acquired") - vmstat("nr_foll_pin_released");
}

/* Wait up to 10 s for the outstanding pins to come back to p0. */
static long long pins_settle(long long p0)
{
	struct timespec ts = { 0, 20 * 1000000L };
	long long p = pins_outstanding();
	int i;

	for (i = 0; i < 500 && p != p0; i++) {
		nanosleep(&ts, NULL);
		p = pins_outstanding();
	}
	return p - p0;
}

static void on_alarm(int sig)
{
	(void)sig;
}

/*
 * The next two run with scsi_debug completing after 250 jiffies, so that
 * the command is still in flight when nobody will read its result any
 * more; its pin must be gone once the command completes.
 */
static int open_or_exit(const char *dev)
{
	int fd = open(dev, O_RDWR);

	if (fd < 0)
		ksft_exit_fail_msg("%s: %s\n", dev, strerror(errno));
	return fd;
}

/* An asynchronous request whose file is closed while it is in flight. */
static void closed_in_flight(const char *dev, char *buf)
{
	long long p0 = pins_outstanding(), held, left;
	int fd = open_or_exit(dev);
	int err = sg_dio_submit(fd, 0, buf, NPAGES * PAGE_SZ, 0);

	held = pins_outstanding() - p0;
	close(fd);
	left = pins_settle(p0);
	ksft_test_result(!err && held > 0 && !left,
			 "a request in flight when its file closes: %lld pins, %lld left after completion: %s\n",
			 held, left, err ? strerror(-err) : "ok");
}

/* An SG_IO that a signal interrupts: sg orphans the request. */
static void interrupted_sg_io(const char *dev, char *buf)
{
	struct itimerval it = { .it_value.tv_usec = 50000 };
	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */
	long long p0 = pins_outstanding(), left;
	int fd = open_or_exit(dev), err;

	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	err = sg_dio_sync(fd, 0, 0, buf, NPAGES * PAGE_SZ);
	left = pins_settle(p0);
	close(fd);
	ksft_test_result(err == -EINTR && !left,
			 "SG_IO interrupted by a signal: %s, %lld pins left after completion\n",
			 err ? strerror(-err) : "completed", left);
}

/* Word w of page k of the disk area. */
static uint64_t pattern(size_t k, size_t w)
{
	return 0x7367000000000000ULL | (uint64_t)k << 24 | w;
}

static size_t page_bad(const char *page, size_t k)
{
	const uint64_t *v = (const uint64_t *)page;
	size_t w;

	for (w = 0; w < PAGE_SZ / sizeof(*v); w++)
		if (v[w] != pattern(k, w))
			return 1;
	return 0;
}

int main(void)
{
	size_t k, w, i, n, run, bad = 0;
	struct sg_hold hold;
	struct sg_disk disk;
	char delay[16];
	struct cma_area cma;
	struct fill f;
	long long p0, p1;
	char *a, *b;
	int err, fd;
	long reap;

	ksft_print_header();
	ksft_set_plan(10);

	err = sg_disk_open(&disk);
	if (err)
		ksft_exit_fail_msg("scsi_debug through sg with allow_dio: %s\n",
				   strerror(-err));
	/* What sg_disk_open() set must hold: direct I/O allowed */
	err = read_str("/sys/module/sg/parameters/allow_dio", delay,
		       sizeof(delay));
	ksft_test_result(!err && delay[0] == '1' && !access(disk.dev, R_OK | W_OK),
			 "scsi_debug disk at %s, sg direct I/O allowed: %s\n",
			 disk.dev, err ? strerror(-err) : delay);

	/* Synchronous SG_IO round trip through two page-aligned buffers. */
	a = mmap(NULL, 2 * NPAGES * PAGE_SZ, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (a == MAP_FAILED)
		ksft_exit_fail_msg("mmap: %s\n", strerror(errno));
	b = a + NPAGES * PAGE_SZ;
	for (k = 0; k < NPAGES; k++)
		for (w = 0; w < PAGE_SZ / sizeof(uint64_t); w++)
			((uint64_t *)(a + k * PAGE_SZ))[w] = pattern(k, w);
	fd = open(disk.dev, O_RDWR);
	if (fd < 0)
		ksft_exit_fail_msg("%s: %s\n", disk.dev, strerror(errno));
	err = sg_dio_sync(fd, 1, 0, a, NPAGES * PAGE_SZ);
	if (!err)
		err = sg_dio_sync(fd, 0, 0, b, NPAGES * PAGE_SZ);
	close(fd);
	ksft_test_result(!err && !memcmp(a, b, NPAGES * PAGE_SZ),
			 "SG_IO direct I/O write then read of %d pages: %s\n",
			 NPAGES, err ? strerror(-err) :
			 memcmp(a, b, NPAGES * PAGE_SZ) ? "data differs" : "ok");

	ksft_fill_cma(&cma, &f);
	n = f.ncma < HOLD_MAX ? f.ncma : HOLD_MAX;

	/* Read the disk area into those pages; leave the results unread. */
	p0 = pins_outstanding();
	err = sg_dio_hold(&hold, disk.dev, f.cma_pages, n, 0);
	ksft_test_result(!err, "%zu async direct I/O reads into %zu CMA pages completed: %s\n",
			 hold.nreq, n, err ? strerror(-err) : "ok");

	p1 = pins_outstanding();
	ksft_test_result(p1 == p0,
			 "pins held by the completed, unread requests: %lld\n",
			 p1 - p0);

	ksft_cma_alloc_all(&cma, "the results are unread");

	/* Each request read page 0 on of the disk area into its run. */
	for (i = 0; i < n; i += run) {
		for (run = 1; i + run < n && run < SG_RUN_PAGES &&
		     f.cma_pages[i + run] == f.cma_pages[i] + run * PAGE_SZ;)
			run++;
		for (k = 0; k < run; k++)
			bad += page_bad(f.cma_pages[i + k], k);
	}
	reap = sg_dio_reap(&hold);
	ksft_test_result(!err && reap == 0 && !bad,
			 "every result reads back good and direct (%ld not), the data arrived intact (%zu bad pages)\n",
			 reap, bad);

	sg_dio_release(&hold);
	p1 = pins_outstanding();
	ksft_test_result(p1 == p0, "pins left after the files are closed: %lld\n",
			 p1 - p0);

	fill_release(&f);

	if (sg_debug_delay("250", delay, sizeof(delay)))
		ksft_exit_fail_msg("scsi_debug delay: cannot set\n");
	closed_in_flight(disk.dev, a);
	interrupted_sg_io(disk.dev, a);
	sg_debug_delay(delay, NULL, 0);

	munmap(a, 2 * NPAGES * PAGE_SZ);
	sg_disk_close(&disk);
	ksft_finished();
}
