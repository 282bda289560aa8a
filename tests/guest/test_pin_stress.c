// SPDX-License-Identifier: GPL-2.0
/*
 * Pins and unpins under concurrency, bounded in time (STRESS_S seconds,
 * or the first argument). Pinning threads: the gup_test held pin (the
 * default, long-term pin) over spans of a buffer;
 * io_uring buffer registration and unregistration; vmsplice() into a pipe
 * that another thread reads; O_DIRECT writes and reads of a RAM disk.
 * At the same time, other threads migrate pages (CMA allocations through
 * debugfs, which move what sits in the area), compact memory, and map,
 * touch, fork, mprotect and unmap memory of their own. When the boot hid
 * RAM for it (pinlife.probe=, as make check's does unless STRESS_HOTPLUG=0),
 * another thread offlines and onlines that memory, added at run time as
 * ZONE_MOVABLE, while compaction runs; without it, that worker's result and
 * the final offlining are skips.
 *
 * Contention never makes a pin fail: a pin whose pages a concurrent CMA
 * allocation, compaction or offlining holds isolated waits for them, as
 * on stock, so any error from a pin of valid memory (ENOMEM included) is
 * a failure. Passes when no thread saw an error or damaged data and each
 * did at least one round in full a second (a pin taken and released,
 * a CMA allocation that succeeded, a block offlined and onlined), the
 * pin counters of /proc/vmstat balance once every thread has stopped, the
 * kernel logged no WARNING, BUG or oops meanwhile (DEBUG_VM is on in the
 * test kernel), and then a full CMA allocation succeeds and the hotplugged
 * memory goes offline: nothing left a reference (which the pin counters do
 * not see) on a page in CMA or ZONE_MOVABLE. Offlined at the end, that
 * memory is out of the way of the suites that follow. Run on two vCPUs by
 * make check.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <liburing.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest.h"
#include "pinlife_ksft.h"

#define STRESS_S 30
/*
 * The O_DIRECT worker's disk: a RAM disk, not a file on ext4. On stock
 * 6.12.117 and patched alike, ext4 O_DIRECT writes beside CMA allocations
 * and compaction leave 1 to 4 pages in CMA that a full allocation cannot
 * move ("referenced dirty active", off the LRU), held after the suite
 * ends; with the journal off (mke2fs -O ^has_journal), or on the raw
 * disk, none in three runs each: ext4 metadata buffers (bdev pages,
 * allocated movable) that compaction moved into CMA and jbd2 then kept
 * referenced. Not a pin; see README, "Found along the way".
 */
#define DIO_DISK "/dev/ram2"
#define CHUNK (64UL << 10)
#define PIN_SPAN (4UL << 20)

static atomic_int stop;
static struct cma_area cma;
/* memory the guest added at run time (pinlife.probe=), ZONE_MOVABLE */
static long hp_first = -1;
static size_t hp_blocks;

struct worker {
	const char *name;
	void *(*fn)(void *);
	pthread_t t;
	unsigned long rounds;	/* attempts */
	unsigned long ok;	/* of those, done in full */
	unsigned long min_ok;	/* fewer fails: a worker that got nowhere */
	unsigned long errors;
	unsigned long busy;	/* offlining still busy after its bound */
	char why[128];
};

static void fail(struct worker *w, const char *what, int err)
{
	if (!w->errors++)
		snprintf(w->why, sizeof(w->why), "%s: %s", what,
			 err ? strerror(err) : "data damaged");
}

static void stamp(char *buf, size_t len, unsigned long round)
{
	size_t i;

	for (i = 0; i < len; i += 8)
		*(uint64_t *)(buf + i) = (uint64_t)round << 32 | i;
}

static int stamped(const char *buf, size_t len, unsigned long round)
{
	size_t i;

	for (i = 0; i < len; i += 8)
		if (*(const uint64_t *)(buf + i) != ((uint64_t)round << 32 | i))
			return 0;
	return 1;
}

