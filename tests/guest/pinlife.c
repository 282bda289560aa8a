// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers shared by the pinlife guest programs. See pinlife.h.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <poll.h>
#include <scsi/sg.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "mm/gup_test.h"
#include "pinlife.h"

#define CMA_DEBUGFS "/sys/kernel/debug/cma"
#define STAMP 0x70696e6c69666500ULL	/* "pinlife\0" */

/* A buffer page's stamp: see pinlife.h. */
void stamp_page(char *page, size_t idx)
{
	uint64_t *w = (uint64_t *)page;

	w[0] = STAMP | idx;
	w[PAGE_SZ / 16] = ~(STAMP | idx);
	w[PAGE_SZ / 8 - 1] = STAMP ^ idx;
}

int stamp_ok(const char *page, size_t idx)
{
	const uint64_t *w = (const uint64_t *)page;

	return w[0] == (STAMP | idx) && w[PAGE_SZ / 16] == ~(STAMP | idx) &&
	       w[PAGE_SZ / 8 - 1] == (STAMP ^ idx);
}

/* The first line of a file, without its newline: 0 or -errno. */
int read_str(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

int read_u64(const char *path, uint64_t *val)
{
	char buf[64];
	int err = read_str(path, buf, sizeof(buf));

	if (err)
		return err;
	if (!buf[0])
		return -EIO;
	*val = strtoull(buf, NULL, 0);
	return 0;
}

int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;
	int err = 0;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	if (n < 0)
		err = -errno;
	close(fd);
	return err;
}

static int cma_read(struct cma_area *cma, const char *name)
{
	char path[sizeof(cma->dir) + 16];
	int err;

	if (strlen(name) > sizeof(cma->dir) - sizeof(CMA_DEBUGFS) - 1)
		return -ENAMETOOLONG;
	snprintf(cma->dir, sizeof(cma->dir), CMA_DEBUGFS "/%s", name);
	snprintf(path, sizeof(path), "%s/base_pfn", cma->dir);
	err = read_u64(path, &cma->base_pfn);
	if (err)
		return err;
	snprintf(path, sizeof(path), "%s/count", cma->dir);
	err = read_u64(path, &cma->count);
	if (!err && !cma->count)
		err = -ENOENT;
	return err;
}

int cma_find_named(struct cma_area *cma, const char *prefix)
{
	struct dirent *de;
	DIR *d = opendir(CMA_DEBUGFS);
	int err = -ENOENT;

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' ||
		    strncmp(de->d_name, prefix, strlen(prefix)))
			continue;
		err = cma_read(cma, de->d_name);
		break;
	}
	closedir(d);
	return err;
}

int cma_find(struct cma_area *cma)
{
	/* The default area is "reserved"; hugetlb_cma= adds "hugetlbN". */
	return cma_find_named(cma, "reserved");
}

int zone_find(struct cma_area *range, const char *zone)
{
	char line[256], want[64];
	FILE *f = fopen("/proc/zoneinfo", "r");
	unsigned long long v;
	int in = 0, found = 0;

	if (!f)
		return -errno;
	memset(range, 0, sizeof(*range));
	snprintf(want, sizeof(want), "zone %8s", zone);
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "Node ", 5)) {
			in = !!strstr(line, want);
			continue;
		}
		if (!in)
			continue;
		if (sscanf(line, " spanned %llu", &v) == 1) {
			range->count = v;
			found |= 1;
		} else if (sscanf(line, " start_pfn: %llu", &v) == 1) {
			range->base_pfn = v;
			found |= 2;
		}
	}
	fclose(f);
	snprintf(range->dir, sizeof(range->dir), "zone %s", zone);
	return found == 3 && range->count ? 0 : -ENOENT;
}

static int cma_write(const struct cma_area *cma, const char *file)
{
	char path[sizeof(cma->dir) + 16], num[32];

	snprintf(path, sizeof(path), "%s/%s", cma->dir, file);
	snprintf(num, sizeof(num), "%llu", (unsigned long long)cma->count);
	return write_str(path, num);
}

int cma_alloc_all(const struct cma_area *cma)
{
	return cma_write(cma, "alloc");
}

int cma_free_all(const struct cma_area *cma)
{
	return cma_write(cma, "free");
}

static int pagemap_fd = -1;

static int pagemap_open(void)
{
	if (pagemap_fd < 0)
		pagemap_fd = open("/proc/self/pagemap", O_RDONLY);
	return pagemap_fd;
}

