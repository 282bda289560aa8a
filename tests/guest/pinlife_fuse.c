// SPDX-License-Identifier: GPL-2.0
/*
 * The guest tests' FUSE server: the raw /dev/fuse protocol, one thread.
 * See pinlife_fuse.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/fuse.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "pinlife.h"
#include "pinlife_fuse.h"

#define ROOT_ID		FUSE_ROOT_ID
#define DIO_ID		2
#define PLAIN_ID	3
#define BUF_SIZE	(FUSE_SRV_MAX_PAGES * 4096 + 8192)

static int reply(struct fuse_srv *s, uint64_t unique, int error,
		 const void *arg, size_t len)
{
	struct fuse_out_header out = {
		.len = sizeof(out) + (error ? 0 : len),
		.error = error,
		.unique = unique,
	};
	struct iovec iov[2] = {
		{ &out, sizeof(out) },
		{ (void *)arg, len },
	};
	ssize_t n = writev(s->fd, iov, error || !len ? 1 : 2);

	/* -ENOENT: the request was interrupted meanwhile; not an error. */
	if (n < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

static void fill_attr(struct fuse_attr *a, uint64_t ino)
{
	memset(a, 0, sizeof(*a));
	a->ino = ino;
	a->nlink = 1;
	a->blksize = 4096;
	if (ino == ROOT_ID) {
		a->mode = S_IFDIR | 0755;
		a->nlink = 2;
	} else {
		a->mode = S_IFREG | 0666;
		a->size = FUSE_SRV_FILE_SIZE;
		a->blocks = FUSE_SRV_FILE_SIZE / 512;
	}
}

static int answer_read(struct fuse_srv *s, const struct fuse_srv_req *r,
		       char *data)
{
	io_pattern(data, r->size, r->offset);
	return reply(s, r->unique, 0, data, r->size);
}

static int answer_write(struct fuse_srv *s, const struct fuse_srv_req *r)
{
	struct fuse_write_out wo = { .size = r->size };

	return reply(s, r->unique, 0, &wo, sizeof(wo));
}

static int answer(struct fuse_srv *s, const struct fuse_srv_req *r,
		  char *data)
{
	if (r->opcode == FUSE_READ)
		return answer_read(s, r, data);
	return answer_write(s, r);
}

/* One request; 1 when it was held. */
static int serve(struct fuse_srv *s, char *buf, size_t len, char *data)
{
	struct fuse_in_header *in = (struct fuse_in_header *)buf;
	void *arg = buf + sizeof(*in);
	struct fuse_srv_req r = { .unique = in->unique, .opcode = in->opcode };

	if (len < sizeof(*in))
		return -EPROTO;
	switch (in->opcode) {
	case FUSE_INIT: {
		const struct fuse_init_in *ii = arg;
		struct fuse_init_out io = {
			.major = FUSE_KERNEL_VERSION,
			.minor = FUSE_KERNEL_MINOR_VERSION,
			.max_readahead = ii->max_readahead,
			.flags = FUSE_ASYNC_DIO | FUSE_MAX_PAGES |
				 FUSE_BIG_WRITES,
			.max_background = FUSE_SRV_MAX_HELD,
			.congestion_threshold = FUSE_SRV_MAX_HELD,
			.max_write = FUSE_SRV_MAX_PAGES * 4096,
			.time_gran = 1,
			.max_pages = FUSE_SRV_MAX_PAGES,
		};

		return reply(s, in->unique, 0, &io, sizeof(io));
	}
	case FUSE_LOOKUP: {
		struct fuse_entry_out eo = { .attr_valid = 3600 };

		if (in->nodeid != ROOT_ID)
			return reply(s, in->unique, -ENOENT, NULL, 0);
		if (!strcmp(arg, "dio"))
			eo.nodeid = DIO_ID;
		else if (!strcmp(arg, "plain"))
			eo.nodeid = PLAIN_ID;
		else
			return reply(s, in->unique, -ENOENT, NULL, 0);
		eo.entry_valid = 3600;
		fill_attr(&eo.attr, eo.nodeid);
		return reply(s, in->unique, 0, &eo, sizeof(eo));
	}
	case FUSE_GETATTR: {
		struct fuse_attr_out ao = { .attr_valid = 3600 };

		fill_attr(&ao.attr, in->nodeid);
		return reply(s, in->unique, 0, &ao, sizeof(ao));
	}
	case FUSE_OPEN: {
		struct fuse_open_out oo = {
			.fh = in->nodeid,
			/* parallel: the writes of a test are held together */
			.open_flags = in->nodeid == DIO_ID ?
				FOPEN_DIRECT_IO | FOPEN_PARALLEL_DIRECT_WRITES :
				0,
		};

		return reply(s, in->unique, 0, &oo, sizeof(oo));
	}
	case FUSE_READ:
	case FUSE_WRITE:
		if (in->opcode == FUSE_READ) {
			const struct fuse_read_in *ri = arg;

			r.offset = ri->offset;
			r.size = ri->size;
		} else {
			const struct fuse_write_in *wi = arg;

			r.offset = wi->offset;
			r.size = wi->size;
		}
		if (r.size > FUSE_SRV_MAX_PAGES * 4096)
			return -EPROTO;
		pthread_mutex_lock(&s->lock);
		if (in->opcode == FUSE_READ) {
			s->reads++;
		} else {
			s->writes++;
			s->bad_words += io_mismatch(
				(char *)arg + sizeof(struct fuse_write_in),
				r.size, r.offset);
		}
		if (s->hold && s->nheld < FUSE_SRV_MAX_HELD) {
			s->held[s->nheld++] = r;
			pthread_cond_broadcast(&s->cond);
			pthread_mutex_unlock(&s->lock);
			return 1;
		}
		pthread_mutex_unlock(&s->lock);
		return answer(s, &r, data);
	case FUSE_FLUSH:
	case FUSE_RELEASE:
	case FUSE_FSYNC:
		return reply(s, in->unique, 0, NULL, 0);
	case FUSE_FORGET:
	case FUSE_BATCH_FORGET:
	case FUSE_INTERRUPT:
		return 0;	/* no reply */
	default:
		return reply(s, in->unique, -ENOSYS, NULL, 0);
	}
}

#define KEEP_PIPE_SIZE	(2 << 20)	/* a whole request's pages, and more */

static ssize_t read_all(int fd, void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = read(fd, (char *)buf + done, len - done);

		if (n <= 0)
			return n < 0 ? -errno : -EPROTO;
		done += n;
	}
	return done;
}

