// SPDX-License-Identifier: GPL-2.0
/*
 * vmsplice() semantics that must not change when vmspliced pages are
 * migrated out of CMA first: what the reader sees, splice on to a file,
 * SPLICE_F_GIFT, tee(), a write to or an unmap of the pages after the
 * splice, many large iovecs over many pipes, errors leaving the pipe as
 * it was, and no leaked pin or page reference once the pipes are closed.
 *
 * Every case that splices a user buffer runs twice: first on ordinary
 * anonymous memory, which almost never sits in CMA (results 1-10), then
 * on a buffer whose pages all sit in the CMA area (results 11-35): pages
 * of a fill_memory() buffer that landed in CMA, moved into one range by
 * mremap(), which keeps their page frames. A CMA case adds two results
 * of its own: every page of the buffer was in CMA just before the
 * vmsplice(), and every spliced page was present outside CMA just after
 * it. The patched kernel passes both; the stock kernel splices the CMA
 * pages where they are and fails the second, while the case's own
 * results pass on both: the semantics do not depend on where the pages
 * were. The pins taken by all the cases balance at the end (36).
 *
 * A write after vmsplice(): the pipe refers to the writer's pages, so the
 * reader sees what the writer stored after the splice, and must see it
 * on a CMA buffer too. Migration copies a page to a new one and points
 * the writer's mapping at it before the pipe takes its reference: pipe
 * and mapping share the new page, as they shared the old one, and the
 * write shows through exactly as without migration. An munmap() after
 * the splice leaves the reader the data on either buffer.
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

static void pattern(char *p, size_t bytes, unsigned int seed)
{
	size_t i;

	for (i = 0; i < bytes; i++)
		p[i] = (char)(i * 7 + seed + i / 4096);
}

static char *map_pattern(size_t bytes, unsigned int seed)
{
	char *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		ksft_exit_fail_msg("mmap: %s\n", strerror(errno));
	pattern(p, bytes, seed);
	return p;
}

static struct cma_area cma;

/* Pages of a fill that sit in CMA, moved into one range; handed out. */
static struct {
	char *next;
	size_t pages;
} pool;

/*
 * Fill memory until much of the CMA area holds the fill's pages, move
 * pages of those into one new virtual range, each run of consecutive ones
 * with one mremap() (a moved page keeps its page frame), then release the
 * rest of the fill, so that migrating them has somewhere to go.
 */