int64_t pfn_of(const void *addr)
{
	uint64_t ent;
	off_t off = (uintptr_t)addr / PAGE_SZ * sizeof(ent);

	if (pagemap_open() < 0)
		return -1;
	if (pread(pagemap_fd, &ent, sizeof(ent), off) != sizeof(ent))
		return -1;
	if (!(ent & (1ULL << 63)))
		return 0;
	return (int64_t)(ent & ((1ULL << 55) - 1));
}

int in_cma(const struct cma_area *cma, int64_t pfn)
{
	return pfn > 0 && (uint64_t)pfn >= cma->base_pfn &&
	       (uint64_t)pfn < cma->base_pfn + cma->count;
}

/*
 * Pages of pages[] in the CMA area. A page that is not present (swapped
 * out while a pipe or a socket still holds it, say) has no pfn to look
 * at: it counts as still in the area, so that "left CMA" is only ever
 * said of a page seen outside it.
 */
long count_in_cma(const struct cma_area *cma, char *const *pages, size_t n)
{
	long in = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		int64_t pfn = pfn_of(pages[i]);

		if (pfn < 0)
			return -1;
		in += !pfn || in_cma(cma, pfn);
	}
	return in;
}

static const char *const kpf_names[] = {
	"locked", "error", "referenced", "uptodate", "dirty", "lru", "active",
	"slab", "writeback", "reclaim", "buddy", "mmap", "anon", "swapcache",
	"swapbacked", "compound_head", "compound_tail", "huge", "unevictable",
	"hwpoison", "nopage", "ksm", "thp", "offline", "zero_page", "idle",
	"pgtable",
};

long range_busy(const struct cma_area *range, char *first, size_t size)
{
	const uint64_t quiet = 1ULL << 10 | 1ULL << 20;	/* buddy, nopage */
	int fd = open("/proc/kpageflags", O_RDONLY);
	uint64_t pfn, flags;
	long busy = 0;
	size_t k, len;

	if (fd < 0)
		return -errno;
	if (size)
		first[0] = '\0';
	for (pfn = range->base_pfn; pfn < range->base_pfn + range->count; pfn++) {
		if (pread(fd, &flags, sizeof(flags), pfn * sizeof(flags)) !=
		    sizeof(flags)) {
			close(fd);
			return -EIO;
		}
		if (!(flags & ~quiet))
			continue;
		if (!busy++ && size) {
			len = snprintf(first, size, "pfn %#llx:",
				       (unsigned long long)pfn);
			for (k = 0; k < sizeof(kpf_names) / sizeof(*kpf_names); k++)
				if (flags & 1ULL << k && len < size)
					len += snprintf(first + len, size - len,
							" %s", kpf_names[k]);
		}
	}
	close(fd);
	return busy;
}

/* MemFree and CmaFree from /proc/meminfo, in KiB: see pinlife.h. */
int mem_free_kib(uint64_t *free_kib, uint64_t *cma_kib)
{
	char line[128];
	FILE *f = fopen("/proc/meminfo", "r");
	int found = 0;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long v;

		if (sscanf(line, "MemFree: %llu kB", &v) == 1) {
			*free_kib = v;
			found |= 1;
		} else if (sscanf(line, "CmaFree: %llu kB", &v) == 1) {
			*cma_kib = v;
			found |= 2;
		}
	}
	fclose(f);
	return found == 3 ? 0 : -ENOENT;
}

/*
 * Memory that a long-term pin moves its pages out of: every CMA area and
 * ZONE_MOVABLE. At most max ranges; how many were found.
 */
static size_t pin_unsafe_ranges(struct cma_area *r, size_t max)
{
	struct dirent *de;
	DIR *d = opendir(CMA_DEBUGFS);
	size_t n = 0;

	while (d && (de = readdir(d)) && n < max)
		if (de->d_name[0] != '.' && !cma_read(&r[n], de->d_name))
			n++;
	if (d)
		closedir(d);
	if (n < max && !zone_find(&r[n], "Movable"))
		n++;
	return n;
}

static int64_t map_pfn(uint64_t ent)
{
	return (ent & (1ULL << 63)) ? (int64_t)(ent & ((1ULL << 55) - 1)) : 0;
}

int fill_region(const struct cma_area *region, size_t want, size_t keep_mib,
		struct fill *f)
{
	struct cma_area unsafe[16];
	size_t nunsafe = pin_unsafe_ranges(unsafe, 16);
	uint64_t free_kib = 0, cma_kib = 0, *map;
	size_t i, j, max, release, in = 0;
	int err, pass;

