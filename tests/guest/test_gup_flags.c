// SPDX-License-Identifier: GPL-2.0
/*
 * The public GUP entry points take FOLL_EPHEMERAL with a pin and reject
 * every invalid combination with -EINVAL (DESIGN.md point 3), seen from
 * userspace through the gup_test debugfs interface: an ephemeral pin
 * works, held or released at once, also with FOLL_PCI_P2PDMA;
 * FOLL_EPHEMERAL without pinning, the default (long-term) pin with
 * FOLL_PCI_P2PDMA or FOLL_NOFAULT, and the mm-internal FOLL_LONGTERM and
 * FOLL_GET passed in from outside are refused. The series' reference
 * helper, get_user_pages_fast_longterm(), refuses FOLL_PCI_P2PDMA and
 * FOLL_NOFAULT whether or not a page needs to move (here none does).
 * FOLL_USER_SERVED, the pin for I/O that a userspace server completes,
 * works for pins; it is refused without a pin (get_user_pages() and
 * get_user_pages_fast() would drop it silently and move nothing), and with
 * FOLL_EPHEMERAL, FOLL_NOFAULT and FOLL_PCI_P2PDMA.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest.h"
#include "pinlife.h"

/* Values of the kernel's FOLL_* flags (include/linux/mm_types.h). */
#define FOLL_WRITE	0x01
#define FOLL_GET	0x02		/* internal to mm */
#define FOLL_NOFAULT	0x20
#define FOLL_LONGTERM	0x100		/* internal to mm */
#define FOLL_PCI_P2PDMA	0x400
#define FOLL_EPHEMERAL	0x2000
#define FOLL_USER_SERVED 0x4000

#define NPAGES 16

static int gup_fd;
static char *buf;

static int gup(unsigned long cmd, unsigned int gup_flags,
	       unsigned int test_flags)
{
	struct gup_test g = {
		.addr = (unsigned long)buf,
		.size = NPAGES * 4096,
		.nr_pages_per_call = NPAGES,
		.gup_flags = gup_flags,
		.test_flags = test_flags,
	};

	if (ioctl(gup_fd, cmd, &g))
		return -errno;
	return g.size == NPAGES * 4096 ? 0 : -ERANGE;
}

static void expect(int got, int want, const char *what)
{
	ksft_test_result(got == want, "%s: %s (want %s)\n", what,
			 got ? strerror(-got) : "ok", want ? strerror(-want) : "ok");
}

