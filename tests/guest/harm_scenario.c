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
 *   (the same page cache sent to a TCP peer that does not read) |
 *   fuse_splice (the page cache of a FUSE file, written with buffered
 *   writes, whose server reads requests with splice() and keeps the
 *   WRITE pipes) | jbd2 (ext4 with its journal on a RAM disk, files
 *   created and synced: the journal keeps the metadata buffers it
 *   committed referenced) | fuse_readahead (read()s of a FUSE file whose
 *   server does not answer: the readahead folios stay locked)
 *
 * The last three put their own pages where the buffer's were: its region
 * pages are freed, and the free memory the fill left outside the region
 * is taken by a ballast until allocations go to the region, then given
 * back before the harm. jbd2 and fuse_readahead find their pages by page
 * flags (/proc/kpageflags) over the region, as no mapping of ours shows
 * them: jbd2's are the pages in use there that were not before the
 * workload (the files' data and, where the kernel puts them there, the
 * block device buffers), fuse_readahead's the locked ones. fuse_readahead
 * runs the harm in a thread for at most RA_BOUND_S: EINPROGRESS when it
 * had not returned by then (stock sleeps in folio_lock() until the server
 * answers); then the reads are answered and the harm is done again if it
 * failed (then=). intact: for fuse_splice every word of the held pages
 * still in the page cache and of the data the server kept, for jbd2 each
 * file's stamp read back, for fuse_readahead every word the readers got.
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
 * "-" for before/after. offline adds blocks=N offlined=N; fuse_splice
 * dropped=N (held pages no longer in the page cache: the harm reclaimed
 * them, clean, instead of moving them); fuse_readahead took=SECONDS and
 * then=ok|<errno name> (the harm once the server answered).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/io_uring.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
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
	int jbd2_mounted;
	char *ballast;		/* see ballast_take() */
	size_t nballast;
	struct ra_reader *readers;	/* fuse_readahead */
	size_t nreaders;
	struct io_uring ring;
	struct run *runs;
	size_t nruns;
};

#define FUSE_MNT "/tmp/fuse"
#define FUSE_RUNS 512		/* requests held, at most */
#define UBLK_RUNS 32		/* the server's buffers must fit too */
/* fuse_splice: a buffered WRITE request, the most FUSE sends at once */
#define FUSE_CHUNK (FUSE_SRV_MAX_PAGES * PAGE_SZ)
/* jbd2: ext4 on a RAM disk make run's guest does not otherwise use */
#define JBD2_DEV "/dev/ram3"
#define JBD2_MNT "/mnt/jbd2"
#define JBD2_DIRS 16
#define JBD2_FILES 128		/* per directory, a page of data each */
/* fuse_readahead: readers, each a read() the server leaves unanswered */
#define RA_READERS 16
#define RA_LEN (256UL << 10)
#define RA_APART (64ULL << 20)	/* between the readers' offsets */
#define RA_BOUND_S 20		/* how long the harm may take */

/* /proc/kpageflags bits */
#define KPF_LOCKED_BIT (1ULL << 0)
#define KPF_BUDDY_BIT (1ULL << 10)
#define KPF_HUGE_BIT (1ULL << 17)
#define KPF_NOPAGE_BIT (1ULL << 20)
#define KPF_OFFLINE_BIT (1ULL << 23)

struct ra_reader {
	pthread_t thread;
	int fd, started;
	char *buf;
	off_t off;
	ssize_t got;
	int err;
};

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

/*
 * Pages of the harm's region (offline, once its blocks are noted: of
 * those blocks) whose /proc/kpageflags has a bit of any and none of none,
 * except those skip marks (indexed from the region's first pfn): how
 * many, or -errno. The first max of their pfns go to pfns. For holders
 * whose pages no mapping of ours shows: the buffer cache, readahead.
 */