	memset(f, 0, sizeof(*f));
	err = mem_free_kib(&free_kib, &cma_kib);
	if (err)
		return err;
	max = free_kib / (PAGE_SZ / 1024);
	/* Bookkeeping first, touched, so that it is not what runs out. */
	map = malloc(max * sizeof(*map));
	f->cma_pages = malloc(max * sizeof(*f->cma_pages));
	if (!map || !f->cma_pages || pagemap_open() < 0) {
		free(map);
		return -ENOMEM;
	}
	memset(map, 0, max * sizeof(*map));
	memset(f->cma_pages, 0, max * sizeof(*f->cma_pages));
	f->base = mmap(NULL, max * PAGE_SZ, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (f->base == MAP_FAILED) {
		free(map);
		return -errno;
	}
	f->npages = max;
	/* Base pages: every held page is one page frame we can follow. */
	madvise(f->base, max * PAGE_SZ, MADV_NOHUGEPAGE);

	/*
	 * Fill a MiB at a time until want pages of the buffer sit in the
	 * region, until every CMA area is nearly used up, or until only
	 * keep_mib of memory outside CMA is left: kernel allocations (page
	 * tables among them) cannot use CMA, so that is the memory whose
	 * exhaustion would wake the OOM killer. Movable allocations take
	 * ZONE_MOVABLE first, then the zones below it.
	 */
	for (i = 0; i < max; i += 256) {
		size_t n = max - i < 256 ? max - i : 256;

		err = mem_free_kib(&free_kib, &cma_kib);
		if (err || cma_kib < 4096 ||
		    free_kib - cma_kib < (uint64_t)keep_mib << 10)
			break;
		for (j = i; j < i + n; j++)
			stamp_page(f->base + j * PAGE_SZ, j);
		if (pread(pagemap_fd, map + i, n * sizeof(*map),
			  (uintptr_t)(f->base + i * PAGE_SZ) / PAGE_SZ *
			  sizeof(*map)) != (ssize_t)(n * sizeof(*map))) {
			free(map);
			return -EIO;
		}
		for (j = i; j < i + n; j++)
			in += in_cma(region, map_pfn(map[j]));
		if (in >= want) {
			i += n;
			break;
		}
	}
	f->filled = i < max ? i : max;

	for (i = 0; i < f->filled; i++) {
		int64_t pfn = map_pfn(map[i]);

		if (in_cma(region, pfn)) {
			f->cma_pages[f->ncma++] = f->base + i * PAGE_SZ;
			continue;
		}
		/* mark: 1 may be released, 2 sits where pins may not stay */
		map[i] = 1;
		for (j = 0; j < nunsafe; j++)
			if (in_cma(&unsafe[j], pfn))
				map[i] = 2;
	}
	/*
	 * Give back enough pages from outside the region that migrating
	 * every region page has somewhere to go, plus slack for the
	 * allocation itself: a failed allocation or offlining then means
	 * held pages, not a full machine. Pages that a long-term pin could
	 * migrate to go first, those in CMA or ZONE_MOVABLE only if short.
	 */
	release = f->ncma + (32UL << 20) / PAGE_SZ;
	for (pass = 1; pass <= 2; pass++)
		for (i = 0; i < f->filled && release; i++) {
			if (map[i] != (uint64_t)pass)
				continue;
			madvise(f->base + i * PAGE_SZ, PAGE_SZ, MADV_DONTNEED);
			map[i] = 0;
			release--;
		}
	free(map);
	return 0;
}

int fill_memory(const struct cma_area *cma, size_t keep_mib, struct fill *f)
{
	/* Until the area is nearly used up: 4 MiB left. */
	return fill_region(cma, cma->count > 1024 ? cma->count - 1024 : 1,
			   keep_mib, f);
}

size_t fill_damaged(const struct fill *f)
{
	size_t i, bad = 0;

	for (i = 0; i < f->ncma; i++) {
		size_t idx = (f->cma_pages[i] - f->base) / PAGE_SZ;

		bad += !stamp_ok(f->cma_pages[i], idx);
	}
	return bad;
}

void fill_release(struct fill *f)
{
	if (f->base && f->base != MAP_FAILED)
		munmap(f->base, f->npages * PAGE_SZ);
	if (f->fmap)
		munmap(f->fmap, f->fmapped * PAGE_SZ);
	free(f->cma_pages);
	memset(f, 0, sizeof(*f));
}

static void (*profile_on)(void), (*profile_off)(void);

int profile_marks_map(void)
{
	unsigned char *code;

	code = mmap((void *)PROFILE_MARK_ADDR, PAGE_SZ,
		    PROT_READ | PROT_WRITE | PROT_EXEC,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (code == MAP_FAILED)
		return -errno;
	if (code != (unsigned char *)PROFILE_MARK_ADDR) {
		munmap(code, PAGE_SZ);
		return -EEXIST;
	}
	code[0] = 0xc3;		/* ret: the window opens */
	code[0x10] = 0xc3;	/* ret: the window closes */
	profile_on = (void (*)(void))code;
	profile_off = (void (*)(void))(code + 0x10);
	return 0;
}

void profile_mark(int on)
{
	void (*mark)(void) = on ? profile_on : profile_off;

	if (mark)
		mark();
}

/* Room for n pipes in p: 0 or -ENOMEM. */
static int pipes_alloc(struct pipes *p, size_t n)
{
	p->n = 0;
	p->fd = calloc(n + 1, sizeof(*p->fd));
	return p->fd ? 0 : -ENOMEM;
}

/* One more pipe in p, of size bytes: its write end, or -errno. */
static int pipes_add(struct pipes *p, int size)
{
	int *fd = p->fd[p->n];

	if (pipe(fd))
		return -errno;
	p->n++;
	if (fcntl(fd[1], F_SETPIPE_SZ, size) < 0)
		return -errno;
	return fd[1];
}

int vmsplice_pages(struct pipes *p, char *const *pages, size_t n)
{
	struct iovec iov[PIPE_SLOTS];
	size_t done = 0;
	int err = pipes_alloc(p, n / PIPE_SLOTS);

	if (err)
		return err;
	while (done < n) {
		size_t i, batch = n - done < PIPE_SLOTS ? n - done : PIPE_SLOTS;
		int wfd = pipes_add(p, PIPE_SLOTS * PAGE_SZ);
		ssize_t r;

		if (wfd < 0)
			return wfd;
		for (i = 0; i < batch; i++) {
			iov[i].iov_base = pages[done + i];
			iov[i].iov_len = PAGE_SZ;
		}
		r = vmsplice(wfd, iov, batch, SPLICE_F_NONBLOCK);
		if (r < 0)
			return -errno;
		if ((size_t)r != batch * PAGE_SZ)
			return -EAGAIN;
		done += batch;
	}
	return 0;
}

int fill_to_file(struct fill *f, const struct cma_area *region, int fd,
		 size_t max)
{
	size_t want = f->ncma < max ? f->ncma : max, cap = 2 * want + 2048;
	size_t i, got = 0;
	char *map;

	for (i = 0; i < f->ncma; i++)
		if (madvise(f->cma_pages[i], PAGE_SZ, MADV_DONTNEED))
			return -errno;
	if (ftruncate(fd, cap * PAGE_SZ))
		return -errno;
	map = mmap(NULL, cap * PAGE_SZ, PROT_READ | PROT_WRITE, MAP_SHARED,
		   fd, 0);
	if (map == MAP_FAILED)
		return -errno;
	f->fmap = map;
	f->fmapped = cap;
	for (i = 0; i < cap && got < want; i++) {
		char *at = map + i * PAGE_SZ;
		int64_t pfn;

		stamp_page(at, (size_t)(at - f->base) / PAGE_SZ);
		pfn = pfn_of(at);
		if (pfn < 0)
			return -EIO;
		if (pfn && in_cma(region, pfn))
			f->cma_pages[got++] = at;
	}
	f->ncma = got;
	f->fpages = i;
	if (ftruncate(fd, i * PAGE_SZ))
		return -errno;
	return got ? 0 : -ENOSPC;
}

int splice_file_pages(struct pipes *p, int fd, size_t n)
{
	size_t done = 0;
	int err = pipes_alloc(p, n / PIPE_SLOTS);

	if (err)
		return err;
	while (done < n) {
		size_t batch = n - done < PIPE_SLOTS ? n - done : PIPE_SLOTS;
		loff_t off = done * PAGE_SZ;
		int wfd = pipes_add(p, PIPE_SLOTS * PAGE_SZ);
		ssize_t r;

		if (wfd < 0)
			return wfd;
		r = splice(fd, &off, wfd, NULL, batch * PAGE_SZ,
			   SPLICE_F_NONBLOCK);
		if (r < 0)
			return -errno;
		if ((size_t)r != batch * PAGE_SZ)
			return -EAGAIN;
		done += batch;
	}
	return 0;
}

/* Bytes queued in a pipe, or -1. */
static ssize_t pipe_bytes(int fd)
{
	int n;

	return ioctl(fd, FIONREAD, &n) ? -1 : n;
}

int tee_pipes(struct pipes *to, const struct pipes *from)
{
	int err = pipes_alloc(to, from->n);
	size_t i;

	if (err)
		return err;
	for (i = 0; i < from->n; i++) {
		int slots = fcntl(from->fd[i][0], F_GETPIPE_SZ);
		int wfd = slots < 0 ? -errno : pipes_add(to, slots);
		ssize_t r;

		if (wfd < 0)
			return wfd;
		r = tee(from->fd[i][0], wfd, slots, SPLICE_F_NONBLOCK);
		if (r < 0)
			return -errno;
		if (r != pipe_bytes(from->fd[i][0]))
			return -EAGAIN;
	}
	return 0;
}

size_t pipes_differ(const struct pipes *p, int fd, size_t n)
{
	static char got[PAGE_SZ], want[PAGE_SZ];
	size_t i, bad = 0;

	for (i = 0; i < n; i++) {
		int rfd = p->fd[i / PIPE_SLOTS][0];

		if (i / PIPE_SLOTS >= p->n ||
		    read(rfd, got, PAGE_SZ) != (ssize_t)PAGE_SZ ||
		    pread(fd, want, PAGE_SZ, i * PAGE_SZ) != (ssize_t)PAGE_SZ ||
		    memcmp(got, want, PAGE_SZ))
			bad++;
	}
	return bad;
}

size_t sendfile_pages(int sock, int fd, size_t n, int *err)
{
	off_t off = 0;
	int fl = fcntl(sock, F_GETFL);

	*err = 0;
	if (fl < 0 || fcntl(sock, F_SETFL, fl | O_NONBLOCK) < 0) {
		*err = -errno;
		return 0;
	}
	while ((size_t)off < n * PAGE_SZ) {
		ssize_t r = sendfile(sock, fd, &off, n * PAGE_SZ - off);

		if (r < 0) {
			if (errno != EAGAIN)
				*err = -errno;
			break;
		}
		if (!r)
			break;
	}
	fcntl(sock, F_SETFL, fl);
	return off / PAGE_SZ;
}

void pipes_close(struct pipes *p)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		close(p->fd[i][0]);
		close(p->fd[i][1]);
	}
	free(p->fd);
	p->fd = NULL;
	p->n = 0;
}