int main(void)
{
	struct pin_longterm_test held = { 0 };
	int ret;

	ksft_print_header();
	ksft_set_plan(22);

	gup_fd = open("/sys/kernel/debug/gup_test", O_RDWR);
	if (gup_fd < 0)
		ksft_exit_fail_msg("gup_test: %s\n", strerror(errno));
	buf = mmap(NULL, NPAGES * 4096, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (buf == MAP_FAILED)
		ksft_exit_fail_msg("mmap: %s\n", strerror(errno));

	expect(gup(PIN_FAST_BENCHMARK, FOLL_WRITE, GUP_TEST_FLAG_EPHEMERAL), 0,
	       "ephemeral pin_user_pages_fast()");
	expect(gup(PIN_BASIC_TEST, FOLL_WRITE, GUP_TEST_FLAG_EPHEMERAL), 0,
	       "ephemeral pin_user_pages()");
	expect(gup(GUP_FAST_BENCHMARK, FOLL_EPHEMERAL, 0), -EINVAL,
	       "FOLL_EPHEMERAL without pinning, get_user_pages_fast()");
	expect(gup(GUP_BASIC_TEST, FOLL_EPHEMERAL, 0), -EINVAL,
	       "FOLL_EPHEMERAL without pinning, get_user_pages()");
	expect(gup(PIN_FAST_BENCHMARK, FOLL_PCI_P2PDMA, 0), -EINVAL,
	       "default (long-term) pin with FOLL_PCI_P2PDMA");
	expect(gup(PIN_FAST_BENCHMARK, FOLL_PCI_P2PDMA, GUP_TEST_FLAG_EPHEMERAL),
	       0, "ephemeral pin with FOLL_PCI_P2PDMA");
	expect(gup(PIN_FAST_BENCHMARK, FOLL_LONGTERM, 0), -EINVAL,
	       "internal FOLL_LONGTERM from outside mm");
	expect(gup(GUP_FAST_BENCHMARK, FOLL_GET, 0), -EINVAL,
	       "internal FOLL_GET from outside mm");
	expect(gup(PIN_FAST_BENCHMARK, FOLL_NOFAULT, 0), -EINVAL,
	       "default (long-term) pin with FOLL_NOFAULT");
	expect(gup(PIN_FAST_BENCHMARK, FOLL_NOFAULT | FOLL_WRITE,
		   GUP_TEST_FLAG_EPHEMERAL), 0,
	       "ephemeral pin with FOLL_NOFAULT");
	expect(gup(GUP_FAST_BENCHMARK, FOLL_WRITE, GUP_TEST_FLAG_LONGTERM_REF), 0,
	       "get_user_pages_fast_longterm()");
	expect(gup(GUP_FAST_BENCHMARK, FOLL_PCI_P2PDMA, GUP_TEST_FLAG_LONGTERM_REF),
	       -EINVAL, "get_user_pages_fast_longterm() with FOLL_PCI_P2PDMA");
	expect(gup(GUP_FAST_BENCHMARK, FOLL_NOFAULT, GUP_TEST_FLAG_LONGTERM_REF),
	       -EINVAL, "get_user_pages_fast_longterm() with FOLL_NOFAULT");
	expect(gup(GUP_FAST_BENCHMARK, FOLL_NOFAULT, 0), 0,
	       "get_user_pages_fast() with FOLL_NOFAULT (unchanged)");
	expect(gup(PIN_FAST_BENCHMARK, FOLL_USER_SERVED | FOLL_WRITE, 0), 0,
	       "user-served pin");
	expect(gup(GUP_FAST_BENCHMARK, FOLL_USER_SERVED | FOLL_WRITE, 0),
	       -EINVAL, "FOLL_USER_SERVED without pinning, get_user_pages_fast()");
	expect(gup(GUP_BASIC_TEST, FOLL_USER_SERVED | FOLL_WRITE, 0), -EINVAL,
	       "FOLL_USER_SERVED without pinning, get_user_pages()");
	expect(gup(PIN_FAST_BENCHMARK, FOLL_USER_SERVED,
		   GUP_TEST_FLAG_EPHEMERAL), -EINVAL,
	       "FOLL_USER_SERVED with FOLL_EPHEMERAL");
	expect(gup(PIN_FAST_BENCHMARK, FOLL_USER_SERVED | FOLL_NOFAULT, 0),
	       -EINVAL, "FOLL_USER_SERVED with FOLL_NOFAULT");
	expect(gup(PIN_FAST_BENCHMARK, FOLL_USER_SERVED | FOLL_PCI_P2PDMA, 0),
	       -EINVAL, "FOLL_USER_SERVED with FOLL_PCI_P2PDMA");
	expect(gup(GUP_FAST_BENCHMARK, FOLL_USER_SERVED | FOLL_NOFAULT, 0),
	       -EINVAL, "FOLL_USER_SERVED with FOLL_NOFAULT, no pin");

	held.addr = (unsigned long)buf;
	held.size = NPAGES * 4096;
	held.flags = PIN_LONGTERM_TEST_FLAG_USE_EPHEMERAL |
		     PIN_LONGTERM_TEST_FLAG_USE_WRITE;
	ret = ioctl(gup_fd, PIN_LONGTERM_TEST_START, &held) ? -errno : 0;
	if (!ret)
		ret = ioctl(gup_fd, PIN_LONGTERM_TEST_STOP) ? -errno : 0;
	expect(ret, 0, "held ephemeral pins (PIN_LONGTERM_TEST_FLAG_USE_EPHEMERAL)");

	close(gup_fd);
	munmap(buf, NPAGES * 4096);
	ksft_finished();
}
