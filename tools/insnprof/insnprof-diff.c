// SPDX-License-Identifier: GPL-2.0
/*
 * insnprof-diff: put two insnprof reports side by side, per unit of work
 * (what the guest counted in its window: pages, calls), the symbols whose
 * counts differ most first.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct entry {
	char *name;
	double a, b;
};

struct table {
	struct entry *v;
	size_t n, cap;
};

static const char usage[] =
	"usage: insnprof-diff [--top N] STOCK_REPORT STOCK_UNITS PATCHED_REPORT PATCHED_UNITS\n"
	"Prints guest instructions per unit for each symbol in either report\n"
	"(total first), with patched - stock, largest differences first.\n";

static struct entry *lookup(struct table *t, const char *name)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->v[i].name, name))
			return &t->v[i];
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 256;
		struct entry *v = realloc(t->v, cap * sizeof(*v));

		if (!v)
			return NULL;
		t->v = v;
		t->cap = cap;
	}
	t->v[t->n].name = strdup(name);
	if (!t->v[t->n].name)
		return NULL;
	t->v[t->n].a = t->v[t->n].b = 0;
	return &t->v[t->n++];
}

/* Add a report to column side (0: stock, 1: patched); 0 or -1 (said). */
static int load(struct table *t, const char *path, double units, int side)
{
	FILE *f = fopen(path, "r");
	char line[512], name[256];
	uint64_t count, windows = 0;
	size_t lineno = 0;
	int rc = 0;

	if (!f) {
		fprintf(stderr, "insnprof-diff: error: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		struct entry *e;

		lineno++;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (sscanf(line, "windows %" SCNu64, &windows) == 1)
			continue;
		if (sscanf(line, "total %" SCNu64, &count) == 1)
			strcpy(name, "total");
		else if (sscanf(line, "%" SCNu64 " %255s", &count, name) != 2) {
			fprintf(stderr, "%s:%zu: error: not an insnprof report line\n",
				path, lineno);
			rc = -1;
			break;
		}
		e = lookup(t, name);
		if (!e) {
			fprintf(stderr, "insnprof-diff: error: out of memory\n");
			rc = -1;
			break;
		}
		*(side ? &e->b : &e->a) += count / units;
	}
	fclose(f);
	if (!rc && windows != 1) {
		fprintf(stderr, "%s: error: %" PRIu64 " windows: the guest must open and close exactly one\n",
			path, windows);
		rc = -1;
	}
	return rc;
}

static int by_difference(const void *x, const void *y)
{
	const struct entry *a = x, *b = y;
	double da, db;

	if (!strcmp(a->name, "total") || !strcmp(b->name, "total"))
		return strcmp(a->name, "total") ? 1 : strcmp(b->name, "total") ? -1 : 0;
	da = fabs(a->b - a->a);
	db = fabs(b->b - b->a);
	if (da != db)
		return da < db ? 1 : -1;
	return strcmp(a->name, b->name);
}

static int units_arg(const char *s, double *u)
{
	char *end;

	errno = 0;
	*u = strtod(s, &end);
	if (errno || *end || end == s || !(*u > 0)) {
		fprintf(stderr, "insnprof-diff: error: '%s': units must be a positive number\n", s);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct table t = { 0 };
	double ua, ub;
	long top = 15;
	int i = 1, rc = 0;

	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		fputs(usage, stdout);
		return 0;
	}
	if (argc > 2 && !strcmp(argv[1], "--top")) {
		char *end;

		top = strtol(argv[2], &end, 10);
		if (*end || end == argv[2] || top < 1) {
			fprintf(stderr, "insnprof-diff: error: --top '%s': not a positive count\n", argv[2]);
			return 2;
		}
		i = 3;
	}
	if (argc - i != 4) {
		fputs(usage, stderr);
		return 2;
	}
	if (units_arg(argv[i + 1], &ua) || units_arg(argv[i + 3], &ub))
		return 2;
	if (load(&t, argv[i], ua, 0) || load(&t, argv[i + 2], ub, 1)) {
		rc = 1;
		goto out;
	}
	qsort(t.v, t.n, sizeof(*t.v), by_difference);
	printf("Guest instructions per unit between the marks (insnprof);\n"
	       "units: %g stock, %g patched.\n\n", ua, ub);
	printf("%-44s %10s %10s %9s\n", "symbol", "stock", "patched", "diff");
	for (size_t k = 0; k < t.n && (long)k <= top; k++)
		printf("%-44s %10.2f %10.2f %+9.2f\n", t.v[k].name, t.v[k].a,
		       t.v[k].b, t.v[k].b - t.v[k].a);
out:
	for (size_t k = 0; k < t.n; k++)
		free(t.v[k].name);
	free(t.v);
	return rc;
}
