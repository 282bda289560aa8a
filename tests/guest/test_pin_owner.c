// SPDX-License-Identifier: GPL-2.0
/*
 * page_pin_owner (CONFIG_PAGE_PIN_OWNER, DESIGN.md point 7) names who pins
 * a page. Judged from the outside: the kernel log (/dev/kmsg) and the
 * debugfs listing, while gup_test holds pins or references.
 *
 * Booted with page_pin_owner=on:
 * - an ephemeral pin held for twice the threshold gives exactly one
 *   report, naming gup_test's pin path and this process; a long-term pin
 *   held as long gives none;
 * - a full CMA allocation while an ephemeral pin holds pages in CMA fails,
 *   and the log names the pinner of the blocking page (a gup_test function
 *   in its stack, the pid, the comm, the age); the listing shows the pin,
 *   and is empty once it is dropped;
 * - the same for references (get_user_pages(), which the series does not
 *   turn into pins), attributed to the last GUP caller.
 * Booted without it: no debugfs directory, and the same CMA failure is
 * reported by no one.
 *
 * "test_pin_owner --quiet" is run after every other suite: no ephemeral
 * pin of anything but this test was reported during the boot (the GUP
 * selftests, O_DIRECT, io_uring, sg, FUSE, ublk, the stress).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mm/gup_test.h"
#include "pinlife.h"
#include "pinlife_ksft.h"
#include "pinlife_owner.h"

#define THRESHOLD_MS 2000
#define NPAGES 16

/*
 * Release a held gup_test pin and count, in the log records read so far
 * and those that follow, the overdue reports that name this process.
 */
static int reports_after_release(int fd, int kmsg, struct owner_log *l)
{
	long at;

	gup_release(fd);
	sleep_ms(200);
	owner_log_read(kmsg, l);
	return owner_log_count(l, "page_pin_owner: ephemeral pin", getpid(), &at);
}

/* Ephemeral (or default) pins of an ordinary buffer, held 2x threshold */
static void held_pins(void)
{
	struct owner_log l = { 0 };
	char *buf, *pages[NPAGES];
	int fd = -1, kmsg, count, err, i;
	long at;

	buf = mmap(NULL, NPAGES * PAGE_SZ, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		ksft_exit_fail_msg("mmap: %s\n", strerror(errno));
	for (i = 0; i < NPAGES; i++) {
		pages[i] = buf + i * PAGE_SZ;
		pages[i][0] = 1;
	}

	/* writing the threshold lets every stack be reported again */
	kmsg = kmsg_open_end();
	err = owner_set_threshold(THRESHOLD_MS);
	if (!err)
		err = gup_hold(&fd, pages, NPAGES,
			       PIN_LONGTERM_TEST_FLAG_USE_EPHEMERAL);
	if (err || kmsg < 0)
		ksft_exit_fail_msg("ephemeral hold: %s\n", strerror(-err));
	sleep_ms(2 * THRESHOLD_MS);
	owner_log_read(kmsg, &l);
	count = owner_log_count(&l, "page_pin_owner: ephemeral pin still held",
			  getpid(), &at);
	ksft_test_result(count == 1 && owner_log_gup_test(&l, at) &&
			 owner_log_age_ms(l.rec[at]) >= THRESHOLD_MS,
			 "ephemeral pin held %d ms: %d report(s) naming this pid%s, age %ld ms\n",
			 2 * THRESHOLD_MS, count,
			 owner_log_gup_test(&l, at) ? " and gup_test" : "",
			 at < 0 ? -1 : owner_log_age_ms(l.rec[at]));
	count = reports_after_release(fd, kmsg, &l);
	ksft_test_result(count == 1,
			 "ephemeral pin released: still %d report(s) in all\n",
			 count);
	owner_log_free(&l);

	/* The default pin is long-term: held as long, never reported */
	err = owner_set_threshold(THRESHOLD_MS);
	if (!err)
		err = gup_hold(&fd, pages, NPAGES, 0);
	if (err)
		ksft_exit_fail_msg("long-term hold: %s\n", strerror(-err));
	sleep_ms(2 * THRESHOLD_MS);
	count = reports_after_release(fd, kmsg, &l);
	ksft_test_result(count == 0,
			 "long-term pin held %d ms: %d report(s)\n",
			 2 * THRESHOLD_MS, count);
	owner_log_free(&l);
	close(kmsg);
	munmap(buf, NPAGES * PAGE_SZ);
}

/* Switched off: no directory, and a CMA failure that no one explains */
static void switched_off(void)
{
	struct owner_blocked b;
	int dir = access(OWNER_DIR, F_OK) == 0;

	ksft_test_result(!dir, "switched off: no %s\n", OWNER_DIR);
	b = owner_blocked("cma", PIN_LONGTERM_TEST_FLAG_USE_EPHEMERAL,
			  "page_pin_owner", "pinned ");
	if (b.err)
		ksft_exit_fail_msg("ephemeral pin in CMA: %s\n",
				   strerror(-b.err));
	ksft_test_result(b.result != 0 && !b.named,
			 "switched off: full CMA allocation %s, page_pin_owner reports: %s\n",
			 b.result ? "fails" : "succeeds",
			 b.named ? "some" : "none");
}

/* After every other suite: nothing but this test was reported */
static int quiet(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	struct owner_log l = { 0 };
	long at;
	int count;

	ksft_print_header();
	ksft_set_plan(1);
	if (access(OWNER_DIR, F_OK))
		ksft_exit_skip("page_pin_owner is off\n");
	if (fd < 0)
		ksft_exit_fail_msg("/dev/kmsg: %s\n", strerror(errno));
	owner_log_read(fd, &l);
	count = owner_log_count(&l, "page_pin_owner: ephemeral pin", 0, &at);
	ksft_test_result(count == 0,
			 "no ephemeral pin reported during the boot but this test's: %d%s%.160s\n",
			 count, count ? "; first: " : "", count ? l.rec[at] : "");
	owner_log_free(&l);
	ksft_finished();
}

int main(int argc, char **argv)
{
	struct owner_blocked b;
	char cmdline[4096] = "";

	if (argc > 1 && !strcmp(argv[1], "--quiet"))
		return quiet();

	ksft_print_header();
	read_str("/proc/cmdline", cmdline, sizeof(cmdline));
	if (!strstr(cmdline, "page_pin_owner=on")) {
		ksft_set_plan(2);
		switched_off();
		ksft_finished();
	}
	ksft_set_plan(11);
	if (access(OWNER_DIR, F_OK))
		ksft_exit_fail_msg("booted with page_pin_owner=on, but %s is missing\n",
				   OWNER_DIR);

	held_pins();

	/* No overdue reports while the CMA cases hold their pins */
	if (owner_set_threshold(0))
		ksft_exit_fail_msg("%s: %s\n", OWNER_THRESHOLD, strerror(errno));
	b = owner_blocked("cma", PIN_LONGTERM_TEST_FLAG_USE_EPHEMERAL,
			  "page_pin_owner: pfn", "pinned ");
	ksft_owner_blocked("ephemeral pin", "full CMA allocation", &b);
	b = owner_blocked("cma", PIN_LONGTERM_TEST_FLAG_USE_REF,
			  "page_pin_owner: pfn", "referenced ");
	ksft_owner_blocked("GUP reference", "full CMA allocation", &b);
	owner_set_threshold(10000);
	ksft_finished();
}
