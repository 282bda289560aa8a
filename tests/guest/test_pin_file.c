// SPDX-License-Identifier: GPL-2.0
/*
 * A default pin is long-term, so it keeps every long-term refusal: a
 * writable pin of a MAP_SHARED mapping of a file on ext4 (a filesystem
 * that tracks dirty pages) is refused, while an ephemeral pin of the same
 * mapping succeeds, and O_DIRECT, whose pins are ephemeral, still reads
 * into such a mapping.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest.h"
#include "pinlife.h"

#define DIR "/mnt/ext4"
#define SZ (64UL << 10)

static int pin(char *p, unsigned int flags)
{
	struct pin_longterm_test args = {
		.addr = (unsigned long)p,
		.size = SZ,
		.flags = flags | PIN_LONGTERM_TEST_FLAG_USE_WRITE,
	};
	int fd = open("/sys/kernel/debug/gup_test", O_RDWR), err = 0;

	if (fd < 0)
		return -errno;
	if (ioctl(fd, PIN_LONGTERM_TEST_START, &args))
		err = -errno;
	else
		ioctl(fd, PIN_LONGTERM_TEST_STOP);
	close(fd);
	return err;
}

int main(void)
{
	char *map, *src;
	int fd, dfd, err, ok;

	ksft_print_header();
	ksft_set_plan(3);

	fd = open(DIR "/shared", O_RDWR | O_CREAT | O_TRUNC, 0600);
	dfd = open(DIR "/source", O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || dfd < 0 || ftruncate(fd, SZ))
		ksft_exit_skip("no ext4 at " DIR ": %s\n", strerror(errno));
	map = mmap(NULL, SZ, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		ksft_exit_fail_msg("mmap: %s\n", strerror(errno));
	memset(map, 1, SZ);

	err = pin(map, 0);
	ksft_test_result(err == -EFAULT,
			 "default write pin of a shared ext4 mapping refused: %s\n",
			 err ? strerror(-err) : "it was pinned");
	err = pin(map, PIN_LONGTERM_TEST_FLAG_USE_EPHEMERAL);
	ksft_test_result(!err,
			 "ephemeral write pin of the same mapping: %s\n",
			 err ? strerror(-err) : "ok");

	/* O_DIRECT read from another file into the shared mapping. */
	src = aligned_alloc(4096, SZ);
	memset(src, 0x6b, SZ);
	ok = src && pwrite(dfd, src, SZ, 0) == (ssize_t)SZ && !fsync(dfd);
	close(dfd);
	dfd = open(DIR "/source", O_RDONLY | O_DIRECT);
	ok = ok && dfd >= 0 && pread(dfd, map, SZ, 0) == (ssize_t)SZ &&
	     !memcmp(map, src, SZ);
	ksft_test_result(ok, "O_DIRECT read into the shared ext4 mapping\n");

	munmap(map, SZ);
	close(fd);
	close(dfd);
	free(src);
	unlink(DIR "/shared");
	unlink(DIR "/source");
	ksft_finished();
}
