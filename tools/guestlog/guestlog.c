// SPDX-License-Identifier: GPL-2.0
/*
 * guestlog - read what a pinlife guest printed and judge it.
 *
 *   guestlog check CONSOLE_LOG TESTS_LOG
 *	Per-suite TAP summary of a 'check' boot, then one line
 *	"N passed, N failed, N skipped". Exit 1 on any failed test, a suite
 *	that ended early, a kernel panic or oops, or a guest that never
 *	reached or never finished its tests; the tail of the console log is
 *	printed then.
 *   guestlog harms STOCK_TESTS_LOG PATCHED_TESTS_LOG
 *	Side-by-side tables of the harm scenarios ('make run'): CMA,
 *	offlining, gigantic pages.
 *   guestlog bench STOCK_TESTS_LOG PATCHED_TESTS_LOG
 *	gup_test benchmark medians for both kernels and their ratio.
 *   guestlog compare STOCK_TESTS_LOG PATCHED_TESTS_LOG
 *	The same suites on both kernels side by side ('make mm-selftests');
 *	exit 1 when any suite's pass/fail/skip counts differ.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SUITES 256
#define MAX_ROWS 256
#define NAME_LEN 96
#define TAIL_LINES 25

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
	long secs;		/* guest seconds it took, -1 if not said */
	char failed[FAILED_SHOWN][160];	/* its first "not ok" lines */
};

/* A TAP result line: "ok N ..." or "not ok N ...", optionally indented. */
static void tap_result(struct suite *s, const char *line)
{
	const char *p = line;
	int ok;

	while (*p == ' ')
		p++;
	if (starts(p, "ok ")) {
		ok = 1;
		p += 3;
	} else if (starts(p, "not ok ")) {
		ok = 0;
		p += 7;
	} else {
		return;
	}
	if (*p < '0' || *p > '9')
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
	s->planned = -1;
	s->seen = 0;
}

static const char *const fatal_patterns[] = {
	"Kernel panic", "Oops", "BUG: ", "kernel BUG at",
	"general protection fault", "Unable to handle kernel",
	"watchdog: BUG: soft lockup", "INFO: task ", "rcu: INFO:",
};

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
			if (nsuites == MAX_SUITES)
				die("%s", "too many suites");
			cur = &suites[nsuites++];
			memset(cur, 0, sizeof(*cur));
			snprintf(cur->name, sizeof(cur->name), "%s", l + 20);
			cur->rc = -1;
			cur->planned = -1;
			cur->secs = -1;
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
			if (!cur->planned && strstr(l, "# SKIP"))
				cur->skip++;
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
	if (s->fail)
		return "FAILED";
	if (s->rc != 0 && s->rc != 4)
		return ++*f, "FAILED: non-zero exit";
	if (s->pass + s->xfail + s->skip == 0)
		return ++*f, "FAILED: ran no test";
	return "ok";
}

static int cmd_check(const char *console_path, const char *tests_path)
{
	static struct suite suites[MAX_SUITES];
	struct lines con, tst;
	size_t i, nsuites = 0, j;
	long pass = 0, fail = 0, skip = 0, warnings = 0;
	int booted = 0, done = 0, fatal = 0, errors = 0, bad = 0;

	load(console_path, &con);
	load(tests_path, &tst);

	nsuites = parse_suites(&tst, suites, &booted, &done, &errors);

	for (i = 0; i < con.n; i++) {
		if (strstr(con.v[i], "WARNING: CPU:"))
			warnings++;
		for (j = 0; j < sizeof(fatal_patterns) / sizeof(*fatal_patterns); j++)
			if (strstr(con.v[i], fatal_patterns[j])) {
				if (!fatal)
					fprintf(stderr, "%s: kernel: %s\n", prog, con.v[i]);
				fatal = 1;
			}
	}

	for (i = 0; i < nsuites; i++) {
		struct suite *s = &suites[i];
		long f;
		const char *verdict = suite_verdict(s, &f);
		printf("  %-28s %5ld passed %3ld failed %3ld skipped", s->name,
		       s->pass + s->xfail, f, s->skip);
		if (s->xfail)
			printf(" (%ld expected failures)", s->xfail);
		printf("  %s", verdict);
		if (s->secs >= 0)
			printf(" (%ld s)", s->secs);
		printf("\n");
		for (j = 0; j < FAILED_SHOWN && j < (size_t)s->fail; j++)
			printf("      %s\n", s->failed[j]);
		pass += s->pass + s->xfail;
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
	if (warnings)
		printf("  kernel warnings (WARNING: CPU:) in %s: %ld\n",
		       console_path, warnings);
	bad |= fatal || errors || fail;
	if (bad && con.n) {
		size_t from = con.n > TAIL_LINES ? con.n - TAIL_LINES : 0;

		fprintf(stderr, "--- last lines of %s\n", console_path);
		for (i = from; i < con.n; i++)
			fprintf(stderr, "%s\n", con.v[i]);
	}
	printf("%ld passed, %ld failed, %ld skipped\n", pass,
	       fail + (bad && !fail), skip);
	free_lines(&con);
	free_lines(&tst);
	return bad ? 1 : 0;
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

static int cmd_harms(const char *stock_path, const char *patched_path)
{
	static struct harm_row s[MAX_ROWS], p[MAX_ROWS];
	struct lines ls, lp;
	size_t ns, np, i, j;
	int bad = 0;

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
	free_lines(&ls);
	free_lines(&lp);
	return bad;
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

static void usage(FILE *f)
{
	fprintf(f,
		"usage: guestlog check CONSOLE_LOG TESTS_LOG\n"
		"       guestlog harms STOCK_TESTS_LOG PATCHED_TESTS_LOG\n"
		"       guestlog compare STOCK_TESTS_LOG PATCHED_TESTS_LOG\n"
		"       guestlog bench STOCK_TESTS_LOG PATCHED_TESTS_LOG\n"
		"\n"
		"Reads what a pinlife guest printed (ttyS0: the kernel; ttyS1: the tests).\n"
		"  check  per-suite TAP summary and a final 'N passed, N failed, N skipped';\n"
		"         exit 1 on a failure, panic/oops, or a guest that did not finish\n"
		"  harms  side-by-side tables of the harm scenarios of 'make run' (CMA,\n"
		"         offlining, gigantic pages)\n"
		"  bench  gup_test benchmark medians of both kernels and their ratios\n"
		"  compare  the same suites on both kernels, side by side; exit 1 when\n"
		"         any suite's counts differ\n"
		"Exit: 0 good, 1 the guest's result is bad, 2 bad input.\n");
}

int main(int argc, char **argv)
{
	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "check"))
		return cmd_check(argv[2], argv[3]);
	if (argc == 4 && !strcmp(argv[1], "compare"))
		return cmd_compare(argv[2], argv[3]);
	if (argc == 4 && !strcmp(argv[1], "harms"))
		return cmd_harms(argv[2], argv[3]);
	if (argc == 4 && !strcmp(argv[1], "bench"))
		return cmd_bench(argv[2], argv[3]);
	usage(stderr);
	return 2;
}
