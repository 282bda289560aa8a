// SPDX-License-Identifier: GPL-2.0
/*
 * Direct I/O to a ublk disk pins the buffer until the ublk server, a
 * userspace process, completes the request, which it may never do. The
 * pins must not keep pages in CMA: a server of the test's own
 * (pinlife_ublk.c) leaves READ and WRITE requests uncommitted while the
 * test checks that none of the buffer pages under them is still in CMA
 * and that a full CMA allocation succeeds; then it completes them, and
 * the data must be intact (pinlife_served.h).
 *
 * Synchronous and io_uring O_DIRECT reads and writes of /dev/ublkbN, then
 * O_DIRECT between the disk and a MAP_SHARED mapping of an ext4 file,
 * which a long-term pin would refuse; and a direct write from CMA pages
 * that the area's owner allocated is written, pinned where they are.
 *
 * Then vfat on a second ublk disk, one that keeps what is written: direct
 * I/O to a file there takes the legacy path of fs/direct-io.c, which must
 * pin for a user-served queue as the block layer does. A sync write case
 * and an io_uring read case go through the same steps, and the written
 * data are read back.
 *
 * On stock 6.12 the pages stay in CMA for as long as the server holds the
 * requests, and the CMA allocation fails; with fs/direct-io.c pinning
 * ephemeral (the series before it followed the queue), so do the vfat
 * cases.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "pinlife_served.h"
#include "pinlife_ublk.h"

#define VFAT_MNT "/mnt/vfat"
#define VFAT_FILE VFAT_MNT "/f"
#define VFAT_RESULTS (1 + 5 + 2 + 2)

static struct ublk_srv srv, vsrv;

static int wait_held(void *s, size_t n, int timeout_s)
{
	return ublk_srv_wait_held(s, n, timeout_s);
}

static int answer(void *s)
{
	return ublk_srv_answer(s);
}

static void hold(void *s, int on)
{
	ublk_srv_hold(s, on);
}

static size_t seen(void *s)
{
	struct ublk_srv *v = s;
	size_t n;

	pthread_mutex_lock(&v->lock);
	n = v->reads + v->writes;
	pthread_mutex_unlock(&v->lock);
	return n;
}

static size_t bad_words(void *s)
{
	struct ublk_srv *u = s;
	size_t bad;

	pthread_mutex_lock(&u->lock);
	bad = u->bad_words;
	pthread_mutex_unlock(&u->lock);
	return bad;
}

/* The storing disk's data are checked by reading them back. */
static size_t no_bad_words(void *s)
{
	(void)s;
	return 0;
}

/*
 * The vfat file: the read case's runs hold io_pattern() of their file
 * offsets, the write case's runs zeros, so that a write that never
 * arrived reads back as damaged.
 */
static int vfat_file(uint64_t size, uint64_t zero_end)
{
	const size_t chunk = RUN_PAGES * PAGE_SZ;
	char *buf = aligned_alloc(PAGE_SZ, chunk);
	uint64_t off;
	int fd;

	fd = open(VFAT_FILE, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || !buf)
		ksft_exit_fail_msg("%s: %s\n", VFAT_FILE, strerror(errno));
	for (off = 0; off < size; off += chunk) {
		if (off < zero_end)
			memset(buf, 0, chunk);
		else
			io_pattern(buf, chunk, off);
		if (pwrite(fd, buf, chunk, off) != (ssize_t)chunk)
			ksft_exit_fail_msg("%s: %s\n", VFAT_FILE, strerror(errno));
	}
	if (fsync(fd))
		ksft_exit_fail_msg("fsync %s: %s\n", VFAT_FILE, strerror(errno));
	close(fd);
	free(buf);
	/* No cached page for direct I/O to write back or invalidate */
	sync();
	write_str("/proc/sys/vm/drop_caches", "3");
	fd = open(VFAT_FILE, O_RDWR | O_DIRECT);
	buf = aligned_alloc(PAGE_SZ, chunk);
	if (fd < 0 || !buf)
		ksft_exit_fail_msg("%s: %s\n", VFAT_FILE, strerror(errno));
	/*
	 * Map the file once, answered: the FAT sectors that map it are then
	 * cached, and the server holds the data requests only (a held
	 * metadata read would keep its page locked, and a CMA allocation
	 * would wait for it).
	 */
	for (off = 0; off < size; off += chunk)
		if (pread(fd, buf, chunk, off) != (ssize_t)chunk)
			ksft_exit_fail_msg("%s: %s\n", VFAT_FILE, strerror(errno));
	free(buf);
	return fd;
}

