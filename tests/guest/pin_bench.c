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
 *	(on a kernel that migrates them first, the migration); then the
 *	same pages again, wherever they now sit, between the marks that
 *	tools/insnprof counts in (make profile).
 *   pin_bench pin-cma
 *	Fill memory, then hold a long-term pin (the gup_test held pin: the
 *	default pin, or FOLL_LONGTERM on a stock kernel) over the pages that
 *	landed in CMA: the cost of a long-term pin with migration.
 *   pin_bench pin-cma-span
 *	The same over a span of fixed layout: 2048 pages, every other one
 *	in CMA (moved into place with mremap()), so that the figure does
 *	not depend on how the fill happened to place the buffer.
 *   pin_bench sg-dio N
 *	N synchronous SG_IO direct-I/O reads of 64 KiB from the scsi_debug
 *	disk (set to complete at once) through /dev/sgN: the cost of a
 *	direct I/O command, which on a kernel that unpins at completion
 *	includes a work item. Prints it per 1000 commands.
 *   pin_bench fuse-dio N | ublk-dio N
 *	N synchronous 64 KiB direct-I/O reads from a FUSE file
 *	(FOPEN_DIRECT_IO) or a ublk disk (O_DIRECT) whose server, a thread
 *	of this program, answers at once, into a buffer outside CMA: what
 *	a userspace-served read costs when no page has to move. Per 1000.
 *   pin_bench dio-local N | dio-local-cma
 *	The same with a RAM disk (/dev/ram2), direct I/O that the kernel
 *	completes: what local O_DIRECT pays.
 *   pin_bench dio-shared
 *	One O_DIRECT read from the RAM disk into a MAP_SHARED mapping of a
 *	file on ext4: its cost, or PINLIFE-REFUSED and the error (a kernel
 *	that pins every buffer long-term refuses it).
 *   pin_bench fuse-dio-cma | ublk-dio-cma
 *	Fill memory, then read once into every run of the buffer's pages
 *	that sit in CMA, 64 KiB at most per read: on a kernel that moves
 *	them first, the migration. Per 1000 pages.
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
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pinlife.h"
#include "pinlife_fuse.h"
#include "pinlife_ublk.h"

#define CHUNK (64UL << 10)
#define BUF (1UL << 20)

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

/*
 * A child that reads fd[0] until EOF, CHUNK at a time; the parent keeps
 * fd[1] only. The child's pid.
 */
