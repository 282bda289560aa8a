// SPDX-License-Identifier: GPL-2.0
/*
 * The guest tests' ublk server. See pinlife_ublk.h. Control commands go
 * through a ring of the calling thread; the queue's I/O commands through
 * the server thread's own ring, since ublk takes them from one task only.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <linux/ublk_cmd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "pinlife.h"
#include "pinlife_ublk.h"

/* One control command on /dev/ublk-control: its result, or -errno. */
static int ctrl_cmd(struct ublk_srv *s, unsigned int op, void *buf,
		    size_t len, uint64_t data)
{
	struct ublksrv_ctrl_cmd *cmd;
	struct io_uring_cqe *cqe;
	struct io_uring_sqe *sqe;
	struct io_uring ring;
	int ret;

	ret = io_uring_queue_init(4, &ring, IORING_SETUP_SQE128);
	if (ret)
		return ret;
	sqe = io_uring_get_sqe(&ring);
	if (!sqe) {
		io_uring_queue_exit(&ring);
		return -EBUSY;
	}
	memset(sqe, 0, 2 * sizeof(*sqe));
	sqe->opcode = IORING_OP_URING_CMD;
	sqe->fd = s->ctrl_fd;
	sqe->cmd_op = op;
	cmd = (struct ublksrv_ctrl_cmd *)sqe->cmd;
	cmd->dev_id = s->dev_id;
	cmd->queue_id = (uint16_t)-1;
	cmd->addr = (uintptr_t)buf;
	cmd->len = len;
	cmd->data[0] = data;
	ret = io_uring_submit(&ring);
	if (ret == 1)
		ret = io_uring_wait_cqe(&ring, &cqe);
	else if (ret >= 0)
		ret = -EIO;
	if (!ret) {
		ret = cqe->res;
		io_uring_cqe_seen(&ring, cqe);
	}
	io_uring_queue_exit(&ring);
	return ret;
}

/* Queue one I/O command; the ring has room for every tag twice. */
static void queue_io(struct ublk_srv *s, struct io_uring *ring, unsigned int op,
		     uint16_t tag, int result)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
	struct ublksrv_io_cmd *cmd;

	if (!sqe)
		abort();
	cmd = (struct ublksrv_io_cmd *)sqe->cmd;
	memset(sqe, 0, sizeof(*sqe));
	sqe->opcode = IORING_OP_URING_CMD;
	sqe->fd = s->char_fd;
	sqe->cmd_op = op;
	sqe->user_data = tag;
	cmd->q_id = 0;
	cmd->tag = tag;
	cmd->result = result;
	cmd->addr = (uintptr_t)(s->bufs + (size_t)tag * UBLK_SRV_MAX_IO);
}

