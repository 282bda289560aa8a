/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the pinlife guest programs: the CMA area through
 * debugfs, physical frame numbers through /proc/self/pagemap, and a large
 * anonymous buffer that reaches into CMA.
 */
#ifndef PINLIFE_H
#define PINLIFE_H

#include <stddef.h>
#include <stdint.h>

#include "mm/gup_test.h"

/*
 * gup_test modes added by the series; the stock kernel's header lacks
 * them. Built for stock, a program passes them anyway and the stock
 * kernel ignores or rejects them, which is what its tests then report.
 */
#ifndef GUP_TEST_FLAG_EPHEMERAL
#define GUP_TEST_FLAG_EPHEMERAL			0x2
#endif
#ifndef GUP_TEST_FLAG_LONGTERM_REF
#define GUP_TEST_FLAG_LONGTERM_REF		0x4
#endif
#ifndef PIN_LONGTERM_TEST_FLAG_USE_EPHEMERAL
#define PIN_LONGTERM_TEST_FLAG_USE_EPHEMERAL	4
#endif

struct cma_area {
	char dir[256];		/* /sys/kernel/debug/cma/<name> */
	uint64_t base_pfn;
	uint64_t count;		/* pages */
};

/* Find the default CMA area ("reserved"); returns 0 or -errno. */
int cma_find(struct cma_area *cma);
/* Find the first CMA area whose name starts with prefix: 0 or -errno. */
int cma_find_named(struct cma_area *cma, const char *prefix);
/*
 * The pfn span of a zone of node 0 ("Movable", "Normal"...) from
 * /proc/zoneinfo, into base_pfn and count: 0, or -ENOENT if it is empty.
 */
int zone_find(struct cma_area *range, const char *zone);
/* Allocate the whole area through debugfs "alloc": 0 or -errno. */
int cma_alloc_all(const struct cma_area *cma);
/* Give back what cma_alloc_all() took. */
int cma_free_all(const struct cma_area *cma);

/* Page frame number backing addr, 0 if not present; -1 on error. */
int64_t pfn_of(const void *addr);
/*
 * Pages of the range in use with page flags set (/proc/kpageflags: not a
 * free buddy block, not a hole): how many, or -errno; first gets the pfn
 * and flags of the first ("pfn 0x...: anon lru ..."). Kernel pages without
 * flags are not seen.
 */
long range_busy(const struct cma_area *range, char *first, size_t size);
/* MemFree and CmaFree from /proc/meminfo, in KiB: 0 or -errno. */
int mem_free_kib(uint64_t *free_kib, uint64_t *cma_kib);
/* How many of the n pages listed in pages[] sit inside the CMA area. */
/* Whether pfn (> 0: a present page) lies in the pfn range cma. */
int in_cma(const struct cma_area *cma, int64_t pfn);
long count_in_cma(const struct cma_area *cma, char *const *pages, size_t n);

struct fill {
	char *base;
	size_t npages;		/* mapped */
	size_t filled;		/* populated, from the start */
	char **cma_pages;	/* pages of the buffer that sat in CMA */
	size_t ncma;
	/* fill_to_file(): the file's mapping and its length in pages */
	char *fmap;
	size_t fpages, fmapped;
};

/*
 * Populate an anonymous buffer, stamping every page with its index (first,
 * middle and last words), until
 * want of its pages sit in the pfn range region (a CMA area, a zone), or
 * only keep_mib is left outside CMA; list the pages that landed in the
 * region (cma_pages). Then release enough of the buffer's other pages that
 * every region page could migrate, first those a long-term pin may use
 * (outside CMA and ZONE_MOVABLE). Returns 0 or -errno.
 */
int fill_region(const struct cma_area *region, size_t want, size_t keep_mib,
		struct fill *f);
/* fill_region() until the CMA area is nearly used up (4 MiB left). */
int fill_memory(const struct cma_area *cma, size_t keep_mib, struct fill *f);
/*
 * A page's stamp: its index in the first, middle and last words, so that
 * a page copied or migrated in part does not pass for intact. stamp_ok()
 * is 1 if the page carries the stamp of idx.
 */
void stamp_page(char *page, size_t idx);
int stamp_ok(const char *page, size_t idx);
/* Check the stamps of the buffer's CMA pages: number of damaged pages. */
size_t fill_damaged(const struct fill *f);
void fill_release(struct fill *f);

/* Pipes holding vmspliced pages, PIPE_SLOTS pages each. */
#define PIPE_SLOTS 256		/* F_SETPIPE_SZ of 1 MiB */
/*
 * Marks for tools/insnprof (make profile): code at a fixed user address
 * whose execution the QEMU plugin sees. profile_marks_map() maps it (0, or
 * -errno: the marks then do nothing); profile_mark(1) opens the window the
 * plugin counts in, profile_mark(0) closes it. A call and a return each.
 */
