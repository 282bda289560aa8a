// SPDX-License-Identifier: GPL-2.0
/*
 * vmsplice() semantics that must not change when vmspliced pages are
 * migrated out of CMA first: what the reader sees, splice on to a file,
 * SPLICE_F_GIFT, tee(), a write to or an unmap of the pages after the
 * splice, many large iovecs over many pipes, errors leaving the pipe as
 * it was, and no leaked pin or page reference once the pipes are closed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include "kselftest.h"
#include "pinlife.h"

static char *map_pattern(size_t bytes, unsigned int seed)
{
	char *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	size_t i;

	if (p == MAP_FAILED)
		ksft_exit_fail_msg("mmap: %s\n", strerror(errno));
	for (i = 0; i < bytes; i++)
		p[i] = (char)(i * 7 + seed + i / 4096);
	return p;
}

static int big_pipe(int fd[2], size_t bytes)
{
	if (pipe(fd))
		return -1;
	return fcntl(fd[1], F_SETPIPE_SZ, bytes) < 0 ? -1 : 0;
}

static int read_all(int fd, char *buf, size_t len)
{
	while (len) {
		ssize_t r = read(fd, buf, len);

		if (r <= 0)
			return -1;
		buf += r;
		len -= r;
	}
	return 0;
}

/* Unaligned iovecs of odd lengths, read back in one piece. */
static void test_reader_sees_data(void)
{
	size_t sz = 256 << 10, off = 0, n = 0;
	char *src = map_pattern(sz, 1), *dst = malloc(sz);
	struct iovec iov[64];
	size_t lens[] = { 1, 4095, 4097, 3, 12289, 65536, 100, 8191 };
	ssize_t r;
	int fd[2], ok;

	while (off < sz / 2 && n < 64) {
		size_t len = lens[n % 8];

		iov[n].iov_base = src + off + 5;
		iov[n].iov_len = len;
		off += len + 5;
		n++;
	}
	if (!dst || big_pipe(fd, 1 << 20))
		ksft_exit_fail_msg("setup: %s\n", strerror(errno));
	r = vmsplice(fd[1], iov, n, 0);
	ok = r == (ssize_t)(off - 5 * n);
	if (ok) {
		char *d = dst;
		size_t k;

		ok = !read_all(fd[0], dst, r);
		for (k = 0; ok && k < n; d += iov[k].iov_len, k++)
			ok = !memcmp(d, iov[k].iov_base, iov[k].iov_len);
	}
	ksft_test_result(ok, "reader sees the data of %zu unaligned iovecs\n", n);
	close(fd[0]);
	close(fd[1]);
	free(dst);
	munmap(src, sz);
}

/* vmsplice, then splice on from the pipe into a file on tmpfs and ext4. */
static void test_splice_to_file(const char *dir)
{
	size_t sz = 128 << 10;
	char *src = map_pattern(sz, 2), *dst = malloc(sz), path[64];
	struct iovec iov = { src, sz };
	loff_t out = 0;
	int fd[2], file, ok = 0;
	ssize_t r;

	snprintf(path, sizeof(path), "%s/vmsplice-XXXXXX", dir);
	file = mkstemp(path);
	if (file < 0 || !dst || big_pipe(fd, 1 << 20)) {
		ksft_test_result_skip("splice to a file in %s: %s\n", dir,
				      strerror(errno));
		return;
	}
	unlink(path);
	r = vmsplice(fd[1], &iov, 1, 0);
	if (r == (ssize_t)sz)
		r = splice(fd[0], NULL, file, &out, sz, 0);
	if (r == (ssize_t)sz)
		ok = pread(file, dst, sz, 0) == (ssize_t)sz && !memcmp(src, dst, sz);
	ksft_test_result(ok, "vmsplice then splice into a file in %s\n", dir);
	close(file);
	close(fd[0]);
	close(fd[1]);
	free(dst);
	munmap(src, sz);
}