/* Serve request tag: fill a READ's buffer, check a WRITE's; its result. */
static int handle(struct ublk_srv *s, uint16_t tag)
{
	const struct ublksrv_io_desc *iod =
		(struct ublksrv_io_desc *)s->descs + tag;
	char *buf = s->bufs + (size_t)tag * UBLK_SRV_MAX_IO;
	uint64_t off = iod->start_sector << 9;
	size_t len = (size_t)iod->nr_sectors << 9;

	if (s->image && (off > UBLK_SRV_SIZE || len > UBLK_SRV_SIZE - off))
		return -EINVAL;
	switch (ublksrv_get_op(iod)) {
	case UBLK_IO_OP_READ:
		if (s->image)
			memcpy(buf, s->image + off, len);
		else
			io_pattern(buf, len, off);
		return len;
	case UBLK_IO_OP_WRITE:
		if (s->image) {
			memcpy(s->image + off, buf, len);
			return len;
		}
		pthread_mutex_lock(&s->lock);
		s->bad_words += io_mismatch(buf, len, off);
		pthread_mutex_unlock(&s->lock);
		return len;
	case UBLK_IO_OP_FLUSH:
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}

static void *server(void *arg)
{
	struct __kernel_timespec ts = { .tv_nsec = 20 * 1000 * 1000 };
	struct ublk_srv *s = arg;
	struct io_uring ring;
	unsigned int live = 0;
	int err, tag;

	err = io_uring_queue_init(2 * UBLK_SRV_DEPTH, &ring, 0);
	if (!err) {
		for (tag = 0; tag < UBLK_SRV_DEPTH; tag++)
			queue_io(s, &ring, UBLK_U_IO_FETCH_REQ, tag, -1);
		err = io_uring_submit(&ring);
		err = err == UBLK_SRV_DEPTH ? 0 : err < 0 ? err : -EIO;
		live = UBLK_SRV_DEPTH;
	}
	pthread_mutex_lock(&s->lock);
	s->fetched = 1;
	s->error = err;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);

	while (!err && live) {
		struct io_uring_cqe *cqe;
		int queued = 0, answer, quit, ret;
		size_t i, n;

		pthread_mutex_lock(&s->lock);
		answer = s->answer;
		quit = s->quit;
		n = answer ? s->nheld : 0;
		if (answer)
			s->nheld = 0;
		pthread_mutex_unlock(&s->lock);
		if (quit)
			break;
		/* Only this thread writes held[]. */
		for (i = 0; i < n; i++)
			queue_io(s, &ring, UBLK_U_IO_COMMIT_AND_FETCH_REQ,
				 s->held[i], handle(s, s->held[i]));
		if (n && io_uring_submit(&ring) != (int)n)
			err = -EIO;
		if (answer) {
			pthread_mutex_lock(&s->lock);
			s->answer = 0;
			pthread_cond_broadcast(&s->cond);
			pthread_mutex_unlock(&s->lock);
		}
		if (err)
			break;

		ret = io_uring_wait_cqe_timeout(&ring, &cqe, &ts);
		if (ret == -ETIME || ret == -EINTR)
			continue;
		if (ret) {
			err = ret;
			break;
		}
		tag = cqe->user_data;
		ret = cqe->res;
		io_uring_cqe_seen(&ring, cqe);
		if (ret == UBLK_IO_RES_ABORT) {
			live--;
		} else if (ret != UBLK_IO_RES_OK) {
			err = ret;
		} else {
			const struct ublksrv_io_desc *iod =
				(struct ublksrv_io_desc *)s->descs + tag;
			int op = ublksrv_get_op(iod), held = 0;

			pthread_mutex_lock(&s->lock);
			if (op == UBLK_IO_OP_READ)
				s->reads++;
			if (op == UBLK_IO_OP_WRITE)
				s->writes++;
			if (s->hold && (op == UBLK_IO_OP_READ ||
					op == UBLK_IO_OP_WRITE)) {
				/* WRITE data are checked when answered */
				s->held[s->nheld++] = tag;
				held = 1;
				pthread_cond_broadcast(&s->cond);
			}
			pthread_mutex_unlock(&s->lock);
			if (!held) {
				queue_io(s, &ring, UBLK_U_IO_COMMIT_AND_FETCH_REQ,
					 tag, handle(s, tag));
				queued++;
			}
		}
		if (queued)
			io_uring_submit(&ring);
	}
	pthread_mutex_lock(&s->lock);
	if (err && !s->error)
		s->error = err;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
	io_uring_queue_exit(&ring);
	return NULL;
}

