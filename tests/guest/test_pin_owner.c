// SPDX-License-Identifier: GPL-2.0
/*
 * page_pin_owner (CONFIG_PAGE_PIN_OWNER, DESIGN.md point 7) names who pins
 * a page. Judged from the outside: the kernel log (/dev/kmsg) and the
 * debugfs listing, while gup_test holds pins or references.
 *
 * Booted with page_pin_owner=on:
 * - an ephemeral pin held for twice the threshold gives exactly one
 *   report, naming gup_test's pin path and this process; a long-term pin
 *   held as long gives none;
 * - a full CMA allocation while an ephemeral pin holds pages in CMA fails,
 *   and the log names the pinner of the blocking page (a gup_test function
 *   in its stack, the pid, the comm, the age); the listing shows the pin,
 *   and is empty once it is dropped;
 * - the same for references (get_user_pages(), which the series does not
 *   turn into pins), attributed to the last GUP caller.
 * Booted without it: no debugfs directory, and the same CMA failure is
 * reported by no one.
 *
 * "test_pin_owner --quiet" is run after every other suite: no ephemeral
 * pin of anything but this test was reported during the boot (the GUP
 * selftests, O_DIRECT, io_uring, sg, FUSE, ublk, the stress).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest.h"
#include "mm/gup_test.h"
#include "pinlife.h"

#ifndef PIN_LONGTERM_TEST_FLAG_USE_REF
#define PIN_LONGTERM_TEST_FLAG_USE_REF 8	/* the series' gup_test */
#endif

#define OWNER_DIR "/sys/kernel/debug/page_pin_owner"
#define THRESHOLD "/sys/kernel/debug/page_pin_owner/ephemeral_threshold_ms"
#define LISTING "/sys/kernel/debug/page_pin_owner/pinned"
#define COMM "test_pin_owner"
#define THRESHOLD_MS 2000
#define NPAGES 16
#define MAX_RECS 4096

/* The kernel log records read from a /dev/kmsg file: the messages only */
struct log {
	char *rec[MAX_RECS];
	size_t n;
};

static void log_read(int fd, struct log *l)
{
	char buf[2048], *msg, *nl;
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf) - 1)) > 0 ||
	       (n < 0 && errno == EPIPE)) {
		if (n <= 0)
			continue;
		buf[n] = 0;
		msg = strchr(buf, ';');
		if (!msg || l->n == MAX_RECS)
			continue;
		nl = strchr(++msg, '\n');
		if (nl)
			*nl = 0;
		l->rec[l->n++] = strdup(msg);
	}
}

static void log_free(struct log *l)
{
	while (l->n)
		free(l->rec[--l->n]);
}

/*
 * Records that start with @prefix and name @pid (0: any pid but this
 * test's own comm); *first is the index of the first, or -1.
 */
static int log_count(const struct log *l, const char *prefix, pid_t pid,
		     long *first)
{
	char who[64];
	int count = 0;
	size_t i;

	snprintf(who, sizeof(who), "by pid %d (%s)", pid, COMM);
	*first = -1;
	for (i = 0; i < l->n; i++) {
		if (strncmp(l->rec[i], prefix, strlen(prefix)))
			continue;
		if (pid ? !strstr(l->rec[i], who) :
			  !!strstr(l->rec[i], "(" COMM ")"))
			continue;
		if (*first < 0)
			*first = i;
		count++;
	}
	return count;
}

/* The stack printed after record @at (indented records) has @fn */
static int log_stack_has(const struct log *l, long at, const char *fn)
{
	size_t i;

	if (at < 0)
		return 0;
	for (i = at + 1; i < l->n && l->rec[i][0] == ' '; i++)
		if (strstr(l->rec[i], fn))
			return 1;
	return 0;
}

static int gup_test_in(const struct log *l, long at)
{
	return log_stack_has(l, at, "gup_test_ioctl") ||
	       log_stack_has(l, at, "pin_longterm_test_start");
}