/* SPLICE_F_GIFT of whole pages: the reader gets the data. */
static void test_gift(void)
{
	size_t sz = 16 * PAGE_SZ;
	char *src = map_pattern(sz, 3), *copy = malloc(sz), *dst = malloc(sz);
	struct iovec iov = { src, sz };
	int fd[2], ok;

	memcpy(copy, src, sz);
	if (big_pipe(fd, 1 << 20))
		ksft_exit_fail_msg("pipe: %s\n", strerror(errno));
	ok = vmsplice(fd[1], &iov, 1, SPLICE_F_GIFT) == (ssize_t)sz;
	/* The gifted pages belong to the pipe now: let them go. */
	munmap(src, sz);
	ok = ok && !read_all(fd[0], dst, sz) && !memcmp(copy, dst, sz);
	ksft_test_result(ok, "SPLICE_F_GIFT: reader gets the gifted pages' data\n");
	close(fd[0]);
	close(fd[1]);
	free(copy);
	free(dst);
}

/* tee() duplicates the buffers: both pipes deliver the same data. */
static void test_tee(void)
{
	size_t sz = 64 << 10;
	char *src = map_pattern(sz, 4), *a = malloc(sz), *b = malloc(sz);
	struct iovec iov = { src, sz };
	int p1[2], p2[2], ok;

	if (big_pipe(p1, 1 << 20) || big_pipe(p2, 1 << 20))
		ksft_exit_fail_msg("pipe: %s\n", strerror(errno));
	ok = vmsplice(p1[1], &iov, 1, 0) == (ssize_t)sz &&
	     tee(p1[0], p2[1], sz, 0) == (ssize_t)sz &&
	     !read_all(p1[0], a, sz) && !read_all(p2[0], b, sz) &&
	     !memcmp(a, src, sz) && !memcmp(b, src, sz);
	ksft_test_result(ok, "tee() of vmspliced buffers: both readers see the data\n");
	close(p1[0]);
	close(p1[1]);
	close(p2[0]);
	close(p2[1]);
	free(a);
	free(b);
	munmap(src, sz);
}

/*
 * The pipe references the writer's pages: a write after vmsplice() shows
 * through to the reader, an munmap() does not take the data away.
 */
static void test_modify_and_unmap(void)
{
	size_t sz = 8 * PAGE_SZ;
	char *src = map_pattern(sz, 5), *copy = malloc(sz), *dst = malloc(sz);
	struct iovec iov = { src, sz };
	int fd[2], ok;

	if (big_pipe(fd, 1 << 20))
		ksft_exit_fail_msg("pipe: %s\n", strerror(errno));
	ok = vmsplice(fd[1], &iov, 1, 0) == (ssize_t)sz;
	memset(src, 0x5a, PAGE_SZ);
	ok = ok && !read_all(fd[0], dst, PAGE_SZ);
	ksft_test_result(ok && dst[0] == 0x5a && dst[PAGE_SZ - 1] == 0x5a,
			 "a write after vmsplice() reaches the reader\n");

	memcpy(copy, src, sz);
	munmap(src, sz);
	ok = !read_all(fd[0], dst + PAGE_SZ, sz - PAGE_SZ) &&
	     !memcmp(dst + PAGE_SZ, copy + PAGE_SZ, sz - PAGE_SZ);
	ksft_test_result(ok, "munmap() after vmsplice(): the reader still gets the data\n");
	close(fd[0]);
	close(fd[1]);
	free(copy);
	free(dst);
}

