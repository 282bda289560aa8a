// SPDX-License-Identifier: GPL-2.0
/*
 * Ordinary ext4 use must not leave pages in CMA that no allocation can
 * move (issue 24). jbd2 keeps every metadata buffer a transaction changes
 * referenced until a checkpoint, and the buffer cache allocates those
 * buffers movable, so with free memory mostly in CMA they land there and
 * stay. A fresh ext4 with a journal on a RAM disk gets a metadata-heavy
 * workload while the rest of memory is full; then a full CMA allocation
 * must succeed while the transaction is open, and again after sync(),
 * when the buffers sit clean on the journal's checkpoint list.
 *
 * On stock 6.12 both allocations fail: the journal's buffers are in the
 * area and referenced.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pinlife_ksft.h"

#define DEV "/dev/ram2"
#define MNT "/mnt/jbd2"
#define DIRS 16
#define FILES 128		/* per directory */

static int mkfs(void)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return -errno;
	if (!pid) {
		execl("/sbin/mke2fs", "mke2fs", "-q", "-F", "-t", "ext4", DEV,
		      (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -EIO;
}

/* Create DIRS directories of FILES small files: 0 or -errno. */
static int workload(void)
{
	char path[64], data[512];
	int d, i, fd;

	for (d = 0; d < DIRS; d++) {
		snprintf(path, sizeof(path), MNT "/d%d", d);
		if (mkdir(path, 0755))
			return -errno;
		for (i = 0; i < FILES; i++) {
			snprintf(path, sizeof(path), MNT "/d%d/f%d", d, i);
			fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
			if (fd < 0)
				return -errno;
			memset(data, d * FILES + i, sizeof(data));
			if (write(fd, data, sizeof(data)) != sizeof(data)) {
				close(fd);
				return -EIO;
			}
			close(fd);
		}
	}
	return 0;
}

/* Read every file back: the number that differ. */
static int damaged(void)
{
	char path[64], data[512], want[512];
	int d, i, fd, bad = 0;

	for (d = 0; d < DIRS; d++)
		for (i = 0; i < FILES; i++) {
			snprintf(path, sizeof(path), MNT "/d%d/f%d", d, i);
			memset(want, d * FILES + i, sizeof(want));
			fd = open(path, O_RDONLY);
			bad += fd < 0 ||
			       read(fd, data, sizeof(data)) != sizeof(data) ||
			       memcmp(data, want, sizeof(data));
			if (fd >= 0)
				close(fd);
		}
	return bad;
}

int main(void)
{
	struct cma_area cma;
	struct fill f;
	size_t i;
	int err;

	ksft_print_header();
	ksft_set_plan(5);

	mkdir(MNT, 0755);
	err = mkfs();
	if (err)
		ksft_exit_skip("mke2fs on " DEV ": %s\n", strerror(-err));
	if (mount(DEV, MNT, "ext4", 0, NULL))
		ksft_exit_skip("mount " DEV ": %s\n", strerror(errno));

	/*
	 * Fill memory, then give back the buffer's pages in CMA: free memory
	 * is then mostly in CMA, where movable allocations go first.
	 */
	ksft_fill_cma(&cma, &f);
	for (i = 0; i < f.ncma; i++)
		madvise(f.cma_pages[i], PAGE_SZ, MADV_DONTNEED);

	err = workload();
	ksft_test_result(!err, "%d files created in %d directories: %s\n",
			 DIRS * FILES, DIRS, err ? strerror(-err) : "ok");
	ksft_cma_alloc_all(&cma, "the journal's transaction holds its buffers");

	sync();
	ksft_cma_alloc_all(&cma, "the journal's checkpoint list holds the buffers");

	err = damaged();
	ksft_test_result(!err, "every file reads back intact (%d differ)\n", err);

	fill_release(&f);
	umount(MNT);
	ksft_finished();
}
