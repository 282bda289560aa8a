// SPDX-License-Identifier: GPL-2.0
/*
 * pinaudit: lifetime classes, the "looks long-term" heuristic across the
 * files of one directory, and the lint rules.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pinaudit.h"

bool is_completion_name(const char *fn)
{
	static const char *const pats[] = {
		"end_io", "endio", "complete", "completion", "_done", "callback",
		"_irq", "_isr", "interrupt",
	};
	size_t n = strlen(fn);

	for (size_t i = 0; i < sizeof(pats) / sizeof(*pats); i++)
		if (strstr(fn, pats[i]))
			return true;
	return n > 3 && !strcmp(fn + n - 3, "_cb");
}

/*
 * mm/ of the tree; the flags may be named there (and only there).  tools/
 * is userspace (selftests keep their own copy of the flag values for the
 * gup_test ioctl) and is not held to the kernel-internal rule.
 */
bool path_in_mm(const char *rel)
{
	return !strncmp(rel, "mm/", 3) || !strncmp(rel, "tools/", 6);
}

static size_t dir_len(const char *rel)
{
	const char *s = strrchr(rel, '/');

	return s ? (size_t)(s - rel) : 0;
}

static bool same_dir(const char *a, const char *b)
{
	size_t la = dir_len(a), lb = dir_len(b);

	return la == lb && !memcmp(a, b, la);
}

static bool calls(const struct site *s, const char *fn)
{
	size_t n = strlen(fn);
	const char *p = s->callees;

	if (!n || !strcmp(fn, "?"))
		return false;
	while (p && (p = strstr(p, fn))) {
		if (p > s->callees && p[-1] == ' ' && p[n] == ' ')
			return true;
		p += n;
	}
	return false;
}

/* does text name fn as a word? */
static bool mentions(const char *text, const char *fn)
{
	size_t n = strlen(fn);

	for (const char *p = text; n && (p = strstr(p, fn)); p += n) {
		bool l = p == text || !(isalnum((unsigned char)p[-1]) || p[-1] == '_');
		bool r = !(isalnum((unsigned char)p[n]) || p[n] == '_');

		if (l && r)
			return true;
	}
	return false;
}

static void heuristic(struct file_res **files, size_t nfiles, struct site *s)
{
	struct arena *A = &s->file->arena;
	const struct release *best = NULL;
	const struct file_res *best_f = NULL;
	char tmp[512];

	if (s->storage == ST_NONE) {
		s->evidence = s->returned ? "page array returned to the caller"
					  : "pages not stored beyond the call";
		return;
	}
	if (s->same_func_release) {
		s->evidence = "pinned and unpinned in the same function";
		return;
	}
	for (size_t i = 0; i < nfiles; i++) {
		const struct file_res *f = files[i];

		if (!f || !same_dir(f->rel, s->file->rel))
			continue;
		for (size_t k = 0; k < f->rels.n; k++) {
			const struct release *r = &f->rels.v[k];

			if (r->field != (s->storage == ST_FIELD) ||
			    strcmp(r->name, s->storage_name))
				continue;
			if (f == s->file && !strcmp(r->func, s->func))
				continue;	/* error paths of the pin function */
			if (r->completion) {
				snprintf(tmp, sizeof(tmp),
					 "unpinned from I/O completion %s() at %s:%u",
					 r->func, f->rel, r->line);
				s->evidence = arena_strdup(A, tmp);
				return;
			}
			if (calls(s, r->func)) {
				snprintf(tmp, sizeof(tmp),
					 "unpinned by %s(), called from %s()",
					 r->func, s->func);
				s->evidence = arena_strdup(A, tmp);
				return;
			}
			/* prefer a normal-path release, then the pin's own file */
			if (!best || (best->error_only && !r->error_only) ||
			    (best->error_only == r->error_only &&
			     best_f != s->file && f == s->file)) {
				best = r;
				best_f = f;
			}
		}
	}
	if (!best) {
		snprintf(tmp, sizeof(tmp),
			 "pages kept in %s; no matching unpin found nearby",
			 s->storage_expr);
		s->evidence = arena_strdup(A, tmp);
		return;
	}
	if (s->ephemeral && s->lifetime_text && mentions(s->lifetime_text, best->func)) {
		/* the lifetime comment names this release: documented */
		snprintf(tmp, sizeof(tmp),
			 "pages kept in %s, unpinned in %s() at %s:%u, as its "
			 "lifetime comment says", s->storage_expr, best->func,
			 best_f->rel, best->line);
		s->evidence = arena_strdup(A, tmp);
		return;
	}
	s->looks_long = true;
	s->rel_func = best->func;
	s->rel_file = best_f->path;
	s->rel_line = best->line;
	snprintf(tmp, sizeof(tmp), "pages kept in %s %s (%s), released in %s() at %s:%u",
		 s->storage == ST_FIELD ? "struct field" : "global",
		 s->storage_name, s->storage_expr, best->func, best_f->rel,
		 best->line);
	s->evidence = arena_strdup(A, tmp);
}

