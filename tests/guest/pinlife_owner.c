// SPDX-License-Identifier: GPL-2.0
/* page_pin_owner's reports and listing: see pinlife_owner.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pinlife.h"
#include "pinlife_harm.h"
#include "pinlife_owner.h"

/* This program's comm, as the kernel prints it */
static const char *comm(void)
{
	static char name[32];

	if (!name[0] && read_str("/proc/self/comm", name, sizeof(name)))
		snprintf(name, sizeof(name), "%.15s",
			 program_invocation_short_name);
	return name;
}

void owner_log_read(int fd, struct owner_log *l)
{
	char buf[2048], *msg, *nl;
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf) - 1)) > 0 ||
	       (n < 0 && errno == EPIPE)) {
		if (n <= 0)
			continue;
		buf[n] = 0;
		msg = strchr(buf, ';');
		if (!msg || l->n == OWNER_MAX_RECS)
			continue;
		nl = strchr(++msg, '\n');
		if (nl)
			*nl = 0;
		l->rec[l->n++] = strdup(msg);
	}
}

void owner_log_free(struct owner_log *l)
{
	while (l->n)
		free(l->rec[--l->n]);
}

int owner_log_count(const struct owner_log *l, const char *prefix, pid_t pid,
		    long *first)
{
	char who[64], mine[40];
	int count = 0;
	size_t i;

	snprintf(who, sizeof(who), "by pid %d (%s)", pid, comm());
	snprintf(mine, sizeof(mine), "(%s)", comm());
	*first = -1;
	for (i = 0; i < l->n; i++) {
		if (strncmp(l->rec[i], prefix, strlen(prefix)))
			continue;
		if (pid ? !strstr(l->rec[i], who) : !!strstr(l->rec[i], mine))
			continue;
		if (*first < 0)
			*first = i;
		count++;
	}
	return count;
}

int owner_log_stack_has(const struct owner_log *l, long at, const char *fn)
{
	size_t i;

	if (at < 0)
		return 0;
	for (i = at + 1; i < l->n && l->rec[i][0] == ' '; i++)
		if (strstr(l->rec[i], fn))
			return 1;
	return 0;
}

int owner_log_gup_test(const struct owner_log *l, long at)
{
	return owner_log_stack_has(l, at, "gup_test_ioctl") ||
	       owner_log_stack_has(l, at, "pin_longterm_test_start");
}

long owner_log_age_ms(const char *rec)
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

int owner_set_threshold(unsigned int ms)
{
	char v[16];

	snprintf(v, sizeof(v), "%u", ms);
	return write_str(OWNER_THRESHOLD, v);
}

char *owner_listing(void)
{
	size_t len = 0, cap = 1 << 16;
	char *s = malloc(cap);
	int fd = open(OWNER_LISTING, O_RDONLY);
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

int owner_listing_has(const char *s, const char *what, pid_t pid,
		      const char *fn)
{
	char who[64];
	const char *p = s;

	snprintf(who, sizeof(who), "by pid %d (%s)", pid, comm());
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

/* In the child: everything but the fork */
static void blocked_child(struct owner_blocked *b, const char *harm,
			  unsigned int flags, const char *report,
			  const char *group)
{
	struct harm hm = { .name = harm };
	struct owner_log l = { 0 };
	struct fill f;
	int fd = -1, kmsg;
	long at;
	char *s;

	b->pid = getpid();
	b->err = harm_region(&hm);
	/*
	 * CMA: keep what fill_memory() keeps, which lets make check's 1 GiB
	 * guest reach its CMA area; the others run in make run's layout.
	 */
	if (!b->err)
		b->err = fill_region(&hm.region, hm.want,
				     strcmp(harm, "cma") ? harm_keep_mib() : 24,
				     &f);
	if (b->err)
		return;
	if (!f.ncma)
		b->err = -ENOENT;
	if (!b->err && !strcmp(harm, "offline"))
		b->err = harm_blocks(&hm, f.cma_pages, f.ncma);
	if (!b->err)
		b->err = gup_hold(&fd, f.cma_pages, f.ncma, flags);
	kmsg = kmsg_open_end();
	if (!b->err && kmsg < 0)
		b->err = kmsg;
	if (!b->err) {
		b->held = harm_count(&hm, f.cma_pages, f.ncma);
		sleep_ms(1000);
		b->result = harm_do(&hm);
		if (!b->result || hm.offlined)
			harm_undo(&hm);
		owner_log_read(kmsg, &l);
		b->named = owner_log_count(&l, report, b->pid, &at) > 0;
		b->stack = owner_log_gup_test(&l, at);
		b->age_ms = at < 0 ? -1 : owner_log_age_ms(l.rec[at]);
		owner_log_free(&l);
		s = owner_listing();
		if (s)
			snprintf(b->during, sizeof(b->during), "%s", s);
		b->listed = owner_listing_has(s, group, b->pid,
					      "gup_test_ioctl") ||
			    owner_listing_has(s, group, b->pid,
					      "pin_longterm_test_start");
		free(s);
	}
	gup_release(fd);
	if (!b->err) {
		s = owner_listing();
		b->empty_after = s && !*s;
		if (s)
			snprintf(b->after, sizeof(b->after), "%s", s);
		free(s);
	}
	if (kmsg >= 0)
		close(kmsg);
	free(hm.blocks);
	fill_release(&f);
}

struct owner_blocked owner_blocked(const char *harm, unsigned int flags,
				   const char *report, const char *group)
{
	struct owner_blocked b = { 0 };
	int p[2];
	pid_t pid;

	if (pipe(p))
		return (struct owner_blocked){ .err = -errno };
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		blocked_child(&b, harm, flags, report, group);
		_exit(write(p[1], &b, sizeof(b)) != sizeof(b));
	}
	close(p[1]);
	if (pid < 0 || read(p[0], &b, sizeof(b)) != sizeof(b))
		b.err = -EIO;
	close(p[0]);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	return b;
}