/* The gup_test held pin, default (long-term), over spans of a buffer. */
static void *gup_worker(void *arg)
{
	struct worker *w = arg;
	char *buf = mmap(NULL, PIN_SPAN, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	int fd = open("/sys/kernel/debug/gup_test", O_RDWR);

	if (fd < 0 || buf == MAP_FAILED) {
		fail(w, "gup_test", errno);
		return NULL;
	}
	stamp(buf, PIN_SPAN, 0);
	while (!stop) {
		size_t first = (w->rounds * 7919) % (PIN_SPAN / PAGE_SZ - 64);
		struct pin_longterm_test t = {
			.addr = (unsigned long)(buf + first * PAGE_SZ),
			.size = 64 * PAGE_SZ,
			.flags = PIN_LONGTERM_TEST_FLAG_USE_WRITE,
		};

		if (ioctl(fd, PIN_LONGTERM_TEST_START, &t))
			fail(w, "PIN_LONGTERM_TEST_START", errno);
		else if (ioctl(fd, PIN_LONGTERM_TEST_STOP))
			fail(w, "PIN_LONGTERM_TEST_STOP", errno);
		else
			w->ok++;
		w->rounds++;
	}
	if (!stamped(buf, PIN_SPAN, 0))
		fail(w, "buffer stamps", 0);
	munmap(buf, PIN_SPAN);
	close(fd);
	return NULL;
}

static void *uring_worker(void *arg)
{
	struct worker *w = arg;
	char *buf = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	struct iovec iov = { buf, 1 << 20 };
	struct io_uring ring;
	int err;

	if (buf == MAP_FAILED || io_uring_queue_init(4, &ring, 0)) {
		fail(w, "io_uring setup", errno);
		return NULL;
	}
	while (!stop) {
		stamp(buf, 1 << 20, w->rounds);
		err = io_uring_register_buffers(&ring, &iov, 1);
		if (err) {
			fail(w, "IORING_REGISTER_BUFFERS", -err);
		} else {
			err = io_uring_unregister_buffers(&ring);
			if (err)
				fail(w, "IORING_UNREGISTER_BUFFERS", -err);
		}
		if (!stamped(buf, 1 << 20, w->rounds))
			fail(w, "registered buffer", 0);
		else if (!err)
			w->ok++;
		w->rounds++;
	}
	io_uring_queue_exit(&ring);
	munmap(buf, 1 << 20);
	return NULL;
}

struct splice_pair {
	int fd[2];
	struct worker *w;
};

static void *splice_reader(void *arg)
{
	struct splice_pair *p = arg;
	char *got = malloc(CHUNK);
	unsigned long round = 0;

	while (got) {
		size_t have = 0;

		while (have < CHUNK) {
			ssize_t n = read(p->fd[0], got + have, CHUNK - have);

			if (n <= 0) {
				free(got);
				return NULL;
			}
			have += n;
		}
		if (!stamped(got, CHUNK, round))
			fail(p->w, "vmspliced data", 0);
		round++;
	}
	return NULL;
}

static void *splice_worker(void *arg)
{
	struct worker *w = arg;
	struct splice_pair p = { .w = w };
	char *buf = mmap(NULL, CHUNK, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	pthread_t reader;

	if (buf == MAP_FAILED || pipe(p.fd)) {
		fail(w, "pipe", errno);
		return NULL;
	}
	fcntl(p.fd[1], F_SETPIPE_SZ, CHUNK);
	pthread_create(&reader, NULL, splice_reader, &p);
	while (!stop) {
		struct iovec iov = { buf, CHUNK };
		size_t done = 0;

		/* a fresh buffer each round: the pipe may still hold the last */
		munmap(buf, CHUNK);
		buf = mmap(NULL, CHUNK, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (buf == MAP_FAILED) {
			fail(w, "mmap", errno);
			break;
		}
		stamp(buf, CHUNK, w->rounds);
		while (done < CHUNK) {
			ssize_t n;

			iov.iov_base = buf + done;
			iov.iov_len = CHUNK - done;
			n = vmsplice(p.fd[1], &iov, 1, 0);
			if (n <= 0) {
				fail(w, "vmsplice", n ? errno : EIO);
				break;
			}
			done += n;
		}
		w->ok += done == CHUNK;
		w->rounds++;
	}
	close(p.fd[1]);
	pthread_join(reader, NULL);
	close(p.fd[0]);
	if (buf != MAP_FAILED)
		munmap(buf, CHUNK);
	return NULL;
}

static void *dio_worker(void *arg)
{
	struct worker *w = arg;
	char *buf = aligned_alloc(4096, CHUNK);
	int fd = open(DIO_DISK, O_RDWR | O_DIRECT);

	if (fd < 0 || !buf) {
		fail(w, "open " DIO_DISK, errno);
		return NULL;
	}
	while (!stop) {
		off_t off = (w->rounds % 16) * CHUNK;

		stamp(buf, CHUNK, w->rounds);
		if (pwrite(fd, buf, CHUNK, off) != (ssize_t)CHUNK) {
			fail(w, "O_DIRECT write", errno);
		} else {
			memset(buf, 0, CHUNK);
			if (pread(fd, buf, CHUNK, off) != (ssize_t)CHUNK)
				fail(w, "O_DIRECT read", errno);
			else if (!stamped(buf, CHUNK, w->rounds))
				fail(w, "O_DIRECT data", 0);
			else
				w->ok++;
		}
		w->rounds++;
	}
	close(fd);
	free(buf);
	return NULL;
}

/* CMA allocations migrate whatever sits in the area; pins move it first. */
static void *cma_worker(void *arg)
{
	struct worker *w = arg;
	char path[300];

	snprintf(path, sizeof(path), "%s/alloc", cma.dir);
	while (!stop) {
		/*
		 * 4 MiB; may fail (-EBUSY) under a pin in flight: expected,
		 * but some must succeed (ok), or nothing was migrated.
		 */
		if (!write_str(path, "1024")) {
			snprintf(path, sizeof(path), "%s/free", cma.dir);
			if (write_str(path, "1024"))
				fail(w, "cma free", errno);
			else
				w->ok++;
			snprintf(path, sizeof(path), "%s/alloc", cma.dir);
		}
		/* Races the offline/online worker: series patches 1 and 2 */
		write_str("/proc/sys/vm/compact_memory", "1");
		w->rounds++;
	}
	return NULL;
}

/*
 * Offline and online the blocks of the hotplugged ZONE_MOVABLE memory in
 * turn. Offlining migrates what sits there, or keeps retrying while a pin
 * in flight holds a page: bounded, a busy block is counted, not failed.
 * Onlining an offlined block must succeed.
 */
static void *hotplug_worker(void *arg)
{
	struct worker *w = arg;
	int off, on = 0;

	while (!stop && hp_first >= 0) {
		unsigned long b = hp_first + w->rounds % hp_blocks;

		off = memory_block_offline(b, 2);
		if (!off)
			on = memory_block_online_movable(b);
		if (off == -ETIMEDOUT || off == -EBUSY)
			w->busy++;
		else if (off)
			fail(w, "offline", -off);
		else if (on)
			fail(w, "online_movable", -on);
		else
			w->ok++;
		w->rounds++;
	}
	return NULL;
}

/* Memory of its own: map, touch, fork, mprotect, unmap. */
static void *churn_worker(void *arg)
{
	struct worker *w = arg;

	while (!stop) {
		size_t len = PIN_SPAN;
		char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		pid_t child;
		int status;

		if (p == MAP_FAILED) {
			fail(w, "mmap", errno);
			break;
		}
		stamp(p, len, w->rounds);
		child = fork();
		if (!child)
			_exit(stamped(p, len, w->rounds) ? 0 : 1);
		if (mprotect(p, len, PROT_READ) ||
		    mprotect(p, len, PROT_READ | PROT_WRITE))
			fail(w, "mprotect", errno);
		p[0] ^= 1;
		p[0] ^= 1;
		if (child < 0 || waitpid(child, &status, 0) != child ||
		    !WIFEXITED(status) || WEXITSTATUS(status))
			fail(w, "fork child's view", child < 0 ? errno : 0);
		else
			w->ok++;
		munmap(p, len);
		w->rounds++;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	struct worker w[] = {
		{ .name = "gup_test default pins", .fn = gup_worker },
		{ .name = "io_uring buffer registration", .fn = uring_worker },
		{ .name = "vmsplice with a reader", .fn = splice_worker },
		{ .name = "O_DIRECT to a RAM disk", .fn = dio_worker },
		{ .name = "CMA allocation and compaction", .fn = cma_worker },
		{ .name = "memory offline and online", .fn = hotplug_worker },
		{ .name = "mmap, fork, mprotect, munmap", .fn = churn_worker },
	};
	const size_t nw = sizeof(w) / sizeof(w[0]);
	int secs = argc > 1 ? atoi(argv[1]) : STRESS_S;
	uint64_t hp_start = 0, hp_size = 0;
	uint64_t min_free = 0;
	char num[24];
	int kmsg, err;
	size_t i;

	ksft_print_header();
	ksft_set_plan(nw + 4);
	err = cma_find(&cma);
	if (err)
		ksft_exit_fail_msg("no CMA area: %s\n", strerror(-err));
	read_u64("/proc/sys/vm/min_free_kbytes", &min_free);
	if (!probe_param(&hp_start, &hp_size)) {
		hp_first = memory_probe_movable(hp_start, hp_size, &hp_blocks);
		if (hp_first < 0)
			ksft_exit_fail_msg("adding memory at %#" PRIx64 ": %s\n",
					   hp_start, strerror(-hp_first));
	}
	kmsg = kmsg_open_end();
	if (kmsg < 0)
		ksft_exit_fail_msg("/dev/kmsg: %s\n", strerror(-kmsg));

	for (i = 0; i < nw; i++) {
		/*
		 * Each worker must get somewhere, not only avoid errors: at
		 * least one round done in full per second. Under TCG on two
		 * vCPUs they do from 7 (blocks offlined and onlined) to
		 * 1400 (pins) a second.
		 */
		w[i].min_ok = secs;
		if (pthread_create(&w[i].t, NULL, w[i].fn, &w[i]))
			ksft_exit_fail_msg("pthread_create\n");
	}
	sleep(secs);
	stop = 1;
	for (i = 0; i < nw; i++) {
		pthread_join(w[i].t, NULL);
		if (w[i].fn == hotplug_worker && hp_first < 0) {
			ksft_test_result_skip("%s: no memory to hotplug (pinlife.probe=)\n",
					      w[i].name);
			continue;
		}
		ksft_test_result(!w[i].errors && w[i].ok >= w[i].min_ok,
				 "%s: %lu of %lu rounds done (at least %lu), %lu busy, %lu errors%s%s\n",
				 w[i].name, w[i].ok, w[i].rounds, w[i].min_ok,
				 w[i].busy, w[i].errors,
				 w[i].errors ? ", first: " : "", w[i].why);
	}
	ksft_pins_and_kmsg(kmsg);
	/* A reference or pin left behind in CMA would fail this for good. */
	ksft_cma_alloc_all(&cma, "nothing holds pages any more");
	/* ...and keep the hotplugged memory online: it goes offline again. */
	if (hp_first < 0) {
		ksft_test_result_skip("no hotplugged memory to offline\n");
	} else {
		size_t off = 0;

		err = 0;
		for (i = 0; i < hp_blocks; i++) {
			int e = memory_block_offline(hp_first + i, 10);

			off += !e || e == -EINVAL;	/* EINVAL: offline already */
			if (e && e != -EINVAL && !err)
				err = e;
		}
		ksft_test_result(off == hp_blocks,
				 "the hotplugged memory goes offline again: %zu of %zu blocks%s%s\n",
				 off, hp_blocks, err ? ", first error " : "",
				 err ? strerrorname_np(-err) : "");
		/*
		 * Onlining raised min_free_kbytes (khugepaged recommends more
		 * for more zones) and offlining never lowers it: put it back,
		 * or the suites that follow fill memory against other
		 * watermarks.
		 */
		snprintf(num, sizeof(num), "%" PRIu64, min_free);
		if (min_free)
			write_str("/proc/sys/vm/min_free_kbytes", num);
	}
	close(kmsg);
	ksft_finished();
}
