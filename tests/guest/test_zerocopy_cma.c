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
#include <poll.h>
#include <time.h>		/* struct timespec, for linux/errqueue.h */
#include <linux/errqueue.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pinlife_ksft.h"

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
		bad += memcmp(page, pages[i], PAGE_SZ) != 0;
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
	int err, fd[2] = { -1, -1 };

	ksft_print_header();
	ksft_set_plan(6);

	err = zerocopy_pair(fd);
	if (err)
		ksft_exit_fail_msg("loopback TCP: %s\n", strerror(-err));
	ksft_fill_cma(&cma, &f);

	sent = zerocopy_send(fd[0], f.cma_pages, f.ncma, &sends, &err);
	/* The 64 MiB send buffer takes most of them (13619 of 15360) */
	ksft_test_result(!err && sent >= f.ncma / 2,
			 "MSG_ZEROCOPY sends took %zu of them (at least half), the peer not reading%s%s\n",
			 sent, err ? ": " : "", err ? strerror(-err) : "");

	left = count_in_cma(&cma, f.cma_pages, sent);
	ksft_test_result(left == 0, "sent pages left in CMA: %ld of %zu\n",
			 left, sent);

	ksft_cma_alloc_all(&cma, "the sockets hold the pages");

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
