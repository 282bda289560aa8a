/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal FUSE server for the guest tests, speaking the raw /dev/fuse
 * protocol from a thread of the test itself: one directory with two files,
 * "dio" (opened with FOPEN_DIRECT_IO) and "plain" (page cache; O_DIRECT
 * goes through ->direct_IO), each FUSE_SRV_FILE_SIZE bytes long. READ
 * answers with io_word() (pinlife.h), WRITE checks that its data are the
 * same words. While holding, READ and WRITE requests are left unanswered, as a
 * server that never replies would leave them, until fuse_srv_answer().
 */
#ifndef PINLIFE_FUSE_H
#define PINLIFE_FUSE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#define FUSE_SRV_FILE_SIZE	(1ULL << 30)
#define FUSE_SRV_MAX_HELD	1024
#define FUSE_SRV_MAX_PAGES	256	/* FUSE_MAX_PAGES: pages per request */

struct fuse_srv_req {
	uint64_t unique;
	uint32_t opcode;
	uint64_t offset;
	uint32_t size;
};

/* A WRITE request's data left in the pipe the server spliced it into */
struct fuse_srv_kept {
	int fd[2];
	uint64_t offset;
	uint32_t size;
};

struct fuse_srv {
	char mnt[64];
	int fd;			/* /dev/fuse */
	int mounted;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int hold;		/* leave READ and WRITE unanswered */
	size_t nheld;
	struct fuse_srv_req held[FUSE_SRV_MAX_HELD];
	size_t reads, writes;	/* requests seen */
	size_t bad_words;	/* words of WRITE data that were wrong */
	int error;		/* first error of the server thread, -errno */
	/*
	 * keep: read requests with splice(), answer WRITEs at once but keep
	 * their data in the pipe, as a server may (fuse_srv_keep()).
	 */
	int keep;
	size_t nkept;
	struct fuse_srv_kept kept[FUSE_SRV_MAX_HELD];
};

/*
 * Open /dev/fuse, mount it on mnt (created if needed) and start serving;
 * hold: start out holding READ and WRITE. 0 or -errno.
 */
int fuse_srv_start(struct fuse_srv *s, const char *mnt, int hold);
/*
 * Wait until n READ or WRITE requests are held, at most timeout_s seconds:
 * 0, or -ETIMEDOUT (the count is in s->nheld).
 */
int fuse_srv_wait_held(struct fuse_srv *s, size_t n, int timeout_s);
/* Answer every held request and stop holding. 0 or -errno. */
int fuse_srv_answer(struct fuse_srv *s);
/* Hold the READ and WRITE requests that come from now on (or not). */
void fuse_srv_hold(struct fuse_srv *s, int hold);
/*
 * Read requests with splice() from now on, and keep the data of each
 * WRITE in its pipe after answering it; or stop. The kept pipes stay
 * until fuse_srv_kept_check().
 */
void fuse_srv_keep(struct fuse_srv *s, int keep);
/*
 * Read the kept WRITE data and close the pipes: the number of words that
 * are not the io_word() pattern of their offset, or -errno.
 */
long fuse_srv_kept_check(struct fuse_srv *s);
/* Unmount (lazily), stop the thread, close /dev/fuse. */
void fuse_srv_stop(struct fuse_srv *s);

#endif
