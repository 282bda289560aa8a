// SPDX-License-Identifier: GPL-2.0
/*
 * guestlog - read what a pinlife guest printed and judge it.
 *
 *   guestlog check [--expected FILE --boot NAME...] [--warnings-allowed FILE]
 *                  CONSOLE_LOG TESTS_LOG
 *	Per-suite TAP summary of a 'check' boot, then one line
 *	"N passed, N failed, N skipped[, N expected failures]". Exit 1 on any
 *	failed test, a suite that ended early, has no TAP plan or more results
 *	than planned, skipped before its plan ("1..0 # SKIP") unless FILE
 *	allows it, a kernel report on the console (WARNING, BUG, Oops, UBSAN,
 *	KASAN, hung task, RCU stall, lockdep) other than the allowed warnings,
 *	a guest that never reached or never finished its tests, or, with
 *	--expected, any difference from the boot's section of FILE (per-suite
 *	pass/skip/xfail counts; a suite missing or new). The tail of the
 *	console log is printed then.
 *   guestlog expected NAME TESTS_LOG
 *	The observed counts of TESTS_LOG as section [NAME] of an expected file.
 *   guestlog harms [--expected FILE] STOCK_TESTS_LOG PATCHED_TESTS_LOG
 *	Side-by-side tables of the harm scenarios ('make run'): CMA,
 *	offlining, gigantic pages. With --expected, exit 1 when a row's
 *	result class on either kernel differs from FILE, or a row is missing
 *	or not listed there.
 *   guestlog stock-fails FILE TESTS_LOG
 *	The fix suites on a stock kernel must fail where they prove the fix:
 *	FILE lists "SUITE N[,N...]", the result numbers that must be "not ok"
 *	in TESTS_LOG. Exit 1 when a listed result passed, is missing, or its
 *	suite did not run to its end.
 *   guestlog bench STOCK_TESTS_LOG PATCHED_TESTS_LOG
 *	gup_test benchmark medians for both kernels and their ratio.
 *   guestlog compare STOCK_TESTS_LOG PATCHED_TESTS_LOG
 *	The same suites on both kernels side by side ('make mm-selftests');
 *	exit 1 when any suite's pass/fail/skip counts differ.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SUITES 256
#define MAX_ROWS 256
#define NAME_LEN 96
#define TAIL_LINES 25
#define REPORTS_SHOWN 10

static const char *prog = "guestlog";

struct lines {
	char **v;
	size_t n;
};

static void die(const char *fmt, const char *arg)
{
	fprintf(stderr, "%s: error: ", prog);
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	exit(2);
}

/* A gcc-style diagnostic: "FILE:LINE: error: ..." (LINE 0: "FILE: error:"). */
static void diag(const char *file, long line, const char *fmt, ...)
{
	va_list ap;

	if (line > 0)
		fprintf(stderr, "%s:%ld: error: ", file, line);
	else
		fprintf(stderr, "%s: error: ", file);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Read a whole file as lines, without their \r\n. */
static int read_lines(const char *path, struct lines *out)
{
	FILE *f = fopen(path, "r");
	size_t cap = 0, len = 0;
	char *buf = NULL;
	ssize_t got;

	out->v = NULL;
	out->n = 0;
	if (!f)
		return -errno;
	while ((got = getline(&buf, &len, f)) >= 0) {
		while (got > 0 && (buf[got - 1] == '\n' || buf[got - 1] == '\r'))
			buf[--got] = '\0';
		if (out->n == cap) {
			char **nv;

			cap = cap ? 2 * cap : 256;
			nv = realloc(out->v, cap * sizeof(*nv));
			if (!nv)
				die("%s", "out of memory");
			out->v = nv;
		}
		out->v[out->n] = strdup(buf);
		if (!out->v[out->n])
			die("%s", "out of memory");
		out->n++;
	}
	free(buf);
	fclose(f);
	return 0;
}

static void free_lines(struct lines *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
}

static void load(const char *path, struct lines *l)
{
	int err = read_lines(path, l);

	if (err) {
		fprintf(stderr, "%s: error: %s: %s\n", prog, path, strerror(-err));
		exit(2);
	}
}

static int starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* ---- check ---- */

#define FAILED_SHOWN 4

struct suite {
	char name[NAME_LEN];
	long pass, fail, skip, xfail;
	long planned, seen;	/* of the current TAP stream */
	int rc;			/* -1: never ended */
	int early;		/* a TAP stream ended short of its plan */
	int noplan;		/* a TAP stream had results and no plan */
	int overrun;		/* a TAP stream had more results than planned */
	int overrun_known;	/* ... and the expected file lists it so */
	long line;		/* of its PINLIFE-SUITE-BEGIN in the tests log */
	long skip_plan;		/* line of a "1..0 # SKIP" plan, 0 if none */
	long secs;		/* guest seconds it took, -1 if not said */
	char failed[FAILED_SHOWN][160];	/* its first "not ok" lines */
};

/*
 * A TAP result line: "ok N ..." or "not ok N ...", optionally indented.
 * Returns what follows "ok "/"not ok " (the number on), *ok whether it
 * passed; NULL for any other line.
 */
static const char *tap_parse(const char *line, int *ok)
{
	const char *p = line;

	while (*p == ' ')
		p++;
	if (starts(p, "ok ")) {
		*ok = 1;
		p += 3;
	} else if (starts(p, "not ok ")) {
		*ok = 0;
		p += 7;
	} else {
		return NULL;
	}
	return *p >= '0' && *p <= '9' ? p : NULL;
}

static void tap_result(struct suite *s, const char *line)
{
	int ok;
	const char *p = tap_parse(line, &ok);

	if (!p)
		return;
	s->seen++;
	if (strstr(p, "# SKIP") || strstr(p, "# skip"))
		s->skip++;
	else if (strstr(p, "# XFAIL"))
		s->xfail++;
	else if (ok)
		s->pass++;
	else if (s->fail++ < FAILED_SHOWN)
		snprintf(s->failed[s->fail - 1], sizeof(s->failed[0]), "not ok %s", p);
}

static void end_stream(struct suite *s)
{
	if (s->planned >= 0 && s->seen < s->planned)
		s->early = 1;
	if (s->planned >= 0 && s->seen > s->planned)
		s->overrun = 1;
	if (s->planned < 0 && s->seen > 0)
		s->noplan = 1;
	s->planned = -1;
	s->seen = 0;
}

/*
 * The suites of a tests log: into suites[], how many. *booted, *done: the
 * guest's PINLIFE-BOOT and PINLIFE-DONE lines; *errors: PINLIFE-ERROR
 * lines (printed).
 */
static size_t parse_suites(const struct lines *tst, struct suite *suites,
			   int *booted, int *done, int *errors)
{
	struct suite *cur = NULL;
	size_t i, nsuites = 0;

	for (i = 0; i < tst->n; i++) {
		const char *l = tst->v[i];

		if (starts(l, "PINLIFE-BOOT")) {
			*booted = 1;
		} else if (starts(l, "PINLIFE-DONE")) {
			*done = 1;
		} else if (starts(l, "PINLIFE-ERROR")) {
			fprintf(stderr, "%s: guest: %s\n", prog, l);
			(*errors)++;
		} else if (starts(l, "PINLIFE-SUITE-BEGIN ")) {
			if (cur)
				end_stream(cur);
			if (nsuites == MAX_SUITES)
				die("%s", "too many suites");
			cur = &suites[nsuites++];
			memset(cur, 0, sizeof(*cur));
			snprintf(cur->name, sizeof(cur->name), "%s", l + 20);
			cur->rc = -1;
			cur->planned = -1;
			cur->secs = -1;
			cur->line = (long)i + 1;
		} else if (starts(l, "PINLIFE-SUITE-END ") && cur) {
			const char *rc = strstr(l, " rc=");
			const char *secs = strstr(l, " secs=");

			end_stream(cur);
			cur->rc = rc ? atoi(rc + 4) : -1;
			cur->secs = secs ? atol(secs + 6) : -1;
			cur = NULL;
		} else if (cur && starts(l, "TAP version")) {
			end_stream(cur);
		} else if (cur && starts(l, "1..")) {
			cur->planned = atol(l + 3);
			/* "1..0 # SKIP why": the whole program skipped */
			if (!cur->planned && strstr(l, "# SKIP")) {
				cur->skip++;
				if (!cur->skip_plan)
					cur->skip_plan = (long)i + 1;
			}
		} else if (cur) {
			tap_result(cur, l);
		}
	}
	if (cur)
		end_stream(cur);
	return nsuites;
}

/* A suite's verdict; *f gets its failures, counting a bad ending as one. */
static const char *suite_verdict(const struct suite *s, long *f)
{
	*f = s->fail;
	if (s->rc < 0)
		return ++*f, "FAILED: never finished";
	if (s->early)
		return ++*f, "FAILED: ended before its plan";
	if (s->overrun)
		return ++*f, "FAILED: more results than planned";
	if (s->noplan)
		return ++*f, "FAILED: no TAP plan";
	if (s->fail)
		return "FAILED";
	if (s->rc != 0 && s->rc != 4)
		return ++*f, "FAILED: non-zero exit";
	if (s->pass + s->xfail + s->skip == 0)
		return ++*f, "FAILED: ran no test";
	return "ok";
}

/* ---- kernel reports on the console ---- */

/*
 * A console line that reports a kernel problem. A WARN()/BUG() splat
 * starts with one of these; lockdep, hung-task and RCU-stall reports are
 * "WARNING:"/"INFO:" lines too, and the other patterns catch reports whose
 * first line says something else.
 */
static const char *const report_patterns[] = {
	"WARNING:", "BUG:", "kernel BUG at", "Oops", "Kernel panic",
	"general protection fault", "Unable to handle kernel",
	"UBSAN:", "KASAN:", "KFENCE:", "KMSAN:", "INFO: task ",
	"blocked for more than", "rcu: INFO:", "detected stall",
	"self-detected stall", "soft lockup", "hard LOCKUP",
	"possible circular locking", "possible recursive locking",
	"inconsistent lock state", "*** DEADLOCK ***", "Bad page state",
	"list_add corruption", "list_del corruption",
};

static int report_line(const char *l)
{
	size_t j;

	for (j = 0; j < sizeof(report_patterns) / sizeof(*report_patterns); j++)
		if (strstr(l, report_patterns[j]))
			return 1;
	return 0;
}

#define MAX_ALLOWED 64

/* tests/expected/warnings-allowed: "FILE FUNCTION" per line. */
struct allowed {
	char file[NAME_LEN], func[NAME_LEN];
	long count;
};

static size_t load_allowed(const char *path, struct allowed *a)
{
	struct lines l;
	size_t i, n = 0;

	load(path, &l);
	for (i = 0; i < l.n; i++) {
		char file[NAME_LEN], func[NAME_LEN], extra[2];
		char *hash = strchr(l.v[i], '#');
		int got;

		if (hash)
			*hash = '\0';
		got = sscanf(l.v[i], "%95s %95s %1s", file, func, extra);
		if (got <= 0)
			continue;
		if (got != 2) {
			diag(path, (long)i + 1, "want 'FILE FUNCTION', e.g. 'mm/gup.c pin_user_pages_fast'");
			exit(2);
		}
		if (n == MAX_ALLOWED) {
			diag(path, (long)i + 1, "more than %d entries", MAX_ALLOWED);
			exit(2);
		}
		memset(&a[n], 0, sizeof(a[n]));
		snprintf(a[n].file, sizeof(a[n].file), "%s", file);
		snprintf(a[n].func, sizeof(a[n].func), "%s", func);
		n++;
	}
	free_lines(&l);
	return n;
}

/*
 * A WARN() line, "WARNING: CPU: 1 PID: 2 at mm/gup.c:2704 pin_user_pages_fast+0x5a/0x90":
 * its entry in a[] when its file and function (without a .cold or
 * .isra.0 suffix) are allowed, else NULL.
 */
static struct allowed *allowed_warning(const char *l, struct allowed *a,
				       size_t na)
{
	const char *w = strstr(l, "WARNING: CPU: "), *at, *colon;
	size_t i, flen, fnlen;

	if (!w || !(at = strstr(w, " at ")))
		return NULL;
	at += 4;
	colon = strchr(at, ':');
	if (!colon || colon[1] < '0' || colon[1] > '9')
		return NULL;
	flen = (size_t)(colon - at);
	w = colon + 1;
	while (*w >= '0' && *w <= '9')
		w++;
	if (*w++ != ' ')
		return NULL;
	fnlen = strcspn(w, "+. ");
	for (i = 0; i < na; i++)
		if (strlen(a[i].file) == flen && !strncmp(a[i].file, at, flen) &&
		    strlen(a[i].func) == fnlen && !strncmp(a[i].func, w, fnlen))
			return &a[i];
	return NULL;
}

/* ---- expected results: tests/expected/check-patched.txt ---- */

/*
 *   [BOOT]                        a section: one boot of make check
 *   no-skips                      in a section: any skipped result fails
 *   SUITE pass=N skip=N [xfail=N] [skip-plan] [overrun]
 * skip-plan: the program skips as a whole before its plan ("1..0 # SKIP"),
 * which fails unless listed so. overrun: the program prints more results
 * than it planned, a known bug of that program (6.12's ksm_functional_tests
 * execs itself with an argv that lacks its NULL, and the child runs the
 * remaining tests); it fails unless listed so, and fails when listed but
 * gone, so that a fixed program is noticed. Several --boot NAMEs merge their sections,
 * a later one's suites replacing an earlier one's.
 */
struct expect {
	char name[NAME_LEN];
	long pass, skip, xfail;
	int skip_plan;
	int overrun;
	long line;
	int seen;
};

struct expectations {
	const char *path, *boot;
	struct expect v[MAX_SUITES];
	size_t n;
	int no_skips;
};

static long count_field(const char *path, long line, const char *tok,
			const char *key)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(tok + strlen(key) + 1, &end, 10);
	if (errno || *end || end == tok + strlen(key) + 1 || v < 0) {
		diag(path, line, "bad count '%s'", tok);
		exit(2);
	}
	return v;
}

