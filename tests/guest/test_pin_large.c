// SPDX-License-Identifier: GPL-2.0
/*
 * Long-term pins move large folios out of CMA too (DESIGN.md point 1),
 * not only 4 KiB pages: 2 MiB transparent huge pages and 2 MiB hugetlb
 * pages that sit in the CMA area. Memory outside CMA is filled first, so
 * that the page allocator serves the THP faults, and the hugetlb pool
 * grown at run time, from CMA; each 2 MiB range is checked from outside
 * to be one folio in CMA (512 PFNs in a row from a 512-aligned one in
 * /proc/self/pagemap, KPF_THP or KPF_HUGE in /proc/kpageflags), and every
 * 4 KiB subpage is stamped. Then:
 * - a default pin held through gup_test leaves no subpage in CMA, the
 *   data intact, and a full CMA allocation succeeds while it is held
 *   (whether the THPs stayed whole or were split is printed, not judged);
 * - an ephemeral pin moves nothing, and the allocation fails while held;
 * - vmsplice() of the THPs' subpages into pipes nobody reads moves them
 *   out, the allocation succeeds, the reader gets every page intact;
 * - a default pin_user_pages() that is released at once (gup_test's
 *   PIN_BASIC_TEST) has moved them out when it returns, data intact.
 * hugetlb migration takes its targets from the free pool (the 32 pages
 * reserved at boot, outside CMA); the pages it leaves free in CMA are
 * dissolved by the CMA allocation. Each case runs in a child process of
 * its own, on freshly filled memory. THP's "enabled" setting and the
 * pool's size are restored at the end.
 *
 * On stock 6.12 gup_test's held pin is FOLL_LONGTERM, which moves large
 * folios as well: the held default-pin results pass there. What fails is
 * what the series changes: the ephemeral pin (no such flag), vmsplice()
 * (moves nothing, the allocation fails) and the default pin_user_pages()
 * call (a short-term pin there, moves nothing).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/kernel-page-flags.h>

#include "kselftest.h"
#include "mm/gup_test.h"
#include "pinlife.h"

#define HPAGE		(2UL << 20)
#define HPAGE_NR	(HPAGE / PAGE_SZ)
#define WANT		8	/* large folios in CMA per case */
#define MAX_FOLIOS	32	/* as many as fit in the 64 MiB area */
#define THP_TRY		32	/* 2 MiB ranges faulted at most for them */
#define KEEP_MIB	24	/* free memory the fill leaves outside CMA */
#define FOLL_WRITE	0x01

#define THP_DIR		"/sys/kernel/mm/transparent_hugepage/"
#define THP_ENABLED	THP_DIR "enabled"
#define THP_2M_ENABLED	THP_DIR "hugepages-2048kB/enabled"
#define NR_HUGEPAGES	"/proc/sys/vm/nr_hugepages"
#define FREE_HUGEPAGES	"/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages"

enum kind { THP, HUGETLB };
enum how { HELD, EPHEMERAL, VMSPLICE, CALL };

static const char *const how_name[] = {
	[HELD] = "default pin held",
	[EPHEMERAL] = "ephemeral pin held",
	[VMSPLICE] = "vmsplice into pipes",
	[CALL] = "default pin_user_pages() call",
};

struct outcome {
	int setup;		/* finding large folios in CMA: 0 or -errno */
	int err;		/* pinning or splicing them: 0 or -errno */
	char what[96];		/* the step that failed */
	long folios;		/* 2 MiB folios in CMA, verified */
	long pages;		/* their 4 KiB subpages */
	long faulted;		/* 2 MiB ranges faulted to find them */
	long outside;		/* ... that were large folios outside CMA */
	long free_kib, cma_kib;	/* MemFree, CmaFree before the faults */
	long grown;		/* hugetlb: pages the pool grew by */
	long pool_cma;		/* hugetlb: pool pages in CMA */
	long pool_cma_after;	/* ... once pinned or spliced */
	long in_cma;		/* subpages in CMA while held */
	long damaged;		/* subpages whose stamp is wrong */
	long whole;		/* folios still one 2 MiB folio afterwards */
	int alloc;		/* full CMA allocation while held */
	long busy;		/* pages in use in CMA when it failed */
	char first[160];	/* the first of them */
	long reader_bad;	/* vmsplice: pages the reader got damaged */
};

