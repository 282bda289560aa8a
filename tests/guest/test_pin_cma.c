// SPDX-License-Identifier: GPL-2.0
/*
 * Pins are long-term by default (DESIGN.md point 1): pages held by a
 * default pin are moved out of CMA first, so a full CMA allocation
 * succeeds while they are held. An ephemeral pin (FOLL_EPHEMERAL) moves
 * nothing, and while it is held the allocation fails. Each case runs in
 * a child process of its own, on freshly filled memory; PFNs come from
 * /proc/self/pagemap, the pins from the gup_test debugfs file.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest.h"
#include "mm/gup_test.h"
#include "pinlife.h"

struct outcome {
	int err;		/* filling or pinning failed: -errno */
	long filled;		/* buffer pages in CMA before the pin */
	long held_in_cma;	/* of those, still in CMA while pinned */
	int alloc;		/* full CMA allocation while pinned: 0 or -errno */
};

static struct outcome run(unsigned int flags)
{
	struct outcome o = { 0 };
	struct cma_area cma;
	struct fill f;
	int fd = -1, p[2];
	pid_t pid;

	if (pipe(p))
		return (struct outcome){ .err = -errno };
	pid = fork();
	if (pid == 0) {
		o.err = cma_find(&cma);
		if (!o.err)
			o.err = fill_memory(&cma, 24, &f);
		if (!o.err && !f.ncma)
			o.err = -ENOENT;
		if (!o.err)
			o.err = gup_hold(&fd, f.cma_pages, f.ncma, flags);
		if (!o.err) {
			o.filled = f.ncma;
			o.held_in_cma = count_in_cma(&cma, f.cma_pages, f.ncma);
			o.alloc = cma_alloc_all(&cma);
			if (!o.alloc)
				cma_free_all(&cma);
		}
		gup_release(fd);
		if (write(p[1], &o, sizeof(o)) != sizeof(o))
			_exit(1);
		_exit(0);
	}
	close(p[1]);
	if (pid < 0 || read(p[0], &o, sizeof(o)) != sizeof(o))
		o.err = -EIO;
	close(p[0]);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	return o;
}

int main(void)
{
	struct outcome d, e;

	ksft_print_header();
	ksft_set_plan(4);

	d = run(0);
	if (d.err)
		ksft_exit_fail_msg("default pin: %s\n", strerror(-d.err));
	ksft_test_result(d.held_in_cma == 0,
			 "default pin: pages left in CMA %ld of %ld\n",
			 d.held_in_cma, d.filled);
	ksft_test_result(!d.alloc,
			 "default pin: full CMA allocation while pinned: %s\n",
			 d.alloc ? strerror(-d.alloc) : "ok");

	e = run(PIN_LONGTERM_TEST_FLAG_USE_EPHEMERAL);
	if (e.err)
		ksft_exit_fail_msg("ephemeral pin: %s\n", strerror(-e.err));
	ksft_test_result(e.held_in_cma == e.filled,
			 "ephemeral pin moves nothing: %ld of %ld pages still in CMA\n",
			 e.held_in_cma, e.filled);
	ksft_test_result(e.alloc != 0,
			 "ephemeral pin: full CMA allocation while pinned fails: %s\n",
			 e.alloc ? strerror(-e.alloc) : "it succeeded");
	ksft_finished();
}