#define PROFILE_MARK_ADDR 0x100000000000UL
int profile_marks_map(void);
void profile_mark(int on);

struct pipes {
	int (*fd)[2];
	size_t n;
};

/*
 * vmsplice() each of the n pages into pipes that nobody reads, a page per
 * iovec, PIPE_SLOTS per pipe. Returns 0 or -errno (-EAGAIN: a short
 * splice). The pipes stay open, holding the pages, until pipes_close().
 */
int vmsplice_pages(struct pipes *p, char *const *pages, size_t n);
void pipes_close(struct pipes *p);

/*
 * Replace up to max of the buffer's region pages with page cache of the
 * file fd (a memfd, or a file on ext4): the buffer's region pages are
 * freed, then the file is grown a page at a time (mapped MAP_SHARED,
 * each page stamped as a buffer page is) until max of its pages, or as
 * many as the buffer had, sit in region, or 2 * max + 2048 pages are
 * written. f->cma_pages then lists the file's pages in the region
 * (addresses in the file's mapping), f->ncma their number and f->fpages
 * the file's length in pages; fill_damaged() and fill_release() cover
 * them. 0, -ENOSPC if no page landed in the region, or -errno.
 */
int fill_to_file(struct fill *f, const struct cma_area *region, int fd,
		 size_t max);
/*
 * splice() pages 0..n-1 of the file fd into pipes that nobody reads,
 * PIPE_SLOTS per pipe. 0 or -errno (-EAGAIN: a short splice). The pipes
 * stay open, holding what was spliced, until pipes_close().
 */
int splice_file_pages(struct pipes *p, int fd, size_t n);
/*
 * tee() every pipe of from into a new pipe of to, whole: 0 or -errno.
 */
int tee_pipes(struct pipes *to, const struct pipes *from);
/*
 * Check that the pipes of p, read in order, hold pages 0..n-1 of the
 * file fd, whole: the number of pages that differ or could not be read.
 * Drains the pipes.
 */
size_t pipes_differ(const struct pipes *p, int fd, size_t n);
/*
 * sendfile() pages 0..n-1 of the file fd to the socket sock, without
 * blocking, until it takes no more: the number of whole pages taken. A
 * partial page is not counted. *err gets 0, or the -errno that stopped
 * it other than EAGAIN.
 */
size_t sendfile_pages(int sock, int fd, size_t n, int *err);

/*
 * Hold gup_test pins (PIN_LONGTERM_TEST_START with flags, plus
 * PIN_LONGTERM_TEST_FLAG_USE_WRITE) over the span of the n pages; *fd
 * receives the gup_test file. 0 or -errno. gup_release() drops them.
 */
int gup_hold(int *fd, char *const *pages, size_t n, unsigned int flags);
void gup_release(int fd);

/*
 * The scsi_debug disk through the SCSI generic driver (sg), with direct
 * I/O allowed: sg_disk_open() finds its /dev/sgN, sets sg's allow_dio
 * (and a one-page reserve buffer per open file) and clears the disk's
 * power-on unit attention; sg_disk_close() restores the parameters.
 */
struct sg_disk {
	char dev[32];		/* /dev/sgN */
	char allow_dio[16];	/* saved module parameters */
	char reserved[16];
};
int sg_disk_open(struct sg_disk *d);
void sg_disk_close(struct sg_disk *d);

/*
 * One synchronous SG_IO direct-I/O READ(10) or WRITE(10) of len bytes
 * (a multiple of 512) at lba. 0 when the command succeeded and really
 * used direct I/O, -EREMOTEIO on a SCSI error, -EXDEV if sg fell back to
 * copying, else -errno.
 */
int sg_dio_sync(int fd, int to_disk, uint64_t lba, void *buf, size_t len);

/*
 * Queue one asynchronous direct-I/O READ(10) or WRITE(10) of len bytes at
 * LBA 0 with write(): 0 or -errno. The result is read() later, or never.
 */
int sg_dio_submit(int fd, int to_disk, void *buf, size_t len, int pack_id);
/*
 * Set scsi_debug's completion delay (jiffies; "0": at once, in the
 * submitter's context), saving the old value in old when old is not NULL.
 * 0 or -errno.
 */
int sg_debug_delay(const char *val, char *old, size_t size);

#define SG_RUN_PAGES 64		/* at most per request */
#define SG_REQS_PER_FD 16	/* SG_MAX_QUEUE */
struct sg_hold {
	int *fds;
	size_t nfds;
	size_t nreq;		/* requests issued */
};