struct filler {
	char *base;
	size_t npages;		/* mapped */
	size_t filled;		/* populated, from the start */
};

/*
 * Fill memory outside the CMA area with base pages, a MiB at a time,
 * until only keep_mib of free memory is left outside CMA, then give back
 * the buffer's pages that landed in CMA on the way. Most free memory is
 * then CMA, and the page allocator serves movable allocations from CMA
 * first (__rmqueue(): while CMA holds more than half of the zone's free
 * pages), THPs and hugetlb pages included. 0 or -errno.
 */
static int fill_outside(const struct cma_area *cma, long long keep_mib,
			struct filler *b)
{
	uint64_t free_kib = 0, cma_kib = 0, map[256];
	size_t i, j, n = 0;
	int pm = open("/proc/self/pagemap", O_RDONLY);

	memset(b, 0, sizeof(*b));
	if (pm < 0)
		return -errno;
	if (mem_free_kib(&free_kib, &cma_kib) || !free_kib) {
		close(pm);
		return -EIO;
	}
	b->npages = free_kib / (PAGE_SZ / 1024);
	b->base = mmap(NULL, b->npages * PAGE_SZ, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (b->base == MAP_FAILED) {
		b->base = NULL;
		close(pm);
		return -errno;
	}
	madvise(b->base, b->npages * PAGE_SZ, MADV_NOHUGEPAGE);
	for (i = 0; i < b->npages; i += n) {
		n = b->npages - i < 256 ? b->npages - i : 256;
		if (mem_free_kib(&free_kib, &cma_kib) ||
		    free_kib - cma_kib < (uint64_t)keep_mib << 10)
			break;
		for (j = i; j < i + n; j++)
			b->base[j * PAGE_SZ] = 1;
	}
	b->filled = i;
	/* Every CMA page the buffer took goes back, run by run */
	for (i = 0; i < b->filled; i += n) {
		n = b->filled - i < 256 ? b->filled - i : 256;
		if (pread(pm, map, n * sizeof(*map),
			  (uintptr_t)(b->base + i * PAGE_SZ) / PAGE_SZ *
			  sizeof(*map)) != (ssize_t)(n * sizeof(*map))) {
			close(pm);
			return -EIO;
		}
		for (j = 0; j < n; j++) {
			int64_t pfn = map[j] >> 63 ?
				      (int64_t)(map[j] & ((1ULL << 55) - 1)) : 0;

			if (in_cma(cma, pfn))
				madvise(b->base + (i + j) * PAGE_SZ, PAGE_SZ,
					MADV_DONTNEED);
		}
	}
	close(pm);
	return 0;
}

/*
 * Give back the first mib MiB of the fill, outside CMA: room for the
 * folios a pin moves and for the CMA allocation's own migration.
 */
static void fill_room(struct filler *b, size_t mib)
{
	size_t len = mib << 20;

	if (len > b->filled * PAGE_SZ)
		len = b->filled * PAGE_SZ;
	madvise(b->base, len, MADV_DONTNEED);
}

/*
 * Whether the 2 MiB at addr is one large folio: 512 PFNs in a row from a
 * 512-aligned one, a compound head and its tails, each with flag
 * (KPF_THP, KPF_HUGE) in /proc/kpageflags.
 */
static int large_at(const char *addr, int flag)
{
	uint64_t fl[HPAGE_NR];
	int64_t pfn = pfn_of(addr);
	size_t i;
	int fd, ok;

	if (pfn <= 0 || pfn % HPAGE_NR)
		return 0;
	for (i = 1; i < HPAGE_NR; i++)
		if (pfn_of(addr + i * PAGE_SZ) != pfn + (int64_t)i)
			return 0;
	fd = open("/proc/kpageflags", O_RDONLY);
	if (fd < 0)
		return 0;
	ok = pread(fd, fl, sizeof(fl), pfn * sizeof(*fl)) == sizeof(fl);
	close(fd);
	for (i = 0; ok && i < HPAGE_NR; i++)
		ok = (fl[i] >> flag & 1) &&
		     (fl[i] >> (i ? KPF_COMPOUND_TAIL : KPF_COMPOUND_HEAD) & 1);
	return ok;
}

/* hugetlb folios (their heads) in the CMA area, from /proc/kpageflags. */
static long huge_in_cma(const struct cma_area *cma)
{
	uint64_t fl[HPAGE_NR], pfn;
	int fd = open("/proc/kpageflags", O_RDONLY);
	long n = 0;
	size_t i;

	if (fd < 0)
		return -errno;
	for (pfn = cma->base_pfn; pfn < cma->base_pfn + cma->count;
	     pfn += HPAGE_NR) {
		if (pread(fd, fl, sizeof(fl), pfn * sizeof(*fl)) !=
		    sizeof(fl)) {
			n = -EIO;
			break;
		}
		for (i = 0; i < HPAGE_NR; i++)
			n += (fl[i] >> KPF_HUGE & 1) &&
			     (fl[i] >> KPF_COMPOUND_HEAD & 1);
	}
	close(fd);
	return n;
}

static void add_folio(struct outcome *o, char **pages, char *at)
{
	size_t i;

	for (i = 0; i < HPAGE_NR; i++)
		pages[o->pages++] = at + i * PAGE_SZ;
	o->folios++;
}

/*
 * Fault the 2 MiB ranges at base one by one, at most n, until want of
 * them are large folios (flag: KPF_THP or KPF_HUGE) in CMA; list those.
 */
static void fault_ranges(const struct cma_area *cma, char **pages,
			 struct outcome *o, char *base, size_t n, long want,
			 int flag)
{
	size_t i;

	for (i = 0; i < n && o->folios < want; i++) {
		char *at = base + i * HPAGE;

		at[0] = 1;
		o->faulted++;
		if (!large_at(at, flag))
			continue;
		if (in_cma(cma, pfn_of(at)))
			add_folio(o, pages, at);
		else
			o->outside++;
	}
}

/*
 * THPs in CMA: fault 2 MiB-aligned ranges of a MADV_HUGEPAGE mapping one
 * by one until WANT of them are THPs in CMA. 0, or -ENOENT if none is.
 */
static int thp_setup(const struct cma_area *cma, char **pages,
		     struct outcome *o)
{
	char *raw, *base;

