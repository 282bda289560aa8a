// SPDX-License-Identifier: GPL-2.0
/*
 * Pages that a CMA area's owner allocated for itself are pinned where they
 * are. The gup_test file maps pages it took from CMA with cma_alloc() and
 * inserts with vm_insert_pages(): they sit in CMA, but they are not free
 * CMA memory that a pin would keep from the area's owner, and they are on
 * no LRU list, so migration could not isolate them anyway. Every default
 * (long-term) pin of them, the series' reference helper behind vmsplice
 * and an io_uring registration succeed at once and leave them in place.
 * On stock 6.12 each such long-term pin loops until a fatal signal; with a
 * bound on that loop (the series before it learned whose pages these are)
 * each fails with ENOMEM.
 *
 * The io_uring case registers a buffer of ordinary anonymous pages followed
 * by those: gup-fast pins the first ones and the slow path the rest.
 *
 * Each call runs in a child process of its own, with a mapping of its own
 * (the mapping is not inherited), that the parent kills after
 * CALL_LIMIT_S seconds: a call that spins is reported as such, and the
 * suite still ends. Every call leaves the pages mapped, in CMA and intact;
 * the pins balance, and once the children are gone every page is back in
 * the CMA area (its "used" count is what it was).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest.h"
#include "pinlife.h"

#define NPAGES 16
#define PREFIX 16		/* anonymous pages before them (io_uring) */
#define CALL_LIMIT_S 20

static char *buf, *prefix;
static struct cma_area cma;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One gup_test command on the mapping: 0 or -errno. */
static int gup_cmd(unsigned long cmd)
{
	struct gup_test g = {
		.addr = (unsigned long)buf,
		.size = NPAGES * PAGE_SZ,
		.nr_pages_per_call = NPAGES,
	};
	int fd = open("/sys/kernel/debug/gup_test", O_RDWR);
	int ret;

	if (fd < 0)
		return -errno;
	ret = ioctl(fd, cmd, &g) ? -errno : 0;
	close(fd);
	return ret;
}

/* A held pin (PIN_LONGTERM_TEST_START), released at once: 0 or -errno. */
static int held_pin(unsigned int flags)
{
	struct pin_longterm_test args = {
		.addr = (unsigned long)buf,
		.size = NPAGES * PAGE_SZ,
		.flags = flags,
	};
	int fd = open("/sys/kernel/debug/gup_test", O_RDWR);
	int ret;

	if (fd < 0)
		return -errno;
	ret = ioctl(fd, PIN_LONGTERM_TEST_START, &args) ? -errno : 0;
	if (!ret)
		ioctl(fd, PIN_LONGTERM_TEST_STOP);
	close(fd);
	return ret;
}

/* vmsplice() the mapping into a pipe: 0 or -errno; *queued: bytes queued. */
static int splice_in(int *queued)
{
	struct iovec iov = { .iov_base = buf, .iov_len = NPAGES * PAGE_SZ };
	int p[2], ret;
	ssize_t n;

	*queued = 0;
	if (pipe(p))
		return -errno;
	fcntl(p[1], F_SETFL, O_NONBLOCK);
	n = vmsplice(p[1], &iov, 1, 0);
	ret = n < 0 ? -errno : 0;
	if (ioctl(p[0], FIONREAD, queued))
		*queued = -1;
	close(p[0]);
	close(p[1]);
	return ret;
}

/*
 * IORING_REGISTER_BUFFERS of one buffer: PREFIX anonymous pages, then the
 * mapping. gup-fast pins the prefix and stops at the first page that must
 * move; the slow path cannot move it. 0 or -errno.
 */
static int uring_register(void)
{
	struct io_uring_params p = { 0 };
	struct iovec iov = {
		.iov_base = prefix,
		.iov_len = (PREFIX + NPAGES) * PAGE_SZ,
	};
	int fd = syscall(__NR_io_uring_setup, 1, &p), ret;

	if (fd < 0)
		return -errno;
	ret = syscall(__NR_io_uring_register, fd, IORING_REGISTER_BUFFERS,
		      &iov, 1) < 0 ? -errno : 0;
	/*
	 * Unpin now: a ring's buffers are released by a work item after the
	 * last close, which may run after this child's mapping is gone, and
	 * gup_test must not see its pages still held then.
	 */
	if (!ret)
		syscall(__NR_io_uring_register, fd, IORING_UNREGISTER_BUFFERS,
			NULL, 0);
	close(fd);
	return ret;
}

enum call { PIN_SLOW, PIN_FAST, PIN_HELD, VMSPLICE, PIN_EPHEMERAL, URING };

static int do_call(enum call c, int *queued)
{
	switch (c) {
	case PIN_SLOW:
		return gup_cmd(PIN_BASIC_TEST);
	case PIN_FAST:
		return gup_cmd(PIN_FAST_BENCHMARK);
	case PIN_HELD:
		return held_pin(0);
	case VMSPLICE:
		return splice_in(queued);
	case PIN_EPHEMERAL:
		return held_pin(PIN_LONGTERM_TEST_FLAG_USE_EPHEMERAL);
	case URING:
		return uring_register();
	}
	return -EINVAL;
}

struct result {
	int ret;		/* the call's 0 or -errno */
	int queued;		/* vmsplice: bytes left in the pipe */
	long in_before;		/* mapped pages in CMA before the call */
	long in_after;		/* ... and after it */
	size_t damaged;		/* pages that are no longer zeroed */
};