/*
 * Asynchronous direct I/O through sg over the n pages (sorted by
 * address): one request per run of consecutive pages, up to SG_RUN_PAGES
 * pages, to the disk (to_disk: the pages are read) or from it (written),
 * every request at LBA 0. Waits until every request has completed and
 * leaves the results unread. 0 or -errno (-ETIMEDOUT: not all complete).
 */
int sg_dio_hold(struct sg_hold *h, const char *dev, char *const *pages,
		size_t n, int to_disk);
/*
 * read() every result: the number of requests that failed or did not use
 * direct I/O, or -errno.
 */
long sg_dio_reap(struct sg_hold *h);
/* Close the files, dropping any unread result. */
void sg_dio_release(struct sg_hold *h);

/*
 * A loopback TCP connection (lo is brought up) for MSG_ZEROCOPY: fd[0]
 * sends, with SO_ZEROCOPY and a 64 MiB send buffer; fd[1] receives, with
 * the smallest receive buffer, so that what it does not read keeps the
 * sender's data queued. 0 or -errno.
 */
int zerocopy_pair(int fd[2]);
/*
 * Send the pages (a page per iovec) with MSG_ZEROCOPY | MSG_DONTWAIT until
 * the socket takes no more: the number of whole pages taken. *sends gets
 * the number of sendmsg() calls that took something, the zerocopy
 * notification IDs 0..*sends-1. A partially sent page is not counted.
 * *err gets 0, or the -errno that stopped the sends other than EAGAIN.
 */
size_t zerocopy_send(int fd, char *const *pages, size_t n, unsigned int *sends,
		     int *err);

/*
 * Memory blocks (/sys/devices/system/memory): the block size in bytes, 0
 * if there is no memory hotplug.
 */
uint64_t memory_block_bytes(void);
/*
 * Offline memory block n. The kernel retries the migration of what is in
 * the block until a fatal signal, so a child process does it and dies of
 * SIGALRM after timeout_s: 0, -ETIMEDOUT (still retrying), or -errno.
 */
int memory_block_offline(unsigned long n, int timeout_s);
/* Online memory block n into ZONE_MOVABLE: 0 or -errno. */
int memory_block_online_movable(unsigned long n);
/*
 * The RAM the host hid from the boot (mem=) for the guest to add at run
 * time: pinlife.probe=START,SIZE on the kernel command line, in bytes.
 * 0, or -ENOENT without it.
 */
int probe_param(uint64_t *start, uint64_t *size);
/*
 * Add [start, start + size) through memory/probe, a memory block at a time
 * (blocks added before are kept), and online every block movable: the
 * first block's number, or -errno. *nblocks gets how many.
 */
long memory_probe_movable(uint64_t start, uint64_t size, size_t *nblocks);

/*
 * Ask hugetlb for one 1 GiB page at run time (nr_hugepages of
 * hugepages-1048576kB): 0 if it got one, -ENOMEM if not, -errno if the
 * kernel has no such size. gigantic_free() gives it back.
 */
int gigantic_alloc(void);
void gigantic_free(void);

/* VmPin of this process in kB (/proc/self/status: mm->pinned_vm), or -1. */
long vm_pin(void);
/* One counter of /proc/vmstat, exact (vm.stat_refresh first); -1 if absent. */
long long vmstat(const char *name);

/* Sleep for ms milliseconds. */
void sleep_ms(long ms);
/* Read the first line of a file, without its newline: 0 or -errno. */
int read_str(const char *path, char *buf, size_t size);
/* Read one unsigned number from a file: 0 or -errno. */
int read_u64(const char *path, uint64_t *val);
/* Write a string to a file: 0 or -errno. */
int write_str(const char *path, const char *s);

/* /dev/kmsg, positioned after the last record: an fd, or -errno. */
int kmsg_open_end(void);
/*
 * Read the kernel log records logged since (fd from kmsg_open_end()):
 * how many say WARNING:, BUG: or Oops; the first of them goes to first.
 */
int kmsg_bad(int fd, char *first, size_t size);

/*
 * The data of the test servers' files and disks (pinlife_fuse.c,
 * pinlife_ublk.c): the 8-byte word at byte offset off (a multiple of 8).
 */
static inline uint64_t io_word(uint64_t off)
{
	return 0x70696e6cULL << 32 ^ off;	/* "pinl" */
}
/* Fill len bytes at buf (a multiple of 8) as the data at off read. */
void io_pattern(void *buf, size_t len, uint64_t off);
/* How many of the len / 8 words at buf differ from the data at off. */
size_t io_mismatch(const void *buf, size_t len, uint64_t off);

#define PAGE_SZ 4096UL

#endif