	snprintf(o->what, sizeof(o->what), "mapping for THPs");
	raw = mmap(NULL, (THP_TRY + 1) * HPAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (raw == MAP_FAILED)
		return -errno;
	base = (char *)(((uintptr_t)raw + HPAGE - 1) & ~(HPAGE - 1));
	if (madvise(base, THP_TRY * HPAGE, MADV_HUGEPAGE))
		return -errno;
	fault_ranges(cma, pages, o, base, THP_TRY, WANT, KPF_THP);
	snprintf(o->what, sizeof(o->what),
		 "no THP in CMA among %ld 2 MiB ranges faulted", o->faulted);
	return o->folios ? 0 : -ENOENT;
}

/*
 * hugetlb pages in CMA: grow the pool by WANT while memory outside CMA is
 * full, then map the free pool (MAP_NORESERVE) and fault it a page at a
 * time until every pool page in CMA is mapped (the free lists hand out
 * the newest first; the PFNs say which ones came). The pages not faulted
 * stay free and unreserved: migration's targets. 0 or -errno (-ENOENT: no
 * pool page in CMA).
 */
static int hugetlb_setup(const struct cma_area *cma, char **pages,
			 struct outcome *o, uint64_t pool)
{
	uint64_t now, nfree;
	char num[32], *base;
	int err;

