// SPDX-License-Identifier: GPL-2.0
/*
 * pinaudit: which Kbuild module a file belongs to.  A composite module is
 * named in its directory's Makefile or Kbuild file ("foo-y += a.o b/c.o",
 * "foo-objs := ...", "foo-$(CONFIG_X) += ..."); its files may sit in
 * subdirectories.  A file that no composite names is a module of its own
 * directory (the fallback).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

struct mkfile {
	char *dir;		/* relative to the tree root, "" for root */
	char *text;		/* NULL: no Makefile/Kbuild there         */
};

struct modmap {
	char *root;
	VEC(struct mkfile) cache;
};

struct modmap *modmap_new(const char *tree_root)
{
	struct modmap *mm = calloc(1, sizeof(*mm));

	if (mm)
		mm->root = strdup(tree_root ? tree_root : ".");
	return mm;
}

void modmap_free(struct modmap *mm)
{
	if (!mm)
		return;
	for (size_t i = 0; i < mm->cache.n; i++) {
		free(mm->cache.v[i].dir);
		free(mm->cache.v[i].text);
	}
	free(mm->cache.v);
	free(mm->root);
	free(mm);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	struct sbuf b = { 0 };
	char tmp[4096];
	size_t n;

	if (!f)
		return NULL;
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0 && b.len < (1u << 20))
		sb_putn(&b, tmp, n);
	fclose(f);
	if (!b.s)
		sb_puts(&b, "");
	return b.s;
}

static const char *makefile(struct modmap *mm, const char *dir, size_t dl)
{
	for (size_t i = 0; i < mm->cache.n; i++)
		if (strlen(mm->cache.v[i].dir) == dl && !memcmp(mm->cache.v[i].dir, dir, dl))
			return mm->cache.v[i].text;
	struct mkfile m = { .dir = strndup(dir, dl) };
	char path[4096];

	snprintf(path, sizeof(path), "%s/%.*s%sKbuild", mm->root, (int)dl, dir, dl ? "/" : "");
	m.text = slurp(path);
	if (!m.text) {
		snprintf(path, sizeof(path), "%s/%.*s%sMakefile", mm->root, (int)dl, dir,
			 dl ? "/" : "");
		m.text = slurp(path);
	}
	VEC_PUSH(mm->cache, m);
	return m.text;
}

/* the composite object of mk that lists obj ("sub/file.o"), or NULL */
static char *composite(const char *mk, const char *obj)
{
	size_t ol = strlen(obj);
	const char *p = mk;

	while ((p = strstr(p, obj))) {
		bool word = (p == mk || p[-1] == ' ' || p[-1] == '\t' || p[-1] == '=') &&
			    (p[ol] == ' ' || p[ol] == '\t' || p[ol] == '\n' ||
			     p[ol] == '\\' || !p[ol]);

		if (!word) {
			p += ol;
			continue;
		}
		/* the start of the logical line (continuations joined) */
		const char *ls = p;

		for (;;) {
			while (ls > mk && ls[-1] != '\n')
				ls--;
			if (ls - mk >= 2 && ls[-2] == '\\') {
				ls--;
				continue;
			}
			break;
		}
		const char *e = ls;

		while (*e == ' ' || *e == '\t')
			e++;
		const char *ns = e;

		while (*e && *e != '-' && *e != ' ' && *e != '\t' && *e != '+' &&
		       *e != ':' && *e != '=' && *e != '\n')
			e++;
		if (*e == '-' && e > ns && strncmp(ns, "obj", 3) && strncmp(ns, "ccflags", 7) &&
		    strncmp(ns, "subdir", 6) && strncmp(ns, "CFLAGS", 6)) {
			const char *suf = e + 1;

			if (!strncmp(suf, "y", 1) || !strncmp(suf, "objs", 4) ||
			    !strncmp(suf, "$(", 2) || !strncmp(suf, "m", 1))
				return strndup(ns, (size_t)(e - ns));
		}
		p += ol;
	}
	return NULL;
}

const char *modmap_module(struct modmap *mm, const char *rel, struct arena *A)
{
	const char *slash = strrchr(rel, '/');
	size_t dl = slash ? (size_t)(slash - rel) : 0;
	const char *base = slash ? slash + 1 : rel;
	size_t bl = strlen(base);
	char obj[4096];

	if (bl < 3 || strcmp(base + bl - 2, ".c"))
		return arena_strndup(A, rel, dl);
	/* this directory and up to three above it */
	size_t d = dl;

	for (int up = 0; up < 4; up++) {
		const char *mk = makefile(mm, rel, d);

		if (mk) {
			snprintf(obj, sizeof(obj), "%.*s.o", (int)(dl + 1 + bl - 2 - (d ? d + 1 : 0)),
				 rel + (d ? d + 1 : 0));
			char *c = composite(mk, obj);

			if (c) {
				char tmp[4096];

				snprintf(tmp, sizeof(tmp), "%.*s%s%s.ko", (int)d, rel, d ? "/" : "", c);
				free(c);
				return arena_strdup(A, tmp);
			}
		}
		if (!d)
			break;
		while (d > 0 && rel[d - 1] != '/')
			d--;
		if (d)
			d--;
	}
	return arena_strndup(A, rel, dl);
}
