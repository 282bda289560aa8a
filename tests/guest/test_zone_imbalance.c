// SPDX-License-Identifier: GPL-2.0
/*
 * Long-term pins move pages out of ZONE_MOVABLE and CMA, into the zones
 * the kernel's unmovable allocations use (issue 25; "Zone imbalances" in
 * Documentation/admin-guide/mm/memory-hotplug.rst): a user who pins can
 * run those zones out of memory. In a guest with a large ZONE_MOVABLE
 * (movablecore=; the suite skips without it), unprivileged processes
 * (uids of their own, no capabilities, the OOM killer's first choice) pin
 * what they can through the paths the series made long-term, while this
 * process, root and exempt from the OOM killer, watches the zones below
 * Movable ("low zones": DMA32 in a 1 GiB x86_64 guest) and the kernel log:
 *
 *  A. a registration charged to pinned_vm and bounded by RLIMIT_MEMLOCK:
 *     gup_test's held pin with PIN_LONGTERM_TEST_FLAG_ACCOUNT, standing in
 *     for a TEE registration. Each process is refused past its limit with
 *     ENOMEM, VmPin shows what it holds, the low zones lose no more than
 *     the limit. gup_test holds one pin system-wide: the processes take
 *     turns.
 *  B. the same without the limit (RLIMIT_MEMLOCK unlimited), which is what
 *     the limit prevents: a pin of what the low zones have free less a
 *     safety margin, then one of more than they have, which the OOM
 *     killer ends.
 *  C. vmsplice() into pipes nobody reads, several processes under several
 *     uids until the per-user pipe limits (pipe-user-pages-soft/hard,
 *     RLIMIT_NOFILE) stop them; the same processes then write() into
 *     pipes, which takes low-zone pages on stock too: the same bound, and
 *     on the patched kernel the same zones.
 *
 * Both limits count base pages. A page of a transparent huge page that is
 * pinned or spliced would keep the whole huge page, moved into the low
 * zones whole; the series splits a large folio that a pin covers only in
 * part (mm/gup.c), and two results check that one charged page and one
 * pipe slot keep no more of the low zones than a page.
 *
 * On stock 6.12 the ACCOUNT flag is refused (EINVAL): the processes hold
 * the same pin unaccounted and unlimited; vmspliced pages stay in
 * ZONE_MOVABLE.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/capability.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/swap.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest.h"
#include "pinlife.h"

#ifndef PIN_LONGTERM_TEST_FLAG_ACCOUNT
#define PIN_LONGTERM_TEST_FLAG_ACCOUNT 16
#endif
#define KPF_THP 22

#define MIB_PAGES ((long)(1048576 / PAGE_SZ))
#define THP_PAGES 512L
#define UID_BASE 61000
#define A_PROCS 8		/* A: processes, over two uids */
#define A_TRY_MIB 64		/* A: the registration each tries first */
#define C_UIDS 2		/* C: uids, */
#define C_PER_UID 4		/* processes per uid, */
#define C_NOFILE 256		/* and their RLIMIT_NOFILE */
#define C_PROCS (C_UIDS * C_PER_UID)
#define THP_SLOTS 32		/* huge pages, one page of each spliced */
#define MARGIN_MIB 16L		/* allowance for page tables, slab, pcp */
#define B_SAFETY_MIB 64L	/* B: what the first pin leaves free */
#define B_OVER_MIB 32L		/* B: what the second asks beyond free */
#define WAIT_S 90

static long mib(long pages)
{
	return pages / MIB_PAGES;
}

/* Free pages of the zones below Movable, and of Movable, on node 0. */
struct zones {
	long low_free, low_min, low_managed;
	long mov_free, mov_managed;
	unsigned long long mov_start, mov_end;
	char low_names[64];
};

static void zone_add(struct zones *z, const char *name, long free, long min,
		     long managed, unsigned long long start,
		     unsigned long long spanned)
{
	size_t len = strlen(z->low_names);

	if (!strcmp(name, "Movable")) {
		z->mov_free = free;
		z->mov_managed = managed;
		z->mov_start = start;
		z->mov_end = start + spanned;
	} else if (managed > 0) {
		z->low_free += free;
		z->low_min += min;
		z->low_managed += managed;
		snprintf(z->low_names + len, sizeof(z->low_names) - len,
			 "%s%s", len ? "+" : "", name);
	}
}

/*
 * Read /proc/zoneinfo; refresh: fold the per-CPU counters first (exact,
 * but it waits for every CPU). 0, or -ENOENT without ZONE_MOVABLE.
 */
static int zones_read(struct zones *z, int refresh)
{
	unsigned long long start = 0, spanned = 0, u;
	long free = 0, min = 0, managed = 0, v;
	char line[256], name[32] = "", next[32];
	FILE *f;

	memset(z, 0, sizeof(*z));
	if (refresh)
		write_str("/proc/sys/vm/stat_refresh", "1");
	f = fopen("/proc/zoneinfo", "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Node 0, zone %31s", next) == 1) {
			if (name[0])
				zone_add(z, name, free, min, managed, start,
					 spanned);
			snprintf(name, sizeof(name), "%s", next);
			free = min = managed = 0;
			start = spanned = 0;
		} else if (sscanf(line, " pages free %ld", &v) == 1) {
			free = v;
		} else if (sscanf(line, " min %ld", &v) == 1) {
			min = v;
		} else if (sscanf(line, " managed %ld", &v) == 1) {
			managed = v;
		} else if (sscanf(line, " spanned %llu", &u) == 1) {
			spanned = u;
		} else if (sscanf(line, " start_pfn: %llu", &u) == 1) {
			start = u;
		}
	}
	if (name[0])
		zone_add(z, name, free, min, managed, start, spanned);
	fclose(f);
	return z->mov_managed > 0 ? 0 : -ENOENT;
}