int ublk_srv_start(struct ublk_srv *s, int flags)
{
	struct ublksrv_ctrl_dev_info info = {
		.nr_hw_queues = 1,
		.queue_depth = UBLK_SRV_DEPTH,
		.max_io_buf_bytes = UBLK_SRV_MAX_IO,
		.dev_id = (uint32_t)-1,
		.ublksrv_pid = getpid(),
	};
	struct ublk_params p = {
		.len = sizeof(p),
		.types = UBLK_PARAM_TYPE_BASIC,
		.basic = {
			.logical_bs_shift = 9,
			.physical_bs_shift = 12,
			.io_opt_shift = 12,
			.io_min_shift = 9,
			.max_sectors = UBLK_SRV_MAX_IO >> 9,
			.dev_sectors = UBLK_SRV_SIZE >> 9,
		},
	};
	char path[32];
	size_t dlen = UBLK_SRV_DEPTH * sizeof(struct ublksrv_io_desc);
	int err;

	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->cond, NULL);
	s->hold = flags & 1;
	s->char_fd = -1;
	if (flags & UBLK_SRV_STORE) {
		s->image = calloc(1, UBLK_SRV_SIZE);
		if (!s->image)
			return -ENOMEM;
	}
	s->dev_id = -1;
	s->ctrl_fd = open("/dev/ublk-control", O_RDWR | O_CLOEXEC);
	if (s->ctrl_fd < 0)
		return -errno;
	err = ctrl_cmd(s, UBLK_U_CMD_ADD_DEV, &info, sizeof(info), 0);
	if (err < 0)
		goto close_ctrl;
	s->dev_id = info.dev_id;
	snprintf(s->bdev, sizeof(s->bdev), "/dev/ublkb%d", s->dev_id);
	err = ctrl_cmd(s, UBLK_U_CMD_SET_PARAMS, &p, sizeof(p), 0);
	if (err < 0)
		goto del;
	snprintf(path, sizeof(path), "/dev/ublkc%d", s->dev_id);
	s->char_fd = open(path, O_RDWR | O_CLOEXEC);
	if (s->char_fd < 0) {
		err = -errno;
		goto del;
	}
	dlen = (dlen + 4095) & ~4095UL;
	s->descs = mmap(NULL, dlen, PROT_READ, MAP_SHARED | MAP_POPULATE,
			s->char_fd, UBLKSRV_CMD_BUF_OFFSET);
	s->bufs = aligned_alloc(4096, (size_t)UBLK_SRV_DEPTH * UBLK_SRV_MAX_IO);
	if (s->descs == MAP_FAILED || !s->bufs) {
		err = -ENOMEM;
		goto close_char;
	}
	err = -pthread_create(&s->thread, NULL, server, s);
	if (err)
		goto close_char;
	pthread_mutex_lock(&s->lock);
	while (!s->fetched)
		pthread_cond_wait(&s->cond, &s->lock);
	err = s->error;
	pthread_mutex_unlock(&s->lock);
	/* Adds the disk; the server thread answers the partition scan. */
	if (!err)
		err = ctrl_cmd(s, UBLK_U_CMD_START_DEV, NULL, 0, getpid());
	s->started = 1;
	if (err < 0) {
		ublk_srv_stop(s);
		return err;
	}
	return 0;

close_char:
	if (s->descs && s->descs != MAP_FAILED)
		munmap(s->descs, dlen);
	free(s->bufs);
	close(s->char_fd);
del:
	ctrl_cmd(s, UBLK_U_CMD_DEL_DEV, NULL, 0, 0);
close_ctrl:
	close(s->ctrl_fd);
	free(s->image);
	s->image = NULL;
	return err;
}

int ublk_srv_wait_held(struct ublk_srv *s, size_t n, int timeout_s)
{
	struct timespec until;
	int err = 0;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += timeout_s;
	pthread_mutex_lock(&s->lock);
	while (s->nheld < n && !s->error && !err)
		err = pthread_cond_timedwait(&s->cond, &s->lock, &until);
	err = s->nheld >= n ? 0 : s->error ? s->error : -ETIMEDOUT;
	pthread_mutex_unlock(&s->lock);
	return err;
}

int ublk_srv_answer(struct ublk_srv *s)
{
	int err;

	pthread_mutex_lock(&s->lock);
	s->hold = 0;
	s->answer = 1;
	while (s->answer && !s->error)
		pthread_cond_wait(&s->cond, &s->lock);
	err = s->error;
	pthread_mutex_unlock(&s->lock);
	return err;
}

void ublk_srv_hold(struct ublk_srv *s, int hold)
{
	pthread_mutex_lock(&s->lock);
	s->hold = hold;
	pthread_mutex_unlock(&s->lock);
}

void ublk_srv_stop(struct ublk_srv *s)
{
	size_t dlen = UBLK_SRV_DEPTH * sizeof(struct ublksrv_io_desc);

	ublk_srv_answer(s);
	/* Deletes the disk, then aborts the queued FETCH_REQs. */
	ctrl_cmd(s, UBLK_U_CMD_STOP_DEV, NULL, 0, 0);
	pthread_mutex_lock(&s->lock);
	s->quit = 1;
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->thread, NULL);
	munmap(s->descs, (dlen + 4095) & ~4095UL);
	free(s->bufs);
	close(s->char_fd);
	ctrl_cmd(s, UBLK_U_CMD_DEL_DEV, NULL, 0, 0);
	close(s->ctrl_fd);
	free(s->image);
	s->image = NULL;
	s->started = 0;
}
