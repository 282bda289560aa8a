// SPDX-License-Identifier: GPL-2.0
/* insnprof's core: see profile.h. */
#define _POSIX_C_SOURCE 200809L
#include "profile.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static void symmap_sort(struct symmap *m)
{
	/* insertion sort of an almost sorted map (System.map is sorted) */
	for (size_t i = 1; i < m->n; i++) {
		uint64_t a = m->addr[i];
		char *s = m->name[i];
		size_t j = i;

		while (j > 0 && m->addr[j - 1] > a) {
			m->addr[j] = m->addr[j - 1];
			m->name[j] = m->name[j - 1];
			j--;
		}
		m->addr[j] = a;
		m->name[j] = s;
	}
}

int symmap_load(struct symmap *m, const char *path, char *err, size_t len)
{
	FILE *f = fopen(path, "r");
	char line[512];
	size_t cap = 0, lineno = 0;

	memset(m, 0, sizeof(*m));
	if (!f) {
		snprintf(err, len, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char type, name[256];
		uint64_t addr;

		lineno++;
		if (sscanf(line, "%" SCNx64 " %c %255s", &addr, &type, name) != 3) {
			snprintf(err, len, "%s:%zu: not a System.map line", path,
				 lineno);
			goto fail;
		}
		if (type != 'T' && type != 't' && type != 'W' && type != 'w')
			continue;
		if (m->n == cap) {
			size_t ncap = cap ? 2 * cap : 4096;
			uint64_t *a = realloc(m->addr, ncap * sizeof(*a));
			char **s;

			if (!a)
				goto nomem;
			m->addr = a;
			s = realloc(m->name, ncap * sizeof(*s));
			if (!s)
				goto nomem;
			m->name = s;
			cap = ncap;
		}
		m->name[m->n] = strdup(name);
		if (!m->name[m->n])
			goto nomem;
		m->addr[m->n++] = addr;
	}
	fclose(f);
	if (!m->n) {
		snprintf(err, len, "%s: no text symbols", path);
		symmap_free(m);
		return -1;
	}
	symmap_sort(m);
	return 0;
nomem:
	snprintf(err, len, "%s: out of memory", path);
fail:
	fclose(f);
	symmap_free(m);
	return -1;
}

size_t symmap_find(const struct symmap *m, uint64_t addr)
{
	size_t lo = 0, hi = m->n;

	if (!m->n || addr < m->addr[0])
		return m->n;
	/* the last symbol at or below addr */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->addr[mid] <= addr)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

void symmap_free(struct symmap *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->name[i]);
	free(m->name);
	free(m->addr);
	memset(m, 0, sizeof(*m));
}

void profile_init(struct profile *p, uint64_t mark)
{
	memset(p, 0, sizeof(*p));
	p->mark = mark;
}

struct tb_count *profile_add_tb(struct profile *p, uint64_t vaddr,
				uint64_t insns)
{
	struct tb_count *tb = calloc(1, sizeof(*tb));

	if (!tb)
		return NULL;
	tb->vaddr = vaddr;
	tb->insns = insns;
	tb->next = p->tbs;
	p->tbs = tb;
	return tb;
}

void profile_exec(struct profile *p, struct tb_count *tb)
{
	if (tb->vaddr == p->mark) {
		if (!p->open)
			p->windows++;
		p->open = true;
	} else if (tb->vaddr == p->mark + PROFILE_MARK_OFF) {
		p->open = false;
	} else if (p->open) {
		tb->execs++;
	}
}

struct row {
	uint64_t count;
	size_t sym;
};

static int row_cmp(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return x->sym < y->sym ? -1 : x->sym > y->sym;
}

int profile_report(const struct profile *p, const struct symmap *m, FILE *f)
{
	struct row *rows = calloc(m->n + 1, sizeof(*rows));
	uint64_t total = 0;
	size_t i;

	if (!rows)
		return -1;
	for (i = 0; i <= m->n; i++)
		rows[i].sym = i;
	for (const struct tb_count *tb = p->tbs; tb; tb = tb->next) {
		if (!tb->execs)
			continue;
		rows[symmap_find(m, tb->vaddr)].count += tb->insns * tb->execs;
		total += tb->insns * tb->execs;
	}
	qsort(rows, m->n + 1, sizeof(*rows), row_cmp);
	fprintf(f, "# insnprof: guest instructions between the marks, by symbol\n");
	fprintf(f, "windows %" PRIu64 "\ntotal %" PRIu64 "\n", p->windows, total);
	for (i = 0; i <= m->n && rows[i].count; i++)
		fprintf(f, "%" PRIu64 " %s\n", rows[i].count,
			rows[i].sym == m->n ? "[user]" : m->name[rows[i].sym]);
	free(rows);
	return ferror(f) ? -1 : 0;
}

void profile_free(struct profile *p)
{
	struct tb_count *tb = p->tbs;

	while (tb) {
		struct tb_count *next = tb->next;

		free(tb);
		tb = next;
	}
	p->tbs = NULL;
}
