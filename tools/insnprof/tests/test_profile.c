// SPDX-License-Identifier: GPL-2.0
/* Unit test of insnprof's core (profile.c): TAP on stdout. */
#define _POSIX_C_SOURCE 200809L
#include "profile.h"

#include <stdlib.h>
#include <string.h>

static int tests, failed;

static void ok(int cond, const char *what)
{
	tests++;
	if (!cond)
		failed++;
	printf("%sok %d - %s\n", cond ? "" : "not ", tests, what);
}

static char *report(const struct profile *p, const struct symmap *m)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f || profile_report(p, m, f) || fclose(f))
		return NULL;
	return buf;
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "tests";
	const uint64_t mark = PROFILE_MARK_DEFAULT;
	struct tb_count *on, *off, *a, *b, *user;
	struct symmap m;
	struct profile p;
	char path[512], err[512];
	char *r;

	snprintf(path, sizeof(path), "%s/System.map", dir);
	ok(!symmap_load(&m, path, err, sizeof(err)), "System.map loads");
	ok(m.n == 5, "only text symbols (T, t, W, w) are kept");
	ok(m.n == 5 && !strcmp(m.name[1], "first_fn") && !strcmp(m.name[2], "helper"),
	   "symbols are sorted by address");
	ok(symmap_find(&m, 0x1000) == m.n, "an address below the first symbol is user");
	ok(symmap_find(&m, 0xffffffff81000900ULL) == 1, "an address inside a symbol finds it");
	ok(symmap_find(&m, 0xffffffff81001000ULL) == 2, "a symbol's own address finds it");
	ok(symmap_find(&m, 0xffffffff81003004ULL) == 3, "data symbols do not end a text symbol");

	profile_init(&p, mark);
	on = profile_add_tb(&p, mark, 1);
	off = profile_add_tb(&p, mark + PROFILE_MARK_OFF, 1);
	a = profile_add_tb(&p, 0xffffffff81000810ULL, 5);
	b = profile_add_tb(&p, 0xffffffff81001010ULL, 3);
	user = profile_add_tb(&p, 0x401000, 7);
	profile_exec(&p, a);	/* before the window: not counted */
	profile_exec(&p, on);
	profile_exec(&p, a);
	profile_exec(&p, a);
	profile_exec(&p, b);
	profile_exec(&p, user);
	profile_exec(&p, on);	/* a second open inside the window: same window */
	profile_exec(&p, off);
	profile_exec(&p, b);	/* after it: not counted */
	r = report(&p, &m);
	ok(r && !strcmp(r,
			"# insnprof: guest instructions between the marks, by symbol\n"
			"windows 1\ntotal 20\n10 first_fn\n7 [user]\n3 helper\n"),
	   "the report counts what ran inside the window, by symbol, most first");
	free(r);

	profile_exec(&p, on);
	profile_exec(&p, b);
	profile_exec(&p, off);
	r = report(&p, &m);
	ok(r && strstr(r, "windows 2\ntotal 23\n"), "a second window adds to the counts");
	free(r);
	profile_free(&p);
	symmap_free(&m);

	ok(symmap_load(&m, "/nonexistent/System.map", err, sizeof(err)) == -1 &&
	   strstr(err, "/nonexistent/System.map: No such file"),
	   "a missing map is an error that names it");
	snprintf(path, sizeof(path), "%s/bad.map", dir);
	ok(symmap_load(&m, path, err, sizeof(err)) == -1 && strstr(err, "bad.map:2:"),
	   "a malformed map line is an error with its line number");

	printf("1..%d\n", tests);
	return failed != 0;
}