static void load_expected(const char *path, const char *const *boots,
			  size_t nboots, struct expectations *ex)
{
	struct lines l;
	size_t b, i, k;

	load(path, &l);
	ex->path = path;
	ex->boot = boots[0];
	ex->n = 0;
	ex->no_skips = 0;
	for (b = 0; b < nboots; b++) {
		char section[NAME_LEN] = "";
		int found = 0;

		for (i = 0; i < l.n; i++) {
			char buf[512], *tok, *save, *hash;
			struct expect e, *dst = NULL;
			long line = (long)i + 1;
			int have_pass = 0, have_skip = 0;

			snprintf(buf, sizeof(buf), "%s", l.v[i]);
			hash = strchr(buf, '#');
			if (hash)
				*hash = '\0';
			tok = strtok_r(buf, " \t", &save);
			if (!tok)
				continue;
			if (tok[0] == '[') {
				size_t len = strlen(tok);

				if (len < 3 || tok[len - 1] != ']' ||
				    strtok_r(NULL, " \t", &save)) {
					diag(path, line, "bad section header '%s'", l.v[i]);
					exit(2);
				}
				snprintf(section, sizeof(section), "%.*s",
					 (int)(len - 2), tok + 1);
				found |= !strcmp(section, boots[b]);
				continue;
			}
			if (!section[0]) {
				diag(path, line, "'%s' before any [section]", tok);
				exit(2);
			}
			if (!strcmp(tok, "no-skips")) {
				if (!strcmp(section, boots[b]))
					ex->no_skips = 1;
				continue;
			}
			memset(&e, 0, sizeof(e));
			snprintf(e.name, sizeof(e.name), "%s", tok);
			e.line = line;
			while ((tok = strtok_r(NULL, " \t", &save))) {
				if (starts(tok, "pass=")) {
					e.pass = count_field(path, line, tok, "pass");
					have_pass = 1;
				} else if (starts(tok, "skip=")) {
					e.skip = count_field(path, line, tok, "skip");
					have_skip = 1;
				} else if (starts(tok, "xfail=")) {
					e.xfail = count_field(path, line, tok, "xfail");
				} else if (!strcmp(tok, "skip-plan")) {
					e.skip_plan = 1;
				} else if (!strcmp(tok, "overrun")) {
					e.overrun = 1;
				} else {
					diag(path, line, "unknown field '%s' (want pass=N skip=N [xfail=N] [skip-plan] [overrun])",
					     tok);
					exit(2);
				}
			}
			if (!have_pass || !have_skip) {
				diag(path, line, "%s: pass=N and skip=N are required", e.name);
				exit(2);
			}
			if (strcmp(section, boots[b]))
				continue;
			for (k = 0; k < ex->n; k++)
				if (!strcmp(ex->v[k].name, e.name))
					dst = &ex->v[k];
			if (dst && dst->line > 0 && b == 0) {
				diag(path, line, "%s listed twice in [%s]", e.name, section);
				exit(2);
			}
			if (!dst) {
				if (ex->n == MAX_SUITES)
					die("%s", "too many expected suites");
				dst = &ex->v[ex->n++];
			}
			*dst = e;
		}
		if (!found) {
			diag(path, 0, "no section [%s]", boots[b]);
			exit(2);
		}
	}
	free_lines(&l);
}