static void pool_fill(size_t pages)
{
	size_t i, run, calls = 0;
	struct fill f;
	char *dst;
	int err;

	err = fill_memory(&cma, 24, &f);
	if (err)
		ksft_exit_fail_msg("filling memory: %s\n", strerror(-err));
	if (f.ncma < pages) {
		i = f.ncma;
		fill_release(&f);
		ksft_exit_fail_msg("only %zu pages of the fill in CMA, %zu needed\n",
				   i, pages);
	}
	dst = mmap(NULL, pages * PAGE_SZ, PROT_NONE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (dst == MAP_FAILED)
		ksft_exit_fail_msg("mmap: %s\n", strerror(errno));
	/* No mapping may be made until fill_release(): it unmaps the span. */
	for (i = 0; i < pages && !err; i += run) {
		char *from = f.cma_pages[i];

		for (run = 1; i + run < pages &&
		     f.cma_pages[i + run] == from + run * PAGE_SZ; run++)
			;
		if (mremap(from, run * PAGE_SZ, run * PAGE_SZ,
			   MREMAP_MAYMOVE | MREMAP_FIXED,
			   dst + i * PAGE_SZ) == MAP_FAILED)
			err = -errno;
		calls++;
	}
	i = f.ncma;
	fill_release(&f);
	if (err)
		ksft_exit_fail_msg("mremap: %s\n", strerror(-err));
	ksft_print_msg("%zu pages of the fill landed in CMA; %zu of them moved into the CMA buffers by %zu mremap() calls\n",
		       i, pages, calls);
	pool.next = dst;
	pool.pages = pages;
}

/*
 * A case's source buffer: ordinary anonymous memory, or (cma) a slice of
 * the pool, its pages in CMA. Either way it holds pattern(seed) and is
 * unmapped by the case with munmap().
 */
struct buf {
	int cma;
	char *p;
	const char *tag;	/* the CMA case's messages begin with it */
};

static char *buf_get(struct buf *b, size_t bytes, unsigned int seed)
{
	b->tag = b->cma ? "CMA buffer: " : "";
	if (!b->cma)
		return b->p = map_pattern(bytes, seed);
	if (pool.pages < bytes / PAGE_SZ)
		ksft_exit_fail_msg("the CMA buffers are short: %zu pages left, %zu needed\n",
				   pool.pages, bytes / PAGE_SZ);
	b->p = pool.next;
	pool.next += bytes;
	pool.pages -= bytes / PAGE_SZ;
	pattern(b->p, bytes, seed);
	return b->p;
}

/* Where the pages under [p, p + len) are. */
struct where {
	size_t pages, in, out, absent;
};

static struct where where_are(const char *p, size_t len)
{
	uintptr_t a = (uintptr_t)p & ~(PAGE_SZ - 1), end = (uintptr_t)p + len;
	struct where w = { 0 };

	for (; a < end; a += PAGE_SZ) {
		int64_t pfn = pfn_of((void *)a);

		w.pages++;
		if (pfn <= 0)
			w.absent++;	/* not present: not seen anywhere */
		else if (in_cma(&cma, pfn))
			w.in++;
		else
			w.out++;
	}
	return w;
}

/* A CMA case: one result, every page under [p, p + len) sits in CMA. */
static void in_cma_before(const struct buf *b, const char *what,
			  const char *p, size_t len)
{
	struct where w;

	if (!b->cma)
		return;
	w = where_are(p, len);
	ksft_test_result(w.pages && w.in == w.pages,
			 "CMA buffer, %s: %zu of its %zu pages in CMA before vmsplice() (%zu not present)\n",
			 what, w.in, w.pages, w.absent);
}

/*
 * A CMA case: one result, every spliced page under [p, p + len) is
 * present, outside CMA, after the vmsplice().
 */
static void left_cma_after(const struct buf *b, const char *what,
			   const char *p, size_t len)
{
	struct where w;

	if (!b->cma)
		return;
	w = where_are(p, len);
	ksft_test_result(w.pages && w.out == w.pages,
			 "CMA buffer, %s: %zu of the %zu spliced pages left CMA (%zu still in it, %zu not present)\n",
			 what, w.out, w.pages, w.in, w.absent);
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
static void test_reader_sees_data(int cma_buf)
{
	struct buf b = { .cma = cma_buf };
	size_t sz = 256 << 10, off = 0, n = 0;
	char *src = buf_get(&b, sz, 1), *dst = malloc(sz);
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
	/* The iovecs cover [src + 5, src + off): its pages are spliced. */
	in_cma_before(&b, "unaligned iovecs", src, sz);
	r = vmsplice(fd[1], iov, n, 0);
	left_cma_after(&b, "unaligned iovecs", src + 5, off - 5);
	ok = r == (ssize_t)(off - 5 * n);
	if (ok) {
		char *d = dst;
		size_t k;

		ok = !read_all(fd[0], dst, r);
		for (k = 0; ok && k < n; d += iov[k].iov_len, k++)
			ok = !memcmp(d, iov[k].iov_base, iov[k].iov_len);
	}
	ksft_test_result(ok, "%sreader sees the data of %zu unaligned iovecs\n",
			 b.tag, n);
	close(fd[0]);
	close(fd[1]);
	free(dst);
	munmap(src, sz);
}

/* vmsplice, then splice on from the pipe into a file on tmpfs and ext4. */
static void test_splice_to_file(const char *dir, int cma_buf)
{
	struct buf b = { .cma = cma_buf };
	size_t sz = 128 << 10;
	char *src = buf_get(&b, sz, 2), *dst = malloc(sz), path[64];
	struct iovec iov = { src, sz };
	loff_t out = 0;
	int fd[2], file, ok = 0;
	ssize_t r;

	snprintf(path, sizeof(path), "%s/vmsplice-XXXXXX", dir);
	file = mkstemp(path);
	if (file < 0 || !dst || big_pipe(fd, 1 << 20)) {
		int k;

		for (k = 0; k < (b.cma ? 3 : 1); k++)
			ksft_test_result_skip("%ssplice to a file in %s: %s\n",
					      b.tag, dir, strerror(errno));
		munmap(src, sz);
		return;
	}
	unlink(path);
	in_cma_before(&b, "splice into a file", src, sz);
	r = vmsplice(fd[1], &iov, 1, 0);
	left_cma_after(&b, "splice into a file", src, sz);
	if (r == (ssize_t)sz)
		r = splice(fd[0], NULL, file, &out, sz, 0);
	if (r == (ssize_t)sz)
		ok = pread(file, dst, sz, 0) == (ssize_t)sz && !memcmp(src, dst, sz);
	ksft_test_result(ok, "%svmsplice then splice into a file in %s\n",
			 b.tag, dir);
	close(file);
	close(fd[0]);
	close(fd[1]);
	free(dst);
	munmap(src, sz);
}

/* SPLICE_F_GIFT of whole pages: the reader gets the data. */
static void test_gift(int cma_buf)
{
	struct buf b = { .cma = cma_buf };
	size_t sz = 16 * PAGE_SZ;
	char *src = buf_get(&b, sz, 3), *copy = malloc(sz), *dst = malloc(sz);
	struct iovec iov = { src, sz };
	int fd[2], ok;

	memcpy(copy, src, sz);
	if (big_pipe(fd, 1 << 20))
		ksft_exit_fail_msg("pipe: %s\n", strerror(errno));
	in_cma_before(&b, "SPLICE_F_GIFT", src, sz);
	ok = vmsplice(fd[1], &iov, 1, SPLICE_F_GIFT) == (ssize_t)sz;
	left_cma_after(&b, "SPLICE_F_GIFT", src, sz);
	/* The gifted pages belong to the pipe now: let them go. */
	munmap(src, sz);
	ok = ok && !read_all(fd[0], dst, sz) && !memcmp(copy, dst, sz);
	ksft_test_result(ok, "%sSPLICE_F_GIFT: reader gets the gifted pages' data\n",
			 b.tag);
	close(fd[0]);
	close(fd[1]);
	free(copy);
	free(dst);
}

/* tee() duplicates the buffers: both pipes deliver the same data. */
static void test_tee(int cma_buf)
{
	struct buf b = { .cma = cma_buf };
	size_t sz = 64 << 10;
	char *src = buf_get(&b, sz, 4), *a = malloc(sz), *c = malloc(sz);
	struct iovec iov = { src, sz };
	int p1[2], p2[2], ok;

	if (big_pipe(p1, 1 << 20) || big_pipe(p2, 1 << 20))
		ksft_exit_fail_msg("pipe: %s\n", strerror(errno));
	in_cma_before(&b, "tee()", src, sz);
	ok = vmsplice(p1[1], &iov, 1, 0) == (ssize_t)sz;
	left_cma_after(&b, "tee()", src, sz);
	ok = ok && tee(p1[0], p2[1], sz, 0) == (ssize_t)sz &&
	     !read_all(p1[0], a, sz) && !read_all(p2[0], c, sz) &&
	     !memcmp(a, src, sz) && !memcmp(c, src, sz);
	ksft_test_result(ok, "%stee() of vmspliced buffers: both readers see the data\n",
			 b.tag);
	close(p1[0]);
	close(p1[1]);
	close(p2[0]);
	close(p2[1]);
	free(a);
	free(c);
	munmap(src, sz);
}

/* Whether the ordinary buffer's reader saw the write after vmsplice(). */
static int write_seen_ordinary = -1;

/*
 * The pipe references the writer's pages: a write after vmsplice() shows
 * through to the reader, an munmap() does not take the data away. On a
 * CMA buffer the reader must see what it saw on the ordinary buffer (and
 * that is the write, on both kernels). The page frame the writer maps
 * before the splice, after it and after the write is printed: the splice
 * may move the page, the write does not.
 */
static void test_modify_and_unmap(int cma_buf)
{
	struct buf b = { .cma = cma_buf };
	size_t sz = 8 * PAGE_SZ, i;
	char *src = buf_get(&b, sz, 5), *copy = malloc(sz), *dst = malloc(sz);
	struct iovec iov = { src, sz };
	long long before, spliced, written;
	int fd[2], ok, seen;

	if (big_pipe(fd, 1 << 20))
		ksft_exit_fail_msg("pipe: %s\n", strerror(errno));
	in_cma_before(&b, "write and munmap after vmsplice()", src, sz);
	before = pfn_of(src);
	ok = vmsplice(fd[1], &iov, 1, 0) == (ssize_t)sz;
	left_cma_after(&b, "write and munmap after vmsplice()", src, sz);
	spliced = pfn_of(src);
	memset(src, 0x5a, PAGE_SZ);
	written = pfn_of(src);
	ok = ok && !read_all(fd[0], dst, PAGE_SZ);
	for (seen = ok, i = 0; seen && i < PAGE_SZ; i++)
		seen = dst[i] == 0x5a;
	if (!b.cma) {
		write_seen_ordinary = seen;
		ksft_test_result(seen,
				 "a write after vmsplice() reaches the reader\n");
	} else {
		ksft_test_result(seen && seen == write_seen_ordinary,
				 "CMA buffer: a write after vmsplice() reaches the reader: %s, as on the ordinary buffer: %s (pfn %#llx before the splice, %#llx after it, %#llx after the write)\n",
				 seen ? "yes" : "no",
				 write_seen_ordinary ? "yes" : "no",
				 before, spliced, written);
	}

	memcpy(copy, src, sz);
	munmap(src, sz);
	ok = !read_all(fd[0], dst + PAGE_SZ, sz - PAGE_SZ) &&
	     !memcmp(dst + PAGE_SZ, copy + PAGE_SZ, sz - PAGE_SZ);
	ksft_test_result(ok, "%smunmap() after vmsplice(): the reader still gets the data\n",
			 b.tag);
	close(fd[0]);
	close(fd[1]);
	free(copy);
	free(dst);
}

/* 16 MiB in 1 MiB iovecs over 16 pipes, read back in full. */
static void test_many_pipes(int cma_buf)
{
	struct buf b = { .cma = cma_buf };
	size_t chunk = 1 << 20, npipes = 16, i;
	char *src = buf_get(&b, chunk * npipes, 6), *dst = malloc(chunk);
	int fds[16][2], ok = 1;

	in_cma_before(&b, "16 pipes", src, chunk * npipes);
	for (i = 0; i < npipes && ok; i++) {
		struct iovec iov = { src + i * chunk, chunk };

		ok = !big_pipe(fds[i], chunk) &&
		     vmsplice(fds[i][1], &iov, 1, 0) == (ssize_t)chunk;
	}
	left_cma_after(&b, "16 pipes", src, chunk * npipes);
	for (i = 0; i < npipes && ok; i++)
		ok = !read_all(fds[i][0], dst, chunk) &&
		     !memcmp(dst, src + i * chunk, chunk);
	ksft_test_result(ok, "%s16 MiB across 16 pipes of 1 MiB, read back intact\n",
			 b.tag);
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

#define KPF_LRU		(1ULL << 5)
#define KPF_ANON	(1ULL << 12)

/*
 * How many of the n page frames are still in use (/proc/kpageflags): an
 * anonymous page, or one on an LRU list. The kernel clears both when it
 * frees a page; a frame not present (pfn 0) counts as in use. -1 on error.
 */
static long frames_in_use(const int64_t *pfns, size_t n)
{
	int fd = open("/proc/kpageflags", O_RDONLY);
	long used = 0;
	size_t i;

	if (fd < 0)
		return -1;
	for (i = 0; i < n; i++) {
		uint64_t flags;

		if (pfns[i] <= 0) {
			used++;
			continue;
		}
		if (pread(fd, &flags, sizeof(flags), pfns[i] * sizeof(flags)) !=
		    sizeof(flags)) {
			close(fd);
			return -1;
		}
		used += !!(flags & (KPF_LRU | KPF_ANON));
	}
	close(fd);
	return used;
}

/*
 * No leaked references: 16 MiB spliced into pipes and then unmapped stays
 * allocated while the pipes hold it, and comes back when they are closed.
 * Followed page frame by page frame (those the buffer maps after the
 * splice, which the pipes hold), not through MemFree: the kernel frees
 * into per-CPU lists that MemFree leaves out, and right after a fill it
 * also gives back other memory meanwhile.
 */
static void test_no_leaks(int cma_buf)
{
	struct buf b = { .cma = cma_buf };
	size_t chunk = 1 << 20, npipes = 16, n = chunk * npipes / PAGE_SZ, i;
	char *src = buf_get(&b, chunk * npipes, 8);
	static int64_t pfns[(16 << 20) / 4096];
	long unmapped, closed;
	int fds[16][2];

	in_cma_before(&b, "no leaks", src, chunk * npipes);
	for (i = 0; i < npipes; i++) {
		struct iovec iov = { src + i * chunk, chunk };

		if (big_pipe(fds[i], chunk) ||
		    vmsplice(fds[i][1], &iov, 1, 0) != (ssize_t)chunk)
			ksft_exit_fail_msg("vmsplice: %s\n", strerror(errno));
	}
	left_cma_after(&b, "no leaks", src, chunk * npipes);
	for (i = 0; i < n; i++)
		pfns[i] = pfn_of(src + i * PAGE_SZ);
	munmap(src, chunk * npipes);
	unmapped = frames_in_use(pfns, n);
	for (i = 0; i < npipes; i++) {
		close(fds[i][0]);
		close(fds[i][1]);
	}
	closed = frames_in_use(pfns, n);
	ksft_test_result(unmapped == (long)n && closed == 0,
			 "%s16 MiB held by pipes: freed by munmap %ld of %zu pages, by closing the pipes %ld\n",
			 b.tag, unmapped < 0 ? -1 : (long)n - unmapped, n,
			 closed < 0 ? -1 : unmapped - closed);
}

/* And every pin taken along the way, by every case, is released. */
static void test_pins_balance(long long pins_before)
{
	long long acq = vmstat("nr_foll_pin_acquired");
	long long rel = vmstat("nr_foll_pin_released");

	ksft_test_result(acq >= 0 && acq - rel == pins_before,
			 "pins balance after all tests: outstanding %lld, before %lld\n",
			 acq - rel, pins_before);
}

int main(void)
{
	long long pins_before = vmstat("nr_foll_pin_acquired") -
				vmstat("nr_foll_pin_released");
	const char *ext4 = access("/mnt/ext4", W_OK) ? "/tmp" : "/mnt/ext4";
	int err, cma_buf;

	ksft_print_header();
	ksft_set_plan(36);
	err = cma_find(&cma);
	if (err)
		ksft_exit_fail_msg("no CMA area in debugfs: %s\n", strerror(-err));

	/* 1-10 on ordinary buffers, 11-35 on buffers in CMA. */
	for (cma_buf = 0; cma_buf <= 1; cma_buf++) {
		/* reader, two files, gift, tee, write, many pipes: pages */
		if (cma_buf)
			pool_fill(64 + 2 * 32 + 16 + 16 + 8 + 4096);
		test_reader_sees_data(cma_buf);
		test_splice_to_file("/tmp", cma_buf);
		test_splice_to_file(ext4, cma_buf);
		test_gift(cma_buf);
		test_tee(cma_buf);
		test_modify_and_unmap(cma_buf);
		test_many_pipes(cma_buf);
		if (!cma_buf)
			test_fault_leaves_pipe();
		/* A fill of its own: the other buffers are gone by now. */
		if (cma_buf)
			pool_fill(4096);
		test_no_leaks(cma_buf);
	}
	test_pins_balance(pins_before);
	ksft_finished();
}