/* Kernel log records since kmsg_open_end(), as counted by klog_scan(). */
struct klog {
	int kills;		/* "Killed process" */
	int allocfail;		/* "page allocation failure" */
};

static void klog_scan(int fd, struct klog *k)
{
	char rec[1024];
	ssize_t n;

	/* EPIPE: records were overwritten meanwhile; read on */
	while ((n = read(fd, rec, sizeof(rec) - 1)) > 0 ||
	       (n < 0 && errno == EPIPE)) {
		if (n <= 0)
			continue;
		rec[n] = 0;
		k->kills += !!strstr(rec, "Killed process");
		k->allocfail += !!strstr(rec, "page allocation failure");
	}
}

/* What a child process did, for its parent. */
struct report {
	int unprivileged;	/* a uid of its own, no CAP_IPC_LOCK */
	int accounted;		/* ACCOUNT accepted (not EINVAL) */
	int err_over, err_at;	/* the first registration, the second */
	long vmpin0, vmpin_refused, vmpin_held;	/* kB */
	long held;		/* pages held: pinned, or in pipes */
	long in_movable;	/* of them, in ZONE_MOVABLE */
	long pipes, slots;
	int stop_err;		/* what ended the pipes */
	uint64_t pfn[THP_SLOTS];	/* huge pages: where the held pages are */
};

enum kind { GUP, GUP_THP, SPLICE, WRITE, SPLICE_THP, SLEEP };

struct job {
	enum kind kind;
	uid_t uid;
	int memlock_unlimited;
	long over, at;		/* GUP: pages to register, then at the limit */
	unsigned long long mov_start, mov_end;
};

struct child {
	pid_t pid;
	int rep, go;		/* the parent's ends */
	int got;		/* a report came */
	int status;		/* from waitpid() */
	struct report r;
};

static int has_ipc_lock(void)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return 1;
	return !!(d[0].effective & (1U << CAP_IPC_LOCK));
}

/* The pfn of the page at p (0 if none), through a pagemap file. */
static uint64_t pfn_at(int pm, const char *p)
{
	uint64_t ent;

	if (pread(pm, &ent, 8, (uintptr_t)p / PAGE_SZ * 8) != 8 ||
	    !(ent >> 63))
		return 0;
	return ent & ((1ULL << 55) - 1);
}

/*
 * Pages of [p, p + n pages) that sit in [start, end), through a pagemap
 * file opened while the process could read frame numbers.
 */
static long count_in(int pm, const char *p, long n, unsigned long long start,
		     unsigned long long end)
{
	long i, in = 0;

	for (i = 0; i < n; i++) {
		uint64_t pfn = pfn_at(pm, p + i * PAGE_SZ);

		in += pfn && pfn >= start && pfn < end;
	}
	return in;
}

/* How many of the n pfns are parts of transparent huge pages. */
static long thp_count(const uint64_t *pfn, long n)
{
	int fd = open("/proc/kpageflags", O_RDONLY);
	long i, thp = 0;
	uint64_t flags;

	if (fd < 0)
		return -1;
	for (i = 0; i < n; i++)
		if (pfn[i] && pread(fd, &flags, 8, pfn[i] * 8) == 8)
			thp += !!(flags & (1ULL << KPF_THP));
	close(fd);
	return thp;
}

static int gup_pin(int fd, char *p, long n, unsigned int flags)
{
	struct pin_longterm_test args = {
		.addr = (uintptr_t)p,
		.size = n * PAGE_SZ,
		.flags = PIN_LONGTERM_TEST_FLAG_USE_WRITE | flags,
	};

	return ioctl(fd, PIN_LONGTERM_TEST_START, &args) ? -errno : 0;
}

