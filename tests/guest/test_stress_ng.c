// SPDX-License-Identifier: GPL-2.0
/*
 * A second, independent load: Debian's stress-ng with the stressors that
 * pin or take user pages (vm-splice, splice, io-uring) beside the ones that
 * move and change mappings (madvise, mmap, fork), on two vCPUs, for
 * STRESS_S seconds (or the first argument). Passes when stress-ng reports
 * success, the pin counters of /proc/vmstat balance afterwards, and the
 * kernel logged no WARNING, BUG or oops meanwhile.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest.h"
#include "pinlife_ksft.h"

#define STRESS_S 20

int main(int argc, char **argv)
{
	int secs = argc > 1 ? atoi(argv[1]) : STRESS_S;
	char timeout[16];
	int kmsg, status;
	pid_t child;

	ksft_print_header();
	ksft_set_plan(3);
	kmsg = kmsg_open_end();
	if (kmsg < 0)
		ksft_exit_fail_msg("/dev/kmsg: %s\n", strerror(-kmsg));
	snprintf(timeout, sizeof(timeout), "%ds", secs);
	child = fork();
	if (!child) {
		/* stress-ng writes its temporary files in the cwd */
		if (chdir("/mnt/ext4"))
			_exit(127);
		execl("/sbin/stress-ng", "stress-ng", "--vm-splice", "2",
		      "--splice", "2", "--io-uring", "2", "--madvise", "2",
		      "--mmap", "2", "--fork", "2", "--timeout", timeout,
		      "--metrics-brief", (char *)NULL);
		_exit(127);
	}
	if (child < 0 || waitpid(child, &status, 0) != child)
		ksft_exit_fail_msg("running stress-ng: %s\n", strerror(errno));
	ksft_test_result(WIFEXITED(status) && !WEXITSTATUS(status),
			 "stress-ng %s: exit status %d\n", timeout,
			 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	ksft_pins_and_kmsg(kmsg);
	ksft_finished();
}