#define MEMORY_SYSFS "/sys/devices/system/memory"
#define GIGANTIC_NR "/sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages"

uint64_t memory_block_bytes(void)
{
	char buf[32];

	if (read_str(MEMORY_SYSFS "/block_size_bytes", buf, sizeof(buf)))
		return 0;
	return strtoull(buf, NULL, 16);
}

static int memory_block_state(unsigned long n, const char *state)
{
	char path[96];

	snprintf(path, sizeof(path), MEMORY_SYSFS "/memory%lu/state", n);
	return write_str(path, state);
}

int memory_block_offline(unsigned long n, int timeout_s)
{
	pid_t child = fork();
	int status;

	if (child < 0)
		return -errno;
	if (!child) {
		signal(SIGALRM, SIG_DFL);
		alarm(timeout_s);
		_exit(-memory_block_state(n, "offline") & 0xff);
	}
	if (waitpid(child, &status, 0) != child)
		return -errno;
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
		return -ETIMEDOUT;
	if (!WIFEXITED(status))
		return -ECHILD;
	return -WEXITSTATUS(status);
}

int memory_block_online_movable(unsigned long n)
{
	return memory_block_state(n, "online_movable");
}

int probe_param(uint64_t *start, uint64_t *size)
{
	char line[2048], *p;
	int err = read_str("/proc/cmdline", line, sizeof(line));

	if (err)
		return err;
	p = strstr(line, "pinlife.probe=");
	if (!p || sscanf(p + 14, "%" SCNx64 ",%" SCNx64, start, size) != 2)
		return -ENOENT;
	return 0;
}