/*
 * Splice one request into a new pipe. A WRITE is answered and its data
 * left in the pipe, which is kept: 1. Anything else is read into buf for
 * serve(): its length. Or -errno.
 */
static ssize_t splice_request(struct fuse_srv *s, char *buf)
{
	struct fuse_in_header *in = (struct fuse_in_header *)buf;
	struct fuse_write_in *wi = (struct fuse_write_in *)(in + 1);
	struct fuse_srv_kept k;
	ssize_t n, r;

	if (pipe2(k.fd, O_CLOEXEC))
		return -errno;
	if (fcntl(k.fd[1], F_SETPIPE_SZ, KEEP_PIPE_SIZE) < 0) {
		n = -errno;
		goto close;
	}
	n = splice(s->fd, NULL, k.fd[1], NULL, BUF_SIZE, 0);
	if (n < 0) {
		n = -errno;
		goto close;
	}
	r = read_all(k.fd[0], in, sizeof(*in));
	if (r < 0 || (size_t)n < sizeof(*in)) {
		n = r < 0 ? r : -EPROTO;
		goto close;
	}
	if (in->opcode != FUSE_WRITE) {
		r = read_all(k.fd[0], in + 1, n - sizeof(*in));
		n = r < 0 ? r : n;
		goto close;
	}
	r = read_all(k.fd[0], wi, sizeof(*wi));
	if (r < 0) {
		n = r;
		goto close;
	}
	k.offset = wi->offset;
	k.size = wi->size;
	pthread_mutex_lock(&s->lock);
	s->writes++;
	if (s->nkept == FUSE_SRV_MAX_HELD) {
		pthread_mutex_unlock(&s->lock);
		n = -ENOSPC;
		goto close;
	}
	s->kept[s->nkept++] = k;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
	{
		struct fuse_write_out wo = { .size = k.size };

		r = reply(s, in->unique, 0, &wo, sizeof(wo));
	}
	return r < 0 ? r : 1;
close:
	close(k.fd[0]);
	close(k.fd[1]);
	return n;
}