static struct expect *find_expect(struct expectations *ex, const char *name)
{
	size_t i;

	for (i = 0; i < ex->n; i++)
		if (!strcmp(ex->v[i].name, name))
			return &ex->v[i];
	return NULL;
}

/* The observed counts as a section of an expected file. */
static void print_expected(FILE *f, const char *boot, const struct suite *v,
			   size_t n)
{
	size_t i;

	fprintf(f, "[%s]\n", boot);
	for (i = 0; i < n; i++) {
		fprintf(f, "%s pass=%ld skip=%ld", v[i].name, v[i].pass, v[i].skip);
		if (v[i].xfail)
			fprintf(f, " xfail=%ld", v[i].xfail);
		if (v[i].skip_plan)
			fprintf(f, " skip-plan");
		if (v[i].overrun || v[i].overrun_known)
			fprintf(f, " overrun");
		if (v[i].fail || v[i].rc < 0 || v[i].early)
			fprintf(f, "  # FAILED: fix the suite, do not paste this");
		fprintf(f, "\n");
	}
}

/*
 * Compare the suites with ex (NULL: no expected file; a skip before the
 * plan still fails). Diagnostics on stderr; the number of differences.
 */
static int check_expected(struct expectations *ex, const char *tests_path,
			  struct suite *v, size_t n)
{
	size_t i;
	int bad = 0;