void classify(struct file_res **files, size_t nfiles, enum api_gen gen)
{
	for (size_t i = 0; i < nfiles; i++) {
		struct file_res *f = files[i];

		if (!f)
			continue;
		for (size_t k = 0; k < f->sites.n; k++) {
			struct site *s = &f->sites.v[k];
			enum api_kind kind = s->api->kind;

			if (kind == K_GET || kind == K_ITER_GET)
				s->cls = LC_REFERENCE_ONLY;
			else if (s->ephemeral)
				s->cls = s->lifetime_comment ? LC_EPHEMERAL_COMMENTED
							     : LC_EPHEMERAL_UNCOMMENTED;
			else if (s->flags & FLAG_BIT(FB_LONGTERM))
				s->cls = LC_LONGTERM_EXPLICIT;
			else
				s->cls = gen == API_NEW ? LC_LONGTERM_DEFAULT
							: LC_SHORTTERM_LEGACY;
			if (s->cls == LC_SHORTTERM_LEGACY ||
			    s->cls == LC_EPHEMERAL_COMMENTED ||
			    s->cls == LC_EPHEMERAL_UNCOMMENTED)
				heuristic(files, nfiles, s);
		}
	}
}

static char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p) {
		fputs("pinaudit: out of memory\n", stderr);
		exit(3);
	}
	return p;
}

static void add(struct findings *out, const struct file_res *f, unsigned line,
		unsigned col, const char *rule, const char *msg)
{
	struct finding fd;

	memset(&fd, 0, sizeof(fd));
	fd.file = f;
	fd.line = line;
	fd.col = col;
	fd.rule = rule;
	fd.msg = xstrdup(msg);
	VEC_PUSH(*out, fd);
}

void lint(struct file_res **files, size_t nfiles, enum api_gen gen,
	  struct findings *out)
{
	char tmp[1024];

	for (size_t i = 0; i < nfiles; i++) {
		const struct file_res *f = files[i];

		if (!f)
			continue;
		for (size_t k = 0; k < f->sites.n; k++) {
			const struct site *s = &f->sites.v[k];
			enum api_kind kind = s->api->kind;

			if (s->ephemeral && (kind == K_GET || kind == K_ITER_GET)) {
				snprintf(tmp, sizeof(tmp),
					 "FOLL_EPHEMERAL passed to %s(), which does not pin",
					 s->api->name);
				add(out, f, s->line, s->col, "ephemeral-without-pin", tmp);
			} else if (s->ephemeral && !s->lifetime_comment) {
				snprintf(tmp, sizeof(tmp),
					 "ephemeral pin in %s() without a lifetime comment "
					 "directly above the call or the FOLL_EPHEMERAL "
					 "assignment (say where and when it is unpinned)",
					 s->func);
				add(out, f, s->line, s->col, "ephemeral-no-comment", tmp);
			}
			if (s->looks_long) {
				snprintf(tmp, sizeof(tmp),
					 "%s pin by %s() looks long-term: pages are kept in "
					 "%s %s (%s) and released in %s()",
					 s->ephemeral ? "ephemeral" : "short-term",
					 s->func,
					 s->storage == ST_FIELD ? "struct field" : "global",
					 s->storage_name, s->storage_expr, s->rel_func);
				add(out, f, s->line, s->col, "looks-long-term", tmp);
				struct finding *fd = &out->v[out->n - 1];

				fd->note_file = s->rel_file;
				fd->note_line = s->rel_line;
				snprintf(tmp, sizeof(tmp), "pages released here, in %s()",
					 s->rel_func);
				fd->note = xstrdup(tmp);
			}
		}
		if (gen == API_NEW && !path_in_mm(f->rel)) {
			for (size_t k = 0; k < f->hits.n; k++) {
				const struct hit *h = &f->hits.v[k];

				snprintf(tmp, sizeof(tmp),
					 "%s is internal to mm/ (mm/internal.h) under the "
					 "new GUP API; pins are long-term by default",
					 h->name);
				add(out, f, h->line, h->col, "internal-flag", tmp);
			}
		}
	}
}

void findings_free(struct findings *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->v[i].msg);
		free(f->v[i].note);
	}
	free(f->v);
	memset(f, 0, sizeof(*f));
}
