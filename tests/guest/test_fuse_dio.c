// SPDX-License-Identifier: GPL-2.0
/*
 * Direct I/O to a FUSE file pins the buffer until the server answers, and
 * the server is a userspace process that may never answer. The pins must
 * not keep pages in CMA: a server of the test's own (pinlife_fuse.c) holds
 * READ and WRITE requests unanswered while the test checks that none of
 * the buffer pages under them is still in CMA and that a full CMA
 * allocation succeeds; then it answers, and the data must be intact
 * (pinlife_served.h).
 *
 * Four ways in: synchronous read() and write() of an FOPEN_DIRECT_IO file
 * (a thread per request), and io_uring reads and writes of an O_DIRECT
 * file (asynchronous direct I/O). Then direct I/O between FUSE and a
 * MAP_SHARED mapping of an ext4 file, which a long-term pin would refuse,
 * must still work, through both files. A direct write from CMA pages that
 * the area's owner allocated is written: they are pinned where they are.
 *
 * On stock 6.12 the pages stay in CMA for as long as the server holds the
 * requests, and the CMA allocation fails.
 */
#define _GNU_SOURCE
#include "pinlife_fuse.h"
#include "pinlife_served.h"

#define MNT "/tmp/fuse"

static struct fuse_srv srv;

static int wait_held(void *s, size_t n, int timeout_s)
{
	return fuse_srv_wait_held(s, n, timeout_s);
}

static int answer(void *s)
{
	return fuse_srv_answer(s);
}

static void hold(void *s, int on)
{
	fuse_srv_hold(s, on);
}

static size_t seen(void *s)
{
	struct fuse_srv *v = s;
	size_t n;

	pthread_mutex_lock(&v->lock);
	n = v->reads + v->writes;
	pthread_mutex_unlock(&v->lock);
	return n;
}

static size_t bad_words(void *s)
{
	return ((struct fuse_srv *)s)->bad_words;
}

static int open_file(const char *name, int flags)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), MNT "/%s", name);
	fd = open(path, O_RDWR | flags);
	if (fd < 0)
		ksft_exit_fail_msg("open %s: %s\n", path, strerror(errno));
	return fd;
}

int main(void)
{
	static struct run runs[4 * RUNS_PER_CASE];
	struct cma_area cma;
	struct served sv = {
		.name = "the FUSE server", .srv = &srv, .cma = &cma,
		.wait_held = wait_held, .answer = answer, .hold = hold,
		.bad_words = bad_words, .seen = seen,
	};
	int err, dio, plain;
	struct fill f;
	size_t per;

	ksft_print_header();
	ksft_set_plan(1 + 15 + 2 * 2 + 2 + 1);
	err = fuse_srv_start(&srv, MNT, 1);
	if (err)
		ksft_exit_fail_msg("FUSE server: %s\n", strerror(-err));
	ksft_fill_cma(&cma, &f);
	per = runs_make(&f, runs, 4 * RUNS_PER_CASE) / 4;
	if (!per)
		ksft_exit_fail_msg("too few CMA pages for four cases\n");
	ksft_print_msg("%zu requests of up to %d pages per case\n", per,
		       RUN_PAGES);

	dio = open_file("dio", 0);		/* FOPEN_DIRECT_IO */
	plain = open_file("plain", O_DIRECT);
	{
		struct served_case cs[] = {
			{ .name = "sync read", .fd = dio, .runs = runs },
			{ .name = "sync write", .fd = dio, .write = 1,
			  .runs = runs + per },
			{ .name = "io_uring read", .fd = plain, .uring = 1,
			  .runs = runs + 2 * per },
			{ .name = "io_uring write", .fd = plain, .uring = 1,
			  .write = 1, .runs = runs + 3 * per },
		};

		for (size_t i = 0; i < 4; i++)
			cs[i].n = per;
		served_cases(&sv, cs, 4);
	}
	fill_release(&f);

	served_case_shared(&sv, dio, "FOPEN_DIRECT_IO", "/mnt/ext4/fuse-shared");
	served_case_shared(&sv, plain, "O_DIRECT", "/mnt/ext4/fuse-shared");
	served_case_owned(&sv, dio, "FOPEN_DIRECT_IO");
	close(dio);
	close(plain);

	fuse_srv_stop(&srv);
	ksft_test_result(!srv.error, "the FUSE server saw no error%s%s\n",
			 srv.error ? ": " : "",
			 srv.error ? strerror(-srv.error) : "");
	ksft_finished();
}