	for (i = 0; i < n; i++) {
		struct suite *s = &v[i];
		struct expect *e = ex ? find_expect(ex, s->name) : NULL;

		if (ex && !e) {
			diag(tests_path, s->line, "%s: a suite not in %s [%s]",
			     s->name, ex->path, ex->boot);
			bad++;
			continue;
		}
		if (e)
			e->seen = 1;
		if (s->skip_plan && !(e && e->skip_plan)) {
			diag(tests_path, s->skip_plan, "%s: skipped before its plan (1..0 # SKIP)%s",
			     s->name, ex ? "" : "; only an expected file's skip-plan allows it");
			bad++;
			continue;
		}
		if (!e)
			continue;
		if (ex->no_skips && s->skip) {
			diag(tests_path, s->line, "%s: %ld skipped; [%s] allows no skip",
			     s->name, s->skip, ex->boot);
			bad++;
		} else if (e->pass && !s->pass && s->skip) {
			diag(ex->path, e->line, "%s: all %ld results skipped (expected %ld passed)",
			     s->name, s->skip, e->pass);
			bad++;
		} else if (e->overrun && !s->overrun_known) {
			diag(ex->path, e->line, "%s: listed as overrun, but printed no more results than planned",
			     s->name);
			bad++;
		} else if (s->pass != e->pass || s->skip != e->skip ||
			   s->xfail != e->xfail || !!s->skip_plan != e->skip_plan) {
			diag(ex->path, e->line,
			     "%s: %ld passed, %ld skipped, %ld expected failures%s; expected %ld, %ld, %ld%s",
			     s->name, s->pass, s->skip, s->xfail,
			     s->skip_plan ? " (skip-plan)" : "", e->pass, e->skip,
			     e->xfail, e->skip_plan ? " (skip-plan)" : "");
			bad++;
		}
	}
	for (i = 0; ex && i < ex->n; i++)
		if (!ex->v[i].seen) {
			diag(ex->path, ex->v[i].line, "%s: suite missing from %s",
			     ex->v[i].name, tests_path);
			bad++;
		}
	return bad;
}

struct check_opts {
	const char *expected, *allowed;
	const char *boots[8];
	size_t nboots;
};

static int cmd_check(const struct check_opts *o, const char *console_path,
		     const char *tests_path)
{
	static struct suite suites[MAX_SUITES];
	static struct expectations ex;
	static struct allowed allowed[MAX_ALLOWED];
	struct lines con, tst;
	size_t i, nsuites = 0, j, nallowed = 0;
	long pass = 0, fail = 0, skip = 0, xfail = 0, reports = 0, allowed_n = 0;
	int booted = 0, done = 0, errors = 0, bad = 0, differ;

	if (o->expected)
		load_expected(o->expected, o->boots, o->nboots, &ex);
	if (o->allowed)
		nallowed = load_allowed(o->allowed, allowed);
	load(console_path, &con);
	load(tests_path, &tst);

	nsuites = parse_suites(&tst, suites, &booted, &done, &errors);

	for (i = 0; i < con.n; i++) {
		struct allowed *a;

		if (!report_line(con.v[i]))
			continue;
		a = allowed_warning(con.v[i], allowed, nallowed);
		if (a) {
			a->count++;
			allowed_n++;
			continue;
		}
		if (reports++ < REPORTS_SHOWN)
			diag(console_path, (long)i + 1, "kernel report: %s", con.v[i]);
	}
	if (reports > REPORTS_SHOWN)
		fprintf(stderr, "%s: error: %ld more kernel report lines\n",
			console_path, reports - REPORTS_SHOWN);

	for (i = 0; i < nsuites; i++) {
		struct suite *s = &suites[i];
		struct expect *e = o->expected ? find_expect(&ex, s->name) : NULL;
		const char *verdict;
		long f;

		/* a known overrun, listed in the expected file */
		if (s->overrun && e && e->overrun) {
			s->overrun = 0;
			s->overrun_known = 1;
		}
		verdict = suite_verdict(s, &f);
		printf("  %-28s %5ld passed %3ld failed %3ld skipped", s->name,
		       s->pass, f, s->skip);
		if (s->xfail)
			printf(" (%ld expected failures)", s->xfail);
		printf("  %s", verdict);
		if (s->secs >= 0)
			printf(" (%ld s)", s->secs);
		printf("\n");
		for (j = 0; j < FAILED_SHOWN && j < (size_t)s->fail; j++)
			printf("      %s\n", s->failed[j]);
		pass += s->pass;
		xfail += s->xfail;
		fail += f;
		skip += s->skip;
	}
	if (!booted) {
		fprintf(stderr, "%s: error: the guest never reached its tests\n", prog);
		bad = 1;
	} else if (!done) {
		fprintf(stderr, "%s: error: the guest never finished its tests\n", prog);
		bad = 1;
	}
	if (booted && !nsuites) {
		fprintf(stderr, "%s: error: the guest ran no suite\n", prog);
		bad = 1;
	}
	differ = booted ? check_expected(o->expected ? &ex : NULL, tests_path,
					 suites, nsuites) : 0;
	if (allowed_n) {
		printf("  allowed kernel warnings (%s): %ld:", o->allowed, allowed_n);
		for (i = 0; i < nallowed; i++)
			if (allowed[i].count)
				printf(" %s %ld", allowed[i].func, allowed[i].count);
		printf("\n");
	}
	if (reports)
		printf("  kernel reports in %s: %ld (not allowed)\n", console_path,
		       reports);
	if (differ && !o->expected) {
		printf("  %d suite%s skipped before the plan (no --expected file allows it)\n",
		       differ, differ > 1 ? "s" : "");
	} else if (differ) {
		printf("  %d difference%s from %s [%s]; the observed counts in its format\n"
		       "  (review, then paste over the section):\n",
		       differ, differ > 1 ? "s" : "", o->expected, o->boots[0]);
		print_expected(stdout, o->boots[0], suites, nsuites);
	}
	bad |= reports || errors || fail || differ;
	if (bad && con.n) {
		size_t from = con.n > TAIL_LINES ? con.n - TAIL_LINES : 0;

		fprintf(stderr, "--- last lines of %s\n", console_path);
		for (i = from; i < con.n; i++)
			fprintf(stderr, "%s\n", con.v[i]);
	}
	printf("%ld passed, %ld failed, %ld skipped", pass,
	       fail + (bad && !fail), skip);
	if (xfail)
		printf(", %ld expected failures", xfail);
	printf("\n");
	free_lines(&con);
	free_lines(&tst);
	return bad ? 1 : 0;
}