static void vfat_cases(struct cma_area *cma)
{
	static struct run runs[2 * RUNS_PER_CASE];
	struct served sv = {
		.name = "the ublk server under vfat", .srv = &vsrv, .cma = cma,
		.wait_held = wait_held, .answer = answer, .hold = hold,
		.bad_words = no_bad_words, .seen = seen,
		.pins_uncounted = 1,
	};
	char cmd[96], *buf;
	size_t per, i, bad = 0, failed = 0;
	struct fill f;
	int err, fd;

	err = ublk_srv_start(&vsrv, UBLK_SRV_STORE);
	if (err)
		ksft_exit_fail_msg("storing ublk server: %s\n", strerror(-err));
	snprintf(cmd, sizeof(cmd), "mkdosfs %s >/dev/null", vsrv.bdev);
	mkdir(VFAT_MNT, 0755);
	if (system(cmd) || mount(vsrv.bdev, VFAT_MNT, "vfat", MS_NOATIME, NULL))
		ksft_exit_fail_msg("vfat on %s: %s\n", vsrv.bdev, strerror(errno));

	ksft_fill_cma(cma, &f);
	per = runs_make(&f, runs, 2 * RUNS_PER_CASE) / 2;
	if (!per)
		ksft_exit_fail_msg("too few CMA pages for the vfat cases\n");
	fd = vfat_file(2 * per * (uint64_t)RUN_PAGES * PAGE_SZ,
		       per * (uint64_t)RUN_PAGES * PAGE_SZ);
	ksft_print_msg("%s (vfat on %s): one request of %zu pages\n",
		       VFAT_FILE, vsrv.bdev, runs[0].npages);
	{
		/*
		 * One request at a time: fs/direct-io.c takes the inode lock
		 * (DIO_LOCKING), so a second request to the file would wait
		 * for the first, which the server holds.
		 */
		struct served_case cs[] = {
			{ .name = "vfat sync write", .fd = fd, .write = 1,
			  .runs = runs, .n = 1 },
		};

		served_cases(&sv, cs, 1);
	}
	fill_release(&f);

	buf = aligned_alloc(PAGE_SZ, RUN_PAGES * PAGE_SZ);
	for (i = 0; buf && i < 1; i++) {
		if (pread(fd, buf, runs[i].len, runs[i].off) != (ssize_t)runs[i].len)
			failed++;
		else
			bad += io_mismatch(buf, runs[i].len, runs[i].off);
	}
	ksft_test_result(buf && !failed && !bad,
			 "vfat: the direct writes read back: %zu reads failed, %zu words damaged\n",
			 failed, bad);
	free(buf);
	close(fd);
	if (umount(VFAT_MNT))
		ksft_print_msg("umount %s: %s\n", VFAT_MNT, strerror(errno));
	ublk_srv_stop(&vsrv);
	ksft_test_result(!vsrv.error, "the storing ublk server saw no error%s%s\n",
			 vsrv.error ? ": " : "",
			 vsrv.error ? strerror(-vsrv.error) : "");
}

int main(void)
{
	static struct run runs[4 * RUNS_PER_CASE];
	struct cma_area cma;
	struct served sv = {
		.name = "the ublk server", .srv = &srv, .cma = &cma,
		.wait_held = wait_held, .answer = answer, .hold = hold,
		.bad_words = bad_words, .seen = seen,
	};
	struct fill f;
	size_t per;
	int err, fd;

	ksft_print_header();
	ksft_set_plan(1 + 15 + 2 + 2 + 1 + VFAT_RESULTS);
	/* Started before the fill: the partition scan needs its memory. */
	err = ublk_srv_start(&srv, 0);
	if (err)
		ksft_exit_fail_msg("ublk server: %s\n", strerror(-err));
	fd = open(srv.bdev, O_RDWR | O_DIRECT);
	if (fd < 0)
		ksft_exit_fail_msg("open %s: %s\n", srv.bdev, strerror(errno));
	ksft_fill_cma(&cma, &f);
	per = runs_make(&f, runs, 4 * RUNS_PER_CASE) / 4;
	if (!per)
		ksft_exit_fail_msg("too few CMA pages for four cases\n");
	ksft_print_msg("%s: %zu requests of up to %d pages per case\n",
		       srv.bdev, per, RUN_PAGES);
	{
		struct served_case cs[] = {
			{ .name = "sync read", .fd = fd, .runs = runs },
			{ .name = "sync write", .fd = fd, .write = 1,
			  .runs = runs + per },
			{ .name = "io_uring read", .fd = fd, .uring = 1,
			  .runs = runs + 2 * per },
			{ .name = "io_uring write", .fd = fd, .uring = 1,
			  .write = 1, .runs = runs + 3 * per },
		};

		for (size_t i = 0; i < 4; i++)
			cs[i].n = per;
		served_cases(&sv, cs, 4);
	}
	fill_release(&f);

	served_case_shared(&sv, fd, srv.bdev, "/mnt/ext4/ublk-shared");
	served_case_owned(&sv, fd, srv.bdev);
	close(fd);

	ublk_srv_stop(&srv);
	ksft_test_result(!srv.error, "the ublk server saw no error%s%s\n",
			 srv.error ? ": " : "",
			 srv.error ? strerror(-srv.error) : "");

	vfat_cases(&cma);
	ksft_finished();
}