/* The age printed as "for|after S.mmm s" or "S.mmm s ago", in ms; or -1 */
static long log_age_ms(const char *rec)
{
	const char *p = strstr(rec, " for ");
	unsigned long s, ms;

	if (!p)
		p = strstr(rec, " after ");
	if (!p)
		p = strstr(rec, "reference ");
	if (p && sscanf(strchr(p + 1, ' ') + 1, "%lu.%lu s", &s, &ms) == 2)
		return s * 1000 + ms;
	return -1;
}

static int set_threshold(unsigned int ms)
{
	char v[16];

	snprintf(v, sizeof(v), "%u", ms);
	return write_str(THRESHOLD, v);
}

/* The whole listing, or NULL */
static char *listing(void)
{
	size_t len = 0, cap = 1 << 16;
	char *s = malloc(cap);
	int fd = open(LISTING, O_RDONLY);
	ssize_t n;

	if (!s || fd < 0) {
		free(s);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	while ((n = read(fd, s + len, cap - len - 1)) > 0) {
		len += n;
		if (len + 1 == cap) {
			char *t = realloc(s, cap *= 2);

			if (!t)
				break;
			s = t;
		}
	}
	close(fd);
	s[len] = 0;
	return s;
}

/* The listing has a group line starting with @what that names @pid */
static int listing_has(const char *s, const char *what, pid_t pid,
		       const char *fn)
{
	char who[64];
	const char *p = s;

	snprintf(who, sizeof(who), "by pid %d (%s)", pid, COMM);
	while (s && (p = strstr(p, what))) {
		const char *eol = strchr(p, '\n'), *next = eol;

		if (eol && memmem(p, eol - p, who, strlen(who))) {
			/* its stack runs to the blank line */
			next = strstr(eol, "\n\n");
			if (next && memmem(eol, next - eol, fn, strlen(fn)))
				return 1;
		}
		if (!next)
			break;
		p = next;
	}
	return 0;
}

/*
 * Release a held gup_test pin and count, in the log records read so far
 * and those that follow, the overdue reports that name this process.
 */
static int reports_after_release(int fd, int kmsg, struct log *l)
{
	long at;

	gup_release(fd);
	sleep_ms(200);
	log_read(kmsg, l);
	return log_count(l, "page_pin_owner: ephemeral pin", getpid(), &at);
}

/* Ephemeral (or default) pins of an ordinary buffer, held 2x threshold */
static void held_pins(void)
{
	struct log l = { 0 };
	char *buf, *pages[NPAGES];
	int fd = -1, kmsg, count, err, i;
	long at;

	buf = mmap(NULL, NPAGES * PAGE_SZ, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		ksft_exit_fail_msg("mmap: %s\n", strerror(errno));
	for (i = 0; i < NPAGES; i++) {
		pages[i] = buf + i * PAGE_SZ;
		pages[i][0] = 1;
	}

	/* writing the threshold lets every stack be reported again */
	kmsg = kmsg_open_end();
	err = set_threshold(THRESHOLD_MS);
	if (!err)
		err = gup_hold(&fd, pages, NPAGES,
			       PIN_LONGTERM_TEST_FLAG_USE_EPHEMERAL);
	if (err || kmsg < 0)
		ksft_exit_fail_msg("ephemeral hold: %s\n", strerror(-err));
	sleep_ms(2 * THRESHOLD_MS);
	log_read(kmsg, &l);
	count = log_count(&l, "page_pin_owner: ephemeral pin still held",
			  getpid(), &at);
	ksft_test_result(count == 1 && gup_test_in(&l, at) &&
			 log_age_ms(l.rec[at]) >= THRESHOLD_MS,
			 "ephemeral pin held %d ms: %d report(s) naming this pid%s, age %ld ms\n",
			 2 * THRESHOLD_MS, count,
			 gup_test_in(&l, at) ? " and gup_test" : "",
			 at < 0 ? -1 : log_age_ms(l.rec[at]));
	count = reports_after_release(fd, kmsg, &l);
	ksft_test_result(count == 1,
			 "ephemeral pin released: still %d report(s) in all\n",
			 count);
	log_free(&l);

	/* The default pin is long-term: held as long, never reported */
	err = set_threshold(THRESHOLD_MS);
	if (!err)
		err = gup_hold(&fd, pages, NPAGES, 0);
	if (err)
		ksft_exit_fail_msg("long-term hold: %s\n", strerror(-err));
	sleep_ms(2 * THRESHOLD_MS);
	count = reports_after_release(fd, kmsg, &l);
	ksft_test_result(count == 0,
			 "long-term pin held %d ms: %d report(s)\n",
			 2 * THRESHOLD_MS, count);
	log_free(&l);
	close(kmsg);
	munmap(buf, NPAGES * PAGE_SZ);
}

struct blocked {
	int err;		/* setup failed: -errno */
	pid_t pid;		/* the holder */
	long ncma;		/* pages held in CMA */
	int alloc;		/* full CMA allocation while held: 0 or -errno */
	int named;		/* the log named the holder of a blocking page */
	int stack;		/* ... with gup_test in the stack */
	long age_ms;		/* ... and this age */
	int listed;		/* the listing showed the hold */
	int empty_after;	/* the listing was empty after the release */
	char during[320];	/* the listing's head while held */
	char after[256];	/* what it showed after the release */
};

/*
 * In a child: fill memory so that pages of a buffer sit in CMA, hold them
 * with gup_test (@flags), try a full CMA allocation, read the log and the
 * listing, release, read the listing again.
 */
static struct blocked blocked_cma(unsigned int flags, const char *report,
				  const char *group)
{
	struct blocked b = { 0 };
	struct cma_area cma;
	struct log l = { 0 };
	struct fill f;
	int fd = -1, kmsg, p[2];
	long at;
	char *s;
	pid_t pid;

	if (pipe(p))
		return (struct blocked){ .err = -errno };
	pid = fork();
	if (pid == 0) {
		b.pid = getpid();
		b.err = cma_find(&cma);
		if (!b.err)
			b.err = fill_memory(&cma, 24, &f);
		if (!b.err && !f.ncma)
			b.err = -ENOENT;
		if (!b.err)
			b.err = gup_hold(&fd, f.cma_pages, f.ncma, flags);
		kmsg = kmsg_open_end();
		if (!b.err && kmsg < 0)
			b.err = kmsg;
		if (!b.err) {
			b.ncma = count_in_cma(&cma, f.cma_pages, f.ncma);
			sleep_ms(1000);
			b.alloc = cma_alloc_all(&cma);
			if (!b.alloc)
				cma_free_all(&cma);
			log_read(kmsg, &l);
			b.named = log_count(&l, report, b.pid, &at) > 0;
			b.stack = gup_test_in(&l, at);
			b.age_ms = at < 0 ? -1 : log_age_ms(l.rec[at]);
			log_free(&l);
			s = listing();
			if (s)
				snprintf(b.during, sizeof(b.during), "%s", s);
			b.listed = listing_has(s, group, b.pid,
					       "gup_test_ioctl") ||
				   listing_has(s, group, b.pid,
					       "pin_longterm_test_start");
			free(s);
		}
		gup_release(fd);
		if (!b.err) {
			s = listing();
			b.empty_after = s && !*s;
			if (s)
				snprintf(b.after, sizeof(b.after), "%s", s);
			free(s);
		}
		if (write(p[1], &b, sizeof(b)) != sizeof(b))
			_exit(1);
		_exit(0);
	}
	close(p[1]);
	if (pid < 0 || read(p[0], &b, sizeof(b)) != sizeof(b))
		b.err = -EIO;
	close(p[0]);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	return b;
}

static void report_blocked(const char *what, const struct blocked *b)
{
	if (b->err)
		ksft_exit_fail_msg("%s: %s\n", what, strerror(-b->err));
	ksft_test_result(b->ncma > 0 && b->alloc != 0,
			 "%s: %ld pages held in CMA, full CMA allocation: %s\n",
			 what, b->ncma, b->alloc ? strerror(-b->alloc) : "ok");
	ksft_test_result(b->named && b->stack && b->age_ms >= 1000,
			 "%s: the log names the holder (pid %d, %s): %s, gup_test in its stack: %s, age %ld ms\n",
			 what, b->pid, COMM, b->named ? "yes" : "no",
			 b->stack ? "yes" : "no", b->age_ms);
	ksft_print_msg("%s: the listing begins: %.*s\n", what,
		       (int)strcspn(b->during, "\n"), b->during);
	ksft_test_result(b->listed, "%s: the listing shows it: %s\n", what,
			 b->listed ? "yes" : "no");
	ksft_test_result(b->empty_after,
			 "%s: the listing is empty once released%s%.120s\n",
			 what, b->empty_after ? "" : "; it shows: ", b->after);
}

/* Switched off: no directory, and a CMA failure that no one explains */
static void switched_off(void)
{
	struct blocked b;
	int dir = access(OWNER_DIR, F_OK) == 0;

	ksft_test_result(!dir, "switched off: no %s\n", OWNER_DIR);
	b = blocked_cma(PIN_LONGTERM_TEST_FLAG_USE_EPHEMERAL,
			"page_pin_owner", 0);
	if (b.err)
		ksft_exit_fail_msg("ephemeral pin in CMA: %s\n",
				   strerror(-b.err));
	ksft_test_result(b.alloc != 0 && !b.named,
			 "switched off: full CMA allocation %s, page_pin_owner reports: %s\n",
			 b.alloc ? "fails" : "succeeds",
			 b.named ? "some" : "none");
}

/* After every other suite: nothing but this test was reported */
static int quiet(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	struct log l = { 0 };
	long at;
	int count;

	ksft_print_header();
	ksft_set_plan(1);
	if (access(OWNER_DIR, F_OK))
		ksft_exit_skip("page_pin_owner is off\n");
	if (fd < 0)
		ksft_exit_fail_msg("/dev/kmsg: %s\n", strerror(errno));
	log_read(fd, &l);
	count = log_count(&l, "page_pin_owner: ephemeral pin", 0, &at);
	ksft_test_result(count == 0,
			 "no ephemeral pin reported during the boot but this test's: %d%s%.160s\n",
			 count, count ? "; first: " : "", count ? l.rec[at] : "");
	log_free(&l);
	ksft_finished();
}

int main(int argc, char **argv)
{
	struct blocked b;
	char cmdline[4096] = "";

	if (argc > 1 && !strcmp(argv[1], "--quiet"))
		return quiet();

	ksft_print_header();
	read_str("/proc/cmdline", cmdline, sizeof(cmdline));
	if (!strstr(cmdline, "page_pin_owner=on")) {
		ksft_set_plan(2);
		switched_off();
		ksft_finished();
	}
	ksft_set_plan(11);
	if (access(OWNER_DIR, F_OK))
		ksft_exit_fail_msg("booted with page_pin_owner=on, but %s is missing\n",
				   OWNER_DIR);

	held_pins();

	/* No overdue reports while the CMA cases hold their pins */
	if (set_threshold(0))
		ksft_exit_fail_msg("%s: %s\n", THRESHOLD, strerror(errno));
	b = blocked_cma(PIN_LONGTERM_TEST_FLAG_USE_EPHEMERAL,
			"page_pin_owner: pfn", "pinned ");
	report_blocked("ephemeral pin", &b);
	b = blocked_cma(PIN_LONGTERM_TEST_FLAG_USE_REF, "page_pin_owner: pfn",
			"referenced ");
	report_blocked("GUP reference", &b);
	set_threshold(10000);
	ksft_finished();
}