static int cmd_expected(const char *boot, const char *tests_path)
{
	static struct suite suites[MAX_SUITES];
	struct lines tst;
	int booted = 0, done = 0, errors = 0;
	size_t n;

	load(tests_path, &tst);
	n = parse_suites(&tst, suites, &booted, &done, &errors);
	if (!done)
		die("%s: the guest never finished (no PINLIFE-DONE)", tests_path);
	print_expected(stdout, boot, suites, n);
	free_lines(&tst);
	return 0;
}

static void need_done(const struct lines *l, const char *path)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (starts(l->v[i], "PINLIFE-DONE"))
			return;
	die("%s: the guest never finished (no PINLIFE-DONE)", path);
}

/* ---- compare: the same suites on two kernels ---- */

static const struct suite *find_suite(const struct suite *v, size_t n,
				      const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(v[i].name, name))
			return &v[i];
	return NULL;
}

static void print_side(const struct suite *s)
{
	long f;
	const char *verdict;

	if (!s) {
		printf(" | %-30s", "(missing)");
		return;
	}
	verdict = suite_verdict(s, &f);
	printf(" | %4ld %4ld %4ld %-15.15s", s->pass + s->xfail, f, s->skip,
	       verdict);
}

/*
 * Not every selftest speaks TAP (uffd-unit-tests, hugetlb-madvise), and a
 * "1..0 # SKIP" plan has no result line: such a suite counts as one
 * result, from its exit code (0 passed, 4 skipped, else failed).
 */
static void exit_code_results(struct suite *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct suite *s = &v[i];

		if (s->pass + s->fail + s->skip + s->xfail || s->early || s->rc < 0)
			continue;
		if (s->rc == 0)
			s->pass = 1;
		else if (s->rc == 4)
			s->skip = 1;
		else
			s->fail = 1;
	}
}

static int cmd_compare(const char *stock_path, const char *patched_path)
{
	static struct suite s[MAX_SUITES], p[MAX_SUITES];
	struct lines ls, lp;
	int b = 0, d = 0, e = 0, differ = 0;
	size_t ns, np, i;

	load(stock_path, &ls);
	load(patched_path, &lp);
	need_done(&ls, stock_path);
	need_done(&lp, patched_path);
	ns = parse_suites(&ls, s, &b, &d, &e);
	np = parse_suites(&lp, p, &b, &d, &e);
	exit_code_results(s, ns);
	exit_code_results(p, np);
	printf("%-26s | %-30s | %-30s\n", "", "stock 6.12", "patched");
	printf("%-26s | %4s %4s %4s %-15s | %4s %4s %4s %-15s\n", "suite", "pass",
	       "fail", "skip", "verdict", "pass", "fail", "skip", "verdict");
	for (i = 0; i < ns + np; i++) {
		const struct suite *a = i < ns ? &s[i] : find_suite(s, ns, p[i - ns].name);
		const struct suite *q = i < ns ? find_suite(p, np, s[i].name) : &p[i - ns];
		long fa = 0, fq = 0;
		int same;

		if (i >= ns && a)
			continue;	/* printed with the stock suites */
		if (a)
			suite_verdict(a, &fa);
		if (q)
			suite_verdict(q, &fq);
		same = a && q && a->pass + a->xfail == q->pass + q->xfail &&
		       fa == fq && a->skip == q->skip;
		differ |= !same;
		printf("%-26.26s", a ? a->name : q->name);
		print_side(a);
		print_side(q);
		printf(" %s\n", same ? "same" : "DIFFERS");
	}
	free_lines(&ls);
	free_lines(&lp);
	return differ;
}

/* ---- key=value records: PINLIFE-HARM and PINLIFE-BENCH ---- */

/* Copy the value of key= in a record line into out; 0 if found. */
static int field(const char *line, const char *key, char *out, size_t len)
{
	size_t klen = strlen(key);
	const char *p = line;

	while ((p = strstr(p, key))) {
		if ((p == line || p[-1] == ' ') && p[klen] == '=') {
			size_t n = strcspn(p + klen + 1, " ");

			if (n >= len)
				n = len - 1;
			memcpy(out, p + klen + 1, n);
			out[n] = '\0';
			return 0;
		}
		p += klen;
	}
	return -1;
}


struct harm_row {
	char harm[24], path[NAME_LEN];
	char filled[24], held[24], before[24], after[24], result[40], intact[8];
	char code[40];		/* result= as printed: ok or an errno name */
	long line;
};

static size_t harm_rows(const struct lines *l, struct harm_row *rows)
{
	size_t i, n = 0;

	for (i = 0; i < l->n && n < MAX_ROWS; i++) {
		struct harm_row *r = &rows[n];
		char blocks[24], offlined[24];

		if (!starts(l->v[i], "PINLIFE-HARM "))
			continue;
		if (field(l->v[i], "harm", r->harm, sizeof(r->harm)) ||
		    field(l->v[i], "path", r->path, sizeof(r->path)) ||
		    field(l->v[i], "filled", r->filled, sizeof(r->filled)) ||
		    field(l->v[i], "held", r->held, sizeof(r->held)) ||
		    field(l->v[i], "before", r->before, sizeof(r->before)) ||
		    field(l->v[i], "after", r->after, sizeof(r->after)) ||
		    field(l->v[i], "result", r->result, sizeof(r->result)) ||
		    field(l->v[i], "intact", r->intact, sizeof(r->intact)))
			die("malformed record: %s", l->v[i]);
		snprintf(r->code, sizeof(r->code), "%s", r->result);
		r->line = (long)i + 1;
		/* offline: how many of the blocks went offline */
		if (!field(l->v[i], "blocks", blocks, sizeof(blocks)) &&
		    !field(l->v[i], "offlined", offlined, sizeof(offlined))) {
			size_t len = strlen(r->result);

			snprintf(r->result + len, sizeof(r->result) - len,
				 " %.8s/%.8s", offlined, blocks);
		}
		n++;
	}
	return n;
}

