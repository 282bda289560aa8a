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
 * which a long-term pin would refuse; and a direct write from pages that
 * can neither stay nor move fails with ENOMEM before it reaches the server.
 *
 * On stock 6.12 the pages stay in CMA for as long as the server holds the
 * requests, and the CMA allocation fails.
 */
#define _GNU_SOURCE
#include "pinlife_served.h"
#include "pinlife_ublk.h"

static struct ublk_srv srv;

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
	ksft_set_plan(1 + 15 + 2 + 2 + 1);
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
	served_case_unmovable(&sv, fd, srv.bdev);
	close(fd);

	ublk_srv_stop(&srv);
	ksft_test_result(!srv.error, "the ublk server saw no error%s%s\n",
			 srv.error ? ": " : "",
			 srv.error ? strerror(-srv.error) : "");
	ksft_finished();
}
