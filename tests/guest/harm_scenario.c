// SPDX-License-Identifier: GPL-2.0
/*
 * The harm scenarios of 'make run': fill memory until the buffer has pages
 * in the region a harm needs free, hold those pages through one userspace
 * path, then do what the pins would break:
 *   cma       a full allocation of the default CMA area through debugfs;
 *   offline   offlining every memory block of ZONE_MOVABLE (memory
 *             probed at run time and onlined movable) that held the
 *             buffer's pages;
 *   gigantic  a 1 GiB huge page at run time, from the hugetlb_cma= area.
 *
 * Usage: harm_scenario HARM PATH
 *   PATH: plain | vmsplice | io_uring | gup_longterm (the gup_test held
 *   pin, the default one) | gup_ephemeral (the same, FOLL_EPHEMERAL) |
 *   sg_dio (completed, unread asynchronous direct I/O writes to the
 *   scsi_debug disk through /dev/sgN) | msg_zerocopy (TCP MSG_ZEROCOPY
 *   sends over loopback to a peer that does not read) | fuse_dio
 *   (O_DIRECT io_uring writes to a FUSE file whose server, the program
 *   itself, does not answer) | ublk_dio (the same to a ublk disk whose
 *   server does not complete them) | splice (the buffer's pages become
 *   page cache of a memfd, spliced into pipes nobody reads) | sendfile
 *   (the same page cache sent to a TCP peer that does not read)
 *
 * Prints one line:
 *   PINLIFE-HARM harm=H path=P region_pages=N filled=N held=N before=N
 *                after=N result=ok|<errno name> intact=yes|no
 * filled: pages of the buffer in the region after filling memory; held: how
 * many of them the path holds (for "plain", the mapping alone);
 * before/after: how many held pages sit in the region (offline: in the
 * blocks it offlines) before and after the harm's operation; result: the operation's (ETIMEDOUT: offlining still
 * retrying after HARM_OFFLINE_S); intact: every page still carries its stamp
 * afterwards. A path the kernel refuses prints its error as result= and
 * "-" for before/after. offline adds blocks=N offlined=N.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "mm/gup_test.h"
#include "pinlife.h"
#include "pinlife_fuse.h"
#include "pinlife_harm.h"
#include "pinlife_served.h"
#include "pinlife_ublk.h"

struct holder {
	int *fds;
	size_t nfds;
	int gup_fd;
	struct pipes pipes;
	struct sg_hold sg;
	struct sg_disk disk;
	int zc_fd[2];
	/* fuse_dio, ublk_dio: the server, its file, the writes */
	struct fuse_srv fuse;
	struct ublk_srv ublk;
	int served_fd;
	int file_fd;		/* splice, sendfile: the memfd */
	struct io_uring ring;
	struct run *runs;
	size_t nruns;
};

#define FUSE_MNT "/tmp/fuse"
#define FUSE_RUNS 512		/* requests held, at most */
#define UBLK_RUNS 32		/* the server's buffers must fit too */

/*
 * O_DIRECT io_uring writes from the n pages, a request per run of
 * consecutive pages, to fd, whose server holds them: the number of pages
 * under the writes the server holds, or -errno.
 */
static long hold_served(struct holder *h, char **pages, size_t n,
			size_t max_runs,
			int (*wait_held)(void *, size_t, int), void *srv)
{
	struct fill f = { .cma_pages = pages, .ncma = n };
	long held = 0;
	size_t i;
	int err;

	h->runs = calloc(max_runs, sizeof(*h->runs));
	if (!h->runs)
		return -ENOMEM;
	h->nruns = runs_make(&f, h->runs, max_runs);
	err = io_uring_queue_init(h->nruns, &h->ring, 0);
	if (err)
		return err;
	err = runs_submit(&h->ring, h->served_fd, h->runs, h->nruns, 1);
	if (!err)
		err = wait_held(srv, h->nruns, HOLD_S);
	for (i = 0; i < h->nruns; i++)
		held += h->runs[i].npages;
	return err ? err : held;
}

static int fuse_wait_held(void *s, size_t n, int timeout_s)
{
	return fuse_srv_wait_held(s, n, timeout_s);
}

static int ublk_wait_held(void *s, size_t n, int timeout_s)
{
	return ublk_srv_wait_held(s, n, timeout_s);
}

static long hold_fuse(struct holder *h, char **pages, size_t n)
{
	int err = fuse_srv_start(&h->fuse, FUSE_MNT, 1);

	if (err)
		return err;
	h->served_fd = open(FUSE_MNT "/plain", O_RDWR | O_DIRECT);
	if (h->served_fd < 0)
		return -errno;
	return hold_served(h, pages, n, FUSE_RUNS, fuse_wait_held, &h->fuse);
}