static pid_t reader(int fd[2])
{
	pid_t child = fork();

	if (child == 0) {
		static char sink[CHUNK];
		ssize_t r;

		close(fd[1]);
		while ((r = read(fd[0], sink, sizeof(sink))) > 0)
			;
		_exit(r < 0);
	}
	close(fd[0]);
	return child;
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

	/* make profile PROFILE=splice|sendfile counts from here */
	profile_marks_map();
	child = reader(fd);
	t0 = now_us();
	profile_mark(1);
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
/*
 * Page cache handed over without a copy: 1 MiB of a memfd (outside CMA)
 * spliced into a pipe (splice) or sendfile()d into a TCP connection over
 * loopback (sendfile), CHUNK at a time, mib MiB in all, while a child reads the
 * other end. The placement check for each folio is what the series adds.
 */
static int file_throughput(const char *how, long mib)
{
	long long total = mib << 20, sent = 0, t0, t1;
	int fd[2], mfd = memfd_create("bench", 0), status;
	struct cma_area cma;
	char *map, *pages[BUF / PAGE_SZ];
	size_t i;
	pid_t child;
	int sock = !strcmp(how, "sendfile");

	if (mfd < 0 || ftruncate(mfd, BUF) || (!sock && pipe(fd)) ||
	    (!sock && fcntl(fd[1], F_SETPIPE_SZ, 4 * CHUNK) < 0)) {
		perror("pin_bench: setup");
		return 1;
	}
	if (sock) {
		/* TCP over loopback (the guest has no AF_UNIX): fd[1] sends */
		int big = 4 << 20, tmp, err = zerocopy_pair(fd);

		if (err || setsockopt(fd[1], SOL_SOCKET, SO_RCVBUFFORCE, &big,
				      sizeof(big))) {
			fprintf(stderr, "pin_bench: TCP pair: %s\n",
				strerror(err ? -err : errno));
			return 1;
		}
		tmp = fd[0];
		fd[0] = fd[1];
		fd[1] = tmp;
	}
	map = mmap(NULL, BUF, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	if (map == MAP_FAILED) {
		perror("pin_bench: mmap");
		return 1;
	}
	memset(map, 0x3c, BUF);
	for (i = 0; i < BUF / PAGE_SZ; i++)
		pages[i] = map + i * PAGE_SZ;
	if (!cma_find(&cma) && count_in_cma(&cma, pages, BUF / PAGE_SZ) > 0) {
		fprintf(stderr, "pin_bench: file landed in CMA\n");
		return 1;
	}
	/* make profile PROFILE=splice|sendfile counts from here */
	profile_marks_map();
	child = reader(fd);
	t0 = now_us();
	profile_mark(1);
	while (sent < total) {
		off_t off = sent % BUF;
		size_t left = CHUNK;

		while (left) {
			loff_t loff = off;
			ssize_t r = sock ?
				sendfile(fd[1], mfd, &off, left) :
				splice(mfd, &loff, fd[1], NULL, left, 0);

			if (r <= 0) {
				perror(sock ? "pin_bench: sendfile" : "pin_bench: splice");
				return 1;
			}
			if (!sock)
				off = loff;
			left -= r;
		}
		sent += CHUNK;
	}
	close(fd[1]);
	waitpid(child, &status, 0);
	profile_mark(0);
	t1 = now_us();
	printf("PINLIFE-BENCH %s.throughput.%ldM us=%lld\n", how, mib, t1 - t0);
	printf("PINLIFE-PROFILE %s pages=%lld\n", how, total / PAGE_SZ);
	munmap(map, BUF);
	close(mfd);
	return 0;
}

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
	/*
	 * The same pages again: now wherever the first splice left them.
	 * make profile counts this loop's instructions by kernel function.
	 */
	profile_marks_map();
	t0 = now_us();
	profile_mark(1);
	err = vmsplice_pages(&pipes, f.cma_pages, f.ncma);
	profile_mark(0);
	t1 = now_us();
	printf("PINLIFE-BENCH vmsplice.again.per_1000_pages us=%lld\n",
	       (t1 - t0) * 1000 / (long long)f.ncma);
	printf("PINLIFE-PROFILE vmsplice.again pages=%zu\n", f.ncma);
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

#define SPAN_PAGES 2048

/*
 * A span with a fixed layout: SPAN_PAGES pages, every other one taken from
 * the buffer's pages in CMA and the rest from its pages outside, moved into
 * place with mremap() (which keeps each page where it sits in memory). A
 * long-term pin of it migrates exactly SPAN_PAGES / 2 pages, whatever the
 * fill did, so its cost is comparable from run to run and kernel to kernel.
 */
static int pin_cma_span_cost(void)
{
	struct cma_area cma;
	size_t i, c = 0, o = 0;
	long long t0 = 0, t1 = 0;
	int err = 0, fd = -1;
	struct fill f;
	char *span;

	if (fill_cma(&cma, &f))
		return 1;
	span = mmap(NULL, SPAN_PAGES * PAGE_SZ, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (span == MAP_FAILED || f.ncma < SPAN_PAGES / 2) {
		fprintf(stderr, "pin_bench: span: too few CMA pages\n");
		return 1;
	}
	for (i = 0; i < SPAN_PAGES && !err; i++) {
		char *from = NULL;

		if (i % 2) {
			/* the next page of the buffer that is not in CMA */
			for (; !from && o < f.filled; o++) {
				char *p = f.base + o * PAGE_SZ;

				if (pfn_of(p) > 0 && !count_in_cma(&cma, &p, 1))
					from = p;
			}
		} else {
			from = f.cma_pages[c++];
		}
		if (!from || mremap(from, PAGE_SZ, PAGE_SZ,
				    MREMAP_MAYMOVE | MREMAP_FIXED,
				    span + i * PAGE_SZ) == MAP_FAILED)
			err = from ? -errno : -ENOMEM;
	}
	if (!err) {
		t0 = now_us();
		err = gup_hold(&fd, (char *const []){ span,
				span + (SPAN_PAGES - 1) * PAGE_SZ }, 2, 0);
		t1 = now_us();
		gup_release(fd);
	}
	munmap(span, SPAN_PAGES * PAGE_SZ);
	fill_release(&f);
	if (err) {
		fprintf(stderr, "pin_bench: span: %s\n", strerror(-err));
		return 1;
	}
	printf("PINLIFE-BENCH pin_longterm.half_cma_span.per_1000_pages us=%lld\n",
	       (t1 - t0) * 1000 / SPAN_PAGES);
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

/* A userspace-served file or disk: its server and an fd opened for it. */
struct served_dev {
	struct fuse_srv fuse;
	struct ublk_srv ublk;
	int ublk_on;
	int fd;
};

static int served_open(struct served_dev *d, const char *which)
{
	int err;

	memset(d, 0, sizeof(*d));
	if (!strcmp(which, "local")) {
		/* a RAM disk: direct I/O that the kernel completes */
		err = 0;
		d->fd = open("/dev/ram2", O_RDONLY | O_DIRECT);
	} else if (!strcmp(which, "fuse")) {
		err = fuse_srv_start(&d->fuse, "/tmp/fuse", 0);
		d->fd = err ? -1 : open("/tmp/fuse/dio", O_RDONLY);
	} else {
		err = ublk_srv_start(&d->ublk, 0);
		d->ublk_on = !err;
		d->fd = err ? -1 : open(d->ublk.bdev, O_RDONLY | O_DIRECT);
	}
	if (!err && d->fd < 0)
		err = -errno;
	if (err)
		fprintf(stderr, "pin_bench: %s server: %s\n", which,
			strerror(-err));
	return err;
}

static void served_close(struct served_dev *d)
{
	if (d->fd >= 0)
		close(d->fd);
	if (d->fuse.mounted)
		fuse_srv_stop(&d->fuse);
	if (d->ublk_on)
		ublk_srv_stop(&d->ublk);
}

static int served_dio_cost(const char *which, long n)
{
	char *buf = mmap(NULL, CHUNK, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	struct served_dev d;
	long long t0, t1;
	long i;
	int err = 0;

	if (buf == MAP_FAILED || n <= 0)
		return 2;
	if (served_open(&d, which))
		return 1;
	t0 = now_us();
	for (i = 0; i < n && !err; i++)
		if (pread(d.fd, buf, CHUNK, (i % 64) * CHUNK) != (ssize_t)CHUNK)
			err = -errno ? -errno : -EIO;
	t1 = now_us();
	served_close(&d);
	if (err) {
		fprintf(stderr, "pin_bench: %s read: %s\n", which, strerror(-err));
		return 1;
	}
	printf("PINLIFE-BENCH %s_dio.read64k.per_1000 us=%lld\n", which,
	       (t1 - t0) * 1000 / n);
	return 0;
}

static int served_dio_cma_cost(const char *which)
{
	struct served_dev d;
	struct cma_area cma;
	long long t0, t1;
	struct fill f;
	size_t i, j;
	int err = 0;

	if (served_open(&d, which))
		return 1;
	if (fill_cma(&cma, &f)) {
		served_close(&d);
		return 1;
	}
	t0 = now_us();
	for (i = 0; i < f.ncma && !err; i = j) {
		/* a run of consecutive pages, CHUNK at most */
		for (j = i + 1; j < f.ncma && j - i < CHUNK / PAGE_SZ &&
		     f.cma_pages[j] == f.cma_pages[i] + (j - i) * PAGE_SZ; j++)
			;
		if (pread(d.fd, f.cma_pages[i], (j - i) * PAGE_SZ, 0) !=
		    (ssize_t)((j - i) * PAGE_SZ))
			err = -errno ? -errno : -EIO;
	}
	t1 = now_us();
	served_close(&d);
	if (!err)
		printf("PINLIFE-BENCH %s_dio.in_cma.per_1000_pages us=%lld\n",
		       which, (t1 - t0) * 1000 / (long long)f.ncma);
	else
		fprintf(stderr, "pin_bench: %s read: %s\n", which,
			strerror(-err));
	fill_release(&f);
	return err ? 1 : 0;
}

/*
 * One O_DIRECT read from the RAM disk into a MAP_SHARED mapping of a file
 * on ext4 (mounted on /mnt/ext4 by the bench script): a long-term pin
 * refuses it. Prints the cost, or the error.
 */
static int dio_shared(void)
{
	const size_t len = 4 * CHUNK;
	long long t0, t1;
	ssize_t n = -1;
	int fd, efd;
	char *map;

	efd = open("/mnt/ext4/bench-shared", O_RDWR | O_CREAT | O_TRUNC, 0600);
	fd = open("/dev/ram2", O_RDONLY | O_DIRECT);
	if (efd < 0 || fd < 0 || ftruncate(efd, len)) {
		fprintf(stderr, "pin_bench: dio-shared: %s\n", strerror(errno));
		return 1;
	}
	map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, efd, 0);
	if (map == MAP_FAILED)
		return 1;
	memset(map, 1, len);
	t0 = now_us();
	n = pread(fd, map, len, 0);
	t1 = now_us();
	if (n == (ssize_t)len)
		printf("PINLIFE-BENCH dio.shared_ext4.read256k us=%lld\n",
		       t1 - t0);
	else
		printf("PINLIFE-REFUSED dio.shared_ext4.read256k %s\n",
		       n < 0 ? strerrorname_np(errno) : "short");
	munmap(map, len);
	close(fd);
	close(efd);
	unlink("/mnt/ext4/bench-shared");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "throughput"))
		return throughput(atol(argv[2]));
	if (argc == 3 && (!strcmp(argv[1], "splice") ||
			  !strcmp(argv[1], "sendfile")))
		return file_throughput(argv[1], atol(argv[2]));
	if (argc == 2 && !strcmp(argv[1], "cma"))
		return cma_cost();
	if (argc == 2 && !strcmp(argv[1], "pin-cma"))
		return pin_cma_cost();
	if (argc == 2 && !strcmp(argv[1], "pin-cma-span"))
		return pin_cma_span_cost();
	if (argc == 3 && !strcmp(argv[1], "sg-dio"))
		return sg_dio_cost(atol(argv[2]));
	if (argc == 3 && !strcmp(argv[1], "fuse-dio"))
		return served_dio_cost("fuse", atol(argv[2]));
	if (argc == 3 && !strcmp(argv[1], "ublk-dio"))
		return served_dio_cost("ublk", atol(argv[2]));
	if (argc == 2 && !strcmp(argv[1], "fuse-dio-cma"))
		return served_dio_cma_cost("fuse");
	if (argc == 2 && !strcmp(argv[1], "ublk-dio-cma"))
		return served_dio_cma_cost("ublk");
	if (argc == 3 && !strcmp(argv[1], "dio-local"))
		return served_dio_cost("local", atol(argv[2]));
	if (argc == 2 && !strcmp(argv[1], "dio-local-cma"))
		return served_dio_cma_cost("local");
	if (argc == 2 && !strcmp(argv[1], "dio-shared"))
		return dio_shared();
	fprintf(argc == 2 && !strcmp(argv[1], "--help") ? stdout : stderr,
		"usage: pin_bench throughput MIB | splice MIB | sendfile MIB | cma |\n"
		"       pin-cma | pin-cma-span |\n"
		"       sg-dio N |\n"
		"       fuse-dio N | ublk-dio N | fuse-dio-cma | ublk-dio-cma |\n"
		"       dio-local N | dio-local-cma | dio-shared\n");
	return argc == 2 && !strcmp(argv[1], "--help") ? 0 : 2;
}