long memory_probe_movable(uint64_t start, uint64_t size, size_t *nblocks)
{
	uint64_t bs = memory_block_bytes(), a;
	char path[96], num[32], state[32];
	int err;

	if (!bs || start % bs || !size || size % bs)
		return -EINVAL;
	*nblocks = size / bs;
	for (a = start; a < start + size; a += bs) {
		snprintf(path, sizeof(path), MEMORY_SYSFS "/memory%" PRIu64 "/state",
			 a / bs);
		if (read_str(path, state, sizeof(state))) {
			snprintf(num, sizeof(num), "%#" PRIx64, a);
			err = write_str(MEMORY_SYSFS "/probe", num);
			if (err)
				return err;
			if (read_str(path, state, sizeof(state)))
				return -ENOENT;
		}
		if (!strcmp(state, "offline")) {
			err = memory_block_online_movable(a / bs);
			if (err)
				return err;
		}
	}
	return start / bs;
}

int gigantic_alloc(void)
{
	uint64_t nr = 0;
	int err = write_str(GIGANTIC_NR, "1");

	if (!err)
		err = read_u64(GIGANTIC_NR, &nr);
	if (err)
		return err;
	return nr == 1 ? 0 : -ENOMEM;
}

void gigantic_free(void)
{
	write_str(GIGANTIC_NR, "0");
}

