// SPDX-License-Identifier: GPL-2.0
/*
 * NVMe passthrough through io_uring (IORING_OP_URING_CMD on /dev/ng0n1)
 * pins its buffers for the command only: once the device has completed
 * the commands, no pin is left, although the submitter, on a ring with
 * IORING_SETUP_DEFER_TASKRUN, has not asked for a single completion yet.
 * Reads go into pages that sit in CMA: while the completions are
 * unreaped, a full CMA allocation succeeds. Then every completion is
 * reaped, successful, and the data that arrived is intact.
 *
 * On stock 6.12 the unmap, and with it the unpin, runs in io_uring task
 * work that a DEFER_TASKRUN submitter only runs when it waits for
 * completions: the pages stay pinned, in CMA, for as long as it likes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <linux/fs.h>
#include <linux/nvme_ioctl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "kselftest.h"
#include "pinlife_ksft.h"

#define CHARDEV "/dev/ng0n1"
#define BLOCKDEV "/dev/nvme0n1"
#define NCMDS 64
#define SETTLE_S 10
#define nvme_cmd_read 0x02

static uint64_t pattern(size_t i)
{
	return 0x6e766d65ULL << 32 | i;	/* "nvme" */
}

/* Write the pattern of command i into block i of the namespace. */
static int write_pattern(void)
{
	char *blk = aligned_alloc(PAGE_SZ, PAGE_SZ);
	int fd = open(BLOCKDEV, O_WRONLY), err = 0;
	size_t i;

	if (fd < 0 || !blk) {
		free(blk);
		return -errno;
	}
	for (i = 0; i < NCMDS && !err; i++) {
		memset(blk, 0, PAGE_SZ);
		*(uint64_t *)blk = pattern(i);
		*(uint64_t *)(blk + PAGE_SZ - 8) = pattern(i);
		if (pwrite(fd, blk, PAGE_SZ, i * PAGE_SZ) != (ssize_t)PAGE_SZ)
			err = -errno;
	}
	if (!err && fsync(fd))
		err = -errno;
	close(fd);
	free(blk);
	return err;
}

static long long pins_held(void)
{
	return vmstat("nr_foll_pin_acquired") - vmstat("nr_foll_pin_released");
}

int main(void)
{
	struct io_uring_params p = {
		.flags = IORING_SETUP_SQE128 | IORING_SETUP_CQE32 |
			 IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN,
	};
	long long held0, held = 0, waited = 0;
	struct io_uring_cqe *cqe;
	struct io_uring ring;
	struct cma_area cma;
	int fd, nsid, lbs, err, n, i, good = 0, bad = 0;
	struct fill f;

	ksft_print_header();
	ksft_set_plan(7);

	fd = open(BLOCKDEV, O_RDONLY);
	if (fd < 0 || ioctl(fd, BLKSSZGET, &lbs) || lbs <= 0 || lbs > (int)PAGE_SZ)
		ksft_exit_fail_msg("%s: %s\n", BLOCKDEV, strerror(errno));
	close(fd);
	err = write_pattern();
	if (err)
		ksft_exit_fail_msg("writing the pattern: %s\n", strerror(-err));
	fd = open(CHARDEV, O_RDONLY);
	nsid = fd < 0 ? -1 : ioctl(fd, NVME_IOCTL_ID);
	if (nsid <= 0)
		ksft_exit_fail_msg("%s: %s\n", CHARDEV, strerror(errno));
	err = io_uring_queue_init_params(NCMDS, &ring, &p);
	if (err)
		ksft_exit_fail_msg("io_uring with DEFER_TASKRUN: %s\n", strerror(-err));

	ksft_fill_cma(&cma, &f);
	n = f.ncma < NCMDS ? (int)f.ncma : NCMDS;
	for (i = 0; i < n; i++)
		memset(f.cma_pages[i], 0xee, PAGE_SZ);

	held0 = pins_held();
	for (i = 0; i < n; i++) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
		struct nvme_uring_cmd *cmd;
		uint64_t slba = (uint64_t)i * PAGE_SZ / lbs;

		if (!sqe)
			ksft_exit_fail_msg("no free SQE\n");
		/* SQE128: the command takes the second half of the slot. */
		memset((void *)sqe, 0, 2 * sizeof(*sqe));
		sqe->opcode = IORING_OP_URING_CMD;
		sqe->fd = fd;
		sqe->cmd_op = NVME_URING_CMD_IO;
		sqe->user_data = i;
		cmd = (struct nvme_uring_cmd *)sqe->cmd;
		cmd->opcode = nvme_cmd_read;
		cmd->nsid = nsid;
		cmd->addr = (uintptr_t)f.cma_pages[i];
		cmd->data_len = PAGE_SZ;
		cmd->cdw10 = slba & 0xffffffff;
		cmd->cdw11 = slba >> 32;
		cmd->cdw12 = PAGE_SZ / lbs - 1;
	}
	/* Submit only: no IORING_ENTER_GETEVENTS, so no task work runs. */
	err = io_uring_submit(&ring);
	ksft_test_result(err == n, "%d NVMe reads into CMA pages submitted through io_uring: %s\n",
			 n, err == n ? "ok" : strerror(err < 0 ? -err : EIO));

	/* The device completes them quickly; give their unpins time. */
	while (waited < SETTLE_S * 10) {
		held = pins_held() - held0;
		if (!held)
			break;
		usleep(100000);
		waited++;
	}
	ksft_test_result(!held, "pins held by the completed, unreaped commands: %lld (after %.1f s)\n",
			 held, waited / 10.0);
	err = cma_alloc_all(&cma);
	ksft_test_result(!err, "full CMA allocation while the completions are unreaped: %s\n",
			 err ? strerror(-err) : "ok");
	if (!err)
		cma_free_all(&cma);

	for (i = 0; i < n; i++) {
		if (io_uring_wait_cqe(&ring, &cqe))
			break;
		if (cqe->res == 0 && cqe->user_data < (uint64_t)n &&
		    *(uint64_t *)f.cma_pages[cqe->user_data] == pattern(cqe->user_data) &&
		    *(uint64_t *)(f.cma_pages[cqe->user_data] + PAGE_SZ - 8) ==
		    pattern(cqe->user_data))
			good++;
		else if (cqe->res)
			bad++;
		io_uring_cqe_seen(&ring, cqe);
	}
	ksft_test_result(i == n && !bad, "%d of %d completions reaped, %d failed\n", i, n, bad);
	ksft_test_result(good == n, "the data arrived intact in %d of %d pages\n", good, n);
	io_uring_queue_exit(&ring);
	close(fd);
	held = pins_held() - held0;
	ksft_test_result(!held, "pins left at the end: %lld\n", held);
	fill_release(&f);
	ksft_finished();
}
