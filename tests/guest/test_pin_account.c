// SPDX-License-Identifier: GPL-2.0
/*
 * Long-term pins that a user can keep are charged to pinned_vm (VmPin in
 * /proc/PID/status) and, where the subsystem requires it, bounded by
 * RLIMIT_MEMLOCK unless the caller has CAP_IPC_LOCK (DESIGN.md point 10,
 * issue 25). The series charges TEE, i915 userptr, vchiq, genwqe,
 * rapidio, oradax and orangefs registrations, none of which this guest
 * has the hardware for; gup_test's held pin, with
 * PIN_LONGTERM_TEST_FLAG_ACCOUNT, charges and enforces as they do
 * (account_pinned_vm()), so this suite checks the mechanism:
 * VmPin follows the pins, the limit refuses a registration over it with
 * ENOMEM, and CAP_IPC_LOCK lifts the limit.
 *
 * On stock 6.12 there is no such accounting (the flag is refused).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kselftest.h"
#include "pinlife.h"

#ifndef PIN_LONGTERM_TEST_FLAG_ACCOUNT
#define PIN_LONGTERM_TEST_FLAG_ACCOUNT 16
#endif
#define PAGES 64

/* Hold an accounted pin of n pages at p on fd: 0 or -errno. */
static int pin(int fd, char *p, size_t n)
{
	struct pin_longterm_test args = {
		.addr = (unsigned long)p,
		.size = n * PAGE_SZ,
		.flags = PIN_LONGTERM_TEST_FLAG_USE_WRITE |
			 PIN_LONGTERM_TEST_FLAG_ACCOUNT,
	};

	return ioctl(fd, PIN_LONGTERM_TEST_START, &args) ? -errno : 0;
}

static void unpin(int fd)
{
	ioctl(fd, PIN_LONGTERM_TEST_STOP);
}

/* Set or clear CAP_IPC_LOCK in the effective set: 0 or -errno. */
static int ipc_lock(int on)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return -errno;
	if (on)
		d[0].effective |= 1U << CAP_IPC_LOCK;
	else
		d[0].effective &= ~(1U << CAP_IPC_LOCK);
	return syscall(SYS_capset, &h, d) ? -errno : 0;
}

int main(void)
{
	struct rlimit small = { PAGES / 2 * PAGE_SZ, PAGES / 2 * PAGE_SZ };
	const long kb = PAGES * PAGE_SZ / 1024;
	struct rlimit old;
	long before, held;
	int fd, err;
	char *p;

	ksft_print_header();
	ksft_set_plan(6);

	fd = open("/sys/kernel/debug/gup_test", O_RDWR);
	if (fd < 0)
		ksft_exit_skip("gup_test: %s\n", strerror(errno));
	p = mmap(NULL, PAGES * PAGE_SZ, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (p == MAP_FAILED || getrlimit(RLIMIT_MEMLOCK, &old))
		ksft_exit_fail_msg("setup: %s\n", strerror(errno));

	before = vm_pin();
	err = pin(fd, p, PAGES);
	held = vm_pin();
	ksft_test_result(!err && held - before == kb,
			 "a held pin of %d pages is charged: VmPin %ld -> %ld kB%s%s\n",
			 PAGES, before, held, err ? ": " : "",
			 err ? strerror(-err) : "");
	unpin(fd);
	held = vm_pin();
	ksft_test_result(held == before, "released, the charge is gone: VmPin %ld kB\n",
			 held);

	/* An unprivileged registration: no CAP_IPC_LOCK, a small limit */
	err = ipc_lock(0);
	if (!err && setrlimit(RLIMIT_MEMLOCK, &small))
		err = -errno;
	if (err)
		ksft_exit_fail_msg("dropping CAP_IPC_LOCK: %s\n", strerror(-err));
	err = pin(fd, p, PAGES);
	held = vm_pin();
	if (!err)
		unpin(fd);
	ksft_test_result(err == -ENOMEM && held == before,
			 "over RLIMIT_MEMLOCK (%d of %d pages) without CAP_IPC_LOCK: %s, VmPin %ld kB\n",
			 PAGES, PAGES / 2, err ? strerror(-err) : "pinned",
			 held);
	err = pin(fd, p, PAGES / 4);
	held = vm_pin();
	unpin(fd);
	ksft_test_result(!err && held - before == kb / 4,
			 "within the limit: %s, VmPin %ld kB\n",
			 err ? strerror(-err) : "ok", held);

	err = ipc_lock(1);
	err = err ? err : pin(fd, p, PAGES);
	held = vm_pin();
	unpin(fd);
	ksft_test_result(!err && held - before == kb,
			 "with CAP_IPC_LOCK the limit does not apply: %s, VmPin %ld kB\n",
			 err ? strerror(-err) : "ok", held);
	ksft_test_result(vm_pin() == before, "every charge released: VmPin %ld kB\n",
			 vm_pin());

	setrlimit(RLIMIT_MEMLOCK, &old);
	close(fd);
	ksft_finished();
}
