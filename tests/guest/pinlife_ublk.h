/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal ublk server for the guest tests (liburing, one queue, one
 * thread, the driver copying data to and from the server's buffers): a
 * UBLK_SRV_SIZE disk whose every 8-byte word at byte offset off reads as
 * io_word(off) (pinlife.h). WRITE data are checked against the same words and
 * dropped; or, started with UBLK_SRV_STORE, a disk that keeps what is
 * written (zeroed at first), for a filesystem on it. While holding, READ and WRITE requests are left uncommitted, as
 * a server that never completes them would leave them, until
 * ublk_srv_answer().
 */
#ifndef PINLIFE_UBLK_H
#define PINLIFE_UBLK_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#define UBLK_SRV_SIZE		(64ULL << 20)
#define UBLK_SRV_DEPTH		64
#define UBLK_SRV_MAX_IO		(256 << 10)	/* bytes per request */
#define UBLK_SRV_STORE		2	/* ublk_srv_start() flag: keep data */

struct ublk_srv {
	int ctrl_fd;		/* /dev/ublk-control */
	int char_fd;		/* /dev/ublkcN */
	int dev_id;
	int started;		/* until ublk_srv_stop() */
	char bdev[32];		/* /dev/ublkbN */
	void *descs;		/* the driver's request descriptors */
	char *bufs;		/* UBLK_SRV_DEPTH buffers of UBLK_SRV_MAX_IO */
	char *image;		/* UBLK_SRV_STORE: the disk's contents */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int fetched;		/* every tag's FETCH_REQ is queued */
	int hold, answer, quit;
	size_t nheld;
	uint16_t held[UBLK_SRV_DEPTH];
	size_t reads, writes;	/* requests seen */
	size_t bad_words;	/* words of WRITE data that were wrong */
	int error;		/* first error of the server thread, -errno */
};

/*
 * Add, serve and start a device (s->bdev); flags: 1 to hold, as for
 * fuse_srv, and UBLK_SRV_STORE.
 */
int ublk_srv_start(struct ublk_srv *s, int flags);
/* Wait until n requests are held: 0 or -ETIMEDOUT. */
int ublk_srv_wait_held(struct ublk_srv *s, size_t n, int timeout_s);
/* Commit every held request and stop holding. 0 or -errno. */
int ublk_srv_answer(struct ublk_srv *s);
void ublk_srv_hold(struct ublk_srv *s, int hold);
/* Stop and delete the device. */
void ublk_srv_stop(struct ublk_srv *s);

#endif