static void *server(void *arg)
{
	struct fuse_srv *s = arg;
	char *buf = malloc(BUF_SIZE), *data = malloc(BUF_SIZE);
	int err = 0;

	if (!buf || !data)
		err = -ENOMEM;
	while (!err) {
		ssize_t n;
		int keep;

		pthread_mutex_lock(&s->lock);
		keep = s->keep;
		pthread_mutex_unlock(&s->lock);
		if (keep) {
			n = splice_request(s, buf);
			if (n == 1)
				continue;
			if (n < 0) {
				errno = -n;
				n = -1;
			}
		} else {
			n = read(s->fd, buf, BUF_SIZE);
		}
		if (n < 0) {
			if (errno == EINTR || errno == ENOENT)
				continue;
			/* ENODEV: unmounted or aborted, the normal end */
			if (errno != ENODEV)
				err = -errno;
			break;
		}
		err = serve(s, buf, n, data);
		if (err > 0)
			err = 0;
	}
	pthread_mutex_lock(&s->lock);
	if (err && !s->error)
		s->error = err;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
	free(buf);
	free(data);
	return NULL;
}

int fuse_srv_start(struct fuse_srv *s, const char *mnt, int hold)
{
	char opts[128];
	int err;

	memset(s, 0, sizeof(*s));
	snprintf(s->mnt, sizeof(s->mnt), "%s", mnt);
	s->hold = hold;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->cond, NULL);
	s->fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
	if (s->fd < 0)
		return -errno;
	mkdir(mnt, 0755);
	snprintf(opts, sizeof(opts),
		 "fd=%d,rootmode=40000,user_id=0,group_id=0,allow_other",
		 s->fd);
	if (mount("pinlife", mnt, "fuse", MS_NOSUID | MS_NODEV,
		  opts)) {
		err = -errno;
		close(s->fd);
		return err;
	}
	s->mounted = 1;
	err = pthread_create(&s->thread, NULL, server, s);
	if (err) {
		umount2(mnt, MNT_DETACH);
		close(s->fd);
		return -err;
	}
	return 0;
}

int fuse_srv_wait_held(struct fuse_srv *s, size_t n, int timeout_s)
{
	struct timespec until;
	int err = 0;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += timeout_s;
	pthread_mutex_lock(&s->lock);
	while (s->nheld < n && !s->error && !err)
		err = pthread_cond_timedwait(&s->cond, &s->lock, &until);
	if (s->nheld < n)
		err = s->error ? s->error : -ETIMEDOUT;
	else
		err = 0;
	pthread_mutex_unlock(&s->lock);
	return err;
}

int fuse_srv_answer(struct fuse_srv *s)
{
	char *data = malloc(BUF_SIZE);
	size_t i, n;
	int err = 0;

	if (!data)
		return -ENOMEM;
	pthread_mutex_lock(&s->lock);
	s->hold = 0;
	n = s->nheld;
	s->nheld = 0;
	pthread_mutex_unlock(&s->lock);
	/* Held requests are not touched by the server thread any more. */
	for (i = 0; i < n; i++) {
		int e = answer(s, &s->held[i], data);

		if (e && !err)
			err = e;
	}
	free(data);
	return err;
}

void fuse_srv_hold(struct fuse_srv *s, int hold)
{
	pthread_mutex_lock(&s->lock);
	s->hold = hold;
	pthread_mutex_unlock(&s->lock);
}

void fuse_srv_keep(struct fuse_srv *s, int keep)
{
	pthread_mutex_lock(&s->lock);
	s->keep = keep;
	pthread_mutex_unlock(&s->lock);
}

long fuse_srv_kept_check(struct fuse_srv *s)
{
	char *data = malloc(BUF_SIZE);
	long bad = 0;
	size_t i, n;

	if (!data)
		return -ENOMEM;
	pthread_mutex_lock(&s->lock);
	n = s->nkept;
	s->nkept = 0;
	pthread_mutex_unlock(&s->lock);
	for (i = 0; i < n; i++) {
		struct fuse_srv_kept *k = &s->kept[i];
		ssize_t r = k->size <= BUF_SIZE ?
			read_all(k->fd[0], data, k->size) : -EPROTO;

		if (r < 0 && bad >= 0)
			bad = r;
		else if (bad >= 0)
			bad += io_mismatch(data, k->size, k->offset);
		close(k->fd[0]);
		close(k->fd[1]);
	}
	free(data);
	return bad;
}

void fuse_srv_stop(struct fuse_srv *s)
{
	fuse_srv_answer(s);
	if (s->mounted)
		umount2(s->mnt, MNT_DETACH);
	pthread_cancel(s->thread);
	pthread_join(s->thread, NULL);
	close(s->fd);
	s->mounted = 0;
}