static const struct harm_row *find_harm(const struct harm_row *rows, size_t n,
					const char *harm, const char *path)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(rows[i].harm, harm) && !strcmp(rows[i].path, path))
			return &rows[i];
	return NULL;
}

static const char *harm_title(const char *harm)
{
	if (!strcmp(harm, "cma"))
		return "CMA: a full allocation of the default CMA area";
	if (!strcmp(harm, "offline"))
		return "offlining: each ZONE_MOVABLE memory block that held the pages goes offline\n"
		       "(result: offlined/blocks; ETIMEDOUT: the kernel was still retrying)";
	if (!strcmp(harm, "gigantic"))
		return "gigantic pages: one 1 GiB huge page at run time, from the hugetlb_cma area";
	return harm;
}

static int ok_result(const char *result)
{
	return !strncmp(result, "ok", 2);
}

/*
 * tests/expected/harms.txt: "HARM PATH stock=CLASS patched=CLASS" per row.
 * CLASS: ok (the operation succeeded), fail or fail:ERRNO (the path held
 * pages and the operation failed), refused or refused:ERRNO (the kernel
 * refused the path itself: nothing held). ok and fail also need held > 0.
 */
struct harm_expect {
	char harm[24], path[NAME_LEN], cls[2][48];
	long line;
};

static int valid_class(const char *c)
{
	return !strcmp(c, "ok") || !strcmp(c, "fail") || !strcmp(c, "refused") ||
	       (starts(c, "fail:") && c[5]) || (starts(c, "refused:") && c[8]);
}

static size_t load_harm_expected(const char *path, struct harm_expect *v)
{
	struct lines l;
	size_t i, k, n = 0;

	load(path, &l);
	for (i = 0; i < l.n; i++) {
		char harm[24], hpath[NAME_LEN], st[48], pa[48], extra[2];
		char *hash = strchr(l.v[i], '#');
		struct harm_expect *e = &v[n];
		int got;

		if (hash)
			*hash = '\0';
		got = sscanf(l.v[i], "%23s %95s %47s %47s %1s", harm, hpath, st, pa, extra);
		if (got <= 0)
			continue;
		if (got != 4 || !starts(st, "stock=") || !starts(pa, "patched=") ||
		    !valid_class(st + 6) || !valid_class(pa + 8)) {
			diag(path, (long)i + 1, "want 'HARM PATH stock=CLASS patched=CLASS', CLASS ok, fail[:ERRNO] or refused[:ERRNO]");
			exit(2);
		}
		for (k = 0; k < n; k++)
			if (!strcmp(v[k].harm, harm) && !strcmp(v[k].path, hpath)) {
				diag(path, (long)i + 1, "%s %s listed twice", harm, hpath);
				exit(2);
			}
		if (n == MAX_ROWS) {
			diag(path, (long)i + 1, "more than %d rows", MAX_ROWS);
			exit(2);
		}
		snprintf(e->harm, sizeof(e->harm), "%s", harm);
		snprintf(e->path, sizeof(e->path), "%s", hpath);
		snprintf(e->cls[0], sizeof(e->cls[0]), "%s", st + 6);
		snprintf(e->cls[1], sizeof(e->cls[1]), "%s", pa + 8);
		e->line = (long)i + 1;
		n++;
	}
	free_lines(&l);
	return n;
}

/* A row's class: ok, fail:ERRNO or refused:ERRNO. */
static void harm_class(const struct harm_row *r, char *out, size_t len)
{
	if (!strcmp(r->before, "-"))
		snprintf(out, len, "refused:%s", r->code);
	else if (!strcmp(r->code, "ok"))
		snprintf(out, len, "ok");
	else
		snprintf(out, len, "fail:%s", r->code);
}

/* 0 when row r is of class want; else diagnosed at the expected line. */
static int harm_differs(const char *exp_path, const struct harm_expect *e,
			const char *kernel, const char *log_path,
			const struct harm_row *r)
{
	char got[48];
	size_t wl = strlen(e->cls[kernel[0] == 'p']);
	const char *want = e->cls[kernel[0] == 'p'];

	if (!r) {
		diag(exp_path, e->line, "%s %s: no %s row in %s", e->harm,
		     e->path, kernel, log_path);
		return 1;
	}
	harm_class(r, got, sizeof(got));
	if (strcmp(got, want) && !((!strcmp(want, "fail") || !strcmp(want, "refused")) &&
				   !strncmp(got, want, wl) && got[wl] == ':')) {
		diag(exp_path, e->line, "%s %s: %s %s, expected %s (%s:%ld)",
		     e->harm, e->path, kernel, got, want, log_path, r->line);
		return 1;
	}
	if (!starts(got, "refused") && atol(r->held) <= 0) {
		diag(exp_path, e->line, "%s %s: %s held no page (%s:%ld)",
		     e->harm, e->path, kernel, log_path, r->line);
		return 1;
	}
	return 0;
}