static long region_pages(const struct harm *hm, uint64_t any, uint64_t none,
			 const uint8_t *skip, uint64_t *pfns, size_t max)
{
	const struct cma_area *r = &hm->region;
	uint64_t per = memory_block_bytes() / PAGE_SZ, pfn, flags[512];
	int fd = open("/proc/kpageflags", O_RDONLY);
	size_t j, k, batch = 0;
	long n = 0;

	if (fd < 0)
		return -errno;
	for (pfn = r->base_pfn; pfn < r->base_pfn + r->count; pfn++) {
		k = (pfn - r->base_pfn) % 512;
		if (!k) {
			batch = r->base_pfn + r->count - pfn < 512 ?
				r->base_pfn + r->count - pfn : 512;
			if (pread(fd, flags, batch * sizeof(*flags),
				  pfn * sizeof(*flags)) !=
			    (ssize_t)(batch * sizeof(*flags))) {
				close(fd);
				return -EIO;
			}
		}
		if (!(flags[k] & any) || flags[k] & none ||
		    (skip && skip[pfn - r->base_pfn]))
			continue;
		if (hm->nblocks && per) {
			for (j = 0; j < hm->nblocks; j++)
				if (pfn / per == hm->blocks[j])
					break;
			if (j == hm->nblocks)
				continue;
		}
		if ((size_t)n < max)
			pfns[n] = pfn;
		n++;
	}
	close(fd);
	return n;
}

/*
 * jbd2's pages: in use, that is neither free (buddy) nor a hole, nor part
 * of a huge page (the gigantic harm's own page, once allocated).
 */
#define BUSY_ANY (~(KPF_BUDDY_BIT | KPF_NOPAGE_BIT))
#define BUSY_NONE (KPF_HUGE_BIT | KPF_OFFLINE_BIT)

/* How many of the n pfns have a bit of any and none of none, or -errno. */
static long pfns_flagged(const uint64_t *pfns, size_t n, uint64_t any,
			 uint64_t none)
{
	int fd = open("/proc/kpageflags", O_RDONLY);
	uint64_t flags;
	long in = 0;
	size_t i;

	if (fd < 0)
		return -errno;
	for (i = 0; i < n; i++) {
		if (pread(fd, &flags, sizeof(flags), pfns[i] * sizeof(flags)) !=
		    sizeof(flags)) {
			in = -EIO;
			break;
		}
		in += (flags & any) && !(flags & none);
	}
	close(fd);
	return in;
}

static int in_region(const struct cma_area *r, int64_t pfn)
{
	return pfn > 0 && (uint64_t)pfn >= r->base_pfn &&
	       (uint64_t)pfn < r->base_pfn + r->count;
}

/*
 * The buffer gave its region pages back, but fill_region() also gave back
 * pages outside the region, for the harm's migrations: allocations prefer
 * those. Take them again, down to keep_mib outside every CMA area as the
 * fill left it, with an anonymous ballast whose pages that land in the
 * region are given back at once; stop early once most of a MiB of it lands
 * in the region. What the holder allocates next then lands there.
 * ballast_drop() gives it back before the harm. 0 or -errno.
 */