long vm_pin(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[128];
	long kb = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmPin: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

long long vmstat(const char *name)
{
	char line[128];
	size_t len = strlen(name);
	long long val = -1;
	FILE *f;

	/* Fold the per-CPU deltas, which /proc/vmstat leaves out, first. */
	write_str("/proc/sys/vm/stat_refresh", "1");
	f = fopen("/proc/vmstat", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, name, len) && line[len] == ' ') {
			val = atoll(line + len + 1);
			break;
		}
	}
	fclose(f);
	return val;
}

int gup_hold(int *fd, char *const *pages, size_t n, unsigned int flags)
{
	struct pin_longterm_test args = { 0 };
	char *lo = pages[0], *hi = pages[0];
	size_t i;

	for (i = 1; i < n; i++) {
		if (pages[i] < lo)
			lo = pages[i];
		if (pages[i] > hi)
			hi = pages[i];
	}
	*fd = open("/sys/kernel/debug/gup_test", O_RDWR);
	if (*fd < 0)
		return -errno;
	args.addr = (uintptr_t)lo;
	args.size = hi - lo + PAGE_SZ;
	args.flags = flags | PIN_LONGTERM_TEST_FLAG_USE_WRITE;
	if (ioctl(*fd, PIN_LONGTERM_TEST_START, &args))
		return -errno;
	return 0;
}

void gup_release(int fd)
{
	if (fd < 0)
		return;
	ioctl(fd, PIN_LONGTERM_TEST_STOP);
	close(fd);
}

#define SG_PARAM "/sys/module/sg/parameters/"
#define SG_DEBUG_DELAY "/sys/bus/pseudo/drivers/scsi_debug/delay"
#define SG_SECTOR 512
#define SG_TIMEOUT_MS 20000

void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* A finished command's result: 0, or -EREMOTEIO on a SCSI error. */
static int sg_status(const struct sg_io_hdr *hp)
{
	return hp->status || hp->host_status || hp->driver_status ?
		-EREMOTEIO : 0;
}

/* As sg_status(), and -EXDEV if sg copied instead of doing direct I/O. */
static int sg_dio_result(const struct sg_io_hdr *hp)
{
	int err = sg_status(hp);

	if (!err && (hp->info & SG_INFO_DIRECT_IO_MASK) != SG_INFO_DIRECT_IO)
		err = -EXDEV;
	return err;
}

/* Issue a command; 0, -EREMOTEIO on a SCSI error, or -errno. */
static int sg_cmd(int fd, struct sg_io_hdr *hp)
{
	return ioctl(fd, SG_IO, hp) ? -errno : sg_status(hp);
}

static void sg_hdr(struct sg_io_hdr *hp, unsigned char *cdb, int to_disk,
		   uint64_t lba, void *buf, size_t len)
{
	uint32_t blocks = len / SG_SECTOR;

	memset(cdb, 0, 10);
	cdb[0] = to_disk ? 0x2a : 0x28;		/* WRITE(10), READ(10) */
	cdb[2] = lba >> 24;
	cdb[3] = lba >> 16;
	cdb[4] = lba >> 8;
	cdb[5] = lba;
	cdb[7] = blocks >> 8;
	cdb[8] = blocks;
	memset(hp, 0, sizeof(*hp));
	hp->interface_id = 'S';
	hp->dxfer_direction = to_disk ? SG_DXFER_TO_DEV : SG_DXFER_FROM_DEV;
	hp->cmd_len = 10;
	hp->cmdp = cdb;
	hp->dxfer_len = len;
	hp->dxferp = buf;
	hp->timeout = SG_TIMEOUT_MS;
	hp->flags = SG_FLAG_DIRECT_IO;
}