static int cmd_harms(const char *expected, const char *stock_path,
		     const char *patched_path)
{
	static struct harm_row s[MAX_ROWS], p[MAX_ROWS];
	static struct harm_expect ex[MAX_ROWS];
	struct lines ls, lp;
	size_t ns, np, nex = 0, i, j, rows_all = 0;
	int bad = 0, differ = 0;

	if (expected)
		nex = load_harm_expected(expected, ex);
	load(stock_path, &ls);
	load(patched_path, &lp);
	need_done(&ls, stock_path);
	need_done(&lp, patched_path);
	ns = harm_rows(&ls, s);
	np = harm_rows(&lp, p);
	if (!ns)
		die("%s: no PINLIFE-HARM record", stock_path);

	printf("Harm scenarios: a process fills memory until its buffer has pages in the\n"
	       "region a harm needs free (in region), holds them through each path (held:\n"
	       "as many as the path takes), then runs the operation the pins would break.\n"
	       "before/after: held pages still in the region.\n");
	for (i = 0; i < ns; i++) {
		size_t flipped = 0, rows = 0;

		for (j = 0; j < i && strcmp(s[j].harm, s[i].harm); j++)
			;
		if (j < i)
			continue;	/* this harm's table is printed */
		printf("\n== %s\n", harm_title(s[i].harm));
		printf("%-14s | %-44s | %s\n", "", "stock 6.12", "patched");
		printf("%-14s | %6s %6s %6s %6s %-15s | %6s %6s %6s %6s %s\n",
		       "path", "region", "held", "before", "after", "result",
		       "region", "held", "before", "after", "result");
		for (j = i; j < ns; j++) {
			const struct harm_row *q;

			if (strcmp(s[j].harm, s[i].harm))
				continue;
			q = find_harm(p, np, s[j].harm, s[j].path);
			rows++;
			printf("%-14s | %6s %6s %6s %6s %-15s | ", s[j].path,
			       s[j].filled, s[j].held, s[j].before, s[j].after,
			       s[j].result);
			if (q)
				printf("%6s %6s %6s %6s %s\n", q->filled, q->held,
				       q->before, q->after, q->result);
			else
				printf("(missing)\n");
			if (q && !ok_result(s[j].result) && ok_result(q->result))
				flipped++;
			if (strcmp(s[j].intact, "yes") ||
			    (q && strcmp(q->intact, "yes"))) {
				fprintf(stderr, "%s: error: %s %s: page contents damaged\n",
					prog, s[j].harm, s[j].path);
				bad = 1;
			}
		}
		printf("%zu of %zu paths fail on stock and succeed patched\n",
		       flipped, rows);
	}
	if (expected) {
		for (i = 0; i < nex; i++) {
			int d = harm_differs(expected, &ex[i], "stock", stock_path,
					     find_harm(s, ns, ex[i].harm, ex[i].path));

			d |= harm_differs(expected, &ex[i], "patched", patched_path,
					  find_harm(p, np, ex[i].harm, ex[i].path));
			differ += d;
		}
		rows_all = nex;
		for (i = 0; i < ns + np; i++) {
			const struct harm_row *r = i < ns ? &s[i] : &p[i - ns];
			const char *log = i < ns ? stock_path : patched_path;

			for (j = 0; j < nex; j++)
				if (!strcmp(ex[j].harm, r->harm) && !strcmp(ex[j].path, r->path))
					break;
			if (j == nex) {
				diag(log, r->line, "%s %s: a row not in %s", r->harm,
				     r->path, expected);
				differ++;
				rows_all++;
			}
		}
		if (differ)
			printf("\n%d of %zu rows differ from %s\n", differ, rows_all,
			       expected);
		else
			printf("\nall %zu rows as %s expects\n", nex, expected);
	}
	free_lines(&ls);
	free_lines(&lp);
	return bad || differ;
}

/* ---- bench ---- */

struct bench_row {
	char name[NAME_LEN];
	double get[64], put[64];
	int n;
};