	snprintf(o->what, sizeof(o->what), "growing the hugetlb pool");
	snprintf(num, sizeof(num), "%llu", (unsigned long long)pool + WANT);
	err = write_str(NR_HUGEPAGES, num);
	if (!err)
		err = read_u64(NR_HUGEPAGES, &now);
	if (!err)
		err = read_u64(FREE_HUGEPAGES, &nfree);
	if (err)
		return err;
	o->grown = (long)now - (long)pool;
	o->pool_cma = huge_in_cma(cma);
	snprintf(o->what, sizeof(o->what),
		 "the pool grew by %ld pages, none in CMA", o->grown);
	if (o->pool_cma <= 0 || !nfree)
		return o->pool_cma < 0 ? o->pool_cma : -ENOENT;
	snprintf(o->what, sizeof(o->what), "mapping the free pool");
	base = mmap(NULL, nfree * HPAGE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_NORESERVE,
		    -1, 0);
	if (base == MAP_FAILED)
		return -errno;
	fault_ranges(cma, pages, o, base, nfree,
		     o->pool_cma < MAX_FOLIOS ? o->pool_cma : MAX_FOLIOS,
		     KPF_HUGE);
	snprintf(o->what, sizeof(o->what),
		 "%ld pool pages in CMA, none mapped among %ld faulted",
		 o->pool_cma, o->faulted);
	return o->folios ? 0 : -ENOENT;
}

/*
 * A default pin through pin_user_pages() (gup_test PIN_BASIC_TEST), which
 * gup_test releases before it returns: 0 or -errno.
 */
static int pin_call(char *addr, size_t size)
{
	struct gup_test g = {
		.addr = (uintptr_t)addr,
		.size = size,
		.nr_pages_per_call = HPAGE_NR,
		.gup_flags = FOLL_WRITE,
	};
	int fd = open("/sys/kernel/debug/gup_test", O_RDWR), err;

	if (fd < 0)
		return -errno;
	err = ioctl(fd, PIN_BASIC_TEST, &g) ? -errno : 0;
	if (!err && g.size != size)
		err = -ERANGE;
	close(fd);
	return err;
}

/* The pipes, read in order, give back every page intact: how many not. */
static long pipes_bad(const struct pipes *p, char *const *pages, size_t n)
{
	static char buf[PAGE_SZ];
	size_t i;
	long bad = 0;

	for (i = 0; i < n; i++)
		if (i / PIPE_SLOTS >= p->n ||
		    read(p->fd[i / PIPE_SLOTS][0], buf, PAGE_SZ) !=
		    (ssize_t)PAGE_SZ || !stamp_ok(buf, i) ||
		    memcmp(buf, pages[i], PAGE_SZ))
			bad++;
	return bad;
}

static void child(enum kind kind, enum how how, uint64_t pool,
		  struct outcome *o)
{
	int flag = kind == THP ? KPF_THP : KPF_HUGE;
	uint64_t free_kib = 0, cma_kib = 0;
	struct pipes pipes = { 0 };
	struct cma_area cma;
	struct filler b;
	char **pages;
	long i;
	int fd = -1;

	snprintf(o->what, sizeof(o->what), "finding the CMA area");
	pages = calloc(MAX_FOLIOS * HPAGE_NR, sizeof(*pages));
	o->setup = pages ? cma_find(&cma) : -ENOMEM;
	if (o->setup)
		return;
	snprintf(o->what, sizeof(o->what), "filling memory outside CMA");
	o->setup = fill_outside(&cma, KEEP_MIB, &b);
	if (o->setup)
		return;
	mem_free_kib(&free_kib, &cma_kib);
	o->free_kib = free_kib;
	o->cma_kib = cma_kib;
	if (kind == THP)
		o->setup = thp_setup(&cma, pages, o);
	else
		o->setup = hugetlb_setup(&cma, pages, o, pool);
	if (o->setup)
		return;
	for (i = 0; i < o->pages; i++)
		stamp_page(pages[i], i);
	fill_room(&b, o->folios * HPAGE / (1 << 20) + 32);

	snprintf(o->what, sizeof(o->what), "%s", how_name[how]);
	switch (how) {
	case HELD:
		o->err = gup_hold(&fd, pages, o->pages, 0);
		break;
	case EPHEMERAL:
		o->err = gup_hold(&fd, pages, o->pages,
				  PIN_LONGTERM_TEST_FLAG_USE_EPHEMERAL);
		break;
	case VMSPLICE:
		o->err = vmsplice_pages(&pipes, pages, o->pages);
		break;
	case CALL:
		o->err = pin_call(pages[0], pages[o->pages - 1] + PAGE_SZ -
				  pages[0]);
		break;
	}
	if (!o->err) {
		o->in_cma = count_in_cma(&cma, pages, o->pages);
		for (i = 0; i < o->pages; i++)
			o->damaged += !stamp_ok(pages[i], i);
		for (i = 0; i < o->folios; i++)
			o->whole += large_at(pages[i * HPAGE_NR], flag);
		if (kind == HUGETLB)
			o->pool_cma_after = huge_in_cma(&cma);
		if (how != CALL) {
			o->alloc = cma_alloc_all(&cma);
			if (!o->alloc)
				cma_free_all(&cma);
			else
				o->busy = range_busy(&cma, o->first,
						     sizeof(o->first));
		}
		if (how == VMSPLICE)
			o->reader_bad = pipes_bad(&pipes, pages, o->pages);
	}
	gup_release(fd);
	pipes_close(&pipes);
}

static struct outcome run(enum kind kind, enum how how, uint64_t pool)
{
	struct outcome o = { 0 };
	int p[2];
	pid_t pid;