int sg_disk_open(struct sg_disk *d)
{
	char path[300], model[64];
	struct dirent *de;
	int tries, fd, err = -ENODEV;
	DIR *dir;

	memset(d, 0, sizeof(*d));
	/* The SCSI host may still be scanning right after boot. */
	for (tries = 0; tries < 50 && !d->dev[0]; tries++) {
		dir = opendir("/sys/class/scsi_generic");
		while (dir && (de = readdir(dir))) {
			snprintf(path, sizeof(path),
				 "/sys/class/scsi_generic/%s/device/model",
				 de->d_name);
			if (!read_str(path, model, sizeof(model)) &&
			    !strncmp(model, "scsi_debug", 10)) {
				snprintf(d->dev, sizeof(d->dev), "/dev/%.20s",
					 de->d_name);
				break;
			}
		}
		if (dir)
			closedir(dir);
		if (!d->dev[0])
			sleep_ms(100);
	}
	if (!d->dev[0])
		return -ENODEV;
	if (read_str(SG_PARAM "allow_dio", d->allow_dio, sizeof(d->allow_dio)) ||
	    read_str(SG_PARAM "def_reserved_size", d->reserved,
		     sizeof(d->reserved)))
		return -ENOENT;
	err = write_str(SG_PARAM "allow_dio", "1");
	if (!err)
		err = write_str(SG_PARAM "def_reserved_size", "4096");
	if (err)
		return err;

	/* TEST UNIT READY until the power-on unit attention is consumed. */
	fd = open(d->dev, O_RDWR);
	if (fd < 0)
		return -errno;
	for (tries = 0; tries < 4; tries++) {
		unsigned char cdb[6] = { 0 }, sense[32];
		struct sg_io_hdr h = {
			.interface_id = 'S', .dxfer_direction = SG_DXFER_NONE,
			.cmd_len = 6, .cmdp = cdb, .mx_sb_len = sizeof(sense),
			.sbp = sense, .timeout = SG_TIMEOUT_MS,
		};

		err = sg_cmd(fd, &h);
		if (!err)
			break;
	}
	close(fd);
	return err;
}

void sg_disk_close(struct sg_disk *d)
{
	if (d->allow_dio[0])
		write_str(SG_PARAM "allow_dio", d->allow_dio);
	if (d->reserved[0])
		write_str(SG_PARAM "def_reserved_size", d->reserved);
}

int sg_dio_sync(int fd, int to_disk, uint64_t lba, void *buf, size_t len)
{
	unsigned char cdb[10];
	struct sg_io_hdr h;

	sg_hdr(&h, cdb, to_disk, lba, buf, len);
	return ioctl(fd, SG_IO, &h) ? -errno : sg_dio_result(&h);
}

int sg_dio_submit(int fd, int to_disk, void *buf, size_t len, int pack_id)
{
	unsigned char cdb[10];	/* copied by write(): a stack one will do */
	struct sg_io_hdr h;

	sg_hdr(&h, cdb, to_disk, 0, buf, len);
	h.pack_id = pack_id;
	return write(fd, &h, sizeof(h)) < 0 ? -errno : 0;
}

int sg_debug_delay(const char *val, char *old, size_t size)
{
	if (old && read_str(SG_DEBUG_DELAY, old, size))
		return -ENOENT;
	return write_str(SG_DEBUG_DELAY, val);
}

static int sg_waiting(int fd)
{
	int n = 0;

	return ioctl(fd, SG_GET_NUM_WAITING, &n) ? -errno : n;
}

int sg_dio_hold(struct sg_hold *h, const char *dev, char *const *pages,
		size_t n, int to_disk)
{
	size_t i = 0, f, perfd = 0;
	int waited, err;

	memset(h, 0, sizeof(*h));
	/* At worst a request per page. */
	h->fds = calloc(n / SG_REQS_PER_FD + 1, sizeof(*h->fds));
	if (!h->fds)
		return -ENOMEM;
	while (i < n) {
		size_t run = 1;

		while (i + run < n && run < SG_RUN_PAGES &&
		       pages[i + run] == pages[i] + run * PAGE_SZ)
			run++;
		if (!h->nfds || perfd == SG_REQS_PER_FD) {
			int fd = open(dev, O_RDWR | O_NONBLOCK);

			if (fd < 0)
				return -errno;
			h->fds[h->nfds++] = fd;
			perfd = 0;
		}
		err = sg_dio_submit(h->fds[h->nfds - 1], to_disk, pages[i],
				    run * PAGE_SZ, h->nreq);
		if (err)
			return err;
		h->nreq++;
		perfd++;
		i += run;
	}

	/* Every file has SG_REQS_PER_FD requests, the last one perfd. */
	for (waited = 0; waited < SG_TIMEOUT_MS; waited += 10) {
		size_t done = 0;

		for (f = 0; f < h->nfds; f++) {
			int w = sg_waiting(h->fds[f]);

			if (w < 0)
				return w;
			done += w;
		}
		if (done == h->nreq)
			return 0;
		sleep_ms(10);
	}
	return -ETIMEDOUT;
}

long sg_dio_reap(struct sg_hold *h)
{
	size_t f, reaped = 0;
	long bad = 0;

	for (f = 0; f < h->nfds; f++) {
		struct pollfd pfd = { .fd = h->fds[f], .events = POLLIN };
		struct sg_io_hdr hd;

		while (poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLIN)) {
			memset(&hd, 0, sizeof(hd));
			hd.interface_id = 'S';
			hd.pack_id = -1;
			if (read(h->fds[f], &hd, sizeof(hd)) < 0) {
				if (errno == EAGAIN)
					break;
				return -errno;
			}
			reaped++;
			bad += sg_dio_result(&hd) != 0;
		}
	}
	return bad + (long)(h->nreq - reaped);
}