static size_t bench_rows(const struct lines *l, struct bench_row *rows)
{
	size_t i, n = 0, k;
	char name[NAME_LEN], get[32], put[32];

	for (i = 0; i < l->n; i++) {
		const char *line = l->v[i];
		struct bench_row *r = NULL;

		if (!starts(line, "PINLIFE-BENCH "))
			continue;
		if (sscanf(line + 14, "%95s", name) != 1)
			die("malformed record: %s", line);
		/* Either get_us= and put_us= (gup_test) or one us= figure. */
		if (!field(line, "us", get, sizeof(get)))
			strcpy(put, "0");
		else if (field(line, "get_us", get, sizeof(get)) ||
			 field(line, "put_us", put, sizeof(put)))
			die("malformed record: %s", line);
		for (k = 0; k < n; k++)
			if (!strcmp(rows[k].name, name))
				r = &rows[k];
		if (!r) {
			if (n == MAX_ROWS)
				die("%s", "too many benchmarks");
			r = &rows[n++];
			memset(r, 0, sizeof(*r));
			snprintf(r->name, sizeof(r->name), "%s", name);
		}
		if (r->n < 64) {
			r->get[r->n] = atof(get);
			r->put[r->n] = atof(put);
			r->n++;
		}
	}
	return n;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int cmd_bench(const char *stock_path, const char *patched_path)
{
	static struct bench_row s[MAX_ROWS], p[MAX_ROWS];
	struct lines ls, lp;
	size_t ns, np, i, k;

	load(stock_path, &ls);
	load(patched_path, &lp);
	need_done(&ls, stock_path);
	need_done(&lp, patched_path);
	ns = bench_rows(&ls, s);
	np = bench_rows(&lp, p);
	if (!ns)
		die("%s: no PINLIFE-BENCH record", stock_path);

	printf("Guest microseconds under -icount (1 us = 1000 instructions), median of runs;\n"
	       "ratio = patched / stock. gup_test: get = pin or get, put = release.\n\n");
	printf("%-34s %11s %11s %8s   %9s %9s %8s\n", "benchmark", "stock get",
	       "patched get", "ratio", "stock put", "patch put", "ratio");
	for (i = 0; i < ns; i++) {
		double sg = median(s[i].get, s[i].n), sp = median(s[i].put, s[i].n);
		const struct bench_row *q = NULL;

		for (k = 0; k < np; k++)
			if (!strcmp(p[k].name, s[i].name))
				q = &p[k];
		if (!q) {
			printf("%-34s %11.0f %11s\n", s[i].name, sg, "(missing)");
			continue;
		}
		{
			struct bench_row c = *q;
			double pg = median(c.get, c.n), pp = median(c.put, c.n);

			printf("%-34s %11.0f %11.0f %8.4f", s[i].name, sg, pg,
			       sg > 0 ? pg / sg : 0);
			if (sp > 0)
				printf("   %9.0f %9.0f %8.4f", sp, pp, pp / sp);
			printf("\n");
		}
	}
	free_lines(&ls);
	free_lines(&lp);
	return 0;
}

/* ---- stock-fails ---- */

#define MAX_NUMS 32

/*
 * Whether result n of the suite whose PINLIFE-SUITE-BEGIN is at line
 * begin (1-based) of l is "not ok" (1), "ok" (0), or absent (-1); *ended
 * gets whether the suite reached its PINLIFE-SUITE-END.
 */
static int result_failed(const struct lines *l, long begin, long n, int *ended)
{
	size_t i;
	int found = -1;

	*ended = 0;
	for (i = begin; i < l->n; i++) {
		const char *p;
		int ok;

		if (starts(l->v[i], "PINLIFE-SUITE-END ")) {
			*ended = 1;
			break;
		}
		p = tap_parse(l->v[i], &ok);
		if (p && atol(p) == n)
			found = !ok;
	}
	return found;
}

static int cmd_stock_fails(const char *exp_path, const char *tests_path)
{
	struct suite suites[MAX_SUITES];
	int booted = 0, done = 0, errors = 0, bad = 0, checked = 0;
	struct lines le, lt;
	size_t i, ns;

	load(exp_path, &le);
	load(tests_path, &lt);
	ns = parse_suites(&lt, suites, &booted, &done, &errors);
	for (i = 0; i < le.n; i++) {
		char name[NAME_LEN], nums[256], *tok, *save;
		const struct suite *s;
		const char *l = le.v[i];

		while (*l == ' ' || *l == '\t')
			l++;
		if (!*l || *l == '#')
			continue;
		if (sscanf(l, "%95s %255s", name, nums) != 2) {
			diag(exp_path, (long)i + 1, "want 'SUITE N[,N...]': %s", l);
			bad++;
			continue;
		}
		s = find_suite(suites, ns, name);
		if (!s) {
			diag(exp_path, (long)i + 1, "%s did not run on stock (%s)",
			     name, tests_path);
			bad++;
			continue;
		}
		for (tok = strtok_r(nums, ",", &save); tok;
		     tok = strtok_r(NULL, ",", &save)) {
			long n = atol(tok);
			int ended, f = result_failed(&lt, s->line, n, &ended);

			checked++;
			if (f == 1)
				continue;
			bad++;
			if (f < 0)
				diag(exp_path, (long)i + 1,
				     "%s: no result %ld on stock%s (%s:%ld)",
				     name, n, ended ? "" : ", the suite never ended",
				     tests_path, s->line);
			else
				diag(exp_path, (long)i + 1,
				     "%s: result %ld passed on stock, it must fail (%s:%ld)",
				     name, n, tests_path, s->line);
		}
	}
	if (!booted || !done) {
		fprintf(stderr, "%s: %s: the stock guest %s\n", prog, tests_path,
			booted ? "did not finish" : "never started its tests");
		bad++;
	}
	printf("stock: %d results that must fail, %d do not\n", checked, bad);
	free_lines(&le);
	free_lines(&lt);
	return bad ? 1 : 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: guestlog check [--expected FILE --boot NAME...] [--warnings-allowed FILE]\n"
		"                      CONSOLE_LOG TESTS_LOG\n"
		"       guestlog expected NAME TESTS_LOG\n"
		"       guestlog harms [--expected FILE] STOCK_TESTS_LOG PATCHED_TESTS_LOG\n"
		"       guestlog compare STOCK_TESTS_LOG PATCHED_TESTS_LOG\n"
		"       guestlog stock-fails FILE TESTS_LOG\n"
		"       guestlog bench STOCK_TESTS_LOG PATCHED_TESTS_LOG\n"
		"\n"
		"Reads what a pinlife guest printed (ttyS0: the kernel; ttyS1: the tests).\n"
		"  check  per-suite TAP summary and a final 'N passed, N failed, N skipped';\n"
		"         exit 1 on a failure, a missing plan or more results than planned,\n"
		"         a skip before the plan (1..0 # SKIP) FILE does not allow, any\n"
		"         kernel report (WARNING, BUG, Oops, UBSAN, KASAN, hung task, RCU\n"
		"         stall, lockdep) but the WARNINGs whose file and function the\n"
		"         --warnings-allowed file lists ('mm/gup.c pin_user_pages'), a\n"
		"         guest that did not finish, or any difference from section [NAME]\n"
		"         of the --expected file (lines 'SUITE pass=N skip=N [xfail=N]\n"
		"         [skip-plan]', 'no-skips'; a later --boot's section overrides)\n"
		"  expected  TESTS_LOG's counts as section [NAME] of an expected file\n"
		"  harms  side-by-side tables of the harm scenarios of 'make run' (CMA,\n"
		"         offlining, gigantic pages); with --expected (lines 'HARM PATH\n"
		"         stock=CLASS patched=CLASS', CLASS ok, fail[:ERRNO] or\n"
		"         refused[:ERRNO]), exit 1 when a row differs, is missing or new\n"
		"  stock-fails  the results FILE lists ('SUITE N[,N...]') must be 'not ok'\n"
		"         in a stock kernel's TESTS_LOG: exit 1 when one passed, is missing,\n"
		"         or its suite did not end\n"
		"  bench  gup_test benchmark medians of both kernels and their ratios\n"
		"  compare  the same suites on both kernels, side by side; exit 1 when\n"
		"         any suite's counts differ\n"
		"Exit: 0 good, 1 the guest's result is bad, 2 bad input.\n");
}

int main(int argc, char **argv)
{
	struct check_opts o = { 0 };
	const char *cmd = argc > 1 ? argv[1] : "";
	int i = 2;

	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return 0;
	}
	/* options, before the files */
	while (i + 1 < argc && starts(argv[i], "--")) {
		if (!strcmp(argv[i], "--expected"))
			o.expected = argv[i + 1];
		else if (!strcmp(argv[i], "--warnings-allowed") && !strcmp(cmd, "check"))
			o.allowed = argv[i + 1];
		else if (!strcmp(argv[i], "--boot") && !strcmp(cmd, "check") &&
			 o.nboots < sizeof(o.boots) / sizeof(*o.boots))
			o.boots[o.nboots++] = argv[i + 1];
		else
			break;
		i += 2;
	}
	if (argc - i == 2 && !strcmp(cmd, "check") && !o.expected == !o.nboots)
		return cmd_check(&o, argv[i], argv[i + 1]);
	if (argc - i == 2 && !strcmp(cmd, "harms") && !o.nboots)
		return cmd_harms(o.expected, argv[i], argv[i + 1]);
	if (argc == 4 && !strcmp(cmd, "expected"))
		return cmd_expected(argv[2], argv[3]);
	if (argc == 4 && !strcmp(cmd, "compare"))
		return cmd_compare(argv[2], argv[3]);
	if (argc == 4 && !strcmp(cmd, "stock-fails"))
		return cmd_stock_fails(argv[2], argv[3]);
	if (argc == 4 && !strcmp(cmd, "bench"))
		return cmd_bench(argv[2], argv[3]);
	usage(stderr);
	return 2;
}