static long hold_ublk(struct holder *h, char **pages, size_t n)
{
	/* Not holding yet: adding the disk reads its partition table. */
	int err = ublk_srv_start(&h->ublk, 0);

	if (err)
		return err;
	ublk_srv_hold(&h->ublk, 1);
	h->served_fd = open(h->ublk.bdev, O_RDWR | O_DIRECT);
	if (h->served_fd < 0)
		return -errno;
	return hold_served(h, pages, n, UBLK_RUNS, ublk_wait_held, &h->ublk);
}

/* Answer the held writes, reap them and stop the server. */
static void release_served(struct holder *h)
{
	if (h->fuse.mounted)
		fuse_srv_answer(&h->fuse);
	if (h->ublk.started)
		ublk_srv_answer(&h->ublk);
	if (h->runs) {
		runs_reap(&h->ring, h->runs, h->nruns);
		io_uring_queue_exit(&h->ring);
		free(h->runs);
	}
	if (h->served_fd >= 0)
		close(h->served_fd);
	if (h->fuse.mounted)
		fuse_srv_stop(&h->fuse);
	if (h->ublk.started)
		ublk_srv_stop(&h->ublk);
}

static int hold_io_uring(struct holder *h, char **pages, size_t n)
{
	struct io_uring_params p = { 0 };
	struct iovec *iov = calloc(n, sizeof(*iov));
	size_t i;
	int fd;

	if (!iov)
		return -ENOMEM;
	fd = syscall(__NR_io_uring_setup, 1, &p);
	if (fd < 0) {
		free(iov);
		return -errno;
	}
	h->fds = calloc(1, sizeof(int));
	if (!h->fds) {
		free(iov);
		close(fd);
		return -ENOMEM;
	}
	h->fds[h->nfds++] = fd;
	for (i = 0; i < n; i++) {
		iov[i].iov_base = pages[i];
		iov[i].iov_len = PAGE_SZ;
	}
	if (syscall(__NR_io_uring_register, fd, IORING_REGISTER_BUFFERS,
		    iov, n) < 0) {
		int err = -errno;

		free(iov);
		return err;
	}
	free(iov);
	return 0;
}

static void release(struct holder *h)
{
	size_t i;

	gup_release(h->gup_fd);
	if (h->zc_fd[0] >= 0)
		close(h->zc_fd[0]);
	if (h->zc_fd[1] >= 0)
		close(h->zc_fd[1]);
	release_served(h);
	sg_dio_release(&h->sg);
	sg_disk_close(&h->disk);
	for (i = 0; i < h->nfds; i++)
		close(h->fds[i]);
	free(h->fds);
	pipes_close(&h->pipes);
	if (h->file_fd >= 0)
		close(h->file_fd);
}

static void harm_print(const struct harm *hm, const char *path,
		       size_t filled, size_t held, const char *before,
		       const char *after, int result, size_t damaged)
{
	printf("PINLIFE-HARM harm=%s path=%s region_pages=%llu filled=%zu held=%zu before=%s after=%s result=%s intact=%s",
	       hm->name, path, (unsigned long long)hm->region.count, filled,
	       held, before, after, result ? strerrorname_np(-result) : "ok",
	       damaged ? "no" : "yes");
	if (!strcmp(hm->name, "offline"))
		printf(" blocks=%zu offlined=%zu", hm->nblocks, hm->offlined);
	printf("\n");
}