void sg_dio_release(struct sg_hold *h)
{
	size_t f;

	for (f = 0; f < h->nfds; f++)
		close(h->fds[f]);
	free(h->fds);
	memset(h, 0, sizeof(*h));
}

#define ZEROCOPY_BATCH 256	/* pages per sendmsg() */

#ifndef SO_ZEROCOPY
#define SO_ZEROCOPY 60
#endif
#ifndef MSG_ZEROCOPY
#define MSG_ZEROCOPY 0x4000000
#endif

static int loopback_up(void)
{
	struct ifreq ifr = { 0 };
	int s = socket(AF_INET, SOCK_DGRAM, 0), err = 0;

	if (s < 0)
		return -errno;
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr))
		err = -errno;
	ifr.ifr_flags |= IFF_UP;
	if (!err && ioctl(s, SIOCSIFFLAGS, &ifr))
		err = -errno;
	close(s);
	return err;
}

int zerocopy_pair(int fd[2])
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int one = 1, small = 4096, big = 64 << 20;
	int l, err = loopback_up();

	if (err)
		return err;
	l = socket(AF_INET, SOCK_STREAM, 0);
	fd[0] = socket(AF_INET, SOCK_STREAM, 0);
	fd[1] = -1;
	/* A small receive window: most of what is sent stays queued. */
	if (l < 0 || fd[0] < 0 ||
	    setsockopt(l, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small)) ||
	    bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 1) ||
	    getsockname(l, (struct sockaddr *)&a, &len) ||
	    setsockopt(fd[0], SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof(big)) ||
	    setsockopt(fd[0], SOL_SOCKET, SO_ZEROCOPY, &one, sizeof(one)) ||
	    connect(fd[0], (struct sockaddr *)&a, sizeof(a)) ||
	    (fd[1] = accept(l, NULL, NULL)) < 0)
		err = -errno;
	if (l >= 0)
		close(l);
	if (err && fd[0] >= 0) {
		close(fd[0]);
		fd[0] = -1;
	}
	return err;
}

size_t zerocopy_send(int fd, char *const *pages, size_t n,
		     unsigned int *sends, int *err)
{
	struct iovec iov[ZEROCOPY_BATCH];
	struct msghdr msg = { .msg_iov = iov };
	size_t done = 0, i;

	*sends = 0;
	*err = 0;
	while (done < n) {
		size_t batch = n - done < ZEROCOPY_BATCH ? n - done : ZEROCOPY_BATCH;
		ssize_t r;

		for (i = 0; i < batch; i++) {
			iov[i].iov_base = pages[done + i];
			iov[i].iov_len = PAGE_SZ;
		}
		msg.msg_iovlen = batch;
		r = sendmsg(fd, &msg, MSG_ZEROCOPY | MSG_DONTWAIT);
		if (r < 0 && errno != EAGAIN)
			*err = -errno;
		if (r <= 0)
			break;
		(*sends)++;
		done += r / PAGE_SZ;
		/* A partial page is sent but not counted, nor read back. */
		if ((size_t)r != batch * PAGE_SZ)
			break;
	}
	return done;
}

void io_pattern(void *buf, size_t len, uint64_t off)
{
	uint64_t *w = buf;
	size_t i;

	for (i = 0; i < len / 8; i++)
		w[i] = io_word(off + i * 8);
}

size_t io_mismatch(const void *buf, size_t len, uint64_t off)
{
	const uint64_t *w = buf;
	size_t i, bad = 0;

	for (i = 0; i < len / 8; i++)
		bad += w[i] != io_word(off + i * 8);
	return bad;
}

int kmsg_open_end(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);

	if (fd < 0)
		return -errno;
	lseek(fd, 0, SEEK_END);
	return fd;
}

int kmsg_bad(int fd, char *first, size_t size)
{
	char rec[1024];
	int bad = 0;
	ssize_t n;

	/* EPIPE: records were overwritten meanwhile; read on */
	while ((n = read(fd, rec, sizeof(rec) - 1)) > 0 || (n < 0 && errno == EPIPE)) {
		if (n <= 0)
			continue;
		rec[n] = 0;
		if ((strstr(rec, "WARNING:") || strstr(rec, "BUG:") ||
		     strstr(rec, "Oops")) && !bad++)
			snprintf(first, size, "%s", rec);
	}
	return bad;
}