	if (pipe(p))
		return (struct outcome){ .setup = -errno, .what = "pipe" };
	pid = fork();
	if (pid == 0) {
		child(kind, how, pool, &o);
		if (write(p[1], &o, sizeof(o)) != sizeof(o))
			_exit(1);
		_exit(0);
	}
	close(p[1]);
	if (pid < 0 || read(p[0], &o, sizeof(o)) != sizeof(o))
		o = (struct outcome){ .setup = -EIO, .what = "the child died" };
	close(p[0]);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	return o;
}

/* ": <step>: <error>" when something failed, else "". */
static const char *why(const struct outcome *o)
{
	static char buf[160];
	int err = o->setup ? o->setup : o->err;

	if (!err)
		return "";
	snprintf(buf, sizeof(buf), " (%s: %s)", o->what, strerror(-err));
	return buf;
}

static void results(enum kind kind, enum how how, int skip, uint64_t pool)
{
	const char *k = kind == THP ? "THP" : "hugetlb";
	const char *h = how_name[how];
	struct outcome o = { 0 };
	int n = how == EPHEMERAL || how == CALL ? 3 : 4;
	int ok;

	if (skip) {
		while (n--)
			ksft_test_result_skip("%s, %s: the kernel has no %s\n",
					      k, h, k);
		return;
	}
	o = run(kind, how, pool);
	if (kind == HUGETLB)
		ksft_print_msg("%s, %s: the pool grew by %ld pages, %ld in CMA\n",
			       k, h, o.grown, o.pool_cma);
	ksft_test_result(!o.setup && o.folios > 0,
			 "%s, %s: %ld 2 MiB folios in CMA (%ld subpages), one folio of 512 aligned PFNs each; %ld ranges faulted, %ld large outside CMA, %ld not large (free %ld MiB, %ld in CMA)%s\n",
			 k, h, o.folios, o.pages, o.faulted, o.outside,
			 o.faulted - o.folios - o.outside, o.free_kib >> 10,
			 o.cma_kib >> 10, o.setup ? why(&o) : "");
	ok = !o.setup && !o.err;

	if (how == EPHEMERAL) {
		ksft_test_result(ok && o.in_cma == o.pages,
				 "%s, %s: moves nothing, %ld of %ld subpages still in CMA%s\n",
				 k, h, o.in_cma, o.pages, why(&o));
		ksft_test_result(ok && o.alloc,
				 "%s, %s: full CMA allocation fails: %s%s\n",
				 k, h, !ok ? "not tried" :
				 o.alloc ? strerror(-o.alloc) : "it succeeded",
				 why(&o));
		return;
	}
	ksft_test_result(ok && !o.in_cma,
			 "%s, %s: subpages left CMA, %ld of %ld still in it%s\n",
			 k, h, o.in_cma, o.pages, why(&o));
	if (ok && !o.in_cma && kind == THP)
		ksft_print_msg("%s, %s: %ld of %ld THPs are still one 2 MiB folio after moving, %ld were split\n",
			       k, h, o.whole, o.folios, o.folios - o.whole);
	else if (ok && !o.in_cma)
		ksft_print_msg("%s, %s: %ld of %ld hugetlb pages are one 2 MiB folio after moving; the %ld left in CMA are free, in the pool\n",
			       k, h, o.whole, o.folios, o.pool_cma_after);
	if (how != VMSPLICE)
		ksft_test_result(ok && !o.damaged,
				 "%s, %s: data intact, %ld of %ld subpages damaged%s\n",
				 k, h, o.damaged, o.pages, why(&o));
	if (how == CALL)
		return;
	if (ok && o.alloc)
		ksft_test_result_fail("%s, %s: full CMA allocation while held: %s (pages in use there: %ld%s%s)\n",
				      k, h, strerror(-o.alloc), o.busy,
				      o.busy > 0 ? ", first " : "", o.first);
	else if (ok && kind == HUGETLB)
		ksft_test_result_pass("%s, %s: full CMA allocation while held: ok, the %ld free hugetlb pages in CMA dissolved\n",
				      k, h, o.pool_cma_after);
	else
		ksft_test_result(ok, "%s, %s: full CMA allocation while held: %s%s\n",
				 k, h, ok ? "ok" : "not tried", why(&o));
	if (how == VMSPLICE)
		ksft_test_result(ok && !o.reader_bad && !o.damaged,
				 "%s, %s: the reader gets every subpage intact, %ld bad (%ld damaged in the buffer)%s\n",
				 k, h, o.reader_bad, o.damaged, why(&o));
}

/* The active choice of a sysfs setting ("always [madvise] never"). */
static int setting(const char *path, char *val, size_t size)
{
	char buf[128], *l, *r;
	int err = read_str(path, buf, sizeof(buf));

	if (err)
		return err;
	l = strchr(buf, '[');
	r = l ? strchr(l, ']') : NULL;
	if (!r)
		return -EIO;
	*r = '\0';
	snprintf(val, size, "%s", l + 1);
	return 0;
}

/*
 * Shrink the pool back to pool pages. Shrinking frees the pages freed
 * last, which may leave pages a case moved out of CMA in the pool, free,
 * in CMA, where every later CMA allocation must dissolve them: a CMA
 * allocation dissolves them now (*dissolved counts them). Returns the
 * pool's size.
 */
static uint64_t pool_restore(const struct cma_area *cma, uint64_t pool,
			     long *dissolved)
{
	uint64_t now = 0;
	char num[32];
	long left;

	snprintf(num, sizeof(num), "%llu", (unsigned long long)pool);
	write_str(NR_HUGEPAGES, num);
	read_u64(NR_HUGEPAGES, &now);
	left = huge_in_cma(cma);
	if (left > 0 && !cma_alloc_all(cma)) {
		cma_free_all(cma);
		*dissolved += left;
	}
	return now;
}

int main(void)
{
	char thp[32] = "", thp2m[32] = "";
	uint64_t pool = 0, now = 0;
	struct cma_area cma;
	int no_thp, no_hugetlb, err;
	long dissolved = 0, left;

	ksft_print_header();
	ksft_set_plan(25);

	err = cma_find(&cma);
	if (err)
		ksft_exit_fail_msg("no CMA area in debugfs: %s\n", strerror(-err));

	/* THP for MADV_HUGEPAGE mappings: "always" or "madvise" */
	no_thp = setting(THP_ENABLED, thp, sizeof(thp)) != 0;
	if (!no_thp && !strcmp(thp, "never"))
		write_str(THP_ENABLED, "madvise");
	if (!no_thp && !setting(THP_2M_ENABLED, thp2m, sizeof(thp2m)) &&
	    !strcmp(thp2m, "never"))
		write_str(THP_2M_ENABLED, "inherit");
	no_hugetlb = read_u64(NR_HUGEPAGES, &pool) != 0 ||
		     access(FREE_HUGEPAGES, R_OK) != 0;

	results(THP, HELD, no_thp, 0);
	results(THP, EPHEMERAL, no_thp, 0);
	results(THP, VMSPLICE, no_thp, 0);
	results(THP, CALL, no_thp, 0);

	results(HUGETLB, HELD, no_hugetlb, pool);
	if (!no_hugetlb)
		pool_restore(&cma, pool, &dissolved);
	results(HUGETLB, EPHEMERAL, no_hugetlb, pool);
	if (!no_hugetlb)
		pool_restore(&cma, pool, &dissolved);
	results(HUGETLB, CALL, no_hugetlb, pool);

	if (!no_thp && !strcmp(thp2m, "never"))
		write_str(THP_2M_ENABLED, thp2m);
	if (!no_thp && !strcmp(thp, "never"))
		write_str(THP_ENABLED, thp);
	if (no_hugetlb) {
		ksft_test_result_skip("hugetlb pool restored: the kernel has no hugetlb\n");
		ksft_finished();
	}
	now = pool_restore(&cma, pool, &dissolved);
	left = huge_in_cma(&cma);
	ksft_test_result(now == pool && !left,
			 "hugetlb pool restored to %llu pages (was %llu), %ld of them in CMA (%ld dissolved by CMA allocations after the cases)\n",
			 (unsigned long long)now, (unsigned long long)pool,
			 left, dissolved);
	ksft_finished();
}