int main(int argc, char **argv)
{
	struct holder h = { .gup_fd = -1, .zc_fd = { -1, -1 },
			    .served_fd = -1, .file_fd = -1 };
	struct harm hm = { .name = argc == 3 ? argv[1] : "" };
	struct fill f;
	const char *path = argc == 3 ? argv[2] : "";
	char before[24], after[24];
	int err, result;
	size_t damaged, held;

	if (argc != 3 || !strcmp(argv[1], "--help")) {
		fprintf(stderr, "usage: %s cma|offline|gigantic plain|vmsplice|io_uring|gup_longterm|gup_ephemeral|sg_dio|msg_zerocopy|fuse_dio|ublk_dio|splice|sendfile\n",
			argv[0]);
		return argc == 2 && !strcmp(argv[1], "--help") ? 0 : 2;
	}
	err = harm_region(&hm);
	if (err == -EINVAL) {
		fprintf(stderr, "harm_scenario: unknown harm '%s'\n", hm.name);
		return 2;
	}
	if (err) {
		fprintf(stderr, "harm_scenario: %s: no region for this harm (%s): %s\n",
			hm.name, harm_region_name(&hm), strerror(-err));
		return 1;
	}
	err = fill_region(&hm.region, hm.want, harm_keep_mib(), &f);
	if (err) {
		fprintf(stderr, "harm_scenario: filling memory: %s\n",
			strerror(-err));
		return 1;
	}
	if (!f.ncma) {
		fprintf(stderr, "harm_scenario: %s: no page of the buffer landed in %s\n",
			hm.name, hm.region.dir);
		return 1;
	}
	if (!strcmp(path, "splice") || !strcmp(path, "sendfile")) {
		/* The page cache of a file in the region, in their place */
		h.file_fd = memfd_create("harm", 0);
		err = h.file_fd < 0 ? -errno :
		      fill_to_file(&f, &hm.region, h.file_fd, f.ncma);
		if (err) {
			fprintf(stderr, "harm_scenario: page cache in place of the buffer: %s\n",
				strerror(-err));
			return 1;
		}
	}
	if (!strcmp(hm.name, "offline")) {
		err = harm_blocks(&hm, f.cma_pages, f.ncma);
		if (err) {
			fprintf(stderr, "harm_scenario: memory blocks: %s\n",
				strerror(-err));
			return 1;
		}
	}

	held = f.ncma;
	if (!strcmp(path, "plain"))
		err = 0;
	else if (!strcmp(path, "vmsplice"))
		err = vmsplice_pages(&h.pipes, f.cma_pages, f.ncma);
	else if (!strcmp(path, "io_uring"))
		err = hold_io_uring(&h, f.cma_pages, f.ncma);
	else if (!strcmp(path, "gup_longterm"))
		err = gup_hold(&h.gup_fd, f.cma_pages, f.ncma, 0);
	else if (!strcmp(path, "gup_ephemeral"))
		err = gup_hold(&h.gup_fd, f.cma_pages, f.ncma,
			       PIN_LONGTERM_TEST_FLAG_USE_EPHEMERAL);
	else if (!strcmp(path, "sg_dio")) {
		err = sg_disk_open(&h.disk);
		if (!err)
			err = sg_dio_hold(&h.sg, h.disk.dev, f.cma_pages, f.ncma, 1);
	} else if (!strcmp(path, "msg_zerocopy")) {
		unsigned int sends;

		err = zerocopy_pair(h.zc_fd);
		if (!err)
			held = zerocopy_send(h.zc_fd[0], f.cma_pages, f.ncma,
					     &sends, &err);
		if (!err && !held)
			err = -EAGAIN;
	} else if (!strcmp(path, "splice")) {
		err = splice_file_pages(&h.pipes, h.file_fd, f.fpages);
	} else if (!strcmp(path, "sendfile")) {
		size_t sent = 0, i;

		err = zerocopy_pair(h.zc_fd);
		if (!err)
			sent = sendfile_pages(h.zc_fd[0], h.file_fd, f.fpages,
					      &err);
		/* held: the region pages among those sent, listed first */
		for (held = i = 0; i < f.ncma; i++)
			if ((size_t)(f.cma_pages[i] - f.fmap) / PAGE_SZ < sent)
				f.cma_pages[held++] = f.cma_pages[i];
		if (!err && !held)
			err = -EAGAIN;
	} else if (!strcmp(path, "fuse_dio") || !strcmp(path, "ublk_dio")) {
		long pages = path[0] == 'f' ?
			hold_fuse(&h, f.cma_pages, f.ncma) :
			hold_ublk(&h, f.cma_pages, f.ncma);

		err = pages < 0 ? pages : 0;
		if (pages > 0)
			held = pages;
	} else {
		fprintf(stderr, "harm_scenario: unknown path '%s'\n", path);
		return 2;
	}
	if (err) {
		/* A kernel without the path (stock: no ephemeral pins). */
		harm_print(&hm, path, f.ncma, 0, "-", "-", err, 0);
		release(&h);
		fill_release(&f);
		return 0;
	}

	snprintf(before, sizeof(before), "%ld",
		 harm_count(&hm, f.cma_pages, held));
	result = harm_do(&hm);
	snprintf(after, sizeof(after), "%ld",
		 harm_count(&hm, f.cma_pages, held));
	damaged = fill_damaged(&f);
	release(&h);
	if (!result || hm.offlined)
		harm_undo(&hm);
	harm_print(&hm, path, f.ncma, held, before, after, result, damaged);
	fill_release(&f);
	free(hm.blocks);
	return 0;
}