static int ballast_take(struct holder *h, const struct cma_area *region,
			size_t keep_mib)
{
	uint64_t free_kib = 0, cma_kib = 0;
	size_t i, j, max, in;
	int err = mem_free_kib(&free_kib, &cma_kib);

	if (err)
		return err;
	max = free_kib / (PAGE_SZ / 1024);
	h->ballast = mmap(NULL, max * PAGE_SZ, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (h->ballast == MAP_FAILED) {
		h->ballast = NULL;
		return -errno;
	}
	h->nballast = max;
	madvise(h->ballast, max * PAGE_SZ, MADV_NOHUGEPAGE);
	for (i = 0; i + 256 <= max; i += 256) {
		err = mem_free_kib(&free_kib, &cma_kib);
		if (err || free_kib - cma_kib < (uint64_t)keep_mib << 10)
			break;
		for (in = 0, j = i; j < i + 256; j++) {
			char *p = h->ballast + j * PAGE_SZ;

			*(volatile char *)p = 1;
			if (in_region(region, pfn_of(p))) {
				madvise(p, PAGE_SZ, MADV_DONTNEED);
				in++;
			}
		}
		if (in > 128)
			break;
	}
	return err;
}

static void ballast_drop(struct holder *h)
{
	if (h->ballast)
		munmap(h->ballast, h->nballast * PAGE_SZ);
	h->ballast = NULL;
}

/*
 * fuse_splice: start the FUSE server, keeping the spliced WRITE pipes, and
 * put the page cache of its file where the buffer's region pages were:
 * free those, take a ballast, then write the file a request at a time
 * until as many of
 * its pages sit in the region, or 2 * that + 2048 pages are written (as
 * fill_to_file() does for a memfd). The data are io_pattern()'s, which the
 * server checks too. f->cma_pages then lists the file's pages in the
 * region (in its mapping), f->ncma their number. 0 or -errno.
 */
static int fuse_splice_fill(struct holder *h, struct fill *f,
			    const struct cma_area *region)
{
	size_t want = f->ncma, per = FUSE_CHUNK / PAGE_SZ;
	size_t cap = (2 * want + 2048 + per - 1) / per * per;
	size_t i, j, got = 0, writes = 0;
	char *buf = malloc(FUSE_CHUNK), *map;
	int err;

	if (!buf)
		return -ENOMEM;
	memset(buf, 0, FUSE_CHUNK);	/* its pages, before the region frees */
	err = fuse_srv_start(&h->fuse, FUSE_MNT, 0);
	if (err)
		goto out;
	h->served_fd = open(FUSE_MNT "/plain", O_RDWR);
	if (h->served_fd < 0) {
		err = -errno;
		goto out;
	}
	map = mmap(NULL, cap * PAGE_SZ, PROT_READ, MAP_SHARED, h->served_fd,
		   0);
	if (map == MAP_FAILED) {
		err = -errno;
		goto out;
	}
	f->fmap = map;
	f->fmapped = cap;
	for (i = 0; i < f->ncma; i++)
		madvise(f->cma_pages[i], PAGE_SZ, MADV_DONTNEED);
	err = ballast_take(h, region, harm_keep_mib());
	if (err)
		goto out;
	fuse_srv_keep(&h->fuse, 1);
	for (i = 0; i < cap && got < want && !err; i += per, writes++) {
		io_pattern(buf, FUSE_CHUNK, i * PAGE_SZ);
		if (pwrite(h->served_fd, buf, FUSE_CHUNK, i * PAGE_SZ) !=
		    (ssize_t)FUSE_CHUNK) {
			err = errno ? -errno : -EIO;
			break;
		}
		for (j = i; j < i + per; j++) {
			char *at = map + j * PAGE_SZ;

			(void)*(volatile char *)at;
			if (count_in_cma(region, &at, 1) == 1)
				f->cma_pages[got++] = at;
		}
	}
	fuse_srv_keep(&h->fuse, 0);
	f->ncma = got;
	f->fpages = i;
	if (!err && h->fuse.nkept < writes)
		err = -EPROTO;		/* the server did not keep them all */
	if (!err && !got)
		err = -ENOSPC;
out:
	free(buf);
	return err;
}

/*
 * fuse_splice: how many of the n pages of the file's mapping sit in the
 * region (offline: in its blocks); *dropped gets how many are no longer
 * mapped: the harm reclaimed their clean page cache instead of moving it,
 * which the patched kernel lets it do, and the server has their data
 * (FUSE has no ->migrate_folio, and alloc_contig_range() reclaims clean
 * file pages first). -1 on error.
 */
static long fuse_splice_count(const struct harm *hm, char *const *pages,
			      size_t n, size_t *dropped)
{
	char **mapped = malloc((n + 1) * sizeof(*mapped));
	size_t i, k = 0;
	long in;

	if (!mapped)
		return -1;
	for (i = 0; i < n; i++) {
		int64_t pfn = pfn_of(pages[i]);

		if (pfn < 0) {
			free(mapped);
			return -1;
		}
		if (pfn)
			mapped[k++] = pages[i];
	}
	*dropped = n - k;
	in = harm_count(hm, mapped, k);
	free(mapped);
	return in;
}

/*
 * fuse_splice: the file's region pages still in the page cache (a dropped
 * one would be read from the server again) whose data differ from what
 * was written.
 */
static size_t fuse_splice_damaged(const struct fill *f)
{
	size_t i, bad = 0;

	for (i = 0; i < f->ncma; i++)
		bad += pfn_of(f->cma_pages[i]) > 0 &&
		       io_mismatch(f->cma_pages[i], PAGE_SZ,
				   f->cma_pages[i] - f->fmap) != 0;
	return bad;
}

/* Run path with argv, its output discarded: 0 if it exited 0, or -errno. */
static int run_quiet(const char *path, char *const argv[])
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return -errno;
	if (!pid) {
		int fd = open("/dev/null", O_WRONLY);

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execv(path, argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -EIO;
}

/*
 * jbd2, before filling memory: a fresh ext4 with its journal on the RAM
 * disk, mounted. mke2fs wrote through the device's page cache, whose
 * pages ext4 would otherwise find there: dropped. 0 or -errno.
 */
static int jbd2_mount(struct holder *h)
{
	char *const argv[] = { "mke2fs", "-q", "-F", "-t", "ext4", JBD2_DEV,
			       NULL };
	int fd, err = run_quiet("/sbin/mke2fs", argv);

	if (err)
		return err;
	fd = open(JBD2_DEV, O_RDONLY);
	if (fd < 0)
		return -errno;
	fsync(fd);
	err = posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	close(fd);
	if (err)
		return -err;
	mkdir(JBD2_MNT, 0755);
	if (mount(JBD2_DEV, JBD2_MNT, "ext4", 0, NULL))
		return -errno;
	h->jbd2_mounted = 1;
	return 0;
}

/*
 * Unmount, and discard the RAM disk: brd gives its pages back, which the
 * following scenarios' fills would otherwise miss.
 */
static void jbd2_unmount(void)
{
	uint64_t range[2] = { 0, 0 };
	int fd;

	umount(JBD2_MNT);
	fd = open(JBD2_DEV, O_WRONLY);
	if (fd < 0)
		return;
	if (!ioctl(fd, BLKGETSIZE64, &range[1]))
		ioctl(fd, BLKDISCARD, range);
	close(fd);
}

/*
 * jbd2, with free memory mostly in the region (the buffer's region pages
 * freed, a ballast taken): mark in skip the region pages in use before
 * (pfns: room for the region's), then create JBD2_DIRS directories of
 * JBD2_FILES files, a page each stamped with the file's number, then
 * sync(): the journal keeps the metadata buffers it committed referenced
 * until a checkpoint. 0 or -errno.
 */
static int jbd2_workload(struct holder *h, const struct harm *hm,
			 struct fill *f, uint8_t *skip, uint64_t *pfns)
{
	char path[64], *data = aligned_alloc(PAGE_SZ, PAGE_SZ);
	int d, i, fd, err = 0;
	long k, n;

	if (!data)
		return -ENOMEM;
	memset(data, 0, PAGE_SZ);
	for (k = 0; k < (long)f->ncma; k++)
		madvise(f->cma_pages[k], PAGE_SZ, MADV_DONTNEED);
	f->ncma = 0;		/* the buffer holds nothing in the region now */
	err = ballast_take(h, &hm->region, harm_keep_mib());
	/* what is in use in the region now is not the workload's */
	n = err ? err : region_pages(hm, BUSY_ANY, BUSY_NONE, NULL, pfns,
				     hm->region.count);
	if (n < 0) {
		free(data);
		return n;
	}
	for (k = 0; k < n; k++)
		skip[pfns[k] - hm->region.base_pfn] = 1;
	for (d = 0; d < JBD2_DIRS && !err; d++) {
		snprintf(path, sizeof(path), JBD2_MNT "/d%d", d);
		if (mkdir(path, 0755)) {
			err = -errno;
			break;
		}
		for (i = 0; i < JBD2_FILES && !err; i++) {
			snprintf(path, sizeof(path), JBD2_MNT "/d%d/f%d", d, i);
			fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
			if (fd < 0) {
				err = -errno;
				break;
			}
			stamp_page(data, d * JBD2_FILES + i);
			if (write(fd, data, PAGE_SZ) != (ssize_t)PAGE_SZ)
				err = -EIO;
			close(fd);
		}
	}
	free(data);
	sync();
	return err;
}

/* jbd2: files whose stamp does not read back */
static size_t jbd2_damaged(void)
{
	char path[64], *data = aligned_alloc(PAGE_SZ, PAGE_SZ);
	size_t bad = 0;
	int d, i, fd;

	if (!data)
		return JBD2_DIRS * JBD2_FILES;
	for (d = 0; d < JBD2_DIRS; d++)
		for (i = 0; i < JBD2_FILES; i++) {
			snprintf(path, sizeof(path), JBD2_MNT "/d%d/f%d", d, i);
			fd = open(path, O_RDONLY);
			bad += fd < 0 ||
			       read(fd, data, PAGE_SZ) != (ssize_t)PAGE_SZ ||
			       !stamp_ok(data, d * JBD2_FILES + i);
			if (fd >= 0)
				close(fd);
		}
	free(data);
	return bad;
}

static void *ra_read(void *arg)
{
	struct ra_reader *r = arg;

	r->got = pread(r->fd, r->buf, RA_LEN, r->off);
	r->err = r->got < 0 ? -errno : 0;
	return NULL;
}

/*
 * fuse_readahead: start the FUSE server holding READs, free the buffer's
 * region pages, take a ballast, and start RA_READERS threads, each a
 * read() of RA_LEN at its own offset of the file: the readahead of each
 * allocates its folios, locked until the server answers, where free
 * memory is. 0 once every reader's READ is held, or -errno.
 */
static int ra_hold(struct holder *h, const struct cma_area *region,
		   struct fill *f)
{
	size_t i;
	int err = fuse_srv_start(&h->fuse, FUSE_MNT, 1);

	if (err)
		return err;
	h->readers = calloc(RA_READERS, sizeof(*h->readers));
	if (!h->readers)
		return -ENOMEM;
	for (i = 0; i < RA_READERS; i++) {
		struct ra_reader *r = &h->readers[i];

		r->fd = open(FUSE_MNT "/plain", O_RDONLY);
		r->buf = malloc(RA_LEN);
		if (r->fd < 0 || !r->buf)
			return r->fd < 0 ? -errno : -ENOMEM;
		memset(r->buf, 0, RA_LEN);
		r->off = i * RA_APART;
		h->nreaders++;
	}
	for (i = 0; i < f->ncma; i++)
		madvise(f->cma_pages[i], PAGE_SZ, MADV_DONTNEED);
	f->ncma = 0;
	err = ballast_take(h, region, harm_keep_mib());
	if (err)
		return err;
	for (i = 0; i < h->nreaders; i++) {
		struct ra_reader *r = &h->readers[i];

		err = pthread_create(&r->thread, NULL, ra_read, r);
		if (err)
			return -err;
		r->started = 1;
	}
	return fuse_srv_wait_held(&h->fuse, h->nreaders, HOLD_S);
}

/* fuse_readahead: pages the readers got that are not the file's data */
static size_t ra_damaged(const struct holder *h)
{
	size_t i, p, bad = 0;

	for (i = 0; i < h->nreaders; i++) {
		const struct ra_reader *r = &h->readers[i];

		for (p = 0; p < RA_LEN / PAGE_SZ; p++)
			bad += r->got != (ssize_t)RA_LEN ||
			       io_mismatch(r->buf + p * PAGE_SZ, PAGE_SZ,
					   r->off + p * PAGE_SZ);
	}
	return bad;
}

/* Answer the held reads and wait for the readers. */
static void ra_release(struct holder *h)
{
	size_t i;

	if (h->fuse.mounted)
		fuse_srv_answer(&h->fuse);
	for (i = 0; i < h->nreaders; i++) {
		if (h->readers[i].started)
			pthread_join(h->readers[i].thread, NULL);
		h->readers[i].started = 0;
	}
}

struct harm_thread {
	struct harm *hm;
	int result;
};

static void *harm_thread(void *arg)
{
	struct harm_thread *t = arg;

	t->result = harm_do(t->hm);
	return NULL;
}

static double since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return t1.tv_sec - t0->tv_sec + (t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/*
 * fuse_readahead: the harm's operation in a thread, waited for RA_BOUND_S.
 * Its result, or -EINPROGRESS if it had not returned by then; *took gets
 * how long it took (or the bound). Then the reads are answered, the
 * operation is waited for, and if it did not succeed it is done once
 * more: *then gets that result, the operation once the server answered.
 * Counts how many of the n held pfns are locked just before (*before)
 * and at its return or the bound (*after). Undoes what succeeded;
 * hm->offlined is left as it was at the return or the bound.
 */
static int ra_harm(struct holder *h, struct harm *hm, const uint64_t *pfns,
		   size_t n, long *before, long *after, double *took, int *then)
{
	struct harm_thread t = { .hm = hm };
	struct timespec t0, until;
	pthread_t thread;
	size_t offlined;
	int err, result;

	*before = *after = pfns_flagged(pfns, n, KPF_LOCKED_BIT, 0);
	*took = 0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += RA_BOUND_S;
	err = pthread_create(&thread, NULL, harm_thread, &t);
	if (err) {
		*then = -err;
		return -err;
	}
	err = pthread_timedjoin_np(thread, NULL, &until);
	*took = since(&t0);
	*after = pfns_flagged(pfns, n, KPF_LOCKED_BIT, 0);
	result = err ? -EINPROGRESS : t.result;
	/* offline: the blocks offlined by then, as the row reports them */
	offlined = __atomic_load_n(&hm->offlined, __ATOMIC_RELAXED);
	ra_release(h);
	if (err)
		pthread_join(thread, NULL);
	*then = t.result;
	if (t.result) {
		if (hm->offlined) {
			harm_undo(hm);
			hm->offlined = 0;
		}
		*then = harm_do(hm);
	}
	if (!*then || hm->offlined)
		harm_undo(hm);
	hm->offlined = offlined;
	return result;
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
	if (h->readers)
		ra_release(h);
	release_served(h);
	sg_dio_release(&h->sg);
	sg_disk_close(&h->disk);
	for (i = 0; i < h->nfds; i++)
		close(h->fds[i]);
	free(h->fds);
	pipes_close(&h->pipes);
	if (h->file_fd >= 0)
		close(h->file_fd);
	if (h->jbd2_mounted)
		jbd2_unmount();
	ballast_drop(h);
	for (i = 0; i < h->nreaders; i++) {
		close(h->readers[i].fd);
		free(h->readers[i].buf);
	}
	free(h->readers);
}

static void harm_print(const struct harm *hm, const char *path,
		       size_t filled, size_t held, const char *before,
		       const char *after, int result, size_t damaged,
		       const char *extra)
{
	printf("PINLIFE-HARM harm=%s path=%s region_pages=%llu filled=%zu held=%zu before=%s after=%s result=%s intact=%s",
	       hm->name, path, (unsigned long long)hm->region.count, filled,
	       held, before, after, result ? strerrorname_np(-result) : "ok",
	       damaged ? "no" : "yes");
	if (!strcmp(hm->name, "offline"))
		printf(" blocks=%zu offlined=%zu", hm->nblocks, hm->offlined);
	printf("%s\n", extra ? extra : "");
}

int main(int argc, char **argv)
{
	struct holder h = { .gup_fd = -1, .zc_fd = { -1, -1 },
			    .served_fd = -1, .file_fd = -1 };
	struct harm hm = { .name = argc == 3 ? argv[1] : "" };
	struct fill f;
	const char *path = argc == 3 ? argv[2] : "";
	char before[24], after[24], extra[64] = "";
	int err, result;
	/* holders whose pages we find by their page flags, not our mappings */
	int by_flags = !strcmp(path, "jbd2") || !strcmp(path, "fuse_readahead");
	uint64_t *pfns = NULL;
	uint8_t *skip = NULL;
	size_t damaged, held, filled;

	if (argc != 3 || !strcmp(argv[1], "--help")) {
		fprintf(stderr, "usage: %s cma|offline|gigantic plain|vmsplice|io_uring|gup_longterm|gup_ephemeral|sg_dio|msg_zerocopy|fuse_dio|ublk_dio|splice|sendfile|fuse_splice|jbd2|fuse_readahead\n",
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
	if (by_flags) {
		/* room for the region's pfns, in place before the fill */
		pfns = malloc(hm.region.count * sizeof(*pfns));
		skip = malloc(hm.region.count);
		if (!pfns || !skip) {
			fprintf(stderr, "harm_scenario: no memory\n");
			return 1;
		}
		memset(pfns, 0, hm.region.count * sizeof(*pfns));
		memset(skip, 0, hm.region.count);
	}
	if (!strcmp(path, "jbd2")) {
		/* before the fill: mke2fs is a child process */
		err = jbd2_mount(&h);
		if (err) {
			fprintf(stderr, "harm_scenario: ext4 on " JBD2_DEV ": %s\n",
				strerror(-err));
			return 1;
		}
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
	if (!strcmp(path, "splice") || !strcmp(path, "sendfile") ||
	    !strcmp(path, "fuse_splice")) {
		/* The page cache of a file in the region, in their place */
		if (path[0] == 'f') {
			err = fuse_splice_fill(&h, &f, &hm.region);
		} else {
			h.file_fd = memfd_create("harm", 0);
			err = h.file_fd < 0 ? -errno :
			      fill_to_file(&f, &hm.region, h.file_fd, f.ncma);
		}
		if (err) {
			fprintf(stderr, "harm_scenario: page cache in place of the buffer: %s\n",
				strerror(-err));
			release(&h);
			return 1;
		}
	}
	filled = f.ncma;
	if (by_flags) {
		long n;

		/* the buffer's region pages make room for the holder's */
		err = path[0] == 'j' ? jbd2_workload(&h, &hm, &f, skip, pfns) :
		      ra_hold(&h, &hm.region, &f);
		n = err ? err : path[0] == 'j' ?
		    region_pages(&hm, BUSY_ANY, BUSY_NONE, skip, pfns,
				 hm.region.count) :
		    region_pages(&hm, KPF_LOCKED_BIT, 0, NULL, pfns,
				 hm.region.count);
		if (n <= 0) {
			fprintf(stderr, "harm_scenario: %s: %s: %s\n", hm.name,
				path, n ? strerror(-n) :
				"no page of the holder landed in the region");
			release(&h);
			return 1;
		}
		held = n;
	}
	if (!strcmp(hm.name, "offline")) {
		err = by_flags ? harm_blocks_pfns(&hm, pfns, held) :
		      harm_blocks(&hm, f.cma_pages, f.ncma);
		if (err) {
			fprintf(stderr, "harm_scenario: memory blocks: %s\n",
				strerror(-err));
			return 1;
		}
	}

	if (by_flags)
		err = 0;	/* held already */
	else
		held = f.ncma;
	if (by_flags || !strcmp(path, "plain") ||
	    !strcmp(path, "fuse_splice"))	/* the server keeps them */
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
		harm_print(&hm, path, filled, 0, "-", "-", err, 0, NULL);
		release(&h);
		fill_release(&f);
		return 0;
	}

	if (!strcmp(path, "fuse_readahead")) {
		long b, a;
		double took;
		int then;

		ballast_drop(&h);
		result = ra_harm(&h, &hm, pfns, held, &b, &a, &took, &then);
		snprintf(before, sizeof(before), "%ld", b);
		snprintf(after, sizeof(after), "%ld", a);
		snprintf(extra, sizeof(extra), " took=%.1fs then=%s", took,
			 then ? strerrorname_np(-then) : "ok");
		damaged = ra_damaged(&h);
		release(&h);
		harm_print(&hm, path, filled, held, before, after, result,
			   damaged, extra);
		fill_release(&f);
		free(hm.blocks);
		free(pfns);
		free(skip);
		return 0;
	}
	ballast_drop(&h);
	snprintf(before, sizeof(before), "%ld",
		 by_flags ? pfns_flagged(pfns, held, BUSY_ANY, BUSY_NONE) :
		 harm_count(&hm, f.cma_pages, held));
	result = harm_do(&hm);
	if (!strcmp(path, "fuse_splice")) {
		size_t dropped = 0;

		snprintf(after, sizeof(after), "%ld",
			 fuse_splice_count(&hm, f.cma_pages, held, &dropped));
		snprintf(extra, sizeof(extra), " dropped=%zu", dropped);
	} else {
		snprintf(after, sizeof(after), "%ld",
			 by_flags ? pfns_flagged(pfns, held, BUSY_ANY,
						 BUSY_NONE) :
			 harm_count(&hm, f.cma_pages, held));
	}
	if (!strcmp(path, "jbd2")) {
		damaged = jbd2_damaged();
	} else if (!strcmp(path, "fuse_splice")) {
		long bad = fuse_srv_kept_check(&h.fuse);

		/* the page cache, and the data the server kept */
		damaged = fuse_splice_damaged(&f) + (bad != 0);
	} else {
		damaged = fill_damaged(&f);
	}
	release(&h);
	if (!result || hm.offlined)
		harm_undo(&hm);
	harm_print(&hm, path, filled, held, before, after, result, damaged,
		   extra[0] ? extra : NULL);
	fill_release(&f);
	free(hm.blocks);
	free(pfns);
	free(skip);
	return 0;
}
