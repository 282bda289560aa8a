// SPDX-License-Identifier: GPL-2.0
/*
 * MSG_ZEROCOPY must not be able to block CMA (DESIGN.md point 4): TCP
 * keeps the sender's pages, by reference, in its socket queues until the
 * data is acked, and a peer that stops reading keeps them there for as
 * long as it likes. Over loopback, with the receiver not reading: pages
 * that sat in CMA and were accepted by MSG_ZEROCOPY sends have left CMA,
 * and a full CMA allocation succeeds while the sockets hold them; the
 * reader then gets every page intact and every send completes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <time.h>
#include <linux/errqueue.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "kselftest.h"
#include "pinlife.h"

#ifndef SO_ZEROCOPY
#define SO_ZEROCOPY 60
#endif
#ifndef MSG_ZEROCOPY
#define MSG_ZEROCOPY 0x4000000
#endif

#define BATCH 256		/* pages per sendmsg() */

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

/* A connected loopback TCP pair: fd[0] sends, fd[1] receives (slowly). */
static int tcp_pair(int fd[2])
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int one = 1, small = 4096, big = 64 << 20;
	int l = socket(AF_INET, SOCK_STREAM, 0);

	fd[0] = socket(AF_INET, SOCK_STREAM, 0);
	if (l < 0 || fd[0] < 0)
		return -errno;
	/* A small receive window: most of what is sent stays queued. */
	if (setsockopt(l, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small)) ||
	    bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 1) ||
	    getsockname(l, (struct sockaddr *)&a, &len) ||
	    setsockopt(fd[0], SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof(big)) ||
	    setsockopt(fd[0], SOL_SOCKET, SO_ZEROCOPY, &one, sizeof(one)) ||
	    connect(fd[0], (struct sockaddr *)&a, sizeof(a)))
		return -errno;
	fd[1] = accept(l, NULL, NULL);
	close(l);
	return fd[1] < 0 ? -errno : 0;
}

/*
 * Send the pages MSG_ZEROCOPY without blocking until the socket takes no
 * more; returns how many whole pages it took, *sends the sendmsg() calls
 * that took something.
 */
static size_t send_pages(int fd, char *const *pages, size_t n,
			 unsigned int *sends)
{
	struct iovec iov[BATCH];
	struct msghdr msg = { .msg_iov = iov };
	size_t done = 0, i;

	*sends = 0;
	while (done < n) {
		size_t batch = n - done < BATCH ? n - done : BATCH;
		ssize_t r;

		for (i = 0; i < batch; i++) {
			iov[i].iov_base = pages[done + i];
			iov[i].iov_len = PAGE_SZ;
		}
		msg.msg_iovlen = batch;
		r = sendmsg(fd, &msg, MSG_ZEROCOPY | MSG_DONTWAIT);
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

/* Read n pages; how many do not start with the stamp of the page sent. */
static long receive_pages(int fd, char *const *pages, size_t n)
{
	static char page[PAGE_SZ];
	size_t i, got;
	long bad = 0;

	for (i = 0; i < n; i++) {
		for (got = 0; got < PAGE_SZ;) {
			ssize_t r = read(fd, page + got, PAGE_SZ - got);

			if (r <= 0)
				return -1;
			got += r;
		}
		bad += memcmp(page, pages[i], sizeof(uint64_t)) != 0;
	}
	return bad;
}

/* Wait for the zerocopy completions of sends 0..sends-1. */
static int completions(int fd, unsigned int sends)
{
	unsigned int next = 0;
	int tries;

	for (tries = 0; next < sends && tries < 1000; tries++) {
		char control[128];
		struct msghdr msg = { .msg_control = control,
				      .msg_controllen = sizeof(control) };
		struct pollfd pfd = { .fd = fd, .events = 0 };
		struct sock_extended_err *ee;
		struct cmsghdr *cm;

		if (recvmsg(fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT) < 0) {
			if (errno != EAGAIN)
				return -errno;
			poll(&pfd, 1, 20);
			continue;
		}
		for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
			ee = (struct sock_extended_err *)CMSG_DATA(cm);
			if (ee->ee_origin != SO_EE_ORIGIN_ZEROCOPY ||
			    ee->ee_info != next)
				return -EPROTO;
			next = ee->ee_data + 1;
		}
	}
	return next == sends ? 0 : -ETIMEDOUT;
}

int main(void)
{
	struct cma_area cma;
	unsigned int sends;
	struct fill f;
	size_t sent;
	long left, bad;
	int err, alloc, fd[2] = { -1, -1 };

	ksft_print_header();
	ksft_set_plan(6);

	err = cma_find(&cma);
	if (err)
		ksft_exit_fail_msg("no CMA area in debugfs: %s\n", strerror(-err));
	err = loopback_up();
	if (!err)
		err = tcp_pair(fd);
	if (err)
		ksft_exit_fail_msg("loopback TCP: %s\n", strerror(-err));
	err = fill_memory(&cma, 24, &f);
	if (err)
		ksft_exit_fail_msg("filling memory: %s\n", strerror(-err));
	ksft_test_result(f.ncma > 0, "%zu pages of the buffer landed in CMA\n",
			 f.ncma);

	sent = send_pages(fd[0], f.cma_pages, f.ncma, &sends);
	ksft_test_result(sent > 0,
			 "MSG_ZEROCOPY sends took %zu of them, the peer not reading\n",
			 sent);

	left = count_in_cma(&cma, f.cma_pages, sent);
	ksft_test_result(left == 0, "sent pages left in CMA: %ld of %zu\n",
			 left, sent);

	alloc = cma_alloc_all(&cma);
	ksft_test_result(!alloc,
			 "full CMA allocation while the sockets hold the pages: %s\n",
			 alloc ? strerror(-alloc) : "ok");
	if (!alloc)
		cma_free_all(&cma);

	bad = receive_pages(fd[1], f.cma_pages, sent);
	ksft_test_result(bad == 0, "the reader gets every page intact (%ld bad)\n",
			 bad);

	err = completions(fd[0], sends);
	ksft_test_result(!err, "all %u zerocopy sends completed: %s\n", sends,
			 err ? strerror(-err) : "ok");

	close(fd[0]);
	close(fd[1]);
	fill_release(&f);
	ksft_finished();
}
