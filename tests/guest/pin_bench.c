// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmarks for 'make bench' that gup_test cannot run by itself (run
 * under -icount, where guest time counts instructions).
 *
 *   pin_bench throughput MIB
 *	A writer vmsplices a 1 MiB buffer that sits outside CMA into a pipe,
 *	64 KiB at a time, while a child process reads the pipe; MIB MiB in
 *	all. Prints the guest microseconds the transfer took.
 *   pin_bench cma
 *	Fill memory, then vmsplice every page of the buffer that landed in
 *	CMA into unread pipes: the cost of splicing pages that sit in CMA
 *	(on a kernel that migrates them first, the migration).
 *   pin_bench pin-cma
 *	Fill memory, then hold a long-term pin (the gup_test held pin: the
 *	default pin, or FOLL_LONGTERM on a stock kernel) over the pages that
 *	landed in CMA: the cost of a long-term pin with migration.
 *   pin_bench sg-dio N
 *	N synchronous SG_IO direct-I/O reads of 64 KiB from the scsi_debug
 *	disk (set to complete at once) through /dev/sgN: the cost of a
 *	direct I/O command, which on a kernel that unpins at completion
 *	includes a work item. Prints it per 1000 commands.
 *
 * Output: "PINLIFE-BENCH NAME us=N" lines.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pinlife.h"

#define CHUNK (64UL << 10)
#define BUF (1UL << 20)

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

static int throughput(long mib)
{
	struct cma_area cma;
	char *buf, *pages[BUF / PAGE_SZ];
	long long total = mib << 20, sent = 0, t0, t1;
	size_t i;
	int fd[2], status;
	pid_t child;

	buf = mmap(NULL, BUF, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (buf == MAP_FAILED || pipe(fd) ||
	    fcntl(fd[1], F_SETPIPE_SZ, 4 * CHUNK) < 0) {
		perror("pin_bench: setup");
		return 1;
	}
	memset(buf, 0x3c, BUF);
	for (i = 0; i < BUF / PAGE_SZ; i++)
		pages[i] = buf + i * PAGE_SZ;
	if (!cma_find(&cma) && count_in_cma(&cma, pages, BUF / PAGE_SZ) > 0) {
		fprintf(stderr, "pin_bench: buffer landed in CMA\n");
		return 1;
	}

	child = fork();
	if (child == 0) {
		static char sink[CHUNK];
		ssize_t r;

		close(fd[1]);
		while ((r = read(fd[0], sink, sizeof(sink))) > 0)
			;
		_exit(r < 0);
	}
	close(fd[0]);
	t0 = now_us();
	while (sent < total) {
		struct iovec iov = { buf + sent % BUF, CHUNK };

		while (iov.iov_len) {
			ssize_t r = vmsplice(fd[1], &iov, 1, 0);

			if (r < 0) {
				perror("pin_bench: vmsplice");
				return 1;
			}
			iov.iov_base = (char *)iov.iov_base + r;
			iov.iov_len -= r;
		}
		sent += CHUNK;
	}
	close(fd[1]);
	waitpid(child, &status, 0);
	t1 = now_us();
	printf("PINLIFE-BENCH vmsplice.throughput.%ldM us=%lld\n", mib, t1 - t0);
	return 0;
}

/* Fill memory until pages of the buffer sit in CMA: 0, or -1 (said). */
static int fill_cma(struct cma_area *cma, struct fill *f)
{
	int err = cma_find(cma);

	if (!err)
		err = fill_memory(cma, 24, f);
	if (err || !f->ncma) {
		fprintf(stderr, "pin_bench: no pages in CMA: %s\n",
			err ? strerror(-err) : "none landed there");
		return -1;
	}
	return 0;
}

static int cma_cost(void)
{
	struct pipes pipes = { 0 };
	struct cma_area cma;
	struct fill f;
	long long t0, t1;
	int err;

	if (fill_cma(&cma, &f))
		return 1;
	/* The pages that sit in CMA: a migrating kernel moves them here. */
	t0 = now_us();
	err = vmsplice_pages(&pipes, f.cma_pages, f.ncma);
	t1 = now_us();
	if (err) {
		fprintf(stderr, "pin_bench: %s\n", strerror(-err));
		return 1;
	}
	printf("PINLIFE-BENCH vmsplice.in_cma.per_1000_pages us=%lld\n",
	       (t1 - t0) * 1000 / (long long)f.ncma);
	pipes_close(&pipes);
	/* The same pages again: now wherever the first splice left them. */
	t0 = now_us();
	err = vmsplice_pages(&pipes, f.cma_pages, f.ncma);
	t1 = now_us();
	printf("PINLIFE-BENCH vmsplice.again.per_1000_pages us=%lld\n",
	       (t1 - t0) * 1000 / (long long)f.ncma);
	pipes_close(&pipes);
	fill_release(&f);
	return err != 0;
}

static int pin_cma_cost(void)
{
	struct cma_area cma;
	struct fill f;
	long long t0, t1;
	int err, fd = -1;

	if (fill_cma(&cma, &f))
		return 1;
	t0 = now_us();
	err = gup_hold(&fd, f.cma_pages, f.ncma, 0);
	t1 = now_us();
	gup_release(fd);
	if (err) {
		fprintf(stderr, "pin_bench: pin: %s\n", strerror(-err));
		return 1;
	}
	/* per 1000 pages of the pinned span, which also holds non-CMA pages */
	printf("PINLIFE-BENCH pin_longterm.in_cma.per_1000_pages us=%lld\n",
	       (t1 - t0) * 1000 / (long long)f.ncma);
	fill_release(&f);
	return 0;
}

static int sg_dio_cost(long n)
{
	struct sg_disk disk;
	char delay[16] = "";
	long long t0, t1;
	long i;
	int fd, err;
	char *buf = mmap(NULL, CHUNK, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	if (buf == MAP_FAILED || n <= 0)
		return 2;
	err = sg_disk_open(&disk);
	fd = err ? -1 : open(disk.dev, O_RDWR);
	if (fd < 0) {
		fprintf(stderr, "pin_bench: scsi_debug through sg: %s\n",
			strerror(err ? -err : errno));
		sg_disk_close(&disk);
		return 1;
	}
	/* Complete in the submitter's context: no timer in the measure. */
	err = sg_debug_delay("0", delay, sizeof(delay));
	t0 = now_us();
	for (i = 0; i < n && !err; i++)
		err = sg_dio_sync(fd, 0, 0, buf, CHUNK);
	t1 = now_us();
	if (delay[0])
		sg_debug_delay(delay, NULL, 0);
	close(fd);
	sg_disk_close(&disk);
	if (err) {
		fprintf(stderr, "pin_bench: SG_IO direct I/O: %s\n", strerror(-err));
		return 1;
	}
	printf("PINLIFE-BENCH sg_dio.read64k.per_1000 us=%lld\n",
	       (t1 - t0) * 1000 / n);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "throughput"))
		return throughput(atol(argv[2]));
	if (argc == 2 && !strcmp(argv[1], "cma"))
		return cma_cost();
	if (argc == 2 && !strcmp(argv[1], "pin-cma"))
		return pin_cma_cost();
	if (argc == 3 && !strcmp(argv[1], "sg-dio"))
		return sg_dio_cost(atol(argv[2]));
	fprintf(argc == 2 && !strcmp(argv[1], "--help") ? stdout : stderr,
		"usage: pin_bench throughput MIB | cma | pin-cma | sg-dio N\n");
	return argc == 2 && !strcmp(argv[1], "--help") ? 0 : 2;
}
