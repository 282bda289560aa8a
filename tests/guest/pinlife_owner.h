/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What page_pin_owner (CONFIG_PAGE_PIN_OWNER, the series' pin tracker)
 * says, read from the outside: its reports in the kernel log (/dev/kmsg)
 * and its debugfs listing. For test_pin_owner and test_pin_owner_harms.
 */
#ifndef PINLIFE_OWNER_H
#define PINLIFE_OWNER_H

#include <stddef.h>
#include <sys/types.h>

#define OWNER_DIR "/sys/kernel/debug/page_pin_owner"
#define OWNER_THRESHOLD OWNER_DIR "/ephemeral_threshold_ms"
#define OWNER_LISTING OWNER_DIR "/pinned"
#define OWNER_MAX_RECS 4096

#ifndef PIN_LONGTERM_TEST_FLAG_USE_REF
#define PIN_LONGTERM_TEST_FLAG_USE_REF 8	/* the series' gup_test */
#endif

/* Kernel log records read from a /dev/kmsg file: the messages only */
struct owner_log {
	char *rec[OWNER_MAX_RECS];
	size_t n;
};

/* Append the records fd has to read now. */
void owner_log_read(int fd, struct owner_log *l);
void owner_log_free(struct owner_log *l);
/*
 * Records that start with @prefix and name @pid with this program's comm
 * ("by pid N (comm)"); @pid 0: those that do not name this comm at all.
 * *first gets the index of the first, or -1.
 */
int owner_log_count(const struct owner_log *l, const char *prefix, pid_t pid,
		    long *first);
/* The stack printed after record @at (its indented records) has @fn */
int owner_log_stack_has(const struct owner_log *l, long at, const char *fn);
/* ... has gup_test's pin path (gup_test_ioctl, pin_longterm_test_start) */
int owner_log_gup_test(const struct owner_log *l, long at);
/* The age a record prints ("for|after S.mmm s", "S.mmm s ago"), ms; or -1 */
long owner_log_age_ms(const char *rec);

/* Set ephemeral_threshold_ms (which also forgets the stacks reported) */
int owner_set_threshold(unsigned int ms);
/* The whole debugfs listing (malloc'd), or NULL */
char *owner_listing(void);
/*
 * The listing has a group line that starts with @what and names @pid (this
 * program's comm), with @fn in the stack that follows it.
 */
int owner_listing_has(const char *s, const char *what, pid_t pid,
		      const char *fn);

/*
 * What a harm (pinlife_harm.h) met while gup_test held pages in its region,
 * and what page_pin_owner said about it.
 */
struct owner_blocked {
	int err;		/* setup failed: -errno */
	pid_t pid;		/* the holder */
	long held;		/* pages held in the region */
	int result;		/* the harm's operation while held: 0 or -errno */
	int named;		/* a report named the holder */
	int stack;		/* ... with gup_test in its stack */
	long age_ms;		/* ... and this age */
	int listed;		/* the listing showed the hold */
	int empty_after;	/* the listing was empty after the release */
	char during[320];	/* the listing's head while held */
	char after[256];	/* what it showed after the release */
};

/*
 * In a child process: fill memory until pages of a buffer sit in the
 * region of @harm ("cma", "offline", "gigantic"), hold them with gup_test
 * (@flags, PIN_LONGTERM_TEST_FLAG_*), wait a second, do the harm (undone
 * if it worked), look for a report that starts with @report and names the
 * child, and for a listing group that starts with @group; release and read
 * the listing again.
 */
struct owner_blocked owner_blocked(const char *harm, unsigned int flags,
				   const char *report, const char *group);

#endif