/*
 * In a child of its own (the mapping is not inherited by fork()): map
 * NPAGES of gup_test's CMA pages, make the call, look at the pages again.
 */
static void child(enum call c, int fd_out)
{
	struct result r = { .ret = -ENODEV };
	char *pages[NPAGES];
	int fd, i;

	/* anonymous pages, populated, with the mapping right after them */
	prefix = mmap(NULL, (PREFIX + NPAGES) * PAGE_SZ, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	fd = open("/sys/kernel/debug/gup_test", O_RDWR);
	buf = fd < 0 || prefix == MAP_FAILED ? MAP_FAILED :
	      mmap(prefix + PREFIX * PAGE_SZ, NPAGES * PAGE_SZ,
		   PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0);
	if (buf != MAP_FAILED) {
		for (i = 0; i < NPAGES; i++)
			pages[i] = buf + (size_t)i * PAGE_SZ;
		r.in_before = count_in_cma(&cma, pages, NPAGES);
		r.ret = do_call(c, &r.queued);
		r.in_after = count_in_cma(&cma, pages, NPAGES);
		for (i = 0; i < NPAGES; i++)
			r.damaged += pages[i][0] || pages[i][PAGE_SZ - 1];
	}
	if (write(fd_out, &r, sizeof(r)) != sizeof(r))
		_exit(1);
	_exit(0);
}

/*
 * Run the call in a child. r->ret is what the call returned, or -ETIMEDOUT
 * when it had not returned after CALL_LIMIT_S (the child is then killed:
 * a fatal signal is the only way out of an unbounded retry).
 */
static void bounded_call(enum call c, struct result *r, double *secs)
{
	double t0 = now();
	int p[2], status;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	r->ret = -ECHILD;
	if (pipe(p))
		return;
	pid = fork();
	if (pid < 0)
		return;
	if (!pid) {
		close(p[0]);
		child(c, p[1]);
	}
	close(p[1]);
	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (now() - t0 > CALL_LIMIT_S) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			close(p[0]);
			*secs = now() - t0;
			r->ret = -ETIMEDOUT;
			return;
		}
		usleep(20000);
	}
	*secs = now() - t0;
	if (read(p[0], r, sizeof(*r)) != sizeof(*r))
		r->ret = -ECHILD;
	close(p[0]);
}

static void expect_in_place(enum call c, const char *what)
{
	int want_queued = c == VMSPLICE ? NPAGES * PAGE_SZ : 0;
	struct result r;
	double secs = 0;

	bounded_call(c, &r, &secs);
	if (r.ret == -ETIMEDOUT) {
		ksft_test_result_fail("%s: still retrying after %.0f s (killed)\n",
				      what, secs);
		return;
	}
	ksft_test_result(!r.ret && r.queued == want_queued &&
			 r.in_before == NPAGES && r.in_after == NPAGES &&
			 !r.damaged,
			 "%s: %s after %.2f s, %d bytes queued, %ld/%ld pages in CMA before/after, %zu damaged (want success, %d queued, pinned in place, none damaged)\n",
			 what, r.ret ? strerror(-r.ret) : "success", secs,
			 r.queued, r.in_before, r.in_after, r.damaged,
			 want_queued);
}

int main(void)
{
	long long acq0, rel0, acq, rel;
	uint64_t used0 = 0, used = 0;
	char path[300];
	struct result r;
	double secs = 0;
	int err;

	ksft_print_header();
	ksft_set_plan(8);

	err = cma_find(&cma);
	if (err)
		ksft_exit_fail_msg("no CMA area in debugfs: %s\n", strerror(-err));
	snprintf(path, sizeof(path), "%s/used", cma.dir);
	if (read_u64(path, &used0))
		ksft_exit_fail_msg("%s: %s\n", path, strerror(errno));

	acq0 = vmstat("nr_foll_pin_acquired");
	rel0 = vmstat("nr_foll_pin_released");
	bounded_call(PIN_EPHEMERAL, &r, &secs);
	ksft_test_result(!r.ret && r.in_before == NPAGES && r.in_after == NPAGES,
			 "gup_test maps %ld CMA pages on no LRU; an ephemeral pin of them, which moves nothing: %s\n",
			 r.in_before, r.ret ? strerror(-r.ret) : "ok");
	expect_in_place(PIN_SLOW, "default pin_user_pages()");
	expect_in_place(PIN_FAST, "default pin_user_pages_fast()");
	expect_in_place(PIN_HELD, "held default pin (PIN_LONGTERM_TEST_START)");
	expect_in_place(VMSPLICE, "vmsplice() of the pages into a pipe");
	expect_in_place(URING, "io_uring registration of 16 anonymous pages and then them");

	acq = vmstat("nr_foll_pin_acquired") - acq0;
	rel = vmstat("nr_foll_pin_released") - rel0;
	ksft_test_result(acq == rel && acq >= NPAGES,
			 "pins balance: %lld acquired, %lld released\n", acq, rel);
	err = read_u64(path, &used);
	ksft_test_result(!err && used == used0,
			 "every page went back to CMA: %llu pages in use, %llu before\n",
			 (unsigned long long)used, (unsigned long long)used0);
	ksft_finished();
}