/* 16 MiB in 1 MiB iovecs over 16 pipes, read back in full. */
static void test_many_pipes(void)
{
	size_t chunk = 1 << 20, npipes = 16, i;
	char *src = map_pattern(chunk * npipes, 6), *dst = malloc(chunk);
	int fds[16][2], ok = 1;

	for (i = 0; i < npipes && ok; i++) {
		struct iovec iov = { src + i * chunk, chunk };

		ok = !big_pipe(fds[i], chunk) &&
		     vmsplice(fds[i][1], &iov, 1, 0) == (ssize_t)chunk;
	}
	for (i = 0; i < npipes && ok; i++)
		ok = !read_all(fds[i][0], dst, chunk) &&
		     !memcmp(dst, src + i * chunk, chunk);
	ksft_test_result(ok, "16 MiB across 16 pipes of 1 MiB, read back intact\n");
	for (i = 0; i < npipes; i++) {
		close(fds[i][0]);
		close(fds[i][1]);
	}
	free(dst);
	munmap(src, chunk * npipes);
}

/* A bad address: an error, and nothing queued in the pipe. */
static void test_fault_leaves_pipe(void)
{
	char *hole = mmap(NULL, PAGE_SZ, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			  -1, 0);
	struct iovec iov = { hole, PAGE_SZ };
	int fd[2], queued = -1;
	ssize_t r;

	if (pipe(fd))
		ksft_exit_fail_msg("pipe: %s\n", strerror(errno));
	r = vmsplice(fd[1], &iov, 1, 0);
	ioctl(fd[0], FIONREAD, &queued);
	ksft_test_result(r < 0 && errno == EFAULT && queued == 0,
			 "unmapped source: EFAULT (got %zd/%s), pipe empty (%d bytes)\n",
			 r, r < 0 ? strerror(errno) : "-", queued);
	close(fd[0]);
	close(fd[1]);
	munmap(hole, PAGE_SZ);
}

static long long mem_free_kib(void)
{
	char line[128];
	long long kib = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "MemFree: %lld kB", &kib) == 1)
			break;
	if (f)
		fclose(f);
	return kib;
}

/*
 * No leaked references: 16 MiB spliced into pipes and then unmapped stays
 * allocated while the pipes hold it, and comes back when they are closed.
 * And every pin taken along the way is released.
 */
static void test_no_leaks(long long pins_before)
{
	size_t chunk = 1 << 20, npipes = 16, i;
	char *src = map_pattern(chunk * npipes, 8);
	long long mapped, unmapped, closed, acq, rel;
	int fds[16][2];

	for (i = 0; i < npipes; i++) {
		struct iovec iov = { src + i * chunk, chunk };

		if (big_pipe(fds[i], chunk) ||
		    vmsplice(fds[i][1], &iov, 1, 0) != (ssize_t)chunk)
			ksft_exit_fail_msg("vmsplice: %s\n", strerror(errno));
	}
	mapped = mem_free_kib();
	munmap(src, chunk * npipes);
	unmapped = mem_free_kib();
	for (i = 0; i < npipes; i++) {
		close(fds[i][0]);
		close(fds[i][1]);
	}
	closed = mem_free_kib();
	ksft_test_result(unmapped - mapped < 4096 && closed - unmapped > 12288,
			 "16 MiB held by pipes: freed by munmap %lld KiB, by closing the pipes %lld KiB\n",
			 unmapped - mapped, closed - unmapped);

	acq = vmstat("nr_foll_pin_acquired");
	rel = vmstat("nr_foll_pin_released");
	ksft_test_result(acq >= 0 && acq - rel == pins_before,
			 "pins balance after all tests: outstanding %lld, before %lld\n",
			 acq - rel, pins_before);
}

int main(void)
{
	long long pins_before = vmstat("nr_foll_pin_acquired") -
				vmstat("nr_foll_pin_released");

	ksft_print_header();
	ksft_set_plan(11);
	test_reader_sees_data();
	test_splice_to_file("/tmp");
	test_splice_to_file(access("/mnt/ext4", W_OK) ? "/tmp" : "/mnt/ext4");
	test_gift();
	test_tee();
	test_modify_and_unmap();
	test_many_pipes();
	test_fault_leaves_pipe();
	test_no_leaks(pins_before);
	ksft_finished();
}