/* n pages of anonymous memory, with or without huge pages. */
static char *map(long pages, int thp)
{
	char *p = mmap(NULL, pages * PAGE_SZ, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	madvise(p, pages * PAGE_SZ, thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
	return p;
}

/* n huge pages' worth, aligned, populated: the first huge page. */
static char *map_thp(long n)
{
	char *raw = map((n + 1) * THP_PAGES, 1), *p;

	if (!raw)
		return NULL;
	p = raw + (-(uintptr_t)raw & (THP_PAGES * PAGE_SZ - 1));
	memset(p, 1, n * THP_PAGES * PAGE_SZ);
	return p;
}

/* A: register over, refused past the limit, then at; B: over only. */
static void gup_job(const struct job *j, int gfd, int pm, struct report *r)
{
	char *p = map(j->over, 1);
	long i;

	if (!p) {
		r->err_over = r->err_at = -ENOMEM;
		return;
	}
	for (i = 0; i < j->over; i++)
		p[i * PAGE_SZ] = 1;
	r->vmpin0 = vm_pin();
	r->err_over = gup_pin(gfd, p, j->over, PIN_LONGTERM_TEST_FLAG_ACCOUNT);
	r->accounted = r->err_over != -EINVAL;
	r->vmpin_refused = vm_pin();
	if (!r->accounted) {
		/* stock: the same registration, unaccounted */
		r->err_at = gup_pin(gfd, p, j->over, 0);
		r->held = r->err_at ? 0 : j->over;
	} else if (!r->err_over) {
		r->held = j->over;
	} else if (j->at) {
		r->err_at = gup_pin(gfd, p, j->at,
				    PIN_LONGTERM_TEST_FLAG_ACCOUNT);
		r->held = r->err_at ? 0 : j->at;
	}
	r->vmpin_held = vm_pin();
	r->in_movable = count_in(pm, p, r->held, j->mov_start, j->mov_end);
}

/*
 * A, huge pages: register the last page of one huge page and the first of
 * the next (charged, where the kernel charges), then unmap both.
 */
static void gup_thp_job(const struct job *j, int gfd, int pm,
			struct report *r)
{
	char *p = map_thp(2);

	if (!p) {
		r->err_over = -ENOMEM;
		return;
	}
	r->vmpin0 = vm_pin();
	r->err_over = gup_pin(gfd, p + (THP_PAGES - 1) * PAGE_SZ, 2,
			      PIN_LONGTERM_TEST_FLAG_ACCOUNT);
	r->accounted = r->err_over != -EINVAL;
	if (!r->accounted)
		r->err_over = gup_pin(gfd, p + (THP_PAGES - 1) * PAGE_SZ, 2, 0);
	r->held = r->err_over ? 0 : 2;
	r->vmpin_held = vm_pin();
	r->pfn[0] = pfn_at(pm, p + (THP_PAGES - 1) * PAGE_SZ);
	r->pfn[1] = pfn_at(pm, p + THP_PAGES * PAGE_SZ);
	r->in_movable = count_in(pm, p + (THP_PAGES - 1) * PAGE_SZ, 2,
				 j->mov_start, j->mov_end);
	munmap(p, 2 * THP_PAGES * PAGE_SZ);
}

/*
 * Put pages into the pipe wfd until it is full: buf's pages from *next on
 * (written first, so that they are the process's own, not the zero page)
 * with vmsplice(), or new pages with write(). The number of pages added,
 * or -errno.
 */
static long pipe_fill(int wfd, enum kind kind, char *buf, long *next,
		      long cap)
{
	static char src[PAGE_SZ];
	struct iovec iov[256];
	long added = 0, i, n;
	ssize_t r;

	for (;;) {
		if (kind == WRITE) {
			r = write(wfd, src, PAGE_SZ);
		} else {
			n = cap - *next < 256 ? cap - *next : 256;
			if (n <= 0)
				return added;
			for (i = 0; i < n; i++) {
				iov[i].iov_base = buf + (*next + i) * PAGE_SZ;
				iov[i].iov_len = PAGE_SZ;
				memset(iov[i].iov_base, 1, 8);
			}
			r = vmsplice(wfd, iov, n, SPLICE_F_NONBLOCK);
		}
		if (r < 0)
			return errno == EAGAIN ? added : -errno;
		added += r / PAGE_SZ;
		*next += r / PAGE_SZ;
	}
}

/* C: pipes, never read, until this process or its uid may have no more. */
static void pipe_job(const struct job *j, int pm, struct report *r)
{
	long soft = 16384, cap, next = 0, n;
	uint64_t v;
	char *buf;
	int fd[2];

	if (!read_u64("/proc/sys/fs/pipe-user-pages-soft", &v) && v)
		soft = v;
	cap = soft + 2 * C_NOFILE + 256;
	buf = map(cap, 0);
	if (!buf) {
		r->stop_err = ENOMEM;
		return;
	}
	for (;;) {
		if (pipe2(fd, O_NONBLOCK)) {
			r->stop_err = errno;
			break;
		}
		/* refused (EPERM) once the uid is past the soft limit */
		fcntl(fd[1], F_SETPIPE_SZ, 256 * PAGE_SZ);
		r->pipes++;
		r->slots += fcntl(fd[1], F_GETPIPE_SZ) / PAGE_SZ;
		n = pipe_fill(fd[1], j->kind, buf, &next, cap);
		/* the write end keeps what is queued: a fd per pipe */
		close(fd[0]);
		if (n < 0) {
			r->stop_err = -n;
			break;
		}
		r->held += n;
		if (next >= cap) {
			r->stop_err = ENOSPC;
			break;
		}
	}
	if (j->kind == SPLICE)
		r->in_movable = count_in(pm, buf, next, j->mov_start,
					 j->mov_end);
}

/*
 * C, huge pages: one page of each of THP_SLOTS huge pages into a pipe of
 * that many slots, then unmap the huge pages.
 */
static void splice_thp_job(const struct job *j, int pm, struct report *r)
{
	char *p = map_thp(THP_SLOTS);
	struct iovec iov[THP_SLOTS];
	int fd[2];
	ssize_t n;
	long i;

	if (!p || pipe2(fd, O_NONBLOCK)) {
		r->stop_err = ENOMEM;
		return;
	}
	fcntl(fd[1], F_SETPIPE_SZ, THP_SLOTS * PAGE_SZ);
	for (i = 0; i < THP_SLOTS; i++) {
		iov[i].iov_base = p + i * THP_PAGES * PAGE_SZ;
		iov[i].iov_len = PAGE_SZ;
	}
	n = vmsplice(fd[1], iov, THP_SLOTS, SPLICE_F_NONBLOCK);
	r->stop_err = n < 0 ? errno : 0;
	r->pipes = 1;
	r->slots = fcntl(fd[1], F_GETPIPE_SZ) / PAGE_SZ;
	r->held = n > 0 ? n / PAGE_SZ : 0;
	for (i = 0; i < r->held; i++) {
		r->pfn[i] = pfn_at(pm, iov[i].iov_base);
		r->in_movable += r->pfn[i] >= j->mov_start &&
				 r->pfn[i] < j->mov_end;
	}
	munmap(p, THP_SLOTS * THP_PAGES * PAGE_SZ);
	close(fd[0]);
}

static int drop_privileges(uid_t uid)
{
	if (setgroups(0, NULL) || setresgid(uid, uid, uid) ||
	    setresuid(uid, uid, uid))
		return -errno;
	return 0;
}

/* The child: set up as root, become uid, do the job, report, wait. */
static void __noreturn
child_main(const struct job *j, int rep, int go)
{
	struct rlimit inf = { RLIM_INFINITY, RLIM_INFINITY };
	struct rlimit nofile = { C_NOFILE, C_NOFILE };
	struct report r = { 0 };
	int fd, gfd = -1, pm;
	char c;

	/* no other child's pipe ends: they must see their EOFs */
	for (fd = 3; fd < 1024; fd++)
		if (fd != rep && fd != go)
			close(fd);
	write_str("/proc/self/oom_score_adj", "1000");
	/* opened as root: frame numbers stay readable, the ioctls work */
	pm = open("/proc/self/pagemap", O_RDONLY);
	if (j->kind == GUP || j->kind == GUP_THP)
		gfd = open("/sys/kernel/debug/gup_test", O_RDWR);
	if (j->memlock_unlimited)
		setrlimit(RLIMIT_MEMLOCK, &inf);
	if (j->kind == SPLICE || j->kind == WRITE)
		setrlimit(RLIMIT_NOFILE, &nofile);
	if (j->kind != SLEEP)
		r.unprivileged = !drop_privileges(j->uid) && geteuid() &&
				 !has_ipc_lock();
	if (j->kind == GUP)
		gup_job(j, gfd, pm, &r);
	else if (j->kind == GUP_THP)
		gup_thp_job(j, gfd, pm, &r);
	else if (j->kind == SPLICE || j->kind == WRITE)
		pipe_job(j, pm, &r);
	else if (j->kind == SPLICE_THP)
		splice_thp_job(j, pm, &r);
	if (write(rep, &r, sizeof(r)) != sizeof(r))
		_exit(1);
	/* hold until the parent closes its end */
	while (read(go, &c, 1) > 0)
		;
	_exit(0);
}

static void spawn(struct child *c, const struct job *j)
{
	int rep[2], go[2];

	memset(c, 0, sizeof(*c));
	if (pipe(rep) || pipe(go))
		ksft_exit_fail_msg("pipe: %s\n", strerror(errno));
	c->pid = fork();
	if (c->pid < 0)
		ksft_exit_fail_msg("fork: %s\n", strerror(errno));
	if (!c->pid) {
		close(rep[0]);
		close(go[1]);
		child_main(j, rep[1], go[0]);
	}
	close(rep[1]);
	close(go[0]);
	c->rep = rep[0];
	c->go = go[1];
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Wait until each of the n children reported or died, sampling the low
 * zones every 20 ms meanwhile: the lowest free goes to *low_min (pages),
 * the zones once all are in to *during. A child still silent after WAIT_S
 * is killed.
 */
static void collect(struct child *c, int n, struct zones *during,
		    long *low_min)
{
	double end = now_s() + WAIT_S;
	int i, left = n;
	struct zones z;

	while (left && now_s() < end) {
		struct pollfd pfd[C_PROCS];
		int k = 0;

		for (i = 0; i < n; i++)
			if (c[i].rep >= 0)
				pfd[k++] = (struct pollfd){ c[i].rep, POLLIN, 0 };
		poll(pfd, k, 20);
		if (!zones_read(&z, 0) && z.low_free < *low_min)
			*low_min = z.low_free;
		for (i = 0; i < k; i++) {
			struct child *ch = c;
			ssize_t got;

			if (!pfd[i].revents)
				continue;
			while (ch->rep != pfd[i].fd)
				ch++;
			got = read(ch->rep, &ch->r, sizeof(ch->r));
			ch->got = got == sizeof(ch->r);
			close(ch->rep);
			ch->rep = -1;
			left--;
		}
	}
	for (i = 0; i < n; i++)
		if (c[i].rep >= 0) {
			kill(c[i].pid, SIGKILL);
			close(c[i].rep);
			c[i].rep = -1;
		}
	zones_read(during, 1);
	if (during->low_free < *low_min)
		*low_min = during->low_free;
}

/* Let the children go: they exit, which drops what they hold. */
static void release(struct child *c, int n)
{
	int i;

	for (i = 0; i < n; i++)
		close(c[i].go);
	for (i = 0; i < n; i++)
		waitpid(c[i].pid, &c[i].status, 0);
}

static int killed(const struct child *c)
{
	return WIFSIGNALED(c->status) && WTERMSIG(c->status) == SIGKILL;
}

/* Start a scenario from the same state: no page cache, compacted. */
static void settle(struct zones *z)
{
	sync();
	write_str("/proc/sys/vm/drop_caches", "3");
	write_str("/proc/sys/vm/compact_memory", "1");
	sleep_ms(200);
	zones_read(z, 1);
}

static const char *err_name(int err)
{
	return err ? strerror(-err) : "ok";
}

/* The table printed at the end: one row per scenario, sizes in MiB. */
struct row {
	const char *name;
	int procs, uids;
	long held, charged;	/* pages; charged: VmPin, -1 if none */
	long low0, low, low_min, mov0, mov;
	int kills, refused;
};

static struct row rows[8];
static int nrows;

static void add_row(const char *name, int procs, int uids, long held,
		    long charged, const struct zones *b, const struct zones *d,
		    long low_min, int kills, int refused)
{
	rows[nrows++] = (struct row){ name, procs, uids, held, charged,
				      b->low_free, d->low_free, low_min,
				      b->mov_free, d->mov_free, kills, refused };
}

static void print_rows(const char *low)
{
	int i;

	ksft_print_msg("sizes in MiB; %s: the zones below Movable, free; refused: ENOMEM past RLIMIT_MEMLOCK (A, B), pipe() failing with EMFILE (C)\n",
		       low);
	ksft_print_msg("%-17s %5s %4s %6s %6s %6s %6s %6s %7s %6s %6s %7s\n",
		       "scenario", "procs", "uids", "held", "VmPin", low,
		       "during", "lowest", "Movable", "during", "killed",
		       "refused");
	for (i = 0; i < nrows; i++) {
		const struct row *r = &rows[i];
		char charged[16] = "-";

		if (r->charged >= 0)
			snprintf(charged, sizeof(charged), "%.1f",
				 (double)r->charged / MIB_PAGES);
		ksft_print_msg("%-17s %5d %4d %6.1f %6s %6ld %6ld %6ld %7ld %6ld %6d %7d\n",
			       r->name, r->procs, r->uids,
			       (double)r->held / MIB_PAGES, charged,
			       mib(r->low0), mib(r->low), mib(r->low_min),
			       mib(r->mov0), mib(r->mov), r->kills,
			       r->refused);
	}
}

/* A: each process registers past its limit, then at it, in turn. */
static void scenario_a(struct job *j, long limit, int kmsg, struct klog *k)
{
	long worst = 0, low_min, in_mov = 0, held = 0;
	int ok = 0, at = 0, unpriv = 0, i;
	struct zones z, d;
	struct child c;
	struct klog k0 = *k;

	settle(&z);
	low_min = z.low_free;
	j->kind = GUP;
	j->over = A_TRY_MIB * MIB_PAGES;
	j->at = limit;
	for (i = 0; i < A_PROCS; i++) {
		long m = LONG_MAX;
		struct zones b;

		zones_read(&b, 1);
		j->uid = UID_BASE + i % 2;
		spawn(&c, j);
		collect(&c, 1, &d, &m);
		release(&c, 1);
		if (b.low_free - m > worst)
			worst = b.low_free - m;
		if (m < low_min)
			low_min = m;
		unpriv += c.r.unprivileged;
		ok += c.got && c.r.accounted && c.r.err_over == -ENOMEM &&
		      c.r.vmpin_refused == c.r.vmpin0;
		at += c.got && c.r.accounted && !c.r.err_at &&
		      c.r.held == limit &&
		      c.r.vmpin_held - c.r.vmpin0 == limit * 4;
		in_mov += c.r.in_movable;
		held += c.r.held;
		ksft_print_msg("A%d uid %d: %d MiB: %s, VmPin %ld kB; %s: %s, VmPin %ld kB, %ld of %ld pages in Movable; low zones %ld -> %ld MiB\n",
			       i, j->uid, A_TRY_MIB,
			       c.r.accounted ? err_name(c.r.err_over) :
			       "EINVAL (no ACCOUNT flag)", c.r.vmpin_refused,
			       c.r.accounted ? "then at the limit" :
			       "unaccounted instead", err_name(c.r.err_at),
			       c.r.vmpin_held, c.r.in_movable, c.r.held,
			       mib(b.low_free), mib(d.low_free));
	}
	klog_scan(kmsg, k);
	ksft_test_result(ok == A_PROCS && unpriv == A_PROCS,
			 "A: %d of %d unprivileged processes refused past RLIMIT_MEMLOCK (%d MiB over %ld KiB) with ENOMEM, uncharged\n",
			 ok, A_PROCS, A_TRY_MIB, limit * 4);
	ksft_test_result(at == A_PROCS,
			 "A: %d of %d hold a registration at the limit, VmPin %ld kB\n",
			 at, A_PROCS, limit * 4);
	ksft_test_result(in_mov == 0 && held > 0,
			 "A: the held pages left ZONE_MOVABLE: %ld of %ld still there\n",
			 in_mov, held);
	ksft_test_result(worst <= limit + MARGIN_MIB * MIB_PAGES,
			 "A: the low zones lose at most the limit + %ld MiB while one holds: %ld MiB\n",
			 MARGIN_MIB, mib(worst));
	d.low_free = z.low_free - worst;
	add_row("A limit, in turn", A_PROCS, 2, held / A_PROCS,
		at == A_PROCS ? limit : 0, &z, &d, low_min, k->kills - k0.kills,
		ok);
}

/* A, huge pages: what two charged pages keep in the low zones. */
static void scenario_a_thp(struct job *j)
{
	long low_min, thp;
	struct zones z, d;
	struct child c;

	settle(&z);
	low_min = z.low_free;
	j->kind = GUP_THP;
	j->uid = UID_BASE;
	spawn(&c, j);
	collect(&c, 1, &d, &low_min);
	/* while it holds them */
	thp = thp_count(c.r.pfn, 2);
	release(&c, 1);
	ksft_print_msg("A huge pages: 2 pages registered: %s, VmPin %ld kB; huge pages unmapped: the 2 pinned pages are parts of %ld huge pages, %ld in Movable; low zones %ld -> %ld MiB\n",
		       err_name(c.r.err_over), c.r.vmpin_held, thp,
		       c.r.in_movable, mib(z.low_free), mib(d.low_free));
	if (!c.r.err_over && (thp == 0 || c.r.in_movable == 2))
		ksft_test_result_pass("A huge pages: the pin keeps no more of the low zones than the pages it pins: VmPin %ld kB\n",
				      c.r.vmpin_held);
	else
		ksft_test_result_fail("A huge pages: %s; the 2 pinned pages keep %ld whole huge pages (%ld MiB) in the low zones, charged %ld kB: RLIMIT_MEMLOCK counts pages, not what they keep\n",
				       err_name(c.r.err_over),
				       thp - c.r.in_movable,
				       (thp - c.r.in_movable) * THP_PAGES /
				       MIB_PAGES, c.r.vmpin_held);
	add_row("A huge pages", 1, 1, thp * THP_PAGES, c.r.vmpin_held / 4,
		&z, &d, low_min, 0, 0);
}

/* B: no limit; what the low zones have less a margin, then more. */
static void scenario_b(struct job *j, int kmsg, struct klog *k)
{
	struct child c, victim;
	struct klog k0 = *k;
	struct zones z, d;
	long low_min;

	settle(&z);
	low_min = z.low_free;
	j->kind = GUP;
	j->memlock_unlimited = 1;
	j->uid = UID_BASE;
	j->over = z.low_free - B_SAFETY_MIB * MIB_PAGES;
	j->at = 0;
	spawn(&c, j);
	collect(&c, 1, &d, &low_min);
	release(&c, 1);
	klog_scan(kmsg, k);
	ksft_print_msg("B uid %d, RLIMIT_MEMLOCK unlimited: %ld MiB: %s, VmPin %ld kB, %ld pages in Movable; low zones %ld -> %ld MiB\n",
		       j->uid, mib(j->over),
		       c.r.accounted ? err_name(c.r.err_over) :
		       err_name(c.r.err_at), c.r.vmpin_held, c.r.in_movable,
		       mib(z.low_free), mib(d.low_free));
	ksft_test_result(c.got && c.r.unprivileged && c.r.accounted &&
			 !c.r.err_over &&
			 c.r.vmpin_held - c.r.vmpin0 == j->over * 4,
			 "B: without the limit an unprivileged process pins %ld MiB, VmPin shows it: %ld kB\n",
			 mib(c.r.held), c.r.vmpin_held);
	ksft_test_result(c.r.held > 0 && z.low_free - d.low_free >=
			 c.r.held - MARGIN_MIB * MIB_PAGES,
			 "B: those pins take it from the low zones: %ld -> %ld MiB free (their min watermark: %ld MiB)\n",
			 mib(z.low_free), mib(d.low_free), mib(z.low_min));
	add_row("B unlimited", 1, 1, c.r.held,
		c.r.accounted ? c.r.vmpin_held / 4 : 0, &z, &d, low_min,
		k->kills - k0.kills, 0);

	/*
	 * More than the low zones have. A second process, also the OOM
	 * killer's first choice, is there to be killed next if the pinner
	 * is not enough, rather than the shell that ran this test.
	 */
	settle(&z);
	low_min = z.low_free;
	k0 = *k;
	j->over = z.low_free + B_OVER_MIB * MIB_PAGES;
	j->kind = SLEEP;
	spawn(&victim, j);
	j->kind = GUP;
	spawn(&c, j);
	collect(&c, 1, &d, &low_min);
	release(&c, 1);
	collect(&victim, 1, &d, &low_min);
	release(&victim, 1);
	sleep_ms(200);
	klog_scan(kmsg, k);
	zones_read(&d, 1);
	ksft_print_msg("B uid %d, RLIMIT_MEMLOCK unlimited: %ld MiB, the low zones had %ld free: %s; the pinner %s, the second process %s; log: %d processes killed, %d allocation failures; low zones down to %ld MiB (min watermark %ld), %ld after\n",
		       j->uid, mib(j->over), mib(z.low_free),
		       !c.got ? "no answer" :
		       c.r.accounted ? err_name(c.r.err_over) :
		       err_name(c.r.err_at),
		       killed(&c) ? "was killed" : "exited",
		       killed(&victim) ? "was killed" : "lived",
		       k->kills - k0.kills, k->allocfail - k0.allocfail,
		       mib(low_min), mib(z.low_min), mib(d.low_free));
	ksft_test_result(d.low_free >= z.low_free - MARGIN_MIB * MIB_PAGES,
			 "B: past what the low zones have (%ld MiB): %s, %d killed; once the pinner is gone they recover: %ld -> %ld MiB\n",
			 mib(j->over), !c.got ? "the pinner died" :
			 c.r.accounted ? err_name(c.r.err_over) :
			 err_name(c.r.err_at), k->kills - k0.kills,
			 mib(z.low_free), mib(d.low_free));
	add_row("B over", 1, 1, c.got ? c.r.held : 0, 0, &z, &d, low_min,
		k->kills - k0.kills,
		c.got && (c.r.err_over == -ENOMEM || c.r.err_at == -ENOMEM));
	j->memlock_unlimited = 0;
}

/* C: vmsplice, then write(), C_UIDS uids of C_PER_UID processes each. */
static void scenario_c(struct job *j, int kmsg, struct klog *k)
{
	static const enum kind kinds[2] = { SPLICE, WRITE };
	static const char *const names[2] = { "vmsplice", "write" };
	long drop[2] = { 0 }, mov_drop[2] = { 0 }, bound;
	uint64_t soft = 0, hard = 0;
	struct child c[C_PROCS];
	int kk, i;

	read_u64("/proc/sys/fs/pipe-user-pages-soft", &soft);
	read_u64("/proc/sys/fs/pipe-user-pages-hard", &hard);
	/*
	 * Per uid: pipes of 16 slots, or 256 after F_SETPIPE_SZ, up to the
	 * soft limit; past it every new pipe has 2 slots and holds a fd.
	 */
	bound = soft + 2 * C_PER_UID * C_NOFILE;
	if (hard && (long)hard + 256 < bound)
		bound = hard + 256;
	for (kk = 0; kk < 2; kk++) {
		long per_uid[C_UIDS] = { 0 }, held = 0, in_mov = 0, low_min;
		int unpriv = 0, emfile = 0;
		struct klog k0 = *k;
		struct zones z, d;

		settle(&z);
		low_min = z.low_free;
		j->kind = kinds[kk];
		for (i = 0; i < C_PROCS; i++) {
			j->uid = UID_BASE + 10 + i % C_UIDS;
			spawn(&c[i], j);
		}
		collect(c, C_PROCS, &d, &low_min);
		release(c, C_PROCS);
		klog_scan(kmsg, k);
		for (i = 0; i < C_PROCS; i++) {
			per_uid[i % C_UIDS] += c[i].r.held;
			held += c[i].r.held;
			in_mov += c[i].r.in_movable;
			unpriv += c[i].r.unprivileged;
			emfile += c[i].r.stop_err == EMFILE;
		}
		drop[kk] = z.low_free - low_min;
		mov_drop[kk] = z.mov_free - d.mov_free;
		ksft_print_msg("C %s: %d processes, uids %d-%d: %ld pages in %ld pipes (per uid %ld, %ld; bound %ld), the first process stopped by: %s; %ld of the pages in Movable; low zones %ld -> %ld MiB, Movable %ld -> %ld MiB\n",
			       names[kk], C_PROCS, UID_BASE + 10,
			       UID_BASE + 9 + C_UIDS, held, c[0].r.pipes,
			       per_uid[0], per_uid[1], bound,
			       strerror(c[0].r.stop_err), in_mov,
			       mib(z.low_free), mib(d.low_free),
			       mib(z.mov_free), mib(d.mov_free));
		ksft_test_result(unpriv == C_PROCS && held > 0 &&
				 per_uid[0] <= bound && per_uid[1] <= bound,
				 "C %s: the pipe limits bound each uid: %ld and %ld pages, at most %ld (soft %llu, hard %llu, RLIMIT_NOFILE %d, %d processes)\n",
				 names[kk], per_uid[0], per_uid[1], bound,
				 (unsigned long long)soft,
				 (unsigned long long)hard, C_NOFILE, C_PER_UID);
		ksft_test_result(drop[kk] <= C_UIDS * bound +
				 MARGIN_MIB * MIB_PAGES,
				 "C %s: the low zones lose at most that + %ld MiB: %ld MiB (bound %ld MiB)\n",
				 names[kk], MARGIN_MIB, mib(drop[kk]),
				 mib(C_UIDS * bound));
		if (kinds[kk] == SPLICE)
			ksft_test_result(in_mov == 0 && held > 0,
					 "C vmsplice: the spliced pages left ZONE_MOVABLE: %ld of %ld still there\n",
					 in_mov, held);
		add_row(kk ? "C write" : "C vmsplice", C_PROCS, C_UIDS, held,
			-1, &z, &d, low_min, k->kills - k0.kills, emfile);
	}
	ksft_test_result(drop[0] >= drop[1] - MARGIN_MIB * MIB_PAGES &&
			 mov_drop[0] <= MARGIN_MIB * MIB_PAGES,
			 "C: vmspliced pages take the low zones as written ones do: %ld vs %ld MiB there, %ld MiB of Movable\n",
			 mib(drop[0]), mib(drop[1]), mib(mov_drop[0]));
}

/* C, huge pages: what THP_SLOTS pipe slots keep in the low zones. */
static void scenario_c_thp(struct job *j)
{
	long low_min, thp, drop;
	struct zones z, d;
	struct child c;

	settle(&z);
	low_min = z.low_free;
	j->kind = SPLICE_THP;
	j->uid = UID_BASE + 20;
	spawn(&c, j);
	collect(&c, 1, &d, &low_min);
	thp = thp_count(c.r.pfn, c.r.held);
	release(&c, 1);
	drop = z.low_free - d.low_free;
	ksft_print_msg("C huge pages: a page of each of %d huge pages spliced: %ld slots, %s, %ld in Movable, %ld parts of huge pages; huge pages unmapped: low zones %ld -> %ld MiB, Movable %ld -> %ld MiB\n",
		       THP_SLOTS, c.r.held, strerror(c.r.stop_err),
		       c.r.in_movable, thp, mib(z.low_free), mib(d.low_free),
		       mib(z.mov_free), mib(d.mov_free));
	if (c.r.held > 0 && drop <= c.r.held + MARGIN_MIB * MIB_PAGES)
		ksft_test_result_pass("C huge pages: %ld pipe slots keep at most a page each of the low zones (+ %ld MiB): %ld MiB\n",
				      c.r.held, MARGIN_MIB, mib(drop));
	else
		ksft_test_result_fail("C huge pages: %ld pipe slots keep %ld MiB of the low zones, %ld whole huge pages: the pipe limits count slots, not what a slot keeps\n",
				       c.r.held, mib(drop), thp);
	add_row("C huge pages", 1, 1, thp * THP_PAGES, -1, &z, &d, low_min,
		0, 0);
}

int main(void)
{
	char cmdline[1024] = "", swapdev[64] = "", line[256];
	struct klog k = { 0 }, b0, b1;
	struct job j = { 0 };
	struct zones z;
	struct rlimit ml;
	int kmsg, swap_off = 0;
	long limit;
	FILE *f;

	ksft_print_header();
	read_str("/proc/cmdline", cmdline, sizeof(cmdline));
	if (!strstr(cmdline, "movablecore=") && !strstr(cmdline, "kernelcore="))
		ksft_exit_skip("no movablecore= on the kernel command line: this suite needs a large ZONE_MOVABLE, in a boot of its own\n");
	if (zones_read(&z, 1) || z.mov_managed < z.low_managed / 2)
		ksft_exit_skip("ZONE_MOVABLE is too small: %ld MiB managed\n",
			       mib(z.mov_managed));
	if (access("/sys/kernel/debug/gup_test", R_OK | W_OK))
		ksft_exit_skip("gup_test: %s\n", strerror(errno));
	ksft_set_plan(16);

	/* swap is a RAM disk here: swapping out takes low-zone pages */
	f = fopen("/proc/swaps", "r");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s", swapdev) == 1 && swapdev[0] == '/')
			break;
	if (f)
		fclose(f);
	if (swapdev[0] == '/' && !swapoff(swapdev))
		swap_off = 1;
	write_str("/proc/self/oom_score_adj", "-1000");
	kmsg = kmsg_open_end();
	getrlimit(RLIMIT_MEMLOCK, &ml);
	limit = ml.rlim_cur / PAGE_SZ;
	ksft_print_msg("zones: %s %ld MiB managed (min watermark %ld MiB), Movable %ld MiB (pfn %#llx-%#llx); RLIMIT_MEMLOCK %ld KiB; swap: %s\n",
		       z.low_names, mib(z.low_managed), mib(z.low_min),
		       mib(z.mov_managed), z.mov_start, z.mov_end,
		       (long)(ml.rlim_cur / 1024),
		       swap_off ? "off for the test" : "none");
	j.mov_start = z.mov_start;
	j.mov_end = z.mov_end;

	scenario_a(&j, limit, kmsg, &k);
	scenario_a_thp(&j);
	b0 = k;
	scenario_b(&j, kmsg, &k);
	b1 = k;
	scenario_c(&j, kmsg, &k);
	scenario_c_thp(&j);
	klog_scan(kmsg, &k);
	/* what B did past the low zones is B's */
	k.kills -= b1.kills - b0.kills;
	k.allocfail -= b1.allocfail - b0.allocfail;
	ksft_test_result(!k.kills && !k.allocfail,
			 "within the limits (A, C) no process was killed, no allocation failed: %d killed, %d allocation failures (B: %d killed, %d)\n",
			 k.kills, k.allocfail, b1.kills - b0.kills,
			 b1.allocfail - b0.allocfail);

	print_rows(z.low_names);
	if (swap_off)
		swapon(swapdev, 0);
	write_str("/proc/self/oom_score_adj", "0");
	close(kmsg);
	ksft_finished();
}
